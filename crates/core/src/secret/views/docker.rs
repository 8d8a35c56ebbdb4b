//! `kubernetes.io/dockerconfigjson` (`{"auths": {...}}`) and the legacy `kubernetes.io/dockercfg`
//! (registries at the top level): who logs in where, and whether `auth` agrees with
//! `username`/`password`. Passwords and `auth` values are never kept.

use base64::Engine as _;
use serde_json::{Map, Value};

use crate::secret::Secret;
use crate::validate::Warning;

pub const CONFIG_JSON_KEY: &str = ".dockerconfigjson";
pub const CFG_KEY: &str = ".dockercfg";

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DockerView {
    /// The data key read: `.dockerconfigjson` or `.dockercfg`.
    pub key: &'static str,
    pub registries: Vec<Registry>,
    /// The value is a JSON object (the API server rejects anything else for these types).
    pub json_object: bool,
    /// Other top-level fields of a config.json (`credHelpers`, `credsStore`, ...), names only.
    pub other_fields: Vec<String>,
    pub problems: Vec<String>,
}

/// One registry entry. The username is not a secret; the password and `auth` are.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Registry {
    pub server: String,
    pub username: Option<String>,
    pub email: Option<String>,
    pub has_password: bool,
    pub has_auth: bool,
    /// Whether `auth` is base64 of `user:password`; `None` without `auth`.
    pub auth_valid: Option<bool>,
    /// The user name inside `auth`, when it decodes.
    pub auth_username: Option<String>,
    /// Whether `auth` is base64 of `username:password`; `None` when there is nothing to compare.
    pub auth_agrees: Option<bool>,
    pub problems: Vec<String>,
}

/// The `.dockerconfigjson` that `kubectl create secret docker-registry` writes: one registry
/// with `username`, `password`, `auth` (base64 of `username:password`) and, when given,
/// `email`. The text holds the password: it is zeroized when dropped.
pub fn config_json(server: &str, username: &str, password: &str, email: &str) -> zeroize::Zeroizing<String> {
    use base64::Engine as _;
    let pair = zeroize::Zeroizing::new(format!("{username}:{password}"));
    let auth = zeroize::Zeroizing::new(base64::engine::general_purpose::STANDARD.encode(pair.as_bytes()));
    let mut entry = serde_json::json!({"username": username, "password": password, "auth": auth.as_str()});
    if !email.is_empty() {
        entry["email"] = Value::String(email.to_string());
    }
    let mut auths = Map::new();
    auths.insert(server.to_string(), entry);
    let config = serde_json::json!({"auths": auths});
    let text = zeroize::Zeroizing::new(config.to_string());
    crate::secret::wipe::wipe_json(config);
    text
}

pub fn view(secret: &Secret, legacy: bool) -> DockerView {
    let key = if legacy { CFG_KEY } else { CONFIG_JSON_KEY };
    let mut out =
        DockerView { key, registries: Vec::new(), json_object: false, other_fields: Vec::new(), problems: Vec::new() };
    let Some(value) = secret.get(key) else {
        out.problems.push(format!("{key} is missing"));
        return out;
    };
    let root: Value = match serde_json::from_slice(value) {
        Ok(v) => v,
        Err(e) => {
            // serde_json's message holds a position, not the input.
            out.problems.push(format!("{key} is not valid JSON: {e}"));
            return out;
        }
    };
    let Value::Object(root) = root else {
        out.problems.push(format!("{key} must be a JSON object"));
        return out;
    };
    out.json_object = true;
    let auths: Map<String, Value> = if legacy {
        root
    } else {
        let mut root = root;
        let auths = root.remove("auths");
        out.other_fields = root.keys().cloned().collect();
        match auths {
            Some(Value::Object(map)) => map,
            Some(_) => {
                out.problems.push(format!("{key}: \"auths\" must be an object"));
                return out;
            }
            None => {
                if root.values().any(|v| v.get("auth").is_some() || v.get("username").is_some()) {
                    out.problems.push(format!(
                        "{key} has registries at the top level, the legacy .dockercfg layout: put them under \"auths\" \
                         or use type kubernetes.io/dockercfg"
                    ));
                } else {
                    out.problems.push(format!("{key} has no \"auths\" object: no registry credentials"));
                }
                return out;
            }
        }
    };
    out.registries = auths.iter().map(|(server, entry)| registry(server, entry)).collect();
    out
}

