//! The client against the Microsoft 365 simulator, over real HTTP on loopback.

#![allow(clippy::unwrap_used)]

use countersign_emulator::{Emulator, FaultConfig, FaultKind, RunningEmulator, Scenario};
use countersign_microsoft::{
    ClientConfig, Cloud, Credentials, ErrorKind, Microsoft, Pkce, Priority, RetryPolicy,
    TokenGrant, UserChange, group_relationships,
};
use secrecy::SecretString;
use std::time::Duration;

const MT_APP: &str = "aaaaaaaa-0000-4000-8000-000000000001";
const MT_SECRET: &str = "mt~secret-value-0001";
const PARTNER_APP: &str = "aaaaaaaa-0000-4000-8000-000000000002";
const PARTNER_SECRET: &str = "partner~secret-value-0002";
const PARTNER: &str = "11111111-1111-4111-8111-111111111111";
const CONTOSO: &str = "22222222-2222-4222-8222-222222222222";
const FABRIKAM: &str = "33333333-3333-4333-8333-333333333333";
const TAILSPIN: &str = "44444444-4444-4444-8444-444444444444";
const ALEX_GA: &str = "11111111-0000-4000-8000-000000000001";
const PARTNER_REDIRECT: &str = "http://localhost:8080/integrations/gdap/callback";

fn creds(id: &str, secret: &str) -> Credentials {
    Credentials {
        client_id: id.into(),
        client_secret: SecretString::from(secret.to_owned()),
    }
}

fn client() -> Microsoft {
    Microsoft::new(ClientConfig {
        retry: RetryPolicy {
            base_backoff: Duration::from_millis(10),
            max_backoff: Duration::from_millis(50),
            ..RetryPolicy::default()
        },
        timeout: Duration::from_secs(5),
        ..ClientConfig::default()
    })
    .unwrap()
}

async fn start(scenario: Scenario) -> (RunningEmulator, Cloud) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let emu = Emulator::start(scenario, listener).await.unwrap();
    let m = emu.manifest().clone();
    (emu, Cloud::custom(&m.login_base_url, &m.graph_base_url))
}

fn example() -> Scenario {
    Scenario::from_file(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../emulator/scenarios/example.toml"
    ))
    .unwrap()
}

#[tokio::test]
async fn client_credentials_prove_the_tenant_and_map_secret_errors() {
    let (_emu, cloud) = start(example()).await;
    let ms = client();
    let token = ms
        .app_token(&cloud, CONTOSO, &creds(MT_APP, MT_SECRET))
        .await
        .unwrap();
    let org = ms.organization(&cloud, CONTOSO, &token).await.unwrap();
    assert_eq!(org.id, CONTOSO);
    assert_eq!(org.display_name, "Contoso Ltd");
    assert_eq!(org.default_domain, "contoso.com");

    let wrong = ms
        .token(
            &cloud,
            CONTOSO,
            &creds(MT_APP, "not-the-secret"),
            TokenGrant::ClientCredentials,
        )
        .await
        .unwrap_err();
    assert_eq!(wrong.kind(), ErrorKind::InvalidSecret, "{wrong}");
    let expired = ms
        .token(
            &cloud,
            CONTOSO,
            &creds(MT_APP, "mt~expired-secret"),
            TokenGrant::ClientCredentials,
        )
        .await
        .unwrap_err();
    assert_eq!(expired.kind(), ErrorKind::ExpiredSecret, "{expired}");
    let not_consented = ms
        .app_token(&cloud, FABRIKAM, &creds(MT_APP, MT_SECRET))
        .await
        .unwrap_err();
    assert_eq!(
        not_consented.kind(),
        ErrorKind::AppNotFound,
        "{not_consented}"
    );
}

#[tokio::test]
async fn domains_resolve_to_tenant_ids() {
    let (_emu, cloud) = start(example()).await;
    let ms = client();
    let id = ms
        .tenant_id_for_domain(&cloud, "northwind-msp.onmicrosoft.com")
        .await
        .unwrap();
    assert_eq!(id.to_string(), PARTNER);
    let e = ms
        .tenant_id_for_domain(&cloud, "nope.example")
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::UnknownTenant, "{e}");
}

