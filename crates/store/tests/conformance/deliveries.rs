//! The batched delivery path: a batch's attempts begin together (with the opt-out check), its
//! results are recorded together under the lease rules, and status callbacks find their
//! message by our id before the provider id is known.

use crate::fixtures::{at, org};
use crate::jobs::new_job;
use crate::messages::new_message;
use countersign_store::{
    DeliveryRecord, DeliveryStore, JobOutcome, JobState, JobStore, MessageState, MessageStore,
    Store, StoreError, Transition, TransportKind,
};

fn states(events: &[countersign_store::MessageEvent]) -> Vec<MessageState> {
    events.iter().map(|e| e.state).collect()
}

pub async fn batch_attempts_are_org_scoped_and_check_consent(store: &Store) {
    let a = org(store, "a").await;
    let b = org(store, "b").await;
    let m1 = new_message(a.id, "k1", TransportKind::Twilio);
    let mut m2 = new_message(a.id, "k2", TransportKind::Twilio);
    m2.recipient = "+15005550009".into();
    let other = new_message(b.id, "k1", TransportKind::Twilio);
    for m in [&m1, &m2, &other] {
        store.queue_message(m, None).await.unwrap();
    }
    store
        .set_sms_opt_out(a.id, "+15005550009", true, "STOP", at(0))
        .await
        .unwrap();
    // The opt-out of org a does not block org b's message to the same number.
    store
        .set_sms_opt_out(b.id, "+15005550006", true, "STOP", at(0))
        .await
        .unwrap();

    // Org b's message named with org a's id is not touched.
    let started = store
        .begin_attempts(&[(a.id, m1.id), (a.id, m2.id), (a.id, other.id)], at(1))
        .await
        .unwrap();
    let mut got: Vec<_> = started
        .iter()
        .map(|s| (s.message.id, s.message.attempts, s.sms_opted_out))
        .collect();
    got.sort();
    let mut want = vec![(m1.id, 1, false), (m2.id, 1, true)];
    want.sort();
    assert_eq!(got, want);
    assert!(
        started
            .iter()
            .all(|s| s.message.state == MessageState::Sending)
    );
    assert_eq!(
        store.message(b.id, other.id).await.unwrap().state,
        MessageState::Queued
    );
    // Still `sending` (a worker died): may start again; further along: left out.
    let mut accepted = Transition::to(MessageState::Accepted, at(2), "twilio");
    accepted.provider_id = Some("SM1".into());
    assert!(
        store
            .transition_message(a.id, m1.id, &accepted)
            .await
            .unwrap()
    );
    let again = store
        .begin_attempts(&[(a.id, m1.id), (a.id, m2.id)], at(3))
        .await
        .unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!((again[0].message.id, again[0].message.attempts), (m2.id, 2));
    let events = store.message_events(a.id, m2.id).await.unwrap();
    assert_eq!(
        states(&events),
        [
            MessageState::Queued,
            MessageState::Sending,
            MessageState::Sending
        ]
    );
    assert_eq!(events[2].detail, "attempt 2");
    assert!(store.begin_attempts(&[], at(4)).await.unwrap().is_empty());
}

