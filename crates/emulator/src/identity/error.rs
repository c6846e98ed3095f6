//! Token-endpoint errors in the identity platform's JSON shape (microsoft-365.md §1.6):
//! `error`, `error_description` (AADSTS code, message, trace/correlation ids, timestamp),
//! `error_codes`, `timestamp`, `trace_id`, `correlation_id`, `error_uri`, optional `suberror`.

use crate::clock::{Clock, aad_timestamp};
use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use uuid::Uuid;

#[derive(Debug, Clone, thiserror::Error)]
#[error("AADSTS{code}: {message}")]
pub struct AadError {
    pub status: StatusCode,
    pub error: &'static str,
    pub code: u32,
    pub message: String,
    pub suberror: Option<&'static str>,
}

impl AadError {
    fn new(status: StatusCode, error: &'static str, code: u32, message: String) -> Self {
        AadError {
            status,
            error,
            code,
            message,
            suberror: None,
        }
    }

    fn bad(error: &'static str, code: u32, message: String) -> Self {
        Self::new(StatusCode::BAD_REQUEST, error, code, message)
    }

    #[must_use]
    pub fn tenant_not_found(tenant: &str, discovery: bool) -> Self {
        // Discovery answers `invalid_tenant` (observed [S28]); the token endpoint `invalid_request`.
        let error = if discovery {
            "invalid_tenant"
        } else {
            "invalid_request"
        };
        Self::bad(
            error,
            90002,
            format!(
                "Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID \
                 and are signing into the correct cloud."
            ),
        )
    }

    #[must_use]
    pub fn app_not_in_tenant(client_id: &str, tenant: &str) -> Self {
        Self::bad(
            "unauthorized_client",
            700016,
            format!(
                "Application with identifier '{client_id}' was not found in the directory \
                 '{tenant}'. This can happen if the application has not been installed by the \
                 administrator of the tenant or consented to by any user in the tenant. You \
                 might have sent your authentication request to the wrong tenant."
            ),
        )
    }

