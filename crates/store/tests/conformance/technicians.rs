//! Technicians: accounts, roles, deactivation, TOTP and recovery codes.

use crate::fixtures::{at, new_technician, org, random_bytes, session, technician};
use crate::harness::concurrently;
use countersign_domain::{Role, TechnicianId};
use countersign_store::{SessionStore, Store, StoreError, TechnicianStore, constraints};

pub async fn create_and_lookup(store: &Store) {
    let acme = org(store, "acme").await;
    let zed = technician(store, &acme, "zed@acme.test", Role::Admin).await;
    let amy = technician(store, &acme, "amy@acme.test", Role::Technician).await;

    assert_eq!(store.technician(acme.id, zed.id).await.unwrap(), zed);
    let unknown = store.technician(acme.id, TechnicianId::new()).await;
    assert!(matches!(unknown, Err(StoreError::NotFound)));

    // Ordered by email.
    assert_eq!(
        store.technicians(acme.id).await.unwrap(),
        vec![amy.clone(), zed]
    );

    // Login lookup ignores case.
    let found = store
        .technician_by_email_for_login("amy@acme.test")
        .await
        .unwrap();
    assert_eq!(found, Some(amy.clone()));
    let found = store
        .technician_by_email_for_login("AMY@Acme.TEST")
        .await
        .unwrap();
    assert_eq!(found, Some(amy));
    assert_eq!(
        store
            .technician_by_email_for_login("bob@acme.test")
            .await
            .unwrap(),
        None
    );
}

pub async fn email_conflict(store: &Store) {
    let acme = org(store, "acme").await;
    let other = org(store, "other").await;
    let amy = technician(store, &acme, "amy@acme.test", Role::Admin).await;

    // Unique on the whole server, whatever the case.
    for email in ["amy@acme.test", "Amy@ACME.test"] {
        let dup = new_technician(&other, email, Role::Admin);
        match store.create_technician(&dup).await {
            Err(StoreError::Conflict { constraint }) => {
                assert_eq!(constraint, constraints::TECHNICIAN_EMAIL);
            }
            r => panic!("expected an email conflict for {email}, got {r:?}"),
        }
    }
    assert!(store.technicians(other.id).await.unwrap().is_empty());
    assert_eq!(store.technicians(acme.id).await.unwrap(), vec![amy]);
}

pub async fn roles_and_active_admin_count(store: &Store) {
    let acme = org(store, "acme").await;
    let other = org(store, "other").await;
    let a1 = technician(store, &acme, "a1@acme.test", Role::Admin).await;
    let a2 = technician(store, &acme, "a2@acme.test", Role::Admin).await;
    technician(store, &acme, "t@acme.test", Role::Technician).await;
    technician(store, &other, "a@other.test", Role::Admin).await;
    assert_eq!(store.count_active_admins(acme.id).await.unwrap(), 2);

    store
        .set_role(acme.id, a1.id, Role::Technician)
        .await
        .unwrap();
    assert_eq!(
        store.technician(acme.id, a1.id).await.unwrap().role,
        Role::Technician
    );
    assert_eq!(store.count_active_admins(acme.id).await.unwrap(), 1);

    store.set_active(acme.id, a2.id, false).await.unwrap();
    assert!(!store.technician(acme.id, a2.id).await.unwrap().active);
    assert_eq!(store.count_active_admins(acme.id).await.unwrap(), 0);

    store.set_active(acme.id, a2.id, true).await.unwrap();
    store.set_role(acme.id, a1.id, Role::Admin).await.unwrap();
    assert_eq!(store.count_active_admins(acme.id).await.unwrap(), 2);
    assert_eq!(store.count_active_admins(other.id).await.unwrap(), 1);

    let missing = TechnicianId::new();
    assert!(matches!(
        store.set_role(acme.id, missing, Role::Admin).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.set_active(acme.id, missing, false).await,
        Err(StoreError::NotFound)
    ));
}

