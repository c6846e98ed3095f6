//! Contacts of an org's customers, their search index and change history.

mod phones;
pub(crate) mod rows;
pub(crate) mod sql;
mod sync;
mod windows;
pub(crate) mod writes;

use crate::forwarding::store_trait;
use crate::{SourceKind, StoreResult};
use countersign_domain::search::Token;
use countersign_domain::{ContactId, Country, CustomerId, OrgId, TechnicianId, Timestamp};

/// An end user of a customer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Contact {
    /// Primary key.
    pub id: ContactId,
    /// The org.
    pub org_id: OrgId,
    /// The customer the contact belongs to (same org).
    pub customer_id: CustomerId,
    /// Where the contact comes from.
    pub source: SourceKind,
    /// The id at the source (the Entra object id), `None` for manual contacts.
    pub external_id: Option<String>,
    /// User principal name (Microsoft 365).
    pub upn: Option<String>,
    /// Given name (may be empty).
    pub given_name: String,
    /// Surname (may be empty).
    pub surname: String,
    /// Display name.
    pub display_name: String,
    /// Email address, as the source wrote it.
    pub email: Option<String>,
    /// Mobile number as the source wrote it.
    pub mobile: Option<String>,
    /// The mobile number in E.164, when it could be parsed.
    pub mobile_e164: Option<String>,
    /// The country of the user at the source (Microsoft 365 `usageLocation`, else
    /// `country`): the first with which its national numbers are read.
    pub phone_country: Option<Country>,
    /// Business phone numbers as the source wrote them.
    pub business_phones: Vec<String>,
    /// Job title (may be empty).
    pub job_title: String,
    /// Department (may be empty).
    pub department: String,
    /// Whether the account can sign in at the source.
    pub account_enabled: bool,
    /// `Member`, `Guest`, … (Microsoft 365); empty for manual contacts.
    pub user_type: String,
    /// When the source removed the contact (kept for history, hidden by default).
    pub removed_at: Option<Timestamp>,
    /// When the source last synced the contact.
    pub last_synced_at: Option<Timestamp>,
    /// When the mobile number last changed (sync or edit): the SIM-swap warning reads it.
    pub phone_changed_at: Option<Timestamp>,
    /// When the contact was created.
    pub created_at: Timestamp,
    /// Last change of any field.
    pub updated_at: Timestamp,
    /// When the sync source it came from was unlinked (issue 21.6): hidden from every list,
    /// search, picker, audience and action, kept for history until the purge.
    pub unlinked_at: Option<Timestamp>,
}

/// The fields a technician (or a write-back) edits. The store derives the search terms and
/// sort keys from them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ContactEdit {
    /// Given name.
    pub given_name: String,
    /// Surname.
    pub surname: String,
    /// Display name.
    pub display_name: String,
    /// Email address (already validated).
    pub email: Option<String>,
    /// Mobile number as entered.
    pub mobile: Option<String>,
    /// The mobile number in E.164 (already parsed).
    pub mobile_e164: Option<String>,
    /// Job title.
    pub job_title: String,
    /// Department.
    pub department: String,
}

