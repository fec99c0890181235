import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/preact';
import { afterEach, describe, expect, it } from 'vitest';
import { App } from '../src/App';
import { connectProblems } from '../src/components/SyncConnectForm';
import { Toasts } from '../src/components/ui';
import { setLang } from '../src/i18n';
import { SyncSettingsScreen } from '../src/screens/SyncSettings';
import { resetSyncState } from '../src/syncState';
import type { Role, SyncConnected, SyncStatus } from '../src/types';
import { setupApi, WithUser, type Call, type Handler } from './helpers';
import { centralStatus, nodeStatus } from './syncFixtures';

afterEach(() => {
  cleanup();
  resetSyncState();
  setLang('ko');
  location.hash = '';
});

const CONNECTED: SyncConnected = {
  device_id: 'dev-9',
  server_url: 'https://clinic.example.kr',
  first_sync: { ok: true, moved: { pushed: 3, pulled: 240, applied: 240, conflicts: 0, pages: 3 } },
};

function input(testid: string, value: string) {
  fireEvent.input(screen.getByTestId(testid), { target: { value } });
}

function fillForm(v: { url?: string; username?: string; password?: string; name?: string } = {}) {
  input('connect-server-url', v.url ?? 'https://clinic.example.kr');
  input('connect-username', v.username ?? 'head.admin');
  input('connect-password', v.password ?? 'Blue-Harbor-Lamp-42');
  if (v.name !== undefined) input('connect-device-name', v.name);
}

const connects = (calls: Call[]) => calls.filter((c) => c.method === 'POST' && c.path === '/api/v1/sync/connect');

function renderSettings(status: SyncStatus, role: Role = 'manager', routes: Record<string, Handler> = {}) {
  const api = setupApi({
    'GET /api/v1/sync/status': () => ({ data: status }),
    'POST /api/v1/sync/connect': () => ({ data: CONNECTED }),
    ...routes,
  });
  render(
    <WithUser role={role}>
      <SyncSettingsScreen />
      <Toasts />
    </WithUser>,
  );
  return api;
}

describe('connect form: checks before asking', () => {
  it('needs a server address with its scheme, a username and a password', () => {
    expect(connectProblems({ server_url: '', username: '', password: '', device_name: '' })).toEqual({
      server_url: '서버 주소를 입력하세요.',
      username: '아이디를 입력하세요.',
      password: '비밀번호를 입력하세요.',
    });
    expect(connectProblems({ server_url: 'clinic.example.kr', username: 'a', password: 'b', device_name: '' })).toEqual({
      server_url: '서버 주소는 http:// 또는 https://로 시작해야 합니다.',
    });
    expect(connectProblems({ server_url: ' http://10.0.0.5:8080 ', username: 'a', password: 'b', device_name: '' })).toEqual({});
    expect(connectProblems({ server_url: 'https://x', username: 'a', password: 'b', device_name: '가'.repeat(101) }).device_name).toBe('이 PC 이름은 100자까지 쓸 수 있습니다.');
  });
});

