// Shapes of the allergy-care API (`/api/v1/pro/*`, `/customers/{id}/allergy-alert`), as the
// OpenAPI document gives them. Like types.ts: what the UI reads is typed, the loose parts of a
// prescription (the emergency plan) stay open so that a knowledge version adding a field never
// breaks the UI.

export type AllergenCategory = 'food' | 'inhalant' | 'other';
export const ALLERGEN_CATEGORIES: readonly AllergenCategory[] = ['food', 'inhalant', 'other'];

export type RiskTier = 'low_risk' | 'moderate_risk' | 'high_risk';
export const RISK_TIERS: readonly RiskTier[] = ['high_risk', 'moderate_risk', 'low_risk'];

export type Probability = 'high' | 'medium' | 'low';

export type KitStatus = 'issued' | 'result_entered' | 'registered';
export const KIT_STATUSES: readonly KitStatus[] = ['issued', 'result_entered', 'registered'];

/** `GET /pro/allergens` item. */
export interface Allergen {
  code: string;
  name_ko: string;
  name_en: string;
  aliases: string[];
  category: AllergenCategory;
  /** On the MFDS food-allergen labelling list (19 items). */
  mfds_labelling: boolean;
}

export interface AllergenList {
  knowledge_version: string;
  items: Allergen[];
}

export interface PersonRef {
  id: string;
  name: string;
}

/** `GET /pro/patients` item (phone masked). */
export interface PatientListItem {
  id: string;
  patient_number: string;
  name: string;
  phone: string;
  last_diagnosis: string | null;
  diagnosis_count: number;
}

export interface PatientList {
  items: PatientListItem[];
  page: number;
  pages: number;
  total: number;
}

/** `GET /pro/patients/{id}`. The patient id is the customer id. */
export interface Patient {
  id: string;
  customer_id: string;
  patient_number: string;
  name: string;
  phone: string;
  birth_date: string | null;
  assigned_doctor: PersonRef | null;
  consent_signed: boolean;
  diagnosis_count: number;
  last_diagnosis: string | null;
  registered_at: string;
}

/** `POST /pro/patients/new` answer. */
export interface PatientCreated {
  patient_id: string;
  patient_number: string;
  message?: string;
  success?: boolean;
}

/** One possible same person named by a 409 DUPLICATE_CUSTOMER. */
export interface DuplicateCandidate {
  customer_id: string;
  name: string;
  phone: string | null;
  last_visit_date: string | null;
  membership_level?: string | null;
}

/** What the diagnosis endpoint takes for one allergen: a grade or a kU/L value. */
export interface ResultInput {
  allergen: string;
  grade?: number;
  ku_l?: number;
}

export interface DiagnosisResult {
  allergen: string;
  name_ko: string | null;
  grade: number;
  ku_l: number | null;
  grade_label: string | null;
  grade_description: string | null;
  risk_level: RiskTier;
}

export interface DiagnosisSummary {
  total_tested: number;
  high_risk_count: number;
  max_grade: number | null;
}

export interface CrossReaction {
  allergen: string;
  name_ko: string;
  probability: Probability;
  /** The published clinical rate (">90%", "30–40%"), or null for a qualitative tier. */
  rate: string | null;
  basis: string;
  mechanism: string | null;
  note?: string | null;
  related_foods: string[];
  source: string;
  /** The other allergen's grade when it was tested too. */
  tested_grade: number | null;
}

export interface PrescriptionEntry {
  allergen: string;
  name_ko: string;
  name_en: string;
  category: AllergenCategory;
  grade: number;
  ku_l?: number | null;
  grade_label: string;
  grade_description: string;
  risk_tier: RiskTier;
  avoid_foods: string[];
  hidden_sources: string[];
  substitutes: string[];
  symptoms: string[];
  lifestyle_tips: string[];
  cross_reactivity: CrossReaction[];
  sources: string[];
}

/** An allergen not tested (or tested low) that cross-reacts with a positive one. */
export interface CrossReactiveCaution {
  allergen: string;
  name_ko: string;
  because_of: string[];
  probability: Probability;
  rate: string | null;
  mechanism: string | null;
  related_foods: string[];
  advice: string;
  tested_grade: number | null;
}

