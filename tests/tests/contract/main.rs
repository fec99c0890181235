//! The API contract, run twice: against the in-process router on SQLite (the desktop's
//! transport) and against the server binary over HTTP on PostgreSQL (the central server's).
//! Every case is written once in `cases.rs`.

// Expected id lists read best as literals of owned strings.
#![allow(clippy::cloned_ref_to_slice_refs)]

mod cases;
mod harness;
mod openapi;

macro_rules! contract {
    ($($case:ident),* $(,)?) => {
        mod sqlite_inprocess {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $case() {
                    let h = super::harness::sqlite().await;
                    super::cases::$case(&h).await;
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
                            super::cases::$case(&h).await;
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
                    super::cases::$case(&h).await;
                }
            )*
        }
    };
}

contract!(
    health_and_readiness,
    openapi_document_and_swagger_ui,
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
);
