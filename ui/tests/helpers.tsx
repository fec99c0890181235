import type { ComponentChildren } from 'preact';
import { configureApi, resetApi, type ApiRequest, type ApiResponse, type TokenStore } from '../src/api';
import { clearCatalog } from '../src/catalog';
import { AppContext } from '../src/context';
import { setLang } from '../src/i18n';
import type { Role, User } from '../src/types';

export interface Call {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: any;
}

export type Handler = (call: Call) => { status?: number; data?: unknown; error?: Record<string, unknown>; raw?: string } | Promise<{ status?: number; data?: unknown; error?: Record<string, unknown>; raw?: string }>;

/** An in-memory transport: routes "METHOD /path" (query ignored) to handlers, records calls. */
export function fakeServer(routes: Record<string, Handler>) {
  const calls: Call[] = [];
  const transport = async (req: ApiRequest): Promise<ApiResponse> => {
    const call: Call = { method: req.method, path: req.path, headers: req.headers, body: req.body ? JSON.parse(req.body) : null };
    calls.push(call);
    const key = `${req.method} ${req.path.split('?')[0]}`;
    const handler = routes[key];
    if (!handler) {
      return { status: 404, headers: {}, body: JSON.stringify({ success: false, error: { code: 'NOT_FOUND', message: key } }) };
    }
    const out = await handler(call);
    const status = out.status ?? 200;
    if (out.raw !== undefined) return { status, headers: {}, body: out.raw };
    const body = out.error
      ? { success: false, error: out.error, timestamp: '2024-05-30T00:00:00Z', request_id: 'req-1' }
      : { success: true, data: out.data ?? null, message: 'OK', timestamp: '2024-05-30T00:00:00Z', request_id: 'req-1' };
    return { status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
  };
  return { calls, transport };
}

export function memoryStore(initial: string | null = null): TokenStore & { value: string | null } {
  const store = {
    value: initial,
    async load() {
      return store.value;
    },
    async save(t: string) {
      store.value = t;
    },
    async clear() {
      store.value = null;
    },
  };
  return store;
}

export function setupApi(routes: Record<string, Handler>, store = memoryStore()) {
  resetApi();
  clearCatalog();
  setLang('ko');
  const server = fakeServer(routes);
  configureApi({ transport: server.transport, tokenStore: store, deviceId: 'test-device' });
  return { ...server, store };
}

export function userOf(role: Role): User {
  return { id: `u-${role}`, username: role, display_name: `${role} 사용자`, role };
}

export function WithUser({ role, children }: { role: Role; children: ComponentChildren }) {
  return <AppContext.Provider value={{ user: userOf(role), lang: 'ko' }}>{children}</AppContext.Provider>;
}
