//! One-time links of Secure Data Send and Request (security.md §2.1–2.3): the ciphertext the
//! browser made, the link's lifecycle and the tombstone that stays after it ends.

pub(crate) mod sql;

use crate::StoreResult;
use crate::forwarding::store_trait;
use countersign_domain::{ContactId, OrgId, SecretId, TechnicianId, Timestamp, VerificationId};

/// Which way the data travels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SecretKind {
    /// The technician sends data to the recipient.
    Send,
    /// The technician asks the contact for data.
    Request,
}

impl SecretKind {
    /// The stored text.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Send => "send",
            Self::Request => "request",
        }
    }
    /// Parses the stored text.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "send" => Some(Self::Send),
            "request" => Some(Self::Request),
            _ => None,
        }
    }
}

/// Where a link is in its life. Only `Waiting` and `Active` rows hold ciphertext or keys.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SecretState {
    /// A request whose contact has not answered yet.
    Waiting,
    /// Holds ciphertext and views are left.
    Active,
    /// The last view was claimed (tombstone).
    Revealed,
    /// Expired before the last view (tombstone).
    Expired,
    /// Burned early by the technician (tombstone).
    Burned,
}

impl SecretState {
    /// The stored text.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Waiting => "waiting",
            Self::Active => "active",
            Self::Revealed => "revealed",
            Self::Expired => "expired",
            Self::Burned => "burned",
        }
    }
    /// Parses the stored text.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "waiting" => Some(Self::Waiting),
            "active" => Some(Self::Active),
            "revealed" => Some(Self::Revealed),
            "expired" => Some(Self::Expired),
            "burned" => Some(Self::Burned),
            _ => None,
        }
    }
}

/// A link about to be stored.
#[derive(Clone, Debug)]
pub struct NewSecret {
    /// Its id.
    pub id: SecretId,
    /// The org.
    pub org_id: OrgId,
    /// Send or request.
    pub kind: SecretKind,
    /// SHA-256 of the link token (the path part; the key is only in the fragment).
    pub token_hash: Vec<u8>,
    /// The technician who made it.
    pub technician_id: TechnicianId,
    /// The contact of record, when it went to one.
    pub contact_id: Option<ContactId>,
    /// `sms`, `email` or `copy`.
    pub channel: String,
    /// The recipient, masked, for status pages.
    pub recipient_masked: String,
    /// What a request asks for, or a send's note (never secret).
    pub label: String,
    /// A send's ciphertext envelope (`None` for a request until the contact answers).
    pub envelope: Option<Vec<u8>>,
    /// The sealed server-held key share (recipient verification required), if any.
    pub server_share: Option<Vec<u8>>,
    /// A request's sealed private key.
    pub private_key: Option<Vec<u8>>,
    /// A request's public key the contact's browser encrypts to ('' for a send).
    pub public_key: String,
    /// The browser stretched a passphrase into the key.
    pub has_passphrase: bool,
    /// The recipient must pass an SMS code first.
    pub require_verification: bool,
    /// Views allowed (1–10).
    pub max_views: i64,
    /// Tell the technician when it is revealed.
    pub notify_on_reveal: bool,
    /// When made.
    pub created_at: Timestamp,
    /// When it stops working.
    pub expires_at: Timestamp,
}

/// A stored link's metadata (never its ciphertext or keys): what status pages show.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Secret {
    /// Its id.
    pub id: SecretId,
    /// The org.
    pub org_id: OrgId,
    /// Send or request.
    pub kind: SecretKind,
    /// The technician who made it.
    pub technician_id: TechnicianId,
    /// The contact of record, if any.
    pub contact_id: Option<ContactId>,
    /// `sms`, `email` or `copy`.
    pub channel: String,
    /// The recipient, masked.
    pub recipient_masked: String,
    /// What a request asks for, or a send's note.
    pub label: String,
    /// The stored state (see [`Secret::state_at`] for expiry not yet purged).
    pub state: SecretState,
    /// Whether ciphertext is still held.
    pub has_envelope: bool,
    /// A request's public key ('' for a send).
    pub public_key: String,
    /// A passphrase is needed.
    pub has_passphrase: bool,
    /// Recipient verification is needed.
    pub require_verification: bool,
    /// The verification the recipient passed, once they did.
    pub verification_id: Option<VerificationId>,
    /// Views allowed.
    pub max_views: i64,
    /// Views left.
    pub views_left: i64,
    /// Tell the technician when it is revealed.
    pub notify_on_reveal: bool,
    /// When made.
    pub created_at: Timestamp,
    /// When it stops working.
    pub expires_at: Timestamp,
    /// First time the interstitial was shown (may be a link scanner; consumes nothing).
    pub opened_at: Option<Timestamp>,
    /// When the contact answered a request.
    pub submitted_at: Option<Timestamp>,
    /// First claimed view.
    pub first_revealed_at: Option<Timestamp>,
    /// Last claimed view.
    pub last_revealed_at: Option<Timestamp>,
    /// The address the last view came from.
    pub last_reveal_ip: Option<String>,
    /// When it was revealed for the last time, burned or expired.
    pub ended_at: Option<Timestamp>,
}

