//! [`MessageStore`] for both backends: message rows, their state history and SMS consent.

use crate::jobs::sql::insert_job;
use crate::sql::{SqlStore, page_size};
use crate::sql::{corrupt, sql_impl};
use crate::{
    Channel, Lane, Message, MessageEvent, MessageFilter, MessageState, NewJob, NewMessage,
    Transition, TransportKind,
};
use crate::{MessageStore, StoreError, StoreResult};
use countersign_domain::{MessageId, OrgId, Timestamp};
use uuid::Uuid;

/// Most messages one `messages` call returns.
pub const MAX_MESSAGE_PAGE: i64 = 500;

/// Columns of [`MessageRow`], as a literal for `concat!`.
macro_rules! message_columns {
    () => {
        "id, org_id, channel, template, recipient, subject, body_text, body_html, transport, \
         lane, list_unsubscribe, state, provider_id, attempts, last_error, error_code, \
         idempotency_key, created_at, updated_at"
    };
}

/// The columns of [`MessageRow`], for SQL built at run time.
pub(crate) const MESSAGE_COLUMNS: &str = message_columns!();

#[derive(sqlx::FromRow)]
pub(crate) struct MessageRow {
    id: Uuid,
    org_id: Uuid,
    channel: String,
    template: String,
    recipient: String,
    subject: String,
    body_text: Option<String>,
    body_html: Option<String>,
    transport: String,
    lane: String,
    list_unsubscribe: Option<String>,
    state: String,
    provider_id: Option<String>,
    attempts: i64,
    last_error: Option<String>,
    error_code: Option<String>,
    idempotency_key: String,
    created_at: i64,
    updated_at: i64,
}

impl TryFrom<MessageRow> for Message {
    type Error = StoreError;
    fn try_from(r: MessageRow) -> StoreResult<Self> {
        Ok(Self {
            id: r.id.into(),
            org_id: r.org_id.into(),
            channel: Channel::parse(&r.channel).ok_or_else(|| corrupt("channel", &r.channel))?,
            template: r.template,
            recipient: r.recipient,
            subject: r.subject,
            body_text: r.body_text,
            body_html: r.body_html,
            transport: TransportKind::parse(&r.transport)
                .ok_or_else(|| corrupt("transport", &r.transport))?,
            lane: Lane::parse(&r.lane).ok_or_else(|| corrupt("lane", &r.lane))?,
            list_unsubscribe: r.list_unsubscribe,
            state: MessageState::parse(&r.state).ok_or_else(|| corrupt("state", &r.state))?,
            provider_id: r.provider_id,
            attempts: r.attempts,
            last_error: r.last_error,
            error_code: r.error_code,
            idempotency_key: r.idempotency_key,
            created_at: Timestamp(r.created_at),
            updated_at: Timestamp(r.updated_at),
        })
    }
}

/// The states a transition to `to` may start from, as an SQL list of literals (our own
/// constant names, never input). Moving back to `queued` (a failed attempt, to be retried)
/// is allowed from `sending` only; otherwise from any lower rank.
fn from_states(to: MessageState) -> String {
    let from: Vec<String> = MessageState::ALL
        .iter()
        .filter(|s| match to {
            MessageState::Queued => **s == MessageState::Sending,
            _ => s.rank() < to.rank(),
        })
        .map(|s| format!("'{}'", s.as_str()))
        .collect();
    from.join(", ")
}

/// The same rule as [`from_states`] for a target state that is itself an SQL expression
/// (a set of transitions applied by one statement): whether the message whose state is
/// `current` may move to `target`.
pub(crate) fn may_move_sql(current: &str, target: &str) -> String {
    let rank = |expr: &str| {
        let arms: Vec<String> = MessageState::ALL
            .iter()
            .map(|s| format!("WHEN '{}' THEN {}", s.as_str(), s.rank()))
            .collect();
        format!("(CASE {expr} {} END)", arms.join(" "))
    };
    format!(
        "(CASE WHEN {target} = '{queued}' THEN {current} = '{sending}' \
         ELSE {} < {} END)",
        rank(current),
        rank(target),
        queued = MessageState::Queued.as_str(),
        sending = MessageState::Sending.as_str(),
    )
}

