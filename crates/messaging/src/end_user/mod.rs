//! What end users (an org's contacts) read, in their language: the pages they open (approve
//! link, Secure Send and Request, technician check, unsubscribe) and the messages sent to them
//! (codes, links). Texts live in Fluent files a translator edits
//! (`crates/messaging/locales/<lang>/end-user.ftl`), not in code; an org may override any
//! of them per language (`overrides`).

mod catalog;
mod language;
mod local_time;
mod messages;
mod overrides;

pub use catalog::Texts;
pub use language::{Language, choose_language};
pub use local_time::local_time;
pub use messages::render_for_contact;
pub use overrides::{
    MAX_OVERRIDE_CHARS, OverrideError, default_text, message_ids, placeholders, validate_override,
};
