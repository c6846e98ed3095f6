//! Manual customers: principals with `ManageCustomers` (admins) create them (for contacts that
//! no source syncs) and set any customer's default country, with which national phone numbers
//! of its contacts are read.

use super::ContactError;
use crate::{App, Principal};
use countersign_domain::text::CUSTOMER_NAME;
use countersign_domain::{Country, CustomerId, Permission};
use countersign_store::{Customer, CustomerStore, SourceKind};
use serde_json::json;

impl App {
    /// Creates a manual customer.
    ///
    /// # Errors
    /// Without `ManageCustomers`, a blank name, or a store failure.
    pub async fn create_customer(
        &self,
        by: &Principal,
        name: &str,
        default_country: Option<Country>,
    ) -> Result<Customer, ContactError> {
        by.require(Permission::ManageCustomers)?;
        let name = CUSTOMER_NAME.check(name)?;
        if name.is_empty() {
            return Err(ContactError::CustomerNameRequired);
        }
        let customer = Customer {
            id: CustomerId::new(),
            org_id: by.org_id(),
            name: name.to_owned(),
            source: SourceKind::Manual,
            external_id: None,
            default_country,
            tenant_country: None,
            last_synced_at: None,
            created_at: self.now(),
        };
        self.store.create_customer(&customer).await?;
        self.audit(
            &by.actor(),
            None,
            "customer.created",
            &customer.id.to_string(),
            json!({ "default_country": default_country.map(Country::code) }),
        )
        .await?;
        Ok(customer)
    }

    /// Renames a customer (manual ones only: a synced name comes from its source) and sets
    /// its default country.
    ///
    /// # Errors
    /// Without `ManageCustomers`, not found, a blank name, or a store failure.
    pub async fn update_customer(
        &self,
        by: &Principal,
        id: CustomerId,
        name: &str,
        default_country: Option<Country>,
    ) -> Result<Customer, ContactError> {
        by.require(Permission::ManageCustomers)?;
        let org = by.org_id();
        let before = self.store.customer(org, id).await?;
        let name = if before.source == SourceKind::Manual {
            CUSTOMER_NAME.check(name)?
        } else {
            before.name.as_str()
        };
        if name.is_empty() {
            return Err(ContactError::CustomerNameRequired);
        }
        self.store
            .update_customer(org, id, name, default_country)
            .await?;
        // Synced numbers that needed the default country are read again now, not at the
        // next sync.
        let reread = if before.default_country == default_country {
            0
        } else {
            self.reparse_customer_phones(org, id).await?
        };
        self.audit(
            &by.actor(),
            None,
            "customer.updated",
            &id.to_string(),
            json!({
                "name_changed": before.name != name,
                "default_country": default_country.map(Country::code),
                "numbers_read_again": reread,
            }),
        )
        .await?;
        Ok(self.store.customer(org, id).await?)
    }
}
