// One diagnosis of the patient, as a guide in plain Korean: the results and what they mean,
// foods to avoid / hidden sources / substitutes per allergen, cross-reactivity cautions,
// everyday tips, and what to do in an emergency (119, the signs, the steps, the
// auto-injector). Printable on A4. Another patient's diagnosis is "not found", like one that
// does not exist (the server answers 404 for both).

import { useEffect, useState } from 'preact/hooks';
import { ApiError } from '../../api';
import { ErrorBox, Spinner } from '../../components/ui';
import { href } from '../../router';
import type { User } from '../../types';
import { describePatientError, myDiagnosis, myGuide, riskOf, type DiagnosisDetail, type PatientGuide, type PerAllergen } from './consumer';
import { Bullets, CallBox, GradeMeter, InjectorGuide, PrintButton, RiskMark, Section, Sources } from './parts';
import { pt } from './text';

type State =
  | { kind: 'loading' }
  | { kind: 'notFound' }
  | { kind: 'error'; message: string }
  | { kind: 'ready'; detail: DiagnosisDetail; guide: PatientGuide };

export function MyGuideScreen({ id, user }: { id: string; user: User }) {
  const [state, setState] = useState<State>({ kind: 'loading' });

  const load = () => {
    setState({ kind: 'loading' });
    Promise.all([myDiagnosis(id), myGuide(id)])
      .then(([detail, guide]) => setState({ kind: 'ready', detail, guide }))
      .catch((e) => {
        if (e instanceof ApiError && (e.status === 404 || e.code === 'DIAGNOSIS_NOT_FOUND')) setState({ kind: 'notFound' });
        else setState({ kind: 'error', message: describePatientError(e) });
      });
  };
  useEffect(load, [id]);

  const back = (
    <a class="back-link" href={href({ name: 'myHome' })} data-testid="guide-back">
      ← {pt('common.back')}
    </a>
  );

  if (state.kind === 'loading') return <Spinner />;
  if (state.kind === 'notFound') {
    return (
      <div class="p-page">
        {back}
        <div class="p-not-found" data-testid="guide-not-found" role="alert">
          <h1>{pt('guide.notFoundTitle')}</h1>
          <p>{pt('guide.notFoundText')}</p>
        </div>
      </div>
    );
  }
  if (state.kind === 'error') {
    return (
      <div class="p-page">
        {back}
        <ErrorBox testid="guide-error">
          <span>{state.message}</span>
          <button type="button" class="btn btn-sm btn-outline" onClick={load}>
            ↻
          </button>
        </ErrorBox>
      </div>
    );
  }
  return (
    <div class="p-page">
      <div class="p-toolbar no-print">
        {back}
        <PrintButton />
      </div>
      <Guide detail={state.detail} guide={state.guide} user={user} />
    </div>
  );
}

/** Per allergen code: its avoid foods, hidden sources and substitutes, highest grade first. */
function dietByAllergen(g: PatientGuide) {
  const dm = g.diet_management ?? {};
  const byCode = new Map<string, { name: string; grade?: number; avoid: string[]; hidden: string[]; subs: string[] }>();
  const entry = (a: PerAllergen) => {
    let e = byCode.get(a.code);
    if (!e) {
      e = { name: a.allergen, grade: a.grade, avoid: [], hidden: [], subs: [] };
      byCode.set(a.code, e);
    }
    if (e.grade === undefined) e.grade = a.grade;
    return e;
  };
  for (const a of dm.avoid ?? []) entry(a).avoid.push(...(a.foods ?? []));
  for (const a of dm.hidden_sources ?? []) entry(a).hidden.push(...(a.sources ?? []));
  for (const a of dm.substitutes ?? []) entry(a).subs.push(...(a.alternatives ?? []));
  return [...byCode.entries()].map(([code, e]) => ({ code, ...e })).sort((a, b) => (b.grade ?? 0) - (a.grade ?? 0));
}

