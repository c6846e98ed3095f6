//! The dashboard's figures (issue 21.1): the daily verification rollup kept by triggers in
//! the transaction that ends a verification (every way one ends: a code check, a link's
//! answer, a newer request, the expiry sweep, "who I am"), Secure Send and message counts,
//! and org scoping.

use crate::fixtures::{T0, at, org, technician};
use crate::verifications::{challenge, contact, limits};
use countersign_domain::{Channel, OrgId, Role, TechnicianId, Timestamp, VerificationId};
use countersign_store::{
    ChallengeStore, ChannelFigures, DAY_MS, DashboardStore, LinkAnswer, MessageStore,
    OutcomeCounts, SecretKind, SecretStore, Store, TransportKind, Verification, VerificationMethod,
    VerificationStatus, VerificationStore,
};
use std::time::Duration;

/// Starts a verification of `c` at `now` (no message).
async fn start(
    store: &Store,
    o: OrgId,
    c: countersign_domain::ContactId,
    t: TechnicianId,
    method: VerificationMethod,
    now: Timestamp,
) -> VerificationId {
    let ch = challenge(o, c, t, method, now);
    store
        .start_challenge(&ch, &limits(now, 100, 100, 100))
        .await
        .unwrap()
        .unwrap();
    ch.verification.id
}

fn day() -> i64 {
    T0.0 / DAY_MS
}

fn counts(verified: i64, failed: i64, denied: i64, expired: i64, sent: i64) -> OutcomeCounts {
    OutcomeCounts {
        verified,
        failed,
        denied,
        expired,
        sent,
        time_to_verify: [0; 8],
    }
}

/// Without the histogram, to compare outcomes only.
fn outcomes(c: &OutcomeCounts) -> OutcomeCounts {
    OutcomeCounts {
        time_to_verify: [0; 8],
        ..*c
    }
}

pub async fn the_rollup_counts_every_way_a_verification_ends(store: &Store) {
    let o = org(store, "acme").await;
    let t = technician(store, &o, "t@acme.example", Role::Technician).await;
    let c = contact(store, o.id).await;
    let s = |secs| at(secs);

    // Verified by code after 20 s (the 15–30 s bucket).
    let a = start(store, o.id, c, t.id, VerificationMethod::SmsCode, s(0)).await;
    assert!(
        store
            .finish_challenge(o.id, a, VerificationStatus::Verified, s(20))
            .await
            .unwrap()
    );
    // Verified by link after 70 s (the 1–2 min bucket).
    let b = start(store, o.id, c, t.id, VerificationMethod::SmsLink, s(100)).await;
    let answered = store
        .answer_link(o.id, b, LinkAnswer::Approve(42), s(170))
        .await
        .unwrap();
    assert_eq!(answered, Some(VerificationStatus::Verified));
    // A newer request for the same contact cancels the pending one: it counts as expired.
    start(store, o.id, c, t.id, VerificationMethod::SmsCode, s(300)).await;
    let d = start(store, o.id, c, t.id, VerificationMethod::EmailCode, s(310)).await;
    // A wrong code ends it failed.
    assert!(
        store
            .finish_challenge(o.id, d, VerificationStatus::Failed, s(320))
            .await
            .unwrap()
    );
    // "This wasn't me".
    let e = start(store, o.id, c, t.id, VerificationMethod::SmsLink, s(400)).await;
    store
        .answer_link(o.id, e, LinkAnswer::Deny, s(410))
        .await
        .unwrap();
    // Not answered in time: the sweep expires it.
    start(store, o.id, c, t.id, VerificationMethod::SmsCode, s(500)).await;
    store.expire_challenges(s(900), 100).await.unwrap();
    // Still pending: not counted.
    start(store, o.id, c, t.id, VerificationMethod::SmsCode, s(1000)).await;
    // "Who I am" is stored already sent.
    store
        .record_verification(&Verification {
            id: VerificationId::new(),
            org_id: o.id,
            contact_id: c,
            technician_id: Some(t.id),
            method: VerificationMethod::TechnicianVerification,
            channel: "sms".into(),
            destination_masked: "+•••••••0101".into(),
            status: VerificationStatus::Sent,
            at: s(1100),
        })
        .await
        .unwrap();
    // An answer that loses (the verification is no longer pending) counts nothing more.
    assert!(
        !store
            .finish_challenge(o.id, a, VerificationStatus::Failed, s(30))
            .await
            .unwrap()
    );

    let days = store
        .verification_days(o.id, day() - 1, day() + 1)
        .await
        .unwrap();
    let of = |m: VerificationMethod| {
        days.iter()
            .find(|r| r.method == m && r.day == day())
            .map(|r| r.counts)
            .unwrap_or_default()
    };
    assert_eq!(days.len(), 4, "{days:?}");
    let sms_code = of(VerificationMethod::SmsCode);
    assert_eq!(outcomes(&sms_code), counts(1, 0, 0, 2, 0));
    assert_eq!(sms_code.time_to_verify, [0, 1, 0, 0, 0, 0, 0, 0]);
    let sms_link = of(VerificationMethod::SmsLink);
    assert_eq!(outcomes(&sms_link), counts(1, 0, 1, 0, 0));
    assert_eq!(sms_link.time_to_verify, [0, 0, 0, 1, 0, 0, 0, 0]);
    assert_eq!(of(VerificationMethod::EmailCode), counts(0, 1, 0, 0, 0));
    assert_eq!(
        of(VerificationMethod::TechnicianVerification),
        counts(0, 0, 0, 0, 1)
    );

    // The same verifications by technician and by customer: all of them, once each.
    let techs = store
        .verification_technicians(o.id, day(), day())
        .await
        .unwrap();
    assert_eq!(techs.len(), 1);
    assert_eq!(techs[0].technician_id, Some(t.id));
    assert_eq!(techs[0].name.as_deref(), Some(t.name.as_str()));
    assert_eq!(outcomes(&techs[0].counts), counts(2, 1, 1, 2, 1));
    assert_eq!(techs[0].counts.time_to_verify, [0, 1, 0, 1, 0, 0, 0, 0]);
    let customers = store
        .verification_customers(o.id, day(), day(), 10)
        .await
        .unwrap();
    assert_eq!(customers.len(), 1);
    assert_eq!(customers[0].name, "C");
    assert_eq!(customers[0].counts, techs[0].counts);

    // Another period has nothing.
    assert!(
        store
            .verification_days(o.id, day() + 1, day() + 7)
            .await
            .unwrap()
            .is_empty()
    );
}

