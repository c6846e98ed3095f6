//! Password login with database-held throttling, and the second factor.
//!
//! Unknown email, wrong password and inactive account all give the same error after the same
//! Argon2 work, and all count against the same keys (`account-ip:<email>:<ip>` locks one
//! account from one address, `ip:<ip>` one address across accounts, `account:<email>` slows
//! the account down: `login_guard.rs`), so neither the message, the timing nor the lockout
//! reveals which accounts exist.

use super::AccountError;
use super::login_guard::account_address_key;
use crate::App;
use crate::audit::Actor;
use countersign_domain::{Email, Timestamp};
use countersign_store::{
    LockRule, Session, SessionStage, StoreError, Technician, TechnicianStore, Throttle,
    ThrottleStore,
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
    #[error("The server is busy checking other sign-ins. Try again in {retry_after_secs} seconds.")]
    Busy { retry_after_secs: u64 },
    #[error("{0}")]
    SecondFactor(AccountError),
    #[error(transparent)]
    Internal(AccountError),
}

impl From<AccountError> for LoginError {
    fn from(e: AccountError) -> Self {
        match e {
            AccountError::Busy { retry_after_secs } => Self::Busy { retry_after_secs },
            other => Self::Internal(other),
        }
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
    /// account from this address, or the address, is throttled (even with the right
    /// password; the account from another address is slowed down, not locked), [`LoginError::Busy`]
    /// when no password check came free within `argon2_queue_ms` (nothing was checked).
    pub async fn authenticate(
        &self,
        email_text: &str,
        password: &str,
        ip: &str,
        user_agent: &str,
    ) -> Result<LoginOutcome, LoginError> {
        let s = &self.settings.security;
        let login = email_text.trim().to_lowercase();
        let pair_key = account_address_key(&login, ip);
        let ip_key = format!("ip:{ip}");
        let keys = [
            (pair_key.as_str(), s.login_max_failures_per_account),
            (ip_key.as_str(), s.login_max_failures_per_ip),
        ];
        let anonymous = Actor {
            org_id: None,
            technician_id: None,
            label: masked(email_text),
            ip: Some(ip.to_owned()),
        };
        // The attempt is counted before the password is checked, in the same statement that
        // tests the lock, so a burst of parallel attempts cannot check more than the limit.
        if let Some(minutes) = self.reserve_attempts(&keys).await? {
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
        // Account-wide failures slow the check down (never refuse it), except from an
        // address this technician has signed in from. The wait holds no password-check slot.
        let delay = self
            .login_slow_down(&login, technician.as_ref(), ip)
            .await?;
        if !delay.is_zero() {
            self.clock.pause(delay).await;
        }
        let phc = technician.as_ref().map(|t| t.password_hash.clone());
        let password_ok = match self.verify_password(password, phc).await {
            Ok(ok) => ok,
            Err(AccountError::Busy { retry_after_secs }) => {
                // Nothing was checked: the attempt does not count.
                self.release_attempts(&keys).await?;
                return Err(LoginError::Busy { retry_after_secs });
            }
            Err(e) => return Err(e.into()),
        };
        let technician = match technician {
            Some(t) if password_ok && t.active => t,
            other => {
                // The reservation stands as the failure.
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
                    json!({
                        "reason": reason,
                        "slowed_ms": u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
                    }),
                )
                .await?;
                self.count_account_failure(&login, other.as_ref()).await?;
                return Err(LoginError::Invalid);
            }
        };
        // The account-wide count stays: the owner signing in does not end an attack.
        self.store.clear_throttle(&pair_key).await?;
        self.release_attempts(&keys[1..]).await?;
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
            self.remember_sign_in_address(&technician, ip).await?;
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
        let key = second_factor_key(technician);
        let keys = [(
            key.as_str(),
            self.settings.security.login_max_failures_per_account,
        )];
        if let Some(minutes) = self.reserve_attempts(&keys).await? {
            return Err(LoginError::Locked { minutes });
        }
        let actor = Actor::technician(technician, Some(ip.to_owned()));
        if let Err(e) = self
            .check_second_factor(technician, code, true, &actor)
            .await
        {
            if !e.is_user_error() {
                self.release_attempts(&keys).await?;
                return Err(LoginError::Internal(e));
            }
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
        // Only a completed sign-in makes an address known (the password alone does not).
        self.remember_sign_in_address(technician, ip).await?;
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

    /// The rule a key with limit `max` locks by: from its `max`-th failure for one window,
    /// doubling with each further failure, up to 24 hours.
    fn lock_rule(&self, max: u32) -> LockRule {
        LockRule {
            max,
            window: self.settings.login_window(),
            max_lock: MAX_LOCK,
        }
    }

    /// Reserves one attempt on every key (counted as a failure until released). When one is
    /// locked, the reservations already taken are given back and the minutes left on the
    /// longest lock are returned.
    pub(crate) async fn reserve_attempts(
        &self,
        keys: &[(&str, u32)],
    ) -> Result<Option<u64>, StoreError> {
        let now = self.now();
        for (i, (key, max)) in keys.iter().enumerate() {
            if self
                .store
                .reserve_attempt(key, now, &self.lock_rule(*max))
                .await?
                .is_none()
            {
                self.release_attempts(&keys[..i]).await?;
                return Ok(Some(self.locked_minutes(keys).await?.unwrap_or(1)));
            }
        }
        Ok(None)
    }

    /// Gives back reservations whose attempt was not a failure.
    pub(crate) async fn release_attempts(&self, keys: &[(&str, u32)]) -> Result<(), StoreError> {
        let now = self.now();
        for (key, max) in keys {
            self.store
                .release_attempt(key, now, &self.lock_rule(*max))
                .await?;
        }
        Ok(())
    }

    /// Minutes left on the longest active lock among `keys`, if any is locked.
    async fn locked_minutes(&self, keys: &[(&str, u32)]) -> Result<Option<u64>, StoreError> {
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
    /// failure, up to 24 hours (the same rule as `reserve_attempt`'s statement).
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
}

/// The throttle key of a technician's second factor (the login step and turning 2FA off).
pub(crate) fn second_factor_key(t: &Technician) -> String {
    format!("2fa:{}", t.id)
}

/// What the audit log shows for a typed login name: masked when it parses as an email, and
/// never the raw text otherwise (people type passwords into the email field).
fn masked(email_text: &str) -> String {
    Email::parse(email_text).map_or_else(|_| "(not an email address)".to_owned(), |e| e.masked())
}

impl crate::UseCaseError for LoginError {
    fn kind(&self) -> crate::ErrorKind {
        use crate::ErrorKind as K;
        match self {
            Self::Invalid => K::Invalid,
            Self::Locked { minutes } => K::RateLimited {
                retry_after: Some(std::time::Duration::from_secs(minutes * 60)),
            },
            Self::Busy { retry_after_secs } => K::Unavailable {
                retry_after: Some(std::time::Duration::from_secs(*retry_after_secs)),
            },
            Self::SecondFactor(e) => crate::UseCaseError::kind(e),
            Self::Internal(_) => K::Internal,
        }
    }
}
