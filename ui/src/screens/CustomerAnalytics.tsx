import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from '../api';
import { Figure, MiniColumns, NoValue, PanelCard, PanelError, PanelSkeleton, PartBar, readableReason, reasonOf, usePanel, type PanelState } from '../components/Panel';
import { Stars } from '../components/ui';
import { t, type I18nKey } from '../i18n';
import { formatGrowth } from '../logic/analytics';
import {
  CHARACTERISTICS,
  CUSTOMER_PERIODS,
  DEFAULT_CUSTOMER_PERIOD,
  isForbidden,
  isInsufficient,
  isModelNotReady,
  levelTone,
  percentText,
  topShare,
  type Comparison,
  type CustomerAnalytics,
  type CustomerBehavior,
  type CustomerPeriod,
  type CustomerSegment,
  type HealthMetrics,
  type NextAction,
  type RevenueContribution,
  type RiskAssessment,
  type ServiceUsage,
  type VisitPattern,
} from '../logic/customerAnalytics';
import { formatDate, formatNumber, formatRating, formatWon } from '../logic/format';
import { href, navigate } from '../router';
import { SELF_REPORTS_ANCHOR } from './CustomerSelfReports';

// The customer detail's 분석 tab (managers, administrators): the customer's analytics for a
// period (`GET /customers/{id}/analytics`: visit pattern, service usage, revenue contribution,
// health figures for roles that read them, risk), their behaviour (`GET /analytics/customers/
// {id}/behavior`) and their segment (`GET /customers/segments/{id}`), each panel with its own
// request, loading and error. A figure the server cannot compute shows its reason, never a 0.

export function CustomerAnalyticsTab({ customerId, healthVersion = 0 }: { customerId: string; healthVersion?: number }) {
  const [period, setPeriod] = useState<CustomerPeriod>(DEFAULT_CUSTOMER_PERIOD);
  const cache = useRef(new Map<string, CustomerAnalytics>());
  const id = encodeURIComponent(customerId);
  const analytics = usePanel<CustomerAnalytics>(`/api/v1/customers/${id}/analytics?period=${period}`, cache.current);
  // A self-report saved on the overview changes the health figures: what was kept is stale.
  const seenHealth = useRef(healthVersion);
  useEffect(() => {
    if (seenHealth.current === healthVersion) return;
    seenHealth.current = healthVersion;
    cache.current.clear();
    analytics.reload();
  }, [healthVersion]);
  const behavior = usePanel<CustomerBehavior>(`/api/v1/analytics/customers/${id}/behavior`);
  const segment = usePanel<CustomerSegment>(`/api/v1/customers/segments/${id}`);
  const shown = analytics.data && analytics.data.period === period ? analytics.data : null;
  const stale = analytics.loading || (analytics.data !== null && analytics.data.period !== period);

  return (
    <div class="customer-analytics" data-testid="customer-analytics" data-period={period}>
      <div class="tab-toolbar">
        <div class="segmented no-print" role="group" aria-label={t('ca.periodGroup')} data-testid="ca-periods">
          {CUSTOMER_PERIODS.map((p) => (
            <button type="button" key={p} class={`seg${period === p ? ' on' : ''}`} aria-pressed={period === p} data-testid={`ca-period-${p}`} onClick={() => setPeriod(p)}>
              {t(`ca.period.${p}` as I18nKey)}
            </button>
          ))}
        </div>
        <span class="print-only">
          <b>
            {t('detail.tab.analytics')} · {t(`ca.period.${period}` as I18nKey)}
          </b>
        </span>
        {analytics.data ? (
          <span class="muted small" data-testid="ca-range" data-start={analytics.data.date_range.start} data-end={analytics.data.date_range.end}>
            {t('ca.range', { start: analytics.data.date_range.start, end: analytics.data.date_range.end })}
            {analytics.data.analysed_from !== analytics.data.date_range.start ? ` · ${t('ca.analysedFrom', { date: analytics.data.analysed_from })}` : ''}
          </span>
        ) : null}
        <button type="button" class="btn btn-outline btn-sm no-print tab-print" data-testid="ca-print" onClick={() => window.print()}>
          {t('ca.print')}
        </button>
      </div>

      <div class="panel-grid">
        {analytics.error && !shown ? (
          <AnalyticsFailure error={analytics.error} onRetry={analytics.reload} />
        ) : (
          <>
            <RiskPanel data={shown?.riskAssessment} loading={!shown} stale={stale} />
            <VisitPatternPanel data={shown?.visitPattern} loading={!shown} stale={stale} />
            <BehaviorPanel state={behavior} />
            <SegmentPanel state={segment} />
            <ServiceUsagePanel data={shown?.serviceUsage} loading={!shown} stale={stale} />
            <RevenuePanel data={shown?.revenueContribution} loading={!shown} stale={stale} />
            {shown?.healthMetrics ? <HealthPanel data={shown.healthMetrics} stale={stale} customerId={customerId} /> : null}
          </>
        )}
        {analytics.error && !shown ? (
          <>
            <BehaviorPanel state={behavior} />
            <SegmentPanel state={segment} />
          </>
        ) : null}
      </div>
    </div>
  );
}

