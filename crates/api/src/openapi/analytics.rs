//! OpenAPI types of the managers' analytics (issue 11): the dashboard, the forecast and the
//! charts. Described only, never constructed (see `schemas.rs`); the answers are the
//! `clinicdesk-analytics` and `clinicdesk-forecast` types, which the contract suite validates
//! against these descriptions.

#![allow(dead_code)]

use utoipa::{IntoParams, ToSchema};

// -- parameters --------------------------------------------------------------------------------

#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DashboardParams {
    /// `day`·`week`·`month`·`year`: 오늘(KST)까지 1·7·30·365일 (기본 `month`)
    #[param(inline)]
    period: Option<DashboardPeriodName>,
    /// 시작일 (`YYYY-MM-DD`, `end_date`와 함께; `period`보다 우선)
    #[param(format = Date)]
    start_date: Option<String>,
    /// 종료일 (`YYYY-MM-DD`, 포함; 기간은 최대 1,096일)
    #[param(format = Date)]
    end_date: Option<String>,
}

#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
pub enum DashboardPeriodName {
    Day,
    Week,
    Month,
    Year,
}

#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ForecastParams {
    /// 예측할 날 수
    #[param(minimum = 1, maximum = 90, default = 30)]
    days: Option<i64>,
    /// `revenue`(매출, 기본) 또는 `visits`(방문 수)
    #[param(inline)]
    metric: Option<ForecastMetric>,
    /// 한 서비스만 (`brain`, `pulse`, `lymph`, `red`, `ai_bike`)
    service: Option<String>,
}

#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
pub enum ForecastMetric {
    Revenue,
    Visits,
}

#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
pub struct ChartName {
    /// `revenue-trend`, `service-mix`, `visit-heatmap`, `forecast`, `allergen-distribution`,
    /// `grade-distribution`, `segment-scatter`, `churn-risk`. 그 밖의 이름은 404 CHART_NOT_FOUND.
    name: String,
}

#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ChartParams {
    /// `svg`(기본) 또는 `png`
    format: Option<String>,
    #[param(minimum = 200, maximum = 4000, default = 1200)]
    width: Option<i64>,
    #[param(minimum = 200, maximum = 4000, default = 750)]
    height: Option<i64>,
}

// -- the dashboard -----------------------------------------------------------------------------

/// 기간 (양 끝 포함)
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnalyticsDateRange {
    #[schema(format = Date)]
    start: String,
    #[schema(format = Date)]
    end: String,
    days: i64,
}

