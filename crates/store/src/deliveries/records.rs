//! SQLite's way of recording a group of delivery results
//! ([`crate::DeliveryStore::record_deliveries`]): **one** multi-statement query, its
//! transaction included, instead of a statement per message. SQLite's single write connection
//! serialises every writer of the process and each statement is a hand-off to that
//! connection's thread and back; the delivery worker was the busiest user of that connection
//! in the verification benchmark (docs/benchmarks.md). Same rows as the statement-by-statement
//! path PostgreSQL takes: a message's history entry is written only when its conditional
//! `UPDATE` changed it (`changes()`), and the finished jobs are deleted, or the others
//! released, only while this worker holds their lease. The job statements return the ids
//! they touched, which count what was still held.
//!
//! A failed statement leaves the transaction open: it is rolled back at once, or, if the
//! caller was dropped mid-query, by the next user of the connection
//! ([`crate::sql::conns::Conn::fetch_all_committing`]).

use crate::StoreResult;
use crate::Transition;
use crate::messages::sql::{transition_update, transition_values};
use crate::sql::SqlStore;
use crate::sql::conns::Conn;
use crate::sql::sql_impl;
use crate::{DeliveryRecord, JobOutcome};
use countersign_domain::Timestamp;
use uuid::Uuid;

/// A value bound to the query, in placeholder order.
enum Value<'a> {
    Id(Uuid),
    Text(&'a str),
    MaybeText(Option<&'a str>),
    Int(i64),
    Flag(bool),
}

/// The query (`$1` the worker, `$2` now) and its values from `$3` on.
fn record_query(records: &[DeliveryRecord]) -> (String, Vec<Value<'_>>) {
    let mut sql = String::from("BEGIN IMMEDIATE;");
    let mut values: Vec<Value<'_>> = Vec::new();
    // The number the next value gets.
    let next = |values: &[Value<'_>]| values.len() + 3;
    for r in records {
        let Some(t) = &r.transition else { continue };
        let first = next(&values);
        push_transition(&mut values, t);
        let (org, id, detail) = (first + 6, first + 7, first + 8);
        values.extend([
            Value::Id(r.org.0),
            Value::Id(r.message.0),
            Value::Text(&t.detail),
        ]);
        sql.push_str(&format!(
            " {};",
            transition_update(t.state, first, &format!("org_id = ${org} AND id = ${id}"))
        ));
        sql.push_str(&format!(
            " INSERT INTO message_events (org_id, message_id, at, state, detail) \
             SELECT ${org}, ${id}, ${at}, ${state}, ${detail} WHERE changes() = 1;",
            at = first + 4,
            state = first,
        ));
    }
    let complete: Vec<Uuid> = records
        .iter()
        .filter(|r| r.outcome == JobOutcome::Complete)
        .map(|r| r.job.0)
        .collect();
    if !complete.is_empty() {
        let list: Vec<String> = complete
            .iter()
            .map(|id| {
                let n = next(&values);
                values.push(Value::Id(*id));
                format!("${n}")
            })
            .collect();
        sql.push_str(&format!(
            " DELETE FROM jobs WHERE state = 'running' AND locked_by = $1 AND id IN ({}) \
             RETURNING id;",
            list.join(", ")
        ));
    }
    for r in records {
        let (state, run_at, error) = match &r.outcome {
            JobOutcome::Complete => continue,
            JobOutcome::Retry { run_at, error } => ("queued", Some(*run_at), error),
            JobOutcome::Bury { error } => ("dead", None, error),
        };
        let job = next(&values);
        values.push(Value::Id(r.job.0));
        let run_at = match run_at {
            Some(at) => {
                values.push(Value::Int(at.0));
                format!("${}", job + 1)
            }
            None => "$2".to_owned(),
        };
        let e = next(&values);
        values.push(Value::Text(error));
        sql.push_str(&format!(
            " UPDATE jobs SET state = '{state}', locked_by = NULL, run_at = {run_at}, \
             last_error = ${e}, updated_at = $2 \
             WHERE id = ${job} AND state = 'running' AND locked_by = $1 RETURNING id;"
        ));
    }
    sql.push_str(" COMMIT;");
    (sql, values)
}

/// The six values of [`transition_update`], in its order.
fn push_transition<'a>(values: &mut Vec<Value<'a>>, t: &'a Transition) {
    let (state, provider_id, error, error_code, at, clears) = transition_values(t);
    values.extend([
        Value::Text(state),
        Value::MaybeText(provider_id),
        Value::MaybeText(error),
        Value::MaybeText(error_code),
        Value::Int(at),
        Value::Flag(clears),
    ]);
}

sql_impl! {
impl SqlStore<DB> {
    /// Records `records` in one query (see the module documentation). Returns how many of
    /// their jobs this worker still held.
    pub(crate) async fn record_in_one_query(
        writer: &mut Conn<'_, DB>,
        worker: &str,
        now: Timestamp,
        records: &[DeliveryRecord],
    ) -> StoreResult<u64> {
        let (sql, values) = record_query(records);
        let mut q = sqlx::query::<DB>(&sql).bind(worker).bind(now.0);
        for v in values {
            q = match v {
                Value::Id(v) => q.bind(v),
                Value::Text(v) => q.bind(v),
                Value::MaybeText(v) => q.bind(v),
                Value::Int(v) => q.bind(v),
                Value::Flag(v) => q.bind(v),
            };
        }
        Ok(writer.fetch_all_committing(q).await?.len() as u64)
    }
}
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::MessageState;
    use countersign_domain::{JobId, MessageId, OrgId};

    fn record(outcome: JobOutcome, transition: bool) -> DeliveryRecord {
        DeliveryRecord {
            job: JobId::new(),
            org: OrgId::new(),
            message: MessageId::new(),
            transition: transition.then(|| Transition {
                state: MessageState::Outbox,
                at: Timestamp(5),
                provider_id: None,
                error: None,
                error_code: None,
                detail: "outbox".into(),
            }),
            outcome,
        }
    }

    /// Every placeholder the query names is bound, in order, and each history entry follows
    /// its own message's `UPDATE`.
    #[test]
    fn placeholders_follow_the_values() {
        let records = [
            record(JobOutcome::Complete, true),
            record(
                JobOutcome::Retry {
                    run_at: Timestamp(9),
                    error: "busy".into(),
                },
                true,
            ),
            record(
                JobOutcome::Bury {
                    error: "gone".into(),
                },
                false,
            ),
        ];
        let (sql, values) = record_query(&records);
        let highest = values.len() + 2;
        assert!(sql.contains(&format!("${highest}")), "{sql}");
        assert!(!sql.contains(&format!("${}", highest + 1)), "{sql}");
        assert!(sql.starts_with("BEGIN IMMEDIATE; UPDATE messages SET state = $3,"));
        assert!(
            sql.contains("WHERE org_id = $9 AND id = $10 AND state IN"),
            "{sql}"
        );
        assert!(
            sql.contains("SELECT $9, $10, $7, $3, $11 WHERE changes() = 1;"),
            "{sql}"
        );
        assert!(sql.contains("SELECT $18, $19, $16, $12, $20 WHERE changes() = 1;"));
        assert!(
            sql.contains("locked_by = $1 AND id IN ($21) RETURNING id;"),
            "{sql}"
        );
        assert!(
            sql.contains("state = 'queued', locked_by = NULL, run_at = $23"),
            "{sql}"
        );
        assert!(sql.contains("run_at = $2, last_error = $26"), "{sql}");
        assert!(sql.ends_with(" COMMIT;"));
    }
}
