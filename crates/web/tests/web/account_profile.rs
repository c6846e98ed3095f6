//! One's own name and email address (issue 21.5). The name changes at once; the email only
//! through the link sent to the new address (one-time, expiring, used by POST), the old
//! address is told, a pending change can be cancelled, requests are rate-limited and need a
//! recent proof, and an address of another org's account is not revealed to the person
//! asking (the request answers as for a free address; the link, which only that mailbox's
//! holder sees, says it cannot be used). Every POST ends in a redirect.

use crate::{PW, add_technician, get, location, signed_in};
use countersign_store::{AuditFilter, AuditStore, MessageFilter, MessageStore, TechnicianStore};
use countersign_testkit::TestApp;
use std::time::Duration;

const ADMIN: &str = "admin@acme.test";

async fn technician(app: &TestApp, email: &str) -> Option<countersign_store::Technician> {
    app.app
        .store()
        .technician_by_email_for_login(email)
        .await
        .unwrap()
}

/// The messages of the org with `template`, oldest first: (recipient, text body).
async fn sent(
    app: &TestApp,
    org: countersign_domain::OrgId,
    template: &str,
) -> Vec<(String, String)> {
    let filter = MessageFilter {
        limit: 200,
        ..Default::default()
    };
    let mut all = app.app.store().messages(org, &filter).await.unwrap();
    all.retain(|m| m.template == template);
    all.sort_by_key(|m| (m.created_at, m.id.0));
    all.into_iter()
        .map(|m| (m.recipient, m.body_text.unwrap_or_default()))
        .collect()
}

/// The confirmation path in a link email's text.
fn link_in(body: &str) -> String {
    let at = body
        .find("/account/email/confirm/")
        .expect("a link in the email");
    let end = at
        + body[at..]
            .find(char::is_whitespace)
            .unwrap_or(body.len() - at);
    body[at..end].to_owned()
}

async fn audited(app: &TestApp, org: countersign_domain::OrgId, action: &str) -> usize {
    let filter = AuditFilter {
        limit: 500,
        ..AuditFilter::default()
    };
    app.app
        .store()
        .audit_entries(org, &filter)
        .await
        .unwrap()
        .iter()
        .filter(|e| e.entry.action == action)
        .count()
}

async fn ask(app: &TestApp, c: &reqwest::Client, email: &str) -> reqwest::Response {
    app.post_form(c, "/account", "/account/email", &[("email", email)])
        .await
}

#[tokio::test]
async fn a_technician_changes_their_own_name() {
    let app = TestApp::new().await;
    let org = app.create_admin("Acme IT", ADMIN, PW).await.org.id;
    let c = signed_in(&app, ADMIN).await;
    let res = app
        .post_form(&c, "/account", "/account/name", &[("name", "  Amy Pond ")])
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), "/account?notice=name_changed");
    let (_, page) = get(&app, &c, "/account?notice=name_changed").await;
    assert!(page.contains("Name saved."), "{page}");
    assert!(page.contains("value=\"Amy Pond\""), "{page}");
    assert_eq!(technician(&app, ADMIN).await.unwrap().name, "Amy Pond");
    assert_eq!(audited(&app, org, "technician.name_changed").await, 1);
    // Bad input: a clear message on the page again, nothing changed.
    for (bad, says) in [("   ", "enter your name"), ("Amy\nPond", "one line")] {
        let res = app
            .post_form(&c, "/account", "/account/name", &[("name", bad)])
            .await;
        assert_eq!(res.status(), 422, "{bad:?}");
        let body = res.text().await.unwrap().to_lowercase();
        assert!(body.contains(says), "{bad:?}: {body}");
    }
    let long = "x".repeat(101);
    let res = app
        .post_form(&c, "/account", "/account/name", &[("name", &long)])
        .await;
    assert_eq!(res.status(), 422);
    assert_eq!(technician(&app, ADMIN).await.unwrap().name, "Amy Pond");
    // A GET on the POST-only address goes to the page.
    let res = c.get(app.url("/account/name")).send().await.unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), "/account");
}

