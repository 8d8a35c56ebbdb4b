//! Whether a Secret's use is known: UNUSED is said only when every kind that could reference
//! it was listed (DESIGN.md decision 11). One rule for the TUI and `keyhole list`.
//!
//! A kind that the server does not serve (404: no Gateway API installed, say) is absent, and
//! absent kinds reference nothing: that is known. A kind the user may not list (403), or whose
//! list failed, makes the use of the Secrets it could reference unknown, with why ("cannot list
//! CronJobs in shop"). Which kinds could reference a Secret of namespace N: the namespaced
//! consumers of N, the cluster-scoped PersistentVolumes and StorageClasses, and the Gateways of
//! the namespaces that a ReferenceGrant in N lets use it (so the grants of N must be listed too).

use std::collections::BTreeMap;

use super::index::RefIndex;
use super::model::ConsumerKind;

/// What the usage rule needs listed: every consumer kind, and ReferenceGrants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Source {
    Consumers(ConsumerKind),
    ReferenceGrants,
}

impl Source {
    pub fn plural(self) -> &'static str {
        match self {
            Source::Consumers(k) => k.plural(),
            Source::ReferenceGrants => "ReferenceGrants",
        }
    }

    fn cluster_scoped(self) -> bool {
        matches!(self, Source::Consumers(k) if k.is_cluster_scoped())
    }
}

/// The namespaced kinds that reference Secrets of their own namespace.
const NAMESPACED: [ConsumerKind; 10] = [
    ConsumerKind::Pod,
    ConsumerKind::Deployment,
    ConsumerKind::StatefulSet,
    ConsumerKind::DaemonSet,
    ConsumerKind::ReplicaSet,
    ConsumerKind::Job,
    ConsumerKind::CronJob,
    ConsumerKind::ServiceAccount,
    ConsumerKind::Ingress,
    ConsumerKind::Gateway,
];

/// Every source a complete picture needs (token Secrets come with the Secrets themselves).
pub const SOURCES: [Source; 13] = [
    Source::Consumers(ConsumerKind::Pod),
    Source::Consumers(ConsumerKind::Deployment),
    Source::Consumers(ConsumerKind::StatefulSet),
    Source::Consumers(ConsumerKind::DaemonSet),
    Source::Consumers(ConsumerKind::ReplicaSet),
    Source::Consumers(ConsumerKind::Job),
    Source::Consumers(ConsumerKind::CronJob),
    Source::Consumers(ConsumerKind::ServiceAccount),
    Source::Consumers(ConsumerKind::Ingress),
    Source::Consumers(ConsumerKind::Gateway),
    Source::ReferenceGrants,
    Source::Consumers(ConsumerKind::PersistentVolume),
    Source::Consumers(ConsumerKind::StorageClass),
];

/// How listing one source in one scope went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Listing {
    /// Listed (and watched): what it references is in the index.
    Listed,
    /// The server does not serve this kind (404): there are none.
    NotServed,
    /// 403, with the server's message.
    Forbidden(String),
    /// Another failure, with why.
    Failed(String),
}

/// What is known of a Secret's use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Known {
    /// Every kind that could reference it was listed: if nothing uses it, it is unused.
    Complete,
    /// Some kinds are still being listed.
    Pending,
    /// Some kinds could not be listed: why, one sentence each.
    Unknown(Vec<String>),
}

/// How each source was listed, by scope (`None`: across namespaces, or cluster-wide for
/// cluster-scoped kinds; `Some(ns)`: in that namespace).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Coverage {
    listings: BTreeMap<(Source, Option<String>), Listing>,
}

impl Coverage {
    pub fn new() -> Self {
        Self::default()
    }

    /// Records how a source was listed in a scope. Cluster-scoped kinds have one scope.
    pub fn set(&mut self, source: Source, namespace: Option<&str>, listing: Listing) {
        let scope = if source.cluster_scoped() { None } else { namespace.map(str::to_string) };
        self.listings.insert((source, scope), listing);
    }

    /// Forgets everything (a new scope or context is being watched).
    pub fn clear(&mut self) {
        self.listings.clear();
    }

