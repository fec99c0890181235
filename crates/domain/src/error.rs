//! Error codes of the API contract (the union of the seeds' codes) and the domain error that
//! carries one, with a Korean message, the offending field and machine-readable details.

use crate::messages::{Lang, Msg};
use serde_json::{json, Value};

/// The enum, [`ErrorCode::ALL`] and [`ErrorCode::as_str`] from one list, so a new code is in
/// `ALL` (and so nameable in the OpenAPI document's `x-errors`) by construction.
macro_rules! error_codes {
    ($($code:ident => $name:literal,)+) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum ErrorCode {
            $($code,)+
        }

        impl ErrorCode {
            /// Every code, so a name in a document (the OpenAPI `x-errors` of an endpoint) can
            /// be resolved to its status.
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$code,)+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $(ErrorCode::$code => $name,)+
                }
            }
        }
    };
}

error_codes! {
    InvalidJson => "INVALID_JSON",
    ValidationError => "VALIDATION_ERROR",
    AuthInvalidCredentials => "AUTH_INVALID_CREDENTIALS",
    AuthInvalidToken => "AUTH_INVALID_TOKEN",
    AuthExpiredToken => "AUTH_EXPIRED_TOKEN",
    ForbiddenRole => "FORBIDDEN_ROLE",
    UnauthorizedAccess => "UNAUTHORIZED_ACCESS",
    NotFound => "NOT_FOUND",
    CustomerNotFound => "CUSTOMER_NOT_FOUND",
    PackageNotFound => "PACKAGE_NOT_FOUND",
    SessionNotFound => "SESSION_NOT_FOUND",
    DuplicateCustomer => "DUPLICATE_CUSTOMER",
    CustomerAnonymized => "CUSTOMER_ANONYMIZED",
    ServiceNotInPackage => "SERVICE_NOT_IN_PACKAGE",
    PackageExhausted => "PACKAGE_EXHAUSTED",
    PackageExpired => "PACKAGE_EXPIRED",
    SessionAlreadyCancelled => "SESSION_ALREADY_CANCELLED",
    UserNotFound => "USER_NOT_FOUND",
    DuplicateUsername => "DUPLICATE_USERNAME",
    OwnAccountChange => "OWN_ACCOUNT_CHANGE",
    LastActiveAdmin => "LAST_ACTIVE_ADMIN",
    SetupNotAllowed => "SETUP_NOT_ALLOWED",
    SetupAlreadyDone => "SETUP_ALREADY_DONE",
    InsufficientData => "INSUFFICIENT_DATA",
    MethodNotAllowed => "METHOD_NOT_ALLOWED",
    PayloadTooLarge => "PAYLOAD_TOO_LARGE",
    BadRequest => "BAD_REQUEST",
    UriTooLong => "URI_TOO_LONG",
    HeadersTooLarge => "REQUEST_HEADERS_TOO_LARGE",
    RateLimitExceeded => "RATE_LIMIT_EXCEEDED",
    ServiceUnavailable => "SERVICE_UNAVAILABLE",
    InternalError => "INTERNAL_ERROR",
    // validation: consent (Korean PIPA §15, §23)
    PrivacyConsentRequired => "PRIVACY_CONSENT_REQUIRED",
    HealthConsentRequired => "HEALTH_CONSENT_REQUIRED",
    // Follow-ups, Today and phone reveal (issue 8).
    FollowUpNotFound => "FOLLOW_UP_NOT_FOUND",
    FollowUpClosed => "FOLLOW_UP_CLOSED",
    // Money (issue 8): cancellations and refunds, voids, duplicates, receipts.
    PurchaseNotFound => "PURCHASE_NOT_FOUND",
    PurchaseAlreadyCancelled => "PURCHASE_ALREADY_CANCELLED",
    PackageCancelled => "PACKAGE_CANCELLED",
    DuplicateVisit => "DUPLICATE_VISIT",
    VisitVoidNotOwn => "VISIT_VOID_NOT_OWN",
    VisitVoidWindowPassed => "VISIT_VOID_WINDOW_PASSED",
    NoReceipt => "NO_RECEIPT",
    // Sync (issue 9).
    DeviceNotFound => "DEVICE_NOT_FOUND",
    DeviceAlreadyRevoked => "DEVICE_ALREADY_REVOKED",
    SyncDeviceRevoked => "SYNC_DEVICE_REVOKED",
    SyncVersionUnsupported => "SYNC_VERSION_UNSUPPORTED",
    SyncBatchTooLarge => "SYNC_BATCH_TOO_LARGE",
    SyncCursorAhead => "SYNC_CURSOR_AHEAD",
    SyncClockSkew => "SYNC_CLOCK_SKEW",
    SyncNotConnected => "SYNC_NOT_CONNECTED",
    SyncUpstreamFailed => "SYNC_UPSTREAM_FAILED",
    SyncConflictNotFound => "SYNC_CONFLICT_NOT_FOUND",
    SyncIsCentral => "SYNC_IS_CENTRAL",
    SyncAuditKeyMismatch => "SYNC_AUDIT_KEY_MISMATCH",
    // Allergy care (issue 10, seed 001 §4.5).
    PatientNotFound => "PATIENT_NOT_FOUND",
    DiagnosisNotFound => "DIAGNOSIS_NOT_FOUND",
    PatientAlreadyRegistered => "PATIENT_ALREADY_REGISTERED",
    PatientNumberUnavailable => "PATIENT_NUMBER_UNAVAILABLE",
    PatientAccountExists => "PATIENT_ACCOUNT_EXISTS",
    AllergenNotFound => "ALLERGEN_NOT_FOUND",
    KitAlreadyRegistered => "KIT_ALREADY_REGISTERED",
    KitInvalidPin => "KIT_INVALID_PIN",
    KitResultPending => "KIT_RESULT_PENDING",
    KitNotFound => "KIT_NOT_FOUND",
    KitAlreadyUsed => "KIT_ALREADY_USED",
    KitSerialExists => "KIT_SERIAL_EXISTS",
    KnowledgeVersionNotFound => "KNOWLEDGE_VERSION_NOT_FOUND",
    KnowledgeVersionExists => "KNOWLEDGE_VERSION_EXISTS",
    KnowledgeInvalid => "KNOWLEDGE_INVALID",
    ResearchImportInvalid => "RESEARCH_IMPORT_INVALID",
    ResearchImportNotFound => "RESEARCH_IMPORT_NOT_FOUND",
    PaperNotFound => "PAPER_NOT_FOUND",
    ChartNotFound => "CHART_NOT_FOUND",
    ModelNotReady => "MODEL_NOT_READY",
    RecommendationNotFound => "RECOMMENDATION_NOT_FOUND",
    TrainingInProgress => "TRAINING_IN_PROGRESS",
    TrainingJobNotFound => "TRAINING_JOB_NOT_FOUND",
    ServiceNotFound => "SERVICE_NOT_FOUND",
}

