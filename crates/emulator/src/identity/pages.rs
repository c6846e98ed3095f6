//! The two interactive pages: sign-in + consent for `/oauth2/v2.0/authorize`, and tenant-wide
//! `/v2.0/adminconsent`. Plain HTML: pick an account of the tenant, Accept or Cancel.

use super::TenantRef;
use super::grants::{CODE_LIFETIME_MS, CodeGrant};
use crate::model::directory::Directory;
use crate::model::roles::{APPLICATION_ADMIN, CLOUD_APPLICATION_ADMIN, can_grant_admin_consent};
use crate::model::user::{User, UserType};
use crate::model::{App, Consent};
use crate::state::{AppState, Shared};
use crate::world::Tenant;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use bytes::Bytes;
use countersign_domain::Timestamp;
use std::collections::HashMap;
use std::sync::Arc;
use uuid::Uuid;

type Params = HashMap<String, String>;

#[derive(Template)]
#[template(path = "consent.html")]
struct ConsentPage {
    heading: String,
    tenant_name: String,
    app_name: String,
    permissions: Vec<String>,
    hidden: Vec<(String, String)>,
    accounts: Vec<(String, String, String)>,
    action_url: String,
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    code: u32,
    message: String,
}

fn render(t: &impl Template, status: StatusCode) -> Response {
    match t.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "emulator page failed to render");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// Errors Entra shows on its own page rather than sending to a redirect URI it cannot trust.
fn error_page(code: u32, message: String) -> Response {
    render(&ErrorPage { code, message }, StatusCode::BAD_REQUEST)
}

/// `redirect_uri` + parameters, in the query (default) or the fragment.
fn redirect_with(redirect_uri: &str, fragment: bool, pairs: &[(&str, &str)]) -> Response {
    let Ok(mut url) = url::Url::parse(redirect_uri) else {
        return error_page(
            50011,
            format!("The redirect URI '{redirect_uri}' is not a valid URL."),
        );
    };
    if fragment {
        let encoded = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs)
            .finish();
        url.set_fragment(Some(&encoded));
    } else {
        url.query_pairs_mut().extend_pairs(pairs);
    }
    Redirect::to(url.as_str()).into_response()
}

struct Checked<'a> {
    target: TenantRef,
    app: &'a App,
    redirect_uri: String,
}

/// Validation shared by the GET and POST of both pages; failures here render an error page.
fn check<'a>(s: &'a Shared, tenant_key: &str, p: &Params) -> Result<Checked<'a>, Box<Response>> {
    let target = TenantRef::resolve(&s.world, tenant_key).ok_or_else(|| {
        Box::new(error_page(90002, format!("Tenant '{tenant_key}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.")))
    })?;
    let client_id = p.get("client_id").ok_or_else(|| {
        Box::new(error_page(
            900144,
            "The request body must contain the following parameter: 'client_id'.".into(),
        ))
    })?;
    let app = s.world.app(client_id).ok_or_else(|| {
        Box::new(error_page(700016, format!("Application with identifier '{client_id}' was not found in the directory '{tenant_key}'.")))
    })?;
    let redirect_uri = p.get("redirect_uri").cloned().unwrap_or_default();
    if !s.world.redirect_uri_registered(app, &redirect_uri) {
        return Err(Box::new(error_page(
            50011,
            format!(
                "The redirect URI '{redirect_uri}' specified in the request does not match the \
                 redirect URIs configured for the application '{client_id}'."
            ),
        )));
    }
    Ok(Checked {
        target,
        app,
        redirect_uri,
    })
}

fn hidden(p: &Params) -> Vec<(String, String)> {
    let mut v: Vec<_> = p
        .iter()
        .filter(|(k, _)| k.as_str() != "account" && k.as_str() != "action")
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    v.sort();
    v
}

/// Up to 25 accounts that may act, admins first; the hinted account, if any, leads.
fn accounts(
    dir: &Directory,
    hint: Option<&str>,
    admins_only: bool,
) -> Vec<(String, String, String)> {
    let usable = |u: &User| u.account_enabled && u.user_type == UserType::Member;
    let mut out: Vec<&User> = Vec::new();
    if let Some(id) = hint.and_then(|h| dir.resolve(h)) {
        out.extend(dir.active(id).filter(|u| usable(u)));
    }
    let admins = dir
        .active_after(None)
        .filter(|u| usable(u) && can_grant_admin_consent(&u.roles));
    out.extend(admins.take(10));
    if !admins_only {
        let others = dir
            .active_after(None)
            .filter(|u| usable(u) && !u.roles.is_empty());
        out.extend(others.take(10));
        out.extend(dir.active_after(None).filter(|u| usable(u)).take(10));
    }
    let mut seen = Vec::new();
    out.into_iter()
        .filter(|u| {
            let fresh = !seen.contains(&u.id);
            seen.push(u.id);
            fresh
        })
        .take(25)
        .map(|u| {
            (
                u.id.to_string(),
                u.display_name.to_string(),
                u.user_principal_name.to_string(),
            )
        })
        .collect()
}