#[tokio::test]
async fn users_page_through_every_user_despite_faults() {
    let scenario = Scenario::generate(1, 2100, 3);
    let (emu, cloud) = start(scenario).await;
    let m = emu.manifest().clone();
    let tenant = m.tenants[0].id.to_string();
    let app = m
        .apps
        .iter()
        .find(|a| a.kind == countersign_emulator::AppKind::MultiTenant)
        .unwrap();
    let ms = client();
    let c = creds(&app.client_id.to_string(), &app.client_secret);
    let token = ms.app_token(&cloud, &tenant, &c).await.unwrap();
    emu.control().set_faults(FaultConfig {
        next: vec![
            FaultKind::TooManyRequests,
            FaultKind::Drop,
            FaultKind::Unavailable,
        ],
        retry_after_seconds: 0,
        ..FaultConfig::default()
    });
    let mut url = Some(Microsoft::users_url(&cloud));
    let mut seen = std::collections::HashSet::new();
    let mut pages = 0;
    while let Some(u) = url.take() {
        let page = ms
            .users_page(&cloud, &tenant, &token, &u, Priority::Low)
            .await
            .unwrap();
        pages += 1;
        for user in page.users {
            assert!(seen.insert(user.id));
        }
        url = page.next_link;
    }
    assert_eq!(pages, 3);
    assert_eq!(seen.len(), m.tenants[0].users);
    let counts = emu.control().fault_counts();
    assert!(counts.too_many_requests + counts.dropped + counts.unavailable >= 3);
}

#[tokio::test]
async fn delta_reports_every_kind_of_change() {
    let (emu, cloud) = start(example()).await;
    let ms = client();
    let token = ms
        .app_token(&cloud, CONTOSO, &creds(MT_APP, MT_SECRET))
        .await
        .unwrap();
    let mut url = Microsoft::users_delta_url(&cloud);
    let delta_link = loop {
        let p = ms
            .delta_page(&cloud, CONTOSO, &token, &url, Priority::Low)
            .await
            .unwrap();
        if let Some(d) = p.delta_link {
            break d;
        }
        url = p.next_link.unwrap();
    };
    let ctl = emu.control();
    ctl.edit_user(
        CONTOSO,
        "taro.yamada@contoso.onmicrosoft.com",
        &serde_json::json!({"mobilePhone": "+1 206 555 0199"}),
    )
    .unwrap();
    ctl.soft_delete(CONTOSO, "zoe.lefevre@contoso.onmicrosoft.com")
        .unwrap();
    let p = ms
        .delta_page(&cloud, CONTOSO, &token, &delta_link, Priority::Low)
        .await
        .unwrap();
    assert!(p.delta_link.is_some());
    assert!(p.changes.iter().any(|c| matches!(c, UserChange::Upsert(u) if u.mobile_phone.as_deref() == Some("+1 206 555 0199"))));
    assert!(p.changes.iter().any(|c| matches!(
        c,
        UserChange::Removed {
            permanent: false,
            ..
        }
    )));

    // A week later the link is gone: the client says a full resync is needed.
    ctl.advance_clock(8 * 24 * 3600);
    let token = ms
        .token(
            &cloud,
            CONTOSO,
            &creds(MT_APP, MT_SECRET),
            TokenGrant::ClientCredentials,
        )
        .await
        .unwrap()
        .access;
    let e = ms
        .delta_page(
            &cloud,
            CONTOSO,
            &token,
            p.delta_link.as_ref().unwrap(),
            Priority::Low,
        )
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::ResyncRequired);
}

/// `account` approves on the simulator's authorize page at `url`; Microsoft's redirect back.
async fn approve_sign_in(url: &str, account: &str) -> countersign_microsoft::AuthCodeCallback {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let parsed = url::Url::parse(url).unwrap();
    let mut form: Vec<(String, String)> = parsed.query_pairs().into_owned().collect();
    form.push(("account".into(), account.into()));
    form.push(("action".into(), "approve".into()));
    let base = url.split('?').next().unwrap();
    let resp = http.post(base).form(&form).send().await.unwrap();
    let location = url::Url::parse(resp.headers()["location"].to_str().unwrap()).unwrap();
    let q: std::collections::HashMap<String, String> =
        location.query_pairs().into_owned().collect();
    countersign_microsoft::AuthCodeCallback::parse(&q).unwrap()
}

