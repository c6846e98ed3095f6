//! The directory's reads, as the pages show them: the contact list, a contact's page, the
//! customer list and a customer's page. Each checks `ViewDirectory` and reads within the
//! principal's org only; the pages format what these return.

use super::{ContactError, EditRoute, visible};
use crate::{App, Principal};
use countersign_domain::search::parse_query;
use countersign_domain::{ContactId, CustomerId, OrgId, Permission, Timestamp};
use countersign_store::{
    Contact, ContactChange, ContactCursor, ContactQuery, ContactSort, ContactStore, Customer,
    CustomerStore, CustomerSummary, PodStore, SourceKind, TechnicianStore, VerificationStore,
};
use std::collections::HashMap;
use std::time::Duration;

/// Contacts per page of the contact list.
const CONTACT_PAGE: i64 = 50;
/// Customers per page of the customer list.
const CUSTOMER_PAGE: i64 = 100;
/// Contacts a customer's page shows (the contact list, filtered, has them all).
const CUSTOMER_CONTACTS: i64 = 50;

/// A contact as lists show it, with what the list needs besides the row.
#[derive(Clone, Debug)]
pub struct ContactListItem {
    pub contact: Contact,
    /// The customer's name ('' if it is gone).
    pub customer_name: String,
    /// The last successful verification.
    pub last_verified: Option<Timestamp>,
    /// Verified within the org's verified window (the shield is green).
    pub verified_fresh: bool,
}

/// The contact list's filters, as typed.
#[derive(Clone, Debug, Default)]
pub struct ContactListQuery {
    /// The search box.
    pub q: String,
    /// A customer id ('' for all; another org's or a malformed one lists nothing).
    pub customer: String,
    /// A source kind ('' for all).
    pub source: String,
    pub include_inactive: bool,
    pub sort: ContactSort,
    pub after: Option<ContactCursor>,
}

/// One page of the contact list.
#[derive(Clone, Debug)]
pub struct ContactListView {
    /// The customer filtered on, when it is one of the org's.
    pub customer: Option<Customer>,
    pub items: Vec<ContactListItem>,
    /// The cursor of the next page, when there is one.
    pub next: Option<ContactCursor>,
    /// The search text was typed but says nothing searchable.
    pub unsearchable: bool,
}

/// Who changed a contact's channel.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ChangedBy {
    /// The contact's source, by a sync.
    Sync,
    /// A technician, by name.
    Technician(String),
    /// A technician who is gone.
    Unknown,
}

/// One change of a contact's mobile number or email address.
#[derive(Clone, Debug)]
pub struct ContactChangeView {
    pub change: ContactChange,
    pub by: ChangedBy,
}

/// A contact's page.
#[derive(Clone, Debug)]
pub struct ContactPage {
    pub contact: Contact,
    pub customer: Customer,
    /// Newest first.
    pub changes: Vec<ContactChangeView>,
    /// The contact's edits reach its source outside Countersign.
    pub writes_back: bool,
    /// The principal may change where codes and links go (the forms say so up front; the
    /// use cases refuse it otherwise).
    pub may_edit_channels: bool,
}

/// One page of the customer list.
#[derive(Clone, Debug)]
pub struct CustomerListView {
    pub customers: Vec<CustomerSummary>,
    /// `(name key, id)` of the last customer, when there is a next page.
    pub next: Option<(String, CustomerId)>,
}

/// A customer's page.
#[derive(Clone, Debug)]
pub struct CustomerPage {
    pub customer: Customer,
    /// Its first contacts.
    pub contacts: Vec<ContactListItem>,
    /// It has more than these.
    pub more: bool,
}

/// `items` cut to `page`, and whether there were more.
fn cut<T>(mut items: Vec<T>, page: i64) -> (Vec<T>, bool) {
    let page = usize::try_from(page).unwrap_or(usize::MAX);
    let more = items.len() > page;
    items.truncate(page);
    (items, more)
}

impl App {
    /// One page of the org's contacts, searched and filtered.
    ///
    /// # Errors
    /// Without `ViewDirectory`, or a store failure.
    pub async fn contact_list(
        &self,
        by: &Principal,
        q: &ContactListQuery,
    ) -> Result<ContactListView, ContactError> {
        by.require(Permission::ViewDirectory)?;
        let org = by.org_id();
        let customer = match q.customer.parse::<CustomerId>() {
            // Another org's customer id filters to nothing and shows no name.
            Ok(id) => self.store.customer(org, id).await.ok(),
            Err(_) => None,
        };
        let tokens = parse_query(&q.q);
        let unsearchable = !q.q.trim().is_empty() && tokens.is_empty();
        let query = ContactQuery {
            tokens,
            customer: customer.as_ref().map(|c| c.id),
            source: SourceKind::parse(&q.source),
            include_inactive: q.include_inactive,
            sort: q.sort,
            after: q.after.clone(),
            limit: CONTACT_PAGE + 1,
        };
        let found = if q.customer.is_empty() || customer.is_some() {
            self.store.search_contacts(org, &query).await?
        } else {
            Vec::new()
        };
        let (contacts, more) = cut(found, CONTACT_PAGE);
        let next = contacts.last().filter(|_| more).map(|last| ContactCursor {
            key: q.sort.key_of(last),
            id: last.id,
        });
        Ok(ContactListView {
            customer,
            items: self.list_items(org, contacts).await?,
            next,
            unsearchable,
        })
    }

