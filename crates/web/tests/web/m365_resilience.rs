//! Microsoft 365 sync under trouble, against the simulator, on SQLite and PostgreSQL: 20 %
//! injected faults (429, 503, dropped connections, slow answers) with the contacts ending
//! exactly equal to the simulator's users; a sync interrupted half-way that loses nothing
//! and completes next time; a queued sync job picked up by a new process after a restart.

use crate::integrations::{CONTOSO, example, world_with};
use crate::m365_support::{
    assert_contacts_equal_simulator, contacts, contoso_linked, org_of, quick_retry, sync_done,
};
use countersign_app::microsoft::SyncOutcome;
use countersign_emulator::{FaultConfig, FaultKind, Scenario, UserSpec};
use countersign_store::JobStore;
use countersign_testkit::skip_postgres;
use serde_json::json;
use std::time::Duration;

/// The example world with 2,500 more users in Contoso (three delta pages of 999).
pub(crate) fn big_contoso() -> Scenario {
    let mut s = example();
    let contoso = s
        .tenants
        .iter_mut()
        .find(|t| t.domain == "contoso.onmicrosoft.com")
        .unwrap();
    contoso.generate_users = 2_500;
    s
}

async fn twenty_percent_faults(postgres: bool) {
    let w = world_with(postgres, big_contoso()).await;
    let (_, l) = contoso_linked(&w).await;
    let org = l.new.org_id;
    let ctl = w.sim.control();
    ctl.set_faults(FaultConfig {
        rate_429: 0.06,
        rate_503: 0.05,
        rate_drop: 0.05,
        rate_slow: 0.04,
        slow_ms: 300,
        retry_after_seconds: 1,
        include_login: true,
        // One of each first, so every kind is exercised whatever the draws.
        next: vec![
            FaultKind::TooManyRequests,
            FaultKind::Unavailable,
            FaultKind::Drop,
            FaultKind::Slow,
        ],
    });
    let app = quick_retry(&w.app.app, 10);
    let full = sync_done(&app, org, l.id).await;
    assert!(full.users_seen > 2_500, "{full:?}");
    // Three rounds of changes, each synced by delta under the same faults.
    let all = contacts(&w, &l).await;
    let mut upns: Vec<String> = all.values().filter_map(|c| c.upn.clone()).collect();
    upns.sort();
    upns.retain(|u| !u.contains("#EXT#") && !u.starts_with("zoe") && !u.starts_with("taro"));
    for round in 0..3 {
        for (i, upn) in upns.iter().skip(round * 40).take(40).enumerate() {
            match i % 8 {
                0 => ctl.soft_delete(CONTOSO, upn).unwrap(),
                1 => ctl
                    .edit_user(CONTOSO, upn, &json!({"accountEnabled": false}))
                    .unwrap(),
                2 => ctl
                    .edit_user(CONTOSO, upn, &json!({"jobTitle": format!("Role {round}")}))
                    .unwrap(),
                _ => ctl
                    .edit_user(
                        CONTOSO,
                        upn,
                        &json!({"mobilePhone": format!("+1 425 555 {:04}", round * 100 + i)}),
                    )
                    .unwrap(),
            }
        }
        ctl.add_user(
            CONTOSO,
            &UserSpec {
                display_name: format!("Round {round}"),
                upn: format!("round.{round}"),
                mobile_phone: Some(format!("+44 7700 900{round:03}")),
                account_enabled: true,
                ..UserSpec::default()
            },
        )
        .unwrap();
        let p = sync_done(&app, org, l.id).await;
        assert_eq!(p.added, 1, "round {round}: {p:?}");
    }
    let counts = ctl.fault_counts();
    ctl.set_faults(FaultConfig::default());
    assert!(
        counts.too_many_requests > 0
            && counts.unavailable > 0
            && counts.dropped > 0
            && counts.slow > 0,
        "{counts:?}"
    );
    assert_contacts_equal_simulator(&w, &l).await;
}

#[tokio::test]
async fn sync_under_twenty_percent_faults_ends_equal_to_the_simulator() {
    twenty_percent_faults(false).await;
}

#[tokio::test]
async fn sync_under_twenty_percent_faults_ends_equal_to_the_simulator_postgres() {
    if skip_postgres() {
        return;
    }
    twenty_percent_faults(true).await;
}

