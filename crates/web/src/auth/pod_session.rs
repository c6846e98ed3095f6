//! The Pod's own session cookie (docs/security.md "The Pod inside a PSA"). Inside a PSA's
//! cross-site iframe the main session cookie (SameSite=Lax) is not sent, so the Pod gets a
//! session of stage `pod` in a cookie of its own: `SameSite=None; Secure; Partitioned`
//! (CHIPS: stored per top-level site, so only the PSA that framed the sign-in gets it back),
//! HttpOnly, `Path=/pod`. The session middleware honours it on [`is_pod_route`] paths only.
//!
//! Plain http: browsers keep `Secure` cookies set over http only from loopback hosts
//! (`localhost`, `127.0.0.1`, `[::1]`), so the framed sign-in works over http on one's own
//! machine (development, tests) and is refused, with a message, on any other http host.

use super::session::cookie_header_with;
use axum::http::{HeaderMap, HeaderValue};
use countersign_app::Settings;

/// Short-lived cookie that remembers, across the login form, which `/pod/connect` window
/// sent the technician there (its value is the frame origin, checked again when used). Over
/// https it is `__Host-cs_pod_connect` (Secure, `Path=/`, no Domain: a sibling subdomain
/// cannot set or shadow it); see [`connect_return_cookie_name`].
pub const CONNECT_RETURN_COOKIE: &str = "cs_pod_connect";

/// The name of the connect-return cookie: with the `__Host-` prefix over https.
#[must_use]
pub fn connect_return_cookie_name(settings: &Settings) -> &'static str {
    if settings.is_https() {
        "__Host-cs_pod_connect"
    } else {
        CONNECT_RETURN_COOKIE
    }
}

/// `__Secure-` (which requires Secure and an https origin) when served over https. Not
/// `__Host-`: that prefix requires `Path=/`, and this cookie is scoped to `/pod`.
#[must_use]
pub fn pod_cookie_name(settings: &Settings) -> &'static str {
    if settings.is_https() {
        "__Secure-cs_pod"
    } else {
        "cs_pod"
    }
}

/// Whether browsers will keep the Pod's cookie: https, or http on a loopback host.
#[must_use]
pub fn pod_cookie_usable(settings: &Settings) -> bool {
    if settings.is_https() {
        return true;
    }
    url::Url::parse(&settings.server.public_url).is_ok_and(|u| match u.host() {
        Some(url::Host::Domain(d)) => d == "localhost",
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    })
}

/// The paths that accept a Pod session: the Pod page, its actions and its live-status
/// endpoints. Not `/pod/connect` (which makes handoff codes: a full session only).
#[must_use]
pub fn is_pod_route(path: &str) -> bool {
    path.starts_with("/pod/contacts/")
        || path.starts_with("/pod/verifications/")
        || path == "/pod/inbox"
        || path.starts_with("/pod/inbox/")
}

pub(crate) const POD_ATTRIBUTES: &str = "Path=/pod; HttpOnly; Secure; SameSite=None; Partitioned";

/// The cookie that carries a new Pod session token.
#[must_use]
pub fn pod_session_cookie(settings: &Settings, token: &str, max_age: u64) -> HeaderValue {
    cookie_header_with(
        pod_cookie_name(settings),
        token,
        POD_ATTRIBUTES,
        Some(max_age),
    )
}

/// The cookie that removes the Pod session token.
#[must_use]
pub fn clear_pod_session_cookie(settings: &Settings) -> HeaderValue {
    cookie_header_with(pod_cookie_name(settings), "", POD_ATTRIBUTES, Some(0))
}

/// The cookie that remembers the frame origin of a `/pod/connect` window across the login
/// (Lax, so the login's own redirect carries it; 15 minutes).
#[must_use]
pub fn connect_return_cookie(settings: &Settings, origin: &str) -> HeaderValue {
    super::session::cookie_header(
        settings,
        connect_return_cookie_name(settings),
        origin,
        Some(900),
    )
}

