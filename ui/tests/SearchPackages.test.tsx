import { fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { beforeEach, describe, expect, it } from 'vitest';
import { setLang } from '../src/i18n';
import { expiryState, expiryText, leftText } from '../src/logic/packages';
import { PackageCard } from '../src/screens/CustomerDetail';
import { resetSearchState, SearchScreen } from '../src/screens/Search';
import type { PackageUsage, SearchPackage, SearchRow } from '../src/types';
import { setupApi } from './helpers';

const lapsed: SearchPackage = {
  package_usage_id: 'pu-old',
  package_name: '웰니스 베이직',
  package_status: 'expired',
  purchase_date: '2024-03-01',
  expiry_date: '2024-04-30',
  days_remaining: -31,
  total_sessions: 12,
  used_sessions: 5,
  remaining_sessions: 7,
  service_breakdown: { brain: { total: 4, used: 1, remaining: 3 }, pulse: { total: 4, used: 4, remaining: 0 } },
};
const current: SearchPackage = {
  ...lapsed,
  package_usage_id: 'pu-new',
  package_name: '브레인 집중 20회',
  package_status: 'active',
  expiry_date: '2024-09-28',
  days_remaining: 120,
  service_breakdown: { brain: { total: 20, used: 2, remaining: 18 } },
};

function row(id: string, name: string, pkg: SearchPackage | null): SearchRow {
  return { id, customer_id: id, name, phone: '010-****-5678', total_visits: 3, membership_level: 'basic', risk_level: 'stable', total_revenue: 0, package: pkg };
}

describe('package expiry wording', () => {
  beforeEach(() => setLang('ko'));

  it('never calls an expired package D-Day', () => {
    expect(expiryState({ days_remaining: -1, package_status: 'expired' })).toBe('lapsed');
    expect(expiryText({ days_remaining: -31, package_status: 'expired', expiry_date: '2024-04-30' })).toBe('만료됨 2024-04-30');
    expect(expiryText({ days_remaining: 40, package_status: 'expired', expiry_date: '2024-07-10' })).toBe('모두 사용');
    expect(expiryText({ days_remaining: 0, package_status: 'expiring', expiry_date: '2024-05-31' })).toBe('D-Day');
    expect(expiryText({ days_remaining: 9, package_status: 'expiring', expiry_date: '2024-06-09' })).toBe('D-9');
    setLang('en');
    expect(expiryText({ days_remaining: -2, package_status: 'expired', expiry_date: '2024-05-29' })).toBe('Expired 2024-05-29');
  });

  it('says how many sessions are left, not just two numbers', () => {
    expect(leftText('brain', { total: 4, used: 1, remaining: 3 })).toBe('브레인 3회 남음 / 4회');
    expect(leftText('pulse', { total: 4, used: 5, remaining: 0 })).toBe('펄스 0회 남음 / 4회');
    setLang('en');
    expect(leftText('brain', { total: 4, used: 1, remaining: 3 })).toBe('Brain: 3 of 4 left');
  });

  it('shows an expired package card as 만료됨 with its date', () => {
    const p = { ...lapsed, price_paid: 550000, overdrawn_sessions: 0 } as PackageUsage;
    render(<PackageCard p={p} past />);
    const chip = screen.getByTestId('package-days-remaining');
    expect(chip.textContent).toBe('만료됨 2024-04-30');
    expect(chip.getAttribute('data-state')).toBe('lapsed');
    expect(chip.className).toContain('dday-lapsed');
    expect(screen.getByTestId('past-package-card').textContent).not.toContain('D-Day');
  });
});

describe('search list packages', () => {
  beforeEach(() => {
    setLang('ko');
    resetSearchState();
  });

  function serve() {
    return setupApi({
      'GET /api/v1/services': () => ({ data: { services: [] } }),
      'GET /api/v1/customers/search': () => ({
        data: {
          customers: [row('c-1', '김민영', lapsed), row('c-2', '박지호', current), row('c-3', '이수진', null)],
          pagination: { total: 3, page: 1, size: 20, total_pages: 1 },
        },
      }),
    });
  }

  it('shows what is left per service and why an ended package ended', async () => {
    serve();
    render(<SearchScreen />);
    await waitFor(() => expect(screen.getAllByTestId('result-row')).toHaveLength(3));
    const [first, second, third] = screen.getAllByTestId('result-row');
    expect(first.querySelector('[data-testid="result-package-left"]')!.textContent).toBe('브레인 3회 남음 / 4회펄스 0회 남음 / 4회');
    expect(first.querySelector('[data-testid="result-package-ended"]')!.textContent).toBe('만료됨 2024-04-30');
    expect(second.querySelector('[data-testid="result-package-left"]')!.textContent).toBe('브레인 18회 남음 / 20회');
    expect(second.querySelector('[data-testid="result-package-ended"]')).toBeNull();
    expect(third.querySelector('[data-testid="result-package"]')).toBeNull();
    expect(screen.queryByTestId('sort-package_expiry')).toBeNull();
    expect(screen.queryByTestId('result-expiry')).toBeNull();
  });

  it('adds the expiry column and its sort while a package-status filter is set', async () => {
    const server = serve();
    render(<SearchScreen />);
    await screen.findAllByTestId('result-row');
    fireEvent.change(screen.getByTestId('filter-package-status'), { target: { value: 'expired' } });
    const cells = await screen.findAllByTestId('result-expiry');
    expect(cells).toHaveLength(3);
    expect(cells[0].textContent).toBe('2024-04-30만료됨');
    expect(cells[1].textContent).toBe('2024-09-28D-120');
    // The expiry says it once, in its own column.
    expect(screen.queryAllByTestId('result-package-ended')).toHaveLength(0);
    const sortOptions = [...screen.getByTestId('sort-by').querySelectorAll('option')].map((o) => o.getAttribute('value'));
    expect(sortOptions).toContain('package_expiry');

    fireEvent.click(screen.getByTestId('sort-package_expiry'));
    await waitFor(() => expect(server.calls.at(-1)!.path).toContain('sort_by=package_expiry'));
    expect(server.calls.at(-1)!.path).toContain('sort_order=asc');
    expect(server.calls.at(-1)!.path).toContain('package_status=expired');

    // Clearing the filter drops the expiry sort with the column.
    fireEvent.change(screen.getByTestId('filter-package-status'), { target: { value: '' } });
    await waitFor(() => expect(screen.queryByTestId('sort-package_expiry')).toBeNull());
    await waitFor(() => expect(server.calls.at(-1)!.path).not.toContain('package_expiry'));
    expect(server.calls.at(-1)!.path).toContain('sort_by=last_visit');
  });
});
