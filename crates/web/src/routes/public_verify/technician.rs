//! `/t/{slug}/verify-technician` and `/t/{slug}/check/{token}`: an end user checks that the
//! technician who contacted them works for the MSP. The request page answers the same
//! whether or not the email matched a contact (no enumeration, security.md §2.5).

use super::private;
use crate::AppState;
use crate::accept_language::AcceptLanguage;
use crate::error::{RerenderOnUserError, WebError, one_line};
use crate::middleware::client_ip::ClientIp;
use crate::middleware::csrf::FormToken;
use crate::page::render;
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use countersign_app::verification::{CheckView, TechnicianCheckError};
use countersign_domain::TechnicianId;
use countersign_messaging::end_user::Texts;
use countersign_store::TechnicianCheckStatus;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "public_verify/request.html")]
struct RequestPage {
    csrf: String,
    slug: String,
    /// What the user typed, kept when it is refused.
    email: String,
    sent: bool,
    error: Option<String>,
    /// The texts in the browser's language (no contact is known yet), with the org's
    /// overrides.
    t: Texts,
}

#[derive(Template)]
#[template(path = "public_verify/check.html")]
struct CheckPage {
    csrf: String,
    action: String,
    state: &'static str,
    technicians: Vec<(String, String)>,
    code: String,
    error: Option<String>,
    /// The texts in the contact's language, with the MSP and chosen technician filled in.
    t: Texts,
}

/// `?sent=1` after a request: the page says a link went out. It carries no address and reads
/// the same whether or not one matched, so a crafted link shows nothing new.
#[derive(Debug, Default, Deserialize)]
pub struct SentQuery {
    #[serde(default)]
    sent: Option<String>,
}

/// GET /t/{slug}/verify-technician
pub async fn form(
    State(state): State<AppState>,
    accept: AcceptLanguage,
    form: FormToken,
    Path(slug): Path<String>,
    Query(q): Query<SentQuery>,
) -> Result<Response, WebError> {
    let (org, brand) = state.app.technician_check_org(&slug).await?;
    let locale = state
        .app
        .end_user_locale(org.id, None, accept.as_deref())
        .await?;
    let page = RequestPage {
        csrf: form.token.clone(),
        slug,
        email: String::new(),
        sent: q.sent.is_some(),
        error: None,
        t: locale.texts().with("msp", brand.name),
    };
    Ok(private(form.respond(render(&page)?)))
}

#[derive(Debug, Deserialize)]
pub struct RequestForm {
    #[serde(default)]
    email: String,
}

/// POST /t/{slug}/verify-technician. A valid address ends in a 303 to the page with `?sent=1`
/// (PRG, issue 21.2): a refresh shows that page again and never sends another link. A
/// malformed address changed nothing, so the form is shown again with the typed text (422).
pub async fn request(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    accept: AcceptLanguage,
    form_token: FormToken,
    Path(slug): Path<String>,
    Form(f): Form<RequestForm>,
) -> Result<Response, WebError> {
    let (org, brand) = state.app.technician_check_org(&slug).await?;
    if countersign_domain::Email::parse(f.email.trim()).is_err() {
        let locale = state
            .app
            .end_user_locale(org.id, None, accept.as_deref())
            .await?;
        let t = locale.texts().with("msp", brand.name);
        let p = RequestPage {
            csrf: form_token.token.clone(),
            slug: slug.clone(),
            email: f.email.clone(),
            sent: false,
            error: Some(t.t("check-email-error")),
            t,
        };
        return Ok(private(
            form_token.respond((StatusCode::UNPROCESSABLE_ENTITY, render(&p)?)),
        ));
    }
    // Too many requests from this address: the error page says so (429, Retry-After).
    state
        .app
        .request_technician_check(&org, f.email.trim(), &ip.to_string())
        .await?;
    let to = format!("/t/{}/verify-technician?sent=1", urlencoding::encode(&slug));
    Ok(private(form_token.respond(Redirect::to(&to))))
}

