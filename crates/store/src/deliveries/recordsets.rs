//! PostgreSQL's way of starting and recording a batch of deliveries
//! ([`crate::DeliveryStore`]): **one statement** each, whatever the batch's size, the batch
//! passed as one JSON parameter that `jsonb_to_recordset` turns into rows.
//!
//! Why: statement by statement, recording a group of answers took a round trip per message
//! plus `BEGIN`/`COMMIT`, and the multi-row statements' text changed with the number of rows,
//! so each size was prepared again; on a 2-core machine the message workers spent their time
//! in those round trips and in the kernel (issue 20's benchmark, docs/benchmarks.md). One
//! statement has one text (prepared once per connection), one round trip, and is its own
//! transaction: its data-modifying `WITH` parts commit together or not at all.
//!
//! The jobs are found by primary key (`id = ANY (ARRAY(…))`): joined to the recordset, the
//! planner walked every running job of the `(org_id, state)` index instead.
//!
//! The rules are the ones of the shared SQL: a message moves only forward
//! ([`may_move_sql`], the same rule as the single transition), each history entry is written
//! only for a message that moved, and the jobs are completed, retried or buried only while
//! `$1` (the worker) still holds their lease.

use crate::messages::sql::{MESSAGE_COLUMNS, may_move_sql, transition_values};
use crate::{DeliveryRecord, JobOutcome, MessageState, StoreError, StoreResult};
use countersign_domain::{MessageId, OrgId, Timestamp};
use serde::Serialize;

/// `begin_attempts`: `$1` the time, `$2` the `(org, message)` pairs as JSON
/// ([`attempt_pairs`]). Returns the messages now `sending`, with the opt-out checks of
/// `AttemptRow`.
pub(crate) fn begin_sql() -> String {
    format!(
        "WITH b AS (SELECT * FROM jsonb_to_recordset($2::jsonb) AS b(b_org uuid, b_id uuid)), \
         s AS (UPDATE messages SET state = '{sending}', attempts = attempts + 1, \
         updated_at = $1 FROM b WHERE org_id = b.b_org AND id = b.b_id \
         AND state IN ('{queued}', '{sending}') RETURNING {MESSAGE_COLUMNS}), \
         e AS (INSERT INTO message_events (org_id, message_id, at, state, detail) \
         SELECT org_id, id, $1, '{sending}', 'attempt ' || attempts FROM s) \
         SELECT {MESSAGE_COLUMNS}, \
         EXISTS (SELECT 1 FROM sms_opt_outs o WHERE o.org_id = s.org_id \
         AND o.phone = s.recipient AND o.opted_out) AS opted_out, \
         (s.lane = 'broadcast' AND EXISTS (SELECT 1 FROM broadcast_opt_outs bo \
         WHERE bo.org_id = s.org_id AND bo.channel = s.channel \
         AND bo.address = s.recipient)) AS broadcast_opted_out FROM s",
        sending = MessageState::Sending.as_str(),
        queued = MessageState::Queued.as_str(),
    )
}

#[derive(Serialize)]
struct Pair {
    b_org: uuid::Uuid,
    b_id: uuid::Uuid,
}

/// The `$2` of [`begin_sql`].
pub(crate) fn attempt_pairs(batch: &[(OrgId, MessageId)]) -> StoreResult<String> {
    let pairs: Vec<Pair> = batch
        .iter()
        .map(|(org, id)| Pair {
            b_org: org.0,
            b_id: id.0,
        })
        .collect();
    json(&pairs)
}

