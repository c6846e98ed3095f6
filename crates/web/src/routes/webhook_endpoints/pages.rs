//! GET /settings/webhooks (list and the add form) and /settings/webhooks/{id} (one endpoint
//! with its recent deliveries). After creating an endpoint or rotating its secret, the action
//! redirects here with the secret sealed in the session's flash (`flash.rs`): shown once,
//! never in a URL.

use super::parse_id;
use crate::AppState;
use crate::auth::{CurrentUser, RequireAdmin};
use crate::error::WebError;
use crate::flash;
use crate::middleware::client_ip::ClientIp;
use crate::page::{PageContext, Section, render};
use crate::routes::{NoticeQuery, notice_text};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use countersign_app::webhooks::WebhookEventKind;
use countersign_app::{App, Principal};
use countersign_store::{WebhookDelivery, WebhookEndpoint};
use serde::{Deserialize, Serialize};

/// Deliveries shown per endpoint.
const RECENT: i64 = 50;

/// One row of the list.
#[derive(Clone)]
pub struct EndpointView {
    pub id: String,
    pub url: String,
    pub description: String,
    pub events: String,
    pub enabled: bool,
    pub created: String,
}

impl From<&WebhookEndpoint> for EndpointView {
    fn from(e: &WebhookEndpoint) -> Self {
        Self {
            id: e.id.to_string(),
            url: e.url.clone(),
            description: e.description.clone(),
            events: e.events.join(", "),
            enabled: e.enabled,
            created: e.created_at.display(),
        }
    }
}

/// An event kind checkbox of the add form.
pub struct EventChoice {
    pub name: &'static str,
    pub checked: bool,
}

/// What the add form holds (empty, or what was sent when it is shown again with an error).
#[derive(Default)]
pub struct AddForm {
    pub url: String,
    pub description: String,
    pub events: Vec<String>,
}

#[derive(Template)]
#[template(path = "webhook_endpoints/index.html")]
pub struct IndexPage {
    pub ctx: PageContext,
    pub tab: &'static str,
    pub endpoints: Vec<EndpointView>,
    pub choices: Vec<EventChoice>,
    pub url: String,
    pub description: String,
    pub notice: Option<&'static str>,
    pub error: Option<String>,
    /// The new endpoint and its secret, right after creating it.
    pub created: Option<(EndpointView, String)>,
}

impl IndexPage {
    /// The page for `user`, with the add form holding `form`.
    pub async fn build(
        app: &App,
        user: &CurrentUser,
        by: &Principal,
        form: AddForm,
    ) -> Result<Self, WebError> {
        let endpoints = app.webhook_endpoints_view(by).await?;
        let choices = WebhookEventKind::SUBSCRIBABLE
            .iter()
            .map(|k| EventChoice {
                name: k.as_str(),
                checked: form.events.iter().any(|e| e == k.as_str()),
            })
            .collect();
        Ok(Self {
            ctx: PageContext::new(user, Section::Settings),
            tab: "webhooks",
            endpoints: endpoints.iter().map(EndpointView::from).collect(),
            choices,
            url: form.url,
            description: form.description,
            notice: None,
            error: None,
            created: None,
        })
    }
}

pub async fn index(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    RequireAdmin(user): RequireAdmin,
    Query(q): Query<NoticeQuery>,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    let by = user.principal(ip);
    let mut page = IndexPage::build(&state.app, &user, &by, AddForm::default()).await?;
    page.notice = q.notice.as_deref().and_then(notice_text);
    let mut taken = flash::take::<NewSecret>(&state, &user, INDEX_PAGE, &headers);
    page.created = taken.value.take().and_then(|new| {
        let e = page.endpoints.iter().find(|e| e.id == new.endpoint)?;
        Some((e.clone(), new.secret))
    });
    Ok(taken.respond(render(&page)?))
}

/// A signing secret just made (endpoint added or secret rotated), carried by the flash from
/// the POST to the page that shows it once (PRG).
#[derive(Serialize, Deserialize)]
pub struct NewSecret {
    pub endpoint: String,
    pub secret: String,
}

/// The list, where a new endpoint's secret is shown.
pub const INDEX_PAGE: &str = "/settings/webhooks";

/// An endpoint's page, where a rotated secret is shown.
#[must_use]
pub fn show_path(id: &str) -> String {
    format!("/settings/webhooks/{id}")
}

/// One delivery row.
pub struct DeliveryView {
    pub id: String,
    pub event_kind: String,
    pub state: &'static str,
    pub ok: bool,
    pub failed: bool,
    pub attempts: i64,
    pub last_status: String,
    pub last_error: String,
    pub next_attempt: String,
    pub created: String,
}

impl From<&WebhookDelivery> for DeliveryView {
    fn from(d: &WebhookDelivery) -> Self {
        use countersign_store::WebhookDeliveryState as S;
        Self {
            id: d.delivery.id.to_string(),
            event_kind: d.delivery.event_kind.clone(),
            state: d.state.as_str(),
            ok: d.state == S::Delivered,
            failed: d.state == S::Failed,
            attempts: d.attempts,
            last_status: d.last_status.map(|s| s.to_string()).unwrap_or_default(),
            last_error: d.last_error.clone().unwrap_or_default(),
            next_attempt: d.next_attempt_at.map(|t| t.display()).unwrap_or_default(),
            created: d.delivery.created_at.display(),
        }
    }
}

#[derive(Template)]
#[template(path = "webhook_endpoints/show.html")]
pub struct ShowPage {
    pub ctx: PageContext,
    pub tab: &'static str,
    pub endpoint: EndpointView,
    pub deliveries: Vec<DeliveryView>,
    pub notice: Option<&'static str>,
    pub error: Option<String>,
    /// The new secret, right after rotating it.
    pub secret: Option<String>,
}

impl ShowPage {
    /// The page of one of `user`'s org's endpoints (`NotFound` for any other).
    pub async fn build(
        app: &App,
        user: &CurrentUser,
        by: &Principal,
        id: &str,
    ) -> Result<Self, WebError> {
        let id = parse_id(id)?;
        let view = app.webhook_endpoint_view(by, id, RECENT).await?;
        Ok(Self {
            ctx: PageContext::new(user, Section::Settings),
            tab: "webhooks",
            endpoint: EndpointView::from(&view.endpoint),
            deliveries: view.deliveries.iter().map(DeliveryView::from).collect(),
            notice: None,
            error: None,
            secret: None,
        })
    }
}

pub async fn show(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    RequireAdmin(user): RequireAdmin,
    Path(id): Path<String>,
    Query(q): Query<NoticeQuery>,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    let by = user.principal(ip);
    let mut page = ShowPage::build(&state.app, &user, &by, &id).await?;
    page.notice = q.notice.as_deref().and_then(notice_text);
    let mut taken =
        flash::take::<NewSecret>(&state, &user, &show_path(&page.endpoint.id), &headers);
    page.secret = taken
        .value
        .take()
        .filter(|new| new.endpoint == page.endpoint.id)
        .map(|new| new.secret);
    Ok(taken.respond(render(&page)?))
}
