//! The only adapters from errors to responses. Every handler returns `Result<_, WebError>` and
//! uses `?`: a use case's error says its kind (`countersign_app::ErrorKind`), and this module
//! turns the kind into
//! - an HTML page with the right status (`WebError`'s `IntoResponse`),
//! - a form re-rendered with the messages and 422 ([`RerenderOnUserError::or_rerender`]), or
//! - `application/problem+json` (RFC 9457) for JSON callers ([`Problem`]).
//!
//! Internal errors are logged with an id and the response shows only that id, because internal
//! details (SQL, paths) help attackers and confuse users.

use crate::page::ErrorPage;
use askama::Template;
use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use countersign_app::{ErrorKind, FieldMessage, Refusal, UseCaseError};
use std::future::Future;

/// What a handler can fail with.
#[derive(Debug, thiserror::Error)]
pub enum WebError {
    /// Not signed in: go to the login page.
    #[error("sign in first")]
    Unauthorized,
    /// A sensitive action whose session has no recent proof (issue 18.2): go to "Confirm it's
    /// you", which returns to `next` (a local path, checked by `routes::account::confirm`).
    #[error("confirm it's you first")]
    ReauthRequired { next: String },
    /// Signed in but not allowed (e.g. a technician on an admin page).
    #[error("{0}")]
    Forbidden(String),
    /// No such page or resource (also: it belongs to another org).
    #[error("not found")]
    NotFound,
    /// A request that is malformed in a way a form cannot produce.
    #[error("{0}")]
    BadRequest(String),
    /// The input was refused: the messages per field (422).
    #[error("{}", join(.0))]
    Invalid(Vec<FieldMessage>),
    /// Valid, but it clashes with the current state (409).
    #[error("{0}")]
    Conflict(String),
    /// It existed but can no longer be used (410).
    #[error("{0}")]
    Gone(String),
    /// The CSRF check failed.
    #[error("this form has expired or did not come from Countersign")]
    Csrf,
    /// Too many attempts (429, with `Retry-After` when known).
    #[error("{message}")]
    RateLimited {
        message: String,
        retry_after_secs: Option<u64>,
    },
    /// A provider, or a bound of ours (password checks), is not available now (503, with
    /// `Retry-After` when known).
    #[error("{message}")]
    Unavailable {
        message: String,
        retry_after_secs: Option<u64>,
    },
    /// A form page already re-rendered with the messages of a user error
    /// ([`RerenderOnUserError::or_rerender`]); sent as it is.
    #[error("the form was shown again with the reason")]
    Rerendered(Box<Response>),
    /// Anything else: logged, shown as an id.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

fn join(fields: &[FieldMessage]) -> String {
    fields
        .iter()
        .map(|f| f.message.as_str())
        .collect::<Vec<_>>()
        .join("; ")
}

impl WebError {
    /// The response for a use case's error, by its kind. User-facing sentences get a capital
    /// and a full stop; an internal error keeps its source for the log.
    pub fn from_use_case<E: UseCaseError>(e: E) -> Self {
        let text = || crate::routes::sentence(&e.to_string());
        let secs = |d: Option<std::time::Duration>| d.map(|d| d.as_secs().max(1));
        match e.kind() {
            ErrorKind::Invalid => Self::Invalid(
                e.fields()
                    .into_iter()
                    .map(|f| FieldMessage {
                        field: f.field,
                        message: crate::routes::sentence(&f.message),
                    })
                    .collect(),
            ),
            ErrorKind::NotFound => Self::NotFound,
            ErrorKind::Forbidden(Refusal::Permission) => Self::Forbidden(text()),
            ErrorKind::Forbidden(Refusal::RecentProof) => Self::ReauthRequired {
                next: "/account".into(),
            },
            ErrorKind::Conflict => Self::Conflict(text()),
            ErrorKind::Gone => Self::Gone(text()),
            ErrorKind::RateLimited { retry_after } => Self::RateLimited {
                message: text(),
                retry_after_secs: secs(retry_after),
            },
            ErrorKind::Unavailable { retry_after } => Self::Unavailable {
                message: text(),
                retry_after_secs: secs(retry_after),
            },
            ErrorKind::Internal => Self::Internal(anyhow::Error::new(e)),
        }
    }

