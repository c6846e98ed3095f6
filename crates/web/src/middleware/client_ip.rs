//! The client's address: the TCP peer, or — only when the peer is a trusted proxy — the
//! right-most untrusted address of X-Forwarded-For (security.md §2.6: walking from the right
//! means a client cannot spoof its way past the proxy by sending its own header).
//!
//! A request may carry several X-Forwarded-For lines (a client's own line, then the proxy's
//! appended as a new line rather than to the first one): they are one list, in order
//! (RFC 9110 §5.3), so every line is read, never just the first.

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::HeaderMap;
use axum::http::request::Parts;
use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};

use crate::AppState;

/// The client address of a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientIp(pub IpAddr);

/// Picks the client address from the peer and the X-Forwarded-For header.
#[must_use]
pub fn resolve(peer: IpAddr, forwarded_for: Option<&str>, trusted: &[IpAddr]) -> IpAddr {
    if !trusted.contains(&peer) {
        return peer;
    }
    let Some(xff) = forwarded_for else {
        return peer;
    };
    let mut last = peer;
    for hop in xff.rsplit(',') {
        match hop.trim().parse::<IpAddr>() {
            Ok(ip) if trusted.contains(&ip) => last = ip,
            Ok(ip) => return ip,
            Err(_) => return last,
        }
    }
    last
}

/// Every X-Forwarded-For line of `headers`, in order, joined as one comma-separated list
/// (`None` without the header). A line that is not visible ASCII becomes an empty hop, which
/// ends the walk from the right there, as any unparsable hop does.
#[must_use]
pub fn forwarded_for(headers: &HeaderMap) -> Option<String> {
    let lines: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .map(|v| v.to_str().unwrap_or(""))
        .collect();
    (!lines.is_empty()).then(|| lines.join(","))
}

/// The client address of a request from `peer` with `headers`.
#[must_use]
pub fn from_headers(peer: IpAddr, headers: &HeaderMap, trusted: &[IpAddr]) -> IpAddr {
    resolve(peer, forwarded_for(headers).as_deref(), trusted)
}

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Infallible> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map_or(IpAddr::from([127, 0, 0, 1]), |c| c.0.ip());
        Ok(Self(from_headers(
            peer,
            &parts.headers,
            &state.app.settings.trusted_proxies(),
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::{from_headers, resolve};
    use axum::http::{HeaderMap, HeaderValue};
    use std::net::IpAddr;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn untrusted_peer_is_the_client_whatever_the_header_says() {
        assert_eq!(
            resolve(ip("203.0.113.9"), Some("1.2.3.4"), &[ip("10.0.0.1")]),
            ip("203.0.113.9")
        );
    }

    #[test]
    fn trusted_proxy_walks_from_the_right() {
        let trusted = [ip("10.0.0.1"), ip("10.0.0.2")];
        assert_eq!(
            resolve(
                ip("10.0.0.1"),
                Some("6.6.6.6, 198.51.100.7, 10.0.0.2"),
                &trusted
            ),
            ip("198.51.100.7")
        );
        assert_eq!(resolve(ip("10.0.0.1"), None, &trusted), ip("10.0.0.1"));
    }

    /// Two header lines, the client's spoofed one first: the proxy's line (the last) is
    /// walked first, so the spoofed address is never taken for the client.
    #[test]
    fn every_header_line_is_read_in_order() {
        let trusted = [ip("10.0.0.1"), ip("10.0.0.2")];
        let mut headers = HeaderMap::new();
        headers.append("x-forwarded-for", HeaderValue::from_static("6.6.6.6"));
        headers.append(
            "x-forwarded-for",
            HeaderValue::from_static("198.51.100.7, 10.0.0.2"),
        );
        assert_eq!(
            from_headers(ip("10.0.0.1"), &headers, &trusted),
            ip("198.51.100.7")
        );
        // The client's own line alone, behind the trusted proxy: the one untrusted hop.
        let mut one = HeaderMap::new();
        one.append("x-forwarded-for", HeaderValue::from_static("6.6.6.6"));
        assert_eq!(from_headers(ip("10.0.0.1"), &one, &trusted), ip("6.6.6.6"));
        // A non-ASCII line ends the walk at the last trusted hop.
        let mut bad = HeaderMap::new();
        bad.append("x-forwarded-for", HeaderValue::from_static("6.6.6.6"));
        bad.append("x-forwarded-for", HeaderValue::from_bytes(b"\xff").unwrap());
        assert_eq!(from_headers(ip("10.0.0.1"), &bad, &trusted), ip("10.0.0.1"));
    }
}
