//! Contacts: a technician finds a contact by the last digits of their phone number, opens the
//! Pod from the Actions column, and sees the verification history.

use countersign_domain::VerificationId;
use countersign_store::{
    ContactQuery, ContactStore, SyncedContact, Verification, VerificationMethod,
    VerificationStatus, VerificationStore,
};
use countersign_testkit::TestApp;
use countersign_testkit::browser;
use std::time::Duration;

const EMAIL: &str = "admin@acme.example";
const PASSWORD: &str = "granite orchard lantern seven";

/// A synced user of Contoso with a mobile number and `<given>@contoso.example`.
pub fn user(id: &str, given: &str, surname: &str, mobile: &str) -> SyncedContact {
    let digits: String = mobile.chars().filter(char::is_ascii_digit).collect();
    SyncedContact {
        external_id: id.to_owned(),
        given_name: given.to_owned(),
        surname: surname.to_owned(),
        display_name: format!("{given} {surname}"),
        email: Some(format!("{}@contoso.example", given.to_lowercase())),
        mobile: Some(mobile.to_owned()),
        mobile_e164: Some(format!("+{digits}")),
        account_enabled: true,
        user_type: "Member".into(),
        ..SyncedContact::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_find_contact_by_phone_digits_and_open_pod_history() {
    let app = TestApp::new().await;
    let admin = app.create_admin("Acme IT", EMAIL, PASSWORD).await;
    let org = admin.org.id;
    crate::support::contoso(
        &app,
        org,
        &[
            user("1", "Zoë", "Ångström", "+1 425 555 0101"),
            user("2", "Bo", "Li", "+1 425 555 0199"),
        ],
    )
    .await;
    let zoe = app
        .app
        .store()
        .search_contacts(
            org,
            &ContactQuery {
                tokens: countersign_domain::search::parse_query("zoe"),
                limit: 1,
                ..ContactQuery::default()
            },
        )
        .await
        .unwrap()
        .remove(0);
    app.app
        .store()
        .record_verification(&Verification {
            id: VerificationId::new(),
            org_id: org,
            contact_id: zoe.id,
            technician_id: Some(admin.technician.id),
            method: VerificationMethod::SmsCode,
            channel: "sms".into(),
            destination_masked: "+•••••••0101".into(),
            status: VerificationStatus::Verified,
            at: app.app.now().minus(Duration::from_secs(120)),
        })
        .await
        .unwrap();

    browser::run(
        "browser_find_contact_by_phone_digits_and_open_pod_history",
        async |b| {
            b.set_base_url(&app.base_url);
            b.goto("/login").await?;
            b.fill("#email", EMAIL).await?;
            b.fill("#password", PASSWORD).await?;
            b.click_and_wait("form[action='/login'] button[type=submit]")
                .await?;
            b.goto("/contacts").await?;
            assert_eq!(b.texts("#contacts tbody tr").await?.len(), 2);
            b.fill("#q", "0101").await?;
            b.click_and_wait("form[role=search] button[type=submit]")
                .await?;
            let rows = b.texts("#contacts tbody tr").await?;
            assert_eq!(rows.len(), 1, "{rows:?}");
            assert!(rows[0].contains("Zoë Ångström"), "{rows:?}");
            assert!(rows[0].contains("+1 425 555 0101"), "{rows:?}");
            b.click_and_wait("#contacts tbody tr a[href^='/pod/contacts/']")
                .await?;
            assert_eq!(b.current_path().await?, format!("/pod/contacts/{}", zoe.id));
            assert_eq!(b.text("#pod-name").await?, "Zoë Ångström");
            b.wait_for_text("#pod-verified", "verified 2 min ago by")
                .await?;
            let history = b.texts("#pod-history tbody tr").await?;
            assert_eq!(history.len(), 1, "{history:?}");
            assert!(
                history[0].contains("SMS code") && history[0].contains("verified"),
                "{history:?}"
            );
            Ok(())
        },
    )
    .await;
}
