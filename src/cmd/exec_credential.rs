//! `keyhole exec-credential -- PLUGIN [ARGS...]` (hidden): how the TUI runs a kubeconfig's exec
//! credential plugin that may ask the user something (see `cluster::exec`). It asks the running
//! keyhole, over the socket named in `KEYHOLE_TERMINAL`, to lend it the terminal; runs the
//! plugin with the terminal; and gives the terminal back. Without a keyhole to ask, it just
//! runs the plugin, as kubectl would.

use std::ffi::OsString;
use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixStream;
use std::process::{Command, ExitCode};

use crate::cluster::exec::SOCKET_ENV;

/// Whether kube-rs said the plugin may talk to the user: `spec.interactive` of the
/// `KUBERNETES_EXEC_INFO` it sets for every plugin.
fn interactive() -> bool {
    let Ok(info) = std::env::var("KUBERNETES_EXEC_INFO") else { return false };
    serde_json::from_str::<serde_json::Value>(&info)
        .ok()
        .and_then(|v| v.pointer("/spec/interactive").and_then(serde_json::Value::as_bool))
        .unwrap_or(false)
}

/// Asks the TUI for the terminal and waits for it; `None` when there is no TUI to ask.
fn borrow_terminal() -> Option<UnixStream> {
    let path = std::env::var_os(SOCKET_ENV)?;
    let mut conn = UnixStream::connect(path).ok()?;
    conn.write_all(b"need\n").ok()?;
    let mut answer = String::new();
    BufReader::new(conn.try_clone().ok()?).read_line(&mut answer).ok()?;
    (answer.trim() == "go").then_some(conn)
}

pub(crate) fn run(command: &[OsString]) -> ExitCode {
    let Some((program, args)) = command.split_first() else {
        eprintln!("keyhole exec-credential: no plugin to run (keyhole exec-credential -- PLUGIN ARGS)");
        return ExitCode::from(2);
    };
    // The plugin inherits stdin, stdout (kube-rs reads the credential from it) and stderr as
    // they were given to this process.
    let lent = if interactive() { borrow_terminal() } else { None };
    let status = Command::new(program).args(args).status();
    if let Some(mut conn) = lent {
        let _ = conn.write_all(b"done\n");
    }
    match status {
        Ok(s) => ExitCode::from(u8::try_from(s.code().unwrap_or(1)).unwrap_or(1)),
        Err(e) => {
            eprintln!("keyhole exec-credential: cannot run {}: {e}", program.to_string_lossy());
            ExitCode::from(1)
        }
    }
}
