//! The name and key formats of `k8s.io/apimachinery`, with Go's exact messages.
//!
//! Two generations of helpers coexist upstream and say lengths differently (facts §1.3):
//! `pkg/util/validation` (DNS names of objects and namespaces, ConfigMap/Secret keys) says
//! "must be no more than N characters"; `pkg/api/validate/content` (label keys and values, and so
//! annotation keys and finalizers, since 1.35) says "N bytes". Go measures both in bytes.
//!
//! The patterns are simple enough to check by hand, which keeps this module free of regex
//! compilation and of any way to panic.

/// `RegexError` of `k8s.io/apimachinery`: `msg (e.g. 'a',  or 'b', regex used for validation is 're')`.
/// Each example is followed by `', '` and joined with `" or "`, hence the two spaces before "or".
pub fn regex_error(msg: &str, re: &str, examples: &[&str]) -> String {
    if examples.is_empty() {
        return format!("{msg} (regex used for validation is '{re}')");
    }
    let mut out = format!("{msg} (e.g. ");
    for (i, e) in examples.iter().enumerate() {
        if i > 0 {
            out.push_str(" or ");
        }
        out.push('\'');
        out.push_str(e);
        out.push_str("', ");
    }
    out.push_str("regex used for validation is '");
    out.push_str(re);
    out.push_str("')");
    out
}

/// `validation.MaxLenError` (`pkg/util/validation`).
pub fn max_len_characters(n: usize) -> String {
    format!("must be no more than {n} characters")
}

/// `content.MaxLenError` (`pkg/api/validate/content`, Kubernetes 1.35+).
pub fn max_len_bytes(n: usize) -> String {
    format!("must be no more than {n} bytes")
}

/// `EmptyError()`.
pub const EMPTY_ERROR: &str = "must be non-empty";

pub const DNS1123_LABEL_MAX_LENGTH: usize = 63;
pub const DNS1123_SUBDOMAIN_MAX_LENGTH: usize = 253;
pub const LABEL_VALUE_MAX_LENGTH: usize = 63;
const LABEL_KEY_MAX_LENGTH: usize = 63;

