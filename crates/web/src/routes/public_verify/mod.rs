//! What end users open: the approve link (`/v/{token}`), and the public "verify a technician"
//! pages of an org (`/t/{slug}/…`). GET and HEAD only show (security.md §2.2: link scanners
//! open links first); answers are POSTs from these pages, with a per-render form token.

mod approve;
mod technician;

use crate::AppState;
use axum::Router;
use axum::http::{HeaderValue, header};
use axum::response::Response;
use axum::routing::get;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v/{token}", get(approve::show).post(approve::answer))
        .route(
            "/t/{slug}/verify-technician",
            get(technician::form).post(technician::request),
        )
        .route(
            "/t/{slug}/check/{token}",
            get(technician::show).post(technician::choose),
        )
}

/// The token is in the URL: no Referer to other sites, and nothing cached.
pub(crate) fn private(mut res: Response) -> Response {
    let h = res.headers_mut();
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}
