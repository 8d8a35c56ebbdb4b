//! Who can read a Secret's values, and how (issue 16): a pure analysis of the cluster's RBAC
//! objects (`analyze`), the service accounts whose Pods read the Secret today (`mounters`, from
//! the usage index), and, where the RBAC objects cannot be listed, what the current user may do
//! (`SelfCheck`, from SelfSubjectAccessReviews). docs/access.md describes it for users.

mod analyze;
mod model;
mod rules;
#[cfg(test)]
mod tests;

pub use analyze::{POD_MAKERS, analyze, can_read, subjects};
pub use model::*;

use crate::refs::RefIndex;

/// The consumers whose Pods (or pod templates) read Secret `namespace/name` today, with the
/// service account they run as; a workload's Pods and template count once.
pub fn mounters(index: &RefIndex, namespace: &str, name: &str) -> Vec<Mounter> {
    let mut out: Vec<Mounter> = index
        .uses_of(namespace, name)
        .into_iter()
        .filter(|r| r.consumer.id.kind.runs_pods())
        .filter_map(|r| {
            let sa = r.consumer.service_account.as_deref()?;
            let consumer = match &r.consumer.workload {
                Some(w) => format!("{} {}", w.kind.as_str(), w.name),
                None => format!("{} {}", r.consumer.id.kind.as_str(), r.consumer.id.name),
            };
            Some(Mounter { service_account: Subject::service_account(&r.consumer.id.namespace, sa), consumer })
        })
        .collect();
    out.sort();
    out.dedup();
    out
}
