use crate::{LOCKED, PW, WRONG, get, location, login_refused, signed_in};
use countersign_testkit::TestApp;
use std::time::Duration;

pub async fn login_ok(app: TestApp) {
    app.create_admin("Acme IT", "admin@acme.test", PW).await;
    let c = app.client();
    let res = app.login(&c, "admin@acme.test", PW).await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), "/");
    let (status, body) = get(&app, &c, "/account").await;
    assert_eq!(status, 200);
    assert!(body.contains("admin@acme.test"));
}

pub async fn unknown_and_wrong_are_identical(app: TestApp) {
    app.create_admin("Acme IT", "admin@acme.test", PW).await;
    let c = app.client();
    // Both answer 303 back to the form (PRG, issue 21.2), which then shows the same page.
    let a = app.login(&c, "nobody@acme.test", "some password 123").await;
    let (sa, la) = (a.status(), location(&a));
    let (_, ba) = get(&app, &c, &la).await;
    let b = app.login(&c, "admin@acme.test", "some password 123").await;
    let (sb, lb) = (b.status(), location(&b));
    let (_, bb) = get(&app, &c, &lb).await;
    assert_eq!((sa.as_u16(), la.as_str()), (303, "/login"));
    assert_eq!((sa, la), (sb, lb));
    // The only difference is the echoed email the user typed (and the form's token).
    let token = |body: &str| countersign_testkit::extract_csrf(body).unwrap();
    assert_eq!(
        ba.replace("nobody@acme.test", "EMAIL")
            .replace(&token(&ba), "T"),
        bb.replace("admin@acme.test", "EMAIL")
            .replace(&token(&bb), "T")
    );
    assert!(ba.contains(WRONG), "{ba}");
}

