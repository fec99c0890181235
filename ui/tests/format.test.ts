import { describe, expect, it } from 'vitest';
import {
  addDays,
  daysBetween,
  display,
  formatDate,
  formatDateTime,
  formatKstDateTime,
  formatNumber,
  formatPercent,
  formatPhoneInput,
  formatRating,
  formatWon,
  isMasked,
  localDateTimeToRfc3339,
  localDateTimeValue,
  todayISO,
} from '../src/logic/format';

describe('format', () => {
  it('formats won', () => {
    expect(formatWon(1500000)).toBe('₩1,500,000');
    expect(formatWon(0)).toBe('₩0');
    expect(formatWon(-30000)).toBe('-₩30,000');
    expect(formatWon(null)).toBe('—');
    expect(formatWon(undefined)).toBe('—');
  });

  it('formats numbers, ratings and percentages', () => {
    expect(formatNumber(12345)).toBe('12,345');
    expect(formatRating(4.8)).toBe('4.8');
    expect(formatRating(5)).toBe('5.0');
    expect(formatRating(null)).toBe('—');
    expect(formatPercent(0.85)).toBe('85%');
    expect(formatPercent(45.0)).toBe('45%');
  });

  it('keeps dates as YYYY-MM-DD', () => {
    expect(formatDate('2024-05-30')).toBe('2024-05-30');
    expect(formatDate(null)).toBe('—');
    expect(formatDate('2024-05-30T10:00:00')).toBe('2024-05-30');
    expect(formatDateTime('2024-05-30')).toBe('2024-05-30');
    expect(formatDateTime('2024-05-30T14:05:00')).toBe('2024-05-30 14:05');
    expect(todayISO(new Date(2024, 0, 5))).toBe('2024-01-05');
  });

  it('shows instants in the clinic’s time (KST) whatever the computer’s zone', () => {
    expect(formatKstDateTime('2024-05-30T05:05:00Z')).toBe('2024-05-30 14:05');
    // Past midnight in Seoul: the next day.
    expect(formatKstDateTime('2024-05-30T15:30:59.900Z')).toBe('2024-05-31 00:30');
    expect(formatKstDateTime('2024-05-30T14:05:00+09:00')).toBe('2024-05-30 14:05');
    expect(formatKstDateTime(null)).toBe('—');
    expect(formatKstDateTime('')).toBe('—');
    expect(formatKstDateTime('not a date')).toBe('not a date');
  });

  it('does date arithmetic on calendar days', () => {
    expect(daysBetween('2024-05-30', '2024-07-01')).toBe(32);
    expect(daysBetween('2024-07-01', '2024-05-30')).toBe(-32);
    expect(addDays('2024-02-28', 2)).toBe('2024-03-01');
    expect(addDays('2024-12-31', 1)).toBe('2025-01-01');
  });

  it('round-trips datetime-local values to RFC3339 UTC', () => {
    const v = localDateTimeValue(new Date(2024, 4, 30, 14, 5));
    expect(v).toBe('2024-05-30T14:05');
    const rfc = localDateTimeToRfc3339(v)!;
    expect(rfc).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    expect(new Date(rfc).getTime()).toBe(new Date(2024, 4, 30, 14, 5).getTime());
    expect(localDateTimeToRfc3339('')).toBeNull();
  });

  it('recognises masked values and shows them as given', () => {
    expect(isMasked('010-****-5678')).toBe(true);
    expect(isMasked('k***@example.com')).toBe(true);
    expect(isMasked('서울시 강남구 ***')).toBe(true);
    expect(isMasked('010-1234-5678')).toBe(false);
    expect(isMasked(null)).toBe(false);
    expect(display('010-****-5678')).toBe('010-****-5678');
    expect(display('')).toBe('—');
  });

  it('formats typed phone numbers like the server stores them', () => {
    expect(formatPhoneInput('01012345678')).toBe('010-1234-5678');
    expect(formatPhoneInput('010-1234-5678')).toBe('010-1234-5678');
    expect(formatPhoneInput('0101234567')).toBe('010-123-4567');
    expect(formatPhoneInput('0212345678')).toBe('02-1234-5678');
    expect(formatPhoneInput('010-****-5678')).toBe('010-****-5678');
  });
});