    /// Takes in what `other` learnt (another namespace's lists).
    pub fn absorb(&mut self, other: Coverage) {
        self.listings.extend(other.listings);
    }

    /// How the source was listed for namespace `ns`: in that namespace, else across them.
    fn for_namespace<'a>(&'a self, source: Source, ns: &'a str) -> Option<(&'a Listing, Option<&'a str>)> {
        if source.cluster_scoped() {
            return self.listings.get(&(source, None)).map(|l| (l, None));
        }
        match self.listings.get(&(source, Some(ns.to_string()))) {
            Some(l) => Some((l, Some(ns))),
            None => self.listings.get(&(source, None)).map(|l| (l, None)),
        }
    }

    /// Whether every source has been listed (or refused) in `scope`.
    pub fn settled(&self, scope: Option<&str>) -> bool {
        self.pending(scope).is_empty()
    }

    /// The sources not listed (nor refused) yet in `scope`, by plural name: what the usage
    /// counts still wait for.
    pub fn pending(&self, scope: Option<&str>) -> Vec<&'static str> {
        SOURCES
            .iter()
            .filter(|&&s| match scope {
                Some(ns) => self.for_namespace(s, ns).is_none(),
                None => !self.listings.contains_key(&(s, None)),
            })
            .map(|s| s.plural())
            .collect()
    }

    /// The sources that could not be listed, one sentence each (for headers and notes).
    pub fn problems(&self) -> Vec<String> {
        self.listings.iter().filter_map(|((s, scope), l)| problem(*s, scope.as_deref(), l)).collect()
    }

    /// Why `source` could not be listed for namespace `ns` (`None`: it was, or is not served).
    pub fn problem_in(&self, source: Source, ns: &str) -> Option<String> {
        let (l, scope) = self.for_namespace(source, ns)?;
        problem(source, scope, l)
    }

    /// The sources that could not be listed, by name (`CronJobs`), for a short header.
    pub fn refused(&self) -> Vec<&'static str> {
        let mut out: Vec<&'static str> = self
            .listings
            .iter()
            .filter(|(_, l)| matches!(l, Listing::Forbidden(_) | Listing::Failed(_)))
            .map(|((s, _), _)| s.plural())
            .collect();
        out.dedup();
        out
    }

    /// What is known of the use of the Secret `namespace/secret`.
    pub fn known(&self, index: &RefIndex, namespace: &str, secret: &str) -> Known {
        let mut why = Vec::new();
        let mut pending = false;
        let mut check = |source: Source, ns: &str, why: &mut Vec<String>| match self.for_namespace(source, ns) {
            None => pending = true,
            Some((l, scope)) => why.extend(problem(source, scope, l)),
        };
        for kind in NAMESPACED {
            check(Source::Consumers(kind), namespace, &mut why);
        }
        check(Source::Consumers(ConsumerKind::PersistentVolume), namespace, &mut why);
        check(Source::Consumers(ConsumerKind::StorageClass), namespace, &mut why);
        // Gateways of other namespaces, through the grants of this one.
        // Not before the Gateways themselves are listed (or found absent).
        let gateways = self.for_namespace(Source::Consumers(ConsumerKind::Gateway), namespace);
        if matches!(gateways, Some((l, _)) if *l != Listing::NotServed) {
            match self.for_namespace(Source::ReferenceGrants, namespace) {
                None => pending = true,
                Some((Listing::Listed | Listing::NotServed, _)) => {
                    for g in index
                        .grants_in(namespace)
                        .filter(|g| g.to.iter().any(|t| t.as_deref().is_none_or(|n| n == secret)))
                    {
                        for from in g.from.iter().filter(|f| ***f != *namespace) {
                            match self.for_namespace(Source::Consumers(ConsumerKind::Gateway), from) {
                                Some((Listing::Listed | Listing::NotServed, _)) => {}
                                Some((l, scope)) => why.extend(problem(Source::Consumers(ConsumerKind::Gateway), scope, l)),
                                None => why.push(format!(
                                    "ReferenceGrant {} lets Gateways in {from} use it, and Gateways in {from} are not listed here",
                                    g.name
                                )),
                            }
                        }
                    }
                }
                Some((l, scope)) => {
                    if let Some(p) = problem(Source::ReferenceGrants, scope, l) {
                        why.push(format!("{p} (Gateways of other namespaces may be allowed to use it)"));
                    }
                }
            }
        }
        why.dedup();
        if !why.is_empty() {
            Known::Unknown(why)
        } else if pending {
            Known::Pending
        } else {
            Known::Complete
        }
    }
}

