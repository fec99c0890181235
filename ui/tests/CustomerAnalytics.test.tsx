import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/preact';
import { afterEach, describe, expect, it } from 'vitest';
import { useRoute } from '../src/router';
import { CustomerDetailScreen } from '../src/screens/CustomerDetail';
import type { Role } from '../src/types';
import { analytics90, behavior, segment } from './customerAnalyticsFixtures';
import { setupApi, WithUser, type Call, type Handler } from './helpers';

afterEach(() => {
  cleanup();
  location.hash = '';
});

const customer = {
  id: 'c-1', customer_id: 'c-1', name: '지옥주', phone: '010-2165-0606', membership_level: 'basic', customer_status: 'active', risk_level: 'stable',
  first_visit_date: '2025-03-24', last_visit_date: '2026-12-03', total_visits: 95, average_visit_interval: 7, total_revenue: 6110000, average_satisfaction: 4.1,
  preferred_services: ['brain'], preferred_time_slots: [],
};

const detail = { customer, serviceHistory: [], activePackages: [], preferences: null };

const query = (c: Call) => new URLSearchParams(c.path.split('?')[1] ?? '');
const analyticsCalls = (calls: Call[]) => calls.filter((c) => c.path.startsWith('/api/v1/customers/c-1/analytics'));
const insightCalls = (calls: Call[]) =>
  calls.filter((c) => c.path.includes('/analytics') || c.path.includes('/segments/') || c.path.includes('/recommendations') || c.path.includes('/behavior'));

function routes(over: Record<string, Handler> = {}): Record<string, Handler> {
  return {
    'GET /api/v1/customers/c-1/detail': () => ({ data: detail }),
    'GET /api/v1/customers/c-1/interactions': () => ({ data: { customer_id: 'c-1', interactions: [] } }),
    'GET /api/v1/customers/c-1/allergy-alert': () => ({ data: null }),
    'GET /api/v1/services': () => ({ data: { services: [] } }),
    'GET /api/v1/customers/c-1/analytics': (c) => ({ data: { ...analytics90, period: query(c).get('period') ?? '90d' } }),
    'GET /api/v1/analytics/customers/c-1/behavior': () => ({ data: behavior }),
    'GET /api/v1/customers/segments/c-1': () => ({ data: segment }),
    ...over,
  };
}

/** The detail screen as the app shows it: its tab from the address. */
function Routed() {
  const route = useRoute();
  return route.name === 'detail' ? <CustomerDetailScreen id={route.id} tab={route.tab} /> : null;
}

function renderTab(hash = '#/customers/c-1?tab=analytics', over: Record<string, Handler> = {}, role: Role = 'manager') {
  const api = setupApi(routes(over));
  location.hash = hash;
  render(
    <WithUser role={role}>
      <Routed />
    </WithUser>,
  );
  return api;
}

const reasonOf = (list: { field: string; reason: string }[], field: string) => list.find((u) => u.field === field)!.reason;

