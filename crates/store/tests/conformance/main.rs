//! Store conformance suite: one set of scenarios, run against every backend.
//!
//! Each scenario is an `async fn(&Store)` in the module of its aggregate. The `conformance!`
//! macro below turns every scenario into two tests, `sqlite::<module>::<scenario>` (a fresh
//! temporary file) and `postgres::<module>::<scenario>` (a fresh database on the server named
//! by `COUNTERSIGN_TEST_POSTGRES_URL`, dropped afterwards). Without that variable the
//! PostgreSQL tests fail, so CI cannot skip them by accident; set `COUNTERSIGN_SKIP_POSTGRES=1`
//! to skip them on purpose.

// The scenarios are test code: a failed `unwrap` is a failed test. (clippy's
// `allow-unwrap-in-tests` only covers `#[test]` functions, not the helpers they call.)
#![allow(clippy::unwrap_used)]

mod audit;
mod backup;
mod fixtures;
mod harness;
mod invites;
mod isolation;
mod orgs;
mod sealed;
mod sessions;
mod technicians;
mod throttles;

/// Generates one test per scenario and backend.
macro_rules! conformance {
    ($($module:ident: [$($scenario:ident),* $(,)?]),* $(,)?) => {
        mod sqlite {
            $(mod $module {
                $(
                    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                    async fn $scenario() {
                        let db = crate::harness::TestDb::sqlite().await;
                        crate::$module::$scenario(&db.store).await;
                        db.close().await;
                    }
                )*
            })*
        }
        mod postgres {
            $(mod $module {
                $(
                    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                    async fn $scenario() {
                        let Some(db) = crate::harness::TestDb::postgres().await else {
                            return;
                        };
                        crate::$module::$scenario(&db.store).await;
                        db.close().await;
                    }
                )*
            })*
        }
    };
}

conformance! {
    orgs: [crud, slug_conflict, hostile_text_is_stored_verbatim],
    technicians: [
        create_and_lookup,
        email_conflict,
        roles_and_active_admin_count,
        deactivation_deletes_sessions,
        password_and_last_login,
        totp_enrollment,
        totp_step_is_claimed_once,
        recovery_codes_are_single_use,
    ],
    invites: [
        create_and_read,
        accept_once,
        expired_and_revoked_are_refused,
        taken_email_keeps_invite_open,
        concurrent_accepts_have_one_winner,
    ],
    sessions: [lifecycle, sessions_of_a_technician, purge],
    throttles: [window, concurrent_failures_are_all_counted],
    audit: [chain_links, filters, org_scoping, concurrent_appends_form_one_chain],
    sealed: [values_keyset_and_reseal, key_canaries],
    backup: [backup_while_serving],
    isolation: [
        technician_methods,
        totp_methods,
        invite_methods,
        session_methods,
        audit_methods,
        cross_org_references_are_refused,
    ],
}