/// Whether entering `state` clears the bodies: a live transport took (or refused for good)
/// the message, so codes and links in it need not be kept.
fn clears_body(state: MessageState) -> bool {
    !matches!(
        state,
        MessageState::Queued | MessageState::Sending | MessageState::Outbox
    )
}

/// `UPDATE … SET` for a transition; `$1..$6` are the transition, the `WHERE` is appended.
pub(crate) fn transition_sql(to: MessageState, target: &str) -> String {
    format!("{} RETURNING org_id, id", transition_update(to, 1, target))
}

/// The `UPDATE` of [`transition_sql`] with the transition's six parameters numbered from
/// `first` (in the order [`bind_transition`] binds them), without `RETURNING`.
pub(crate) fn transition_update(to: MessageState, first: usize, target: &str) -> String {
    let p = |i: usize| format!("${}", first + i);
    format!(
        "UPDATE messages SET state = {}, provider_id = COALESCE({}, provider_id), \
         last_error = COALESCE({}, last_error), error_code = COALESCE({}, error_code), \
         updated_at = {}, \
         body_text = CASE WHEN {clears} THEN NULL ELSE body_text END, \
         body_html = CASE WHEN {clears} THEN NULL ELSE body_html END \
         WHERE {target} AND state IN ({from})",
        p(0),
        p(1),
        p(2),
        p(3),
        p(4),
        clears = p(5),
        from = from_states(to),
    )
}