export function Guide({ detail, guide, user }: { detail: DiagnosisDetail; guide: PatientGuide; user: User }) {
  const results = [...detail.results].sort((a, b) => b.grade - a.grade);
  const highRisk = results.filter((r) => riskOf(r) === 'high_risk');
  const diet = dietByAllergen(guide);
  const cross = guide.diet_management?.cross_reactivity ?? [];
  const symptoms = [...(guide.symptoms?.high_risk ?? []), ...(guide.symptoms?.moderate_risk ?? [])];
  const lifestyle = guide.lifestyle_tips ?? {};
  const tipsCount = (lifestyle.allergen_specific?.length ?? 0) + (lifestyle.common_tips?.length ?? 0);
  const em = guide.emergency ?? {};

  return (
    <article class="p-guide" data-testid="patient-guide" data-diagnosis-id={detail.id}>
      <header class="p-guide-head">
        <h1>{pt('guide.title')}</h1>
        <div class="p-guide-sub">
          <span data-testid="guide-patient">{pt('guide.for', { name: user.display_name })}</span>
          <span>{pt('guide.date', { date: detail.diagnosis_date })}</span>
          <span class="muted small">{pt('guide.version', { v: detail.knowledge_version })}</span>
        </div>
      </header>

      <div class={`p-summary${highRisk.length ? ' has-high' : ''}`} data-testid="guide-summary">
        <strong>{pt('guide.summary')}</strong>
        {highRisk.length ? (
          <div class="p-summary-list">
            <span class="p-label">{pt('guide.highRiskList')}</span>
            {highRisk.map((r) => (
              <span key={r.allergen} class="p-chip p-high_risk" data-testid="guide-high-risk" data-allergen={r.allergen}>
                {r.name_ko ?? r.allergen}
              </span>
            ))}
          </div>
        ) : (
          <div>{pt('guide.noHighRiskList')}</div>
        )}
      </div>

      <Section title={pt('guide.results')} note={pt('guide.resultsNote')} testid="guide-results">
        <table class="p-table">
          <thead>
            <tr>
              <th>{pt('guide.colAllergen')}</th>
              <th>{pt('guide.colGrade')}</th>
              <th>{pt('guide.colRisk')}</th>
              <th>{pt('guide.colMeaning')}</th>
            </tr>
          </thead>
          <tbody>
            {results.map((r) => {
              const risk = riskOf(r);
              return (
                <tr key={r.allergen} data-testid="result-row" data-allergen={r.allergen} data-risk={risk}>
                  <td class="p-name" data-testid="result-name">
                    {r.name_ko ?? r.allergen}
                  </td>
                  <td class="nowrap">
                    <GradeMeter grade={r.grade} risk={risk} />
                    {r.grade_label ? <div class="small muted">{r.grade_label}</div> : null}
                  </td>
                  <td>
                    <RiskMark risk={risk} />
                  </td>
                  <td>{r.grade_description}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </Section>

      {symptoms.length ? (
        <Section title={pt('guide.symptoms')} testid="guide-symptoms">
          <div class="p-grid">
            {symptoms.map((s) => (
              <div key={s.code} class="p-box">
                <h3>
                  {s.allergen}
                  {s.grade !== undefined ? <span class="p-grade-inline">{pt('common.grade', { n: s.grade })}</span> : null}
                </h3>
                <Bullets items={s.symptoms} />
              </div>
            ))}
          </div>
        </Section>
      ) : null}

      <Section title={pt('guide.diet')} note={diet.length ? pt('guide.dietNote') : null} testid="guide-diet">
        {diet.length === 0 ? <p class="muted">{pt('guide.noDiet')}</p> : null}
        {diet.map((d) => (
          <div key={d.code} class="p-diet" data-testid="diet-card" data-allergen={d.code}>
            <h3>
              {d.name}
              {d.grade !== undefined ? <span class="p-grade-inline">{pt('common.grade', { n: d.grade })}</span> : null}
            </h3>
            <div class="p-diet-cols">
              {d.avoid.length ? (
                <div class="p-diet-col avoid">
                  <h4>{pt('guide.avoid')}</h4>
                  <Bullets items={d.avoid} testid="diet-avoid" />
                </div>
              ) : null}
              {d.hidden.length ? (
                <div class="p-diet-col hidden-src">
                  <h4>{pt('guide.hidden')}</h4>
                  <Bullets items={d.hidden} testid="diet-hidden" />
                </div>
              ) : null}
              {d.subs.length ? (
                <div class="p-diet-col subs">
                  <h4>{pt('guide.substitutes')}</h4>
                  <Bullets items={d.subs} testid="diet-substitutes" />
                </div>
              ) : null}
            </div>
          </div>
        ))}
      </Section>

      <Section title={pt('guide.cross')} note={cross.length ? pt('guide.crossNote') : null} testid="guide-cross">
        {cross.length === 0 ? <p class="muted">{pt('guide.noCross')}</p> : null}
        <div class="p-grid">
          {cross.map((c) => {
            const prob = c.probability === 'high' || c.probability === 'medium' || c.probability === 'low' ? c.probability : 'low';
            return (
              <div key={c.code} class={`p-box p-cross p-prob-${prob}`} data-testid="cross-card" data-allergen={c.code}>
                <h3>
                  {c.allergen}
                  <span class={`p-prob p-prob-${prob}`}>{pt(`prob.${prob}`)}</span>
                </h3>
                <div class="small">
                  {c.because_of?.length ? pt('guide.crossBecause', { names: c.because_of.join('·') }) : null}
                  {c.rate ? ` · ${pt('guide.crossRate', { rate: c.rate })}` : null}
                </div>
                {c.related_foods?.length ? (
                  <div class="p-cross-foods">
                    <span class="p-label">{pt('guide.crossFoods')}</span> {c.related_foods.join(', ')}
                  </div>
                ) : null}
                {c.advice ? <p class="p-note">{c.advice}</p> : null}
              </div>
            );
          })}
        </div>
      </Section>

      <Section title={pt('guide.lifestyle')} testid="guide-lifestyle">
        {tipsCount === 0 ? <p class="muted">{pt('guide.noLifestyle')}</p> : null}
        <div class="p-grid">
          {(lifestyle.allergen_specific ?? []).map((a) => (
            <div key={a.code} class="p-box">
              <h3>{a.allergen}</h3>
              <Bullets items={a.tips} />
            </div>
          ))}
          {(lifestyle.common_tips ?? []).map((c, i) => (
            <div key={`c${i}`} class="p-box">
              <h3>{c.title ?? c.applies_to?.join('·') ?? c.category}</h3>
              <Bullets items={c.tips} />
            </div>
          ))}
        </div>
      </Section>

      <Section title={pt('guide.emergency')} testid="guide-emergency" class="p-emergency">
        <CallBox number={em.emergency_number || '119'} />
        <div class="p-em-grid">
          {em.anaphylaxis_signs?.length ? (
            <div class="p-block p-signs">
              <h3>{pt('em.signs')}</h3>
              <Bullets items={em.anaphylaxis_signs} testid="anaphylaxis-signs" />
            </div>
          ) : null}
          {em.action_plan?.length ? (
            <div class="p-block">
              <h3>{pt('em.actionPlan')}</h3>
              <Bullets items={em.action_plan} ordered testid="action-plan" />
            </div>
          ) : null}
        </div>
        {em.always?.length ? (
          <div class="p-block p-always">
            <h3>{pt('em.always')}</h3>
            <Bullets items={em.always} />
          </div>
        ) : null}
        {em.epinephrine_guide ? (
          <div class="p-block">
            <h3 class="p-h3-strong">{pt('em.injector')}</h3>
            <InjectorGuide e={em.epinephrine_guide} shown={em.always} />
          </div>
        ) : null}
      </Section>

      {guide.disclaimer?.length ? (
        <Section title={pt('guide.disclaimer')} testid="guide-disclaimer" class="p-disclaimer">
          <Bullets items={guide.disclaimer} />
        </Section>
      ) : null}
      <Sources sources={guide.sources} />
    </article>
  );
}
