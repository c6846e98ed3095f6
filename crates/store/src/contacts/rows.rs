//! Contact rows as both drivers decode them, their column lists, and what the store derives
//! from a contact (search terms, sort keys).

use crate::customers::sql::{country, parse_source};
use crate::sql::corrupt;
use crate::{ChangedField, Contact, ContactChange, email_key};
use crate::{StoreError, StoreResult};
use countersign_domain::Timestamp;
use countersign_domain::search::{self, TermSource};
use std::collections::BTreeSet;
use uuid::Uuid;

/// Columns of [`ContactRow`], as a literal for `concat!` (unprefixed: queries that join
/// select from `contacts` only).
macro_rules! contact_columns {
    () => {
        "id, org_id, customer_id, source, external_id, upn, given_name, surname, display_name, \
         email, mobile, mobile_e164, business_phones, job_title, department, account_enabled, \
         user_type, removed_at, last_synced_at, phone_changed_at, created_at, updated_at, \
         phone_country, unlinked_at"
    };
}
pub(crate) use contact_columns;

/// Every column of `contacts` in insert order: [`contact_columns`] and the sort keys.
pub(crate) const CONTACT_INSERT_COLUMNS: &str =
    concat!(contact_columns!(), ", name_key, email_key");
/// How many columns [`CONTACT_INSERT_COLUMNS`] names.
pub(crate) const CONTACT_INSERT_ARITY: usize = 26;

#[derive(sqlx::FromRow)]
pub(crate) struct ContactRow {
    id: Uuid,
    org_id: Uuid,
    customer_id: Uuid,
    source: String,
    external_id: Option<String>,
    upn: Option<String>,
    given_name: String,
    surname: String,
    display_name: String,
    email: Option<String>,
    mobile: Option<String>,
    mobile_e164: Option<String>,
    business_phones: String,
    job_title: String,
    department: String,
    account_enabled: bool,
    user_type: String,
    removed_at: Option<i64>,
    last_synced_at: Option<i64>,
    phone_changed_at: Option<i64>,
    created_at: i64,
    updated_at: i64,
    phone_country: Option<String>,
    unlinked_at: Option<i64>,
}

impl TryFrom<ContactRow> for Contact {
    type Error = StoreError;
    fn try_from(r: ContactRow) -> StoreResult<Self> {
        let business_phones: Vec<String> = serde_json::from_str(&r.business_phones)
            .map_err(|_| corrupt("business phones", &r.business_phones))?;
        Ok(Self {
            id: r.id.into(),
            org_id: r.org_id.into(),
            customer_id: r.customer_id.into(),
            source: parse_source(&r.source)?,
            external_id: r.external_id,
            upn: r.upn,
            given_name: r.given_name,
            surname: r.surname,
            display_name: r.display_name,
            email: r.email,
            mobile: r.mobile,
            mobile_e164: r.mobile_e164,
            phone_country: country(r.phone_country.as_deref())?,
            business_phones,
            job_title: r.job_title,
            department: r.department,
            account_enabled: r.account_enabled,
            user_type: r.user_type,
            removed_at: r.removed_at.map(Timestamp),
            last_synced_at: r.last_synced_at.map(Timestamp),
            phone_changed_at: r.phone_changed_at.map(Timestamp),
            created_at: Timestamp(r.created_at),
            updated_at: Timestamp(r.updated_at),
            unlinked_at: r.unlinked_at.map(Timestamp),
        })
    }
}

/// Converts rows, failing on the first corrupt one.
pub(crate) fn contacts_from(rows: Vec<ContactRow>) -> StoreResult<Vec<Contact>> {
    rows.into_iter().map(Contact::try_from).collect()
}

/// The business phones as stored (a JSON array of strings).
pub(crate) fn phones_json(phones: &[String]) -> String {
    serde_json::to_string(phones).unwrap_or_else(|_| "[]".into())
}

/// The sort keys of a contact: folded display name, lowercased email.
pub(crate) fn sort_keys(c: &Contact) -> (String, String) {
    (
        search::name_key(&c.display_name),
        email_key(c.email.as_deref()),
    )
}

/// The search terms of a contact (crates/domain/src/search.rs says which).
pub(crate) fn terms_of(c: &Contact) -> BTreeSet<String> {
    let mut phones: Vec<&str> = Vec::with_capacity(2 + c.business_phones.len());
    // The E.164 form when the number parsed, so `+44…` and national digits both match, and
    // the text as written, so what the Pod shows (`07700 900634`) matches too.
    phones.extend(c.mobile_e164.as_deref());
    phones.extend(c.mobile.as_deref());
    phones.extend(c.business_phones.iter().map(String::as_str));
    search::terms(&TermSource {
        names: [&c.display_name, &c.given_name, &c.surname],
        email: c.email.as_deref(),
        upn: c.upn.as_deref(),
        phones: &phones,
    })
}

pub(crate) type ChangeRow = (String, Option<String>, Option<String>, Option<Uuid>, i64);

pub(crate) fn change_from(r: ChangeRow) -> StoreResult<ContactChange> {
    let (field, old_value, new_value, technician_id, at) = r;
    Ok(ContactChange {
        field: ChangedField::parse(&field).ok_or_else(|| corrupt("changed field", &field))?,
        old_value,
        new_value,
        technician_id: technician_id.map(Into::into),
        at: Timestamp(at),
    })
}
