import { beforeEach, describe, expect, it, vi } from 'vitest';
import {
  ApiError,
  api,
  clinicPrefix,
  configureApi,
  fetchTransport,
  getUser,
  login,
  logout,
  onSessionChange,
  parseResponse,
  qs,
  resetApi,
  restoreSession,
  cookieTokenStore,
  tauriTokenStore,
  tauriTransport,
} from '../src/api';
import { setLang } from '../src/i18n';
import { memoryStore, setupApi } from './helpers';

const tokens = (n: number) => ({
  access_token: `access-${n}`,
  refresh_token: `refresh-${n}`,
  token_type: 'Bearer',
  expires_in: 900,
  user: { id: 'u1', username: 'staff', display_name: '최직원', role: 'staff' },
});

beforeEach(() => resetApi());

describe('parseResponse', () => {
  it('returns the success envelope with status and headers', () => {
    const env = parseResponse<{ a: number }>({
      status: 200,
      headers: { 'x-request-id': 'r' },
      body: JSON.stringify({ success: true, data: { a: 1 }, message: 'OK', timestamp: 't', request_id: 'r1' }),
    });
    expect(env.data).toEqual({ a: 1 });
    expect(env.message).toBe('OK');
    expect(env.request_id).toBe('r1');
    expect(env.status).toBe(200);
    expect(env.headers['x-request-id']).toBe('r');
  });

  it('treats an empty 204 body as success with null data', () => {
    const env = parseResponse({ status: 204, headers: { 'x-data-retention': 'anonymized' }, body: '' });
    expect(env.success).toBe(true);
    expect(env.data).toBeNull();
    expect(env.headers['x-data-retention']).toBe('anonymized');
  });

  it('throws a typed ApiError for success:false', () => {
    const body = {
      success: false,
      error: { code: 'VALIDATION_ERROR', message: '전화번호 형식', field: 'phone', details: { received_value: '123' } },
      timestamp: 't',
      request_id: 'req-9',
    };
    try {
      parseResponse({ status: 422, headers: {}, body: JSON.stringify(body) });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ApiError);
      const err = e as ApiError;
      expect(err.status).toBe(422);
      expect(err.code).toBe('VALIDATION_ERROR');
      expect(err.message).toBe('전화번호 형식');
      expect(err.field).toBe('phone');
      expect(err.details).toEqual({ received_value: '123' });
      expect(err.requestId).toBe('req-9');
    }
  });

  it('takes the field from details when the error has none', () => {
    const body = { success: false, error: { code: 'VALIDATION_ERROR', message: 'x', details: { field: 'email' } } };
    expect(() => parseResponse({ status: 422, headers: {}, body: JSON.stringify(body) })).toThrowError(
      expect.objectContaining({ field: 'email' }),
    );
  });

  it('maps a non-JSON error body to a code from the status', () => {
    expect(() => parseResponse({ status: 503, headers: {}, body: 'upstream down' })).toThrowError(
      expect.objectContaining({ code: 'SERVICE_UNAVAILABLE', status: 503 }),
    );
    expect(() => parseResponse({ status: 200, headers: {}, body: '<html>' })).toThrowError(expect.objectContaining({ code: 'INVALID_RESPONSE' }));
  });
});

