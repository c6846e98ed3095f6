//! Issue 17.5: header-bound fields are one line, settings use cases check the admin role
//! themselves, and the branding test message is rate-limited.

use crate::{PW, add_technician, location, signed_in};
use countersign_app::accounts::AccountError;
use countersign_app::messages::{BrandingError, BrandingInput, TESTS_PER_ORG};
use countersign_app::verification::{VerificationError, VerificationSettingsInput};
use countersign_store::{BrandingStore, Channel, ThrottleStore};
use countersign_testkit::TestApp;

const PAGE: &str = "/settings/branding";

#[tokio::test]
async fn line_breaks_in_the_brand_name_and_reply_to_are_refused() {
    let app = TestApp::new().await;
    let admin = app.create_admin("Acme IT", "admin@acme.test", PW).await;
    let c = signed_in(&app, "admin@acme.test").await;
    for (name, reply_to) in [
        ("Acme\r\nBcc: victim@evil.test", ""),
        ("Acme\nSupport", ""),
        ("Acme Support", "help@acme.test\r\nBcc: victim@evil.test"),
    ] {
        let res = app
            .post_form(
                &c,
                PAGE,
                PAGE,
                &[
                    ("display_name", name),
                    ("colour", "#ff5500"),
                    ("reply_to", reply_to),
                ],
            )
            .await;
        assert_eq!(res.status(), 422, "{name:?} {reply_to:?}");
        let body = res.text().await.unwrap();
        assert!(
            body.contains("must be one line") || body.contains("must be an email address"),
            "{body}"
        );
    }
    assert!(
        app.app
            .store()
            .branding(admin.org.id)
            .await
            .unwrap()
            .is_none()
    );
}

#[tokio::test]
async fn line_breaks_in_org_and_technician_names_are_refused() {
    let app = TestApp::new().await;
    let admin = app.create_admin("Acme IT", "admin@acme.test", PW).await;
    let e = app
        .app
        .update_org_settings(
            &crate::principal(&admin.technician),
            "Acme\r\nBcc: x@evil.test",
            false,
        )
        .await
        .unwrap_err();
    assert!(matches!(e, AccountError::NameNotOneLine), "{e:?}");
    let email = countersign_domain::Email::parse("second@evil.test").unwrap();
    let e = app
        .app
        .create_admin("Evil\nOrg", &email, PW)
        .await
        .unwrap_err();
    assert!(matches!(e, AccountError::NameNotOneLine), "{e:?}");
    let invite = app
        .app
        .invite_technician(
            &crate::principal(&admin.technician),
            &countersign_domain::Email::parse("tess@acme.test").unwrap(),
            countersign_domain::Role::Technician,
        )
        .await
        .unwrap();
    let token = invite.link.rsplit('/').next().unwrap().to_owned();
    let e = app
        .app
        .accept_invite(&token, "Tess\r\nBcc: x@evil.test", PW, PW, None)
        .await
        .unwrap_err();
    assert!(matches!(e, AccountError::NameNotOneLine), "{e:?}");
    // Deliver what the test queued, as a server's workers would (none may be left).
    app.run_jobs().await;
}

#[tokio::test]
async fn settings_use_cases_check_the_admin_role_themselves() {
    let app = TestApp::new().await;
    let admin = app.create_admin("Acme IT", "admin@acme.test", PW).await;
    let tech = add_technician(&app, "admin@acme.test", "tech@acme.test", "Tess").await;
    let by = crate::principal(&tech);
    let input = VerificationSettingsInput {
        code_minutes: "10".into(),
        link_minutes: "10".into(),
        per_recipient_10min: "3".into(),
        per_technician_hour: "30".into(),
        per_org_day: "500".into(),
        ..VerificationSettingsInput::default()
    };
    let e = app
        .app
        .save_verification_settings(&by, &input)
        .await
        .unwrap_err();
    assert!(matches!(e, VerificationError::Denied(_)), "{e:?}");
    let brand = BrandingInput {
        display_name: "Mine".into(),
        colour: "#000000".into(),
        ..BrandingInput::default()
    };
    let e = app.app.save_branding(&by, &brand).await.unwrap_err();
    assert!(matches!(e, BrandingError::NotAllowed(_)), "{e:?}");
    let e = app
        .app
        .send_branding_test(&by, Channel::Email, "x@example.com", "n")
        .await
        .unwrap_err();
    assert!(matches!(e, BrandingError::NotAllowed(_)), "{e:?}");
    assert!(
        app.app
            .store()
            .branding(admin.org.id)
            .await
            .unwrap()
            .is_none()
    );
    // An admin still can.
    app.app
        .save_verification_settings(&crate::principal(&admin.technician), &input)
        .await
        .unwrap();
    // Deliver what the test queued, as a server's workers would (none may be left).
    app.run_jobs().await;
}

async fn send_test(app: &TestApp, c: &reqwest::Client, nonce: &str) -> reqwest::Response {
    app.post_form(
        c,
        PAGE,
        "/settings/branding/test",
        &[
            ("channel", "email"),
            ("recipient", "amy.smith@example.com"),
            ("nonce", nonce),
        ],
    )
    .await
}

#[tokio::test]
async fn branding_test_messages_are_rate_limited_per_technician_and_org() {
    branding_tests_are_rate_limited(TestApp::new().await).await;
}

pub async fn branding_tests_are_rate_limited(app: TestApp) {
    let admin = app.create_admin("Acme IT", "admin@acme.test", PW).await;
    let c = signed_in(&app, "admin@acme.test").await;
    for i in 0..5 {
        let res = send_test(&app, &c, &format!("n{i}")).await;
        assert_eq!(location(&res), "/settings/branding?notice=test_queued");
    }
    let res = send_test(&app, &c, "n5").await;
    assert_eq!(res.status(), 429);
    assert!(res.text().await.unwrap().contains("Too many test messages"));

    // The org's limit holds across technicians: another admin of an org that used it up.
    let tech = add_technician(&app, "admin@acme.test", "tech@acme.test", "Tess").await;
    app.app
        .change_role(
            &crate::principal(&admin.technician),
            tech.id,
            countersign_domain::Role::Admin,
        )
        .await
        .unwrap();
    let now = app.app.now();
    let key = format!("branding-test:org:{}", admin.org.id);
    for _ in 5..TESTS_PER_ORG {
        app.app
            .store()
            .record_failure(&key, now, now.minus(std::time::Duration::from_secs(3600)))
            .await
            .unwrap();
    }
    let c2 = signed_in(&app, "tech@acme.test").await;
    assert_eq!(send_test(&app, &c2, "m1").await.status(), 429);
    // An hour later both may send again (signed in again: the session idled out).
    app.clock.advance(std::time::Duration::from_secs(3601));
    let c2 = signed_in(&app, "tech@acme.test").await;
    let res = send_test(&app, &c2, "m2").await;
    assert_eq!(location(&res), "/settings/branding?notice=test_queued");
    // Deliver what the test queued, as a server's workers would (none may be left).
    app.run_jobs().await;
}
