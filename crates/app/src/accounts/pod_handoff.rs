//! The Pod inside a PSA's iframe (docs/security.md "The Pod inside a PSA"). In a cross-site
//! frame the technician's Lax session cookie is not sent, so a signed-in technician hands
//! their identity over from a top-level window: a one-time code (256 bits, only its SHA-256
//! stored, 60 seconds, bound to org, technician and the PSA origin) that the framed Pod trades
//! for a session of stage `pod`, accepted on the Pod's routes only.

use crate::audit::Actor;
use crate::contacts::parse_frame_ancestor;
use crate::{App, Denied, Principal};
use countersign_crypto::{hash_token, random_token};
use countersign_domain::{OrgId, Permission};
use countersign_store::{
    PodHandoff, PodHandoffStore, PodStore, Session, SessionStage, StoreError, TechnicianStore,
};
use serde_json::json;
use std::time::Duration;

/// How long a handoff code works.
pub const POD_HANDOFF_LIFETIME: Duration = Duration::from_secs(60);

/// Why a handoff was refused. The messages are shown to the technician as they are.
#[derive(Debug, thiserror::Error)]
pub enum PodHandoffError {
    #[error(
        "{0:?} is not the origin of a PSA page: it must look like https://psa.example.com (no path, no wildcard)"
    )]
    BadOrigin(String),
    #[error(
        "your organisation does not allow the Pod inside {0}: an admin can add it under Settings ▸ Pod"
    )]
    NotAllowed(String),
    #[error("this sign-in code is malformed: sign in again from the Pod")]
    Malformed,
    #[error("this sign-in code was already used or does not exist: sign in again from the Pod")]
    Unknown,
    #[error("this sign-in code expired (codes work for 60 seconds): sign in again from the Pod")]
    Expired,
    #[error("this sign-in code was made for another site: sign in again from the Pod")]
    WrongOrigin,
    #[error(transparent)]
    Denied(#[from] Denied),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Parses the origin of the page that frames the Pod: exactly one origin, as the allowed
/// frame ancestors are written, without a wildcard.
///
/// # Errors
/// The text is not such an origin.
pub fn parse_frame_origin(raw: &str) -> Result<String, PodHandoffError> {
    let shown: String = raw.chars().take(100).collect();
    match parse_frame_ancestor(raw) {
        Ok(o) if !o.contains('*') && raw.trim() == raw && !raw.ends_with('/') => Ok(o),
        _ => Err(PodHandoffError::BadOrigin(shown)),
    }
}

/// Whether an allowed frame ancestor (`https://psa.example`, `https://*.psa.example`, with an
/// optional port) matches `origin` the way the CSP `frame-ancestors` directive does: a
/// wildcard covers subdomains only, and the ports must be the same.
#[must_use]
pub fn ancestor_matches(pattern: &str, origin: &str) -> bool {
    let split = |s: &str| -> Option<(String, String, String)> {
        let (scheme, rest) = s.split_once("://")?;
        let (host, port) = match rest.rsplit_once(':') {
            Some((h, p)) => (h.to_owned(), p.to_owned()),
            None => (rest.to_owned(), String::new()),
        };
        Some((scheme.to_owned(), host, port))
    };
    let (Some((ps, ph, pp)), Some((os, oh, op))) = (split(pattern), split(origin)) else {
        return false;
    };
    if ps != os || pp != op {
        return false;
    }
    match ph.strip_prefix("*.") {
        Some(suffix) => oh
            .strip_suffix(suffix)
            .and_then(|head| head.strip_suffix('.'))
            .is_some_and(|head| !head.is_empty()),
        None => ph == oh,
    }
}

/// A usable code: our own tokens are 43 base64url characters.
fn well_formed(code: &str) -> bool {
    code.len() == 43
        && code
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

impl App {
    /// Whether the technician's org lets `origin` frame the Pod.
    async fn org_allows(&self, org: OrgId, origin: &str) -> Result<bool, StoreError> {
        let settings = self.store.pod_settings(org).await?;
        Ok(settings
            .frame_ancestors
            .iter()
            .any(|a| ancestor_matches(a, origin)))
    }

    /// Checks a frame origin for the `/pod/connect` window: well formed and allowed by the
    /// technician's org. Returns it normalised.
    ///
    /// # Errors
    /// Malformed or not allowed; the store failed.
    pub async fn check_frame_origin(
        &self,
        by: &Principal,
        raw: &str,
    ) -> Result<String, PodHandoffError> {
        // Handing oneself over to the Pod makes a session of one's own.
        by.require(Permission::ManageOwnAccount)?;
        let origin = parse_frame_origin(raw)?;
        if self.org_allows(by.org_id(), &origin).await? {
            Ok(origin)
        } else {
            Err(PodHandoffError::NotAllowed(origin))
        }
    }

    /// Makes a one-time code that hands `technician` (fully signed in) over to the Pod framed
    /// by `frame_origin`. Returns the code, shown once; only its SHA-256 is stored.
    ///
    /// # Errors
    /// The origin is malformed or not allowed by the org; the store failed.
    pub async fn create_pod_handoff(
        &self,
        by: &Principal,
        frame_origin: &str,
    ) -> Result<String, PodHandoffError> {
        let origin = self.check_frame_origin(by, frame_origin).await?;
        // Only a technician has a Pod to be handed over to.
        let technician = by.technician_id().ok_or(PodHandoffError::Unknown)?;
        let (code, hash) = random_token();
        let now = self.now();
        self.store
            .create_pod_handoff(&PodHandoff {
                code_hash: hash.to_vec(),
                org_id: by.org_id(),
                technician_id: technician,
                frame_origin: origin.clone(),
                created_at: now,
                expires_at: now.plus(POD_HANDOFF_LIFETIME),
            })
            .await?;
        self.audit(
            &by.actor(),
            None,
            "pod.handoff_created",
            &technician.to_string(),
            json!({ "frame_origin": origin }),
        )
        .await?;
        Ok(code)
    }

    /// Trades a handoff code for a Pod session (stage `pod`). The code is deleted whatever
    /// happens next; it must be unexpired, made for `frame_origin`, of an active technician
    /// whose org still allows that origin. Returns the session token (for the Pod's cookie).
    ///
    /// # Errors
    /// The code or origin is refused (a [`PodHandoffError`] with the reason); the store
    /// failed.
    pub async fn redeem_pod_handoff(
        &self,
        code: &str,
        frame_origin: &str,
        ip: &str,
        user_agent: &str,
    ) -> Result<(String, Session), PodHandoffError> {
        if !well_formed(code) {
            return Err(PodHandoffError::Malformed);
        }
        let origin = parse_frame_origin(frame_origin)?;
        let Some(h) = self.store.take_pod_handoff(&hash_token(code)).await? else {
            return Err(PodHandoffError::Unknown);
        };
        let technician = match self.store.technician(h.org_id, h.technician_id).await {
            Ok(t) if t.active => t,
            Ok(_) | Err(StoreError::NotFound) => return Err(PodHandoffError::Unknown),
            Err(e) => return Err(e.into()),
        };
        let actor = Actor::technician(&technician, Some(ip.to_owned()));
        let refusal = if self.now() >= h.expires_at {
            Some(("expired", PodHandoffError::Expired))
        } else if origin != h.frame_origin {
            Some(("wrong_origin", PodHandoffError::WrongOrigin))
        } else if !self.org_allows(technician.org_id, &origin).await? {
            Some(("not_allowed", PodHandoffError::NotAllowed(origin.clone())))
        } else {
            None
        };
        if let Some((reason, e)) = refusal {
            self.audit(
                &actor,
                None,
                "pod.handoff_refused",
                &technician.id.to_string(),
                json!({ "reason": reason }),
            )
            .await?;
            return Err(e);
        }
        let (token, session) = self
            .start_session(&technician, SessionStage::Pod, ip, user_agent)
            .await?;
        self.audit(
            &actor,
            None,
            "pod.session_started",
            &session.id.to_string(),
            json!({ "technician_id": technician.id.to_string(), "frame_origin": origin }),
        )
        .await?;
        Ok((token, session))
    }
}

impl crate::UseCaseError for PodHandoffError {
    fn kind(&self) -> crate::ErrorKind {
        use crate::{ErrorKind as K, Refusal};
        match self {
            Self::BadOrigin(_) | Self::Malformed => K::Invalid,
            Self::NotAllowed(_) | Self::WrongOrigin => K::Forbidden(Refusal::Permission),
            Self::Unknown | Self::Expired => K::Gone,
            Self::Denied(e) => crate::UseCaseError::kind(e),
            Self::Store(e) => crate::UseCaseError::kind(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_match_like_frame_ancestors() {
        assert!(ancestor_matches(
            "https://psa.example",
            "https://psa.example"
        ));
        assert!(!ancestor_matches(
            "https://psa.example",
            "http://psa.example"
        ));
        assert!(!ancestor_matches(
            "https://psa.example",
            "https://psa.example:8443"
        ));
        assert!(ancestor_matches(
            "https://*.halo.example",
            "https://acme.halo.example"
        ));
        assert!(ancestor_matches(
            "https://*.halo.example",
            "https://a.b.halo.example"
        ));
        assert!(!ancestor_matches(
            "https://*.halo.example",
            "https://halo.example"
        ));
        assert!(!ancestor_matches(
            "https://*.halo.example",
            "https://evilhalo.example"
        ));
        assert!(ancestor_matches(
            "http://localhost:3000",
            "http://localhost:3000"
        ));
    }

    #[test]
    fn frame_origins_are_single_origins() {
        assert_eq!(
            parse_frame_origin("https://PSA.example").unwrap(),
            "https://psa.example"
        );
        for bad in [
            "",
            "psa.example",
            "https://*.psa.example",
            "https://psa.example/",
            "https://psa.example/x",
            "http://psa.example",
            "https://psa.example; script-src *",
            " https://psa.example",
        ] {
            assert!(parse_frame_origin(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn codes_have_our_shape() {
        assert!(well_formed(&random_token().0));
        assert!(!well_formed("short"));
        assert!(!well_formed(&format!("{}=", "a".repeat(42))));
    }
}
