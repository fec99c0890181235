import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { isTauri, savePdf } from '../api';
import { ta, taEnum } from '../allergyText';
import type { CrossReaction, CrossReactiveCaution, DiagnosisResult, Prescription, PrescriptionEntry, RiskTier, SourceRef } from '../allergyTypes';
import { DEFAULT_GRADE_BOUNDS, formatBound } from '../logic/allergy';
import { formatDate, formatDateTime } from '../logic/format';

/**
 * The prescription of one diagnosis as the patient's guide: results with what each grade means;
 * 고위험 / 주의 / 낮음 with the foods to avoid, hidden sources (Korean dishes too), substitutes
 * and cross-reactivity; cautions for cross-reactive allergens not tested; the emergency plan
 * (119, the auto-injector); the disclaimer; the sources; the knowledge version.
 *
 * Printable on A4 (styles.css: `.allergy-print`): the 인쇄 / PDF 저장 button calls
 * window.print(); navigation and buttons stay off the paper. Shared by the staff screens
 * (screens/DiagnosisView.tsx) and the patient's own guide.
 */
export interface AllergyGuideProps {
  /** Who the guide is for (shown in its header). */
  patient?: { name: string; patient_number?: string | null; birth_date?: string | null } | null;
  /** YYYY-MM-DD. */
  diagnosisDate: string;
  results: DiagnosisResult[];
  prescription: Prescription;
  /** The knowledge version that made the prescription (`prescription.knowledge_version`). */
  knowledgeVersion: string;
  kitSerial?: string | null;
  doctorName?: string | null;
  /** Printed above the title (the clinic's name). */
  clinicName?: string | null;
  /**
   * Citations of the knowledge version's sources, by id (its document's `sources`). Without
   * them the sources of the allergens are listed by id (the emergency plan carries its own).
   */
  sources?: Record<string, SourceRef> | null;
  /** kU/L lower bounds of grades 1–6 for the scale line (default: the built-in scale). */
  gradeBounds?: readonly number[] | null;
  /** Show the 인쇄 / PDF 저장 button (default true). */
  printable?: boolean;
  /** More controls beside the print button (never printed). */
  actions?: ComponentChildren;
  testid?: string;
}

const TIERS: RiskTier[] = ['high_risk', 'moderate_risk', 'low_risk'];

/** Strings of a value that should be a list of strings (the loose parts of a prescription). */
function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string' && x.trim() !== '') : [];
}

function obj(v: unknown): Record<string, any> | null {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, any>) : null;
}

function sourceObjects(v: unknown): SourceRef[] {
  if (!Array.isArray(v)) return [];
  return v.filter((s): s is SourceRef => !!s && typeof s === 'object' && typeof (s as SourceRef).id === 'string');
}

export function GradeBadge({ grade, tier }: { grade: number; tier?: RiskTier | null }) {
  const t = tier ?? (grade >= 4 ? 'high_risk' : grade >= 2 ? 'moderate_risk' : 'low_risk');
  return (
    <span class={`grade-badge tier-${t}`} data-grade={grade}>
      {grade}
    </span>
  );
}

export function TierBadge({ tier }: { tier: RiskTier }) {
  return <span class={`badge tier-badge tier-${tier}`}>{taEnum('tier', tier)}</span>;
}

/** "0 <0.35 · 1 0.35–0.69 · …" from the lower bounds of grades 1–6. */
export function scaleText(bounds: readonly number[]): string {
  const parts: string[] = [`0 <${formatBound(bounds[0])}`];
  for (let g = 1; g <= 6; g++) {
    const lo = bounds[g - 1];
    const hi = bounds[g];
    parts.push(hi === undefined ? `${g} ≥${formatBound(lo)}` : `${g} ${formatBound(lo)}–${formatBound(Math.round((hi - (hi < 20 ? 0.01 : 0.1)) * 100) / 100)}`);
  }
  return parts.join(' · ');
}

