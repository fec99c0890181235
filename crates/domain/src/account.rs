//! Staff accounts: what a username may be, when a password is strong enough, and which changes
//! to an account an administrator may make (never lock the clinic out of its own system).

use crate::error::{DomainError, DomainResult, ErrorCode};
use crate::fields::{required_text, Problems};
use crate::messages::{Kind, Msg};
use crate::role::Role;
use serde_json::{json, Map, Value};

pub const USERNAME_MIN: usize = 3;
pub const USERNAME_MAX: usize = 50;
pub const DISPLAY_NAME_MAX: usize = 50;
pub const PASSWORD_MIN: usize = 10;
/// Long enough for any passphrase; short enough that Argon2 never hashes megabytes.
pub const PASSWORD_MAX: usize = 128;

/// A username as stored: trimmed and lower-cased, `USERNAME_MIN..=USERNAME_MAX` characters of
/// `a-z 0-9 . _ -`, starting with a letter or a digit. Lower-casing makes `Kim` and `kim` one
/// account (login lower-cases what is typed the same way).
pub fn normalize_username(raw: &str) -> DomainResult<String> {
    let name = raw.trim().to_ascii_lowercase();
    let len = name.chars().count();
    if !(USERNAME_MIN..=USERNAME_MAX).contains(&len) {
        return Err(DomainError::field_error(
            "username",
            Msg::UsernameLength {
                min: USERNAME_MIN,
                max: USERNAME_MAX,
            },
        )
        .with_details(json!({
            "min_length": USERNAME_MIN,
            "max_length": USERNAME_MAX,
            "received_length": len,
        })));
    }
    let allowed = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c);
    if !name.chars().all(allowed) {
        return Err(DomainError::field_error("username", Msg::UsernameChars));
    }
    if !name.starts_with(|c: char| c.is_ascii_alphanumeric()) {
        return Err(DomainError::field_error("username", Msg::UsernameStart));
    }
    Ok(name)
}

/// A password field of a request body: a non-empty string, not trimmed (spaces belong to a
/// passphrase). Its strength is checked separately, against the account's username.
pub fn password_field(obj: &Map<String, Value>, field: &str) -> DomainResult<String> {
    match obj.get(field) {
        Some(Value::String(p)) if !p.is_empty() => Ok(p.clone()),
        Some(Value::String(_)) | Some(Value::Null) | None => Err(DomainError::field_error(
            field,
            Msg::Required {
                field: field.to_string(),
            },
        )),
        Some(_) => Err(DomainError::field_error(
            field,
            Msg::WrongType {
                field: field.to_string(),
                expected: Kind::Text,
            },
        )),
    }
}

/// A new account's username, display name and password, checked — the password's strength
/// too — before anything is hashed or written. The API's user creation, the first-run set-up
/// and the server's `users create` all read it from the same fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAccount {
    pub username: String,
    pub display_name: String,
    pub password: String,
}

impl NewAccount {
    /// From `username`, `display_name` and `password` of a request body.
    pub fn from_json(obj: &Map<String, Value>) -> DomainResult<NewAccount> {
        let mut p = Problems::new();
        let username = p.take(match obj.get("username") {
            Some(Value::String(u)) => normalize_username(u),
            Some(Value::Null) | None => Err(DomainError::field_error(
                "username",
                Msg::Required {
                    field: "username".into(),
                },
            )),
            Some(_) => Err(DomainError::field_error(
                "username",
                Msg::WrongType {
                    field: "username".into(),
                    expected: Kind::Text,
                },
            )),
        });
        let display_name = p.take(required_text(
            "display_name",
            obj.get("display_name"),
            DISPLAY_NAME_MAX,
        ));
        let password = p.take(password_field(obj, "password"));
        if let Some(password) = &password {
            // Without a valid username, the check that the password does not contain it
            // compares against what was typed.
            let typed = obj.get("username").and_then(Value::as_str).unwrap_or("");
            p.take(check_password(
                "password",
                password,
                username.as_deref().unwrap_or(typed),
            ));
        }
        p.finish()?;
        // Past `finish`, every reader succeeded; the defaults are never used.
        Ok(NewAccount {
            username: username.unwrap_or_default(),
            display_name: display_name.unwrap_or_default(),
            password: password.unwrap_or_default(),
        })
    }
}

