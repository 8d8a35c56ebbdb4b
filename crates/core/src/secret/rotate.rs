//! Rotating one value of a Secret in the terms of its type: which key gets a new value, what
//! kind of value, and what else must change with it (a docker registry's `auth`). The new
//! value itself comes from the caller (a random generator, or what the user types).

use base64::Engine as _;
use serde_json::Value;
use zeroize::Zeroizing;

use super::views::docker::{CFG_KEY, CONFIG_JSON_KEY};
use super::{Secret, types};

/// The characters a generated value is made of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Charset {
    /// Letters and digits: safe in URLs, shells and connection strings.
    Alphanumeric,
    /// Lower-case hex digits (a bootstrap token's `token-secret` is `[a-z0-9]{16}`).
    Hex,
}

/// How one key of a Secret is rotated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rotation {
    /// A new random value for `key`.
    Generate {
        key: String,
        len: usize,
        charset: Charset,
        /// The length is fixed by the format (a bootstrap token): not asked.
        fixed: bool,
        /// What is rotated, for the prompt ("the basic-auth password").
        what: String,
    },
    /// A registry's password in a docker config, as the registry issued it (typed, since
    /// keyhole cannot change it at the registry); `auth` is recomputed from it.
    RegistryPassword { key: &'static str, server: String, username: String },
    /// Nothing keyhole can rotate: why, and what to do instead.
    Refused(String),
}

/// How to rotate `selected` (the key under the cursor) of `secret`. Typed Secrets rotate their
/// credential whatever key is selected: a basic-auth password, a registry password, a
/// bootstrap token's secret.
pub fn plan(secret: &Secret, selected: Option<&str>) -> Rotation {
    let generate = |key: &str, len, charset, fixed, what: String| Rotation::Generate {
        key: key.to_string(),
        len,
        charset,
        fixed,
        what,
    };
    match secret.effective_type() {
        types::BASIC_AUTH => generate("password", 32, Charset::Alphanumeric, false, "the basic-auth password".into()),
        types::BOOTSTRAP_TOKEN => {
            generate("token-secret", 16, Charset::Hex, true, "the bootstrap token's secret".into())
        }
        types::DOCKER_CONFIG_JSON | types::DOCKERCFG => registry(secret),
        types::TLS => Rotation::Refused(
            "a TLS key pair is rotated by issuing a new certificate (its issuer or cert-manager), then loading both \
             files (f)"
                .into(),
        ),
        types::SSH_AUTH => Rotation::Refused(
            "an ssh key is rotated by generating a key pair (ssh-keygen), loading the private key (f) and installing \
             the public key where it logs in"
                .into(),
        ),
        types::SERVICE_ACCOUNT_TOKEN => Rotation::Refused(
            "the token controller writes this token: delete the Secret and it issues a new one, or use \
             `kubectl create token` for short-lived tokens"
                .into(),
        ),
        types::HELM_RELEASE => Rotation::Refused("a Helm release record is written by Helm, not rotated".into()),
        _ => match selected {
            Some(key) => generate(key, 32, Charset::Alphanumeric, false, key.to_string()),
            None => Rotation::Refused("select the key to rotate".into()),
        },
    }
}

/// The registry entries of a docker config Secret, as (server, username).
fn registries(root: &serde_json::Map<String, Value>, legacy: bool) -> Vec<(String, String)> {
    let entries = if legacy { Some(root) } else { root.get("auths").and_then(Value::as_object) };
    entries
        .into_iter()
        .flatten()
        .filter_map(|(server, entry)| Some((server.clone(), entry.get("username")?.as_str()?.to_string())))
        .collect()
}

fn registry(secret: &Secret) -> Rotation {
    let legacy = secret.effective_type() == types::DOCKERCFG;
    let key = if legacy { CFG_KEY } else { CONFIG_JSON_KEY };
    let parsed: Option<Value> = secret.get(key).and_then(|v| serde_json::from_slice(v.as_bytes()).ok());
    let Some(Value::Object(root)) = &parsed else {
        return Rotation::Refused(format!("{key} is not a JSON object: fix it first (e)"));
    };
    let found = registries(root, legacy);
    let out = match &found[..] {
        [(server, username)] => Rotation::RegistryPassword { key, server: server.clone(), username: username.clone() },
        [] => Rotation::Refused(format!("{key} has no registry with a username to rotate the password of")),
        _ => Rotation::Refused(format!(
            "{key} logs in to {} registries: edit the one whose password changed (e)",
            found.len()
        )),
    };
    if let Some(parsed) = parsed {
        super::wipe::wipe_json(parsed);
    }
    out
}

/// `config` (a `.dockerconfigjson` or `.dockercfg`) with `server`'s password set and its
/// `auth` recomputed as base64 of `username:password`; every other field as it was. The
/// result holds the password and is zeroized when dropped.
pub fn with_registry_password(
    config: &[u8],
    legacy: bool,
    server: &str,
    password: &str,
) -> Result<Zeroizing<Vec<u8>>, String> {
    let mut root: Value = serde_json::from_slice(config).map_err(|e| format!("not valid JSON: {e}"))?;
    let result = set_password(&mut root, legacy, server, password);
    let out = result.map(|()| Zeroizing::new(serde_json::to_vec(&root).unwrap_or_default()));
    super::wipe::wipe_json(root);
    out
}

