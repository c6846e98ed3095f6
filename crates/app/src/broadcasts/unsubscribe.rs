//! One-click unsubscribe from an org's email broadcasts (issue 20; RFC 8058), and the
//! broadcast opt-outs shown on a contact's page.
//!
//! Every broadcast email carries a link of its own, `{public_url}/unsubscribe/{token}`, in its
//! `List-Unsubscribe` header (the fan-out builds it with [`App::unsubscribe_url`] and stores
//! it on the message). The token is not a stored secret: it says in the clear which org,
//! broadcast, contact, channel and address it is for, and which server key MACs it, followed
//! by an HMAC-SHA256 of all of that under a key derived from the keyring
//! ([`purpose::UNSUBSCRIBE_LINK`]). So a link is checked without a database row, any changed
//! byte (another contact, org, broadcast or address) fails the MAC, and a link keeps working
//! after `keys rotate` for as long as the key it names stays in the key file.
//!
//! Opening the link (GET) only shows a page: mail scanners fetch links (security.md §2.2).
//! The POST, from that page's button or from a mail provider's own one-click button (no
//! cookie, no form token: RFC 8058 §3.1), records an opt-out of the address with
//! [`OptOutSource::UnsubscribeLink`]. The opt-out keeps the address, so every contact of the
//! org that shares it is excluded from later broadcasts on that channel. A second POST finds
//! the address opted out and changes nothing.

use crate::audit::Actor;
use crate::{App, ErrorKind, Principal, UseCaseError};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use countersign_crypto::{ct_eq, hmac_sha256, purpose};
use countersign_domain::email::mask_email;
use countersign_domain::phone::mask_e164;
use countersign_domain::{
    BroadcastId, Channel, ContactId, OptOutSource, OrgId, Permission, Timestamp,
};
use countersign_store::{
    BroadcastStore, ContactStore, OptOut, StoreError, StoreResult, ThrottleStore,
};
use serde_json::json;
use std::time::Duration;
use uuid::Uuid;

/// The path under the public URL that unsubscribe links start with (the web routes
/// `/unsubscribe/{token}`).
pub const UNSUBSCRIBE_PATH: &str = "/unsubscribe/";

/// Format of the token's bytes; a different layout gets a new number.
const VERSION: u8 = 1;
/// The channel byte of an email link (the only channel with a link: SMS has STOP).
const EMAIL: u8 = 1;
/// Bytes of the MAC at the end of the token.
const MAC_LEN: usize = 32;
/// The longest token accepted before decoding: a longer one is not ours (a link holds three
/// ids, a key id of at most 64 characters and an address of at most 254).
const MAX_TOKEN_CHARS: usize = 700;
/// Refused links from one client address within [`THROTTLE_WINDOW`] before its further
/// requests are refused unread (a MAC cannot be guessed; this bounds the work and the noise).
const REFUSALS_PER_WINDOW: i64 = 20;
/// The counting window of refused links per client address.
const THROTTLE_WINDOW: Duration = Duration::from_secs(3600);

/// What an unsubscribe link names, once its MAC checked out.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Link {
    org: OrgId,
    broadcast: BroadcastId,
    contact: ContactId,
    /// The lowercased address the broadcast went to.
    address: String,
}

/// The token's bytes before the MAC: version, org, broadcast and contact ids, channel, then
/// the key id and the address, each after its length in one byte.
fn payload(link: &Link, key_id: &str) -> Option<Vec<u8>> {
    let key_len = u8::try_from(key_id.len()).ok()?;
    let address_len = u8::try_from(link.address.len()).ok()?;
    let mut out = Vec::with_capacity(52 + key_id.len() + link.address.len() + MAC_LEN);
    out.push(VERSION);
    out.extend_from_slice(link.org.0.as_bytes());
    out.extend_from_slice(link.broadcast.0.as_bytes());
    out.extend_from_slice(link.contact.0.as_bytes());
    out.push(EMAIL);
    out.push(key_len);
    out.extend_from_slice(key_id.as_bytes());
    out.push(address_len);
    out.extend_from_slice(link.address.as_bytes());
    Some(out)
}

