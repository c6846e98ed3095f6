//! GET /settings/jobs: the org's queued, running and dead jobs, and the sync history per
//! integration, tenant and source (`?integration=`, `?tenant=`; issue 21.6).

use crate::AppState;
use crate::auth::RequireAdmin;
use crate::error::WebError;
use crate::middleware::client_ip::ClientIp;
use crate::page::{PageContext, Section, render};
use crate::routes::notice_text;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::Html;
use countersign_app::jobs::SyncHistoryView;
use countersign_domain::Timestamp;
use countersign_store::{JobCounts, JobState, SyncRun, SyncRunFilter};
use serde::Deserialize;

const PAGE_SIZE: i64 = 200;

#[derive(Debug, Default, Deserialize)]
pub struct JobsQuery {
    #[serde(default)]
    state: String,
    notice: Option<String>,
    /// Sync history of this integration only.
    #[serde(default)]
    integration: String,
    /// Sync history of this tenant (linked company) only.
    #[serde(default)]
    tenant: String,
}

/// One run of the sync history.
struct RunRow {
    started: String,
    duration: String,
    integration: String,
    tenant: String,
    link: String,
    ok: bool,
    added: i64,
    updated: i64,
    removed: i64,
    error: String,
}

/// An option of a filter.
struct Choice {
    value: String,
    label: String,
    selected: bool,
}

struct Row {
    id: String,
    kind: String,
    state: &'static str,
    attempts: String,
    due: String,
    holder: String,
    last_error: String,
    dead: bool,
}

#[derive(Template)]
#[template(path = "jobs/index.html")]
struct JobsPage {
    ctx: PageContext,
    tab: &'static str,
    rows: Vec<Row>,
    counts: JobCounts,
    filter: String,
    notice: Option<&'static str>,
    runs: Vec<RunRow>,
    integration_choices: Vec<Choice>,
    tenant_choices: Vec<Choice>,
    /// Some filter of the history is set.
    history_filtered: bool,
}

pub async fn index(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    RequireAdmin(user): RequireAdmin,
    Query(q): Query<JobsQuery>,
) -> Result<Html<String>, WebError> {
    let filter = JobState::parse(&q.state);
    let runs_filter = SyncRunFilter {
        integration: optional_id(&q.integration)?,
        source: optional_id(&q.tenant)?,
    };
    let history = state
        .app
        .sync_history(&user.principal(ip), runs_filter)
        .await?;
    let view = state
        .app
        .job_list(&user.principal(ip), filter, PAGE_SIZE)
        .await?;
    let counts = view.counts;
    let rows = view
        .jobs
        .into_iter()
        .map(|j| Row {
            id: j.job.id.to_string(),
            kind: j.job.kind,
            state: j.state.as_str(),
            attempts: format!("{} / {}", j.attempts, j.job.max_attempts),
            due: j.job.run_at.display(),
            holder: j.locked_by.unwrap_or_default(),
            last_error: j.last_error.unwrap_or_default(),
            dead: j.state == JobState::Dead,
        })
        .collect();
    render(&JobsPage {
        ctx: PageContext::new(&user, Section::Settings),
        tab: "jobs",
        rows,
        counts,
        filter: filter.map_or("", JobState::as_str).to_owned(),
        notice: q.notice.as_deref().and_then(jobs_notice),
        history_filtered: runs_filter != SyncRunFilter::default(),
        integration_choices: integration_choices(&history, runs_filter),
        tenant_choices: tenant_choices(&history, runs_filter),
        runs: history.runs.iter().map(run_row).collect(),
    })
}

/// An id in the query: empty is no filter; anything that is not an id is "not found", as
/// another org's id is.
fn optional_id<T: std::str::FromStr>(raw: &str) -> Result<Option<T>, WebError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    raw.parse().map(Some).map_err(|_| WebError::NotFound)
}

fn integration_choices(h: &SyncHistoryView, f: SyncRunFilter) -> Vec<Choice> {
    h.integrations
        .iter()
        .map(|(id, name)| Choice {
            value: id.to_string(),
            label: name.clone(),
            selected: f.integration == Some(*id),
        })
        .collect()
}

fn tenant_choices(h: &SyncHistoryView, f: SyncRunFilter) -> Vec<Choice> {
    h.sources
        .iter()
        .filter(|s| f.integration.is_none_or(|i| i == s.integration_id))
        .map(|s| Choice {
            value: s.id.to_string(),
            label: format!("{} ({})", s.name, link_label(&s.link)),
            selected: f.source == Some(s.id),
        })
        .collect()
}

/// How a source reaches a company, in the UI's words.
fn link_label(link: &str) -> String {
    match link {
        "admin_consent" => "Admin consent".to_owned(),
        "gdap" => "GDAP".to_owned(),
        other => other.to_owned(),
    }
}

fn run_row(r: &SyncRun) -> RunRow {
    RunRow {
        started: r.started_at.display(),
        duration: duration(r.started_at, r.finished_at),
        integration: r.integration_name.clone(),
        tenant: r.source_name.clone(),
        link: link_label(&r.link),
        ok: r.ok,
        added: r.progress.added,
        updated: r.progress.changed,
        removed: r.progress.removed,
        error: r
            .error
            .as_deref()
            .map(crate::routes::sentence)
            .unwrap_or_default(),
    }
}

/// A run's length in words ("0.4 s", "12 s", "3 min 5 s").
fn duration(from: Timestamp, to: Timestamp) -> String {
    let ms = (to.0 - from.0).max(0);
    match ms {
        0..10_000 => format!("{}.{} s", ms / 1000, (ms % 1000) / 100),
        10_000..60_000 => format!("{} s", ms / 1000),
        _ => format!("{} min {} s", ms / 60_000, (ms / 1000) % 60),
    }
}

/// Notices of this page.
fn jobs_notice(key: &str) -> Option<&'static str> {
    match key {
        "job_retried" => Some("The job is queued again."),
        "job_deleted" => Some("The job is deleted."),
        other => notice_text(other),
    }
}
