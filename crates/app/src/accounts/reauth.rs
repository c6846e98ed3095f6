//! Sensitive actions ask again (issue 18.2, ASVS 7.5.1). A session records when its
//! technician last proved themselves: at sign-in (the password, and the second factor when on)
//! and on the "Confirm it's you" page. Enrolling or removing a second factor, changing roles or
//! deactivating technicians, integration credentials and webhook secrets need that proof to be
//! recent (`security.reauth_window_seconds`, 5 minutes by default), so a stolen session cookie
//! alone cannot, for example, enrol the thief's authenticator and lock the owner out.
//!
//! The rule lives here, not in the web layer, so every caller (web, API, CLI) asks the same
//! question: [`App::require_recent_proof`].

use super::AccountError;
use crate::audit::Actor;
use crate::{App, Denied, Principal};
use countersign_domain::Permission;
use countersign_store::{Session, SessionStage, Technician, ThrottleStore};
use serde_json::json;

/// The throttle key of a technician's "Confirm it's you" attempts.
fn reauth_key(t: &Technician) -> String {
    format!("reauth:{}", t.id)
}

impl App {
    /// Whether the session's technician proved themselves recently enough for a sensitive
    /// action: a full session whose last proof is younger than the reauthentication window.
    ///
    /// # Errors
    /// [`AccountError::ReauthRequired`] when the proof is missing or too old.
    pub fn require_recent_proof(&self, session: &Session) -> Result<(), AccountError> {
        let window = self.settings.reauth_window();
        let recent = session.stage == SessionStage::Full
            && session
                .reauthenticated_at
                .is_some_and(|at| self.now() < at.plus(window));
        if recent {
            Ok(())
        } else {
            Err(AccountError::ReauthRequired)
        }
    }

    /// "Confirm it's you": checks the password, or a current TOTP code when the second factor
    /// is on, through the password gate and the `reauth:<technician>` throttle. On success the
    /// session is replaced by a new one carrying the proof (ASVS 7.2.4: a new token at every
    /// authentication, re-authentication included); returns the new cookie token. Audited
    /// either way.
    ///
    /// # Errors
    /// A wrong proof, a locked throttle, a busy password gate, or a store failure.
    pub async fn reauthenticate(
        &self,
        by: &Principal,
        session: &Session,
        proof: &str,
        user_agent: &str,
    ) -> Result<String, AccountError> {
        by.require(Permission::ManageOwnAccount)?;
        if session.stage != SessionStage::Full
            || Some(session.technician_id) != by.technician_id()
            || session.org_id != by.org_id()
        {
            // Only one's own full session can prove itself again.
            return Err(Denied(Permission::ManageOwnAccount).into());
        }
        let t = &self.own_technician(by).await?;
        let ip = &super::ip_of(by).unwrap_or_default();
        if proof.is_empty() {
            return Err(AccountError::ProofMissing);
        }
        let actor = by.actor();
        let key = reauth_key(t);
        let keys = [(
            key.as_str(),
            self.settings.security.login_max_failures_per_account,
        )];
        if let Some(minutes) = self.reserve_attempts(&keys).await? {
            self.reauthentication_failed(&actor, t, "locked").await?;
            return Err(AccountError::Locked { minutes });
        }
        let proven = match self.prove_code_or_password(t, proof, &actor).await {
            Ok(proven) => proven,
            Err(e) => {
                if !e.is_user_error() {
                    // Not checked to the end: the attempt does not count.
                    self.release_attempts(&keys).await?;
                }
                return Err(e);
            }
        };
        let Some(by_code) = proven else {
            // The reservation stands as the failure.
            self.reauthentication_failed(&actor, t, "wrong proof")
                .await?;
            return Err(if t.totp_enabled_at.is_some() {
                AccountError::WrongCodeOrPassword
            } else {
                AccountError::WrongPassword
            });
        };
        self.store.clear_throttle(&key).await?;
        // A new session (its proof is its start), and the old token is worthless.
        let (token, _) = self
            .start_session(t, SessionStage::Full, ip, user_agent)
            .await?;
        self.end_session(session.id).await?;
        self.audit(
            &actor,
            None,
            "session.reauthenticated",
            &t.id.to_string(),
            json!({ "proof": if by_code { "code" } else { "password" } }),
        )
        .await?;
        Ok(token)
    }

    async fn reauthentication_failed(
        &self,
        actor: &Actor,
        t: &Technician,
        reason: &str,
    ) -> Result<(), AccountError> {
        self.audit(
            actor,
            None,
            "session.reauthentication_failed",
            &t.id.to_string(),
            json!({ "reason": reason }),
        )
        .await?;
        Ok(())
    }
}
