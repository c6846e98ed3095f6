//! Sections whose features arrive in later issues: each shows an empty state that says what
//! to do next, so a new org is never left on a blank page.

use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::page::{PageContext, Section, render};
use askama::Template;
use axum::Router;
use axum::response::{Html, IntoResponse, Redirect};
use axum::routing::get;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/contacts", get(contacts))
        .route("/customers", get(customers))
        .route(
            "/integrations",
            get(|| async { Redirect::to("/integrations/psa") }),
        )
        .route("/integrations/psa", get(integrations))
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

async fn contacts(user: CurrentUser) -> Result<Html<String>, AppError> {
    render(&EmptySection {
        ctx: PageContext::new(&user, Section::Contacts),
        heading: "Contacts",
        subnav: Vec::new(),
        empty_title: "No contacts yet",
        empty_text: "Contacts are the end users of your customers. They arrive when an integration syncs: connect Microsoft 365 under Integrations ▸ PSA Integrations.",
        next_step: Some(("/integrations/psa", "Go to PSA Integrations")),
    })
}

async fn customers(user: CurrentUser) -> Result<Html<String>, AppError> {
    render(&EmptySection {
        ctx: PageContext::new(&user, Section::Customers),
        heading: "Customers",
        subnav: Vec::new(),
        empty_title: "No customers yet",
        empty_text: "Customers are created when an integration syncs its tenants (Sync Customer on a Microsoft 365 integration).",
        next_step: Some(("/integrations/psa", "Go to PSA Integrations")),
    })
}

async fn integrations(user: CurrentUser) -> Result<Html<String>, AppError> {
    let admin = user.technician.role.can_manage();
    render(&EmptySection {
        ctx: PageContext::new(&user, Section::Integrations),
        heading: "PSA Integrations",
        subnav: vec![("/integrations/psa", "PSA Integrations", true)],
        empty_title: "No integrations yet",
        empty_text: if admin {
            "Integrations bring in your customers and their contacts. Microsoft 365 arrives in the next release of Countersign; this page will then offer Add ▸ Microsoft 365."
        } else {
            "Integrations bring in your customers and their contacts. Ask an admin of your organisation to add one."
        },
        next_step: None,
    })
}

async fn broadcasts(user: CurrentUser) -> Result<Html<String>, AppError> {
    render(&EmptySection {
        ctx: PageContext::new(&user, Section::Broadcasts),
        heading: "Broadcasts",
        subnav: Vec::new(),
        empty_title: "No broadcasts yet",
        empty_text: "Broadcasts send an SMS or email announcement to many contacts at once. They need contacts first: connect an integration.",
        next_step: Some(("/integrations/psa", "Go to PSA Integrations")),
    })
}
