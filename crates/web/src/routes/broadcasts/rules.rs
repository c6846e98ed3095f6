//! GET/POST /settings/broadcasts: the org's broadcast rules (above how many recipients a
//! second admin must approve, the daily recipient cap, the time zone schedules are in, and
//! the quiet hours). Admins only.

use crate::AppState;
use crate::auth::RequireAdmin;
use crate::error::{RerenderOnUserError, WebError};
use crate::middleware::client_ip::ClientIp;
use crate::page::{PageContext, Section, render};
use crate::routes::{NoticeQuery, notice_text};
use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use countersign_app::FieldMessage;
use countersign_app::broadcasts::BroadcastRules;
use countersign_domain::QuietHours;
use serde::Deserialize;

use super::compose::Errors;

#[derive(Template)]
#[template(path = "broadcasts/rules.html")]
struct RulesPage {
    ctx: PageContext,
    tab: &'static str,
    f: RulesForm,
    errors: Errors,
    notice: Option<&'static str>,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct RulesForm {
    #[serde(default)]
    approval_threshold: String,
    #[serde(default)]
    daily_recipient_cap: String,
    /// An IANA name.
    #[serde(default)]
    time_zone: String,
    /// `HH:MM`, both empty for none.
    #[serde(default)]
    quiet_start: String,
    #[serde(default)]
    quiet_end: String,
}

impl RulesForm {
    fn of(r: &BroadcastRules) -> Self {
        let text = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_default();
        Self {
            approval_threshold: text(r.approval_threshold),
            daily_recipient_cap: text(r.daily_recipient_cap),
            time_zone: r.time_zone.clone(),
            quiet_start: r
                .quiet_hours
                .map(|q| QuietHours::label(q.start_minute))
                .unwrap_or_default(),
            quiet_end: r
                .quiet_hours
                .map(|q| QuietHours::label(q.end_minute))
                .unwrap_or_default(),
        }
    }

    /// The rules typed, or every field that is not a number.
    fn rules(&self) -> Result<BroadcastRules, Vec<FieldMessage>> {
        let number = |field: &'static str, raw: &str| match raw.trim().replace([',', ' '], "") {
            s if s.is_empty() => Ok(None),
            s => s.parse::<i64>().map(Some).map_err(|_| FieldMessage {
                field: Some(field),
                message: "Enter a whole number, or leave it empty for none.".into(),
            }),
        };
        let quiet = self.quiet_hours();
        match (
            number("approval_threshold", &self.approval_threshold),
            number("daily_recipient_cap", &self.daily_recipient_cap),
            quiet,
        ) {
            (Ok(approval_threshold), Ok(daily_recipient_cap), Ok(quiet_hours)) => {
                Ok(BroadcastRules {
                    approval_threshold,
                    daily_recipient_cap,
                    // Empty is the default zone, not an error.
                    time_zone: match self.time_zone.trim() {
                        "" => "UTC".to_owned(),
                        z => z.to_owned(),
                    },
                    quiet_hours,
                })
            }
            (a, b, q) => Err([a.err(), b.err(), q.err()].into_iter().flatten().collect()),
        }
    }
}

impl RulesForm {
    /// Both times empty: none; both `HH:MM` and different: the window.
    fn quiet_hours(&self) -> Result<Option<QuietHours>, FieldMessage> {
        let (start, end) = (self.quiet_start.trim(), self.quiet_end.trim());
        if start.is_empty() && end.is_empty() {
            return Ok(None);
        }
        QuietHours::parse_minute(start)
            .zip(QuietHours::parse_minute(end))
            .and_then(|(a, b)| QuietHours::new(a, b))
            .map(Some)
            .ok_or_else(|| FieldMessage {
                field: Some("quiet_hours"),
                message: "Enter when quiet hours start and end as HH:MM (two different times; 21:00 to 08:00 spans the night), or leave both empty for none.".into(),
            })
    }
}

fn page(
    user: &crate::auth::CurrentUser,
    f: RulesForm,
    errors: Vec<FieldMessage>,
    notice: Option<&'static str>,
) -> Result<Html<String>, WebError> {
    render(&RulesPage {
        ctx: PageContext::new(user, Section::Settings),
        tab: "broadcasts",
        f,
        errors: Errors(errors),
        notice,
    })
}

pub async fn show(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    RequireAdmin(user): RequireAdmin,
    Query(q): Query<NoticeQuery>,
) -> Result<Html<String>, WebError> {
    let rules = state.app.broadcast_rules(&user.principal(ip)).await?;
    page(
        &user,
        RulesForm::of(&rules),
        Vec::new(),
        q.notice.as_deref().and_then(notice_text),
    )
}

pub async fn update(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    RequireAdmin(user): RequireAdmin,
    Form(f): Form<RulesForm>,
) -> Result<Response, WebError> {
    let user = &user;
    let rerender = |m: Vec<FieldMessage>| {
        let f = f.clone();
        async move { Ok(page(user, f, m, None)?.into_response()) }
    };
    let rules = match f.rules() {
        Ok(r) => r,
        Err(m) => {
            return Err::<Response, _>(WebError::Invalid(m))
                .or_rerender(rerender)
                .await;
        }
    };
    state
        .app
        .save_broadcast_rules(&user.principal(ip), rules)
        .await
        .or_rerender(rerender)
        .await?;
    Ok(Redirect::to("/settings/broadcasts?notice=saved").into_response())
}
