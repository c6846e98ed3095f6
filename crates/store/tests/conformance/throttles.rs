//! Login throttles: counting failures within a window.

use crate::fixtures::at;
use crate::harness::concurrently;
use countersign_store::{LockRule, Store, ThrottleStore};
use std::time::Duration;

/// 5 attempts per 15 minutes, doubling up to a day: the login defaults.
const RULE: LockRule = LockRule {
    max: 5,
    window: Duration::from_secs(15 * 60),
    max_lock: Duration::from_secs(24 * 3600),
};

pub async fn window(store: &Store) {
    let key = "account:amy@acme.test";
    assert_eq!(store.throttle(key).await.unwrap(), None);

    let t = store.record_failure(key, at(10), at(0)).await.unwrap();
    assert_eq!(
        (
            t.key.as_str(),
            t.failures,
            t.first_failure_at,
            t.last_failure_at
        ),
        (key, 1, at(10), at(10))
    );
    let t = store.record_failure(key, at(20), at(0)).await.unwrap();
    assert_eq!(
        (t.failures, t.first_failure_at, t.last_failure_at),
        (2, at(10), at(20))
    );
    // The window starting exactly at the first failure still counts it.
    let t = store.record_failure(key, at(30), at(10)).await.unwrap();
    assert_eq!(
        (t.failures, t.first_failure_at, t.last_failure_at),
        (3, at(10), at(30))
    );
    assert_eq!(store.throttle(key).await.unwrap(), Some(t));

    // First failure older than the window: the counter starts again.
    let t = store.record_failure(key, at(1000), at(500)).await.unwrap();
    assert_eq!(
        (t.failures, t.first_failure_at, t.last_failure_at),
        (1, at(1000), at(1000))
    );

    // Keys are independent.
    let ip = store
        .record_failure("ip:192.0.2.1", at(1001), at(500))
        .await
        .unwrap();
    assert_eq!(ip.failures, 1);

    store.clear_throttle(key).await.unwrap();
    assert_eq!(store.throttle(key).await.unwrap(), None);
    store.clear_throttle(key).await.unwrap();
    assert_eq!(
        store
            .throttle("ip:192.0.2.1")
            .await
            .unwrap()
            .map(|t| t.failures),
        Some(1)
    );
}

pub async fn concurrent_failures_are_all_counted(store: &Store) {
    let key = "ip:198.51.100.7";
    let mut counts = concurrently(20, |i| {
        let store = store.clone();
        let when = at(u64::try_from(i).unwrap());
        async move {
            store
                .record_failure(key, when, at(0))
                .await
                .unwrap()
                .failures
        }
    })
    .await;
    counts.sort_unstable();
    assert_eq!(counts, (1..=20).collect::<Vec<i64>>());
    assert_eq!(store.throttle(key).await.unwrap().unwrap().failures, 20);
}

pub async fn reservations_stop_at_the_limit_under_concurrency(store: &Store) {
    let key = "account:burst@acme.test";
    let granted = concurrently(30, |_| {
        let store = store.clone();
        async move {
            store
                .reserve_attempt(key, at(10), &RULE)
                .await
                .unwrap()
                .map(|t| t.failures)
        }
    })
    .await;
    let mut counts: Vec<i64> = granted.into_iter().flatten().collect();
    counts.sort_unstable();
    assert_eq!(counts, (1..=5).collect::<Vec<i64>>());
    assert_eq!(store.throttle(key).await.unwrap().unwrap().failures, 5);
}

pub async fn locks_double_and_end(store: &Store) {
    let key = "ip:192.0.2.9";
    for i in 1..=5 {
        let t = store.reserve_attempt(key, at(i), &RULE).await.unwrap();
        assert_eq!(t.map(|t| t.failures), Some(i64::try_from(i).unwrap()));
    }
    // Locked for one window from the fifth.
    assert_eq!(
        store.reserve_attempt(key, at(6), &RULE).await.unwrap(),
        None
    );
    assert_eq!(
        store
            .reserve_attempt(key, at(5 + 899), &RULE)
            .await
            .unwrap(),
        None
    );
    // The lock ended: one more attempt, counted within the day (not a fresh window).
    let t = store
        .reserve_attempt(key, at(5 + 900), &RULE)
        .await
        .unwrap();
    assert_eq!(t.map(|t| t.failures), Some(6));
    // The sixth failure locks for two windows.
    assert_eq!(
        store
            .reserve_attempt(key, at(905 + 1799), &RULE)
            .await
            .unwrap(),
        None
    );
    let t = store
        .reserve_attempt(key, at(905 + 1800), &RULE)
        .await
        .unwrap();
    assert_eq!(t.map(|t| t.failures), Some(7));
    // A day after the first failure the count starts again (the lock of 4 windows ended).
    let t = store
        .reserve_attempt(key, at(24 * 3600 + 10), &RULE)
        .await
        .unwrap();
    assert_eq!(t.map(|t| t.failures), Some(1));
}