/// Tenants whose accounts may appear: the named tenant, or for common/organizations the
/// app's home tenant (sign-in) or every tenant (admin consent).
fn candidate_tenants(s: &Shared, target: &TenantRef, app: &App, all: bool) -> Vec<Arc<Tenant>> {
    match target {
        TenantRef::Tenant(t) => vec![t.clone()],
        TenantRef::Multi(_) if all => s
            .world
            .partner()
            .into_iter()
            .chain(s.world.customers())
            .collect(),
        TenantRef::Multi(_) => s.world.tenant(app.home_tenant).into_iter().collect(),
    }
}

fn find_account(tenants: &[Arc<Tenant>], account: &str) -> Option<(Arc<Tenant>, User)> {
    let id = Uuid::parse_str(account).ok()?;
    tenants.iter().find_map(|t| {
        let user = t.read().active(id).cloned()?;
        Some((t.clone(), user))
    })
}

pub async fn authorize_page(
    State(s): State<AppState>,
    Path(tenant): Path<String>,
    Query(p): Query<Params>,
) -> Response {
    let c = match check(&s, &tenant, &p) {
        Ok(c) => c,
        Err(page) => return *page,
    };
    let fragment = p.get("response_mode").is_some_and(|m| m == "fragment");
    let state = p.get("state").map(String::as_str).unwrap_or_default();
    if p.get("response_type").map(String::as_str) != Some("code") {
        return redirect_with(
            &c.redirect_uri,
            fragment,
            &[
                ("error", "unsupported_response_type"),
                (
                    "error_description",
                    "AADSTS700054: response_type 'code' is required by this emulator.",
                ),
                ("state", state),
            ],
        );
    }
    if let Some(m) = p.get("code_challenge_method")
        && m != "S256"
        && m != "plain"
    {
        {
            return redirect_with(
                &c.redirect_uri,
                fragment,
                &[
                    ("error", "invalid_request"),
                    (
                        "error_description",
                        "AADSTS501491: Invalid code_challenge_method.",
                    ),
                    ("state", state),
                ],
            );
        }
    }
    let tenants = candidate_tenants(&s, &c.target, c.app, false);
    let mut list = Vec::new();
    for t in &tenants {
        list.extend(accounts(
            &t.read(),
            p.get("login_hint").map(String::as_str),
            false,
        ));
    }
    let page = ConsentPage {
        heading: "Permissions requested".into(),
        tenant_name: tenants
            .first()
            .map(|t| t.display_name.clone())
            .unwrap_or_default(),
        app_name: c.app.display_name.clone(),
        permissions: c.app.delegated_permissions.clone(),
        hidden: hidden(&p),
        accounts: list,
        action_url: format!("{}/{tenant}/oauth2/v2.0/authorize", s.urls.login),
    };
    render(&page, StatusCode::OK)
}

pub async fn authorize_submit(
    State(s): State<AppState>,
    Path(tenant): Path<String>,
    body: Bytes,
) -> Response {
    let p: Params = form_urlencoded::parse(&body).into_owned().collect();
    let c = match check(&s, &tenant, &p) {
        Ok(c) => c,
        Err(page) => return *page,
    };
    let fragment = p.get("response_mode").is_some_and(|m| m == "fragment");
    let state = p.get("state").map(String::as_str).unwrap_or_default();
    if p.get("action").map(String::as_str) != Some("approve") {
        return redirect_with(
            &c.redirect_uri,
            fragment,
            &[
                ("error", "access_denied"),
                (
                    "error_description",
                    "AADSTS65004: User declined to consent to access the app.",
                ),
                ("state", state),
            ],
        );
    }
    let tenants = candidate_tenants(&s, &c.target, c.app, false);
    let Some((home, user)) = p.get("account").and_then(|a| find_account(&tenants, a)) else {
        return error_page(
            50034,
            "The user account does not exist in this directory.".into(),
        );
    };
    if !user.account_enabled {
        return error_page(50057, "The user account is disabled.".into());
    }
    if s.world.consent(home.id, c.app).is_none() {
        // Signing in to a tenant that never consented: an admin's approval consents for all.
        let roles = &user.roles;
        let admin = can_grant_admin_consent(roles)
            || roles
                .iter()
                .any(|r| *r == APPLICATION_ADMIN || *r == CLOUD_APPLICATION_ADMIN);
        if !admin {
            return redirect_with(
                &c.redirect_uri,
                fragment,
                &[
                    ("error", "consent_required"),
                    (
                        "error_description",
                        "AADSTS65001: The user or administrator has not consented to use the application.",
                    ),
                    ("state", state),
                ],
            );
        }
        let consent = Consent {
            delegated_permissions: c.app.delegated_permissions.clone(),
            ..Consent::default()
        };
        s.world.grant_consent(home.id, c.app.client_id, consent);
    }
    let now = s.clock.now();
    let challenge = p.get("code_challenge").map(|ch| {
        (
            ch.clone(),
            p.get("code_challenge_method")
                .cloned()
                .unwrap_or_else(|| "plain".into()),
        )
    });
    let code = s.grants.new_code(CodeGrant {
        client_id: c.app.client_id,
        redirect_uri: c.redirect_uri.clone(),
        tenant: home.id,
        user: user.id,
        scope: p.get("scope").cloned().unwrap_or_default(),
        challenge,
        nonce: p.get("nonce").cloned(),
        expires: Timestamp(now.millis() + CODE_LIFETIME_MS),
        redeemed: false,
    });
    let session_state = Uuid::new_v4().to_string();
    redirect_with(
        &c.redirect_uri,
        fragment,
        &[
            ("code", &code),
            ("state", state),
            ("session_state", &session_state),
        ],
    )
}

