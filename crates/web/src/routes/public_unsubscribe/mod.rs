//! `/unsubscribe/{token}`: the one-click unsubscribe of a broadcast email (issue 20, RFC 8058).
//! The link is in the email's `List-Unsubscribe` header and its footer. GET and HEAD only show
//! the org's page with one button (mail scanners fetch links: security.md §2.2); the POST
//! opts the address out. A mail provider's own unsubscribe button POSTs
//! `List-Unsubscribe=One-Click` to the same URL without cookie or form token, so the CSRF
//! middleware lets exactly these paths through ([`is_unsubscribe_path`]): the MAC in the token
//! is the authority.

mod actions;
mod pages;

use crate::AppState;
use axum::Router;
use axum::routing::get;
use countersign_app::broadcasts::unsubscribe::UNSUBSCRIBE_PATH;

pub fn router() -> Router<AppState> {
    Router::new().route(
        "/unsubscribe/{token}",
        get(pages::show).post(actions::unsubscribe),
    )
}

/// Whether `path` is an unsubscribe link: `/unsubscribe/` and one non-empty segment (the
/// token), nothing else. The CSRF middleware exempts these paths (see its `check`).
#[must_use]
pub fn is_unsubscribe_path(path: &str) -> bool {
    path.strip_prefix(UNSUBSCRIBE_PATH)
        .is_some_and(|token| !token.is_empty() && !token.contains('/'))
}

#[cfg(test)]
mod tests {
    use super::is_unsubscribe_path;

    #[test]
    fn only_one_token_segment_is_an_unsubscribe_path() {
        assert!(is_unsubscribe_path("/unsubscribe/AQID-_x"));
        assert!(!is_unsubscribe_path("/unsubscribe/"));
        assert!(!is_unsubscribe_path("/unsubscribe"));
        assert!(!is_unsubscribe_path("/unsubscribe/a/b"));
        assert!(!is_unsubscribe_path("/contacts/unsubscribe/a"));
        assert!(!is_unsubscribe_path("/unsubscribex/a"));
    }
}