pub async fn released_reservations_do_not_count(store: &Store) {
    let key = "ip:192.0.2.10";
    for i in 1..=4 {
        assert!(
            store
                .reserve_attempt(key, at(i), &RULE)
                .await
                .unwrap()
                .is_some()
        );
    }
    // The fifth slot is taken while its attempt is checked, and given back when it succeeds.
    assert!(
        store
            .reserve_attempt(key, at(5), &RULE)
            .await
            .unwrap()
            .is_some()
    );
    assert_eq!(
        store.reserve_attempt(key, at(5), &RULE).await.unwrap(),
        None
    );
    store.release_attempt(key, at(6), &RULE).await.unwrap();
    assert_eq!(store.throttle(key).await.unwrap().unwrap().failures, 4);
    let t = store.reserve_attempt(key, at(7), &RULE).await.unwrap();
    assert_eq!(t.map(|t| t.failures), Some(5));

    // A reservation let in by an ended lock, given back, leaves that lock ended.
    assert!(
        store
            .reserve_attempt(key, at(8 + 900), &RULE)
            .await
            .unwrap()
            .is_some()
    );
    store.release_attempt(key, at(909), &RULE).await.unwrap();
    let t = store.throttle(key).await.unwrap().unwrap();
    assert_eq!(t.failures, 5);
    assert!(
        store
            .reserve_attempt(key, at(910), &RULE)
            .await
            .unwrap()
            .is_some()
    );
}

/// Addresses a technician signed in from: remembered per org and technician, the least
/// recently seen dropped beyond `keep`; another org's technician is `NotFound`.
pub async fn sign_in_addresses_are_remembered_and_bounded(store: &Store) {
    use crate::fixtures::{org, technician};
    use countersign_domain::Role;
    use countersign_store::StoreError;
    let acme = org(store, "acme").await;
    let other = org(store, "other").await;
    let amy = technician(store, &acme, "amy@acme.test", Role::Technician).await;
    let bob = technician(store, &acme, "bob@acme.test", Role::Technician).await;
    let oz = technician(store, &other, "oz@other.test", Role::Admin).await;
    let addr = |n: u8| vec![n; 32];

    assert!(
        !store
            .is_known_sign_in_address(acme.id, amy.id, &addr(1))
            .await
            .unwrap()
    );
    for n in 1..=3 {
        store
            .remember_sign_in_address(acme.id, amy.id, &addr(n), at(u64::from(n)), 3)
            .await
            .unwrap();
    }
    // Seen again: it becomes the most recent, not a second row.
    store
        .remember_sign_in_address(acme.id, amy.id, &addr(1), at(10), 3)
        .await
        .unwrap();
    // A fourth address pushes out the least recently seen (2).
    store
        .remember_sign_in_address(acme.id, amy.id, &addr(4), at(11), 3)
        .await
        .unwrap();
    for (n, known) in [(1, true), (2, false), (3, true), (4, true)] {
        assert_eq!(
            store
                .is_known_sign_in_address(acme.id, amy.id, &addr(n))
                .await
                .unwrap(),
            known,
            "address {n}"
        );
    }
    // Per technician and per org.
    assert!(
        !store
            .is_known_sign_in_address(acme.id, bob.id, &addr(1))
            .await
            .unwrap()
    );
    assert!(
        !store
            .is_known_sign_in_address(other.id, amy.id, &addr(1))
            .await
            .unwrap()
    );
    assert!(matches!(
        store
            .remember_sign_in_address(acme.id, oz.id, &addr(9), at(12), 3)
            .await,
        Err(StoreError::NotFound)
    ));
    assert!(
        !store
            .is_known_sign_in_address(other.id, oz.id, &addr(9))
            .await
            .unwrap()
    );
    // Bob's addresses are his own count.
    store
        .remember_sign_in_address(acme.id, bob.id, &addr(7), at(13), 3)
        .await
        .unwrap();
    assert!(
        store
            .is_known_sign_in_address(acme.id, amy.id, &addr(4))
            .await
            .unwrap()
    );
    assert!(
        store
            .is_known_sign_in_address(acme.id, bob.id, &addr(7))
            .await
            .unwrap()
    );
}

/// Clearing by prefix removes exactly the keys that start with it, wildcards taken literally.
pub async fn throttles_are_cleared_by_prefix(store: &Store) {
    for key in [
        "account-ip:a_b@acme.test:192.0.2.1",
        "account-ip:a_b@acme.test:192.0.2.2",
        "account-ip:axb@acme.test:192.0.2.1",
        "account:a_b@acme.test",
    ] {
        store.record_failure(key, at(1), at(0)).await.unwrap();
    }
    assert_eq!(
        store
            .clear_throttles_with_prefix("account-ip:a_b@acme.test:")
            .await
            .unwrap(),
        2
    );
    assert_eq!(
        store
            .throttle("account-ip:a_b@acme.test:192.0.2.1")
            .await
            .unwrap(),
        None
    );
    assert!(
        store
            .throttle("account-ip:axb@acme.test:192.0.2.1")
            .await
            .unwrap()
            .is_some()
    );
    assert!(
        store
            .throttle("account:a_b@acme.test")
            .await
            .unwrap()
            .is_some()
    );
    assert_eq!(
        store.clear_throttles_with_prefix("nothing:").await.unwrap(),
        0
    );
}
