//! Settings ▸ Branding: saving the org's brand (admins only; fields that go into message
//! headers on one line) and the "send a test message" button (admins only, rate-limited per
//! technician and per org, because each press sends a real SMS or email).

use super::{MessageError, MessageRequest};
use crate::{App, Denied, Principal};
use countersign_domain::{Email, MessageId, Permission};
use countersign_messaging::{Brand, TemplateName, is_header_safe, is_hex_colour};
use countersign_store::{Branding, BrandingStore, Channel, StoreError, ThrottleStore};
use std::time::Duration;

/// Test messages one technician may send per [`TEST_WINDOW`].
pub const TESTS_PER_TECHNICIAN: i64 = 5;
/// Test messages one org may send per [`TEST_WINDOW`].
pub const TESTS_PER_ORG: i64 = 20;
/// The window of the test-message limits.
pub const TEST_WINDOW: Duration = Duration::from_secs(3600);

/// The branding form, as typed.
#[derive(Clone, Debug, Default)]
pub struct BrandingInput {
    pub display_name: String,
    pub logo_url: String,
    pub colour: String,
    pub footer: String,
    pub reply_to: String,
}

/// Why branding could not be saved or a test sent.
#[derive(Debug, thiserror::Error)]
pub enum BrandingError {
    /// Bad input, in words.
    #[error("{0}")]
    Invalid(String),
    /// The principal lacks the permission (kept under this name: tests match it).
    #[error(transparent)]
    NotAllowed(#[from] Denied),
    #[error(
        "too many test messages: wait an hour before sending another (at most {TESTS_PER_TECHNICIAN} per technician and {TESTS_PER_ORG} per organisation an hour)"
    )]
    TooManyTests,
    #[error(transparent)]
    Message(#[from] MessageError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Checks the form; the first problem, in words.
fn validate(f: &BrandingInput) -> Result<(), BrandingError> {
    let invalid = |m: &str| Err(BrandingError::Invalid(m.to_owned()));
    let name = f.display_name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return invalid("enter a display name of at most 100 characters");
    }
    if !is_header_safe(name) {
        return invalid(
            "the display name must be one line, without line breaks or control characters",
        );
    }
    let logo_ok = f.logo_url.is_empty()
        || (f.logo_url.starts_with("https://")
            && f.logo_url.len() <= 500
            && is_header_safe(&f.logo_url));
    if !logo_ok {
        return invalid("the logo URL must start with https:// (or be empty)");
    }
    if !is_hex_colour(&f.colour) {
        return invalid("the colour must look like #2563eb");
    }
    if f.footer.chars().count() > 300 {
        return invalid("the footer may have at most 300 characters");
    }
    if !f.reply_to.is_empty()
        && (Email::parse(&f.reply_to).is_err() || !is_header_safe(&f.reply_to))
    {
        return invalid("the reply-to must be an email address (or empty)");
    }
    Ok(())
}

impl App {
    /// The org's brand as messages use it now (the defaults until saved), for its page.
    ///
    /// # Errors
    /// Not allowed, or a store failure.
    pub async fn branding_view(&self, by: &Principal) -> Result<Brand, BrandingError> {
        by.require(Permission::ManageSettings)?;
        Ok(super::brand_of(self, by.org_id()).await?)
    }

    /// Validates and saves the org's branding.
    ///
    /// # Errors
    /// Not an admin, a field that breaks a rule (nothing saved), or a store failure.
    pub async fn save_branding(
        &self,
        by: &Principal,
        input: &BrandingInput,
    ) -> Result<Branding, BrandingError> {
        by.require(Permission::ManageSettings)?;
        validate(input)?;
        let branding = Branding {
            org_id: by.org_id(),
            display_name: input.display_name.trim().to_owned(),
            logo_url: input.logo_url.clone(),
            colour: input.colour.to_lowercase(),
            footer: input.footer.trim().to_owned(),
            reply_to: input.reply_to.clone(),
            updated_at: self.now(),
        };
        self.store.save_branding(&branding).await?;
        self.audit(
            &by.actor(),
            Some(by.org_id()),
            "branding.saved",
            "",
            serde_json::json!({}),
        )
        .await?;
        Ok(branding)
    }

    /// Queues the branding test message to `recipient`. `nonce` comes from the form, so a
    /// double submit queues one message.
    ///
    /// # Errors
    /// Not an admin, the technician's or the org's hourly limit reached, a bad recipient, or a
    /// store failure.
    pub async fn send_branding_test(
        &self,
        by: &Principal,
        channel: Channel,
        recipient: &str,
        nonce: &str,
    ) -> Result<MessageId, BrandingError> {
        by.require(Permission::ManageSettings)?;
        // The test names its sender, and the limit is per technician: a technician sends it.
        let sender = self
            .own_technician(by)
            .await
            .map_err(|_| StoreError::NotFound)?;
        let now = self.now();
        let window_start = now.minus(TEST_WINDOW);
        for (key, max) in [
            (
                format!("branding-test:technician:{}", sender.id),
                TESTS_PER_TECHNICIAN,
            ),
            (format!("branding-test:org:{}", by.org_id()), TESTS_PER_ORG),
        ] {
            let hits = self.store.record_failure(&key, now, window_start).await?;
            if hits.failures > max {
                return Err(BrandingError::TooManyTests);
            }
        }
        let request = MessageRequest {
            org: by.org_id(),
            channel,
            recipient: recipient.to_owned(),
            template: TemplateName::Test {
                sender: sender.name.clone(),
            },
            idempotency_key: format!("test:{}:{nonce}", sender.id),
            lane: countersign_domain::Lane::Verification,
        };
        Ok(self.queue_message(&by.actor(), request).await?.id)
    }
}

impl crate::UseCaseError for BrandingError {
    fn kind(&self) -> crate::ErrorKind {
        use crate::ErrorKind as K;
        match self {
            Self::Invalid(_) => K::Invalid,
            Self::NotAllowed(e) => crate::UseCaseError::kind(e),
            Self::TooManyTests => K::RateLimited { retry_after: None },
            Self::Message(e) => crate::UseCaseError::kind(e),
            Self::Store(e) => crate::UseCaseError::kind(e),
        }
    }
}
