//! Property tests over what the embedded cluster parses from the network: arbitrary bytes and
//! strings, and mutations of well-formed input, for the protobuf decoder, query strings, label
//! and field selectors, patch bodies, body decoding, and whole requests through the handler.
//! Nothing may panic, and a request the server refuses gets a `metav1.Status` with a 4xx code.
//! Bounded: a few hundred cases each, a few seconds in all; `FUZZ_CASES=N` runs N cases of
//! each property instead, for a longer hunt.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::{Arc, Mutex, OnceLock};

use axum::body::Body;
use keyhole_apiserver::api::{self, AppState, Query};
use keyhole_apiserver::selectors::{FieldSelector, LabelSelector};
use keyhole_apiserver::{auth, data, decode, patch, protobuf, resources, store};
use proptest::prelude::*;
use proptest::strategy::ValueTree as _;
use serde_json::{Value, json};

fn config(cases: u32) -> ProptestConfig {
    let cases = std::env::var("FUZZ_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(cases);
    ProptestConfig { cases, failure_persistence: None, ..ProptestConfig::default() }
}

// ---- JSON values shaped like what the server reads ----

fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => prop::sample::select(vec![
            "apiVersion", "kind", "metadata", "name", "generateName", "namespace", "labels", "annotations",
            "uid", "resourceVersion", "creationTimestamp", "generation", "finalizers", "ownerReferences",
            "managedFields", "data", "stringData", "type", "immutable", "spec", "status", "containers",
            "resourceAttributes", "nonResourceAttributes", "verb", "resource", "group", "path",
            "op", "from", "value", "$patch", "$retainKeys", "$setElementOrder/containers",
            "$deleteFromPrimitiveList/finalizers", "preconditions", "dryRun", "controller",
        ])
        .prop_map(str::to_string),
        1 => "[a-zA-Z.$/]{0,8}",
    ]
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(Value::from),
        prop::sample::select(vec![
            "v1",
            "Secret",
            "Opaque",
            "kubernetes.io/tls",
            "default",
            "mysecret",
            "a",
            "All",
            "",
            "dGVzdA==",
            "!!",
            "/metadata/name"
        ])
        .prop_map(Value::from),
        "\\PC{0,12}".prop_map(Value::from),
    ];
    leaf.prop_recursive(5, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::vec((key(), inner), 0..6).prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

/// A valid Secret with one of its parts replaced by an arbitrary value.
fn mutated_secret() -> impl Strategy<Value = Value> {
    let paths = prop::sample::select(vec![
        "",
        "/apiVersion",
        "/kind",
        "/metadata",
        "/metadata/name",
        "/metadata/namespace",
        "/metadata/labels",
        "/metadata/labels/app",
        "/metadata/ownerReferences",
        "/metadata/resourceVersion",
        "/data",
        "/data/k",
        "/stringData",
        "/stringData/s",
        "/type",
        "/immutable",
    ]);
    (paths, json_value()).prop_map(|(path, v)| {
        let mut s = json!({"apiVersion": "v1", "kind": "Secret",
            "metadata": {"name": "mysecret", "namespace": "default", "labels": {"app": "web"}},
            "data": {"k": "dGVzdA=="}, "stringData": {"s": "x"}, "type": "Opaque"});
        if path.is_empty() {
            return v;
        }
        let (parent, last) = path.rsplit_once('/').unwrap();
        let target = if parent.is_empty() { Some(&mut s) } else { s.pointer_mut(parent) };
        if let Some(Value::Object(m)) = target {
            m.insert(last.to_string(), v);
        }
        s
    })
}

fn json_patch_ops() -> impl Strategy<Value = Value> {
    let pointer = prop_oneof![
        prop::sample::select(vec![
            "",
            "/",
            "/metadata",
            "/metadata/name",
            "/metadata/labels/a",
            "/data/k",
            "/data/-",
            "/x/0",
            "/~1/~0"
        ])
        .prop_map(str::to_string),
        "(/[a-z0-9~-]{0,4}){0,3}",
    ];
    let op = (
        prop::sample::select(vec!["add", "remove", "replace", "move", "copy", "test", "bogus"]),
        pointer.clone(),
        pointer,
        json_value(),
    )
        .prop_map(|(op, path, from, value)| json!({"op": op, "path": path, "from": from, "value": value}));
    prop::collection::vec(op, 0..5).prop_map(Value::Array)
}

// ---- protobuf shaped like kubectl's ----

fn varint(mut v: u64, out: &mut Vec<u8>) {
    loop {
        let b = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(b);
            return;
        }
        out.push(b | 0x80);
    }
}

