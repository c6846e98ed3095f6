//! Minting access and id tokens, and the claims Graph reads back from them.

use crate::model::App;
use crate::model::user::User;
use crate::scenario::stable_uuid;
use crate::state::Shared;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Access tokens live one hour (`expires_in: 3599`).
pub const ACCESS_LIFETIME_S: i64 = 3599;

/// Audiences Graph accepts: its URI and its well-known app id.
pub const GRAPH_AUDIENCES: &[&str] = &[
    "https://graph.microsoft.com",
    "00000003-0000-0000-c000-000000000000",
];

/// The subset of v1.0 access-token claims the emulator writes and Graph checks.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AccessClaims {
    pub aud: String,
    pub iss: String,
    pub iat: i64,
    pub nbf: i64,
    pub exp: i64,
    pub tid: Uuid,
    pub appid: Uuid,
    pub app_displayname: String,
    pub oid: Uuid,
    pub sub: String,
    /// `app` for app-only tokens, `user` for delegated ones.
    pub idtyp: String,
    pub ver: String,
    pub uti: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub roles: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub scp: Option<String>,
    /// Directory role template ids of the signed-in user (GDAP roles in a customer tenant).
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub wids: Vec<Uuid>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub upn: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub name: Option<String>,
}

pub enum Principal<'a> {
    App {
        roles: Vec<String>,
    },
    User {
        user: &'a User,
        scopes: Vec<String>,
        wids: Vec<Uuid>,
    },
}

pub fn access_token(s: &Shared, tenant: Uuid, app: &App, principal: Principal<'_>) -> String {
    let now = s.clock.now_seconds();
    let mut claims = AccessClaims {
        aud: GRAPH_AUDIENCES[0].into(),
        iss: format!("https://sts.windows.net/{tenant}/"),
        iat: now,
        nbf: now,
        exp: now + ACCESS_LIFETIME_S,
        tid: tenant,
        appid: app.client_id,
        app_displayname: app.display_name.clone(),
        oid: Uuid::nil(),
        sub: String::new(),
        idtyp: String::new(),
        ver: "1.0".into(),
        uti: super::grants::opaque("", 16),
        roles: None,
        scp: None,
        wids: Vec::new(),
        upn: None,
        name: None,
    };
    match principal {
        Principal::App { roles } => {
            // The service principal's object id differs per tenant, as in Entra.
            claims.oid = stable_uuid(0, &["sp", &app.client_id.to_string(), &tenant.to_string()]);
            claims.idtyp = "app".into();
            claims.roles = (!roles.is_empty()).then_some(roles);
        }
        Principal::User { user, scopes, wids } => {
            claims.oid = user.id;
            claims.idtyp = "user".into();
            claims.scp = Some(scopes.join(" "));
            claims.wids = wids;
            claims.upn = Some(user.user_principal_name.to_string());
            claims.name = Some(user.display_name.to_string());
        }
    }
    claims.sub = stable_uuid(
        0,
        &["sub", &claims.oid.to_string(), &app.client_id.to_string()],
    )
    .simple()
    .to_string();
    s.signer
        .sign(&serde_json::to_value(&claims).unwrap_or_default())
}

/// A v2.0 `id_token`, signed RS256 with the key published at `jwks_uri`; `None` if no RSA
/// key could be made.
pub fn id_token(
    s: &Shared,
    tenant: Uuid,
    app: &App,
    user: &User,
    nonce: Option<&str>,
) -> Option<String> {
    let now = s.clock.now_seconds();
    let mut claims = serde_json::json!({
        "aud": app.client_id,
        "iss": format!("{}/{tenant}/v2.0", s.urls.login),
        "iat": now,
        "nbf": now,
        "exp": now + ACCESS_LIFETIME_S,
        "name": &*user.display_name,
        "oid": user.id,
        "preferred_username": &*user.user_principal_name,
        "sub": stable_uuid(0, &["sub", &user.id.to_string(), &app.client_id.to_string()]).simple().to_string(),
        "tid": tenant,
        "ver": "2.0",
    });
    if let Some(n) = nonce {
        claims["nonce"] = n.into();
    }
    s.id_signer.sign(&claims)
}
