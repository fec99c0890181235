import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/preact';
import { afterEach, describe, expect, it } from 'vitest';
import { ModelSection } from '../src/screens/AnalyticsSegments';
import { AnalyticsScreen } from '../src/screens/Analytics';
import { models } from './customerAnalyticsFixtures';
import { setupApi, WithUser, type Call, type Handler } from './helpers';

afterEach(() => cleanup());

const svg = (title: string) => `<svg width="800" height="500" viewBox="0 0 800 500" xmlns="http://www.w3.org/2000/svg"><text x="10" y="20">${title}</text><circle cx="5" cy="5" r="2"/></svg>`;
const chartCalls = (calls: Call[], name: string) => calls.filter((c) => c.path.startsWith(`/api/v1/charts/${name}?`));
const modelCalls = (calls: Call[]) => calls.filter((c) => c.path === '/api/v1/analysis/models');
const pollCalls = (calls: Call[]) => calls.filter((c) => c.method === 'GET' && c.path.startsWith('/api/v1/analysis/models/train/'));

const serving = models.items[0];

function routes(over: Record<string, Handler> = {}): Record<string, Handler> {
  return {
    'GET /api/v1/analysis/models': () => ({ data: models }),
    'GET /api/v1/charts/segment-scatter': () => ({ raw: svg('고객 세그먼트') }),
    'GET /api/v1/charts/churn-risk': () => ({ raw: svg('이탈 위험 분포') }),
    ...over,
  };
}

function renderSection(over: Record<string, Handler> = {}) {
  const api = setupApi(routes(over));
  render(
    <WithUser role="manager">
      <ModelSection />
    </WithUser>,
  );
  return api;
}

/** A training job that answers `steps` in turn, one per poll. */
function jobRoutes(steps: Record<string, unknown>[], over: Record<string, Handler> = {}): Record<string, Handler> {
  let i = 0;
  return {
    'POST /api/v1/analysis/models/train': () => ({ status: 202, data: { job_id: 'job-1', state: 'running', stage: 'features', stage_label: '고객 특성 계산', fraction: 0, detail: '' } }),
    'GET /api/v1/analysis/models/train/job-1': () => ({ data: { job_id: 'job-1', ...steps[Math.min(i++, steps.length - 1)] } }),
    ...over,
  };
}

async function startTraining() {
  const button = await screen.findByTestId('model-retrain');
  expect(button.textContent).toBe('모델 다시 학습');
  fireEvent.click(button);
  const dialog = await screen.findByTestId('model-train-dialog');
  expect(dialog.textContent).toContain('모든 PC');
  expect(dialog.textContent).toContain('몇 초에서 몇 분');
  fireEvent.click(within(dialog).getByTestId('model-train-confirm'));
}

