//! The Pod's verification actions: start a verification, check the code the caller reads
//! out, its live status (JSON), and "who I am". A refused action shows the Pod again with the
//! reason (422) and nothing changes.

use super::pages::{PodExtras, PodFlash, framed, pod_path, render_pod};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::{Problem, RerenderOnUserError, WebError, one_line};
use crate::flash;
use crate::middleware::client_ip::ClientIp;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Form, Json};
use countersign_app::FieldMessage;
use countersign_app::verification::{CodeOutcome, Method, StartRequest};
use countersign_domain::{ContactId, VerificationId};
use countersign_store::VerificationStatus;
use serde::{Deserialize, Serialize};
use std::net::IpAddr;

fn contact_id(s: &str) -> Result<ContactId, WebError> {
    s.parse().map_err(|_| WebError::NotFound)
}

/// What showing a refused action's Pod again needs: the request's state, technician and
/// address, and whether it came from inside a frame.
struct Again<'a> {
    state: &'a AppState,
    user: &'a CurrentUser,
    ip: IpAddr,
    framed: bool,
}

impl Again<'_> {
    /// The Pod of `id` again, on `action`'s panel, with `messages` (422).
    async fn pod(
        &self,
        id: ContactId,
        action: &str,
        verification: Option<VerificationId>,
        messages: &[FieldMessage],
    ) -> Result<Response, WebError> {
        render_pod(
            self.state,
            self.user,
            self.ip,
            id,
            PodExtras {
                action: action.into(),
                error: Some(one_line(messages)),
                verification,
                status: Some(StatusCode::UNPROCESSABLE_ENTITY),
                framed: self.framed,
                ..PodExtras::default()
            },
        )
        .await
    }
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
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<StartForm>,
) -> Result<Response, WebError> {
    let pod_contact = contact_id(&id)?;
    let (state, user) = (&state, &user);
    let again = &Again {
        state,
        user,
        ip,
        framed: framed(user, &headers),
    };
    let again =
        |m: Vec<FieldMessage>| async move { again.pod(pod_contact, "verify", None, &m).await };
    let method = Method::parse(&form.method)
        .ok_or_else(|| {
            WebError::Invalid(vec![FieldMessage {
                field: Some("method"),
                message: "Choose how to verify: SMS code, or an approve link by SMS or email."
                    .into(),
            }])
        })
        .or_rerender(again)
        .await?;
    let contact = if form.target.is_empty() {
        pod_contact
    } else {
        contact_id(&form.target)?
    };
    let req = StartRequest {
        contact,
        pod_contact,
        method,
        typed_destination: Some(form.destination),
        note: form.note,
    };
    let started = state
        .app
        .start_verification(&user.principal(ip), req)
        .await
        .or_rerender(again)
        .await?;
    Ok(Redirect::to(&format!(
        "/pod/contacts/{pod_contact}?action=verify&verification={}",
        started.id
    ))
    .into_response())
}

#[derive(Debug, Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    code: String,
}

/// What the Pod says about a code that did not verify.
fn outcome_text(outcome: CodeOutcome) -> Option<String> {
    Some(match outcome {
        CodeOutcome::Verified => return None,
        CodeOutcome::Wrong { left } => format!(
            "Wrong code. {left} attempt{} left.",
            if left == 1 { "" } else { "s" }
        ),
        CodeOutcome::Dead => "Wrong code five times: this code no longer works. Do not trust the caller yet; send a new code or verify them another way.".into(),
        CodeOutcome::Unusable(VerificationStatus::Expired) => {
            "This code expired. Send a new one.".into()
        }
        CodeOutcome::Unusable(s) => format!(
            "This verification is already {}: a code works once. Send a new one if you need to.",
            s.as_str()
        ),
    })
}

/// POST /pod/contacts/{id}/verifications/{vid}/code
pub async fn check(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    user: CurrentUser,
    headers: HeaderMap,
    Path((id, vid)): Path<(String, String)>,
    Form(form): Form<CodeForm>,
) -> Result<Response, WebError> {
    let pod_contact = contact_id(&id)?;
    let vid: VerificationId = vid.parse().map_err(|_| WebError::NotFound)?;
    let (state, user) = (&state, &user);
    let again = &Again {
        state,
        user,
        ip,
        framed: framed(user, &headers),
    };
    let outcome = state
        .app
        .check_code(&user.principal(ip), vid, &form.code)
        .await
        .or_rerender(|m| async move { again.pod(pod_contact, "verify", Some(vid), &m).await })
        .await?;
    match outcome_text(outcome) {
        None => Ok(Redirect::to(&format!(
            "/pod/contacts/{pod_contact}?action=verify&verification={vid}"
        ))
        .into_response()),
        // The attempt was counted: a redirect, so a refresh does not count another.
        Some(text) => Ok(flash::attach(
            state,
            user,
            &pod_path(pod_contact),
            &PodFlash::CodeRefused(text),
            Redirect::to(&format!(
                "/pod/contacts/{pod_contact}?action=verify&verification={vid}"
            )),
        )),
    }
}

#[derive(Serialize)]
pub struct StatusBody {
    status: &'static str,
}

/// GET /pod/verifications/{vid}/status: polled by the Pod while a verification is pending.
pub async fn status(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    user: CurrentUser,
    Path(vid): Path<String>,
) -> Result<Json<StatusBody>, Problem> {
    let vid: VerificationId = vid.parse().map_err(|_| WebError::NotFound)?;
    let status = state
        .app
        .verification_status(&user.principal(ip), vid)
        .await?;
    Ok(Json(StatusBody {
        status: status.as_str(),
    }))
}

/// POST /pod/contacts/{id}/who-i-am
pub async fn who_i_am(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    user: CurrentUser,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let contact = contact_id(&id)?;
    let (state, user) = (&state, &user);
    let again = &Again {
        state,
        user,
        ip,
        framed: framed(user, &headers),
    };
    let sent = state
        .app
        .send_who_i_am(&user.principal(ip), contact)
        .await
        .or_rerender(|m| async move { again.pod(contact, "technician", None, &m).await })
        .await?;
    // PRG: a refresh must not send another code. The code goes to the Pod sealed in the
    // session's flash and is shown there once, never in the URL.
    let shown = PodFlash::WhoIAm {
        code: sent.code,
        destination: sent.destination_masked,
    };
    let page = pod_path(contact);
    Ok(flash::attach(
        state,
        user,
        &page,
        &shown,
        Redirect::to(&page),
    ))
}
