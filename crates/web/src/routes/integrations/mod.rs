//! Integrations ▸ PSA Integrations: the integration cards, one page per integration
//! (`/integrations/psa/{id}`), tenant-by-tenant consent, GDAP sign-in, sync buttons and
//! live sync progress. The app checks the permissions (`ManageIntegrations` to change
//! anything, `ViewDirectory` to look: technicians may look); the admin guards here only
//! decide which session may post (and which needs a recent proof).

mod actions;
mod callbacks;
mod pages;

use super::post_only::post_only;
use crate::AppState;
use crate::error::WebError;
use axum::Router;
use axum::routing::get;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/integrations/psa", get(pages::index).post(actions::create))
        .route("/integrations/psa/{id}", get(pages::show))
        .route("/integrations/psa/{id}/status.json", get(pages::status))
        .route(
            "/integrations/psa/{id}/rename",
            post_only("/integrations/psa/{id}", actions::rename),
        )
        .route(
            "/integrations/psa/{id}/settings",
            post_only("/integrations/psa/{id}", actions::settings),
        )
        .route(
            "/integrations/psa/{id}/delete",
            post_only("/integrations/psa/{id}", actions::delete),
        )
        .route(
            "/integrations/psa/{id}/consent",
            post_only("/integrations/psa/{id}", actions::consent),
        )
        .route(
            "/integrations/psa/{id}/gdap",
            post_only("/integrations/psa/{id}", actions::gdap),
        )
        .route(
            "/integrations/psa/{id}/gdap/refresh",
            post_only("/integrations/psa/{id}", actions::gdap_refresh),
        )
        .route(
            "/integrations/psa/{id}/sync-customers",
            post_only("/integrations/psa/{id}", actions::sync_customers),
        )
        .route(
            "/integrations/psa/{id}/sync-users",
            post_only("/integrations/psa/{id}", actions::sync_users),
        )
        .route(
            "/integrations/psa/{id}/tenants/{link}/sync",
            post_only("/integrations/psa/{id}", actions::sync_tenant),
        )
        .route(
            "/integrations/psa/{id}/tenants/{link}/unlink",
            post_only("/integrations/psa/{id}", actions::unlink_tenant),
        )
        .route(
            "/integrations/psa/{id}/tenants/{link}/relink",
            post_only("/integrations/psa/{id}", actions::relink_tenant),
        )
        .route(
            "/integrations/psa/{id}/retention",
            post_only("/integrations/psa/{id}", actions::retention),
        )
        .route("/integrations/consent/callback", get(callbacks::consent))
        .route("/integrations/psa/{id}/gdap/callback", get(callbacks::gdap))
}

/// An id in a path; anything else is "not found" (as another org's id is).
fn parse_id<T: std::str::FromStr>(raw: &str) -> Result<T, WebError> {
    raw.parse().map_err(|_| WebError::NotFound)
}

/// Notices after a redirect on the integration pages (known keys only).
fn notice_text(key: &str) -> Option<&'static str> {
    Some(match key {
        "created" => "Integration added. Connect tenants below.",
        "renamed" => "Renamed.",
        "saved" => "Settings saved.",
        "tenant_linked" => {
            "Tenant connected. It is listed below; Sync Customer and Sync Users bring in its contacts."
        }
        "gdap_connected" => "Signed in with Microsoft. The GDAP tenants are listed below.",
        "gdap_refreshed" => "GDAP tenants refreshed.",
        "sync_queued" => "Sync started. Progress shows below as it runs.",
        "sync_customers_queued" => "Sync Customer started. Progress shows below as it runs.",
        "deleted" => "Integration deleted.",
        "tenant_unlinked" => {
            "Tenant unlinked. It is no longer synced; its contacts are hidden and are deleted on the date shown below unless you link it again."
        }
        "tenant_relinked" => {
            "Tenant linked again. Its contacts are back and a full sync is queued."
        }
        "retention_saved" => "Retention saved. It applies to tenants unlinked from now on.",
        _ => return None,
    })
}