    #[must_use]
    pub fn missing_secret() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            7000218,
            "The request body must contain the following parameter: 'client_assertion' or \
             'client_secret'."
                .into(),
        )
    }

    #[must_use]
    pub fn bad_secret(client_id: &str) -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            7000215,
            format!(
                "Invalid client secret provided. Ensure the secret being sent in the request is \
                 the client secret value, not the client secret ID, for a secret added to app \
                 '{client_id}'."
            ),
        )
    }

    #[must_use]
    pub fn expired_secret(client_id: &str) -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            7000222,
            format!(
                "The provided client secret keys for app '{client_id}' are expired. Visit the \
                 Azure portal to create new keys for your app: https://aka.ms/NewClientSecret, \
                 or consider using certificate credentials for added security: \
                 https://aka.ms/certCreds."
            ),
        )
    }

    #[must_use]
    pub fn missing_parameter(name: &str) -> Self {
        Self::bad(
            "invalid_request",
            900144,
            format!("The request body must contain the following parameter: '{name}'."),
        )
    }

    #[must_use]
    pub fn unsupported_grant(grant: &str) -> Self {
        Self::bad(
            "unsupported_grant_type",
            70003,
            format!("The app requested an unsupported grant type '{grant}'."),
        )
    }

    #[must_use]
    pub fn grant_on_common() -> Self {
        Self::bad(
            "invalid_request",
            9001023,
            "The grant type isn't supported over the /common or /consumers endpoints. Please use \
             the /organizations or tenant-specific endpoint."
                .into(),
        )
    }

    #[must_use]
    pub fn client_credentials_scope(scope: &str) -> Self {
        Self::bad(
            "invalid_scope",
            1002012,
            format!(
                "The provided value for scope {scope} is not valid. Client credential flows must \
                 have a scope value with /.default suffixed to the resource identifier \
                 (application ID URI)."
            ),
        )
    }

    #[must_use]
    pub fn invalid_scope(scope: &str) -> Self {
        Self::bad(
            "invalid_scope",
            70011,
            format!(
                "The provided value for the input parameter 'scope' isn't valid. The scope '{scope}' does not exist."
            ),
        )
    }

    #[must_use]
    pub fn resource_not_found(resource: &str, tenant: &str) -> Self {
        Self::bad(
            "invalid_resource",
            500011,
            format!(
                "The resource principal named {resource} was not found in the tenant named \
                 {tenant}. This can happen if the application has not been installed by the \
                 administrator of the tenant or consented to by any user in the tenant."
            ),
        )
    }

    #[must_use]
    pub fn code_malformed() -> Self {
        Self::bad(
            "invalid_grant",
            9002313,
            "Invalid request. Request is malformed or invalid.".into(),
        )
    }

    #[must_use]
    pub fn code_redeemed() -> Self {
        Self::bad(
            "invalid_grant",
            54005,
            "OAuth2 Authorization code was already redeemed, please retry with a new valid code \
             or use an existing refresh token."
                .into(),
        )
    }

    #[must_use]
    pub fn code_expired() -> Self {
        Self::bad(
            "invalid_grant",
            70008,
            "The provided authorization code or refresh token has expired due to inactivity. \
             Send a new interactive authorization request for this user and resource."
                .into(),
        )
    }

    #[must_use]
    pub fn grant_mismatch(what: &str) -> Self {
        Self::bad(
            "invalid_grant",
            70000,
            format!("Provided grant is invalid or malformed: {what}."),
        )
    }

    #[must_use]
    pub fn pkce_mismatch() -> Self {
        Self::bad(
            "invalid_grant",
            501481,
            "The Code_Verifier does not match the code_challenge supplied in the authorization \
             request."
                .into(),
        )
    }

    #[must_use]
    pub fn refresh_expired(issued: &str) -> Self {
        Self::bad(
            "invalid_grant",
            700082,
            format!(
                "The refresh token has expired due to inactivity. The token was issued on \
                 {issued} and was inactive for 90.00:00:00."
            ),
        )
    }

    #[must_use]
    pub fn refresh_revoked(issued: &str, valid_from: &str) -> Self {
        Self::bad(
            "invalid_grant",
            50173,
            format!(
                "The provided grant has expired due to it being revoked, a fresh auth token is \
                 needed. The user might have changed or reset their password. The grant was \
                 issued on '{issued}' and the TokensValidFrom date (before which tokens are not \
                 valid) for this user is '{valid_from}'."
            ),
        )
    }

    #[must_use]
    pub fn consent_missing(client_id: &str, app_name: &str) -> Self {
        let mut e = Self::bad(
            "invalid_grant",
            65001,
            format!(
                "The user or administrator has not consented to use the application with ID \
                 '{client_id}' named '{app_name}'. Send an interactive authorization request for \
                 this user and resource."
            ),
        );
        e.suberror = Some("consent_required");
        e
    }

    #[must_use]
    pub fn partner_not_preconsented(client_id: &str, app_name: &str, tenant: &str) -> Self {
        Self::bad(
            "invalid_grant",
            90099,
            format!(
                "The application '{client_id}' ({app_name}) has not been authorized in the tenant \
                 '{tenant}'. Applications must be authorized to access the external tenant \
                 before partner delegated administrators can use them. Provide pre-consent or \
                 execute the appropriate Partner Center API to authorize the application."
            ),
        )
    }

    #[must_use]
    pub fn user_not_in_tenant(upn: &str, tenant: &str, client_id: &str) -> Self {
        Self::bad(
            "invalid_grant",
            50020,
            format!(
                "User account '{upn}' from identity provider 'https://sts.windows.net/' does not \
                 exist in tenant '{tenant}' and cannot access the application '{client_id}' in \
                 that tenant. The account needs to be added as an external user in the tenant \
                 first."
            ),
        )
    }

    #[must_use]
    pub fn throttled() -> Self {
        Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            "temporarily_unavailable",
            90055,
            "The service is unavailable due to too many requests (TenantThrottlingError).".into(),
        )
    }

    #[must_use]
    pub fn unavailable() -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "temporarily_unavailable",
            90033,
            "A transient error has occurred. Please try again.".into(),
        )
    }

    /// The JSON body, stamped now.
    #[must_use]
    pub fn body(&self) -> serde_json::Value {
        // Error timestamps use wall time: the control clock only moves expiries.
        let stamp = aad_timestamp(Clock::default().now());
        let trace = Uuid::new_v4();
        let correlation = Uuid::new_v4();
        let mut body = serde_json::json!({
            "error": self.error,
            "error_description": format!(
                "AADSTS{}: {}\r\nTrace ID: {trace}\r\nCorrelation ID: {correlation}\r\nTimestamp: {stamp}",
                self.code, self.message
            ),
            "error_codes": [self.code],
            "timestamp": stamp,
            "trace_id": trace,
            "correlation_id": correlation,
            "error_uri": format!("https://login.microsoftonline.com/error?code={}", self.code),
        });
        if let Some(sub) = self.suberror {
            body["suberror"] = sub.into();
        }
        body
    }
}

impl IntoResponse for AadError {
    fn into_response(self) -> Response {
        let mut resp = (self.status, Json(self.body())).into_response();
        resp.headers_mut().insert(
            axum::http::header::CACHE_CONTROL,
            axum::http::HeaderValue::from_static("no-store, no-cache"),
        );
        resp
    }
}
