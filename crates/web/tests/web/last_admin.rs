//! Issue 18.7: two admins demoting (or deactivating) each other at the same moment leave one
//! active admin: the check and the write are one step.

use crate::{PW, add_technician, principal};
use countersign_app::accounts::AccountError;
use countersign_domain::Role;
use countersign_store::{Technician, TechnicianStore};
use countersign_testkit::{TestApp, skip_postgres};

/// How many times each race is run.
const ROUNDS: usize = 10;

/// Two admins of one org, `a` and `b`, fresh for `round`.
async fn two_admins(app: &TestApp, round: usize) -> (Technician, Technician) {
    let first = format!("a{round}@acme.test");
    let a = app.create_admin(&format!("Acme {round}"), &first, PW).await;
    let b = add_technician(app, &first, &format!("b{round}@acme.test"), "Bea").await;
    let b = app
        .app
        .change_role(&principal(&a.technician), b.id, Role::Admin)
        .await
        .unwrap();
    (a.technician, b)
}

/// Each admin demotes (`demote`) or deactivates the other at once, `ROUNDS` times: exactly
/// one succeeds, the other is told the org needs an admin, and one active admin remains.
async fn admins_racing_leave_one(app: TestApp, demote: bool) {
    for round in 0..ROUNDS {
        let (a, b) = two_admins(&app, round).await;
        let org = a.org_id;
        let run = |by: Technician, target: Technician| {
            let app = app.app.clone();
            tokio::spawn(async move {
                if demote {
                    app.change_role(&principal(&by), target.id, Role::Technician)
                        .await
                        .map(drop)
                } else {
                    app.set_technician_active(&principal(&by), target.id, false)
                        .await
                        .map(drop)
                }
            })
        };
        let (x, y) = tokio::join!(run(a.clone(), b.clone()), run(b.clone(), a.clone()));
        let results = [x.unwrap(), y.unwrap()];
        let ok = results.iter().filter(|r| r.is_ok()).count();
        assert_eq!(ok, 1, "round {round}: {results:?}");
        assert!(
            results
                .iter()
                .any(|r| matches!(r, Err(AccountError::LastAdmin))),
            "round {round}: {results:?}"
        );
        assert_eq!(app.app.store().count_active_admins(org).await.unwrap(), 1);
    }
    // Deliver what the test queued, as a server's workers would (none may be left).
    app.run_jobs().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn admins_demoting_each_other_leave_one_sqlite() {
    admins_racing_leave_one(TestApp::new().await, true).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn admins_deactivating_each_other_leave_one_sqlite() {
    admins_racing_leave_one(TestApp::new().await, false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn pg_admins_demoting_each_other_leave_one() {
    if skip_postgres() {
        return;
    }
    admins_racing_leave_one(TestApp::postgres().await, true).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn pg_admins_deactivating_each_other_leave_one() {
    if skip_postgres() {
        return;
    }
    admins_racing_leave_one(TestApp::postgres().await, false).await;
}
