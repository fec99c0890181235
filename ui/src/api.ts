// The one API helper of the UI. It speaks the ClinicDesk v1 envelope (docs/API.md) over one of
// two transports and hides which one from the rest of the UI:
//   - desktop (Tauri): the `api_request` command, which hands the request to the in-process router;
//   - browser: fetch() against the server that served the UI (same origin).
// It also owns the login session: the access token lives in memory only; the refresh token is
// kept by a TokenStore — the OS keyring through Tauri commands on the desktop; in a browser the
// server keeps it in an HttpOnly cookie that no script (ours or an injected one) can read. An
// expired access token is refreshed once, transparently, and the request retried.

import { invoke } from '@tauri-apps/api/core';
import { getLang } from './i18n';
import { mark } from './perf';
import type { AuthTokens, SetupStatus, User } from './types';

export interface ApiRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string | null;
}

export interface ApiResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export type Transport = (req: ApiRequest) => Promise<ApiResponse>;

export interface TokenStore {
  /**
   * The browser holds the refresh token itself, in an HttpOnly cookie the page cannot read:
   * refreshing sends no token, and there is nothing to load or save here.
   */
  readonly inCookie?: boolean;
  load(): Promise<string | null>;
  save(refreshToken: string): Promise<void>;
  clear(): Promise<void>;
}

/** A success envelope, plus the HTTP status and (lower-cased) response headers. */
export interface Envelope<T> {
  success: true;
  data: T;
  message?: string;
  timestamp?: string;
  request_id?: string;
  status: number;
  headers: Record<string, string>;
}

export interface ApiErrorInit {
  status: number;
  code: string;
  message?: string;
  field?: string | null;
  details?: Record<string, unknown> | null;
  requestId?: string | null;
}

/** `success: false` from the API (or a transport failure, with status 0 and NETWORK_ERROR). */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly field: string | null;
  readonly details: Record<string, unknown> | null;
  readonly requestId: string | null;

  constructor(init: ApiErrorInit) {
    super(init.message ?? init.code);
    this.name = 'ApiError';
    this.status = init.status;
    this.code = init.code;
    this.field = init.field ?? null;
    this.details = init.details ?? null;
    this.requestId = init.requestId ?? null;
  }
}

export type SessionEndReason = 'logout' | 'expired' | 'invalid';
type SessionListener = (user: User | null, reason?: SessionEndReason) => void;

// ---------------------------------------------------------------------------------------------
// Transports

export function isTauri(): boolean {
  return typeof window !== 'undefined' && '__TAURI_INTERNALS__' in window;
}

/**
 * Saves what the desktop window shows (its print layout, A4) as a PDF in the user's Documents
 * folder; the file's path. Desktop only: a browser prints through its own dialog.
 */
export async function savePdf(fileName: string, invokeImpl: InvokeFn = invoke as InvokeFn): Promise<string> {
  return (await invokeImpl('save_pdf', { fileName })) as string;
}

function lowerKeys(h: Record<string, string> | null | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (h) for (const [k, v] of Object.entries(h)) out[k.toLowerCase()] = String(v);
  return out;
}

/**
 * Where the page's clinic has its API. A central server hosting several clinics serves each
 * one's UI and API under `/clinics/<slug>/` (the first clinic at `/`): the UI opened there
 * calls that clinic's API.
 */
export function clinicPrefix(pathname: string = globalThis.location?.pathname ?? '/'): string {
  const m = /^\/clinics\/[a-z0-9-]+(?=\/|$)/.exec(pathname);
  return m ? m[0] : '';
}

export function fetchTransport(fetchImpl: typeof fetch = (...a) => fetch(...a)): Transport {
  return async (req) => {
    let res: Response;
    try {
      res = await fetchImpl(clinicPrefix() + req.path, {
        method: req.method,
        headers: req.headers,
        body: req.body ?? undefined,
        credentials: 'same-origin',
        cache: 'no-store',
      });
    } catch (e) {
      throw new ApiError({ status: 0, code: 'NETWORK_ERROR', message: String((e as Error)?.message ?? e) });
    }
    const headers: Record<string, string> = {};
    res.headers.forEach((v, k) => {
      headers[k.toLowerCase()] = v;
    });
    const body = res.status === 204 ? '' : await res.text();
    return { status: res.status, headers, body };
  };
}

