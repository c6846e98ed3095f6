//! Twilio's standard SMS keywords. Twilio itself blocks messages to a number that sent an
//! opt-out keyword (error 21610 afterwards); recording it lets us refuse before calling Twilio
//! and show the reason.

/// What an inbound message asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Keyword {
    /// Stop all messages (STOP, STOPALL, UNSUBSCRIBE, CANCEL, END, QUIT, REVOKE, OPTOUT).
    OptOut,
    /// Resume messages (START, YES, UNSTOP).
    OptIn,
    /// Information (HELP, INFO); Twilio answers it, we only record nothing.
    Help,
}

/// Twilio's default opt-out keywords.
const OPT_OUT: &[&str] = &[
    "STOP",
    "STOPALL",
    "STOP ALL",
    "UNSUBSCRIBE",
    "CANCEL",
    "END",
    "QUIT",
    "REVOKE",
    "OPTOUT",
    "OPT OUT",
];
/// Twilio's default opt-in keywords.
const OPT_IN: &[&str] = &["START", "YES", "UNSTOP"];
/// Twilio's default help keywords.
const HELP: &[&str] = &["HELP", "INFO"];

/// The keyword an inbound body is, if it is one. Like Twilio, the whole body (trimmed, any
/// case, trailing punctuation ignored) must be the keyword: "stop." is, "please stop" is not.
#[must_use]
pub fn classify_keyword(body: &str) -> Option<Keyword> {
    let word = body
        .trim()
        .trim_end_matches(['.', '!', '?'])
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_uppercase();
    if OPT_OUT.contains(&word.as_str()) {
        Some(Keyword::OptOut)
    } else if OPT_IN.contains(&word.as_str()) {
        Some(Keyword::OptIn)
    } else if HELP.contains(&word.as_str()) {
        Some(Keyword::Help)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords() {
        assert_eq!(classify_keyword("STOP"), Some(Keyword::OptOut));
        assert_eq!(classify_keyword("  stop. "), Some(Keyword::OptOut));
        assert_eq!(classify_keyword("Stop  all"), Some(Keyword::OptOut));
        assert_eq!(classify_keyword("unsubscribe"), Some(Keyword::OptOut));
        assert_eq!(classify_keyword("start"), Some(Keyword::OptIn));
        assert_eq!(classify_keyword("UNSTOP"), Some(Keyword::OptIn));
        assert_eq!(classify_keyword("help"), Some(Keyword::Help));
        assert_eq!(classify_keyword("please stop"), None);
        assert_eq!(classify_keyword(""), None);
    }
}
