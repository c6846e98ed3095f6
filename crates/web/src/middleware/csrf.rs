//! CSRF protection for every state-changing request, in two independent layers
//! (security.md §2.8):
//!
//! 1. Fetch Metadata / Origin (Go 1.25's `CrossOriginProtection` algorithm): browsers tell us
//!    where a request comes from, and cross-site ones are refused.
//! 2. A synchronizer token in the form (`_csrf`) or the `x-csrf-token` header. With a session it
//!    is bound to the session; before login (login, invite acceptance) it is bound to a random
//!    pre-session cookie. Layer 1 lets non-browser clients without those headers through;
//!    this layer closes that gap.
//!
//! A refused request never reaches its handler, so it changes nothing.

use crate::AppState;
use crate::auth::session::{SessionCsrf, cookie_header, read_cookie};
use crate::error::WebError;
use axum::body::Body;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use countersign_app::Settings;
use countersign_crypto::{Keyring, ct_eq, hmac_sha256, purpose, random_token};
use std::convert::Infallible;

/// Largest form body we buffer to find the token; our forms are far smaller.
pub const FORM_LIMIT: usize = 64 * 1024;
/// The form field that carries the token.
pub const FIELD: &str = "_csrf";
/// The header that carries the token (for scripts).
pub const HEADER: &str = "x-csrf-token";

/// Paths exempt from both CSRF layers: provider webhooks, posted by servers (no browser, no
/// session, no token). They authenticate each request by signature instead
/// (`X-Twilio-Signature`, checked in `routes::webhooks`), and change nothing a browser user
/// could abuse. Exact matches only; add a path here only with its signature check.
pub const EXEMPT_PATHS: &[&str] = crate::routes::webhooks::PATHS;

/// Whether `path` is a broadcast's one-click unsubscribe link (`/unsubscribe/{token}`),
/// exempt from both layers too. A mail provider's unsubscribe button POSTs
/// `List-Unsubscribe=One-Click` to it from its own servers, with no cookie and no form token
/// (RFC 8058 §3.2 forbids sending any), so neither layer could ever pass. Nothing is lost: the
/// token's MAC is the authority (whoever holds the link may use it, from any site), and the
/// POST changes nothing but the one opt-out the link names, which it only ever adds.
pub fn unsubscribe_exempt(path: &str) -> bool {
    crate::routes::public_unsubscribe::is_unsubscribe_path(path)
}

/// Paths whose POST carries a one-time code instead of a form token: `/pod/session`, where
/// the Pod in a PSA's frame trades a handoff code for its session (there is no session or
/// form to bind a token to yet). The code itself (256 bits, one use, 60 s, bound to the frame
/// origin) is the proof; this middleware still demands a same-origin browser request
/// ([`same_origin_fetch`]). Exact matches only.
pub const CODE_PATHS: &[&str] = &["/pod/session"];

/// A request a browser sent from one of our own pages: `Origin` present and ours, and
/// `Sec-Fetch-Site` (when sent) `same-origin`. Stricter than [`origin_allowed`]: a missing
/// `Origin` is refused, since every browser sends it on a `fetch` POST.
fn same_origin_fetch(headers: &HeaderMap, trusted_origin: &str) -> bool {
    let origin_ok = headers
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|o| o == trusted_origin);
    let site_ok = headers
        .get("sec-fetch-site")
        .is_none_or(|v| v.to_str().is_ok_and(|s| s == "same-origin"));
    origin_ok && site_ok
}

/// Name of the pre-session cookie (`__Host-` and Secure over https).
#[must_use]
pub fn pre_cookie_name(settings: &Settings) -> &'static str {
    if settings.is_https() {
        "__Host-cs_pre"
    } else {
        "cs_pre"
    }
}

/// The token for a pre-session cookie value: HMAC("pre" || cookie), so an attacker who can
/// set a cookie still cannot compute the matching token.
#[must_use]
pub fn pre_session_token(keyring: &Keyring, cookie: &str) -> String {
    let key = keyring.derive_key(purpose::CSRF);
    URL_SAFE_NO_PAD.encode(hmac_sha256(key.as_ref(), &[b"pre", cookie.as_bytes()]))
}

/// A usable pre-session cookie value: our own tokens are 43 base64url characters.
fn valid_pre_cookie(v: &str) -> bool {
    v.len() == 43
        && v.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The form token for a page: the session's when there is one, otherwise the pre-session one
/// (creating the cookie if needed). Pages rendered without a signed-in user take this and
/// wrap their response with [`FormToken::respond`] so a new cookie is sent.
#[derive(Clone, Debug)]
pub struct FormToken {
    pub token: String,
    set_cookie: Option<HeaderValue>,
}

impl FormToken {
    /// Adds the pre-session cookie to the response when it was just created.
    pub fn respond(&self, res: impl IntoResponse) -> Response {
        let mut res = res.into_response();
        if let Some(c) = &self.set_cookie {
            res.headers_mut().append(header::SET_COOKIE, c.clone());
        }
        res
    }
}

impl FromRequestParts<AppState> for FormToken {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Infallible> {
        if let Some(SessionCsrf(token)) = parts.extensions.get::<SessionCsrf>() {
            return Ok(Self {
                token: token.clone(),
                set_cookie: None,
            });
        }
        let settings = &state.app.settings;
        let name = pre_cookie_name(settings);
        if let Some(c) = read_cookie(&parts.headers, name).filter(|c| valid_pre_cookie(c)) {
            return Ok(Self {
                token: pre_session_token(&state.app.keyring, c),
                set_cookie: None,
            });
        }
        let (cookie, _) = random_token();
        Ok(Self {
            token: pre_session_token(&state.app.keyring, &cookie),
            set_cookie: Some(cookie_header(settings, name, &cookie, None)),
        })
    }
}

/// Steps 2–5 of the algorithm (step 1, safe methods, is in [`check`]).
fn origin_allowed(headers: &HeaderMap, trusted_origin: &str) -> bool {
    let origin = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok());
    if origin == Some(trusted_origin) {
        return true;
    }
    if let Some(site) = headers.get("sec-fetch-site") {
        return matches!(site.to_str(), Ok("same-origin" | "none"));
    }
    let Some(origin) = origin else {
        // Neither header: not a (modern) browser; the token check below still applies.
        return true;
    };
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    let origin_host = origin.split_once("://").map(|(_, rest)| rest);
    origin_host.is_some() && origin_host == host
}

