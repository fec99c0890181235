import { useRef, useState } from 'preact/hooks';
import { ApiError, api, qs } from '../api';
import { serviceName } from '../catalog';
import { PanelCard, PanelError, PanelSkeleton, reasonOf, usePanel } from '../components/Panel';
import { toast } from '../context';
import { hasKey, t, tEnum, type I18nKey } from '../i18n';
import {
  FEEDBACK_ACTIONS,
  MAX_COMMENT,
  REC_ALGORITHMS,
  REC_COUNT,
  REC_TYPES,
  feedbackBody,
  fractionPercent,
  isForbidden,
  isModelNotReady,
  type FeedbackAction,
  type FeedbackAnswer,
  type RecAlgorithm,
  type RecType,
  type Recommendation,
  type RecommendationAnswer,
  type RelatedAnswer,
} from '../logic/customerAnalytics';
import { describeError, fieldErrorsOf } from '../logic/errors';
import { formatDate, formatDateTime, formatNumber, formatWon } from '../logic/format';
import { href } from '../router';

// The customer detail's 추천 tab (managers, administrators): services, packages or visit times
// recommended for the customer (`GET /customers/{id}/recommendations`) by the algorithm chosen,
// each with its reasons and feedback buttons (`POST …/recommendations/{rid}/feedback`: feedback
// changes later recommendations, so the list is asked for again after one), and for a service
// the services customers use with it (`GET /recommendations/services/{code}/related`).

/** A code the API gives (category, frequency, weekday) in Korean: its label, or itself. */
function label(group: string, v: string | null | undefined): string | null {
  if (v === null || v === undefined || v === '') return null;
  const key = `${group}.${String(v).toLowerCase()}`;
  return hasKey(key) ? t(key) : String(v);
}

