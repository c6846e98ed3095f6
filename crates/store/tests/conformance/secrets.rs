//! Secure Data Send and Request: a view is claimed atomically (racing reveals of a one-view
//! link have exactly one winner), expiry is in the claim itself, the last view / burn / purge
//! delete the ciphertext and keys and keep a tombstone, and everything is org-scoped.

use crate::fixtures::{T0, at, org, random_bytes, technician};
use countersign_domain::{OrgId, Role, SecretId, TechnicianId, VerificationId};
use countersign_store::{NewSecret, SecretKind, SecretState, SecretStore, Store, StoreError};
use std::time::Duration;

pub fn new_secret(o: OrgId, t: TechnicianId, kind: SecretKind, views: i64) -> NewSecret {
    NewSecret {
        id: SecretId::new(),
        org_id: o,
        kind,
        token_hash: random_bytes(),
        technician_id: t,
        contact_id: None,
        channel: "copy".into(),
        recipient_masked: "a•••@c.example".into(),
        label: "wifi password".into(),
        envelope: (kind == SecretKind::Send).then(|| b"ciphertext".to_vec()),
        server_share: None,
        private_key: (kind == SecretKind::Request).then(|| b"sealed private key".to_vec()),
        public_key: String::new(),
        has_passphrase: false,
        require_verification: false,
        max_views: views,
        notify_on_reveal: false,
        created_at: T0,
        expires_at: T0.plus(Duration::from_secs(3600)),
    }
}

pub async fn concurrent_reveals_of_a_one_view_secret_have_one_winner(store: &Store) {
    let o = org(store, "acme").await;
    let t = technician(store, &o, "t@acme.example", Role::Technician).await;
    let s = new_secret(o.id, t.id, SecretKind::Send, 1);
    store.create_secret(&s).await.unwrap();
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..20 {
        let st = store.clone();
        let (org_id, id) = (o.id, s.id);
        tasks.spawn(async move {
            st.claim_secret(org_id, id, SecretKind::Send, at(10), "192.0.2.1")
                .await
                .unwrap()
        });
    }
    let mut winners = Vec::new();
    while let Some(r) = tasks.join_next().await {
        if let Some(c) = r.unwrap() {
            winners.push(c);
        }
    }
    assert_eq!(winners.len(), 1, "exactly one reveal succeeds");
    assert_eq!(winners[0].envelope, b"ciphertext");
    assert_eq!(winners[0].views_left, 0);
    // The ciphertext is gone at once; the tombstone keeps who/when.
    let tomb = store.secret(o.id, s.id).await.unwrap();
    assert_eq!(tomb.state, SecretState::Revealed);
    assert!(!tomb.has_envelope);
    assert_eq!(tomb.first_revealed_at, Some(at(10)));
    assert_eq!(tomb.last_reveal_ip.as_deref(), Some("192.0.2.1"));
    assert_eq!(tomb.ended_at, Some(at(10)));
}