impl ErrorCode {
    /// The code named `s` (`"CUSTOMER_NOT_FOUND"`).
    pub fn parse(s: &str) -> Option<ErrorCode> {
        ErrorCode::ALL.iter().copied().find(|c| c.as_str() == s)
    }

    pub fn http_status(self) -> u16 {
        use ErrorCode::*;
        match self {
            InvalidJson | BadRequest => 400,
            InsufficientData => 400,
            ValidationError | ServiceNotInPackage => 422,
            PrivacyConsentRequired | HealthConsentRequired => 422,
            AuthInvalidCredentials | AuthInvalidToken | AuthExpiredToken => 401,
            ForbiddenRole | UnauthorizedAccess | SetupNotAllowed => 403,
            NotFound | CustomerNotFound | PackageNotFound | SessionNotFound | UserNotFound => 404,
            MethodNotAllowed => 405,
            DuplicateCustomer
            | CustomerAnonymized
            | PackageExhausted
            | PackageExpired
            | SessionAlreadyCancelled => 409,
            DuplicateUsername | OwnAccountChange | LastActiveAdmin | SetupAlreadyDone => 409,
            PayloadTooLarge => 413,
            UriTooLong => 414,
            HeadersTooLarge => 431,
            RateLimitExceeded => 429,
            InternalError => 500,
            ServiceUnavailable => 503,
            FollowUpNotFound => 404,
            FollowUpClosed => 409,
            PurchaseNotFound => 404,
            PurchaseAlreadyCancelled | PackageCancelled | DuplicateVisit => 409,
            VisitVoidNotOwn | VisitVoidWindowPassed => 403,
            NoReceipt => 422,
            DeviceNotFound => 404,
            DeviceAlreadyRevoked => 409,
            SyncDeviceRevoked => 403,
            SyncVersionUnsupported => 400,
            SyncBatchTooLarge => 413,
            SyncCursorAhead => 409,
            SyncClockSkew => 409,
            SyncNotConnected => 409,
            SyncUpstreamFailed => 502,
            SyncConflictNotFound => 404,
            SyncIsCentral => 409,
            SyncAuditKeyMismatch => 409,
            PatientNotFound | DiagnosisNotFound | AllergenNotFound | KitNotFound => 404,
            KnowledgeVersionNotFound | ResearchImportNotFound | PaperNotFound => 404,
            ChartNotFound => 404,
            ModelNotReady => 503,
            RecommendationNotFound | TrainingJobNotFound | ServiceNotFound => 404,
            TrainingInProgress => 409,
            PatientAlreadyRegistered | PatientNumberUnavailable | PatientAccountExists => 409,
            // Seed 001 §4.5 answers both with 400.
            KitAlreadyRegistered | KitInvalidPin => 400,
            KitResultPending | KitAlreadyUsed | KitSerialExists | KnowledgeVersionExists => 409,
            KnowledgeInvalid | ResearchImportInvalid => 422,
        }
    }

