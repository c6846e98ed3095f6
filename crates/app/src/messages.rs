//! Outgoing messages: queuing them (rendered, with the org's branding, one row and one job
//! per recipient), delivering them from a job (Twilio, SMTP, or Microsoft Graph `sendMail`),
//! and the provider's reports about them.

mod batch;
mod branding;
mod deliver;
mod graph;
mod outbox;
mod queue;
mod transports;
mod webhooks;

pub use batch::BatchJob;
pub use branding::{
    BrandingError, BrandingInput, TEST_WINDOW, TESTS_PER_ORG, TESTS_PER_TECHNICIAN,
};
pub use deliver::DeliveryOutcome;
pub use outbox::MessageView;
pub use queue::{MessageError, MessageRequest, PreparedMessage, brand_of};
pub use transports::{TWILIO_INBOUND_PATH, TWILIO_STATUS_PATH, Transports};
pub use webhooks::{InboundOutcome, ProviderCallbackError};

/// The query parameter of the Twilio status callback URL that carries our message id.
pub const STATUS_CALLBACK_MESSAGE_PARAM: &str = "m";
