//! What an error says, in each language the API answers in. A rule names a [`Msg`] (which
//! message, with its values); the words live here, once per language, and are chosen per
//! request ([`Lang`], from `Accept-Language`) when the answer is written. Error codes' own
//! messages are in [`crate::ErrorCode::message`].

use crate::account::{PasswordProblem, PASSWORD_MAX, PASSWORD_MIN};

/// A language the API answers in. Korean unless the caller asks for English.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Lang {
    #[default]
    Ko,
    En,
}

impl Lang {
    /// The caller's language from an `Accept-Language` header: the supported language with
    /// the highest weight (`en-US,en;q=0.9,ko;q=0.8` → English), Korean when none is supported.
    pub fn from_accept_language(header: &str) -> Lang {
        let mut best: Option<(f32, Lang)> = None;
        for part in header.split(',') {
            let mut pieces = part.split(';');
            let tag = pieces.next().unwrap_or("").trim().to_ascii_lowercase();
            let weight = pieces
                .filter_map(|p| p.trim().strip_prefix("q="))
                .find_map(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            let primary = tag.split('-').next().unwrap_or("");
            let lang = match primary {
                "ko" => Lang::Ko,
                "en" => Lang::En,
                _ => continue,
            };
            if weight > 0.0 && best.is_none_or(|(w, _)| weight > w) {
                best = Some((weight, lang));
            }
        }
        best.map_or(Lang::Ko, |(_, l)| l)
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::Ko => "ko",
            Lang::En => "en",
        }
    }
}

/// The kinds of value a field may have to be, as a type error names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    List,
    Integer,
    Bool,
    Date,
    DateTime,
    Object,
}

impl Kind {
    /// The machine-readable name (`details.expected`).
    pub fn code(self) -> &'static str {
        match self {
            Kind::Text => "string",
            Kind::List => "array",
            Kind::Integer => "integer",
            Kind::Bool => "boolean",
            Kind::Date => "date",
            Kind::DateTime => "date-time",
            Kind::Object => "object",
        }
    }

    fn name(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Kind::Text, Lang::Ko) => "문자열",
            (Kind::List, Lang::Ko) => "배열",
            (Kind::Integer, Lang::Ko) => "정수",
            (Kind::Bool, Lang::Ko) => "true/false",
            (Kind::Date, Lang::Ko) => "날짜(YYYY-MM-DD)",
            (Kind::DateTime, Lang::Ko) => "날짜/시각",
            (Kind::Object, Lang::Ko) => "객체",
            (Kind::Text, Lang::En) => "a string",
            (Kind::List, Lang::En) => "an array",
            (Kind::Integer, Lang::En) => "an integer",
            (Kind::Bool, Lang::En) => "true or false",
            (Kind::Date, Lang::En) => "a date (YYYY-MM-DD)",
            (Kind::DateTime, Lang::En) => "a date and time",
            (Kind::Object, Lang::En) => "an object",
        }
    }
}

/// Characters a name may not contain, by kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BadChar {
    Control,
    Bidi,
    Invisible,
}