describe('고객 분석 tab', () => {
  it('managers and administrators see 기본 정보 · 분석 · 추천; the tab is kept in the address', async () => {
    for (const role of ['manager', 'admin'] as const) {
      renderTab('#/customers/c-1', {}, role);
      const tabs = await screen.findByTestId('detail-tabs');
      expect(within(tabs).getAllByRole('tab').map((t) => t.textContent)).toEqual(['기본 정보', '분석', '추천']);
      expect(screen.getByTestId('detail-tab-overview').getAttribute('aria-selected')).toBe('true');
      fireEvent.click(screen.getByTestId('detail-tab-analytics'));
      await waitFor(() => expect(location.hash).toBe('#/customers/c-1?tab=analytics'));
      expect(await screen.findByTestId('customer-analytics')).toBeTruthy();
      expect(screen.getByTestId('customer-detail').getAttribute('data-tab')).toBe('analytics');
      expect(screen.getByTestId('customer-detail').className).toContain('print-target');
      cleanup();
    }
  });

  it('staff and doctors have no tabs, and an address naming one shows the overview and asks nothing', async () => {
    for (const role of ['staff', 'doctor'] as const) {
      const api = renderTab('#/customers/c-1?tab=analytics', {}, role);
      await screen.findByTestId('customer-name');
      expect(screen.queryByTestId('detail-tabs')).toBeNull();
      expect(screen.queryByTestId('customer-analytics')).toBeNull();
      expect(screen.getByTestId('customer-detail').getAttribute('data-tab')).toBe('overview');
      await new Promise((r) => setTimeout(r, 20));
      expect(insightCalls(api.calls)).toHaveLength(0);
      cleanup();
    }
  });

  it('shows each panel loading on its own, then the figures', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    renderTab('#/customers/c-1?tab=analytics', {
      'GET /api/v1/analytics/customers/c-1/behavior': async () => {
        await gate;
        return { data: behavior };
      },
    });
    // The behaviour is still on its way: its panel shows it loads, the others show their figures.
    const panel = await screen.findByTestId('ca-behavior');
    expect(panel.getAttribute('data-state')).toBe('loading');
    expect(within(panel).getByTestId('panel-loading')).toBeTruthy();
    await waitFor(() => expect(screen.getByTestId('ca-risk').getAttribute('data-state')).toBe('ready'));
    expect(screen.getByTestId('ca-avg-interval').textContent).toBe('7.0일');
    release();
    await waitFor(() => expect(screen.getByTestId('ca-behavior').getAttribute('data-state')).toBe('ready'));
    expect(screen.getByTestId('ca-behavior-score').textContent).toContain('91.1');
  });

  it('the period’s visit pattern, service usage, revenue and risk, as the API answers them', async () => {
    renderTab();
    await waitFor(() => expect(screen.getByTestId('ca-visit-pattern').getAttribute('data-state')).toBe('ready'));
    expect(screen.getByTestId('ca-range').textContent).toContain('2026-09-09 ~ 2026-12-07');
    expect(screen.getByTestId('ca-frequency').textContent).toBe('주 1회');
    expect(screen.getByTestId('ca-consistency').textContent).toBe('80점');
    expect(screen.getByTestId('ca-visits-in-period').textContent).toBe('18회 (방문일 10일)');
    expect(screen.getByTestId('ca-preferred-days').textContent).toBe('화요일, 목요일');
    // Slots in Korean, from the distribution's labels.
    expect(screen.getByTestId('ca-preferred-times').textContent).toBe('12시~14시, 10시~12시');
    const weekdays = screen.getByTestId('ca-weekdays');
    expect(within(weekdays).getAllByRole('listitem').map((c) => c.getAttribute('data-value'))).toEqual(['4', '8', '1', '5', '0', '0', '0']);

    const rows = screen.getAllByTestId('ca-usage-row');
    expect(rows.map((r) => r.getAttribute('data-service'))).toEqual(['brain', 'red', 'pulse', 'lymph', 'ai_bike']);
    expect(rows[0].textContent).toContain('브레인 피드백');
    expect(rows[0].textContent).toContain('38.9%');
    expect(rows[0].textContent).toContain('▲ 16.7%');
    expect(rows[3].textContent).toContain('▼ 100.0%');
    expect(screen.getByTestId('ca-service-usage').textContent).toContain('가장 많이 이용: 브레인 피드백');

    expect(screen.getByTestId('ca-period-revenue').textContent).toContain('₩1,240,000');
    expect(screen.getByTestId('ca-lifetime').textContent).toBe('₩6,110,000');
    expect(screen.getByTestId('ca-percentile').textContent).toContain('상위 5%');
    expect(screen.getByTestId('ca-percentile').textContent).toContain('전체 고객 300명 중');
    expect(screen.getByTestId('ca-ltv').textContent).toBe('₩23,763,320');

    expect(screen.getByTestId('ca-churn').textContent).toContain('낮음');
    expect(screen.getByTestId('ca-churn').textContent).toContain('1%');
    expect(screen.getByTestId('ca-retention').textContent).toBe('96점');
    expect(screen.getByTestId('ca-no-risk-factors').textContent).toBe('눈에 띄는 위험 요인이 없습니다.');
    expect(screen.getByTestId('ca-next-action').textContent).toContain('패키지 포함 서비스 이용 안내');
  });

  it('switching the period asks for it and keeps each answer', async () => {
    const api = renderTab();
    await waitFor(() => expect(screen.getByTestId('ca-visit-pattern').getAttribute('data-state')).toBe('ready'));
    fireEvent.click(screen.getByTestId('ca-period-30d'));
    await waitFor(() => expect(analyticsCalls(api.calls).map((c) => query(c).get('period'))).toEqual(['90d', '30d']));
    expect(screen.getByTestId('ca-period-30d').getAttribute('aria-pressed')).toBe('true');
    fireEvent.click(screen.getByTestId('ca-period-90d'));
    await waitFor(() => expect(screen.getByTestId('customer-analytics').getAttribute('data-period')).toBe('90d'));
    await new Promise((r) => setTimeout(r, 20));
    expect(analyticsCalls(api.calls)).toHaveLength(2);
    // The behaviour and the segment do not depend on the period: asked once.
    expect(api.calls.filter((c) => c.path.includes('/behavior'))).toHaveLength(1);
    expect(api.calls.filter((c) => c.path.includes('/segments/'))).toHaveLength(1);
  });

  it('a figure the server cannot compute shows its reason, never a 0', async () => {
    const why = '기간 내 방문일이 2일 미만이라 방문 간격을 계산할 수 없습니다 (방문일 0일)';
    const noModel = '이탈 예측 모델이 로드되지 않아 예측값이 없습니다';
    const ltvWhy = '이탈 예측 모델이 로드되지 않아 예측값이 없습니다: 예상 잔존 기간을 알 수 없어 누적 매출(lifetime_revenue)만 제공합니다';
    renderTab('#/customers/c-1?tab=analytics', {
      'GET /api/v1/customers/c-1/analytics': () => ({
        data: {
          ...analytics90,
          visitPattern: {
            ...analytics90.visitPattern,
            average_interval_days: null,
            visit_frequency: null,
            visit_frequency_label: null,
            consistency_score: null,
            unavailable: [
              { field: 'average_interval_days', reason: why },
              { field: 'visit_frequency', reason: why },
              { field: 'consistency_score', reason: '기간 내 방문일이 3일 미만이라 규칙성을 계산할 수 없습니다 (방문일 0일)' },
            ],
          },
          revenueContribution: { ...analytics90.revenueContribution, ltv_estimate: null, unavailable: [{ field: 'ltv_estimate', reason: ltvWhy }] },
          riskAssessment: {
            ...analytics90.riskAssessment,
            churn_risk: null,
            churn_risk_label: null,
            churn_probability: null,
            churn_model: { status: 'not_loaded', model_version: null, horizon_days: null },
            unavailable: [
              { field: 'churn_risk', reason: noModel },
              { field: 'churn_probability', reason: noModel },
            ],
          },
        },
      }),
      'GET /api/v1/analytics/customers/c-1/behavior': () => ({
        data: {
          ...behavior,
          behavior_score: null,
          churn_prediction: { risk_level: null, risk_label: null, probability: null, last_activity_days: 4, model: { status: 'not_loaded', model_version: null, horizon_days: null } },
          unavailable: [
            { field: 'behavior_score', reason: '방문 기록이 없어 행동 점수를 낼 수 없습니다' },
            { field: 'churn_prediction.probability', reason: noModel },
          ],
        },
      }),
    });
    const interval = await screen.findByTestId('ca-avg-interval-reason');
    expect(interval.textContent).toBe(why);
    expect(screen.getByTestId('ca-avg-interval').textContent).not.toMatch(/\d+일$/);
    expect(screen.getByTestId('ca-frequency').textContent).toBe(why);
    expect(screen.getByTestId('ca-consistency').textContent).toContain('규칙성을 계산할 수 없습니다');
    // The field name the reason quotes is left out: the Korean before it says the same.
    expect(screen.getByTestId('ca-ltv-reason').textContent).toBe('이탈 예측 모델이 로드되지 않아 예측값이 없습니다: 예상 잔존 기간을 알 수 없어 누적 매출만 제공합니다');
    expect(ltvWhy).toContain('(lifetime_revenue)');
    expect(screen.getByTestId('ca-ltv').textContent).not.toContain('₩0');
    expect(screen.getByTestId('ca-churn-reason').textContent).toBe(noModel);
    expect(screen.getByTestId('ca-churn').textContent).not.toContain('%');
    await waitFor(() => expect(screen.getByTestId('ca-behavior').getAttribute('data-state')).toBe('ready'));
    expect(screen.getByTestId('ca-behavior-score').textContent).toContain('방문 기록이 없어 행동 점수를 낼 수 없습니다');
    expect(screen.getByTestId('ca-churn-prediction-reason').textContent).toBe(noModel);
  });

  it('INSUFFICIENT_DATA: the API’s message in place of the period’s panels; behaviour and segment still show', async () => {
    const message = '방문이 2회 미만이라 분석할 수 없습니다 (현재 0회)';
    renderTab('#/customers/c-1?tab=analytics', {
      'GET /api/v1/customers/c-1/analytics': () => ({
        status: 400,
        error: { code: 'INSUFFICIENT_DATA', message, details: { rule: '전체 방문 2회 이상, 그리고 첫 기록부터 14일 이상', visits: 0 } },
      }),
    });
    const box = await screen.findByTestId('ca-insufficient');
    expect(box.textContent).toContain('분석할 기록이 부족합니다.');
    expect(screen.getByTestId('ca-insufficient-message').textContent).toBe(message);
    expect(box.textContent).toContain('전체 방문 2회 이상');
    expect(screen.queryByTestId('ca-visit-pattern')).toBeNull();
    await waitFor(() => expect(screen.getByTestId('ca-behavior').getAttribute('data-state')).toBe('ready'));
    await waitFor(() => expect(screen.getByTestId('ca-segment').getAttribute('data-state')).toBe('ready'));
  });

  it('the 422 status of INSUFFICIENT_DATA reads the same', async () => {
    renderTab('#/customers/c-1?tab=analytics', {
      'GET /api/v1/customers/c-1/analytics': () => ({ status: 422, error: { code: 'INSUFFICIENT_DATA', message: '첫 기록 후 14일이 지나야 분석할 수 있습니다' } }),
    });
    expect((await screen.findByTestId('ca-insufficient-message')).textContent).toBe('첫 기록 후 14일이 지나야 분석할 수 있습니다');
  });

  it('one failing panel does not blank the others, and retries on its own', async () => {
    let fail = true;
    const api = renderTab('#/customers/c-1?tab=analytics', {
      'GET /api/v1/analytics/customers/c-1/behavior': () => (fail ? { status: 500, error: { code: 'INTERNAL_ERROR', message: 'x' } } : { data: behavior }),
    });
    const error = await screen.findByTestId('ca-behavior-error');
    expect(error.textContent).toContain('서버 오류가 발생했습니다');
    await waitFor(() => expect(screen.getByTestId('ca-segment').getAttribute('data-state')).toBe('ready'));
    expect(screen.getByTestId('ca-risk').getAttribute('data-state')).toBe('ready');
    fail = false;
    fireEvent.click(within(error).getByText('다시 시도'));
    await waitFor(() => expect(screen.getByTestId('ca-behavior').getAttribute('data-state')).toBe('ready'));
    expect(api.calls.filter((c) => c.path.includes('/behavior'))).toHaveLength(2);
    expect(analyticsCalls(api.calls)).toHaveLength(1);
  });

  it('a 403 from the server says the figures are for managers, without a retry', async () => {
    const refused = () => ({ status: 403, error: { code: 'FORBIDDEN_ROLE', message: 'x' } });
    renderTab('#/customers/c-1?tab=analytics', {
      'GET /api/v1/customers/c-1/analytics': refused,
      'GET /api/v1/analytics/customers/c-1/behavior': refused,
      'GET /api/v1/customers/segments/c-1': refused,
    });
    const box = await screen.findByTestId('ca-forbidden');
    expect(box.textContent).toContain('고객 분석은 매니저와 관리자만 볼 수 있습니다.');
    expect(within(box).queryByText('다시 시도')).toBeNull();
    expect((await screen.findByTestId('ca-behavior-error')).textContent).toContain('매니저와 관리자만');
    expect((await screen.findByTestId('ca-segment-error')).textContent).toContain('매니저와 관리자만');
  });

  it('a customer that is not there (404) says so in each panel', async () => {
    const missing = () => ({ status: 404, error: { code: 'CUSTOMER_NOT_FOUND', message: 'x' } });
    renderTab('#/customers/c-1?tab=analytics', { 'GET /api/v1/customers/c-1/analytics': missing, 'GET /api/v1/analytics/customers/c-1/behavior': missing });
    expect((await screen.findByTestId('ca-error')).textContent).toContain('고객을 찾을 수 없습니다.');
    expect((await screen.findByTestId('ca-behavior-error')).textContent).toContain('고객을 찾을 수 없습니다.');
  });

  it('a period the server refuses (422) shows its message', async () => {
    renderTab('#/customers/c-1?tab=analytics', {
      'GET /api/v1/customers/c-1/analytics': () => ({ status: 422, error: { code: 'VALIDATION_ERROR', message: 'period 값은 다음 중 하나여야 합니다: 30d, 90d, 180d, 1y', field: 'period' } }),
    });
    expect((await screen.findByTestId('ca-error')).textContent).toContain('period 값은 다음 중 하나여야 합니다');
  });
});

