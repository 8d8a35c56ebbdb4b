//! `keyhole validate` run as a program on the example manifests of assets/examples.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn keyhole(args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_keyhole"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run keyhole");
    if let Some(input) = stdin {
        child.stdin.take().unwrap().write_all(input).unwrap();
    }
    child.wait_with_output().unwrap()
}

fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

fn examples(dir: &str, exts: &[&str]) -> Vec<String> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files: Vec<String> = std::fs::read_dir(root.join(dir))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| exts.iter().any(|e| x == *e)))
        .map(|p| format!("{dir}/{}", p.file_name().unwrap().to_string_lossy()))
        .collect();
    files.sort();
    files
}

#[test]
fn every_valid_example_passes() {
    let files = examples("assets/examples", &["yaml", "json"]);
    assert!(files.len() >= 15, "{files:?}");
    let args: Vec<&str> = std::iter::once("validate").chain(files.iter().map(String::as_str)).collect();
    let out = keyhole(&args, None);
    let text = stdout(&out);
    assert_eq!(code(&out), 0, "{text}{}", stderr(&out));
    let summary = text.lines().last().unwrap();
    assert!(summary.starts_with("17 Secrets checked: 17 valid, 0 invalid, "), "{summary}");
    assert!(summary.ends_with("; 4 other documents skipped; rules of Kubernetes 1.36"), "{summary}");
    assert!(!text.contains(": error"), "{text}");
}

#[test]
fn every_invalid_example_fails_with_exit_1() {
    for file in examples("assets/examples/invalid", &["yaml"]) {
        let out = keyhole(&["validate", &file], None);
        let text = stdout(&out);
        assert_eq!(code(&out), 1, "{file}: {text}{}", stderr(&out));
        assert!(text.lines().next().unwrap().starts_with(&format!("{file}:")), "{file}: {text}");
        assert!(stderr(&out).is_empty(), "{file}: {}", stderr(&out));
    }
}

/// The lines of the human output for one file, the summary line dropped.
fn lines(file: &str) -> Vec<String> {
    let out = keyhole(&["validate", file], None);
    let text = stdout(&out);
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    lines.pop();
    lines
}

/// The error lines only: the typed views may add content warnings (certificates, docker auth)
/// that these tests do not pin.
fn error_lines(file: &str) -> Vec<String> {
    lines(file).into_iter().filter(|l| !l.contains(": warning: ")).collect()
}

#[test]
fn exact_lines_for_invalid_examples() {
    let cases: &[(&str, &[&str])] = &[
        (
            "assets/examples/invalid/opaque-bad-key.yaml",
            &[
                "assets/examples/invalid/opaque-bad-key.yaml:1: mysecret: data[user name]: Invalid value: \"user name\": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')",
            ],
        ),
        (
            "assets/examples/invalid/bad-namespace.yaml",
            &[
                "assets/examples/invalid/bad-namespace.yaml:1: team.a/mysecret: metadata.namespace: Invalid value: \"team.a\": must not contain dots",
            ],
        ),
        (
            "assets/examples/invalid/basic-auth-no-keys.yaml",
            &[
                "assets/examples/invalid/basic-auth-no-keys.yaml:1: secret-basic-auth: data[username]: Required value",
                "assets/examples/invalid/basic-auth-no-keys.yaml:1: secret-basic-auth: data[password]: Required value",
            ],
        ),
        (
            "assets/examples/invalid/dockerconfigjson-not-object.yaml",
            &[
                "assets/examples/invalid/dockerconfigjson-not-object.yaml:1: secret-tiger-docker: data[.dockerconfigjson]: Invalid value: \"<secret contents redacted>\": json: cannot unmarshal array into Go value of type map[string]interface {}",
            ],
        ),
        (
            "assets/examples/invalid/service-account-token-no-annotation.yaml",
            &[
                "assets/examples/invalid/service-account-token-no-annotation.yaml:1: secret-sa-sample: metadata.annotations[kubernetes.io/service-account.name]: Required value",
            ],
        ),
        (
            "assets/examples/invalid/too-large.yaml",
            &[
                "assets/examples/invalid/too-large.yaml:2: too-large: data: Too long: may not be more than 1048576 bytes",
            ],
        ),
        (
            "assets/examples/invalid/bad-base64.yaml",
            &[
                "assets/examples/invalid/bad-base64.yaml:1: mysecret: data[password]: illegal base64 data at input byte 12 (data values must be base64; use stringData for plain text)",
            ],
        ),
        (
            "assets/examples/invalid/unknown-field.yaml",
            &[
                "assets/examples/invalid/unknown-field.yaml:3: secret-basic-auth: stringdata: strict decoding error: unknown field \"stringdata\"",
            ],
        ),
        (
            "assets/examples/invalid/list.yaml",
            &["assets/examples/invalid/list.yaml:11: secret-tls: data[tls.crt]: Required value"],
        ),
        (
            "assets/examples/invalid/empty-secret-no-name.yaml",
            &[
                "assets/examples/invalid/empty-secret-no-name.yaml:1: (no name): metadata.name: Required value: name or generateName is required",
            ],
        ),
    ];
    for (file, want) in cases {
        assert_eq!(error_lines(file), *want, "{file}");
    }
}

