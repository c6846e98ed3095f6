use crate::{PW, get, location, signed_in};
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
    let a = app.login(&c, "nobody@acme.test", "some password 123").await;
    let (sa, ba) = (a.status(), a.text().await.unwrap());
    let b = app.login(&c, "admin@acme.test", "some password 123").await;
    let (sb, bb) = (b.status(), b.text().await.unwrap());
    assert_eq!(sa, 422);
    assert_eq!(sa, sb);
    // The only difference is the echoed email the user typed.
    assert_eq!(
        ba.replace("nobody@acme.test", "EMAIL"),
        bb.replace("admin@acme.test", "EMAIL")
    );
    assert!(ba.contains("The email address or password is not correct."));
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
            app.login(&c, "admin@acme.test", "wrong password 1")
                .await
                .status(),
            422
        );
    }
    let res = app.login(&c, "admin@acme.test", PW).await;
    assert_eq!(res.status(), 429);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("try again in 15 minutes")
    );
    // A new process on the same database still refuses.
    let app2 = app.restart().await;
    let c2 = app2.client();
    assert_eq!(app2.login(&c2, "admin@acme.test", PW).await.status(), 429);
    app2.clock.advance(Duration::from_secs(16 * 60));
    assert_eq!(app2.login(&c2, "admin@acme.test", PW).await.status(), 303);
    // Deliver what the test queued, as a server's workers would (none may be left).
    app.run_jobs().await;
}

#[tokio::test]
async fn unknown_email_is_throttled_like_a_real_one() {
    let app = TestApp::new().await;
    let c = app.client();
    for _ in 0..5 {
        assert_eq!(
            app.login(&c, "ghost@acme.test", "wrong password 1")
                .await
                .status(),
            422
        );
    }
    assert_eq!(
        app.login(&c, "ghost@acme.test", "wrong password 1")
            .await
            .status(),
        429
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
        app.login(&c, "admin@acme.test", "wrong password 1")
            .await
            .status(),
        422
    );
    let res = app.login(&c, "admin@acme.test", PW).await;
    assert_eq!(res.status(), 429);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("try again in 30 minutes")
    );
    // Deliver what the test queued, as a server's workers would (none may be left).
    app.run_jobs().await;
}

#[tokio::test]
async fn ip_throttle_locks_every_account() {
    let app = TestApp::new().await;
    app.create_admin("Acme IT", "admin@acme.test", PW).await;
    let c = app.client();
    for i in 0..20 {
        let res = app
            .login(&c, &format!("user{i}@acme.test"), "wrong password 1")
            .await;
        assert_eq!(res.status(), 422);
    }
    assert_eq!(app.login(&c, "admin@acme.test", PW).await.status(), 429);
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
    let res = app.login(&c, "tech@acme.test", PW).await;
    assert_eq!(res.status(), 422);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("The email address or password is not correct.")
    );
    let _ = signed_in(&app, "admin@acme.test").await;
    // Deliver what the test queued, as a server's workers would (none may be left).
    app.run_jobs().await;
}