async fn interrupted_half_way(postgres: bool) {
    let w = world_with(postgres, big_contoso()).await;
    let (_, l) = contoso_linked(&w).await;
    let org = l.new.org_id;
    let ctl = w.sim.control();
    // Pages 1 and 2 answer (a "slow" of 0 ms is a normal answer); every request after that
    // loses its connection.
    ctl.set_faults(FaultConfig {
        rate_drop: 1.0,
        slow_ms: 0,
        next: vec![FaultKind::Slow, FaultKind::Slow],
        ..FaultConfig::default()
    });
    let app = quick_retry(&w.app.app, 3);
    let outcome = app.sync_tenant(org, l.id).await.unwrap();
    assert!(matches!(outcome, SyncOutcome::Retry(_)), "{outcome:?}");
    let link = w.app.app.tenant_link(org, l.id).await.unwrap();
    assert_eq!(link.last_sync_ok, Some(false));
    assert_eq!(
        link.delta_link, None,
        "an incomplete round stores no delta link"
    );
    assert_eq!(
        (link.progress.pages, link.progress.users_seen),
        (2, 2 * 999)
    );
    let kept = contacts(&w, &l).await;
    assert!(kept.len() > 1_500, "pages 1–2 kept: {}", kept.len());
    assert_eq!(i64::try_from(kept.len()).unwrap(), link.progress.added);
    assert!(
        kept.values().all(|c| c.removed_at.is_none()),
        "nothing swept"
    );

    ctl.set_faults(FaultConfig::default());
    let p = sync_done(&w.app.app, org, l.id).await;
    assert!(p.users_seen > 2_500, "the next run is a full round: {p:?}");
    assert_eq!(p.removed, 0, "{p:?}");
    assert_contacts_equal_simulator(&w, &l).await;
}

#[tokio::test]
async fn a_sync_interrupted_half_way_loses_nothing_and_completes_next_time() {
    interrupted_half_way(false).await;
}

#[tokio::test]
async fn a_sync_interrupted_half_way_loses_nothing_and_completes_next_time_postgres() {
    if skip_postgres() {
        return;
    }
    interrupted_half_way(true).await;
}

async fn job_survives_restart(postgres: bool) {
    let w = world_with(postgres, example()).await;
    let (page, l) = contoso_linked(&w).await;
    let org = org_of(&w).await;
    // Sync Users queues the job; a worker claims it and dies before finishing.
    let res = w
        .app
        .post_form(&w.browser, &page, &format!("{page}/sync-users"), &[])
        .await;
    assert_eq!(res.status(), 303);
    let now = w.app.app.now();
    let lease = w.app.app.settings.workers.lease();
    let claimed = w
        .app
        .app
        .store()
        .claim_jobs("dead-worker", now, now.plus(lease), 10)
        .await
        .unwrap();
    assert!(!claimed.is_empty());
    // A new process on the same database: after the lease, its workers run the job.
    let restarted = w.app.restart().await;
    restarted.clock.advance(lease + Duration::from_secs(1));
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let transports =
        countersign_app::messages::Transports::from_settings(&restarted.app.settings).unwrap();
    let pool = countersign_app::jobs::WorkerPool::start(restarted.app.clone(), transports, stopped);
    let mut link = restarted.app.tenant_link(org, l.id).await.unwrap();
    for _ in 0..600 {
        let jobs = restarted.app.store().job_counts(org).await.unwrap();
        if link.last_sync_ok.is_some() && jobs.queued == 0 && jobs.running == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        link = restarted.app.tenant_link(org, l.id).await.unwrap();
    }
    stop.send(true).unwrap();
    pool.join().await;
    assert_eq!(link.last_sync_ok, Some(true), "{:?}", link.last_error);
    assert!(link.progress.added > 200, "{:?}", link.progress);
    assert_contacts_equal_simulator(&w, &l).await;
}

#[tokio::test]
async fn a_queued_sync_job_survives_a_restart() {
    job_survives_restart(false).await;
}

#[tokio::test]
async fn a_queued_sync_job_survives_a_restart_postgres() {
    if skip_postgres() {
        return;
    }
    job_survives_restart(true).await;
}
