//! Throttles: failure counters and lock-outs keyed by what is being guessed.

pub(crate) mod sql;

use crate::StoreResult;
use crate::forwarding::store_trait;
use countersign_domain::{OrgId, TechnicianId, Timestamp};

/// Failure counter for one throttle key (`account:<email>` or `ip:<addr>`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Throttle {
    /// `account:<email>` or `ip:<addr>`.
    pub key: String,
    /// Failures since `first_failure_at`.
    pub failures: i64,
    /// First failure of the current window.
    pub first_failure_at: Timestamp,
    /// Most recent failure.
    pub last_failure_at: Timestamp,
}

/// When a throttle key is locked: from its `max`-th counted attempt for one `window`, the
/// lock doubling with each further attempt, up to `max_lock` (`max` 0: never).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LockRule {
    /// Counted attempts that lock the key (0: never locked).
    pub max: u32,
    /// The counting window and the first lock's length.
    pub window: std::time::Duration,
    /// The longest lock; a key that reached `max` keeps counting this long.
    pub max_lock: std::time::Duration,
}

store_trait! {
/// Failure counters for login throttling, kept in the database so they survive restarts and
/// are shared by every process.
pub trait ThrottleStore {
    /// Adds a failure to `key`; a counter whose first failure is older than `window_start`
    /// starts again at 1. Returns the updated counter.
    async fn record_failure(
        &self,
        key: &str,
        at: Timestamp,
        window_start: Timestamp,
    ) -> StoreResult<Throttle>;
    /// The counter of `key`, if it has failures.
    async fn throttle(&self, key: &str) -> StoreResult<Option<Throttle>>;
    /// Forgets the failures of `key` (after a successful login).
    async fn clear_throttle(&self, key: &str) -> StoreResult<()>;
    /// Reserves one attempt on `key` before the slow check it guards, in one statement: unless
    /// `key` is locked under `rule` at `at`, counts the attempt as a failure (a counter whose
    /// first failure is older than the window, or than `rule.max_lock` once it reached
    /// `rule.max`, starts again at 1) and returns the updated counter; `None` when locked
    /// (nothing changed). Concurrent reservations each see the others' counts, so no more than
    /// `rule.max` attempts are checked however many arrive at once.
    async fn reserve_attempt(
        &self,
        key: &str,
        at: Timestamp,
        rule: &LockRule,
    ) -> StoreResult<Option<Throttle>>;
    /// Gives back a reservation whose attempt was not a failure (it succeeded, or was never
    /// checked): one count less. A counter left at `rule.max` or more gets a last failure time
    /// whose lock has ended, as it had before the reservation (only an ended lock lets one in).
    async fn release_attempt(&self, key: &str, at: Timestamp, rule: &LockRule) -> StoreResult<()>;
    /// Forgets every counter whose key starts with `prefix` (an admin unlocking an account:
    /// its `account-ip:<email>:` keys). Returns how many. Not org-scoped, like every throttle
    /// key: the caller builds the prefix from a technician it looked up within its org.
    async fn clear_throttles_with_prefix(&self, prefix: &str) -> StoreResult<u64>;
    /// Records that the technician signed in from the address with this HMAC at `at`, keeping
    /// only the `keep` most recently seen addresses of the technician (in one transaction).
    /// `NotFound` when the org has no such technician.
    async fn remember_sign_in_address(
        &self,
        org: OrgId,
        technician: TechnicianId,
        address_hash: &[u8],
        at: Timestamp,
        keep: u32,
    ) -> StoreResult<()>;
    /// Whether the technician has signed in from the address with this HMAC (and it is still
    /// among the kept ones).
    async fn is_known_sign_in_address(
        &self,
        org: OrgId,
        technician: TechnicianId,
        address_hash: &[u8],
    ) -> StoreResult<bool>;
}
}
