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
//! cookie, no form token: RFC 8058 §3.2), records an opt-out of the address with
//! [`OptOutSource::UnsubscribeLink`]. The opt-out keeps the address, so every contact of the
//! org that shares it is excluded from later broadcasts on that channel. A second POST finds
//! the address opted out and changes nothing.

mod token;

use crate::audit::Actor;
use crate::{App, ErrorKind, Principal, UseCaseError};
use countersign_crypto::purpose;
use countersign_domain::mask::mask;
use countersign_domain::{
    BroadcastId, Channel, ContactId, OptOutSource, OrgId, Permission, Timestamp,
};
use countersign_store::{
    BroadcastStore, ContactStore, OptOut, StoreError, StoreResult, ThrottleStore,
};
use serde_json::json;
use std::time::Duration;
use token::Link;

/// The path under the public URL that unsubscribe links start with (the web routes
/// `/unsubscribe/{token}`).
pub const UNSUBSCRIBE_PATH: &str = "/unsubscribe/";

/// Refused links from one client address within [`THROTTLE_WINDOW`] before its further
/// requests are refused unread (a MAC cannot be guessed; this bounds the work and the noise).
const REFUSALS_PER_WINDOW: i64 = 20;
/// The counting window of refused links per client address.
const THROTTLE_WINDOW: Duration = Duration::from_secs(3600);

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
    /// The org and contact the link is of: the page is in the contact's language.
    pub org_id: OrgId,
    /// The contact the link was sent to.
    pub contact_id: ContactId,
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
        format!(
            "{}{UNSUBSCRIBE_PATH}{}",
            self.settings.public_base(),
            token::encode(&link, &key_id, key.as_ref())
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
        let actor = Actor::contact(link.org, link.contact, Some(ip.to_owned()));
        self.audit(
            &actor,
            Some(link.org),
            "broadcast.unsubscribed",
            &link.contact.to_string(),
            json!({
                "broadcast": link.broadcast.to_string(),
                "channel": Channel::Email.as_str(),
                "address": mask(&link.address),
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
        let verified = token::verify(token, |key_id| {
            self.keyring
                .derive_key_from(key_id, purpose::UNSUBSCRIBE_LINK)
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
            address: mask(&link.address),
            unsubscribed,
            org_id: link.org,
            contact_id: link.contact,
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
                address: mask(&o.address),
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
                "address": mask(&o.address),
                "source": o.source.as_str(),
            }),
        )
        .await
    }
}
