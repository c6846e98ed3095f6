//! Reading broadcasts: the org's list, one broadcast, its live progress, the per-recipient
//! report (and its CSV) and the replies to its SMS. Drafting is enough to read: the whole
//! team sees what went out to its customers.

use super::BroadcastError;
use crate::csv::csv_field;
use crate::{App, Principal};
use countersign_domain::mask::mask;
use countersign_domain::{
    BroadcastId, BroadcastStatus, Channel, ContactId, Permission, TechnicianId, Timestamp,
};
use countersign_store::{
    Broadcast, BroadcastStore, DeliveryCounts, RecipientDelivery, StoreError, TechnicianStore,
};
use serde_json::json;

/// Most broadcasts the list shows.
const LIST_LIMIT: i64 = 200;
/// Rows per page of the report and of the CSV's reads.
const REPORT_PAGE: i64 = 1000;

/// Where a broadcast stands, for the live progress.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BroadcastProgress {
    /// Its status.
    pub status: BroadcastStatus,
    /// Frozen recipients (contacts).
    pub recipients: i64,
    /// Deliveries by where they stand (one per recipient and channel), and the replies.
    pub counts: DeliveryCounts,
    /// When sending started.
    pub started_at: Option<Timestamp>,
    /// When every delivery had ended.
    pub completed_at: Option<Timestamp>,
}

/// One row of the per-recipient report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecipientReport {
    /// The channel.
    pub channel: Channel,
    /// The contact (it may have been deleted since).
    pub contact_id: ContactId,
    /// `{first_name}` as frozen.
    pub first_name: String,
    /// The customer as frozen.
    pub customer_name: String,
    /// The address, masked.
    pub address: String,
    /// Where it stands: pending, queued, sent, delivered, failed, opted_out, cancelled.
    pub status: &'static str,
    /// The provider's error, in words.
    pub error: Option<String>,
    /// When it last changed.
    pub updated_at: Timestamp,
    cursor: (Channel, String),
}

impl RecipientReport {
    /// The key to pass as `after` for the next page.
    #[must_use]
    pub fn cursor(&self) -> (Channel, String) {
        self.cursor.clone()
    }
}

/// Who wrote, submitted and approved a broadcast (display names), for its pages: everyone
/// who may read a broadcast may see who is accountable for it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BroadcastPeople {
    /// The author.
    pub author: String,
    /// Who asked for approval.
    pub requested_by: Option<String>,
    /// Who approved it.
    pub approver: Option<String>,
}

/// A reply to a broadcast SMS.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BroadcastReplyView {
    /// The number, masked.
    pub from_masked: String,
    /// What it says.
    pub body: String,
    /// An opt-out keyword.
    pub is_stop: bool,
    /// When.
    pub at: Timestamp,
}

fn report_row(d: RecipientDelivery) -> RecipientReport {
    let status = d.word();
    let r = d.recipient;
    RecipientReport {
        channel: r.channel,
        contact_id: r.contact_id,
        address: mask(&r.address),
        first_name: r.first_name,
        customer_name: r.customer_name,
        status,
        error: d.error.or(r.provider_error),
        updated_at: d.at,
        cursor: (r.channel, r.address),
    }
}

impl App {
    /// The org's broadcasts, newest first (at most 200).
    ///
    /// # Errors
    /// Without `DraftBroadcasts`; a store failure.
    pub async fn broadcasts(&self, by: &Principal) -> Result<Vec<Broadcast>, BroadcastError> {
        by.require(Permission::DraftBroadcasts)?;
        Ok(self.store.broadcasts(by.org_id(), LIST_LIMIT).await?)
    }

    /// One broadcast of the org.
    ///
    /// # Errors
    /// Without `DraftBroadcasts`; not found in the org; a store failure.
    pub async fn broadcast(
        &self,
        by: &Principal,
        id: BroadcastId,
    ) -> Result<Broadcast, BroadcastError> {
        by.require(Permission::DraftBroadcasts)?;
        Ok(self.store.broadcast(by.org_id(), id).await?)
    }

