import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/preact';
import { afterEach, describe, expect, it } from 'vitest';
import { App } from '../src/App';
import { PhoneRevealDialog } from '../src/components/PhoneReveal';
import { parseRoute } from '../src/router';
import { AuditScreen } from '../src/screens/Audit';
import { kstDay, TodayScreen, type FollowUpItem, type TodayData } from '../src/screens/Today';
import type { Role } from '../src/types';
import { setupApi, WithUser, type Handler } from './helpers';

afterEach(() => {
  cleanup();
  location.hash = '';
});

function followUp(over: Partial<FollowUpItem> = {}): FollowUpItem {
  return {
    follow_up_id: 'f-1',
    customer_id: 'c-1',
    customer_name: '김영희',
    assigned_staff: '최유나',
    state: 'open',
    due_date: '2024-05-28T01:00:00.000Z',
    due: 'overdue',
    asked_date: '2024-05-28T01:00:00.000Z',
    type: 'call',
    notes: '시술 후 상태 확인',
    interaction_type: 'consultation',
    interaction_date: '2024-05-20T02:00:00.000Z',
    recorded_by: '최유나',
    closed_at: null,
    ...over,
  };
}

function day(items: FollowUpItem[] = [followUp()]): TodayData {
  return {
    date: '2024-05-30',
    follow_ups: { overdue_count: items.filter((f) => f.due === 'overdue').length, today_count: items.filter((f) => f.due === 'today').length, items },
    visits: {
      count: 1,
      items: [{ session_id: 's-1', customer_id: 'c-2', customer_name: '박민수', service_type: 'brain', staff_name: '정하늘', package_name: '프리미엄 케어', recorded_at: '2024-05-30T01:00:00Z' }],
    },
    expiring_packages: {
      within_days: 14,
      items: [
        {
          purchase_id: 'p-1', customer_id: 'c-3', customer_name: '이서연', package_name: '베이직 10회', expiry_date: '2024-06-05',
          days_left: 6, total_sessions: 10, used_sessions: 7, remaining_sessions: 3,
        },
      ],
    },
    newly_at_risk: {
      from: '2024-04-08', to: '2024-04-14', threshold_days: 45, window_days: 7,
      items: [
        { customer_id: 'c-4', customer_name: '정우성', membership_level: 'premium', assigned_staff: null, last_visit_date: '2024-04-12', last_activity_date: '2024-04-12', days_since: 48, total_visits: 6 },
      ],
    },
  };
}

function renderToday(role: Role, routes: Record<string, Handler>) {
  const api = setupApi(routes);
  render(
    <WithUser role={role}>
      <TodayScreen />
    </WithUser>,
  );
  return api;
}