describe('sync settings: a PC', () => {
  it('shows this PC’s sync in full', async () => {
    renderSettings(
      nodeStatus({
        pending_changes: 4,
        conflicts: 1,
        merge_candidates: 2,
        last_sync_at: '2024-05-30T05:05:00Z',
        last_attempt_at: '2024-05-30T05:20:00Z',
        last_error: 'SYNC_UPSTREAM_FAILED: 동기화 서버와 통신하지 못했습니다',
      }),
    );
    const card = await screen.findByTestId('sync-status-card');
    expect(within(card).getByTestId('sync-role').textContent).toBe('PC (중앙 서버와 동기화)');
    expect(within(card).getByTestId('sync-connection').dataset.state).toBe('online');
    expect(within(card).getByTestId('sync-server-url').textContent).toBe('https://clinic.example.kr');
    expect(within(card).getByTestId('sync-device-id').textContent).toBe('dev-1');
    expect(within(card).getByTestId('sync-last-sync').textContent).toBe('2024-05-30 14:05');
    expect(within(card).getByTestId('sync-last-attempt').textContent).toBe('2024-05-30 14:20');
    expect(within(card).getByTestId('sync-last-error').textContent).toBe('동기화 서버와 통신하지 못했습니다SYNC_UPSTREAM_FAILED');
    expect(within(card).getByTestId('sync-pending-count').textContent).toBe('4건');
    expect(within(card).getByTestId('sync-problems').textContent).toContain('충돌 1건 · 회차 초과 0건 · 중복 의심 2건');
    expect(within(card).getByTestId('sync-conflicts-link').getAttribute('href')).toBe('#/sync/conflicts');
    expect(within(card).getByTestId('sync-run')).toBeTruthy();
    // Connected already: connecting again is offered, with what it means.
    expect(screen.getByTestId('sync-reconnect-warning').textContent).toContain('처음부터 다시 받습니다');
    expect((screen.getByTestId('connect-server-url') as HTMLInputElement).value).toBe('https://clinic.example.kr');
  });

  it('checks the form before sending anything', async () => {
    const { calls } = renderSettings(nodeStatus({ connected: false, online: false, server_url: null }));
    await screen.findByTestId('connect-form');
    expect(screen.queryByTestId('sync-reconnect-warning')).toBeNull();
    fireEvent.click(screen.getByTestId('connect-submit'));
    expect((await screen.findByTestId('error-server_url')).textContent).toBe('서버 주소를 입력하세요.');
    expect(screen.getByTestId('error-username').textContent).toBe('아이디를 입력하세요.');
    expect(screen.getByTestId('error-password').textContent).toBe('비밀번호를 입력하세요.');
    expect(connects(calls)).toHaveLength(0);
    // Typing clears a field's message.
    input('connect-username', 'h');
    expect(screen.queryByTestId('error-username')).toBeNull();
  });

  it('shows the server’s 422 next to the fields it names', async () => {
    const { calls } = renderSettings(nodeStatus({ connected: false, online: false, server_url: null }), 'admin', {
      'POST /api/v1/sync/connect': () => ({
        status: 422,
        error: {
          code: 'VALIDATION_ERROR',
          field: 'server_url',
          message: '입력값을 확인해 주세요',
          details: {
            errors: [
              { field: 'server_url', code: 'invalid', message: '서버 주소는 http:// 또는 https://로 시작해야 합니다' },
              { field: 'device_name', code: 'too_long', message: '이 PC 이름은 100자 이하여야 합니다' },
            ],
          },
        },
      }),
    });
    await screen.findByTestId('connect-form');
    fillForm({ name: '접수 PC 1' });
    fireEvent.click(screen.getByTestId('connect-submit'));
    expect((await screen.findByTestId('error-server_url')).textContent).toBe('서버 주소는 http:// 또는 https://로 시작해야 합니다');
    expect(screen.getByTestId('error-device_name').textContent).toBe('이 PC 이름은 100자 이하여야 합니다');
    expect(screen.getByTestId('connect-server-url').getAttribute('aria-invalid')).toBe('true');
    expect(screen.queryByTestId('connect-error')).toBeNull();
    expect(screen.queryByTestId('connect-outcome')).toBeNull();
    expect(connects(calls)).toHaveLength(1);
  });

  it('says when the central server refused the login, and clears the password', async () => {
    renderSettings(nodeStatus({ connected: false, online: false, server_url: null }), 'manager', {
      'POST /api/v1/sync/connect': () => ({ status: 401, error: { code: 'AUTH_INVALID_CREDENTIALS', message: 'bad' } }),
    });
    await screen.findByTestId('connect-form');
    fillForm();
    fireEvent.click(screen.getByTestId('connect-submit'));
    expect((await screen.findByTestId('connect-error')).textContent).toBe('중앙 서버의 아이디 또는 비밀번호가 올바르지 않습니다.');
    expect((screen.getByTestId('connect-password') as HTMLInputElement).value).toBe('');
    expect((screen.getByTestId('connect-username') as HTMLInputElement).value).toBe('head.admin');
  });

  it('says when the central server cannot be reached, with its cause', async () => {
    renderSettings(nodeStatus({ connected: false, online: false, server_url: null }), 'manager', {
      'POST /api/v1/sync/connect': () => ({
        status: 502,
        error: { code: 'SYNC_UPSTREAM_FAILED', message: '동기화 서버와 통신하지 못했습니다', details: { reason: 'connection refused' } },
      }),
    });
    await screen.findByTestId('connect-form');
    fillForm();
    fireEvent.click(screen.getByTestId('connect-submit'));
    const error = await screen.findByTestId('connect-error');
    expect(error.textContent).toContain('중앙 서버에 연결하지 못했습니다. 서버 주소와 네트워크를 확인하세요.');
    expect(error.textContent).toContain('connection refused');
  });

  it('sends the form, shows the progress, then the outcome of the first sync', async () => {
    let release: () => void = () => {};
    const { calls } = renderSettings(nodeStatus({ connected: false, online: false, server_url: null }), 'manager', {
      'POST /api/v1/sync/connect': () =>
        new Promise((resolve) => {
          release = () => resolve({ data: CONNECTED });
        }),
    });
    await screen.findByTestId('connect-form');
    fillForm({ url: ' https://clinic.example.kr ', username: ' head.admin ', name: ' 접수 PC 1 ' });
    fireEvent.click(screen.getByTestId('connect-submit'));
    expect((await screen.findByTestId('connect-progress')).textContent).toContain('첫 동기화');
    expect(screen.getByTestId('connect-submit').textContent).toBe('연결하고 첫 동기화 중…');
    expect((screen.getByTestId('connect-password') as HTMLInputElement).disabled).toBe(true);
    expect(connects(calls).map((c) => c.body)).toEqual([
      { server_url: 'https://clinic.example.kr', username: 'head.admin', password: 'Blue-Harbor-Lamp-42', device_name: '접수 PC 1' },
    ]);
    release();
    const outcome = await screen.findByTestId('connect-outcome');
    expect(outcome.dataset.ok).toBe('true');
    expect(outcome.textContent).toContain('https://clinic.example.kr에 연결했습니다.');
    expect(within(outcome).getByTestId('connect-first-sync').textContent).toBe('첫 동기화를 마쳤습니다: 보냄 3건 · 받음 240건.');
    expect(screen.queryByTestId('connect-progress')).toBeNull();
    expect((screen.getByTestId('connect-password') as HTMLInputElement).value).toBe('');
  });

  it('leaves out an empty PC name, and says when the first sync failed (it is retried by itself)', async () => {
    const { calls } = renderSettings(nodeStatus({ connected: false, online: false, server_url: null }), 'manager', {
      'POST /api/v1/sync/connect': () => ({
        data: { ...CONNECTED, first_sync: { ok: false, error: { code: 'SYNC_UPSTREAM_FAILED', message: '동기화 서버와 통신하지 못했습니다' } } },
      }),
    });
    await screen.findByTestId('connect-form');
    fillForm();
    fireEvent.click(screen.getByTestId('connect-submit'));
    const outcome = await screen.findByTestId('connect-outcome');
    expect(outcome.dataset.ok).toBe('false');
    expect(within(outcome).getByTestId('connect-first-sync').textContent).toBe('첫 동기화는 실패했습니다: 동기화 서버와 통신하지 못했습니다');
    expect(outcome.textContent).toContain('자동으로 다시 시도합니다');
    expect(connects(calls).map((c) => Object.keys(c.body))).toEqual([['server_url', 'username', 'password']]);
  });
});