    /// The default Korean message shown to staff when no more specific one is given.
    pub fn default_message(self) -> &'static str {
        use ErrorCode::*;
        match self {
            InvalidJson => "요청 본문이 올바른 JSON이 아닙니다",
            ValidationError => "입력값이 올바르지 않습니다",
            AuthInvalidCredentials => "아이디 또는 비밀번호가 올바르지 않습니다",
            AuthInvalidToken => "로그인이 필요합니다",
            AuthExpiredToken => "로그인이 만료되었습니다",
            ForbiddenRole => "이 작업을 할 권한이 없습니다",
            UnauthorizedAccess => "접근 권한이 없습니다",
            NotFound => "요청한 항목을 찾을 수 없습니다",
            CustomerNotFound => "고객을 찾을 수 없습니다",
            PackageNotFound => "패키지를 찾을 수 없습니다",
            SessionNotFound => "방문 기록을 찾을 수 없습니다",
            DuplicateCustomer => "같은 이름과 연락처의 고객이 이미 있습니다",
            CustomerAnonymized => "익명 처리된 고객의 정보는 바꿀 수 없습니다",
            ServiceNotInPackage => "이 패키지에 포함되지 않은 서비스입니다",
            PackageExhausted => "패키지의 남은 횟수가 없습니다",
            PackageExpired => "패키지 이용 기간이 아닙니다",
            SessionAlreadyCancelled => "이미 취소된 방문입니다",
            UserNotFound => "사용자를 찾을 수 없습니다",
            DuplicateUsername => "이미 쓰이고 있는 아이디입니다",
            OwnAccountChange => "자신의 계정은 비활성화하거나 관리자 권한을 내려놓을 수 없습니다",
            LastActiveAdmin => {
                "활성 관리자가 한 명뿐이라 비활성화하거나 역할을 바꿀 수 없습니다. 다른 관리자를 먼저 만들어 주세요"
            }
            SetupNotAllowed => {
                "이 서버에서는 화면에서 첫 관리자를 만들 수 없습니다. 서버에서 `clinicdesk-server users create --username <아이디> --role admin` 명령으로 만들어 주세요"
            }
            SetupAlreadyDone => "관리자 계정이 이미 있습니다. 로그인해 주세요",
            InsufficientData => "분석을 위한 데이터가 부족합니다",
            MethodNotAllowed => "허용되지 않은 요청 방식입니다",
            PayloadTooLarge => "요청 본문이 너무 큽니다",
            BadRequest => "HTTP 요청 형식이 올바르지 않습니다",
            UriTooLong => "요청 주소(URI)가 너무 깁니다",
            HeadersTooLarge => "요청 헤더가 너무 큽니다",
            RateLimitExceeded => "요청 한도를 초과했습니다",
            ServiceUnavailable => "서비스를 준비 중입니다",
            InternalError => "서버 내부 오류가 발생했습니다",
            PrivacyConsentRequired => {
                "개인정보 수집·이용 동의가 있어야 고객을 등록할 수 있습니다"
            }
            HealthConsentRequired => {
                "건강정보(민감정보) 수집·이용에 대한 별도 동의가 있어야 건강 항목을 저장할 수 있습니다"
            }
            FollowUpNotFound => "후속 조치를 찾을 수 없습니다",
            FollowUpClosed => "이미 완료되었거나 취소된 후속 조치입니다",
            PurchaseNotFound => "구매 기록을 찾을 수 없습니다",
            PurchaseAlreadyCancelled => "이미 취소·환불된 구매입니다",
            PackageCancelled => "취소·환불된 패키지는 더 쓸 수 없습니다",
            DuplicateVisit => "이 고객의 같은 날 같은 서비스 방문이 이미 기록되어 있습니다",
            VisitVoidNotOwn => {
                "직접 기록한 방문만 취소할 수 있습니다. 관리자에게 취소를 요청하세요"
            }
            VisitVoidWindowPassed => {
                "기록한 지 10분이 지났거나 날짜가 바뀌었습니다. 관리자에게 취소를 요청하세요"
            }
            NoReceipt => "패키지로 이용한 방문에는 영수증이 없습니다 (패키지 구매 영수증을 쓰세요)",
            DeviceNotFound => "기기를 찾을 수 없습니다",
            DeviceAlreadyRevoked => "이미 등록이 취소된 기기입니다",
            SyncDeviceRevoked => {
                "이 기기의 등록이 취소되어 동기화할 수 없습니다. 관리자에게 다시 등록을 요청하세요"
            }
            SyncVersionUnsupported => {
                "서버가 이 동기화 프로토콜 버전을 지원하지 않습니다. 프로그램을 업데이트하세요"
            }
            SyncBatchTooLarge => "한 번에 보낼 수 있는 변경 수를 넘었습니다",
            SyncCursorAhead => {
                "서버에 없는 위치부터 받으려 했습니다 (서버가 백업에서 복원되었을 수 있습니다). 처음부터 다시 받으세요"
            }
            SyncClockSkew => {
                "변경의 시각이 이 컴퓨터의 시계보다 7일 넘게 앞섭니다. 두 컴퓨터의 날짜와 시간을 맞춰 주세요"
            }
            SyncNotConnected => "이 PC는 아직 동기화 서버에 연결되지 않았습니다. 설정에서 서버에 연결하세요",
            SyncUpstreamFailed => "동기화 서버와 통신하지 못했습니다",
            SyncConflictNotFound => "해결할 충돌을 찾을 수 없습니다 (이미 해결되었을 수 있습니다)",
            SyncIsCentral => "이 서버는 중앙 서버입니다. 다른 서버에 연결하지 않습니다",
            SyncAuditKeyMismatch => "이 PC의 감사 기록 서명 키가 서버에 등록된 키와 다릅니다. 관리자에게 문의하세요",
            PatientNotFound => "환자를 찾을 수 없습니다",
            DiagnosisNotFound => "진단을 찾을 수 없습니다",
            PatientAlreadyRegistered => "이미 알레르기 환자로 등록된 고객입니다",
            PatientNumberUnavailable => {
                "이 PC에 남은 환자 번호가 없습니다. 서버에 연결되면 번호를 받아 오니, 연결된 뒤 다시 등록해 주세요"
            }
            PatientAccountExists => {
                "이미 가입된 환자입니다. 간편 로그인을 이용하세요 (PIN을 잊었다면 병원에 문의하세요)"
            }
            AllergenNotFound => "알 수 없는 알레르기 항목입니다",
            KitAlreadyRegistered => "이미 등록된 키트입니다",
            KitInvalidPin => "키트 번호나 PIN이 올바르지 않습니다",
            KitResultPending => "아직 검사 결과가 입력되지 않은 키트입니다. 결과가 나오면 다시 등록해 주세요",
            KitNotFound => "키트를 찾을 수 없습니다",
            KitAlreadyUsed => "이 키트에는 이미 다른 환자의 검사 결과가 입력되어 있습니다",
            KitSerialExists => "이미 발급된 키트 번호가 있습니다",
            KnowledgeVersionNotFound => "지식 베이스 버전을 찾을 수 없습니다",
            KnowledgeVersionExists => "같은 이름의 지식 베이스 버전이 이미 있습니다. 새 버전 이름을 쓰세요",
            KnowledgeInvalid => "지식 베이스 문서가 올바르지 않습니다",
            ResearchImportInvalid => "논문 파일을 읽을 수 없습니다. 아무것도 가져오지 않았습니다",
            ResearchImportNotFound => {
                "가져오기 기록을 찾을 수 없습니다 (서버나 PC가 다시 시작되면 진행 기록은 사라집니다)"
            }
            PaperNotFound => "자료실에서 논문을 찾을 수 없습니다",
            ChartNotFound => "그런 이름의 차트는 없습니다",
            ModelNotReady => "고객 분석 모델이 아직 없습니다. 관리자가 모델을 학습시켜야 합니다",
            RecommendationNotFound => "이 고객에게 보여 준 추천이 아닙니다 (추천 목록을 다시 불러오세요)",
            TrainingInProgress => "이미 모델을 학습하고 있습니다. 끝난 뒤에 다시 시작하세요",
            TrainingJobNotFound => "그런 학습 작업이 없습니다 (프로그램이 다시 시작되었을 수 있습니다)",
            ServiceNotFound => "그런 서비스는 없습니다 (brain, pulse, lymph, red, ai_bike)",
        }
    }
}

