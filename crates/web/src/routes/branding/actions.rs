//! POST /settings/branding (save) and /settings/branding/test (queue a test message).

use super::pages::{BrandingForm, BrandingPage};
use crate::AppState;
use crate::auth::RequireAdmin;
use crate::error::AppError;
use crate::middleware::client_ip::ClientIp;
use crate::page::render;
use crate::routes::sentence;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use countersign_app::messages::{MessageError, MessageRequest};
use countersign_messaging::TemplateName;
use countersign_store::{Branding, BrandingStore, Channel};

/// Checks the form; the first problem, in words.
fn validate(f: &BrandingForm) -> Result<(), String> {
    let name = f.display_name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err("enter a display name of at most 100 characters".into());
    }
    let logo_ok =
        f.logo_url.is_empty() || (f.logo_url.starts_with("https://") && f.logo_url.len() <= 500);
    if !logo_ok {
        return Err("the logo URL must start with https:// (or be empty)".into());
    }
    if !countersign_messaging::is_hex_colour(&f.colour) {
        return Err("the colour must look like #2563eb".into());
    }
    if f.footer.chars().count() > 300 {
        return Err("the footer may have at most 300 characters".into());
    }
    if !f.reply_to.is_empty() && countersign_domain::Email::parse(&f.reply_to).is_err() {
        return Err("the reply-to must be an email address (or empty)".into());
    }
    Ok(())
}

pub async fn save(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    RequireAdmin(user): RequireAdmin,
    Form(form): Form<BrandingForm>,
) -> Result<Response, AppError> {
    if let Err(e) = validate(&form) {
        let mut page = BrandingPage::new(&state, &user, form);
        page.graph = super::graph_mail::GraphMailSection::load(&state, &user).await?;
        page.error = Some(sentence(&e));
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response());
    }
    let app = &state.app;
    app.store
        .save_branding(&Branding {
            org_id: user.org.id,
            display_name: form.display_name.trim().to_owned(),
            logo_url: form.logo_url,
            colour: form.colour.to_lowercase(),
            footer: form.footer.trim().to_owned(),
            reply_to: form.reply_to,
            updated_at: app.now(),
        })
        .await?;
    app.audit(
        &user.actor(ip),
        Some(user.org.id),
        "branding.saved",
        "",
        serde_json::json!({}),
    )
    .await?;
    Ok(Redirect::to("/settings/branding?notice=saved").into_response())
}

#[derive(Debug, serde::Deserialize)]
pub struct TestForm {
    #[serde(default)]
    channel: String,
    #[serde(default)]
    recipient: String,
    /// A random value rendered into the form, so a double submit queues one message.
    #[serde(default)]
    nonce: String,
}

pub async fn send_test(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    RequireAdmin(user): RequireAdmin,
    Form(form): Form<TestForm>,
) -> Result<Response, AppError> {
    let channel = match form.channel.as_str() {
        "sms" => Channel::Sms,
        "email" => Channel::Email,
        _ => return Err(AppError::BadRequest("Choose SMS or email.".into())),
    };
    let nonce: String = form
        .nonce
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(64)
        .collect();
    let request = MessageRequest {
        org: user.org.id,
        channel,
        recipient: form.recipient.clone(),
        template: TemplateName::Test {
            sender: user.technician.name.clone(),
        },
        idempotency_key: format!("test:{}:{nonce}", user.technician.id),
    };
    match state.app.queue_message(&user.actor(ip), request).await {
        Ok(_) => Ok(Redirect::to("/settings/branding?notice=test_queued").into_response()),
        Err(MessageError::InvalidRecipient(e)) => {
            let brand = countersign_app::messages::brand_of(&state.app, user.org.id).await?;
            let mut page = BrandingPage::new(&state, &user, brand.into());
            page.graph = super::graph_mail::GraphMailSection::load(&state, &user).await?;
            page.test_error = Some(sentence(&e));
            page.test_recipient = form.recipient;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
        Err(MessageError::Store(e)) => Err(e.into()),
        Err(e) => Err(AppError::Internal(e.into())),
    }
}
