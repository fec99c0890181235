import { invoke } from '@tauri-apps/api/core';
import { isTauri } from '../api';
import { toast } from '../context';
import { t } from '../i18n';

/** Where the server serves Swagger UI: the same origin as this UI. */
export const DOCS_PATH = '/docs/';

type InvokeFn = (cmd: string, args?: Record<string, unknown>) => Promise<unknown>;

/**
 * The help entry "API 문서". In a browser it is a link to the server's Swagger UI, opened in a
 * new tab. On the desktop there is no HTTP server: the shell opens a window of its own on the
 * same router (`open_api_docs`), read-only — that window holds no token to try a call with.
 */
export function ApiDocsEntry({ desktop = isTauri(), invokeImpl = invoke as InvokeFn }: { desktop?: boolean; invokeImpl?: InvokeFn } = {}) {
  if (!desktop) {
    return (
      <a class="nav-item" href={DOCS_PATH} target="_blank" rel="noopener noreferrer" data-testid="api-docs-link" title={t('help.apiDocsTitle')}>
        <DocsIcon />
        <span>{t('help.apiDocs')}</span>
      </a>
    );
  }
  return (
    <button
      type="button"
      class="nav-item as-button"
      data-testid="api-docs-link"
      title={t('help.apiDocsReadOnly')}
      onClick={() => {
        invokeImpl('open_api_docs').catch(() => toast(t('help.apiDocsFailed'), 'error'));
      }}
    >
      <DocsIcon />
      <span>{t('help.apiDocs')}</span>
      <small class="nav-note" data-testid="api-docs-read-only">
        {t('help.readOnly')}
      </small>
    </button>
  );
}

/** `</>`: the API (distinct from 감사 기록's page icon in the collapsed sidebar). */
function DocsIcon() {
  return (
    <svg viewBox="0 0 20 20" width="16" height="16" aria-hidden="true">
      <path d="M6.5 6 2.8 10l3.7 4M13.5 6l3.7 4-3.7 4M11.3 4.2 8.7 15.8" fill="none" stroke="currentColor" stroke-width="1.6" stroke-linecap="round" stroke-linejoin="round" />
    </svg>
  );
}