/**
 * The period's analytics failed: one card says why (too little history, a refusal, …) in place
 * of its five; the behaviour and the segment, asked apart, still show.
 */
function AnalyticsFailure({ error, onRetry }: { error: unknown; onRetry: () => void }) {
  const insufficient = isInsufficient(error);
  const forbidden = isForbidden(error);
  const rule = error instanceof ApiError && typeof error.details?.rule === 'string' ? error.details.rule : null;
  return (
    <PanelCard testid="ca-analytics-error" title={t('ca.analyticsTitle')} state="error" wide>
      {insufficient ? (
        <div class="notice" role="alert" data-testid="ca-insufficient">
          <b>{t('ca.insufficient')}</b>
          <div data-testid="ca-insufficient-message">{error instanceof ApiError ? error.message : ''}</div>
          {rule ? <div class="small">{t('ca.insufficientRule', { rule })}</div> : null}
        </div>
      ) : forbidden ? (
        <PanelError error={error} testid="ca-forbidden" message={t('ca.forbidden')} />
      ) : (
        <PanelError error={error} testid="ca-error" onRetry={onRetry} />
      )}
    </PanelCard>
  );
}

// ---------------------------------------------------------------------------------------------
// Risk

function RiskPanel({ data, loading, stale }: { data: RiskAssessment | undefined; loading: boolean; stale: boolean }) {
  return (
    <PanelCard testid="ca-risk" title={t('ca.risk')} state={loading ? 'loading' : 'ready'} class={stale ? 'is-stale' : undefined}>
      {loading || !data ? <PanelSkeleton /> : <RiskBody r={data} />}
    </PanelCard>
  );
}

function RiskBody({ r }: { r: RiskAssessment }) {
  const churnReason = reasonOf(r.unavailable, 'churn_risk', 'churn_probability');
  return (
    <>
      <dl class="figures">
        <Figure label={t('ca.churn')} testid="ca-churn" value={r.churn_probability}>
          {r.churn_risk ? (
            <>
              <span class={`level-badge tone-${levelTone(r.churn_risk)}`} data-level={r.churn_risk}>
                {r.churn_risk_label ?? r.churn_risk}
              </span>{' '}
              {r.churn_probability !== null ? <b class="mono">{percentText(r.churn_probability)}</b> : null}
              {r.churn_model?.horizon_days ? <span class="muted small"> · {t('ca.withinDays', { n: r.churn_model.horizon_days })}</span> : null}
            </>
          ) : (
            <NoValue reason={churnReason} testid="ca-churn-reason" />
          )}
        </Figure>
        <Figure label={t('ca.daysSince')} testid="ca-days-since" value={r.days_since_last_visit}>
          {r.days_since_last_visit === null ? (
            <NoValue reason={reasonOf(r.unavailable, 'days_since_last_visit')} />
          ) : (
            <>
              {t('common.days', { n: formatNumber(r.days_since_last_visit) })}
              {r.usual_interval_days !== null ? <span class="muted small"> · {t('ca.usualInterval', { n: formatNumber(r.usual_interval_days, 1) })}</span> : null}
            </>
          )}
        </Figure>
        <Figure label={t('ca.retention')} testid="ca-retention" value={r.retention_score}>
          {r.retention_score === null ? <NoValue reason={reasonOf(r.unavailable, 'retention_score')} /> : <b>{t('ca.points', { n: r.retention_score })}</b>}
        </Figure>
      </dl>
      {r.retention ? (
        <div class="part-bars" data-testid="ca-retention-parts" title={r.retention.formula}>
          <PartBar label={t('ca.part.recency')} value={r.retention.recency} />
          <PartBar label={t('ca.part.frequencyKept')} value={r.retention.frequency} />
          <PartBar label={t('ca.part.satisfaction')} value={r.retention.satisfaction} />
          <PartBar label={t('ca.part.package')} value={r.retention.package} />
        </div>
      ) : null}
      <h3 class="panel-sub">{t('ca.riskFactors')}</h3>
      {r.risk_factors.length ? (
        <ul class="reason-list" data-testid="ca-risk-factors">
          {r.risk_factors.map((f) => (
            <li key={f.code} data-code={f.code} data-severity={f.severity}>
              <span class={`level-badge tone-${levelTone(f.severity)}`}>{f.label}</span> <span>{f.detail}</span>
            </li>
          ))}
        </ul>
      ) : (
        <p class="muted small" data-testid="ca-no-risk-factors">
          {t('ca.noRiskFactors')}
        </p>
      )}
      {r.next_action_recommendation ? (
        <p class="next-action" data-testid="ca-next-action">
          <b>{t('ca.nextAction')}</b> {r.next_action_recommendation}
          {r.next_action_reason ? <span class="muted"> — {r.next_action_reason}</span> : null}
        </p>
      ) : null}
    </>
  );
}

