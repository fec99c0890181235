import { useEffect, useRef, useState } from 'preact/hooks';
import { api, qs } from '../api';
import { serviceName } from '../catalog';
import { Chips, DateRangeFilter, ErrorBox, Kbd, MembershipBadge, RiskBadge, Value } from '../components/ui';
import { t, tEnum } from '../i18n';
import { describeError } from '../logic/errors';
import { formatDate, formatNumber, formatWon } from '../logic/format';
import { expiryState, expiryText, leftText, servicesOf } from '../logic/packages';
import { markOnce } from '../perf';
import { href, navigate } from '../router';
import {
  MEMBERSHIP_LEVELS,
  PACKAGE_SORT,
  PACKAGE_STATUSES,
  RISK_LEVELS,
  SERVICE_TYPES,
  SORT_FIELDS,
  type SearchPackage,
  type SearchResult,
  type SearchRow,
} from '../types';

export interface SearchState {
  q: string;
  services: string[];
  package_status: string;
  membership_level: string;
  risk_level: string;
  last_visit_from: string;
  last_visit_to: string;
  sort_by: string;
  sort_order: 'asc' | 'desc';
  page: number;
  size: number;
}

const DEFAULTS: SearchState = {
  q: '',
  services: [],
  package_status: '',
  membership_level: '',
  risk_level: '',
  last_visit_from: '',
  last_visit_to: '',
  sort_by: 'last_visit',
  sort_order: 'desc',
  page: 1,
  size: 20,
};

// Kept across navigation so that "back to search" shows the same results.
let saved: SearchState = { ...DEFAULTS };
let savedSelection = 0;

export function resetSearchState(): void {
  saved = { ...DEFAULTS };
  savedSelection = 0;
}

/** Query string of GET /api/v1/customers/search for a search state. */
export function searchQuery(s: SearchState): string {
  return qs({
    q: s.q.trim(),
    service_filter: s.services,
    package_status: s.package_status,
    membership_level: s.membership_level,
    risk_level: s.risk_level,
    last_visit_from: s.last_visit_from,
    last_visit_to: s.last_visit_to,
    sort_by: s.sort_by,
    sort_order: s.sort_order,
    page: s.page,
    size: s.size,
  });
}

function packageLabel(row: SearchRow): string | null {
  const p = row.active_package;
  if (!p) return null;
  if (typeof p === 'string') return p;
  return p.package_name ?? p.name ?? null;
}

/** A package-status filter changes what the list is about: the package, and when it ends.
 *  Clearing it also drops the expiry sort it offered. */
function packageStatusPatch(s: SearchState, value: string): Partial<SearchState> {
  if (value || s.sort_by !== PACKAGE_SORT) return { package_status: value };
  return { package_status: value, sort_by: DEFAULTS.sort_by, sort_order: DEFAULTS.sort_order };
}

/** The row's package: its name, what is left per service ("브레인 3회 남음 / 4회") and, once it
 *  cannot be used any more, why ("만료됨 2024-07-01", "모두 사용"). */
export function PackageCell({ row, expiryShown }: { row: SearchRow; expiryShown: boolean }) {
  const p = row.package;
  if (!p) {
    const name = packageLabel(row);
    return (
      <>
        {name ? <span class="pkg-name">{name}</span> : <span class="muted">{t('common.empty')}</span>}
        {row.package_usage_summary ? <span class="pkg-summary">{row.package_usage_summary}</span> : null}
      </>
    );
  }
  const state = expiryState(p);
  const ended = state === 'lapsed' || state === 'used_up';
  return (
    <>
      <span class="pkg-name" data-testid="result-package" data-status={p.package_status}>
        {p.package_name}
      </span>
      {ended && !expiryShown ? (
        <span class={`pkg-ended dday dday-${state}`} data-testid="result-package-ended">
          {expiryText(p)}
        </span>
      ) : null}
      <span class={`pkg-left${ended ? ' pkg-left-ended' : ''}`} data-testid="result-package-left">
        {servicesOf(p, SERVICE_TYPES).map((s) => (
          <span class="pkg-left-item" key={s}>
            {leftText(s, p.service_breakdown![s])}
          </span>
        ))}
      </span>
    </>
  );
}

/** The expiry column: the date, and what it means today. */
export function ExpiryCell({ p }: { p: SearchPackage | null | undefined }) {
  if (!p) return <span class="muted">{t('common.empty')}</span>;
  const state = expiryState(p);
  return (
    <>
      <span class="mono" data-testid="result-expiry-date">
        {formatDate(p.expiry_date)}
      </span>
      <span class={`expiry-note dday dday-${state}`} data-testid="result-expiry-state" data-state={state}>
        {state === 'lapsed' ? t('pkg.lapsed') : expiryText(p)}
      </span>
    </>
  );
}

