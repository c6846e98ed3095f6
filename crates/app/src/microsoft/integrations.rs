//! Creating, renaming, configuring and deleting integrations (`ManageIntegrations`: admins).

use super::{
    MicrosoftConfig, MicrosoftError, MicrosoftIntegration, SyncFilters, offered_clouds,
    server_custom_cloud,
};
use crate::{App, Principal};
use countersign_domain::{IntegrationId, Permission};
use countersign_microsoft::CloudKind;
use countersign_store::{IntegrationKind, IntegrationStore};
use serde_json::json;

/// The integration page's settings form. There is no field for a host: an admin picks a
/// cloud the server offers ([`super::offered_clouds`]).
#[derive(Clone, Debug, Default)]
pub struct IntegrationInput {
    /// Cloud kind (form value).
    pub cloud: String,
    /// Filters.
    pub filters: SyncFilters,
}

fn check_name(name: &str) -> Result<String, MicrosoftError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(MicrosoftError::User(
            "enter a name for the integration".into(),
        ));
    }
    if name.chars().count() > 100 {
        return Err(MicrosoftError::User(
            "the name is too long (100 characters at most)".into(),
        ));
    }
    Ok(name.to_owned())
}

impl App {
    /// Adds an integration of `kind` named `name` (Global cloud, default filters).
    ///
    /// # Errors
    /// `Denied` without `ManageIntegrations`; an empty or long name; a store failure.
    pub async fn create_integration(
        &self,
        by: &Principal,
        kind: IntegrationKind,
        name: &str,
    ) -> Result<MicrosoftIntegration, MicrosoftError> {
        by.require(Permission::ManageIntegrations)?;
        let name = check_name(name)?;
        let now = self.now();
        // A server set up for another cloud (the demo's simulator) starts integrations there.
        let cloud = if server_custom_cloud(&self.settings).is_some() {
            CloudKind::Custom
        } else {
            CloudKind::Global
        };
        // Every kind offered today is Microsoft 365. A second kind stops this compiling: it
        // brings its own settings type and its own `new_row`.
        let IntegrationKind::Microsoft365 = kind;
        let row = MicrosoftIntegration::new_row(
            by.org_id(),
            name,
            &MicrosoftConfig::new(cloud.as_str()),
            now,
        )?;
        self.store.create_integration(&row).await?;
        let i = MicrosoftIntegration::from_row(row)?;
        self.audit(
            &by.actor(),
            None,
            "integration.created",
            &i.id.to_string(),
            json!({ "kind": kind.as_str() }),
        )
        .await?;
        Ok(i)
    }

    /// Renames an integration.
    ///
    /// # Errors
    /// `Denied` without `ManageIntegrations`; a bad name; not found.
    pub async fn rename_integration(
        &self,
        by: &Principal,
        id: IntegrationId,
        name: &str,
    ) -> Result<(), MicrosoftError> {
        by.require(Permission::ManageIntegrations)?;
        let name = check_name(name)?;
        self.store
            .rename_integration(by.org_id(), id, &name, self.now())
            .await?;
        self.audit(
            &by.actor(),
            None,
            "integration.renamed",
            &id.to_string(),
            json!({}),
        )
        .await?;
        Ok(())
    }

    /// Sets the cloud (one the server offers) and the filters.
    ///
    /// # Errors
    /// `Denied` without `ManageIntegrations`; a cloud the server does not offer; not found.
    pub async fn update_integration_settings(
        &self,
        by: &Principal,
        id: IntegrationId,
        input: &IntegrationInput,
    ) -> Result<(), MicrosoftError> {
        by.require(Permission::ManageIntegrations)?;
        let kind = CloudKind::parse(&input.cloud)
            .filter(|k| offered_clouds(&self.settings).contains(k))
            .ok_or_else(|| MicrosoftError::User("pick a cloud from the list".into()))?;
        self.change_microsoft(by.org_id(), id, |settings, _| {
            settings.cloud = kind.as_str().into();
            settings.filters = input.filters;
            Ok(true)
        })
        .await?;
        self.audit(
            &by.actor(),
            None,
            "integration.settings_changed",
            &id.to_string(),
            json!({
                "cloud": kind.as_str(),
                "skip_guests": input.filters.skip_guests,
                "skip_disabled": input.filters.skip_disabled,
                "skip_unlicensed": input.filters.skip_unlicensed,
            }),
        )
        .await?;
        Ok(())
    }

    /// Deletes an integration with its tenant links and the contacts only it brought in.
    /// Returns how many contacts went with it.
    ///
    /// # Errors
    /// `Denied` without `ManageIntegrations`; not found; a store failure.
    pub async fn delete_integration(
        &self,
        by: &Principal,
        id: IntegrationId,
    ) -> Result<u64, MicrosoftError> {
        by.require(Permission::ManageIntegrations)?;
        let deleted = self.store.delete_integration(by.org_id(), id).await?;
        self.audit(
            &by.actor(),
            None,
            "integration.deleted",
            &id.to_string(),
            json!({ "contacts_deleted": deleted }),
        )
        .await?;
        Ok(deleted)
    }
}
