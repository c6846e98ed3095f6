//! What every page template gets (who is signed in, the CSRF token, the active section), and
//! rendering.

use crate::auth::CurrentUser;
use crate::error::WebError;
use askama::Template;
use axum::response::Html;

/// Navigation sections, for highlighting the current one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Section {
    Dashboard,
    Contacts,
    Customers,
    Integrations,
    Broadcasts,
    Audit,
    Settings,
    Account,
}

/// The layout's context: the signed-in technician, the form token, the section.
#[derive(Clone, Debug)]
pub struct PageContext {
    pub user_name: String,
    pub user_email: String,
    pub org_name: String,
    pub is_admin: bool,
    /// Session-bound CSRF token; every form embeds it as `_csrf`.
    pub csrf: String,
    pub section: Section,
}

impl PageContext {
    #[must_use]
    pub fn new(user: &CurrentUser, section: Section) -> Self {
        Self {
            user_name: user.technician.name.clone(),
            user_email: user.technician.email.clone(),
            org_name: user.org.name.clone(),
            is_admin: user.technician.role.can_manage(),
            csrf: user.csrf_token.clone(),
            section,
        }
    }

    /// For templates: whether `name` is the current section (`"contacts"`, `"audit"`, ...).
    #[must_use]
    pub fn is(&self, name: &str) -> bool {
        let current = match self.section {
            Section::Dashboard => "dashboard",
            Section::Contacts => "contacts",
            Section::Customers => "customers",
            Section::Integrations => "integrations",
            Section::Broadcasts => "broadcasts",
            Section::Audit => "audit",
            Section::Settings => "settings",
            Section::Account => "account",
        };
        current == name
    }
}

/// Renders a template into an HTML response.
///
/// # Errors
/// A template rendering failure (a bug), as an internal error.
pub fn render(t: &impl Template) -> Result<Html<String>, WebError> {
    Ok(Html(t.render()?))
}

/// The standalone error page (no navigation: it may be shown to signed-out visitors).
#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage<'a> {
    pub status: u16,
    pub title: &'a str,
    pub message: &'a str,
    pub error_id: Option<&'a str>,
}
