//! `keyhole list --contexts`: the same listing over several kubeconfig contexts at once,
//! concurrently with a bound on how many are being read at a time. Each context is connected
//! to and listed on its own: one that cannot be reached, or that refuses, is reported with why
//! and never fails the others.

use std::time::Duration;

use futures::StreamExt;
use jiff::Timestamp;

use super::report::{Query, Report, build};
use crate::cluster;

/// How long connecting to one context may take before it is reported unreachable.
const CONNECT_WITHIN: Duration = Duration::from_secs(20);

/// Which contexts `spec` names among `all` (in kubeconfig order): `all`, a comma-separated
/// list of names, or globs with `*` and `?` (`prod-*`). A name that matches nothing is an error
/// (a typo must not pass silently); a glob that matches nothing too.
pub(crate) fn select(all: &[String], spec: &str) -> Result<Vec<String>, String> {
    let spec = spec.trim();
    if spec == "all" || spec == "*" {
        return if all.is_empty() { Err("the kubeconfig has no contexts".into()) } else { Ok(all.to_vec()) };
    }
    let mut chosen: Vec<String> = Vec::new();
    for part in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let matched: Vec<&String> = all.iter().filter(|c| glob_match(part, c)).collect();
        if matched.is_empty() {
            return Err(format!("no context matches {part:?}; the contexts are: {}", all.join(", ")));
        }
        for c in matched {
            if !chosen.contains(c) {
                chosen.push(c.clone());
            }
        }
    }
    if chosen.is_empty() {
        return Err("--contexts names no context".into());
    }
    // Kubeconfig order, whatever order they were named in.
    chosen.sort_by_key(|c| all.iter().position(|a| a == c));
    Ok(chosen)
}

/// `*` any run of characters, `?` one character; everything else literal.
fn glob_match(pattern: &str, text: &str) -> bool {
    let (p, t): (Vec<char>, Vec<char>) = (pattern.chars().collect(), text.chars().collect());
    let (mut pi, mut ti) = (0, 0);
    let (mut star, mut mark) = (None, 0);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

/// Where to list in each context: every namespace, a given one, or each context's own.
#[derive(Debug, Clone)]
pub(crate) enum Namespaces {
    All,
    One(String),
    ContextDefault,
}

/// One context's outcome.
#[derive(Debug)]
pub(crate) struct ContextResult {
    pub context: String,
    /// The namespace listed (`None`: all).
    pub namespace: Option<String>,
    pub report: Result<Report, String>,
}

/// Lists each of `contexts` of `kubeconfig`, at most `parallel` at a time, in kubeconfig order.
pub(crate) async fn build_all(
    kubeconfig: &kube::config::Kubeconfig,
    contexts: &[String],
    namespaces: &Namespaces,
    query: &Query,
    now: Timestamp,
    parallel: usize,
) -> Vec<ContextResult> {
    let mut results: Vec<(usize, ContextResult)> = futures::stream::iter(contexts.iter().enumerate())
        .map(|(i, context)| async move {
            let result = one(kubeconfig.clone(), context, namespaces, query, now).await;
            (i, result)
        })
        .buffer_unordered(parallel.max(1))
        .collect()
        .await;
    results.sort_by_key(|(i, _)| *i);
    results.into_iter().map(|(_, r)| r).collect()
}

async fn one(
    kubeconfig: kube::config::Kubeconfig,
    context: &str,
    namespaces: &Namespaces,
    query: &Query,
    now: Timestamp,
) -> ContextResult {
    let failed = |namespace: Option<String>, e: String| ContextResult {
        context: context.to_string(),
        namespace,
        report: Err(e),
    };
    let connected =
        match tokio::time::timeout(CONNECT_WITHIN, cluster::connect::connect_context(kubeconfig, context)).await {
            Ok(Ok(c)) => c,
            Ok(Err(e)) => return failed(None, e.0),
            Err(_) => {
                return failed(
                    None,
                    format!("no answer within {} s: the cluster is unreachable", CONNECT_WITHIN.as_secs()),
                );
            }
        };
    let namespace = match namespaces {
        Namespaces::All => None,
        Namespaces::One(ns) => Some(ns.clone()),
        Namespaces::ContextDefault => Some(connected.namespace.clone()),
    };
    let report = build(&connected, namespace.as_deref(), query, now).await;
    ContextResult { context: context.to_string(), namespace, report }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| (*s).to_string()).collect()
    }

    #[test]
    fn contexts_are_chosen_by_all_names_and_globs_in_kubeconfig_order() {
        let all = names(&["prod-eu", "prod-us", "staging", "dev"]);
        assert_eq!(select(&all, "all").unwrap(), all);
        assert_eq!(select(&all, "prod-*").unwrap(), names(&["prod-eu", "prod-us"]));
        assert_eq!(select(&all, "staging,prod-eu").unwrap(), names(&["prod-eu", "staging"]));
        assert_eq!(select(&all, "prod-??,dev, prod-eu").unwrap(), names(&["prod-eu", "prod-us", "dev"]));
        assert_eq!(select(&all, "*-us").unwrap(), names(&["prod-us"]));
        let e = select(&all, "stagng").unwrap_err();
        assert!(e.contains("no context matches \"stagng\"") && e.contains("staging"), "{e}");
        assert!(select(&all, " , ").is_err());
        assert!(select(&[], "all").is_err());
    }

    #[test]
    fn globs() {
        assert!(glob_match("a*c", "abbbc"));
        assert!(glob_match("*", ""));
        assert!(!glob_match("a?c", "ac"));
        assert!(glob_match("kind-*-1", "kind-x-y-1"));
        assert!(!glob_match("kind-*-1", "kind-x-y-2"));
    }
}
