// The patient's side of the API (`/auth/simple/*`, `/consumer/*`): shapes and calls. Everything
// goes through the one api() helper; a sign-up or login starts its session with the same
// machinery as a staff login (api.ts startSession: the refresh token stays in the server's
// HttpOnly cookie over HTTP).

import { api, ApiError, startSession } from '../../api';
import { describeError } from '../../logic/errors';
import type { AuthTokens, User } from '../../types';
import { hasPatientKey, pt } from './text';

export type RiskLevel = 'high_risk' | 'moderate_risk' | 'low_risk';

export interface Identity {
  name: string;
  phone?: string | null;
  birth_date?: string | null;
}

export interface SimpleRegistered extends AuthTokens {
  /** Six digits, shown once: the PIN of every later simple login. */
  access_pin: string;
  patient_id: string;
  diagnosis_id: string;
}

export interface DiagnosisListItem {
  id: string;
  diagnosis_date: string;
  summary: { high_risk_allergens: string[]; max_grade: number | null; total_tested: number };
}

export interface DiagnosisResult {
  allergen: string;
  name_ko: string | null;
  grade: number;
  grade_label: string | null;
  grade_description: string | null;
  ku_l: number | null;
  risk_level: RiskLevel | string;
}

export interface DiagnosisDetail {
  id: string;
  diagnosis_date: string;
  knowledge_version: string;
  results: DiagnosisResult[];
}

export interface PerAllergen {
  allergen: string;
  code: string;
  grade?: number;
  foods?: string[];
  sources?: string[];
  alternatives?: string[];
  symptoms?: string[];
  tips?: string[];
}

export interface CrossCaution {
  allergen: string;
  code: string;
  because_of: string[];
  probability: 'high' | 'medium' | 'low' | string;
  rate: string | null;
  mechanism: string | null;
  related_foods: string[];
  advice: string | null;
  tested_grade: number | null;
}

export interface SourceRef {
  id?: string;
  citation: string;
  url?: string | null;
}

export interface CommonTip {
  title?: string;
  category?: string;
  applies_to?: string[];
  tips?: string[];
}

export interface Epinephrine {
  what_is_epinephrine?: { description?: string; details?: string[]; prescription_required?: boolean };
  when_to_use?: { rules?: string[]; signs?: string[] };
  how_to_use?: { steps?: string[]; after_injection?: string[] };
  storage?: string[];
  dose?: { bands?: { text: string }[]; notes?: string[] };
  emergency_contacts?: EmergencyContacts;
  sources?: SourceRef[];
}

export interface EmergencyContacts {
  emergency?: string;
  label?: string;
  description?: string;
}

export interface PatientGuide {
  diagnosis_id: string;
  diagnosis_date: string;
  knowledge_version: string;
  symptoms: { high_risk?: PerAllergen[]; moderate_risk?: PerAllergen[] };
  diet_management: {
    avoid?: PerAllergen[];
    hidden_sources?: PerAllergen[];
    substitutes?: PerAllergen[];
    cross_reactivity?: CrossCaution[];
  };
  lifestyle_tips: { allergen_specific?: PerAllergen[]; common_tips?: CommonTip[] };
  emergency: {
    anaphylaxis_signs?: string[];
    action_plan?: string[];
    always?: string[];
    epinephrine_guide?: Epinephrine;
    emergency_number?: string;
  };
  disclaimer: string[];
  sources: SourceRef[];
}

export interface SeverityLevel {
  level: string;
  name: string;
  intro?: string | null;
  symptoms?: string[];
  actions?: string[];
}

export interface Guidelines {
  severity_levels: SeverityLevel[];
  always: string[];
  after_reaction: string[];
  notes: string[];
  emergency_contacts: EmergencyContacts;
  sources: SourceRef[];
}

export interface ActionPlanPart {
  title?: string;
  intro?: string | null;
  symptoms?: string[];
  actions?: string[];
  always?: string[];
  epinephrine_instructions?: string[];
}

export interface ActionPlan {
  action_plans: { mild?: ActionPlanPart; severe?: ActionPlanPart };
  after_reaction: string[];
  notes: string[];
  emergency_contacts: EmergencyContacts;
  sources: SourceRef[];
}

export interface KitStatus {
  serial_number: string;
  status: 'issued' | 'result_entered' | 'registered' | string;
  test_date: string | null;
  message: string;
}

