//! The languages end users read, and which one a page or message uses.
//!
//! The rule (docs/architecture.md, "End-user languages"): the contact's own language (the
//! source's `preferredLanguage`, e.g. `de-DE`), else the customer's (set on the customer
//! page), else — on a public page only — the browser's `Accept-Language`, else English. A
//! value naming a language we have no texts for is skipped, not a stop: `it-IT` on the
//! contact falls through to the customer's language.

/// A language the end-user texts exist in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Language {
    /// English (the default, and the fallback of a message missing in a translation).
    En,
    /// German.
    De,
    /// French.
    Fr,
    /// Spanish.
    Es,
    /// Dutch.
    Nl,
}

impl Language {
    /// Every language, in the order pages list them.
    pub const ALL: [Self; 5] = [Self::En, Self::De, Self::Fr, Self::Es, Self::Nl];

    /// The primary subtag (`de`): what is stored and what `<html lang>` says.
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            Self::En => "en",
            Self::De => "de",
            Self::Fr => "fr",
            Self::Es => "es",
            Self::Nl => "nl",
        }
    }

    /// The language's own name, for pickers.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::En => "English",
            Self::De => "Deutsch",
            Self::Fr => "Français",
            Self::Es => "Español",
            Self::Nl => "Nederlands",
        }
    }

    /// Reads a language tag by its primary subtag, case-insensitively: `de`, `de-DE`,
    /// `de_AT`, `DE` are German. `None` for a language we have no texts for.
    #[must_use]
    pub fn from_tag(tag: &str) -> Option<Self> {
        let primary = tag.trim().split(['-', '_']).next()?;
        Self::ALL
            .into_iter()
            .find(|l| l.code().eq_ignore_ascii_case(primary))
    }

    /// The first language of an `Accept-Language` header we have texts for, by the
    /// header's weights (`q`); equal weights keep the header's order. `q=0` means "not this".
    #[must_use]
    pub fn from_accept_language(header: &str) -> Option<Self> {
        let mut ranked: Vec<(u16, usize, Self)> = header
            .split(',')
            .enumerate()
            .filter_map(|(i, item)| {
                let mut parts = item.split(';');
                let lang = Self::from_tag(parts.next()?)?;
                let q = parts
                    .find_map(|p| p.trim().strip_prefix("q="))
                    .map_or(Some(1000), parse_weight)?;
                (q > 0).then_some((q, i, lang))
            })
            .collect();
        ranked.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        ranked.first().map(|r| r.2)
    }

    /// A stored code, or `None` when it is absent or names no language of ours.
    #[must_use]
    pub fn stored(code: Option<&str>) -> Option<Self> {
        code.and_then(Self::from_tag)
    }
}

/// A `q` value (`0` to `1`, up to three decimals) in thousandths; `None` when malformed (the
/// item is then ignored, as RFC 9110 lets a recipient do).
fn parse_weight(q: &str) -> Option<u16> {
    let v: f32 = q.trim().parse().ok()?;
    if !(0.0..=1.0).contains(&v) {
        return None;
    }
    // In range 0..=1000 after the check above.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    Some((v * 1000.0).round() as u16)
}

/// The language of an end-user page or message: the contact's, else the customer's, else the
/// browser's (public pages; `None` for messages), else English.
#[must_use]
pub fn choose_language(
    contact: Option<&str>,
    customer: Option<&str>,
    accept_language: Option<&str>,
) -> Language {
    Language::stored(contact)
        .or_else(|| Language::stored(customer))
        .or_else(|| accept_language.and_then(Language::from_accept_language))
        .unwrap_or(Language::En)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_read_by_their_primary_subtag() {
        assert_eq!(Language::from_tag("de-DE"), Some(Language::De));
        assert_eq!(Language::from_tag("nl_BE"), Some(Language::Nl));
        assert_eq!(Language::from_tag(" FR "), Some(Language::Fr));
        assert_eq!(Language::from_tag("es-419"), Some(Language::Es));
        assert_eq!(Language::from_tag("en"), Some(Language::En));
        assert_eq!(Language::from_tag("it-IT"), None);
        assert_eq!(Language::from_tag(""), None);
        // A prefix is not a language: "den" is not Danish-or-German.
        assert_eq!(Language::from_tag("den"), None);
    }

    #[test]
    fn accept_language_follows_weights_then_order() {
        let pick = Language::from_accept_language;
        assert_eq!(pick("de-DE,de;q=0.9,en;q=0.8"), Some(Language::De));
        assert_eq!(pick("it-IT, fr;q=0.5, nl;q=0.7"), Some(Language::Nl));
        assert_eq!(pick("en;q=0.5, es;q=0.5"), Some(Language::En));
        assert_eq!(pick("es;q=0.5, en;q=0.5"), Some(Language::Es));
        assert_eq!(pick("de;q=0, fr"), Some(Language::Fr));
        assert_eq!(pick("de;q=abc, nl"), Some(Language::Nl));
        assert_eq!(pick("*"), None);
        assert_eq!(pick("it, pt-BR"), None);
        assert_eq!(pick(""), None);
    }

    #[test]
    fn contact_then_customer_then_browser_then_english() {
        let de = Some("de-DE");
        let fr = Some("fr");
        let browser = Some("nl-NL,nl;q=0.9");
        assert_eq!(choose_language(de, fr, browser), Language::De);
        assert_eq!(choose_language(None, fr, browser), Language::Fr);
        assert_eq!(choose_language(None, None, browser), Language::Nl);
        assert_eq!(choose_language(None, None, None), Language::En);
        // A language we have no texts for falls through rather than stopping at English.
        assert_eq!(choose_language(Some("it-IT"), fr, None), Language::Fr);
        assert_eq!(
            choose_language(Some("pt"), Some("ja"), browser),
            Language::Nl
        );
        assert_eq!(choose_language(Some("pt"), None, Some("ja")), Language::En);
    }
}
