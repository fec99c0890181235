import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/preact';
import { afterEach, describe, expect, it } from 'vitest';
import { kstToday, reportsByDay, selfReportBody, trends, type SelfReportItem } from '../src/logic/selfReports';
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
  preferred_services: ['brain'], preferred_time_slots: [], consent: { privacy: true, marketing: false, health_data: true },
};

let seq = 0;
function item(reported_on: string, metric: string, value: number, created_at = `${reported_on}T01:00:00Z`): SelfReportItem {
  const labels: Record<string, string> = { stress_level: '스트레스', sleep_quality: '수면의 질', focus_level: '집중력', pain_level: '통증', fatigue_level: '피로도' };
  return { id: `sr-${++seq}`, reported_on, metric, label: labels[metric] ?? null, value, recorded_by: 'doctor', created_at };
}

// Oldest first, as the API lists them: three days; stress recorded twice on 11-20 (the later, 6, counts).
const reports = [
  item('2026-11-01', 'stress_level', 8),
  item('2026-11-01', 'sleep_quality', 4),
  item('2026-11-01', 'pain_level', 6),
  item('2026-11-20', 'stress_level', 7, '2026-11-20T01:00:00Z'),
  item('2026-11-20', 'stress_level', 6, '2026-11-20T02:00:00Z'),
  item('2026-11-20', 'focus_level', 5),
  item('2026-12-05', 'stress_level', 4),
  item('2026-12-05', 'sleep_quality', 7),
  item('2026-12-05', 'pain_level', 6),
];

const selfReportCalls = (calls: Call[]) => calls.filter((c) => c.path.startsWith('/api/v1/customers/c-1/self-reports'));

function routes(over: Record<string, Handler> = {}, c: Record<string, unknown> = customer): Record<string, Handler> {
  return {
    'GET /api/v1/customers/c-1/detail': () => ({ data: { customer: c, serviceHistory: [], activePackages: [], preferences: null } }),
    'GET /api/v1/customers/c-1/interactions': () => ({ data: { customer_id: 'c-1', interactions: [] } }),
    'GET /api/v1/customers/c-1/allergy-alert': () => ({ data: null }),
    'GET /api/v1/services': () => ({ data: { services: [] } }),
    'GET /api/v1/customers/c-1/self-reports': () => ({ data: { customer_id: 'c-1', items: reports } }),
    'GET /api/v1/customers/c-1/analytics': () => ({ data: analytics90 }),
    'GET /api/v1/analytics/customers/c-1/behavior': () => ({ data: behavior }),
    'GET /api/v1/customers/segments/c-1': () => ({ data: segment }),
    ...over,
  };
}

function Routed() {
  const route = useRoute();
  return route.name === 'detail' ? <CustomerDetailScreen id={route.id} tab={route.tab} /> : null;
}

function renderDetail(role: Role = 'doctor', over: Record<string, Handler> = {}, c: Record<string, unknown> = customer, hash = '#/customers/c-1') {
  const api = setupApi(routes(over, c));
  location.hash = hash;
  render(
    <WithUser role={role}>
      <Routed />
    </WithUser>,
  );
  return api;
}

const ready = async () => waitFor(() => expect(['ready', 'empty']).toContain(screen.getByTestId('self-reports').getAttribute('data-state')));
const typeInto = (testid: string, value: string) => fireEvent.input(screen.getByTestId(testid), { target: { value } });

