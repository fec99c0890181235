import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/preact';
import { afterEach, describe, expect, it } from 'vitest';
import { SyncIndicator, SyncProgressBanner } from '../src/components/SyncIndicator';
import { Toasts } from '../src/components/ui';
import { setLang } from '../src/i18n';
import { attentionCount, indicatorState, pullPercent, roundSummary, splitLastError, syncErrorText, syncTime } from '../src/logic/sync';
import { resetSyncState } from '../src/syncState';
import { ApiError } from '../src/api';
import type { Role, SyncStatus } from '../src/types';
import { setupApi, userOf, type Handler } from './helpers';
import { centralStatus, nodeStatus } from './syncFixtures';

afterEach(() => {
  cleanup();
  resetSyncState();
  setLang('ko');
});

function renderIndicator(status: SyncStatus | Handler, role: Role = 'manager', routes: Record<string, Handler> = {}, lang: 'ko' | 'en' = 'ko') {
  const api = setupApi({
    'GET /api/v1/sync/status': typeof status === 'function' ? status : () => ({ data: status }),
    ...routes,
  });
  setLang(lang);
  render(
    <>
      <SyncIndicator user={userOf(role)} />
      <SyncProgressBanner />
      <Toasts />
    </>,
  );
  return api;
}

const statusCalls = (calls: { method: string; path: string }[]) => calls.filter((c) => c.method === 'GET' && c.path === '/api/v1/sync/status');

async function indicatorIn(state: string): Promise<HTMLElement> {
  await waitFor(() => expect(screen.getByTestId('sync-indicator').dataset.state).toBe(state));
  return screen.getByTestId('sync-indicator');
}

describe('sync: what the indicator works out', () => {
  it('tells the state from the status, and offline when the status cannot be had', () => {
    expect(indicatorState(null, false)).toBe('unknown');
    expect(indicatorState(null, true)).toBe('offline');
    expect(indicatorState(nodeStatus(), false)).toBe('online');
    expect(indicatorState(nodeStatus({ online: false }), false)).toBe('offline');
    expect(indicatorState(nodeStatus(), true)).toBe('offline');
    expect(indicatorState(nodeStatus({ connected: false, online: false }), false)).toBe('disconnected');
    expect(indicatorState(centralStatus(), false)).toBe('central');
    expect(indicatorState(centralStatus(), true)).toBe('central');
  });

  it('counts the problems, and the share of a pull under way', () => {
    expect(attentionCount(null)).toBe(0);
    expect(attentionCount(nodeStatus({ conflicts: 2, overdrawn_packages: 1, merge_candidates: 3 }))).toBe(6);
    expect(pullPercent(nodeStatus({ pull: { cursor: 42, head: 100, fraction: 0.42 } }))).toBe(42);
    expect(pullPercent(nodeStatus({ pull: { cursor: 999, head: 1000, fraction: 0.999 } }))).toBe(99);
    expect(pullPercent(nodeStatus({ pull: { cursor: 100, head: 100, fraction: 1 } }))).toBeNull();
    expect(pullPercent(nodeStatus({ pull: { cursor: 0, head: null, fraction: null } }))).toBeNull();
    expect(pullPercent(centralStatus())).toBeNull();
  });

  it('splits "CODE: message" and writes sync times in the clinic’s time, shortest first', () => {
    expect(splitLastError('SYNC_UPSTREAM_FAILED: 동기화 서버와 통신하지 못했습니다')).toEqual({ code: 'SYNC_UPSTREAM_FAILED', message: '동기화 서버와 통신하지 못했습니다' });
    expect(splitLastError('그냥 문장')).toEqual({ code: null, message: '그냥 문장' });
    expect(splitLastError(null)).toBeNull();
    const now = new Date('2024-05-30T06:00:00Z'); // 15:00 in Seoul
    expect(syncTime('2024-05-30T05:05:00Z', now)).toBe('14:05');
    // Seoul's day begins at 15:00 UTC the day before.
    expect(syncTime('2024-05-29T14:59:00Z', now)).toBe('05-29 23:59');
    expect(syncTime('2024-05-29T15:00:00Z', now)).toBe('00:00');
    expect(syncTime('2023-12-31T00:00:00Z', now)).toBe('2023-12-31 09:00');
    expect(syncTime(null, now)).toBe('—');
  });

  it('uses the server’s message for sync errors, and sums up a round', () => {
    expect(syncErrorText(new ApiError({ status: 403, code: 'SYNC_DEVICE_REVOKED', message: '이 기기는 등록이 취소되었습니다' }))).toBe('이 기기는 등록이 취소되었습니다');
    expect(syncErrorText(new ApiError({ status: 0, code: 'NETWORK_ERROR', message: 'Failed to fetch' }))).toBe('서버에 연결할 수 없습니다. 네트워크를 확인하세요.');
    expect(roundSummary({ pushed: 2, pulled: 5, applied: 5, conflicts: 0, pages: 1 })).toBe('동기화했습니다: 보냄 2건 · 받음 5건');
    expect(roundSummary({ pushed: 0, pulled: 3, applied: 3, conflicts: 1, pages: 1 })).toBe('동기화했습니다: 보냄 0건 · 받음 3건 · 새 충돌 1건');
  });
});

