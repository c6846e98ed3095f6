//! The dashboard (issue 21.1): signing in lands on it, its charts are drawn, the period
//! picker is plain links, and the contact list is one click away in the navigation.

use countersign_domain::VerificationId;
use countersign_store::{Verification, VerificationMethod, VerificationStatus, VerificationStore};
use countersign_testkit::TestApp;
use countersign_testkit::browser;

const EMAIL: &str = "admin@acme.example";
const PASSWORD: &str = "granite orchard lantern seven";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_sign_in_lands_on_the_dashboard() {
    let app = TestApp::new().await;
    let admin = app.create_admin("Acme IT", EMAIL, PASSWORD).await;
    let ann = crate::support::contoso_with_ann(&app, admin.org.id).await;
    app.app
        .store()
        .record_verification(&Verification {
            id: VerificationId::new(),
            org_id: admin.org.id,
            contact_id: ann,
            technician_id: Some(admin.technician.id),
            method: VerificationMethod::SmsCode,
            channel: "sms".into(),
            destination_masked: "+•••••••0101".into(),
            status: VerificationStatus::Verified,
            at: app.app.now(),
        })
        .await
        .unwrap();

    browser::run("browser_sign_in_lands_on_the_dashboard", async |b| {
        b.set_base_url(&app.base_url);
        crate::support::sign_in(b, EMAIL, PASSWORD).await?;
        b.wait_for_path("/dashboard").await?;
        assert_eq!(b.text("main h1").await?, "Dashboard");
        assert!(b.text(".stats").await?.contains("Success rate"));
        assert!(b.exists("svg.chart rect.seg-verified").await?);
        assert!(b.text("#by-customer").await?.contains("By customer"));
        assert_eq!(b.text(".page-head a[aria-current=page]").await?, "30 days");
        b.click_and_wait(".page-head a[href='/dashboard?days=7']")
            .await?;
        assert_eq!(b.text(".page-head a[aria-current=page]").await?, "7 days");
        b.click_and_wait("#mainnav a[href='/contacts']").await?;
        b.wait_for_path("/contacts").await?;
        Ok(())
    })
    .await;
}
