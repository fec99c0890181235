import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { App } from '../src/App';
import { kstToday } from '../src/logic/audit';
import { href, parseRoute } from '../src/router';
import { CashUpScreen, clinicTime, type CashUpData } from '../src/screens/CashUp';
import type { Role } from '../src/types';
import { setupApi, WithUser, type Handler } from './helpers';

afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
  location.hash = '';
});

function sample(date = '2024-05-30'): CashUpData {
  return {
    date,
    methods: [
      { payment_method: 'card', sales_count: 2, sales_amount: 1_500_000, refund_count: 1, refund_amount: 300_000, net_amount: 1_200_000 },
      { payment_method: 'cash', sales_count: 1, sales_amount: 50_000, refund_count: 0, refund_amount: 0, net_amount: 50_000 },
      { payment_method: 'transfer', sales_count: 0, sales_amount: 0, refund_count: 1, refund_amount: 80_000, net_amount: -80_000 },
      { payment_method: 'unrecorded', sales_count: 1, sales_amount: 70_000, refund_count: 0, refund_amount: 0, net_amount: 70_000 },
    ],
    totals: { sales_count: 4, sales_amount: 1_620_000, refund_count: 2, refund_amount: 380_000, net_amount: 1_240_000 },
    sales: [
      {
        kind: 'purchase', id: 'p-1', customer_id: 'c-1', customer_name: '김영희', description: '프리미엄 10회', amount: 1_200_000,
        payment_method: 'card', recorded_at: '2024-05-30T01:05:00Z', staff_name: '최유나', cancelled: false,
      },
      {
        kind: 'visit', id: 's-1', customer_id: 'c-2', customer_name: '박민수', description: 'AI 바이크', amount: 300_000,
        payment_method: 'card', recorded_at: '2024-05-30T05:30:00Z', staff_name: '정하늘', cancelled: true,
      },
      {
        // Entered a day late with the earlier purchase date: the time shows its own day.
        kind: 'purchase', id: 'p-2', customer_id: 'c-3', customer_name: '이서연', description: '베이직 5회', amount: 50_000,
        payment_method: 'cash', recorded_at: '2024-05-31T00:10:00Z', staff_name: null, cancelled: false,
      },
      {
        kind: 'visit', id: 's-2', customer_id: 'c-4', customer_name: '정우성', description: '브레인 피드백', amount: 70_000,
        payment_method: null, recorded_at: '2024-05-30T02:00:00Z', staff_name: '최유나', cancelled: false,
      },
    ],
    refunds: [
      {
        kind: 'visit', id: 's-1', customer_id: 'c-2', customer_name: '박민수', description: 'AI 바이크', amount: 300_000,
        payment_method: 'card', cancelled_at: '2024-05-30T06:00:00Z', reason: '중복 기록', cancelled_by: '김매니저',
      },
      {
        kind: 'purchase', id: 'p-9', customer_id: 'c-5', customer_name: '한지민', description: '스탠다드 8회', amount: 80_000,
        payment_method: 'transfer', cancelled_at: '2024-05-30T07:45:00Z', reason: '이사로 인한 환불', cancelled_by: null,
      },
    ],
  };
}

const empty = (date: string): CashUpData => ({
  date,
  methods: (['card', 'cash', 'transfer'] as const).map((m) => ({ payment_method: m, sales_count: 0, sales_amount: 0, refund_count: 0, refund_amount: 0, net_amount: 0 })),
  totals: { sales_count: 0, sales_amount: 0, refund_count: 0, refund_amount: 0, net_amount: 0 },
  sales: [],
  refunds: [],
});

const dateOf = (path: string) => new URLSearchParams(path.split('?')[1] ?? '').get('date');

/** The cash-up route answering each day asked for (with `sample` for 2024-05-30). */
const cashUpRoute: Handler = ({ path }) => {
  const date = dateOf(path) ?? '2024-05-30';
  return { data: date === '2024-05-30' ? sample() : empty(date) };
};