type InvokeFn = (cmd: string, args?: Record<string, unknown>) => Promise<unknown>;

export function tauriTransport(invokeImpl: InvokeFn = invoke as InvokeFn): Transport {
  return async (req) => {
    let out: unknown;
    try {
      out = await invokeImpl('api_request', { request: req });
    } catch (e) {
      throw new ApiError({ status: 0, code: 'NETWORK_ERROR', message: String((e as Error)?.message ?? e) });
    }
    const r = (out ?? {}) as Partial<ApiResponse>;
    return { status: Number(r.status ?? 0), headers: lowerKeys(r.headers), body: r.body ?? '' };
  };
}

// ---------------------------------------------------------------------------------------------
// Refresh-token stores

/** Where an earlier version kept the refresh token in a browser; removed on start. */
const LEGACY_REFRESH_KEY = 'clinicdesk.refresh_token';
const DEVICE_KEY = 'clinicdesk.device_id';

/** The browser's store: the token lives in the server's HttpOnly cookie. */
export function cookieTokenStore(storage: Storage | undefined = globalThis.localStorage): TokenStore {
  try {
    storage?.removeItem(LEGACY_REFRESH_KEY);
  } catch {
    /* private mode: nothing was stored either */
  }
  return {
    inCookie: true,
    async load() {
      return null;
    },
    async save() {},
    async clear() {},
  };
}

export function tauriTokenStore(invokeImpl: InvokeFn = invoke as InvokeFn): TokenStore {
  return {
    async load() {
      try {
        const v = await invokeImpl('session_load');
        return typeof v === 'string' && v !== '' ? v : null;
      } catch {
        return null;
      }
    },
    async save(refreshToken) {
      try {
        await invokeImpl('session_save', { refreshToken });
      } catch (e) {
        console.warn('session_save failed', e);
      }
    },
    async clear() {
      try {
        await invokeImpl('session_clear');
      } catch (e) {
        console.warn('session_clear failed', e);
      }
    },
  };
}

