//! Live verifications: send limits counted in the same transaction as the insert, attempts
//! reserved by one conditional UPDATE (racing guesses never exceed the cap), approve links
//! answered once, expiry in the SQL itself, technician checks, and org scoping.

use crate::contacts::{customer, user};
use crate::fixtures::{at, org, technician};
use countersign_domain::{
    ContactId, OrgId, Role, TechnicianCheckId, TechnicianId, Timestamp, VerificationId,
};
use countersign_store::{
    ChallengeStore, ContactQuery, ContactStore, LimitHit, LinkAnswer, MessageStore, NewChallenge,
    SendLimits, SourceKind, Store, StoreError, TechnicianCheck, TechnicianCheckStatus,
    TechnicianCheckStore, TransportKind, Verification, VerificationMethod, VerificationStatus,
    WebhookStore,
};

pub async fn contact(store: &Store, o: OrgId) -> ContactId {
    let c = customer(store, o, "C").await;
    store
        .upsert_synced_contacts(
            o,
            c.id,
            SourceKind::Microsoft365,
            &[user(
                "u1",
                "Ann Lee",
                "ann@c.example",
                Some("+1 425 555 0101"),
            )],
            at(1),
        )
        .await
        .unwrap();
    store
        .search_contacts(
            o,
            &ContactQuery {
                limit: 1,
                ..ContactQuery::default()
            },
        )
        .await
        .unwrap()[0]
        .id
}

pub fn challenge(
    o: OrgId,
    c: ContactId,
    t: TechnicianId,
    method: VerificationMethod,
    now: Timestamp,
) -> NewChallenge {
    NewChallenge {
        verification: Verification {
            id: VerificationId::new(),
            org_id: o,
            contact_id: c,
            technician_id: Some(t),
            method,
            channel: "sms".into(),
            destination_masked: "+•••••••0101".into(),
            status: VerificationStatus::Pending,
            at: now,
        },
        expires_at: Timestamp(now.0 + 300_000),
        secret_hash: crate::fixtures::random_bytes(),
        key_id: "k1".into(),
        match_number: Some(42),
        match_choices: vec![17, 42, 88],
        recipient_key: b"recipient-1".to_vec(),
        pod_contact_id: None,
        note: String::new(),
        typed_destination: false,
        message: None,
    }
}

pub fn limits(now: Timestamp, recipient: i64, technician: i64, org: i64) -> SendLimits {
    SendLimits {
        recipient_since: Timestamp(now.0 - 600_000),
        recipient_max: recipient,
        technician_since: Timestamp(now.0 - 3_600_000),
        technician_max: technician,
        org_since: Timestamp(now.0 - 86_400_000),
        org_max: org,
    }
}

