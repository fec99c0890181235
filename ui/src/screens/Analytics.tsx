import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, api } from '../api';
import { ChartView } from '../components/Chart';
import { DateInput } from '../components/DateInput';
import { ErrorBox } from '../components/ui';
import { useApp } from '../context';
import { t, type I18nKey } from '../i18n';
import {
  FORECAST_DAYS,
  FORECAST_METRICS,
  MAX_RANGE_DAYS,
  PERIODS,
  canSeeAnalytics,
  directionOf,
  formatGrowth,
  formatRate,
  metricOf,
  rangeProblem,
  reasonFor,
  selectionOf,
  selectionQuery,
  topServicesOf,
  type ChartName,
  type Dashboard,
  type ForecastAnswer,
  type ForecastMetric,
  type Selection,
  type Unavailable,
} from '../logic/analytics';
import { kstDateTime, kstToday } from '../logic/audit';
import { describeError } from '../logic/errors';
import { addDays, formatNumber, formatWon } from '../logic/format';
import { navigate } from '../router';
import { ModelSection } from './AnalyticsSegments';

// `GET /api/v1/analytics/dashboard`, `GET /api/v1/analytics/forecast` and the charts
// (`GET /api/v1/charts/{name}?format=svg`), for managers and administrators; then the customer
// model's segments and its retraining (AnalyticsSegments.tsx).

type AnalyticsRoute = { period?: string; start?: string; end?: string; metric?: string; section?: string };

/** 경영 분석 (`#/analytics[?period=|start_date=&end_date=][&metric=]`): managers and administrators. */
export function AnalyticsScreen(props: AnalyticsRoute) {
  const { user } = useApp();
  if (!canSeeAnalytics(user.role)) {
    return (
      <div class="screen analytics-screen">
        <ErrorBox testid="analytics-forbidden">{t('analytics.forbidden')}</ErrorBox>
      </div>
    );
  }
  return <Analytics {...props} />;
}

