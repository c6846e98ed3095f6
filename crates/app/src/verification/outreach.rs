//! What an MSP hands its clients so they can check a technician (issue 21.4): the public
//! "check a technician" page's address (built from the configured public URL, never a
//! request's Host header, so a forged Host cannot put another site's address on a printed
//! sheet), the org's branding, and the verification policy the org actually applies: which
//! channels this server can send on and the org's own rules (Settings ▸ Verification).

use super::VerificationError;
use crate::settings::MessagingTransport;
use crate::{App, Principal};
use countersign_domain::Permission;
use countersign_messaging::Brand;
use countersign_store::{ChallengeStore, GraphMailStore, OrgStore};

/// The org's verification policy, as the client-facing sheet states it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerificationPolicy {
    /// Codes and approve links can go by SMS (Twilio configured, or the Outbox).
    pub sms: bool,
    /// Approve links can go by email (SMTP, the org's Microsoft 365 mailbox, or the Outbox).
    pub email: bool,
    /// Minutes an SMS code works.
    pub code_minutes: i64,
    /// Minutes an approve link works.
    pub link_minutes: i64,
    /// Whether verifying someone other than the caller needs a written reason.
    pub note_for_other: bool,
    /// The longest a Secure Send/Request link lives, in hours.
    pub secret_max_hours: i64,
}

/// Settings ▸ Technician verification, and what the sheet and the email template show.
#[derive(Clone, Debug)]
pub struct TechnicianOutreachView {
    /// The org's name.
    pub org_name: String,
    /// The full address of the public check page.
    pub check_url: String,
    /// That address as a QR code: an inline `<svg>` with no script, reference or text of its
    /// own (`countersign_crypto::qr_svg`, as TOTP enrolment uses).
    pub check_qr_svg: String,
    /// The org's brand, safe to put in attributes: a `#rrggbb` colour and an https logo URL
    /// (or none).
    pub brand: Brand,
    pub policy: VerificationPolicy,
}

impl App {
    /// The check page's address, the brand and the policy of `by`'s org (`ManageSettings`).
    ///
    /// # Errors
    /// Without the permission, or a store failure.
    pub async fn technician_outreach_view(
        &self,
        by: &Principal,
    ) -> Result<TechnicianOutreachView, VerificationError> {
        by.require(Permission::ManageSettings)?;
        let org_id = by.org_id();
        let (org, rules, graph_mail, brand) = tokio::join!(
            self.store.org(org_id),
            self.store.verification_settings(org_id),
            self.store.graph_mail(org_id),
            crate::messages::brand_of(self, org_id)
        );
        let (org, rules) = (org?, rules?);
        let outbox = self.settings.messaging.transport == MessagingTransport::Outbox;
        let brand = brand?.sanitised();
        let check_url = format!(
            "{}/t/{}/verify-technician",
            self.settings.public_base(),
            org.slug
        );
        Ok(TechnicianOutreachView {
            check_qr_svg: countersign_crypto::qr_svg(&check_url),
            check_url,
            org_name: org.name,
            brand,
            policy: VerificationPolicy {
                sms: outbox || self.settings.twilio.is_configured(),
                email: outbox || self.settings.smtp.is_configured() || graph_mail?.is_some(),
                code_minutes: rules.code_minutes,
                link_minutes: rules.link_minutes,
                note_for_other: rules.require_note_for_other,
                secret_max_hours: rules.secret_max_hours,
            },
        })
    }
}
