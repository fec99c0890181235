// Dates as the UI shows and takes them: always YYYY-MM-DD (and 24-hour HH:MM), the Korean
// order, whatever the browser's or the operating system's locale would pick for a native
// <input type="date"> (05/30/2024 on an English system, even in the Korean UI).

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** True for a real calendar date written exactly YYYY-MM-DD (no 2024-02-30), years 1900–2100 as the API takes. */
export function isIsoDate(s: string): boolean {
  const m = ISO_DATE.exec(s);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (y < 1900 || y > 2100 || mo < 1 || mo > 12 || d < 1) return false;
  return d <= new Date(Date.UTC(y, mo, 0)).getUTCDate();
}

/**
 * What a date field shows while someone types: the digits typed, grouped as YYYY-MM-DD
 * (`20240530` → `2024-05-30`, `2024.5.3` stays partial). Other characters are dropped, so
 * pasting `2024/05/30` or `2024.05.30` works too.
 */
export function typeDate(raw: string): string {
  const trimmed = raw.trim();
  // A date pasted with separators and one-digit parts (2024.5.3): pad the parts.
  const parts = /^(\d{4})\D(\d{1,2})\D(\d{1,2})$/.exec(trimmed);
  if (parts) return `${parts[1]}-${parts[2].padStart(2, '0')}-${parts[3].padStart(2, '0')}`;
  const digits = trimmed.replace(/\D/g, '').slice(0, 8);
  if (digits.length <= 4) return digits;
  if (digits.length <= 6) return `${digits.slice(0, 4)}-${digits.slice(4)}`;
  return `${digits.slice(0, 4)}-${digits.slice(4, 6)}-${digits.slice(6)}`;
}

/** A time typed as 24-hour HH:MM (`930` → `09:30` once complete, `1745` → `17:45`). */
export function typeTime(raw: string): string {
  const trimmed = raw.trim();
  const parts = /^(\d{1,2})\D(\d{2})$/.exec(trimmed);
  if (parts) return `${parts[1].padStart(2, '0')}:${parts[2]}`;
  const digits = trimmed.replace(/\D/g, '').slice(0, 4);
  if (digits.length <= 2) return digits;
  return `${digits.slice(0, 2)}:${digits.slice(2)}`;
}

export function isTime(s: string): boolean {
  const m = /^(\d{2}):(\d{2})$/.exec(s);
  return !!m && Number(m[1]) < 24 && Number(m[2]) < 60;
}
