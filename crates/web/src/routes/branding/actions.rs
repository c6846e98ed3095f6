//! POST /settings/branding (save) and /settings/branding/test (queue a test message).

use super::pages::{BrandingForm, BrandingPage};
use crate::AppState;
use crate::auth::RequireAdmin;
use crate::error::WebError;
use crate::middleware::client_ip::ClientIp;
use crate::page::render;
use crate::routes::sentence;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use countersign_app::messages::{BrandingError, BrandingInput, MessageError};
use countersign_store::Channel;

fn input(f: &BrandingForm) -> BrandingInput {
    BrandingInput {
        display_name: f.display_name.clone(),
        logo_url: f.logo_url.clone(),
        colour: f.colour.clone(),
        footer: f.footer.clone(),
        reply_to: f.reply_to.clone(),
    }
}

fn not_allowed() -> WebError {
    WebError::Forbidden("Only admins can do this. Ask an admin of your organisation.".into())
}

pub async fn save(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    RequireAdmin(user): RequireAdmin,
    Form(form): Form<BrandingForm>,
) -> Result<Response, WebError> {
    match state
        .app
        .save_branding(&user.actor(ip), &user.technician, &input(&form))
        .await
    {
        Ok(_) => Ok(Redirect::to("/settings/branding?notice=saved").into_response()),
        Err(BrandingError::Invalid(e)) => {
            let mut page = BrandingPage::new(&state, &user, form);
            page.graph = super::graph_mail::GraphMailSection::load(&state, &user).await?;
            page.error = Some(sentence(&e));
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
        Err(BrandingError::NotAllowed) => Err(not_allowed()),
        Err(BrandingError::Store(e)) => Err(e.into()),
        Err(e) => Err(WebError::Internal(e.into())),
    }
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
) -> Result<Response, WebError> {
    let channel = match form.channel.as_str() {
        "sms" => Channel::Sms,
        "email" => Channel::Email,
        _ => return Err(WebError::BadRequest("Choose SMS or email.".into())),
    };
    let nonce: String = form
        .nonce
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(64)
        .collect();
    let result = state
        .app
        .send_branding_test(
            &user.actor(ip),
            &user.technician,
            channel,
            &form.recipient,
            &nonce,
        )
        .await;
    match result {
        Ok(_) => Ok(Redirect::to("/settings/branding?notice=test_queued").into_response()),
        Err(BrandingError::Message(MessageError::InvalidRecipient(e))) => {
            let brand = countersign_app::messages::brand_of(&state.app, user.org.id).await?;
            let mut page = BrandingPage::new(&state, &user, brand.into());
            page.graph = super::graph_mail::GraphMailSection::load(&state, &user).await?;
            page.test_error = Some(sentence(&e));
            page.test_recipient = form.recipient;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
        Err(e @ BrandingError::TooManyTests) => Err(e.into()),
        Err(BrandingError::NotAllowed) => Err(not_allowed()),
        Err(BrandingError::Store(e) | BrandingError::Message(MessageError::Store(e))) => {
            Err(e.into())
        }
        Err(e) => Err(WebError::Internal(e.into())),
    }
}
