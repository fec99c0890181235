import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/preact';
import { afterEach, describe, expect, it } from 'vitest';
import { App } from '../src/App';
import { setLang } from '../src/i18n';
import {
  AuditFeed,
  auditEventsPath,
  customerNames,
  EMPTY_FILTERS,
  groupActions,
  kstDateTime,
  kstToday,
  presetsOf,
  presetRange,
  rememberCustomerName,
  summarize,
  targetLabel,
  deviceLabel,
  deviceTitle,
  translateProblem,
  type AuditEvent,
} from '../src/logic/audit';
import { AuditScreen } from '../src/screens/Audit';
import { CustomerDetailScreen } from '../src/screens/CustomerDetail';
import type { Role } from '../src/types';
import { setupApi, WithUser, type Call, type Handler } from './helpers';

afterEach(() => {
  customerNames.clear();
  setLang('ko');
});

function ev(over: Partial<AuditEvent> & { id: string; occurred_at: string }): AuditEvent {
  return {
    chain: 'node-1:access',
    seq: 1,
    user_id: 'u-staff',
    username: 'staff',
    role: 'staff',
    device_id: 'web-3f2a9c1e-aaaa',
    request_id: 'req-1',
    client_request_id: null,
    action: 'customer.detail.read',
    entity: 'customer',
    entity_id: 'c-1',
    details: null,
    customer_name: '김영희',
    ...over,
  };
}

function query(call: Call): Record<string, string> {
  return Object.fromEntries(new URL(call.path, 'http://x').searchParams);
}

const eventCalls = (calls: Call[]) => calls.filter((c) => c.path.startsWith('/api/v1/audit/events'));

