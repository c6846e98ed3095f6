//! Messages: idempotent queuing, state transitions and history, provider callbacks, SMS
//! consent, branding, and org scoping.

use crate::fixtures::{at, org};
use crate::jobs::new_job;
use countersign_domain::{MessageId, OrgId};
use countersign_store::{
    Branding, BrandingStore, Channel, DeliveryStore, JobStore, Lane, MessageFilter, MessageState,
    MessageStore, NewMessage, Store, StoreError, Transition, TransportKind,
};

/// A message value (not stored).
pub fn new_message(org: OrgId, key: &str, transport: TransportKind) -> NewMessage {
    NewMessage {
        id: MessageId::new(),
        org_id: org,
        channel: Channel::Sms,
        template: "verify_code".into(),
        recipient: "+15005550006".into(),
        subject: String::new(),
        body_text: "Your code is 123456".into(),
        body_html: None,
        transport,
        lane: Lane::Verification,
        list_unsubscribe: None,
        idempotency_key: key.into(),
        created_at: at(0),
    }
}

fn states(events: &[countersign_store::MessageEvent]) -> Vec<MessageState> {
    events.iter().map(|e| e.state).collect()
}

pub async fn queue_is_idempotent(store: &Store) {
    let a = org(store, "a").await;
    let m = new_message(a.id, "verify:1", TransportKind::Twilio);
    let mut job = new_job(a.id, at(0), Some(&m.id.to_string()));
    job.kind = "send_message".into();
    let (stored, is_new) = store.queue_message(&m, Some(&job)).await.unwrap();
    assert!(is_new);
    assert_eq!(
        (stored.id, stored.state, stored.attempts),
        (m.id, MessageState::Queued, 0)
    );
    assert_eq!(stored.body_text.as_deref(), Some("Your code is 123456"));

    // Same key again (a retried request): the first message, no new row, no second job.
    let again = new_message(a.id, "verify:1", TransportKind::Twilio);
    let mut job2 = new_job(a.id, at(0), Some(&again.id.to_string()));
    job2.kind = "send_message".into();
    let (first, is_new) = store.queue_message(&again, Some(&job2)).await.unwrap();
    assert!(!is_new);
    assert_eq!(first.id, m.id);
    assert_eq!(store.jobs(a.id, None, 10).await.unwrap().len(), 1);
    assert_eq!(
        store
            .messages(
                a.id,
                &MessageFilter {
                    limit: 10,
                    ..Default::default()
                }
            )
            .await
            .unwrap()
            .len(),
        1
    );
    // Keys are per org.
    let b = org(store, "b").await;
    let (_, is_new) = store
        .queue_message(&new_message(b.id, "verify:1", TransportKind::Outbox), None)
        .await
        .unwrap();
    assert!(is_new);
    let outbox = MessageFilter {
        transport: Some(TransportKind::Outbox),
        limit: 10,
        ..Default::default()
    };
    assert_eq!(store.messages(a.id, &outbox).await.unwrap().len(), 0);
    assert_eq!(store.messages(b.id, &outbox).await.unwrap().len(), 1);
}

/// A broadcast email keeps its unsubscribe link (migration 0031) through every read: by id,
/// by key, in lists, and in the attempts that deliver it, one by one or in a batch; other
/// messages have none.
pub async fn the_unsubscribe_link_is_kept(store: &Store) {
    let a = org(store, "a").await;
    let link = "https://cs.example/unsubscribe/AQID";
    let mut m = new_message(a.id, "broadcast:1", TransportKind::Smtp);
    m.channel = Channel::Email;
    m.recipient = "amy@customer.test".into();
    m.lane = Lane::Broadcast;
    m.list_unsubscribe = Some(link.into());
    let (stored, _) = store.queue_message(&m, None).await.unwrap();
    assert_eq!(stored.list_unsubscribe.as_deref(), Some(link));
    let plain = new_message(a.id, "verify:1", TransportKind::Twilio);
    let (other, _) = store.queue_message(&plain, None).await.unwrap();
    assert_eq!(other.list_unsubscribe, None);
    let read = store.message(a.id, m.id).await.unwrap();
    assert_eq!(read.list_unsubscribe.as_deref(), Some(link));
    let by_key = store.message_by_key(a.id, "broadcast:1").await.unwrap();
    assert_eq!(by_key.unwrap().list_unsubscribe.as_deref(), Some(link));
    let all = MessageFilter {
        limit: 10,
        ..Default::default()
    };
    let links: Vec<Option<String>> = store
        .messages(a.id, &all)
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.list_unsubscribe)
        .collect();
    assert_eq!(links.iter().flatten().count(), 1);
    let attempts = store.begin_attempts(&[(a.id, m.id)], at(1)).await.unwrap();
    assert_eq!(attempts[0].message.list_unsubscribe.as_deref(), Some(link));
    let single = store
        .begin_attempt(a.id, m.id, at(2))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(single.list_unsubscribe.as_deref(), Some(link));
}

