//! POST actions of the settings area. Each redirects with a notice, or re-renders its page with
//! the reason (422) and changes nothing.

use super::pages::{InviteFormState, OrgPage, parse_id, technician_page, technicians_page};
use crate::AppState;
use crate::auth::{RecentAdmin, RequireAdmin};
use crate::error::WebError;
use crate::middleware::client_ip::ClientIp;
use crate::page::{PageContext, Section, render};
use crate::routes::sentence;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
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
    match state
        .app
        .update_org_settings(&user.technician, &form.name, require, Some(ip.to_string()))
        .await
    {
        Ok(_) => Ok(Redirect::to("/settings?notice=saved").into_response()),
        Err(e) if e.is_user_error() => {
            let page = OrgPage {
                ctx: PageContext::new(&user, Section::Settings),
                tab: "org",
                name: form.name,
                require_2fa: require,
                notice: None,
                error: Some(sentence(&e.to_string())),
            };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
        Err(e) => Err(e.into()),
    }
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
    let invalid = |message: String| InviteFormState {
        email: form.email.clone(),
        role: form.role.clone(),
        error: Some(message),
        ..InviteFormState::default()
    };
    let email = match Email::parse(&form.email) {
        Ok(e) => e,
        Err(e) => {
            let page =
                technicians_page(&state, &user, invalid(sentence(&e.to_string())), None).await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    let Ok(role) = form.role.parse::<Role>() else {
        let page = technicians_page(
            &state,
            &user,
            invalid("Pick a role: technician or admin.".into()),
            None,
        )
        .await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    match state
        .app
        .invite_technician(&user.technician, &email, role, Some(ip.to_string()))
        .await
    {
        // Rendered directly (not redirected): the link exists in clear only in this response.
        Ok(created) => {
            let form = InviteFormState {
                created_link: Some(created.link),
                created_emailed: created.emailed,
                ..InviteFormState::default()
            };
            Ok(technicians_page(&state, &user, form, None)
                .await?
                .into_response())
        }
        Err(e) if e.is_user_error() => {
            let page =
                technicians_page(&state, &user, invalid(sentence(&e.to_string())), None).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn revoke_invite(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    RequireAdmin(user): RequireAdmin,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let id: InviteId = parse_id(&id)?;
    state
        .app
        .revoke_invite(&user.technician, id, Some(ip.to_string()))
        .await?;
    Ok(Redirect::to("/settings/technicians?notice=invite_revoked").into_response())
}

#[derive(Debug, Deserialize)]
pub struct RoleForm {
    #[serde(default)]
    role: String,
}

/// The outcome of an action on one technician: back to their page with a notice, or the page
/// again with the reason.
async fn after(
    state: &AppState,
    user: &crate::auth::CurrentUser,
    id: TechnicianId,
    result: Result<(), countersign_app::accounts::AccountError>,
    notice: &str,
) -> Result<Response, WebError> {
    match result {
        Ok(()) => Ok(
            Redirect::to(&format!("/settings/technicians/{id}?notice={notice}")).into_response(),
        ),
        Err(e) if e.is_user_error() => {
            let page =
                technician_page(state, user, id, None, Some(sentence(&e.to_string()))).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn change_role(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    RecentAdmin(user): RecentAdmin,
    Path(id): Path<String>,
    Form(form): Form<RoleForm>,
) -> Result<Response, WebError> {
    let id: TechnicianId = parse_id(&id)?;
    let Ok(role) = form.role.parse::<Role>() else {
        let page = technician_page(
            &state,
            &user,
            id,
            None,
            Some("Pick a role: technician or admin.".into()),
        )
        .await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    let result = state
        .app
        .change_role(&user.technician, id, role, Some(ip.to_string()))
        .await
        .map(|_| ());
    after(&state, &user, id, result, "role_changed").await
}

pub async fn deactivate(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    RecentAdmin(user): RecentAdmin,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let id: TechnicianId = parse_id(&id)?;
    let result = state
        .app
        .set_technician_active(&user.technician, id, false, Some(ip.to_string()))
        .await
        .map(|_| ());
    after(&state, &user, id, result, "deactivated").await
}

pub async fn reactivate(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    RecentAdmin(user): RecentAdmin,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let id: TechnicianId = parse_id(&id)?;
    let result = state
        .app
        .set_technician_active(&user.technician, id, true, Some(ip.to_string()))
        .await
        .map(|_| ());
    after(&state, &user, id, result, "reactivated").await
}

pub async fn sign_out(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    RequireAdmin(user): RequireAdmin,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let id: TechnicianId = parse_id(&id)?;
    let result = state
        .app
        .end_sessions_of(&user.technician, id, Some(ip.to_string()))
        .await
        .map(|_| ());
    after(&state, &user, id, result, "sessions_ended").await
}

/// "Unlock sign-in": clears the technician's login counters (issue 18.3).
pub async fn unlock_sign_in(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    RequireAdmin(user): RequireAdmin,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let id: TechnicianId = parse_id(&id)?;
    let result = state
        .app
        .unlock_sign_in(&user.technician, id, Some(ip.to_string()))
        .await
        .map(|_| ());
    after(&state, &user, id, result, "sign_in_unlocked").await
}
