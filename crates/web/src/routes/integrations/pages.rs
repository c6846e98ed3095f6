//! GET pages: the cards, one integration, and its live status (JSON for app.js).

use super::{notice_text, parse_id};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::{Problem, WebError, one_line};
use crate::middleware::client_ip::ClientIp;
use crate::page::{PageContext, Section, render};
use crate::routes::sentence;
use askama::Template;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Response};
use countersign_app::FieldMessage;
use countersign_app::microsoft::{
    CONSENT_PERMISSIONS, GDAP_PERMISSIONS, GdapStatus, LinkKind, NO_CUSTOM_CLOUD, TenantLink,
    consent_redirect_uri, gdap_redirect_uri, offered_clouds, server_custom_cloud,
};
use countersign_domain::{IntegrationId, Timestamp};
use countersign_microsoft::{CloudKind, DelegatedTenant, role_name};
use countersign_store::{IntegrationKind, JobProgress, SyncState};
use serde::{Deserialize, Serialize};
use std::net::IpAddr;

#[derive(Debug, Default, Deserialize)]
pub struct PageQuery {
    notice: Option<String>,
}

/// One card on the index.
pub struct Card {
    id: String,
    name: String,
    kind: &'static str,
    tenants: usize,
    status: String,
}

#[derive(Template)]
#[template(path = "integrations/index.html")]
pub struct IndexPage {
    pub ctx: PageContext,
    pub cards: Vec<Card>,
    pub kinds: Vec<(&'static str, &'static str)>,
    pub name: String,
    pub error: Option<String>,
    pub notice: Option<&'static str>,
}

pub async fn index_page(
    state: &AppState,
    user: &CurrentUser,
    ip: IpAddr,
    name: String,
    error: Option<String>,
    notice: Option<&'static str>,
) -> Result<Html<String>, WebError> {
    let cards = state
        .app
        .integration_list(&user.principal(ip))
        .await?
        .into_iter()
        .map(|c| Card {
            id: c.integration.id.to_string(),
            name: c.integration.name.clone(),
            kind: c.integration.kind.label(),
            tenants: c.tenants,
            status: gdap_label(c.integration.settings.gdap_status).to_owned(),
        })
        .collect();
    render(&IndexPage {
        ctx: PageContext::new(user, Section::Integrations),
        cards,
        kinds: IntegrationKind::ALL
            .iter()
            .map(|k| (k.as_str(), k.label()))
            .collect(),
        name,
        error,
        notice,
    })
}

pub async fn index(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    user: CurrentUser,
    Query(q): Query<PageQuery>,
) -> Result<Html<String>, WebError> {
    let notice = q.notice.as_deref().and_then(notice_text);
    index_page(&state, &user, ip, String::new(), None, notice).await
}

fn gdap_label(s: GdapStatus) -> &'static str {
    match s {
        GdapStatus::None => "",
        GdapStatus::Pending => "GDAP: sign-in not finished",
        GdapStatus::Connected => "GDAP connected",
        GdapStatus::SignInAgain => "GDAP: sign in again",
    }
}

/// A tenant row.
pub struct Row {
    id: String,
    name: String,
    tenant_id: String,
    domain: String,
    link: &'static str,
    relationships: String,
    roles: Vec<String>,
    missing_roles: Vec<&'static str>,
    customer: bool,
    status: String,
    /// Why the tenant ended (empty while it is reachable).
    ended: String,
    /// That an admin unlinked it, and when its contacts are (or were) deleted; empty while
    /// it is linked.
    unlinked: String,
    last_sync: String,
    last_ok: Option<bool>,
    last_error: String,
    pages: i64,
    users_seen: i64,
    added: i64,
    changed: i64,
    removed: i64,
}

fn sentence_of(s: &str) -> String {
    crate::routes::sentence(s)
}

fn when(t: Option<Timestamp>) -> String {
    t.map(Timestamp::display).unwrap_or_else(|| "never".into())
}

fn state_label(s: SyncState) -> &'static str {
    match s {
        SyncState::Idle => "idle",
        SyncState::Queued => "queued",
        SyncState::Running => "syncing",
    }
}

