import { fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { describe, expect, it } from 'vitest';
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
    fireEvent.click(buttons[0]);
    const dialog = await screen.findByTestId('cancel-visit-dialog');
    expect(dialog.textContent).toContain('2024-05-30');
    fireEvent.input(screen.getByTestId('cancel-reason'), { target: { value: '고객 요청' } });
    fireEvent.click(screen.getByTestId('cancel-confirm'));
    await waitFor(() => expect(cancelled).toBe(true));
    expect(calls.find((c) => c.path === '/api/v1/sessions/s-2/cancel')!.body).toEqual({ reason: '고객 요청' });
    await waitFor(() => expect(screen.queryByTestId('cancel-visit-dialog')).toBeNull());
    // The detail was reloaded.
    expect(calls.filter((c) => c.path.startsWith('/api/v1/customers/c-1/detail')).length).toBe(2);
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
