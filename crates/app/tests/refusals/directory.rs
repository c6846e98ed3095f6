//! The directory, the Pod, verification and Secure Send / Request: every use case refuses a
//! principal without its permission before it reads anything (the ids below exist nowhere,
//! so a use case that looked first would answer "not found" instead).

use crate::{Case, Env, case};
use countersign_app::contacts::{ContactInput, ContactListQuery, PodRequest};
use countersign_app::secrets::{Expiry, LinkChannel, LinkList, NewLink, Payload};
use countersign_app::verification::{Method, StartRequest};
use countersign_domain::{ContactId, CustomerId, SecretId, TechnicianCheckId, VerificationId};

fn link() -> NewLink {
    NewLink {
        contact: None,
        to: String::new(),
        channel: LinkChannel::Copy,
        label: "note".into(),
        payload: Payload::Send {
            envelope: vec![1; 64],
            server_share: None,
            has_passphrase: false,
            link_key: None,
        },
        max_views: 1,
        expiry: Expiry::Hour,
        notify_on_reveal: false,
    }
}

fn start() -> StartRequest {
    let contact = ContactId::new();
    StartRequest {
        contact,
        pod_contact: contact,
        method: Method::SmsCode,
        typed_destination: None,
        note: String::new(),
    }
}

pub fn cases(env: &Env) -> Vec<Case<'_>> {
    let by = &env.nobody;
    vec![
        case!(env.app, create_customer(by, "Corner Shop", None)),
        case!(
            env.app,
            update_customer(by, CustomerId::new(), "Shop", None)
        ),
        case!(
            env.app,
            set_customer_time_zone(by, CustomerId::new(), "Europe/Berlin")
        ),
        case!(env.app, customer_time_zone(by, CustomerId::new())),
        case!(env.app, set_customer_language(by, CustomerId::new(), "de")),
        case!(env.app, customer_language(by, CustomerId::new())),
        case!(env.app, end_user_text_overrides(by)),
        case!(env.app, set_end_user_text(by, "de", "approve-button", "Ja")),
        case!(env.app, reset_end_user_text(by, "de", "approve-button")),
        case!(
            env.app,
            create_contact(by, CustomerId::new(), &ContactInput::default())
        ),
        case!(
            env.app,
            edit_contact(by, ContactId::new(), &ContactInput::default())
        ),
        case!(env.app, delete_contact(by, ContactId::new())),
        case!(
            env.app,
            pod_view(by, ContactId::new(), PodRequest::default())
        ),
        case!(env.app, contact_list(by, &ContactListQuery::default())),
        case!(env.app, contact_page(by, ContactId::new())),
        case!(env.app, new_contact_customer(by, CustomerId::new())),
        case!(env.app, customer_list(by, None)),
        case!(env.app, customer_page(by, CustomerId::new())),
        case!(env.app, check_code(by, VerificationId::new(), "123456")),
        case!(env.app, start_verification(by, start())),
        case!(env.app, send_who_i_am(by, ContactId::new())),
        case!(
            env.app,
            confirm_technician_check(by, TechnicianCheckId::new())
        ),
        case!(env.app, verification_status(by, VerificationId::new())),
        case!(env.app, technician_inbox(by, true)),
        case!(env.app, create_secret_link(by, link())),
        case!(env.app, secret_link_status(by, SecretId::new())),
        case!(env.app, burn_secret_link(by, SecretId::new())),
        case!(env.app, set_secret_link_notify(by, SecretId::new(), true)),
        case!(env.app, reveal_secret_request(by, SecretId::new())),
        case!(env.app, secret_expiries(by)),
        case!(env.app, secret_link_list(by, LinkList::Mine)),
        case!(env.app, secret_link_list(by, LinkList::Org)),
    ]
}
