// Small pieces the patient pages share: lists, the 119 call box, grade and risk marks, the
// emergency block of a guide, sources, the print button.

import type { ComponentChildren } from 'preact';
import type { Epinephrine, RiskLevel, SourceRef } from './consumer';
import { pt } from './text';

export function Bullets({ items, testid, ordered }: { items: (string | null | undefined)[] | null | undefined; testid?: string; ordered?: boolean }) {
  const list = (items ?? []).filter((x): x is string => typeof x === 'string' && x.trim() !== '');
  if (list.length === 0) return null;
  const children = list.map((x, i) => <li key={i}>{x}</li>);
  return ordered ? (
    <ol class="p-steps" data-testid={testid}>
      {children}
    </ol>
  ) : (
    <ul class="p-list" data-testid={testid}>
      {children}
    </ul>
  );
}

export function Section(props: { title: string; id?: string; testid?: string; note?: string | null; children: ComponentChildren; class?: string }) {
  return (
    <section class={`p-section${props.class ? ` ${props.class}` : ''}`} id={props.id} data-testid={props.testid}>
      <h2>{props.title}</h2>
      {props.note ? <p class="p-note">{props.note}</p> : null}
      {props.children}
    </section>
  );
}

/** 119, big: a link that dials on a phone. */
export function CallBox({ number = '119', text }: { number?: string; text?: string | null }) {
  return (
    <div class="p-call" data-testid="call-119">
      <a class="p-call-number" href={`tel:${number}`} aria-label={`${number} ${pt('em.callTitle')}`}>
        {number}
      </a>
      <div class="p-call-text">
        <strong>{pt('em.callTitle')}</strong>
        <div>{text || pt('em.callText')}</div>
      </div>
    </div>
  );
}

/** Grade 0–6 as a number and seven cells, the first `grade` filled in the tier's colour. */
export function GradeMeter({ grade, risk }: { grade: number; risk: RiskLevel }) {
  const g = Math.max(0, Math.min(6, Math.round(grade)));
  return (
    <span class={`p-grade p-${risk}`} data-testid="grade" data-grade={g}>
      <b>{pt('common.grade', { n: g })}</b>
      <span class="p-grade-cells" aria-hidden="true">
        {[1, 2, 3, 4, 5, 6].map((i) => (
          <span key={i} class={i <= g ? 'on' : ''} />
        ))}
      </span>
    </span>
  );
}

export function RiskMark({ risk }: { risk: RiskLevel }) {
  return (
    <span class={`p-risk p-${risk}`} data-testid="risk" data-value={risk}>
      {pt(`risk.${risk}`)}
    </span>
  );
}

export function Sources({ sources }: { sources: SourceRef[] | null | undefined }) {
  const list = (sources ?? []).filter((s) => s && s.citation);
  if (list.length === 0) return null;
  // The same source cited by several sections is listed once.
  const seen = new Set<string>();
  const unique = list.filter((s) => {
    const k = s.id ?? s.citation;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
  return (
    <details class="p-sources" data-testid="sources">
      <summary>
        {pt('common.sources')} ({unique.length})
      </summary>
      <ol>
        {unique.map((s) => (
          <li key={s.id ?? s.citation}>
            {s.citation}
            {s.url ? <span class="p-url"> {s.url}</span> : null}
          </li>
        ))}
      </ol>
    </details>
  );
}

export function PrintButton() {
  return (
    <button type="button" class="btn btn-outline no-print" data-testid="print-button" title={pt('common.printHint')} onClick={() => window.print()}>
      <PrintIcon />
      {pt('common.print')}
    </button>
  );
}

function PrintIcon() {
  return (
    <svg viewBox="0 0 20 20" width="15" height="15" aria-hidden="true" style={{ marginRight: '6px', verticalAlign: '-2px' }}>
      <path d="M5 8V3h10v5M5 14H3V8h14v6h-2" fill="none" stroke="currentColor" stroke-width="1.7" stroke-linejoin="round" />
      <rect x="5" y="11.5" width="10" height="6" fill="none" stroke="currentColor" stroke-width="1.7" />
    </svg>
  );
}

/** How to use an adrenaline auto-injector: when, how, after, storage, doses. */
export function InjectorGuide({ e, full, shown }: { e: Epinephrine | null | undefined; full?: boolean; shown?: string[] }) {
  if (!e) return null;
  // What the page already said (its "always" list) is not said again here.
  const said = new Set(shown ?? []);
  const rules = (e.when_to_use?.rules ?? []).filter((r) => !said.has(r));
  return (
    <div class="p-injector" data-testid="injector-guide">
      {full && e.what_is_epinephrine?.description ? (
        <div class="p-block">
          <h3>{pt('em.what')}</h3>
          <p>{e.what_is_epinephrine.description}</p>
          <Bullets items={(e.what_is_epinephrine.details ?? []).filter((d) => d !== e.what_is_epinephrine?.description)} />
          {e.what_is_epinephrine.prescription_required ? <p class="p-note">{pt('em.prescription')}</p> : null}
        </div>
      ) : null}
      {rules.length ? (
        <div class="p-block">
          <h3>{pt('em.whenToUse')}</h3>
          <Bullets items={rules} />
        </div>
      ) : null}
      {e.how_to_use?.steps?.length ? (
        <div class="p-block">
          <h3>{pt('em.howToUse')}</h3>
          <Bullets items={e.how_to_use.steps} ordered testid="injector-steps" />
        </div>
      ) : null}
      {e.how_to_use?.after_injection?.length ? (
        <div class="p-block">
          <h3>{pt('em.afterUse')}</h3>
          <Bullets items={e.how_to_use.after_injection} />
        </div>
      ) : null}
      {full && e.storage?.length ? (
        <div class="p-block">
          <h3>{pt('em.storage')}</h3>
          <Bullets items={e.storage} />
        </div>
      ) : null}
      {full && e.dose?.bands?.length ? (
        <div class="p-block">
          <h3>{pt('em.dose')}</h3>
          <Bullets items={e.dose.bands.map((b) => b.text)} />
          <Bullets items={e.dose.notes} />
        </div>
      ) : null}
    </div>
  );
}
