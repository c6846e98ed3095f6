//! Typed errors for the identity platform and Graph, with the messages a technician sees.
//!
//! Microsoft says to branch on `error`, not on the description, and that AADSTS numbers may
//! change; in practice the AADSTS code (`error_codes[0]`) is what tells a wrong secret from an
//! expired one, so [`ErrorKind`] keys on the code and falls back on `error`.

use serde::Deserialize;

/// A token-endpoint (or discovery) error body: `error`, `error_description`, `error_codes`,
/// `suberror`, `trace_id`, `correlation_id`.
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
pub struct IdentityError {
    /// HTTP status (0 for errors read from a redirect's query string).
    #[serde(skip)]
    pub status: u16,
    /// `invalid_grant`, `invalid_client`, ...
    #[serde(default)]
    pub error: String,
    /// Human text starting with `AADSTSnnn:`.
    #[serde(default)]
    pub error_description: String,
    /// The AADSTS codes.
    #[serde(default)]
    pub error_codes: Vec<u64>,
    /// E.g. `consent_required` with 65001.
    #[serde(default)]
    pub suberror: Option<String>,
    /// For support requests to Microsoft.
    #[serde(default)]
    pub trace_id: Option<String>,
    /// For support requests to Microsoft.
    #[serde(default)]
    pub correlation_id: Option<String>,
}

impl IdentityError {
    /// The first AADSTS code: from `error_codes`, else parsed from the description
    /// (redirect errors carry only the description).
    #[must_use]
    pub fn code(&self) -> Option<u64> {
        self.error_codes.first().copied().or_else(|| {
            let rest = self.error_description.trim_start().strip_prefix("AADSTS")?;
            let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
            digits.parse().ok()
        })
    }

    /// The description's first line (without the trace and correlation ids that follow).
    #[must_use]
    pub fn summary(&self) -> &str {
        self.error_description
            .split(['\r', '\n'])
            .next()
            .unwrap_or_default()
            .trim()
    }
}

/// A Graph error body: `{"error":{"code","message"}}`, with the HTTP status.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GraphError {
    /// HTTP status.
    pub status: u16,
    /// E.g. `Authorization_RequestDenied`.
    pub code: String,
    /// Microsoft's message.
    pub message: String,
}

impl GraphError {
    /// Reads Graph's error JSON; an unreadable body keeps the status and a short excerpt.
    #[must_use]
    pub fn from_body(status: u16, body: &str) -> Self {
        #[derive(Deserialize)]
        struct Envelope {
            error: Inner,
        }
        #[derive(Deserialize)]
        struct Inner {
            #[serde(default)]
            code: String,
            #[serde(default)]
            message: String,
        }
        match serde_json::from_str::<Envelope>(body) {
            Ok(e) => Self {
                status,
                code: e.error.code,
                message: e.error.message,
            },
            Err(_) => Self {
                status,
                code: String::new(),
                message: body.chars().take(200).collect(),
            },
        }
    }
}

/// What went wrong, as the product reacts to it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// AADSTS7000215: the client secret is wrong (often the secret ID was pasted).
    InvalidSecret,
    /// AADSTS7000222: the client secret expired.
    ExpiredSecret,
    /// AADSTS700016: the app is not in that tenant (not consented, or wrong client id).
    AppNotFound,
    /// AADSTS65001: the app is not consented in the tenant.
    ConsentMissing,
    /// AADSTS90099: partner delegated admins may not use the app there (needs pre-consent).
    PartnerConsentMissing,
    /// AADSTS65004 / `access_denied`: the person declined or cancelled.
    Declined,
    /// AADSTS90002: the tenant or domain does not exist.
    UnknownTenant,
    /// AADSTS50011: the redirect URI is not registered.
    RedirectUriMismatch,
    /// Refresh token expired or revoked, MFA or sign-in frequency: sign in again.
    SignInAgain,
    /// Conditional Access blocked the sign-in (53003).
    BlockedByPolicy,
    /// A delta link is no longer valid: start a full sync.
    ResyncRequired,
    /// Graph refused (403): missing role or permission.
    Forbidden,
    /// The access token was not accepted (401).
    TokenRejected,
    /// Graph: no such object.
    NotFound,
    /// Graph: the request was refused as invalid (e.g. an on-premises-synced property).
    BadRequest,
    /// Throttled, unavailable or unreachable after the retries.
    Unavailable,
    /// Anything else.
    Other,
}

