//! The page loop of one linked company, whatever its source.
//!
//! A run starts from the stored cursor, or with a full round when there is none. Each page
//! is written in one transaction (idempotent upserts keyed by the contact's id at the
//! source), so a run that fails or is interrupted leaves every committed page intact and
//! deletes nothing; the cursor is stored only when a round completes, so the next run replays
//! from the last good point. An expired cursor restarts with a full round once, inline; an
//! expired cursor in the middle of a full round ends the run with
//! [`SyncOutcome::RestartFull`], and the job queues a new full round at once (issue 17.9).
//!
//! A full round sees every contact of the company, so when it completes, the customer's
//! contacts it did not see are marked removed (mark and sweep, [`super::sweep`]). An
//! incomplete round sweeps nothing.

use super::source::{ContactSource, DirectoryError, PageEnd, SourceError, SourcePage};
use crate::App;
use countersign_domain::{CustomerId, OrgId, SyncSourceId};
use countersign_store::{
    ContactStore, Customer, CustomerStore, SyncProgress, SyncSource, SyncSourceStore, UnlinkStore,
};

/// What a run of an unlinked company says (the Jobs page's history shows it).
pub const UNLINKED: &str = "unlinked by an admin: not synced any more, its contacts are hidden";
use std::collections::HashSet;

/// How a run ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SyncOutcome {
    /// Every page stored; the counters of the run.
    Done(SyncProgress),
    /// The source or the network failed in a way worth retrying later.
    Retry(String),
    /// Failed in a way a retry will not fix (consent missing, sign in again, ...).
    Failed(String),
    /// The source ended the sync state in the middle of a full round: the run stops and a
    /// new full round is queued now.
    RestartFull(String),
}

impl App {
    /// Runs one sync of a linked company through `source` to its end and records the result
    /// on its row (state, counters, cursor, last error).
    ///
    /// # Errors
    /// Our side only (store, configuration); the source's failures are in the outcome and on
    /// the row.
    pub async fn sync_with<S: ContactSource>(
        &self,
        source: &S,
        org: OrgId,
        link_id: SyncSourceId,
    ) -> Result<SyncOutcome, DirectoryError> {
        let link = self.store.sync_source(org, link_id).await?;
        if link.ended_at.is_some() {
            // Ended while queued: nothing runs, the row keeps its last result.
            return Ok(SyncOutcome::Failed(source.ended_message(&link)));
        }
        if link.unlinked_at.is_some() {
            // Unlinked while queued (issue 21.6): nothing runs.
            return Ok(SyncOutcome::Failed(UNLINKED.into()));
        }
        self.store.start_sync(org, link_id, self.now()).await?;
        let (outcome, cursor) = self.run_rounds(source, org, &link).await?;
        let (ok, error, cursor) = match &outcome {
            SyncOutcome::Done(_) => (true, None, cursor),
            // A failed run keeps the old cursor: the next run replays from there.
            SyncOutcome::Retry(m) | SyncOutcome::Failed(m) => {
                (false, Some(m.as_str()), link.cursor.clone())
            }
            // The sync state is gone: the next run is a full round.
            SyncOutcome::RestartFull(m) => (false, Some(m.as_str()), None),
        };
        self.store
            .finish_sync(org, link_id, ok, error, cursor.as_deref(), self.now())
            .await?;
        Ok(outcome)
    }

    /// Creates or refreshes the customer of a linked company through `source`.
    ///
    /// # Errors
    /// `User` for an ended company or the source's refusal, in words; a store failure.
    pub async fn sync_customer_with<S: ContactSource>(
        &self,
        source: &S,
        org: OrgId,
        link_id: SyncSourceId,
    ) -> Result<CustomerId, DirectoryError> {
        let link = self.store.sync_source(org, link_id).await?;
        if link.ended_at.is_some() {
            return Err(DirectoryError::User(source.ended_message(&link)));
        }
        if link.unlinked_at.is_some() {
            return Err(DirectoryError::User(UNLINKED.into()));
        }
        source.sync_customer(self, &link).await
    }

