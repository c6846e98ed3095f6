//! The Pod tells the truth and keeps the technician oriented (issue 21.3), and a refused
//! sign-in is a redirect (issue 21.2), in a real browser with a refresh after each POST that
//! redirects:
//! - a wrong password: the form says why, keeps the address, not the password; a refresh
//!   shows the form blank and posts nothing; the same for "Confirm it's you";
//! - the Pod, opened from the contact list, keeps the app's navigation and a way back;
//! - "Who" tells two contacts called Ann Lee apart;
//! - a check the contact denies (in a second browser) turns the green header off and says
//!   why, by itself;
//! - the send limit says when the next send is allowed, and "Send who I am" still works.

use crate::support::refresh;
use countersign_domain::OrgId;
use countersign_store::{
    AuditStore, MessageFilter, MessageStore, SyncedContact, TechnicianCheckStore,
};
use countersign_testkit::TestApp;
use countersign_testkit::browser;
use std::time::Duration;

const ADMIN_EMAIL: &str = "admin@acme.example";
const ADMIN_PASSWORD: &str = "granite orchard lantern seven";
const WRONG_PASSWORD: &str = "not the password at all";

fn contact(id: &str, email: &str, mobile: &str) -> SyncedContact {
    let digits: String = mobile.chars().filter(char::is_ascii_digit).collect();
    SyncedContact {
        external_id: id.into(),
        given_name: "Ann".into(),
        surname: "Lee".into(),
        display_name: "Ann Lee".into(),
        email: Some(email.into()),
        mobile: Some(mobile.into()),
        mobile_e164: Some(format!("+{digits}")),
        account_enabled: true,
        user_type: "Member".into(),
        ..SyncedContact::default()
    }
}

/// The texts of the org's messages made from `template`, oldest first.
async fn texts(app: &TestApp, org: OrgId, template: &str) -> Vec<String> {
    let all = MessageFilter {
        limit: 100,
        ..MessageFilter::default()
    };
    let mut messages: Vec<_> = app
        .app
        .store()
        .messages(org, &all)
        .await
        .map(|m| m.into_iter().filter(|m| m.template == template).collect())
        .unwrap_or_default();
    messages.sort_by_key(|m| m.created_at);
    messages
        .into_iter()
        .map(|m| m.body_text.unwrap_or_default())
        .collect()
}

/// The newest message of `template`'s text.
async fn newest(app: &TestApp, org: OrgId, template: &str) -> anyhow::Result<String> {
    texts(app, org, template)
        .await
        .pop()
        .ok_or_else(|| anyhow::anyhow!("no {template} message"))
}

