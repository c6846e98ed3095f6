//! `POST /{tenant}/oauth2/v2.0/token`: client credentials, authorization code + PKCE, and
//! refresh token (including redemption against GDAP customer tenants).

use super::TenantRef;
use super::error::AadError;
use super::grants::{CODE_LIFETIME_MS, REFRESH_INACTIVITY_MS, RefreshGrant};
use super::issue::{ACCESS_LIFETIME_S, Principal, access_token, id_token};
use super::scope::{self, ScopeRequest};
use crate::clock::aad_timestamp;
use crate::model::App;
use crate::model::user::User;
use crate::state::{AppState, Shared};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use bytes::Bytes;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use uuid::Uuid;

type Form = HashMap<String, String>;

pub async fn token(
    State(s): State<AppState>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    match run(&s, &tenant, &headers, &body) {
        Ok(json) => {
            let mut resp = Json(json).into_response();
            resp.headers_mut().insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static("no-store, no-cache"),
            );
            resp
        }
        Err(e) => e.into_response(),
    }
}

/// Client id and secret from the body or HTTP Basic (RFC 6749 §2.3.1).
fn client_auth(form: &Form, headers: &HeaderMap) -> (Option<String>, Option<String>) {
    let basic = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(|b| STANDARD.decode(b.trim()).ok())
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|pair| {
            let (id, secret) = pair.split_once(':')?;
            let decode = |x: &str| {
                form_urlencoded::parse(format!("v={x}").as_bytes())
                    .next()
                    .map(|(_, v)| v.into_owned())
            };
            Some((decode(id)?, decode(secret)?))
        });
    let id = form
        .get("client_id")
        .cloned()
        .or_else(|| basic.as_ref().map(|b| b.0.clone()));
    let secret = form
        .get("client_secret")
        .cloned()
        .or_else(|| basic.map(|b| b.1));
    (id, secret)
}

fn check_secret(s: &Shared, app: &App, provided: Option<&str>) -> Result<(), AadError> {
    let provided = provided.ok_or_else(AadError::missing_secret)?;
    let client_id = app.client_id.to_string();
    let secret = app
        .secrets
        .iter()
        .find(|sec| sec.value == provided)
        .ok_or_else(|| AadError::bad_secret(&client_id))?;
    if secret.expires.is_some_and(|e| e <= s.clock.now()) {
        return Err(AadError::expired_secret(&client_id));
    }
    Ok(())
}

fn param<'a>(form: &'a Form, name: &str) -> Result<&'a str, AadError> {
    form.get(name)
        .map(String::as_str)
        .filter(|v| !v.is_empty())
        .ok_or_else(|| AadError::missing_parameter(name))
}

fn run(
    s: &Shared,
    tenant_key: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<serde_json::Value, AadError> {
    let form: Form = form_urlencoded::parse(body).into_owned().collect();
    let target = TenantRef::resolve(&s.world, tenant_key)
        .ok_or_else(|| AadError::tenant_not_found(tenant_key, false))?;
    let (client_id, secret) = client_auth(&form, headers);
    let client_id = client_id.ok_or_else(|| AadError::missing_parameter("client_id"))?;
    let grant = param(&form, "grant_type")?;
    let app = s
        .world
        .app(&client_id)
        .ok_or_else(|| AadError::app_not_in_tenant(&client_id, tenant_key))?;
    match grant {
        "client_credentials" => client_credentials(s, &target, app, secret.as_deref(), &form),
        "authorization_code" => authorization_code(s, &target, app, secret.as_deref(), &form),
        "refresh_token" => refresh_token(s, &target, app, secret.as_deref(), &form),
        other => Err(AadError::unsupported_grant(other)),
    }
}

fn client_credentials(
    s: &Shared,
    target: &TenantRef,
    app: &App,
    secret: Option<&str>,
    form: &Form,
) -> Result<serde_json::Value, AadError> {
    let TenantRef::Tenant(tenant) = target else {
        return Err(AadError::grant_on_common());
    };
    let tid = tenant.id.to_string();
    scope::parse_client_credentials(param(form, "scope")?, &s.urls.graph, &tid)?;
    // Without consent the app has no service principal in that directory: Entra cannot even
    // look the secret up, so 700016 comes before any secret check.
    let consent = s
        .world
        .consent(tenant.id, app)
        .ok_or_else(|| AadError::app_not_in_tenant(&app.client_id.to_string(), &tid))?;
    check_secret(s, app, secret)?;
    let token = access_token(
        s,
        tenant.id,
        app,
        Principal::App {
            roles: consent.application_permissions,
        },
    );
    Ok(serde_json::json!({
        "token_type": "Bearer",
        "expires_in": ACCESS_LIFETIME_S,
        "ext_expires_in": ACCESS_LIFETIME_S,
        "access_token": token,
    }))
}

fn pkce_ok(method: &str, challenge: &str, verifier: &str) -> bool {
    if method.eq_ignore_ascii_case("plain") {
        return challenge == verifier;
    }
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes())) == challenge
}

