//! `keyhole validate [FILE|-]... [-o text|json]`: checks Secret manifests offline, for people
//! and for CI. The checking is the validator's ([`keyhole_core::validate::report`]); this is the
//! command around it.

use std::io::Write;
use std::process::ExitCode;

use keyhole_core::validate::report::{check_inputs, render_input_errors, render_json, render_text};

use crate::cli::{OutputFormat, ValidateArgs};

/// The `keyhole validate` command.
pub(crate) fn run(args: &ValidateArgs) -> ExitCode {
    let report =
        check_inputs(&args.files, &mut std::io::stdin().lock(), jiff::Timestamp::now(), args.kubernetes_version);
    let mut stdout = std::io::stdout().lock();
    let mut stderr = std::io::stderr().lock();
    // Write errors (a closed pipe) are ignored: the exit status still tells the result.
    let _ = stderr.write_all(render_input_errors(&report).as_bytes());
    let _ = match args.output {
        OutputFormat::Text => stdout.write_all(render_text(&report).as_bytes()),
        OutputFormat::Json => stdout.write_all(format!("{}\n", render_json(&report)).as_bytes()),
    };
    let _ = stdout.flush();
    ExitCode::from(report.exit_code())
}
