//! A whole Secret as text, for the copy actions: a YAML manifest with the values readable in
//! `stringData` (binary values stay base64 in `data`), and an env file (`KEY=value`, quoted for
//! a POSIX shell).
//!
//! The results hold values, so they come back in `Zeroizing` strings; they are meant for the
//! clipboard only (never a file or a log).

use std::fmt::Write as _;

use zeroize::Zeroizing;

use super::codec::{self, ValueKind};
use super::model::{Secret, SecretValue};

/// Annotations left out of the export: `last-applied-configuration` is an old copy of the whole
/// object, values included, and would be applied back as such.
const DROPPED_ANNOTATIONS: &[&str] = &["kubectl.kubernetes.io/last-applied-configuration"];

/// Whether a value can go into `stringData` (and an env file): text keyhole would show as text.
fn is_text(value: &SecretValue) -> bool {
    value.kind() != ValueKind::Binary
}

/// The Secret as a manifest that `kubectl apply -f` takes back: `apiVersion`, `kind`,
/// `metadata` (name, namespace, labels, annotations; no server-set fields), `type`,
/// `immutable`, `stringData` with the text values, and `data` with the binary ones in base64.
pub fn to_yaml(secret: &Secret) -> Zeroizing<String> {
    let mut out = Zeroizing::new(String::with_capacity(256 + secret.data_size() * 2));
    out.push_str("apiVersion: v1\nkind: Secret\nmetadata:\n");
    let m = &secret.metadata;
    if let Some(name) = &m.name {
        let _ = writeln!(out, "  name: {}", inline(name));
    }
    if let Some(ns) = &m.namespace {
        let _ = writeln!(out, "  namespace: {}", inline(ns));
    }
    if let Some(labels) = m.labels.as_ref().filter(|l| !l.is_empty()) {
        out.push_str("  labels:\n");
        for (k, v) in labels {
            entry(&mut out, 4, k, v);
        }
    }
    let annotations: Vec<_> =
        m.annotations.iter().flatten().filter(|(k, _)| !DROPPED_ANNOTATIONS.contains(&k.as_str())).collect();
    if !annotations.is_empty() {
        out.push_str("  annotations:\n");
        for (k, v) in annotations {
            entry(&mut out, 4, k, v);
        }
    }
    let _ = writeln!(out, "type: {}", inline(secret.effective_type()));
    if let Some(im) = secret.immutable {
        let _ = writeln!(out, "immutable: {im}");
    }
    let text: Vec<_> = secret.entries().filter(|(_, v)| is_text(v)).collect();
    let binary: Vec<_> = secret.entries().filter(|(_, v)| !is_text(v)).collect();
    if !text.is_empty() {
        out.push_str("stringData:\n");
        for (k, v) in text {
            // is_text means valid UTF-8.
            entry(&mut out, 2, k, v.as_str().unwrap_or_default());
        }
    }
    if !binary.is_empty() {
        out.push_str("data:\n");
        for (k, v) in binary {
            let b64 = Zeroizing::new(codec::encode_value(v));
            let _ = writeln!(out, "  {}: {}", inline(k), b64.as_str());
        }
    }
    out
}

/// How one value is copied: text as it is; anything else (not UTF-8, control characters) as
/// base64, since a clipboard holds text. `base64` says which, for the message.
#[derive(Clone, PartialEq, Eq)]
pub struct CopiedValue {
    pub text: Zeroizing<String>,
    pub base64: bool,
}

impl std::fmt::Debug for CopiedValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "CopiedValue(<{} bytes>, base64: {})", self.text.len(), self.base64)
    }
}

/// One decoded value for the clipboard.
pub fn value_for_copy(value: &SecretValue) -> CopiedValue {
    match value.as_str().filter(|_| is_text(value)) {
        Some(t) => CopiedValue { text: Zeroizing::new(t.to_string()), base64: false },
        None => CopiedValue { text: Zeroizing::new(codec::encode_value(value)), base64: true },
    }
}

/// Why a key is not in the env file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SkipReason {
    /// Not `[A-Za-z_][A-Za-z0-9_]*`: a shell cannot assign it.
    InvalidName,
    /// Not text (bytes that are not UTF-8, or control characters): cannot be an env value.
    Binary,
}

