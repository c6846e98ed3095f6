//! Sync health for the dashboard: every sync source of every integration of the org, as the
//! integration pages read them (`IntegrationStore::integrations`,
//! `SyncSourceStore::sync_sources`), with when the scheduler will sync it next.

use super::DashboardError;
use crate::App;
use countersign_domain::{IntegrationId, OrgId, Timestamp};
use countersign_store::{IntegrationStore, SyncSource, SyncSourceStore, SyncState};

/// One sync source's health.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyncHealth {
    /// The integration it is linked through.
    pub integration_id: IntegrationId,
    /// The integration's name.
    pub integration: String,
    /// The integration's kind, for people ("Microsoft 365").
    pub kind: &'static str,
    /// The linked company's name at the source (a tenant's name).
    pub source: String,
    /// When its last run ended.
    pub last_run: Option<Timestamp>,
    /// Whether that run succeeded.
    pub last_ok: Option<bool>,
    /// When it runs next.
    pub next_run: NextRun,
    /// Contacts its last run read.
    pub contacts_seen: i64,
    /// Contacts its last run added.
    pub contacts_added: i64,
    /// Contacts its last run marked removed.
    pub contacts_removed: i64,
    /// Its error, in words for the technician; or why it ended.
    pub error: Option<String>,
}

/// When a sync source is synced next.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NextRun {
    /// A sync is queued or running now.
    Now,
    /// The scheduler queues it at this time (or at its next tick, when it is past).
    At(Timestamp),
    /// Never on its own: scheduled syncs are off (`microsoft.sync_interval_minutes = 0`).
    NotScheduled,
    /// It ended (the company is no longer reachable); it is not synced any more.
    Ended,
}

impl App {
    /// The health of every sync source of the org, by integration then name.
    pub(super) async fn sync_health(&self, org: OrgId) -> Result<Vec<SyncHealth>, DashboardError> {
        let interval = self.settings.microsoft.sync_interval();
        let mut out = Vec::new();
        for integration in self.store.integrations(org).await? {
            for s in self.store.sync_sources(org, integration.id).await? {
                let next_run = next_run(&s, interval);
                out.push(SyncHealth {
                    integration_id: integration.id,
                    integration: integration.name.clone(),
                    kind: integration.kind.label(),
                    source: s.new.display_name.clone(),
                    last_run: s.last_run_at,
                    last_ok: s.last_ok,
                    next_run,
                    contacts_seen: s.progress.users_seen,
                    contacts_added: s.progress.added,
                    contacts_removed: s.progress.removed,
                    error: s.ended_reason.clone().or(s.last_error.clone()),
                });
            }
        }
        Ok(out)
    }
}

/// When the scheduler syncs `s` next: it queues every idle source whose last run is older
/// than the interval (`sync_sources_due`), so one interval after the last run.
fn next_run(s: &SyncSource, interval: Option<std::time::Duration>) -> NextRun {
    if s.ended_at.is_some() || s.unlinked_at.is_some() {
        return NextRun::Ended;
    }
    if s.state != SyncState::Idle {
        return NextRun::Now;
    }
    match (interval, s.last_run_at) {
        (None, _) => NextRun::NotScheduled,
        (Some(every), Some(last)) => NextRun::At(last.plus(every)),
        // Never run: due at the scheduler's next tick.
        (Some(_), None) => NextRun::At(s.created_at),
    }
}
