//! Shell completion: `keyhole completions bash|zsh|fish` prints a script that asks keyhole
//! itself for every completion (clap_complete's dynamic completion): subcommands and flags from
//! the clap definitions, `--context` from the kubeconfig, `-n` from the cluster.
//!
//! The script runs `KEYHOLE_COMPLETE=bash keyhole -- WORDS...`; [`crate::run`] answers that
//! before anything else and exits. A completion never prints an error into the shell: whatever
//! fails (no kubeconfig, no cluster, no permission) offers less, within [`NAMESPACE_TIMEOUT`].

use std::ffi::{OsStr, OsString};
use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap_complete::engine::CompletionCandidate;
use clap_complete::env::EnvCompleter;

use crate::cli::Shell;

/// The variable that turns a run of keyhole into a completion request (clap's default,
/// `COMPLETE`, is a name other programs may set: a keyhole of its own cannot clash).
pub(crate) const VAR: &str = "KEYHOLE_COMPLETE";

/// How long `-n <TAB>` waits for the cluster's namespaces before offering the context's own.
pub(crate) const NAMESPACE_TIMEOUT: Duration = Duration::from_secs(2);

/// `keyhole completions SHELL`: the script that `KEYHOLE_COMPLETE=SHELL keyhole` would print.
pub(crate) fn script(shell: Shell) -> ExitCode {
    let adapter: &dyn EnvCompleter = match shell {
        Shell::Bash => &clap_complete::env::Bash,
        Shell::Zsh => &clap_complete::env::Zsh,
        Shell::Fish => &clap_complete::env::Fish,
    };
    let mut script = Vec::new();
    let written = adapter
        .write_registration(VAR, "keyhole", "keyhole", &completer(), &mut script)
        .and_then(|()| std::io::stdout().lock().write_all(&script));
    match written {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("keyhole completions: {e}");
            ExitCode::from(2)
        }
    }
}

/// The program the script runs to complete, as clap_complete chooses it: keyhole as it was
/// started (`keyhole` from PATH stays a PATH lookup; `./target/debug/keyhole` becomes absolute).
fn completer() -> String {
    let argv0 = PathBuf::from(std::env::args_os().next().unwrap_or_else(|| OsString::from("keyhole")));
    let path = match std::env::current_dir() {
        Ok(dir) if argv0.components().count() > 1 => dir.join(argv0),
        _ => argv0,
    };
    path.to_string_lossy().into_owned()
}

/// The name kubectl (1.26 and later) looks for on PATH to complete `kubectl keyhole ...`: a link
/// to keyhole under this name answers in kubectl's protocol ([`kubectl`]).
pub(crate) const KUBECTL_COMPLETER: &str = "kubectl_complete-keyhole";

/// Whether this process was started as [`KUBECTL_COMPLETER`].
pub(crate) fn started_as_kubectl_completer() -> bool {
    std::env::args_os().next().map(PathBuf::from).is_some_and(|p| p.file_stem().is_some_and(|n| n == KUBECTL_COMPLETER))
}

/// `kubectl keyhole WORDS<TAB>`: kubectl runs `kubectl_complete-keyhole WORDS...` (the last word
/// the one being completed) and reads cobra's protocol back: a candidate per line, `value\thelp`
/// where there is help, then `:4` (ShellCompDirectiveNoFileComp: keyhole offers paths itself
/// where a flag takes one).
pub(crate) fn kubectl() -> ExitCode {
    let words: Vec<OsString> = std::iter::once(OsString::from("keyhole")).chain(std::env::args_os().skip(1)).collect();
    let index = words.len() - 1;
    let current_dir = std::env::current_dir().ok();
    let mut cmd = <crate::cli::Cli as clap::CommandFactory>::command();
    let candidates =
        clap_complete::engine::complete(&mut cmd, words, index, current_dir.as_deref()).unwrap_or_default();
    let mut out = String::new();
    for c in candidates.iter().filter(|c| !c.is_hide_set()) {
        out.push_str(&c.get_value().to_string_lossy());
        if let Some(help) = c.get_help() {
            out.push('\t');
            out.push_str(help.to_string().lines().next().unwrap_or_default());
        }
        out.push('\n');
    }
    out.push_str(":4\n");
    let _ = std::io::stdout().lock().write_all(out.as_bytes());
    ExitCode::SUCCESS
}

