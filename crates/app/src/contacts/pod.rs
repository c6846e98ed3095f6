//! What the Pod shows for a contact: who they are, whether they were verified recently, their
//! verification history, a warning when their mobile number changed recently, the live
//! verification, the contact's links and what the principal may do. Every read and rule of
//! the Pod is here; the page only formats the [`PodView`].

use super::{ContactError, visible};
use crate::secrets::{Access, Expiry};
use crate::verification::MAX_CODE_ATTEMPTS;
use crate::{App, Principal};
use countersign_domain::{ContactId, OrgId, Permission, Timestamp, VerificationId};
use countersign_store::{
    Challenge, ChallengeStore, ChangedField, Contact, ContactQuery, ContactStore, Customer,
    CustomerStore, PodHandoffStore, PodSettings, PodStore, Secret, SecretStore, StoreError,
    TechnicianStore, VerificationEntry, VerificationMethod, VerificationStatus, VerificationStore,
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

/// What the Pod shows besides the contact: the verification to show live, and whether the
/// Secure Send / Request panel (which lists the contact's links) is open.
#[derive(Clone, Copy, Debug, Default)]
pub struct PodRequest {
    /// A verification started from this Pod (from the page's address).
    pub verification: Option<VerificationId>,
    /// The secret panel is open: list the contact's links.
    pub secrets: bool,
}

/// A verification of this Pod's contact, or one started from it, shown live until it ends.
#[derive(Clone, Debug)]
pub struct LiveVerification {
    pub challenge: Challenge,
    /// The status as of now (a pending one past its expiry reads as expired).
    pub status: VerificationStatus,
    /// Code attempts left.
    pub attempts_left: i64,
}

/// Everything the Pod renders, read and decided here: the page only formats it.
#[derive(Clone, Debug)]
pub struct PodView {
    pub contact: Contact,
    pub customer: Customer,
    pub settings: PodSettings,
    /// Newest first, at most `settings.history_length`.
    pub history: Vec<VerificationEntry>,
    /// The latest successful verification, if it is within the verified window.
    pub fresh: Option<VerificationEntry>,
    /// The latest successful verification of the contact at all. A technician check ("who I
    /// am", the public check) proves the technician to the contact, not the contact to the
    /// technician, so it never counts.
    pub last_verified: Option<VerificationEntry>,
    pub phone_warning: Option<PhoneChangeWarning>,
    /// See [`PodRequest::verification`]; `None` when it is another contact's.
    pub live: Option<LiveVerification>,
    /// Other contacts of the same customer (id, name) that may be verified from this Pod.
    pub others: Vec<(ContactId, String)>,
    /// Verifying another contact than the Pod's needs a note.
    pub require_note_for_other: bool,
    /// The expiry choices the org allows for a new link.
    pub expiries: Vec<Expiry>,
    /// With [`PodRequest::secrets`]: the contact's links, newest first, with what the
    /// principal may do with each.
    pub secrets: Vec<(Secret, Access)>,
    /// The principal is limited to the Pod (no full UI).
    pub pod_only: bool,
    /// The principal may send to a destination that is not of record (admins).
    pub may_type_destination: bool,
}

impl App {
    /// The Pod of contact `id`.
    ///
    /// # Errors
    /// Without `ViewDirectory`, not found, or a store failure.
    pub async fn pod_view(
        &self,
        by: &Principal,
        id: ContactId,
        request: PodRequest,
    ) -> Result<PodView, ContactError> {
        by.require(Permission::ViewDirectory)?;
        let org = by.org_id();
        let contact = self.store.contact(org, id).await.and_then(visible)?;
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
        let last_verified = history
            .iter()
            .find(|e| {
                e.verification.status == VerificationStatus::Verified
                    && e.verification.method != VerificationMethod::TechnicianVerification
            })
            .cloned();
        let phone_warning = self.phone_warning(org, &contact, now).await?;
        let live = match request.verification {
            Some(v) => match self.store.challenge(org, v).await {
                Ok(c) if c.verification.contact_id == id || c.pod_contact_id == Some(id) => {
                    Some(LiveVerification {
                        status: c.status_at(now),
                        attempts_left: (MAX_CODE_ATTEMPTS - c.attempts).max(0),
                        challenge: c,
                    })
                }
                Ok(_) | Err(StoreError::NotFound) => None,
                Err(e) => return Err(e.into()),
            },
            None => None,
        };
        let others = self
            .store
            .search_contacts(
                org,
                &ContactQuery {
                    customer: Some(contact.customer_id),
                    limit: 100,
                    ..ContactQuery::default()
                },
            )
            .await?
            .into_iter()
            .filter(|o| o.id != id)
            .map(|o| (o.id, o.display_name))
            .collect();
        let rules = self.store.verification_settings(org).await?;
        let secrets = if request.secrets && by.may(Permission::SendSecrets) {
            self.store
                .contact_secrets(org, id, crate::secrets::POD_LIST)
                .await?
                .into_iter()
                .map(|s| {
                    let access = Access::of(by, &s);
                    (s, access)
                })
                .collect()
        } else {
            Vec::new()
        };
        let pod_only = match by.technician_id() {
            Some(t) => self.store.is_pod_only(org, t).await?,
            None => false,
        };
        Ok(PodView {
            contact,
            customer,
            settings,
            history,
            fresh,
            last_verified,
            phone_warning,
            live,
            others,
            require_note_for_other: rules.require_note_for_other,
            expiries: Expiry::allowed(rules.secret_max_hours),
            secrets,
            pod_only,
            may_type_destination: crate::verification::may_type_destination(by),
        })
    }

    /// The warning about a mobile number changed within [`SIM_SWAP_WINDOW`], naming who
    /// changed it.
    async fn phone_warning(
        &self,
        org: OrgId,
        contact: &Contact,
        now: Timestamp,
    ) -> Result<Option<PhoneChangeWarning>, ContactError> {
        let Some(changed_at) = contact.phone_changed_at else {
            return Ok(None);
        };
        if !number_changed_recently(contact, now) {
            return Ok(None);
        }
        let changes = self.store.contact_changes(org, contact.id, 20).await?;
        let by = changes
            .iter()
            .find(|c| c.field == ChangedField::Mobile)
            .and_then(|c| c.technician_id);
        let technician = match by {
            Some(t) => Some(self.store.technician(org, t).await?.name),
            None => None,
        };
        Ok(Some(PhoneChangeWarning {
            changed_at,
            by_sync: technician.is_none(),
            technician,
        }))
    }

    /// Every origin some org lets frame the Pod: the framed sign-in page, shown before the
    /// org is known, may be framed by any of them. No principal: nobody is signed in yet.
    ///
    /// # Errors
    /// A store failure.
    pub async fn pod_sign_in_frame_ancestors(&self) -> Result<Vec<String>, ContactError> {
        Ok(self.store.all_frame_ancestors().await?)
    }
}