impl SkipReason {
    pub fn label(self) -> &'static str {
        match self {
            SkipReason::InvalidName => "not a valid variable name",
            SkipReason::Binary => "binary value",
        }
    }
}

/// A key left out of the env file, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    pub key: String,
    pub reason: SkipReason,
}

/// An env file and the keys it left out. `Debug` leaves the text out.
pub struct EnvFile {
    /// `KEY=value` lines, after a comment naming the Secret and the skipped keys. Values that
    /// are not plain words are single-quoted, so `. file` (or `set -a; . file`) in a POSIX shell
    /// gives back every value exactly, new lines included.
    pub text: Zeroizing<String>,
    pub skipped: Vec<Skipped>,
    /// How many keys made it into the file.
    pub written: usize,
}

impl std::fmt::Debug for EnvFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EnvFile")
            .field("text", &format_args!("<{} bytes>", self.text.len()))
            .field("skipped", &self.skipped)
            .field("written", &self.written)
            .finish()
    }
}

impl EnvFile {
    /// A one-line summary of the skipped keys for the status line, e.g.
    /// `skipped tls.crt (not a valid variable name), blob (binary value)`; empty when none.
    pub fn skipped_summary(&self) -> String {
        if self.skipped.is_empty() {
            return String::new();
        }
        let list: Vec<String> = self.skipped.iter().map(|s| format!("{} ({})", s.key, s.reason.label())).collect();
        format!("skipped {}", list.join(", "))
    }
}

/// Whether `name` can be a shell variable (and so an env file entry).
pub fn is_env_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The Secret as an env file: one `KEY=value` line per key that is a valid variable name and
/// holds text.
pub fn to_env(secret: &Secret) -> EnvFile {
    let mut skipped = Vec::new();
    let mut body = Zeroizing::new(String::new());
    let mut written = 0;
    for (k, v) in secret.entries() {
        if !is_env_name(k) {
            skipped.push(Skipped { key: k.clone(), reason: SkipReason::InvalidName });
            continue;
        }
        let Some(text) = v.as_str().filter(|_| is_text(v)) else {
            skipped.push(Skipped { key: k.clone(), reason: SkipReason::Binary });
            continue;
        };
        body.push_str(k);
        body.push('=');
        shell_quote(&mut body, text);
        body.push('\n');
        written += 1;
    }
    let mut text = Zeroizing::new(String::with_capacity(body.len() + 128));
    let _ = writeln!(text, "# Secret {} in namespace {}", comment(secret.name()), comment(secret.namespace()));
    for s in &skipped {
        let _ = writeln!(text, "# skipped {}: {}", comment(&s.key), s.reason.label());
    }
    text.push_str(&body);
    EnvFile { text, skipped, written }
}

/// A name for a comment line: no line breaks.
fn comment(s: &str) -> String {
    s.chars().map(|c| if c.is_control() { '?' } else { c }).collect()
}

/// Appends `value` for the right-hand side of a shell assignment: bare when every character is
/// inert, else in single quotes (a `'` inside becomes `'\''`).
fn shell_quote(out: &mut String, value: &str) {
    let bare = value.chars().all(|c| c.is_ascii_alphanumeric() || "_./:@%+,=-".contains(c));
    if bare {
        out.push_str(value);
        return;
    }
    out.push('\'');
    for c in value.chars() {
        if c == '\'' {
            out.push_str("'\\''");
        } else {
            out.push(c);
        }
    }
    out.push('\'');
}

/// YAML 1.1 words that kubectl's YAML reader (go-yaml v2) turns into booleans or null.
const YAML11_WORDS: &[&str] = &["y", "yes", "n", "no", "true", "false", "on", "off", "null"];

/// Whether `s` reads back as the same string when written unquoted, under YAML 1.1 rules as
/// kubectl applies them: a letter or `_` first, then letters, digits and `_ . / -`, and not a
/// boolean or null word. Anything else is quoted; being strict here costs only quotes.
fn plain_ok(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || "_./-".contains(c))
        && !YAML11_WORDS.contains(&s.to_ascii_lowercase().as_str())
}

/// A scalar on one line: plain when safe, else double-quoted with escapes.
fn inline(s: &str) -> String {
    if plain_ok(s) { s.to_string() } else { double_quoted(s) }
}

