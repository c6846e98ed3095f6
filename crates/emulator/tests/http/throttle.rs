use crate::common::*;
use serde_json::json;

#[tokio::test]
async fn over_budget_is_429_with_retry_after_then_recovers() {
    let env = start().await;
    // Lower the per-(app, tenant) quota so the test needs a handful of requests, not 4,000.
    let r = env
        .http
        .put(env.control_url("/throttling"))
        .json(&json!({"enabled": true, "ru_per_10s": 5}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    let token = env.app_token(CONTOSO).await;
    // GET users without $select costs 2 RU: two fit in 5, the third does not.
    for _ in 0..2 {
        let r = env.graph("users?$top=50", &token).await;
        assert_eq!(r.status, 200);
        assert_eq!(r.headers["x-ms-resource-unit"], "2");
    }
    let r = env.graph("users?$top=50", &token).await;
    assert_eq!(r.status, 429);
    assert_eq!(graph_code(&r), "TooManyRequests");
    assert_eq!(r.json["error"]["innerError"]["code"], "429");
    let retry: u64 = r.headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!(retry >= 1);
    assert!(
        r.headers["x-ms-throttle-scope"]
            .to_str()
            .unwrap()
            .starts_with(&format!("Tenant_Application/Read/{MT_APP}/{CONTOSO}"))
    );
    assert_eq!(
        r.headers["x-ms-throttle-information"],
        "ResourceUnitLimitExceeded"
    );

    // Another tenant has its own budget.
    let fab = env.emu.control();
    fab.grant_consent(
        FABRIKAM,
        MT_APP.parse().unwrap(),
        countersign_emulator::Consent {
            application_permissions: vec!["User.Read.All".into()],
            ..Default::default()
        },
    )
    .unwrap();
    let other = env.app_token(FABRIKAM).await;
    assert_eq!(env.graph("users", &other).await.status, 200);

    env.emu.control().advance_clock(retry + 10);
    assert_eq!(env.graph("users?$top=50", &token).await.status, 200);
}

#[tokio::test]
async fn select_makes_user_listing_cheaper() {
    let env = start().await;
    let token = env.app_token(CONTOSO).await;
    let r = env
        .graph("users?$select=id,mobilePhone&$top=999", &token)
        .await;
    assert_eq!(r.headers["x-ms-resource-unit"], "1");
    let r = env.graph("contracts", &token).await;
    assert_eq!(r.status, 403, "contracts need Directory.Read.All");
}
