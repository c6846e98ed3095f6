//! GET /contacts, /contacts/new, /contacts/{id}.

use super::cursor::{decode_cursor, encode_cursor};
use super::view::{ContactRow, ago, contact_rows};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::WebError;
use crate::middleware::client_ip::ClientIp;
use crate::page::{PageContext, Section, render};
use crate::routes::{NoticeQuery, notice_text};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Html;
use countersign_app::Principal;
use countersign_app::contacts::{ChangedBy, ContactInput, ContactListQuery};
use countersign_domain::{Channel, ContactId, CustomerId, Permission};
use countersign_store::{ChangedField, ContactSort, Customer, SourceKind};
use serde::Deserialize;
use std::net::IpAddr;

/// The list's state, all in the URL.
#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub customer: String,
    #[serde(default)]
    pub source: String,
    #[serde(default)]
    pub inactive: String,
    #[serde(default)]
    pub sort: String,
    #[serde(default)]
    pub after: String,
    pub notice: Option<String>,
}

#[derive(Template)]
#[template(path = "contacts/index.html")]
struct IndexPage {
    ctx: PageContext,
    q: String,
    customer: Option<(String, String)>,
    source: String,
    sources: Vec<(&'static str, &'static str)>,
    inactive: bool,
    sort: &'static str,
    sorts: Vec<(&'static str, &'static str)>,
    rows: Vec<ContactRow>,
    next: Option<String>,
    first: Option<String>,
    hint: Option<&'static str>,
    notice: Option<&'static str>,
}

/// `?…` of the list with `after` replaced (or dropped).
fn list_url(q: &ListQuery, sort: ContactSort, after: Option<&str>) -> String {
    let mut s = form_urlencoded::Serializer::new(String::new());
    for (k, v) in [
        ("q", q.q.as_str()),
        ("customer", q.customer.as_str()),
        ("source", q.source.as_str()),
        ("inactive", q.inactive.as_str()),
    ] {
        if !v.is_empty() {
            s.append_pair(k, v);
        }
    }
    if sort != ContactSort::default() {
        s.append_pair("sort", sort.as_str());
    }
    if let Some(a) = after {
        s.append_pair("after", a);
    }
    format!("/contacts?{}", s.finish())
}

pub async fn index(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    user: CurrentUser,
    Query(lq): Query<ListQuery>,
) -> Result<Html<String>, WebError> {
    let sort = ContactSort::parse(&lq.sort).unwrap_or_default();
    let query = ContactListQuery {
        q: lq.q.clone(),
        customer: lq.customer.clone(),
        source: lq.source.clone(),
        include_inactive: lq.inactive == "1",
        sort,
        after: decode_cursor(&lq.after),
    };
    let list = state.app.contact_list(&user.principal(ip), &query).await?;
    let next = list
        .next
        .as_ref()
        .map(|cursor| list_url(&lq, sort, Some(&encode_cursor(cursor))));
    let first = (!lq.after.is_empty()).then(|| list_url(&lq, sort, None));
    render(&IndexPage {
        ctx: PageContext::new(&user, Section::Contacts),
        rows: contact_rows(state.app.now(), &list.items),
        q: lq.q.clone(),
        customer: list.customer.map(|c| (c.id.to_string(), c.name)),
        source: SourceKind::parse(&lq.source)
            .map(|s| s.as_str().to_owned())
            .unwrap_or_default(),
        sources: SourceKind::ALL
            .iter()
            .map(|s| (s.as_str(), s.label()))
            .collect(),
        inactive: lq.inactive == "1",
        sort: sort.as_str(),
        sorts: vec![
            ("name", "Name A–Z"),
            ("-name", "Name Z–A"),
            ("email", "Email A–Z"),
            ("-email", "Email Z–A"),
        ],
        next,
        first,
        hint: list
            .unsearchable
            .then_some("Type a name, an email address or at least 3 digits of a phone number."),
        notice: lq.notice.as_deref().and_then(notice_text),
    })
}

/// A field of the contact page: label, value, and whether it comes from the source.
pub(super) struct Field {
    label: &'static str,
    value: String,
    synced: bool,
}

/// A broadcast opt-out on the contact's page.
pub(super) struct OptOutRow {
    /// The contact whose opt-out it is, for the remove form.
    contact_id: String,
    /// Empty for the contact's own; otherwise says it comes through a shared address.
    through: &'static str,
    channel: &'static str,
    channel_value: &'static str,
    address: String,
    how: &'static str,
    at: String,
    removable: bool,
}

pub(super) struct ChangeRow {
    field: &'static str,
    old: String,
    new: String,
    by: String,
    at: String,
}

#[derive(Template)]
#[template(path = "contacts/show.html")]
pub(super) struct ShowPage {
    pub ctx: PageContext,
    pub id: String,
    pub name: String,
    pub customer_id: String,
    pub customer: String,
    pub source: &'static str,
    pub manual: bool,
    pub writes_back: bool,
    /// Whether the user may change the mobile number and email address.
    pub edit_channels: bool,
    pub last_sync: String,
    pub fields: Vec<Field>,
    pub changes: Vec<ChangeRow>,
    pub opt_outs: Vec<OptOutRow>,
    pub form: ContactInput,
    pub notice: Option<&'static str>,
    pub error: Option<String>,
}

