//! Write-back of a contact's mobile number to Microsoft 365 (`PATCH /users/{id}`).
//! On-premises-synced users are refused before any call (their `mobilePhone` is read-only in
//! the cloud); a 403 carries Microsoft's reason and the role needed.

use super::LinkKind;
use super::MicrosoftError;
use super::tokens::{TokenFailure, registration};
use crate::App;
use countersign_microsoft::ErrorKind;
use countersign_store::{Contact, CustomerStore};

impl App {
    /// Writes `mobile` (as entered; `None` clears it) to the contact's user in Microsoft 365,
    /// through a tenant link of its customer (admin consent first, then GDAP).
    ///
    /// # Errors
    /// `User` with the reason Microsoft refused, or why it cannot be written.
    pub async fn write_back_mobile(
        &self,
        contact: &Contact,
        mobile: Option<&str>,
    ) -> Result<(), MicrosoftError> {
        let Some(user_id) = contact.external_id.as_deref() else {
            return Err(MicrosoftError::User(
                "this contact has no Microsoft 365 user".into(),
            ));
        };
        let customer = self
            .store
            .customer(contact.org_id, contact.customer_id)
            .await?;
        let tenant = customer.external_id.clone().unwrap_or_default();
        // Every link of the org's integrations to this tenant; consent (app-only) first.
        let mut links = Vec::new();
        for i in self.microsoft_integrations(contact.org_id).await? {
            for l in self.tenant_links(contact.org_id, i.id).await? {
                if l.new.tenant_id.eq_ignore_ascii_case(&tenant)
                    && l.ended_at.is_none()
                    && l.unlinked_at.is_none()
                {
                    links.push((i.clone(), l));
                }
            }
        }
        links.sort_by_key(|(_, l)| l.new.link != LinkKind::AdminConsent);
        let Some((i, link)) = links.into_iter().next() else {
            return Err(MicrosoftError::User(
                "the customer's tenant is no longer linked to an integration, so the change cannot reach Microsoft 365".into(),
            ));
        };
        let cloud = self.cloud_of(&i)?;
        let app = registration(link.new.link);
        let (microsoft, cloud, tenant) = (&self.microsoft, &cloud, tenant.as_str());
        // Refused up front: Graph would answer 400, but only after a write attempt.
        let user = self
            .with_token(&i, link.new.link, tenant, |token| async move {
                microsoft.user(cloud, tenant, &token, user_id).await
            })
            .await
            .map_err(|f| f.into_user(app))?;
        if user.is_on_premises() {
            return Err(MicrosoftError::User(
                "this user is synced from on-premises Active Directory, so its mobile number can only be changed there (Active Directory Users and Computers, or your HR system)".into(),
            ));
        }
        match self
            .with_token(&i, link.new.link, tenant, |token| async move {
                microsoft
                    .patch_mobile_phone(cloud, tenant, &token, user_id, mobile)
                    .await
            })
            .await
        {
            Ok(()) => Ok(()),
            Err(TokenFailure::Local(e)) => Err(e),
            Err(TokenFailure::Microsoft(e)) if e.kind() == ErrorKind::Forbidden => {
                Err(MicrosoftError::User(format!(
                    "{} Changing the mobile number of an administrator needs a higher role: Privileged Authentication Administrator (or User Administrator for non-privileged users) for the {} sign-in",
                    e.user_message_for(app, None),
                    if link.new.link == LinkKind::Gdap {
                        "GDAP"
                    } else {
                        "application's"
                    }
                )))
            }
            Err(TokenFailure::Microsoft(e)) if e.kind() == ErrorKind::BadRequest => {
                Err(MicrosoftError::User(format!(
                    "{} If the user is synced from on-premises Active Directory, change the number there",
                    e.user_message_for(app, None)
                )))
            }
            Err(TokenFailure::Microsoft(e)) => {
                Err(MicrosoftError::User(e.user_message_for(app, None)))
            }
        }
    }
}
