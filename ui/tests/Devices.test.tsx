import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { App } from '../src/App';
import { Toasts } from '../src/components/ui';
import { setLang } from '../src/i18n';
import { href, parseRoute } from '../src/router';
import { DevicesScreen, deviceNameProblem, secretGroups, type SyncDevice } from '../src/screens/Devices';
import type { Role } from '../src/types';
import { setupApi, WithUser, type Handler } from './helpers';

const SECRET = '0f1e2d3c4b5a69788796a5b4c3d2e1f00112233445566778899aabbccddeeff0';

afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
  // happy-dom keeps what a test put on navigator/document.
  delete (navigator as unknown as { clipboard?: unknown }).clipboard;
  delete (document as unknown as { execCommand?: unknown }).execCommand;
  setLang('ko');
  location.hash = '';
});

function sampleDevices(): SyncDevice[] {
  return [
    {
      device_id: 'd-2', name: '원장실 노트북', registered_by: '김매니저', registered_at: '2024-05-30T05:05:00Z',
      revoked: false, revoked_at: null, last_seen_at: null,
    },
    {
      device_id: 'd-1', name: '접수 PC 1', registered_by: '관리자', registered_at: '2024-05-01T00:30:00Z',
      revoked: false, revoked_at: null, last_seen_at: '2024-05-30T15:10:00Z',
    },
    {
      device_id: 'd-0', name: '옛 접수 PC', registered_by: null, registered_at: '2024-04-01T01:00:00Z',
      revoked: true, revoked_at: '2024-04-20T09:00:00Z', last_seen_at: '2024-04-19T23:59:00Z',
    },
  ];
}

/** A server holding a device list that registration and revocation change. */
function deviceServer(overrides: Record<string, Handler> = {}) {
  const devices = sampleDevices();
  const routes: Record<string, Handler> = {
    'GET /api/v1/devices': () => ({ data: { devices: devices.map((d) => ({ ...d })) } }),
    'POST /api/v1/devices': ({ body }) => {
      const device = { device_id: 'd-new', name: String(body.name).trim(), registered_at: '2024-05-31T01:00:00Z' };
      devices.unshift({ ...device, registered_by: '김매니저', revoked: false, revoked_at: null, last_seen_at: null });
      return { status: 201, data: { ...device, secret: SECRET } };
    },
    'DELETE /api/v1/devices/d-1': () => {
      const d = devices.find((x) => x.device_id === 'd-1')!;
      Object.assign(d, { revoked: true, revoked_at: '2024-05-31T02:00:00Z' });
      return { data: d };
    },
    ...overrides,
  };
  return { devices, routes };
}

function renderDevices(role: Role = 'manager', overrides: Record<string, Handler> = {}, lang: 'ko' | 'en' = 'ko') {
  const { routes } = deviceServer(overrides);
  const api = setupApi(routes);
  setLang(lang);
  render(
    <WithUser role={role}>
      <DevicesScreen />
      <Toasts />
    </WithUser>,
  );
  return api;
}

function row(id: string): HTMLElement {
  return screen.getAllByTestId('device-row').find((r) => r.dataset.deviceId === id)!;
}

const text = (el: HTMLElement, testid: string) => within(el).getByTestId(testid).textContent?.trim();
const calls = <C extends { method: string; path: string }>(all: C[], method: string): C[] => all.filter((c) => c.method === method && c.path.startsWith('/api/v1/devices'));
const toasts = () => screen.queryAllByTestId('toast').map((t) => t.textContent ?? '');

async function openAddDialog() {
  await screen.findByTestId('devices-table');
  fireEvent.click(screen.getByTestId('device-add'));
  return screen.findByTestId('device-add-dialog');
}

async function register(name: string) {
  await openAddDialog();
  fireEvent.input(screen.getByTestId('device-name'), { target: { value: name } });
  fireEvent.click(screen.getByTestId('device-add-submit'));
  return screen.findByTestId('device-secret-dialog');
}

describe('sync devices: address and rules', () => {
  it('has its own address', () => {
    expect(parseRoute('#/devices')).toEqual({ name: 'devices' });
    expect(href({ name: 'devices' })).toBe('#/devices');
  });

  it('checks a name as the server does, and groups the secret for reading', () => {
    expect(deviceNameProblem('')).toBe('기기 이름을 입력하세요.');
    expect(deviceNameProblem('   ')).toBe('기기 이름을 입력하세요.');
    expect(deviceNameProblem('가'.repeat(100))).toBeNull();
    expect(deviceNameProblem('가'.repeat(101))).toBe('기기 이름은 100자까지 쓸 수 있습니다.');
    expect(secretGroups(SECRET)).toHaveLength(8);
    expect(secretGroups(SECRET).join('')).toBe(SECRET);
  });
});

