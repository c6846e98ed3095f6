//! Password login with database-held throttling, and the second factor.
//!
//! Unknown email, wrong password and inactive account all give the same error after the same
//! Argon2 work, and all count against the `account:<email>` key, so neither the message, the
//! timing nor the lockout reveals which accounts exist.

use super::AccountError;
use crate::App;
use crate::audit::Actor;
use countersign_domain::{Email, Timestamp};
use countersign_store::{
    Session, SessionStage, Technician, TechnicianStore, Throttle, ThrottleStore,
};
use serde_json::json;
use std::time::Duration;

/// The longest lockout, however many failures.
const MAX_LOCK: Duration = Duration::from_secs(24 * 3600);

/// A successful password (or second-factor) step: a new session and its cookie token.
#[derive(Clone, Debug)]
pub struct LoginOutcome {
    /// The cookie value; only its hash is stored.
    pub token: String,
    pub session: Session,
    pub technician: Technician,
    /// The session is `SecondFactor`: send the user to `/login/2fa`.
    pub second_factor_due: bool,
}

/// Why a login step failed.
#[derive(Debug, thiserror::Error)]
pub enum LoginError {
    /// Unknown email, wrong password or inactive account: deliberately one message.
    #[error("The email address or password is not correct.")]
    Invalid,
    #[error("Too many attempts, try again in {minutes} minutes.")]
    Locked { minutes: u64 },
    #[error("{0}")]
    SecondFactor(AccountError),
    #[error(transparent)]
    Internal(AccountError),
}

impl From<AccountError> for LoginError {
    fn from(e: AccountError) -> Self {
        Self::Internal(e)
    }
}

impl From<countersign_store::StoreError> for LoginError {
    fn from(e: countersign_store::StoreError) -> Self {
        Self::Internal(e.into())
    }
}

impl App {
    /// Checks an email and password and, when they match an active technician, starts a new
    /// session (stage `SecondFactor` when the technician has TOTP on).
    ///
    /// # Errors
    /// [`LoginError::Invalid`] for any wrong credential, [`LoginError::Locked`] while the
    /// account or the address is throttled (even with the right password).
    pub async fn authenticate(
        &self,
        email_text: &str,
        password: &str,
        ip: &str,
        user_agent: &str,
    ) -> Result<LoginOutcome, LoginError> {
        let s = &self.settings.security;
        let account_key = format!("account:{}", email_text.trim().to_lowercase());
        let ip_key = format!("ip:{ip}");
        let keys = [
            (account_key.as_str(), s.login_max_failures_per_account),
            (ip_key.as_str(), s.login_max_failures_per_ip),
        ];
        let anonymous = Actor {
            org_id: None,
            technician_id: None,
            label: masked(email_text),
            ip: Some(ip.to_owned()),
        };
        if let Some(minutes) = self.locked_minutes(&keys).await? {
            self.audit(
                &anonymous,
                None,
                "login.locked",
                &masked(email_text),
                json!({ "minutes": minutes }),
            )
            .await?;
            return Err(LoginError::Locked { minutes });
        }
        let technician = match Email::parse(email_text) {
            Ok(email) => {
                self.store
                    .technician_by_email_for_login(email.as_str())
                    .await?
            }
            Err(_) => None,
        };
        let phc = technician.as_ref().map(|t| t.password_hash.clone());
        let password_ok = self.verify_password(password, phc).await?;
        let technician = match technician {
            Some(t) if password_ok && t.active => t,
            other => {
                for (key, max) in keys {
                    self.record_failure(key, max).await?;
                }
                let reason = match &other {
                    None => "unknown email",
                    Some(t) if !t.active && password_ok => "inactive account",
                    Some(_) => "wrong password",
                };
                let actor = match &other {
                    Some(t) => Actor {
                        ip: Some(ip.to_owned()),
                        ..Actor::technician(t, None)
                    },
                    None => anonymous,
                };
                self.audit(
                    &actor,
                    None,
                    "login.failed",
                    &masked(email_text),
                    json!({ "reason": reason }),
                )
                .await?;
                return Err(LoginError::Invalid);
            }
        };
        self.store.clear_throttle(&account_key).await?;
        let stage = if technician.totp_enabled_at.is_some() && technician.totp_secret.is_some() {
            SessionStage::SecondFactor
        } else {
            SessionStage::Full
        };
        let (token, session) = self
            .start_session(&technician, stage, ip, user_agent)
            .await?;
        if stage == SessionStage::Full {
            self.store
                .set_last_login(technician.org_id, technician.id, self.now())
                .await?;
        }
        let actor = Actor::technician(&technician, Some(ip.to_owned()));
        self.audit(
            &actor,
            None,
            "login.ok",
            &technician.id.to_string(),
            json!({ "second_factor_due": stage == SessionStage::SecondFactor }),
        )
        .await?;
        Ok(LoginOutcome {
            token,
            session,
            technician,
            second_factor_due: stage == SessionStage::SecondFactor,
        })
    }

