//! The control surface as a Rust API, for in-process use (tests, `countersign demo`). The HTTP
//! control API in `routes.rs` is a thin layer over these same methods.

use crate::faults::{FaultConfig, FaultCounts};
use crate::graph::patch::edited;
use crate::model::Consent;
use crate::model::directory::{DirectoryError, Lifecycle, diff};
use crate::model::user::{FieldSet, Selected};
use crate::scenario::UserSpec;
use crate::state::{AppState, SentMail, WriteRecord};
use crate::throttle::ThrottleConfig;
use crate::world::Tenant;
use std::sync::Arc;
use uuid::Uuid;

#[derive(Debug, thiserror::Error)]
pub enum ControlError {
    #[error("unknown tenant '{0}'")]
    UnknownTenant(String),
    #[error("unknown user '{0}'")]
    UnknownUser(String),
    #[error(transparent)]
    Directory(#[from] DirectoryError),
    #[error("invalid request: {0}")]
    Invalid(String),
}

/// Drives the emulated world between syncs. Cheap to clone.
#[derive(Clone, Debug)]
pub struct ControlHandle {
    state: AppState,
}

impl ControlHandle {
    pub(crate) fn new(state: AppState) -> Self {
        ControlHandle { state }
    }

    fn tenant(&self, key: &str) -> Result<Arc<Tenant>, ControlError> {
        self.state
            .world
            .resolve_tenant(key)
            .ok_or_else(|| ControlError::UnknownTenant(key.into()))
    }

    fn user_id(&self, tenant: &Tenant, key: &str) -> Result<Uuid, ControlError> {
        tenant
            .read()
            .resolve(key)
            .ok_or_else(|| ControlError::UnknownUser(key.into()))
    }

    /// A user with every property and its lifecycle state (`active`, `softDeleted`,
    /// `hardDeleted`), or `None`.
    pub fn user(&self, tenant: &str, user: &str) -> Result<serde_json::Value, ControlError> {
        let t = self.tenant(tenant)?;
        let id = self.user_id(&t, user)?;
        let dir = t.read();
        let entry = dir
            .entry(id)
            .ok_or_else(|| ControlError::UnknownUser(user.into()))?;
        let mut v = serde_json::to_value(Selected {
            user: &entry.user,
            fields: FieldSet::ALL,
        })
        .map_err(|e| ControlError::Invalid(e.to_string()))?;
        v["state"] = match entry.state {
            Lifecycle::Active => "active",
            Lifecycle::SoftDeleted => "softDeleted",
            Lifecycle::HardDeleted => "hardDeleted",
        }
        .into();
        v["roles"] = serde_json::to_value(&entry.user.roles).unwrap_or_default();
        Ok(v)
    }

    /// Changes properties as an admin would in the portal, using Graph property names
    /// (`{"mobilePhone": "+1 …", "businessPhones": []}`). No permission or on-premises rules:
    /// this is the world changing, not a client writing. Shows up in the next delta round.
    pub fn edit_user(
        &self,
        tenant: &str,
        user: &str,
        changes: &serde_json::Value,
    ) -> Result<(), ControlError> {
        let t = self.tenant(tenant)?;
        let id = self.user_id(&t, user)?;
        let serde_json::Value::Object(map) = changes else {
            return Err(ControlError::Invalid("expected a JSON object".into()));
        };
        let mut dir = t.write();
        let current = dir
            .active(id)
            .ok_or(DirectoryError::WrongState(Lifecycle::SoftDeleted))?;
        let new = edited(current, map).map_err(|e| ControlError::Invalid(e.message))?;
        let changed = diff(current, &new);
        dir.update(id, |u| {
            *u = new;
            changed
        })?;
        Ok(())
    }

    /// Changes a tenant's country (`countryLetterCode`; `None`: null), as its admin would.
    pub fn set_tenant_country(
        &self,
        tenant: &str,
        country: Option<&str>,
    ) -> Result<(), ControlError> {
        self.tenant(tenant)?.set_country(country.map(str::to_owned));
        Ok(())
    }

    /// Adds a user; returns its id.
    pub fn add_user(&self, tenant: &str, spec: &UserSpec) -> Result<Uuid, ControlError> {
        let t = self.tenant(tenant)?;
        let user =
            crate::scenario::user_from_spec(Uuid::new_v4().as_u128() as u64, &t.domain, spec)
                .map_err(|e| ControlError::Invalid(e.to_string()))?;
        let id = user.id;
        t.write().add(user)?;
        Ok(id)
    }

    pub fn soft_delete(&self, tenant: &str, user: &str) -> Result<(), ControlError> {
        let t = self.tenant(tenant)?;
        let id = self.user_id(&t, user)?;
        Ok(t.write().soft_delete(id)?)
    }

