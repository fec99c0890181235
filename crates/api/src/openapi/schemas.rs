//! Types that describe the JSON the handlers read and write, for the OpenAPI document only:
//! the handlers build their answers with the domain's `*_json` functions and `json!`, so these
//! are never constructed. Field names, types and allowed values follow what is answered; the
//! contract suite validates every answer of every case against them, so a change on either
//! side without the other fails a test.
//!
//! Conventions: response types close their objects (`deny_unknown_fields`, and every key is
//! `required` — see [`super::complete`]); request types list what may be sent (unknown fields
//! are refused with 422). Closed sets of values come from the domain's own constants.

// The fields exist only to be described.
#![allow(dead_code)]

use clinicdesk_domain::customer::{
    CHANNELS, CUSTOMER_STATUSES, GENDERS, HEALTH_INTERESTS, INTENSITIES, MEMBERSHIP_LEVELS,
    TIME_SLOTS,
};
use clinicdesk_domain::follow_up::{
    DUE_WINDOWS, FOLLOW_UP_EVENT_KINDS, FOLLOW_UP_STATES, REVEAL_REASONS,
};
use clinicdesk_domain::interaction::{FOLLOW_UP_TYPES, INTERACTION_TYPES};
use clinicdesk_domain::package::{PACKAGE_STATUSES, PAYMENT_METHODS};
use clinicdesk_domain::role::Role;
use clinicdesk_domain::search::SortKey;
use clinicdesk_domain::stats::RISK_LEVELS;
use clinicdesk_domain::ServiceType;
use std::collections::BTreeMap;
use utoipa::openapi::schema::{
    KnownFormat, Object, ObjectBuilder, OneOfBuilder, Schema, SchemaFormat, SchemaType, Type,
};
use utoipa::openapi::RefOr;
use utoipa::{IntoParams, PartialSchema, ToSchema};

/// A string schema whose allowed values are a domain constant, so the document lists exactly
/// what the validators accept.
macro_rules! string_enum {
    ($(#[doc = $doc:literal])+ $name:ident = $values:expr) => {
        $(#[doc = $doc])+
        pub struct $name;
        impl PartialSchema for $name {
            fn schema() -> RefOr<Schema> {
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .enum_values(Some($values))
                    .description(Some(concat!($($doc),+).trim()))
                    .into()
            }
        }
        impl ToSchema for $name {}
    };
}

string_enum!(/// 성별 (gender)
    Gender = GENDERS);
string_enum!(/// 회원 등급 (membership level)
    MembershipLevel = MEMBERSHIP_LEVELS);
string_enum!(/// 고객 상태 (customer status)
    CustomerStatus = CUSTOMER_STATUSES);
string_enum!(/// 이탈 위험: 마지막 방문 45일 이내 stable, 90일 이내 warning, 그 뒤 danger
    RiskLevel = RISK_LEVELS);
string_enum!(/// 선호 시간대 (time slot)
    TimeSlot = TIME_SLOTS);
string_enum!(/// 선호 강도 (건강 정보: doctor/admin만)
    Intensity = INTENSITIES);
string_enum!(/// 건강 관심사 (건강 정보: doctor/admin만)
    HealthInterest = HEALTH_INTERESTS);
string_enum!(/// 연락 채널 (contact channel)
    Channel = CHANNELS);
string_enum!(/// 서비스 종류: brain 브레인 피드백, pulse 펄스 케어, lymph 림프 순환, red 레드 테라피, ai_bike AI 바이크
    ServiceCode = ServiceType::CODES);
string_enum!(/// 패키지 상태: 만료일이 지났거나 모두 쓰면 expired, 만료 14일 이내 또는 남은 횟수 20% 이하면 expiring. 검색 필터로는 고객의 가장 좋은 패키지의 상태 (active > expiring > expired): expired는 쓸 수 있는 패키지가 하나도 남지 않은 고객
    PackageStatus = PACKAGE_STATUSES);
string_enum!(/// 결제 수단 (payment method)
    PaymentMethod = PAYMENT_METHODS);
string_enum!(/// 패키지 상태: active, expiring, expired (검색 필터의 뜻과 같음), 그리고 관리자가 취소·환불한 cancelled (남은 횟수 0, 더 쓸 수 없음)
    PackageUsageStatus = ["active", "expiring", "expired", "cancelled"]);
string_enum!(/// 정산의 결제 수단: card, cash, transfer, 그리고 결제 수단이 기록되지 않은 예전 매출 unrecorded
    CashUpMethod = ["card", "cash", "transfer", "unrecorded"]);
string_enum!(/// 매출의 종류: 패키지 구매 purchase, 단건 방문 visit
    SaleKind = ["purchase", "visit"]);
string_enum!(/// 상담 종류 (interaction type)
    InteractionType = INTERACTION_TYPES);
string_enum!(/// 후속 조치 종류 (follow-up type)
    FollowUpType = FOLLOW_UP_TYPES);
string_enum!(/// 역할 (role)
    RoleName = Role::ALL.map(Role::as_str));
string_enum!(/// 직원 계정의 역할 (the role of a staff account)
    AccountRole = Role::STAFF_ROLES);
string_enum!(/// 정렬 기준 (sort key): package_expiry는 고객의 패키지 상태를 보여 주는 패키지(`package`)의 만료일
    SortBy = SortKey::NAMES);
string_enum!(/// 정렬 방향 (sort order)
    SortOrder = ["asc", "desc"]);
string_enum!(/// 보여 줄 패키지 (which packages)
    PackageFilter = ["active", "expiring", "expired", "cancelled", "all"]);
string_enum!(/// 예/아니요 (yes/no)
    Flag = ["true", "false", "1", "0"]);
string_enum!(/// 삭제 방식: anonymize는 개인정보를 지우고 방문 기록은 통계용으로 남김, delete는 모두 삭제
    RetentionPolicy = ["anonymize", "delete"]);

/// RFC 3339 일시, 또는 날짜만 (`YYYY-MM-DD`, 그날 00:00 UTC)
pub struct DateOrDateTime;
impl PartialSchema for DateOrDateTime {
    fn schema() -> RefOr<Schema> {
        let string = |format: KnownFormat| {
            ObjectBuilder::new()
                .schema_type(Type::String)
                .format(Some(SchemaFormat::KnownFormat(format)))
        };
        OneOfBuilder::new()
            .item(string(KnownFormat::DateTime))
            .item(string(KnownFormat::Date))
            .description(Some(
                "RFC 3339 일시, 또는 날짜만 (`YYYY-MM-DD`, 그날 00:00 UTC)",
            ))
            .into()
    }
}
impl ToSchema for DateOrDateTime {}

/// `T`'s object schema with a new description, changed by `edit`: for a type that is another one
/// plus a little (written once instead of field by field).
fn variant_of<T: PartialSchema>(
    description: &str,
    edit: impl FnOnce(&mut Object),
) -> RefOr<Schema> {
    match T::schema() {
        RefOr::T(Schema::Object(mut object)) => {
            object.description = Some(description.to_string());
            edit(&mut object);
            RefOr::T(Schema::Object(object))
        }
        other => other,
    }
}

/// A type whose schema is another type's plus a little ([`variant_of`]); the components that
/// schema uses come along.
macro_rules! variant {
    ($(#[doc = $doc:literal])+ $name:ident = $base:ty, $description:expr, $edit:expr) => {
        $(#[doc = $doc])+
        pub struct $name;
        impl PartialSchema for $name {
            fn schema() -> RefOr<Schema> {
                variant_of::<$base>($description, $edit)
            }
        }
        impl ToSchema for $name {
            fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
                <$base as ToSchema>::schemas(schemas);
            }
        }
    };
}

/// A property of type `ty` with a description.
fn described(ty: impl Into<SchemaType>, description: &str) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(ty)
        .description(Some(description))
        .into()
}

/// The schemas of error `details` that are part of the contract ([`super::complete`] refers to
/// them from the error answers), with the schemas they use.
pub fn error_details_schemas() -> Vec<(String, RefOr<Schema>)> {
    let mut out = vec![(
        DuplicateCustomerDetails::name().into_owned(),
        DuplicateCustomerDetails::schema(),
    )];
    <DuplicateCustomerDetails as ToSchema>::schemas(&mut out);
    out.push((
        DuplicateVisitDetails::name().into_owned(),
        DuplicateVisitDetails::schema(),
    ));
    <DuplicateVisitDetails as ToSchema>::schemas(&mut out);
    out
}

// ---------------------------------------------------------------------------------------------
// Parameters

/// A customer in the path.
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
pub struct CustomerId {
    /// 고객 id (UUIDv7). 형식이 틀리면 404 CUSTOMER_NOT_FOUND.
    id: String,
}

/// A visit in the path.
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
pub struct SessionId {
    /// 방문 id (`session_id`, UUIDv7). 형식이 틀리면 404 SESSION_NOT_FOUND.
    id: String,
}

/// An account in the path.
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
pub struct UserId {
    /// 계정 id (UUIDv7). 형식이 틀리면 404 USER_NOT_FOUND.
    id: String,
}

/// The confirmation a duplicate warning asks for.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ConfirmDistinctParams {
    /// `true`: 409 DUPLICATE_CUSTOMER가 알려 준 고객(`details.candidates`)과 다른 사람임을
    /// 확인했으니 그래도 저장합니다 (`true`/`false`, `1`/`0`; 기본 `false`)
    #[param(inline)]
    confirm_distinct: Option<Flag>,
}

#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditEventParams {
    /// 이 고객에 관한 이벤트: 그 고객 자신의 이벤트, 그 고객의 방문·구매·취소·상담, 그 고객이 보인
    /// 목록·검색 페이지
    customer_id: Option<String>,
    /// 사용자 이름 (정확히)
    username: Option<String>,
    /// 동작, 쉼표로 여러 개 (그중 하나라도): 각각 정확히 (`customer.read`) 또는 `.`으로 끝나는
    /// 접두어 (`auth.`)
    #[param(example = "customer.detail.read,customer.read")]
    action: Option<String>,
    /// 이날부터 (병원 기준 날짜, KST, 포함)
    #[param(format = Date)]
    from: Option<String>,
    /// 이날까지 (병원 기준 날짜, KST, 포함)
    #[param(format = Date)]
    to: Option<String>,
    #[param(minimum = 1, maximum = 1000, default = 1)]
    page: Option<i64>,
    #[param(minimum = 1, maximum = 200, default = 50)]
    size: Option<i64>,
}

