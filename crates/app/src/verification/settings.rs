//! Saving the org's verification rules (Settings ▸ Verification): numbers within the ranges
//! security.md §2.4 allows, audited.

use super::VerificationError;
use crate::{App, Principal};
use countersign_domain::Permission;
use countersign_store::{ChallengeStore, VerificationSettings};

/// The form, as typed.
#[derive(Clone, Debug, Default)]
pub struct VerificationSettingsInput {
    pub code_minutes: String,
    pub link_minutes: String,
    pub per_recipient_10min: String,
    pub per_technician_hour: String,
    pub per_org_day: String,
    pub require_note_for_other: bool,
    /// The longest Secure Send/Request link: `1h`, `1d` or `7d`.
    pub secret_max_expiry: String,
}

fn number(text: &str, what: &str, min: i64, max: i64) -> Result<i64, VerificationError> {
    match text.trim().parse::<i64>() {
        Ok(n) if (min..=max).contains(&n) => Ok(n),
        _ => Err(VerificationError::Invalid(format!(
            "{what} must be a whole number from {min} to {max}"
        ))),
    }
}

impl App {
    /// Validates and saves the org's verification rules.
    ///
    /// # Errors
    /// Not an admin, a number out of range (nothing saved), or a store failure.
    pub async fn save_verification_settings(
        &self,
        by: &Principal,
        input: &VerificationSettingsInput,
    ) -> Result<VerificationSettings, VerificationError> {
        by.require(Permission::ManageSettings)?;
        let max = VerificationSettings::MAX_MINUTES;
        let s = VerificationSettings {
            org_id: by.org_id(),
            code_minutes: number(&input.code_minutes, "code validity (minutes)", 1, max)?,
            link_minutes: number(
                &input.link_minutes,
                "approve-link validity (minutes)",
                1,
                max,
            )?,
            per_recipient_10min: number(
                &input.per_recipient_10min,
                "sends per contact per 10 minutes",
                1,
                VerificationSettings::MAX_PER_RECIPIENT,
            )?,
            per_technician_hour: number(
                &input.per_technician_hour,
                "verifications per technician per hour",
                1,
                1_000_000,
            )?,
            per_org_day: number(&input.per_org_day, "verifications per day", 1, 100_000_000)?,
            require_note_for_other: input.require_note_for_other,
            // Left out (an older form): the longest, as before the setting existed.
            secret_max_hours: crate::secrets::Expiry::parse(match input.secret_max_expiry.trim() {
                "" => "7d",
                other => other,
            })
            .ok_or_else(|| {
                    VerificationError::Invalid(
                        "choose the longest a Secure Send/Request link may last: 1 hour, 1 day or 7 days".into(),
                    )
                })?
                .hours(),
            updated_at: Some(self.now()),
        };
        self.store.save_verification_settings(&s).await?;
        self.audit(
            &by.actor(),
            Some(by.org_id()),
            "verification.settings_changed",
            &by.org_id().to_string(),
            serde_json::json!({
                "code_minutes": s.code_minutes,
                "link_minutes": s.link_minutes,
                "per_recipient_10min": s.per_recipient_10min,
                "per_technician_hour": s.per_technician_hour,
                "per_org_day": s.per_org_day,
                "require_note_for_other": s.require_note_for_other,
                "secret_max_hours": s.secret_max_hours,
            }),
        )
        .await?;
        Ok(s)
    }

    /// The org's verification rules, for their page.
    ///
    /// # Errors
    /// Not allowed, or a store failure.
    pub async fn verification_settings_view(
        &self,
        by: &Principal,
    ) -> Result<VerificationSettings, VerificationError> {
        by.require(Permission::ManageSettings)?;
        Ok(self.store.verification_settings(by.org_id()).await?)
    }
}