fn authorization_code(
    s: &Shared,
    target: &TenantRef,
    app: &App,
    secret: Option<&str>,
    form: &Form,
) -> Result<serde_json::Value, AadError> {
    let code = param(form, "code")?;
    let redirect_uri = param(form, "redirect_uri")?;
    check_secret(s, app, secret)?;
    let now = s.clock.now();
    let grant = s.grants.with_code(code, |grant| {
        let grant = grant.ok_or_else(AadError::code_malformed)?;
        if grant.redeemed {
            return Err(AadError::code_redeemed());
        }
        if grant.expires <= now {
            return Err(AadError::code_expired());
        }
        if grant.client_id != app.client_id {
            return Err(AadError::grant_mismatch(
                "the code was issued to another client",
            ));
        }
        if grant.redirect_uri != redirect_uri {
            return Err(AadError::grant_mismatch(
                "redirect_uri differs from the authorize request",
            ));
        }
        if let TenantRef::Tenant(t) = target
            && t.id != grant.tenant
        {
            {
                return Err(AadError::grant_mismatch(
                    "the code was issued in another tenant",
                ));
            }
        }
        if let Some((challenge, method)) = &grant.challenge {
            let verifier = form
                .get("code_verifier")
                .map(String::as_str)
                .unwrap_or_default();
            if !pkce_ok(method, challenge, verifier) {
                return Err(AadError::pkce_mismatch());
            }
        }
        grant.redeemed = true;
        Ok(grant.clone())
    })?;
    debug_assert!(grant.expires.millis() - CODE_LIFETIME_MS <= now.millis());
    let tenant = s
        .world
        .tenant(grant.tenant)
        .ok_or_else(AadError::code_malformed)?;
    let user = tenant
        .read()
        .active(grant.user)
        .cloned()
        .ok_or_else(AadError::code_malformed)?;
    let requested = scope::parse(&grant.scope, &s.urls.graph, &tenant.id.to_string())?;
    let refresh = RefreshGrant {
        client_id: app.client_id,
        home_tenant: tenant.id,
        user: user.id,
        scope: grant.scope.clone(),
        issued: now,
        last_used: now,
    };
    delegated_response(
        s,
        tenant.id,
        app,
        &user,
        user.roles.clone(),
        &requested,
        refresh,
        grant.nonce.as_deref(),
    )
}

