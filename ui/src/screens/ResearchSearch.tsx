// Search the clinic's paper library: a query, an optional allergen (with its cross-reactive
// allergens), results with title, authors, journal, year, relevance, DOI and an expandable
// abstract.

import { useState } from 'preact/hooks';
import { api } from '../api';
import { Card, ErrorBox } from '../components/ui';
import { describeError } from '../logic/errors';
import { AllergenSelect } from './ResearchParts';
import { authorLine, rt, type AllergenOption, type PaperHit, type SearchResult } from './ResearchText';

const MAX_CHOICES = [10, 20, 50];

export function ResearchSearch(props: { allergens: AllergenOption[]; emptyLibrary: boolean; onOpen: (paperId: string) => void }) {
  const [query, setQuery] = useState('');
  const [allergen, setAllergen] = useState('');
  const [cross, setCross] = useState(false);
  const [max, setMax] = useState(20);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [result, setResult] = useState<SearchResult | null>(null);

  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    if (!query.trim()) {
      setError(rt('search.needQuery'));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const body: Record<string, unknown> = { query: query.trim(), max_results: max };
      if (allergen) {
        body.allergen = allergen;
        body.include_cross_reactivity = cross;
      }
      setResult((await api<SearchResult>('POST', '/api/v1/pro/research/search', body)).data);
    } catch (err) {
      setError(describeError(err));
    } finally {
      setBusy(false);
    }
  };

  // The same term twice (spelled alike) is shown once.
  const terms = [...new Map((result?.expanded_terms ?? []).map((x) => [x.toLowerCase(), x])).values()];

  return (
    <div class="research-part">
      <Card heading={rt('search.title')}>
        <form class="research-form" onSubmit={submit} noValidate data-testid="research-search-form">
          <div class="field">
            <label class="field-label" for="rs-query">
              {rt('search.query')}
            </label>
            <input
              id="rs-query"
              class="input"
              data-testid="research-query"
              placeholder={rt('search.placeholder')}
              value={query}
              onInput={(e) => setQuery(e.currentTarget.value)}
            />
          </div>
          <div class="research-form-row research-form-foot">
            <div class="field research-allergen">
              <label class="field-label" for="rs-allergen">
                {rt('search.allergen')}
              </label>
              <AllergenSelect id="rs-allergen" testid="research-allergen" value={allergen} onChange={setAllergen} allergens={props.allergens} anyLabel={rt('search.anyAllergen')} />
            </div>
            <div class="field research-max">
              <label class="field-label" for="rs-max">
                {rt('search.max')}
              </label>
              <select id="rs-max" class="input" data-testid="research-max" value={String(max)} onChange={(e) => setMax(Number(e.currentTarget.value))}>
                {MAX_CHOICES.map((n) => (
                  <option key={n} value={String(n)}>
                    {rt('search.maxN', { n })}
                  </option>
                ))}
              </select>
            </div>
            <label class="check" title={rt('search.crossHint')}>
              <input type="checkbox" data-testid="research-cross" checked={cross} disabled={!allergen} onChange={(e) => setCross(e.currentTarget.checked)} />
              <span>{rt('search.cross')}</span>
            </label>
            <span class="grow" />
            <button type="submit" class="btn btn-primary" data-testid="research-search-submit" disabled={busy}>
              {busy ? rt('search.searching') : rt('search.submit')}
            </button>
          </div>
        </form>
      </Card>

      {error ? <ErrorBox testid="research-search-error">{error}</ErrorBox> : null}
      {!result && props.emptyLibrary ? <div class="notice">{rt('search.emptyLibrary')}</div> : null}

      {result ? (
        <section class={`research-results${busy ? ' is-loading' : ''}`} data-testid="research-results" data-total={result.total_found}>
          <div class="research-results-head">
            <strong data-testid="research-found">{rt('search.found', { n: result.total_found })}</strong>
            {terms.length ? (
              <span class="research-terms" data-testid="research-expanded">
                <span class="muted">{rt('search.expanded')}</span>
                {terms.map((term) => (
                  <span key={term} class="mini-chip">
                    {term}
                  </span>
                ))}
              </span>
            ) : null}
          </div>
          {result.papers.length === 0 ? (
            <p class="muted" data-testid="research-empty">
              {rt('search.empty')}
            </p>
          ) : (
            <ol class="paper-list">
              {result.papers.map((p) => (
                <PaperRow key={p.id} paper={p} onOpen={props.onOpen} />
              ))}
            </ol>
          )}
        </section>
      ) : null}
    </div>
  );
}

export function PaperRow({ paper: p, onOpen }: { paper: PaperHit; onOpen: (id: string) => void }) {
  const [open, setOpen] = useState(false);
  const score = Math.round(Math.max(0, Math.min(1, p.score)) * 100);
  const abstractId = `abs-${p.id.replace(/[^\w-]/g, '_')}`;
  return (
    <li class="paper-row" data-testid="paper-result" data-paper-id={p.id}>
      <div class="paper-main">
        <button type="button" class="link-btn paper-title" data-testid="paper-title" onClick={() => onOpen(p.id)}>
          {p.title}
        </button>
        <div class="paper-meta">
          {p.authors?.length ? <span data-testid="paper-authors">{authorLine(p.authors)}</span> : null}
          {p.journal ? <span class="paper-journal">{p.journal}</span> : null}
          {p.year ? <span>{p.year}</span> : null}
          <span class="mono muted">{p.id}</span>
        </div>
        {p.doi ? (
          <div class="paper-doi small">
            DOI{' '}
            <a href={`https://doi.org/${p.doi}`} target="_blank" rel="noopener noreferrer" data-testid="paper-doi">
              https://doi.org/{p.doi}
            </a>
          </div>
        ) : null}
        <button type="button" class="link-btn small" aria-expanded={open} aria-controls={abstractId} data-testid="paper-abstract-toggle" onClick={() => setOpen(!open)}>
          {open ? `▾ ${rt('search.hideAbstract')}` : `▸ ${rt('search.abstract')}`}
        </button>
        {open ? (
          <p class="paper-abstract" id={abstractId} data-testid="paper-abstract">
            {p.abstract || rt('search.noAbstract')}
          </p>
        ) : null}
      </div>
      <div class="paper-score" title={rt('search.scoreHint')} data-testid="paper-score" data-score={p.score}>
        <span class="small muted">{rt('search.score')}</span>
        <b>{score}</b>
        <span class="mini-track" aria-hidden="true">
          <span class="mini-fill" style={{ width: `${score}%` }} />
        </span>
      </div>
    </li>
  );
}