#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// 이름 일부, 전화번호 숫자 또는 이메일
    search: Option<String>,
    #[param(inline)]
    membership_level: Option<MembershipLevel>,
    #[param(inline)]
    customer_status: Option<CustomerStatus>,
    /// 담당 직원 이름
    assigned_staff: Option<String>,
    /// 한 페이지 크기 (1–100)
    #[param(minimum = 1, maximum = 100, default = 20)]
    limit: Option<i64>,
    #[param(minimum = 0, default = 0)]
    offset: Option<i64>,
}

#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchParams {
    /// 이름 일부, 전화번호 숫자(예: `5678`) 또는 이메일. 초성(`ㄱㅁㅇ`, `김ㅁ`)은 이름의 초성에,
    /// 띄어 쓴 여러 낱말(`김 민`)은 낱말마다 맞아야 합니다
    q: Option<String>,
    /// 쉼표로 구분한 서비스 종류 (예: `brain,pulse`): 그중 하나라도 받은 적이 있는 고객
    #[param(example = "brain,pulse")]
    service_filter: Option<String>,
    #[param(inline)]
    package_status: Option<PackageStatus>,
    #[param(inline)]
    membership_level: Option<MembershipLevel>,
    #[param(inline)]
    risk_level: Option<RiskLevel>,
    /// 마지막 방문일 시작 (YYYY-MM-DD)
    #[param(format = Date)]
    last_visit_from: Option<String>,
    /// 마지막 방문일 끝 (YYYY-MM-DD)
    #[param(format = Date)]
    last_visit_to: Option<String>,
    /// 기본 `name`
    #[param(inline)]
    sort_by: Option<SortBy>,
    /// 기본: `name`과 `package_expiry`는 `asc`, 나머지는 `desc`
    #[param(inline)]
    sort_order: Option<SortOrder>,
    #[param(minimum = 1, default = 1)]
    page: Option<i64>,
    #[param(minimum = 1, maximum = 100, default = 20)]
    size: Option<i64>,
}

#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DetailParams {
    /// 최근 방문 몇 건까지 (1–500)
    #[param(minimum = 1, maximum = 500, default = 50)]
    history_limit: Option<i64>,
}

#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InteractionListParams {
    /// 최근 상담 몇 건까지 (1–200); 요약은 모든 상담으로 계산
    #[param(minimum = 1, maximum = 200, default = 20)]
    limit: Option<i64>,
}

#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PackageListParams {
    /// 기본 `all`
    #[param(inline)]
    status: Option<PackageFilter>,
}

#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeleteParams {
    /// 기본 `anonymize`
    #[param(inline)]
    data_retention_policy: Option<RetentionPolicy>,
}

// ---------------------------------------------------------------------------------------------
// Auth

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    /// 대소문자를 가리지 않음 (소문자로 저장)
    username: String,
    password: String,
    /// 이 기기의 id (감사 기록용). 데스크톱은 헤더로 보냅니다; HTTP로 온 값은 `client:<id>`로 기록됩니다.
    device_id: Option<String>,
}

