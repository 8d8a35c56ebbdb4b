//! The starting point of a new Secret of each built-in type: its required keys, as in the
//! Kubernetes documentation's examples, with empty values for the user to fill in.

use std::collections::BTreeMap;

use jiff::Timestamp;

use super::{Secret, SecretValue, types};

/// A new Secret of `type_` named `namespace/name`. A bootstrap token's id comes from the name
/// (`bootstrap-token-<id>`) and it expires 24 hours from `now`; its `token-secret` is left
/// empty for the caller to fill with a random value.
pub fn template(type_: &str, namespace: &str, name: &str, now: Timestamp) -> Secret {
    let mut s = Secret::new(namespace, name, type_);
    let mut data: BTreeMap<String, SecretValue> = BTreeMap::new();
    let mut put = |k: &str, v: &str| {
        data.insert(k.to_string(), SecretValue::from(v));
    };
    match type_ {
        types::OPAQUE | types::BASIC_AUTH => {
            put("username", "");
            put("password", "");
        }
        types::SSH_AUTH => put("ssh-privatekey", ""),
        types::TLS => {
            put("tls.crt", "");
            put("tls.key", "");
        }
        types::DOCKER_CONFIG_JSON => put(
            ".dockerconfigjson",
            "{\"auths\":{\"registry.example.com\":{\"username\":\"\",\"password\":\"\",\"email\":\"\",\"auth\":\"\"}}}",
        ),
        types::DOCKERCFG => put(
            ".dockercfg",
            "{\"registry.example.com\":{\"username\":\"\",\"password\":\"\",\"email\":\"\",\"auth\":\"\"}}",
        ),
        types::SERVICE_ACCOUNT_TOKEN => {
            s.metadata.annotations =
                Some([("kubernetes.io/service-account.name".to_string(), "default".to_string())].into_iter().collect());
        }
        types::BOOTSTRAP_TOKEN => {
            let id = name.strip_prefix("bootstrap-token-").unwrap_or("abcdef").to_string();
            let expiration = crate::format::rfc3339(now + jiff::SignedDuration::from_hours(24));
            put("token-id", &id);
            put("token-secret", "");
            put("expiration", &expiration);
            put("usage-bootstrap-authentication", "true");
            put("usage-bootstrap-signing", "true");
            put("auth-extra-groups", "system:bootstrappers:kubeadm:default-node-token");
        }
        _ => {}
    }
    if !data.is_empty() {
        s.data = Some(data);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_built_in_type_has_its_required_keys() {
        let now: Timestamp = "2026-01-01T00:00:00Z".parse().unwrap();
        let keys = |t: &str, name: &str| -> Vec<String> {
            template(t, "ns", name, now).entries().map(|(k, _)| k.clone()).collect()
        };
        assert_eq!(keys(types::TLS, "a"), ["tls.crt", "tls.key"]);
        assert_eq!(keys(types::BASIC_AUTH, "a"), ["password", "username"]);
        assert_eq!(keys(types::SSH_AUTH, "a"), ["ssh-privatekey"]);
        assert_eq!(keys(types::DOCKER_CONFIG_JSON, "a"), [".dockerconfigjson"]);
        assert!(keys("example.com/custom", "a").is_empty());
        let token = template(types::BOOTSTRAP_TOKEN, "kube-system", "bootstrap-token-abc123", now);
        assert_eq!(token.get("token-id").map(|v| v.as_bytes()), Some(&b"abc123"[..]));
        assert_eq!(token.get("expiration").map(|v| v.as_bytes()), Some(&b"2026-01-02T00:00:00Z"[..]));
        let sa = template(types::SERVICE_ACCOUNT_TOKEN, "ns", "t", now);
        assert_eq!(sa.annotation("kubernetes.io/service-account.name"), Some("default"));
    }

    #[test]
    fn the_docker_config_carries_auth_as_kubectl_writes_it() {
        let json = super::super::views::docker::config_json("r.example:5000", "u", "p", "");
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(v["auths"]["r.example:5000"]["auth"], "dTpw");
        assert!(v["auths"]["r.example:5000"].get("email").is_none());
    }
}