#[tokio::test]
async fn a_cli_or_demo_admin_gets_the_name_given() {
    let app = TestApp::new().await;
    let email = countersign_domain::Email::parse("alex@demo.test").unwrap();
    let named = app
        .app
        .create_admin_named("Demo MSP", "Alex Morgan", &email, PW)
        .await
        .unwrap();
    assert_eq!(named.technician.name, "Alex Morgan");
    // Without a name, the part before the @, as before.
    let other = countersign_domain::Email::parse("sam@demo.test").unwrap();
    let plain = app.app.create_admin("Demo MSP", &other, PW).await.unwrap();
    assert_eq!(plain.technician.name, "sam");
    let bad = countersign_domain::Email::parse("kim@demo.test").unwrap();
    assert!(
        app.app
            .create_admin_named("Demo MSP", "Kim\r\nBcc: x", &bad, PW)
            .await
            .is_err()
    );
}

pub async fn email_change(app: TestApp) {
    let org = app.create_admin("Acme IT", ADMIN, PW).await.org.id;
    add_technician(&app, ADMIN, "bob@acme.test", "Bob").await;
    app.create_admin("Bravo IT", "eve@bravo.test", PW).await;
    let c = signed_in(&app, ADMIN).await;

    // Bad input: specific messages, nothing sent.
    for (bad, says) in [
        ("not an address", "name@example.com"),
        ("ADMIN@acme.test", "already your email address"),
        ("bob@acme.test", "another technician of your organisation"),
    ] {
        let res = ask(&app, &c, bad).await;
        assert_eq!(res.status(), 422, "{bad}");
        let body = res.text().await.unwrap().to_lowercase();
        assert!(body.contains(says), "{bad}: {body}");
    }
    assert!(sent(&app, org, "email_change_confirm").await.is_empty());

    // Another org's account: the answer is that of a free address.
    let taken = ask(&app, &c, "eve@bravo.test").await;
    let free = ask(&app, &c, "Amy@New.test").await;
    for res in [&taken, &free] {
        assert_eq!(res.status(), 303);
        assert_eq!(location(res), "/account?notice=email_change_sent");
    }
    let links = sent(&app, org, "email_change_confirm").await;
    assert_eq!(
        links.iter().map(|(to, _)| to.as_str()).collect::<Vec<_>>(),
        ["eve@bravo.test", "amy@new.test"]
    );
    // The old address is told each time, without the link.
    let notices = sent(&app, org, "email_change_requested").await;
    assert_eq!(notices.len(), 2);
    for (to, body) in &notices {
        assert_eq!(to, ADMIN);
        assert!(!body.contains("/account/email/confirm/"), "{body}");
    }
    assert!(notices[1].1.contains("a•••@new.test"), "{}", notices[1].1);
    // The older request was replaced: its link no longer works.
    let eve_link = link_in(&links[0].1);
    let (status, _) = get(&app, &app.client(), &eve_link).await;
    assert_eq!(status, 410);

    // The account page shows the change waiting; nothing changed yet.
    let (_, page) = get(&app, &c, "/account?notice=email_change_sent").await;
    assert!(page.contains("id=\"email-change-pending\""), "{page}");
    assert!(page.contains("amy@new.test"), "{page}");
    assert!(technician(&app, ADMIN).await.is_some());

    // Opening the link (another browser, no session) shows it and changes nothing.
    let link = link_in(&links[1].1);
    let phone = app.client();
    let (status, page) = get(&app, &phone, &link).await;
    assert_eq!(status, 200, "{page}");
    assert!(
        page.contains("amy@new.test") && page.contains(ADMIN),
        "{page}"
    );
    assert!(technician(&app, "amy@new.test").await.is_none());
    // Confirming changes it, once.
    let res = app.post_form(&phone, &link, &link, &[]).await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), "/account/email/changed");
    let (status, page) = get(&app, &phone, "/account/email/changed").await;
    assert_eq!(status, 200);
    assert!(page.contains("id=\"email-changed\""));
    assert!(technician(&app, ADMIN).await.is_none());
    assert!(technician(&app, "amy@new.test").await.is_some());
    assert_eq!(audited(&app, org, "technician.email_changed").await, 1);
    // (The link's page no longer has a form: the browser's token from another public page.)
    let again = app.post_form(&phone, "/password/forgot", &link, &[]).await;
    assert_eq!(again.status(), 410, "a used link works once");
    // Sign-in now uses the new address.
    assert_eq!(
        crate::location(&app.login(&app.client(), "amy@new.test", PW).await),
        "/"
    );
    assert_eq!(
        crate::location(&app.login(&app.client(), ADMIN, PW).await),
        "/login",
        "refused: back to the form"
    );

    // A pending change can be cancelled; its link then dies.
    let res = ask(&app, &c, "amy@third.test").await;
    assert_eq!(res.status(), 303);
    let third = link_in(&sent(&app, org, "email_change_confirm").await[2].1);
    let res = app
        .post_form(&c, "/account", "/account/email/cancel", &[])
        .await;
    assert_eq!(location(&res), "/account?notice=email_change_cancelled");
    let (status, _) = get(&app, &phone, &third).await;
    assert_eq!(status, 410);
    assert_eq!(
        audited(&app, org, "technician.email_change_cancelled").await,
        1
    );

    // An address another org's account holds: the link's holder learns it cannot be used.
    let res = ask(&app, &c, "eve@bravo.test").await;
    assert_eq!(res.status(), 303);
    let eve = link_in(&sent(&app, org, "email_change_confirm").await[3].1);
    let res = app.post_form(&phone, &eve, &eve, &[]).await;
    assert_eq!(res.status(), 422);
    let body = res.text().await.unwrap();
    assert!(
        body.contains("already belongs to a Countersign account"),
        "{body}"
    );
    assert!(technician(&app, "amy@new.test").await.is_some());
    assert_eq!(
        technician(&app, "eve@bravo.test").await.unwrap().name,
        "eve",
        "the other org's account is untouched"
    );
    app.run_jobs().await;
}

