//! The tables that sync, each declared once (`docs/SYNC.md`, "Entities declare themselves"):
//! its name on the wire, its table, its kind and the columns that travel. Derived state
//! (roll-ups, the search index, follow-up states), logins, the access log, the outbox and the
//! server's device registry are not here: each node derives or keeps its own. A table added
//! later (allergy care, analytics) syncs by adding its line.

use crate::row;
use crate::{Db, DbKind, StoreResult};
use clinicdesk_sync::digest::TableHasher;
use futures_util::TryStreamExt;
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// What kind of rows a table holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Inserted once, never changed (a replay changes nothing).
    Fact,
    /// Fields change; each keeps the stamp of its last write.
    Record,
}

/// One synced table.
#[derive(Debug, Clone, Copy)]
pub struct SyncedTable {
    /// Its name in ops and digests.
    pub name: &'static str,
    pub table: &'static str,
    /// The column that identifies a row (a UUIDv7, or a settings key).
    pub id: &'static str,
    pub kind: Kind,
    /// The columns that travel, the id among them.
    pub columns: &'static [&'static str],
    /// Which rows travel, when not all do.
    pub only: Option<&'static str>,
    /// Columns that do not travel but need a value when a row arrives (SQL expressions).
    pub local_defaults: &'static [(&'static str, &'static str)],
    /// Bookkeeping columns every edit writes (`updated_at`): concurrent values are settled by
    /// the later stamp without asking anyone.
    pub quiet: &'static [&'static str],
}

/// The declaration of the synced table named `name` (on the wire).
pub fn table(name: &str) -> Option<&'static SyncedTable> {
    SYNCED.iter().find(|t| t.name == name)
}

