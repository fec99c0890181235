//! OpenAPI types of allergy care (seed 001): patients, diagnoses and prescriptions, knowledge
//! versions, kits, the patient's own API and sign-up. Described only, never constructed (see
//! `schemas.rs`). What the knowledge base writes in its own words (a guide's sections, the
//! emergency plan) is described by its keys, its contents as objects: the document's format is
//! `knowledge/README.md`.

#![allow(dead_code)]

use super::schemas::User;
use utoipa::{IntoParams, ToSchema};

// -- parameters --------------------------------------------------------------------------------

/// A patient in the path (the patient's id is their customer's id).
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
pub struct PatientId {
    /// 환자 id (고객 id와 같음, UUIDv7). 없으면 404 PATIENT_NOT_FOUND.
    id: String,
}

#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
pub struct DiagnosisId {
    /// 진단 id (UUIDv7). 없거나 볼 수 없으면 404 DIAGNOSIS_NOT_FOUND.
    id: String,
}

#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
pub struct KnowledgeVersionName {
    /// 지식 베이스 버전 이름 (`2026-12-07.1`), 또는 `current`(지금 쓰는 버전; 읽기만)
    version: String,
}

#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
pub struct KitSerial {
    /// 키트 번호 (`SGT-2026-00001`)
    serial: String,
}

#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
pub struct AllergenCode {
    /// 항목 코드(`peanut`)나 이름·별칭(`땅콩`, `house dust mite`)
    allergen_code: String,
}

#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PatientListParams {
    /// 이름·환자 번호(포함) 또는 전화번호 숫자(세 자리 이상)
    search: Option<String>,
    #[param(minimum = 1, default = 1)]
    page: Option<i64>,
    #[param(minimum = 1, maximum = 100, default = 20)]
    limit: Option<i64>,
}

#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AllergyDashboardParams {
    /// `YYYY-MM` (기본: 이번 달, KST)
    month: Option<String>,
}

#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct KitListParams {
    #[param(inline)]
    status: Option<KitStatusName>,
    #[param(minimum = 1, default = 1)]
    page: Option<i64>,
    #[param(minimum = 1, maximum = 200, default = 50)]
    limit: Option<i64>,
}

/// 키트 상태: `issued`(결과 대기) → `result_entered`(결과 입력됨) → `registered`(환자가 등록함)
#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
pub enum KitStatusName {
    Issued,
    ResultEntered,
    Registered,
}

/// 위험 등급: 등급 0–1 low_risk, 2–3 moderate_risk, 4–6 high_risk (지식 베이스의 grades)
#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
pub enum RiskTierName {
    LowRisk,
    ModerateRisk,
    HighRisk,
}

/// 교차반응 가능성
#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
pub enum ProbabilityName {
    High,
    Medium,
    Low,
}

/// 분류
#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
pub enum AllergenCategory {
    Food,
    Inhalant,
    Other,
}

