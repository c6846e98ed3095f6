//! Which URLs an endpoint may have. https only, no user name or password, and (SSRF) never an
//! address of the server's own networks: loopback, private, link-local, carrier-grade NAT,
//! unique-local, … Hostnames are checked again when an attempt resolves them (see
//! [`super::WebhookClient`]), because a public name can point at a private address.
//! `[webhooks] allow_private_targets` lifts the address rule and allows `http://` (tests, demo).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use url::{Host, Url};

/// Longest URL accepted.
const MAX_URL_LEN: usize = 2000;

/// Why a URL cannot be an endpoint. The texts are shown on the form.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TargetError {
    #[error("enter the endpoint's full URL, like https://hooks.example.com/countersign")]
    NotAUrl,
    #[error("the URL is longer than {MAX_URL_LEN} characters")]
    TooLong,
    #[error("the URL must start with https:// (webhooks are only sent over TLS)")]
    NotHttps,
    #[error("the URL must not contain a user name or password; receivers check the signature")]
    UserInfo,
    #[error("the URL must not have a #fragment (it is never sent)")]
    Fragment,
    #[error(
        "the URL points at a loopback, private or link-local address; webhooks go to public addresses only"
    )]
    PrivateAddress,
}

/// Checks `raw` as an endpoint URL; returns it parsed.
///
/// # Errors
/// The first rule it breaks.
pub fn check_target(raw: &str, allow_private: bool) -> Result<Url, TargetError> {
    let raw = raw.trim();
    if raw.len() > MAX_URL_LEN {
        return Err(TargetError::TooLong);
    }
    let url = Url::parse(raw).map_err(|_| TargetError::NotAUrl)?;
    match url.scheme() {
        "https" => {}
        "http" if allow_private => {}
        _ => return Err(TargetError::NotHttps),
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(TargetError::UserInfo);
    }
    if url.fragment().is_some() {
        return Err(TargetError::Fragment);
    }
    let host = url.host().ok_or(TargetError::NotAUrl)?;
    if !allow_private {
        let private = match host {
            Host::Ipv4(ip) => !is_public(IpAddr::V4(ip)),
            Host::Ipv6(ip) => !is_public(IpAddr::V6(ip)),
            Host::Domain(name) => is_local_name(name),
        };
        if private {
            return Err(TargetError::PrivateAddress);
        }
    }
    Ok(url)
}

/// Names that resolve to this machine or its local network by convention.
fn is_local_name(name: &str) -> bool {
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    name == "localhost"
        || !name.contains('.')
        || [".localhost", ".local", ".internal", ".home.arpa", ".lan"]
            .iter()
            .any(|suffix| name.ends_with(suffix))
}

/// Whether `ip` is a public unicast address (not loopback, private, link-local, shared,
/// documentation, multicast, reserved or unspecified).
#[must_use]
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public_v4(v4);
            }
            is_public_v6(v6)
        }
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_broadcast()
        || ip.is_documentation()
        || ip.is_multicast()
        || a == 0
        || (a == 100 && (64..128).contains(&b)) // shared address space (CGNAT)
        || (a == 192 && b == 0 && c == 0) // IETF protocol assignments
        || (a == 198 && (b == 18 || b == 19)) // benchmarking
        || a >= 240) // reserved
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    let s = ip.segments();
    if let Some(v4) = embedded_v4(ip) {
        return is_public_v4(v4);
    }
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_multicast()
        || (s[0] & 0xfe00) == 0xfc00 // unique local
        || (s[0] & 0xffc0) == 0xfe80 // link-local
        || (s[0] & 0xffc0) == 0xfec0 // site-local (deprecated, still routed inward)
        || (s[0] == 0x2001 && s[1] == 0x0db8) // documentation
        || (s[0] == 0x2001 && s[1] == 0) // Teredo (tunnels to an IPv4 address)
        || (s[0] == 0x0100 && s[1..4] == [0, 0, 0]) // discard-only
        || s[0] == 0x0064) // NAT64 (64:ff9b::/96, 64:ff9b:1::/48: reach IPv4 space)
}

/// The IPv4 address an IPv6 form carries where a host or router would reach it: IPv4-compatible
/// (`::a.b.c.d`, deprecated but still routed to the IPv4 address by some stacks),
/// IPv4-translated (`::ffff:0:a.b.c.d`) and 6to4 (`2002:aabb:ccdd::/48`). Such a form is as
/// public as the IPv4 address inside it.
fn embedded_v4(ip: Ipv6Addr) -> Option<Ipv4Addr> {
    let o = ip.octets();
    let low = Ipv4Addr::new(o[12], o[13], o[14], o[15]);
    match ip.segments() {
        // `::` and `::1` are the IPv6 unspecified and loopback addresses themselves.
        [0, 0, 0, 0, 0, 0, 0, 0 | 1] => None,
        [0, 0, 0, 0, 0, 0, _, _] | [0, 0, 0, 0, 0xffff, 0, _, _] => Some(low),
        [0x2002, ..] => Some(Ipv4Addr::new(o[2], o[3], o[4], o[5])),
        _ => None,
    }
}