pub async fn consent_page(
    State(s): State<AppState>,
    Path(tenant): Path<String>,
    Query(p): Query<Params>,
) -> Response {
    let c = match check(&s, &tenant, &p) {
        Ok(c) => c,
        Err(page) => return *page,
    };
    if p.get("scope").is_none_or(String::is_empty) {
        return redirect_with(
            &c.redirect_uri,
            false,
            &[
                ("error", "invalid_request"),
                (
                    "error_description",
                    "AADSTS900144: The request body must contain the following parameter: 'scope'.",
                ),
                (
                    "state",
                    p.get("state").map(String::as_str).unwrap_or_default(),
                ),
            ],
        );
    }
    let tenants = candidate_tenants(&s, &c.target, c.app, true);
    let mut list = Vec::new();
    for t in &tenants {
        list.extend(accounts(
            &t.read(),
            p.get("login_hint").map(String::as_str),
            true,
        ));
        if list.len() >= 50 {
            break;
        }
    }
    let page = ConsentPage {
        heading: "Permissions requested – accept for your organization".into(),
        tenant_name: match &c.target {
            TenantRef::Tenant(t) => t.display_name.clone(),
            TenantRef::Multi(name) => (*name).to_string(),
        },
        app_name: c.app.display_name.clone(),
        permissions: granted_scopes(c.app),
        hidden: hidden(&p),
        accounts: list,
        action_url: format!("{}/{tenant}/v2.0/adminconsent", s.urls.login),
    };
    render(&page, StatusCode::OK)
}

fn granted_scopes(app: &App) -> Vec<String> {
    app.application_permissions
        .iter()
        .chain(&app.delegated_permissions)
        .map(|p| format!("https://graph.microsoft.com/{p}"))
        .collect()
}

pub async fn consent_submit(
    State(s): State<AppState>,
    Path(tenant): Path<String>,
    body: Bytes,
) -> Response {
    let p: Params = form_urlencoded::parse(&body).into_owned().collect();
    let c = match check(&s, &tenant, &p) {
        Ok(c) => c,
        Err(page) => return *page,
    };
    let state = p.get("state").map(String::as_str).unwrap_or_default();
    if p.get("action").map(String::as_str) != Some("approve") {
        return redirect_with(
            &c.redirect_uri,
            false,
            &[
                ("error", "access_denied"),
                (
                    "error_description",
                    "AADSTS65004: User declined to consent to access the app.",
                ),
                ("state", state),
            ],
        );
    }
    let tenants = candidate_tenants(&s, &c.target, c.app, true);
    let Some((home, user)) = p.get("account").and_then(|a| find_account(&tenants, a)) else {
        return error_page(
            50034,
            "The user account does not exist in this directory.".into(),
        );
    };
    if !can_grant_admin_consent(&user.roles) {
        return redirect_with(
            &c.redirect_uri,
            false,
            &[
                ("admin_consent", "True"),
                ("error", "consent_required"),
                (
                    "error_description",
                    "AADSTS90094: The grant requires admin permission.",
                ),
                ("state", state),
            ],
        );
    }
    let existing_roles = s
        .world
        .consent(home.id, c.app)
        .map(|c| c.directory_roles)
        .unwrap_or_default();
    s.world.grant_consent(
        home.id,
        c.app.client_id,
        Consent {
            application_permissions: c.app.application_permissions.clone(),
            delegated_permissions: c.app.delegated_permissions.clone(),
            directory_roles: existing_roles,
        },
    );
    let tid = home.id.to_string();
    let scope = granted_scopes(c.app).join(" ");
    redirect_with(
        &c.redirect_uri,
        false,
        &[
            ("admin_consent", "True"),
            ("tenant", &tid),
            ("scope", &scope),
            ("state", state),
        ],
    )
}
