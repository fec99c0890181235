import { fireEvent, render, screen, waitFor, within } from '@testing-library/preact';
import { describe, expect, it } from 'vitest';
import { ResearchScreen } from '../src/screens/Research';
import { Confidence } from '../src/screens/ResearchQa';
import { answerParts, authorLine, confidenceLevel } from '../src/screens/ResearchText';
import type { Role } from '../src/types';
import { setupApi, WithUser, type Handler } from './helpers';

const answer = {
  success: true,
  question: '땅콩 알레르기 환자가 피해야 할 숨겨진 식품은?',
  answer: '문헌 2편에서 찾은 관련 내용입니다:\nHidden peanut was most often found in sauces. [1]\nWalnut and cashew were the tree nuts most often involved. [2]',
  confidence: 0.62,
  citations: [
    { paper_id: 'pubmed:90000101', title: 'Hidden peanut in processed foods', excerpt: 'Hidden peanut was most often found in sauces.' },
    { paper_id: 'pubmed:90000102', title: 'Cross-reactivity between peanut and tree nuts', excerpt: 'Walnut and cashew were the tree nuts most often involved.' },
  ],
  message: '문헌 2편에서 근거를 찾았습니다.',
};

const papers: Record<string, unknown> = {
  'pubmed:90000101': {
    id: 'pubmed:90000101', pmid: '90000101', title: 'Hidden peanut in processed foods', authors: ['Kim M', 'Lee J'], journal: 'Fixture J', year: 2023,
    abstract: 'Hidden peanut was most often found in sauces.', doi: '10.99999/cd-fixture.90000101', score: 1, keywords: ['Peanut Hypersensitivity'],
  },
  'pubmed:90000102': {
    id: 'pubmed:90000102', pmid: '90000102', title: 'Cross-reactivity between peanut and tree nuts', authors: ['Jung Y'], journal: 'Fixture J', year: 2021,
    abstract: 'Walnut and cashew were the tree nuts most often involved.', doi: null, score: 0.5,
  },
};

function researchServer(overrides: Record<string, Handler> = {}) {
  return setupApi({
    'GET /api/v1/pro/research/library': () => ({ data: { total_papers: 4, recent_imports: [] } }),
    'GET /api/v1/pro/allergens': () => ({ data: { knowledge_version: 'v1', items: [{ code: 'peanut', name_ko: '땅콩', name_en: 'Peanut', category: 'food', aliases: [], mfds_labelling: true }] } }),
    'POST /api/v1/pro/research/qa': () => ({ data: answer }),
    'GET /api/v1/pro/research/papers/pubmed:90000101': () => ({ data: papers['pubmed:90000101'] }),
    'GET /api/v1/pro/research/papers/pubmed:90000102': () => ({ data: papers['pubmed:90000102'] }),
    ...overrides,
  });
}

function renderResearch(role: Role = 'doctor') {
  return render(
    <WithUser role={role}>
      <ResearchScreen />
    </WithUser>,
  );
}

async function ask(question = answer.question) {
  fireEvent.click(await screen.findByTestId('research-tab-qa'));
  fireEvent.input(screen.getByTestId('qa-question'), { target: { value: question } });
  fireEvent.click(screen.getByTestId('qa-submit'));
}

