//! Test harness: start the emulator on 127.0.0.1:0 and talk to it like a client would.

use countersign_emulator::{Emulator, Manifest, RunningEmulator, Scenario};
use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use serde_json::Value;

pub const MT_APP: &str = "aaaaaaaa-0000-4000-8000-000000000001";
pub const MT_SECRET: &str = "mt~secret-value-0001";
pub const PARTNER_APP: &str = "aaaaaaaa-0000-4000-8000-000000000002";
pub const PARTNER_SECRET: &str = "partner~secret-value-0002";
pub const PARTNER: &str = "11111111-1111-4111-8111-111111111111";
pub const ALEX_GA: &str = "11111111-0000-4000-8000-000000000001";
pub const MEGAN_UA: &str = "11111111-0000-4000-8000-000000000002";
pub const CONTOSO: &str = "22222222-2222-4222-8222-222222222222";
pub const ZOE_GA: &str = "22222222-0000-4000-8000-000000000001";
pub const TARO: &str = "22222222-0000-4000-8000-000000000002";
pub const BJOERN_ONPREM: &str = "22222222-0000-4000-8000-000000000003";
pub const FABRIKAM: &str = "33333333-3333-4333-8333-333333333333";
pub const TAILSPIN: &str = "44444444-4444-4444-8444-444444444444";
pub const PARTNER_REDIRECT: &str = "http://localhost:8080/integrations/gdap/callback";
pub const MT_REDIRECT: &str = "http://localhost:8080/integrations/consent/callback";
pub const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXkdBjftJeZ4CVP";

pub struct Env {
    pub emu: RunningEmulator,
    pub m: Manifest,
    pub http: reqwest::Client,
}

pub fn example() -> Scenario {
    Scenario::from_file(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/scenarios/example.toml"
    ))
    .unwrap()
}

pub async fn start() -> Env {
    start_with(example()).await
}

pub async fn start_with(scenario: Scenario) -> Env {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let emu = Emulator::start(scenario, listener).await.unwrap();
    let m = emu.manifest().clone();
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    Env { emu, m, http }
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub json: Value,
}

impl Env {
    pub async fn token(&self, tenant: &str, form: &[(&str, &str)]) -> Reply {
        let url = format!("{}/{tenant}/oauth2/v2.0/token", self.m.login_base_url);
        let resp = self.http.post(url).form(form).send().await.unwrap();
        reply(resp).await
    }

    /// Client-credentials token of the multi-tenant app.
    pub async fn app_token(&self, tenant: &str) -> String {
        let r = self
            .token(
                tenant,
                &[
                    ("client_id", MT_APP),
                    ("client_secret", MT_SECRET),
                    ("grant_type", "client_credentials"),
                    ("scope", "https://graph.microsoft.com/.default"),
                ],
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.json);
        r.json["access_token"].as_str().unwrap().to_string()
    }

    pub async fn get(&self, url: &str, token: &str) -> Reply {
        reply(self.http.get(url).bearer_auth(token).send().await.unwrap()).await
    }

    pub async fn graph(&self, path: &str, token: &str) -> Reply {
        self.get(&format!("{}/v1.0/{path}", self.m.graph_base_url), token)
            .await
    }

    pub async fn patch_user(&self, user: &str, token: &str, body: Value) -> Reply {
        let url = format!("{}/v1.0/users/{user}", self.m.graph_base_url);
        reply(
            self.http
                .patch(url)
                .bearer_auth(token)
                .json(&body)
                .send()
                .await
                .unwrap(),
        )
        .await
    }

