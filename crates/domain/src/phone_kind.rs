//! The kind of line of a number (mobile, fixed line, service, …) exactly as libphonenumber's
//! `number_type` and `is_valid` decide it, from the same metadata and the same patterns, but
//! with the patterns compiled here.
//!
//! Why not the crate's own: its patterns live in one shared cache and are compiled with the
//! `regex` crate's defaults, so each pattern keeps lazy-DFA caches of up to 2 MiB for every
//! thread matching it at once. A sync classifies every user's number against a plan's
//! largest patterns (the general description, fixed lines), and `heaptrack` of the sync
//! benchmark found ~40 MB of such caches (docs/benchmarks.md). Here each pattern's cache is
//! bounded ([`DFA_CACHE_BYTES`]): matching stays linear, memory stays small. Plans are
//! compiled once per region, on first use, and kept for the process (they derive from the
//! static metadata only).

use crate::phone::{PhoneKind, database};
use phonenumber::metadata::{Descriptor, Metadata};
use phonenumber::{PhoneNumber, Type};
use regex::{Regex, RegexBuilder};
use std::collections::HashMap;
use std::sync::{Arc, OnceLock, PoisonError, RwLock};

/// The lazy DFA's cache per pattern and matching thread. Big enough for the common path of a
/// plan's patterns; past it the DFA is rebuilt as it goes, which costs time, not correctness.
const DFA_CACHE_BYTES: usize = 256 * 1024;

/// The kind of `number`: `number_type` of the region the number belongs to, or
/// [`PhoneKind::Unknown`] when the number is not valid in its plan.
pub(crate) fn kind(number: &PhoneNumber) -> PhoneKind {
    let code = number.code().value();
    let national = number.national();
    // `number_type` reads the national number without leading zeros; `is_valid` as written
    // (Italy keeps its zero). Without zeros both read the same text and agree.
    let value = national.value().to_string();
    let t = region(code, &value).map_or(Type::Unknown, |plan| plan.number_type(&value));
    if t == Type::Unknown {
        return PhoneKind::Unknown;
    }
    if national.zeros() > 0 {
        let written = national.to_string();
        let valid =
            region(code, &written).is_some_and(|plan| plan.number_type(&written) != Type::Unknown);
        if !valid {
            return PhoneKind::Unknown;
        }
    }
    PhoneKind::of(t)
}

/// The plan a national number of calling code `code` belongs to: the code's only region, or,
/// for a shared code, the first region whose leading digits match (or, without leading
/// digits, whose patterns know the number) — libphonenumber's `source_for`.
fn region(code: u16, national: &str) -> Option<Arc<Plan>> {
    let db = database();
    let regions = db.region(&code)?;
    if let [only] = regions.as_slice() {
        let meta = if *only == "001" {
            db.by_code(&code)?.into_iter().next()?
        } else {
            db.by_id(*only)?
        };
        return Some(plan(meta));
    }
    regions.into_iter().find_map(|id| {
        let plan = plan(db.by_id(id)?);
        let belongs = match &plan.leading_digits {
            Some(leading) => leading.find(national).is_some_and(|m| m.start() == 0),
            None => plan.number_type(national) != Type::Unknown,
        };
        belongs.then_some(plan)
    })
}

