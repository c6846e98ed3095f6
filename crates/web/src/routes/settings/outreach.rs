//! Settings ▸ Technician verification (issue 21.4): how the MSP tells its clients about the
//! public "check a technician" page. GET /settings/technician-verification shows the page's
//! address (from the configured public URL), its QR code as inline SVG and a text for email
//! signatures; /settings/technician-verification/sheet is a printable, branded policy sheet
//! for clients ("How we will verify you, and how you can verify us"), with the org's actual
//! policy; /settings/technician-verification/email is an onboarding email to copy. All
//! three only read. Admins only.

use crate::AppState;
use crate::auth::RequireAdmin;
use crate::error::WebError;
use crate::middleware::client_ip::ClientIp;
use crate::middleware::headers::CSP;
use crate::page::{PageContext, Section, render};
use askama::Template;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use countersign_app::verification::{TechnicianOutreachView, VerificationPolicy};

#[derive(Template)]
#[template(path = "settings/outreach.html")]
struct OutreachPage {
    ctx: PageContext,
    tab: &'static str,
    v: TechnicianOutreachView,
}

#[derive(Template)]
#[template(path = "settings/policy_sheet.html")]
struct SheetPage {
    v: TechnicianOutreachView,
    /// The policy's statements, in order.
    promises: Vec<String>,
}

#[derive(Template)]
#[template(path = "settings/onboarding_email.html")]
struct EmailPage {
    ctx: PageContext,
    tab: &'static str,
    subject: String,
    body: String,
}

/// GET /settings/technician-verification
pub async fn show(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    RequireAdmin(user): RequireAdmin,
) -> Result<Response, WebError> {
    let v = state
        .app
        .technician_outreach_view(&user.principal(ip))
        .await?;
    let page = OutreachPage {
        ctx: PageContext::new(&user, Section::Settings),
        tab: "technician_verification",
        v,
    };
    Ok(render(&page)?.into_response())
}

/// What the org promises its clients, from the policy it actually applies.
fn promises(p: &VerificationPolicy, msp: &str) -> Vec<String> {
    let mut out = Vec::new();
    let channels = match (p.sms, p.email) {
        (true, true) => "a text message (SMS) or an email",
        (true, false) => "a text message (SMS)",
        (false, true) => "an email",
        (false, false) => "",
    };
    if !channels.is_empty() {
        out.push(format!(
            "Before we act on a request, we may verify that you are you. We send {channels} \
             only to the mobile number or email address we already hold for you, never to one \
             a caller gives us."
        ));
    }
    if p.sms {
        out.push(format!(
            "A text message may carry a 6-digit code: read it to the technician who is talking \
             to you. It works for {} minutes and only once.",
            p.code_minutes
        ));
    }
    out.push(format!(
        "A message may instead carry a link. Open it and choose the number the technician \
         tells you; never approve a request you did not expect. It works for {} minutes.",
        p.link_minutes
    ));
    if p.note_for_other {
        out.push(
            "We verify the person we are helping: if someone asks on another person's behalf, \
             our technician must record why."
                .to_owned(),
        );
    }
    out.push(format!(
        "We never ask for your password. Passwords and other secrets we send come as one-time \
         links that stop working after they are opened, and after {} at the latest.",
        hours(p.secret_max_hours)
    ));
    out.push(format!(
        "Not sure someone really works for {msp}? Check them on the page below: we send a \
         link to the phone or email we hold for you, you choose who contacted you, and they \
         confirm with a code you both see."
    ));
    out
}

fn hours(h: i64) -> String {
    match h {
        1 => "1 hour".to_owned(),
        24 => "1 day".to_owned(),
        h if h % 24 == 0 => format!("{} days", h / 24),
        h => format!("{h} hours"),
    }
}

/// The page's own CSP: the app's, with the org's logo origin allowed as an image source (the
/// only thing of another origin the sheet shows; still no script or style from anywhere).
fn sheet_csp(logo_url: &str) -> Option<HeaderValue> {
    let origin = url::Url::parse(logo_url)
        .ok()
        .filter(|u| u.scheme() == "https")?
        .origin()
        .ascii_serialization();
    let policy = CSP.replace(
        "img-src 'self' data:",
        &format!("img-src 'self' data: {origin}"),
    );
    HeaderValue::from_str(&policy).ok()
}

/// GET /settings/technician-verification/sheet
pub async fn sheet(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    RequireAdmin(user): RequireAdmin,
) -> Result<Response, WebError> {
    let mut v = state
        .app
        .technician_outreach_view(&user.principal(ip))
        .await?;
    let csp = sheet_csp(&v.brand.logo_url);
    if csp.is_none() {
        // No usable logo origin: the name stands in for it.
        v.brand.logo_url.clear();
    }
    let page = SheetPage {
        promises: promises(&v.policy, &v.brand.name),
        v,
    };
    let mut res = render(&page)?.into_response();
    if let Some(csp) = csp {
        res.headers_mut()
            .insert(header::CONTENT_SECURITY_POLICY, csp);
    }
    Ok(res)
}

/// GET /settings/technician-verification/email
pub async fn email(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    RequireAdmin(user): RequireAdmin,
) -> Result<Response, WebError> {
    let v = state
        .app
        .technician_outreach_view(&user.principal(ip))
        .await?;
    let msp = v.brand.name.clone();
    let subject = format!("How {msp} will verify you, and how you can verify us");
    let list: String = promises(&v.policy, &msp)
        .iter()
        .map(|p| format!("- {p}\n"))
        .collect();
    let body = format!(
        "Hello,\n\n\
         Attackers sometimes pretend to be an IT provider's help desk, or pretend to be one of \
         our clients when they call us. To protect you, {msp} now verifies both ways.\n\n\
         {list}\n\
         To check that someone who contacts you really works for {msp}, open:\n{url}\n\n\
         Keep this email, or bookmark the page. If in doubt, end the conversation and call us \
         on a number you already know.\n\n\
         Kind regards,\n{msp}\n",
        url = v.check_url
    );
    let page = EmailPage {
        ctx: PageContext::new(&user, Section::Settings),
        tab: "technician_verification",
        subject,
        body,
    };
    Ok(render(&page)?.into_response())
}
