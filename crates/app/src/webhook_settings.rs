//! The `[webhooks]` section: outgoing webhook deliveries.

use crate::settings::{Settings, SettingsError};
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// How webhook events are delivered.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WebhookSettings {
    /// Allow endpoints on loopback, private and link-local addresses, and plain `http://`
    /// (tests and the demo). Off in production: an admin must not be able to make the server
    /// call its own network (SSRF).
    pub allow_private_targets: bool,
    /// Attempts per delivery before it is recorded as failed.
    pub max_attempts: u32,
    /// Delay before the second attempt; it doubles for each further one, up to
    /// `backoff_max_seconds`.
    pub backoff_base_seconds: u32,
    pub backoff_max_seconds: u32,
    /// How long one attempt may take (connect, send, answer).
    pub timeout_seconds: u32,
}

impl Default for WebhookSettings {
    fn default() -> Self {
        // 10 min, 20 min, … capped at 6 h: the 8th attempt is about 16.5 h after the first.
        Self {
            allow_private_targets: false,
            max_attempts: 8,
            backoff_base_seconds: 600,
            backoff_max_seconds: 6 * 3600,
            timeout_seconds: 10,
        }
    }
}

impl WebhookSettings {
    /// Delay before attempt `attempts + 1`: base × 2^(attempts − 1), capped.
    #[must_use]
    pub fn backoff(&self, attempts: i64) -> Duration {
        let exponent = u32::try_from(attempts.saturating_sub(1).clamp(0, 30)).unwrap_or(30);
        let secs = u64::from(self.backoff_base_seconds).saturating_mul(1u64 << exponent);
        Duration::from_secs(secs.min(u64::from(self.backoff_max_seconds)))
    }

    #[must_use]
    pub fn timeout(&self) -> Duration {
        Duration::from_secs(u64::from(self.timeout_seconds))
    }
}

impl Settings {
    /// Checks the `[webhooks]` section.
    pub(crate) fn validate_webhooks(&self) -> Result<(), SettingsError> {
        let w = &self.webhooks;
        for (key, v) in [
            ("webhooks.max_attempts", w.max_attempts),
            ("webhooks.backoff_base_seconds", w.backoff_base_seconds),
            ("webhooks.backoff_max_seconds", w.backoff_max_seconds),
            ("webhooks.timeout_seconds", w.timeout_seconds),
        ] {
            if v == 0 {
                return Err(SettingsError::new(key, "must be at least 1"));
            }
        }
        if w.max_attempts > 20 {
            return Err(SettingsError::new(
                "webhooks.max_attempts",
                "must be at most 20",
            ));
        }
        if w.timeout_seconds > 60 {
            return Err(SettingsError::new(
                "webhooks.timeout_seconds",
                "must be at most 60",
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let w = WebhookSettings::default();
        assert_eq!(w.backoff(1), Duration::from_secs(600));
        assert_eq!(w.backoff(2), Duration::from_secs(1200));
        assert_eq!(w.backoff(7), Duration::from_secs(6 * 3600));
        let total: u64 = (1..8).map(|n| w.backoff(n).as_secs()).sum();
        assert!(total > 12 * 3600 && total < 24 * 3600, "{total}");
    }

    #[test]
    fn zero_is_refused_with_the_key() {
        let mut s = Settings::default();
        s.webhooks.timeout_seconds = 0;
        assert_eq!(s.validate().unwrap_err().key, "webhooks.timeout_seconds");
    }
}
