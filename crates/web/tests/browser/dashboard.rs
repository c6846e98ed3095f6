//! The dashboard (issue 21.1): signing in lands on it, its charts are drawn, the period
//! picker is plain links, and the contact list is one click away in the navigation.

use countersign_domain::VerificationId;
use countersign_store::{Verification, VerificationMethod, VerificationStatus, VerificationStore};
use countersign_testkit::TestApp;
use countersign_testkit::browser;
use std::time::Duration;

const EMAIL: &str = "admin@acme.example";
const PASSWORD: &str = "granite orchard lantern seven";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_sign_in_lands_on_the_dashboard() {
    let app = TestApp::new().await;
    let admin = app.create_admin("Acme IT", EMAIL, PASSWORD).await;
    let ann = crate::support::contoso_with_ann(&app, admin.org.id).await;
    // Ended verifications of every outcome, today and two days ago.
    let outcomes = [
        (VerificationMethod::SmsCode, VerificationStatus::Verified, 0),
        (VerificationMethod::SmsCode, VerificationStatus::Verified, 2),
        (VerificationMethod::SmsCode, VerificationStatus::Failed, 2),
        (VerificationMethod::SmsLink, VerificationStatus::Denied, 0),
        (
            VerificationMethod::EmailCode,
            VerificationStatus::Expired,
            0,
        ),
        (
            VerificationMethod::TechnicianVerification,
            VerificationStatus::Sent,
            0,
        ),
    ];
    for (method, status, days_ago) in outcomes {
        app.app
            .store()
            .record_verification(&Verification {
                id: VerificationId::new(),
                org_id: admin.org.id,
                contact_id: ann,
                technician_id: Some(admin.technician.id),
                method,
                channel: "sms".into(),
                destination_masked: "+•••••••0101".into(),
                status,
                at: app.app.now().minus(Duration::from_secs(days_ago * 86_400)),
            })
            .await
            .unwrap();
    }

    browser::run("browser_sign_in_lands_on_the_dashboard", async |b| {
        b.set_base_url(&app.base_url);
        crate::support::sign_in(b, EMAIL, PASSWORD).await?;
        b.wait_for_path("/dashboard").await?;
        assert_eq!(b.text("main h1").await?, "Dashboard");
        assert!(b.text(".stats").await?.contains("Success rate"));
        // Every outcome is drawn with its own class (colour and pattern).
        for class in [
            "seg-verified",
            "seg-failed",
            "seg-denied",
            "seg-expired",
            "seg-sent",
        ] {
            assert!(
                b.exists(&format!("svg.chart rect.{class}")).await?,
                "{class}"
            );
        }
        assert!(b.text(".stats").await?.contains("40.0%"));
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