/// Whose app registration made a request: where its secret, client id and redirect URIs
/// are fixed differs, so the advice does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AppRegistration {
    /// The server's own multi-tenant app (`[microsoft] client_id`/`client_secret`, set by the
    /// server's operator): tenant-by-tenant admin consent, app-only tokens.
    Server,
    /// The MSP's own app, entered in the GDAP dialog of an integration (delegated, GDAP).
    Gdap,
}

/// Every failure of a Microsoft call.
#[derive(Debug, thiserror::Error)]
pub enum MsError {
    /// The identity platform refused (token endpoint, discovery, or a redirect's error).
    #[error("Microsoft sign-in error {}: {}", .0.error, .0.summary())]
    Identity(Box<IdentityError>),
    /// Graph refused.
    #[error("Microsoft Graph error {} {}: {}", .0.status, .0.code, .0.message)]
    Graph(GraphError),
    /// No answer (connection, timeout) or 429/5xx, after the retries.
    #[error("Microsoft did not answer: {0}")]
    Unavailable(String),
    /// An answer we cannot read.
    #[error("unexpected answer from Microsoft: {0}")]
    Protocol(String),
    /// A 410 on a delta link: the sync state is gone.
    #[error("the delta link expired; a full sync is needed")]
    ResyncRequired,
}

