//! Pure types and rules shared by every layer: ids, parsed input, roles, policies. No IO.

pub mod broadcast;
pub mod channel;
mod countries;
pub mod email;
pub mod ids;
pub mod lane;
pub mod mask;
pub mod password;
pub mod permission;
pub mod phone;
mod phone_kind;
pub mod role;
pub mod search;
pub mod slug;
pub mod text;
pub mod time;
pub mod verification;
pub mod zone;

pub use broadcast::{BroadcastChannels, BroadcastStatus, OptOutSource, RecipientStatus};
pub use channel::Channel;
pub use email::Email;
pub use ids::*;
pub use lane::Lane;
pub use password::{PasswordOwner, check_password_for};
pub use password::{PasswordPolicyError, check_password_strength};
pub use permission::{Permission, Permissions};
pub use phone::{Country, Phone, PhoneError, PhoneKind};
pub use role::Role;
pub use time::Timestamp;
pub use verification::{VerificationMethod, VerificationStatus};
pub use zone::{QuietHours, Zone, ZoneError};
