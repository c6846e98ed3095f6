//! The emulated world's plain data: users, apps, consents, GDAP relationships, contracts.

pub mod directory;
pub mod roles;
pub mod user;

use countersign_domain::Timestamp;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Which of Countersign's two integration modes an app registration serves.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AppKind {
    /// Mode (a): Countersign's multi-tenant app, admin-consented per customer, app-only tokens.
    MultiTenant,
    /// Mode (b): the MSP's own app in its partner tenant, delegated sign-in + GDAP.
    Partner,
}

#[derive(Clone, Debug)]
pub struct Secret {
    pub value: String,
    /// `None` never expires (the scenario chose not to model expiry).
    pub expires: Option<Timestamp>,
}

#[derive(Clone, Debug)]
pub struct App {
    pub client_id: Uuid,
    pub display_name: String,
    pub kind: AppKind,
    pub home_tenant: Uuid,
    pub secrets: Vec<Secret>,
    pub redirect_uris: Vec<String>,
    /// Graph application permissions (app roles), e.g. `User.ReadWrite.All`.
    pub application_permissions: Vec<String>,
    /// Graph delegated permissions (scopes), e.g. `User.ReadWrite.All`.
    pub delegated_permissions: Vec<String>,
}

/// What a tenant has granted an app: the result of admin consent, CPV consent or
/// oauth2PermissionGrant/appRoleAssignment.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Consent {
    pub application_permissions: Vec<String>,
    pub delegated_permissions: Vec<String>,
    /// Directory roles assigned to the app's service principal in that tenant; they widen
    /// what app-only writes may touch (e.g. Privileged Authentication Administrator).
    pub directory_roles: Vec<Uuid>,
}

#[derive(Clone, Debug)]
pub struct Relationship {
    pub id: String,
    pub display_name: String,
    pub customer_tenant: Uuid,
    pub customer_name: String,
    pub status: String,
    pub roles: Vec<Uuid>,
    pub duration: String,
    pub created: Timestamp,
}

#[derive(Clone, Debug)]
pub struct Contract {
    pub id: Uuid,
    pub customer_id: Uuid,
    pub default_domain_name: String,
    pub display_name: String,
    pub contract_type: String,
}
