//! Secure Data Send and Request over HTTP: GET and HEAD never claim, racing reveals of a
//! one-view link have one winner, the per-render nonce, expiry and burn pages, the SMS link
//! composed with the key (and the key nowhere else), recipient verification, a request's
//! round trip, clear messages for bad input, and another org's ids.
//! The browser's cryptography is exercised by the browser journey; here envelopes are opaque
//! bytes, as they are to the server.

use crate::contacts::{customer, sync, user};
use crate::{PW, get, signed_in};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use countersign_domain::{ContactId, OrgId};
use countersign_store::{
    AuditFilter, AuditStore, MessageFilter, MessageStore, SecretState, SecretStore, SourceKind,
};
use countersign_testkit::TestApp;
use serde_json::{Value, json};
use std::time::Duration;

pub struct Fixture {
    pub app: TestApp,
    pub org: OrgId,
    pub contact: ContactId,
    pub tech: reqwest::Client,
}

pub async fn fixture(app: TestApp, org_name: &str, email: &str) -> Fixture {
    let a = app.create_admin(org_name, email, PW).await;
    let cust = customer(&app, a.org.id, "Contoso", SourceKind::Microsoft365).await;
    let contact = sync(
        &app,
        a.org.id,
        &cust,
        &[user("1", "Ann Lee", "ann@c.example", "+1 425 555 0101")],
    )
    .await;
    let tech = signed_in(&app, email).await;
    Fixture {
        org: a.org.id,
        app,
        contact,
        tech,
    }
}

const ENVELOPE: &[u8] = b"\x01\x00opaque-ciphertext-bytes-made-by-the-browser-0123456789";
const KEY: &str = "k3y-0f-th3-fr4gm3nt-abcdefghijklmnopqrstuvw";