export function CustomerRecommendationsTab({ customerId }: { customerId: string }) {
  const [type, setType] = useState<RecType>('service');
  const [algorithm, setAlgorithm] = useState<RecAlgorithm>('hybrid');
  const [recorded, setRecorded] = useState<FeedbackAnswer | null>(null);
  // Answers kept while the tab is open (each request counts against the hourly recommendation
  // budget); a feedback changes later recommendations, so it empties them.
  const cache = useRef(new Map<string, RecommendationAnswer>());
  const related = useRef(new Map<string, RelatedAnswer>());
  const id = encodeURIComponent(customerId);
  const path = `/api/v1/customers/${id}/recommendations${qs({ type, count: REC_COUNT, algorithm })}`;
  const list = usePanel<RecommendationAnswer>(path, cache.current);
  const current = list.data && list.data.type === type ? list.data : null;

  const onRecorded = (answer: FeedbackAnswer) => {
    setRecorded(answer);
    toast(t('rec.feedbackDone', { item: answer.item?.name ?? '', action: t(`rec.action.${answer.action}` as I18nKey) }));
    cache.current.clear();
    list.reload();
  };

  const forbidden = isForbidden(list.error);
  return (
    <div class="customer-recs" data-testid="customer-recommendations" data-type={type} data-algorithm={algorithm}>
      <div class="tab-toolbar">
        <div class="segmented no-print" role="group" aria-label={t('rec.typeGroup')} data-testid="rec-types">
          {REC_TYPES.map((x) => (
            <button type="button" key={x} class={`seg${type === x ? ' on' : ''}`} aria-pressed={type === x} data-testid={`rec-type-${x}`} onClick={() => setType(x)}>
              {t(`rec.type.${x}` as I18nKey)}
            </button>
          ))}
        </div>
        <div class="segmented no-print" role="group" aria-label={t('rec.algorithmGroup')} data-testid="rec-algorithms">
          {REC_ALGORITHMS.map((x) => (
            <button
              type="button"
              key={x}
              class={`seg${algorithm === x ? ' on' : ''}`}
              aria-pressed={algorithm === x}
              title={t(`rec.algorithmTitle.${x}` as I18nKey)}
              data-testid={`rec-algorithm-${x}`}
              onClick={() => setAlgorithm(x)}
            >
              {t(`rec.algorithm.${x}` as I18nKey)}
            </button>
          ))}
        </div>
        <span class="print-only">
          <b>
            {t('detail.tab.recommendations')} · {t(`rec.type.${type}` as I18nKey)} · {t(`rec.algorithm.${algorithm}` as I18nKey)}
          </b>
        </span>
        <button type="button" class="btn btn-outline btn-sm no-print tab-print" data-testid="rec-print" onClick={() => window.print()}>
          {t('ca.print')}
        </button>
      </div>

      {recorded ? (
        <div class="notice success-notice" role="status" data-testid="rec-feedback-recorded" data-action={recorded.action} data-recommendation-id={recorded.recommendation_id}>
          {t('rec.feedbackDone', { item: recorded.item?.name ?? '', action: t(`rec.action.${recorded.action}` as I18nKey) })}{' '}
          <span class="muted small">
            {t('rec.feedbackWhen', { when: formatDateTime(recorded.given_on) })} · {t('rec.feedbackReloaded')}
          </span>
        </div>
      ) : null}

      <PanelCard
        testid="rec-panel"
        title={t('rec.title')}
        note={`${t(`rec.type.${type}` as I18nKey)} · ${t(`rec.algorithm.${algorithm}` as I18nKey)}`}
        state={list.error && !current ? 'error' : current ? (current.recommendations.length ? 'ready' : 'empty') : 'loading'}
        class={`rec-card-panel${list.loading && current ? ' is-stale' : ''}`}
        wide
      >
        {list.error && !list.loading ? (
          isModelNotReady(list.error) ? (
            <div class="notice" role="alert" data-testid="rec-error" data-code="MODEL_NOT_READY">
              {t('seg.notReady')}{' '}
              <a class="no-print" href={href({ name: 'analytics', section: 'segments' })}>
                {t('seg.goTrain')}
              </a>
            </div>
          ) : (
            <PanelError error={list.error} testid="rec-error" onRetry={forbidden ? undefined : list.reload} message={forbidden ? t('rec.forbidden') : undefined} />
          )
        ) : !current ? (
          <PanelSkeleton lines={6} />
        ) : current.recommendations.length === 0 ? (
          <div class="notice" data-testid="rec-empty">
            <b>{t('rec.empty')}</b> {current.reason ?? reasonOf(current.unavailable, 'recommendations') ?? t('rec.emptyWhy')}
          </div>
        ) : (
          <ol class="rec-list" data-testid="rec-list">
            {current.recommendations.map((r, i) => (
              <RecommendationCard key={r.recommendation_id} r={r} rank={i + 1} customerId={customerId} related={related.current} onRecorded={onRecorded} onStale={list.reload} />
            ))}
          </ol>
        )}
        {current?.recommendation_metadata ? <Metadata m={current.recommendation_metadata} /> : null}
      </PanelCard>
    </div>
  );
}

function Metadata({ m }: { m: NonNullable<RecommendationAnswer['recommendation_metadata']> }) {
  const parts = [
    m.generated_at ? t('rec.generatedAt', { when: formatDateTime(m.generated_at) }) : null,
    m.data_as_of ? t('rec.dataAsOf', { date: formatDate(m.data_as_of) }) : null,
    m.customers_in_model !== undefined && m.customers_in_model !== null ? t('rec.customersInModel', { n: formatNumber(m.customers_in_model) }) : null,
  ].filter(Boolean);
  return (
    <footer class="rec-meta muted small" data-testid="rec-metadata">
      {parts.join(' · ')}
      {m.factors_considered?.length ? <div>{t('rec.factors', { list: m.factors_considered.map((f) => label('rec.factor', f)).join(', ') })}</div> : null}
    </footer>
  );
}

