//! Changing one's own password, and an admin's (or the CLI's) reset of a technician's password
//! and second factor (ASVS 6.2.2, 6.4.3, 6.4.4; docs/security.md "Credential change and
//! recovery"). The reset never sets a password: it clears it and sends the technician a
//! one-time link (`password_reset.rs` handles the link).

use super::{AccountError, ip_of};
use crate::audit::Actor;
use crate::messages::MessageRequest;
use crate::{App, Principal};
use countersign_crypto::random_token;
use countersign_domain::{Email, Permission, Role, TechnicianId, Timestamp};
use countersign_messaging::TemplateName;
use countersign_store::{
    Channel, CredentialStore, OrgStore, PasswordReset, PasswordResetKind, Session, SessionStage,
    Technician, TechnicianStore, ThrottleStore,
};
use serde_json::json;
use std::time::Duration;

/// How long an admin's reset link works: the technician may only read the email the next
/// morning, and the link is bound to an account whose password is already cleared.
pub const ADMIN_RESET_VALIDITY: Duration = Duration::from_secs(24 * 3600);

/// The stored password hash of a technician whose password an admin cleared. It is not a PHC
/// string, so no password matches it; `verify_password` checks it against the dummy hash, so
/// a sign-in attempt takes as long as any other wrong password.
pub(crate) const CLEARED_PASSWORD: &str = "";

/// What a reset made: the one-time link, which exists in clear only here (show it once).
#[derive(Clone, Debug)]
pub struct CredentialReset {
    pub technician: Technician,
    pub link: String,
    pub expires_at: Timestamp,
    /// Sessions of the technician that ended.
    pub sessions_ended: u64,
    /// Whether the link was also queued as an email to the technician.
    pub emailed: bool,
}

/// A changed password: the fresh session that replaces the one that made the change.
#[derive(Clone, Debug)]
pub struct PasswordChanged {
    /// The new cookie value; only its hash is stored.
    pub token: String,
    pub session: Session,
    /// Other sessions of the technician that ended.
    pub sessions_ended: u64,
}

impl App {
    /// Changes the signed-in technician's password. The current password is required
    /// (throttled like the second factor: counted before it is checked); every other session
    /// of the technician ends, and this one is replaced by a fresh session (a new token), so
    /// a token read before the change is worthless after it. The technician gets an email.
    ///
    /// # Errors
    /// A form problem (policy, mismatch), a wrong current password, too many attempts, a busy
    /// password gate, or a store failure.
    pub async fn change_password(
        &self,
        by: &Principal,
        session: &Session,
        current: &str,
        new: &str,
        confirm: &str,
        user_agent: &str,
    ) -> Result<PasswordChanged, AccountError> {
        by.require(Permission::ManageOwnAccount)?;
        let t = &self.own_technician(by).await?;
        let ip = &ip_of(by).unwrap_or_default();
        let org = self.store.org(t.org_id).await?;
        super::check_new_password(new, &t.email, &t.name, &org.name)?;
        if new != confirm {
            return Err(AccountError::PasswordMismatch);
        }
        let key = format!("password:{}", t.id);
        let keys = [(
            key.as_str(),
            self.settings.security.login_max_failures_per_account,
        )];
        if let Some(minutes) = self.reserve_attempts(&keys).await? {
            return Err(AccountError::Locked { minutes });
        }
        let actor = by.actor();
        let ok = match self
            .verify_password(current, Some(t.password_hash.clone()))
            .await
        {
            Ok(ok) => ok,
            Err(e) => {
                // Not checked: the attempt does not count.
                self.release_attempts(&keys).await?;
                return Err(e);
            }
        };
        if !ok {
            // The reservation stands as the failure.
            self.audit(
                &actor,
                None,
                "technician.password_change_failed",
                &t.id.to_string(),
                json!({ "reason": "wrong current password" }),
            )
            .await?;
            return Err(AccountError::WrongCurrentPassword);
        }
        self.store.clear_throttle(&key).await?;
        let hash = self.hash_password(new).await?;
        let sessions_ended = self
            .store
            .change_password(t.org_id, t.id, &hash, session.id)
            .await?;
        let (token, fresh) = self
            .start_session(t, SessionStage::Full, ip, user_agent)
            .await?;
        self.end_session(session.id).await?;
        self.audit(
            &actor,
            None,
            "technician.password_changed",
            &t.id.to_string(),
            json!({ "other_sessions_ended": sessions_ended }),
        )
        .await?;
        let now = self.now();
        self.email_technician(
            t,
            &actor,
            TemplateName::PasswordChanged {
                when: now.display(),
            },
            format!("password-changed:{}", fresh.id),
        )
        .await;
        Ok(PasswordChanged {
            token,
            session: fresh,
            sessions_ended,
        })
    }