pub async fn views_expiry_and_burn_are_enforced_in_the_claim(store: &Store) {
    let o = org(store, "acme").await;
    let t = technician(store, &o, "t@acme.example", Role::Technician).await;
    // Three views: three claims, then none; racing claims never exceed the count.
    let s = new_secret(o.id, t.id, SecretKind::Send, 3);
    store.create_secret(&s).await.unwrap();
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..12 {
        let st = store.clone();
        let (org_id, id) = (o.id, s.id);
        tasks.spawn(async move {
            st.claim_secret(org_id, id, SecretKind::Send, at(5), "ip")
                .await
                .unwrap()
                .is_some()
        });
    }
    let mut granted = 0;
    while let Some(r) = tasks.join_next().await {
        granted += i32::from(r.unwrap());
    }
    assert_eq!(granted, 3);
    // Expiry is in the statement itself, before any purge.
    let late = new_secret(o.id, t.id, SecretKind::Send, 1);
    store.create_secret(&late).await.unwrap();
    let expired = store
        .claim_secret(o.id, late.id, SecretKind::Send, late.expires_at, "ip")
        .await
        .unwrap();
    assert!(expired.is_none());
    assert_eq!(
        store
            .secret(o.id, late.id)
            .await
            .unwrap()
            .state_at(late.expires_at),
        SecretState::Expired
    );
    // The purge ends it, deleting the ciphertext, and keeps the tombstone.
    let purged = store.expire_secrets(late.expires_at, 100).await.unwrap();
    assert_eq!(
        purged.iter().map(|p| p.id).collect::<Vec<_>>(),
        vec![late.id]
    );
    let tomb = store.secret(o.id, late.id).await.unwrap();
    assert_eq!(tomb.state, SecretState::Expired);
    assert!(!tomb.has_envelope);
    assert!(
        store
            .expire_secrets(late.expires_at, 100)
            .await
            .unwrap()
            .is_empty()
    );
    // Burn: once, then nothing can be claimed.
    let b = new_secret(o.id, t.id, SecretKind::Send, 2);
    store.create_secret(&b).await.unwrap();
    assert!(store.burn_secret(o.id, b.id, None, at(1)).await.unwrap());
    assert!(!store.burn_secret(o.id, b.id, None, at(2)).await.unwrap());
    assert!(
        store
            .claim_secret(o.id, b.id, SecretKind::Send, at(3), "ip")
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(
        store.secret(o.id, b.id).await.unwrap().state,
        SecretState::Burned
    );
    // GET-side metadata claims nothing.
    let g = new_secret(o.id, t.id, SecretKind::Send, 1);
    store.create_secret(&g).await.unwrap();
    store.mark_secret_opened(o.id, g.id, at(1)).await.unwrap();
    store.mark_secret_opened(o.id, g.id, at(2)).await.unwrap();
    let opened = store.secret(o.id, g.id).await.unwrap();
    assert_eq!(opened.opened_at, Some(at(1)));
    assert_eq!(opened.views_left, 1);
    let by_token = store.secret_by_token(&g.token_hash).await.unwrap().unwrap();
    assert_eq!(by_token.id, g.id);
}

pub async fn verification_gates_the_server_share(store: &Store) {
    let o = org(store, "acme").await;
    let t = technician(store, &o, "t@acme.example", Role::Technician).await;
    let mut s = new_secret(o.id, t.id, SecretKind::Send, 1);
    s.require_verification = true;
    s.server_share = Some(b"sealed share".to_vec());
    store.create_secret(&s).await.unwrap();
    assert!(
        store
            .claim_secret(o.id, s.id, SecretKind::Send, at(1), "ip")
            .await
            .unwrap()
            .is_none(),
        "no view before the recipient is verified"
    );
    assert!(
        store
            .set_secret_verified(o.id, s.id, VerificationId::new(), at(2))
            .await
            .unwrap()
    );
    let c = store
        .claim_secret(o.id, s.id, SecretKind::Send, at(3), "ip")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(c.server_share.as_deref(), Some(&b"sealed share"[..]));
}

pub async fn requests_are_answered_once_and_revealed_once(store: &Store) {
    let o = org(store, "acme").await;
    let t = technician(store, &o, "t@acme.example", Role::Technician).await;
    let r = new_secret(o.id, t.id, SecretKind::Request, 1);
    store.create_secret(&r).await.unwrap();
    assert_eq!(
        store.secret(o.id, r.id).await.unwrap().state,
        SecretState::Waiting
    );
    // Nothing to reveal before the contact answers; a send-kind claim never opens a request.
    assert!(
        store
            .claim_secret(o.id, r.id, SecretKind::Request, at(1), "ip")
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        store
            .submit_secret_request(o.id, r.id, b"answer", at(2))
            .await
            .unwrap()
    );
    assert!(
        !store
            .submit_secret_request(o.id, r.id, b"again", at(3))
            .await
            .unwrap()
    );
    assert!(
        store
            .claim_secret(o.id, r.id, SecretKind::Send, at(4), "ip")
            .await
            .unwrap()
            .is_none()
    );
    let c = store
        .claim_secret(o.id, r.id, SecretKind::Request, at(5), "ip")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(c.envelope, b"answer");
    assert_eq!(c.private_key.as_deref(), Some(&b"sealed private key"[..]));
    assert!(
        store
            .claim_secret(o.id, r.id, SecretKind::Request, at(6), "ip")
            .await
            .unwrap()
            .is_none()
    );
    let tomb = store.secret(o.id, r.id).await.unwrap();
    assert_eq!(tomb.state, SecretState::Revealed);
    assert_eq!(tomb.submitted_at, Some(at(2)));
    // An expired request takes no answer.
    let late = new_secret(o.id, t.id, SecretKind::Request, 1);
    store.create_secret(&late).await.unwrap();
    assert!(
        !store
            .submit_secret_request(o.id, late.id, b"x", late.expires_at)
            .await
            .unwrap()
    );
}

pub async fn secrets_are_org_scoped(store: &Store) {
    let a = org(store, "acme").await;
    let b = org(store, "bravo").await;
    let t = technician(store, &a, "t@acme.example", Role::Technician).await;
    let s = new_secret(a.id, t.id, SecretKind::Send, 1);
    store.create_secret(&s).await.unwrap();
    assert!(matches!(
        store.secret(b.id, s.id).await,
        Err(StoreError::NotFound)
    ));
    assert!(
        store
            .claim_secret(b.id, s.id, SecretKind::Send, at(1), "ip")
            .await
            .unwrap()
            .is_none()
    );
    assert!(!store.burn_secret(b.id, s.id, None, at(1)).await.unwrap());
    assert!(matches!(
        store.set_secret_notify(b.id, s.id, t.id, true).await,
        Err(StoreError::NotFound)
    ));
    assert!(
        !store
            .set_secret_verified(b.id, s.id, VerificationId::new(), at(1))
            .await
            .unwrap()
    );
    store.mark_secret_opened(b.id, s.id, at(1)).await.unwrap();
    let still = store.secret(a.id, s.id).await.unwrap();
    assert_eq!(still.opened_at, None);
    assert_eq!(still.views_left, 1);
}

/// Ownership inside an org (issue 18.4): an owner-only action names the maker in its
/// statement, so another technician's id changes nothing; an admin's burn (no owner) works.
pub async fn owner_only_actions_name_the_maker(store: &Store) {
    let o = org(store, "acme").await;
    let maker = technician(store, &o, "maker@acme.example", Role::Technician).await;
    let other = technician(store, &o, "other@acme.example", Role::Technician).await;
    let s = new_secret(o.id, maker.id, SecretKind::Send, 1);
    store.create_secret(&s).await.unwrap();
    assert!(
        !store
            .burn_secret(o.id, s.id, Some(other.id), at(1))
            .await
            .unwrap()
    );
    assert!(matches!(
        store.set_secret_notify(o.id, s.id, other.id, true).await,
        Err(StoreError::NotFound)
    ));
    let kept = store.secret(o.id, s.id).await.unwrap();
    assert_eq!(kept.state, SecretState::Active);
    assert!(kept.has_envelope && !kept.notify_on_reveal);
    store
        .set_secret_notify(o.id, s.id, maker.id, true)
        .await
        .unwrap();
    assert!(store.secret(o.id, s.id).await.unwrap().notify_on_reveal);
    assert!(
        store
            .burn_secret(o.id, s.id, Some(maker.id), at(2))
            .await
            .unwrap()
    );
    // An admin's burn names no owner.
    let t = new_secret(o.id, maker.id, SecretKind::Send, 1);
    store.create_secret(&t).await.unwrap();
    assert!(store.burn_secret(o.id, t.id, None, at(3)).await.unwrap());
    assert_eq!(
        store.secret(o.id, t.id).await.unwrap().state,
        SecretState::Burned
    );
}

/// Secure Send's "My links" (issue 21.5): a technician's links newest first, every
/// technician's for the org's list, never another org's.
pub async fn a_technicians_links_are_listed_newest_first_within_the_org(store: &Store) {
    let a = org(store, "acme").await;
    let b = org(store, "bravo").await;
    let amy = technician(store, &a, "amy@acme.example", Role::Technician).await;
    let bob = technician(store, &a, "bob@acme.example", Role::Technician).await;
    let eve = technician(store, &b, "eve@bravo.example", Role::Technician).await;
    let mut made = Vec::new();
    for (i, (o, t)) in [
        (a.id, amy.id),
        (a.id, bob.id),
        (a.id, amy.id),
        (b.id, eve.id),
    ]
    .into_iter()
    .enumerate()
    {
        let mut s = new_secret(o, t, SecretKind::Send, 1);
        s.created_at = at(u64::try_from(i).unwrap() * 10);
        store.create_secret(&s).await.unwrap();
        made.push(s.id);
    }
    let ids = |v: Vec<countersign_store::Secret>| v.into_iter().map(|s| s.id).collect::<Vec<_>>();
    let amys = store
        .technician_secrets(a.id, Some(amy.id), 50)
        .await
        .unwrap();
    assert_eq!(ids(amys), vec![made[2], made[0]]);
    let org_wide = store.technician_secrets(a.id, None, 50).await.unwrap();
    assert_eq!(ids(org_wide), vec![made[2], made[1], made[0]]);
    assert_eq!(
        ids(store.technician_secrets(a.id, None, 1).await.unwrap()),
        vec![made[2]]
    );
    // Another org's id lists nothing of acme's, even with acme's technician.
    assert!(
        store
            .technician_secrets(b.id, Some(amy.id), 50)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        ids(store.technician_secrets(b.id, None, 50).await.unwrap()),
        vec![made[3]]
    );
}
