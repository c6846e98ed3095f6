//! Issue 18.7: every X-Forwarded-For line is read, and trusted proxies are walked from the
//! right across all of them.

use crate::PW;
use countersign_store::{AuditFilter, AuditStore};
use countersign_testkit::{Options, TestApp};

/// Behind a trusted proxy (loopback), a request whose spoofed line comes first and the
/// proxy's line second is attributed to the address the proxy saw.
#[tokio::test]
async fn every_forwarded_for_line_is_walked_from_the_right() {
    let app = TestApp::with(Options {
        trusted_proxies: vec!["127.0.0.1".into()],
        ..Options::default()
    })
    .await;
    let admin = app.create_admin("Acme IT", "admin@acme.test", PW).await;
    let c = app.client();
    let csrf = app.csrf(&c, "/login").await;
    let res = c
        .post(app.url("/login"))
        // reqwest appends: two header lines, the client's spoofed one first.
        .header("x-forwarded-for", "203.0.113.66")
        .header("x-forwarded-for", "198.51.100.7")
        .form(&[
            ("_csrf", csrf.as_str()),
            ("email", "admin@acme.test"),
            ("password", PW),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let entries = app
        .app
        .store()
        .audit_entries(
            admin.org.id,
            &AuditFilter {
                action_prefix: Some("login.ok".into()),
                limit: 10,
                ..AuditFilter::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].entry.ip.as_deref(), Some("198.51.100.7"));
}