/// 프로세스 안(데스크톱)에서만 보냅니다. HTTP로는 본문 없이 보내고, 토큰은
/// `clinicdesk_refresh` 쿠키로 갑니다 (본문에 토큰이 있으면 422).
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    /// 로그인 또는 이전 갱신이 준 refresh_token (한 번만 쓸 수 있음). 프로세스 안에서는 필수.
    refresh_token: Option<String>,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct User {
    id: String,
    username: String,
    display_name: String,
    role: RoleName,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenPair {
    /// 15분짜리 HS256 JWT (로그인 세션보다 오래가지 않음; 헤더에 서명 키의 `kid`)
    access_token: String,
    /// 다음 갱신에 한 번 쓰는 토큰. **프로세스 안(데스크톱)에서만** 있습니다; HTTP로는 이 키가
    /// 없고 토큰은 `HttpOnly` 쿠키 `clinicdesk_refresh`로만 갑니다.
    refresh_token: Option<String>,
    #[schema(example = "Bearer")]
    token_type: String,
    /// access_token의 수명 (초)
    expires_in: i64,
    user: User,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoggedOut {
    logged_out: bool,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    current_password: String,
    /// 비밀번호 규칙을 따라야 함 (10–128자, 두 종류 이상의 문자, 아이디를 포함하지 않음,
    /// 추측하기 쉽지 않음); 지금 비밀번호와 달라야 함
    #[schema(min_length = 10, max_length = 128)]
    new_password: String,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChanged {
    password_changed: bool,
    /// 끝낸 다른 로그인 세션 수 (이 요청의 세션은 남음)
    other_sessions_revoked: i64,
}

// ---------------------------------------------------------------------------------------------
// First run and accounts

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetupStatus {
    /// 로그인할 수 있는 활성 관리자가 없음 (데모 관리자는 데모 모드에서만 셈)
    needs_setup: bool,
    /// 이 요청에서 `POST /setup`을 쓸 수 있음 (데스크톱 안에서만)
    setup_allowed: bool,
    /// 로그인 없이 `POST /sync/connect`를 쓸 수 있음 (계정이 없는 동기화 노드)
    connect_allowed: bool,
}

/// 첫 관리자 (the first administrator)
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetupInput {
    /// 3–50자의 `a-z 0-9 . _ -`, 글자나 숫자로 시작 (소문자로 저장)
    #[schema(min_length = 3, max_length = 50)]
    username: String,
    display_name: String,
    /// 비밀번호 규칙: docs/API.md "Accounts"
    #[schema(min_length = 10, max_length = 128)]
    password: String,
}

/// 직원 계정 (a staff account)
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Account {
    id: String,
    username: String,
    display_name: String,
    role: RoleName,
    /// false면 로그인할 수 없음
    active: bool,
    /// 데모 모드가 만든 계정 (데모 모드가 아니면 쓸 수 없음)
    demo: bool,
    #[schema(format = DateTime)]
    created_at: String,
    /// 가장 최근 로그인 세션이 시작된 때
    #[schema(format = DateTime)]
    last_login_at: Option<String>,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AccountList {
    /// 아이디순
    users: Vec<Account>,
    total: i64,
}

/// 새 계정 (a new account)
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AccountInput {
    #[schema(min_length = 3, max_length = 50)]
    username: String,
    display_name: String,
    #[schema(inline)]
    role: AccountRole,
    #[schema(min_length = 10, max_length = 128)]
    password: String,
}

/// 바꿀 항목만 보냅니다. 다른 필드는 422.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AccountUpdate {
    display_name: Option<String>,
    #[schema(inline)]
    role: Option<AccountRole>,
    /// false: 비활성화 (그 계정의 모든 세션이 끝남)
    active: Option<bool>,
}

variant!(/// 바뀐 계정과 바뀐 내용
AccountUpdated = Account,
"바뀐 계정과 바뀐 내용 (the account after the change)",
|o| {
    o.properties
        .insert("updated_fields".into(), Vec::<String>::schema());
    o.properties.insert(
        "sessions_revoked".into(),
        described(Type::Integer, "비활성화로 끝난 세션 수"),
    );
});

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordReset {
    #[schema(min_length = 10, max_length = 128)]
    new_password: String,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordResetDone {
    user_id: String,
    password_reset: bool,
    /// 끝낸 세션 수 (그 계정의 모든 세션)
    sessions_revoked: i64,
}

// ---------------------------------------------------------------------------------------------
// Audit

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AuditVerification {
    /// 모든 체인이 온전함 (체인이 하나도 없으면 false)
    intact: bool,
    /// 확인한 이벤트 수
    events: i64,
    chains: Vec<ChainReport>,
    #[schema(format = DateTime)]
    verified_at: String,
}

/// 한 체인을 확인한 결과 (docs/AUDIT.md)
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChainReport {
    /// `<node>` (쓰기) 또는 `<node>:access` (읽기, 거절, 실패한 로그인)
    chain: String,
    events: i64,
    /// 이 노드가 봉인한 체인이라 HMAC 봉인까지 확인했는지. 다른 PC가 쓰고 동기화로 온 체인은
    /// 빠진 이벤트와 연결만 확인합니다 (봉인 키는 그 PC에만 있음)
    sealed_here: bool,
    /// 중앙 서버에서: 기기가 동기화로 보낸 체인의 모든 이벤트를 그 기기의 서명(등록된 공개키)으로
    /// 확인했는지. 서명 키가 등록되지 않은 체인은 검증할 수 없어 깨진 것으로 봅니다
    device_signed: bool,
    /// 처음으로 깨진 이벤트의 `seq` (온전하면 null)
    broken_at: Option<i64>,
    /// 무엇이 깨졌는지 (온전하면 null)
    problem: Option<String>,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AuditEventList {
    /// 최신순
    events: Vec<AuditEvent>,
    pagination: AuditPagination,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AuditPagination {
    page: i64,
    size: i64,
    has_more: bool,
}

/// 감사 이벤트 하나 (누가, 언제, 무엇을, 어느 기기에서, 어느 요청으로)
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AuditEvent {
    id: String,
    chain: String,
    /// 체인 안의 순번 (1, 2, 3…)
    seq: i64,
    #[schema(format = DateTime)]
    occurred_at: String,
    user_id: Option<String>,
    /// 사용자 이름; 시스템이 한 일은 `system:<무엇>`
    username: Option<String>,
    role: Option<String>,
    /// 로그인 세션이 정한 기기 (HTTP 클라이언트가 보낸 값은 `client:<id>`)
    device_id: Option<String>,
    /// 서버의 요청 id
    request_id: Option<String>,
    /// 클라이언트가 보낸 `X-Request-Id` (클라이언트의 주장으로만 기록)
    client_request_id: Option<String>,
    /// `customer.read`, `customer.update`, `customers.list`, `auth.login_failed` …
    action: String,
    entity: String,
    entity_id: Option<String>,
    /// 동작별 세부 정보, 동작마다 모양이 다름 (JSON 아무 값): 만든 기록의 필드 이름 목록, 바뀐
    /// 필드, 검색 조건과 보인 고객 수, 거절된 경로 … 연락처와 건강 정보의 값은 없음. 없으면 null
    #[schema(value_type = Value)]
    details: serde_json::Value,
    /// `entity`가 customer일 때 그 고객의 이름 (관리자는 가리지 않은 이름을 봄)
    customer_name: Option<String>,
}

// ---------------------------------------------------------------------------------------------
// Customers

/// 고객 (staff는 연락처가 가려진 값, 건강 정보는 doctor/admin만 — 그 밖의 역할은 `null`)
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Customer {
    id: String,
    /// `id`와 같은 값
    customer_id: String,
    name: String,
    /// `010-1234-5678`; staff는 `010-****-5678`
    phone: Option<String>,
    /// staff는 `k***@example.com`
    email: Option<String>,
    birth_year: Option<i64>,
    gender: Option<Gender>,
    /// staff는 `서울시 강남구 ***`
    address: Option<String>,
    /// staff는 가려진 번호
    emergency_contact: Option<String>,
    occupation: Option<String>,
    membership_level: MembershipLevel,
    customer_status: CustomerStatus,
    risk_level: RiskLevel,
    #[schema(format = Date)]
    first_visit_date: Option<String>,
    #[schema(format = Date)]
    last_visit_date: Option<String>,
    total_visits: i64,
    /// 방문 사이 평균 일수 (방문 2회 미만이면 null)
    average_visit_interval: Option<i64>,
    /// 패키지 구매와 단건 방문 금액의 합 (원)
    total_revenue: i64,
    /// 평균 만족도 1–5, 소수 한 자리
    average_satisfaction: Option<f64>,
    /// 건강 정보: doctor/admin만, 그 밖에는 null
    health_goals: Option<String>,
    /// 건강 정보: doctor/admin만, 그 밖에는 null
    health_interests: Option<Vec<HealthInterest>>,
    /// 건강 정보: doctor/admin만, 그 밖에는 null
    preferred_intensity: Option<Intensity>,
    preferred_time_slots: Vec<TimeSlot>,
    preferred_services: Vec<ServiceCode>,
    assigned_staff: Option<String>,
    memo: Option<String>,
    communication_preferences: CommunicationPreferences,
    consent: Consent,
    /// 채워진 프로필 항목의 비율 0–1
    profile_completeness: f64,
    /// 익명화된 고객 (DELETE …?data_retention_policy=anonymize)
    anonymized: bool,
    #[schema(format = DateTime)]
    created_at: String,
    #[schema(format = DateTime)]
    updated_at: String,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CommunicationPreferences {
    preferred_channels: Vec<Channel>,
    contact_time: Option<TimeSlot>,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Consent {
    privacy: bool,
    marketing: bool,
    health_data: bool,
    /// 마지막으로 동의가 바뀐 때
    #[schema(format = DateTime)]
    updated_at: Option<String>,
}

/// 고치는 항목만 보냅니다 (부분 수정). `null`은 선택 항목을 비웁니다. 알 수 없는 필드는 422.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CustomerUpdate {
    name: Option<String>,
    /// 비울 수 없음
    phone: Option<String>,
    email: Option<String>,
    birth_year: Option<i64>,
    gender: Option<Gender>,
    address: Option<String>,
    emergency_contact: Option<String>,
    occupation: Option<String>,
    membership_level: Option<MembershipLevel>,
    customer_status: Option<CustomerStatus>,
    /// doctor/admin만 (그 밖의 역할은 403 FORBIDDEN_ROLE)
    health_goals: Option<String>,
    /// doctor/admin만
    health_interests: Option<Vec<HealthInterest>>,
    /// doctor/admin만
    preferred_intensity: Option<Intensity>,
    preferred_time_slots: Option<Vec<TimeSlot>>,
    preferred_services: Option<Vec<ServiceCode>>,
    assigned_staff: Option<String>,
    memo: Option<String>,
    communication_preferences: Option<CommunicationPreferencesInput>,
    consent: Option<ConsentInput>,
}

variant!(/// 새 고객: [`CustomerUpdate`]의 필드 가운데 `name`과 `phone`이 필수.
CustomerCreate = CustomerUpdate,
"새 고객. `name`과 `phone`은 필수, 나머지는 선택입니다. 알 수 없는 필드는 422.",
|o| {
    o.required = vec!["name".into(), "phone".into()];
    o.properties.insert(
        "name".into(),
        ObjectBuilder::new()
            .schema_type(Type::String)
            .max_length(Some(50))
            .into(),
    );
    o.properties.insert(
        "phone".into(),
        described(
            Type::String,
            "한국 전화번호; `01012345678`도 받아 `010-1234-5678`로 저장",
        ),
    );
});

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CommunicationPreferencesInput {
    preferred_channels: Option<Vec<Channel>>,
    contact_time: Option<TimeSlot>,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConsentInput {
    privacy: Option<bool>,
    marketing: Option<bool>,
    health_data: Option<bool>,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CustomerListItem {
    id: String,
    customer_id: String,
    name: String,
    /// staff는 가려진 번호
    phone: Option<String>,
    membership_level: MembershipLevel,
    customer_status: CustomerStatus,
    risk_level: RiskLevel,
    #[schema(format = Date)]
    first_visit_date: Option<String>,
    #[schema(format = Date)]
    last_visit_date: Option<String>,
    total_visits: i64,
    total_revenue: i64,
    assigned_staff: Option<String>,
    /// 마지막 상담 일시
    #[schema(format = DateTime)]
    last_interaction: Option<String>,
    interaction_count: i64,
    profile_completeness: f64,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OffsetPagination {
    limit: i64,
    offset: i64,
    has_more: bool,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CustomerList {
    customers: Vec<CustomerListItem>,
    total_count: i64,
    pagination: OffsetPagination,
}

variant!(/// 검색 결과의 한 고객: [`CustomerListItem`]과 패키지.
SearchItem = CustomerListItem,
"검색 결과의 한 고객: 목록 항목과 패키지",
|o| {
    let text = |d| described(SchemaType::from_iter([Type::String, Type::Null]), d);
    o.properties.insert(
        "active_package".into(),
        text("`package`가 아직 쓸 수 있으면(active, expiring) 그 이름, 아니면 null"),
    );
    o.properties.insert(
        "package_usage_summary".into(),
        text("그 패키지의 서비스별 남은/전체 횟수 (예: `브레인 피드백 3회 남음 / 4회, 펄스 케어 0회 남음 / 4회`)"),
    );
    o.properties.insert(
        "package".into(),
        OneOfBuilder::new()
            .item(SearchPackage::schema())
            .item(ObjectBuilder::new().schema_type(Type::Null))
            .description(Some(
                "고객의 패키지 상태를 보여 주는 패키지: 가장 좋은 상태(active > expiring > expired)의 \
                 패키지 중 가장 먼저 만료되는 것 (모두 만료됐으면 가장 늦게 끝난 것). 패키지가 없으면 null",
            ))
            .into(),
    );
});

/// 검색 결과 한 줄의 패키지 (가격·결제·메모 없이)
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SearchPackage {
    package_usage_id: String,
    package_name: String,
    package_status: PackageStatus,
    #[schema(format = Date)]
    purchase_date: String,
    #[schema(format = Date)]
    expiry_date: String,
    /// 만료일까지 남은 일수: 마지막 사용일은 0, 지나면 음수 (-3: 사흘 전에 만료)
    days_remaining: i64,
    total_sessions: i64,
    used_sessions: i64,
    remaining_sessions: i64,
    /// 서비스별 사용 현황
    service_breakdown: BTreeMap<String, ServiceUsage>,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PagePagination {
    total: i64,
    page: i64,
    size: i64,
    total_pages: i64,
}

/// 요청에 있던 필터 (sort_by와 sort_order는 항상)
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FiltersApplied {
    q: Option<String>,
    service_filter: Option<Vec<ServiceCode>>,
    package_status: Option<PackageStatus>,
    membership_level: Option<MembershipLevel>,
    risk_level: Option<RiskLevel>,
    #[schema(format = Date)]
    last_visit_from: Option<String>,
    #[schema(format = Date)]
    last_visit_to: Option<String>,
    sort_by: SortBy,
    sort_order: SortOrder,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SearchResult {
    customers: Vec<SearchItem>,
    pagination: PagePagination,
    filters_applied: FiltersApplied,
}

/// 상세 화면의 선호 (seed 000 §1.1)
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Preferences {
    preferred_services: Vec<ServiceCode>,
    /// 첫 번째 선호 시간대
    preferred_time: Option<TimeSlot>,
    preferred_time_slots: Vec<TimeSlot>,
    /// 건강 정보: doctor/admin만
    preferred_intensity: Option<Intensity>,
    /// 건강 정보: doctor/admin만
    health_interests: Option<Vec<HealthInterest>>,
    /// 첫 번째 연락 채널
    communication_preference: Option<Channel>,
    marketing_consent: bool,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CustomerDetail {
    customer: Customer,
    /// 최근 방문, 최신순 (취소된 방문도 `cancelled: true`로 남음)
    #[serde(rename = "serviceHistory")]
    service_history: Vec<Session>,
    /// 만료되지 않은 패키지
    #[serde(rename = "activePackages")]
    active_packages: Vec<PackageUsage>,
    preferences: Preferences,
}

/// `DUPLICATE_CUSTOMER`의 `details`: 같은 사람일 수 있는 고객들, 요청한 역할이 볼 수 있는 만큼만.
/// 연락처를 가린 값으로 보는 역할(staff)에게는 같은 이름과 전화번호 끝 네 자리로 찾고(가려진
/// 숫자가 맞든 틀리든 같은 답), `existing_customer_id`는 주지 않습니다.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DuplicateCustomerDetails {
    candidates: Vec<DuplicateCandidate>,
    /// 다른 사람이면 이렇게 다시 보냅니다: `confirm_distinct=true`
    confirm_with: String,
    /// 전화번호를 온전히 보는 역할에게만: 이름과 전화번호가 같은 고객
    existing_customer_id: Option<String>,
}

/// 같은 사람일 수 있는 고객 (요청한 역할이 보는 값)
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DuplicateCandidate {
    customer_id: String,
    name: String,
    /// staff는 가려진 번호
    phone: Option<String>,
    membership_level: MembershipLevel,
    #[schema(format = Date)]
    last_visit_date: Option<String>,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateResult {
    id: String,
    /// 실제로 바뀐 필드 (보낸 순서)
    updated_fields: Vec<String>,
    profile_completeness: f64,
    #[schema(format = DateTime)]
    last_updated: String,
    /// 필드별 `"이전 → 새 값"` (중첩 필드는 `consent.marketing`처럼)
    changes_summary: BTreeMap<String, String>,
}

/// 수정 뒤의 상세와 바뀐 내용
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DetailUpdateResult {
    customer: Customer,
    #[serde(rename = "serviceHistory")]
    service_history: Vec<Session>,
    #[serde(rename = "activePackages")]
    active_packages: Vec<PackageUsage>,
    preferences: Preferences,
    updated_fields: Vec<String>,
    changes_summary: BTreeMap<String, String>,
}

// ---------------------------------------------------------------------------------------------
// Interactions

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InteractionInput {
    interaction_type: InteractionType,
    /// 상담 일시 (기본: 지금). 미래는 안 됨
    date: Option<DateOrDateTime>,
    #[schema(minimum = 0, maximum = 600)]
    duration_minutes: Option<i64>,
    notes: Option<String>,
    outcome: Option<String>,
    follow_up: Option<FollowUpInput>,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FollowUpInput {
    /// 기본 true; true면 `date` 필수
    required: Option<bool>,
    date: Option<DateOrDateTime>,
    #[serde(rename = "type")]
    kind: Option<FollowUpType>,
    notes: Option<String>,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Interaction {
    id: String,
    /// `id`와 같은 값
    interaction_id: String,
    customer_id: String,
    #[schema(format = DateTime)]
    date: String,
    /// `interaction_type`과 같은 값
    #[serde(rename = "type")]
    kind: InteractionType,
    interaction_type: InteractionType,
    duration_minutes: Option<i64>,
    notes: Option<String>,
    outcome: Option<String>,
    /// 기록한 직원
    staff_name: Option<String>,
    follow_up: Option<FollowUp>,
    #[schema(format = DateTime)]
    recorded_at: String,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FollowUp {
    required: bool,
    #[schema(format = DateTime)]
    date: Option<String>,
    #[serde(rename = "type")]
    kind: Option<FollowUpType>,
    notes: Option<String>,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InteractionCreated {
    interaction_id: String,
    customer_id: String,
    #[schema(format = DateTime)]
    recorded_at: String,
    interaction: Interaction,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InteractionSummary {
    total_interactions: i64,
    /// 평균 상담 시간 (분)
    average_duration: Option<i64>,
    #[schema(format = DateTime)]
    last_interaction_date: Option<String>,
    /// 종류별 건수
    by_type: BTreeMap<String, i64>,
    /// 열린(완료·취소되지 않은) 후속 조치 수: 기한이 지난 것도 셉니다
    open_follow_ups: i64,
    /// 그중 기한(KST 날짜)이 오늘 이전인 것
    overdue_follow_ups: i64,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InteractionList {
    customer_id: String,
    /// 최신순
    interactions: Vec<Interaction>,
    interaction_summary: InteractionSummary,
}

// ---------------------------------------------------------------------------------------------
// Services, packages, visits

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Service {
    service_type: ServiceCode,
    name: String,
    name_en: String,
    /// 사용 요약에 쓰는 한 글자 (`브`)
    short_name: String,
    duration_minutes: i64,
    /// 패키지 없이 한 번 받을 때의 가격 (원)
    price: i64,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Services {
    services: Vec<Service>,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PackageTemplate {
    package_id: String,
    name: String,
    description: Option<String>,
    price: i64,
    validity_days: i64,
    total_sessions: i64,
    /// 서비스별 횟수 (`{"brain": 10, "pulse": 10}`)
    sessions: BTreeMap<String, i64>,
    #[schema(format = DateTime)]
    created_at: String,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PackageTemplates {
    packages: Vec<PackageTemplate>,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TemplateInput {
    #[schema(max_length = 100)]
    name: String,
    description: Option<String>,
    /// 원 (0–100,000,000)
    price: i64,
    /// 구매일부터 유효한 일수 (1–3650)
    validity_days: i64,
    /// 서비스별 횟수 (`{"brain": 10}`); 한 가지 이상
    sessions: BTreeMap<String, i64>,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PurchaseInput {
    /// 패키지 템플릿의 `package_id`
    package_id: String,
    /// 기본: 오늘. 미래는 안 됨
    #[schema(format = Date)]
    purchase_date: Option<String>,
    /// 기본: 템플릿 가격
    price_paid: Option<i64>,
    /// 결제 수단: 받는 금액이 있으면 필수 (기본값 없음 — 422 `payment_method` required).
    /// `price_paid`가 0이면 없음
    payment_method: Option<PaymentMethod>,
    notes: Option<String>,
}

/// 고객의 패키지와 그 사용 현황 (방문에서 계산)
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PackageUsage {
    package_usage_id: String,
    package_id: String,
    package_name: String,
    #[schema(format = Date)]
    purchase_date: String,
    #[schema(format = Date)]
    expiry_date: String,
    price_paid: i64,
    payment_method: Option<PaymentMethod>,
    notes: Option<String>,
    total_sessions: i64,
    used_sessions: i64,
    remaining_sessions: i64,
    /// 사용률 (%)
    usage_rate: f64,
    /// 만료일까지 남은 일수: 마지막 사용일은 0, 지나면 음수 (-3: 사흘 전에 만료). 횟수를 모두
    /// 써서 expired인 패키지는 양수일 수 있습니다.
    days_remaining: i64,
    package_status: PackageUsageStatus,
    /// 산 횟수보다 더 쓴 횟수 (두 데스크톱이 오프라인에서 마지막 회차를 모두 쓴 경우)
    overdrawn_sessions: i64,
    /// 서비스별 사용 현황
    service_breakdown: BTreeMap<String, ServiceUsage>,
    /// 취소·환불 (보정 이벤트); 없으면 null
    cancellation: Option<PurchaseCancellation>,
}

/// 구매의 취소·환불: 이미 쓴 회차는 기록에 남고 패키지는 더 쓸 수 없습니다
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PurchaseCancellation {
    /// 취소 사유 (고객이 익명화되면 null)
    reason: Option<String>,
    /// 환불한 금액 (0이면 환불 없는 취소)
    refund_amount: i64,
    /// 환불 수단 (환불 금액이 0이면 null)
    refund_method: Option<PaymentMethod>,
    #[schema(format = DateTime)]
    cancelled_at: String,
    /// 취소한 사람 (표시 이름)
    cancelled_by: Option<String>,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PurchaseCancelInput {
    /// 취소 사유 (필수, 500자 이내)
    reason: String,
    /// 환불 금액: 0 이상, 결제한 금액 이하 (필수)
    #[schema(minimum = 0)]
    refund_amount: i64,
    /// 환불 수단: 환불 금액이 있으면 필수, 0이면 보내지 않음
    refund_method: Option<PaymentMethod>,
}

#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
pub struct PurchaseId {
    /// 구매 ID (`package_usage_id`)
    id: String,
}

#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ConfirmDuplicateParams {
    /// 같은 날 같은 서비스 방문이 이미 있어도 기록 (409 `DUPLICATE_VISIT`을 본 뒤)
    confirm_duplicate: Option<Flag>,
}

/// `DUPLICATE_VISIT`의 `details`
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DuplicateVisitDetails {
    /// 이미 기록된 같은 날 같은 서비스의 방문
    existing: Vec<ExistingVisit>,
    /// 그래도 기록하려면: `confirm_duplicate=true`
    confirm_with: String,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExistingVisit {
    session_id: String,
    #[schema(format = Date)]
    service_date: String,
    service_type: ServiceCode,
    staff_name: Option<String>,
    #[schema(format = DateTime)]
    created_at: String,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ServiceUsage {
    total: i64,
    used: i64,
    remaining: i64,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CustomerPackages {
    customer_id: String,
    packages: Vec<PackageUsage>,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VisitInput {
    service_type: ServiceCode,
    /// 기본: 오늘. 미래는 안 됨
    #[schema(format = Date)]
    service_date: Option<String>,
    /// 이 패키지의 한 회차를 씁니다. 없으면 카탈로그 가격의 단건 방문
    package_usage_id: Option<String>,
    /// 단건 방문의 결제 수단 (패키지가 없으면 필수, 패키지 방문에는 보내지 않음)
    payment_method: Option<PaymentMethod>,
    /// 기본: 서비스의 기본 시간
    #[schema(minimum = 1, maximum = 480)]
    duration_minutes: Option<i64>,
    #[schema(minimum = 1, maximum = 5)]
    satisfaction_rating: Option<i64>,
    session_notes: Option<String>,
    /// 기본: 기록한 사용자
    staff_name: Option<String>,
}

/// 방문 (service session)
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Session {
    session_id: String,
    customer_id: String,
    #[schema(format = Date)]
    service_date: String,
    service_type: ServiceCode,
    service_name: String,
    duration_minutes: i64,
    satisfaction_rating: Option<i64>,
    session_notes: Option<String>,
    staff_name: Option<String>,
    package_usage_id: Option<String>,
    package_name: Option<String>,
    /// 이 방문 자체의 금액 (패키지 회차면 0)
    amount: i64,
    /// 단건 방문의 결제 수단 (패키지 방문은 null)
    payment_method: Option<PaymentMethod>,
    cancelled: bool,
    #[schema(format = DateTime)]
    cancelled_at: Option<String>,
    cancel_reason: Option<String>,
    /// 취소한 사람 (표시 이름)
    cancelled_by: Option<String>,
    /// 기록한 사용자의 ID (가져온 기록에는 null)
    created_by: Option<String>,
    #[schema(format = DateTime)]
    created_at: String,
    /// 기록한 사람이 스스로 취소할 수 있는 마지막 시각: 기록 후 10분, 그날 자정을 넘지 않음
    #[schema(format = DateTime)]
    void_until: Option<String>,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CancelInput {
    /// 취소 사유 (필수, 방문 기록에 보입니다)
    reason: String,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CancelResult {
    session_id: String,
    #[schema(format = DateTime)]
    cancelled_at: String,
    reason: String,
    /// 돌려준 금액: 단건 방문의 금액 (패키지 방문은 0 — 회차가 패키지로 돌아갑니다)
    refunded_amount: i64,
    payment_method: Option<PaymentMethod>,
}

// ---------------------------------------------------------------------------------------------
// Receipts, the daily cash-up and the clinic's details (issue 8)

/// 의원 정보 (영수증과 정산서의 머리글). 설정 전에는 null
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClinicSettings {
    name: Option<String>,
    /// 사업자등록번호 (000-00-00000)
    business_number: Option<String>,
    address: Option<String>,
    phone: Option<String>,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClinicSettingsInput {
    /// 의원 이름 (필수, 100자 이내)
    name: String,
    /// 사업자등록번호 (000-00-00000)
    business_number: Option<String>,
    /// 주소 (200자 이내)
    address: Option<String>,
    /// 전화번호 (숫자, 공백, - + ( ))
    phone: Option<String>,
}

/// 영수증 (다시 인쇄해도 같은 번호)
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Receipt {
    /// `R-YYYYMMDD-` + 구매·방문 ID 앞 8자리
    receipt_number: String,
    kind: SaleKind,
    #[schema(format = DateTime)]
    issued_at: String,
    clinic: ClinicSettings,
    customer_name: String,
    /// 판매일
    #[schema(format = Date)]
    date: String,
    /// 판매한 직원 (표시 이름)
    staff_name: Option<String>,
    items: Vec<ReceiptItem>,
    total: i64,
    payment_method: Option<PaymentMethod>,
    /// 취소·환불되었으면 그 내용
    cancellation: Option<ReceiptCancellation>,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReceiptItem {
    name: String,
    /// 패키지의 구성 (`브레인 피드백 10회, …`) 또는 방문 시간
    detail: Option<String>,
    quantity: i64,
    unit_price: i64,
    amount: i64,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReceiptCancellation {
    reason: Option<String>,
    refund_amount: i64,
    refund_method: Option<PaymentMethod>,
    #[schema(format = DateTime)]
    cancelled_at: String,
}

#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CashUpParams {
    /// 정산할 날 (YYYY-MM-DD, 한국 시간). 기본: 오늘
    #[param(format = Date)]
    date: Option<String>,
}

/// 하루 정산: 결제 수단별 매출과 환불
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CashUp {
    #[schema(format = Date)]
    date: String,
    /// card, cash, transfer는 늘, unrecorded는 있을 때만
    methods: Vec<CashUpRow>,
    totals: CashUpTotals,
    /// 그날의 매출 (시간순): 그날 산 패키지와 그날의 단건 방문 (나중에 취소된 것도 표시와 함께)
    sales: Vec<CashUpSale>,
    /// 그날의 환불 (시간순): 그날 취소·환불한 구매와 취소한 단건 방문
    refunds: Vec<CashUpRefund>,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CashUpRow {
    payment_method: CashUpMethod,
    sales_count: i64,
    sales_amount: i64,
    refund_count: i64,
    refund_amount: i64,
    /// 매출 − 환불
    net_amount: i64,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CashUpTotals {
    sales_count: i64,
    sales_amount: i64,
    refund_count: i64,
    refund_amount: i64,
    net_amount: i64,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CashUpSale {
    kind: SaleKind,
    /// 구매 ID 또는 방문 ID
    id: String,
    customer_id: String,
    customer_name: String,
    /// 패키지 이름 또는 서비스 이름
    description: String,
    amount: i64,
    payment_method: Option<PaymentMethod>,
    #[schema(format = DateTime)]
    recorded_at: String,
    staff_name: Option<String>,
    /// 나중에 취소되었는지
    cancelled: bool,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CashUpRefund {
    kind: SaleKind,
    id: String,
    customer_id: String,
    customer_name: String,
    description: String,
    amount: i64,
    payment_method: Option<PaymentMethod>,
    #[schema(format = DateTime)]
    cancelled_at: String,
    cancelled_by: Option<String>,
    reason: Option<String>,
}

// ---------------------------------------------------------------------------------------------
// Probes

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Liveness {
    #[schema(example = "ok")]
    status: String,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Readiness {
    /// `ready` 또는 `not_ready`
    status: String,
    checks: ReadinessChecks,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReadinessChecks {
    migrations: bool,
    database: bool,
    /// 지금 쓰는 고객 분석 모델 버전 (없으면 `null`)
    customer_model: Option<String>,
}

#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReadinessParams {
    /// `model`: 고객 분석 모델이 없으면 503 (분석 서버를 부하 분산기에 올릴 때)
    require: Option<String>,
}

// ---------------------------------------------------------------------------------------------
// Follow-ups, Today and phone reveal (issue 8)

string_enum!(/// 후속 조치 상태: open(열림), done(완료), cancelled(취소)
    FollowUpState = FOLLOW_UP_STATES);
string_enum!(/// 후속 조치 기한 구간 (KST 날짜): overdue 오늘 이전, today 오늘, due 둘 다, week 오늘부터 6일 뒤까지, all 전체
    DueWindow = DUE_WINDOWS);
string_enum!(/// 열린 후속 조치의 기한이 오늘(KST) 기준 어디인지: overdue, today, upcoming
    DueBucket = ["overdue", "today", "upcoming"]);
string_enum!(/// 후속 조치 이벤트: complete, reschedule, cancel
    FollowUpEventKind = FOLLOW_UP_EVENT_KINDS);
string_enum!(/// 전화번호 열람 사유: follow_up_call(후속 전화), booking(예약), other(기타, note 필수)
    RevealReason = REVEAL_REASONS);

/// A follow-up in the path: the id of the interaction that asked for it.
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
pub struct FollowUpId {
    /// 후속 조치 id (요청한 상담의 id, UUIDv7). 형식이 틀리면 404 FOLLOW_UP_NOT_FOUND.
    id: String,
}

#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FollowUpListParams {
    /// 기본 `all`
    #[param(inline)]
    due: Option<DueWindow>,
    /// 기본 `open`; `all`은 모든 상태
    #[param(pattern = "^(open|done|cancelled|all)$")]
    state: Option<String>,
    /// 고객의 담당 직원 이름 (정확히); `me`는 로그인한 사람
    assigned_staff: Option<String>,
    #[param(minimum = 1, maximum = 200, default = 50)]
    limit: Option<i64>,
    #[param(minimum = 0, default = 0)]
    offset: Option<i64>,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FollowUpItem {
    follow_up_id: String,
    customer_id: String,
    customer_name: String,
    /// 고객의 담당 직원
    assigned_staff: Option<String>,
    state: FollowUpState,
    /// 지금의 기한 (일정 변경 반영)
    #[schema(format = DateTime)]
    due_date: String,
    /// 열린 것만; 완료·취소된 것은 null
    due: Option<DueBucket>,
    /// 상담에서 처음 정한 기한
    #[schema(format = DateTime)]
    asked_date: Option<String>,
    #[serde(rename = "type")]
    kind: Option<FollowUpType>,
    notes: Option<String>,
    interaction_type: InteractionType,
    #[schema(format = DateTime)]
    interaction_date: String,
    /// 상담을 기록한 직원
    recorded_by: Option<String>,
    #[schema(format = DateTime)]
    closed_at: Option<String>,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FollowUpPagination {
    limit: i64,
    offset: i64,
    has_more: bool,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FollowUpPage {
    /// 기한이 이른 순
    follow_ups: Vec<FollowUpItem>,
    total_count: i64,
    pagination: FollowUpPagination,
    /// 기준 날짜 (KST)
    #[schema(format = Date)]
    today: String,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FollowUpCompleteInput {
    /// 결과 메모 (500자까지)
    note: Option<String>,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FollowUpRescheduleInput {
    /// 새 기한: 오늘(KST)이거나 그 이후
    date: DateOrDateTime,
    note: Option<String>,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FollowUpCancelInput {
    /// 취소 사유 (필수, 500자까지)
    reason: String,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FollowUpEventItem {
    id: String,
    kind: FollowUpEventKind,
    #[schema(format = DateTime)]
    new_due_date: Option<String>,
    /// 완료 메모, 변경 메모 또는 취소 사유
    note: Option<String>,
    /// 한 사람 (이름)
    by: Option<String>,
    #[schema(format = DateTime)]
    occurred_at: String,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FollowUpActionResult {
    event_id: String,
    follow_up: FollowUpItem,
    /// 이 후속 조치의 모든 이벤트, 오래된 순
    events: Vec<FollowUpEventItem>,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TodayFollowUps {
    /// 밀린 것 전체 건수
    overdue_count: i64,
    /// 오늘 기한인 것 전체 건수
    today_count: i64,
    /// 밀린 것과 오늘 것, 기한순 (최대 100)
    items: Vec<FollowUpItem>,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TodayVisit {
    session_id: String,
    customer_id: String,
    customer_name: String,
    service_type: ServiceCode,
    staff_name: Option<String>,
    package_name: Option<String>,
    #[schema(format = DateTime)]
    recorded_at: String,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TodayVisits {
    count: i64,
    /// 취소되지 않은 오늘의 방문, 최근 기록순 (최대 100)
    items: Vec<TodayVisit>,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExpiringPackage {
    purchase_id: String,
    customer_id: String,
    customer_name: String,
    package_name: String,
    /// 마지막 이용일
    #[schema(format = Date)]
    expiry_date: String,
    /// 마지막 이용일까지 남은 날 (0: 오늘까지)
    days_left: i64,
    total_sessions: i64,
    used_sessions: i64,
    remaining_sessions: i64,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TodayExpiring {
    /// 14
    within_days: i64,
    /// 남은 횟수가 있고 오늘부터 14일 안에 끝나는 패키지, 끝나는 날순 (최대 100)
    items: Vec<ExpiringPackage>,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AtRiskCustomer {
    customer_id: String,
    customer_name: String,
    membership_level: MembershipLevel,
    assigned_staff: Option<String>,
    #[schema(format = Date)]
    last_visit_date: Option<String>,
    /// 마지막 방문일, 방문이 없으면 등록일
    #[schema(format = Date)]
    last_activity_date: String,
    /// 마지막 활동 뒤 지난 날
    days_since: i64,
    total_visits: i64,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TodayAtRisk {
    /// 마지막 활동일의 범위 (포함): 오늘 기준 52일 전부터 46일 전까지
    #[schema(format = Date)]
    from: String,
    #[schema(format = Date)]
    to: String,
    /// 45: 이 날수를 넘기면 위험(warning)
    threshold_days: i64,
    /// 7: 이 기간 안에 위험이 된 고객이 "새로"
    window_days: i64,
    /// 오래 쉰 순 (최대 100)
    items: Vec<AtRiskCustomer>,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TodayOverview {
    /// 병원 날짜 (KST)
    #[schema(format = Date)]
    date: String,
    follow_ups: TodayFollowUps,
    visits: TodayVisits,
    expiring_packages: TodayExpiring,
    newly_at_risk: TodayAtRisk,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PhoneRevealInput {
    reason: RevealReason,
    /// 메모 (200자까지); 사유가 `other`면 필수
    note: Option<String>,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PhoneReveal {
    customer_id: String,
    /// 가리지 않은 전화번호 (없으면 null)
    phone: Option<String>,
    reason: RevealReason,
    #[schema(format = DateTime)]
    revealed_at: String,
}

#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RevealEventParams {
    /// 이 고객의 번호를 연 기록만
    customer_id: Option<String>,
    /// 연 사람의 사용자 이름 (정확히)
    username: Option<String>,
    /// 이날부터 (KST, 포함)
    #[param(format = Date)]
    from: Option<String>,
    /// 이날까지 (KST, 포함)
    #[param(format = Date)]
    to: Option<String>,
    #[param(minimum = 1, maximum = 1000, default = 1)]
    page: Option<i64>,
    #[param(minimum = 1, maximum = 200, default = 50)]
    size: Option<i64>,
}

/// 전화번호 열람 한 건: 누가, 누구의, 왜, 언제
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RevealEvent {
    id: String,
    #[schema(format = DateTime)]
    occurred_at: String,
    username: Option<String>,
    role: Option<String>,
    /// 연 사람의 이름
    staff_name: Option<String>,
    customer_id: Option<String>,
    /// 고객 이름 (삭제된 고객이면 null)
    customer_name: Option<String>,
    reason: Option<RevealReason>,
    note: Option<String>,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RevealEventList {
    /// 최신순
    events: Vec<RevealEvent>,
    pagination: AuditPagination,
}

// ---------------------------------------------------------------------------------------------
// Devices that sync with this server (issue 9)

#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
pub struct DeviceId {
    /// 기기 id (UUIDv7). 형식이 틀리면 404 DEVICE_NOT_FOUND.
    id: String,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeviceInput {
    /// 기기 이름 (예: "접수 PC 1"), 100자 이내
    name: String,
}

/// 등록한 기기와 그 비밀값. 비밀값은 이 답에 한 번만 나옵니다 (서버는 해시만 보관).
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeviceRegistered {
    device_id: String,
    name: String,
    /// 기기 비밀값 (64자리 16진수): 기기에 입력하거나 연결 화면이 저장합니다. 다시 볼 수 없습니다
    secret: String,
    #[schema(format = DateTime)]
    registered_at: String,
}

/// 등록된 기기 (비밀값 없이)
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeviceItem {
    device_id: String,
    name: String,
    /// 등록한 사람 (표시 이름)
    registered_by: Option<String>,
    #[schema(format = DateTime)]
    registered_at: String,
    revoked: bool,
    #[schema(format = DateTime)]
    revoked_at: Option<String>,
    /// 마지막으로 동기화한 때
    #[schema(format = DateTime)]
    last_seen_at: Option<String>,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeviceList {
    devices: Vec<DeviceItem>,
}

/// 동기화되는 테이블마다 하나씩: 내용의 해시와 행 수. 같은 데이터를 가진 기기끼리는 같습니다.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SyncDigest {
    /// 테이블 이름 (customer, service_session, …) → 해시와 행 수
    tables: BTreeMap<String, SyncTableDigest>,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SyncTableDigest {
    /// 정규화한 내용의 SHA-256 (16진수)
    digest: String,
    rows: i64,
}

string_enum!(/// 변경의 종류: upsert (항목 쓰기), fact (한 번만 넣는 사실), tombstone (삭제 표시)
    OpKindName = ["upsert", "fact", "tombstone"]);

/// 한 항목의 값과 그 쓰기의 스탬프, 그리고 그 쓰기가 바꾼 값의 스탬프 (`docs/SYNC.md`)
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FieldVersion {
    /// 항목의 값 (JSON 아무 값)
    #[schema(value_type = Value)]
    value: serde_json::Value,
    /// HLC 스탬프: 16자리 시간 16진수 `-` 32자리 노드 16진수
    stamp: String,
    base: Option<String>,
}

/// 노드에서 생긴 변경 하나
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SyncOp {
    /// 노드가 만든 UUIDv7: 같은 변경을 다시 보내도 한 번만 남습니다
    op_id: String,
    /// 동기화되는 테이블의 이름 (`GET /sync/digest`의 이름들)
    entity: String,
    entity_id: String,
    kind: OpKindName,
    /// upsert·tombstone: 항목별 값과 스탬프
    fields: Option<BTreeMap<String, FieldVersion>>,
    /// fact: 행 전체
    #[schema(value_type = Option<Object>)]
    row: Option<serde_json::Value>,
}

/// 받은 변경의 항목 하나 (보낸 그대로)
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PulledFieldVersion {
    /// 항목의 값 (JSON 아무 값)
    #[schema(value_type = Value)]
    value: serde_json::Value,
    /// HLC 스탬프: 16자리 시간 16진수 `-` 32자리 노드 16진수
    stamp: String,
    base: Option<String>,
}

/// 받은 변경 하나 (보낸 그대로)
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PulledOp {
    /// 노드가 만든 UUIDv7: 같은 변경을 다시 보내도 한 번만 남습니다
    op_id: String,
    /// 동기화되는 테이블의 이름 (`GET /sync/digest`의 이름들)
    entity: String,
    entity_id: String,
    kind: OpKindName,
    /// upsert·tombstone: 항목별 값과 스탬프
    fields: BTreeMap<String, PulledFieldVersion>,
    /// fact: 행 전체
    #[schema(value_type = Option<Object>)]
    row: Option<serde_json::Value>,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SyncPush {
    /// 최대 1,000개
    ops: Vec<SyncOp>,
    /// 노드의 감사 기록 서명 공개키 (감사 키마다 하나): 서버는 체인과 키 id마다 처음 받은 것을
    /// 지키고 그것으로 그 체인을 검증합니다. 다른 키는 409 `SYNC_AUDIT_KEY_MISMATCH`
    #[schema(nullable = false)]
    audit_keys: Option<Vec<SyncAuditKey>>,
}

/// 노드의 감사 기록 서명 공개키 하나 (Ed25519)
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SyncAuditKey {
    /// 노드의 변경 체인 이름
    chain: String,
    /// 이 키가 나온 감사 키의 id
    key_id: String,
    /// 16진수 64자리
    public_key: String,
}

/// 이 push의 변경 중 서버가 이제 가진 것들 (새로 받았거나 이미 있던 것): 노드는 정확히 이것들을
/// 보낼 목록에서 지웁니다
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SyncHeld {
    held: Vec<String>,
    /// 이 push를 적용하며 서버가 찾은 충돌 수 (동시에 고친 같은 항목)
    conflicts: i64,
}

#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SyncPullParams {
    /// 이미 받은 마지막 위치 (처음에는 0)
    #[param(minimum = 0)]
    cursor: Option<i64>,
    /// 한 페이지의 최대 변경 수 (1–5,000, 기본 1,000)
    #[param(minimum = 1, maximum = 5000)]
    limit: Option<i64>,
}

/// 커서 다음의 변경 한 페이지 (요청한 기기 자신의 변경은 빼고)
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SyncPage {
    changes: Vec<PulledOp>,
    /// 다음에 물을 위치: 이 페이지를 적용한 트랜잭션에서 함께 저장합니다
    cursor: i64,
    /// 이 뒤에 변경이 더 있는지
    more: bool,
    /// 페이지를 읽을 때 서버의 마지막 순번 (`cursor`와 함께 첫 동기화의 진행률)
    head: i64,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SyncConnect {
    /// 중앙 서버 주소 (`http://` 또는 `https://`)
    server_url: String,
    /// 중앙 서버의 관리자 또는 매니저 계정
    username: String,
    password: String,
    /// 기기 목록에 보일 이 PC의 이름 (없으면 컴퓨터 이름)
    device_name: Option<String>,
}

/// 연결 결과와 첫 동기화 결과
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SyncConnected {
    device_id: String,
    server_url: String,
    /// `ok`와, 성공이면 `moved`(옮긴 수), 실패면 `error`(코드와 메시지: 다음 동기화에서 다시 시도)
    #[schema(value_type = Object)]
    first_sync: serde_json::Value,
}

/// 한 번의 동기화에서 옮긴 것
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SyncRound {
    /// 서버가 받은 이 PC의 변경 수
    pushed: i64,
    /// 받은 변경 수
    pulled: i64,
    /// 그중 이 PC의 데이터를 바꾼 수 (나머지는 이미 있던 것)
    applied: i64,
    /// 찾은 충돌 수
    conflicts: i64,
    /// 받은 페이지 수
    pages: i64,
}

/// 동기화 상태
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SyncStatus {
    /// `node` 또는 `central`
    role: String,
    /// 중앙 서버에 연결되었는지 (노드)
    connected: bool,
    /// 마지막 시도에서 서버에 닿았는지 (중앙 서버는 늘 true)
    online: bool,
    /// 아직 서버가 받지 않은 이 PC의 변경 수
    pending_changes: i64,
    /// 열린 충돌 수
    conflicts: i64,
    /// 회차가 초과 사용된 패키지 수
    overdrawn_packages: i64,
    /// 합칠지 볼 고객 쌍 수
    merge_candidates: i64,
    server_url: Option<String>,
    device_id: Option<String>,
    last_sync_at: Option<String>,
    last_attempt_at: Option<String>,
    last_error: Option<String>,
    /// 받기 진행률: `cursor`, `head`, `fraction`(0–1, 모르면 null)
    #[schema(value_type = Option<Object>)]
    pull: Option<serde_json::Value>,
    checked_at: String,
}

/// 열린 충돌, 초과 사용된 패키지, 합칠지 볼 고객 쌍
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SyncConflicts {
    /// 항목마다 `kept`(남은 값)와 `lost`(진 값): `value`, `stamp`, `at`
    #[schema(value_type = Vec<Object>)]
    conflicts: Vec<serde_json::Value>,
    #[schema(value_type = Vec<Object>)]
    overdrawn_packages: Vec<serde_json::Value>,
    #[schema(value_type = Vec<Object>)]
    merge_candidates: Vec<serde_json::Value>,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SyncResolve {
    /// `kept`(남은 값 유지) 또는 `lost`(진 값으로)
    choice: String,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SyncResolved {
    id: String,
    choice: String,
    field: String,
}

pub use super::allergy::*;
pub use super::analytics::*;
