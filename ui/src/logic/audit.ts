// The audit screen's pure parts: the shapes of GET /api/v1/audit/events and /verify, the
// action groups of the filter, the query each one sends, clinic time (KST), the readable
// summary of an event, and the merge of several action streams into one newest-first list.

import { qs } from '../api';
import { hasKey, t, tEnum, type I18nKey } from '../i18n';
import { addDays } from './format';

/** One event of `GET /api/v1/audit/events`. */
export interface AuditEvent {
  id: string;
  chain: string;
  seq: number;
  occurred_at: string;
  user_id?: string | null;
  username?: string | null;
  role?: string | null;
  device_id?: string | null;
  request_id?: string | null;
  client_request_id?: string | null;
  action: string;
  entity: string;
  entity_id?: string | null;
  details?: unknown;
  /** For events about a customer (admins see names). */
  customer_name?: string | null;
}

export interface AuditPage {
  events: AuditEvent[];
  pagination: { page: number; size: number; has_more: boolean };
}

export interface ChainReport {
  chain: string;
  events: number;
  broken_at: number | null;
  problem: string | null;
}

/** `GET /api/v1/audit/verify`. */
export interface VerifyResult {
  intact: boolean;
  events: number;
  chains: ChainReport[];
  verified_at: string;
}

// ---------------------------------------------------------------------------------------------
// Names of customers this session already knows: the detail screen hands its customer's name
// over, events and the audit screen's picker add theirs, so the customer filter is named
// without reading the record again.

export const customerNames = new Map<string, string>();

export function rememberCustomerName(id: string, name: string | null | undefined): void {
  if (id && name) customerNames.set(id, name);
}

// ---------------------------------------------------------------------------------------------
// Action groups

/**
 * The filter's groups, each the exact actions or prefixes (ending in `.`) it covers. The API
 * takes several, comma-separated, in one request: a page of a group is one server page (and
 * one `audit.events.read` event in the trail).
 */
export const ACTION_GROUPS = {
  all: [],
  customer_read: ['customer.detail.read', 'customer.read', 'customer.interactions.read', 'customer.packages.read'],
  customer_list: ['customer.list', 'customer.search'],
  customer_change: ['customer.create', 'customer.update', 'customer.anonymize', 'customer.delete'],
  // `package_template.` is not under `package.`: both are listed.
  // Receipts and the cash-up are reads of the same sales.
  care: ['session.', 'package.', 'package_template.', 'interaction.', 'receipt.', 'cashup.'],
  login: ['auth.'],
  denied: ['access.denied'],
  users: ['user.', 'setup.', 'settings.', 'device.'],
  audit: ['audit.'],
  reveal: ['customer.phone.reveal'],
} as const satisfies Record<string, readonly string[]>;

export type ActionGroup = keyof typeof ACTION_GROUPS;
export const ACTION_GROUP_KEYS = Object.keys(ACTION_GROUPS) as ActionGroup[];

/** The filters of the audit screen. Dates are clinic days (KST), YYYY-MM-DD, inclusive. */
export interface AuditFilters {
  customerId: string;
  username: string;
  group: ActionGroup;
  from: string;
  to: string;
}

export const EMPTY_FILTERS: AuditFilters = { customerId: '', username: '', group: 'all', from: '', to: '' };

/** The path of one `GET /api/v1/audit/events` request: `action` is one of the group's entries. */
export function auditEventsPath(f: AuditFilters, action: string | undefined, page: number, size: number): string {
  return `/api/v1/audit/events${qs({
    customer_id: f.customerId.trim(),
    username: f.username.trim().toLowerCase(),
    action,
    from: f.from,
    to: f.to,
    page,
    size,
  })}`;
}

/** The `action` filter a group sends, as AuditFeed's streams: one stream, its entries
 * comma-separated; `[undefined]` is "any action". */
export function groupActions(group: ActionGroup): (string | undefined)[] {
  const list: readonly string[] = ACTION_GROUPS[group] ?? [];
  return list.length ? [list.join(',')] : [undefined];
}

// ---------------------------------------------------------------------------------------------
// Clinic time: the clinic is in Korea (UTC+9, no daylight saving), whatever the computer's zone.

