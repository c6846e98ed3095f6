//! Manual customers: admins create them (for contacts that no source syncs) and set any
//! customer's default country, with which national phone numbers of its contacts are read.

use super::ContactError;
use crate::App;
use crate::audit::Actor;
use countersign_domain::text::CUSTOMER_NAME;
use countersign_domain::{Country, CustomerId};
use countersign_store::{Customer, CustomerStore, SourceKind, Technician};
use serde_json::json;

impl App {
    /// Creates a manual customer.
    ///
    /// # Errors
    /// Not an admin, a blank name, or a store failure.
    pub async fn create_customer(
        &self,
        by: &Technician,
        name: &str,
        default_country: Option<Country>,
        ip: Option<String>,
    ) -> Result<Customer, ContactError> {
        if !by.role.can_manage() {
            return Err(ContactError::NotAllowed);
        }
        let name = CUSTOMER_NAME.check(name)?;
        if name.is_empty() {
            return Err(ContactError::CustomerNameRequired);
        }
        let customer = Customer {
            id: CustomerId::new(),
            org_id: by.org_id,
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
            &Actor::technician(by, ip),
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
    /// Not an admin, not found, a blank name, or a store failure.
    pub async fn update_customer(
        &self,
        by: &Technician,
        id: CustomerId,
        name: &str,
        default_country: Option<Country>,
        ip: Option<String>,
    ) -> Result<Customer, ContactError> {
        if !by.role.can_manage() {
            return Err(ContactError::NotAllowed);
        }
        let before = self.store.customer(by.org_id, id).await?;
        let name = if before.source == SourceKind::Manual {
            CUSTOMER_NAME.check(name)?
        } else {
            before.name.as_str()
        };
        if name.is_empty() {
            return Err(ContactError::CustomerNameRequired);
        }
        self.store
            .update_customer(by.org_id, id, name, default_country)
            .await?;
        // Synced numbers that needed the default country are read again now, not at the
        // next sync.
        let reread = if before.default_country == default_country {
            0
        } else {
            self.reparse_customer_phones(by.org_id, id).await?
        };
        self.audit(
            &Actor::technician(by, ip),
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
        Ok(self.store.customer(by.org_id, id).await?)
    }
}