const DNS1123_LABEL_FMT: &str = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
const DNS1123_LABEL_ERR: &str = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character";
const DNS1123_SUBDOMAIN_FMT: &str = "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*";
const DNS1123_SUBDOMAIN_ERR: &str = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";
const LABEL_KEY_FMT: &str = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
const LABEL_KEY_ERR: &str =
    "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const LABEL_VALUE_FMT: &str = "(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?";
const LABEL_VALUE_ERR: &str = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const CONFIG_MAP_KEY_FMT: &str = "[-._a-zA-Z0-9]+";
const CONFIG_MAP_KEY_ERR: &str = "a valid config key must consist of alphanumeric characters, '-', '_' or '.'";
pub const ENV_VAR_NAME_FMT: &str = "[-._a-zA-Z][-._a-zA-Z0-9]*";
const ENV_VAR_NAME_ERR: &str = "a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit";

fn lower_alnum(b: u8) -> bool {
    b.is_ascii_lowercase() || b.is_ascii_digit()
}

/// `^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`
fn matches_dns1123_label(s: &str) -> bool {
    let b = s.as_bytes();
    match (b.first(), b.last()) {
        (Some(&f), Some(&l)) => lower_alnum(f) && lower_alnum(l) && b.iter().all(|&c| lower_alnum(c) || c == b'-'),
        _ => false,
    }
}

/// `^label(\.label)*$`
fn matches_dns1123_subdomain(s: &str) -> bool {
    s.split('.').all(matches_dns1123_label)
}

/// `^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$`
fn matches_label_key_name(s: &str) -> bool {
    let b = s.as_bytes();
    match (b.first(), b.last()) {
        (Some(&f), Some(&l)) => {
            f.is_ascii_alphanumeric()
                && l.is_ascii_alphanumeric()
                && b.iter().all(|&c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
        }
        _ => false,
    }
}

/// `IsDNS1123Label` (`pkg/util/validation`).
pub fn is_dns1123_label(value: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if value.len() > DNS1123_LABEL_MAX_LENGTH {
        errs.push(max_len_characters(DNS1123_LABEL_MAX_LENGTH));
    }
    if !matches_dns1123_label(value) {
        if matches_dns1123_subdomain(value) {
            // A valid subdomain that is not a label: with the length already checked, it has dots.
            errs.push("must not contain dots".to_string());
        } else {
            errs.push(regex_error(DNS1123_LABEL_ERR, DNS1123_LABEL_FMT, &["my-name", "123-abc"]));
        }
    }
    errs
}

fn dns1123_subdomain(value: &str, max_len: fn(usize) -> String) -> Vec<String> {
    let mut errs = Vec::new();
    if value.len() > DNS1123_SUBDOMAIN_MAX_LENGTH {
        errs.push(max_len(DNS1123_SUBDOMAIN_MAX_LENGTH));
    }
    if !matches_dns1123_subdomain(value) {
        errs.push(regex_error(DNS1123_SUBDOMAIN_ERR, DNS1123_SUBDOMAIN_FMT, &["example.com"]));
    }
    errs
}

/// `IsDNS1123Subdomain` (`pkg/util/validation`, "characters"): object names.
pub fn is_dns1123_subdomain(value: &str) -> Vec<String> {
    dns1123_subdomain(value, max_len_characters)
}

/// `content.IsLabelKey` (= `IsQualifiedName`): label keys, annotation keys (lower-cased first),
/// finalizer names. An optional DNS-subdomain prefix and `/`, then a name of at most 63 bytes.
pub fn is_qualified_name(value: &str) -> Vec<String> {
    let mut errs = Vec::new();
    let parts: Vec<&str> = value.split('/').collect();
    let name = match parts.as_slice() {
        [name] => *name,
        [prefix, name] => {
            if prefix.is_empty() {
                errs.push(format!("prefix part {EMPTY_ERROR}"));
            } else {
                errs.extend(dns1123_subdomain(prefix, max_len_bytes).into_iter().map(|m| format!("prefix part {m}")));
            }
            *name
        }
        _ => {
            errs.push(format!(
                "a valid label key {} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
                regex_error(LABEL_KEY_ERR, LABEL_KEY_FMT, &["MyName", "my.name", "123-abc"])
            ));
            return errs;
        }
    };
    if name.is_empty() {
        errs.push(format!("name part {EMPTY_ERROR}"));
    } else if name.len() > LABEL_KEY_MAX_LENGTH {
        errs.push(format!("name part {}", max_len_bytes(LABEL_KEY_MAX_LENGTH)));
    }
    if !matches_label_key_name(name) {
        errs.push(format!(
            "name part {}",
            regex_error(LABEL_KEY_ERR, LABEL_KEY_FMT, &["MyName", "my.name", "123-abc"])
        ));
    }
    errs
}

/// `content.IsLabelValue`.
pub fn is_label_value(value: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if value.len() > LABEL_VALUE_MAX_LENGTH {
        errs.push(max_len_bytes(LABEL_VALUE_MAX_LENGTH));
    }
    if !value.is_empty() && !matches_label_key_name(value) {
        errs.push(regex_error(LABEL_VALUE_ERR, LABEL_VALUE_FMT, &["MyValue", "my_value", "12345"]));
    }
    errs
}

/// `hasChDirPrefix`: `.`, `..` and anything starting with `..` would escape or shadow the
/// `..data` symlink of a Secret volume.
fn has_chdir_prefix(value: &str) -> Vec<String> {
    if value == "." {
        vec!["must not be '.'".to_string()]
    } else if value == ".." {
        vec!["must not be '..'".to_string()]
    } else if value.starts_with("..") {
        vec!["must not start with '..'".to_string()]
    } else {
        Vec::new()
    }
}

/// `IsConfigMapKey`: the rule for every key of a Secret's `data` (and `stringData`).
pub fn is_config_map_key(value: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if value.len() > DNS1123_SUBDOMAIN_MAX_LENGTH {
        errs.push(max_len_characters(DNS1123_SUBDOMAIN_MAX_LENGTH));
    }
    let ok = !value.is_empty() && value.bytes().all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'));
    if !ok {
        errs.push(regex_error(CONFIG_MAP_KEY_ERR, CONFIG_MAP_KEY_FMT, &["key.name", "KEY_NAME", "key-name"]));
    }
    errs.extend(has_chdir_prefix(value));
    errs
}

/// `IsEnvVarName`, the classic rule: `[-._a-zA-Z][-._a-zA-Z0-9]*` and no `.`/`..` prefix.
pub fn env_var_name_errors(value: &str) -> Vec<String> {
    let mut errs = Vec::new();
    let b = value.as_bytes();
    let ok = match b.first() {
        Some(&f) => {
            (f.is_ascii_alphabetic() || matches!(f, b'-' | b'.' | b'_'))
                && b.iter().all(|&c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
        }
        None => false,
    };
    if !ok {
        errs.push(regex_error(ENV_VAR_NAME_ERR, ENV_VAR_NAME_FMT, &["my.env-name", "MY_ENV.NAME", "MyEnvName1"]));
    }
    errs.extend(has_chdir_prefix(value));
    errs
}

/// `maskTrailingDash` of `generic.go`: a `generateName` may end with `-`. Upstream replaces the
/// last *two* bytes with `a` (`name[:len(name)-2] + "a"`); for the one-byte name `-` that slice
/// would panic in Go, so here `-` is left as it is and fails the subdomain rule.
fn mask_trailing_dash(name: &str) -> String {
    if name.len() > 1 && name.ends_with('-') {
        let mut cut = name.len() - 2;
        while !name.is_char_boundary(cut) {
            cut -= 1;
        }
        format!("{}a", &name[..cut])
    } else {
        name.to_string()
    }
}

/// `NameIsDNSSubdomain(name, prefix)`: the name rule of Secrets (`ValidateSecretName`).
pub fn name_is_dns_subdomain(name: &str, prefix: bool) -> Vec<String> {
    if prefix { is_dns1123_subdomain(&mask_trailing_dash(name)) } else { is_dns1123_subdomain(name) }
}

/// `NameIsDNSLabel(name, false)`: the namespace rule (`ValidateNamespaceName`).
pub fn name_is_dns_label(name: &str) -> Vec<String> {
    is_dns1123_label(name)
}

/// `path.ValidatePathSegmentName`: the generic check `rest.BeforeCreate`/`BeforeUpdate` add.
pub fn path_segment_name(name: &str, prefix: bool) -> Vec<String> {
    if !prefix {
        for bad in [".", ".."] {
            if name == bad {
                return vec![format!("may not be '{bad}'")];
            }
        }
    }
    ["/", "%"].iter().filter(|bad| name.contains(**bad)).map(|bad| format!("may not contain '{bad}'")).collect()
}

/// Go's `strconv.Quote`, which `%q` uses: how a string bad value appears in
/// `Invalid value: "..."`. Printable runes stay as they are; `\a \b \f \n \r \t \v`, `\"` and
/// `\\` are escaped; other control and non-printable runes become `\xHH`, `\uHHHH` or
/// `\UHHHHHHHH`. (Go's `IsPrint` is approximated for rare Unicode format characters.)
pub fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{b}' => out.push_str("\\v"),
            c if go_is_print(c) => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{7f}' => out.push_str(&format!("\\x{:02x}", c as u32)),
            c if (c as u32) < 0x10000 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push_str(&format!("\\U{:08x}", c as u32)),
        }
    }
    out.push('"');
    out
}

