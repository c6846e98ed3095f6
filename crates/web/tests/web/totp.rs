use crate::{PW, follow, get, location, refused, signed_in};
use countersign_crypto::{SealAad, TotpSecret, totp_at};
use countersign_store::TechnicianStore;
use countersign_testkit::TestApp;
use std::time::Duration;

/// The pending seed of a technician, read the way the app reads it.
pub(crate) async fn pending_secret(app: &TestApp, email: &str) -> TotpSecret {
    let t = app
        .app
        .store()
        .technician_by_email_for_login(email)
        .await
        .unwrap()
        .unwrap();
    let row = t.id.to_string();
    let aad = SealAad {
        org_id: Some(t.org_id),
        table: "technicians",
        column: "totp_pending_secret",
        row_id: &row,
    };
    TotpSecret::from_bytes(
        &app.app
            .keyring
            .open(t.totp_pending_secret.as_deref().unwrap(), &aad)
            .unwrap(),
    )
}

pub(crate) fn code_now(app: &TestApp, secret: &TotpSecret) -> String {
    totp_at(secret, app.clock_now_step())
}

trait Step {
    fn clock_now_step(&self) -> i64;
}

impl Step for TestApp {
    fn clock_now_step(&self) -> i64 {
        self.app.now().unix_seconds().div_euclid(30)
    }
}

fn codes_in(body: &str) -> Vec<String> {
    body.split("<li>")
        .skip(1)
        .map(|s| s.split("</li>").next().unwrap().trim().to_owned())
        .collect()
}

/// Enrolls `email` and returns the seed and the recovery codes.
pub(crate) async fn enroll(
    app: &TestApp,
    c: &reqwest::Client,
    email: &str,
) -> (TotpSecret, Vec<String>) {
    let (status, page) = get(app, c, "/account/2fa/setup").await;
    assert_eq!(status, 200);
    assert!(page.contains("<svg") && page.contains("otpauth://totp/"));
    let secret = pending_secret(app, email).await;
    let res = app
        .post_form(
            c,
            "/account/2fa/setup",
            "/account/2fa/setup",
            &[("code", "000000")],
        )
        .await;
    assert_eq!(res.status(), 422);
    let res = app
        .post_form(
            c,
            "/account/2fa/setup",
            "/account/2fa/setup",
            &[("code", &code_now(app, &secret))],
        )
        .await;
    let (status, page) = follow(app, c, res).await;
    assert_eq!(status, 200);
    let codes = codes_in(&page);
    assert_eq!(codes.len(), 10);
    // Shown once: a refresh goes to the account page, without the codes.
    let (status, again) = get(app, c, "/account/2fa/setup").await;
    assert_eq!(status, 303, "{again}");
    (secret, codes)
}

async fn second_factor(app: &TestApp, c: &reqwest::Client, code: &str) -> reqwest::Response {
    app.post_form(c, "/login/2fa", "/login/2fa", &[("code", code)])
        .await
}

#[tokio::test]
async fn totp_enrollment_then_login_needs_a_single_use_code() {
    let app = TestApp::new().await;
    app.create_admin("Acme IT", "admin@acme.test", PW).await;
    let c = signed_in(&app, "admin@acme.test").await;
    let (secret, _) = enroll(&app, &c, "admin@acme.test").await;
    let (_, account) = get(&app, &c, "/account").await;
    assert!(account.contains("Recovery codes left: <strong>10</strong>"));

    let c2 = app.client();
    let res = app.login(&c2, "admin@acme.test", PW).await;
    assert_eq!(location(&res), "/login/2fa");
    // A password-only session reaches nothing else.
    assert_eq!(get(&app, &c2, "/account").await.0, 303);
    // The code used to confirm enrollment is spent: 303 back to the form, which says so once
    // (PRG, issue 21.2: a refresh there posts no code again).
    let res = second_factor(&app, &c2, &code_now(&app, &secret)).await;
    let reason = refused(&app, &c2, res, "/login/2fa").await;
    assert!(reason.contains("already used"), "{reason}");
    let (_, again) = get(&app, &c2, "/login/2fa").await;
    assert!(!again.contains("already used") && !again.contains(r#"role="alert""#));
    app.clock.advance(Duration::from_secs(30));
    let code = code_now(&app, &secret);
    let res = second_factor(&app, &c2, &code).await;
    assert_eq!(location(&res), "/");
    assert_eq!(get(&app, &c2, "/account").await.0, 200);
    // The same code again, in another login: refused.
    let c3 = app.client();
    app.login(&c3, "admin@acme.test", PW).await;
    let res = second_factor(&app, &c3, &code).await;
    refused(&app, &c3, res, "/login/2fa").await;
}

#[tokio::test]
async fn recovery_code_works_once() {
    let app = TestApp::new().await;
    app.create_admin("Acme IT", "admin@acme.test", PW).await;
    let c = signed_in(&app, "admin@acme.test").await;
    let (_, codes) = enroll(&app, &c, "admin@acme.test").await;
    let c2 = app.client();
    app.login(&c2, "admin@acme.test", PW).await;
    assert_eq!(
        location(&second_factor(&app, &c2, &codes[0].to_uppercase()).await),
        "/"
    );
    let c3 = app.client();
    app.login(&c3, "admin@acme.test", PW).await;
    let res = second_factor(&app, &c3, &codes[0]).await;
    refused(&app, &c3, res, "/login/2fa").await;
    assert_eq!(location(&second_factor(&app, &c3, &codes[1]).await), "/");
}

#[tokio::test]
async fn disable_requires_code_or_password() {
    let app = TestApp::new().await;
    app.create_admin("Acme IT", "admin@acme.test", PW).await;
    let c = signed_in(&app, "admin@acme.test").await;
    enroll(&app, &c, "admin@acme.test").await;
    let res = app
        .post_form(
            &c,
            "/account",
            "/account/2fa/disable",
            &[("proof", "wrong guess 123")],
        )
        .await;
    assert_eq!(res.status(), 422);
    let res = app
        .post_form(&c, "/account", "/account/2fa/disable", &[("proof", PW)])
        .await;
    assert_eq!(res.status(), 303);
    let c2 = app.client();
    assert_eq!(location(&app.login(&c2, "admin@acme.test", PW).await), "/");
}

#[tokio::test]
async fn org_requiring_2fa_sends_unenrolled_users_to_setup() {
    let app = TestApp::new().await;
    app.create_admin("Acme IT", "admin@acme.test", PW).await;
    crate::add_technician(&app, "admin@acme.test", "tech@acme.test", "Tess").await;
    let admin = signed_in(&app, "admin@acme.test").await;
    let res = app
        .post_form(
            &admin,
            "/settings",
            "/settings",
            &[("name", "Acme IT"), ("require_2fa", "on")],
        )
        .await;
    assert_eq!(res.status(), 303);
    let tech = signed_in(&app, "tech@acme.test").await;
    for path in ["/contacts", "/account", "/settings"] {
        let res = tech.get(app.url(path)).send().await.unwrap();
        assert_eq!(res.status(), 303, "{path}");
        assert_eq!(location(&res), "/account/2fa/setup");
    }
    assert_eq!(get(&app, &tech, "/static/app.css").await.0, 200);
    enroll(&app, &tech, "tech@acme.test").await;
    assert_eq!(get(&app, &tech, "/contacts").await.0, 200);
    // Deliver what the test queued, as a server's workers would (none may be left).
    app.run_jobs().await;
}
