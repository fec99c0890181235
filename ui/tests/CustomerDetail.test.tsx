import { fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { describe, expect, it } from 'vitest';
import { Toasts } from '../src/components/ui';
import { CustomerDetailScreen } from '../src/screens/CustomerDetail';
import type { Role } from '../src/types';
import { setupApi, WithUser } from './helpers';

const customer = {
  id: 'c-1', customer_id: 'c-1', name: '김영희', phone: '010-****-5678', email: 'k***@example.com', birth_year: 1985, gender: 'female',
  address: '서울시 강남구 ***', emergency_contact: null, occupation: '회사원', membership_level: 'vip', customer_status: 'active',
  risk_level: 'warning', first_visit_date: '2024-01-15', last_visit_date: '2024-05-30', total_visits: 12, average_visit_interval: 14,
  total_revenue: 2500000, average_satisfaction: 4.8, health_goals: null, health_interests: null, preferred_intensity: null,
  preferred_time_slots: ['morning'], preferred_services: ['brain'], assigned_staff: '이직원', memo: null,
  communication_preferences: { preferred_channels: ['kakao'], contact_time: 'morning' }, consent: { privacy: true, marketing: true, health_data: false },
  profile_completeness: 0.85,
};

function detail(overrides: Record<string, unknown> = {}) {
  return {
    customer: { ...customer, ...overrides },
    serviceHistory: [
      { session_id: 's-2', service_date: '2024-05-30', service_type: 'brain', service_name: '브레인 피드백', duration_minutes: 40, satisfaction_rating: 5, session_notes: '좋음', staff_name: '이직원', package_usage_id: 'pu-1', package_name: '프리미엄 케어', amount: 0, cancelled: false },
      { session_id: 's-1', service_date: '2024-05-20', service_type: 'pulse', service_name: '펄스 케어', duration_minutes: 30, satisfaction_rating: 4, session_notes: null, staff_name: '이직원', package_usage_id: 'pu-1', package_name: '프리미엄 케어', amount: 0, cancelled: true },
    ],
    activePackages: [
      { package_usage_id: 'pu-1', package_name: '프리미엄 케어', purchase_date: '2024-04-01', expiry_date: '2024-07-01', price_paid: 1500000, total_sessions: 20, used_sessions: 9, remaining_sessions: 11, usage_rate: 45, days_remaining: 25, package_status: 'active', overdrawn_sessions: 0, service_breakdown: { brain: { total: 10, used: 8, remaining: 2 }, pulse: { total: 10, used: 1, remaining: 9 } } },
    ],
    preferences: { preferred_services: ['brain'], preferred_time: 'morning', preferred_intensity: null, health_interests: null, communication_preference: 'kakao', marketing_consent: true },
  };
}

function renderDetail(role: Role, d = detail(), extra: Parameters<typeof setupApi>[0] = {}) {
  const api = setupApi({
    'GET /api/v1/customers/c-1/detail': () => ({ data: d }),
    'GET /api/v1/customers/c-1/interactions': () => ({
      data: { customer_id: 'c-1', interactions: [{ id: 'i-1', date: '2024-05-29T01:00:00Z', type: 'call', duration_minutes: 5, notes: '만료 안내', outcome: '재구매 고려', staff_name: '이직원', follow_up: { required: true, date: '2024-06-02T01:00:00Z', type: 'call', notes: '확인 전화' } }], interaction_summary: { total_interactions: 1, open_follow_ups: 1 } },
    }),
    'GET /api/v1/services': () => ({ data: { services: [] } }),
    ...extra,
  });
  render(
    <WithUser role={role}>
      <CustomerDetailScreen id="c-1" />
    </WithUser>,
  );
  return api;
}

describe('CustomerDetail', () => {
  it('shows profile, stats, package usage, history and interactions', async () => {
    renderDetail('staff');
    expect((await screen.findByTestId('customer-name')).textContent).toBe('김영희');
    expect(screen.getByTestId('profile-phone').textContent).toContain('010-****-5678');
    expect(screen.getByTestId('stat-total-revenue').textContent).toContain('₩2,500,000');
    expect(screen.getByTestId('stat-avg-interval').textContent).toContain('14일');
    expect(screen.getByTestId('stat-risk').textContent).toContain('주의');
    expect(screen.getByTestId('usage-bar-brain').getAttribute('data-used')).toBe('8');
    const rows = screen.getAllByTestId('history-row');
    expect(rows.length).toBe(2);
    expect(rows[1].getAttribute('data-cancelled')).toBe('true');
    expect(rows[1].className).toContain('cancelled');
    expect(rows[1].textContent).toContain('취소됨');
    expect((await screen.findByTestId('interaction-item')).textContent).toContain('만료 안내');
    expect(screen.getByTestId('interaction-follow-up').textContent).toContain('확인 전화');
    expect(screen.getByTestId('open-follow-ups').textContent).toContain('1건');
  });

  it('hides health fields that are null and staff gets no cancel button', async () => {
    renderDetail('staff');
    await screen.findByTestId('customer-name');
    expect(screen.queryByTestId('health-section')).toBeNull();
    expect(screen.queryByTestId('cancel-visit-button')).toBeNull();
  });

  it('shows health fields when present', async () => {
    renderDetail('doctor', detail({ health_goals: '수면 개선', health_interests: ['sleep_quality'], preferred_intensity: null }));
    const section = await screen.findByTestId('health-section');
    expect(screen.getByTestId('health-goals').textContent).toBe('수면 개선');
    expect(screen.getByTestId('health-interests').textContent).toContain('수면 질 개선');
    expect(screen.queryByTestId('health-intensity')).toBeNull();
    expect(section).toBeTruthy();
  });

  it('lets a manager cancel a visit after confirming', async () => {
    let cancelled = false;
    const { calls } = renderDetail('manager', detail(), {
      'POST /api/v1/sessions/s-2/cancel': () => {
        cancelled = true;
        return { data: { session_id: 's-2', cancelled_at: '2024-05-31T00:00:00Z', reason: '고객 요청' } };
      },
    });
    await screen.findByTestId('customer-name');
    const buttons = screen.getAllByTestId('cancel-visit-button');
    expect(buttons.length).toBe(1); // not on the already-cancelled visit
    expect(buttons[0].textContent).toBe('방문 취소');
    expect(screen.getAllByTestId('package-refund-button')).toHaveLength(1);
    fireEvent.click(buttons[0]);
    const dialog = await screen.findByTestId('cancel-visit-dialog');
    expect(dialog.textContent).toContain('2024-05-30');
    // Without a reason nothing is sent.
    fireEvent.click(screen.getByTestId('cancel-confirm'));
    expect((await screen.findByTestId('error-reason')).textContent).toBe('취소 사유를 적어 주세요.');
    expect(cancelled).toBe(false);
    fireEvent.input(screen.getByTestId('cancel-reason'), { target: { value: '고객 요청' } });
    fireEvent.click(screen.getByTestId('cancel-confirm'));
    await waitFor(() => expect(cancelled).toBe(true));
    expect(calls.find((c) => c.path === '/api/v1/sessions/s-2/cancel')!.body).toEqual({ reason: '고객 요청' });
    await waitFor(() => expect(screen.queryByTestId('cancel-visit-dialog')).toBeNull());
    // The detail was reloaded.
    expect(calls.filter((c) => c.path.startsWith('/api/v1/customers/c-1/detail')).length).toBe(2);
  });

  it('staff see 기록 취소 only on their own visits still within void_until', async () => {
    const soon = new Date(Date.now() + 5 * 60_000).toISOString();
    const past = new Date(Date.now() - 60_000).toISOString();
    const d = detail();
    d.serviceHistory = [
      { ...d.serviceHistory[0], session_id: 's-own', created_by: 'u-staff', void_until: soon },
      { ...d.serviceHistory[0], session_id: 's-old', service_date: '2024-05-29', created_by: 'u-staff', void_until: past },
      { ...d.serviceHistory[0], session_id: 's-other', service_date: '2024-05-28', created_by: 'u-doctor', void_until: soon },
      { ...d.serviceHistory[1], session_id: 's-gone', created_by: 'u-staff', void_until: soon },
    ] as any;
    const { calls } = renderDetail('staff', d, {
      'POST /api/v1/sessions/s-own/cancel': () => ({ data: { session_id: 's-own', cancelled_at: '2024-05-30T01:00:00Z', reason: '잘못 기록', refunded_amount: 0, payment_method: null } }),
    });
    await screen.findByTestId('customer-name');
    const row = (id: string) => document.querySelector(`[data-testid="history-row"][data-session-id="${id}"]`) as HTMLElement;
    expect(row('s-own').querySelector('[data-testid="void-visit-button"]')!.textContent).toBe('기록 취소');
    for (const id of ['s-old', 's-other', 's-gone']) expect(row(id).querySelector('[data-testid="void-visit-button"]'), id).toBeNull();
    expect(screen.queryByTestId('cancel-visit-button')).toBeNull();

    fireEvent.click(screen.getByTestId('void-visit-button'));
    const dialog = await screen.findByTestId('cancel-visit-dialog');
    expect(dialog.textContent).toContain('방문 기록 취소');
    expect(screen.getByTestId('void-consequence').textContent).toContain('프리미엄 케어');
    // A reason is required.
    fireEvent.click(screen.getByTestId('cancel-confirm'));
    expect((await screen.findByTestId('error-reason')).textContent).toBe('취소 사유를 적어 주세요.');
    expect(calls.filter((c) => c.method === 'POST')).toEqual([]);
    fireEvent.input(screen.getByTestId('cancel-reason'), { target: { value: '잘못 기록' } });
    fireEvent.click(screen.getByTestId('cancel-confirm'));
    await waitFor(() => expect(screen.queryByTestId('cancel-visit-dialog')).toBeNull());
    expect(calls.find((c) => c.path === '/api/v1/sessions/s-own/cancel')!.body).toEqual({ reason: '잘못 기록' });
  });

  it('a void refused after the ten minutes says only a manager can cancel it', async () => {
    const d = detail();
    d.serviceHistory = [{ ...d.serviceHistory[0], created_by: 'u-staff', void_until: new Date(Date.now() + 60_000).toISOString() }] as any;
    renderDetail('staff', d, {
      'POST /api/v1/sessions/s-2/cancel': () => ({ status: 403, error: { code: 'VISIT_VOID_WINDOW_PASSED', message: 'window passed' } }),
    });
    fireEvent.click(await screen.findByTestId('void-visit-button'));
    fireEvent.input(await screen.findByTestId('cancel-reason'), { target: { value: '중복' } });
    fireEvent.click(screen.getByTestId('cancel-confirm'));
    expect((await screen.findByTestId('cancel-error')).textContent).toBe('기록 후 10분이 지나 관리자만 취소할 수 있습니다.');
  });

  it('a cancelled visit shows why and by whom; a paid visit has a receipt, a package visit none', async () => {
    const d = detail();
    d.serviceHistory = [
      { ...d.serviceHistory[0], session_id: 's-paid', package_usage_id: null, package_name: null, amount: 50000, payment_method: 'cash' },
      { ...d.serviceHistory[1], cancel_reason: '고객 요청', cancelled_by: '박매니저' },
    ] as any;
    renderDetail('staff', d, {
      'GET /api/v1/sessions/s-paid/receipt': () => ({
        data: { receipt_number: 'R-1', kind: 'visit', issued_at: '2024-05-30T05:00:00Z', clinic: { name: '하늘 의원', business_number: null, address: null, phone: null }, customer_name: '김영희', date: '2024-05-30', staff_name: '이직원', items: [], total: 50000, payment_method: 'cash', cancellation: null },
      }),
    });
    await screen.findByTestId('customer-name');
    const rows = screen.getAllByTestId('history-row');
    expect(rows[0].textContent).toContain('현금');
    expect(rows[0].querySelector('[data-testid="visit-receipt-button"]')).not.toBeNull();
    expect(rows[1].querySelector('[data-testid="visit-receipt-button"]')).toBeNull();
    expect(rows[1].querySelector('[data-testid="cancel-info"]')!.textContent).toBe('고객 요청 · 취소 박매니저');
    fireEvent.click(rows[0].querySelector('[data-testid="visit-receipt-button"]')!);
    expect((await screen.findByTestId('receipt-total')).textContent).toBe('₩50,000');
  });

  it('every package card has a receipt; only managers and admins get 취소·환불', async () => {
    renderDetail('staff');
    await screen.findByTestId('customer-name');
    expect(screen.getAllByTestId('package-receipt-button')).toHaveLength(1);
    expect(screen.queryByTestId('package-refund-button')).toBeNull();
  });

  it('a cancelled package says 취소됨 with its refund and offers no refund again', async () => {
    const d = detail();
    d.activePackages = [
      {
        ...d.activePackages[0],
        package_status: 'cancelled',
        remaining_sessions: 0,
        service_breakdown: { brain: { total: 10, used: 8, remaining: 0 }, pulse: { total: 10, used: 1, remaining: 0 } },
        cancellation: { reason: '이사', refund_amount: 300000, refund_method: 'transfer', cancelled_at: '2024-05-31T01:00:00Z', cancelled_by: '박매니저' },
      } as any,
    ];
    renderDetail('manager', d);
    const card = await screen.findByTestId('package-card');
    expect(card.getAttribute('data-status')).toBe('cancelled');
    expect(screen.getByTestId('package-status').textContent).toBe('취소됨');
    const note = screen.getByTestId('package-cancellation');
    expect(note.textContent).toContain('₩300,000 환불');
    expect(note.textContent).toContain('계좌이체');
    expect(note.textContent).toContain('사유: 이사');
    expect(note.textContent).toContain('박매니저');
    // No usage bars to pick a session from, no refund button; the receipt stays.
    expect(card.querySelector('[data-testid^="usage-bar-"]')).toBeNull();
    expect(screen.queryByTestId('package-refund-button')).toBeNull();
    expect(screen.getByTestId('package-receipt-button')).toBeTruthy();
  });

  it('a manager refunds a package: confirm, toast, and the list reloads', async () => {
    let cancelled = false;
    const d = detail();
    const after = detail();
    after.activePackages = [{ ...after.activePackages[0], package_status: 'cancelled', remaining_sessions: 0, cancellation: { reason: '고객 요청', refund_amount: 500000, refund_method: 'card', cancelled_at: '2024-05-31T01:00:00Z', cancelled_by: 'manager 사용자' } } as any];
    const { calls } = setupApi({
      'GET /api/v1/customers/c-1/detail': () => ({ data: cancelled ? after : d }),
      'GET /api/v1/customers/c-1/interactions': () => ({ data: { customer_id: 'c-1', interactions: [] } }),
      'GET /api/v1/services': () => ({ data: { services: [] } }),
      'POST /api/v1/purchases/pu-1/cancel': () => {
        cancelled = true;
        return { data: after.activePackages[0] };
      },
    });
    render(
      <WithUser role="manager">
        <Toasts />
        <CustomerDetailScreen id="c-1" />
      </WithUser>,
    );
    fireEvent.click(await screen.findByTestId('package-refund-button'));
    await screen.findByTestId('refund-dialog');
    fireEvent.input(screen.getByTestId('refund-reason'), { target: { value: '고객 요청' } });
    fireEvent.input(screen.getByTestId('refund-amount'), { target: { value: '500000' } });
    fireEvent.click(screen.getByTestId('refund-method-card'));
    fireEvent.click(screen.getByTestId('refund-next'));
    fireEvent.click(await screen.findByTestId('refund-confirm'));
    await waitFor(() => expect(screen.queryByTestId('refund-dialog')).toBeNull());
    expect(calls.find((c) => c.path === '/api/v1/purchases/pu-1/cancel')!.body).toEqual({ reason: '고객 요청', refund_amount: 500000, refund_method: 'card' });
    // (Toasts of earlier tests may still be up: look for this one among them.)
    await waitFor(() => expect(screen.getAllByTestId('toast').map((x) => x.textContent).join('|')).toContain('프리미엄 케어 패키지를 취소했습니다 (₩500,000 환불).'));
    await waitFor(() => expect(screen.getByTestId('package-card').getAttribute('data-status')).toBe('cancelled'));
    expect(screen.getByTestId('package-cancellation').textContent).toContain('₩500,000 환불');
  });

  it('past packages list the expired and the cancelled ones', async () => {
    const gone = { ...detail().activePackages[0], package_usage_id: 'pu-gone', package_name: '환불한 패키지', package_status: 'cancelled', cancellation: { reason: '이사', refund_amount: 0, refund_method: null, cancelled_at: '2024-05-31T01:00:00Z', cancelled_by: null } };
    const old = { ...detail().activePackages[0], package_usage_id: 'pu-old', package_name: '지난 패키지', package_status: 'expired', purchase_date: '2023-01-01' };
    const { calls } = renderDetail('staff', detail(), {
      'GET /api/v1/customers/c-1/packages': ({ path }) => ({ data: { packages: path.includes('status=cancelled') ? [gone] : [old] } }),
    });
    fireEvent.click(await screen.findByTestId('toggle-past-packages'));
    await waitFor(() => expect(screen.getAllByTestId('past-package-card')).toHaveLength(2));
    const cards = screen.getAllByTestId('past-package-card');
    expect(cards.map((c) => c.getAttribute('data-status'))).toEqual(['cancelled', 'expired']);
    expect(cards[0].textContent).toContain('환불 없이 취소');
    expect(calls.filter((c) => c.path.startsWith('/api/v1/customers/c-1/packages')).map((c) => c.path).sort()).toEqual([
      '/api/v1/customers/c-1/packages?status=cancelled',
      '/api/v1/customers/c-1/packages?status=expired',
    ]);
  });

  it('shows a not-found message for an unknown customer', async () => {
    setupApi({
      'GET /api/v1/customers/c-9/detail': () => ({ status: 404, error: { code: 'CUSTOMER_NOT_FOUND', message: 'nope' } }),
      'GET /api/v1/customers/c-9/interactions': () => ({ status: 404, error: { code: 'CUSTOMER_NOT_FOUND', message: 'nope' } }),
    });
    render(
      <WithUser role="staff">
        <CustomerDetailScreen id="c-9" />
      </WithUser>,
    );
    expect((await screen.findByTestId('detail-error')).textContent).toContain('고객을 찾을 수 없습니다.');
  });
});
