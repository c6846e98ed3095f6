//! Every message state, end to end: queue → worker → emulator → signed status callbacks into
//! the real web server; refusals with Twilio's codes; a 5xx retried; inbound STOP / START
//! through the emulator's control API changing consent.

use crate::common::World;
use countersign_app::jobs::WorkerPool;
use countersign_app::messages::Transports;
use countersign_emulator::{SmsFaultKind, SmsFaults};
use countersign_store::{MessageState, MessageStore};
use std::time::Duration;
use tokio::sync::watch;

fn history(events: &[countersign_store::MessageEvent]) -> Vec<&'static str> {
    events.iter().map(|e| e.state.as_str()).collect()
}

async fn each_state_transition(postgres: bool) {
    let world = World::start(postgres, |_| {}).await;
    world.emu.sms().set_faults(SmsFaults {
        undelivered: [("+14155550101".to_owned(), 30003)].into(),
        failed: [("+14155550102".to_owned(), 30008)].into(),
        invalid_numbers: vec!["+14155550103".into()],
        opted_out: vec!["+14155550104".into()],
        ..SmsFaults::default()
    });
    let (stop, stopped) = watch::channel(false);
    let transports = Transports::from_settings(&world.app.settings).unwrap();
    let pool = WorkerPool::start(world.app.clone(), transports, stopped);

    let delivered = world.queue("+14155550100", "delivered").await;
    let undelivered = world.queue("+14155550101", "undelivered").await;
    let failed = world.queue("+14155550102", "failed").await;
    let invalid = world.queue("+14155550103", "invalid").await;
    let opted_out = world.queue("+14155550104", "opted-out").await;

    let row = world.wait_for(&delivered, MessageState::Delivered).await;
    assert!(row.provider_id.as_deref().unwrap().starts_with("SM"));
    let events = world
        .app
        .store()
        .message_events(world.org, delivered.id)
        .await
        .unwrap();
    assert_eq!(
        history(&events),
        ["queued", "sending", "accepted", "sent", "delivered"]
    );
    let row = world
        .wait_for(&undelivered, MessageState::Undelivered)
        .await;
    assert_eq!(row.error_code.as_deref(), Some("30003"));
    assert!(row.last_error.unwrap().contains("unreachable"));
    let row = world.wait_for(&failed, MessageState::Failed).await;
    assert_eq!(row.error_code.as_deref(), Some("30008"));
    // Refused by Twilio when sent: failed at once with its code, no retry.
    let row = world.wait_for(&invalid, MessageState::Failed).await;
    assert_eq!(row.error_code.as_deref(), Some("21211"));
    assert_eq!(row.attempts, 1);
    let row = world.wait_for(&opted_out, MessageState::Failed).await;
    assert_eq!(row.error_code.as_deref(), Some("21610"));

    // A 503 is retried after the backoff, with the same idempotency key.
    world.emu.sms().set_faults(SmsFaults {
        next: vec![SmsFaultKind::Unavailable],
        ..SmsFaults::default()
    });
    let retried = world.queue("+14155550105", "retried").await;
    let row = world.wait_for(&retried, MessageState::Delivered).await;
    assert_eq!(row.attempts, 2);
    let events = world
        .app
        .store()
        .message_events(world.org, retried.id)
        .await
        .unwrap();
    assert_eq!(
        history(&events),
        [
            "queued",
            "sending",
            "queued",
            "sending",
            "accepted",
            "sent",
            "delivered"
        ]
    );

    // STOP through the emulator: the web server records the opt-out; the next message fails
    // in the product (21610) without reaching Twilio. START: delivered again.
    assert_eq!(world.inbound("+14155550100", "STOP").await, 200);
    assert!(
        world
            .app
            .store()
            .sms_opted_out(world.org, "+14155550100")
            .await
            .unwrap()
    );
    let before = world.emu.sms().counts().requests;
    let blocked = world.queue("+14155550100", "after-stop").await;
    let row = world.wait_for(&blocked, MessageState::Failed).await;
    assert_eq!(row.error_code.as_deref(), Some("21610"));
    assert_eq!(
        world.emu.sms().counts().requests,
        before,
        "Twilio was not called"
    );
    assert_eq!(world.inbound("+14155550100", "START").await, 200);
    assert!(
        !world
            .app
            .store()
            .sms_opted_out(world.org, "+14155550100")
            .await
            .unwrap()
    );
    let again = world.queue("+14155550100", "after-start").await;
    let again = world.wait_for(&again, MessageState::Delivered).await;

    // A callback with a wrong signature is refused and changes nothing.
    let resp = reqwest::Client::new()
        .post(format!(
            "{}/webhooks/twilio/status",
            world.settings.server.public_url
        ))
        .header("X-Twilio-Signature", "forged")
        .form(&[
            ("MessageSid", again.provider_id.clone().unwrap_or_default()),
            ("MessageStatus", "failed".into()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 403);
    assert_eq!(world.state(&again).await.state, MessageState::Delivered);

    // Every callback the emulator posted was accepted by the web server.
    let log = world.emu.sms().log();
    for m in &log.messages {
        assert!(
            m.callbacks.iter().all(|c| c.http_status == Some(204)),
            "{:?}",
            m.callbacks
        );
    }
    assert_eq!(log.counts.repeated_keys, 0);
    let _ = stop.send(true);
    tokio::time::timeout(Duration::from_secs(10), pool.join())
        .await
        .unwrap();
    world.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_each_state_transition() {
    each_state_transition(false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_each_state_transition() {
    if crate::common::skip_postgres() {
        return;
    }
    each_state_transition(true).await;
}
