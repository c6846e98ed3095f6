//! Where an edit of a contact goes. A contact created in Countersign is changed here; a
//! contact synced from a source is changed at the source first (write-back), because the next
//! sync would otherwise undo the edit, and the source is the directory of record.
//!
//! Microsoft 365 write-back is Graph `PATCH /users/{id}` (see `crate::microsoft`); a refusal
//! saves nothing — never a success that the next sync would silently revert.

use crate::directory::ContactSource;
use crate::microsoft::Microsoft365;
use crate::{App, Principal};
use countersign_domain::mask::mask;
use countersign_store::{Contact, ContactEdit, SourceKind};

/// Why a source did not take an edit.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum WriteBackError {
    /// The source has no write-back (yet).
    #[error("{0}")]
    Unavailable(&'static str),
    /// The source refused or failed (its message).
    #[error("the source refused the change: {0}; the change was not saved")]
    Refused(String),
}

/// The Microsoft 365 write-back port: the mobile number goes to the user in the customer's
/// tenant (`PATCH /users/{id}`) before anything is saved here.
#[derive(Clone, Copy, Debug, Default)]
pub struct Microsoft365WriteBack;

impl Microsoft365WriteBack {
    /// Writes the edit to the user in the customer's tenant, and audits the attempt (who,
    /// old → new masked, result).
    ///
    /// # Errors
    /// Microsoft refused (with its reason), the user is synced from on-premises, or the
    /// email address was changed (Microsoft 365 owns it).
    pub async fn update(
        &self,
        app: &App,
        by: &Principal,
        contact: &Contact,
        edit: &ContactEdit,
    ) -> Result<(), WriteBackError> {
        if edit.email != contact.email {
            return Err(WriteBackError::Refused(
                "the email address of a Microsoft 365 user is changed in Microsoft 365 itself"
                    .into(),
            ));
        }
        if edit.mobile_e164 == contact.mobile_e164 && edit.mobile == contact.mobile {
            return Ok(());
        }
        let result = app.write_back_mobile(contact, edit.mobile.as_deref()).await;
        let masked = |v: &Option<String>| v.as_deref().map(mask);
        let detail = serde_json::json!({
            "old": masked(&contact.mobile_e164),
            "new": masked(&edit.mobile_e164),
            "result": if result.is_ok() { "written" } else { "refused" },
            "reason": result.as_ref().err().map(ToString::to_string),
        });
        app.audit(
            &by.actor(),
            None,
            "contact.write_back",
            &contact.id.to_string(),
            detail,
        )
        .await
        .map_err(|e| WriteBackError::Refused(format!("the audit log is unavailable ({e})")))?;
        result.map_err(|e| WriteBackError::Refused(e.to_string()))
    }
}

/// Where a contact's edits go (the contact sources themselves are
/// [`crate::directory::ContactSource`]).
#[derive(Clone, Copy, Debug)]
pub enum EditRoute {
    /// Created in Countersign: edits are saved here.
    Local,
    /// Synced from Microsoft 365: edits are written back first.
    Microsoft365,
}

impl EditRoute {
    /// The source of a contact of this kind.
    #[must_use]
    pub fn of(kind: SourceKind) -> Self {
        match kind {
            SourceKind::Manual => Self::Local,
            SourceKind::Microsoft365 => Self::Microsoft365,
        }
    }

    /// Whether all fields can be edited (a synced contact: only mobile and email, the fields
    /// that write back).
    #[must_use]
    pub fn edits_all_fields(self) -> bool {
        matches!(self, Self::Local)
    }

    /// Whether the contact's edits reach a source outside Countersign.
    #[must_use]
    pub fn writes_back(self) -> bool {
        !matches!(self, Self::Local)
    }

    /// Sends the edit to the source. `Ok` means the source has it (or there is no source),
    /// so the store may save it.
    ///
    /// # Errors
    /// The source refused or cannot take edits yet; nothing may be saved.
    pub async fn write_back(
        self,
        app: &App,
        by: &Principal,
        contact: &Contact,
        edit: &ContactEdit,
    ) -> Result<(), WriteBackError> {
        match self {
            Self::Local => Ok(()),
            Self::Microsoft365 => Microsoft365.write_back(app, by, contact, edit).await,
        }
    }
}

impl crate::UseCaseError for WriteBackError {
    fn kind(&self) -> crate::ErrorKind {
        match self {
            // The source cannot take this change at all: the contact's state, not a fault.
            Self::Unavailable(_) => crate::ErrorKind::Conflict,
            // The provider refused it; what it said is shown.
            Self::Refused(_) => crate::ErrorKind::Unavailable { retry_after: None },
        }
    }
}
