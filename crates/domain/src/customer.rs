//! Customers: the stored record, validation of create/update bodies (one rule set for both),
//! profile completeness, duplicate identity, and the role-aware JSON view (masking and health
//! fields decided here, in one place).

use crate::error::{DomainError, DomainResult, ErrorCode};
use crate::fields::*;
use crate::mask;
use crate::messages::{Kind, Msg};
use crate::role::{Capability, Role};
use crate::service::ServiceType;
use crate::stats::{risk_level, CustomerStats};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

pub const GENDERS: [&str; 3] = ["male", "female", "other"];
pub const MEMBERSHIP_LEVELS: [&str; 3] = ["basic", "premium", "vip"];
pub const CUSTOMER_STATUSES: [&str; 3] = ["active", "inactive", "dormant"];
pub const TIME_SLOTS: [&str; 4] = ["morning", "afternoon", "evening", "weekend"];
pub const INTENSITIES: [&str; 3] = ["low", "medium", "high"];
pub const CHANNELS: [&str; 4] = ["phone", "sms", "kakao", "email"];
pub const HEALTH_INTERESTS: [&str; 10] = [
    "stress_management",
    "sleep_quality",
    "weight_management",
    "pain_relief",
    "immunity",
    "circulation",
    "fitness",
    "focus",
    "allergy_care",
    "skin_care",
];
/// Fields that are health data: only roles with [`Capability::HealthData`] read or write them.
pub const HEALTH_FIELDS: [&str; 3] = ["health_goals", "health_interests", "preferred_intensity"];

const TOP_LEVEL_FIELDS: [&str; 19] = [
    "name",
    "phone",
    "email",
    "birth_year",
    "gender",
    "address",
    "emergency_contact",
    "occupation",
    "membership_level",
    "customer_status",
    "health_goals",
    "health_interests",
    "preferred_intensity",
    "preferred_time_slots",
    "preferred_services",
    "assigned_staff",
    "memo",
    "communication_preferences",
    "consent",
];
const COMMUNICATION_FIELDS: [&str; 2] = ["preferred_channels", "contact_time"];
const CONSENT_FIELDS: [&str; 3] = ["privacy", "marketing", "health_data"];

/// A customer as stored. Visit figures are not here: they are derived from visits
/// ([`CustomerStats`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomerRecord {
    pub id: String,
    pub name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub birth_year: Option<i64>,
    pub gender: Option<String>,
    pub address: Option<String>,
    pub emergency_contact: Option<String>,
    pub occupation: Option<String>,
    pub membership_level: String,
    pub customer_status: String,
    pub health_goals: Option<String>,
    pub health_interests: Vec<String>,
    pub preferred_intensity: Option<String>,
    pub preferred_time_slots: Vec<String>,
    pub preferred_services: Vec<String>,
    pub assigned_staff: Option<String>,
    pub memo: Option<String>,
    pub preferred_channels: Vec<String>,
    pub contact_time: Option<String>,
    pub consent_privacy: bool,
    pub consent_marketing: bool,
    pub consent_health_data: bool,
    pub consent_updated_at: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    pub anonymized_at: Option<String>,
}

impl CustomerRecord {
    /// An empty record with the defaults a new customer starts from.
    pub fn new(id: String, now: &str) -> Self {
        CustomerRecord {
            id,
            name: String::new(),
            phone: None,
            email: None,
            birth_year: None,
            gender: None,
            address: None,
            emergency_contact: None,
            occupation: None,
            membership_level: "basic".into(),
            customer_status: "active".into(),
            health_goals: None,
            health_interests: Vec::new(),
            preferred_intensity: None,
            preferred_time_slots: Vec::new(),
            preferred_services: Vec::new(),
            assigned_staff: None,
            memo: None,
            preferred_channels: Vec::new(),
            contact_time: None,
            consent_privacy: false,
            consent_marketing: false,
            consent_health_data: false,
            consent_updated_at: None,
            created_at: now.to_string(),
            updated_at: now.to_string(),
            anonymized_at: None,
        }
    }

    /// Share of the profile that is filled in, 0.0–1.0 with two decimals (seed 004's
    /// `profile_completeness`). Health fields are left out: every role sees this figure, and
    /// counting fields a role may not read would tell it whether they are filled.
    pub fn profile_completeness(&self) -> f64 {
        let checks = [
            !self.name.is_empty(),
            self.phone.is_some(),
            self.email.is_some(),
            self.birth_year.is_some(),
            self.gender.is_some(),
            self.address.is_some(),
            self.emergency_contact.is_some(),
            self.occupation.is_some(),
            !self.preferred_time_slots.is_empty(),
            !self.preferred_services.is_empty(),
            !self.preferred_channels.is_empty(),
            self.consent_privacy,
        ];
        let filled = checks.iter().filter(|c| **c).count() as f64;
        (filled / checks.len() as f64 * 100.0).round() / 100.0
    }

    /// The identity used for duplicate detection: same name and same phone number.
    pub fn identity(&self) -> (String, Option<String>) {
        (self.name.clone(), self.phone.clone())
    }
}

/// What a create or update changed: field names in body order and "old → new" per field, both
/// as the acting role may see them (masked contact data stays masked on both sides).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ChangeSet {
    pub updated_fields: Vec<String>,
    pub changes_summary: Map<String, Value>,
    /// Health fields a consent withdrawal erased that the acting role may not be told about
    /// (not in `updated_fields`), but storage and sync must still write.
    pub erased_unseen: Vec<String>,
}