    /// The list rows of `contacts`: customer names and the last verification are read once
    /// per page, not per row.
    async fn list_items(
        &self,
        org: OrgId,
        contacts: Vec<Contact>,
    ) -> Result<Vec<ContactListItem>, ContactError> {
        let mut customer_ids: Vec<CustomerId> = contacts.iter().map(|c| c.customer_id).collect();
        customer_ids.sort();
        customer_ids.dedup();
        let names: HashMap<CustomerId, String> = self
            .store
            .customers_by_ids(org, &customer_ids)
            .await?
            .into_iter()
            .map(|c| (c.id, c.name))
            .collect();
        let ids: Vec<_> = contacts.iter().map(|c| c.id).collect();
        let verified: HashMap<_, _> = self
            .store
            .last_verified(org, &ids)
            .await?
            .into_iter()
            .collect();
        let window_minutes = self.store.pod_settings(org).await?.verified_window_minutes;
        let fresh_after = self.now().minus(Duration::from_secs(
            u64::try_from(window_minutes).unwrap_or(15) * 60,
        ));
        Ok(contacts
            .into_iter()
            .map(|c| {
                let last_verified = verified.get(&c.id).copied();
                ContactListItem {
                    customer_name: names.get(&c.customer_id).cloned().unwrap_or_default(),
                    last_verified,
                    verified_fresh: last_verified.is_some_and(|t| t >= fresh_after),
                    contact: c,
                }
            })
            .collect())
    }

    /// A contact's page: the contact, its customer and the changes of its channels.
    ///
    /// # Errors
    /// Without `ViewDirectory`, not found, or a store failure.
    pub async fn contact_page(
        &self,
        by: &Principal,
        id: ContactId,
    ) -> Result<ContactPage, ContactError> {
        by.require(Permission::ViewDirectory)?;
        let org = by.org_id();
        let contact = self.store.contact(org, id).await.and_then(visible)?;
        let customer = self.store.customer(org, contact.customer_id).await?;
        let mut changes = Vec::new();
        for change in self.store.contact_changes(org, id, 20).await? {
            let by = match change.technician_id {
                None => ChangedBy::Sync,
                Some(t) => self
                    .store
                    .technician(org, t)
                    .await
                    .map_or(ChangedBy::Unknown, |t| ChangedBy::Technician(t.name)),
            };
            changes.push(ContactChangeView { change, by });
        }
        Ok(ContactPage {
            writes_back: EditRoute::of(contact.source).writes_back(),
            may_edit_channels: by.may(Permission::EditContacts),
            contact,
            customer,
            changes,
        })
    }

    /// The customer a new contact is made for (a manual one: a synced customer's contacts
    /// come from its source).
    ///
    /// # Errors
    /// Without `ManageContacts`, not found, a synced customer, or a store failure.
    pub async fn new_contact_customer(
        &self,
        by: &Principal,
        id: CustomerId,
    ) -> Result<Customer, ContactError> {
        by.require(Permission::ManageContacts)?;
        let customer = self.store.customer(by.org_id(), id).await?;
        if customer.source != SourceKind::Manual {
            return Err(ContactError::NotManual(
                "this customer's contacts come from its source: add the user there and sync",
            ));
        }
        Ok(customer)
    }

    /// One page of the org's customers, by name, after `(name key, id)`.
    ///
    /// # Errors
    /// Without `ViewDirectory`, or a store failure.
    pub async fn customer_list(
        &self,
        by: &Principal,
        after: Option<(String, CustomerId)>,
    ) -> Result<CustomerListView, ContactError> {
        by.require(Permission::ViewDirectory)?;
        let found = self
            .store
            .customers(
                by.org_id(),
                after.as_ref().map(|(k, id)| (k.as_str(), *id)),
                CUSTOMER_PAGE + 1,
            )
            .await?;
        let (customers, more) = cut(found, CUSTOMER_PAGE);
        let next = customers.last().filter(|_| more).map(|s| {
            (
                countersign_domain::search::name_key(&s.customer.name),
                s.customer.id,
            )
        });
        Ok(CustomerListView { customers, next })
    }

    /// A customer's page: the customer and its first contacts.
    ///
    /// # Errors
    /// Without `ViewDirectory`, not found, or a store failure.
    pub async fn customer_page(
        &self,
        by: &Principal,
        id: CustomerId,
    ) -> Result<CustomerPage, ContactError> {
        by.require(Permission::ViewDirectory)?;
        let org = by.org_id();
        let customer = self.store.customer(org, id).await?;
        let query = ContactQuery {
            customer: Some(customer.id),
            limit: CUSTOMER_CONTACTS + 1,
            ..ContactQuery::default()
        };
        let (contacts, more) = cut(
            self.store.search_contacts(org, &query).await?,
            CUSTOMER_CONTACTS,
        );
        Ok(CustomerPage {
            customer,
            contacts: self.list_items(org, contacts).await?,
            more,
        })
    }
}
