// A customer's analytics, behaviour, segment and recommendations (issue 11, managers and
// administrators): the API's shapes and the pure rules the customer detail's 분석 and 추천 tabs
// and the 경영 분석 screen's 고객 세그먼트 section show them by.

import { ApiError } from '../api';
import type { DateRange, Unavailable } from './analytics';

// ---------------------------------------------------------------------------------------------
// `GET /api/v1/customers/{id}/analytics?period=`

export type CustomerPeriod = '30d' | '90d' | '180d' | '1y';
export const CUSTOMER_PERIODS: CustomerPeriod[] = ['30d', '90d', '180d', '1y'];
/** What the server answers for no period. */
export const DEFAULT_CUSTOMER_PERIOD: CustomerPeriod = '90d';

export interface WeekdayCount {
  day: string;
  label: string;
  visits: number;
  share: number | null;
}

export interface TimeSlotCount {
  slot: string;
  label: string;
  visits: number;
  share: number | null;
}

export interface VisitPattern {
  average_interval_days: number | null;
  visit_frequency: string | null;
  visit_frequency_label: string | null;
  preferred_days: string[];
  preferred_days_label: string[];
  preferred_times: string[];
  consistency_score: number | null;
  interval_cv: number | null;
  visits_in_period: number;
  visit_days_in_period: number;
  weekday_distribution: WeekdayCount[];
  time_distribution: TimeSlotCount[];
  monthly_visits: { month: string; visits: number }[];
  unavailable: Unavailable[];
}

export interface ServiceUsageRow {
  service: string;
  name: string;
  visits: number;
  share: number | null;
  average_rating: number | null;
  rating_count: number;
  previous_visits: number;
  growth_rate: number | null;
  last_used: string | null;
}

export interface ServiceUsage {
  most_used_service: string | null;
  most_used_service_name: string | null;
  services: ServiceUsageRow[];
  total_visits: number;
  previous_period?: DateRange;
  growth_note?: string | null;
  unavailable: Unavailable[];
}

export interface RevenueMonth {
  month: string;
  amount: number;
  visit_amount: number;
  purchase_amount: number;
}

export interface LtvSteps {
  method: string;
  historical_revenue: number;
  tenure_months: number | null;
  average_monthly_revenue: number | null;
  monthly_churn_rate: number | null;
  expected_remaining_months: number | null;
  projected_revenue: number | null;
  assumptions: string[];
}

export interface RevenueContribution {
  total_revenue: number;
  visit_revenue: number;
  purchase_revenue: number;
  average_monthly_revenue: number | null;
  revenue_trend: RevenueMonth[];
  lifetime_revenue: number;
  ltv_estimate: number | null;
  ltv?: LtvSteps | null;
  revenue_percentile: number | null;
  compared_customers?: number | null;
  unavailable: Unavailable[];
}

export interface MetricChange {
  label: string;
  before: number;
  after: number;
  change: number;
  direction: string;
  direction_label: string;
}

export interface HealthMetrics {
  reported_improvements: Record<string, MetricChange>;
  single_reports: { metric: string; label: string; value: number; date: string }[];
  improvement_rate: number | null;
  goal_achievement_rate: number | null;
  recommendation_compliance: number | null;
  unavailable: Unavailable[];
}

export interface ModelStatus {
  status: string;
  model_version: string | null;
  horizon_days: number | null;
}

export interface RiskFactor {
  code: string;
  label: string;
  detail: string;
  severity: string;
}

export interface NextAction {
  action: string;
  label: string;
  priority: string;
  reason: string;
  service?: string | null;
  service_name?: string | null;
}

export interface RiskAssessment {
  churn_risk: string | null;
  churn_risk_label: string | null;
  /** Percent (15 = 15 %), unlike the behaviour's 0–1. */
  churn_probability: number | null;
  churn_model: ModelStatus;
  days_since_last_visit: number | null;
  usual_interval_days: number | null;
  risk_factors: RiskFactor[];
  retention_score: number | null;
  retention?: { score: number; recency: number; frequency: number; satisfaction: number; package: number; formula: string } | null;
  next_action_recommendation: string | null;
  next_action_reason: string | null;
  next_actions: NextAction[];
  unavailable: Unavailable[];
}

export interface CustomerAnalytics {
  customer_id: string;
  period: string;
  date_range: DateRange;
  analysed_from: string;
  visitPattern?: VisitPattern;
  serviceUsage?: ServiceUsage;
  revenueContribution?: RevenueContribution;
  healthMetrics?: HealthMetrics;
  riskAssessment?: RiskAssessment;
}

// ---------------------------------------------------------------------------------------------
// `GET /api/v1/analytics/customers/{id}/behavior`

