//! Sessions: lookup by token hash, activity, sign-out and purge.

use crate::fixtures::{at, org, session, technician};
use countersign_domain::{Role, SessionId};
use countersign_store::{SessionStore, Store, StoreError, constraints};
use std::time::Duration;

pub async fn lifecycle(store: &Store) {
    let acme = org(store, "acme").await;
    let amy = technician(store, &acme, "amy@acme.test", Role::Technician).await;
    let s = session(store, &amy, at(0)).await;

    assert_eq!(
        store.session_by_token_hash(&s.token_hash).await.unwrap(),
        Some(s.clone())
    );
    assert_eq!(store.session_by_token_hash(b"nope").await.unwrap(), None);
    // The joined read gives the same session with its own technician and org.
    let (js, jt, jo) = store
        .session_with_owner(&s.token_hash)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(js, s);
    assert_eq!(jt, amy);
    assert_eq!((jo.id, jo.name.as_str()), (acme.id, acme.name.as_str()));
    assert!(store.session_with_owner(b"nope").await.unwrap().is_none());

    store.touch_session(s.id, at(30)).await.unwrap();
    let got = store
        .session_by_token_hash(&s.token_hash)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(got.last_seen_at, at(30));
    // Never backwards.
    store.touch_session(s.id, at(10)).await.unwrap();
    let got = store
        .session_by_token_hash(&s.token_hash)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(got.last_seen_at, at(30));
    assert_eq!(
        (got.created_at, got.expires_at),
        (s.created_at, s.expires_at)
    );
    store.touch_session(SessionId::new(), at(40)).await.unwrap();

    let mut dup = s.clone();
    dup.id = SessionId::new();
    match store.create_session(&dup).await {
        Err(StoreError::Conflict { constraint }) => {
            assert_eq!(constraint, constraints::SESSION_TOKEN_HASH);
        }
        r => panic!("expected a token hash conflict, got {r:?}"),
    }

    store.delete_session(s.id).await.unwrap();
    assert_eq!(
        store.session_by_token_hash(&s.token_hash).await.unwrap(),
        None
    );
    store.delete_session(s.id).await.unwrap();
}

pub async fn sessions_of_a_technician(store: &Store) {
    let acme = org(store, "acme").await;
    let amy = technician(store, &acme, "amy@acme.test", Role::Technician).await;
    let bob = technician(store, &acme, "bob@acme.test", Role::Technician).await;
    let s1 = session(store, &amy, at(1)).await;
    let s2 = session(store, &amy, at(2)).await;
    let s3 = session(store, &amy, at(3)).await;
    let bobs = session(store, &bob, at(4)).await;

    assert_eq!(
        store.sessions_of(acme.id, amy.id).await.unwrap(),
        vec![s3, s2, s1]
    );
    assert_eq!(store.delete_sessions_of(acme.id, amy.id).await.unwrap(), 3);
    assert!(store.sessions_of(acme.id, amy.id).await.unwrap().is_empty());
    assert_eq!(store.delete_sessions_of(acme.id, amy.id).await.unwrap(), 0);
    assert_eq!(
        store.sessions_of(acme.id, bob.id).await.unwrap(),
        vec![bobs]
    );
}

pub async fn purge(store: &Store) {
    let acme = org(store, "acme").await;
    let amy = technician(store, &acme, "amy@acme.test", Role::Technician).await;
    let now = at(100_000);
    let idle_before = now.minus(Duration::from_secs(1800));

    // Created a day before now: its absolute expiry is exactly now.
    let expired = session(store, &amy, now.minus(Duration::from_secs(86_400))).await;
    store.touch_session(expired.id, now).await.unwrap();
    let idle = session(store, &amy, idle_before.minus(Duration::from_secs(1))).await;
    let edge = session(store, &amy, idle_before).await;
    let fresh = session(store, &amy, now).await;

    assert_eq!(store.purge_sessions(now, idle_before).await.unwrap(), 2);
    let left = store.sessions_of(acme.id, amy.id).await.unwrap();
    assert_eq!(left, vec![fresh, edge]);
    assert!(!left.iter().any(|s| s.id == expired.id || s.id == idle.id));
    assert_eq!(store.purge_sessions(now, idle_before).await.unwrap(), 0);
}

/// The time of the last proof (issue 18.2) is stored with the session and read back by both
/// session reads. A new proof makes a new session (ASVS 7.2.4), so it is never updated.
pub async fn reauthentication(store: &Store) {
    use countersign_store::Session;
    let acme = org(store, "acme").await;
    let amy = technician(store, &acme, "amy@acme.test", Role::Technician).await;
    let s = session(store, &amy, at(0)).await;
    let unproven = Session {
        id: SessionId::new(),
        token_hash: vec![9; 32],
        reauthenticated_at: None,
        ..s.clone()
    };
    store.create_session(&unproven).await.unwrap();
    let read = |hash: Vec<u8>| async move {
        store
            .session_with_owner(&hash)
            .await
            .unwrap()
            .unwrap()
            .0
            .reauthenticated_at
    };
    assert_eq!(read(s.token_hash.clone()).await, Some(at(0)));
    assert_eq!(read(unproven.token_hash.clone()).await, None);
    let got = store
        .session_by_token_hash(&s.token_hash)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(got.reauthenticated_at, Some(at(0)));
}
