//! countersign-emulator: a local stand-in for the parts of the Microsoft identity platform and
//! Microsoft Graph that Countersign uses, built from docs/microsoft-365.md, with Microsoft's
//! limits and error payloads.
//!
//! Faces, all on one listener: `/login/{tenant}/…` (identity platform), `/graph/v1.0/…`
//! (Graph), `/twilio/2010-04-01/…` (SMS: Twilio's Messages API, see `sms`), `/_emulator/…`
//! (control API, loopback peers only).
//!
//! ```no_run
//! # async fn demo() -> anyhow::Result<()> {
//! use countersign_emulator::{Emulator, Scenario};
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
//! let running = Emulator::start(Scenario::generate(3, 50, 7), listener).await?;
//! println!("{}", running.manifest().graph_base_url);
//! running.control().edit_user(&running.manifest().tenants[0].domain, "some.user@…", &serde_json::json!({"mobilePhone": null}))?;
//! running.shutdown().await;
//! # Ok(()) }
//! ```

mod cli;
mod clock;
mod control;
mod faults;
mod graph;
mod identity;
mod model;
mod scenario;
mod server;
mod sms;
mod state;
mod throttle;
mod world;

pub use cli::{EmulatorArgs, run_cli};
pub use control::handle::{ControlError, ControlHandle};
pub use faults::{FaultConfig, FaultCounts, FaultKind};
pub use model::roles;
pub use model::{AppKind, Consent};
pub use scenario::{
    AppSpec, ConsentSpec, GdapSpec, Scenario, ScenarioError, SecretSpec, TenantSpec, UserSpec,
};
pub use server::{
    AppInfo, Emulator, Manifest, PartnerInfo, RunningEmulator, SmsInfo, StartError, TenantInfo,
};
pub use sms::config::{ApiKeySpec, SmsAccount, SmsFaultKind, SmsFaults, SmsScenario};
pub use sms::control::{Inbound, InboundError, InboundResult, SmsHandle, SmsLog};
pub use sms::{CallbackRecord, RefusedRecord, SmsCounts, SmsRecord};
pub use state::{SentMail, WriteRecord};
pub use throttle::ThrottleConfig;
