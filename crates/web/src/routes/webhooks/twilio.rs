//! POST /webhooks/twilio/status (status callbacks) and /webhooks/twilio/inbound (incoming
//! SMS: STOP / START / HELP). Verified with `X-Twilio-Signature` over the public URL.

use crate::AppState;
use axum::body::Bytes;
use axum::extract::{OriginalUri, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use countersign_app::messages::ProviderCallbackError;

/// Twilio's signature header.
const SIGNATURE: &str = "x-twilio-signature";
/// Empty TwiML: no automatic reply from us (Twilio answers STOP / HELP itself).
const EMPTY_TWIML: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response></Response>";

/// The form parameters, the signature and the path as Twilio signed them.
fn parts(
    uri: &axum::http::Uri,
    headers: &HeaderMap,
    body: &Bytes,
) -> (String, Vec<(String, String)>, Option<String>) {
    let path = uri
        .path_and_query()
        .map_or_else(|| uri.path().to_owned(), |p| p.as_str().to_owned());
    let params = form_urlencoded::parse(body).into_owned().collect();
    let signature = headers
        .get(SIGNATURE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    (path, params, signature)
}

fn refuse(e: &ProviderCallbackError) -> Response {
    let status = match e {
        ProviderCallbackError::NotConfigured => StatusCode::NOT_FOUND,
        ProviderCallbackError::BadSignature => StatusCode::FORBIDDEN,
        ProviderCallbackError::BadRequest(_) => StatusCode::BAD_REQUEST,
        ProviderCallbackError::Store(err) => {
            tracing::error!(error = %err, "twilio webhook failed");
            // Twilio retries on 5xx, so nothing is lost.
            StatusCode::INTERNAL_SERVER_ERROR
        }
    };
    if status == StatusCode::FORBIDDEN {
        tracing::warn!("twilio webhook with an invalid signature refused");
    }
    (status, e.to_string()).into_response()
}

pub async fn status(
    State(state): State<AppState>,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (path, params, signature) = parts(&uri, &headers, &body);
    if let Err(e) = state
        .app
        .verify_twilio_webhook(&path, &params, signature.as_deref())
    {
        return refuse(&e);
    }
    match state.app.twilio_status_callback_at(&path, &params).await {
        Ok(_) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => refuse(&e),
    }
}

pub async fn inbound(
    State(state): State<AppState>,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (path, params, signature) = parts(&uri, &headers, &body);
    if let Err(e) = state
        .app
        .verify_twilio_webhook(&path, &params, signature.as_deref())
    {
        return refuse(&e);
    }
    match state.app.twilio_inbound(&params).await {
        Ok(_) => ([(header::CONTENT_TYPE, "text/xml")], EMPTY_TWIML).into_response(),
        Err(e) => refuse(&e),
    }
}
