//! POST /settings/webhooks (add), /settings/webhooks/{id}/enable, /disable, /rotate, /delete
//! and /test. Another org's endpoint is "not found"; a refused form shows why and saves
//! nothing. A new signing secret goes to its page sealed in the session's flash (`flash.rs`):
//! shown there once with `no-store`, never in a URL, and a refresh makes no other.

use super::pages::{AddForm, INDEX_PAGE, IndexPage, NewSecret, ShowPage, show_path};
use super::parse_id;
use crate::AppState;
use crate::auth::{RecentAdmin, RequireAdmin};
use crate::error::{RerenderOnUserError, WebError, one_line};
use crate::flash;
use crate::middleware::client_ip::ClientIp;
use crate::page::render;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use countersign_app::webhooks::EndpointInput;

pub async fn create(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    RecentAdmin(user): RecentAdmin,
    body: Bytes,
) -> Result<Response, WebError> {
    // The event checkboxes share one name, which `Form` cannot collect.
    let mut form = AddForm::default();
    for (k, v) in form_urlencoded::parse(&body) {
        match k.as_ref() {
            "url" => form.url = v.into_owned(),
            "description" => form.description = v.into_owned(),
            "events" => form.events.push(v.into_owned()),
            _ => {}
        }
    }
    let input = EndpointInput {
        url: form.url.clone(),
        description: form.description.clone(),
        events: form.events.clone(),
    };
    let app = &state.app;
    let by = user.principal(ip);
    let created = app
        .create_webhook_endpoint(&by, &input)
        .await
        .or_rerender(async |m| {
            let mut page = IndexPage::build(app, &user, &by, form).await?;
            page.error = Some(one_line(&m));
            Ok(render(&page)?.into_response())
        })
        .await?;
    let new = NewSecret {
        endpoint: created.endpoint.id.to_string(),
        secret: created.secret,
    };
    Ok(flash::attach(
        &state,
        &user,
        INDEX_PAGE,
        &new,
        Redirect::to(INDEX_PAGE),
    ))
}

async fn set_enabled(
    state: &AppState,
    ip: std::net::IpAddr,
    user: &crate::auth::CurrentUser,
    id: &str,
    enabled: bool,
) -> Result<Redirect, WebError> {
    let id = parse_id(id)?;
    state
        .app
        .set_webhook_endpoint_enabled(&user.principal(ip), id, enabled)
        .await?;
    Ok(Redirect::to(&format!(
        "/settings/webhooks/{id}?notice=saved"
    )))
}

pub async fn enable(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    RequireAdmin(user): RequireAdmin,
    Path(id): Path<String>,
) -> Result<Redirect, WebError> {
    set_enabled(&state, ip, &user, &id, true).await
}

pub async fn disable(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    RequireAdmin(user): RequireAdmin,
    Path(id): Path<String>,
) -> Result<Redirect, WebError> {
    set_enabled(&state, ip, &user, &id, false).await
}

pub async fn rotate(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    RecentAdmin(user): RecentAdmin,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let parsed = parse_id(&id)?;
    let by = user.principal(ip);
    let secret = state.app.rotate_webhook_secret(&by, parsed).await?;
    let page = show_path(&parsed.to_string());
    let new = NewSecret {
        endpoint: parsed.to_string(),
        secret,
    };
    Ok(flash::attach(
        &state,
        &user,
        &page,
        &new,
        Redirect::to(&page),
    ))
}

pub async fn delete(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    RequireAdmin(user): RequireAdmin,
    Path(id): Path<String>,
) -> Result<Redirect, WebError> {
    let id = parse_id(&id)?;
    state
        .app
        .delete_webhook_endpoint(&user.principal(ip), id)
        .await?;
    Ok(Redirect::to("/settings/webhooks?notice=webhook_deleted"))
}

pub async fn test(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    RequireAdmin(user): RequireAdmin,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let parsed = parse_id(&id)?;
    let app = &state.app;
    let by = user.principal(ip);
    app.send_test_webhook(&by, parsed)
        .await
        .or_rerender(async |m| {
            let mut page = ShowPage::build(app, &user, &by, &id).await?;
            page.error = Some(one_line(&m));
            Ok(render(&page)?.into_response())
        })
        .await?;
    Ok(Redirect::to(&format!(
        "/settings/webhooks/{id}?notice=webhook_test_queued"
    ))
    .into_response())
}
