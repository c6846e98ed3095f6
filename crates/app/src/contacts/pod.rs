//! What the Pod shows for a contact: who they are, whether they were verified recently, their
//! verification history, and a warning when their mobile number changed recently.

use super::ContactError;
use crate::App;
use countersign_domain::{ContactId, OrgId, Timestamp};
use countersign_store::{
    ChangedField, Contact, ContactStore, Customer, CustomerStore, PodSettings, PodStore,
    TechnicianStore, VerificationEntry, VerificationStatus, VerificationStore,
};
use std::time::Duration;

/// How long after a change of the mobile number the Pod warns about it, and a verification
/// to it needs a note. A SIM swap, a number port or a colleague's edit shows up as a changed
/// number; 14 days (issue 18.5) covers the time such an attack is typically used in
/// (security.md 2.5).
pub const SIM_SWAP_WINDOW: Duration = Duration::from_secs(14 * 24 * 3600);

/// Whether the contact's mobile number of record changed within [`SIM_SWAP_WINDOW`] of `now`
/// (by anyone, or by a sync; a first import is not a change).
#[must_use]
pub fn number_changed_recently(contact: &Contact, now: Timestamp) -> bool {
    contact
        .phone_changed_at
        .is_some_and(|at| at >= now.minus(SIM_SWAP_WINDOW))
}

/// The mobile number changed recently.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PhoneChangeWarning {
    /// When it changed.
    pub changed_at: Timestamp,
    /// Whether a sync changed it (rather than a technician's edit).
    pub by_sync: bool,
    /// The name of the technician who changed it (`None`: a sync).
    pub technician: Option<String>,
}

/// Everything the Pod renders.
#[derive(Clone, Debug)]
pub struct PodView {
    pub contact: Contact,
    pub customer: Customer,
    pub settings: PodSettings,
    /// Newest first, at most `settings.history_length`.
    pub history: Vec<VerificationEntry>,
    /// The latest successful verification, if it is within the verified window.
    pub fresh: Option<VerificationEntry>,
    pub phone_warning: Option<PhoneChangeWarning>,
}

impl App {
    /// The Pod of a contact of `org`.
    ///
    /// # Errors
    /// Not found, or a store failure.
    pub async fn pod_view(&self, org: OrgId, id: ContactId) -> Result<PodView, ContactError> {
        let contact = self.store.contact(org, id).await?;
        let customer = self.store.customer(org, contact.customer_id).await?;
        let settings = self.store.pod_settings(org).await?;
        let history = self
            .store
            .verifications(org, id, settings.history_length)
            .await?;
        let now = self.now();
        let window = Duration::from_secs(
            u64::try_from(settings.verified_window_minutes.max(1)).unwrap_or(15) * 60,
        );
        let fresh = history
            .iter()
            .find(|e| e.verification.status == VerificationStatus::Verified)
            .filter(|e| e.verification.at >= now.minus(window))
            .cloned();
        let phone_warning = match contact.phone_changed_at {
            Some(changed_at) if number_changed_recently(&contact, now) => {
                let changes = self.store.contact_changes(org, id, 20).await?;
                let by = changes
                    .iter()
                    .find(|c| c.field == ChangedField::Mobile)
                    .and_then(|c| c.technician_id);
                let technician = match by {
                    Some(t) => Some(self.store.technician(org, t).await?.name),
                    None => None,
                };
                Some(PhoneChangeWarning {
                    changed_at,
                    by_sync: technician.is_none(),
                    technician,
                })
            }
            _ => None,
        };
        Ok(PodView {
            contact,
            customer,
            settings,
            history,
            fresh,
            phone_warning,
        })
    }
}
