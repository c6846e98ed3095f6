//! What end users read: an org's overrides of the end-user texts, and what decides the
//! language and time zone of a contact's pages and messages.

pub(crate) mod sql;

use crate::StoreResult;
use crate::forwarding::store_trait;
use countersign_domain::{ContactId, OrgId, Timestamp};

/// An org's override of one end-user text in one language.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EndUserText {
    /// Language code (`de`).
    pub language: String,
    /// The Fluent message id (`approve-button`).
    pub message_id: String,
    /// The override (the value of the Fluent message, checked before it is stored).
    pub body: String,
    /// When it was last saved.
    pub updated_at: Timestamp,
}

/// What the language and time zone of a contact's pages and messages are decided by.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ContactLocale {
    /// The contact's own language, as its source says it (`de-DE`).
    pub preferred_language: Option<String>,
    /// The language set on the contact's customer (`de`).
    pub customer_language: Option<String>,
    /// The customer's own time zone (IANA name).
    pub customer_time_zone: Option<String>,
    /// The org's time zone (Settings ▸ Broadcasts), which customers without one are in.
    pub org_time_zone: Option<String>,
}

store_trait! {
/// End-user texts and locales.
pub trait EndUserStore {
    /// The org's overrides, of one language (`Some("de")`) or of all, by language and id.
    async fn end_user_texts(
        &self,
        org: OrgId,
        language: Option<&str>,
    ) -> StoreResult<Vec<EndUserText>>;
    /// Saves an override (replacing the org's earlier one of that language and id).
    async fn set_end_user_text(&self, org: OrgId, text: &EndUserText) -> StoreResult<()>;
    /// Removes an override; whether there was one.
    async fn delete_end_user_text(
        &self,
        org: OrgId,
        language: &str,
        message_id: &str,
    ) -> StoreResult<bool>;
    /// The languages and time zones of the org's contact, its customer and the org.
    /// `NotFound` unless the org has the contact.
    async fn contact_locale(&self, org: OrgId, contact: ContactId) -> StoreResult<ContactLocale>;
    /// Sets a contact's own language as its source says it (`de-DE`; `None`: none).
    /// `NotFound` unless the org has the contact.
    async fn set_contact_language(
        &self,
        org: OrgId,
        contact: ContactId,
        language: Option<&str>,
    ) -> StoreResult<()>;
    /// The org's time zone (Settings ▸ Broadcasts; `None`: UTC), for pages of no contact.
    async fn org_time_zone(&self, org: OrgId) -> StoreResult<Option<String>>;
}
}
