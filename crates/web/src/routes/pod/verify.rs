//! The Pod's verification actions: start a verification, check the code the caller reads
//! out, its live status (JSON), and "who I am".

use super::pages::{PodExtras, render_pod};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::WebError;
use crate::middleware::client_ip::ClientIp;
use crate::routes::sentence;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Form, Json};
use countersign_app::verification::{CodeOutcome, Method, StartRequest, VerificationError};
use countersign_domain::{ContactId, VerificationId};
use countersign_store::{ChallengeStore, StoreError, VerificationStatus};
use serde::{Deserialize, Serialize};

fn contact_id(s: &str) -> Result<ContactId, WebError> {
    s.parse().map_err(|_| WebError::NotFound)
}

/// A user error shown on the Pod (422, nothing changed); anything else is an error page.
async fn pod_error(
    state: &AppState,
    user: &CurrentUser,
    id: ContactId,
    action: &str,
    verification: Option<VerificationId>,
    e: VerificationError,
) -> Result<Response, WebError> {
    let text = match e {
        VerificationError::NotFound => return Err(WebError::NotFound),
        VerificationError::Store(e) => return Err(e.into()),
        VerificationError::Message(countersign_app::messages::MessageError::Store(e)) => {
            return Err(e.into());
        }
        e => sentence(&e.to_string()),
    };
    render_pod(
        state,
        user,
        id,
        PodExtras {
            action: action.into(),
            error: Some(text),
            verification,
            status: Some(StatusCode::UNPROCESSABLE_ENTITY),
            ..PodExtras::default()
        },
    )
    .await
}

#[derive(Debug, Deserialize)]
pub struct StartForm {
    #[serde(default)]
    method: String,
    /// The contact to verify ('' or this Pod's contact: this one).
    #[serde(default)]
    target: String,
    #[serde(default)]
    destination: String,
    #[serde(default)]
    note: String,
}

/// POST /pod/contacts/{id}/verify
pub async fn start(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(form): Form<StartForm>,
) -> Result<Response, WebError> {
    let pod_contact = contact_id(&id)?;
    let Some(method) = Method::parse(&form.method) else {
        let e = VerificationError::Invalid(
            "choose how to verify: SMS code, or an approve link by SMS or email".into(),
        );
        return pod_error(&state, &user, pod_contact, "verify", None, e).await;
    };
    let contact = if form.target.is_empty() {
        pod_contact
    } else {
        contact_id(&form.target)?
    };
    let req = StartRequest {
        org: user.org.id,
        contact,
        pod_contact,
        method,
        typed_destination: Some(form.destination),
        note: form.note,
    };
    match state
        .app
        .start_verification(&user.actor(ip), &user.technician, req)
        .await
    {
        Ok(started) => Ok(Redirect::to(&format!(
            "/pod/contacts/{pod_contact}?action=verify&verification={}",
            started.id
        ))
        .into_response()),
        Err(e) => pod_error(&state, &user, pod_contact, "verify", None, e).await,
    }
}

#[derive(Debug, Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    code: String,
}

/// POST /pod/contacts/{id}/verifications/{vid}/code
pub async fn check(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    user: CurrentUser,
    Path((id, vid)): Path<(String, String)>,
    Form(form): Form<CodeForm>,
) -> Result<Response, WebError> {
    let pod_contact = contact_id(&id)?;
    let vid: VerificationId = vid.parse().map_err(|_| WebError::NotFound)?;
    let outcome = state
        .app
        .check_code(&user.actor(ip), user.org.id, vid, &form.code)
        .await;
    let text = match outcome {
        Ok(CodeOutcome::Verified) => {
            return Ok(Redirect::to(&format!(
                "/pod/contacts/{pod_contact}?action=verify&verification={vid}"
            ))
            .into_response());
        }
        Ok(CodeOutcome::Wrong { left }) => format!(
            "Wrong code. {left} attempt{} left.",
            if left == 1 { "" } else { "s" }
        ),
        Ok(CodeOutcome::Dead) => {
            "Wrong code five times: this code no longer works. Do not trust the caller yet; send a new code or verify them another way.".into()
        }
        Ok(CodeOutcome::Unusable(VerificationStatus::Expired)) => {
            "This code expired. Send a new one.".into()
        }
        Ok(CodeOutcome::Unusable(s)) => {
            format!("This verification is already {}: a code works once. Send a new one if you need to.", s.as_str())
        }
        Err(e) => return pod_error(&state, &user, pod_contact, "verify", Some(vid), e).await,
    };
    pod_error(
        &state,
        &user,
        pod_contact,
        "verify",
        Some(vid),
        VerificationError::Invalid(text),
    )
    .await
}

#[derive(Serialize)]
pub struct StatusBody {
    status: &'static str,
}

/// GET /pod/verifications/{vid}/status: polled by the Pod while a verification is pending.
pub async fn status(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(vid): Path<String>,
) -> Result<Json<StatusBody>, WebError> {
    let vid: VerificationId = vid.parse().map_err(|_| WebError::NotFound)?;
    let c = match state.app.store.challenge(user.org.id, vid).await {
        Ok(c) => c,
        Err(StoreError::NotFound) => return Err(WebError::NotFound),
        Err(e) => return Err(e.into()),
    };
    Ok(Json(StatusBody {
        status: c.status_at(state.app.now()).as_str(),
    }))
}

/// POST /pod/contacts/{id}/who-i-am
pub async fn who_i_am(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let contact = contact_id(&id)?;
    match state
        .app
        .send_who_i_am(&user.actor(ip), &user.technician, user.org.id, contact)
        .await
    {
        Ok(sent) => {
            render_pod(
                &state,
                &user,
                contact,
                PodExtras {
                    action: "technician".into(),
                    who: Some((sent.code, sent.destination_masked)),
                    ..PodExtras::default()
                },
            )
            .await
        }
        Err(e) => pod_error(&state, &user, contact, "technician", None, e).await,
    }
}
