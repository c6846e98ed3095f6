//! Invites: reading, accepting once, refusing used, expired and revoked invites.

use crate::fixtures::{T0, at, invite, invitee, new_invite, org, technician};
use crate::harness::concurrently;
use countersign_domain::{InviteId, Role};
use countersign_store::{InviteStore, Store, StoreError, TechnicianStore, constraints};

pub async fn create_and_read(store: &Store) {
    let acme = org(store, "acme").await;
    let admin = technician(store, &acme, "admin@acme.test", Role::Admin).await;
    let first = invite(store, &admin, "one@acme.test").await;
    let mut second = new_invite(&admin, "two@acme.test", at(3600));
    second.created_at = at(1);
    second.role = Role::Admin;
    store.create_invite(&second).await.unwrap();

    assert_eq!(store.invite(acme.id, first.id).await.unwrap(), first);
    assert_eq!(
        store
            .invite_by_token_hash(&second.token_hash)
            .await
            .unwrap(),
        Some(second.clone())
    );
    assert_eq!(store.invite_by_token_hash(b"unknown").await.unwrap(), None);
    let missing = store.invite(acme.id, InviteId::new()).await;
    assert!(matches!(missing, Err(StoreError::NotFound)));
    // Newest first.
    assert_eq!(
        store.open_invites(acme.id).await.unwrap(),
        vec![second.clone(), first]
    );

    let mut dup = new_invite(&admin, "three@acme.test", at(3600));
    dup.token_hash = second.token_hash.clone();
    match store.create_invite(&dup).await {
        Err(StoreError::Conflict { constraint }) => {
            assert_eq!(constraint, constraints::INVITE_TOKEN_HASH);
        }
        r => panic!("expected a token hash conflict, got {r:?}"),
    }
}

pub async fn accept_once(store: &Store) {
    let acme = org(store, "acme").await;
    let admin = technician(store, &acme, "admin@acme.test", Role::Admin).await;
    let inv = invite(store, &admin, "new@acme.test").await;

    let newcomer = invitee(&inv, &acme);
    assert!(
        store
            .accept_invite(inv.id, &newcomer, at(60))
            .await
            .unwrap()
    );
    assert_eq!(
        store.technician(acme.id, newcomer.id).await.unwrap(),
        newcomer
    );
    assert_eq!(
        store.invite(acme.id, inv.id).await.unwrap().accepted_at,
        Some(at(60))
    );
    assert!(store.open_invites(acme.id).await.unwrap().is_empty());

    // A second accept, even for another address, changes nothing.
    let mut again = invitee(&inv, &acme);
    again.email = "again@acme.test".into();
    assert!(!store.accept_invite(inv.id, &again, at(61)).await.unwrap());
    assert!(matches!(
        store.technician(acme.id, again.id).await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(
        store.invite(acme.id, inv.id).await.unwrap().accepted_at,
        Some(at(60))
    );
    assert_eq!(store.technicians(acme.id).await.unwrap().len(), 2);

    // Accepted invites cannot be revoked.
    let r = store.revoke_invite(acme.id, inv.id, at(62)).await;
    assert!(matches!(r, Err(StoreError::NotFound)));
    // Unknown invites are refused.
    let mut stranger = invitee(&inv, &acme);
    stranger.email = "stranger@acme.test".into();
    assert!(
        !store
            .accept_invite(InviteId::new(), &stranger, at(63))
            .await
            .unwrap()
    );
}

pub async fn expired_and_revoked_are_refused(store: &Store) {
    let acme = org(store, "acme").await;
    let admin = technician(store, &acme, "admin@acme.test", Role::Admin).await;

    let expiring = new_invite(&admin, "late@acme.test", at(100));
    store.create_invite(&expiring).await.unwrap();
    let late = invitee(&expiring, &acme);
    // Expired exactly at `expires_at`.
    assert!(
        !store
            .accept_invite(expiring.id, &late, at(100))
            .await
            .unwrap()
    );
    assert!(
        !store
            .accept_invite(expiring.id, &late, at(500))
            .await
            .unwrap()
    );
    assert!(matches!(
        store.technician(acme.id, late.id).await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(
        store
            .invite(acme.id, expiring.id)
            .await
            .unwrap()
            .accepted_at,
        None
    );
    // Expired invites are still listed (the page shows them as expired).
    assert_eq!(
        store.open_invites(acme.id).await.unwrap(),
        vec![expiring.clone()]
    );

    let revoked = invite(store, &admin, "revoked@acme.test").await;
    store
        .revoke_invite(acme.id, revoked.id, at(10))
        .await
        .unwrap();
    assert_eq!(
        store.invite(acme.id, revoked.id).await.unwrap().revoked_at,
        Some(at(10))
    );
    let r = store.revoke_invite(acme.id, revoked.id, at(11)).await;
    assert!(matches!(r, Err(StoreError::NotFound)));
    let who = invitee(&revoked, &acme);
    assert!(!store.accept_invite(revoked.id, &who, at(20)).await.unwrap());
    assert!(matches!(
        store.technician(acme.id, who.id).await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(
        store.invite(acme.id, revoked.id).await.unwrap().accepted_at,
        None
    );
    assert_eq!(store.open_invites(acme.id).await.unwrap(), vec![expiring]);

    // Before expiry it works.
    let fresh = new_invite(&admin, "fresh@acme.test", at(100));
    store.create_invite(&fresh).await.unwrap();
    assert!(
        store
            .accept_invite(fresh.id, &invitee(&fresh, &acme), at(99))
            .await
            .unwrap()
    );
    assert!(T0 < at(99));
}

pub async fn taken_email_keeps_invite_open(store: &Store) {
    let acme = org(store, "acme").await;
    let admin = technician(store, &acme, "admin@acme.test", Role::Admin).await;
    let inv = invite(store, &admin, "admin@acme.test").await;

    let clash = invitee(&inv, &acme);
    match store.accept_invite(inv.id, &clash, at(60)).await {
        Err(StoreError::Conflict { constraint }) => {
            assert_eq!(constraint, constraints::TECHNICIAN_EMAIL);
        }
        r => panic!("expected an email conflict, got {r:?}"),
    }
    // Rolled back: the invite is still open and usable.
    assert_eq!(
        store.invite(acme.id, inv.id).await.unwrap().accepted_at,
        None
    );
    let mut other = invitee(&inv, &acme);
    other.email = "other@acme.test".into();
    assert!(store.accept_invite(inv.id, &other, at(61)).await.unwrap());
}

pub async fn concurrent_accepts_have_one_winner(store: &Store) {
    let acme = org(store, "acme").await;
    let admin = technician(store, &acme, "admin@acme.test", Role::Admin).await;
    let inv = invite(store, &admin, "new@acme.test").await;

    let candidates: Vec<_> = (0..10)
        .map(|i| {
            let mut t = invitee(&inv, &acme);
            t.email = format!("racer{i}@acme.test");
            t
        })
        .collect();
    let results = concurrently(10, |i| {
        let (store, t) = (store.clone(), candidates[i].clone());
        async move { store.accept_invite(inv.id, &t, at(60)).await.unwrap() }
    })
    .await;
    assert_eq!(results.iter().filter(|r| **r).count(), 1, "{results:?}");
    // The admin and the one winner.
    assert_eq!(store.technicians(acme.id).await.unwrap().len(), 2);
}
