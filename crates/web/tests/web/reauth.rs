//! Sensitive actions ask again (issue 18.2, ASVS 7.5.1): a session's proof (sign-in or
//! "Confirm it's you") counts for `security.reauth_window_seconds` (300 s by default); after
//! that, enrolling a second factor, changing roles, integration credentials and webhook
//! secrets go to `/account/confirm?next=…` and change nothing. Scenarios take a `TestApp`, so
//! `postgres.rs` runs them on PostgreSQL too.

use crate::{LOCKED, PW, add_technician, get, location, refused, signed_in};
use countersign_store::{
    AuditFilter, AuditStore, IntegrationKind, SessionStore, TechnicianStore, ThrottleStore,
    WebhookStore,
};
use countersign_testkit::TestApp;
use std::time::Duration;

const ADMIN: &str = "admin@acme.test";
/// Just past the default window of 300 s.
const LATER: Duration = Duration::from_secs(301);

async fn admin(app: &TestApp) -> countersign_store::Technician {
    app.app
        .store()
        .technician_by_email_for_login(ADMIN)
        .await
        .unwrap()
        .unwrap()
}

async fn actions(app: &TestApp, prefix: &str) -> Vec<String> {
    let a = admin(app).await;
    app.app
        .store()
        .audit_entries(
            a.org_id,
            &AuditFilter {
                action_prefix: Some(prefix.into()),
                limit: 50,
                ..AuditFilter::default()
            },
        )
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.entry.action)
        .collect()
}

/// POST a form with this session's token (read from the account page).
async fn post(
    app: &TestApp,
    c: &reqwest::Client,
    action: &str,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    app.post_form(c, "/account", action, fields).await
}

/// A technician as stored now.
async fn reload(app: &TestApp, t: &countersign_store::Technician) -> countersign_store::Technician {
    app.app.store().technician(t.org_id, t.id).await.unwrap()
}

/// POST "Confirm it's you" with `proof`, to come back to `next`.
async fn confirm(app: &TestApp, c: &reqwest::Client, proof: &str, next: &str) -> reqwest::Response {
    post(
        app,
        c,
        "/account/confirm",
        &[("proof", proof), ("next", next)],
    )
    .await
}

fn confirm_for(next: &str) -> String {
    format!("/account/confirm?next={}", urlencoding::encode(next))
}

/// A fresh sign-in can enrol; the same session five minutes later (a stolen cookie) cannot,
/// even with a correct code, until the password is given again. Wrong passwords are refused,
/// counted and audited.
pub async fn stolen_session_cannot_enrol_an_authenticator(app: TestApp) {
    app.create_admin("Acme IT", ADMIN, PW).await;
    let c = signed_in(&app, ADMIN).await;
    let (status, _) = get(&app, &c, "/account/2fa/setup").await;
    assert_eq!(status, 200, "a fresh sign-in reaches the setup page");
    let secret = crate::totp::pending_secret(&app, ADMIN).await;

    app.clock.advance(LATER);
    let res = c.get(app.url("/account/2fa/setup")).send().await.unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), confirm_for("/account/2fa/setup"));
    let code = crate::totp::code_now(&app, &secret);
    let res = post(&app, &c, "/account/2fa/setup", &[("code", &code)]).await;
    assert_eq!(res.status(), 303);
    assert!(location(&res).starts_with("/account/confirm?next="));
    assert!(
        admin(&app).await.totp_enabled_at.is_none(),
        "a stale session enrolled an authenticator"
    );
    assert!(actions(&app, "2fa.enabled").await.is_empty());

    // The confirmation page says what is asked and that the form must be sent again.
    let (status, page) = get(&app, &c, &confirm_for("/account/2fa/setup")).await;
    assert_eq!(status, 200);
    assert!(page.contains("Confirm it") && page.contains("submit it again"));

    // Refused: 303 back to the confirmation, return path kept, which says why once (PRG).
    let res = confirm(&app, &c, "not my password at all", "/account/2fa/setup").await;
    assert_eq!(location(&res), confirm_for("/account/2fa/setup"));
    let reason = refused(&app, &c, res, "/account/confirm").await;
    assert!(reason.contains("not your password"), "{reason}");
    let (_, again) = get(&app, &c, &confirm_for("/account/2fa/setup")).await;
    assert!(!again.contains("not your password"), "shown once");
    let t = admin(&app).await;
    let throttle = app
        .app
        .store()
        .throttle(&format!("reauth:{}", t.id))
        .await
        .unwrap()
        .expect("the failure is counted");
    assert_eq!(throttle.failures, 1);
    assert_eq!(
        actions(&app, "session.reauth").await,
        vec!["session.reauthentication_failed".to_owned()]
    );
    let res = c.get(app.url("/account/2fa/setup")).send().await.unwrap();
    assert_eq!(res.status(), 303, "a wrong password proves nothing");

    let res = confirm(&app, &c, PW, "/account/2fa/setup").await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), "/account/2fa/setup");
    assert!(
        actions(&app, "session.reauthenticated").await.len() == 1,
        "the proof is audited"
    );
    crate::totp::enroll(&app, &c, ADMIN).await;
    assert!(admin(&app).await.totp_enabled_at.is_some());
}