describe('고객 세그먼트 on 경영 분석', () => {
  it('shows the serving version, its personas with sizes and its held-out metrics', async () => {
    renderSection();
    await waitFor(() => expect(screen.getByTestId('model-card').getAttribute('data-state')).toBe('ready'));
    expect(screen.getByTestId('model-serving-version').textContent).toBe(serving.version);
    const segments = screen.getAllByTestId('model-segment');
    // Largest first.
    expect(segments.map((s) => s.getAttribute('data-size'))).toEqual(['171', '129']);
    expect(segments[0].textContent).toContain('가끔 방문 고객');
    expect(segments[0].textContent).toContain('171명 · 57.0%');
    expect(screen.getByTestId('model-silhouette').textContent).toContain(serving.report.silhouette.toFixed(3));
    expect(screen.getByTestId('model-silhouette').textContent).toContain('세그먼트 2개');
    const auc = screen.getByTestId('model-auc');
    expect(auc.textContent).toContain(serving.report.churn!.auc.toFixed(3));
    expect(auc.textContent).toContain(`기준선 ${serving.report.churn!.baseline_auc.toFixed(3)} (마지막 방문 후 일수만으로 예측)`);
    expect(auc.getAttribute('data-beats')).toBe(String(serving.report.churn!.beats_baseline));
    expect(screen.getByTestId('model-verdict').textContent).toContain('기준선보다');
    expect(screen.getByTestId('model-section').textContent).toContain('이전 버전 1개');
    expect(screen.getByTestId('model-section').textContent).not.toMatch(/recency_days|silhouette/);
  });

  it('draws its two charts and names refused versions with their reason', async () => {
    const api = renderSection({
      'GET /api/v1/analysis/models': () => ({ data: { ...models, refused: [{ version: 'cm-broken', reason: '모델 파일을 읽을 수 없습니다 (형식 버전 9)' }] } }),
    });
    await waitFor(() => {
      for (const name of ['segment-scatter', 'churn-risk']) expect(screen.getByTestId(`chart-${name}`).getAttribute('data-state')).toBe('ready');
    });
    expect(chartCalls(api.calls, 'segment-scatter')[0].path).toMatch(/^\/api\/v1\/charts\/segment-scatter\?format=svg&width=\d+&height=\d+$/);
    const refused = await screen.findByTestId('model-refused-item');
    expect(refused.textContent).toContain('cm-broken');
    expect(refused.textContent).toContain('모델 파일을 읽을 수 없습니다 (형식 버전 9)');
  });

  it('no model yet: says so in the card and in each chart (503 MODEL_NOT_READY)', async () => {
    const notReady = () => ({ status: 503, error: { code: 'MODEL_NOT_READY', message: '고객 분석 모델이 아직 없습니다' } });
    renderSection({
      'GET /api/v1/analysis/models': () => ({ data: { items: [], serving: null, refused: [] } }),
      'GET /api/v1/charts/segment-scatter': notReady,
      'GET /api/v1/charts/churn-risk': notReady,
    });
    expect((await screen.findByTestId('model-none')).textContent).toContain('학습된 고객 모델이 없습니다');
    for (const name of ['segment-scatter', 'churn-risk']) {
      expect((await screen.findByTestId(`chart-${name}-message`)).textContent).toContain('학습된 고객 모델이 아직 없습니다');
      // Waiting for a model is not a fault: a quiet notice, nothing to retry.
      const box = screen.getByTestId(`chart-${name}-error`);
      expect(box.className).toContain('chart-waiting');
      expect(box.getAttribute('role')).toBe('status');
      expect(box.querySelector('button')).toBeNull();
    }
  });

  it('the list failing shows its error in its card; the charts still show', async () => {
    renderSection({ 'GET /api/v1/analysis/models': () => ({ status: 500, error: { code: 'INTERNAL_ERROR', message: 'x' } }) });
    expect((await screen.findByTestId('model-error')).textContent).toContain('서버 오류');
    await waitFor(() => expect(screen.getByTestId('chart-churn-risk').getAttribute('data-state')).toBe('ready'));
  });

  it('retrains: a confirmation, then the progress by stage to done; the list and charts come again and the new version is named', async () => {
    let trained = false;
    const api = renderSection({
      ...jobRoutes([
        { state: 'running', stage: 'clustering', stage_label: '군집 분석', fraction: 0.5, detail: 'k = 4' },
        { state: 'running', stage: 'churn', stage_label: '이탈 예측 모델 학습', fraction: 0.85, detail: '' },
        { state: 'done', stage: 'done', stage_label: '완료', fraction: 1, detail: '', version: 'cm-new' },
      ]),
      'GET /api/v1/analysis/models': () => {
        if (!trained) return { data: models };
        return { data: { ...models, serving: 'cm-new', items: [{ ...serving, version: 'cm-new' }, ...models.items] } };
      },
    });
    await waitFor(() => expect(screen.getByTestId('chart-segment-scatter').getAttribute('data-state')).toBe('ready'));
    await startTraining();
    const progress = await screen.findByTestId('train-progress');
    expect(api.calls.filter((c) => c.method === 'POST').map((c) => c.path)).toEqual(['/api/v1/analysis/models/train']);
    expect((screen.getByTestId('model-retrain') as HTMLButtonElement).disabled).toBe(true);
    await waitFor(() => expect(screen.getByTestId('train-stage').textContent).toBe('군집 분석'), { timeout: 3000 });
    expect(screen.getByTestId('train-percent').textContent).toBe('50%');
    expect(progress.textContent).toContain('k = 4');
    expect(within(progress).getByRole('progressbar').getAttribute('aria-valuenow')).toBe('50');
    trained = true;
    await waitFor(() => expect(screen.getByTestId('train-progress').getAttribute('data-state')).toBe('done'), { timeout: 4000 });
    await waitFor(() => expect(screen.getByTestId('train-message').textContent).toBe('학습이 끝났습니다. 지금 cm-new 모델을 사용합니다.'));
    expect(screen.getByTestId('train-percent').textContent).toBe('100%');
    expect(screen.getByTestId('model-serving-version').textContent).toBe('cm-new');
    expect(modelCalls(api.calls)).toHaveLength(2);
    await waitFor(() => expect(chartCalls(api.calls, 'segment-scatter')).toHaveLength(2));
    expect(chartCalls(api.calls, 'churn-risk')).toHaveLength(2);
    // Polling stopped at the end.
    const polls = pollCalls(api.calls).length;
    expect(polls).toBe(3);
    await new Promise((r) => setTimeout(r, 900));
    expect(pollCalls(api.calls)).toHaveLength(polls);
    expect((screen.getByTestId('model-retrain') as HTMLButtonElement).disabled).toBe(false);
  }, 15_000);

  it('a failed training shows its message (INSUFFICIENT_DATA) and keeps the model in use', async () => {
    const api = renderSection(
      jobRoutes([{ state: 'failed', stage: 'features', stage_label: '고객 특성 계산', fraction: 0.1, detail: '', error: { code: 'INSUFFICIENT_DATA', message: '학습에는 방문한 고객이 20명 이상 필요합니다 (지금 3명)' } }]),
    );
    await startTraining();
    await waitFor(() => expect(screen.getByTestId('train-progress').getAttribute('data-state')).toBe('failed'), { timeout: 3000 });
    const message = screen.getByTestId('train-message');
    expect(message.textContent).toBe('학습하지 못했습니다: 학습에는 방문한 고객이 20명 이상 필요합니다 (지금 3명)');
    expect(message.getAttribute('data-code')).toBe('INSUFFICIENT_DATA');
    expect(screen.getByTestId('model-serving-version').textContent).toBe(serving.version);
    expect(modelCalls(api.calls)).toHaveLength(1);
    expect((screen.getByTestId('model-retrain') as HTMLButtonElement).disabled).toBe(false);
  }, 10_000);

  it('TRAINING_IN_PROGRESS (409) says one is running', async () => {
    renderSection({
      'POST /api/v1/analysis/models/train': () => ({ status: 409, error: { code: 'TRAINING_IN_PROGRESS', message: '이미 모델을 학습하고 있습니다. 끝난 뒤에 다시 시작하세요', details: {} } }),
    });
    await startTraining();
    expect((await screen.findByTestId('model-start-error')).textContent).toBe('이미 모델을 학습하고 있습니다. 끝난 뒤에 다시 시작하세요');
    expect(screen.queryByTestId('model-train-dialog')).toBeNull();
  });

  it('409 naming the running job follows that job', async () => {
    const api = renderSection({
      ...jobRoutes([{ state: 'running', stage: 'personas', stage_label: '페르소나 이름 붙이기', fraction: 0.8 }]),
      'POST /api/v1/analysis/models/train': () => ({ status: 409, error: { code: 'TRAINING_IN_PROGRESS', message: '이미 모델을 학습하고 있습니다', details: { job_id: 'job-1' } } }),
    });
    await startTraining();
    await waitFor(() => expect(screen.getByTestId('train-stage').textContent).toBe('페르소나 이름 붙이기'), { timeout: 3000 });
    expect(pollCalls(api.calls).length).toBeGreaterThan(0);
  }, 10_000);

  it('cancelling the confirmation starts nothing', async () => {
    const api = renderSection(jobRoutes([]));
    fireEvent.click(await screen.findByTestId('model-retrain'));
    const dialog = await screen.findByTestId('model-train-dialog');
    fireEvent.click(within(dialog).getByText('취소'));
    expect(screen.queryByTestId('model-train-dialog')).toBeNull();
    expect(api.calls.filter((c) => c.method === 'POST')).toHaveLength(0);
  });

  it('polling stops when the screen is left', async () => {
    const api = setupApi(routes(jobRoutes([{ state: 'running', stage: 'clustering', stage_label: '군집 분석', fraction: 0.3 }])));
    const view = render(
      <WithUser role="manager">
        <ModelSection />
      </WithUser>,
    );
    await startTraining();
    await waitFor(() => expect(pollCalls(api.calls).length).toBeGreaterThan(0), { timeout: 3000 });
    view.unmount();
    const polls = pollCalls(api.calls).length;
    await new Promise((r) => setTimeout(r, 1600));
    expect(pollCalls(api.calls)).toHaveLength(polls);
  }, 10_000);

  it('is part of 경영 분석 for managers; the address can scroll to it', async () => {
    setupApi({
      ...routes(),
      'GET /api/v1/analytics/dashboard': () => ({ status: 500, error: { code: 'INTERNAL_ERROR', message: 'x' } }),
      'GET /api/v1/analytics/forecast': () => ({ status: 500, error: { code: 'INTERNAL_ERROR', message: 'x' } }),
    });
    let scrolled = false;
    const original = Element.prototype.scrollIntoView;
    Element.prototype.scrollIntoView = function () {
      if ((this as Element).getAttribute('data-testid') === 'model-section') scrolled = true;
    };
    try {
      render(
        <WithUser role="admin">
          <AnalyticsScreen section="segments" />
        </WithUser>,
      );
      // The dashboard failing leaves the segments alone.
      await waitFor(() => expect(screen.getByTestId('model-card').getAttribute('data-state')).toBe('ready'));
      expect(screen.getByTestId('analytics-error')).toBeTruthy();
      expect(scrolled).toBe(true);
    } finally {
      Element.prototype.scrollIntoView = original;
    }
  });

  it('staff never see it: the screen refuses them and asks nothing', async () => {
    const api = setupApi(routes());
    render(
      <WithUser role="staff">
        <AnalyticsScreen />
      </WithUser>,
    );
    expect(screen.getByTestId('analytics-forbidden')).toBeTruthy();
    expect(screen.queryByTestId('model-section')).toBeNull();
    await new Promise((r) => setTimeout(r, 20));
    expect(api.calls).toHaveLength(0);
  });
});