/// The contact page of `id`, with `form` in the edit form (the contact's values, or what was
/// typed).
pub(super) async fn show_page(
    state: &AppState,
    user: &CurrentUser,
    ip: IpAddr,
    id: ContactId,
    form: Option<ContactInput>,
    notice: Option<&'static str>,
    error: Option<String>,
) -> Result<Html<String>, WebError> {
    let by = user.principal(ip);
    let view = state.app.contact_page(&by, id).await?;
    let opt_outs = state.app.contact_opt_outs(&by, id).await?;
    let contact = &view.contact;
    let synced = contact.source != SourceKind::Manual;
    let opt = |v: &Option<String>| v.clone().unwrap_or_default();
    let mut fields = vec![
        ("Display name", contact.display_name.clone()),
        ("Given name", contact.given_name.clone()),
        ("Surname", contact.surname.clone()),
        ("Email", opt(&contact.email)),
        ("User principal name", opt(&contact.upn)),
        (
            "Mobile",
            match (&contact.mobile, &contact.mobile_e164) {
                (Some(m), Some(e)) if m != e => format!("{m} ({e})"),
                (Some(m), _) => m.clone(),
                _ => String::new(),
            },
        ),
        ("Business phones", contact.business_phones.join(", ")),
        ("Job title", contact.job_title.clone()),
        ("Department", contact.department.clone()),
        (
            "Account",
            if contact.account_enabled {
                "enabled"
            } else {
                "disabled"
            }
            .to_owned(),
        ),
        ("User type", contact.user_type.clone()),
        ("External id", opt(&contact.external_id)),
    ]
    .into_iter()
    .map(|(label, value)| Field {
        label,
        value,
        synced,
    })
    .collect::<Vec<_>>();
    if let Some(at) = contact.removed_at {
        fields.push(Field {
            label: "Removed at the source",
            value: at.display(),
            synced,
        });
    }
    let now = state.app.now();
    let changes = view
        .changes
        .iter()
        .map(|c| ChangeRow {
            field: match c.change.field {
                ChangedField::Mobile => "Mobile",
                ChangedField::Email => "Email",
            },
            old: c
                .change
                .old_value
                .clone()
                .unwrap_or_else(|| "(none)".into()),
            new: c
                .change
                .new_value
                .clone()
                .unwrap_or_else(|| "(none)".into()),
            by: match &c.by {
                ChangedBy::Sync => format!("{} sync", contact.source.label()),
                ChangedBy::Technician(name) => name.clone(),
                ChangedBy::Unknown => "a technician".to_owned(),
            },
            at: format!("{} ({})", c.change.at.display(), ago(now, c.change.at)),
        })
        .collect();
    let opt_outs = opt_outs
        .into_iter()
        .map(|o| OptOutRow {
            contact_id: o.contact_id.to_string(),
            through: if o.own {
                ""
            } else {
                "another contact with this address"
            },
            channel: match o.channel {
                Channel::Sms => "SMS",
                Channel::Email => "Email",
            },
            channel_value: o.channel.as_str(),
            address: o.address,
            how: o.source.label(),
            at: format!("{} ({})", o.at.display(), ago(now, o.at)),
            removable: o.removable,
        })
        .collect();
    render(&ShowPage {
        ctx: PageContext::new(user, Section::Contacts),
        id: contact.id.to_string(),
        name: contact.display_name.clone(),
        customer_id: view.customer.id.to_string(),
        customer: view.customer.name.clone(),
        source: contact.source.label(),
        manual: !synced,
        writes_back: view.writes_back,
        edit_channels: view.may_edit_channels,
        last_sync: contact.last_synced_at.map_or_else(
            || "never".into(),
            |t| format!("{} ({})", t.display(), ago(now, t)),
        ),
        fields,
        changes,
        opt_outs,
        form: form.unwrap_or_else(|| ContactInput {
            given_name: contact.given_name.clone(),
            surname: contact.surname.clone(),
            display_name: contact.display_name.clone(),
            email: opt(&contact.email),
            mobile: opt(&contact.mobile),
            job_title: contact.job_title.clone(),
            department: contact.department.clone(),
        }),
        notice,
        error,
    })
}

pub async fn show(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    user: CurrentUser,
    Path(id): Path<String>,
    Query(q): Query<NoticeQuery>,
) -> Result<Html<String>, WebError> {
    let id: ContactId = id.parse().map_err(|_| WebError::NotFound)?;
    show_page(
        &state,
        &user,
        ip,
        id,
        None,
        q.notice.as_deref().and_then(notice_text),
        None,
    )
    .await
}

#[derive(Template)]
#[template(path = "contacts/new.html")]
pub(super) struct NewPage {
    pub ctx: PageContext,
    pub customer_id: String,
    pub customer: String,
    pub country: String,
    pub form: ContactInput,
    pub error: Option<String>,
    /// Whether the user may give the contact a mobile number and email address.
    pub edit_channels: bool,
}

/// The new-contact page of a manual customer. Whether `by` may give the contact a mobile
/// number and email address is said up front; the app refuses it otherwise.
pub(super) fn new_page(
    user: &CurrentUser,
    by: &Principal,
    customer: &Customer,
    form: ContactInput,
    error: Option<String>,
) -> Result<Html<String>, WebError> {
    render(&NewPage {
        ctx: PageContext::new(user, Section::Contacts),
        customer_id: customer.id.to_string(),
        customer: customer.name.clone(),
        country: customer.default_country.map_or_else(
            || "none: enter numbers with + and the country code".into(),
            |c| c.name().to_owned(),
        ),
        form,
        error,
        edit_channels: by.may(Permission::EditContacts),
    })
}

#[derive(Debug, Deserialize)]
pub struct NewQuery {
    #[serde(default)]
    customer: String,
}

pub async fn new_form(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    user: CurrentUser,
    Query(q): Query<NewQuery>,
) -> Result<Html<String>, WebError> {
    let id: CustomerId = q.customer.parse().map_err(|_| WebError::NotFound)?;
    let by = user.principal(ip);
    let customer = state.app.new_contact_customer(&by, id).await?;
    new_page(&user, &by, &customer, ContactInput::default(), None)
}
