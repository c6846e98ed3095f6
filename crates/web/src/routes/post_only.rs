//! Every POST ends in a redirect (PRG), and a GET on a POST-only address goes to its page
//! (issue 21.2): a bookmarked or re-opened action address, or a link scanner, must see a page,
//! never the browser's raw "405 Method Not Allowed", and must not repeat the action.
//!
//! Each area's router declares its POST-only addresses with [`post_only`], naming the page a
//! GET goes to. `tests/web/prg.rs` reads the routers' source and fails on a POST-only route
//! that is not declared this way, so a new action cannot forget it.

use crate::AppState;
use axum::extract::MatchedPath;
use axum::handler::Handler;
use axum::http::Uri;
use axum::response::Redirect;
use axum::routing::{MethodRouter, get};

/// `POST` runs `handler`; `GET` and `HEAD` answer 303 to `page`, whose `{name}` parts are
/// filled from the same parts of the request's address (`/contacts/{id}/delete` →
/// `/contacts/{id}`).
pub(crate) fn post_only<H, T>(page: &'static str, handler: H) -> MethodRouter<AppState>
where
    H: Handler<T, AppState>,
    T: 'static,
{
    get(move |matched: Option<MatchedPath>, uri: Uri| async move {
        let route = matched.as_ref().map_or("", MatchedPath::as_str);
        Redirect::to(&page_for(page, route, uri.path()))
    })
    .post(handler)
}

/// `page` with each `{name}` replaced by the request's segment at the place `{name}` has in
/// `route`. A segment that is not a plain id (letters, digits, `-`, `_`, `.`) is never copied
/// into a `Location`: the page falls back to its fixed part, up to the first `{`.
fn page_for(page: &str, route: &str, path: &str) -> String {
    let params: Vec<(&str, &str)> = route
        .split('/')
        .zip(path.split('/'))
        .filter_map(|(pattern, value)| {
            let name = pattern.strip_prefix('{')?.strip_suffix('}')?;
            Some((name, value))
        })
        .collect();
    let mut out = String::with_capacity(page.len());
    for (i, segment) in page.split('/').enumerate() {
        if i > 0 {
            out.push('/');
        }
        match segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            None => out.push_str(segment),
            Some(name) => match params.iter().find(|(n, _)| *n == name) {
                Some((_, value)) if is_plain(value) => out.push_str(value),
                _ => return fixed_part(page),
            },
        }
    }
    out
}

fn is_plain(value: &str) -> bool {
    !value.is_empty()
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
        && value != "."
        && value != ".."
}

/// The part of `page` before its first `{name}`, without a trailing `/` (at least `/`).
fn fixed_part(page: &str) -> String {
    let fixed = page.split('{').next().unwrap_or("/").trim_end_matches('/');
    if fixed.is_empty() {
        "/".to_owned()
    } else {
        fixed.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::page_for;

    #[test]
    fn fills_the_page_from_the_request() {
        assert_eq!(
            page_for(
                "/contacts/{id}",
                "/contacts/{id}/delete",
                "/contacts/abc-1/delete"
            ),
            "/contacts/abc-1"
        );
        assert_eq!(
            page_for(
                "/pod/contacts/{id}",
                "/pod/contacts/{id}/verifications/{vid}/code",
                "/pod/contacts/c1/verifications/v2/code"
            ),
            "/pod/contacts/c1"
        );
        assert_eq!(
            page_for(
                "/settings/jobs",
                "/settings/jobs/{id}/retry",
                "/settings/jobs/9/retry"
            ),
            "/settings/jobs"
        );
    }

    #[test]
    fn never_copies_odd_segments_into_the_location() {
        for odd in ["%2F%2Fevil.example", "..", "a%0d%0aSet-Cookie"] {
            let path = format!("/contacts/{odd}/delete");
            assert_eq!(
                page_for("/contacts/{id}", "/contacts/{id}/delete", &path),
                "/contacts",
                "{odd}"
            );
        }
    }
}
