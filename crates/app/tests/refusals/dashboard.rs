//! The dashboard: both reads refuse a principal without `ViewDirectory`.

use crate::{Case, Env, case};
use countersign_app::dashboard::Period;

pub fn cases(env: &Env) -> Vec<Case<'_>> {
    let by = &env.nobody;
    vec![
        case!(env.app, dashboard(by, Period::default())),
        case!(env.app, dashboard_csv(by, Period::default())),
    ]
}