/// `record_deliveries`: `$1` the worker, `$2` now, `$3` the transitions and `$4` the jobs'
/// next steps as JSON ([`record_sets`]). Returns one row: how many jobs `$1` still held.
pub(crate) fn record_sql() -> String {
    format!(
        "WITH v AS (SELECT * FROM jsonb_to_recordset($3::jsonb) AS v(v_org uuid, v_id uuid, \
         v_state text, v_provider_id text, v_error text, v_error_code text, v_at bigint, \
         v_clears boolean, v_detail text)), \
         moved AS (UPDATE messages SET state = v.v_state, \
         provider_id = COALESCE(v.v_provider_id, provider_id), \
         last_error = COALESCE(v.v_error, last_error), \
         error_code = COALESCE(v.v_error_code, error_code), updated_at = v.v_at, \
         body_text = CASE WHEN v.v_clears THEN NULL ELSE body_text END, \
         body_html = CASE WHEN v.v_clears THEN NULL ELSE body_html END \
         FROM v WHERE org_id = v.v_org AND id = v.v_id AND {may_move} \
         RETURNING org_id, id, v.v_at, v.v_state, v.v_detail), \
         events AS (INSERT INTO message_events (org_id, message_id, at, state, detail) \
         SELECT org_id, id, v_at, v_state, v_detail FROM moved), \
         j AS (SELECT * FROM jsonb_to_recordset($4::jsonb) AS j(j_id uuid, j_next text, \
         j_run_at bigint, j_error text)), \
         finished AS (DELETE FROM jobs \
         WHERE id = ANY (ARRAY(SELECT j_id FROM j WHERE j_next = 'complete')) \
         AND state = 'running' AND locked_by = $1 RETURNING id), \
         later AS (UPDATE jobs SET state = j.j_next, locked_by = NULL, run_at = j.j_run_at, \
         last_error = j.j_error, updated_at = $2 FROM j \
         WHERE id = ANY (ARRAY(SELECT j_id FROM j WHERE j_next <> 'complete')) \
         AND id = j.j_id AND state = 'running' AND locked_by = $1 RETURNING id) \
         SELECT (SELECT count(*) FROM finished) + (SELECT count(*) FROM later) AS held",
        may_move = may_move_sql("messages.state", "v.v_state"),
    )
}

#[derive(Serialize)]
struct Move<'a> {
    v_org: uuid::Uuid,
    v_id: uuid::Uuid,
    v_state: &'a str,
    v_provider_id: Option<&'a str>,
    v_error: Option<&'a str>,
    v_error_code: Option<&'a str>,
    v_at: i64,
    v_clears: bool,
    v_detail: &'a str,
}

#[derive(Serialize)]
struct Next<'a> {
    j_id: uuid::Uuid,
    /// `complete` (delete), or the state it goes back to: `queued` (retry) or `dead`.
    j_next: &'a str,
    j_run_at: i64,
    j_error: Option<&'a str>,
}

/// The `$3` (transitions) and `$4` (jobs) of [`record_sql`].
pub(crate) fn record_sets(
    records: &[DeliveryRecord],
    now: Timestamp,
) -> StoreResult<(String, String)> {
    let moves: Vec<Move<'_>> = records
        .iter()
        .filter_map(|r| {
            let t = r.transition.as_ref()?;
            let (state, provider_id, error, error_code, at, clears) = transition_values(t);
            Some(Move {
                v_org: r.org.0,
                v_id: r.message.0,
                v_state: state,
                v_provider_id: provider_id,
                v_error: error,
                v_error_code: error_code,
                v_at: at,
                v_clears: clears,
                v_detail: &t.detail,
            })
        })
        .collect();
    let nexts: Vec<Next<'_>> = records
        .iter()
        .map(|r| {
            let (next, run_at, error) = match &r.outcome {
                JobOutcome::Complete => ("complete", now, None),
                JobOutcome::Retry { run_at, error } => ("queued", *run_at, Some(error.as_str())),
                JobOutcome::Bury { error } => ("dead", now, Some(error.as_str())),
            };
            Next {
                j_id: r.job.0,
                j_next: next,
                j_run_at: run_at.0,
                j_error: error,
            }
        })
        .collect();
    Ok((json(&moves)?, json(&nexts)?))
}

/// A set as the JSON text bound as a parameter.
fn json<T: Serialize>(set: &[T]) -> StoreResult<String> {
    serde_json::to_string(set)
        .map_err(|e| StoreError::Unsupported(format!("a delivery set as JSON: {e}")))
}