impl crate::UseCaseError for TargetError {
    fn kind(&self) -> crate::ErrorKind {
        crate::ErrorKind::Invalid
    }

    fn fields(&self) -> Vec<crate::FieldMessage> {
        vec![crate::FieldMessage {
            field: Some("url"),
            message: self.to_string(),
        }]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_https_urls_pass() {
        for ok in [
            "https://hooks.example.com/countersign",
            "https://93.184.215.14:8443/x?token=abc",
            " https://n8n.example.org/webhook/1 ",
        ] {
            assert!(check_target(ok, false).is_ok(), "{ok}");
        }
    }

    #[test]
    fn each_rule_has_its_message() {
        let cases = [
            ("hooks.example.com", TargetError::NotAUrl),
            ("http://hooks.example.com/x", TargetError::NotHttps),
            ("ftp://hooks.example.com/x", TargetError::NotHttps),
            ("javascript:alert(1)", TargetError::NotHttps),
            ("https://user:pw@hooks.example.com/", TargetError::UserInfo),
            ("https://user@hooks.example.com/", TargetError::UserInfo),
            ("https://hooks.example.com/#x", TargetError::Fragment),
            ("https://127.0.0.1/", TargetError::PrivateAddress),
            ("https://localhost:8080/", TargetError::PrivateAddress),
            ("https://10.1.2.3/", TargetError::PrivateAddress),
            ("https://192.168.1.1/", TargetError::PrivateAddress),
            ("https://172.16.0.1/", TargetError::PrivateAddress),
            (
                "https://169.254.169.254/latest",
                TargetError::PrivateAddress,
            ),
            ("https://100.64.0.1/", TargetError::PrivateAddress),
            ("https://0.0.0.0/", TargetError::PrivateAddress),
            ("https://[::1]/", TargetError::PrivateAddress),
            ("https://[fe80::1]/", TargetError::PrivateAddress),
            ("https://[fd00::1]/", TargetError::PrivateAddress),
            ("https://[::ffff:127.0.0.1]/", TargetError::PrivateAddress),
            ("https://2130706433/", TargetError::PrivateAddress),
            ("https://intranet/", TargetError::PrivateAddress),
            // IPv6 forms that carry an inward IPv4 address, and inward IPv6 ranges.
            ("https://[::127.0.0.1]/", TargetError::PrivateAddress),
            ("https://[::a9fe:a9fe]/", TargetError::PrivateAddress),
            ("https://[::ffff:0:10.0.0.1]/", TargetError::PrivateAddress),
            ("https://[2002:7f00:1::1]/", TargetError::PrivateAddress),
            ("https://[2002:a9fe:a9fe::]/", TargetError::PrivateAddress),
            ("https://[2002:c0a8:101::5]/", TargetError::PrivateAddress),
            ("https://[64:ff9b::a9fe:a9fe]/", TargetError::PrivateAddress),
            ("https://[64:ff9b::7f00:1]/", TargetError::PrivateAddress),
            ("https://[64:ff9b:1::a00:1]/", TargetError::PrivateAddress),
            ("https://[fec0::1]/", TargetError::PrivateAddress),
            ("https://[fed0:1:2::3]/", TargetError::PrivateAddress),
            (
                "https://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/",
                TargetError::PrivateAddress,
            ),
            ("https://[100::1]/", TargetError::PrivateAddress),
            ("https://printer.local/", TargetError::PrivateAddress),
        ];
        for (url, expected) in cases {
            assert_eq!(check_target(url, false).unwrap_err(), expected, "{url}");
        }
        let long = format!("https://x.example/{}", "a".repeat(2000));
        assert_eq!(
            check_target(&long, false).unwrap_err(),
            TargetError::TooLong
        );
    }

    #[test]
    fn ipv6_forms_of_public_ipv4_addresses_stay_public() {
        for ip in [
            "2002:5db8:d70e::1",    // 6to4 of 93.184.215.14
            "::ffff:93.184.215.14", // IPv4-mapped
            "2606:2800:220:1:248:1893:25c8:1946",
            "2a00:1450:4001:82b::200e",
        ] {
            let ip: IpAddr = ip.parse().unwrap();
            assert!(is_public(ip), "{ip}");
        }
        // What deliveries check after resolving a name: the same rule.
        for ip in ["::7f00:1", "2002:a00:1::", "fec0::1", "64:ff9b::a9fe:a9fe"] {
            let ip: IpAddr = ip.parse().unwrap();
            assert!(!is_public(ip), "{ip}");
        }
    }

    #[test]
    fn the_setting_allows_loopback_and_http_but_not_userinfo() {
        assert!(check_target("http://127.0.0.1:9000/hook", true).is_ok());
        assert!(check_target("https://localhost/", true).is_ok());
        assert_eq!(
            check_target("http://a:b@127.0.0.1/", true).unwrap_err(),
            TargetError::UserInfo
        );
        assert_eq!(
            check_target("ftp://127.0.0.1/", true).unwrap_err(),
            TargetError::NotHttps
        );
    }
}
