//! Contacts: the searchable list, a contact's page (every synced field, edit, history), and
//! manual contacts (create, delete).

mod actions;
mod cursor;
mod pages;
mod view;

pub use cursor::{decode_cursor, encode_cursor};
pub use view::{ContactRow, ago, contact_rows};

use super::post_only::post_only;
use crate::AppState;
use axum::Router;
use axum::routing::get;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/contacts", get(pages::index).post(actions::create))
        .route("/contacts/new", get(pages::new_form))
        .route("/contacts/{id}", get(pages::show).post(actions::update))
        .route(
            "/contacts/{id}/delete",
            post_only("/contacts/{id}", actions::delete),
        )
        .route(
            "/contacts/{id}/opt-outs/remove",
            post_only("/contacts/{id}", actions::remove_opt_out),
        )
}