/// One message and its values. Adding one: a variant, its `reason`, and one arm per language
/// in [`Msg::render`] (the compiler asks for both).
#[derive(Debug, Clone, PartialEq)]
pub enum Msg {
    BodyNotObject,
    UnknownField {
        field: String,
    },
    WrongType {
        field: String,
        expected: Kind,
    },
    Required {
        field: String,
    },
    PhoneRequired {
        field: String,
    },
    TooLong {
        field: String,
        max: usize,
    },
    ControlChars {
        field: String,
    },
    NotAllowed {
        field: String,
        allowed: Vec<String>,
    },
    IntRange {
        field: String,
        min: i64,
        max: i64,
    },
    DateFormat {
        field: String,
    },
    DateTimeFormat {
        field: String,
    },
    YearRange {
        field: String,
        min: i32,
        max: i32,
    },
    NameChar {
        field: String,
        kind: BadChar,
    },
    NameNeedsLetter {
        field: String,
    },
    PhoneFormat,
    EmailFormat,
    MaskedValue {
        field: String,
    },
    PhoneCannotBeCleared,
    ForbiddenField {
        field: String,
    },
    PrivacyWithdrawalNeedsErasure,
    DateOrder,
    FutureVisit,
    FuturePurchase,
    FutureInteraction,
    FollowUpDateRequired,
    FollowUpBeforeInteraction,
    PackageNeedsService,
    SessionsObject {
        field: String,
    },
    UsernameLength {
        min: usize,
        max: usize,
    },
    UsernameChars,
    UsernameStart,
    WeakPassword {
        problems: Vec<PasswordProblem>,
    },
    CurrentPasswordWrong,
    SamePassword,
    LoginLocked {
        minutes: u64,
    },
    LoginBusy,
    RateLimited {
        limit: u32,
        seconds: u64,
    },
    SessionRevoked,
    SignInAgain,
    OwnPasswordViaChange,
    DuplicateExact,
    DuplicateLastFour,
    PaymentMethodRequired,
    PaymentMethodNotForPackage,
    RefundOverPaid {
        max: i64,
    },
    RefundMethodRequired,
    RefundMethodNotForZero,
    BusinessNumberFormat,
    ClinicPhoneFormat,
    /// A message written before the catalogue (or by a rule not yet moved into it): shown as
    /// written in Korean, and as the generic "invalid value" in other languages.
    Plain {
        ko: String,
        field: Option<String>,
    },
}

