import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/preact';
import { afterEach, describe, expect, it } from 'vitest';
import { Toasts } from '../src/components/ui';
import { CustomerRecommendationsTab } from '../src/screens/CustomerRecommendations';
import { packageRecs, related, scheduleRecs, serviceRecs } from './customerAnalyticsFixtures';
import { setupApi, WithUser, type Call, type Handler } from './helpers';

afterEach(() => cleanup());

const LIST = 'GET /api/v1/customers/c-1/recommendations';
const query = (c: Call) => new URLSearchParams(c.path.split('?')[1] ?? '');
const listCalls = (calls: Call[]) => calls.filter((c) => c.method === 'GET' && c.path.startsWith('/api/v1/customers/c-1/recommendations?'));
const byType: Record<string, unknown> = { service: serviceRecs, package: packageRecs, schedule: scheduleRecs };

const feedbackPath = (rid: string) => `POST /api/v1/customers/c-1/recommendations/${rid}/feedback`;
const first = serviceRecs.recommendations[0];

function renderRecs(over: Record<string, Handler> = {}) {
  const api = setupApi({
    [LIST]: (c) => ({ data: { ...(byType[query(c).get('type') ?? 'service'] as object), algorithm: query(c).get('algorithm') } }),
    ...over,
  });
  render(
    <WithUser role="manager">
      <CustomerRecommendationsTab customerId="c-1" />
      <Toasts />
    </WithUser>,
  );
  return api;
}