describe('self-reports logic', () => {
  it('groups by day, newest first; a metric recorded twice on a day counts with its later value', () => {
    const days = reportsByDay(reports);
    expect(days.map((d) => d.date)).toEqual(['2026-12-05', '2026-11-20', '2026-11-01']);
    expect(days[1].values.stress_level?.value).toBe(6);
    expect(days[1].replaced).toBe(1);
    expect(days[1].values.sleep_quality).toBeUndefined();
    // An unknown metric (a newer build's) is left out.
    expect(reportsByDay([item('2026-12-01', 'mood', 3)])).toEqual([]);
  });

  it('first against latest, with the direction that is better for each metric', () => {
    const c = trends(reportsByDay(reports));
    expect(c.stress_level).toMatchObject({ before: 8, after: 4, direction: 'improved', firstDate: '2026-11-01', latestDate: '2026-12-05' });
    expect(c.sleep_quality).toMatchObject({ before: 4, after: 7, direction: 'improved' });
    expect(c.pain_level).toMatchObject({ before: 6, after: 6, direction: 'unchanged' });
    // One day only: nothing to compare.
    expect(c.focus_level).toBeUndefined();
    expect(trends(reportsByDay([item('2026-11-01', 'fatigue_level', 3), item('2026-11-02', 'fatigue_level', 5)])).fatigue_level?.direction).toBe('worsened');
    expect(trends(reportsByDay([item('2026-11-01', 'focus_level', 6), item('2026-11-02', 'focus_level', 4)])).focus_level?.direction).toBe('worsened');
  });

  it('the body: the date and only the metrics given; text that is no number is told apart', () => {
    expect(selfReportBody('2026-12-01', { stress_level: ' 4 ', focus_level: '', pain_level: '11' })).toEqual({ body: { reported_on: '2026-12-01', values: { stress_level: 4, pain_level: 11 } }, notNumbers: [] });
    expect(selfReportBody('', { sleep_quality: '7' }).body).toEqual({ values: { sleep_quality: 7 } });
    expect(selfReportBody('2026-12-01', { stress_level: '많이' }).notNumbers).toEqual(['stress_level']);
  });

  it('today is the clinic’s day (KST)', () => {
    // 2026-12-07 16:30 UTC is already 12-08 in Seoul.
    expect(kstToday(Date.UTC(2026, 11, 7, 16, 30))).toBe('2026-12-08');
    expect(kstToday(Date.UTC(2026, 11, 7, 14, 59))).toBe('2026-12-07');
  });
});

