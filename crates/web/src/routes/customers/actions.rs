//! POST /customers (create a manual customer), /customers/{id} (name and default country).
//! Admins only; a refused form is shown again with the reason (422).

use super::pages::{index_page, show_page};
use crate::AppState;
use crate::auth::RequireAdmin;
use crate::error::WebError;
use crate::middleware::client_ip::ClientIp;
use crate::routes::sentence;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use countersign_domain::{Country, CustomerId};
use countersign_store::CustomerStore;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub struct CustomerForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    default_country: String,
}

/// The country of the form: blank is none; anything else must be a listed country.
fn country(raw: &str) -> Result<Option<Country>, String> {
    match raw.trim() {
        "" => Ok(None),
        c => c
            .parse::<Country>()
            .map(Some)
            .map_err(|e| sentence(&e.to_string())),
    }
}

pub async fn create(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    RequireAdmin(user): RequireAdmin,
    Form(form): Form<CustomerForm>,
) -> Result<Response, WebError> {
    let refuse = |message: String| async {
        let page = index_page(
            &state,
            &user,
            "",
            (form.name.clone(), form.default_country.clone()),
            None,
            Some(message),
        )
        .await?;
        Ok::<_, WebError>((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
    };
    let default_country = match country(&form.default_country) {
        Ok(c) => c,
        Err(m) => return refuse(m).await,
    };
    match state
        .app
        .create_customer(
            &user.technician,
            &form.name,
            default_country,
            Some(ip.to_string()),
        )
        .await
    {
        Ok(c) => Ok(
            Redirect::to(&format!("/customers/{}?notice=customer_created", c.id)).into_response(),
        ),
        Err(e) if e.is_user_error() => refuse(sentence(&e.to_string())).await,
        Err(e) => Err(e.into()),
    }
}

pub async fn update(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    RequireAdmin(user): RequireAdmin,
    Path(id): Path<String>,
    Form(form): Form<CustomerForm>,
) -> Result<Response, WebError> {
    let id: CustomerId = id.parse().map_err(|_| WebError::NotFound)?;
    let customer = state.app.store.customer(user.org.id, id).await?;
    let default_country = match country(&form.default_country) {
        Ok(c) => c,
        Err(m) => {
            let page = show_page(&state, &user, &customer, None, Some(m)).await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    match state
        .app
        .update_customer(
            &user.technician,
            id,
            &form.name,
            default_country,
            Some(ip.to_string()),
        )
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/customers/{id}?notice=saved")).into_response()),
        Err(e) if e.is_user_error() => {
            let page = show_page(
                &state,
                &user,
                &customer,
                None,
                Some(sentence(&e.to_string())),
            )
            .await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}