pub async fn deactivation_deletes_sessions(store: &Store) {
    let acme = org(store, "acme").await;
    let amy = technician(store, &acme, "amy@acme.test", Role::Technician).await;
    let bob = technician(store, &acme, "bob@acme.test", Role::Technician).await;
    let s1 = session(store, &amy, at(0)).await;
    let s2 = session(store, &amy, at(1)).await;
    let bobs = session(store, &bob, at(2)).await;

    store.set_active(acme.id, amy.id, false).await.unwrap();
    assert!(!store.technician(acme.id, amy.id).await.unwrap().active);
    assert!(store.sessions_of(acme.id, amy.id).await.unwrap().is_empty());
    for s in [&s1, &s2] {
        assert_eq!(
            store.session_by_token_hash(&s.token_hash).await.unwrap(),
            None
        );
    }
    assert_eq!(
        store.session_by_token_hash(&bobs.token_hash).await.unwrap(),
        Some(bobs)
    );

    // Reactivation does not bring sessions back.
    store.set_active(acme.id, amy.id, true).await.unwrap();
    assert!(store.technician(acme.id, amy.id).await.unwrap().active);
    assert!(store.sessions_of(acme.id, amy.id).await.unwrap().is_empty());

    // Activating an active technician keeps its sessions.
    let s3 = session(store, &amy, at(3)).await;
    store.set_active(acme.id, amy.id, true).await.unwrap();
    assert_eq!(store.sessions_of(acme.id, amy.id).await.unwrap(), vec![s3]);
}

pub async fn password_and_last_login(store: &Store) {
    let acme = org(store, "acme").await;
    let amy = technician(store, &acme, "amy@acme.test", Role::Technician).await;

    store
        .set_password_hash(acme.id, amy.id, "$argon2id$new")
        .await
        .unwrap();
    store.set_last_login(acme.id, amy.id, at(5)).await.unwrap();
    let got = store.technician(acme.id, amy.id).await.unwrap();
    assert_eq!(got.password_hash, "$argon2id$new");
    assert_eq!(got.last_login_at, Some(at(5)));

    let missing = TechnicianId::new();
    let r = store.set_password_hash(acme.id, missing, "x").await;
    assert!(matches!(r, Err(StoreError::NotFound)));
    let r = store.set_last_login(acme.id, missing, at(1)).await;
    assert!(matches!(r, Err(StoreError::NotFound)));
}

