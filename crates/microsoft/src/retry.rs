//! When to try a request again, and how long to wait first.

use std::time::Duration;

/// Retries for throttling (429, honouring `Retry-After`), server errors (5xx) and network
/// failures (connection lost, timeout), with capped exponential backoff and jitter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included.
    pub max_attempts: u32,
    /// First backoff when Microsoft gives no `Retry-After`.
    pub base_backoff: Duration,
    /// Most one backoff waits.
    pub max_backoff: Duration,
    /// Most a `Retry-After` is honoured for (a longer one fails the call instead, so a job
    /// can be rescheduled rather than hold a worker).
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 8,
            base_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(30),
            max_retry_after: Duration::from_secs(120),
        }
    }
}

impl RetryPolicy {
    /// The wait before attempt `attempt + 1` (attempts count from 1), with up to 25 % jitter
    /// so many tenants that failed together do not retry together.
    #[must_use]
    pub fn backoff(&self, attempt: u32) -> Duration {
        let exp = self
            .base_backoff
            .saturating_mul(1u32 << attempt.saturating_sub(1).min(16));
        let capped = exp.min(self.max_backoff);
        let jitter = rand::random::<f64>() * 0.25;
        capped.mul_f64(1.0 + jitter).min(self.max_backoff)
    }

    /// How long to wait for a `Retry-After` of `seconds` (capped), or `None` when it asks
    /// for longer than the cap.
    #[must_use]
    pub fn retry_after(&self, seconds: u64) -> Option<Duration> {
        let d = Duration::from_secs(seconds);
        (d <= self.max_retry_after).then_some(d)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_is_capped() {
        let p = RetryPolicy::default();
        assert!(p.backoff(1) >= Duration::from_millis(500));
        assert!(p.backoff(3) >= Duration::from_secs(2));
        assert!(p.backoff(30) <= Duration::from_secs(30));
        assert_eq!(p.retry_after(3), Some(Duration::from_secs(3)));
        assert_eq!(p.retry_after(3600), None);
    }
}