impl MsError {
    /// How the product should react.
    #[must_use]
    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::Identity(e) => identity_kind(e),
            Self::Graph(g) => graph_kind(g),
            Self::Unavailable(_) => ErrorKind::Unavailable,
            Self::Protocol(_) => ErrorKind::Other,
            Self::ResyncRequired => ErrorKind::ResyncRequired,
        }
    }

    /// The AADSTS code, if an identity error carries one.
    #[must_use]
    pub fn aadsts(&self) -> Option<u64> {
        match self {
            Self::Identity(e) => e.code(),
            _ => None,
        }
    }

    /// [`MsError::user_message_for`] for a request of the server's own consent app.
    #[must_use]
    pub fn user_message(&self, redirect_uri: Option<&str>) -> String {
        self.user_message_for(AppRegistration::Server, redirect_uri)
    }

    /// A sentence a technician can act on, naming the place where the fix is made: the
    /// server's `[microsoft]` configuration (its operator) for the server's consent app, the
    /// integration page for the MSP's own GDAP app, or the customer tenant. `redirect_uri` is
    /// named for 50011.
    #[must_use]
    pub fn user_message_for(&self, app: AppRegistration, redirect_uri: Option<&str>) -> String {
        let code = self
            .aadsts()
            .map(|c| format!(" (AADSTS{c})"))
            .unwrap_or_default();
        let server = app == AppRegistration::Server;
        match self.kind() {
            ErrorKind::InvalidSecret if server => format!(
                "Microsoft rejected the client secret of this server's own Microsoft 365 application (the one used for tenant-by-tenant consent){code}. It cannot be fixed on this page: the server's operator must set `[microsoft] client_secret` in the server's configuration to the secret's Value (not its ID) and restart the server."
            ),
            ErrorKind::InvalidSecret => format!(
                "Microsoft rejected the client secret of your GDAP application{code}: the secret value is wrong. A common mistake is pasting the secret's ID instead of its Value: in Entra ID ▸ App registrations ▸ Certificates & secrets, copy the Value column (shown only when the secret is created; create a new secret if you no longer have it) and enter it in Connect to Microsoft 365 (GDAP) on this page."
            ),
            ErrorKind::ExpiredSecret if server => format!(
                "The client secret of this server's own Microsoft 365 application (the one used for tenant-by-tenant consent) has expired{code}. It cannot be replaced on this page: the server's operator must create a new client secret for that application in Entra ID ▸ App registrations ▸ Certificates & secrets, replace `[microsoft] client_secret` in the server's configuration with its Value, and restart the server."
            ),
            ErrorKind::ExpiredSecret => format!(
                "The client secret of your GDAP application has expired{code}. Create a new client secret in Entra ID ▸ App registrations ▸ Certificates & secrets and enter its Value here, in Connect to Microsoft 365 (GDAP)."
            ),
            ErrorKind::AppNotFound if server => format!(
                "This server's Microsoft 365 application is not present in this tenant{code}: the tenant's admin has not consented to it, or removed it. Use Connect to Microsoft 365 on this page to consent again. If the tenant did consent, the server's `[microsoft] client_id` may be wrong: tell the server's operator."
            ),
            ErrorKind::AppNotFound => format!(
                "Your GDAP application is not present in this tenant{code}: either the application ID entered in Connect to Microsoft 365 (GDAP) is wrong, or the application is not consented in the customer tenant (pre-consent it through Partner Center, or an admin of the customer consents)."
            ),
            ErrorKind::ConsentMissing if server => format!(
                "This server's application is not consented in this customer tenant{code}. An admin of the customer tenant must grant consent: use Connect to Microsoft 365 on this page, then sync again."
            ),
            ErrorKind::ConsentMissing => format!(
                "Your GDAP application is not consented in this customer tenant{code}. Pre-consent it in the customer tenant (Partner Center application consent, or an admin of the customer consents), then sync again."
            ),
            ErrorKind::PartnerConsentMissing => format!(
                "Partner delegated admins may not use this application in this customer tenant yet{code}. Pre-consent the application in the customer tenant (Partner Center application consent, or an admin of the customer consents), and check the GDAP relationship is active."
            ),
            ErrorKind::Declined => format!(
                "The request was cancelled or declined in Microsoft's sign-in{code}. Nothing was saved; try again when ready."
            ),
            ErrorKind::UnknownTenant => format!(
                "Microsoft does not know this tenant or domain{code}. Check the spelling of the primary domain (e.g. contoso.onmicrosoft.com) and the cloud."
            ),
            ErrorKind::RedirectUriMismatch if server => match redirect_uri {
                Some(uri) => format!(
                    "The redirect URI is not registered for this server's Microsoft 365 application{code}. The server's operator must add exactly this URI to that application (Entra ID ▸ App registrations ▸ Authentication ▸ Web): {uri}"
                ),
                None => format!(
                    "The redirect URI is not registered for this server's Microsoft 365 application{code}. The server's operator must add the consent redirect URI shown on the integration page to that application (Authentication ▸ Web)."
                ),
            },
            ErrorKind::RedirectUriMismatch => match redirect_uri {
                Some(uri) => format!(
                    "The redirect URI is not registered for your GDAP application{code}. Add exactly this URI under Entra ID ▸ App registrations ▸ Authentication ▸ Web: {uri}"
                ),
                None => format!(
                    "The redirect URI is not registered for your GDAP application{code}. Add the redirect URI shown on the integration page under Authentication ▸ Web."
                ),
            },
            ErrorKind::SignInAgain if server => format!(
                "Microsoft refused a token for this server's application{code}. Use Connect to Microsoft 365 on this page to consent again."
            ),
            ErrorKind::SignInAgain => format!(
                "Microsoft needs a new sign-in{code}: the stored sign-in expired or was revoked. Use Connect to Microsoft 365 (GDAP) to sign in again."
            ),
            ErrorKind::BlockedByPolicy => format!(
                "A Conditional Access policy blocked the sign-in{code}. Ask the tenant's admin to allow Countersign's application."
            ),
            ErrorKind::ResyncRequired => "The sync state expired; a full sync runs.".into(),
            ErrorKind::Forbidden => {
                let fix = if server {
                    "This server's application lacks the permission in this tenant: an admin of the tenant must consent again (Connect to Microsoft 365 on this page), or assign the application the role."
                } else {
                    "The GDAP relationship with this customer lacks the needed role for the signed-in technician: add the role to the relationship (Partner Center ▸ Customers ▸ Admin relationships) and its security group."
                };
                match self {
                    Self::Graph(g) => {
                        format!("Microsoft refused: {} ({}). {fix}", g.message, g.code)
                    }
                    _ => format!("Microsoft refused the request. {fix}"),
                }
            }
            ErrorKind::TokenRejected => {
                "Microsoft Graph did not accept the access token, and refused a newly issued one too. Nothing on this page fixes that: try again in a few minutes; if it lasts, the tenant's admin should check its Conditional Access policies for Countersign's application.".into()
            }
            ErrorKind::NotFound => {
                "Microsoft has no such object (it may have been deleted).".into()
            }
            ErrorKind::BadRequest => match self {
                Self::Graph(g) => format!("Microsoft refused the change: {}", g.message),
                _ => "Microsoft refused the request as invalid.".into(),
            },
            ErrorKind::Unavailable => {
                "Microsoft did not answer in time (throttled or unavailable). It will be retried."
                    .into()
            }
            ErrorKind::Other => match self {
                Self::Identity(e) => format!(
                    "Microsoft sign-in failed: {}{code}",
                    if e.summary().is_empty() {
                        &e.error
                    } else {
                        e.summary()
                    }
                ),
                other => other.to_string(),
            },
        }
    }
}

