//! Who a broadcast goes to: the specification a draft stores (JSON in `broadcasts.audience`)
//! and the one SQL text that resolves it, shared by the preview and the freeze so the count
//! an approver sees is the count that is frozen.

use crate::contacts::sql::Param;
use crate::{SourceKind, StoreError, StoreResult};
use countersign_domain::{BroadcastChannels, CustomerId, IntegrationId};
use serde::{Deserialize, Serialize};

/// Who a broadcast goes to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Audience {
    /// Every contact of every customer of the org.
    AllCustomers,
    /// Every contact of these customers.
    Customers(Vec<CustomerId>),
    /// The contacts that match every condition set.
    Filter(AudienceFilter),
}

/// Conditions of a filtered audience; unset ones match every contact.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AudienceFilter {
    /// Contacts of this customer.
    pub customer: Option<CustomerId>,
    /// Contacts from this source (manual, Microsoft 365, …).
    pub source: Option<SourceKind>,
    /// Contacts of the customers linked through this integration.
    pub integration: Option<IntegrationId>,
    /// Only contacts with a mobile number (read as E.164).
    pub has_mobile: bool,
    /// Only contacts with an email address.
    pub has_email: bool,
    /// Job title contains this text (case-insensitive for ASCII letters).
    pub job_title_contains: Option<String>,
    /// Department contains this text (case-insensitive for ASCII letters).
    pub department_contains: Option<String>,
}

/// The stored JSON form: a tagged object, so a future kind of audience adds a tag rather
/// than reinterpreting old rows.
#[derive(Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum Stored {
    All,
    Customers {
        customers: Vec<CustomerId>,
    },
    Filter {
        #[serde(default)]
        customer: Option<CustomerId>,
        #[serde(default)]
        source: Option<String>,
        #[serde(default)]
        integration: Option<IntegrationId>,
        #[serde(default)]
        has_mobile: bool,
        #[serde(default)]
        has_email: bool,
        #[serde(default)]
        job_title_contains: Option<String>,
        #[serde(default)]
        department_contains: Option<String>,
    },
}

impl Audience {
    /// The stored JSON.
    #[must_use]
    pub fn to_json(&self) -> String {
        let stored = match self {
            Self::AllCustomers => Stored::All,
            Self::Customers(ids) => Stored::Customers {
                customers: ids.clone(),
            },
            Self::Filter(f) => Stored::Filter {
                customer: f.customer,
                source: f.source.map(|s| s.as_str().to_owned()),
                integration: f.integration,
                has_mobile: f.has_mobile,
                has_email: f.has_email,
                job_title_contains: f.job_title_contains.clone(),
                department_contains: f.department_contains.clone(),
            },
        };
        // Serialising this enum of ids, strings and bools cannot fail.
        serde_json::to_string(&stored).unwrap_or_default()
    }

    /// Reads the stored JSON.
    ///
    /// # Errors
    /// `Corrupt` when it is not an audience this version knows.
    pub fn from_json(json: &str) -> StoreResult<Self> {
        let stored: Stored = serde_json::from_str(json)
            .map_err(|e| StoreError::Corrupt(format!("broadcast audience: {e}")))?;
        Ok(match stored {
            Stored::All => Self::AllCustomers,
            Stored::Customers { customers } => Self::Customers(customers),
            Stored::Filter {
                customer,
                source,
                integration,
                has_mobile,
                has_email,
                job_title_contains,
                department_contains,
            } => Self::Filter(AudienceFilter {
                customer,
                source: source
                    .map(|s| SourceKind::parse(&s).ok_or_else(|| crate::sql::corrupt("source", &s)))
                    .transpose()?,
                integration,
                has_mobile,
                has_email,
                job_title_contains,
                department_contains,
            }),
        })
    }
}

