//! The directory engine is generic: contact sources written here, in the test, that know
//! nothing of Microsoft (a scripted address book, a company list) get the page loop,
//! idempotent page writes, the stored cursor, mark and sweep, the counters, the retry
//! outcomes and the linking of listed companies from the engine.

#![allow(clippy::unwrap_used)]

mod support;

use countersign_app::App;
use countersign_app::directory::{
    ContactSource, DirectoryError, Discovered, NO_LONGER_LISTED, PageEnd, SourceError, SourcePage,
    SyncOutcome,
};
use countersign_app::microsoft::{LinkKind, NewTenantLink};
use countersign_domain::{CustomerId, OrgId, SyncSourceId};
use countersign_store::{
    ContactQuery, ContactStore, Customer, CustomerStore, Integration, IntegrationKind,
    NewSyncSource, SourceKind, SyncProgress, SyncSource, SyncSourceStore, SyncState, SyncedContact,
};
use std::collections::VecDeque;
use std::sync::Mutex;

/// A source that answers pages from a script and records the cursors it was asked for; it
/// lists the companies in `listed` (as a PSA lists its companies), none when `None`.
#[derive(Default)]
struct Book {
    script: Mutex<VecDeque<Result<SourcePage, SourceError>>>,
    asked: Mutex<Vec<Option<String>>>,
    listed: Option<Vec<&'static str>>,
}

impl Book {
    fn listing(companies: &[&'static str]) -> Self {
        Self {
            listed: Some(companies.to_vec()),
            ..Self::default()
        }
    }

    fn then(&self, page: Result<SourcePage, SourceError>) -> &Self {
        self.script.lock().unwrap().push_back(page);
        self
    }

    fn asked(&self) -> Vec<Option<String>> {
        std::mem::take(&mut *self.asked.lock().unwrap())
    }
}

fn person(id: &str) -> SyncedContact {
    SyncedContact {
        external_id: id.into(),
        display_name: format!("Person {id}"),
        account_enabled: true,
        user_type: "Member".into(),
        ..SyncedContact::default()
    }
}

fn page(ids: &[&str], end: PageEnd) -> Result<SourcePage, SourceError> {
    Ok(SourcePage {
        contacts: ids.iter().map(|id| person(id)).collect(),
        users_seen: i64::try_from(ids.len()).unwrap(),
        end,
    })
}

impl ContactSource for Book {
    type Run = ();

    fn contacts_kind(&self) -> SourceKind {
        SourceKind::Microsoft365
    }

    fn ended_message(&self, _link: &SyncSource) -> String {
        "the book was closed".into()
    }

    async fn sync_customer(
        &self,
        app: &App,
        link: &SyncSource,
    ) -> Result<CustomerId, DirectoryError> {
        let org = link.new.org_id;
        let c = app
            .store()
            .upsert_synced_customer(
                org,
                self.contacts_kind(),
                &link.new.external_id,
                "Northwind",
                app.now(),
            )
            .await?;
        app.store().set_source_customer(org, link.id, c.id).await?;
        Ok(c.id)
    }

    async fn start(
        &self,
        _app: &App,
        _link: &SyncSource,
        _customer: &mut Customer,
    ) -> Result<(), SourceError> {
        Ok(())
    }

    async fn page(
        &self,
        _app: &App,
        _run: &mut (),
        cursor: Option<&str>,
    ) -> Result<SourcePage, SourceError> {
        self.asked.lock().unwrap().push(cursor.map(str::to_owned));
        self.script
            .lock()
            .unwrap()
            .pop_front()
            .expect("the engine asked for a page the script does not have")
    }

