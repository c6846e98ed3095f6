//! An org's choice to send email from a Microsoft 365 mailbox (Graph `sendMail`) instead of
//! SMTP: the model, the [`GraphMailStore`] contract and its forwarding for [`Store`].

pub(crate) mod sql;

use crate::StoreResult;
use crate::forwarding::store_trait;
use countersign_domain::{IntegrationId, OrgId, Timestamp};

/// The Microsoft 365 mailbox an org's email goes out from (Settings ▸ Branding).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GraphMail {
    /// The org.
    pub org_id: OrgId,
    /// The integration whose app sends (client credentials in the MSP's own tenant).
    pub integration_id: IntegrationId,
    /// The sending mailbox (userPrincipalName or address of a user of that tenant).
    pub mailbox: String,
    /// Last change.
    pub updated_at: Timestamp,
}

store_trait! {
/// Where an org's email goes out from. No row: SMTP.
pub trait GraphMailStore {
    /// The org's Microsoft 365 mailbox, if it chose one.
    async fn graph_mail(&self, org: OrgId) -> StoreResult<Option<GraphMail>>;
    /// Creates or replaces the org's choice.
    async fn save_graph_mail(&self, g: &GraphMail) -> StoreResult<()>;
    /// Goes back to SMTP. True when there was a choice to remove.
    async fn clear_graph_mail(&self, org: OrgId) -> StoreResult<bool>;
}
}
