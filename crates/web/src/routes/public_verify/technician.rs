//! `/t/{slug}/verify-technician` and `/t/{slug}/check/{token}`: an end user checks that the
//! technician who contacted them works for the MSP. The request page answers the same
//! whether or not the email matched a contact (no enumeration, security.md §2.5).

use super::private;
use crate::AppState;
use crate::error::WebError;
use crate::middleware::client_ip::ClientIp;
use crate::middleware::csrf::FormToken;
use crate::page::render;
use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use countersign_app::verification::{CheckView, TechnicianCheckError, VerificationError};
use countersign_domain::TechnicianId;
use countersign_store::{Org, OrgStore, TechnicianCheckStatus};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "public_verify/request.html")]
struct RequestPage {
    csrf: String,
    slug: String,
    msp: String,
    sent: bool,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "public_verify/check.html")]
struct CheckPage {
    csrf: String,
    action: String,
    msp: String,
    state: &'static str,
    technicians: Vec<(String, String)>,
    chosen: String,
    code: String,
    error: Option<String>,
}

async fn org_of(state: &AppState, slug: &str) -> Result<Org, WebError> {
    state
        .app
        .store
        .org_by_slug(slug)
        .await?
        .ok_or(WebError::NotFound)
}

fn internal(e: TechnicianCheckError) -> WebError {
    match e {
        TechnicianCheckError::Verification(VerificationError::NotFound) => WebError::NotFound,
        TechnicianCheckError::Verification(VerificationError::Store(e)) => e.into(),
        e => WebError::Internal(anyhow::anyhow!(e)),
    }
}

async fn msp_name(state: &AppState, org: &Org) -> Result<String, WebError> {
    Ok(countersign_app::messages::brand_of(&state.app, org.id)
        .await?
        .name)
}

/// GET /t/{slug}/verify-technician
pub async fn form(
    State(state): State<AppState>,
    form: FormToken,
    Path(slug): Path<String>,
) -> Result<Response, WebError> {
    let org = org_of(&state, &slug).await?;
    let page = RequestPage {
        csrf: form.token.clone(),
        msp: msp_name(&state, &org).await?,
        slug,
        sent: false,
        error: None,
    };
    Ok(private(form.respond(render(&page)?)))
}

#[derive(Debug, Deserialize)]
pub struct RequestForm {
    #[serde(default)]
    email: String,
}

/// POST /t/{slug}/verify-technician
pub async fn request(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    form_token: FormToken,
    Path(slug): Path<String>,
    Form(f): Form<RequestForm>,
) -> Result<Response, WebError> {
    let org = org_of(&state, &slug).await?;
    let msp = msp_name(&state, &org).await?;
    let page = |sent, error| RequestPage {
        csrf: form_token.token.clone(),
        slug: slug.clone(),
        msp: msp.clone(),
        sent,
        error,
    };
    if countersign_domain::Email::parse(f.email.trim()).is_err() {
        let p = page(
            false,
            Some("Enter your email address, e.g. amy@example.com.".into()),
        );
        return Ok(private(
            form_token.respond((StatusCode::UNPROCESSABLE_ENTITY, render(&p)?)),
        ));
    }
    match state
        .app
        .request_technician_check(&org, f.email.trim(), &ip.to_string())
        .await
    {
        Ok(()) => Ok(private(form_token.respond(render(&page(true, None))?))),
        Err(TechnicianCheckError::Throttled) => {
            let p = page(false, Some(TechnicianCheckError::Throttled.to_string()));
            Ok(private(
                form_token.respond((StatusCode::TOO_MANY_REQUESTS, render(&p)?)),
            ))
        }
        Err(e) => Err(internal(e)),
    }
}

fn check_page(
    form: &FormToken,
    slug: &str,
    token: &str,
    v: CheckView,
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
        msp: v.brand.name.clone(),
        state,
        technicians: v
            .technicians
            .iter()
            .map(|(id, name)| (id.to_string(), name.clone()))
            .collect(),
        chosen: v.chosen.unwrap_or_default(),
        code: v.code,
        error,
    }
}

async fn view_for(
    state: &AppState,
    slug: &str,
    token: &str,
) -> Result<Option<CheckView>, WebError> {
    match state.app.technician_check_view(token).await {
        Ok(v) if v.org.slug == slug => Ok(Some(v)),
        Ok(_) | Err(TechnicianCheckError::Unusable) => Ok(None),
        Err(e) => Err(internal(e)),
    }
}

/// GET /t/{slug}/check/{token}: choose the technician, then wait for their confirmation (the
/// page refreshes itself), then see their name and the code.
pub async fn show(
    State(state): State<AppState>,
    form: FormToken,
    Path((slug, token)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let Some(v) = view_for(&state, &slug, &token).await? else {
        return Err(WebError::NotFound);
    };
    let page = check_page(&form, &slug, &token, v, None);
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
    form_token: FormToken,
    Path((slug, token)): Path<(String, String)>,
    Form(f): Form<ChooseForm>,
) -> Result<Response, WebError> {
    if view_for(&state, &slug, &token).await?.is_none() {
        return Err(WebError::NotFound);
    }
    let error = match f.technician.parse::<TechnicianId>() {
        Err(_) => Some(TechnicianCheckError::UnknownTechnician.to_string()),
        Ok(t) => match state
            .app
            .choose_technician(&token, t, &ip.to_string())
            .await
        {
            Ok(()) => return Ok(Redirect::to(&format!("/t/{slug}/check/{token}")).into_response()),
            Err(e @ (TechnicianCheckError::UnknownTechnician | TechnicianCheckError::Unusable)) => {
                Some(e.to_string())
            }
            Err(e) => return Err(internal(e)),
        },
    };
    let Some(v) = view_for(&state, &slug, &token).await? else {
        return Err(WebError::NotFound);
    };
    let page = check_page(
        &form_token,
        &slug,
        &token,
        v,
        error.map(|e| crate::routes::sentence(&e)),
    );
    Ok(private(form_token.respond((
        StatusCode::UNPROCESSABLE_ENTITY,
        render(&page)?,
    ))))
}