pub async fn send_limits_and_one_outstanding_request(store: &Store) {
    let o = org(store, "acme").await;
    let t = technician(store, &o, "t@acme.example", Role::Technician).await;
    let c = contact(store, o.id).await;
    let now = at(1000);
    let mut first = challenge(o.id, c, t.id, VerificationMethod::SmsCode, now);
    first.message = Some((
        crate::messages::new_message(o.id, "verification:first", TransportKind::Outbox),
        crate::jobs::new_job(o.id, now, Some("message:first")),
    ));
    assert_eq!(
        store
            .start_challenge(&first, &limits(now, 2, 10, 10))
            .await
            .unwrap(),
        Ok(())
    );
    assert!(
        store
            .message_by_key(o.id, "verification:first")
            .await
            .unwrap()
            .is_some(),
        "the message is stored with the verification"
    );
    let second = challenge(
        o.id,
        c,
        t.id,
        VerificationMethod::SmsCode,
        Timestamp(now.0 + 1),
    );
    assert_eq!(
        store
            .start_challenge(&second, &limits(now, 2, 10, 10))
            .await
            .unwrap(),
        Ok(())
    );
    // The new one superseded the first.
    let old = store.challenge(o.id, first.verification.id).await.unwrap();
    assert_eq!(old.verification.status, VerificationStatus::Expired);
    let third = challenge(
        o.id,
        c,
        t.id,
        VerificationMethod::SmsCode,
        Timestamp(now.0 + 2),
    );
    let mut third = third;
    third.message = Some((
        crate::messages::new_message(o.id, "verification:third", TransportKind::Outbox),
        crate::jobs::new_job(o.id, now, Some("message:third")),
    ));
    assert_eq!(
        store
            .start_challenge(&third, &limits(now, 2, 10, 10))
            .await
            .unwrap(),
        Err(LimitHit::Recipient)
    );
    assert!(
        store
            .message_by_key(o.id, "verification:third")
            .await
            .unwrap()
            .is_none(),
        "a refused start queues no message"
    );
    let mut other = challenge(
        o.id,
        c,
        t.id,
        VerificationMethod::SmsCode,
        Timestamp(now.0 + 2),
    );
    other.recipient_key = b"recipient-2".to_vec();
    assert_eq!(
        store
            .start_challenge(&other, &limits(now, 2, 2, 10))
            .await
            .unwrap(),
        Err(LimitHit::Technician)
    );
    assert_eq!(
        store
            .start_challenge(&other, &limits(now, 2, 10, 2))
            .await
            .unwrap(),
        Err(LimitHit::Org)
    );
    assert!(
        matches!(
            store.challenge(o.id, third.verification.id).await,
            Err(StoreError::NotFound)
        ),
        "a limited start stores nothing"
    );
    // A start that fails half-way (the same verification again) leaves nothing behind: the
    // next start still gets its own transaction and commits.
    assert!(matches!(
        store
            .start_challenge(&first, &limits(now, 10, 10, 10))
            .await,
        Err(StoreError::Conflict { .. })
    ));
    let mut fourth = challenge(
        o.id,
        c,
        t.id,
        VerificationMethod::SmsCode,
        Timestamp(now.0 + 3),
    );
    fourth.recipient_key = b"recipient-3".to_vec();
    assert_eq!(
        store
            .start_challenge(&fourth, &limits(now, 10, 10, 10))
            .await
            .unwrap(),
        Ok(())
    );
    assert_eq!(
        store
            .challenge(o.id, fourth.verification.id)
            .await
            .unwrap()
            .verification
            .status,
        VerificationStatus::Pending
    );
}

/// A send that starts `at` to its own recipient (so only the technician and org windows bite).
fn send_at(o: OrgId, c: ContactId, t: TechnicianId, n: u8, at_ms: i64) -> NewChallenge {
    let mut ch = challenge(o, c, t, VerificationMethod::SmsCode, Timestamp(at_ms));
    ch.recipient_key = vec![b'r', n];
    ch
}

pub async fn send_limit_windows_slide_and_stay_per_scope(store: &Store) {
    let o = org(store, "acme").await;
    let other_org = org(store, "globex").await;
    let t = technician(store, &o, "t@acme.example", Role::Technician).await;
    let t2 = technician(store, &o, "t2@acme.example", Role::Technician).await;
    let g = technician(store, &other_org, "g@globex.example", Role::Technician).await;
    let c = contact(store, o.id).await;
    let gc = contact(store, other_org.id).await;
    let t0 = 10 * 86_400_000 + 30 * 60_000 + 5_000;
    let start = |ch: NewChallenge, now: i64, technician_max: i64, org_max: i64| async move {
        store
            .start_challenge(&ch, &limits(Timestamp(now), 3, technician_max, org_max))
            .await
            .unwrap()
    };
    assert_eq!(
        start(send_at(o.id, c, t.id, 1, t0), t0, 2, 100).await,
        Ok(())
    );
    assert_eq!(
        start(send_at(o.id, c, t.id, 2, t0 + 1), t0 + 1, 2, 100).await,
        Ok(())
    );
    assert_eq!(
        start(send_at(o.id, c, t.id, 3, t0 + 2), t0 + 2, 2, 100).await,
        Err(LimitHit::Technician)
    );
    // Another technician has a window of their own; another org is not counted at all.
    assert_eq!(
        start(send_at(o.id, c, t2.id, 4, t0 + 3), t0 + 3, 2, 100).await,
        Ok(())
    );
    assert_eq!(
        start(send_at(other_org.id, gc, g.id, 5, t0 + 3), t0 + 3, 1, 1).await,
        Ok(())
    );
    // The org window holds the three sends of both technicians.
    assert_eq!(
        start(send_at(o.id, c, t2.id, 6, t0 + 4), t0 + 4, 100, 3).await,
        Err(LimitHit::Org)
    );
    // Just under an hour later the technician's sends still count; just past an hour (plus
    // the bucket the window's start falls in) they do not.
    let hour = 3_600_000;
    assert_eq!(
        start(
            send_at(o.id, c, t.id, 7, t0 + hour - 1_000),
            t0 + hour - 1_000,
            2,
            100
        )
        .await,
        Err(LimitHit::Technician)
    );
    let later = t0 + hour + 60_000;
    assert_eq!(
        start(send_at(o.id, c, t.id, 8, later), later, 2, 100).await,
        Ok(())
    );
    // The org's day: four sends so far; a day and an hour later none of them count.
    assert_eq!(
        start(send_at(o.id, c, t.id, 9, later + 1), later + 1, 100, 4).await,
        Err(LimitHit::Org)
    );
    let next_day = t0 + 25 * hour;
    assert_eq!(
        start(send_at(o.id, c, t.id, 10, next_day), next_day, 100, 2).await,
        Ok(())
    );
    // The sweep purges buckets no window reaches: a window reaching back to the beginning
    // of time then sees only the sends of the last day and an hour.
    store
        .expire_challenges(Timestamp(next_day + 2 * hour), 100)
        .await
        .unwrap();
    let mut everything = limits(Timestamp(next_day + 2 * hour), 3, 100, 2);
    everything.org_since = Timestamp(0);
    assert_eq!(
        store
            .start_challenge(
                &send_at(o.id, c, t.id, 11, next_day + 2 * hour),
                &everything
            )
            .await
            .unwrap(),
        Ok(()),
        "only the send of the last day is left after the purge"
    );
}

