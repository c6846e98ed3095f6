//! Real `countersign worker` processes: one killed with SIGKILL mid-batch and restarted; two
//! at once on one PostgreSQL database. Either way every message reaches its handset exactly
//! once and none is lost.

use crate::common::{World, sigkill};
use countersign_emulator::SmsFaults;
use countersign_store::{JobStore, Message};
use std::collections::BTreeSet;
use std::time::{Duration, Instant};

/// What the emulator received matches what was queued: one message per recipient, one per
/// idempotency key, nothing else. Returns how many requests the emulator answered as replays
/// of a key (only when it honours the key).
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

/// Every job finished (none dead) and every message delivered: status callbacks carry the
/// message id, so even a message whose worker died before recording Twilio's answer learns
/// its SID and state from them.
async fn all_delivered(world: &World, n: usize) {
    let jobs = world.app.store().job_counts(world.org).await.unwrap();
    assert_eq!((jobs.queued, jobs.running, jobs.dead), (0, 0, 0));
    let states = world.states().await;
    assert_eq!(states.get("delivered").copied(), Some(n), "{states:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_worker_killed_mid_batch_delivers_each_message_once() {
    const N: usize = 200;
    let world = World::start(false, |s| {
        s.workers.concurrency = 2;
        s.workers.batch_size = 10;
    })
    .await;
    // As real Twilio: a repeated Idempotency-Key sends again. What keeps the retry from
    // sending twice is the message state, moved by the status callbacks (which carry our
    // message id) before the lease of the killed worker's jobs ends.
    world
        .emu
        .sms()
        .update_account(&serde_json::json!({"honour_idempotency_key": false}))
        .unwrap();
    // Slow answers keep requests in flight when the kill comes.
    world.emu.sms().set_faults(SmsFaults {
        rate_slow: 1.0,
        slow_ms: 40,
        ..SmsFaults::default()
    });
    let queued = world.queue_many(N).await;
    let mut worker = world.spawn_worker();
    let started = Instant::now();
    // Killed once 40 went out, while it holds leased jobs (`World::kill_if_leased`).
    loop {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "worker sent nothing, or never held jobs"
        );
        assert!(worker.try_wait().unwrap().is_none(), "worker exited early");
        if world.emu.sms().counts().messages >= 40 && world.kill_if_leased(&mut worker).await {
            break;
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    let at_kill = world.emu.sms().counts().messages;
    assert!(
        (at_kill as usize) < N,
        "killed mid-batch, not after the end"
    );
    let jobs = world.app.store().job_counts(world.org).await.unwrap();
    assert!(jobs.running > 0, "the kill left leased jobs: {jobs:?}");
    world.emu.sms().set_faults(SmsFaults::default());

    let mut restarted = world.spawn_worker();
    world.wait_idle(Duration::from_secs(60)).await;
    sigkill(&mut restarted);
    let replays = received_exactly_once(&world, &queued);
    assert_eq!(replays, 0, "honouring is off: the emulator replays nothing");
    eprintln!("killed at {at_kill}/{N} sent; none sent twice after the restart");
    all_delivered(&world, N).await;
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
    all_delivered(&world, N).await;
    world.finish().await;
}