/// The configured public URL's origin (`scheme://host[:port]`).
pub(crate) fn trusted_origin(settings: &Settings) -> String {
    url::Url::parse(&settings.server.public_url)
        .map(|u| u.origin().ascii_serialization())
        .unwrap_or_default()
}

pub async fn check(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if matches!(
        *req.method(),
        Method::GET | Method::HEAD | Method::OPTIONS | Method::TRACE
    ) || EXEMPT_PATHS.contains(&req.uri().path())
        || unsubscribe_exempt(req.uri().path())
    {
        return next.run(req).await;
    }
    let settings = &state.app.settings;
    if CODE_PATHS.contains(&req.uri().path()) {
        if same_origin_fetch(req.headers(), &trusted_origin(settings)) {
            return next.run(req).await;
        }
        tracing::info!("cross-origin Pod session request refused");
        return WebError::Csrf.into_response();
    }
    if !origin_allowed(req.headers(), &trusted_origin(settings)) {
        tracing::info!("cross-origin state-changing request refused");
        return WebError::Csrf.into_response();
    }
    let expected = match req.extensions().get::<SessionCsrf>() {
        Some(SessionCsrf(t)) => Some(t.clone()),
        None => read_cookie(req.headers(), pre_cookie_name(settings))
            .filter(|c| valid_pre_cookie(c))
            .map(|c| pre_session_token(&state.app.keyring, c)),
    };
    let Some(expected) = expected else {
        return WebError::Csrf.into_response();
    };
    let header_token = req
        .headers()
        .get(HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let (req, presented) = match header_token {
        Some(t) => (req, Some(t)),
        None => {
            let is_form = req
                .headers()
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
            if !is_form {
                return WebError::Csrf.into_response();
            }
            let (parts, body) = req.into_parts();
            let Ok(bytes) = axum::body::to_bytes(body, FORM_LIMIT).await else {
                return WebError::BadRequest("The form is too large.".into()).into_response();
            };
            let presented = form_urlencoded::parse(&bytes)
                .find(|(k, _)| k == FIELD)
                .map(|(_, v)| v.into_owned());
            // Handlers read the body again, so put the buffered bytes back.
            (Request::from_parts(parts, Body::from(bytes)), presented)
        }
    };
    match presented {
        Some(p) if ct_eq(p.as_bytes(), expected.as_bytes()) => next.run(req).await,
        _ => WebError::Csrf.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::origin_allowed;
    use axum::http::HeaderMap;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, v.parse().unwrap());
        }
        h
    }

    #[test]
    fn code_paths_need_a_same_origin_browser_request() {
        use super::same_origin_fetch;
        let t = "https://cs.example";
        assert!(same_origin_fetch(
            &headers(&[
                ("origin", "https://cs.example"),
                ("sec-fetch-site", "same-origin")
            ]),
            t
        ));
        assert!(same_origin_fetch(
            &headers(&[("origin", "https://cs.example")]),
            t
        ));
        assert!(!same_origin_fetch(&headers(&[]), t));
        assert!(!same_origin_fetch(
            &headers(&[("sec-fetch-site", "same-origin")]),
            t
        ));
        assert!(!same_origin_fetch(
            &headers(&[
                ("origin", "https://cs.example"),
                ("sec-fetch-site", "cross-site")
            ]),
            t
        ));
        assert!(!same_origin_fetch(
            &headers(&[("origin", "https://psa.example")]),
            t
        ));
    }

    #[test]
    fn algorithm() {
        let t = "https://cs.example";
        assert!(origin_allowed(
            &headers(&[("origin", "https://cs.example")]),
            t
        ));
        assert!(origin_allowed(
            &headers(&[("sec-fetch-site", "same-origin")]),
            t
        ));
        assert!(origin_allowed(&headers(&[("sec-fetch-site", "none")]), t));
        assert!(!origin_allowed(
            &headers(&[("sec-fetch-site", "cross-site")]),
            t
        ));
        assert!(!origin_allowed(
            &headers(&[("sec-fetch-site", "same-site")]),
            t
        ));
        assert!(origin_allowed(&headers(&[]), t));
        assert!(!origin_allowed(
            &headers(&[("origin", "https://evil.example"), ("host", "cs.example")]),
            t
        ));
        assert!(origin_allowed(
            &headers(&[
                ("origin", "http://cs.internal:8080"),
                ("host", "cs.internal:8080")
            ]),
            t
        ));
    }
}
