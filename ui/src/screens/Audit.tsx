import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { ApiError, api, qs } from '../api';
import { DateRangeFilter, ErrorBox, Spinner } from '../components/ui';
import { useApp } from '../context';
import { t, tEnum } from '../i18n';
import {
  ACTION_GROUP_KEYS,
  AuditFeed,
  DATE_PRESETS,
  actionKind,
  actionLabel,
  attemptedUsername,
  auditEventsPath,
  chainKind,
  customerNames,
  deviceLabel,
  deviceTitle,
  groupActions,
  kstDateTime,
  presetsOf,
  presetRange,
  rememberCustomerName,
  shortId,
  summarize,
  targetLabel,
  translateProblem,
  type ActionGroup,
  type AuditEvent,
  type AuditFilters,
  type AuditPage,
  type VerifyResult,
} from '../logic/audit';
import { describeError } from '../logic/errors';
import { formatNumber } from '../logic/format';
import { navigate } from '../router';
import type { Account, SearchResult, SearchRow } from '../types';
import { PhoneReveals } from './PhoneReveals';

const PAGE_SIZE = 50;

/**
 * The audit trail for administrators: who did what, and above all who looked at a customer's
 * record (`GET /api/v1/audit/events`), and the integrity check of the chains
 * (`GET /api/v1/audit/verify`).
 */
export function AuditScreen({ customerId }: { customerId?: string }) {
  const { user } = useApp();
  // Managers review the phone reveals only; the rest of the trail is the administrators'.
  if (user.role === 'manager') return <PhoneReveals customerId={customerId} />;
  if (user.role !== 'admin') return <Forbidden />;
  return <AuditTrail customerId={customerId ?? ''} />;
}

function Forbidden() {
  return (
    <div class="screen audit-screen">
      <ErrorBox testid="audit-forbidden">{t('audit.forbidden')}</ErrorBox>
    </div>
  );
}

type Filters = Omit<AuditFilters, 'customerId'>;
const START: Filters = { username: '', group: 'all', from: '', to: '' };

interface Loaded {
  page: number;
  events: AuditEvent[];
  hasMore: boolean;
}

