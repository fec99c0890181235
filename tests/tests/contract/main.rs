//! The API contract, run twice: against the in-process router on SQLite (the desktop's
//! transport) and against the server binary over HTTP on PostgreSQL (the central server's).
//! Every case is written once, in one of the case files below.

// Expected id lists read best as literals of owned strings.
#![allow(clippy::cloned_ref_to_slice_refs)]

mod accounts;
mod allergy;
mod analytics;
mod audit;
mod cases;
mod harness;
mod limits;
mod money;
mod openapi;
mod privacy;
mod recommendations;
mod search;
mod sessions;
mod sync;
mod sync_chaos;
mod sync_nodes;
mod today;
mod validation;

macro_rules! contract {
    ($($case:ident),* $(,)?) => {
        mod sqlite_inprocess {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $case() {
                    let h = super::harness::sqlite().await;
                    super::$case(&h).await;
                }
            )*
        }
        /// Every documented operation is called by at least one case: all cases run here once
        /// more, in-process on their own databases, recording the operations they reach.
        mod documented_operations {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn are_all_exercised() {
                let exercised = super::openapi::Exercised::default();
                // A few at a time: the other tests of this binary run beside this one.
                let permits = std::sync::Arc::new(tokio::sync::Semaphore::new(2));
                let mut cases = tokio::task::JoinSet::new();
                $(
                    {
                        let exercised = exercised.clone();
                        let permits = permits.clone();
                        cases.spawn(async move {
                            let _permit = permits.acquire_owned().await.unwrap();
                            let h = super::harness::sqlite_recording(Some(exercised)).await;
                            super::$case(&h).await;
                        });
                    }
                )*
                // Every case runs to its end; a failing one fails here too (and on its own).
                let mut failed = 0;
                while let Some(done) = cases.join_next().await {
                    failed += usize::from(done.is_err());
                }
                assert_eq!(failed, 0, "{failed} case(s) failed");
                let missing = super::openapi::unexercised(&exercised);
                assert!(
                    !exercised.lock().unwrap().is_empty(),
                    "no case reached a documented operation"
                );
                assert!(
                    missing.is_empty(),
                    "documented operations that no contract case calls: {missing:?}"
                );
            }
        }
        mod postgres_http {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $case() {
                    let h = super::harness::postgres().await;
                    super::$case(&h).await;
                }
            )*
        }
    };
}

// The cases of every file, for the list below.
use accounts::*;
use allergy::*;
use analytics::*;
use audit::*;
use cases::*;
use limits::*;
use money::*;
use privacy::*;
use recommendations::*;
use search::*;
use sessions::*;
use sync::*;
use sync_chaos::*;
use sync_nodes::*;
use today::*;
use validation::*;

contract!(
    random_work_over_a_faulty_network_converges,
    offline_desktops_converge_with_conflicts_and_flags,
    a_first_pull_of_many_pages_recomputes_every_roll_up,
    patient_numbers_stay_unique_across_offline_desktops,
    a_central_server_verifies_each_devices_audit_signatures,
    concurrent_pushes_reach_a_puller_exactly_once,
    devices_push_and_pull_pages_without_loss_or_repeat,
    the_digest_says_whether_two_databases_hold_the_same_rows,
    devices_are_registered_once_and_revoked,
    purchases_are_cancelled_and_refunded_by_a_manager,
    clinic_roll_ups_follow_every_write,
    the_dashboard_adds_up_the_clinic,
    the_forecast_fits_the_recorded_days,
    charts_are_drawn_from_the_same_figures,
    profiles_are_analysed_with_the_trained_model,
    a_customers_analytics_come_from_their_visits,
    a_customers_behaviour_is_scored_from_their_data,
    self_reports_give_the_health_before_and_after,
    recommendations_follow_peers_and_feedback,
    services_used_together_are_related,
    a_manager_trains_the_model_and_segments_follow,
    staff_void_their_own_visit_for_ten_minutes,
    the_same_service_twice_on_a_day_is_asked_about,
    receipts_and_the_clinic_details,
    the_cash_up_adds_up_a_day,
    health_and_readiness,
    openapi_document_and_swagger_ui,
    unknown_paths_and_methods,
    request_id_is_the_servers_own,
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
    staff_sees_no_contact_data_anywhere,
    search_matches_only_what_the_role_sees,
    duplicate_check_is_no_oracle,
    masked_values_and_anonymised_customers_are_refused,
    completeness_reveals_no_hidden_fields,
    refresh_token_travels_by_transport,
    a_reused_refresh_token_ends_the_login,
    a_login_has_an_absolute_lifetime,
    no_secret_is_in_the_database,
    security_headers_over_http,
    tokens_survive_a_key_rotation,
    an_admin_sees_who_read_a_customer,
    refusals_and_failed_logins_are_logged,
    admins_verify_the_trail,
    a_customers_trail_includes_their_visits_and_purchases,
    rate_limits_follow_the_transport,
    failed_logins_slow_down_then_lock_the_username,
    a_successful_login_clears_the_failures,
    failed_logins_lock_a_client_address_over_http,
    overlong_uris_answer_the_envelope,
    nonsense_dates_are_refused,
    invisible_and_bidi_names_are_refused,
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
    // validation.rs
    registration_needs_the_privacy_consent,
    health_fields_need_the_health_consent,
    every_field_error_is_answered_at_once,
    errors_follow_the_callers_language,
    // today.rs
    follow_ups_are_listed_and_worked_through,
    today_shows_the_days_work,
    staff_reveal_a_phone_and_the_reveal_is_audited,
    // search.rs
    package_status_is_the_customers_best_package,
    korean_initials_and_several_words,
    // allergy.rs
    patients_are_registered_numbered_and_listed,
    diagnoses_make_and_keep_prescriptions,
    knowledge_versions_are_published_and_kept,
    patients_sign_up_with_their_kit_and_read_their_guide,
    a_patient_sees_only_their_own_data,
    kit_pin_guessing_is_stopped,
    the_research_library_imports_searches_and_answers,
    erasing_a_patient_takes_their_allergy_data,
);