pub async fn transitions_and_history(store: &Store) {
    let a = org(store, "a").await;
    let m = new_message(a.id, "k", TransportKind::Twilio);
    store.queue_message(&m, None).await.unwrap();

    let first = store
        .begin_attempt(a.id, m.id, at(1))
        .await
        .unwrap()
        .unwrap();
    assert_eq!((first.state, first.attempts), (MessageState::Sending, 1));
    // A 5xx: back to queued for the retry, with the error.
    let mut retry = Transition::to(MessageState::Queued, at(2), "retry");
    retry.error = Some("provider unavailable".into());
    assert!(store.transition_message(a.id, m.id, &retry).await.unwrap());
    // A worker that died mid-attempt left it `sending`: the next attempt may still start.
    store
        .begin_attempt(a.id, m.id, at(3))
        .await
        .unwrap()
        .unwrap();
    let second = store
        .begin_attempt(a.id, m.id, at(4))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(second.attempts, 3);

    let mut accepted = Transition::to(MessageState::Accepted, at(5), "twilio accepted");
    accepted.provider_id = Some("SM123".into());
    assert!(
        store
            .transition_message(a.id, m.id, &accepted)
            .await
            .unwrap()
    );
    let row = store.message(a.id, m.id).await.unwrap();
    assert_eq!(row.provider_id.as_deref(), Some("SM123"));
    assert_eq!(
        row.body_text, None,
        "bodies are cleared once the provider has the message"
    );
    assert_eq!(row.last_error.as_deref(), Some("provider unavailable"));
    // Accepted: no attempt starts again, so a retried job never sends twice.
    assert!(
        store
            .begin_attempt(a.id, m.id, at(6))
            .await
            .unwrap()
            .is_none()
    );
    assert!(!store.transition_message(a.id, m.id, &retry).await.unwrap());

    // Status callbacks by provider id, forward only.
    let sent = Transition::to(MessageState::Sent, at(7), "status callback");
    assert_eq!(
        store
            .transition_by_provider_id(TransportKind::Twilio, "SM123", &sent)
            .await
            .unwrap(),
        Some((a.id, m.id))
    );
    let delivered = Transition::to(MessageState::Delivered, at(8), "status callback");
    assert!(
        store
            .transition_by_provider_id(TransportKind::Twilio, "SM123", &delivered)
            .await
            .unwrap()
            .is_some()
    );
    assert!(
        store
            .transition_by_provider_id(TransportKind::Twilio, "SM123", &sent)
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        store
            .transition_by_provider_id(TransportKind::Smtp, "SM123", &sent)
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        store
            .transition_by_provider_id(TransportKind::Twilio, "SMnone", &sent)
            .await
            .unwrap()
            .is_none()
    );
    let mut failed = Transition::to(MessageState::Failed, at(9), "late");
    failed.error_code = Some("30003".into());
    assert!(
        !store.transition_message(a.id, m.id, &failed).await.unwrap(),
        "final states stay"
    );

    let events = store.message_events(a.id, m.id).await.unwrap();
    use MessageState::*;
    assert_eq!(
        states(&events),
        vec![
            Queued, Sending, Queued, Sending, Sending, Accepted, Sent, Delivered
        ]
    );
    assert_eq!(events[1].detail, "attempt 1");
    assert_eq!(store.message(a.id, m.id).await.unwrap().state, Delivered);
}

