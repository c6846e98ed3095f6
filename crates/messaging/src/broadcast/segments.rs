//! How many SMS segments a text takes, and in which encoding, so the compose page can show an
//! honest count before an MSP pays for 100,000 of them.
//!
//! A text that fits the GSM 03.38 default alphabet (with its extension table) goes as GSM-7:
//! 160 septets in one segment, or 153 per segment once it is split (a concatenated message
//! spends 7 septets of each on the header). Any other character makes the whole text UCS-2:
//! 70 UTF-16 code units in one segment, 67 per segment when split. Two rules a plain division
//! misses, and carriers apply: an extension character (`€`, `{`, …) costs two septets (ESC
//! plus the character) and is never split across segments, and neither is a character outside
//! the Basic Multilingual Plane (an emoji: a UTF-16 surrogate pair).

/// The encoding a text goes out in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SmsEncoding {
    /// The GSM 03.38 default alphabet, 7 bits a character.
    Gsm7,
    /// UTF-16, 16 bits a code unit: any character outside GSM-7 forces it.
    Ucs2,
}

impl SmsEncoding {
    /// Units (septets or UTF-16 code units) of a text sent as one segment.
    #[must_use]
    pub fn single_segment(self) -> usize {
        match self {
            Self::Gsm7 => 160,
            Self::Ucs2 => 70,
        }
    }

    /// Units of each segment of a split text (the rest is the concatenation header).
    #[must_use]
    pub fn split_segment(self) -> usize {
        match self {
            Self::Gsm7 => 153,
            Self::Ucs2 => 67,
        }
    }

    /// What the compose page calls it.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Self::Gsm7 => "GSM-7",
            Self::Ucs2 => "Unicode (UCS-2)",
        }
    }
}

/// A text's SMS cost.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SmsCount {
    /// The encoding it goes out in.
    pub encoding: SmsEncoding,
    /// Characters as a person counts them (Unicode scalar values).
    pub characters: usize,
    /// Units it takes: septets for GSM-7 (an extension character is two), UTF-16 code units
    /// for UCS-2 (an emoji is two).
    pub units: usize,
    /// Segments billed (0 for an empty text).
    pub segments: usize,
    /// Units still free in the last segment before another one starts.
    pub remaining: usize,
}

/// The characters of the GSM 03.38 default alphabet (one septet each), in table order.
const GSM7_BASIC: &str = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?\
                          ¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";

/// The extension table's characters (ESC plus the character: two septets each).
const GSM7_EXTENSION: &str = "\u{c}^{}\\[~]|€";

/// Septets of `c` in GSM-7, or `None` when it has no GSM-7 form.
fn gsm7_cost(c: char) -> Option<usize> {
    if GSM7_BASIC.contains(c) {
        Some(1)
    } else if GSM7_EXTENSION.contains(c) {
        Some(2)
    } else {
        None
    }
}