/// The cluster flags typed so far on the line being completed (the words after `--`).
#[derive(Debug, Default, PartialEq, Eq)]
struct Typed {
    kubeconfig: Option<PathBuf>,
    context: Option<String>,
    demo: bool,
}

impl Typed {
    fn from_words(words: &[OsString]) -> Typed {
        let mut typed = Typed::default();
        let words: Vec<String> = words.iter().map(|w| w.to_string_lossy().into_owned()).collect();
        let home = std::env::home_dir();
        for (i, word) in words.iter().enumerate() {
            let value = |flag: &str| {
                word.strip_prefix(&format!("{flag}=")).map(str::to_string).or_else(|| {
                    (word == flag).then(|| words.get(i + 1).cloned()).flatten().filter(|v| !v.starts_with('-'))
                })
            };
            if let Some(path) = value("--kubeconfig") {
                // The shell hands the word over as typed: `~/` is not expanded yet.
                typed.kubeconfig = Some(match (path.strip_prefix("~/"), &home) {
                    (Some(rest), Some(home)) => home.join(rest),
                    _ => PathBuf::from(path),
                });
            }
            if let Some(context) = value("--context") {
                typed.context = Some(context);
            }
            typed.demo |= word == "--demo";
        }
        typed
    }

    /// From the process's arguments during a completion request: `keyhole -- keyhole WORDS...`
    /// from a shell's script, `kubectl_complete-keyhole WORDS...` from kubectl.
    fn from_process() -> Typed {
        let args: Vec<OsString> = std::env::args_os().collect();
        let words = if started_as_kubectl_completer() {
            args.get(1..).unwrap_or_default()
        } else {
            args.iter().position(|a| a == "--").map_or(&[][..], |i| &args[i + 1..])
        };
        Typed::from_words(words)
    }
}