impl ErrorCode {
    /// The code's message in `lang`. A code without an English message yet answers in Korean
    /// rather than not at all (and a unit test lists it).
    pub fn message(self, lang: Lang) -> &'static str {
        match lang {
            Lang::Ko => self.default_message(),
            Lang::En => self.english_message().unwrap_or(self.default_message()),
        }
    }

    /// The English twin of [`ErrorCode::default_message`]. A new code adds its line here.
    pub fn english_message(self) -> Option<&'static str> {
        use ErrorCode::*;
        Some(match self {
            InvalidJson => "The request body is not valid JSON",
            ValidationError => "The input is not valid",
            AuthInvalidCredentials => "Wrong username or password",
            AuthInvalidToken => "Please sign in",
            AuthExpiredToken => "Your sign-in has expired",
            ForbiddenRole => "Your role may not do this",
            UnauthorizedAccess => "Access denied",
            NotFound => "Not found",
            CustomerNotFound => "Customer not found",
            PackageNotFound => "Package not found",
            SessionNotFound => "Visit not found",
            DuplicateCustomer => "A customer with the same name and phone number already exists",
            CustomerAnonymized => "An anonymised customer cannot be changed",
            ServiceNotInPackage => "The package does not include this service",
            PackageExhausted => "No session of this service is left in the package",
            PackageExpired => "The package is not valid on that date",
            SessionAlreadyCancelled => "The visit was already cancelled",
            UserNotFound => "User not found",
            DuplicateUsername => "The username is taken",
            OwnAccountChange => {
                "You cannot deactivate your own account or give up your own administrator role"
            }
            LastActiveAdmin => {
                "This is the only active administrator: create another administrator first"
            }
            SetupNotAllowed => {
                "The first administrator cannot be created here. On the server run `clinicdesk-server users create --username <name> --role admin`"
            }
            SetupAlreadyDone => "An administrator already exists. Please sign in",
            InsufficientData => "There is not enough data for this analysis",
            MethodNotAllowed => "Method not allowed",
            PayloadTooLarge => "The request body is too large",
            BadRequest => "The HTTP request is malformed",
            UriTooLong => "The request URI is too long",
            HeadersTooLarge => "The request headers are too large",
            RateLimitExceeded => "Too many requests",
            ServiceUnavailable => "The service is starting up",
            InternalError => "Internal server error",
            PrivacyConsentRequired => {
                "A customer can be registered only with their consent to collect and use personal data"
            }
            HealthConsentRequired => {
                "Health fields can be saved only with the separate consent to health (sensitive) data"
            }
            FollowUpNotFound => "Follow-up not found",
            FollowUpClosed => "The follow-up is already done or cancelled",
            PurchaseNotFound => "Purchase not found",
            PurchaseAlreadyCancelled => "The purchase was already cancelled or refunded",
            PackageCancelled => "A cancelled or refunded package cannot be used",
            DuplicateVisit => "This customer already has a visit for this service on that day",
            VisitVoidNotOwn => "You can void only visits you recorded. Ask a manager to cancel it",
            VisitVoidWindowPassed => {
                "More than 10 minutes have passed, or the day has changed. Ask a manager to cancel it"
            }
            NoReceipt => "A visit paid by a package has no receipt (use the package's receipt)",
            DeviceNotFound => "Device not found",
            DeviceAlreadyRevoked => "The device was already revoked",
            SyncDeviceRevoked => "This device was revoked and cannot sync. Ask an administrator to register it again",
            SyncVersionUnsupported => "The server does not speak this sync protocol version. Update the program",
            SyncBatchTooLarge => "Too many changes in one push",
            SyncCursorAhead => "The cursor is beyond what the server holds (it may have been restored from a backup). Pull again from the start",
            SyncClockSkew => "A change is stamped more than 7 days ahead of this computer's clock. Set both computers' date and time",
            SyncNotConnected => "This computer is not connected to a sync server yet. Connect it in the settings",
            SyncUpstreamFailed => "Could not talk to the sync server",
            SyncConflictNotFound => "No such open conflict (it may have been resolved already)",
            SyncIsCentral => "This is the central server; it does not connect to another",
            SyncAuditKeyMismatch => "This computer's audit signing key differs from the one the server has for it. Ask an administrator",
            PatientNotFound => "Patient not found",
            DiagnosisNotFound => "Diagnosis not found",
            PatientAlreadyRegistered => "This customer is already registered for allergy care",
            PatientNumberUnavailable => "No patient number is left on this computer. It gets more from the server: register again once connected",
            PatientAccountExists => "This patient already has an account. Sign in with the simple login (forgot the PIN? ask the clinic)",
            AllergenNotFound => "Unknown allergen",
            KitAlreadyRegistered => "The kit is already registered",
            KitInvalidPin => "Wrong kit serial or PIN",
            KitResultPending => "No result has been entered for this kit yet",
            KitNotFound => "Kit not found",
            KitAlreadyUsed => "A result for another patient was already entered for this kit",
            KitSerialExists => "A kit with this serial was already issued",
            KnowledgeVersionNotFound => "Knowledge base version not found",
            KnowledgeVersionExists => "A knowledge base version of this name exists. Use a new version name",
            KnowledgeInvalid => "The knowledge base document is not valid",
            ResearchImportInvalid => "The file could not be read; nothing was imported",
            ResearchImportNotFound => "No such import (progress is forgotten when the server or PC restarts)",
            PaperNotFound => "No such paper in the library",
            ChartNotFound => "No chart has that name",
            ModelNotReady => "No customer model is trained yet: a manager has to train one",
            RecommendationNotFound => "No such recommendation was shown to this customer (reload the list)",
            TrainingInProgress => "A model is being trained already; start again when it ends",
            TrainingJobNotFound => "No such training job (the program may have restarted)",
            ServiceNotFound => "No such service (brain, pulse, lymph, red, ai_bike)",
            #[allow(unreachable_patterns)]
            _ => return None,
        })
    }
}

