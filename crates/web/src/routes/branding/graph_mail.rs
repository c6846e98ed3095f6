//! Settings ▸ Branding ▸ "Send email from a Microsoft 365 mailbox": the choices shown on the
//! page, and POST /settings/branding/email (admins only; the use case audits).

use super::pages::{BrandingForm, BrandingPage};
use crate::AppState;
use crate::auth::{CurrentUser, RecentAdmin};
use crate::error::WebError;
use crate::middleware::client_ip::ClientIp;
use crate::page::render;
use crate::routes::sentence;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use countersign_app::graph_mail::GraphMailInput;
use countersign_store::IntegrationStore;

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
    /// Store failures.
    pub async fn load(state: &AppState, user: &CurrentUser) -> Result<Self, WebError> {
        let app = &state.app;
        let integrations = app
            .store
            .integrations(user.org.id)
            .await?
            .into_iter()
            .filter(|i| countersign_app::graph_mail::mail_tenant(i).is_ok())
            .map(|i| (i.id.to_string(), i.name))
            .collect();
        let current = app
            .graph_mail_setting(&user.technician)
            .await
            .map_err(WebError::from)?;
        Ok(Self {
            integrations,
            integration_id: current
                .as_ref()
                .map(|g| g.integration_id.to_string())
                .unwrap_or_default(),
            mailbox: current.map(|g| g.mailbox).unwrap_or_default(),
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
    match state
        .app
        .set_graph_mail(&user.technician, &input, Some(ip.to_string()))
        .await
    {
        Ok(()) => Ok(Redirect::to("/settings/branding?notice=email_saved").into_response()),
        Err(e) if e.is_user_error() => {
            let brand = countersign_app::messages::brand_of(&state.app, user.org.id).await?;
            let mut page = BrandingPage::new(&state, &user, BrandingForm::from(brand));
            page.graph = GraphMailSection::load(&state, &user).await?;
            page.graph.integration_id = form.integration_id;
            page.graph.mailbox = form.mailbox;
            page.graph.error = Some(sentence(&e.to_string()));
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
        Err(e) => Err(e.into()),
    }
}