/// POSTs JSON as the page's script does: the session's form token in `x-csrf-token`.
pub async fn post_json(
    f: &Fixture,
    c: &reqwest::Client,
    csrf: &str,
    path: &str,
    body: &Value,
) -> (u16, Value) {
    let res = c
        .post(f.app.url(path))
        .header("x-csrf-token", csrf)
        .json(body)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    let text = res.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

async fn tech_csrf(f: &Fixture) -> String {
    f.app
        .csrf(
            &f.tech,
            &format!("/pod/contacts/{}?action=verify", f.contact),
        )
        .await
}

/// Makes a send link; returns (id, path).
pub async fn create(f: &Fixture, extra: Value) -> (String, String) {
    let csrf = tech_csrf(f).await;
    let mut body = json!({
        "kind": "send",
        "contact": f.contact.to_string(),
        "channel": "copy",
        "envelope": URL_SAFE_NO_PAD.encode(ENVELOPE),
        "expiry": "1h",
        "views": 1,
    });
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    let (status, v) = post_json(f, &f.tech, &csrf, "/pod/secrets", &body).await;
    assert_eq!(status, 200, "{v}");
    (
        v["id"].as_str().unwrap().to_owned(),
        v["path"].as_str().unwrap().to_owned(),
    )
}

fn attr(html: &str, name: &str) -> String {
    let marker = format!("{name}=\"");
    let at = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no {name} in {html}"))
        + marker.len();
    html[at..at + html[at..].find('"').unwrap()].to_owned()
}

/// A recipient (no session) opens the page: (client, csrf, nonce).
async fn open(f: &Fixture, path: &str) -> (reqwest::Client, String, String) {
    let c = f.app.client();
    let res = c.get(f.app.url(path)).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    (c, attr(&html, "data-csrf"), attr(&html, "data-nonce"))
}

async fn reveal(
    f: &Fixture,
    c: &reqwest::Client,
    csrf: &str,
    path: &str,
    nonce: &str,
) -> (u16, Value) {
    post_json(
        f,
        c,
        csrf,
        &format!("{path}/reveal"),
        &json!({ "nonce": nonce }),
    )
    .await
}

pub async fn audit_log(f: &Fixture) -> Vec<countersign_store::AuditEntry> {
    f.app
        .app
        .store()
        .audit_entries(
            f.org,
            &AuditFilter {
                limit: 200,
                ..AuditFilter::default()
            },
        )
        .await
        .unwrap()
}

async fn messages(f: &Fixture) -> Vec<countersign_store::Message> {
    let all = MessageFilter {
        transport: None,
        channel: None,
        limit: 100,
    };
    f.app.app.store().messages(f.org, &all).await.unwrap()
}

async fn views_left(f: &Fixture, id: &str) -> (i64, SecretState) {
    let s = f
        .app
        .app
        .store()
        .secret(f.org, id.parse().unwrap())
        .await
        .unwrap();
    (s.views_left, s.state)
}

#[tokio::test]
async fn get_and_head_never_claim_and_racing_reveals_have_one_winner() {
    one_winner(TestApp::new().await).await;
}

/// GET and HEAD claim nothing; of eight racing reveals of a one-view link exactly one wins.
pub async fn one_winner(app: TestApp) {
    let f = fixture(app, "Acme IT", "admin@acme.test").await;
    let (id, path) = create(&f, json!({})).await;
    assert!(path.starts_with("/s/"));
    let visitor = f.app.client();
    for _ in 0..3 {
        let res = visitor.get(f.app.url(&path)).send().await.unwrap();
        assert_eq!(res.status(), 200);
        assert_eq!(res.headers()["cache-control"], "no-store");
        assert_eq!(res.headers()["referrer-policy"], "no-referrer");
        let page = res.text().await.unwrap();
        assert!(
            page.contains("Acme IT") && page.contains("Reveal"),
            "{page}"
        );
        let res = visitor.head(f.app.url(&path)).send().await.unwrap();
        assert_eq!(res.status(), 200);
    }
    assert_eq!(views_left(&f, &id).await, (1, SecretState::Active));
    let (_, status) = get(&f.app, &f.tech, &format!("/pod/secrets/{id}/status")).await;
    assert!(status.contains("\"opened\""), "{status}");

    let (c, csrf, nonce) = open(&f, &path).await;
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..8 {
        let (c, csrf, nonce, url) = (
            c.clone(),
            csrf.clone(),
            nonce.clone(),
            f.app.url(&format!("{path}/reveal")),
        );
        tasks.spawn(async move {
            let res = c
                .post(url)
                .header("x-csrf-token", csrf)
                .json(&json!({ "nonce": nonce }))
                .send()
                .await
                .unwrap();
            let status = res.status().as_u16();
            (status, res.json::<Value>().await.unwrap())
        });
    }
    let mut winners = Vec::new();
    while let Some(r) = tasks.join_next().await {
        let (status, body) = r.unwrap();
        match status {
            200 => winners.push(body),
            410 => assert!(body["detail"].as_str().unwrap().contains("already used")),
            s => panic!("unexpected {s} {body}"),
        }
    }
    assert_eq!(winners.len(), 1, "exactly one reveal wins");
    assert_eq!(
        URL_SAFE_NO_PAD
            .decode(winners[0]["envelope"].as_str().unwrap())
            .unwrap(),
        ENVELOPE
    );
    assert_eq!(winners[0]["views_left"], 0);
    assert_eq!(views_left(&f, &id).await, (0, SecretState::Revealed));
    // Both sides see the tombstone.
    let res = visitor.get(f.app.url(&path)).send().await.unwrap();
    assert_eq!(res.status(), 410);
    let page = res.text().await.unwrap();
    assert!(
        page.contains("already used") && page.contains("Last opened at"),
        "{page}"
    );
    let (_, status) = get(&f.app, &f.tech, &format!("/pod/secrets/{id}")).await;
    assert!(
        status.contains("revealed") && status.contains("127.0.0.1"),
        "{status}"
    );
    // The audit log names the link by id, never its token or contents.
    let entries = audit_log(&f).await;
    let all = format!("{entries:?}");
    assert!(all.contains("secret.revealed") && all.contains("secret.created"));
    let token = path.trim_start_matches("/s/");
    assert!(!all.contains(token) && !all.contains(&URL_SAFE_NO_PAD.encode(ENVELOPE)));
}

#[tokio::test]
async fn a_reveal_needs_the_pages_nonce_and_several_views_count_down() {
    let f = fixture(TestApp::new().await, "Acme IT", "admin@acme.test").await;
    let (id, path) = create(&f, json!({ "views": 2 })).await;
    let (c, csrf, nonce) = open(&f, &path).await;
    for bad in ["", "AAAA", &nonce[..nonce.len() - 2]] {
        let (status, body) = reveal(&f, &c, &csrf, &path, bad).await;
        assert_eq!(status, 422, "{body}");
        assert!(body["detail"].as_str().unwrap().contains("reload"));
    }
    // Another link's nonce does not fit this one.
    let (_, other) = create(&f, json!({})).await;
    let (_, _, other_nonce) = open(&f, &other).await;
    assert_eq!(reveal(&f, &c, &csrf, &path, &other_nonce).await.0, 422);
    // Without the form token the CSRF layer refuses before anything happens.
    let res = c
        .post(f.app.url(&format!("{path}/reveal")))
        .json(&json!({ "nonce": nonce }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    assert_eq!(views_left(&f, &id).await, (2, SecretState::Active));
    let (status, body) = reveal(&f, &c, &csrf, &path, &nonce).await;
    assert_eq!((status, body["views_left"].as_i64()), (200, Some(1)));
    let (status, _) = reveal(&f, &c, &csrf, &path, &nonce).await;
    assert_eq!(status, 200);
    let (status, body) = reveal(&f, &c, &csrf, &path, &nonce).await;
    assert_eq!(status, 410, "{body}");
}

#[tokio::test]
async fn expired_and_burned_links_show_a_clear_page() {
    let f = fixture(TestApp::new().await, "Acme IT", "admin@acme.test").await;
    let (_, path) = create(&f, json!({})).await;
    let (c, csrf, nonce) = open(&f, &path).await;
    f.app.clock.advance(Duration::from_secs(3601));
    let res = c.get(f.app.url(&path)).send().await.unwrap();
    assert_eq!(res.status(), 410);
    assert!(res.text().await.unwrap().contains("This link has expired"));
    let (status, body) = reveal(&f, &c, &csrf, &path, &nonce).await;
    assert_eq!(status, 410);
    assert!(
        body["detail"].as_str().unwrap().contains("expired"),
        "{body}"
    );
    // The purge deletes the ciphertext; the page says the same.
    assert!(f.app.app.expire_secrets().await.unwrap() >= 1);
    let res = c.get(f.app.url(&path)).send().await.unwrap();
    assert_eq!(res.status(), 410);

    let f2 = fixture(TestApp::new().await, "Acme IT", "admin@acme.test").await;
    let (burn_id2, burn_path2) = create(&f2, json!({})).await;
    let res = f2
        .app
        .post_form(
            &f2.tech,
            &format!("/pod/secrets/{burn_id2}"),
            &format!("/pod/secrets/{burn_id2}/burn"),
            &[],
        )
        .await;
    assert_eq!(res.status(), 303);
    let res = f2
        .app
        .client()
        .get(f2.app.url(&burn_path2))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 410);
    assert!(res.text().await.unwrap().contains("cancelled"));
    let (_, status) = get(
        &f2.app,
        &f2.tech,
        &format!("/pod/secrets/{burn_id2}/status"),
    )
    .await;
    assert!(status.contains("\"burned\""), "{status}");
    let (status, _) = get(&f2.app, &f2.app.client(), "/s/not-a-token").await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn the_sms_carries_the_key_which_is_stored_and_audited_nowhere_else() {
    let f = fixture(TestApp::new().await, "Acme IT", "admin@acme.test").await;
    let (id, path) = create(
        &f,
        json!({ "channel": "sms", "link_key": KEY, "notify": true }),
    )
    .await;
    let sent = messages(&f).await;
    let sms = sent
        .iter()
        .find(|m| m.template == "secret_send")
        .expect("the link's SMS");
    assert_eq!(sms.recipient, "+14255550101");
    let body = sms.body_text.clone().unwrap_or_default();
    assert!(body.contains(&format!("{path}#{KEY}")), "{body}");
    let entries = audit_log(&f).await;
    assert!(!format!("{entries:?}").contains(KEY));
    // Revealing emails the technician who asked to be told.
    let (c, csrf, nonce) = open(&f, &path).await;
    assert_eq!(reveal(&f, &c, &csrf, &path, &nonce).await.0, 200);
    let sent = messages(&f).await;
    let notice = sent
        .iter()
        .find(|m| m.template == "secret_revealed")
        .expect("the reveal notice");
    assert_eq!(notice.recipient, "admin@acme.test");
    assert!(notice.body_text.clone().unwrap().contains(&id));
    assert!(!notice.body_text.clone().unwrap().contains(KEY));
    // Deliver what the test queued, as a server's workers would (none may be left).
    f.app.run_jobs().await;
}

#[tokio::test]
async fn bad_input_gets_a_clear_message_and_stores_nothing() {
    let f = fixture(TestApp::new().await, "Acme IT", "admin@acme.test").await;
    let csrf = tech_csrf(&f).await;
    let contact = f.contact.to_string();
    let good = json!({
        "kind": "send", "contact": contact, "channel": "copy",
        "envelope": URL_SAFE_NO_PAD.encode(ENVELOPE), "expiry": "1d", "views": 1,
    });
    let cases: Vec<(Value, &str)> = vec![
        (json!({ "expiry": "2y" }), "expires"),
        (json!({ "views": 11 }), "between 1 and 10"),
        (json!({ "views": 0 }), "between 1 and 10"),
        (json!({ "channel": "pigeon" }), "SMS, email"),
        (json!({ "kind": "steal" }), "Secure Send or Secure Request"),
        (json!({ "envelope": "" }), "empty or too long"),
        (json!({ "envelope": "!!not base64!!" }), "malformed"),
        (
            json!({ "envelope": URL_SAFE_NO_PAD.encode(vec![1u8; 60_000]) }),
            "too long",
        ),
        (json!({ "channel": "sms" }), "link key"),
        (json!({ "channel": "sms", "link_key": "short" }), "link key"),
        (
            json!({ "server_share": URL_SAFE_NO_PAD.encode([1u8; 5]) }),
            "32 bytes",
        ),
        (json!({ "label": "x".repeat(201) }), "too long"),
        (
            json!({ "contact": "", "channel": "email", "link_key": KEY }),
            "recipient",
        ),
        (
            json!({ "contact": "", "channel": "email", "to": "not-an-address", "link_key": KEY }),
            "email address",
        ),
        (
            json!({ "contact": "", "channel": "sms", "to": "12", "link_key": KEY }),
            "number",
        ),
        (
            json!({ "contact": "", "server_share": URL_SAFE_NO_PAD.encode([1u8; 32]) }),
            "mobile number of record",
        ),
        (
            json!({ "kind": "request", "label": "", "private_key": "AAAA", "public_key": "BBBB" }),
            "what you are asking",
        ),
        (
            json!({ "kind": "request", "label": "wifi", "private_key": "", "public_key": "" }),
            "key pair",
        ),
    ];
    for (change, needle) in cases {
        let mut body = good.clone();
        for (k, v) in change.as_object().unwrap() {
            body[k] = v.clone();
        }
        let (status, v) = post_json(&f, &f.tech, &csrf, "/pod/secrets", &body).await;
        assert_eq!(status, 422, "{change}: {v}");
        assert!(
            v["detail"].as_str().unwrap().contains(needle),
            "{change}: {v}"
        );
    }
    let res = f
        .tech
        .post(f.app.url("/pod/secrets"))
        .header("x-csrf-token", &csrf)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    assert!(res.text().await.unwrap().contains("malformed"));
    assert!(
        f.app
            .app
            .store()
            .contact_secrets(f.org, f.contact, 50)
            .await
            .unwrap()
            .is_empty()
    );
    // A malformed contact id is a 404, not a 500.
    let mut body = good.clone();
    body["contact"] = json!("nope");
    assert_eq!(
        post_json(&f, &f.tech, &csrf, "/pod/secrets", &body).await.0,
        404
    );
}

#[tokio::test]
async fn the_orgs_longest_expiry_caps_new_links() {
    use countersign_store::ChallengeStore;
    let f = fixture(TestApp::new().await, "Acme IT", "admin@acme.test").await;
    let csrf = tech_csrf(&f).await;
    let mut rules = f
        .app
        .app
        .store()
        .verification_settings(f.org)
        .await
        .unwrap();
    assert_eq!(
        rules.secret_max_hours, 168,
        "7 days unless the org says less"
    );
    rules.secret_max_hours = 1;
    f.app
        .app
        .store()
        .save_verification_settings(&rules)
        .await
        .unwrap();
    // The form offers only what the org allows.
    let path = format!("/pod/contacts/{}?action=send", f.contact);
    let (_, pod) = crate::get(&f.app, &f.tech, &path).await;
    assert!(
        pod.contains(r#"<option value="1h" selected>1 hour</option>"#),
        "{pod}"
    );
    assert!(!pod.contains(r#"value="1d""#) && !pod.contains(r#"value="7d""#));
    let body = |expiry: &str| {
        json!({
            "kind": "send", "contact": f.contact.to_string(), "channel": "copy",
            "envelope": URL_SAFE_NO_PAD.encode(ENVELOPE), "expiry": expiry, "views": 1,
        })
    };
    let (status, v) = post_json(&f, &f.tech, &csrf, "/pod/secrets", &body("1d")).await;
    assert_eq!(status, 422, "{v}");
    assert!(
        v["detail"].as_str().unwrap().contains("at most 1 hour"),
        "{v}"
    );
    assert!(
        f.app
            .app
            .store()
            .contact_secrets(f.org, f.contact, 50)
            .await
            .unwrap()
            .is_empty(),
        "nothing stored"
    );
    let (status, v) = post_json(&f, &f.tech, &csrf, "/pod/secrets", &body("1h")).await;
    assert!((200..300).contains(&status), "{status}: {v}");
}

#[tokio::test]
async fn recipient_verification_releases_the_share_only_after_the_code() {
    let f = fixture(TestApp::new().await, "Acme IT", "admin@acme.test").await;
    let share = [7u8; 32];
    let (_, path) = create(&f, json!({ "server_share": URL_SAFE_NO_PAD.encode(share) })).await;
    let c = f.app.client();
    let (_, page) = crate::get(&f.app, &c, &path).await;
    assert!(
        page.contains("Send me a code") && page.contains("0101"),
        "{page}"
    );
    assert!(!page.contains("data-nonce"), "no Reveal before the code");
    let csrf = countersign_testkit::extract_csrf(&page).unwrap();
    let res = c
        .post(f.app.url(&format!("{path}/code")))
        .form(&[("_csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    // PRG: back to the link's page with the code form; a refresh there sends nothing.
    let (status, page) = crate::follow(&f.app, &c, res).await;
    assert_eq!(status, 200);
    assert!(page.contains("We sent a code to"), "{page}");
    let vid = attr(
        &page[page.find("name=\"verification\"").unwrap()..],
        "value",
    );
    let sms = messages(&f)
        .await
        .into_iter()
        .find(|m| m.template == "secret_code")
        .expect("the code SMS");
    assert_eq!(sms.recipient, "+14255550101");
    let codes_sent = |all: Vec<countersign_store::Message>| {
        all.iter().filter(|m| m.template == "secret_code").count()
    };
    let (status, _) = crate::get(&f.app, &c, &format!("{path}?code_sent={vid}")).await;
    assert_eq!(status, 200);
    assert_eq!(codes_sent(messages(&f).await), 1, "a refresh sends no code");
    let text = sms.body_text.unwrap();
    let code: String = text.split(" is ").nth(1).unwrap().chars().take(6).collect();
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let res = c
        .post(f.app.url(&format!("{path}/verify")))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("verification", &vid),
            ("code", wrong),
        ])
        .send()
        .await
        .unwrap();
    let (status, page) = crate::follow(&f.app, &c, res).await;
    assert_eq!(status, 200);
    assert!(page.contains("4 attempts left"), "{page}");
    let res = c
        .post(f.app.url(&format!("{path}/verify")))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("verification", &vid),
            ("code", &code),
        ])
        .send()
        .await
        .unwrap();
    let (status, page) = crate::follow(&f.app, &c, res).await;
    assert_eq!(status, 200);
    assert!(page.contains("it is you"), "{page}");
    let nonce = attr(&page, "data-nonce");
    let (status, body) = reveal(&f, &c, &csrf, &path, &nonce).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        URL_SAFE_NO_PAD
            .decode(body["share"].as_str().unwrap())
            .unwrap(),
        share
    );
    // Deliver what the test queued, as a server's workers would (none may be left).
    f.app.run_jobs().await;
}

#[tokio::test]
async fn a_request_is_answered_once_and_revealed_once() {
    let f = fixture(TestApp::new().await, "Acme IT", "admin@acme.test").await;
    let csrf = tech_csrf(&f).await;
    let body = json!({
        "kind": "request", "contact": f.contact.to_string(), "channel": "email",
        "label": "the Wi-Fi password", "expiry": "1d",
        "public_key": "BPUBLICKEY", "private_key": URL_SAFE_NO_PAD.encode(b"pkcs8-private-key"),
    });
    let (status, v) = post_json(&f, &f.tech, &csrf, "/pod/secrets", &body).await;
    assert_eq!(status, 200, "{v}");
    let (id, path) = (v["id"].as_str().unwrap(), v["path"].as_str().unwrap());
    assert!(path.starts_with("/r/"));
    // The technician cannot reveal before the contact answered.
    let (status, _) = post_json(
        &f,
        &f.tech,
        &csrf,
        &format!("/pod/secrets/{id}/reveal"),
        &json!({}),
    )
    .await;
    assert_eq!(status, 410);
    let c = f.app.client();
    let (_, page) = crate::get(&f.app, &c, path).await;
    assert!(
        page.contains("the Wi-Fi password") && page.contains("BPUBLICKEY"),
        "{page}"
    );
    let (rc, nonce) = (attr(&page, "data-csrf"), attr(&page, "data-nonce"));
    let answer = URL_SAFE_NO_PAD.encode(b"\x02encrypted-answer");
    let (status, _) = post_json(
        &f,
        &c,
        &rc,
        path,
        &json!({ "nonce": nonce, "envelope": answer }),
    )
    .await;
    assert_eq!(status, 200);
    let (status, v) = post_json(
        &f,
        &c,
        &rc,
        path,
        &json!({ "nonce": nonce, "envelope": answer }),
    )
    .await;
    assert_eq!(status, 410, "answered once: {v}");
    let res = c.get(f.app.url(path)).send().await.unwrap();
    assert_eq!(res.status(), 410);
    let (status, v) = post_json(
        &f,
        &f.tech,
        &csrf,
        &format!("/pod/secrets/{id}/reveal"),
        &json!({}),
    )
    .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["envelope"], answer);
    assert_eq!(
        URL_SAFE_NO_PAD
            .decode(v["private_key"].as_str().unwrap())
            .unwrap(),
        b"pkcs8-private-key"
    );
    let (status, _) = post_json(
        &f,
        &f.tech,
        &csrf,
        &format!("/pod/secrets/{id}/reveal"),
        &json!({}),
    )
    .await;
    assert_eq!(status, 410, "revealed once");
    let (_, status) = get(&f.app, &f.tech, &format!("/pod/secrets/{id}/status")).await;
    assert!(status.contains("\"revealed\""), "{status}");
    // The request's email went to the contact of record.
    let m = messages(&f)
        .await
        .into_iter()
        .find(|m| m.template == "secret_request")
        .expect("the request email");
    assert_eq!(m.recipient, "ann@c.example");
    // The Pod lists the contact's links.
    let (_, pod) = get(
        &f.app,
        &f.tech,
        &format!("/pod/contacts/{}?action=send", f.contact),
    )
    .await;
    assert!(
        pod.contains("Request: the Wi-Fi password") && pod.contains("secret-form"),
        "{pod}"
    );
    // Deliver what the test queued, as a server's workers would (none may be left).
    f.app.run_jobs().await;
}

/// For the isolation matrix: org B's send and request; A's admin (`c`) asks for every URL of
/// them, and makes a link for B's contact. All "not found", nothing changes.
pub async fn isolation_matrix(
    app: &TestApp,
    b_tech: &countersign_store::Technician,
    b_contact: ContactId,
    c: &reqwest::Client,
) {
    use countersign_app::Principal;
    use countersign_app::secrets::{Expiry, LinkChannel, NewLink, Payload};
    let by = Principal::technician(b_tech, std::net::IpAddr::from([127, 0, 0, 1]));
    let make = |payload| NewLink {
        contact: None,
        to: String::new(),
        channel: LinkChannel::Copy,
        label: "bravo-note".into(),
        payload,
        max_views: 1,
        expiry: Expiry::Day,
        notify_on_reveal: false,
    };
    let send = app
        .app
        .create_secret_link(
            &by,
            make(Payload::Send {
                envelope: ENVELOPE.to_vec(),
                server_share: None,
                has_passphrase: false,
                link_key: None,
            }),
        )
        .await
        .unwrap();
    let request = app
        .app
        .create_secret_link(
            &by,
            make(Payload::Request {
                public_key: "BPUB".into(),
                private_key: zeroize::Zeroizing::new(b"pkcs8".to_vec()),
            }),
        )
        .await
        .unwrap();
    let csrf = app.csrf(c, "/contacts").await;
    for id in [send.id, request.id] {
        for path in [
            format!("/pod/secrets/{id}"),
            format!("/pod/secrets/{id}/status"),
        ] {
            let (status, body) = get(app, c, &path).await;
            assert_eq!(status, 404, "{path}");
            assert!(!body.contains("bravo-note"), "{path} leaked the label");
        }
        for (action, fields) in [("burn", vec![]), ("notify", vec![("notify", "on")])] {
            let url = format!("/pod/secrets/{id}/{action}");
            let res = app.post_form(c, "/contacts", &url, &fields).await;
            assert_eq!(res.status(), 404, "{url}");
        }
        let res = c
            .post(app.url(&format!("/pod/secrets/{id}/reveal")))
            .header("x-csrf-token", &csrf)
            .json(&json!({}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 404, "reveal of {id}");
        let s = app.app.store().secret(b_tech.org_id, id).await.unwrap();
        assert!(s.state_at(app.app.now()) != SecretState::Burned && !s.notify_on_reveal);
        assert_eq!(s.views_left, 1);
    }
    let res = c
        .post(app.url("/pod/secrets"))
        .header("x-csrf-token", &csrf)
        .json(&json!({
            "kind": "send", "contact": b_contact.to_string(), "channel": "copy",
            "envelope": URL_SAFE_NO_PAD.encode(ENVELOPE), "expiry": "1h", "views": 1,
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404, "a link for B's contact");
    assert!(
        app.app
            .store()
            .contact_secrets(b_tech.org_id, b_contact, 10)
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn the_standalone_page_sends_to_a_typed_address() {
    let f = fixture(TestApp::new().await, "Acme IT", "admin@acme.test").await;
    let (status, page) = get(&f.app, &f.tech, "/secrets/new").await;
    assert_eq!(status, 200);
    assert!(
        page.contains("secret-form") && page.contains("secret-to"),
        "{page}"
    );
    let csrf = attr(&page, "data-csrf");
    let body = json!({
        "kind": "send", "channel": "email", "to": "Carol@Example.com",
        "envelope": URL_SAFE_NO_PAD.encode(ENVELOPE), "expiry": "7d", "views": 3,
        "link_key": KEY,
    });
    let (status, v) = post_json(&f, &f.tech, &csrf, "/pod/secrets", &body).await;
    assert_eq!(status, 200, "{v}");
    assert!(
        v["recipient"].as_str().unwrap().contains("example.com"),
        "{v}"
    );
    let sent = messages(&f).await;
    let m = sent
        .iter()
        .find(|m| m.template == "secret_send")
        .expect("the link's email");
    assert_eq!(m.recipient, "carol@example.com");
    assert!(m.body_html.clone().unwrap_or_default().contains(KEY));
    let (_, status) = get(&f.app, &f.tech, v["status"].as_str().unwrap()).await;
    assert!(
        status.contains("sent") && status.contains("Burn now"),
        "{status}"
    );
    // Deliver what the test queued, as a server's workers would (none may be left).
    f.app.run_jobs().await;
}

/// The page's script writes its messages (wrong passphrase, link incomplete, views left,
/// copied; an empty answer) in the reader's language: the page hands them to it, translated.
#[tokio::test]
async fn the_scripts_messages_are_in_the_readers_language() {
    let f = fixture(TestApp::new().await, "Acme IT", "admin@acme.test").await;
    let (_, path) = create(&f, json!({ "views": 3 })).await;
    let page = |accept: &'static str, path: String| {
        let c = f.app.client();
        let url = f.app.url(&path);
        async move {
            let res = c
                .get(url)
                .header("accept-language", accept)
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), 200);
            res.text().await.unwrap()
        }
    };
    let de = page("de-DE,de;q=0.9", path.clone()).await;
    assert!(de.contains("lang=\"de\""), "{de}");
    assert_eq!(
        attr(&de, "data-t-wrong-passphrase"),
        "Falsche Passphrase. Versuchen Sie es erneut; dabei wird kein weiterer Abruf verbraucht."
    );
    assert_eq!(attr(&de, "data-t-copied"), "Kopiert");
    // Three views: this one, then two more, in German's plural.
    assert_eq!(attr(&de, "data-more"), "2");
    assert_eq!(
        attr(&de, "data-t-after-more"),
        "Sie kann bis zum Ablauf noch 2-mal angezeigt werden."
    );
    let nl = page("nl", path.clone()).await;
    assert_eq!(attr(&nl, "data-t-copied"), "Gekopieerd");
    let en = page("en-GB", path).await;
    assert_eq!(
        attr(&en, "data-t-after-more"),
        "It can be revealed 2 more times until it expires."
    );

    let csrf = tech_csrf(&f).await;
    let body = json!({
        "kind": "request", "contact": f.contact.to_string(), "channel": "email",
        "label": "the Wi-Fi password", "expiry": "1d",
        "public_key": "BPUBLICKEY", "private_key": URL_SAFE_NO_PAD.encode(b"pkcs8-private-key"),
    });
    let (status, v) = post_json(&f, &f.tech, &csrf, "/pod/secrets", &body).await;
    assert_eq!(status, 200, "{v}");
    let fr = page("fr", v["path"].as_str().unwrap().to_owned()).await;
    assert_eq!(
        attr(&fr, "data-t-empty"),
        "Saisissez ce qui vous est demandé."
    );
    f.app.run_jobs().await;
}