/// The contacts an audience matches, as SQL: `WITH cand AS (…)` (no trailing query), with
/// `$1` the org and further placeholders from `$first` on, and their values. `cand` has each
/// contact's id, customer, first name, customer name, why it is blocked (`removed`,
/// `disabled`, or NULL) and its address on each chosen channel (NULL: none, or a channel the
/// broadcast does not use).
pub(crate) fn candidates(
    audience: &Audience,
    channels: BroadcastChannels,
    first: usize,
) -> (String, Vec<Param>) {
    let mut args = Vec::new();
    let mut next = first;
    let mut bind = |a: Param, args: &mut Vec<Param>| {
        args.push(a);
        let p = format!("${next}");
        next += 1;
        p
    };
    let mut pred = String::new();
    match audience {
        Audience::AllCustomers => {}
        Audience::Customers(ids) if ids.is_empty() => pred.push_str(" AND 1 = 0"),
        Audience::Customers(ids) => {
            let list: Vec<String> = ids
                .iter()
                .map(|id| bind(Param::Id(id.0), &mut args))
                .collect();
            pred.push_str(&format!(" AND c.customer_id IN ({})", list.join(", ")));
        }
        Audience::Filter(f) => {
            if let Some(id) = f.customer {
                let p = bind(Param::Id(id.0), &mut args);
                pred.push_str(&format!(" AND c.customer_id = {p}"));
            }
            if let Some(s) = f.source {
                let p = bind(Param::Text(s.as_str().to_owned()), &mut args);
                pred.push_str(&format!(" AND c.source = {p}"));
            }
            if let Some(i) = f.integration {
                let p = bind(Param::Id(i.0), &mut args);
                pred.push_str(&format!(
                    " AND c.customer_id IN (SELECT s.customer_id FROM sync_sources s \
                     WHERE s.org_id = $1 AND s.integration_id = {p} \
                     AND s.customer_id IS NOT NULL)"
                ));
            }
            if f.has_mobile {
                pred.push_str(" AND c.mobile_e164 IS NOT NULL");
            }
            if f.has_email {
                pred.push_str(" AND c.email_key <> ''");
            }
            for (column, text) in [
                ("c.job_title", &f.job_title_contains),
                ("c.department", &f.department_contains),
            ] {
                if let Some(t) = text.as_deref().filter(|t| !t.is_empty()) {
                    let p = bind(Param::Text(contains_pattern(t)), &mut args);
                    pred.push_str(&format!(" AND lower({column}) LIKE {p} ESCAPE '!'"));
                }
            }
        }
    }
    // The channels are our own words, never input: written into the text, they let the
    // planner drop a channel's branch entirely.
    let sms = if channels.sms {
        "c.mobile_e164"
    } else {
        "CAST(NULL AS TEXT)"
    };
    let email = if channels.email {
        "NULLIF(c.email_key, '')"
    } else {
        "CAST(NULL AS TEXT)"
    };
    let sql = format!(
        "WITH cand AS (\
           SELECT c.id, c.customer_id, c.given_name, cu.name AS customer_name, \
           CASE WHEN c.removed_at IS NOT NULL THEN 'removed' \
                WHEN c.account_enabled = FALSE THEN 'disabled' END AS blocked, \
           {sms} AS sms_addr, {email} AS email_addr \
           FROM contacts c JOIN customers cu ON cu.org_id = c.org_id AND cu.id = c.customer_id \
           WHERE c.org_id = $1 AND c.unlinked_at IS NULL{pred}) "
    );
    (sql, args)
}

/// The resolution of an audience as SQL: `WITH cand, ch, marked` (no trailing query), with
/// `$1` the org and further placeholders from `$first` on, and their values.
///
/// - `cand`: see [`candidates`];
/// - `ch`: one row per contact and channel it has an address for;
/// - `marked`: `skip` is the block, or `opted_out` when the contact or the address opted out
///   of that channel; NULL for the rows that may go out.
///
/// Of the rows that may go out, one per (channel, address) does: the contact with the
/// smallest id (UUIDv7: the oldest), the others are duplicates. [`RANKED`] numbers them
/// with a window; the freeze on SQLite instead inserts them in (channel, address, id) order
/// and lets the key keep the first, the same contact (see `Dialect::FIRST_BY_CONFLICT`).
pub(crate) fn resolution(
    audience: &Audience,
    channels: BroadcastChannels,
    first: usize,
) -> (String, Vec<Param>) {
    let (cand, args) = candidates(audience, channels, first);
    let sql = format!(
        "{cand}, \
         ch AS (\
           SELECT id, customer_id, given_name, customer_name, blocked, 'sms' AS channel, \
           sms_addr AS address FROM cand WHERE sms_addr IS NOT NULL \
           UNION ALL \
           SELECT id, customer_id, given_name, customer_name, blocked, 'email' AS channel, \
           email_addr AS address FROM cand WHERE email_addr IS NOT NULL), \
         marked AS (\
           SELECT ch.id, ch.customer_id, ch.given_name, ch.customer_name, ch.channel, \
           ch.address, CASE WHEN ch.blocked IS NOT NULL THEN ch.blocked \
             WHEN {opted_out} THEN 'opted_out' END AS skip \
           FROM ch) ",
        opted_out = opted_out("ch.id", "ch.channel", "ch.address"),
    );
    (sql, args)
}

