// What the sync screens show, worked out from the API's answers: pure functions, so that the
// indicator, the settings screen and the conflicts screen say the same thing the same way.

import { ApiError } from '../api';
import { hasKey, t, tEnum, type I18nKey } from '../i18n';
import type { Role, SyncRound, SyncStatus } from '../types';
import { describeError } from './errors';
import { formatKstDateTime } from './format';

/** Who connects this PC and resolves conflicts: the roles the server lets (FORBIDDEN_ROLE otherwise). */
export function canManageSync(role: Role | string | undefined): boolean {
  return role === 'admin' || role === 'manager';
}

/** What the indicator says, in one word. */
export type IndicatorState = 'unknown' | 'central' | 'disconnected' | 'online' | 'offline';

/**
 * `unreachable`: the last status request failed. Then this window cannot reach whatever
 * answers the API either, which for the person at the desk is "offline" — said quietly, as
 * the state, never as an error.
 */
export function indicatorState(status: SyncStatus | null, unreachable: boolean): IndicatorState {
  if (unreachable) return status?.role === 'central' ? 'central' : 'offline';
  if (!status) return 'unknown';
  if (status.role === 'central') return 'central';
  if (!status.connected) return 'disconnected';
  return status.online ? 'online' : 'offline';
}

/** Problems someone must look at: open conflicts, overdrawn packages, customers that may be one person. */
export function attentionCount(status: SyncStatus | null): number {
  if (!status) return 0;
  return (status.conflicts || 0) + (status.overdrawn_packages || 0) + (status.merge_candidates || 0);
}

/**
 * How far a pull has come, 0–99 (%), while it is not finished; null when no pull is under way
 * (no head known yet, or everything received). Never 100 before it is done.
 */
export function pullPercent(status: SyncStatus | null): number | null {
  const f = status?.pull?.fraction;
  if (f === null || f === undefined || !Number.isFinite(f) || f >= 1) return null;
  return Math.max(0, Math.min(99, Math.floor(f * 100)));
}

/** `last_error` is "CODE: message": the message is for people, the code for whoever helps them. */
export function splitLastError(text: string | null | undefined): { code: string | null; message: string } | null {
  if (!text) return null;
  const m = /^([A-Z][A-Z0-9_]+):\s*(.*)$/s.exec(text);
  if (!m) return { code: null, message: text };
  return { code: m[1], message: m[2] || m[1] };
}

const KST_MS = 9 * 3600_000;
const pad = (n: number) => String(n).padStart(2, '0');

/**
 * A sync time as short as it can be told apart: "14:05" today (the clinic's day, KST),
 * "05-29 14:05" earlier this year, the full date and time before that; null → "—".
 */
export function syncTime(iso: string | null | undefined, now: Date = new Date()): string {
  if (!iso) return t('common.empty');
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return iso;
  const d = new Date(ms + KST_MS);
  const n = new Date(now.getTime() + KST_MS);
  const hm = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
  const sameYear = d.getUTCFullYear() === n.getUTCFullYear();
  if (sameYear && d.getUTCMonth() === n.getUTCMonth() && d.getUTCDate() === n.getUTCDate()) return hm;
  if (sameYear) return `${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${hm}`;
  return formatKstDateTime(iso);
}

/**
 * A sync failure for people. The server's own message for the sync codes (it names the cause:
 * revoked device, server unreachable, …, in the UI's language); our wording for everything
 * else, and for a request that never reached an answer.
 */
export function syncErrorText(e: unknown): string {
  if (e instanceof ApiError && e.code.startsWith('SYNC_') && e.message && e.message !== e.code) return e.message;
  return describeError(e);
}

/** "보냄 3건 · 받음 12건", plus the conflicts the round found. */
export function roundSummary(r: SyncRound): string {
  const base = t('sync.roundMoved', { pushed: r.pushed ?? 0, pulled: r.pulled ?? 0 });
  return r.conflicts ? `${base} · ${t('sync.roundConflicts', { n: r.conflicts })}` : base;
}

// ---------------------------------------------------------------------------------------------
// Conflicts: which row, which field, and its two values as the database's text.

/** How a field's stored text reads: a flag ("1"/"0"), one enum value, or a JSON list of them. */
type ValueKind = 'flag' | { one: string } | { list: string };

const VALUE_KINDS: Record<string, Record<string, ValueKind>> = {
  customer: {
    consent_privacy: 'flag',
    consent_marketing: 'flag',
    consent_health_data: 'flag',
    gender: { one: 'gender' },
    membership_level: { one: 'membership' },
    customer_status: { one: 'status' },
    risk_level: { one: 'risk' },
    preferred_intensity: { one: 'intensity' },
    preferred_time_slots: { list: 'timeSlot' },
    preferred_services: { list: 'service' },
    health_interests: { list: 'interest' },
    preferred_channels: { list: 'channel' },
  },
  user: {
    active: 'flag',
    demo: 'flag',
    role: { one: 'role' },
  },
};

/** Field labels of the rows that are not customers (a customer's fields use the form's `field.*`). */
const OTHER_LABELS: Record<string, Record<string, I18nKey>> = {
  customer: { phone_digits: 'sync.field.phone_digits', consent_updated_at: 'sync.field.consent_updated_at' },
  user: { display_name: 'users.colName', username: 'users.colUsername', role: 'users.colRole', active: 'users.active', demo: 'users.demo' },
  clinic_settings: { value: 'clinic.title' },
};

/** The Korean label of a conflict's field, as the customer form and the user list call it; the raw name when there is none. */
export function conflictFieldLabel(entity: string, field: string): string {
  const own = OTHER_LABELS[entity]?.[field];
  if (own) return t(own);
  if (entity === 'customer') {
    const key = `field.${field}`;
    if (hasKey(key)) return t(key);
  }
  return field;
}

/** What kind of row a conflict is about (고객, 사용자, …). */
export function conflictEntityName(entity: string): string {
  const key = `auditEntity.${entity}`;
  if (hasKey(key)) return t(key);
  if (entity === 'clinic_settings') return t('clinic.title');
  return entity;
}

/** A stored value for people: 예/아니오 for flags, Korean names for enum values and lists; "(비어 있음)" for nothing. */
export function conflictValueText(entity: string, field: string, value: string | null | undefined): string {
  if (value === null || value === undefined || value === '') return t('conflicts.emptyValue');
  const kind = VALUE_KINDS[entity]?.[field];
  if (kind === 'flag') {
    if (value === '1' || value === 'true') return t('common.yes');
    if (value === '0' || value === 'false') return t('common.no');
    return value;
  }
  if (kind && 'one' in kind) return tEnum(kind.one, value);
  if (kind && 'list' in kind) {
    try {
      const items: unknown = JSON.parse(value);
      if (Array.isArray(items)) {
        return items.length ? items.map((v) => tEnum(kind.list, String(v))).join(', ') : t('conflicts.emptyValue');
      }
    } catch {
      /* not JSON: shown as stored */
    }
  }
  return value;
}
