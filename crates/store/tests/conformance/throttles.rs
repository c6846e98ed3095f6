//! Login throttles: counting failures within a window.

use crate::fixtures::at;
use crate::harness::concurrently;
use countersign_store::{Store, ThrottleStore};

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
