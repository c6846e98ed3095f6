//! Customers of an org (the MSP's clients) and where they come from.

pub(crate) mod sql;

use crate::StoreResult;
use crate::forwarding::store_trait;
use countersign_domain::{Country, CustomerId, OrgId, Timestamp};

/// Where a customer or contact comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SourceKind {
    /// Created in Countersign by a technician.
    Manual,
    /// Synced from a Microsoft 365 tenant.
    Microsoft365,
}

impl SourceKind {
    /// Every source, in the order filters list them.
    pub const ALL: [Self; 2] = [Self::Manual, Self::Microsoft365];

    /// The stored text.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Manual => "manual",
            Self::Microsoft365 => "microsoft365",
        }
    }

    /// Parses the stored text; `None` for anything else.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// What the UI calls it.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Self::Manual => "Manual",
            Self::Microsoft365 => "Microsoft 365",
        }
    }
}

/// A company the MSP serves.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Customer {
    /// Primary key.
    pub id: CustomerId,
    /// The org (MSP) that serves the customer.
    pub org_id: OrgId,
    /// Display name.
    pub name: String,
    /// Where the customer comes from.
    pub source: SourceKind,
    /// The id at the source (the tenant id for Microsoft 365), `None` for manual customers.
    pub external_id: Option<String>,
    /// The country national phone numbers of its contacts are read with when neither the
    /// user nor the tenant says one (set by an admin).
    pub default_country: Option<Country>,
    /// The country of its Microsoft 365 tenant (`/organization` `countryLetterCode`), read
    /// with the tenant's name; `None` for manual customers.
    pub tenant_country: Option<Country>,
    /// When the source last synced it.
    pub last_synced_at: Option<Timestamp>,
    /// When it was created.
    pub created_at: Timestamp,
}

/// A customer with the number of its contacts (not removed), for the Customers page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CustomerSummary {
    /// The customer.
    pub customer: Customer,
    /// Contacts not removed.
    pub contacts: i64,
}

store_trait! {
/// Customers of an org.
pub trait CustomerStore {
    /// Inserts a customer. `Conflict` when the org has a customer with this source and
    /// external id.
    async fn create_customer(&self, customer: &Customer) -> StoreResult<()>;
    /// The customer of this org, or `NotFound`.
    async fn customer(&self, org: OrgId, id: CustomerId) -> StoreResult<Customer>;
    /// Renames a customer and sets its default country. `NotFound` unless the org has it.
    async fn update_customer(
        &self,
        org: OrgId,
        id: CustomerId,
        name: &str,
        default_country: Option<Country>,
    ) -> StoreResult<()>;
    /// Creates or renames the customer a source knows by `external_id` (a sync calls this
    /// for each tenant), stamping `last_synced_at`. Returns the customer.
    async fn upsert_synced_customer(
        &self,
        org: OrgId,
        source: SourceKind,
        external_id: &str,
        name: &str,
        at: Timestamp,
    ) -> StoreResult<Customer>;
    /// Customers of the org by name, after the customer with this name key and id (keyset),
    /// at most `limit` (clamped to `0..=`[`crate::MAX_CUSTOMER_PAGE`]), each with its number
    /// of contacts not removed.
    async fn customers(
        &self,
        org: OrgId,
        after: Option<(&str, CustomerId)>,
        limit: i64,
    ) -> StoreResult<Vec<CustomerSummary>>;
    /// The customers of the org with these ids (unknown ids, or another org's, are left out).
    async fn customers_by_ids(&self, org: OrgId, ids: &[CustomerId]) -> StoreResult<Vec<Customer>>;
    /// Sets the customer's own time zone (an IANA name, checked by the caller; `None`: the
    /// org's). `NotFound` unless the org has it.
    async fn set_customer_time_zone(
        &self,
        org: OrgId,
        id: CustomerId,
        time_zone: Option<&str>,
    ) -> StoreResult<()>;
    /// The customer's own time zone (`None`: the org's). `NotFound` unless the org has it.
    async fn customer_time_zone(&self, org: OrgId, id: CustomerId) -> StoreResult<Option<String>>;
    /// Sets the language of the customer's end-user pages and messages (a code such as
    /// `de`, checked by the caller; `None`: none, so the browser's or English).
    /// `NotFound` unless the org has it.
    async fn set_customer_language(
        &self,
        org: OrgId,
        id: CustomerId,
        language: Option<&str>,
    ) -> StoreResult<()>;
    /// The customer's language (`None`: none set). `NotFound` unless the org has it.
    async fn customer_language(&self, org: OrgId, id: CustomerId) -> StoreResult<Option<String>>;
    /// Records the country of the customer's tenant. Whether it changed (false too when the
    /// org has no such customer).
    async fn set_tenant_country(
        &self,
        org: OrgId,
        id: CustomerId,
        country: Option<Country>,
    ) -> StoreResult<bool>;
}
}