function AuditTrail({ customerId }: { customerId: string }) {
  const [filters, setFilters] = useState<Filters>(START);
  const [usernameDraft, setUsernameDraft] = useState('');
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const [forbidden, setForbidden] = useState(false);
  const [retry, setRetry] = useState(0);
  const [open, setOpen] = useState<Set<string>>(new Set());
  const [customerName, setCustomerName] = useState<string | null>(customerNames.get(customerId) ?? null);
  const [accounts, setAccounts] = useState<Account[]>([]);
  const verify = useVerify();

  const badRange = filters.from !== '' && filters.to !== '' && filters.from > filters.to;

  // One feed per filter: its pages are kept, so going back a page asks nothing again.
  const feed = useMemo(() => {
    const f: AuditFilters = { ...filters, customerId };
    return new AuditFeed(groupActions(filters.group), (action, p) => fetchPage(f, action, p), PAGE_SIZE);
    // `retry` makes a new feed, so a retry after an error starts clean.
  }, [filters, customerId, retry]);

  // The page number belongs to its feed: new filters start at page 1 (at once, so page 2 of
  // the new filters is never asked for).
  const [paging, setPaging] = useState<{ feed: AuditFeed; page: number } | null>(null);
  const page = paging?.feed === feed ? paging.page : 1;
  const setPage = (n: number) => setPaging({ feed, page: Math.max(1, n) });

  useEffect(() => {
    if (badRange) {
      setLoading(false);
      return;
    }
    let live = true;
    setLoading(true);
    setError(null);
    feed
      .page(page)
      .then((r) => {
        if (!live) return;
        setLoaded({ page, events: r.events, hasMore: r.hasMore });
        for (const e of r.events) if (e.entity === 'customer' && e.entity_id && e.customer_name) rememberCustomerName(e.entity_id, e.customer_name);
        if (customerId) void nameCustomer(customerId).then((name) => live && setCustomerName(name));
      })
      .catch((e) => {
        if (!live) return;
        if (e instanceof ApiError && e.status === 403) setForbidden(true);
        else setError(describeError(e));
      })
      .finally(() => live && setLoading(false));
    return () => {
      live = false;
    };
  }, [feed, page, badRange]);

  useEffect(() => setCustomerName(customerNames.get(customerId) ?? null), [customerId]);

  // Usernames to pick from (the field also takes any typed name).
  useEffect(() => {
    let live = true;
    api<{ users: Account[] }>('GET', '/api/v1/users')
      .then((env) => live && setAccounts(env.data.users ?? []))
      .catch(() => {
        /* typing a username still works */
      });
    return () => {
      live = false;
    };
  }, []);

  if (forbidden) return <Forbidden />;

  // The same values keep the same object: Enter and then leaving the field apply a username
  // once, not twice (each query is an audited read).
  const set = (patch: Partial<Filters>) =>
    setFilters((f) => {
      const next = { ...f, ...patch };
      return (Object.keys(next) as (keyof Filters)[]).every((k) => next[k] === f[k]) ? f : next;
    });
  const filtersActive = filters.username !== '' || filters.group !== 'all' || filters.from !== '' || filters.to !== '';
  const pressed = presetsOf(filters.from, filters.to);
  // A start after the end asks nothing: the table shows no stale rows meanwhile.
  const events = badRange ? [] : loaded?.events ?? [];
  const toggle = (id: string) =>
    setOpen((s) => {
      const next = new Set(s);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });

  return (
    <div class="screen audit-screen" data-testid="audit-screen">
      <div class="screen-head">
        <div>
          <h1>{t('audit.title')}</h1>
          <p class="muted small audit-intro">{t('audit.intro')}</p>
        </div>
        <button type="button" class="btn btn-outline" data-testid="audit-verify" disabled={verify.busy} onClick={() => void verify.run()}>
          <ShieldIcon />
          {verify.busy ? t('audit.verifying') : t('audit.verify')}
        </button>
      </div>
      <VerifyPanel {...verify} />

      <div class="filters audit-filters" data-testid="audit-filters">
        <div class="filter-row">
          <div class="filter-item audit-customer">
            <span class="filter-label">{t('audit.filter.customer')}</span>
            <CustomerFilter customerId={customerId} name={customerName} />
          </div>
          <label class="filter-item">
            <span class="filter-label">{t('audit.filter.username')}</span>
            <input
              class="input audit-username"
              data-testid="audit-username"
              list="audit-usernames"
              value={usernameDraft}
              placeholder={t('audit.filter.usernamePlaceholder')}
              autoComplete="off"
              spellcheck={false}
              onInput={(e) => setUsernameDraft(e.currentTarget.value)}
              // Applied when the field is left or Enter is pressed: every query is itself an
              // audited read, so not one per keystroke.
              onChange={(e) => set({ username: e.currentTarget.value.trim() })}
              onKeyDown={(e) => {
                if (e.key === 'Enter') set({ username: e.currentTarget.value.trim() });
              }}
            />
            <datalist id="audit-usernames">
              {accounts.map((a) => (
                <option key={a.id} value={a.username}>
                  {`${a.display_name} · ${tEnum('role', a.role)}`}
                </option>
              ))}
            </datalist>
          </label>
          <label class="filter-item">
            <span class="filter-label">{t('audit.filter.action')}</span>
            <select class="input" data-testid="audit-group" value={filters.group} onChange={(e) => set({ group: e.currentTarget.value as ActionGroup })}>
              {ACTION_GROUP_KEYS.map((g) => (
                <option key={g} value={g}>
                  {t(`audit.group.${g}`)}
                </option>
              ))}
            </select>
          </label>
          {filtersActive ? (
            <button
              type="button"
              class="btn btn-ghost btn-sm reset-btn"
              data-testid="audit-reset"
              onClick={() => {
                setUsernameDraft('');
                setFilters(START);
              }}
            >
              {t('audit.filter.reset')}
            </button>
          ) : null}
        </div>
        <div class="filter-row">
          <DateRangeFilter
            label={t('audit.filter.period')}
            fromLabel={t('audit.filter.from')}
            toLabel={t('audit.filter.to')}
            from={filters.from}
            to={filters.to}
            onChange={set}
            testid="audit"
          />
          <div class="chips audit-presets" role="group" aria-label={t('audit.filter.period')}>
            {DATE_PRESETS.map((p) => (
              <button
                type="button"
                key={p}
                class={`chip${pressed.includes(p) ? ' on' : ''}`}
                aria-pressed={pressed.includes(p)}
                data-testid={`audit-preset-${p}`}
                onClick={() => set(presetRange(p))}
              >
                {t(`audit.preset.${p}`)}
              </button>
            ))}
          </div>
        </div>
        {badRange ? (
          <div class="field-error" role="alert" data-testid="audit-bad-range">
            {t('audit.filter.badRange')}
          </div>
        ) : null}
      </div>

      {customerId ? <p class="muted small audit-hint">{t('audit.customerHint')}</p> : null}

      {error ? (
        <ErrorBox testid="audit-error">
          {t('audit.loadError')} {error}{' '}
          <button type="button" class="btn btn-sm btn-outline" onClick={() => setRetry((x) => x + 1)}>
            {t('common.retry')}
          </button>
        </ErrorBox>
      ) : null}

      <div class={`table-wrap${loading ? ' is-loading' : ''}`}>
        <table class="table audit-table" data-testid="audit-table">
          <colgroup>
            <col class="c-time" />
            <col class="c-user" />
            <col class="c-action" />
            <col class="c-target" />
            <col class="c-device" />
            <col class="c-details" />
          </colgroup>
          <thead>
            <tr>
              <th>{t('audit.col.time')}</th>
              <th>{t('audit.col.user')}</th>
              <th>{t('audit.col.action')}</th>
              <th>{t('audit.col.target')}</th>
              <th>{t('audit.col.device')}</th>
              <th>{t('audit.col.details')}</th>
            </tr>
          </thead>
          <tbody>
            {events.map((e) => (
              <EventRow key={e.id} e={e} open={open.has(e.id)} onToggle={() => toggle(e.id)} filteredCustomer={customerId} />
            ))}
            {!loading && !error && events.length === 0 ? (
              <tr class="empty-row">
                <td colSpan={6} data-testid="audit-empty">
                  {badRange ? t('audit.filter.badRange') : t('audit.empty')}
                </td>
              </tr>
            ) : null}
          </tbody>
        </table>
        {loading && !loaded ? <Spinner /> : null}
      </div>

      <div class="pager" data-testid="audit-pager">
        <span class="muted" data-testid="audit-count">
          {loaded && !badRange ? t(loaded.hasMore ? 'audit.rowsMore' : 'audit.rows', { n: formatNumber(events.length) }) : ''}
        </span>
        <div class="pager-nav">
          <button type="button" class="btn btn-outline btn-sm" data-testid="audit-prev" disabled={loading || page <= 1} onClick={() => setPage(page - 1)}>
            ‹ {t('search.prev')}
          </button>
          <span class="pager-info" data-testid="audit-page">
            {t('audit.pageInfo', { page })}
          </span>
          <button type="button" class="btn btn-outline btn-sm" data-testid="audit-next" disabled={loading || badRange || !loaded?.hasMore} onClick={() => setPage(page + 1)}>
            {t('search.next')} ›
          </button>
        </div>
      </div>
    </div>
  );
}