/// A "who I am" send (issue 21.3): same recipient key, its own counts.
fn who_i_am_at(o: OrgId, c: ContactId, t: TechnicianId, at_ms: i64) -> NewChallenge {
    let mut ch = challenge(
        o,
        c,
        t,
        VerificationMethod::TechnicianVerification,
        Timestamp(at_ms),
    );
    ch.verification.status = VerificationStatus::Sent;
    ch.expires_at = Timestamp(at_ms);
    ch.recipient_key = vec![b'r', 1];
    ch
}

/// "Who I am" and end-user verifications count apart (per recipient, technician and org), and
/// a refused send learns when the next one is allowed.
pub async fn who_i_am_counts_apart_and_limits_say_when(store: &Store) {
    let o = org(store, "acme").await;
    let t = technician(store, &o, "t@acme.example", Role::Technician).await;
    let c = contact(store, o.id).await;
    let t0 = 10 * 86_400_000 + 30 * 60_000 + 5_000;
    let minute = 60_000;
    let two = |now: i64| limits(Timestamp(now), 2, 3, 100);
    let start = |ch: NewChallenge, now: i64| async move {
        store.start_challenge(&ch, &two(now)).await.unwrap()
    };
    assert_eq!(start(send_at(o.id, c, t.id, 1, t0), t0).await, Ok(()));
    assert_eq!(
        start(send_at(o.id, c, t.id, 1, t0 + minute), t0 + minute).await,
        Ok(())
    );
    let third = send_at(o.id, c, t.id, 1, t0 + 2 * minute);
    assert_eq!(
        start(third.clone(), t0 + 2 * minute).await,
        Err(LimitHit::Recipient)
    );
    // The second newest send leaves the 10 minutes at t0 + 10 min.
    assert_eq!(
        store
            .next_send_at(&third, &two(t0 + 2 * minute), LimitHit::Recipient)
            .await
            .unwrap(),
        Some(Timestamp(t0 + 10 * minute))
    );
    // "Who I am" to the same number is not counted with them, nor they with it.
    let who = |n: i64| who_i_am_at(o.id, c, t.id, t0 + 2 * minute + n);
    assert_eq!(start(who(0), t0 + 2 * minute).await, Ok(()));
    assert_eq!(start(who(1), t0 + 2 * minute + 1).await, Ok(()));
    assert_eq!(
        start(who(2), t0 + 2 * minute + 2).await,
        Err(LimitHit::Recipient)
    );
    assert_eq!(
        store
            .next_send_at(&who(2), &two(t0 + 2 * minute + 2), LimitHit::Recipient)
            .await
            .unwrap(),
        Some(Timestamp(t0 + 12 * minute))
    );
    // The technician's three per hour: two verifications so far (the "who I am" sends are in
    // their own buckets), so one more to another number goes, the next does not.
    assert_eq!(
        start(send_at(o.id, c, t.id, 2, t0 + 3 * minute), t0 + 3 * minute).await,
        Ok(())
    );
    let over = send_at(o.id, c, t.id, 3, t0 + 4 * minute);
    assert_eq!(
        start(over.clone(), t0 + 4 * minute).await,
        Err(LimitHit::Technician)
    );
    // The first minute's bucket leaves the hour one minute after the hour's start passes it.
    let bucket = t0 - t0.rem_euclid(minute);
    assert_eq!(
        store
            .next_send_at(&over, &two(t0 + 4 * minute), LimitHit::Technician)
            .await
            .unwrap(),
        Some(Timestamp(bucket + minute + 3_600_000))
    );
}

