import { useEffect, useRef, useState } from 'preact/hooks';
import { t, type I18nKey } from '../i18n';
import { formatKstDateTime } from '../logic/format';
import { attentionCount, canManageSync, indicatorState, pullPercent, splitLastError, syncTime, type IndicatorState } from '../logic/sync';
import { href } from '../router';
import { useSyncStatus } from '../syncState';
import type { SyncStatus, User } from '../types';
import { SyncNow } from './SyncNow';

const STATE_LABEL: Record<IndicatorState, I18nKey> = {
  unknown: 'sync.label',
  central: 'sync.central',
  disconnected: 'sync.notConnected',
  online: 'sync.online',
  offline: 'sync.offline',
};

/**
 * The sync state in the top bar, on every screen: 온라인/오프라인 with what waits to be sent and
 * when this PC last synced (two short lines, so that it fits beside the account menu in a
 * 1024 px window), a badge for the problems sync found, and — clicked — the details and
 * 지금 동기화. A PC not connected yet links admins and managers straight to the connect screen.
 */
export function SyncIndicator({ user }: { user: User }) {
  const { status, unreachable, busy } = useSyncStatus();
  const [open, setOpen] = useState(false);
  const ref = useRef<HTMLDivElement>(null);
  const manage = canManageSync(user.role);
  const state = indicatorState(status, unreachable);
  const attention = attentionCount(status);

  useEffect(() => {
    if (!open) return;
    const onDown = (e: MouseEvent) => {
      if (ref.current && !ref.current.contains(e.target as Node)) setOpen(false);
    };
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') setOpen(false);
    };
    document.addEventListener('mousedown', onDown);
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('mousedown', onDown);
      document.removeEventListener('keydown', onKey);
    };
  }, [open]);

  const label = t(STATE_LABEL[state]);
  const pending = state !== 'central' && status?.role === 'node' && status.connected ? status.pending_changes : 0;
  // The second line: what is happening now, else when this PC last synced.
  let sub: string | null = null;
  if (busy) sub = t('sync.running');
  else if (status?.role === 'node' && status.connected) sub = status.last_sync_at ? t('sync.lastSync', { time: syncTime(status.last_sync_at) }) : t('sync.neverSynced');

  const chipBody = (
    <>
      <span class="sync-dot" aria-hidden="true" />
      <span class="sync-lines">
        <span class="sync-main">
          <span data-testid="sync-state-label">{label}</span>
          {pending > 0 ? (
            <span class="sync-pending" data-testid="sync-pending" data-value={pending}>
              {t('sync.pending', { n: pending })}
            </span>
          ) : null}
        </span>
        {sub ? (
          <span class="sync-sub" data-testid="sync-last">
            {sub}
          </span>
        ) : null}
      </span>
    </>
  );

  return (
    <div class="sync-indicator" ref={ref}>
      {state === 'disconnected' && manage ? (
        <a class="sync-chip state-disconnected" href={href({ name: 'sync' })} data-testid="sync-indicator" data-state={state} title={t('sync.openSettings')}>
          {chipBody}
        </a>
      ) : (
        <button
          type="button"
          class={`sync-chip state-${state}${busy ? ' busy' : ''}`}
          data-testid="sync-indicator"
          data-state={state}
          aria-haspopup="dialog"
          aria-expanded={open}
          title={t('sync.indicator')}
          onClick={() => setOpen((x) => !x)}
        >
          {chipBody}
        </button>
      )}
      {attention > 0 ? (
        manage ? (
          <a class="sync-attention" href={href({ name: 'syncConflicts' })} data-testid="sync-attention" data-count={attention} title={t('sync.attention', { n: attention })} aria-label={t('sync.attention', { n: attention })}>
            <WarnIcon />
            {attention}
          </a>
        ) : (
          <span class="sync-attention" data-testid="sync-attention" data-count={attention} title={`${t('sync.attention', { n: attention })} — ${t('sync.askManager')}`} aria-label={t('sync.attention', { n: attention })}>
            <WarnIcon />
            {attention}
          </span>
        )
      ) : null}
      {open ? <SyncMenu status={status} state={state} unreachable={unreachable} manage={manage} attention={attention} onNavigate={() => setOpen(false)} /> : null}
    </div>
  );
}

