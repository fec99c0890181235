import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { App } from '../src/App';
import type { Dashboard, ForecastAnswer } from '../src/logic/analytics';
import { useRoute } from '../src/router';
import { AnalyticsScreen } from '../src/screens/Analytics';
import type { Role } from '../src/types';
import { setupApi, WithUser, type Call, type Handler } from './helpers';

afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
  location.hash = '';
});

const none: never[] = [];

/** A dashboard as the server answers it (shapes from a demo server), for `period`. */
function dashboard(period = 'month', over: Partial<Dashboard> = {}): Dashboard {
  const week = period === 'week';
  return {
    period,
    date_range: week ? { start: '2026-12-01', end: '2026-12-07', days: 7 } : { start: '2026-11-08', end: '2026-12-07', days: 30 },
    previous_range: week ? { start: '2026-11-24', end: '2026-11-30', days: 7 } : { start: '2026-10-09', end: '2026-11-07', days: 30 },
    revenue: {
      total: week ? 8_180_000 : 35_120_000,
      currency: 'KRW',
      visit_revenue: 2_130_000,
      purchase_revenue: 6_050_000,
      previous_total: 7_330_000,
      growth_rate: week ? 11.6 : -4.2,
      daily_average: 1_168_571,
      trend: 'increasing',
      trend_label: '증가',
      unavailable: none,
    },
    purchases: { total: 7, revenue: 6_050_000, previous_total: 7, growth_rate: 0.0, average_value: 864_286, unavailable: none },
    visits: { total: week ? 106 : 412, paid_revenue: 2_130_000, previous_total: 89, growth_rate: 19.1, daily_average: 15.1, unavailable: none },
    customers: { total_active: 79, new_customers: 2, returning_customers: 34, retention_rate: 53.1, previous_active: 64, unavailable: none },
    services: [
      { service: 'brain', name: '브레인 피드백', visits: 35, revenue: 660_000, visit_share: 33.0, rank: null },
      { service: 'lymph', name: '림프 순환', visits: 22, revenue: 700_000, visit_share: 20.8, rank: null },
    ],
    daily_trend: [],
    top_services: [
      { service: 'lymph', name: '림프 순환', visits: 22, revenue: 700_000, visit_share: 20.8, rank: 1 },
      { service: 'brain', name: '브레인 피드백', visits: 35, revenue: 660_000, visit_share: 33.0, rank: 2 },
    ],
    ...over,
  };
}

function forecast(metric: 'revenue' | 'visits' = 'revenue', over: Partial<ForecastAnswer> = {}): ForecastAnswer {
  return {
    metric,
    unit: metric === 'revenue' ? 'KRW' : 'visits',
    scope: metric === 'revenue' ? '매출 (방문 결제 + 패키지 판매, 환불 제외)' : '모든 서비스의 방문 수',
    history_start: '2026-06-08',
    history_end: '2026-12-06',
    forecast: { start_date: '2026-12-07', end_date: '2027-01-05', days: 30, points: [], total: metric === 'revenue' ? 35_432_324.5 : 380.6 },
    insights: [
      { type: 'trend', message: '뚜렷한 추세 없이 보합세입니다 (주당 변화 -0.0%).' },
      { type: 'weekend_effect', message: '주말(토·일) 일평균은 평일보다 42.2% 적습니다.' },
    ],
    accuracy: {
      train_days: 154,
      holdout_days: 28,
      model: { mae: metric === 'revenue' ? 874_124.9 : 3.93 },
      baseline: { mae: metric === 'revenue' ? 1_547_142.9 : 4.79 },
      beats_baseline: true,
    },
    accuracy_unavailable: null,
    ...over,
  };
}

const svg = (title: string) =>
  `<svg width="800" height="400" viewBox="0 0 800 400" xmlns="http://www.w3.org/2000/svg"><rect x="0" y="0" width="800" height="400" fill="#FFFFFF"/><text x="16" y="17" font-family="NanumGothic">${title}</text><script>alert(1)</script><polyline points="0,0 10,10" onclick="alert(2)" stroke="#000"/></svg>`;