fn check_page(
    form: &FormToken,
    slug: &str,
    token: &str,
    v: CheckView,
    texts: Texts,
    error: Option<String>,
) -> CheckPage {
    let state = if v.expired {
        "expired"
    } else {
        match v.check.status {
            TechnicianCheckStatus::Sent => "choose",
            TechnicianCheckStatus::Chosen => "waiting",
            TechnicianCheckStatus::Confirmed => "confirmed",
            TechnicianCheckStatus::Expired => "expired",
        }
    };
    CheckPage {
        csrf: form.token.clone(),
        action: format!("/t/{slug}/check/{token}"),
        state,
        technicians: v
            .technicians
            .iter()
            .map(|(id, name)| (id.to_string(), name.clone()))
            .collect(),
        t: texts
            .with("msp", v.brand.name.clone())
            .with("technician", v.chosen.clone().unwrap_or_default()),
        code: v.code,
        error,
    }
}

/// The check's texts: in the contact's language (else its customer's, else the browser's).
async fn texts_for(
    state: &AppState,
    v: &CheckView,
    accept: &AcceptLanguage,
) -> Result<Texts, WebError> {
    let locale = state
        .app
        .end_user_locale(v.org.id, Some(v.check.contact_id), accept.as_deref())
        .await?;
    Ok(locale.texts())
}

async fn view_for(
    state: &AppState,
    slug: &str,
    token: &str,
) -> Result<Option<CheckView>, WebError> {
    match state.app.technician_check_view(token).await {
        Ok(v) if v.org.slug == slug => Ok(Some(v)),
        Ok(_) | Err(TechnicianCheckError::Unusable) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// GET /t/{slug}/check/{token}: choose the technician, then wait for their confirmation (the
/// page refreshes itself), then see their name and the code.
pub async fn show(
    State(state): State<AppState>,
    accept: AcceptLanguage,
    form: FormToken,
    Path((slug, token)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let Some(v) = view_for(&state, &slug, &token).await? else {
        return Err(WebError::NotFound);
    };
    let t = texts_for(&state, &v, &accept).await?;
    let page = check_page(&form, &slug, &token, v, t, None);
    Ok(private(form.respond(render(&page)?)))
}

#[derive(Debug, Deserialize)]
pub struct ChooseForm {
    #[serde(default)]
    technician: String,
}

/// POST /t/{slug}/check/{token}
pub async fn choose(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    accept: AcceptLanguage,
    form_token: FormToken,
    Path((slug, token)): Path<(String, String)>,
    Form(f): Form<ChooseForm>,
) -> Result<Response, WebError> {
    if view_for(&state, &slug, &token).await?.is_none() {
        return Err(WebError::NotFound);
    }
    let (state, form_token, slug, token, accept) = (&state, &form_token, &slug, &token, &accept);
    let chosen = match f.technician.parse::<TechnicianId>() {
        Err(_) => Err(TechnicianCheckError::UnknownTechnician),
        Ok(t) => state.app.choose_technician(token, t, &ip.to_string()).await,
    };
    // The refusals a contact can meet, in their language; anything else as the app words it.
    let words = match &chosen {
        Err(TechnicianCheckError::UnknownTechnician) => Some("check-choose-error"),
        Err(TechnicianCheckError::Throttled) => Some("check-throttled"),
        _ => None,
    };
    chosen
        .or_rerender(|m| async move {
            let Some(v) = view_for(state, slug, token).await? else {
                return Err(WebError::NotFound);
            };
            let t = texts_for(state, &v, accept).await?;
            let error = words.map_or_else(|| one_line(&m), |id| t.t(id));
            let page = check_page(form_token, slug, token, v, t, Some(error));
            Ok(private(form_token.respond(render(&page)?)))
        })
        .await?;
    Ok(Redirect::to(&format!("/t/{slug}/check/{token}")).into_response())
}
