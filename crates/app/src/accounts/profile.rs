//! A technician's own profile (issue 21.5): their display name, and their email address (the
//! login name) changed only through a link sent to the new address (docs/security.md
//! "Changing one's own email address").
//!
//! Asking for an email change is rate-limited per technician and per new address (a stolen
//! session must not be able to flood a mailbox), needs a recent proof in the web (ASVS 7.5.1:
//! re-authentication before changing a contact channel), and tells the OLD address at once,
//! so the owner learns of a change they did not ask for while they can still cancel it. The
//! link's token is 256 random bits of which only the SHA-256 is stored; opening it (GET)
//! changes nothing; using it (POST) deletes it in the transaction that sets the address.
//!
//! Addresses are unique server-wide (they are the login name). An address used by another
//! technician of the same org is refused with a clear message when asked for (the org's
//! technicians are no secret to one of them). An address of another org's account is not
//! revealed to the person asking: the request goes on exactly as for a free address, and the
//! link, which only the holder of that mailbox can open, says that the address cannot be used.

use super::AccountError;
use crate::App;
use crate::Principal;
use crate::audit::Actor;
use crate::messages::MessageRequest;
use countersign_crypto::{hash_token, random_token};
use countersign_domain::{Email, Permission};
use countersign_messaging::TemplateName;
use countersign_store::{
    Channel, EmailChange, EmailChangeStore, Org, OrgStore, StoreError, Technician, TechnicianStore,
    constraints,
};
use serde_json::json;
use std::time::Duration;

/// How long an email change link works (the person is at the screen; NIST 800-63A allows an
/// emailed enrolment link up to 24 hours, we need far less).
pub const EMAIL_CHANGE_VALIDITY: Duration = Duration::from_secs(60 * 60);
/// Change requests per technician within the login window (then locked, doubling).
const REQUESTS_PER_TECHNICIAN: u32 = 5;
/// Change requests naming one new address within the login window.
const REQUESTS_PER_ADDRESS: u32 = 3;

/// A requested change as the Account page shows it.
#[derive(Clone, Debug)]
pub struct PendingEmailChange {
    /// The address it becomes (shown to its owner in full: they typed it).
    pub new_email: String,
    pub expires_at: countersign_domain::Timestamp,
    /// Past its expiry (the link no longer works; a new request replaces it).
    pub expired: bool,
}

/// An open link with its technician and org, for the page the link opens.
#[derive(Clone, Debug)]
pub struct EmailChangeDetails {
    pub change: EmailChange,
    pub technician: Technician,
    pub org: Org,
}

impl App {
    /// Changes the signed-in technician's display name (`ManageOwnAccount`).
    ///
    /// # Errors
    /// Without the permission, an empty, too long or multi-line name, or a store failure.
    pub async fn change_own_name(&self, by: &Principal, name: &str) -> Result<(), AccountError> {
        by.require(Permission::ManageOwnAccount)?;
        let name = countersign_domain::text::TECHNICIAN_NAME.check(name.trim())?;
        if name.is_empty() {
            return Err(AccountError::NameRequired);
        }
        super::one_line(name)?;
        let t = self.own_technician(by).await?;
        if t.name == name {
            return Ok(());
        }
        self.store.set_name(t.org_id, t.id, name).await?;
        // Ids only: the names are on the technician's row.
        self.audit(
            &by.actor(),
            Some(t.org_id),
            "technician.name_changed",
            &t.id.to_string(),
            json!({}),
        )
        .await?;
        Ok(())
    }

    /// The signed-in technician's pending email change, if any (`ManageOwnAccount`).
    ///
    /// # Errors
    /// Without the permission, or a store failure.
    pub async fn pending_email_change(
        &self,
        by: &Principal,
    ) -> Result<Option<PendingEmailChange>, AccountError> {
        by.require(Permission::ManageOwnAccount)?;
        let id = by.technician_id().ok_or(AccountError::NotFound)?;
        let now = self.now();
        Ok(self
            .store
            .pending_email_change(by.org_id(), id)
            .await?
            .map(|c| PendingEmailChange {
                expired: c.expires_at <= now,
                new_email: c.new_email,
                expires_at: c.expires_at,
            }))
    }