/// SQL that is true when the contact (`contact`, an id expression) or the address opted out
/// of `channel`. Written as uncorrelated `IN` over the org's opt-outs, which both databases
/// build once as a hash or an ephemeral index: correlated `EXISTS` probes ran twice per row
/// on PostgreSQL (filter and sort key) and took half of a 100,000-contact resolution.
fn opted_out(contact: &str, channel: &str, address: &str) -> String {
    format!(
        "(({channel}, {contact}) IN (SELECT o.channel, o.contact_id FROM broadcast_opt_outs o \
           WHERE o.org_id = $1) \
         OR ({channel}, {address}) IN (SELECT o.channel, o.address FROM broadcast_opt_outs o \
           WHERE o.org_id = $1))"
    )
}

/// `%text%` for `LIKE … ESCAPE '!'`, lowercased, with the pattern characters of `text`
/// escaped so a technician's `50%` or `R_D` matches itself.
fn contains_pattern(text: &str) -> String {
    let mut p = String::from("%");
    for ch in text.to_lowercase().chars() {
        if matches!(ch, '%' | '_' | '!') {
            p.push('!');
        }
        p.push(ch);
    }
    p.push('%');
    p
}

/// The one row of counts both the preview and the freeze report, from a CTE `per` with one
/// row per matched contact: `blocked`, `addressed` (channels it has an address for),
/// `gets_sms` and `gets_email` (0 or 1), and `opted`, SQL true when one of its addressed
/// channels is opted out. Columns: matched, recipients, sms, email, both, then the
/// exclusions in [`crate::Exclusions`] order, each contact under the first reason that
/// applies. `opted` is only evaluated for contacts that got nothing (usually few).
fn tally(opted: &str) -> String {
    format!(
        "SELECT CAST(COUNT(*) AS BIGINT) AS matched, \
          CAST(COALESCE(SUM(CASE WHEN gets_sms + gets_email > 0 THEN 1 ELSE 0 END), 0) \
            AS BIGINT) AS recipients, \
          CAST(COALESCE(SUM(gets_sms), 0) AS BIGINT) AS sms, \
          CAST(COALESCE(SUM(gets_email), 0) AS BIGINT) AS email, \
          CAST(COALESCE(SUM(gets_sms * gets_email), 0) AS BIGINT) AS both_channels, \
          CAST(COALESCE(SUM(CASE WHEN blocked = 'removed' THEN 1 ELSE 0 END), 0) AS BIGINT) \
            AS removed, \
          CAST(COALESCE(SUM(CASE WHEN blocked = 'disabled' THEN 1 ELSE 0 END), 0) AS BIGINT) \
            AS disabled, \
          CAST(COALESCE(SUM(CASE WHEN blocked IS NULL AND addressed = 0 THEN 1 ELSE 0 END), 0) \
            AS BIGINT) AS no_channel, \
          CAST(COALESCE(SUM(CASE WHEN blocked IS NULL AND addressed > 0 \
            AND gets_sms + gets_email = 0 AND ({opted}) THEN 1 ELSE 0 END), 0) AS BIGINT) \
            AS opted_out, \
          CAST(COALESCE(SUM(CASE WHEN blocked IS NULL AND addressed > 0 \
            AND gets_sms + gets_email = 0 AND NOT ({opted}) THEN 1 ELSE 0 END), 0) AS BIGINT) \
            AS duplicate_address \
        FROM per"
    )
}