export interface KitRegistered {
  success: boolean;
  diagnosis_id: string;
  message: string;
}

/** Only the identity field chosen is sent (phone or birth date, never both). */
function identity(who: Identity): Record<string, string> {
  const out: Record<string, string> = { name: who.name.trim() };
  if (who.phone) out.phone = who.phone;
  else if (who.birth_date) out.birth_date = who.birth_date;
  return out;
}

/** Patient login: name + phone or birth date + the access PIN; the session starts at once. */
export async function patientLogin(who: Identity, accessPin: string): Promise<User> {
  const env = await api<AuthTokens>('POST', '/api/v1/auth/simple/login', { ...identity(who), access_pin: accessPin });
  return startSession(env.data);
}

/**
 * Patient sign-up with a kit. The session does not start here: the caller shows the access
 * PIN first and starts it (startSession) once the patient confirmed they noted it.
 */
export async function patientRegister(who: Identity, serial: string, kitPin: string): Promise<SimpleRegistered> {
  const env = await api<SimpleRegistered>('POST', '/api/v1/auth/simple/register', {
    ...identity(who),
    serial_number: serial.trim(),
    pin: kitPin.trim(),
  });
  return env.data;
}

export async function myDiagnoses(): Promise<DiagnosisListItem[]> {
  return (await api<{ items: DiagnosisListItem[] }>('GET', '/api/v1/consumer/my/diagnoses')).data?.items ?? [];
}

export async function myDiagnosis(id: string): Promise<DiagnosisDetail> {
  return (await api<DiagnosisDetail>('GET', `/api/v1/consumer/my/diagnoses/${encodeURIComponent(id)}`)).data;
}

export async function myGuide(id: string): Promise<PatientGuide> {
  return (await api<PatientGuide>('GET', `/api/v1/consumer/my/diagnoses/${encodeURIComponent(id)}/guide`)).data;
}

export async function emergencyPages(): Promise<{ guidelines: Guidelines; plan: ActionPlan; epinephrine: Epinephrine }> {
  const [g, p, e] = await Promise.all([
    api<Guidelines>('GET', '/api/v1/consumer/emergency/guidelines'),
    api<ActionPlan>('GET', '/api/v1/consumer/emergency/action-plan'),
    api<Epinephrine>('GET', '/api/v1/consumer/emergency/epinephrine'),
  ]);
  return { guidelines: g.data, plan: p.data, epinephrine: e.data };
}

export async function registerKit(serial: string, pin: string): Promise<KitRegistered> {
  return (await api<KitRegistered>('POST', '/api/v1/consumer/kit/register', { serial_number: serial.trim(), pin: pin.trim() })).data;
}

export async function kitStatus(serial: string): Promise<KitStatus> {
  return (await api<KitStatus>('GET', `/api/v1/consumer/kit/status/${encodeURIComponent(serial.trim())}`)).data;
}

/** A patient-facing message for an error of these endpoints (`signup`: a sign-up's 401 means the identity did not match). */
export function describePatientError(e: unknown, context: 'login' | 'signup' | 'other' = 'other'): string {
  if (e instanceof ApiError) {
    if (e.code === 'AUTH_INVALID_CREDENTIALS' && context !== 'other') {
      return pt(context === 'signup' ? 'auth.invalidSignup' : 'auth.invalidLogin');
    }
    if (e.code === 'RATE_LIMIT_EXCEEDED' && e.details && (e.details.retry_after_seconds !== undefined || e.details.locked)) {
      const seconds = Number(e.details.retry_after_seconds) || 60;
      return pt('auth.locked', { minutes: Math.max(1, Math.ceil(seconds / 60)) });
    }
    const key = `err.${e.code}`;
    if (hasPatientKey(key)) return pt(key);
  }
  return describeError(e);
}

/** Grade → one of the risk tiers, for a result the server sent without one. */
export function riskOf(r: Pick<DiagnosisResult, 'risk_level' | 'grade'>): RiskLevel {
  if (r.risk_level === 'high_risk' || r.risk_level === 'moderate_risk' || r.risk_level === 'low_risk') return r.risk_level;
  return r.grade >= 4 ? 'high_risk' : r.grade >= 2 ? 'moderate_risk' : 'low_risk';
}