describe('sync settings: the central server and who may see it', () => {
  it('says the central server connects to no one, and offers no form', async () => {
    renderSettings(centralStatus());
    const card = await screen.findByTestId('sync-central');
    expect(card.textContent).toContain('다른 PC가 이 서버에 연결합니다');
    expect(within(card).getByTestId('sync-devices-link').getAttribute('href')).toBe('#/devices');
    expect(screen.getByTestId('sync-role').textContent).toBe('중앙 서버');
    expect(screen.queryByTestId('connect-form')).toBeNull();
    expect(screen.queryByTestId('sync-run')).toBeNull();
  });

  it('tells staff and doctors it is not for them, without asking the server', async () => {
    for (const role of ['staff', 'doctor'] as const) {
      const { calls } = renderSettings(nodeStatus(), role);
      expect((await screen.findByTestId('sync-forbidden')).textContent).toBe('매니저와 관리자만 볼 수 있는 화면입니다.');
      expect(calls).toHaveLength(0);
      cleanup();
    }
  });

  it('shows a status it cannot load, with a retry', async () => {
    let fail = true;
    renderSettings(nodeStatus(), 'manager', {
      'GET /api/v1/sync/status': () => (fail ? { status: 500, error: { code: 'INTERNAL_ERROR', message: 'x' } } : { data: centralStatus() }),
    });
    const error = await screen.findByTestId('sync-status-error');
    fail = false;
    fireEvent.click(within(error).getByRole('button'));
    expect(await screen.findByTestId('sync-central')).toBeTruthy();
  });
});