/// Where a completed login goes: back to the `/pod/connect` window that sent the technician
/// to the login, if one did (with the cookie that forgets it), otherwise home.
#[must_use]
pub fn after_login(settings: &Settings, headers: &HeaderMap) -> (String, Option<HeaderValue>) {
    match super::session::read_cookie(headers, connect_return_cookie_name(settings))
        .and_then(|o| countersign_app::accounts::parse_frame_origin(o).ok())
    {
        Some(origin) => {
            let query: String = form_urlencoded::Serializer::new(String::new())
                .append_pair("origin", &origin)
                .finish();
            (
                format!("/pod/connect?{query}"),
                Some(super::session::cookie_header(
                    settings,
                    connect_return_cookie_name(settings),
                    "",
                    Some(0),
                )),
            )
        }
        None => ("/".into(), None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cookie_needs_https_or_loopback() {
        let mut settings = Settings::default();
        for (url, usable) in [
            ("https://cs.example.com", true),
            ("http://127.0.0.1:8080", true),
            ("http://localhost:8080", true),
            ("http://[::1]:8080", true),
            ("http://cs.internal:8080", false),
            ("http://10.0.0.5", false),
        ] {
            settings.server.public_url = url.into();
            assert_eq!(pod_cookie_usable(&settings), usable, "{url}");
        }
        settings.server.public_url = "https://cs.example.com".into();
        assert_eq!(pod_cookie_name(&settings), "__Secure-cs_pod");
        let c = pod_session_cookie(&settings, "tok", 60);
        assert_eq!(
            c.to_str().unwrap(),
            "__Secure-cs_pod=tok; Path=/pod; HttpOnly; Secure; SameSite=None; Partitioned; Max-Age=60"
        );
    }

    #[test]
    fn the_connect_cookie_has_the_host_prefix_on_https() {
        let mut settings = Settings::default();
        settings.server.public_url = "https://cs.example.com".into();
        let c = connect_return_cookie(&settings, "https://psa.example.net");
        assert_eq!(
            c.to_str().unwrap(),
            "__Host-cs_pod_connect=https://psa.example.net; Path=/; HttpOnly; SameSite=Lax; Secure; Max-Age=900"
        );
        let mut headers = HeaderMap::new();
        headers.insert(
            axum::http::header::COOKIE,
            HeaderValue::from_static("__Host-cs_pod_connect=https://psa.example.net"),
        );
        let (to, forget) = after_login(&settings, &headers);
        assert!(to.starts_with("/pod/connect?origin="), "{to}");
        assert!(
            forget
                .unwrap()
                .to_str()
                .unwrap()
                .starts_with("__Host-cs_pod_connect=; Path=/;")
        );
        // Without the prefix over https, a cookie a sibling host could have set is ignored.
        headers.insert(
            axum::http::header::COOKIE,
            HeaderValue::from_static("cs_pod_connect=https://psa.example.net"),
        );
        assert_eq!(after_login(&settings, &headers).0, "/");
        settings.server.public_url = "http://127.0.0.1:8080".into();
        assert!(
            connect_return_cookie(&settings, "http://127.0.0.1:9")
                .to_str()
                .unwrap()
                .starts_with("cs_pod_connect=")
        );
    }

    #[test]
    fn only_the_pods_routes_take_a_pod_session() {
        for p in [
            "/pod/contacts/0190",
            "/pod/contacts/0190/verify",
            "/pod/verifications/x/status",
            "/pod/inbox",
            "/pod/inbox/status",
        ] {
            assert!(is_pod_route(p), "{p}");
        }
        for p in [
            "/pod/connect",
            "/pod/session",
            "/pod",
            "/podcast",
            "/contacts",
            "/",
            "/account",
        ] {
            assert!(!is_pod_route(p), "{p}");
        }
    }
}