#[test]
fn secret_values_are_never_printed() {
    let files = ["assets/examples/invalid/dockerconfigjson-not-object.yaml", "assets/examples/invalid/bad-base64.yaml"];
    for file in files {
        for format in ["text", "json"] {
            let out = keyhole(&["validate", "-o", format, file], None);
            let all = stdout(&out) + &stderr(&out);
            for secret in ["pass113", "tiger\"", "MWYyZDFlMmU2N2R"] {
                assert!(!all.contains(secret), "{file} {format}: {all}");
            }
        }
    }
}

/// Manifests whose values trip the loader's and the decoder's errors; `Zq7` marks value text,
/// `7e999` and `'Q'` the parts of a docker config that Go's messages would quote.
const VALUE_TRAPS: &[(&str, &str)] = &[
    ("tag.yaml", "apiVersion: v1\nkind: Secret\nmetadata: {name: a}\nstringData:\n  password: !!int Zq7Tag\n"),
    ("inf.yaml", "apiVersion: v1\nkind: Secret\nmetadata: {name: b}\nstringData:\n  password: .inf\n"),
    ("at.yaml", "apiVersion: v1\nkind: Secret\nmetadata: {name: c}\nstringData:\n  password: '@ok'\n  other: @Zq7At\n"),
    ("meta.yaml", "apiVersion: v1\nkind: Secret\nmetadata: Zq7Meta\n"),
    ("annotations.yaml", "apiVersion: v1\nkind: Secret\nmetadata:\n  name: e\n  annotations: Zq7Annotations\n"),
    ("time.yaml", "apiVersion: v1\nkind: Secret\nmetadata:\n  name: f\n  creationTimestamp: Zq7Time\n"),
    (
        "docker-escape.yaml",
        "apiVersion: v1\nkind: Secret\nmetadata: {name: g}\ntype: kubernetes.io/dockerconfigjson\nstringData:\n  .dockerconfigjson: '{\"auths\":{\"r\":{\"password\":\"Zq7\\Q\"}}}'\n",
    ),
    (
        "docker-number.yaml",
        "apiVersion: v1\nkind: Secret\nmetadata: {name: h}\ntype: kubernetes.io/dockerconfigjson\nstringData:\n  .dockerconfigjson: '{\"auths\":{\"r\":{\"auth\":7e999}}}'\n",
    ),
    ("base64.yaml", "apiVersion: v1\nkind: Secret\nmetadata: {name: i}\ndata:\n  password: Zq7Base64!\n"),
    (
        "json.json",
        "{\"apiVersion\": \"v1\", \"kind\": \"Secret\", \"metadata\": {\"name\": \"l\"}, \"data\": {\"k\": \"Zq7\\q\"}}",
    ),
];

