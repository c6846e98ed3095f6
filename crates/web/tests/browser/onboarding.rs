//! Onboarding: an admin secures their account and invites a technician, who joins, is made to
//! enroll two-factor authentication, and signs in with it.

use crate::support::{Authenticator, otpauth_secret};
use countersign_testkit::TestApp;
use countersign_testkit::browser::{self, Session};

const ORG: &str = "Acme IT";
const ADMIN_EMAIL: &str = "admin@acme.example";
const ADMIN_PASSWORD: &str = "granite orchard lantern seven";
const TECH_EMAIL: &str = "tech@acme.example";
const TECH_NAME: &str = "Tess Technician";
const TECH_PASSWORD: &str = "copper kettle violin sunrise";

/// The password step of `/login`; leaves the browser wherever the server sends it.
async fn sign_in(b: &Session, email: &str, password: &str) -> anyhow::Result<()> {
    b.goto("/login").await?;
    assert_eq!(b.text("h1").await?, "Sign in");
    b.fill("#email", email).await?;
    b.fill("#password", password).await?;
    b.click_and_wait("form[action='/login'] button[type=submit]")
        .await
}

/// Clicks "Sign out" in the top bar and checks the sign-in page says so.
async fn sign_out(b: &Session) -> anyhow::Result<()> {
    b.click_and_wait(".usermenu form[action='/logout'] button[type=submit]")
        .await?;
    assert_eq!(b.current_path().await?, "/login");
    assert_eq!(b.text("h1").await?, "Sign in");
    b.wait_for_text(".notice", "You are signed out.").await?;
    Ok(())
}

