import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { ApiError, api } from '../api';
import { ChartView } from '../components/Chart';
import { Modal } from '../components/Modal';
import { PanelError, PanelSkeleton, usePanel } from '../components/Panel';
import { ErrorBox } from '../components/ui';
import { toast } from '../context';
import { t, type I18nKey } from '../i18n';
import type { ChartName } from '../logic/analytics';
import {
  TRAIN_POLL_MS,
  decimal3,
  isForbidden,
  progressPercent,
  servingModel,
  type ModelList,
  type ModelVersion,
  type TrainJob,
} from '../logic/customerAnalytics';
import { describeError } from '../logic/errors';
import { formatKstDateTime, formatNumber } from '../logic/format';

// 경영 분석's 고객 세그먼트 section (managers, administrators): the customer model that serves
// (`GET /api/v1/analysis/models`: its segments with their personas and sizes, its held-out
// metrics, versions refused and why), its two charts, and 모델 다시 학습 — a confirmation, then
// `POST /api/v1/analysis/models/train` and its progress polled until done or failed.

/** An account id (UUID), as opposed to a name. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** How many failed polls in a row end the watch (the job itself goes on on the server). */
const MAX_POLL_FAILURES = 5;

/** Progress details meant for people: the Korean ones (the CLI's English ones are left out). */
function readableDetail(detail: string | null | undefined): string | null {
  if (!detail) return null;
  return /[A-Za-z]{3,}/.test(detail) ? null : detail;
}

type Outcome = { kind: 'done'; version: string | null } | { kind: 'failed'; message: string; code?: string } | { kind: 'lost'; message: string };

