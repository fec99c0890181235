import { useEffect, useState } from 'preact/hooks';
import { ApiError, api } from '../api';
import { Card, ErrorBox, Spinner } from '../components/ui';
import { toast, useApp } from '../context';
import { t } from '../i18n';
import { describeError } from '../logic/errors';
import { formatKstDateTime } from '../logic/format';
import { canManageSync, conflictEntityName, conflictFieldLabel, conflictValueText, syncErrorText } from '../logic/sync';
import { href } from '../router';
import { refreshSyncStatus } from '../syncState';
import type { ConflictSide, MergeCandidate, OverdrawnPackage, SyncConflict, SyncConflicts } from '../types';

// `GET /api/v1/sync/conflicts` → {conflicts, overdrawn_packages, merge_candidates};
// `POST /api/v1/sync/conflicts/{id}/resolve {choice: "kept"|"lost"}` settles one conflict
// (404 SYNC_CONFLICT_NOT_FOUND when someone settled it first).

export type ConflictChoice = 'kept' | 'lost';

/** 동기화 충돌 (`#/sync/conflicts`): managers and admins; anyone else is told so, and nothing is asked. */
export function SyncConflictsScreen() {
  const { user } = useApp();
  if (!canManageSync(user.role)) return <Forbidden />;
  return <Conflicts />;
}

function Forbidden() {
  return (
    <div class="screen sync-conflicts-screen">
      <ErrorBox testid="sync-conflicts-forbidden">{t('conflicts.forbidden')}</ErrorBox>
    </div>
  );
}

function Conflicts() {
  const [data, setData] = useState<SyncConflicts | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [forbidden, setForbidden] = useState(false);
  const [tick, setTick] = useState(0);
  // One resolution at a time: the list is fetched again after each.
  const [resolving, setResolving] = useState<string | null>(null);
  const [cardErrors, setCardErrors] = useState<Record<string, string>>({});
  const reload = () => setTick((x) => x + 1);

  useEffect(() => {
    let live = true;
    setError(null);
    api<SyncConflicts>('GET', '/api/v1/sync/conflicts')
      .then((env) => live && setData(env.data))
      .catch((e) => {
        if (!live) return;
        if (e instanceof ApiError && e.status === 403) setForbidden(true);
        else setError(describeError(e));
      });
    return () => {
      live = false;
    };
  }, [tick]);

  const resolve = async (c: SyncConflict, choice: ConflictChoice) => {
    if (resolving || c.hidden) return;
    setResolving(c.id);
    setCardErrors((x) => {
      const rest = { ...x };
      delete rest[c.id];
      return rest;
    });
    const field = conflictFieldLabel(c.entity, c.field);
    try {
      await api('POST', `/api/v1/sync/conflicts/${encodeURIComponent(c.id)}/resolve`, { choice });
      toast(t(choice === 'kept' ? 'conflicts.keptDone' : 'conflicts.lostDone', { field }));
      reload();
      // The indicator's count goes down with it.
      void refreshSyncStatus();
    } catch (e) {
      if (e instanceof ApiError && e.code === 'SYNC_CONFLICT_NOT_FOUND') {
        // Settled elsewhere meanwhile: say so and show the list as it is now.
        toast(syncErrorText(e), 'info', 6000);
        reload();
        void refreshSyncStatus();
      } else {
        setCardErrors((x) => ({ ...x, [c.id]: describeError(e) }));
      }
    } finally {
      setResolving(null);
    }
  };

  if (forbidden) return <Forbidden />;

  return (
    <div class="screen sync-conflicts-screen" data-testid="sync-conflicts-screen">
      <div class="screen-head">
        <h1>{t('conflicts.title')}</h1>
      </div>
      {error ? (
        <ErrorBox testid="sync-conflicts-error">
          {error}
          <button type="button" class="btn btn-sm btn-outline" onClick={reload}>
            {t('common.retry')}
          </button>
        </ErrorBox>
      ) : null}
      {data === null && !error ? <Spinner /> : null}
      {data ? (
        <>
          <Card heading={<SectionHeading title={t('conflicts.section')} n={data.conflicts.length} />} class="sync-section" data-testid="conflicts-section">
            <p class="muted sync-section-explain">{t('conflicts.explain')}</p>
            {data.conflicts.length === 0 ? (
              <div class="empty" data-testid="conflicts-empty">
                {t('conflicts.empty')}
              </div>
            ) : (
              <div class="conflict-list">
                {data.conflicts.map((c) => (
                  <ConflictCard key={c.id} conflict={c} busy={resolving !== null} error={cardErrors[c.id] ?? null} onResolve={(choice) => void resolve(c, choice)} />
                ))}
              </div>
            )}
          </Card>
          <Card heading={<SectionHeading title={t('conflicts.overdrawn')} n={data.overdrawn_packages.length} />} class="sync-section" data-testid="overdrawn-section">
            <p class="muted sync-section-explain" data-testid="overdrawn-explain">
              {t('conflicts.overdrawnExplain')}
            </p>
            {data.overdrawn_packages.length === 0 ? (
              <div class="empty" data-testid="overdrawn-empty">
                {t('conflicts.overdrawnEmpty')}
              </div>
            ) : (
              <OverdrawnTable rows={data.overdrawn_packages} />
            )}
          </Card>
          <Card heading={<SectionHeading title={t('conflicts.merges')} n={data.merge_candidates.length} />} class="sync-section" data-testid="merges-section">
            <p class="muted sync-section-explain">{t('conflicts.mergesExplain')}</p>
            {data.merge_candidates.length === 0 ? (
              <div class="empty" data-testid="merges-empty">
                {t('conflicts.mergesEmpty')}
              </div>
            ) : (
              <MergeTable rows={data.merge_candidates} />
            )}
          </Card>
        </>
      ) : null}
    </div>
  );
}