describe('sync indicator: what it shows', () => {
  it('online, with the last sync as a clock time and nothing waiting', async () => {
    const last = new Date(Date.now() - 60_000).toISOString();
    renderIndicator(nodeStatus({ last_sync_at: last }));
    const chip = await indicatorIn('online');
    expect(within(chip).getByTestId('sync-state-label').textContent).toBe('온라인');
    expect(within(chip).getByTestId('sync-last').textContent).toBe(`마지막 동기화 ${syncTime(last)}`);
    expect(within(chip).queryByTestId('sync-pending')).toBeNull();
    expect(screen.queryByTestId('sync-attention')).toBeNull();
    expect(screen.queryByTestId('sync-progress')).toBeNull();
  });

  it('offline, with the changes waiting to be sent', async () => {
    renderIndicator(nodeStatus({ online: false, pending_changes: 7, last_sync_at: null }));
    const chip = await indicatorIn('offline');
    expect(within(chip).getByTestId('sync-state-label').textContent).toBe('오프라인');
    expect(within(chip).getByTestId('sync-pending').textContent).toBe('보낼 변경 7건');
    expect(within(chip).getByTestId('sync-last').textContent).toBe('아직 동기화 안 함');
  });

  it('says offline, quietly, when the status request fails — no error, no alert', async () => {
    renderIndicator(() => ({ status: 500, error: { code: 'INTERNAL_ERROR', message: 'x' } }));
    const chip = await indicatorIn('offline');
    expect(within(chip).getByTestId('sync-state-label').textContent).toBe('오프라인');
    expect(screen.queryByRole('alert')).toBeNull();
    expect(screen.queryByTestId('toast')).toBeNull();
  });

  it('badges the problems for managers with a link to the conflicts screen', async () => {
    renderIndicator(nodeStatus({ conflicts: 2, overdrawn_packages: 1, merge_candidates: 1 }), 'manager');
    const badge = await screen.findByTestId('sync-attention');
    expect(badge.textContent).toBe('4');
    expect(badge.getAttribute('href')).toBe('#/sync/conflicts');
    expect(badge.getAttribute('aria-label')).toBe('확인할 동기화 문제 4건');
  });

  it('shows staff the badge too, but no link (they cannot resolve)', async () => {
    renderIndicator(nodeStatus({ conflicts: 1 }), 'staff');
    const badge = await screen.findByTestId('sync-attention');
    expect(badge.tagName).toBe('SPAN');
    expect(badge.getAttribute('href')).toBeNull();
    fireEvent.click(screen.getByTestId('sync-indicator'));
    const menu = await screen.findByTestId('sync-menu');
    expect(within(menu).getByTestId('sync-menu-attention').textContent).toContain('매니저나 관리자에게 확인을 요청하세요.');
    expect(within(menu).queryByTestId('sync-menu-conflicts')).toBeNull();
    expect(within(menu).queryByTestId('sync-menu-settings')).toBeNull();
  });

  it('says 중앙 서버, discreetly, on the central server: nothing to send, nothing to run', async () => {
    renderIndicator(centralStatus());
    const chip = await indicatorIn('central');
    expect(chip.textContent).toBe('중앙 서버');
    expect(within(chip).queryByTestId('sync-last')).toBeNull();
    fireEvent.click(chip);
    const menu = await screen.findByTestId('sync-menu');
    expect(menu.textContent).toContain('이 컴퓨터가 병원의 중앙 서버입니다');
    expect(within(menu).queryByTestId('sync-run')).toBeNull();
    expect(within(menu).getByTestId('sync-menu-settings').getAttribute('href')).toBe('#/sync');
  });

  it('badges the central server’s problems too', async () => {
    renderIndicator(centralStatus({ merge_candidates: 2 }), 'admin');
    expect((await screen.findByTestId('sync-attention')).textContent).toBe('2');
  });

  it('links admins and managers of a PC not connected yet to the connect screen', async () => {
    renderIndicator(nodeStatus({ connected: false, online: false, server_url: null }), 'admin');
    const chip = await indicatorIn('disconnected');
    expect(chip.tagName).toBe('A');
    expect(chip.getAttribute('href')).toBe('#/sync');
    expect(chip.textContent).toBe('동기화 서버에 연결 안 됨');
  });

  it('tells staff on a PC not connected yet who can connect it', async () => {
    renderIndicator(nodeStatus({ connected: false, online: false, server_url: null }), 'staff');
    const chip = await indicatorIn('disconnected');
    expect(chip.tagName).toBe('BUTTON');
    fireEvent.click(chip);
    const menu = await screen.findByTestId('sync-menu');
    expect(menu.textContent).toContain('관리자나 매니저가 동기화 설정에서 중앙 서버에 연결할 수 있습니다.');
    expect(within(menu).queryByTestId('sync-run')).toBeNull();
  });

  it('is in English too', async () => {
    renderIndicator(nodeStatus({ pending_changes: 2 }), 'manager', {}, 'en');
    const chip = await indicatorIn('online');
    expect(within(chip).getByTestId('sync-state-label').textContent).toBe('Online');
    expect(within(chip).getByTestId('sync-pending').textContent).toBe('2 to send');
  });
});

