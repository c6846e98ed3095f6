//! The Pod's framing headers. Every other page forbids framing (`frame-ancestors 'none'`,
//! `X-Frame-Options: DENY`). The Pod may be framed by the origins the org lists, and by
//! Countersign itself; with no origins listed it is framed by no one, like every other page.

use crate::middleware::headers::CSP;
use axum::http::{HeaderMap, HeaderValue, header};

/// The headers of a Pod response for these allowed frame ancestors (validated origins, see
/// `countersign_app::contacts::parse_frame_ancestor`).
#[must_use]
pub fn framing_headers(ancestors: &[String]) -> HeaderMap {
    let mut h = HeaderMap::new();
    if ancestors.is_empty() {
        // The global headers apply as they are.
        return h;
    }
    let policy = CSP.replace(
        "frame-ancestors 'none'",
        &format!("frame-ancestors 'self' {}", ancestors.join(" ")),
    );
    if let Ok(v) = HeaderValue::from_str(&policy) {
        h.insert(header::CONTENT_SECURITY_POLICY, v);
        // X-Frame-Options cannot name other origins (ALLOW-FROM is obsolete); browsers that
        // know frame-ancestors ignore it, and the headers middleware leaves it out when a
        // handler's policy allows framing, so the two never contradict each other.
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn follows_the_setting() {
        assert!(framing_headers(&[]).is_empty());
        let h = framing_headers(&[
            "https://psa.example".into(),
            "https://*.halo.example".into(),
        ]);
        let csp = h[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
        assert!(csp.contains("frame-ancestors 'self' https://psa.example https://*.halo.example"));
        assert!(!csp.contains("frame-ancestors 'none'") && csp.contains("script-src 'self'"));
    }
}