// ---------------------------------------------------------------------------------------------
// Behaviour

function BehaviorPanel({ state }: { state: PanelState<CustomerBehavior> }) {
  const { data, error } = state;
  return (
    <PanelCard testid="ca-behavior" title={t('ca.behavior')} state={error ? 'error' : data ? 'ready' : 'loading'}>
      {error ? (
        <PanelError error={error} testid="ca-behavior-error" onRetry={isForbidden(error) ? undefined : state.reload} message={isForbidden(error) ? t('ca.forbidden') : undefined} />
      ) : !data ? (
        <PanelSkeleton lines={6} />
      ) : (
        <BehaviorBody b={data} />
      )}
    </PanelCard>
  );
}

function BehaviorBody({ b }: { b: CustomerBehavior }) {
  const c = b.score_components;
  const ph = b.purchase_history;
  const e = b.engagement;
  const churn = b.churn_prediction;
  return (
    <>
      <div class="score-line" data-testid="ca-behavior-score" data-value={b.behavior_score ?? undefined}>
        <span class="kpi-label">{t('ca.behaviorScore')}</span>
        {b.behavior_score === null ? (
          <NoValue reason={reasonOf(b.unavailable, 'behavior_score')} />
        ) : (
          <span class="score-value">
            <b>{formatNumber(b.behavior_score, 1)}</b>
            <span class="muted"> / 100</span>
          </span>
        )}
      </div>
      <div class="part-bars" data-testid="ca-behavior-parts" title={c.formula}>
        <PartBar label={t('ca.part.recency')} value={c.recency} testid="ca-part-recency" />
        <PartBar label={t('ca.part.frequency')} value={c.frequency} testid="ca-part-frequency" />
        <PartBar label={t('ca.part.monetary')} value={c.monetary} testid="ca-part-monetary" />
        <PartBar label={t('ca.part.engagement')} value={c.engagement} testid="ca-part-engagement" />
      </div>
      <details class="formula no-print">
        <summary>{t('ca.formula')}</summary>
        <p class="small">{c.formula}</p>
      </details>
      <dl class="figures">
        <Figure label={t('ca.purchases')} testid="ca-purchases">
          {t('ca.purchasesValue', { visits: formatNumber(ph.total_visits), packages: formatNumber(ph.total_purchases) })}
        </Figure>
        <Figure label={t('ca.totalSpent')} testid="ca-total-spent" value={ph.total_spent}>
          <b class="mono">{formatWon(ph.total_spent)}</b>
          <span class="muted small"> ({t('ca.spentSplit', { visit: formatWon(ph.visit_spent), pkg: formatWon(ph.package_spent) })})</span>
        </Figure>
        <Figure label={t('ca.avgPurchase')}>
          {ph.average_purchase_value === null ? <NoValue reason={reasonOf(b.unavailable, 'purchase_history.average_purchase_value', 'average_purchase_value') ?? t('ca.noPurchases')} /> : formatWon(ph.average_purchase_value)}
        </Figure>
        <Figure label={t('ca.lastVisitPurchase')}>
          <span class="mono">{formatDate(ph.last_visit_date)}</span> / <span class="mono">{formatDate(ph.last_purchase_date)}</span>
        </Figure>
        <Figure label={t('ca.purchaseFrequency')}>{ph.purchase_frequency_label}</Figure>
      </dl>
      <h3 class="panel-sub">{t('ca.favorites')}</h3>
      {b.favorite_services.length ? (
        <ol class="favorite-list" data-testid="ca-favorites">
          {b.favorite_services.map((f) => (
            <li key={f.service} data-service={f.service} data-visits={f.visit_count}>
              <b>{f.service_name}</b>
              <span class="muted">
                {' '}
                {t('ca.favoriteValue', { n: formatNumber(f.visit_count), share: percentText(f.share) ?? t('common.empty') })}
              </span>
              {f.average_rating !== null ? (
                <span class="fav-rating">
                  {' '}
                  <Stars value={f.average_rating} /> <span class="mono small">{formatRating(f.average_rating)}</span>
                </span>
              ) : null}
            </li>
          ))}
        </ol>
      ) : (
        <p class="muted small">{t('ca.noFavorites')}</p>
      )}
      <h3 class="panel-sub">{t('ca.engagement', { days: formatNumber(e.window_days) })}</h3>
      <dl class="figures compact" data-testid="ca-engagement">
        <Figure label={t('ca.visitsPerMonth')} value={e.visits_per_month}>
          {t('ca.timesN', { n: formatNumber(e.visits_per_month, 1) })}
        </Figure>
        <Figure label={t('ca.rated')} value={e.rated_visit_share}>
          {e.rated_visit_share === null ? (
            <NoValue reason={reasonOf(b.unavailable, 'engagement.rated_visit_share') ?? t('ca.noVisitsInWindow')} />
          ) : (
            t('ca.ratedValue', { share: percentText(e.rated_visit_share)!, n: formatNumber(e.ratings_given) })
          )}
        </Figure>
        <Figure label={t('ca.avgRatingGiven')}>{e.average_rating_given === null ? <NoValue reason={reasonOf(b.unavailable, 'engagement.average_rating_given') ?? t('ca.noRatings')} /> : formatRating(e.average_rating_given)}</Figure>
        <Figure label={t('ca.distinctServices')}>{t('ca.kindsN', { n: e.distinct_services })}</Figure>
      </dl>
      <h3 class="panel-sub">{t('ca.churnPrediction')}</h3>
      <p class="churn-line" data-testid="ca-churn-prediction" data-probability={churn.probability ?? undefined} data-model={churn.model?.status}>
        {churn.risk_level ? (
          <>
            <span class={`level-badge tone-${levelTone(churn.risk_level)}`} data-level={churn.risk_level}>
              {churn.risk_label ?? churn.risk_level}
            </span>{' '}
            <b class="mono">{churn.probability === null ? t('common.empty') : percentText(churn.probability * 100)}</b>
            {churn.model?.horizon_days ? <span class="muted small"> · {t('ca.withinDays', { n: churn.model.horizon_days })}</span> : null}
            {churn.model?.model_version ? <span class="muted small"> · {t('ca.modelVersion', { version: churn.model.model_version })}</span> : null}
          </>
        ) : (
          <NoValue reason={reasonOf(b.unavailable, 'churn_prediction.probability', 'churn_prediction.risk_level', 'churn_prediction')} testid="ca-churn-prediction-reason" />
        )}
        {churn.last_activity_days !== null ? <span class="muted small"> · {t('ca.lastActivity', { n: formatNumber(churn.last_activity_days) })}</span> : null}
      </p>
      <h3 class="panel-sub">{t('ca.nextBest')}</h3>
      <ActionList actions={b.next_best_actions} testid="ca-next-best" />
    </>
  );
}

