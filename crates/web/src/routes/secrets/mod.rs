//! Secure Send to a recipient given by mobile number or email address, not a contact of
//! record (the Pod's panel does contacts). The form is the Pod's (`pod/_secret_form.html`);
//! `static/secrets.js` encrypts and posts to `/pod/secrets`. "My links" (`list.rs`) lists the
//! links a technician made and burns live ones.

mod list;
pub(crate) mod pages;

use super::post_only::post_only;
use crate::AppState;
use axum::Router;
use axum::routing::get;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/secrets", get(list::index))
        .route("/secrets/new", get(pages::new))
        .route("/secrets/{id}/burn", post_only("/secrets", list::burn))
}