describe('audit logic', () => {
  it('builds the query of each request: customer, username, action or prefix, clinic days, page', () => {
    const f = { customerId: 'c-1', username: ' Kim.Nurse ', group: 'login' as const, from: '2024-05-27', to: '2024-06-02' };
    expect(auditEventsPath(f, 'auth.', 2, 50)).toBe(
      '/api/v1/audit/events?customer_id=c-1&username=kim.nurse&action=auth.&from=2024-05-27&to=2024-06-02&page=2&size=50',
    );
    expect(auditEventsPath(EMPTY_FILTERS, undefined, 1, 50)).toBe('/api/v1/audit/events?page=1&size=50');
    expect(groupActions('all')).toEqual([undefined]);
    expect(groupActions('customer_read')[0]).toContain('customer.detail.read');
    expect(groupActions('customer_list')).toEqual(['customer.list,customer.search']);
    expect(groupActions('denied')).toEqual(['access.denied']);
    expect(groupActions('care')).toEqual(['session.,package.,package_template.,interaction.,receipt.,cashup.']);
    // Every entry is an exact action or a prefix ending in '.', as the API takes them.
    for (const g of ['customer_read', 'customer_list', 'customer_change', 'care', 'login', 'denied', 'users', 'audit'] as const) {
      const list = groupActions(g);
      expect(list.length, g).toBeGreaterThan(0);
      for (const a of list[0]!.split(',')) expect(a, g).toMatch(/^[a-z_]+(\.[a-z_]+)*\.?$/);
    }
  });

  it('shows times in clinic time (KST) whatever the computer’s zone', () => {
    expect(kstDateTime('2024-05-30T15:04:05Z')).toBe('2024-05-31 00:04:05');
    expect(kstDateTime('2024-05-30T01:02:03.456Z')).toBe('2024-05-30 10:02:03');
    expect(kstDateTime('not a time')).toBe('not a time');
    expect(kstToday(new Date('2024-06-02T15:30:00Z'))).toBe('2024-06-03');
  });

  it('knows the date presets: today, this week from Monday, 30 days, any', () => {
    const monday1am = new Date('2024-06-02T16:00:00Z'); // 2024-06-03 01:00 KST, a Monday
    expect(presetRange('today', monday1am)).toEqual({ from: '2024-06-03', to: '2024-06-03' });
    expect(presetRange('week', monday1am)).toEqual({ from: '2024-06-03', to: '2024-06-03' });
    const sunday = new Date('2024-06-09T05:00:00Z');
    expect(presetRange('week', sunday)).toEqual({ from: '2024-06-03', to: '2024-06-09' });
    expect(presetRange('days30', sunday)).toEqual({ from: '2024-05-11', to: '2024-06-09' });
    expect(presetRange('any', sunday)).toEqual({ from: '', to: '' });
    expect(presetsOf('2024-06-03', '2024-06-09', sunday)).toEqual(['week']);
    expect(presetsOf('2024-06-01', '2024-06-09', sunday)).toEqual([]);
    // On a Monday this week is today: both buttons show pressed, whichever was clicked.
    expect(presetsOf('2024-06-03', '2024-06-03', monday1am)).toEqual(['today', 'week']);
  });

  it('summarises events in Korean', () => {
    expect(summarize(ev({ id: '1', occurred_at: 'x', action: 'customer.search', entity_id: null, details: { query: { q: '김', page: '2', size: '20' }, shown: 7 } }))).toBe(
      '7명 표시 · 검색어 “김” · 2페이지',
    );
    expect(summarize(ev({ id: '1', occurred_at: 'x', action: 'customer.list', details: { query: { membership_level: 'vip', offset: '40', limit: '20' }, shown: 20 } }))).toBe(
      '20명 표시 · 필터 1개 · 3페이지',
    );
    expect(summarize(ev({ id: '1', occurred_at: 'x', action: 'access.denied', entity: 'endpoint', details: { method: 'GET', path: '/api/v1/users', required: 'Administer', ip: '10.0.0.5' } }))).toBe(
      'GET /api/v1/users',
    );
    const failed = ev({ id: '1', occurred_at: 'x', action: 'auth.login_failed', username: null, role: null, entity: 'user', details: { username: 'kimm', reason: 'unknown_user', ip: '10.0.0.5' } });
    expect(summarize(failed)).toBe('없는 아이디 · 입력한 아이디 kimm · IP 10.0.0.5');
    expect(summarize(ev({ id: '1', occurred_at: 'x', action: 'auth.login_failed', details: { username: 'staff', reason: 'wrong_password' } }))).toBe('비밀번호 틀림');
    expect(summarize(ev({ id: '1', occurred_at: 'x', action: 'auth.login_failed', details: { reason: 'demo_account_outside_demo_mode' } }))).toBe('데모 모드가 아닌데 데모 계정으로 시도');
    expect(summarize(ev({ id: '1', occurred_at: 'x', action: 'auth.login_failed', details: { reason: 'something_new' } }))).toBe('something_new');
    expect(summarize(ev({ id: '1', occurred_at: 'x', action: 'auth.login_refused', details: { reason: 'RATE_LIMIT_EXCEEDED' } }))).toBe('실패가 많아 잠김');
    expect(summarize(ev({ id: '1', occurred_at: 'x', action: 'customer.update', details: { fields: ['phone', 'email'] } }))).toBe('변경 항목: 연락처, 이메일');
    expect(summarize(ev({ id: '1', occurred_at: 'x', action: 'user.update', entity: 'user', details: { role: { from: 'staff', to: 'manager' }, active: { from: true, to: false } } }))).toBe(
      '역할 직원 → 매니저 · 비활성화',
    );
    const audit = ev({ id: '1', occurred_at: 'x', action: 'audit.events.read', entity: 'audit', details: { query: { customer_id: '0190abcdef99', action: 'auth.', page: '1' } } });
    expect(summarize(audit)).toBe('고객 0190abcd · 행동 auth.*');
    rememberCustomerName('0190abcdef99', '김영희');
    expect(summarize(audit)).toBe('고객 김영희 · 행동 auth.*');
    expect(summarize(ev({ id: '1', occurred_at: 'x', action: 'session.record', entity: 'service_session', details: ['customer_id', 'service_type'] }))).toBe('');
  });

  it('names the record, the device and unknown actions', () => {
    expect(targetLabel(ev({ id: '1', occurred_at: 'x', action: 'session.record', entity: 'service_session', entity_id: '0190abcdef123456' }))).toBe('방문 · 0190abcd');
    expect(targetLabel(ev({ id: '1', occurred_at: 'x', action: 'customer.search', entity_id: null }))).toBe('고객 목록 화면');
    expect(targetLabel(ev({ id: '1', occurred_at: 'x', action: 'user.create', entity: 'user', details: { username: 'kim.nurse', role: 'staff' } }))).toBe('사용자 kim.nurse');
    expect(targetLabel(ev({ id: '1', occurred_at: 'x', action: 'access.denied', entity: 'endpoint', entity_id: null }))).toBe('API');
    expect(deviceLabel('web-3f2a9c1e-aaaa')).toBe('웹 · 3f2a9c');
    expect(deviceLabel('desktop-77aa11bb')).toBe('데스크톱 · 77aa11');
    expect(deviceLabel('client:web-3f2a9c1e-aaaa')).toBe('웹 · 3f2a9c');
    expect(deviceTitle('client:web-3f2a9c1e-aaaa')).toBe('client:web-3f2a9c1e-aaaa — 브라우저가 밝힌 값 (서버가 확인하지 않음)');
    expect(deviceTitle('0190abcd-node')).toBe('0190abcd-node');
    expect(deviceLabel('0190abcd-node')).toBe('0190abcd');
    expect(deviceLabel(null)).toBe('—');
    expect(targetLabel(ev({ id: '1', occurred_at: 'x', action: 'auth.login_failed', entity: 'user', entity_id: 'u-staff', details: { username: 'staff', reason: 'wrong_password' } }))).toBe('사용자 staff');
    expect(targetLabel(ev({ id: '1', occurred_at: 'x', action: 'auth.login_failed', entity: 'user', entity_id: null, username: null, details: { username: 'kimm', reason: 'unknown_user' } }))).toBe('사용자');
  });

  it('translates the verifier’s problems and keeps unknown ones as null', () => {
    expect(translateProblem('its contents do not match its seal')).toContain('수정');
    expect(translateProblem('does not link to the event before it')).toContain('순서');
    expect(translateProblem('event 4 is missing (the next one is 6)')).toBe('4번 기록이 없습니다 (다음 기록은 6번) — 중간 기록이 삭제되었습니다.');
    expect(translateProblem('the head says the newest event is 12, the chain ends at 10: events were removed')).toContain('12번');
    expect(translateProblem("the chain's head row does not match its seal")).toContain('헤드');
    expect(translateProblem('the chain has no head row')).toContain('헤드');
    expect(translateProblem('sealed with key k9 which is not in the key ring')).toContain('k9');
    expect(translateProblem("the access log's file is not the one this database was paired with: it was lost")).toContain('파일');
    expect(translateProblem('something else entirely')).toBeNull();
    expect(translateProblem(null)).toBeNull();
  });
});

