//! "Confirm it's you" (issue 18.2, ASVS 7.5.1): GET and POST `/account/confirm?next=<path>`.
//! A sensitive page or action whose session has no recent proof sends the technician here;
//! the password, or a current authenticator code, records a new proof on the session
//! (`App::reauthenticate`: the password gate, the `reauth:<technician>` throttle, audited),
//! and the technician goes back to `next`. A refused POST is not replayed: they submit again.
//! A refused proof (counted and audited) answers 303 back to this page with why in the flash
//! (PRG), so a refresh there posts nothing.
//!
//! `next` is only ever a path of this site (`safe_next`), so the page cannot be used to send
//! someone elsewhere after they typed their password.

use crate::AppState;
use crate::auth::session::session_cookie;
use crate::auth::{CurrentUser, user_agent};
use crate::error::{WebError, refusal};
use crate::flash;
use crate::middleware::client_ip::ClientIp;
use crate::page::{PageContext, Section, render};
use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, header};
use axum::response::{IntoResponse, Redirect, Response};
use countersign_app::Settings;
use serde::{Deserialize, Serialize};

/// The confirmation page, where the flash of a refused proof is shown.
const PAGE: &str = "/account/confirm";

/// Why the last proof was refused.
#[derive(Serialize, Deserialize)]
struct Refused {
    error: String,
}

/// Where a confirmation without a usable `next` returns to.
const FALLBACK: &str = "/account";
/// Longer return paths are refused (no page of ours has one).
const MAX_NEXT: usize = 2048;

/// `next` when it is a path on this site: it starts with one `/` and is not `//host` or
/// `/\host` (which browsers read as another host), has no backslash, whitespace or control
/// character, and is not absurdly long. Anything else (`https://…`, `javascript:…`) is `None`.
#[must_use]
pub fn safe_next(raw: &str) -> Option<&str> {
    let rest = raw.strip_prefix('/')?;
    let ok = raw.len() <= MAX_NEXT
        && !rest.starts_with('/')
        && !raw.contains('\\')
        && !raw.chars().any(|c| c.is_control() || c.is_whitespace());
    ok.then_some(raw)
}

/// The confirmation page's address for a return path (already checked by [`safe_next`];
/// anything else returns to the account page).
#[must_use]
pub fn confirm_url(next: &str) -> String {
    let next = safe_next(next).unwrap_or(FALLBACK);
    format!("/account/confirm?next={}", urlencoding::encode(next))
}

/// Where to come back after confirming: a GET's own path and query; for a POST, the page
/// its form was on (the `Referer`, which our `Referrer-Policy: same-origin` sends only
/// within the site), when that is on this site; the account page otherwise.
#[must_use]
pub fn return_path(parts: &Parts, settings: &Settings) -> String {
    let own = if matches!(parts.method, Method::GET | Method::HEAD) {
        parts.uri.path_and_query().map(|p| p.as_str().to_owned())
    } else {
        let origin = crate::middleware::csrf::trusted_origin(settings);
        parts
            .headers
            .get(header::REFERER)
            .and_then(|v| v.to_str().ok())
            .and_then(|r| url::Url::parse(r).ok())
            .filter(|u| u.origin().ascii_serialization() == origin)
            .map(|u| match u.query() {
                Some(q) => format!("{}?{q}", u.path()),
                None => u.path().to_owned(),
            })
    };
    own.filter(|p| safe_next(p).is_some())
        .unwrap_or_else(|| FALLBACK.to_owned())
}

#[derive(Template)]
#[template(path = "account/confirm.html")]
struct ConfirmPage {
    ctx: PageContext,
    next: String,
    totp_enabled: bool,
    error: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct NextQuery {
    #[serde(default)]
    next: String,
}

/// The `next` of a request, or a clear refusal that changes nothing.
fn checked_next(raw: &str) -> Result<String, WebError> {
    if raw.is_empty() {
        return Ok(FALLBACK.to_owned());
    }
    safe_next(raw).map(str::to_owned).ok_or_else(|| {
        WebError::BadRequest(
            "This link's return address is not a page of Countersign, so it was not followed. Open the page you wanted from the menu.".into(),
        )
    })
}

fn page(user: &CurrentUser, next: String, error: Option<String>) -> ConfirmPage {
    ConfirmPage {
        ctx: PageContext::new(user, Section::Account),
        next,
        totp_enabled: user.technician.totp_enabled_at.is_some(),
        error,
    }
}

pub async fn show(
    State(state): State<AppState>,
    headers: HeaderMap,
    user: CurrentUser,
    Query(q): Query<NextQuery>,
) -> Result<Response, WebError> {
    let next = checked_next(&q.next)?;
    let refused = flash::take::<Refused>(&state, &user, PAGE, &headers);
    let error = refused.value.as_ref().map(|r| r.error.clone());
    Ok(refused.respond(render(&page(&user, next, error))?))
}

#[derive(Debug, Deserialize)]
pub struct ConfirmForm {
    #[serde(default)]
    proof: String,
    #[serde(default)]
    next: String,
}

pub async fn confirm(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    user: CurrentUser,
    Form(form): Form<ConfirmForm>,
) -> Result<Response, WebError> {
    let next = checked_next(&form.next)?;
    let token = match state
        .app
        .reauthenticate(
            &user.principal(ip),
            &user.session,
            &form.proof,
            &user_agent(&headers),
        )
        .await
    {
        Ok(token) => token,
        Err(e) => {
            let shown = Refused { error: refusal(e)? };
            return Ok(flash::attach(
                &state,
                &user,
                PAGE,
                &shown,
                Redirect::to(&confirm_url(&next)),
            ));
        }
    };
    let mut res = Redirect::to(&next).into_response();
    res.headers_mut().insert(
        header::SET_COOKIE,
        session_cookie(&state.app.settings, &token),
    );
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_paths_of_this_site_are_followed() {
        for ok in [
            "/account/2fa/setup",
            "/settings/technicians/0190?tab=roles",
            "/",
        ] {
            assert_eq!(safe_next(ok), Some(ok));
        }
        for bad in [
            "",
            "//evil.example/",
            "/\\evil.example",
            "\\\\evil.example",
            "/account\\..\\x",
            "http://evil.example/",
            "https:evil.example",
            "javascript:alert(1)",
            "evil.example/account",
            "/ /evil.example",
            "/\t/evil.example",
            "/\n//evil.example",
        ] {
            assert_eq!(safe_next(bad), None, "{bad:?}");
        }
        assert_eq!(safe_next(&format!("/{}", "a".repeat(MAX_NEXT))), None);
    }

    #[test]
    fn the_confirmation_address_carries_only_safe_paths() {
        assert_eq!(
            confirm_url("/account/2fa/setup"),
            "/account/confirm?next=%2Faccount%2F2fa%2Fsetup"
        );
        assert_eq!(
            confirm_url("//evil.example"),
            "/account/confirm?next=%2Faccount"
        );
    }
}