function SectionHeading({ title, n }: { title: string; n: number }) {
  return (
    <>
      {title}
      <span class="count" data-testid="section-count">
        {t('conflicts.countN', { n })}
      </span>
    </>
  );
}

/** A conflict's row for people: the customer's (or user's) name, else what kind of row it is. */
function rowLabel(c: SyncConflict): string {
  if (c.label) return c.label;
  return c.entity === 'customer' ? t('conflicts.unnamed') : conflictEntityName(c.entity);
}

/**
 * One field two PCs changed differently: both values side by side, each with when it was
 * written and the button that makes it the value everywhere. A health field this role may
 * not see shows neither value and offers neither button.
 */
function ConflictCard(props: { conflict: SyncConflict; busy: boolean; error: string | null; onResolve: (choice: ConflictChoice) => void }) {
  const c = props.conflict;
  const field = conflictFieldLabel(c.entity, c.field);
  const label = rowLabel(c);
  return (
    <article class="conflict-card" data-testid="conflict-card" data-conflict-id={c.id} data-field={c.field} data-hidden={String(c.hidden)}>
      <header class="conflict-head">
        <span class="conflict-row">
          {c.entity === 'customer' ? (
            <a href={href({ name: 'detail', id: c.entity_id })} data-testid="conflict-label">
              {label}
            </a>
          ) : (
            <span data-testid="conflict-label">{label}</span>
          )}
          <span class="badge" data-testid="conflict-entity">
            {conflictEntityName(c.entity)}
          </span>
        </span>
        <span class="conflict-field" data-testid="conflict-field">
          {field}
        </span>
        <span class="grow" />
        <span class="muted small mono">{t('conflicts.detectedAt', { time: formatKstDateTime(c.detected_at) })}</span>
      </header>
      <div class="conflict-sides">
        <Side which="kept" conflict={c} side={c.kept} field={field} busy={props.busy} onResolve={props.onResolve} />
        <Side which="lost" conflict={c} side={c.lost} field={field} busy={props.busy} onResolve={props.onResolve} />
      </div>
      {c.hidden ? (
        <p class="muted small conflict-hidden-note" data-testid="conflict-hidden-note">
          {t('conflicts.hiddenNote')}
        </p>
      ) : null}
      {props.error ? <ErrorBox testid="conflict-error">{props.error}</ErrorBox> : null}
    </article>
  );
}

