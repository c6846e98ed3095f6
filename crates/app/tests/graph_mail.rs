//! Email through Microsoft Graph `sendMail` end to end, over HTTP against the in-process
//! Microsoft 365 simulator: an org chooses a mailbox of the MSP's own tenant (Settings ▸
//! Branding), a queued email goes through Graph and lands in the simulator's sent mail; without
//! the `Mail.Send` permission the message fails with a message saying what to grant.

#![allow(clippy::unwrap_used)]

mod support;

use countersign_app::App;
use countersign_app::audit::Actor;
use countersign_app::graph_mail::GraphMailInput;
use countersign_app::jobs::run_job;
use countersign_app::messages::{MessageRequest, Transports};
use countersign_app::microsoft::GdapStatus;
use countersign_app::settings::{MessagingTransport, MicrosoftSettings};
use countersign_emulator::{Emulator, RunningEmulator, Scenario};
use countersign_messaging::TemplateName;
use countersign_store::{
    Channel, IntegrationKind, JobStore, MessageState, MessageStore, Technician, TransportKind,
};
use std::time::Duration;

const MT_APP: &str = "aaaaaaaa-0000-4000-8000-000000000001";
const MT_SECRET: &str = "mt~secret-value-0001";
const PARTNER_APP: &str = "aaaaaaaa-0000-4000-8000-000000000002";
const PARTNER_SECRET: &str = "partner~secret-value-0002";
const PARTNER_TENANT: &str = "11111111-1111-4111-8111-111111111111";
const ALEX: &str = "11111111-0000-4000-8000-000000000001";

struct Env {
    app: App,
    admin: Technician,
    sim: RunningEmulator,
    _dir: tempfile::TempDir,
}

/// The example scenario; `mail_send` false takes `Mail.Send` away from the partner app.
fn scenario(mail_send: bool) -> Scenario {
    let mut s = Scenario::from_file(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../emulator/scenarios/example.toml"
    ))
    .unwrap();
    if !mail_send {
        for app in &mut s.apps {
            app.application_permissions.retain(|p| p != "Mail.Send");
        }
    }
    s
}

/// The simulator, a live-transport app on SQLite pointed at it, an admin, and an integration
/// whose GDAP app (the partner app) is set up, chosen to send from Alex's mailbox.
async fn env(mail_send: bool) -> Env {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let sim = Emulator::start(scenario(mail_send), listener)
        .await
        .unwrap();
    let m = sim.manifest().clone();
    let dir = tempfile::tempdir().unwrap();
    let (app, admin) = support::app_with_admin(&dir, |settings| {
        settings.messaging.transport = MessagingTransport::Live;
        settings.microsoft = MicrosoftSettings {
            client_id: MT_APP.into(),
            client_secret: MT_SECRET.into(),
            custom_login_base_url: m.login_base_url.clone(),
            custom_graph_base_url: m.graph_base_url.clone(),
            ..MicrosoftSettings::default()
        };
    })
    .await;
    let i = app
        .create_integration(
            &countersign_app::Principal::technician(&admin, [127, 0, 0, 1].into()),
            IntegrationKind::Microsoft365,
            "Microsoft 365",
        )
        .await
        .unwrap();
    // GDAP credentials entered, not signed in yet: the app's own secret is what mail needs.
    app.seed_microsoft(admin.org_id, i.id, |settings, secrets| {
        settings.gdap_domain = Some("northwind-msp.onmicrosoft.com".into());
        settings.gdap_partner_tenant_id = Some(PARTNER_TENANT.into());
        settings.gdap_client_id = Some(PARTNER_APP.into());
        settings.gdap_status = GdapStatus::Pending;
        secrets.gdap_client_secret = Some(PARTNER_SECRET.into());
    })
    .await
    .unwrap();
    let upn = sim.control().user(PARTNER_TENANT, ALEX).unwrap()["userPrincipalName"]
        .as_str()
        .unwrap()
        .to_owned();
    app.set_graph_mail(
        &countersign_app::Principal::technician(&admin, std::net::IpAddr::from([192, 0, 2, 1])),
        &GraphMailInput {
            integration_id: i.id.to_string(),
            mailbox: upn,
        },
    )
    .await
    .unwrap();
    Env {
        app,
        admin,
        sim,
        _dir: dir,
    }
}

/// Queues a test email to `to` and runs its job once; returns the message afterwards.
async fn send(env: &Env, to: &str) -> countersign_store::Message {
    let app = &env.app;
    let queued = app
        .queue_message(
            &Actor::technician(&env.admin, None),
            MessageRequest {
                org: env.admin.org_id,
                channel: Channel::Email,
                recipient: to.into(),
                template: TemplateName::Test {
                    sender: "Amy".into(),
                },
                idempotency_key: format!("test:{to}"),
                lane: countersign_domain::Lane::Verification,
            },
        )
        .await
        .unwrap();
    assert_eq!(queued.transport, TransportKind::Graph);
    let transports = Transports::from_settings(&app.settings).unwrap();
    let now = app.now();
    let jobs = app
        .store()
        .claim_jobs("test-worker", now, now.plus(Duration::from_secs(60)), 10)
        .await
        .unwrap();
    assert_eq!(jobs.len(), 1);
    run_job(app, &transports, &jobs[0]).await.unwrap();
    let after = app
        .store()
        .message(env.admin.org_id, queued.id)
        .await
        .unwrap();
    assert_eq!(after.subject, queued.subject);
    after
}

#[tokio::test]
async fn email_goes_out_through_graph_send_mail() {
    let env = env(true).await;
    let html_before = {
        // The body is cleared once a live transport took the message; render it again.
        let brand = countersign_app::messages::brand_of(&env.app, env.admin.org_id)
            .await
            .unwrap();
        countersign_messaging::render(
            &TemplateName::Test {
                sender: "Amy".into(),
            },
            &brand,
        )
        .unwrap()
    };
    let m = send(&env, "amy@example.com").await;
    assert_eq!(m.state, MessageState::Sent, "error: {:?}", m.last_error);
    let sent = env.sim.control().sent_mail();
    assert_eq!(sent.len(), 1);
    let mail = &sent[0];
    assert_eq!(mail.subject, html_before.subject);
    assert_eq!(mail.to, vec!["amy@example.com".to_owned()]);
    assert_eq!(mail.content_type, "HTML");
    assert_eq!(mail.body, html_before.html);
    assert_eq!(mail.tenant_id.to_string(), PARTNER_TENANT);
    assert_eq!(mail.mailbox_user_id.to_string(), ALEX);
    assert!(!mail.save_to_sent_items);
    env.app.store().close().await;
    env.sim.shutdown().await;
}

#[tokio::test]
async fn missing_mail_send_permission_fails_with_what_to_grant() {
    let env = env(false).await;
    let m = send(&env, "amy@example.com").await;
    assert_eq!(m.state, MessageState::Failed);
    let error = m.last_error.unwrap_or_default();
    assert!(
        error.contains("grant the app the Mail.Send application permission and admin-consent it"),
        "{error}"
    );
    assert!(env.sim.control().sent_mail().is_empty());
    env.app.store().close().await;
    env.sim.shutdown().await;
}
