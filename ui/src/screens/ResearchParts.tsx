// Pieces the research library's parts share: the allergen select and the paper dialog (a
// search result's title or a Q&A citation opens it).

import { useEffect, useState } from 'preact/hooks';
import { api, ApiError } from '../api';
import { Modal } from '../components/Modal';
import { ErrorBox, Spinner } from '../components/ui';
import { t } from '../i18n';
import { describeError } from '../logic/errors';
import { rt, type AllergenOption, type Paper } from './ResearchText';

/** The allergen list as a select, foods first then inhalants (the server's order). */
export function AllergenSelect(props: { id: string; value: string; onChange: (v: string) => void; allergens: AllergenOption[]; testid: string; anyLabel: string }) {
  return (
    <select id={props.id} class="input" data-testid={props.testid} value={props.value} onChange={(e) => props.onChange(e.currentTarget.value)}>
      <option value="">{props.anyLabel}</option>
      {props.allergens.map((a) => (
        <option key={a.code} value={a.code}>
          {a.name_ko} ({a.name_en})
        </option>
      ))}
    </select>
  );
}

/** A whole paper (`GET /pro/research/papers/{id}`). */
export function PaperDialog({ id, onClose }: { id: string; onClose: () => void }) {
  const [paper, setPaper] = useState<Paper | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    setPaper(null);
    setError(null);
    // `pubmed:123` as is: a colon may stand in a path segment.
    api<Paper>('GET', `/api/v1/pro/research/papers/${encodeURIComponent(id).replace(/%3A/gi, ':')}`)
      .then((env) => setPaper(env.data))
      .catch((e) => setError(e instanceof ApiError && e.status === 404 ? rt('paper.notFound') : describeError(e)));
  }, [id]);

  const abstract = paper ? paper.abstract ?? paper.abstract_text ?? '' : '';
  return (
    <Modal title={rt('paper.title')} onClose={onClose} testid="paper-dialog" width={760}>
      {error ? (
        <ErrorBox testid="paper-error">{error}</ErrorBox>
      ) : !paper ? (
        <Spinner />
      ) : (
        <article class="paper-detail" data-paper-id={paper.id}>
          <h3 class="paper-detail-title" data-testid="paper-detail-title">
            {paper.title}
          </h3>
          <dl class="paper-facts">
            {paper.authors?.length ? (
              <>
                <dt>{rt('paper.authors')}</dt>
                <dd>{paper.authors.join(', ')}</dd>
              </>
            ) : null}
            {paper.journal ? (
              <>
                <dt>{rt('paper.journal')}</dt>
                <dd>{paper.journal}</dd>
              </>
            ) : null}
            {paper.year ? (
              <>
                <dt>{rt('paper.year')}</dt>
                <dd>{paper.year}</dd>
              </>
            ) : null}
            <dt>{rt('paper.pmid')}</dt>
            <dd class="mono">{paper.pmid ?? paper.id.replace(/^pubmed:/, '')}</dd>
            {paper.doi ? (
              <>
                <dt>{rt('paper.doi')}</dt>
                <dd>
                  <a href={`https://doi.org/${paper.doi}`} target="_blank" rel="noopener noreferrer">
                    https://doi.org/{paper.doi}
                  </a>
                </dd>
              </>
            ) : null}
            {paper.keywords?.length ? (
              <>
                <dt>{rt('paper.keywords')}</dt>
                <dd>{paper.keywords.join(', ')}</dd>
              </>
            ) : null}
          </dl>
          <h4>{rt('paper.abstract')}</h4>
          <p class="paper-abstract" data-testid="paper-detail-abstract">
            {abstract || rt('search.noAbstract')}
          </p>
        </article>
      )}
      <div class="modal-foot">
        <span class="grow" />
        <button type="button" class="btn btn-primary" onClick={onClose} data-autofocus>
          {t('common.close')}
        </button>
      </div>
    </Modal>
  );
}
