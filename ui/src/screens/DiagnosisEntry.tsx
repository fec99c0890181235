import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { api, qs } from '../api';
import { loadKnowledge, gradeBoundsOf } from '../allergyData';
import { ta, taEnum } from '../allergyText';
import { ALLERGEN_CATEGORIES, type Allergen, type AllergenList, type DiagnosisCreated, type KitList, type KnowledgeGrade, type Patient } from '../allergyTypes';
import { GradeBadge } from '../components/AllergyGuide';
import { DateInput } from '../components/DateInput';
import { Modal } from '../components/Modal';
import { ErrorBox, Field, Kbd, Spinner } from '../components/ui';
import { toast, useApp } from '../context';
import {
  DEFAULT_GRADE_BOUNDS,
  buildResults,
  canDoAllergyCare,
  diagnosisErrors,
  formatBound,
  matchesAllergen,
  parseResultInput,
  riskTierOf,
  type ParsedResult,
} from '../logic/allergy';
import { kstToday } from '../logic/audit';
import { describeError } from '../logic/errors';
import { href, navigate } from '../router';
import { AllergyForbidden } from './AllergyPatients';

/**
 * The focus moves through the grid's result inputs in their order on the page (the order they
 * are entered in): `delta` +1 is the next row, -1 the previous one. Past the last row it goes to
 * `after` (the 저장 button), before the first to `before` (the filter box).
 */
export function moveInGrid(grid: HTMLElement, from: HTMLElement, delta: number, before?: HTMLElement | null, after?: HTMLElement | null): void {
  const inputs = Array.from(grid.querySelectorAll<HTMLInputElement>('input[data-row]'));
  const i = inputs.indexOf(from as HTMLInputElement);
  const next = i + delta;
  if (i < 0) return;
  if (next >= inputs.length) after?.focus();
  else if (next < 0) before?.focus();
  else {
    inputs[next].focus();
    inputs[next].select();
  }
}

/** What a cell reads as, beside it: its grade, the grade a kU/L value falls in, or what is wrong. */
function Preview({ p, raw, labels, serverError }: { p: ParsedResult; raw: string; labels: Map<number, string>; serverError?: string }) {
  if (serverError) return <span class="entry-msg error">{serverError}</span>;
  if (p.kind === 'empty') return null;
  if (p.kind === 'invalid') {
    return <span class="entry-msg error">{p.reason === 'grade_range' ? ta('entry.invalid.grade_range', { value: raw.trim() }) : ta('entry.invalid.format')}</span>;
  }
  const label = labels.get(p.grade);
  if (p.kind === 'grade') {
    return (
      <span class="entry-msg">
        <GradeBadge grade={p.grade} tier={riskTierOf(p.grade)} /> {label}
      </span>
    );
  }
  return (
    <span class="entry-msg" title={ta('entry.preview.serverDecides')}>
      {ta('entry.preview.kul', { grade: p.grade })} <GradeBadge grade={p.grade} tier={riskTierOf(p.grade)} />
      <span class="entry-server">{ta('entry.preview.serverDecides')}</span>
    </span>
  );
}