/// An error a rule or a request can end in: what the API answers, in one value.
#[derive(Debug, Clone, PartialEq)]
pub struct DomainError {
    pub code: ErrorCode,
    /// The Korean message (what the API said before it spoke other languages).
    pub message: String,
    pub field: Option<String>,
    pub details: Value,
    /// The message as a catalogue entry, rendered per language; `None` when `message` is the
    /// code's own or was written as plain Korean text.
    pub text: Option<Msg>,
    /// Every field error of the request when there are several; this error is the first.
    pub errors: Vec<DomainError>,
}

impl DomainError {
    pub fn new(code: ErrorCode) -> Self {
        DomainError {
            code,
            message: code.default_message().to_string(),
            field: None,
            details: json!({}),
            text: None,
            errors: Vec::new(),
        }
    }

    /// A message in Korean only: other languages get the catalogue's generic "not valid"
    /// (for a field) or the code's message. Prefer [`DomainError::with_msg`].
    pub fn with_message(mut self, message: impl Into<String>) -> Self {
        self.message = message.into();
        self.text = None;
        self
    }

    /// The message from the catalogue, in every language.
    pub fn with_msg(mut self, msg: Msg) -> Self {
        self.message = msg.render(Lang::Ko);
        self.text = Some(msg);
        self
    }