function List({ title, items, testid, cls }: { title: string; items: string[]; testid?: string; cls?: string }) {
  if (items.length === 0) return null;
  return (
    <div class={`guide-list${cls ? ` ${cls}` : ''}`} data-testid={testid}>
      <h4>{title}</h4>
      <ul>
        {items.map((x, i) => (
          <li key={i}>{x}</li>
        ))}
      </ul>
    </div>
  );
}

function CrossTable({ rows }: { rows: CrossReaction[] }) {
  if (rows.length === 0) return null;
  return (
    <>
      {/* On paper: one line (the related foods of those not tested are in the cautions table). */}
      <p class="guide-cross-inline print-only">
        <b>{ta('guide.cross')}</b>{' '}
        {rows.map((c, i) => (
          <span key={c.allergen}>
            {i ? ' · ' : ''}
            {c.name_ko} <span class={`prob prob-${c.probability}`}>{taEnum('probability', c.probability)}</span>
            {c.rate ? ` ${c.rate}` : ''}
            {c.tested_grade !== null && c.tested_grade !== undefined ? ` (${ta('grade', { grade: c.tested_grade })})` : ''}
          </span>
        ))}
      </p>
      <CrossTableScreen rows={rows} />
    </>
  );
}

function CrossTableScreen({ rows }: { rows: CrossReaction[] }) {
  return (
    <div class="guide-cross screen-only" data-testid="guide-cross">
      <h4>{ta('guide.cross')}</h4>
      <table class="guide-table compact">
        <thead>
          <tr>
            <th>{ta('guide.cross.allergen')}</th>
            <th>{ta('guide.cross.probability')}</th>
            <th>{ta('guide.cross.rate')}</th>
            <th>{ta('guide.cross.foods')}</th>
            <th>{ta('guide.cross.tested')}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((c) => (
            <tr key={c.allergen} data-testid="guide-cross-row" data-allergen={c.allergen}>
              <td class="nowrap strong">{c.name_ko}</td>
              <td class="nowrap">
                <span class={`prob prob-${c.probability}`}>{taEnum('probability', c.probability)}</span>
              </td>
              <td class="nowrap">{c.rate ?? <span class="muted">{ta('guide.cross.qualitative')}</span>}</td>
              <td class="wrap">
                {c.related_foods.join(', ')}
                {c.note ? <div class="guide-note">※ {c.note}</div> : null}
              </td>
              <td class="nowrap">{c.tested_grade === null || c.tested_grade === undefined ? <span class="muted">{ta('guide.cross.notTested')}</span> : ta('grade', { grade: c.tested_grade })}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Entry({ e }: { e: PrescriptionEntry }) {
  return (
    <div class={`guide-entry tier-${e.risk_tier}`} data-testid="guide-entry" data-allergen={e.allergen} data-grade={e.grade}>
      <div class="guide-entry-head">
        <GradeBadge grade={e.grade} tier={e.risk_tier} />
        <h3>
          {e.name_ko} <span class="guide-en">{e.name_en}</span>
        </h3>
        <span class="guide-entry-grade">
          {e.grade_label}
          {e.ku_l !== null && e.ku_l !== undefined ? ` · ${e.ku_l} kU/L` : ''}
        </span>
      </div>
      <p class="guide-desc">{e.grade_description}</p>
      <div class="guide-lists">
        <List title={ta('guide.avoid')} items={e.avoid_foods} testid="guide-avoid" cls="avoid" />
        <List title={ta('guide.hidden')} items={e.hidden_sources} testid="guide-hidden" />
        <List title={ta('guide.substitutes')} items={e.substitutes} testid="guide-substitutes" />
        <List title={ta('guide.tips')} items={e.lifestyle_tips} testid="guide-tips" />
        <List title={ta('guide.symptoms')} items={e.symptoms} testid="guide-symptoms" />
      </div>
      <CrossTable rows={e.cross_reactivity ?? []} />
    </div>
  );
}

function TierSection({ tier, entries }: { tier: RiskTier; entries: PrescriptionEntry[] }) {
  if (tier === 'low_risk') {
    if (entries.length === 0) return null;
    return (
      <section class="guide-section guide-tier tier-low_risk" data-testid="guide-low_risk">
        <h2>
          <span class="tier-dot" aria-hidden="true" />
          {ta('guide.section.low_risk')} <span class="guide-range">{ta('guide.range.low_risk')}</span>
        </h2>
        <p class="guide-note-line">{ta('guide.lowExplain')}</p>
        <div class="guide-low-list">
          {entries.map((e) => (
            <span class="guide-low-item" key={e.allergen} data-testid="guide-entry" data-allergen={e.allergen} data-grade={e.grade}>
              <GradeBadge grade={e.grade} tier={e.risk_tier} /> {e.name_ko} <span class="muted">{e.grade_label}</span>
            </span>
          ))}
        </div>
      </section>
    );
  }
  return (
    <section class={`guide-section guide-tier tier-${tier}`} data-testid={`guide-${tier}`}>
      <h2>
        <span class="tier-dot" aria-hidden="true" />
        {ta(`guide.section.${tier}`)} <span class="guide-range">{ta(`guide.range.${tier}`)}</span>
      </h2>
      {entries.length === 0 ? <p class="guide-note-line muted">{ta('guide.noEntries')}</p> : entries.map((e) => <Entry key={e.allergen} e={e} />)}
    </section>
  );
}

function Cautions({ rows, nameOf }: { rows: CrossReactiveCaution[]; nameOf: (code: string) => string }) {
  if (rows.length === 0) return null;
  return (
    <section class="guide-section" data-testid="guide-cautions">
      <h2>{ta('guide.cautions')}</h2>
      <p class="guide-note-line">{ta('guide.cautionsExplain')}</p>
      <table class="guide-table compact">
        <thead>
          <tr>
            <th>{ta('guide.cross.allergen')}</th>
            <th>{ta('guide.cautions.because')}</th>
            <th>{ta('guide.cross.probability')}</th>
            <th>{ta('guide.cross.rate')}</th>
            <th>{ta('guide.cross.foods')}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((c) => (
            <tr key={c.allergen} data-testid="guide-caution-row" data-allergen={c.allergen} title={c.advice}>
              <td class="nowrap strong">
                {c.name_ko}
                {c.tested_grade !== null && c.tested_grade !== undefined ? <span class="muted"> ({ta('grade', { grade: c.tested_grade })})</span> : null}
              </td>
              <td class="nowrap">{c.because_of.map(nameOf).join(', ')}</td>
              <td class="nowrap">
                <span class={`prob prob-${c.probability}`}>{taEnum('probability', c.probability)}</span>
              </td>
              <td class="nowrap">{c.rate ?? <span class="muted">{ta('guide.cross.qualitative')}</span>}</td>
              <td class="wrap">{c.related_foods.join(', ')}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

/** The emergency plan: `anaphylaxis_plan` (a high-risk result) or the general `guidelines`. */
function Emergency({ plan }: { plan: Record<string, any> }) {
  const number = typeof plan.emergency_number === 'string' ? plan.emergency_number : '119';
  const ap = obj(plan.action_plan);
  const epi = obj(plan.epinephrine);
  const guidelines = obj(plan.guidelines);
  const contacts = obj(ap?.emergency_contacts) ?? obj(epi?.emergency_contacts) ?? obj(guidelines?.emergency_contacts);
  const call = typeof contacts?.description === 'string' ? contacts.description : ta('guide.call');

  let body: ComponentChildren = null;
  if (ap) {
    const plans = obj(ap.action_plans) ?? {};
    const severe = obj(plans.severe);
    const mild = obj(plans.mild);
    const how = obj(epi?.how_to_use);
    const dose = obj(epi?.dose);
    const bands = Array.isArray(dose?.bands) ? dose!.bands.map((b: any) => b?.text).filter((x: unknown) => typeof x === 'string') : [];
    body = (
      <>
        <div class="guide-emergency-grid">
          {severe ? (
            <div class="guide-emergency-box severe" data-testid="guide-anaphylaxis">
              <h3>{severe.title}</h3>
              {severe.intro ? <p class="guide-note-line">{severe.intro}</p> : null}
              <List title={ta('guide.signs')} items={strings(severe.symptoms)} />
              {strings(severe.actions).length ? (
                <div class="guide-list">
                  <h4>{ta('guide.actions')}</h4>
                  <ol>
                    {strings(severe.actions).map((x, i) => (
                      <li key={i}>{x}</li>
                    ))}
                  </ol>
                </div>
              ) : null}
            </div>
          ) : null}
          <div class="guide-emergency-box" data-testid="guide-injector">
            <h3>{ta('guide.injector')}</h3>
            {typeof obj(epi?.what_is_epinephrine)?.description === 'string' ? <p class="guide-note-line">{obj(epi?.what_is_epinephrine)!.description}</p> : null}
            {strings(how?.steps).length ? (
              <div class="guide-list">
                <h4>{ta('guide.injectorSteps')}</h4>
                <ol>
                  {strings(how?.steps).map((x, i) => (
                    <li key={i}>{x}</li>
                  ))}
                </ol>
              </div>
            ) : null}
            <List title={ta('guide.dose')} items={[...bands, ...strings(dose?.notes)]} />
            <List title={ta('guide.storage')} items={strings(epi?.storage)} cls="guide-storage" />
          </div>
        </div>
        <List title={ta('guide.always')} items={strings(severe?.always)} cls="guide-always" />
        {mild ? (
          <div class="guide-emergency-mild">
            <List title={`${mild.title ?? ta('guide.mild')} — ${ta('guide.signs')}`} items={strings(mild.symptoms)} />
            <List title={ta('guide.actions')} items={strings(mild.actions)} />
          </div>
        ) : null}
        <List title={ta('guide.after')} items={strings(ap.after_reaction)} />
      </>
    );
  } else if (guidelines) {
    const levels: any[] = Array.isArray(guidelines.severity_levels) ? guidelines.severity_levels : [];
    body = (
      <>
        <div class="guide-emergency-grid">
          {levels.map((lv, i) => (
            <div class={`guide-emergency-box${lv?.level === 'severe' ? ' severe' : ''}`} key={i} data-testid={lv?.level === 'severe' ? 'guide-anaphylaxis' : undefined}>
              <h3>{lv?.name}</h3>
              {lv?.intro ? <p class="guide-note-line">{lv.intro}</p> : null}
              <List title={ta('guide.signs')} items={strings(lv?.symptoms)} />
              <List title={ta('guide.actions')} items={strings(lv?.actions)} />
            </div>
          ))}
        </div>
        <List title={ta('guide.always')} items={strings(guidelines.always)} cls="guide-always" />
        <List title={ta('guide.after')} items={strings(guidelines.after_reaction)} />
      </>
    );
  }

  return (
    <section class="guide-section guide-emergency" data-testid="guide-emergency" data-level={plan.level ?? ''}>
      <h2>{ta('guide.emergency')}</h2>
      <div class="guide-119" data-testid="guide-119">
        <span class="guide-119-number">{number}</span>
        <span>{call}</span>
      </div>
      {body}
    </section>
  );
}

/** Every source the guide rests on: the allergens' (by id) and the emergency plan's (inline). */
function collectSources(p: Prescription, known: Record<string, SourceRef> | null | undefined): SourceRef[] {
  const out = new Map<string, SourceRef>();
  const add = (id: string) => {
    if (!out.has(id)) out.set(id, known?.[id] ?? { id, citation: id });
  };
  for (const tier of TIERS) {
    for (const e of p[tier] ?? []) {
      if (tier === 'low_risk') continue;
      (e.sources ?? []).forEach(add);
      (e.cross_reactivity ?? []).forEach((c) => c.source && add(c.source));
    }
  }
  const plan = p.emergency_plan ?? {};
  const ap = obj(plan.action_plan);
  const epi = obj(plan.epinephrine);
  const g = obj(plan.guidelines);
  for (const list of [ap?.sources, obj(ap?.emergency_contacts)?.sources, epi?.sources, g?.sources, obj(g?.emergency_contacts)?.sources]) {
    for (const s of sourceObjects(list)) if (!out.has(s.id)) out.set(s.id, known?.[s.id] ?? s);
  }
  return [...out.values()];
}

export function AllergyGuide(props: AllergyGuideProps) {
  const p = props.prescription;
  const results = [...props.results].sort((a, b) => b.grade - a.grade || (a.name_ko ?? a.allergen).localeCompare(b.name_ko ?? b.allergen, 'ko'));
  const names = new Map<string, string>();
  for (const r of props.results) if (r.name_ko) names.set(r.allergen, r.name_ko);
  const nameOf = (code: string) => names.get(code) ?? code;
  const high = results.filter((r) => r.risk_level === 'high_risk').length;
  const max = results.length ? Math.max(...results.map((r) => r.grade)) : null;
  const bounds = props.gradeBounds && props.gradeBounds.length === 6 ? props.gradeBounds : DEFAULT_GRADE_BOUNDS;
  const sources = collectSources(p, props.sources);
  const printable = props.printable !== false;

  return (
    <article class="allergy-guide allergy-print print-target" data-testid={props.testid ?? 'allergy-guide'} data-knowledge-version={props.knowledgeVersion}>
      {printable || props.actions ? (
        <div class="guide-toolbar no-print">
          {props.actions}
          {printable && isTauri() ? (
            <DesktopPdf fileName={pdfName(props)} />
          ) : printable ? (
            <>
              <span class="muted small guide-print-hint">{ta('guide.printHint')}</span>
              <button type="button" class="btn btn-primary" data-testid="guide-print" onClick={() => window.print()}>
                {ta('guide.print')}
              </button>
            </>
          ) : null}
        </div>
      ) : null}

      <header class="guide-head">
        {props.clinicName ? <div class="guide-clinic">{props.clinicName}</div> : null}
        <h1>{ta('guide.title')}</h1>
        <dl class="guide-meta" data-testid="guide-meta">
          {props.patient ? (
            <>
              <div>
                <dt>{ta('guide.name')}</dt>
                <dd data-testid="guide-patient-name">{props.patient.name}</dd>
              </div>
              {props.patient.patient_number ? (
                <div>
                  <dt>{ta('guide.number')}</dt>
                  <dd class="mono">{props.patient.patient_number}</dd>
                </div>
              ) : null}
              {props.patient.birth_date ? (
                <div>
                  <dt>{ta('guide.birth')}</dt>
                  <dd class="mono">{formatDate(props.patient.birth_date)}</dd>
                </div>
              ) : null}
            </>
          ) : null}
          <div>
            <dt>{ta('guide.date')}</dt>
            <dd class="mono" data-testid="guide-date">
              {formatDate(props.diagnosisDate)}
            </dd>
          </div>
          {props.kitSerial ? (
            <div>
              <dt>{ta('guide.kit')}</dt>
              <dd class="mono" data-testid="guide-kit">
                {props.kitSerial}
              </dd>
            </div>
          ) : null}
          {props.doctorName ? (
            <div>
              <dt>{ta('guide.doctor')}</dt>
              <dd>{props.doctorName}</dd>
            </div>
          ) : null}
        </dl>
      </header>

      <section class="guide-section" data-testid="guide-results">
        <h2>
          {ta('guide.results')}{' '}
          <span class="guide-range" data-testid="guide-summary">
            {ta('guide.summary', { n: results.length, high, max: max ?? '—' })}
          </span>
        </h2>
        <table class="guide-table">
          <thead>
            <tr>
              <th>{ta('guide.col.allergen')}</th>
              <th class="center">{ta('guide.col.grade')}</th>
              <th class="num">{ta('guide.col.kul')}</th>
              <th>{ta('guide.col.tier')}</th>
              <th>{ta('guide.col.meaning')}</th>
            </tr>
          </thead>
          <tbody>
            {results.map((r) => (
              <tr key={r.allergen} data-testid="guide-result-row" data-allergen={r.allergen} data-grade={r.grade} data-tier={r.risk_level}>
                <td class="nowrap strong">{r.name_ko ?? r.allergen}</td>
                <td class="center">
                  <GradeBadge grade={r.grade} tier={r.risk_level} />
                </td>
                <td class="num mono">{r.ku_l ?? <span class="muted">—</span>}</td>
                <td class="nowrap">
                  <TierBadge tier={r.risk_level} />
                </td>
                <td class="wrap">
                  {r.grade_label ? <b>{r.grade_label}</b> : null}
                  {r.grade_description ? <span class="guide-meaning"> {r.grade_description}</span> : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <p class="guide-scale" data-testid="guide-scale">
          {ta('guide.scale')}: {scaleText(bounds)}
        </p>
      </section>

      {TIERS.map((tier) => (
        <TierSection key={tier} tier={tier} entries={p[tier] ?? []} />
      ))}

      <Cautions rows={p.cross_reactive_cautions ?? []} nameOf={nameOf} />

      <Emergency plan={p.emergency_plan ?? {}} />

      {(p.disclaimer ?? []).length ? (
        <section class="guide-section guide-disclaimer" data-testid="guide-disclaimer">
          <h2>{ta('guide.disclaimer')}</h2>
          <ul>
            {p.disclaimer.map((x, i) => (
              <li key={i}>{x}</li>
            ))}
          </ul>
        </section>
      ) : null}

      {sources.length ? (
        <section class="guide-section guide-sources" data-testid="guide-sources">
          <h2>{ta('guide.sources')}</h2>
          <ol>
            {sources.map((s) => (
              <li key={s.id} data-source-id={s.id}>
                {s.citation}
                {s.url ? <span class="guide-url"> {s.url}</span> : null}
              </li>
            ))}
          </ol>
        </section>
      ) : null}

      <footer class="guide-foot" data-testid="guide-footer">
        <span>{ta('guide.footer', { version: props.knowledgeVersion, time: formatDateTime(new Date().toISOString()) })}</span>
        <span>{ta('guide.footerNote')}</span>
      </footer>
    </article>
  );
}

/** `알레르기안내-P-2026-0001-2026-12-07`: who and when, for the saved file's name. */
function pdfName(props: AllergyGuideProps): string {
  return ['알레르기안내', props.patient?.patient_number, props.diagnosisDate].filter(Boolean).join('-');
}

/**
 * On the desktop, the guide is saved as a PDF by the window itself (A4, the print layout;
 * `src-tauri/src/pdf.rs`), and printed through the system dialog.
 */
function DesktopPdf({ fileName }: { fileName: string }) {
  const [state, setState] = useState<{ busy: boolean; saved?: string; error?: string }>({ busy: false });
  const save = async () => {
    setState({ busy: true });
    try {
      setState({ busy: false, saved: await savePdf(fileName) });
    } catch (e) {
      setState({ busy: false, error: String((e as Error)?.message ?? e) });
    }
  };
  return (
    <>
      {state.saved ? (
        <span class="small guide-pdf-saved" role="status" data-testid="guide-pdf-saved">
          {ta('guide.savedPdf', { path: state.saved })}
        </span>
      ) : state.error ? (
        <span class="small error-text" role="alert">
          {ta('guide.savePdfFailed', { reason: state.error })}
        </span>
      ) : null}
      <button type="button" class="btn" data-testid="guide-print" onClick={() => window.print()}>
        {ta('guide.printOnly')}
      </button>
      <button type="button" class="btn btn-primary" data-testid="guide-save-pdf" disabled={state.busy} onClick={save}>
        {state.busy ? ta('guide.savingPdf') : ta('guide.savePdf')}
      </button>
    </>
  );
}