    /// An admin resets a technician of their org: the password is cleared, TOTP turned off,
    /// recovery codes deleted and every session ended; a one-time link (valid
    /// [`ADMIN_RESET_VALIDITY`]) is emailed to the technician and returned to show once.
    ///
    /// # Errors
    /// Not an admin, another org's or no such technician (`NotFound`), the admin's own
    /// account, a deactivated technician, or a store failure.
    pub async fn reset_credentials(
        &self,
        by: &Principal,
        id: TechnicianId,
    ) -> Result<CredentialReset, AccountError> {
        by.require(Permission::ManageTechnicians)?;
        let target = self.store.technician(by.org_id(), id).await?;
        if by.technician_id() == Some(target.id) {
            return Err(AccountError::ResetSelf);
        }
        if !target.active {
            return Err(AccountError::ResetInactive);
        }
        self.issue_admin_reset(target, &by.actor(), "admin").await
    }

    /// `countersign admin reset`: the same reset for an admin of the org with this slug, from
    /// the server's shell (no session needed: the shell is the credential). For the last admin
    /// of an org, who has no one to ask.
    ///
    /// # Errors
    /// No org with this slug, no technician with this email in it, a technician who is not an
    /// admin or is deactivated, or a store failure.
    pub async fn reset_admin_from_cli(
        &self,
        org_slug: &str,
        email: &Email,
    ) -> Result<CredentialReset, AccountError> {
        let org = self
            .store
            .org_by_slug(org_slug)
            .await?
            .ok_or(AccountError::UnknownOrg)?;
        let target = self
            .store
            .technician_by_email_for_login(email.as_str())
            .await?
            .filter(|t| t.org_id == org.id)
            .ok_or(AccountError::UnknownTechnician)?;
        if !target.active {
            return Err(AccountError::ResetInactive);
        }
        if target.role != Role::Admin {
            return Err(AccountError::NotAnAdmin);
        }
        self.issue_admin_reset(target, &Actor::cli(), "cli").await
    }

    /// The reset itself, once the caller checked who may do it.
    async fn issue_admin_reset(
        &self,
        target: Technician,
        actor: &Actor,
        by: &str,
    ) -> Result<CredentialReset, AccountError> {
        let (token, hash) = random_token();
        let now = self.now();
        let reset = PasswordReset {
            token_hash: hash.to_vec(),
            org_id: target.org_id,
            technician_id: target.id,
            kind: PasswordResetKind::Admin,
            created_at: now,
            expires_at: now.plus(ADMIN_RESET_VALIDITY),
        };
        let sessions_ended = self
            .store
            .reset_credentials(&reset, CLEARED_PASSWORD)
            .await?;
        self.audit(
            actor,
            Some(target.org_id),
            "technician.credentials_reset",
            &target.id.to_string(),
            json!({ "by": by, "sessions_ended": sessions_ended }),
        )
        .await?;
        let link = self.reset_link(&token);
        let emailed = self
            .email_technician(
                &target,
                actor,
                TemplateName::PasswordReset {
                    link: link.clone(),
                    expires: reset.expires_at.display(),
                    by_admin: true,
                },
                reset_key(&reset.token_hash),
            )
            .await;
        Ok(CredentialReset {
            technician: target,
            link,
            expires_at: reset.expires_at,
            sessions_ended,
            emailed,
        })
    }

    /// The page a reset link opens.
    pub(crate) fn reset_link(&self, token: &str) -> String {
        format!("{}/password/reset/{token}", self.settings.public_base())
    }

    /// Queues an email to the technician. Returns whether it was queued: a failure is logged
    /// and loses only the email (the caller's change already happened).
    pub(crate) async fn email_technician(
        &self,
        t: &Technician,
        actor: &Actor,
        template: TemplateName,
        idempotency_key: String,
    ) -> bool {
        let request = MessageRequest {
            org: t.org_id,
            channel: Channel::Email,
            recipient: t.email.clone(),
            template,
            idempotency_key,
            lane: countersign_domain::Lane::Verification,
        };
        match self.queue_message(actor, request).await {
            Ok(_) => true,
            Err(e) => {
                tracing::warn!(error = %e, technician = %t.id, "account email not queued");
                false
            }
        }
    }
}

/// The idempotency key of a reset link's email: one per link (several links can be made in
/// the same millisecond), naming the link by a prefix of its token's hash, never the token.
pub(crate) fn reset_key(token_hash: &[u8]) -> String {
    format!("password-reset:{}", hash_prefix(token_hash))
}

/// The first 8 bytes of a token's hash in hex: enough to tell one link's messages from
/// another's, nothing of the token.
pub(crate) fn hash_prefix(token_hash: &[u8]) -> String {
    token_hash
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect()
}
