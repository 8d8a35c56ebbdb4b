//! Warnings about data keys: the server accepts them, `envFrom` consumers do not.

use super::{Warning, names};
use crate::secret::Secret;

/// Whether `key` is a valid environment variable name by the classic rule of `IsEnvVarName`
/// (`[-._a-zA-Z][-._a-zA-Z0-9]*`, not `.`, `..` or `..`-prefixed), which the kubelet applies to
/// the keys that `envFrom` turns into variables.
pub fn is_env_var_name(key: &str) -> bool {
    names::env_var_name_errors(key).is_empty()
}

/// One warning per valid data key that is not a valid environment variable name. Among valid
/// data keys (`[-._a-zA-Z0-9]+`) these are exactly the keys that start with a digit. Invalid
/// data keys already get an error and no warning.
pub fn env_var_warnings(s: &Secret) -> Vec<Warning> {
    s.entries()
        .filter(|(key, _)| names::is_config_map_key(key).is_empty() && !is_env_var_name(key))
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
        let w = env_var_warnings(&s);
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
