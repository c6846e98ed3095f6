use crate::common::*;
use serde_json::json;
use std::time::{Duration, Instant};

#[tokio::test]
async fn queued_faults_inject_429_503_drop_and_slow() {
    let env = start().await;
    let token = env.app_token(CONTOSO).await;
    let body =
        json!({"next": ["429", "503", "drop", "slow"], "slow_ms": 300, "retry_after_seconds": 7});
    let r = env
        .http
        .put(env.control_url("/faults"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    let url = format!("{}/v1.0/users?$top=5", env.m.graph_base_url);

    let r = env.get(&url, &token).await;
    assert_eq!(r.status, 429);
    assert_eq!(r.headers["retry-after"], "7");
    assert_eq!(graph_code(&r), "TooManyRequests");

    let r = env.get(&url, &token).await;
    assert_eq!(r.status, 503);
    assert!(r.headers.contains_key("retry-after"));

    let dropped = env.http.get(&url).bearer_auth(&token).send().await;
    assert!(dropped.is_err(), "connection should have been dropped");

    let started = Instant::now();
    let r = env.get(&url, &token).await;
    assert_eq!(r.status, 200);
    assert!(started.elapsed() >= Duration::from_millis(300));

    assert_eq!(env.get(&url, &token).await.status, 200);
    let counts = env.emu.control().fault_counts();
    assert_eq!(
        (
            counts.too_many_requests,
            counts.unavailable,
            counts.dropped,
            counts.slow
        ),
        (1, 1, 1, 1)
    );
}

#[tokio::test]
async fn fault_rates_apply_to_a_share_of_requests() {
    let env = start().await;
    let token = env.app_token(CONTOSO).await;
    env.emu
        .control()
        .set_faults(countersign_emulator::FaultConfig {
            rate_503: 0.3,
            ..Default::default()
        });
    let mut unavailable = 0;
    for _ in 0..200 {
        if env.graph("organization", &token).await.status == 503 {
            unavailable += 1;
        }
    }
    assert!((30..=90).contains(&unavailable), "{unavailable} of 200");
    // Token endpoint is untouched unless include_login is set.
    env.app_token(CONTOSO).await;
}
