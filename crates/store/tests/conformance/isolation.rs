//! Org isolation: every org-scoped method, called with org A's id and org B's row ids, finds
//! nothing and changes nothing.

use crate::audit::entry;
use crate::fixtures::{at, invite, invitee, new_invite, org, random_bytes, session, technician};
use countersign_domain::Role;
use countersign_store::{
    AuditFilter, AuditStore, InviteStore, Org, SessionStore, Store, StoreError, Technician,
    TechnicianStore,
};

/// Orgs A and B, an admin in each.
async fn two_orgs(store: &Store) -> (Org, Technician, Org, Technician) {
    let a = org(store, "a").await;
    let b = org(store, "b").await;
    let admin_a = technician(store, &a, "admin@a.test", Role::Admin).await;
    let admin_b = technician(store, &b, "admin@b.test", Role::Admin).await;
    (a, admin_a, b, admin_b)
}

fn is_not_found<T: std::fmt::Debug>(r: &Result<T, StoreError>) -> bool {
    matches!(r, Err(StoreError::NotFound))
}

pub async fn technician_methods(store: &Store) {
    let (a, _, b, bt) = two_orgs(store).await;
    let bs = session(store, &bt, at(0)).await;
    let before = store.technician(b.id, bt.id).await.unwrap();

    assert!(is_not_found(&store.technician(a.id, bt.id).await));
    assert!(
        !store
            .technicians(a.id)
            .await
            .unwrap()
            .iter()
            .any(|t| t.id == bt.id)
    );
    assert_eq!(store.count_active_admins(a.id).await.unwrap(), 1);
    assert!(is_not_found(
        &store.set_role(a.id, bt.id, Role::Technician).await
    ));
    assert!(is_not_found(&store.set_active(a.id, bt.id, false).await));
    assert!(is_not_found(
        &store.set_password_hash(a.id, bt.id, "$stolen").await
    ));
    assert!(is_not_found(
        &store.set_last_login(a.id, bt.id, at(9)).await
    ));

    assert_eq!(store.technician(b.id, bt.id).await.unwrap(), before);
    assert_eq!(store.count_active_admins(b.id).await.unwrap(), 1);
    assert_eq!(
        store.session_by_token_hash(&bs.token_hash).await.unwrap(),
        Some(bs)
    );
}

pub async fn totp_methods(store: &Store) {
    let (a, _, b, bt) = two_orgs(store).await;
    let codes = vec![random_bytes(), random_bytes()];
    store
        .enable_totp(b.id, bt.id, &random_bytes(), &codes, at(0))
        .await
        .unwrap();
    store
        .set_totp_pending(b.id, bt.id, Some(&random_bytes()))
        .await
        .unwrap();
    assert!(store.claim_totp_step(b.id, bt.id, 10).await.unwrap());
    let before = store.technician(b.id, bt.id).await.unwrap();

    assert!(is_not_found(
        &store.set_totp_pending(a.id, bt.id, None).await
    ));
    let r = store
        .enable_totp(a.id, bt.id, &random_bytes(), &[random_bytes()], at(1))
        .await;
    assert!(is_not_found(&r));
    assert!(is_not_found(&store.disable_totp(a.id, bt.id).await));
    assert!(!store.claim_totp_step(a.id, bt.id, 11).await.unwrap());
    assert!(
        !store
            .use_recovery_code(a.id, bt.id, &codes[0], at(2))
            .await
            .unwrap()
    );
    assert_eq!(store.recovery_codes_left(a.id, bt.id).await.unwrap(), 0);

    assert_eq!(store.technician(b.id, bt.id).await.unwrap(), before);
    assert_eq!(store.recovery_codes_left(b.id, bt.id).await.unwrap(), 2);
    // B's own use still works, so nothing was consumed above.
    assert!(store.claim_totp_step(b.id, bt.id, 11).await.unwrap());
    assert!(
        store
            .use_recovery_code(b.id, bt.id, &codes[0], at(3))
            .await
            .unwrap()
    );
}

pub async fn invite_methods(store: &Store) {
    let (a, _, b, bt) = two_orgs(store).await;
    let inv = invite(store, &bt, "new@b.test").await;

    assert!(is_not_found(&store.invite(a.id, inv.id).await));
    assert!(store.open_invites(a.id).await.unwrap().is_empty());
    assert!(is_not_found(
        &store.revoke_invite(a.id, inv.id, at(1)).await
    ));
    // B's invite cannot make a technician of A.
    let intruder = invitee(&inv, &a);
    assert!(!store.accept_invite(inv.id, &intruder, at(2)).await.unwrap());
    assert!(is_not_found(&store.technician(a.id, intruder.id).await));
    assert!(
        store
            .technician_by_email_for_login("new@b.test")
            .await
            .unwrap()
            .is_none()
    );

    assert_eq!(store.invite(b.id, inv.id).await.unwrap(), inv);
    assert_eq!(store.open_invites(b.id).await.unwrap(), vec![inv.clone()]);
    assert!(
        store
            .accept_invite(inv.id, &invitee(&inv, &b), at(3))
            .await
            .unwrap()
    );
}

pub async fn session_methods(store: &Store) {
    let (a, _, b, bt) = two_orgs(store).await;
    let bs = session(store, &bt, at(0)).await;

    assert!(store.sessions_of(a.id, bt.id).await.unwrap().is_empty());
    assert_eq!(store.delete_sessions_of(a.id, bt.id).await.unwrap(), 0);
    assert_eq!(store.sessions_of(b.id, bt.id).await.unwrap(), vec![bs]);
}

pub async fn audit_methods(store: &Store) {
    let (a, _, b, bt) = two_orgs(store).await;
    store
        .append_audit(
            &crate::audit::audit_key(),
            &entry(Some(b.id), Some(bt.id), "login.ok", at(1)),
        )
        .await
        .unwrap();
    let all = AuditFilter {
        limit: 100,
        ..AuditFilter::default()
    };
    assert!(store.audit_entries(a.id, &all).await.unwrap().is_empty());
    let by_b = AuditFilter {
        actor_id: Some(bt.id),
        ..all.clone()
    };
    assert!(store.audit_entries(a.id, &by_b).await.unwrap().is_empty());
    assert_eq!(store.audit_entries(b.id, &by_b).await.unwrap().len(), 1);
}

/// The schema itself refuses rows that tie one org's id to another org's technician.
pub async fn cross_org_references_are_refused(store: &Store) {
    let (a, at_, _, bt) = two_orgs(store).await;

    let mut s = session(store, &at_, at(0)).await;
    s.id = countersign_domain::SessionId::new();
    s.token_hash = random_bytes();
    s.technician_id = bt.id;
    assert!(matches!(
        store.create_session(&s).await,
        Err(StoreError::Conflict { .. })
    ));
    assert!(store.sessions_of(a.id, bt.id).await.unwrap().is_empty());

    let mut inv = new_invite(&at_, "x@a.test", at(100));
    inv.invited_by = bt.id;
    assert!(matches!(
        store.create_invite(&inv).await,
        Err(StoreError::Conflict { .. })
    ));
    assert!(store.open_invites(a.id).await.unwrap().is_empty());
}
