//! Newtype ids, so an `OrgId` can never be passed where a `TechnicianId` is meant.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use uuid::Uuid;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            /// A new time-ordered (UUIDv7) id.
            #[must_use]
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }

        impl From<Uuid> for $name {
            fn from(u: Uuid) -> Self {
                Self(u)
            }
        }
    };
}

id_type!(
    /// One MSP account on this server.
    OrgId
);
id_type!(
    /// A person who logs in to Countersign.
    TechnicianId
);
id_type!(
    /// A pending invitation of a technician.
    InviteId
);
id_type!(
    /// A login session (the id is not the cookie token; the token is only stored hashed).
    SessionId
);
id_type!(
    /// A background job in the durable queue.
    JobId
);
id_type!(
    /// One outgoing message (SMS or email) to one recipient.
    MessageId
);
id_type!(
    /// A company the MSP serves.
    CustomerId
);
id_type!(
    /// An end user of a customer.
    ContactId
);
id_type!(
    /// One verification of a contact (or of a technician, by a contact).
    VerificationId
);
id_type!(
    /// A contact's check that a technician works for the MSP, started from the public
    /// "verify a technician" page.
    TechnicianCheckId
);
id_type!(
    /// A one-time link of Secure Data Send or Request.
    SecretId
);
id_type!(
    /// A configured contact source of an org (e.g. a Microsoft 365 integration).
    IntegrationId
);
id_type!(
    /// A company linked through an integration, with its sync state (`sync_sources`): a
    /// Microsoft 365 tenant (by admin consent or GDAP) today.
    SyncSourceId
);
/// A Microsoft 365 tenant linked through an integration: its row is a sync source.
pub type TenantLinkId = SyncSourceId;
id_type!(
    /// A pending sign-in or consent round trip to Microsoft (its `state`).
    OAuthStateId
);
id_type!(
    /// An https endpoint an org registered to receive webhook events.
    WebhookEndpointId
);
id_type!(
    /// One event sent (or to be sent) to one webhook endpoint.
    WebhookDeliveryId
);
id_type!(
    /// One event (e.g. a verification was requested); the same event has the same id at
    /// every endpoint, so a receiver can drop duplicates.
    WebhookEventId
);
id_type!(
    /// One announcement to a frozen audience of contacts (issue 20).
    BroadcastId
);
id_type!(
    /// A reusable broadcast text of an org (name, channels, SMS and email texts).
    BroadcastTemplateId
);