const askedNames = new Set<string>();

/**
 * The filter's customer by name: known already (from the detail screen, the events, the
 * picker), or else read once — itself an audited read, so only when nothing else named it.
 */
async function nameCustomer(id: string): Promise<string | null> {
  const known = customerNames.get(id);
  if (known || askedNames.has(id)) return known ?? null;
  askedNames.add(id);
  try {
    const env = await api<{ name?: string; customer?: { name?: string } }>('GET', `/api/v1/customers/${encodeURIComponent(id)}`);
    rememberCustomerName(id, env.data?.name ?? env.data?.customer?.name);
  } catch {
    /* the id stands in for the name */
  }
  return customerNames.get(id) ?? null;
}

async function fetchPage(f: AuditFilters, action: string | undefined, page: number) {
  const env = await api<AuditPage>('GET', auditEventsPath(f, action, page, PAGE_SIZE));
  return { events: env.data?.events ?? [], has_more: env.data?.pagination?.has_more === true };
}

function EventRow({ e, open, onToggle, filteredCustomer }: { e: AuditEvent; open: boolean; onToggle: () => void; filteredCustomer: string }) {
  const summary = summarize(e);
  const typed = attemptedUsername(e);
  const kind = actionKind(e.action);
  const customer = e.entity === 'customer' && e.entity_id && e.customer_name ? { id: e.entity_id, name: e.customer_name } : null;
  return (
    <>
      <tr data-testid="audit-row" data-action={e.action} data-username={e.username ?? ''} data-id={e.id} class={open ? 'open' : undefined}>
        <td class="mono nowrap" data-testid="audit-time">
          {kstDateTime(e.occurred_at)}
        </td>
        <td class="audit-user" data-testid="audit-user">
          {e.username ? (
            <>
              <span class="audit-username-text" title={e.username}>
                {e.username}
              </span>
              {e.role ? <span class="audit-role">{tEnum('role', e.role)}</span> : null}
            </>
          ) : typed ? (
            <span class="muted audit-typed" title={t('audit.typedTitle')}>
              {typed}
            </span>
          ) : (
            <span class="muted">{t('audit.noUser')}</span>
          )}
        </td>
        <td>
          <span class={`badge audit-act act-${kind}`} data-testid="audit-action" title={e.action}>
            {actionLabel(e.action)}
          </span>
        </td>
        <td class="audit-target" data-testid="audit-target">
          {customer ? (
            customer.id === filteredCustomer ? (
              <span class="audit-customer-name">{customer.name}</span>
            ) : (
              <button
                type="button"
                class="link-btn audit-customer-name"
                title={t('audit.onlyCustomer')}
                onClick={() => {
                  rememberCustomerName(customer.id, customer.name);
                  navigate({ name: 'audit', customerId: customer.id });
                }}
              >
                {customer.name}
              </button>
            )
          ) : (
            <span class="muted">{targetLabel(e)}</span>
          )}
        </td>
        <td class="audit-device" title={deviceTitle(e.device_id)}>
          {deviceLabel(e.device_id)}
        </td>
        <td class="audit-details">
          <div class="audit-details-line">
            <span class="audit-summary" data-testid="audit-summary" title={summary || undefined}>
              {summary || <span class="muted">{t('common.empty')}</span>}
            </span>
            <button
              type="button"
              class="btn btn-xs btn-ghost audit-raw-btn"
              aria-expanded={open}
              aria-label={open ? t('audit.rawHide') : t('audit.rawShow')}
              title={open ? t('audit.rawHide') : t('audit.rawShow')}
              data-testid="audit-raw-toggle"
              onClick={onToggle}
            >
              {t('audit.raw')} {open ? '▴' : '▾'}
            </button>
          </div>
        </td>
      </tr>
      {open ? (
        <tr class="audit-raw-row">
          <td colSpan={6}>
            <pre class="audit-raw" data-testid="audit-raw">
              {JSON.stringify(e, null, 2)}
            </pre>
          </td>
        </tr>
      ) : null}
    </>
  );
}

