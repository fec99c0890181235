import { fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { describe, expect, it } from 'vitest';
import { restoreSession } from '../src/api';
import { App } from '../src/App';
import { memoryStore, setupApi } from './helpers';

const searchResult = {
  customers: [
    {
      id: 'c-1', customer_id: 'c-1', name: '김영희', phone: '010-****-5678', first_visit_date: '2024-01-15', last_visit_date: '2024-05-30',
      total_visits: 12, active_package: '프리미엄 케어', package_usage_summary: '브5/10 펄3/10', membership_level: 'vip', risk_level: 'stable', total_revenue: 2500000,
    },
  ],
  pagination: { total: 1, page: 1, size: 20, total_pages: 1 },
};
const tokens = {
  access_token: 'a1', refresh_token: 'r1', token_type: 'Bearer', expires_in: 900,
  user: { id: 'u', username: 'staff', display_name: '최직원', role: 'staff' },
};

describe('Login and start-up', () => {
  it('shows AUTH_INVALID_CREDENTIALS as a Korean message', async () => {
    setupApi({ 'POST /api/v1/auth/login': () => ({ status: 401, error: { code: 'AUTH_INVALID_CREDENTIALS', message: 'bad' } }) });
    location.hash = '';
    render(<App />);
    fireEvent.input(await screen.findByTestId('login-username'), { target: { value: 'staff' } });
    fireEvent.input(screen.getByTestId('login-password'), { target: { value: 'nope' } });
    fireEvent.click(screen.getByTestId('login-submit'));
    expect((await screen.findByTestId('login-error')).textContent).toBe('아이디 또는 비밀번호가 올바르지 않습니다.');
  });

  it('tells a locked user how many minutes to wait', async () => {
    setupApi({
      'POST /api/v1/auth/login': () => ({
        status: 429,
        error: { code: 'RATE_LIMIT_EXCEEDED', message: '…', details: { retry_after_seconds: 840, locked: 'username' } },
      }),
    });
    location.hash = '';
    render(<App />);
    fireEvent.input(await screen.findByTestId('login-username'), { target: { value: 'staff' } });
    fireEvent.input(screen.getByTestId('login-password'), { target: { value: 'nope' } });
    fireEvent.click(screen.getByTestId('login-submit'));
    expect((await screen.findByTestId('login-error')).textContent).toBe(
      '로그인 실패가 너무 많아 잠시 로그인할 수 없습니다. 14분 후에 다시 시도하세요.',
    );
  });

  it('logs in and opens the customer search with the role in Korean', async () => {
    setupApi({
      'POST /api/v1/auth/login': () => ({ data: tokens }),
      'GET /api/v1/services': () => ({ data: { services: [] } }),
      'GET /api/v1/customers/search': () => ({ data: searchResult }),
    });
    location.hash = '#/customers';
    render(<App />);
    fireEvent.input(await screen.findByTestId('login-username'), { target: { value: 'staff' } });
    fireEvent.input(screen.getByTestId('login-password'), { target: { value: 'clinicdesk-demo' } });
    fireEvent.click(screen.getByTestId('login-submit'));
    expect((await screen.findByTestId('header-role')).textContent).toBe('직원');
    expect(screen.getByTestId('header-user-name').textContent).toBe('최직원');
    const row = await screen.findByTestId('result-row');
    expect(row.textContent).toContain('김영희');
    expect(row.textContent).toContain('₩2,500,000');
    expect(row.textContent).toContain('브5/10 펄3/10');
    expect(row.textContent).toContain('2024-05-30');
  });

  it('resumes a stored session without showing the login screen', async () => {
    const store = memoryStore('stored-refresh');
    setupApi(
      {
        'POST /api/v1/auth/refresh': ({ body }) => (body.refresh_token === 'stored-refresh' ? { data: tokens } : { status: 401, error: { code: 'AUTH_INVALID_TOKEN' } }),
        'GET /api/v1/services': () => ({ data: { services: [] } }),
        'GET /api/v1/customers/search': () => ({ data: searchResult }),
      },
      store,
    );
    location.hash = '#/customers';
    render(<App />);
    await screen.findByTestId('search-input');
    expect(screen.queryByTestId('login-username')).toBeNull();
    expect(store.value).toBe('r1');
  });

  it('takes over a session restore that started before the first render', async () => {
    const store = memoryStore('stored-refresh');
    const { calls } = setupApi(
      {
        'POST /api/v1/auth/refresh': () => ({ data: tokens }),
        'GET /api/v1/services': () => ({ data: { services: [] } }),
        'GET /api/v1/customers/search': () => ({ data: searchResult }),
      },
      store,
    );
    location.hash = '#/customers';
    // As main.tsx does: the restore runs while the fonts load, and has finished by the render.
    const restoring = restoreSession();
    await restoring;
    render(<App restoring={restoring} />);
    await screen.findByTestId('search-input');
    expect(screen.queryByTestId('login-username')).toBeNull();
    expect(calls.filter((c) => c.path === '/api/v1/auth/refresh')).toHaveLength(1);
    await waitFor(() => expect(calls.some((c) => c.path === '/api/v1/services')).toBe(true));
  });

  it('searches as you type (debounced) with the filters in the query', async () => {
    const { calls } = setupApi({
      'POST /api/v1/auth/login': () => ({ data: tokens }),
      'GET /api/v1/services': () => ({ data: { services: [] } }),
      'GET /api/v1/customers/search': () => ({ data: searchResult }),
    });
    location.hash = '#/customers';
    render(<App />);
    fireEvent.input(await screen.findByTestId('login-username'), { target: { value: 'staff' } });
    fireEvent.input(screen.getByTestId('login-password'), { target: { value: 'x' } });
    fireEvent.click(screen.getByTestId('login-submit'));
    const input = await screen.findByTestId('search-input');
    await waitFor(() => expect(document.activeElement).toBe(input));
    fireEvent.click(screen.getByTestId('filter-service-brain'));
    fireEvent.click(screen.getByTestId('filter-service-pulse'));
    fireEvent.input(input, { target: { value: '김' } });
    fireEvent.input(input, { target: { value: '김영' } });
    await waitFor(() => expect(calls.some((c) => c.path.includes('q=' + encodeURIComponent('김영')))).toBe(true));
    const searches = calls.filter((c) => c.path.startsWith('/api/v1/customers/search'));
    // Debounced: the intermediate "김" alone is never searched.
    expect(searches.some((c) => /q=%EA%B9%80(&|$)/.test(c.path))).toBe(false);
    const last = searches.at(-1)!.path;
    expect(last).toContain('service_filter=brain,pulse');
    expect(last).toContain('page=1');
    expect(last).toContain('size=20');
    expect(last).toContain('sort_by=last_visit');
  });
});
