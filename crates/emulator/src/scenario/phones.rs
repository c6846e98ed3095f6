//! Phone numbers in the mixed formats real directories contain: E.164, spaced international,
//! national with trunk prefix, punctuation, extensions, and plenty of nulls.

use rand::Rng;

fn digits(rng: &mut impl Rng, n: usize) -> String {
    (0..n)
        .map(|_| char::from(b'0' + rng.gen_range(0..10u8)))
        .collect()
}

/// A mobile number in one of many real-world shapes (never null; the caller decides that),
/// with the two-letter code of its country: a user whose number is national (`07700 900123`)
/// has that country as its `usageLocation`, as a real tenant's licensed users do.
pub fn mobile(rng: &mut impl Rng) -> (String, &'static str) {
    let country = [
        "US", "US", "US", "GB", "GB", "DE", "DE", "FR", "FR", "JP", "AU", "NL", "PL", "ES",
    ];
    let shape = rng.gen_range(0..14);
    let number = match shape {
        0 => format!("+1 425 555 {}", digits(rng, 4)),
        1 => format!("(206) 555-{}", digits(rng, 4)),
        2 => format!("+1-312-555-{}", digits(rng, 4)),
        3 => format!("+44 7700 900{}", digits(rng, 3)),
        4 => format!("07700 900{}", digits(rng, 3)),
        5 => format!("+49 151 {}", digits(rng, 8)),
        6 => format!("0151/{}", digits(rng, 8)),
        7 => format!(
            "+33 6 {} {} {} {}",
            digits(rng, 2),
            digits(rng, 2),
            digits(rng, 2),
            digits(rng, 2)
        ),
        8 => format!(
            "06.{}.{}.{}.{}",
            digits(rng, 2),
            digits(rng, 2),
            digits(rng, 2),
            digits(rng, 2)
        ),
        9 => format!("+81 90-{}-{}", digits(rng, 4), digits(rng, 4)),
        10 => format!("+61 412 {} {}", digits(rng, 3), digits(rng, 3)),
        11 => format!("+3161{}", digits(rng, 7)),
        12 => format!("0048 6{}", digits(rng, 8)),
        _ => format!(
            "+34 6{} {} {}",
            digits(rng, 2),
            digits(rng, 3),
            digits(rng, 3)
        ),
    };
    (number, country[shape])
}

pub fn business(rng: &mut impl Rng) -> String {
    match rng.gen_range(0..5) {
        0 => format!("+1 425 555 0{} ext. {}", digits(rng, 3), digits(rng, 3)),
        1 => format!("+44 20 7946 0{}", digits(rng, 3)),
        2 => format!("+49 (0)89 {}-0", digits(rng, 6)),
        3 => format!(
            "01 {} {} {} {}",
            digits(rng, 2),
            digits(rng, 2),
            digits(rng, 2),
            digits(rng, 2)
        ),
        _ => format!("+1 (800) 555-{}", digits(rng, 4)),
    }
}