export function DiagnosisEntryScreen({ patientId }: { patientId: string }) {
  const { user } = useApp();
  const allowed = canDoAllergyCare(user.role);
  const [patient, setPatient] = useState<Patient | null>(null);
  const [allergens, setAllergens] = useState<AllergenList | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [bounds, setBounds] = useState<readonly number[]>(DEFAULT_GRADE_BOUNDS);
  const [labels, setLabels] = useState<Map<number, string>>(new Map());
  const [kits, setKits] = useState<string[]>([]);
  const [values, setValues] = useState<Record<string, string>>({});
  const [date, setDate] = useState(kstToday());
  const [kit, setKit] = useState('');
  const [filter, setFilter] = useState('');
  const [rowErrors, setRowErrors] = useState<Record<string, string>>({});
  const [fieldErrors, setFieldErrors] = useState<{ diagnosis_date?: string; kit_serial?: string }>({});
  const [general, setGeneral] = useState<string[]>([]);
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const gridRef = useRef<HTMLDivElement>(null);
  const filterRef = useRef<HTMLInputElement>(null);
  const saveRef = useRef<HTMLButtonElement>(null);
  const summaryRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!allowed) return;
    let live = true;
    api<Patient>('GET', `/api/v1/pro/patients/${encodeURIComponent(patientId)}`)
      .then((r) => live && setPatient(r.data))
      .catch((e) => live && setLoadError(describeError(e)));
    api<AllergenList>('GET', '/api/v1/pro/allergens')
      .then((r) => live && setAllergens(r.data))
      .catch((e) => live && setLoadError(describeError(e) || ta('entry.loadError')));
    // The current version's scale, so that the kU/L preview is what the server will do.
    loadKnowledge('current')
      .then((k) => {
        if (!live) return;
        const b = gradeBoundsOf(k);
        if (b) setBounds(b);
        const grades: KnowledgeGrade[] = Array.isArray(k.document?.grades?.grades) ? k.document.grades.grades! : [];
        setLabels(new Map(grades.filter((g) => typeof g.label_ko === 'string').map((g) => [g.grade, g.label_ko!])));
      })
      .catch(() => {
        /* the built-in scale */
      });
    api<KitList>('GET', `/api/v1/pro/kits${qs({ status: 'issued', limit: 100 })}`)
      .then((r) => live && setKits(r.data.items.map((k) => k.serial_number)))
      .catch(() => {
        /* no suggestions */
      });
    return () => {
      live = false;
    };
  }, [patientId, allowed]);

  const items = allergens?.items ?? [];
  // The grid's order: by category (food, inhalant, other), then as the knowledge base lists them.
  const ordered = useMemo(() => ALLERGEN_CATEGORIES.flatMap((c) => items.filter((a) => a.category === c)).concat(items.filter((a) => !ALLERGEN_CATEGORIES.includes(a.category))), [items]);
  const parsed = useMemo(() => new Map(ordered.map((a) => [a.code, parseResultInput(values[a.code] ?? '', bounds)])), [ordered, values, bounds]);
  const visible = useMemo(() => new Set(ordered.filter((a) => matchesAllergen(a, filter)).map((a) => a.code)), [ordered, filter]);

  const entered = [...parsed.values()].filter((p) => p.kind === 'grade' || p.kind === 'kul');
  const invalidCount = [...parsed.values()].filter((p) => p.kind === 'invalid').length;
  const highCount = entered.filter((p) => (p as { grade: number }).grade >= 4).length;

  const openConfirm = () => {
    if (busy || !allergens) return;
    const { results, invalid } = buildResults(ordered, values, bounds);
    if (invalid.length) {
      setGeneral([ta('entry.fixInvalid', { n: invalid.length })]);
      if (!visible.has(invalid[0])) setFilter('');
      setTimeout(() => document.getElementById(`entry-${invalid[0]}`)?.focus(), 0);
      return;
    }
    if (results.length === 0) {
      setGeneral([ta('entry.nothing')]);
      return;
    }
    setGeneral([]);
    setConfirming(true);
  };
  const openRef = useRef(openConfirm);
  openRef.current = openConfirm;

  // Ctrl+S saves (asks first); Ctrl+F goes to the filter.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (!(e.ctrlKey || e.metaKey) || e.altKey || document.querySelector('.modal')) return;
      const k = e.key.toLowerCase();
      if (k === 's') {
        e.preventDefault();
        openRef.current();
      } else if (k === 'f') {
        e.preventDefault();
        filterRef.current?.focus();
        filterRef.current?.select();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  useEffect(() => {
    if (confirming) summaryRef.current?.focus();
  }, [confirming]);

  // Once the grid is there, the filter has the focus: ↓ or Enter goes to the first row.
  const ready = !!patient && !!allergens;
  useEffect(() => {
    if (ready) filterRef.current?.focus();
  }, [ready]);

  if (!allowed) return <AllergyForbidden />;

  const back = (
    <a class="back-link" href={href({ name: 'allergyPatient', id: patientId })} data-testid="entry-back">
      {ta('entry.back')}
    </a>
  );
  if (loadError && (!patient || !allergens)) {
    return (
      <div class="screen allergy-screen">
        {back}
        <ErrorBox testid="entry-load-error">{loadError}</ErrorBox>
      </div>
    );
  }
  if (!patient || !allergens) {
    return (
      <div class="screen allergy-screen">
        {back}
        <Spinner />
      </div>
    );
  }

  const setValue = (code: string, v: string) => {
    setValues((x) => ({ ...x, [code]: v }));
    if (rowErrors[code]) setRowErrors(({ [code]: _gone, ...rest }) => rest);
  };

  const save = async () => {
    const { results, codes } = buildResults(ordered, values, bounds);
    setBusy(true);
    try {
      const r = await api<DiagnosisCreated>('POST', '/api/v1/pro/diagnosis', {
        patient_id: patient.id,
        diagnosis_date: date || null,
        kit_serial: kit.trim() ? kit.trim().toUpperCase() : null,
        results,
      });
      toast(ta('entry.saved'));
      navigate({ name: 'diagnosis', id: r.data.diagnosis_id });
    } catch (e) {
      const out = diagnosisErrors(e, codes, describeError);
      setRowErrors(out.rows);
      setFieldErrors(out.fields);
      const rowCodes = Object.keys(out.rows);
      setGeneral(out.general.length ? out.general : [ta('entry.serverErrors')]);
      setConfirming(false);
      if (rowCodes.length) {
        if (rowCodes.some((c) => !visible.has(c))) setFilter('');
        const first = ordered.find((a) => out.rows[a.code]);
        setTimeout(() => document.getElementById(`entry-${first?.code}`)?.focus(), 0);
      } else if (out.fields.kit_serial) {
        setTimeout(() => document.getElementById('entry-kit')?.focus(), 0);
      } else if (out.fields.diagnosis_date) {
        setTimeout(() => document.getElementById('entry-date')?.focus(), 0);
      }
    } finally {
      setBusy(false);
    }
  };

  const onRowKey = (e: KeyboardEvent) => {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    const grid = gridRef.current;
    if (!grid) return;
    if (e.key === 'ArrowDown' || e.key === 'Enter') {
      e.preventDefault();
      moveInGrid(grid, e.currentTarget as HTMLElement, 1, filterRef.current, saveRef.current);
    } else if (e.key === 'ArrowUp') {
      e.preventDefault();
      moveInGrid(grid, e.currentTarget as HTMLElement, -1, filterRef.current, saveRef.current);
    }
  };

  const onFilterKey = (e: KeyboardEvent) => {
    if (e.key === 'Enter' || e.key === 'ArrowDown') {
      e.preventDefault();
      const first = gridRef.current?.querySelector<HTMLInputElement>('input[data-row]');
      first?.focus();
      first?.select();
    } else if (e.key === 'Escape' && filter) {
      e.preventDefault();
      e.stopPropagation();
      setFilter('');
    }
  };

  const confirmList = (min: number, max: number) =>
    ordered
      .map((a) => ({ a, p: parsed.get(a.code)! }))
      .filter(({ p }) => (p.kind === 'grade' || p.kind === 'kul') && p.grade >= min && p.grade <= max)
      .sort((x, y) => (y.p as { grade: number }).grade - (x.p as { grade: number }).grade);
  const highList = confirmList(4, 6);
  const moderateList = confirmList(2, 3);
  const anyKul = entered.some((p) => p.kind === 'kul');

  return (
    <div class="screen allergy-screen entry-screen" data-testid="diagnosis-entry-screen" data-knowledge-version={allergens.knowledge_version}>
      {back}
      <div class="screen-head">
        <h1>
          {ta('entry.title')} <span class="entry-patient" data-testid="entry-patient">
            {patient.name} · <span class="mono">{patient.patient_number}</span>
          </span>
        </h1>
      </div>

      <div class="card entry-fields">
        <div class="entry-fields-row">
          <Field label={ta('entry.date')} htmlFor="entry-date" error={fieldErrors.diagnosis_date}>
            <DateInput
              id="entry-date"
              testid="entry-date"
              value={date}
              max={kstToday()}
              invalid={!!fieldErrors.diagnosis_date}
              onChange={(v) => {
                setDate(v);
                setFieldErrors((x) => ({ ...x, diagnosis_date: undefined }));
              }}
            />
          </Field>
          <Field label={ta('entry.kit')} htmlFor="entry-kit" error={fieldErrors.kit_serial} hint={ta('entry.kitHint')}>
            <input
              id="entry-kit"
              class="input mono entry-kit"
              data-testid="entry-kit"
              list="entry-kits"
              placeholder={ta('entry.kitPlaceholder')}
              autoComplete="off"
              spellcheck={false}
              value={kit}
              aria-invalid={fieldErrors.kit_serial ? true : undefined}
              onInput={(e) => {
                setKit(e.currentTarget.value);
                setFieldErrors((x) => ({ ...x, kit_serial: undefined }));
              }}
              onBlur={(e) => setKit(e.currentTarget.value.trim().toUpperCase())}
            />
            <datalist id="entry-kits">
              {kits.map((s) => (
                <option key={s} value={s} />
              ))}
            </datalist>
          </Field>
          <Field label={ta('entry.filter')} htmlFor="entry-filter" hint={filter && visible.size === 0 ? null : ta('entry.filterHint')} error={filter && visible.size === 0 ? ta('entry.filterNone', { q: filter }) : null}>
            <input
              id="entry-filter"
              ref={filterRef}
              type="search"
              class="input"
              data-testid="entry-filter"
              placeholder={ta('entry.filterPlaceholder')}
              autoComplete="off"
              spellcheck={false}
              autoFocus
              value={filter}
              onInput={(e) => setFilter(e.currentTarget.value)}
              onKeyDown={onFilterKey}
            />
          </Field>
        </div>
        <p class="entry-help muted small">{ta('entry.help')}</p>
        <p class="entry-help muted small" data-testid="entry-scale">
          {ta('entry.scale', { version: allergens.knowledge_version, bounds: bounds.map(formatBound).join(' / ') })}
        </p>
      </div>

      {general.length ? (
        <ErrorBox testid="entry-error">
          {general.map((g, i) => (
            <span key={i}>{g}</span>
          ))}
        </ErrorBox>
      ) : null}

      <div class="entry-grid" ref={gridRef} data-testid="entry-grid">
        {ALLERGEN_CATEGORIES.map((cat) => {
          const rows = ordered.filter((a) => a.category === cat && visible.has(a.code));
          if (rows.length === 0) return null;
          const filled = ordered.filter((a) => a.category === cat && (parsed.get(a.code)?.kind ?? 'empty') !== 'empty').length;
          return (
            <section class="entry-cat card" key={cat} data-testid={`entry-cat-${cat}`}>
              <header class="entry-cat-head">
                <h2>{taEnum('category', cat)}</h2>
                <span class="count">{ordered.filter((a) => a.category === cat).length}</span>
                {filled ? <span class="badge entry-filled-badge">{ta('entry.enteredN', { n: filled })}</span> : null}
              </header>
              <div class="entry-rows">
                {rows.map((a) => (
                  <EntryRow key={a.code} a={a} raw={values[a.code] ?? ''} p={parsed.get(a.code)!} labels={labels} serverError={rowErrors[a.code]} onValue={setValue} onKeyDown={onRowKey} />
                ))}
              </div>
            </section>
          );
        })}
      </div>

      <div class="form-actions entry-actions">
        <span class="entry-counts" data-testid="entry-counts" data-entered={entered.length} data-high={highCount}>
          <b>{ta('entry.enteredN', { n: entered.length })}</b>
          {highCount ? <span class="text-red"> · {ta('entry.highN', { n: highCount })}</span> : null}
          {invalidCount ? <span class="text-red"> · {ta('entry.invalidN', { n: invalidCount })}</span> : null}
        </span>
        <span class="grow" />
        <button type="button" class="btn btn-primary" ref={saveRef} data-testid="entry-save" disabled={busy} onClick={openConfirm}>
          {busy ? ta('entry.saving') : ta('entry.save')} <Kbd>Ctrl S</Kbd>
        </button>
      </div>

      {confirming ? (
        <Modal
          title={ta('entry.confirmTitle')}
          testid="entry-confirm-dialog"
          onClose={() => setConfirming(false)}
          busy={busy}
          width={520}
          footer={
            <>
              <button type="button" class="btn btn-outline" data-testid="entry-confirm-back" disabled={busy} onClick={() => setConfirming(false)}>
                {ta('entry.confirmBack')}
              </button>
              <button type="button" class="btn btn-primary" data-testid="entry-confirm" disabled={busy} onClick={save}>
                {busy ? ta('entry.saving') : ta('entry.confirm')}
              </button>
            </>
          }
        >
          <div class="confirm-summary" tabIndex={-1} ref={summaryRef} data-testid="entry-confirm-summary">
            <p class="confirm-lead">{ta('entry.confirmLead', { name: patient.name, number: patient.patient_number })}</p>
            <dl class="kv confirm-kv">
              <dt>{ta('entry.date')}</dt>
              <dd class="mono" data-testid="entry-confirm-date">
                {date || kstToday()}
              </dd>
              <dt>{ta('entry.kit')}</dt>
              <dd class="mono" data-testid="entry-confirm-kit">
                {kit.trim() ? kit.trim().toUpperCase() : ta('entry.confirmNone')}
              </dd>
              <dt>{ta('entry.confirmCount')}</dt>
              <dd class="confirm-amount" data-testid="entry-confirm-count" data-value={entered.length}>
                {ta('entry.confirmCountN', { n: entered.length })}
              </dd>
              <dt class="text-red">{ta('entry.confirmHigh')}</dt>
              <dd data-testid="entry-confirm-high">
                {highList.length ? <ConfirmNames list={highList} /> : <span class="muted">{ta('entry.confirmNone')}</span>}
              </dd>
              <dt>{ta('entry.confirmModerate')}</dt>
              <dd data-testid="entry-confirm-moderate">
                {moderateList.length ? <ConfirmNames list={moderateList} /> : <span class="muted">{ta('entry.confirmNone')}</span>}
              </dd>
            </dl>
            {anyKul ? <p class="muted small">{ta('entry.confirmKulNote')}</p> : null}
          </div>
        </Modal>
      ) : null}
    </div>
  );
}

