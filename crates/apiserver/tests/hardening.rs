//! What a security review found and the fixes keep fixed: malformed bodies are the real 400s
//! (never a panic), and a body that names another object than the URL is refused.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use serde_json::{Value, json};

/// Sends a request as `user` and returns the HTTP status and the JSON body.
async fn send(
    server: &keyhole_apiserver::DemoServer,
    user: &str,
    method: &str,
    path: &str,
    content_type: &str,
    body: impl Into<Vec<u8>>,
) -> (u16, Value) {
    let client = common::client(server, user).await;
    let req = http::Request::builder()
        .method(method)
        .uri(path)
        .header("content-type", content_type)
        .body(kube::client::Body::from(body.into()))
        .unwrap();
    let resp = client.send(req).await.unwrap_or_else(|e| panic!("{method} {path}: no answer: {e}"));
    let status = resp.status().as_u16();
    let bytes = resp.into_body().collect_bytes().await.unwrap();
    let v = serde_json::from_slice(&bytes).unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into()));
    (status, v)
}

fn assert_status(got: &(u16, Value), code: u16, reason: &str, message: &str) {
    let (status, body) = got;
    assert_eq!(*status, code, "{body}");
    assert_eq!(body["kind"], "Status", "{body}");
    assert_eq!(body["code"], code, "{body}");
    assert_eq!(body["reason"], reason, "{body}");
    assert_eq!(body["message"], message, "{body}");
}

const SSAR: &str = "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews";
const JSON: &str = "application/json";