/// "cannot list CronJobs in shop: <message>", for a source that could not be listed.
fn problem(source: Source, scope: Option<&str>, listing: &Listing) -> Option<String> {
    let place = match (source.cluster_scoped(), scope) {
        (true, _) => String::new(),
        (false, Some(ns)) => format!(" in {ns}"),
        (false, None) => " across namespaces".to_string(),
    };
    match listing {
        Listing::Listed | Listing::NotServed => None,
        Listing::Forbidden(m) => Some(format!("cannot list {}{place}: {m}", source.plural())),
        Listing::Failed(m) => Some(format!("listing {}{place} failed: {m}", source.plural())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::refs::grant_from;
    use serde_json::json;

    fn everything(scope: Option<&str>) -> Coverage {
        let mut c = Coverage::new();
        for s in SOURCES {
            c.set(s, scope, Listing::Listed);
        }
        c
    }

    #[test]
    fn complete_only_when_every_kind_was_listed() {
        let index = RefIndex::new();
        assert_eq!(Coverage::new().known(&index, "shop", "s"), Known::Pending);
        let c = everything(Some("shop"));
        assert!(c.settled(Some("shop")));
        assert_eq!(c.known(&index, "shop", "s"), Known::Complete);
        // Across namespaces counts for every namespace.
        assert_eq!(everything(None).known(&index, "shop", "s"), Known::Complete);
    }

    #[test]
    fn forbidden_is_unknown_and_not_served_is_absent() {
        let index = RefIndex::new();
        let mut c = everything(Some("shop"));
        c.set(Source::Consumers(ConsumerKind::Gateway), Some("shop"), Listing::NotServed);
        c.set(Source::ReferenceGrants, Some("shop"), Listing::NotServed);
        assert_eq!(c.known(&index, "shop", "s"), Known::Complete, "no Gateway API: nothing to list");
        c.set(
            Source::Consumers(ConsumerKind::CronJob),
            Some("shop"),
            Listing::Forbidden("cronjobs.batch is forbidden".into()),
        );
        assert_eq!(
            c.known(&index, "shop", "s"),
            Known::Unknown(vec!["cannot list CronJobs in shop: cronjobs.batch is forbidden".into()])
        );
        let mut c = everything(None);
        c.set(Source::Consumers(ConsumerKind::PersistentVolume), Some("shop"), Listing::Forbidden("no".into()));
        assert_eq!(c.known(&index, "shop", "s"), Known::Unknown(vec!["cannot list PersistentVolumes: no".into()]));
    }

    #[test]
    fn gateways_of_other_namespaces_through_grants() {
        let mut index = RefIndex::new();
        index.upsert_grant(grant_from(&json!({
            "metadata": {"namespace": "certs", "name": "from-web"},
            "spec": {"from": [{"group": "gateway.networking.k8s.io", "kind": "Gateway", "namespace": "web"}],
                     "to": [{"group": "", "kind": "Secret", "name": "wildcard"}]}
        })));
        // Watching namespace certs alone: the Gateways of web are not listed.
        let c = everything(Some("certs"));
        assert_eq!(
            c.known(&index, "certs", "wildcard"),
            Known::Unknown(vec![
                "ReferenceGrant from-web lets Gateways in web use it, and Gateways in web are not listed here".into()
            ])
        );
        assert_eq!(c.known(&index, "certs", "other"), Known::Complete, "the grant names wildcard only");
        assert_eq!(everything(None).known(&index, "certs", "wildcard"), Known::Complete);
        let mut c = everything(Some("certs"));
        c.set(Source::ReferenceGrants, Some("certs"), Listing::Forbidden("no".into()));
        assert!(
            matches!(c.known(&index, "certs", "x"), Known::Unknown(w) if w[0].contains("ReferenceGrants in certs"))
        );
    }
}