sql_impl! {
impl MessageStore for SqlStore<DB> {
    async fn queue_message(
        &self,
        m: &NewMessage,
        job: Option<&NewJob>,
    ) -> StoreResult<(Message, bool)> {
        let mut writer = self.pool.acquire().await?;
        let mut tx = DB::begin_write(&mut writer).await?;
        let inserted = insert_message::<DB>(&mut tx, m, job).await?;
        let is_new = inserted.is_some();
        let row: MessageRow = match inserted {
            Some(row) => row,
            None => {
                let sql = concat!(
                    "SELECT ",
                    message_columns!(),
                    " FROM messages WHERE org_id = $1 AND idempotency_key = $2"
                );
                sqlx::query_as(sql)
                    .bind(m.org_id.0)
                    .bind(m.idempotency_key.as_str())
                    .fetch_one(&mut *tx)
                    .await?
            }
        };
        tx.commit().await?;
        Ok((row.try_into()?, is_new))
    }

    async fn message_by_key(&self, org: OrgId, key: &str) -> StoreResult<Option<Message>> {
        let sql = concat!(
            "SELECT ",
            message_columns!(),
            " FROM messages WHERE org_id = $1 AND idempotency_key = $2"
        );
        let row: Option<MessageRow> = sqlx::query_as(sql)
            .bind(org.0)
            .bind(key)
            .fetch_optional(&mut *self.reads.acquire().await?)
            .await?;
        row.map(TryInto::try_into).transpose()
    }

    async fn message(&self, org: OrgId, id: MessageId) -> StoreResult<Message> {
        let sql = concat!(
            "SELECT ",
            message_columns!(),
            " FROM messages WHERE org_id = $1 AND id = $2"
        );
        let row: MessageRow = sqlx::query_as(sql)
            .bind(org.0)
            .bind(id.0)
            .fetch_one(&mut *self.reads.acquire().await?)
            .await?;
        row.try_into()
    }

    async fn messages(&self, org: OrgId, filter: &MessageFilter) -> StoreResult<Vec<Message>> {
        let sql = concat!(
            "SELECT ",
            message_columns!(),
            " FROM messages WHERE org_id = $1 AND ($2 IS NULL OR transport = $2) \
             AND ($3 IS NULL OR channel = $3) ORDER BY created_at DESC, id DESC LIMIT $4"
        );
        let rows: Vec<MessageRow> = sqlx::query_as(sql)
            .bind(org.0)
            .bind(filter.transport.map(TransportKind::as_str))
            .bind(filter.channel.map(Channel::as_str))
            .bind(page_size(filter.limit, MAX_MESSAGE_PAGE))
            .fetch_all(&mut *self.reads.acquire().await?)
            .await?;
        rows.into_iter().map(Message::try_from).collect()
    }

    async fn message_events(&self, org: OrgId, id: MessageId) -> StoreResult<Vec<MessageEvent>> {
        let rows: Vec<(i64, String, String)> = sqlx::query_as(
            "SELECT at, state, detail FROM message_events WHERE org_id = $1 AND message_id = $2 \
             ORDER BY id",
        )
        .bind(org.0)
        .bind(id.0)
        .fetch_all(&mut *self.reads.acquire().await?)
        .await?;
        rows.into_iter()
            .map(|(at, state, detail)| {
                Ok(MessageEvent {
                    at: Timestamp(at),
                    state: MessageState::parse(&state).ok_or_else(|| corrupt("state", &state))?,
                    detail,
                })
            })
            .collect()
    }

    async fn begin_attempt(
        &self,
        org: OrgId,
        id: MessageId,
        at: Timestamp,
    ) -> StoreResult<Option<Message>> {
        let mut writer = self.pool.acquire().await?;
        let mut tx = DB::begin_write(&mut writer).await?;
        let sql = concat!(
            "UPDATE messages SET state = 'sending', attempts = attempts + 1, updated_at = $3 \
             WHERE org_id = $1 AND id = $2 AND state IN ('queued', 'sending') RETURNING ",
            message_columns!()
        );
        let row: Option<MessageRow> = sqlx::query_as(sql)
            .bind(org.0)
            .bind(id.0)
            .bind(at.0)
            .fetch_optional(&mut *tx)
            .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let message = Message::try_from(row)?;
        let detail = format!("attempt {}", message.attempts);
        insert_event::<DB>(&mut tx, org, id, at, MessageState::Sending, &detail).await?;
        tx.commit().await?;
        Ok(Some(message))
    }

    async fn transition_message(
        &self,
        org: OrgId,
        id: MessageId,
        t: &Transition,
    ) -> StoreResult<bool> {
        let sql = transition_sql(t.state, "org_id = $7 AND id = $8");
        let mut writer = self.pool.acquire().await?;
        let mut tx = DB::begin_write(&mut writer).await?;
        let row: Option<(Uuid, Uuid)> = bind_transition::<DB>(&sql, t)
            .bind(org.0)
            .bind(id.0)
            .fetch_optional(&mut *tx)
            .await?;
        if row.is_none() {
            return Ok(false);
        }
        insert_event::<DB>(&mut tx, org, id, t.at, t.state, &t.detail).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn transition_by_provider_id(
        &self,
        transport: TransportKind,
        provider_id: &str,
        t: &Transition,
    ) -> StoreResult<Option<(OrgId, MessageId)>> {
        let sql = transition_sql(t.state, "transport = $7 AND provider_id = $8");
        let mut writer = self.pool.acquire().await?;
        let mut tx = DB::begin_write(&mut writer).await?;
        let row: Option<(Uuid, Uuid)> = bind_transition::<DB>(&sql, t)
            .bind(transport.as_str())
            .bind(provider_id)
            .fetch_optional(&mut *tx)
            .await?;
        let Some((org, id)) = row else {
            return Ok(None);
        };
        let (org, id) = (OrgId(org), MessageId(id));
        insert_event::<DB>(&mut tx, org, id, t.at, t.state, &t.detail).await?;
        tx.commit().await?;
        Ok(Some((org, id)))
    }

    async fn set_sms_opt_out(
        &self,
        org: OrgId,
        phone: &str,
        opted_out: bool,
        keyword: &str,
        at: Timestamp,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO sms_opt_outs (org_id, phone, opted_out, keyword, updated_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (org_id, phone) DO UPDATE SET \
             opted_out = excluded.opted_out, keyword = excluded.keyword, \
             updated_at = excluded.updated_at",
        )
        .bind(org.0)
        .bind(phone)
        .bind(opted_out)
        .bind(keyword)
        .bind(at.0)
        .execute(&mut *self.pool.acquire().await?)
        .await?;
        Ok(())
    }

    async fn sms_opted_out(&self, org: OrgId, phone: &str) -> StoreResult<bool> {
        let row: Option<(bool,)> =
            sqlx::query_as("SELECT opted_out FROM sms_opt_outs WHERE org_id = $1 AND phone = $2")
                .bind(org.0)
                .bind(phone)
                .fetch_optional(&mut *self.reads.acquire().await?)
                .await?;
        Ok(row.is_some_and(|(o,)| o))
    }

    async fn record_inbound_consent(
        &self,
        phone: &str,
        opted_out: bool,
        keyword: &str,
        at: Timestamp,
    ) -> StoreResult<u64> {
        let done = sqlx::query(
            "INSERT INTO sms_opt_outs (org_id, phone, opted_out, keyword, updated_at) \
             SELECT DISTINCT org_id, $1, $2, $3, $4 FROM messages \
             WHERE channel = 'sms' AND recipient = $1 \
             ON CONFLICT (org_id, phone) DO UPDATE SET opted_out = excluded.opted_out, \
             keyword = excluded.keyword, updated_at = excluded.updated_at",
        )
        .bind(phone)
        .bind(opted_out)
        .bind(keyword)
        .bind(at.0)
        .execute(&mut *self.pool.acquire().await?)
        .await?;
        Ok(DB::rows_affected(&done))
    }
}
}

sql_impl! {
/// Binds `$1..$6` of [`transition_sql`].
pub(crate) fn bind_transition<'q, DB>(
    sql: &'q str,
    t: &'q Transition,
) -> sqlx::query::QueryAs<'q, DB, (Uuid, Uuid), DB::Arguments<'q>> {
    let (state, provider_id, error, error_code, at, clears) = transition_values(t);
    sqlx::query_as(sql)
        .bind(state)
        .bind(provider_id)
        .bind(error)
        .bind(error_code)
        .bind(at)
        .bind(clears)
}
}

