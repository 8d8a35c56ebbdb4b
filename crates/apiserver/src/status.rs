//! `metav1.Status` errors with the exact reasons, messages and shapes of kube-apiserver
//! (reference: kubernetes-api-facts.md section 3).

use serde_json::{Map, Value, json};

use crate::rbac::Attributes;
use keyhole_core::validate::FieldError;

/// An API error: an HTTP code and the Status body that goes with it.
#[derive(Debug, Clone)]
pub struct ApiError {
    pub code: u16,
    pub body: Value,
}

impl ApiError {
    fn new(code: u16, reason: &str, message: String, details: Option<Value>) -> Self {
        let mut obj = Map::new();
        obj.insert("kind".into(), json!("Status"));
        obj.insert("apiVersion".into(), json!("v1"));
        obj.insert("metadata".into(), json!({}));
        obj.insert("status".into(), json!("Failure"));
        obj.insert("message".into(), json!(message));
        if !reason.is_empty() {
            obj.insert("reason".into(), json!(reason));
        }
        if let Some(d) = details {
            obj.insert("details".into(), d);
        }
        obj.insert("code".into(), json!(code));
        ApiError { code, body: Value::Object(obj) }
    }

    pub fn message(&self) -> &str {
        self.body["message"].as_str().unwrap_or("")
    }

    pub fn reason(&self) -> &str {
        self.body["reason"].as_str().unwrap_or("")
    }

    fn details(name: &str, group: &str, kind: &str) -> Value {
        let mut d = Map::new();
        if !name.is_empty() {
            d.insert("name".into(), json!(name));
        }
        if !group.is_empty() {
            d.insert("group".into(), json!(group));
        }
        d.insert("kind".into(), json!(kind));
        Value::Object(d)
    }

    /// `secrets "x" not found` (404). `resource` is the plural, qualified by group when not core.
    pub fn not_found(group: &str, resource: &str, name: &str) -> Self {
        let gr = qualified(group, resource);
        ApiError::new(404, "NotFound", format!("{gr} \"{name}\" not found"), Some(Self::details(name, group, resource)))
    }

    pub fn already_exists(group: &str, resource: &str, name: &str) -> Self {
        let gr = qualified(group, resource);
        ApiError::new(
            409,
            "AlreadyExists",
            format!("{gr} \"{name}\" already exists"),
            Some(Self::details(name, group, resource)),
        )
    }

    /// The optimistic-lock conflict of a stale resourceVersion.
    pub fn conflict(group: &str, resource: &str, name: &str) -> Self {
        Self::conflict_with(
            group,
            resource,
            name,
            "the object has been modified; please apply your changes to the latest version and try again",
        )
    }

    pub fn conflict_with(group: &str, resource: &str, name: &str, why: &str) -> Self {
        let gr = qualified(group, resource);
        ApiError::new(
            409,
            "Conflict",
            format!("Operation cannot be fulfilled on {gr} \"{name}\": {why}"),
            Some(Self::details(name, group, resource)),
        )
    }

    /// 422 with causes. `kind` is the Kind (`Secret`), as kube-apiserver puts it.
    pub fn invalid(group: &str, kind: &str, name: &str, errors: &[FieldError]) -> Self {
        let causes: Vec<Value> = errors
            .iter()
            .map(|e| json!({"reason": e.reason.as_str(), "message": e.message, "field": e.field}))
            .collect();
        let mut details = Self::details(name, group, kind);
        details["causes"] = Value::Array(causes);
        // `errors.NewInvalid` names the qualified kind (`Deployment.apps`), `details.kind` the bare one.
        let qualified_kind = qualified(group, kind);
        ApiError::new(
            422,
            "Invalid",
            keyhole_core::validate::invalid_message(&qualified_kind, name, errors),
            Some(details),
        )
    }

    /// `errors.NewApplyConflict`: a 409 whose details carry only the causes.
    pub fn apply_conflict(message: String, causes: Vec<Value>) -> Self {
        ApiError::new(409, "Conflict", message, Some(json!({"causes": causes})))
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        ApiError::new(400, "BadRequest", message.into(), None)
    }

    /// The authorizer's 403: `secrets "x" is forbidden: User "u" cannot get resource ...`.
    pub fn forbidden(user: &str, verb: &str, group: &str, resource: &str, namespace: &str, name: &str) -> Self {
        Self::forbidden_attrs(user, &Attributes::resource(verb, group, resource, namespace, name), "")
    }

    /// The 403 of a refused request (`responsewriters.Forbidden`, `forbiddenMessage`), with
    /// the authorizer's reason after a colon when it gave one.
    pub fn forbidden_attrs(user: &str, a: &Attributes<'_>, reason: &str) -> Self {
        let mut message = if a.resource_request {
            let gr = qualified(a.api_group, a.resource);
            let subject = if a.name.is_empty() { gr } else { format!("{gr} \"{}\"", a.name) };
            let resource = if a.subresource.is_empty() {
                a.resource.to_string()
            } else {
                format!("{}/{}", a.resource, a.subresource)
            };
            let scope = if a.namespace.is_empty() {
                "at the cluster scope".to_string()
            } else {
                format!("in the namespace \"{}\"", a.namespace)
            };
            format!(
                "{subject} is forbidden: User \"{user}\" cannot {} resource \"{resource}\" in API group \"{}\" {scope}",
                a.verb, a.api_group
            )
        } else {
            format!("forbidden: User \"{user}\" cannot {} path \"{}\"", a.verb, a.path)
        };
        if !reason.is_empty() {
            message = format!("{message}: {reason}");
        }
        let details = a.resource_request.then(|| Self::details(a.name, a.api_group, a.resource));
        ApiError::new(403, "Forbidden", message, details)
    }