fn refresh_token(
    s: &Shared,
    target: &TenantRef,
    app: &App,
    secret: Option<&str>,
    form: &Form,
) -> Result<serde_json::Value, AadError> {
    let token = param(form, "refresh_token")?;
    check_secret(s, app, secret)?;
    let grant = s
        .grants
        .refresh(token)
        .ok_or_else(AadError::code_malformed)?;
    if grant.client_id != app.client_id {
        return Err(AadError::grant_mismatch(
            "the refresh token was issued to another client",
        ));
    }
    let now = s.clock.now();
    if now.millis() - grant.last_used.millis() > REFRESH_INACTIVITY_MS {
        return Err(AadError::refresh_expired(&aad_timestamp(grant.issued)));
    }
    if let Some(from) = s.grants.valid_from(grant.home_tenant, grant.user)
        && grant.issued <= from
    {
        {
            return Err(AadError::refresh_revoked(
                &aad_timestamp(grant.issued),
                &aad_timestamp(from),
            ));
        }
    }
    let home = s
        .world
        .tenant(grant.home_tenant)
        .ok_or_else(AadError::code_malformed)?;
    let user = home.read().active(grant.user).cloned().ok_or_else(|| {
        AadError::refresh_revoked(&aad_timestamp(grant.issued), &aad_timestamp(now))
    })?;
    let tenant = match target {
        TenantRef::Tenant(t) => t.clone(),
        TenantRef::Multi(_) => home.clone(),
    };
    let tid = tenant.id.to_string();
    // The new token keeps the original sign-in's OIDC scopes; the resource part may change.
    let mut requested = scope::parse(&grant.scope, &s.urls.graph, &tid)?;
    if let Some(asked) = form.get("scope") {
        let asked = scope::parse(asked, &s.urls.graph, &tid)?;
        requested.default = asked.default || asked.permissions.is_empty();
        requested.permissions = asked.permissions;
    }
    let wids = if tenant.id == home.id {
        user.roles.clone()
    } else {
        cross_tenant_roles(s, app, &user, home.id, &tenant)?
    };
    s.grants.touch_refresh(token, now);
    let next = RefreshGrant {
        scope: grant.scope.clone(),
        issued: now,
        last_used: now,
        ..grant
    };
    delegated_response(s, tenant.id, app, &user, wids, &requested, next, None)
}

/// Redeeming a partner refresh token in a customer tenant (Secure Application Model + GDAP,
/// §2.4): needs an active GDAP relationship (else AADSTS90099) and the app consented with
/// delegated permissions in the customer (else AADSTS65001). Returns the GDAP roles.
fn cross_tenant_roles(
    s: &Shared,
    app: &App,
    user: &User,
    home: Uuid,
    tenant: &crate::world::Tenant,
) -> Result<Vec<Uuid>, AadError> {
    let client_id = app.client_id.to_string();
    let tid = tenant.id.to_string();
    if home != s.world.partner_id {
        return Err(AadError::user_not_in_tenant(
            &user.user_principal_name,
            &tid,
            &client_id,
        ));
    }
    let roles = s
        .world
        .gdap_roles(tenant.id)
        .ok_or_else(|| AadError::partner_not_preconsented(&client_id, &app.display_name, &tid))?;
    let consented = s
        .world
        .consent(tenant.id, app)
        .is_some_and(|c| !c.delegated_permissions.is_empty());
    if !consented {
        return Err(AadError::consent_missing(&client_id, &app.display_name));
    }
    Ok(roles)
}

#[allow(clippy::too_many_arguments)]
fn delegated_response(
    s: &Shared,
    tenant: Uuid,
    app: &App,
    user: &User,
    wids: Vec<Uuid>,
    requested: &ScopeRequest,
    refresh: RefreshGrant,
    nonce: Option<&str>,
) -> Result<serde_json::Value, AadError> {
    let consent = s
        .world
        .consent(tenant, app)
        .ok_or_else(|| AadError::consent_missing(&app.client_id.to_string(), &app.display_name))?;
    let granted = if requested.default || requested.permissions.is_empty() {
        consent.delegated_permissions.clone()
    } else {
        for p in &requested.permissions {
            if !consent
                .delegated_permissions
                .iter()
                .any(|c| c.eq_ignore_ascii_case(p))
            {
                return Err(AadError::consent_missing(
                    &app.client_id.to_string(),
                    &app.display_name,
                ));
            }
        }
        requested.permissions.clone()
    };
    let mut scope_text: Vec<String> = granted
        .iter()
        .map(|p| format!("https://graph.microsoft.com/{p}"))
        .collect();
    let access = access_token(
        s,
        tenant,
        app,
        Principal::User {
            user,
            scopes: granted,
            wids,
        },
    );
    let mut body = serde_json::json!({
        "token_type": "Bearer",
        "expires_in": ACCESS_LIFETIME_S,
        "ext_expires_in": ACCESS_LIFETIME_S,
        "access_token": access,
    });
    if requested.offline_access {
        scope_text.push("offline_access".into());
        body["refresh_token"] = s.grants.new_refresh(refresh).into();
    }
    if requested.openid {
        scope_text.push("openid".into());
        body["id_token"] = id_token(s, tenant, app, user, nonce)
            .ok_or_else(AadError::unavailable)?
            .into();
    }
    body["scope"] = scope_text.join(" ").into();
    Ok(body)
}