const query = (c: Call) => new URLSearchParams(c.path.split('?')[1] ?? '');
const dashboardCalls = (calls: Call[]) => calls.filter((c) => c.path.startsWith('/api/v1/analytics/dashboard'));
const chartCalls = (calls: Call[], name?: string) => calls.filter((c) => c.path.startsWith(name ? `/api/v1/charts/${name}?` : '/api/v1/charts/'));

function routes(over: Record<string, Handler> = {}): Record<string, Handler> {
  return {
    'GET /api/v1/analytics/dashboard': (c) => ({ data: dashboard(query(c).get('period') ?? (query(c).get('start_date') ? 'custom' : 'month')) }),
    'GET /api/v1/analytics/forecast': (c) => ({ data: forecast(query(c).get('metric') === 'visits' ? 'visits' : 'revenue') }),
    'GET /api/v1/charts/revenue-trend': () => ({ raw: svg('매출 추이') }),
    'GET /api/v1/charts/service-mix': () => ({ raw: svg('서비스별 방문') }),
    'GET /api/v1/charts/visit-heatmap': () => ({ raw: svg('요일·시간대별 방문') }),
    'GET /api/v1/charts/forecast': () => ({ raw: svg('매출 예측') }),
    ...over,
  };
}

/** The screen as the app shows it: its props from the address. */
function Routed() {
  const route = useRoute();
  return route.name === 'analytics' ? <AnalyticsScreen period={route.period} start={route.start} end={route.end} metric={route.metric} /> : null;
}

function renderAnalytics(hash = '#/analytics', over: Record<string, Handler> = {}, role: Role = 'manager') {
  const api = setupApi(routes(over));
  location.hash = hash;
  render(
    <WithUser role={role}>
      <Routed />
    </WithUser>,
  );
  return api;
}

const allChartsReady = () =>
  waitFor(() => {
    for (const name of ['revenue-trend', 'service-mix', 'visit-heatmap', 'forecast']) {
      expect(screen.getByTestId(`chart-${name}`).getAttribute('data-state')).toBe('ready');
    }
  });