export function ModelSection({ focus }: { focus?: boolean }) {
  const models = usePanel<ModelList>('/api/v1/analysis/models');
  // Charts drawn again (and the list asked again) once a newly trained model serves.
  const [generation, setGeneration] = useState(0);
  const [confirm, setConfirm] = useState(false);
  const [starting, setStarting] = useState(false);
  const [startError, setStartError] = useState<string | null>(null);
  const [job, setJob] = useState<TrainJob | null>(null);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const section = useRef<HTMLElement>(null);

  // Opened to this section (`#/analytics?section=segments`): scrolled to, and again once the
  // model is in (the cards above it grow as their figures arrive).
  const ready = models.data !== null || models.error !== null;
  useLayoutEffect(() => {
    if (focus) section.current?.scrollIntoView?.({ block: 'start' });
  }, [focus, ready]);

  // Polls the running job every ~700 ms; stops when it ends, or when the screen is left.
  const jobId = job?.state === 'running' ? job.job_id : null;
  useEffect(() => {
    if (!jobId) return;
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let failures = 0;
    const poll = () => {
      timer = setTimeout(async () => {
        try {
          const r = await api<TrainJob>('GET', `/api/v1/analysis/models/train/${encodeURIComponent(jobId)}`);
          if (!live) return;
          failures = 0;
          const next = r.data;
          setJob(next);
          if (next.state === 'done') {
            setOutcome({ kind: 'done', version: next.version ?? null });
            setGeneration((g) => g + 1);
            models.reload();
            toast(t('model.doneToast', { version: next.version ?? '' }));
          } else if (next.state === 'failed') {
            setOutcome({ kind: 'failed', message: next.error?.message ?? t('err.generic'), code: next.error?.code });
          } else {
            poll();
          }
        } catch (e) {
          if (!live) return;
          failures += 1;
          const gone = e instanceof ApiError && (e.status === 404 || e.code === 'TRAINING_JOB_NOT_FOUND');
          if (gone || isForbidden(e) || failures >= MAX_POLL_FAILURES) {
            setJob((j) => (j ? { ...j, state: 'failed' } : j));
            setOutcome({ kind: 'lost', message: describeError(e) });
          } else {
            poll();
          }
        }
      }, TRAIN_POLL_MS);
    };
    poll();
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [jobId]);

  const start = async () => {
    setStarting(true);
    setStartError(null);
    try {
      const r = await api<TrainJob>('POST', '/api/v1/analysis/models/train');
      setOutcome(null);
      setJob({ fraction: 0, ...r.data, state: 'running' });
      setConfirm(false);
    } catch (e) {
      const running = e instanceof ApiError && e.code === 'TRAINING_IN_PROGRESS';
      const runningId = running && typeof (e as ApiError).details?.job_id === 'string' ? ((e as ApiError).details!.job_id as string) : null;
      setConfirm(false);
      if (runningId) {
        // One is running already (started elsewhere): show its progress.
        setOutcome(null);
        setJob({ job_id: runningId, state: 'running', fraction: 0 });
      }
      setStartError(describeError(e));
    } finally {
      setStarting(false);
    }
  };

  const running = job?.state === 'running';
  const list = models.data;
  const serving = servingModel(list);

  return (
    <section class="model-section" id="segments" ref={section} data-testid="model-section" aria-labelledby="model-section-title">
      <header class="model-section-head">
        <h2 id="model-section-title">
          {t('model.title')} <span class="section-note">{t('model.note')}</span>
        </h2>
        <button type="button" class="btn btn-primary btn-sm no-print" data-testid="model-retrain" disabled={running || starting} onClick={() => setConfirm(true)}>
          {running ? t('model.training') : t('model.retrain')}
        </button>
      </header>

      {startError ? (
        <ErrorBox testid="model-start-error">
          <span>{startError}</span>
        </ErrorBox>
      ) : null}
      {job && (running || outcome) ? <TrainProgress job={job} outcome={outcome} list={list} loadingList={models.loading} /> : null}

      <div class="model-grid">
        <section class="card model-card" data-testid="model-card" data-state={models.error ? 'error' : list ? 'ready' : 'loading'} data-serving={list?.serving ?? ''}>
          <header class="card-head">
            <h2>{t('model.serving')}</h2>
          </header>
          <div class={`card-body${models.loading && list ? ' is-stale' : ''}`}>
            {models.error && !list ? (
              <PanelError error={models.error} testid="model-error" onRetry={isForbidden(models.error) ? undefined : models.reload} message={isForbidden(models.error) ? t('analytics.forbidden') : undefined} />
            ) : !list ? (
              <PanelSkeleton lines={6} />
            ) : (
              <ModelSummary list={list} serving={serving} />
            )}
          </div>
        </section>
        <ModelChart name="segment-scatter" generation={generation} />
        <ModelChart name="churn-risk" generation={generation} />
      </div>

      {confirm ? (
        <Modal
          title={t('model.confirmTitle')}
          testid="model-train-dialog"
          onClose={() => setConfirm(false)}
          busy={starting}
          width={520}
          footer={
            <>
              <button type="button" class="btn btn-ghost" onClick={() => setConfirm(false)} disabled={starting}>
                {t('common.cancel')}
              </button>
              <button type="button" class="btn btn-primary" data-testid="model-train-confirm" data-autofocus onClick={start} disabled={starting}>
                {starting ? t('model.starting') : t('model.confirmStart')}
              </button>
            </>
          }
        >
          <p>{t('model.confirmBody1')}</p>
          <p>{t('model.confirmBody2')}</p>
          <p class="muted small">{t('model.confirmBody3', { version: list?.serving ?? t('model.noneShort') })}</p>
        </Modal>
      ) : null}
    </section>
  );
}

function TrainProgress({ job, outcome, list, loadingList }: { job: TrainJob; outcome: Outcome | null; list: ModelList | null; loadingList: boolean }) {
  const box = useRef<HTMLDivElement>(null);
  // Started below the fold: brought into view.
  useEffect(() => {
    box.current?.scrollIntoView?.({ block: 'nearest' });
  }, [job.job_id]);
  const pct = progressPercent(outcome?.kind === 'done' ? 1 : job.fraction);
  const state = outcome ? outcome.kind : 'running';
  const detail = readableDetail(job.detail);
  let message: string | null = null;
  if (outcome?.kind === 'done') {
    const version = outcome.version;
    const refused = list?.refused.find((r) => r.version === version);
    if (loadingList || !list) message = t('model.doneLoading', { version: version ?? '' });
    else if (version && list.serving === version) message = t('model.done', { version });
    else if (refused) message = t('model.doneRefused', { version: version ?? '', reason: refused.reason });
    else message = t('model.doneNotServing', { version: version ?? '', serving: list.serving ?? t('model.noneShort') });
  } else if (outcome?.kind === 'failed') {
    message = t('model.failed', { message: outcome.message });
  } else if (outcome?.kind === 'lost') {
    message = t('model.lost', { message: outcome.message });
  }
  return (
    <div ref={box} class={`train-progress train-${state}`} data-testid="train-progress" data-state={state} data-stage={job.stage ?? ''} data-fraction={job.fraction ?? 0} data-job-id={job.job_id}>
      <div class="train-progress-line">
        <b data-testid="train-stage">{outcome?.kind === 'done' ? t('model.stageDone') : (job.stage_label ?? t('model.stageStarting'))}</b>
        <span class="mono" data-testid="train-percent">
          {pct}%
        </span>
        {detail && state === 'running' ? <span class="muted small">{detail}</span> : null}
      </div>
      <div class="train-track" role="progressbar" aria-label={t('model.progressLabel')} aria-valuemin={0} aria-valuemax={100} aria-valuenow={pct}>
        <span class="train-fill" style={{ width: `${pct}%` }} />
      </div>
      {message ? (
        <div class={outcome?.kind === 'done' ? 'train-message' : 'train-message error'} role={outcome?.kind === 'done' ? 'status' : 'alert'} data-testid="train-message" data-code={outcome?.kind === 'failed' ? outcome.code : undefined}>
          {message}
        </div>
      ) : (
        <div class="muted small">{t('model.trainingNote')}</div>
      )}
    </div>
  );
}

function ModelSummary({ list, serving }: { list: ModelList; serving: ModelVersion | null }) {
  const others = list.items.filter((m) => m.version !== list.serving);
  return (
    <>
      {serving ? <ServingModel m={serving} /> : <div class="notice" data-testid="model-none">{list.serving ? t('model.servingUnlisted', { version: list.serving }) : t('model.none')}</div>}
      {list.refused.length ? (
        <div class="model-refused" data-testid="model-refused">
          <h3 class="panel-sub">{t('model.refused')}</h3>
          <ul class="reason-list">
            {list.refused.map((r) => (
              <li key={r.version} data-version={r.version} data-testid="model-refused-item">
                <span class="mono">{r.version}</span> — {r.reason}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      {others.length ? (
        <details class="model-history">
          <summary>{t('model.history', { n: others.length })}</summary>
          <ul class="reason-list small">
            {others.map((m) => (
              <li key={m.version}>
                <span class="mono">{m.version}</span> · {formatKstDateTime(m.trained_at)}
                {m.report?.silhouette !== undefined && m.report?.silhouette !== null ? ` · ${t('model.silhouette')} ${decimal3(m.report.silhouette)}` : ''}
              </li>
            ))}
          </ul>
        </details>
      ) : null}
    </>
  );
}

function ServingModel({ m }: { m: ModelVersion }) {
  const r = m.report ?? {};
  const churn = r.churn;
  const clusters = [...(r.clusters ?? [])].sort((a, b) => b.size - a.size);
  return (
    <>
      <dl class="figures" data-testid="model-serving" data-version={m.version}>
        <dt>{t('model.version')}</dt>
        <dd class="mono" data-testid="model-serving-version">
          {m.version}
        </dd>
        <dt>{t('model.trainedAt')}</dt>
        <dd class="mono">
          {formatKstDateTime(m.trained_at)}
          {/* Who trained it, when the server names them (a bare account id says nothing to a reader). */}
          {m.trained_by && !UUID.test(m.trained_by) ? <span class="muted"> · {m.trained_by}</span> : null}
        </dd>
        {r.data_as_of ? (
          <>
            <dt>{t('model.dataAsOf')}</dt>
            <dd class="mono">{r.data_as_of}</dd>
          </>
        ) : null}
        {r.n_customers !== undefined ? (
          <>
            <dt>{t('model.customers')}</dt>
            <dd>{t('model.customersN', { n: formatNumber(r.n_customers) })}</dd>
          </>
        ) : null}
      </dl>

      <h3 class="panel-sub">{t('model.metrics')}</h3>
      <dl class="figures" data-testid="model-metrics">
        <dt>{t('model.silhouette')}</dt>
        <dd data-testid="model-silhouette" data-value={r.silhouette ?? undefined}>
          <b class="mono">{decimal3(r.silhouette) ?? t('common.empty')}</b> <span class="muted small">{t('model.silhouetteNote', { k: r.k ?? clusters.length })}</span>
        </dd>
        <dt>{t('model.auc')}</dt>
        <dd data-testid="model-auc" data-value={churn?.auc ?? undefined} data-baseline={churn?.baseline_auc ?? undefined} data-beats={churn ? String(churn.beats_baseline) : 'none'}>
          {churn ? (
            <>
              <b class="mono">{decimal3(churn.auc) ?? t('common.empty')}</b>{' '}
              <span class="muted small">{t('model.vsBaseline', { auc: decimal3(churn.baseline_auc) ?? t('common.empty'), baseline: t(`model.baseline.${churn.baseline}` as I18nKey) })}</span>
              <div class={`accuracy-verdict ${churn.beats_baseline ? 'better' : 'worse'}`} data-testid="model-verdict">
                {churn.beats_baseline ? `✓ ${t('model.beats')}` : `✗ ${t('model.notBeats')}`}
              </div>
              {churn.n_test !== undefined && churn.test_cutoff ? (
                <div class="muted small">{t('model.churnTest', { cutoff: churn.test_cutoff, n: formatNumber(churn.n_test), p: formatNumber(churn.positives_test ?? 0) })}</div>
              ) : null}
            </>
          ) : (
            <span class="no-value" data-testid="model-churn-unavailable">
              {r.churn_unavailable ?? t('model.churnNone')}
            </span>
          )}
        </dd>
      </dl>

      <h3 class="panel-sub">{t('model.segments', { n: clusters.length })}</h3>
      {clusters.length ? (
        <ul class="persona-list" data-testid="model-segments">
          {clusters.map((c) => (
            <li key={c.cluster_id} data-testid="model-segment" data-cluster={c.cluster_id} data-size={c.size}>
              <div class="persona-head">
                <b>{c.persona}</b>
                <span class="mono persona-size">
                  {t('model.customersN', { n: formatNumber(c.size) })} · {`${(c.share * 100).toFixed(1)}%`}
                </span>
              </div>
              <span class="part-track" aria-hidden="true">
                <span class="part-fill" style={{ width: `${Math.round(c.share * 100)}%` }} />
              </span>
              <p class="muted small">{c.description}</p>
            </li>
          ))}
        </ul>
      ) : (
        <p class="muted small">{t('common.empty')}</p>
      )}
    </>
  );
}

function ModelChart({ name, generation }: { name: ChartName; generation: number }) {
  const title = t(`analytics.chart.${name}` as I18nKey);
  return (
    <section class="card chart-card" data-testid={`chart-card-${name}`} aria-label={title}>
      <h2 class="sr-only">{title}</h2>
      <div class="card-body">
        <ChartView name={name} query="" label={title} refreshKey={generation} />
      </div>
    </section>
  );
}
