//! One-time values carried across a POST/redirect/GET (issue 21.2): a new invite link, a reset
//! link, a webhook secret, or why a sign-in was refused (with the address typed, never the
//! password). The action seals the value into a short-lived cookie and redirects;
//! the page it redirects to opens it, shows it, and deletes the cookie in the same response, so
//! a refresh of that page shows it no more and no action runs twice.
//!
//! Safe by construction:
//! - sealed with the keyring (XChaCha20-Poly1305), so the browser can neither read nor forge it;
//! - bound to the org, the session and the page: the associated data names all three, so the
//!   cookie opens only for the same session on the page it was made for (before sign-in: for
//!   the same browser's pre-session cookie, [`Holder::signed_out`]);
//! - it expires after [`FLASH_TTL_SECS`] (checked inside the sealed value too, not only by the
//!   cookie's `Max-Age`);
//! - HttpOnly, SameSite=Lax, `__Host-` over https (a Pod session's: the Pod cookie's
//!   attributes); the value never appears in a URL.

use crate::AppState;
use crate::auth::CurrentUser;
use crate::auth::pod_session::POD_ATTRIBUTES;
use crate::auth::session::{PendingSecondFactor, cookie_header, cookie_header_with, read_cookie};
use crate::middleware::csrf::{pre_cookie_name, pre_session_token};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use countersign_crypto::SealAad;
use countersign_domain::OrgId;
use countersign_store::SessionStage;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// How long a flash waits for its page: long enough for a slow redirect, short enough that a
/// forgotten one does not linger.
pub const FLASH_TTL_SECS: u64 = 120;

/// Whom a flash is for: the org (once known), what it is bound to (a session, or before
/// sign-in the browser's pre-session cookie) and whether it lives in a Pod frame. The sealed
/// value opens only for the same holder.
pub struct Holder {
    org: Option<OrgId>,
    bound_to: String,
    pod: bool,
}

impl Holder {
    /// A signed-in technician's session (a full or a Pod session).
    #[must_use]
    pub fn of(user: &CurrentUser) -> Self {
        Self {
            org: Some(user.org.id),
            bound_to: user.session.id.to_string(),
            pod: user.session.stage == SessionStage::Pod,
        }
    }

    /// A session waiting for its second factor (`/login/2fa`).
    #[must_use]
    pub fn second_factor(pending: &PendingSecondFactor) -> Self {
        Self {
            org: Some(pending.org.id),
            bound_to: format!("2fa:{}", pending.session.id),
            pod: false,
        }
    }

    /// A signed-out browser (`/login`), by its pre-session cookie (`middleware::csrf`): the
    /// value opens only in the browser that posted the form. `None` without that cookie.
    #[must_use]
    pub fn signed_out(state: &AppState, headers: &HeaderMap) -> Option<Self> {
        let cookie = read_cookie(headers, pre_cookie_name(&state.app.settings))?;
        Some(Self::pre_session(state, cookie))
    }

    /// A signed-out browser whose pre-session cookie has this value.
    #[must_use]
    pub fn pre_session(state: &AppState, cookie: &str) -> Self {
        Self {
            org: None,
            bound_to: format!("pre:{}", pre_session_token(&state.app.keyring, cookie)),
            pod: false,
        }
    }
}

fn cookie_name(state: &AppState, holder: &Holder) -> &'static str {
    match (holder.pod, state.app.settings.is_https()) {
        (true, true) => "__Secure-cs_pod_flash",
        (true, false) => "cs_pod_flash",
        (false, true) => "__Host-cs_flash",
        (false, false) => "cs_flash",
    }
}

/// A Pod session lives in a PSA's cross-site frame: its flash needs the Pod cookie's
/// attributes (SameSite=None, Partitioned, Path=/pod), or the browser would not send it back.
fn cookie(state: &AppState, holder: &Holder, value: &str, max_age: u64) -> HeaderValue {
    let name = cookie_name(state, holder);
    if holder.pod {
        cookie_header_with(name, value, POD_ATTRIBUTES, Some(max_age))
    } else {
        cookie_header(&state.app.settings, name, value, Some(max_age))
    }
}

#[derive(Serialize, Deserialize)]
struct Envelope<T> {
    /// Unix milliseconds after which the value is refused.
    until: i64,
    value: T,
}

fn aad<'a>(holder: &'a Holder, page: &'a str) -> SealAad<'a> {
    SealAad {
        org_id: holder.org,
        table: "flash",
        column: page,
        row_id: &holder.bound_to,
    }
}

/// Adds to `res` the cookie that carries `value` to `page` (a path, no query) for this session.
pub fn attach<T: Serialize>(
    state: &AppState,
    user: &CurrentUser,
    page: &str,
    value: &T,
    res: impl IntoResponse,
) -> Response {
    attach_for(state, &Holder::of(user), page, value, res)
}

/// [`attach`] for any [`Holder`] (before sign-in, or during the second factor).
pub fn attach_for<T: Serialize>(
    state: &AppState,
    holder: &Holder,
    page: &str,
    value: &T,
    res: impl IntoResponse,
) -> Response {
    let ttl_ms = i64::try_from(FLASH_TTL_SECS * 1000).unwrap_or(i64::MAX);
    let envelope = Envelope {
        until: state.app.now().0.saturating_add(ttl_ms),
        value,
    };
    let mut res = res.into_response();
    // Serialising our own plain structs cannot fail; if it ever did, nothing is shown.
    let Ok(json) = serde_json::to_vec(&envelope) else {
        return res;
    };
    let sealed = state.app.keyring.seal(&json, &aad(holder, page));
    let cookie = cookie(
        state,
        holder,
        &URL_SAFE_NO_PAD.encode(sealed),
        FLASH_TTL_SECS,
    );
    res.headers_mut().append(header::SET_COOKIE, cookie);
    res
}

/// What a page took from the flash cookie: the value, if one was sealed for this session and
/// page and is still fresh, and whether the cookie must be deleted.
pub struct Taken<T> {
    pub value: Option<T>,
    clear: Option<HeaderValue>,
}

impl<T> Taken<T> {
    /// Deletes the cookie in `res` when there was one: shown once, then gone.
    pub fn respond(&self, res: impl IntoResponse) -> Response {
        let mut res = res.into_response();
        if let Some(c) = &self.clear {
            res.headers_mut().append(header::SET_COOKIE, c.clone());
            // The page shows a one-time value: no cache may keep it.
            res.headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        }
        res
    }
}

/// Opens the flash cookie for `page`. A cookie for another page, session or org, a stale or
/// tampered one gives no value; any cookie present is deleted by [`Taken::respond`].
pub fn take<T: DeserializeOwned>(
    state: &AppState,
    user: &CurrentUser,
    page: &str,
    headers: &HeaderMap,
) -> Taken<T> {
    take_for(state, &Holder::of(user), page, headers)
}

/// [`take`] for any [`Holder`].
pub fn take_for<T: DeserializeOwned>(
    state: &AppState,
    holder: &Holder,
    page: &str,
    headers: &HeaderMap,
) -> Taken<T> {
    let Some(raw) = read_cookie(headers, cookie_name(state, holder)) else {
        return Taken {
            value: None,
            clear: None,
        };
    };
    let clear = Some(cookie(state, holder, "", 0));
    let value = URL_SAFE_NO_PAD
        .decode(raw)
        .ok()
        .and_then(|sealed| state.app.keyring.open(&sealed, &aad(holder, page)).ok())
        .and_then(|json| serde_json::from_slice::<Envelope<T>>(&json).ok())
        .filter(|e| state.app.now().0 <= e.until)
        .map(|e| e.value);
    Taken { value, clear }
}
