//! The style page. It shows components, not data: nothing is read from the store.

use crate::auth::CurrentUser;
use crate::error::WebError;
use crate::page::{PageContext, Section, render};
use askama::Template;
use axum::response::{IntoResponse, Response};

#[derive(Template)]
#[template(path = "style/index.html")]
struct StylePage {
    ctx: PageContext,
    /// The swatch's class and the token it shows.
    swatches: &'static [(&'static str, &'static str)],
}

/// Every colour token, in the order the CSS declares them.
const SWATCHES: &[(&str, &str)] = &[
    ("sw-bg", "--bg"),
    ("sw-panel", "--panel"),
    ("sw-sunken", "--sunken"),
    ("sw-line", "--line"),
    ("sw-text", "--text"),
    ("sw-muted", "--muted"),
    ("sw-accent", "--accent"),
    ("sw-accent-soft", "--accent-soft"),
    ("sw-ok", "--ok"),
    ("sw-ok-soft", "--ok-soft"),
    ("sw-warn", "--warn"),
    ("sw-warn-soft", "--warn-soft"),
    ("sw-bad", "--bad"),
    ("sw-bad-soft", "--bad-soft"),
];

/// GET /style
pub async fn show(user: CurrentUser) -> Result<Response, WebError> {
    let page = StylePage {
        ctx: PageContext::new(&user, Section::Account),
        swatches: SWATCHES,
    };
    Ok(render(&page)?.into_response())
}
