//! Every POST ends in a redirect (issue 21.2): a person submits the public "check a
//! technician" form and the invite form, then refreshes the page. The refresh shows the same
//! outcome page and repeats nothing: no second link is sent, no second invite is made.

use crate::support::{contoso_with_ann, refresh, sign_in};
use countersign_store::{InviteStore, MessageFilter, MessageStore};
use countersign_testkit::TestApp;
use countersign_testkit::browser;

const ADMIN_EMAIL: &str = "admin@acme.example";
const ADMIN_PASSWORD: &str = "granite orchard lantern seven";

/// How many messages of `template` the org has made.
async fn sent(app: &TestApp, org: countersign_domain::OrgId, template: &str) -> usize {
    let all = MessageFilter {
        limit: 100,
        ..MessageFilter::default()
    };
    let messages = app.app.store().messages(org, &all).await;
    messages
        .map(|m| m.iter().filter(|m| m.template == template).count())
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refresh_after_a_form_repeats_nothing() {
    let app = TestApp::new().await;
    let admin = app
        .create_admin("Acme IT", ADMIN_EMAIL, ADMIN_PASSWORD)
        .await;
    let org = admin.org.id;
    contoso_with_ann(&app, org).await;

    browser::run("a_refresh_after_a_form_repeats_nothing", async |b| {
        b.set_base_url(&app.base_url);

        // The public technician check: one link to the phone of record, whatever the refresh.
        let check = "/t/acme-it/verify-technician";
        b.goto(check).await?;
        b.fill("#email", "ann@contoso.example").await?;
        b.click_and_wait(&format!("form[action='{check}'] button[type=submit]"))
            .await?;
        b.wait_for_text("#request-sent", "we sent a link").await?;
        assert_eq!(b.current_path().await?, check);
        assert_eq!(sent(&app, org, "technician_check").await, 1);
        refresh(b).await?;
        b.wait_for_text("#request-sent", "we sent a link").await?;
        assert_eq!(
            sent(&app, org, "technician_check").await,
            1,
            "a refresh sends no second link"
        );

        // An invite: its link is shown once; a refresh makes no second invite.
        sign_in(b, ADMIN_EMAIL, ADMIN_PASSWORD).await?;
        b.goto("/settings/technicians").await?;
        b.fill("#email", "new@acme.example").await?;
        b.click_and_wait("form[action='/settings/technicians/invite'] button[type=submit]")
            .await?;
        assert_eq!(b.current_path().await?, "/settings/technicians");
        let link = b.value("#invite-link").await?;
        assert!(link.contains("/invite/"), "{link}");
        let open = app.app.store().open_invites(org).await?;
        assert_eq!(open.len(), 1);
        refresh(b).await?;
        assert_eq!(b.text("h1").await?, "Technicians");
        assert!(!b.exists("#invite-link").await?, "the link is shown once");
        let open = app.app.store().open_invites(org).await?;
        assert_eq!(open.len(), 1, "a refresh makes no second invite");

        // A POST-only address opened again: its page, not the browser's 405.
        b.goto("/settings/technicians/invite").await?;
        assert_eq!(b.current_path().await?, "/settings/technicians");
        assert_eq!(b.text("h1").await?, "Technicians");
        Ok(())
    })
    .await;
    // Deliver what the test queued, as a server's workers would (none may be left).
    app.run_jobs().await;
}
