//! Microsoft 365 as a contact source ([`ContactSource`]): a linked tenant's users, page by
//! page, through Graph delta queries. The directory engine (`crate::directory`) owns the
//! loop, the page writes, mark and sweep and the counters; this module knows Graph.
//!
//! A full round is a delta query (`$select` of the needed fields, 999 per page) without a
//! delta link; the cursor between pages is Graph's `@odata.nextLink`, and the one stored
//! after a complete round is its `@odata.deltaLink`. A 410 (`ResyncRequired`) is an expired
//! cursor. A token Graph rejects (401) is dropped and issued again once per run.

use super::tokens::{TokenFailure, registration};
use super::{MicrosoftError, MicrosoftIntegration, NewTenantLink, SyncFilters, TenantLink};
use crate::App;
use crate::contacts::{Microsoft365WriteBack, WriteBackError, mobile_e164, phone_countries};
use crate::directory::{
    ContactSource, DirectoryError, PageEnd, SourceError, SourcePage, SyncOutcome,
};
use countersign_domain::text;
use countersign_domain::{Country, CustomerId, OrgId, SyncSourceId};
use countersign_microsoft::{
    AccessToken, AppRegistration, Cloud, ErrorKind, GraphUser, Microsoft, MsError, Priority,
    UserChange,
};
use countersign_store::{
    Contact, ContactEdit, Customer, CustomerStore, SourceKind, SyncSource, SyncSourceStore,
    SyncedContact,
};

/// Said on the link when a 410 interrupted a full round and a new one was queued.
pub(crate) const FULL_ROUND_RESTARTED: &str = "Microsoft ended the sync state in the middle of a full sync (410 Gone); the full sync starts again from the beginning";

/// One directory user as a contact, or `None` when the filters skip it. Free text is cut to
/// the field limits (Entra's own), so a tenant cannot store anything longer.
fn to_contact(u: GraphUser, f: SyncFilters, customer: &Customer) -> SyncedContact {
    let skipped = (f.skip_guests && u.is_guest())
        || (f.skip_disabled && u.is_disabled())
        || (f.skip_unlicensed && u.is_unlicensed());
    let mobile = u
        .mobile_phone
        .filter(|m| !m.trim().is_empty())
        .map(|m| text::PHONE.cut(&m));
    // The user's own country: `usageLocation` (a code), else `country` (free text).
    let phone_country = [u.usage_location.as_deref(), u.country.as_deref()]
        .into_iter()
        .flatten()
        .find_map(Country::from_directory);
    // The original text is kept and shown; the E.164 form is what messages are sent to.
    let mobile_e164 = mobile
        .as_deref()
        .and_then(|m| mobile_e164(m, phone_countries(phone_country, customer)));
    let email = u.mail.filter(|m| !m.is_empty()).or_else(|| {
        u.user_principal_name.clone().filter(|_| {
            !u.user_type
                .as_deref()
                .is_some_and(|t| t.eq_ignore_ascii_case("guest"))
        })
    });
    SyncedContact {
        external_id: u.id,
        upn: u.user_principal_name,
        given_name: text::GIVEN_NAME.cut(&u.given_name.unwrap_or_default()),
        surname: text::SURNAME.cut(&u.surname.unwrap_or_default()),
        display_name: text::DISPLAY_NAME.cut(&u.display_name.unwrap_or_default()),
        email,
        mobile,
        mobile_e164,
        phone_country,
        business_phones: u
            .business_phones
            .iter()
            .map(|p| text::PHONE.cut(p))
            .collect(),
        job_title: text::JOB_TITLE.cut(&u.job_title.unwrap_or_default()),
        department: String::new(),
        account_enabled: u.account_enabled.unwrap_or(true),
        user_type: u.user_type.unwrap_or_else(|| "Member".into()),
        // A user the filters skip is hidden like a removed one: it may have been stored
        // before the filter applied to it (e.g. an account disabled since).
        removed: skipped,
        // Entra ID users have no opt-out attribute: opt-outs come from STOP and unsubscribe.
        broadcast_opt_out: None,
        // A language tag is short (BCP 47 tags in practice are under 35 characters); a longer
        // value is cut rather than stored whole.
        preferred_language: u
            .preferred_language
            .map(|l| l.trim().chars().take(35).collect::<String>())
            .filter(|l| !l.is_empty()),
    }
}