impl ChangeSet {
    /// Every field the write changes in storage.
    pub fn written_fields(&self) -> Vec<String> {
        let mut all = self.updated_fields.clone();
        all.extend(self.erased_unseen.iter().cloned());
        all
    }
}

fn show(v: &Value) -> String {
    match v {
        Value::Null => "(없음)".into(),
        Value::String(s) => s.clone(),
        Value::Array(items) if items.is_empty() => "(없음)".into(),
        Value::Array(items) => items.iter().map(show).collect::<Vec<_>>().join(", "),
        other => other.to_string(),
    }
}

/// Validates `body` and applies it to `record` (partial update: only the fields present;
/// `null` clears an optional field). Nothing is applied unless the whole body is valid, and a
/// body with several mistakes is answered with all of them (see [`DomainError::several`]).
/// On create, `name` and `phone` must end up present. Health fields need
/// [`Capability::HealthData`] and the customer's health-data consent.
pub fn apply_patch(
    record: &CustomerRecord,
    body: &Value,
    role: Role,
    creating: bool,
    now: &str,
    this_year: i32,
) -> DomainResult<(CustomerRecord, ChangeSet)> {
    let obj = object(body)?;
    // The role first: a refusal is an answer of its own (403), not one field error of many.
    if let Some(key) = obj
        .keys()
        .find(|k| HEALTH_FIELDS.contains(&k.as_str()) && !role.can(Capability::HealthData))
    {
        return Err(DomainError::forbidden_field(key));
    }
    let mut problems = Problems::new();
    problems.take(reject_unknown(obj, &TOP_LEVEL_FIELDS, ""));
    let mut next = record.clone();
    let before = stored_json(record);

    // Sets a field from a reader's value, or notes the reader's error.
    macro_rules! put {
        ($target:expr, $read:expr) => {
            if let Some(v) = problems.take($read) {
                $target = v;
            }
        };
    }
    for (key, value) in obj {
        match key.as_str() {
            "name" => put!(next.name, required_name("name", Some(value), 50)),
            "phone" => put!(next.phone, opt_phone("phone", value)),
            "email" => put!(
                next.email,
                opt_email("email", value).and_then(|v| unmasked("email", v))
            ),
            "birth_year" => put!(
                next.birth_year,
                opt_int("birth_year", value, 1900, this_year as i64)
            ),
            "gender" => put!(next.gender, opt_enum("gender", value, &GENDERS)),
            "address" => put!(
                next.address,
                opt_text("address", value, 200).and_then(|v| unmasked("address", v))
            ),
            "emergency_contact" => {
                put!(
                    next.emergency_contact,
                    opt_phone("emergency_contact", value)
                )
            }
            "occupation" => put!(next.occupation, opt_text("occupation", value, 50)),
            "membership_level" => put!(
                next.membership_level,
                required_enum("membership_level", Some(value), &MEMBERSHIP_LEVELS)
            ),
            "customer_status" => put!(
                next.customer_status,
                required_enum("customer_status", Some(value), &CUSTOMER_STATUSES)
            ),
            "health_goals" => put!(next.health_goals, opt_text("health_goals", value, 500)),
            "health_interests" => put!(
                next.health_interests,
                enum_list("health_interests", value, &HEALTH_INTERESTS)
            ),
            "preferred_intensity" => put!(
                next.preferred_intensity,
                opt_enum("preferred_intensity", value, &INTENSITIES)
            ),
            "preferred_time_slots" => put!(
                next.preferred_time_slots,
                enum_list("preferred_time_slots", value, &TIME_SLOTS)
            ),
            "preferred_services" => put!(
                next.preferred_services,
                enum_list("preferred_services", value, &ServiceType::CODES)
            ),
            "assigned_staff" => put!(next.assigned_staff, opt_name("assigned_staff", value, 50)),
            "memo" => put!(next.memo, opt_text("memo", value, 1000)),
            "communication_preferences" => {
                let prefix = "communication_preferences";
                let Some(section) = value.as_object() else {
                    problems.push(section_not_object(prefix, value));
                    continue;
                };
                problems.take(reject_unknown(section, &COMMUNICATION_FIELDS, prefix));
                if let Some(v) = section.get("preferred_channels") {
                    put!(
                        next.preferred_channels,
                        enum_list("communication_preferences.preferred_channels", v, &CHANNELS)
                    );
                }
                if let Some(v) = section.get("contact_time") {
                    put!(
                        next.contact_time,
                        opt_enum("communication_preferences.contact_time", v, &TIME_SLOTS)
                    );
                }
            }
            "consent" => {
                let Some(section) = value.as_object() else {
                    problems.push(section_not_object("consent", value));
                    continue;
                };
                problems.take(reject_unknown(section, &CONSENT_FIELDS, "consent"));
                for (flag, target) in [
                    ("privacy", &mut next.consent_privacy),
                    ("marketing", &mut next.consent_marketing),
                    ("health_data", &mut next.consent_health_data),
                ] {
                    if let Some(v) = section.get(flag) {
                        if let Some(Some(b)) =
                            problems.take(opt_bool(&format!("consent.{flag}"), v))
                        {
                            *target = b;
                        }
                    }
                }
            }
            // Unknown keys were noted above.
            _ => {}
        }
    }

    if creating {
        if next.name.is_empty() && !problems.has("name") {
            problems.push(DomainError::field_error(
                "name",
                Msg::Required {
                    field: "name".into(),
                },
            ));
        }
        if next.phone.is_none() && !problems.has("phone") {
            problems.push(DomainError::field_error(
                "phone",
                Msg::PhoneRequired {
                    field: "phone".into(),
                },
            ));
        }
    } else if next.phone.is_none() && record.phone.is_some() && record.anonymized_at.is_none() {
        problems.push(DomainError::field_error("phone", Msg::PhoneCannotBeCleared));
    }
    if !problems.has("consent") {
        check_consent(record, &next, obj, creating, &mut problems);
    }
    problems.finish()?;
    if record.consent_health_data && !next.consent_health_data {
        // Nothing may be kept on a consent that no longer exists (PIPA §23, §37).
        next.health_goals = None;
        next.health_interests.clear();
        next.preferred_intensity = None;
    }

    let consent_changed = next.consent_privacy != record.consent_privacy
        || next.consent_marketing != record.consent_marketing
        || next.consent_health_data != record.consent_health_data;
    if consent_changed || (creating && obj.contains_key("consent")) {
        next.consent_updated_at = Some(now.to_string());
    }

    let after = stored_json(&next);
    let view = View::for_role(role);
    let (seen_before, seen_after) = (visible_json(record, view), visible_json(&next, view));
    let mut changes = ChangeSet::default();
    // Health fields erased by a consent withdrawal were not sent; a role that reads health data
    // sees them in the change set, the others learn nothing about them.
    let (erased_seen, erased_unseen): (Vec<String>, Vec<String>) = HEALTH_FIELDS
        .into_iter()
        .filter(|f| !obj.contains_key(*f) && before[*f] != after[*f])
        .map(String::from)
        .partition(|_| view.health);
    changes.erased_unseen = erased_unseen;
    let keys: Vec<String> = obj.keys().cloned().chain(erased_seen).collect();
    for key in &keys {
        // A field this role sees masked counts as updated whenever it is sent: were an
        // unchanged value reported as "no change", staff could test guesses of the hidden
        // digits against it.
        let sent_blind = view.masks(key);
        if before[key] == after[key] && !sent_blind {
            continue;
        }
        changes.updated_fields.push(key.clone());
        match (&seen_before[key], &seen_after[key]) {
            (Value::Object(old), Value::Object(new)) => {
                for (k, v) in new {
                    if old.get(k) != Some(v) {
                        changes.changes_summary.insert(
                            format!("{key}.{k}"),
                            json!(format!("{} → {}", show(&old[k]), show(v))),
                        );
                    }
                }
            }
            (old, new) => {
                changes
                    .changes_summary
                    .insert(key.clone(), json!(format!("{} → {}", show(old), show(new))));
            }
        }
    }
    if !changes.updated_fields.is_empty() || creating {
        next.updated_at = now.to_string();
    }
    Ok((next, changes))
}