describe('고객 세그먼트 panel', () => {
  it('the segment, its tags and characteristics, and the comparison with peers and everyone', async () => {
    renderTab();
    await waitFor(() => expect(screen.getByTestId('ca-segment').getAttribute('data-state')).toBe('ready'));
    expect(screen.getByTestId('ca-segment-name').textContent).toBe('정기 방문 고객');
    expect(screen.getByTestId('ca-segment').textContent).toContain('모델 cm-20261207-145033');
    expect(screen.getByTestId('ca-segment-tags').textContent).toBe('고매출 고객단골 방문 고객최근 활동 고객');
    expect(screen.getByTestId('ca-char-spending_level').textContent).toBe('프리미엄');
    expect(screen.getByTestId('ca-char-loyalty_level').textContent).toBe('강함');
    expect(screen.getByTestId('ca-segment-notes').textContent).toContain('같은 세그먼트 중앙값(29회)보다 많습니다');
    const table = screen.getByTestId('ca-segment-compare');
    expect(table.textContent).toContain('같은 세그먼트 (129명)');
    expect(table.textContent).toContain('전체 고객 (300명)');
    const revenue = screen.getAllByTestId('ca-compare-row').find((r) => r.getAttribute('data-row') === 'revenue')!;
    expect(revenue.getAttribute('data-peer')).toBe('88.4');
    // 88.4th percentile: the top 12 %.
    expect(revenue.textContent).toContain('상위 12%');
    expect(revenue.textContent).toContain('중앙값 ₩2,860,000');
    expect(revenue.textContent).toContain('₩6,110,000');
  });

  it('a percentile the server cannot give shows — and its reason', async () => {
    const why = '평점을 남긴 적이 없어 만족도 백분위를 낼 수 없습니다';
    renderTab('#/customers/c-1?tab=analytics', {
      'GET /api/v1/customers/segments/c-1': () => ({
        data: {
          ...segment,
          peer_comparison: { ...segment.peer_comparison, satisfaction_percentile: null, unavailable: [{ field: 'satisfaction_percentile', reason: why }] },
          customer_values: { ...segment.customer_values, average_rating: null },
        },
      }),
    });
    await waitFor(() => expect(screen.getByTestId('ca-segment').getAttribute('data-state')).toBe('ready'));
    const rating = screen.getAllByTestId('ca-compare-row').find((r) => r.getAttribute('data-row') === 'rating')!;
    expect(rating.getAttribute('data-peer')).toBe('');
    expect(rating.querySelectorAll('td')[2].textContent).toContain('—');
    expect(screen.getByTestId('ca-segment-reasons').textContent).toContain(why);
  });

  it('MODEL_NOT_READY (503): says no model is trained and points to the retraining', async () => {
    renderTab('#/customers/c-1?tab=analytics', {
      'GET /api/v1/customers/segments/c-1': () => ({ status: 503, error: { code: 'MODEL_NOT_READY', message: '고객 분석 모델이 아직 없습니다' } }),
    });
    const box = await screen.findByTestId('ca-segment-not-ready');
    expect(box.textContent).toContain('학습된 고객 모델이 아직 없어 세그먼트를 알 수 없습니다.');
    expect(screen.getByTestId('ca-segment-train-link').getAttribute('href')).toBe('#/analytics?section=segments');
    // The other panels are unaffected.
    await waitFor(() => expect(screen.getByTestId('ca-risk').getAttribute('data-state')).toBe('ready'));
  });
});

