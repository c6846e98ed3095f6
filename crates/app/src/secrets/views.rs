//! What the technician's secret pages read besides a link: the expiry choices of the form.

use super::{Expiry, SecretError};
use crate::{App, Principal};
use countersign_domain::Permission;
use countersign_store::ChallengeStore;

impl App {
    /// The expiries a new link of `by`'s org may have, shortest first (`SendSecrets`): the
    /// org caps how long its links live (Settings ▸ Verification).
    ///
    /// # Errors
    /// Without the permission, or a store failure.
    pub async fn secret_expiries(&self, by: &Principal) -> Result<Vec<Expiry>, SecretError> {
        by.require(Permission::SendSecrets)?;
        let rules = self.store.verification_settings(by.org_id()).await?;
        Ok(Expiry::allowed(rules.secret_max_hours))
    }
}