impl Msg {
    /// Why a field was refused, in one word (`required`, `not_allowed`): the `reason` of an
    /// entry of `details.errors`, the same in every language.
    pub fn reason(&self) -> &'static str {
        use Msg::*;
        match self {
            BodyNotObject | WrongType { .. } | SessionsObject { .. } => "wrong_type",
            UnknownField { .. } => "unknown_field",
            Required { .. } | PhoneRequired { .. } | FollowUpDateRequired => "required",
            TooLong { .. } => "too_long",
            ControlChars { .. } | NameChar { .. } => "forbidden_character",
            NotAllowed { .. } => "not_allowed",
            IntRange { .. } | YearRange { .. } => "out_of_range",
            DateFormat { .. } | DateTimeFormat { .. } | PhoneFormat | EmailFormat => "format",
            NameNeedsLetter { .. } => "no_letter",
            MaskedValue { .. } => "masked_value",
            PhoneCannotBeCleared => "cannot_clear",
            ForbiddenField { .. } => "forbidden",
            PrivacyWithdrawalNeedsErasure => "withdrawal_needs_erasure",
            DateOrder | FollowUpBeforeInteraction => "order",
            FutureVisit | FuturePurchase | FutureInteraction => "in_future",
            PackageNeedsService => "empty",
            UsernameLength { .. } => "length",
            UsernameChars | UsernameStart => "format",
            WeakPassword { .. } => "weak_password",
            CurrentPasswordWrong => "wrong_password",
            SamePassword => "same_password",
            LoginLocked { .. } | LoginBusy | RateLimited { .. } => "rate_limited",
            SessionRevoked | SignInAgain => "signed_out",
            OwnPasswordViaChange => "own_account",
            DuplicateExact | DuplicateLastFour => "duplicate",
            PaymentMethodRequired | RefundMethodRequired => "required",
            PaymentMethodNotForPackage | RefundMethodNotForZero => "not_applicable",
            RefundOverPaid { .. } => "out_of_range",
            BusinessNumberFormat | ClinicPhoneFormat => "format",
            Plain { .. } => "invalid",
        }
    }

    pub fn render(&self, lang: Lang) -> String {
        match lang {
            Lang::Ko => self.ko(),
            Lang::En => self.en(),
        }
    }

    fn ko(&self) -> String {
        use Msg::*;
        match self {
            BodyNotObject => "요청 본문은 JSON 객체여야 합니다".into(),
            UnknownField { field } => format!("알 수 없는 항목입니다: {field}"),
            WrongType { field, expected } => {
                format!("{field} 항목은 {} 형식이어야 합니다", expected.name(Lang::Ko))
            }
            Required { field } => format!("{field} 항목은 필수입니다"),
            PhoneRequired { field } => format!("{field} 항목은 필수입니다 (예: 010-1234-5678)"),
            TooLong { field, max } => format!("{field} 항목은 최대 {max}자입니다"),
            ControlChars { field } => format!("{field} 항목에 제어 문자를 쓸 수 없습니다"),
            NotAllowed { field, allowed } => {
                format!("{field} 값은 다음 중 하나여야 합니다: {}", allowed.join(", "))
            }
            IntRange { field, min, max } => {
                format!("{field} 항목은 {min}부터 {max}까지의 정수여야 합니다")
            }
            DateFormat { field } => format!("{field} 항목은 YYYY-MM-DD 형식의 날짜여야 합니다"),
            DateTimeFormat { field } => {
                format!("{field} 항목은 날짜/시각(RFC 3339) 형식이어야 합니다")
            }
            YearRange { field, min, max } => {
                format!("{field} 항목의 연도는 {min}년부터 {max}년 사이여야 합니다")
            }
            NameChar { field, kind } => {
                let what = match kind {
                    BadChar::Control => "제어 문자",
                    BadChar::Bidi => "글자 방향 제어 문자",
                    BadChar::Invisible => "보이지 않는 문자",
                };
                format!("{field} 항목에 {what}를 쓸 수 없습니다")
            }
            NameNeedsLetter { field } => format!("{field} 항목에는 글자가 하나 이상 있어야 합니다"),
            PhoneFormat => "전화번호 형식이 올바르지 않습니다 (예: 010-1234-5678)".into(),
            EmailFormat => "이메일 형식이 올바르지 않습니다 (예: name@example.com)".into(),
            MaskedValue { field } => format!(
                "{field} 항목에 가려진 값(***)을 저장할 수 없습니다. 실제 값을 입력해 주세요"
            ),
            PhoneCannotBeCleared => "연락처는 비울 수 없습니다".into(),
            ForbiddenField { field } => format!("{field} 항목을 수정할 권한이 없습니다"),
            PrivacyWithdrawalNeedsErasure => {
                "개인정보 수집·이용 동의를 철회하려면 고객 정보를 삭제하거나 익명 처리해 주세요"
                    .into()
            }
            DateOrder => "시작일이 종료일보다 늦습니다".into(),
            FutureVisit => "미래 날짜의 방문은 기록할 수 없습니다".into(),
            FuturePurchase => "구매일은 오늘 이후일 수 없습니다".into(),
            FutureInteraction => {
                "상담 일시는 미래일 수 없습니다 (후속 조치에 미래 일정을 입력하세요)".into()
            }
            FollowUpDateRequired => "후속 조치 날짜를 입력하세요".into(),
            FollowUpBeforeInteraction => "후속 조치 날짜는 상담 이후여야 합니다".into(),
            PackageNeedsService => "패키지에는 한 가지 이상의 서비스 횟수가 있어야 합니다".into(),
            SessionsObject { field } => {
                format!("{field} 항목은 {{\"서비스\": 횟수}} 객체여야 합니다")
            }
            UsernameLength { min, max } => format!("아이디는 {min}자 이상 {max}자 이하여야 합니다"),
            UsernameChars => {
                "아이디에는 영문자, 숫자, 마침표(.), 밑줄(_), 하이픈(-)만 쓸 수 있습니다".into()
            }
            UsernameStart => "아이디는 영문자나 숫자로 시작해야 합니다".into(),
            WeakPassword { problems } => {
                let reasons: Vec<String> = problems.iter().map(|p| password_ko(*p)).collect();
                format!("비밀번호가 안전하지 않습니다: {}", reasons.join(", "))
            }
            CurrentPasswordWrong => "현재 비밀번호가 올바르지 않습니다".into(),
            SamePassword => "새 비밀번호가 지금 비밀번호와 같습니다".into(),
            LoginLocked { minutes } => format!(
                "로그인 실패가 너무 많아 잠시 로그인할 수 없습니다. {minutes}분 후에 다시 시도하세요"
            ),
            LoginBusy => "로그인 요청이 몰려 있습니다. 잠시 후 다시 시도하세요".into(),
            RateLimited { limit, seconds } => format!(
                "요청 한도({limit}회/시간)를 초과했습니다. {seconds}초 후에 다시 시도하세요"
            ),
            SessionRevoked => "로그아웃되었거나 만료된 세션입니다".into(),
            SignInAgain => "다시 로그인해 주세요".into(),
            OwnPasswordViaChange => {
                "자신의 비밀번호는 '비밀번호 변경'에서 현재 비밀번호와 함께 바꿔 주세요".into()
            }
            DuplicateExact => "같은 이름과 연락처의 고객이 이미 있습니다".into(),
            DuplicateLastFour => {
                "같은 이름에 연락처 끝 네 자리가 같은 고객이 있습니다. 같은 분인지 확인해 주세요"
                    .into()
            }
            PaymentMethodRequired => "결제 수단을 고르세요 (카드, 현금, 계좌이체)".into(),
            PaymentMethodNotForPackage => {
                "패키지로 이용하는 방문에는 결제 수단이 없습니다".into()
            }
            RefundOverPaid { max } => {
                format!("환불 금액은 결제한 금액({}원) 이하여야 합니다", won(*max))
            }
            RefundMethodRequired => "환불 수단을 고르세요 (카드, 현금, 계좌이체)".into(),
            RefundMethodNotForZero => "환불 금액이 0원이면 환불 수단을 고르지 않습니다".into(),
            BusinessNumberFormat => "사업자등록번호는 000-00-00000 형식입니다".into(),
            ClinicPhoneFormat => {
                "전화번호에는 숫자와 공백, - + ( ) 만 쓸 수 있습니다 (예: 02-123-4567)".into()
            }
            Plain { ko, .. } => ko.clone(),
        }
    }

    fn en(&self) -> String {
        use Msg::*;
        match self {
            BodyNotObject => "The request body must be a JSON object".into(),
            UnknownField { field } => format!("Unknown field: {field}"),
            WrongType { field, expected } => {
                format!("{field} must be {}", expected.name(Lang::En))
            }
            Required { field } => format!("{field} is required"),
            PhoneRequired { field } => format!("{field} is required (e.g. 010-1234-5678)"),
            TooLong { field, max } => format!("{field} may have at most {max} characters"),
            ControlChars { field } => format!("{field} may not contain control characters"),
            NotAllowed { field, allowed } => {
                format!("{field} must be one of: {}", allowed.join(", "))
            }
            IntRange { field, min, max } => {
                format!("{field} must be a whole number from {min} to {max}")
            }
            DateFormat { field } => format!("{field} must be a date written YYYY-MM-DD"),
            DateTimeFormat { field } => {
                format!("{field} must be a date and time (RFC 3339)")
            }
            YearRange { field, min, max } => {
                format!("The year of {field} must be between {min} and {max}")
            }
            NameChar { field, kind } => {
                let what = match kind {
                    BadChar::Control => "control characters",
                    BadChar::Bidi => "text-direction control characters",
                    BadChar::Invisible => "invisible characters",
                };
                format!("{field} may not contain {what}")
            }
            NameNeedsLetter { field } => format!("{field} must contain at least one letter"),
            PhoneFormat => "The phone number is not valid (e.g. 010-1234-5678)".into(),
            EmailFormat => "The e-mail address is not valid (e.g. name@example.com)".into(),
            MaskedValue { field } => format!(
                "{field} cannot be saved as a hidden value (***). Please type the real value"
            ),
            PhoneCannotBeCleared => "The phone number cannot be removed".into(),
            ForbiddenField { field } => format!("Your role may not change {field}"),
            PrivacyWithdrawalNeedsErasure => {
                "To withdraw the privacy consent, delete or anonymise the customer".into()
            }
            DateOrder => "The start date is after the end date".into(),
            FutureVisit => "A visit cannot be recorded on a future date".into(),
            FuturePurchase => "The purchase date cannot be after today".into(),
            FutureInteraction => {
                "A consultation cannot be in the future (put future plans in the follow-up)".into()
            }
            FollowUpDateRequired => "Enter the follow-up date".into(),
            FollowUpBeforeInteraction => "The follow-up must be after the consultation".into(),
            PackageNeedsService => "A package needs at least one service with sessions".into(),
            SessionsObject { field } => {
                format!("{field} must be an object of {{\"service\": count}}")
            }
            UsernameLength { min, max } => {
                format!("The username must have {min} to {max} characters")
            }
            UsernameChars => {
                "The username may contain only letters, digits, '.', '_' and '-'".into()
            }
            UsernameStart => "The username must start with a letter or a digit".into(),
            WeakPassword { problems } => {
                let reasons: Vec<String> = problems.iter().map(|p| password_en(*p)).collect();
                format!("The password is not safe: {}", reasons.join(", "))
            }
            CurrentPasswordWrong => "The current password is wrong".into(),
            SamePassword => "The new password is the same as the current one".into(),
            LoginLocked { minutes } => format!(
                "Too many failed sign-ins: signing in is paused. Try again in {minutes} minute(s)"
            ),
            LoginBusy => "Many sign-ins at once. Try again shortly".into(),
            RateLimited { limit, seconds } => format!(
                "Over the request limit ({limit} per hour). Try again in {seconds} seconds"
            ),
            SessionRevoked => "This session was signed out or has expired".into(),
            SignInAgain => "Please sign in again".into(),
            OwnPasswordViaChange => {
                "Change your own password under 'Change password', with your current password"
                    .into()
            }
            DuplicateExact => {
                "A customer with the same name and phone number already exists".into()
            }
            DuplicateLastFour => "A customer with the same name and the same last four phone digits exists. Please check whether it is the same person".into(),
            PaymentMethodRequired => "Choose how it was paid (card, cash or transfer)".into(),
            PaymentMethodNotForPackage => "A visit a package pays for has no payment method".into(),
            RefundOverPaid { max } => {
                format!("The refund may be at most the amount paid (KRW {})", won(*max))
            }
            RefundMethodRequired => "Choose how it is refunded (card, cash or transfer)".into(),
            RefundMethodNotForZero => "A refund of 0 has no refund method".into(),
            BusinessNumberFormat => "The business registration number reads 000-00-00000".into(),
            ClinicPhoneFormat => {
                "A phone number may contain digits, spaces and - + ( ) only (e.g. 02-123-4567)"
                    .into()
            }
            Plain { field: Some(field), .. } => format!("The value of {field} is not valid"),
            Plain { field: None, .. } => "The input is not valid".into(),
        }
    }
}