describe('api()', () => {
  it('sends JSON, the device id and no Authorization before login', async () => {
    const { calls } = setupApi({ 'GET /api/v1/services': () => ({ data: { services: [] } }) });
    const env = await api('GET', '/api/v1/services');
    expect(env.data).toEqual({ services: [] });
    expect(calls[0].headers['Content-Type']).toBe('application/json');
    expect(calls[0].headers['X-Device-Id']).toBe('test-device');
    expect(calls[0].headers.Authorization).toBeUndefined();
  });

  it('asks for error messages in the UI language', async () => {
    const { calls } = setupApi({ 'GET /api/v1/services': () => ({ data: { services: [] } }) });
    await api('GET', '/api/v1/services');
    expect(calls[0].headers['Accept-Language']).toBe('ko');
    setLang('en');
    try {
      await api('GET', '/api/v1/services');
      expect(calls[1].headers['Accept-Language']).toBe('en');
    } finally {
      setLang('ko');
    }
  });

  it('sends the bearer token after login and stores the refresh token', async () => {
    const { calls, store } = setupApi({
      'POST /api/v1/auth/login': ({ body }) => {
        expect(body).toEqual({ username: 'staff', password: 'pw', device_id: 'test-device' });
        return { data: tokens(1) };
      },
      'GET /api/v1/auth/me': () => ({ data: tokens(1).user }),
    });
    const user = await login('staff', 'pw');
    expect(user.role).toBe('staff');
    expect(store.value).toBe('refresh-1');
    await api('GET', '/api/v1/auth/me');
    expect(calls[1].headers.Authorization).toBe('Bearer access-1');
  });

  it('refreshes once on AUTH_EXPIRED_TOKEN and retries, even for concurrent requests', async () => {
    let refreshes = 0;
    const { calls, store } = setupApi({
      'POST /api/v1/auth/login': () => ({ data: tokens(1) }),
      'POST /api/v1/auth/refresh': ({ body }) => {
        refreshes++;
        expect(body).toEqual({ refresh_token: 'refresh-1' });
        return { data: tokens(2) };
      },
      'GET /api/v1/customers/search': ({ headers }) =>
        headers.Authorization === 'Bearer access-2'
          ? { data: { customers: [], pagination: { total: 0, page: 1, size: 20, total_pages: 1 } } }
          : { status: 401, error: { code: 'AUTH_EXPIRED_TOKEN', message: 'expired' } },
    });
    await login('staff', 'pw');
    const [a, b] = await Promise.all([api('GET', '/api/v1/customers/search?q=a'), api('GET', '/api/v1/customers/search?q=b')]);
    expect(a.status).toBe(200);
    expect(b.status).toBe(200);
    expect(refreshes).toBe(1);
    expect(store.value).toBe('refresh-2');
    // The refresh call itself carries no (expired) bearer token.
    const refreshCall = calls.find((c) => c.path === '/api/v1/auth/refresh')!;
    expect(refreshCall.headers.Authorization).toBeUndefined();
  });

  it('ends the session when the refresh is rejected', async () => {
    const { store } = setupApi({
      'POST /api/v1/auth/login': () => ({ data: tokens(1) }),
      'POST /api/v1/auth/refresh': () => ({ status: 401, error: { code: 'AUTH_INVALID_TOKEN', message: 'revoked' } }),
      'GET /api/v1/customers/x': () => ({ status: 401, error: { code: 'AUTH_EXPIRED_TOKEN', message: 'expired' } }),
    });
    const events: [unknown, unknown][] = [];
    onSessionChange((u, reason) => events.push([u, reason]));
    await login('staff', 'pw');
    await expect(api('GET', '/api/v1/customers/x')).rejects.toMatchObject({ code: 'AUTH_EXPIRED_TOKEN', status: 401 });
    expect(store.value).toBeNull();
    expect(getUser()).toBeNull();
    expect(events.at(-1)).toEqual([null, 'expired']);
  });

  it('ends the session on AUTH_INVALID_TOKEN (revoked elsewhere)', async () => {
    setupApi({
      'POST /api/v1/auth/login': () => ({ data: tokens(1) }),
      'GET /api/v1/customers/x': () => ({ status: 401, error: { code: 'AUTH_INVALID_TOKEN', message: 'revoked' } }),
    });
    const reasons: unknown[] = [];
    onSessionChange((_u, r) => reasons.push(r));
    await login('staff', 'pw');
    await expect(api('GET', '/api/v1/customers/x')).rejects.toBeInstanceOf(ApiError);
    expect(reasons.at(-1)).toBe('invalid');
  });

  it('does not try to refresh a failed login', async () => {
    const { calls } = setupApi({
      'POST /api/v1/auth/login': () => ({ status: 401, error: { code: 'AUTH_INVALID_CREDENTIALS', message: 'no' } }),
    });
    await expect(login('staff', 'bad')).rejects.toMatchObject({ code: 'AUTH_INVALID_CREDENTIALS' });
    expect(calls.map((c) => c.path)).toEqual(['/api/v1/auth/login']);
  });

  it('restores a stored session through refresh', async () => {
    const store = memoryStore('refresh-7');
    setupApi({ 'POST /api/v1/auth/refresh': ({ body }) => (body.refresh_token === 'refresh-7' ? { data: tokens(8) } : { status: 401, error: { code: 'AUTH_INVALID_TOKEN' } }) }, store);
    const user = await restoreSession();
    expect(user?.username).toBe('staff');
    expect(store.value).toBe('refresh-8');
  });

  it('forgets a stored session the server rejects', async () => {
    const store = memoryStore('stale');
    setupApi({ 'POST /api/v1/auth/refresh': () => ({ status: 401, error: { code: 'AUTH_INVALID_TOKEN' } }) }, store);
    expect(await restoreSession()).toBeNull();
    expect(store.value).toBeNull();
  });

  it('waits for a server that is still starting before resuming the session', async () => {
    const store = memoryStore('resume-me');
    resetApi();
    let calls = 0;
    configureApi({
      transport: async (req) => {
        calls += 1;
        if (calls <= 2) {
          return { status: 503, headers: {}, body: JSON.stringify({ success: false, error: { code: 'SERVICE_UNAVAILABLE', message: '준비 중', details: {} } }) };
        }
        if (req.path === '/api/v1/auth/refresh') {
          return {
            status: 200,
            headers: {},
            body: JSON.stringify({ success: true, data: { access_token: 'a', refresh_token: 'r2', token_type: 'Bearer', expires_in: 900, user: { id: 'u', username: 'staff', display_name: '최유나', role: 'staff' } } }),
          };
        }
        return { status: 200, headers: {}, body: JSON.stringify({ success: true, data: { id: 'u', username: 'staff', display_name: '최유나', role: 'staff' } }) };
      },
      tokenStore: store,
      deviceId: 'd',
      restorePatienceMs: 5_000,
    });
    const user = await restoreSession();
    expect(user?.username).toBe('staff');
    expect(calls).toBeGreaterThanOrEqual(3);
    expect(store.value).toBe('r2');
  });

  it('keeps a stored session when the server is unreachable', async () => {
    const store = memoryStore('keep-me');
    resetApi();
    configureApi({
      transport: async () => {
        throw new ApiError({ status: 0, code: 'NETWORK_ERROR' });
      },
      tokenStore: store,
      deviceId: 'd',
      restorePatienceMs: 0,
    });
    await expect(restoreSession()).rejects.toMatchObject({ code: 'NETWORK_ERROR' });
    expect(store.value).toBe('keep-me');
  });

  it('logout calls the API and clears the stored token', async () => {
    const { calls, store } = setupApi({
      'POST /api/v1/auth/login': () => ({ data: tokens(1) }),
      'POST /api/v1/auth/logout': () => ({ data: { logged_out: true } }),
    });
    await login('staff', 'pw');
    await logout();
    expect(calls.at(-1)?.path).toBe('/api/v1/auth/logout');
    expect(calls.at(-1)?.headers.Authorization).toBe('Bearer access-1');
    expect(store.value).toBeNull();
    expect(getUser()).toBeNull();
  });
});