/// The consent rules of Korean privacy law (PIPA) on a patched record:
/// - registering a customer needs the privacy consent (§15: 수집·이용 동의); an existing
///   customer's privacy consent cannot be switched off by an edit: withdrawing it means the
///   record is erased or anonymised (DELETE), not kept without a basis;
/// - health fields are sensitive data (§23) and need their own consent, stored or given in the
///   same request, before a value is written (clearing one needs none);
/// - withdrawing the health-data consent erases the stored health fields in the same write
///   ([`apply_patch`] does it once the body is valid).
fn check_consent(
    record: &CustomerRecord,
    next: &CustomerRecord,
    body: &Map<String, Value>,
    creating: bool,
    problems: &mut Problems,
) {
    if creating && !next.consent_privacy {
        problems.push(
            DomainError::new(ErrorCode::PrivacyConsentRequired)
                .with_field("consent.privacy")
                .with_details(json!({ "statutory_items": PRIVACY_NOTICE_ITEMS })),
        );
    }
    if !creating && record.consent_privacy && !next.consent_privacy {
        problems.push(
            DomainError::new(ErrorCode::PrivacyConsentRequired)
                .with_field("consent.privacy")
                .with_msg(Msg::PrivacyWithdrawalNeedsErasure)
                .with_details(json!({ "reason": "withdrawal_needs_erasure" })),
        );
    }
    if !next.consent_health_data {
        let written: Vec<&str> = HEALTH_FIELDS
            .into_iter()
            .filter(|f| body.contains_key(*f) && !problems.has(f) && has_health_value(next, f))
            .collect();
        for field in &written {
            problems.push(
                DomainError::new(ErrorCode::HealthConsentRequired)
                    .with_field(*field)
                    .with_details(json!({ "fields": written })),
            );
        }
    }
}

fn has_health_value(r: &CustomerRecord, field: &str) -> bool {
    match field {
        "health_goals" => r.health_goals.is_some(),
        "health_interests" => !r.health_interests.is_empty(),
        "preferred_intensity" => r.preferred_intensity.is_some(),
        _ => false,
    }
}