/// In the order a snapshot sends them: accounts and the catalogue first (a node's first
/// login needs its account before the thousands of rows behind it), then customers, then the
/// facts about them, parents before children.
pub const SYNCED: &[SyncedTable] = &[
    // Users flow from the server to the nodes; password hashes never travel (a node logs in
    // offline from a verifier cached at the last online login).
    SyncedTable {
        name: "user",
        table: "users",
        id: "id",
        kind: Kind::Record,
        columns: &[
            "id",
            "username",
            "display_name",
            "role",
            "active",
            "demo",
            "created_at",
            "updated_at",
        ],
        // A demo account is local to a demo installation; a patient's own login lives where
        // the patient signed up (the server's web UI) and is no desktop's business.
        only: Some("demo = 0 AND role <> 'patient'"),
        // A user that arrives by sync has no password here ('!' is no hash: it never
        // verifies); they log in online, or offline from a verifier cached then.
        local_defaults: &[("password_hash", "'!'")],
        quiet: &["updated_at"],
    },
    SyncedTable {
        name: "package_template",
        table: "package_templates",
        id: "id",
        kind: Kind::Record,
        columns: &[
            "id",
            "name",
            "description",
            "price",
            "validity_days",
            "sessions",
            "created_at",
            "updated_at",
            "deleted_at",
        ],
        only: None,
        local_defaults: &[],
        quiet: &["updated_at"],
    },
    SyncedTable {
        name: "clinic_settings",
        table: "app_settings",
        id: "key",
        kind: Kind::Record,
        columns: &["key", "value"],
        only: Some("key = 'clinic'"),
        local_defaults: &[],
        quiet: &["updated_at"],
    },
    // Knowledge versions travel like the catalogue: a diagnosis names the version that made
    // its prescription, and every node must be able to show that guide again.
    SyncedTable {
        name: "knowledge_version",
        table: "knowledge_versions",
        id: "version",
        kind: Kind::Fact,
        columns: &[
            "version",
            "document",
            "content_hash",
            "published_at",
            "published_by",
            "published_by_name",
        ],
        only: None,
        local_defaults: &[],
        quiet: &[],
    },
    // Trained customer models travel the same way: every node scores customers with the
    // model the clinic trained, offline too.
    SyncedTable {
        name: "customer_model",
        table: "customer_models",
        id: "version",
        kind: Kind::Fact,
        columns: &[
            "version",
            "trained_at",
            "artifact",
            "report",
            "trained_by",
            "created_at",
        ],
        only: None,
        local_defaults: &[],
        quiet: &[],
    },
    SyncedTable {
        name: "kit",
        table: "kits",
        id: "serial",
        kind: Kind::Fact,
        columns: &["serial", "pin_hash", "batch", "created_by", "created_at"],
        only: None,
        local_defaults: &[],
        quiet: &[],
    },
    // The research library: papers are facts, the full-text index each node's own.
    SyncedTable {
        name: "research_paper",
        table: "research_papers",
        id: "id",
        kind: Kind::Fact,
        columns: &[
            "id",
            "pmid",
            "title",
            "authors",
            "journal",
            "year",
            "abstract",
            "doi",
            "keywords",
            "language",
            "imported_by",
            "imported_at",
        ],
        only: None,
        local_defaults: &[],
        quiet: &[],
    },
    SyncedTable {
        name: "customer",
        table: "customers",
        id: "id",
        kind: Kind::Record,
        columns: &[
            "id",
            "name",
            "phone",
            "phone_digits",
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
            "preferred_channels",
            "contact_time",
            "consent_privacy",
            "consent_marketing",
            "consent_health_data",
            "consent_updated_at",
            "created_at",
            "updated_at",
            "anonymized_at",
            "deleted_at",
        ],
        only: None,
        local_defaults: &[],
        quiet: &["updated_at"],
    },
    // Allergy care (issue 10): the patient record shares its customer's id.
    SyncedTable {
        name: "patient",
        table: "patients",
        id: "id",
        kind: Kind::Record,
        columns: &[
            "id",
            "patient_number",
            "birth_date",
            "assigned_doctor_id",
            "consent_signed",
            "consent_signed_at",
            "registered_by",
            "registered_at",
            "created_at",
            "updated_at",
            "deleted_at",
        ],
        only: None,
        local_defaults: &[],
        quiet: &["updated_at"],
    },
    SyncedTable {
        name: "diagnosis",
        table: "diagnoses",
        id: "id",
        kind: Kind::Fact,
        columns: &[
            "id",
            "patient_id",
            "diagnosis_date",
            "results",
            "knowledge_version",
            "prescription",
            "kit_serial",
            "high_risk_count",
            "max_grade",
            "total_tested",
            "created_by",
            "created_by_name",
            "created_at",
        ],
        only: None,
        local_defaults: &[],
        quiet: &[],
    },
    SyncedTable {
        name: "kit_registration",
        table: "kit_registrations",
        id: "serial",
        kind: Kind::Fact,
        columns: &["serial", "user_id", "patient_id", "registered_at"],
        only: None,
        local_defaults: &[],
        quiet: &[],
    },
    SyncedTable {
        name: "package_purchase",
        table: "package_purchases",
        id: "id",
        kind: Kind::Fact,
        columns: &[
            "id",
            "customer_id",
            "package_id",
            "package_name",
            "purchase_date",
            "expiry_date",
            "price_paid",
            "payment_method",
            "notes",
            "sessions",
            "total_sessions",
            "created_by",
            "created_at",
        ],
        only: None,
        local_defaults: &[],
        quiet: &["updated_at"],
    },
    SyncedTable {
        name: "purchase_cancellation",
        table: "purchase_cancellations",
        id: "purchase_id",
        kind: Kind::Fact,
        columns: &[
            "purchase_id",
            "reason",
            "refund_amount",
            "refund_method",
            "cancelled_by",
            "cancelled_at",
        ],
        only: None,
        local_defaults: &[],
        quiet: &["updated_at"],
    },
    SyncedTable {
        name: "service_session",
        table: "service_sessions",
        id: "id",
        kind: Kind::Fact,
        columns: &[
            "id",
            "customer_id",
            "service_type",
            "service_date",
            "duration_minutes",
            "satisfaction_rating",
            "session_notes",
            "staff_name",
            "package_usage_id",
            "amount",
            "payment_method",
            "created_by",
            "device_id",
            "created_at",
        ],
        only: None,
        local_defaults: &[],
        quiet: &["updated_at"],
    },
    SyncedTable {
        name: "session_cancellation",
        table: "session_cancellations",
        id: "session_id",
        kind: Kind::Fact,
        columns: &["session_id", "reason", "cancelled_by", "cancelled_at"],
        only: None,
        local_defaults: &[],
        quiet: &["updated_at"],
    },
    SyncedTable {
        name: "interaction",
        table: "interactions",
        id: "id",
        kind: Kind::Fact,
        columns: &[
            "id",
            "customer_id",
            "interaction_type",
            "occurred_at",
            "duration_minutes",
            "notes",
            "outcome",
            "staff_name",
            "follow_up_required",
            "follow_up_date",
            "follow_up_type",
            "follow_up_notes",
            "created_by",
            "created_at",
        ],
        only: None,
        local_defaults: &[],
        quiet: &["updated_at"],
    },
    SyncedTable {
        name: "follow_up_event",
        table: "follow_up_events",
        id: "id",
        kind: Kind::Fact,
        columns: &[
            "id",
            "follow_up_id",
            "kind",
            "new_due_date",
            "note",
            "user_id",
            "username",
            "staff_name",
            "occurred_at",
        ],
        only: None,
        local_defaults: &[],
        quiet: &["updated_at"],
    },
    // Audit events are made on every device; each device's chain travels whole and is
    // verified where it arrives.
    // What a customer says of their own health, for their analytics' before and after.
    SyncedTable {
        name: "health_self_report",
        table: "health_self_reports",
        id: "id",
        kind: Kind::Fact,
        columns: &[
            "id",
            "customer_id",
            "reported_on",
            "metric",
            "value",
            "recorded_by",
            "created_at",
        ],
        only: None,
        local_defaults: &[],
        quiet: &[],
    },
    // Feedback on a recommendation: the recommender on every node reads it.
    SyncedTable {
        name: "recommendation_feedback",
        table: "recommendation_feedback",
        id: "id",
        kind: Kind::Fact,
        columns: &[
            "id",
            "recommendation_id",
            "customer_id",
            "kind",
            "item_code",
            "item_name",
            "action",
            "feedback_score",
            "comment",
            "given_on",
            "created_by",
            "created_at",
        ],
        only: None,
        local_defaults: &[],
        quiet: &[],
    },
    SyncedTable {
        name: "audit_event",
        table: "audit_events",
        id: "id",
        kind: Kind::Fact,
        columns: &[
            "id",
            "chain",
            "seq",
            "occurred_at",
            "user_id",
            "username",
            "role",
            "device_id",
            "request_id",
            "client_request_id",
            "action",
            "entity",
            "entity_id",
            "details",
            "key_id",
            "prev_hash",
            "hash",
            "signature",
        ],
        // On PostgreSQL the access log shares the table (`<node>:access` chains): reads are
        // each node's own business and never travel.
        only: Some("chain NOT LIKE '%:access'"),
        local_defaults: &[],
        quiet: &["updated_at"],
    },
];