#[tokio::test]
async fn an_email_change_takes_effect_only_through_the_link_to_the_new_address() {
    email_change(TestApp::new().await).await;
}

#[tokio::test]
async fn an_email_change_needs_a_recent_proof_expires_and_is_rate_limited() {
    let app = TestApp::new().await;
    let org = app.create_admin("Acme IT", ADMIN, PW).await.org.id;
    let c = signed_in(&app, ADMIN).await;
    let res = ask(&app, &c, "one@new.test").await;
    assert_eq!(res.status(), 303);
    let link = link_in(&sent(&app, org, "email_change_confirm").await[0].1);
    // Five minutes later the session must prove itself again before asking.
    app.clock.advance(Duration::from_secs(301));
    let res = ask(&app, &c, "two@new.test").await;
    assert_eq!(res.status(), 303);
    assert!(
        location(&res).starts_with("/account/confirm?next="),
        "{}",
        location(&res)
    );
    assert_eq!(sent(&app, org, "email_change_confirm").await.len(), 1);
    // After an hour the link is dead, and the account page says the change expired.
    app.clock.advance(Duration::from_secs(3300));
    let (status, _) = get(&app, &app.client(), &link).await;
    assert_eq!(status, 410);
    let c = signed_in(&app, ADMIN).await;
    let (_, page) = get(&app, &c, "/account").await;
    assert!(page.contains("id=\"email-change-expired\""), "{page}");
    // Five requests within the window, then the limit (429, the form again).
    for i in 0..5 {
        let res = ask(&app, &c, &format!("n{i}@new.test")).await;
        assert_eq!(res.status(), 303, "request {i}");
    }
    let res = ask(&app, &c, "n9@new.test").await;
    assert_eq!(res.status(), 429);
    let body = res.text().await.unwrap().to_lowercase();
    assert!(body.contains("too many attempts"), "{body}");
    assert_eq!(sent(&app, org, "email_change_confirm").await.len(), 6);
    app.run_jobs().await;
}
