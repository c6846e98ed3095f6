//! Server-side sessions: a random 256-bit cookie token whose SHA-256 is the only thing stored,
//! an idle and an absolute timeout, and sign-out (one session, or all of a technician's).

use super::AccountError;
use crate::{App, Principal};
use countersign_crypto::{hash_token, random_token};
use countersign_domain::{Permission, SessionId, Timestamp};
use countersign_store::{Org, Session, SessionStage, SessionStore, StoreResult, Technician};
use serde_json::json;
use std::time::Duration;

/// A password-only session must finish the second factor within this time.
const SECOND_FACTOR_WINDOW: Duration = Duration::from_secs(10 * 60);
/// A Pod session (the Pod inside a PSA's iframe) lives at most this long, however long the
/// main session may.
const POD_SESSION_WINDOW: Duration = Duration::from_secs(8 * 3600);
/// `last_seen_at` is written at most this often, so browsing is not one write per request.
const TOUCH_EVERY: Duration = Duration::from_secs(60);

/// A live session with its technician and org, as of this request.
#[derive(Clone, Debug)]
pub struct ResolvedSession {
    pub session: Session,
    pub technician: Technician,
    pub org: Org,
}

impl App {
    /// Creates a session; returns the cookie token (given to the client once) and the row.
    ///
    /// # Errors
    /// The store failed.
    pub async fn start_session(
        &self,
        technician: &Technician,
        stage: SessionStage,
        ip: &str,
        user_agent: &str,
    ) -> StoreResult<(String, Session)> {
        let (token, hash) = random_token();
        let now = self.now();
        let lifetime = match stage {
            SessionStage::Full => self.settings.session_absolute(),
            SessionStage::SecondFactor => {
                SECOND_FACTOR_WINDOW.min(self.settings.session_absolute())
            }
            SessionStage::Pod => POD_SESSION_WINDOW.min(self.settings.session_absolute()),
        };
        let session = Session {
            id: SessionId::new(),
            token_hash: hash.to_vec(),
            org_id: technician.org_id,
            technician_id: technician.id,
            stage,
            created_at: now,
            last_seen_at: now,
            expires_at: now.plus(lifetime),
            ip: ip.to_owned(),
            user_agent: user_agent.chars().take(300).collect(),
            // A full session is the end of a sign-in: the password, and the second factor
            // when on, were just proven (issue 18.2).
            reauthenticated_at: (stage == SessionStage::Full).then_some(now),
        };
        self.store.create_session(&session).await?;
        Ok((token, session))
    }

    /// The live session for a cookie token. Expired sessions (idle or absolute) and sessions
    /// of deactivated technicians are deleted and treated as absent.
    ///
    /// # Errors
    /// The store failed.
    pub async fn resolve_session(&self, token: &str) -> StoreResult<Option<ResolvedSession>> {
        // One read for the session, its technician and its org: every request comes here.
        let Some((session, technician, org)) =
            self.store.session_with_owner(&hash_token(token)).await?
        else {
            return Ok(None);
        };
        let now = self.now();
        if self.session_expired(&session, now) || !technician.active {
            self.store.delete_session(session.id).await?;
            return Ok(None);
        }
        if now.0 - session.last_seen_at.0
            >= i64::try_from(TOUCH_EVERY.as_millis()).unwrap_or(60_000)
        {
            self.store.touch_session(session.id, now).await?;
        }
        Ok(Some(ResolvedSession {
            session,
            technician,
            org,
        }))
    }

    /// Whether the session passed its absolute end or was idle too long.
    #[must_use]
    pub fn session_expired(&self, session: &Session, now: Timestamp) -> bool {
        now >= session.expires_at || now >= session.last_seen_at.plus(self.settings.session_idle())
    }

    /// Deletes one session (logout, or the end of the second-factor step).
    ///
    /// # Errors
    /// The store failed.
    pub async fn end_session(&self, id: SessionId) -> StoreResult<()> {
        self.store.delete_session(id).await
    }

    /// Logout: deletes one's own session and records it.
    ///
    /// # Errors
    /// Not allowed, another's session (`NotFound`), or the store failed.
    pub async fn logout(&self, by: &Principal, session: &Session) -> Result<(), AccountError> {
        by.require(Permission::ManageOwnAccount)?;
        if Some(session.technician_id) != by.technician_id() || session.org_id != by.org_id() {
            // Only one's own session.
            return Err(AccountError::NotFound);
        }
        self.store.delete_session(session.id).await?;
        self.audit(
            &by.actor(),
            None,
            "logout",
            &session.technician_id.to_string(),
            json!({}),
        )
        .await?;
        Ok(())
    }

    /// Ends one other session of the technician (Account ▸ Active sessions, ASVS 7.5.2). A
    /// session of anyone else, or one already ended, is `NotFound`; the caller's own is ended
    /// with "Sign out" instead.
    ///
    /// # Errors
    /// Not allowed, `NotFound`, or the store failed.
    pub async fn end_own_session(
        &self,
        by: &Principal,
        current: SessionId,
        id: SessionId,
    ) -> Result<(), AccountError> {
        by.require(Permission::ManageOwnAccount)?;
        let me = by.technician_id().ok_or(AccountError::NotFound)?;
        let owned = self
            .store
            .sessions_of(by.org_id(), me)
            .await?
            .into_iter()
            .any(|s| s.id == id);
        if !owned || id == current {
            return Err(AccountError::NotFound);
        }
        self.store.delete_session(id).await?;
        self.audit(
            &by.actor(),
            None,
            "session.ended",
            &me.to_string(),
            json!({ "session": id.to_string() }),
        )
        .await?;
        Ok(())
    }

    /// "Sign out everywhere": deletes every session of the technician, this one included.
    ///
    /// # Errors
    /// The store failed.
    pub async fn sign_out_everywhere(&self, by: &Principal) -> Result<u64, AccountError> {
        by.require(Permission::ManageOwnAccount)?;
        let me = by.technician_id().ok_or(AccountError::NotFound)?;
        let n = self.store.delete_sessions_of(by.org_id(), me).await?;
        self.audit(
            &by.actor(),
            None,
            "session.signed_out_everywhere",
            &me.to_string(),
            json!({ "sessions": n }),
        )
        .await?;
        Ok(n)
    }
}

impl App {
    /// Ends whatever session a cookie token names (used at login, so a session that existed
    /// before the login is never carried over).
    ///
    /// # Errors
    /// The store failed.
    pub async fn end_session_by_token(&self, token: &str) -> StoreResult<()> {
        if let Some(s) = self.store.session_by_token_hash(&hash_token(token)).await? {
            self.store.delete_session(s.id).await?;
        }
        Ok(())
    }
}
