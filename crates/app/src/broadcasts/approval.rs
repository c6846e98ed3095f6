//! Asking for approval and approving: the step that turns a draft into a frozen list of
//! recipients. Both need `SendBroadcasts`.
//!
//! Above the org's threshold, the approver must be an admin who is neither the author nor
//! the technician who asked for approval: one compromised or careless account must not be
//! able to reach every contact alone. The count that decides it is the frozen one, so the
//! rule is checked inside the freeze (the store rolls back when it fails), never against a
//! preview that a sync may have changed since.

use super::BroadcastError;
use super::drafts::audience_kind;
use crate::jobs::{DeliverBroadcast, Job as _};
use crate::{App, Principal};
use countersign_domain::{BroadcastId, BroadcastStatus, Permission, Role};
use countersign_store::{AudienceCounts, Broadcast, BroadcastStore, Freeze, FreezeOutcome};
use serde_json::json;

impl App {
    /// Submits a draft: its text and audience are locked until it is approved.
    ///
    /// # Errors
    /// Without `SendBroadcasts`; not found in the org; not a draft; a store failure.
    pub async fn request_broadcast_approval(
        &self,
        by: &Principal,
        id: BroadcastId,
    ) -> Result<Broadcast, BroadcastError> {
        by.require(Permission::SendBroadcasts)?;
        let requester = by.technician_id().ok_or(BroadcastError::NeedsTechnician)?;
        let org = by.org_id();
        let before = self.store.broadcast(org, id).await?;
        if before.status != BroadcastStatus::Draft
            || !self
                .store
                .request_broadcast_approval(org, id, requester, self.now())
                .await?
        {
            let now = self.store.broadcast(org, id).await?;
            return Err(BroadcastError::WrongState(now.status));
        }
        self.audit(
            &by.actor(),
            None,
            "broadcast.approval_requested",
            &id.to_string(),
            json!({ "author": before.author_id.to_string() }),
        )
        .await?;
        Ok(self.store.broadcast(org, id).await?)
    }

    /// Approves a broadcast awaiting approval, which is the explicit confirmation that sends
    /// it: resolves and freezes its audience, in one transaction, under the org's threshold
    /// and daily cap, and only if it has the `confirmed_recipients` the approver was shown;
    /// the same transaction queues its delivery (at its schedule, or now). Returns what was
    /// frozen.
    ///
    /// # Errors
    /// Without `SendBroadcasts`; not found in the org; not awaiting approval; a channel the
    /// server cannot send on; another count than confirmed; above the threshold without being
    /// a second admin; over the daily cap; a store failure.
    pub async fn approve_broadcast(
        &self,
        by: &Principal,
        id: BroadcastId,
        confirmed_recipients: i64,
    ) -> Result<AudienceCounts, BroadcastError> {
        by.require(Permission::SendBroadcasts)?;
        let approver = by.technician_id().ok_or(BroadcastError::NeedsTechnician)?;
        let org = by.org_id();
        let b = self.store.broadcast(org, id).await?;
        if b.status != BroadcastStatus::AwaitingApproval {
            return Err(BroadcastError::WrongState(b.status));
        }
        self.check_lanes(&b)?;
        let rules = self.rules_of(org).await?;
        let now = self.now();
        let mut delivery =
            DeliverBroadcast { broadcast_id: id }.new_job(org, now, &self.settings)?;
        delivery.run_at = b.scheduled_at.map_or(now, |at| at.max(now));
        let second_admin = by.role() == Some(Role::Admin)
            && approver != b.author_id
            && b.requested_by != Some(approver);
        let freeze = Freeze {
            approver,
            at: now,
            max_recipients: if second_admin {
                None
            } else {
                rules.approval_threshold
            },
            daily_cap: rules.daily_recipient_cap,
            expected_recipients: Some(confirmed_recipients),
            delivery: Some(delivery),
        };
        let counts = match self.store.freeze_broadcast(org, id, &freeze).await? {
            FreezeOutcome::Frozen(counts) => counts,
            FreezeOutcome::NotAwaiting(status) => {
                return Err(BroadcastError::WrongState(status));
            }
            FreezeOutcome::CountChanged { recipients } => {
                return Err(BroadcastError::CountChanged {
                    confirmed: confirmed_recipients,
                    recipients,
                });
            }
            FreezeOutcome::AboveThreshold { recipients } => {
                return Err(BroadcastError::NeedsSecondAdmin {
                    recipients,
                    threshold: rules.approval_threshold.unwrap_or_default(),
                });
            }
            FreezeOutcome::OverDailyCap { used, recipients } => {
                return Err(BroadcastError::OverDailyCap {
                    recipients,
                    used,
                    cap: rules.daily_recipient_cap.unwrap_or_default(),
                });
            }
        };
        self.audit(
            &by.actor(),
            None,
            "broadcast.approved",
            &id.to_string(),
            json!({
                "author": b.author_id.to_string(),
                "channels": b.channels.as_str(),
                "audience": audience_kind(&b.audience),
                "recipients": counts.recipients,
                "sms": counts.sms,
                "email": counts.email,
                "excluded": counts.excluded.total(),
                "second_admin": second_admin,
                "scheduled_at": b.scheduled_at.map(countersign_domain::Timestamp::rfc3339),
            }),
        )
        .await?;
        Ok(counts)
    }
}
