//! The real `keyhole` binary in a pseudo-terminal, read back through a terminal emulator
//! (vt100). Included with `#[path]` by the tests that need it.
#![allow(dead_code)]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{Read, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use portable_pty::{CommandBuilder, NativePtySystem, PtySize, PtySystem};

pub const ROWS: u16 = 40;
pub const COLS: u16 = 120;

pub struct Tty {
    pub parser: Arc<Mutex<vt100::Parser>>,
    /// Every byte keyhole wrote, for looking at escape sequences.
    pub raw: Arc<Mutex<Vec<u8>>>,
    writer: Box<dyn Write + Send>,
    pub child: Box<dyn portable_pty::Child + Send + Sync>,
}

impl Tty {
    /// Starts keyhole with these arguments under `TERM=xterm-256color`, without `NO_COLOR`,
    /// `KEYHOLE_REDACT` or the caller's config; `env` adds or overrides variables.
    pub fn spawn(args: &[&str], env: &[(&str, &str)]) -> Tty {
        Self::spawn_command(env!("CARGO_BIN_EXE_keyhole"), args, env)
    }

    /// Starts another program the same way (a shell, for job control).
    pub fn spawn_command(program: &str, args: &[&str], env: &[(&str, &str)]) -> Tty {
        let pty = NativePtySystem::default()
            .openpty(PtySize { rows: ROWS, cols: COLS, pixel_width: 0, pixel_height: 0 })
            .expect("a pseudo-terminal");
        let mut cmd = CommandBuilder::new(program);
        cmd.args(args);
        cmd.env("TERM", "xterm-256color");
        for var in ["NO_COLOR", "KEYHOLE_REDACT", "KEYHOLE_CONFIG", "KEYHOLE_LOG", "KEYHOLE_TEST_PANIC", "TMUX", "STY"]
        {
            cmd.env_remove(var);
        }
        for (k, v) in env {
            cmd.env(k, v);
        }
        let child = pty.slave.spawn_command(cmd).expect("keyhole starts");
        drop(pty.slave);
        let mut reader = pty.master.try_clone_reader().expect("pty reader");
        let writer = pty.master.take_writer().expect("pty writer");
        let parser = Arc::new(Mutex::new(vt100::Parser::new(ROWS, COLS, 0)));
        let raw = Arc::new(Mutex::new(Vec::new()));
        let (p, r) = (parser.clone(), raw.clone());
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                p.lock().unwrap().process(&buf[..n]);
                r.lock().unwrap().extend_from_slice(&buf[..n]);
            }
            // Keep the master alive until the reader ends.
            drop(pty.master);
        });
        Tty { parser, raw, writer, child }
    }

    pub fn screen(&self) -> String {
        self.parser.lock().unwrap().screen().contents()
    }

    pub fn wait_for(&self, what: &str) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if self.screen().contains(what) {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("{what:?} never appeared. The screen:\n{}", self.screen());
    }

    /// Waits up to `ms` for `what`; true if it appeared.
    pub fn appears_within(&self, what: &str, ms: u64) -> bool {
        let deadline = Instant::now() + Duration::from_millis(ms);
        while Instant::now() < deadline {
            if self.screen().contains(what) {
                return true;
            }
            std::thread::sleep(Duration::from_millis(25));
        }
        false
    }

    pub fn send(&mut self, keys: &str) {
        self.writer.write_all(keys.as_bytes()).unwrap();
        self.writer.flush().unwrap();
        std::thread::sleep(Duration::from_millis(150));
    }

    /// From the list: clears any filter, filters to `name`, opens the first match and waits for
    /// its detail screen and its values (the value pane offers to reveal one).
    pub fn open_secret(&mut self, name: &str) {
        self.send("\x1b");
        self.send(&format!("/{name}"));
        self.send("\r");
        self.send("\r");
        self.wait_for(&format!("{name} in "));
        self.wait_for("press v to reveal");
    }

    /// In the demo's `mysecret` detail: sets `password` (the third key, 12 characters) to
    /// `value`, then review, dry run and apply; ends back at the list.
    pub fn set_mysecret_password_and_apply(&mut self, value: &str) {
        self.send("jj");
        self.send("e");
        self.wait_for("password (text");
        self.send("\x1b[F");
        self.send(&"\x7f".repeat(12));
        self.send(value);
        self.send("\x13"); // Ctrl-S keeps the value
        self.wait_for("EDITED: 1 change");
        self.send("A");
        self.wait_for("Review: update mysecret");
        self.send("\r");
        self.wait_for("The server accepts it");
        self.send("\r");
        self.wait_for("Applied: mysecret");
        self.send("q");
        self.wait_for("USED BY");
    }

    pub fn wait_exit(&mut self) -> portable_pty::ExitStatus {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                // Let the reader take in the last output.
                std::thread::sleep(Duration::from_millis(200));
                return status;
            }
            assert!(Instant::now() < deadline, "keyhole did not exit. The screen:\n{}", self.screen());
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Tty {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
        }
    }
}