/// One user as a sync delivers it, for [`crate::ContactStore::upsert_synced_contacts`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SyncedContact {
    /// The id at the source (the Entra object id): the key of the upsert.
    pub external_id: String,
    /// User principal name.
    pub upn: Option<String>,
    /// Given name.
    pub given_name: String,
    /// Surname.
    pub surname: String,
    /// Display name.
    pub display_name: String,
    /// Email address.
    pub email: Option<String>,
    /// Mobile number as the source wrote it.
    pub mobile: Option<String>,
    /// The mobile number in E.164, when the sync could parse it.
    pub mobile_e164: Option<String>,
    /// The user's own country (`usageLocation`, else `country`), if it names one.
    pub phone_country: Option<Country>,
    /// Business phone numbers.
    pub business_phones: Vec<String>,
    /// Job title.
    pub job_title: String,
    /// Department.
    pub department: String,
    /// Whether the account can sign in.
    pub account_enabled: bool,
    /// `Member`, `Guest`, …
    pub user_type: String,
    /// The source says the user is gone (delta `@removed`).
    pub removed: bool,
    /// The source's own "no bulk messages" flag for the contact (ConnectWise
    /// `unsubscribeFlag`, Autotask `isOptedOutFromBulkEmail`, Halo `neversendmarketingemails`),
    /// `None` for a source without one (Microsoft 365). `Some(true)` opts the contact out of
    /// broadcasts on every channel it has an address for (source `contact_source`, kept
    /// beside an earlier STOP or unsubscribe); `Some(false)` removes only those opt-outs.
    pub broadcast_opt_out: Option<bool>,
    /// The user's language as the source says it (Microsoft Graph's `preferredLanguage`,
    /// e.g. `de-DE`; `None`: it says none). End-user pages and messages use it first (issue
    /// 21.8). Not part of the contact's change history.
    pub preferred_language: Option<String>,
}

/// What an upsert did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct UpsertOutcome {
    /// New contacts.
    pub inserted: u64,
    /// Existing contacts whose stored fields changed (an identical user only has its sync
    /// time recorded and is not counted).
    pub updated: u64,
    /// Of `updated`, the contacts newly marked removed.
    pub removed: u64,
    /// Existing contacts whose mobile number changed (recorded in the change history).
    pub mobile_changes: u64,
}

/// The fields whose changes are kept in the contact's history.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChangedField {
    /// The mobile number (the channel of record for SMS).
    Mobile,
    /// The email address.
    Email,
}

impl ChangedField {
    /// The stored text.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Mobile => "mobile",
            Self::Email => "email",
        }
    }

    /// Parses the stored text.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "mobile" => Some(Self::Mobile),
            "email" => Some(Self::Email),
            _ => None,
        }
    }
}

/// One recorded change of a contact's mobile number or email address.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContactChange {
    /// Which field.
    pub field: ChangedField,
    /// The value before (`None`: there was none).
    pub old_value: Option<String>,
    /// The value after (`None`: cleared).
    pub new_value: Option<String>,
    /// The technician who edited it, or `None` when a sync did.
    pub technician_id: Option<TechnicianId>,
    /// When.
    pub at: Timestamp,
}

/// How contacts are ordered; every order ends with the id, so pages never overlap.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ContactSort {
    /// By folded display name, A to Z.
    #[default]
    NameAsc,
    /// By folded display name, Z to A.
    NameDesc,
    /// By lowercased email, A to Z (contacts without email first).
    EmailAsc,
    /// By lowercased email, Z to A.
    EmailDesc,
}

impl ContactSort {
    /// Every order, as the sort links list them.
    pub const ALL: [Self; 4] = [
        Self::NameAsc,
        Self::NameDesc,
        Self::EmailAsc,
        Self::EmailDesc,
    ];

    /// The text in URLs.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NameAsc => "name",
            Self::NameDesc => "-name",
            Self::EmailAsc => "email",
            Self::EmailDesc => "-email",
        }
    }

    /// Parses the URL text; `None` for anything else.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The sort key of a contact under this order (what a [`ContactCursor`] carries).
    #[must_use]
    pub fn key_of(self, c: &Contact) -> String {
        match self {
            Self::NameAsc | Self::NameDesc => countersign_domain::search::name_key(&c.display_name),
            Self::EmailAsc | Self::EmailDesc => email_key(c.email.as_deref()),
        }
    }
}

/// The email sort key: lowercased, empty when there is none.
#[must_use]
pub fn email_key(email: Option<&str>) -> String {
    email.map(|e| e.trim().to_lowercase()).unwrap_or_default()
}

