//! Session cookie resolution (security.md §2.8): the cookie holds a 256-bit random token, the
//! database only its SHA-256. A `Full` session of an active technician becomes a
//! [`CurrentUser`]; a `SecondFactor` session is only visible to `/login/2fa` (and `/logout`),
//! so a password alone never reaches anything else. A `Pod` session counts only when it comes
//! in the Pod's own cookie, on the Pod's routes (`pod_session.rs`).

use super::CurrentUser;
use super::pod_session::{clear_pod_session_cookie, is_pod_route, pod_cookie_name};
use crate::AppState;
use crate::error::WebError;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use countersign_app::Settings;
use countersign_crypto::{Keyring, hmac_sha256, purpose};
use countersign_store::{Org, Session, SessionStage, Technician};

/// The session-bound CSRF token of this request's session (full or second-factor).
#[derive(Clone, Debug)]
pub struct SessionCsrf(pub String);

/// A password-only session waiting for its second factor (only on `/login/2fa` and `/logout`).
#[derive(Clone, Debug)]
pub struct PendingSecondFactor {
    pub session: Session,
    pub technician: Technician,
    pub org: Org,
}

/// `__Host-` (which requires Secure and Path=/) when served over https, so no subdomain or
/// plain-http page can plant or overwrite the cookie.
#[must_use]
pub fn session_cookie_name(settings: &Settings) -> &'static str {
    if settings.is_https() {
        "__Host-cs_session"
    } else {
        "cs_session"
    }
}

/// The value of cookie `name` in the request, if any.
#[must_use]
pub fn read_cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim())
        .filter(|v| !v.is_empty())
}

/// A `Set-Cookie` value: HttpOnly (scripts never see tokens), SameSite=Lax, Path=/, and
/// Secure over https. `max_age` 0 deletes the cookie.
#[must_use]
pub fn cookie_header(
    settings: &Settings,
    name: &str,
    value: &str,
    max_age: Option<u64>,
) -> HeaderValue {
    let attributes = if settings.is_https() {
        "Path=/; HttpOnly; SameSite=Lax; Secure"
    } else {
        "Path=/; HttpOnly; SameSite=Lax"
    };
    cookie_header_with(name, value, attributes, max_age)
}

/// A `Set-Cookie` value with these attributes (`Path=…; HttpOnly; …`).
#[must_use]
pub fn cookie_header_with(
    name: &str,
    value: &str,
    attributes: &str,
    max_age: Option<u64>,
) -> HeaderValue {
    let mut c = format!("{name}={value}; {attributes}");
    if let Some(age) = max_age {
        c.push_str(&format!("; Max-Age={age}"));
    }
    // Names and values are our own base64url tokens or checked origins: valid header text.
    HeaderValue::from_str(&c).unwrap_or_else(|_| HeaderValue::from_static("invalid=; Max-Age=0"))
}

/// The cookie that carries a new session token.
#[must_use]
pub fn session_cookie(settings: &Settings, token: &str) -> HeaderValue {
    cookie_header(
        settings,
        session_cookie_name(settings),
        token,
        Some(settings.session_absolute().as_secs()),
    )
}

/// The cookie that removes the session token from the browser.
#[must_use]
pub fn clear_session_cookie(settings: &Settings) -> HeaderValue {
    cookie_header(settings, session_cookie_name(settings), "", Some(0))
}

/// The answer to a sign-out (this session, or everywhere): a redirect to `to` that clears
/// the session cookie and tells the browser to drop what it kept of the session: cached
/// pages, cookies, storage (ASVS 14.3.1).
#[must_use]
pub fn signed_out(settings: &Settings, to: &str) -> Response {
    let mut res = Redirect::to(to).into_response();
    res.headers_mut()
        .append(header::SET_COOKIE, clear_session_cookie(settings));
    res.headers_mut().insert(
        header::HeaderName::from_static("clear-site-data"),
        HeaderValue::from_static("\"cache\", \"cookies\", \"storage\""),
    );
    res
}

/// The form token bound to a session: HMAC of the session's token hash under a key derived for
/// CSRF, so it is stable for the session, differs between sessions and needs no storage.
#[must_use]
pub fn csrf_token_for(keyring: &Keyring, session_token_hash: &[u8]) -> String {
    let key = keyring.derive_key(purpose::CSRF);
    URL_SAFE_NO_PAD.encode(hmac_sha256(key.as_ref(), &[session_token_hash]))
}

