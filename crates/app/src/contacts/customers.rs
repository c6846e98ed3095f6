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

    /// Sets a customer's own time zone (an IANA name; blank: the org's), used for its quiet
    /// hours. Synced customers too: a directory does not say where its people are.
    ///
    /// # Errors
    /// Without `ManageCustomers`, not found, an unknown zone, or a store failure.
    pub async fn set_customer_time_zone(
        &self,
        by: &Principal,
        id: CustomerId,
        time_zone: &str,
    ) -> Result<Option<String>, ContactError> {
        by.require(Permission::ManageCustomers)?;
        let zone = match time_zone.trim() {
            "" => None,
            name => Some(countersign_domain::Zone::parse(name)?.name().to_owned()),
        };
        self.store
            .set_customer_time_zone(by.org_id(), id, zone.as_deref())
            .await?;
        self.audit(
            &by.actor(),
            None,
            "customer.time_zone_set",
            &id.to_string(),
            json!({ "time_zone": zone }),
        )
        .await?;
        Ok(zone)
    }

    /// A customer's own time zone (`None`: the org's).
    ///
    /// # Errors
    /// Without `ViewDirectory`, not found, or a store failure.
    pub async fn customer_time_zone(
        &self,
        by: &Principal,
        id: CustomerId,
    ) -> Result<Option<String>, ContactError> {
        by.require(Permission::ViewDirectory)?;
        Ok(self.store.customer_time_zone(by.org_id(), id).await?)
    }
}