/// Where the next page starts: after the contact with this sort key and id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContactCursor {
    /// The sort key of the last contact of the previous page (see [`ContactSort::key_of`]).
    pub key: String,
    /// Its id.
    pub id: ContactId,
}

/// A search of the contact list.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ContactQuery {
    /// Tokens that must all match (empty: every contact).
    pub tokens: Vec<Token>,
    /// Only contacts of this customer.
    pub customer: Option<CustomerId>,
    /// Only contacts from this source.
    pub source: Option<SourceKind>,
    /// Also contacts that are removed or whose account is disabled.
    pub include_inactive: bool,
    /// Order.
    pub sort: ContactSort,
    /// Start after this contact.
    pub after: Option<ContactCursor>,
    /// At most this many (clamped to `0..=`[`crate::MAX_CONTACT_PAGE`]).
    pub limit: i64,
}

store_trait! {
/// The mobile numbers of a customer's contacts, re-read when a country they are read with
/// changes (the customer's default country, its tenant's country).
pub trait PhoneStore {
    /// The customer's contacts from `source` that have a mobile number (removed ones too).
    async fn contacts_with_mobile(
        &self,
        org: OrgId,
        customer: CustomerId,
        source: SourceKind,
    ) -> StoreResult<Vec<Contact>>;
    /// Sets the E.164 form of each listed contact's mobile number (keeping its search terms
    /// in step), in one transaction; contacts of other orgs are left alone. A new reading of
    /// the same text is not a number change: `phone_changed_at` and the history are not
    /// touched. Returns how many contacts changed.
    async fn set_mobile_e164s(
        &self,
        org: OrgId,
        changes: &[(ContactId, Option<String>)],
        at: Timestamp,
    ) -> StoreResult<u64>;
}
}

store_trait! {
/// Contacts of an org, their search index and their change history.
pub trait ContactStore {
    /// Inserts a contact (manual, or a test's) with its search terms. `NotFound` when the
    /// org has no such customer.
    async fn create_contact(&self, contact: &Contact) -> StoreResult<()>;
    /// The contact of this org, or `NotFound`.
    async fn contact(&self, org: OrgId, id: ContactId) -> StoreResult<Contact>;
    /// Replaces the editable fields, keeps the search terms in step, and records a change
    /// of the mobile number or email address in the history (by `technician`), in one
    /// transaction. A changed mobile number sets `phone_changed_at`. Returns the contact.
    async fn update_contact(
        &self,
        org: OrgId,
        id: ContactId,
        edit: &ContactEdit,
        technician: Option<TechnicianId>,
        at: Timestamp,
    ) -> StoreResult<Contact>;
    /// Deletes a contact with its terms, history and verifications. `NotFound` unless the org
    /// has it.
    async fn delete_contact(&self, org: OrgId, id: ContactId) -> StoreResult<()>;
    /// Contacts of the org matching the query, in its order, starting after its cursor.
    async fn search_contacts(&self, org: OrgId, query: &ContactQuery) -> StoreResult<Vec<Contact>>;
    /// Writes a batch of users of one customer as a sync delivered them, keyed by external
    /// id: new ones are inserted, known ones updated (and marked removed when the source
    /// says so; a removal of an id never stored inserts nothing; an identical user only
    /// gets its sync time and is not counted as updated; a contact newly removed has its
    /// pending verifications failed); a changed mobile number is recorded in the history with `at`, so the Pod
    /// can warn about a recent change (SIM-swap risk). One transaction per call. `NotFound`
    /// when the org has no such customer.
    async fn upsert_synced_contacts(
        &self,
        org: OrgId,
        customer: CustomerId,
        source: SourceKind,
        batch: &[SyncedContact],
        at: Timestamp,
    ) -> StoreResult<UpsertOutcome>;
    /// The contact's recorded changes, newest first, at most `limit`.
    async fn contact_changes(
        &self,
        org: OrgId,
        id: ContactId,
        limit: i64,
    ) -> StoreResult<Vec<ContactChange>>;
}
}