describe('api() over fetch', () => {
  it('refreshes an expired token through a fake fetch and retries the request', async () => {
    const seen: { url: string; auth: string | null; body: string | null }[] = [];
    const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
    const fakeFetch = vi.fn(async (url: RequestInfo | URL, init?: RequestInit) => {
      const headers = (init?.headers ?? {}) as Record<string, string>;
      seen.push({ url: String(url), auth: headers.Authorization ?? null, body: (init?.body as string) ?? null });
      if (url === '/api/v1/auth/login') return json(200, { success: true, data: tokens(1) });
      if (url === '/api/v1/auth/refresh') return json(200, { success: true, data: tokens(2) });
      if (headers.Authorization === 'Bearer access-2') return json(200, { success: true, data: { ok: true }, message: 'OK' });
      return json(401, { success: false, error: { code: 'AUTH_EXPIRED_TOKEN', message: 'expired', details: {} } });
    });
    resetApi();
    const store = memoryStore();
    configureApi({ transport: fetchTransport(fakeFetch as unknown as typeof fetch), tokenStore: store, deviceId: 'dev-1' });
    await login('staff', 'pw');
    const env = await api<{ ok: boolean }>('GET', '/api/v1/customers/c-1');
    expect(env.data.ok).toBe(true);
    expect(seen.map((s) => [s.url, s.auth])).toEqual([
      ['/api/v1/auth/login', null],
      ['/api/v1/customers/c-1', 'Bearer access-1'],
      ['/api/v1/auth/refresh', null],
      ['/api/v1/customers/c-1', 'Bearer access-2'],
    ]);
    expect(JSON.parse(seen[2].body!)).toEqual({ refresh_token: 'refresh-1' });
    expect(store.value).toBe('refresh-2');
  });
});

describe('a clinic of a server hosting several', () => {
  it('calls the API of the clinic the page was opened at', () => {
    expect(clinicPrefix('/')).toBe('');
    expect(clinicPrefix('/index.html')).toBe('');
    expect(clinicPrefix('/clinics/gangnam/')).toBe('/clinics/gangnam');
    expect(clinicPrefix('/clinics/hongdae-2')).toBe('/clinics/hongdae-2');
    expect(clinicPrefix('/clinics/gangnam/index.html')).toBe('/clinics/gangnam');
    // Not a clinic's address: no prefix, so the first clinic's API.
    expect(clinicPrefix('/clinics/')).toBe('');
    expect(clinicPrefix('/clinicsx/a/')).toBe('');
    expect(clinicPrefix('/clinics/Gangnam/')).toBe('');
  });
});

