//! Making a link: a send (ciphertext from the browser, optionally a key share the server
//! seals) or a request (a public key in clear, the private key sealed), and its message by
//! SMS or email. A send's fragment key reaches this code only to compose that message; it is
//! neither stored in `secrets` nor logged nor audited.

use super::{Expiry, MAX_ENVELOPE, MAX_LABEL, MAX_VIEWS, SHARE_LEN, SecretError, aad, public_link};
use crate::messages::MessageRequest;
use crate::{App, Principal};
use countersign_crypto::random_token;
use countersign_domain::mask::mask;
use countersign_domain::{ContactId, Permission, SecretId};
use countersign_messaging::TemplateName;
use countersign_store::{
    ChallengeStore, Channel, ContactStore, MessageStore, NewSecret, SealedColumn, SecretKind,
    SecretStore,
};
use zeroize::Zeroizing;

/// How the link reaches its recipient.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkChannel {
    Sms,
    Email,
    /// The technician copies the link (the server never sees a send's key).
    Copy,
}

impl LinkChannel {
    /// Parses a form value.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "sms" => Some(Self::Sms),
            "email" => Some(Self::Email),
            "copy" => Some(Self::Copy),
            _ => None,
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Self::Sms => "sms",
            Self::Email => "email",
            Self::Copy => "copy",
        }
    }
}

/// What the browser made.
pub enum Payload {
    /// Data to the recipient.
    Send {
        /// The AES-256-GCM envelope.
        envelope: Vec<u8>,
        /// The second key share the server releases after recipient verification.
        server_share: Option<Zeroizing<Vec<u8>>>,
        has_passphrase: bool,
        /// The fragment key (base64url), only when the server sends the link.
        link_key: Option<Zeroizing<String>>,
    },
    /// Data from the contact.
    Request {
        /// The P-256 public key the contact's browser encrypts to (base64url, raw).
        public_key: String,
        /// Its private key (PKCS#8), sealed here.
        private_key: Zeroizing<Vec<u8>>,
    },
}

impl std::fmt::Debug for Payload {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Send { .. } => "Payload::Send(..)",
            Self::Request { .. } => "Payload::Request(..)",
        })
    }
}

/// A link to make (in the principal's org).
#[derive(Debug)]
pub struct NewLink {
    /// The contact of record (from the Pod), or none (the standalone page).
    pub contact: Option<ContactId>,
    /// A typed phone or email when there is no contact ('' for copy).
    pub to: String,
    pub channel: LinkChannel,
    pub label: String,
    pub payload: Payload,
    pub max_views: i64,
    pub expiry: Expiry,
    pub notify_on_reveal: bool,
}

/// A made link.
#[derive(Clone, Debug)]
pub struct CreatedLink {
    pub id: SecretId,
    /// `/s/{token}` or `/r/{token}`; a send's browser appends `#key`. Holds the token: never
    /// logged.
    pub path: String,
    pub recipient_masked: String,
}

fn invalid(s: &str) -> SecretError {
    SecretError::Invalid(s.into())
}