impl Secret {
    /// The state as of `now`: a live link past its expiry is expired even before the purge.
    #[must_use]
    pub fn state_at(&self, now: Timestamp) -> SecretState {
        match self.state {
            SecretState::Waiting | SecretState::Active if self.expires_at <= now => {
                SecretState::Expired
            }
            s => s,
        }
    }
}

/// What one claimed view hands out: the ciphertext and the key material the server holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClaimedSecret {
    /// The ciphertext envelope.
    pub envelope: Vec<u8>,
    /// The sealed server share, if the link has one.
    pub server_share: Option<Vec<u8>>,
    /// A request's sealed private key.
    pub private_key: Option<Vec<u8>>,
    /// Views left after this one (0: the row is now a tombstone).
    pub views_left: i64,
}

store_trait! {
/// One-time links: every claim is one conditional `UPDATE … RETURNING` in a write
/// transaction, with expiry in the statement itself, so racing reveals of a one-view link
/// have exactly one winner on both backends.
pub trait SecretStore {
    /// Stores a new link.
    async fn create_secret(&self, s: &NewSecret) -> StoreResult<()>;
    /// The org's link with this id (metadata only), or `NotFound`.
    async fn secret(&self, org: OrgId, id: SecretId) -> StoreResult<Secret>;
    /// The link whose token hashes to `token_hash`. Not org-scoped: the link's holder does
    /// not say which org it is; the token is the proof.
    async fn secret_by_token(&self, token_hash: &[u8]) -> StoreResult<Option<Secret>>;
    /// The contact's links, newest first, at most `limit`.
    async fn contact_secrets(
        &self,
        org: OrgId,
        contact: ContactId,
        limit: i64,
    ) -> StoreResult<Vec<Secret>>;
    /// The org's links made by `technician` (every technician's when `None`), newest
    /// first, at most `limit` (metadata only): Secure Send's "My links".
    async fn technician_secrets(
        &self,
        org: OrgId,
        technician: Option<TechnicianId>,
        limit: i64,
    ) -> StoreResult<Vec<Secret>>;
    /// Notes the first showing of the interstitial (metadata only; claims nothing).
    async fn mark_secret_opened(&self, org: OrgId, id: SecretId, now: Timestamp)
    -> StoreResult<()>;
    /// Records that the recipient passed verification `v` (the server share may be released).
    async fn set_secret_verified(
        &self,
        org: OrgId,
        id: SecretId,
        v: VerificationId,
        now: Timestamp,
    ) -> StoreResult<bool>;
    /// Claims one view of a live, unexpired link of `kind` with views left (and, if it needs
    /// verification, a passed one). On the last view the ciphertext and keys are deleted in
    /// the same transaction and the row stays as a tombstone. `None` when nothing may be
    /// claimed (another request won, expired, burned, not yet verified).
    async fn claim_secret(
        &self,
        org: OrgId,
        id: SecretId,
        kind: SecretKind,
        now: Timestamp,
        ip: &str,
    ) -> StoreResult<Option<ClaimedSecret>>;
    /// The contact answers a waiting, unexpired request (once). False otherwise.
    async fn submit_secret_request(
        &self,
        org: OrgId,
        id: SecretId,
        envelope: &[u8],
        now: Timestamp,
    ) -> StoreResult<bool>;
    /// Burns a live link early: ciphertext and keys deleted, tombstone kept. False when it
    /// had already ended, or when `owner` is given and did not make it (`None`: an admin's
    /// burn, whoever made it).
    async fn burn_secret(
        &self,
        org: OrgId,
        id: SecretId,
        owner: Option<TechnicianId>,
        now: Timestamp,
    ) -> StoreResult<bool>;
    /// Sets whether the technician who made the link is told about reveals: `NotFound`
    /// unless `owner` made it.
    async fn set_secret_notify(
        &self,
        org: OrgId,
        id: SecretId,
        owner: TechnicianId,
        notify: bool,
    ) -> StoreResult<()>;
    /// Ends live links whose expiry passed (every org: the purge is server work), deleting
    /// their ciphertext and keys at once. Returns them, at most `limit`.
    async fn expire_secrets(&self, now: Timestamp, limit: i64) -> StoreResult<Vec<Secret>>;
}
}
