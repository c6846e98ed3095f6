//! Where Microsoft sends the technician back (GET, top-level navigation from Microsoft's
//! site: no form token possible; the single-use `state` bound to this session is the check).
//! The consent callback is reached twice per consent: after the admin consent (then it sends
//! the browser on to Microsoft's sign-in to that tenant) and after that sign-in (`?code=…`,
//! then the tenant is linked if the sign-in's id_token proves it).

use super::pages::{index_page, page_again};
use super::parse_id;
use crate::AppState;
use crate::auth::RequireAdmin;
use crate::error::{RerenderOnUserError, WebError, one_line};
use crate::middleware::client_ip::ClientIp;
use axum::extract::{Path, Query, State};
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
    let (state, user) = (&state, &user);
    let step = state
        .app
        .finish_consent(&user.principal(ip), user.session.id, &q)
        .await
        .or_rerender(|m| async move {
            let error = Some(one_line(&m));
            let page = index_page(state, user, ip, String::new(), error, None).await?;
            Ok(page.into_response())
        })
        .await?;
    Ok(match step {
        // Step 1 (admin consent) continues with the sign-in that proves the tenant.
        ConsentStep::SignIn(url) => Redirect::to(&url).into_response(),
        ConsentStep::Linked(id, _) => {
            Redirect::to(&format!("/integrations/psa/{id}?notice=tenant_linked")).into_response()
        }
    })
}

pub async fn gdap(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    RequireAdmin(user): RequireAdmin,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, WebError> {
    let id: IntegrationId = parse_id(&id)?;
    state
        .app
        .finish_gdap(&user.principal(ip), user.session.id, id, &q)
        .await
        .or_rerender(|m| page_again(&state, &user, ip, id, m))
        .await?;
    Ok(Redirect::to(&format!("/integrations/psa/{id}?notice=gdap_connected")).into_response())
}