function RecommendationCard(props: { r: Recommendation; rank: number; customerId: string; related: Map<string, RelatedAnswer>; onRecorded: (a: FeedbackAnswer) => void; onStale: () => void }) {
  const { r } = props;
  const [action, setAction] = useState<FeedbackAction | null>(null);
  const [showRelated, setShowRelated] = useState(false);
  const pct = Math.round(Math.max(0, Math.min(1, r.score ?? 0)) * 100);
  return (
    <li class="rec-item" data-testid="rec-card" data-recommendation-id={r.recommendation_id} data-code={r.item?.code} data-score={r.score} data-type={r.type}>
      <header class="rec-head">
        <span class="rec-rank mono">{props.rank}</span>
        <h3 class="rec-name" data-testid="rec-name">
          {r.item?.name ?? r.item?.code}
        </h3>
        <span class="rec-score" title={t('rec.scoreTitle')} data-testid="rec-score">
          <span class="part-track" aria-hidden="true">
            <span class="part-fill" style={{ width: `${pct}%` }} />
          </span>
          <span class="mono">{t('rec.score', { n: pct })}</span>
        </span>
      </header>
      <Details r={r} />
      {r.reasons?.length ? (
        <ul class="rec-reasons" data-testid="rec-reasons">
          {r.reasons.map((x) => (
            <li key={x}>{x}</li>
          ))}
        </ul>
      ) : null}
      <div class="rec-actions no-print">
        <span class="muted small">{t('rec.feedback')}</span>
        {FEEDBACK_ACTIONS.map((a) => (
          <button
            type="button"
            key={a}
            class={`btn btn-sm ${action === a ? 'btn-primary' : 'btn-outline'} feedback-${a}`}
            aria-pressed={action === a}
            title={t(`rec.actionTitle.${a}` as I18nKey)}
            data-testid={`rec-feedback-${a}`}
            onClick={() => setAction(action === a ? null : a)}
          >
            {t(`rec.action.${a}` as I18nKey)}
          </button>
        ))}
        {r.type === 'service' && r.item?.code ? (
          <button type="button" class="btn btn-ghost btn-sm" aria-expanded={showRelated} data-testid="rec-related-toggle" onClick={() => setShowRelated(!showRelated)}>
            {showRelated ? t('rec.relatedHide') : t('rec.relatedShow')}
          </button>
        ) : null}
      </div>
      {action ? (
        <FeedbackForm
          key={action}
          r={r}
          action={action}
          customerId={props.customerId}
          onCancel={() => setAction(null)}
          onDone={(a) => {
            setAction(null);
            props.onRecorded(a);
          }}
          onStale={props.onStale}
        />
      ) : null}
      {showRelated && r.item?.code ? <RelatedServices code={r.item.code} cache={props.related} /> : null}
    </li>
  );
}