function Analytics(props: AnalyticsRoute) {
  const selection = selectionOf(props);
  const metric = metricOf(props.metric);
  const key = selectionQuery(selection);
  const [data, setData] = useState<Dashboard | null>(null);
  // The selection the shown figures are for (the last one stays, dimmed, while the next loads).
  const [dataKey, setDataKey] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const [forbidden, setForbidden] = useState(false);
  const [reload, setReload] = useState(0);
  const [customOpen, setCustomOpen] = useState(selection.kind === 'range');
  const printedAt = usePrintTime();

  useEffect(() => {
    let live = true;
    setLoading(true);
    setError(null);
    api<Dashboard>('GET', `/api/v1/analytics/dashboard?${key}`)
      .then((r) => {
        if (!live) return;
        setData(r.data);
        setDataKey(key);
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
  }, [key, reload]);

  useEffect(() => {
    if (selection.kind === 'range') setCustomOpen(true);
  }, [selection.kind]);

  const go = (next: Partial<AnalyticsRoute>) => navigate({ name: 'analytics', ...next }, true);
  const routeOf = (s: Selection): Partial<AnalyticsRoute> => (s.kind === 'range' ? { start: s.start, end: s.end } : { period: s.period });
  const choosePeriod = (period: string) => {
    setCustomOpen(false);
    go({ period, metric: props.metric });
  };
  const setMetric = (m: ForecastMetric) => go({ ...routeOf(selection), metric: m === 'revenue' ? undefined : m });

  if (forbidden) {
    return (
      <div class="screen analytics-screen">
        <ErrorBox testid="analytics-forbidden">{t('analytics.forbidden')}</ErrorBox>
      </div>
    );
  }

  // The period's charts are asked for once its figures are in: the cards come first, and a
  // range the server refuses costs no chart requests.
  const ready = data !== null && dataKey === key;
  const chartQuery = ready ? key : null;
  const shownKind = selection.kind === 'range' ? 'custom' : selection.period;

  return (
    <div class="screen analytics-screen print-target" data-testid="analytics-screen" data-period={shownKind} data-query={key}>
      <div class="screen-head analytics-head no-print">
        <h1>{t('analytics.title')}</h1>
        <div class="analytics-controls">
          <div class="segmented period-picker" role="group" aria-label={t('analytics.periodGroup')} data-testid="analytics-periods">
            {PERIODS.map((p) => (
              <button
                type="button"
                key={p}
                class={`seg${!customOpen && shownKind === p ? ' on' : ''}`}
                aria-pressed={!customOpen && shownKind === p}
                title={t(`analytics.periodTitle.${p}` as I18nKey)}
                data-testid={`period-${p}`}
                onClick={() => choosePeriod(p)}
              >
                {t(`analytics.period.${p}` as I18nKey)}
              </button>
            ))}
            <button
              type="button"
              class={`seg${customOpen ? ' on' : ''}`}
              aria-pressed={customOpen}
              aria-expanded={customOpen}
              title={t('analytics.periodTitle.custom')}
              data-testid="period-custom"
              onClick={() => setCustomOpen(true)}
            >
              {t('analytics.period.custom')}
            </button>
          </div>
          <button type="button" class="btn btn-outline btn-sm" data-testid="analytics-print" disabled={!ready} onClick={() => window.print()}>
            {t('analytics.print')}
          </button>
        </div>
      </div>
      {customOpen ? (
        <CustomRange
          key={selection.kind === 'range' ? key : 'new'}
          initial={selection.kind === 'range' ? selection : data ? { start: data.date_range.start, end: data.date_range.end } : null}
          onApply={(start, end) => go({ start, end, metric: props.metric })}
        />
      ) : null}

      <header class="analytics-print-head">
        <h1>{t('analytics.title')}</h1>
        <div class="small">{t('analytics.printedAt', { time: kstDateTime(printedAt.toISOString()).slice(0, 16) })}</div>
      </header>

      {data ? (
        <div class="analytics-range" data-testid="analytics-range" data-start={data.date_range.start} data-end={data.date_range.end}>
          <b>{t('analytics.rangeCaption', { start: data.date_range.start, end: data.date_range.end, days: formatNumber(data.date_range.days) })}</b>
          <span class="muted">{t('analytics.compareCaption', { start: data.previous_range.start, end: data.previous_range.end })}</span>
        </div>
      ) : null}

      {error ? (
        <ErrorBox testid="analytics-error">
          {error}{' '}
          <button type="button" class="btn btn-outline btn-sm no-print" onClick={() => setReload((n) => n + 1)}>
            {t('common.retry')}
          </button>
        </ErrorBox>
      ) : null}

      {data ? <Kpis data={data} loading={loading || !ready} /> : error ? null : <KpiSkeleton />}

      <div class="analytics-grid">
        <ChartCard name="revenue-trend" query={chartQuery} wide />
        <ChartCard name="service-mix" query={chartQuery} />
        <ServicesCard data={data} loading={loading || !ready} />
        <ChartCard name="visit-heatmap" query={chartQuery} wide />
      </div>

      <ForecastPanel metric={metric} onMetric={setMetric} />

      <ModelSection focus={props.section === 'segments'} />
    </div>
  );
}

/** The time printed on paper: set when the page is printed. */
function usePrintTime(): Date {
  const [at, setAt] = useState(() => new Date());
  useEffect(() => {
    const on = () => setAt(new Date());
    window.addEventListener('beforeprint', on);
    return () => window.removeEventListener('beforeprint', on);
  }, []);
  return at;
}

function CustomRange({ initial, onApply }: { initial: { start: string; end: string } | null; onApply: (start: string, end: string) => void }) {
  const today = kstToday();
  const [start, setStart] = useState(initial?.start ?? addDays(today, -29));
  const [end, setEnd] = useState(initial?.end ?? today);
  const [tried, setTried] = useState(false);
  const problem = rangeProblem(start, end);
  const message = problem ? t(`analytics.range.${problem}` as I18nKey, { n: formatNumber(MAX_RANGE_DAYS) }) : null;
  const apply = (e: Event) => {
    e.preventDefault();
    setTried(true);
    if (!problem) onApply(start, end);
  };
  return (
    <form class="analytics-range-form no-print" data-testid="analytics-custom" onSubmit={apply}>
      <label class="range-field">
        <span>{t('analytics.rangeStart')}</span>
        <DateInput testid="analytics-start" ariaLabel={t('analytics.rangeStart')} value={start} max={end || today} onChange={setStart} invalid={tried && problem !== null} />
      </label>
      <span class="muted">~</span>
      <label class="range-field">
        <span>{t('analytics.rangeEnd')}</span>
        <DateInput testid="analytics-end" ariaLabel={t('analytics.rangeEnd')} value={end} min={start || undefined} max={today} onChange={setEnd} invalid={tried && problem !== null} />
      </label>
      <button type="submit" class="btn btn-primary btn-sm" data-testid="analytics-apply">
        {t('analytics.rangeApply')}
      </button>
      {tried && message ? (
        <span class="field-error" role="alert" data-testid="analytics-range-error">
          {message}
        </span>
      ) : null}
    </form>
  );
}

// ---------------------------------------------------------------------------------------------
// KPI cards

function Growth({ rate, unavailable, testid }: { rate: number | null; unavailable: Unavailable[]; testid: string }) {
  if (rate === null || rate === undefined) {
    return (
      <div class="kpi-growth growth-none" data-testid={`${testid}-growth`} data-state="unavailable">
        {reasonFor(unavailable, 'growth_rate') ?? t('common.empty')}
      </div>
    );
  }
  const dir = directionOf(rate);
  return (
    <div class={`kpi-growth growth-${dir}`} data-testid={`${testid}-growth`} data-state={dir} data-value={rate}>
      <b>{formatGrowth(rate)}</b> <span class="muted">{t('analytics.vsPrevious')}</span>
    </div>
  );
}

/** Reasons for missing fields other than the ones a card already explains in place. */
function OtherReasons({ unavailable, shown }: { unavailable: Unavailable[]; shown: string[] }) {
  const rest = (unavailable ?? []).filter((u) => !shown.includes(u.field));
  if (!rest.length) return null;
  return (
    <ul class="kpi-reasons">
      {rest.map((u) => (
        <li key={u.field} data-field={u.field}>
          {u.reason}
        </li>
      ))}
    </ul>
  );
}

function Kpi(props: { testid: string; label: string; value: string; raw: number; children?: ComponentChildren }) {
  return (
    <section class="kpi analytics-kpi" data-testid={props.testid}>
      <h2 class="kpi-label">{props.label}</h2>
      <div class="kpi-value" data-testid={`${props.testid}-value`} data-value={props.raw}>
        {props.value}
      </div>
      {props.children}
    </section>
  );
}

function Kpis({ data, loading }: { data: Dashboard; loading: boolean }) {
  const { revenue, visits, purchases, customers } = data;
  const retentionReason = reasonFor(customers.unavailable, 'retention_rate');
  return (
    <div class={`kpi-grid analytics-kpis${loading ? ' is-loading' : ''}`} data-testid="analytics-kpis" aria-busy={loading} aria-label={t('analytics.kpis')} role="group">
      <Kpi testid="kpi-revenue" label={t('analytics.kpi.revenue')} value={formatWon(revenue.total)} raw={revenue.total}>
        <Growth rate={revenue.growth_rate} unavailable={revenue.unavailable} testid="kpi-revenue" />
        <div class="kpi-sub muted">{t('analytics.previous', { value: formatWon(revenue.previous_total) })}</div>
        <div class="kpi-sub muted">{t('analytics.revenueSplit', { visit: formatWon(revenue.visit_revenue), purchase: formatWon(revenue.purchase_revenue) })}</div>
        <div class="kpi-sub muted">{t('analytics.dailyAverage', { value: formatWon(revenue.daily_average) })}</div>
        <OtherReasons unavailable={revenue.unavailable} shown={['growth_rate']} />
      </Kpi>
      <Kpi testid="kpi-visits" label={t('analytics.kpi.visits')} value={t('analytics.visitsN', { n: formatNumber(visits.total) })} raw={visits.total}>
        <Growth rate={visits.growth_rate} unavailable={visits.unavailable} testid="kpi-visits" />
        <div class="kpi-sub muted">{t('analytics.previous', { value: t('analytics.visitsN', { n: formatNumber(visits.previous_total) }) })}</div>
        <div class="kpi-sub muted">{t('analytics.visitsSub', { avg: formatNumber(visits.daily_average, 1), paid: formatWon(visits.paid_revenue) })}</div>
        <OtherReasons unavailable={visits.unavailable} shown={['growth_rate']} />
      </Kpi>
      <Kpi testid="kpi-purchases" label={t('analytics.kpi.purchases')} value={t('analytics.purchasesN', { n: formatNumber(purchases.total) })} raw={purchases.total}>
        <Growth rate={purchases.growth_rate} unavailable={purchases.unavailable} testid="kpi-purchases" />
        <div class="kpi-sub muted">{t('analytics.previous', { value: t('analytics.purchasesN', { n: formatNumber(purchases.previous_total) }) })}</div>
        <div class="kpi-sub muted">{t('analytics.purchasesSub', { revenue: formatWon(purchases.revenue), avg: formatWon(purchases.average_value) })}</div>
        <OtherReasons unavailable={purchases.unavailable} shown={['growth_rate']} />
      </Kpi>
      <Kpi testid="kpi-customers" label={t('analytics.kpi.customers')} value={t('analytics.peopleN', { n: formatNumber(customers.total_active) })} raw={customers.total_active}>
        <div class="kpi-sub" data-testid="kpi-customers-split" data-new={customers.new_customers} data-returning={customers.returning_customers}>
          {t('analytics.customersSub', {
            new: t('analytics.peopleN', { n: formatNumber(customers.new_customers) }),
            returning: t('analytics.peopleN', { n: formatNumber(customers.returning_customers) }),
          })}
        </div>
        {customers.retention_rate === null || customers.retention_rate === undefined ? (
          <div class="kpi-growth growth-none" data-testid="kpi-retention" data-state="unavailable">
            {t('analytics.retention')}: {retentionReason ?? t('common.empty')}
          </div>
        ) : (
          <div class="kpi-growth" data-testid="kpi-retention" data-value={customers.retention_rate} title={t('analytics.retentionOf', { n: formatNumber(customers.previous_active) })}>
            {t('analytics.retention')} <b>{formatRate(customers.retention_rate)}</b>
          </div>
        )}
        {customers.retention_rate === null || customers.retention_rate === undefined ? null : (
          <div class="kpi-sub muted">{t('analytics.retentionOf', { n: formatNumber(customers.previous_active) })}</div>
        )}
        <OtherReasons unavailable={customers.unavailable} shown={['retention_rate']} />
      </Kpi>
    </div>
  );
}

function KpiSkeleton() {
  return (
    <div class="kpi-grid analytics-kpis" data-testid="analytics-kpis-loading" aria-busy="true">
      {[0, 1, 2, 3].map((i) => (
        <div class="kpi analytics-kpi skeleton-kpi" key={i}>
          <span class="skeleton-line short" />
          <span class="skeleton-line tall" />
          <span class="skeleton-line" />
        </div>
      ))}
    </div>
  );
}

// ---------------------------------------------------------------------------------------------
// Charts

function ChartCard({ name, query, wide }: { name: ChartName; query: string | null; wide?: boolean }) {
  const title = t(`analytics.chart.${name}` as I18nKey);
  // The drawing carries its own title; the heading is for screen readers and the outline.
  return (
    <section class={`card chart-card${wide ? ' wide' : ''}`} data-testid={`chart-card-${name}`} aria-label={title}>
      <h2 class="sr-only">{title}</h2>
      <div class="card-body">
        <ChartView name={name} query={query} label={title} />
      </div>
    </section>
  );
}

// ---------------------------------------------------------------------------------------------
// Services

function ServicesCard({ data, loading }: { data: Dashboard | null; loading: boolean }) {
  const rows = data ? topServicesOf(data) : [];
  const maxShare = Math.max(1, ...rows.map((r) => r.visit_share));
  return (
    <section class="card services-card" data-testid="analytics-services">
      <header class="card-head">
        <h2>
          {t('analytics.services')} <span class="section-note">{t('analytics.servicesNote')}</span>
        </h2>
      </header>
      <div class="card-body">
        {!data ? (
          <div class="chart-skeleton table-skeleton" aria-busy="true">
            <span>{t('common.loading')}</span>
          </div>
        ) : rows.length === 0 || rows.every((r) => r.visits === 0 && r.revenue === 0) ? (
          <div class="empty" data-testid="analytics-services-empty">
            {t('analytics.servicesEmpty')}
          </div>
        ) : (
          <div class={`table-wrap flat${loading ? ' is-loading' : ''}`}>
            <table class="table services-table">
              <thead>
                <tr>
                  <th class="num">{t('analytics.col.rank')}</th>
                  <th>{t('analytics.col.service')}</th>
                  <th class="num">{t('analytics.col.visits')}</th>
                  <th class="num">{t('analytics.col.revenue')}</th>
                  <th class="share-col">{t('analytics.col.share')}</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((r, i) => (
                  <tr key={r.service} data-testid="analytics-service-row" data-service={r.service} data-visits={r.visits} data-revenue={r.revenue} data-share={r.visit_share}>
                    <td class="num mono">{r.rank ?? i + 1}</td>
                    <td class="strong">{r.name}</td>
                    <td class="num mono">{t('analytics.visitsN', { n: formatNumber(r.visits) })}</td>
                    <td class="num mono">{formatWon(r.revenue)}</td>
                    <td class="share-col">
                      <span class="share">
                        <span class="share-track" aria-hidden="true">
                          <span class="share-fill" style={{ width: `${(r.visit_share / maxShare) * 100}%` }} />
                        </span>
                        <span class="mono">{formatRate(r.visit_share)}</span>
                      </span>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </div>
    </section>
  );
}

// ---------------------------------------------------------------------------------------------
// Forecast

type ForecastState = { data: ForecastAnswer | null; error: string | null; code: string | null; loading: boolean };

function ForecastPanel({ metric, onMetric }: { metric: ForecastMetric; onMetric: (m: ForecastMetric) => void }) {
  const [state, setState] = useState<ForecastState>({ data: null, error: null, code: null, loading: true });
  const [reload, setReload] = useState(0);
  // Fitted on the days up to yesterday: the same answer all the while the screen is open, so
  // going back to a metric asks nothing again (each request counts against the hourly budget).
  const answers = useRef(new Map<ForecastMetric, ForecastAnswer>());
  const charts = useRef(new Map<string, string>());
  const query = `metric=${metric}&days=${FORECAST_DAYS}`;

  useEffect(() => {
    const have = answers.current.get(metric);
    if (have) {
      setState({ data: have, error: null, code: null, loading: false });
      return;
    }
    let live = true;
    setState({ data: null, error: null, code: null, loading: true });
    api<ForecastAnswer>('GET', `/api/v1/analytics/forecast?${query}`)
      .then((r) => {
        if (!live) return;
        answers.current.set(metric, r.data);
        setState({ data: r.data, error: null, code: null, loading: false });
      })
      .catch((e) => live && setState({ data: null, error: describeError(e), code: e instanceof ApiError ? e.code : null, loading: false }));
    return () => {
      live = false;
    };
  }, [metric, reload]);

  const { data, error, code } = state;
  // Too little history: the server says why, once, instead of an empty chart.
  const noForecast = code === 'INSUFFICIENT_DATA';
  const metricLabel = t(`analytics.metric.${metric}` as I18nKey);
  return (
    <section class="card forecast-card" data-testid="analytics-forecast" data-metric={metric} data-state={error ? 'error' : data ? 'ready' : 'loading'}>
      <header class="card-head">
        <h2>
          {t('analytics.forecast')} <span class="section-note">{t('analytics.forecastNote', { days: FORECAST_DAYS })}</span>
        </h2>
        <div class="segmented no-print" role="group" aria-label={t('analytics.metricGroup')} data-testid="forecast-metrics">
          {FORECAST_METRICS.map((m) => (
            <button type="button" key={m} class={`seg${metric === m ? ' on' : ''}`} aria-pressed={metric === m} data-testid={`forecast-metric-${m}`} onClick={() => onMetric(m)}>
              {t(`analytics.metric.${m}` as I18nKey)}
            </button>
          ))}
        </div>
      </header>
      <div class="card-body forecast-body">
        {noForecast ? (
          <div class="notice forecast-unavailable" role="alert" data-testid="forecast-error" data-code={code}>
            {error}
          </div>
        ) : (
          <>
            <div class="forecast-chart">
              <ChartView name="forecast" query={query} label={`${metricLabel} ${t('analytics.chart.forecast')}`} cache={charts.current} />
            </div>
            <div class="forecast-summary">
              {error ? (
                <ErrorBox testid="forecast-error">
                  {error}{' '}
                  <button type="button" class="btn btn-outline btn-sm no-print" onClick={() => setReload((n) => n + 1)}>
                    {t('common.retry')}
                  </button>
                </ErrorBox>
              ) : !data ? (
                <div class="chart-skeleton table-skeleton" aria-busy="true" data-testid="forecast-loading">
                  <span>{t('common.loading')}</span>
                </div>
              ) : (
                <ForecastSummary data={data} metric={metric} />
              )}
            </div>
          </>
        )}
      </div>
    </section>
  );
}

function amountOf(metric: ForecastMetric, v: number, digits = 0): string {
  return metric === 'revenue' ? formatWon(v) : t('analytics.visitsN', { n: formatNumber(v, digits) });
}

function ForecastSummary({ data, metric }: { data: ForecastAnswer; metric: ForecastMetric }) {
  const acc = data.accuracy;
  return (
    <>
      <div class="forecast-total" data-testid="forecast-total" data-value={data.forecast.total}>
        <div class="kpi-label">{t(`analytics.forecastTotal.${metric}` as I18nKey)}</div>
        <div class="kpi-value">{amountOf(metric, data.forecast.total)}</div>
        <div class="kpi-sub muted">
          {data.forecast.start_date} ~ {data.forecast.end_date}
        </div>
      </div>
      <p class="muted small forecast-scope">
        {data.scope} · {t('analytics.forecastBasis', { start: data.history_start, end: data.history_end })}
      </p>
      <div class="forecast-block">
        <h3>{t('analytics.insights')}</h3>
        {data.insights.length ? (
          <ul class="forecast-insights" data-testid="forecast-insights">
            {data.insights.map((x, i) => (
              <li key={`${x.type}-${i}`} data-type={x.type} data-testid="forecast-insight">
                {x.message}
              </li>
            ))}
          </ul>
        ) : (
          <p class="muted small">{t('analytics.insightsEmpty')}</p>
        )}
      </div>
      <div class="forecast-block" data-testid="forecast-accuracy" data-beats={acc ? String(acc.beats_baseline) : 'unknown'}>
        <h3>{t('analytics.accuracy')}</h3>
        {acc ? (
          <>
            <p class={`accuracy-verdict ${acc.beats_baseline ? 'better' : 'worse'}`} data-testid="forecast-accuracy-verdict">
              {acc.beats_baseline ? '✓ ' : '✗ '}
              {t(acc.beats_baseline ? 'analytics.accuracyBetter' : 'analytics.accuracyWorse')}
            </p>
            <dl class="accuracy-figures">
              <dt>{t('analytics.accuracyModel')}</dt>
              <dd class="mono" data-testid="forecast-mae-model" data-value={acc.model.mae}>
                {amountOf(metric, acc.model.mae, metric === 'visits' ? 1 : 0)}
              </dd>
              <dt>{t('analytics.accuracyBaseline')}</dt>
              <dd class="mono" data-testid="forecast-mae-baseline" data-value={acc.baseline.mae}>
                {amountOf(metric, acc.baseline.mae, metric === 'visits' ? 1 : 0)}
              </dd>
            </dl>
            <p class="muted small">{t('analytics.accuracyExplain', { days: acc.holdout_days })}</p>
          </>
        ) : (
          <p class="muted" data-testid="forecast-accuracy-unavailable">
            {t('analytics.accuracyNone')}: {data.accuracy_unavailable ?? t('common.empty')}
          </p>
        )}
      </div>
    </>
  );
}