/// A refused sign-in answers 303 back to the form (PRG, issue 21.2): the form shows why and
/// keeps the address typed, never the password; a refresh shows a blank form and counts no
/// second attempt; the reason travels sealed, for this browser only.
pub async fn a_refused_sign_in_redirects_to_the_form(app: TestApp) {
    const TYPED: &str = "hunter2 orchard typed";
    app.create_admin("Acme IT", "admin@acme.test", PW).await;
    let c = app.client();
    let res = app.login(&c, "Admin@Acme.test ", TYPED).await;
    assert_eq!(
        (res.status().as_u16(), location(&res)),
        (303, "/login".into())
    );
    let flash: Vec<String> = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .filter(|v| v.starts_with("cs_flash="))
        .collect();
    assert_eq!(flash.len(), 1, "the reason travels in the flash cookie");
    assert!(!flash[0].contains(TYPED) && !flash[0].contains("admin@acme.test"));
    let sealed = flash[0]["cs_flash=".len()..]
        .split(';')
        .next()
        .unwrap()
        .to_owned();

    let res = c.get(app.url("/login")).send().await.unwrap();
    assert_eq!(res.headers()["cache-control"], "no-store");
    let body = res.text().await.unwrap();
    assert_eq!(crate::alert(&body).as_deref(), Some(WRONG));
    assert!(
        body.contains(r#"value="Admin@Acme.test""#),
        "the address typed is kept"
    );
    assert!(!body.contains(TYPED), "never the password");
    let failures = || async { crate::chain_entries(&app, "login.failed").await.len() };
    assert_eq!(failures().await, 1);
    // A refresh: the form again, blank, and nothing posted or counted.
    let (status, again) = get(&app, &c, "/login").await;
    assert_eq!(status, 200);
    assert!(crate::alert(&again).is_none() && !again.contains("Admin@Acme.test"));
    assert_eq!(failures().await, 1);
    // Another browser cannot open it (it is bound to the pre-session cookie of this one).
    let other = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let body = other
        .get(app.url("/login"))
        .header(
            "cookie",
            format!("cs_pre={}; cs_flash={sealed}", "A".repeat(43)),
        )
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(crate::alert(&body).is_none(), "{body}");
    // The right password afterwards signs in.
    assert_eq!(location(&app.login(&c, "admin@acme.test", PW).await), "/");
}

#[tokio::test]
async fn a_refused_sign_in_redirects_to_the_form_sqlite() {
    a_refused_sign_in_redirects_to_the_form(TestApp::new().await).await;
}

#[tokio::test]
async fn login_ok_sqlite() {
    login_ok(TestApp::new().await).await;
}

#[tokio::test]
async fn unknown_email_and_wrong_password_are_identical() {
    unknown_and_wrong_are_identical(TestApp::new().await).await;
}

#[tokio::test]
async fn account_throttle_locks_and_survives_restart() {
    let app = TestApp::new().await;
    app.create_admin("Acme IT", "admin@acme.test", PW).await;
    let c = app.client();
    for _ in 0..5 {
        assert_eq!(
            login_refused(&app, &c, "admin@acme.test", "wrong password 1").await,
            WRONG
        );
    }
    let reason = login_refused(&app, &c, "admin@acme.test", PW).await;
    assert!(reason.contains("try again in 15 minutes"), "{reason}");
    // A new process on the same database still refuses.
    let app2 = app.restart().await;
    let c2 = app2.client();
    assert!(
        login_refused(&app2, &c2, "admin@acme.test", PW)
            .await
            .starts_with(LOCKED)
    );
    app2.clock.advance(Duration::from_secs(16 * 60));
    assert_eq!(location(&app2.login(&c2, "admin@acme.test", PW).await), "/");
    // Deliver what the test queued, as a server's workers would (none may be left).
    app.run_jobs().await;
}

#[tokio::test]
async fn unknown_email_is_throttled_like_a_real_one() {
    let app = TestApp::new().await;
    let c = app.client();
    for _ in 0..5 {
        assert_eq!(
            login_refused(&app, &c, "ghost@acme.test", "wrong password 1").await,
            WRONG
        );
    }
    assert!(
        login_refused(&app, &c, "ghost@acme.test", "wrong password 1")
            .await
            .starts_with(LOCKED)
    );
}

#[tokio::test]
async fn lockout_doubles_after_further_failures() {
    let app = TestApp::new().await;
    app.create_admin("Acme IT", "admin@acme.test", PW).await;
    let c = app.client();
    for _ in 0..5 {
        app.login(&c, "admin@acme.test", "wrong password 1").await;
    }
    app.clock.advance(Duration::from_secs(16 * 60));
    assert_eq!(
        login_refused(&app, &c, "admin@acme.test", "wrong password 1").await,
        WRONG
    );
    let reason = login_refused(&app, &c, "admin@acme.test", PW).await;
    assert!(reason.contains("try again in 30 minutes"), "{reason}");
    // Deliver what the test queued, as a server's workers would (none may be left).
    app.run_jobs().await;
}

#[tokio::test]
async fn ip_throttle_locks_every_account() {
    let app = TestApp::new().await;
    app.create_admin("Acme IT", "admin@acme.test", PW).await;
    let c = app.client();
    for i in 0..20 {
        let reason =
            login_refused(&app, &c, &format!("user{i}@acme.test"), "wrong password 1").await;
        assert_eq!(reason, WRONG);
    }
    assert!(
        login_refused(&app, &c, "admin@acme.test", PW)
            .await
            .starts_with(LOCKED)
    );
}

#[tokio::test]
async fn inactive_technician_cannot_log_in() {
    let app = TestApp::new().await;
    let admin = app.create_admin("Acme IT", "admin@acme.test", PW).await;
    let t = crate::add_technician(&app, "admin@acme.test", "tech@acme.test", "Tess").await;
    app.app
        .set_technician_active(&crate::principal(&admin.technician), t.id, false)
        .await
        .unwrap();
    let c = app.client();
    assert_eq!(login_refused(&app, &c, "tech@acme.test", PW).await, WRONG);
    let _ = signed_in(&app, "admin@acme.test").await;
    // Deliver what the test queued, as a server's workers would (none may be left).
    app.run_jobs().await;
}