/// The MAC of a payload. The domain string keeps it apart from any other MAC one might ever
/// make under the same derived key.
fn mac(key: &[u8], payload: &[u8]) -> [u8; 32] {
    hmac_sha256(key, &[b"countersign.unsubscribe", payload])
}

/// Reads a token's fields (nothing is trusted yet): the link, its key id, the payload and the
/// MAC. `None` when it is not a token of this format.
fn parse(token: &str) -> Option<(Link, String, Vec<u8>, Vec<u8>)> {
    if token.len() > MAX_TOKEN_CHARS {
        return None;
    }
    let bytes = URL_SAFE_NO_PAD.decode(token).ok()?;
    let split = bytes.len().checked_sub(MAC_LEN)?;
    let (payload, tag) = bytes.split_at(split);
    let (&version, rest) = payload.split_first()?;
    if version != VERSION || rest.len() < 49 {
        return None;
    }
    let id = |at: usize| Uuid::from_slice(&rest[at..at + 16]).ok();
    let (org, broadcast, contact) = (id(0)?, id(16)?, id(32)?);
    let rest = &rest[48..];
    let (&channel, rest) = rest.split_first()?;
    if channel != EMAIL {
        return None;
    }
    let (&key_len, rest) = rest.split_first()?;
    let key_id = rest.get(..usize::from(key_len))?;
    let rest = &rest[usize::from(key_len)..];
    let (&address_len, rest) = rest.split_first()?;
    if rest.len() != usize::from(address_len) {
        return None;
    }
    let link = Link {
        org: OrgId(org),
        broadcast: BroadcastId(broadcast),
        contact: ContactId(contact),
        address: String::from_utf8(rest.to_vec()).ok()?,
    };
    let key_id = String::from_utf8(key_id.to_vec()).ok()?;
    Some((link, key_id, payload.to_vec(), tag.to_vec()))
}

/// What the unsubscribe page shows: the org's brand and the masked address.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnsubscribeView {
    /// The org's name as its branding shows it.
    pub org_name: String,
    /// The branding's footer line (may be empty).
    pub footer: String,
    /// The address, masked (`a•••@acme.test`): the link is no proof of who opens it.
    pub address: String,
    /// Whether the address is already opted out of the org's email broadcasts.
    pub unsubscribed: bool,
}

/// What a POST to an unsubscribe link did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UnsubscribeOutcome {
    /// The address is opted out now (an opt-out was recorded and audited).
    Unsubscribed(UnsubscribeView),
    /// It was opted out already; nothing changed.
    AlreadyUnsubscribed(UnsubscribeView),
}

impl UnsubscribeOutcome {
    /// The page to show either way.
    #[must_use]
    pub fn view(&self) -> &UnsubscribeView {
        match self {
            Self::Unsubscribed(v) | Self::AlreadyUnsubscribed(v) => v,
        }
    }
}

/// One broadcast opt-out as a contact's page shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContactOptOut {
    /// The contact whose opt-out it is: this one, or another contact sharing the address.
    pub contact_id: ContactId,
    /// Whether it is this contact's own opt-out (`false`: it reaches it through a shared
    /// address).
    pub own: bool,
    /// SMS or email.
    pub channel: Channel,
    /// The address, masked.
    pub address: String,
    /// How it was made.
    pub source: OptOutSource,
    /// When.
    pub at: Timestamp,
    /// Whether the principal may remove it here (admins; never one the contact source set,
    /// which the next sync would write again).
    pub removable: bool,
}

