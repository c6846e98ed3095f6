//! The recipient's side of a send: the interstitial (GET and HEAD read only; the first
//! showing is noted as metadata, since it may be a link scanner) and the one-time claim
//! (POST), which releases the ciphertext and, after recipient verification, the server share.

use super::{SecretError, aad, public_link};
use crate::App;
use crate::audit::Actor;
use crate::messages::{MessageRequest, brand_of};
use countersign_crypto::hash_token;
use countersign_domain::SecretId;
use countersign_domain::mask::mask;
use countersign_messaging::{Brand, TemplateName};
use countersign_store::{
    Channel, ContactStore, OrgStore, SealedColumn, Secret, SecretKind, SecretState, SecretStore,
    TechnicianStore,
};
use zeroize::Zeroizing;

/// What a recipient page shows.
#[derive(Clone, Debug)]
pub struct LinkView {
    pub secret: Secret,
    pub brand: Brand,
    /// Who sent or asks (display name).
    pub technician: String,
    /// The state as of now (a live link past its expiry reads as expired).
    pub state: SecretState,
    /// Recipient verification: the phone of record, masked ('' when not needed).
    pub phone_masked: String,
}

/// One claimed view.
pub struct Revealed {
    pub envelope: Vec<u8>,
    /// The server share, opened (only for links that required verification).
    pub server_share: Option<Zeroizing<Vec<u8>>>,
    /// A request's private key, opened.
    pub private_key: Option<Zeroizing<Vec<u8>>>,
    pub views_left: i64,
}

impl std::fmt::Debug for Revealed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Revealed")
            .field("views_left", &self.views_left)
            .finish_non_exhaustive()
    }
}

impl App {
    /// The link of `kind` with this token, if any, as its page shows it. Changes nothing but
    /// `opened_at` (once).
    ///
    /// # Errors
    /// A store failure.
    pub async fn secret_link(
        &self,
        token: &str,
        kind: SecretKind,
    ) -> Result<Option<LinkView>, SecretError> {
        let Some(secret) = self.store.secret_by_token(&hash_token(token)).await? else {
            return Ok(None);
        };
        if secret.kind != kind {
            return Ok(None);
        }
        let org = secret.org_id;
        let now = self.now();
        let state = secret.state_at(now);
        if secret.opened_at.is_none() && matches!(state, SecretState::Active | SecretState::Waiting)
        {
            self.store.mark_secret_opened(org, secret.id, now).await?;
        }
        let brand = brand_of(self, org).await?;
        let technician = match self.store.technician(org, secret.technician_id).await {
            Ok(t) => t.name,
            Err(countersign_store::StoreError::NotFound) => self.store.org(org).await?.name,
            Err(e) => return Err(e.into()),
        };
        let phone_masked = match (secret.require_verification, secret.contact_id) {
            (true, Some(c)) => self
                .store
                .contact(org, c)
                .await?
                .mobile_e164
                .as_deref()
                .map(mask)
                .unwrap_or_default(),
            _ => String::new(),
        };
        Ok(Some(LinkView {
            secret,
            brand,
            technician,
            state,
            phone_masked,
        }))
    }

    /// Claims one view of the send with this token: exactly one of racing claims of the last
    /// view wins. `proof` checks the page's per-render nonce against the link's id before
    /// anything is claimed. Audited with ids only.
    ///
    /// # Errors
    /// `NotFound` (no such link), `Invalid` (no proof), `NotVerified` (verification
    /// pending), `Ended` (expired, burned, or the last view already taken), or an internal
    /// failure.
    pub async fn reveal_secret(
        &self,
        token: &str,
        ip: &str,
        proof: impl FnOnce(SecretId) -> bool,
    ) -> Result<Revealed, SecretError> {
        let Some(secret) = self.store.secret_by_token(&hash_token(token)).await? else {
            return Err(SecretError::NotFound);
        };
        if secret.kind != SecretKind::Send {
            return Err(SecretError::NotFound);
        }
        if !proof(secret.id) {
            return Err(super::stale_page());
        }
        let actor = Actor {
            org_id: Some(secret.org_id),
            technician_id: None,
            label: "recipient".into(),
            ip: Some(ip.to_owned()),
        };
        self.claim(&actor, &secret, ip).await
    }

    /// The claim shared by a send's recipient and a request's technician.
    pub(super) async fn claim(
        &self,
        actor: &Actor,
        secret: &Secret,
        ip: &str,
    ) -> Result<Revealed, SecretError> {
        let org = secret.org_id;
        let now = self.now();
        let Some(claimed) = self
            .store
            .claim_secret(org, secret.id, secret.kind, now, ip)
            .await?
        else {
            let current = self.store.secret(org, secret.id).await?;
            let state = current.state_at(now);
            if state == SecretState::Active
                && current.require_verification
                && current.verification_id.is_none()
            {
                return Err(SecretError::NotVerified);
            }
            self.audit(
                actor,
                Some(org),
                "secret.reveal_refused",
                &secret.id.to_string(),
                serde_json::json!({ "state": state.as_str() }),
            )
            .await?;
            return Err(SecretError::Ended(state));
        };
        let row = secret.id.to_string();
        let open = |sealed: Option<Vec<u8>>, column| -> Result<_, SecretError> {
            sealed
                .map(|s| {
                    self.keyring
                        .open(&s, &aad(org, column, &row))
                        .map_err(|_| SecretError::Sealed)
                })
                .transpose()
        };
        let server_share = open(claimed.server_share, SealedColumn::SecretServerShare)?;
        let private_key = open(claimed.private_key, SealedColumn::SecretPrivateKey)?;
        self.audit(
            actor,
            Some(org),
            "secret.revealed",
            &row,
            serde_json::json!({ "kind": secret.kind.as_str(), "views_left": claimed.views_left }),
        )
        .await?;
        if secret.kind == SecretKind::Send && secret.notify_on_reveal {
            self.notify_technician(secret, "revealed").await?;
        }
        Ok(Revealed {
            envelope: claimed.envelope,
            server_share,
            private_key,
            views_left: claimed.views_left,
        })
    }

    /// Emails the technician who made the link that it was revealed or answered.
    pub(super) async fn notify_technician(
        &self,
        secret: &Secret,
        what: &str,
    ) -> Result<(), SecretError> {
        let org = secret.org_id;
        let technician = match self.store.technician(org, secret.technician_id).await {
            Ok(t) if t.active => t,
            Ok(_) | Err(countersign_store::StoreError::NotFound) => return Ok(()),
            Err(e) => return Err(e.into()),
        };
        let now = self.now();
        self.queue_message(
            &Actor::system(),
            MessageRequest {
                org,
                channel: Channel::Email,
                recipient: technician.email,
                template: TemplateName::SecretRevealed {
                    // A link the technician copied went to nobody we know: the message
                    // then names no recipient (it said "your secure link to link copied").
                    recipient: if secret.channel == "copy" {
                        String::new()
                    } else {
                        secret.recipient_masked.clone()
                    },
                    what: what.into(),
                    when: now.display(),
                    link: public_link(self, &format!("/pod/secrets/{}", secret.id)),
                },
                idempotency_key: format!("secret-{what}:{}:{}", secret.id, now.0),
                lane: countersign_domain::Lane::Verification,
            },
        )
        .await?;
        Ok(())
    }
}
