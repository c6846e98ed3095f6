//! A technician's change of their own email address (issue 21.5): a newer request replaces
//! the older, the link works once (also under racing requests), not after its expiry, not for
//! a deactivated technician and not for an address taken meanwhile; the display name is the
//! technician's own. Every org-scoped method ignores another org's technician.

use crate::fixtures::{at, org, random_bytes, technician};
use crate::harness::concurrently;
use countersign_domain::Role;
use countersign_store::{
    EmailChange, EmailChangeStore, Store, StoreError, Technician, TechnicianStore, constraints,
};
use std::time::Duration;

fn change(t: &Technician, to: &str, created_s: u64) -> EmailChange {
    EmailChange {
        token_hash: random_bytes(),
        org_id: t.org_id,
        technician_id: t.id,
        new_email: to.to_owned(),
        created_at: at(created_s),
        expires_at: at(created_s).plus(Duration::from_secs(3600)),
    }
}

async fn email_of(store: &Store, t: &Technician) -> String {
    store.technician(t.org_id, t.id).await.unwrap().email
}

pub async fn a_change_link_works_once_and_a_newer_request_replaces_it(store: &Store) {
    let acme = org(store, "acme").await;
    let amy = technician(store, &acme, "amy@acme.test", Role::Technician).await;
    let first = change(&amy, "amy@old-choice.test", 0);
    store.create_email_change(&first).await.unwrap();
    let second = change(&amy, "amy@new.test", 10);
    store.create_email_change(&second).await.unwrap();
    // The older request is gone: its link does nothing.
    assert_eq!(
        store
            .email_change_by_token_hash(&first.token_hash)
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        store
            .complete_email_change(&first.token_hash, at(20))
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        store.pending_email_change(acme.id, amy.id).await.unwrap(),
        Some(second.clone())
    );
    // Past its expiry nothing changes.
    assert_eq!(
        store
            .complete_email_change(&second.token_hash, at(10 + 3600))
            .await
            .unwrap(),
        None
    );
    assert_eq!(email_of(store, &amy).await, "amy@acme.test");
    // Used: the address changes, the pending change is gone, and a replay fails.
    let used = store
        .complete_email_change(&second.token_hash, at(30))
        .await
        .unwrap();
    assert_eq!(used, Some(second.clone()));
    assert_eq!(email_of(store, &amy).await, "amy@new.test");
    assert_eq!(
        store.pending_email_change(acme.id, amy.id).await.unwrap(),
        None
    );
    assert_eq!(
        store
            .complete_email_change(&second.token_hash, at(31))
            .await
            .unwrap(),
        None
    );
}

pub async fn racing_uses_of_a_change_link_have_one_winner(store: &Store) {
    let acme = org(store, "acme").await;
    let amy = technician(store, &acme, "amy@acme.test", Role::Technician).await;
    let link = change(&amy, "amy@new.test", 0);
    store.create_email_change(&link).await.unwrap();
    let results = concurrently(8, |_| {
        let (store, hash) = (store.clone(), link.token_hash.clone());
        async move {
            store
                .complete_email_change(&hash, at(5))
                .await
                .unwrap()
                .is_some()
        }
    })
    .await;
    assert_eq!(results.iter().filter(|won| **won).count(), 1, "{results:?}");
    assert_eq!(email_of(store, &amy).await, "amy@new.test");
}

pub async fn a_taken_address_or_a_deactivated_technician_changes_nothing(store: &Store) {
    let acme = org(store, "acme").await;
    let other = org(store, "other").await;
    let amy = technician(store, &acme, "amy@acme.test", Role::Technician).await;
    let link = change(&amy, "bob@other.test", 0);
    store.create_email_change(&link).await.unwrap();
    // Another org's technician took the address after the request.
    technician(store, &other, "bob@other.test", Role::Technician).await;
    let taken = store.complete_email_change(&link.token_hash, at(5)).await;
    assert!(
        matches!(&taken, Err(StoreError::Conflict { constraint }) if constraint == constraints::TECHNICIAN_EMAIL),
        "{taken:?}"
    );
    assert_eq!(email_of(store, &amy).await, "amy@acme.test");
    // The claim was rolled back with the update: the link is still there (dies with expiry).
    assert!(
        store
            .email_change_by_token_hash(&link.token_hash)
            .await
            .unwrap()
            .is_some()
    );
    // Deactivated: nothing changes.
    let free = change(&amy, "amy@free.test", 6);
    store.create_email_change(&free).await.unwrap();
    store.set_active(acme.id, amy.id, false).await.unwrap();
    assert_eq!(
        store
            .complete_email_change(&free.token_hash, at(7))
            .await
            .unwrap(),
        None
    );
    assert_eq!(email_of(store, &amy).await, "amy@acme.test");
}

pub async fn another_orgs_id_reads_and_cancels_nothing(store: &Store) {
    let acme = org(store, "acme").await;
    let other = org(store, "other").await;
    let amy = technician(store, &acme, "amy@acme.test", Role::Technician).await;
    let link = change(&amy, "amy@new.test", 0);
    store.create_email_change(&link).await.unwrap();
    assert_eq!(
        store.pending_email_change(other.id, amy.id).await.unwrap(),
        None
    );
    assert!(!store.cancel_email_change(other.id, amy.id).await.unwrap());
    assert!(matches!(
        store.set_name(other.id, amy.id, "Mallory").await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(
        store.technician(acme.id, amy.id).await.unwrap().name,
        amy.name
    );
    // The owner's org cancels it.
    assert!(store.cancel_email_change(acme.id, amy.id).await.unwrap());
    assert_eq!(
        store.pending_email_change(acme.id, amy.id).await.unwrap(),
        None
    );
    store.set_name(acme.id, amy.id, "Amy Pond").await.unwrap();
    assert_eq!(
        store.technician(acme.id, amy.id).await.unwrap().name,
        "Amy Pond"
    );
}