    /// Signs `account` in through the authorize page (Accept) and returns the redirect URL.
    pub async fn authorize(
        &self,
        tenant: &str,
        account: &str,
        action: &str,
        challenge: &str,
    ) -> url::Url {
        let url = format!("{}/{tenant}/oauth2/v2.0/authorize", self.m.login_base_url);
        let params = [
            ("client_id", PARTNER_APP),
            ("response_type", "code"),
            ("redirect_uri", PARTNER_REDIRECT),
            (
                "scope",
                "openid profile offline_access https://graph.microsoft.com/.default",
            ),
            ("state", "st-123"),
            ("code_challenge", challenge),
            ("code_challenge_method", "S256"),
        ];
        let page = self.http.get(&url).query(&params).send().await.unwrap();
        assert_eq!(page.status(), 200);
        let html = page.text().await.unwrap();
        assert!(html.contains(account), "account {account} not offered");
        let mut form: Vec<(&str, &str)> = params.to_vec();
        form.push(("account", account));
        form.push(("action", action));
        let resp = self.http.post(&url).form(&form).send().await.unwrap();
        assert!(resp.status().is_redirection(), "{}", resp.status());
        url::Url::parse(resp.headers()["location"].to_str().unwrap()).unwrap()
    }

    /// Full sign-in + code redemption for `account` in the partner tenant.
    pub async fn sign_in(&self, account: &str) -> Value {
        let redirect = self
            .authorize(PARTNER, account, "approve", &challenge(VERIFIER))
            .await;
        let code = query(&redirect, "code").unwrap();
        let r = self
            .token(
                PARTNER,
                &[
                    ("client_id", PARTNER_APP),
                    ("client_secret", PARTNER_SECRET),
                    ("grant_type", "authorization_code"),
                    ("code", &code),
                    ("redirect_uri", PARTNER_REDIRECT),
                    ("code_verifier", VERIFIER),
                ],
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.json);
        r.json
    }

    pub async fn refresh(&self, tenant: &str, refresh_token: &str) -> Reply {
        self.token(
            tenant,
            &[
                ("client_id", PARTNER_APP),
                ("client_secret", PARTNER_SECRET),
                ("grant_type", "refresh_token"),
                ("refresh_token", refresh_token),
                ("scope", "https://graph.microsoft.com/.default"),
            ],
        )
        .await
    }

    pub fn control_url(&self, path: &str) -> String {
        format!("{}{path}", self.m.control_url)
    }
}

pub async fn reply(resp: reqwest::Response) -> Reply {
    let status = resp.status();
    let headers = resp.headers().clone();
    let bytes = resp.bytes().await.unwrap();
    let json = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    Reply {
        status,
        headers,
        json,
    }
}

pub fn challenge(verifier: &str) -> String {
    use base64::Engine;
    use sha2::Digest;
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(sha2::Sha256::digest(verifier.as_bytes()))
}

pub fn query(url: &url::Url, key: &str) -> Option<String> {
    url.query_pairs()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.into_owned())
}

/// Decodes a JWT's claims without verifying (tests look inside; clients must not).
pub fn claims(jwt: &str) -> Value {
    use base64::Engine;
    let payload = jwt.split('.').nth(1).unwrap();
    serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload)
            .unwrap(),
    )
    .unwrap()
}

/// Asserts the identity platform's error JSON shape and returns the AADSTS code.
pub fn aad_code(r: &Reply) -> u64 {
    for field in [
        "error",
        "error_description",
        "error_codes",
        "timestamp",
        "trace_id",
        "correlation_id",
    ] {
        assert!(r.json.get(field).is_some(), "missing {field} in {}", r.json);
    }
    let code = r.json["error_codes"][0].as_u64().unwrap();
    assert!(
        r.json["error_description"]
            .as_str()
            .unwrap()
            .starts_with(&format!("AADSTS{code}:"))
    );
    code
}

/// Asserts Graph's error JSON shape and returns `error.code`.
pub fn graph_code(r: &Reply) -> String {
    let e = &r.json["error"];
    assert!(e["message"].is_string(), "{}", r.json);
    assert!(
        e["innerError"]["date"].is_string() && e["innerError"]["request-id"].is_string(),
        "{}",
        r.json
    );
    e["code"].as_str().unwrap().to_string()
}
