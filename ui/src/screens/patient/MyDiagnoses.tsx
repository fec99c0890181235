// The patient's home: their diagnoses, newest first, each opening its guide; and the way to
// the emergency page, always in sight.

import { useEffect, useState } from 'preact/hooks';
import { ErrorBox, Spinner } from '../../components/ui';
import { href } from '../../router';
import { describePatientError, myDiagnoses, type DiagnosisListItem } from './consumer';
import { pt } from './text';

export function MyDiagnosesScreen() {
  const [items, setItems] = useState<DiagnosisListItem[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = () => {
    setError(null);
    myDiagnoses()
      .then((list) => setItems([...list].sort((a, b) => b.diagnosis_date.localeCompare(a.diagnosis_date))))
      .catch((e) => setError(describePatientError(e)));
  };
  useEffect(load, []);

  return (
    <div class="p-page" data-testid="my-diagnoses">
      <div class="p-head">
        <h1>{pt('home.title')}</h1>
        <p class="p-lead">{pt('home.intro')}</p>
      </div>
      <a class="p-emergency-strip" href={href({ name: 'myEmergency' })} data-testid="home-emergency">
        <span class="p-emergency-num" aria-hidden="true">
          119
        </span>
        <span>
          <strong>{pt('home.emergencyTitle')}</strong>
          <span class="p-emergency-text">{pt('home.emergencyText')}</span>
        </span>
        <span class="p-emergency-go">{pt('home.emergencyLink')} →</span>
      </a>
      {error ? (
        <ErrorBox testid="my-diagnoses-error">
          <span>{error}</span>
          <button type="button" class="btn btn-sm btn-outline" onClick={load}>
            ↻
          </button>
        </ErrorBox>
      ) : items === null ? (
        <Spinner />
      ) : items.length === 0 ? (
        <div class="p-empty" data-testid="my-diagnoses-empty">
          <p>{pt('home.empty')}</p>
          <p class="muted">{pt('home.emptyHint')}</p>
          <a class="btn btn-primary" href={href({ name: 'myKits' })}>
            {pt('home.toKits')}
          </a>
        </div>
      ) : (
        <ul class="p-diagnoses">
          {items.map((d) => (
            <li key={d.id}>
              <a class="p-diagnosis" href={href({ name: 'myDiagnosis', id: d.id })} data-testid="my-diagnosis" data-id={d.id}>
                <div class="p-diagnosis-main">
                  <div class="p-diagnosis-date">{pt('home.tested', { date: d.diagnosis_date })}</div>
                  <div class="p-diagnosis-meta">
                    {pt('home.count', { n: d.summary.total_tested })}
                    {d.summary.max_grade !== null && d.summary.max_grade !== undefined ? ` · ${pt('home.maxGrade', { n: d.summary.max_grade })}` : ''}
                  </div>
                  <div class="p-diagnosis-risk">
                    {d.summary.high_risk_allergens.length ? (
                      <>
                        <span class="p-label">{pt('home.highRisk')}</span>
                        {d.summary.high_risk_allergens.map((n) => (
                          <span key={n} class="p-chip p-high_risk" data-testid="home-high-risk">
                            {n}
                          </span>
                        ))}
                      </>
                    ) : (
                      <span class="muted">{pt('home.noHighRisk')}</span>
                    )}
                  </div>
                </div>
                <span class="p-diagnosis-open">{pt('home.open')} →</span>
              </a>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
