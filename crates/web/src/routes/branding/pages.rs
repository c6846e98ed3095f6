//! GET /settings/branding.

use super::graph_mail::GraphMailSection;
use crate::AppState;
use crate::auth::{CurrentUser, RequireAdmin};
use crate::error::WebError;
use crate::middleware::client_ip::ClientIp;
use crate::page::{PageContext, Section, render};
use askama::Template;
use axum::extract::{Query, State};
use axum::response::Html;
use countersign_messaging::Brand;

/// The form's values.
#[derive(Clone, Debug, Default, serde::Deserialize)]
pub struct BrandingForm {
    #[serde(default)]
    pub display_name: String,
    #[serde(default)]
    pub logo_url: String,
    #[serde(default)]
    pub colour: String,
    #[serde(default)]
    pub footer: String,
    #[serde(default)]
    pub reply_to: String,
}

impl From<Brand> for BrandingForm {
    fn from(b: Brand) -> Self {
        Self {
            display_name: b.name,
            logo_url: b.logo_url,
            colour: b.colour,
            footer: b.footer,
            reply_to: b.reply_to,
        }
    }
}

#[derive(Template)]
#[template(path = "branding/show.html")]
pub struct BrandingPage {
    pub ctx: PageContext,
    pub tab: &'static str,
    pub form: BrandingForm,
    pub notice: Option<&'static str>,
    pub error: Option<String>,
    pub test_error: Option<String>,
    pub test_recipient: String,
    pub outbox: bool,
    /// Send email from a Microsoft 365 mailbox.
    pub graph: GraphMailSection,
    /// Fresh per rendering: the test message's idempotency key, so a double submit of one
    /// form queues one message.
    pub nonce: String,
}

impl BrandingPage {
    /// The page for `user` with these values.
    #[must_use]
    pub fn new(state: &AppState, user: &CurrentUser, form: BrandingForm) -> Self {
        Self {
            ctx: PageContext::new(user, Section::Settings),
            tab: "branding",
            form,
            notice: None,
            error: None,
            test_error: None,
            test_recipient: String::new(),
            outbox: state.app.settings.messaging.transport
                == countersign_app::settings::MessagingTransport::Outbox,
            graph: GraphMailSection::default(),
            nonce: uuid::Uuid::new_v4().simple().to_string(),
        }
    }
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct BrandingQuery {
    notice: Option<String>,
}

pub async fn show(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    RequireAdmin(user): RequireAdmin,
    Query(q): Query<BrandingQuery>,
) -> Result<Html<String>, WebError> {
    let by = user.principal(ip);
    let brand = state.app.branding_view(&by).await?;
    let mut page = BrandingPage::new(&state, &user, brand.into());
    page.graph = GraphMailSection::load(&state, &by).await?;
    page.notice = match q.notice.as_deref() {
        Some("saved") => Some("Saved. New messages use this branding."),
        Some("email_saved") => Some("Saved. New emails go out this way."),
        Some("test_queued") => Some(
            "Test message queued. Its progress shows on the Jobs page (and in the Outbox while the outbox is selected).",
        ),
        _ => None,
    };
    render(&page)
}
