//! The job queue: claims, leases, retries, dead jobs, and concurrent workers.

use crate::fixtures::{at, org};
use crate::harness::concurrently;
use countersign_domain::{JobId, OrgId, Timestamp};
use countersign_store::{JobCounts, JobState, JobStore, NewJob, Store, StoreError};
use std::collections::HashSet;

/// A job value (not stored) due at `run_at`.
pub fn new_job(org: OrgId, run_at: Timestamp, dedup: Option<&str>) -> NewJob {
    NewJob {
        id: JobId::new(),
        org_id: org,
        kind: "test".into(),
        payload: "{}".into(),
        max_attempts: 3,
        run_at,
        dedup_key: dedup.map(str::to_owned),
        created_at: run_at,
    }
}

pub async fn claim_lease_retry_and_dead(store: &Store) {
    let a = org(store, "a").await;
    let j1 = new_job(a.id, at(0), Some("k1"));
    let j2 = new_job(a.id, at(1), None);
    let later = new_job(a.id, at(100), None);
    assert!(store.enqueue_job(&j1).await.unwrap());
    assert!(store.enqueue_job(&j2).await.unwrap());
    assert!(store.enqueue_job(&later).await.unwrap());
    // Same dedup key: refused, nothing changes.
    assert!(
        !store
            .enqueue_job(&new_job(a.id, at(0), Some("k1")))
            .await
            .unwrap()
    );

    let claimed = store.claim_jobs("w1", at(10), at(70), 10).await.unwrap();
    let ids: Vec<JobId> = claimed.iter().map(|j| j.job.id).collect();
    assert_eq!(ids, vec![j1.id, j2.id], "only due jobs, oldest first");
    assert!(claimed.iter().all(|j| j.state == JobState::Running
        && j.attempts == 1
        && j.locked_by.as_deref() == Some("w1")));
    // Held by w1 until the lease ends.
    assert!(
        store
            .claim_jobs("w2", at(69), at(130), 10)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        store.job_counts(a.id).await.unwrap(),
        JobCounts {
            queued: 1,
            running: 2,
            dead: 0
        }
    );

    // w1 "crashed": at the end of the lease w2 gets them, with a second attempt.
    let again = store.claim_jobs("w2", at(70), at(130), 10).await.unwrap();
    assert_eq!(again.len(), 2);
    assert!(again.iter().all(|j| j.attempts == 2));
    // The old holder can no longer finish or fail them.
    assert!(!store.complete_job(j1.id, "w1").await.unwrap());
    assert!(
        !store
            .retry_job_later(j1.id, "w1", at(80), "x", at(71))
            .await
            .unwrap()
    );
    assert!(store.complete_job(j1.id, "w2").await.unwrap());
    assert!(matches!(
        store.job(a.id, j1.id).await,
        Err(StoreError::NotFound)
    ));

    // Retry later: queued again with the error, due at the new time.
    assert!(
        store
            .retry_job_later(j2.id, "w2", at(200), "smtp timeout", at(75))
            .await
            .unwrap()
    );
    let j = store.job(a.id, j2.id).await.unwrap();
    assert_eq!(
        (j.state, j.job.run_at, j.last_error.as_deref()),
        (JobState::Queued, at(200), Some("smtp timeout"))
    );
    assert_eq!(j.locked_by, None);
    let c = store.claim_jobs("w3", at(200), at(260), 10).await.unwrap();
    // `later` (due at 100) and j2 (due at 200).
    assert_eq!(c.len(), 2);
    assert!(
        store
            .bury_job(j2.id, "w3", "invalid number", at(201))
            .await
            .unwrap()
    );
    let dead = store.jobs(a.id, Some(JobState::Dead), 10).await.unwrap();
    assert_eq!(dead.len(), 1);
    assert_eq!(dead[0].last_error.as_deref(), Some("invalid number"));
    // Dead jobs are never claimed.
    assert!(
        store
            .claim_jobs("w4", at(10_000), at(10_060), 10)
            .await
            .unwrap()
            .iter()
            .all(|j| j.job.id != j2.id)
    );

    // Retry from the page: queued, fresh attempts.
    store.requeue_dead_job(a.id, j2.id, at(300)).await.unwrap();
    let j = store.job(a.id, j2.id).await.unwrap();
    assert_eq!(
        (j.state, j.attempts, j.job.run_at),
        (JobState::Queued, 0, at(300))
    );
    assert!(matches!(
        store.requeue_dead_job(a.id, j2.id, at(300)).await,
        Err(StoreError::NotFound)
    ));
    store.delete_job(a.id, j2.id).await.unwrap();
    assert!(matches!(
        store.job(a.id, j2.id).await,
        Err(StoreError::NotFound)
    ));
    // A running job cannot be deleted from under its worker.
    assert!(matches!(
        store.delete_job(a.id, later.id).await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(store.jobs(a.id, None, 10).await.unwrap().len(), 1);
}

pub async fn jobs_are_org_scoped(store: &Store) {
    let a = org(store, "a").await;
    let b = org(store, "b").await;
    let job = new_job(a.id, at(0), Some("same"));
    store.enqueue_job(&job).await.unwrap();
    // Dedup keys are per org.
    assert!(
        store
            .enqueue_job(&new_job(b.id, at(0), Some("same")))
            .await
            .unwrap()
    );
    assert!(matches!(
        store.job(b.id, job.id).await,
        Err(StoreError::NotFound)
    ));
    assert!(
        store
            .jobs(b.id, None, 10)
            .await
            .unwrap()
            .iter()
            .all(|j| j.job.org_id == b.id)
    );
    assert!(matches!(
        store.delete_job(b.id, job.id).await,
        Err(StoreError::NotFound)
    ));
    let claimed = store.claim_jobs("w", at(0), at(60), 10).await.unwrap();
    let mine = claimed.iter().find(|j| j.job.id == job.id).unwrap();
    store.bury_job(mine.job.id, "w", "e", at(1)).await.unwrap();
    assert!(matches!(
        store.requeue_dead_job(b.id, job.id, at(2)).await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(store.job(a.id, job.id).await.unwrap().state, JobState::Dead);
    assert_eq!(
        store.job_counts(b.id).await.unwrap(),
        JobCounts {
            queued: 0,
            running: 1,
            dead: 0
        }
    );
}

pub async fn concurrent_claims_never_share_a_job(store: &Store) {
    let a = org(store, "a").await;
    let mut all = HashSet::new();
    for i in 0..120 {
        let job = new_job(a.id, at(i % 7), None);
        all.insert(job.id);
        store.enqueue_job(&job).await.unwrap();
    }
    let results = concurrently(6, |w| {
        let store = store.clone();
        async move {
            let mut mine = Vec::new();
            loop {
                let got = store
                    .claim_jobs(&format!("w{w}"), at(100), at(160), 7)
                    .await
                    .unwrap();
                if got.is_empty() {
                    return mine;
                }
                for j in got {
                    assert!(
                        store
                            .complete_job(j.job.id, &format!("w{w}"))
                            .await
                            .unwrap()
                    );
                    mine.push(j.job.id);
                }
            }
        }
    })
    .await;
    let claimed: Vec<JobId> = results.into_iter().flatten().collect();
    let unique: HashSet<JobId> = claimed.iter().copied().collect();
    assert_eq!(claimed.len(), unique.len(), "a job was claimed twice");
    assert_eq!(unique, all, "every job was claimed");
    assert_eq!(store.job_counts(a.id).await.unwrap(), JobCounts::default());
}

/// Progress rows of long jobs (issue 19.3): one per org and subject, replaced by the next
/// save, kept apart per org.
pub async fn job_progress_is_replaced_and_org_scoped(store: &Store) {
    use countersign_store::{JobProgress, JobProgressStore, ProgressFailure};
    let a = org(store, "a").await;
    let b = org(store, "b").await;
    assert_eq!(store.job_progress(a.id, "s").await.unwrap(), None);
    let mut p = JobProgress {
        org_id: a.id,
        subject: "s".into(),
        total: 3,
        done: 0,
        failures: Vec::new(),
        finished: false,
        updated_at: at(0),
    };
    store.save_job_progress(&p).await.unwrap();
    assert_eq!(
        store.job_progress(a.id, "s").await.unwrap(),
        Some(p.clone())
    );
    p.done = 2;
    p.failures.push(ProgressFailure {
        subject: "Contoso \"Ltd\"".into(),
        reason: "AADSTS65001: no consent".into(),
    });
    p.finished = true;
    p.updated_at = at(5);
    store.save_job_progress(&p).await.unwrap();
    assert_eq!(
        store.job_progress(a.id, "s").await.unwrap(),
        Some(p.clone())
    );
    // Another org's subject of the same name is another row.
    assert_eq!(store.job_progress(b.id, "s").await.unwrap(), None);
    let other = JobProgress {
        org_id: b.id,
        total: 1,
        ..p.clone()
    };
    store.save_job_progress(&other).await.unwrap();
    assert_eq!(store.job_progress(a.id, "s").await.unwrap(), Some(p));
    assert_eq!(store.job_progress(b.id, "s").await.unwrap(), Some(other));
}

/// Migration 0026 reserves an org (the nil id) for server-wide jobs, and they queue like any
/// other org's.
pub async fn server_org_takes_jobs(store: &Store) {
    use countersign_store::OrgStore;
    let server = OrgId(uuid::Uuid::nil());
    assert_eq!(store.org(server).await.unwrap().slug, "_server");
    let j = new_job(server, at(0), Some("sweep:1"));
    assert!(store.enqueue_job(&j).await.unwrap());
    assert!(
        !store
            .enqueue_job(&new_job(server, at(0), Some("sweep:1")))
            .await
            .unwrap()
    );
    assert_eq!(store.job_counts(server).await.unwrap().queued, 1);
}
