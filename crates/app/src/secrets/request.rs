//! A request's two later steps: the contact answers once (their browser encrypted the data to
//! the request's public key), and the technician reveals the answer (the same one-time claim
//! as a send's, releasing the envelope and the private key together).

use super::{Access, MAX_ENVELOPE, Revealed, SecretError};
use crate::audit::Actor;
use crate::{App, Principal};
use countersign_crypto::hash_token;
use countersign_domain::{Permission, SecretId};
use countersign_store::{SecretKind, SecretStore};

impl App {
    /// The contact's answer to the request with this token. Once only; `proof` checks the
    /// page's per-render nonce against the link's id first.
    ///
    /// # Errors
    /// `NotFound`, an empty or too large envelope, `Ended` (answered, expired or burned), or a
    /// store failure.
    pub async fn submit_secret_request(
        &self,
        token: &str,
        envelope: &[u8],
        ip: &str,
        proof: impl FnOnce(SecretId) -> bool,
    ) -> Result<(), SecretError> {
        let Some(secret) = self.store.secret_by_token(&hash_token(token)).await? else {
            return Err(SecretError::NotFound);
        };
        if secret.kind != SecretKind::Request {
            return Err(SecretError::NotFound);
        }
        if !proof(secret.id) {
            return Err(super::stale_page());
        }
        if envelope.is_empty() || envelope.len() > MAX_ENVELOPE {
            return Err(SecretError::Invalid(
                "what you entered is empty or too long (about 40,000 characters at most)".into(),
            ));
        }
        let (org, now) = (secret.org_id, self.now());
        if !self
            .store
            .submit_secret_request(org, secret.id, envelope, now)
            .await?
        {
            let current = self.store.secret(org, secret.id).await?;
            return Err(SecretError::Ended(current.state_at(now)));
        }
        let actor = Actor {
            org_id: Some(org),
            technician_id: None,
            label: "recipient".into(),
            ip: Some(ip.to_owned()),
        };
        self.audit(
            &actor,
            Some(org),
            "secret.submitted",
            &secret.id.to_string(),
            serde_json::json!({ "bytes": envelope.len() }),
        )
        .await?;
        if secret.notify_on_reveal {
            self.notify_technician(&secret, "answered").await?;
        }
        Ok(())
    }

    /// The technician opens the answer to their own request `id` (one claimed view,
    /// `SendSecrets`). Only the technician who made the request may: not another
    /// technician, not an admin.
    ///
    /// # Errors
    /// Without the permission, `NotFound` (another org's too), `NotYours` (another
    /// technician's), `Ended` (not answered yet, expired, burned, already revealed), or an
    /// internal failure.
    pub async fn reveal_secret_request(
        &self,
        by: &Principal,
        id: SecretId,
    ) -> Result<Revealed, SecretError> {
        by.require(Permission::SendSecrets)?;
        let secret = self.store.secret(by.org_id(), id).await?;
        if secret.kind != SecretKind::Request {
            return Err(SecretError::NotFound);
        }
        if Access::of(by, &secret) != Access::Owner {
            return Err(SecretError::NotYours);
        }
        // The claim keeps the address the answer was revealed from.
        let ip = by.ip().map(|ip| ip.to_string()).unwrap_or_default();
        self.claim(&by.actor(), &secret, &ip).await
    }
}
