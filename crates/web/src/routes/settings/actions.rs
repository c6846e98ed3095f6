//! POST actions of the settings area. Each redirects with a notice, or re-renders its page with
//! the reason (422) and changes nothing.

use super::pages::{
    CreatedInvite, InviteFormState, OrgPage, TECHNICIANS_PAGE, parse_id, technician_page,
    technicians_page,
};
use crate::AppState;
use crate::auth::{CurrentUser, RecentAdmin, RequireAdmin};
use crate::error::{RerenderOnUserError, WebError, one_line};
use crate::flash;
use crate::middleware::client_ip::ClientIp;
use crate::page::{PageContext, Section, render};
use crate::routes::sentence;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use countersign_app::{FieldMessage, Principal};
use countersign_domain::{Email, InviteId, Role, TechnicianId};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub struct OrgForm {
    #[serde(default)]
    name: String,
    /// Present (any value) when the box is ticked; browsers omit unticked boxes.
    require_2fa: Option<String>,
}

pub async fn update_org(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    RequireAdmin(user): RequireAdmin,
    Form(form): Form<OrgForm>,
) -> Result<Response, WebError> {
    let require = form.require_2fa.is_some();
    state
        .app
        .update_org_settings(&user.principal(ip), &form.name, require)
        .await
        .or_rerender(async |m| {
            let page = OrgPage {
                ctx: PageContext::new(&user, Section::Settings),
                tab: "org",
                name: form.name.clone(),
                require_2fa: require,
                notice: None,
                error: Some(one_line(&m)),
            };
            Ok(render(&page)?.into_response())
        })
        .await?;
    Ok(Redirect::to("/settings?notice=saved").into_response())
}

#[derive(Debug, Deserialize)]
pub struct InviteForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    role: String,
}

pub async fn invite(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    RecentAdmin(user): RecentAdmin,
    Form(form): Form<InviteForm>,
) -> Result<Response, WebError> {
    let by = user.principal(ip);
    let invalid = |message: String| InviteFormState {
        email: form.email.clone(),
        role: form.role.clone(),
        error: Some(message),
        ..InviteFormState::default()
    };
    let parsed = Email::parse(&form.email)
        .map_err(|e| sentence(&e.to_string()))
        .and_then(|email| {
            form.role
                .parse::<Role>()
                .map(|role| (email, role))
                .map_err(|_| "Pick a role: technician or admin.".to_owned())
        });
    let (email, role) = match parsed {
        Ok(p) => p,
        Err(message) => {
            let page = technicians_page(&state, &user, &by, invalid(message), None).await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    let created = state
        .app
        .invite_technician(&by, &email, role)
        .await
        .or_rerender(async |m| {
            let page = technicians_page(&state, &user, &by, invalid(one_line(&m)), None).await?;
            Ok(page.into_response())
        })
        .await?;
    // PRG: a refresh must not invite twice. The link goes to the page sealed in the
    // session's flash, shown there once, never in the URL.
    let shown = CreatedInvite {
        link: created.link,
        emailed: created.emailed,
    };
    Ok(flash::attach(
        &state,
        &user,
        TECHNICIANS_PAGE,
        &shown,
        Redirect::to(TECHNICIANS_PAGE),
    ))
}

pub async fn revoke_invite(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    RequireAdmin(user): RequireAdmin,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let id: InviteId = parse_id(&id)?;
    state.app.revoke_invite(&user.principal(ip), id).await?;
    Ok(Redirect::to("/settings/technicians?notice=invite_revoked").into_response())
}

#[derive(Debug, Deserialize)]
pub struct RoleForm {
    #[serde(default)]
    role: String,
}

/// The technician's page again, with the reason an action on it was refused.
async fn technician_again(
    state: &AppState,
    user: &CurrentUser,
    by: &Principal,
    id: TechnicianId,
    messages: Vec<FieldMessage>,
) -> Result<Response, WebError> {
    let page = technician_page(state, user, by, id, None, Some(one_line(&messages))).await?;
    Ok(page.into_response())
}

/// Back to the technician's page with a notice.
fn done(id: TechnicianId, notice: &str) -> Response {
    Redirect::to(&format!("/settings/technicians/{id}?notice={notice}")).into_response()
}

pub async fn change_role(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    RecentAdmin(user): RecentAdmin,
    Path(id): Path<String>,
    Form(form): Form<RoleForm>,
) -> Result<Response, WebError> {
    let id: TechnicianId = parse_id(&id)?;
    let by = user.principal(ip);
    let Ok(role) = form.role.parse::<Role>() else {
        let message = "Pick a role: technician or admin.".to_owned();
        let page = technician_page(&state, &user, &by, id, None, Some(message)).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    state
        .app
        .change_role(&by, id, role)
        .await
        .or_rerender(|m| technician_again(&state, &user, &by, id, m))
        .await?;
    Ok(done(id, "role_changed"))
}

pub async fn deactivate(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    RecentAdmin(user): RecentAdmin,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let id: TechnicianId = parse_id(&id)?;
    let by = user.principal(ip);
    state
        .app
        .set_technician_active(&by, id, false)
        .await
        .or_rerender(|m| technician_again(&state, &user, &by, id, m))
        .await?;
    Ok(done(id, "deactivated"))
}

pub async fn reactivate(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    RecentAdmin(user): RecentAdmin,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let id: TechnicianId = parse_id(&id)?;
    let by = user.principal(ip);
    state
        .app
        .set_technician_active(&by, id, true)
        .await
        .or_rerender(|m| technician_again(&state, &user, &by, id, m))
        .await?;
    Ok(done(id, "reactivated"))
}

pub async fn sign_out(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    RequireAdmin(user): RequireAdmin,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let id: TechnicianId = parse_id(&id)?;
    let by = user.principal(ip);
    state
        .app
        .end_sessions_of(&by, id)
        .await
        .or_rerender(|m| technician_again(&state, &user, &by, id, m))
        .await?;
    Ok(done(id, "sessions_ended"))
}

/// "Unlock sign-in": clears the technician's login counters (issue 18.3).
pub async fn unlock_sign_in(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    RequireAdmin(user): RequireAdmin,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let id: TechnicianId = parse_id(&id)?;
    let by = user.principal(ip);
    state
        .app
        .unlock_sign_in(&by, id)
        .await
        .or_rerender(|m| technician_again(&state, &user, &by, id, m))
        .await?;
    Ok(done(id, "sign_in_unlocked"))
}
