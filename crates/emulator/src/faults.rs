//! Scenario-set fault injection on the Microsoft-facing routes: a rate of 429s, 503s, dropped
//! connections and slow responses, plus a queue of exact faults for deterministic tests.

use serde::{Deserialize, Serialize};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum FaultKind {
    /// 429 with `Retry-After` and Graph's TooManyRequests body.
    #[serde(rename = "429")]
    TooManyRequests,
    /// 503 with `Retry-After` and a ServiceUnavailable body.
    #[serde(rename = "503")]
    Unavailable,
    /// The connection is closed before any response byte.
    #[serde(rename = "drop")]
    Drop,
    /// The request is answered normally after `slow_ms`.
    #[serde(rename = "slow")]
    Slow,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct FaultConfig {
    /// Fractions of requests, 0.0–1.0, drawn independently in this order.
    pub rate_429: f64,
    pub rate_503: f64,
    pub rate_drop: f64,
    pub rate_slow: f64,
    pub slow_ms: u64,
    pub retry_after_seconds: u64,
    /// Also inject on the login (token) endpoints, not only Graph.
    pub include_login: bool,
    /// Exact faults for the next requests, consumed first, in order.
    pub next: Vec<FaultKind>,
}

impl Default for FaultConfig {
    fn default() -> Self {
        FaultConfig {
            rate_429: 0.0,
            rate_503: 0.0,
            rate_drop: 0.0,
            rate_slow: 0.0,
            slow_ms: 2_000,
            retry_after_seconds: 2,
            include_login: false,
            next: Vec::new(),
        }
    }
}

#[derive(Debug, Default, Clone, Copy, Serialize)]
pub struct FaultCounts {
    pub too_many_requests: u64,
    pub unavailable: u64,
    pub dropped: u64,
    pub slow: u64,
}

#[derive(Debug)]
pub struct Faults {
    config: Mutex<FaultConfig>,
    counts: Mutex<FaultCounts>,
    draws: AtomicU64,
    seed: u64,
}

/// SplitMix64: a deterministic, seedable stream without sharing an RNG behind a lock.
fn splitmix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// The `n`-th deterministic draw in [0, 1) of the stream seeded with `seed`.
pub(crate) fn unit_draw(seed: u64, n: u64) -> f64 {
    (splitmix(seed ^ splitmix(n)) >> 11) as f64 / (1u64 << 53) as f64
}

impl Faults {
    #[must_use]
    pub fn new(config: FaultConfig, seed: u64) -> Self {
        Faults {
            config: Mutex::new(config),
            counts: Mutex::new(FaultCounts::default()),
            draws: AtomicU64::new(0),
            seed,
        }
    }

    pub fn set(&self, config: FaultConfig) {
        *self.config.lock().unwrap_or_else(PoisonError::into_inner) = config;
    }

    #[must_use]
    pub fn get(&self) -> FaultConfig {
        self.config
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    #[must_use]
    pub fn counts(&self) -> FaultCounts {
        *self.counts.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Decides the fault (if any) for one request; `(kind, slow_ms, retry_after)`.
    pub fn decide(&self, is_login: bool) -> Option<(FaultKind, u64, u64)> {
        let kind = {
            let mut c = self.config.lock().unwrap_or_else(PoisonError::into_inner);
            if is_login && !c.include_login {
                return None;
            }
            let kind = if c.next.is_empty() {
                let n = self.draws.fetch_add(1, Ordering::Relaxed);
                let draw = unit_draw(self.seed, n);
                let mut edge = 0.0;
                [
                    (c.rate_429, FaultKind::TooManyRequests),
                    (c.rate_503, FaultKind::Unavailable),
                    (c.rate_drop, FaultKind::Drop),
                    (c.rate_slow, FaultKind::Slow),
                ]
                .into_iter()
                .find(|(rate, _)| {
                    edge += rate.clamp(0.0, 1.0);
                    draw < edge
                })
                .map(|(_, k)| k)?
            } else {
                c.next.remove(0)
            };
            (kind, c.slow_ms, c.retry_after_seconds.max(1))
        };
        let mut counts = self.counts.lock().unwrap_or_else(PoisonError::into_inner);
        match kind.0 {
            FaultKind::TooManyRequests => counts.too_many_requests += 1,
            FaultKind::Unavailable => counts.unavailable += 1,
            FaultKind::Drop => counts.dropped += 1,
            FaultKind::Slow => counts.slow += 1,
        }
        Some(kind)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queue_first_then_rates() {
        let f = Faults::new(
            FaultConfig {
                next: vec![FaultKind::Drop],
                rate_503: 0.5,
                ..FaultConfig::default()
            },
            1,
        );
        assert_eq!(f.decide(false).map(|k| k.0), Some(FaultKind::Drop));
        let n503 = (0..1000).filter(|_| f.decide(false).is_some()).count();
        assert!((400..600).contains(&n503), "{n503}");
        assert_eq!(f.decide(true), None);
    }
}