function randomId(): string {
  const c = globalThis.crypto as Crypto | undefined;
  if (c?.randomUUID) return c.randomUUID();
  const bytes = new Uint8Array(16);
  if (c?.getRandomValues) c.getRandomValues(bytes);
  else for (let i = 0; i < 16; i++) bytes[i] = Math.floor(Math.random() * 256);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** A stable id for this installation (desktop) or this browser profile. */
export function defaultDeviceId(): string {
  const prefix = isTauri() ? 'desktop-' : 'web-';
  try {
    const s = globalThis.localStorage;
    const have = s?.getItem(DEVICE_KEY);
    if (have) return have;
    const id = prefix + randomId();
    s?.setItem(DEVICE_KEY, id);
    return id;
  } catch {
    return prefix + randomId();
  }
}

// ---------------------------------------------------------------------------------------------
// State and configuration

interface Config {
  transport: Transport;
  tokenStore: TokenStore;
  deviceId: string;
  /** How long a start waits for a server (or the desktop's database) that is still starting. */
  restorePatienceMs: number;
}

let config: Config | null = null;

function cfg(): Config {
  if (!config) {
    const desktop = isTauri();
    config = {
      transport: desktop ? tauriTransport() : fetchTransport(),
      tokenStore: desktop ? tauriTokenStore() : cookieTokenStore(),
      deviceId: defaultDeviceId(),
      restorePatienceMs: 30_000,
    };
  }
  return config;
}

/** Override the transport, token store or device id (tests, or a host that wants to). */
export function configureApi(partial: Partial<Config>): void {
  config = { ...cfg(), ...partial };
}

let accessToken: string | null = null;
let refreshToken: string | null = null;
let currentUser: User | null = null;
let refreshing: Promise<RefreshOutcome> | null = null;
const listeners = new Set<SessionListener>();

/** Forget all session state and configuration (tests). */
export function resetApi(): void {
  config = null;
  accessToken = null;
  refreshToken = null;
  currentUser = null;
  refreshing = null;
  listeners.clear();
}

export function getUser(): User | null {
  return currentUser;
}

export function getAccessToken(): string | null {
  return accessToken;
}

export function onSessionChange(fn: SessionListener): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

function emit(user: User | null, reason?: SessionEndReason) {
  listeners.forEach((fn) => fn(user, reason));
}

// ---------------------------------------------------------------------------------------------
// Requests

const AUTH_PATHS = ['/api/v1/auth/login', '/api/v1/auth/refresh'];

function isAuthPath(path: string): boolean {
  const p = path.split('?')[0];
  return AUTH_PATHS.includes(p);
}

function defaultCode(status: number): string {
  switch (status) {
    case 0:
      return 'NETWORK_ERROR';
    case 400:
      return 'INVALID_JSON';
    case 401:
      return 'AUTH_INVALID_TOKEN';
    case 403:
      return 'FORBIDDEN_ROLE';
    case 404:
      return 'NOT_FOUND';
    case 405:
      return 'METHOD_NOT_ALLOWED';
    case 413:
      return 'PAYLOAD_TOO_LARGE';
    case 422:
      return 'VALIDATION_ERROR';
    case 429:
      return 'RATE_LIMIT_EXCEEDED';
    case 503:
      return 'SERVICE_UNAVAILABLE';
    default:
      return status >= 500 ? 'INTERNAL_ERROR' : 'INVALID_RESPONSE';
  }
}

/** Turn a raw transport response into an envelope, or throw the ApiError it carries. */
export function parseResponse<T>(res: ApiResponse): Envelope<T> {
  const ok = res.status >= 200 && res.status < 300;
  const text = (res.body ?? '').trim();
  if (text === '') {
    if (ok) return { success: true, data: null as T, status: res.status, headers: res.headers };
    throw new ApiError({ status: res.status, code: defaultCode(res.status) });
  }
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ApiError({
      status: res.status,
      code: ok ? 'INVALID_RESPONSE' : defaultCode(res.status),
      message: text.slice(0, 200),
    });
  }
  if (json === null || typeof json !== 'object') {
    throw new ApiError({ status: res.status, code: 'INVALID_RESPONSE' });
  }
  if (json.success === false || !ok) {
    const err = json.error && typeof json.error === 'object' ? json.error : {};
    const details = err.details && typeof err.details === 'object' ? err.details : null;
    throw new ApiError({
      status: res.status,
      code: typeof err.code === 'string' ? err.code : defaultCode(res.status),
      message: typeof err.message === 'string' ? err.message : undefined,
      field: typeof err.field === 'string' ? err.field : typeof details?.field === 'string' ? details.field : null,
      details,
      requestId: json.request_id ?? null,
    });
  }
  return { ...json, success: true, status: res.status, headers: res.headers } as Envelope<T>;
}

async function send(method: string, path: string, body: unknown, token: string | null, accept = 'application/json'): Promise<ApiResponse> {
  const c = cfg();
  const headers: Record<string, string> = {
    Accept: accept,
    'Content-Type': 'application/json',
    'X-Device-Id': c.deviceId,
    // The server writes its error messages in the UI's language.
    'Accept-Language': getLang(),
  };
  if (token) headers.Authorization = `Bearer ${token}`;
  const payload = body === undefined || body === null ? null : typeof body === 'string' ? body : JSON.stringify(body);
  return c.transport({ method: method.toUpperCase(), path, headers, body: payload });
}

type RefreshOutcome = 'ok' | 'rejected' | 'unreachable';

async function doRefresh(): Promise<RefreshOutcome> {
  const inCookie = cfg().tokenStore.inCookie === true;
  const rt = refreshToken;
  if (!inCookie && !rt) return 'rejected';
  const attempt = async () =>
    parseResponse<AuthTokens>(await send('POST', '/api/v1/auth/refresh', inCookie ? null : { refresh_token: rt }, null));
  try {
    let env: Envelope<AuthTokens>;
    try {
      env = await attempt();
    } catch (e) {
      // Two tabs refreshing at once both send the old cookie: the slower one is refused, but
      // by then the cookie holds the new token, so one more try succeeds.
      if (!(inCookie && e instanceof ApiError && e.status === 401 && currentUser)) throw e;
      await new Promise((resolve) => setTimeout(resolve, 300));
      env = await attempt();
    }
    await adoptTokens(env.data);
    return 'ok';
  } catch (e) {
    if (e instanceof ApiError && (e.status === 0 || e.status >= 500 || e.status === 429)) return 'unreachable';
    return 'rejected';
  }
}