fn failure(f: TokenFailure, app: AppRegistration) -> SourceError {
    match f {
        TokenFailure::Microsoft(e) if e.kind() == ErrorKind::Unavailable => {
            SourceError::RetryLater(e.user_message_for(app, None))
        }
        TokenFailure::Microsoft(e) => SourceError::Failed(e.user_message_for(app, None)),
        TokenFailure::Local(e) => SourceError::Failed(e.to_string()),
    }
}

/// The Microsoft 365 contact source (its linked companies are tenants).
#[derive(Clone, Copy, Debug, Default)]
pub struct Microsoft365;

/// What a Microsoft 365 run holds between pages.
pub struct Microsoft365Run {
    integration: MicrosoftIntegration,
    cloud: Cloud,
    customer: Customer,
    link: TenantLink,
    token: AccessToken,
    token_refreshed: bool,
}

impl ContactSource for Microsoft365 {
    type Run = Microsoft365Run;

    fn contacts_kind(&self) -> SourceKind {
        SourceKind::Microsoft365
    }

    fn ended_message(&self, link: &SyncSource) -> String {
        format!(
            "This tenant is no longer reachable: {} Its contacts are kept; syncing stopped.",
            link.ended_reason
                .as_deref()
                .unwrap_or("its GDAP relationships ended.")
        )
    }

    /// The customer gets the name and default domain the tenant gives itself
    /// (`/organization`), and its country.
    async fn sync_customer(
        &self,
        app: &App,
        link: &SyncSource,
    ) -> Result<CustomerId, DirectoryError> {
        let link = TenantLink::try_from(link.clone())?;
        let org = link.new.org_id;
        let i = app
            .microsoft_integration(org, link.new.integration_id)
            .await?;
        let cloud = app.cloud_of(&i)?;
        let tenant = link.new.tenant_id.clone();
        let registration = registration(link.new.link);
        let microsoft = &app.microsoft;
        let (cloud_ref, tenant_ref) = (&cloud, tenant.as_str());
        let o = app
            .with_token(&i, link.new.link, &tenant, |token| async move {
                microsoft.organization(cloud_ref, tenant_ref, &token).await
            })
            .await
            .map_err(|f| match failure(f, registration) {
                SourceError::Local(e) => e,
                other => DirectoryError::User(other.to_string()),
            })?;
        let customer = app
            .store
            .upsert_synced_customer(
                org,
                SourceKind::Microsoft365,
                &tenant,
                &text::CUSTOMER_NAME.cut(&o.display_name),
                app.now(),
            )
            .await?;
        // The tenant's country reads its users' national numbers when they name none: a
        // change reads the stored numbers again.
        let country = o
            .country_letter_code
            .as_deref()
            .and_then(Country::from_directory);
        if app
            .store
            .set_tenant_country(org, customer.id, country)
            .await?
        {
            app.reparse_customer_phones(org, customer.id).await?;
        }
        app.upsert_tenant_link(
            &NewTenantLink {
                display_name: text::CUSTOMER_NAME.cut(&o.display_name),
                default_domain: o.default_domain,
                ..link.new.clone()
            },
            app.now(),
        )
        .await?;
        app.store
            .set_source_customer(org, link.id, customer.id)
            .await?;
        Ok(customer.id)
    }

    async fn start(
        &self,
        app: &App,
        link: &SyncSource,
        customer: &mut Customer,
    ) -> Result<Microsoft365Run, SourceError> {
        let link = TenantLink::try_from(link.clone())?;
        let org = link.new.org_id;
        let i = app
            .microsoft_integration(org, link.new.integration_id)
            .await?;
        if link.customer_id.is_some()
            && link.delta_link.is_none()
            && customer.tenant_country.is_none()
        {
            // A full round of a tenant whose country is not known (linked before it was
            // read, or it had none): read `/organization` again, best effort (a failure
            // leaves the numbers as they are and the sync goes on).
            if let Ok(c) = app.sync_customer_with(self, org, link.id).await {
                *customer = app.store.customer(org, c).await?;
            }
        }
        let cloud = app.cloud_of(&i)?;
        let tenant = link.new.tenant_id.as_str();
        let token = app
            .link_token(&i, link.new.link, tenant)
            .await
            .map_err(|f| failure(f, registration(link.new.link)))?;
        Ok(Microsoft365Run {
            integration: i,
            cloud,
            customer: customer.clone(),
            link,
            token,
            token_refreshed: false,
        })
    }

