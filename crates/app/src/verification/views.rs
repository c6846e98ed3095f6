//! What the Pod polls and shows besides the contact: a verification's live status, and the
//! technician's inbox of checks that contacts addressed to them.

use super::VerificationError;
use crate::{App, Principal};
use countersign_domain::{Permission, VerificationId};
use countersign_store::{
    ChallengeStore, InboxEntry, PodStore, TechnicianCheckStore, VerificationStatus,
};

/// The technician's inbox.
#[derive(Clone, Debug)]
pub struct InboxView {
    /// Checks waiting for the technician's confirmation, oldest first.
    pub entries: Vec<InboxEntry>,
    /// The origins that may frame it (it is reached from the Pod, so the Pod's).
    pub frame_ancestors: Vec<String>,
}

impl App {
    /// The status of verification `id` as of now (`ViewDirectory`): the Pod polls it while
    /// one is pending.
    ///
    /// # Errors
    /// Without the permission, not found (another org's too), or a store failure.
    pub async fn verification_status(
        &self,
        by: &Principal,
        id: VerificationId,
    ) -> Result<VerificationStatus, VerificationError> {
        by.require(Permission::ViewDirectory)?;
        let c = self.store.challenge(by.org_id(), id).await?;
        Ok(c.status_at(self.now()))
    }

    /// The checks waiting for the technician (`VerifyContacts`); with `framing`, also the
    /// origins that may frame the inbox page (the banner's poll needs only the entries).
    ///
    /// # Errors
    /// Without the permission, or a store failure.
    pub async fn technician_inbox(
        &self,
        by: &Principal,
        framing: bool,
    ) -> Result<InboxView, VerificationError> {
        by.require(Permission::VerifyContacts)?;
        let org = by.org_id();
        let entries = match by.technician_id() {
            Some(t) => self.store.technician_inbox(org, t, self.now()).await?,
            // Only a person has an inbox.
            None => Vec::new(),
        };
        let frame_ancestors = if framing {
            self.store.pod_settings(org).await?.frame_ancestors
        } else {
            Vec::new()
        };
        Ok(InboxView {
            entries,
            frame_ancestors,
        })
    }
}
