use crate::common::*;

#[tokio::test]
async fn discovery_by_domain_carries_the_tenant_guid() {
    let env = start().await;
    for key in ["contoso.onmicrosoft.com", "contoso.com", CONTOSO] {
        let url = format!(
            "{}/{key}/v2.0/.well-known/openid-configuration",
            env.m.login_base_url
        );
        let r = reply(env.http.get(url).send().await.unwrap()).await;
        assert_eq!(r.status, 200);
        assert_eq!(
            r.json["issuer"],
            format!("{}/{CONTOSO}/v2.0", env.m.login_base_url)
        );
        assert!(r.json["token_endpoint"].as_str().unwrap().contains(CONTOSO));
    }
    let url = format!(
        "{}/nope.example/v2.0/.well-known/openid-configuration",
        env.m.login_base_url
    );
    let r = reply(env.http.get(url).send().await.unwrap()).await;
    assert_eq!(r.status, 400);
    assert_eq!(r.json["error"], "invalid_tenant");
    assert_eq!(aad_code(&r), 90002);
}

#[tokio::test]
async fn client_credentials_only_where_consented_and_with_a_valid_secret() {
    let env = start().await;
    let token = env.app_token("contoso.onmicrosoft.com").await;
    let c = claims(&token);
    assert_eq!(c["tid"], CONTOSO);
    assert_eq!(c["appid"], MT_APP);
    assert!(
        c["roles"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r == "User.ReadWrite.All")
    );

    let form = |secret: &'static str, scope: &'static str| {
        vec![
            ("client_id", MT_APP),
            ("client_secret", secret),
            ("grant_type", "client_credentials"),
            ("scope", scope),
        ]
    };
    let graph = "https://graph.microsoft.com/.default";
    let r = env.token(FABRIKAM, &form(MT_SECRET, graph)).await;
    assert_eq!(
        (r.status.as_u16(), r.json["error"].as_str()),
        (400, Some("unauthorized_client"))
    );
    assert_eq!(aad_code(&r), 700016);

    let r = env.token(CONTOSO, &form("not-the-secret", graph)).await;
    assert_eq!(
        (r.status.as_u16(), r.json["error"].as_str()),
        (401, Some("invalid_client"))
    );
    assert_eq!(aad_code(&r), 7000215);

    let r = env.token(CONTOSO, &form("mt~expired-secret", graph)).await;
    assert_eq!(r.status, 401);
    assert_eq!(aad_code(&r), 7000222);

    let r = env
        .token(
            CONTOSO,
            &form(MT_SECRET, "https://graph.microsoft.com/User.Read.All"),
        )
        .await;
    assert_eq!(aad_code(&r), 1002012);

    let r = env
        .token(
            CONTOSO,
            &[
                ("client_id", MT_APP),
                ("grant_type", "client_credentials"),
                ("scope", graph),
            ],
        )
        .await;
    assert_eq!(aad_code(&r), 7000218);

    let r = env.token("nope.example", &form(MT_SECRET, graph)).await;
    assert_eq!(aad_code(&r), 90002);
}

#[tokio::test]
async fn authorization_code_with_pkce_is_single_use() {
    let env = start().await;
    let redirect = env
        .authorize(PARTNER, ALEX_GA, "approve", &challenge(VERIFIER))
        .await;
    assert!(redirect.as_str().starts_with(PARTNER_REDIRECT));
    assert_eq!(query(&redirect, "state").as_deref(), Some("st-123"));
    let code = query(&redirect, "code").unwrap();
    let redeem = |verifier: &'static str, code: String| {
        let env = &env;
        async move {
            env.token(
                PARTNER,
                &[
                    ("client_id", PARTNER_APP),
                    ("client_secret", PARTNER_SECRET),
                    ("grant_type", "authorization_code"),
                    ("code", &code),
                    ("redirect_uri", PARTNER_REDIRECT),
                    ("code_verifier", verifier),
                ],
            )
            .await
        }
    };
    let wrong = redeem(
        "wrong-verifier-wrong-verifier-wrong-verifier-0",
        code.clone(),
    )
    .await;
    assert_eq!(wrong.json["error"], "invalid_grant");
    assert_eq!(aad_code(&wrong), 501481);

    let ok = redeem(VERIFIER, code.clone()).await;
    assert_eq!(ok.status, 200, "{}", ok.json);
    assert!(ok.json["refresh_token"].is_string());
    assert!(ok.json["id_token"].is_string());
    assert_eq!(ok.json["expires_in"], 3599);
    let c = claims(ok.json["access_token"].as_str().unwrap());
    assert_eq!(
        (c["tid"].as_str(), c["oid"].as_str()),
        (Some(PARTNER), Some(ALEX_GA))
    );
    assert!(
        c["scp"]
            .as_str()
            .unwrap()
            .contains("DelegatedAdminRelationship.Read.All")
    );

    let again = redeem(VERIFIER, code).await;
    assert_eq!(aad_code(&again), 54005);
}