/// On the setup page: read the secret, cross-check it with the otpauth URI, confirm with the
/// current code, and check the 10 recovery codes. Returns the account's authenticator.
async fn enroll_totp(b: &Session, app: &TestApp) -> anyhow::Result<Authenticator> {
    assert_eq!(b.current_path().await?, "/account/2fa/setup");
    assert_eq!(b.text("h1").await?, "Set up two-factor authentication");
    assert!(b.exists(".qr svg").await?, "the QR code is shown");
    let shown_key = b.text("section.card p.small code").await?;
    let uri = b.text_content("details code").await?;
    let secret = otpauth_secret(&uri)?;
    assert_eq!(
        secret,
        shown_key.trim(),
        "the key to type matches the QR/otpauth secret"
    );

    let authenticator = Authenticator::new(&secret, app.clock.clone())?;
    b.fill("#code", &authenticator.code()).await?;
    b.click_and_wait("form[action='/account/2fa/setup'] button[type=submit]")
        .await?;
    assert_eq!(b.text("h1").await?, "Two-factor authentication is on");
    b.wait_for_text(".warning", "recovery codes").await?;
    let codes = b.texts("#recovery-codes li").await?;
    assert_eq!(codes.len(), 10, "ten recovery codes: {codes:?}");
    assert!(codes.iter().all(|c| !c.trim().is_empty()), "{codes:?}");
    let mut unique = codes.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 10, "recovery codes are distinct: {codes:?}");
    Ok(authenticator)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_invites_technician_who_joins_with_2fa() {
    let app = TestApp::new().await;
    app.create_admin(ORG, ADMIN_EMAIL, ADMIN_PASSWORD).await;

    browser::run("admin_invites_technician_who_joins_with_2fa", async |b| {
        b.set_base_url(&app.base_url);
        let admin: &Session = b;

        // The admin signs in (no 2FA yet) and lands on the dashboard.
        sign_in(admin, ADMIN_EMAIL, ADMIN_PASSWORD).await?;
        assert_eq!(admin.current_path().await?, "/dashboard");
        assert_eq!(admin.text("h1").await?, "Dashboard");
        assert_eq!(admin.text(".usermenu .muted").await?, ORG);

        // Account: 2FA is off; set it up.
        admin.click_and_wait(".usermenu a[href='/account']").await?;
        assert_eq!(admin.text("h1").await?, "Your account");
        admin.wait_for_text(".badge", "Off").await?;
        admin.click_and_wait("a[href='/account/2fa/setup']").await?;
        let _admin_totp = enroll_totp(admin, &app).await?;
        admin.click_and_wait("a.button[href='/account']").await?;
        assert_eq!(admin.text("h1").await?, "Your account");
        admin.wait_for_text(".badge", "On").await?;
        admin
            .wait_for_text("section.card p", "Recovery codes left: 10")
            .await?;

        // Settings ▸ Organisation: require 2FA for everyone.
        admin.click_and_wait("#mainnav a[href='/settings']").await?;
        assert_eq!(admin.text("h1").await?, "Organisation settings");
        admin.set_checked("input[name=require_2fa]", true).await?;
        admin
            .click_and_wait("form[action='/settings'] button[type=submit]")
            .await?;
        admin.wait_for_text(".notice", "Saved.").await?;
        assert!(
            admin
                .wait_for("input[name=require_2fa]")
                .await?
                .is_selected()
                .await?
        );

        // Settings ▸ Technicians: invite a technician and read the one-time link.
        admin
            .click_and_wait("nav.subnav a[href='/settings/technicians']")
            .await?;
        assert_eq!(admin.text("h1").await?, "Technicians");
        admin.fill("#email", TECH_EMAIL).await?;
        admin.select("#role", "technician").await?;
        admin
            .click_and_wait("form[action='/settings/technicians/invite'] button[type=submit]")
            .await?;
        admin.wait_for_text(".notice", "Invite created").await?;
        let link = admin.value("#invite-link").await?;
        assert!(
            link.starts_with(&format!("{}/invite/", app.base_url)),
            "invite link {link:?}"
        );
        admin
            .wait_for_text("table tbody tr", TECH_EMAIL)
            .await
            .map_err(|e| e.context("the pending invite is listed"))?;

        // The technician, in a browser of their own, opens the link and accepts.
        let tech = b.new_session("technician").await?;
        tech.goto(&link).await?;
        assert_eq!(tech.text("h1").await?, format!("Join {ORG}"));
        tech.wait_for_text("main p", TECH_EMAIL).await?;
        tech.fill("#name", TECH_NAME).await?;
        tech.fill("#password", TECH_PASSWORD).await?;
        tech.fill("#confirm", TECH_PASSWORD).await?;
        tech.click_and_wait("form[action^='/invite/'] button[type=submit]")
            .await?;
        assert_eq!(tech.current_path().await?, "/login");
        tech.wait_for_text(".notice", "Your account is ready.")
            .await?;

        // The link worked once: opening it again says so.
        tech.goto(&link).await?;
        assert_eq!(tech.text("h1").await?, "This invite link cannot be used");

        // First sign-in: the org requires 2FA, so the technician is sent to set it up.
        sign_in(&tech, TECH_EMAIL, TECH_PASSWORD).await?;
        tech.wait_for_text(
            ".warning",
            "Your organisation requires two-factor authentication",
        )
        .await?;
        let tech_app = enroll_totp(&tech, &app).await?;
        tech.click_and_wait("a.button[href='/account']").await?;
        assert_eq!(tech.text("h1").await?, "Your account");
        tech.wait_for_text(".badge", "On").await?;
        tech.wait_for_text("section.card p", TECH_NAME).await?;
        sign_out(&tech).await?;

        // Sign in again, now with the second factor. The code used for enrollment is from a
        // step that is spent, so it is refused; the next step's code works.
        let spent = tech_app.code();
        sign_in(&tech, TECH_EMAIL, TECH_PASSWORD).await?;
        assert_eq!(tech.current_path().await?, "/login/2fa");
        assert_eq!(tech.text("h1").await?, "Two-factor authentication");
        tech.wait_for_text("main p", TECH_EMAIL).await?;
        tech.fill("#code", &spent).await?;
        tech.click_and_wait("form[action='/login/2fa'] button[type=submit]")
            .await?;
        assert_eq!(tech.current_path().await?, "/login/2fa");
        assert!(
            tech.exists(".error[role=alert]").await?,
            "a spent code is refused"
        );

        tech_app.next_step();
        tech.fill("#code", &tech_app.code()).await?;
        tech.click_and_wait("form[action='/login/2fa'] button[type=submit]")
            .await?;
        assert_eq!(tech.current_path().await?, "/dashboard");
        tech.click_and_wait("#mainnav a[href='/contacts']").await?;
        assert_eq!(tech.text("h1").await?, "Contacts");
        tech.wait_for_text(".empty-state h2", "No contacts yet")
            .await?;
        assert_eq!(tech.text(".usermenu a[href='/account']").await?, TECH_NAME);
        // A technician has no admin areas.
        assert!(!tech.exists("#mainnav a[href='/settings']").await?);

        // Back in the admin's browser: the technician is listed, active, with 2FA on.
        admin.goto("/settings/technicians").await?;
        let row = admin.wait_for_text("table tbody tr", TECH_NAME).await?;
        assert!(row.contains(TECH_EMAIL), "{row}");
        assert!(row.contains("active"), "{row}");

        // The technician signs out and lands on the sign-in page.
        sign_out(&tech).await?;
        assert!(!tech.exists(".usermenu").await?);
        Ok(())
    })
    .await;
    // Deliver what the journey queued, as a server's workers would (none may be left).
    app.run_jobs().await;
}
