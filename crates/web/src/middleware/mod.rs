//! Middleware applied to every route.

pub mod client_ip;
pub mod csrf;
pub mod headers;
pub mod limits;
pub mod observe;
pub mod pod_only;
