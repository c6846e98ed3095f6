//! What Twilio tells us: status callbacks (a message moved on) and inbound messages (STOP,
//! START, HELP). Both are verified with `X-Twilio-Signature` before anything is read.
//!
//! An inbound keyword applies to the lane whose sender received it (`To`, or
//! `MessagingServiceSid` when the number belongs to a Messaging Service), as Twilio applies
//! it to that sender: on the verification lane it changes SMS consent (every message of the
//! org to the number is refused); on the broadcast lane it changes broadcast opt-outs only,
//! so verification codes keep going out.

use crate::App;
use crate::audit::Actor;
use countersign_domain::mask::mask;
use countersign_domain::{Lane, MessageId};
use countersign_messaging::twilio::{TwilioStatus, parse_status, verify_signature};
use countersign_messaging::{Keyword, classify_keyword, parse_e164};
use countersign_store::{
    BroadcastStore, DeliveryStore, MessageState, MessageStore, StoreError, Transition,
    TransportKind,
};

/// Why a webhook was refused.
#[derive(Debug, thiserror::Error)]
pub enum ProviderCallbackError {
    /// Twilio is not configured, so no signature can be checked.
    #[error("Twilio is not configured on this server")]
    NotConfigured,
    /// The signature is missing or wrong.
    #[error("the request signature is not valid")]
    BadSignature,
    /// A required parameter is missing or malformed.
    #[error("{0}")]
    BadRequest(String),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The longest reply kept (Twilio's limit for one message body).
const REPLY_CHARS: usize = 1600;

/// What an inbound message did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InboundOutcome {
    /// Opt-out recorded for this many orgs, on the lane it came in on (verification: SMS
    /// consent; broadcast: broadcast opt-outs of the orgs' contacts with that mobile).
    OptedOut { lane: Lane, orgs: u64 },
    /// Opt-in recorded for this many orgs, on the lane it came in on.
    OptedIn { lane: Lane, orgs: u64 },
    /// HELP / INFO: Twilio answers it; nothing recorded.
    Help,
    /// Any other text: nothing recorded but, on the broadcast lane, the reply itself (shown
    /// on the broadcast it answers).
    Ignored,
}

/// Our message id from the status callback URL's query, if it has one.
fn message_in_query(path_and_query: &str) -> Option<MessageId> {
    let (_, query) = path_and_query.split_once('?')?;
    url::form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == super::STATUS_CALLBACK_MESSAGE_PARAM)
        .and_then(|(_, v)| v.parse().ok())
}

fn param<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

impl App {
    /// Checks `X-Twilio-Signature` of a POST to `path_and_query` (as received, under the
    /// public URL, which is what Twilio signed) with these form parameters.
    ///
    /// # Errors
    /// `NotConfigured` without an auth token; `BadSignature` when it does not match.
    pub fn verify_twilio_webhook(
        &self,
        path_and_query: &str,
        params: &[(String, String)],
        signature: Option<&str>,
    ) -> Result<(), ProviderCallbackError> {
        let token = &self.settings.twilio.auth_token;
        if token.is_empty() {
            return Err(ProviderCallbackError::NotConfigured);
        }
        let url = format!("{}{path_and_query}", self.settings.public_base());
        match signature {
            Some(sig) if verify_signature(token.as_bytes(), &url, params, sig) => Ok(()),
            _ => Err(ProviderCallbackError::BadSignature),
        }
    }

    /// Applies a verified status callback posted to a URL without our message id (one sent
    /// before the id was put in the URL): the message is found by its Twilio SID.
    ///
    /// # Errors
    /// See [`App::twilio_status_callback_at`].
    pub async fn twilio_status_callback(
        &self,
        params: &[(String, String)],
    ) -> Result<bool, ProviderCallbackError> {
        self.twilio_status_callback_at("", params).await
    }

