//! `POST /users/{id | userPrincipalName}/sendMail`: email from a mailbox of the tenant the
//! app-only token is for (application permission `Mail.Send`). Graph answers 202 Accepted
//! with no body; the mail is not saved to Sent Items.

use crate::client::Microsoft;
use crate::cloud::Cloud;
use crate::error::{GraphError, MsError};
use crate::tokens::AccessToken;
use serde_json::json;

/// One email for [`Microsoft::send_mail`]. `Debug` leaves out recipients and bodies.
#[derive(Clone)]
pub struct MailMessage {
    /// Subject line.
    pub subject: String,
    /// HTML body.
    pub html: String,
    /// Recipient addresses.
    pub to: Vec<String>,
    /// Reply-To address (empty: none).
    pub reply_to: String,
}

impl std::fmt::Debug for MailMessage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MailMessage")
            .field("recipients", &self.to.len())
            .finish_non_exhaustive()
    }
}

/// Why Graph did not take an email.
#[derive(Debug, thiserror::Error)]
pub enum MailError {
    /// 403: the app lacks `Mail.Send` (or an application access policy excludes the mailbox).
    #[error(
        "Microsoft refused to send as {mailbox} ({code}): grant the app the Mail.Send application permission and admin-consent it"
    )]
    MissingPermission {
        /// The sending mailbox.
        mailbox: String,
        /// Graph's error code.
        code: String,
    },
    /// 404: the mailbox is not a user of the tenant.
    #[error("no mailbox {mailbox} in tenant {tenant}")]
    NoMailbox {
        /// The sending mailbox.
        mailbox: String,
        /// The tenant the token is for.
        tenant: String,
    },
    /// Anything else (token, throttling after the retries, a refused body).
    #[error(transparent)]
    Microsoft(#[from] MsError),
}

impl MailError {
    /// Graph's error code, if Graph gave one.
    #[must_use]
    pub fn code(&self) -> Option<String> {
        match self {
            Self::MissingPermission { code, .. } => Some(code.clone()),
            Self::NoMailbox { .. } => Some("ErrorInvalidUser".into()),
            Self::Microsoft(MsError::Graph(g)) if !g.code.is_empty() => Some(g.code.clone()),
            Self::Microsoft(_) => None,
        }
    }

    /// Whether trying again later may help (no answer, throttling, a server error).
    #[must_use]
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Microsoft(MsError::Unavailable(_)) => true,
            Self::Microsoft(MsError::Graph(g)) => g.status == 429 || g.status >= 500,
            _ => false,
        }
    }
}

impl Microsoft {
    /// Sends `mail` from `mailbox` (a user id or userPrincipalName of `tenant`) with an
    /// app-only `token` for `tenant`.
    ///
    /// # Errors
    /// [`MailError::MissingPermission`] on 403, [`MailError::NoMailbox`] on 404, else
    /// [`MailError::Microsoft`].
    pub async fn send_mail(
        &self,
        cloud: &Cloud,
        tenant: &str,
        token: &AccessToken,
        mailbox: &str,
        mail: &MailMessage,
    ) -> Result<(), MailError> {
        let segment: String = url::form_urlencoded::byte_serialize(mailbox.as_bytes()).collect();
        let url = cloud.graph_url(&format!("/users/{segment}/sendMail"));
        let body = request_body(mail);
        let a = self
            .execute(tenant, |http| {
                http.post(&url)
                    .bearer_auth(token.secret())
                    .header("x-ms-throttle-priority", "high")
                    .json(&body)
            })
            .await?;
        match a.status {
            202 | 200 | 204 => Ok(()),
            403 => Err(MailError::MissingPermission {
                mailbox: mailbox.to_owned(),
                code: GraphError::from_body(a.status, &a.body).code,
            }),
            404 => Err(MailError::NoMailbox {
                mailbox: mailbox.to_owned(),
                tenant: tenant.to_owned(),
            }),
            status => Err(MsError::Graph(GraphError::from_body(status, &a.body)).into()),
        }
    }
}

fn address(a: &str) -> serde_json::Value {
    json!({ "emailAddress": { "address": a } })
}

/// The `sendMail` JSON body.
fn request_body(mail: &MailMessage) -> serde_json::Value {
    let reply_to: Vec<_> = Some(mail.reply_to.as_str())
        .filter(|r| !r.is_empty())
        .map(address)
        .into_iter()
        .collect();
    json!({
        "message": {
            "subject": mail.subject,
            "body": { "contentType": "HTML", "content": mail.html },
            "toRecipients": mail.to.iter().map(|t| address(t)).collect::<Vec<_>>(),
            "replyTo": reply_to,
        },
        "saveToSentItems": false,
    })
}
