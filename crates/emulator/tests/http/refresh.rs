use crate::common::*;

#[tokio::test]
async fn refresh_rotates_and_reaches_gdap_customers_only_with_consent() {
    let env = start().await;
    let tokens = env.sign_in(MEGAN_UA).await;
    let rt = tokens["refresh_token"].as_str().unwrap();

    let home = env.refresh(PARTNER, rt).await;
    assert_eq!(home.status, 200, "{}", home.json);
    let rotated = home.json["refresh_token"].as_str().unwrap();
    assert_ne!(rotated, rt);

    // Contoso: active GDAP (User Administrator) and the partner app consented.
    let customer = env.refresh(CONTOSO, rotated).await;
    assert_eq!(customer.status, 200, "{}", customer.json);
    let c = claims(customer.json["access_token"].as_str().unwrap());
    assert_eq!(c["tid"], CONTOSO);
    assert!(
        c["wids"]
            .as_array()
            .unwrap()
            .iter()
            .any(|w| w == "fe930be7-5e62-47db-91af-98c3a49a38b1")
    );
    let users = env
        .graph(
            "users?$top=5",
            customer.json["access_token"].as_str().unwrap(),
        )
        .await;
    assert_eq!(users.status, 200);

    // Fabrikam: GDAP active, partner app never consented there.
    let r = env.refresh(FABRIKAM, rotated).await;
    assert_eq!(r.json["error"], "invalid_grant");
    assert_eq!(r.json["suberror"], "consent_required");
    assert_eq!(aad_code(&r), 65001);

    // Tailspin: consented, but no GDAP relationship covers it.
    let r = env.refresh(TAILSPIN, rotated).await;
    assert_eq!(aad_code(&r), 90099);
}

#[tokio::test]
async fn refresh_token_expires_after_90_days_of_inactivity() {
    let env = start().await;
    let tokens = env.sign_in(ALEX_GA).await;
    let rt = tokens["refresh_token"].as_str().unwrap();
    env.emu.control().advance_clock(89 * 24 * 3600);
    let r = env.refresh(PARTNER, rt).await;
    assert_eq!(r.status, 200, "used within 90 days");
    env.emu.control().advance_clock(91 * 24 * 3600);
    let r = env.refresh(PARTNER, rt).await;
    assert_eq!(aad_code(&r), 700082);
}

#[tokio::test]
async fn revoked_sessions_make_refresh_fail_with_50173() {
    let env = start().await;
    let tokens = env.sign_in(ALEX_GA).await;
    let rt = tokens["refresh_token"].as_str().unwrap();
    env.emu.control().advance_clock(1);
    let url = env.control_url(&format!(
        "/tenants/{PARTNER}/users/{ALEX_GA}/revoke-sessions"
    ));
    assert_eq!(env.http.post(url).send().await.unwrap().status(), 204);
    env.emu.control().advance_clock(1);
    let r = env.refresh(PARTNER, rt).await;
    assert_eq!(r.json["error"], "invalid_grant");
    assert_eq!(aad_code(&r), 50173);
}
