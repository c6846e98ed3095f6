//! The sync engine: one tenant at a time, page by page.
//!
//! A run starts from the stored delta link, or with a full delta round (`$select` of the
//! needed fields, 999 per page) when there is none. Each page is written in one
//! transaction (idempotent upserts keyed by the Entra object id), so a run that fails or is
//! interrupted leaves every committed page intact and deletes nothing; the delta link is
//! stored only when a round completes, so the next run replays from the last good point.
//! A 410 on a delta link (or a rejected token) restarts with a full round once, inline; a 410
//! in the middle of a full round ends the run and queues a new full round at once (issue
//! 17.9), a bounded number of times in a row.
//!
//! A full round sees every user of the tenant, so when it completes, the tenant's contacts it
//! did not see are marked removed (mark and sweep, [`super::sweep`]): users deleted while
//! the delta link was expired are not left behind. An incomplete round sweeps nothing.

use super::MicrosoftError;
use super::tokens::{TokenFailure, registration};
use crate::App;
use crate::contacts::{mobile_e164, phone_countries};
use countersign_domain::text;
use countersign_domain::{Country, CustomerId, OrgId, TenantLinkId};
use countersign_microsoft::{
    AppRegistration, ErrorKind, GraphUser, Microsoft, MsError, Priority, UserChange,
};
use countersign_store::{
    ContactStore, CustomerStore, Integration, IntegrationStore, SourceKind, SyncFilters,
    SyncProgress, SyncedContact, TenantLink, TenantLinkStore,
};
use std::collections::HashSet;

/// How a run ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SyncOutcome {
    /// Every page stored; the counters of the run.
    Done(SyncProgress),
    /// Microsoft or the network failed in a way worth retrying later.
    Retry(String),
    /// Failed in a way a retry will not fix (consent missing, sign in again, ...).
    Failed(String),
    /// Graph ended the sync state in the middle of a full round (410): the run stops and a
    /// new full round is queued now.
    RestartFull(String),
}

/// Said on the link when a 410 interrupted a full round and a new one was queued.
pub(crate) const FULL_ROUND_RESTARTED: &str = "Microsoft ended the sync state in the middle of a full sync (410 Gone); the full sync starts again from the beginning";

/// One directory user as a contact, or `None` when the filters skip it. Free text is cut to
/// the field limits (Entra's own), so a tenant cannot store anything longer.
fn to_contact(
    u: GraphUser,
    f: SyncFilters,
    customer: &countersign_store::Customer,
) -> SyncedContact {
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
    }
}

fn failure(f: TokenFailure, app: AppRegistration) -> SyncOutcome {
    match f {
        TokenFailure::Microsoft(e) if e.kind() == ErrorKind::Unavailable => {
            SyncOutcome::Retry(e.user_message_for(app, None))
        }
        TokenFailure::Microsoft(e) => SyncOutcome::Failed(e.user_message_for(app, None)),
        TokenFailure::Local(e) => SyncOutcome::Failed(e.to_string()),
    }
}