/// 값을 낼 수 없는 항목과 그 이유
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UnavailableFigure {
    field: String,
    reason: String,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DashboardRevenue {
    /// 방문 결제 + 패키지 판매(환불 제외), 원
    total: i64,
    /// `KRW`
    currency: String,
    visit_revenue: i64,
    purchase_revenue: i64,
    previous_total: i64,
    /// 이전 기간 대비 % (소수 한 자리); 이전 기간이 0 이하면 `null`
    growth_rate: Option<f64>,
    daily_average: Option<i64>,
    /// `increasing`·`decreasing`·`stable` (±5%)
    trend: String,
    trend_label: String,
    unavailable: Vec<UnavailableFigure>,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DashboardPurchases {
    /// 취소되지 않은 패키지 판매 수
    total: i64,
    revenue: i64,
    previous_total: i64,
    growth_rate: Option<f64>,
    average_value: Option<i64>,
    unavailable: Vec<UnavailableFigure>,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DashboardVisits {
    total: i64,
    paid_revenue: i64,
    previous_total: i64,
    growth_rate: Option<f64>,
    daily_average: f64,
    unavailable: Vec<UnavailableFigure>,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DashboardCustomers {
    /// 기간에 방문하거나 구매한 고객
    total_active: i64,
    /// 기간에 처음 방문하거나 구매한 고객
    new_customers: i64,
    /// 그중 이전 기간에도 활동한 고객
    returning_customers: i64,
    /// returning ÷ previous_active × 100
    retention_rate: Option<f64>,
    previous_active: i64,
    unavailable: Vec<UnavailableFigure>,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DashboardService {
    /// 서비스 코드 (`brain` …)
    service: String,
    name: String,
    visits: i64,
    revenue: i64,
    /// 기간의 모든 방문 중 비율 (%)
    visit_share: Option<f64>,
    /// `top_services`에서의 순위 (`services`에서는 `null`)
    rank: Option<i64>,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DashboardDay {
    #[schema(format = Date)]
    date: String,
    revenue: i64,
    visits: i64,
    purchases: i64,
    new_customers: i64,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnalyticsDashboard {
    /// `day`·`week`·`month`·`year`, 날짜를 주었으면 `custom`
    period: String,
    date_range: AnalyticsDateRange,
    previous_range: AnalyticsDateRange,
    revenue: DashboardRevenue,
    purchases: DashboardPurchases,
    visits: DashboardVisits,
    customers: DashboardCustomers,
    services: Vec<DashboardService>,
    daily_trend: Vec<DashboardDay>,
    top_services: Vec<DashboardService>,
}

// -- the forecast ------------------------------------------------------------------------------

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ForecastValue {
    #[schema(format = Date)]
    date: String,
    value: f64,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ForecastDay {
    #[schema(format = Date)]
    date: String,
    value: f64,
    lower80: f64,
    upper80: f64,
    lower95: f64,
    upper95: f64,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ForecastCandidate {
    damped: bool,
    alpha: f64,
    beta: f64,
    gamma: f64,
    phi: f64,
    sse: f64,
    aicc: f64,
}

/// 고른 모형과 그 이유 (AICc가 작은 쪽)
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ForecastModel {
    /// `ETS(A,A,A)` 또는 `ETS(A,Ad,A)`
    name: String,
    damped: bool,
    alpha: f64,
    beta: f64,
    beta_ets: f64,
    gamma: f64,
    phi: f64,
    seasonal_period: i64,
    initialization: String,
    initial_level: f64,
    initial_trend: f64,
    initial_season: Vec<f64>,
    criterion: String,
    aicc: f64,
    sse: f64,
    sigma2: f64,
    n_obs: i64,
    filled_days: i64,
    candidates: Vec<ForecastCandidate>,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ForecastSeries {
    #[schema(format = Date)]
    start_date: String,
    #[schema(format = Date)]
    end_date: String,
    days: i64,
    points: Vec<ForecastDay>,
    total: f64,
    /// 음수로 나와 0으로 올린 날 수
    clamped_days: i64,
    /// 최근 4주 내내 0이라 문을 닫는 요일로 보고 0으로 예측한 요일 (`Sun` …)
    closed_weekdays: Vec<String>,
    model: ForecastModel,
}

/// 발견 하나: `type`(`trend`·`weekend_effect`·`peak_days`·`model`), 관리자가 읽을
/// `message`, 그 밑의 숫자들
#[derive(ToSchema)]
pub struct ForecastInsight {
    #[schema(rename = "type")]
    kind: String,
    message: String,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ForecastAccuracyFigures {
    /// 평균 절대 오차 (대표 값)
    mae: f64,
    /// 실적이 0이 아닌 날의 MAPE (%)
    mape: Option<f64>,
    mape_days: i64,
    smape: f64,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ForecastCheckDay {
    #[schema(format = Date)]
    date: String,
    actual: f64,
    forecast: f64,
    baseline: f64,
}

/// 마지막 4주를 떼어 두고 맞춘 예측과 계절 단순 예측(지난주 같은 요일)의 비교
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ForecastAccuracy {
    train_days: i64,
    holdout_days: i64,
    #[schema(format = Date)]
    train_end: String,
    headline: String,
    model: ForecastAccuracyFigures,
    baseline: ForecastAccuracyFigures,
    beats_baseline: bool,
    zero_actual_days: i64,
    fitted_model: ForecastModel,
    points: Vec<ForecastCheckDay>,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RevenueForecast {
    /// `revenue` 또는 `visits`
    metric: String,
    service: Option<String>,
    /// `KRW` 또는 `visits`
    unit: String,
    /// 무엇을 센 값인지
    scope: String,
    #[schema(format = Date)]
    history_start: String,
    #[schema(format = Date)]
    history_end: String,
    /// 최근 8주의 실적
    history: Vec<ForecastValue>,
    forecast: ForecastSeries,
    insights: Vec<ForecastInsight>,
    /// 기록이 짧아 점검할 수 없으면 `null`
    accuracy: Option<ForecastAccuracy>,
    /// `accuracy`가 `null`인 이유
    accuracy_unavailable: Option<String>,
}

// -- customer analysis (seed 002) --------------------------------------------------------------

/// 분석할 고객 프로필 (실제 고객의 것이든 가상의 것이든). 모르는 필드는 거절합니다.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnalysisProfile {
    /// 나이 (선택; 없으면 학습 평균)
    age: Option<f64>,
    /// 첫 방문(또는 등록)부터 지난 날 수
    tenure_days: f64,
    /// 마지막 방문부터 지난 날 수
    recency_days: f64,
    /// 최근 90일 방문 수
    visits_90d: f64,
    /// 월평균 방문 수
    visits_per_month: f64,
    /// 최근 365일 매출 (원)
    revenue_365d: f64,
    /// 패키지로 이용한 방문의 비율 0–1 (선택)
    package_share: Option<f64>,
    /// 이용한 서비스 종류 수 (0–5)
    service_diversity: f64,
    /// 평균 만족도 1–5 (선택)
    avg_rating: Option<f64>,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnalysisBatchInput {
    /// 1–1,000개
    profiles: Vec<AnalysisProfile>,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnalysisResult {
    /// 세그먼트 번호 (0부터)
    predicted_cluster: i64,
    /// 페르소나 이름
    cluster_name: String,
    cluster_description: String,
    cluster_name_en: String,
    /// 세그먼트 중심까지의 거리 (표준화한 단위; 3을 넘으면 드문 고객)
    distance: f64,
    /// 이탈 위험 (`probability`, `risk_level`, 주요 요인); 이탈 모델이 없으면 `null`
    #[schema(value_type = Option<Object>)]
    churn: Option<String>,
    model_version: String,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnalysisResults {
    results: Vec<AnalysisResult>,
    model_version: String,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CustomerModelVersion {
    version: String,
    #[schema(format = DateTime)]
    trained_at: String,
    /// 학습시킨 계정 id (명령줄에서 학습하면 `null`)
    trained_by: Option<String>,
    /// 그 계정의 표시 이름 (계정이 없으면 `null`)
    trained_by_name: Option<String>,
    /// 학습이 잰 지표: 세그먼트 수 `k`, `silhouette`, k별 관성과 실루엣(`per_k`), 세그먼트별
    /// 요약(`clusters`), 이탈 모델의 보류 구간 AUC와 기준선(`churn`)
    #[schema(value_type = Object)]
    report: String,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefusedModel {
    version: String,
    reason: String,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CustomerModelList {
    items: Vec<CustomerModelVersion>,
    /// 지금 쓰는 버전 (없으면 `null`)
    serving: Option<String>,
    refused: Vec<RefusedModel>,
}

// -- one customer's analytics (seed 000 §2.1) --------------------------------------------------

#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CustomerAnalyticsParams {
    /// `30d`·`90d`·`180d`·`1y` (기본 `90d`)
    period: Option<String>,
    /// 쉼표로 나눈 항목 (`visitPattern,serviceUsage,revenueContribution,healthMetrics,
    /// riskAssessment`; 기본 전부). `healthMetrics`는 건강 정보를 보는 역할(admin)에게만.
    metrics: Option<String>,
}

/// 한 고객의 분석. 각 항목은 요청했을 때만 있고, 그 안의 값을 낼 수 없으면 `null`과 이유
/// (`unavailable`)를 줍니다. 항목 안의 필드와 정의: `crates/analytics/README.md`.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CustomerAnalyticsAnswer {
    customer_id: String,
    /// `30d`·`90d`·`180d`·`1y`
    period: String,
    date_range: AnalyticsDateRange,
    /// 분석한 첫날 (기간의 시작, 또는 그보다 늦은 고객의 첫 기록)
    #[schema(format = Date)]
    analysed_from: String,
    /// 평균 방문 간격, 빈도, 선호 요일·시간대, 규칙성 점수, 월별 방문
    #[serde(rename = "visitPattern")]
    #[schema(value_type = Object)]
    visit_pattern: String,
    /// 서비스별 이용 비율(%), 서비스별 만족도, 증감
    #[serde(rename = "serviceUsage")]
    #[schema(value_type = Object)]
    service_usage: String,
    /// 월별 매출, LTV 추정(방법 포함), 매출 백분위
    #[serde(rename = "revenueContribution")]
    #[schema(value_type = Object)]
    revenue_contribution: String,
    /// 자가 보고 지표의 처음과 마지막 (건강 정보를 보는 역할만)
    #[serde(rename = "healthMetrics")]
    #[schema(value_type = Object)]
    health_metrics: String,
    /// 이탈 위험과 확률(학습된 모델), 위험 요인, 유지 점수, 다음 조치
    #[serde(rename = "riskAssessment")]
    #[schema(value_type = Object)]
    risk_assessment: String,
}

/// 한 고객의 행동 분석 (seed 003 §2.2). 각 항목의 필드와 정의: `crates/analytics/README.md`.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CustomerBehaviorAnswer {
    customer_id: String,
    /// 0–100; 낼 수 없으면 `null`과 이유(`unavailable`)
    behavior_score: Option<f64>,
    /// 점수의 구성(최근성, 빈도, 매출, 참여)과 공식
    #[schema(value_type = Object)]
    score_components: String,
    /// 방문과 패키지 구매 요약
    #[schema(value_type = Object)]
    purchase_history: String,
    /// 많이 이용한 서비스
    #[schema(value_type = Vec<Object>)]
    favorite_services: String,
    /// 월평균 방문, 만족도를 남긴 비율 등
    #[schema(value_type = Object)]
    engagement: String,
    /// 학습된 모델의 이탈 확률 (모델이 없으면 그 이유)
    #[schema(value_type = Object)]
    churn_prediction: String,
    /// 다음 조치와 그 이유
    #[schema(value_type = Vec<Object>)]
    next_best_actions: String,
    unavailable: Vec<UnavailableFigure>,
}

// -- segments (seed 000 §2.2) ------------------------------------------------------------------

/// 한 고객의 세그먼트와 동료 비교. 항목의 정의: `crates/analytics/src/segments.rs`.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CustomerSegmentAnswer {
    customer_id: String,
    /// 주 세그먼트 (페르소나 키)
    primary_segment: String,
    /// 주 세그먼트의 한국어 이름
    primary_segment_name: Option<String>,
    /// 페르소나 설명
    segment_description: String,
    /// 모델의 군집 번호
    cluster_id: i64,
    /// 군집 중심까지의 거리 (표준편차 단위; 3을 넘으면 드문 고객)
    distance: f64,
    /// 세그먼트를 정한 모델 버전
    model_version: String,
    /// 전체 고객 중 백분위로 붙인 보조 세그먼트 (`high_value`, `regular_visitor`, …)
    secondary_segments: Vec<String>,
    secondary_segments_label: Vec<String>,
    /// `visit_frequency`, `spending_level`, `service_diversity`, `loyalty_level`
    #[schema(value_type = Object)]
    characteristics: String,
    #[schema(value_type = Object)]
    characteristics_label: String,
    /// 같은 세그먼트(또는 전체)와 다른 점을 쓴 문장
    characteristic_notes: Vec<String>,
    /// 같은 세그먼트 고객 중 백분위
    #[schema(value_type = Object)]
    peer_comparison: String,
    /// 전체 고객 중 백분위
    #[schema(value_type = Object)]
    overall_comparison: String,
    /// 비교한 이 고객의 값
    #[schema(value_type = Object)]
    customer_values: String,
    unavailable: Vec<UnavailableFigure>,
}

// -- training from the API ---------------------------------------------------------------------

/// A training run in the path.
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
pub struct TrainingJobId {
    /// 학습 작업 id
    job_id: String,
}

/// 학습 작업의 진행
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TrainingRunAnswer {
    job_id: String,
    /// `running`·`done`·`failed`
    state: String,
    /// `features`·`clustering`·`personas`·`churn`·`finishing`·`done`
    stage: String,
    /// 단계의 한국어 이름
    stage_label: String,
    /// 0–1, 줄지 않음
    fraction: f64,
    detail: String,
    started_at: String,
    finished_at: Option<String>,
    started_by: Option<String>,
    /// 끝나면 저장된 버전
    version: Option<String>,
    /// 끝나면 학습 보고 (held-out 지표)
    #[schema(value_type = Option<Object>)]
    report: Option<String>,
    /// 실패하면 `{code, message}`
    #[schema(value_type = Option<Object>)]
    error: Option<String>,
}

// -- recommendations (seed 000 §3, seed 003 §3) ------------------------------------------------

#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RecommendationParams {
    /// `service`·`package`·`schedule` (기본 `service`)
    r#type: Option<String>,
    /// 1–20 (기본 5)
    count: Option<i64>,
    /// `collaborative`·`content_based`·`hybrid` (기본 `hybrid`)
    algorithm: Option<String>,
}

/// A recommendation in the path.
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
pub struct RecommendationId {
    /// 추천 id (`rec_` + 12자리 16진수)
    recommendation_id: String,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecommendationMetadata {
    generated_at: String,
    /// 추천 표를 만든 날 (KST)
    #[schema(format = Date)]
    data_as_of: String,
    /// 추천 표를 만든 고객 수
    customers_in_model: i64,
    factors_considered: Vec<String>,
}

/// 한 고객의 추천
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecommendationList {
    customer_id: String,
    #[serde(rename = "type")]
    kind: String,
    algorithm: String,
    /// 각 항목: `recommendation_id`, `type`, `item {code, name}`, `score`(0–1), `reasons`,
    /// `algorithm`, 그리고 종류에 따라 `service_details`·`package_details`·`schedule`
    #[schema(value_type = Vec<Object>)]
    recommendations: String,
    recommendation_metadata: RecommendationMetadata,
}

/// 추천 피드백
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecommendationFeedbackInput {
    /// `accepted`·`rejected`·`ignored`
    action: String,
    /// 1–5
    feedback_score: Option<i64>,
    /// 500자까지
    comment: Option<String>,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecommendedItem {
    code: String,
    name: String,
}

/// 저장된 피드백
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecommendationFeedbackAnswer {
    feedback_id: String,
    recommendation_id: String,
    customer_id: String,
    #[serde(rename = "type")]
    kind: String,
    item: RecommendedItem,
    action: String,
    feedback_score: Option<i64>,
    comment: Option<String>,
    #[schema(format = Date)]
    given_on: String,
}

#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ServiceRecommendationParams {
    /// `collaborative`·`content_based`·`hybrid` (기본 `hybrid`)
    algorithm: Option<String>,
    /// 1–20 (기본 5)
    limit: Option<i64>,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ServiceRecommendationMetadata {
    total_recommendations: i64,
    algorithm: String,
    /// 추천 점수의 평균 (추천이 없으면 `null`)
    confidence_score: Option<f64>,
}

/// 고객에게 맞는 서비스 (seed 003 §3.1)
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ServiceRecommendationList {
    customer_id: String,
    algorithm: String,
    /// 각 항목: `recommendation_id`, `service_code`, `service_name`, `score`, `reasons`,
    /// `service_details`
    #[schema(value_type = Vec<Object>)]
    recommendations: String,
    metadata: ServiceRecommendationMetadata,
}

/// A service in the path.
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
pub struct ServiceInPath {
    /// `brain`·`pulse`·`lymph`·`red`·`ai_bike`
    code: String,
}

#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RelatedServicesParams {
    /// 1–10 (기본 5)
    limit: Option<i64>,
}

/// 함께 이용하는 서비스 (seed 003 §3.2)
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RelatedServiceList {
    service_code: String,
    service_name: Option<String>,
    /// 각 항목: `service {code, name}`, `service_type`, `similarity_score`, `lift`,
    /// `confidence`, `support`, `relation_type`(`frequently_used_together`·`similar_effect`),
    /// `reasons`
    #[schema(value_type = Vec<Object>)]
    related_services: String,
}

// -- self-reported health (seed 000 §2.1 healthMetrics) ----------------------------------------

/// 건강 자가 보고 (1–10)
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SelfReportInput {
    /// 보고한 날 (KST, 기본 오늘; 앞으로의 날은 안 됨)
    #[schema(format = Date)]
    reported_on: Option<String>,
    /// `stress_level`·`sleep_quality`·`focus_level`·`pain_level`·`fatigue_level` → 1–10
    #[schema(value_type = Object)]
    values: String,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SelfReportItem {
    id: String,
    #[schema(format = Date)]
    reported_on: String,
    metric: String,
    /// 항목의 한국어 이름
    label: Option<String>,
    value: i64,
    recorded_by: Option<String>,
    created_at: String,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SelfReportAnswer {
    customer_id: String,
    #[schema(format = Date)]
    reported_on: String,
    items: Vec<SelfReportItem>,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SelfReportList {
    customer_id: String,
    items: Vec<SelfReportItem>,
}