describe('AuditFeed: several action streams as one newest-first list', () => {
  const at = (min: number) => `2024-05-30T01:${String(min).padStart(2, '0')}:00Z`;

  function server(streams: Record<string, AuditEvent[]>, size: number) {
    const requests: string[] = [];
    let fail = false;
    const fetch = async (action: string | undefined, page: number) => {
      requests.push(`${action}:${page}`);
      if (fail) throw new Error('down');
      const all = streams[action ?? '*'] ?? [];
      const events = all.slice((page - 1) * size, page * size);
      return { events, has_more: all.length > page * size };
    };
    return { requests, fetch, setFail: (v: boolean) => (fail = v) };
  }

  it('merges the streams in the server’s order and pages exactly', async () => {
    const list = [59, 50, 41, 30, 20].map((m, i) => ev({ id: `L${i}`, occurred_at: at(m), action: 'customer.list' }));
    const search = [55, 45, 44, 10].map((m, i) => ev({ id: `S${i}`, occurred_at: at(m), action: 'customer.search' }));
    const s = server({ 'customer.list': list, 'customer.search': search }, 3);
    const feed = new AuditFeed(['customer.list', 'customer.search'], s.fetch, 3);
    const p1 = await feed.page(1);
    expect(p1.events.map((e) => e.id)).toEqual(['L0', 'S0', 'L1']);
    expect(p1.hasMore).toBe(true);
    const p2 = await feed.page(2);
    expect(p2.events.map((e) => e.id)).toEqual(['S1', 'S2', 'L2']);
    const p3 = await feed.page(3);
    expect(p3.events.map((e) => e.id)).toEqual(['L3', 'L4', 'S3']);
    expect(p3.hasMore).toBe(false);
    // Going back asks nothing again.
    const before = s.requests.length;
    expect((await feed.page(1)).events.map((e) => e.id)).toEqual(['L0', 'S0', 'L1']);
    expect(s.requests.length).toBe(before);
  });

  it('with one stream a page is the server’s page, and a repeated row is shown once', async () => {
    // The newest event pushed the old first page's last row onto page 2 as well.
    const page1 = [ev({ id: 'a', occurred_at: at(9) }), ev({ id: 'b', occurred_at: at(8) })];
    const page2 = [ev({ id: 'b', occurred_at: at(8) }), ev({ id: 'c', occurred_at: at(7) })];
    const requests: number[] = [];
    const feed = new AuditFeed(
      [undefined],
      async (_a, p) => {
        requests.push(p);
        return p === 1 ? { events: page1, has_more: true } : p === 2 ? { events: page2, has_more: false } : { events: [], has_more: false };
      },
      2,
    );
    expect((await feed.page(1)).events.map((e) => e.id)).toEqual(['a', 'b']);
    const p2 = await feed.page(2);
    expect(p2.events.map((e) => e.id)).toEqual(['c']);
    expect(p2.hasMore).toBe(false);
    expect(requests).toEqual([1, 2]);
  });

  it('a failed request leaves the feed as it was, so a retry shows the same page', async () => {
    const list = [50, 40, 30].map((m, i) => ev({ id: `L${i}`, occurred_at: at(m) }));
    const s = server({ 'customer.list': list, 'customer.search': [] }, 2);
    const feed = new AuditFeed(['customer.list', 'customer.search'], s.fetch, 2);
    expect((await feed.page(1)).events.map((e) => e.id)).toEqual(['L0', 'L1']);
    s.setFail(true);
    await expect(feed.page(2)).rejects.toThrow('down');
    s.setFail(false);
    expect((await feed.page(2)).events.map((e) => e.id)).toEqual(['L2']);
  });
});

