// Display formatting: money, dates, counts. Pure functions, Korean conventions
// (₩1,500,000 · 2024-05-30 · 2024-05-30 14:05).

const EMPTY = '—';

const intFormat = new Intl.NumberFormat('ko-KR', { maximumFractionDigits: 0 });

/** 1500000 → "₩1,500,000"; null → "—". Negative amounts keep their sign before the symbol. */
export function formatWon(amount: number | null | undefined): string {
  if (amount === null || amount === undefined || Number.isNaN(Number(amount))) return EMPTY;
  const n = Math.round(Number(amount));
  return (n < 0 ? '-₩' : '₩') + intFormat.format(Math.abs(n));
}

/** 12345 → "12,345". */
export function formatNumber(n: number | null | undefined, fractionDigits = 0): string {
  if (n === null || n === undefined || Number.isNaN(Number(n))) return EMPTY;
  return new Intl.NumberFormat('ko-KR', {
    minimumFractionDigits: fractionDigits,
    maximumFractionDigits: fractionDigits,
  }).format(Number(n));
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** Local calendar date of a Date as YYYY-MM-DD. */
export function isoDate(d: Date): string {
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** Today (local) as YYYY-MM-DD. */
export function todayISO(now: Date = new Date()): string {
  return isoDate(now);
}

/** Local date-time for an <input type="datetime-local">: YYYY-MM-DDTHH:MM. */
export function localDateTimeValue(d: Date = new Date()): string {
  return `${isoDate(d)}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** A datetime-local value (local time) → RFC3339 UTC without milliseconds. */
export function localDateTimeToRfc3339(v: string): string | null {
  if (!v) return null;
  const d = new Date(v);
  if (Number.isNaN(d.getTime())) return null;
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/** "2024-05-30" stays as is; an RFC3339 instant is shown as its local date. */
export function formatDate(v: string | null | undefined): string {
  if (!v) return EMPTY;
  if (DATE_ONLY.test(v)) return v;
  const d = new Date(v);
  if (Number.isNaN(d.getTime())) return v;
  return isoDate(d);
}

/** An RFC3339 instant as local "2024-05-30 14:05"; a bare date stays a date. */
export function formatDateTime(v: string | null | undefined): string {
  if (!v) return EMPTY;
  if (DATE_ONLY.test(v)) return v;
  const d = new Date(v);
  if (Number.isNaN(d.getTime())) return v;
  return `${isoDate(d)} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

const KST_MS = 9 * 3600_000;

/**
 * An RFC3339 instant as the clinic's time (KST, UTC+9, no daylight saving) "2024-05-30 14:05",
 * whatever time zone the computer is set to; null → "—"; unreadable text stays as it is.
 */
export function formatKstDateTime(v: string | null | undefined): string {
  if (!v) return EMPTY;
  const ms = Date.parse(v);
  if (Number.isNaN(ms)) return v;
  const d = new Date(ms + KST_MS);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
}

/** Whole days from `from` to `to` (YYYY-MM-DD, calendar days, DST-safe). */
export function daysBetween(from: string, to: string): number {
  const a = Date.UTC(+from.slice(0, 4), +from.slice(5, 7) - 1, +from.slice(8, 10));
  const b = Date.UTC(+to.slice(0, 4), +to.slice(5, 7) - 1, +to.slice(8, 10));
  return Math.round((b - a) / 86_400_000);
}

/** YYYY-MM-DD plus n days. */
export function addDays(date: string, n: number): string {
  const d = new Date(Date.UTC(+date.slice(0, 4), +date.slice(5, 7) - 1, +date.slice(8, 10)));
  d.setUTCDate(d.getUTCDate() + n);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

/** 4.8 → "4.8", null → "—". */
export function formatRating(v: number | null | undefined): string {
  if (v === null || v === undefined || Number.isNaN(Number(v))) return EMPTY;
  return Number(v).toFixed(1);
}

/** 0.85 → "85%"; 45.0 (already a percentage) → "45%". */
export function formatPercent(v: number | null | undefined): string {
  if (v === null || v === undefined || Number.isNaN(Number(v))) return EMPTY;
  const n = Number(v);
  const pct = n <= 1 ? n * 100 : n;
  return `${Math.round(pct)}%`;
}

/** Values the server masked for this role contain '*' (010-****-5678, k***@example.com). */
export function isMasked(v: unknown): boolean {
  return typeof v === 'string' && v.includes('*');
}

/** A value for display: null/empty → "—", everything else as given (masked values too). */
export function display(v: unknown): string {
  if (v === null || v === undefined || v === '') return EMPTY;
  return String(v);
}

/** Keep only the digits of a phone number typed in any form. */
export function phoneDigits(v: string): string {
  return v.replace(/\D/g, '');
}

/** Format typed digits the way the server stores Korean numbers: 01012345678 → 010-1234-5678. */
export function formatPhoneInput(v: string): string {
  if (v.includes('*')) return v;
  const d = phoneDigits(v);
  if (d.length < 4) return d;
  if (d.startsWith('02')) {
    if (d.length <= 5) return `${d.slice(0, 2)}-${d.slice(2)}`;
    if (d.length <= 9) return `${d.slice(0, 2)}-${d.slice(2, 5)}-${d.slice(5)}`;
    return `${d.slice(0, 2)}-${d.slice(2, 6)}-${d.slice(6, 10)}`;
  }
  if (d.length <= 7) return `${d.slice(0, 3)}-${d.slice(3)}`;
  if (d.length <= 10) return `${d.slice(0, 3)}-${d.slice(3, 6)}-${d.slice(6)}`;
  return `${d.slice(0, 3)}-${d.slice(3, 7)}-${d.slice(7, 11)}`;
}
