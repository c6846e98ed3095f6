//! What the SMS face received: every accepted message (with its status callbacks), every
//! refused request, and per idempotency key / per `To` counts so tests can spot duplicates.

use countersign_domain::Timestamp;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// One status callback the face posted.
#[derive(Clone, Debug, Serialize)]
pub struct CallbackRecord {
    pub status: String,
    /// The webhook's HTTP status; `None` when it could not be reached.
    pub http_status: Option<u16>,
}

/// One message the face accepted (201).
#[derive(Clone, Debug, Serialize)]
pub struct SmsRecord {
    pub sid: String,
    pub at: Timestamp,
    pub to: String,
    pub from: String,
    pub messaging_service_sid: Option<String>,
    pub body: String,
    pub idempotency_key: Option<String>,
    pub status_callback: Option<String>,
    /// The status the message has reached (`queued`, `sent`, `delivered`, `undelivered`,
    /// `failed`).
    pub status: String,
    pub error_code: Option<u32>,
    /// Requests that carried this message's idempotency key (1 unless the client repeated it).
    pub requests: u32,
    pub callbacks: Vec<CallbackRecord>,
}

/// A request answered with an error.
#[derive(Clone, Debug, Serialize)]
pub struct RefusedRecord {
    pub at: Timestamp,
    pub to: String,
    pub http_status: u16,
    pub code: u32,
    pub idempotency_key: Option<String>,
}

/// Summary for polling.
#[derive(Clone, Debug, Default, Serialize, PartialEq, Eq)]
pub struct SmsCounts {
    /// Requests to `Messages.json` (accepted, replayed and refused).
    pub requests: u64,
    /// Messages accepted (each sent once to its handset).
    pub messages: u64,
    /// Requests answered with an existing message because of a repeated `Idempotency-Key`.
    pub replays: u64,
    pub refused: u64,
    /// Idempotency keys seen on more than one request.
    pub repeated_keys: u64,
    /// `To` numbers that received more than one message.
    pub repeated_to: u64,
    /// Messages whose status callbacks are still to be posted.
    pub callbacks_pending: u64,
    /// Messages by current status.
    pub by_status: BTreeMap<String, u64>,
}

#[derive(Debug, Default)]
pub struct Records {
    pub messages: Vec<SmsRecord>,
    pub refused: Vec<RefusedRecord>,
    by_sid: HashMap<String, usize>,
    by_key: HashMap<String, usize>,
    to_counts: HashMap<String, u64>,
    requests: u64,
    replays: u64,
    pending: u64,
}

impl Records {
    pub fn count_request(&mut self) {
        self.requests += 1;
    }

    /// The message already created for `key`, counting this request as a replay.
    pub fn replay(&mut self, key: &str) -> Option<SmsRecord> {
        let i = *self.by_key.get(key)?;
        self.replays += 1;
        let m = self.messages.get_mut(i)?;
        m.requests += 1;
        Some(m.clone())
    }

    pub fn add(&mut self, record: SmsRecord, callbacks_follow: bool) {
        let i = self.messages.len();
        self.by_sid.insert(record.sid.clone(), i);
        if let Some(k) = &record.idempotency_key {
            self.by_key.insert(k.clone(), i);
        }
        *self.to_counts.entry(record.to.clone()).or_default() += 1;
        if callbacks_follow {
            self.pending += 1;
        }
        self.messages.push(record);
    }

    pub fn refuse(&mut self, record: RefusedRecord) {
        self.refused.push(record);
    }

    pub fn get(&self, sid: &str) -> Option<&SmsRecord> {
        self.by_sid.get(sid).and_then(|&i| self.messages.get(i))
    }

    /// Records a posted callback; `last` ends the message's callbacks.
    pub fn callback(&mut self, sid: &str, record: CallbackRecord, error: Option<u32>, last: bool) {
        if let Some(m) = self.by_sid.get(sid).and_then(|&i| self.messages.get_mut(i)) {
            m.status.clone_from(&record.status);
            if error.is_some() {
                m.error_code = error;
            }
            m.callbacks.push(record);
        }
        if last {
            self.pending = self.pending.saturating_sub(1);
        }
    }

    /// Sets the status of a message without a callback (none requested).
    pub fn set_status(&mut self, sid: &str, status: &str, error: Option<u32>) {
        if let Some(m) = self.by_sid.get(sid).and_then(|&i| self.messages.get_mut(i)) {
            status.clone_into(&mut m.status);
            m.error_code = error;
        }
    }

    #[must_use]
    pub fn counts(&self) -> SmsCounts {
        let mut by_status = BTreeMap::new();
        for m in &self.messages {
            *by_status.entry(m.status.clone()).or_default() += 1;
        }
        SmsCounts {
            requests: self.requests,
            messages: self.messages.len() as u64,
            replays: self.replays,
            refused: self.refused.len() as u64,
            repeated_keys: self.messages.iter().filter(|m| m.requests > 1).count() as u64,
            repeated_to: self.to_counts.values().filter(|&&n| n > 1).count() as u64,
            callbacks_pending: self.pending,
            by_status,
        }
    }

    /// Requests per idempotency key and messages per `To`.
    #[must_use]
    pub fn per_key_and_to(&self) -> (BTreeMap<String, u32>, BTreeMap<String, u64>) {
        let keys = self
            .messages
            .iter()
            .filter_map(|m| m.idempotency_key.clone().map(|k| (k, m.requests)))
            .collect();
        let to = self
            .to_counts
            .iter()
            .map(|(k, v)| (k.clone(), *v))
            .collect();
        (keys, to)
    }

    pub fn clear(&mut self) {
        *self = Records::default();
    }
}
