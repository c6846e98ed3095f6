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

/// A contact the Pod's "Who" picker offers besides its own.
#[derive(Clone, Debug)]
pub struct OtherContact {
    pub id: ContactId,
    pub name: String,
    pub email: Option<String>,
    /// Its name is another's in the picker (this Pod's contact included): the picker shows
    /// the email address and the customer beside it, so the technician can tell them apart.
    pub name_shared: bool,
}

/// A display name as the picker compares them: case and surrounding space ignored.
fn name_key(name: &str) -> String {
    name.trim().to_lowercase()
}

/// How a check of the contact ended, and when: what the Pod's header reports.
#[derive(Clone, Debug)]
pub struct Outcome {
    pub entry: VerificationEntry,
    /// Verified, failed, denied or expired (a pending check past its expiry reads expired).
    pub status: VerificationStatus,
    /// When it ended: answered, failed, or expired.
    pub at: Timestamp,
}

/// How `e` ended as of `now`, if it did and it says something about the contact (the rule
/// of the Pod's header, docs/architecture.md "The Pod's verified state"):
/// - only a check of the contact counts: "who I am" and the end user's technician checks
///   prove the technician to the contact, not the contact to the technician;
/// - a pending check has no outcome until it is answered or its time is up (then it is
///   expired, whether or not the sweep has marked it yet);
/// - a check replaced by a newer one before it was answered (expired with no completion
///   time) has none either: the newer one speaks for the contact.
#[must_use]
pub fn outcome_of(
    e: &VerificationEntry,
    now: Timestamp,
) -> Option<(VerificationStatus, Timestamp)> {
    let v = &e.verification;
    if v.method == VerificationMethod::TechnicianVerification {
        return None;
    }
    match v.status {
        // It ended when its time was up, whenever the sweep came by to mark it.
        VerificationStatus::Pending if now >= e.expires_at => {
            Some((VerificationStatus::Expired, e.expires_at))
        }
        VerificationStatus::Pending | VerificationStatus::Sent => None,
        VerificationStatus::Expired if e.completed_at.is_none() => None,
        VerificationStatus::Expired => Some((VerificationStatus::Expired, e.expires_at)),
        status => Some((status, e.completed_at.unwrap_or(v.at))),
    }
}

/// The latest outcome among `history`: ordered by when each check ended, not by when it was
/// sent, so a denial that comes after a success (of a check sent before it) still counts.
#[must_use]
pub fn latest_outcome(history: &[VerificationEntry], now: Timestamp) -> Option<Outcome> {
    history
        .iter()
        .filter_map(|e| {
            outcome_of(e, now).map(|(status, at)| Outcome {
                entry: e.clone(),
                status,
                at,
            })
        })
        .max_by_key(|o| o.at)
}

/// Everything the Pod renders, read and decided here: the page only formats it.
#[derive(Clone, Debug)]
pub struct PodView {
    pub contact: Contact,
    pub customer: Customer,
    pub settings: PodSettings,
    /// Newest first, at most `settings.history_length`.
    pub history: Vec<VerificationEntry>,
    /// The latest outcome, when it is a success within the verified window: the header is
    /// green ("verified") only then.
    pub fresh: Option<Outcome>,
    /// The latest outcome, when it is no success (failed, denied, expired): the header is
    /// not green and says why, even when an earlier check of the window succeeded.
    pub refuted: Option<Outcome>,
    /// The latest successful verification of the contact at all. A technician check ("who I
    /// am", the public check) proves the technician to the contact, not the contact to the
    /// technician, so it never counts.
    pub last_verified: Option<VerificationEntry>,
    pub phone_warning: Option<PhoneChangeWarning>,
    /// See [`PodRequest::verification`]; `None` when it is another contact's.
    pub live: Option<LiveVerification>,
    /// Other contacts of the same customer that may be verified from this Pod ("Who").
    pub others: Vec<OtherContact>,
    /// Another contact in "Who" has this contact's name: the picker tells them apart.
    pub name_shared: bool,
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
        let latest = latest_outcome(&history, now);
        let (fresh, refuted) = match latest {
            Some(o) if o.status == VerificationStatus::Verified => {
                (Some(o).filter(|o| o.at >= now.minus(window)), None)
            }
            other => (None, other),
        };
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
        let others: Vec<Contact> = self
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
            .collect();
        let mut names = std::collections::HashMap::<String, usize>::new();
        for name in others
            .iter()
            .map(|o| &o.display_name)
            .chain([&contact.display_name])
        {
            *names.entry(name_key(name)).or_default() += 1;
        }
        let shared = |name: &str| names.get(&name_key(name)).is_some_and(|n| *n > 1);
        let name_shared = !others.is_empty() && shared(&contact.display_name);
        let others = others
            .into_iter()
            .map(|o| OtherContact {
                id: o.id,
                name_shared: shared(&o.display_name),
                name: o.display_name,
                email: o.email,
            })
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
            refuted,
            last_verified,
            phone_warning,
            live,
            others,
            name_shared,
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
