//! Identity-and-access throttling [S20b]: resource units per app + tenant per 10 s (quota by
//! tenant size), writes per app + tenant per 150 s, and resource units per app across all
//! tenants per 20 s. Leaky buckets: usage drains continuously at quota / window.

use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use uuid::Uuid;

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ThrottleConfig {
    /// Off: no 429s from quotas (fault injection still applies). Microsoft always throttles;
    /// turning this off is for measuring the emulator itself, never the product.
    pub enabled: bool,
    /// Replaces the size-based RU quota per app + tenant per 10 s (3,500 / 5,000 / 8,000).
    /// Tests lower it so they can hit the limit in a few requests.
    pub ru_per_10s: Option<u32>,
    /// Replaces the write quota per app + tenant per 150 s (3,000).
    pub writes_per_150s: Option<u32>,
    /// Replaces the RU quota per app across tenants per 20 s (150,000).
    pub app_ru_per_20s: Option<u32>,
}

impl Default for ThrottleConfig {
    fn default() -> Self {
        ThrottleConfig {
            enabled: true,
            ru_per_10s: None,
            writes_per_150s: None,
            app_ru_per_20s: None,
        }
    }
}

/// RU quota per app + tenant per 10 s by tenant size: S (<50 users), M (50–500), L (>500).
#[must_use]
pub fn tenant_quota(users: usize) -> u32 {
    match users {
        0..50 => 3_500,
        50..=500 => 5_000,
        _ => 8_000,
    }
}

/// What a request costs [S20b].
#[derive(Clone, Copy, Debug)]
pub struct Cost {
    pub resource_units: u32,
    pub write: bool,
}

impl Cost {
    /// `base`: 2 for listing users, 3 for contracts, 1 for other GETs and for writes;
    /// `$select` −1, `$expand` +1, `$top` < 20 −1, never below 1.
    #[must_use]
    pub fn compute(base: u32, select: bool, expand: bool, top: Option<u32>, write: bool) -> Cost {
        let mut ru = i64::from(base);
        if select {
            ru -= 1;
        }
        if expand {
            ru += 1;
        }
        if top.is_some_and(|t| t < 20) {
            ru -= 1;
        }
        Cost {
            resource_units: u32::try_from(ru.max(1)).unwrap_or(1),
            write,
        }
    }
}

#[derive(Debug)]
pub struct Throttled {
    pub retry_after_seconds: u64,
    pub scope: String,
    pub information: &'static str,
}

#[derive(Debug)]
pub struct Admitted {
    /// `x-ms-throttle-limit-percentage`, only when usage is above 80 % of the quota.
    pub limit_percentage: Option<f64>,
}

#[derive(Debug, Default, Clone, Copy)]
struct Bucket {
    used: f64,
    last_ms: i64,
}

impl Bucket {
    fn drain(&mut self, now_ms: i64, quota: f64, window_ms: f64) {
        let elapsed = (now_ms - self.last_ms).max(0) as f64;
        self.used = (self.used - elapsed * quota / window_ms).max(0.0);
        self.last_ms = now_ms;
    }

    /// Seconds until `cost` more fits, rounded up, at least 1.
    fn wait_seconds(&self, cost: f64, quota: f64, window_ms: f64) -> u64 {
        let excess = (self.used + cost - quota).max(0.0);
        let ms = excess * window_ms / quota;
        ((ms / 1000.0).ceil() as u64).max(1)
    }
}

#[derive(Debug, Default)]
struct Buckets {
    pair_ru: HashMap<(Uuid, Uuid), Bucket>,
    pair_writes: HashMap<(Uuid, Uuid), Bucket>,
    app_ru: HashMap<Uuid, Bucket>,
}

#[derive(Debug)]
pub struct Throttle {
    config: Mutex<ThrottleConfig>,
    buckets: Mutex<Buckets>,
}

const TEN_S: f64 = 10_000.0;
const WRITE_WINDOW: f64 = 150_000.0;
const APP_WINDOW: f64 = 20_000.0;

impl Throttle {
    #[must_use]
    pub fn new(config: ThrottleConfig) -> Self {
        Throttle {
            config: Mutex::new(config),
            buckets: Mutex::new(Buckets::default()),
        }
    }

    pub fn set_config(&self, config: ThrottleConfig) {
        *self.config.lock().unwrap_or_else(PoisonError::into_inner) = config;
        *self.buckets.lock().unwrap_or_else(PoisonError::into_inner) = Buckets::default();
    }