fn bytes_field(n: u64, b: &[u8], out: &mut Vec<u8>) {
    varint((n << 3) | 2, out);
    varint(b.len() as u64, out);
    out.extend_from_slice(b);
}

/// A protobuf message of arbitrary fields, nested a few levels.
fn proto_message() -> impl Strategy<Value = Vec<u8>> {
    let leaf = prop::collection::vec(any::<u8>(), 0..24);
    leaf.prop_recursive(3, 64, 6, |inner| {
        prop::collection::vec((1u64..16, 0u8..6, any::<u64>(), inner), 0..6).prop_map(|fields| {
            let mut out = Vec::new();
            for (n, wire, v, nested) in fields {
                match wire {
                    0 => {
                        varint(n << 3, &mut out);
                        varint(v, &mut out);
                    }
                    1 => {
                        varint((n << 3) | 1, &mut out);
                        out.extend_from_slice(&v.to_le_bytes());
                    }
                    5 => {
                        varint((n << 3) | 5, &mut out);
                        out.extend_from_slice(&v.to_le_bytes()[..4]);
                    }
                    3 => out.extend_from_slice(&nested), // raw garbage in between
                    _ => bytes_field(n, &nested, &mut out),
                }
            }
            out
        })
    })
}

fn protobuf_body() -> impl Strategy<Value = Vec<u8>> {
    let kind = prop_oneof![
        prop::sample::select(vec![
            "Secret",
            "Namespace",
            "ServiceAccount",
            "SelfSubjectAccessReview",
            "SelfSubjectRulesReview",
            "SelfSubjectReview",
            "Pod",
        ])
        .prop_map(str::to_string),
        "\\PC{0,8}",
    ];
    (kind, proto_message(), any::<bool>()).prop_map(|(kind, raw, magic)| {
        let mut tm = Vec::new();
        bytes_field(1, b"v1", &mut tm);
        bytes_field(2, kind.as_bytes(), &mut tm);
        let mut body = if magic { b"k8s\x00".to_vec() } else { Vec::new() };
        bytes_field(1, &tm, &mut body);
        bytes_field(2, &raw, &mut body);
        body
    })
}

// ---- the parsers alone ----

proptest! {
    #![proptest_config(config(512))]

    #[test]
    fn the_protobuf_decoder_never_panics(
        bytes in prop::collection::vec(any::<u8>(), 0..256),
        shaped in protobuf_body(),
    ) {
        let _ = protobuf::decode(&bytes);
        let mut with_magic = b"k8s\x00".to_vec();
        with_magic.extend_from_slice(&bytes);
        let _ = protobuf::decode(&with_magic);
        if let Ok(v) = protobuf::decode(&shaped) {
            prop_assert!(v.is_object());
        }
    }

    #[test]
    fn query_strings_never_panic(q in "\\PC{0,64}", raw in "[a-zA-Z0-9=&%+;.,!()_ -]{0,64}") {
        for s in [&q, &raw] {
            let query = Query::parse(s);
            let _ = (query.get("watch"), query.flag("watch"), query.dry_run());
        }
    }

    #[test]
    fn selectors_never_panic(
        arbitrary in "\\PC{0,48}",
        shaped in "[a-z0-9!=,() <>.-]{0,40}|[a-z]{1,4} (in|notin) \\([a-z, ]{0,10}\\)?",
        obj in json_value(),
    ) {
        for s in [&arbitrary, &shaped] {
            if let Ok(sel) = LabelSelector::parse(s) {
                let _ = sel.matches_object(&obj);
            }
            if let Ok(sel) = FieldSelector::parse(s, |_| true) {
                let _ = (sel.matches_object(&obj), sel.pinned_name());
            }
        }
    }

    #[test]
    fn patches_never_panic(target in mutated_secret(), body in json_value(), ops in json_patch_ops()) {
        for kind in [patch::PatchType::Json, patch::PatchType::Merge, patch::PatchType::Strategic] {
            for validating in [true, false] {
                let _ = patch::check_patch_body(kind, &body, validating);
                let _ = patch::check_patch_body(kind, &ops, validating);
            }
        }
        let mut t = target.clone();
        patch::merge_patch(&mut t, &body);
        let mut t = target.clone();
        let _ = patch::strategic_merge_patch(&mut t, &body);
        let mut t = target.clone();
        let _ = patch::json_patch(&mut t, &ops);
        let mut t = target;
        let _ = patch::json_patch(&mut t, &body);
    }

    #[test]
    fn body_decoding_never_panics_and_refuses_with_400(
        bytes in prop::collection::vec(any::<u8>(), 0..200),
        value in json_value(),
        secret in mutated_secret(),
    ) {
        for def in resources::RESOURCES {
            for body in [bytes.clone(), serde_json::to_vec(&value).unwrap(), serde_json::to_vec(&secret).unwrap()] {
                if let Err(e) = decode::decode_body(def, &body) {
                    prop_assert_eq!(e.code, 400, "{}", e.message());
                }
            }
        }
    }
}