/// An approximation of Go's `strconv.IsPrint`: letters, marks, numbers, punctuation, symbols
/// and the ASCII space; not controls, other spaces, format characters or private use.
pub fn go_is_print(c: char) -> bool {
    if c == ' ' {
        return true;
    }
    if c.is_control() || c.is_whitespace() {
        return false;
    }
    let u = c as u32;
    !matches!(u,
        0x00AD | 0x034F | 0x0600..=0x0605 | 0x061C | 0x06DD | 0x070F | 0x0890..=0x0891 | 0x08E2
        | 0x115F..=0x1160 | 0x17B4..=0x17B5 | 0x180B..=0x180F | 0x200B..=0x200F | 0x202A..=0x202E
        | 0x2060..=0x206F | 0x3164 | 0xD800..=0xF8FF | 0xFE00..=0xFE0F | 0xFEFF | 0xFFA0
        | 0xFFF0..=0xFFFB | 0xFFFE..=0xFFFF | 0x110BD | 0x110CD | 0x13430..=0x1343F
        | 0x1BCA0..=0x1BCA3 | 0x1D173..=0x1D17A | 0xE0000..=0xE0FFF | 0xF0000..=0x10FFFF)
}

/// Go's `encoding/json` string encoding (HTML-safe, as `json.Marshal` does): how non-string bad
/// values (owner references, finalizer lists) appear in `Invalid value: ...`.
pub fn go_json_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => out.push_str(&format!("\\u{:04x}", c as u32)),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const SUBDOMAIN_MSG: &str = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

    #[test]
    fn regex_error_has_two_spaces_before_each_or() {
        assert_eq!(
            regex_error("m", "r", &["a", "b", "c"]),
            "m (e.g. 'a',  or 'b',  or 'c', regex used for validation is 'r')"
        );
        assert_eq!(regex_error("m", "r", &[]), "m (regex used for validation is 'r')");
    }

    #[test]
    fn dns1123_subdomain() {
        assert!(is_dns1123_subdomain("example.com").is_empty());
        assert!(is_dns1123_subdomain("a").is_empty());
        assert!(is_dns1123_subdomain(&"a".repeat(253)).is_empty());
        assert_eq!(is_dns1123_subdomain("Example.com"), vec![SUBDOMAIN_MSG.to_string()]);
        assert_eq!(is_dns1123_subdomain("a..b"), vec![SUBDOMAIN_MSG.to_string()]);
        assert_eq!(is_dns1123_subdomain(""), vec![SUBDOMAIN_MSG.to_string()]);
        assert_eq!(is_dns1123_subdomain(&"a".repeat(254)), vec!["must be no more than 253 characters".to_string()]);
    }

    #[test]
    fn dns1123_label_says_dots_for_subdomains() {
        assert!(is_dns1123_label("kube-system").is_empty());
        assert_eq!(is_dns1123_label("a.b"), vec!["must not contain dots".to_string()]);
        assert_eq!(
            is_dns1123_label("A_b"),
            vec!["a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')".to_string()]
        );
        assert_eq!(is_dns1123_label(&"a".repeat(64)), vec!["must be no more than 63 characters".to_string()]);
    }

    #[test]
    fn qualified_names() {
        for ok in ["simple", "example.com/MyName", "1234/5678", "Uppercase_Is_OK_123", &"a".repeat(63)] {
            assert!(is_qualified_name(ok).is_empty(), "{ok}");
        }
        let name_part = "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
        assert_eq!(is_qualified_name("cantendwithadash-"), vec![name_part.to_string()]);
        assert_eq!(is_qualified_name(&"a".repeat(64)), vec!["name part must be no more than 63 bytes".to_string()]);
        assert_eq!(
            is_qualified_name("example.com/"),
            vec!["name part must be non-empty".to_string(), name_part.to_string()]
        );
        assert_eq!(is_qualified_name("/simple"), vec!["prefix part must be non-empty".to_string()]);
        assert_eq!(is_qualified_name("Example.com/abc"), vec![format!("prefix part {SUBDOMAIN_MSG}")]);
        assert_eq!(
            is_qualified_name("only/one/slash"),
            vec!["a valid label key must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')".to_string()]
        );
    }

    #[test]
    fn label_values() {
        assert!(is_label_value("").is_empty());
        assert!(is_label_value("my_value").is_empty());
        assert_eq!(is_label_value(&"a".repeat(64)), vec!["must be no more than 63 bytes".to_string()]);
        assert_eq!(
            is_label_value("-x"),
            vec!["a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')".to_string()]
        );
    }

    #[test]
    fn config_map_keys() {
        for ok in [".dockercfg", "tls.crt", "KEY_NAME", "a..b", ".secret-file"] {
            assert!(is_config_map_key(ok).is_empty(), "{ok}");
        }
        let re = "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')";
        assert_eq!(is_config_map_key(""), vec![re.to_string()]);
        assert_eq!(is_config_map_key("bad key"), vec![re.to_string()]);
        assert_eq!(is_config_map_key("."), vec!["must not be '.'".to_string()]);
        assert_eq!(is_config_map_key(".."), vec!["must not be '..'".to_string()]);
        assert_eq!(is_config_map_key("..data"), vec!["must not start with '..'".to_string()]);
        assert_eq!(is_config_map_key(&"k".repeat(254)), vec!["must be no more than 253 characters".to_string()]);
    }

    #[test]
    fn env_var_names() {
        assert!(env_var_name_errors("MY_VAR").is_empty());
        assert!(env_var_name_errors("tls.crt").is_empty());
        assert_eq!(
            env_var_name_errors("1password"),
            vec!["a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit (e.g. 'my.env-name',  or 'MY_ENV.NAME',  or 'MyEnvName1', regex used for validation is '[-._a-zA-Z][-._a-zA-Z0-9]*')".to_string()]
        );
    }

    #[test]
    fn generate_name_masks_the_trailing_dash_like_go() {
        assert!(name_is_dns_subdomain("web-", true).is_empty());
        assert_eq!(name_is_dns_subdomain("web-", false), vec![SUBDOMAIN_MSG.to_string()]);
        // Go cuts two bytes: "a.-" becomes "aa", so it passes although "a.-xxxxx" would not.
        assert!(name_is_dns_subdomain("a.-", true).is_empty());
        assert_eq!(name_is_dns_subdomain("-", true), vec![SUBDOMAIN_MSG.to_string()]);
    }

    #[test]
    fn path_segments() {
        assert_eq!(path_segment_name("..", false), vec!["may not be '..'".to_string()]);
        assert_eq!(
            path_segment_name("a/b%", false),
            vec!["may not contain '/'".to_string(), "may not contain '%'".to_string()]
        );
        assert!(path_segment_name("..", true).is_empty());
        assert!(path_segment_name("ok", false).is_empty());
    }

    #[test]
    fn go_quoting() {
        assert_eq!(go_quote("bad key"), "\"bad key\"");
        assert_eq!(go_quote("a\"b\\c"), "\"a\\\"b\\\\c\"");
        assert_eq!(go_quote("\t\u{1}\u{7f}"), "\"\\t\\x01\\x7f\"");
        assert_eq!(go_quote("é\u{a0}\u{200b}"), "\"é\\u00a0\\u200b\"");
        assert_eq!(go_json_string("<a&b>\u{1}"), "\"\\u003ca\\u0026b\\u003e\\u0001\"");
    }
}