/// A fragment key: 32 bytes, base64url without padding.
fn is_link_key(k: &str) -> bool {
    k.len() == 43
        && k.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

impl App {
    /// Makes a link and, for SMS or email, queues its message (`SendSecrets`).
    ///
    /// # Errors
    /// Without the permission, bad input (in words), an unknown contact, or a store failure.
    /// Nothing is stored then.
    pub async fn create_secret_link(
        &self,
        by: &Principal,
        req: NewLink,
    ) -> Result<CreatedLink, SecretError> {
        by.require(Permission::SendSecrets)?;
        let org = by.org_id();
        let actor = &by.actor();
        let label = req.label.trim().to_owned();
        if label.chars().count() > MAX_LABEL {
            return Err(invalid("the note is too long (200 characters at most)"));
        }
        if !(1..=MAX_VIEWS).contains(&req.max_views) {
            return Err(invalid("views must be between 1 and 10"));
        }
        // Independent reads: the org's rules, and the technician the link goes out from.
        let (rules, technician) =
            tokio::join!(self.store.verification_settings(org), self.sender(by));
        let max_hours = rules?.secret_max_hours;
        let technician = technician?;
        if req.expiry.hours() > max_hours {
            let longest = Expiry::allowed(max_hours)
                .last()
                .map_or("1 hour", |e| e.label());
            return Err(SecretError::Invalid(format!(
                "links of your organisation may last at most {longest} (Settings ▸ Verification); choose a shorter expiry"
            )));
        }
        let contact = match req.contact {
            Some(c) => {
                let c = self
                    .store
                    .contact(org, c)
                    .await
                    .and_then(crate::contacts::visible)?;
                if let Some(reason) = crate::contacts::removed_reason(&c) {
                    return Err(SecretError::Invalid(reason));
                }
                Some(c)
            }
            None => None,
        };
        let typed = req.to.trim();
        let destination = match (req.channel, &contact) {
            (LinkChannel::Copy, _) => None,
            (LinkChannel::Sms, Some(c)) => Some(c.mobile_e164.clone().ok_or_else(|| {
                invalid("this contact has no mobile number of record; use email or copy the link")
            })?),
            (LinkChannel::Email, Some(c)) => Some(c.email.clone().ok_or_else(|| {
                invalid("this contact has no email address of record; use SMS or copy the link")
            })?),
            (_, None) if typed.is_empty() => {
                return Err(invalid(
                    "enter the recipient's mobile number or email address, or copy the link",
                ));
            }
            (_, None) => Some(typed.to_owned()),
        };
        let id = SecretId::new();
        let row = id.to_string();
        let kind;
        let (mut envelope, mut server_share, mut private_key) = (None, None, None);
        let (mut public_key, mut has_passphrase, mut require_verification) =
            (String::new(), false, false);
        let mut link_key = None;
        match req.payload {
            Payload::Send {
                envelope: e,
                server_share: s,
                has_passphrase: p,
                link_key: k,
            } => {
                kind = SecretKind::Send;
                if e.is_empty() || e.len() > MAX_ENVELOPE {
                    return Err(invalid(
                        "the secret is empty or too long (about 40,000 characters at most)",
                    ));
                }
                envelope = Some(e);
                if let Some(s) = s {
                    if s.len() != SHARE_LEN {
                        return Err(invalid("the key share must be 32 bytes"));
                    }
                    let phone = contact.as_ref().and_then(|c| c.mobile_e164.as_deref());
                    if phone.is_none() {
                        return Err(invalid(
                            "recipient verification needs a contact with a mobile number of record",
                        ));
                    }
                    require_verification = true;
                    server_share = Some(
                        self.keyring
                            .seal(&s, &aad(org, SealedColumn::SecretServerShare, &row)),
                    );
                }
                has_passphrase = p;
                if req.channel != LinkChannel::Copy {
                    match k {
                        Some(k) if is_link_key(&k) => link_key = Some(k),
                        _ => {
                            return Err(invalid(
                                "the link key is missing or malformed; reload the page and try again",
                            ));
                        }
                    }
                }
            }
            Payload::Request {
                public_key: p,
                private_key: k,
            } => {
                kind = SecretKind::Request;
                if label.is_empty() {
                    return Err(invalid(
                        "say what you are asking for (e.g. the Wi-Fi password)",
                    ));
                }
                if p.is_empty() || p.len() > 200 || k.is_empty() || k.len() > 1024 {
                    return Err(invalid(
                        "the request's key pair is missing; reload the page and try again",
                    ));
                }
                public_key = p;
                private_key = Some(
                    self.keyring
                        .seal(&k, &aad(org, SealedColumn::SecretPrivateKey, &row)),
                );
            }
        }
        let now = self.now();
        let expires_at = now.plus(req.expiry.duration());
        let (token, token_hash) = random_token();
        let path = match kind {
            SecretKind::Send => format!("/s/{token}"),
            SecretKind::Request => format!("/r/{token}"),
        };
        // Rendered before anything is stored: a bad recipient stores nothing.
        let prepared = match (&destination, req.channel) {
            (Some(to), LinkChannel::Sms | LinkChannel::Email) => {
                let link = public_link(self, &path);
                // The expiry in the recipient's language and their customer's time zone.
                let to_contact = contact.as_ref().map(|c| c.id);
                let locale = self.end_user_locale(org, to_contact, None).await?;
                let template = match kind {
                    SecretKind::Send => TemplateName::SecretSend {
                        technician: technician.name.clone(),
                        link: match &link_key {
                            Some(k) => format!("{link}#{}", k.as_str()),
                            None => link,
                        },
                        expires: locale.time(expires_at),
                        views: req.max_views,
                    },
                    SecretKind::Request => TemplateName::SecretRequest {
                        technician: technician.name.clone(),
                        link,
                        expires: locale.time(expires_at),
                        what: label.clone(),
                    },
                };
                let channel = if req.channel == LinkChannel::Sms {
                    Channel::Sms
                } else {
                    Channel::Email
                };
                Some(
                    self.prepare_message_to(
                        MessageRequest {
                            org,
                            channel,
                            recipient: to.clone(),
                            template,
                            idempotency_key: format!("secret:{id}"),
                            lane: countersign_domain::Lane::Verification,
                        },
                        to_contact,
                    )
                    .await
                    .map_err(|e| match e {
                        crate::messages::MessageError::InvalidRecipient(t) => {
                            SecretError::Invalid(t)
                        }
                        e => e.into(),
                    })?,
                )
            }
            _ => None,
        };
        drop(link_key);
        // The normalised recipient (a typed address is parsed while the message is prepared).
        let recipient_masked = match &prepared {
            Some(p) => mask(&p.message.recipient),
            None => "link copied".into(),
        };
        self.store
            .create_secret(&NewSecret {
                id,
                org_id: org,
                kind,
                token_hash: token_hash.to_vec(),
                technician_id: technician.id,
                contact_id: contact.as_ref().map(|c| c.id),
                channel: req.channel.as_str().into(),
                recipient_masked: recipient_masked.clone(),
                label: label.clone(),
                envelope,
                server_share,
                private_key,
                public_key,
                has_passphrase,
                require_verification,
                max_views: req.max_views,
                notify_on_reveal: req.notify_on_reveal,
                created_at: now,
                expires_at,
            })
            .await?;
        if let Some(p) = &prepared {
            let (_, is_new) = self.store.queue_message(&p.message, Some(&p.job)).await?;
            if is_new {
                self.audit_queued(actor, &p.message).await?;
            }
        }
        self.audit(
            actor,
            Some(org),
            match kind {
                SecretKind::Send => "secret.created",
                SecretKind::Request => "secret.requested",
            },
            &id.to_string(),
            serde_json::json!({
                "contact": contact.as_ref().map(|c| c.id.to_string()),
                "channel": req.channel.as_str(),
                "recipient": recipient_masked,
                "max_views": req.max_views,
                "expires_at": expires_at.0,
                "passphrase": has_passphrase,
                "require_verification": require_verification,
                "notify_on_reveal": req.notify_on_reveal,
            }),
        )
        .await?;
        Ok(CreatedLink {
            id,
            path,
            recipient_masked,
        })
    }
}
