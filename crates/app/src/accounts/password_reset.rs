//! "Forgot your password?" and the one-time link that sets a new password (ASVS 6.4.3;
//! docs/security.md "Credential change and recovery").
//!
//! Asking answers the same whatever the address: the throttle is checked for every request
//! (per address and per client, counted whether or not an account exists), and the part that
//! depends on the account (looking it up, storing a link, queueing the email) runs after the
//! answer, in a task of its own, so neither the answer nor its time says whether the account
//! exists. The link's token is 256 random bits of which only the SHA-256 is stored; opening it
//! (GET) changes nothing; using it (POST) deletes it in the transaction that sets the password.

use super::AccountError;
use crate::App;
use crate::audit::Actor;
use countersign_crypto::{hash_token, random_token};
use countersign_domain::Email;
use countersign_messaging::TemplateName;
use countersign_store::{
    CredentialStore, Org, OrgStore, PasswordReset, PasswordResetKind, Technician, TechnicianStore,
};
use serde_json::json;
use std::time::Duration;

/// How long a "forgot password" link works (ASVS and NIST: short; the person asking is at the
/// screen).
pub const FORGOT_RESET_VALIDITY: Duration = Duration::from_secs(30 * 60);
/// Requests per email address within the login window (then locked, doubling).
const REQUESTS_PER_EMAIL: u32 = 3;
/// Requests per client address within the login window.
const REQUESTS_PER_IP: u32 = 10;

/// An open link with its technician and org, for the page the link opens.
#[derive(Clone, Debug)]
pub struct ResetDetails {
    pub reset: PasswordReset,
    pub technician: Technician,
    pub org: Org,
}

impl App {
    /// "Forgot your password?": when `email_text` is an active technician's address, a link
    /// (valid [`FORGOT_RESET_VALIDITY`], replacing any older link) is emailed to it. The answer
    /// is the same either way; the returned task does the account's part (the web drops it;
    /// tests await it).
    ///
    /// # Errors
    /// [`AccountError::Locked`] when the address or the client asked too often (counted for
    /// unknown addresses too, so the lock reveals nothing), or a store failure.
    pub async fn request_password_reset(
        &self,
        email_text: &str,
        ip: &str,
    ) -> Result<tokio::task::JoinHandle<()>, AccountError> {
        let normalised = email_text.trim().to_lowercase();
        let email_key = format!("reset:email:{normalised}");
        let ip_key = format!("reset:ip:{ip}");
        // Every request counts (nothing is released): the limit is on asking, not on failing.
        let keys = [
            (email_key.as_str(), REQUESTS_PER_EMAIL),
            (ip_key.as_str(), REQUESTS_PER_IP),
        ];
        if let Some(minutes) = self.reserve_attempts(&keys).await? {
            return Err(AccountError::Locked { minutes });
        }
        let app = self.clone();
        let ip = ip.to_owned();
        Ok(tokio::spawn(async move {
            if let Err(e) = app.send_reset_link(&normalised, &ip).await {
                tracing::warn!(error = %e, "password reset link not sent");
            }
        }))
    }

    /// The account's part of a request: nothing for an unknown or deactivated account.
    async fn send_reset_link(&self, email_text: &str, ip: &str) -> Result<(), AccountError> {
        let Ok(email) = Email::parse(email_text) else {
            return Ok(());
        };
        let Some(t) = self
            .store
            .technician_by_email_for_login(email.as_str())
            .await?
        else {
            return Ok(());
        };
        let actor = Actor::technician(&t, Some(ip.to_owned()));
        if !t.active {
            self.audit(
                &actor,
                None,
                "password_reset.refused",
                &t.id.to_string(),
                json!({ "reason": "inactive account" }),
            )
            .await?;
            return Ok(());
        }
        let (token, hash) = random_token();
        let now = self.now();
        let reset = PasswordReset {
            token_hash: hash.to_vec(),
            org_id: t.org_id,
            technician_id: t.id,
            kind: PasswordResetKind::Forgot,
            created_at: now,
            expires_at: now.plus(FORGOT_RESET_VALIDITY),
        };
        self.store.create_password_reset(&reset).await?;
        self.audit(
            &actor,
            None,
            "password_reset.requested",
            &t.id.to_string(),
            json!({}),
        )
        .await?;
        self.email_technician(
            &t,
            &actor,
            TemplateName::PasswordReset {
                link: self.reset_link(&token),
                expires: reset.expires_at.display(),
                by_admin: false,
            },
            super::credentials::reset_key(&reset.token_hash),
        )
        .await;
        Ok(())
    }

    /// The open link for a token, for the page it opens. Changes nothing.
    ///
    /// # Errors
    /// [`AccountError::ResetLinkUnusable`] for an unknown, used, replaced or expired link, or
    /// one of a deactivated technician.
    pub async fn password_reset_by_token(&self, token: &str) -> Result<ResetDetails, AccountError> {
        let reset = self
            .store
            .password_reset_by_token_hash(&hash_token(token))
            .await?
            .filter(|r| self.now() < r.expires_at)
            .ok_or(AccountError::ResetLinkUnusable)?;
        let technician = self
            .store
            .technician(reset.org_id, reset.technician_id)
            .await?;
        if !technician.active {
            return Err(AccountError::ResetLinkUnusable);
        }
        let org = self.store.org(reset.org_id).await?;
        Ok(ResetDetails {
            reset,
            technician,
            org,
        })
    }

    /// Uses a link: checks the new password, then, in one store transaction, deletes the link,
    /// sets the password and ends every session of the technician. Of two requests with the
    /// same link exactly one succeeds. The second factor stays as it is (an admin's reset
    /// already turned it off).
    ///
    /// # Errors
    /// A form problem (policy, mismatch), an unusable link, or a store failure.
    pub async fn complete_password_reset(
        &self,
        token: &str,
        password: &str,
        confirm: &str,
        ip: Option<String>,
    ) -> Result<Technician, AccountError> {
        let ResetDetails { technician, .. } = self.password_reset_by_token(token).await?;
        let org = self.store.org(technician.org_id).await?;
        super::check_new_password(password, &technician.email, &technician.name, &org.name)?;
        if password != confirm {
            return Err(AccountError::PasswordMismatch);
        }
        let hash = self.hash_password(password).await?;
        let Some(reset) = self
            .store
            .complete_password_reset(&hash_token(token), &hash, self.now())
            .await?
        else {
            return Err(AccountError::ResetLinkUnusable);
        };
        self.audit(
            &Actor::technician(&technician, ip),
            None,
            "technician.password_reset",
            &technician.id.to_string(),
            json!({ "kind": reset.kind.as_str() }),
        )
        .await?;
        Ok(technician)
    }
}