    /// A validation error on one field, with the catalogue's message.
    pub fn field_error(field: &str, msg: Msg) -> Self {
        DomainError::new(ErrorCode::ValidationError)
            .with_field(field)
            .with_msg(msg)
    }

    /// The message in `lang`.
    pub fn render(&self, lang: Lang) -> String {
        match (&self.text, lang) {
            (_, Lang::Ko) => self.message.clone(),
            (Some(msg), lang) => msg.render(lang),
            (None, lang) if self.message == self.code.default_message() => {
                self.code.message(lang).to_string()
            }
            (None, lang) if self.code == ErrorCode::ValidationError => Msg::Plain {
                ko: self.message.clone(),
                field: self.field.clone(),
            }
            .render(lang),
            (None, lang) => self.code.message(lang).to_string(),
        }
    }

    /// One error for several field errors (`None` for none): the first one, as the error
    /// itself (code, field, message and details as a single error has them), carrying all.
    pub fn several(errors: Vec<DomainError>) -> Option<DomainError> {
        let mut first = errors.first()?.clone();
        if errors.len() > 1 {
            first.errors = errors;
        }
        Some(first)
    }

    /// The field errors of this answer: the ones collected, or this error alone when it names
    /// a field.
    pub fn field_errors(&self) -> Vec<&DomainError> {
        if !self.errors.is_empty() {
            self.errors.iter().collect()
        } else if self.field.is_some() {
            vec![self]
        } else {
            Vec::new()
        }
    }

