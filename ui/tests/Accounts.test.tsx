import { fireEvent, render, screen, waitFor, within } from '@testing-library/preact';
import { describe, expect, it } from 'vitest';
import { App } from '../src/App';
import { Toasts } from '../src/components/ui';
import { characterKinds, passwordChecks, passwordLooksStrong, usernameValid } from '../src/logic/password';
import { UsersScreen } from '../src/screens/Users';
import type { Account } from '../src/types';
import { setupApi, WithUser } from './helpers';

const STRONG = 'Blue-Harbor-Lamp-42';

const adminTokens = {
  access_token: 'a1',
  refresh_token: 'r1',
  token_type: 'Bearer',
  expires_in: 900,
  user: { id: 'u-admin', username: 'head.admin', display_name: '김원장', role: 'admin' },
};

const accounts: Account[] = [
  { id: 'u-admin', username: 'admin', display_name: 'admin 사용자', role: 'admin', active: true, created_at: '2024-05-01T00:00:00Z', last_login_at: '2024-05-30T01:00:00Z' },
  { id: 'u-kim', username: 'kim.nurse', display_name: '김간호', role: 'staff', active: true, created_at: '2024-05-02T00:00:00Z', last_login_at: null },
  { id: 'u-lee', username: 'lee', display_name: '이전직원', role: 'doctor', active: false, created_at: '2024-05-03T00:00:00Z', last_login_at: null },
];

function input(testid: string, value: string) {
  fireEvent.input(screen.getByTestId(testid), { target: { value } });
}

function ruleStates(prefix: string) {
  return ['length', 'kinds', 'username'].map((r) => screen.getByTestId(`${prefix}-rule-${r}`).getAttribute('data-ok'));
}

describe('password rules (mirror of the server’s simple rules)', () => {
  it('checks length, character kinds and the username', () => {
    expect(characterKinds('abc')).toBe(1);
    expect(characterKinds('aB3!')).toBe(4);
    expect(characterKinds('진료실 커피')).toBe(1);
    expect(passwordChecks('', 'kim').map((c) => c.ok)).toEqual([false, false, false]);
    expect(passwordChecks('8264019375', 'kim').map((c) => c.ok)).toEqual([true, false, true]);
    expect(passwordChecks('Kim-1234567', 'kim').map((c) => c.ok)).toEqual([true, true, false]);
    expect(passwordLooksStrong(STRONG, 'kim.nurse')).toBe(true);
    expect(passwordLooksStrong('ab-xk7!pq2vzm', 'ab')).toBe(true);
  });

  it('knows the username rule', () => {
    expect(usernameValid(' Kim.Nurse_2 ')).toBe(true);
    for (const bad of ['ab', '김간호', '-abc', 'a b c', 'a'.repeat(51)]) expect(usernameValid(bad), bad).toBe(false);
  });
});