/** One refresh at a time: concurrent requests that all hit an expired token share it. */
function refreshOnce(): Promise<RefreshOutcome> {
  if (!refreshing) {
    refreshing = doRefresh().finally(() => {
      refreshing = null;
    });
  }
  return refreshing;
}

async function adoptTokens(tokens: AuthTokens): Promise<void> {
  accessToken = tokens.access_token;
  refreshToken = tokens.refresh_token ?? null;
  if (tokens.user) currentUser = tokens.user;
  if (tokens.refresh_token) await cfg().tokenStore.save(tokens.refresh_token);
}

async function endSession(reason: SessionEndReason): Promise<void> {
  const hadUser = currentUser !== null || accessToken !== null;
  accessToken = null;
  refreshToken = null;
  currentUser = null;
  await cfg().tokenStore.clear();
  if (hadUser || reason === 'logout') emit(null, reason);
}

/**
 * Call the ClinicDesk API. `path` is the full path with query string, e.g.
 * `/api/v1/customers/search?q=김`. `body` is JSON-encoded. Resolves to the success envelope
 * (for 204: `data: null`), or rejects with an ApiError.
 */
export async function api<T = unknown>(method: string, path: string, body?: unknown): Promise<Envelope<T>> {
  return request(method, path, body, 'application/json', parseResponse<T>);
}

/** A body that is not an envelope (a chart's SVG), as text, with its content type. */
export interface TextBody {
  text: string;
  contentType: string;
}

/**
 * Read what an endpoint answers outside the envelope — a chart (`GET /api/v1/charts/…`) — as
 * text, through the same transport, token and refresh as `api()`. A failure still comes as the
 * envelope and rejects with its ApiError. (The desktop's bridge hands a body that is not UTF-8
 * over in base64 and says so in a header; it is decoded here.)
 */
export async function apiText(path: string, accept = '*/*'): Promise<TextBody> {
  return request('GET', path, undefined, accept, (res) => {
    if (res.status < 200 || res.status >= 300) parseResponse(res);
    const base64 = (res.headers['x-clinicdesk-body-encoding'] ?? '').toLowerCase() === 'base64';
    const text = base64 ? new TextDecoder().decode(Uint8Array.from(atob(res.body ?? ''), (ch) => ch.charCodeAt(0))) : (res.body ?? '');
    return { text, contentType: res.headers['content-type'] ?? '' };
  });
}

/** Send with the session's token; on an expired token refresh once and send again. */
async function request<R>(method: string, path: string, body: unknown, accept: string, parse: (res: ApiResponse) => R): Promise<R> {
  const tokenUsed = isAuthPath(path) ? null : accessToken;
  const res = await send(method, path, body, tokenUsed, accept);
  try {
    return parse(res);
  } catch (e) {
    if (!(e instanceof ApiError) || e.status !== 401 || isAuthPath(path) || tokenUsed === null) throw e;
    if (e.code === 'AUTH_EXPIRED_TOKEN') {
      // Another request may already have refreshed while this one was in flight.
      const outcome = accessToken && accessToken !== tokenUsed ? 'ok' : await refreshOnce();
      if (outcome === 'ok') {
        return parse(await send(method, path, body, accessToken, accept));
      }
      if (outcome === 'rejected') await endSession('expired');
      throw e;
    }
    if (e.code === 'AUTH_INVALID_TOKEN' && accessToken === tokenUsed) {
      // Revoked (logged out elsewhere) or tampered: the session is gone.
      await endSession('invalid');
    }
    throw e;
  }
}