describe('in a browser (refresh token in an HttpOnly cookie)', () => {
  function cookieServer(refreshOk: boolean) {
    const seen: { url: string; body: string | null }[] = [];
    const fakeFetch = vi.fn(async (url: RequestInfo | URL, init?: RequestInit) => {
      seen.push({ url: String(url), body: (init?.body as string) ?? null });
      const { refresh_token: _never, ...data } = tokens(2);
      const json = (status: number, b: unknown) =>
        new Response(JSON.stringify(b), { status, headers: { 'content-type': 'application/json' } });
      if (url === '/api/v1/auth/login') return json(200, { success: true, data });
      if (url === '/api/v1/auth/refresh')
        return refreshOk
          ? json(200, { success: true, data })
          : json(401, { success: false, error: { code: 'AUTH_INVALID_TOKEN', message: 'x', details: {} } });
      return json(200, { success: true, data: {} });
    });
    return { seen, fakeFetch };
  }

  it('never keeps the refresh token in page storage and refreshes without sending one', async () => {
    localStorage.setItem('clinicdesk.refresh_token', 'left-by-an-old-version');
    const { seen, fakeFetch } = cookieServer(true);
    configureApi({ transport: fetchTransport(fakeFetch as unknown as typeof fetch), tokenStore: cookieTokenStore(), deviceId: 'd' });
    expect(localStorage.getItem('clinicdesk.refresh_token')).toBeNull();
    const user = await restoreSession();
    expect(user?.username).toBe('staff');
    expect(seen[0]).toEqual({ url: '/api/v1/auth/refresh', body: null });
    await login('staff', 'pw');
    expect(Object.keys(localStorage).filter((k) => k.includes('refresh'))).toEqual([]);
  });

  it('shows the login screen when the cookie is missing or refused', async () => {
    const { fakeFetch } = cookieServer(false);
    configureApi({ transport: fetchTransport(fakeFetch as unknown as typeof fetch), tokenStore: cookieTokenStore(), deviceId: 'd' });
    expect(await restoreSession()).toBeNull();
  });
});

describe('transports', () => {
  it('fetchTransport passes method, headers and body, and lower-cases response headers', async () => {
    const fakeFetch = vi.fn(async (_url: RequestInfo | URL, _init?: RequestInit) =>
      new Response(JSON.stringify({ success: true, data: 1 }), { status: 201, headers: { 'X-Thing': 'v' } }),
    );
    const tr = fetchTransport(fakeFetch as unknown as typeof fetch);
    const res = await tr({ method: 'POST', path: '/api/v1/x', headers: { A: 'b' }, body: '{"k":1}' });
    expect(fakeFetch).toHaveBeenCalledWith('/api/v1/x', expect.objectContaining({ method: 'POST', body: '{"k":1}', headers: { A: 'b' } }));
    expect(res.status).toBe(201);
    expect(res.headers['x-thing']).toBe('v');
    expect(JSON.parse(res.body).data).toBe(1);
  });

  it('fetchTransport turns a network failure into NETWORK_ERROR', async () => {
    const tr = fetchTransport((async () => {
      throw new TypeError('Failed to fetch');
    }) as unknown as typeof fetch);
    await expect(tr({ method: 'GET', path: '/x', headers: {}, body: null })).rejects.toMatchObject({ code: 'NETWORK_ERROR', status: 0 });
  });

  it('tauriTransport calls api_request with the request object', async () => {
    const invoke = vi.fn(async () => ({ status: 200, headers: { 'Content-Type': 'application/json' }, body: '{"success":true,"data":2}' }));
    const tr = tauriTransport(invoke);
    const req = { method: 'GET', path: '/api/v1/services', headers: { Authorization: 'Bearer t' }, body: null };
    const res = await tr(req);
    expect(invoke).toHaveBeenCalledWith('api_request', { request: req });
    expect(res.headers['content-type']).toBe('application/json');
    expect(parseResponse(res).data).toBe(2);
  });

  it('tauriTokenStore uses session_save / session_load / session_clear', async () => {
    const invoke = vi.fn(async (cmd: string) => (cmd === 'session_load' ? 'rt-1' : null));
    const store = tauriTokenStore(invoke);
    expect(await store.load()).toBe('rt-1');
    await store.save('rt-2');
    await store.clear();
    expect(invoke.mock.calls).toEqual([['session_load'], ['session_save', { refreshToken: 'rt-2' }], ['session_clear']]);
  });
});

describe('qs', () => {
  it('skips empty values and joins arrays with commas', () => {
    expect(qs({ q: '김', service_filter: ['brain', 'pulse'], risk_level: '', page: 1, x: null, y: undefined, z: [] })).toBe(
      `?q=${encodeURIComponent('김')}&service_filter=brain,pulse&page=1`,
    );
    expect(qs({})).toBe('');
  });
});