function Details({ r }: { r: Recommendation }) {
  const s = r.service_details;
  const p = r.package_details;
  const when = r.schedule;
  const items: [string, string, string][] = [];
  if (s) {
    if (s.service_type && s.service_type !== r.item?.code) items.push(['service', t('rec.serviceType'), serviceName(s.service_type)]);
    const category = label('rec.category', s.category);
    if (category) items.push(['category', t('rec.category'), category]);
    if (s.intensity) items.push(['intensity', t('rec.intensity'), tEnum('intensity', s.intensity)]);
    if (s.duration_minutes) items.push(['duration', t('rec.duration'), t('common.minutes', { n: s.duration_minutes })]);
    if (s.price !== undefined && s.price !== null) items.push(['price', t('rec.price'), formatWon(s.price)]);
    const sched = s.suggested_schedule;
    if (sched && (sched.frequency || sched.duration)) {
      items.push(['suggested', t('rec.suggested'), [label('rec.frequency', sched.frequency), label('rec.frequency', sched.duration)].filter(Boolean).join(' · ')]);
    }
    if (sched?.best_times?.length) items.push(['best-times', t('rec.bestTimes'), sched.best_times.map((x) => label('timeSlot', x)).join(', ')]);
  }
  if (p) {
    if (p.sessions && Object.keys(p.sessions).length) {
      items.push(['sessions', t('rec.sessions'), Object.entries(p.sessions).map(([code, n]) => `${serviceName(code)} ${t('common.times', { n })}`).join(', ')]);
    }
    if (p.total_sessions) items.push(['total', t('rec.totalSessions'), t('common.times', { n: p.total_sessions })]);
    if (p.price !== undefined && p.price !== null) {
      const list = p.list_price && p.list_price > p.price ? ` (${t('rec.listPrice', { amount: formatWon(p.list_price) })})` : '';
      items.push(['price', t('rec.price'), `${formatWon(p.price)}${list}`]);
    }
    if (p.savings) items.push(['savings', t('rec.savings'), formatWon(p.savings)]);
    if (p.validity_days) items.push(['validity', t('rec.validity'), t('common.days', { n: formatNumber(p.validity_days) })]);
  }
  if (when) {
    items.push(['when', t('rec.when'), t('rec.whenValue', { date: formatDate(when.date), weekday: label('rec.weekday', when.weekday) ?? '', time: when.time })]);
    if (when.duration_minutes) items.push(['duration', t('rec.duration'), t('common.minutes', { n: when.duration_minutes })]);
    // The services are in the recommendation's name; listed only when the name does not say them.
    const names = when.service_names?.length ? when.service_names : (when.services ?? []).map((c) => serviceName(c));
    if (names.length && !names.every((n) => (r.item?.name ?? '').includes(n))) items.push(['services', t('rec.scheduleServices'), names.join(', ')]);
  }
  return (
    <>
      {items.length ? (
        <dl class="rec-details" data-testid="rec-details">
          {items.map(([k, l, v]) => (
            <div key={k} class="rec-detail" data-key={k}>
              <dt>{l}</dt>
              <dd>{v}</dd>
            </div>
          ))}
        </dl>
      ) : null}
      {p?.holding ? (
        <p class="rec-holding small" data-testid="rec-holding">
          {t('rec.holding', {
            n: p.holding.remaining_sessions,
            date: formatDate(p.holding.expiry_date),
            dday:
              p.holding.days_remaining > 0
                ? t('detail.daysLeft', { n: p.holding.days_remaining })
                : p.holding.days_remaining === 0
                  ? t('detail.dDay')
                  : t('detail.expiredAgo', { n: -p.holding.days_remaining }),
            status: tEnum('pkgStatus', p.holding.status),
          })}
        </p>
      ) : null}
    </>
  );
}