    /// Completes a login with a TOTP code or a recovery code: the `SecondFactor` session is
    /// deleted and a fresh `Full` one created, so no token outlives a change of privilege.
    ///
    /// # Errors
    /// [`LoginError::SecondFactor`] with the reason for a wrong or reused code,
    /// [`LoginError::Locked`] after too many wrong codes.
    pub async fn complete_second_factor(
        &self,
        pending: &Session,
        technician: &Technician,
        code: &str,
        ip: &str,
        user_agent: &str,
    ) -> Result<LoginOutcome, LoginError> {
        if pending.stage != SessionStage::SecondFactor || pending.technician_id != technician.id {
            return Err(LoginError::Invalid);
        }
        let key = format!("2fa:{}", technician.id);
        let max = self.settings.security.login_max_failures_per_account;
        if let Some(minutes) = self.locked_minutes(&[(key.as_str(), max)]).await? {
            return Err(LoginError::Locked { minutes });
        }
        let actor = Actor::technician(technician, Some(ip.to_owned()));
        if let Err(e) = self
            .check_second_factor(technician, code, true, &actor)
            .await
        {
            if !e.is_user_error() {
                return Err(LoginError::Internal(e));
            }
            self.record_failure(&key, max).await?;
            self.audit(
                &actor,
                None,
                "login.failed",
                &technician.id.to_string(),
                json!({ "reason": "second factor" }),
            )
            .await?;
            return Err(LoginError::SecondFactor(e));
        }
        self.store.clear_throttle(&key).await?;
        self.end_session(pending.id).await?;
        let (token, session) = self
            .start_session(technician, SessionStage::Full, ip, user_agent)
            .await?;
        self.store
            .set_last_login(technician.org_id, technician.id, self.now())
            .await?;
        self.audit(
            &actor,
            None,
            "login.second_factor_ok",
            &technician.id.to_string(),
            json!({}),
        )
        .await?;
        Ok(LoginOutcome {
            token,
            session,
            technician: technician.clone(),
            second_factor_due: false,
        })
    }

    /// Minutes left on the longest active lock among `keys`, if any is locked.
    async fn locked_minutes(&self, keys: &[(&str, u32)]) -> Result<Option<u64>, LoginError> {
        let now = self.now();
        let mut longest: Option<Duration> = None;
        for (key, max) in keys {
            if let Some(t) = self.store.throttle(key).await?
                && let Some(left) = self.lock_left(&t, *max, now)
            {
                longest = Some(longest.map_or(left, |l| l.max(left)));
            }
        }
        Ok(longest.map(|d| d.as_secs().div_ceil(60).max(1)))
    }

    /// A key is locked from its `max`-th failure for one window, doubling with each further
    /// failure, up to 24 hours.
    fn lock_left(&self, t: &Throttle, max: u32, now: Timestamp) -> Option<Duration> {
        if max == 0 || t.failures < i64::from(max) {
            return None;
        }
        let doublings = u32::try_from((t.failures - i64::from(max)).clamp(0, 20)).unwrap_or(20);
        let lock = self
            .settings
            .login_window()
            .saturating_mul(1 << doublings)
            .min(MAX_LOCK);
        let until = t.last_failure_at.plus(lock);
        (now < until).then(|| Duration::from_millis(u64::try_from(until.0 - now.0).unwrap_or(0)))
    }

    /// Counts a failure. A counter that already reached the limit keeps counting for 24 hours
    /// instead of restarting with the window, so each further failure doubles the lockout.
    async fn record_failure(&self, key: &str, max: u32) -> Result<(), LoginError> {
        let now = self.now();
        let escalated = self
            .store
            .throttle(key)
            .await?
            .is_some_and(|t| t.failures >= i64::from(max));
        let window_start = now.minus(if escalated {
            MAX_LOCK
        } else {
            self.settings.login_window()
        });
        self.store.record_failure(key, now, window_start).await?;
        Ok(())
    }
}

/// What the audit log shows for a typed login name: masked when it parses as an email, and
/// never the raw text otherwise (people type passwords into the email field).
fn masked(email_text: &str) -> String {
    Email::parse(email_text).map_or_else(|_| "(not an email address)".to_owned(), |e| e.masked())
}
