// 연구 자료실 (doctors, administrators): import PubMed/MEDLINE export files into the clinic's
// own library, search it, and ask questions answered by sentences of its papers with
// numbered citations. Each part keeps its state while another is shown.

import { useEffect, useState } from 'preact/hooks';
import { api } from '../api';
import { useApp } from '../context';
import type { Role } from '../types';
import { ResearchImport } from './ResearchImport';
import { PaperDialog } from './ResearchParts';
import { ResearchQa } from './ResearchQa';
import { ResearchSearch } from './ResearchSearch';
import { rt, type AllergenOption, type Library } from './ResearchText';

export function canUseResearch(role: Role | string | undefined): boolean {
  return role === 'doctor' || role === 'admin';
}

type Tab = 'search' | 'qa' | 'import';
const TABS: Tab[] = ['search', 'qa', 'import'];

/** Kept for the session: coming back to the screen opens the part last used. */
let lastTab: Tab = 'search';

export function ResearchScreen() {
  const { user } = useApp();
  const [tab, setTabState] = useState<Tab>(lastTab);
  const [library, setLibrary] = useState<Library | null>(null);
  const [allergens, setAllergens] = useState<AllergenOption[]>([]);
  const [paper, setPaper] = useState<string | null>(null);
  const allowed = canUseResearch(user.role);

  const setTab = (t: Tab) => {
    lastTab = t;
    setTabState(t);
  };
  const loadLibrary = () => {
    api<Library>('GET', '/api/v1/pro/research/library')
      .then((env) => setLibrary(env.data))
      .catch(() => setLibrary((l) => l));
  };

  useEffect(() => {
    if (!allowed) return;
    loadLibrary();
    api<{ items: AllergenOption[] }>('GET', '/api/v1/pro/allergens')
      .then((env) => setAllergens(env.data?.items ?? []))
      .catch(() => setAllergens([]));
  }, [allowed]);

  if (!allowed) {
    return (
      <div class="screen research-screen">
        <h1>{rt('title')}</h1>
        <div class="notice" data-testid="research-forbidden">
          {rt('forbidden')}
        </div>
      </div>
    );
  }

  const onTabKey = (e: KeyboardEvent) => {
    const i = TABS.indexOf(tab);
    if (e.key === 'ArrowRight' || e.key === 'ArrowLeft') {
      e.preventDefault();
      const next = TABS[(i + (e.key === 'ArrowRight' ? 1 : TABS.length - 1)) % TABS.length];
      setTab(next);
      document.getElementById(`research-tab-${next}`)?.focus();
    }
  };

  return (
    <div class="screen research-screen" data-testid="research-screen">
      <div class="screen-head research-head">
        <div>
          <h1>{rt('title')}</h1>
          <p class="muted research-intro">{rt('intro')}</p>
        </div>
        {library ? (
          <div class="research-total" data-testid="research-total" data-total={library.total_papers}>
            {rt('totalPapers', { n: library.total_papers.toLocaleString('ko-KR') })}
          </div>
        ) : null}
      </div>
      <div class="research-tabs" role="tablist" aria-label={rt('tabs')} onKeyDown={onTabKey}>
        {TABS.map((t) => (
          <button
            key={t}
            type="button"
            role="tab"
            id={`research-tab-${t}`}
            aria-selected={tab === t}
            aria-controls={`research-panel-${t}`}
            tabIndex={tab === t ? 0 : -1}
            class={`research-tab${tab === t ? ' on' : ''}`}
            data-testid={`research-tab-${t}`}
            onClick={() => setTab(t)}
          >
            {rt(`tab.${t}`)}
          </button>
        ))}
      </div>
      <div role="tabpanel" id="research-panel-search" aria-labelledby="research-tab-search" hidden={tab !== 'search'}>
        <ResearchSearch allergens={allergens} emptyLibrary={library?.total_papers === 0} onOpen={setPaper} />
      </div>
      <div role="tabpanel" id="research-panel-qa" aria-labelledby="research-tab-qa" hidden={tab !== 'qa'}>
        <ResearchQa allergens={allergens} onOpen={setPaper} />
      </div>
      <div role="tabpanel" id="research-panel-import" aria-labelledby="research-tab-import" hidden={tab !== 'import'}>
        <ResearchImport library={library} onChanged={loadLibrary} />
      </div>
      {paper ? <PaperDialog id={paper} onClose={() => setPaper(null)} /> : null}
    </div>
  );
}
