//! POST actions (admins only). Each redirects with a notice (or to Microsoft), or renders
//! the page again with the reason (422) and changes nothing.

use super::pages::{index_page, page_again};
use super::parse_id;
use crate::AppState;
use crate::auth::{CurrentUser, RecentAdmin, RequireAdmin};
use crate::error::{RerenderOnUserError, WebError, one_line};
use crate::middleware::client_ip::ClientIp;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use countersign_app::FieldMessage;
use countersign_app::microsoft::{GdapInput, IntegrationInput, SyncFilters};
use countersign_domain::{IntegrationId, TenantLinkId};
use countersign_store::IntegrationKind;
use serde::Deserialize;
use std::net::IpAddr;

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
    let (state, user, name) = (&state, &user, &form.name);
    let refuse = |m: Vec<FieldMessage>| async move {
        let page = index_page(state, user, ip, name.clone(), Some(one_line(&m)), None).await?;
        Ok(page.into_response())
    };
    let kind = IntegrationKind::parse(&form.kind)
        .ok_or_else(|| {
            WebError::Invalid(vec![FieldMessage {
                field: Some("kind"),
                message: "Pick a type of integration.".into(),
            }])
        })
        .or_rerender(refuse)
        .await?;
    let i = state
        .app
        .create_integration(&user.principal(ip), kind, name)
        .await
        .or_rerender(refuse)
        .await?;
    Ok(to_page(i.id, "created"))
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
    state
        .app
        .rename_integration(&user.principal(ip), id, &form.name)
        .await
        .or_rerender(|m| page_again(&state, &user, ip, id, m))
        .await?;
    Ok(to_page(id, "renamed"))
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
    state
        .app
        .update_integration_settings(&user.principal(ip), id, &input)
        .await
        .or_rerender(|m| page_again(&state, &user, ip, id, m))
        .await?;
    Ok(to_page(id, "saved"))
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
        .delete_integration(&user.principal(ip), id)
        .await?;
    Ok(Redirect::to("/integrations/psa?notice=deleted").into_response())
}

pub async fn consent(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    RecentAdmin(user): RecentAdmin,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let id: IntegrationId = parse_id(&id)?;
    let url = state
        .app
        .start_consent(&user.principal(ip), user.session.id, id)
        .await
        .or_rerender(|m| page_again(&state, &user, ip, id, m))
        .await?;
    Ok(Redirect::to(&url).into_response())
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
    let url = state
        .app
        .start_gdap(&user.principal(ip), user.session.id, id, &input)
        .await
        .or_rerender(|m| page_again(&state, &user, ip, id, m))
        .await?;
    Ok(Redirect::to(&url).into_response())
}

pub async fn gdap_refresh(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    RequireAdmin(user): RequireAdmin,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let id: IntegrationId = parse_id(&id)?;
    state
        .app
        .refresh_gdap_tenants(&user.principal(ip), id)
        .await
        .or_rerender(|m| page_again(&state, &user, ip, id, m))
        .await?;
    Ok(to_page(id, "gdap_refreshed"))
}

/// Sync Customer: queues the job (a customer per linked tenant, named from the tenant
/// itself); the integration page shows its progress and result.
pub async fn sync_customers(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    RequireAdmin(user): RequireAdmin,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let id: IntegrationId = parse_id(&id)?;
    state
        .app
        .enqueue_customer_sync(&user.principal(ip), id)
        .await?;
    Ok(to_page(id, "sync_customers_queued"))
}

/// Sync Users: a background sync job per tenant.
pub async fn sync_users(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    RequireAdmin(user): RequireAdmin,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let id: IntegrationId = parse_id(&id)?;
    state
        .app
        .queue_integration_sync(&user.principal(ip), id)
        .await?;
    Ok(to_page(id, "sync_queued"))
}

pub async fn sync_tenant(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    RequireAdmin(user): RequireAdmin,
    Path((id, link)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let id: IntegrationId = parse_id(&id)?;
    let link: TenantLinkId = parse_id(&link)?;
    state
        .app
        .queue_tenant_sync(&user.principal(ip), id, link)
        .await?;
    Ok(to_page(id, "sync_queued"))
}

/// Unlink one tenant (the page asks for confirmation first): its contacts are hidden and
/// purged after the org's retention; the page shows the date.
pub async fn unlink_tenant(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    RequireAdmin(user): RequireAdmin,
    Path(ids): Path<(String, String)>,
) -> Result<Response, WebError> {
    tenant_action(&state, &user, ip, ids, TenantAction::Unlink).await
}

/// Link an unlinked tenant again (before its purge its contacts come back).
pub async fn relink_tenant(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    RequireAdmin(user): RequireAdmin,
    Path(ids): Path<(String, String)>,
) -> Result<Response, WebError> {
    tenant_action(&state, &user, ip, ids, TenantAction::Relink).await
}

#[derive(Clone, Copy)]
enum TenantAction {
    Unlink,
    Relink,
}

/// Unlink or link again, then the page with the notice (or the reason, 422).
async fn tenant_action(
    state: &AppState,
    user: &CurrentUser,
    ip: IpAddr,
    (id, link): (String, String),
    action: TenantAction,
) -> Result<Response, WebError> {
    let id: IntegrationId = parse_id(&id)?;
    let link: TenantLinkId = parse_id(&link)?;
    let by = user.principal(ip);
    let done = match action {
        TenantAction::Unlink => state.app.unlink_tenant(&by, id, link).await.map(|_| ()),
        TenantAction::Relink => state.app.relink_tenant(&by, id, link).await.map(|_| ()),
    };
    done.or_rerender(|m| page_again(state, user, ip, id, m))
        .await?;
    Ok(to_page(
        id,
        match action {
            TenantAction::Unlink => "tenant_unlinked",
            TenantAction::Relink => "tenant_relinked",
        },
    ))
}

#[derive(Debug, Deserialize)]
pub struct RetentionForm {
    #[serde(default)]
    days: String,
}

/// The org's retention of an unlinked tenant's contacts, set from an integration's page.
pub async fn retention(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    RequireAdmin(user): RequireAdmin,
    Path(id): Path<String>,
    Form(form): Form<RetentionForm>,
) -> Result<Response, WebError> {
    let id: IntegrationId = parse_id(&id)?;
    // The page is the integration's: another org's id is "not found" before anything else.
    state.app.integration_page(&user.principal(ip), id).await?;
    state
        .app
        .set_unlink_retention_days(&user.principal(ip), &form.days)
        .await
        .or_rerender(|m| page_again(&state, &user, ip, id, m))
        .await?;
    Ok(to_page(id, "retention_saved"))
}
