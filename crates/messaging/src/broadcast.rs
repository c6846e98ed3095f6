//! What a broadcast text needs before it is sent (issue 20): its SMS cost (`segments.rs`) and
//! its merge fields (`merge.rs`). Pure functions: the compose page, the preview and the
//! delivery all call the same ones, so the count shown is the count sent.

mod email;
mod merge;
mod segments;

pub use email::{BroadcastEmail, format_body, render_broadcast_email};
pub use merge::{
    MergeField, MergeValues, UnknownMergeFields, check_merge_fields, render_merge_fields,
};
pub use segments::{SmsCount, SmsEncoding, sms_count};
