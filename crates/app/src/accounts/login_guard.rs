//! The account-wide part of login throttling (issue 18.3, ASVS 6.3.1): wrong passwords for an
//! account from anywhere slow its sign-ins down instead of locking it, and never the sign-ins
//! from an address the technician has signed in from before; the technician is told by email
//! when the account is being attacked; an admin can unlock.
//!
//! Locks stay where they cannot be turned against the owner: per account and address
//! (`account-ip:<email>:<ip>`) and per address (`ip:<ip>`), in `login.rs`.

use super::AccountError;
use crate::audit::Actor;
use crate::messages::MessageRequest;
use crate::{App, Principal};
use countersign_crypto::{hmac_sha256, purpose};
use countersign_domain::{OrgId, Permission, TechnicianId};
use countersign_messaging::TemplateName;
use countersign_store::{
    Channel, LockRule, StoreError, Technician, TechnicianStore, ThrottleStore,
};
use serde_json::json;
use std::time::Duration;
use uuid::Uuid;

/// How long account-wide failures are remembered (from the first of them).
const ACCOUNT_WINDOW: Duration = Duration::from_secs(24 * 3600);
/// The longest slow-down: well inside the router's request timeout, with the password check.
pub const MAX_SLOW_DOWN: Duration = Duration::from_secs(16);
/// Addresses remembered per technician (the most recently used ones).
const KNOWN_ADDRESSES_KEPT: u32 = 10;
/// At most one "your account is being attacked" email per account this often.
const ATTACK_NOTICE_EVERY: Duration = Duration::from_secs(3600);

/// The account-wide failure counter of a typed login name.
pub(crate) fn account_key(login: &str) -> String {
    format!("account:{login}")
}

/// The counter (and lock) of one account from one address.
pub(crate) fn account_address_key(login: &str, ip: &str) -> String {
    format!("{}{ip}", account_address_prefix(login))
}

/// The prefix of every `account-ip` key of a login name (an email never holds `:`).
fn account_address_prefix(login: &str) -> String {
    format!("account-ip:{login}:")
}

/// The wait before checking a password for an account with `failures` account-wide failures:
/// none below `threshold`, then 1 s doubling with each further failure, up to
/// [`MAX_SLOW_DOWN`].
#[must_use]
pub fn slow_down(failures: i64, threshold: u32) -> Duration {
    if threshold == 0 || failures < i64::from(threshold) {
        return Duration::ZERO;
    }
    let doublings = u32::try_from((failures - i64::from(threshold)).min(10)).unwrap_or(10);
    Duration::from_secs(1u64 << doublings).min(MAX_SLOW_DOWN)
}

impl App {
    /// The HMAC under which a sign-in address is remembered (the address is not stored).
    fn address_hash(&self, ip: &str) -> [u8; 32] {
        let key = self.keyring.derive_key(purpose::SIGN_IN_ADDRESS);
        hmac_sha256(&key[..], &[ip.as_bytes()])
    }

    /// How long to wait before checking this password: the account-wide slow-down, unless
    /// `technician` has signed in from `ip` before. An unknown email gets the same reads and
    /// the same slow-down as a real account (no enumeration).
    pub(crate) async fn login_slow_down(
        &self,
        login: &str,
        technician: Option<&Technician>,
        ip: &str,
    ) -> Result<Duration, StoreError> {
        let now = self.now();
        let failures = match self.store.throttle(&account_key(login)).await? {
            Some(t) if t.first_failure_at >= now.minus(ACCOUNT_WINDOW) => t.failures,
            _ => 0,
        };
        let (org, id) = technician.map_or((OrgId(Uuid::nil()), TechnicianId(Uuid::nil())), |t| {
            (t.org_id, t.id)
        });
        let known = self
            .store
            .is_known_sign_in_address(org, id, &self.address_hash(ip))
            .await?;
        Ok(if known {
            Duration::ZERO
        } else {
            slow_down(
                failures,
                self.settings.security.login_max_failures_per_account,
            )
        })
    }