describe('경영 분석', () => {
  it('shows the KPI cards: KRW amounts, counts, growth against the previous period', async () => {
    renderAnalytics('#/analytics?period=week');
    const revenue = await screen.findByTestId('kpi-revenue');
    expect(within(revenue).getByTestId('kpi-revenue-value').textContent).toBe('₩8,180,000');
    const growth = within(revenue).getByTestId('kpi-revenue-growth');
    expect(growth.textContent).toContain('▲ 11.6%');
    expect(growth.textContent).toContain('이전 기간 대비');
    expect(growth.className).toContain('growth-up');
    expect(revenue.textContent).toContain('이전 기간 ₩7,330,000');
    expect(revenue.textContent).toContain('방문 결제 ₩2,130,000 · 패키지 ₩6,050,000');
    expect(screen.getByTestId('kpi-visits-value').textContent).toBe('106회');
    expect(screen.getByTestId('kpi-visits-growth').textContent).toContain('▲ 19.1%');
    expect(screen.getByTestId('kpi-purchases-value').textContent).toBe('7건');
    // Unchanged: no arrow, not coloured as a rise or a fall.
    expect(screen.getByTestId('kpi-purchases-growth').textContent).toContain('0.0%');
    expect(screen.getByTestId('kpi-purchases-growth').getAttribute('data-state')).toBe('flat');
    expect(screen.getByTestId('kpi-customers-value').textContent).toBe('79명');
    expect(screen.getByTestId('kpi-customers-split').textContent).toBe('신규 2명 · 재방문 34명');
    expect(screen.getByTestId('kpi-retention').textContent).toContain('53.1%');
    expect(screen.getByTestId('analytics-range').textContent).toContain('2026-12-01 ~ 2026-12-07 (7일)');
    expect(screen.getByTestId('analytics-range').textContent).toContain('2026-11-24 ~ 2026-11-30');
  });

  it('marks a fall with ▼ in its own colour', async () => {
    renderAnalytics('#/analytics');
    const growth = await screen.findByTestId('kpi-revenue-growth');
    expect(growth.textContent).toContain('▼ 4.2%');
    expect(growth.className).toContain('growth-down');
  });

  it('opens on 30일 (the server’s default) and asks for period=month', async () => {
    const api = renderAnalytics('#/analytics');
    await screen.findByTestId('kpi-revenue');
    expect(query(dashboardCalls(api.calls)[0]).get('period')).toBe('month');
    expect(screen.getByTestId('period-month').getAttribute('aria-pressed')).toBe('true');
  });

  it('switching the period asks for it, keeps it in the address and redraws the period’s charts', async () => {
    const api = renderAnalytics('#/analytics');
    await allChartsReady();
    expect(chartCalls(api.calls, 'revenue-trend').map((c) => query(c).get('period'))).toEqual(['month']);

    fireEvent.click(screen.getByTestId('period-week'));
    await waitFor(() => expect(screen.getByTestId('kpi-revenue-value').textContent).toBe('₩8,180,000'));
    expect(location.hash).toBe('#/analytics?period=week');
    expect(dashboardCalls(api.calls).map((c) => query(c).get('period'))).toEqual(['month', 'week']);
    await waitFor(() => {
      for (const name of ['revenue-trend', 'service-mix', 'visit-heatmap']) {
        expect(chartCalls(api.calls, name).map((c) => query(c).get('period'))).toEqual(['month', 'week']);
      }
    });
    const trend = query(chartCalls(api.calls, 'revenue-trend')[1]);
    expect(trend.get('format')).toBe('svg');
    expect(Number(trend.get('width'))).toBeGreaterThanOrEqual(320);
    expect(Number(trend.get('height'))).toBeGreaterThan(0);
    // The forecast does not depend on the period: asked for once.
    expect(api.calls.filter((c) => c.path.startsWith('/api/v1/analytics/forecast'))).toHaveLength(1);
    expect(screen.getByTestId('period-week').getAttribute('aria-pressed')).toBe('true');

    for (const [id, period] of [['period-day', 'day'], ['period-year', 'year']] as const) {
      fireEvent.click(screen.getByTestId(id));
      await waitFor(() => expect(query(dashboardCalls(api.calls).at(-1)!).get('period')).toBe(period));
      expect(location.hash).toBe(`#/analytics?period=${period}`);
    }
  });

  it('a reload keeps the period: the address decides what is asked for', async () => {
    const api = renderAnalytics('#/analytics?period=year');
    await screen.findByTestId('kpi-revenue');
    expect(query(dashboardCalls(api.calls)[0]).get('period')).toBe('year');
    expect(screen.getByTestId('analytics-screen').getAttribute('data-period')).toBe('year');
  });

  it('a custom range asks with start_date and end_date and keeps them in the address', async () => {
    const api = renderAnalytics('#/analytics?period=week');
    await screen.findByTestId('kpi-revenue');
    fireEvent.click(screen.getByTestId('period-custom'));
    const form = await screen.findByTestId('analytics-custom');
    // Filled with the range on screen.
    expect((within(form).getByTestId('analytics-start') as HTMLInputElement).value).toBe('2026-12-01');
    fireEvent.input(within(form).getByTestId('analytics-start'), { target: { value: '2026-11-01' } });
    fireEvent.input(within(form).getByTestId('analytics-end'), { target: { value: '2026-11-10' } });
    fireEvent.click(within(form).getByTestId('analytics-apply'));
    await waitFor(() => expect(location.hash).toBe('#/analytics?start_date=2026-11-01&end_date=2026-11-10'));
    await waitFor(() => {
      const last = query(dashboardCalls(api.calls).at(-1)!);
      expect(last.get('start_date')).toBe('2026-11-01');
      expect(last.get('end_date')).toBe('2026-11-10');
      expect(last.get('period')).toBeNull();
    });
    await waitFor(() => expect(query(chartCalls(api.calls, 'service-mix').at(-1)!).get('start_date')).toBe('2026-11-01'));
    expect(screen.getByTestId('period-custom').getAttribute('aria-pressed')).toBe('true');
  });

  it('a reversed range is refused before anything is asked', async () => {
    const api = renderAnalytics('#/analytics?start_date=2026-11-01&end_date=2026-11-10');
    await screen.findByTestId('kpi-revenue');
    const form = screen.getByTestId('analytics-custom');
    expect((within(form).getByTestId('analytics-end') as HTMLInputElement).value).toBe('2026-11-10');
    fireEvent.input(within(form).getByTestId('analytics-start'), { target: { value: '2026-11-20' } });
    const before = dashboardCalls(api.calls).length;
    fireEvent.click(within(form).getByTestId('analytics-apply'));
    expect((await screen.findByTestId('analytics-range-error')).textContent).toBe('시작일이 종료일보다 늦습니다.');
    expect(dashboardCalls(api.calls)).toHaveLength(before);
  });

  it('a growth rate the server could not compute shows its reason, not an arrow', async () => {
    const reason = '이전 기간(2026-12-06 ~ 2026-12-06) 매출이 0원이라 성장률을 계산할 수 없습니다';
    renderAnalytics('#/analytics?period=day', {
      'GET /api/v1/analytics/dashboard': () => ({
        data: dashboard('day', {
          revenue: { ...dashboard().revenue, previous_total: 0, growth_rate: null, unavailable: [{ field: 'growth_rate', reason }] },
          customers: {
            total_active: 16,
            new_customers: 0,
            returning_customers: 0,
            retention_rate: null,
            previous_active: 0,
            unavailable: [{ field: 'retention_rate', reason: '이전 기간에 활동한 고객이 없어 유지율을 계산할 수 없습니다' }],
          },
        }),
      }),
    });
    const growth = await screen.findByTestId('kpi-revenue-growth');
    expect(growth.textContent).toBe(reason);
    expect(growth.getAttribute('data-state')).toBe('unavailable');
    expect(growth.textContent).not.toMatch(/[▲▼]/);
    expect(screen.getByTestId('kpi-retention').textContent).toContain('이전 기간에 활동한 고객이 없어 유지율을 계산할 수 없습니다');
  });

  it('lists a reason for any other missing field too', async () => {
    renderAnalytics('#/analytics', {
      'GET /api/v1/analytics/dashboard': () => ({
        data: dashboard('month', { purchases: { ...dashboard().purchases, average_value: null, unavailable: [{ field: 'average_value', reason: '판매가 없어 평균을 낼 수 없습니다' }] } }),
      }),
    });
    const card = await screen.findByTestId('kpi-purchases');
    expect(card.textContent).toContain('판매가 없어 평균을 낼 수 없습니다');
  });

  it('puts each chart into the page as cleaned SVG: no scripts, no handlers', async () => {
    renderAnalytics('#/analytics');
    await allChartsReady();
    const figure = screen.getByTestId('chart-revenue-trend-svg');
    expect(figure.getAttribute('role')).toBe('img');
    expect(figure.getAttribute('aria-label')).toBe('매출 추이');
    const svgEl = figure.querySelector('svg')!;
    expect(svgEl).toBeTruthy();
    expect(svgEl.getAttribute('viewBox')).toBe('0 0 800 400');
    expect(svgEl.getAttribute('width')).toBeNull();
    expect(figure.textContent).toContain('매출 추이');
    expect(figure.querySelector('script')).toBeNull();
    expect(figure.innerHTML).not.toContain('onclick');
  });

  it('the period’s charts wait for the KPI figures, each with its own loading state', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const api = renderAnalytics('#/analytics', {
      'GET /api/v1/analytics/dashboard': async () => {
        await gate;
        return { data: dashboard() };
      },
    });
    await screen.findByTestId('analytics-kpis-loading');
    for (const name of ['revenue-trend', 'service-mix', 'visit-heatmap']) {
      expect(screen.getByTestId(`chart-${name}-loading`).textContent).toContain('차트를 불러오는 중…');
    }
    await new Promise((r) => setTimeout(r, 20));
    expect(chartCalls(api.calls, 'revenue-trend')).toHaveLength(0);
    release();
    await screen.findByTestId('kpi-revenue');
    await allChartsReady();
  });

  it('a chart that fails says why in its own place; the rest of the page is shown', async () => {
    let fail = true;
    const api = renderAnalytics('#/analytics', {
      'GET /api/v1/charts/visit-heatmap': () =>
        fail ? { status: 429, error: { code: 'RATE_LIMIT_EXCEEDED', message: 'rate limited' } } : { raw: svg('요일·시간대별 방문') },
    });
    const error = await screen.findByTestId('chart-visit-heatmap-error');
    expect(error.textContent).toContain('요청이 너무 많습니다');
    expect(screen.getByTestId('kpi-revenue-value').textContent).toBe('₩35,120,000');
    await waitFor(() => expect(screen.getByTestId('chart-revenue-trend').getAttribute('data-state')).toBe('ready'));
    expect(screen.getByTestId('chart-visit-heatmap').querySelector('svg')).toBeNull();
    // 다시 시도 asks again, for that chart alone.
    fail = false;
    fireEvent.click(within(error).getByText('다시 시도'));
    await waitFor(() => expect(screen.getByTestId('chart-visit-heatmap').getAttribute('data-state')).toBe('ready'));
    expect(chartCalls(api.calls, 'visit-heatmap')).toHaveLength(2);
    expect(chartCalls(api.calls, 'revenue-trend')).toHaveLength(1);
  });

  it('the services table ranks by revenue with visits and share of visits', async () => {
    renderAnalytics('#/analytics');
    await screen.findByTestId('kpi-revenue');
    const rows = await screen.findAllByTestId('analytics-service-row');
    expect(rows.map((r) => r.getAttribute('data-service'))).toEqual(['lymph', 'brain']);
    expect(rows[0].textContent).toContain('림프 순환');
    expect(rows[0].textContent).toContain('22회');
    expect(rows[0].textContent).toContain('₩700,000');
    expect(rows[0].textContent).toContain('20.8%');
  });

  it('the forecast: expected total, the insights, and the accuracy check said plainly', async () => {
    renderAnalytics('#/analytics');
    const panel = await screen.findByTestId('analytics-forecast');
    await waitFor(() => expect(within(panel).getByTestId('forecast-total').textContent).toContain('₩35,432,325'));
    expect(within(panel).getAllByTestId('forecast-insight').map((x) => x.textContent)).toEqual([
      '뚜렷한 추세 없이 보합세입니다 (주당 변화 -0.0%).',
      '주말(토·일) 일평균은 평일보다 42.2% 적습니다.',
    ]);
    expect(within(panel).getByTestId('forecast-accuracy-verdict').textContent).toContain('지난주 같은 요일 예측보다 정확함');
    expect(within(panel).getByTestId('forecast-mae-model').textContent).toBe('₩874,125');
    expect(within(panel).getByTestId('forecast-mae-baseline').textContent).toBe('₩1,547,143');
  });

  it('says so when the forecast is not more accurate than last week’s same weekday', async () => {
    renderAnalytics('#/analytics', {
      'GET /api/v1/analytics/forecast': () => ({ data: forecast('revenue', { accuracy: { ...forecast().accuracy!, beats_baseline: false } }) }),
    });
    const verdict = await screen.findByTestId('forecast-accuracy-verdict');
    expect(verdict.textContent).toContain('지난주 같은 요일 예측보다 정확하지 않음');
    expect(screen.getByTestId('forecast-accuracy').getAttribute('data-beats')).toBe('false');
  });

  it('shows accuracy_unavailable when there is no accuracy check', async () => {
    const why = '정확도 점검에는 최근 28일을 떼고도 16일이 남아야 합니다 (지금 30일)';
    renderAnalytics('#/analytics', {
      'GET /api/v1/analytics/forecast': () => ({ data: forecast('revenue', { accuracy: null, accuracy_unavailable: why }) }),
    });
    expect((await screen.findByTestId('forecast-accuracy-unavailable')).textContent).toContain(why);
    expect(screen.queryByTestId('forecast-accuracy-verdict')).toBeNull();
  });

  it('INSUFFICIENT_DATA: the forecast shows the API’s message, not a broken chart', async () => {
    const message = '예측에는 기록된 날이 16일 이상 필요합니다 (지금 3일)';
    const insufficient = () => ({ status: 400, error: { code: 'INSUFFICIENT_DATA', message, details: { days: 3, needed: 16 } } });
    renderAnalytics('#/analytics', { 'GET /api/v1/analytics/forecast': insufficient, 'GET /api/v1/charts/forecast': insufficient });
    const error = await screen.findByTestId('forecast-error');
    expect(error.textContent).toBe(message);
    const panel = screen.getByTestId('analytics-forecast');
    expect(panel.querySelector('svg')).toBeNull();
    expect(panel.querySelector('img')).toBeNull();
    expect(within(panel).queryByTestId('chart-forecast')).toBeNull();
    // The rest of the dashboard is unaffected.
    await waitFor(() => expect(screen.getByTestId('chart-revenue-trend').getAttribute('data-state')).toBe('ready'));
  });

  it('the forecast chart alone failing shows the API’s message in its place', async () => {
    const message = '예측에는 기록된 날이 16일 이상 필요합니다 (지금 3일)';
    renderAnalytics('#/analytics', { 'GET /api/v1/charts/forecast': () => ({ status: 400, error: { code: 'INSUFFICIENT_DATA', message } }) });
    expect((await screen.findByTestId('chart-forecast-error')).textContent).toContain(message);
  });

  it('매출/방문 switches the forecast, keeps the choice in the address, and asks once per metric', async () => {
    const api = renderAnalytics('#/analytics?period=week');
    await screen.findByTestId('forecast-total');
    fireEvent.click(screen.getByTestId('forecast-metric-visits'));
    await waitFor(() => expect(screen.getByTestId('forecast-total').textContent).toContain('381회'));
    expect(location.hash).toBe('#/analytics?period=week&metric=visits');
    expect(screen.getByTestId('forecast-mae-model').textContent).toBe('3.9회');
    await waitFor(() => expect(chartCalls(api.calls, 'forecast').map((c) => query(c).get('metric'))).toEqual(['revenue', 'visits']));
    expect(query(chartCalls(api.calls, 'forecast')[1]).get('days')).toBe('30');
    fireEvent.click(screen.getByTestId('forecast-metric-revenue'));
    await waitFor(() => expect(screen.getByTestId('forecast-total').textContent).toContain('₩35,432,325'));
    expect(location.hash).toBe('#/analytics?period=week');
    await waitFor(() => expect(screen.getByTestId('chart-forecast').getAttribute('data-state')).toBe('ready'));
    expect(api.calls.filter((c) => c.path.startsWith('/api/v1/analytics/forecast'))).toHaveLength(2);
    expect(chartCalls(api.calls, 'forecast')).toHaveLength(2);
  });

  it('the dashboard failing shows the error with a retry', async () => {
    let fail = true;
    renderAnalytics('#/analytics?start_date=2026-11-10&end_date=2026-11-01', {
      'GET /api/v1/analytics/dashboard': () =>
        fail
          ? { status: 422, error: { code: 'VALIDATION_ERROR', message: '시작일(2026-11-10)이 종료일(2026-11-01)보다 늦습니다', field: 'start_date' } }
          : { data: dashboard() },
    });
    const error = await screen.findByTestId('analytics-error');
    expect(error.textContent).toContain('시작일(2026-11-10)이 종료일(2026-11-01)보다 늦습니다');
    fail = false;
    fireEvent.click(within(error).getByText('다시 시도'));
    await screen.findByTestId('kpi-revenue');
  });

  it('prints the page from its button', async () => {
    // happy-dom has no window.print.
    const print = vi.fn();
    window.print = print;
    renderAnalytics('#/analytics');
    await screen.findByTestId('kpi-revenue');
    await waitFor(() => expect((screen.getByTestId('analytics-print') as HTMLButtonElement).disabled).toBe(false));
    fireEvent.click(screen.getByTestId('analytics-print'));
    expect(print).toHaveBeenCalledTimes(1);
    expect(screen.getByTestId('analytics-screen').className).toContain('print-target');
  });

  it('staff and doctors are told it is not for them, and nothing is asked', async () => {
    for (const role of ['staff', 'doctor'] as const) {
      const api = renderAnalytics('#/analytics', {}, role);
      expect(screen.getByTestId('analytics-forbidden').textContent).toBe('매니저와 관리자만 볼 수 있는 화면입니다.');
      await new Promise((r) => setTimeout(r, 10));
      expect(api.calls).toHaveLength(0);
      cleanup();
    }
  });

  it('a refusal from the server shows the same message', async () => {
    renderAnalytics('#/analytics', { 'GET /api/v1/analytics/dashboard': () => ({ status: 403, error: { code: 'FORBIDDEN_ROLE', message: 'x' } }) });
    expect((await screen.findByTestId('analytics-forbidden')).textContent).toBe('매니저와 관리자만 볼 수 있는 화면입니다.');
  });
});