describe('sync devices: the list', () => {
  it('lists every device with who registered it, when (KST), its last sync and its state', async () => {
    const { calls: all } = renderDevices('manager');
    await screen.findByTestId('devices-table');
    expect(screen.getAllByTestId('device-row').map((r) => r.dataset.deviceId)).toEqual(['d-2', 'd-1', 'd-0']);
    expect(screen.getByTestId('devices-count').textContent).toBe('사용 중 2대 · 전체 3대');

    const fresh = row('d-2');
    expect(text(fresh, 'device-name-cell')).toBe('원장실 노트북');
    expect(text(fresh, 'device-registered-by')).toBe('김매니저');
    expect(text(fresh, 'device-registered-at')).toBe('2024-05-30 14:05');
    expect(text(fresh, 'device-last-seen')).toBe('아직 동기화하지 않음');
    expect(text(fresh, 'device-state')).toBe('사용 중');
    expect(within(fresh).getByTestId('device-state').dataset.value).toBe('live');

    // A sync after midnight in Seoul is on the next day.
    expect(text(row('d-1'), 'device-last-seen')).toBe('2024-05-31 00:10');
    expect(within(row('d-1')).getByTestId('device-revoke').getAttribute('aria-label')).toBe('접수 PC 1 등록 취소');

    const old = row('d-0');
    expect(old.dataset.revoked).toBe('true');
    expect(text(old, 'device-registered-by')).toBe('—');
    expect(within(old).getByTestId('device-state').dataset.value).toBe('revoked');
    expect(text(old, 'device-state')).toContain('등록 취소됨');
    expect(text(old, 'device-revoked-at')).toBe('2024-04-20 18:00');
    expect(within(old).queryByTestId('device-revoke')).toBeNull();

    expect(calls(all, 'GET')).toHaveLength(1);
  });

  it('says when no device is registered yet', async () => {
    renderDevices('admin', { 'GET /api/v1/devices': () => ({ data: { devices: [] } }) });
    expect((await screen.findByTestId('devices-empty')).textContent).toContain('등록된 기기가 없습니다');
    expect(screen.getByTestId('device-add')).toBeTruthy();
  });

  it('shows a failure with a retry', async () => {
    let fail = true;
    const { routes } = deviceServer();
    renderDevices('manager', {
      'GET /api/v1/devices': (call) => (fail ? { status: 500, error: { code: 'INTERNAL_ERROR', message: 'x' } } : routes['GET /api/v1/devices'](call)),
    });
    const error = await screen.findByTestId('devices-error');
    fail = false;
    fireEvent.click(within(error).getByRole('button'));
    expect(await screen.findAllByTestId('device-row')).toHaveLength(3);
  });

  it('is in English too', async () => {
    renderDevices('manager', {}, 'en');
    await screen.findByTestId('devices-table');
    expect(screen.getByRole('heading', { level: 1 }).textContent).toContain('Sync devices');
    expect(text(row('d-2'), 'device-last-seen')).toBe('Not synced yet');
    expect(text(row('d-0'), 'device-state')).toContain('Revoked');
    expect(screen.getByTestId('device-add').textContent).toBe('Register device');
  });
});

