// Shapes of the ClinicDesk API v1 (see docs/API.md). Only what the UI reads is typed strictly;
// everything else is optional so that a server adding fields never breaks the UI.

export type Role = 'admin' | 'manager' | 'doctor' | 'staff' | 'patient';

export interface User {
  id: string;
  username: string;
  display_name: string;
  role: Role;
}

/** A staff account as `GET /api/v1/users` lists it. */
export interface Account {
  id: string;
  username: string;
  display_name: string;
  role: Role;
  active: boolean;
  demo?: boolean;
  created_at?: string | null;
  last_login_at?: string | null;
}

export interface SetupStatus {
  needs_setup: boolean;
  setup_allowed: boolean;
  /** A sync node without accounts: it may connect to its central server without a login. */
  connect_allowed?: boolean;
}

export const STAFF_ROLES = ['admin', 'manager', 'doctor', 'staff'] as const;

export interface AuthTokens {
  access_token: string;
  /** In-process (desktop) only; over HTTP the token is in an HttpOnly cookie. */
  refresh_token?: string;
  token_type: string;
  expires_in: number;
  user: User;
}

export const SERVICE_TYPES = ['brain', 'pulse', 'lymph', 'red', 'ai_bike'] as const;
export type ServiceType = (typeof SERVICE_TYPES)[number];

export const GENDERS = ['male', 'female', 'other'] as const;
export const MEMBERSHIP_LEVELS = ['basic', 'premium', 'vip'] as const;
export const CUSTOMER_STATUSES = ['active', 'inactive', 'dormant'] as const;
export const RISK_LEVELS = ['stable', 'warning', 'danger'] as const;
export const TIME_SLOTS = ['morning', 'afternoon', 'evening', 'weekend'] as const;
export const INTENSITIES = ['low', 'medium', 'high'] as const;
export const HEALTH_INTERESTS = [
  'stress_management',
  'sleep_quality',
  'weight_management',
  'pain_relief',
  'immunity',
  'circulation',
  'fitness',
  'focus',
  'allergy_care',
  'skin_care',
] as const;
export const CHANNELS = ['phone', 'sms', 'kakao', 'email'] as const;
export const PACKAGE_STATUSES = ['active', 'expiring', 'expired'] as const;
export const PAYMENT_METHODS = ['card', 'cash', 'transfer'] as const;
export type PaymentMethod = (typeof PAYMENT_METHODS)[number];
export const INTERACTION_TYPES = ['call', 'message', 'consultation', 'visit_note', 'complaint'] as const;
export const SORT_FIELDS = ['name', 'last_visit', 'total_visits', 'revenue'] as const;
/** Offered (with an expiry column) while a package-status filter is set. */
export const PACKAGE_SORT = 'package_expiry';

export type PackageStatus = (typeof PACKAGE_STATUSES)[number];
export type RiskLevel = (typeof RISK_LEVELS)[number];

export interface CommunicationPreferences {
  preferred_channels?: string[] | null;
  contact_time?: string | null;
}

export interface Consent {
  privacy?: boolean | null;
  marketing?: boolean | null;
  health_data?: boolean | null;
  updated_at?: string | null;
}

export interface Customer {
  id: string;
  customer_id?: string;
  name: string;
  phone?: string | null;
  email?: string | null;
  birth_year?: number | null;
  gender?: string | null;
  address?: string | null;
  emergency_contact?: string | null;
  occupation?: string | null;
  membership_level?: string | null;
  customer_status?: string | null;
  risk_level?: string | null;
  first_visit_date?: string | null;
  last_visit_date?: string | null;
  total_visits?: number | null;
  average_visit_interval?: number | null;
  total_revenue?: number | null;
  average_satisfaction?: number | null;
  health_goals?: string | null;
  health_interests?: string[] | null;
  preferred_intensity?: string | null;
  preferred_time_slots?: string[] | null;
  preferred_services?: string[] | null;
  assigned_staff?: string | null;
  memo?: string | null;
  communication_preferences?: CommunicationPreferences | null;
  consent?: Consent | null;
  profile_completeness?: number | null;
  created_at?: string | null;
  updated_at?: string | null;
}

