//! GET /settings/jobs.

use crate::AppState;
use crate::auth::RequireAdmin;
use crate::error::WebError;
use crate::middleware::client_ip::ClientIp;
use crate::page::{PageContext, Section, render};
use crate::routes::notice_text;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::Html;
use countersign_store::{JobCounts, JobState};
use serde::Deserialize;

const PAGE_SIZE: i64 = 200;

#[derive(Debug, Default, Deserialize)]
pub struct JobsQuery {
    #[serde(default)]
    state: String,
    notice: Option<String>,
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
}

pub async fn index(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    RequireAdmin(user): RequireAdmin,
    Query(q): Query<JobsQuery>,
) -> Result<Html<String>, WebError> {
    let filter = JobState::parse(&q.state);
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
    })
}

/// Notices of this page.
fn jobs_notice(key: &str) -> Option<&'static str> {
    match key {
        "job_retried" => Some("The job is queued again."),
        "job_deleted" => Some("The job is deleted."),
        other => notice_text(other),
    }
}