/** `date` null: the address names no day. */
function renderCashUp(role: Role, routes: Record<string, Handler> = {}, date: string | null = '2024-05-30') {
  const api = setupApi({
    'GET /api/v1/cash-up': cashUpRoute,
    'GET /api/v1/settings/clinic': () => ({ data: { name: '행복한 웰니스 의원', business_number: '123-45-67890', address: null, phone: null } }),
    ...routes,
  });
  render(
    <WithUser role={role}>
      <CashUpScreen date={date ?? undefined} />
    </WithUser>,
  );
  return api;
}

const cells = (row: HTMLElement) => [...row.querySelectorAll('td')].map((td) => td.textContent?.trim());
const cashUpCalls = (calls: { path: string }[]) => calls.filter((c) => c.path.startsWith('/api/v1/cash-up')).map((c) => c.path);

describe('Daily cash-up', () => {
  it('has its own address, with the day in it', () => {
    expect(parseRoute('#/cash-up')).toEqual({ name: 'cashUp' });
    expect(parseRoute('#/cash-up?date=2024-05-30')).toEqual({ name: 'cashUp', date: '2024-05-30' });
    expect(href({ name: 'cashUp', date: '2024-05-30' })).toBe('#/cash-up?date=2024-05-30');
    expect(href({ name: 'cashUp' })).toBe('#/cash-up');
  });

  it('shows the day by payment method with its totals, then the sales and the refunds', async () => {
    const { calls } = renderCashUp('manager');
    const rows = await screen.findAllByTestId('cashup-method-row');
    expect(rows.map((r) => r.dataset.method)).toEqual(['card', 'cash', 'transfer', 'unrecorded']);
    expect(cells(rows[0])).toEqual(['카드', '2', '₩1,500,000', '1', '₩300,000', '₩1,200,000']);
    expect(cells(rows[1])).toEqual(['현금', '1', '₩50,000', '0', '₩0', '₩50,000']);
    expect(cells(rows[2])).toEqual(['계좌이체', '0', '₩0', '1', '₩80,000', '-₩80,000']);
    expect(cells(rows[3])[0]).toBe('미기록');
    expect(cells(screen.getByTestId('cashup-totals'))).toEqual(['합계', '4', '₩1,620,000', '2', '₩380,000', '₩1,240,000']);
    expect(screen.getByTestId('cashup-methods').textContent).toContain('결제 수단이 기록되지 않은');

    const sales = screen.getAllByTestId('cashup-sale-row');
    expect(sales).toHaveLength(4);
    expect(cells(sales[0])).toEqual(['10:05', '김영희', '패키지 프리미엄 10회', '카드', '₩1,200,000', '최유나', '']);
    expect(sales[1].dataset.cancelled).toBe('true');
    expect(within(sales[1]).getByTestId('cashup-cancelled').textContent).toBe('취소됨');
    expect(within(sales[0]).queryByTestId('cashup-cancelled')).toBeNull();
    expect(cells(sales[2])[0]).toBe('2024-05-31 09:10');
    expect(cells(sales[3])[3]).toBe('미기록');
    // Each customer opens their detail.
    expect(within(sales[0]).getByTestId('cashup-customer-link').getAttribute('href')).toBe('#/customers/c-1');

    const refunds = screen.getAllByTestId('cashup-refund-row');
    expect(cells(refunds[0])).toEqual(['15:00', '박민수', '방문 AI 바이크', '카드', '₩300,000', '중복 기록', '김매니저']);
    expect(cells(refunds[1])).toEqual(['16:45', '한지민', '패키지 스탠다드 8회', '계좌이체', '₩80,000', '이사로 인한 환불', '—']);
    expect(within(refunds[1]).getByTestId('cashup-customer-link').getAttribute('href')).toBe('#/customers/c-5');

    expect(cashUpCalls(calls)).toEqual(['/api/v1/cash-up?date=2024-05-30']);
  });

  it('asks for another day when the date changes, and keeps it in the address', async () => {
    const { calls } = renderCashUp('admin');
    await screen.findAllByTestId('cashup-method-row');
    fireEvent.click(screen.getByTestId('cashup-prev-day'));
    expect(await screen.findByTestId('cashup-empty')).toBeTruthy();
    expect(screen.getByTestId('cashup-empty').textContent).toBe('2024-05-29에는 매출도 환불도 없습니다.');
    expect((screen.getByTestId('cashup-date') as HTMLInputElement).value).toBe('2024-05-29');
    expect(location.hash).toBe('#/cash-up?date=2024-05-29');

    fireEvent.change(screen.getByTestId('cashup-date'), { target: { value: '2024-05-01' } });
    await waitFor(() => expect(screen.getByTestId('cashup-screen').dataset.date).toBe('2024-05-01'));
    fireEvent.click(screen.getByTestId('cashup-next-day'));
    await waitFor(() => expect(screen.getByTestId('cashup-screen').dataset.date).toBe('2024-05-02'));
    expect(cashUpCalls(calls)).toEqual([
      '/api/v1/cash-up?date=2024-05-30',
      '/api/v1/cash-up?date=2024-05-29',
      '/api/v1/cash-up?date=2024-05-01',
      '/api/v1/cash-up?date=2024-05-02',
    ]);
    // An empty day keeps its (zero) table: a cash-up of nothing can be printed too.
    expect(cells(screen.getByTestId('cashup-totals'))).toEqual(['합계', '0', '₩0', '0', '₩0', '₩0']);
  });

  it('opens on today (the clinic day) without a date, and goes no further than today', async () => {
    const { calls } = renderCashUp('manager', {}, null);
    await screen.findByTestId('cashup-empty');
    expect(cashUpCalls(calls)).toEqual([`/api/v1/cash-up?date=${kstToday()}`]);
    expect((screen.getByTestId('cashup-next-day') as HTMLButtonElement).disabled).toBe(true);
    expect(screen.queryByTestId('cashup-today')).toBeNull();
  });

  it('prints the marked region, headed by the clinic, the day and the time of printing', async () => {
    // happy-dom has no window.print.
    const print = vi.fn();
    window.print = print;
    renderCashUp('manager');
    await screen.findAllByTestId('cashup-method-row');
    await waitFor(() => expect(screen.getByTestId('cashup-clinic-name').textContent).toBe('행복한 웰니스 의원'));
    fireEvent.click(screen.getByTestId('cashup-print'));
    await waitFor(() => expect(print).toHaveBeenCalledTimes(1));
    const root = screen.getByTestId('cashup-screen');
    expect(root.classList.contains('print-target')).toBe(true);
    const head = screen.getByTestId('cashup-print-head');
    expect(root.contains(head)).toBe(true);
    expect(head.textContent).toContain('일일 정산 2024-05-30');
    expect(screen.getByTestId('cashup-printed-at').textContent).toMatch(/^출력 \d{4}-\d{2}-\d{2} \d{2}:\d{2}$/);
    // The controls stay off the paper.
    expect(screen.getByTestId('cashup-print').closest('.no-print')).toBeTruthy();
    expect(screen.getByTestId('cashup-date').closest('.no-print')).toBeTruthy();
  });

  it('prints without the clinic name when the settings cannot be read', async () => {
    renderCashUp('manager', { 'GET /api/v1/settings/clinic': () => ({ status: 500, error: { code: 'INTERNAL_ERROR', message: 'x' } }) });
    await screen.findAllByTestId('cashup-method-row');
    expect(screen.queryByTestId('cashup-clinic-name')).toBeNull();
    expect(screen.getByTestId('cashup-print-head').textContent).toContain('일일 정산 2024-05-30');
  });

  it('tells staff and doctors it is not for them, without asking the server', async () => {
    for (const role of ['staff', 'doctor'] as const) {
      const { calls } = renderCashUp(role);
      expect((await screen.findByTestId('cashup-forbidden')).textContent).toBe('매니저와 관리자만 볼 수 있는 화면입니다.');
      expect(screen.queryByTestId('cashup-screen')).toBeNull();
      expect(calls).toHaveLength(0);
      cleanup();
    }
  });

  it('shows the same message when the server refuses', async () => {
    renderCashUp('manager', { 'GET /api/v1/cash-up': () => ({ status: 403, error: { code: 'FORBIDDEN_ROLE', message: 'x' } }) });
    expect(await screen.findByTestId('cashup-forbidden')).toBeTruthy();
  });

  it('shows a failure with a retry', async () => {
    let fail = true;
    renderCashUp('manager', {
      'GET /api/v1/cash-up': (call) => (fail ? { status: 500, error: { code: 'INTERNAL_ERROR', message: 'x' } } : cashUpRoute(call)),
    });
    const error = await screen.findByTestId('cashup-error');
    fail = false;
    fireEvent.click(within(error).getByRole('button'));
    expect(await screen.findAllByTestId('cashup-method-row')).toHaveLength(4);
    expect(screen.queryByTestId('cashup-error')).toBeNull();
  });

  it('shows times as the clinic day (KST) sees them', () => {
    expect(clinicTime('2024-05-29T15:30:00Z', '2024-05-30')).toBe('00:30');
    expect(clinicTime('2024-05-29T14:30:00Z', '2024-05-30')).toBe('2024-05-29 23:30');
  });
});

