//! Verification in a real browser, with messages sent through the simulator's Twilio API by
//! the real job workers: an SMS code read from the simulated handset and typed into the Pod
//! (the shield turns green); an approve link opened in a second browser (its own profile)
//! where the end user picks the number the Pod shows, and the Pod updates without a reload.

// Test set-up helpers: a failed `unwrap` is a failed test.
#![allow(clippy::unwrap_used)]

use countersign_app::jobs::WorkerPool;
use countersign_app::messages::Transports;
use countersign_app::settings::TwilioSettings;
use countersign_domain::ContactId;
use countersign_emulator::{Emulator, RunningEmulator, Scenario};
use countersign_testkit::browser;
use countersign_testkit::{Options, TestApp};
use std::time::Duration;

const EMAIL: &str = "admin@acme.example";
const PASSWORD: &str = "granite orchard lantern seven";
const MOBILE: &str = "+14255550101";

struct World {
    app: TestApp,
    sim: RunningEmulator,
    contact: ContactId,
    stop: tokio::sync::watch::Sender<bool>,
    workers: WorkerPool,
}

async fn world() -> World {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let sim = Emulator::start(Scenario::generate(1, 1, 7), listener)
        .await
        .unwrap();
    // No web server of ours takes Twilio's status callbacks in this test.
    sim.sms()
        .update_account(&serde_json::json!({"status_callbacks": false}))
        .unwrap();
    let sms = &sim.manifest().sms;
    let app = TestApp::with(Options {
        twilio: Some(TwilioSettings {
            base_url: sms.base_url.clone(),
            account_sid: sms.account_sid.clone(),
            auth_token: sms.auth_token.clone(),
            from_number: sms.from_number.clone(),
            ..TwilioSettings::default()
        }),
        ..Options::default()
    })
    .await;
    let admin = app.create_admin("Acme IT", EMAIL, PASSWORD).await;
    let org = admin.org.id;
    let contact = crate::support::contoso_with_ann(&app, org).await;
    let transports = Transports::from_settings(&app.app.settings).unwrap();
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let workers = WorkerPool::start(app.app.clone(), transports, stopped);
    World {
        app,
        sim,
        contact,
        stop,
        workers,
    }
}

/// Waits until the simulated handset got an SMS containing `needle`; returns its body.
async fn sms_with(sim: &RunningEmulator, needle: &str) -> anyhow::Result<String> {
    for _ in 0..200 {
        if let Some(m) = sim
            .sms()
            .log()
            .messages
            .into_iter()
            .rev()
            .find(|m| m.to == MOBILE && m.body.contains(needle))
        {
            return Ok(m.body);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    anyhow::bail!("no SMS containing {needle:?} reached {MOBILE}")
}

async fn sign_in(b: &browser::Session) -> anyhow::Result<()> {
    crate::support::sign_in(b, EMAIL, PASSWORD).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_sms_code_from_the_simulator_turns_the_shield_green() {
    let w = world().await;
    let pod = format!("/pod/contacts/{}?action=verify", w.contact);
    browser::run(
        "browser_sms_code_from_the_simulator_turns_the_shield_green",
        async |b| {
            b.set_base_url(&w.app.base_url);
            sign_in(b.main()).await?;
            b.goto(&pod).await?;
            b.wait_for_text("#pod-verified", "Not verified").await?;
            b.click_and_wait("#pod-send").await?;
            b.wait_for_text("#pod-live-status", "pending").await?;
            let body = sms_with(&w.sim, "Code ").await?;
            assert!(body.contains("Acme IT"), "{body}");
            let code: String = body
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
            let history = b.texts("#pod-history tbody tr").await?;
            assert!(
                history[0].contains("SMS code") && history[0].contains("verified"),
                "{history:?}"
            );
            Ok(())
        },
    )
    .await;
    let _ = w.stop.send(true);
    w.workers.join().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_approve_link_with_number_matching_in_a_second_browser() {
    let w = world().await;
    let pod = format!("/pod/contacts/{}?action=verify", w.contact);
    browser::run(
        "browser_approve_link_with_number_matching_in_a_second_browser",
        async |b| {
            b.set_base_url(&w.app.base_url);
            sign_in(b.main()).await?;
            b.goto(&pod).await?;
            b.click("input[name=method][value=sms_link]").await?;
            b.click_and_wait("#pod-send").await?;
            let number = b.text("#pod-match-number").await?;
            let body = sms_with(&w.sim, "/v/").await?;
            let link: String = body
                .split_whitespace()
                .find(|p| p.contains("/v/"))
                .unwrap_or_default()
                .to_owned();
            // The end user's phone: another browser, no cookies of the technician.
            let phone = b.new_session("end-user").await?;
            phone.goto(&link).await?;
            phone.wait_for_text("h1", "is this you?").await?;
            // Opening the link changed nothing: the Pod still waits.
            assert_eq!(b.text("#pod-live-status").await?, "pending");
            phone
                .click(&format!("input[name=number][value='{number}']"))
                .await?;
            phone.click_and_wait("#approve").await?;
            phone
                .wait_for_text("#done-title", "you are verified")
                .await?;
            // The technician's Pod follows by itself (no reload by the test).
            b.wait_for_text("#pod-verified", "verified just now by")
                .await?;
            assert_eq!(b.text("#pod-live-status").await?, "verified");
            Ok(())
        },
    )
    .await;
    let _ = w.stop.send(true);
    w.workers.join().await;
}