/// Counts the encoding, units and segments of `text` as an SMS.
#[must_use]
pub fn sms_count(text: &str) -> SmsCount {
    let gsm: Option<Vec<usize>> = text.chars().map(gsm7_cost).collect();
    let (encoding, costs) = match gsm {
        Some(costs) => (SmsEncoding::Gsm7, costs),
        None => (
            SmsEncoding::Ucs2,
            text.chars().map(char::len_utf16).collect(),
        ),
    };
    let units: usize = costs.iter().sum();
    let (segments, remaining) = if units == 0 {
        (0, encoding.single_segment())
    } else if units <= encoding.single_segment() {
        (1, encoding.single_segment() - units)
    } else {
        // Pack greedily: a character that does not fit whole starts the next segment, so an
        // ESC pair or a surrogate pair is never split (and may leave a unit unused).
        let size = encoding.split_segment();
        let (mut segments, mut used) = (1, 0);
        for cost in costs {
            if used + cost > size {
                segments += 1;
                used = 0;
            }
            used += cost;
        }
        (segments, size - used)
    };
    SmsCount {
        encoding,
        characters: text.chars().count(),
        units,
        segments,
        remaining,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn count(text: &str) -> (SmsEncoding, usize, usize) {
        let c = sms_count(text);
        (c.encoding, c.units, c.segments)
    }

    #[test]
    fn gsm7_takes_160_in_one_segment_then_153_each() {
        assert_eq!(count(""), (SmsEncoding::Gsm7, 0, 0));
        assert_eq!(count(&"a".repeat(160)), (SmsEncoding::Gsm7, 160, 1));
        assert_eq!(count(&"a".repeat(161)), (SmsEncoding::Gsm7, 161, 2));
        assert_eq!(count(&"a".repeat(306)), (SmsEncoding::Gsm7, 306, 2));
        assert_eq!(count(&"a".repeat(307)), (SmsEncoding::Gsm7, 307, 3));
        assert_eq!(sms_count(&"a".repeat(150)).remaining, 10);
        assert_eq!(sms_count(&"a".repeat(200)).remaining, 106);
    }

    #[test]
    fn the_whole_default_alphabet_is_gsm7_and_extension_characters_cost_two() {
        let c = sms_count(GSM7_BASIC);
        assert_eq!(c.encoding, SmsEncoding::Gsm7);
        assert_eq!(c.units, c.characters, "one septet each");
        assert_eq!(GSM7_BASIC.chars().count(), 127, "128 codes less ESC");
        assert_eq!(count("€"), (SmsEncoding::Gsm7, 2, 1));
        assert_eq!(
            count("{x}"),
            (SmsEncoding::Gsm7, 5, 1),
            "two braces, two septets each"
        );
        // 80 euro signs: 160 septets, one segment; one more character splits it.
        assert_eq!(count(&"€".repeat(80)), (SmsEncoding::Gsm7, 160, 1));
        assert_eq!(
            count(&format!("{}a", "€".repeat(80))),
            (SmsEncoding::Gsm7, 161, 2)
        );
    }

    #[test]
    fn an_escape_pair_is_never_split_across_segments() {
        // 152 septets, then an extension character: 154 do not fit in 153, so the pair
        // starts segment two, which then holds it and the 10 septets after it.
        let text = format!("{}€{}", "a".repeat(152), "a".repeat(10));
        let c = sms_count(&text);
        assert_eq!((c.units, c.segments), (164, 2));
        assert_eq!(c.remaining, 153 - 12, "the pair moved whole to segment two");
        // Where a plain division says 2 segments (306 septets), packing needs 3.
        let tight = format!("{}€{}", "a".repeat(152), "a".repeat(152));
        assert_eq!(sms_count(&tight).units, 306);
        assert_eq!(sms_count(&tight).segments, 3);
    }

    #[test]
    fn any_other_character_makes_the_whole_text_ucs2() {
        assert_eq!(count("Café"), (SmsEncoding::Gsm7, 4, 1), "é is GSM-7");
        assert_eq!(
            count("Ça va ç"),
            (SmsEncoding::Ucs2, 7, 1),
            "ç is not (only Ç)"
        );
        assert_eq!(count(&"ж".repeat(70)), (SmsEncoding::Ucs2, 70, 1));
        assert_eq!(count(&"ж".repeat(71)), (SmsEncoding::Ucs2, 71, 2));
        assert_eq!(count(&"ж".repeat(134)), (SmsEncoding::Ucs2, 134, 2));
        assert_eq!(count(&"ж".repeat(135)), (SmsEncoding::Ucs2, 135, 3));
        // Curly quotes are not GSM-7 (a word processor's paste turns a text into UCS-2).
        assert_eq!(sms_count("don’t").encoding, SmsEncoding::Ucs2);
    }

    #[test]
    fn an_emoji_is_two_units_and_never_split() {
        assert_eq!(count("🙂"), (SmsEncoding::Ucs2, 2, 1));
        assert_eq!(sms_count("🙂").characters, 1);
        assert_eq!(count(&"🙂".repeat(35)), (SmsEncoding::Ucs2, 70, 1));
        // 68 units still fit one segment of 70.
        let one = format!("{}🙂", "ж".repeat(66));
        assert_eq!(count(&one), (SmsEncoding::Ucs2, 68, 1));
        // Split: 66 units then an emoji, which does not fit the 67 of segment one whole, so
        // it starts segment two; 134 units (2 x 67 by division) take 3 segments.
        let text = format!("{}🙂{}", "ж".repeat(66), "ж".repeat(66));
        let c = sms_count(&text);
        assert_eq!((c.units, c.segments, c.remaining), (134, 3, 66));
    }
}