describe('Money entries in the sidebar', () => {
  async function loginAs(role: Role) {
    setupApi({
      'POST /api/v1/auth/login': () => ({
        data: { access_token: 'a', refresh_token: 'r', token_type: 'Bearer', expires_in: 900, user: { id: `u-${role}`, username: role, display_name: role, role } },
      }),
      'GET /api/v1/services': () => ({ data: { services: [] } }),
      'GET /api/v1/today': () => ({ status: 500, error: { code: 'INTERNAL_ERROR', message: 'x' } }),
      'GET /api/v1/cash-up': cashUpRoute,
      'GET /api/v1/settings/clinic': () => ({ data: { name: null, business_number: null, address: null, phone: null } }),
    });
    location.hash = '';
    render(<App />);
    fireEvent.input(await screen.findByTestId('login-username'), { target: { value: role } });
    fireEvent.input(screen.getByTestId('login-password'), { target: { value: 'x' } });
    fireEvent.click(screen.getByTestId('login-submit'));
    await screen.findByTestId('today-screen');
  }

  it('gives staff and doctors neither the cash-up nor the clinic details', async () => {
    for (const role of ['staff', 'doctor'] as const) {
      await loginAs(role);
      expect(screen.queryByTestId('nav-cashup')).toBeNull();
      expect(screen.queryByTestId('nav-clinic')).toBeNull();
      cleanup();
    }
  });

  it('gives managers the cash-up, which opens and is marked active', async () => {
    await loginAs('manager');
    const entry = screen.getByTestId('nav-cashup');
    expect(entry.textContent).toBe('일일 정산');
    expect(entry.getAttribute('href')).toBe('#/cash-up');
    expect(screen.queryByTestId('nav-clinic')).toBeNull();
    // The shell listens for hash changes from its first effect on, a moment after it renders.
    location.hash = '#/cash-up?date=2024-05-30';
    await waitFor(() => {
      window.dispatchEvent(new HashChangeEvent('hashchange'));
      expect(screen.getAllByTestId('cashup-method-row')).toHaveLength(4);
    });
    expect(screen.getByTestId('nav-cashup').className).toContain('active');
  });

  it('gives administrators both', async () => {
    await loginAs('admin');
    expect(screen.getByTestId('nav-cashup')).toBeTruthy();
    expect(screen.getByTestId('nav-clinic').textContent).toBe('의원 정보');
    expect(screen.getByTestId('nav-clinic').getAttribute('href')).toBe('#/settings/clinic');
  });
});
