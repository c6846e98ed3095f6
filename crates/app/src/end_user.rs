//! What end users read, in their language (issue 21.8): which language and time zone a
//! contact's pages and messages use, and an org's overrides of the texts (Settings ▸
//! End-user texts).
//!
//! The language rule: the contact's own (`preferredLanguage` from its source), else its
//! customer's (set on the customer page), else, on a public page, the browser's
//! `Accept-Language`, else English. Times: the customer's zone, else the org's (Settings ▸
//! Broadcasts), else UTC.

use crate::{App, Principal};
use countersign_domain::{ContactId, CustomerId, OrgId, Permission, Timestamp, Zone};
use countersign_messaging::end_user::{
    Language, OverrideError, Texts, choose_language, local_time, validate_override,
};
use countersign_store::{CustomerStore, EndUserStore, EndUserText, StoreError};
use serde_json::json;

/// The language, overrides and time zone of one end user's page or message.
#[derive(Clone, Debug)]
pub struct EndUserLocale {
    /// The language shown.
    pub language: Language,
    /// The time zone times are shown in.
    pub zone: Zone,
    /// The org's overrides of that language: message id and text.
    overrides: Vec<(String, String)>,
}

impl EndUserLocale {
    /// A page of no org (a link that does not exist): the browser's language, no
    /// overrides, UTC.
    #[must_use]
    pub fn without_org(accept_language: Option<&str>) -> Self {
        Self {
            language: choose_language(None, None, accept_language),
            zone: Zone::utc(),
            overrides: Vec::new(),
        }
    }

    /// The texts, to which a page adds its placeholders' values.
    #[must_use]
    pub fn texts(&self) -> Texts {
        Texts::new(self.language, &self.overrides)
    }

    /// `at` in the zone, written the language's way, with the zone's abbreviation.
    #[must_use]
    pub fn time(&self, at: Timestamp) -> String {
        local_time(at, &self.zone, self.language)
    }
}

/// Why an override or a customer's language was refused.
#[derive(Debug, thiserror::Error)]
pub enum EndUserTextError {
    /// The text is not a valid override; nothing was saved.
    #[error("{0}; nothing was saved")]
    Invalid(#[from] OverrideError),
    /// Not one of the languages there are texts for.
    #[error(
        "choose one of the languages listed (English, Deutsch, Français, Español, Nederlands); nothing was saved"
    )]
    UnknownLanguage,
    /// The principal lacks the permission.
    #[error(transparent)]
    Denied(#[from] crate::Denied),
    /// No such customer in the org.
    #[error("not found")]
    NotFound,
    /// The store failed.
    #[error(transparent)]
    Store(StoreError),
}

impl From<StoreError> for EndUserTextError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => Self::NotFound,
            other => Self::Store(other),
        }
    }
}

impl crate::UseCaseError for EndUserTextError {
    fn kind(&self) -> crate::ErrorKind {
        match self {
            Self::Invalid(_) | Self::UnknownLanguage => crate::ErrorKind::Invalid,
            Self::Denied(e) => crate::UseCaseError::kind(e),
            Self::NotFound => crate::ErrorKind::NotFound,
            Self::Store(e) => crate::UseCaseError::kind(e),
        }
    }

    fn fields(&self) -> Vec<crate::FieldMessage> {
        let field = match self {
            Self::Invalid(_) => Some("body"),
            Self::UnknownLanguage => Some("language"),
            _ => None,
        };
        vec![crate::FieldMessage {
            field,
            message: self.to_string(),
        }]
    }
}

/// A language code as a form posts it; blank is `None`.
fn language_of(code: &str) -> Result<Option<Language>, EndUserTextError> {
    match code.trim() {
        "" => Ok(None),
        c => Language::ALL
            .into_iter()
            .find(|l| l.code() == c)
            .map(Some)
            .ok_or(EndUserTextError::UnknownLanguage),
    }
}