describe('sync devices: registering', () => {
  it('sends the name, shows the secret once, and closes only after the checkbox', async () => {
    const writeText = vi.fn().mockResolvedValue(undefined);
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
    const { calls: all } = renderDevices('manager');
    const dialog = await register('  접수 PC 2 ');
    expect(calls(all, 'POST').map((c) => c.body)).toEqual([{ name: '접수 PC 2' }]);
    expect(screen.queryByTestId('device-add-dialog')).toBeNull();

    expect(screen.getByTestId('device-secret').textContent).toBe(SECRET);
    expect(screen.getByTestId('device-secret-warning').textContent).toContain('이 비밀값은 지금 한 번만 보입니다 — 기기의 연결 화면에 입력하세요');
    expect(dialog.textContent).toContain('“접수 PC 2” 기기를 등록했습니다.');

    // Nothing but the checkbox and then 닫기 closes it: no ×, no Esc, no click beside it.
    const close = screen.getByTestId('device-secret-close') as HTMLButtonElement;
    expect(close.disabled).toBe(true);
    expect(within(dialog).queryByRole('button', { name: '닫기' })).toBe(close);
    fireEvent.keyDown(dialog, { key: 'Escape' });
    fireEvent.mouseDown(dialog.parentElement!);
    fireEvent.click(close);
    expect(screen.getByTestId('device-secret-dialog')).toBeTruthy();

    fireEvent.click(screen.getByTestId('device-secret-copy'));
    await waitFor(() => expect(writeText).toHaveBeenCalledWith(SECRET));
    expect((await screen.findByTestId('device-secret-copy-status')).dataset.state).toBe('copied');
    expect(screen.getByTestId('device-secret-copy').textContent).toBe('복사됨');
    expect(screen.getByTestId('device-secret-dialog')).toBeTruthy();

    // The list behind the dialog already shows the new device, without its secret.
    await waitFor(() => expect(screen.getAllByTestId('device-row').map((r) => r.dataset.deviceId)).toContain('d-new'));
    expect(calls(all, 'GET')).toHaveLength(2);

    fireEvent.click(screen.getByTestId('device-secret-ack'));
    expect((screen.getByTestId('device-secret-ack') as HTMLInputElement).checked).toBe(true);
    expect(close.disabled).toBe(false);
    fireEvent.click(close);
    expect(screen.queryByTestId('device-secret-dialog')).toBeNull();

    // Gone for good: nowhere in the page, the list or a toast.
    expect(document.documentElement.innerHTML).not.toContain(SECRET);
    expect(document.documentElement.innerHTML).not.toContain(SECRET.slice(0, 8));
    expect(text(row('d-new'), 'device-name-cell')).toBe('접수 PC 2');
    expect(text(row('d-new'), 'device-last-seen')).toBe('아직 동기화하지 않음');
    expect(screen.getByTestId('devices-count').textContent).toBe('사용 중 3대 · 전체 4대');
    expect(toasts()).toContain('“접수 PC 2” 기기를 등록했습니다.×');
    expect(toasts().join(' ')).not.toContain(SECRET);
  });

  it('can be closed with Esc once the checkbox is ticked', async () => {
    renderDevices('admin');
    const dialog = await register('진료실 PC');
    fireEvent.click(screen.getByTestId('device-secret-ack'));
    fireEvent.keyDown(dialog, { key: 'Escape' });
    expect(screen.queryByTestId('device-secret-dialog')).toBeNull();
    expect(document.documentElement.innerHTML).not.toContain(SECRET);
  });

  it('selects the secret and says to copy it by hand when the clipboard cannot be used', async () => {
    Object.defineProperty(navigator, 'clipboard', { value: { writeText: vi.fn().mockRejectedValue(new Error('denied')) }, configurable: true });
    const execCommand = vi.fn(() => false);
    Object.defineProperty(document, 'execCommand', { value: execCommand, configurable: true });
    renderDevices('manager');
    await register('접수 PC 3');
    fireEvent.click(screen.getByTestId('device-secret-copy'));
    const status = await screen.findByTestId('device-secret-copy-status');
    expect(status.dataset.state).toBe('failed');
    expect(status.textContent).toContain('Ctrl+C');
    expect(execCommand).toHaveBeenCalledWith('copy');
    expect(screen.getByTestId('device-secret-copy').textContent).toBe('복사');
  });

  it('asks for a name before sending anything', async () => {
    const { calls: all } = renderDevices('manager');
    await openAddDialog();
    fireEvent.click(screen.getByTestId('device-add-submit'));
    expect((await screen.findByTestId('error-name')).textContent).toBe('기기 이름을 입력하세요.');
    expect(calls(all, 'POST')).toHaveLength(0);
    // Typing clears the message.
    fireEvent.input(screen.getByTestId('device-name'), { target: { value: '접' } });
    expect(screen.queryByTestId('error-name')).toBeNull();
  });

  it('shows the server’s 422 at the name field, and no secret', async () => {
    const { calls: all } = renderDevices('manager', {
      'POST /api/v1/devices': () => ({
        status: 422,
        error: {
          code: 'VALIDATION_ERROR',
          field: 'name',
          message: '입력값을 확인해 주세요',
          details: { errors: [{ field: 'name', code: 'too_long', message: '이름은 100자 이하여야 합니다' }] },
        },
      }),
    });
    await openAddDialog();
    fireEvent.input(screen.getByTestId('device-name'), { target: { value: '접수 PC' } });
    fireEvent.click(screen.getByTestId('device-add-submit'));
    const error = await screen.findByTestId('error-name');
    expect(error.textContent).toBe('이름은 100자 이하여야 합니다');
    expect(screen.getByTestId('device-name').getAttribute('aria-invalid')).toBe('true');
    expect(screen.getByTestId('device-add-dialog')).toBeTruthy();
    expect(screen.queryByTestId('device-secret-dialog')).toBeNull();
    expect(screen.queryByTestId('device-add-error')).toBeNull();
    expect(calls(all, 'POST')).toHaveLength(1);
  });

  it('shows an error that is not about the name above the buttons', async () => {
    renderDevices('manager', { 'POST /api/v1/devices': () => ({ status: 500, error: { code: 'INTERNAL_ERROR', message: 'x' } }) });
    await openAddDialog();
    fireEvent.input(screen.getByTestId('device-name'), { target: { value: '접수 PC' } });
    fireEvent.click(screen.getByTestId('device-add-submit'));
    expect((await screen.findByTestId('device-add-error')).textContent).toBe('서버 오류가 발생했습니다. 잠시 후 다시 시도하세요.');
    expect(screen.queryByTestId('error-name')).toBeNull();
  });
});