/// Signs Alex in through the simulator's authorize page and returns the tokens.
async fn gdap_sign_in(ms: &Microsoft, cloud: &Cloud) -> countersign_microsoft::TokenSet {
    let pkce = Pkce::new_random();
    let url = ms.authorize_url(
        cloud,
        PARTNER,
        PARTNER_APP,
        PARTNER_REDIRECT,
        "st",
        &pkce.challenge,
    );
    let cb = approve_sign_in(&url, ALEX_GA).await;
    assert_eq!(cb.state, "st");
    ms.token(
        cloud,
        PARTNER,
        &creds(PARTNER_APP, PARTNER_SECRET),
        TokenGrant::AuthorizationCode {
            code: &cb.code,
            verifier: pkce.verifier(),
            redirect_uri: PARTNER_REDIRECT,
        },
    )
    .await
    .unwrap()
}

#[tokio::test]
async fn gdap_sign_in_lists_relationships_and_redeems_per_customer() {
    use secrecy::ExposeSecret;
    let (_emu, cloud) = start(example()).await;
    let ms = client();
    let signed_in = gdap_sign_in(&ms, &cloud).await;
    let rt = signed_in.refresh_token.clone().unwrap();
    let rels = ms
        .gdap_relationships(&cloud, PARTNER, &signed_in.access)
        .await
        .unwrap();
    let tenants = group_relationships(&rels);
    assert!(
        tenants
            .iter()
            .any(|t| t.tenant_id == CONTOSO && t.missing_roles().is_empty()),
        "{tenants:?}"
    );

    let c = creds(PARTNER_APP, PARTNER_SECRET);
    let contoso = ms
        .token(
            &cloud,
            CONTOSO,
            &c,
            TokenGrant::RefreshToken(rt.expose_secret()),
        )
        .await
        .unwrap();
    let rotated = contoso.refresh_token.clone().unwrap();
    assert_ne!(
        rotated.expose_secret(),
        rt.expose_secret(),
        "Microsoft rotates refresh tokens"
    );
    let org = ms
        .organization(&cloud, CONTOSO, &contoso.access)
        .await
        .unwrap();
    assert_eq!(org.id, CONTOSO);

    let fabrikam = ms
        .token(
            &cloud,
            FABRIKAM,
            &c,
            TokenGrant::RefreshToken(rotated.expose_secret()),
        )
        .await
        .unwrap_err();
    assert_eq!(fabrikam.kind(), ErrorKind::ConsentMissing, "{fabrikam}");
    assert!(fabrikam.user_message(None).contains("consent"));
    let tailspin = ms
        .token(
            &cloud,
            TAILSPIN,
            &c,
            TokenGrant::RefreshToken(rotated.expose_secret()),
        )
        .await
        .unwrap_err();
    assert_eq!(
        tailspin.kind(),
        ErrorKind::PartnerConsentMissing,
        "{tailspin}"
    );
}

#[tokio::test]
async fn write_back_succeeds_or_says_why_not() {
    let (emu, cloud) = start(example()).await;
    let ms = client();
    let token = ms
        .app_token(&cloud, CONTOSO, &creds(MT_APP, MT_SECRET))
        .await
        .unwrap();
    ms.patch_mobile_phone(
        &cloud,
        CONTOSO,
        &token,
        "22222222-0000-4000-8000-000000000002",
        Some("+1 206 555 0100"),
    )
    .await
    .unwrap();
    let u = emu
        .control()
        .user(CONTOSO, "22222222-0000-4000-8000-000000000002")
        .unwrap();
    assert_eq!(u["mobilePhone"], "+1 206 555 0100");
    let onprem = ms
        .patch_mobile_phone(
            &cloud,
            CONTOSO,
            &token,
            "22222222-0000-4000-8000-000000000003",
            Some("+1"),
        )
        .await
        .unwrap_err();
    assert_eq!(onprem.kind(), ErrorKind::BadRequest, "{onprem}");
    let admin = ms
        .patch_mobile_phone(
            &cloud,
            CONTOSO,
            &token,
            "22222222-0000-4000-8000-000000000001",
            None,
        )
        .await
        .unwrap_err();
    assert_eq!(admin.kind(), ErrorKind::Forbidden, "{admin}");
    assert!(
        admin.user_message(None).contains("Insufficient privileges")
            || admin.user_message(None).contains("refused")
    );
}