pub async fn secure_send_and_messages_are_counted_per_period(store: &Store) {
    let o = org(store, "acme").await;
    let t = technician(store, &o, "t@acme.example", Role::Technician).await;
    let c = contact(store, o.id).await;
    let mut revealed = crate::secrets::new_secret(o.id, t.id, SecretKind::Send, 1);
    revealed.created_at = at(10);
    store.create_secret(&revealed).await.unwrap();
    store
        .claim_secret(o.id, revealed.id, SecretKind::Send, at(20), "ip")
        .await
        .unwrap()
        .unwrap();
    let open = crate::secrets::new_secret(o.id, t.id, SecretKind::Send, 1);
    store.create_secret(&open).await.unwrap();
    let burned = crate::secrets::new_secret(o.id, t.id, SecretKind::Send, 1);
    store.create_secret(&burned).await.unwrap();
    store
        .burn_secret(o.id, burned.id, None, at(30))
        .await
        .unwrap();
    // A request is not a Secure Send link; an older link is outside the period.
    let request = crate::secrets::new_secret(o.id, t.id, SecretKind::Request, 1);
    store.create_secret(&request).await.unwrap();
    let mut old = crate::secrets::new_secret(o.id, t.id, SecretKind::Send, 1);
    old.created_at = Timestamp(T0.0 - 10 * DAY_MS);
    old.expires_at = old.created_at.plus(Duration::from_secs(60));
    store.create_secret(&old).await.unwrap();
    store.expire_secrets(T0, 100).await.unwrap();

    let f = store
        .secret_figures(o.id, Timestamp(T0.0 - DAY_MS))
        .await
        .unwrap();
    assert_eq!(
        (f.sent, f.revealed, f.expired, f.burned, f.open),
        (3, 1, 0, 1, 1)
    );
    let all = store
        .secret_figures(o.id, Timestamp(T0.0 - 30 * DAY_MS))
        .await
        .unwrap();
    assert_eq!((all.sent, all.expired), (4, 1));

    // A verification's message, queued with it.
    let mut ch = challenge(o.id, c, t.id, VerificationMethod::SmsCode, at(0));
    ch.message = Some((
        crate::messages::new_message(o.id, "verification:dash", TransportKind::Outbox),
        crate::jobs::new_job(o.id, at(0), Some("message:dash")),
    ));
    store
        .start_challenge(&ch, &limits(at(0), 10, 10, 10))
        .await
        .unwrap()
        .unwrap();
    let waiting = |n| {
        vec![ChannelFigures {
            channel: Channel::Sms,
            delivered: 0,
            sent: 0,
            failed: 0,
            waiting: n,
        }]
    };
    assert_eq!(
        store.message_figures(o.id, day() - 1).await.unwrap(),
        waiting(1)
    );
    // A message five days old: counted live until its day is rolled up, then from the
    // rollup; today's are always counted live.
    let mut old = crate::messages::new_message(o.id, "old", TransportKind::Outbox);
    old.created_at = Timestamp(T0.0 - 5 * DAY_MS);
    store.queue_message(&old, None).await.unwrap();
    assert_eq!(
        store.message_figures(o.id, day() - 10).await.unwrap(),
        waiting(2)
    );
    assert!(store.message_rollup_orgs().await.unwrap().contains(&o.id));
    // Five days to roll up before today, three at most per call, the last one again each
    // time (its late receipts): 3, then 2, then none new.
    assert_eq!(store.roll_up_message_days(o.id, day(), 3).await.unwrap(), 3);
    assert_eq!(store.roll_up_message_days(o.id, day(), 3).await.unwrap(), 2);
    assert_eq!(store.roll_up_message_days(o.id, day(), 3).await.unwrap(), 0);
    assert_eq!(
        store.message_figures(o.id, day() - 10).await.unwrap(),
        waiting(2)
    );
    assert_eq!(
        store.message_figures(o.id, day() - 1).await.unwrap(),
        waiting(1)
    );
    // Another org rolls up nothing of this one's.
    let b = org(store, "bravo").await;
    assert_eq!(
        store.roll_up_message_days(b.id, day(), 30).await.unwrap(),
        0
    );
    assert!(
        store
            .message_figures(b.id, day() - 30)
            .await
            .unwrap()
            .is_empty()
    );
}