describe('research Q&A', () => {
  it('turns the numbered citation markers into buttons that open the cited paper', async () => {
    const { calls } = researchServer();
    renderResearch();
    await ask();
    const result = await screen.findByTestId('qa-result');
    const markers = within(result).getAllByTestId('cite-marker');
    expect(markers.map((m) => m.textContent)).toEqual(['[1]', '[2]']);
    expect(markers.map((m) => m.getAttribute('data-paper-id'))).toEqual(['pubmed:90000101', 'pubmed:90000102']);
    expect(markers[1].getAttribute('aria-label')).toBe('인용 2: Cross-reactivity between peanut and tree nuts');
    // The sentence keeps its text next to its marker.
    expect(screen.getByTestId('qa-answer').textContent).toContain('Hidden peanut was most often found in sauces. [1]');
    const body = calls.find((c) => c.path === '/api/v1/pro/research/qa')?.body;
    expect(body).toEqual({ question: answer.question, max_citations: 5 });

    fireEvent.click(markers[1]);
    const dialog = await screen.findByTestId('paper-dialog');
    expect((await within(dialog).findByTestId('paper-detail-title')).textContent).toBe('Cross-reactivity between peanut and tree nuts');
    expect(within(dialog).getByTestId('paper-detail-abstract').textContent).toContain('Walnut and cashew');
    expect(calls.some((c) => c.path === '/api/v1/pro/research/papers/pubmed:90000102')).toBe(true);

    // The citation list opens the same papers.
    fireEvent.keyDown(dialog, { key: 'Escape' });
    await waitFor(() => expect(screen.queryByTestId('paper-dialog')).toBeNull());
    const cited = screen.getAllByTestId('qa-citation');
    expect(cited.map((c) => c.getAttribute('data-paper-id'))).toEqual(['pubmed:90000101', 'pubmed:90000102']);
    fireEvent.click(within(cited[0]).getByTestId('qa-citation-open'));
    expect((await screen.findByTestId('paper-detail-title')).textContent).toBe('Hidden peanut in processed foods');
  });

  it('shows the confidence as a labelled bar with what it means', async () => {
    researchServer();
    renderResearch();
    await ask();
    const conf = await screen.findByTestId('qa-confidence');
    expect(conf.getAttribute('data-level')).toBe('medium');
    expect(conf.textContent).toContain('근거 신뢰도');
    expect(conf.textContent).toContain('보통 · 62%');
    expect(conf.textContent).toContain('원문을 꼭 확인하세요');
    const meter = within(conf).getByRole('meter');
    expect(meter.getAttribute('aria-valuenow')).toBe('62');
    expect(meter.getAttribute('aria-valuetext')).toBe('보통 62%');
  });

  it('never shows a percentage that reads as the next level', () => {
    setupApi({});
    const cases: [number, string, string][] = [
      [0.695, 'medium', '보통 · 69%'],
      [0.7, 'high', '높음 · 70%'],
      [0.29, 'low', '낮음 · 29%'],
      [0, 'low', '낮음 · 0%'],
    ];
    for (const [v, level, text] of cases) {
      const view = render(<Confidence value={v} />);
      const conf = view.getByTestId('qa-confidence');
      expect(conf.getAttribute('data-level'), String(v)).toBe(level);
      expect(conf.textContent, String(v)).toContain(text);
      view.unmount();
    }
  });

  it('with no evidence shows the server’s message, never an answer', async () => {
    researchServer({
      'POST /api/v1/pro/research/qa': () => ({
        data: { success: true, question: 'x', answer: null, confidence: 0, citations: [], message: '가져온 논문에서 질문과 관련된 근거를 찾지 못했습니다.' },
      }),
    });
    renderResearch();
    await ask('우주 알레르기?');
    const none = await screen.findByTestId('qa-no-answer');
    expect(none.textContent).toContain('근거를 찾지 못했습니다');
    expect(none.textContent).toContain('가져온 논문에서 질문과 관련된 근거를 찾지 못했습니다.');
    expect(screen.queryByTestId('qa-result')).toBeNull();
    expect(screen.queryAllByTestId('cite-marker')).toHaveLength(0);
    expect(screen.queryByTestId('qa-confidence')).toBeNull();
  });

  it('is a doctor’s and an administrator’s screen only', async () => {
    const { calls } = researchServer();
    renderResearch('staff');
    expect((await screen.findByTestId('research-forbidden')).textContent).toBe('의사와 관리자만 볼 수 있는 화면입니다.');
    expect(calls.filter((c) => c.path.startsWith('/api/v1/pro/'))).toEqual([]);
  });
});

describe('research helpers', () => {
  it('splits an answer line into text and citation markers', () => {
    expect(answerParts('A sentence. [1]')).toEqual([{ text: 'A sentence. ' }, { cite: 1 }]);
    expect(answerParts('Two [1][2] and [3, 4].')).toEqual([{ text: 'Two ' }, { cite: 1 }, { cite: 2 }, { text: ' and ' }, { cite: 3 }, { cite: 4 }, { text: '.' }]);
    expect(answerParts('No marker')).toEqual([{ text: 'No marker' }]);
  });

  it('names at most three authors and words the confidence', () => {
    expect(authorLine(['Kim M', 'Lee J'])).toBe('Kim M, Lee J');
    expect(authorLine(['A', 'B', 'C', 'D', 'E'])).toBe('A, B, C 외 2명');
    expect([0, 0.39, 0.4, 0.69, 0.7, 0.94].map(confidenceLevel)).toEqual(['low', 'low', 'medium', 'medium', 'high', 'high']);
  });
});