/// One digest per synced table (`GET /sync/digest`), with its row count: equal on every node
/// holding the same rows. Every value is read as text (`CAST … AS TEXT`), so a number or a
/// date reads the same on SQLite and PostgreSQL; rows come in byte order of their id.
pub async fn digests(db: &Db) -> StoreResult<BTreeMap<&'static str, (String, u64)>> {
    let mut out = BTreeMap::new();
    let mut conn = db.conn().await?;
    for t in SYNCED {
        let columns: Vec<String> = t
            .columns
            .iter()
            .map(|c| format!("CAST({c} AS TEXT) AS {c}"))
            .collect();
        // PostgreSQL's default collation may order by locale; the digest wants byte order.
        let order = match db.kind {
            DbKind::Sqlite => t.id.to_string(),
            DbKind::Postgres => format!("{} COLLATE \"C\"", t.id),
        };
        let filter = t.only.map(|w| format!(" WHERE {w}")).unwrap_or_default();
        let sql = format!(
            "SELECT {} FROM {}{filter} ORDER BY {order}",
            columns.join(", "),
            t.table
        );
        let mut hasher = TableHasher::new();
        let mut rows = sqlx::query(&sql).fetch(&mut *conn);
        while let Some(r) = rows.try_next().await? {
            let mut obj = Map::new();
            for c in t.columns {
                let v = row::opt_text(&r, c)?.map_or(Value::Null, Value::String);
                obj.insert((*c).to_string(), v);
            }
            hasher.push(&Value::Object(obj));
        }
        out.insert(t.name, hasher.finish());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_table_is_declared_once_with_its_id_among_its_columns() {
        let mut names: Vec<&str> = SYNCED.iter().map(|t| t.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), SYNCED.len());
        for t in SYNCED {
            assert!(t.columns.contains(&t.id), "{}", t.name);
        }
        let users = SYNCED.iter().find(|t| t.table == "users").unwrap();
        assert!(
            !users.columns.contains(&"password_hash"),
            "hashes never travel"
        );
    }
}
