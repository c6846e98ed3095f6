//! POST /contacts (create), /contacts/{id} (edit), /contacts/{id}/delete. A refused form is
//! shown again with the reason (422) and nothing changes.

use super::pages::{new_page, show_page};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::WebError;
use crate::middleware::client_ip::ClientIp;
use crate::routes::sentence;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use countersign_app::contacts::ContactInput;
use countersign_domain::{ContactId, CustomerId};
use countersign_store::{ContactStore, CustomerStore};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub struct ContactForm {
    #[serde(default)]
    customer: String,
    #[serde(default)]
    given_name: String,
    #[serde(default)]
    surname: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    mobile: String,
    #[serde(default)]
    job_title: String,
    #[serde(default)]
    department: String,
}

impl ContactForm {
    fn input(&self) -> ContactInput {
        ContactInput {
            given_name: self.given_name.clone(),
            surname: self.surname.clone(),
            display_name: self.display_name.clone(),
            email: self.email.clone(),
            mobile: self.mobile.clone(),
            job_title: self.job_title.clone(),
            department: self.department.clone(),
        }
    }
}

fn parse<T: std::str::FromStr>(raw: &str) -> Result<T, WebError> {
    raw.parse().map_err(|_| WebError::NotFound)
}

pub async fn create(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    user: CurrentUser,
    Form(form): Form<ContactForm>,
) -> Result<Response, WebError> {
    let customer_id: CustomerId = parse(&form.customer)?;
    let input = form.input();
    match state
        .app
        .create_contact(&user.technician, customer_id, &input, Some(ip.to_string()))
        .await
    {
        Ok(c) => {
            Ok(Redirect::to(&format!("/contacts/{}?notice=contact_created", c.id)).into_response())
        }
        Err(e) if e.is_user_error() => {
            let customer = state.app.store.customer(user.org.id, customer_id).await?;
            let page = new_page(&user, &customer, input, Some(sentence(&e.to_string())))?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn update(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(form): Form<ContactForm>,
) -> Result<Response, WebError> {
    let id: ContactId = parse(&id)?;
    let input = form.input();
    match state
        .app
        .edit_contact(&user.technician, id, &input, Some(ip.to_string()))
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/contacts/{id}?notice=saved")).into_response()),
        Err(e) if e.is_user_error() => {
            let contact = state.app.store.contact(user.org.id, id).await?;
            let page = show_page(
                &state,
                &user,
                &contact,
                Some(input),
                None,
                Some(sentence(&e.to_string())),
            )
            .await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn delete(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let id: ContactId = parse(&id)?;
    match state
        .app
        .delete_contact(&user.technician, id, Some(ip.to_string()))
        .await
    {
        Ok(()) => Ok(Redirect::to("/contacts?notice=contact_deleted").into_response()),
        Err(e) if e.is_user_error() => {
            let contact = state.app.store.contact(user.org.id, id).await?;
            let page = show_page(
                &state,
                &user,
                &contact,
                None,
                None,
                Some(sentence(&e.to_string())),
            )
            .await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}
