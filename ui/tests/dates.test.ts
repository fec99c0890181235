import { describe, expect, it } from 'vitest';
import { isIsoDate, isTime, typeDate, typeTime } from '../src/logic/dates';

describe('dates typed as YYYY-MM-DD', () => {
  it('groups the digits typed into year, month and day', () => {
    expect(typeDate('2')).toBe('2');
    expect(typeDate('2024')).toBe('2024');
    expect(typeDate('20240')).toBe('2024-0');
    expect(typeDate('202405')).toBe('2024-05');
    expect(typeDate('2024053')).toBe('2024-05-3');
    expect(typeDate('20240530')).toBe('2024-05-30');
    expect(typeDate('2024-05-30')).toBe('2024-05-30');
    expect(typeDate('2024-05-301')).toBe('2024-05-30');
    expect(typeDate('')).toBe('');
  });

  it('takes pasted dates with other separators and one-digit parts', () => {
    expect(typeDate('2024.5.3')).toBe('2024-05-03');
    expect(typeDate('2024/05/30')).toBe('2024-05-30');
    expect(typeDate(' 2024. 05. 30 ')).toBe('2024-05-30');
  });

  it('knows real dates from impossible ones', () => {
    expect(isIsoDate('2024-02-29')).toBe(true);
    expect(isIsoDate('2023-02-29')).toBe(false);
    expect(isIsoDate('2024-13-01')).toBe(false);
    expect(isIsoDate('2024-04-31')).toBe(false);
    expect(isIsoDate('2024-5-30')).toBe(false);
    expect(isIsoDate('1899-12-31')).toBe(false);
    expect(isIsoDate('05/30/2024')).toBe(false);
  });

  it('types 24-hour times', () => {
    expect(typeTime('9')).toBe('9');
    expect(typeTime('093')).toBe('09:3');
    expect(typeTime('0930')).toBe('09:30');
    expect(typeTime('9:30')).toBe('09:30');
    expect(isTime('23:59')).toBe(true);
    expect(isTime('24:00')).toBe(false);
    expect(isTime('9:30')).toBe(false);
  });
});
