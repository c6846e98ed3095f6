//! The words of a broadcast (issue 20): where a broadcast stands, where each of its deliveries
//! stands, which channels it uses and why a contact opted out. The store keeps their stored
//! text, the pages their labels; both read them from here so they cannot drift.

use crate::Channel;

/// Defines a closed set of words with a stored text and a label, and the usual `ALL`,
/// `as_str`, `parse` and `label`. One macro so the three statuses below cannot differ in how
/// they parse.
macro_rules! words {
    (
        $(#[$doc:meta])*
        $name:ident { $( $(#[$vdoc:meta])* $variant:ident = $text:literal, $label:literal; )+ }
    ) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum $name {
            $( $(#[$vdoc])* $variant, )+
        }

        impl $name {
            /// Every word, in the order pages list them.
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];

            /// The stored text.
            #[must_use]
            pub fn as_str(self) -> &'static str {
                match self {
                    $( Self::$variant => $text, )+
                }
            }

            /// Parses the stored text.
            #[must_use]
            pub fn parse(s: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|w| w.as_str() == s)
            }

            /// What a page calls it.
            #[must_use]
            pub fn label(self) -> &'static str {
                match self {
                    $( Self::$variant => $label, )+
                }
            }
        }
    };
}

words! {
    /// Where a broadcast stands. It moves forward only: draft → awaiting approval → approved
    /// (the audience is frozen then; a broadcast with a later `scheduled_at` waits) →
    /// sending → completed, and may be cancelled from any state before completed.
    BroadcastStatus {
        /// Being written; its audience is a specification, not a list of recipients yet.
        Draft = "draft", "Draft";
        /// Submitted: text and audience are locked until it is approved or sent back.
        AwaitingApproval = "awaiting_approval", "Awaiting approval";
        /// Approved and frozen: the recipients are fixed. Goes out at `scheduled_at`, or at
        /// once when there is none (a page says "Scheduled" while that time is ahead).
        Approved = "approved", "Approved";
        /// Deliveries are going out.
        Sending = "sending", "Sending";
        /// Every delivery reached a final status.
        Completed = "completed", "Completed";
        /// Stopped by a technician: nothing more goes out, what went is kept.
        Cancelled = "cancelled", "Cancelled";
    }
}

impl BroadcastStatus {
    /// Whether text and audience may still change (only a draft: an approver must see exactly
    /// what goes out).
    #[must_use]
    pub fn is_editable(self) -> bool {
        self == Self::Draft
    }

    /// Whether nothing more will happen to it.
    #[must_use]
    pub fn is_final(self) -> bool {
        matches!(self, Self::Completed | Self::Cancelled)
    }
}

words! {
    /// Where one delivery (one recipient on one channel) stands.
    RecipientStatus {
        /// Frozen into the audience at approval, not handed to the queue yet.
        Pending = "pending", "Pending";
        /// Its job is on the queue.
        Queued = "queued", "Queued";
        /// The provider accepted it.
        Sent = "sent", "Sent";
        /// The provider reported it delivered.
        Delivered = "delivered", "Delivered";
        /// The provider refused it or it never arrived; the provider's error says why.
        Failed = "failed", "Failed";
        /// The contact opted out after the audience was frozen: not sent.
        OptedOut = "opted_out", "Opted out";
        /// The broadcast was cancelled before this went out.
        Cancelled = "cancelled", "Cancelled";
    }
}

impl RecipientStatus {
    /// Whether nothing more will happen to this delivery (a retry of failed ones aside).
    #[must_use]
    pub fn is_final(self) -> bool {
        !matches!(self, Self::Pending | Self::Queued)
    }
}

words! {
    /// How a contact opted out of broadcasts on one channel.
    OptOutSource {
        /// A STOP (or similar) keyword sent to the broadcast lane's number.
        StopKeyword = "stop_keyword", "Replied STOP";
        /// The one-click unsubscribe link of a broadcast email (RFC 8058).
        UnsubscribeLink = "unsubscribe_link", "Unsubscribe link";
        /// The contact source marks the contact as not to be contacted.
        ContactSource = "contact_source", "Contact source";
    }
}

/// The channels a broadcast uses: SMS, email, or both (each recipient then gets the channels
/// it has an address for).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct BroadcastChannels {
    /// Send by SMS to the contact's mobile number.
    pub sms: bool,
    /// Send by email to the contact's email address.
    pub email: bool,
}