#[test]
fn errors_name_keys_and_positions_never_value_text() {
    let dir = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    for (name, text) in VALUE_TRAPS {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        files.push(path.display().to_string());
    }
    for file in &files {
        for format in ["text", "json"] {
            let out = keyhole(&["validate", "-o", format, file], None);
            assert!(matches!(code(&out), 1 | 2), "{file}: {}{}", stdout(&out), stderr(&out));
            let all = stdout(&out) + &stderr(&out);
            for secret in ["Zq7", "7e999", "'Q'", ".inf", "Inf"] {
                assert!(!all.contains(secret), "{secret} in the {format} output for {file}:\n{all}");
            }
        }
    }
    // What they say instead: the key or field, and where.
    let out = keyhole(&["validate", &files[0]], None);
    assert_eq!(stderr(&out), format!("{}:5:13: error: cannot decode this !!str as a !!int\n", files[0]));
    let out = keyhole(&["validate", &files[6]], None);
    assert!(
        stdout(&out).contains(": g: data[.dockerconfigjson]: Invalid value: \"<secret contents redacted>\": invalid character at input byte 31 in string escape code"),
        "{}",
        stdout(&out)
    );
    let out = keyhole(&["validate", &files[4]], None);
    assert!(
        stdout(&out).contains(":1: e: metadata.annotations: expected an object of strings, got string"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn warnings_are_marked() {
    let got = lines("assets/examples/warnings.yaml");
    assert!(
        got.contains(&"assets/examples/warnings.yaml:10: app-env: warning: stringData[true]: the unquoted key on is read as the boolean true by YAML 1.1 (as kubectl reads it), so the key becomes \"true\"; quote it (\"on\") to keep the name".to_string()),
        "{got:#?}"
    );
    // A key envFrom skipped before 1.32 (the Secret documentation of 1.26 says so) and keeps since.
    let skipped = |l: &String| {
        l.starts_with("assets/examples/warnings.yaml:3: app-env: warning: data[1password-token]: \"1password-token\" starts with a digit")
            && l.contains("envFrom")
    };
    assert!(!got.iter().any(skipped), "kept by a current Kubernetes: {got:#?}");
    let old = keyhole(&["validate", "--kubernetes-version", "1.26", "assets/examples/warnings.yaml"], None);
    let old: Vec<String> = stdout(&old).lines().map(str::to_string).collect();
    assert!(old.iter().any(skipped), "{old:#?}");
    assert!(old.last().unwrap().ends_with("; rules of Kubernetes 1.26"), "{old:#?}");
    let bad = keyhole(&["validate", "--kubernetes-version", "one", "assets/examples/warnings.yaml"], None);
    assert_eq!(code(&bad), 2);
    assert!(stderr(&bad).contains("\"one\" is not a Kubernetes version such as 1.26"), "{}", stderr(&bad));
}

#[test]
fn json_output_has_the_documented_shape() {
    let out = keyhole(
        &["validate", "--output", "json", "assets/examples/invalid/list.yaml", "assets/examples/mixed.yaml"],
        None,
    );
    assert_eq!(code(&out), 1);
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(v["skipped"], 2);
    let docs = v["documents"].as_array().unwrap();
    assert_eq!(docs.len(), 3);
    let mut item = docs[1].clone();
    assert!(item["warnings"].is_array());
    item["warnings"] = serde_json::json!([]);
    assert_eq!(
        item,
        serde_json::json!({
            "file": "assets/examples/invalid/list.yaml",
            "line": 11,
            "kind": "Secret",
            "name": "secret-tls",
            "namespace": null,
            "valid": false,
            "errors": [{"field": "data[tls.crt]", "reason": "FieldValueRequired", "message": "Required value"}],
            "warnings": []
        })
    );
    assert_eq!(docs[0]["valid"], true);
    assert_eq!(docs[2]["file"], "assets/examples/mixed.yaml");
    assert_eq!(docs[2]["line"], 9);
    assert_eq!(v["input_errors"], serde_json::json!([]));
}

#[test]
fn malformed_yaml_exits_2_with_line_and_column() {
    let out = keyhole(&["validate", "assets/examples/broken/malformed.yaml"], None);
    assert_eq!(code(&out), 2);
    let err = stderr(&out);
    assert!(err.starts_with("assets/examples/broken/malformed.yaml:5:2: error: "), "{err}");
    let out = keyhole(&["validate", "assets/examples/broken/malformed.json"], None);
    assert_eq!(code(&out), 2);
    assert_eq!(stderr(&out), "assets/examples/broken/malformed.json:5:35: error: trailing comma\n");
    let out = keyhole(&["validate", "assets/examples/broken/no-kind.yaml"], None);
    assert_eq!(code(&out), 2);
    assert_eq!(stderr(&out), "assets/examples/broken/no-kind.yaml:1: error: kind not set\n");
}

#[test]
fn unreadable_input_wins_over_invalid_secrets() {
    let out = keyhole(&["validate", "assets/examples/invalid/bad-name.yaml", "does/not/exist.yaml"], None);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).starts_with("does/not/exist.yaml: error: cannot read: "), "{}", stderr(&out));
    assert!(stdout(&out).contains("bad-name.yaml:1: My_Secret: metadata.name: Invalid value"));
    let out = keyhole(&["validate", "-o", "json", "does/not/exist.yaml"], None);
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(v["input_errors"][0]["file"], "does/not/exist.yaml");
}

#[test]
fn stdin_with_dash_and_by_default() {
    let valid = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/assets/examples/opaque.yaml")).unwrap();
    let out = keyhole(&["validate", "-"], Some(&valid));
    assert_eq!(code(&out), 0, "{}", stdout(&out));
    assert_eq!(
        stdout(&out),
        "1 Secret checked: 1 valid, 0 invalid, 0 warnings; 0 other documents skipped; rules of Kubernetes 1.36\n"
    );
    let out = keyhole(&["validate"], Some(b"apiVersion: v1\nkind: Secret\nmetadata:\n  name: Bad\n"));
    assert_eq!(code(&out), 1);
    assert!(stdout(&out).starts_with("<stdin>:1: Bad: metadata.name: Invalid value: \"Bad\""), "{}", stdout(&out));
    let out = keyhole(&["validate", "-"], Some(b"kind: Secret\n  bad: [\n"));
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).starts_with("<stdin>:"), "{}", stderr(&out));
}

#[test]
fn garbage_never_crashes() {
    let inputs: &[&[u8]] =
        &[b"\xff\xfe\x00", b"{", b"[[[[[[", b"&a [*a]", b"---\n...\n---\n", b"a: *unknown\n", b"\t- x"];
    for input in inputs {
        let out = keyhole(&["validate", "-"], Some(input));
        assert!(matches!(code(&out), 0 | 2), "{input:?}: {} {}", stdout(&out), stderr(&out));
    }
}