export interface CustomerBehavior {
  customer_id: string;
  behavior_score: number | null;
  score_components: { recency: number | null; frequency: number | null; monetary: number | null; engagement: number | null; formula: string };
  purchase_history: {
    total_visits: number;
    total_purchases: number;
    total_spent: number;
    visit_spent: number;
    package_spent: number;
    average_purchase_value: number | null;
    last_purchase_date: string | null;
    last_visit_date: string | null;
    purchase_frequency: string;
    purchase_frequency_label: string;
  };
  favorite_services: { service: string; service_name: string; visit_count: number; share: number | null; average_rating: number | null; last_used: string | null }[];
  engagement: {
    window_days: number;
    visits: number;
    visits_per_month: number;
    ratings_given: number;
    rated_visit_share: number | null;
    average_rating_given: number | null;
    distinct_services: number;
  };
  churn_prediction: {
    risk_level: string | null;
    risk_label: string | null;
    /** 0–1. */
    probability: number | null;
    last_activity_days: number | null;
    model: ModelStatus;
  };
  next_best_actions: NextAction[];
  unavailable: Unavailable[];
}

// ---------------------------------------------------------------------------------------------
// `GET /api/v1/customers/segments/{id}`

export interface Comparison {
  group: string;
  group_label: string;
  customers: number;
  visit_frequency_percentile: number | null;
  spending_percentile: number | null;
  satisfaction_percentile: number | null;
  recency_percentile: number | null;
  median_visits: number | null;
  median_revenue: number | null;
  median_days_since_last_visit: number | null;
  median_rating: number | null;
  unavailable: Unavailable[];
}

export type CharacteristicKey = 'visit_frequency' | 'spending_level' | 'service_diversity' | 'loyalty_level';
export const CHARACTERISTICS: CharacteristicKey[] = ['visit_frequency', 'spending_level', 'service_diversity', 'loyalty_level'];

export interface CustomerSegment {
  customer_id: string;
  model_version: string;
  primary_segment: string | number;
  primary_segment_name: string;
  /** The persona's description from the model (given by the server beyond the spec). */
  segment_description?: string | null;
  secondary_segments: string[];
  secondary_segments_label: string[];
  characteristics: Partial<Record<CharacteristicKey, string>>;
  characteristics_label: Partial<Record<CharacteristicKey, string>>;
  characteristic_notes: string[];
  peer_comparison: Comparison | null;
  overall_comparison: Comparison | null;
  customer_values: {
    visits: number | null;
    revenue: number | null;
    days_since_last_visit: number | null;
    average_rating: number | null;
    services_used: number | null;
    tenure_days: number | null;
  };
  unavailable: Unavailable[];
}

// ---------------------------------------------------------------------------------------------
// Recommendations

export type RecType = 'service' | 'package' | 'schedule';
export const REC_TYPES: RecType[] = ['service', 'package', 'schedule'];
export type RecAlgorithm = 'hybrid' | 'collaborative' | 'content_based';
export const REC_ALGORITHMS: RecAlgorithm[] = ['hybrid', 'collaborative', 'content_based'];
/** How many recommendations the tab asks for. */
export const REC_COUNT = 5;

export interface Recommendation {
  recommendation_id: string;
  type: RecType;
  item: { code: string; name: string };
  score: number;
  reasons: string[];
  algorithm: string;
  service_details?: {
    service_type?: string;
    category?: string;
    intensity?: string;
    duration_minutes?: number;
    price?: number;
    suggested_schedule?: { frequency?: string; duration?: string; best_times?: string[] };
  } | null;
  package_details?: {
    package_id?: string;
    sessions?: Record<string, number>;
    total_sessions?: number;
    price?: number;
    validity_days?: number;
    list_price?: number | null;
    savings?: number | null;
    holding?: { remaining_sessions: number; expiry_date: string; days_remaining: number; status: string } | null;
  } | null;
  schedule?: { date: string; weekday: string; hour: number; time: string; services: string[]; service_names: string[]; duration_minutes?: number } | null;
}

export interface RecommendationAnswer {
  customer_id: string;
  type: RecType;
  algorithm: string;
  recommendations: Recommendation[];
  recommendation_metadata?: {
    generated_at?: string;
    data_as_of?: string;
    customers_in_model?: number;
    factors_considered?: string[];
  } | null;
  /** Why the list is empty, when the server says (not in the spec; shown if given). */
  reason?: string | null;
  unavailable?: Unavailable[];
}

export type FeedbackAction = 'accepted' | 'rejected' | 'ignored';
export const FEEDBACK_ACTIONS: FeedbackAction[] = ['accepted', 'rejected', 'ignored'];
/** The longest feedback comment the server takes. */
export const MAX_COMMENT = 500;

export interface FeedbackBody {
  action: FeedbackAction;
  feedback_score?: number;
  comment?: string;
}

export interface FeedbackAnswer {
  feedback_id: string;
  recommendation_id: string;
  customer_id: string;
  type: string;
  item: { code: string; name: string };
  action: FeedbackAction;
  feedback_score: number | null;
  comment: string | null;
  given_on: string;
}