describe('추천 tab', () => {
  it('asks for five hybrid service recommendations first and shows each with its score and reasons', async () => {
    const api = renderRecs();
    expect(await screen.findByTestId('panel-loading')).toBeTruthy();
    const cards = await screen.findAllByTestId('rec-card');
    const q = query(listCalls(api.calls)[0]);
    expect([q.get('type'), q.get('count'), q.get('algorithm')]).toEqual(['service', '5', 'hybrid']);
    expect(cards).toHaveLength(5);
    expect(within(cards[0]).getByTestId('rec-name').textContent).toBe('브레인 피드백');
    expect(within(cards[0]).getByTestId('rec-score').textContent).toContain('적합도 87%');
    expect(within(cards[0]).getByTestId('rec-reasons').textContent).toContain('가장 많이 이용하신 서비스');
    const details = within(cards[0]).getByTestId('rec-details').textContent;
    // Codes in Korean: the category, the intensity; the price in won.
    expect(details).toContain('인지·이완');
    expect(details).toContain('낮음');
    expect(details).toContain('₩60,000');
    expect(details).toContain('주 1회');
    expect(details).not.toMatch(/cognitive|low/);
    const meta = screen.getByTestId('rec-metadata').textContent!;
    expect(meta).toContain('고객 300명의 이용으로 계산');
    expect(meta).toContain('이용 이력, 만족도 평가, 비슷한 고객의 이용');
    expect(meta).not.toMatch(/[a-z]_[a-z]/);
  });

  it('the type and algorithm switches ask for what they name', async () => {
    const api = renderRecs();
    await screen.findAllByTestId('rec-card');
    fireEvent.click(screen.getByTestId('rec-type-package'));
    await waitFor(() => expect(screen.getByTestId('customer-recommendations').getAttribute('data-type')).toBe('package'));
    const pkg = (await screen.findAllByTestId('rec-card'))[0];
    await waitFor(() => expect(within(screen.getAllByTestId('rec-card')[0]).getByTestId('rec-name').textContent).toBe('프리미엄 케어'));
    expect(within(screen.getAllByTestId('rec-card')[0]).getByTestId('rec-details').textContent).toContain('₩1,500,000 (정가 ₩2,200,000)');
    expect(pkg).toBeTruthy();
    fireEvent.click(screen.getByTestId('rec-algorithm-collaborative'));
    await waitFor(() => expect(listCalls(api.calls).map((c) => `${query(c).get('type')}/${query(c).get('algorithm')}`)).toEqual(['service/hybrid', 'package/hybrid', 'package/collaborative']));
    fireEvent.click(screen.getByTestId('rec-type-schedule'));
    await waitFor(() => expect(within(screen.getAllByTestId('rec-card')[0]).getByTestId('rec-name').textContent).toContain('12월 8일 (화) 오전 11시'));
    expect(within(screen.getAllByTestId('rec-card')[0]).getByTestId('rec-details').textContent).toContain('2026-12-08 (화) 11:00');
    fireEvent.click(screen.getByTestId('rec-algorithm-content_based'));
    await waitFor(() => expect(query(listCalls(api.calls).at(-1)!).get('algorithm')).toBe('content_based'));
    // Going back to an answer seen asks nothing again.
    fireEvent.click(screen.getByTestId('rec-type-package'));
    fireEvent.click(screen.getByTestId('rec-algorithm-hybrid'));
    await waitFor(() => expect(screen.getByTestId('customer-recommendations').getAttribute('data-algorithm')).toBe('hybrid'));
    await new Promise((r) => setTimeout(r, 30));
    expect(listCalls(api.calls).filter((c) => query(c).get('type') === 'package' && query(c).get('algorithm') === 'hybrid')).toHaveLength(1);
  });

  it('a package the customer holds says how many sessions are left and when it expires', async () => {
    renderRecs();
    await screen.findAllByTestId('rec-card');
    fireEvent.click(screen.getByTestId('rec-type-package'));
    await waitFor(() => expect(screen.getAllByTestId('rec-holding').length).toBeGreaterThan(0));
    const holding = screen.getAllByTestId('rec-holding')[0].textContent!;
    expect(holding).toMatch(/잔여 \d+회/);
    expect(holding).not.toContain('D--');
  });

  it('수락 records the feedback with its rating and note, says so, and asks for the list again', async () => {
    let calls = 0;
    const api = renderRecs({
      [LIST]: () => {
        calls += 1;
        return { data: calls === 1 ? serviceRecs : { ...serviceRecs, recommendations: serviceRecs.recommendations.slice(1) } };
      },
      [feedbackPath(first.recommendation_id)]: (c) => ({
        status: 201,
        data: { feedback_id: 'fb-1', recommendation_id: first.recommendation_id, customer_id: 'c-1', type: 'service', item: first.item, action: c.body.action, feedback_score: c.body.feedback_score ?? null, comment: c.body.comment ?? null, given_on: '2026-12-07' },
      }),
    });
    const card = (await screen.findAllByTestId('rec-card'))[0];
    fireEvent.click(within(card).getByTestId('rec-feedback-accepted'));
    const form = within(card).getByTestId('rec-feedback-form');
    fireEvent.click(within(form).getByTestId('rec-feedback-score-5'));
    fireEvent.input(within(form).getByTestId('rec-feedback-comment'), { target: { value: '  다음 방문 때 받기로 함  ' } });
    expect(within(form).getByTestId('rec-feedback-submit').textContent).toBe('‘수락’ 기록');
    fireEvent.click(within(form).getByTestId('rec-feedback-submit'));
    const notice = await screen.findByTestId('rec-feedback-recorded');
    expect(notice.textContent).toContain('‘브레인 피드백’ 추천에 ‘수락’ 피드백을 기록했습니다.');
    expect(notice.getAttribute('data-action')).toBe('accepted');
    const post = api.calls.find((c) => c.method === 'POST')!;
    expect(post.path).toBe(`/api/v1/customers/c-1/recommendations/${first.recommendation_id}/feedback`);
    expect(post.body).toEqual({ action: 'accepted', feedback_score: 5, comment: '다음 방문 때 받기로 함' });
    // Feedback changes later recommendations: the list is asked for again.
    await waitFor(() => expect(listCalls(api.calls)).toHaveLength(2));
    await waitFor(() => expect(screen.getAllByTestId('rec-card')).toHaveLength(4));
    expect(screen.queryByTestId('rec-feedback-form')).toBeNull();
  });

  it('거절 without a rating or note sends the action alone', async () => {
    const api = renderRecs({
      [feedbackPath(first.recommendation_id)]: () => ({ status: 201, data: { feedback_id: 'fb-2', recommendation_id: first.recommendation_id, customer_id: 'c-1', type: 'service', item: first.item, action: 'rejected', feedback_score: null, comment: null, given_on: '2026-12-07' } }),
    });
    const card = (await screen.findAllByTestId('rec-card'))[0];
    fireEvent.click(within(card).getByTestId('rec-feedback-rejected'));
    fireEvent.click(within(card).getByTestId('rec-feedback-submit'));
    await screen.findByTestId('rec-feedback-recorded');
    expect(api.calls.find((c) => c.method === 'POST')!.body).toEqual({ action: 'rejected' });
  });

  it('a note longer than 500 characters is refused before anything is sent', async () => {
    const api = renderRecs();
    const card = (await screen.findAllByTestId('rec-card'))[0];
    fireEvent.click(within(card).getByTestId('rec-feedback-ignored'));
    fireEvent.input(within(card).getByTestId('rec-feedback-comment'), { target: { value: '가'.repeat(501) } });
    expect(within(card).getByTestId('rec-feedback-count').textContent).toBe('501 / 500자');
    expect(within(card).getByTestId('rec-feedback-error-comment').textContent).toBe('메모는 500자까지 쓸 수 있습니다.');
    expect((within(card).getByTestId('rec-feedback-submit') as HTMLButtonElement).disabled).toBe(true);
    expect(api.calls.filter((c) => c.method === 'POST')).toHaveLength(0);
  });

  it('VALIDATION_ERROR (422) shows the server’s message by its field', async () => {
    renderRecs({
      [feedbackPath(first.recommendation_id)]: () => ({ status: 422, error: { code: 'VALIDATION_ERROR', message: 'feedback_score는 1–5입니다', field: 'feedback_score' } }),
    });
    const card = (await screen.findAllByTestId('rec-card'))[0];
    fireEvent.click(within(card).getByTestId('rec-feedback-accepted'));
    fireEvent.click(within(card).getByTestId('rec-feedback-score-3'));
    fireEvent.click(within(card).getByTestId('rec-feedback-submit'));
    expect((await within(card).findByTestId('rec-feedback-error-score')).textContent).toBe('feedback_score는 1–5입니다');
    expect(screen.queryByTestId('rec-feedback-recorded')).toBeNull();
  });

  it('RECOMMENDATION_NOT_FOUND (404) says so and offers to reload the list', async () => {
    const api = renderRecs({
      [feedbackPath(first.recommendation_id)]: () => ({ status: 404, error: { code: 'RECOMMENDATION_NOT_FOUND', message: '이 고객에게 보여 준 추천이 아닙니다 (추천 목록을 다시 불러오세요)' } }),
    });
    const card = (await screen.findAllByTestId('rec-card'))[0];
    fireEvent.click(within(card).getByTestId('rec-feedback-accepted'));
    fireEvent.click(within(card).getByTestId('rec-feedback-submit'));
    const error = await within(card).findByTestId('rec-feedback-error');
    expect(error.textContent).toContain('이 고객에게 보여 준 추천이 아닙니다');
    fireEvent.click(within(error).getByText('추천 다시 불러오기'));
    await waitFor(() => expect(listCalls(api.calls)).toHaveLength(2));
  });

  it('an empty list says why in Korean', async () => {
    renderRecs({ [LIST]: () => ({ data: { ...serviceRecs, recommendations: [] } }) });
    const empty = await screen.findByTestId('rec-empty');
    expect(empty.textContent).toContain('추천할 항목이 없습니다.');
    expect(empty.textContent).toContain('데이터가 부족합니다');
    expect(screen.getByTestId('rec-panel').getAttribute('data-state')).toBe('empty');
  });

  it('an empty list with the server’s reason shows that reason', async () => {
    renderRecs({ [LIST]: () => ({ data: { ...serviceRecs, recommendations: [], reason: '방문 기록이 없어 추천할 수 없습니다' } }) });
    expect((await screen.findByTestId('rec-empty')).textContent).toContain('방문 기록이 없어 추천할 수 없습니다');
  });

  it('errors: 403 is for managers only (no retry); 404 and 422 show their message with a retry; 503 names the missing model', async () => {
    const cases: [Record<string, unknown>, number, string, boolean][] = [
      [{ code: 'FORBIDDEN_ROLE', message: 'x' }, 403, '추천은 매니저와 관리자만 볼 수 있습니다.', false],
      [{ code: 'CUSTOMER_NOT_FOUND', message: 'x' }, 404, '고객을 찾을 수 없습니다.', true],
      [{ code: 'VALIDATION_ERROR', message: 'count는 1–20입니다', field: 'count' }, 422, 'count는 1–20입니다', true],
      [{ code: 'MODEL_NOT_READY', message: 'x' }, 503, '학습된 고객 모델이 아직 없어', false],
    ];
    for (const [error, status, text, retry] of cases) {
      renderRecs({ [LIST]: () => ({ status, error }) });
      const box = await screen.findByTestId('rec-error');
      expect(box.textContent, String(status)).toContain(text);
      expect(within(box).queryByText('다시 시도') !== null, String(status)).toBe(retry);
      cleanup();
    }
  });

  it('함께 이용하는 서비스 asks for a service’s related services once and lists them with their reasons', async () => {
    const api = renderRecs({ 'GET /api/v1/recommendations/services/brain/related': () => ({ data: related }) });
    const card = (await screen.findAllByTestId('rec-card'))[0];
    fireEvent.click(within(card).getByTestId('rec-related-toggle'));
    const items = await within(card).findAllByTestId('rec-related-item');
    expect(items.map((i) => i.getAttribute('data-code'))).toEqual(['ai_bike', 'red', 'pulse']);
    expect(items[0].textContent).toContain('비슷한 효과');
    expect(items[0].textContent).toContain('효과가 비슷함');
    const asked = api.calls.filter((c) => c.path.includes('/related'));
    expect(asked).toHaveLength(1);
    expect(query(asked[0]).get('limit')).toBe('5');
    fireEvent.click(within(card).getByTestId('rec-related-toggle'));
    fireEvent.click(within(card).getByTestId('rec-related-toggle'));
    await within(card).findAllByTestId('rec-related-item');
    expect(api.calls.filter((c) => c.path.includes('/related'))).toHaveLength(1);
  });
});
