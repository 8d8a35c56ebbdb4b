//! What a security review found and the fixes keep fixed: malformed bodies are the real 400s
//! (never a panic).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use serde_json::Value;

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
