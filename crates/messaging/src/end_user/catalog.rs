//! The end-user texts: the Fluent files under `crates/messaging/locales/<lang>/end-user.ftl`
//! (compiled in, so a binary never runs without them), and an org's overrides laid over them.

use super::Language;
use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use std::sync::{Arc, LazyLock};

/// The translator-edited sources, one file per language.
const SOURCES: [(Language, &str); 5] = [
    (Language::En, include_str!("../../locales/en/end-user.ftl")),
    (Language::De, include_str!("../../locales/de/end-user.ftl")),
    (Language::Fr, include_str!("../../locales/fr/end-user.ftl")),
    (Language::Es, include_str!("../../locales/es/end-user.ftl")),
    (Language::Nl, include_str!("../../locales/nl/end-user.ftl")),
];

type Bundle = FluentBundle<FluentResource>;

/// An empty bundle of a language. Placeables are not wrapped in Unicode isolation marks:
/// the texts go into SMS and HTML, where the invisible marks would only cost characters.
pub(crate) fn empty_bundle(language: Language) -> Bundle {
    let id = language
        .code()
        .parse()
        .expect("every language code is a valid language identifier");
    let mut bundle = FluentBundle::new_concurrent(vec![id]);
    bundle.set_use_isolating(false);
    bundle
}

/// The bundled defaults, parsed once. A file that does not parse is a bug the unit tests
/// catch before a release.
static DEFAULTS: LazyLock<Vec<(Language, Bundle)>> = LazyLock::new(|| {
    SOURCES
        .iter()
        .map(|(language, source)| {
            let resource = FluentResource::try_new((*source).to_owned())
                .unwrap_or_else(|(_, errors)| panic!("{language:?} end-user.ftl: {errors:?}"));
            let mut bundle = empty_bundle(*language);
            bundle
                .add_resource(resource)
                .unwrap_or_else(|errors| panic!("{language:?} end-user.ftl: {errors:?}"));
            (*language, bundle)
        })
        .collect()
});

fn defaults(language: Language) -> &'static Bundle {
    DEFAULTS
        .iter()
        .find(|(l, _)| *l == language)
        .map(|(_, b)| b)
        .expect("every language has a bundle")
}

/// The source text of a language's file (the Settings page parses it for the defaults).
pub(crate) fn source(language: Language) -> &'static str {
    SOURCES
        .iter()
        .find(|(l, _)| *l == language)
        .map(|(_, s)| *s)
        .expect("every language has a file")
}

/// A value a text may show.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Arg {
    Text(String),
    Number(i64),
}

/// The texts of one page or message in one language: the defaults, with the org's overrides
/// of that language laid over them, and the values the texts' placeholders show.
#[derive(Clone)]
pub struct Texts {
    language: Language,
    /// Shared: a page clones its texts to fill a placeholder for one message.
    overrides: Option<Arc<Bundle>>,
    args: Vec<(&'static str, Arg)>,
}

impl std::fmt::Debug for Texts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The values may be codes and links: never printed.
        f.debug_struct("Texts")
            .field("language", &self.language)
            .field("overridden", &self.overrides.is_some())
            .finish_non_exhaustive()
    }
}

impl Texts {
    /// The texts of `language`, with `overrides` (message id, override text) of that
    /// language. An override that no longer parses (it was checked when saved; a later
    /// release may have renamed the message) is ignored and the default shown.
    #[must_use]
    pub fn new(language: Language, overrides: &[(String, String)]) -> Self {
        let overrides = (!overrides.is_empty()).then(|| {
            let mut bundle = empty_bundle(language);
            for (id, text) in overrides {
                if let Ok(resource) = FluentResource::try_new(super::overrides::source_of(id, text))
                {
                    // Each override is its own message id: nothing to collide with.
                    let _ = bundle.add_resource(resource);
                }
            }
            Arc::new(bundle)
        });
        Self {
            language,
            overrides,
            args: Vec::new(),
        }
    }

    /// The defaults of `language`, without overrides.
    #[must_use]
    pub fn defaults(language: Language) -> Self {
        Self::new(language, &[])
    }

