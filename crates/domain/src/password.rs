//! Password policy for technician accounts (NIST SP 800-63B: length over composition rules,
//! and a block list of the passwords attackers try first).

/// Why a password is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordPolicyError {
    #[error("enter a password")]
    Empty,
    #[error("use at least {min} characters (this one has {len})")]
    TooShort { min: usize, len: usize },
    #[error("use at most 256 characters")]
    TooLong,
    #[error("this password is on the list of commonly used passwords; choose another")]
    Common,
    #[error("a password must not contain your email address or its name part")]
    ContainsEmail,
    #[error("a password made of one repeated character or a simple sequence is too easy to guess")]
    Trivial,
}

/// Minimum length in characters.
pub const MIN_LEN: usize = 12;

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

/// Checks a proposed password against the policy.
///
/// # Errors
/// The reason the password is refused.
pub fn check_password_strength(password: &str, email: &str) -> Result<(), PasswordPolicyError> {
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
    let email = email.to_lowercase();
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
    Ok(())
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
}
