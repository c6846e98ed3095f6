//! Real `countersign worker` processes: one killed with SIGKILL mid-batch and restarted; two
//! at once on one PostgreSQL database. Either way every message reaches its handset exactly
//! once and none is lost.

use crate::common::{World, sigkill};
use countersign_emulator::SmsFaults;
use countersign_store::{JobStore, Message};
use std::collections::BTreeSet;
use std::time::{Duration, Instant};

/// What the emulator received matches what was queued: one message per recipient, one per
/// idempotency key, nothing else. Returns how many requests repeated a key (a worker died
/// between Twilio's answer and recording it, and the retry carried the same key).
fn received_exactly_once(world: &World, queued: &[Message]) -> u64 {
    let log = world.emu.sms().log();
    let want: BTreeSet<&str> = queued.iter().map(|m| m.recipient.as_str()).collect();
    let got: BTreeSet<&str> = log.messages.iter().map(|m| m.to.as_str()).collect();
    assert_eq!(got, want, "every message reached the emulator");
    assert_eq!(log.counts.messages, queued.len() as u64, "{:?}", log.counts);
    assert!(
        log.messages_per_to.values().all(|&n| n == 1),
        "a recipient got a message twice: {:?}",
        log.messages_per_to
            .iter()
            .filter(|(_, n)| **n > 1)
            .collect::<Vec<_>>()
    );
    assert_eq!(
        log.requests_per_key.len(),
        queued.len(),
        "one key per message"
    );
    assert_eq!(log.counts.refused, 0);
    log.counts.replays
}

/// Every job finished (none dead), every message handed over and, unless its callbacks
/// raced the SID being recorded, delivered.
async fn all_delivered(world: &World, n: usize, replays: u64) {
    let jobs = world.app.store.job_counts(world.org).await.unwrap();
    assert_eq!((jobs.queued, jobs.running, jobs.dead), (0, 0, 0));
    let states = world.states().await;
    let handed_over: usize = ["accepted", "sent", "delivered"]
        .iter()
        .map(|s| states.get(s).copied().unwrap_or(0))
        .sum();
    assert_eq!(handed_over, n, "{states:?}");
    let delivered = states.get("delivered").copied().unwrap_or(0);
    // A message whose first request was answered but not recorded (the kill) learns its SID
    // only on the retry, after the emulator's callbacks for it were posted.
    assert!(
        delivered as u64 + replays >= n as u64,
        "{states:?}, {replays} replays"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_worker_killed_mid_batch_delivers_each_message_once() {
    const N: usize = 200;
    let world = World::start(false, |s| {
        s.workers.concurrency = 2;
        s.workers.batch_size = 10;
    })
    .await;
    // Slow answers keep requests in flight when the kill comes.
    world.emu.sms().set_faults(SmsFaults {
        rate_slow: 1.0,
        slow_ms: 40,
        ..SmsFaults::default()
    });
    let queued = world.queue_many(N).await;
    let mut worker = world.spawn_worker();
    let started = Instant::now();
    while world.emu.sms().counts().messages < 40 {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "worker sent nothing"
        );
        assert!(worker.try_wait().unwrap().is_none(), "worker exited early");
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    sigkill(&mut worker);
    let at_kill = world.emu.sms().counts().messages;
    assert!(
        (at_kill as usize) < N,
        "killed mid-batch, not after the end"
    );
    let jobs = world.app.store.job_counts(world.org).await.unwrap();
    assert!(jobs.running > 0, "the kill left leased jobs: {jobs:?}");
    world.emu.sms().set_faults(SmsFaults::default());

    let mut restarted = world.spawn_worker();
    world.wait_idle(Duration::from_secs(60)).await;
    sigkill(&mut restarted);
    let replays = received_exactly_once(&world, &queued);
    eprintln!("killed at {at_kill}/{N} sent; {replays} requests repeated a key after the restart");
    all_delivered(&world, N, replays).await;
    world.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_two_worker_processes_send_each_message_once() {
    if crate::common::skip_postgres() {
        return;
    }
    const N: usize = 300;
    let world = World::start(true, |s| {
        s.workers.concurrency = 2;
        s.workers.batch_size = 10;
    })
    .await;
    let queued = world.queue_many(N).await;
    let mut a = world.spawn_worker();
    let mut b = world.spawn_worker();
    world.wait_idle(Duration::from_secs(60)).await;
    assert!(a.try_wait().unwrap().is_none() && b.try_wait().unwrap().is_none());
    sigkill(&mut a);
    sigkill(&mut b);
    let replays = received_exactly_once(&world, &queued);
    let counts = world.emu.sms().counts();
    // No crash: no worker ever sent a message another had sent, not even with the same key.
    assert_eq!(replays, 0);
    assert_eq!(counts.requests, N as u64);
    all_delivered(&world, N, 0).await;
    world.finish().await;
}