function ActionList({ actions, testid }: { actions: NextAction[]; testid: string }) {
  return (
    <ol class="action-list" data-testid={testid}>
      {actions.map((a, i) => (
        <li key={`${a.action}-${a.service ?? ''}-${i}`} data-action={a.action} data-priority={a.priority}>
          <div>
            <span class={`level-badge tone-${levelTone(a.priority)}`} title={t('ca.priority')}>
              {t(`ca.priority.${a.priority}` as I18nKey)}
            </span>{' '}
            <b>{a.label}</b>
          </div>
          <div class="muted small">{a.reason}</div>
        </li>
      ))}
    </ol>
  );
}

// ---------------------------------------------------------------------------------------------
// Segment

function SegmentPanel({ state }: { state: PanelState<CustomerSegment> }) {
  const { data, error } = state;
  const notReady = isModelNotReady(error);
  return (
    <PanelCard testid="ca-segment" title={t('seg.title')} note={data ? t('ca.modelVersion', { version: data.model_version }) : undefined} state={error ? 'error' : data ? 'ready' : 'loading'}>
      {notReady ? (
        <div class="notice" role="alert" data-testid="ca-segment-not-ready">
          <div>{t('seg.notReady')}</div>
          <div class="small">{t('seg.notReadyHint')}</div>
          <a class="btn btn-outline btn-sm no-print" href={href({ name: 'analytics', section: 'segments' })} data-testid="ca-segment-train-link">
            {t('seg.goTrain')}
          </a>
        </div>
      ) : error ? (
        <PanelError error={error} testid="ca-segment-error" onRetry={isForbidden(error) ? undefined : state.reload} message={isForbidden(error) ? t('ca.forbidden') : undefined} />
      ) : !data ? (
        <PanelSkeleton lines={6} />
      ) : (
        <SegmentBody s={data} />
      )}
    </PanelCard>
  );
}