    /// The rounds of one run: the outcome and, when done, the cursor to store.
    async fn run_rounds<S: ContactSource>(
        &self,
        source: &S,
        org: OrgId,
        link: &SyncSource,
    ) -> Result<(SyncOutcome, Option<String>), DirectoryError> {
        let customer_id = match link.customer_id {
            Some(c) => c,
            None => match self.sync_customer_with(source, org, link.id).await {
                Ok(c) => c,
                Err(DirectoryError::User(m)) => return Ok((SyncOutcome::Failed(m), None)),
                Err(e) => return Err(e),
            },
        };
        let mut customer = self.store.customer(org, customer_id).await?;
        let mut run = match source.start(self, link, &mut customer).await {
            Ok(r) => r,
            Err(e) => return stopped(e),
        };
        let kind = source.contacts_kind();
        let mut progress = SyncProgress::default();
        let mut cursor = link.cursor.clone();
        // Read before the first page: a customer without contacts has nothing to sweep.
        let had_contacts = self.has_synced_contacts(&customer, kind).await?;
        let mut restarted = cursor.is_none();
        // Ids seen in this run; a sweep list only while the round is a full one.
        let mut seen = restarted.then(HashSet::new);
        loop {
            let page = match source.page(self, &mut run, cursor.as_deref()).await {
                Ok(p) => p,
                Err(SourceError::CursorExpired(_)) if !restarted => {
                    restarted = true;
                    seen = Some(HashSet::new());
                    cursor = None;
                    continue;
                }
                // In the middle of a full round: what was stored stays (nothing is swept),
                // and a new full round is queued now rather than at the next schedule.
                Err(SourceError::CursorExpired(m)) => {
                    return Ok((SyncOutcome::RestartFull(m), None));
                }
                Err(e) => return stopped(e),
            };
            if let Some(seen) = seen.as_mut() {
                seen.extend(page.contacts.iter().map(|c| c.external_id.clone()));
            }
            let end = page.end.clone();
            self.store_page(&customer, source, page, &mut progress)
                .await?;
            if !self
                .store
                .record_sync_progress(org, link.id, progress)
                .await?
            {
                // Unlinked while this run went on: what it stored since is hidden too, and
                // nothing more is read (the cursor is forgotten by `finish_sync`).
                self.store.hide_unlinked_contacts(org, link.id).await?;
                return Ok((SyncOutcome::Failed(UNLINKED.into()), None));
            }
            match end {
                PageEnd::More(next) => cursor = Some(next),
                PageEnd::Last(next) => {
                    if let Some(seen) = seen.filter(|_| had_contacts) {
                        progress.removed += self.sweep_unseen(&customer, kind, &seen).await?;
                        self.store
                            .record_sync_progress(org, link.id, progress)
                            .await?;
                    }
                    return Ok((SyncOutcome::Done(progress), next));
                }
            }
        }
    }

    /// Writes one page (one transaction) and adds to the counters.
    async fn store_page<S: ContactSource>(
        &self,
        customer: &Customer,
        source: &S,
        page: SourcePage,
        progress: &mut SyncProgress,
    ) -> Result<(), DirectoryError> {
        progress.pages += 1;
        progress.users_seen += page.users_seen;
        if page.contacts.is_empty() {
            return Ok(());
        }
        let out = self
            .store
            .upsert_synced_contacts(
                customer.org_id,
                customer.id,
                source.contacts_kind(),
                &page.contacts,
                self.now(),
            )
            .await?;
        progress.added += i64::try_from(out.inserted).unwrap_or(i64::MAX);
        // Real changes only: identical contacts and removals of unknown ids are not counted.
        progress.changed += i64::try_from(out.updated - out.removed).unwrap_or(i64::MAX);
        progress.removed += i64::try_from(out.removed).unwrap_or(i64::MAX);
        Ok(())
    }
}

/// A source's failure as the run's outcome (our own failures stop the run as errors).
fn stopped(e: SourceError) -> Result<(SyncOutcome, Option<String>), DirectoryError> {
    match e {
        SourceError::RetryLater(m) => Ok((SyncOutcome::Retry(m), None)),
        SourceError::Failed(m) => Ok((SyncOutcome::Failed(m), None)),
        SourceError::CursorExpired(m) => Ok((SyncOutcome::RestartFull(m), None)),
        SourceError::Local(e) => Err(e),
    }
}
