//! `kubernetes.io/basic-auth`: the user name (not a secret) and the password's length only.

use crate::secret::Secret;

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct BasicAuthView {
    /// The user name when present and valid UTF-8.
    pub username: Option<String>,
    pub username_present: bool,
    pub username_len: usize,
    pub password_present: bool,
    pub password_len: usize,
    pub problems: Vec<String>,
}

pub fn view(secret: &Secret) -> BasicAuthView {
    let user = secret.get("username");
    let pass = secret.get("password");
    let mut problems = Vec::new();
    let username = user.and_then(|u| u.as_str()).map(str::to_string);
    if user.is_some() && username.is_none() {
        problems.push("username is not valid UTF-8".to_string());
    }
    match (user, pass) {
        (None, None) => problems.push("neither username nor password is set".to_string()),
        (Some(u), _) if u.is_empty() => problems.push("username is empty".to_string()),
        _ => {}
    }
    if pass.is_some_and(|p| p.is_empty()) {
        problems.push("password is empty".to_string());
    }
    BasicAuthView {
        username,
        username_present: user.is_some(),
        username_len: user.map_or(0, |u| u.len()),
        password_present: pass.is_some(),
        password_len: pass.map_or(0, |p| p.len()),
        problems,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret::types;

    fn secret(pairs: &[(&str, &[u8])]) -> Secret {
        let mut s = Secret::new("default", "basic", types::BASIC_AUTH);
        s.data = Some(pairs.iter().map(|(k, v)| (k.to_string(), (*v).into())).collect());
        s
    }

    #[test]
    fn shows_the_user_and_only_the_password_length() {
        let v = view(&secret(&[("username", b"admin"), ("password", b"t0p-Secret")]));
        assert_eq!(v.username.as_deref(), Some("admin"));
        assert_eq!((v.username_len, v.password_present, v.password_len), (5, true, 10));
        assert!(v.problems.is_empty());
        assert!(!format!("{v:?}").contains("t0p-Secret"));
    }

    #[test]
    fn reports_missing_and_empty_values() {
        assert!(!view(&secret(&[])).problems.is_empty());
        let v = view(&secret(&[("password", b"")]));
        assert!(!v.username_present && v.password_present && v.password_len == 0);
        assert!(v.problems.iter().any(|p| p.contains("password is empty")));
        let v = view(&secret(&[("username", &[0xff, 0xfe])]));
        assert_eq!((v.username.as_deref(), v.username_len), (None, 2));
        assert!(v.problems.iter().any(|p| p.contains("UTF-8")));
    }
}