    async fn page(
        &self,
        app: &App,
        run: &mut Microsoft365Run,
        cursor: Option<&str>,
    ) -> Result<SourcePage, SourceError> {
        let url = cursor.map_or_else(|| Microsoft::users_delta_url(&run.cloud), str::to_owned);
        let (link, tenant) = (run.link.new.link, run.link.new.tenant_id.clone());
        let tenant = tenant.as_str();
        let registration = registration(link);
        loop {
            let page = match app
                .microsoft
                .delta_page(&run.cloud, tenant, &run.token, &url, Priority::Low)
                .await
            {
                Ok(p) => p,
                Err(MsError::ResyncRequired) => {
                    return Err(SourceError::CursorExpired(FULL_ROUND_RESTARTED.into()));
                }
                Err(e) if e.kind() == ErrorKind::TokenRejected && !run.token_refreshed => {
                    run.token_refreshed = true;
                    app.forget_link_tokens(&run.integration, link, tenant);
                    run.token = app
                        .link_token(&run.integration, link, tenant)
                        .await
                        .map_err(|f| failure(f, registration))?;
                    continue;
                }
                Err(e) if e.kind() == ErrorKind::Unavailable => {
                    return Err(SourceError::RetryLater(
                        e.user_message_for(registration, None),
                    ));
                }
                Err(e) => return Err(SourceError::Failed(e.user_message_for(registration, None))),
            };
            return Ok(self.contacts_of(run, page.changes, page.next_link, page.delta_link));
        }
    }

    /// The mobile number goes to the user in the customer's tenant (`PATCH /users/{id}`).
    async fn write_back(
        &self,
        app: &App,
        by: &crate::Principal,
        contact: &Contact,
        edit: &ContactEdit,
    ) -> Result<(), WriteBackError> {
        Microsoft365WriteBack.update(app, by, contact, edit).await
    }
}

impl Microsoft365 {
    /// A delta page as contacts (the filters hide what they skip).
    #[allow(clippy::unused_self)]
    fn contacts_of(
        &self,
        run: &Microsoft365Run,
        changes: Vec<UserChange>,
        next_link: Option<String>,
        delta_link: Option<String>,
    ) -> SourcePage {
        let mut users_seen = 0;
        let contacts = changes
            .into_iter()
            .map(|c| match c {
                UserChange::Upsert(u) => {
                    users_seen += 1;
                    to_contact(u, run.integration.settings.filters, &run.customer)
                }
                UserChange::Removed { id, .. } => SyncedContact {
                    external_id: id,
                    removed: true,
                    ..SyncedContact::default()
                },
            })
            .collect();
        SourcePage {
            contacts,
            users_seen,
            end: next_link.map_or(PageEnd::Last(delta_link), PageEnd::More),
        }
    }
}

impl App {
    /// Creates or updates the customer of a linked tenant, with the name and default domain
    /// the tenant gives itself (`/organization`). Returns the customer.
    ///
    /// # Errors
    /// `User` with Microsoft's refusal in words; a store failure.
    pub async fn sync_customer(
        &self,
        org: OrgId,
        link_id: SyncSourceId,
    ) -> Result<CustomerId, MicrosoftError> {
        Ok(self.sync_link_customer(org, link_id).await?)
    }

    /// Runs one sync of a linked tenant to its end and records the result on the link.
    ///
    /// # Errors
    /// Our side only (Microsoft's failures are in the outcome and on the link).
    pub async fn sync_tenant(
        &self,
        org: OrgId,
        link_id: SyncSourceId,
    ) -> Result<SyncOutcome, MicrosoftError> {
        Ok(self.sync_link(org, link_id).await?)
    }
}