/// What the privacy consent covers (PIPA §15 ②): the form shows these before the checkbox,
/// and a refusal names them.
pub const PRIVACY_NOTICE_ITEMS: [&str; 4] = [
    "collected_items",
    "purpose",
    "retention_period",
    "right_to_refuse",
];

/// The writable part of a record as JSON, shaped like a request body; used to diff updates.
fn stored_json(r: &CustomerRecord) -> Value {
    json!({
        "name": r.name,
        "phone": r.phone,
        "email": r.email,
        "birth_year": r.birth_year,
        "gender": r.gender,
        "address": r.address,
        "emergency_contact": r.emergency_contact,
        "occupation": r.occupation,
        "membership_level": r.membership_level,
        "customer_status": r.customer_status,
        "health_goals": r.health_goals,
        "health_interests": r.health_interests,
        "preferred_intensity": r.preferred_intensity,
        "preferred_time_slots": r.preferred_time_slots,
        "preferred_services": r.preferred_services,
        "assigned_staff": r.assigned_staff,
        "memo": r.memo,
        "communication_preferences": {
            "preferred_channels": r.preferred_channels,
            "contact_time": r.contact_time,
        },
        "consent": {
            "privacy": r.consent_privacy,
            "marketing": r.consent_marketing,
            "health_data": r.consent_health_data,
        },
    })
}

/// A value as a masked view shows it (`k***@…`, `서울시 강남구 ***`) is a placeholder, never
/// data: saving it would overwrite the real value with the mask.
fn unmasked(field: &str, value: Option<String>) -> DomainResult<Option<String>> {
    match value {
        Some(v) if v.contains("***") => Err(DomainError::field_error(
            field,
            Msg::MaskedValue {
                field: field.to_string(),
            },
        )
        .with_details(json!({ "reason": "masked_value" }))),
        other => Ok(other),
    }
}

fn section_not_object(field: &str, got: &Value) -> DomainError {
    DomainError::field_error(
        field,
        Msg::WrongType {
            field: field.to_string(),
            expected: Kind::Object,
        },
    )
    .with_details(json!({ "expected": Kind::Object.code(), "received_value": got }))
}

/// Contact fields a masked view hides part of.
pub const MASKED_FIELDS: [&str; 4] = ["phone", "email", "address", "emergency_contact"];

/// How personal data is shown to a role: contact fields masked for staff, health fields
/// hidden from roles without health access.
#[derive(Debug, Clone, Copy)]
pub struct View {
    pub masked: bool,
    pub health: bool,
}

impl View {
    pub fn for_role(role: Role) -> View {
        View {
            masked: role.sees_masked_pii(),
            health: role.can(Capability::HealthData),
        }
    }

    /// True when this view shows `field` only in part.
    pub fn masks(&self, field: &str) -> bool {
        self.masked && MASKED_FIELDS.contains(&field)
    }

    pub fn phone(&self, v: &Option<String>) -> Value {
        match v {
            Some(p) if self.masked => json!(mask::mask_phone(p)),
            other => json!(other),
        }
    }

    pub fn email(&self, v: &Option<String>) -> Value {
        match v {
            Some(e) if self.masked => json!(mask::mask_email(e)),
            other => json!(other),
        }
    }

    pub fn address(&self, v: &Option<String>) -> Value {
        match v {
            Some(a) if self.masked => json!(mask::mask_address(a)),
            other => json!(other),
        }
    }

    pub fn health<T: Serialize>(&self, v: &T) -> Value {
        if self.health {
            json!(v)
        } else {
            Value::Null
        }
    }
}

/// The customer object of the API (seed 000 §1.1 `customer` plus seed 004's profile sections),
/// as `role` may see it: the stored fields (contact data masked, health data hidden per
/// [`View`]) plus the figures derived from visits.
pub fn customer_json(
    r: &CustomerRecord,
    stats: &CustomerStats,
    role: Role,
    today: NaiveDate,
) -> Value {
    let mut v = visible_json(r, View::for_role(role));
    v["consent"]["updated_at"] = json!(r.consent_updated_at);
    let derived = json!({
        "id": r.id,
        "customer_id": r.id,
        "risk_level": risk_level(stats.last_visit_date, created_date(&r.created_at), today),
        "first_visit_date": stats.first_visit_date.map(|d| d.to_string()),
        "last_visit_date": stats.last_visit_date.map(|d| d.to_string()),
        "total_visits": stats.total_visits,
        "average_visit_interval": stats.average_visit_interval,
        "total_revenue": stats.total_revenue,
        "average_satisfaction": stats.average_satisfaction,
        "profile_completeness": r.profile_completeness(),
        "anonymized": r.anonymized_at.is_some(),
        "created_at": r.created_at,
        "updated_at": r.updated_at,
    });
    if let (Some(out), Value::Object(extra)) = (v.as_object_mut(), derived) {
        out.extend(extra);
    }
    v
}

/// The writable fields of a record as `view` may see them: the one place where contact data
/// is masked and health data hidden. Every response that carries a customer's own fields is
/// built from this.
fn visible_json(r: &CustomerRecord, view: View) -> Value {
    let mut v = stored_json(r);
    v["phone"] = view.phone(&r.phone);
    v["email"] = view.email(&r.email);
    v["address"] = view.address(&r.address);
    v["emergency_contact"] = view.phone(&r.emergency_contact);
    for field in HEALTH_FIELDS {
        v[field] = view.health(&v[field]);
    }
    v
}

