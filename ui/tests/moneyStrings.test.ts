import { afterEach, describe, expect, it } from 'vitest';
import { ApiError } from '../src/api';
import { dictionaries, setLang, tEnum } from '../src/i18n';
import { describeError } from '../src/logic/errors';

afterEach(() => setLang('ko'));

// The error codes of the money API (issue 8) that the UI words itself, in both languages.
const CODES = ['PURCHASE_NOT_FOUND', 'PURCHASE_ALREADY_CANCELLED', 'PACKAGE_CANCELLED', 'DUPLICATE_VISIT', 'VISIT_VOID_NOT_OWN', 'VISIT_VOID_WINDOW_PASSED', 'NO_RECEIPT'];

describe('money strings', () => {
  it('has a Korean and an English message for every money error code', () => {
    for (const code of CODES) {
      expect(Object.keys(dictionaries.ko), code).toContain(`err.${code}`);
      expect(Object.keys(dictionaries.en), code).toContain(`err.${code}`);
    }
    expect(describeError(new ApiError({ status: 403, code: 'VISIT_VOID_WINDOW_PASSED', message: 'x' }))).toBe('기록 후 10분이 지나 관리자만 취소할 수 있습니다.');
    setLang('en');
    expect(describeError(new ApiError({ status: 409, code: 'PURCHASE_ALREADY_CANCELLED', message: 'x' }))).toBe('This purchase was already cancelled.');
  });

  it('names the cancelled package status', () => {
    expect(tEnum('pkgStatus', 'cancelled')).toBe('취소됨');
    setLang('en');
    expect(tEnum('pkgStatus', 'cancelled')).toBe('Cancelled');
  });
});