function SegmentBody({ s }: { s: CustomerSegment }) {
  const v = s.customer_values ?? ({} as CustomerSegment['customer_values']);
  const rows: { key: string; label: string; customer: string; pct: keyof Comparison; median: (c: Comparison) => string }[] = [
    { key: 'visits', label: t('seg.row.visits'), customer: v.visits === null || v.visits === undefined ? t('common.empty') : t('ca.timesN', { n: formatNumber(v.visits) }), pct: 'visit_frequency_percentile', median: (c) => (c.median_visits === null ? t('common.empty') : t('ca.timesN', { n: formatNumber(c.median_visits, Number.isInteger(c.median_visits) ? 0 : 1) })) },
    { key: 'revenue', label: t('seg.row.revenue'), customer: formatWon(v.revenue), pct: 'spending_percentile', median: (c) => formatWon(c.median_revenue) },
    { key: 'recency', label: t('seg.row.recency'), customer: v.days_since_last_visit === null || v.days_since_last_visit === undefined ? t('common.empty') : t('seg.daysAgo', { n: formatNumber(v.days_since_last_visit) }), pct: 'recency_percentile', median: (c) => (c.median_days_since_last_visit === null ? t('common.empty') : t('seg.daysAgo', { n: formatNumber(c.median_days_since_last_visit) })) },
    { key: 'rating', label: t('seg.row.rating'), customer: formatRating(v.average_rating), pct: 'satisfaction_percentile', median: (c) => formatRating(c.median_rating) },
  ];
  const cell = (c: Comparison | null, row: (typeof rows)[number]) => {
    if (!c) return <span class="muted">{t('common.empty')}</span>;
    const p = c[row.pct] as number | null;
    const top = topShare(p);
    return (
      <>
        {top === null ? <span class="muted">{t('common.empty')}</span> : <b title={t('seg.percentileTitle', { n: formatNumber(p, 1) })}>{t('seg.top', { n: top })}</b>}
        <span class="muted small seg-median">{t('seg.median', { v: row.median(c) })}</span>
      </>
    );
  };
  const reasons = [...(s.unavailable ?? []), ...(s.peer_comparison?.unavailable ?? []), ...(s.overall_comparison?.unavailable ?? [])];
  const seen = new Set<string>();
  const uniqueReasons = reasons.filter((r) => !seen.has(r.reason) && !!seen.add(r.reason));
  return (
    <>
      <div class="segment-head">
        <b class="segment-name" data-testid="ca-segment-name" data-segment={String(s.primary_segment)}>
          {s.primary_segment_name}
        </b>
        {s.segment_description ? <p class="muted small segment-description">{s.segment_description}</p> : null}
        <div class="chip-row" data-testid="ca-segment-tags">
          {s.secondary_segments_label.length ? (
            s.secondary_segments_label.map((label, i) => (
              <span class="tag" key={s.secondary_segments[i] ?? label} data-code={s.secondary_segments[i]}>
                {label}
              </span>
            ))
          ) : (
            <span class="muted small">{t('seg.noTags')}</span>
          )}
        </div>
      </div>
      <dl class="figures compact" data-testid="ca-segment-characteristics">
        {CHARACTERISTICS.map((k) => (
          <Figure key={k} label={t(`seg.char.${k}` as I18nKey)} testid={`ca-char-${k}`} value={s.characteristics?.[k] ?? null}>
            {s.characteristics_label?.[k] ?? s.characteristics?.[k] ?? t('common.empty')}
          </Figure>
        ))}
      </dl>
      {s.characteristic_notes.length ? (
        <ul class="note-list" data-testid="ca-segment-notes">
          {s.characteristic_notes.map((n) => (
            <li key={n}>{n}</li>
          ))}
        </ul>
      ) : null}
      <div class="table-wrap flat">
        <table class="table compare-table" data-testid="ca-segment-compare">
          <thead>
            <tr>
              <th>{t('seg.col.measure')}</th>
              <th>{t('seg.col.customer')}</th>
              <th>{s.peer_comparison ? t('seg.col.group', { group: s.peer_comparison.group_label, n: formatNumber(s.peer_comparison.customers) }) : t('seg.col.peer')}</th>
              <th>{s.overall_comparison ? t('seg.col.group', { group: s.overall_comparison.group_label, n: formatNumber(s.overall_comparison.customers) }) : t('seg.col.overall')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.key} data-testid="ca-compare-row" data-row={r.key} data-peer={(s.peer_comparison?.[r.pct] as number | null) ?? ''} data-overall={(s.overall_comparison?.[r.pct] as number | null) ?? ''}>
                <td>{r.label}</td>
                <td class="mono">{r.customer}</td>
                <td>{cell(s.peer_comparison, r)}</td>
                <td>{cell(s.overall_comparison, r)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {uniqueReasons.length ? (
        <ul class="kpi-reasons" data-testid="ca-segment-reasons">
          {uniqueReasons.map((r) => (
            <li key={r.reason} data-field={r.field}>
              {readableReason(r.reason)}
            </li>
          ))}
        </ul>
      ) : null}
      <p class="muted small">
        {[
          v.services_used !== null && v.services_used !== undefined ? t('seg.servicesUsed', { n: v.services_used }) : null,
          v.tenure_days !== null && v.tenure_days !== undefined ? t('seg.tenure', { n: formatNumber(v.tenure_days) }) : null,
        ]
          .filter(Boolean)
          .join(' · ')}
      </p>
    </>
  );
}

// ---------------------------------------------------------------------------------------------
// Visit pattern, service usage, revenue, health

function VisitPatternPanel({ data, loading, stale }: { data: VisitPattern | undefined; loading: boolean; stale: boolean }) {
  return (
    <PanelCard testid="ca-visit-pattern" title={t('ca.visitPattern')} state={loading ? 'loading' : 'ready'} class={stale ? 'is-stale' : undefined}>
      {loading || !data ? <PanelSkeleton lines={5} /> : <VisitPatternBody v={data} />}
    </PanelCard>
  );
}

function VisitPatternBody({ v }: { v: VisitPattern }) {
  const slotLabel = (slot: string) => v.time_distribution.find((s) => s.slot === slot)?.label ?? slot;
  const monthLabel = (m: string) => t('ca.monthLabel', { m: Number(m.slice(5, 7)) });
  return (
    <>
      <dl class="figures">
        <Figure label={t('ca.avgInterval')} testid="ca-avg-interval" value={v.average_interval_days}>
          {v.average_interval_days === null ? <NoValue reason={reasonOf(v.unavailable, 'average_interval_days')} testid="ca-avg-interval-reason" /> : t('common.days', { n: formatNumber(v.average_interval_days, 1) })}
        </Figure>
        <Figure label={t('ca.frequency')} testid="ca-frequency" value={v.visit_frequency}>
          {v.visit_frequency_label ?? <NoValue reason={reasonOf(v.unavailable, 'visit_frequency', 'visit_frequency_label')} />}
        </Figure>
        <Figure label={t('ca.consistency')} testid="ca-consistency" value={v.consistency_score}>
          {v.consistency_score === null ? <NoValue reason={reasonOf(v.unavailable, 'consistency_score')} /> : t('ca.points', { n: v.consistency_score })}
        </Figure>
        <Figure label={t('ca.visitsInPeriod')} testid="ca-visits-in-period" value={v.visits_in_period}>
          {t('ca.visitsInPeriodValue', { visits: formatNumber(v.visits_in_period), days: formatNumber(v.visit_days_in_period) })}
        </Figure>
        <Figure label={t('ca.preferredDays')} testid="ca-preferred-days">
          {v.preferred_days_label.length ? v.preferred_days_label.join(', ') : <NoValue reason={reasonOf(v.unavailable, 'preferred_days') ?? t('ca.noPreference')} />}
        </Figure>
        <Figure label={t('ca.preferredTimes')} testid="ca-preferred-times">
          {v.preferred_times.length ? v.preferred_times.map(slotLabel).join(', ') : <NoValue reason={reasonOf(v.unavailable, 'preferred_times') ?? t('ca.noPreference')} />}
        </Figure>
      </dl>
      <div class="mini-charts">
        <div>
          <h3 class="panel-sub">{t('ca.weekdays')}</h3>
          <MiniColumns testid="ca-weekdays" items={v.weekday_distribution.map((d) => ({ key: d.day, label: d.label.slice(0, 1), value: d.visits, title: `${d.label} ${t('ca.timesN', { n: d.visits })}` }))} />
        </div>
        {v.monthly_visits.length ? (
          <div>
            <h3 class="panel-sub">{t('ca.monthly')}</h3>
            <MiniColumns testid="ca-monthly" items={v.monthly_visits.map((m) => ({ key: m.month, label: monthLabel(m.month), value: m.visits, title: `${m.month} ${t('ca.timesN', { n: m.visits })}` }))} />
          </div>
        ) : null}
      </div>
    </>
  );
}

function ServiceUsagePanel({ data, loading, stale }: { data: ServiceUsage | undefined; loading: boolean; stale: boolean }) {
  return (
    <PanelCard
      testid="ca-service-usage"
      title={t('ca.serviceUsage')}
      note={data?.most_used_service_name ? t('ca.mostUsed', { name: data.most_used_service_name }) : undefined}
      state={loading ? 'loading' : 'ready'}
      class={stale ? 'is-stale' : undefined}
    >
      {loading || !data ? <PanelSkeleton lines={5} /> : <ServiceUsageBody u={data} />}
    </PanelCard>
  );
}

function ServiceUsageBody({ u }: { u: ServiceUsage }) {
  const rows = u.services.filter((s) => s.visits > 0 || s.previous_visits > 0);
  if (!rows.length) {
    return (
      <p class="muted" data-testid="ca-no-services">
        {reasonOf(u.unavailable, 'most_used_service') ?? t('ca.noServices')}
      </p>
    );
  }
  return (
    <>
      <div class="table-wrap flat">
        <table class="table usage-table" data-testid="ca-usage-table">
          <thead>
            <tr>
              <th>{t('ca.col.service')}</th>
              <th class="num">{t('ca.col.visits')}</th>
              <th class="num">{t('ca.col.share')}</th>
              <th>{t('ca.col.rating')}</th>
              <th class="num">{t('ca.col.growth')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((s) => (
              <tr key={s.service} data-testid="ca-usage-row" data-service={s.service} data-visits={s.visits} data-growth={s.growth_rate ?? ''}>
                <td class="strong">{s.name}</td>
                <td class="num mono">{t('ca.timesN', { n: formatNumber(s.visits) })}</td>
                <td class="num mono">{percentText(s.share) ?? t('common.empty')}</td>
                <td>{s.average_rating === null ? <span class="muted">{t('common.empty')}</span> : <span class="mono">{formatRating(s.average_rating)}</span>}</td>
                <td class="num mono" title={s.growth_rate === null ? (u.growth_note ?? undefined) : t('ca.previousVisits', { n: s.previous_visits })}>
                  {s.growth_rate === null ? <span class="muted small">{t('ca.newlyUsed')}</span> : <span class={`growth-${s.growth_rate > 0 ? 'up' : s.growth_rate < 0 ? 'down' : 'flat'}`}>{formatGrowth(s.growth_rate)}</span>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {u.previous_period ? <p class="muted small">{t('ca.previousPeriod', { start: u.previous_period.start, end: u.previous_period.end })}</p> : null}
    </>
  );
}

function RevenuePanel({ data, loading, stale }: { data: RevenueContribution | undefined; loading: boolean; stale: boolean }) {
  return (
    <PanelCard testid="ca-revenue" title={t('ca.revenue')} state={loading ? 'loading' : 'ready'} class={stale ? 'is-stale' : undefined}>
      {loading || !data ? <PanelSkeleton lines={5} /> : <RevenueBody r={data} />}
    </PanelCard>
  );
}

function RevenueBody({ r }: { r: RevenueContribution }) {
  const top = topShare(r.revenue_percentile);
  const ltv = r.ltv;
  return (
    <>
      <dl class="figures">
        <Figure label={t('ca.periodRevenue')} testid="ca-period-revenue" value={r.total_revenue}>
          <b class="mono">{formatWon(r.total_revenue)}</b>
          <span class="muted small"> ({t('ca.spentSplit', { visit: formatWon(r.visit_revenue), pkg: formatWon(r.purchase_revenue) })})</span>
        </Figure>
        <Figure label={t('ca.monthlyAverage')} testid="ca-monthly-average" value={r.average_monthly_revenue}>
          {r.average_monthly_revenue === null ? <NoValue reason={reasonOf(r.unavailable, 'average_monthly_revenue')} /> : formatWon(r.average_monthly_revenue)}
        </Figure>
        <Figure label={t('ca.lifetime')} testid="ca-lifetime" value={r.lifetime_revenue}>
          <span class="mono">{formatWon(r.lifetime_revenue)}</span>
        </Figure>
        <Figure label={t('ca.percentile')} testid="ca-percentile" value={r.revenue_percentile}>
          {top === null ? (
            <NoValue reason={reasonOf(r.unavailable, 'revenue_percentile')} />
          ) : (
            <>
              <b>{t('seg.top', { n: top })}</b>
              {r.compared_customers ? <span class="muted small"> · {t('ca.amongN', { n: formatNumber(r.compared_customers) })}</span> : null}
            </>
          )}
        </Figure>
        <Figure label={t('ca.ltv')} testid="ca-ltv" value={r.ltv_estimate}>
          {r.ltv_estimate === null ? <NoValue reason={reasonOf(r.unavailable, 'ltv_estimate')} testid="ca-ltv-reason" /> : <b class="mono">{formatWon(r.ltv_estimate)}</b>}
        </Figure>
      </dl>
      {ltv && r.ltv_estimate !== null ? (
        <details class="formula no-print" data-testid="ca-ltv-steps">
          <summary>{t('ca.ltvHow')}</summary>
          <p class="small">
            {t('ca.ltvSteps', {
              hist: formatWon(ltv.historical_revenue),
              monthly: formatWon(ltv.average_monthly_revenue),
              months: formatNumber(ltv.expected_remaining_months, 1),
            })}
          </p>
          <p class="small muted">{ltv.method}</p>
          <ul class="small muted">
            {ltv.assumptions.map((a) => (
              <li key={a}>{a}</li>
            ))}
          </ul>
        </details>
      ) : null}
      {r.revenue_trend.length ? (
        <>
          <h3 class="panel-sub">{t('ca.revenueTrend')}</h3>
          <MiniColumns
            testid="ca-revenue-trend"
            format={(n) => (n >= 10_000 ? t('ca.manWon', { n: formatNumber(Math.round(n / 10_000)) }) : formatWon(n))}
            items={r.revenue_trend.map((m) => ({ key: m.month, label: t('ca.monthLabel', { m: Number(m.month.slice(5, 7)) }), value: m.amount, title: `${m.month} ${formatWon(m.amount)}` }))}
          />
        </>
      ) : null}
    </>
  );
}

/** Opens the overview and brings its 건강 자가 보고 panel into view. */
function goToSelfReports(customerId: string) {
  navigate({ name: 'detail', id: customerId }, true);
  // The overview is shown on the next render.
  let tries = 0;
  const look = () => {
    const el = document.getElementById(SELF_REPORTS_ANCHOR);
    if (el && el.offsetParent !== null) {
      el.scrollIntoView({ block: 'start', behavior: 'smooth' });
      el.querySelector<HTMLElement>('[data-field="values.stress_level"]')?.focus({ preventScroll: true });
    } else if (tries++ < 20) {
      setTimeout(look, 50);
    }
  };
  setTimeout(look, 0);
}

function HealthPanel({ data, stale, customerId }: { data: HealthMetrics; stale: boolean; customerId: string }) {
  const entries = Object.entries(data.reported_improvements ?? {});
  const none = entries.length === 0 && !data.single_reports?.length;
  const link = (
    <a
      class={none ? 'btn btn-outline btn-sm no-print' : 'small no-print'}
      href={href({ name: 'detail', id: customerId })}
      data-testid="ca-health-go"
      onClick={(e) => {
        e.preventDefault();
        goToSelfReports(customerId);
      }}
    >
      {none ? t('ca.healthGo') : t('ca.healthSee')}
    </a>
  );
  return (
    <PanelCard testid="ca-health" title={t('ca.health')} state={none ? 'empty' : 'ready'} class={stale ? 'is-stale' : undefined} actions={none ? undefined : link}>
      {entries.length ? (
        <ul class="reason-list" data-testid="ca-health-changes">
          {entries.map(([metric, c]) => (
            <li key={metric} data-metric={metric}>
              <b>{c.label}</b> {t('ca.healthChange', { before: c.before, after: c.after, change: c.change > 0 ? `+${c.change}` : c.change })} <span class="muted small">{c.direction_label}</span>
            </li>
          ))}
        </ul>
      ) : null}
      {data.single_reports?.length ? (
        <ul class="reason-list small">
          {data.single_reports.map((r) => (
            <li key={`${r.metric}-${r.date}`}>
              {r.label} {r.value} <span class="muted mono">{r.date}</span>
            </li>
          ))}
        </ul>
      ) : null}
      {data.unavailable?.length ? (
        <ul class="kpi-reasons" data-testid="ca-health-reasons">
          {data.unavailable.map((u) => (
            <li key={u.field} data-field={u.field}>
              {readableReason(u.reason)}
            </li>
          ))}
        </ul>
      ) : null}
      {none ? (
        <div class="health-pointer" data-testid="ca-health-none">
          <p class="small">{t('ca.healthNone')}</p>
          {link}
        </div>
      ) : null}
    </PanelCard>
  );
}