pub async fn failure_keeps_the_error_code(store: &Store) {
    let a = org(store, "a").await;
    let m = new_message(a.id, "k", TransportKind::Twilio);
    store.queue_message(&m, None).await.unwrap();
    store
        .begin_attempt(a.id, m.id, at(1))
        .await
        .unwrap()
        .unwrap();
    let mut failed = Transition::to(MessageState::Failed, at(2), "refused");
    failed.error = Some("the number is not a valid phone number".into());
    failed.error_code = Some("21211".into());
    assert!(store.transition_message(a.id, m.id, &failed).await.unwrap());
    let row = store.message(a.id, m.id).await.unwrap();
    assert_eq!(
        (row.state, row.error_code.as_deref()),
        (MessageState::Failed, Some("21211"))
    );
    assert!(
        store
            .begin_attempt(a.id, m.id, at(3))
            .await
            .unwrap()
            .is_none()
    );
}

pub async fn messages_are_org_scoped(store: &Store) {
    let a = org(store, "a").await;
    let b = org(store, "b").await;
    let m = new_message(a.id, "k", TransportKind::Twilio);
    store.queue_message(&m, None).await.unwrap();
    assert!(matches!(
        store.message(b.id, m.id).await,
        Err(StoreError::NotFound)
    ));
    assert!(store.message_events(b.id, m.id).await.unwrap().is_empty());
    assert!(
        store
            .begin_attempt(b.id, m.id, at(1))
            .await
            .unwrap()
            .is_none()
    );
    let failed = Transition::to(MessageState::Failed, at(1), "x");
    assert!(!store.transition_message(b.id, m.id, &failed).await.unwrap());
    assert!(
        store
            .messages(
                b.id,
                &MessageFilter {
                    limit: 10,
                    ..Default::default()
                }
            )
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        store.message(a.id, m.id).await.unwrap().state,
        MessageState::Queued
    );
}

pub async fn sms_consent(store: &Store) {
    let a = org(store, "a").await;
    let b = org(store, "b").await;
    let c = org(store, "c").await;
    let phone = "+15005550006";
    assert!(!store.sms_opted_out(a.id, phone).await.unwrap());
    store
        .set_sms_opt_out(a.id, phone, true, "STOP", at(1))
        .await
        .unwrap();
    assert!(store.sms_opted_out(a.id, phone).await.unwrap());
    assert!(!store.sms_opted_out(b.id, phone).await.unwrap(), "per org");

    // An inbound keyword applies to every org that has texted the number, and only those.
    store
        .queue_message(&new_message(a.id, "1", TransportKind::Twilio), None)
        .await
        .unwrap();
    store
        .queue_message(&new_message(b.id, "1", TransportKind::Twilio), None)
        .await
        .unwrap();
    assert_eq!(
        store
            .record_inbound_consent(phone, false, "START", at(2))
            .await
            .unwrap(),
        2
    );
    assert!(!store.sms_opted_out(a.id, phone).await.unwrap());
    assert_eq!(
        store
            .record_inbound_consent(phone, true, "STOPALL", at(3))
            .await
            .unwrap(),
        2
    );
    assert!(store.sms_opted_out(a.id, phone).await.unwrap());
    assert!(store.sms_opted_out(b.id, phone).await.unwrap());
    assert!(!store.sms_opted_out(c.id, phone).await.unwrap());
    assert_eq!(
        store
            .record_inbound_consent("+15550000000", true, "STOP", at(4))
            .await
            .unwrap(),
        0
    );
}

pub async fn branding_is_saved_per_org(store: &Store) {
    let a = org(store, "a").await;
    let b = org(store, "b").await;
    assert_eq!(store.branding(a.id).await.unwrap(), None);
    let mut brand = Branding {
        org_id: a.id,
        display_name: "Acme IT <script>".into(),
        logo_url: "https://acme.test/logo.png".into(),
        colour: "#112233".into(),
        footer: "Acme IT, 1 Main St".into(),
        reply_to: "help@acme.test".into(),
        updated_at: at(1),
    };
    store.save_branding(&brand).await.unwrap();
    assert_eq!(store.branding(a.id).await.unwrap(), Some(brand.clone()));
    brand.colour = "#445566".into();
    brand.updated_at = at(2);
    store.save_branding(&brand).await.unwrap();
    assert_eq!(store.branding(a.id).await.unwrap(), Some(brand));
    assert_eq!(store.branding(b.id).await.unwrap(), None);
}
