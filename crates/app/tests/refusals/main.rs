//! Every use case that acts for a principal refuses one without its permission (issue 19.1).
//! The list is checked against the source: a `pub async fn` of `App` that takes a
//! `&Principal` and has no case here fails `every_principal_use_case_has_a_refusal_case`, so a
//! new use case cannot forget its permission check unnoticed.
//!
//! Each area adds its cases in its own module: `cases(&Env) -> Vec<Case>`, built with
//! `case!`, calling the use case with `env.nobody` (a principal of the org with every
//! permission taken away) and arguments that would otherwise succeed or fail later.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod accounts;
mod broadcasts;
mod dashboard;
mod directory;
mod integrations;
mod unsubscribe;

use countersign_app::{App, ErrorKind, ManualClock, Principal, Refusal, Settings, UseCaseError};
use countersign_domain::Email;
use std::collections::BTreeSet;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

/// One use case called by a principal without permissions: its name and the outcome's kind.
pub struct Case<'a> {
    pub name: &'static str,
    pub run: Pin<Box<dyn Future<Output = Option<ErrorKind>> + Send + 'a>>,
}

/// `case!(env.app, method(args…))`: the use case `method`, called, mapped to its error kind.
#[macro_export]
macro_rules! case {
    ($app:expr, $method:ident ( $($arg:expr),* $(,)? )) => {
        $crate::Case {
            name: stringify!($method),
            run: Box::pin(async move {
                $app.$method($($arg),*)
                    .await
                    .err()
                    .map(|e| countersign_app::UseCaseError::kind(&e))
            }),
        }
    };
}

/// An org with an admin, and principals of it.
pub struct Env {
    pub app: App,
    pub admin: countersign_store::Technician,
    /// The org's admin with every permission taken away.
    pub nobody: Principal,
    pub _dir: tempfile::TempDir,
}

async fn env() -> Env {
    let dir = tempfile::tempdir().unwrap();
    let mut settings = Settings::default();
    settings.storage.data_dir = dir.path().to_path_buf();
    settings.security.argon2_memory_kib = 8192;
    settings.security.argon2_iterations = 1;
    let clock = ManualClock::starting_now();
    let app = App::start(settings, Arc::new(clock)).await.unwrap();
    let email = Email::parse("admin@acme.test").unwrap();
    let admin = app
        .create_admin("Acme IT", &email, "correct plum orbit 42")
        .await
        .unwrap()
        .technician;
    let nobody =
        Principal::technician(&admin, std::net::IpAddr::from([192, 0, 2, 1])).limited_to(&[]);
    Env {
        app,
        admin,
        nobody,
        _dir: dir,
    }
}

/// Every area's cases.
fn all_cases(env: &Env) -> Vec<Case<'_>> {
    let mut cases = Vec::new();
    cases.extend(accounts::cases(env));
    cases.extend(broadcasts::cases(env));
    cases.extend(dashboard::cases(env));
    cases.extend(directory::cases(env));
    cases.extend(integrations::cases(env));
    cases.extend(unsubscribe::cases(env));
    cases
}

#[tokio::test]
async fn every_use_case_refuses_a_principal_without_its_permission() {
    let env = env().await;
    for case in all_cases(&env) {
        let kind = case.run.await;
        assert_eq!(
            kind,
            Some(ErrorKind::Forbidden(Refusal::Permission)),
            "{} did not refuse a principal without its permission",
            case.name
        );
    }
}

/// The names of `App`'s public async methods that take a `&Principal`, read from the source.
fn principal_use_cases() -> BTreeSet<String> {
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut names = BTreeSet::new();
    let mut stack = vec![src];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                names.extend(use_cases_in(&text));
            }
        }
    }
    names
}

/// `pub async fn name(&self, x: &Principal …` (the signature may span lines).
fn use_cases_in(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (i, _) in text.match_indices("pub async fn ") {
        let rest = &text[i + "pub async fn ".len()..];
        let Some(open) = rest.find('(') else { continue };
        let name = rest[..open].split('<').next().unwrap_or("").trim();
        let sig_end = rest.find('{').unwrap_or(rest.len());
        let params = &rest[open..sig_end];
        // The first parameter after `&self` is the principal.
        let mut parts = params.trim_start_matches('(').split(',');
        let first = parts.next().unwrap_or("").trim();
        let second = parts.next().unwrap_or("").trim();
        if first == "&self" && second.ends_with("&Principal") {
            out.push(name.to_owned());
        }
    }
    out
}

#[tokio::test]
async fn every_principal_use_case_has_a_refusal_case() {
    let env = env().await;
    let covered: BTreeSet<String> = all_cases(&env).iter().map(|c| c.name.to_owned()).collect();
    let missing: Vec<_> = principal_use_cases()
        .into_iter()
        .filter(|n| !covered.contains(n))
        .collect();
    assert!(
        missing.is_empty(),
        "use cases taking a &Principal without a refusal case in tests/refusals: {missing:?}"
    );
    let _ = UseCaseError::kind(&countersign_app::Denied(
        countersign_domain::Permission::ViewAudit,
    ));
}

#[test]
fn the_signature_reader_finds_principal_use_cases_only() {
    let src = "pub async fn a(&self, by: &Principal, x: u8) -> R {}\n\
               pub async fn b(\n        &self,\n        by: &Principal,\n    ) -> R {}\n\
               pub async fn c(&self, org: OrgId) -> R {}";
    assert_eq!(use_cases_in(src), vec!["a".to_owned(), "b".to_owned()]);
}