/// Sign-in and "confirm it's you" failures recorded so far.
async fn failures(app: &TestApp, action: &str) -> usize {
    app.app
        .store()
        .audit_chain(0, 10_000)
        .await
        .map(|entries| entries.iter().filter(|e| e.entry.action == action).count())
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_pod_tells_the_truth_and_keeps_you_oriented() {
    let app = TestApp::new().await;
    let admin = app
        .create_admin("Acme IT", ADMIN_EMAIL, ADMIN_PASSWORD)
        .await;
    let org = admin.org.id;
    crate::support::contoso(
        &app,
        org,
        &[
            contact("1", "ann@contoso.example", "+1 425 555 0101"),
            contact("2", "ann.lee@contoso.example", "+1 425 555 0103"),
        ],
    )
    .await;
    let ann = app
        .app
        .store()
        .contacts_by_email(org, "ann@contoso.example")
        .await
        .unwrap_or_default()[0];

    browser::run(
        "the_pod_tells_the_truth_and_keeps_you_oriented",
        async |b| {
            b.set_base_url(&app.base_url);

            // A wrong password: back on the form, which says why and keeps only the address.
            b.goto("/login").await?;
            b.fill("#email", ADMIN_EMAIL).await?;
            b.fill("#password", WRONG_PASSWORD).await?;
            b.click_and_wait("form[action='/login'] button[type=submit]")
                .await?;
            assert_eq!(b.current_path().await?, "/login");
            b.wait_for_text(".error[role=alert]", "not correct").await?;
            assert_eq!(b.value("#email").await?, ADMIN_EMAIL);
            assert_eq!(b.value("#password").await?, "");
            assert!(!b.client().source().await?.contains(WRONG_PASSWORD));
            assert_eq!(failures(&app, "login.failed").await, 1);
            refresh(b).await?;
            assert_eq!(b.text("h1").await?, "Sign in");
            assert!(!b.exists(".error[role=alert]").await?, "shown once");
            assert_eq!(
                failures(&app, "login.failed").await,
                1,
                "a refresh posts nothing"
            );
            crate::support::sign_in(b, ADMIN_EMAIL, ADMIN_PASSWORD).await?;
            assert_eq!(b.current_path().await?, "/dashboard");

            // "Confirm it's you" with a wrong password, later: the same.
            app.clock.advance(Duration::from_secs(301));
            b.goto("/account/2fa/setup").await?;
            assert_eq!(b.current_path().await?, "/account/confirm");
            b.fill("#proof", WRONG_PASSWORD).await?;
            b.click_and_wait("form[action='/account/confirm'] button[type=submit]")
                .await?;
            assert_eq!(b.current_path().await?, "/account/confirm");
            b.wait_for_text(".error[role=alert]", "not your password")
                .await?;
            let failed = failures(&app, "session.reauthentication_failed").await;
            assert_eq!(failed, 1);
            refresh(b).await?;
            assert!(!b.exists(".error[role=alert]").await?, "shown once");
            assert_eq!(
                failures(&app, "session.reauthentication_failed").await,
                failed,
                "a refresh posts nothing"
            );
            b.fill("#proof", ADMIN_PASSWORD).await?;
            b.click_and_wait("form[action='/account/confirm'] button[type=submit]")
                .await?;
            assert_eq!(b.current_path().await?, "/account/2fa/setup");

            // From the contact list to the Pod: the app's navigation stays, with a way back.
            b.goto("/contacts").await?;
            b.click_and_wait(&format!("a[href='/pod/contacts/{ann}']"))
                .await?;
            assert!(
                b.exists("#mainnav a[href='/contacts'][aria-current=page]")
                    .await?
            );
            b.click_and_wait("#pod-back").await?;
            assert_eq!(b.current_path().await?, "/contacts");
            assert_eq!(b.text("h1").await?, "Contacts");

            // "Who" tells the two Ann Lees apart.
            b.goto(&format!("/pod/contacts/{ann}?action=verify"))
                .await?;
            let options = b.texts("#target option").await?;
            assert_eq!(
                options,
                vec![
                    "Ann Lee — ann@contoso.example · Contoso (this contact)".to_owned(),
                    "Ann Lee — ann.lee@contoso.example · Contoso".to_owned(),
                ]
            );

            // Verified by a code: green.
            b.click_and_wait("#pod-send").await?;
            b.wait_for_text("#pod-live-status", "pending").await?;
            let sms = newest(&app, org, "verification_code").await?;
            let code: String = sms
                .split("Code ")
                .nth(1)
                .unwrap_or_default()
                .chars()
                .take(6)
                .collect();
            b.fill("#code", &code).await?;
            b.click_and_wait("#pod-live form button[type=submit]")
                .await?;
            b.wait_for_text("#pod-verified", "verified just now by")
                .await?;
            refresh(b).await?;
            b.wait_for_text("#pod-verified", "verified just now by")
                .await?;

            // A later approve link the contact denies, in their own browser: the Pod turns the
            // green off by itself and says why.
            app.clock.advance(Duration::from_secs(60));
            b.goto(&format!("/pod/contacts/{ann}?action=verify"))
                .await?;
            b.click("input[name=method][value=sms_link]").await?;
            b.click_and_wait("#pod-send").await?;
            b.wait_for_text("#pod-live-status", "pending").await?;
            assert!(b.exists("#pod-verified.ok").await?, "pending is no outcome");
            let text = newest(&app, org, "verification_link").await?;
            let link = text
                .split_whitespace()
                .find(|p| p.contains("/v/"))
                .unwrap_or_default()
                .to_owned();
            let phone = b.new_session("end-user").await?;
            phone.goto(&link).await?;
            phone.click_and_wait("#deny").await?;
            b.wait_for_text("#pod-refuted", "last check denied by the contact at")
                .await?;
            assert!(!b.exists("#pod-verified.ok").await?);
            refresh(b).await?;
            b.wait_for_text("#pod-refuted", "denied by the contact")
                .await?;

            // A third send to Ann's number within 10 minutes is allowed, the fourth is not: the
            // Pod says when the next one is.
            b.goto(&format!("/pod/contacts/{ann}?action=verify"))
                .await?;
            b.click_and_wait("#pod-send").await?;
            b.wait_for_text("#pod-live-status", "pending").await?;
            b.goto(&format!("/pod/contacts/{ann}?action=verify"))
                .await?;
            b.click_and_wait("#pod-send").await?;
            let refusal = b
                .wait_for_text("#pod-error", "the next send is allowed at")
                .await?;
            assert!(refusal.contains(" UTC (in 9 min)"), "{refusal}");

            // "Send who I am" is not blocked by it; the code is shown once.
            let before = texts(&app, org, "who_i_am").await.len();
            b.goto(&format!("/pod/contacts/{ann}?action=technician"))
                .await?;
            b.click_and_wait("#pod-who").await?;
            let shown = b.text("#pod-who-code").await?;
            assert_eq!(shown.len(), 4);
            assert!(newest(&app, org, "who_i_am").await?.contains(&shown));
            refresh(b).await?;
            assert!(!b.exists("#pod-who-code").await?, "shown once");
            assert_eq!(
                texts(&app, org, "who_i_am").await.len(),
                before + 1,
                "a refresh sends nothing"
            );
            Ok(())
        },
    )
    .await;
    // Deliver what the test queued, as a server's workers would (none may be left).
    app.run_jobs().await;
}