fn identity_kind(e: &IdentityError) -> ErrorKind {
    match e.code() {
        Some(7_000_215) => ErrorKind::InvalidSecret,
        Some(7_000_222) => ErrorKind::ExpiredSecret,
        Some(700_016) => ErrorKind::AppNotFound,
        Some(65_001 | 500_011) => ErrorKind::ConsentMissing,
        Some(90_099) => ErrorKind::PartnerConsentMissing,
        Some(65_004) => ErrorKind::Declined,
        Some(90_002) => ErrorKind::UnknownTenant,
        Some(50_011) => ErrorKind::RedirectUriMismatch,
        Some(700_082 | 50_173 | 70_043 | 50_076 | 50_079 | 54_005 | 70_008 | 9_002_313) => {
            ErrorKind::SignInAgain
        }
        Some(53_003) => ErrorKind::BlockedByPolicy,
        Some(90_055 | 90_033 | 50_196) => ErrorKind::Unavailable,
        _ => match e.error.as_str() {
            "access_denied" | "permission_denied" => ErrorKind::Declined,
            "consent_required" => ErrorKind::ConsentMissing,
            "invalid_tenant" => ErrorKind::UnknownTenant,
            "interaction_required" | "login_required" => ErrorKind::SignInAgain,
            "temporarily_unavailable" | "server_error" => ErrorKind::Unavailable,
            _ => ErrorKind::Other,
        },
    }
}