/// Characters a YAML literal block can hold as they are.
fn literal_ok(c: char) -> bool {
    c == '\n'
        || c == '\t'
        || (' '..='~').contains(&c)
        || ('\u{a0}'..='\u{d7ff}').contains(&c)
        || (('\u{e000}'..='\u{fffd}').contains(&c) && c != '\u{feff}')
        || c >= '\u{10000}'
}

fn double_quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\0' => out.push_str("\\0"),
            '\u{1b}' => out.push_str("\\e"),
            '\u{85}' => out.push_str("\\N"),
            '\u{2028}' => out.push_str("\\L"),
            '\u{2029}' => out.push_str("\\P"),
            c if (c as u32) < 0x20 || ('\u{7f}'..='\u{9f}').contains(&c) => {
                let _ = write!(out, "\\x{:02X}", c as u32);
            }
            c if !literal_ok(c) => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// One `key: value` mapping entry at `indent` spaces. Multi-line text becomes a literal block
/// (`|`, `|-` or `|+` so that trailing new lines survive exactly); the rest is [`inline`].
fn entry(out: &mut String, indent: usize, key: &str, value: &str) {
    let pad = " ".repeat(indent);
    let _ = write!(out, "{pad}{}:", inline(key));
    let multi_line = value.contains('\n') && !value.trim().is_empty() && value.chars().all(literal_ok);
    if !multi_line {
        let _ = writeln!(out, " {}", inline(value));
        return;
    }
    let trailing = value.len() - value.trim_end_matches('\n').len();
    let (head, chomp) = match trailing {
        0 => (value, "-"),
        1 => (&value[..value.len() - 1], ""),
        _ => (&value[..value.len() - 1], "+"),
    };
    // Leading spaces on the first line with content would be read as indentation: say the
    // indentation explicitly then.
    let first = head.split('\n').find(|l| !l.is_empty()).unwrap_or("");
    let indicator = if first.starts_with(' ') { "2" } else { "" };
    let _ = writeln!(out, " |{indicator}{chomp}");
    let content_pad = " ".repeat(indent + 2);
    for line in head.split('\n') {
        if !line.is_empty() {
            out.push_str(&content_pad);
            out.push_str(line);
        }
        out.push('\n');
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde_json::{Value, json};

    use super::*;
    use crate::validate::manifest;

    fn secret(entries: &[(&str, &[u8])]) -> Secret {
        let mut s = Secret::new("default", "mysecret", "Opaque");
        s.data = Some(entries.iter().map(|(k, v)| (k.to_string(), SecretValue::from(*v))).collect());
        s
    }

    fn mysecret() -> Secret {
        secret(&[("username", b"admin"), ("password", b"1f2d1e2e67df")])
    }

    /// Reads the YAML back as kubectl would and decodes it as the API server would.
    fn read_back(yaml: &str) -> (Value, Secret) {
        let loaded = manifest::load(yaml);
        assert!(loaded.error.is_none(), "{:?}\n{yaml}", loaded.error);
        assert_eq!(loaded.documents.len(), 1);
        let doc = &loaded.documents[0];
        assert!(doc.notes.is_empty(), "YAML surprises: {:?}\n{yaml}", doc.notes);
        let value = doc.value.clone();
        for (k, v) in value.get("stringData").and_then(Value::as_object).into_iter().flatten() {
            assert!(v.is_string(), "stringData[{k}] read back as {v}\n{yaml}");
        }
        let s = Secret::from_json(&value).unwrap_or_else(|e| panic!("{e}\n{yaml}"));
        (value, s)
    }

    #[test]
    fn mysecret_as_yaml() {
        let yaml = to_yaml(&mysecret());
        assert_eq!(
            yaml.as_str(),
            "apiVersion: v1\nkind: Secret\nmetadata:\n  name: mysecret\n  namespace: default\ntype: Opaque\n\
             stringData:\n  password: \"1f2d1e2e67df\"\n  username: admin\n"
        );
        let (_, back) = read_back(&yaml);
        assert_eq!(back.data, mysecret().data);
    }

    #[test]
    fn binary_values_stay_base64_in_data_and_text_goes_to_string_data() {
        let bytes: Vec<u8> = (0..=255).collect();
        let s = secret(&[
            ("blob", &bytes),
            ("ansi", b"\x1b[31mred"),
            ("ca.crt", b"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"),
        ]);
        let yaml = to_yaml(&s);
        let (value, back) = read_back(&yaml);
        assert_eq!(back.data, s.data);
        let data = value["data"].as_object().unwrap();
        let string_data = value["stringData"].as_object().unwrap();
        assert!(data.contains_key("blob") && data.contains_key("ansi"), "{}", *yaml);
        assert_eq!(string_data.keys().collect::<Vec<_>>(), ["ca.crt"]);
        assert!(yaml.contains("  ca.crt: |\n    -----BEGIN CERTIFICATE-----\n    MIIB\n"), "{}", *yaml);
    }

    #[test]
    fn awkward_text_round_trips_exactly_through_kubectls_yaml_rules() {
        let values: &[&str] = &[
            "",
            "12345",
            "0x1F",
            "1e3",
            "1_000",
            "010",
            ".inf",
            "2001-12-14",
            "true",
            "yes",
            "On",
            "n",
            "null",
            "~",
            " leading space",
            "trailing space ",
            "- item",
            "key: value",
            "#comment",
            "'single'",
            "\"double\"",
            "back\\slash",
            "@at *star &amp !tag %pct |pipe >gt [a] {a} , ? :",
            "tab\there",
            "crlf\r\nline",
            "pässwörd ü 日本 🔑",
            "\u{feff}bom",
            "line\u{2028}separator",
            "one\ntwo",
            "one\ntwo\n",
            "one\ntwo\n\n\n",
            "\n\nleading blank lines",
            "  indented\n    more\nback",
            "\n  indented after a blank line\n",
            "trailing spaces   \n  \n",
            "\n",
            "\n\n",
            "{\"json\": [1, 2]}",
            "a\tb\nc\td",
        ];
        let entries: Vec<(String, Vec<u8>)> =
            values.iter().enumerate().map(|(i, v)| (format!("k{i:02}"), v.as_bytes().to_vec())).collect();
        let mut s = Secret::new("default", "awkward", "Opaque");
        s.data = Some(entries.iter().map(|(k, v)| (k.clone(), SecretValue::new(v.clone()))).collect());
        let yaml = to_yaml(&s);
        let (_, back) = read_back(&yaml);
        for (k, v) in &entries {
            assert_eq!(
                back.get(k).map(|b| b.as_bytes()),
                Some(v.as_slice()),
                "{k}: {:?}\n{}",
                String::from_utf8_lossy(v),
                *yaml
            );
        }
    }

    #[test]
    fn awkward_keys_names_and_metadata_round_trip() {
        let mut s = secret(&[("true", b"a"), ("1", b"b"), ("-dash", b"c"), (".dot", b"d"), ("a.b_c-d", b"e")]);
        s.metadata.name = Some("on".into());
        s.metadata.namespace = Some("123".into());
        s.metadata.labels = Some(BTreeMap::from([("app.kubernetes.io/name".into(), "yes".into())]));
        s.metadata.annotations = Some(BTreeMap::from([
            ("note".into(), "multi\nline\n".into()),
            ("kubectl.kubernetes.io/last-applied-configuration".into(), "{\"data\":{\"a\":\"YQ==\"}}".into()),
        ]));
        s.metadata.resource_version = Some("42".into());
        s.metadata.uid = Some("0000".into());
        s.type_ = Some("kubernetes.io/basic-auth".into());
        s.immutable = Some(true);
        let yaml = to_yaml(&s);
        let (value, back) = read_back(&yaml);
        assert_eq!(back.data, s.data);
        assert_eq!(back.name(), "on");
        assert_eq!(back.namespace(), "123");
        assert_eq!(back.effective_type(), "kubernetes.io/basic-auth");
        assert_eq!(back.immutable, Some(true));
        assert_eq!(value["metadata"]["labels"], json!({"app.kubernetes.io/name": "yes"}));
        assert_eq!(value["metadata"]["annotations"], json!({"note": "multi\nline\n"}), "last-applied is dropped");
        assert!(value["metadata"].get("resourceVersion").is_none() && value["metadata"].get("uid").is_none());
    }

    #[test]
    fn a_secret_without_data_has_neither_section() {
        let s = Secret::new("default", "empty", "Opaque");
        let yaml = to_yaml(&s);
        assert!(!yaml.contains("stringData") && !yaml.contains("\ndata:"), "{}", *yaml);
        read_back(&yaml);
    }

    #[test]
    fn one_value_is_copied_as_text_or_else_as_base64() {
        let v = value_for_copy(&SecretValue::from("1f2d1e2e67df"));
        assert_eq!((v.text.as_str(), v.base64), ("1f2d1e2e67df", false));
        let v = value_for_copy(&SecretValue::from("line\n"));
        assert_eq!((v.text.as_str(), v.base64), ("line\n", false));
        let v = value_for_copy(&SecretValue::new(vec![0, 0xff, 0x1b]));
        assert_eq!((v.text.as_str(), v.base64), ("AP8b", true));
        assert!(!format!("{v:?}").contains("AP8b"));
    }

    #[test]
    fn mysecret_as_an_env_file() {
        let env = to_env(&mysecret());
        assert_eq!(
            env.text.as_str(),
            "# Secret mysecret in namespace default\npassword=1f2d1e2e67df\nusername=admin\n"
        );
        assert!(env.skipped.is_empty());
        assert_eq!(env.written, 2);
        assert_eq!(env.skipped_summary(), "");
    }

    #[test]
    fn invalid_names_and_binary_values_are_skipped_and_listed() {
        let s = secret(&[("tls.crt", b"x"), ("1st", b"y"), ("blob", &[0, 159, 146, 150]), ("ok_1", b"z")]);
        let env = to_env(&s);
        assert_eq!(
            env.skipped,
            vec![
                Skipped { key: "1st".into(), reason: SkipReason::InvalidName },
                Skipped { key: "blob".into(), reason: SkipReason::Binary },
                Skipped { key: "tls.crt".into(), reason: SkipReason::InvalidName },
            ]
        );
        assert_eq!(
            env.text.as_str(),
            "# Secret mysecret in namespace default\n# skipped 1st: not a valid variable name\n\
             # skipped blob: binary value\n# skipped tls.crt: not a valid variable name\nok_1=z\n"
        );
        assert_eq!(
            env.skipped_summary(),
            "skipped 1st (not a valid variable name), blob (binary value), tls.crt (not a valid variable name)"
        );
    }

    #[test]
    fn env_values_are_quoted_for_the_shell() {
        let s = secret(&[
            ("A", b"plain-value_1.2/3:4@5%6+7,8=9"),
            ("B", b"it's $HOME `id` \"q\" \\ *"),
            ("C", b"line one\nline two\n"),
            ("D", b""),
            ("E", b"~/tilde #hash"),
            ("F", "ü 日本".as_bytes()),
        ]);
        let env = to_env(&s);
        assert!(env.text.contains("\nA=plain-value_1.2/3:4@5%6+7,8=9\n"), "{}", *env.text);
        assert!(env.text.contains("\nB='it'\\''s $HOME `id` \"q\" \\ *'\n"), "{}", *env.text);
        assert!(env.text.contains("\nC='line one\nline two\n'\n"), "{}", *env.text);
        assert!(env.text.contains("\nD=\n"), "{}", *env.text);
        assert!(env.text.contains("\nE='~/tilde #hash'\n"), "{}", *env.text);
    }

    /// The file read by a real shell gives back every value exactly.
    #[cfg(unix)]
    #[test]
    fn a_shell_reads_the_env_file_back_exactly() {
        let values: &[(&str, &[u8])] = &[
            ("A", b"it's $HOME `id` \"q\" \\ * ; rm -rf /"),
            ("B", b"one\ntwo\n\n"),
            ("C", b"crlf\r\n"),
            ("D", b""),
            ("E", b"~/x:~/y"),
            ("F", "ü 日本 🔑".as_bytes()),
            ("G", b"'''"),
            ("H", b"$(echo nope)"),
        ];
        let env = to_env(&secret(values));
        for (k, v) in values {
            let script = format!("{}printf '%s' \"${k}\"", env.text.as_str());
            let out = match std::process::Command::new("sh").arg("-c").arg(&script).output() {
                Ok(o) => o,
                Err(e) => {
                    println!("skipped: no sh ({e})");
                    return;
                }
            };
            assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
            assert_eq!(out.stdout, *v, "{k}");
        }
    }
}