    #[must_use]
    pub fn config(&self) -> ThrottleConfig {
        self.config
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Charges `cost` to the buckets of (`app`, `tenant`) and decides. Throttled requests are
    /// charged too: Microsoft counts immediate retries against the quota [S20].
    pub fn charge(
        &self,
        app: Uuid,
        tenant: Uuid,
        tenant_users: usize,
        cost: Cost,
        now_ms: i64,
    ) -> Result<Admitted, Throttled> {
        let config = self.config();
        if !config.enabled {
            return Ok(Admitted {
                limit_percentage: None,
            });
        }
        let pair_quota = f64::from(
            config
                .ru_per_10s
                .unwrap_or_else(|| tenant_quota(tenant_users)),
        );
        let write_quota = f64::from(config.writes_per_150s.unwrap_or(3_000));
        let app_quota = f64::from(config.app_ru_per_20s.unwrap_or(150_000));
        let ru = f64::from(cost.resource_units);
        let kind = if cost.write { "Write" } else { "Read" };
        let mut b = self.buckets.lock().unwrap_or_else(PoisonError::into_inner);

        let pair = b.pair_ru.entry((app, tenant)).or_default();
        pair.drain(now_ms, pair_quota, TEN_S);
        let pair_over = pair.used + ru > pair_quota;
        let pair_wait = pair.wait_seconds(ru, pair_quota, TEN_S);
        pair.used = (pair.used + ru).min(2.0 * pair_quota);
        let pair_pct = pair.used / pair_quota;

        let app_bucket = b.app_ru.entry(app).or_default();
        app_bucket.drain(now_ms, app_quota, APP_WINDOW);
        let app_over = app_bucket.used + ru > app_quota;
        let app_wait = app_bucket.wait_seconds(ru, app_quota, APP_WINDOW);
        app_bucket.used = (app_bucket.used + ru).min(2.0 * app_quota);

        let (write_over, write_wait) = if cost.write {
            let w = b.pair_writes.entry((app, tenant)).or_default();
            w.drain(now_ms, write_quota, WRITE_WINDOW);
            let over = w.used + 1.0 > write_quota;
            let wait = w.wait_seconds(1.0, write_quota, WRITE_WINDOW);
            w.used = (w.used + 1.0).min(2.0 * write_quota);
            (over, wait)
        } else {
            (false, 0)
        };

        if pair_over {
            return Err(Throttled {
                retry_after_seconds: pair_wait,
                scope: format!("Tenant_Application/{kind}/{app}/{tenant}"),
                information: "ResourceUnitLimitExceeded",
            });
        }
        if write_over {
            return Err(Throttled {
                retry_after_seconds: write_wait,
                scope: format!("Tenant_Application/Write/{app}/{tenant}"),
                information: "WriteLimitExceeded",
            });
        }
        if app_over {
            return Err(Throttled {
                retry_after_seconds: app_wait,
                scope: format!("Application/{kind}/{app}/{tenant}"),
                information: "ResourceUnitLimitExceeded",
            });
        }
        Ok(Admitted {
            limit_percentage: (pair_pct > 0.8).then_some(pair_pct),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn costs_follow_the_table() {
        assert_eq!(
            Cost::compute(2, false, false, None, false).resource_units,
            2
        );
        assert_eq!(
            Cost::compute(2, true, false, Some(999), false).resource_units,
            1
        );
        assert_eq!(
            Cost::compute(3, false, false, None, false).resource_units,
            3
        );
        assert_eq!(
            Cost::compute(1, true, false, Some(5), false).resource_units,
            1
        );
        assert_eq!(
            Cost::compute(2, false, true, Some(10), false).resource_units,
            2
        );
    }

    #[test]
    fn quota_by_size() {
        assert_eq!(tenant_quota(10), 3_500);
        assert_eq!(tenant_quota(50), 5_000);
        assert_eq!(tenant_quota(501), 8_000);
    }

    #[test]
    fn bucket_throttles_then_drains() {
        let t = Throttle::new(ThrottleConfig {
            ru_per_10s: Some(10),
            ..ThrottleConfig::default()
        });
        let (app, tenant) = (Uuid::nil(), Uuid::max());
        let cost = Cost {
            resource_units: 2,
            write: false,
        };
        for _ in 0..5 {
            assert!(t.charge(app, tenant, 10, cost, 0).is_ok());
        }
        let err = t.charge(app, tenant, 10, cost, 0).unwrap_err();
        assert_eq!(err.information, "ResourceUnitLimitExceeded");
        assert!(err.retry_after_seconds >= 1);
        assert!(t.charge(app, tenant, 10, cost, 60_000).is_ok());
    }
}