/// The six values of a transition, in the order of [`transition_update`]'s parameters.
pub(crate) type TransitionValues<'a> = (
    &'a str,
    Option<&'a str>,
    Option<&'a str>,
    Option<&'a str>,
    i64,
    bool,
);

/// What [`bind_transition`] binds, for callers that bind in bulk.
pub(crate) fn transition_values(t: &Transition) -> TransitionValues<'_> {
    (
        t.state.as_str(),
        t.provider_id.as_deref(),
        t.error.as_deref(),
        t.error_code.as_deref(),
        t.at.0,
        clears_body(t.state),
    )
}

sql_impl! {
/// Inserts a message with its "queued" event and its delivery job on `conn` (inside a write
/// transaction). `None` when the org has a message with the same idempotency key: nothing is
/// inserted then.
pub(crate) async fn insert_message<DB>(
    conn: &mut DB::Connection,
    m: &NewMessage,
    job: Option<&NewJob>,
) -> StoreResult<Option<MessageRow>> {
    // RETURNING gives the new row without a second statement; on a repeated idempotency
    // key nothing is inserted and the existing message is read instead.
    let sql = concat!(
        "INSERT INTO messages (id, org_id, channel, template, recipient, subject, body_text, \
             body_html, transport, lane, list_unsubscribe, state, attempts, idempotency_key, \
             created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $12, $13, 'queued', 0, $10, $11, $11) \
             ON CONFLICT (org_id, idempotency_key) DO NOTHING RETURNING ",
        message_columns!()
    );
    let inserted: Option<MessageRow> = sqlx::query_as(sql)
        .bind(m.id.0)
        .bind(m.org_id.0)
        .bind(m.channel.as_str())
        .bind(m.template.as_str())
        .bind(m.recipient.as_str())
        .bind(m.subject.as_str())
        .bind(m.body_text.as_str())
        .bind(m.body_html.as_deref())
        .bind(m.transport.as_str())
        .bind(m.idempotency_key.as_str())
        .bind(m.created_at.0)
        .bind(m.lane.as_str())
        .bind(m.list_unsubscribe.as_deref())
        .fetch_optional(&mut *conn)
        .await?;
    if inserted.is_some() {
        insert_event::<DB>(
            conn,
            m.org_id,
            m.id,
            m.created_at,
            MessageState::Queued,
            "queued",
        )
        .await?;
        if let Some(job) = job {
            insert_job::<DB>(conn, job).await?;
        }
    }
    Ok(inserted)
}
}

sql_impl! {
/// Appends one history entry.
pub(crate) async fn insert_event<DB>(
    conn: &mut DB::Connection,
    org: OrgId,
    id: MessageId,
    at: Timestamp,
    state: MessageState,
    detail: &str,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO message_events (org_id, message_id, at, state, detail) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(org.0)
    .bind(id.0)
    .bind(at.0)
    .bind(state.as_str())
    .bind(detail)
    .execute(conn)
    .await?;
    Ok(())
}
}
