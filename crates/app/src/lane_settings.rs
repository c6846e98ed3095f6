//! The two sender lanes (issue 20): which sender each lane's messages go out from, and the
//! start-up checks of the broadcast lane's keys.
//!
//! The verification lane (verification codes and links, invites, Secure Send, account
//! messages) sends from `twilio.from_number` / `twilio.messaging_service_sid` and
//! `smtp.from_address`. The broadcast lane sends SMS from `twilio.broadcast_from_number` /
//! `twilio.broadcast_messaging_service_sid` and email from `smtp.broadcast_from_address`, with
//! `smtp.broadcast_reply_to`. Both lanes share the Twilio account and the SMTP relay.
//!
//! Falling back: Twilio applies a STOP to the sender it was sent to (a number, or every number
//! of a Messaging Service). A broadcast sent from the verification sender would let a STOP to
//! it block verification codes, so the SMS sender never falls back: without a broadcast
//! sender there are no SMS broadcasts, and a broadcast sender equal to the verification one
//! is refused at start-up. Email has no STOP (a broadcast's unsubscribe link is ours and opts
//! out of broadcasts only), so the broadcast From falls back to `smtp.from_address` and the
//! Reply-To to the org's branding, as on the verification lane.

use crate::settings::{Settings, SettingsError};
use countersign_domain::{Email, Lane};
use countersign_messaging::{TwilioSenderId, parse_e164};

/// What a broadcast's SMS cannot go out without, in words for the person who configures the
/// server.
pub const NO_BROADCAST_SMS_SENDER: &str = "no broadcast SMS sender is configured on this \
     server: set twilio.broadcast_from_number (+E.164) or \
     twilio.broadcast_messaging_service_sid (MG…) to a sender other than the verification one";

impl Settings {
    /// The Twilio sender of `lane`, `None` when the lane has none (Twilio not configured, or
    /// no broadcast sender).
    #[must_use]
    pub fn sms_sender(&self, lane: Lane) -> Option<TwilioSenderId> {
        let t = &self.twilio;
        if !t.is_configured() {
            return None;
        }
        let (number, service) = match lane {
            Lane::Verification => (&t.from_number, &t.messaging_service_sid),
            Lane::Broadcast => (&t.broadcast_from_number, &t.broadcast_messaging_service_sid),
        };
        if !number.is_empty() {
            Some(TwilioSenderId::From(
                parse_e164(number).unwrap_or_else(|_| number.clone()),
            ))
        } else if !service.is_empty() {
            Some(TwilioSenderId::MessagingService(service.clone()))
        } else {
            None
        }
    }

    /// The email From address of `lane` (empty when SMTP is not configured).
    #[must_use]
    pub fn email_from(&self, lane: Lane) -> &str {
        let s = &self.smtp;
        match lane {
            Lane::Broadcast if !s.broadcast_from_address.is_empty() => &s.broadcast_from_address,
            _ => &s.from_address,
        }
    }

    /// The Reply-To the server sets for `lane`; `None`: the org's branding decides.
    #[must_use]
    pub fn email_reply_to(&self, lane: Lane) -> Option<&str> {
        match lane {
            Lane::Broadcast if !self.smtp.broadcast_reply_to.is_empty() => {
                Some(&self.smtp.broadcast_reply_to)
            }
            _ => None,
        }
    }

    /// Which lane an inbound message came in on, from what Twilio posts: `MessagingServiceSid`
    /// (present when the receiving number belongs to a Messaging Service) or `To` (the number
    /// that received it). Anything that is not the broadcast sender is the verification
    /// lane, as before lanes existed.
    #[must_use]
    pub fn inbound_lane(&self, to: Option<&str>, messaging_service_sid: Option<&str>) -> Lane {
        let t = &self.twilio;
        let service = !t.broadcast_messaging_service_sid.is_empty()
            && messaging_service_sid == Some(t.broadcast_messaging_service_sid.as_str());
        let number = !t.broadcast_from_number.is_empty()
            && to.and_then(|n| parse_e164(n).ok()) == parse_e164(&t.broadcast_from_number).ok();
        if service || number {
            Lane::Broadcast
        } else {
            Lane::Verification
        }
    }