/// Why an unsubscribe link or an opt-out action was refused.
#[derive(Debug, thiserror::Error)]
pub enum UnsubscribeError {
    /// The principal lacks the use case's permission.
    #[error(transparent)]
    Denied(#[from] crate::Denied),
    /// Not a link of ours: forged, altered, cut short, or MAC'd with a key the server no
    /// longer has. Nothing changed.
    #[error(
        "this unsubscribe link is not valid: nothing was changed; use the link or the \
         unsubscribe button of the email itself"
    )]
    InvalidLink,
    /// Too many invalid links from this client address.
    #[error("too many invalid unsubscribe links from your network: try again in an hour")]
    Throttled,
    /// An opt-out the contact source set is changed at the source, not here.
    #[error(
        "this opt-out comes from the contact source: change it there, or the next sync sets \
         it again"
    )]
    FromContactSource,
    /// A store failure (`NotFound`: no such contact or opt-out in the org).
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl UseCaseError for UnsubscribeError {
    fn kind(&self) -> ErrorKind {
        match self {
            Self::Denied(d) => d.kind(),
            Self::InvalidLink => ErrorKind::NotFound,
            Self::Throttled => ErrorKind::RateLimited {
                retry_after: Some(THROTTLE_WINDOW),
            },
            Self::FromContactSource => ErrorKind::Conflict,
            Self::Store(e) => e.kind(),
        }
    }
}

/// The throttle key of refused links from one client address.
fn throttle_key(ip: &str) -> String {
    format!("unsubscribe:ip:{ip}")
}

impl App {
    /// The one-click unsubscribe link of a broadcast email to `address` (the contact's email
    /// address; lowercased here, as the audience compares it): `{public_url}/unsubscribe/
    /// {token}`, the token MAC'd under the keyring's active key (see the module docs). Not a
    /// use case: the broadcast fan-out calls it for each email it queues, and the link goes in
    /// `NewMessage::list_unsubscribe`.
    #[must_use]
    pub fn unsubscribe_url(
        &self,
        org: OrgId,
        broadcast: BroadcastId,
        contact: ContactId,
        address: &str,
    ) -> String {
        let link = Link {
            org,
            broadcast,
            contact,
            address: address.trim().to_lowercase(),
        };
        let (key_id, key) = self.keyring.derive_key_with_id(purpose::UNSUBSCRIBE_LINK);
        // Key ids are at most 64 characters and a contact's address at most 254 (`Email`), so
        // both lengths fit their byte; a longer address is not one we send to.
        let mut bytes = payload(&link, &key_id).unwrap_or_default();
        let tag = mac(key.as_ref(), &bytes);
        bytes.extend_from_slice(&tag);
        format!(
            "{}{UNSUBSCRIBE_PATH}{}",
            self.settings.public_base(),
            URL_SAFE_NO_PAD.encode(&bytes)
        )
    }

    /// What an unsubscribe link shows when opened (GET): the org's brand, the masked address
    /// and whether it is opted out already. Changes nothing but the count of refused links of
    /// `ip`.
    ///
    /// # Errors
    /// An invalid link, too many invalid links from `ip`, or a store failure.
    pub async fn unsubscribe_page(
        &self,
        token: &str,
        ip: &str,
    ) -> Result<UnsubscribeView, UnsubscribeError> {
        let link = self.checked_link(token, ip).await?;
        self.unsubscribe_view(&link).await
    }