function SyncMenu(props: { status: SyncStatus | null; state: IndicatorState; unreachable: boolean; manage: boolean; attention: number; onNavigate: () => void }) {
  const { status, state, manage, attention } = props;
  const node = status?.role === 'node';
  const lastError = node ? splitLastError(status?.last_error) : null;
  return (
    <div class="menu sync-menu" role="dialog" aria-label={t('sync.indicator')} data-testid="sync-menu">
      <div class="menu-head">
        <strong data-testid="sync-menu-state">{t(STATE_LABEL[state])}</strong>
        {node && status?.server_url ? (
          <div class="muted small" data-testid="sync-menu-server">
            {status.server_url}
          </div>
        ) : null}
      </div>
      <div class="sync-menu-body">
        {props.unreachable ? <p class="muted small">{t('sync.unreachable')}</p> : null}
        {state === 'central' ? <p class="muted small">{t('sync.centralHint')}</p> : null}
        {state === 'disconnected' ? (
          <p class="muted small">
            {t('sync.notConnectedHint')} {t('sync.askManagerConnect')}
          </p>
        ) : null}
        {node && status?.connected ? (
          <dl class="kv sync-kv">
            <dt>{t('sync.lastSyncLabel')}</dt>
            <dd class="mono" data-testid="sync-menu-last">
              {status.last_sync_at ? formatKstDateTime(status.last_sync_at) : t('sync.neverSynced')}
            </dd>
            <dt>{t('sync.pendingLabel')}</dt>
            <dd data-testid="sync-menu-pending">{t('sync.countN', { n: status.pending_changes })}</dd>
            {lastError ? (
              <>
                <dt>{t('sync.lastErrorLabel')}</dt>
                <dd class="sync-error-text" data-testid="sync-menu-error" title={lastError.code ?? undefined}>
                  {lastError.message}
                </dd>
              </>
            ) : null}
          </dl>
        ) : null}
        {attention > 0 ? (
          <div class="sync-menu-attention" data-testid="sync-menu-attention">
            <span>{t('sync.attention', { n: attention })}</span>
            {manage ? (
              <a href={href({ name: 'syncConflicts' })} onClick={props.onNavigate} data-testid="sync-menu-conflicts">
                {t('sync.openConflicts')}
              </a>
            ) : (
              <span class="muted small">{t('sync.askManager')}</span>
            )}
          </div>
        ) : null}
        {node && status?.connected ? <SyncNow block /> : null}
      </div>
      {manage ? (
        <a class="menu-item" href={href({ name: 'sync' })} onClick={props.onNavigate} data-testid="sync-menu-settings">
          {t('sync.openSettings')}
        </a>
      ) : null}
    </div>
  );
}

/**
 * While this PC receives the server's records (a first sync above all, which can take
 * minutes), how far it has come: under the top bar, where it covers nothing.
 */
export function SyncProgressBanner() {
  const { status, pulling } = useSyncStatus();
  const pct = pullPercent(status);
  if (!pulling || pct === null) return null;
  return (
    <div class="sync-banner" role="status" data-testid="sync-progress" data-percent={pct}>
      <span>{t('sync.pulling', { pct })}</span>
      <span class="sync-progress-track" role="progressbar" aria-label={t('sync.pullingLabel')} aria-valuemin={0} aria-valuemax={100} aria-valuenow={pct}>
        <span class="sync-progress-fill" style={{ width: `${pct}%` }} />
      </span>
    </div>
  );
}

function WarnIcon() {
  return (
    <svg viewBox="0 0 16 16" width="12" height="12" aria-hidden="true">
      <path d="M8 1.8 15 14H1z" fill="none" stroke="currentColor" stroke-width="1.6" stroke-linejoin="round" />
      <path d="M8 6.2v3.6M8 11.6v.4" stroke="currentColor" stroke-width="1.6" stroke-linecap="round" />
    </svg>
  );
}
