import { render, screen } from '@testing-library/preact';
import { describe, expect, it } from 'vitest';
import { UsageBar } from '../src/components/ui';
import { setLang } from '../src/i18n';
import { PackageCard } from '../src/screens/CustomerDetail';
import type { PackageUsage } from '../src/types';

describe('UsageBar', () => {
  it('renders used/total with a proportional fill and data attributes', () => {
    setLang('ko');
    render(<UsageBar service="brain" used={8} total={10} />);
    const bar = screen.getByTestId('usage-bar-brain');
    expect(bar.getAttribute('data-used')).toBe('8');
    expect(bar.getAttribute('data-total')).toBe('10');
    expect(bar.getAttribute('data-remaining')).toBe('2');
    expect(bar.textContent).toContain('브레인 피드백');
    expect(bar.textContent).toContain('8/10');
    expect((bar.querySelector('.usage-fill') as HTMLElement).style.width).toBe('80%');
    expect(bar.querySelector('[role="progressbar"]')!.getAttribute('aria-valuenow')).toBe('8');
    expect(bar.className).toContain('usage-low');
  });

  it('marks used-up and overdrawn bars', () => {
    render(<UsageBar service="pulse" used={10} total={10} />);
    expect(screen.getByTestId('usage-bar-pulse').className).toContain('usage-done');
    render(<UsageBar service="red" used={12} total={10} />);
    const over = screen.getByTestId('usage-bar-red');
    expect(over.className).toContain('usage-over');
    expect((over.querySelector('.usage-fill') as HTMLElement).style.width).toBe('100%');
  });
});

describe('PackageCard', () => {
  const p: PackageUsage = {
    package_usage_id: 'pu-1',
    package_name: '프리미엄 케어',
    purchase_date: '2024-04-01',
    expiry_date: '2024-07-01',
    price_paid: 1500000,
    total_sessions: 40,
    used_sessions: 18,
    remaining_sessions: 22,
    days_remaining: 25,
    package_status: 'expiring',
    overdrawn_sessions: 0,
    service_breakdown: {
      red: { total: 10, used: 0, remaining: 10 },
      brain: { total: 10, used: 8, remaining: 2 },
      pulse: { total: 10, used: 6, remaining: 4 },
      lymph: { total: 10, used: 4, remaining: 6 },
    },
  };

  it('shows one bar per service in catalogue order, dates, D-day, price and status', () => {
    setLang('ko');
    render(<PackageCard p={p} />);
    const card = screen.getByTestId('package-card');
    expect(card.getAttribute('data-package-usage-id')).toBe('pu-1');
    const bars = [...card.querySelectorAll('[data-testid^="usage-bar-"]')].map((e) => e.getAttribute('data-service'));
    expect(bars).toEqual(['brain', 'pulse', 'lymph', 'red']);
    expect(card.textContent).toContain('2024-04-01');
    expect(card.textContent).toContain('2024-07-01');
    expect(card.textContent).toContain('D-25');
    expect(card.textContent).toContain('₩1,500,000');
    expect(card.textContent).toContain('18 / 40회 사용');
    expect(screen.getByTestId('package-status').textContent).toBe('만료 임박');
    expect(screen.queryByTestId('package-overdrawn')).toBeNull();
  });

  it('warns when sessions are overdrawn', () => {
    render(<PackageCard p={{ ...p, overdrawn_sessions: 2, package_status: 'active' }} />);
    expect(screen.getByTestId('package-overdrawn').textContent).toContain('초과 사용 2회');
    expect(screen.getByTestId('package-status').textContent).toBe('이용중');
  });
});
