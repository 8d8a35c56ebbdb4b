//! One-shot operations: open a Secret, inspect Secrets for the list's flags, ask whether the
//! user may update, list namespaces.

use k8s_openapi::api::core::v1::{Namespace, Secret as K8sSecret};
use kube::api::{Api, ListParams};

use crate::list::rows::Inspected;
use crate::secret::Secret;

/// Why a Secret could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OpenError {
    Forbidden(String),
    NotFound,
    Other(String),
}

/// Reads one Secret with its values. The k8s-openapi copy is converted at once and dropped.
pub(crate) async fn open(client: &kube::Client, namespace: &str, name: &str) -> Result<Secret, OpenError> {
    // Not `Api::get`: kube-client logs a body it cannot parse, values included.
    let request = http::Request::get(format!("/api/v1/namespaces/{namespace}/secrets/{name}"))
        .header(http::header::ACCEPT, "application/json")
        .body(Vec::new());
    let result = match request {
        Ok(r) => super::quiet::request_json::<K8sSecret>(client, r).await,
        Err(e) => Err(kube::Error::HttpError(e)),
    };
    match result {
        Ok(s) => {
            let secret = Secret::from_k8s(&s);
            wipe(s);
            Ok(secret)
        }
        Err(kube::Error::Api(s)) if s.code == 403 => Err(OpenError::Forbidden(s.message.clone())),
        Err(kube::Error::Api(s)) if s.code == 404 => Err(OpenError::NotFound),
        Err(e) => Err(OpenError::Other(crate::cluster::connect::error_chain(&e))),
    }
}

/// Zeroes the byte buffers of a k8s-openapi Secret before it is dropped.
fn wipe(mut s: K8sSecret) {
    use zeroize::Zeroize as _;
    if let Some(data) = s.data.as_mut() {
        for v in data.values_mut() {
            v.0.zeroize();
        }
    }
    if let Some(sd) = s.string_data.as_mut() {
        for v in sd.values_mut() {
            v.zeroize();
        }
    }
}

/// What the list needs to know about a Secret's content: its key names, whether it is
/// immutable, when its first certificate expires, and whether kubectl's last-applied copy of
/// its values is stale. The values are dropped (zeroized) here.
pub(crate) async fn inspect(client: &kube::Client, namespace: &str, name: &str) -> Option<Inspected> {
    let secret = open(client, namespace, name).await.ok()?;
    Some(crate::list::inspect::facts(&secret, jiff::Timestamp::now()))
}

/// SelfSubjectAccessReview: may this user `verb` this Secret?
pub(crate) async fn can(client: &kube::Client, verb: &str, namespace: &str, name: &str) -> Result<bool, kube::Error> {
    super::restart::may(client, verb, "", "secrets", namespace, name).await
}

/// The namespaces the user can list, sorted.
pub(crate) async fn namespaces(client: &kube::Client) -> Result<Vec<String>, kube::Error> {
    let api: Api<Namespace> = Api::all(client.clone());
    let list = api.list_metadata(&ListParams::default()).await?;
    let mut names: Vec<String> = list.items.into_iter().filter_map(|n| n.metadata.name).collect();
    names.sort();
    Ok(names)
}
