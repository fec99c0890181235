// Allergy care, the pure parts: reading what a doctor types into a result cell (a grade or a
// kU/L value), the grade a kU/L value falls in, the request the diagnosis endpoint takes, the
// rows a 422 names, kit lines, and who may do what.

import { ApiError } from '../api';
import type { Allergen, KnowledgeGrade, ResultInput, RiskTier } from '../allergyTypes';
import { fieldErrorsOf } from './errors';
import type { Role } from '../types';

// ---------------------------------------------------------------------------------------------
// Roles

/** Patients, diagnoses, kits: doctors and administrators. */
export function canDoAllergyCare(role: Role | string | undefined): boolean {
  return role === 'doctor' || role === 'admin';
}

/** The allergy dashboard (no personal data): also managers. */
export function canSeeAllergyStats(role: Role | string | undefined): boolean {
  return role === 'doctor' || role === 'admin' || role === 'manager';
}

/** Reading the knowledge base: doctors and administrators; publishing: administrators. */
export function canReadKnowledge(role: Role | string | undefined): boolean {
  return canDoAllergyCare(role);
}

export function canPublishKnowledge(role: Role | string | undefined): boolean {
  return role === 'admin';
}

// ---------------------------------------------------------------------------------------------
// Grades

/**
 * The lower bounds (kU/L) of grades 1–6 of the specific-IgE class scale: a value at a bound is
 * in the grade above it (0.35 is grade 1, 0.70 grade 2 …). The server converts with the scale
 * of its current knowledge version; these are its built-in values, used until that is known.
 */
export const DEFAULT_GRADE_BOUNDS: readonly number[] = [0.35, 0.7, 3.5, 17.5, 50, 100];

/** The grade (0–6) a kU/L value falls in: bounds are inclusive below, exclusive above. */
export function gradeOfKuL(kuL: number, bounds: readonly number[] = DEFAULT_GRADE_BOUNDS): number {
  let grade = 0;
  for (const b of bounds) if (kuL >= b) grade++;
  return Math.min(grade, 6);
}

/**
 * The bounds of a knowledge version's scale (`grades.grades[]` with `min_kU_L`), or null when
 * the document does not give a usable scale of seven classes.
 */
export function boundsFromGrades(grades: KnowledgeGrade[] | null | undefined): number[] | null {
  if (!Array.isArray(grades) || grades.length !== 7) return null;
  const sorted = [...grades].sort((a, b) => a.grade - b.grade);
  const bounds: number[] = [];
  for (let g = 1; g <= 6; g++) {
    const min = sorted[g]?.min_kU_L;
    if (typeof min !== 'number' || !Number.isFinite(min)) return null;
    if (bounds.length && min <= bounds[bounds.length - 1]) return null;
    bounds.push(min);
  }
  return bounds;
}

/** Risk tier of a grade as the built-in scale has it (0–1 low, 2–3 moderate, 4–6 high). */
export function riskTierOf(grade: number): RiskTier {
  if (grade >= 4) return 'high_risk';
  if (grade >= 2) return 'moderate_risk';
  return 'low_risk';
}

/** A bound as people write it: 0.35, 0.70, 3.5, 17.5, 50, 100. */
export function formatBound(b: number): string {
  return b < 1 ? b.toFixed(2) : String(b);
}

// ---------------------------------------------------------------------------------------------
// A result cell

export type ParsedResult =
  | { kind: 'empty' }
  | { kind: 'grade'; grade: number }
  /** `grade`: the grade the value falls in (a preview: the server decides). */
  | { kind: 'kul'; kuL: number; grade: number }
  | { kind: 'invalid'; reason: 'grade_range' | 'format' };

const UNIT = /\s*k\s*u\s*a?\s*(?:\/\s*l)?\s*$/i;
const NUMBER = /^(?:\d+(?:\.\d*)?|\.\d+)$/;

/**
 * What a doctor typed into a result cell:
 *  - nothing: not tested;
 *  - a whole number 0–6: a grade (7 or more is refused: a kU/L value is written `12 kU` or `12.0`);
 *  - a decimal (`2.1`, `0.35`, `.5`) or a number with `kU`, `kU/L`, `kUA/L` (`12 kU`): a kU/L value.
 * Full-width digits (an IME) count as digits; anything else is refused.
 */