function FeedbackForm(props: { r: Recommendation; action: FeedbackAction; customerId: string; onCancel: () => void; onDone: (a: FeedbackAnswer) => void; onStale: () => void }) {
  const [score, setScore] = useState<number | null>(null);
  const [comment, setComment] = useState('');
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<{ general?: string; feedback_score?: string; comment?: string; notFound?: boolean }>({});
  const length = [...comment].length;
  const tooLong = length > MAX_COMMENT;

  const submit = async (e: Event) => {
    e.preventDefault();
    if (tooLong || busy) return;
    setBusy(true);
    setErrors({});
    try {
      const path = `/api/v1/customers/${encodeURIComponent(props.customerId)}/recommendations/${encodeURIComponent(props.r.recommendation_id)}/feedback`;
      const env = await api<FeedbackAnswer>('POST', path, feedbackBody(props.action, score, comment));
      props.onDone(env.data ?? { feedback_id: '', recommendation_id: props.r.recommendation_id, customer_id: props.customerId, type: props.r.type, item: props.r.item, action: props.action, feedback_score: score, comment, given_on: new Date().toISOString() });
    } catch (err) {
      const next: typeof errors = {};
      for (const fe of fieldErrorsOf(err)) {
        if (fe.field === 'feedback_score' || fe.field === 'comment') next[fe.field] = fe.message;
      }
      if (!next.feedback_score && !next.comment) next.general = describeError(err);
      next.notFound = err instanceof ApiError && (err.code === 'RECOMMENDATION_NOT_FOUND' || err.status === 404);
      setErrors(next);
      setBusy(false);
    }
  };

  return (
    <form class="feedback-form no-print" data-testid="rec-feedback-form" data-action={props.action} onSubmit={submit}>
      <div class="feedback-row">
        <span class="feedback-label">{t('rec.feedbackScore')}</span>
        <div class="segmented" role="group" aria-label={t('rec.feedbackScore')} data-testid="rec-feedback-scores">
          <button type="button" class={`seg${score === null ? ' on' : ''}`} aria-pressed={score === null} onClick={() => setScore(null)}>
            {t('rec.noScore')}
          </button>
          {[1, 2, 3, 4, 5].map((n) => (
            <button type="button" key={n} class={`seg${score === n ? ' on' : ''}`} aria-pressed={score === n} data-testid={`rec-feedback-score-${n}`} onClick={() => setScore(n)}>
              {n}
            </button>
          ))}
        </div>
      </div>
      {errors.feedback_score ? (
        <div class="field-error" role="alert" data-testid="rec-feedback-error-score">
          {errors.feedback_score}
        </div>
      ) : null}
      <label class="feedback-row feedback-comment">
        <span class="feedback-label">{t('rec.feedbackComment')}</span>
        <textarea
          class={`input${tooLong || errors.comment ? ' invalid' : ''}`}
          rows={2}
          data-testid="rec-feedback-comment"
          value={comment}
          placeholder={t('rec.feedbackCommentPlaceholder')}
          onInput={(e) => setComment((e.target as HTMLTextAreaElement).value)}
        />
      </label>
      <div class={`char-count small${tooLong ? ' over' : ''}`} data-testid="rec-feedback-count">
        {t('rec.commentCount', { n: length, max: MAX_COMMENT })}
      </div>
      {errors.comment || tooLong ? (
        <div class="field-error" role="alert" data-testid="rec-feedback-error-comment">
          {errors.comment ?? t('rec.commentTooLong', { max: MAX_COMMENT })}
        </div>
      ) : null}
      {errors.general ? (
        <div class="field-error" role="alert" data-testid="rec-feedback-error">
          {errors.general}{' '}
          {errors.notFound ? (
            <button type="button" class="btn btn-outline btn-xs" onClick={props.onStale}>
              {t('rec.reloadList')}
            </button>
          ) : null}
        </div>
      ) : null}
      <div class="feedback-buttons">
        <button type="button" class="btn btn-ghost btn-sm" onClick={props.onCancel} disabled={busy}>
          {t('common.cancel')}
        </button>
        <button type="submit" class="btn btn-primary btn-sm" data-testid="rec-feedback-submit" disabled={busy || tooLong}>
          {busy ? t('rec.feedbackSaving') : t('rec.feedbackSubmit', { action: t(`rec.action.${props.action}` as I18nKey) })}
        </button>
      </div>
    </form>
  );
}

function RelatedServices({ code, cache }: { code: string; cache: Map<string, RelatedAnswer> }) {
  const state = usePanel<RelatedAnswer>(`/api/v1/recommendations/services/${encodeURIComponent(code)}/related?limit=5`, cache);
  const { data, error } = state;
  return (
    <div class="rec-related" data-testid="rec-related" data-code={code} data-state={error ? 'error' : data ? 'ready' : 'loading'}>
      <h4>{t('rec.related')}</h4>
      {error ? (
        <PanelError error={error} testid="rec-related-error" onRetry={isForbidden(error) ? undefined : state.reload} />
      ) : !data ? (
        <PanelSkeleton lines={2} />
      ) : data.related_services.length === 0 ? (
        <p class="muted small" data-testid="rec-related-empty">
          {t('rec.relatedEmpty')}
        </p>
      ) : (
        <ul class="related-list">
          {data.related_services.map((x) => (
            <li key={x.service.code} data-testid="rec-related-item" data-code={x.service.code}>
              <b>{x.service.name}</b> <span class="tag">{label('rec.relation', x.relation_type)}</span>{' '}
              <span class="muted small">
                {/* How often they go together is for services used together; a similar effect says its reason. */}
                {[
                  x.relation_type === 'frequently_used_together' && x.confidence !== null && x.confidence !== undefined ? t('rec.confidence', { v: fractionPercent(x.confidence)! }) : null,
                  x.relation_type === 'frequently_used_together' && x.lift !== null && x.lift !== undefined ? t('rec.lift', { v: formatNumber(x.lift, 2) }) : null,
                ]
                  .filter(Boolean)
                  .join(' · ')}
              </span>
              {x.reasons?.length ? <div class="muted small">{x.reasons.join(' · ')}</div> : null}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