/// A new check supersedes the contact's pending ones that still work; one whose time is up
/// keeps its expiry (it expired unanswered, and reads so).
pub async fn only_live_checks_are_superseded(store: &Store) {
    let o = org(store, "acme").await;
    let t = technician(store, &o, "t@acme.example", Role::Technician).await;
    let c = contact(store, o.id).await;
    let now = at(1000);
    let old = challenge(o.id, c, t.id, VerificationMethod::SmsCode, now);
    let many = |n: Timestamp| limits(n, 10, 10, 10);
    assert_eq!(
        store.start_challenge(&old, &many(now)).await.unwrap(),
        Ok(())
    );
    let later = Timestamp(old.expires_at.0 + 1_000);
    let new = challenge(o.id, c, t.id, VerificationMethod::SmsCode, later);
    assert_eq!(
        store.start_challenge(&new, &many(later)).await.unwrap(),
        Ok(())
    );
    let read = store.challenge(o.id, old.verification.id).await.unwrap();
    assert_eq!(read.verification.status, VerificationStatus::Pending);
    assert_eq!(
        read.expires_at, old.expires_at,
        "its own expiry, not the new check's"
    );
    // A live one is superseded by the next.
    let newer = challenge(
        o.id,
        c,
        t.id,
        VerificationMethod::SmsCode,
        Timestamp(later.0 + 1),
    );
    assert_eq!(
        store
            .start_challenge(&newer, &many(Timestamp(later.0 + 1)))
            .await
            .unwrap(),
        Ok(())
    );
    let read = store.challenge(o.id, new.verification.id).await.unwrap();
    assert_eq!(read.verification.status, VerificationStatus::Expired);
    assert_eq!(read.completed_at, None);
}