// ---------------------------------------------------------------------------------------------

const accounts = [
  { id: 'u-admin', username: 'admin', display_name: '관리자', role: 'admin', active: true },
  { id: 'u-staff', username: 'staff', display_name: '김직원', role: 'staff', active: true },
];

function renderAudit(events: Handler, opts: { role?: Role; customerId?: string; extra?: Record<string, Handler> } = {}) {
  const server = setupApi({
    'GET /api/v1/audit/events': events,
    'GET /api/v1/users': () => ({ data: { users: accounts } }),
    ...opts.extra,
  });
  render(
    <WithUser role={opts.role ?? 'admin'}>
      <AuditScreen customerId={opts.customerId} />
    </WithUser>,
  );
  return server;
}

const page = (events: AuditEvent[], has_more = false, p = 1) => ({ data: { events, pagination: { page: p, size: 50, has_more } } });

describe('AuditScreen', () => {
  it('filtered by a customer from its detail screen: names the customer and lists who read the record', async () => {
    rememberCustomerName('c-1', '김영희');
    const { calls } = renderAudit(
      () =>
        page([
          ev({ id: 'e2', occurred_at: '2024-05-30T05:06:07Z', username: 'staff', role: 'staff' }),
          ev({ id: 'e1', occurred_at: '2024-05-30T04:00:00Z', action: 'customer.search', entity_id: null, customer_name: null, username: 'doctor', role: 'doctor', details: { query: { q: '김영' }, shown: 3 } }),
        ]),
      { customerId: 'c-1' },
    );
    const rows = await screen.findAllByTestId('audit-row');
    expect(rows).toHaveLength(2);
    expect(screen.getByTestId('audit-customer-name').textContent).toBe('김영희');
    expect(query(eventCalls(calls)[0])).toEqual({ customer_id: 'c-1', page: '1', size: '50' });
    // The name came from the detail screen: the record is not read again.
    expect(calls.some((c) => c.path.startsWith('/api/v1/customers/'))).toBe(false);

    const first = within(rows[0]);
    expect(first.getByTestId('audit-time').textContent).toBe('2024-05-30 14:06:07');
    expect(first.getByTestId('audit-user').textContent).toBe('staff직원');
    expect(first.getByTestId('audit-action').textContent).toBe('고객 상세 열람');
    expect(first.getByTestId('audit-target').textContent).toBe('김영희');
    expect(rows[0].textContent).toContain('웹 · 3f2a9c');
    const second = within(rows[1]);
    expect(second.getByTestId('audit-action').textContent).toBe('고객 검색');
    expect(second.getByTestId('audit-target').textContent).toBe('고객 목록 화면');
    expect(second.getByTestId('audit-summary').textContent).toBe('3명 표시 · 검색어 “김영”');

    // The raw event opens under its row.
    fireEvent.click(first.getByTestId('audit-raw-toggle'));
    const raw = await screen.findByTestId('audit-raw');
    expect(JSON.parse(raw.textContent ?? '')).toMatchObject({ id: 'e2', action: 'customer.detail.read', request_id: 'req-1' });
  });

  it('names the customer from the events when it can, without reading the record', async () => {
    const { calls } = renderAudit(() => page([ev({ id: 'e1', occurred_at: '2024-05-30T05:00:00Z', entity_id: 'c-7', customer_name: '최수진' })]), { customerId: 'c-7' });
    await waitFor(() => expect(screen.getByTestId('audit-customer-name').textContent).toBe('최수진'));
    expect(calls.some((c) => c.path.startsWith('/api/v1/customers/'))).toBe(false);
  });

  it('reads a customer’s name it does not know yet', async () => {
    const { calls } = renderAudit(() => page([]), {
      customerId: 'c-9',
      extra: { 'GET /api/v1/customers/c-9': () => ({ data: { id: 'c-9', name: '박민수' } }) },
    });
    await waitFor(() => expect(screen.getByTestId('audit-customer-name').textContent).toBe('박민수'));
    expect(calls.some((c) => c.path === '/api/v1/customers/c-9')).toBe(true);
  });

  it('sends the filters: action group (one request, its actions comma-separated), username, date preset', async () => {
    const { calls } = renderAudit(() => page([]));
    await screen.findByTestId('audit-empty');
    expect(screen.getByTestId('audit-empty').textContent).toBe('조건에 맞는 기록이 없습니다.');
    expect(eventCalls(calls)).toHaveLength(1);

    const labels = Array.from(screen.getByTestId('audit-group').querySelectorAll('option')).map((o) => o.textContent);
    expect(labels).toEqual(['전체', '고객 열람', '고객 목록·검색', '고객 정보 변경', '방문·구매·상담', '로그인', '접근 거부', '사용자 관리', '감사 기록 열람', '전화번호 열람']);

    calls.length = 0;
    fireEvent.change(screen.getByTestId('audit-group'), { target: { value: 'customer_list' } });
    await waitFor(() => expect(eventCalls(calls)).toHaveLength(1));
    expect(query(eventCalls(calls)[0]).action).toBe('customer.list,customer.search');

    calls.length = 0;
    fireEvent.change(screen.getByTestId('audit-group'), { target: { value: 'denied' } });
    await waitFor(() => expect(eventCalls(calls)).toHaveLength(1));
    expect(query(eventCalls(calls)[0]).action).toBe('access.denied');

    calls.length = 0;
    const name = screen.getByTestId('audit-username') as HTMLInputElement;
    fireEvent.input(name, { target: { value: 'Staff' } });
    // Typing alone sends nothing (each query is an audited read); Enter applies it.
    expect(eventCalls(calls)).toHaveLength(0);
    fireEvent.keyDown(name, { key: 'Enter' });
    await waitFor(() => expect(eventCalls(calls)).toHaveLength(1));
    expect(query(eventCalls(calls)[0])).toMatchObject({ username: 'staff', action: 'access.denied' });
    // Leaving the field afterwards applies the same value: nothing more is sent (the next
    // request is the one of the next filter).
    fireEvent.change(name, { target: { value: 'Staff' } });
    fireEvent.change(screen.getByTestId('audit-group'), { target: { value: 'denied' } });
    fireEvent.change(screen.getByTestId('audit-group'), { target: { value: 'audit' } });
    await waitFor(() => expect(eventCalls(calls).some((c) => query(c).action === 'audit.')).toBe(true));
    expect(eventCalls(calls).map((c) => query(c).action)).toEqual(['access.denied', 'audit.']);
    fireEvent.change(screen.getByTestId('audit-group'), { target: { value: 'denied' } });

    await waitFor(() => expect(eventCalls(calls).map((c) => query(c).action)).toEqual(['access.denied', 'audit.', 'access.denied']));
    calls.length = 0;
    fireEvent.click(screen.getByTestId('audit-preset-week'));
    await waitFor(() => expect(eventCalls(calls)).toHaveLength(1));
    const week = presetRange('week');
    expect(query(eventCalls(calls)[0])).toMatchObject({ from: week.from, to: week.to, username: 'staff' });
    expect(screen.getByTestId('audit-preset-week').getAttribute('aria-pressed')).toBe('true');

    calls.length = 0;
    fireEvent.click(screen.getByTestId('audit-reset'));
    await waitFor(() => expect(eventCalls(calls)).toHaveLength(1));
    expect(query(eventCalls(calls)[0])).toEqual({ page: '1', size: '50' });
  });

  it('refuses a start date after the end date without asking the server', async () => {
    const { calls } = renderAudit(() => page([ev({ id: 'e1', occurred_at: '2024-05-30T05:00:00Z' })]));
    await screen.findByTestId('audit-row');
    calls.length = 0;
    fireEvent.change(screen.getByTestId('audit-to'), { target: { value: '2024-05-01' } });
    await waitFor(() => expect(eventCalls(calls)).toHaveLength(1));
    calls.length = 0;
    fireEvent.change(screen.getByTestId('audit-from'), { target: { value: '2024-05-10' } });
    expect(await screen.findByTestId('audit-bad-range')).toBeTruthy();
    expect(eventCalls(calls)).toHaveLength(0);
    expect(screen.queryAllByTestId('audit-row')).toHaveLength(0);
  });

  it('pages with has_more', async () => {
    const { calls } = renderAudit((call) => {
      const p = Number(query(call).page);
      // A full first page (50), then the last event.
      return p === 1
        ? page(Array.from({ length: 50 }, (_, i) => ev({ id: `p1-${i}`, occurred_at: `2024-05-30T05:00:${String(59 - i).padStart(2, '0')}Z` })), true, 1)
        : page([ev({ id: 'p2', occurred_at: '2024-05-29T05:00:00Z', action: 'auth.login', entity: 'auth_session', customer_name: null })], false, 2);
    });
    await screen.findAllByTestId('audit-row');
    expect((screen.getByTestId('audit-prev') as HTMLButtonElement).disabled).toBe(true);
    expect(screen.getByTestId('audit-count').textContent).toBe('50건 · 더 있음');
    expect(screen.getAllByTestId('audit-row')[0].getAttribute('data-id')).toBe('p1-0');
    fireEvent.click(screen.getByTestId('audit-next'));
    await waitFor(() => expect(screen.getByTestId('audit-row').getAttribute('data-id')).toBe('p2'));
    expect(screen.getByTestId('audit-page').textContent).toBe('2 페이지');
    expect((screen.getByTestId('audit-next') as HTMLButtonElement).disabled).toBe(true);
    expect(screen.getByTestId('audit-action').textContent).toBe('로그인');
    fireEvent.click(screen.getByTestId('audit-prev'));
    await waitFor(() => expect(screen.getAllByTestId('audit-row')).toHaveLength(50));
    expect(eventCalls(calls).map((c) => query(c).page)).toEqual(['1', '2']);

    // New filters start again at page 1, without asking for their page 2.
    fireEvent.click(screen.getByTestId('audit-next'));
    await waitFor(() => expect(screen.getByTestId('audit-page').textContent).toBe('2 페이지'));
    calls.length = 0;
    fireEvent.change(screen.getByTestId('audit-group'), { target: { value: 'login' } });
    await waitFor(() => expect(screen.getByTestId('audit-page').textContent).toBe('1 페이지'));
    await waitFor(() => expect(screen.getAllByTestId('audit-row')).toHaveLength(50));
    expect(eventCalls(calls).map((c) => `${query(c).action}:${query(c).page}`)).toEqual(['auth.:1']);
  });

  it('shows an error in Korean with a retry', async () => {
    let n = 0;
    renderAudit(() => (++n === 1 ? { status: 500, error: { code: 'INTERNAL_ERROR', message: 'boom' } } : page([ev({ id: 'ok', occurred_at: '2024-05-30T05:00:00Z' })])));
    const err = await screen.findByTestId('audit-error');
    expect(err.textContent).toContain('감사 기록을 불러오지 못했습니다.');
    expect(err.textContent).toContain('서버 오류가 발생했습니다');
    fireEvent.click(within(err).getByText('다시 시도'));
    await screen.findByTestId('audit-row');
    expect(screen.queryByTestId('audit-error')).toBeNull();
  });

  it('labels unknown actions raw', async () => {
    renderAudit(() => page([ev({ id: 'x', occurred_at: '2024-05-30T05:00:00Z', action: 'sync.push', entity: 'batch', entity_id: 'b-1', customer_name: null })]));
    expect((await screen.findByTestId('audit-action')).textContent).toBe('sync.push');
    expect(screen.getByTestId('audit-target').textContent).toBe('batch · b-1');
  });

  /** Opens the screen, presses 무결성 검사 with `verify` answering, and waits for what shows. */
  async function runVerify(verify: Handler, testid = 'audit-verify-result') {
    const server = renderAudit(() => page([]), { extra: { 'GET /api/v1/audit/verify': verify } });
    await screen.findByTestId('audit-empty');
    fireEvent.click(screen.getByTestId('audit-verify'));
    return { ...server, result: await screen.findByTestId(testid) };
  }

  it('runs the integrity check: intact', async () => {
    const { calls, result } = await runVerify(() => ({
      data: {
        intact: true,
        events: 1234,
        verified_at: '2024-05-30T05:00:00Z',
        chains: [
          { chain: 'n1', events: 200, broken_at: null, problem: null },
          { chain: 'n1:access', events: 1034, broken_at: null, problem: null },
        ],
      },
    }));
    expect(result.getAttribute('data-intact')).toBe('true');
    expect(result.getAttribute('role')).toBe('status');
    expect(result.className).toContain('verify-ok');
    expect(result.textContent).toContain('감사 기록이 온전합니다');
    expect(result.textContent).toContain('기록 1,234건, 체인 2개');
    expect(result.textContent).toContain('2024-05-30 14:00:00 검사');
    expect(calls.filter((c) => c.path === '/api/v1/audit/verify')).toHaveLength(1);
  });

  it('runs the integrity check: broken, naming the chain, the event and the problem', async () => {
    const { result } = await runVerify(() => ({
      data: {
        intact: false,
        events: 40,
        verified_at: '2024-05-30T05:00:00Z',
        chains: [
          { chain: 'n1', events: 10, broken_at: null, problem: null },
          { chain: 'n1:access', events: 30, broken_at: 31, problem: 'event 31 is missing (the next one is 33)' },
        ],
      },
    }));
    expect(result.getAttribute('data-intact')).toBe('false');
    expect(result.getAttribute('role')).toBe('alert');
    expect(result.className).toContain('verify-broken');
    expect(result.textContent).toContain('감사 기록이 훼손되었습니다');
    const problems = screen.getAllByTestId('audit-verify-problem');
    expect(problems).toHaveLength(1);
    expect(problems[0].getAttribute('data-chain')).toBe('n1:access');
    expect(problems[0].textContent).toContain('열람·접근 기록 체인 n1:access — 31번 기록');
    expect(problems[0].textContent).toContain('31번 기록이 없습니다 (다음 기록은 33번)');
    expect(problems[0].textContent).toContain('원문: event 31 is missing (the next one is 33)');
  });

  it('shows a verification failure', async () => {
    const { result } = await runVerify(() => ({ status: 503, error: { code: 'SERVICE_UNAVAILABLE' } }), 'audit-verify-error');
    expect(result.textContent).toContain('무결성 검사를 하지 못했습니다.');
  });

  it('is for administrators only (managers get the phone reveals): other roles ask the server nothing', async () => {
    for (const role of ['staff', 'doctor'] as const) {
      const { calls } = renderAudit(() => page([]), { role });
      expect((await screen.findByTestId('audit-forbidden')).textContent).toBe('관리자만 볼 수 있는 화면입니다.');
      expect(calls).toHaveLength(0);
      cleanup();
    }
  });

  it('shows the forbidden message when the server refuses (the role changed meanwhile)', async () => {
    renderAudit(() => ({ status: 403, error: { code: 'FORBIDDEN_ROLE', message: 'forbidden' } }));
    expect((await screen.findByTestId('audit-forbidden')).textContent).toBe('관리자만 볼 수 있는 화면입니다.');
  });

  it('finds a customer to filter by', async () => {
    const { calls } = renderAudit(() => page([]), {
      extra: {
        'GET /api/v1/customers/search': () => ({ data: { customers: [{ id: 'c-5', name: '이민지', phone: '010-1111-2222' }], pagination: { total: 1, page: 1, size: 8, total_pages: 1 } } }),
      },
    });
    await screen.findByTestId('audit-empty');
    fireEvent.input(screen.getByTestId('audit-customer-input'), { target: { value: '이민' } });
    fireEvent.click(screen.getByTestId('audit-customer-find'));
    const option = await screen.findByTestId('audit-customer-option');
    expect(query(calls.find((c) => c.path.startsWith('/api/v1/customers/search'))!)).toEqual({ q: '이민', size: '8' });
    location.hash = '';
    fireEvent.click(option);
    expect(location.hash).toBe('#/audit?customer_id=c-5');
    expect(customerNames.get('c-5')).toBe('이민지');
  });
});