describe('sync devices: revoking', () => {
  it('revokes only through the confirmation, which states the consequence', async () => {
    const { calls: all } = renderDevices('manager');
    await screen.findByTestId('devices-table');
    fireEvent.click(within(row('d-1')).getByTestId('device-revoke'));
    const dialog = await screen.findByTestId('device-revoke-dialog');
    expect(dialog.textContent).toContain('“접수 PC 1” 기기의 등록을 취소합니다.');
    expect(screen.getByTestId('device-revoke-consequence').textContent).toContain('이 기기는 더 이상 동기화할 수 없습니다. 되돌릴 수 없으며 다시 쓰려면 새로 등록해야 합니다');
    // Enter alone never revokes: the focus starts on keeping it.
    expect(document.activeElement?.getAttribute('data-testid')).toBe('device-revoke-cancel');
    fireEvent.click(screen.getByTestId('device-revoke-cancel'));
    expect(screen.queryByTestId('device-revoke-dialog')).toBeNull();
    expect(calls(all, 'DELETE')).toHaveLength(0);

    fireEvent.click(within(row('d-1')).getByTestId('device-revoke'));
    fireEvent.click(await screen.findByTestId('device-revoke-confirm'));
    await waitFor(() => expect(screen.queryByTestId('device-revoke-dialog')).toBeNull());
    expect(calls(all, 'DELETE').map((c) => c.path)).toEqual(['/api/v1/devices/d-1']);
    await waitFor(() => expect(row('d-1').dataset.revoked).toBe('true'));
    expect(text(row('d-1'), 'device-state')).toContain('등록 취소됨');
    expect(text(row('d-1'), 'device-revoked-at')).toBe('2024-05-31 11:00');
    expect(within(row('d-1')).queryByTestId('device-revoke')).toBeNull();
    expect(toasts()).toContain('“접수 PC 1” 기기의 등록을 취소했습니다.×');
  });

  it('says so when the device was revoked meanwhile, and shows the list as it is', async () => {
    const { calls: all } = renderDevices('admin', {
      'DELETE /api/v1/devices/d-2': () => ({ status: 409, error: { code: 'DEVICE_ALREADY_REVOKED', message: 'x' } }),
    });
    await screen.findByTestId('devices-table');
    fireEvent.click(within(row('d-2')).getByTestId('device-revoke'));
    fireEvent.click(await screen.findByTestId('device-revoke-confirm'));
    await waitFor(() => expect(screen.queryByTestId('device-revoke-dialog')).toBeNull());
    expect(toasts()).toContain('이미 등록이 취소된 기기입니다.×');
    await waitFor(() => expect(calls(all, 'GET')).toHaveLength(2));
  });

  it('keeps the dialog open with the reason on another failure', async () => {
    renderDevices('manager', { 'DELETE /api/v1/devices/d-1': () => ({ status: 500, error: { code: 'INTERNAL_ERROR', message: 'x' } }) });
    await screen.findByTestId('devices-table');
    fireEvent.click(within(row('d-1')).getByTestId('device-revoke'));
    fireEvent.click(await screen.findByTestId('device-revoke-confirm'));
    expect((await screen.findByTestId('device-revoke-error')).textContent).toContain('서버 오류');
    expect(screen.getByTestId('device-revoke-dialog')).toBeTruthy();
  });
});

