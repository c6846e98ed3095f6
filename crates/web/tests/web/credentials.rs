//! Credential change and recovery (issue 18.1, ASVS 6.2.2, 6.2.3, 6.4.3, 6.4.4): change
//! password, "forgot password" links, an admin's reset of password and second factor, and
//! recovery codes shown as used.

use crate::totp::{code_now, enroll};
use crate::{PW, get, location, signed_in};
use countersign_store::{MessageFilter, MessageStore, TechnicianStore};
use countersign_testkit::TestApp;
use std::time::Duration;

const NEW_PW: &str = "harbour lantern quiet 77";

async fn technician(app: &TestApp, email: &str) -> countersign_store::Technician {
    app.app
        .store()
        .technician_by_email_for_login(email)
        .await
        .unwrap()
        .unwrap()
}

/// The links of every `password_reset` email sent to `email`, oldest first.
async fn reset_links(app: &TestApp, email: &str) -> Vec<String> {
    let t = technician(app, email).await;
    let filter = MessageFilter {
        limit: 100,
        ..Default::default()
    };
    let mut sent = app.app.store().messages(t.org_id, &filter).await.unwrap();
    sent.retain(|m| m.template == "password_reset" && m.recipient == email);
    sent.sort_by_key(|m| (m.created_at, m.id.0));
    sent.iter()
        .map(|m| {
            let body = m.body_text.as_deref().unwrap_or_default();
            let at = body.find("/password/reset/").expect("a link in the email");
            let end = at
                + body[at..]
                    .find(char::is_whitespace)
                    .unwrap_or(body.len() - at);
            body[at..end].to_owned()
        })
        .collect()
}

/// Waits for the `n`-th reset email to `email` ("forgot password" queues it after answering).
async fn nth_reset_link(app: &TestApp, email: &str, n: usize) -> String {
    for _ in 0..400 {
        let links = reset_links(app, email).await;
        if links.len() >= n {
            return links[n - 1].clone();
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("no reset email number {n} to {email}");
}

async fn forgot(app: &TestApp, c: &reqwest::Client, email: &str) -> reqwest::Response {
    app.post_form(
        c,
        "/password/forgot",
        "/password/forgot",
        &[("email", email)],
    )
    .await
}

async fn set_password(app: &TestApp, c: &reqwest::Client, path: &str, pw: &str) -> u16 {
    let res = app
        .post_form(c, path, path, &[("password", pw), ("confirm", pw)])
        .await;
    res.status().as_u16()
}

/// Where a sign-in led (always by a 303): [`IN`], on to the second factor (`/login/2fa`), or
/// [`REFUSED`] (PRG, issue 21.2).
async fn login_status(app: &TestApp, email: &str, pw: &str) -> String {
    let res = app.login(&app.client(), email, pw).await;
    assert_eq!(res.status(), 303);
    location(&res)
}

/// Signed in.
const IN: &str = "/";
/// Refused: back to the form.
const REFUSED: &str = "/login";

pub async fn change_password(app: TestApp) {
    app.create_admin("Acme IT", "admin@acme.test", PW).await;
    let c = signed_in(&app, "admin@acme.test").await;
    let laptop = signed_in(&app, "admin@acme.test").await;
    let (_, page) = get(&app, &c, "/account").await;
    assert!(page.contains("action=\"/account/password\""), "{page}");
    let change = |current: &'static str, new: &'static str, confirm: &'static str| {
        let (app, c) = (&app, &c);
        async move {
            app.post_form(
                c,
                "/account",
                "/account/password",
                &[
                    ("current", current),
                    ("password", new),
                    ("confirm", confirm),
                ],
            )
            .await
        }
    };
    // The current password is required; a wrong one changes nothing.
    let res = change("wrong password here", NEW_PW, NEW_PW).await;
    assert_eq!(res.status(), 422);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("current password is not correct")
    );
    let res = change(PW, NEW_PW, "something else 123").await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("do not match"));
    assert_eq!(get(&app, &laptop, "/account").await.0, 200);
    assert_eq!(login_status(&app, "admin@acme.test", PW).await, IN);

    let res = change(PW, NEW_PW, NEW_PW).await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), "/account?notice=password_changed");
    // A fresh session token for this browser; every other session ended.
    assert!(countersign_testkit::set_cookie(&res, "cs_session").is_some());
    assert_eq!(get(&app, &c, "/account").await.0, 200);
    assert_eq!(get(&app, &laptop, "/account").await.0, 303);
    let t = technician(&app, "admin@acme.test").await;
    assert_eq!(app.app.store_sessions(&t).await, 1);
    // Old password refused, new one works; audited; an email says so.
    assert_eq!(login_status(&app, "admin@acme.test", PW).await, REFUSED);
    assert_eq!(login_status(&app, "admin@acme.test", NEW_PW).await, IN);
    let filter = MessageFilter {
        limit: 100,
        ..Default::default()
    };
    let sent = app.app.store().messages(t.org_id, &filter).await.unwrap();
    assert!(
        sent.iter()
            .any(|m| m.template == "password_changed" && m.recipient == "admin@acme.test")
    );
    assert_eq!(audited(&app, "technician.password_changed").await, 1);
    // Deliver what the test queued, as a server's workers would (none may be left).
    app.run_jobs().await;
}