    /// Counts a wrong password against the whole account and, once the account-wide count
    /// reaches the threshold, emails the technician (at most once an hour).
    pub(crate) async fn count_account_failure(
        &self,
        login: &str,
        technician: Option<&Technician>,
    ) -> Result<(), StoreError> {
        let now = self.now();
        let t = self
            .store
            .record_failure(&account_key(login), now, now.minus(ACCOUNT_WINDOW))
            .await?;
        let threshold = self.settings.security.login_max_failures_per_account;
        match technician {
            Some(tech) if tech.active && threshold > 0 && t.failures >= i64::from(threshold) => {
                self.notify_attack(tech, t.failures).await
            }
            _ => Ok(()),
        }
    }

    /// Emails the technician that their account is being attacked, unless it was done in the
    /// last hour: the once-an-hour rule is a throttle counter locked for an hour by its first
    /// use, so parallel failures send one email.
    async fn notify_attack(&self, t: &Technician, failures: i64) -> Result<(), StoreError> {
        let rule = LockRule {
            max: 1,
            window: ATTACK_NOTICE_EVERY,
            max_lock: ATTACK_NOTICE_EVERY,
        };
        let now = self.now();
        let Some(notice) = self
            .store
            .reserve_attempt(&format!("attack-notice:{}", t.id), now, &rule)
            .await?
        else {
            return Ok(());
        };
        let actor = Actor::system();
        self.audit(
            &actor,
            Some(t.org_id),
            "login.attack_detected",
            &t.id.to_string(),
            json!({ "failures": failures }),
        )
        .await?;
        let request = MessageRequest {
            org: t.org_id,
            channel: Channel::Email,
            recipient: t.email.clone(),
            template: TemplateName::SignInAttack {
                technician: t.name.clone(),
                failures,
                link: format!("{}/login", self.settings.public_base()),
            },
            idempotency_key: format!("sign-in-attack:{}:{}", t.id, notice.first_failure_at.0),
            lane: countersign_domain::Lane::Verification,
        };
        // The sign-in answer must not depend on the mail set-up: a failed queue is logged.
        if let Err(e) = self.queue_message(&actor, request).await {
            tracing::warn!(error = %e, technician = %t.id, "sign-in attack email not queued");
        }
        Ok(())
    }

    /// Remembers that the technician completed a sign-in from `ip` (its HMAC only).
    pub(crate) async fn remember_sign_in_address(
        &self,
        t: &Technician,
        ip: &str,
    ) -> Result<(), StoreError> {
        self.store
            .remember_sign_in_address(
                t.org_id,
                t.id,
                &self.address_hash(ip),
                self.now(),
                KNOWN_ADDRESSES_KEPT,
            )
            .await
    }

    /// Settings ▸ Technicians ▸ "Unlock sign-in": forgets every login counter of the
    /// technician (account-wide, per address, second factor), so locked addresses may try
    /// again at once and the slow-down ends. Returns how many counters were cleared.
    ///
    /// # Errors
    /// Not an admin, not found (another org's technician included), or a store failure.
    pub async fn unlock_sign_in(
        &self,
        by: &Principal,
        id: TechnicianId,
    ) -> Result<u64, AccountError> {
        by.require(Permission::ManageTechnicians)?;
        let target = self.store.technician(by.org_id(), id).await?;
        let login = target.email.to_lowercase();
        let mut cleared = self
            .store
            .clear_throttles_with_prefix(&account_address_prefix(&login))
            .await?;
        for key in [
            account_key(&login),
            super::login::second_factor_key(&target),
        ] {
            if self.store.throttle(&key).await?.is_some() {
                self.store.clear_throttle(&key).await?;
                cleared += 1;
            }
        }
        self.audit(
            &by.actor(),
            None,
            "technician.sign_in_unlocked",
            &id.to_string(),
            json!({ "counters": cleared }),
        )
        .await?;
        Ok(cleared)
    }
}

#[cfg(test)]
mod tests {
    use super::{MAX_SLOW_DOWN, slow_down};
    use std::time::Duration;

    #[test]
    fn slow_down_grows_from_the_threshold_to_the_cap() {
        assert_eq!(slow_down(4, 5), Duration::ZERO);
        assert_eq!(slow_down(5, 5), Duration::from_secs(1));
        assert_eq!(slow_down(6, 5), Duration::from_secs(2));
        assert_eq!(slow_down(8, 5), Duration::from_secs(8));
        assert_eq!(slow_down(9, 5), MAX_SLOW_DOWN);
        assert_eq!(slow_down(10_000, 5), MAX_SLOW_DOWN);
        assert_eq!(slow_down(10_000, 0), Duration::ZERO);
    }
}