#[tokio::test]
async fn authorize_cancel_redirects_access_denied() {
    let env = start().await;
    let redirect = env
        .authorize(PARTNER, ALEX_GA, "cancel", &challenge(VERIFIER))
        .await;
    assert_eq!(query(&redirect, "error").as_deref(), Some("access_denied"));
    assert_eq!(query(&redirect, "state").as_deref(), Some("st-123"));
    assert!(query(&redirect, "code").is_none());
}

#[tokio::test]
async fn authorize_rejects_unregistered_redirect_uri_on_its_own_page() {
    let env = start().await;
    let url = format!("{}/{PARTNER}/oauth2/v2.0/authorize", env.m.login_base_url);
    let resp = env
        .http
        .get(url)
        .query(&[
            ("client_id", PARTNER_APP),
            ("response_type", "code"),
            ("redirect_uri", "https://evil.example/cb"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    assert!(resp.text().await.unwrap().contains("AADSTS50011"));
}

async fn admin_consent(env: &Env, tenant: &str, action: &str) -> url::Url {
    let url = format!("{}/{tenant}/v2.0/adminconsent", env.m.login_base_url);
    let params = [
        ("client_id", MT_APP),
        ("scope", "https://graph.microsoft.com/.default"),
        ("redirect_uri", MT_REDIRECT),
        ("state", "consent-state"),
    ];
    let html = env
        .http
        .get(&url)
        .query(&params)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    // The first offered account is an admin of that tenant.
    let account = html
        .split("name=\"account\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    let mut form = params.to_vec();
    form.push(("account", &account));
    form.push(("action", action));
    let resp = env.http.post(&url).form(&form).send().await.unwrap();
    assert!(resp.status().is_redirection());
    url::Url::parse(resp.headers()["location"].to_str().unwrap()).unwrap()
}

#[tokio::test]
async fn admin_consent_grants_client_credentials_in_that_tenant() {
    let env = start().await;
    let cancelled = admin_consent(&env, "fabrikam.onmicrosoft.com", "cancel").await;
    assert_eq!(query(&cancelled, "error").as_deref(), Some("access_denied"));
    assert_eq!(query(&cancelled, "state").as_deref(), Some("consent-state"));

    let ok = admin_consent(&env, "fabrikam.onmicrosoft.com", "approve").await;
    assert_eq!(query(&ok, "admin_consent").as_deref(), Some("True"));
    assert_eq!(query(&ok, "tenant").as_deref(), Some(FABRIKAM));
    assert_eq!(query(&ok, "state").as_deref(), Some("consent-state"));
    assert!(
        query(&ok, "scope")
            .unwrap()
            .contains("https://graph.microsoft.com/User.ReadWrite.All")
    );
    let token = env.app_token(FABRIKAM).await;
    let org = env.graph("organization", &token).await;
    assert_eq!(org.json["value"][0]["id"], FABRIKAM);
}

#[tokio::test]
async fn graph_rejects_expired_foreign_and_missing_tokens() {
    let env = start().await;
    let other = start().await;
    let token = env.app_token(CONTOSO).await;
    assert_eq!(env.graph("users", &token).await.status, 200);

    let foreign = other.app_token(CONTOSO).await;
    let r = env.graph("users", &foreign).await;
    assert_eq!(r.status, 401);
    assert_eq!(graph_code(&r), "InvalidAuthenticationToken");
    assert!(r.headers.contains_key("www-authenticate"));

    let r = reply(
        env.http
            .get(format!("{}/v1.0/users", env.m.graph_base_url))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (r.status.as_u16(), graph_code(&r).as_str()),
        (401, "InvalidAuthenticationToken")
    );

    env.emu.control().advance_clock(3600);
    let r = env.graph("users", &token).await;
    assert_eq!(r.status, 401);
    assert_eq!(
        r.json["error"]["message"],
        "Access token has expired or is not yet valid."
    );
}
