//! Where Microsoft sends the technician back (GET, top-level navigation from Microsoft's
//! site: no form token possible; the single-use `state` bound to this session is the check).
//! The consent callback is reached twice per consent: after the admin consent (then it sends
//! the browser on to Microsoft's sign-in to that tenant) and after that sign-in (`?code=…`,
//! then the tenant is linked if the sign-in's id_token proves it).

use super::pages::{index_page, show_page};
use super::parse_id;
use crate::AppState;
use crate::auth::RequireAdmin;
use crate::error::WebError;
use crate::middleware::client_ip::ClientIp;
use crate::routes::sentence;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use countersign_app::microsoft::ConsentStep;
use countersign_domain::IntegrationId;
use std::collections::HashMap;

pub async fn consent(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    RequireAdmin(user): RequireAdmin,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, WebError> {
    match state
        .app
        .finish_consent(&user.technician, user.session.id, &q, Some(ip.to_string()))
        .await
    {
        // Step 1 (admin consent) continues with the sign-in that proves the tenant.
        Ok(ConsentStep::SignIn(url)) => Ok(Redirect::to(&url).into_response()),
        Ok(ConsentStep::Linked(id, _)) => Ok(Redirect::to(&format!(
            "/integrations/psa/{id}?notice=tenant_linked"
        ))
        .into_response()),
        Err(e) if e.is_user_error() => {
            let page = index_page(
                &state,
                &user,
                String::new(),
                Some(sentence(&e.to_string())),
                None,
            )
            .await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn gdap(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    RequireAdmin(user): RequireAdmin,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, WebError> {
    let id: IntegrationId = parse_id(&id)?;
    match state
        .app
        .finish_gdap(
            &user.technician,
            user.session.id,
            id,
            &q,
            Some(ip.to_string()),
        )
        .await
    {
        Ok(_) => Ok(
            Redirect::to(&format!("/integrations/psa/{id}?notice=gdap_connected")).into_response(),
        ),
        Err(e) if e.is_user_error() => {
            let page = show_page(
                &state,
                &user,
                id,
                None,
                Some(sentence(&e.to_string())),
                Vec::new(),
            )
            .await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}
