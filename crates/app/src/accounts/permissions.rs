//! Granting and revoking a technician's permissions (Settings ▸ Technicians). Admins hold
//! every permission by their role, so only technicians' grants mean anything; an admin's
//! grants are kept (they matter again if the admin is made a technician).

use super::AccountError;
use crate::{App, Principal};
use countersign_domain::{Permission, Permissions, TechnicianId};
use countersign_store::{Technician, TechnicianStore};
use serde_json::json;

impl App {
    /// Replaces the permissions granted to technician `id`, and audits what changed
    /// (`technician.permissions_changed`: granted, revoked and the resulting set). Saving the
    /// same set changes and audits nothing.
    ///
    /// # Errors
    /// Not an admin, not found (another org's technician too), or a store failure.
    pub async fn set_technician_permissions(
        &self,
        by: &Principal,
        id: TechnicianId,
        permissions: Permissions,
    ) -> Result<Technician, AccountError> {
        by.require(Permission::ManageTechnicians)?;
        let target = self.store.technician(by.org_id(), id).await?;
        if target.permissions == permissions {
            return Ok(target);
        }
        let changed = |from: &Permissions, to: &Permissions| -> Vec<&'static str> {
            Permission::GRANTABLE
                .into_iter()
                .filter(|p| to.contains(*p) && !from.contains(*p))
                .map(Permission::as_str)
                .collect()
        };
        let granted = changed(&target.permissions, &permissions);
        let revoked = changed(&permissions, &target.permissions);
        self.store
            .set_permissions(by.org_id(), id, &permissions)
            .await?;
        self.audit(
            &by.actor(),
            None,
            "technician.permissions_changed",
            &id.to_string(),
            json!({
                "granted": granted,
                "revoked": revoked,
                "permissions": permissions.names(),
            }),
        )
        .await?;
        Ok(Technician {
            permissions,
            ..target
        })
    }
}
