use serde_json::json;

use super::*;

fn secret(values: &[(&str, &str)]) -> Secret {
    let mut s = Secret::new("default", "db", "Opaque");
    s.data = Some(values.iter().map(|(k, v)| ((*k).to_string(), (*v).into())).collect());
    s
}

fn annotated(values: &[(&str, &str)], annotation: &str) -> Secret {
    let mut s = secret(values);
    s.metadata.annotations = Some([(ANNOTATION.to_string(), annotation.to_string())].into_iter().collect());
    s
}

fn states(copy: &PlaintextCopy) -> Vec<(&str, Field, Match)> {
    copy.keys.iter().map(|k| (k.key.as_str(), k.field, k.state)).collect()
}

#[test]
fn values_in_data_or_string_data_are_a_copy_and_nothing_else_is() {
    let cases = [
        (r#"{"apiVersion":"v1","data":{"password":"czNjcjN0"},"kind":"Secret"}"#, true),
        (r#"{"stringData":{"password":"s3cr3t"}}"#, true),
        (r#"{"data":{},"stringData":{"a":"x"}}"#, true),
        (r#"{"apiVersion":"v1","kind":"Secret","metadata":{"annotations":{},"name":"a"},"type":"Opaque"}"#, false),
        (r#"{"data":{},"stringData":{}}"#, false),
        (r#"{"data":{"empty":""},"stringData":{"nothing":null}}"#, false),
        (r#"{"data":null}"#, false),
        (r#"{"data":"not a map","stringData":[1,2]}"#, false),
        (r#"{"metadata":{"annotations":{"data":"x"}}}"#, false),
        ("", false),
        ("not json {", false),
        ("[]", false),
    ];
    for (text, want) in cases {
        assert_eq!(holds_values(text), want, "{text}");
    }
}

#[test]
fn each_key_is_compared_with_the_current_value() {
    // data as base64 against the bytes; stringData against the bytes as text.
    let text = json!({"apiVersion": "v1", "kind": "Secret",
        "data": {"username": "YWRtaW4=", "token": "b2xk", "bad": "not base64!", "number": 3},
        "stringData": {"password": "old-pass", "gone": "x", "same": "kept"}})
    .to_string();
    let s = secret(&[
        ("username", "admin"),
        ("token", "new"),
        ("bad", "b"),
        ("number", "3"),
        ("password", "new-pass"),
        ("same", "kept"),
    ]);
    let copy = compare(&text, &s).expect("a copy");
    assert_eq!(
        states(&copy),
        [
            ("username", Field::Data, Match::Same),
            ("token", Field::Data, Match::Differs),
            ("bad", Field::Data, Match::Unreadable),
            ("number", Field::Data, Match::Unreadable),
            ("password", Field::StringData, Match::Differs),
            ("gone", Field::StringData, Match::Gone),
            ("same", Field::StringData, Match::Same),
        ]
    );
    assert!(copy.is_stale());
    assert_eq!(copy.names(), ["bad", "gone", "number", "password", "same", "token", "username"]);
    assert_eq!(copy.stale_names(), ["bad", "gone", "number", "password", "token"]);
}

#[test]
fn a_copy_of_the_current_values_is_not_stale() {
    let s = annotated(
        &[("username", "admin"), ("password", "1f2d1e2e67df"), ("extra", "not in the copy")],
        r#"{"apiVersion":"v1","data":{"password":"MWYyZDFlMmU2N2Rm","username":"YWRtaW4="},"kind":"Secret"}"#,
    );
    let copy = of(&s).expect("a copy");
    assert!(!copy.is_stale(), "{copy:?}");
    assert_eq!(copy.names(), ["password", "username"]);
    assert!(has_copy(&s));
    // A rotated value makes it stale.
    let mut rotated = s.clone();
    rotated.data.as_mut().unwrap().insert("password".into(), "rotated".into());
    assert_eq!(of(&rotated).unwrap().stale_names(), ["password"]);
}

#[test]
fn no_copy_without_values() {
    let s = annotated(&[("a", "1")], r#"{"apiVersion":"v1","kind":"Secret","metadata":{"name":"db"}}"#);
    assert_eq!(of(&s), None);
    assert!(!has_copy(&s));
    assert_eq!(of(&secret(&[("a", "1")])), None, "no annotation");
}

#[test]
fn nothing_printed_holds_a_value() {
    let s = annotated(&[("password", "new-pass")], r#"{"stringData":{"password":"Zq7old-pass"}}"#);
    let copy = of(&s).unwrap();
    let shown = format!("{copy:?} {:?} {:?}", copy.names(), copy.stale_names());
    assert!(!shown.contains("Zq7old") && !shown.contains("new-pass"), "{shown}");
}

#[test]
fn the_manifest_is_recorded_as_kubectl_writes_it() {
    let mut s = secret(&[("password", "p<&>"), ("user", "bob")]);
    s.metadata.labels = Some([("app".to_string(), "web".to_string())].into_iter().collect());
    s.metadata.annotations = Some(
        [(ANNOTATION.to_string(), r#"{"stringData":{"password":"old"}}"#.to_string()), ("note".into(), "n".into())]
            .into_iter()
            .collect(),
    );
    // Server fields are not part of a manifest.
    s.metadata.resource_version = Some("42".into());
    s.metadata.uid = Some("u-1".into());
    s.metadata.finalizers = Some(vec!["example.com/keep".into()]);
    assert_eq!(
        recompute(&s),
        "{\"apiVersion\":\"v1\",\"data\":{\"password\":\"cDwmPg==\",\"user\":\"Ym9i\"},\"kind\":\"Secret\",\"metadata\":{\"annotations\":{\"note\":\"n\"},\"labels\":{\"app\":\"web\"},\"name\":\"db\",\"namespace\":\"default\"},\"type\":\"Opaque\"}\n"
    );
    // Without annotations an empty map is recorded, as kubectl's; immutable when set.
    let mut plain = secret(&[]);
    plain.immutable = Some(true);
    plain.metadata.labels = Some(Default::default());
    assert_eq!(
        recompute(&plain),
        "{\"apiVersion\":\"v1\",\"data\":{},\"immutable\":true,\"kind\":\"Secret\",\"metadata\":{\"annotations\":{},\"name\":\"db\",\"namespace\":\"default\"},\"type\":\"Opaque\"}\n"
    );
    // The recorded copy is of the new values: not stale.
    let mut updated = s.clone();
    let text = recompute(&s);
    updated.metadata.annotations.as_mut().unwrap().insert(ANNOTATION.into(), text);
    assert!(!of(&updated).unwrap().is_stale());
}

#[test]
fn strings_are_escaped_as_go_escapes_them() {
    let tricky = "<a&b>\u{1}\"\\\n\r\t\u{2028}é";
    let mut out = String::new();
    recompute::go_string(tricky, &mut out);
    assert_eq!(out, crate::validate::names::go_json_string(tricky));
}