/** The body of a feedback: optional fields only when given, the comment trimmed. */
export function feedbackBody(action: FeedbackAction, score: number | null, comment: string): FeedbackBody {
  const body: FeedbackBody = { action };
  if (score !== null && score >= 1 && score <= 5) body.feedback_score = score;
  const c = comment.trim();
  if (c) body.comment = c;
  return body;
}

export interface RelatedService {
  service: { code: string; name: string };
  service_type?: string;
  similarity_score: number | null;
  lift: number | null;
  confidence: number | null;
  support: number | null;
  relation_type: string;
  reasons: string[];
}

export interface RelatedAnswer {
  service_code: string;
  service_name: string;
  related_services: RelatedService[];
}

// ---------------------------------------------------------------------------------------------
// The customer model (`GET /api/v1/analysis/models`) and its training

export interface ModelCluster {
  cluster_id: number;
  persona: string;
  persona_en?: string;
  description: string;
  size: number;
  share: number;
}

export interface ModelReport {
  model_version?: string;
  k?: number;
  silhouette?: number | null;
  n_customers?: number;
  data_as_of?: string;
  criterion?: string;
  clusters?: ModelCluster[];
  churn?: {
    auc: number | null;
    baseline: string;
    baseline_auc: number | null;
    beats_baseline: boolean;
    n_test?: number;
    n_train?: number;
    positives_test?: number;
    test_cutoff?: string;
    train_cutoff?: string;
  } | null;
  churn_unavailable?: string | null;
}

export interface ModelVersion {
  version: string;
  trained_at: string;
  trained_by: string | null;
  report: ModelReport | null;
}

export interface ModelList {
  items: ModelVersion[];
  serving: string | null;
  refused: { version: string; reason: string }[];
}

export type TrainState = 'running' | 'done' | 'failed';

export interface TrainJob {
  job_id: string;
  state: TrainState;
  stage?: string | null;
  stage_label?: string | null;
  fraction?: number | null;
  detail?: string | null;
  version?: string | null;
  report?: ModelReport | null;
  error?: { code: string; message: string } | null;
}

/** How often a training job is asked after (ms). */
export const TRAIN_POLL_MS = 700;

/** The served version's entry, if it is listed. */
export function servingModel(list: ModelList | null): ModelVersion | null {
  if (!list?.serving) return null;
  return list.items.find((m) => m.version === list.serving) ?? null;
}

/** 0–1 → 0–100, clipped, for a progress bar. */
export function progressPercent(fraction: number | null | undefined): number {
  if (fraction === null || fraction === undefined || !Number.isFinite(fraction)) return 0;
  return Math.round(Math.max(0, Math.min(1, fraction)) * 100);
}

// ---------------------------------------------------------------------------------------------
// Errors and figures

/** A refusal for this role (the tabs are hidden from other roles; the server may still say no). */
export function isForbidden(e: unknown): boolean {
  return e instanceof ApiError && (e.status === 403 || e.code === 'FORBIDDEN_ROLE' || e.code === 'UNAUTHORIZED_ACCESS');
}

/** No trained customer model yet. */
export function isModelNotReady(e: unknown): boolean {
  return e instanceof ApiError && e.code === 'MODEL_NOT_READY';
}

/** Too little history for the figures (the server's message says what is missing). */
export function isInsufficient(e: unknown): boolean {
  return e instanceof ApiError && e.code === 'INSUFFICIENT_DATA';
}

/** A share of 0–1 as a whole percentage ("62%"); null when not given. */
export function fractionPercent(v: number | null | undefined, digits = 0): string | null {
  if (v === null || v === undefined || !Number.isFinite(v)) return null;
  return `${(v * 100).toFixed(digits)}%`;
}

/** A percentage already (62.5) as "62.5%" (one decimal unless whole). */
export function percentText(v: number | null | undefined): string | null {
  if (v === null || v === undefined || !Number.isFinite(v)) return null;
  const r = Math.round(v * 10) / 10;
  return `${Number.isInteger(r) ? r.toFixed(0) : r.toFixed(1)}%`;
}

/**
 * A percentile as the top share it puts the customer in: 95 → 5 ("상위 5%"), never below 1.
 * Null when the percentile is not given.
 */
export function topShare(percentile: number | null | undefined): number | null {
  if (percentile === null || percentile === undefined || !Number.isFinite(percentile)) return null;
  return Math.max(1, Math.round(100 - percentile));
}

/** A 0–1 measure (AUC, silhouette) with three decimals. */
export function decimal3(v: number | null | undefined): string | null {
  if (v === null || v === undefined || !Number.isFinite(v)) return null;
  return v.toFixed(3);
}

/** The colour class of a level (risk, severity, priority). */
export function levelTone(level: string | null | undefined): 'bad' | 'warn' | 'good' | 'neutral' {
  switch (level) {
    case 'high':
      return 'bad';
    case 'medium':
      return 'warn';
    case 'low':
      return 'good';
    default:
      return 'neutral';
  }
}
