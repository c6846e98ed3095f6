use crate::get;
use countersign_testkit::TestApp;

#[tokio::test]
async fn security_headers_on_pages() {
    let app = TestApp::new().await;
    let res = app.client().get(app.url("/login")).send().await.unwrap();
    let h = res.headers();
    let csp = h.get("content-security-policy").unwrap().to_str().unwrap();
    assert!(!csp.contains("unsafe-inline"));
    assert!(csp.contains("frame-ancestors 'none'"));
    assert_eq!(h.get("x-content-type-options").unwrap(), "nosniff");
    assert!(h.get("referrer-policy").is_some());
    assert!(h.get("strict-transport-security").is_none());
}

#[tokio::test]
async fn unknown_url_gets_the_friendly_404() {
    let app = TestApp::new().await;
    let (status, body) = get(&app, &app.client(), "/no/such/page").await;
    assert_eq!(status, 404);
    assert!(body.contains("Page not found") && body.contains("Back to Countersign"));
}

#[tokio::test]
async fn health_endpoints() {
    let app = TestApp::new().await;
    let c = app.client();
    assert_eq!(get(&app, &c, "/healthz").await, (200, "ok".to_owned()));
    assert_eq!(get(&app, &c, "/readyz").await, (200, "ready".to_owned()));
}

#[tokio::test]
async fn signed_out_visitors_go_to_login() {
    let app = TestApp::new().await;
    let res = app.client().get(app.url("/settings")).send().await.unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(crate::location(&res), "/login");
}