pub async fn racing_guesses_never_exceed_the_attempt_cap(store: &Store) {
    let o = org(store, "acme").await;
    let t = technician(store, &o, "t@acme.example", Role::Technician).await;
    let c = contact(store, o.id).await;
    let now = at(1000);
    let ch = challenge(o.id, c, t.id, VerificationMethod::SmsCode, now);
    store
        .start_challenge(&ch, &limits(now, 3, 30, 1000))
        .await
        .unwrap()
        .unwrap();
    let id = ch.verification.id;
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..50 {
        let s = store.clone();
        tasks.spawn(async move {
            s.claim_attempt(o.id, id, Timestamp(now.0 + 1), 5)
                .await
                .unwrap()
                .is_some()
        });
    }
    let mut granted = 0;
    while let Some(r) = tasks.join_next().await {
        granted += i32::from(r.unwrap());
    }
    assert_eq!(granted, 5);
    assert_eq!(store.challenge(o.id, id).await.unwrap().attempts, 5);
    // Expiry is enforced in the SQL itself.
    let late = challenge(o.id, c, t.id, VerificationMethod::SmsCode, now);
    store
        .start_challenge(&late, &limits(now, 3, 30, 1000))
        .await
        .unwrap()
        .unwrap();
    let after = Timestamp(late.expires_at.0);
    assert!(
        store
            .claim_attempt(o.id, late.verification.id, after, 5)
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        !store
            .finish_challenge(
                o.id,
                late.verification.id,
                VerificationStatus::Verified,
                after
            )
            .await
            .unwrap()
    );
    let swept = store.expire_challenges(after, 100).await.unwrap();
    assert_eq!(swept.len(), 1);
    assert_eq!(swept[0].verification.status, VerificationStatus::Expired);
    // Another org sees nothing.
    let other = org(store, "other").await;
    assert!(matches!(
        store.challenge(other.id, id).await,
        Err(StoreError::NotFound)
    ));
    assert!(
        store
            .claim_attempt(other.id, late.verification.id, now, 5)
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        !store
            .finish_challenge(other.id, id, VerificationStatus::Verified, now)
            .await
            .unwrap()
    );
    // Recipient failures accumulate until cleared.
    assert_eq!(
        store
            .record_recipient_failure(o.id, b"r", now)
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        store
            .record_recipient_failure(o.id, b"r", now)
            .await
            .unwrap(),
        2
    );
    assert!(
        store
            .recipient_failures(other.id, b"r")
            .await
            .unwrap()
            .is_none()
    );
    store.clear_recipient_failures(o.id, b"r").await.unwrap();
    assert!(
        store
            .recipient_failures(o.id, b"r")
            .await
            .unwrap()
            .is_none()
    );
    // A claimed attempt says how many failures its recipient has (this org's only).
    let fresh = challenge(o.id, c, t.id, VerificationMethod::SmsCode, now);
    store
        .start_challenge(&fresh, &limits(now, 10, 30, 1000))
        .await
        .unwrap()
        .unwrap();
    store
        .record_recipient_failure(other.id, &fresh.recipient_key, now)
        .await
        .unwrap();
    let claim = |s: Store| async move {
        s.claim_attempt(o.id, fresh.verification.id, now, 5)
            .await
            .unwrap()
            .unwrap()
    };
    let first = claim(store.clone()).await;
    assert_eq!(first.recipient_failures, 0);
    assert!(!first.org_has_webhooks, "no endpoint yet");
    for _ in 0..3 {
        store
            .record_recipient_failure(o.id, &fresh.recipient_key, now)
            .await
            .unwrap();
    }
    assert_eq!(claim(store.clone()).await.recipient_failures, 3);
    // It also says whether the org has an enabled webhook endpoint (another org's do not count).
    let theirs = crate::webhooks::endpoint(other.id, &["verification.verified"]);
    store.create_webhook_endpoint(&theirs).await.unwrap();
    assert!(
        !claim(store.clone()).await.org_has_webhooks,
        "another org's endpoint"
    );
    let mut ours = crate::webhooks::endpoint(o.id, &["verification.verified"]);
    ours.enabled = false;
    store.create_webhook_endpoint(&ours).await.unwrap();
    assert!(
        !claim(store.clone()).await.org_has_webhooks,
        "a disabled endpoint"
    );
    let ours = crate::webhooks::endpoint(o.id, &["verification.requested"]);
    store.create_webhook_endpoint(&ours).await.unwrap();
    assert!(
        claim(store.clone()).await.org_has_webhooks,
        "an enabled endpoint"
    );
}

pub async fn concurrent_link_answers_have_one_winner(store: &Store) {
    let o = org(store, "acme").await;
    let t = technician(store, &o, "t@acme.example", Role::Technician).await;
    let c = contact(store, o.id).await;
    let now = at(1000);
    let ch = challenge(o.id, c, t.id, VerificationMethod::EmailLink, now);
    store
        .start_challenge(&ch, &limits(now, 3, 30, 1000))
        .await
        .unwrap()
        .unwrap();
    let found = store
        .challenge_by_link(&ch.secret_hash)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.verification.id, ch.verification.id);
    assert_eq!(found.match_choices, vec![17, 42, 88]);
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..20 {
        let s = store.clone();
        let id = ch.verification.id;
        let answer = if i % 2 == 0 {
            LinkAnswer::Approve(42)
        } else {
            LinkAnswer::Deny
        };
        tasks.spawn(async move {
            s.answer_link(o.id, id, answer, Timestamp(now.0 + 1))
                .await
                .unwrap()
        });
    }
    let mut winners = 0;
    while let Some(r) = tasks.join_next().await {
        winners += i32::from(r.unwrap().is_some());
    }
    assert_eq!(winners, 1);
    // A wrong number fails a link at once.
    let ch2 = challenge(o.id, c, t.id, VerificationMethod::SmsLink, now);
    store
        .start_challenge(&ch2, &limits(now, 3, 30, 1000))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        store
            .answer_link(o.id, ch2.verification.id, LinkAnswer::Approve(17), now)
            .await
            .unwrap(),
        Some(VerificationStatus::Failed)
    );
    assert_eq!(
        store
            .answer_link(o.id, ch2.verification.id, LinkAnswer::Approve(42), now)
            .await
            .unwrap(),
        None
    );
}