    /// The messages to show beside a form, for the errors a user can act on by changing the
    /// input or waiting (invalid, conflict, gone, rate-limited, a provider's refusal). `None`
    /// for everything else, which gets its own page: not found, forbidden, internal, and a
    /// bound of ours with a known retry time (the page carries `Retry-After`).
    #[must_use]
    pub fn user_messages(&self) -> Option<Vec<FieldMessage>> {
        let whole = |m: &str| {
            vec![FieldMessage {
                field: None,
                message: m.to_owned(),
            }]
        };
        match self {
            Self::Invalid(fields) => Some(fields.clone()),
            Self::Conflict(m) | Self::Gone(m) => Some(whole(m)),
            Self::RateLimited { message, .. } => Some(whole(message)),
            Self::Unavailable {
                message,
                retry_after_secs: None,
            } => Some(whole(message)),
            _ => None,
        }
    }

    /// The status, title and message of the error page.
    fn page_parts(&self) -> (StatusCode, &'static str, String) {
        match self {
            Self::Forbidden(m) => (StatusCode::FORBIDDEN, "Not allowed", m.clone()),
            Self::NotFound => (
                StatusCode::NOT_FOUND,
                "Page not found",
                "There is nothing here. It may have been removed, or the link is wrong.".into(),
            ),
            Self::BadRequest(m) => (StatusCode::BAD_REQUEST, "Bad request", m.clone()),
            Self::Invalid(fields) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "Check what you entered",
                join(fields),
            ),
            Self::Conflict(m) => (StatusCode::CONFLICT, "Not done", m.clone()),
            Self::Gone(m) => (StatusCode::GONE, "No longer available", m.clone()),
            Self::Csrf => (
                StatusCode::FORBIDDEN,
                "Form expired",
                "This form has expired or did not come from this site. Go back, reload the page and try again.".into(),
            ),
            Self::RateLimited { message, .. } => (
                StatusCode::TOO_MANY_REQUESTS,
                "Too many attempts",
                message.clone(),
            ),
            Self::Unavailable { message, .. } => {
                (StatusCode::SERVICE_UNAVAILABLE, "Busy", message.clone())
            }
            Self::Unauthorized
            | Self::ReauthRequired { .. }
            | Self::Rerendered(_)
            | Self::Internal(_) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "Something went wrong",
                "Countersign hit an unexpected error. Nothing was lost; try again. If it keeps happening, give your administrator this error id.".into(),
            ),
        }
    }

    fn retry_after(&self) -> Option<u64> {
        match self {
            Self::RateLimited {
                retry_after_secs, ..
            }
            | Self::Unavailable {
                retry_after_secs, ..
            } => *retry_after_secs,
            _ => None,
        }
    }

    /// Logs an internal error under a new random id and returns the id.
    fn log_internal(&self) -> Option<String> {
        let Self::Internal(e) = self else {
            return None;
        };
        let id = uuid::Uuid::new_v4().simple().to_string();
        tracing::error!(error_id = %id, error = ?e, "internal error");
        Some(id)
    }
}

/// Every use case error converts with `?`; the kind decides the response.
macro_rules! from_use_case_errors {
    ($($t:ty),* $(,)?) => {
        $(impl From<$t> for WebError {
            fn from(e: $t) -> Self {
                Self::from_use_case(e)
            }
        })*
    };
}

from_use_case_errors!(
    countersign_store::StoreError,
    countersign_app::Denied,
    countersign_app::accounts::AccountError,
    countersign_app::accounts::LoginError,
    countersign_app::accounts::PodHandoffError,
    countersign_app::contacts::ContactError,
    countersign_app::end_user::EndUserTextError,
    countersign_app::dashboard::DashboardError,
    countersign_app::microsoft::MicrosoftError,
    countersign_app::jobs::JobAdminError,
    countersign_app::verification::VerificationError,
    countersign_app::verification::TechnicianCheckError,
    countersign_app::secrets::SecretError,
    countersign_app::messages::MessageError,
    countersign_app::messages::ProviderCallbackError,
    countersign_app::messages::BrandingError,
    countersign_app::webhooks::EndpointError,
    countersign_app::webhooks::TargetError,
    countersign_app::reads::ReadError,
    countersign_app::broadcasts::unsubscribe::UnsubscribeError,
    countersign_app::broadcasts::BroadcastError,
);

