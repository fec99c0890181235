import { fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { describe, expect, it, vi } from 'vitest';
import { ResearchImport } from '../src/screens/ResearchImport';
import type { ImportProgress, Library } from '../src/screens/ResearchText';
import { setupApi, WithUser, type Handler } from './helpers';

const MEDLINE = 'PMID- 90000101\nTI  - [E2E FIXTURE] Hidden peanut\nAB  - Invented.\n';

function chooseFile(file: File) {
  const input = screen.getByTestId('research-file') as HTMLInputElement;
  Object.defineProperty(input, 'files', { value: [file], configurable: true });
  fireEvent.change(input);
}

function renderImport(routes: Record<string, Handler>, library: Library | null = { total_papers: 0, recent_imports: [] }) {
  const api = setupApi(routes);
  const onChanged = vi.fn();
  render(
    <WithUser role="doctor">
      <ResearchImport library={library} onChanged={onChanged} pollMs={1} />
    </WithUser>,
  );
  return { ...api, onChanged };
}

/** The states the import answers in turn, then the last one for ever. */
function progressSequence(states: Partial<ImportProgress>[]): Handler {
  let i = 0;
  return () => {
    const s = states[Math.min(i++, states.length - 1)];
    return { data: { import_id: 'imp-1', filename: 'pubmed.nbib', total: 3, processed: 0, imported: 0, duplicates: 0, error: null, status: 'running', ...s } };
  };
}

describe('research import', () => {
  it('sends the file, follows the import with a progress bar and ends done with the counts', async () => {
    const seen: number[] = [];
    const { calls, onChanged } = renderImport({
      'POST /api/v1/pro/research/imports': () => ({ status: 202, data: { import_id: 'imp-1', filename: 'pubmed.nbib', status: 'running', total: 3 } }),
      'GET /api/v1/pro/research/imports/imp-1': progressSequence([
        { processed: 1 },
        { processed: 2 },
        { status: 'done', processed: 3, imported: 2, duplicates: 1 },
      ]),
    });
    const submit = screen.getByTestId('research-import-submit') as HTMLButtonElement;
    expect(submit.disabled).toBe(true);
    chooseFile(new File([MEDLINE], 'pubmed.nbib', { type: 'text/plain' }));
    expect(screen.getByTestId('research-file-name').textContent).toContain('pubmed.nbib');
    fireEvent.click(screen.getByTestId('research-import-submit'));

    // Watch the bar move: running with a count, then done at 100 %.
    await waitFor(() => {
      const bar = screen.getByRole('progressbar');
      seen.push(Number(bar.getAttribute('aria-valuenow')));
      expect(screen.getByTestId('import-progress').getAttribute('data-status')).toBe('done');
    });
    expect(screen.getByRole('progressbar').getAttribute('aria-valuenow')).toBe('100');
    expect(screen.getByTestId('import-status').textContent).toBe('가져오기 완료: 새 논문 2편, 이미 있던 논문 1편');
    expect(seen.every((v, i) => i === 0 || v >= seen[i - 1])).toBe(true);

    const post = calls.find((c) => c.method === 'POST');
    expect(post?.body).toEqual({ filename: 'pubmed.nbib', content: MEDLINE });
    expect(calls.filter((c) => c.path === '/api/v1/pro/research/imports/imp-1').length).toBe(3);
    expect(onChanged).toHaveBeenCalledTimes(1);
    // The next file can be chosen.
    expect(screen.getByTestId('research-import-again')).toBeTruthy();
  });

  it('shows the running state with processed/total while the import goes on', async () => {
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    let n = 0;
    renderImport({
      'POST /api/v1/pro/research/imports': () => ({ status: 202, data: { import_id: 'imp-1', filename: 'pubmed.nbib', status: 'running', total: 4 } }),
      'GET /api/v1/pro/research/imports/imp-1': async () => {
        n++;
        if (n === 1) return { data: { import_id: 'imp-1', filename: 'pubmed.nbib', status: 'running', total: 4, processed: 1, imported: 1, duplicates: 0, error: null } };
        await held;
        return { data: { import_id: 'imp-1', filename: 'pubmed.nbib', status: 'done', total: 4, processed: 4, imported: 4, duplicates: 0, error: null } };
      },
    });
    chooseFile(new File([MEDLINE], 'pubmed.nbib'));
    fireEvent.click(screen.getByTestId('research-import-submit'));
    await waitFor(() => expect(screen.getByTestId('import-status').textContent).toBe('가져오는 중… 1/4편'));
    expect(screen.getByTestId('import-progress').getAttribute('data-status')).toBe('running');
    expect(screen.getByRole('progressbar').getAttribute('aria-valuenow')).toBe('25');
    // No second import while one runs.
    expect(screen.getByTestId('research-import-submit').hasAttribute('disabled')).toBe(true);
    release();
    await waitFor(() => expect(screen.getByTestId('import-progress').getAttribute('data-status')).toBe('done'));
  });

  it('names the refused line of an invalid file; nothing is followed or imported', async () => {
    const { calls, onChanged } = renderImport({
      'POST /api/v1/pro/research/imports': () => ({
        status: 422,
        error: { code: 'RESEARCH_IMPORT_INVALID', message: '12행: …', details: { line: 12, message: "MEDLINE 형식이 아닌 줄입니다: 'hello'." } },
      }),
    });
    chooseFile(new File(['x'], 'broken.nbib'));
    fireEvent.click(screen.getByTestId('research-import-submit'));
    const refused = await screen.findByTestId('import-refused');
    expect(refused.getAttribute('data-line')).toBe('12');
    expect(screen.getByTestId('import-refused-line').textContent).toBe('12번째 줄');
    expect(screen.getByTestId('import-refused-message').textContent).toBe("MEDLINE 형식이 아닌 줄입니다: 'hello'.");
    expect(refused.textContent).toContain('아무것도 저장되지 않음');
    expect(screen.queryByTestId('import-progress')).toBeNull();
    expect(calls.some((c) => c.method === 'GET')).toBe(false);
    expect(onChanged).not.toHaveBeenCalled();
  });

  it('shows a failed import as failed, with its error', async () => {
    renderImport({
      'POST /api/v1/pro/research/imports': () => ({ status: 202, data: { import_id: 'imp-1', filename: 'a.xml', status: 'running', total: 2 } }),
      'GET /api/v1/pro/research/imports/imp-1': progressSequence([{ status: 'failed', total: 2, processed: 1, error: '데이터베이스에 쓰지 못했습니다' }]),
    });
    chooseFile(new File(['<x/>'], 'a.xml'));
    fireEvent.click(screen.getByTestId('research-import-submit'));
    await waitFor(() => expect(screen.getByTestId('import-progress').getAttribute('data-status')).toBe('failed'));
    expect(screen.getByTestId('import-status').textContent).toBe('가져오기에 실패했습니다: 데이터베이스에 쓰지 못했습니다');
  });

  it('refuses a file too large or of another kind before sending it', async () => {
    const { calls } = renderImport({});
    const big = new File(['x'], 'big.xml');
    Object.defineProperty(big, 'size', { value: 21 * 1024 * 1024 });
    chooseFile(big);
    expect(screen.getByTestId('import-error').textContent).toBe('파일이 20MB보다 큽니다 (21.0 MB). PubMed에서 나누어 받아 주세요.');
    expect((screen.getByTestId('research-import-submit') as HTMLButtonElement).disabled).toBe(true);
    chooseFile(new File(['x'], 'paper.pdf'));
    expect(screen.getByTestId('import-error').textContent).toContain('PubMed XML(.xml)이나 MEDLINE(.nbib, .txt) 파일만');
    expect(calls).toEqual([]);
  });

  it('lists the recent imports of the library', () => {
    renderImport({}, {
      total_papers: 4,
      recent_imports: [{ import_id: 'imp-1', filename: 'pubmed.nbib', status: 'done', total: 4, imported: 3, duplicates: 1, finished_at: '2024-05-30T01:00:00Z' }],
    });
    const row = screen.getByTestId('recent-import');
    expect(row.textContent).toContain('pubmed.nbib');
    expect(row.textContent).toContain('완료');
    expect(row.getAttribute('data-status')).toBe('done');
  });
});