/// Why an ended link is not synced.
fn ended_message(link: &TenantLink) -> Option<String> {
    link.ended_at?;
    Some(format!(
        "This tenant is no longer reachable: {} Its contacts are kept; syncing stopped.",
        link.ended_reason
            .as_deref()
            .unwrap_or("its GDAP relationships ended.")
    ))
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
        link_id: TenantLinkId,
    ) -> Result<CustomerId, MicrosoftError> {
        let link = self.store.tenant_link(org, link_id).await?;
        if let Some(m) = ended_message(&link) {
            return Err(MicrosoftError::User(m));
        }
        let i = self.store.integration(org, link.new.integration_id).await?;
        let cloud = self.cloud_of(&i)?;
        let tenant = link.new.tenant_id.clone();
        let app = registration(link.new.link);
        let microsoft = &self.microsoft;
        let (cloud_ref, tenant_ref) = (&cloud, tenant.as_str());
        let o = self
            .with_token(&i, link.new.link, &tenant, |token| async move {
                microsoft.organization(cloud_ref, tenant_ref, &token).await
            })
            .await
            .map_err(|f| match failure(f, app) {
                SyncOutcome::Retry(m) | SyncOutcome::Failed(m) | SyncOutcome::RestartFull(m) => {
                    MicrosoftError::User(m)
                }
                SyncOutcome::Done(_) => MicrosoftError::Internal("unreachable".into()),
            })?;
        let customer = self
            .store
            .upsert_synced_customer(
                org,
                SourceKind::Microsoft365,
                &tenant,
                &text::CUSTOMER_NAME.cut(&o.display_name),
                self.now(),
            )
            .await?;
        // The tenant's country reads its users' national numbers when they name none: a
        // change reads the stored numbers again.
        let country = o
            .country_letter_code
            .as_deref()
            .and_then(Country::from_directory);
        if self
            .store
            .set_tenant_country(org, customer.id, country)
            .await?
        {
            self.reparse_customer_phones(org, customer.id).await?;
        }
        self.store
            .upsert_tenant_link(
                &countersign_store::NewTenantLink {
                    display_name: text::CUSTOMER_NAME.cut(&o.display_name),
                    default_domain: o.default_domain,
                    ..link.new.clone()
                },
                self.now(),
            )
            .await?;
        self.store
            .set_link_customer(org, link_id, customer.id)
            .await?;
        Ok(customer.id)
    }

    /// Runs one sync of a linked tenant to its end and records the result on the link.
    ///
    /// # Errors
    /// Store failures only (Microsoft's are in the outcome and on the link).
    pub async fn sync_tenant(
        &self,
        org: OrgId,
        link_id: TenantLinkId,
    ) -> Result<SyncOutcome, MicrosoftError> {
        let link = self.store.tenant_link(org, link_id).await?;
        if let Some(m) = ended_message(&link) {
            // Ended while queued: nothing runs, the link keeps its last result.
            return Ok(SyncOutcome::Failed(m));
        }
        self.store.start_sync(org, link_id, self.now()).await?;
        let (outcome, delta_link) = self.run_sync(org, &link).await?;
        let (ok, error, delta) = match &outcome {
            SyncOutcome::Done(_) => (true, None, delta_link),
            // A failed run keeps the old link: the next run replays from there.
            SyncOutcome::Retry(m) | SyncOutcome::Failed(m) => {
                (false, Some(m.as_str()), link.delta_link.clone())
            }
            // The sync state is gone: the next run is a full round.
            SyncOutcome::RestartFull(m) => (false, Some(m.as_str()), None),
        };
        self.store
            .finish_sync(org, link_id, ok, error, delta.as_deref(), self.now())
            .await?;
        Ok(outcome)
    }

    async fn run_sync(
        &self,
        org: OrgId,
        link: &TenantLink,
    ) -> Result<(SyncOutcome, Option<String>), MicrosoftError> {
        let i = self.store.integration(org, link.new.integration_id).await?;
        let customer_id = match link.customer_id {
            Some(c) => c,
            None => match self.sync_customer(org, link.id).await {
                Ok(c) => c,
                Err(MicrosoftError::User(m)) => return Ok((SyncOutcome::Failed(m), None)),
                Err(e) => return Err(e),
            },
        };
        let mut customer = self.store.customer(org, customer_id).await?;
        if link.customer_id.is_some()
            && link.delta_link.is_none()
            && customer.tenant_country.is_none()
        {
            // A full round of a tenant whose country is not known (linked before it was
            // read, or it had none): read `/organization` again, best effort (a failure
            // leaves the numbers as they are and the sync goes on).
            if let Ok(c) = self.sync_customer(org, link.id).await {
                customer = self.store.customer(org, c).await?;
            }
        }
        let cloud = self.cloud_of(&i)?;
        let tenant = link.new.tenant_id.as_str();
        let app = registration(link.new.link);
        let mut token = match self.link_token(&i, link.new.link, tenant).await {
            Ok(t) => t,
            Err(f) => return Ok((failure(f, app), None)),
        };
        let mut progress = SyncProgress::default();
        let mut url = link
            .delta_link
            .clone()
            .unwrap_or_else(|| Microsoft::users_delta_url(&cloud));
        // Read before the first page: a customer without contacts has nothing to sweep.
        let had_contacts = self.has_synced_contacts(&customer).await?;
        let mut restarted = link.delta_link.is_none();
        // External ids seen in this run; a sweep list only while the round is a full one.
        let mut seen = restarted.then(HashSet::new);
        let mut token_refreshed = false;
        loop {
            let page = match self
                .microsoft
                .delta_page(&cloud, tenant, &token, &url, Priority::Low)
                .await
            {
                Ok(p) => p,
                Err(MsError::ResyncRequired) if !restarted => {
                    restarted = true;
                    seen = Some(HashSet::new());
                    url = Microsoft::users_delta_url(&cloud);
                    continue;
                }
                // In the middle of a full round: what was stored stays (nothing is swept),
                // and a new full round is queued now rather than at the next schedule.
                Err(MsError::ResyncRequired) => {
                    return Ok((SyncOutcome::RestartFull(FULL_ROUND_RESTARTED.into()), None));
                }
                Err(e) if e.kind() == ErrorKind::TokenRejected && !token_refreshed => {
                    token_refreshed = true;
                    self.forget_link_tokens(&i, link.new.link, tenant);
                    token = match self.link_token(&i, link.new.link, tenant).await {
                        Ok(t) => t,
                        Err(f) => return Ok((failure(f, app), None)),
                    };
                    continue;
                }
                Err(e) if e.kind() == ErrorKind::Unavailable => {
                    return Ok((SyncOutcome::Retry(e.user_message_for(app, None)), None));
                }
                Err(e) => return Ok((SyncOutcome::Failed(e.user_message_for(app, None)), None)),
            };
            if let Some(seen) = seen.as_mut() {
                seen.extend(page.changes.iter().map(|c| c.id().to_owned()));
            }
            self.store_page(&i, &customer, page.changes, &mut progress)
                .await?;
            self.store
                .record_sync_progress(org, link.id, progress)
                .await?;
            if let Some(next) = page.next_link {
                url = next;
                continue;
            }
            if let Some(seen) = seen.filter(|_| had_contacts) {
                progress.removed += self.sweep_unseen(&customer, &seen).await?;
                self.store
                    .record_sync_progress(org, link.id, progress)
                    .await?;
            }
            return Ok((SyncOutcome::Done(progress), page.delta_link));
        }
    }

    /// Writes one page (one transaction) and adds to the counters.
    async fn store_page(
        &self,
        i: &Integration,
        customer: &countersign_store::Customer,
        changes: Vec<UserChange>,
        progress: &mut SyncProgress,
    ) -> Result<(), MicrosoftError> {
        progress.pages += 1;
        let mut batch = Vec::with_capacity(changes.len());
        for c in changes {
            match c {
                UserChange::Upsert(u) => {
                    progress.users_seen += 1;
                    batch.push(to_contact(u, i.filters, customer));
                }
                UserChange::Removed { id, .. } => {
                    batch.push(SyncedContact {
                        external_id: id,
                        removed: true,
                        ..SyncedContact::default()
                    });
                }
            }
        }
        if batch.is_empty() {
            return Ok(());
        }
        let out = self
            .store
            .upsert_synced_contacts(
                customer.org_id,
                customer.id,
                SourceKind::Microsoft365,
                &batch,
                self.now(),
            )
            .await?;
        progress.added += i64::try_from(out.inserted).unwrap_or(i64::MAX);
        // Real changes only: identical users and removals of unknown ids are not counted.
        progress.changed += i64::try_from(out.updated - out.removed).unwrap_or(i64::MAX);
        progress.removed += i64::try_from(out.removed).unwrap_or(i64::MAX);
        Ok(())
    }
}