    /// Acts on an unsubscribe link (POST, from the page or a mail provider's one-click
    /// button): records that the address opts out of the org's email broadcasts, and audits
    /// it. Idempotent: when the address is opted out already (through this contact or another
    /// one sharing it), nothing changes.
    ///
    /// # Errors
    /// An invalid link (nothing changes), too many invalid links from `ip`, or a store
    /// failure.
    pub async fn unsubscribe(
        &self,
        token: &str,
        ip: &str,
    ) -> Result<UnsubscribeOutcome, UnsubscribeError> {
        let link = self.checked_link(token, ip).await?;
        let view = self.unsubscribe_view(&link).await?;
        if view.unsubscribed {
            return Ok(UnsubscribeOutcome::AlreadyUnsubscribed(view));
        }
        // Two posts at the same moment may both get here; the second write then replaces the
        // first with the same opt-out, and the audit log shows both.
        let opt_out = OptOut {
            org_id: link.org,
            contact_id: link.contact,
            channel: Channel::Email,
            address: link.address.clone(),
            source: OptOutSource::UnsubscribeLink,
            at: self.now(),
        };
        self.store.record_opt_out(&opt_out).await?;
        let actor = Actor {
            org_id: Some(link.org),
            technician_id: None,
            label: format!("contact {}", link.contact),
            ip: Some(ip.to_owned()),
        };
        self.audit(
            &actor,
            Some(link.org),
            "broadcast.unsubscribed",
            &link.contact.to_string(),
            json!({
                "broadcast": link.broadcast.to_string(),
                "channel": Channel::Email.as_str(),
                "address": mask_email(&link.address),
                "source": OptOutSource::UnsubscribeLink.as_str(),
            }),
        )
        .await?;
        Ok(UnsubscribeOutcome::Unsubscribed(UnsubscribeView {
            unsubscribed: true,
            ..view
        }))
    }

    /// The link a token names, when its MAC checks out under the key it names (compared in
    /// constant time). A refused token counts against `ip`; past the limit, `ip` is refused
    /// before its token is read.
    async fn checked_link(&self, token: &str, ip: &str) -> Result<Link, UnsubscribeError> {
        let now = self.now();
        let key = throttle_key(ip);
        // Read, then counted after the check: the check is a MAC no one can guess, so the
        // limit only bounds the work a client makes us do; a burst that slips past the read
        // still learns nothing.
        if self.store.throttle(&key).await?.is_some_and(|t| {
            t.failures >= REFUSALS_PER_WINDOW && t.first_failure_at > now.minus(THROTTLE_WINDOW)
        }) {
            return Err(UnsubscribeError::Throttled);
        }
        let verified = parse(token).and_then(|(link, key_id, payload, tag)| {
            let key = self
                .keyring
                .derive_key_from(&key_id, purpose::UNSUBSCRIBE_LINK)?;
            ct_eq(&tag, &mac(key.as_ref(), &payload)).then_some(link)
        });
        match verified {
            Some(link) => Ok(link),
            None => {
                self.store
                    .record_failure(&key, now, now.minus(THROTTLE_WINDOW))
                    .await?;
                tracing::info!("invalid unsubscribe link refused");
                Err(UnsubscribeError::InvalidLink)
            }
        }
    }

    async fn unsubscribe_view(&self, link: &Link) -> Result<UnsubscribeView, UnsubscribeError> {
        let brand = crate::messages::brand_of(self, link.org).await?;
        let unsubscribed = self
            .store
            .broadcast_address_opted_out(link.org, Channel::Email, &link.address)
            .await?;
        Ok(UnsubscribeView {
            org_name: brand.name,
            footer: brand.footer,
            address: mask_email(&link.address),
            unsubscribed,
        })
    }

    /// The broadcast opt-outs that exclude a contact: its own, and those of any contact
    /// sharing one of its addresses (`ViewDirectory`, as the contact page).
    ///
    /// # Errors
    /// Without the permission; no such contact in the org; a store failure.
    pub async fn contact_opt_outs(
        &self,
        by: &Principal,
        contact: ContactId,
    ) -> Result<Vec<ContactOptOut>, UnsubscribeError> {
        by.require(Permission::ViewDirectory)?;
        let org = by.org_id();
        self.store.contact(org, contact).await?;
        let may_remove = by.may(Permission::ManageSettings);
        Ok(self
            .store
            .opt_outs_of_contact(org, contact)
            .await?
            .into_iter()
            .map(|o| ContactOptOut {
                contact_id: o.contact_id,
                own: o.contact_id == contact,
                channel: o.channel,
                address: match o.channel {
                    Channel::Sms => mask_e164(&o.address),
                    Channel::Email => mask_email(&o.address),
                },
                source: o.source,
                at: o.at,
                removable: may_remove && o.source != OptOutSource::ContactSource,
            })
            .collect())
    }

