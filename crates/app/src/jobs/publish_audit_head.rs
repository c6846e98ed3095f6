//! `publish_audit_head`: publishes one org's audit chain head (the log line and the signed
//! `audit.head` webhook event), once an hour (see `audit_heads`).

use super::job::{Job, JobContext, JobResult, Outcome};
use crate::App;
use crate::settings::Settings;
use serde::{Deserialize, Serialize};

/// Payload: the hour (Unix ms / 3 600 000) it publishes for; the org is the job's. Rows queued
/// before the hour was carried read as hour 0, which only affects their dedup key (already set).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct PublishAuditHead {
    #[serde(default)]
    pub hour: i64,
}

impl Job for PublishAuditHead {
    const KIND: &'static str = "publish_audit_head";

    /// One per org and hour, also across server processes.
    fn dedup_key(&self) -> Option<String> {
        Some(format!("audit-head:{}", self.hour))
    }

    fn max_attempts(settings: &Settings) -> u32 {
        settings.webhooks.max_attempts
    }

    async fn run(&self, app: &App, ctx: &JobContext<'_>) -> JobResult {
        app.publish_audit_head(ctx.org()).await?;
        Ok(Outcome::Complete)
    }
}