fn graph_kind(g: &GraphError) -> ErrorKind {
    let code = g.code.to_ascii_lowercase();
    if code == "syncstatenotfound" || code == "resyncrequired" || g.status == 410 {
        return ErrorKind::ResyncRequired;
    }
    match g.status {
        401 => ErrorKind::TokenRejected,
        403 => ErrorKind::Forbidden,
        404 => ErrorKind::NotFound,
        400 => ErrorKind::BadRequest,
        429 | 500..=599 => ErrorKind::Unavailable,
        _ => ErrorKind::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn identity(json: &str) -> MsError {
        let mut e: IdentityError = serde_json::from_str(json).unwrap();
        e.status = 400;
        MsError::Identity(Box::new(e))
    }

    #[test]
    fn secret_errors_say_what_to_do() {
        let e = identity(
            r#"{"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret provided.\r\nTrace ID: x","error_codes":[7000215]}"#,
        );
        assert_eq!(e.kind(), ErrorKind::InvalidSecret);
        let m = e.user_message_for(AppRegistration::Gdap, None);
        assert!(
            m.contains("secret value is wrong") && m.contains("ID instead of its Value"),
            "{m}"
        );
        let e = identity(r#"{"error":"invalid_client","error_codes":[7000222]}"#);
        assert_eq!(e.kind(), ErrorKind::ExpiredSecret);
        assert!(e.user_message(None).contains("expired"));
    }

    /// Issue 17.10: the server's consent app is fixed by the operator in `[microsoft]`, the
    /// GDAP app on the integration page; each message names its own place, never the other.
    #[test]
    fn advice_names_where_the_fix_is_made() {
        let server_only = ["[microsoft]", "operator"];
        for code in [7_000_222, 7_000_215] {
            let e = identity(&format!(
                r#"{{"error":"invalid_client","error_codes":[{code}]}}"#
            ));
            let server = e.user_message_for(AppRegistration::Server, None);
            assert!(server.contains("`[microsoft] client_secret`"), "{server}");
            assert!(server.contains("operator"), "{server}");
            assert!(!server.contains("enter its Value here"), "{server}");
            assert!(
                !server.contains("Connect to Microsoft 365 (GDAP)"),
                "{server}"
            );
            // The default is the server's app (consent).
            assert_eq!(e.user_message(None), server);
            let gdap = e.user_message_for(AppRegistration::Gdap, None);
            assert!(gdap.contains("Connect to Microsoft 365 (GDAP)"), "{gdap}");
            for s in server_only {
                assert!(!gdap.contains(s), "{gdap}");
            }
        }
        let expired = identity(r#"{"error":"invalid_client","error_codes":[7000222]}"#);
        assert!(
            expired
                .user_message_for(AppRegistration::Gdap, None)
                .contains("enter its Value here")
        );
        // Every other kind: the GDAP app's advice never sends the technician to the operator,
        // and the server app's never asks for a value the page has no field for.
        for code in [
            700_016, 65_001, 90_099, 65_004, 90_002, 50_011, 700_082, 53_003,
        ] {
            let e = identity(&format!(
                r#"{{"error":"invalid_grant","error_codes":[{code}]}}"#
            ));
            let gdap = e.user_message_for(AppRegistration::Gdap, Some("https://cs.example/cb"));
            for s in server_only {
                assert!(!gdap.contains(s), "{code}: {gdap}");
            }
            let server = e.user_message_for(AppRegistration::Server, Some("https://cs.example/cb"));
            assert!(!server.contains("(GDAP)"), "{code}: {server}");
            assert!(!server.contains("enter its Value"), "{code}: {server}");
        }
        // The redirect URI of the server's app is registered by the operator.
        let e = identity(r#"{"error":"invalid_request","error_codes":[50011]}"#);
        assert!(
            e.user_message_for(AppRegistration::Server, Some("https://cs.example/cb"))
                .contains("operator")
        );
        // A 401 is retried with a new token before it is shown: "connect again" is not advice.
        let rejected = MsError::Graph(GraphError::from_body(401, ""));
        let m = rejected.user_message_for(AppRegistration::Gdap, None);
        assert!(!m.contains("Connect the tenant again"), "{m}");
        assert!(m.contains("newly issued"), "{m}");
    }

    #[test]
    fn codes_come_from_the_description_when_the_list_is_missing() {
        let e = IdentityError {
            error: "invalid_request".into(),
            error_description: "AADSTS50011: The redirect URI ...".into(),
            ..IdentityError::default()
        };
        let e = MsError::Identity(Box::new(e));
        assert_eq!(e.kind(), ErrorKind::RedirectUriMismatch);
        assert!(
            e.user_message(Some("https://cs.example/x"))
                .contains("https://cs.example/x")
        );
    }

    #[test]
    fn consent_and_reauth_codes_map() {
        assert_eq!(
            identity(
                r#"{"error":"invalid_grant","error_codes":[65001],"suberror":"consent_required"}"#
            )
            .kind(),
            ErrorKind::ConsentMissing
        );
        assert_eq!(
            identity(r#"{"error":"invalid_grant","error_codes":[90099]}"#).kind(),
            ErrorKind::PartnerConsentMissing
        );
        assert_eq!(
            identity(r#"{"error":"invalid_grant","error_codes":[700082]}"#).kind(),
            ErrorKind::SignInAgain
        );
        assert_eq!(
            identity(r#"{"error":"invalid_grant","error_codes":[50173]}"#).kind(),
            ErrorKind::SignInAgain
        );
        assert_eq!(
            identity(r#"{"error":"access_denied"}"#).kind(),
            ErrorKind::Declined
        );
    }

    #[test]
    fn graph_errors_parse_both_casings_and_map() {
        let g = GraphError::from_body(
            403,
            r#"{"error":{"code":"Authorization_RequestDenied","message":"Insufficient privileges to complete the operation.","innererror":{}}}"#,
        );
        let e = MsError::Graph(g);
        assert_eq!(e.kind(), ErrorKind::Forbidden);
        assert!(e.user_message(None).contains("Insufficient privileges"));
        assert_eq!(
            MsError::Graph(GraphError::from_body(410, "")).kind(),
            ErrorKind::ResyncRequired
        );
    }
}
