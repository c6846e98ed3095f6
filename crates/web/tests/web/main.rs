//! Web integration tests: the real router on a real listener, driven like a browser.
//! SQLite always; the most important scenarios also on PostgreSQL (see `postgres.rs`).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod access;
mod account_profile;
mod boundary;
mod broadcasts;
mod consent_proof;
mod contact_data;
mod contacts;
mod credentials;
mod csrf;
mod dashboard;
mod edit_permission;
mod forwarded_for;
mod hardening;
mod integrations;
mod isolation;
mod languages;
mod last_admin;
mod limits;
mod lockout;
mod login;
mod m365_delta;
mod m365_issue17;
mod m365_resilience;
mod m365_support;
mod m365_tokens;
mod m365_unlink;
mod m365_write_back;
mod messaging_pages;
mod misc;
mod my_links;
mod pod_frame;
mod pod_truth;
mod postgres;
mod prg;
mod reauth;
mod secret_owner;
mod secrets;
mod sessions;
mod shell;
mod technician_outreach;
mod totp;
mod unsubscribe;
mod verification;
mod webhook_endpoints;

use countersign_testkit::TestApp;

/// A password that passes the policy.
pub const PW: &str = "plum orbit velvet 42";

/// A technician as the principal of a use case called directly (from a test address).
pub fn principal(t: &countersign_store::Technician) -> countersign_app::Principal {
    countersign_app::Principal::technician(t, std::net::IpAddr::from([192, 0, 2, 10]))
}

/// A signed-in client for `email` (which must exist with password [`PW`]).
pub async fn signed_in(app: &TestApp, email: &str) -> reqwest::Client {
    let c = app.client();
    let res = app.login(&c, email, PW).await;
    assert_eq!(res.status(), 303, "login of {email} failed");
    assert_ne!(location(&res), "/login", "login of {email} was refused");
    c
}

/// A refused sign-in, second-factor code or "confirm it's you" (PRG, issue 21.2): asserts the
/// POST's 303 back to the form at `page` (a path; the query may follow) and returns the reason
/// that form then shows, once.
pub async fn refused(
    app: &TestApp,
    c: &reqwest::Client,
    res: reqwest::Response,
    page: &str,
) -> String {
    assert_eq!(res.status(), 303, "a refused form redirects (PRG)");
    let to = location(&res);
    assert_eq!(to.split('?').next(), Some(page), "back to the form");
    let (status, body) = get(app, c, &to).await;
    assert_eq!(status, 200, "{body}");
    alert(&body).unwrap_or_else(|| panic!("no reason on {to}: {body}"))
}

/// The text of a page's `role="alert"` paragraph, if it has one.
pub fn alert(body: &str) -> Option<String> {
    let start = body.find(r#"role="alert">"#)? + r#"role="alert">"#.len();
    let end = body[start..].find("</p>")? + start;
    Some(body[start..end].to_owned())
}

/// Signs in and returns why it was refused (see [`refused`]); panics when it was not.
pub async fn login_refused(
    app: &TestApp,
    c: &reqwest::Client,
    email: &str,
    password: &str,
) -> String {
    let res = app.login(c, email, password).await;
    refused(app, c, res, "/login").await
}

/// The server's audit entries (every org's, and those of no org, such as failed sign-ins) with
/// `action`, oldest first.
pub async fn chain_entries(app: &TestApp, action: &str) -> Vec<countersign_store::NewAuditEntry> {
    use countersign_store::AuditStore;
    app.app
        .store()
        .audit_chain(0, 10_000)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.entry)
        .filter(|e| e.action == action)
        .collect()
}

/// The reason of a refused sign-in with a wrong email or password.
pub const WRONG: &str = "The email address or password is not correct.";
/// The start of the reason of a refused sign-in while locked.
pub const LOCKED: &str = "Too many attempts, try again in";

/// GET `path` and return status and body.
pub async fn get(app: &TestApp, c: &reqwest::Client, path: &str) -> (u16, String) {
    let res = c.get(app.url(path)).send().await.unwrap();
    let status = res.status().as_u16();
    (status, res.text().await.unwrap())
}

/// The `Location` header of a response.
pub fn location(res: &reqwest::Response) -> String {
    res.headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default()
}

/// A POST's answer must be a 303 (PRG, issue 21.2): GET its `Location` and return the page
/// the action led to (status and body).
pub async fn follow(app: &TestApp, c: &reqwest::Client, res: reqwest::Response) -> (u16, String) {
    assert_eq!(res.status(), 303, "a POST ends in a redirect");
    let to = location(&res);
    assert!(to.starts_with('/'), "a local redirect: {to}");
    get(app, c, &to).await
}

/// Creates a technician in the org of `admin_email` through an invite, with password [`PW`].
pub async fn add_technician(
    app: &TestApp,
    admin_email: &str,
    email: &str,
    name: &str,
) -> countersign_store::Technician {
    use countersign_store::TechnicianStore;
    let admin = app
        .app
        .store()
        .technician_by_email_for_login(admin_email)
        .await
        .unwrap()
        .unwrap();
    let email = countersign_domain::Email::parse(email).unwrap();
    let created = app
        .app
        .invite_technician(
            &principal(&admin),
            &email,
            countersign_domain::Role::Technician,
        )
        .await
        .unwrap();
    let token = created.link.rsplit('/').next().unwrap().to_owned();
    app.app
        .accept_invite(&token, name, PW, PW, None)
        .await
        .unwrap()
}
