//! Invitations: an admin invites an email address with a role; the one-time link token is shown
//! once and only its hash is stored. Opening the link (GET) never consumes it; accepting (POST)
//! does, atomically with creating the technician.

use super::AccountError;
use crate::audit::Actor;
use crate::messages::MessageRequest;
use crate::{App, Principal};
use countersign_crypto::{hash_token, random_token};
use countersign_domain::{Email, InviteId, Permission, Role, TechnicianId};
use countersign_messaging::TemplateName;
use countersign_store::{
    Channel, Invite, InviteStore, Org, OrgStore, StoreError, Technician, TechnicianStore,
};
use serde_json::json;

/// A new invite and its link, which exists in clear only here (show it once).
#[derive(Clone, Debug)]
pub struct CreatedInvite {
    pub invite: Invite,
    pub link: String,
    /// Whether the link was also queued as an email to the invitee.
    pub emailed: bool,
}

/// An open invite with its org, for the interstitial page.
#[derive(Clone, Debug)]
pub struct InviteDetails {
    pub invite: Invite,
    pub org: Org,
}

impl App {
    /// Invites `email` as `role` into the admin's org.
    ///
    /// # Errors
    /// Not an admin, the email already has an account, or a store failure.
    pub async fn invite_technician(
        &self,
        by: &Principal,
        email: &Email,
        role: Role,
    ) -> Result<CreatedInvite, AccountError> {
        by.require(Permission::ManageTechnicians)?;
        // The invite names its inviter (stored, and in the email): a technician invites.
        let inviter = self.own_technician(by).await?;
        if self
            .store
            .technician_by_email_for_login(email.as_str())
            .await?
            .is_some()
        {
            return Err(AccountError::EmailTaken);
        }
        let (token, hash) = random_token();
        let now = self.now();
        let invite = Invite {
            id: InviteId::new(),
            org_id: by.org_id(),
            email: email.as_str().to_owned(),
            role,
            token_hash: hash.to_vec(),
            invited_by: inviter.id,
            created_at: now,
            expires_at: now.plus(self.settings.invite_validity()),
            accepted_at: None,
            revoked_at: None,
        };
        self.store.create_invite(&invite).await?;
        self.audit(
            &by.actor(),
            None,
            "technician.invited",
            &invite.id.to_string(),
            json!({ "email": email.masked(), "role": role.as_str() }),
        )
        .await?;
        let link = format!("{}/invite/{token}", self.settings.public_base());
        let request = MessageRequest {
            org: by.org_id(),
            channel: Channel::Email,
            recipient: email.as_str().to_owned(),
            template: TemplateName::Invite {
                inviter: inviter.name.clone(),
                role: role.as_str().to_owned(),
                link: link.clone(),
                expires: invite.expires_at.display(),
            },
            idempotency_key: format!("invite:{}", invite.id),
            lane: countersign_domain::Lane::Verification,
        };
        // The admin sees the link whatever happens, so a failed email only loses convenience.
        let emailed = match self
            .queue_message(&Actor::technician(&inviter, None), request)
            .await
        {
            Ok(_) => true,
            Err(e) => {
                tracing::warn!(error = %e, invite = %invite.id, "invite email not queued");
                false
            }
        };
        Ok(CreatedInvite {
            invite,
            link,
            emailed,
        })
    }

    /// The open, unexpired invite for a link token. Changes nothing.
    ///
    /// # Errors
    /// [`AccountError::InviteUnusable`] for an unknown, used, revoked or expired link.
    pub async fn invite_by_token(&self, token: &str) -> Result<InviteDetails, AccountError> {
        let invite = self
            .store
            .invite_by_token_hash(&hash_token(token))
            .await?
            .ok_or(AccountError::InviteUnusable)?;
        if invite.accepted_at.is_some()
            || invite.revoked_at.is_some()
            || self.now() >= invite.expires_at
        {
            return Err(AccountError::InviteUnusable);
        }
        let org = self.store.org(invite.org_id).await?;
        Ok(InviteDetails { invite, org })
    }

    /// Accepts an invite: validates the form, then consumes the invite and creates the
    /// technician in one store transaction (so a link works exactly once).
    ///
    /// # Errors
    /// A form problem (name, password policy, mismatch), an unusable invite, or a store failure.
    pub async fn accept_invite(
        &self,
        token: &str,
        name: &str,
        password: &str,
        confirm: &str,
        ip: Option<String>,
    ) -> Result<Technician, AccountError> {
        let InviteDetails { invite, org } = self.invite_by_token(token).await?;
        let name = countersign_domain::text::TECHNICIAN_NAME.check(name)?;
        if name.is_empty() {
            return Err(AccountError::NameRequired);
        }
        super::one_line(name)?;
        super::check_new_password(password, &invite.email, name, &org.name)?;
        if password != confirm {
            return Err(AccountError::PasswordMismatch);
        }
        let password_hash = self.hash_password(password).await?;
        let now = self.now();
        let technician = Technician {
            id: TechnicianId::new(),
            org_id: invite.org_id,
            email: invite.email.clone(),
            name: name.to_owned(),
            role: invite.role,
            password_hash,
            active: true,
            totp_secret: None,
            totp_pending_secret: None,
            totp_enabled_at: None,
            totp_last_step: 0,
            created_at: now,
            last_login_at: None,
            permissions: countersign_domain::Permissions::none(),
        };
        match self.store.accept_invite(invite.id, &technician, now).await {
            Ok(true) => {}
            Ok(false) => return Err(AccountError::InviteUnusable),
            Err(StoreError::Conflict { .. }) => return Err(AccountError::EmailTaken),
            Err(e) => return Err(e.into()),
        }
        self.audit(
            &Actor::technician(&technician, ip),
            None,
            "invite.accepted",
            &invite.id.to_string(),
            json!({ "technician": technician.id.to_string(), "role": technician.role.as_str() }),
        )
        .await?;
        Ok(technician)
    }

    /// Revokes an open invite of the admin's org.
    ///
    /// # Errors
    /// Not an admin, no such invite in this org (`NotFound`), or a store failure.
    pub async fn revoke_invite(&self, by: &Principal, id: InviteId) -> Result<(), AccountError> {
        by.require(Permission::ManageTechnicians)?;
        let invite = self.store.invite(by.org_id(), id).await?;
        if invite.accepted_at.is_some() || invite.revoked_at.is_some() {
            return Err(AccountError::InviteUnusable);
        }
        self.store
            .revoke_invite(by.org_id(), id, self.now())
            .await?;
        self.audit(
            &by.actor(),
            None,
            "invite.revoked",
            &id.to_string(),
            json!({}),
        )
        .await?;
        Ok(())
    }
}
