//! The org's Pod settings and the "Pod only" permission (admins only, audited).
//!
//! Frame ancestors end up inside the Pod's `Content-Security-Policy` header, so each must be
//! exactly an origin (`https://host[:port]`, the host may start with `*.`): anything else (a
//! `;`, a quote, a keyword) could add directives to the policy.

use super::ContactError;
use crate::{App, Principal};
use countersign_domain::{Permission, TechnicianId};
use countersign_store::{PodSettings, PodStore, TechnicianStore};
use serde_json::json;

/// Most frame ancestors an org may list.
const MAX_ANCESTORS: usize = 20;

/// The Pod settings form as typed.
#[derive(Clone, Debug, Default)]
pub struct PodSettingsInput {
    /// One origin per line (or separated by spaces or commas).
    pub frame_ancestors: String,
    pub verified_window_minutes: String,
    pub history_length: String,
}

/// Parses one allowed frame ancestor: `https://host[:port]` (host may start with `*.`),
/// lowercased, or `http://localhost[:port]` for testing a PSA on one's own machine.
///
/// # Errors
/// The text is not such an origin.
pub fn parse_frame_ancestor(raw: &str) -> Result<String, ContactError> {
    let bad = || {
        ContactError::Setting(format!(
            "{raw:?} is not an origin: write it like https://psa.example.com (https, a host name, optionally *. and a port, no path)"
        ))
    };
    let lower = raw.trim().trim_end_matches('/').to_ascii_lowercase();
    let (scheme, rest) = lower.split_once("://").ok_or_else(bad)?;
    let (host, port) = match rest.rsplit_once(':') {
        Some((h, p)) => (h, Some(p)),
        None => (rest, None),
    };
    if let Some(p) = port
        && (p.is_empty() || p.len() > 5 || !p.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(bad());
    }
    let bare = host.strip_prefix("*.").unwrap_or(host);
    let host_ok = !bare.is_empty()
        && bare.len() <= 253
        && bare
            .split('.')
            .all(|l| !l.is_empty() && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'));
    let scheme_ok = scheme == "https" || (scheme == "http" && host == "localhost");
    if host_ok && scheme_ok {
        Ok(lower)
    } else {
        Err(bad())
    }
}

fn parse_number(raw: &str, what: &str, min: i64, max: i64) -> Result<i64, ContactError> {
    raw.trim()
        .parse::<i64>()
        .ok()
        .filter(|n| (min..=max).contains(n))
        .ok_or_else(|| {
            ContactError::Setting(format!("{what} is a whole number from {min} to {max}"))
        })
}

impl App {
    /// Saves the org's Pod settings.
    ///
    /// # Errors
    /// Not an admin, a malformed value (nothing is saved), or a store failure.
    pub async fn save_pod_settings(
        &self,
        by: &Principal,
        input: &PodSettingsInput,
    ) -> Result<PodSettings, ContactError> {
        by.require(Permission::ManageSettings)?;
        let mut ancestors = Vec::new();
        for raw in input
            .frame_ancestors
            .split(|c: char| c.is_whitespace() || c == ',')
            .filter(|s| !s.is_empty())
        {
            let origin = parse_frame_ancestor(raw)?;
            if !ancestors.contains(&origin) {
                ancestors.push(origin);
            }
        }
        if ancestors.len() > MAX_ANCESTORS {
            return Err(ContactError::Setting(format!(
                "list at most {MAX_ANCESTORS} origins"
            )));
        }
        let settings = PodSettings {
            org_id: by.org_id(),
            frame_ancestors: ancestors,
            verified_window_minutes: parse_number(
                &input.verified_window_minutes,
                "the verified window (minutes)",
                1,
                1440,
            )?,
            history_length: parse_number(&input.history_length, "the history length", 1, 100)?,
            updated_at: Some(self.now()),
        };
        self.store.save_pod_settings(&settings).await?;
        self.audit(
            &by.actor(),
            None,
            "pod.settings_changed",
            &by.org_id().to_string(),
            json!({
                "frame_ancestors": settings.frame_ancestors,
                "verified_window_minutes": settings.verified_window_minutes,
                "history_length": settings.history_length,
            }),
        )
        .await?;
        Ok(settings)
    }

    /// Restricts a technician to the Pod, or gives them the whole UI again.
    ///
    /// # Errors
    /// Not an admin, not found, or a store failure.
    pub async fn set_pod_only(
        &self,
        by: &Principal,
        id: TechnicianId,
        pod_only: bool,
    ) -> Result<(), ContactError> {
        by.require(Permission::ManageTechnicians)?;
        self.store.technician(by.org_id(), id).await?;
        self.store.set_pod_only(by.org_id(), id, pod_only).await?;
        self.audit(
            &by.actor(),
            None,
            "technician.pod_only_changed",
            &id.to_string(),
            json!({ "pod_only": pod_only }),
        )
        .await?;
        Ok(())
    }

    /// The org's Pod settings, for their page.
    ///
    /// # Errors
    /// Not allowed, or a store failure.
    pub async fn pod_settings_view(&self, by: &Principal) -> Result<PodSettings, ContactError> {
        by.require(Permission::ManageSettings)?;
        Ok(self.store.pod_settings(by.org_id()).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frame_ancestors_are_origins_only() {
        assert_eq!(
            parse_frame_ancestor("https://PSA.example.com/").unwrap(),
            "https://psa.example.com"
        );
        assert!(parse_frame_ancestor("https://*.halopsa.com").is_ok());
        assert!(parse_frame_ancestor("https://psa.example:8443").is_ok());
        assert!(parse_frame_ancestor("http://localhost:3000").is_ok());
        for bad in [
            "psa.example.com",
            "http://psa.example.com",
            "https://psa.example.com/path",
            "https://a.example; script-src *",
            "'self'",
            "*",
            "https://",
            "https://a..b",
            "https://a.example:x",
        ] {
            assert!(parse_frame_ancestor(bad).is_err(), "{bad}");
        }
    }
}
