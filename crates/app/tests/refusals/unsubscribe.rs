//! A contact's broadcast opt-outs: reading them needs `ViewDirectory` and removing one needs
//! `ManageSettings`, checked before anything is read (the ids below exist nowhere, so a use
//! case that looked first would answer "not found" instead). The unsubscribe link itself has no
//! principal: its MAC is the authority (see `broadcasts/unsubscribe.rs`).

use crate::{Case, Env, case};
use countersign_domain::{Channel, ContactId};

pub fn cases(env: &Env) -> Vec<Case<'_>> {
    let by = &env.nobody;
    vec![
        case!(env.app, contact_opt_outs(by, ContactId::new())),
        case!(
            env.app,
            remove_contact_opt_out(by, ContactId::new(), ContactId::new(), Channel::Email)
        ),
    ]
}