/// Follows [`resolution`]: `ranked` is `marked` with `rn`, which numbers the rows of one
/// (channel, address) and skip by contact id; the row that may go out with `rn = 1` does.
pub(crate) const RANKED: &str = ", ranked AS (\
    SELECT marked.*, ROW_NUMBER() OVER (PARTITION BY channel, address, skip ORDER BY id) AS rn \
    FROM marked) ";

/// The preview's aggregate over [`resolution`] and [`RANKED`] (see [`tally`]).
pub(crate) fn preview_counts() -> String {
    format!(
        "{RANKED}, per AS (\
          SELECT cand.blocked, COUNT(r.channel) AS addressed, \
          SUM(CASE WHEN r.channel = 'sms' AND r.skip IS NULL AND r.rn = 1 THEN 1 ELSE 0 END) \
            AS gets_sms, \
          SUM(CASE WHEN r.channel = 'email' AND r.skip IS NULL AND r.rn = 1 THEN 1 ELSE 0 END) \
            AS gets_email, \
          SUM(CASE WHEN r.skip = 'opted_out' THEN 1 ELSE 0 END) AS opted \
          FROM cand LEFT JOIN ranked r ON r.id = cand.id GROUP BY cand.id, cand.blocked) {}",
        tally("opted > 0")
    )
}

/// After a freeze, the counts of what it froze, over [`candidates`] with `$2` the broadcast
/// (see [`tally`]): one pass over the contacts, each joined with its row per channel by the
/// key (broadcast, channel, address) and its contact, cheaper than resolving the audience a
/// second time (a `GROUP BY` over the rows sorted them, twice as slow on PostgreSQL). The
/// opt-out checks run only for the contacts that got nothing.
pub(crate) fn frozen_counts() -> String {
    let sms = opted_out("id", "'sms'", "sms_addr");
    let email = opted_out("id", "'email'", "email_addr");
    let got = |alias: &str, channel: &str, address: &str| {
        format!(
            "LEFT JOIN broadcast_recipients {alias} ON {alias}.org_id = $1 \
             AND {alias}.broadcast_id = $2 AND {alias}.channel = '{channel}' \
             AND {alias}.address = cand.{address} AND {alias}.contact_id = cand.id"
        )
    };
    format!(
        ", per AS (\
          SELECT cand.id, cand.blocked, cand.sms_addr, cand.email_addr, \
          CASE WHEN cand.sms_addr IS NULL AND cand.email_addr IS NULL THEN 0 ELSE 1 END \
            AS addressed, \
          CASE WHEN rs.contact_id IS NULL THEN 0 ELSE 1 END AS gets_sms, \
          CASE WHEN re.contact_id IS NULL THEN 0 ELSE 1 END AS gets_email \
          FROM cand {} {}) {}",
        got("rs", "sms", "sms_addr"),
        got("re", "email", "email_addr"),
        tally(&format!(
            "((sms_addr IS NOT NULL AND {sms}) OR (email_addr IS NOT NULL AND {email}))"
        ))
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn audiences_round_trip_through_their_json() {
        let all = [
            Audience::AllCustomers,
            Audience::Customers(vec![CustomerId::new(), CustomerId::new()]),
            Audience::Filter(AudienceFilter {
                customer: Some(CustomerId::new()),
                source: Some(SourceKind::Microsoft365),
                integration: Some(IntegrationId::new()),
                has_mobile: true,
                has_email: false,
                job_title_contains: Some("Engineer".into()),
                department_contains: None,
            }),
        ];
        for a in all {
            assert_eq!(Audience::from_json(&a.to_json()).unwrap(), a);
        }
        assert!(Audience::from_json(r#"{"kind":"everyone"}"#).is_err());
        assert!(Audience::from_json(r#"{"kind":"filter","source":"fax"}"#).is_err());
    }

    #[test]
    fn contains_patterns_escape_like_characters() {
        assert_eq!(contains_pattern("R_D 50%"), "%r!_d 50!%%");
        assert_eq!(contains_pattern("a!b"), "%a!!b%");
    }
}