pub async fn batch_results_follow_the_lease(store: &Store) {
    let a = org(store, "a").await;
    let ms: Vec<_> = (0..4)
        .map(|i| new_message(a.id, &format!("k{i}"), TransportKind::Twilio))
        .collect();
    let mut jobs = Vec::new();
    for m in &ms {
        let job = new_job(a.id, at(0), Some(&m.id.to_string()));
        store.queue_message(m, Some(&job)).await.unwrap();
        jobs.push(job);
    }
    let claimed = store.claim_jobs("w1", at(1), at(60), 10).await.unwrap();
    assert_eq!(claimed.len(), 4);
    let batch: Vec<_> = ms.iter().map(|m| (a.id, m.id)).collect();
    assert_eq!(store.begin_attempts(&batch, at(1)).await.unwrap().len(), 4);
    // w1's leases ran out and w2 took the jobs; w2 finished all but the last.
    let c = store.claim_jobs("w2", at(61), at(120), 10).await.unwrap();
    assert_eq!(c.len(), 4);
    let held_by_w2 = jobs[3].id;
    for j in c.iter().filter(|j| j.job.id != held_by_w2) {
        assert!(store.complete_job(j.job.id, "w2").await.unwrap());
    }
    let mut accepted = Transition::to(MessageState::Accepted, at(62), "twilio");
    accepted.provider_id = Some("SM0".into());
    let mut retry = Transition::to(MessageState::Queued, at(62), "retry");
    retry.error = Some("503".into());
    let mut refused = Transition::to(MessageState::Failed, at(62), "refused");
    refused.error_code = Some("21211".into());
    let record = |i: usize, t: Option<Transition>, outcome| DeliveryRecord {
        job: jobs[i].id,
        org: a.id,
        message: ms[i].id,
        transition: t,
        outcome,
    };
    let records = vec![
        record(0, Some(accepted), JobOutcome::Complete),
        record(
            1,
            Some(retry),
            JobOutcome::Retry {
                run_at: at(90),
                error: "503".into(),
            },
        ),
        record(
            2,
            Some(refused),
            JobOutcome::Bury {
                error: "invalid".into(),
            },
        ),
        record(3, None, JobOutcome::Complete),
    ];
    // w1 holds none of these jobs any more: the message facts are recorded, no job changes.
    assert_eq!(
        store
            .record_deliveries("w1", at(62), &records)
            .await
            .unwrap(),
        0
    );
    let row = store.message(a.id, ms[0].id).await.unwrap();
    assert_eq!(
        (row.state, row.provider_id.as_deref()),
        (MessageState::Accepted, Some("SM0"))
    );
    assert_eq!(
        store.message(a.id, ms[1].id).await.unwrap().state,
        MessageState::Queued
    );
    let row = store.message(a.id, ms[2].id).await.unwrap();
    assert_eq!(
        (row.state, row.error_code.as_deref()),
        (MessageState::Failed, Some("21211"))
    );
    assert_eq!(
        store.job(a.id, held_by_w2).await.unwrap().state,
        JobState::Running
    );
    let events = store.message_events(a.id, ms[0].id).await.unwrap();
    assert_eq!(
        states(&events),
        [
            MessageState::Queued,
            MessageState::Sending,
            MessageState::Accepted
        ]
    );

    // The holder records: complete, retry and bury, each only its own job.
    let fresh: Vec<_> = (0..3)
        .map(|i| new_message(a.id, &format!("n{i}"), TransportKind::Twilio))
        .collect();
    let mut fresh_jobs = Vec::new();
    for m in &fresh {
        let job = new_job(a.id, at(0), Some(&m.id.to_string()));
        store.queue_message(m, Some(&job)).await.unwrap();
        fresh_jobs.push(job);
    }
    let claimed = store.claim_jobs("w3", at(63), at(120), 10).await.unwrap();
    assert_eq!(claimed.len(), 3);
    let outcomes = [
        JobOutcome::Complete,
        JobOutcome::Retry {
            run_at: at(200),
            error: "503".into(),
        },
        JobOutcome::Bury {
            error: "gave up".into(),
        },
    ];
    let records: Vec<_> = outcomes
        .into_iter()
        .enumerate()
        .map(|(i, outcome)| DeliveryRecord {
            job: fresh_jobs[i].id,
            org: a.id,
            message: fresh[i].id,
            transition: None,
            outcome,
        })
        .collect();
    assert_eq!(
        store
            .record_deliveries("w3", at(64), &records)
            .await
            .unwrap(),
        3
    );
    assert!(matches!(
        store.job(a.id, fresh_jobs[0].id).await,
        Err(StoreError::NotFound)
    ));
    let j = store.job(a.id, fresh_jobs[1].id).await.unwrap();
    assert_eq!(
        (j.state, j.job.run_at, j.last_error.as_deref(), j.locked_by),
        (JobState::Queued, at(200), Some("503"), None)
    );
    let j = store.job(a.id, fresh_jobs[2].id).await.unwrap();
    assert_eq!(
        (j.state, j.last_error.as_deref()),
        (JobState::Dead, Some("gave up"))
    );
    assert_eq!(store.record_deliveries("w3", at(65), &[]).await.unwrap(), 0);
}