pub async fn technician_checks_flow_and_are_org_scoped(store: &Store) {
    let o = org(store, "acme").await;
    let t = technician(store, &o, "t@acme.example", Role::Technician).await;
    let c = contact(store, o.id).await;
    let other = org(store, "other").await;
    let stranger = technician(store, &other, "s@other.example", Role::Technician).await;
    assert_eq!(
        store
            .contacts_by_email(o.id, "ANN@c.example")
            .await
            .unwrap(),
        vec![c]
    );
    assert!(
        store
            .contacts_by_email(other.id, "ann@c.example")
            .await
            .unwrap()
            .is_empty()
    );
    let check = TechnicianCheck {
        id: TechnicianCheckId::new(),
        org_id: o.id,
        contact_id: c,
        token_hash: crate::fixtures::random_bytes(),
        technician_id: None,
        status: TechnicianCheckStatus::Sent,
        code: String::new(),
        created_at: at(10),
        expires_at: at(600),
        chosen_at: None,
        confirmed_at: None,
    };
    store.create_technician_check(&check).await.unwrap();
    assert_eq!(
        store
            .technician_check_by_token(&check.token_hash)
            .await
            .unwrap(),
        Some(check.clone())
    );
    assert_eq!(
        store.count_technician_checks(o.id, c, at(0)).await.unwrap(),
        1
    );
    assert!(
        matches!(
            store
                .choose_technician(o.id, check.id, stranger.id, at(11))
                .await,
            Err(StoreError::NotFound)
        ),
        "another org's technician cannot be chosen"
    );
    assert!(
        !store
            .choose_technician(other.id, check.id, stranger.id, at(11))
            .await
            .unwrap_or(false)
    );
    assert!(
        store
            .choose_technician(o.id, check.id, t.id, at(11))
            .await
            .unwrap()
    );
    assert!(
        !store
            .choose_technician(o.id, check.id, t.id, at(12))
            .await
            .unwrap(),
        "chosen once"
    );
    let inbox = store.technician_inbox(o.id, t.id, at(12)).await.unwrap();
    assert_eq!(inbox.len(), 1);
    assert_eq!(inbox[0].contact_name, "Ann Lee");
    assert!(
        store
            .technician_inbox(other.id, t.id, at(12))
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        !store
            .confirm_technician_check(other.id, check.id, t.id, "1234", at(13))
            .await
            .unwrap()
    );
    assert!(
        !store
            .confirm_technician_check(o.id, check.id, t.id, "1234", at(600))
            .await
            .unwrap(),
        "expired"
    );
    assert!(
        store
            .confirm_technician_check(o.id, check.id, t.id, "1234", at(13))
            .await
            .unwrap()
    );
    let done = store.technician_check(o.id, check.id).await.unwrap();
    assert_eq!(
        (done.status, done.code.as_str()),
        (TechnicianCheckStatus::Confirmed, "1234")
    );
    assert!(matches!(
        store.technician_check(other.id, check.id).await,
        Err(StoreError::NotFound)
    ));
}

pub async fn settings_round_trip_per_org(store: &Store) {
    use countersign_store::VerificationSettings;
    let o = org(store, "acme").await;
    let other = org(store, "other").await;
    assert_eq!(
        store.verification_settings(o.id).await.unwrap(),
        VerificationSettings::defaults(o.id)
    );
    let saved = VerificationSettings {
        code_minutes: 3,
        link_minutes: 7,
        per_recipient_10min: 2,
        per_technician_hour: 12,
        per_org_day: 99,
        require_note_for_other: true,
        secret_max_hours: 24,
        updated_at: Some(at(5)),
        ..VerificationSettings::defaults(o.id)
    };
    store.save_verification_settings(&saved).await.unwrap();
    assert_eq!(store.verification_settings(o.id).await.unwrap(), saved);
    assert_eq!(
        store.verification_settings(other.id).await.unwrap(),
        VerificationSettings::defaults(other.id),
        "another org keeps its own"
    );
    // The table refuses a link lifetime the product does not offer.
    let odd = VerificationSettings {
        secret_max_hours: 5,
        ..saved.clone()
    };
    assert!(store.save_verification_settings(&odd).await.is_err());
    assert_eq!(store.verification_settings(o.id).await.unwrap(), saved);
}
