//! Reading the RBAC objects for the access analysis (`crate::access`): Roles, ClusterRoles,
//! RoleBindings and ClusterRoleBindings of every namespace. Where any of them may not be listed
//! the analysis cannot be made; the current user's own access is asked instead
//! (SelfSubjectAccessReview on get, list and watch of the Secret, as `kubectl auth can-i` does).

use k8s_openapi::api::rbac::v1::{ClusterRole, ClusterRoleBinding, Role, RoleBinding};
use kube::Resource;
use kube::api::{Api, ListParams};
use serde::de::DeserializeOwned;

use crate::access::{Policy, SelfCheck};

/// The RBAC objects, or what the user may do when they cannot be listed.
#[derive(Debug, Clone, PartialEq)]
pub enum Loaded {
    Policy(Box<Policy>),
    Refused(SelfCheck),
}

/// Every object of one kind, page by page.
async fn all<K>(client: &kube::Client) -> Result<Vec<K>, kube::Error>
where
    K: Resource<DynamicType = ()> + Clone + DeserializeOwned + std::fmt::Debug,
{
    let api: Api<K> = Api::all(client.clone());
    let mut out = Vec::new();
    let mut params = ListParams::default().limit(500);
    loop {
        let page = api.list(&params).await?;
        out.extend(page.items);
        match page.metadata.continue_.filter(|c| !c.is_empty()) {
            Some(next) => params = params.continue_token(&next),
            None => return Ok(out),
        }
    }
}

async fn policy(client: &kube::Client) -> Result<Policy, kube::Error> {
    let (cluster_roles, roles, cluster_role_bindings, role_bindings) = tokio::try_join!(
        all::<ClusterRole>(client),
        all::<Role>(client),
        all::<ClusterRoleBinding>(client),
        all::<RoleBinding>(client),
    )?;
    Ok(Policy { cluster_roles, roles, cluster_role_bindings, role_bindings })
}

/// Reads the RBAC objects; on a 403 asks what the current user may do with Secret
/// `namespace/name` instead. `Err` is any other failure, in words.
pub async fn load(client: &kube::Client, namespace: &str, name: &str) -> Result<Loaded, String> {
    match policy(client).await {
        Ok(p) => Ok(Loaded::Policy(Box::new(p))),
        Err(kube::Error::Api(s)) if s.code == 403 => {
            Ok(Loaded::Refused(self_check(client, namespace, name, s.message).await))
        }
        Err(e) => Err(super::connect::error_chain(&e)),
    }
}

/// The current user's get, list and watch of the Secret (`None`: the review failed).
pub async fn self_check(client: &kube::Client, namespace: &str, name: &str, why: String) -> SelfCheck {
    use super::restart::{may, may_sub};
    let (get, list, watch, create_pods, exec_pods) = tokio::join!(
        may(client, "get", "", "secrets", namespace, name),
        may(client, "list", "", "secrets", namespace, ""),
        may(client, "watch", "", "secrets", namespace, ""),
        may(client, "create", "", "pods", namespace, ""),
        may_sub(client, "create", "", "pods", "exec", namespace, ""),
    );
    SelfCheck {
        why,
        get: get.ok(),
        list: list.ok(),
        watch: watch.ok(),
        create_pods: create_pods.ok(),
        exec_pods: exec_pods.ok(),
    }
}
