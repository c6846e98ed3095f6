//! The identity platform face: `/{tenant}/…` under `login_base_url`.

pub mod error;
pub mod grants;
pub mod jwt;

mod discovery;
mod issue;
mod pages;
mod scope;
mod token;

use crate::state::AppState;
use crate::world::{Tenant, World};
use axum::Router;
use axum::routing::get;
use std::sync::Arc;

pub use issue::{AccessClaims, GRAPH_AUDIENCES};

/// `{tenant}` of a login URL.
#[derive(Clone)]
pub enum TenantRef {
    Tenant(Arc<Tenant>),
    /// `common` or `organizations`: the tenant comes from the account that signs in.
    Multi(&'static str),
}

impl TenantRef {
    pub fn resolve(world: &World, key: &str) -> Option<TenantRef> {
        if key.eq_ignore_ascii_case("common") {
            Some(TenantRef::Multi("common"))
        } else if key.eq_ignore_ascii_case("organizations") {
            Some(TenantRef::Multi("organizations"))
        } else {
            world.resolve_tenant(key).map(TenantRef::Tenant)
        }
    }
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/{tenant}/v2.0/.well-known/openid-configuration",
            get(discovery::openid_configuration),
        )
        .route("/{tenant}/discovery/v2.0/keys", get(discovery::keys))
        .route(
            "/{tenant}/oauth2/v2.0/authorize",
            get(pages::authorize_page).post(pages::authorize_submit),
        )
        .route(
            "/{tenant}/v2.0/adminconsent",
            get(pages::consent_page).post(pages::consent_submit),
        )
        .route(
            "/{tenant}/oauth2/v2.0/token",
            axum::routing::post(token::token),
        )
}