describe('경영 분석 in the sidebar', () => {
  async function loginAs(role: Role) {
    const api = setupApi({
      'POST /api/v1/auth/login': () => ({
        data: { access_token: 'token-a', refresh_token: 'r', token_type: 'Bearer', expires_in: 900, user: { id: `u-${role}`, username: role, display_name: role, role } },
      }),
      'GET /api/v1/services': () => ({ data: { services: [] } }),
      'GET /api/v1/today': () => ({ status: 500, error: { code: 'INTERNAL_ERROR', message: 'x' } }),
      ...routes(),
    });
    location.hash = '';
    render(<App />);
    fireEvent.input(await screen.findByTestId('login-username'), { target: { value: role } });
    fireEvent.input(screen.getByTestId('login-password'), { target: { value: 'x' } });
    fireEvent.click(screen.getByTestId('login-submit'));
    await screen.findByTestId('today-screen');
    return api;
  }

  it('staff and doctors have no entry; the address shows the no-permission message', async () => {
    for (const role of ['staff', 'doctor'] as const) {
      const api = await loginAs(role);
      expect(screen.queryByTestId('nav-analytics')).toBeNull();
      location.hash = '#/analytics?period=week';
      await waitFor(() => {
        window.dispatchEvent(new HashChangeEvent('hashchange'));
        expect(screen.getByTestId('analytics-forbidden')).toBeTruthy();
      });
      expect(api.calls.filter((c) => c.path.includes('/analytics/') || c.path.includes('/charts/'))).toHaveLength(0);
      cleanup();
    }
  });

  it('managers and administrators have the entry; it opens the dashboard, charts asked with the token', async () => {
    for (const role of ['manager', 'admin'] as const) {
      const api = await loginAs(role);
      const entry = screen.getByTestId('nav-analytics');
      expect(entry.textContent).toBe('경영 분석');
      expect(entry.getAttribute('href')).toBe('#/analytics');
      location.hash = '#/analytics';
      await waitFor(() => {
        window.dispatchEvent(new HashChangeEvent('hashchange'));
        expect(screen.getByTestId('kpi-revenue')).toBeTruthy();
      });
      expect(screen.getByTestId('nav-analytics').className).toContain('active');
      await allChartsReady();
      for (const c of chartCalls(api.calls)) expect(c.headers.Authorization).toBe('Bearer token-a');
      cleanup();
    }
  });
});