/// Issue 17.1, both sides of the protocol: the simulator's OpenID Connect sign-in returns an
/// id_token signed RS256 with a key published at its discovery document's `jwks_uri`, and
/// the client verifies it (tenant, nonce, audience, issuer) before trusting its `tid`.
#[tokio::test]
async fn an_openid_sign_in_proves_its_tenant_with_a_verified_id_token() {
    use countersign_microsoft::{IdTokenError, IdTokenExpectations, Nonce, SignInProofError};
    use secrecy::ExposeSecret;
    const MT_REDIRECT: &str = "http://localhost:8080/integrations/consent/callback";
    const ZOE_GA: &str = "22222222-0000-4000-8000-000000000001";
    let (emu, cloud) = start(example()).await;
    let ms = client();
    let config = ms.openid_configuration(&cloud, CONTOSO).await.unwrap();
    assert_eq!(
        config.issuer,
        format!("{}/{CONTOSO}/v2.0", emu.manifest().login_base_url)
    );
    let pkce = Pkce::new_random();
    let nonce = Nonce::new_random();
    let url = ms.openid_sign_in_url(
        &cloud,
        CONTOSO,
        MT_APP,
        MT_REDIRECT,
        "st",
        &nonce.value,
        &pkce.challenge,
    );
    let cb = approve_sign_in(&url, ZOE_GA).await;
    let set = ms
        .token(
            &cloud,
            CONTOSO,
            &creds(MT_APP, MT_SECRET),
            TokenGrant::OpenIdCode {
                code: &cb.code,
                verifier: pkce.verifier(),
                redirect_uri: MT_REDIRECT,
            },
        )
        .await
        .unwrap();
    let id_token = set.id_token.expect("openid gives an id_token");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        .cast_signed();
    let expect = IdTokenExpectations {
        tenant: CONTOSO,
        client_id: MT_APP,
        nonce_hash: &nonce.hash,
        now_unix: now,
    };
    let claims = ms
        .verify_sign_in(&cloud, id_token.expose_secret(), &expect)
        .await
        .unwrap();
    assert_eq!(claims.tid, CONTOSO);
    assert_eq!(claims.oid.as_deref(), Some(ZOE_GA));
    // The same token proves nothing about another tenant, another flow or another app.
    let other_nonce = Nonce::new_random();
    for (wrong, why) in [
        (
            IdTokenExpectations {
                tenant: FABRIKAM,
                ..expect
            },
            "tenant",
        ),
        (
            IdTokenExpectations {
                nonce_hash: &other_nonce.hash,
                ..expect
            },
            "nonce",
        ),
        (
            IdTokenExpectations {
                client_id: PARTNER_APP,
                ..expect
            },
            "audience",
        ),
    ] {
        let e = ms
            .verify_sign_in(&cloud, id_token.expose_secret(), &wrong)
            .await
            .unwrap_err();
        assert!(
            matches!(
                (&e, why),
                (
                    SignInProofError::Token(IdTokenError::Tenant { .. }),
                    "tenant"
                ) | (SignInProofError::Token(IdTokenError::Nonce), "nonce")
                    | (SignInProofError::Token(IdTokenError::Audience), "audience")
            ),
            "{why}: {e:?}"
        );
    }
    // Another emulator's keys do not verify this one's tokens.
    let (_other, other_cloud) = start(example()).await;
    let e = ms
        .verify_sign_in(&other_cloud, id_token.expose_secret(), &expect)
        .await
        .unwrap_err();
    assert!(
        matches!(
            e,
            SignInProofError::Token(IdTokenError::UnknownKey | IdTokenError::Issuer)
        ),
        "{e:?}"
    );
}