    /// Asks to change the signed-in technician's email address to `new_email`: a link valid
    /// [`EMAIL_CHANGE_VALIDITY`] goes to the new address (replacing any older request), and
    /// the current address is told that a change was asked for. Nothing changes until the
    /// link is used (`ManageOwnAccount`; the web also asks for a recent proof). Returns the
    /// normalised new address.
    ///
    /// # Errors
    /// Without the permission, a malformed address, the current address, an address of
    /// another technician of the org, too many requests, or a store failure.
    pub async fn request_email_change(
        &self,
        by: &Principal,
        new_email: &str,
    ) -> Result<Email, AccountError> {
        by.require(Permission::ManageOwnAccount)?;
        let email = Email::parse(new_email)?;
        let t = self.own_technician(by).await?;
        if email.as_str() == t.email.to_lowercase() {
            return Err(AccountError::EmailUnchanged);
        }
        let by_technician = format!("email-change:{}", t.id);
        let by_address = format!("email-change:to:{}", email.as_str());
        // Every request counts (nothing is released): the limit is on asking.
        let keys = [
            (by_technician.as_str(), REQUESTS_PER_TECHNICIAN),
            (by_address.as_str(), REQUESTS_PER_ADDRESS),
        ];
        if let Some(minutes) = self.reserve_attempts(&keys).await? {
            return Err(AccountError::Locked { minutes });
        }
        if let Some(holder) = self
            .store
            .technician_by_email_for_login(email.as_str())
            .await?
            && holder.org_id == t.org_id
        {
            return Err(AccountError::EmailTakenInOrg);
        }
        let (token, hash) = random_token();
        let now = self.now();
        let change = EmailChange {
            token_hash: hash.to_vec(),
            org_id: t.org_id,
            technician_id: t.id,
            new_email: email.as_str().to_owned(),
            created_at: now,
            expires_at: now.plus(EMAIL_CHANGE_VALIDITY),
        };
        self.store.create_email_change(&change).await?;
        let actor = by.actor();
        self.audit(
            &actor,
            Some(t.org_id),
            "technician.email_change_requested",
            &t.id.to_string(),
            json!({ "to": email.masked() }),
        )
        .await?;
        let key = change_key(&change.token_hash);
        // The link, to the new address only.
        let confirm = MessageRequest {
            org: t.org_id,
            channel: Channel::Email,
            recipient: email.as_str().to_owned(),
            template: TemplateName::EmailChangeConfirm {
                technician: t.name.clone(),
                link: format!(
                    "{}/account/email/confirm/{token}",
                    self.settings.public_base()
                ),
                expires: change.expires_at.display(),
            },
            idempotency_key: format!("{key}:confirm"),
            lane: countersign_domain::Lane::Verification,
        };
        if let Err(e) = self.queue_message(&actor, confirm).await {
            tracing::warn!(error = %e, technician = %t.id, "email change link not queued");
        }
        // The notice, to the current address: never the link.
        self.email_technician(
            &t,
            &actor,
            TemplateName::EmailChangeRequested {
                new_address: email.masked(),
                when: now.display(),
            },
            format!("{key}:notice"),
        )
        .await;
        Ok(email)
    }

    /// Cancels the signed-in technician's pending email change (`ManageOwnAccount`). Returns
    /// whether there was one.
    ///
    /// # Errors
    /// Without the permission, or a store failure.
    pub async fn cancel_email_change(&self, by: &Principal) -> Result<bool, AccountError> {
        by.require(Permission::ManageOwnAccount)?;
        let id = by.technician_id().ok_or(AccountError::NotFound)?;
        let cancelled = self.store.cancel_email_change(by.org_id(), id).await?;
        if cancelled {
            self.audit(
                &by.actor(),
                Some(by.org_id()),
                "technician.email_change_cancelled",
                &id.to_string(),
                json!({}),
            )
            .await?;
        }
        Ok(cancelled)
    }

    /// The open link for a token, for the page it opens. Changes nothing.
    ///
    /// # Errors
    /// [`AccountError::EmailChangeLinkUnusable`] for an unknown, used, replaced or expired
    /// link, or one of a deactivated technician.
    pub async fn email_change_by_token(
        &self,
        token: &str,
    ) -> Result<EmailChangeDetails, AccountError> {
        let change = self
            .store
            .email_change_by_token_hash(&hash_token(token))
            .await?
            .filter(|c| self.now() < c.expires_at)
            .ok_or(AccountError::EmailChangeLinkUnusable)?;
        let technician = self
            .store
            .technician(change.org_id, change.technician_id)
            .await?;
        if !technician.active {
            return Err(AccountError::EmailChangeLinkUnusable);
        }
        let org = self.store.org(change.org_id).await?;
        Ok(EmailChangeDetails {
            change,
            technician,
            org,
        })
    }

    /// Uses a link: in one store transaction the link is deleted and the technician's email
    /// becomes the new address. Of two requests with the same link exactly one succeeds.
    /// Returns the technician as they are now.
    ///
    /// # Errors
    /// An unusable link, an address that belongs to another account, or a store failure.
    pub async fn complete_email_change(
        &self,
        token: &str,
        ip: Option<String>,
    ) -> Result<Technician, AccountError> {
        let EmailChangeDetails { technician, .. } = self.email_change_by_token(token).await?;
        let change = match self
            .store
            .complete_email_change(&hash_token(token), self.now())
            .await
        {
            Ok(Some(change)) => change,
            Ok(None) => return Err(AccountError::EmailChangeLinkUnusable),
            Err(StoreError::Conflict { constraint })
                if constraint == constraints::TECHNICIAN_EMAIL =>
            {
                return Err(AccountError::EmailChangeTaken);
            }
            Err(e) => return Err(e.into()),
        };
        let old = Email::parse(&technician.email).map_or_else(|_| String::new(), |e| e.masked());
        let new = Email::parse(&change.new_email).map_or_else(|_| String::new(), |e| e.masked());
        self.audit(
            &Actor::technician(&technician, ip),
            Some(technician.org_id),
            "technician.email_changed",
            &technician.id.to_string(),
            json!({ "from": old, "to": new }),
        )
        .await?;
        Ok(self
            .store
            .technician(change.org_id, change.technician_id)
            .await?)
    }
}

/// The idempotency key of a change's emails: one pair per request, naming it by a prefix of
/// its token's hash, never the token.
fn change_key(token_hash: &[u8]) -> String {
    format!(
        "email-change:{}",
        super::credentials::hash_prefix(token_hash)
    )
}
