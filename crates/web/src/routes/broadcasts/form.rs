//! The compose form as typed, and its reading into a draft at the edge. The form is read
//! from its pairs (`customer` repeats, one per ticked box), so what was typed can be shown
//! again unchanged when something is refused.

use countersign_app::FieldMessage;
use countersign_app::broadcasts::BroadcastInput;
use countersign_domain::{BroadcastChannels, CustomerId, IntegrationId, Timestamp, Zone};
use countersign_store::{Audience, AudienceFilter, Broadcast, BroadcastTemplate, SourceKind};

/// What the compose form holds, as text.
#[derive(Clone, Debug, Default)]
pub(super) struct ComposeForm {
    pub name: String,
    /// `sms`, `email` or `sms,email`.
    pub channels: String,
    pub sms_text: String,
    pub email_subject: String,
    pub email_body: String,
    /// `all`, `customers` or `filter`.
    pub audience: String,
    /// Ticked customers (audience `customers`).
    pub customers: Vec<String>,
    pub f_customer: String,
    pub f_source: String,
    pub f_integration: String,
    pub f_has_mobile: bool,
    pub f_has_email: bool,
    pub f_job_title: String,
    pub f_department: String,
    /// `YYYY-MM-DDTHH:MM` in the org's time zone, or empty (on approval).
    pub scheduled_at: String,
    /// Wait for the end of the quiet hours in each customer's time zone.
    pub respect_quiet_hours: bool,
    /// The name a "Save as template" gives.
    pub template_name: String,
}

impl ComposeForm {
    /// A new broadcast's form: both channels, every customer.
    pub fn blank() -> Self {
        Self {
            channels: "sms,email".into(),
            audience: "all".into(),
            ..Self::default()
        }
    }

    /// The form as posted (or as a query string); unknown names are ignored.
    pub fn from_pairs(pairs: &[(String, String)]) -> Self {
        let mut f = Self::default();
        for (k, v) in pairs {
            let v = v.clone();
            match k.as_str() {
                "name" => f.name = v,
                "channels" => f.channels = v,
                "sms_text" => f.sms_text = v,
                "email_subject" => f.email_subject = v,
                "email_body" => f.email_body = v,
                "audience" => f.audience = v,
                "customer" => f.customers.push(v),
                "f_customer" => f.f_customer = v,
                "f_source" => f.f_source = v,
                "f_integration" => f.f_integration = v,
                "f_has_mobile" => f.f_has_mobile = true,
                "f_has_email" => f.f_has_email = true,
                "f_job_title" => f.f_job_title = v,
                "f_department" => f.f_department = v,
                "scheduled_at" => f.scheduled_at = v,
                "respect_quiet_hours" => f.respect_quiet_hours = true,
                "template_name" => f.template_name = v,
                _ => {}
            }
        }
        f
    }

    /// A stored draft's form, its schedule in the org's time zone.
    pub fn from_broadcast(b: &Broadcast, zone: &Zone) -> Self {
        let mut f = Self {
            name: b.name.clone(),
            channels: b.channels.as_str().to_owned(),
            sms_text: b.sms_text.clone(),
            email_subject: b.email_subject.clone(),
            email_body: b.email_body.clone(),
            scheduled_at: b
                .scheduled_at
                .map(|at| zone.input_value(at))
                .unwrap_or_default(),
            respect_quiet_hours: b.respect_quiet_hours,
            template_name: b.name.clone(),
            ..Self::default()
        };
        match &b.audience {
            Audience::AllCustomers => f.audience = "all".into(),
            Audience::Customers(ids) => {
                f.audience = "customers".into();
                f.customers = ids.iter().map(ToString::to_string).collect();
            }
            Audience::Filter(x) => {
                f.audience = "filter".into();
                f.f_customer = x.customer.map(|c| c.to_string()).unwrap_or_default();
                f.f_source = x.source.map(|s| s.as_str().to_owned()).unwrap_or_default();
                f.f_integration = x.integration.map(|i| i.to_string()).unwrap_or_default();
                f.f_has_mobile = x.has_mobile;
                f.f_has_email = x.has_email;
                f.f_job_title = x.job_title_contains.clone().unwrap_or_default();
                f.f_department = x.department_contains.clone().unwrap_or_default();
            }
        }
        f
    }

    /// Takes a template's name, channels and texts (the audience and schedule stay).
    pub fn apply_template(&mut self, t: &BroadcastTemplate) {
        if self.name.trim().is_empty() {
            self.name.clone_from(&t.name);
        }
        self.template_name.clone_from(&t.name);
        self.channels = t.channels.as_str().to_owned();
        self.sms_text.clone_from(&t.sms_text);
        self.email_subject.clone_from(&t.email_subject);
        self.email_body.clone_from(&t.email_body);
    }

    /// Whether a customer's box is ticked.
    pub fn chosen(&self, id: &str) -> bool {
        self.customers.iter().any(|c| c == id)
    }

    /// The channels, or why not.
    pub fn channels(&self) -> Result<BroadcastChannels, FieldMessage> {
        BroadcastChannels::parse(&self.channels)
            .ok_or_else(|| invalid("channels", "Choose SMS, email or both."))
    }

