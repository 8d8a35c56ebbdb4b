//! `keyhole list`'s report: which Secrets (and missing Secrets) to show, with their usage and
//! flags ([`super::flags`], the same rule as the TUI's), and what the linter found.

use jiff::Timestamp;

use super::flags::{self, Flag};
use super::gather::{Gathered, Pages, gather_with, inspect};
use super::rows::SecretRow;
use crate::cluster::Connected;
use std::collections::BTreeMap;

use crate::owners::Owner;
use crate::refs::{Known, UsageCount};

/// What to list and check: `keyhole list`'s options, without the output format.
#[derive(Debug, Clone, Default)]
pub(crate) struct Query {
    /// Only Secrets of this type (full or short name).
    pub type_: Option<String>,
    pub unused: bool,
    pub broken: bool,
    /// `--expiring DAYS`.
    pub expiring: Option<u32>,
    /// `--plaintext-copies`: Secrets whose last-applied annotation holds values.
    pub plaintext_copies: bool,
    /// Read the Secrets that the content flags need (expiry, missing keys, immutable), and list
    /// the Secrets that consumers name but that do not exist: for `-o wide` and `-o json`.
    pub complete: bool,
    /// `--chunk-size`: objects per list request (`None`: keyhole's defaults).
    pub chunk_size: Option<u32>,
    /// Read TLS Secrets for their certificates' expiry without the rest of `complete` (the
    /// fleet view: expiry is its first question).
    pub certs: bool,
}

/// One line of the listing: a Secret, or a Secret that consumers name but that does not exist.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Item {
    pub namespace: String,
    pub name: String,
    /// `None` for a Secret that does not exist.
    pub row: Option<SecretRow>,
    /// `None` when the consumers could not all be listed.
    pub usage: Option<UsageCount>,
    pub flags: Vec<Flag>,
    /// Who manages it (its metadata's managers and the custom resources that name it).
    pub owners: Vec<Owner>,
}

/// The listing, ready to print.
#[derive(Debug)]
pub(crate) struct Report {
    pub items: Vec<Item>,
    pub now: Timestamp,
    /// Linter flags were given: `findings` decides the exit code.
    pub linting: bool,
    pub findings: usize,
    /// A check could not be made (a consumer list or a Secret read failed): exit 2.
    pub incomplete: bool,
    pub notes: Vec<String>,
}

fn type_matches(wanted: &str, type_: &str) -> bool {
    wanted.eq_ignore_ascii_case(type_) || wanted.eq_ignore_ascii_case(&crate::ui::list::type_label(type_, false))
}

