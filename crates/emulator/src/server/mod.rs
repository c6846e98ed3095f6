//! Starting and stopping the emulator in-process, and its start-up manifest.

mod accept;

use crate::clock::Clock;
use crate::control::handle::ControlHandle;
use crate::faults::Faults;
use crate::scenario::{Scenario, ScenarioError, build_world};
use crate::sms::SmsState;
use crate::sms::control::SmsHandle;
use crate::state::{AppState, Shared, Urls};
use crate::throttle::Throttle;
use axum::Router;
use serde::{Deserialize, Serialize};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// The remote address of the connection a request came on (for the loopback-only rule).
#[derive(Clone, Copy, Debug)]
pub struct PeerAddr(pub SocketAddr);

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Scenario(#[from] ScenarioError),
    #[error("listener: {0}")]
    Io(#[from] std::io::Error),
    #[error("building the world panicked: {0}")]
    Join(#[from] tokio::task::JoinError),
}

/// What a client needs to talk to the emulator; printed as the first stdout line by
/// `countersign emulator`.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Manifest {
    pub login_base_url: String,
    pub graph_base_url: String,
    pub control_url: String,
    pub partner: PartnerInfo,
    pub apps: Vec<AppInfo>,
    pub tenants: Vec<TenantInfo>,
    /// The SMS face (Twilio Messages API).
    #[serde(default)]
    pub sms: SmsInfo,
}

/// What the product's `[twilio]` settings need to use the SMS face.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct SmsInfo {
    /// Replaces `https://api.twilio.com` (append `/2010-04-01/Accounts/…`).
    pub base_url: String,
    pub account_sid: String,
    pub auth_token: String,
    /// The account's first number (empty if it has none).
    pub from_number: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct PartnerInfo {
    pub tenant_id: uuid::Uuid,
    pub domain: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct AppInfo {
    pub client_id: uuid::Uuid,
    /// The first secret that has not expired (empty if none).
    pub client_secret: String,
    pub kind: crate::model::AppKind,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct TenantInfo {
    pub id: uuid::Uuid,
    pub domain: String,
    pub display_name: String,
    /// Active users at the time the manifest was made.
    pub users: usize,
}

pub(crate) fn manifest(s: &Shared) -> Manifest {
    let now = s.clock.now();
    let partner = s.world.partner();
    Manifest {
        login_base_url: s.urls.login.clone(),
        graph_base_url: s.urls.graph.clone(),
        control_url: s.urls.control.clone(),
        partner: PartnerInfo {
            tenant_id: s.world.partner_id,
            domain: partner.map(|p| p.domain.clone()).unwrap_or_default(),
        },
        apps: s
            .world
            .apps()
            .iter()
            .map(|a| AppInfo {
                client_id: a.client_id,
                client_secret: a
                    .secrets
                    .iter()
                    .find(|sec| sec.expires.is_none_or(|e| e > now))
                    .map(|sec| sec.value.clone())
                    .unwrap_or_default(),
                kind: a.kind,
            })
            .collect(),
        tenants: s
            .world
            .customers()
            .map(|t| TenantInfo {
                id: t.id,
                domain: t.domain.clone(),
                display_name: t.display_name.clone(),
                users: t.read().active_count(),
            })
            .collect(),
        sms: {
            let a = s.sms.account();
            SmsInfo {
                base_url: s.urls.twilio.clone(),
                account_sid: a.account_sid,
                auth_token: a.auth_token,
                from_number: a.from_numbers.first().cloned().unwrap_or_default(),
            }
        },
    }
}

/// Entry point for running the emulator in-process.
pub struct Emulator;

/// A started emulator. Dropping it without [`RunningEmulator::shutdown`] leaves the server
/// task running until the runtime stops.
pub struct RunningEmulator {
    manifest: Manifest,
    control: ControlHandle,
    sms: SmsHandle,
    local_addr: SocketAddr,
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

fn base_url(addr: SocketAddr) -> String {
    // A wildcard bind is reachable on loopback; advertise that rather than 0.0.0.0.
    let ip = match addr.ip() {
        IpAddr::V4(v4) if v4.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(v6) if v6.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    format!("http://{}", SocketAddr::new(ip, addr.port()))
}

impl Emulator {
    /// Builds the world from `scenario` (user generation runs on a blocking thread) and serves
    /// login, Graph and control on `listener` until [`RunningEmulator::shutdown`].
    pub async fn start(
        scenario: Scenario,
        listener: TcpListener,
    ) -> Result<RunningEmulator, StartError> {
        let local_addr = listener.local_addr()?;
        let base = base_url(local_addr);
        let urls = Urls {
            login: format!("{base}/login"),
            graph: format!("{base}/graph"),
            control: format!("{base}/_emulator"),
            twilio: format!("{base}/twilio"),
        };
        let state: AppState =
            tokio::task::spawn_blocking(move || -> Result<AppState, ScenarioError> {
                let clock = Clock::default();
                let world = build_world(&scenario, clock.now())?;
                let throttle = Throttle::new(scenario.throttling.clone());
                let faults = Faults::new(scenario.faults.clone(), scenario.seed);
                let sms = SmsState::new(&scenario.sms, scenario.seed);
                Ok(Arc::new(Shared::new(
                    world, clock, throttle, faults, urls, sms,
                )))
            })
            .await??;
        let router: Router = Router::new()
            .nest("/login", crate::identity::router())
            .nest("/graph", crate::graph::router())
            .nest("/twilio", crate::sms::router())
            .nest("/_emulator", crate::control::router())
            .with_state(state.clone());
        let (stop, stopped) = watch::channel(false);
        let task = tokio::spawn(accept::serve(listener, router, state.clone(), stopped));
        Ok(RunningEmulator {
            manifest: manifest(&state),
            sms: SmsHandle::new(state.clone()),
            control: ControlHandle::new(state),
            local_addr,
            stop,
            task,
        })
    }
}

impl RunningEmulator {
    /// The manifest as of start-up.
    #[must_use]
    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    #[must_use]
    pub fn control(&self) -> ControlHandle {
        self.control.clone()
    }

    /// The SMS face's control operations.
    #[must_use]
    pub fn sms(&self) -> SmsHandle {
        self.sms.clone()
    }

    #[must_use]
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// Stops accepting, lets in-flight requests finish, and waits for the server task.
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        if let Err(e) = self.task.await {
            tracing::warn!(error = %e, "emulator server task ended abnormally");
        }
    }
}