describe('first run', () => {
  it('shows the set-up screen instead of the login, checks the password live and logs the new admin in', async () => {
    const { calls } = setupApi({
      'GET /api/v1/setup': () => ({ data: { needs_setup: true, setup_allowed: true } }),
      'POST /api/v1/setup': () => ({ status: 201, data: adminTokens }),
      'GET /api/v1/services': () => ({ data: { services: [] } }),
      'GET /api/v1/customers/search': () => ({ data: { customers: [], pagination: { total: 0, page: 1, size: 20, total_pages: 0 } } }),
    });
    location.hash = '';
    render(<App />);
    await screen.findByTestId('setup-form');
    expect(screen.getByRole('heading').textContent).toBe('클리닉 관리자 계정 만들기');
    expect(screen.queryByTestId('login-form')).toBeNull();

    input('setup-display-name', '김원장');
    input('setup-username', 'Head.Admin');
    input('setup-password', '1234567890');
    expect(ruleStates('setup-password')).toEqual(['true', 'false', 'true']);
    input('setup-password', 'head.admin-XY9');
    expect(ruleStates('setup-password')).toEqual(['true', 'true', 'false']);
    // Weak: refused before anything is sent.
    fireEvent.click(screen.getByTestId('setup-submit'));
    expect((await screen.findByTestId('error-setup-password')).textContent).toContain('조건');
    expect(calls.some((c) => c.method === 'POST')).toBe(false);

    input('setup-password', STRONG);
    expect(ruleStates('setup-password')).toEqual(['true', 'true', 'true']);
    input('setup-confirm', `${STRONG}x`);
    expect(screen.getByTestId('error-setup-confirm').textContent).toBe('비밀번호가 서로 다릅니다.');
    input('setup-confirm', STRONG);
    fireEvent.click(screen.getByTestId('setup-submit'));
    expect((await screen.findByTestId('header-role')).textContent).toBe('관리자');
    const post = calls.find((c) => c.method === 'POST' && c.path === '/api/v1/setup');
    expect(post?.body).toEqual({ username: 'head.admin', display_name: '김원장', password: STRONG });
    expect(screen.getByTestId('nav-users')).toBeTruthy();
  });

  it('shows the server’s reason on the field it names', async () => {
    setupApi({
      'GET /api/v1/setup': () => ({ data: { needs_setup: true, setup_allowed: true } }),
      'POST /api/v1/setup': () => ({
        status: 422,
        error: { code: 'VALIDATION_ERROR', field: 'password', message: '비밀번호가 안전하지 않습니다: 널리 알려졌거나 추측하기 쉬운 비밀번호입니다' },
      }),
    });
    location.hash = '';
    render(<App />);
    await screen.findByTestId('setup-form');
    input('setup-display-name', '김원장');
    input('setup-username', 'head.admin');
    input('setup-password', 'Password2024!');
    input('setup-confirm', 'Password2024!');
    fireEvent.click(screen.getByTestId('setup-submit'));
    expect((await screen.findByTestId('error-setup-password')).textContent).toContain('추측하기 쉬운');
  });

  it('on a server, tells how to create the administrator instead of offering a form', async () => {
    setupApi({ 'GET /api/v1/setup': () => ({ data: { needs_setup: true, setup_allowed: false } }) });
    location.hash = '';
    render(<App />);
    await screen.findByTestId('setup-server-hint');
    expect(screen.getByTestId('setup-command').textContent).toContain('clinicdesk-server users create');
    expect(screen.queryByTestId('setup-form')).toBeNull();
  });

  it('shows the login when an administrator exists', async () => {
    setupApi({ 'GET /api/v1/setup': () => ({ data: { needs_setup: false, setup_allowed: true } }) });
    location.hash = '';
    render(<App />);
    await screen.findByTestId('login-form');
    expect(screen.queryByTestId('setup-form')).toBeNull();
  });
});

function renderUsers(routes = {}, role: 'admin' | 'manager' = 'admin') {
  const server = setupApi({ 'GET /api/v1/users': () => ({ data: { users: accounts, total: accounts.length } }), ...routes });
  render(
    <WithUser role={role}>
      <UsersScreen />
      <Toasts />
    </WithUser>,
  );
  return server;
}

function row(username: string): HTMLElement {
  return screen.getAllByTestId('user-row').find((r) => r.getAttribute('data-username') === username)!;
}