export interface SearchRow {
  id: string;
  customer_id?: string;
  name: string;
  phone?: string | null;
  first_visit_date?: string | null;
  last_visit_date?: string | null;
  total_visits?: number | null;
  active_package?: string | { package_name?: string; name?: string } | null;
  package_usage_summary?: string | null;
  /** The package that shows the customer's package status (see docs/API.md). */
  package?: SearchPackage | null;
  membership_level?: string | null;
  risk_level?: string | null;
  total_revenue?: number | null;
}

export interface SearchPackage {
  package_usage_id: string;
  package_name: string;
  package_status: string;
  purchase_date?: string | null;
  expiry_date?: string | null;
  /** Negative once the expiry date has passed; 0 on the last usable day. */
  days_remaining?: number | null;
  total_sessions?: number | null;
  used_sessions?: number | null;
  remaining_sessions?: number | null;
  service_breakdown?: Record<string, ServiceBreakdownEntry> | null;
}

export interface SearchResult {
  customers: SearchRow[];
  pagination: { total: number; page: number; size: number; total_pages: number };
  filters_applied?: Record<string, unknown>;
}

export interface ServiceBreakdownEntry {
  total: number;
  used: number;
  remaining: number;
}

export interface PackageUsage {
  package_usage_id: string;
  package_id?: string;
  package_name: string;
  purchase_date?: string | null;
  expiry_date?: string | null;
  price_paid?: number | null;
  total_sessions?: number | null;
  used_sessions?: number | null;
  remaining_sessions?: number | null;
  usage_rate?: number | null;
  days_remaining?: number | null;
  package_status?: string | null;
  overdrawn_sessions?: number | null;
  service_breakdown?: Record<string, ServiceBreakdownEntry> | null;
  payment_method?: string | null;
  /** Set once a manager cancelled the purchase (package_status is then 'cancelled'). */
  cancellation?: PackageCancellation | null;
}

/** How a purchase was cancelled: `POST /purchases/{id}/cancel`. */
export interface PackageCancellation {
  reason: string;
  refund_amount: number;
  /** Null when nothing was refunded. */
  refund_method?: string | null;
  cancelled_at: string;
  /** Display name of who cancelled it, or null. */
  cancelled_by?: string | null;
}

export interface Session {
  session_id: string;
  customer_id?: string;
  service_date: string;
  service_type: string;
  service_name?: string | null;
  duration_minutes?: number | null;
  satisfaction_rating?: number | null;
  session_notes?: string | null;
  staff_name?: string | null;
  package_usage_id?: string | null;
  package_name?: string | null;
  amount?: number | null;
  /** How a paid visit was paid; null for a visit paid by a package. */
  payment_method?: string | null;
  cancelled?: boolean | null;
  cancelled_at?: string | null;
  cancel_reason?: string | null;
  /** Display name of who cancelled it, or null. */
  cancelled_by?: string | null;
  created_at?: string | null;
  /** User id of who recorded the visit (null for demo data). */
  created_by?: string | null;
  /** Until when (RFC 3339) the person who recorded the visit may void it themselves. */
  void_until?: string | null;
}

/** One visit of the same service on the same day, named by a 409 DUPLICATE_VISIT. */
export interface ExistingVisit {
  session_id: string;
  service_date: string;
  service_type: string;
  staff_name?: string | null;
  created_at?: string | null;
}

/** `POST /sessions/{id}/cancel` answer. */
export interface VisitVoidResult {
  session_id: string;
  cancelled_at: string;
  reason: string;
  refunded_amount: number;
  payment_method?: string | null;
}

export type ReceiptKind = 'purchase' | 'visit';

export interface ReceiptItem {
  name: string;
  detail?: string | null;
  quantity: number;
  unit_price: number;
  amount: number;
}

/** `GET /purchases/{id}/receipt` and `GET /sessions/{id}/receipt`. */
export interface Receipt {
  receipt_number: string;
  kind: ReceiptKind;
  issued_at: string;
  clinic: { name: string | null; business_number: string | null; address: string | null; phone: string | null };
  customer_name: string;
  date: string;
  staff_name?: string | null;
  items: ReceiptItem[];
  total: number;
  payment_method?: string | null;
  cancellation: null | { reason: string; refund_amount: number; refund_method?: string | null; cancelled_at: string };
}

