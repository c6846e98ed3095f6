//! The SMS face (Twilio Messages API): credentials, validation and error codes, idempotency
//! keys, signed status callbacks, fault injection, inbound messages, the received list.

use crate::common::{Env, start, start_with};
use axum::extract::{OriginalUri, State};
use axum::http::HeaderMap;
use countersign_emulator::{Scenario, SmsFaultKind, SmsFaults};
use hmac::{Hmac, Mac};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// One webhook the face posted: URL, signature header, form parameters.
#[derive(Clone, Debug)]
struct Hook {
    url: String,
    signature: String,
    params: Vec<(String, String)>,
}

impl Hook {
    fn get(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// A web server standing in for the product's webhooks; records every POST.
struct Receiver {
    base: String,
    hooks: Arc<Mutex<Vec<Hook>>>,
}

async fn receiver() -> Receiver {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let hooks: Arc<Mutex<Vec<Hook>>> = Arc::default();
    let state = (hooks.clone(), base.clone());
    let app = axum::Router::new()
        .fallback(
            |State((hooks, base)): State<(Arc<Mutex<Vec<Hook>>>, String)>,
             OriginalUri(uri): OriginalUri,
             headers: HeaderMap,
             body: axum::body::Bytes| async move {
                let hook = Hook {
                    url: format!("{base}{uri}"),
                    signature: headers
                        .get("x-twilio-signature")
                        .map(|v| v.to_str().unwrap().to_owned())
                        .unwrap_or_default(),
                    params: form_urlencoded::parse(&body).into_owned().collect(),
                };
                hooks.lock().unwrap().push(hook);
                "<Response></Response>"
            },
        )
        .with_state(state);
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    Receiver { base, hooks }
}

/// Twilio's algorithm, written again here from its documentation.
fn expected_signature(token: &str, url: &str, params: &[(String, String)]) -> String {
    use base64::Engine;
    let mut sorted = params.to_vec();
    sorted.sort();
    let mut data = url.to_owned();
    for (k, v) in sorted {
        data.push_str(&k);
        data.push_str(&v);
    }
    let mut mac = Hmac::<sha1::Sha1>::new_from_slice(token.as_bytes()).unwrap();
    mac.update(data.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

impl Env {
    fn messages_url(&self) -> String {
        format!(
            "{}/2010-04-01/Accounts/{}/Messages.json",
            self.m.sms.base_url, self.m.sms.account_sid
        )
    }

    async fn send_sms(
        &self,
        form: &[(&str, &str)],
        key: Option<&str>,
    ) -> (StatusCode, HeaderMap, Value) {
        self.send_as(&self.m.sms.account_sid, &self.m.sms.auth_token, form, key)
            .await
    }

    async fn send_as(
        &self,
        user: &str,
        password: &str,
        form: &[(&str, &str)],
        key: Option<&str>,
    ) -> (StatusCode, HeaderMap, Value) {
        let mut req = self
            .http
            .post(self.messages_url())
            .basic_auth(user, Some(password))
            .form(form);
        if let Some(k) = key {
            req = req.header("Idempotency-Key", k);
        }
        let r = crate::common::reply(req.send().await.unwrap()).await;
        (r.status, r.headers, r.json)
    }

    async fn sms_control(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let mut req = self.http.request(method, self.control_url(path));
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.unwrap();
        assert!(resp.status().is_success(), "{path}: {}", resp.status());
        resp.json().await.unwrap_or(Value::Null)
    }

    async fn wait_callbacks_done(&self) -> Value {
        let started = Instant::now();
        loop {
            let counts = self
                .sms_control(reqwest::Method::GET, "/sms/counts", None)
                .await;
            if counts["callbacks_pending"] == 0 {
                return counts;
            }
            assert!(started.elapsed() < Duration::from_secs(20), "{counts}");
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
}

fn error_shape(v: &Value, code: u64, status: u64) {
    assert_eq!(v["code"], code, "{v}");
    assert_eq!(v["status"], status, "{v}");
    assert!(v["message"].as_str().is_some_and(|m| !m.is_empty()), "{v}");
    assert_eq!(
        v["more_info"],
        format!("https://www.twilio.com/docs/errors/{code}")
    );
}

const TO: &str = "+14155550100";

#[tokio::test]
async fn manifest_names_the_twilio_base_url_and_account() {
    let env = start().await;
    let sms = &env.m.sms;
    assert!(sms.base_url.ends_with("/twilio"), "{}", sms.base_url);
    assert!(sms.account_sid.starts_with("AC") && sms.account_sid.len() == 34);
    assert_eq!(sms.auth_token.len(), 32);
    assert_eq!(sms.from_number, "+15005550006");
}

#[tokio::test]
async fn credentials_are_checked_like_twilio() {
    let env = start().await;
    let form = [("To", TO), ("From", "+15005550006"), ("Body", "hi")];
    let (status, headers, body) = env
        .send_as(&env.m.sms.account_sid, "wrong-token", &form, None)
        .await;
    assert_eq!(status, 401);
    error_shape(&body, 20003, 401);
    assert!(
        headers["www-authenticate"]
            .to_str()
            .unwrap()
            .starts_with("Basic")
    );
    // No Authorization header at all.
    let resp = env
        .http
        .post(env.messages_url())
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);
    // Another account's path with valid credentials: 404 20404.
    let other = env.messages_url().replace(&env.m.sms.account_sid, "AC0000");
    let resp = env
        .http
        .post(other)
        .basic_auth(&env.m.sms.account_sid, Some(&env.m.sms.auth_token))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 404);
    error_shape(&resp.json().await.unwrap(), 20404, 404);
    // An API key (SK… + secret) configured through the control API works.
    env.sms_control(
        reqwest::Method::PUT,
        "/sms/account",
        Some(json!({"api_keys": [{"sid": "SK123", "secret": "key-secret"}]})),
    )
    .await;
    let (status, _, body) = env.send_as("SK123", "key-secret", &form, None).await;
    assert_eq!(status, 201, "{body}");
    let (status, _, _) = env.send_as("SK123", "nope", &form, None).await;
    assert_eq!(status, 401);
    // Rotating the auth token through the control API.
    env.sms_control(
        reqwest::Method::PUT,
        "/sms/account",
        Some(json!({"auth_token": "rotated"})),
    )
    .await;
    let (status, _, _) = env.send_sms(&form, None).await;
    assert_eq!(status, 401);
    let (status, _, _) = env
        .send_as(&env.m.sms.account_sid, "rotated", &form, None)
        .await;
    assert_eq!(status, 201);
}

#[tokio::test]
async fn creates_a_message_resource() {
    let env = start().await;
    let (status, _, m) = env
        .send_sms(
            &[
                ("To", TO),
                ("From", "+15005550006"),
                ("Body", "Your code is 123"),
            ],
            None,
        )
        .await;
    assert_eq!(status, 201, "{m}");
    let sid = m["sid"].as_str().unwrap();
    assert!(sid.starts_with("SM") && sid.len() == 34, "{sid}");
    assert_eq!(m["status"], "queued");
    assert_eq!(m["to"], TO);
    assert_eq!(m["from"], "+15005550006");
    assert_eq!(m["body"], "Your code is 123");
    assert_eq!(m["account_sid"], env.m.sms.account_sid.as_str());
    assert_eq!(m["direction"], "outbound-api");
    assert_eq!(m["api_version"], "2010-04-01");
    assert!(m["date_created"].as_str().unwrap().ends_with("+0000"));
    // Fetchable at its uri.
    let url = format!("{}{}", env.m.sms.base_url, m["uri"].as_str().unwrap());
    let fetched: Value = env
        .http
        .get(url)
        .basic_auth(&env.m.sms.account_sid, Some(&env.m.sms.auth_token))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(fetched["sid"], sid);
    // A Messaging Service instead of From: accepted.
    env.sms_control(
        reqwest::Method::PUT,
        "/sms/account",
        Some(json!({"messaging_service_sids": ["MG1"]})),
    )
    .await;
    let (status, _, m) = env
        .send_sms(
            &[("To", TO), ("MessagingServiceSid", "MG1"), ("Body", "x")],
            None,
        )
        .await;
    assert_eq!(
        (status, m["status"].as_str()),
        (StatusCode::CREATED, Some("accepted"))
    );
    let log = env
        .sms_control(reqwest::Method::GET, "/sms/messages", None)
        .await;
    assert_eq!(log["counts"]["messages"], 2);
    assert_eq!(log["messages"][0]["body"], "Your code is 123");
}

#[tokio::test]
async fn validation_errors_use_twilio_codes() {
    let env = start().await;
    env.sms_control(
        reqwest::Method::PUT,
        "/sms/faults",
        Some(json!({"invalid_numbers": ["+14155550199"], "opted_out": ["+14155550142"]})),
    )
    .await;
    let from = ("From", "+15005550006");
    let cases: &[(&[(&str, &str)], u64)] = &[
        (&[("To", "0415 555 0100"), from, ("Body", "x")], 21211),
        (&[("To", "+14155550199"), from, ("Body", "x")], 21211),
        (&[("To", "+14155550142"), from, ("Body", "x")], 21610),
        (&[from, ("Body", "x")], 21604),
        (&[("To", TO), ("Body", "x")], 21603),
        (
            &[("To", TO), ("From", "+15005550007"), ("Body", "x")],
            21606,
        ),
        (&[("To", TO), from, ("Body", "")], 21602),
        (
            &[
                ("To", TO),
                from,
                ("Body", "x"),
                ("StatusCallback", "not a url"),
            ],
            21609,
        ),
    ];
    for (form, code) in cases {
        let (status, _, body) = env.send_sms(form, None).await;
        assert_eq!(status, 400, "{form:?}: {body}");
        error_shape(&body, *code, 400);
    }
    let long = "x".repeat(1601);
    let (_, _, body) = env
        .send_sms(&[("To", TO), from, ("Body", &long)], None)
        .await;
    error_shape(&body, 21617, 400);
    let log = env
        .sms_control(reqwest::Method::GET, "/sms/messages", None)
        .await;
    assert_eq!(log["counts"]["messages"], 0);
    assert_eq!(log["counts"]["refused"], 9);
    assert_eq!(log["refused"][2]["code"], 21610);
}

#[tokio::test]
async fn a_repeated_idempotency_key_sends_once() {
    let env = start().await;
    let form = [("To", TO), ("From", "+15005550006"), ("Body", "once")];
    let (_, h1, first) = env.send_sms(&form, Some("org:msg-1")).await;
    assert!(h1.get("idempotent-replayed").is_none());
    let (status, h2, again) = env.send_sms(&form, Some("org:msg-1")).await;
    assert_eq!(status, 201);
    assert_eq!(again["sid"], first["sid"]);
    assert_eq!(h2["idempotent-replayed"], "true");
    env.send_sms(&form, Some("org:msg-2")).await;
    let log = env
        .sms_control(reqwest::Method::GET, "/sms/messages", None)
        .await;
    let c = &log["counts"];
    assert_eq!(
        (c["requests"].as_u64(), c["messages"].as_u64()),
        (Some(3), Some(2))
    );
    assert_eq!(
        (c["replays"].as_u64(), c["repeated_keys"].as_u64()),
        (Some(1), Some(1))
    );
    assert_eq!(c["repeated_to"], 1, "two messages to one number");
    assert_eq!(log["requests_per_key"]["org:msg-1"], 2);
    assert_eq!(log["requests_per_key"]["org:msg-2"], 1);
    assert_eq!(log["messages_per_to"][TO], 2);
    // Real Twilio ignores the header; the face can too.
    env.sms_control(
        reqwest::Method::PUT,
        "/sms/account",
        Some(json!({"honour_idempotency_key": false})),
    )
    .await;
    let (_, _, third) = env.send_sms(&form, Some("org:msg-1")).await;
    assert_ne!(third["sid"], first["sid"]);
    // Clearing empties the list.
    env.sms_control(reqwest::Method::DELETE, "/sms/messages", None)
        .await;
    let c = env
        .sms_control(reqwest::Method::GET, "/sms/counts", None)
        .await;
    assert_eq!(c["messages"], 0);
}

#[tokio::test]
async fn status_callbacks_are_signed_and_follow_the_faults() {
    let env = start().await;
    let hooks = receiver().await;
    env.emu.sms().set_faults(SmsFaults {
        undelivered: [("+14155550101".to_owned(), 30003)].into(),
        failed: [("+14155550102".to_owned(), 30008)].into(),
        ..SmsFaults::default()
    });
    let callback = format!("{}/webhooks/twilio/status?x=1", hooks.base);
    let mut sids = Vec::new();
    for to in [TO, "+14155550101", "+14155550102"] {
        let (status, _, m) = env
            .send_sms(
                &[
                    ("To", to),
                    ("From", "+15005550006"),
                    ("Body", "x"),
                    ("StatusCallback", &callback),
                ],
                None,
            )
            .await;
        assert_eq!(status, 201);
        sids.push(m["sid"].as_str().unwrap().to_owned());
    }
    let counts = env.wait_callbacks_done().await;
    assert_eq!(
        counts["by_status"],
        json!({"delivered": 1, "undelivered": 1, "failed": 1})
    );
    let got = hooks.hooks.lock().unwrap().clone();
    for hook in &got {
        assert_eq!(hook.url, callback);
        assert_eq!(
            hook.signature,
            expected_signature(&env.m.sms.auth_token, &hook.url, &hook.params),
            "{hook:?}"
        );
        assert_eq!(hook.get("AccountSid"), Some(env.m.sms.account_sid.as_str()));
    }
    let statuses = |sid: &str| -> Vec<(String, Option<String>)> {
        got.iter()
            .filter(|h| h.get("MessageSid") == Some(sid))
            .map(|h| {
                assert_eq!(h.get("SmsStatus"), h.get("MessageStatus"));
                (
                    h.get("MessageStatus").unwrap().to_owned(),
                    h.get("ErrorCode").map(str::to_owned),
                )
            })
            .collect()
    };
    let s = |v: &str, c: Option<&str>| (v.to_owned(), c.map(str::to_owned));
    assert_eq!(
        statuses(&sids[0]),
        [s("queued", None), s("sent", None), s("delivered", None)]
    );
    assert_eq!(
        statuses(&sids[1]),
        [
            s("queued", None),
            s("sent", None),
            s("undelivered", Some("30003"))
        ]
    );
    assert_eq!(
        statuses(&sids[2]),
        [s("queued", None), s("failed", Some("30008"))]
    );
    let log = env.emu.sms().log();
    let m = log.messages.iter().find(|m| m.sid == sids[1]).unwrap();
    assert_eq!(
        (m.status.as_str(), m.error_code),
        ("undelivered", Some(30003))
    );
    assert!(m.callbacks.iter().all(|c| c.http_status == Some(200)));
}

#[tokio::test]
async fn injected_5xx_and_slow_responses() {
    let env = start().await;
    let form = [("To", TO), ("From", "+15005550006"), ("Body", "x")];
    env.emu.sms().set_faults(SmsFaults {
        next: vec![
            SmsFaultKind::ServerError,
            SmsFaultKind::Unavailable,
            SmsFaultKind::TooManyRequests,
            SmsFaultKind::Slow,
        ],
        slow_ms: 300,
        ..SmsFaults::default()
    });
    for (status, code) in [(500, 20500), (503, 20503), (429, 20429)] {
        let (got, _, body) = env.send_sms(&form, Some("k")).await;
        assert_eq!(got.as_u16(), status);
        error_shape(&body, code, u64::from(status));
    }
    let started = Instant::now();
    let (status, _, _) = env.send_sms(&form, Some("k")).await;
    assert_eq!(status, 201, "a slow answer is still an answer");
    assert!(started.elapsed() >= Duration::from_millis(300));
    // A rate: every request fails with 500 or 503.
    env.emu.sms().set_faults(SmsFaults {
        rate_5xx: 1.0,
        ..SmsFaults::default()
    });
    for _ in 0..10 {
        let (status, _, _) = env.send_sms(&form, None).await;
        assert!(status == 500 || status == 503, "{status}");
    }
    let c = env.emu.sms().counts();
    assert_eq!((c.messages, c.refused, c.requests), (1, 13, 14));
}

#[tokio::test]
async fn inbound_messages_are_signed_and_stop_opts_out() {
    let env = start().await;
    let hooks = receiver().await;
    let inbound_url = format!("{}/webhooks/twilio/inbound", hooks.base);
    env.sms_control(
        reqwest::Method::PUT,
        "/sms/account",
        Some(json!({"inbound_url": inbound_url, "from_numbers": ["+15005550006", "+15005550007"]})),
    )
    .await;
    let r = env
        .sms_control(
            reqwest::Method::POST,
            "/sms/inbound",
            Some(json!({"from": TO, "body": "STOP"})),
        )
        .await;
    assert_eq!(r["http_status"], 200, "{r}");
    assert_eq!(r["body"], "<Response></Response>");
    let hook = hooks.hooks.lock().unwrap()[0].clone();
    assert_eq!(hook.url, inbound_url);
    assert_eq!(
        hook.signature,
        expected_signature(&env.m.sms.auth_token, &hook.url, &hook.params)
    );
    assert_eq!(hook.get("From"), Some(TO));
    assert_eq!(hook.get("To"), Some("+15005550006"));
    assert_eq!(hook.get("Body"), Some("STOP"));
    assert_eq!(hook.get("SmsStatus"), Some("received"));
    assert!(hook.get("MessageSid").unwrap().starts_with("SM"));
    // Twilio blocks the number after STOP …
    let form = [("To", TO), ("From", "+15005550006"), ("Body", "x")];
    let (status, _, body) = env.send_sms(&form, None).await;
    assert_eq!(status, 400);
    error_shape(&body, 21610, 400);
    // … from the sender it texted only: the account's other number still reaches it.
    let other = [("To", TO), ("From", "+15005550007"), ("Body", "x")];
    assert_eq!(env.send_sms(&other, None).await.0, 201);
    // … until START.
    env.sms_control(
        reqwest::Method::POST,
        "/sms/inbound",
        Some(json!({"from": TO, "body": "start"})),
    )
    .await;
    assert_eq!(env.send_sms(&form, None).await.0, 201);
    assert_eq!(hooks.hooks.lock().unwrap().len(), 2);
}

#[tokio::test]
async fn scenario_sms_section_sets_the_account() {
    let mut scenario: Scenario = crate::common::example();
    let sms: countersign_emulator::SmsScenario = toml::from_str(
        r#"
        account_sid = "AC11111111111111111111111111111111"
        auth_token = "scenario-token"
        from_numbers = ["+15005550010"]
        status_delay_ms = 0
        [faults]
        invalid_numbers = ["+15005550001"]
        "#,
    )
    .unwrap();
    scenario.sms = sms;
    let env = start_with(scenario).await;
    assert_eq!(env.m.sms.account_sid, "AC11111111111111111111111111111111");
    assert_eq!(env.m.sms.auth_token, "scenario-token");
    assert_eq!(env.m.sms.from_number, "+15005550010");
    let (_, _, body) = env
        .send_sms(
            &[
                ("To", "+15005550001"),
                ("From", "+15005550010"),
                ("Body", "x"),
            ],
            None,
        )
        .await;
    assert_eq!(body["code"], 21211);
    assert!(
        toml::from_str::<countersign_emulator::SmsScenario>("acount_sid = \"AC1\"").is_err(),
        "unknown keys are refused"
    );
}
