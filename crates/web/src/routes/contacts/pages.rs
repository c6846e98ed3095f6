//! GET /contacts, /contacts/new, /contacts/{id}.

use super::cursor::{decode_cursor, encode_cursor};
use super::view::{ContactRow, ago, contact_rows};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::WebError;
use crate::page::{PageContext, Section, render};
use crate::routes::{NoticeQuery, notice_text};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Html;
use countersign_app::contacts::{ContactInput, EditRoute};
use countersign_domain::search::parse_query;
use countersign_domain::{ContactId, CustomerId, Permission};
use countersign_store::{
    ChangedField, Contact, ContactCursor, ContactQuery, ContactSort, ContactStore, Customer,
    CustomerStore, SourceKind, TechnicianStore,
};
use serde::Deserialize;

/// Contacts per page.
const PAGE: i64 = 50;

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
    user: CurrentUser,
    Query(lq): Query<ListQuery>,
) -> Result<Html<String>, WebError> {
    let org = user.org.id;
    let sort = ContactSort::parse(&lq.sort).unwrap_or_default();
    let customer: Option<Customer> = match lq.customer.parse::<CustomerId>() {
        // Another org's customer id filters to nothing and shows no name.
        Ok(id) => state.app.store.customer(org, id).await.ok(),
        Err(_) => None,
    };
    let tokens = parse_query(&lq.q);
    let hint = (!lq.q.trim().is_empty() && tokens.is_empty())
        .then_some("Type a name, an email address or at least 3 digits of a phone number.");
    let query = ContactQuery {
        tokens,
        customer: customer.as_ref().map(|c| c.id),
        source: SourceKind::parse(&lq.source),
        include_inactive: lq.inactive == "1",
        sort,
        after: decode_cursor(&lq.after),
        limit: PAGE + 1,
    };
    let mut contacts = if lq.customer.is_empty() || customer.is_some() {
        state.app.store.search_contacts(org, &query).await?
    } else {
        Vec::new()
    };
    let more = contacts.len() > usize::try_from(PAGE).unwrap_or(50);
    contacts.truncate(usize::try_from(PAGE).unwrap_or(50));
    let next = contacts.last().filter(|_| more).map(|last| {
        let cursor = ContactCursor {
            key: sort.key_of(last),
            id: last.id,
        };
        list_url(&lq, sort, Some(&encode_cursor(&cursor)))
    });
    let first = (!lq.after.is_empty()).then(|| list_url(&lq, sort, None));
    render(&IndexPage {
        ctx: PageContext::new(&user, Section::Contacts),
        rows: contact_rows(&state, org, &contacts).await?,
        q: lq.q.clone(),
        customer: customer.map(|c| (c.id.to_string(), c.name)),
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
        hint,
        notice: lq.notice.as_deref().and_then(notice_text),
    })
}

/// A field of the contact page: label, value, and whether it comes from the source.
pub(super) struct Field {
    label: &'static str,
    value: String,
    synced: bool,
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
    pub form: ContactInput,
    pub notice: Option<&'static str>,
    pub error: Option<String>,
}

/// The contact page, with `form` in the edit form (the contact's values, or what was typed).
pub(super) async fn show_page(
    state: &AppState,
    user: &CurrentUser,
    contact: &Contact,
    form: Option<ContactInput>,
    notice: Option<&'static str>,
    error: Option<String>,
) -> Result<Html<String>, WebError> {
    let org = user.org.id;
    let store = &state.app.store;
    let customer = store.customer(org, contact.customer_id).await?;
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
    let mut changes = Vec::new();
    for c in store.contact_changes(org, contact.id, 20).await? {
        let by = match c.technician_id {
            None => format!("{} sync", contact.source.label()),
            Some(t) => store
                .technician(org, t)
                .await
                .map_or_else(|_| "a technician".to_owned(), |t| t.name),
        };
        changes.push(ChangeRow {
            field: match c.field {
                ChangedField::Mobile => "Mobile",
                ChangedField::Email => "Email",
            },
            old: c.old_value.unwrap_or_else(|| "(none)".into()),
            new: c.new_value.unwrap_or_else(|| "(none)".into()),
            by,
            at: format!("{} ({})", c.at.display(), ago(now, c.at)),
        });
    }
    let source = EditRoute::of(contact.source);
    render(&ShowPage {
        ctx: PageContext::new(user, Section::Contacts),
        id: contact.id.to_string(),
        name: contact.display_name.clone(),
        customer_id: customer.id.to_string(),
        customer: customer.name,
        source: contact.source.label(),
        manual: !synced,
        writes_back: source.writes_back(),
        edit_channels: may_edit_channels(user),
        last_sync: contact.last_synced_at.map_or_else(
            || "never".into(),
            |t| format!("{} ({})", t.display(), ago(now, t)),
        ),
        fields,
        changes,
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
    user: CurrentUser,
    Path(id): Path<String>,
    Query(q): Query<NoticeQuery>,
) -> Result<Html<String>, WebError> {
    let id: ContactId = id.parse().map_err(|_| WebError::NotFound)?;
    let contact = state.app.store.contact(user.org.id, id).await?;
    show_page(
        &state,
        &user,
        &contact,
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

/// Whether the user may change where codes and links go (the admin role, or the "Edit
/// contacts" permission); the app refuses it otherwise, the forms only say so up front.
fn may_edit_channels(user: &CurrentUser) -> bool {
    let t = &user.technician;
    t.permissions.allows(t.role, Permission::EditContacts)
}

/// The new-contact page of a manual customer.
pub(super) fn new_page(
    user: &CurrentUser,
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
        edit_channels: may_edit_channels(user),
    })
}

#[derive(Debug, Deserialize)]
pub struct NewQuery {
    #[serde(default)]
    customer: String,
}

pub async fn new_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<NewQuery>,
) -> Result<Html<String>, WebError> {
    let id: CustomerId = q.customer.parse().map_err(|_| WebError::NotFound)?;
    let customer = state.app.store.customer(user.org.id, id).await?;
    if customer.source != SourceKind::Manual {
        return Err(WebError::BadRequest(
            "This customer's contacts come from its source: add the user there and sync.".into(),
        ));
    }
    new_page(&user, &customer, ContactInput::default(), None)
}
