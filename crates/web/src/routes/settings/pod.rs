//! GET/POST /settings/pod (the org's Pod settings) and POST
//! /settings/technicians/{id}/pod-only (restrict a technician to the Pod). Admins only.

use crate::AppState;
use crate::auth::RequireAdmin;
use crate::error::{RerenderOnUserError, WebError, one_line};
use crate::middleware::client_ip::ClientIp;
use crate::page::{PageContext, Section, render};
use crate::routes::{NoticeQuery, notice_text};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use countersign_app::contacts::PodSettingsInput;
use countersign_domain::TechnicianId;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "settings/pod.html")]
struct PodSettingsPage {
    ctx: PageContext,
    tab: &'static str,
    frame_ancestors: String,
    verified_window_minutes: String,
    history_length: String,
    notice: Option<&'static str>,
    error: Option<String>,
}

pub async fn show(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    RequireAdmin(user): RequireAdmin,
    Query(q): Query<NoticeQuery>,
) -> Result<Html<String>, WebError> {
    let s = state.app.pod_settings_view(&user.principal(ip)).await?;
    render(&PodSettingsPage {
        ctx: PageContext::new(&user, Section::Settings),
        tab: "pod",
        frame_ancestors: s.frame_ancestors.join("\n"),
        verified_window_minutes: s.verified_window_minutes.to_string(),
        history_length: s.history_length.to_string(),
        notice: q.notice.as_deref().and_then(notice_text),
        error: None,
    })
}

#[derive(Debug, Deserialize)]
pub struct PodSettingsForm {
    #[serde(default)]
    frame_ancestors: String,
    #[serde(default)]
    verified_window_minutes: String,
    #[serde(default)]
    history_length: String,
}

pub async fn update(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    RequireAdmin(user): RequireAdmin,
    Form(form): Form<PodSettingsForm>,
) -> Result<Response, WebError> {
    let input = PodSettingsInput {
        frame_ancestors: form.frame_ancestors.clone(),
        verified_window_minutes: form.verified_window_minutes.clone(),
        history_length: form.history_length.clone(),
    };
    state
        .app
        .save_pod_settings(&user.principal(ip), &input)
        .await
        .or_rerender(async |m| {
            let page = render(&PodSettingsPage {
                ctx: PageContext::new(&user, Section::Settings),
                tab: "pod",
                frame_ancestors: form.frame_ancestors.clone(),
                verified_window_minutes: form.verified_window_minutes.clone(),
                history_length: form.history_length.clone(),
                notice: None,
                error: Some(one_line(&m)),
            })?;
            Ok(page.into_response())
        })
        .await?;
    Ok(Redirect::to("/settings/pod?notice=saved").into_response())
}

#[derive(Debug, Deserialize)]
pub struct PodOnlyForm {
    /// Present when the box is ticked.
    pod_only: Option<String>,
}

pub async fn set_pod_only(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    RequireAdmin(user): RequireAdmin,
    Path(id): Path<String>,
    Form(form): Form<PodOnlyForm>,
) -> Result<Response, WebError> {
    let id: TechnicianId = id.parse().map_err(|_| WebError::NotFound)?;
    state
        .app
        .set_pod_only(&user.principal(ip), id, form.pod_only.is_some())
        .await?;
    Ok(Redirect::to(&format!("/settings/technicians/{id}?notice=saved")).into_response())
}