describe('sync indicator: 지금 동기화', () => {
  it('runs a round from the menu, busy meanwhile, and says what moved', async () => {
    let release: () => void = () => {};
    const { calls } = renderIndicator(nodeStatus({ last_error: 'SYNC_UPSTREAM_FAILED: 동기화 서버와 통신하지 못했습니다', pending_changes: 2 }), 'staff', {
      'POST /api/v1/sync/run': () =>
        new Promise((resolve) => {
          release = () => resolve({ data: { pushed: 2, pulled: 5, applied: 5, conflicts: 0, pages: 1 } });
        }),
    });
    fireEvent.click(await indicatorIn('online'));
    const menu = await screen.findByTestId('sync-menu');
    expect(within(menu).getByTestId('sync-menu-server').textContent).toBe('https://clinic.example.kr');
    expect(within(menu).getByTestId('sync-menu-pending').textContent).toBe('2건');
    expect(within(menu).getByTestId('sync-menu-error').textContent).toBe('동기화 서버와 통신하지 못했습니다');

    fireEvent.click(within(menu).getByTestId('sync-run'));
    await waitFor(() => expect((screen.getByTestId('sync-run') as HTMLButtonElement).disabled).toBe(true));
    expect(screen.getByTestId('sync-run').textContent).toBe('동기화 중…');
    expect(screen.getByTestId('sync-last').textContent).toBe('동기화 중…');
    const posts = calls.filter((c) => c.method === 'POST');
    expect(posts.map((c) => [c.path, c.body])).toEqual([['/api/v1/sync/run', {}]]);

    const before = statusCalls(calls).length;
    release();
    expect((await screen.findByTestId('sync-run-result')).textContent).toBe('동기화했습니다: 보냄 2건 · 받음 5건');
    expect((screen.getByTestId('sync-run') as HTMLButtonElement).disabled).toBe(false);
    // The status is asked again at once, to show what the round changed.
    await waitFor(() => expect(statusCalls(calls).length).toBeGreaterThan(before));
  });

  it('shows the server’s message when the round fails', async () => {
    renderIndicator(nodeStatus(), 'manager', {
      'POST /api/v1/sync/run': () => ({ status: 502, error: { code: 'SYNC_UPSTREAM_FAILED', message: '동기화 서버와 통신하지 못했습니다' } }),
    });
    fireEvent.click(await indicatorIn('online'));
    fireEvent.click(await screen.findByTestId('sync-run'));
    expect((await screen.findByTestId('sync-run-error')).textContent).toBe('동기화 서버와 통신하지 못했습니다');
  });

  it('tells the outcome in a toast when the menu was closed meanwhile', async () => {
    let release: () => void = () => {};
    renderIndicator(nodeStatus(), 'manager', {
      'POST /api/v1/sync/run': () =>
        new Promise((resolve) => {
          release = () => resolve({ status: 403, error: { code: 'SYNC_DEVICE_REVOKED', message: '이 기기는 등록이 취소되어 동기화할 수 없습니다' } });
        }),
    });
    fireEvent.click(await indicatorIn('online'));
    fireEvent.click(await screen.findByTestId('sync-run'));
    fireEvent.keyDown(document, { key: 'Escape' });
    expect(screen.queryByTestId('sync-menu')).toBeNull();
    release();
    await waitFor(() => expect(screen.getAllByTestId('toast').map((x) => x.textContent).join(' ')).toContain('이 기기는 등록이 취소되어 동기화할 수 없습니다'));
  });
});

