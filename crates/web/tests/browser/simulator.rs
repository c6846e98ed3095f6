//! Journeys against the in-process Microsoft 365 simulator: the app with the simulator as
//! its Custom cloud, the redirect URIs registered, the job workers of `serve` running, and
//! the person on Microsoft's pages.

// Test set-up: a failed `unwrap` is a failed test.
#![allow(clippy::unwrap_used)]

use countersign_app::jobs::WorkerPool;
use countersign_app::messages::Transports;
use countersign_app::settings::MicrosoftSettings;
use countersign_emulator::{Emulator, RunningEmulator, Scenario};
use countersign_testkit::browser::Session;
use countersign_testkit::{Options, TestApp};

pub const MT_APP: &str = "aaaaaaaa-0000-4000-8000-000000000001";
pub const MT_SECRET: &str = "mt~secret-value-0001";
pub const PARTNER_APP: &str = "aaaaaaaa-0000-4000-8000-000000000002";
pub const PARTNER_SECRET: &str = "partner~secret-value-0002";
pub const CONTOSO: &str = "22222222-2222-4222-8222-222222222222";
pub const ZOE_GA: &str = "22222222-0000-4000-8000-000000000001";
pub const ALEX_GA: &str = "11111111-0000-4000-8000-000000000001";

/// The app, the simulator (example scenario) and the workers; [`SimApp::stop`] ends them.
pub struct SimApp {
    pub app: TestApp,
    pub sim: RunningEmulator,
    stop: tokio::sync::watch::Sender<bool>,
    workers: WorkerPool,
}

impl SimApp {
    /// Starts them, with an org `org` whose admin is `email` / `password`.
    pub async fn start(org: &str, email: &str, password: &str) -> Self {
        let scenario = Scenario::from_file(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../emulator/scenarios/example.toml"
        ))
        .unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let sim = Emulator::start(scenario, listener).await.unwrap();
        let m = sim.manifest().clone();
        let app = TestApp::with(Options {
            microsoft: Some(MicrosoftSettings {
                client_id: MT_APP.into(),
                client_secret: MT_SECRET.into(),
                custom_login_base_url: m.login_base_url.clone(),
                custom_graph_base_url: m.graph_base_url.clone(),
                ..MicrosoftSettings::default()
            }),
            ..Options::default()
        })
        .await;
        let ctl = sim.control();
        ctl.add_redirect_uri(
            MT_APP.parse().unwrap(),
            &app.url("/integrations/consent/callback"),
        );
        ctl.add_redirect_uri(
            PARTNER_APP.parse().unwrap(),
            &app.url("/integrations/psa/*"),
        );
        app.create_admin(org, email, password).await;
        // The job workers of `serve`, on the test app.
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let transports = Transports::from_settings(&app.app.settings).unwrap();
        let workers = WorkerPool::start(app.app.clone(), transports, stopped);
        Self {
            app,
            sim,
            stop,
            workers,
        }
    }

    /// Stops the workers and the simulator.
    pub async fn stop(self) {
        self.stop.send(true).unwrap();
        self.workers.join().await;
        self.sim.shutdown().await;
    }
}

/// On the simulator's consent or sign-in page: `account` (an admin) approves; where the
/// browser goes next is the caller's business.
pub async fn choose_and_approve(b: &Session, account: &str) -> anyhow::Result<()> {
    b.set_checked(&format!("input[name=account][value='{account}']"), true)
        .await?;
    b.click_and_wait("button[value=approve]").await
}