export function parseResultInput(raw: string, bounds: readonly number[] = DEFAULT_GRADE_BOUNDS): ParsedResult {
  const s = raw
    .replace(/[０-９．]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .trim();
  if (s === '') return { kind: 'empty' };
  const hasUnit = UNIT.test(s);
  const num = s.replace(UNIT, '').trim();
  if (!NUMBER.test(num)) return { kind: 'invalid', reason: 'format' };
  if (!hasUnit && /^\d+$/.test(num)) {
    const grade = Number(num);
    return grade <= 6 ? { kind: 'grade', grade } : { kind: 'invalid', reason: 'grade_range' };
  }
  const kuL = Number(num);
  if (!Number.isFinite(kuL)) return { kind: 'invalid', reason: 'format' };
  return { kind: 'kul', kuL, grade: gradeOfKuL(kuL, bounds) };
}

/** The grade a parsed cell stands for (the preview for kU/L), or null. */
export function gradeOf(p: ParsedResult): number | null {
  return p.kind === 'grade' || p.kind === 'kul' ? p.grade : null;
}

/**
 * The `results` of a diagnosis from the cells, in the order of `allergens` (the grid's order),
 * with the allergen code of each sent entry (`codes[i]` is `results[i]`, so that a 422 naming
 * `results[i].grade` finds its row). Empty cells are left out; invalid ones are returned apart.
 */
export function buildResults(
  allergens: readonly Pick<Allergen, 'code'>[],
  values: Readonly<Record<string, string>>,
  bounds: readonly number[] = DEFAULT_GRADE_BOUNDS,
): { results: ResultInput[]; codes: string[]; invalid: string[] } {
  const results: ResultInput[] = [];
  const codes: string[] = [];
  const invalid: string[] = [];
  for (const a of allergens) {
    const p = parseResultInput(values[a.code] ?? '', bounds);
    if (p.kind === 'empty') continue;
    if (p.kind === 'invalid') {
      invalid.push(a.code);
      continue;
    }
    results.push(p.kind === 'grade' ? { allergen: a.code, grade: p.grade } : { allergen: a.code, ku_l: p.kuL });
    codes.push(a.code);
  }
  return { results, codes, invalid };
}

export interface DiagnosisErrors {
  /** Message per allergen code (row). */
  rows: Record<string, string>;
  /** Messages of the other fields of the form. */
  fields: { diagnosis_date?: string; kit_serial?: string; patient_id?: string };
  /** Messages that belong to no row or field (shown above the grid). */
  general: string[];
}

/**
 * Where the errors of a failed diagnosis save go: a 422's `results[3].grade` to the row of the
 * fourth result sent (`codes[3]`), `diagnosis_date` and `kit_serial` to their fields, a kit the
 * server does not know or has used for another patient to the kit field; the rest above the grid.
 */
export function diagnosisErrors(e: unknown, codes: readonly string[], describe: (e: unknown) => string): DiagnosisErrors {
  const out: DiagnosisErrors = { rows: {}, fields: {}, general: [] };
  if (e instanceof ApiError && (e.code === 'KIT_NOT_FOUND' || e.code === 'KIT_ALREADY_USED')) {
    out.fields.kit_serial = describe(e);
    return out;
  }
  const listed = fieldErrorsOf(e);
  if (listed.length === 0) {
    out.general.push(describe(e));
    return out;
  }
  for (const fe of listed) {
    const m = /^results\[(\d+)\]/.exec(fe.field);
    const code = m ? codes[Number(m[1])] : undefined;
    if (code) {
      if (!out.rows[code]) out.rows[code] = fe.message;
    } else if (fe.field === 'diagnosis_date' || fe.field === 'kit_serial' || fe.field === 'patient_id') {
      if (!out.fields[fe.field]) out.fields[fe.field] = fe.message;
    } else {
      out.general.push(fe.message);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Finding an allergen by name or alias

/** Case, spaces and the separators `_ - . ' ·` ignored (as the server compares names). */
export function normalizeName(s: string): string {
  return s.toLowerCase().replace(/[\s_\-.'’·()]/g, '');
}

/** Whether the allergen's code, names or an alias contain the query. */
export function matchesAllergen(a: Pick<Allergen, 'code' | 'name_ko' | 'name_en' | 'aliases'>, query: string): boolean {
  const q = normalizeName(query);
  if (q === '') return true;
  return [a.code, a.name_ko, a.name_en, ...(a.aliases ?? [])].some((n) => normalizeName(n).includes(q));
}

// ---------------------------------------------------------------------------------------------
// Kits: one `serial,pin` per line

export const MAX_KITS = 100;

export interface KitLine {
  /** 1-based line number in the text. */
  line: number;
  serial_number: string;
  pin: string;
}

export type KitLineProblem = 'columns' | 'serial' | 'pin' | 'duplicate';

/**
 * The kits of a pasted list: one `serial,pin` per line (a comma, a tab, a semicolon or spaces
 * between them), blank lines skipped. Serials as the server stores them (upper case, 4–40 of
 * A–Z 0–9 and hyphens), PINs of 4–12 digits. Every bad line is named with what is wrong.
 */
export function parseKitLines(text: string): { kits: KitLine[]; problems: { line: number; problem: KitLineProblem }[] } {
  const kits: KitLine[] = [];
  const problems: { line: number; problem: KitLineProblem }[] = [];
  const seen = new Set<string>();
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = i + 1;
    const s = raw.trim();
    if (s === '') return;
    const parts = s.split(/\s*[,\t;]\s*|\s+/).filter((p) => p !== '');
    if (parts.length !== 2) {
      problems.push({ line, problem: 'columns' });
      return;
    }
    const serial = parts[0].toUpperCase();
    const pin = parts[1];
    if (!/^[A-Z0-9-]{4,40}$/.test(serial)) {
      problems.push({ line, problem: 'serial' });
      return;
    }
    if (!/^\d{4,12}$/.test(pin)) {
      problems.push({ line, problem: 'pin' });
      return;
    }
    if (seen.has(serial)) {
      problems.push({ line, problem: 'duplicate' });
      return;
    }
    seen.add(serial);
    kits.push({ line, serial_number: serial, pin });
  });
  return { kits, problems };
}

// ---------------------------------------------------------------------------------------------
// Months (the dashboard's period)

/** `YYYY-MM` plus `n` months. */
export function addMonths(month: string, n: number): string {
  const y = Number(month.slice(0, 4));
  const m = Number(month.slice(5, 7)) - 1 + n;
  const yy = y + Math.floor(m / 12);
  const mm = ((m % 12) + 12) % 12;
  return `${yy}-${String(mm + 1).padStart(2, '0')}`;
}

export function isMonth(s: string | null | undefined): s is string {
  return !!s && /^\d{4}-(0[1-9]|1[0-2])$/.test(s);
}