/// The `preferences` block of the detail view (seed 000 §1.1).
pub fn preferences_json(r: &CustomerRecord, role: Role) -> Value {
    let view = View::for_role(role);
    json!({
        "preferred_services": r.preferred_services,
        "preferred_time": r.preferred_time_slots.first(),
        "preferred_time_slots": r.preferred_time_slots,
        "preferred_intensity": view.health(&r.preferred_intensity),
        "health_interests": view.health(&r.health_interests),
        "communication_preference": r.preferred_channels.first(),
        "marketing_consent": r.consent_marketing,
    })
}

/// The calendar date of an RFC 3339 timestamp (the customer's registration day).
pub fn created_date(created_at: &str) -> Option<NaiveDate> {
    created_at
        .get(..10)
        .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
}

/// What anonymisation leaves of a record: no name, contact, address, health data or free
/// text; membership, status and the visit facts stay for statistics.
pub fn anonymized(record: &CustomerRecord, now: &str) -> CustomerRecord {
    let short: String = record
        .id
        .chars()
        .rev()
        .take(6)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    CustomerRecord {
        id: record.id.clone(),
        name: format!("익명고객-{short}"),
        membership_level: record.membership_level.clone(),
        customer_status: "inactive".into(),
        gender: record.gender.clone(),
        created_at: record.created_at.clone(),
        updated_at: now.to_string(),
        anonymized_at: Some(now.to_string()),
        ..CustomerRecord::new(record.id.clone(), now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: &str = "2024-06-01T09:00:00Z";

    /// A create with both consents unless the body says otherwise: most cases are about other
    /// rules; the consent cases call [`raw_create`].
    fn create(mut body: Value, role: Role) -> DomainResult<CustomerRecord> {
        if body.get("consent").is_none() {
            body["consent"] = json!({"privacy": true, "health_data": true});
        }
        raw_create(body, role)
    }

    fn raw_create(body: Value, role: Role) -> DomainResult<CustomerRecord> {
        apply_patch(
            &CustomerRecord::new("c1".into(), NOW),
            &body,
            role,
            true,
            NOW,
            2024,
        )
        .map(|(r, _)| r)
    }

    fn kim() -> CustomerRecord {
        create(
            json!({"name": "김영희", "phone": "01012345678", "email": "kim@example.com",
                   "address": "서울시 강남구 테헤란로 1", "health_goals": "수면 개선"}),
            Role::Admin,
        )
        .unwrap()
    }

    #[test]
    fn create_normalises_and_defaults() {
        let r = kim();
        assert_eq!(r.phone.as_deref(), Some("010-1234-5678"));
        assert_eq!(r.membership_level, "basic");
        assert_eq!(r.customer_status, "active");
        assert_eq!(r.health_goals.as_deref(), Some("수면 개선"));
    }

    #[test]
    fn create_requires_name_and_phone() {
        let e = create(json!({"phone": "010-1234-5678"}), Role::Staff).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("name"));
        let e = create(json!({"name": "김영희"}), Role::Staff).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("phone"));
        let e = create(
            json!({"name": "   ", "phone": "010-1234-5678"}),
            Role::Staff,
        )
        .unwrap_err();
        assert_eq!(e.field.as_deref(), Some("name"));
    }

    #[test]
    fn invalid_values_name_their_field() {
        let cases = [
            (
                json!({"name": "a", "phone": "010-1234-5678", "membership_level": "gold"}),
                "membership_level",
            ),
            (
                json!({"name": "a", "phone": "010-1234-5678", "gender": 1}),
                "gender",
            ),
            (
                json!({"name": "a", "phone": "010-1234-5678", "birth_year": 1800}),
                "birth_year",
            ),
            (
                json!({"name": "\u{200B}\u{200B}", "phone": "010-1234-5678"}),
                "name",
            ),
            (
                json!({"name": "김\u{202E}영희", "phone": "010-1234-5678"}),
                "name",
            ),
            (
                json!({"name": "a", "phone": "010-1234-5678", "assigned_staff": "\u{3164}"}),
                "assigned_staff",
            ),
            (
                json!({"name": "a", "phone": "010-1234-5678", "birth_year": 2030}),
                "birth_year",
            ),
            (
                json!({"name": "a", "phone": "010-1234-5678", "preferred_services": ["sauna"]}),
                "preferred_services",
            ),
            (
                json!({"name": "a", "phone": "010-1234-5678", "consent": {"marketing": "yes"}}),
                "consent.marketing",
            ),
            (
                json!({"name": "a", "phone": "010-1234-5678", "consent": {"spam": true}}),
                "consent.spam",
            ),
            (
                json!({"name": "a", "phone": "010-1234-5678", "communication_preferences": {"preferred_channels": ["fax"]}}),
                "communication_preferences.preferred_channels",
            ),
            (
                json!({"name": "a".repeat(51), "phone": "010-1234-5678"}),
                "name",
            ),
            (
                json!({"name": "a", "phone": "010-1234-5678", "favourite_colour": "red"}),
                "favourite_colour",
            ),
            (
                json!({"name": "a", "phone": "010-1234-5678", "email": "nope"}),
                "email",
            ),
        ];
        for (body, field) in cases {
            let e = create(body.clone(), Role::Admin).unwrap_err();
            assert_eq!(e.field.as_deref(), Some(field), "{body}");
        }
    }

    #[test]
    fn staff_cannot_write_health_fields() {
        for f in HEALTH_FIELDS {
            let mut body = json!({"name": "a", "phone": "010-1234-5678"});
            body[f] = json!(null);
            let e = create(body, Role::Staff).unwrap_err();
            assert_eq!(e.code, crate::ErrorCode::ForbiddenRole);
            assert_eq!(e.field.as_deref(), Some(f));
            assert!(create(
                json!({"name": "a", "phone": "010-1234-5678", f: null}),
                Role::Manager
            )
            .is_err());
        }
        assert!(create(
            json!({"name": "a", "phone": "010-1234-5678", "health_goals": "x"}),
            Role::Doctor
        )
        .is_ok());
    }

    #[test]
    fn update_reports_changed_fields_and_summary() {
        let r = kim();
        let (next, ch) = apply_patch(
            &r,
            &json!({"membership_level": "vip", "occupation": "프리랜서",
                    "communication_preferences": {"preferred_channels": ["kakao"]}}),
            Role::Manager,
            false,
            "2024-06-02T00:00:00Z",
            2024,
        )
        .unwrap();
        assert_eq!(
            ch.updated_fields,
            vec![
                "communication_preferences",
                "membership_level",
                "occupation"
            ]
        );
        assert_eq!(ch.changes_summary["membership_level"], "basic → vip");
        assert_eq!(ch.changes_summary["occupation"], "(없음) → 프리랜서");
        assert_eq!(
            ch.changes_summary["communication_preferences.preferred_channels"],
            "(없음) → kakao"
        );
        assert_eq!(next.updated_at, "2024-06-02T00:00:00Z");
        let (same, none) = apply_patch(
            &next,
            &json!({"membership_level": "vip", "email": "kim@example.com"}),
            Role::Manager,
            false,
            "x",
            2024,
        )
        .unwrap();
        assert!(none.updated_fields.is_empty());
        assert_eq!(
            same.updated_at, next.updated_at,
            "a no-op update does not touch updated_at"
        );
    }

    /// The summary shows old and new values as the acting role sees them: staff never read
    /// the old contact data through it.
    #[test]
    fn a_masked_role_sees_masked_changes() {
        let r = kim();
        let (next, ch) = apply_patch(
            &r,
            &json!({"phone": "010-0000-1111", "email": "new@example.org",
                    "address": "부산시 해운대구 우동 1", "emergency_contact": "010-2222-3333"}),
            Role::Staff,
            false,
            "2024-06-02T00:00:00Z",
            2024,
        )
        .unwrap();
        assert_eq!(next.phone.as_deref(), Some("010-0000-1111"));
        assert_eq!(ch.changes_summary["phone"], "010-****-5678 → 010-****-1111");
        assert_eq!(
            ch.changes_summary["email"],
            "k***@example.com → n***@example.org"
        );
        assert_eq!(
            ch.changes_summary["address"],
            "서울시 강남구 *** → 부산시 해운대구 ***"
        );
        assert_eq!(
            ch.changes_summary["emergency_contact"],
            "(없음) → 010-****-3333"
        );
        let text = serde_json::to_string(&ch.changes_summary).unwrap();
        for secret in ["1234", "kim@", "테헤란로", "0000", "new@", "우동", "2222"] {
            assert!(!text.contains(secret), "{secret} leaked in {text}");
        }
        let (_, manager) = apply_patch(
            &r,
            &json!({"phone": "010-0000-1111"}),
            Role::Manager,
            false,
            "t",
            2024,
        )
        .unwrap();
        assert_eq!(
            manager.changes_summary["phone"],
            "010-1234-5678 → 010-0000-1111"
        );
    }

    /// Sending the current value of a masked field must not answer "no change": that would
    /// confirm a guess of the hidden value.
    #[test]
    fn a_masked_field_sent_counts_as_updated() {
        let r = kim();
        for (role, expected) in [
            (Role::Staff, vec!["email", "phone"]),
            (Role::Manager, vec![]),
        ] {
            let (next, ch) = apply_patch(
                &r,
                &json!({"phone": "010-1234-5678", "email": "kim@example.com"}),
                role,
                false,
                "2024-06-02T00:00:00Z",
                2024,
            )
            .unwrap();
            assert_eq!(ch.updated_fields, expected, "{role:?}");
            assert_eq!(next.phone, r.phone);
        }
    }

    #[test]
    fn masked_placeholders_are_never_saved() {
        let r = kim();
        for body in [
            json!({"email": "k***@example.com"}),
            json!({"address": "서울시 강남구 ***"}),
            json!({"phone": "010-****-5678"}),
            json!({"emergency_contact": "010-****-1111"}),
        ] {
            for role in [Role::Staff, Role::Admin] {
                let e = apply_patch(&r, &body, role, false, NOW, 2024).unwrap_err();
                let field = body.as_object().unwrap().keys().next().unwrap().clone();
                assert_eq!(e.field.as_deref(), Some(field.as_str()), "{body}");
            }
        }
    }

    #[test]
    fn update_cannot_clear_the_phone_and_is_all_or_nothing() {
        let r = kim();
        assert!(apply_patch(&r, &json!({"phone": null}), Role::Staff, false, NOW, 2024).is_err());
        let e = apply_patch(
            &r,
            &json!({"occupation": "x", "gender": "robot"}),
            Role::Staff,
            false,
            NOW,
            2024,
        )
        .unwrap_err();
        assert_eq!(e.field.as_deref(), Some("gender"));
    }

    #[test]
    fn consent_changes_are_timestamped() {
        let r = kim();
        assert_eq!(
            r.consent_updated_at.as_deref(),
            Some(NOW),
            "given at registration"
        );
        let (next, _) = apply_patch(
            &r,
            &json!({"consent": {"marketing": true}}),
            Role::Staff,
            false,
            "T2",
            2024,
        )
        .unwrap();
        assert!(next.consent_marketing);
        assert_eq!(next.consent_updated_at.as_deref(), Some("T2"));
    }

    fn fields_of(e: &DomainError) -> Vec<&str> {
        let mut f = e.field_names();
        f.sort_unstable();
        f
    }

    #[test]
    fn every_field_error_is_answered_at_once() {
        let e = raw_create(
            json!({"name": "", "phone": "123", "gender": "robot", "email": "x",
                   "favourite": 1, "consent": {"marketing": "yes"},
                   "communication_preferences": {"preferred_channels": ["fax"]}}),
            Role::Staff,
        )
        .unwrap_err();
        assert_eq!(e.code, ErrorCode::ValidationError);
        assert_eq!(
            fields_of(&e),
            vec![
                "communication_preferences.preferred_channels",
                "consent.marketing",
                "email",
                "favourite",
                "gender",
                "name",
                "phone",
            ]
        );
        // The top level is the first error, as a single error was answered before.
        assert_eq!(e.field.as_deref(), e.errors[0].field.as_deref());
        assert_eq!(e.message, e.errors[0].message);
        let gender = e
            .errors
            .iter()
            .find(|x| x.field.as_deref() == Some("gender"))
            .unwrap();
        assert_eq!(gender.details["allowed_values"], json!(GENDERS));
        assert_eq!(gender.text.as_ref().map(Msg::reason), Some("not_allowed"));

        // Missing required fields and the missing consent, together.
        let e = raw_create(json!({}), Role::Staff).unwrap_err();
        assert_eq!(fields_of(&e), vec!["consent.privacy", "name", "phone"]);
        let codes: Vec<&str> = e.errors.iter().map(|x| x.code.as_str()).collect();
        assert!(codes.contains(&"PRIVACY_CONSENT_REQUIRED"), "{codes:?}");
        // A refused role is its own answer, not one error among others.
        let e = raw_create(json!({"name": "", "health_goals": "x"}), Role::Staff).unwrap_err();
        assert_eq!(e.code, ErrorCode::ForbiddenRole);
        assert!(e.errors.is_empty());
    }

    #[test]
    fn registration_needs_the_privacy_consent() {
        for body in [
            json!({"name": "a", "phone": "010-1234-5678"}),
            json!({"name": "a", "phone": "010-1234-5678", "consent": {"privacy": false}}),
            json!({"name": "a", "phone": "010-1234-5678", "consent": {"marketing": true}}),
        ] {
            let e = raw_create(body.clone(), Role::Admin).unwrap_err();
            assert_eq!(e.code, ErrorCode::PrivacyConsentRequired, "{body}");
            assert_eq!(e.field.as_deref(), Some("consent.privacy"));
            assert_eq!(e.details["statutory_items"], json!(PRIVACY_NOTICE_ITEMS));
        }
        let r = raw_create(
            json!({"name": "a", "phone": "010-1234-5678", "consent": {"privacy": true}}),
            Role::Staff,
        )
        .unwrap();
        assert!(r.consent_privacy);
        assert!(!r.consent_health_data);
        assert_eq!(
            r.consent_updated_at.as_deref(),
            Some(NOW),
            "when it was given"
        );
    }

    #[test]
    fn an_edit_cannot_withdraw_the_privacy_consent() {
        let e = apply_patch(
            &kim(),
            &json!({"consent": {"privacy": false}}),
            Role::Admin,
            false,
            NOW,
            2024,
        )
        .unwrap_err();
        assert_eq!(e.code, ErrorCode::PrivacyConsentRequired);
        assert_eq!(e.details["reason"], "withdrawal_needs_erasure");
        // A record from before the rule, without the consent, stays editable.
        let mut legacy = kim();
        legacy.consent_privacy = false;
        assert!(apply_patch(
            &legacy,
            &json!({"occupation": "교사"}),
            Role::Staff,
            false,
            NOW,
            2024
        )
        .is_ok());
    }

    #[test]
    fn health_fields_need_the_health_consent() {
        let privacy_only = json!({"privacy": true});
        for (field, value) in [
            ("health_goals", json!("수면 개선")),
            ("health_interests", json!(["immunity"])),
            ("preferred_intensity", json!("low")),
        ] {
            let body = json!({"name": "a", "phone": "010-1234-5678", "consent": privacy_only, field: value});
            let e = raw_create(body, Role::Doctor).unwrap_err();
            assert_eq!(e.code, ErrorCode::HealthConsentRequired);
            assert_eq!(e.field.as_deref(), Some(field));
            assert_eq!(e.details["fields"], json!([field]));
        }
        // All the offending fields are named.
        let e = raw_create(
            json!({"name": "a", "phone": "010-1234-5678", "consent": privacy_only,
                   "health_goals": "x", "preferred_intensity": "high", "health_interests": []}),
            Role::Doctor,
        )
        .unwrap_err();
        assert_eq!(
            e.details["fields"],
            json!(["health_goals", "preferred_intensity"])
        );
        // Given in the same request, or already stored.
        let r = raw_create(
            json!({"name": "a", "phone": "010-1234-5678", "consent": {"privacy": true, "health_data": true},
                   "health_goals": "x"}),
            Role::Doctor,
        )
        .unwrap();
        assert_eq!(r.health_goals.as_deref(), Some("x"));
        assert!(apply_patch(
            &r,
            &json!({"preferred_intensity": "low"}),
            Role::Doctor,
            false,
            NOW,
            2024
        )
        .is_ok());
        // Clearing needs no consent.
        let mut no_consent = r.clone();
        no_consent.consent_health_data = false;
        let (cleared, _) = apply_patch(
            &no_consent,
            &json!({"health_goals": null}),
            Role::Doctor,
            false,
            NOW,
            2024,
        )
        .unwrap();
        assert_eq!(cleared.health_goals, None);
        let e = apply_patch(
            &no_consent,
            &json!({"health_goals": "y"}),
            Role::Doctor,
            false,
            NOW,
            2024,
        )
        .unwrap_err();
        assert_eq!(e.code, ErrorCode::HealthConsentRequired);
    }

    #[test]
    fn withdrawing_the_health_consent_erases_health_data() {
        let mut r = kim();
        r.health_interests = vec!["immunity".into()];
        r.preferred_intensity = Some("low".into());
        let withdraw = json!({"consent": {"health_data": false}});
        let (next, ch) = apply_patch(&r, &withdraw, Role::Doctor, false, "T3", 2024).unwrap();
        assert!(!next.consent_health_data);
        assert_eq!(next.health_goals, None);
        assert!(next.health_interests.is_empty());
        assert_eq!(next.preferred_intensity, None);
        assert_eq!(next.consent_updated_at.as_deref(), Some("T3"));
        assert_eq!(
            ch.updated_fields,
            vec![
                "consent",
                "health_goals",
                "health_interests",
                "preferred_intensity"
            ]
        );
        // Staff may record the withdrawal; the change set says nothing about health data.
        let (by_staff, ch) = apply_patch(&r, &withdraw, Role::Staff, false, "T3", 2024).unwrap();
        assert_eq!(by_staff.health_goals, None);
        assert_eq!(ch.updated_fields, vec!["consent"]);
        assert_eq!(
            ch.written_fields(),
            vec![
                "consent",
                "health_goals",
                "health_interests",
                "preferred_intensity"
            ],
            "storage still writes them"
        );
        // Withdrawing while writing a value is refused, not half-applied.
        let e = apply_patch(
            &r,
            &json!({"consent": {"health_data": false}, "health_goals": "z"}),
            Role::Doctor,
            false,
            NOW,
            2024,
        )
        .unwrap_err();
        assert_eq!(e.code, ErrorCode::HealthConsentRequired);
    }

    #[test]
    fn completeness_counts_filled_fields() {
        let bare = create(json!({"name": "a", "phone": "010-1234-5678"}), Role::Staff).unwrap();
        assert_eq!(
            bare.profile_completeness(),
            0.25,
            "name, phone, privacy consent"
        );
        assert_eq!(kim().profile_completeness(), 0.42);
        let mut with_health = kim();
        with_health.health_interests = vec!["immunity".into()];
        assert_eq!(
            with_health.profile_completeness(),
            kim().profile_completeness(),
            "health fields do not count: every role sees this figure"
        );
    }

    #[test]
    fn staff_view_is_masked_and_without_health() {
        let r = kim();
        let today = NaiveDate::from_ymd_opt(2024, 6, 1).unwrap();
        let staff = customer_json(&r, &CustomerStats::default(), Role::Staff, today);
        assert_eq!(staff["phone"], "010-****-5678");
        assert_eq!(staff["email"], "k***@example.com");
        assert_eq!(staff["address"], "서울시 강남구 ***");
        assert_eq!(staff["health_goals"], Value::Null);
        let manager = customer_json(&r, &CustomerStats::default(), Role::Manager, today);
        assert_eq!(manager["phone"], "010-1234-5678");
        assert_eq!(manager["health_goals"], Value::Null);
        let doctor = customer_json(&r, &CustomerStats::default(), Role::Doctor, today);
        assert_eq!(doctor["health_goals"], "수면 개선");
        assert_eq!(doctor["customer_id"], doctor["id"]);
    }

    #[test]
    fn anonymised_record_keeps_nothing_identifying() {
        let r = kim();
        let a = anonymized(&r, "2024-07-01T00:00:00Z");
        assert!(a.name.starts_with("익명고객-"));
        assert_eq!(a.phone, None);
        assert_eq!(a.email, None);
        assert_eq!(a.address, None);
        assert_eq!(a.health_goals, None);
        assert_eq!(a.birth_year, None);
        assert_eq!(a.created_at, r.created_at);
        assert_eq!(a.anonymized_at.as_deref(), Some("2024-07-01T00:00:00Z"));
    }
}