describe('the first screen of a brand-new desktop', () => {
  const firstRun = (connect: Handler) =>
    setupApi({
      'GET /api/v1/setup': () => ({ data: { needs_setup: true, setup_allowed: true } }),
      'POST /api/v1/sync/connect': connect,
    });

  it('connects to the central server without a login, then asks for the same password here', async () => {
    const { calls } = firstRun(() => ({ data: CONNECTED }));
    render(<App />);
    await screen.findByTestId('setup-form');
    fireEvent.click(screen.getByTestId('setup-connect-path'));
    const panel = await screen.findByTestId('setup-connect');
    expect(within(panel).getByRole('heading').textContent).toBe('중앙 서버에 연결');
    fillForm({ username: 'Head.Admin' });
    fireEvent.click(screen.getByTestId('connect-submit'));

    const login = await screen.findByTestId('login-form');
    expect((within(login).getByTestId('login-username') as HTMLInputElement).value).toBe('Head.Admin');
    expect(screen.getByTestId('login-notice').textContent).toBe('중앙 서버에 연결했습니다. 서버에서 쓰는 비밀번호 그대로 이 PC에 로그인할 수 있습니다.');
    // The cursor starts in the password (the username is there already).
    expect(within(login).getByTestId('login-password').hasAttribute('autofocus')).toBe(true);
    expect(within(login).getByTestId('login-username').hasAttribute('autofocus')).toBe(false);
    const sent = connects(calls);
    expect(sent).toHaveLength(1);
    // Nobody is signed in here: the server's login is the authority.
    expect(sent[0].headers.Authorization).toBeUndefined();
    // While the first pull runs, the form asks how far it has come — without a login (the
    // node answers its status to anyone until its first sync is done).
    const asked = calls.filter((c) => c.path === '/api/v1/sync/status');
    expect(asked.length).toBeGreaterThan(0);
    for (const c of asked) expect(c.headers.Authorization).toBeUndefined();
  });

  it('stays on the form with the reason when the first sync brought no accounts, and looks again on request', async () => {
    let accounts = false;
    setupApi({
      'GET /api/v1/setup': () => ({ data: { needs_setup: !accounts, setup_allowed: true } }),
      'POST /api/v1/sync/connect': () => ({
        data: { ...CONNECTED, first_sync: { ok: false, error: { code: 'SYNC_UPSTREAM_FAILED', message: '동기화 서버와 통신하지 못했습니다' } } },
      }),
    });
    render(<App />);
    fireEvent.click(await screen.findByTestId('setup-connect-path'));
    await screen.findByTestId('setup-connect');
    fillForm({ username: 'head.admin' });
    fireEvent.click(screen.getByTestId('connect-submit'));
    expect((await screen.findByTestId('setup-connect-failed')).textContent).toContain('동기화 서버와 통신하지 못했습니다');
    expect(screen.queryByTestId('login-form')).toBeNull();
    expect(screen.getByTestId('connect-form')).toBeTruthy();

    // Not there yet: the same screen, the reason still shown.
    fireEvent.click(screen.getByTestId('setup-connect-recheck'));
    await new Promise((r) => setTimeout(r, 20));
    expect(screen.getByTestId('setup-connect-failed')).toBeTruthy();
    // This PC's own retries brought them: the login, filled in.
    accounts = true;
    fireEvent.click(screen.getByTestId('setup-connect-recheck'));
    const login = await screen.findByTestId('login-form');
    expect((within(login).getByTestId('login-username') as HTMLInputElement).value).toBe('head.admin');
    expect(screen.getByTestId('login-notice')).toBeTruthy();
  });

  it('shows a wrong server login at the form, and goes back to creating an administrator', async () => {
    firstRun(() => ({ status: 401, error: { code: 'AUTH_INVALID_CREDENTIALS', message: 'bad' } }));
    render(<App />);
    fireEvent.click(await screen.findByTestId('setup-connect-path'));
    await screen.findByTestId('setup-connect');
    fillForm();
    fireEvent.click(screen.getByTestId('connect-submit'));
    expect((await screen.findByTestId('connect-error')).textContent).toBe('중앙 서버의 아이디 또는 비밀번호가 올바르지 않습니다.');
    fireEvent.click(screen.getByTestId('setup-back-to-create'));
    expect(await screen.findByTestId('setup-form')).toBeTruthy();
  });
});