    /// `errors.NewForbidden(qualifiedResource, name, err)`: a write refused by a storage check
    /// (the RBAC escalation checks), `<resource>.<group> "<name>" is forbidden: <why>`.
    pub fn forbidden_write(group: &str, resource: &str, name: &str, why: &str) -> Self {
        let gr = qualified(group, resource);
        let message = format!("{gr} \"{name}\" is forbidden: {why}");
        ApiError::new(403, "Forbidden", message, Some(Self::details(name, group, resource)))
    }

    pub fn unauthorized() -> Self {
        ApiError::new(401, "Unauthorized", "Unauthorized".to_string(), None)
    }

    pub fn method_not_allowed(verb: &str, resource: &str) -> Self {
        ApiError::new(
            405,
            "MethodNotAllowed",
            format!("{verb} is not supported on resources of kind \"{resource}\""),
            None,
        )
    }

    pub fn unsupported_media_type(content_type: &str) -> Self {
        let _ = content_type;
        ApiError::new(
            415,
            "UnsupportedMediaType",
            "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json, application/apply-patch+yaml".to_string(),
            None,
        )
    }

    pub fn unsupported_media_type_msg(message: &str) -> Self {
        ApiError::new(415, "UnsupportedMediaType", message.to_string(), None)
    }

    pub fn too_large() -> Self {
        ApiError::new(413, "RequestEntityTooLarge", "Request entity too large: limit is 3145728".to_string(), None)
    }

    /// An error that is not a StatusError in kube-apiserver: 500 with no reason.
    pub fn internal(message: impl Into<String>) -> Self {
        ApiError::new(500, "", message.into(), None)
    }

    pub fn namespace_not_found(ns: &str) -> Self {
        Self::not_found("", "namespaces", ns)
    }

    /// Reason `Expired`, code 410: a too-old resourceVersion (sent as a watch ERROR event).
    pub fn expired(message: impl Into<String>) -> Self {
        ApiError::new(410, "Expired", message.into(), None)
    }

    pub fn not_found_path() -> Self {
        ApiError::new(404, "NotFound", "the server could not find the requested resource".to_string(), Some(json!({})))
    }

    pub fn invalid_options(message: impl Into<String>) -> Self {
        ApiError::new(422, "Invalid", message.into(), None)
    }
}

fn qualified(group: &str, resource: &str) -> String {
    if group.is_empty() { resource.to_string() } else { format!("{resource}.{group}") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn not_found_matches_the_server() {
        let e = ApiError::not_found("", "secrets", "db-pass");
        assert_eq!(
            serde_json::to_string(&e.body).unwrap(),
            r#"{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"secrets \"db-pass\" not found","reason":"NotFound","details":{"name":"db-pass","kind":"secrets"},"code":404}"#
        );
    }

    #[test]
    fn conflict_text() {
        let e = ApiError::conflict("", "secrets", "db-pass");
        assert_eq!(
            e.message(),
            "Operation cannot be fulfilled on secrets \"db-pass\": the object has been modified; please apply your changes to the latest version and try again"
        );
    }

    #[test]
    fn forbidden_texts() {
        let e = ApiError::forbidden("jane", "get", "", "secrets", "default", "db-pass");
        assert_eq!(
            e.message(),
            "secrets \"db-pass\" is forbidden: User \"jane\" cannot get resource \"secrets\" in API group \"\" in the namespace \"default\""
        );
        let e = ApiError::forbidden("jane", "list", "", "secrets", "", "");
        assert_eq!(
            e.message(),
            "secrets is forbidden: User \"jane\" cannot list resource \"secrets\" in API group \"\" at the cluster scope"
        );
        let e = ApiError::forbidden("jane", "list", "apps", "deployments", "", "");
        assert!(e.message().starts_with("deployments.apps is forbidden"));
    }

    #[test]
    fn invalid_has_causes() {
        let errs = vec![FieldError::required("data[tls.key]", "")];
        let e = ApiError::invalid("", "Secret", "web-tls", &errs);
        assert_eq!(e.code, 422);
        assert_eq!(e.message(), "Secret \"web-tls\" is invalid: data[tls.key]: Required value");
        assert_eq!(e.body["details"]["kind"], "Secret");
        assert_eq!(e.body["details"]["causes"][0]["reason"], "FieldValueRequired");
        assert_eq!(e.body["details"]["causes"][0]["field"], "data[tls.key]");
        let e = ApiError::invalid("apps", "Deployment", "web", &[FieldError::required("spec.selector", "")]);
        assert_eq!(e.message(), "Deployment.apps \"web\" is invalid: spec.selector: Required value");
        assert_eq!(e.body["details"]["kind"], "Deployment");
    }
}
