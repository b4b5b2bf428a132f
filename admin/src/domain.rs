//! The values every part of the admin shares, each refusing what it cannot be: roles, emails, new
//! passwords, random tokens.

use std::{fmt, str::FromStr};

use secrecy::SecretString;
use serde::{Deserialize, Serialize};

/// What a staff member may do, checked on the server for every action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Reads everything, changes nothing.
    Viewer,
    /// Manages the catalog and orders.
    Staff,
    /// Everything, staff management included.
    Owner,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Owner, Role::Staff, Role::Viewer];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Owner => "owner",
            Self::Staff => "staff",
            Self::Viewer => "viewer",
        }
    }

    /// Whether this role includes everything `required` may do (owner > staff > viewer).
    pub fn allows(self, required: Role) -> bool {
        self >= required
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = String;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        match value.trim() {
            "owner" => Ok(Self::Owner),
            "staff" => Ok(Self::Staff),
            "viewer" => Ok(Self::Viewer),
            _ => Err("must be owner, staff or viewer".to_owned()),
        }
    }
}

/// A staff member's email: trimmed, lower-case, one `@` with something on each side, at most 254 characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Email(String);

impl Email {
    pub fn parse(value: &str) -> Result<Self, &'static str> {
        let value = value.trim().to_lowercase();
        if value.is_empty() {
            return Err("is required");
        }
        if value.chars().count() > 254 {
            return Err("must be at most 254 characters");
        }
        let Some((local, domain)) = value.split_once('@') else {
            return Err("must be an email address");
        };
        if local.is_empty()
            || domain.is_empty()
            || domain.contains('@')
            || !domain.contains('.')
            || value.chars().any(|c| c.is_whitespace() || c.is_control())
        {
            return Err("must be an email address");
        }
        Ok(Self(value))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Shortest password a staff member may choose.
pub const MIN_PASSWORD_CHARS: usize = 12;
/// Longest: enough for any passphrase, short of making hashing a denial of service.
pub const MAX_PASSWORD_CHARS: usize = 256;

/// What a staff password must be (`platform::password::Rules`: also not a common password).
pub const PASSWORD_RULES: platform::password::Rules = platform::password::Rules {
    min_chars: MIN_PASSWORD_CHARS,
    max_chars: MAX_PASSWORD_CHARS,
};

/// A password someone chose, checked against the rules: at least 12 characters, at most 256, not the email,
/// not a common password.
pub fn check_new_password(password: &SecretString, email: &Email) -> Result<(), String> {
    PASSWORD_RULES.check(password, email.as_str())
}

pub use platform::tokens::random_token;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_include_the_ones_below_them() {
        assert!(Role::Owner.allows(Role::Staff));
        assert!(Role::Staff.allows(Role::Viewer));
        assert!(!Role::Viewer.allows(Role::Staff));
        assert!(!Role::Staff.allows(Role::Owner));
        assert_eq!("staff".parse::<Role>(), Ok(Role::Staff));
        assert!("admin".parse::<Role>().is_err());
    }

    #[test]
    fn emails_are_trimmed_and_lower_case() {
        assert_eq!(
            Email::parse("  Ann@Shop.Test ").unwrap().as_str(),
            "ann@shop.test"
        );
        for bad in ["", "ann", "@shop.test", "ann@", "ann@shop", "a b@shop.test"] {
            assert!(Email::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn weak_passwords_are_refused_with_the_reason() {
        let email = Email::parse("ann@shop.test").unwrap();
        let check = |password: &str| check_new_password(&SecretString::from(password), &email);
        assert_eq!(
            check("short pass"),
            Err("must be at least 12 characters".to_owned())
        );
        assert_eq!(
            check("ann@shop.test"),
            Err("must not be or contain the email address".to_owned())
        );
        assert_eq!(
            check("aaaaaaaaaaaaaaaa"),
            Err("must not be one character repeated".to_owned())
        );
        assert!(check("correct horse battery").is_ok());
    }
}
