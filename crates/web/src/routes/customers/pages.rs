//! GET /customers, /customers/{id}.

use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::WebError;
use crate::middleware::client_ip::ClientIp;
use crate::page::{PageContext, Section, render};
use crate::routes::contacts::{ContactRow, ago, contact_rows};
use crate::routes::notice_text;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Html;
use countersign_domain::{Country, CustomerId};
use countersign_messaging::end_user::Language;
use countersign_store::SourceKind;
use serde::Deserialize;
use std::net::IpAddr;

struct CustomerRow {
    id: String,
    name: String,
    source: &'static str,
    contacts: i64,
    country: &'static str,
    last_sync: String,
}

#[derive(Template)]
#[template(path = "customers/index.html")]
pub(super) struct IndexPage {
    ctx: PageContext,
    rows: Vec<CustomerRow>,
    next: Option<String>,
    countries: Vec<(&'static str, &'static str)>,
    form_name: String,
    form_country: String,
    notice: Option<&'static str>,
    error: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct IndexQuery {
    #[serde(default)]
    after: String,
    notice: Option<String>,
}

/// The countries a customer's default can be (every country of ISO 3166-1), by name, for
/// selects.
pub(super) fn countries() -> Vec<(&'static str, &'static str)> {
    let mut all: Vec<_> = Country::all().map(|c| (c.code(), c.name())).collect();
    all.sort_unstable_by_key(|(_, name)| *name);
    all
}

/// `after=` of the customer list: `<id>.<name key>` (the key is the folded name, which may
/// contain anything but is only compared, never shown).
fn decode_after(raw: &str) -> Option<(String, CustomerId)> {
    let (id, key) = raw.split_once('.')?;
    Some((key.to_owned(), id.parse().ok()?))
}

pub(super) async fn index_page(
    state: &AppState,
    user: &CurrentUser,
    ip: IpAddr,
    after: &str,
    form: (String, String),
    notice: Option<&'static str>,
    error: Option<String>,
) -> Result<Html<String>, WebError> {
    let list = state
        .app
        .customer_list(&user.principal(ip), decode_after(after))
        .await?;
    let next = list.next.map(|(key, id)| {
        let value = format!("{id}.{key}");
        format!("/customers?after={}", urlencoding::encode(&value))
    });
    let page = list.customers;
    let now = state.app.now();
    render(&IndexPage {
        ctx: PageContext::new(user, Section::Customers),
        rows: page
            .into_iter()
            .map(|s| CustomerRow {
                id: s.customer.id.to_string(),
                name: s.customer.name,
                source: s.customer.source.label(),
                contacts: s.contacts,
                country: s.customer.default_country.map_or("—", Country::name),
                last_sync: s
                    .customer
                    .last_synced_at
                    .map_or_else(|| "—".into(), |t| ago(now, t)),
            })
            .collect(),
        next,
        countries: countries(),
        form_name: form.0,
        form_country: form.1,
        notice,
        error,
    })
}

pub async fn index(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    user: CurrentUser,
    Query(q): Query<IndexQuery>,
) -> Result<Html<String>, WebError> {
    index_page(
        &state,
        &user,
        ip,
        &q.after,
        (String::new(), String::new()),
        q.notice.as_deref().and_then(notice_text),
        None,
    )
    .await
}

#[derive(Template)]
#[template(path = "customers/show.html")]
pub(super) struct ShowPage {
    ctx: PageContext,
    id: String,
    name: String,
    source: &'static str,
    manual: bool,
    country: String,
    country_name: &'static str,
    /// The Microsoft 365 tenant's own country, when it gave one.
    tenant_country: Option<&'static str>,
    countries: Vec<(&'static str, &'static str)>,
    /// Its own time zone for quiet hours ('' for the org's).
    time_zone: String,
    /// The language of its contacts' end-user pages and messages ('' for none).
    language: String,
    language_name: &'static str,
    languages: Vec<(&'static str, &'static str)>,
    last_sync: String,
    rows: Vec<ContactRow>,
    more: bool,
    notice: Option<&'static str>,
    error: Option<String>,
}

pub(super) async fn show_page(
    state: &AppState,
    user: &CurrentUser,
    ip: IpAddr,
    id: CustomerId,
    notice: Option<&'static str>,
    error: Option<String>,
) -> Result<Html<String>, WebError> {
    let by = user.principal(ip);
    let view = state.app.customer_page(&by, id).await?;
    let time_zone = state.app.customer_time_zone(&by, id).await?;
    let language = state.app.customer_language(&by, id).await?;
    let customer = &view.customer;
    let now = state.app.now();
    render(&ShowPage {
        ctx: PageContext::new(user, Section::Customers),
        id: customer.id.to_string(),
        name: customer.name.clone(),
        source: customer.source.label(),
        manual: customer.source == SourceKind::Manual,
        country: customer
            .default_country
            .map(|c| c.code().to_owned())
            .unwrap_or_default(),
        country_name: customer.default_country.map_or("none", Country::name),
        tenant_country: customer.tenant_country.map(Country::name),
        countries: countries(),
        time_zone: time_zone.unwrap_or_default(),
        language: language.map(Language::code).unwrap_or_default().to_owned(),
        language_name: language.map_or("none set", Language::name),
        languages: Language::ALL.iter().map(|l| (l.code(), l.name())).collect(),
        last_sync: customer.last_synced_at.map_or_else(
            || "never".into(),
            |t| format!("{} ({})", t.display(), ago(now, t)),
        ),
        rows: contact_rows(now, &view.contacts),
        more: view.more,
        notice,
        error,
    })
}

#[derive(Debug, Default, Deserialize)]
pub struct ShowQuery {
    notice: Option<String>,
}

pub async fn show(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    user: CurrentUser,
    Path(id): Path<String>,
    Query(q): Query<ShowQuery>,
) -> Result<Html<String>, WebError> {
    let id: CustomerId = id.parse().map_err(|_| WebError::NotFound)?;
    show_page(
        &state,
        &user,
        ip,
        id,
        q.notice.as_deref().and_then(notice_text),
        None,
    )
    .await
}