describe('user management', () => {
  it('lists every account with role and status; one’s own row cannot be deactivated or demoted', async () => {
    renderUsers();
    await screen.findByTestId('users-table');
    expect(screen.getAllByTestId('user-row')).toHaveLength(3);
    const own = row('admin');
    expect(own.textContent).toContain('나');
    expect((within(own).getByTestId('user-role') as HTMLSelectElement).disabled).toBe(true);
    expect((within(own).getByTestId('deactivate-user') as HTMLButtonElement).disabled).toBe(true);
    expect((within(own).getByTestId('reset-password') as HTMLButtonElement).disabled).toBe(true);
    expect(within(row('lee')).getByTestId('user-status').textContent).toBe('비활성');
    expect(within(row('lee')).getByTestId('reactivate-user')).toBeTruthy();
    expect(within(row('kim.nurse')).getByTestId('user-status').textContent).toBe('사용 중');
  });

  it('deactivates only after the confirmation dialog, whose focus starts on Cancel', async () => {
    const { calls } = renderUsers({ 'PUT /api/v1/users/u-kim': () => ({ data: { ...accounts[1], active: false } }) });
    await screen.findByTestId('users-table');
    fireEvent.click(within(row('kim.nurse')).getByTestId('deactivate-user'));
    const dialog = await screen.findByTestId('deactivate-dialog');
    expect(dialog.textContent).toContain('김간호(kim.nurse)');
    expect(document.activeElement?.getAttribute('data-testid')).toBe('deactivate-cancel');
    fireEvent.click(screen.getByTestId('deactivate-cancel'));
    expect(screen.queryByTestId('deactivate-dialog')).toBeNull();
    expect(calls.some((c) => c.method === 'PUT')).toBe(false);

    fireEvent.click(within(row('kim.nurse')).getByTestId('deactivate-user'));
    fireEvent.click(await screen.findByTestId('deactivate-confirm'));
    await waitFor(() => expect(calls.some((c) => c.method === 'PUT')).toBe(true));
    expect(calls.find((c) => c.method === 'PUT')?.body).toEqual({ active: false });
    await waitFor(() => expect(screen.getAllByTestId('toast').some((t) => t.textContent?.includes('김간호 계정을 비활성화했습니다.'))).toBe(true));
  });

  it('changes a role at once and shows a refusal from the server', async () => {
    const { calls } = renderUsers({
      'PUT /api/v1/users/u-kim': () => ({ data: { ...accounts[1], role: 'manager' } }),
      'PUT /api/v1/users/u-lee': () => ({ status: 409, error: { code: 'LAST_ACTIVE_ADMIN', message: 'x' } }),
    });
    await screen.findByTestId('users-table');
    fireEvent.change(within(row('kim.nurse')).getByTestId('user-role'), { target: { value: 'manager' } });
    await waitFor(() => expect(calls.find((c) => c.path === '/api/v1/users/u-kim')?.body).toEqual({ role: 'manager' }));
    fireEvent.change(within(row('lee')).getByTestId('user-role'), { target: { value: 'staff' } });
    await waitFor(() => expect(screen.getAllByTestId('toast').some((t) => t.textContent?.includes('활성 관리자가 한 명뿐'))).toBe(true));
  });

  it('adds a user with a checked password', async () => {
    const { calls } = renderUsers({
      'POST /api/v1/users': ({ body }: { body: Record<string, unknown> }) => ({ status: 201, data: { id: 'u-new', active: true, ...body } }),
    });
    await screen.findByTestId('users-table');
    fireEvent.click(screen.getByTestId('add-user-button'));
    await screen.findByTestId('add-user-dialog');
    input('add-display-name', '박의사');
    input('add-username', 'Park.Doc');
    fireEvent.change(screen.getByTestId('add-role'), { target: { value: 'doctor' } });
    input('add-password', 'park.doc-Xy12');
    expect(ruleStates('add-password')).toEqual(['true', 'true', 'false']);
    input('add-password', STRONG);
    input('add-confirm', STRONG);
    fireEvent.click(screen.getByTestId('add-user-submit'));
    await waitFor(() => expect(screen.queryByTestId('add-user-dialog')).toBeNull());
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({ username: 'park.doc', display_name: '박의사', role: 'doctor', password: STRONG });
  });

  it('shows a taken username on the username field', async () => {
    renderUsers({ 'POST /api/v1/users': () => ({ status: 409, error: { code: 'DUPLICATE_USERNAME', field: 'username', message: 'x' } }) });
    await screen.findByTestId('users-table');
    fireEvent.click(screen.getByTestId('add-user-button'));
    await screen.findByTestId('add-user-dialog');
    input('add-display-name', '김간호');
    input('add-username', 'kim.nurse');
    input('add-password', STRONG);
    input('add-confirm', STRONG);
    fireEvent.click(screen.getByTestId('add-user-submit'));
    expect((await screen.findByTestId('error-add-username')).textContent).toBe('이미 쓰이고 있는 아이디입니다.');
  });

  it('resets a password through its own dialog', async () => {
    const { calls } = renderUsers({ 'POST /api/v1/users/u-kim/password': () => ({ data: { password_reset: true, sessions_revoked: 1 } }) });
    await screen.findByTestId('users-table');
    fireEvent.click(within(row('kim.nurse')).getByTestId('reset-password'));
    const dialog = await screen.findByTestId('reset-password-dialog');
    expect(dialog.textContent).toContain('모든 로그인이 바로 끝납니다');
    const submit = screen.getByTestId('reset-submit') as HTMLButtonElement;
    expect(submit.disabled).toBe(true);
    input('reset-new-password', STRONG);
    input('reset-confirm', STRONG);
    expect(submit.disabled).toBe(false);
    fireEvent.click(submit);
    await waitFor(() => expect(screen.queryByTestId('reset-password-dialog')).toBeNull());
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({ new_password: STRONG });
  });

  it('is for administrators only', async () => {
    const { calls } = renderUsers({}, 'manager');
    expect((await screen.findByTestId('users-forbidden')).textContent).toBe('관리자만 볼 수 있는 화면입니다.');
    expect(calls).toHaveLength(0);
  });
});

