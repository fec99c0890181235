// This window's view of sync: the last `GET /api/v1/sync/status`, kept fresh while anything
// shows it (the indicator in the top bar, the progress banner, the settings screen), and the
// sync work this window started (지금 동기화, a connect). One poller for all of them, so that
// three components on screen still cost one request per interval.
//
// Nothing here throws or shows an error: a status request that fails only marks the status
// `unreachable` (the indicator then says 오프라인); runs and connects hand their errors to the
// caller, which shows them.

import { useEffect, useState } from 'preact/hooks';
import { api, isTauri } from './api';
import type { SyncConnected, SyncRound, SyncStatus } from './types';

export interface SyncView {
  /** The last answer; null before the first one (and after the last watcher left). */
  status: SyncStatus | null;
  /** The last status request failed. */
  unreachable: boolean;
  /** A run or a connect started from this window is under way. */
  busy: boolean;
  /** A pull is moving: show how far it has come. */
  pulling: boolean;
}

const EMPTY: SyncView = { status: null, unreachable: false, busy: false, pulling: false };

/**
 * How often to ask. On the desktop the request goes to the in-process router, free of any
 * rate limit: every 5 s, every second while a sync moves. Over HTTP each request counts
 * against the user's hourly budget (1000 general requests by default), which polling every
 * 5 s would mostly spend (720 an hour): there the central server, whose status changes only
 * when a node reports a conflict, is asked every minute, and a node served over HTTP every
 * 30 s (5 s while a sync moves). Regaining the focus always asks at once.
 */
function interval(): number {
  const moving = busyCount > 0 || view.pulling;
  if (isTauri()) return moving ? 1000 : 5000;
  if (view.status?.role === 'central') return 60_000;
  return moving ? 5000 : 30_000;
}

/** A connect's first pull runs inside the connect request: its progress shows for this long after. */
const AFTER_CONNECT_MS = 120_000;
/** Focus events come in bursts (window, then document): one request for a burst. */
const FOCUS_GAP_MS = 2000;

let view: SyncView = EMPTY;
const watchers = new Set<(v: SyncView) => void>();
let timer: ReturnType<typeof setTimeout> | null = null;
// Answers to requests sent before the last stop are dropped (a new session may have begun).
let generation = 0;
let inFlight: Promise<void> | null = null;
let askAgain = false;
let busyCount = 0;
let connectedAt = 0;
let lastCursor: number | null = null;
let cursorMoved = false;
let lastFocusAsk = 0;

/**
 * The pull is shown while it is not finished and something moves it: a run or connect from
 * this window, a connect a moment ago, or the cursor that moved since the last answer (the
 * desktop's own background rounds). A pull left half-way by a failed round shows nothing.
 */
function isPulling(status: SyncStatus | null): boolean {
  const f = status?.pull?.fraction;
  if (!status || status.role !== 'node' || f === null || f === undefined || f >= 1) return false;
  return busyCount > 0 || cursorMoved || Date.now() - connectedAt < AFTER_CONNECT_MS;
}

function publish(partial: Partial<SyncView>) {
  const next = { ...view, ...partial };
  next.busy = busyCount > 0;
  next.pulling = isPulling(next.status);
  view = next;
  watchers.forEach((fn) => fn(view));
}

function schedule() {
  if (timer) clearTimeout(timer);
  timer = null;
  if (watchers.size === 0) return;
  timer = setTimeout(() => {
    timer = null;
    // A hidden window asks nothing (showing it again asks at once, onVisible), but keeps
    // its turn, so that polling goes on even if that first ask was skipped as a repeat.
    if (typeof document !== 'undefined' && document.hidden) schedule();
    else void refreshSyncStatus();
  }, interval());
}

/** Ask for the status now (while something shows it); resolves once the answer is in. */
export function refreshSyncStatus(): Promise<void> {
  if (watchers.size === 0) return Promise.resolve();
  if (inFlight) {
    // The answer under way may predate what the caller just did: ask once more after it.
    askAgain = true;
    return inFlight;
  }
  const gen = generation;
  const request: Promise<void> = api<SyncStatus>('GET', '/api/v1/sync/status')
    .then((env) => {
      if (gen !== generation) return;
      const status = env.data;
      const cursor = status?.pull?.cursor ?? null;
      cursorMoved = lastCursor !== null && cursor !== null && cursor > lastCursor;
      lastCursor = cursor;
      publish({ status, unreachable: false });
    })
    .catch(() => {
      if (gen === generation) publish({ unreachable: true });
    })
    .finally(() => {
      if (inFlight === request) inFlight = null;
      if (gen !== generation) return;
      if (askAgain) {
        askAgain = false;
        void refreshSyncStatus();
      } else {
        schedule();
      }
    });
  inFlight = request;
  return request;
}

function onFocus() {
  const now = Date.now();
  if (now - lastFocusAsk < FOCUS_GAP_MS) return;
  lastFocusAsk = now;
  void refreshSyncStatus();
}

function onVisible() {
  if (!document.hidden) onFocus();
}

function start() {
  window.addEventListener('focus', onFocus);
  document.addEventListener('visibilitychange', onVisible);
  void refreshSyncStatus();
}

function stop() {
  window.removeEventListener('focus', onFocus);
  document.removeEventListener('visibilitychange', onVisible);
  if (timer) clearTimeout(timer);
  timer = null;
  generation++;
  inFlight = null;
  askAgain = false;
  lastCursor = null;
  cursorMoved = false;
  // The next watcher (perhaps another user's session) starts from nothing known.
  view = { ...EMPTY, busy: busyCount > 0 };
}

/** The sync status, kept fresh while the calling component is mounted. */
export function useSyncStatus(): SyncView {
  const [v, setV] = useState<SyncView>(view);
  useEffect(() => {
    watchers.add(setV);
    setV(view);
    if (watchers.size === 1) start();
    return () => {
      watchers.delete(setV);
      if (watchers.size === 0) stop();
    };
  }, []);
  return v;
}

/** Marks `work` as sync under way (faster polling, the progress shown) until it settles. */
async function track<T>(work: () => Promise<T>): Promise<T> {
  busyCount++;
  publish({});
  schedule();
  try {
    return await work();
  } finally {
    busyCount--;
    publish({});
    void refreshSyncStatus();
  }
}

/** 지금 동기화: one round (`POST /api/v1/sync/run`); rejects with the ApiError. */
export function runSyncNow(): Promise<SyncRound> {
  return track(async () => (await api<SyncRound>('POST', '/api/v1/sync/run', {})).data);
}

export interface ConnectRequest {
  server_url: string;
  username: string;
  password: string;
  device_name?: string;
}

/** Connects this PC to the clinic's server and runs the first sync (`POST /api/v1/sync/connect`). */
export function connectSync(body: ConnectRequest): Promise<SyncConnected> {
  return track(async () => {
    // The first pull runs inside this request: its progress shows from the start.
    connectedAt = Date.now();
    try {
      const connected = (await api<SyncConnected>('POST', '/api/v1/sync/connect', body)).data;
      // The background rounds carry on from here: their progress shows for a while yet.
      connectedAt = Date.now();
      return connected;
    } catch (e) {
      connectedAt = 0;
      throw e;
    }
  });
}

/** Forget everything (tests). */
export function resetSyncState(): void {
  watchers.clear();
  stop();
  busyCount = 0;
  connectedAt = 0;
  lastFocusAsk = 0;
  view = EMPTY;
}