/// 250000 → "250,000".
fn won(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 {
        out.insert(0, '-');
    }
    out
}

fn password_ko(p: PasswordProblem) -> String {
    match p {
        PasswordProblem::TooShort => format!("{PASSWORD_MIN}자 이상이어야 합니다"),
        PasswordProblem::TooLong => format!("{PASSWORD_MAX}자 이하여야 합니다"),
        PasswordProblem::OneKindOfCharacter => {
            "영문자·숫자·기호 중 두 종류 이상을 섞어야 합니다".into()
        }
        PasswordProblem::ContainsUsername => "아이디를 포함할 수 없습니다".into(),
        PasswordProblem::Guessable => {
            "널리 알려졌거나 추측하기 쉬운 비밀번호입니다 (흔한 단어, 키보드 배열, 연속·반복 문자)"
                .into()
        }
    }
}

fn password_en(p: PasswordProblem) -> String {
    match p {
        PasswordProblem::TooShort => format!("it needs at least {PASSWORD_MIN} characters"),
        PasswordProblem::TooLong => format!("it may have at most {PASSWORD_MAX} characters"),
        PasswordProblem::OneKindOfCharacter => {
            "it must mix at least two of letters, digits and symbols".into()
        }
        PasswordProblem::ContainsUsername => "it may not contain the username".into(),
        PasswordProblem::Guessable => {
            "it is well known or easy to guess (common words, keyboard rows, runs or repeats)"
                .into()
        }
    }
}

