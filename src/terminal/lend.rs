//! Lending the terminal to an exec credential plugin that may ask the user something
//! (`cluster::exec`, `keyhole exec-credential`). A Unix socket in a directory only this user
//! can enter; a plugin run through keyhole connects and says `need`. While the TUI holds the
//! terminal, the app is told (`Msg::TerminalWanted`) and the terminal is given back to the
//! shell for as long as the plugin runs (`go` ... `done`); before and after, the answer is `go`
//! at once, since nobody else is drawing.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::os::unix::fs::DirBuilderExt as _;
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

/// Told the id of each plugin that wants the terminal while the TUI holds it.
type Wanted = Box<dyn Fn(u64) + Send>;

#[derive(Default)]
struct Shared {
    /// Set while the TUI holds the terminal.
    holder: Option<Wanted>,
    /// Plugins waiting for the terminal, by id.
    waiting: HashMap<u64, UnixStream>,
}

/// The socket and the plugins waiting for the terminal. The directory goes when the last
/// clone is dropped.
#[derive(Clone)]
pub struct Lender {
    dir: Arc<PrivateDir>,
    shared: Arc<Mutex<Shared>>,
}

impl std::fmt::Debug for Lender {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Lender").field("socket", &self.socket()).finish_non_exhaustive()
    }
}

/// A directory only this user can enter, removed when dropped.
#[derive(Debug)]
struct PrivateDir(PathBuf);

impl Drop for PrivateDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

impl Lender {
    /// Listens on a socket in a new private directory under `$XDG_RUNTIME_DIR` (else the
    /// temporary directory).
    pub fn start() -> std::io::Result<Lender> {
        let base = std::env::var_os("XDG_RUNTIME_DIR").map(PathBuf::from).unwrap_or_else(std::env::temp_dir);
        let dir = base.join(format!("keyhole-{}-{}", std::process::id(), uuid::Uuid::new_v4().simple()));
        std::fs::DirBuilder::new().mode(0o700).create(&dir)?;
        let dir = Arc::new(PrivateDir(dir));
        let listener = UnixListener::bind(dir.0.join("terminal.sock"))?;
        let shared: Arc<Mutex<Shared>> = Arc::default();
        let queue = shared.clone();
        std::thread::Builder::new().name("keyhole-lend".into()).spawn(move || {
            let mut next = 0u64;
            for mut conn in listener.incoming().flatten() {
                let mut line = String::new();
                let Ok(reader) = conn.try_clone() else { continue };
                if BufReader::new(reader).read_line(&mut line).is_err() || line.trim() != "need" {
                    continue;
                }
                let Ok(mut shared) = queue.lock() else { return };
                let Shared { holder, waiting } = &mut *shared;
                match holder {
                    None => {
                        let _ = conn.write_all(b"go\n");
                    }
                    Some(wanted) => {
                        next += 1;
                        waiting.insert(next, conn);
                        wanted(next);
                    }
                }
            }
        })?;
        Ok(Lender { dir, shared })
    }

    /// The socket plugins connect to.
    pub fn socket(&self) -> PathBuf {
        self.dir.0.join("terminal.sock")
    }

    /// The TUI holds the terminal from now on: `wanted` is told of each plugin that asks.
    pub fn hold(&self, wanted: impl Fn(u64) + Send + 'static) {
        if let Ok(mut s) = self.shared.lock() {
            s.holder = Some(Box::new(wanted));
        }
    }

    /// The TUI gave the terminal up: plugins waiting, and those that come later, go at once.
    pub fn release(&self) {
        if let Ok(mut s) = self.shared.lock() {
            s.holder = None;
            for (_, mut conn) in s.waiting.drain() {
                let _ = conn.write_all(b"go\n");
            }
        }
    }

    /// Lends the terminal to plugin `id`: says go, and waits until it is done (or its
    /// process has ended). The caller has given the terminal up before.
    pub fn lend(&self, id: u64) -> std::io::Result<()> {
        let conn = self.shared.lock().ok().and_then(|mut s| s.waiting.remove(&id));
        let Some(mut conn) = conn else { return Ok(()) };
        conn.write_all(b"go\n")?;
        let mut line = String::new();
        // "done", or the end of the connection if the plugin's wrapper died.
        BufReader::new(conn).read_line(&mut line)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ask(lender: &Lender) -> (UnixStream, BufReader<UnixStream>) {
        let mut conn = UnixStream::connect(lender.socket()).unwrap();
        conn.write_all(b"need\n").unwrap();
        let reader = BufReader::new(conn.try_clone().unwrap());
        (conn, reader)
    }

    #[test]
    fn before_the_tui_holds_the_terminal_a_plugin_goes_at_once() {
        let lender = Lender::start().unwrap();
        let (_conn, mut reader) = ask(&lender);
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        assert_eq!(line, "go\n");
    }

    #[test]
    fn while_the_tui_holds_it_a_plugin_waits_until_lent_and_the_lender_until_done() {
        let lender = Lender::start().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        lender.hold(move |id| tx.send(id).unwrap());
        let (mut conn, mut reader) = ask(&lender);
        let id = rx.recv_timeout(std::time::Duration::from_secs(5)).unwrap();
        let lending = {
            let lender = lender.clone();
            std::thread::spawn(move || lender.lend(id))
        };
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        assert_eq!(line, "go\n");
        assert!(!lending.is_finished(), "the terminal stays lent until the plugin is done");
        conn.write_all(b"done\n").unwrap();
        lending.join().unwrap().unwrap();
    }

    #[test]
    fn the_socket_is_in_a_directory_only_this_user_can_enter_and_goes_with_the_lender() {
        use std::os::unix::fs::PermissionsExt as _;
        let lender = Lender::start().unwrap();
        let dir = lender.socket().parent().unwrap().to_path_buf();
        assert_eq!(std::fs::metadata(&dir).unwrap().permissions().mode() & 0o777, 0o700);
        drop(lender);
        assert!(!dir.exists());
    }
}
