//! GET /settings, /settings/technicians, /settings/technicians/{id}.

use crate::AppState;
use crate::auth::{CurrentUser, RequireAdmin};
use crate::error::WebError;
use crate::flash;
use crate::middleware::client_ip::ClientIp;
use crate::page::{PageContext, Section, render};
use crate::routes::{NoticeQuery, notice_text};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{Html, Response};
use countersign_app::Principal;
use countersign_domain::{Permission, Role, TechnicianId};
use serde::{Deserialize, Serialize};

#[derive(Template)]
#[template(path = "settings/org.html")]
pub(super) struct OrgPage {
    pub ctx: PageContext,
    pub tab: &'static str,
    pub name: String,
    pub require_2fa: bool,
    pub notice: Option<&'static str>,
    pub error: Option<String>,
}

struct TechRow {
    id: String,
    name: String,
    email: String,
    role: &'static str,
    active: bool,
    totp: bool,
    last_login: String,
}

struct InviteRow {
    id: String,
    email: String,
    role: &'static str,
    expires: String,
    expired: bool,
}

#[derive(Template)]
#[template(path = "settings/technicians.html")]
struct TechniciansPage {
    ctx: PageContext,
    tab: &'static str,
    technicians: Vec<TechRow>,
    invites: Vec<InviteRow>,
    created_link: Option<String>,
    created_emailed: bool,
    valid_hours: u32,
    invite_email: String,
    invite_role: String,
    notice: Option<&'static str>,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "settings/technician.html")]
struct TechnicianPage {
    ctx: PageContext,
    tab: &'static str,
    id: String,
    name: String,
    email: String,
    role: &'static str,
    active: bool,
    totp: bool,
    last_login: String,
    sessions: usize,
    pod_only: bool,
    is_admin: bool,
    /// Every permission: (form name, label, granted).
    permissions: Vec<(&'static str, &'static str, bool)>,
    /// An admin's reset just made: its link, shown once, and whether it was emailed.
    reset: Option<ResetShown>,
    notice: Option<&'static str>,
    error: Option<String>,
}

/// A reset link as the technician page shows it, once, right after the reset (carried from
/// the POST by the flash, `flash.rs`).
#[derive(Serialize, Deserialize)]
pub(super) struct ResetShown {
    pub link: String,
    pub expires: String,
    pub emailed: bool,
    pub sessions_ended: u64,
}

pub async fn org(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    RequireAdmin(user): RequireAdmin,
    Query(q): Query<NoticeQuery>,
) -> Result<Html<String>, WebError> {
    let org = state.app.org_settings(&user.principal(ip)).await?;
    render(&OrgPage {
        ctx: PageContext::new(&user, Section::Settings),
        tab: "org",
        name: org.name,
        require_2fa: org.require_2fa,
        notice: q.notice.as_deref().and_then(notice_text),
        error: None,
    })
}

/// What the invite form and the result of an invite put on the technicians page.
#[derive(Default)]
pub(super) struct InviteFormState {
    pub created_link: Option<String>,
    pub created_emailed: bool,
    pub email: String,
    pub role: String,
    pub error: Option<String>,
}

pub(super) async fn technicians_page(
    state: &AppState,
    user: &CurrentUser,
    by: &Principal,
    form: InviteFormState,
    notice: Option<&'static str>,
) -> Result<Html<String>, WebError> {
    let now = state.app.now();
    let view = state.app.technicians_view(by).await?;
    render(&TechniciansPage {
        ctx: PageContext::new(user, Section::Settings),
        tab: "technicians",
        technicians: view
            .technicians
            .into_iter()
            .map(|t| TechRow {
                id: t.id.to_string(),
                name: t.name,
                email: t.email,
                role: t.role.as_str(),
                active: t.active,
                totp: t.totp_enabled_at.is_some(),
                last_login: t
                    .last_login_at
                    .map_or_else(|| "never".to_owned(), |at| at.display()),
            })
            .collect(),
        invites: view
            .invites
            .into_iter()
            .map(|i| InviteRow {
                id: i.id.to_string(),
                email: i.email,
                role: i.role.as_str(),
                expires: i.expires_at.display(),
                expired: now >= i.expires_at,
            })
            .collect(),
        created_link: form.created_link,
        created_emailed: form.created_emailed,
        valid_hours: state.app.settings.security.invite_valid_hours,
        invite_email: form.email,
        invite_role: if form.role.is_empty() {
            "technician".into()
        } else {
            form.role
        },
        notice,
        error: form.error,
    })
}

/// An invite just created, carried by the flash from its POST to this page (PRG): the link
/// exists in clear only there and here, once.
#[derive(Serialize, Deserialize)]
pub(super) struct CreatedInvite {
    pub link: String,
    pub emailed: bool,
}

/// Where an invite's flash is shown.
pub(super) const TECHNICIANS_PAGE: &str = "/settings/technicians";

pub async fn technicians(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    RequireAdmin(user): RequireAdmin,
    Query(q): Query<NoticeQuery>,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    let mut taken = flash::take::<CreatedInvite>(&state, &user, TECHNICIANS_PAGE, &headers);
    let created = taken.value.take();
    let form = InviteFormState {
        created_emailed: created.as_ref().is_some_and(|c| c.emailed),
        created_link: created.map(|c| c.link),
        ..InviteFormState::default()
    };
    let page = technicians_page(
        &state,
        &user,
        &user.principal(ip),
        form,
        q.notice.as_deref().and_then(notice_text),
    )
    .await?;
    Ok(taken.respond(page))
}

/// Parses an id from the path; a malformed one is simply not found.
pub(super) fn parse_id<T: std::str::FromStr>(raw: &str) -> Result<T, WebError> {
    raw.parse().map_err(|_| WebError::NotFound)
}

pub(super) async fn technician_page(
    state: &AppState,
    user: &CurrentUser,
    by: &Principal,
    id: TechnicianId,
    notice: Option<&'static str>,
    error: Option<String>,
) -> Result<Html<String>, WebError> {
    technician_page_with(state, user, by, id, notice, error, None).await
}

/// The technician page, with the link of a reset just made (from the flash: the link exists
/// in clear only in the POST's sealed cookie and this response).
pub(super) async fn technician_page_with(
    state: &AppState,
    user: &CurrentUser,
    by: &Principal,
    id: TechnicianId,
    notice: Option<&'static str>,
    error: Option<String>,
    reset: Option<ResetShown>,
) -> Result<Html<String>, WebError> {
    // Org-scoped lookup: another org's technician is NotFound, i.e. a 404.
    let view = state.app.technician_view(by, id).await?;
    let t = view.technician;
    render(&TechnicianPage {
        ctx: PageContext::new(user, Section::Settings),
        tab: "technicians",
        id: t.id.to_string(),
        name: t.name,
        email: t.email,
        role: t.role.as_str(),
        active: t.active,
        totp: t.totp_enabled_at.is_some(),
        last_login: t
            .last_login_at
            .map_or_else(|| "never".to_owned(), |at| at.display()),
        sessions: view.sessions,
        pod_only: view.pod_only,
        is_admin: t.role == Role::Admin,
        permissions: Permission::GRANTABLE
            .into_iter()
            .map(|p| (p.as_str(), p.label(), t.permissions.contains(p)))
            .collect(),
        reset,
        notice,
        error,
    })
}

pub async fn technician(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    RequireAdmin(user): RequireAdmin,
    Path(id): Path<String>,
    Query(q): Query<NoticeQuery>,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    let id: TechnicianId = parse_id(&id)?;
    let mut taken = flash::take::<ResetShown>(&state, &user, &technician_path(id), &headers);
    let page = technician_page_with(
        &state,
        &user,
        &user.principal(ip),
        id,
        q.notice.as_deref().and_then(notice_text),
        None,
        taken.value.take(),
    )
    .await?;
    Ok(taken.respond(page))
}

/// The address of a technician's page (where a reset's flash is shown).
pub(super) fn technician_path(id: TechnicianId) -> String {
    format!("/settings/technicians/{id}")
}