/// A recorded result moves its message only forward, as a single transition does: a late
/// "accepted" does not undo "delivered", and going back to `queued` (a retry) is allowed
/// from `sending` only. A message that did not move gets no history entry.
pub async fn batch_results_only_move_messages_forward(store: &Store) {
    let a = org(store, "a").await;
    let ms: Vec<_> = (0..3)
        .map(|i| new_message(a.id, &format!("f{i}"), TransportKind::Twilio))
        .collect();
    for m in &ms {
        store.queue_message(m, None).await.unwrap();
    }
    let batch: Vec<_> = ms.iter().map(|m| (a.id, m.id)).collect();
    assert_eq!(store.begin_attempts(&batch, at(1)).await.unwrap().len(), 3);
    let delivered = Transition::to(MessageState::Delivered, at(2), "callback");
    store
        .transition_message(a.id, ms[0].id, &delivered)
        .await
        .unwrap();
    let accepted = Transition::to(MessageState::Accepted, at(2), "twilio");
    store
        .transition_message(a.id, ms[1].id, &accepted)
        .await
        .unwrap();
    let mut before = Vec::new();
    for m in &ms {
        before.push(store.message_events(a.id, m.id).await.unwrap().len());
    }
    let retry = Transition::to(MessageState::Queued, at(3), "retry");
    let record = |i: usize, t: Transition| DeliveryRecord {
        job: countersign_domain::JobId::new(),
        org: a.id,
        message: ms[i].id,
        transition: Some(t),
        outcome: JobOutcome::Complete,
    };
    let records = [
        record(0, Transition::to(MessageState::Accepted, at(3), "late")),
        record(1, retry.clone()),
        record(2, retry),
    ];
    store.record_deliveries("w", at(3), &records).await.unwrap();
    let expected = [
        MessageState::Delivered,
        MessageState::Accepted,
        MessageState::Queued,
    ];
    for (i, m) in ms.iter().enumerate() {
        assert_eq!(store.message(a.id, m.id).await.unwrap().state, expected[i]);
        let events = store.message_events(a.id, m.id).await.unwrap();
        let moved = usize::from(i == 2);
        assert_eq!(events.len(), before[i] + moved, "message {i}");
    }
}

pub async fn callbacks_find_the_message_by_our_id(store: &Store) {
    let a = org(store, "a").await;
    let m = new_message(a.id, "k", TransportKind::Twilio);
    store.queue_message(&m, None).await.unwrap();
    store.begin_attempts(&[(a.id, m.id)], at(1)).await.unwrap();
    // The callback comes before the worker recorded Twilio's answer.
    let sent = Transition::to(MessageState::Sent, at(2), "twilio status callback");
    assert_eq!(
        store
            .transition_by_callback(TransportKind::Twilio, m.id, "SM9", &sent)
            .await
            .unwrap(),
        Some((a.id, m.id))
    );
    let row = store.message(a.id, m.id).await.unwrap();
    assert_eq!(
        (row.state, row.provider_id.as_deref(), row.body_text),
        (MessageState::Sent, Some("SM9"), None)
    );
    // The worker's late record changes nothing; later callbacks still apply.
    let mut accepted = Transition::to(MessageState::Accepted, at(3), "twilio");
    accepted.provider_id = Some("SM9".into());
    assert!(
        !store
            .transition_message(a.id, m.id, &accepted)
            .await
            .unwrap()
    );
    // Another provider id (not this message's), another transport, an unknown id: nothing.
    let delivered = Transition::to(MessageState::Delivered, at(4), "twilio status callback");
    for (transport, sid) in [
        (TransportKind::Twilio, "SMother"),
        (TransportKind::Smtp, "SM9"),
    ] {
        assert!(
            store
                .transition_by_callback(transport, m.id, sid, &delivered)
                .await
                .unwrap()
                .is_none()
        );
    }
    assert!(
        store
            .transition_by_callback(
                TransportKind::Twilio,
                countersign_domain::MessageId::new(),
                "SM9",
                &delivered
            )
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        store
            .transition_by_callback(TransportKind::Twilio, m.id, "SM9", &delivered)
            .await
            .unwrap()
            .is_some()
    );
    let events = store.message_events(a.id, m.id).await.unwrap();
    use MessageState::*;
    assert_eq!(states(&events), [Queued, Sending, Sent, Delivered]);
}