    /// The language shown.
    #[must_use]
    pub fn language(&self) -> Language {
        self.language
    }

    /// Sets what `{ $name }` shows.
    #[must_use]
    pub fn with(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.set(name, Arg::Text(value.into()));
        self
    }

    /// Sets a number `{ $name }` shows (plural forms select on it).
    #[must_use]
    pub fn with_number(mut self, name: &'static str, value: i64) -> Self {
        self.set(name, Arg::Number(value));
        self
    }

    fn set(&mut self, name: &'static str, value: Arg) {
        self.args.retain(|(n, _)| *n != name);
        self.args.push((name, value));
    }

    /// The text of message `id`: the org's override, else this language's default, else
    /// English's (a message a translation lacks), else the id itself (a typo in a template,
    /// which the tests of every page would show).
    #[must_use]
    pub fn t(&self, id: &str) -> String {
        let mut args = FluentArgs::new();
        for (name, value) in &self.args {
            match value {
                Arg::Text(s) => args.set(*name, FluentValue::from(s.as_str())),
                Arg::Number(n) => args.set(*name, FluentValue::from(*n)),
            }
        }
        self.overrides
            .as_ref()
            .and_then(|b| format(b.as_ref(), id, &args))
            .or_else(|| format(defaults(self.language), id, &args))
            .or_else(|| format(defaults(Language::En), id, &args))
            .unwrap_or_else(|| id.to_owned())
    }
}

/// Formats one message, or `None` when the bundle lacks it or a placeholder had no value
/// (then the next bundle is tried rather than showing `{$code}` to an end user).
fn format(bundle: &Bundle, id: &str, args: &FluentArgs<'_>) -> Option<String> {
    let pattern = bundle.get_message(id)?.value()?;
    let mut errors = Vec::new();
    let text = bundle.format_pattern(pattern, Some(args), &mut errors);
    errors.is_empty().then(|| text.into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_file_parses() {
        for (language, _) in SOURCES {
            let _ = defaults(language);
        }
    }

    #[test]
    fn placeholders_show_their_values_and_plurals_select() {
        let t = Texts::defaults(Language::De)
            .with("msp", "Contoso IT")
            .with("technician", "Dana")
            .with("code", "123456")
            .with_number("minutes", 10);
        let sms = t.t("sms-verify-code");
        assert!(sms.contains("Contoso IT"), "{sms}");
        assert!(sms.contains("123456"), "{sms}");
        assert!(sms.contains("10 Min"), "{sms}");
        assert!(!sms.contains('\u{2068}'), "no isolation marks: {sms}");
        let en = Texts::defaults(Language::En).with("expires", "7 Dec 2026, 09:00 CET");
        let once = en.clone().with_number("views", 1).t("secret-send-views");
        assert!(
            once.starts_with("It can be revealed once more, until 7 Dec"),
            "{once}"
        );
        let three = en.with_number("views", 3).t("secret-send-views");
        assert!(
            three.starts_with("It can be revealed 3 more times,"),
            "{three}"
        );
    }

    #[test]
    fn an_override_replaces_the_default_of_its_language_only() {
        let overrides = vec![(
            "approve-button".to_owned(),
            "Ja, ich bin es { $msp }".to_owned(),
        )];
        let de = Texts::new(Language::De, &overrides).with("msp", "Contoso");
        assert_eq!(de.t("approve-button"), "Ja, ich bin es Contoso");
        // Another message keeps its default.
        assert_eq!(de.t("approve-deny-button"), "Das war ich nicht");
    }

    #[test]
    fn a_missing_value_falls_back_rather_than_showing_the_placeholder() {
        let overrides = vec![("approve-button".to_owned(), "Go { $msp }".to_owned())];
        // No msp given: the override fails to format, the default (no placeholder) shows.
        let t = Texts::new(Language::En, &overrides);
        assert_eq!(t.t("approve-button"), "Approve");
        assert_eq!(t.t("no-such-message"), "no-such-message");
    }
}