describe('sync indicator: polling and progress', () => {
  it('asks again when the window regains the focus', async () => {
    const { calls } = renderIndicator(nodeStatus());
    await indicatorIn('online');
    await waitFor(() => expect(statusCalls(calls)).toHaveLength(1));
    window.dispatchEvent(new Event('focus'));
    await waitFor(() => expect(statusCalls(calls)).toHaveLength(2));
  });

  it('shows how far the pull has come while a sync runs, and not when nothing moves', async () => {
    let release: () => void = () => {};
    renderIndicator(nodeStatus({ pull: { cursor: 42, head: 100, fraction: 0.42 } }), 'manager', {
      'POST /api/v1/sync/run': () =>
        new Promise((resolve) => {
          release = () => resolve({ data: { pushed: 0, pulled: 58, applied: 58, conflicts: 0, pages: 1 } });
        }),
    });
    fireEvent.click(await indicatorIn('online'));
    // A pull left half-way by an earlier failure: nothing moves it now, nothing is shown.
    expect(screen.queryByTestId('sync-progress')).toBeNull();
    fireEvent.click(await screen.findByTestId('sync-run'));
    const banner = await screen.findByTestId('sync-progress');
    expect(banner.textContent).toBe('서버에서 데이터를 받는 중… 42%');
    expect(within(banner).getByRole('progressbar').getAttribute('aria-valuenow')).toBe('42');
    release();
    await waitFor(() => expect(screen.queryByTestId('sync-progress')).toBeNull());
  });

  it('shows the progress when the pull moves by itself (the desktop’s background rounds)', async () => {
    let cursor = 10;
    const { calls } = renderIndicator(() => ({ data: nodeStatus({ pull: { cursor, head: 100, fraction: cursor / 100 } }) }));
    await indicatorIn('online');
    expect(screen.queryByTestId('sync-progress')).toBeNull();
    cursor = 30;
    window.dispatchEvent(new Event('focus'));
    await waitFor(() => expect(statusCalls(calls)).toHaveLength(2));
    expect((await screen.findByTestId('sync-progress')).textContent).toBe('서버에서 데이터를 받는 중… 30%');
  });
});
