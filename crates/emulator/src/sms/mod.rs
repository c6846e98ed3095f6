//! The SMS face: a stand-in for Twilio's Messages API (`/twilio/2010-04-01/Accounts/{sid}/
//! Messages.json`), with Twilio's authentication, validation and error bodies, status
//! callbacks signed with `X-Twilio-Signature`, inbound messages posted to the product's
//! webhook, fault injection, and a record of everything it received (control API
//! `/_emulator/sms/…`). Built from Twilio's public documentation; shares no code with the
//! product's client.

mod api;
mod callbacks;
pub mod config;
pub mod control;
mod errors;
mod records;
mod signature;

pub use records::{CallbackRecord, RefusedRecord, SmsCounts, SmsRecord};

use crate::state::AppState;
use axum::Router;
use config::{SmsAccount, SmsFaultKind, SmsFaults, SmsScenario};
use records::Records;
use sha2::{Digest, Sha256};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};

/// Twilio's API version segment.
pub const API_VERSION: &str = "2010-04-01";

/// The face's routes, nested under `/twilio`.
pub fn router() -> Router<AppState> {
    api::router()
}

/// Account, faults and records of the SMS face.
#[derive(Debug)]
pub struct SmsState {
    account: Mutex<SmsAccount>,
    faults: Mutex<SmsFaults>,
    records: Mutex<Records>,
    draws: AtomicU64,
    seed: u64,
    http: reqwest::Client,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// 32 lowercase hex digits derived from the seed and a label.
fn derived_hex(seed: u64, label: &str) -> String {
    let digest = Sha256::new()
        .chain_update(seed.to_le_bytes())
        .chain_update(label.as_bytes())
        .finalize();
    digest.iter().take(16).map(|b| format!("{b:02x}")).collect()
}

impl SmsState {
    /// The account of `scenario`, with SID and token derived from `seed` where left empty.
    #[must_use]
    pub fn new(scenario: &SmsScenario, seed: u64) -> Self {
        let mut account = scenario.account.clone();
        if account.account_sid.is_empty() {
            account.account_sid = format!("AC{}", derived_hex(seed, "twilio account"));
        }
        if account.auth_token.is_empty() {
            account.auth_token = derived_hex(seed, "twilio auth token");
        }
        let http = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(15))
            .build()
            .unwrap_or_default();
        SmsState {
            account: Mutex::new(account),
            faults: Mutex::new(scenario.faults.clone()),
            records: Mutex::new(Records::default()),
            draws: AtomicU64::new(0),
            seed,
            http,
        }
    }

    #[must_use]
    pub fn account(&self) -> SmsAccount {
        lock(&self.account).clone()
    }

    pub fn set_account(&self, account: SmsAccount) {
        *lock(&self.account) = account;
    }

    #[must_use]
    pub fn faults(&self) -> SmsFaults {
        lock(&self.faults).clone()
    }

    pub fn set_faults(&self, faults: SmsFaults) {
        *lock(&self.faults) = faults;
    }

    fn records(&self) -> MutexGuard<'_, Records> {
        lock(&self.records)
    }

    /// Opts a number out of one sender (inbound STOP) or back in (START), as Twilio's default
    /// handling does: `sender` is the number the STOP was sent to, or its Messaging Service.
    fn set_opted_out(&self, sender: &str, number: &str, opted_out: bool) {
        let mut f = lock(&self.faults);
        let numbers = f.opted_out_of.entry(sender.to_owned()).or_default();
        numbers.retain(|n| n != number);
        if opted_out {
            numbers.push(number.to_owned());
        }
    }

    /// The injected fault for one request, if any: queue first, then the rates.
    fn decide_fault(&self) -> Option<(SmsFaultKind, u64)> {
        let mut f = lock(&self.faults);
        if !f.next.is_empty() {
            let kind = f.next.remove(0);
            return Some((kind, f.slow_ms));
        }
        if f.rate_5xx <= 0.0 && f.rate_slow <= 0.0 {
            return None;
        }
        let n = self.draws.fetch_add(1, Ordering::Relaxed);
        let draw = crate::faults::unit_draw(self.seed ^ 0x5350_4d53, n);
        let r5 = f.rate_5xx.clamp(0.0, 1.0);
        if draw < r5 / 2.0 {
            Some((SmsFaultKind::ServerError, f.slow_ms))
        } else if draw < r5 {
            Some((SmsFaultKind::Unavailable, f.slow_ms))
        } else if draw < r5 + f.rate_slow.clamp(0.0, 1.0) {
            Some((SmsFaultKind::Slow, f.slow_ms))
        } else {
            None
        }
    }
}

/// Twilio's default opt-out keywords: `Some(true)` for an opt-out (STOP, …), `Some(false)`
/// for an opt-in (START, …), `None` otherwise. The whole message must be the keyword.
fn is_keyword(body: &str) -> Option<bool> {
    let word = body.trim().to_ascii_uppercase();
    match word.as_str() {
        "STOP" | "STOPALL" | "UNSUBSCRIBE" | "CANCEL" | "END" | "QUIT" | "OPTOUT" | "REVOKE" => {
            Some(true)
        }
        "START" | "YES" | "UNSTOP" => Some(false),
        _ => None,
    }
}