    /// The names of the broadcast's author, requester and approver.
    ///
    /// # Errors
    /// Without `DraftBroadcasts`; not found in the org; a store failure.
    pub async fn broadcast_people(
        &self,
        by: &Principal,
        id: BroadcastId,
    ) -> Result<BroadcastPeople, BroadcastError> {
        let b = self.broadcast(by, id).await?;
        let name = async |t: TechnicianId| match self.store.technician(b.org_id, t).await {
            Ok(t) => Ok(t.name),
            Err(StoreError::NotFound) => Ok("a former technician".to_owned()),
            Err(e) => Err(e),
        };
        Ok(BroadcastPeople {
            author: name(b.author_id).await?,
            requested_by: match b.requested_by {
                Some(t) => Some(name(t).await?),
                None => None,
            },
            approver: match b.approver_id {
                Some(t) => Some(name(t).await?),
                None => None,
            },
        })
    }

    /// Where a broadcast's deliveries stand (the page polls it).
    ///
    /// # Errors
    /// Without `DraftBroadcasts`; not found in the org; a store failure.
    pub async fn broadcast_progress(
        &self,
        by: &Principal,
        id: BroadcastId,
    ) -> Result<BroadcastProgress, BroadcastError> {
        let b = self.broadcast(by, id).await?;
        let counts = self.store.broadcast_delivery_counts(b.org_id, id).await?;
        Ok(BroadcastProgress {
            status: b.status,
            recipients: b.frozen.map_or(0, |f| f.recipients),
            counts,
            started_at: b.started_at,
            completed_at: b.completed_at,
        })
    }

    /// A page of the per-recipient report, in (channel, address) order after `after`.
    ///
    /// # Errors
    /// Without `DraftBroadcasts`; not found in the org; a store failure.
    pub async fn broadcast_report(
        &self,
        by: &Principal,
        id: BroadcastId,
        after: Option<(Channel, String)>,
        limit: i64,
    ) -> Result<Vec<RecipientReport>, BroadcastError> {
        let b = self.broadcast(by, id).await?;
        let rows = self
            .store
            .broadcast_deliveries(
                b.org_id,
                id,
                after.as_ref().map(|(c, a)| (*c, a.as_str())),
                limit.clamp(1, REPORT_PAGE),
            )
            .await?;
        Ok(rows.into_iter().map(report_row).collect())
    }

    /// The whole per-recipient report as CSV (RFC 4180), with full addresses: the MSP's own
    /// data, for its records. Needs `SendBroadcasts` (it lists every address) and is audited.
    ///
    /// # Errors
    /// Without `SendBroadcasts`; not found in the org; a store failure.
    pub async fn broadcast_report_csv(
        &self,
        by: &Principal,
        id: BroadcastId,
    ) -> Result<String, BroadcastError> {
        by.require(Permission::SendBroadcasts)?;
        let b = self.broadcast(by, id).await?;
        let mut out = String::from(
            "channel,address,first_name,customer,status,error,updated_at,contact_id\r\n",
        );
        let mut after: Option<(Channel, String)> = None;
        let mut rows = 0u64;
        loop {
            let page = self
                .store
                .broadcast_deliveries(
                    b.org_id,
                    id,
                    after.as_ref().map(|(c, a)| (*c, a.as_str())),
                    REPORT_PAGE,
                )
                .await?;
            let Some(last) = page.last() else { break };
            after = Some((last.recipient.channel, last.recipient.address.clone()));
            for d in page {
                let status = d.word();
                let r = &d.recipient;
                let error = d
                    .error
                    .as_deref()
                    .or(r.provider_error.as_deref())
                    .unwrap_or("");
                let fields = [
                    r.channel.as_str(),
                    &r.address,
                    &r.first_name,
                    &r.customer_name,
                    status,
                    error,
                    &d.at.rfc3339(),
                    &r.contact_id.to_string(),
                ];
                let line: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
                out.push_str(&line.join(","));
                out.push_str("\r\n");
                rows += 1;
            }
        }
        self.audit(
            &by.actor(),
            None,
            "broadcast.report_exported",
            &id.to_string(),
            json!({ "rows": rows }),
        )
        .await?;
        Ok(out)
    }

    /// Replies to a broadcast's SMS, newest first.
    ///
    /// # Errors
    /// Without `DraftBroadcasts`; not found in the org; a store failure.
    pub async fn broadcast_replies(
        &self,
        by: &Principal,
        id: BroadcastId,
        limit: i64,
    ) -> Result<Vec<BroadcastReplyView>, BroadcastError> {
        let b = self.broadcast(by, id).await?;
        Ok(self
            .store
            .broadcast_replies(b.org_id, id, limit)
            .await?
            .into_iter()
            .map(|r| BroadcastReplyView {
                from_masked: mask(&r.from_address),
                body: r.body,
                is_stop: r.is_stop,
                at: r.at,
            })
            .collect())
    }
}
