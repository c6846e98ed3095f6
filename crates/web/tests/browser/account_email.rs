//! One's own email address (issue 21.5) and Settings ▸ Technician verification (21.4) in
//! Chromium. The admin asks for a new address (reloading the page afterwards sends nothing
//! again), opens the link in another browser, where the page only shows what will change,
//! confirms, and reloads the result; then signs in with the new address and finds the check
//! page's address, QR code and the printable sheet.

// Test set-up helpers: a failed `unwrap` is a failed test.
#![allow(clippy::unwrap_used)]

use countersign_store::{MessageFilter, MessageStore, TechnicianStore};
use countersign_testkit::TestApp;
use countersign_testkit::browser::{self, Session};

const EMAIL: &str = "admin@acme.example";
const NEW_EMAIL: &str = "alex@acme.example";
const PASSWORD: &str = "granite orchard lantern seven";

/// The confirmation paths mailed so far, oldest first.
async fn links(app: &TestApp, org: countersign_domain::OrgId) -> Vec<String> {
    let filter = MessageFilter {
        limit: 50,
        ..Default::default()
    };
    let mut sent = app.app.store().messages(org, &filter).await.unwrap();
    sent.retain(|m| m.template == "email_change_confirm");
    sent.sort_by_key(|m| (m.created_at, m.id.0));
    sent.iter()
        .map(|m| {
            let body = m.body_text.as_deref().unwrap_or_default();
            let at = body.find("/account/email/confirm/").unwrap();
            let end = at + body[at..].find(char::is_whitespace).unwrap();
            body[at..end].to_owned()
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_email_change_is_confirmed_from_the_new_mailbox_and_reloads_resend_nothing() {
    let app = TestApp::new().await;
    let org = app.create_admin("Acme IT", EMAIL, PASSWORD).await.org.id;

    browser::run("email_change_confirmed_from_the_new_mailbox", async |b| {
        b.set_base_url(&app.base_url);
        let admin: &Session = b;
        crate::support::sign_in(admin, EMAIL, PASSWORD).await?;
        admin.goto("/account").await?;
        admin.fill("#new-email", NEW_EMAIL).await?;
        admin
            .click_and_wait("form[action='/account/email'] button[type=submit]")
            .await?;
        admin
            .wait_for_text(".notice", "We sent a link to the new address")
            .await?;
        admin
            .wait_for_text("#email-change-pending", NEW_EMAIL)
            .await?;
        admin.client().refresh().await?;
        admin
            .wait_for_text("#email-change-pending", NEW_EMAIL)
            .await?;
        let sent = links(&app, org).await;
        assert_eq!(sent.len(), 1, "a reload sent the request again");

        // The new mailbox's browser: the page shows, nothing changes until the button.
        let phone = b.new_session("new-mailbox").await?;
        phone.goto(&sent[0]).await?;
        phone.wait_for_text("#new-email", NEW_EMAIL).await?;
        let store = app.app.store();
        assert!(store.technician_by_email_for_login(EMAIL).await?.is_some());
        phone.click_and_wait("#confirm-email").await?;
        assert_eq!(phone.current_path().await?, "/account/email/changed");
        phone.client().refresh().await?;
        phone.wait_for("#email-changed").await?;
        assert!(
            store
                .technician_by_email_for_login(NEW_EMAIL)
                .await?
                .is_some()
        );
        assert!(store.technician_by_email_for_login(EMAIL).await?.is_none());

        // The same browser signs in with the new address, and finds the check page.
        crate::support::sign_in(&phone, NEW_EMAIL, PASSWORD).await?;
        phone.goto("/settings").await?;
        phone
            .click_and_wait(".subnav a[href='/settings/technician-verification']")
            .await?;
        assert_eq!(phone.text("h1").await?, "Technician verification");
        let url = phone.value("#check-url").await?;
        assert_eq!(url, format!("{}/t/acme-it/verify-technician", app.base_url));
        assert!(phone.exists("#check-qr svg").await?);
        phone.click_and_wait("#sheet-link").await?;
        phone
            .wait_for_text("#policy-sheet h1", "How we will verify you")
            .await?;
        phone
            .wait_for_text("#policy-sheet .sheet-url", &url)
            .await?;
        Ok(())
    })
    .await;
    app.run_jobs().await;
}
