//! `keyhole compare NAME --contexts SPEC`: one Secret across kubeconfig contexts, key by key,
//! for drift between staging and production. Values are compared by keyed digest in this
//! process (`crate::list::compare`): never printed, never sent to another cluster.
//!
//! Exit codes: 0 the same everywhere it exists, 1 drift (a key differs, is missing somewhere,
//! or the Secret is absent from a context), 2 an error, 3 some contexts could not be read.

use serde::Serialize;
use std::io::Write;
use std::process::ExitCode;

use super::list::{EXIT_CLEAN, EXIT_ERROR, EXIT_FOUND, EXIT_SOME_CONTEXTS};
use crate::cli::{Cli, CompareArgs, RestartFormat};
use crate::list::compare::{self, Side};
use crate::list::fleet;

/// `keyhole compare`.
pub(crate) fn run(cli: &Cli, args: &CompareArgs) -> ExitCode {
    let rt = match super::runtime() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("keyhole compare: {e}");
            return ExitCode::from(EXIT_ERROR);
        }
    };
    ExitCode::from(rt.block_on(run_async(cli, args)))
}

async fn run_async(cli: &Cli, args: &CompareArgs) -> u8 {
    let fail = |e: String| {
        eprintln!("keyhole compare: {e}");
        EXIT_ERROR
    };
    let kubeconfig = match crate::cluster::connect::read_kubeconfig(cli.cluster.kubeconfig.as_deref()) {
        Ok(k) => k,
        Err(e) => return fail(e.0),
    };
    let all: Vec<String> = kubeconfig.contexts.iter().map(|c| c.name.clone()).collect();
    let contexts = match fleet::select(&all, &args.contexts) {
        Ok(c) => c,
        Err(e) => return fail(format!("--contexts {}: {e}", args.contexts)),
    };
    let key = match compare::fresh_key() {
        Ok(k) => k,
        Err(e) => return fail(e),
    };
    let namespace = cli.cluster.namespace.as_deref();
    let read =
        compare::read_all(&kubeconfig, &contexts, namespace, &args.secret, &key, usize::from(args.parallel)).await;
    let (namespaces, sides): (Vec<String>, Vec<Side>) = read.into_iter().unzip();
    let rows = compare::rows(&sides);
    let unread = sides.iter().filter(|s| matches!(s, Side::Unread(_))).count();
    let found = sides.iter().filter(|s| matches!(s, Side::Found { .. })).count();
    let absent = sides.iter().filter(|s| matches!(s, Side::Absent)).count();
    let drift = absent > 0 || rows.iter().any(|r| r.verdict(&sides) != "same");
    for ((context, side), ns) in contexts.iter().zip(&sides).zip(&namespaces) {
        match side {
            Side::Absent => eprintln!("keyhole compare: context {context}: no Secret {} in {ns}", args.secret),
            Side::Unread(why) => eprintln!("keyhole compare: context {context}: not read: {why}"),
            Side::Found { .. } => {}
        }
    }
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let written = match args.output {
        RestartFormat::Json => write_json(&mut out, args, &contexts, &namespaces, &sides, &rows, drift),
        RestartFormat::Table => write_table(&mut out, &contexts, &sides, &rows),
    };
    let _ = written.and_then(|()| out.flush());
    if found == 0 && unread == sides.len() {
        EXIT_ERROR
    } else if unread > 0 {
        EXIT_SOME_CONTEXTS
    } else if drift {
        EXIT_FOUND
    } else {
        EXIT_CLEAN
    }
}

fn status(side: &Side) -> &'static str {
    match side {
        Side::Found { .. } => "found",
        Side::Absent => "absent",
        Side::Unread(_) => "unread",
    }
}

fn write_table(
    out: &mut impl Write,
    contexts: &[String],
    sides: &[Side],
    rows: &[compare::KeyRow],
) -> std::io::Result<()> {
    let mut head: Vec<&str> = vec!["KEY"];
    head.extend(contexts.iter().map(String::as_str));
    head.push("VERDICT");
    let mut lines: Vec<Vec<String>> = Vec::new();
    // The Secret itself: its type where found, or why not.
    let mut top = vec!["(secret)".to_string()];
    top.extend(sides.iter().map(|s| match s {
        Side::Found { type_, .. } => crate::ui::list::type_label(type_, false),
        other => status(other).to_string(),
    }));
    let types: Vec<&String> = sides
        .iter()
        .filter_map(|s| match s {
            Side::Found { type_, .. } => Some(type_),
            _ => None,
        })
        .collect();
    let same_type = types.windows(2).all(|w| w[0] == w[1]);
    let absent = sides.iter().any(|s| matches!(s, Side::Absent));
    top.push(
        if absent {
            "absent somewhere"
        } else if same_type {
            "same type"
        } else {
            "types differ"
        }
        .to_string(),
    );
    lines.push(top);
    for r in rows {
        let mut cells = vec![crate::ui::text::sanitize(&r.key)];
        cells.extend(r.groups.iter().zip(sides).map(|(g, s)| match (g, s) {
            (Some(c), _) => c.to_string(),
            (None, Side::Found { .. }) => "-".to_string(),
            (None, _) => "".to_string(),
        }));
        cells.push(r.verdict(sides).to_string());
        lines.push(cells);
    }
    super::table::write(out, &head, &lines)?;
    writeln!(out)?;
    writeln!(
        out,
        "A, B, ...: contexts with the same letter hold the same value (compared by keyed digest, never shown); -: key absent"
    )
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JsonCompare<'a> {
    secret: &'a str,
    contexts: Vec<JsonSide<'a>>,
    keys: Vec<JsonKey<'a>>,
    /// Whether anything differs: a key's value, a key missing somewhere, the Secret absent.
    drift: bool,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JsonSide<'a> {
    name: &'a str,
    namespace: &'a str,
    /// `found`, `absent` or `unread`.
    status: &'static str,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    type_: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<&'a str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JsonKey<'a> {
    key: &'a str,
    /// `same`, `differs` or `partial` (one value, missing from some context that has the Secret).
    verdict: &'static str,
    /// By context name: the value's group letter, or null where the key is absent.
    groups: std::collections::BTreeMap<&'a str, Option<String>>,
}

fn write_json(
    out: &mut impl Write,
    args: &CompareArgs,
    contexts: &[String],
    namespaces: &[String],
    sides: &[Side],
    rows: &[compare::KeyRow],
    drift: bool,
) -> std::io::Result<()> {
    let json = JsonCompare {
        secret: &args.secret,
        contexts: contexts
            .iter()
            .zip(namespaces)
            .zip(sides)
            .map(|((name, ns), side)| JsonSide {
                name,
                namespace: ns,
                status: status(side),
                type_: match side {
                    Side::Found { type_, .. } => Some(type_),
                    _ => None,
                },
                error: match side {
                    Side::Unread(e) => Some(e),
                    _ => None,
                },
            })
            .collect(),
        keys: rows
            .iter()
            .map(|r| JsonKey {
                key: &r.key,
                verdict: r.verdict(sides),
                groups: contexts.iter().map(String::as_str).zip(r.groups.iter().map(|g| g.map(String::from))).collect(),
            })
            .collect(),
        drift,
    };
    serde_json::to_writer_pretty(&mut *out, &json).map_err(std::io::Error::other)?;
    writeln!(out)
}
