//! End-user pages in the recipient's language (issue 21.8), in a real browser: a contact
//! whose directory says German gets a German approve link and page; an admin overrides a
//! German text on Settings ▸ End-user texts (a bad override is refused, nothing saved) and
//! the contact's page shows it. Every POST is followed by a refresh, which repeats nothing.

use crate::support::{contoso_with_ann, sign_in};
use countersign_domain::{ContactId, OrgId};
use countersign_store::{ContactStore, CustomerStore, EndUserStore, MessageFilter, MessageStore};
use countersign_testkit::TestApp;
use countersign_testkit::browser::{self, Session};

const ADMIN_EMAIL: &str = "admin@acme.example";
const ADMIN_PASSWORD: &str = "granite orchard lantern seven";

/// The texts of the org's messages made from `template`, oldest first.
async fn texts(app: &TestApp, org: OrgId, template: &str) -> Vec<String> {
    let all = MessageFilter {
        limit: 100,
        ..MessageFilter::default()
    };
    let mut found: Vec<_> = app
        .app
        .store()
        .messages(org, &all)
        .await
        .unwrap_or_default()
        .into_iter()
        .filter(|m| m.template == template)
        .collect();
    found.sort_by_key(|m| m.created_at);
    found
        .into_iter()
        .map(|m| m.body_text.unwrap_or_default())
        .collect()
}

async fn refresh(b: &Session) -> anyhow::Result<()> {
    b.client().refresh().await?;
    b.wait_for("h1").await?;
    Ok(())
}

/// A German-speaking Ann Lee at Contoso (Europe/Berlin).
async fn german_ann(app: &TestApp) -> (OrgId, ContactId) {
    let admin = app
        .create_admin("Acme IT", ADMIN_EMAIL, ADMIN_PASSWORD)
        .await;
    let org = admin.org.id;
    let ann = contoso_with_ann(app, org).await;
    let store = app.app.store();
    // What the directory sync stores from Microsoft Graph's preferredLanguage.
    store
        .set_contact_language(org, ann, Some("de-DE"))
        .await
        .expect("language");
    let customer = store.contact(org, ann).await.expect("contact").customer_id;
    store
        .set_customer_time_zone(org, customer, Some("Europe/Berlin"))
        .await
        .expect("zone");
    (org, ann)
}

/// Sends Ann an approve link from the Pod (then refreshes: no second link); its URL and the
/// number the Pod shows.
async fn send_link(
    b: &Session,
    app: &TestApp,
    org: OrgId,
    ann: ContactId,
) -> anyhow::Result<(String, String)> {
    let before = texts(app, org, "verification_link").await.len();
    b.goto(&format!("/pod/contacts/{ann}?action=verify"))
        .await?;
    b.click("input[name=method][value=sms_link]").await?;
    b.click_and_wait("#pod-send").await?;
    let number = b.text("#pod-match-number").await?;
    refresh(b).await?;
    let sent = texts(app, org, "verification_link").await;
    assert_eq!(sent.len(), before + 1, "a refresh sends no second link");
    let sms = sent.last().cloned().unwrap_or_default();
    assert!(sms.contains("Öffnen Sie diesen Link"), "{sms}");
    let link = sms
        .split_whitespace()
        .find(|p| p.contains("/v/"))
        .unwrap_or_default()
        .to_owned();
    Ok((link, number))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_german_contact_confirms_in_german() {
    let app = TestApp::new().await;
    let (org, ann) = german_ann(&app).await;
    browser::run("a_german_contact_confirms_in_german", async |b| {
        b.set_base_url(&app.base_url);
        sign_in(b.main(), ADMIN_EMAIL, ADMIN_PASSWORD).await?;
        let (link, number) = send_link(b.main(), &app, org, ann).await?;
        // Ann's phone: another browser, whose own language is not German.
        let phone = b.new_session("end-user").await?;
        phone.goto(&link).await?;
        phone.wait_for_text("h1", "Acme IT: Sind Sie das?").await?;
        assert_eq!(phone.attr("html", "lang").await?.as_deref(), Some("de"));
        let expiry = phone.text("#approve-expiry").await?;
        assert!(
            expiry.ends_with(" CET.") || expiry.ends_with(" CEST."),
            "{expiry}"
        );
        phone
            .click(&format!("input[name=number][value='{number}']"))
            .await?;
        phone.click_and_wait("#approve").await?;
        phone
            .wait_for_text("#done-title", "Vielen Dank: Sie sind bestätigt")
            .await?;
        refresh(&phone).await?;
        phone
            .wait_for_text("#done-title", "Vielen Dank: Sie sind bestätigt")
            .await?;
        Ok(())
    })
    .await;
    app.run_jobs().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_overrides_a_german_text_and_the_contact_sees_it() {
    let app = TestApp::new().await;
    let (org, ann) = german_ann(&app).await;
    browser::run(
        "an_admin_overrides_a_german_text_and_the_contact_sees_it",
        async |b| {
            b.set_base_url(&app.base_url);
            let admin = b.main();
            sign_in(admin, ADMIN_EMAIL, ADMIN_PASSWORD).await?;
            admin.goto("/settings").await?;
            admin
                .click_and_wait("a[href='/settings/end-user-texts']")
                .await?;
            admin
                .click_and_wait("a[href='/settings/end-user-texts?language=de']")
                .await?;
            let save = "#text-approve-button form[action='/settings/end-user-texts'] button";
            admin
                .fill("#body-approve-button", "Ja, das bin ich")
                .await?;
            admin.click_and_wait(save).await?;
            assert_eq!(admin.current_path().await?, "/settings/end-user-texts");
            admin.wait_for_text(".notice", "Saved.").await?;
            refresh(admin).await?;
            assert_eq!(
                admin.value("#body-approve-button").await?,
                "Ja, das bin ich"
            );
            assert_eq!(app.app.store().end_user_texts(org, None).await?.len(), 1);

            // A placeholder the default does not use: refused, the reason beside the field.
            admin.fill("#body-approve-button", "Ja { $code }").await?;
            admin.click_and_wait(save).await?;
            admin
                .wait_for_text("#error-approve-button", "is not a placeholder of this text")
                .await?;
            admin.goto("/settings/end-user-texts?language=de").await?;
            assert_eq!(
                admin.value("#body-approve-button").await?,
                "Ja, das bin ich",
                "nothing was saved"
            );

            let (link, _) = send_link(admin, &app, org, ann).await?;
            let phone = b.new_session("end-user").await?;
            phone.goto(&link).await?;
            phone.wait_for_text("#approve", "Ja, das bin ich").await?;

            // Reset: the default again.
            admin.goto("/settings/end-user-texts?language=de").await?;
            admin.click_and_wait("#reset-approve-button").await?;
            admin
                .wait_for_text(".notice", "the default text shows again")
                .await?;
            refresh(admin).await?;
            assert_eq!(admin.value("#body-approve-button").await?, "");
            phone.goto(&link).await?;
            phone.wait_for_text("#approve", "Bestätigen").await?;
            Ok(())
        },
    )
    .await;
    app.run_jobs().await;
}
