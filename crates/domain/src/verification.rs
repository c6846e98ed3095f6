//! How a contact was verified and where a verification stands: the words every layer uses
//! (the store keeps their stored text, the Pod their labels).

/// How a contact was verified.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VerificationMethod {
    /// A one-time code sent by SMS, read back to the technician.
    SmsCode,
    /// A one-time code sent by email.
    EmailCode,
    /// An approve link (with number matching) sent by SMS.
    SmsLink,
    /// An approve link (with number matching) sent by email.
    EmailLink,
    /// The contact verified the technician ("this is me" message).
    TechnicianVerification,
}

impl VerificationMethod {
    /// Every method.
    pub const ALL: [Self; 5] = [
        Self::SmsCode,
        Self::EmailCode,
        Self::SmsLink,
        Self::EmailLink,
        Self::TechnicianVerification,
    ];

    /// The stored text.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SmsCode => "sms_code",
            Self::EmailCode => "email_code",
            Self::SmsLink => "sms_link",
            Self::EmailLink => "email_link",
            Self::TechnicianVerification => "technician_verification",
        }
    }

    /// Parses the stored text.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// What the Pod calls it.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Self::SmsCode => "SMS code",
            Self::EmailCode => "email code",
            Self::SmsLink => "SMS approve link",
            Self::EmailLink => "email approve link",
            Self::TechnicianVerification => "technician verification",
        }
    }
}

/// Where a verification stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VerificationStatus {
    /// Sent, not answered yet.
    Pending,
    /// The contact proved who they are.
    Verified,
    /// A wrong code or a refused approval.
    Failed,
    /// Not answered in time.
    Expired,
    /// The contact answered "This wasn't me".
    Denied,
    /// A message that asks nothing back ("who I am").
    Sent,
}

impl VerificationStatus {
    /// Every status.
    pub const ALL: [Self; 6] = [
        Self::Pending,
        Self::Verified,
        Self::Failed,
        Self::Expired,
        Self::Denied,
        Self::Sent,
    ];

    /// The stored text.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Verified => "verified",
            Self::Failed => "failed",
            Self::Expired => "expired",
            Self::Denied => "denied",
            Self::Sent => "sent",
        }
    }

    /// Parses the stored text.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}