    async fn discover(
        &self,
        _app: &App,
        integration: &Integration,
    ) -> Result<Option<Vec<NewSyncSource>>, SourceError> {
        Ok(self.listed.as_ref().map(|ids| {
            ids.iter()
                .map(|id| NewSyncSource {
                    org_id: integration.org_id,
                    integration_id: integration.id,
                    external_id: (*id).into(),
                    link: String::new(),
                    display_name: format!("Company {id}"),
                    descriptor: "{}".into(),
                })
                .collect()
        }))
    }
}

struct Env {
    app: App,
    org: OrgId,
    link: SyncSourceId,
    _dir: tempfile::TempDir,
}

async fn env() -> Env {
    let dir = tempfile::tempdir().unwrap();
    let (app, admin) = support::app_with_admin(&dir, |_| {}).await;
    let i = app
        .create_integration(
            &countersign_app::Principal::technician(&admin, [127, 0, 0, 1].into()),
            IntegrationKind::Microsoft365,
            "Book",
        )
        .await
        .unwrap();
    let link = app
        .upsert_tenant_link(
            &NewTenantLink {
                org_id: admin.org_id,
                integration_id: i.id,
                tenant_id: "book-1".into(),
                link: LinkKind::AdminConsent,
                display_name: "Northwind".into(),
                default_domain: String::new(),
                relationships: String::new(),
                roles: String::new(),
            },
            app.now(),
        )
        .await
        .unwrap();
    Env {
        app,
        org: admin.org_id,
        link: link.id,
        _dir: dir,
    }
}

impl Env {
    async fn row(&self) -> SyncSource {
        self.app
            .store()
            .sync_source(self.org, self.link)
            .await
            .unwrap()
    }

