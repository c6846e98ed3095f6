use crate::{PW, signed_in};
use countersign_store::OrgStore;
use countersign_testkit::TestApp;

pub async fn post_without_token_is_refused(app: TestApp) {
    let admin = app.create_admin("Acme IT", "admin@acme.test", PW).await;
    let c = signed_in(&app, "admin@acme.test").await;
    let res = c
        .post(app.url("/settings"))
        .form(&[("name", "Hacked"), ("require_2fa", "on")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    assert!(res.text().await.unwrap().contains("Form expired"));
    let wrong = c
        .post(app.url("/settings"))
        .form(&[("_csrf", "not-the-token"), ("name", "Hacked")])
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 403);
    let org = app.app.store().org(admin.org.id).await.unwrap();
    assert_eq!(org.name, "Acme IT");
    assert!(!org.require_2fa);
    // Without a session: the login form needs its pre-session token too.
    let anon = app.client();
    let res = anon
        .post(app.url("/login"))
        .form(&[("email", "admin@acme.test"), ("password", PW)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    // And the same request with the token works, so it was the token that was missing.
    let res = app
        .post_form(&c, "/settings", "/settings", &[("name", "Acme Two")])
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(
        app.app.store().org(admin.org.id).await.unwrap().name,
        "Acme Two"
    );
}

#[tokio::test]
async fn post_without_token_is_refused_sqlite() {
    post_without_token_is_refused(TestApp::new().await).await;
}

#[tokio::test]
async fn cross_site_post_with_token_is_refused() {
    let app = TestApp::new().await;
    let admin = app.create_admin("Acme IT", "admin@acme.test", PW).await;
    let c = signed_in(&app, "admin@acme.test").await;
    let csrf = app.csrf(&c, "/settings").await;
    let res = c
        .post(app.url("/settings"))
        .header("sec-fetch-site", "cross-site")
        .header("origin", "https://evil.example")
        .form(&[("_csrf", csrf.as_str()), ("name", "Hacked")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    // A foreign Origin without Fetch Metadata (older browsers): Origin must match Host.
    let bare = app.bare_client();
    assert_eq!(
        crate::location(&app.login(&bare, "admin@acme.test", PW).await),
        "/"
    );
    let csrf = app.csrf(&bare, "/settings").await;
    let res = bare
        .post(app.url("/settings"))
        .header("origin", "https://evil.example")
        .form(&[("_csrf", csrf.as_str()), ("name", "Hacked")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    assert_eq!(
        app.app.store().org(admin.org.id).await.unwrap().name,
        "Acme IT"
    );
}

#[tokio::test]
async fn token_in_header_is_accepted() {
    let app = TestApp::new().await;
    let admin = app.create_admin("Acme IT", "admin@acme.test", PW).await;
    let c = signed_in(&app, "admin@acme.test").await;
    let csrf = app.csrf(&c, "/settings").await;
    let res = c
        .post(app.url("/settings"))
        .header("x-csrf-token", csrf)
        .form(&[("name", "Acme Header")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(
        app.app.store().org(admin.org.id).await.unwrap().name,
        "Acme Header"
    );
}
