//! Password policy for technician accounts (NIST SP 800-63B: length over composition rules,
//! and a block list of the passwords attackers try first).

/// Why a password is refused. Each message says why and what to do instead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordPolicyError {
    #[error("enter a password")]
    Empty,
    #[error("use at least {min} characters (this one has {len})")]
    TooShort { min: usize, len: usize },
    #[error("use at most 256 characters")]
    TooLong,
    #[error(
        "this password is, or is built on, one of the most commonly used passwords, which attackers try first: choose a passphrase of four or more unrelated words"
    )]
    Common,
    #[error("a password must not contain your email address or its name part")]
    ContainsEmail,
    #[error(
        "this password is built on your name, your email address or your organisation's name, which attackers try first: choose a passphrase of four or more unrelated words"
    )]
    Personal,
    #[error("a password made of one repeated character or a simple sequence is too easy to guess")]
    Trivial,
    #[error(
        "this password is too easy to guess (words, dates or keyboard patterns that attackers try early): add more unrelated words, or choose a passphrase of four or more words"
    )]
    Guessable,
}

/// Minimum length in characters.
pub const MIN_LEN: usize = 12;

/// The zxcvbn score a password needs: 3 is "about 10^8 guesses or more", the score zxcvbn
/// itself calls the least that is not too weak.
const MIN_SCORE: zxcvbn::Score = zxcvbn::Score::Three;

const COMMON: &[&str] = &[
    "password",
    "password1",
    "password123",
    "passw0rd",
    "123456789012",
    "qwertyuiop",
    "letmein",
    "iloveyou",
    "welcome",
    "admin",
    "administrator",
    "changeme",
    "trustno1",
    "qwerty123456",
    "1q2w3e4r5t6y",
    "correcthorsebatterystaple",
    "monkey",
    "dragon",
    "football",
    "baseball",
    "sunshine",
    "princess",
    "superman",
    "starwars",
    "countersign",
];

/// Whose password it is: the words an attacker who knows the account tries first.
#[derive(Clone, Copy, Debug, Default)]
pub struct PasswordOwner<'a> {
    /// The account's email address.
    pub email: &'a str,
    /// The technician's display name (empty when not known yet).
    pub name: &'a str,
    /// The org's name (empty when not known).
    pub org_name: &'a str,
}

/// Checks a proposed password against the policy, knowing only the account's email.
/// Prefer [`check_password_for`] wherever the technician's and the org's names are known.
///
/// # Errors
/// The reason the password is refused.
pub fn check_password_strength(password: &str, email: &str) -> Result<(), PasswordPolicyError> {
    check_password_for(
        password,
        &PasswordOwner {
            email,
            ..PasswordOwner::default()
        },
    )
}

/// Checks a proposed password against the policy (NIST SP 800-63B 3.1.1.2, ASVS 6.2.4 and
/// 6.2.11): 12 to 256 characters, not one of the commonly used passwords (zxcvbn's list of
/// the 30,000 most common, compiled into the binary), not built on the owner's name, email
/// or org name, and a zxcvbn score of at least 3.
///
/// # Errors
/// The reason the password is refused.
pub fn check_password_for(
    password: &str,
    owner: &PasswordOwner<'_>,
) -> Result<(), PasswordPolicyError> {
    let len = password.chars().count();
    if len == 0 {
        return Err(PasswordPolicyError::Empty);
    }
    if len < MIN_LEN {
        return Err(PasswordPolicyError::TooShort { min: MIN_LEN, len });
    }
    if len > 256 {
        return Err(PasswordPolicyError::TooLong);
    }
    let lower = password.to_lowercase();
    let stripped: String = lower.chars().filter(char::is_ascii_alphanumeric).collect();
    let base = stripped.trim_end_matches(|c: char| c.is_ascii_digit());
    if COMMON.iter().any(|c| *c == stripped || *c == base) {
        return Err(PasswordPolicyError::Common);
    }
    let email = owner.email.to_lowercase();
    let local = email.split('@').next().unwrap_or("");
    if (!email.is_empty() && lower.contains(&email)) || (local.len() >= 4 && lower.contains(local))
    {
        return Err(PasswordPolicyError::ContainsEmail);
    }
    let chars: Vec<char> = lower.chars().collect();
    let all_same = chars.iter().all(|c| *c == chars[0]);
    let sequence = chars.windows(2).all(|w| (w[1] as i64) - (w[0] as i64) == 1);
    if all_same || sequence {
        return Err(PasswordPolicyError::Trivial);
    }
    guessability(password, owner)
}

