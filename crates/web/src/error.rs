//! The error type of every handler. User errors get a clear page with the right status;
//! internal errors are logged with an id, and the page shows only that id, because internal
//! details (SQL, paths) help attackers and confuse users.

use crate::page::ErrorPage;
use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use countersign_store::StoreError;

/// What a handler can fail with.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
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
    /// The CSRF check failed.
    #[error("this form has expired or did not come from Countersign")]
    Csrf,
    /// Too many attempts.
    #[error("{0}")]
    RateLimited(String),
    /// The server is at its bound for this kind of work (password checks): try again after
    /// `retry_after_secs` (sent as `Retry-After`).
    #[error("{message}")]
    Busy {
        message: String,
        retry_after_secs: u64,
    },
    /// Anything else: logged, shown as an id.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => Self::NotFound,
            other => Self::Internal(other.into()),
        }
    }
}

impl From<askama::Error> for AppError {
    fn from(e: askama::Error) -> Self {
        Self::Internal(e.into())
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let (status, title, message, error_id) = match &self {
            Self::Unauthorized => return Redirect::to("/login").into_response(),
            Self::ReauthRequired { next } => {
                return Redirect::to(&crate::routes::account::confirm_url(next)).into_response();
            }
            Self::Forbidden(m) => (StatusCode::FORBIDDEN, "Not allowed", m.clone(), None),
            Self::NotFound => (
                StatusCode::NOT_FOUND,
                "Page not found",
                "There is nothing here. It may have been removed, or the link is wrong.".into(),
                None,
            ),
            Self::BadRequest(m) => (StatusCode::BAD_REQUEST, "Bad request", m.clone(), None),
            Self::Csrf => (
                StatusCode::FORBIDDEN,
                "Form expired",
                "This form has expired or did not come from this site. Go back, reload the page and try again.".into(),
                None,
            ),
            Self::RateLimited(m) => (StatusCode::TOO_MANY_REQUESTS, "Too many attempts", m.clone(), None),
            Self::Busy {
                message,
                retry_after_secs,
            } => {
                let page = error_page(StatusCode::SERVICE_UNAVAILABLE, "Busy", message, None);
                return with_retry_after(page, *retry_after_secs);
            }
            Self::Internal(e) => {
                let id = uuid::Uuid::new_v4().simple().to_string();
                tracing::error!(error_id = %id, error = ?e, "internal error");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Something went wrong",
                    "Countersign hit an unexpected error. Nothing was lost; try again. If it keeps happening, give your administrator this error id.".into(),
                    Some(id),
                )
            }
        };
        error_page(status, title, &message, error_id.as_deref())
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
