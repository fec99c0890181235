import { afterEach, describe, expect, it } from 'vitest';
import { dictionaries, getLang, setLang, t, tEnum } from '../src/i18n';
import { CHANNELS, CUSTOMER_STATUSES, GENDERS, HEALTH_INTERESTS, INTENSITIES, INTERACTION_TYPES, MEMBERSHIP_LEVELS, PACKAGE_STATUSES, PAYMENT_METHODS, RISK_LEVELS, SERVICE_TYPES, SORT_FIELDS, TIME_SLOTS } from '../src/types';

afterEach(() => setLang('ko'));

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('i18n table', () => {
  it('ko and en have exactly the same keys', () => {
    const ko = Object.keys(dictionaries.ko).sort();
    const en = Object.keys(dictionaries.en).sort();
    expect(en).toEqual(ko);
  });

  it('no string is empty and placeholders match between languages', () => {
    for (const key of Object.keys(dictionaries.ko) as (keyof typeof dictionaries.ko)[]) {
      expect(dictionaries.ko[key], key).not.toBe('');
      expect(dictionaries.en[key], key).not.toBe('');
      expect(placeholders(dictionaries.en[key]), key).toEqual(placeholders(dictionaries.ko[key]));
    }
  });

  it('has a Korean label for every enum value of the API', () => {
    const groups: [string, readonly string[]][] = [
      ['service', SERVICE_TYPES],
      ['gender', GENDERS],
      ['membership', MEMBERSHIP_LEVELS],
      ['status', CUSTOMER_STATUSES],
      ['risk', RISK_LEVELS],
      ['timeSlot', TIME_SLOTS],
      ['intensity', INTENSITIES],
      ['interest', HEALTH_INTERESTS],
      ['channel', CHANNELS],
      ['pkgStatus', PACKAGE_STATUSES],
      ['payment', PAYMENT_METHODS],
      ['interaction', INTERACTION_TYPES],
      ['sort', SORT_FIELDS],
      ['role', ['admin', 'manager', 'doctor', 'staff']],
    ];
    for (const [group, values] of groups) {
      for (const v of values) expect(Object.keys(dictionaries.ko), `${group}.${v}`).toContain(`${group}.${v}`);
    }
  });

  it('has a message for every error code of the contract', () => {
    const codes = [
      'INVALID_JSON', 'VALIDATION_ERROR', 'AUTH_INVALID_CREDENTIALS', 'AUTH_INVALID_TOKEN', 'AUTH_EXPIRED_TOKEN', 'FORBIDDEN_ROLE',
      'CUSTOMER_NOT_FOUND', 'PACKAGE_NOT_FOUND', 'SESSION_NOT_FOUND', 'NOT_FOUND', 'DUPLICATE_CUSTOMER', 'SERVICE_NOT_IN_PACKAGE',
      'PACKAGE_EXHAUSTED', 'PACKAGE_EXPIRED', 'SESSION_ALREADY_CANCELLED', 'METHOD_NOT_ALLOWED', 'PAYLOAD_TOO_LARGE',
      'RATE_LIMIT_EXCEEDED', 'SERVICE_UNAVAILABLE', 'INTERNAL_ERROR',
    ];
    for (const c of codes) expect(Object.keys(dictionaries.ko)).toContain(`err.${c}`);
  });

  it('uses the Korean role and service names from the brief', () => {
    expect(tEnum('role', 'admin')).toBe('관리자');
    expect(tEnum('role', 'manager')).toBe('매니저');
    expect(tEnum('role', 'doctor')).toBe('의사');
    expect(tEnum('role', 'staff')).toBe('직원');
    expect(tEnum('service', 'brain')).toBe('브레인 피드백');
    expect(tEnum('service', 'ai_bike')).toBe('AI 바이크');
    expect(tEnum('pkgStatus', 'expiring')).toBe('만료 임박');
  });

  it('interpolates, switches language and falls back for unknown enum values', () => {
    expect(getLang()).toBe('ko');
    expect(t('search.total', { n: 12 })).toBe('총 12명');
    setLang('en');
    expect(t('search.total', { n: 12 })).toBe('12 customers');
    expect(tEnum('membership', 'VIP')).toBe('VIP');
    expect(tEnum('risk', 'unheard_of')).toBe('unheard_of');
    expect(tEnum('risk', null)).toBe('—');
    expect(localStorage.getItem('clinicdesk.lang')).toBe('en');
  });
});