// ---- whole requests through the handler ----

fn state() -> Arc<AppState> {
    let store = Arc::new(store::Store::new(1000));
    data::load(&store, jiff::Timestamp::now(), 0).unwrap();
    Arc::new(AppState::new(
        store,
        auth::Users::demo(),
        "127.0.0.1:6443".into(),
        &keyhole_apiserver::ServerOptions::default(),
    ))
}

fn runtime() -> &'static tokio::runtime::Runtime {
    static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RT.get_or_init(|| tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap())
}

/// A path segment: mostly `usual` (the namespace or the name of an object that exists).
fn segment(usual: &'static str) -> impl Strategy<Value = String> {
    prop_oneof![
        6 => Just(usual.to_string()),
        2 => prop::sample::select(vec!["shop", "kube-system", "nope", "a", "", "default", "mysecret"]).prop_map(str::to_string),
        1 => "[a-zA-Z0-9._~-]{0,12}",
        1 => "%[0-9A-F]{2}[a-z]{0,3}",
    ]
}

/// A method and a path: mostly the requests clients make (so that the handler gets past routing
/// and authorization into decoding and validation), sometimes anything.
fn method_and_path() -> impl Strategy<Value = (&'static str, String)> {
    let sensible = prop::sample::select(vec![
        ("POST", "/api/v1/namespaces/{ns}/secrets"),
        ("POST", "/api/v1/namespaces/{ns}/secrets"),
        ("PUT", "/api/v1/namespaces/{ns}/secrets/{name}"),
        ("PATCH", "/api/v1/namespaces/{ns}/secrets/{name}"),
        ("PATCH", "/api/v1/namespaces/{ns}/secrets/{name}"),
        ("GET", "/api/v1/namespaces/{ns}/secrets/{name}"),
        ("GET", "/api/v1/namespaces/{ns}/secrets"),
        ("GET", "/api/v1/secrets"),
        ("DELETE", "/api/v1/namespaces/{ns}/secrets/{name}"),
        ("DELETE", "/api/v1/namespaces/{ns}/secrets"),
        ("POST", "/api/v1/namespaces"),
        ("POST", "/api/v1/namespaces/{ns}/pods"),
        ("PATCH", "/api/v1/namespaces/{ns}/pods/{name}"),
        ("POST", "/api/v1/namespaces/{ns}/serviceaccounts"),
        ("POST", "/apis/apps/v1/namespaces/{ns}/deployments"),
        ("PUT", "/apis/apps/v1/namespaces/{ns}/deployments/{name}"),
        ("POST", "/apis/networking.k8s.io/v1/namespaces/{ns}/ingresses"),
        ("POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews"),
        ("POST", "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews"),
        ("POST", "/apis/authentication.k8s.io/v1/selfsubjectreviews"),
    ]);
    let any_method = prop::sample::select(vec!["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);
    let any_path = prop::sample::select(vec![
        "/api/v1/namespaces/{name}",
        "/api/v1/namespaces/{ns}/pods/{name}",
        "/apis/networking.k8s.io/v1/namespaces/{ns}/ingresses",
        "/api",
        "/apis",
        "/apis/{ns}/{name}",
        "/version",
        "/openapi/v3/api/v1",
        "/{ns}/{name}/{ns}",
    ]);
    let template = prop_oneof![4 => sensible, 1 => (any_method, any_path)];
    (template, segment("default"), segment("mysecret"))
        .prop_map(|((m, t), ns, name)| (m, t.replace("{ns}", &ns).replace("{name}", &name)))
}

fn query() -> impl Strategy<Value = String> {
    let param = (
        prop::sample::select(vec![
            "watch",
            "labelSelector",
            "fieldSelector",
            "limit",
            "continue",
            "dryRun",
            "fieldValidation",
            "resourceVersion",
            "resourceVersionMatch",
            "sendInitialEvents",
            "allowWatchBookmarks",
            "timeoutSeconds",
            "includeObject",
            "fieldManager",
            "force",
            "x",
        ]),
        prop_oneof![
            prop::sample::select(vec![
                "1",
                "0",
                "true",
                "All",
                "Strict",
                "Ignore",
                "Warn",
                "NotOlderThan",
                "Exact",
                "type=Opaque",
                "metadata.name=mysecret",
                "app in (web)",
                "Metadata",
                "None",
                "-1",
                "99999999999999999999"
            ])
            .prop_map(str::to_string),
            "\\PC{0,16}",
        ],
    );
    prop::collection::vec(param, 0..4).prop_map(|params| serde_urlencoded::to_string(params).unwrap())
}

/// A content type and a body: mostly the kind of body that goes with the type.
fn content_and_body() -> impl Strategy<Value = (&'static str, Vec<u8>)> {
    let json = |v: Value| serde_json::to_vec(&v).unwrap();
    let json_types = prop::sample::select(vec![
        "application/json",
        "application/merge-patch+json",
        "application/strategic-merge-patch+json",
        "application/apply-patch+yaml",
    ]);
    let any_type = prop::sample::select(vec![
        "application/json",
        "application/json-patch+json",
        "application/vnd.kubernetes.protobuf",
        "text/plain",
        "",
    ]);
    prop_oneof![
        3 => (json_types.clone(), mutated_secret().prop_map(json)),
        2 => (json_types, json_value().prop_map(json)),
        2 => (Just("application/json-patch+json"), json_patch_ops().prop_map(json)),
        2 => (Just("application/vnd.kubernetes.protobuf"), protobuf_body()),
        1 => (any_type, prop::collection::vec(any::<u8>(), 0..200)),
    ]
}

/// kube-apiserver answers a create whose body carries a resourceVersion with a 500 (etcd3
/// `store.Create`: a plain error, not a Status), and so does the embedded cluster.
fn the_real_500(body: &Value) -> bool {
    body["message"] == "resourceVersion should not be set on objects to be created"
}

proptest! {
    #![proptest_config(config(400))]

    #[test]
    fn requests_never_panic_the_handler_and_refusals_are_4xx_statuses(
        (method, path) in method_and_path(),
        query in query(),
        user in prop::sample::select(vec!["admin", "admin", "admin", "admin", "viewer", "shop-dev", "nobody"]),
        (ct, body) in content_and_body(),
        accept in prop::sample::select(vec!["", "application/json", "application/json;as=Table;v=v1;g=meta.k8s.io", "application/json;as=PartialObjectMetadata;v=v1;g=meta.k8s.io"]),
    ) {
        // A fresh store every so often: deletes would otherwise leave little to update.
        static STATE: Mutex<Option<(Arc<AppState>, usize)>> = Mutex::new(None);
        let state = {
            let mut slot = STATE.lock().unwrap_or_else(|p| p.into_inner());
            let (state, uses) = slot.get_or_insert_with(|| (state(), 0));
            *uses += 1;
            let out = state.clone();
            if *uses >= 50 {
                *slot = None;
            }
            out
        };
        let uri = if query.is_empty() { path.clone() } else { format!("{path}?{query}") };
        let token = state.users.by_name(user).map_or("not-a-token".to_string(), |u| u.token.clone());
        let Ok(req) = http::Request::builder()
            .method(method)
            .uri(&uri)
            .header("authorization", format!("Bearer {token}"))
            .header("content-type", ct)
            .header("accept", accept)
            .body(Body::from(body))
        else {
            return Ok(()); // not a request a client could send
        };
        runtime().block_on(async {
            let resp = api::handle(state, req).await;
            let code = resp.status().as_u16();
            if code < 400 {
                // Success; a watch would stream forever, so the body is not read.
                return Ok(());
            }
            let bytes = axum::body::to_bytes(resp.into_body(), 1 << 24).await.unwrap();
            let status: Value = serde_json::from_slice(&bytes)
                .map_err(|e| TestCaseError::fail(format!("{method} {uri}: {code} without a Status: {e}")))?;
            prop_assert_eq!(&status["kind"], "Status", "{} {}: {}", method, uri, status);
            prop_assert_eq!(&status["code"], &json!(code), "{} {}: {}", method, uri, status);
            prop_assert!(code < 500 || the_real_500(&status), "{} {} ({}): {}", method, uri, ct, status);
            Ok(())
        })?;
    }
}

#[test]
fn the_handler_property_sees_objects_and_maps() {
    // The generators above are only useful if they produce what the server reads: objects with
    // the served kinds' keys. A cheap check that they are not all scalars.
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let mut objects = 0;
    for _ in 0..200 {
        let v = json_value().new_tree(&mut runner).unwrap().current();
        if matches!(v, Value::Object(ref m) if !m.is_empty()) {
            objects += 1;
        }
    }
    assert!(objects > 20, "{objects} of 200 generated values are objects");
}
