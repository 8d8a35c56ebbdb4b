//! `ValidateSecret` and `ValidateSecretUpdate` of `pkg/apis/core/validation/validation.go`:
//! data keys, the 1 MiB size rule, the rules of each built-in type (facts §1.2, §1.4, §1.5) and
//! the update rules (§2). Data keys are visited in sorted order (Go's map order is random).

use super::meta::{self, NameRule};
use super::names::{self, go_json_string};
use super::{FieldError, gojson};
use crate::secret::{Secret, types};

/// `MaxSecretSize`: the sum of the decoded values may be at most 1 MiB (keys not counted).
pub const MAX_SECRET_SIZE: usize = 1024 * 1024;
/// The value shown for a docker config that is not a JSON object: never the contents.
pub const REDACTED: &str = "<secret contents redacted>";
const IMMUTABLE_SET: &str = "field is immutable when `immutable` is set";
const SERVICE_ACCOUNT_NAME_KEY: &str = "kubernetes.io/service-account.name";

/// Core `ValidateObjectMeta`: the apimachinery rules with the Secret name rule, then the
/// standard-finalizer check on each finalizer.
pub fn core_object_meta(s: &Secret) -> Vec<FieldError> {
    let mut errs = meta::object_meta(&s.metadata, NameRule::DnsSubdomain);
    errs.extend(meta::kube_finalizer_names(&s.metadata));
    errs
}

/// `IsConfigMapKey` for every key, as `Invalid` at `data[<key>]`.
pub fn data_keys(s: &Secret) -> Vec<FieldError> {
    let mut errs = Vec::new();
    for (key, _) in s.entries() {
        for msg in names::is_config_map_key(key) {
            errs.push(FieldError::invalid(format!("data[{key}]"), key, &msg));
        }
    }
    errs
}

/// The decoded values may total 1 MiB; exactly 1048576 bytes is accepted.
pub fn data_size(s: &Secret) -> Vec<FieldError> {
    if s.data_size() > MAX_SECRET_SIZE { vec![meta::too_long("data", MAX_SECRET_SIZE)] } else { Vec::new() }
}

fn docker_config(s: &Secret, key: &str) -> Vec<FieldError> {
    let field = format!("data[{key}]");
    match s.get(key) {
        None => vec![FieldError::required(field, "")],
        Some(v) => match gojson::unmarshal_object_error(v.as_bytes()) {
            Some(detail) => vec![FieldError::invalid(field, REDACTED, &detail)],
            None => Vec::new(),
        },
    }
}

/// The rules of the built-in types (facts §1.5). `bootstrap.kubernetes.io/token` and custom
/// types have none in the API server.
pub fn type_rules(s: &Secret) -> Vec<FieldError> {
    let has = |k: &str| s.get(k).is_some();
    match s.effective_type() {
        types::SERVICE_ACCOUNT_TOKEN => {
            if s.annotation(SERVICE_ACCOUNT_NAME_KEY).unwrap_or("").is_empty() {
                vec![FieldError::required(format!("metadata.annotations[{SERVICE_ACCOUNT_NAME_KEY}]"), "")]
            } else {
                Vec::new()
            }
        }
        types::DOCKERCFG => docker_config(s, ".dockercfg"),
        types::DOCKER_CONFIG_JSON => docker_config(s, ".dockerconfigjson"),
        types::BASIC_AUTH => {
            if !has("username") && !has("password") {
                vec![FieldError::required("data[username]", ""), FieldError::required("data[password]", "")]
            } else {
                Vec::new()
            }
        }
        types::SSH_AUTH => {
            if s.get("ssh-privatekey").is_none_or(|v| v.is_empty()) {
                vec![FieldError::required("data[ssh-privatekey]", "")]
            } else {
                Vec::new()
            }
        }
        types::TLS => {
            let mut errs = Vec::new();
            for key in ["tls.crt", "tls.key"] {
                if !has(key) {
                    errs.push(FieldError::required(format!("data[{key}]"), ""));
                }
            }
            errs
        }
        _ => Vec::new(),
    }
}

/// `ValidateSecret`: metadata, data keys, size, then the type's rules.
pub fn validate_secret(s: &Secret) -> Vec<FieldError> {
    let mut errs = core_object_meta(s);
    errs.extend(data_keys(s));
    errs.extend(data_size(s));
    errs.extend(type_rules(s));
    errs
}