pub async fn one_orgs_figures_never_count_anothers(store: &Store) {
    let a = org(store, "alpha").await;
    let b = org(store, "bravo").await;
    let ta = technician(store, &a, "t@alpha.example", Role::Technician).await;
    let tb = technician(store, &b, "t@bravo.example", Role::Technician).await;
    let ca = contact(store, a.id).await;
    let cb = contact(store, b.id).await;
    for i in 0..3 {
        let v = start(
            store,
            a.id,
            ca,
            ta.id,
            VerificationMethod::SmsCode,
            at(i * 100),
        )
        .await;
        store
            .finish_challenge(a.id, v, VerificationStatus::Verified, at(i * 100 + 5))
            .await
            .unwrap();
    }
    let v = start(store, b.id, cb, tb.id, VerificationMethod::EmailLink, at(0)).await;
    store
        .answer_link(b.id, v, LinkAnswer::Deny, at(5))
        .await
        .unwrap();
    store
        .create_secret(&crate::secrets::new_secret(
            a.id,
            ta.id,
            SecretKind::Send,
            1,
        ))
        .await
        .unwrap();

    let days_b = store.verification_days(b.id, day(), day()).await.unwrap();
    assert_eq!(days_b.len(), 1);
    assert_eq!(days_b[0].method, VerificationMethod::EmailLink);
    assert_eq!(days_b[0].counts, counts(0, 0, 1, 0, 0));
    let techs_b = store
        .verification_technicians(b.id, day(), day())
        .await
        .unwrap();
    assert_eq!(
        techs_b.iter().map(|t| t.technician_id).collect::<Vec<_>>(),
        vec![Some(tb.id)]
    );
    let customers_b = store
        .verification_customers(b.id, day(), day(), 10)
        .await
        .unwrap();
    assert_eq!(customers_b.len(), 1);
    assert_eq!(customers_b[0].counts.denied, 1);
    assert_eq!(customers_b[0].counts.verified, 0);
    let since = Timestamp(T0.0 - DAY_MS);
    assert_eq!(store.secret_figures(b.id, since).await.unwrap().sent, 0);
    assert_eq!(store.secret_figures(a.id, since).await.unwrap().sent, 1);
    // And org A sees its own only.
    let days_a = store.verification_days(a.id, day(), day()).await.unwrap();
    assert_eq!(days_a.len(), 1);
    assert_eq!(days_a[0].counts.verified, 3);
    assert_eq!(days_a[0].counts.denied, 0);
}