/// The Korean wording of a password problem (also shown by the server's `users` command).
pub fn password_problem_ko(p: PasswordProblem) -> String {
    password_ko(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_picks_the_heaviest_supported_language() {
        for (header, lang) in [
            ("", Lang::Ko),
            ("en", Lang::En),
            ("en-US,en;q=0.9", Lang::En),
            ("ko-KR,ko;q=0.9,en-US;q=0.8", Lang::Ko),
            ("en-US;q=0.8,en;q=0.9,ko;q=0.95", Lang::Ko),
            ("fr-FR, en;q=0.5", Lang::En),
            ("fr, de", Lang::Ko),
            ("en;q=0", Lang::Ko),
            ("EN-gb", Lang::En),
            ("*", Lang::Ko),
            ("en;q=abc", Lang::En),
        ] {
            assert_eq!(Lang::from_accept_language(header), lang, "{header:?}");
        }
    }

    #[test]
    fn every_message_reads_in_both_languages() {
        let field = || "phone".to_string();
        let all = [
            Msg::BodyNotObject,
            Msg::UnknownField { field: field() },
            Msg::WrongType {
                field: field(),
                expected: Kind::Date,
            },
            Msg::Required { field: field() },
            Msg::PhoneRequired { field: field() },
            Msg::TooLong {
                field: field(),
                max: 5,
            },
            Msg::ControlChars { field: field() },
            Msg::NotAllowed {
                field: field(),
                allowed: vec!["a".into(), "b".into()],
            },
            Msg::IntRange {
                field: field(),
                min: 1,
                max: 2,
            },
            Msg::DateFormat { field: field() },
            Msg::DateTimeFormat { field: field() },
            Msg::YearRange {
                field: field(),
                min: 1900,
                max: 2100,
            },
            Msg::NameChar {
                field: field(),
                kind: BadChar::Bidi,
            },
            Msg::NameNeedsLetter { field: field() },
            Msg::PhoneFormat,
            Msg::EmailFormat,
            Msg::MaskedValue { field: field() },
            Msg::PhoneCannotBeCleared,
            Msg::ForbiddenField { field: field() },
            Msg::PrivacyWithdrawalNeedsErasure,
            Msg::DateOrder,
            Msg::FutureVisit,
            Msg::FuturePurchase,
            Msg::FutureInteraction,
            Msg::FollowUpDateRequired,
            Msg::FollowUpBeforeInteraction,
            Msg::PackageNeedsService,
            Msg::SessionsObject { field: field() },
            Msg::UsernameLength { min: 3, max: 50 },
            Msg::UsernameChars,
            Msg::UsernameStart,
            Msg::WeakPassword {
                problems: vec![PasswordProblem::TooShort, PasswordProblem::Guessable],
            },
            Msg::CurrentPasswordWrong,
            Msg::SamePassword,
            Msg::LoginLocked { minutes: 15 },
            Msg::LoginBusy,
            Msg::RateLimited {
                limit: 100,
                seconds: 30,
            },
            Msg::SessionRevoked,
            Msg::SignInAgain,
            Msg::OwnPasswordViaChange,
            Msg::DuplicateExact,
            Msg::DuplicateLastFour,
            Msg::PaymentMethodRequired,
            Msg::PaymentMethodNotForPackage,
            Msg::RefundOverPaid { max: 250_000 },
            Msg::RefundMethodRequired,
            Msg::RefundMethodNotForZero,
            Msg::BusinessNumberFormat,
            Msg::ClinicPhoneFormat,
            Msg::Plain {
                ko: "한국어 설명".into(),
                field: Some(field()),
            },
        ];
        let hangul = |s: &str| s.chars().any(|c| ('\u{AC00}'..='\u{D7A3}').contains(&c));
        for m in all {
            let (ko, en) = (m.render(Lang::Ko), m.render(Lang::En));
            assert!(hangul(&ko), "{m:?}: {ko}");
            assert!(!hangul(&en), "{m:?}: {en}");
            assert!(!m.reason().is_empty());
        }
        assert_eq!(
            Msg::NotAllowed {
                field: "gender".into(),
                allowed: vec!["male".into(), "female".into()]
            }
            .render(Lang::En),
            "gender must be one of: male, female"
        );
        assert_eq!(
            Msg::RefundOverPaid { max: 1_250_000 }.render(Lang::Ko),
            "환불 금액은 결제한 금액(1,250,000원) 이하여야 합니다"
        );
    }
}
