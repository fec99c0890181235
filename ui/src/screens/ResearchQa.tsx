// Ask the library a question: the answer is sentences of its papers, each ending in a
// numbered citation marker [n] that opens the cited paper; the confidence is a labelled bar
// with what it means. No evidence: the server's message, never a made-up answer.

import { useState } from 'preact/hooks';
import { api } from '../api';
import { Card, ErrorBox } from '../components/ui';
import { describeError } from '../logic/errors';
import { AllergenSelect } from './ResearchParts';
import { answerParts, confidenceLevel, rt, type AllergenOption, type QaResult } from './ResearchText';

export function ResearchQa(props: { allergens: AllergenOption[]; onOpen: (paperId: string) => void }) {
  const [question, setQuestion] = useState('');
  const [allergen, setAllergen] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [result, setResult] = useState<QaResult | null>(null);

  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    if (!question.trim()) {
      setError(rt('qa.needQuestion'));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const body: Record<string, unknown> = { question: question.trim(), max_citations: 5 };
      if (allergen) body.allergen = allergen;
      setResult((await api<QaResult>('POST', '/api/v1/pro/research/qa', body)).data);
    } catch (err) {
      setError(describeError(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="research-part">
      <Card heading={rt('qa.title')}>
        <form class="research-form" onSubmit={submit} noValidate data-testid="research-qa-form">
          <label class="field-label" for="rq-question">
            {rt('qa.question')}
          </label>
          <textarea
            id="rq-question"
            class="input research-question"
            rows={2}
            data-testid="qa-question"
            placeholder={rt('qa.placeholder')}
            value={question}
            onInput={(e) => setQuestion(e.currentTarget.value)}
            onKeyDown={(e) => {
              // Enter asks; Shift+Enter is a new line.
              if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
                e.preventDefault();
                (e.currentTarget.form as HTMLFormElement | null)?.requestSubmit();
              }
            }}
          />
          <div class="research-form-row research-form-foot">
            <div class="field research-allergen">
              <label class="field-label" for="rq-allergen">
                {rt('qa.allergen')}
              </label>
              <AllergenSelect id="rq-allergen" testid="qa-allergen" value={allergen} onChange={setAllergen} allergens={props.allergens} anyLabel={rt('search.anyAllergen')} />
            </div>
            <span class="grow" />
            <button type="submit" class="btn btn-primary" data-testid="qa-submit" disabled={busy}>
              {busy ? rt('qa.asking') : rt('qa.submit')}
            </button>
          </div>
        </form>
      </Card>

      {error ? <ErrorBox testid="qa-error">{error}</ErrorBox> : null}
      {result ? <QaAnswer result={result} onOpen={props.onOpen} /> : null}
    </div>
  );
}

export function QaAnswer({ result, onOpen }: { result: QaResult; onOpen: (paperId: string) => void }) {
  if (!result.answer) {
    return (
      <div class="notice qa-no-answer" role="status" data-testid="qa-no-answer">
        <strong>{rt('qa.noAnswer')}</strong>
        {result.message ? <div>{result.message}</div> : null}
      </div>
    );
  }
  const citations = result.citations ?? [];
  const open = (n: number) => {
    const c = citations[n - 1];
    if (c) onOpen(c.paper_id);
  };
  const lines = result.answer.split('\n').filter((l) => l.trim() !== '');
  return (
    <section class="card qa-result" data-testid="qa-result">
      <div class="card-body qa-body">
        <div class="qa-answer-col">
          <h2 class="qa-heading">{rt('qa.answer')}</h2>
          <div class="qa-answer" data-testid="qa-answer">
            {lines.map((line, i) => (
              <p key={i}>
                {answerParts(line).map((part, j) =>
                  'text' in part ? (
                    <span key={j}>{part.text}</span>
                  ) : citations[part.cite - 1] ? (
                    <button
                      key={j}
                      type="button"
                      class="cite-marker"
                      data-testid="cite-marker"
                      data-citation={part.cite}
                      data-paper-id={citations[part.cite - 1].paper_id}
                      title={rt('qa.cite', { n: part.cite, title: citations[part.cite - 1].title })}
                      aria-label={rt('qa.cite', { n: part.cite, title: citations[part.cite - 1].title })}
                      onClick={() => open(part.cite)}
                    >
                      [{part.cite}]
                    </button>
                  ) : (
                    <span key={j}>[{part.cite}]</span>
                  ),
                )}
              </p>
            ))}
          </div>
          <p class="small muted qa-extractive">{rt('qa.extractive')}</p>
        </div>
        <Confidence value={result.confidence} />
      </div>
      {citations.length ? (
        <div class="qa-citations">
          <h3>{rt('qa.citations')}</h3>
          <ol data-testid="qa-citations">
            {citations.map((c, i) => (
              <li key={c.paper_id} data-testid="qa-citation" data-paper-id={c.paper_id}>
                <span class="qa-cite-num">[{i + 1}]</span>
                <div>
                  <button type="button" class="link-btn qa-cite-title" data-testid="qa-citation-open" onClick={() => onOpen(c.paper_id)}>
                    {c.title}
                  </button>
                  <span class="mono small muted"> {c.paper_id}</span>
                  <div class="qa-excerpt">“{c.excerpt}”</div>
                </div>
              </li>
            ))}
          </ol>
        </div>
      ) : null}
    </section>
  );
}

export function Confidence({ value }: { value: number }) {
  const v = Math.max(0, Math.min(1, Number(value) || 0));
  // Rounded down, so that the number never reads as the next level (0.695 is 69 %, 보통).
  const pct = Math.floor(v * 100 + 1e-9);
  const level = confidenceLevel(v);
  const word = level === 'high' ? rt('qa.confHigh') : level === 'medium' ? rt('qa.confMedium') : rt('qa.confLow');
  return (
    <div class={`qa-confidence conf-${level}`} data-testid="qa-confidence" data-value={v} data-level={level}>
      <div class="qa-conf-head">
        <span id="qa-conf-label">{rt('qa.confidence')}</span>
        <b>
          {word} · {pct}%
        </b>
      </div>
      <div class="qa-conf-track" role="meter" aria-labelledby="qa-conf-label" aria-valuemin={0} aria-valuemax={100} aria-valuenow={pct} aria-valuetext={`${word} ${pct}%`}>
        <span class="qa-conf-fill" style={{ width: `${pct}%` }} />
        <span class="qa-conf-tick" style={{ left: '40%' }} aria-hidden="true" />
        <span class="qa-conf-tick" style={{ left: '70%' }} aria-hidden="true" />
      </div>
      <div class="qa-conf-scale small muted" aria-hidden="true">
        <span style={{ left: '20%' }}>{rt('qa.confLow')}</span>
        <span style={{ left: '55%' }}>{rt('qa.confMedium')}</span>
        <span style={{ left: '85%' }}>{rt('qa.confHigh')}</span>
      </div>
      <p class="small">{rt(`qa.confExplain.${level}`)}</p>
      <p class="small muted">{rt('qa.confScale')}</p>
    </div>
  );
}
