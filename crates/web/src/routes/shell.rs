//! Sections whose features arrive in later issues (Contacts and Customers have their own
//! areas now): each shows an empty state that says what
//! to do next, so a new org is never left on a blank page.

use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::WebError;
use crate::page::{PageContext, Section, render};
use askama::Template;
use axum::Router;
use axum::response::{Html, IntoResponse, Redirect};
use axum::routing::get;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route(
            "/integrations",
            get(|| async { Redirect::to("/integrations/psa") }),
        )
        .route("/broadcasts", get(broadcasts))
}

#[derive(Template)]
#[template(path = "shell/empty_section.html")]
struct EmptySection {
    ctx: PageContext,
    heading: &'static str,
    subnav: Vec<(&'static str, &'static str, bool)>,
    empty_title: &'static str,
    empty_text: &'static str,
    next_step: Option<(&'static str, &'static str)>,
}

async fn home(_user: CurrentUser) -> impl IntoResponse {
    Redirect::to("/contacts")
}

async fn broadcasts(user: CurrentUser) -> Result<Html<String>, WebError> {
    render(&EmptySection {
        ctx: PageContext::new(&user, Section::Broadcasts),
        heading: "Broadcasts",
        subnav: Vec::new(),
        empty_title: "No broadcasts yet",
        empty_text: "Broadcasts send an SMS or email announcement to many contacts at once. They need contacts first: connect an integration.",
        next_step: Some(("/integrations/psa", "Go to PSA Integrations")),
    })
}