export interface Preferences {
  preferred_services?: string[] | null;
  preferred_time?: string | string[] | null;
  preferred_intensity?: string | null;
  health_interests?: string[] | null;
  communication_preference?: string | string[] | null;
  marketing_consent?: boolean | null;
}

export interface CustomerDetail {
  customer: Customer;
  serviceHistory: Session[];
  activePackages: PackageUsage[];
  preferences?: Preferences | null;
}

export interface FollowUp {
  required?: boolean | null;
  date?: string | null;
  type?: string | null;
  notes?: string | null;
}

export interface Interaction {
  id: string;
  date?: string | null;
  type: string;
  duration_minutes?: number | null;
  notes?: string | null;
  outcome?: string | null;
  staff_name?: string | null;
  follow_up?: FollowUp | null;
}

export interface InteractionList {
  customer_id: string;
  interactions: Interaction[];
  interaction_summary?: {
    total_interactions?: number;
    average_duration?: number | null;
    last_interaction_date?: string | null;
    by_type?: Record<string, number>;
    open_follow_ups?: number;
    overdue_follow_ups?: number;
  };
}

export interface ServiceInfo {
  service_type: string;
  name: string;
  name_en?: string;
  duration_minutes?: number | null;
  price?: number | null;
}

export interface PackageTemplate {
  package_id: string;
  name: string;
  description?: string | null;
  price: number;
  validity_days: number;
  total_sessions?: number | null;
  sessions: Record<string, number>;
}

export interface UpdateResult {
  id: string;
  updated_fields: string[];
  profile_completeness?: number;
  last_updated?: string;
  changes_summary?: Record<string, string>;
}

// ---------------------------------------------------------------------------------------------
// Sync (issue 9): `GET /sync/status`, `POST /sync/run`, `POST /sync/connect`, `GET /sync/conflicts`.

/** How far a pull has come: `fraction` (0..1) is null until the server's head is known. */
export interface SyncPull {
  cursor: number;
  head: number | null;
  fraction: number | null;
}

/** `GET /sync/status`: a PC that syncs with the clinic's server (`node`) or that server (`central`). */
export interface SyncStatus {
  role: 'node' | 'central';
  connected: boolean;
  online: boolean;
  pending_changes: number;
  conflicts: number;
  overdrawn_packages: number;
  merge_candidates: number;
  server_url: string | null;
  device_id: string | null;
  last_sync_at: string | null;
  last_attempt_at: string | null;
  /** "CODE: message" of the last round that failed; null once one succeeds. */
  last_error: string | null;
  pull: SyncPull | null;
  checked_at?: string;
}

/** What one round moved (`POST /sync/run`, and a connect's first sync). */
export interface SyncRound {
  pushed: number;
  pulled: number;
  applied: number;
  conflicts: number;
  pages: number;
}

export type FirstSync = { ok: true; moved: SyncRound } | { ok: false; error: { code: string; message: string } };

/** `POST /sync/connect`. */
export interface SyncConnected {
  device_id: string;
  server_url: string;
  first_sync: FirstSync;
}

/** One side of a conflict: the value as the database's text, and when it was written. */
export interface ConflictSide {
  value: string | null;
  stamp: string;
  at: string | null;
}

export interface SyncConflict {
  id: string;
  entity: string;
  entity_id: string;
  /** The customer's name (or a user's), when the row has one. */
  label: string | null;
  field: string;
  kept: ConflictSide;
  lost: ConflictSide;
  /** A health field this role may not see: both values are null. */
  hidden: boolean;
  detected_at: string;
}

export interface OverdrawnPackage {
  purchase_id: string;
  customer_id: string;
  customer_name: string | null;
  package_name: string | null;
  overdrawn_sessions: number;
}

export interface MergeCandidate {
  customer_a: string;
  customer_b: string;
  name: string | null;
  detected_at: string;
}

/** `GET /sync/conflicts`. */
export interface SyncConflicts {
  conflicts: SyncConflict[];
  overdrawn_packages: OverdrawnPackage[];
  merge_candidates: MergeCandidate[];
}
