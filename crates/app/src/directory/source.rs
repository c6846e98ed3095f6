//! What a contact source provides to the engine ([`ContactSource`]), and how it fails.

use crate::App;
use crate::contacts::WriteBackError;
use crate::microsoft::MicrosoftError;
use countersign_domain::CustomerId;
use countersign_store::{
    Contact, ContactEdit, Customer, Integration, NewSyncSource, SourceKind, StoreError, SyncSource,
    SyncedContact,
};
use std::future::Future;

/// One page of contacts from a source.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SourcePage {
    /// Contacts to write: present ones and removals (`removed: true`), each keyed by its id at
    /// the source (`external_id`). Every id here counts as seen for mark and sweep.
    pub contacts: Vec<SyncedContact>,
    /// How many present users (not removals) the source returned, for the counters.
    pub users_seen: i64,
    /// Where the round goes on.
    pub end: PageEnd,
}

/// What follows a page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PageEnd {
    /// More pages: the cursor of the next one.
    More(String),
    /// The round is complete: the cursor the next run starts from (`None`: the next run is a
    /// full round).
    Last(Option<String>),
}

impl Default for PageEnd {
    fn default() -> Self {
        Self::Last(None)
    }
}

/// Why a source could not give a page (or describe a company), mapped by the engine to its
/// outcomes.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    /// The source is unavailable or throttled: the job tries again later (in words for the
    /// technician).
    #[error("{0}")]
    RetryLater(String),
    /// A retry will not fix it (consent missing, sign in again, refused): in words.
    #[error("{0}")]
    Failed(String),
    /// The cursor is no longer valid: the round must start again as a full one. The words
    /// are said on the row when this interrupts a full round (a new one is queued at once).
    #[error("{0}")]
    CursorExpired(String),
    /// Our side failed (store, configuration, a corrupt row): the run stops with this error.
    #[error(transparent)]
    Local(DirectoryError),
}

impl From<DirectoryError> for SourceError {
    fn from(e: DirectoryError) -> Self {
        Self::Local(e)
    }
}

impl From<StoreError> for SourceError {
    fn from(e: StoreError) -> Self {
        Self::Local(e.into())
    }
}

impl From<MicrosoftError> for SourceError {
    fn from(e: MicrosoftError) -> Self {
        Self::Local(e.into())
    }
}

/// What a sync use case can fail with.
#[derive(Debug, thiserror::Error)]
pub enum DirectoryError {
    /// Something the technician can act on, in words.
    #[error("{0}")]
    User(String),
    /// No such linked company or integration (for this org).
    #[error("not found")]
    NotFound,
    /// The store failed.
    #[error(transparent)]
    Store(StoreError),
    /// A bug or a corrupt row.
    #[error("{0}")]
    Internal(String),
}

impl From<StoreError> for DirectoryError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => Self::NotFound,
            other => Self::Store(other),
        }
    }
}

// The Microsoft 365 module's use cases keep their error type; the engine speaks this one.
impl From<MicrosoftError> for DirectoryError {
    fn from(e: MicrosoftError) -> Self {
        match e {
            MicrosoftError::User(m) => Self::User(m),
            MicrosoftError::NotFound => Self::NotFound,
            MicrosoftError::Denied(_) => Self::User(e.to_string()),
            MicrosoftError::Store(s) => Self::Store(s),
            MicrosoftError::Internal(m) => Self::Internal(m),
        }
    }
}

impl From<DirectoryError> for MicrosoftError {
    fn from(e: DirectoryError) -> Self {
        match e {
            DirectoryError::User(m) => Self::User(m),
            DirectoryError::NotFound => Self::NotFound,
            DirectoryError::Store(s) => Self::Store(s),
            DirectoryError::Internal(m) => Self::Internal(m),
        }
    }
}

/// A contact source: what one kind of integration knows about its linked companies. The
/// engine ([`App::sync_with`]) drives it; the source never writes contacts itself.
///
/// The futures are `Send` because syncs run on the job workers.
pub trait ContactSource: Sync {
    /// What a run holds between pages (tokens, settings, the customer): built by
    /// [`ContactSource::start`].
    type Run: Send;

    /// The source its customers and contacts carry.
    fn contacts_kind(&self) -> SourceKind;

    /// Why an ended linked company is no longer synced, in words for the technician.
    fn ended_message(&self, link: &SyncSource) -> String;

    /// Creates or refreshes the customer of a linked company (its name and country at the
    /// source) and returns it. `DirectoryError::User` when the source refuses, in words.
    fn sync_customer(
        &self,
        app: &App,
        link: &SyncSource,
    ) -> impl Future<Output = Result<CustomerId, DirectoryError>> + Send;

    /// Begins a run: credentials and settings. It may refresh `customer` (e.g. a country the
    /// source had not given before).
    fn start(
        &self,
        app: &App,
        link: &SyncSource,
        customer: &mut Customer,
    ) -> impl Future<Output = Result<Self::Run, SourceError>> + Send;

    /// One page of contacts from `cursor` (`None`: the first page of a full round).
    fn page(
        &self,
        app: &App,
        run: &mut Self::Run,
        cursor: Option<&str>,
    ) -> impl Future<Output = Result<SourcePage, SourceError>> + Send;

    /// The companies the integration reaches now, for a source that can list them (a PSA's
    /// company list); the engine links them and ends the ones no longer listed
    /// ([`App::discover_with`]). `None` by default: the source links companies another way
    /// (Microsoft 365: admin consent, and the GDAP relationships read at sign-in).
    fn discover(
        &self,
        app: &App,
        integration: &Integration,
    ) -> impl Future<Output = Result<Option<Vec<NewSyncSource>>, SourceError>> + Send {
        let _ = (app, integration);
        async { Ok(None) }
    }

    /// Writes a technician's edit of a contact to the source, before anything is saved here
    /// (the next sync would otherwise undo it). By default a source takes no edits.
    fn write_back(
        &self,
        app: &App,
        by: &crate::Principal,
        contact: &Contact,
        edit: &ContactEdit,
    ) -> impl Future<Output = Result<(), WriteBackError>> + Send {
        let _ = (app, by, contact, edit);
        async {
            Err(WriteBackError::Unavailable(
                "this source does not take edits",
            ))
        }
    }
}
