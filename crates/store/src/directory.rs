//! The contact directory as the store hands it out: customers, their contacts, the history of
//! contact changes and verifications, and the org's Pod settings.

use countersign_domain::search::Token;
use countersign_domain::{
    ContactId, Country, CustomerId, OrgId, TechnicianId, Timestamp, VerificationId,
};

/// Where a customer or contact comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SourceKind {
    /// Created in Countersign by a technician.
    Manual,
    /// Synced from a Microsoft 365 tenant.
    Microsoft365,
}

impl SourceKind {
    /// Every source, in the order filters list them.
    pub const ALL: [Self; 2] = [Self::Manual, Self::Microsoft365];

    /// The stored text.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Manual => "manual",
            Self::Microsoft365 => "microsoft365",
        }
    }

    /// Parses the stored text; `None` for anything else.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// What the UI calls it.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Self::Manual => "Manual",
            Self::Microsoft365 => "Microsoft 365",
        }
    }
}

/// A company the MSP serves.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Customer {
    /// Primary key.
    pub id: CustomerId,
    /// The org (MSP) that serves the customer.
    pub org_id: OrgId,
    /// Display name.
    pub name: String,
    /// Where the customer comes from.
    pub source: SourceKind,
    /// The id at the source (the tenant id for Microsoft 365), `None` for manual customers.
    pub external_id: Option<String>,
    /// The country national phone numbers of its contacts are read with when neither the
    /// user nor the tenant says one (set by an admin).
    pub default_country: Option<Country>,
    /// The country of its Microsoft 365 tenant (`/organization` `countryLetterCode`), read
    /// with the tenant's name; `None` for manual customers.
    pub tenant_country: Option<Country>,
    /// When the source last synced it.
    pub last_synced_at: Option<Timestamp>,
    /// When it was created.
    pub created_at: Timestamp,
}

/// A customer with the number of its contacts (not removed), for the Customers page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CustomerSummary {
    /// The customer.
    pub customer: Customer,
    /// Contacts not removed.
    pub contacts: i64,
}

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

/// How a contact was verified.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VerificationMethod {
    /// A one-time code sent by SMS, read back to the technician.
    SmsCode,
    /// A one-time code sent by email.
    EmailCode,
    /// An approve link (with number matching) sent by SMS.
    SmsLink,
    /// An approve link (with number matching) sent by email.
    EmailLink,
    /// The contact verified the technician ("this is me" message).
    TechnicianVerification,
}

impl VerificationMethod {
    /// Every method.
    pub const ALL: [Self; 5] = [
        Self::SmsCode,
        Self::EmailCode,
        Self::SmsLink,
        Self::EmailLink,
        Self::TechnicianVerification,
    ];

    /// The stored text.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SmsCode => "sms_code",
            Self::EmailCode => "email_code",
            Self::SmsLink => "sms_link",
            Self::EmailLink => "email_link",
            Self::TechnicianVerification => "technician_verification",
        }
    }

    /// Parses the stored text.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// What the Pod calls it.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Self::SmsCode => "SMS code",
            Self::EmailCode => "email code",
            Self::SmsLink => "SMS approve link",
            Self::EmailLink => "email approve link",
            Self::TechnicianVerification => "technician verification",
        }
    }
}

/// Where a verification stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VerificationStatus {
    /// Sent, not answered yet.
    Pending,
    /// The contact proved who they are.
    Verified,
    /// A wrong code or a refused approval.
    Failed,
    /// Not answered in time.
    Expired,
    /// The contact answered "This wasn't me".
    Denied,
    /// A message that asks nothing back ("who I am").
    Sent,
}

impl VerificationStatus {
    /// Every status.
    pub const ALL: [Self; 6] = [
        Self::Pending,
        Self::Verified,
        Self::Failed,
        Self::Expired,
        Self::Denied,
        Self::Sent,
    ];

    /// The stored text.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Verified => "verified",
            Self::Failed => "failed",
            Self::Expired => "expired",
            Self::Denied => "denied",
            Self::Sent => "sent",
        }
    }

    /// Parses the stored text.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// One verification of a contact, as written by the verification flows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verification {
    /// Primary key.
    pub id: VerificationId,
    /// The org.
    pub org_id: OrgId,
    /// The contact (same org).
    pub contact_id: ContactId,
    /// The technician who started it (same org), if any.
    pub technician_id: Option<TechnicianId>,
    /// How.
    pub method: VerificationMethod,
    /// `sms` or `email` (or another channel of record).
    pub channel: String,
    /// Where it went, masked (`+•••••••0101`): never the full number in the history.
    pub destination_masked: String,
    /// Where it stands.
    pub status: VerificationStatus,
    /// When.
    pub at: Timestamp,
}

/// A verification with the name of its technician, for the Pod.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerificationEntry {
    /// The verification.
    pub verification: Verification,
    /// The technician's display name, if there is one.
    pub technician_name: Option<String>,
}

/// The org's Pod settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PodSettings {
    /// The org.
    pub org_id: OrgId,
    /// Origins allowed to frame the Pod (`https://psa.example`), empty: none.
    pub frame_ancestors: Vec<String>,
    /// Minutes a verification shows as fresh (green).
    pub verified_window_minutes: i64,
    /// Verifications the Pod's history shows.
    pub history_length: i64,
    /// Last change (`None`: never saved, defaults).
    pub updated_at: Option<Timestamp>,
}

impl PodSettings {
    /// Default verified window, minutes.
    pub const DEFAULT_VERIFIED_WINDOW_MINUTES: i64 = 15;
    /// Default history length.
    pub const DEFAULT_HISTORY_LENGTH: i64 = 10;

    /// The settings of an org that never saved any.
    #[must_use]
    pub fn defaults(org_id: OrgId) -> Self {
        Self {
            org_id,
            frame_ancestors: Vec::new(),
            verified_window_minutes: Self::DEFAULT_VERIFIED_WINDOW_MINUTES,
            history_length: Self::DEFAULT_HISTORY_LENGTH,
            updated_at: None,
        }
    }
}
