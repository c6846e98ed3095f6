//! POST /broadcasts (create a draft), /broadcasts/{id}/edit (change it),
//! /broadcasts/{id}/request-approval and /broadcasts/{id}/approve. Each ends in a 303 to the
//! broadcast's page; a refused form is shown again with its messages (422) and nothing
//! changes.

use super::compose::{Target, compose_page};
use super::form::ComposeForm;
use super::pages::{ShowQuery, approve_page, show_page};
use super::parse_id;
use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::{RerenderOnUserError, WebError};
use crate::middleware::client_ip::ClientIp;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use countersign_app::broadcasts::BroadcastError;
use countersign_app::{FieldMessage, Principal};
use countersign_domain::BroadcastId;
use serde::Deserialize;

pub async fn create(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    user: CurrentUser,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let f = ComposeForm::from_pairs(&pairs);
    let (state, user, by) = (&state, &user, &user.principal(ip));
    let zone = state.app.broadcast_rules(by).await?.zone();
    let input = f.input(&zone).map_err(WebError::Invalid);
    let rerender = |m: Vec<FieldMessage>| async move {
        compose_page(state, user, by, Target::New, f, m, None).await
    };
    let input = match input {
        Ok(input) => input,
        Err(e) => return Err::<Response, _>(e).or_rerender(rerender).await,
    };
    let b = state
        .app
        .create_broadcast_draft(by, &input)
        .await
        .or_rerender(rerender)
        .await?;
    Ok(to_page(b.id, "created"))
}

pub async fn update(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let id: BroadcastId = parse_id(&id)?;
    let f = ComposeForm::from_pairs(&pairs);
    let (state, user, by) = (&state, &user, &user.principal(ip));
    let zone = state.app.broadcast_rules(by).await?.zone();
    let input = f.input(&zone).map_err(WebError::Invalid);
    let rerender = |m: Vec<FieldMessage>| async move {
        compose_page(state, user, by, Target::Edit(id), f, m, None).await
    };
    let input = match input {
        Ok(input) => input,
        Err(e) => return Err::<Response, _>(e).or_rerender(rerender).await,
    };
    state
        .app
        .edit_broadcast_draft(by, id, &input)
        .await
        .or_rerender(rerender)
        .await?;
    Ok(to_page(id, "saved"))
}

/// A button on a broadcast's page: `action` (a use case on broadcast `id`, not started yet)
/// runs after the broadcast is found, so another org's broadcast is 404 for anyone before a
/// permission is asked; a user error (the wrong state) shows the page again with the
/// message, and `q` keeps what its form had typed.
pub(super) async fn act<T: Send>(
    state: &AppState,
    user: &CurrentUser,
    by: &Principal,
    id: BroadcastId,
    q: &ShowQuery,
    action: impl Future<Output = Result<T, BroadcastError>> + Send,
) -> Result<T, WebError> {
    state.app.broadcast(by, id).await?;
    action
        .await
        .or_rerender(|m| async move { show_page(state, user, by, id, q, m).await })
        .await
}

/// The 303 to a broadcast's page with a notice.
pub(super) fn to_page(id: BroadcastId, notice: &str) -> Response {
    Redirect::to(&format!("/broadcasts/{id}?notice={notice}")).into_response()
}

pub async fn request_approval(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let id: BroadcastId = parse_id(&id)?;
    let by = user.principal(ip);
    let asked = state.app.request_broadcast_approval(&by, id);
    act(&state, &user, &by, id, &ShowQuery::default(), asked).await?;
    Ok(to_page(id, "approval_requested"))
}

#[derive(Debug, Deserialize)]
pub struct ApproveForm {
    #[serde(default)]
    confirmed_recipients: String,
}

pub async fn approve(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(form): Form<ApproveForm>,
) -> Result<Response, WebError> {
    let id: BroadcastId = parse_id(&id)?;
    let (state, user, by) = (&state, &user, &user.principal(ip));
    // Another org's broadcast is not found for anyone, before any permission is asked.
    state.app.broadcast(by, id).await?;
    let typed = form.confirmed_recipients.trim().to_owned();
    let parsed = typed.replace([',', ' ', '_'], "").parse::<i64>();
    let rerender =
        |m: Vec<FieldMessage>| async move { approve_page(state, user, by, id, typed, m).await };
    let Ok(confirmed) = parsed else {
        let e = WebError::Invalid(vec![FieldMessage {
            field: Some("confirmed_recipients"),
            message: "Type the number of recipients shown above to confirm.".into(),
        }]);
        return Err::<Response, _>(e).or_rerender(rerender).await;
    };
    state
        .app
        .approve_broadcast(by, id, confirmed)
        .await
        .or_rerender(rerender)
        .await?;
    Ok(to_page(id, "approved"))
}