fn row(l: &TenantLink) -> Row {
    let roles: Vec<String> = l
        .new
        .roles
        .split(',')
        .filter(|r| !r.is_empty())
        .map(str::to_owned)
        .collect();
    let missing_roles = if l.new.link == LinkKind::Gdap {
        DelegatedTenant {
            tenant_id: l.new.tenant_id.clone(),
            display_name: String::new(),
            relationships: Vec::new(),
            roles: roles.clone(),
        }
        .missing_roles()
    } else {
        Vec::new()
    };
    Row {
        id: l.id.to_string(),
        name: l.new.display_name.clone(),
        tenant_id: l.new.tenant_id.clone(),
        domain: l.new.default_domain.clone(),
        link: l.new.link.label(),
        relationships: l.new.relationships.clone(),
        roles: roles.iter().map(|r| role_name(r)).collect(),
        missing_roles,
        customer: l.customer_id.is_some(),
        // An ended or unlinked tenant is no longer synced: the live status says so too.
        status: if l.unlinked_at.is_some() {
            "unlinked".to_owned()
        } else if l.ended_at.is_some() {
            "ended".to_owned()
        } else {
            state_label(l.sync_state).to_owned()
        },
        ended: match (&l.ended_at, &l.ended_reason) {
            (Some(at), reason) => format!(
                "Ended {}: {} Its contacts are kept; it is no longer synced.",
                at.display(),
                reason.as_deref().unwrap_or("its GDAP relationships ended.")
            ),
            (None, _) => String::new(),
        },
        unlinked: unlinked_text(l),
        last_sync: when(l.last_sync_at),
        last_ok: l.last_sync_ok,
        last_error: l.last_error.clone().unwrap_or_default(),
        pages: l.progress.pages,
        users_seen: l.progress.users_seen,
        added: l.progress.added,
        changed: l.progress.changed,
        removed: l.progress.removed,
    }
}

/// What an unlinked tenant's row says (empty while it is linked).
fn unlinked_text(l: &TenantLink) -> String {
    let Some(at) = l.unlinked_at else {
        return String::new();
    };
    match (l.purged_at, l.purge_at) {
        (Some(done), _) => format!(
            "Unlinked {}. Its contacts were deleted on {}; linking it again brings them back with a full sync.",
            at.display(),
            done.display()
        ),
        (None, Some(purge)) => format!(
            "Unlinked {}. It is not synced and its contacts are hidden; contacts will be deleted on {} unless you link it again.",
            at.display(),
            purge.display()
        ),
        (None, None) => format!("Unlinked {}.", at.display()),
    }
}

#[derive(Template)]
#[template(path = "integrations/show.html")]
pub struct ShowPage {
    pub ctx: PageContext,
    pub id: String,
    pub name: String,
    pub kind: &'static str,
    pub clouds: Vec<(&'static str, &'static str)>,
    pub cloud: String,
    pub custom_offered: bool,
    pub cloud_error: String,
    pub skip_guests: bool,
    pub skip_disabled: bool,
    pub skip_unlicensed: bool,
    pub app_configured: bool,
    pub consent_redirect: String,
    pub gdap_redirect: String,
    pub consent_permissions: &'static [&'static str],
    pub gdap_permissions: &'static [&'static str],
    pub gdap_status: &'static str,
    pub gdap_needs_sign_in: bool,
    pub gdap_error: String,
    pub gdap_domain: String,
    pub gdap_client_id: String,
    pub rows: Vec<Row>,
    pub contacts: i64,
    pub notice: Option<&'static str>,
    pub error: Option<String>,
    pub messages: Vec<String>,
    /// Sync Customer is queued or running: the page reloads itself to show progress.
    pub customer_sync_running: bool,
    /// How many days the org keeps an unlinked tenant's contacts.
    pub retention_days: i64,
}

