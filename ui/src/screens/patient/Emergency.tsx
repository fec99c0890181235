// 응급 대처: 119 first, then what to do by severity, the action plan, and how to use an
// adrenaline auto-injector. Printable on A4 (to keep in a bag or on the fridge).

import { useEffect, useState } from 'preact/hooks';
import { ErrorBox, Spinner } from '../../components/ui';
import { describePatientError, emergencyPages, type ActionPlan, type Epinephrine, type Guidelines } from './consumer';
import { Bullets, CallBox, InjectorGuide, PrintButton, Section, Sources } from './parts';
import { pt } from './text';

export function EmergencyScreen() {
  const [data, setData] = useState<{ guidelines: Guidelines; plan: ActionPlan; epinephrine: Epinephrine } | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = () => {
    setError(null);
    emergencyPages()
      .then(setData)
      .catch((e) => setError(describePatientError(e)));
  };
  useEffect(load, []);

  return (
    <div class="p-page" data-testid="emergency-screen">
      <div class="p-toolbar no-print">
        <span />
        <PrintButton />
      </div>
      <article class="p-guide">
        <header class="p-guide-head">
          <h1>{pt('em.title')}</h1>
          <p class="p-lead">{pt('em.intro')}</p>
        </header>
        <CallBox number={data?.guidelines.emergency_contacts?.emergency || '119'} text={data?.guidelines.emergency_contacts?.description} />
        {error ? (
          <ErrorBox testid="emergency-error">
            <span>{error}</span>
            <button type="button" class="btn btn-sm btn-outline" onClick={load}>
              ↻
            </button>
          </ErrorBox>
        ) : !data ? (
          <Spinner />
        ) : (
          <EmergencyBody {...data} />
        )}
      </article>
    </div>
  );
}

function EmergencyBody({ guidelines, plan, epinephrine }: { guidelines: Guidelines; plan: ActionPlan; epinephrine: Epinephrine }) {
  const severe = plan.action_plans?.severe;
  const mild = plan.action_plans?.mild;
  // Anaphylaxis has its own plan above; the levels below it are the milder reactions.
  const milder = (guidelines.severity_levels ?? []).filter((l) => l.level !== 'severe');
  // What the auto-injector part already says after an injection is not repeated at the end.
  const afterInjection = new Set(epinephrine.how_to_use?.after_injection ?? []);
  const after = (plan.after_reaction?.length ? plan.after_reaction : guidelines.after_reaction ?? []).filter((x) => !afterInjection.has(x));
  const notes = guidelines.notes ?? [];
  return (
    <>
      {severe ? (
        <Section title={severe.title ?? pt('em.plans')} testid="plan-severe" class="p-emergency">
          <div class="p-em-grid">
            <div class="p-block p-signs">
              <h3>{pt('em.signs')}</h3>
              <Bullets items={severe.symptoms} testid="anaphylaxis-signs" />
            </div>
            <div class="p-block">
              <h3>{pt('em.actionPlan')}</h3>
              <Bullets items={severe.actions} ordered testid="action-plan" />
            </div>
          </div>
          {severe.always?.length ? (
            <div class="p-block p-always">
              <h3>{pt('em.always')}</h3>
              <Bullets items={severe.always} />
            </div>
          ) : null}
        </Section>
      ) : null}

      {milder.length ? (
        <Section title={pt('em.levels')} testid="severity-levels">
          <div class="p-levels">
            {milder.map((l) => (
              <div key={l.level} class={`p-level p-level-${l.level}`} data-testid="severity-level" data-level={l.level}>
                <h3>{l.name}</h3>
                {l.intro ? <p class="p-note">{l.intro}</p> : null}
                <h4>{pt('em.levelSymptoms')}</h4>
                <Bullets items={l.symptoms} />
                <h4>{pt('em.levelActions')}</h4>
                <Bullets items={l.actions} ordered />
              </div>
            ))}
          </div>
        </Section>
      ) : mild ? (
        <Section title={mild.title ?? pt('em.plans')} testid="plan-mild">
          <div class="p-em-grid">
            <div class="p-block">
              <h3>{pt('em.levelSymptoms')}</h3>
              <Bullets items={mild.symptoms} />
            </div>
            <div class="p-block">
              <h3>{pt('em.levelActions')}</h3>
              <Bullets items={mild.actions} ordered />
            </div>
          </div>
        </Section>
      ) : null}

      <Section title={pt('em.injector')} testid="injector">
        <InjectorGuide e={epinephrine} full shown={severe?.always} />
      </Section>

      {after.length ? (
        <Section title={pt('em.afterReaction')} testid="after-reaction">
          <Bullets items={after} />
        </Section>
      ) : null}
      {notes.length ? (
        <Section title={pt('em.notes')} testid="emergency-notes">
          <Bullets items={notes} />
        </Section>
      ) : null}
      <Sources sources={[...(guidelines.sources ?? []), ...(plan.sources ?? []), ...(epinephrine.sources ?? [])]} />
    </>
  );
}