function Side(props: { which: ConflictChoice; conflict: SyncConflict; side: ConflictSide; field: string; busy: boolean; onResolve: (choice: ConflictChoice) => void }) {
  const { which, conflict: c, side } = props;
  const kept = which === 'kept';
  return (
    <section class={`conflict-side side-${which}`} data-testid={`conflict-${which}`}>
      <h3 class="conflict-side-title">{t(kept ? 'conflicts.kept' : 'conflicts.lost')}</h3>
      <div class={`conflict-value${c.hidden ? ' hidden-value' : ''}`} data-testid={`conflict-${which}-value`}>
        {c.hidden ? t('conflicts.hidden') : conflictValueText(c.entity, c.field, side.value)}
      </div>
      <div class="muted small mono" data-testid={`conflict-${which}-at`}>
        {side.at ? t('conflicts.changedAt', { time: formatKstDateTime(side.at) }) : t('conflicts.unknownTime')}
      </div>
      <button
        type="button"
        class={`btn btn-sm ${kept ? 'btn-outline' : 'btn-primary'}`}
        data-testid={kept ? 'conflict-keep' : 'conflict-use-lost'}
        aria-label={t(kept ? 'conflicts.keepOf' : 'conflicts.useLostOf', { field: props.field })}
        disabled={c.hidden || props.busy}
        onClick={() => props.onResolve(which)}
      >
        {t(kept ? 'conflicts.keep' : 'conflicts.useLost')}
      </button>
    </section>
  );
}

function OverdrawnTable({ rows }: { rows: OverdrawnPackage[] }) {
  return (
    <div class="table-wrap flat">
      <table class="table sync-table" data-testid="overdrawn-table">
        <thead>
          <tr>
            <th>{t('conflicts.colCustomer')}</th>
            <th>{t('conflicts.colPackage')}</th>
            <th class="num">{t('conflicts.colOver')}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.purchase_id} data-testid="overdrawn-row" data-purchase-id={r.purchase_id}>
              <td>
                <a href={href({ name: 'detail', id: r.customer_id })} data-testid="overdrawn-customer">
                  {r.customer_name ?? t('conflicts.unnamed')}
                </a>
              </td>
              <td data-testid="overdrawn-package">{r.package_name ?? t('common.empty')}</td>
              <td class="num">
                <span class="badge sync-over" data-testid="overdrawn-count" data-value={r.overdrawn_sessions}>
                  {t('conflicts.overN', { n: r.overdrawn_sessions })}
                </span>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function MergeTable({ rows }: { rows: MergeCandidate[] }) {
  return (
    <div class="table-wrap flat">
      <table class="table sync-table" data-testid="merges-table">
        <thead>
          <tr>
            <th>{t('conflicts.colName')}</th>
            <th>{t('conflicts.colRecords')}</th>
            <th>{t('conflicts.colDetected')}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((m) => (
            <tr key={`${m.customer_a}-${m.customer_b}`} data-testid="merge-row">
              <td class="cell-name" data-testid="merge-name">
                {m.name ?? t('conflicts.unnamed')}
              </td>
              <td>
                <span class="merge-links">
                  <a href={href({ name: 'detail', id: m.customer_a })} data-testid="merge-a">
                    {t('conflicts.recordA')}
                  </a>
                  <a href={href({ name: 'detail', id: m.customer_b })} data-testid="merge-b">
                    {t('conflicts.recordB')}
                  </a>
                </span>
              </td>
              <td class="mono">{formatKstDateTime(m.detected_at)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