/// What makes a password too weak. Each names what is missing, in Korean, for the person
/// choosing it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordProblem {
    TooShort,
    TooLong,
    OneKindOfCharacter,
    ContainsUsername,
    /// A published or common password, a common word with digits around it, a keyboard row,
    /// a run like `abcdef`/`123456`, or one short block repeated.
    Guessable,
}

impl PasswordProblem {
    pub fn code(self) -> &'static str {
        match self {
            PasswordProblem::TooShort => "too_short",
            PasswordProblem::TooLong => "too_long",
            PasswordProblem::OneKindOfCharacter => "one_kind_of_character",
            PasswordProblem::ContainsUsername => "contains_username",
            PasswordProblem::Guessable => "guessable",
        }
    }

    pub fn message(self) -> String {
        crate::messages::password_problem_ko(self)
    }
}

/// Every problem of `password` for the account `username` (empty: strong enough).
pub fn password_problems(password: &str, username: &str) -> Vec<PasswordProblem> {
    let mut problems = Vec::new();
    let len = password.chars().count();
    if len < PASSWORD_MIN {
        problems.push(PasswordProblem::TooShort);
    }
    if len > PASSWORD_MAX {
        problems.push(PasswordProblem::TooLong);
    }
    if character_kinds(password) < 2 {
        problems.push(PasswordProblem::OneKindOfCharacter);
    }
    let lower = password.to_lowercase();
    let user = username.trim().to_lowercase();
    if user.chars().count() >= USERNAME_MIN && lower.contains(&user) {
        problems.push(PasswordProblem::ContainsUsername);
    }
    if is_guessable(&lower) {
        problems.push(PasswordProblem::Guessable);
    }
    problems
}

/// `Ok` for a strong enough password; otherwise a 422 `VALIDATION_ERROR` on `field` whose
/// message says everything that is missing, with the problems' codes in the details.
pub fn check_password(field: &str, password: &str, username: &str) -> DomainResult<()> {
    let problems = password_problems(password, username);
    if problems.is_empty() {
        return Ok(());
    }
    Err(DomainError::field_error(
        field,
        Msg::WeakPassword {
            problems: problems.clone(),
        },
    )
    .with_details(json!({
        "problems": problems.iter().map(|p| p.code()).collect::<Vec<_>>(),
        "min_length": PASSWORD_MIN,
    })))
}

/// Lower-case letters, upper-case letters, digits, and everything else (symbols, spaces,
/// Hangul) are the four kinds.
fn character_kinds(password: &str) -> usize {
    let mut kinds = [false; 4];
    for c in password.chars() {
        let i = if c.is_ascii_lowercase() {
            0
        } else if c.is_ascii_uppercase() {
            1
        } else if c.is_ascii_digit() {
            2
        } else {
            3
        };
        kinds[i] = true;
    }
    kinds.iter().filter(|k| **k).count()
}

/// Passwords found in published breach lists and default-password lists (lower case), and
/// this product's own published demo password.
const COMMON_PASSWORDS: &[&str] = &[
    "clinicdesk-demo",
    "clinicdesk",
    "password",
    "password1",
    "password12",
    "password123",
    "password1234",
    "password!",
    "password1!",
    "p@ssw0rd",
    "p@ssw0rd1",
    "p@ssword1",
    "passw0rd",
    "1234567890",
    "12345678910",
    "0987654321",
    "1q2w3e4r",
    "1q2w3e4r5t",
    "1q2w3e4r!",
    "1q2w3e4r5t6y",
    "q1w2e3r4t5",
    "qwer1234",
    "qwer1234!",
    "qwerty123",
    "qwerty1234",
    "qwertyuiop",
    "asdf1234",
    "zxcv1234",
    "abcd1234",
    "abcd1234!",
    "abc123456",
    "a123456789",
    "aa12345678",
    "iloveyou",
    "iloveyou1",
    "sunshine1",
    "princess1",
    "football1",
    "baseball1",
    "welcome1",
    "welcome123",
    "admin1234",
    "admin12345",
    "administrator",
    "letmein123",
    "changeme",
    "changeme123",
    "trustno1",
    "dkssud",
    "dkssudgktpdy",
    "tkfkdgo",
    "tkfkdgody",
    "rkskekfk",
    "사랑해",
    "사랑해요",
    "비밀번호",
    "비밀번호1234",
    "안녕하세요",
];