    /// Checks the broadcast lane's keys against each other and the verification lane's.
    pub(crate) fn validate_lanes(&self) -> Result<(), SettingsError> {
        const NUMBER: &str = "twilio.broadcast_from_number";
        const SERVICE: &str = "twilio.broadcast_messaging_service_sid";
        let t = &self.twilio;
        let (number, service) = (&t.broadcast_from_number, &t.broadcast_messaging_service_sid);
        if !number.is_empty() && !service.is_empty() {
            return Err(SettingsError::new(
                NUMBER,
                "set one of broadcast_from_number (+E.164) and broadcast_messaging_service_sid \
                 (MG…), not both",
            ));
        }
        if (!number.is_empty() || !service.is_empty()) && !t.is_configured() {
            return Err(SettingsError::new(
                "twilio.account_sid",
                "a broadcast sender is set but Twilio is not: set account_sid and auth_token \
                 (the broadcast lane uses the same account as the verification lane)",
            ));
        }
        if !number.is_empty() {
            let Ok(broadcast) = parse_e164(number) else {
                return Err(SettingsError::new(
                    NUMBER,
                    "must be in international form, e.g. +14155550123",
                ));
            };
            if parse_e164(&t.from_number).is_ok_and(|v| v == broadcast) {
                return Err(SettingsError::new(
                    NUMBER,
                    "must differ from twilio.from_number: Twilio applies a STOP to the number \
                     it was sent to, so a STOP to a broadcast would block verification codes",
                ));
            }
        }
        if !service.is_empty() {
            if !service.starts_with("MG") {
                return Err(SettingsError::new(
                    SERVICE,
                    "must be a Messaging Service SID from the Twilio console (MG…)",
                ));
            }
            if *service == t.messaging_service_sid {
                return Err(SettingsError::new(
                    SERVICE,
                    "must differ from twilio.messaging_service_sid: Twilio applies a STOP to \
                     every number of the service, so a STOP to a broadcast would block \
                     verification codes",
                ));
            }
        }
        let s = &self.smtp;
        if !s.broadcast_from_address.is_empty() {
            if !s.is_configured() {
                return Err(SettingsError::new(
                    "smtp.host",
                    "smtp.broadcast_from_address is set but no SMTP relay is: set host, or \
                     leave broadcast_from_address empty",
                ));
            }
            if Email::parse(&s.broadcast_from_address).is_err() {
                return Err(SettingsError::new(
                    "smtp.broadcast_from_address",
                    "must be the email address broadcasts are sent from (empty: from_address)",
                ));
            }
        }
        if !s.broadcast_reply_to.is_empty() && Email::parse(&s.broadcast_reply_to).is_err() {
            return Err(SettingsError::new(
                "smtp.broadcast_reply_to",
                "must be the email address replies to broadcasts go to (empty: the org's \
                 branding Reply-To)",
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Valid settings with Twilio and SMTP configured and no broadcast sender.
    fn live() -> Settings {
        let mut s = Settings::default();
        s.twilio.account_sid = "AC123".into();
        s.twilio.auth_token = "t".into();
        s.twilio.from_number = "+15005550006".into();
        s.smtp.host = "mail.example.com".into();
        s.smtp.from_address = "codes@msp.example".into();
        s.validate().unwrap();
        s
    }

    /// The key and message of the first invalid setting.
    fn refused(s: &Settings) -> (String, String) {
        let e = s.validate().unwrap_err();
        (e.key, e.message)
    }

    #[test]
    fn without_a_broadcast_sender_there_is_no_broadcast_sms_and_email_falls_back() {
        let s = live();
        assert_eq!(
            s.sms_sender(Lane::Verification),
            Some(TwilioSenderId::From("+15005550006".into()))
        );
        assert_eq!(
            s.sms_sender(Lane::Broadcast),
            None,
            "never the verification sender"
        );
        assert_eq!(s.email_from(Lane::Broadcast), "codes@msp.example");
        assert_eq!(s.email_reply_to(Lane::Broadcast), None);
        assert_eq!(s.email_reply_to(Lane::Verification), None);
    }

    #[test]
    fn each_lane_has_its_own_sender() {
        let mut s = live();
        s.twilio.messaging_service_sid = "MGverify".into();
        s.twilio.from_number = String::new();
        s.twilio.broadcast_from_number = "+15005550007".into();
        s.smtp.broadcast_from_address = "news@msp.example".into();
        s.smtp.broadcast_reply_to = "helpdesk@msp.example".into();
        s.validate().unwrap();
        assert_eq!(
            s.sms_sender(Lane::Verification),
            Some(TwilioSenderId::MessagingService("MGverify".into()))
        );
        assert_eq!(
            s.sms_sender(Lane::Broadcast),
            Some(TwilioSenderId::From("+15005550007".into()))
        );
        assert_eq!(s.email_from(Lane::Verification), "codes@msp.example");
        assert_eq!(s.email_from(Lane::Broadcast), "news@msp.example");
        assert_eq!(
            s.email_reply_to(Lane::Broadcast),
            Some("helpdesk@msp.example")
        );
        s.twilio.broadcast_from_number = String::new();
        s.twilio.broadcast_messaging_service_sid = "MGnews".into();
        s.validate().unwrap();
        assert_eq!(
            s.sms_sender(Lane::Broadcast),
            Some(TwilioSenderId::MessagingService("MGnews".into()))
        );
    }

    #[test]
    fn inbound_messages_name_their_lane_by_to_or_messaging_service() {
        let mut s = live();
        assert_eq!(
            s.inbound_lane(Some("+15005550006"), None),
            Lane::Verification
        );
        s.twilio.broadcast_from_number = "+15005550007".into();
        assert_eq!(s.inbound_lane(Some("+15005550007"), None), Lane::Broadcast);
        assert_eq!(
            s.inbound_lane(Some("+15005550006"), None),
            Lane::Verification
        );
        assert_eq!(s.inbound_lane(None, None), Lane::Verification);
        s.twilio.broadcast_from_number = String::new();
        s.twilio.broadcast_messaging_service_sid = "MGnews".into();
        assert_eq!(
            s.inbound_lane(Some("+15005550099"), Some("MGnews")),
            Lane::Broadcast
        );
        assert_eq!(
            s.inbound_lane(Some("+15005550099"), Some("MGverify")),
            Lane::Verification
        );
        // An unset broadcast sender matches nothing, not even an empty parameter.
        s.twilio.broadcast_messaging_service_sid = String::new();
        assert_eq!(s.inbound_lane(Some(""), Some("")), Lane::Verification);
    }

    #[test]
    fn bad_lane_configuration_is_refused_naming_the_key() {
        let mut s = live();
        s.twilio.broadcast_from_number = "+1 500 555 0006".into();
        let (key, message) = refused(&s);
        assert_eq!(key, "twilio.broadcast_from_number");
        assert!(
            message.contains("must differ from twilio.from_number"),
            "{message}"
        );

        s.twilio.broadcast_from_number = "0500".into();
        let (key, message) = refused(&s);
        assert_eq!(key, "twilio.broadcast_from_number");
        assert!(message.contains("international form"), "{message}");

        s.twilio.broadcast_from_number = "+15005550007".into();
        s.twilio.broadcast_messaging_service_sid = "MGnews".into();
        let (key, message) = refused(&s);
        assert_eq!(key, "twilio.broadcast_from_number");
        assert!(message.contains("not both"), "{message}");

        s.twilio.broadcast_from_number = String::new();
        s.twilio.broadcast_messaging_service_sid = "news".into();
        let (key, message) = refused(&s);
        assert_eq!(key, "twilio.broadcast_messaging_service_sid");
        assert!(message.contains("MG…"), "{message}");

        s.twilio.messaging_service_sid = "MGsame".into();
        s.twilio.from_number = String::new();
        s.twilio.broadcast_messaging_service_sid = "MGsame".into();
        let (key, message) = refused(&s);
        assert_eq!(key, "twilio.broadcast_messaging_service_sid");
        assert!(message.contains("must differ"), "{message}");

        let mut s = Settings::default();
        s.twilio.broadcast_from_number = "+15005550007".into();
        let (key, message) = refused(&s);
        assert_eq!(key, "twilio.account_sid");
        assert!(message.contains("Twilio is not"), "{message}");

        let mut s = live();
        s.smtp.broadcast_from_address = "news at msp".into();
        assert_eq!(refused(&s).0, "smtp.broadcast_from_address");
        s.smtp.broadcast_from_address = String::new();
        s.smtp.broadcast_reply_to = "helpdesk".into();
        assert_eq!(refused(&s).0, "smtp.broadcast_reply_to");

        let mut s = Settings::default();
        s.smtp.broadcast_from_address = "news@msp.example".into();
        let (key, message) = refused(&s);
        assert_eq!(key, "smtp.host");
        assert!(message.contains("broadcast_from_address"), "{message}");
    }

    #[test]
    fn lane_keys_load_from_the_environment() {
        let vars = [
            ("COUNTERSIGN_TWILIO__ACCOUNT_SID", "AC123"),
            ("COUNTERSIGN_TWILIO__AUTH_TOKEN", "t"),
            ("COUNTERSIGN_TWILIO__FROM_NUMBER", "+15005550006"),
            ("COUNTERSIGN_TWILIO__BROADCAST_FROM_NUMBER", "+15005550006"),
        ];
        let e = Settings::load_with_vars(None, &crate::settings::FlagOverrides::default(), vars)
            .unwrap_err();
        assert_eq!(e.key, "twilio.broadcast_from_number");
        let vars = [
            ("COUNTERSIGN_TWILIO__ACCOUNT_SID", "AC123"),
            ("COUNTERSIGN_TWILIO__AUTH_TOKEN", "t"),
            ("COUNTERSIGN_TWILIO__FROM_NUMBER", "+15005550006"),
            ("COUNTERSIGN_TWILIO__BROADCAST_FROM_NUMBER", "+15005550007"),
        ];
        let s = Settings::load_with_vars(None, &crate::settings::FlagOverrides::default(), vars)
            .unwrap();
        assert_eq!(
            s.sms_sender(Lane::Broadcast),
            Some(TwilioSenderId::From("+15005550007".into()))
        );
        // A child `countersign worker` gets the broadcast sender too.
        let child = Settings::load_with_vars(
            None,
            &crate::settings::FlagOverrides::default(),
            s.worker_env(),
        )
        .unwrap();
        assert_eq!(
            child.sms_sender(Lane::Broadcast),
            s.sms_sender(Lane::Broadcast)
        );
        // And the SMTP relay and the broadcast From, which its email deliveries need.
        let mut with_smtp = s.clone();
        with_smtp.smtp.host = "127.0.0.1".into();
        with_smtp.smtp.port = 2525;
        with_smtp.smtp.security = crate::settings::SmtpSecuritySetting::Plain;
        with_smtp.smtp.from_address = "codes@msp.example".into();
        with_smtp.smtp.broadcast_from_address = "news@msp.example".into();
        let child = Settings::load_with_vars(
            None,
            &crate::settings::FlagOverrides::default(),
            with_smtp.worker_env(),
        )
        .unwrap();
        assert!(
            child.smtp == with_smtp.smtp,
            "the child's SMTP settings differ"
        );
    }
}