    /// The fields [`Self::field_errors`] name, in the order they were found.
    pub fn field_names(&self) -> Vec<&str> {
        self.field_errors()
            .into_iter()
            .filter_map(|e| e.field.as_deref())
            .collect()
    }

    pub fn with_field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }

    pub fn with_details(mut self, details: Value) -> Self {
        self.details = details;
        self
    }

    /// A validation error on one field, with a Korean explanation.
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        DomainError::new(ErrorCode::ValidationError)
            .with_field(field)
            .with_message(message)
    }

    /// A validation error for a value outside a closed set; lists what is allowed.
    pub fn not_allowed(field: &str, received: &Value, allowed: &[&str]) -> Self {
        DomainError::field_error(
            field,
            Msg::NotAllowed {
                field: field.to_string(),
                allowed: allowed.iter().map(|a| a.to_string()).collect(),
            },
        )
        .with_details(json!({ "allowed_values": allowed, "received_value": received }))
    }

    pub fn forbidden_field(field: &str) -> Self {
        DomainError::new(ErrorCode::ForbiddenRole)
            .with_field(field)
            .with_msg(Msg::ForbiddenField {
                field: field.to_string(),
            })
    }

    pub fn internal(message: impl Into<String>) -> Self {
        DomainError::new(ErrorCode::InternalError).with_details(json!({ "cause": message.into() }))
    }
}

