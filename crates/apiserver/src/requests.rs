//! How many requests the server got, of which kind: so that a test can show that a client does
//! not spin (a relist every half second, a watch retried in a loop) by counting them.
//!
//! A request is counted as RBAC sees it (user, verb, group, resource, namespace) with its answer's
//! status code and whether it continued a paged list; never with a body, a name or a value. The
//! counts are kept per kind, so their memory is bounded by the kinds of request, not by time.

use std::collections::BTreeMap;
use std::sync::Mutex;

/// One kind of request.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Request {
    /// The authenticated user; empty when the request was not authenticated (401).
    pub user: String,
    /// The RBAC verb (`get`, `list`, `watch`, `create`, `update`, `patch`, `delete`,
    /// `deletecollection`) for a resource; the lowercased HTTP method for any other path
    /// (discovery, `/version`).
    pub verb: String,
    /// The API group ("" for core) and the resource's plural; both empty for a non-resource path.
    pub group: String,
    pub resource: String,
    /// The namespace in the URL; empty across namespaces and for cluster-scoped resources.
    pub namespace: String,
    /// A list with a `continue` token: a page after the first.
    pub continued: bool,
    /// The HTTP status of the answer (a watch is 200 even if it ends with an ERROR event).
    pub code: u16,
}

/// The requests the server got, counted per kind.
#[derive(Debug, Default)]
pub struct Requests {
    counts: Mutex<BTreeMap<Request, u64>>,
}

impl Requests {
    pub(crate) fn record(&self, request: Request) {
        let mut counts = self.counts.lock().unwrap_or_else(|p| p.into_inner());
        *counts.entry(request).or_default() += 1;
    }

    /// How many requests so far matched `which`.
    pub fn count(&self, which: impl Fn(&Request) -> bool) -> u64 {
        let counts = self.counts.lock().unwrap_or_else(|p| p.into_inner());
        counts.iter().filter(|(r, _)| which(r)).map(|(_, n)| n).sum()
    }

    /// Every kind of request so far, with how many there were (for a failing test's message).
    pub fn snapshot(&self) -> Vec<(Request, u64)> {
        let counts = self.counts.lock().unwrap_or_else(|p| p.into_inner());
        counts.iter().map(|(r, n)| (r.clone(), *n)).collect()
    }
}

impl Request {
    /// `verb` on core `resource` (`secrets`, `pods`...) in any namespace, any answer.
    pub fn is(&self, verb: &str, resource: &str) -> bool {
        self.verb == verb && self.resource == resource
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(verb: &str, resource: &str, code: u16) -> Request {
        Request {
            user: "admin".into(),
            verb: verb.into(),
            group: String::new(),
            resource: resource.into(),
            namespace: "default".into(),
            continued: false,
            code,
        }
    }

    #[test]
    fn counts_add_up_per_kind() {
        let r = Requests::default();
        for _ in 0..3 {
            r.record(req("list", "secrets", 200));
        }
        r.record(req("watch", "secrets", 403));
        r.record(req("list", "pods", 200));
        assert_eq!(r.count(|q| q.is("list", "secrets")), 3);
        assert_eq!(r.count(|q| q.resource == "secrets"), 4);
        assert_eq!(r.count(|q| q.code == 403), 1);
        assert_eq!(r.count(|_| true), 5);
        assert_eq!(r.snapshot().len(), 3, "one entry per kind");
    }
}