/// Compiled plans by calling code and region id (the non-geographic plans share the id `001`).
type Plans = RwLock<HashMap<(u16, &'static str), Arc<Plan>>>;

/// The compiled plan of `meta`, compiled on first use.
fn plan(meta: &'static Metadata) -> Arc<Plan> {
    static PLANS: OnceLock<Plans> = OnceLock::new();
    let plans = PLANS.get_or_init(RwLock::default);
    let key = (meta.country_code(), meta.id());
    if let Some(p) = plans
        .read()
        .unwrap_or_else(PoisonError::into_inner)
        .get(&key)
    {
        return p.clone();
    }
    let compiled = Arc::new(Plan::of(meta));
    plans
        .write()
        .unwrap_or_else(PoisonError::into_inner)
        .entry(key)
        .or_insert(compiled)
        .clone()
}

/// One descriptor's pattern and lengths, matched as the crate's `Descriptor::is_match` does.
struct Pattern {
    regex: Regex,
    lengths: Vec<u16>,
}

impl Pattern {
    fn of(d: &Descriptor) -> Option<Self> {
        Some(Self {
            regex: compile(d.national_number().as_str())?,
            lengths: d.possible_length().to_vec(),
        })
    }

    fn matches(&self, value: &str) -> bool {
        let length_ok = self.lengths.is_empty()
            || u16::try_from(value.len()).is_ok_and(|len| self.lengths.contains(&len));
        length_ok && self.regex.find(value).is_some_and(|m| m.start() == 0)
    }
}

/// A region's patterns, in the order `number_type` asks them.
struct Plan {
    leading_digits: Option<Regex>,
    general: Option<Pattern>,
    /// Service kinds, in libphonenumber's order, before fixed line and mobile.
    services: Vec<(Type, Pattern)>,
    fixed_line: Option<Pattern>,
    mobile: Option<Pattern>,
    /// The plan does not tell fixed lines from mobiles (North America).
    same_fixed_and_mobile: bool,
}

impl Plan {
    fn of(meta: &Metadata) -> Self {
        let d = meta.descriptors();
        let services = [
            (Type::PremiumRate, d.premium_rate()),
            (Type::TollFree, d.toll_free()),
            (Type::SharedCost, d.shared_cost()),
            (Type::Voip, d.voip()),
            (Type::PersonalNumber, d.personal_number()),
            (Type::Pager, d.pager()),
            (Type::Uan, d.uan()),
            (Type::Voicemail, d.voicemail()),
        ]
        .into_iter()
        .filter_map(|(t, d)| Some((t, Pattern::of(d?)?)))
        .collect();
        Self {
            leading_digits: meta.leading_digits().and_then(|r| compile(r.as_str())),
            general: Pattern::of(d.general()),
            services,
            fixed_line: d.fixed_line().and_then(Pattern::of),
            mobile: d.mobile().and_then(Pattern::of),
            same_fixed_and_mobile: d.fixed_line().map(|f| f.national_number().as_str())
                == d.mobile().map(|m| m.national_number().as_str()),
        }
    }

    /// libphonenumber's `number_type` for a national number of this plan.
    fn number_type(&self, value: &str) -> Type {
        if !self.general.as_ref().is_some_and(|g| g.matches(value)) {
            return Type::Unknown;
        }
        if let Some((t, _)) = self.services.iter().find(|(_, p)| p.matches(value)) {
            return *t;
        }
        let mobile = |v: &str| self.mobile.as_ref().is_some_and(|m| m.matches(v));
        if self.fixed_line.as_ref().is_some_and(|f| f.matches(value)) {
            return if self.same_fixed_and_mobile || mobile(value) {
                Type::FixedLineOrMobile
            } else {
                Type::FixedLine
            };
        }
        if mobile(value) {
            Type::Mobile
        } else {
            Type::Unknown
        }
    }
}

/// A metadata pattern compiled as the crate compiles it (whitespace ignored), with a bounded
/// lazy-DFA cache. The metadata's patterns all compile; one that did not would make its
/// descriptor match nothing, as a missing descriptor does.
fn compile(pattern: &str) -> Option<Regex> {
    RegexBuilder::new(pattern)
        .ignore_whitespace(true)
        .dfa_size_limit(DFA_CACHE_BYTES)
        .build()
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::phone::{Country, kind_descriptors, parse_number};

    /// For every region's example numbers of every kind, and for numbers around them, the
    /// kind is libphonenumber's own (`is_valid`, then `number_type`).
    #[test]
    fn agrees_with_libphonenumber_on_every_plan() {
        let db = database();
        let mut checked = 0;
        for country in Country::all() {
            let Some(meta) = db.by_id(country.code()) else {
                continue;
            };
            let examples = kind_descriptors(meta).filter_map(|d| d.example().map(str::to_owned));
            for example in examples {
                // The example, and neighbours that fall in other ranges or in none.
                let mut texts = vec![example.clone()];
                let digits: Vec<char> = example.chars().collect();
                for i in 0..digits.len() {
                    let mut v = digits.clone();
                    v[i] = if v[i] == '9' { '0' } else { '9' };
                    texts.push(v.into_iter().collect());
                }
                texts.push(format!("{example}1"));
                texts.push(example[..example.len().saturating_sub(1)].to_owned());
                for text in texts {
                    let Ok(number) = parse_number(Some(country), &text) else {
                        continue;
                    };
                    let theirs = if number.is_valid() {
                        PhoneKind::of(number.number_type(db))
                    } else {
                        PhoneKind::Unknown
                    };
                    assert_eq!(kind(&number), theirs, "{} {text}", country.code());
                    checked += 1;
                }
            }
        }
        assert!(checked > 5_000, "only {checked} numbers compared");
    }
}