/** A cited source as the knowledge base and the emergency plan give it. */
export interface SourceRef {
  id: string;
  citation: string;
  url?: string | null;
}

export interface Prescription {
  high_risk: PrescriptionEntry[];
  moderate_risk: PrescriptionEntry[];
  low_risk: PrescriptionEntry[];
  cross_reactive_cautions: CrossReactiveCaution[];
  /**
   * `level: 'anaphylaxis_plan'` (a high-risk result): `action_plan`, `epinephrine`; otherwise
   * `guidelines` with `severity_levels`. Read defensively (components/AllergyGuide.tsx).
   */
  emergency_plan: Record<string, any>;
  disclaimer: string[];
  knowledge_version: string;
}

/** `POST /pro/diagnosis` answer. */
export interface DiagnosisCreated {
  diagnosis_id: string;
  patient_id: string;
  diagnosis_date: string;
  knowledge_version: string;
  results: DiagnosisResult[];
  summary: DiagnosisSummary;
  prescription: Prescription;
}

/** `GET /pro/diagnosis/{id}`. */
export interface DiagnosisDetail {
  id: string;
  diagnosis_date: string;
  kit_serial: string | null;
  knowledge_version: string;
  patient: { id: string; name: string; patient_number: string; birth_date: string | null };
  results: DiagnosisResult[];
  summary: DiagnosisSummary;
  prescription: Prescription;
  created_at: string;
  created_by: PersonRef | null;
}

export interface DiagnosisListItem {
  id: string;
  diagnosis_date: string;
  kit_serial: string | null;
  knowledge_version: string;
  summary: DiagnosisSummary;
}

/** `GET /pro/diagnosis/patient/{id}`. */
export interface PatientDiagnoses {
  patient: { id: string; name: string; patient_number: string };
  diagnoses: DiagnosisListItem[];
  total: number;
}

/** `GET /customers/{id}/allergy-alert`. */
export interface AllergyAlert {
  customer_id: string;
  patient_number: string | null;
  high_risk_allergens: { allergen: string; name_ko: string }[];
  diagnosis_date: string | null;
}

/** `GET /pro/dashboard/stats`. */
export interface AllergyDashboard {
  period: string;
  diagnoses: { total: number; this_month: number; previous_month: number; trend: string | null };
  patients: { total: number; new_this_month: number };
  allergen_distribution: { allergen: string; name_ko: string | null; count: number; percentage: number }[];
  grade_distribution: { grade: number; count: number }[];
}

export interface Kit {
  serial_number: string;
  batch: string;
  status: KitStatus;
  issued_at: string;
  test_date: string | null;
  patient_id: string | null;
  diagnosis_id: string | null;
  registered_at: string | null;
}

export interface KitList {
  items: Kit[];
  page: number;
  pages: number;
  total: number;
}

export interface KitIssued {
  batch: string;
  issued: number;
  serial_numbers: string[];
}

export interface KnowledgeVersionSummary {
  version: string;
  published_at: string;
  published_by: PersonRef | null;
  content_hash: string;
  current: boolean;
  builtin: boolean;
}

export interface KnowledgeVersions {
  current: string;
  versions: KnowledgeVersionSummary[];
}

/** One class of the grade scale in a knowledge document (`grades.grades[]`). */
export interface KnowledgeGrade {
  grade: number;
  label_ko?: string;
  description_ko?: string;
  min_kU_L: number | null;
  max_kU_L: number | null;
  range_text?: string;
  risk_tier?: RiskTier;
}

/** The whole document of a version (`knowledge/README.md`); only what the UI reads is typed. */
export interface KnowledgeDocument {
  version?: string | null;
  published_at?: string | null;
  allergens: Record<string, any>[];
  grades: { grades?: KnowledgeGrade[]; unit?: string; [k: string]: unknown };
  emergency: Record<string, any>;
  sources: SourceRef[];
  [k: string]: unknown;
}

export interface KnowledgeVersionDetail extends KnowledgeVersionSummary {
  document: KnowledgeDocument;
}

export interface KnowledgePublished {
  version: string;
  published_at: string;
  allergen_count: number;
  content_hash: string;
}