/** Follow a link to `hash` until the screen shows `testid` (the shell listens for hash changes
 *  from its first effect on, which Preact runs a moment after the first render). */
async function go(hash: string, testid: string) {
  location.hash = hash;
  await waitFor(() => {
    window.dispatchEvent(new HashChangeEvent('hashchange'));
    expect(screen.getByTestId(testid)).toBeTruthy();
  });
}

describe('the way in', () => {
  const tokens = (role: Role) => ({
    access_token: 'a1',
    refresh_token: 'r1',
    token_type: 'Bearer',
    expires_in: 900,
    user: { id: `u-${role}`, username: role, display_name: `${role} 사용자`, role },
  });

  async function signedIn(role: Role) {
    setupApi({
      'GET /api/v1/setup': () => ({ data: { needs_setup: false, setup_allowed: true } }),
      'POST /api/v1/auth/login': () => ({ data: tokens(role) }),
      'GET /api/v1/services': () => ({ data: { services: [] } }),
      'GET /api/v1/customers/search': () => ({ data: { customers: [], pagination: { total: 0, page: 1, size: 20, total_pages: 0 } } }),
      'GET /api/v1/audit/events': () => page([]),
      'GET /api/v1/audit/phone-reveals': () => ({ data: { events: [], pagination: { page: 1, size: 50, has_more: false } } }),
      'GET /api/v1/today': () => ({ data: null, status: 503 }),
      'GET /api/v1/users': () => ({ data: { users: accounts } }),
    });
    location.hash = '';
    render(<App />);
    await screen.findByTestId('login-username');
    fireEvent.input(screen.getByTestId('login-username'), { target: { value: role } });
    fireEvent.input(screen.getByTestId('login-password'), { target: { value: 'x-password-1' } });
    fireEvent.click(screen.getByTestId('login-submit'));
    await screen.findByTestId('header-user');
  }

  it('the sidebar has 감사 기록 for administrators, and it opens the screen', async () => {
    await signedIn('admin');
    const link = screen.getByTestId('nav-audit');
    expect(link.textContent).toBe('감사 기록');
    expect(link.getAttribute('href')).toBe('#/audit');
    await go('#/audit', 'audit-screen');
    expect(screen.getByTestId('nav-audit').className).toContain('active');
  });

  it('managers: 감사 기록 in the sidebar opens the phone reveals only', async () => {
    await signedIn('manager');
    expect(screen.getByTestId('nav-audit').getAttribute('href')).toBe('#/audit');
    await go('#/audit', 'reveals-screen');
    expect(screen.queryByTestId('audit-table')).toBeNull();
  });

  for (const role of ['staff', 'doctor'] as const) {
    it(`${role}: no 감사 기록 in the sidebar, and #/audit answers with the forbidden message`, async () => {
      await signedIn(role);
      expect(screen.queryByTestId('nav-audit')).toBeNull();
      await go('#/audit', 'audit-forbidden');
      expect(screen.getByTestId('audit-forbidden').textContent).toBe('관리자만 볼 수 있는 화면입니다.');
    });
  }

  const customer = { id: 'c-1', name: '김영희', phone: '010-1234-5678', membership_level: 'vip', customer_status: 'active' };
  function renderDetail(role: Role) {
    setupApi({
      'GET /api/v1/customers/c-1/detail': () => ({ data: { customer, serviceHistory: [], activePackages: [], preferences: {} } }),
      'GET /api/v1/customers/c-1/interactions': () => ({ data: { customer_id: 'c-1', interactions: [] } }),
      'GET /api/v1/services': () => ({ data: { services: [] } }),
    });
    render(
      <WithUser role={role}>
        <CustomerDetailScreen id="c-1" />
      </WithUser>,
    );
  }

  it('the customer detail has 열람 기록 for administrators, filtered by the customer', async () => {
    renderDetail('admin');
    await screen.findByTestId('customer-name');
    const link = screen.getByTestId('audit-link');
    expect(link.textContent).toBe('열람 기록');
    expect(link.getAttribute('href')).toBe('#/audit?customer_id=c-1');
    fireEvent.click(link);
    expect(customerNames.get('c-1')).toBe('김영희');
  });

  for (const role of ['staff', 'manager', 'doctor'] as const) {
    it(`the customer detail has no 열람 기록 for ${role}`, async () => {
      renderDetail(role);
      await screen.findByTestId('customer-name');
      expect(screen.queryByTestId('audit-link')).toBeNull();
    });
  }
});