fn registry(server: &str, entry: &Value) -> Registry {
    let mut r = Registry {
        server: server.to_string(),
        username: None,
        email: None,
        has_password: false,
        has_auth: false,
        auth_valid: None,
        auth_username: None,
        auth_agrees: None,
        problems: Vec::new(),
    };
    let Value::Object(fields) = entry else {
        r.problems.push("the entry is not a JSON object".to_string());
        return r;
    };
    let text = |name: &str, problems: &mut Vec<String>| match fields.get(name) {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => {
            problems.push(format!("\"{name}\" is not a string"));
            None
        }
    };
    r.username = text("username", &mut r.problems);
    r.email = text("email", &mut r.problems);
    let password = zeroize::Zeroizing::new(text("password", &mut r.problems));
    let auth = zeroize::Zeroizing::new(text("auth", &mut r.problems));
    r.has_password = password.is_some();
    r.has_auth = auth.is_some();
    let Some(auth) = auth.as_deref() else {
        if r.username.is_none() && !r.has_password && fields.get("identitytoken").is_none() {
            r.problems.push("no credentials: neither \"auth\" nor \"username\"/\"password\"".to_string());
        }
        return r;
    };
    let decoded = match base64::engine::general_purpose::STANDARD.decode(auth.trim()) {
        Ok(d) => zeroize::Zeroizing::new(d),
        Err(_) => {
            r.auth_valid = Some(false);
            r.problems.push("\"auth\" is not valid base64".to_string());
            return r;
        }
    };
    let Some(colon) = decoded.iter().position(|&b| b == b':') else {
        r.auth_valid = Some(false);
        r.problems.push("\"auth\" does not decode to \"username:password\"".to_string());
        return r;
    };
    r.auth_valid = Some(true);
    let (user, pass) = (&decoded[..colon], &decoded[colon + 1..]);
    r.auth_username = Some(String::from_utf8_lossy(user).into_owned());
    if let (Some(username), Some(password)) = (r.username.as_deref(), password.as_deref()) {
        let agrees = username.as_bytes() == user && password.as_bytes() == pass;
        r.auth_agrees = Some(agrees);
        if !agrees {
            let which = if username.as_bytes() != user { "username" } else { "password" };
            r.problems.push(format!("\"auth\" does not match \"username\"/\"password\" (the {which} differs)"));
        }
    }
    r
}