/// Words that stay guessable with digits or symbols around them (`Password2024!`).
const COMMON_WORDS: &[&str] = &[
    "password",
    "passw0rd",
    "p@ssw0rd",
    "qwerty",
    "qwertyuiop",
    "admin",
    "administrator",
    "welcome",
    "letmein",
    "iloveyou",
    "sunshine",
    "princess",
    "football",
    "baseball",
    "dragon",
    "monkey",
    "master",
    "hello",
    "login",
    "changeme",
    "secret",
    "clinic",
    "clinicdesk",
    "hospital",
    "doctor",
    "manager",
    "staff",
    "korea",
    "seoul",
    "dkssud",
    "tkfkdgo",
    "사랑해",
    "비밀번호",
    "안녕하세요",
];

/// Keyboard rows (QWERTY, and the Korean 2-set layout typed as jamo), the alphabet, digits and
/// the Korean syllable order: runs along these (forwards or backwards) are guessable.
const SEQUENCES: &[&str] = &[
    "abcdefghijklmnopqrstuvwxyz",
    "01234567890",
    "qwertyuiopasdfghjklzxcvbnm",
    "1q2w3e4r5t6y7u8i9o0p",
    "!@#$%^&*()",
    "ㅂㅈㄷㄱㅅㅛㅕㅑㅐㅔㅁㄴㅇㄹㅎㅗㅓㅏㅣㅋㅌㅊㅍㅠㅜㅡ",
    "가나다라마바사아자차카타파하",
];

fn is_guessable(lower: &str) -> bool {
    if COMMON_PASSWORDS.contains(&lower) {
        return true;
    }
    // A common word with only digits and symbols around it.
    let core = lower.trim_matches(|c: char| !c.is_alphabetic());
    if COMMON_WORDS.contains(&core) {
        return true;
    }
    let chars: Vec<char> = lower.chars().collect();
    is_repeated_block(&chars) || covered_by_runs(&chars, 2)
}

/// One block of up to 5 characters, repeated (`aaaaaaaaaa`, `abcabcabca`, `1q2w1q2w1q2w`).
fn is_repeated_block(chars: &[char]) -> bool {
    (1..=5.min(chars.len() / 2)).any(|block| {
        chars
            .iter()
            .enumerate()
            .all(|(i, c)| *c == chars[i % block])
    })
}

/// True when runs of 3+ characters (one repeated, or along one of [`SEQUENCES`]), at most `max_runs` of them,
/// make up all of `chars` but two characters at most (`qwerty1234` = `qwerty` + `1234`;
/// `9876543210`; `asdfghjkl;`).
fn covered_by_runs(chars: &[char], max_runs: usize) -> bool {
    let (mut at, mut runs, mut other) = (0, 0, 0);
    while at < chars.len() {
        let len = longest_run(&chars[at..]);
        if len >= 3 {
            runs += 1;
            at += len;
        } else {
            other += 1;
            at += 1;
        }
        if runs > max_runs || other > 2 {
            return false;
        }
    }
    runs > 0
}

/// The length of the longest prefix of `chars` that repeats one character or follows one of
/// [`SEQUENCES`] step by step, forwards or backwards.
fn longest_run(chars: &[char]) -> usize {
    let mut best = chars.iter().take_while(|c| **c == chars[0]).count();
    for seq in SEQUENCES {
        let seq: Vec<char> = seq.chars().collect();
        for step in [1isize, -1] {
            for start in 0..seq.len() {
                if seq[start] != chars[0] {
                    continue;
                }
                let mut len = 1;
                let mut pos = start as isize;
                while len < chars.len() {
                    pos += step;
                    if pos < 0 || pos as usize >= seq.len() || seq[pos as usize] != chars[len] {
                        break;
                    }
                    len += 1;
                }
                best = best.max(len);
            }
        }
    }
    best
}

/// A change an administrator asks for on an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AccountChange {
    pub role: Option<Role>,
    pub active: Option<bool>,
}

/// The account being changed, as it is now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AccountState {
    pub role: Role,
    pub active: bool,
}

