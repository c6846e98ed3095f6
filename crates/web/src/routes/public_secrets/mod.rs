//! The recipient pages of Secure Data Send and Request: `/s/{token}` (a secret sent to them)
//! and `/r/{token}` (data asked of them). GET and HEAD only show an interstitial and claim
//! nothing (security.md §2.2); a view is claimed by a POST that carries a per-render nonce
//! and is made by `static/secrets.js`, which decrypts in the browser. The key is only in the
//! fragment, which the browser never sends; the script strips it from the address bar.

mod nonce;
mod request;
mod send;

use super::post_only::post_only;
use crate::AppState;
use axum::Json;
use axum::Router;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/s/{token}", get(send::show))
        .route("/s/{token}/reveal", post_only("/s/{token}", send::reveal))
        .route("/s/{token}/code", post_only("/s/{token}", send::send_code))
        .route(
            "/s/{token}/verify",
            post_only("/s/{token}", send::check_code),
        )
        .route("/r/{token}", get(request::show).post(request::submit))
}

/// No Referer to anyone, nothing cached (the token is in the path, the page shows a secret).
pub(crate) fn private(mut res: Response) -> Response {
    let h = res.headers_mut();
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

/// A JSON answer for the page's script, never cached.
pub(crate) fn json_ok(value: serde_json::Value) -> Response {
    private(Json(value).into_response())
}

/// Which texts a recipient page shows for a link that can no longer be used: the prefix of
/// its `-title` and `-text` messages (end-user.ftl).
pub(crate) fn ended_text(state: countersign_store::SecretState) -> &'static str {
    use countersign_store::SecretState;
    match state {
        SecretState::Expired => "secret-expired",
        SecretState::Burned => "secret-burned",
        _ => "secret-used",
    }
}