    /// The audience as specified, or why not. The app checks that the customers are the
    /// org's; here only the shape is read.
    pub fn audience(&self) -> Result<Audience, FieldMessage> {
        match self.audience.as_str() {
            "all" => Ok(Audience::AllCustomers),
            "customers" => {
                let ids = self
                    .customers
                    .iter()
                    .map(|c| c.parse::<CustomerId>())
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(|_| invalid("audience", "Choose the customers again."))?;
                Ok(Audience::Customers(ids))
            }
            "filter" => {
                let customer = optional::<CustomerId>(&self.f_customer)
                    .map_err(|()| invalid("audience", "Choose the customer again."))?;
                let integration = optional::<IntegrationId>(&self.f_integration)
                    .map_err(|()| invalid("audience", "Choose the integration again."))?;
                let source = match self.f_source.trim() {
                    "" => None,
                    s => Some(
                        SourceKind::parse(s)
                            .ok_or_else(|| invalid("audience", "Choose the source again."))?,
                    ),
                };
                let text = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
                Ok(Audience::Filter(AudienceFilter {
                    customer,
                    source,
                    integration,
                    has_mobile: self.f_has_mobile,
                    has_email: self.f_has_email,
                    job_title_contains: text(&self.f_job_title),
                    department_contains: text(&self.f_department),
                }))
            }
            _ => Err(invalid(
                "audience",
                "Choose who gets it: every customer, chosen customers or a filter.",
            )),
        }
    }

    /// The draft to store, or every field that cannot be read. The schedule is read in the
    /// org's time zone.
    pub fn input(&self, zone: &Zone) -> Result<BroadcastInput, Vec<FieldMessage>> {
        let channels = self.channels();
        let audience = self.audience();
        let scheduled_at = parse_schedule(&self.scheduled_at, zone);
        match (channels, audience, scheduled_at) {
            (Ok(channels), Ok(audience), Ok(scheduled_at)) => Ok(BroadcastInput {
                name: self.name.clone(),
                channels,
                sms_text: self.sms_text.clone(),
                email_subject: self.email_subject.clone(),
                email_body: self.email_body.clone(),
                audience,
                scheduled_at,
                respect_quiet_hours: self.respect_quiet_hours,
            }),
            (c, a, s) => Err([c.err(), a.err(), s.err()].into_iter().flatten().collect()),
        }
    }
}

fn invalid(field: &'static str, message: &str) -> FieldMessage {
    FieldMessage {
        field: Some(field),
        message: message.to_owned(),
    }
}

/// An optional id: empty is `None`; anything else must parse.
fn optional<T: std::str::FromStr>(raw: &str) -> Result<Option<T>, ()> {
    match raw.trim() {
        "" => Ok(None),
        s => s.parse().map(Some).map_err(|_| ()),
    }
}

/// The schedule field: empty (on approval) or `YYYY-MM-DDTHH:MM` (what a `datetime-local`
/// input sends) in `zone`.
pub(super) fn parse_schedule(raw: &str, zone: &Zone) -> Result<Option<Timestamp>, FieldMessage> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    // A browser may send seconds too.
    let raw = raw.get(..16).unwrap_or(raw);
    zone.parse_local(raw).map(Some).map_err(|e| FieldMessage {
        field: Some("scheduled_at"),
        message: crate::routes::sentence(&format!(
            "{e} ({}), or leave it empty to send on approval",
            zone.name()
        )),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(p: &[(&str, &str)]) -> Vec<(String, String)> {
        p.iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn chosen_customers_repeat_and_a_malformed_one_is_refused() {
        let a = CustomerId::new();
        let b = CustomerId::new();
        let f = ComposeForm::from_pairs(&pairs(&[
            ("audience", "customers"),
            ("customer", &a.to_string()),
            ("customer", &b.to_string()),
        ]));
        assert_eq!(f.audience().unwrap(), Audience::Customers(vec![a, b]));
        let bad = ComposeForm::from_pairs(&pairs(&[("audience", "customers"), ("customer", "x")]));
        assert_eq!(bad.audience().unwrap_err().field, Some("audience"));
    }

    #[test]
    fn a_filter_keeps_only_what_is_set() {
        let f = ComposeForm::from_pairs(&pairs(&[
            ("audience", "filter"),
            ("f_source", "manual"),
            ("f_has_mobile", "on"),
            ("f_job_title", "  engineer "),
            ("f_department", "  "),
        ]));
        let Audience::Filter(x) = f.audience().unwrap() else {
            panic!("not a filter");
        };
        assert_eq!(x.source, Some(SourceKind::Manual));
        assert!(x.has_mobile && !x.has_email);
        assert_eq!(x.job_title_contains.as_deref(), Some("engineer"));
        assert_eq!(x.department_contains, None);
        assert_eq!(x.customer, None);
    }

    #[test]
    fn every_unreadable_field_is_named() {
        let f = ComposeForm::from_pairs(&pairs(&[
            ("channels", "fax"),
            ("audience", "everyone"),
            ("scheduled_at", "tomorrow"),
        ]));
        let fields: Vec<_> = f
            .input(&Zone::utc())
            .unwrap_err()
            .iter()
            .map(|m| m.field)
            .collect();
        assert_eq!(
            fields,
            vec![Some("channels"), Some("audience"), Some("scheduled_at")]
        );
    }

    #[test]
    fn a_schedule_is_read_in_the_org_zone() {
        let berlin = Zone::parse("Europe/Berlin").unwrap();
        let at = parse_schedule("2026-12-07T09:30", &berlin)
            .unwrap()
            .unwrap();
        let utc = parse_schedule("2026-12-07T09:30", &Zone::utc())
            .unwrap()
            .unwrap();
        assert_eq!(
            utc.millis() - at.millis(),
            3_600_000,
            "Berlin is UTC+1 in December"
        );
        assert_eq!(berlin.input_value(at), "2026-12-07T09:30");
        assert_eq!(
            parse_schedule("2026-12-07T09:30:00", &berlin).unwrap(),
            Some(at)
        );
        assert_eq!(parse_schedule(" ", &berlin).unwrap(), None);
        let bad = parse_schedule("tomorrow", &berlin).unwrap_err();
        assert_eq!(bad.field, Some("scheduled_at"));
    }
}
