//! Settings ▸ Webhooks: adding endpoints (specific messages for refused URLs, nothing saved),
//! the signing secret shown once and sealed at rest, test events, enable/disable, rotation,
//! deletion, audit entries without the secret; technicians get 403; another org's endpoint
//! ids are 404 (the isolation matrix calls [`isolation_matrix`]).

use crate::{PW, get, location, signed_in};
use countersign_app::webhooks::EndpointInput;
use countersign_store::{AuditFilter, AuditStore, Technician, WebhookDeliveryState, WebhookStore};
use countersign_testkit::TestApp;

/// The `value` of the secret field on a page that shows one.
fn secret_in(body: &str) -> Option<String> {
    let at = body.find("id=\"webhook-secret\"")?;
    let rest = &body[at..];
    let start = rest.find("value=\"")? + 7;
    let end = start + rest[start..].find('"')?;
    Some(rest[start..end].to_owned())
}

async fn add(app: &TestApp, c: &reqwest::Client, url: &str, events: &[&str]) -> reqwest::Response {
    let mut fields = vec![("url", url), ("description", "Rewst")];
    for e in events {
        fields.push(("events", e));
    }
    app.post_form(c, "/settings/webhooks", "/settings/webhooks", &fields)
        .await
}

#[tokio::test]
async fn admins_add_test_rotate_disable_and_delete_endpoints() {
    let app = TestApp::new().await;
    let admin = app.create_admin("Acme IT", "admin@acme.test", PW).await;
    let org = admin.org.id;
    let c = signed_in(&app, "admin@acme.test").await;
    let (status, body) = get(&app, &c, "/settings/webhooks").await;
    assert_eq!(status, 200);
    assert!(body.contains("No endpoints yet"));
    assert!(body.contains("verification.requested") && body.contains("verification.expired"));

    // Refused forms say why, keep what was typed, and save nothing.
    for (url, events, message) in [
        (
            "http://hooks.example.com/x",
            &["verification.verified"][..],
            "must start with https://",
        ),
        (
            "https://127.0.0.1:8443/x",
            &["verification.verified"][..],
            "loopback, private or link-local",
        ),
        (
            "https://169.254.169.254/latest/meta-data",
            &["verification.verified"][..],
            "loopback, private or link-local",
        ),
        (
            "https://user:pw@hooks.example.com/x",
            &["verification.verified"][..],
            "user name or password",
        ),
        ("not a url", &["verification.verified"][..], "full URL"),
        (
            "https://hooks.example.com/x",
            &[][..],
            "Choose at least one event",
        ),
        (
            "https://hooks.example.com/x",
            &["verification.bogus"][..],
            "Unknown event",
        ),
    ] {
        let res = add(&app, &c, url, events).await;
        assert_eq!(res.status(), 422, "{url}");
        let body = res.text().await.unwrap();
        assert!(body.contains(message), "{url}: expected {message:?}");
        assert!(body.contains("role=\"alert\""));
        assert!(secret_in(&body).is_none());
    }
    assert!(
        app.app
            .store()
            .webhook_endpoints(org)
            .await
            .unwrap()
            .is_empty()
    );

    // Added: the secret is shown once, on a page no cache keeps.
    let res = add(
        &app,
        &c,
        "https://hooks.example.com/countersign?key=abc",
        &["verification.verified", "verification.denied"],
    )
    .await;
    // PRG: the secret is on the page the POST redirects to (sealed in the session's flash,
    // never in the URL), shown once.
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), "/settings/webhooks");
    let res = c.get(app.url("/settings/webhooks")).send().await.unwrap();
    assert_eq!(res.headers()["cache-control"], "no-store");
    let body = res.text().await.unwrap();
    let secret = secret_in(&body).expect("secret shown");
    assert!(secret.starts_with("whsec_") && secret.len() > 40);
    let endpoints = app.app.store().webhook_endpoints(org).await.unwrap();
    assert_eq!(endpoints.len(), 1);
    let e = &endpoints[0];
    assert_eq!(e.events, ["verification.verified", "verification.denied"]);
    assert!(e.enabled);
    assert!(
        !e.sealed_secret
            .windows(secret.len())
            .any(|w| w == secret.as_bytes()),
        "sealed at rest"
    );
    let show = format!("/settings/webhooks/{}", e.id);
    for page in ["/settings/webhooks", show.as_str()] {
        let (status, body) = get(&app, &c, page).await;
        assert_eq!(status, 200);
        assert!(!body.contains(&secret), "{page} shows the secret again");
        assert!(body.contains("hooks.example.com/countersign"));
    }

    // A test event is queued as a pending delivery and listed.
    let res = app.post_form(&c, &show, &format!("{show}/test"), &[]).await;
    assert_eq!(res.status(), 303);
    assert!(location(&res).contains("notice=webhook_test_queued"));
    let deliveries = app
        .app
        .store()
        .webhook_deliveries(org, e.id, 10)
        .await
        .unwrap();
    assert_eq!(deliveries.len(), 1);
    assert_eq!(deliveries[0].delivery.event_kind, "webhook.test");
    assert_eq!(deliveries[0].state, WebhookDeliveryState::Pending);
    assert!(!deliveries[0].delivery.payload.contains(&secret));
    let (_, body) = get(&app, &c, &show).await;
    assert!(body.contains("webhook.test") && body.contains("pending"));

    // Disabled: no test events; enabled again.
    let res = app
        .post_form(&c, &show, &format!("{show}/disable"), &[])
        .await;
    assert_eq!(res.status(), 303);
    assert!(
        !app.app
            .store()
            .webhook_endpoint(org, e.id)
            .await
            .unwrap()
            .enabled
    );
    let res = app.post_form(&c, &show, &format!("{show}/test"), &[]).await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("Enable the endpoint"));
    assert_eq!(
        app.app
            .store()
            .webhook_deliveries(org, e.id, 10)
            .await
            .unwrap()
            .len(),
        1
    );
    let res = app
        .post_form(&c, &show, &format!("{show}/enable"), &[])
        .await;
    assert_eq!(res.status(), 303);
    assert!(
        app.app
            .store()
            .webhook_endpoint(org, e.id)
            .await
            .unwrap()
            .enabled
    );

    // Rotation shows a new secret once.
    let res = app
        .post_form(&c, &show, &format!("{show}/rotate"), &[])
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), show);
    let res = c.get(app.url(&show)).send().await.unwrap();
    assert_eq!(res.headers()["cache-control"], "no-store");
    let rotated = secret_in(&res.text().await.unwrap()).expect("new secret shown");
    assert_ne!(rotated, secret);
    let (_, again) = get(&app, &c, &show).await;
    assert!(
        !again.contains(&rotated),
        "a refresh does not show it again"
    );

    // Every change is audited, without the secrets or the URL's query.
    let entries = app
        .app
        .store()
        .audit_entries(
            org,
            &AuditFilter {
                action_prefix: Some("webhook.".into()),
                limit: 50,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let mut actions: Vec<_> = entries.iter().map(|a| a.entry.action.as_str()).collect();
    actions.sort_unstable();
    assert_eq!(
        actions,
        [
            "webhook.endpoint_created",
            "webhook.endpoint_disabled",
            "webhook.endpoint_enabled",
            "webhook.secret_rotated",
            "webhook.test_sent",
        ]
    );
    for a in &entries {
        for s in [secret.as_str(), rotated.as_str(), "key=abc"] {
            assert!(!a.entry.detail.contains(s), "{} holds {s}", a.entry.action);
        }
    }

    // Deleted, with its deliveries.
    let res = app
        .post_form(&c, &show, &format!("{show}/delete"), &[])
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(get(&app, &c, &show).await.0, 404);
    assert!(
        app.app
            .store()
            .webhook_endpoints(org)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        app.app
            .store()
            .webhook_deliveries(org, e.id, 10)
            .await
            .unwrap()
            .is_empty()
    );
    // Deliver what the test queued, as a server's workers would (none may be left).
    app.run_jobs().await;
}

#[tokio::test]
async fn technicians_get_403() {
    let app = TestApp::new().await;
    let admin = app.create_admin("Acme IT", "admin@acme.test", PW).await;
    crate::add_technician(&app, "admin@acme.test", "tech@acme.test", "Tess").await;
    let e = endpoint_of(&app, &admin.technician).await;
    let c = signed_in(&app, "tech@acme.test").await;
    let show = format!("/settings/webhooks/{}", e.id);
    for path in ["/settings/webhooks", show.as_str()] {
        assert_eq!(get(&app, &c, path).await.0, 403, "{path}");
    }
    for action in ["enable", "disable", "rotate", "delete", "test"] {
        let url = format!("{show}/{action}");
        let res = app.post_form(&c, "/account", &url, &[]).await;
        assert_eq!(res.status(), 403, "{url}");
    }
    let res = app
        .post_form(
            &c,
            "/account",
            "/settings/webhooks",
            &[
                ("url", "https://evil.example/x"),
                ("events", "verification.verified"),
            ],
        )
        .await;
    assert_eq!(res.status(), 403);
    assert_eq!(
        app.app
            .store()
            .webhook_endpoints(admin.org.id)
            .await
            .unwrap(),
        [e]
    );
    // Deliver what the test queued, as a server's workers would (none may be left).
    app.run_jobs().await;
}

/// Registers an endpoint for `admin`'s org through the use case.
async fn endpoint_of(app: &TestApp, admin: &Technician) -> countersign_store::WebhookEndpoint {
    let input = EndpointInput {
        url: "https://bravo-hooks.example/in".into(),
        description: "Bravo SIEM".into(),
        events: vec!["verification.verified".into()],
    };
    app.app
        .create_webhook_endpoint(&crate::principal(admin), &input)
        .await
        .unwrap()
        .endpoint
}

/// Org B's endpoint: every page and action of it is 404 for A's admin `c`, leaks nothing, and
/// changes nothing.
pub async fn isolation_matrix(app: &TestApp, b_admin: &Technician, c: &reqwest::Client) {
    let b = endpoint_of(app, b_admin).await;
    app.app
        .send_test_webhook(&crate::principal(b_admin), b.id)
        .await
        .unwrap();
    let before = app
        .app
        .store()
        .webhook_endpoint(b.org_id, b.id)
        .await
        .unwrap();
    let secrets = [
        b.id.to_string(),
        "bravo-hooks".to_owned(),
        "Bravo SIEM".to_owned(),
    ];
    let show = format!("/settings/webhooks/{}", b.id);
    let (status, body) = get(app, c, &show).await;
    assert_eq!(status, 404, "{show}");
    for s in &secrets {
        assert!(!body.contains(s.as_str()), "{show} leaked {s}");
    }
    let (status, body) = get(app, c, "/settings/webhooks").await;
    assert_eq!(status, 200);
    for s in &secrets {
        assert!(!body.contains(s.as_str()), "the list leaked {s}");
    }
    for action in ["enable", "disable", "rotate", "delete", "test"] {
        let url = format!("{show}/{action}");
        let res = app.post_form(c, "/settings/webhooks", &url, &[]).await;
        let status = res.status().as_u16();
        let body = res.text().await.unwrap();
        assert_eq!(status, 404, "{url}");
        for s in &secrets {
            assert!(!body.contains(s.as_str()), "{url} leaked {s}");
        }
    }
    assert_eq!(
        app.app
            .store()
            .webhook_endpoint(b.org_id, b.id)
            .await
            .unwrap(),
        before
    );
    assert_eq!(
        app.app
            .store()
            .webhook_deliveries(b.org_id, b.id, 10)
            .await
            .unwrap()
            .len(),
        1
    );
}