describe('changing one’s own password', () => {
  async function signedIn(routes = {}) {
    const server = setupApi({
      'GET /api/v1/setup': () => ({ data: { needs_setup: false, setup_allowed: true } }),
      'POST /api/v1/auth/login': () => ({ data: { ...adminTokens, user: { id: 'u-staff', username: 'kim.nurse', display_name: '김간호', role: 'staff' } } }),
      'GET /api/v1/services': () => ({ data: { services: [] } }),
      'GET /api/v1/customers/search': () => ({ data: { customers: [], pagination: { total: 0, page: 1, size: 20, total_pages: 0 } } }),
      ...routes,
    });
    location.hash = '';
    render(<App />);
    await screen.findByTestId('login-username');
    input('login-username', 'kim.nurse');
    input('login-password', STRONG);
    fireEvent.click(screen.getByTestId('login-submit'));
    await screen.findByTestId('header-user');
    return server;
  }

  it('opens from the user chip; staff has no user management', async () => {
    await signedIn();
    expect(screen.queryByTestId('nav-users')).toBeNull();
    fireEvent.click(screen.getByTestId('header-user'));
    fireEvent.click(await screen.findByTestId('change-password-button'));
    await screen.findByTestId('change-password-dialog');
    expect(document.activeElement?.getAttribute('data-testid')).toBe('current-password');
  });

  it('shows a wrong current password on its field, then changes it', async () => {
    let attempt = 0;
    const { calls } = await signedIn({
      'POST /api/v1/auth/password': () =>
        ++attempt === 1
          ? { status: 422, error: { code: 'VALIDATION_ERROR', field: 'current_password', message: '현재 비밀번호가 올바르지 않습니다' } }
          : { data: { password_changed: true, other_sessions_revoked: 0 } },
    });
    fireEvent.click(screen.getByTestId('header-user'));
    fireEvent.click(await screen.findByTestId('change-password-button'));
    await screen.findByTestId('change-password-dialog');
    input('current-password', 'wrong-one');
    input('new-password', 'Quiet river 7 stones');
    input('confirm-password', 'Quiet river 7 stones');
    fireEvent.click(screen.getByTestId('change-password-submit'));
    expect((await screen.findByTestId('error-pw-current')).textContent).toBe('현재 비밀번호가 올바르지 않습니다');
    input('current-password', STRONG);
    fireEvent.click(screen.getByTestId('change-password-submit'));
    await waitFor(() => expect(screen.queryByTestId('change-password-dialog')).toBeNull());
    expect(calls.filter((c) => c.path === '/api/v1/auth/password').at(-1)?.body).toEqual({ current_password: STRONG, new_password: 'Quiet river 7 stones' });
    expect(screen.getAllByTestId('toast').some((t) => t.textContent?.includes('비밀번호를 바꿨습니다'))).toBe(true);
  });
});
