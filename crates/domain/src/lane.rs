//! Sender lanes: which of the server's senders a message goes out from.

/// The sender a message goes out from. Verification codes and every other message of the
/// product use the verification lane; broadcasts use a sender of their own, so a STOP sent
/// to a broadcast (which the carrier applies to that sender) never blocks a verification
/// code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Lane {
    /// Verification codes and links, invites, Secure Send, account messages, tests.
    Verification,
    /// Broadcasts.
    Broadcast,
}

impl Lane {
    /// Every lane.
    pub const ALL: &'static [Self] = &[Self::Verification, Self::Broadcast];

    /// The stored text.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Verification => "verification",
            Self::Broadcast => "broadcast",
        }
    }

    /// Parses the stored text.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|l| l.as_str() == s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_text_round_trips() {
        for lane in Lane::ALL {
            assert_eq!(Lane::parse(lane.as_str()), Some(*lane));
        }
        assert_eq!(Lane::parse("Broadcast"), None);
        assert_eq!(Lane::parse(""), None);
    }
}