/// Candidates that start with what is typed, sorted, with a note for the ones that have one.
fn candidates(current: &OsStr, names: Vec<(String, Option<&'static str>)>) -> Vec<CompletionCandidate> {
    let Some(prefix) = current.to_str() else { return Vec::new() };
    let mut names: Vec<_> = names.into_iter().filter(|(n, _)| n.starts_with(prefix)).collect();
    names.sort();
    names.dedup_by(|a, b| a.0 == b.0);
    names.into_iter().map(|(n, note)| CompletionCandidate::new(n).help(note.map(Into::into))).collect()
}

/// `--context <TAB>`: the contexts of the kubeconfig keyhole would read (`--kubeconfig` typed
/// earlier on the line, else `KUBECONFIG`, else ~/.kube/config).
pub(crate) fn contexts(current: &OsStr) -> Vec<CompletionCandidate> {
    let typed = Typed::from_process();
    let Ok(kubeconfig) = crate::cluster::connect::read_kubeconfig(typed.kubeconfig.as_deref()) else {
        return Vec::new();
    };
    let now = kubeconfig.current_context.clone();
    let names = kubeconfig
        .contexts
        .into_iter()
        .map(|c| {
            let note = (Some(&c.name) == now.as_ref()).then_some("current context");
            (c.name, note)
        })
        .collect();
    candidates(current, names)
}

/// `--contexts <TAB>` (list, compare): `all` or context names, comma-separated: the part after
/// the last comma is completed, the ones before kept.
pub(crate) fn context_list(current: &OsStr) -> Vec<CompletionCandidate> {
    let Some(typed) = current.to_str() else { return Vec::new() };
    let (done, last) = typed.rsplit_once(',').map_or(("", typed), |(d, l)| (d, l));
    let chosen: Vec<&str> = done.split(',').filter(|c| !c.is_empty()).collect();
    let mut names: Vec<CompletionCandidate> = contexts(OsStr::new(last))
        .into_iter()
        .filter(|c| !chosen.iter().any(|d| OsStr::new(d) == c.get_value()))
        .collect();
    if done.is_empty() && "all".starts_with(last) {
        names.insert(0, CompletionCandidate::new("all").help(Some("every context".into())));
    }
    if done.is_empty() { names } else { names.into_iter().map(|c| c.add_prefix(format!("{done},"))).collect() }
}

/// `-n <TAB>`: the cluster's namespaces (those of the context typed earlier on the line, or the
/// current one; with `--demo` the embedded cluster's), asked for within [`NAMESPACE_TIMEOUT`];
/// when they cannot be listed, the context's own namespace.
pub(crate) fn namespaces(current: &OsStr) -> Vec<CompletionCandidate> {
    let typed = Typed::from_process();
    let fallback = || {
        let Ok(kubeconfig) = crate::cluster::connect::read_kubeconfig(typed.kubeconfig.as_deref()) else {
            return Vec::new();
        };
        let context = typed.context.clone().or(kubeconfig.current_context.clone());
        let namespace = kubeconfig
            .contexts
            .iter()
            .find(|c| Some(&c.name) == context.as_ref())
            .and_then(|c| c.context.as_ref())
            .map(|c| c.namespace.clone().unwrap_or_else(|| "default".to_string()));
        namespace.map(|n| vec![(n, Some("the context's namespace"))]).unwrap_or_default()
    };
    // On a thread of its own: an exec credential plugin runs synchronously inside kube-rs, and
    // no timer in the same thread could interrupt it. The process exits after answering.
    let (tx, rx) = std::sync::mpsc::channel();
    let (kubeconfig, context, demo) = (typed.kubeconfig.clone(), typed.context.clone(), typed.demo);
    let spawned = std::thread::Builder::new().name("complete-namespaces".into()).spawn(move || {
        let Ok(rt) = tokio::runtime::Builder::new_current_thread().enable_all().build() else { return };
        let names = rt.block_on(async {
            if demo {
                let (_server, connected) = super::demo_connection().await.ok()?;
                crate::cluster::ops::namespaces(&connected.client).await.ok()
            } else {
                let connected = crate::cluster::connect(kubeconfig.as_deref(), context.as_deref()).await.ok()?;
                crate::cluster::ops::namespaces(&connected.client).await.ok()
            }
        });
        let _ = tx.send(names);
    });
    let listed = spawned.ok().and_then(|_| rx.recv_timeout(NAMESPACE_TIMEOUT).ok().flatten());
    match listed {
        Some(names) => candidates(current, names.into_iter().map(|n| (n, None)).collect()),
        None => candidates(current, fallback()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(line: &str) -> Vec<OsString> {
        line.split(' ').map(OsString::from).collect()
    }

    #[test]
    fn the_flags_typed_so_far_are_read_in_both_spellings() {
        let t = Typed::from_words(&words("keyhole --kubeconfig /k --context prod -n "));
        assert_eq!(t, Typed { kubeconfig: Some("/k".into()), context: Some("prod".into()), demo: false });
        let t = Typed::from_words(&words("keyhole list --kubeconfig=/k --context=dev --demo -n"));
        assert_eq!(t, Typed { kubeconfig: Some("/k".into()), context: Some("dev".into()), demo: true });
        // A flag whose value is not typed yet has none.
        assert_eq!(Typed::from_words(&words("keyhole --context")).context, None);
        assert_eq!(Typed::from_words(&words("keyhole --context -n x")).context, None);
    }

    #[test]
    fn candidates_start_with_what_is_typed_and_come_sorted() {
        let got = candidates(
            OsStr::new("p"),
            vec![("prod".into(), None), ("dev".into(), None), ("preview".into(), Some("current context"))],
        );
        let values: Vec<_> = got.iter().map(|c| c.get_value().to_string_lossy().into_owned()).collect();
        assert_eq!(values, ["preview", "prod"]);
    }
}
