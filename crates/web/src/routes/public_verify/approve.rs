//! `/v/{token}`: the approve link with number matching.

use super::private;
use crate::AppState;
use crate::accept_language::AcceptLanguage;
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
use countersign_messaging::end_user::{Texts, choose_language};
use countersign_store::{LinkAnswer, VerificationStatus};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "public_verify/approve.html")]
struct ApprovePage {
    csrf: String,
    token: String,
    footer: String,
    choices: Vec<i64>,
    error: Option<String>,
    /// The texts in the contact's language, with the MSP, technician and expiry filled in.
    t: Texts,
}

#[derive(Template)]
#[template(path = "public_verify/approve_done.html")]
struct DonePage {
    lang: &'static str,
    msp: String,
    title: String,
    text: String,
    ok: bool,
}

fn done(
    status: StatusCode,
    msp: String,
    texts: &Texts,
    outcome: VerificationStatus,
    fresh: bool,
) -> Result<Response, WebError> {
    let (key, ok) = match (outcome, fresh) {
        (VerificationStatus::Verified, true) => ("approve-verified", true),
        (VerificationStatus::Denied, true) => ("approve-denied", false),
        (VerificationStatus::Failed, true) => ("approve-failed", false),
        (VerificationStatus::Expired, _) => ("approve-expired", false),
        (_, _) => ("approve-used", false),
    };
    Ok(private(
        (
            status,
            render(&DonePage {
                lang: texts.language().code(),
                msp,
                title: texts.t(&format!("{key}-title")),
                text: texts.t(&format!("{key}-text")),
                ok,
            })?,
        )
            .into_response(),
    ))
}

/// A link that does not exist: no org, so the browser's language and no overrides.
fn unusable(accept: &AcceptLanguage) -> Result<Response, WebError> {
    let language = choose_language(None, None, accept.as_deref());
    done(
        StatusCode::GONE,
        String::new(),
        &Texts::defaults(language),
        VerificationStatus::Expired,
        false,
    )
}

/// The link's texts: in the contact's language (else its customer's, else the browser's),
/// with the org's overrides, the expiry in the customer's time zone.
async fn texts_of(
    state: &AppState,
    v: &LinkView,
    accept: &AcceptLanguage,
) -> Result<Texts, WebError> {
    let org = v.challenge.verification.org_id;
    let contact = v.challenge.verification.contact_id;
    let locale = state
        .app
        .end_user_locale(org, Some(contact), accept.as_deref())
        .await?;
    Ok(locale
        .texts()
        .with("msp", v.brand.name.clone())
        .with("technician", v.technician.clone())
        .with("expires", locale.time(v.expires_at)))
}

fn page(form: &FormToken, token: String, v: &LinkView, t: Texts, error: bool) -> ApprovePage {
    ApprovePage {
        csrf: form.token.clone(),
        token,
        footer: v.brand.footer.clone(),
        choices: v.challenge.match_choices.clone(),
        error: error.then(|| t.t("approve-pick-error")),
        t,
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
    accept: AcceptLanguage,
    form: FormToken,
    Path(token): Path<String>,
    Query(q): Query<AnsweredQuery>,
) -> Result<Response, WebError> {
    let Some(view) = state.app.approve_link(&token).await? else {
        return unusable(&accept);
    };
    let t = texts_of(&state, &view, &accept).await?;
    if view.status != VerificationStatus::Pending {
        if q.answered.is_some() {
            return done(StatusCode::OK, view.brand.name, &t, view.status, true);
        }
        return done(StatusCode::GONE, view.brand.name, &t, view.status, false);
    }
    let html = render(&page(&form, token, &view, t, false))?;
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
    accept: AcceptLanguage,
    form_token: FormToken,
    Path(token): Path<String>,
    Form(form): Form<AnswerForm>,
) -> Result<Response, WebError> {
    let Some(view) = state.app.approve_link(&token).await? else {
        return unusable(&accept);
    };
    let t = texts_of(&state, &view, &accept).await?;
    let answer = match (form.answer.as_str(), form.number.trim().parse::<i64>()) {
        ("deny", _) => LinkAnswer::Deny,
        ("approve", Ok(n)) if view.challenge.match_choices.contains(&n) => LinkAnswer::Approve(n),
        _ => {
            let p = page(&form_token, token, &view, t, true);
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
        return done(StatusCode::CONFLICT, view.brand.name, &t, status, false);
    }
    // PRG: the outcome on the link's own page; a refresh there answers nothing again.
    let to = format!("/v/{}?answered=1", urlencoding::encode(&token));
    Ok(private(form_token.respond(Redirect::to(&to))))
}