export function SearchScreen() {
  markOnce('search-render');
  const [state, setState] = useState<SearchState>(saved);
  const [debouncedQ, setDebouncedQ] = useState(saved.q);
  const [result, setResult] = useState<SearchResult | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [selected, setSelected] = useState(savedSelection);
  const [reloadTick, setReloadTick] = useState(0);
  const inputRef = useRef<HTMLInputElement>(null);
  const tableRef = useRef<HTMLTableSectionElement>(null);
  const seq = useRef(0);
  const pendingOpen = useRef(false);

  useEffect(() => {
    saved = state;
  }, [state]);
  useEffect(() => {
    savedSelection = selected;
  }, [selected]);

  useEffect(() => {
    markOnce('search-screen');
    inputRef.current?.focus();
    inputRef.current?.select();
  }, []);

  // Debounce typing; filters apply at once.
  useEffect(() => {
    if (state.q === debouncedQ) return;
    const id = setTimeout(() => setDebouncedQ(state.q), 200);
    return () => clearTimeout(id);
  }, [state.q]);

  const effective = { ...state, q: debouncedQ };
  const query = searchQuery(effective);

  useEffect(() => {
    const my = ++seq.current;
    setLoading(true);
    api<SearchResult>('GET', `/api/v1/customers/search${query}`)
      .then((env) => {
        if (my !== seq.current) return;
        markOnce('search-results');
        setResult(env.data);
        setError(null);
        setSelected((s) => Math.min(s, Math.max(0, (env.data?.customers?.length ?? 1) - 1)));
        if (pendingOpen.current) {
          pendingOpen.current = false;
          const first = env.data?.customers?.[0];
          if (first) navigate({ name: 'detail', id: first.id ?? first.customer_id ?? '' });
        }
      })
      .catch((e) => {
        if (my !== seq.current) return;
        pendingOpen.current = false;
        setError(describeError(e));
      })
      .finally(() => {
        if (my === seq.current) setLoading(false);
      });
  }, [query, reloadTick]);

  const set = (patch: Partial<SearchState>, keepPage = false) => {
    setState((s) => ({ ...s, ...patch, page: keepPage ? (patch.page ?? s.page) : 1 }));
    if (!keepPage) setSelected(0);
  };

  const rows = result?.customers ?? [];
  const pg = result?.pagination;
  const totalPages = Math.max(1, pg?.total_pages ?? 1);

  const open = (row: SearchRow | undefined) => {
    if (row) navigate({ name: 'detail', id: row.id ?? row.customer_id ?? '' });
  };

  const onListKey = (e: KeyboardEvent) => {
    if (e.key === 'ArrowDown') {
      e.preventDefault();
      setSelected((s) => Math.min(rows.length - 1, s + 1));
    } else if (e.key === 'ArrowUp') {
      e.preventDefault();
      setSelected((s) => Math.max(0, s - 1));
    } else if (e.key === 'Enter') {
      // In the search box, Enter opens the highlighted row (the first one by default). If the
      // typed text has not been searched yet, search now and open the first hit when it lands.
      e.preventDefault();
      if (state.q !== debouncedQ || loading) {
        pendingOpen.current = true;
        setDebouncedQ(state.q);
      } else {
        open(rows[selected]);
      }
    } else if (e.key === 'PageDown' && state.page < totalPages) {
      e.preventDefault();
      set({ page: state.page + 1 }, true);
    } else if (e.key === 'PageUp' && state.page > 1) {
      e.preventDefault();
      set({ page: state.page - 1 }, true);
    } else if (e.key === 'Escape' && e.currentTarget === inputRef.current && state.q) {
      e.preventDefault();
      set({ q: '' });
    }
  };

  useEffect(() => {
    const el = tableRef.current?.querySelector<HTMLElement>(`tr[data-index="${selected}"]`);
    el?.scrollIntoView?.({ block: 'nearest' });
  }, [selected, result]);

  // N opens the new-customer form when focus is not in a field.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const tag = (e.target as HTMLElement)?.tagName;
      if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT') return;
      if (e.key === 'n' || e.key === 'N') {
        e.preventDefault();
        navigate({ name: 'new' });
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const sortHeader = (field: string, label: string, cls = '') => {
    const activeSort = state.sort_by === field;
    return (
      <th class={`sortable ${cls}`} aria-sort={activeSort ? (state.sort_order === 'asc' ? 'ascending' : 'descending') : 'none'}>
        <button
          type="button"
          class="th-btn"
          data-testid={`sort-${field}`}
          onClick={() =>
            set({
              sort_by: field,
              sort_order: activeSort && state.sort_order === 'desc' ? 'asc' : activeSort ? 'desc' : field === 'name' || field === PACKAGE_SORT ? 'asc' : 'desc',
            })
          }
        >
          {label}
          <span class="sort-ind" aria-hidden="true">
            {activeSort ? (state.sort_order === 'asc' ? '▲' : '▼') : ''}
          </span>
        </button>
      </th>
    );
  };

  // The expiry date (column and sort) matters where the list is about packages.
  const expiryShown = !!state.package_status;

  const filtersActive =
    state.services.length > 0 ||
    !!state.package_status ||
    !!state.membership_level ||
    !!state.risk_level ||
    !!state.last_visit_from ||
    !!state.last_visit_to;

  return (
    <div class="screen search-screen">
      <div class="screen-head">
        <h1>{t('search.title')}</h1>
        <button type="button" class="btn btn-primary" data-testid="new-customer-button" onClick={() => navigate({ name: 'new' })}>
          + {t('search.newCustomer')}
          <Kbd>N</Kbd>
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
          data-testid="search-input"
          aria-label={t('search.label')}
          placeholder={t('search.placeholder')}
          value={state.q}
          autoFocus
          autoComplete="off"
          spellcheck={false}
          onInput={(e) => set({ q: e.currentTarget.value })}
          onKeyDown={onListKey}
        />
        {loading ? <span class="spinner small" aria-hidden="true" /> : null}
      </div>

      <div class="filters" data-testid="search-filters">
        <div class="filter-group">
          <span class="filter-label">{t('search.service')}</span>
          <Chips
            label={t('search.service')}
            testid="filter-service"
            options={SERVICE_TYPES.map((s) => ({ value: s, label: serviceName(s) }))}
            value={state.services}
            onChange={(v) => set({ services: v })}
          />
        </div>
        <div class="filter-row">
          <label class="filter-item">
            <span class="filter-label">{t('search.packageStatus')}</span>
            <select class="input" data-testid="filter-package-status" value={state.package_status} onChange={(e) => set(packageStatusPatch(state, e.currentTarget.value))}>
              <option value="">{t('common.all')}</option>
              {PACKAGE_STATUSES.map((s) => (
                <option value={s} key={s}>
                  {tEnum('pkgStatus', s)}
                </option>
              ))}
            </select>
          </label>
          <label class="filter-item">
            <span class="filter-label">{t('search.membership')}</span>
            <select class="input" data-testid="filter-membership" value={state.membership_level} onChange={(e) => set({ membership_level: e.currentTarget.value })}>
              <option value="">{t('common.all')}</option>
              {MEMBERSHIP_LEVELS.map((s) => (
                <option value={s} key={s}>
                  {tEnum('membership', s)}
                </option>
              ))}
            </select>
          </label>
          <label class="filter-item">
            <span class="filter-label">{t('search.risk')}</span>
            <select class="input" data-testid="filter-risk" value={state.risk_level} onChange={(e) => set({ risk_level: e.currentTarget.value })}>
              <option value="">{t('common.all')}</option>
              {RISK_LEVELS.map((s) => (
                <option value={s} key={s}>
                  {tEnum('risk', s)}
                </option>
              ))}
            </select>
          </label>
          <DateRangeFilter
            label={t('search.lastVisit')}
            fromLabel={t('search.lastVisitFrom')}
            toLabel={t('search.lastVisitTo')}
            from={state.last_visit_from}
            to={state.last_visit_to}
            onChange={(r) => set(r.from !== undefined ? { last_visit_from: r.from } : { last_visit_to: r.to ?? '' })}
            testid="filter-last-visit"
          />
          <label class="filter-item">
            <span class="filter-label">{t('search.sortBy')}</span>
            <span class="range">
              <select class="input" data-testid="sort-by" value={state.sort_by} onChange={(e) => set({ sort_by: e.currentTarget.value })}>
                {[...SORT_FIELDS, ...(expiryShown ? [PACKAGE_SORT] : [])].map((s) => (
                  <option value={s} key={s}>
                    {tEnum('sort', s)}
                  </option>
                ))}
              </select>
              <button
                type="button"
                class="btn btn-outline btn-icon"
                data-testid="sort-order"
                title={state.sort_order === 'asc' ? t('search.asc') : t('search.desc')}
                aria-label={`${t('search.sortOrder')}: ${state.sort_order === 'asc' ? t('search.asc') : t('search.desc')}`}
                onClick={() => set({ sort_order: state.sort_order === 'asc' ? 'desc' : 'asc' })}
              >
                {state.sort_order === 'asc' ? '▲' : '▼'}
              </button>
            </span>
          </label>
          {filtersActive ? (
            <button
              type="button"
              class="btn btn-ghost btn-sm reset-btn"
              data-testid="filter-reset"
              onClick={() =>
                set({ services: [], membership_level: '', risk_level: '', last_visit_from: '', last_visit_to: '', ...packageStatusPatch(state, '') })
              }
            >
              {t('search.reset')}
            </button>
          ) : null}
        </div>
      </div>

      {error ? (
        <ErrorBox testid="search-error">
          {error}{' '}
          <button type="button" class="btn btn-sm btn-outline" onClick={() => setReloadTick((x) => x + 1)}>
            {t('common.retry')}
          </button>
        </ErrorBox>
      ) : null}

      <div class="results-head">
        <span data-testid="search-total" data-total={pg?.total ?? 0}>
          <b>{t('search.total', { n: formatNumber(pg?.total ?? 0) })}</b>
        </span>
        <span class="muted small">{t('search.keyboardHint')}</span>
      </div>

      <div class={`table-wrap${loading ? ' is-loading' : ''}`}>
        <table class="table results" data-testid="search-results">
          <thead>
            <tr>
              {sortHeader('name', t('search.col.name'))}
              <th>{t('search.col.phone')}</th>
              {sortHeader('last_visit', t('search.col.lastVisit'))}
              {sortHeader('total_visits', t('search.col.visits'), 'num')}
              <th>{t('search.col.package')}</th>
              {expiryShown ? sortHeader(PACKAGE_SORT, t('search.col.expiry')) : null}
              <th>{t('search.col.membership')}</th>
              <th>{t('search.col.risk')}</th>
              {sortHeader('revenue', t('search.col.revenue'), 'num')}
            </tr>
          </thead>
          <tbody ref={tableRef}>
            {rows.map((row, i) => {
              return (
                <tr
                  key={row.id}
                  data-index={i}
                  data-id={row.id ?? row.customer_id}
                  data-testid="result-row"
                  class={i === selected ? 'selected' : undefined}
                  tabIndex={0}
                  aria-selected={i === selected}
                  onClick={() => open(row)}
                  onFocus={() => setSelected(i)}
                  onKeyDown={(e) => {
                    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
                      e.preventDefault();
                      const next = Math.max(0, Math.min(rows.length - 1, i + (e.key === 'ArrowDown' ? 1 : -1)));
                      setSelected(next);
                      tableRef.current?.querySelector<HTMLElement>(`tr[data-index="${next}"]`)?.focus();
                    } else if (e.key === 'Enter') {
                      e.preventDefault();
                      open(row);
                    }
                  }}
                >
                  <td class="cell-name">
                    <a href={href({ name: 'detail', id: row.id ?? row.customer_id ?? '' })} tabIndex={-1} data-testid="result-name" onClick={(e) => e.preventDefault()}>
                      {row.name}
                    </a>
                  </td>
                  <td class="mono">
                    <Value v={row.phone} />
                  </td>
                  <td class="mono">{formatDate(row.last_visit_date)}</td>
                  <td class="num">{formatNumber(row.total_visits ?? 0)}</td>
                  <td class="cell-pkg">
                    <PackageCell row={row} expiryShown={expiryShown} />
                  </td>
                  {expiryShown ? (
                    <td class="cell-expiry" data-testid="result-expiry">
                      <ExpiryCell p={row.package} />
                    </td>
                  ) : null}
                  <td>
                    <MembershipBadge level={row.membership_level} />
                  </td>
                  <td>
                    <RiskBadge level={row.risk_level} />
                  </td>
                  <td class="num mono">{formatWon(row.total_revenue ?? 0)}</td>
                </tr>
              );
            })}
            {!loading && rows.length === 0 && !error ? (
              <tr class="empty-row">
                <td colSpan={expiryShown ? 9 : 8} data-testid="search-empty">
                  {t('search.noResults')}
                </td>
              </tr>
            ) : null}
          </tbody>
        </table>
      </div>

      <div class="pager" data-testid="pager">
        <label class="pager-size">
          <span class="muted">{t('search.size')}</span>
          <select class="input input-sm" data-testid="page-size" value={String(state.size)} onChange={(e) => set({ size: Number(e.currentTarget.value) })}>
            {[20, 50, 100].map((n) => (
              <option value={String(n)} key={n}>
                {t('search.sizeOption', { n })}
              </option>
            ))}
          </select>
        </label>
        <div class="pager-nav">
          <button type="button" class="btn btn-outline btn-sm" data-testid="page-prev" disabled={state.page <= 1} onClick={() => set({ page: state.page - 1 }, true)}>
            ‹ {t('search.prev')}
          </button>
          <span class="pager-info" data-testid="page-info">
            {t('search.pageOf', { page: pg?.page ?? state.page, pages: totalPages })}
          </span>
          <button type="button" class="btn btn-outline btn-sm" data-testid="page-next" disabled={state.page >= totalPages} onClick={() => set({ page: state.page + 1 }, true)}>
            {t('search.next')} ›
          </button>
        </div>
      </div>
    </div>
  );
}
