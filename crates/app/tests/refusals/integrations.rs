//! Integrations and the Jobs page: every use case refuses a principal without its permission
//! before it reads anything (the ids below exist nowhere, so a use case that looked first
//! would answer "not found" instead).

use crate::{Case, Env, case};
use countersign_app::microsoft::{GdapInput, IntegrationInput};
use countersign_domain::{IntegrationId, JobId, SessionId, TenantLinkId};
use countersign_store::{IntegrationKind, SyncRunFilter};
use std::collections::HashMap;

pub fn cases(env: &Env) -> Vec<Case<'_>> {
    let by = &env.nobody;
    let session = SessionId::new();
    let query = || HashMap::from([("state".to_owned(), "x".to_owned())]);
    vec![
        case!(
            env.app,
            create_integration(by, IntegrationKind::Microsoft365, "M365")
        ),
        case!(env.app, rename_integration(by, IntegrationId::new(), "M")),
        case!(
            env.app,
            update_integration_settings(by, IntegrationId::new(), &IntegrationInput::default())
        ),
        case!(env.app, delete_integration(by, IntegrationId::new())),
        case!(env.app, start_consent(by, session, IntegrationId::new())),
        case!(env.app, finish_consent(by, session, &query())),
        case!(
            env.app,
            start_gdap(by, session, IntegrationId::new(), &GdapInput::default())
        ),
        case!(
            env.app,
            finish_gdap(by, session, IntegrationId::new(), &query())
        ),
        case!(env.app, refresh_gdap_tenants(by, IntegrationId::new())),
        case!(env.app, integration_list(by)),
        case!(env.app, integration_page(by, IntegrationId::new())),
        case!(env.app, integration_status(by, IntegrationId::new())),
        case!(env.app, queue_integration_sync(by, IntegrationId::new())),
        case!(
            env.app,
            queue_tenant_sync(by, IntegrationId::new(), TenantLinkId::new())
        ),
        case!(env.app, job_list(by, None, 10)),
        case!(env.app, retry_job(by, JobId::new())),
        case!(env.app, delete_job(by, JobId::new())),
        case!(env.app, enqueue_customer_sync(by, IntegrationId::new())),
        case!(env.app, customer_sync_progress(by, IntegrationId::new())),
        case!(
            env.app,
            unlink_tenant(by, IntegrationId::new(), TenantLinkId::new())
        ),
        case!(
            env.app,
            relink_tenant(by, IntegrationId::new(), TenantLinkId::new())
        ),
        case!(env.app, unlink_retention_days(by)),
        case!(env.app, set_unlink_retention_days(by, "30")),
        case!(env.app, sync_history(by, SyncRunFilter::default())),
    ]
}