pub async fn totp_enrollment(store: &Store) {
    let acme = org(store, "acme").await;
    let amy = technician(store, &acme, "amy@acme.test", Role::Technician).await;
    let (o, id) = (acme.id, amy.id);

    let pending = random_bytes();
    store.set_totp_pending(o, id, Some(&pending)).await.unwrap();
    let got = store.technician(o, id).await.unwrap();
    assert_eq!(got.totp_pending_secret.as_deref(), Some(pending.as_slice()));
    assert_eq!((got.totp_secret, got.totp_enabled_at), (None, None));

    let codes: Vec<Vec<u8>> = (0..10).map(|_| random_bytes()).collect();
    store
        .enable_totp(o, id, &pending, &codes, at(10))
        .await
        .unwrap();
    let got = store.technician(o, id).await.unwrap();
    assert_eq!(got.totp_secret.as_deref(), Some(pending.as_slice()));
    assert_eq!(got.totp_pending_secret, None);
    assert_eq!(got.totp_enabled_at, Some(at(10)));
    assert_eq!(store.recovery_codes_left(o, id).await.unwrap(), 10);

    // Enabling again replaces the recovery codes.
    let secret2 = random_bytes();
    let codes2: Vec<Vec<u8>> = (0..3).map(|_| random_bytes()).collect();
    store
        .enable_totp(o, id, &secret2, &codes2, at(20))
        .await
        .unwrap();
    assert_eq!(store.recovery_codes_left(o, id).await.unwrap(), 3);
    assert!(
        !store
            .use_recovery_code(o, id, &codes[0], at(21))
            .await
            .unwrap()
    );
    assert!(
        store
            .use_recovery_code(o, id, &codes2[0], at(21))
            .await
            .unwrap()
    );
    assert_eq!(
        store.technician(o, id).await.unwrap().totp_secret,
        Some(secret2)
    );

    store.set_totp_pending(o, id, Some(&pending)).await.unwrap();
    store.disable_totp(o, id).await.unwrap();
    let got = store.technician(o, id).await.unwrap();
    assert_eq!(
        (
            got.totp_secret,
            got.totp_pending_secret,
            got.totp_enabled_at
        ),
        (None, None, None)
    );
    assert_eq!(store.recovery_codes_left(o, id).await.unwrap(), 0);

    store.set_totp_pending(o, id, Some(&pending)).await.unwrap();
    store.set_totp_pending(o, id, None).await.unwrap();
    assert_eq!(
        store.technician(o, id).await.unwrap().totp_pending_secret,
        None
    );

    let missing = TechnicianId::new();
    let r = store.set_totp_pending(o, missing, None).await;
    assert!(matches!(r, Err(StoreError::NotFound)));
    let r = store
        .enable_totp(o, missing, &pending, &codes, at(30))
        .await;
    assert!(matches!(r, Err(StoreError::NotFound)));
    assert_eq!(store.recovery_codes_left(o, missing).await.unwrap(), 0);
    assert!(matches!(
        store.disable_totp(o, missing).await,
        Err(StoreError::NotFound)
    ));
}

pub async fn totp_step_is_claimed_once(store: &Store) {
    let acme = org(store, "acme").await;
    let amy = technician(store, &acme, "amy@acme.test", Role::Technician).await;
    let (o, id) = (acme.id, amy.id);

    assert!(store.claim_totp_step(o, id, 5).await.unwrap());
    assert!(!store.claim_totp_step(o, id, 5).await.unwrap());
    assert!(!store.claim_totp_step(o, id, 4).await.unwrap());
    assert!(store.claim_totp_step(o, id, 6).await.unwrap());
    assert_eq!(store.technician(o, id).await.unwrap().totp_last_step, 6);
    assert!(
        !store
            .claim_totp_step(o, TechnicianId::new(), 7)
            .await
            .unwrap()
    );

    let wins = concurrently(10, |_| {
        let store = store.clone();
        async move { store.claim_totp_step(o, id, 100).await.unwrap() }
    })
    .await;
    assert_eq!(wins.iter().filter(|w| **w).count(), 1, "{wins:?}");
}

pub async fn recovery_codes_are_single_use(store: &Store) {
    let acme = org(store, "acme").await;
    let amy = technician(store, &acme, "amy@acme.test", Role::Technician).await;
    let (o, id) = (acme.id, amy.id);
    let codes: Vec<Vec<u8>> = (0..4).map(|_| random_bytes()).collect();
    store
        .enable_totp(o, id, &random_bytes(), &codes, at(0))
        .await
        .unwrap();

    assert!(
        store
            .use_recovery_code(o, id, &codes[0], at(1))
            .await
            .unwrap()
    );
    assert!(
        !store
            .use_recovery_code(o, id, &codes[0], at(2))
            .await
            .unwrap()
    );
    assert!(
        !store
            .use_recovery_code(o, id, &random_bytes(), at(2))
            .await
            .unwrap()
    );
    assert_eq!(store.recovery_codes_left(o, id).await.unwrap(), 3);

    let code = codes[1].clone();
    let wins = concurrently(10, |_| {
        let (store, code) = (store.clone(), code.clone());
        async move { store.use_recovery_code(o, id, &code, at(3)).await.unwrap() }
    })
    .await;
    assert_eq!(wins.iter().filter(|w| **w).count(), 1, "{wins:?}");
    assert_eq!(store.recovery_codes_left(o, id).await.unwrap(), 2);
}
