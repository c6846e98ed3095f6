//! An org's broadcast rules: above how many recipients a second admin must approve, and how
//! many recipients the org may approve in any 24 hours. Both are off until an admin sets
//! them: a self-hosted MSP with one admin must still be able to warn every customer during an
//! outage, and a cap chosen for it by us would bite at exactly that moment.

use super::BroadcastError;
use crate::{App, Principal};
use countersign_domain::{OrgId, Permission, QuietHours, Zone};
use countersign_store::{BroadcastSettings, BroadcastStore, StoreError};
use serde_json::json;

/// An org's broadcast rules.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BroadcastRules {
    /// Above this many recipients, a second admin (neither the author nor who asked for
    /// approval) must approve. `None`: whoever may send broadcasts approves any size.
    pub approval_threshold: Option<i64>,
    /// Recipients the org may approve in any 24 hours. `None`: no cap.
    pub daily_recipient_cap: Option<i64>,
    /// The org's time zone (IANA name): schedules are entered and shown in it, and it is the
    /// zone of customers without their own. `UTC` until set.
    pub time_zone: String,
    /// When broadcasts that respect quiet hours wait, in each customer's local time.
    /// `None`: no quiet hours.
    pub quiet_hours: Option<QuietHours>,
}

impl Default for BroadcastRules {
    fn default() -> Self {
        Self {
            approval_threshold: None,
            daily_recipient_cap: None,
            time_zone: "UTC".to_owned(),
            quiet_hours: None,
        }
    }
}

impl BroadcastRules {
    /// The org's time zone (UTC if the stored name is no longer known).
    #[must_use]
    pub fn zone(&self) -> Zone {
        Zone::or_utc(Some(&self.time_zone))
    }
}

impl App {
    /// The org's broadcast rules (shown on the compose page, so drafting is enough).
    ///
    /// # Errors
    /// Without `DraftBroadcasts`; a store failure.
    pub async fn broadcast_rules(&self, by: &Principal) -> Result<BroadcastRules, BroadcastError> {
        by.require(Permission::DraftBroadcasts)?;
        Ok(self.rules_of(by.org_id()).await?)
    }

    /// Saves the org's broadcast rules.
    ///
    /// # Errors
    /// Without `ManageSettings`; a negative number; a store failure.
    pub async fn save_broadcast_rules(
        &self,
        by: &Principal,
        rules: BroadcastRules,
    ) -> Result<BroadcastRules, BroadcastError> {
        by.require(Permission::ManageSettings)?;
        for (field, v) in [
            ("approval_threshold", rules.approval_threshold),
            ("daily_recipient_cap", rules.daily_recipient_cap),
        ] {
            if v.is_some_and(|v| v < 0) {
                return Err(BroadcastError::invalid(
                    field,
                    "enter 0 or more, or leave it empty",
                ));
            }
        }
        let zone = Zone::parse(&rules.time_zone)
            .map_err(|e| BroadcastError::invalid("time_zone", e.to_string()))?;
        let stored = BroadcastSettings {
            approval_threshold: rules.approval_threshold,
            daily_recipient_cap: rules.daily_recipient_cap,
            time_zone: Some(zone.name().to_owned()),
            quiet_hours: rules
                .quiet_hours
                .map(|q| (i64::from(q.start_minute), i64::from(q.end_minute))),
        };
        let rules = BroadcastRules {
            time_zone: zone.name().to_owned(),
            ..rules
        };
        self.store
            .save_broadcast_settings(by.org_id(), &stored, self.now())
            .await?;
        self.audit(
            &by.actor(),
            None,
            "broadcast.rules_changed",
            &by.org_id().to_string(),
            json!({
                "approval_threshold": rules.approval_threshold,
                "daily_recipient_cap": rules.daily_recipient_cap,
                "time_zone": rules.time_zone,
                "quiet_hours": rules.quiet_hours.map(|q| format!(
                    "{}-{}",
                    QuietHours::label(q.start_minute),
                    QuietHours::label(q.end_minute)
                )),
            }),
        )
        .await?;
        Ok(rules)
    }

    /// The org's rules, the defaults when never saved.
    pub(super) async fn rules_of(&self, org: OrgId) -> Result<BroadcastRules, StoreError> {
        Ok(self
            .store
            .broadcast_settings(org)
            .await?
            .map(|s| BroadcastRules {
                approval_threshold: s.approval_threshold,
                daily_recipient_cap: s.daily_recipient_cap,
                time_zone: Zone::or_utc(s.time_zone.as_deref()).name().to_owned(),
                quiet_hours: s.quiet_hours.and_then(|(a, b)| {
                    QuietHours::new(u16::try_from(a).ok()?, u16::try_from(b).ok()?)
                }),
            })
            .unwrap_or_default())
    }
}