    /// Applies a verified status callback posted to `path_and_query` (as received). The
    /// message is found by our id in the URL's query (`?m=`, put there when sending, and
    /// covered by the signature), so a report that arrives before the worker recorded the
    /// Twilio SID still moves it (and records the SID); without it, by the SID. Returns
    /// whether a message moved (a late or repeated callback, or an unknown message, changes
    /// nothing).
    ///
    /// # Errors
    /// Missing `MessageSid` / `MessageStatus`; store failures.
    pub async fn twilio_status_callback_at(
        &self,
        path_and_query: &str,
        params: &[(String, String)],
    ) -> Result<bool, ProviderCallbackError> {
        let sid = param(params, "MessageSid")
            .ok_or_else(|| ProviderCallbackError::BadRequest("MessageSid is missing".into()))?;
        let status = param(params, "MessageStatus")
            .ok_or_else(|| ProviderCallbackError::BadRequest("MessageStatus is missing".into()))?;
        let Some(status) = parse_status(status) else {
            return Ok(false);
        };
        let state = match status {
            TwilioStatus::Queued => MessageState::Accepted,
            TwilioStatus::Sent => MessageState::Sent,
            TwilioStatus::Delivered => MessageState::Delivered,
            TwilioStatus::Undelivered => MessageState::Undelivered,
            TwilioStatus::Failed => MessageState::Failed,
        };
        let mut t = Transition::to(state, self.now(), "twilio status callback");
        if let Some(code) = param(params, "ErrorCode").filter(|c| !c.is_empty()) {
            t.error_code = Some(code.to_owned());
            t.error = Some(
                code.parse::<i64>()
                    .ok()
                    .and_then(countersign_messaging::twilio::describe_error_code)
                    .map_or_else(|| format!("Twilio error {code}"), str::to_owned),
            );
        }
        let moved = match message_in_query(path_and_query) {
            Some(id) => {
                self.store
                    .transition_by_callback(TransportKind::Twilio, id, sid, &t)
                    .await?
            }
            None => {
                self.store
                    .transition_by_provider_id(TransportKind::Twilio, sid, &t)
                    .await?
            }
        };
        Ok(moved.is_some())
    }

    /// Applies a verified inbound message. On the verification lane, opt-out and opt-in
    /// keywords change SMS consent for every org that has texted the sender; on the broadcast
    /// lane, the broadcast opt-outs of every org that has sent it a broadcast SMS (see the
    /// module's comment).
    ///
    /// # Errors
    /// A missing or malformed `From`; store failures.
    pub async fn twilio_inbound(
        &self,
        params: &[(String, String)],
    ) -> Result<InboundOutcome, ProviderCallbackError> {
        let from = param(params, "From")
            .and_then(|f| parse_e164(f).ok())
            .ok_or_else(|| {
                ProviderCallbackError::BadRequest("From is missing or not E.164".into())
            })?;
        let body = param(params, "Body").unwrap_or("");
        let keyword = classify_keyword(body);
        let lane = self
            .settings
            .inbound_lane(param(params, "To"), param(params, "MessagingServiceSid"));
        if lane == Lane::Broadcast {
            // Every reply to the broadcast sender is shown on the broadcast it answers (STOP
            // replies counted); Twilio's MessageSid makes a repeated webhook record it once.
            let text: String = body.chars().take(REPLY_CHARS).collect();
            self.store
                .record_broadcast_reply(
                    &from,
                    &text,
                    keyword == Some(Keyword::OptOut),
                    param(params, "MessageSid"),
                    self.now(),
                )
                .await?;
        }
        let (opted_out, word) = match keyword {
            Some(Keyword::OptOut) => (true, body.trim().to_uppercase()),
            Some(Keyword::OptIn) => (false, body.trim().to_uppercase()),
            Some(Keyword::Help) => return Ok(InboundOutcome::Help),
            None => return Ok(InboundOutcome::Ignored),
        };
        let (orgs, action, detail) = match lane {
            Lane::Verification => {
                let orgs = self
                    .store
                    .record_inbound_consent(&from, opted_out, &word, self.now())
                    .await?;
                let action = if opted_out {
                    "sms.opted_out"
                } else {
                    "sms.opted_in"
                };
                (
                    orgs,
                    action,
                    serde_json::json!({ "keyword": word, "orgs": orgs }),
                )
            }
            Lane::Broadcast => {
                let done = self
                    .store
                    .record_broadcast_lane_keyword(&from, opted_out, self.now())
                    .await?;
                let action = if opted_out {
                    "broadcast.sms_opted_out"
                } else {
                    "broadcast.sms_opted_in"
                };
                let detail = serde_json::json!({
                    "keyword": word,
                    "lane": lane.as_str(),
                    "orgs": done.orgs,
                    "opt_outs": done.opt_outs,
                });
                (done.orgs, action, detail)
            }
        };
        self.audit(&Actor::system(), None, action, &mask(&from), detail)
            .await?;
        Ok(if opted_out {
            InboundOutcome::OptedOut { lane, orgs }
        } else {
            InboundOutcome::OptedIn { lane, orgs }
        })
    }
}

impl crate::UseCaseError for ProviderCallbackError {
    fn kind(&self) -> crate::ErrorKind {
        use crate::{ErrorKind as K, Refusal};
        match self {
            // This server takes no callbacks from a provider it is not configured for.
            Self::NotConfigured => K::NotFound,
            Self::BadSignature => K::Forbidden(Refusal::Permission),
            Self::BadRequest(_) => K::Invalid,
            Self::Store(e) => crate::UseCaseError::kind(e),
        }
    }
}
