import { fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { describe, expect, it, vi } from 'vitest';
import { ApiDocsEntry, DOCS_PATH } from '../src/components/ApiDocsEntry';
import { Toasts } from '../src/components/ui';

describe('API docs help entry', () => {
  it('in a browser links to the server’s Swagger UI in a new tab', () => {
    render(<ApiDocsEntry desktop={false} />);
    const link = screen.getByTestId('api-docs-link') as HTMLAnchorElement;
    expect(link.tagName).toBe('A');
    expect(link.getAttribute('href')).toBe(DOCS_PATH);
    expect(DOCS_PATH).toBe('/docs/');
    expect(link.getAttribute('target')).toBe('_blank');
    expect(link.getAttribute('rel')).toContain('noopener');
    expect(link.textContent).toContain('API 문서');
    expect(screen.queryByTestId('api-docs-read-only')).toBeNull();
  });

  it('on the desktop asks the shell for the docs window and says it is read-only', async () => {
    const invoke = vi.fn().mockResolvedValue(null);
    render(<ApiDocsEntry desktop invokeImpl={invoke} />);
    expect(screen.getByTestId('api-docs-read-only').textContent).toBe('읽기 전용');
    expect(screen.getByTestId('api-docs-link').getAttribute('title')).toContain('읽기 전용');
    fireEvent.click(screen.getByTestId('api-docs-link'));
    expect(invoke).toHaveBeenCalledWith('open_api_docs');
  });

  it('tells the user when the window did not open', async () => {
    const invoke = vi.fn().mockRejectedValue('no window');
    render(
      <>
        <ApiDocsEntry desktop invokeImpl={invoke} />
        <Toasts />
      </>,
    );
    fireEvent.click(screen.getByTestId('api-docs-link'));
    await waitFor(() => expect(screen.getByTestId('toast').textContent).toContain('API 문서 창을 열지 못했습니다'));
  });
});
