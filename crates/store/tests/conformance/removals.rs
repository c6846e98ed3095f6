//! A contact its source removes cannot be verified (issue 17.12): the sync that removes it
//! fails its pending verifications in the same transaction, so a code or approve link sent
//! before cannot complete afterwards.

use crate::contacts::user;
use crate::fixtures::{at, org, technician};
use crate::verifications::{challenge, contact, limits};
use countersign_domain::Role;
use countersign_store::{
    ChallengeStore, ContactStore, LinkAnswer, SourceKind, Store, SyncedContact, VerificationMethod,
    VerificationStatus,
};

pub async fn removal_fails_pending_verifications(store: &Store) {
    let o = org(store, "acme").await;
    let t = technician(store, &o, "t@acme.example", Role::Technician).await;
    let ann = contact(store, o.id).await;
    let customer = store.contact(o.id, ann).await.unwrap().customer_id;
    let now = at(1000);
    // One outstanding verification per contact: an approve link.
    let link = challenge(o.id, ann, t.id, VerificationMethod::SmsLink, now);
    store
        .start_challenge(&link, &limits(now, 10, 10, 10))
        .await
        .unwrap()
        .unwrap();
    // Another org's contact with the same external id is not touched.
    let other = org(store, "other").await;
    let t2 = technician(store, &other, "t@other.example", Role::Technician).await;
    let bob = contact(store, other.id).await;
    let theirs = challenge(other.id, bob, t2.id, VerificationMethod::SmsCode, now);
    store
        .start_challenge(&theirs, &limits(now, 10, 10, 10))
        .await
        .unwrap()
        .unwrap();

    let gone = SyncedContact {
        removed: true,
        ..user("u1", "Ann Lee", "ann@c.example", None)
    };
    let out = store
        .upsert_synced_contacts(o.id, customer, SourceKind::Microsoft365, &[gone], at(1001))
        .await
        .unwrap();
    assert_eq!(out.removed, 1);
    let later = at(1002);
    let stored = store.challenge(o.id, link.verification.id).await.unwrap();
    assert_eq!(stored.status_at(later), VerificationStatus::Failed);
    assert_eq!(
        store
            .answer_link(o.id, link.verification.id, LinkAnswer::Approve(42), later)
            .await
            .unwrap(),
        None,
        "the link cannot be approved"
    );
    let stored = store
        .challenge(other.id, theirs.verification.id)
        .await
        .unwrap();
    assert_eq!(stored.status_at(later), VerificationStatus::Pending);
    assert!(
        store
            .claim_attempt(other.id, theirs.verification.id, later, 5)
            .await
            .unwrap()
            .is_some(),
        "the other org's code still works"
    );
}
