//! `/v/{token}`: the approve link with number matching.

use super::private;
use crate::AppState;
use crate::error::WebError;
use crate::middleware::client_ip::ClientIp;
use crate::middleware::csrf::FormToken;
use crate::page::render;
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use countersign_app::verification::LinkView;
use countersign_store::{LinkAnswer, VerificationStatus};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "public_verify/approve.html")]
struct ApprovePage {
    csrf: String,
    token: String,
    msp: String,
    footer: String,
    technician: String,
    expires: String,
    choices: Vec<i64>,
    error: Option<&'static str>,
}

#[derive(Template)]
#[template(path = "public_verify/approve_done.html")]
struct DonePage {
    msp: String,
    title: &'static str,
    text: &'static str,
    ok: bool,
}

fn done(
    status: StatusCode,
    msp: String,
    outcome: VerificationStatus,
    fresh: bool,
) -> Result<Response, WebError> {
    let (title, text, ok) = match (outcome, fresh) {
        (VerificationStatus::Verified, true) => (
            "Thank you: you are verified",
            "You can go back to your call. You may close this page.",
            true,
        ),
        (VerificationStatus::Denied, true) => (
            "Thank you for telling us",
            "Nothing was approved. The help desk has been alerted that someone may be using your name. If you are worried, call your IT provider on a number you already know.",
            false,
        ),
        (VerificationStatus::Failed, true) => (
            "The number did not match",
            "Nothing was approved. If you are on a call with the help desk, ask them to send a new link and pick the number they tell you.",
            false,
        ),
        (VerificationStatus::Expired, _) => (
            "This link has expired",
            "Nothing was approved. Ask the help desk for a new one if you need it.",
            false,
        ),
        (_, _) => (
            "This link was already used",
            "It works once, and it was answered already. Nothing more is needed from you.",
            false,
        ),
    };
    Ok(private(
        (
            status,
            render(&DonePage {
                msp,
                title,
                text,
                ok,
            })?,
        )
            .into_response(),
    ))
}

fn unusable() -> Result<Response, WebError> {
    done(
        StatusCode::GONE,
        String::new(),
        VerificationStatus::Expired,
        false,
    )
}

fn page(form: &FormToken, token: String, v: &LinkView, error: Option<&'static str>) -> ApprovePage {
    ApprovePage {
        csrf: form.token.clone(),
        token,
        msp: v.brand.name.clone(),
        footer: v.brand.footer.clone(),
        technician: v.technician.clone(),
        expires: v.expires_at.display(),
        choices: v.challenge.match_choices.clone(),
        error,
    }
}

/// `?answered=1`: the redirect after this browser's answer (PRG), so the page tells the
/// outcome rather than "already used". The outcome shown is always the link's real status.
#[derive(Debug, Default, Deserialize)]
pub struct AnsweredQuery {
    #[serde(default)]
    answered: Option<String>,
}

/// GET and HEAD /v/{token}: who asks and until when. Changes nothing.
pub async fn show(
    State(state): State<AppState>,
    form: FormToken,
    Path(token): Path<String>,
    Query(q): Query<AnsweredQuery>,
) -> Result<Response, WebError> {
    let Some(view) = state.app.approve_link(&token).await? else {
        return unusable();
    };
    if view.status != VerificationStatus::Pending {
        if q.answered.is_some() {
            return done(StatusCode::OK, view.brand.name, view.status, true);
        }
        return done(StatusCode::GONE, view.brand.name, view.status, false);
    }
    let html = render(&page(&form, token, &view, None))?;
    Ok(private(form.respond(html)))
}

#[derive(Debug, Deserialize)]
pub struct AnswerForm {
    #[serde(default)]
    answer: String,
    #[serde(default)]
    number: String,
}

/// POST /v/{token}: Approve with the picked number, or "This wasn't me".
pub async fn answer(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    form_token: FormToken,
    Path(token): Path<String>,
    Form(form): Form<AnswerForm>,
) -> Result<Response, WebError> {
    let Some(view) = state.app.approve_link(&token).await? else {
        return unusable();
    };
    let answer = match (form.answer.as_str(), form.number.trim().parse::<i64>()) {
        ("deny", _) => LinkAnswer::Deny,
        ("approve", Ok(n)) if view.challenge.match_choices.contains(&n) => LinkAnswer::Approve(n),
        _ => {
            let p = page(
                &form_token,
                token,
                &view,
                Some("Pick the number the help desk tells you, then press Approve."),
            );
            return Ok(private(
                form_token.respond((StatusCode::UNPROCESSABLE_ENTITY, render(&p)?)),
            ));
        }
    };
    let (status, fresh) = state
        .app
        .answer_approve_link(&token, answer, Some(ip.to_string()))
        .await?;
    if !fresh {
        // Answered before (another tab, a race): say so, as before.
        return done(StatusCode::CONFLICT, view.brand.name, status, false);
    }
    // PRG: the outcome on the link's own page; a refresh there answers nothing again.
    let to = format!("/v/{}?answered=1", urlencoding::encode(&token));
    Ok(private(form_token.respond(Redirect::to(&to))))
}
