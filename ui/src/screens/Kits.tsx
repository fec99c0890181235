import { useEffect, useState } from 'preact/hooks';
import { ApiError, api, qs } from '../api';
import { ta, taEnum } from '../allergyText';
import { KIT_STATUSES, type KitIssued, type KitList, type KitStatus } from '../allergyTypes';
import { Card, ErrorBox, Field, Spinner } from '../components/ui';
import { toast, useApp } from '../context';
import { MAX_KITS, canDoAllergyCare, parseKitLines } from '../logic/allergy';
import { describeError, fieldErrorsOf } from '../logic/errors';
import { formatDate, formatDateTime } from '../logic/format';
import { href, navigate } from '../router';
import { AllergyForbidden, Pager } from './AllergyPatients';

const LIMIT = 50;

/** 검사 키트: issue a batch (serial,PIN lines checked one by one before sending), and the list. */
export function KitsScreen({ status: routeStatus }: { status?: string }) {
  const { user } = useApp();
  const allowed = canDoAllergyCare(user.role);
  const status = KIT_STATUSES.includes(routeStatus as KitStatus) ? (routeStatus as KitStatus) : null;
  const [page, setPage] = useState(1);
  const [data, setData] = useState<KitList | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const [reload, setReload] = useState(0);

  useEffect(() => setPage(1), [status]);

  useEffect(() => {
    if (!allowed) return;
    let live = true;
    setLoading(true);
    api<KitList>('GET', `/api/v1/pro/kits${qs({ status, page, limit: LIMIT })}`)
      .then((r) => {
        if (!live) return;
        setData(r.data);
        setError(null);
      })
      .catch((e) => live && setError(describeError(e)))
      .finally(() => live && setLoading(false));
    return () => {
      live = false;
    };
  }, [status, page, reload, allowed]);

  if (!allowed) return <AllergyForbidden />;

  return (
    <div class="screen allergy-screen kits-screen" data-testid="kits-screen">
      <div class="screen-head">
        <h1>{ta('kits.title')}</h1>
      </div>
      <div class="kits-grid">
        <IssueCard
          onIssued={() => {
            if (status && status !== 'issued') navigate({ name: 'kits' }, true);
            setPage(1);
            setReload((n) => n + 1);
          }}
        />
        <Card
          heading={
            <>
              {ta('kits.list')} <span class="count">{data?.total ?? ''}</span>
            </>
          }
          actions={
            <div class="segmented kits-filter" role="group" aria-label={ta('kits.status')} data-testid="kits-filter">
              {[null, ...KIT_STATUSES].map((s) => (
                <button
                  type="button"
                  key={s ?? 'all'}
                  class={`seg${s === status ? ' on' : ''}`}
                  aria-pressed={s === status}
                  data-testid={`kits-filter-${s ?? 'all'}`}
                  onClick={() => navigate({ name: 'kits', status: s ?? undefined }, true)}
                >
                  {s ? taEnum('kitStatus', s) : ta('kits.all')}
                </button>
              ))}
            </div>
          }
          class="kits-list-card"
          data-testid="kits-list"
        >
          {error ? <ErrorBox testid="kits-error">{error}</ErrorBox> : null}
          {!data && loading ? <Spinner /> : null}
          {data && data.items.length === 0 ? (
            <div class="empty" data-testid="kits-empty">
              {ta('kits.empty')}
            </div>
          ) : null}
          {data && data.items.length ? (
            <div class={`table-wrap flat${loading ? ' is-loading' : ''}`}>
              <table class="table" data-testid="kits-table">
                <thead>
                  <tr>
                    <th>{ta('kits.col.serial')}</th>
                    <th>{ta('kits.col.batch')}</th>
                    <th>{ta('kits.col.status')}</th>
                    <th>{ta('kits.col.issued')}</th>
                    <th>{ta('kits.col.test')}</th>
                    <th>{ta('kits.col.links')}</th>
                  </tr>
                </thead>
                <tbody>
                  {data.items.map((k) => (
                    <tr key={k.serial_number} data-testid="kit-row" data-serial={k.serial_number} data-status={k.status}>
                      <td class="mono nowrap strong">{k.serial_number}</td>
                      <td class="wrap">{k.batch}</td>
                      <td class="nowrap">
                        <span class={`badge kit-${k.status}`} data-testid="kit-status">
                          {taEnum('kitStatus', k.status)}
                        </span>
                      </td>
                      <td class="mono nowrap">{formatDateTime(k.issued_at)}</td>
                      <td class="mono nowrap">{formatDate(k.test_date)}</td>
                      <td class="nowrap">
                        {k.patient_id ? (
                          <a class="btn btn-ghost btn-xs" href={href({ name: 'allergyPatient', id: k.patient_id })}>
                            {ta('kits.openPatient')}
                          </a>
                        ) : null}
                        {k.diagnosis_id ? (
                          <a class="btn btn-ghost btn-xs" href={href({ name: 'diagnosis', id: k.diagnosis_id })}>
                            {ta('kits.openDiagnosis')}
                          </a>
                        ) : null}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ) : null}
          {data ? <Pager page={data.page} pages={data.pages} onPage={setPage} testid="kits-pager" /> : null}
        </Card>
      </div>
    </div>
  );
}

function IssueCard({ onIssued }: { onIssued: () => void }) {
  const [batch, setBatch] = useState('');
  const [text, setText] = useState('');
  const [touched, setTouched] = useState(false);
  const [batchError, setBatchError] = useState<string | null>(null);
  const [serverErrors, setServerErrors] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  const { kits, problems } = parseKitLines(text);
  const tooMany = kits.length > MAX_KITS;
  const lineMessages = problems.map((p) => ta(`kits.problem.${p.problem}`, { line: p.line }));

  const submit = async (e: Event) => {
    e.preventDefault();
    setTouched(true);
    const b = batch.trim();
    const bErr = b.length < 1 || b.length > 60 ? ta('kits.batchRequired') : null;
    setBatchError(bErr);
    if (bErr) {
      document.getElementById('kit-batch')?.focus();
      return;
    }
    if (problems.length || tooMany || kits.length === 0) {
      document.getElementById('kit-lines')?.focus();
      return;
    }
    setBusy(true);
    setServerErrors([]);
    try {
      const r = await api<KitIssued>('POST', '/api/v1/pro/kits', { batch: b, kits: kits.map(({ serial_number, pin }) => ({ serial_number, pin })) });
      toast(ta('kits.issued', { n: r.data.issued, batch: r.data.batch }));
      setText('');
      setTouched(false);
      onIssued();
    } catch (err) {
      if (err instanceof ApiError && err.code === 'KIT_SERIAL_EXISTS') {
        const serials = Array.isArray(err.details?.serials) ? (err.details!.serials as string[]) : [];
        setServerErrors([ta('kits.exists', { serials: serials.join(', ') })]);
      } else {
        // `kits[3].pin` is the fourth kit sent: name its line in the text.
        const listed = fieldErrorsOf(err);
        const out: string[] = [];
        for (const fe of listed) {
          const m = /^kits\[(\d+)\]/.exec(fe.field);
          const kit = m ? kits[Number(m[1])] : undefined;
          if (fe.field === 'batch') setBatchError(fe.message);
          else out.push(kit ? ta('kits.lineError', { line: kit.line, message: fe.message }) : fe.message);
        }
        if (listed.length === 0) out.push(describeError(err));
        setServerErrors(out);
      }
    } finally {
      setBusy(false);
    }
  };

  const showProblems = touched || text.trim() !== '';
  return (
    <Card heading={ta('kits.issue')} class="kits-issue-card" data-testid="kits-issue">
      <form class="stack" onSubmit={submit} noValidate>
        <p class="muted small kits-explain">{ta('kits.issueExplain', { max: MAX_KITS })}</p>
        <Field label={ta('kits.batch')} htmlFor="kit-batch" required error={batchError}>
          <input
            id="kit-batch"
            class="input"
            data-testid="kit-batch"
            placeholder={ta('kits.batchPlaceholder')}
            maxLength={60}
            autoComplete="off"
            value={batch}
            onInput={(e) => {
              setBatch(e.currentTarget.value);
              setBatchError(null);
            }}
          />
        </Field>
        <Field label={ta('kits.lines')} htmlFor="kit-lines" required>
          <textarea
            id="kit-lines"
            class={`input mono kit-lines${showProblems && (problems.length || tooMany) ? ' invalid' : ''}`}
            data-testid="kit-lines"
            rows={8}
            spellcheck={false}
            placeholder={'AK-2026-0001,123456\nAK-2026-0002,654321'}
            aria-invalid={showProblems && (problems.length > 0 || tooMany) ? true : undefined}
            aria-describedby="kit-lines-status"
            value={text}
            onInput={(e) => {
              setText(e.currentTarget.value);
              setServerErrors([]);
            }}
          />
        </Field>
        <div id="kit-lines-status" class="kit-lines-status" data-testid="kit-lines-status" data-valid={kits.length} data-problems={problems.length}>
          <span class={kits.length ? 'yes' : 'muted'}>{ta('kits.validN', { n: kits.length })}</span>
          {tooMany ? <span class="field-error">{ta('kits.tooMany', { max: MAX_KITS, n: kits.length })}</span> : null}
          {touched && kits.length === 0 && problems.length === 0 ? <span class="field-error">{ta('kits.noLines')}</span> : null}
        </div>
        {showProblems && lineMessages.length ? (
          <ul class="kit-problems" data-testid="kit-problems" role="alert">
            {lineMessages.slice(0, 12).map((m) => (
              <li key={m} data-testid="kit-problem">
                {m}
              </li>
            ))}
            {lineMessages.length > 12 ? <li class="muted">… +{lineMessages.length - 12}</li> : null}
          </ul>
        ) : null}
        {serverErrors.length ? (
          <ErrorBox testid="kits-issue-error">
            {serverErrors.map((m) => (
              <span key={m}>{m}</span>
            ))}
          </ErrorBox>
        ) : null}
        <div>
          <button type="submit" class="btn btn-primary" data-testid="kit-issue-submit" disabled={busy || problems.length > 0 || tooMany || kits.length === 0}>
            {busy ? ta('kits.submitting') : ta('kits.submit', { n: kits.length })}
          </button>
        </div>
      </form>
    </Card>
  );
}
