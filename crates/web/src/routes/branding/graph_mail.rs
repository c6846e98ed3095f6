//! Settings ▸ Branding ▸ "Send email from a Microsoft 365 mailbox": the choices shown on the
//! page, and POST /settings/branding/email (admins only; the use case audits).

use super::pages::{BrandingForm, BrandingPage};
use crate::AppState;
use crate::auth::RecentAdmin;
use crate::error::{RerenderOnUserError, WebError, one_line};
use crate::middleware::client_ip::ClientIp;
use crate::page::render;
use axum::Form;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use countersign_app::Principal;
use countersign_app::graph_mail::GraphMailInput;

/// The section's state on the page.
#[derive(Clone, Debug, Default)]
pub struct GraphMailSection {
    /// Integrations with an app in the MSP's own tenant: (id, name).
    pub integrations: Vec<(String, String)>,
    /// The chosen integration's id (empty: SMTP).
    pub integration_id: String,
    /// The chosen mailbox.
    pub mailbox: String,
    /// Why the last save was refused.
    pub error: Option<String>,
}

impl GraphMailSection {
    /// The org's integrations and its current choice.
    ///
    /// # Errors
    /// Not allowed; store failures.
    pub async fn load(state: &AppState, by: &Principal) -> Result<Self, WebError> {
        let view = state.app.graph_mail_view(by).await?;
        Ok(Self {
            integrations: view
                .senders
                .into_iter()
                .map(|(id, name)| (id.to_string(), name))
                .collect(),
            integration_id: view
                .current
                .as_ref()
                .map(|g| g.integration_id.to_string())
                .unwrap_or_default(),
            mailbox: view.current.map(|g| g.mailbox).unwrap_or_default(),
            error: None,
        })
    }
}

/// The form.
#[derive(Debug, Default, serde::Deserialize)]
pub struct GraphMailForm {
    #[serde(default)]
    integration_id: String,
    #[serde(default)]
    mailbox: String,
}

/// Saves the choice; an empty integration goes back to SMTP.
pub async fn save(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    RecentAdmin(user): RecentAdmin,
    Form(form): Form<GraphMailForm>,
) -> Result<Response, WebError> {
    let input = GraphMailInput {
        integration_id: form.integration_id.clone(),
        mailbox: form.mailbox.clone(),
    };
    let by = user.principal(ip);
    state
        .app
        .set_graph_mail(&by, &input)
        .await
        .or_rerender(async |m| {
            let brand = state.app.branding_view(&by).await?;
            let mut page = BrandingPage::new(&state, &user, BrandingForm::from(brand));
            page.graph = GraphMailSection::load(&state, &by).await?;
            page.graph.integration_id = form.integration_id.clone();
            page.graph.mailbox = form.mailbox.clone();
            page.graph.error = Some(one_line(&m));
            Ok(render(&page)?.into_response())
        })
        .await?;
    Ok(Redirect::to("/settings/branding?notice=email_saved").into_response())
}
