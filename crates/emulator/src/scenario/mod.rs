//! Scenario files: what the emulated cloud contains. See docs/emulator.md for the format and
//! crates/emulator/scenarios/example.toml for a checked-in example.

mod build;
pub mod generate;
mod names;
mod phones;

use crate::faults::FaultConfig;
use crate::model::AppKind;
use crate::throttle::ThrottleConfig;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::path::Path;
use uuid::Uuid;

pub(crate) use build::{build_world, user_from_spec};

#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    #[error("cannot read scenario file {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("invalid TOML scenario: {0}")]
    Toml(#[from] toml::de::Error),
    #[error("invalid JSON scenario: {0}")]
    Json(#[from] serde_json::Error),
    #[error("invalid scenario: {0}")]
    Invalid(String),
}

/// The whole emulated world, as declared in a scenario file or generated.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Seeds generated users and fault injection; the same seed gives the same world.
    #[serde(default)]
    pub seed: u64,
    /// The MSP's own (partner) tenant, where the technicians and the partner app live.
    pub partner: TenantSpec,
    #[serde(default)]
    pub apps: Vec<AppSpec>,
    /// Customer tenants.
    #[serde(default)]
    pub tenants: Vec<TenantSpec>,
    #[serde(default)]
    pub gdap: Vec<GdapSpec>,
    #[serde(default)]
    pub consents: Vec<ConsentSpec>,
    #[serde(default)]
    pub throttling: ThrottleConfig,
    #[serde(default)]
    pub faults: FaultConfig,
    /// The SMS face's account and faults (`[sms]`).
    #[serde(default)]
    pub sms: crate::sms::config::SmsScenario,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TenantSpec {
    /// Tenant GUID; derived from the domain and seed when absent.
    pub id: Option<Uuid>,
    /// Initial domain, e.g. `contoso.onmicrosoft.com`; UPNs are built on it.
    pub domain: String,
    #[serde(default)]
    pub extra_domains: Vec<String>,
    pub display_name: String,
    #[serde(default)]
    pub users: Vec<UserSpec>,
    /// Additional realistic users to generate deterministically (see `generate`).
    #[serde(default)]
    pub generate_users: usize,
    /// Hybrid tenant: most generated users are synced from on-premises AD.
    #[serde(default)]
    pub hybrid: bool,
    /// Legacy partner contract type listed under `/contracts` (customers only), e.g.
    /// `ResellerPartner`. Absent: no contract.
    pub contract: Option<String>,
    /// The tenant's country (`/organization` `countryLetterCode`), two letters; `US` when
    /// absent, `null` when empty.
    #[serde(default)]
    pub country: Option<String>,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserSpec {
    pub id: Option<Uuid>,
    pub display_name: String,
    pub given_name: Option<String>,
    pub surname: Option<String>,
    /// Full UPN, or only the part before `@` (the tenant domain is appended).
    pub upn: String,
    /// Defaults to the UPN for members.
    pub mail: Option<String>,
    pub mobile_phone: Option<String>,
    /// Two-letter country code where the user's services are delivered (`usageLocation`).
    pub usage_location: Option<String>,
    /// The user's country, free text (`country`).
    pub country: Option<String>,
    #[serde(default)]
    pub business_phones: Vec<String>,
    pub job_title: Option<String>,
    pub office_location: Option<String>,
    pub preferred_language: Option<String>,
    #[serde(default = "yes")]
    pub account_enabled: bool,
    /// `Member` (default) or `Guest`.
    pub user_type: Option<String>,
    /// License `skuId`s; empty means unlicensed.
    #[serde(default)]
    pub licenses: Vec<Uuid>,
    #[serde(default)]
    pub on_premises_sync: bool,
    /// Directory roles by display name (e.g. `User Administrator`) or template id.
    #[serde(default)]
    pub roles: Vec<String>,
}

fn yes() -> bool {
    true
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AppSpec {
    pub client_id: Uuid,
    pub display_name: String,
    pub kind: AppKind,
    pub secrets: Vec<SecretSpec>,
    #[serde(default)]
    pub redirect_uris: Vec<String>,
    #[serde(default)]
    pub application_permissions: Vec<String>,
    #[serde(default)]
    pub delegated_permissions: Vec<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SecretSpec {
    pub value: String,
    /// RFC 3339 expiry, e.g. `2020-01-01T00:00:00Z`; absent: never expires.
    pub expires: Option<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GdapSpec {
    pub id: Option<String>,
    /// Customer tenant id or domain.
    pub customer: String,
    pub display_name: String,
    #[serde(default = "active")]
    pub status: String,
    /// Roles by display name or template id.
    pub roles: Vec<String>,
    #[serde(default = "two_years")]
    pub duration: String,
}

fn active() -> String {
    "active".into()
}

fn two_years() -> String {
    "P730D".into()
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsentSpec {
    /// Tenant id or domain.
    pub tenant: String,
    pub client_id: Uuid,
    /// Defaults to every application permission of the app.
    pub application_permissions: Option<Vec<String>>,
    /// Defaults to every delegated permission of the app.
    pub delegated_permissions: Option<Vec<String>>,
    /// Directory roles given to the app's service principal in that tenant.
    #[serde(default)]
    pub directory_roles: Vec<String>,
}

impl Scenario {
    /// Reads a `.toml` or `.json` scenario file.
    pub fn from_file(path: impl AsRef<Path>) -> Result<Scenario, ScenarioError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|source| ScenarioError::Io {
            path: path.display().to_string(),
            source,
        })?;
        if path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("json"))
        {
            Ok(serde_json::from_str(&text)?)
        } else {
            Scenario::from_toml(&text)
        }
    }

    pub fn from_toml(text: &str) -> Result<Scenario, ScenarioError> {
        Ok(toml::from_str(text)?)
    }

    /// A deterministic world: a partner tenant with technicians, both kinds of app, and
    /// `tenants` customers with `users_per_tenant` realistic users each.
    #[must_use]
    pub fn generate(tenants: usize, users_per_tenant: usize, seed: u64) -> Scenario {
        generate::scenario(tenants, users_per_tenant, seed)
    }
}

/// A GUID derived from text and the seed, so scenario ids are stable without being written.
#[must_use]
pub fn stable_uuid(seed: u64, parts: &[&str]) -> Uuid {
    let mut h = Sha256::new();
    h.update(seed.to_le_bytes());
    for p in parts {
        h.update(p.as_bytes());
        h.update([0]);
    }
    let digest = h.finalize();
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    uuid::Builder::from_random_bytes(bytes).into_uuid()
}