    /// External ids of the customer's contacts that are not removed.
    async fn present(&self) -> Vec<String> {
        let customer = self.row().await.customer_id.unwrap();
        let q = ContactQuery {
            customer: Some(customer),
            limit: 100,
            ..ContactQuery::default()
        };
        let mut ids: Vec<String> = self
            .app
            .store()
            .search_contacts(self.org, &q)
            .await
            .unwrap()
            .into_iter()
            .filter(|c| c.removed_at.is_none())
            .filter_map(|c| c.external_id)
            .collect();
        ids.sort();
        ids
    }
}

#[tokio::test]
async fn a_full_round_pages_writes_counts_and_stores_the_cursor() {
    let e = env().await;
    let book = Book::default();
    book.then(page(&["a", "b"], PageEnd::More("p2".into())))
        .then(page(&["c"], PageEnd::Last(Some("c1".into()))));
    let outcome = e.app.sync_with(&book, e.org, e.link).await.unwrap();
    let done = SyncProgress {
        pages: 2,
        users_seen: 3,
        added: 3,
        changed: 0,
        removed: 0,
    };
    assert_eq!(outcome, SyncOutcome::Done(done));
    assert_eq!(book.asked(), vec![None, Some("p2".into())]);
    let row = e.row().await;
    assert_eq!(row.cursor.as_deref(), Some("c1"));
    assert_eq!(
        (row.state, row.last_ok, row.progress),
        (SyncState::Idle, Some(true), done)
    );
    assert!(row.customer_id.is_some(), "the source created the customer");
    assert_eq!(e.present().await, ["a", "b", "c"]);

    // Writing the same page again changes nothing (idempotent, keyed by the source's id).
    book.then(page(&["a", "b", "c"], PageEnd::Last(Some("c2".into()))));
    let again = e.app.sync_with(&book, e.org, e.link).await.unwrap();
    assert_eq!(
        book.asked(),
        vec![Some("c1".into())],
        "the next run starts at the cursor"
    );
    let SyncOutcome::Done(p) = again else {
        panic!("{again:?}")
    };
    assert_eq!((p.added, p.changed, p.removed), (0, 0, 0));
}

#[tokio::test]
async fn an_expired_cursor_restarts_a_full_round_that_sweeps_the_unseen() {
    let e = env().await;
    let book = Book::default();
    book.then(page(&["a", "b", "c"], PageEnd::Last(Some("c1".into()))));
    e.app.sync_with(&book, e.org, e.link).await.unwrap();
    book.asked();

    // The cursor expired: the engine starts a full round at once; "b" is not in it any more.
    book.then(Err(SourceError::CursorExpired("gone".into())))
        .then(page(&["a"], PageEnd::More("p2".into())))
        .then(page(&["c"], PageEnd::Last(Some("c2".into()))));
    let outcome = e.app.sync_with(&book, e.org, e.link).await.unwrap();
    assert_eq!(
        book.asked(),
        vec![Some("c1".into()), None, Some("p2".into())]
    );
    let SyncOutcome::Done(p) = outcome else {
        panic!("{outcome:?}")
    };
    assert_eq!(
        p.removed, 1,
        "mark and sweep removed the contact the round did not see"
    );
    assert_eq!(e.present().await, ["a", "c"]);
    assert_eq!(e.row().await.cursor.as_deref(), Some("c2"));

    // An expired cursor in the middle of a full round ends the run: a new full round next.
    book.then(Err(SourceError::CursorExpired("gone".into())))
        .then(page(&["a"], PageEnd::More("p2".into())))
        .then(Err(SourceError::CursorExpired("gone again".into())));
    let outcome = e.app.sync_with(&book, e.org, e.link).await.unwrap();
    assert_eq!(outcome, SyncOutcome::RestartFull("gone again".into()));
    let row = e.row().await;
    assert_eq!((row.cursor, row.last_ok), (None, Some(false)));
    assert_eq!(
        e.present().await,
        ["a", "c"],
        "an interrupted round sweeps nothing"
    );
}

#[tokio::test]
async fn a_source_failure_keeps_the_cursor_and_says_why() {
    let e = env().await;
    let book = Book::default();
    book.then(page(&["a"], PageEnd::Last(Some("c1".into()))));
    e.app.sync_with(&book, e.org, e.link).await.unwrap();

    book.then(Err(SourceError::RetryLater("the book is busy".into())));
    let outcome = e.app.sync_with(&book, e.org, e.link).await.unwrap();
    assert_eq!(outcome, SyncOutcome::Retry("the book is busy".into()));
    let row = e.row().await;
    assert_eq!(
        row.cursor.as_deref(),
        Some("c1"),
        "the next run replays from there"
    );
    assert_eq!(
        (row.state, row.last_ok, row.last_error.as_deref()),
        (SyncState::Idle, Some(false), Some("the book is busy"))
    );

    book.then(Err(SourceError::Failed("the book is gone".into())));
    let outcome = e.app.sync_with(&book, e.org, e.link).await.unwrap();
    assert_eq!(outcome, SyncOutcome::Failed("the book is gone".into()));
    assert_eq!(e.row().await.cursor.as_deref(), Some("c1"));
}

/// What a source lists, what the engine did, and each row after it with whether it ended.
type Step = (
    &'static [&'static str],
    Discovered,
    [(&'static str, bool); 3],
);

#[tokio::test]
async fn listed_companies_are_linked_and_unlisted_ones_ended() {
    let e = env().await;
    let integration = e.row().await.new.integration_id;
    // Each step: what the source lists, what the engine did, and the rows after it (by
    // name: Company c1, Company c2, Northwind), with whether each is ended. book-1 (Northwind)
    // is never listed; c2 leaves the list in the second step; an ended row is not ended twice.
    let steps: [Step; 2] = [
        (
            &["c1", "c2"],
            Discovered {
                linked: 2,
                ended: 1,
            },
            [("c1", false), ("c2", false), ("book-1", true)],
        ),
        (
            &["c1"],
            Discovered {
                linked: 1,
                ended: 1,
            },
            [("c1", false), ("c2", true), ("book-1", true)],
        ),
    ];
    for (listed, did, after) in steps {
        let source = Book::listing(listed);
        let found = e.app.discover_with(&source, e.org, integration).await;
        assert_eq!(found.unwrap(), Some(did), "listing {listed:?}");
        let rows = e
            .app
            .store()
            .sync_sources(e.org, integration)
            .await
            .unwrap();
        let got: Vec<(&str, bool)> = rows
            .iter()
            .map(|r| (r.new.external_id.as_str(), r.ended_at.is_some()))
            .collect();
        assert_eq!(got, after, "after listing {listed:?}");
        let ended = rows.iter().find(|r| r.new.external_id == "book-1").unwrap();
        assert_eq!(ended.ended_reason.as_deref(), Some(NO_LONGER_LISTED));
    }
    // A source that does not list companies changes nothing; Microsoft 365 is one.
    let silent = Book::default();
    let none = e.app.discover_with(&silent, e.org, integration).await;
    assert_eq!(none.unwrap(), None);
    assert_eq!(
        e.app.discover_links(e.org, integration).await.unwrap(),
        None
    );
}