#[tokio::test]
async fn change_password_needs_the_current_one_and_ends_other_sessions() {
    change_password(TestApp::new().await).await;
}

/// How many audit entries of the server have `action`.
async fn audited(app: &TestApp, action: &str) -> usize {
    crate::chain_entries(app, action).await.len()
}

trait Sessions {
    async fn store_sessions(&self, t: &countersign_store::Technician) -> usize;
}

impl Sessions for countersign_app::App {
    async fn store_sessions(&self, t: &countersign_store::Technician) -> usize {
        use countersign_store::SessionStore;
        self.store()
            .sessions_of(t.org_id, t.id)
            .await
            .unwrap()
            .len()
    }
}

pub async fn forgot_password(app: TestApp) {
    app.create_admin("Acme IT", "admin@acme.test", PW).await;
    let session = signed_in(&app, "admin@acme.test").await;
    let (_, login) = get(&app, &app.client(), "/login").await;
    assert!(login.contains("href=\"/password/forgot\""));
    // The same answer whether or not the account exists.
    let c = app.client();
    let known = forgot(&app, &c, "admin@acme.test").await;
    let unknown = forgot(&app, &c, "nobody@acme.test").await;
    assert_eq!(known.status(), 303);
    assert_eq!(unknown.status(), 303);
    assert_eq!(location(&known), location(&unknown));
    let (status, page) = get(&app, &c, &location(&known)).await;
    assert_eq!(status, 200);
    assert!(page.contains("If an account exists for that address"));
    let path = nth_reset_link(&app, "admin@acme.test", 1).await;

    // GET shows the form and never consumes the link.
    for _ in 0..2 {
        let res = c.get(app.url(&path)).send().await.unwrap();
        assert_eq!(res.status(), 200);
        assert_eq!(res.headers()["referrer-policy"], "no-referrer");
        assert!(res.text().await.unwrap().contains("admin@acme.test"));
    }
    // Bad input: the reason, nothing consumed.
    assert_eq!(set_password(&app, &c, &path, "short").await, 422);
    assert_eq!(login_status(&app, "admin@acme.test", PW).await, IN);
    // Used: the new password works, every session ended, and the link is spent.
    assert_eq!(set_password(&app, &c, &path, NEW_PW).await, 303);
    assert_eq!(get(&app, &session, "/account").await.0, 303);
    assert_eq!(login_status(&app, "admin@acme.test", PW).await, REFUSED);
    assert_eq!(login_status(&app, "admin@acme.test", NEW_PW).await, IN);
    let csrf = app.csrf(&c, "/login").await;
    let replay = c
        .post(app.url(&path))
        .form(&[("_csrf", csrf.as_str()), ("password", PW), ("confirm", PW)])
        .send()
        .await
        .unwrap();
    assert_eq!(replay.status(), 410);
    assert_eq!(get(&app, &c, &path).await.0, 410);
    assert_eq!(login_status(&app, "admin@acme.test", NEW_PW).await, IN);
    assert_eq!(audited(&app, "technician.password_reset").await, 1);
    // Deliver what the test queued, as a server's workers would (none may be left).
    app.run_jobs().await;
}

#[tokio::test]
async fn forgot_password_answers_the_same_and_its_link_works_once() {
    forgot_password(TestApp::new().await).await;
}

