//! `keyhole man`: the manual page, generated from the clap definitions (as `--help` and the
//! completions are) with a KEYS section generated from the keymap table (as the help screen and
//! docs/keys.md are): nothing in it is written twice.

use std::io::Write as _;
use std::path::Path;
use std::process::ExitCode;

use clap::CommandFactory as _;

use crate::cli::Cli;
use crate::keymap;

/// `keyhole man [--out-dir DIR]`.
pub(crate) fn run(out_dir: Option<&Path>) -> ExitCode {
    let done = match out_dir {
        None => std::io::stdout().lock().write_all(&page()),
        Some(dir) => write_all(dir),
    };
    match done {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("keyhole man: {e}");
            ExitCode::from(2)
        }
    }
}

/// The command as the pages show it: built, so that subcommands are named `keyhole-list`.
fn command() -> clap::Command {
    let mut cmd = Cli::command().disable_help_subcommand(true);
    cmd.build();
    cmd
}

/// keyhole(1): clap_mangen's sections, then KEYS and ENVIRONMENT.
fn page() -> Vec<u8> {
    let man = clap_mangen::Man::new(command()).manual("keyhole manual");
    let mut out = Vec::new();
    // Writing into a Vec cannot fail.
    let _ = man.render_title(&mut out);
    let _ = man.render_name_section(&mut out);
    let _ = man.render_synopsis_section(&mut out);
    let _ = man.render_description_section(&mut out);
    let _ = man.render_options_section(&mut out);
    let _ = man.render_subcommands_section(&mut out);
    out.extend_from_slice(keys().as_bytes());
    out.extend_from_slice(ENVIRONMENT.as_bytes());
    let _ = man.render_version_section(&mut out);
    out
}

/// keyhole.1 and keyhole-SUBCOMMAND.1 for each subcommand people use, into `dir`.
fn write_all(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    std::fs::write(dir.join("keyhole.1"), page())?;
    for sub in command().get_subcommands().filter(|s| !s.is_hide_set()) {
        clap_mangen::Man::new(sub.clone()).manual("keyhole manual").generate_to(dir)?;
    }
    Ok(())
}

/// What the clap definitions do not say: the variables read without a flag of their own.
const ENVIRONMENT: &str = r#".SH ENVIRONMENT
.TP
\fBKUBECONFIG\fR
The kubeconfig files to merge, as kubectl reads them, when \fB\-\-kubeconfig\fR is not given.
.TP
\fBHTTPS_PROXY\fR, \fBNO_PROXY\fR
The proxy for clusters whose kubeconfig names none, as kubectl chooses it.
.TP
\fBNO_COLOR\fR
Selects the monochrome theme (selection in reverse video) unless \fB\-\-theme\fR is given.
.TP
\fBKEYHOLE_COMPLETE\fR
Set by the scripts of \fBkeyhole completions\fR to ask keyhole for completions; not for people.
"#;

/// The KEYS section: every scope of the keymap and its bindings, in the help screen's order.
fn keys() -> String {
    let mut out = String::from(
        ".SH KEYS\nThe keys of the terminal UI, from the keymap table that also drives it, its help screen (\\fB?\\fR) and docs/keys.md. Arrows and vim keys both work; the config file may rebind them.\n",
    );
    for (scope, bindings) in keymap::sections() {
        out.push_str(&format!(".SS {}\n", escape(scope.title())));
        for b in bindings {
            let keys: Vec<String> = b.keys.iter().map(|k| format!("\\fB{}\\fR", escape(&k.label()))).collect();
            out.push_str(&format!(".TP\n{}\n{}\n", keys.join(", "), escape(b.help)));
        }
    }
    out
}

/// Text for roff: backslashes and hyphens escaped, a leading `.` or `'` made literal.
fn escape(text: &str) -> String {
    let escaped = text.replace('\\', "\\e").replace('-', "\\-");
    if escaped.starts_with(['.', '\'']) { format!("\\&{escaped}") } else { escaped }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page_text() -> String {
        String::from_utf8(page()).unwrap_or_default()
    }

    #[test]
    fn the_page_has_the_options_the_subcommands_and_the_keys() {
        let page = page_text();
        for want in [".TH keyhole 1", ".SH SYNOPSIS", "\\-\\-redact", ".SH CLUSTER", "\\-\\-context", ".SH SUBCOMMANDS"]
        {
            assert!(page.contains(want), "{want} missing from the page");
        }
        for sub in ["keyhole\\-list(1)", "keyhole\\-validate(1)", "keyhole\\-completions(1)"] {
            assert!(page.contains(sub), "{sub} missing from the page");
        }
        assert!(!page.contains("exec\\-credential"), "hidden subcommands stay hidden");
        let keys = page.find(".SH KEYS").expect("a KEYS section");
        assert!(page[keys..].contains(".SS Secrets list\n"));
    }

    /// docs/keys.md and the man page come from the same table: every row of the one is an entry
    /// of the other, in the same order (docs/keys.md's own test holds it to the table).
    #[test]
    fn the_keys_section_says_what_docs_keys_md_says() {
        let md = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/keys.md")).unwrap_or_default();
        let from_md: Vec<(String, String)> = md
            .lines()
            .filter(|l| l.starts_with("| `"))
            .filter_map(|l| {
                let cells: Vec<&str> = l.trim_matches('|').split(" | ").collect();
                let keys: Vec<String> =
                    cells.first()?.split('`').filter(|k| !k.trim().is_empty()).map(escape).collect();
                Some((
                    keys.iter().map(|k| format!("\\fB{k}\\fR")).collect::<Vec<_>>().join(", "),
                    escape(cells.get(1)?.trim()),
                ))
            })
            .collect();
        let keys = keys();
        let from_man: Vec<(String, String)> = keys
            .split(".TP\n")
            .skip(1)
            .filter_map(|entry| {
                let mut lines = entry.lines();
                Some((lines.next()?.to_string(), lines.next()?.to_string()))
            })
            .collect();
        assert!(from_md.len() > 50, "docs/keys.md was read: {} rows", from_md.len());
        assert_eq!(from_man, from_md);
    }

    #[test]
    fn roff_control_characters_are_escaped() {
        assert_eq!(escape(".hidden"), "\\&.hidden");
        assert_eq!(escape("a\\b-c"), "a\\eb\\-c");
    }
}