    pub fn hard_delete(&self, tenant: &str, user: &str) -> Result<(), ControlError> {
        let t = self.tenant(tenant)?;
        let id = self.user_id(&t, user)?;
        Ok(t.write().hard_delete(id)?)
    }

    pub fn restore(&self, tenant: &str, user: &str) -> Result<(), ControlError> {
        let t = self.tenant(tenant)?;
        let id = self.user_id(&t, user)?;
        Ok(t.write().restore(id)?)
    }

    /// Revokes the user's refresh tokens (AADSTS50173 on next use), like a password reset.
    pub fn revoke_sessions(&self, tenant: &str, user: &str) -> Result<(), ControlError> {
        let t = self.tenant(tenant)?;
        let id = self.user_id(&t, user)?;
        self.state
            .grants
            .revoke_user(t.id, id, self.state.clock.now());
        Ok(())
    }

    pub fn grant_consent(
        &self,
        tenant: &str,
        client_id: Uuid,
        consent: Consent,
    ) -> Result<(), ControlError> {
        let t = self.tenant(tenant)?;
        self.state.world.grant_consent(t.id, client_id, consent);
        Ok(())
    }

    /// Registers a redirect URI for an app, as an admin would in the portal (a trailing `*`
    /// allows every URI under that prefix).
    pub fn add_redirect_uri(&self, client_id: Uuid, uri: &str) {
        self.state.world.add_redirect_uri(client_id, uri);
    }

    pub fn revoke_consent(&self, tenant: &str, client_id: Uuid) -> Result<bool, ControlError> {
        let t = self.tenant(tenant)?;
        Ok(self.state.world.revoke_consent(t.id, client_id))
    }

    /// Sets a GDAP relationship's status (by id or display name): `expired` when it reached
    /// its end date, `terminated` when the partner or the customer ended it, `active` again.
    pub fn set_relationship_status(
        &self,
        relationship: &str,
        status: &str,
    ) -> Result<(), ControlError> {
        const STATUSES: [&str; 10] = [
            "activating",
            "active",
            "approvalPending",
            "approved",
            "created",
            "expired",
            "expiring",
            "terminated",
            "terminating",
            "terminationRequested",
        ];
        if !STATUSES.contains(&status) {
            return Err(ControlError::Invalid(format!(
                "unknown relationship status '{status}'"
            )));
        }
        if self
            .state
            .world
            .set_relationship_status(relationship, status)
        {
            Ok(())
        } else {
            Err(ControlError::Invalid(format!(
                "no GDAP relationship '{relationship}'"
            )))
        }
    }

    /// Resets the tenant's `/users/delta` sync state after `after_pages` more delta pages
    /// (0: now): every skip and delta token issued before then answers 410 `resyncRequired`,
    /// as Graph does when it loses a sync state, in the middle of a round too.
    pub fn reset_delta_state(&self, tenant: &str, after_pages: u32) -> Result<(), ControlError> {
        let t = self.tenant(tenant)?;
        self.state.delta_resets.reset(t.id, after_pages);
        Ok(())
    }

    /// Writes Graph received (PATCH), oldest first, including refused ones.
    #[must_use]
    pub fn writes(&self) -> Vec<WriteRecord> {
        self.state.writes()
    }

    pub fn clear_writes(&self) {
        self.state.clear_writes();
    }

    /// Emails Graph accepted through `sendMail`, oldest first.
    #[must_use]
    pub fn sent_mail(&self) -> Vec<SentMail> {
        self.state.sent_mail()
    }

    pub fn set_faults(&self, faults: FaultConfig) {
        self.state.faults.set(faults);
    }

    #[must_use]
    pub fn faults(&self) -> FaultConfig {
        self.state.faults.get()
    }

    #[must_use]
    pub fn fault_counts(&self) -> FaultCounts {
        self.state.faults.counts()
    }

    /// Replaces throttling settings and empties every bucket.
    pub fn set_throttling(&self, config: ThrottleConfig) {
        self.state.throttle.set_config(config);
    }

    #[must_use]
    pub fn throttling(&self) -> ThrottleConfig {
        self.state.throttle.config()
    }

    /// Moves the emulator clock forward: tokens, codes, secrets and delta links age.
    /// Graph refuses every access token of `tenant` issued until now (401), as after a
    /// revocation; tokens issued afterwards work. Token times have one-second resolution, so
    /// the clock moves on by a second for the next token to be a later one.
    pub fn revoke_tokens(&self, tenant: &str) -> Result<(), ControlError> {
        let t = self.tenant(tenant)?;
        let now = self.state.clock.now_seconds();
        self.state
            .token_cutoffs
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(t.id, now);
        self.state.clock.advance_seconds(1);
        Ok(())
    }

    pub fn advance_clock(&self, seconds: u64) {
        self.state.clock.advance_seconds(seconds);
    }
}
