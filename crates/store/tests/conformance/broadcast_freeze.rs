//! The freeze of a broadcast's audience (issue 20): exact (what the preview counted), one row
//! per contact and channel with what goes out copied, untouched by later contact changes, and
//! the approval limits checked inside it (nothing kept when refused).

use crate::broadcasts::{directory, draft, freeze};
use crate::fixtures::at;
use countersign_domain::{BroadcastChannels, BroadcastStatus, Channel, RecipientStatus};
use countersign_store::{
    Audience, BroadcastStore, ContactEdit, ContactStore, Freeze, FreezeOutcome, Store,
};

pub async fn freezing_copies_the_audience_once_per_channel(store: &Store) {
    let (o, _, _, ann, _, admin) = directory(store, "acme").await;
    let b = draft(
        store,
        o,
        admin.id,
        Audience::AllCustomers,
        BroadcastChannels::BOTH,
    )
    .await;
    store
        .request_broadcast_approval(o, b.id, admin.id, at(10))
        .await
        .unwrap();
    let outcome = store
        .freeze_broadcast(o, b.id, &freeze(admin.id))
        .await
        .unwrap();
    let preview = store
        .preview_audience(o, &Audience::AllCustomers, BroadcastChannels::BOTH)
        .await
        .unwrap();
    assert_eq!(
        outcome,
        FreezeOutcome::Frozen(preview),
        "the freeze counts as the preview"
    );
    let frozen = store.broadcast(o, b.id).await.unwrap();
    assert_eq!(frozen.status, BroadcastStatus::Approved);
    assert_eq!(
        (frozen.approver_id, frozen.approved_at),
        (Some(admin.id), Some(at(100)))
    );
    assert_eq!(frozen.frozen, Some(preview));
    let rows = store
        .broadcast_recipients(o, b.id, None, 100)
        .await
        .unwrap();
    let mut got: Vec<(Channel, String, String, String)> = rows
        .iter()
        .map(|r| {
            (
                r.channel,
                r.address.clone(),
                r.first_name.clone(),
                r.customer_name.clone(),
            )
        })
        .collect();
    got.sort_by(|x, y| (x.0.as_str(), &x.1).cmp(&(y.0.as_str(), &y.1)));
    assert_eq!(
        got,
        vec![
            (
                Channel::Email,
                "ann@alpha.example".into(),
                "Ann".into(),
                "Alpha".into()
            ),
            (
                Channel::Email,
                "bo@alpha.example".into(),
                "Bo".into(),
                "Alpha".into()
            ),
            (
                Channel::Sms,
                "+14255550101".into(),
                "Ann".into(),
                "Alpha".into()
            ),
        ]
    );
    for r in &rows {
        assert_eq!(r.status, RecipientStatus::Pending);
        assert_eq!(
            r.idempotency_key,
            format!(
                "broadcast:{}:{}:{}",
                b.id.0.simple(),
                r.channel.as_str(),
                r.contact_id.0.simple()
            )
        );
    }
    // Paging in key order (channel, address) covers every row once.
    let first = store.broadcast_recipients(o, b.id, None, 2).await.unwrap();
    let last = first.last().unwrap();
    let rest = store
        .broadcast_recipients(o, b.id, Some((last.channel, last.address.as_str())), 2)
        .await
        .unwrap();
    assert_eq!(first.len() + rest.len(), 3);
    // Frozen: a contact changed afterwards changes nothing of what goes out.
    let edit = ContactEdit {
        given_name: "Annie".into(),
        display_name: "Annie Lee".into(),
        email: Some("annie@alpha.example".into()),
        ..ContactEdit::default()
    };
    store
        .update_contact(o, ann.id, &edit, None, at(200))
        .await
        .unwrap();
    let again = store
        .broadcast_recipients(o, b.id, None, 100)
        .await
        .unwrap();
    assert_eq!(again, rows);
    // Approved once: a second freeze changes nothing.
    let twice = store
        .freeze_broadcast(o, b.id, &freeze(admin.id))
        .await
        .unwrap();
    assert_eq!(twice, FreezeOutcome::NotAwaiting(BroadcastStatus::Approved));
}

pub async fn freeze_limits_keep_nothing_when_refused(store: &Store) {
    let (o, _, _, _, _, admin) = directory(store, "acme").await;
    let ask = |channels| async move {
        let b = draft(store, o, admin.id, Audience::AllCustomers, channels).await;
        store
            .request_broadcast_approval(o, b.id, admin.id, at(10))
            .await
            .unwrap();
        b
    };
    let b = ask(BroadcastChannels::BOTH).await;
    let limited = Freeze {
        max_recipients: Some(1),
        ..freeze(admin.id)
    };
    let refused = store.freeze_broadcast(o, b.id, &limited).await.unwrap();
    assert_eq!(refused, FreezeOutcome::AboveThreshold { recipients: 2 });
    let kept = store.broadcast(o, b.id).await.unwrap();
    assert_eq!(
        (kept.status, kept.frozen),
        (BroadcastStatus::AwaitingApproval, None)
    );
    assert!(
        store
            .broadcast_recipients(o, b.id, None, 10)
            .await
            .unwrap()
            .is_empty()
    );
    // Exactly at the limit is allowed; the cap then counts it for 24 hours.
    let capped = Freeze {
        max_recipients: Some(2),
        daily_cap: Some(3),
        ..freeze(admin.id)
    };
    assert!(matches!(
        store.freeze_broadcast(o, b.id, &capped).await.unwrap(),
        FreezeOutcome::Frozen(_)
    ));
    let second = ask(BroadcastChannels::BOTH).await;
    let over = store.freeze_broadcast(o, second.id, &capped).await.unwrap();
    assert_eq!(
        over,
        FreezeOutcome::OverDailyCap {
            used: 2,
            recipients: 2
        }
    );
    assert!(
        store
            .broadcast_recipients(o, second.id, None, 10)
            .await
            .unwrap()
            .is_empty()
    );
    let sms_only = ask(BroadcastChannels::SMS).await;
    let fits = store
        .freeze_broadcast(o, sms_only.id, &capped)
        .await
        .unwrap();
    assert!(
        matches!(fits, FreezeOutcome::Frozen(c) if c.recipients == 1),
        "{fits:?}"
    );
    // A day later the first approvals no longer count.
    let tomorrow = Freeze {
        at: at(100 + 86_400),
        ..capped
    };
    assert!(matches!(
        store
            .freeze_broadcast(o, second.id, &tomorrow)
            .await
            .unwrap(),
        FreezeOutcome::Frozen(_)
    ));
}
