//! countersign-microsoft: a client for the Microsoft identity platform (admin consent,
//! authorization code + PKCE, client credentials, refresh with rotation) and the few
//! Microsoft Graph endpoints Countersign uses (users, delta, PATCH, organization, GDAP
//! relationships, `sendMail`), following `docs/microsoft-365.md`.
//!
//! Hosts are never hard-coded: every call takes a [`Cloud`], whose login and Graph base URLs
//! are data (Global, US Government GCC High and DoD, China, or Custom — the simulator).
//! Errors are typed ([`MsError`]) and carry a message a technician can act on
//! ([`MsError::user_message`]). Secrets (client secrets, refresh and access tokens) are
//! [`secrecy::SecretString`]s and never appear in `Debug` output or logs.

mod callback;
mod client;
mod cloud;
mod error;
mod graph;
mod identity;
mod mail;
mod model;
mod oidc;
mod pkce;
mod retry;
mod tokens;

pub use callback::{AuthCodeCallback, CallbackError, ConsentCallback};
pub use client::{ClientConfig, Microsoft, Priority};
pub use cloud::{Cloud, CloudKind};
pub use error::{AppRegistration, ErrorKind, GraphError, IdentityError, MsError};
pub use graph::{DeltaPage, UsersPage};
pub use mail::{MailError, MailMessage};
pub use model::{
    APPLICATION_ADMINISTRATOR, CLOUD_APPLICATION_ADMINISTRATOR, DelegatedTenant, GraphUser,
    Organization, Relationship, USER_ADMINISTRATOR, USER_SELECT, UserChange, group_relationships,
    role_name,
};
pub use oidc::{
    CLOCK_SKEW_S, IdTokenClaims, IdTokenError, IdTokenExpectations, Jwk, Jwks, Nonce,
    OPENID_SCOPES, OpenIdConfiguration, SignInProofError, verify_id_token,
};
pub use pkce::Pkce;
pub use retry::RetryPolicy;
pub use tokens::{AccessToken, Credentials, TokenGrant, TokenSet};
