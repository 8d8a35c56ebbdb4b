//! Warnings about data keys: the server accepts them, `envFrom` consumers do not.

use super::{Warning, names};
use crate::secret::Secret;

/// Whether `key` is a valid environment variable name by the classic rule of `IsEnvVarName`
/// (`[-._a-zA-Z][-._a-zA-Z0-9]*`, not `.`, `..` or `..`-prefixed), which the kubelet applied to
/// the keys that `envFrom` turns into variables before Kubernetes 1.32.
pub fn is_env_var_name(key: &str) -> bool {
    names::env_var_name_errors(key).is_empty()
}

/// The rule the kubelet applies to the variable names `envFrom` makes from a Secret's keys
/// (with its prefix). It changed: the Secret documentation of 1.26 says keys that are not
/// C-identifier-like names are skipped; from 1.32 (the RelaxedEnvironmentVariableValidation
/// gate, beta and on by default in 1.32, GA in 1.34; `IsRelaxedEnvVarName` in
/// `k8s.io/apimachinery/pkg/util/validation`) any printable ASCII name without `=` is accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum EnvNameRule {
    /// Before 1.32: `IsEnvVarName`.
    Classic,
    /// 1.32 and later: `IsRelaxedEnvVarName`. The default: keyhole checks against a current
    /// Kubernetes unless told otherwise.
    #[default]
    Relaxed,
}

impl EnvNameRule {
    /// The rule of a Kubernetes minor version (1.`minor`).
    pub fn for_minor(minor: u32) -> Self {
        if minor >= 32 { EnvNameRule::Relaxed } else { EnvNameRule::Classic }
    }

    /// The rule of the server that reports this `gitVersion` (`v1.26.3`, `v1.36.0-eks-1`); `None`
    /// when the version cannot be read.
    pub fn for_git_version(version: &str) -> Option<Self> {
        let v = version.trim_start_matches('v');
        let mut parts = v.split('.');
        let (major, minor) = (parts.next()?, parts.next()?);
        let minor: String = minor.chars().take_while(char::is_ascii_digit).collect();
        (major == "1").then(|| minor.parse().ok().map(Self::for_minor)).flatten()
    }

    /// Whether `envFrom` keeps a variable of this name (the key with its prefix).
    pub fn accepts(self, name: &str) -> bool {
        match self {
            EnvNameRule::Classic => is_env_var_name(name),
            EnvNameRule::Relaxed => !name.is_empty() && name.bytes().all(|b| (0x20..0x7f).contains(&b) && b != b'='),
        }
    }

    /// The rule in words, for the screens that apply it.
    pub fn describe(self) -> &'static str {
        match self {
            EnvNameRule::Classic => {
                "Kubernetes before 1.32: names must look like [-._a-zA-Z][-._a-zA-Z0-9]*; others are skipped"
            }
            EnvNameRule::Relaxed => "Kubernetes 1.32 and later: any printable ASCII name without '=' is kept",
        }
    }
}

/// One warning per valid data key that `envFrom` would skip under `rule`. Under the classic
/// rule, among valid data keys (`[-._a-zA-Z0-9]+`) these are exactly the keys that start with a
/// digit; under the relaxed rule every valid data key is kept. Invalid data keys already get an
/// error and no warning.
pub fn env_var_warnings(s: &Secret, rule: EnvNameRule) -> Vec<Warning> {
    s.entries()
        .filter(|(key, _)| names::is_config_map_key(key).is_empty() && !rule.accepts(key))
        .map(|(key, _)| {
            Warning::new(
                format!("data[{key}]"),
                format!(
                    "{} starts with a digit, so it is not a valid environment variable name ('{}'): Pods that load this Secret with envFrom and no prefix skip the key, and the kubelet only records an InvalidEnvironmentVariableNames event; use secretKeyRef or a volume for it, or rename it",
                    names::go_quote(key),
                    names::ENV_VAR_NAME_FMT
                ),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret::SecretValue;
    use std::collections::BTreeMap;

    #[test]
    fn the_rule_follows_the_server_version() {
        assert_eq!(EnvNameRule::for_git_version("v1.26.3"), Some(EnvNameRule::Classic));
        assert_eq!(EnvNameRule::for_git_version("v1.31.0-eks-1"), Some(EnvNameRule::Classic));
        assert_eq!(EnvNameRule::for_git_version("v1.32.0"), Some(EnvNameRule::Relaxed));
        assert_eq!(EnvNameRule::for_git_version("v1.36.0-keyhole.0.1.0"), Some(EnvNameRule::Relaxed));
        assert_eq!(EnvNameRule::for_git_version("unknown"), None);
        for name in ["1badkey", "2alsobad", "a b", "my.env-name", "x:y"] {
            assert!(EnvNameRule::Relaxed.accepts(name), "{name}");
        }
        for name in ["", "a=b", "é", "tab\t"] {
            assert!(!EnvNameRule::Relaxed.accepts(name), "{name}");
        }
        assert!(!EnvNameRule::Classic.accepts("1badkey"));
        assert!(EnvNameRule::Classic.accepts("USER_NAME"));
    }

    #[test]
    fn env_var_names() {
        for ok in ["USER_NAME", "tls.crt", ".dockerconfigjson", "ssh-privatekey", "_x", "-x"] {
            assert!(is_env_var_name(ok), "{ok}");
        }
        for bad in ["1password", "9LIVES", "", "a b", ".", "..data"] {
            assert!(!is_env_var_name(bad), "{bad}");
        }
    }

    #[test]
    fn warns_for_valid_keys_that_envfrom_skips() {
        let mut s = Secret::new("default", "s", "Opaque");
        s.data = Some(BTreeMap::from([
            ("PASSWORD".to_string(), SecretValue::from("x")),
            ("1password".to_string(), SecretValue::from("x")),
            ("bad key".to_string(), SecretValue::from("x")),
        ]));
        assert!(env_var_warnings(&s, EnvNameRule::Relaxed).is_empty(), "1.32 and later keep it");
        let w = env_var_warnings(&s, EnvNameRule::Classic);
        assert_eq!(w.len(), 1, "{w:?}");
        assert_eq!(w[0].field, "data[1password]");
        assert!(
            w[0].message
                .starts_with("\"1password\" starts with a digit, so it is not a valid environment variable name"),
            "{}",
            w[0].message
        );
        assert!(w[0].message.contains("envFrom"));
    }
}