impl std::fmt::Display for DomainError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code.as_str(), self.message)
    }
}

impl std::error::Error for DomainError {}

pub type DomainResult<T> = Result<T, DomainError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_map_to_the_contracts_statuses() {
        assert_eq!(ErrorCode::CustomerNotFound.http_status(), 404);
        assert_eq!(ErrorCode::ValidationError.http_status(), 422);
        assert_eq!(ErrorCode::DuplicateCustomer.http_status(), 409);
        assert_eq!(ErrorCode::ForbiddenRole.http_status(), 403);
        assert_eq!(ErrorCode::AuthExpiredToken.http_status(), 401);
        assert_eq!(ErrorCode::RateLimitExceeded.http_status(), 429);
        assert_eq!(ErrorCode::UriTooLong.http_status(), 414);
        assert_eq!(ErrorCode::HeadersTooLarge.http_status(), 431);
        assert_eq!(ErrorCode::BadRequest.http_status(), 400);
        assert_eq!(ErrorCode::InternalError.as_str(), "INTERNAL_ERROR");
    }

    #[test]
    fn every_code_is_listed_once_and_round_trips() {
        let mut names: Vec<&str> = ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), ErrorCode::ALL.len());
        for &code in ErrorCode::ALL {
            assert_eq!(ErrorCode::parse(code.as_str()), Some(code));
        }
        assert_eq!(ErrorCode::parse("NO_SUCH_CODE"), None);
    }

    #[test]
    fn every_code_has_an_english_message() {
        let missing: Vec<&str> = ErrorCode::ALL
            .iter()
            .filter(|c| c.english_message().is_none())
            .map(|c| c.as_str())
            .collect();
        assert!(
            missing.is_empty(),
            "add an English message for {missing:?} in ErrorCode::english_message (crates/domain/src/error.rs)"
        );
    }

    #[test]
    fn messages_follow_the_language() {
        let e = DomainError::new(ErrorCode::CustomerNotFound);
        assert_eq!(e.render(Lang::Ko), "고객을 찾을 수 없습니다");
        assert_eq!(e.render(Lang::En), "Customer not found");
        let e = DomainError::field_error(
            "name",
            Msg::Required {
                field: "name".into(),
            },
        );
        assert_eq!(e.message, "name 항목은 필수입니다");
        assert_eq!(e.render(Lang::En), "name is required");
        // Plain Korean text (not in the catalogue yet) still reads in English, generically.
        let e = DomainError::invalid("memo", "메모가 이상합니다");
        assert_eq!(e.render(Lang::Ko), "메모가 이상합니다");
        assert_eq!(e.render(Lang::En), "The value of memo is not valid");
        let e = DomainError::new(ErrorCode::PackageExhausted).with_message("'A' 패키지 소진");
        assert_eq!(
            e.render(Lang::En),
            ErrorCode::PackageExhausted.message(Lang::En)
        );
    }

    #[test]
    fn several_errors_answer_as_the_first_carrying_all() {
        assert_eq!(DomainError::several(Vec::new()), None);
        let a = DomainError::field_error(
            "name",
            Msg::Required {
                field: "name".into(),
            },
        );
        let b = DomainError::not_allowed("gender", &json!("x"), &["male"]);
        let one = DomainError::several(vec![a.clone()]).unwrap();
        assert_eq!(one, a);
        assert_eq!(one.field_errors(), vec![&a]);
        let both = DomainError::several(vec![a.clone(), b.clone()]).unwrap();
        assert_eq!(both.field.as_deref(), Some("name"));
        assert_eq!(both.message, a.message);
        assert_eq!(both.field_errors(), vec![&a, &b]);
        assert!(DomainError::new(ErrorCode::NotFound)
            .field_errors()
            .is_empty());
    }

    #[test]
    fn not_allowed_lists_the_allowed_values() {
        let e = DomainError::not_allowed("gender", &json!("x"), &["male", "female"]);
        assert_eq!(e.field.as_deref(), Some("gender"));
        assert_eq!(e.details["allowed_values"], json!(["male", "female"]));
        assert_eq!(e.details["received_value"], json!("x"));
    }
}