pub async fn parallel_resets(app: TestApp) {
    app.create_admin("Acme IT", "admin@acme.test", PW).await;
    let c = app.client();
    assert_eq!(forgot(&app, &c, "admin@acme.test").await.status(), 303);
    let path = nth_reset_link(&app, "admin@acme.test", 1).await;
    let csrf = app.csrf(&c, &path).await;
    let posts = (0..6).map(|i| {
        let (c, url, csrf) = (c.clone(), app.url(&path), csrf.clone());
        async move {
            let pw = format!("{NEW_PW} {i}");
            c.post(url)
                .form(&[
                    ("_csrf", csrf.as_str()),
                    ("password", pw.as_str()),
                    ("confirm", pw.as_str()),
                ])
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    });
    let statuses = futures::future::join_all(posts).await;
    assert_eq!(
        statuses.iter().filter(|s| **s == 303).count(),
        1,
        "{statuses:?}"
    );
    assert!(
        statuses.iter().all(|s| *s == 303 || *s == 410),
        "{statuses:?}"
    );
    let winner = statuses.iter().position(|s| *s == 303).unwrap();
    let pw = format!("{NEW_PW} {winner}");
    assert_eq!(login_status(&app, "admin@acme.test", &pw).await, IN);
    // Deliver what the test queued, as a server's workers would (none may be left).
    app.run_jobs().await;
}

#[tokio::test]
async fn parallel_posts_of_a_reset_link_have_one_winner() {
    parallel_resets(TestApp::new().await).await;
}

#[tokio::test]
async fn a_forgot_link_expires_after_30_minutes_and_a_newer_one_replaces_it() {
    let app = TestApp::new().await;
    app.create_admin("Acme IT", "admin@acme.test", PW).await;
    let c = app.client();
    forgot(&app, &c, "admin@acme.test").await;
    let first = nth_reset_link(&app, "admin@acme.test", 1).await;
    forgot(&app, &c, "admin@acme.test").await;
    let second = nth_reset_link(&app, "admin@acme.test", 2).await;
    assert_ne!(first, second);
    // The newer link invalidates the older one.
    assert_eq!(get(&app, &c, &first).await.0, 410);
    assert_eq!(get(&app, &c, &second).await.0, 200);
    app.clock.advance(Duration::from_secs(29 * 60 + 59));
    assert_eq!(get(&app, &c, &second).await.0, 200);
    let csrf = app.csrf(&c, &second).await;
    app.clock.advance(Duration::from_secs(1));
    assert_eq!(get(&app, &c, &second).await.0, 410);
    let late = c
        .post(app.url(&second))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("password", NEW_PW),
            ("confirm", NEW_PW),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(late.status(), 410);
    assert_eq!(login_status(&app, "admin@acme.test", PW).await, IN);
    // Deliver what the test queued, as a server's workers would (none may be left).
    app.run_jobs().await;
}

#[tokio::test]
async fn forgot_password_is_rate_limited_per_address_for_unknown_ones_too() {
    let app = TestApp::new().await;
    app.create_admin("Acme IT", "admin@acme.test", PW).await;
    let c = app.client();
    for email in ["admin@acme.test", "nobody@acme.test"] {
        for _ in 0..3 {
            assert_eq!(forgot(&app, &c, email).await.status(), 303);
        }
        let res = forgot(&app, &c, email).await;
        assert_eq!(res.status(), 429, "{email}");
        assert!(res.text().await.unwrap().contains("Too many attempts"));
    }
    // The refused request sent nothing: three emails to the known address, none elsewhere.
    nth_reset_link(&app, "admin@acme.test", 3).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(reset_links(&app, "admin@acme.test").await.len(), 3);
    // A malformed address gets a specific message.
    let res = forgot(&app, &c, "not an address").await;
    assert_eq!(res.status(), 422);
    // Deliver what the test queued, as a server's workers would (none may be left).
    app.run_jobs().await;
}

#[tokio::test]
async fn an_inactive_account_gets_no_link_and_the_second_factor_stays() {
    let app = TestApp::new().await;
    app.create_admin("Acme IT", "admin@acme.test", PW).await;
    let tess = crate::add_technician(&app, "admin@acme.test", "tess@acme.test", "Tess").await;
    let c = signed_in(&app, "tess@acme.test").await;
    let (secret, _) = enroll(&app, &c, "tess@acme.test").await;
    let admin = technician(&app, "admin@acme.test").await;
    // Active: a link; after it, sign-in still asks for the second factor.
    forgot(&app, &app.client(), "tess@acme.test").await;
    let path = nth_reset_link(&app, "tess@acme.test", 1).await;
    let v = app.client();
    assert_eq!(set_password(&app, &v, &path, NEW_PW).await, 303);
    assert_eq!(
        login_status(&app, "tess@acme.test", NEW_PW).await,
        "/login/2fa"
    );
    app.clock.advance(Duration::from_secs(30));
    let c2 = app.client();
    app.login(&c2, "tess@acme.test", NEW_PW).await;
    let res = app
        .post_form(
            &c2,
            "/login/2fa",
            "/login/2fa",
            &[("code", &code_now(&app, &secret))],
        )
        .await;
    assert_eq!(res.status(), 303);
    // Deactivated: no new link.
    app.app
        .set_technician_active(&crate::principal(&admin), tess.id, false)
        .await
        .unwrap();
    let task = app
        .app
        .request_password_reset("tess@acme.test", "192.0.2.9")
        .await
        .unwrap();
    task.await.unwrap();
    assert_eq!(reset_links(&app, "tess@acme.test").await.len(), 1);
    // Deliver what the test queued, as a server's workers would (none may be left).
    app.run_jobs().await;
}

pub async fn admin_reset(app: TestApp) {
    app.create_admin("Acme IT", "admin@acme.test", PW).await;
    app.create_admin("Other MSP", "boss@other.test", PW).await;
    let tess = crate::add_technician(&app, "admin@acme.test", "tess@acme.test", "Tess").await;
    crate::add_technician(&app, "admin@acme.test", "tom@acme.test", "Tom").await;
    let tc = signed_in(&app, "tess@acme.test").await;
    enroll(&app, &tc, "tess@acme.test").await;
    let action = format!("/settings/technicians/{}/reset-credentials", tess.id);
    let page = format!("/settings/technicians/{}", tess.id);

    // Another org's admin: not found. A technician: refused. Nothing changes.
    let boss = signed_in(&app, "boss@other.test").await;
    let res = app.post_form(&boss, "/settings", &action, &[]).await;
    assert_eq!(res.status(), 404);
    let tom = signed_in(&app, "tom@acme.test").await;
    let res = app.post_form(&tom, "/account", &action, &[]).await;
    assert_eq!(res.status(), 403);
    assert_eq!(get(&app, &tc, "/account").await.0, 200);
    assert!(
        technician(&app, "tess@acme.test")
            .await
            .totp_enabled_at
            .is_some()
    );

    let admin = signed_in(&app, "admin@acme.test").await;
    let (_, shown) = get(&app, &admin, &page).await;
    assert!(shown.contains("Reset password and second factor"));
    let res = app.post_form(&admin, &page, &action, &[]).await;
    // PRG: the link is on the technician's page the POST redirects to, once.
    assert_eq!(location(&res), page);
    let (status, body) = crate::follow(&app, &admin, res).await;
    assert_eq!(status, 200);
    assert!(body.contains("/password/reset/"), "{body}");
    let (_, again) = get(&app, &admin, &page).await;
    assert!(!again.contains("/password/reset/"), "shown once");
    // Old password gone, TOTP off, recovery codes deleted, sessions ended.
    assert_eq!(get(&app, &tc, "/account").await.0, 303);
    assert_eq!(login_status(&app, "tess@acme.test", PW).await, REFUSED);
    let t = technician(&app, "tess@acme.test").await;
    assert!(t.totp_enabled_at.is_none() && t.totp_secret.is_none());
    assert_eq!(
        app.app
            .store()
            .recovery_codes_left(t.org_id, t.id)
            .await
            .unwrap(),
        0
    );
    assert_eq!(app.app.store_sessions(&t).await, 0);
    assert_eq!(audited(&app, "technician.credentials_reset").await, 1);
    // The link shown to the admin is the one emailed; the technician sets a new password.
    let path = nth_reset_link(&app, "tess@acme.test", 1).await;
    assert!(body.contains(&path), "{body}");
    let v = app.client();
    let (_, form) = get(&app, &v, &path).await;
    assert!(form.contains("An admin reset your password"));
    assert_eq!(set_password(&app, &v, &path, NEW_PW).await, 303);
    assert_eq!(login_status(&app, "tess@acme.test", NEW_PW).await, IN);
    // An admin cannot reset themselves this way.
    let me = technician(&app, "admin@acme.test").await;
    let res = app
        .post_form(
            &admin,
            "/settings",
            &format!("/settings/technicians/{}/reset-credentials", me.id),
            &[],
        )
        .await;
    assert_eq!(res.status(), 422);
    // Deliver what the test queued, as a server's workers would (none may be left).
    app.run_jobs().await;
}

#[tokio::test]
async fn admin_reset_clears_password_and_second_factor() {
    admin_reset(TestApp::new().await).await;
}

#[tokio::test]
async fn recovery_codes_are_shown_as_used() {
    let app = TestApp::new().await;
    app.create_admin("Acme IT", "admin@acme.test", PW).await;
    let c = signed_in(&app, "admin@acme.test").await;
    let (_, codes) = enroll(&app, &c, "admin@acme.test").await;
    let c2 = app.client();
    app.login(&c2, "admin@acme.test", PW).await;
    let res = app
        .post_form(&c2, "/login/2fa", "/login/2fa", &[("code", &codes[2])])
        .await;
    assert_eq!(res.status(), 303);
    let (_, page) = get(&app, &c2, "/account").await;
    assert!(
        page.contains("Recovery codes left: <strong>9</strong>"),
        "{page}"
    );
    assert!(
        page.contains("Code 3: <span class=\"badge warn\">used "),
        "{page}"
    );
    assert!(
        page.contains("Code 1: <span class=\"badge ok\">unused"),
        "{page}"
    );
    assert_eq!(page.matches("unused</span>").count(), 9, "{page}");
    // Still single use.
    let c3 = app.client();
    app.login(&c3, "admin@acme.test", PW).await;
    let res = app
        .post_form(&c3, "/login/2fa", "/login/2fa", &[("code", &codes[2])])
        .await;
    crate::refused(&app, &c3, res, "/login/2fa").await;
}