impl BroadcastChannels {
    /// SMS only.
    pub const SMS: Self = Self {
        sms: true,
        email: false,
    };
    /// Email only.
    pub const EMAIL: Self = Self {
        sms: false,
        email: true,
    };
    /// Both channels.
    pub const BOTH: Self = Self {
        sms: true,
        email: true,
    };

    /// The stored text: `sms`, `email` or `sms,email` (never empty: a broadcast without a
    /// channel cannot be stored).
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match (self.sms, self.email) {
            (true, true) => "sms,email",
            (false, true) => "email",
            // A value with neither is refused by `parse` and by the forms; stored as SMS it
            // would at least be visible, never silently broad.
            _ => "sms",
        }
    }

    /// Parses the stored text.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "sms" => Some(Self::SMS),
            "email" => Some(Self::EMAIL),
            "sms,email" => Some(Self::BOTH),
            _ => None,
        }
    }

    /// Whether the broadcast uses `channel`.
    #[must_use]
    pub fn uses(self, channel: Channel) -> bool {
        match channel {
            Channel::Sms => self.sms,
            Channel::Email => self.email,
        }
    }

    /// What a page calls it.
    #[must_use]
    pub fn label(self) -> &'static str {
        match (self.sms, self.email) {
            (true, true) => "SMS and email",
            (false, true) => "Email",
            _ => "SMS",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_words_round_trip_and_unknown_words_are_refused() {
        for s in BroadcastStatus::ALL {
            assert_eq!(BroadcastStatus::parse(s.as_str()), Some(*s));
        }
        for s in RecipientStatus::ALL {
            assert_eq!(RecipientStatus::parse(s.as_str()), Some(*s));
        }
        for s in OptOutSource::ALL {
            assert_eq!(OptOutSource::parse(s.as_str()), Some(*s));
        }
        assert_eq!(BroadcastStatus::parse("scheduled"), None);
        assert_eq!(RecipientStatus::parse("Sent"), None, "stored text is exact");
        assert_eq!(OptOutSource::parse(""), None);
    }

    #[test]
    fn only_drafts_are_editable_and_only_completed_or_cancelled_are_final() {
        let editable: Vec<_> = BroadcastStatus::ALL
            .iter()
            .filter(|s| s.is_editable())
            .collect();
        assert_eq!(editable, vec![&BroadcastStatus::Draft]);
        let done: Vec<_> = BroadcastStatus::ALL
            .iter()
            .filter(|s| s.is_final())
            .collect();
        assert_eq!(
            done,
            vec![&BroadcastStatus::Completed, &BroadcastStatus::Cancelled]
        );
        assert!(!RecipientStatus::Queued.is_final());
        assert!(RecipientStatus::OptedOut.is_final());
    }

    #[test]
    fn channels_round_trip_and_say_which_they_use() {
        for c in [
            BroadcastChannels::SMS,
            BroadcastChannels::EMAIL,
            BroadcastChannels::BOTH,
        ] {
            assert_eq!(BroadcastChannels::parse(c.as_str()), Some(c));
        }
        assert_eq!(BroadcastChannels::parse("email,sms"), None);
        assert_eq!(BroadcastChannels::parse(""), None);
        assert!(BroadcastChannels::BOTH.uses(Channel::Email));
        assert!(!BroadcastChannels::SMS.uses(Channel::Email));
    }
}
