//! The `data` of `verification.*` events, typed so that only ids and metadata can go in (no
//! code, token or unmasked destination), and the event id derived from the verification and
//! the kind, so emitting the same event twice (a retry after a crash) delivers it once.

use super::{WebhookEvent, WebhookEventKind};
use countersign_domain::{ContactId, CustomerId, OrgId, TechnicianId, Timestamp, VerificationId};

/// What a `verification.*` event says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerificationEventData {
    pub verification_id: VerificationId,
    pub contact_id: ContactId,
    pub customer_id: Option<CustomerId>,
    pub technician_id: Option<TechnicianId>,
    /// How, e.g. `sms_code`, `email_code`, `approve_link`.
    pub method: String,
    /// `sms` or `email`.
    pub channel: String,
    /// Where it stands after the event, e.g. `pending`, `verified`, `denied`, `expired`.
    pub status: String,
    /// Where the code or link went, masked (`+•••••••0101`); never the full value.
    pub destination_masked: Option<String>,
    pub requested_at: Timestamp,
    /// When it ended (verified, denied or expired); `None` while pending.
    pub completed_at: Option<Timestamp>,
}

impl VerificationEventData {
    fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "verification_id": self.verification_id,
            "contact_id": self.contact_id,
            "customer_id": self.customer_id,
            "technician_id": self.technician_id,
            "method": self.method,
            "channel": self.channel,
            "status": self.status,
            "destination": self.destination_masked,
            "requested_at": self.requested_at.rfc3339(),
            "completed_at": self.completed_at.map(Timestamp::rfc3339),
        })
    }
}

impl WebhookEvent {
    /// A `verification.*` event. Its id is derived from the verification id and the kind:
    /// emitting it again (e.g. after a crash between the verification's commit and the emit)
    /// queues nothing new.
    #[must_use]
    pub fn verification(
        kind: WebhookEventKind,
        org: OrgId,
        occurred_at: Timestamp,
        data: &VerificationEventData,
    ) -> Self {
        Self {
            kind,
            id: super::derived_event_id(&format!("{}:{}", data.verification_id, kind.as_str())),
            org,
            occurred_at,
            data: data.to_json(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data() -> VerificationEventData {
        VerificationEventData {
            verification_id: VerificationId::new(),
            contact_id: ContactId::new(),
            customer_id: Some(CustomerId::new()),
            technician_id: Some(TechnicianId::new()),
            method: "sms_code".into(),
            channel: "sms".into(),
            status: "verified".into(),
            destination_masked: Some("+•••••••0101".into()),
            requested_at: Timestamp(1_800_000_000_000),
            completed_at: Some(Timestamp(1_800_000_060_000)),
        }
    }

    #[test]
    fn the_id_is_stable_per_verification_and_kind() {
        let (org, d) = (OrgId::new(), data());
        let at = Timestamp(1_800_000_060_000);
        let a = WebhookEvent::verification(WebhookEventKind::VerificationVerified, org, at, &d);
        let again = WebhookEvent::verification(WebhookEventKind::VerificationVerified, org, at, &d);
        let other = WebhookEvent::verification(WebhookEventKind::VerificationDenied, org, at, &d);
        assert_eq!(a.id, again.id);
        assert_ne!(a.id, other.id);
        let mut d2 = d.clone();
        d2.verification_id = VerificationId::new();
        let b = WebhookEvent::verification(WebhookEventKind::VerificationVerified, org, at, &d2);
        assert_ne!(a.id, b.id);
    }

    #[test]
    fn the_body_has_the_documented_fields() {
        let d = data();
        let e = WebhookEvent::verification(
            WebhookEventKind::VerificationVerified,
            OrgId::new(),
            Timestamp(1_800_000_060_000),
            &d,
        );
        let body: serde_json::Value = serde_json::from_str(&e.body()).unwrap();
        assert_eq!(body["type"], "verification.verified");
        assert_eq!(body["id"], e.id.to_string());
        let data = &body["data"];
        for key in [
            "verification_id",
            "contact_id",
            "customer_id",
            "technician_id",
            "method",
            "channel",
            "status",
            "destination",
            "requested_at",
            "completed_at",
        ] {
            assert!(!data[key].is_null(), "{key}");
        }
        assert_eq!(data["verification_id"], d.verification_id.to_string());
        assert_eq!(data["requested_at"], "2027-01-15T08:00:00Z");
    }
}