/// zxcvbn's estimate, with the owner's words as its "user inputs". First the password's core
/// (without the digits and symbols around it) on its own: a core that is one common password,
/// or nothing but the owner's words, is refused whatever is added around it ("Summer2024!!",
/// "AcmeIT2024!!" score 3 on their own, at the edge). Then the whole password's score, whose
/// reason is the weakest part zxcvbn found: the owner's words, the common-password list, or
/// the rest.
fn guessability(password: &str, owner: &PasswordOwner<'_>) -> Result<(), PasswordPolicyError> {
    let inputs = owner_words(owner);
    let inputs: Vec<&str> = inputs.iter().map(String::as_str).collect();
    let core = core_of(password);
    if !core.is_empty() {
        let estimate = zxcvbn::zxcvbn(&core, &inputs);
        let sequence = estimate.sequence();
        // Each piece one of the owner's words (zxcvbn may have found it in another list
        // first: "Johnson" is a common surname too).
        if !sequence.is_empty()
            && sequence
                .iter()
                .all(|m| inputs.contains(&m.token.to_lowercase().as_str()))
        {
            return Err(PasswordPolicyError::Personal);
        }
        let parts: Vec<Option<String>> = sequence.iter().map(dictionary_of).collect();
        if let [Some(only)] = parts.as_slice()
            && only == "Passwords"
        {
            return Err(PasswordPolicyError::Common);
        }
    }
    // zxcvbn looks at the first 100 characters only, so this stays cheap for long input.
    let estimate = zxcvbn::zxcvbn(password, &inputs);
    if estimate.score() >= MIN_SCORE {
        return Ok(());
    }
    let found = |wanted: &str| {
        estimate
            .sequence()
            .iter()
            .any(|m| dictionary_of(m).as_deref() == Some(wanted))
    };
    Err(if found("UserInputs") {
        PasswordPolicyError::Personal
    } else if found("Passwords") {
        PasswordPolicyError::Common
    } else {
        PasswordPolicyError::Guessable
    })
}

/// The dictionary a zxcvbn match came from (`Passwords`, `UserInputs`, `English`, …), if it
/// is a dictionary match. zxcvbn does not export its dictionary type (`frequency_lists` is
/// private), only its `Debug` name; the tests below pin the names used.
fn dictionary_of(m: &zxcvbn::Match) -> Option<String> {
    match &m.pattern {
        zxcvbn::matching::patterns::MatchPattern::Dictionary(d) => {
            Some(format!("{:?}", d.dictionary_name))
        }
        _ => None,
    }
}

/// The password without the digits, symbols and spaces around it, and without the spaces and
/// separators inside it: "Acme IT 2024!" is "AcmeIT".
fn core_of(password: &str) -> String {
    password
        .trim_matches(|c: char| !c.is_alphabetic())
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '-' | '_' | '.'))
        .take(100)
        .collect()
}

/// The owner's words as zxcvbn matches them: each whole (spaces and punctuation removed, so
/// "Acme IT" is also "acmeit") and each part of three letters or more.
fn owner_words(owner: &PasswordOwner<'_>) -> Vec<String> {
    let local = owner.email.split('@').next().unwrap_or("");
    let mut words = Vec::new();
    for source in [owner.name, owner.org_name, local, owner.email] {
        let lower = source.to_lowercase();
        let whole: String = lower.chars().filter(|c| c.is_alphanumeric()).collect();
        words.push(whole);
        words.extend(
            lower
                .split(|c: char| !c.is_alphanumeric())
                .map(str::to_owned),
        );
    }
    words.retain(|w| w.chars().count() >= 3);
    words.sort();
    words.dedup();
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy() {
        assert_eq!(
            check_password_strength("", "a@b.c"),
            Err(PasswordPolicyError::Empty)
        );
        assert!(matches!(
            check_password_strength("short", "a@b.c"),
            Err(PasswordPolicyError::TooShort { .. })
        ));
        assert_eq!(
            check_password_strength("Password123!", "a@b.c"),
            Err(PasswordPolicyError::Common)
        );
        assert_eq!(
            check_password_strength("aaaaaaaaaaaaaa", "a@b.c"),
            Err(PasswordPolicyError::Trivial)
        );
        assert_eq!(
            check_password_strength("alice-is-great-99", "alice@acme.test"),
            Err(PasswordPolicyError::ContainsEmail)
        );
        assert_eq!(
            check_password_strength("plum orbit velvet 42", "alice@acme.test"),
            Ok(())
        );
    }

    const ALICE: PasswordOwner<'static> = PasswordOwner {
        email: "aj@acme.test",
        name: "Alice Johnson",
        org_name: "Acme IT",
    };

    #[test]
    fn common_passwords_are_refused() {
        assert!(matches!(
            check_password_for("Summer2024!", &ALICE),
            Err(PasswordPolicyError::TooShort { .. })
        ));
        for p in [
            "password123456",
            "Summer2024!!",
            "iloveyou1234",
            "Qwerty123456789",
        ] {
            assert!(
                matches!(
                    check_password_for(p, &ALICE),
                    Err(PasswordPolicyError::Common | PasswordPolicyError::Guessable)
                ),
                "{p:?} was accepted or refused for another reason: {:?}",
                check_password_for(p, &ALICE)
            );
        }
        assert_eq!(
            check_password_for("password123456", &ALICE),
            Err(PasswordPolicyError::Common)
        );
    }

    #[test]
    fn passwords_built_on_the_owner_are_refused() {
        for p in [
            "AcmeIT2024!!",
            "acme it 123456",
            "AliceJohnson1!",
            "Johnson2024!!",
            "2024-alice-johnson!",
        ] {
            assert_eq!(
                check_password_for(p, &ALICE),
                Err(PasswordPolicyError::Personal),
                "{p:?}"
            );
        }
    }

    #[test]
    fn a_strong_passphrase_passes() {
        for p in [
            "plum orbit velvet 42",
            "granite orchard lantern seven",
            "copper kettle violin sunrise",
            "correct plum orbit 42",
        ] {
            assert_eq!(check_password_for(p, &ALICE), Ok(()), "{p:?}");
        }
    }

    #[test]
    fn the_message_says_why_and_what_to_do() {
        let m = PasswordPolicyError::Common.to_string();
        assert!(
            m.contains("commonly used") && m.contains("passphrase"),
            "{m}"
        );
        let m = PasswordPolicyError::Personal.to_string();
        assert!(m.contains("your name") && m.contains("passphrase"), "{m}");
    }
}
