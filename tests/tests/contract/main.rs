//! The API contract, run twice: against the in-process router on SQLite (the desktop's
//! transport) and against the server binary over HTTP on PostgreSQL (the central server's).
//! Every case is written once, in `cases.rs` or (staff accounts) `accounts.rs`.

// Expected id lists read best as literals of owned strings.
#![allow(clippy::cloned_ref_to_slice_refs)]

mod accounts;
mod cases;
mod harness;

/// The cases of every file, for the list below.
mod all {
    pub use super::accounts::*;
    pub use super::cases::*;
}

macro_rules! contract {
    ($($case:ident),* $(,)?) => {
        mod sqlite_inprocess {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $case() {
                    let h = super::harness::sqlite().await;
                    super::all::$case(&h).await;
                }
            )*
        }
        mod postgres_http {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $case() {
                    let h = super::harness::postgres().await;
                    super::all::$case(&h).await;
                }
            )*
        }
    };
}

contract!(
    health_and_readiness,
    unknown_paths_and_methods,
    request_id_is_echoed,
    login_returns_tokens,
    login_rejects_bad_credentials,
    login_rejects_bad_input,
    me_requires_a_token,
    refresh_rotates_the_token,
    logout_revokes_the_session,
    expired_token_is_rejected,
    tampered_token_is_rejected,
    create_customer,
    create_customer_validation,
    malformed_bodies_write_nothing,
    duplicate_customer,
    get_customer_and_not_found,
    staff_sees_masked_personal_data,
    health_fields_need_health_access,
    update_customer,
    update_detail,
    update_rejects_bad_input,
    list_customers,
    search_customers,
    search_rejects_bad_parameters,
    search_index_follows_writes,
    search_follows_other_writers,
    customer_detail,
    anonymize_customer,
    delete_customer,
    delete_needs_admin_and_a_valid_policy,
    interactions,
    services_catalogue,
    package_templates,
    purchase_package,
    record_visit,
    visit_rule_violations,
    cancel_visit,
    last_session_used_once_under_concurrency,
    role_matrix,
    audit_trail,
    // accounts.rs
    demo_accounts_only_in_demo_mode,
    demo_admins_do_not_count_outside_demo_mode,
    setup_is_not_offered_by_a_server,
    setup_creates_the_first_admin,
    setup_creates_one_admin_under_concurrency,
    admin_creates_and_lists_users,
    role_and_active_changes_reach_open_sessions,
    update_user_rejects_bad_input,
    admins_cannot_lock_the_clinic_out,
    admin_resets_a_password,
    users_change_their_own_password,
);
