//! POST /invite/{token}: validate the form, then accept atomically.

use super::pages::{accept_page, no_referrer, unusable};
use crate::AppState;
use crate::error::{RerenderOnUserError, WebError, one_line};
use crate::middleware::client_ip::ClientIp;
use crate::middleware::csrf::FormToken;
use crate::page::render;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use countersign_app::accounts::AccountError;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub struct AcceptForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    confirm: String,
}

pub async fn accept(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    form_token: FormToken,
    Path(token): Path<String>,
    Form(form): Form<AcceptForm>,
) -> Result<Response, WebError> {
    let result = state
        .app
        .accept_invite(
            &token,
            &form.name,
            &form.password,
            &form.confirm,
            Some(ip.to_string()),
        )
        .await;
    if matches!(result, Err(AccountError::InviteUnusable)) {
        return unusable();
    }
    result
        .or_rerender(async |m| {
            let details = match state.app.invite_by_token(&token).await {
                Ok(d) => d,
                Err(AccountError::InviteUnusable) => return unusable(),
                Err(e) => return Err(e.into()),
            };
            let page = accept_page(
                &form_token,
                token.clone(),
                details,
                form.name.clone(),
                Some(one_line(&m)),
            );
            Ok(no_referrer(form_token.respond(render(&page)?)))
        })
        .await?;
    Ok(Redirect::to("/login?notice=welcome").into_response())
}
