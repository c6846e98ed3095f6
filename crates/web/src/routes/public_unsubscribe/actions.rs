//! POST /unsubscribe/{token}: opts the address out of the org's email broadcasts.
//!
//! Two callers: the button of our page (its form says `from=page`), answered with a redirect
//! to the GET result page (POST/redirect/GET); and a mail provider's one-click button
//! (RFC 8058 §3.2: `List-Unsubscribe=One-Click`, no cookie, no form token), answered with the
//! result page itself and 200: nobody looks at it, and a redirect would only cost the provider
//! another request.

use super::pages::{invalid, page};
use crate::AppState;
use crate::accept_language::AcceptLanguage;
use crate::error::WebError;
use crate::middleware::client_ip::ClientIp;
use crate::page::render;
use crate::routes::public_verify::private;
use axum::Form;
use axum::extract::rejection::FormRejection;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use countersign_app::broadcasts::unsubscribe::{UnsubscribeError, UnsubscribeOutcome};
use serde::Deserialize;

#[derive(Debug, Default, Deserialize)]
pub struct UnsubscribeForm {
    /// `page` from our own button; absent from a mail provider's one-click POST.
    #[serde(default)]
    from: String,
}

pub async fn unsubscribe(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    accept: AcceptLanguage,
    Path(token): Path<String>,
    // Any body: a provider may send the one-click pair as multipart/form-data rather than a
    // form, and the link, not the body, says what to do.
    form: Result<Form<UnsubscribeForm>, FormRejection>,
) -> Result<Response, WebError> {
    let from_page = form.is_ok_and(|Form(f)| f.from == "page");
    let outcome = match state.app.unsubscribe(&token, &ip.to_string()).await {
        Err(UnsubscribeError::InvalidLink) => return invalid(&accept),
        other => other?,
    };
    let fresh = matches!(outcome, UnsubscribeOutcome::Unsubscribed(_));
    if from_page {
        let done = if fresh { "unsubscribed" } else { "already" };
        return Ok(private(
            Redirect::to(&format!("/unsubscribe/{token}?done={done}")).into_response(),
        ));
    }
    let page = page(&state, &accept, token, outcome.view(), fresh).await?;
    Ok(private(render(&page)?.into_response()))
}
