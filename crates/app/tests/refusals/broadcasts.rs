//! Broadcasts: drafting, previews, approval and the org's rules refuse a principal without
//! their permission before reading anything (the ids below exist nowhere, so a use case that
//! looked first would answer "not found" instead).

use crate::{Case, Env, case};
use countersign_app::broadcasts::{BroadcastInput, BroadcastRules};
use countersign_domain::{BroadcastChannels, BroadcastId, BroadcastTemplateId, ContactId};
use countersign_store::Audience;

fn input() -> BroadcastInput {
    BroadcastInput {
        name: "Exchange outage".into(),
        channels: BroadcastChannels::SMS,
        sms_text: "Exchange is down".into(),
        email_subject: String::new(),
        email_body: String::new(),
        audience: Audience::AllCustomers,
        scheduled_at: None,
        respect_quiet_hours: false,
    }
}

pub fn cases(env: &Env) -> Vec<Case<'_>> {
    let by = &env.nobody;
    vec![
        case!(env.app, create_broadcast_draft(by, &input())),
        case!(
            env.app,
            edit_broadcast_draft(by, BroadcastId::new(), &input())
        ),
        case!(
            env.app,
            preview_broadcast_audience(by, &Audience::AllCustomers, BroadcastChannels::BOTH)
        ),
        case!(
            env.app,
            preview_broadcast_message(by, BroadcastId::new(), ContactId::new())
        ),
        case!(env.app, request_broadcast_approval(by, BroadcastId::new())),
        case!(env.app, approve_broadcast(by, BroadcastId::new(), 1)),
        case!(env.app, broadcasts(by)),
        case!(env.app, broadcast(by, BroadcastId::new())),
        case!(env.app, broadcast_progress(by, BroadcastId::new())),
        case!(env.app, broadcast_report(by, BroadcastId::new(), None, 10)),
        case!(env.app, broadcast_report_csv(by, BroadcastId::new())),
        case!(env.app, broadcast_replies(by, BroadcastId::new(), 10)),
        case!(env.app, cancel_broadcast(by, BroadcastId::new())),
        case!(env.app, retry_failed_broadcast(by, BroadcastId::new())),
        case!(
            env.app,
            send_test_broadcast(by, BroadcastId::new(), Some("+14155550100"))
        ),
        case!(env.app, broadcast_rules(by)),
        case!(env.app, save_broadcast_rules(by, BroadcastRules::default())),
        case!(
            env.app,
            save_broadcast_template(
                by,
                None,
                "Outage",
                BroadcastChannels::SMS,
                ["Exchange is down", "", ""]
            )
        ),
        case!(env.app, broadcast_templates(by)),
        case!(
            env.app,
            delete_broadcast_template(by, BroadcastTemplateId::new())
        ),
    ]
}
