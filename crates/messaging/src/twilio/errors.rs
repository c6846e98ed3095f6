//! Twilio error codes (<https://www.twilio.com/docs/api/errors>) in words an MSP technician can
//! act on.

/// A clear message for the Twilio error codes Countersign meets; `None` for others.
#[must_use]
pub fn describe_error_code(code: i64) -> Option<&'static str> {
    Some(match code {
        20003 => {
            "Twilio refused the credentials: check twilio.account_sid and the auth token or API key"
        }
        20404 => "Twilio does not know this account or resource: check twilio.account_sid",
        20429 | 14107 => "Twilio is rate-limiting this account; the message will be retried",
        21211 => "the number is not a valid phone number (Twilio 21211)",
        21212 => "the sending number is not valid: check twilio.from_number (Twilio 21212)",
        21408 => {
            "this account may not send SMS to that country: enable it in Twilio's geo permissions (Twilio 21408)"
        }
        21602 => "the message has no text (Twilio 21602)",
        21606 => "the sending number cannot send SMS or is not on this account (Twilio 21606)",
        21608 => "a trial account can only send to verified numbers (Twilio 21608)",
        21610 => {
            "the recipient has opted out by replying STOP; they must reply START to receive messages again (Twilio 21610)"
        }
        21612 => "Twilio cannot route a message between these two numbers (Twilio 21612)",
        21614 => "the number is not a mobile number and cannot receive SMS (Twilio 21614)",
        21617 => "the message is too long (Twilio 21617)",
        30003 => "the handset is switched off or unreachable (Twilio 30003)",
        30004 => "the recipient's carrier or phone blocked the message (Twilio 30004)",
        30005 => "the number does not exist or is no longer in service (Twilio 30005)",
        30006 => "the number is a landline or cannot receive SMS (Twilio 30006)",
        30007 => "the carrier filtered the message as spam (Twilio 30007)",
        30008 => "the carrier reported an unknown error (Twilio 30008)",
        _ => return None,
    })
}

/// Codes that describe a passing condition (rate limits), worth a retry even though Twilio
/// answers with a 4xx.
#[must_use]
pub fn is_retryable_code(code: i64) -> bool {
    matches!(code, 20429 | 14107)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_codes() {
        assert!(
            describe_error_code(21211)
                .unwrap()
                .contains("not a valid phone number")
        );
        assert!(describe_error_code(21610).unwrap().contains("opted out"));
        assert_eq!(describe_error_code(99999), None);
        assert!(is_retryable_code(20429));
        assert!(!is_retryable_code(21211));
    }
}