describe('the shell', () => {
  async function loginAs(role: Role, status: SyncStatus) {
    setupApi({
      'POST /api/v1/auth/login': () => ({
        data: { access_token: 'a', refresh_token: 'r', token_type: 'Bearer', expires_in: 900, user: { id: `u-${role}`, username: role, display_name: role, role } },
      }),
      'GET /api/v1/services': () => ({ data: { services: [] } }),
      'GET /api/v1/today': () => ({ status: 500, error: { code: 'INTERNAL_ERROR', message: 'x' } }),
      'GET /api/v1/sync/status': () => ({ data: status }),
    });
    location.hash = '';
    render(<App />);
    fireEvent.input(await screen.findByTestId('login-username'), { target: { value: role } });
    fireEvent.input(screen.getByTestId('login-password'), { target: { value: 'x' } });
    fireEvent.click(screen.getByTestId('login-submit'));
    await screen.findByTestId('today-screen');
  }

  it('shows the indicator in the top bar and the sync settings entry to managers', async () => {
    await loginAs('manager', nodeStatus({ pending_changes: 2 }));
    await waitFor(() => expect(screen.getByTestId('sync-indicator').dataset.state).toBe('online'));
    expect(screen.getByTestId('sync-indicator').closest('.topbar')).toBeTruthy();
    const entry = screen.getByTestId('nav-sync');
    expect(entry.textContent).toBe('동기화 설정');
    expect(entry.getAttribute('href')).toBe('#/sync');
    location.hash = '#/sync/conflicts';
    window.dispatchEvent(new HashChangeEvent('hashchange'));
    await waitFor(() => expect(screen.getByTestId('nav-sync').className).toContain('active'));
  });

  it('gives staff the indicator but no entry', async () => {
    await loginAs('staff', centralStatus());
    await waitFor(() => expect(screen.getByTestId('sync-indicator').textContent).toBe('중앙 서버'));
    expect(screen.queryByTestId('nav-sync')).toBeNull();
  });
});