/// Gathers, inspects what the flags need, and decides what to show.
pub(crate) async fn build(
    connected: &Connected,
    namespace: Option<&str>,
    query: &Query,
    now: Timestamp,
) -> Result<Report, String> {
    let client = &connected.client;
    // The flags are shown by -o wide and -o json and used by the linter; the plain table shows
    // none, and does not read the custom resources behind MANAGED.
    let linting = query.unused || query.broken || query.expiring.is_some() || query.plaintext_copies;
    let progress = super::progress::Progress::on_stderr();
    let gathered =
        gather_with(connected, namespace, Pages::chunk(query.chunk_size), query.complete || linting, &progress).await;
    let Gathered { mut rows, index, coverage, notes: gather_notes, writers, refused } = match gathered {
        Ok(g) => g,
        Err(e) => {
            progress.finish();
            return Err(e);
        }
    };
    if let Some(t) = &query.type_ {
        rows.retain(|_, r| type_matches(t, &r.type_));
    }
    let want_certs = query.complete || query.expiring.is_some() || query.certs;
    let want_keys = query.complete || query.broken;
    let mut notes = gather_notes;
    let mut incomplete = false;
    if linting && !refused.is_empty() {
        // A clean result would claim namespaces nobody looked at.
        incomplete = true;
        notes.push(format!(
            "the Secrets of {} were not checked (listing them was refused), so this is no clean result for all namespaces.",
            refused.join(", ")
        ));
    }
    for (kind, reason) in writers.refused() {
        // Said once; the Secrets it concerns are not marked (docs/owners.md).
        notes.push(format!(
            "cannot tell from {k}s which Secrets they write: {reason}. Secrets that only a {k} names are not marked MANAGED.",
            k = kind.kind()
        ));
    }
    // What is known of each Secret's use: UNUSED only where every kind could be listed.
    let known: BTreeMap<(String, String), Known> =
        rows.keys().map(|k| (k.clone(), coverage.known(&index, &k.0, &k.1))).collect();
    let mut why: Vec<&str> = known
        .values()
        .filter_map(|k| match k {
            Known::Unknown(why) => Some(why),
            _ => None,
        })
        .flatten()
        .map(String::as_str)
        .collect();
    why.sort_unstable();
    why.dedup();
    if !why.is_empty() {
        let count = known.values().filter(|k| matches!(k, Known::Unknown(_))).count();
        let what = why.join("; ");
        if query.unused || query.broken {
            incomplete = true;
            notes.push(format!(
                "usage unknown for {count} Secret(s), which --unused and --broken cannot judge: {what}. Only Secrets proven unused are listed."
            ));
        } else {
            notes.push(format!("usage unknown for {count} Secret(s) (USED-BY shows ?): {what}."));
        }
    }
    if query.unused {
        let templates = index.templates();
        if !templates.is_empty() {
            let names: Vec<String> =
                templates.iter().map(|r| format!("StorageClass {} (\"{}\")", r.consumer.id.name, r.secret)).collect();
            notes.push(format!(
                "{} names Secrets by template, filled in per claim: a template is not a use of any one Secret, so it does not keep a Secret from being listed as unused.",
                names.join(", ")
            ));
        }
    }

    // The cluster's variable-name rule decides which keys envFrom skips.
    let rule = crate::validate::EnvNameRule::for_git_version(&connected.version).unwrap_or_default();
    let wanted: Vec<(String, String)> = rows
        .values()
        .filter(|r| (want_certs && r.is_tls()) || (want_keys && flags::needs_content(r, &index, rule)))
        .map(SecretRow::key)
        .collect();
    if !wanted.is_empty() {
        progress.reading(wanted.len());
    }
    if !wanted.is_empty() {
        let failed = inspect(client, &mut rows, wanted).await;
        if !failed.is_empty() {
            let shown: Vec<&str> = failed.iter().take(3).map(String::as_str).collect();
            let more = if failed.len() > 3 { format!(" and {} more", failed.len() - 3) } else { String::new() };
            let consequence = if query.broken || query.expiring.is_some() {
                incomplete = true;
                "their keys and certificates were not checked"
            } else {
                "their flags are not shown"
            };
            notes.push(format!(
                "could not read {} Secret(s), so {consequence}: {}{more}.",
                failed.len(),
                shown.join("; ")
            ));
        }
    }

    progress.finish();

    let window = query.expiring.unwrap_or(flags::EXPIRING_DAYS);
    let mut items = Vec::with_capacity(rows.len());
    for ((ns, name), row) in rows {
        let known = known.get(&(ns.clone(), name.clone())).cloned().unwrap_or(Known::Pending);
        let usage = (known == Known::Complete).then(|| index.usage(&ns, &name));
        let owners = writers.owners(&row.owners, &ns, &name);
        let flags = flags::for_secret(&row, &index, &known, now, window, &owners, rule);
        items.push(Item { namespace: ns, name, row: Some(row), usage, flags, owners });
    }

    // Secrets that consumers name but that do not exist, where it matters.
    if (query.broken || query.complete) && query.type_.is_none() {
        let namespaces: Vec<String> = match namespace {
            Some(ns) => vec![ns.to_string()],
            None => index.namespaces().into_iter().map(str::to_string).collect(),
        };
        let exists: std::collections::HashSet<(&str, &str)> =
            items.iter().map(|i| (i.namespace.as_str(), i.name.as_str())).collect();
        let mut ghosts = Vec::new();
        for ns in &namespaces {
            for m in index.missing_in(ns, |s| exists.contains(&(ns.as_str(), s))) {
                ghosts.push(Item {
                    namespace: ns.clone(),
                    name: m.secret.to_string(),
                    row: None,
                    usage: Some(index.usage(ns, m.secret)),
                    flags: vec![flags::for_missing(&m)],
                    owners: Vec::new(),
                });
            }
        }
        items.extend(ghosts);
        items.sort_by(|a, b| (&a.namespace, &a.name).cmp(&(&b.namespace, &b.name)));
    }

    let mut findings = 0;
    if linting {
        items.retain(|item| {
            item.flags.iter().any(|f| match f {
                Flag::Unused => query.unused,
                Flag::Broken(_)
                | Flag::Missing { fails: true }
                | Flag::KeyMismatch
                | Flag::CaMismatch
                | Flag::AuthMismatch(_)
                | Flag::EnvFromSkips(_)
                | Flag::TokenExpired => query.broken,
                Flag::Expired | Flag::Expiring(_) => query.expiring.is_some(),
                Flag::PlaintextCopy { .. } => query.plaintext_copies,
                Flag::Missing { fails: false } | Flag::Immutable | Flag::Terminating(_) | Flag::Managed(_) => false,
            })
        });
        findings = items.len();
    }
    Ok(Report { items, now, linting, findings, incomplete, notes })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_match_in_full_or_short() {
        assert!(type_matches("kubernetes.io/tls", "kubernetes.io/tls"));
        assert!(type_matches("tls", "kubernetes.io/tls"));
        assert!(type_matches("opaque", "Opaque"));
        assert!(type_matches("helm-release", "helm.sh/release.v1"));
        assert!(!type_matches("tls", "Opaque"));
    }
}