/** Build a query string from the non-empty entries of `params` (arrays are comma-joined). */
export function qs(params: Record<string, string | number | boolean | string[] | null | undefined>): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null || v === '') continue;
    if (Array.isArray(v)) {
      if (v.length === 0) continue;
      parts.push(`${encodeURIComponent(k)}=${v.map(encodeURIComponent).join(',')}`);
    } else {
      parts.push(`${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`);
    }
  }
  return parts.length ? `?${parts.join('&')}` : '';
}

// ---------------------------------------------------------------------------------------------
// Session

export async function login(username: string, password: string): Promise<User> {
  const env = await api<AuthTokens>('POST', '/api/v1/auth/login', { username, password, device_id: cfg().deviceId });
  await adoptTokens(env.data);
  emit(currentUser);
  return currentUser!;
}

/**
 * Starts a session from the tokens another sign-in answered (a patient's simple login or
 * sign-up, `/api/v1/auth/simple/*`): the same session as a staff login — the access token in
 * memory, the refresh token in the HttpOnly cookie (browser) or the keyring (desktop).
 */
export async function startSession(tokens: AuthTokens): Promise<User> {
  await adoptTokens(tokens);
  emit(currentUser);
  return currentUser!;
}

/**
 * Whether the first-run set-up is needed (`GET /api/v1/setup`). Waits, like a session restore,
 * for a server or desktop database that is still starting (a first start must not show the
 * login screen of an installation that has no account yet); null when it cannot be told.
 */
export async function setupStatus(): Promise<SetupStatus | null> {
  const deadline = Date.now() + cfg().restorePatienceMs;
  let pause = 50;
  for (;;) {
    try {
      return (await api<SetupStatus>('GET', '/api/v1/setup')).data;
    } catch (e) {
      const starting = e instanceof ApiError && (e.status === 0 || e.status === 503);
      if (!starting || Date.now() >= deadline) return null;
    }
    await new Promise((resolve) => setTimeout(resolve, pause));
    pause = Math.min(pause * 2, 400);
  }
}

/**
 * First run: creates the clinic's first administrator (`POST /api/v1/setup`, desktop only) and
 * starts their session, exactly as a login does.
 */
export async function setupFirstAdmin(account: { username: string; display_name: string; password: string }): Promise<User> {
  const env = await api<AuthTokens>('POST', '/api/v1/setup', account);
  await adoptTokens(env.data);
  emit(currentUser);
  return currentUser!;
}

/**
 * On start: if a refresh token was stored, exchange it and resume the session.
 * Resolves to the user, or null (no stored session, or it was rejected). A server that cannot
 * be reached keeps the stored token so that a later start can still resume.
 */
export async function restoreSession(): Promise<User | null> {
  const store = cfg().tokenStore;
  // In a browser the cookie, if any, goes with the refresh request: always ask.
  const stored = store.inCookie ? null : await store.load();
  mark('token-loaded');
  if (!stored && !store.inCookie) return null;
  refreshToken = stored;
  // A desktop opening its database (or a server starting) answers 503 for a moment: wait for
  // it rather than dropping a remembered login. Retries start soon and back off, so a short
  // wait costs little. (The desktop's bridge holds requests while its database opens, so
  // there this loop rarely runs at all.)
  const deadline = Date.now() + cfg().restorePatienceMs;
  let outcome = await refreshOnce();
  let pause = 50;
  while (outcome === 'unreachable' && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, pause));
    pause = Math.min(pause * 2, 400);
    outcome = await refreshOnce();
  }
  mark('refreshed');
  if (outcome === 'ok') {
    if (!currentUser) {
      try {
        currentUser = (await api<User>('GET', '/api/v1/auth/me')).data;
      } catch {
        /* keep going without a user object */
      }
    }
    emit(currentUser);
    return currentUser;
  }
  refreshToken = null;
  if (outcome === 'rejected') await cfg().tokenStore.clear();
  if (outcome === 'unreachable') throw new ApiError({ status: 0, code: 'NETWORK_ERROR' });
  return null;
}

export async function logout(): Promise<void> {
  if (accessToken) {
    try {
      await api('POST', '/api/v1/auth/logout');
    } catch {
      /* the local session ends regardless */
    }
  }
  await endSession('logout');
}
