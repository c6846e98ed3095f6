//! What the account and technician pages show, read in one use case each, so the web only
//! formats: one's own account (sessions, recovery codes), the org's technicians and open
//! invites, and one technician as an admin sees them.

use super::AccountError;
use crate::{App, Principal};
use countersign_domain::{Permission, TechnicianId};
use countersign_store::{
    CredentialStore, Invite, InviteStore, PodStore, RecoveryCodeState, Session, SessionStore,
    Technician, TechnicianStore,
};

/// The signed-in technician's own account page.
#[derive(Clone, Debug)]
pub struct AccountView {
    pub technician: Technician,
    /// Every live session of the technician (the current one included).
    pub sessions: Vec<Session>,
    /// The recovery codes' states, when the second factor is on (empty otherwise).
    pub recovery_codes: Vec<RecoveryCodeState>,
    /// A change of the email address waiting for its link, if one was asked for.
    pub pending_email: Option<super::PendingEmailChange>,
}

/// Settings ▸ Technicians: the org's technicians and its open invites.
#[derive(Clone, Debug)]
pub struct TechniciansView {
    pub technicians: Vec<Technician>,
    pub invites: Vec<Invite>,
}

/// Settings ▸ Technicians ▸ one technician.
#[derive(Clone, Debug)]
pub struct TechnicianView {
    pub technician: Technician,
    /// How many live sessions they have.
    pub sessions: usize,
    /// Whether they may use the Pod only.
    pub pod_only: bool,
}

impl App {
    /// One's own account: the technician as stored now, their sessions and recovery codes.
    ///
    /// # Errors
    /// Not allowed, no technician (the command line), or a store failure.
    pub async fn account_view(&self, by: &Principal) -> Result<AccountView, AccountError> {
        by.require(Permission::ManageOwnAccount)?;
        let technician = self.own_technician(by).await?;
        let (org, id) = (by.org_id(), technician.id);
        let sessions = self.store.sessions_of(org, id).await?;
        let recovery_codes = if technician.totp_enabled_at.is_some() {
            self.store.recovery_code_states(org, id).await?
        } else {
            Vec::new()
        };
        let pending_email = self.pending_email_change(by).await?;
        Ok(AccountView {
            technician,
            sessions,
            recovery_codes,
            pending_email,
        })
    }

    /// The org's technicians and open invites.
    ///
    /// # Errors
    /// Not allowed, or a store failure.
    pub async fn technicians_view(&self, by: &Principal) -> Result<TechniciansView, AccountError> {
        by.require(Permission::ManageTechnicians)?;
        let org = by.org_id();
        Ok(TechniciansView {
            technicians: self.store.technicians(org).await?,
            invites: self.store.open_invites(org).await?,
        })
    }

    /// One technician of the org (another org's is `NotFound`).
    ///
    /// # Errors
    /// Not allowed, not found, or a store failure.
    pub async fn technician_view(
        &self,
        by: &Principal,
        id: TechnicianId,
    ) -> Result<TechnicianView, AccountError> {
        by.require(Permission::ManageTechnicians)?;
        let org = by.org_id();
        let technician = self.store.technician(org, id).await?;
        Ok(TechnicianView {
            technician,
            sessions: self.store.sessions_of(org, id).await?.len(),
            pod_only: self.store.is_pod_only(org, id).await?,
        })
    }
}
