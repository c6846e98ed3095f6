//! GET /account and GET /account/2fa/setup.

use crate::AppState;
use crate::auth::{CurrentUser, RecentUser};
use crate::error::WebError;
use crate::flash;
use crate::middleware::client_ip::ClientIp;
use crate::page::{PageContext, Section, render};
use crate::routes::{NoticeQuery, notice_text};
use askama::Template;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse, Redirect, Response};
use countersign_app::Principal;

pub(super) struct SessionRow {
    created: String,
    last_seen: String,
    ip: String,
    user_agent: String,
    current: bool,
    /// The session's id, for its "End" button (never its token).
    id: String,
}

/// One recovery code on the account page: its number in the list shown at enrolment and
/// when it was used.
pub(super) struct RecoveryCodeRow {
    label: String,
    used: Option<String>,
}

#[derive(Template)]
#[template(path = "account/index.html")]
pub(super) struct AccountPage {
    ctx: PageContext,
    role: &'static str,
    totp_enabled: bool,
    recovery_left: i64,
    recovery_codes: Vec<RecoveryCodeRow>,
    sessions: Vec<SessionRow>,
    /// A change of the email address waiting for its link.
    pending: Option<PendingRow>,
    notice: Option<&'static str>,
    error: Option<String>,
}

/// A pending email change as the account page shows it.
pub(super) struct PendingRow {
    new_email: String,
    expires: String,
    expired: bool,
}

#[derive(Template)]
#[template(path = "account/totp_setup.html")]
pub(super) struct TotpSetupPage {
    ctx: PageContext,
    required: bool,
    qr_svg: String,
    secret: String,
    uri: String,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "account/recovery_codes.html")]
pub(super) struct RecoveryCodesPage {
    pub ctx: PageContext,
    pub codes: Vec<String>,
}

/// The account page, with an optional notice or error (the disable form re-renders it).
pub(super) async fn account_page(
    state: &AppState,
    user: &CurrentUser,
    by: &Principal,
    notice: Option<&'static str>,
    error: Option<String>,
) -> Result<Html<String>, WebError> {
    let view = state.app.account_view(by).await?;
    let t = &view.technician;
    let codes = view.recovery_codes;
    let recovery_left =
        i64::try_from(codes.iter().filter(|c| c.used_at.is_none()).count()).unwrap_or(0);
    let recovery_codes = codes
        .iter()
        .map(|c| RecoveryCodeRow {
            label: c
                .position
                .map_or_else(|| "A code".to_owned(), |n| format!("Code {n}")),
            used: c.used_at.map(countersign_domain::Timestamp::display),
        })
        .collect();
    render(&AccountPage {
        ctx: PageContext::new(user, Section::Account),
        role: t.role.as_str(),
        totp_enabled: t.totp_enabled_at.is_some(),
        recovery_left,
        recovery_codes,
        sessions: view
            .sessions
            .into_iter()
            .map(|s| SessionRow {
                created: s.created_at.display(),
                last_seen: s.last_seen_at.display(),
                ip: s.ip,
                user_agent: s.user_agent,
                current: s.id == user.session.id,
                id: s.id.to_string(),
            })
            .collect(),
        pending: view.pending_email.map(|p| PendingRow {
            new_email: p.new_email,
            expires: p.expires_at.display(),
            expired: p.expired,
        }),
        notice,
        error,
    })
}

pub async fn index(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    user: CurrentUser,
    Query(q): Query<NoticeQuery>,
) -> Result<Html<String>, WebError> {
    account_page(
        &state,
        &user,
        &user.principal(ip),
        q.notice
            .as_deref()
            .and_then(|k| super::profile::notice_text(k).or_else(|| notice_text(k))),
        None,
    )
    .await
}

/// The setup page (starting or resuming enrollment).
pub(super) async fn setup_page(
    state: &AppState,
    user: &CurrentUser,
    by: &Principal,
    error: Option<String>,
) -> Result<Html<String>, WebError> {
    // The use case reads the technician afresh, so a seed written by an earlier visit is
    // reused.
    let e = state.app.begin_totp_enrollment(by).await?;
    render(&TotpSetupPage {
        ctx: PageContext::new(user, Section::Account),
        required: user.org.require_2fa,
        qr_svg: e.qr_svg,
        secret: e.secret_base32,
        uri: e.otpauth_uri,
        error,
    })
}

/// Where the recovery codes of a just-confirmed second factor are shown, once: the setup
/// address, which otherwise goes back to the account once the factor is on.
pub(super) const TOTP_SETUP_PAGE: &str = "/account/2fa/setup";

pub async fn totp_setup(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    RecentUser(user): RecentUser,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    if user.technician.totp_enabled_at.is_some() {
        let mut taken = flash::take::<Vec<String>>(&state, &user, TOTP_SETUP_PAGE, &headers);
        let res = match taken.value.take() {
            Some(codes) => render(&RecoveryCodesPage {
                ctx: PageContext::new(&user, Section::Account),
                codes,
            })?
            .into_response(),
            None => Redirect::to("/account").into_response(),
        };
        return Ok(taken.respond(res));
    }
    let by = user.principal(ip);
    Ok(setup_page(&state, &user, &by, None).await?.into_response())
}
