//! OpenID Connect discovery: the tenant GUID is in `issuer` and every endpoint [S5][S7].

use super::TenantRef;
use super::error::AadError;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};

pub async fn openid_configuration(
    State(s): State<AppState>,
    Path(tenant): Path<String>,
) -> Response {
    let Some(t) = TenantRef::resolve(&s.world, &tenant) else {
        return AadError::tenant_not_found(&tenant, true).into_response();
    };
    // For common/organizations Microsoft publishes the literal `{tenantid}` template [S29].
    let (path_id, issuer_id) = match &t {
        TenantRef::Tenant(t) => (t.id.to_string(), t.id.to_string()),
        TenantRef::Multi(name) => ((*name).to_string(), "{tenantid}".to_string()),
    };
    let login = &s.urls.login;
    Json(serde_json::json!({
        "token_endpoint": format!("{login}/{path_id}/oauth2/v2.0/token"),
        "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
        "jwks_uri": format!("{login}/{path_id}/discovery/v2.0/keys"),
        "response_modes_supported": ["query", "fragment", "form_post"],
        "subject_types_supported": ["pairwise"],
        // id_tokens are signed RS256 with the key at `jwks_uri`, as Microsoft's are.
        "id_token_signing_alg_values_supported": ["RS256"],
        "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
        "scopes_supported": ["openid", "profile", "email", "offline_access"],
        "issuer": format!("{login}/{issuer_id}/v2.0"),
        "request_uri_parameter_supported": false,
        "userinfo_endpoint": format!("{}/oidc/userinfo", s.urls.graph),
        "authorization_endpoint": format!("{login}/{path_id}/oauth2/v2.0/authorize"),
        "device_authorization_endpoint": format!("{login}/{path_id}/oauth2/v2.0/devicecode"),
        "http_logout_supported": true,
        "frontchannel_logout_supported": true,
        "end_session_endpoint": format!("{login}/{path_id}/oauth2/v2.0/logout"),
        "claims_supported": ["sub", "iss", "aud", "exp", "iat", "auth_time", "acr", "nonce",
            "preferred_username", "name", "tid", "ver", "at_hash", "c_hash", "email"],
        "tenant_region_scope": "EU",
        "cloud_instance_name": "microsoftonline.com",
        "cloud_graph_host_name": "graph.windows.net",
        "msgraph_host": "graph.microsoft.com",
        "rbac_url": "https://pas.windows.net"
    }))
    .into_response()
}

/// The public key of `id_token`s (access tokens are signed with a private HMAC key, opaque to
/// clients as Microsoft's are).
pub async fn keys(State(s): State<AppState>, Path(tenant): Path<String>) -> Response {
    if TenantRef::resolve(&s.world, &tenant).is_none() {
        return AadError::tenant_not_found(&tenant, true).into_response();
    }
    Json(s.id_signer.jwks()).into_response()
}