describe('sync devices: who', () => {
  it('tells staff and doctors it is not for them, without asking the server', async () => {
    for (const role of ['staff', 'doctor'] as const) {
      const { calls: all } = renderDevices(role);
      expect((await screen.findByTestId('devices-forbidden')).textContent).toBe('매니저와 관리자만 볼 수 있는 화면입니다.');
      expect(screen.queryByTestId('devices-screen')).toBeNull();
      expect(screen.queryByTestId('device-add')).toBeNull();
      expect(all).toHaveLength(0);
      cleanup();
    }
  });

  it('shows the same message when the server refuses', async () => {
    renderDevices('manager', { 'GET /api/v1/devices': () => ({ status: 403, error: { code: 'FORBIDDEN_ROLE', message: 'x' } }) });
    expect((await screen.findByTestId('devices-forbidden')).textContent).toBe('매니저와 관리자만 볼 수 있는 화면입니다.');
    expect(screen.queryByTestId('device-add')).toBeNull();
  });

  async function loginAs(role: Role) {
    const { routes } = deviceServer();
    setupApi({
      ...routes,
      'POST /api/v1/auth/login': () => ({
        data: { access_token: 'a', refresh_token: 'r', token_type: 'Bearer', expires_in: 900, user: { id: `u-${role}`, username: role, display_name: role, role } },
      }),
      'GET /api/v1/services': () => ({ data: { services: [] } }),
      'GET /api/v1/today': () => ({ status: 500, error: { code: 'INTERNAL_ERROR', message: 'x' } }),
    });
    location.hash = '';
    render(<App />);
    fireEvent.input(await screen.findByTestId('login-username'), { target: { value: role } });
    fireEvent.input(screen.getByTestId('login-password'), { target: { value: 'x' } });
    fireEvent.click(screen.getByTestId('login-submit'));
    await screen.findByTestId('today-screen');
  }

  it('gives staff and doctors no sidebar entry; the address shows the no-access message', async () => {
    for (const role of ['staff', 'doctor'] as const) {
      await loginAs(role);
      expect(screen.queryByTestId('nav-devices')).toBeNull();
      location.hash = '#/devices';
      await waitFor(() => {
        window.dispatchEvent(new HashChangeEvent('hashchange'));
        expect(screen.getByTestId('devices-forbidden').textContent).toBe('매니저와 관리자만 볼 수 있는 화면입니다.');
      });
      cleanup();
      location.hash = '';
    }
  });

  it('gives managers and admins the entry, which opens the list and is marked active', async () => {
    for (const role of ['manager', 'admin'] as const) {
      await loginAs(role);
      const entry = screen.getByTestId('nav-devices');
      expect(entry.textContent).toBe('동기화 기기');
      expect(entry.getAttribute('href')).toBe('#/devices');
      location.hash = '#/devices';
      await waitFor(() => {
        window.dispatchEvent(new HashChangeEvent('hashchange'));
        expect(screen.getAllByTestId('device-row')).toHaveLength(3);
      });
      expect(screen.getByTestId('nav-devices').className).toContain('active');
      cleanup();
      location.hash = '';
    }
  });

  it('keeps the secret dialog open through the page’s shortcuts (Ctrl+K goes nowhere)', async () => {
    await loginAs('manager');
    location.hash = '#/devices';
    await waitFor(() => {
      window.dispatchEvent(new HashChangeEvent('hashchange'));
      expect(screen.getAllByTestId('device-row')).toHaveLength(3);
    });
    const dialog = await register('접수 PC 4');
    fireEvent.keyDown(screen.getByTestId('device-secret-copy'), { key: 'k', ctrlKey: true });
    fireEvent.keyDown(dialog, { key: 'F1' });
    await new Promise((r) => setTimeout(r, 50));
    expect(location.hash).toBe('#/devices');
    expect(screen.getByTestId('device-secret-dialog')).toBeTruthy();
    expect(screen.queryByTestId('shortcuts-dialog')).toBeNull();
    fireEvent.click(screen.getByTestId('device-secret-ack'));
    fireEvent.click(screen.getByTestId('device-secret-close'));
    expect(screen.queryByTestId('device-secret-dialog')).toBeNull();
  });
});