/// The Secret-specific update rules: `type` never changes; once `immutable` is true it stays
/// true and `data` stays as it is (compared like Go's `reflect.DeepEqual`, so absent data and
/// an empty map differ).
pub fn update_rules(old: &Secret, new: &Secret) -> Vec<FieldError> {
    let mut errs = Vec::new();
    if new.effective_type() != old.effective_type() {
        errs.push(FieldError::invalid_plain("type", &go_json_string(new.effective_type()), meta::FIELD_IMMUTABLE));
    }
    if old.is_immutable() {
        if !new.is_immutable() {
            errs.push(FieldError::forbidden("immutable", IMMUTABLE_SET));
        }
        if new.data != old.data {
            errs.push(FieldError::forbidden("data", IMMUTABLE_SET));
        }
    }
    errs
}

/// `ValidateSecretUpdate`: core `ValidateObjectMetaUpdate`, the update rules, then the whole
/// `ValidateSecret` of the new object.
pub fn validate_secret_update(old: &Secret, new: &Secret) -> Vec<FieldError> {
    let mut errs = meta::object_meta_update(&new.metadata, &old.metadata);
    errs.extend(meta::kube_finalizer_names(&new.metadata));
    errs.extend(update_rules(old, new));
    errs.extend(validate_secret(new));
    errs
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret::SecretValue;
    use crate::validate::Reason;
    use std::collections::BTreeMap;

    fn secret(type_: &str, data: &[(&str, &[u8])]) -> Secret {
        let mut s = Secret::new("default", "s", type_);
        s.data = Some(data.iter().map(|(k, v)| (k.to_string(), SecretValue::from(*v))).collect());
        s
    }

    fn only(errs: Vec<FieldError>) -> (String, Reason, String) {
        assert_eq!(errs.len(), 1, "{errs:#?}");
        let e = errs.into_iter().next().unwrap();
        (e.field, e.reason, e.message)
    }

    fn req(field: &str) -> (String, Reason, String) {
        (field.to_string(), Reason::FieldValueRequired, "Required value".to_string())
    }

    #[test]
    fn data_keys_follow_is_config_map_key() {
        assert!(data_keys(&secret("Opaque", &[(".secret-file", b"v"), ("KEY_NAME", b"")])).is_empty());
        assert_eq!(
            only(data_keys(&secret("Opaque", &[("bad key", b"v")]))),
            (
                "data[bad key]".into(),
                Reason::FieldValueInvalid,
                "Invalid value: \"bad key\": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')".into()
            )
        );
        assert_eq!(
            only(data_keys(&secret("Opaque", &[("..data", b"v")]))),
            (
                "data[..data]".into(),
                Reason::FieldValueInvalid,
                "Invalid value: \"..data\": must not start with '..'".into()
            )
        );
    }

    #[test]
    fn size_is_strictly_greater_than_one_mebibyte() {
        let exact = vec![b'x'; MAX_SECRET_SIZE / 2];
        assert!(data_size(&secret("Opaque", &[("a", &exact), ("b", &exact)])).is_empty());
        assert_eq!(
            only(data_size(&secret("Opaque", &[("a", &exact), ("b", &exact), ("c", b"!")]))),
            ("data".into(), Reason::FieldValueTooLong, "Too long: may not be more than 1048576 bytes".into())
        );
    }

    #[test]
    fn service_account_token_needs_the_name_annotation() {
        let mut s = secret(types::SERVICE_ACCOUNT_TOKEN, &[("extra", b"bar\n")]);
        assert_eq!(only(type_rules(&s)), req("metadata.annotations[kubernetes.io/service-account.name]"));
        s.metadata.annotations = Some(BTreeMap::from([(SERVICE_ACCOUNT_NAME_KEY.into(), "".into())]));
        assert_eq!(type_rules(&s).len(), 1);
        s.metadata.annotations = Some(BTreeMap::from([(SERVICE_ACCOUNT_NAME_KEY.into(), "sa-name".into())]));
        assert!(type_rules(&s).is_empty());
    }

    #[test]
    fn docker_configs_must_be_json_objects() {
        for (t, key) in [(types::DOCKER_CONFIG_JSON, ".dockerconfigjson"), (types::DOCKERCFG, ".dockercfg")] {
            assert!(type_rules(&secret(t, &[(key, br#"{"auths":{}}"#)])).is_empty());
            assert_eq!(only(type_rules(&secret(t, &[]))), req(&format!("data[{key}]")));
            assert_eq!(
                only(type_rules(&secret(t, &[(key, b"[]")]))),
                (
                    format!("data[{key}]"),
                    Reason::FieldValueInvalid,
                    "Invalid value: \"<secret contents redacted>\": json: cannot unmarshal array into Go value of type map[string]interface {}".into()
                )
            );
            assert_eq!(
                only(type_rules(&secret(t, &[(key, b"")]))).2,
                "Invalid value: \"<secret contents redacted>\": unexpected end of JSON input"
            );
        }
    }

    #[test]
    fn basic_auth_needs_one_of_username_or_password() {
        assert!(type_rules(&secret(types::BASIC_AUTH, &[("username", b"")])).is_empty());
        assert!(type_rules(&secret(types::BASIC_AUTH, &[("password", b"x")])).is_empty());
        let errs = type_rules(&secret(types::BASIC_AUTH, &[("user", b"admin")]));
        let got: Vec<(String, Reason, String)> = errs.into_iter().map(|e| (e.field, e.reason, e.message)).collect();
        assert_eq!(got, vec![req("data[username]"), req("data[password]")]);
    }

    #[test]
    fn ssh_auth_needs_a_non_empty_private_key() {
        assert!(type_rules(&secret(types::SSH_AUTH, &[("ssh-privatekey", b"k")])).is_empty());
        assert_eq!(only(type_rules(&secret(types::SSH_AUTH, &[("ssh-privatekey", b"")]))), req("data[ssh-privatekey]"));
        assert_eq!(only(type_rules(&secret(types::SSH_AUTH, &[]))), req("data[ssh-privatekey]"));
    }

    #[test]
    fn tls_needs_both_keys_but_not_their_contents() {
        assert!(type_rules(&secret(types::TLS, &[("tls.crt", b""), ("tls.key", b"")])).is_empty());
        assert_eq!(only(type_rules(&secret(types::TLS, &[("tls.crt", b"c")]))), req("data[tls.key]"));
        let errs = type_rules(&secret(types::TLS, &[]));
        assert_eq!(errs.iter().map(|e| e.field.as_str()).collect::<Vec<_>>(), vec!["data[tls.crt]", "data[tls.key]"]);
    }

    #[test]
    fn opaque_bootstrap_and_custom_types_have_no_rules() {
        for t in ["Opaque", "", types::BOOTSTRAP_TOKEN, "example.com/custom"] {
            assert!(type_rules(&secret(t, &[])).is_empty(), "{t}");
        }
    }

    #[test]
    fn type_is_immutable() {
        let old = secret(types::OPAQUE, &[]);
        assert!(update_rules(&old, &secret("", &[])).is_empty());
        assert_eq!(
            only(update_rules(&old, &secret(types::TLS, &[]))),
            (
                "type".into(),
                Reason::FieldValueInvalid,
                "Invalid value: \"kubernetes.io/tls\": field is immutable".into()
            )
        );
    }

    #[test]
    fn immutable_secrets_keep_the_flag_and_the_data() {
        let mut old = secret(types::OPAQUE, &[("a", b"1")]);
        old.immutable = Some(true);
        let mut new = old.clone();
        assert!(update_rules(&old, &new).is_empty());
        new.immutable = Some(false);
        assert_eq!(
            only(update_rules(&old, &new)),
            (
                "immutable".into(),
                Reason::FieldValueForbidden,
                "Forbidden: field is immutable when `immutable` is set".into()
            )
        );
        let mut new = old.clone();
        new.data = Some(BTreeMap::from([("a".to_string(), SecretValue::from("2"))]));
        assert_eq!(
            only(update_rules(&old, &new)),
            (
                "data".into(),
                Reason::FieldValueForbidden,
                "Forbidden: field is immutable when `immutable` is set".into()
            )
        );
        // false -> true, with a data change in the same request, is allowed.
        let mut mutable = secret(types::OPAQUE, &[("a", b"1")]);
        mutable.immutable = Some(false);
        assert!(update_rules(&mutable, &new).is_empty());
        // An empty map is not absent data (reflect.DeepEqual).
        let mut empty_old = secret(types::OPAQUE, &[]);
        empty_old.data = None;
        empty_old.immutable = Some(true);
        let mut empty_new = empty_old.clone();
        empty_new.data = Some(BTreeMap::new());
        assert_eq!(only(update_rules(&empty_old, &empty_new)).0, "data");
    }
}
