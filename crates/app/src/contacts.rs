//! The contact directory's use cases: manual customers and contacts (`edit.rs`), edits that go
//! to the contact's source (`source.rs`), the Pod (`pod.rs`) and its settings
//! (`pod_settings.rs`), and the views the pages format (`views.rs`). Every use case takes the
//! principal, checks its permission first and looks rows up within the principal's org only,
//! so another org's customer or contact is `NotFound`.

mod customers;
mod edit;
mod phones;
mod pod;
mod pod_settings;
mod source;
mod views;

pub use edit::ContactInput;
pub use phones::{mobile_e164, phone_countries};
pub use pod::{
    LiveVerification, OtherContact, Outcome, PhoneChangeWarning, PodRequest, PodView,
    SIM_SWAP_WINDOW, latest_outcome, number_changed_recently, outcome_of,
};
pub use pod_settings::{PodSettingsInput, parse_frame_ancestor};
pub use source::{EditRoute, Microsoft365WriteBack, WriteBackError};
pub use views::{
    ChangedBy, ContactChangeView, ContactListItem, ContactListQuery, ContactListView, ContactPage,
    CustomerListView, CustomerPage,
};

use countersign_domain::PhoneError;
use countersign_domain::email::EmailError;
use countersign_domain::text::TextError;
use countersign_store::{Contact, StoreError};

/// Why nothing may be verified with or sent to `contact`: its source removed it (when, and
/// where), or `None` while it is current. Every path that verifies a contact or sends to it
/// asks this, and the Pod shows the same words.
#[must_use]
pub fn removed_reason(contact: &Contact) -> Option<String> {
    contact.removed_at.map(|at| {
        format!(
            "this contact was removed in {} on {}; it cannot be verified or sent to",
            contact.source.label(),
            at.display()
        )
    })
}

/// A contact a technician may find and act on. One whose sync source was unlinked
/// (issue 21.6) is hidden, as if it did not exist (`NotFound`), until the source is linked
/// again or the purge deletes it; the audit trail and history keep naming it.
///
/// # Errors
/// `NotFound` for a contact of an unlinked source.
pub fn visible(contact: Contact) -> Result<Contact, StoreError> {
    if contact.unlinked_at.is_some() {
        return Err(StoreError::NotFound);
    }
    Ok(contact)
}

/// Why a directory action was refused. The messages are shown to users as they are.
#[derive(Debug, thiserror::Error)]
pub enum ContactError {
    /// The mobile number does not parse.
    #[error("mobile number: {0}")]
    Phone(#[from] PhoneError),
    /// The email address does not parse.
    #[error("email address: {0}")]
    Email(#[from] EmailError),
    /// A text over its field's limit.
    #[error("{0}")]
    Text(#[from] TextError),
    /// The mobile number is, by its country's plan, a line SMS cannot reach.
    #[error("mobile number: {0}")]
    NotMobile(String),
    /// No name at all.
    #[error("enter a name: a display name, or a given name and surname")]
    NameRequired,
    /// A customer needs a name.
    #[error("enter the customer's name")]
    CustomerNameRequired,
    /// The contact's source cannot take the edit (yet); nothing was saved.
    #[error("{0}")]
    WriteBack(#[from] WriteBackError),
    /// Only manual contacts and customers can be created or deleted in Countersign.
    #[error("{0}")]
    NotManual(&'static str),
    /// A Pod setting is out of range or malformed.
    #[error("{0}")]
    Setting(String),
    /// Not a time zone of the tz database.
    #[error("time zone: {0}")]
    TimeZone(#[from] countersign_domain::ZoneError),
    /// The principal lacks the use case's permission.
    #[error(transparent)]
    Denied(#[from] crate::Denied),
    /// The acting technician may not change where codes and links go (ASVS 8.2.3).
    #[error(
        "changing a contact's mobile number or email address needs the admin role or the \"Edit contacts\" permission: ask an admin of your organisation; nothing was changed"
    )]
    ChannelsNotAllowed,
    /// No such row in the org.
    #[error("not found")]
    NotFound,
    /// The store failed.
    #[error(transparent)]
    Store(StoreError),
}

impl From<StoreError> for ContactError {
    fn from(e: StoreError) -> Self {
        match e {
            // Another org's row looks exactly like a missing one.
            StoreError::NotFound => Self::NotFound,
            other => Self::Store(other),
        }
    }
}

impl crate::UseCaseError for ContactError {
    fn kind(&self) -> crate::ErrorKind {
        use crate::{ErrorKind as K, Refusal};
        match self {
            Self::NotFound => K::NotFound,
            Self::ChannelsNotAllowed => K::Forbidden(Refusal::Permission),
            Self::Denied(e) => crate::UseCaseError::kind(e),
            Self::Store(e) => crate::UseCaseError::kind(e),
            Self::WriteBack(e) => crate::UseCaseError::kind(e),
            Self::NotManual(_) => K::Conflict,
            Self::Phone(_)
            | Self::Email(_)
            | Self::Text(_)
            | Self::NotMobile(_)
            | Self::NameRequired
            | Self::CustomerNameRequired
            | Self::TimeZone(_)
            | Self::Setting(_) => K::Invalid,
        }
    }

    fn fields(&self) -> Vec<crate::FieldMessage> {
        let field = match self {
            Self::Phone(_) | Self::NotMobile(_) => Some("mobile"),
            Self::Email(_) => Some("email"),
            Self::NameRequired | Self::CustomerNameRequired => Some("name"),
            Self::TimeZone(_) => Some("time_zone"),
            _ => None,
        };
        vec![crate::FieldMessage {
            field,
            message: self.to_string(),
        }]
    }
}