describe('행동 분석 panel', () => {
  it('the score with its parts, purchases, favourites, engagement, churn and next actions', async () => {
    renderTab();
    await waitFor(() => expect(screen.getByTestId('ca-behavior').getAttribute('data-state')).toBe('ready'));
    expect(screen.getByTestId('ca-behavior-score').getAttribute('data-value')).toBe('91.1');
    expect(screen.getByTestId('ca-part-recency').textContent).toContain('96%');
    expect(screen.getByTestId('ca-part-monetary').textContent).toContain('95%');
    expect(screen.getByTestId('ca-purchases').textContent).toBe('방문 95회 · 패키지 6건');
    expect(screen.getByTestId('ca-total-spent').textContent).toContain('₩6,110,000');
    const favourites = within(screen.getByTestId('ca-favorites')).getAllByRole('listitem');
    expect(favourites.map((f) => f.getAttribute('data-service'))).toEqual(['brain', 'red', 'pulse']);
    expect(favourites[0].textContent).toContain('46회 (48.4%)');
    expect(screen.getByTestId('ca-engagement').textContent).toContain('90.9% (60건)');
    const churn = screen.getByTestId('ca-churn-prediction');
    expect(churn.textContent).toContain('낮음');
    // 0.01 → 1 %.
    expect(churn.textContent).toContain('1%');
    expect(churn.textContent).toContain('90일 이내');
    const actions = within(screen.getByTestId('ca-next-best')).getAllByRole('listitem');
    expect(actions[0].getAttribute('data-action')).toBe('use_included_service');
    expect(actions[0].textContent).toContain('보통');
    expect(actions[0].textContent).toContain(reasonOf([{ field: 'x', reason: behavior.next_best_actions[0].reason }], 'x'));
  });
});