/// Warnings for a docker config the API server accepts but kubelet will not use as intended.
pub fn warnings(v: &DockerView) -> Vec<Warning> {
    let field = format!("data[{}]", v.key);
    let mut out = Vec::new();
    if !v.json_object {
        return out; // the API server rejects it with an error of its own
    }
    if v.registries.is_empty() {
        for p in &v.problems {
            out.push(Warning::new(&field, format!("{p}; image pulls with this Secret will not log in")));
        }
    }
    for r in &v.registries {
        if r.auth_valid == Some(false) {
            out.push(Warning::new(
                &field,
                format!(
                    "the \"auth\" of registry \"{}\" is not base64 of \"username:password\"; kubelet cannot read \
                     this pull secret. Re-create it with kubectl create secret docker-registry",
                    r.server
                ),
            ));
        }
        if r.auth_agrees == Some(false) {
            out.push(Warning::new(
                &field,
                format!(
                    "the \"auth\" of registry \"{}\" does not match its \"username\"/\"password\"; kubelet uses \
                     \"auth\" and ignores the other two. Fix \"auth\" (base64 of username:password) or remove it",
                    r.server
                ),
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret::types;

    fn secret(key: &str, json: &str) -> Secret {
        let type_ = if key == CFG_KEY { types::DOCKERCFG } else { types::DOCKER_CONFIG_JSON };
        let mut s = Secret::new("default", "regcred", type_);
        s.data = Some([(key.to_string(), json.into())].into());
        s
    }

    fn b64(s: &str) -> String {
        base64::engine::general_purpose::STANDARD.encode(s)
    }

    #[test]
    fn reads_a_consistent_config_json() {
        let json = format!(
            r#"{{"auths":{{"registry.example.com":{{"username":"alice","password":"s3cret","email":"a@example.com","auth":"{}"}}}}}}"#,
            b64("alice:s3cret")
        );
        let v = view(&secret(CONFIG_JSON_KEY, &json), false);
        assert!(v.problems.is_empty());
        let r = &v.registries[0];
        assert_eq!(r.server, "registry.example.com");
        assert_eq!(r.username.as_deref(), Some("alice"));
        assert_eq!(r.email.as_deref(), Some("a@example.com"));
        assert!(r.has_password && r.has_auth);
        assert_eq!(r.auth_agrees, Some(true));
        assert!(r.problems.is_empty());
        assert!(!format!("{v:?}").contains("s3cret"));
    }

    #[test]
    fn flags_auth_that_disagrees_without_showing_the_password() {
        let json = format!(
            r#"{{"auths":{{"r.io":{{"username":"alice","password":"s3cret","auth":"{}"}}}}}}"#,
            b64("alice:other-pass")
        );
        let v = view(&secret(CONFIG_JSON_KEY, &json), false);
        let r = &v.registries[0];
        assert_eq!(r.auth_agrees, Some(false));
        assert!(r.problems[0].contains("password differs"));
        let dbg = format!("{v:?}");
        assert!(!dbg.contains("s3cret") && !dbg.contains("other-pass"));
    }

    #[test]
    fn auth_only_gives_the_user_name() {
        let json = format!(r#"{{"auths":{{"r.io":{{"auth":"{}"}}}}}}"#, b64("bob:pw"));
        let r = &view(&secret(CONFIG_JSON_KEY, &json), false).registries[0];
        assert_eq!(r.auth_username.as_deref(), Some("bob"));
        assert_eq!(r.auth_agrees, None);
    }

    #[test]
    fn legacy_dockercfg_has_registries_at_the_top() {
        let json = format!(r#"{{"https://index.docker.io/v1/":{{"auth":"{}","email":"e@x"}}}}"#, b64("u:p"));
        let v = view(&secret(CFG_KEY, &json), true);
        assert_eq!(v.key, CFG_KEY);
        assert_eq!(v.registries[0].server, "https://index.docker.io/v1/");
        assert_eq!(v.registries[0].auth_username.as_deref(), Some("u"));
    }

    #[test]
    fn parse_problems_are_reported() {
        assert!(view(&secret(CONFIG_JSON_KEY, "{"), false).problems[0].contains("not valid JSON"));
        assert!(view(&secret(CONFIG_JSON_KEY, "[]"), false).problems[0].contains("JSON object"));
        assert!(view(&secret(CONFIG_JSON_KEY, r#"{"auths":[]}"#), false).problems[0].contains("must be an object"));
        let legacy_in_json = format!(r#"{{"r.io":{{"auth":"{}"}}}}"#, b64("u:p"));
        assert!(view(&secret(CONFIG_JSON_KEY, &legacy_in_json), false).problems[0].contains("legacy"));
        let bad = view(&secret(CONFIG_JSON_KEY, r#"{"auths":{"r.io":{"auth":"%%%"}}}"#), false);
        assert!(bad.registries[0].problems[0].contains("base64"));
        let no_colon = format!(r#"{{"auths":{{"r.io":{{"auth":"{}"}}}}}}"#, b64("nocolon"));
        assert!(
            view(&secret(CONFIG_JSON_KEY, &no_colon), false).registries[0].problems[0].contains("username:password")
        );
        let missing = view(&Secret::new("default", "x", types::DOCKER_CONFIG_JSON), false);
        assert!(missing.problems[0].contains("missing"));
    }
}