fn set_password(root: &mut Value, legacy: bool, server: &str, password: &str) -> Result<(), String> {
    let entries = if legacy { Some(&mut *root) } else { root.get_mut("auths") };
    let entry = entries
        .and_then(|e| e.get_mut(server))
        .and_then(Value::as_object_mut)
        .ok_or_else(|| format!("no registry {server}"))?;
    let username = entry.get("username").and_then(Value::as_str).ok_or("the registry has no username")?;
    let pair = Zeroizing::new(format!("{username}:{password}"));
    let auth = base64::engine::general_purpose::STANDARD.encode(pair.as_bytes());
    entry.insert("password".into(), Value::String(password.to_string()));
    entry.insert("auth".into(), Value::String(auth));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret::SecretValue;

    fn secret(type_: &str, pairs: &[(&str, &str)]) -> Secret {
        let mut s = Secret::new("default", "s", type_);
        s.data = Some(pairs.iter().map(|(k, v)| (k.to_string(), SecretValue::from(*v))).collect());
        s
    }

    #[test]
    fn typed_secrets_rotate_their_credential_whatever_key_is_selected() {
        let basic = secret(types::BASIC_AUTH, &[("username", "admin"), ("password", "old")]);
        let Rotation::Generate { key, len, fixed, .. } = plan(&basic, Some("username")) else { panic!() };
        assert_eq!((key.as_str(), len, fixed), ("password", 32, false));
        let token = secret(types::BOOTSTRAP_TOKEN, &[("token-id", "abcdef"), ("token-secret", "0123456789abcdef")]);
        let Rotation::Generate { key, len, charset, fixed, .. } = plan(&token, Some("token-id")) else { panic!() };
        assert_eq!((key.as_str(), len, charset, fixed), ("token-secret", 16, Charset::Hex, true));
        let opaque = secret(types::OPAQUE, &[("api-key", "x")]);
        assert!(matches!(plan(&opaque, Some("api-key")), Rotation::Generate { key, .. } if key == "api-key"));
        assert!(matches!(plan(&opaque, None), Rotation::Refused(_)));
        assert!(
            matches!(plan(&secret(types::TLS, &[]), Some("tls.key")), Rotation::Refused(why) if why.contains("certificate"))
        );
    }

    #[test]
    fn a_registry_password_recomputes_auth_and_keeps_every_other_field() {
        let config = r#"{"auths":{"r.example.com":{"username":"bot","password":"old","auth":"Ym90Om9sZA==","email":"a@b"}},"credHelpers":{"x":"y"}}"#;
        let s = secret(types::DOCKER_CONFIG_JSON, &[(CONFIG_JSON_KEY, config)]);
        let Rotation::RegistryPassword { key, server, username } = plan(&s, None) else {
            panic!("{:?}", plan(&s, None))
        };
        assert_eq!((key, server.as_str(), username.as_str()), (CONFIG_JSON_KEY, "r.example.com", "bot"));
        let out = with_registry_password(config.as_bytes(), false, &server, "n3w").unwrap();
        let v: Value = serde_json::from_slice(&out).unwrap();
        let entry = &v["auths"]["r.example.com"];
        assert_eq!(entry["password"], "n3w");
        assert_eq!(entry["auth"], base64::engine::general_purpose::STANDARD.encode("bot:n3w"));
        assert_eq!(entry["email"], "a@b");
        assert_eq!(v["credHelpers"]["x"], "y");
        // The view agrees that auth matches username and password.
        let rotated = secret(types::DOCKER_CONFIG_JSON, &[(CONFIG_JSON_KEY, std::str::from_utf8(&out).unwrap())]);
        let view = crate::secret::views::docker::view(&rotated, false);
        assert_eq!(view.registries[0].auth_agrees, Some(true));
    }

    #[test]
    fn legacy_dockercfg_and_unclear_configs() {
        let cfg = r#"{"r.example.com":{"username":"bot","password":"old","auth":"x"}}"#;
        let out = with_registry_password(cfg.as_bytes(), true, "r.example.com", "p").unwrap();
        let v: Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(v["r.example.com"]["auth"], base64::engine::general_purpose::STANDARD.encode("bot:p"));
        assert!(with_registry_password(cfg.as_bytes(), true, "other", "p").is_err());
        let two = r#"{"auths":{"a":{"username":"u"},"b":{"username":"v"}}}"#;
        let s = secret(types::DOCKER_CONFIG_JSON, &[(CONFIG_JSON_KEY, two)]);
        assert!(matches!(plan(&s, None), Rotation::Refused(why) if why.contains("2 registries")));
        let broken = secret(types::DOCKER_CONFIG_JSON, &[(CONFIG_JSON_KEY, "[")]);
        assert!(matches!(plan(&broken, None), Rotation::Refused(_)));
    }
}