describe('건강 자가 보고 panel', () => {
  it('is not there for staff and managers, who ask nothing for it', async () => {
    for (const role of ['staff', 'manager'] as const) {
      const api = renderDetail(role);
      await screen.findByTestId('history-section');
      await new Promise((r) => setTimeout(r, 20));
      expect(screen.queryByTestId('self-reports')).toBeNull();
      expect(selfReportCalls(api.calls)).toHaveLength(0);
      cleanup();
    }
  });

  it('doctors and administrators see the reports by day, with empty cells for what was not reported', async () => {
    for (const role of ['doctor', 'admin'] as const) {
      renderDetail(role);
      await ready();
      const panel = screen.getByTestId('self-reports');
      expect(within(panel).getByRole('heading', { level: 2 }).textContent).toContain('건강 자가 보고');
      expect(panel.textContent).toContain('3일');
      const head = within(screen.getByTestId('sr-table')).getAllByRole('columnheader').slice(0, 6);
      expect(head.map((h) => h.textContent?.replace(/[↑↓]/g, ''))).toEqual(['날짜', '스트레스', '수면의 질', '집중력', '통증', '피로도']);
      const rows = screen.getAllByTestId('sr-row');
      expect(rows.map((r) => r.getAttribute('data-date'))).toEqual(['2026-12-05', '2026-11-20', '2026-11-01']);
      const cells = (r: HTMLElement) => [...r.querySelectorAll('td')].map((td) => td.textContent);
      expect(cells(rows[0])).toEqual(['2026-12-05', '4', '7', '', '6', '']);
      // Stress recorded twice that day: the later value, and a mark that says so.
      expect(cells(rows[1])).toEqual(['2026-11-20*', '6', '', '5', '', '']);
      expect(rows[1].querySelector('td')!.getAttribute('title')).toContain('나중 값');
      expect(cells(rows[2])).toEqual(['2026-11-01', '8', '4', '', '6', '']);
      expect(screen.getByTestId('sr-direction').textContent).toBe('스트레스·통증·피로도는 낮을수록, 수면의 질·집중력은 높을수록 좋습니다 (1–10).');
      const change = screen.getByTestId('sr-change-row');
      const byMetric = (m: string) => change.querySelector(`td[data-metric="${m}"]`)!;
      expect(byMetric('stress_level').textContent).toBe('8→4개선');
      expect(byMetric('stress_level').getAttribute('data-direction')).toBe('improved');
      expect(byMetric('sleep_quality').textContent).toBe('4→7개선');
      expect(byMetric('pain_level').getAttribute('data-direction')).toBe('unchanged');
      expect(byMetric('focus_level').textContent).toBe('—');
      cleanup();
    }
  });

  it('no reports yet: says so, and the form is there', async () => {
    renderDetail('doctor', { 'GET /api/v1/customers/c-1/self-reports': () => ({ data: { customer_id: 'c-1', items: [] } }) });
    await ready();
    expect(screen.getByTestId('self-reports').getAttribute('data-state')).toBe('empty');
    expect(screen.getByTestId('sr-empty').textContent).toBe('기록된 자가 보고가 없습니다.');
    expect(screen.queryByTestId('sr-table')).toBeNull();
    expect(screen.getByTestId('sr-form').getAttribute('data-disabled')).toBe('false');
  });

  it('the form: today by default, five optional 1–10 fields', async () => {
    renderDetail('doctor');
    await ready();
    const date = screen.getByTestId('sr-date') as HTMLInputElement;
    expect(date.value).toBe(kstToday());
    const form = screen.getByTestId('sr-form');
    expect(form.textContent).toContain('다섯 항목 모두 선택 사항');
    for (const [m, label, better] of [
      ['stress_level', '스트레스', '낮을수록 좋음'],
      ['sleep_quality', '수면의 질', '높을수록 좋음'],
      ['focus_level', '집중력', '높을수록 좋음'],
      ['pain_level', '통증', '낮을수록 좋음'],
      ['fatigue_level', '피로도', '낮을수록 좋음'],
    ]) {
      const input = screen.getByTestId(`sr-input-${m}`) as HTMLInputElement;
      const field = input.closest('.field')!;
      expect(field.querySelector('label')!.textContent).toBe(`${label} (선택)`);
      expect(field.textContent).toContain(better);
      expect(input.placeholder).toBe('1–10');
      expect(input.value).toBe('');
    }
  });

  it('saves what was entered, asks for the list again and confirms', async () => {
    let saved: SelfReportItem[] = [];
    const api = renderDetail('doctor', {
      'GET /api/v1/customers/c-1/self-reports': () => ({ data: { customer_id: 'c-1', items: [...reports, ...saved] } }),
      'POST /api/v1/customers/c-1/self-reports': (c) => {
        saved = Object.entries(c.body.values as Record<string, number>).map(([m, v]) => item(c.body.reported_on, m, v, '2026-12-06T03:00:00Z'));
        return { status: 201, data: { customer_id: 'c-1', reported_on: c.body.reported_on, items: saved } };
      },
    });
    await ready();
    const date = screen.getByTestId('sr-date');
    fireEvent.input(date, { target: { value: '2026-12-06' } });
    fireEvent.blur(date);
    typeInto('sr-input-stress_level', '3');
    typeInto('sr-input-sleep_quality', '8');
    typeInto('sr-input-fatigue_level', ' 5 ');
    fireEvent.click(screen.getByTestId('sr-submit'));
    const confirmation = await screen.findByTestId('sr-saved');
    expect(confirmation.textContent).toBe('2026-12-06 자가 보고를 저장했습니다: 스트레스 3, 수면의 질 8, 피로도 5');
    const post = api.calls.find((c) => c.method === 'POST')!;
    expect(post.path).toBe('/api/v1/customers/c-1/self-reports');
    expect(post.body).toEqual({ reported_on: '2026-12-06', values: { stress_level: 3, sleep_quality: 8, fatigue_level: 5 } });
    await waitFor(() => expect(screen.getAllByTestId('sr-row').map((r) => r.getAttribute('data-date'))).toEqual(['2026-12-06', '2026-12-05', '2026-11-20', '2026-11-01']));
    expect(selfReportCalls(api.calls).filter((c) => c.method === 'GET')).toHaveLength(2);
    // The fields are emptied for the next report; the date stays.
    expect((screen.getByTestId('sr-input-stress_level') as HTMLInputElement).value).toBe('');
    expect((screen.getByTestId('sr-date') as HTMLInputElement).value).toBe('2026-12-06');
  });

  it('nothing entered, or text that is no number: said in place, nothing sent', async () => {
    const api = renderDetail('doctor');
    await ready();
    fireEvent.click(screen.getByTestId('sr-submit'));
    expect((await screen.findByTestId('sr-form-error')).textContent).toBe('하나 이상의 항목에 값을 입력하세요.');
    typeInto('sr-input-pain_level', '많이');
    fireEvent.click(screen.getByTestId('sr-submit'));
    expect((await screen.findByTestId('error-values.pain_level')).textContent).toBe('1–10 사이의 숫자로 입력하세요');
    expect(screen.queryByTestId('sr-form-error')).toBeNull();
    expect(api.calls.filter((c) => c.method === 'POST')).toHaveLength(0);
  });

  it('the server’s field errors show next to their fields; one naming no input above the button', async () => {
    const api = renderDetail('admin', {
      'POST /api/v1/customers/c-1/self-reports': () => ({
        status: 422,
        error: {
          code: 'VALIDATION_ERROR',
          message: '1–10의 정수입니다',
          field: 'values.stress_level',
          details: {
            errors: [
              { field: 'values.stress_level', code: 'VALIDATION_ERROR', message: '1–10의 정수입니다' },
              { field: 'values.focus_level', code: 'VALIDATION_ERROR', message: '1–10의 정수입니다' },
            ],
          },
        },
      }),
    });
    await ready();
    typeInto('sr-input-stress_level', '11');
    typeInto('sr-input-focus_level', '7.5');
    fireEvent.click(screen.getByTestId('sr-submit'));
    expect((await screen.findByTestId('error-values.stress_level')).textContent).toBe('1–10의 정수입니다');
    expect(screen.getByTestId('error-values.focus_level').textContent).toBe('1–10의 정수입니다');
    expect(screen.getByTestId('sr-input-stress_level').closest('.field')!.className).toContain('has-error');
    expect(screen.queryByTestId('error-values.sleep_quality')).toBeNull();
    expect(screen.queryByTestId('sr-saved')).toBeNull();
    expect(api.calls.find((c) => c.method === 'POST')!.body.values).toEqual({ stress_level: 11, focus_level: 7.5 });
    // What was typed stays, to be corrected.
    expect((screen.getByTestId('sr-input-stress_level') as HTMLInputElement).value).toBe('11');
    cleanup();

    renderDetail('doctor', {
      'POST /api/v1/customers/c-1/self-reports': () => ({ status: 422, error: { code: 'VALIDATION_ERROR', message: '앞으로의 날짜는 기록할 수 없습니다', field: 'reported_on' } }),
    });
    await ready();
    typeInto('sr-input-stress_level', '5');
    fireEvent.click(screen.getByTestId('sr-submit'));
    expect((await screen.findByTestId('error-reported_on')).textContent).toBe('앞으로의 날짜는 기록할 수 없습니다');
    cleanup();

    renderDetail('doctor', {
      'POST /api/v1/customers/c-1/self-reports': () => ({ status: 422, error: { code: 'VALIDATION_ERROR', message: '하나 이상의 항목이 필요합니다', field: 'values' } }),
    });
    await ready();
    typeInto('sr-input-stress_level', '5');
    fireEvent.click(screen.getByTestId('sr-submit'));
    expect((await screen.findByTestId('sr-form-error')).textContent).toBe('하나 이상의 항목이 필요합니다');
  });

  it('HEALTH_CONSENT_REQUIRED from the server: says the consent is missing and disables the form', async () => {
    renderDetail('doctor', {
      'POST /api/v1/customers/c-1/self-reports': () => ({
        status: 422,
        error: { code: 'HEALTH_CONSENT_REQUIRED', message: '고객의 건강정보 수집·이용 동의가 있어야 자가 보고를 기록할 수 있습니다', field: 'consent' },
      }),
    });
    await ready();
    typeInto('sr-input-stress_level', '5');
    fireEvent.click(screen.getByTestId('sr-submit'));
    const notice = await screen.findByTestId('sr-consent-required');
    expect(notice.getAttribute('data-source')).toBe('server');
    expect(notice.textContent).toContain('건강정보 수집·이용에 동의하지 않아 자가 보고를 기록할 수 없습니다');
    expect(within(notice).getByTestId('sr-edit-customer').getAttribute('href')).toBe('#/customers/c-1/edit');
    expect((screen.getByTestId('sr-submit') as HTMLButtonElement).disabled).toBe(true);
    expect(screen.queryByTestId('sr-form-error')).toBeNull();
  });

  it('a customer the detail shows without the health-data consent: the form is disabled up front, nothing is sent', async () => {
    const api = renderDetail('doctor', { 'GET /api/v1/customers/c-1/self-reports': () => ({ data: { customer_id: 'c-1', items: [] } }) }, { ...customer, consent: { privacy: true, marketing: false, health_data: false } });
    await ready();
    const notice = screen.getByTestId('sr-consent-required');
    expect(notice.getAttribute('data-source')).toBe('detail');
    expect(screen.getByTestId('sr-form').getAttribute('data-disabled')).toBe('true');
    expect((screen.getByTestId('sr-submit') as HTMLButtonElement).disabled).toBe(true);
    expect((screen.getByTestId('sr-input-stress_level').closest('fieldset') as HTMLFieldSetElement).disabled).toBe(true);
    fireEvent.submit(screen.getByTestId('sr-form'));
    await new Promise((r) => setTimeout(r, 20));
    expect(api.calls.filter((c) => c.method === 'POST')).toHaveLength(0);
  });

  it('a refusal of the list (403) says who may see it, without a form', async () => {
    renderDetail('doctor', { 'GET /api/v1/customers/c-1/self-reports': () => ({ status: 403, error: { code: 'FORBIDDEN_ROLE', message: 'x' } }) });
    const box = await screen.findByTestId('sr-error');
    expect(box.textContent).toContain('건강 자가 보고는 의사와 관리자만 볼 수 있습니다.');
    expect(within(box).queryByText('다시 시도')).toBeNull();
    expect(screen.queryByTestId('sr-form')).toBeNull();
  });

  it('a list that fails otherwise can be asked for again; the form still works', async () => {
    let fail = true;
    renderDetail('doctor', { 'GET /api/v1/customers/c-1/self-reports': () => (fail ? { status: 500, error: { code: 'INTERNAL_ERROR', message: 'x' } } : { data: { customer_id: 'c-1', items: reports } }) });
    const box = await screen.findByTestId('sr-error');
    expect(screen.getByTestId('sr-form')).toBeTruthy();
    fail = false;
    fireEvent.click(within(box).getByText('다시 시도'));
    await waitFor(() => expect(screen.getAllByTestId('sr-row')).toHaveLength(3));
  });
});