/// Paths a technician who must enroll 2FA can still reach.
fn allowed_before_2fa(path: &str) -> bool {
    path.starts_with("/account/2fa/")
        || path.starts_with("/static/")
        || matches!(path, "/logout" | "/healthz" | "/readyz")
}

pub async fn resolve(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let settings = &state.app.settings;
    let name = session_cookie_name(settings);
    let token = read_cookie(req.headers(), name).map(str::to_owned);
    let mut stale_cookie = false;
    if let Some(token) = token {
        match state.app.resolve_session(&token).await {
            Ok(Some(r)) => {
                let csrf = csrf_token_for(&state.app.keyring, &r.session.token_hash);
                let path = req.uri().path().to_owned();
                match r.session.stage {
                    SessionStage::Full => {
                        if r.org.require_2fa
                            && r.technician.totp_enabled_at.is_none()
                            && !allowed_before_2fa(&path)
                        {
                            return Redirect::to("/account/2fa/setup").into_response();
                        }
                        req.extensions_mut().insert(SessionCsrf(csrf.clone()));
                        req.extensions_mut().insert(CurrentUser {
                            technician: r.technician,
                            org: r.org,
                            session: r.session,
                            csrf_token: csrf,
                        });
                    }
                    // A Pod session only ever counts in the Pod's own cookie (below).
                    SessionStage::Pod => {}
                    SessionStage::SecondFactor => {
                        if path.starts_with("/login/2fa") || path == "/logout" {
                            req.extensions_mut().insert(SessionCsrf(csrf));
                            req.extensions_mut().insert(PendingSecondFactor {
                                session: r.session,
                                technician: r.technician,
                                org: r.org,
                            });
                        }
                    }
                }
            }
            Ok(None) => stale_cookie = true,
            Err(e) => return WebError::Internal(e.into()).into_response(),
        }
    }
    let mut stale_pod_cookie = false;
    if req.extensions().get::<CurrentUser>().is_none() && is_pod_route(req.uri().path()) {
        match pod_session(&state, req.headers()).await {
            Ok(PodCookie::Absent) => {}
            Ok(PodCookie::Stale) => stale_pod_cookie = true,
            Ok(PodCookie::User(user)) => {
                req.extensions_mut()
                    .insert(SessionCsrf(user.csrf_token.clone()));
                req.extensions_mut().insert(*user);
            }
            Err(e) => return e.into_response(),
        }
    }
    let mut res = next.run(req).await;
    if stale_pod_cookie {
        res.headers_mut()
            .append(header::SET_COOKIE, clear_pod_session_cookie(settings));
    }
    let prefix = format!("{name}=");
    let sets_session = res
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .any(|v| v.to_str().is_ok_and(|s| s.starts_with(&prefix)));
    if stale_cookie && !sets_session {
        res.headers_mut()
            .append(header::SET_COOKIE, clear_session_cookie(settings));
    }
    res
}

/// What the Pod's cookie holds.
enum PodCookie {
    Absent,
    /// A token that names no live Pod session (ended, expired, or not of stage `pod`).
    Stale,
    User(Box<CurrentUser>),
}

/// The Pod session of the Pod's own cookie: stage `pod` only, of an active technician who
/// meets the org's two-factor rule; it grants the same [`CurrentUser`] as a full session.
async fn pod_session(state: &AppState, headers: &HeaderMap) -> Result<PodCookie, WebError> {
    let Some(token) = read_cookie(headers, pod_cookie_name(&state.app.settings)) else {
        return Ok(PodCookie::Absent);
    };
    let Some(r) = state
        .app
        .resolve_session(token)
        .await
        .map_err(|e| WebError::Internal(e.into()))?
    else {
        return Ok(PodCookie::Stale);
    };
    if r.session.stage != SessionStage::Pod
        || (r.org.require_2fa && r.technician.totp_enabled_at.is_none())
    {
        return Ok(PodCookie::Stale);
    }
    let csrf = csrf_token_for(&state.app.keyring, &r.session.token_hash);
    Ok(PodCookie::User(Box::new(CurrentUser {
        technician: r.technician,
        org: r.org,
        session: r.session,
        csrf_token: csrf,
    })))
}
