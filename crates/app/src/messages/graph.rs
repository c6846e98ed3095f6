//! Email through Microsoft Graph `sendMail`, from the org's Microsoft 365 mailbox: the
//! integration's app gets an app-only token in the MSP's own tenant (client credentials) and
//! sends as the mailbox.

use crate::App;
use crate::graph_mail::mail_tenant;
use crate::microsoft::MicrosoftError;
use countersign_messaging::{Brand, Delivery, DeliveryStatus, SendError};
use countersign_microsoft::{ErrorKind, MailMessage, MsError};
use countersign_store::{GraphMailStore, Message, StoreError};

impl App {
    /// One attempt to send an email message through Graph.
    ///
    /// # Errors
    /// Permanent for a missing setting, integration, permission or mailbox; retryable when
    /// Microsoft or the store did not answer.
    pub(super) async fn send_graph_mail(
        &self,
        m: &Message,
        brand: Option<&Brand>,
    ) -> Result<Delivery, SendError> {
        let store = |e: StoreError| SendError::retryable(format!("store: {e}"), None);
        let Some(setting) = self.store.graph_mail(m.org_id).await.map_err(store)? else {
            return Err(SendError::permanent(
                "email from a Microsoft 365 mailbox is no longer set up (Settings ▸ Branding)",
                None,
            ));
        };
        let i = match self
            .microsoft_integration(m.org_id, setting.integration_id)
            .await
        {
            Ok(i) => i,
            Err(MicrosoftError::NotFound) => {
                return Err(SendError::permanent(
                    "the Microsoft 365 integration chosen for email was deleted: choose another in Settings ▸ Branding",
                    None,
                ));
            }
            Err(MicrosoftError::Store(e)) => return Err(store(e)),
            Err(e) => return Err(SendError::permanent(e.to_string(), None)),
        };
        let local = |e: MicrosoftError| SendError::permanent(e.to_string(), None);
        let tenant = mail_tenant(&i).map_err(local)?;
        let cloud = self.cloud_of(&i).map_err(local)?;
        let creds = self.gdap_credentials(&i).map_err(local)?;
        let token = self
            .microsoft
            .app_token(&cloud, tenant, &creds)
            .await
            .map_err(token_error)?;
        let mail = MailMessage {
            subject: m.subject.clone(),
            html: m.body_html.clone().unwrap_or_default(),
            to: vec![m.recipient.clone()],
            reply_to: brand.map(|b| b.reply_to.clone()).unwrap_or_default(),
        };
        match self
            .microsoft
            .send_mail(&cloud, tenant, &token, &setting.mailbox, &mail)
            .await
        {
            Ok(()) => Ok(Delivery {
                provider_id: None,
                status: DeliveryStatus::Sent,
            }),
            Err(e) if e.is_retryable() => Err(SendError::retryable(e.to_string(), e.code())),
            Err(e) => Err(SendError::permanent(e.to_string(), e.code())),
        }
    }
}

/// A token failure as a send error: retryable only when Microsoft did not answer.
fn token_error(e: MsError) -> SendError {
    let message = format!(
        "Microsoft 365 sign-in for email failed: {}",
        e.user_message_for(countersign_microsoft::AppRegistration::Gdap, None)
    );
    let code = e.aadsts().map(|c| format!("AADSTS{c}"));
    if e.kind() == ErrorKind::Unavailable {
        SendError::retryable(message, code)
    } else {
        SendError::permanent(message, code)
    }
}