// -- patients ----------------------------------------------------------------------------------

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PatientCreate {
    /// 이미 있는 고객을 환자로 등록할 때 (이때 name/phone은 보내지 않음)
    customer_id: Option<String>,
    /// 새 고객일 때 필수
    name: Option<String>,
    /// 새 고객일 때 필수
    phone: Option<String>,
    #[schema(format = Date)]
    birth_date: Option<String>,
    /// 알레르기 검사 결과(건강정보) 수집·이용 동의: `true`여야 합니다
    consent: bool,
    /// 담당 의사 (기본: 등록하는 의사 자신)
    assigned_doctor_id: Option<String>,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PatientCreated {
    success: bool,
    patient_id: String,
    /// `P-YYYY-NNNN`
    patient_number: String,
    message: String,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PersonRef {
    id: String,
    name: String,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Patient {
    id: String,
    /// 환자 id와 같습니다 (고객 상세로 가는 길)
    customer_id: String,
    name: String,
    phone: String,
    #[schema(format = Date)]
    birth_date: Option<String>,
    patient_number: String,
    assigned_doctor: Option<PersonRef>,
    consent_signed: bool,
    diagnosis_count: i64,
    #[schema(format = Date)]
    last_diagnosis: Option<String>,
    #[schema(format = DateTime)]
    registered_at: String,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PatientListItem {
    id: String,
    name: String,
    /// 가려진 전화번호 (`010-****-5678`)
    phone: String,
    patient_number: String,
    #[schema(format = Date)]
    last_diagnosis: Option<String>,
    diagnosis_count: i64,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PatientList {
    items: Vec<PatientListItem>,
    total: i64,
    page: i64,
    pages: i64,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AlertAllergen {
    allergen: String,
    name_ko: String,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AllergyAlert {
    customer_id: String,
    /// 알레르기 환자가 아니면 `null`
    patient_number: Option<String>,
    /// 가장 최근 진단에서 고위험인 항목 (없으면 빈 목록)
    high_risk_allergens: Vec<AlertAllergen>,
    #[schema(format = Date)]
    diagnosis_date: Option<String>,
}

// -- diagnoses ---------------------------------------------------------------------------------

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResultInput {
    /// 코드, 한글·영문 이름 또는 별칭
    allergen: String,
    /// 0–6 (`ku_l`과 둘 중 하나)
    #[schema(minimum = 0, maximum = 6)]
    grade: Option<i64>,
    /// 특이 IgE 농도 kU/L (`grade`와 둘 중 하나; 등급으로 바뀝니다)
    #[schema(minimum = 0)]
    ku_l: Option<f64>,
    /// `ku_l`의 다른 이름
    #[schema(minimum = 0)]
    value: Option<f64>,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DiagnosisCreate {
    patient_id: String,
    /// 기본: 오늘 (KST)
    #[schema(format = Date)]
    diagnosis_date: Option<String>,
    results: Vec<ResultInput>,
    kit_serial: Option<String>,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DiagnosisResult {
    allergen: String,
    name_ko: Option<String>,
    grade: i64,
    ku_l: Option<f64>,
    grade_label: Option<String>,
    grade_description: Option<String>,
    risk_level: RiskTierName,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DiagnosisSummary {
    high_risk_count: i64,
    /// 검사한 항목이 없으면 `null`
    max_grade: Option<i64>,
    total_tested: i64,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PrescriptionCrossReaction {
    allergen: String,
    name_ko: String,
    probability: ProbabilityName,
    /// 발표된 임상 교차반응률 (있을 때; 예: Francis 2020 표 2)
    rate: Option<String>,
    /// tropomyosin, PR-10, LTP, serum albumin 등
    mechanism: Option<String>,
    related_foods: Vec<String>,
    /// 그 항목도 검사했으면 그 등급
    tested_grade: Option<i64>,
    /// `published_rate` 또는 `qualitative`
    basis: String,
    /// 있을 때만
    note: Option<String>,
    /// 출처 id (`knowledge/sources.json`)
    source: String,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PrescriptionEntry {
    allergen: String,
    name_ko: String,
    name_en: String,
    category: AllergenCategory,
    grade: i64,
    /// kU/L로 입력했을 때만
    ku_l: Option<f64>,
    risk_tier: RiskTierName,
    grade_label: String,
    grade_description: String,
    /// 낮은 위험 항목에는 비어 있습니다 (음성 결과를 "피하라"로 읽지 않도록)
    avoid_foods: Vec<String>,
    hidden_sources: Vec<String>,
    substitutes: Vec<String>,
    cross_reactivity: Vec<PrescriptionCrossReaction>,
    symptoms: Vec<String>,
    lifestyle_tips: Vec<String>,
    sources: Vec<String>,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PrescriptionCaution {
    allergen: String,
    name_ko: String,
    because_of: Vec<String>,
    probability: ProbabilityName,
    rate: Option<String>,
    mechanism: Option<String>,
    tested_grade: Option<i64>,
    related_foods: Vec<String>,
    advice: String,
}

/// 처방: 위험 등급별 항목, 양성 항목과 교차반응하는(검사하지 않았거나 낮은) 항목에 대한 주의,
/// 응급 계획. 진단과 함께 저장되어 언제 읽어도 같습니다.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Prescription {
    knowledge_version: String,
    high_risk: Vec<PrescriptionEntry>,
    moderate_risk: Vec<PrescriptionEntry>,
    low_risk: Vec<PrescriptionEntry>,
    cross_reactive_cautions: Vec<PrescriptionCaution>,
    /// 고위험 항목이 있으면 아나필락시스 행동 계획과 자가주사기 안내, 119; 없으면 증상별 안내
    #[schema(value_type = Object)]
    emergency_plan: serde_json::Value,
    /// 등급이 뜻하는 것과 뜻하지 않는 것
    disclaimer: Vec<String>,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DiagnosisCreated {
    success: bool,
    diagnosis_id: String,
    patient_id: String,
    #[schema(format = Date)]
    diagnosis_date: String,
    knowledge_version: String,
    results: Vec<DiagnosisResult>,
    summary: DiagnosisSummary,
    prescription: Prescription,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DiagnosisPatient {
    id: String,
    name: String,
    patient_number: String,
    #[schema(format = Date)]
    birth_date: Option<String>,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DiagnosisDetail {
    id: String,
    patient: DiagnosisPatient,
    #[schema(format = Date)]
    diagnosis_date: String,
    kit_serial: Option<String>,
    knowledge_version: String,
    results: Vec<DiagnosisResult>,
    summary: DiagnosisSummary,
    prescription: Prescription,
    #[schema(format = DateTime)]
    created_at: String,
    created_by: Option<PersonRef>,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PatientRef {
    id: String,
    name: String,
    patient_number: String,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DiagnosisListItem {
    id: String,
    #[schema(format = Date)]
    diagnosis_date: String,
    kit_serial: Option<String>,
    knowledge_version: String,
    summary: DiagnosisSummary,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PatientDiagnoses {
    patient: PatientRef,
    diagnoses: Vec<DiagnosisListItem>,
    total: i64,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AllergenListItem {
    code: String,
    name_ko: String,
    name_en: String,
    aliases: Vec<String>,
    category: AllergenCategory,
    /// 식약처 알레르기 유발물질 표시 대상 (19종)
    mfds_labelling: bool,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AllergenList {
    knowledge_version: String,
    items: Vec<AllergenListItem>,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DashboardDiagnoses {
    total: i64,
    this_month: i64,
    previous_month: i64,
    /// 전달 대비 (`+12%`); 전달이 0이면 `null`
    trend: Option<String>,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DashboardPatients {
    total: i64,
    new_this_month: i64,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AllergenCount {
    allergen: String,
    name_ko: Option<String>,
    /// 이 항목이 양성(등급 2 이상)인 진단 수
    count: i64,
    /// 모든 진단 중 그 비율 (%)
    percentage: f64,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GradeCount {
    grade: i64,
    count: i64,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AllergyDashboard {
    /// `YYYY-MM`
    period: String,
    diagnoses: DashboardDiagnoses,
    patients: DashboardPatients,
    allergen_distribution: Vec<AllergenCount>,
    grade_distribution: Vec<GradeCount>,
}

// -- knowledge ---------------------------------------------------------------------------------

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct KnowledgeVersionSummary {
    version: String,
    content_hash: String,
    #[schema(format = DateTime)]
    published_at: String,
    published_by: Option<PersonRef>,
    /// 프로그램에 들어 있는 기본 버전
    builtin: bool,
    /// 새 처방에 쓰이는 버전
    current: bool,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct KnowledgeVersions {
    current: String,
    versions: Vec<KnowledgeVersionSummary>,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct KnowledgeVersionDetail {
    version: String,
    content_hash: String,
    #[schema(format = DateTime)]
    published_at: String,
    published_by: Option<PersonRef>,
    builtin: bool,
    current: bool,
    /// 문서 전체 (`knowledge/README.md`)
    #[schema(value_type = Object)]
    document: serde_json::Value,
}

/// 지식 베이스 문서 전체: `version`, `published_at`(무시되고 게시 시각으로 바뀜), `allergens`,
/// `grades`, `emergency`, `sources` (`knowledge/README.md`).
#[derive(ToSchema)]
pub struct KnowledgeDocument {
    version: Option<String>,
    published_at: Option<String>,
    #[schema(value_type = Vec<Object>)]
    allergens: Vec<serde_json::Value>,
    #[schema(value_type = Object)]
    grades: serde_json::Value,
    #[schema(value_type = Object)]
    emergency: serde_json::Value,
    #[schema(value_type = Vec<Object>)]
    sources: Vec<serde_json::Value>,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct KnowledgePublished {
    version: String,
    content_hash: String,
    #[schema(format = DateTime)]
    published_at: String,
    allergen_count: i64,
}

// -- kits --------------------------------------------------------------------------------------

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct KitInput {
    serial_number: String,
    /// 숫자 4–12자리
    pin: String,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct KitIssue {
    /// 배치 이름 (1–60자)
    batch: String,
    /// 1–100개
    kits: Vec<KitInput>,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct KitIssued {
    batch: String,
    issued: i64,
    serial_numbers: Vec<String>,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Kit {
    serial_number: String,
    batch: String,
    status: KitStatusName,
    #[schema(format = DateTime)]
    issued_at: String,
    #[schema(format = Date)]
    test_date: Option<String>,
    patient_id: Option<String>,
    diagnosis_id: Option<String>,
    #[schema(format = DateTime)]
    registered_at: Option<String>,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct KitList {
    items: Vec<Kit>,
    total: i64,
    page: i64,
    pages: i64,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct KitRegister {
    serial_number: String,
    pin: String,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct KitRegistered {
    success: bool,
    message: String,
    diagnosis_id: String,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct KitStatus {
    serial_number: String,
    status: KitStatusName,
    message: String,
    #[schema(format = Date)]
    test_date: Option<String>,
}

// -- patient sign-up and login -------------------------------------------------------------------

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SimpleRegister {
    name: String,
    /// `phone`이나 `birth_date` 중 하나는 필수
    phone: Option<String>,
    #[schema(format = Date)]
    birth_date: Option<String>,
    serial_number: String,
    /// 키트의 PIN
    pin: String,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SimpleLogin {
    name: String,
    phone: Option<String>,
    #[schema(format = Date)]
    birth_date: Option<String>,
    /// 가입할 때 받은 6자리 PIN
    access_pin: String,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SimpleRegistered {
    access_token: String,
    /// 프로세스 안(데스크톱)에서만; HTTP로는 `HttpOnly` 쿠키로만 갑니다
    refresh_token: Option<String>,
    token_type: String,
    expires_in: i64,
    user: User,
    /// 간편 로그인에 쓸 6자리 PIN: **이번 한 번만** 보입니다
    access_pin: String,
    patient_id: String,
    diagnosis_id: String,
}

// -- the patient's own API -------------------------------------------------------------------------

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConsumerSummary {
    high_risk_allergens: Vec<String>,
    max_grade: Option<i64>,
    total_tested: i64,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConsumerDiagnosisItem {
    id: String,
    #[schema(format = Date)]
    diagnosis_date: String,
    summary: ConsumerSummary,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConsumerDiagnoses {
    items: Vec<ConsumerDiagnosisItem>,
    total: i64,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AllergenItems {
    allergen: String,
    name_ko: String,
    items: Vec<String>,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConsumerDiagnosisGuide {
    avoid_foods: Vec<AllergenItems>,
    substitutes: Vec<AllergenItems>,
    lifestyle_tips: Vec<AllergenItems>,
    #[schema(value_type = Object)]
    emergency_info: serde_json::Value,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConsumerDiagnosis {
    id: String,
    #[schema(format = Date)]
    diagnosis_date: String,
    knowledge_version: String,
    results: Vec<DiagnosisResult>,
    guide: ConsumerDiagnosisGuide,
}

/// 진단을 만든 지식 베이스 버전의 환자 가이드. 각 절의 내용은 지식 베이스의 글입니다.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConsumerGuide {
    diagnosis_id: String,
    #[schema(format = Date)]
    diagnosis_date: String,
    knowledge_version: String,
    /// `high_risk`, `moderate_risk`: 항목마다 `allergen`(이름), `code`, `grade`, `symptoms`
    #[schema(value_type = Object)]
    symptoms: serde_json::Value,
    /// `avoid`, `hidden_sources`, `substitutes`(항목별), `cross_reactivity`(주의할 교차반응)
    #[schema(value_type = Object)]
    diet_management: serde_json::Value,
    /// `anaphylaxis_signs`, `action_plan`, `always`, `epinephrine_guide`, `emergency_number`
    #[schema(value_type = Object)]
    emergency: serde_json::Value,
    /// `/consumer/guide/lifestyle`와 같은 모양
    #[schema(value_type = Object)]
    lifestyle_tips: serde_json::Value,
    disclaimer: Vec<String>,
    /// 가이드가 근거로 삼은 출처 (`id`, `citation`, `url`)
    #[schema(value_type = Vec<Object>)]
    sources: Vec<serde_json::Value>,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConsumerFoods {
    knowledge_version: String,
    /// 항목마다 `allergen`(이름), `code`, `grade`, `foods`
    #[schema(value_type = Vec<Object>)]
    avoid_foods: Vec<serde_json::Value>,
    /// 항목마다 `alternatives`
    #[schema(value_type = Vec<Object>)]
    substitutes: Vec<serde_json::Value>,
    /// 항목마다 `sources`(숨은 원료, 한국 음식 포함)
    #[schema(value_type = Vec<Object>)]
    hidden_sources: Vec<serde_json::Value>,
    /// 양성 항목과 교차반응하는, 양성이 아닌 항목 (의사와 상의할 것)
    #[schema(value_type = Vec<Object>)]
    cross_reactivity: Vec<serde_json::Value>,
    #[schema(value_type = Vec<Object>)]
    sources: Vec<serde_json::Value>,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConsumerCrossReactivity {
    knowledge_version: String,
    allergen: String,
    allergen_name: String,
    allergen_name_en: String,
    mechanism: Option<String>,
    /// 이 항목에서 다른 항목으로: `to_allergen`, `to_name`, `probability`, `rate`, `mechanism`,
    /// `related_foods`, `source` …
    #[schema(value_type = Vec<Object>)]
    cross_reactivity: Vec<serde_json::Value>,
    /// 다른 항목에서 이 항목으로 보고된 교차반응
    #[schema(value_type = Vec<Object>)]
    reported_from: Vec<serde_json::Value>,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConsumerLifestyle {
    knowledge_version: String,
    #[schema(value_type = Vec<Object>)]
    allergen_specific: Vec<serde_json::Value>,
    #[schema(value_type = Vec<Object>)]
    common_tips: Vec<serde_json::Value>,
    #[schema(value_type = Vec<Object>)]
    sources: Vec<serde_json::Value>,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConsumerGuidelines {
    /// `level`(mild/moderate/severe), `name`, `intro`, `symptoms`, `actions`
    #[schema(value_type = Vec<Object>)]
    severity_levels: Vec<serde_json::Value>,
    notes: Vec<String>,
    always: Vec<String>,
    after_reaction: Vec<String>,
    /// `emergency`(119), `label`, `description`, `sources`
    #[schema(value_type = Object)]
    emergency_contacts: serde_json::Value,
    #[schema(value_type = Vec<Object>)]
    sources: Vec<serde_json::Value>,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConsumerActionPlan {
    /// `mild`(가벼운·중간 반응)과 `severe`(아나필락시스): `title`, `symptoms`, `actions` …
    #[schema(value_type = Object)]
    action_plans: serde_json::Value,
    notes: Vec<String>,
    after_reaction: Vec<String>,
    #[schema(value_type = Object)]
    emergency_contacts: serde_json::Value,
    #[schema(value_type = Vec<Object>)]
    sources: Vec<serde_json::Value>,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConsumerEpinephrine {
    #[schema(value_type = Object)]
    what_is_epinephrine: serde_json::Value,
    #[schema(value_type = Object)]
    when_to_use: serde_json::Value,
    #[schema(value_type = Object)]
    how_to_use: serde_json::Value,
    /// 발표된 표준 용량 구간만 (체중별; 처방은 의사가 합니다)
    #[schema(value_type = Object)]
    dose: serde_json::Value,
    storage: Vec<String>,
    #[schema(value_type = Object)]
    for_health_professionals: serde_json::Value,
    #[schema(value_type = Object)]
    emergency_contacts: serde_json::Value,
    #[schema(value_type = Vec<Object>)]
    sources: Vec<serde_json::Value>,
}

// -- patient numbers (sync) ------------------------------------------------------------------------

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PatientNumberLeaseRequest {
    /// 기본: 올해 (KST); 작년–내년만
    year: Option<i64>,
    /// 1–200 (기본 50)
    count: Option<i64>,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PatientNumberLease {
    year: i64,
    first: i64,
    last: i64,
}

// -- research library --------------------------------------------------------------------------------

#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
pub struct ImportId {
    /// 가져오기 id
    import_id: String,
}

#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
pub struct PaperId {
    /// `pubmed:<PMID>`
    id: String,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResearchImportRequest {
    /// 원래 파일 이름 (`.xml`, `.nbib`, `.txt`)
    filename: String,
    /// 파일의 글 전체 (UTF-8)
    content: String,
}

/// 가져오기의 진행: `running` → `done`(또는 저장하지 못하면 `failed`: 아무것도 가져오지 않음)
#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
pub enum ImportStatus {
    Running,
    Done,
    Failed,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResearchImport {
    import_id: String,
    filename: String,
    status: ImportStatus,
    /// 파일의 논문 수
    total: i64,
    /// 지금까지 처리한 수
    processed: i64,
    /// 새로 더한 수 (끝났을 때)
    imported: i64,
    /// 이미 있던 수 (끝났을 때)
    duplicates: i64,
    error: Option<String>,
    #[schema(format = DateTime)]
    finished_at: Option<String>,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResearchLibrary {
    total_papers: i64,
    recent_imports: Vec<ResearchImport>,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResearchSearchRequest {
    /// 검색어 (한국어 낱말은 영어 용어로 바뀝니다)
    query: String,
    /// 항목 코드나 이름 (`peanut`, `땅콩`)
    allergen: Option<String>,
    /// 교차반응하는 항목의 이름이 든 논문도
    include_cross_reactivity: Option<bool>,
    /// 1–100 (기본 20)
    max_results: Option<i64>,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResearchPaperHit {
    id: String,
    pmid: String,
    title: String,
    authors: Vec<String>,
    journal: String,
    year: Option<i64>,
    #[schema(rename = "abstract")]
    abstract_text: String,
    doi: Option<String>,
    keywords: Vec<String>,
    /// 가장 나은 논문을 1로 둔 상대 점수
    score: f64,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResearchSearch {
    success: bool,
    query: String,
    total_found: i64,
    /// 실제로 찾은 용어 (질문의 낱말과 항목 이름)
    expanded_terms: Vec<String>,
    papers: Vec<ResearchPaperHit>,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResearchQaRequest {
    question: String,
    allergen: Option<String>,
    include_cross_reactivity: Option<bool>,
    /// 1–10 (기본 10)
    max_citations: Option<i64>,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResearchCitation {
    paper_id: String,
    title: String,
    excerpt: String,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResearchQa {
    success: bool,
    question: String,
    /// 뽑은 문장들과 인용 번호 `[1]`; 근거가 없으면 `null`
    answer: Option<String>,
    /// 0–1 (근거 없음 0)
    confidence: f64,
    citations: Vec<ResearchCitation>,
    message: String,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResearchPaper {
    id: String,
    pmid: String,
    title: String,
    authors: Vec<String>,
    journal: String,
    year: Option<i64>,
    #[schema(rename = "abstract")]
    abstract_text: String,
    doi: Option<String>,
    keywords: Vec<String>,
}
