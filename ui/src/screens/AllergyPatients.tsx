import { useEffect, useRef, useState } from 'preact/hooks';
import { api, qs } from '../api';
import { ta } from '../allergyText';
import type { PatientList } from '../allergyTypes';
import { ErrorBox, Kbd, Spinner, Value } from '../components/ui';
import { useApp } from '../context';
import { canDoAllergyCare } from '../logic/allergy';
import { describeError } from '../logic/errors';
import { formatDate } from '../logic/format';
import { navigate } from '../router';

const LIMIT = 20;

// Kept while the app runs: coming back from a patient shows the same search and page.
let remembered = { q: '', page: 1 };

export function AllergyForbidden({ stats = false }: { stats?: boolean }) {
  return (
    <div class="screen">
      <ErrorBox testid="allergy-forbidden">{ta(stats ? 'forbidden.stats' : 'forbidden.care')}</ErrorBox>
    </div>
  );
}

/** Previous / next with "n / m 페이지". */
export function Pager({ page, pages, onPage, testid }: { page: number; pages: number; onPage: (p: number) => void; testid: string }) {
  if (pages <= 1) return null;
  return (
    <div class="pager" data-testid={testid}>
      <span />
      <div class="pager-nav">
        <button type="button" class="btn btn-outline btn-sm" data-testid={`${testid}-prev`} disabled={page <= 1} onClick={() => onPage(page - 1)}>
          ‹ {ta('pager.prev')}
        </button>
        <span class="pager-info" data-testid={`${testid}-info`}>
          {ta('pager.pageOf', { page, pages })}
        </span>
        <button type="button" class="btn btn-outline btn-sm" data-testid={`${testid}-next`} disabled={page >= pages} onClick={() => onPage(page + 1)}>
          {ta('pager.next')} ›
        </button>
      </div>
    </div>
  );
}

/** 알레르기 환자: search (name, number, phone digits), pages of 20, newest first. */
export function AllergyPatientsScreen() {
  const { user } = useApp();
  const [q, setQ] = useState(remembered.q);
  const [page, setPage] = useState(remembered.page);
  const [data, setData] = useState<PatientList | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const [selected, setSelected] = useState(0);
  const inputRef = useRef<HTMLInputElement>(null);
  const allowed = canDoAllergyCare(user.role);

  useEffect(() => {
    remembered = { q, page };
    if (!allowed) return;
    let live = true;
    setLoading(true);
    // A short pause while typing: one request per settled query.
    const timer = setTimeout(
      () => {
        api<PatientList>('GET', `/api/v1/pro/patients${qs({ search: q.trim(), page, limit: LIMIT })}`)
          .then((r) => {
            if (!live) return;
            setData(r.data);
            setError(null);
            setSelected(0);
          })
          .catch((e) => live && setError(describeError(e)))
          .finally(() => live && setLoading(false));
      },
      data ? 200 : 0,
    );
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [q, page, allowed]);

  useEffect(() => {
    inputRef.current?.focus();
  }, []);

  if (!allowed) return <AllergyForbidden />;

  const items = data?.items ?? [];
  const open = (id: string) => navigate({ name: 'allergyPatient', id });
  const onKey = (e: KeyboardEvent) => {
    if (e.key === 'ArrowDown') {
      e.preventDefault();
      setSelected((i) => Math.min(items.length - 1, i + 1));
    } else if (e.key === 'ArrowUp') {
      e.preventDefault();
      setSelected((i) => Math.max(0, i - 1));
    } else if (e.key === 'Enter' && items[selected]) {
      e.preventDefault();
      open(items[selected].id);
    }
  };

  return (
    <div class="screen allergy-screen" data-testid="allergy-patients-screen">
      <div class="screen-head">
        <h1>{ta('patients.title')}</h1>
        <button type="button" class="btn btn-primary" data-testid="patient-new-button" onClick={() => navigate({ name: 'allergyPatientNew' })}>
          + {ta('patients.new')}
        </button>
      </div>
      <div class="search-box">
        <svg viewBox="0 0 20 20" width="18" height="18" aria-hidden="true" class="search-icon">
          <circle cx="8.5" cy="8.5" r="5.5" fill="none" stroke="currentColor" stroke-width="2" />
          <path d="m13 13 4.5 4.5" stroke="currentColor" stroke-width="2" stroke-linecap="round" />
        </svg>
        <input
          ref={inputRef}
          type="search"
          class="input search-input"
          data-testid="patients-search"
          aria-label={ta('patients.searchLabel')}
          placeholder={ta('patients.searchPlaceholder')}
          value={q}
          autoFocus
          autoComplete="off"
          spellcheck={false}
          onInput={(e) => {
            setQ(e.currentTarget.value);
            setPage(1);
          }}
          onKeyDown={onKey}
        />
        {loading ? <span class="spinner small" aria-hidden="true" /> : null}
      </div>
      {error ? <ErrorBox testid="patients-error">{error}</ErrorBox> : null}
      <div class="results-head">
        <span class="muted" data-testid="patients-total" data-total={data?.total ?? ''}>
          {data ? ta('patients.total', { n: data.total }) : ''}
        </span>
        <span class="muted small">
          <Kbd>↑</Kbd>
          <Kbd>↓</Kbd>
          <Kbd>Enter</Kbd>
        </span>
      </div>
      <div class={`table-wrap${loading && data ? ' is-loading' : ''}`}>
        <table class="table results" data-testid="patients-table">
          <thead>
            <tr>
              <th>{ta('patients.col.number')}</th>
              <th>{ta('patients.col.name')}</th>
              <th>{ta('patients.col.phone')}</th>
              <th>{ta('patients.col.last')}</th>
              <th class="num">{ta('patients.col.count')}</th>
            </tr>
          </thead>
          <tbody>
            {items.map((p, i) => (
              <tr
                key={p.id}
                class={i === selected ? 'selected' : undefined}
                data-testid="patient-row"
                data-id={p.id}
                data-number={p.patient_number}
                onClick={() => open(p.id)}
                onMouseEnter={() => setSelected(i)}
              >
                <td class="mono nowrap" data-testid="patient-number">
                  {p.patient_number}
                </td>
                <td class="cell-name strong" data-testid="patient-name">
                  {p.name}
                </td>
                <td class="mono nowrap">
                  <Value v={p.phone} />
                </td>
                <td class="mono nowrap">{p.last_diagnosis ? formatDate(p.last_diagnosis) : <span class="muted">{ta('patients.none')}</span>}</td>
                <td class="num mono">{ta('patients.countN', { n: p.diagnosis_count })}</td>
              </tr>
            ))}
            {data && items.length === 0 ? (
              <tr class="empty-row">
                <td colSpan={5} data-testid="patients-empty">
                  {q.trim() ? ta('patients.emptySearch', { q: q.trim() }) : ta('patients.empty')}
                </td>
              </tr>
            ) : null}
          </tbody>
        </table>
        {!data && loading ? <Spinner /> : null}
      </div>
      {data ? <Pager page={data.page} pages={data.pages} onPage={setPage} testid="patients-pager" /> : null}
    </div>
  );
}