/// Any user may create access reviews, the viewer included: a malformed one must be a 400 with
/// the decode error kube-apiserver gives (`handlers/create.go` transformDecodeError), never a
/// panic that drops the connection.
#[tokio::test]
async fn malformed_access_reviews_are_bad_requests_not_panics() {
    let server = common::demo().await;
    for (body, message) in [
        (
            r#"{"apiVersion":"authorization.k8s.io/v1","kind":"SelfSubjectAccessReview","metadata":5,"spec":{"resourceAttributes":{"verb":"get","resource":"secrets"}}}"#,
            "SelfSubjectAccessReview in version \"v1\" cannot be handled as a SelfSubjectAccessReview: json: cannot unmarshal number into Go struct field SelfSubjectAccessReview.metadata of type v1.ObjectMeta",
        ),
        (
            r#"{"metadata":"x","spec":{"nonResourceAttributes":{"path":"/healthz","verb":"get"}}}"#,
            "SelfSubjectAccessReview in version \"v1\" cannot be handled as a SelfSubjectAccessReview: json: cannot unmarshal string into Go struct field SelfSubjectAccessReview.metadata of type v1.ObjectMeta",
        ),
        (
            r#"{"metadata":[],"spec":{}}"#,
            "SelfSubjectAccessReview in version \"v1\" cannot be handled as a SelfSubjectAccessReview: json: cannot unmarshal array into Go struct field SelfSubjectAccessReview.metadata of type v1.ObjectMeta",
        ),
        (
            r#"{"spec":{"resourceAttributes":{"verb":7}}}"#,
            "SelfSubjectAccessReview in version \"v1\" cannot be handled as a SelfSubjectAccessReview: json: cannot unmarshal number into Go struct field ResourceAttributes.spec.resourceAttributes.verb of type string",
        ),
        (
            r#"{"spec":5}"#,
            "SelfSubjectAccessReview in version \"v1\" cannot be handled as a SelfSubjectAccessReview: json: cannot unmarshal number into Go struct field SelfSubjectAccessReview.spec of type v1.SelfSubjectAccessReviewSpec",
        ),
        (
            "5",
            "the object provided is unrecognized (must be of type SelfSubjectAccessReview): couldn't get version/kind; json parse error: json: cannot unmarshal number into Go value of type struct { APIVersion string \"json:\\\"apiVersion,omitempty\\\"\"; Kind string \"json:\\\"kind,omitempty\\\"\" } (35)",
        ),
        (
            "{\"spec\":",
            "the object provided is unrecognized (must be of type SelfSubjectAccessReview): couldn't get version/kind; json parse error: unexpected end of JSON input ({\"spec\":)",
        ),
    ] {
        for user in ["viewer", "admin"] {
            let got = send(&server, user, "POST", SSAR, JSON, body).await;
            assert_status(&got, 400, "BadRequest", message);
        }
    }
    // The same class of body on the other reviews and on every kind that is created.
    for (path, kind) in [
        ("/apis/authorization.k8s.io/v1/selfsubjectrulesreviews", "SelfSubjectRulesReview"),
        ("/apis/authentication.k8s.io/v1/selfsubjectreviews", "SelfSubjectReview"),
        ("/api/v1/namespaces/default/secrets", "Secret"),
        ("/api/v1/namespaces/default/pods", "Pod"),
        ("/api/v1/namespaces/default/serviceaccounts", "ServiceAccount"),
        ("/api/v1/namespaces", "Namespace"),
        ("/apis/apps/v1/namespaces/default/deployments", "Deployment"),
        ("/apis/networking.k8s.io/v1/namespaces/default/ingresses", "Ingress"),
    ] {
        let got = send(&server, "admin", "POST", path, JSON, r#"{"metadata":5}"#).await;
        assert_status(
            &got,
            400,
            "BadRequest",
            &format!(
                "{kind} in version \"v1\" cannot be handled as a {kind}: json: cannot unmarshal number into Go struct field {kind}.metadata of type v1.ObjectMeta"
            ),
        );
    }
    // The server is still there and still answers truthfully.
    let ok = send(
        &server,
        "viewer",
        "POST",
        SSAR,
        JSON,
        r#"{"spec":{"resourceAttributes":{"verb":"get","resource":"secrets","namespace":"default"}}}"#,
    )
    .await;
    assert_eq!(ok.0, 201, "{}", ok.1);
    assert_eq!(ok.1["status"]["allowed"], true);
}

/// kube-apiserver (`handlers/patch.go` applyPatch, `handlers/update.go`, both through
/// `rest.EnsureObjectNamespaceMatchesRequestNamespace` and `checkName` in `handlers/rest.go`)
/// refuses a body that names another object than the URL, whatever the patch type.
#[tokio::test]
async fn a_body_naming_another_object_than_the_url_is_refused() {
    let server = common::empty().await;
    let secrets = "/api/v1/namespaces/default/secrets";
    for name in ["a", "b"] {
        let body =
            json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": name}, "stringData": {"who": name}});
        let got = send(&server, "admin", "POST", secrets, JSON, body.to_string()).await;
        assert_eq!(got.0, 201, "{}", got.1);
    }
    let b_before = send(&server, "admin", "GET", &format!("{secrets}/b"), JSON, "").await.1;
    let mismatch = "the name of the object (b) does not match the name on the URL (a)";
    let wrong_ns = "the namespace of the provided object does not match the namespace sent on the request";
    let apply_b =
        json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "b"}, "stringData": {"who": "mallory"}});
    let apply_b_ns = json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "a", "namespace": "kube-system"}, "stringData": {"who": "mallory"}});
    let cases: Vec<(&str, &str, String, &str)> = vec![
        ("PATCH", "application/apply-patch+yaml", apply_b.to_string(), mismatch),
        ("PATCH", "application/apply-patch+yaml", apply_b_ns.to_string(), wrong_ns),
        ("PATCH", "application/merge-patch+json", json!({"metadata": {"name": "b"}}).to_string(), mismatch),
        ("PATCH", "application/strategic-merge-patch+json", json!({"metadata": {"name": "b"}}).to_string(), mismatch),
        (
            "PATCH",
            "application/json-patch+json",
            json!([{"op": "replace", "path": "/metadata/name", "value": "b"}]).to_string(),
            mismatch,
        ),
        (
            "PATCH",
            "application/merge-patch+json",
            json!({"metadata": {"namespace": "kube-system"}}).to_string(),
            wrong_ns,
        ),
        ("PUT", JSON, apply_b.to_string(), mismatch),
        ("PUT", JSON, apply_b_ns.to_string(), wrong_ns),
    ];
    for (method, ct, body, message) in &cases {
        let got = send(&server, "admin", method, &format!("{secrets}/a?fieldManager=test"), ct, body.clone()).await;
        assert_status(&got, 400, "BadRequest", message);
    }
    // Nothing was written: b is as it was, a too, and applying to a missing name creates nothing.
    let b_after = send(&server, "admin", "GET", &format!("{secrets}/b"), JSON, "").await.1;
    assert_eq!(b_after, b_before);
    let got = send(
        &server,
        "admin",
        "PATCH",
        &format!("{secrets}/c?fieldManager=test"),
        "application/apply-patch+yaml",
        apply_b.to_string(),
    )
    .await;
    assert_status(&got, 400, "BadRequest", "the name of the object (b) does not match the name on the URL (c)");
    let got = send(&server, "admin", "GET", &format!("{secrets}/c"), JSON, "").await;
    assert_eq!(got.0, 404);
    // The same apply to its own name still works: created (201), then updated (200).
    let apply_c = json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "c"}, "stringData": {"who": "c"}});
    let got = send(
        &server,
        "admin",
        "PATCH",
        &format!("{secrets}/c?fieldManager=test"),
        "application/apply-patch+yaml",
        apply_c.to_string(),
    )
    .await;
    assert_eq!(got.0, 201, "{}", got.1);
    let got = send(
        &server,
        "admin",
        "PATCH",
        &format!("{secrets}/c?fieldManager=test"),
        "application/apply-patch+yaml",
        apply_c.to_string(),
    )
    .await;
    assert_eq!(got.0, 200, "{}", got.1);
}

