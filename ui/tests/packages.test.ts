import { describe, expect, it } from 'vitest';
import { setLang } from '../src/i18n';
import { choosePackage, covers, isCancelled, remainingFor, servicesOf, statusOf, usability, usabilityText, usagePercent } from '../src/logic/packages';
import type { PackageUsage } from '../src/types';

function pkg(id: string, expiry: string, breakdown: Record<string, [number, number]>, extra: Partial<PackageUsage> = {}): PackageUsage {
  return {
    package_usage_id: id,
    package_name: id,
    purchase_date: '2024-01-01',
    expiry_date: expiry,
    package_status: 'active',
    service_breakdown: Object.fromEntries(Object.entries(breakdown).map(([s, [used, total]]) => [s, { used, total, remaining: total - used }])),
    ...extra,
  };
}

const DATE = '2024-05-01';

describe('package choice for a visit', () => {
  it('picks the package that expires first among those with sessions left', () => {
    const a = pkg('late', '2024-09-01', { brain: [1, 10] });
    const b = pkg('soon', '2024-06-01', { brain: [5, 10] });
    const c = pkg('sooner-but-no-brain', '2024-05-10', { pulse: [0, 10] });
    expect(choosePackage([a, b, c], 'brain', DATE)?.package_usage_id).toBe('soon');
  });

  it('skips packages with no session of the service left', () => {
    const a = pkg('exhausted', '2024-05-20', { brain: [10, 10], pulse: [0, 5] });
    const b = pkg('ok', '2024-08-01', { brain: [2, 10] });
    expect(choosePackage([a, b], 'brain', DATE)?.package_usage_id).toBe('ok');
    expect(choosePackage([a, b], 'pulse', DATE)?.package_usage_id).toBe('exhausted');
  });

  it('skips packages not valid on the visit date', () => {
    const expired = pkg('expired', '2024-04-30', { brain: [0, 10] });
    const future = pkg('future', '2024-12-01', { brain: [0, 10] }, { purchase_date: '2024-06-01' });
    expect(choosePackage([expired, future], 'brain', DATE)).toBeNull();
    expect(usability(expired, 'brain', DATE)).toBe('expired');
    expect(usability(future, 'brain', DATE)).toBe('not_started');
    // Valid on the expiry date itself.
    expect(usability(expired, 'brain', '2024-04-30')).toBe('ok');
  });

  it('returns null (single payment) when nothing covers the service', () => {
    expect(choosePackage([pkg('a', '2024-09-01', { brain: [0, 10] })], 'ai_bike', DATE)).toBeNull();
    expect(choosePackage([], 'brain', DATE)).toBeNull();
  });

  it('breaks ties on expiry by fewer sessions left, then older purchase', () => {
    const a = pkg('more-left', '2024-06-01', { brain: [1, 10] });
    const b = pkg('fewer-left', '2024-06-01', { brain: [8, 10] });
    expect(choosePackage([a, b], 'brain', DATE)?.package_usage_id).toBe('fewer-left');
    const c = pkg('newer', '2024-06-01', { brain: [8, 10] }, { purchase_date: '2024-03-01' });
    const d = pkg('older', '2024-06-01', { brain: [8, 10] }, { purchase_date: '2024-02-01' });
    expect(choosePackage([c, d], 'brain', DATE)?.package_usage_id).toBe('older');
  });

  it('falls back to days_remaining when a package has no expiry date', () => {
    const a = pkg('x', '', { brain: [0, 10] }, { expiry_date: null, days_remaining: 50 });
    const b = pkg('y', '', { brain: [0, 10] }, { expiry_date: null, days_remaining: 5 });
    expect(choosePackage([a, b], 'brain', DATE)?.package_usage_id).toBe('y');
  });

  it('derives remaining sessions, coverage and service order', () => {
    const p = pkg('p', '2024-09-01', { red: [2, 5], brain: [12, 10], lymph: [0, 0] });
    expect(remainingFor(p, 'red')).toBe(3);
    expect(remainingFor(p, 'brain')).toBe(0); // overdrawn never goes negative
    expect(covers(p, 'lymph')).toBe(false); // total 0 does not count
    expect(servicesOf(p, ['brain', 'pulse', 'lymph', 'red', 'ai_bike'])).toEqual(['brain', 'red']);
  });

  it('computes usage bar widths', () => {
    expect(usagePercent(8, 10)).toBe(80);
    expect(usagePercent(0, 10)).toBe(0);
    expect(usagePercent(12, 10)).toBe(100);
    expect(usagePercent(1, 0)).toBe(0);
  });

  it('a cancelled package is never chosen, even with sessions on paper', () => {
    const cancelledByStatus = pkg('c1', '2024-09-01', { brain: [1, 10] }, { package_status: 'cancelled' });
    const cancelledByRecord = pkg('c2', '2024-08-01', { brain: [1, 10] }, {
      cancellation: { reason: '고객 요청', refund_amount: 0, refund_method: null, cancelled_at: '2024-04-01T00:00:00Z', cancelled_by: null },
    });
    const ok = pkg('ok', '2024-12-01', { brain: [1, 10] });
    expect(isCancelled(cancelledByStatus) && isCancelled(cancelledByRecord)).toBe(true);
    expect(usability(cancelledByStatus, 'brain', DATE)).toBe('cancelled');
    expect(usability(cancelledByRecord, 'brain', DATE)).toBe('cancelled');
    expect(statusOf(cancelledByRecord)).toBe('cancelled');
    expect(choosePackage([cancelledByStatus, cancelledByRecord], 'brain', DATE)).toBeNull();
    expect(choosePackage([cancelledByStatus, ok], 'brain', DATE)?.package_usage_id).toBe('ok');
  });

  it('says what is true of a package for a service, or why it cannot be used', () => {
    setLang('ko');
    const p = pkg('p', '2024-09-01', { pulse: [10, 10], brain: [7, 10] }, { purchase_date: '2024-03-01' });
    expect(usabilityText(p, 'brain', '브레인 피드백', DATE)).toBe('브레인 피드백 3회 남음');
    expect(usabilityText(p, 'pulse', '펄스 케어', DATE)).toBe('펄스 케어 0회 남음 — 소진, 선택할 수 없음');
    expect(usabilityText(p, 'red', '레드 테라피', DATE)).toBeNull();
    expect(usabilityText(p, 'brain', '브레인 피드백', '2024-09-02')).toBe('만료됨 (2024-09-01), 선택할 수 없음');
    expect(usabilityText(p, 'brain', '브레인 피드백', '2024-02-01')).toBe('구매일 2024-03-01 이전 날짜, 선택할 수 없음');
    expect(usabilityText({ ...p, package_status: 'cancelled' }, 'brain', '브레인 피드백', DATE)).toBe('취소됨(환불), 선택할 수 없음');
  });
});