describe('the 분석 tab’s health panel', () => {
  const noReports = {
    reported_improvements: {},
    single_reports: [],
    improvement_rate: null,
    goal_achievement_rate: null,
    recommendation_compliance: null,
    unavailable: [
      { field: 'reported_improvements', reason: '기록된 자가 보고 건강 지표가 없습니다' },
      { field: 'improvement_rate', reason: '전후 비교가 가능한 지표가 없습니다' },
    ],
  };

  it('with no reports yet, points to 건강 자가 보고 on the overview', async () => {
    renderDetail('admin', { 'GET /api/v1/customers/c-1/analytics': () => ({ data: { ...analytics90, healthMetrics: noReports } }) }, customer, '#/customers/c-1?tab=analytics');
    const none = await screen.findByTestId('ca-health-none');
    expect(none.textContent).toContain('기본 정보 탭의 ‘건강 자가 보고’에서 기록하세요.');
    expect(screen.getByTestId('ca-health-reasons').textContent).toContain('기록된 자가 보고 건강 지표가 없습니다');
    const go = within(none).getByTestId('ca-health-go');
    expect(go.textContent).toBe('건강 자가 보고로 가기');
    fireEvent.click(go);
    await waitFor(() => expect(location.hash).toBe('#/customers/c-1'));
    await waitFor(() => expect(screen.getByTestId('customer-detail').getAttribute('data-tab')).toBe('overview'));
    expect(document.getElementById('self-reports')).toBeTruthy();
  });

  it('with reports: before → after, and a link to the list', async () => {
    const withReports = {
      ...noReports,
      reported_improvements: {
        stress_level: { label: '스트레스', before: 8, after: 4, change: -50, change_points: -4, direction: 'improved', direction_label: '개선', lower_is_better: true, first_date: '2026-11-01', latest_date: '2026-12-05', reports: 3 },
      },
      unavailable: [],
    };
    renderDetail('admin', { 'GET /api/v1/customers/c-1/analytics': () => ({ data: { ...analytics90, healthMetrics: withReports } }) }, customer, '#/customers/c-1?tab=analytics');
    const changes = await screen.findByTestId('ca-health-changes');
    expect(changes.textContent).toContain('스트레스 8 → 4 (-50%) 개선');
    expect(screen.queryByTestId('ca-health-none')).toBeNull();
    expect(screen.getByTestId('ca-health-go').textContent).toBe('자가 보고 기록 보기');
  });

  it('a report saved on the overview has the open 분석 tab ask for its figures again', async () => {
    const api = renderDetail('admin', { 'POST /api/v1/customers/c-1/self-reports': (c) => ({ status: 201, data: { customer_id: 'c-1', reported_on: c.body.reported_on, items: [item(c.body.reported_on, 'stress_level', 5)] } }) }, customer, '#/customers/c-1?tab=analytics');
    await waitFor(() => expect(screen.getByTestId('ca-risk').getAttribute('data-state')).toBe('ready'));
    const analyticsCalls = () => api.calls.filter((c) => c.path.startsWith('/api/v1/customers/c-1/analytics'));
    expect(analyticsCalls()).toHaveLength(1);
    fireEvent.click(screen.getByTestId('detail-tab-overview'));
    await ready();
    typeInto('sr-input-stress_level', '5');
    fireEvent.click(screen.getByTestId('sr-submit'));
    await screen.findByTestId('sr-saved');
    await waitFor(() => expect(analyticsCalls()).toHaveLength(2));
  });
});