// ---------------------------------------------------------------------------------------------
// The customer filter: the chosen customer by name, or a search to choose one.

function CustomerFilter({ customerId, name }: { customerId: string; name: string | null }) {
  const [q, setQ] = useState('');
  const [found, setFound] = useState<SearchRow[] | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const boxRef = useRef<HTMLDivElement>(null);

  // Close the result list on a click elsewhere.
  useEffect(() => {
    if (found === null) return;
    const onDown = (e: MouseEvent) => {
      if (boxRef.current && !boxRef.current.contains(e.target as Node)) setFound(null);
    };
    document.addEventListener('mousedown', onDown);
    return () => document.removeEventListener('mousedown', onDown);
  }, [found]);

  if (customerId) {
    return (
      <span class="audit-customer-chip" data-testid="audit-customer" data-customer-id={customerId}>
        <span class="audit-customer-chip-name" data-testid="audit-customer-name" title={name ?? customerId}>
          {name ?? t('audit.customerUnknown', { id: shortId(customerId) })}
        </span>
        <button
          type="button"
          class="icon-btn"
          aria-label={t('audit.filter.customerClear')}
          title={t('audit.filter.customerClear')}
          data-testid="audit-customer-clear"
          onClick={() => navigate({ name: 'audit' })}
        >
          ×
        </button>
      </span>
    );
  }

  // A search only when asked (Enter or the button): each search is an audited list read.
  const find = async () => {
    const text = q.trim();
    if (!text || busy) return;
    setBusy(true);
    setError(null);
    try {
      const env = await api<SearchResult>('GET', `/api/v1/customers/search${qs({ q: text, size: 8 })}`);
      setFound(env.data?.customers ?? []);
    } catch (e) {
      setError(describeError(e));
      setFound(null);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="audit-customer-find" ref={boxRef}>
      <form
        class="range"
        onSubmit={(e) => {
          e.preventDefault();
          void find();
        }}
      >
        <input
          class="input"
          data-testid="audit-customer-input"
          aria-label={t('audit.filter.customerFind')}
          placeholder={t('audit.filter.customerPlaceholder')}
          value={q}
          autoComplete="off"
          onInput={(e) => setQ(e.currentTarget.value)}
          onKeyDown={(e) => {
            if (e.key === 'Escape') setFound(null);
          }}
        />
        <button type="submit" class="btn btn-outline" data-testid="audit-customer-find" disabled={busy || q.trim() === ''}>
          {t('audit.filter.customerFind')}
        </button>
      </form>
      {error ? <div class="field-error">{error}</div> : null}
      {found ? (
        <ul class="audit-customer-results" data-testid="audit-customer-results">
          {found.length === 0 ? <li class="muted">{t('audit.filter.customerNone')}</li> : null}
          {found.map((c) => (
            <li key={c.id}>
              <button
                type="button"
                class="menu-item"
                data-testid="audit-customer-option"
                onClick={() => {
                  rememberCustomerName(c.id, c.name);
                  setFound(null);
                  setQ('');
                  navigate({ name: 'audit', customerId: c.id });
                }}
              >
                <b>{c.name}</b>
                <span class="muted mono">{c.phone ?? ''}</span>
              </button>
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

// ---------------------------------------------------------------------------------------------
// The integrity check: the button in the head, the result below it.

interface VerifyState {
  busy: boolean;
  result: VerifyResult | null;
  error: string | null;
}

function useVerify() {
  const [state, setState] = useState<VerifyState>({ busy: false, result: null, error: null });
  const run = async () => {
    setState({ busy: true, result: null, error: null });
    try {
      const env = await api<VerifyResult>('GET', '/api/v1/audit/verify');
      setState({ busy: false, result: env.data, error: null });
    } catch (e) {
      setState({ busy: false, result: null, error: describeError(e) });
    }
  };
  const clear = () => setState({ busy: false, result: null, error: null });
  return { ...state, run, clear };
}

function VerifyPanel({ busy, result, error, clear }: VerifyState & { clear: () => void }) {
  if (busy) return <Spinner label={t('audit.verifying')} />;
  if (error) {
    return (
      <ErrorBox testid="audit-verify-error">
        {t('audit.verify.failed')} {error}
      </ErrorBox>
    );
  }
  if (!result) return null;
  const chains = result.chains ?? [];
  const broken = chains.filter((c) => c.broken_at !== null && c.broken_at !== undefined);
  const close = (
    <button type="button" class="icon-btn verify-close" aria-label={t('common.close')} title={t('common.close')} onClick={clear}>
      ×
    </button>
  );
  if (result.intact) {
    return (
      <div class="verify-box verify-ok" role="status" data-testid="audit-verify-result" data-intact="true">
        <div class="verify-title">
          <span aria-hidden="true">✓</span> {t('audit.verify.intact')}
          {close}
        </div>
        <div>
          {t('audit.verify.intactBody', { events: formatNumber(result.events), chains: formatNumber(chains.length) })}{' '}
          <span class="muted small">{t('audit.verify.at', { time: kstDateTime(result.verified_at) })}</span>
        </div>
        <details class="verify-chains">
          <summary>{t('audit.verify.chainList')}</summary>
          <ul>
            {chains.map((c) => (
              <li key={c.chain}>
                <span class="mono">{c.chain}</span> <span class="muted">({chainKind(c.chain)})</span> — {t('audit.verify.chainOk', { n: formatNumber(c.events) })}
              </li>
            ))}
          </ul>
        </details>
      </div>
    );
  }
  if (broken.length === 0) {
    return (
      <div class="notice" role="status" data-testid="audit-verify-result" data-intact="false">
        {t('audit.verify.empty')}
      </div>
    );
  }
  return (
    <div class="verify-box verify-broken" role="alert" data-testid="audit-verify-result" data-intact="false">
      <div class="verify-title">
        <span aria-hidden="true">⚠</span> {t('audit.verify.broken')}
        {close}
      </div>
      <div>{t('audit.verify.brokenBody')}</div>
      <ul class="verify-problems">
        {broken.map((c) => {
          const said = translateProblem(c.problem);
          return (
            <li key={c.chain} data-testid="audit-verify-problem" data-chain={c.chain} data-seq={c.broken_at ?? ''}>
              <b>{t('audit.verify.brokenAt', { kind: chainKind(c.chain), chain: c.chain, seq: c.broken_at ?? '' })}</b>
              <div>{said ?? c.problem}</div>
              {said && c.problem ? <div class="muted small">{t('audit.verify.original', { problem: c.problem })}</div> : null}
            </li>
          );
        })}
      </ul>
      <div class="muted small">{t('audit.verify.at', { time: kstDateTime(result.verified_at) })}</div>
    </div>
  );
}

function ShieldIcon() {
  return (
    <svg viewBox="0 0 20 20" width="15" height="15" aria-hidden="true">
      <path d="M10 2.5 4 5v4.6c0 3.7 2.5 6.6 6 7.9 3.5-1.3 6-4.2 6-7.9V5l-6-2.5Z" fill="none" stroke="currentColor" stroke-width="1.7" stroke-linejoin="round" />
      <path d="m7.3 10 1.9 1.9 3.6-3.8" fill="none" stroke="currentColor" stroke-width="1.7" stroke-linecap="round" stroke-linejoin="round" />
    </svg>
  );
}