impl From<askama::Error> for WebError {
    fn from(e: askama::Error) -> Self {
        Self::Internal(e.into())
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        match self {
            Self::Unauthorized => return Redirect::to("/login").into_response(),
            Self::ReauthRequired { next } => {
                return Redirect::to(&crate::routes::account::confirm_url(&next)).into_response();
            }
            Self::Rerendered(page) => return *page,
            _ => {}
        }
        let error_id = self.log_internal();
        let (status, title, message) = self.page_parts();
        let page = error_page(status, title, &message, error_id.as_deref());
        match self.retry_after() {
            Some(secs) => with_retry_after(page, secs),
            None => page,
        }
    }
}

/// A use case's result in a form handler: a user error re-renders the form with its messages
/// (422; 429 for too many attempts); any other error becomes its page.
pub trait RerenderOnUserError<T> {
    /// `render` builds the form page again with the messages (it may load what it needs).
    fn or_rerender<F, Fut>(self, render: F) -> impl Future<Output = Result<T, WebError>> + Send
    where
        F: FnOnce(Vec<FieldMessage>) -> Fut + Send,
        Fut: Future<Output = Result<Response, WebError>> + Send;
}

impl<T: Send, E: Into<WebError> + Send> RerenderOnUserError<T> for Result<T, E> {
    async fn or_rerender<F, Fut>(self, render: F) -> Result<T, WebError>
    where
        F: FnOnce(Vec<FieldMessage>) -> Fut + Send,
        Fut: Future<Output = Result<Response, WebError>> + Send,
    {
        let e = match self {
            Ok(v) => return Ok(v),
            Err(e) => e.into(),
        };
        let Some(messages) = e.user_messages() else {
            return Err(e);
        };
        let retry_after = e.retry_after();
        // Too many attempts keeps its own status (429) on the form, so clients that back off
        // on it still do; every other user error is 422.
        let status = if matches!(e, WebError::RateLimited { .. }) {
            StatusCode::TOO_MANY_REQUESTS
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        };
        let mut page = render(messages).await?;
        *page.status_mut() = status;
        if let Some(secs) = retry_after {
            page = with_retry_after(page, secs);
        }
        Err(WebError::Rerendered(Box::new(page)))
    }
}

/// PRG for a refused form whose attempt counted (a sign-in, a second-factor code, "confirm
/// it's you"): the error's messages as one line, for the handler to carry to the form's page
/// in the flash behind a 303, when it is a user error; any other error as it is (its own
/// page). Unlike [`RerenderOnUserError::or_rerender`] nothing is rendered from the POST, so
/// a refresh of the page shown next re-posts nothing.
///
/// # Errors
/// `e` itself when it is no user error (not found, internal, a bound of ours with a known
/// retry time: the page with its status and `Retry-After`).
pub fn refusal(e: impl Into<WebError>) -> Result<String, WebError> {
    let e = e.into();
    match e.user_messages() {
        Some(messages) => Ok(one_line(&messages)),
        None => Err(e),
    }
}

/// The messages of a re-rendered form as one line (most forms show one message).
#[must_use]
pub fn one_line(messages: &[FieldMessage]) -> String {
    join(messages)
}

/// A handler's error as `application/problem+json` (RFC 9457), for JSON callers: the status,
/// a title, the sentence as `detail`, the field messages as `errors`, and `Retry-After`.
#[derive(Debug)]
pub struct Problem(pub WebError);

