//! What admins do to technicians and the org: roles, (de)activation, ending sessions, settings.
//! Every method checks the acting admin first and looks the target up within the admin's org,
//! so another org's technician is `NotFound`.

use super::AccountError;
use crate::{App, Principal};
use countersign_domain::{Permission, Role, TechnicianId};
use countersign_store::{
    Org, OrgStore, SessionStore, Technician, TechnicianChange, TechnicianStore,
};
use serde_json::json;

impl App {
    /// Changes a technician's role. Demoting the last active admin is refused.
    ///
    /// # Errors
    /// Not an admin, not found, last admin, or a store failure.
    pub async fn change_role(
        &self,
        by: &Principal,
        id: TechnicianId,
        role: Role,
    ) -> Result<Technician, AccountError> {
        by.require(Permission::ManageTechnicians)?;
        let target = self.store.technician(by.org_id(), id).await?;
        if target.role == role {
            return Ok(target);
        }
        // The last-admin check and the write are one step in the store, so two admins
        // demoting each other at once cannot both pass it.
        if !self
            .store
            .change_keeping_an_admin(by.org_id(), id, TechnicianChange::Role(role))
            .await?
        {
            return Err(AccountError::LastAdmin);
        }
        self.audit(
            &by.actor(),
            None,
            "technician.role_changed",
            &id.to_string(),
            json!({ "from": target.role.as_str(), "to": role.as_str() }),
        )
        .await?;
        Ok(self.store.technician(by.org_id(), id).await?)
    }

    /// Deactivates (ending every session at once) or reactivates a technician.
    /// Deactivating the last active admin is refused.
    ///
    /// # Errors
    /// Not an admin, not found, last admin, or a store failure.
    pub async fn set_technician_active(
        &self,
        by: &Principal,
        id: TechnicianId,
        active: bool,
    ) -> Result<Technician, AccountError> {
        by.require(Permission::ManageTechnicians)?;
        let target = self.store.technician(by.org_id(), id).await?;
        if target.active == active {
            return Ok(target);
        }
        // As for roles: checked and written in one step (deactivation also ends the sessions).
        if !self
            .store
            .change_keeping_an_admin(by.org_id(), id, TechnicianChange::Active(active))
            .await?
        {
            return Err(AccountError::LastAdmin);
        }
        let action = if active {
            "technician.reactivated"
        } else {
            "technician.deactivated"
        };
        self.audit(&by.actor(), None, action, &id.to_string(), json!({}))
            .await?;
        Ok(self.store.technician(by.org_id(), id).await?)
    }

    /// Ends every session of a technician of the admin's org.
    ///
    /// # Errors
    /// Not an admin, not found, or a store failure.
    pub async fn end_sessions_of(
        &self,
        by: &Principal,
        id: TechnicianId,
    ) -> Result<u64, AccountError> {
        by.require(Permission::ManageTechnicians)?;
        let target = self.store.technician(by.org_id(), id).await?;
        let n = self
            .store
            .delete_sessions_of(by.org_id(), target.id)
            .await?;
        self.audit(
            &by.actor(),
            None,
            "session.revoked",
            &id.to_string(),
            json!({ "sessions": n }),
        )
        .await?;
        Ok(n)
    }

    /// Changes the org's name and whether every technician must use 2FA.
    ///
    /// # Errors
    /// Not an admin, a blank name, or a store failure.
    pub async fn update_org_settings(
        &self,
        by: &Principal,
        name: &str,
        require_2fa: bool,
    ) -> Result<Org, AccountError> {
        by.require(Permission::ManageSettings)?;
        let name = countersign_domain::text::ORG_NAME.check(name)?;
        if name.is_empty() {
            return Err(AccountError::OrgNameRequired);
        }
        super::one_line(name)?;
        let before = self.store.org(by.org_id()).await?;
        self.store
            .update_org_settings(by.org_id(), name, require_2fa)
            .await?;
        self.audit(
            &by.actor(),
            None,
            "org.settings_changed",
            &by.org_id().to_string(),
            json!({
                "name_changed": before.name != name,
                "require_2fa": require_2fa,
            }),
        )
        .await?;
        Ok(self.store.org(by.org_id()).await?)
    }

    /// The org's settings, for their page.
    ///
    /// # Errors
    /// Not allowed, or a store failure.
    pub async fn org_settings(&self, by: &Principal) -> Result<Org, AccountError> {
        by.require(Permission::ManageSettings)?;
        Ok(self.store.org(by.org_id()).await?)
    }
}
