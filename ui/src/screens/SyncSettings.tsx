import { useState } from 'preact/hooks';
import { ConnectOutcome, SyncConnectForm } from '../components/SyncConnectForm';
import { SyncNow } from '../components/SyncNow';
import { Card, ErrorBox, Spinner } from '../components/ui';
import { useApp } from '../context';
import { t } from '../i18n';
import { formatKstDateTime } from '../logic/format';
import { attentionCount, canManageSync, indicatorState, splitLastError } from '../logic/sync';
import { href } from '../router';
import { refreshSyncStatus, useSyncStatus } from '../syncState';
import type { SyncConnected, SyncStatus } from '../types';

/** 동기화 설정 (`#/sync`): managers and admins; anyone else is told so, and nothing is asked. */
export function SyncSettingsScreen() {
  const { user } = useApp();
  if (!canManageSync(user.role)) {
    return (
      <div class="screen sync-screen">
        <ErrorBox testid="sync-forbidden">{t('syncSettings.forbidden')}</ErrorBox>
      </div>
    );
  }
  return <SyncSettings />;
}

/**
 * This computer's sync: its state in full (the indicator's details), and — on a PC — the form
 * that connects it to the clinic's central server. The central server itself connects to no
 * one: it says so and points to the devices that connect to it.
 */
function SyncSettings() {
  const { status, unreachable } = useSyncStatus();
  const [connected, setConnected] = useState<SyncConnected | null>(null);

  return (
    <div class="screen sync-screen" data-testid="sync-screen">
      <div class="screen-head">
        <h1>{t('syncSettings.title')}</h1>
      </div>
      <p class="muted sync-explain">{t('syncSettings.explain')}</p>
      {status === null && unreachable ? (
        <ErrorBox testid="sync-status-error">
          {t('syncSettings.loadError')}
          <button type="button" class="btn btn-sm btn-outline" onClick={() => void refreshSyncStatus()}>
            {t('common.retry')}
          </button>
        </ErrorBox>
      ) : null}
      {status === null && !unreachable ? <Spinner /> : null}
      {status ? <StatusCard status={status} unreachable={unreachable} /> : null}
      {status?.role === 'central' ? (
        <Card heading={t('syncSettings.roleCentral')} class="sync-card" data-testid="sync-central">
          <p class="sync-card-text">{t('syncSettings.centralExplain')}</p>
          <a class="btn btn-outline btn-sm" href={href({ name: 'devices' })} data-testid="sync-devices-link">
            {t('syncSettings.devicesLink')}
          </a>
        </Card>
      ) : null}
      {status?.role === 'node' ? (
        <Card heading={status.connected ? t('syncSettings.reconnectTitle') : t('syncSettings.connectTitle')} class="sync-card" data-testid="sync-connect-card">
          <div class="stack">
            <p class="muted sync-card-text">{t('syncSettings.connectExplain')}</p>
            {status.connected && !connected ? (
              <div class="notice" data-testid="sync-reconnect-warning">
                {t('syncSettings.reconnectWarning')}
              </div>
            ) : null}
            {connected ? <ConnectOutcome result={connected} /> : null}
            <SyncConnectForm
              initialUrl={status.server_url}
              onConnected={(result) => {
                setConnected(result);
                void refreshSyncStatus();
              }}
            />
          </div>
        </Card>
      ) : null}
    </div>
  );
}

function StatusCard({ status, unreachable }: { status: SyncStatus; unreachable: boolean }) {
  const state = indicatorState(status, unreachable);
  const node = status.role === 'node';
  const lastError = splitLastError(status.last_error);
  const problems = attentionCount(status);
  const none = <span class="muted">{t('syncSettings.none')}</span>;
  return (
    <Card
      heading={t('syncSettings.status')}
      class="sync-card"
      data-testid="sync-status-card"
      data-role={status.role}
      actions={node && status.connected ? <SyncNow /> : null}
    >
      {unreachable ? (
        <p class="notice small sync-stale" data-testid="sync-stale">
          {t('syncSettings.stale')}
        </p>
      ) : null}
      <dl class="kv sync-status-kv">
        <dt>{t('syncSettings.computer')}</dt>
        <dd data-testid="sync-role">{node ? t('syncSettings.roleNode') : t('syncSettings.roleCentral')}</dd>
        {node ? (
          <>
            <dt>{t('syncSettings.connection')}</dt>
            <dd>
              <span class={`sync-state-pill state-${state}`} data-testid="sync-connection" data-state={state}>
                <span class="sync-dot" aria-hidden="true" />
                {t(state === 'online' ? 'sync.online' : state === 'disconnected' ? 'sync.notConnected' : 'sync.offline')}
              </span>
            </dd>
            <dt>{t('syncSettings.serverUrl')}</dt>
            <dd data-testid="sync-server-url">{status.server_url ?? none}</dd>
            <dt>{t('syncSettings.deviceId')}</dt>
            <dd class="mono small" data-testid="sync-device-id">
              {status.device_id ?? none}
            </dd>
            <dt>{t('sync.lastSyncLabel')}</dt>
            <dd class="mono" data-testid="sync-last-sync">
              {status.last_sync_at ? formatKstDateTime(status.last_sync_at) : <span class="muted">{t('sync.neverSynced')}</span>}
            </dd>
            <dt>{t('syncSettings.lastAttempt')}</dt>
            <dd class="mono" data-testid="sync-last-attempt">
              {status.last_attempt_at ? formatKstDateTime(status.last_attempt_at) : none}
            </dd>
            <dt>{t('sync.lastErrorLabel')}</dt>
            <dd data-testid="sync-last-error">
              {lastError ? (
                <span class="sync-error-text">
                  {lastError.message}
                  {lastError.code ? <span class="mono small muted sync-error-code">{lastError.code}</span> : null}
                </span>
              ) : (
                none
              )}
            </dd>
            <dt>{t('sync.pendingLabel')}</dt>
            <dd data-testid="sync-pending-count" data-value={status.pending_changes}>
              {t('sync.countN', { n: status.pending_changes })}
            </dd>
          </>
        ) : null}
        <dt>{t('syncSettings.problems')}</dt>
        <dd data-testid="sync-problems" data-count={problems}>
          {t('syncSettings.problemsN', { conflicts: status.conflicts, overdrawn: status.overdrawn_packages, merges: status.merge_candidates })}{' '}
          <a href={href({ name: 'syncConflicts' })} data-testid="sync-conflicts-link">
            {t('sync.openConflicts')}
          </a>
        </dd>
      </dl>
    </Card>
  );
}