impl<E: Into<WebError>> From<E> for Problem {
    fn from(e: E) -> Self {
        Self(e.into())
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let e = self.0;
        let (status, title, detail) = match &e {
            WebError::Unauthorized => (
                StatusCode::UNAUTHORIZED,
                "Sign in first",
                "Sign in first.".to_owned(),
            ),
            WebError::ReauthRequired { .. } => (
                StatusCode::FORBIDDEN,
                "Confirm it's you",
                "Confirm it's you first: this action needs a recent password or authenticator code.".to_owned(),
            ),
            WebError::Rerendered(_) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "Check what you entered",
                String::new(),
            ),
            other => other.page_parts(),
        };
        let error_id = e.log_internal();
        let errors: Vec<serde_json::Value> = e
            .user_messages()
            .filter(|_| matches!(e, WebError::Invalid(_)))
            .unwrap_or_default()
            .into_iter()
            .map(|f| serde_json::json!({ "field": f.field, "detail": f.message }))
            .collect();
        let mut body = serde_json::json!({
            "type": "about:blank",
            "title": title,
            "status": status.as_u16(),
            "detail": detail,
        });
        if !errors.is_empty() {
            body["errors"] = errors.into();
        }
        if let Some(id) = error_id {
            body["error_id"] = id.into();
        }
        let mut res = (status, Json(body)).into_response();
        res.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        match e.retry_after() {
            Some(secs) => with_retry_after(res, secs),
            None => res,
        }
    }
}

/// Renders the standalone error page.
#[must_use]
pub fn error_page(
    status: StatusCode,
    title: &str,
    message: &str,
    error_id: Option<&str>,
) -> Response {
    let page = ErrorPage {
        status: status.as_u16(),
        title,
        message,
        error_id,
    };
    match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(_) => (status, message.to_owned()).into_response(),
    }
}

/// Adds `Retry-After: <seconds>` to a response.
#[must_use]
pub fn with_retry_after(mut res: Response, seconds: u64) -> Response {
    res.headers_mut()
        .insert(axum::http::header::RETRY_AFTER, seconds.into());
    res
}

#[cfg(test)]
mod tests {
    use super::*;
    use countersign_app::accounts::AccountError;

    #[test]
    fn kinds_become_statuses() {
        let status = |e: WebError| e.into_response().status();
        assert_eq!(
            status(AccountError::PasswordMismatch.into()),
            StatusCode::UNPROCESSABLE_ENTITY
        );
        assert_eq!(
            status(AccountError::EmailTaken.into()),
            StatusCode::CONFLICT
        );
        assert_eq!(
            status(AccountError::InviteUnusable.into()),
            StatusCode::GONE
        );
        assert_eq!(status(AccountError::NotFound.into()), StatusCode::NOT_FOUND);
        assert_eq!(
            status(
                AccountError::NotAllowed(countersign_app::Denied(
                    countersign_domain::Permission::ManageTechnicians
                ))
                .into()
            ),
            StatusCode::FORBIDDEN
        );
        let locked = WebError::from(AccountError::Locked { minutes: 2 }).into_response();
        assert_eq!(locked.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(locked.headers()[header::RETRY_AFTER], "120");
        assert_eq!(
            status(AccountError::Internal("boom".into()).into()),
            StatusCode::INTERNAL_SERVER_ERROR
        );
    }

    #[tokio::test]
    async fn problem_json_carries_status_detail_and_fields() {
        let res = Problem::from(AccountError::PasswordMismatch).into_response();
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            res.headers()[header::CONTENT_TYPE],
            "application/problem+json"
        );
        let body = axum::body::to_bytes(res.into_body(), 1 << 16)
            .await
            .unwrap();
        let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(v["status"], 422);
        assert_eq!(v["errors"][0]["field"], "confirm");
        assert_eq!(v["detail"], "The two passwords do not match.");
    }

    #[tokio::test]
    async fn a_user_error_rerenders_the_form_and_others_do_not() {
        let rendered: Result<(), WebError> = Err::<(), _>(AccountError::EmailTaken)
            .or_rerender(|m| async move { Ok(one_line(&m).into_response()) })
            .await;
        let Err(WebError::Rerendered(page)) = rendered else {
            panic!("not re-rendered");
        };
        assert_eq!(page.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let other: Result<(), WebError> = Err::<(), _>(AccountError::NotFound)
            .or_rerender(|_| async { panic!("a not-found is not shown in the form") })
            .await;
        assert!(matches!(other, Err(WebError::NotFound)));
    }
}
