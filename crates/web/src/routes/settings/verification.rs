//! GET/POST /settings/verification: how long codes and links work, the send limits, and
//! whether verifying another contact needs a note. Admins only.

use crate::AppState;
use crate::auth::RequireAdmin;
use crate::error::{RerenderOnUserError, WebError, one_line};
use crate::middleware::client_ip::ClientIp;
use crate::page::{PageContext, Section, render};
use crate::routes::{NoticeQuery, notice_text};
use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use countersign_app::secrets::Expiry;
use countersign_app::verification::VerificationSettingsInput;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "settings/verification.html")]
struct VerificationPage {
    ctx: PageContext,
    tab: &'static str,
    f: Fields,
    notice: Option<&'static str>,
    error: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct Fields {
    #[serde(default)]
    code_minutes: String,
    #[serde(default)]
    link_minutes: String,
    #[serde(default)]
    per_recipient_10min: String,
    #[serde(default)]
    per_technician_hour: String,
    #[serde(default)]
    per_org_day: String,
    /// Present when the box is ticked.
    require_note_for_other: Option<String>,
    /// `1h`, `1d` or `7d`.
    #[serde(default)]
    secret_max_expiry: String,
}

impl Fields {
    /// The longest-link choices as the select shows them: value, label, selected.
    fn expiry_choices(&self) -> Vec<(&'static str, &'static str, bool)> {
        Expiry::ALL
            .iter()
            .map(|e| (e.as_str(), e.label(), e.as_str() == self.secret_max_expiry))
            .collect()
    }
}

pub async fn show(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    RequireAdmin(user): RequireAdmin,
    Query(q): Query<NoticeQuery>,
) -> Result<Html<String>, WebError> {
    let s = state
        .app
        .verification_settings_view(&user.principal(ip))
        .await?;
    render(&VerificationPage {
        ctx: PageContext::new(&user, Section::Settings),
        tab: "verification",
        f: Fields {
            code_minutes: s.code_minutes.to_string(),
            link_minutes: s.link_minutes.to_string(),
            per_recipient_10min: s.per_recipient_10min.to_string(),
            per_technician_hour: s.per_technician_hour.to_string(),
            per_org_day: s.per_org_day.to_string(),
            require_note_for_other: s.require_note_for_other.then(String::new),
            secret_max_expiry: Expiry::allowed(s.secret_max_hours)
                .last()
                .map_or("1h", |e| e.as_str())
                .to_owned(),
        },
        notice: q.notice.as_deref().and_then(notice_text),
        error: None,
    })
}

pub async fn update(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    RequireAdmin(user): RequireAdmin,
    Form(f): Form<Fields>,
) -> Result<Response, WebError> {
    let input = VerificationSettingsInput {
        code_minutes: f.code_minutes.clone(),
        link_minutes: f.link_minutes.clone(),
        per_recipient_10min: f.per_recipient_10min.clone(),
        per_technician_hour: f.per_technician_hour.clone(),
        per_org_day: f.per_org_day.clone(),
        require_note_for_other: f.require_note_for_other.is_some(),
        secret_max_expiry: f.secret_max_expiry.clone(),
    };
    state
        .app
        .save_verification_settings(&user.principal(ip), &input)
        .await
        .or_rerender(async |m| {
            let page = render(&VerificationPage {
                ctx: PageContext::new(&user, Section::Settings),
                tab: "verification",
                f,
                notice: None,
                error: Some(one_line(&m)),
            })?;
            Ok(page.into_response())
        })
        .await?;
    Ok(Redirect::to("/settings/verification?notice=saved").into_response())
}