/// Patch bodies are decoded before they are applied, with the errors of `handlers/patch.go`.
#[tokio::test]
async fn malformed_patches_are_the_real_bad_requests() {
    let server = common::demo().await;
    let url = "/api/v1/namespaces/default/secrets/mysecret";
    let map = "into Go value of type map[string]interface {}";
    for (ct, query, body, code, message) in [
        ("application/merge-patch+json", "", "{", 400, "invalid JSON patch".to_string()),
        (
            "application/merge-patch+json",
            "",
            "[1]",
            400,
            format!("error decoding patch: json: cannot unmarshal array {map}"),
        ),
        ("application/merge-patch+json", "?fieldValidation=Ignore", "[1]", 400, "Invalid JSON Patch".to_string()),
        ("application/strategic-merge-patch+json", "", "5", 400, format!("json: cannot unmarshal number {map}")),
        (
            "application/json-patch+json",
            "",
            "{}",
            400,
            "error decoding patch: json: cannot unmarshal object into Go value of type []handlers.jsonPatchOp"
                .to_string(),
        ),
        (
            "application/json-patch+json",
            "",
            r#"[{"op":5,"path":"/data"}]"#,
            400,
            "error decoding patch: json: cannot unmarshal number into Go struct field jsonPatchOp.op of type string"
                .to_string(),
        ),
        (
            "application/json-patch+json",
            "?fieldValidation=Ignore",
            "[7]",
            400,
            "json: cannot unmarshal number into Go value of type jsonpatch.Operation".to_string(),
        ),
        (
            "application/apply-patch+yaml",
            "?fieldManager=t",
            "5",
            400,
            format!(
                "error decoding patch: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal number {map}"
            ),
        ),
        (
            "application/apply-patch+yaml",
            "?fieldManager=t",
            r#"{"metadata":{"name":"mysecret"}}"#,
            400,
            "Incorrect version specified in apply patch. Specified patch version: , expected: v1".to_string(),
        ),
    ] {
        let got = send(&server, "admin", "PATCH", &format!("{url}{query}"), ct, body).await;
        assert_status(&got, code, "BadRequest", &message);
    }
    // A JSON patch whose last operation fails after a move to the root: a 422, and the
    // connection lives (json-patch's undo of the move used to panic the handler).
    let ops = r#"[{"op":"move","from":"/metadata","path":""},{"op":"test","path":"/nope","value":1}]"#;
    let got = send(&server, "admin", "PATCH", url, "application/json-patch+json", ops).await;
    assert_eq!((got.0, got.1["reason"].as_str()), (422, Some("Invalid")), "{}", got.1);
    // A patch that decodes but leaves a field of the wrong type: 422 on the field `patch`.
    let got =
        send(&server, "admin", "PATCH", url, "application/merge-patch+json", r#"{"metadata":{"labels":{"a":1}}}"#)
            .await;
    assert_eq!(got.0, 422, "{}", got.1);
    assert_eq!(got.1["reason"], "Invalid");
    let cause = &got.1["details"]["causes"][0];
    assert_eq!(cause["field"], "patch");
    assert!(
        cause["message"]
            .as_str()
            .unwrap()
            .ends_with("json: cannot unmarshal number into Go struct field ObjectMeta.metadata.labels of type string"),
        "{cause}"
    );
}