const KST_MS = 9 * 3600_000;

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** An RFC 3339 instant as KST `YYYY-MM-DD HH:mm:ss`; unreadable text stays as it is. */
export function kstDateTime(v: string | null | undefined): string {
  if (!v) return '—';
  const ms = Date.parse(v);
  if (Number.isNaN(ms)) return v;
  const d = new Date(ms + KST_MS);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

/** Today's clinic day, YYYY-MM-DD. */
export function kstToday(now: Date = new Date()): string {
  return kstDateTime(now.toISOString()).slice(0, 10);
}

export type DatePreset = 'today' | 'week' | 'days30' | 'any';
export const DATE_PRESETS: DatePreset[] = ['today', 'week', 'days30', 'any'];

/** The from–to clinic days of a preset: "this week" starts on Monday. */
export function presetRange(p: DatePreset, now: Date = new Date()): { from: string; to: string } {
  const today = kstToday(now);
  switch (p) {
    case 'today':
      return { from: today, to: today };
    case 'week': {
      const weekday = new Date(`${today}T00:00:00Z`).getUTCDay(); // 0 = Sunday
      return { from: addDays(today, -((weekday + 6) % 7)), to: today };
    }
    case 'days30':
      return { from: addDays(today, -29), to: today };
    case 'any':
      return { from: '', to: '' };
  }
}

/** The presets a range is (to show them pressed): on a Monday "today" and "this week" are the
 *  same range, and both are pressed. */
export function presetsOf(from: string, to: string, now: Date = new Date()): DatePreset[] {
  return DATE_PRESETS.filter((p) => {
    const r = presetRange(p, now);
    return r.from === from && r.to === to;
  });
}

// ---------------------------------------------------------------------------------------------
// Labels and summaries

export function actionLabel(action: string): string {
  return tEnum('auditAction', action);
}

/** How an action is shown: an alert (refusals, failures), a change, or a read. */
export function actionKind(action: string): 'alert' | 'change' | 'read' {
  if (action === 'access.denied' || action === 'auth.login_failed' || action === 'auth.login_refused' || action === 'auth.refresh_reused') {
    return 'alert';
  }
  if (/\.(read|list|search|verify)$/.test(action) || action.startsWith('auth.')) return 'read';
  return 'change';
}

function obj(v: unknown): Record<string, unknown> | null {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
}

function str(v: unknown): string | null {
  if (typeof v === 'string' && v !== '') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return null;
}

/** The first characters of an id, enough to tell records apart on a screen. */
export function shortId(id: string | null | undefined): string {
  if (!id) return '';
  return id.length > 8 ? id.slice(0, 8) : id;
}

/** The typed name of a login attempt whose account is unknown (no user on the event). */
export function attemptedUsername(e: AuditEvent): string | null {
  if (e.username) return null;
  return str(obj(e.details)?.username);
}

/** What an event was about, for the 대상 column (without the customer's name, shown apart). */
export function targetLabel(e: AuditEvent): string {
  if (e.action === 'customer.list' || e.action === 'customer.search') return t('audit.target.customerPage');
  const entity = tEnum('auditEntity', e.entity);
  const d = obj(e.details);
  // An account by its username (a failed login names one only when the account exists).
  const username = str(d?.username);
  if (e.entity === 'user' && username && (e.entity_id || !e.action.startsWith('auth.login'))) return `${entity} ${username}`;
  if (e.action === 'access.denied' || e.entity === 'audit') return entity;
  const id = shortId(e.entity_id);
  return id ? `${entity} · ${id}` : entity;
}

/** A device id as the server recorded it: over HTTP a client's claim is kept as `client:<id>`. */
function splitDevice(device: string): { id: string; claimed: boolean } {
  return device.startsWith('client:') ? { id: device.slice('client:'.length), claimed: true } : { id: device, claimed: false };
}

/** The device as a short label (`web-…` / `desktop-…` as 웹 / 데스크톱 and the id's start). */
export function deviceLabel(device: string | null | undefined): string {
  if (!device) return '—';
  const { id } = splitDevice(device);
  const m = /^(web|desktop)-(.+)$/.exec(id);
  if (m) return `${t(m[1] === 'web' ? 'audit.device.web' : 'audit.device.desktop')} · ${m[2].slice(0, 6)}`;
  return shortId(id);
}

/** The whole device id, and whether only the client vouches for it. */
export function deviceTitle(device: string | null | undefined): string | undefined {
  if (!device) return undefined;
  return splitDevice(device).claimed ? `${device} — ${t('audit.device.claimed')}` : device;
}

const QUERY_LABELS: Record<string, I18nKey> = {
  q: 'audit.query.q',
  search: 'audit.query.q',
  customer_id: 'audit.query.customer',
  username: 'audit.query.username',
  action: 'audit.query.action',
  from: 'audit.query.from',
  to: 'audit.query.to',
};

/** The query parameters of a list/search page or an audit read, as short readable parts. */
function queryParts(query: Record<string, unknown> | null): string[] {
  if (!query) return [];
  const parts: string[] = [];
  const page = str(query.page) ?? (str(query.offset) && str(query.limit) ? String(Math.floor(Number(query.offset) / Math.max(1, Number(query.limit))) + 1) : null);
  let others = 0;
  for (const [k, raw] of Object.entries(query)) {
    const v = str(raw);
    if (v === null || ['page', 'size', 'limit', 'offset', 'sort_by', 'sort_order'].includes(k)) continue;
    const key = QUERY_LABELS[k];
    if (key === 'audit.query.q') parts.push(t(key, { q: v }));
    else if (key === 'audit.query.customer') parts.push(t(key, { id: customerNames.get(v) ?? shortId(v) }));
    else if (key === 'audit.query.action') parts.push(t(key, { action: v.endsWith('.') ? `${v}*` : actionLabel(v) }));
    else if (key) parts.push(t(key, { v }));
    else others++;
  }
  if (others) parts.push(t('audit.query.filters', { n: others }));
  if (page && page !== '1') parts.push(t('audit.query.page', { n: page }));
  return parts;
}

function loginReason(reason: string | null): string | null {
  if (!reason) return null;
  const key = `audit.reason.${reason.toLowerCase()}`;
  return hasKey(key) ? t(key) : reason;
}

/** A short readable line for the 세부 column; '' when there is nothing more to say. */
export function summarize(e: AuditEvent): string {
  const d = obj(e.details);
  const parts: string[] = [];
  switch (e.action) {
    case 'customer.list':
    case 'customer.search': {
      const shown = d?.shown;
      if (typeof shown === 'number') parts.push(t('audit.summary.shown', { n: shown }));
      parts.push(...queryParts(obj(d?.query)));
      break;
    }
    case 'access.denied': {
      const path = str(d?.path);
      if (path) parts.push(`${str(d?.method) ?? ''} ${path}`.trim());
      break;
    }
    case 'auth.login_failed':
    case 'auth.login_refused': {
      const reason = loginReason(str(d?.reason));
      if (reason) parts.push(reason);
      const typed = attemptedUsername(e);
      if (typed) parts.push(t('audit.summary.typed', { username: typed }));
      const ip = str(d?.ip);
      if (ip) parts.push(`IP ${ip}`);
      break;
    }
    case 'customer.update': {
      const fields = Array.isArray(d?.fields) ? (d.fields as unknown[]).map((f) => tEnum('field', String(f))) : [];
      if (fields.length) parts.push(t('audit.summary.fields', { fields: fields.join(', ') }));
      break;
    }
    case 'user.create':
    case 'setup.first_admin': {
      const role = str(d?.role);
      if (role) parts.push(tEnum('role', role));
      break;
    }
    case 'user.update': {
      const role = obj(d?.role);
      if (role) parts.push(t('audit.summary.role', { from: tEnum('role', str(role.from)), to: tEnum('role', str(role.to)) }));
      const active = obj(d?.active);
      if (active) parts.push(active.to === true ? t('audit.summary.reactivated') : t('audit.summary.deactivated'));
      break;
    }
    case 'auth.sessions.revoke': {
      const n = d?.sessions;
      if (typeof n === 'number') parts.push(t('audit.summary.sessions', { n }));
      break;
    }
    case 'audit.events.read':
      parts.push(...queryParts(obj(d?.query)));
      break;
    case 'customer.phone.reveal': {
      const reason = str(d?.reason);
      if (reason) parts.push(tEnum('reveal.reason', reason));
      const note = str(d?.note);
      if (note) parts.push(note);
      break;
    }
  }
  if ((e.action === 'customer.create' || e.action === 'customer.update') && Array.isArray(d?.confirmed_distinct_from)) {
    parts.push(t('audit.summary.distinct', { n: (d.confirmed_distinct_from as unknown[]).length }));
  }
  return parts.join(' · ');
}

// ---------------------------------------------------------------------------------------------
// Verification problems (crates/store/src/audit.rs words them in English for the command line)

const PROBLEMS: [RegExp, (m: RegExpExecArray) => string][] = [
  [/^its contents do not match its seal/, () => t('audit.problem.seal')],
  [/^does not link to the event before it/, () => t('audit.problem.link')],
  [/^event (\d+) is missing \(the next one is (\d+)\)/, (m) => t('audit.problem.gap', { n: m[1], next: m[2] })],
  [/^the head says the newest event is (\d+), the chain ends at (\d+)/, (m) => t('audit.problem.truncated', { head: m[1], last: m[2] })],
  [/^the chain's head row does not match its seal/, () => t('audit.problem.headSeal')],
  [/^the chain has no head row/, () => t('audit.problem.noHead')],
  [/^sealed with key (\S+) which is not in the key ring/, (m) => t('audit.problem.unknownKey', { key: m[1] })],
  [/^the access log's file is not the one/, () => t('audit.problem.accessFile')],
];

/** The Korean (or English) wording of a verification problem; null when it is not a known one. */
export function translateProblem(problem: string | null | undefined): string | null {
  if (!problem) return null;
  for (const [re, say] of PROBLEMS) {
    const m = re.exec(problem);
    if (m) return say(m);
  }
  return null;
}

/** `<node>` holds the changes, `<node>:access` the reads and refusals. */
export function chainKind(chain: string): string {
  return chain.endsWith(':access') ? t('audit.chain.access') : t('audit.chain.writes');
}

// ---------------------------------------------------------------------------------------------
// Several action streams merged into one newest-first list, page by page

export type FetchAuditPage = (action: string | undefined, page: number) => Promise<{ events: AuditEvent[]; has_more: boolean }>;

interface Stream {
  action: string | undefined;
  buffer: AuditEvent[];
  /** The server page to read next. */
  next: number;
  more: boolean;
}

/** The server's order: newest first, then by id (descending). */
function newer(a: AuditEvent, b: AuditEvent): boolean {
  if (a.occurred_at !== b.occurred_at) return a.occurred_at > b.occurred_at;
  return a.id > b.id;
}

/**
 * The pages of one filter. With one action (or none) a page is the server's page; with
 * several, each is its own stream and the pages are a merge of them in the server's order —
 * so a group never shows a short or empty page while later events exist. An event already
 * shown is never shown again (newer events pushing older ones to the next server page would
 * otherwise repeat the last row of a page).
 */
export class AuditFeed {
  private streams: Stream[];
  private pages: AuditEvent[][] = [];
  private seen = new Set<string>();

  constructor(actions: (string | undefined)[], private fetchPage: FetchAuditPage, readonly size: number) {
    this.streams = actions.map((action) => ({ action, buffer: [], next: 1, more: true }));
  }

  /** Whether more events follow the pages built so far. */
  hasMoreAfter(page: number): boolean {
    if (page < this.pages.length) return true;
    return this.streams.some((s) => s.buffer.length > 0 || s.more);
  }

  /** Page `n` (1-based): built from the streams if it was not yet, otherwise as first shown. */
  async page(n: number): Promise<{ events: AuditEvent[]; hasMore: boolean }> {
    while (this.pages.length < n && this.hasMoreAfter(this.pages.length)) await this.build();
    return { events: this.pages[n - 1] ?? [], hasMore: this.hasMoreAfter(n) };
  }

  private async build(): Promise<void> {
    // Work on copies: a request that fails leaves the feed as it was, to be retried.
    const streams = this.streams.map((s) => ({ ...s, buffer: [...s.buffer] }));
    const seen = new Set(this.seen);
    const out: AuditEvent[] = [];
    while (out.length < this.size) {
      const empty = streams.filter((s) => s.buffer.length === 0 && s.more);
      await Promise.all(
        empty.map(async (s) => {
          const got = await this.fetchPage(s.action, s.next);
          s.buffer.push(...got.events);
          s.next += 1;
          s.more = got.has_more && got.events.length > 0;
        }),
      );
      let best: Stream | null = null;
      for (const s of streams) if (s.buffer.length && (!best || newer(s.buffer[0], best.buffer[0]))) best = s;
      if (!best) break;
      const e = best.buffer.shift()!;
      if (seen.has(e.id)) continue;
      seen.add(e.id);
      out.push(e);
    }
    this.streams = streams;
    this.seen = seen;
    this.pages.push(out);
  }
}
