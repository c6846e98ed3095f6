//! Mobile numbers of synced contacts in E.164, read with Microsoft's own data (issue 17.11):
//! the user's country (`usageLocation`, else `country`), then the tenant's
//! (`countryLetterCode`), then the customer's default country. The text the source wrote is
//! stored next to the E.164 form, so when the tenant's or the default country changes the
//! customer's numbers are read again here, without asking Microsoft again.
//!
//! Manual contacts are not read again: their number was checked, and shown as read, when a
//! technician typed it.

use crate::App;
use countersign_domain::{Country, CustomerId, OrgId, Phone};
use countersign_store::{Customer, CustomerStore, PhoneStore, SourceKind, StoreError};

/// The countries a synced contact's national numbers are read with, first known first.
#[must_use]
pub fn phone_countries(user: Option<Country>, customer: &Customer) -> [Option<Country>; 3] {
    [user, customer.tenant_country, customer.default_country]
}

/// The E.164 form of a synced mobile number: read with the first known of `countries`
/// (international numbers need none), and `None` when it does not parse or when the
/// country's plan says it is a fixed line or a service number, which SMS does not reach.
#[must_use]
pub fn mobile_e164(text: &str, countries: [Option<Country>; 3]) -> Option<String> {
    let country = countries.into_iter().flatten().next();
    Phone::e164_and_kind(text, country)
        .ok()
        .filter(|(_, kind)| !kind.never_mobile())
        .map(|(e164, _)| e164)
}

impl App {
    /// Reads the mobile numbers of the customer's synced contacts again with its current
    /// countries and stores the E.164 forms that changed (search terms included). A new
    /// reading of the same text is not a number change (no SIM-swap warning). Returns how
    /// many contacts changed.
    ///
    /// # Errors
    /// `NotFound` for a customer of another org; a store failure.
    pub async fn reparse_customer_phones(
        &self,
        org: OrgId,
        customer: CustomerId,
    ) -> Result<u64, StoreError> {
        let customer = self.store.customer(org, customer).await?;
        let contacts = self
            .store
            .contacts_with_mobile(org, customer.id, SourceKind::Microsoft365)
            .await?;
        let changes: Vec<_> = contacts
            .iter()
            .filter_map(|c| {
                let text = c.mobile.as_deref()?;
                let e164 = mobile_e164(text, phone_countries(c.phone_country, &customer));
                (e164 != c.mobile_e164).then_some((c.id, e164))
            })
            .collect();
        if changes.is_empty() {
            return Ok(0);
        }
        self.store.set_mobile_e164s(org, &changes, self.now()).await
    }
}