/// Whether an administrator may make `change` to `target`. `own` is true when the target is
/// the administrator's own account; `active_admins` counts the active administrators who can
/// log in now (target included, if it is one). An administrator cannot deactivate or demote
/// themself, and the last active administrator stays one: otherwise the clinic could lock
/// itself out of user management.
pub fn check_account_change(
    own: bool,
    target: AccountState,
    change: AccountChange,
    active_admins: i64,
) -> DomainResult<()> {
    let deactivates = change.active == Some(false) && target.active;
    let demotes = target.role == Role::Admin && change.role.is_some_and(|r| r != Role::Admin);
    if own && (deactivates || demotes) {
        return Err(DomainError::new(ErrorCode::OwnAccountChange));
    }
    let removes_an_admin = target.role == Role::Admin && target.active && (deactivates || demotes);
    if removes_an_admin && active_admins <= 1 {
        return Err(DomainError::new(ErrorCode::LastActiveAdmin));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use PasswordProblem::*;

    #[test]
    fn usernames_are_trimmed_lower_cased_and_checked() {
        assert_eq!(normalize_username("  Kim.Nurse_2 ").unwrap(), "kim.nurse_2");
        assert_eq!(normalize_username("abc").unwrap(), "abc");
        assert_eq!(normalize_username(&"a".repeat(50)).unwrap().len(), 50);
        for bad in [
            "ab",
            "",
            "   ",
            &"a".repeat(51),
            "김간호",
            "a b c",
            "x;drop",
            "-abc",
            ".abc",
            "a\u{200b}bc",
        ] {
            let e = normalize_username(bad).unwrap_err();
            assert_eq!(e.code, ErrorCode::ValidationError, "{bad:?}");
            assert_eq!(e.field.as_deref(), Some("username"), "{bad:?}");
        }
    }

    #[test]
    fn a_new_account_is_read_and_checked_from_a_body() {
        let body = json!({"username": " Kim.Nurse ", "display_name": " 김간호 ", "password": "Blue-Harbor-Lamp "});
        let a = NewAccount::from_json(body.as_object().unwrap()).unwrap();
        assert_eq!(a.username, "kim.nurse");
        assert_eq!(a.display_name, "김간호");
        assert_eq!(
            a.password, "Blue-Harbor-Lamp ",
            "a password is never trimmed"
        );
        for (body, field) in [
            (
                json!({"display_name": "김", "password": "Blue-Harbor-Lamp"}),
                "username",
            ),
            (
                json!({"username": 5, "display_name": "김", "password": "Blue-Harbor-Lamp"}),
                "username",
            ),
            (
                json!({"username": "kim", "password": "Blue-Harbor-Lamp"}),
                "display_name",
            ),
            (
                json!({"username": "kim", "display_name": "  ", "password": "Blue-Harbor-Lamp"}),
                "display_name",
            ),
            (json!({"username": "kim", "display_name": "김"}), "password"),
            (
                json!({"username": "kim", "display_name": "김", "password": ""}),
                "password",
            ),
            (
                json!({"username": "kim", "display_name": "김", "password": 1234567890}),
                "password",
            ),
            (
                json!({"username": "kim", "display_name": "김", "password": "kim-1234567"}),
                "password",
            ),
        ] {
            let e = NewAccount::from_json(body.as_object().unwrap()).unwrap_err();
            assert_eq!(e.code, ErrorCode::ValidationError, "{body}");
            assert_eq!(e.field.as_deref(), Some(field), "{body}");
        }
    }

    #[test]
    fn a_new_account_answers_every_field_error() {
        let body = json!({"username": "x", "display_name": "", "password": "short"});
        let e = NewAccount::from_json(body.as_object().unwrap()).unwrap_err();
        let fields = e.field_names();
        assert_eq!(fields, vec!["username", "display_name", "password"]);
        assert_eq!(
            e.errors[2].render(crate::Lang::En),
            "The password is not safe: it needs at least 10 characters, it must mix at least two of letters, digits and symbols"
        );
    }

    #[test]
    fn strong_passwords_pass() {
        for ok in [
            "Blue-Harbor-Lamp",
            "seoul clinic 2026 spring",
            "xk7!pq2vzm",
            "진료실 커피 7잔 주세요",
            "correct horse battery",
        ] {
            assert_eq!(password_problems(ok, "kim.nurse"), vec![], "{ok:?}");
            assert!(check_password("password", ok, "kim.nurse").is_ok());
        }
    }

    #[test]
    fn short_passwords_are_refused() {
        assert_eq!(password_problems("xk7!pq2v", "kim"), vec![TooShort]);
        assert!(password_problems("", "kim").contains(&TooShort));
        assert!(password_problems(&"xk7!pq2vzm".repeat(13), "kim").contains(&TooLong));
    }

    #[test]
    fn one_kind_of_character_is_refused() {
        assert!(password_problems("8264019375", "kim").contains(&OneKindOfCharacter));
        assert!(password_problems("zqxjvkwmfp", "kim").contains(&OneKindOfCharacter));
        assert!(password_problems("ZQXJVKWMFP", "kim").contains(&OneKindOfCharacter));
        assert!(!password_problems("zqxjvkwmf7", "kim").contains(&OneKindOfCharacter));
    }

    #[test]
    fn the_username_inside_the_password_is_refused() {
        assert_eq!(
            password_problems("Kim.Nurse-7781", "kim.nurse"),
            vec![ContainsUsername]
        );
        // Too short a username to mean anything is not searched for.
        assert_eq!(password_problems("ab-xk7!pq2vzm", "ab"), vec![]);
    }

    #[test]
    fn published_and_common_passwords_are_refused() {
        for weak in [
            "clinicdesk-demo",
            "CLINICDESK-DEMO",
            "password123",
            "Password2024!",
            "!!qwerty!!2024",
            "1234567890",
            "12345678910",
            "0987654321",
            "qwerty1234",
            "qwertyuiop",
            "1q2w3e4r5t",
            "asdfghjkl;",
            "abcdef123456",
            "aaaaaaaaaa1",
            "abcabcabcabc",
            "1q2w1q2w1q2w",
            "ㅂㅈㄷㄱㅅㅛㅕㅑㅐㅔ",
            "가나다라마바사아1234",
            "dkssudgktpdy",
            "비밀번호1234",
            "Admin!2024",
        ] {
            assert!(
                password_problems(weak, "kim.nurse").contains(&Guessable),
                "{weak:?} should be guessable: {:?}",
                password_problems(weak, "kim.nurse")
            );
        }
    }

    #[test]
    fn the_error_names_the_field_and_every_problem() {
        let e = check_password("new_password", "12345", "kim").unwrap_err();
        assert_eq!(e.code, ErrorCode::ValidationError);
        assert_eq!(e.field.as_deref(), Some("new_password"));
        assert!(e.message.contains("10자 이상"), "{}", e.message);
        assert!(e.message.contains("두 종류 이상"), "{}", e.message);
        assert!(e.message.contains("추측하기 쉬운"), "{}", e.message);
        assert_eq!(
            e.details["problems"],
            json!(["too_short", "one_kind_of_character", "guessable"])
        );
    }

    fn admin(active: bool) -> AccountState {
        AccountState {
            role: Role::Admin,
            active,
        }
    }

    #[test]
    fn an_admin_cannot_deactivate_or_demote_themself() {
        let deactivate = AccountChange {
            active: Some(false),
            ..Default::default()
        };
        let demote = AccountChange {
            role: Some(Role::Manager),
            ..Default::default()
        };
        for change in [deactivate, demote] {
            let e = check_account_change(true, admin(true), change, 5).unwrap_err();
            assert_eq!(e.code, ErrorCode::OwnAccountChange);
            assert_eq!(e.code.http_status(), 409);
        }
        // Renaming oneself, or "changing" to what one already is, is fine.
        let same = AccountChange {
            role: Some(Role::Admin),
            active: Some(true),
        };
        assert!(check_account_change(true, admin(true), same, 1).is_ok());
    }

    #[test]
    fn the_last_active_admin_stays_an_active_admin() {
        let deactivate = AccountChange {
            active: Some(false),
            ..Default::default()
        };
        let demote = AccountChange {
            role: Some(Role::Staff),
            ..Default::default()
        };
        for change in [deactivate, demote] {
            let e = check_account_change(false, admin(true), change, 1).unwrap_err();
            assert_eq!(e.code, ErrorCode::LastActiveAdmin);
            assert_eq!(e.code.http_status(), 409);
            assert!(check_account_change(false, admin(true), change, 2).is_ok());
        }
        // An inactive admin is not one of the active ones: demoting it changes nothing.
        assert!(check_account_change(false, admin(false), demote, 1).is_ok());
        // Other roles are never the last admin.
        let staff = AccountState {
            role: Role::Staff,
            active: true,
        };
        assert!(check_account_change(false, staff, deactivate, 1).is_ok());
    }
}