/// With the second factor on, a current code confirms too; so does the password.
pub async fn a_current_code_confirms(app: TestApp) {
    app.create_admin("Acme IT", ADMIN, PW).await;
    let c = signed_in(&app, ADMIN).await;
    let (secret, _) = crate::totp::enroll(&app, &c, ADMIN).await;

    app.clock.advance(LATER);
    let res = post(&app, &c, "/account/2fa/disable", &[("proof", PW)]).await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), confirm_for("/account"));
    assert!(admin(&app).await.totp_enabled_at.is_some(), "not removed");

    let (_, page) = get(&app, &c, &confirm_for("/account")).await;
    assert!(page.contains("authenticator code"));
    let code = crate::totp::code_now(&app, &secret);
    let res = confirm(&app, &c, &code, "/account").await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), "/account");
    let res = post(&app, &c, "/account/2fa/disable", &[("proof", PW)]).await;
    assert_eq!(location(&res), "/account?notice=2fa_disabled");
    assert!(admin(&app).await.totp_enabled_at.is_none());
}

/// Without a recent proof, a role change, a GDAP credential and a webhook secret are refused
/// (sent to confirm, back to the page the form was on) and change nothing.
pub async fn privileged_changes_need_a_recent_proof(app: TestApp) {
    app.create_admin("Acme IT", ADMIN, PW).await;
    let tech = add_technician(&app, ADMIN, "tech@acme.test", "Tess Tech").await;
    let a = admin(&app).await;
    let integration = app
        .app
        .create_integration(
            &countersign_app::Principal::technician(&a, [127, 0, 0, 1].into()),
            IntegrationKind::Microsoft365,
            "Acme M365",
        )
        .await
        .unwrap();
    let c = signed_in(&app, ADMIN).await;
    app.clock.advance(LATER);

    let page = format!("/settings/technicians/{}", tech.id);
    let csrf = app.csrf(&c, &page).await;
    let res = c
        .post(app.url(&format!("{page}/role")))
        .header("referer", app.url(&page))
        .form(&[("_csrf", csrf.as_str()), ("role", "admin")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), confirm_for(&page));
    let after = reload(&app, &tech).await;
    assert_eq!(after.role, countersign_domain::Role::Technician);
    let res = post(&app, &c, &format!("{page}/deactivate"), &[]).await;
    assert!(location(&res).starts_with("/account/confirm?next="));
    assert!(reload(&app, &tech).await.active);

    let res = post(
        &app,
        &c,
        &format!("/integrations/psa/{}/gdap", integration.id),
        &[
            ("domain", "acme.example"),
            ("client_id", "11111111-2222-3333-4444-555555555555"),
            ("client_secret", "a-secret-value"),
        ],
    )
    .await;
    assert_eq!(res.status(), 303);
    assert!(location(&res).starts_with("/account/confirm?next="));
    let (stored, secrets) = app
        .app
        .inspect_microsoft(a.org_id, integration.id)
        .await
        .unwrap();
    assert!(stored.settings.gdap_pending.is_none() && secrets.gdap_client_secret.is_none());
    let res = post(
        &app,
        &c,
        &format!("/integrations/psa/{}/consent", integration.id),
        &[],
    )
    .await;
    assert!(location(&res).starts_with("/account/confirm?next="));

    let res = post(
        &app,
        &c,
        "/settings/webhooks",
        &[
            ("url", "https://hooks.example/countersign"),
            ("description", "SIEM"),
        ],
    )
    .await;
    assert!(location(&res).starts_with("/account/confirm?next="));
    assert!(
        app.app
            .store()
            .webhook_endpoints(a.org_id)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(actions(&app, "technician.role_changed").await.is_empty());
    assert!(actions(&app, "technician.deactivated").await.is_empty());

    // Confirmed, the same role change goes through.
    let res = confirm(&app, &c, PW, &page).await;
    assert_eq!(location(&res), page);
    let res = post(&app, &c, &format!("{page}/role"), &[("role", "admin")]).await;
    assert_eq!(res.status(), 303);
    assert!(!location(&res).starts_with("/account/confirm"));
    let after = reload(&app, &tech).await;
    assert_eq!(after.role, countersign_domain::Role::Admin);
    // Deliver what the test queued, as a server's workers would (none may be left).
    app.run_jobs().await;
}

#[tokio::test]
async fn stolen_session_cannot_enrol() {
    stolen_session_cannot_enrol_an_authenticator(TestApp::new().await).await;
}

#[tokio::test]
async fn current_code_confirms() {
    a_current_code_confirms(TestApp::new().await).await;
}

#[tokio::test]
async fn privileged_changes_are_refused_without_recent_proof() {
    privileged_changes_need_a_recent_proof(TestApp::new().await).await;
}

/// `next` is a path of this site or nothing: other hosts are refused with a clear page, and a
/// refused `next` proves nothing even with the right password.
#[tokio::test]
async fn confirm_refuses_an_open_redirect() {
    let app = TestApp::new().await;
    app.create_admin("Acme IT", ADMIN, PW).await;
    let c = signed_in(&app, ADMIN).await;
    app.clock.advance(LATER);
    for bad in [
        "//evil.example/",
        "https://evil.example/",
        "/\\evil.example",
        "http:evil.example",
    ] {
        let (status, page) = get(&app, &c, &confirm_for(bad)).await;
        assert_eq!(status, 400, "{bad:?}");
        assert!(page.contains("not a page of Countersign"), "{bad:?}");
        let res = confirm(&app, &c, PW, bad).await;
        assert_eq!(res.status(), 400, "{bad:?}");
        assert!(location(&res).is_empty());
    }
    let res = c.get(app.url("/account/2fa/setup")).send().await.unwrap();
    assert_eq!(res.status(), 303, "a refused next proved nothing");
    assert!(actions(&app, "session.reauthenticated").await.is_empty());
    // A local path with a query comes back as it was.
    let next = "/settings/webhooks?notice=saved";
    let res = confirm(&app, &c, PW, next).await;
    assert_eq!(location(&res), next);
}

/// The confirmation is throttled per technician like a login: the sixth try within the window
/// is refused even with the right password.
#[tokio::test]
async fn confirm_is_throttled() {
    let app = TestApp::new().await;
    app.create_admin("Acme IT", ADMIN, PW).await;
    let c = signed_in(&app, ADMIN).await;
    for _ in 0..5 {
        let res = confirm(&app, &c, "wrong wrong wrong", "/account").await;
        let reason = refused(&app, &c, res, "/account/confirm").await;
        assert!(reason.contains("not your password"), "{reason}");
    }
    let res = confirm(&app, &c, PW, "/account").await;
    assert!(
        refused(&app, &c, res, "/account/confirm")
            .await
            .starts_with(LOCKED)
    );
    let t = admin(&app).await;
    let sessions = app.app.store().sessions_of(t.org_id, t.id).await.unwrap();
    // Only the sign-in's proof: the locked attempt recorded none.
    assert!(
        sessions
            .iter()
            .all(|s| s.reauthenticated_at == Some(s.created_at))
    );
}

/// A password set through an invite is checked against the common-password list and the
/// technician's own name and org (issue 18.7), with a message that says why.
#[tokio::test]
async fn invite_refuses_common_and_personal_passwords() {
    let app = TestApp::new().await;
    app.create_admin("Acme IT", ADMIN, PW).await;
    let a = admin(&app).await;
    let email = countersign_domain::Email::parse("new@acme.test").unwrap();
    let created = app
        .app
        .invite_technician(
            &crate::principal(&a),
            &email,
            countersign_domain::Role::Technician,
        )
        .await
        .unwrap();
    let token = created.link.rsplit('/').next().unwrap().to_owned();
    for (pw, why) in [
        ("password123456", "commonly used"),
        ("Summer2024!", "at least 12 characters"),
        ("Summer2024!!", "commonly used"),
        ("AcmeIT2024!!", "your name"),
        ("NoraNewman2024", "your name"),
    ] {
        let e = app
            .app
            .accept_invite(&token, "Nora Newman", pw, pw, None)
            .await
            .expect_err(pw);
        assert!(e.to_string().contains(why), "{pw:?}: {e}");
    }
    app.app
        .accept_invite(&token, "Nora Newman", PW, PW, None)
        .await
        .unwrap();
    // Deliver what the test queued, as a server's workers would (none may be left).
    app.run_jobs().await;
}

/// One other session can be ended from the Account page (ASVS 7.5.2), after a recent proof:
/// a stolen session cannot end the owner's. The ended browser is signed out; another
/// technician's session, or this one, cannot be ended that way.
#[tokio::test]
async fn one_other_session_ends_after_a_recent_proof() {
    let app = TestApp::new().await;
    app.create_admin("Acme IT", ADMIN, PW).await;
    let laptop = signed_in(&app, ADMIN).await;
    let phone = signed_in(&app, ADMIN).await;
    let a = admin(&app).await;
    let phone_session = {
        let (_, html) = get(&app, &phone, "/account").await;
        assert!(html.contains("this session"));
        let mine = app.app.store().sessions_of(a.org_id, a.id).await.unwrap();
        assert_eq!(mine.len(), 2);
        // The laptop's page offers "End" for the phone's session only.
        let (_, laptop_html) = get(&app, &laptop, "/account").await;
        let ids: Vec<_> = mine
            .iter()
            .filter(|s| laptop_html.contains(&format!("/account/sessions/{}/end", s.id)))
            .map(|s| s.id)
            .collect();
        assert_eq!(ids.len(), 1, "{laptop_html}");
        ids[0]
    };
    let end = format!("/account/sessions/{phone_session}/end");

    app.clock.advance(LATER);
    let res = post(&app, &laptop, &end, &[]).await;
    assert_eq!(res.status(), 303);
    assert!(
        location(&res).starts_with("/account/confirm"),
        "{}",
        location(&res)
    );
    assert_eq!(
        get(&app, &phone, "/account").await.0,
        200,
        "nothing ended yet"
    );

    assert_eq!(confirm(&app, &laptop, PW, "/account").await.status(), 303);
    let res = post(&app, &laptop, &end, &[]).await;
    assert_eq!(location(&res), "/account?notice=session_ended");
    let res = phone.get(app.url("/account")).send().await.unwrap();
    assert_eq!(res.status(), 303, "the ended browser is signed out");
    assert!(actions(&app, "session.ended").await.len() == 1);

    // Another technician's session is not found, and stays.
    let tina = add_technician(&app, ADMIN, "tina@acme.test", "Tina Tech").await;
    let tinas = signed_in(&app, "tina@acme.test").await;
    let theirs = app
        .app
        .store()
        .sessions_of(tina.org_id, tina.id)
        .await
        .unwrap();
    let res = post(
        &app,
        &laptop,
        &format!("/account/sessions/{}/end", theirs[0].id),
        &[],
    )
    .await;
    assert_eq!(res.status(), 404);
    assert_eq!(get(&app, &tinas, "/account").await.0, 200);
    // Deliver what the test queued, as a server's workers would (none may be left).
    app.run_jobs().await;
}
