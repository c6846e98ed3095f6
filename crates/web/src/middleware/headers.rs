//! Security headers on every response (security.md §2.1, ASVS V3.4). A handler that needs a
//! different value (e.g. the Pod's frame-ancestors) sets the header itself and it is kept.

use crate::AppState;
use crate::auth::pod_session::connect_return_cookie_name;
use crate::auth::session::read_cookie;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

/// No inline script or style, nothing from other origins, no plugins, no framing.
pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

/// Whether this page must keep its link to the window that opened it: the Pod's
/// `/pod/connect` popup, and the login it may pass through, hand a code back to the Pod in a
/// PSA's frame through `window.opener`, which `Cross-Origin-Opener-Policy: same-origin` would
/// cut (the opener's top-level page is the PSA, another origin).
fn keeps_opener(req: &Request, settings: &countersign_app::Settings) -> bool {
    let path = req.uri().path();
    path == "/pod/connect"
        || (path.starts_with("/login")
            && read_cookie(req.headers(), connect_return_cookie_name(settings)).is_some())
}

pub async fn security_headers(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let opener_policy = if keeps_opener(&req, &state.app.settings) {
        "unsafe-none"
    } else {
        "same-origin"
    };
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    // A handler whose policy lets named origins frame it (the Pod) must not also get DENY.
    let handler_allows_framing = h
        .get(header::CONTENT_SECURITY_POLICY)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|p| p.contains("frame-ancestors") && !p.contains("frame-ancestors 'none'"));
    let mut set = |name: header::HeaderName, value: &'static str| {
        if !h.contains_key(&name) {
            h.insert(name, HeaderValue::from_static(value));
        }
    };
    set(header::CONTENT_SECURITY_POLICY, CSP);
    set(header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(header::REFERRER_POLICY, "same-origin");
    if !handler_allows_framing {
        set(header::X_FRAME_OPTIONS, "DENY");
    }
    set(
        header::HeaderName::from_static("cross-origin-opener-policy"),
        opener_policy,
    );
    // Pages show org data: never keep them in shared or back-forward caches.
    set(header::CACHE_CONTROL, "no-store");
    if state.app.settings.is_https() {
        set(
            header::STRICT_TRANSPORT_SECURITY,
            "max-age=31536000; includeSubDomains",
        );
    }
    res
}