describe('Today screen', () => {
  it('is where a login without a destination lands, and unknown routes go', () => {
    expect(parseRoute('')).toEqual({ name: 'today' });
    expect(parseRoute('#/today')).toEqual({ name: 'today' });
    expect(parseRoute('#/nowhere')).toEqual({ name: 'today' });
    expect(parseRoute('#/customers')).toEqual({ name: 'search' });
  });

  it('lands on Today after login, with the sidebar entry active', async () => {
    setupApi({
      'POST /api/v1/auth/login': () => ({
        data: { access_token: 'a', refresh_token: 'r', token_type: 'Bearer', expires_in: 900, user: { id: 'u', username: 'staff', display_name: '최직원', role: 'staff' } },
      }),
      'GET /api/v1/services': () => ({ data: { services: [] } }),
      'GET /api/v1/today': () => ({ data: day() }),
    });
    location.hash = '';
    render(<App />);
    fireEvent.input(await screen.findByTestId('login-username'), { target: { value: 'staff' } });
    fireEvent.input(screen.getByTestId('login-password'), { target: { value: 'x' } });
    fireEvent.click(screen.getByTestId('login-submit'));
    await screen.findByTestId('today-screen');
    expect(screen.getByTestId('nav-today').className).toContain('active');
    expect(screen.getByTestId('nav-today').textContent).toContain('오늘');
  });

  it('shows each list with what the desk needs, and rows open their customer', async () => {
    renderToday('manager', { 'GET /api/v1/today': () => ({ data: day() }) });
    const row = await screen.findByTestId('today-followup-row');
    expect(row.textContent).toContain('김영희');
    expect(row.textContent).toContain('밀림');
    expect(row.textContent).toContain('2024-05-28');
    expect(row.textContent).toContain('시술 후 상태 확인');
    expect(screen.getByTestId('today-overdue-count').textContent).toBe('밀림 1');
    expect(screen.getByTestId('today-visit-row').textContent).toContain('박민수');
    const expiring = screen.getByTestId('today-expiring-row');
    expect(expiring.textContent).toContain('2024-06-05');
    expect(expiring.textContent).toContain('6일 남음');
    expect(expiring.textContent).toContain('3회 남음 / 10회');
    expect(screen.getByTestId('today-at-risk-row').textContent).toContain('48일째');
    // Managers see phones whole elsewhere: no reveal buttons here.
    expect(screen.queryByTestId('reveal-phone')).toBeNull();
    fireEvent.click(expiring);
    expect(location.hash).toBe('#/customers/c-3');
    fireEvent.keyDown(screen.getByTestId('today-at-risk-row'), { key: 'Enter' });
    expect(location.hash).toBe('#/customers/c-4');
  });

  it('completes a follow-up with a note, then reloads the day', async () => {
    let done = false;
    const { calls } = renderToday('staff', {
      'GET /api/v1/today': () => ({ data: day(done ? [] : [followUp()]) }),
      'POST /api/v1/follow-ups/f-1/complete': () => {
        done = true;
        return { data: { event_id: 'e-1', follow_up: followUp({ state: 'done', due: null }), events: [] } };
      },
    });
    fireEvent.click(await screen.findByTestId('followup-complete'));
    const dialog = await screen.findByTestId('followup-complete-dialog');
    expect(location.hash).toBe(''); // the button does not open the customer
    fireEvent.input(within(dialog).getByTestId('followup-note'), { target: { value: '통화 완료' } });
    fireEvent.click(within(dialog).getByTestId('followup-complete-confirm'));
    await screen.findByTestId('today-followups-empty');
    const post = calls.find((c) => c.method === 'POST')!;
    expect(post.path).toBe('/api/v1/follow-ups/f-1/complete');
    expect(post.body).toEqual({ note: '통화 완료' });
    expect(calls.filter((c) => c.path === '/api/v1/today')).toHaveLength(2);
  });

  it('reschedules to a chosen day and shows a refusal as it came', async () => {
    const { calls } = renderToday('staff', {
      'GET /api/v1/today': () => ({ data: day() }),
      'POST /api/v1/follow-ups/f-1/reschedule': ({ body }) =>
        body.date < '2024-05-30'
          ? { status: 422, error: { code: 'VALIDATION_ERROR', field: 'date', message: '새 날짜는 오늘이거나 그 이후여야 합니다' } }
          : { data: {} },
    });
    fireEvent.click(await screen.findByTestId('followup-reschedule'));
    const dialog = await screen.findByTestId('followup-reschedule-dialog');
    const input = within(dialog).getByTestId('followup-date') as HTMLInputElement;
    expect(input.value).toBe('2024-05-31');
    fireEvent.change(input, { target: { value: '2024-05-01' } });
    fireEvent.click(within(dialog).getByTestId('followup-reschedule-confirm'));
    expect((await within(dialog).findByTestId('followup-error')).textContent).toContain('새 날짜는 오늘이거나 그 이후여야 합니다');
    fireEvent.change(input, { target: { value: '2024-06-03' } });
    fireEvent.click(within(dialog).getByTestId('followup-reschedule-confirm'));
    await waitFor(() => expect(screen.queryByTestId('followup-reschedule-dialog')).toBeNull());
    expect(calls.filter((c) => c.method === 'POST').map((c) => c.body.date)).toEqual(['2024-05-01', '2024-06-03']);
  });

  it('offers staff the audited phone reveal on follow-up and renewal rows', async () => {
    renderToday('staff', { 'GET /api/v1/today': () => ({ data: day() }) });
    await screen.findByTestId('today-followup-row');
    expect(screen.getAllByTestId('reveal-phone')).toHaveLength(2);
  });

  it('shows a due date as its clinic day (KST)', () => {
    expect(kstDay('2024-05-29T15:00:00.000Z')).toBe('2024-05-30');
    expect(kstDay('2024-05-29T14:59:59.000Z')).toBe('2024-05-29');
  });
});

describe('Phone reveal', () => {
  it('asks for a reason (a note for "other") and shows the number the server answered', async () => {
    const { calls } = setupApi({
      'POST /api/v1/customers/c-1/phone-reveal': () => ({ data: { customer_id: 'c-1', phone: '010-1234-5678', reason: 'other', revealed_at: '2024-05-30T01:00:00Z' } }),
    });
    render(<PhoneRevealDialog customerId="c-1" customerName="김영희" onClose={() => {}} />);
    expect((screen.getByTestId('reveal-reason-follow_up_call') as HTMLInputElement).checked).toBe(true);
    fireEvent.click(screen.getByTestId('reveal-reason-other'));
    fireEvent.click(screen.getByTestId('reveal-confirm'));
    expect((await screen.findByTestId('reveal-error')).textContent).toBe('기타 사유를 적어 주세요');
    expect(calls).toHaveLength(0);
    fireEvent.input(screen.getByTestId('reveal-note'), { target: { value: '보호자 연락' } });
    fireEvent.click(screen.getByTestId('reveal-confirm'));
    expect((await screen.findByTestId('revealed-phone')).textContent).toBe('010-1234-5678');
    expect(calls[0].body).toEqual({ reason: 'other', note: '보호자 연락' });
  });
});

describe('Phone reveal review', () => {
  it('gives managers the reveals (who, whom, why) instead of the whole trail', async () => {
    const { calls } = setupApi({
      'GET /api/v1/audit/phone-reveals': () => ({
        data: {
          events: [
            { id: 'e-1', occurred_at: '2024-05-30T01:02:03Z', username: 'staff', role: 'staff', staff_name: '최직원', customer_id: 'c-1', customer_name: '김영희', reason: 'follow_up_call', note: null },
          ],
          pagination: { page: 1, size: 50, has_more: false },
        },
      }),
    });
    render(
      <WithUser role="manager">
        <AuditScreen />
      </WithUser>,
    );
    const row = await screen.findByTestId('reveal-row');
    expect(row.textContent).toContain('2024-05-30 10:02:03');
    expect(row.textContent).toContain('최직원');
    expect(row.textContent).toContain('김영희');
    expect(row.textContent).toContain('후속 조치 전화');
    expect(calls.map((c) => c.path)).toEqual(['/api/v1/audit/phone-reveals?page=1&size=50']);
  });
});
