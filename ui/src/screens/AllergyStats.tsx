import { useEffect, useState } from 'preact/hooks';
import { api, qs } from '../api';
import { ta } from '../allergyText';
import type { AllergyDashboard } from '../allergyTypes';
import { ErrorBox, Spinner } from '../components/ui';
import { useApp } from '../context';
import { addMonths, canSeeAllergyStats, isMonth, riskTierOf } from '../logic/allergy';
import { kstToday } from '../logic/audit';
import { describeError } from '../logic/errors';
import { formatNumber } from '../logic/format';
import { navigate } from '../router';
import { AllergyForbidden } from './AllergyPatients';

const TOP = 12;

function monthLabel(m: string): string {
  return ta('stats.monthLabel', { year: m.slice(0, 4), month: Number(m.slice(5, 7)) });
}

function pct(v: number): string {
  return `${v.toFixed(v >= 10 || v === 0 ? 0 : 1)}%`;
}

/** 알레르기 통계: the month's diagnoses and patients, and what all diagnoses found. */
export function AllergyStatsScreen({ month: routeMonth }: { month?: string }) {
  const { user } = useApp();
  const allowed = canSeeAllergyStats(user.role);
  const thisMonth = kstToday().slice(0, 7);
  const month = isMonth(routeMonth) ? routeMonth : thisMonth;
  const [data, setData] = useState<AllergyDashboard | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const [all, setAll] = useState(false);

  useEffect(() => {
    if (!allowed) return;
    let live = true;
    setLoading(true);
    api<AllergyDashboard>('GET', `/api/v1/pro/dashboard/stats${qs({ month })}`)
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
  }, [month, allowed]);

  if (!allowed) return <AllergyForbidden stats />;

  const go = (m: string) => navigate({ name: 'allergyStats', month: m === thisMonth ? undefined : m }, true);
  const dist = [...(data?.allergen_distribution ?? [])].filter((x) => x.count > 0).sort((a, b) => b.count - a.count || (a.name_ko ?? a.allergen).localeCompare(b.name_ko ?? b.allergen, 'ko'));
  const shown = all ? dist : dist.slice(0, TOP);
  const maxCount = Math.max(1, ...dist.map((x) => x.count));
  const grades = Array.from({ length: 7 }, (_, g) => data?.grade_distribution?.find((x) => x.grade === g)?.count ?? 0);
  const maxGrade = Math.max(1, ...grades);
  const gradeTotal = grades.reduce((a, b) => a + b, 0);
  const trend = data?.diagnoses.trend ?? null;
  const trendDir = trend ? (trend.startsWith('+') && trend !== '+0%' ? 'up' : trend.startsWith('-') ? 'down' : 'flat') : 'none';

  return (
    <div class="screen allergy-screen stats-screen" data-testid="allergy-stats-screen" data-month={month}>
      <div class="screen-head">
        <h1>{ta('stats.title')}</h1>
        <div class="stats-period" role="group" aria-label={ta('stats.period')}>
          <button type="button" class="btn btn-outline btn-sm" data-testid="stats-prev" onClick={() => go(addMonths(month, -1))} aria-label={ta('stats.prev')} title={ta('stats.prev')}>
            ‹
          </button>
          <span class="stats-month" data-testid="stats-month">
            {monthLabel(month)}
          </span>
          <button type="button" class="btn btn-outline btn-sm" data-testid="stats-next" disabled={month >= thisMonth} onClick={() => go(addMonths(month, 1))} aria-label={ta('stats.next')} title={ta('stats.next')}>
            ›
          </button>
          <button type="button" class="btn btn-ghost btn-sm" data-testid="stats-this-month" disabled={month === thisMonth} onClick={() => go(thisMonth)}>
            {ta('stats.thisMonth')}
          </button>
        </div>
      </div>
      {error ? <ErrorBox testid="stats-error">{error}</ErrorBox> : null}
      {!data && loading ? <Spinner /> : null}
      {data ? (
        <div class={`stats-body${loading ? ' is-loading' : ''}`}>
          <div class="kpi-grid" data-testid="stats-kpis">
            <div class="kpi" data-testid="kpi-diagnoses-month" data-value={data.diagnoses.this_month}>
              <div class="kpi-label">{ta('stats.kpi.diagnosesMonth')}</div>
              <div class="kpi-value">{ta('stats.countN', { n: formatNumber(data.diagnoses.this_month) })}</div>
              <div class="kpi-sub muted">{ta('stats.kpi.prev', { n: formatNumber(data.diagnoses.previous_month) })}</div>
            </div>
            <div class="kpi" data-testid="kpi-trend" data-value={trend ?? ''}>
              <div class="kpi-label">{ta('stats.kpi.trend')}</div>
              <div class={`kpi-value trend-${trendDir}`}>
                {trend ? (
                  <>
                    {trendDir === 'up' ? '▲ ' : trendDir === 'down' ? '▼ ' : ''}
                    {trend}
                  </>
                ) : (
                  '—'
                )}
              </div>
              <div class="kpi-sub muted">{trend ? monthLabel(addMonths(month, -1)) : ta('stats.trendNone')}</div>
            </div>
            <div class="kpi" data-testid="kpi-diagnoses-total" data-value={data.diagnoses.total}>
              <div class="kpi-label">{ta('stats.kpi.diagnosesTotal')}</div>
              <div class="kpi-value">{ta('stats.countN', { n: formatNumber(data.diagnoses.total) })}</div>
            </div>
            <div class="kpi" data-testid="kpi-patients-total" data-value={data.patients.total}>
              <div class="kpi-label">{ta('stats.kpi.patientsTotal')}</div>
              <div class="kpi-value">{ta('stats.peopleN', { n: formatNumber(data.patients.total) })}</div>
            </div>
            <div class="kpi" data-testid="kpi-patients-new" data-value={data.patients.new_this_month}>
              <div class="kpi-label">{ta('stats.kpi.patientsNew')}</div>
              <div class="kpi-value">{ta('stats.peopleN', { n: formatNumber(data.patients.new_this_month) })}</div>
            </div>
          </div>

          <div class="stats-grid">
            <section class="card" data-testid="stats-allergens">
              <header class="card-head">
                <h2>
                  {ta('stats.allergens')} <span class="section-note">{ta('stats.allergensNote')}</span>
                </h2>
                {dist.length > TOP ? (
                  <button type="button" class="btn btn-ghost btn-sm" data-testid="stats-toggle-all" onClick={() => setAll(!all)}>
                    {all ? ta('stats.showTop', { n: TOP }) : ta('stats.showAll', { n: dist.length })}
                  </button>
                ) : null}
              </header>
              <div class="card-body">
                {dist.length === 0 ? <div class="empty">{ta('stats.empty')}</div> : null}
                <ul class="hbars">
                  {shown.map((x) => (
                    <li
                      key={x.allergen}
                      class="hbar"
                      data-testid="stats-allergen-bar"
                      data-allergen={x.allergen}
                      data-count={x.count}
                      aria-label={ta('stats.bar', { name: x.name_ko ?? x.allergen, count: x.count, pct: pct(x.percentage) })}
                    >
                      <span class="hbar-label" title={x.name_ko ?? x.allergen}>
                        {x.name_ko ?? x.allergen}
                      </span>
                      <span class="hbar-track">
                        <span class="hbar-fill" style={{ width: `${(x.count / maxCount) * 100}%` }} />
                      </span>
                      <span class="hbar-value mono">
                        <b>{formatNumber(x.count)}</b> <span class="muted">{pct(x.percentage)}</span>
                      </span>
                    </li>
                  ))}
                </ul>
              </div>
            </section>

            <section class="card" data-testid="stats-grades">
              <header class="card-head">
                <h2>
                  {ta('stats.grades')} <span class="section-note">{ta('stats.gradesNote')}</span>
                </h2>
              </header>
              <div class="card-body">
                {gradeTotal === 0 ? <div class="empty">{ta('stats.empty')}</div> : null}
                <ul class="hbars grade-bars">
                  {grades.map((count, g) => (
                    <li key={g} class={`hbar tier-${riskTierOf(g)}`} data-testid="stats-grade-bar" data-grade={g} data-count={count}>
                      <span class="hbar-label">{ta('grade', { grade: g })}</span>
                      <span class="hbar-track">
                        <span class="hbar-fill" style={{ width: `${(count / maxGrade) * 100}%` }} />
                      </span>
                      <span class="hbar-value mono">
                        <b>{formatNumber(count)}</b> <span class="muted">{gradeTotal ? pct((count / gradeTotal) * 100) : ''}</span>
                      </span>
                    </li>
                  ))}
                </ul>
              </div>
            </section>
          </div>
        </div>
      ) : null}
    </div>
  );
}