pub async fn show_page(
    state: &AppState,
    user: &CurrentUser,
    ip: IpAddr,
    id: IntegrationId,
    notice: Option<&'static str>,
    error: Option<String>,
    messages: Vec<String>,
) -> Result<Html<String>, WebError> {
    let by = user.principal(ip);
    let view = state.app.integration_page(&by, id).await?;
    let (i, links, contacts) = (view.integration, view.links, view.contacts);
    let progress = state.app.customer_sync_progress(&by, id).await?;
    let customer_sync_running = progress.as_ref().is_some_and(|p| !p.finished);
    let retention_days = state.app.unlink_retention_days(&by).await?;
    let mut messages = messages;
    messages.extend(progress.iter().flat_map(customer_sync_lines));
    let settings = &state.app.settings;
    render(&ShowPage {
        ctx: PageContext::new(user, Section::Integrations),
        id: i.id.to_string(),
        name: i.name.clone(),
        kind: i.kind.label(),
        clouds: offered_clouds(settings)
            .iter()
            .map(|k| (k.as_str(), k.label()))
            .collect(),
        cloud: i.settings.cloud.clone(),
        custom_offered: server_custom_cloud(settings).is_some(),
        // An integration left on a Custom cloud the server no longer offers (its stored
        // host was dropped by the migration of issue 17.2) must be given a cloud again.
        cloud_error: if i.settings.cloud == CloudKind::Custom.as_str()
            && server_custom_cloud(settings).is_none()
        {
            sentence_of(NO_CUSTOM_CLOUD)
        } else {
            String::new()
        },
        skip_guests: i.settings.filters.skip_guests,
        skip_disabled: i.settings.filters.skip_disabled,
        skip_unlicensed: i.settings.filters.skip_unlicensed,
        app_configured: settings.microsoft.app_configured(),
        consent_redirect: consent_redirect_uri(settings),
        gdap_redirect: gdap_redirect_uri(settings, i.id),
        consent_permissions: CONSENT_PERMISSIONS,
        gdap_permissions: GDAP_PERMISSIONS,
        gdap_status: gdap_label(i.settings.gdap_status),
        gdap_needs_sign_in: matches!(
            i.settings.gdap_status,
            GdapStatus::SignInAgain | GdapStatus::Pending
        ),
        gdap_error: i.settings.gdap_error.clone().unwrap_or_default(),
        gdap_domain: i.settings.gdap_domain.clone().unwrap_or_default(),
        gdap_client_id: i.settings.gdap_client_id.clone().unwrap_or_default(),
        rows: links.iter().map(row).collect(),
        contacts,
        notice,
        error,
        messages,
        customer_sync_running,
        retention_days,
    })
}

/// What the last Sync Customer did: how many tenants, then each failure and why.
fn customer_sync_lines(p: &JobProgress) -> Vec<String> {
    let head = if p.finished {
        format!(
            "Customers created or updated for {} of {} tenants.",
            p.done, p.total
        )
    } else {
        let tried = p.done + i64::try_from(p.failures.len()).unwrap_or(i64::MAX);
        format!("Sync Customer: {tried} of {} tenants so far.", p.total)
    };
    std::iter::once(head)
        .chain(
            p.failures
                .iter()
                .map(|f| format!("{}: {}", f.subject, sentence(&f.reason))),
        )
        .collect()
}

/// A refused action: the integration's page again with the reason (422).
pub async fn page_again(
    state: &AppState,
    user: &CurrentUser,
    ip: IpAddr,
    id: IntegrationId,
    messages: Vec<FieldMessage>,
) -> Result<Response, WebError> {
    let error = Some(one_line(&messages));
    let page = show_page(state, user, ip, id, None, error, Vec::new()).await?;
    Ok(page.into_response())
}

pub async fn show(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    user: CurrentUser,
    Path(id): Path<String>,
    Query(q): Query<PageQuery>,
) -> Result<Html<String>, WebError> {
    let id: IntegrationId = parse_id(&id)?;
    let notice = q.notice.as_deref().and_then(notice_text);
    show_page(&state, &user, ip, id, notice, None, Vec::new()).await
}

/// One tenant's live status, for app.js.
#[derive(Serialize)]
pub struct LinkStatus {
    id: String,
    status: String,
    last_sync: String,
    last_ok: Option<bool>,
    last_error: String,
    pages: i64,
    users_seen: i64,
    added: i64,
    changed: i64,
    removed: i64,
}

pub async fn status(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<Vec<LinkStatus>>, Problem> {
    let id: IntegrationId = parse_id(&id)?;
    let links = state
        .app
        .integration_status(&user.principal(ip), id)
        .await?;
    Ok(Json(
        links
            .iter()
            .map(row)
            .map(|r| LinkStatus {
                id: r.id,
                status: r.status,
                last_sync: r.last_sync,
                last_ok: r.last_ok,
                last_error: r.last_error,
                pages: r.pages,
                users_seen: r.users_seen,
                added: r.added,
                changed: r.changed,
                removed: r.removed,
            })
            .collect(),
    ))
}
