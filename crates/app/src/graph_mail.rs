//! Settings ▸ Branding: send the org's email from a Microsoft 365 mailbox (Graph `sendMail`)
//! through one of its integrations, instead of SMTP. Admins only; audited.
//!
//! The integration's own app (the GDAP app registered in the MSP's tenant) sends with client
//! credentials against the MSP's own tenant (the GDAP partner tenant); the app needs the
//! `Mail.Send` application permission, admin-consented.

use crate::microsoft::{MicrosoftError, MicrosoftIntegration};
use crate::{App, Principal};
use countersign_domain::{Email, IntegrationId, Permission};
use countersign_store::{GraphMail, GraphMailStore};
use serde_json::json;

/// The form: an integration id (empty: back to SMTP) and the sending mailbox.
#[derive(Clone, Debug, Default)]
pub struct GraphMailInput {
    /// The integration's id, or empty to send through SMTP again.
    pub integration_id: String,
    /// The mailbox address (a user of the MSP's tenant).
    pub mailbox: String,
}

/// The branding page's mail section.
#[derive(Clone, Debug, Default)]
pub struct GraphMailView {
    /// The integrations with an app in the MSP's own tenant: (id, name).
    pub senders: Vec<(IntegrationId, String)>,
    /// The org's choice (none: SMTP).
    pub current: Option<GraphMail>,
}

/// The tenant an integration sends mail in: the MSP's own (GDAP partner) tenant, where its app
/// is registered.
///
/// # Errors
/// `User` when the integration has no GDAP app set up.
pub fn mail_tenant(i: &MicrosoftIntegration) -> Result<&str, MicrosoftError> {
    match (
        &i.settings.gdap_partner_tenant_id,
        &i.settings.gdap_client_id,
    ) {
        (Some(tenant), Some(_)) if !tenant.is_empty() => Ok(tenant),
        _ => Err(MicrosoftError::User(format!(
            "the integration {} has no app in your own tenant yet: set up Connect to Microsoft 365 (GDAP) with your app's ID and secret first",
            i.name
        ))),
    }
}

impl App {
    /// The section of the branding page: the org's integrations that can send mail, and its
    /// Microsoft 365 mailbox choice, if any.
    ///
    /// # Errors
    /// `Denied` without the permission; store failures.
    pub async fn graph_mail_view(&self, by: &Principal) -> Result<GraphMailView, MicrosoftError> {
        by.require(Permission::ManageSettings)?;
        let senders = self
            .microsoft_integrations(by.org_id())
            .await?
            .into_iter()
            .filter(|i| mail_tenant(i).is_ok())
            .map(|i| (i.id, i.name))
            .collect();
        Ok(GraphMailView {
            senders,
            current: self.store.graph_mail(by.org_id()).await?,
        })
    }

    /// Saves (or, with an empty integration, removes) the org's Microsoft 365 mailbox.
    /// Messages queued afterwards go through Graph (or SMTP again).
    ///
    /// # Errors
    /// `NotAllowed` for non-admins; `User` for an unknown integration, one without an app in
    /// the MSP's tenant, or a mailbox that is not an address; store failures.
    pub async fn set_graph_mail(
        &self,
        by: &Principal,
        input: &GraphMailInput,
    ) -> Result<(), MicrosoftError> {
        by.require(Permission::ManageSettings)?;
        let actor = by.actor();
        let chosen = input.integration_id.trim();
        if chosen.is_empty() {
            if self.store.clear_graph_mail(by.org_id()).await? {
                self.audit(
                    &actor,
                    Some(by.org_id()),
                    "branding.graph_mail_cleared",
                    "",
                    json!({}),
                )
                .await?;
            }
            return Ok(());
        }
        let unknown =
            || MicrosoftError::User("choose one of your Microsoft 365 integrations".into());
        let id = uuid::Uuid::parse_str(chosen).map_err(|_| unknown())?;
        let i = match self
            .microsoft_integration(by.org_id(), IntegrationId(id))
            .await
        {
            Ok(i) => i,
            Err(MicrosoftError::NotFound) => return Err(unknown()),
            Err(e) => return Err(e),
        };
        let tenant = mail_tenant(&i)?.to_owned();
        let mailbox = Email::parse(input.mailbox.trim()).map_err(|_| {
            MicrosoftError::User(
                "enter the mailbox's address, e.g. notifications@yourmsp.com".into(),
            )
        })?;
        self.store
            .save_graph_mail(&GraphMail {
                org_id: by.org_id(),
                integration_id: i.id,
                mailbox: mailbox.as_str().to_owned(),
                updated_at: self.now(),
            })
            .await?;
        self.audit(
            &actor,
            Some(by.org_id()),
            "branding.graph_mail_set",
            &i.id.to_string(),
            json!({ "mailbox": mailbox.as_str(), "tenant_id": tenant }),
        )
        .await?;
        Ok(())
    }
}
