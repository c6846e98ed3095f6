//! Who is calling Graph: bearer-token verification (signature, audience, issuer, tenant,
//! lifetime), permission checks, and charging the throttling budget of (app, tenant).

use super::error::GraphError;
use crate::identity::jwt::JwtError;
use crate::identity::{AccessClaims, GRAPH_AUDIENCES};
use crate::state::Shared;
use crate::throttle::Cost;
use crate::world::Tenant;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::Response;
use std::sync::Arc;

pub struct Caller {
    pub claims: AccessClaims,
    pub tenant: Arc<Tenant>,
}

impl Caller {
    #[must_use]
    pub fn is_app(&self) -> bool {
        self.claims.idtyp == "app"
    }

    fn has_role(&self, names: &[&str]) -> bool {
        self.claims
            .roles
            .iter()
            .flatten()
            .any(|r| names.iter().any(|n| n.eq_ignore_ascii_case(r)))
    }

    fn has_scope(&self, names: &[&str]) -> bool {
        self.claims
            .scp
            .iter()
            .flat_map(|s| s.split_whitespace())
            .any(|s| names.iter().any(|n| n.eq_ignore_ascii_case(s)))
    }

    /// 403 unless the token carries one of `app_roles` (app-only) or `scopes` (delegated).
    pub fn require(&self, app_roles: &[&str], scopes: &[&str]) -> Result<(), GraphError> {
        let ok = if self.is_app() {
            self.has_role(app_roles)
        } else {
            self.has_scope(scopes)
        };
        if ok {
            Ok(())
        } else {
            Err(GraphError::denied())
        }
    }
}

pub fn authenticate(s: &Shared, headers: &HeaderMap) -> Result<Caller, GraphError> {
    let raw = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| GraphError::unauthenticated("Access token is empty."))?;
    let claims = s.signer.verify(raw).map_err(|e| match e {
        JwtError::Malformed => GraphError::unauthenticated(
            "IDX14100: JWT is not well formed, there are no dots (.). CompactToken parsing failed with error code: 80049217",
        ),
        JwtError::BadSignature => GraphError::unauthenticated("Access token validation failure. Invalid signature."),
    })?;
    let claims: AccessClaims = serde_json::from_value(claims)
        .map_err(|_| GraphError::unauthenticated("Access token validation failure."))?;
    if !GRAPH_AUDIENCES.contains(&claims.aud.as_str()) {
        return Err(GraphError::unauthenticated(
            "Access token validation failure. Invalid audience.",
        ));
    }
    if claims.iss != format!("https://sts.windows.net/{}/", claims.tid) {
        return Err(GraphError::unauthenticated(
            "Access token validation failure. Invalid issuer.",
        ));
    }
    let now = s.clock.now_seconds();
    if claims.exp <= now || claims.nbf > now + 300 {
        return Err(GraphError::unauthenticated(
            "Access token has expired or is not yet valid.",
        ));
    }
    if s.token_revoked(claims.tid, claims.iat) {
        return Err(GraphError::unauthenticated(
            "Access token validation failure.",
        ));
    }
    let tenant = s
        .world
        .tenant(claims.tid)
        .ok_or_else(|| GraphError::unauthenticated("Access token validation failure."))?;
    Ok(Caller { claims, tenant })
}

/// Charges the request against the (app, tenant) budget; on success returns what the
/// response should carry in `x-ms-resource-unit` / `x-ms-throttle-limit-percentage`.
pub fn charge(s: &Shared, caller: &Caller, cost: Cost) -> Result<Usage, GraphError> {
    let users = caller.tenant.read().active_count();
    let now = s.clock.now().millis();
    match s
        .throttle
        .charge(caller.claims.appid, caller.tenant.id, users, cost, now)
    {
        Ok(admitted) => Ok(Usage {
            resource_units: cost.resource_units,
            limit_percentage: admitted.limit_percentage,
        }),
        Err(t) => Err(GraphError::too_many_requests(t.retry_after_seconds)
            .header(
                header::HeaderName::from_static("x-ms-throttle-scope"),
                t.scope,
            )
            .header(
                header::HeaderName::from_static("x-ms-throttle-information"),
                t.information,
            )
            .header(
                header::HeaderName::from_static("x-ms-resource-unit"),
                cost.resource_units.to_string(),
            )),
    }
}

pub struct Usage {
    pub resource_units: u32,
    pub limit_percentage: Option<f64>,
}

impl Usage {
    pub fn apply(&self, resp: &mut Response) {
        let h = resp.headers_mut();
        h.insert("x-ms-resource-unit", HeaderValue::from(self.resource_units));
        if let Some(p) = self.limit_percentage
            && let Ok(v) = HeaderValue::from_str(&format!("{p:.1}"))
        {
            h.insert("x-ms-throttle-limit-percentage", v);
        }
    }
}