    /// Removes one of the opt-outs shown on `contact`'s page: the one of `owner` (the contact
    /// itself, or one sharing its address) on `channel`, so broadcasts reach the address again.
    /// Only admins (`ManageSettings`, like the org's broadcast rules): it overrides what the
    /// person asked for, so it is theirs to answer for, and it is audited.
    ///
    /// # Errors
    /// Without the permission; no such contact, or no such opt-out on its page, in the org;
    /// an opt-out the contact source set; a store failure.
    pub async fn remove_contact_opt_out(
        &self,
        by: &Principal,
        contact: ContactId,
        owner: ContactId,
        channel: Channel,
    ) -> Result<(), UnsubscribeError> {
        by.require(Permission::ManageSettings)?;
        let org = by.org_id();
        self.store.contact(org, contact).await?;
        let opt_out = self
            .store
            .opt_outs_of_contact(org, contact)
            .await?
            .into_iter()
            .find(|o| o.contact_id == owner && o.channel == channel)
            .ok_or(StoreError::NotFound)?;
        if opt_out.source == OptOutSource::ContactSource {
            return Err(UnsubscribeError::FromContactSource);
        }
        if !self.store.remove_opt_out(org, owner, channel).await? {
            return Err(StoreError::NotFound.into());
        }
        self.audit_opt_out_removed(by, contact, &opt_out).await?;
        Ok(())
    }

    async fn audit_opt_out_removed(
        &self,
        by: &Principal,
        shown_on: ContactId,
        o: &OptOut,
    ) -> StoreResult<()> {
        self.audit(
            &by.actor(),
            None,
            "broadcast.opt_out_removed",
            &o.contact_id.to_string(),
            json!({
                "shown_on": shown_on.to_string(),
                "channel": o.channel.as_str(),
                "address": match o.channel {
                    Channel::Sms => mask_e164(&o.address),
                    Channel::Email => mask_email(&o.address),
                },
                "source": o.source.as_str(),
            }),
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn link() -> Link {
        Link {
            org: OrgId::new(),
            broadcast: BroadcastId::new(),
            contact: ContactId::new(),
            address: "amy@customer.test".into(),
        }
    }

    fn token(link: &Link, key_id: &str, key: &[u8]) -> String {
        let mut bytes = payload(link, key_id).unwrap();
        let tag = mac(key, &bytes);
        bytes.extend_from_slice(&tag);
        URL_SAFE_NO_PAD.encode(&bytes)
    }

    #[test]
    fn a_token_reads_back_its_fields_and_its_mac() {
        let l = link();
        let t = token(&l, "k-1", b"key");
        let (read, key_id, payload, tag) = parse(&t).unwrap();
        assert_eq!((read, key_id.as_str()), (l, "k-1"));
        assert!(ct_eq(&tag, &mac(b"key", &payload)));
        assert!(!ct_eq(&tag, &mac(b"other key", &payload)));
    }

    #[test]
    fn truncated_padded_or_foreign_tokens_do_not_parse() {
        let t = token(&link(), "k-1", b"key");
        let bytes = URL_SAFE_NO_PAD.decode(&t).unwrap();
        for n in 0..bytes.len() - MAC_LEN {
            let cut = URL_SAFE_NO_PAD.encode(&bytes[..n]);
            assert!(parse(&cut).is_none(), "{n} bytes");
        }
        let mut longer = bytes.clone();
        longer.insert(60, b'x');
        assert!(parse(&URL_SAFE_NO_PAD.encode(&longer)).is_none());
        let mut v2 = bytes;
        v2[0] = 2;
        assert!(parse(&URL_SAFE_NO_PAD.encode(&v2)).is_none());
        assert!(parse("not base64!").is_none());
        assert!(parse(&"A".repeat(MAX_TOKEN_CHARS + 1)).is_none());
    }
}