impl App {
    /// The locale of a page or message for `contact` of `org` (`None`: a public page that
    /// knows no contact), with the browser's `Accept-Language` where there is one (public
    /// pages; messages pass `None`). Reads only; no principal: the caller is a public page
    /// or a use case that already checked its own.
    ///
    /// # Errors
    /// A store failure.
    pub async fn end_user_locale(
        &self,
        org: OrgId,
        contact: Option<ContactId>,
        accept_language: Option<&str>,
    ) -> Result<EndUserLocale, StoreError> {
        let locale = match contact {
            Some(c) => match self.store.contact_locale(org, c).await {
                Ok(l) => l,
                // A contact deleted since the link went out: the org's defaults.
                Err(StoreError::NotFound) => countersign_store::ContactLocale::default(),
                Err(e) => return Err(e),
            },
            None => countersign_store::ContactLocale::default(),
        };
        let org_zone = match contact {
            Some(_) => locale.org_time_zone.clone(),
            None => self.store.org_time_zone(org).await?,
        };
        let language = choose_language(
            locale.preferred_language.as_deref(),
            locale.customer_language.as_deref(),
            accept_language,
        );
        let zone = Zone::or_utc(locale.customer_time_zone.as_deref().or(org_zone.as_deref()));
        let overrides = self
            .store
            .end_user_texts(org, Some(language.code()))
            .await?
            .into_iter()
            .map(|t| (t.message_id, t.body))
            .collect();
        Ok(EndUserLocale {
            language,
            zone,
            overrides,
        })
    }

    /// The org's overrides of every language.
    ///
    /// # Errors
    /// Without `ManageSettings`, or a store failure.
    pub async fn end_user_text_overrides(
        &self,
        by: &Principal,
    ) -> Result<Vec<EndUserText>, EndUserTextError> {
        by.require(Permission::ManageSettings)?;
        Ok(self.store.end_user_texts(by.org_id(), None).await?)
    }

    /// Saves the org's override of message `message_id` in `language`, after checking it
    /// (it parses as Fluent and uses only its default's placeholders). Audited.
    ///
    /// # Errors
    /// Without `ManageSettings`, an unknown language or message, a text that is not a valid
    /// override (nothing is saved), or a store failure.
    pub async fn set_end_user_text(
        &self,
        by: &Principal,
        language: &str,
        message_id: &str,
        body: &str,
    ) -> Result<(), EndUserTextError> {
        by.require(Permission::ManageSettings)?;
        let language = language_of(language)?.ok_or(EndUserTextError::UnknownLanguage)?;
        let body = validate_override(language, message_id, body)?;
        let text = EndUserText {
            language: language.code().to_owned(),
            message_id: message_id.to_owned(),
            body,
            updated_at: self.now(),
        };
        self.store.set_end_user_text(by.org_id(), &text).await?;
        self.audit(
            &by.actor(),
            None,
            "end_user_text.set",
            &format!("{}/{}", text.language, text.message_id),
            json!({
                "language": text.language,
                "message_id": text.message_id,
                "chars": text.body.chars().count(),
            }),
        )
        .await?;
        Ok(())
    }

    /// Removes the org's override, so the default shows again. Audited when there was one.
    ///
    /// # Errors
    /// Without `ManageSettings`, an unknown language, or a store failure.
    pub async fn reset_end_user_text(
        &self,
        by: &Principal,
        language: &str,
        message_id: &str,
    ) -> Result<bool, EndUserTextError> {
        by.require(Permission::ManageSettings)?;
        let language = language_of(language)?.ok_or(EndUserTextError::UnknownLanguage)?;
        let removed = self
            .store
            .delete_end_user_text(by.org_id(), language.code(), message_id)
            .await?;
        if removed {
            self.audit(
                &by.actor(),
                None,
                "end_user_text.reset",
                &format!("{}/{message_id}", language.code()),
                json!({ "language": language.code(), "message_id": message_id }),
            )
            .await?;
        }
        Ok(removed)
    }

    /// Sets the language of a customer's end-user pages and messages (a code such as `de`;
    /// blank: none). Audited.
    ///
    /// # Errors
    /// Without `ManageCustomers`, not found, an unknown language, or a store failure.
    pub async fn set_customer_language(
        &self,
        by: &Principal,
        id: CustomerId,
        language: &str,
    ) -> Result<Option<Language>, EndUserTextError> {
        by.require(Permission::ManageCustomers)?;
        let language = language_of(language)?;
        self.store
            .set_customer_language(by.org_id(), id, language.map(Language::code))
            .await?;
        self.audit(
            &by.actor(),
            None,
            "customer.language_set",
            &id.to_string(),
            json!({ "language": language.map(Language::code) }),
        )
        .await?;
        Ok(language)
    }

    /// A customer's language (`None`: none set).
    ///
    /// # Errors
    /// Without `ViewDirectory`, not found, or a store failure.
    pub async fn customer_language(
        &self,
        by: &Principal,
        id: CustomerId,
    ) -> Result<Option<Language>, EndUserTextError> {
        by.require(Permission::ViewDirectory)?;
        let stored = self.store.customer_language(by.org_id(), id).await?;
        Ok(Language::stored(stored.as_deref()))
    }
}
