//! POST actions (admins only). Each redirects with a notice (or to Microsoft), or renders
//! the page again with the reason (422) and changes nothing.

use super::pages::{index_page, show_page};
use super::parse_id;
use crate::AppState;
use crate::auth::{RecentAdmin, RequireAdmin};
use crate::error::WebError;
use crate::middleware::client_ip::ClientIp;
use crate::routes::sentence;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use countersign_app::microsoft::{GdapInput, IntegrationInput, MicrosoftError};
use countersign_domain::{IntegrationId, TenantLinkId};
use countersign_store::{IntegrationKind, IntegrationStore, SyncFilters};
use serde::Deserialize;

/// The page again with the reason, or the error as a page.
async fn again(
    state: &AppState,
    user: &crate::auth::CurrentUser,
    id: IntegrationId,
    e: MicrosoftError,
) -> Result<Response, WebError> {
    if e.is_user_error() {
        let page = show_page(
            state,
            user,
            id,
            None,
            Some(sentence(&e.to_string())),
            Vec::new(),
        )
        .await?;
        Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
    } else {
        Err(e.into())
    }
}

fn to_page(id: IntegrationId, notice: &str) -> Response {
    Redirect::to(&format!("/integrations/psa/{id}?notice={notice}")).into_response()
}

#[derive(Debug, Deserialize)]
pub struct CreateForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    name: String,
}

pub async fn create(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    RequireAdmin(user): RequireAdmin,
    Form(form): Form<CreateForm>,
) -> Result<Response, WebError> {
    let Some(kind) = IntegrationKind::parse(&form.kind) else {
        let page = index_page(
            &state,
            &user,
            form.name,
            Some("Pick a type of integration.".into()),
            None,
        )
        .await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    match state
        .app
        .create_integration(&user.technician, kind, &form.name, Some(ip.to_string()))
        .await
    {
        Ok(i) => Ok(to_page(i.id, "created")),
        Err(e) if e.is_user_error() => {
            let page = index_page(
                &state,
                &user,
                form.name,
                Some(sentence(&e.to_string())),
                None,
            )
            .await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Debug, Deserialize)]
pub struct RenameForm {
    #[serde(default)]
    name: String,
}

pub async fn rename(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    RequireAdmin(user): RequireAdmin,
    Path(id): Path<String>,
    Form(form): Form<RenameForm>,
) -> Result<Response, WebError> {
    let id: IntegrationId = parse_id(&id)?;
    match state
        .app
        .rename_integration(&user.technician, id, &form.name, Some(ip.to_string()))
        .await
    {
        Ok(()) => Ok(to_page(id, "renamed")),
        Err(e) => again(&state, &user, id, e).await,
    }
}

/// No host field: an admin picks a cloud the server offers. A forged request carrying
/// `login_base_url`/`graph_base_url` has them ignored (issue 17.2).
#[derive(Debug, Deserialize)]
pub struct SettingsForm {
    #[serde(default)]
    cloud: String,
    skip_guests: Option<String>,
    skip_disabled: Option<String>,
    skip_unlicensed: Option<String>,
}

pub async fn settings(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    RequireAdmin(user): RequireAdmin,
    Path(id): Path<String>,
    Form(form): Form<SettingsForm>,
) -> Result<Response, WebError> {
    let id: IntegrationId = parse_id(&id)?;
    let input = IntegrationInput {
        cloud: form.cloud,
        filters: SyncFilters {
            skip_guests: form.skip_guests.is_some(),
            skip_disabled: form.skip_disabled.is_some(),
            skip_unlicensed: form.skip_unlicensed.is_some(),
        },
    };
    match state
        .app
        .update_integration_settings(&user.technician, id, &input, Some(ip.to_string()))
        .await
    {
        Ok(()) => Ok(to_page(id, "saved")),
        Err(e) => again(&state, &user, id, e).await,
    }
}

pub async fn delete(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    RequireAdmin(user): RequireAdmin,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let id: IntegrationId = parse_id(&id)?;
    state
        .app
        .delete_integration(&user.technician, id, Some(ip.to_string()))
        .await?;
    Ok(Redirect::to("/integrations/psa?notice=deleted").into_response())
}

pub async fn consent(
    State(state): State<AppState>,
    RecentAdmin(user): RecentAdmin,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let id: IntegrationId = parse_id(&id)?;
    match state
        .app
        .start_consent(&user.technician, user.session.id, id)
        .await
    {
        Ok(url) => Ok(Redirect::to(&url).into_response()),
        Err(e) => again(&state, &user, id, e).await,
    }
}

#[derive(Deserialize)]
pub struct GdapForm {
    #[serde(default)]
    domain: String,
    #[serde(default)]
    client_id: String,
    #[serde(default)]
    client_secret: String,
}

pub async fn gdap(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    RecentAdmin(user): RecentAdmin,
    Path(id): Path<String>,
    Form(form): Form<GdapForm>,
) -> Result<Response, WebError> {
    let id: IntegrationId = parse_id(&id)?;
    let input = GdapInput {
        domain: form.domain,
        client_id: form.client_id,
        client_secret: form.client_secret,
    };
    match state
        .app
        .start_gdap(
            &user.technician,
            user.session.id,
            id,
            &input,
            Some(ip.to_string()),
        )
        .await
    {
        Ok(url) => Ok(Redirect::to(&url).into_response()),
        Err(e) => again(&state, &user, id, e).await,
    }
}

pub async fn gdap_refresh(
    State(state): State<AppState>,
    RequireAdmin(user): RequireAdmin,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let id: IntegrationId = parse_id(&id)?;
    match state.app.refresh_gdap_tenants(&user.technician, id).await {
        Ok(_) => Ok(to_page(id, "gdap_refreshed")),
        Err(e) => again(&state, &user, id, e).await,
    }
}

/// Sync Customer: queues the job (a customer per linked tenant, named from the tenant
/// itself); the integration page shows its progress and result.
pub async fn sync_customers(
    State(state): State<AppState>,
    RequireAdmin(user): RequireAdmin,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let id: IntegrationId = parse_id(&id)?;
    state
        .app
        .enqueue_customer_sync(user.technician.org_id, id)
        .await?;
    Ok(to_page(id, "sync_customers_queued"))
}

/// Sync Users: a background sync job per tenant.
pub async fn sync_users(
    State(state): State<AppState>,
    RequireAdmin(user): RequireAdmin,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let id: IntegrationId = parse_id(&id)?;
    let org = user.technician.org_id;
    // Another org's id is "not found", not an empty list.
    state.app.store.integration(org, id).await?;
    for l in state.app.tenant_links(org, id).await? {
        state.app.enqueue_tenant_sync(org, l.id).await?;
    }
    Ok(to_page(id, "sync_queued"))
}

pub async fn sync_tenant(
    State(state): State<AppState>,
    RequireAdmin(user): RequireAdmin,
    Path((id, link)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let id: IntegrationId = parse_id(&id)?;
    let link: TenantLinkId = parse_id(&link)?;
    let org = user.technician.org_id;
    let l = state.app.tenant_link(org, link).await?;
    if l.new.integration_id != id {
        return Err(WebError::NotFound);
    }
    state.app.enqueue_tenant_sync(org, link).await?;
    Ok(to_page(id, "sync_queued"))
}
