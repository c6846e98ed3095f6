//! Twilio's message statuses, as status callbacks report them.

/// A Twilio message status.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TwilioStatus {
    /// `accepted`, `queued`, `scheduled`, `sending`: Twilio has it.
    Queued,
    /// `sent`: handed to the carrier.
    Sent,
    /// `delivered`: the handset confirmed.
    Delivered,
    /// `undelivered`: the carrier could not deliver it.
    Undelivered,
    /// `failed`: it could not be sent; `canceled` counts as failed too.
    Failed,
}

/// Parses a `MessageStatus` value; `None` for statuses of inbound messages or unknown ones.
#[must_use]
pub fn parse_status(s: &str) -> Option<TwilioStatus> {
    Some(match s {
        "accepted" | "queued" | "scheduled" | "sending" => TwilioStatus::Queued,
        "sent" => TwilioStatus::Sent,
        "delivered" | "read" => TwilioStatus::Delivered,
        "undelivered" => TwilioStatus::Undelivered,
        "failed" | "canceled" => TwilioStatus::Failed,
        _ => return None,
    })
}