function ConfirmNames({ list }: { list: { a: Allergen; p: ParsedResult }[] }) {
  return (
    <span class="confirm-names">
      {list.map(({ a, p }) => (
        <span class="confirm-name" key={a.code} data-code={a.code}>
          <GradeBadge grade={(p as { grade: number }).grade} />
          {a.name_ko}
          {p.kind === 'kul' ? '*' : ''}
        </span>
      ))}
    </span>
  );
}

function EntryRow(props: {
  a: Allergen;
  raw: string;
  p: ParsedResult;
  labels: Map<number, string>;
  serverError?: string;
  onValue: (code: string, v: string) => void;
  onKeyDown: (e: KeyboardEvent) => void;
}) {
  const { a, raw, p, serverError } = props;
  const bad = p.kind === 'invalid' || !!serverError;
  const grade = p.kind === 'grade' || p.kind === 'kul' ? p.grade : null;
  return (
    <div
      class={`entry-row${bad ? ' has-error' : ''}${grade !== null ? ` filled tier-${riskTierOf(grade)}` : ''}`}
      data-testid="entry-row"
      data-code={a.code}
      data-kind={p.kind}
      data-grade={grade ?? ''}
      data-error={serverError ? 'server' : p.kind === 'invalid' ? 'input' : ''}
    >
      <label class="entry-name" for={`entry-${a.code}`} title={`${a.name_ko} · ${a.name_en}`}>
        <span class="entry-ko">{a.name_ko}</span>
        <span class="entry-en">{a.name_en}</span>
      </label>
      {a.mfds_labelling ? (
        <span class="entry-mfds" title={ta('entry.mfdsTitle')}>
          {ta('entry.mfds')}
        </span>
      ) : (
        <span />
      )}
      <input
        id={`entry-${a.code}`}
        class="input entry-input mono"
        data-row
        data-code={a.code}
        data-testid={`entry-input-${a.code}`}
        inputMode="decimal"
        autoComplete="off"
        spellcheck={false}
        placeholder="—"
        aria-label={ta('entry.valueLabel', { name: a.name_ko })}
        aria-invalid={bad ? true : undefined}
        aria-describedby={`entry-${a.code}-msg`}
        value={raw}
        onInput={(e) => props.onValue(a.code, e.currentTarget.value)}
        onKeyDown={props.onKeyDown}
        onFocus={(e) => e.currentTarget.select()}
      />
      <span class="entry-preview" id={`entry-${a.code}-msg`} data-testid={`entry-preview-${a.code}`} role={bad ? 'alert' : undefined}>
        <Preview p={p} raw={raw} labels={props.labels} serverError={serverError} />
      </span>
    </div>
  );
}
