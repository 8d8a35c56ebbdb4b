//! The real `keyhole` binary in a pseudo-terminal, read back through a terminal emulator
//! (vt100). Included with `#[path]` by the tests that need it.
#![allow(dead_code)]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{Read, Write};
use std::path::PathBuf;
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use portable_pty::{CommandBuilder, NativePtySystem, PtySize, PtySystem};

pub const ROWS: u16 = 40;
pub const COLS: u16 = 120;

/// How long `send` waits for the program to take the keys and answer. Far longer than it ever
/// takes; `send` does not fail when it passes, the caller's `wait_for` reports the screen.
const SEND_WAIT: Duration = Duration::from_secs(5);

/// How far the reader thread has got: the bytes it took in, and whether the terminal is closed
/// on the program's side (every process that had it open has ended).
#[derive(Debug, Default)]
struct Progress {
    bytes: usize,
    ended: bool,
}

pub struct Tty {
    pub parser: Arc<Mutex<vt100::Parser>>,
    /// Every byte keyhole wrote, for looking at escape sequences.
    pub raw: Arc<Mutex<Vec<u8>>>,
    /// Advanced and notified by the reader thread after `parser` and `raw` took in new output.
    progress: Arc<(Mutex<Progress>, Condvar)>,
    /// The program's side of the terminal, to ask whether it has read what was typed.
    tty_path: Option<PathBuf>,
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
        #[cfg(unix)]
        let tty_path = pty.master.tty_name();
        #[cfg(not(unix))]
        let tty_path = None;
        let parser = Arc::new(Mutex::new(vt100::Parser::new(ROWS, COLS, 0)));
        let raw = Arc::new(Mutex::new(Vec::new()));
        let progress = Arc::new((Mutex::new(Progress::default()), Condvar::new()));
        let (p, r, g) = (parser.clone(), raw.clone(), progress.clone());
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                p.lock().unwrap().process(&buf[..n]);
                r.lock().unwrap().extend_from_slice(&buf[..n]);
                g.0.lock().unwrap().bytes += n;
                g.1.notify_all();
            }
            g.0.lock().unwrap().ended = true;
            g.1.notify_all();
            // Keep the master alive until the reader ends.
            drop(pty.master);
        });
        Tty { parser, raw, progress, tty_path, writer, child }
    }

    pub fn screen(&self) -> String {
        self.parser.lock().unwrap().screen().contents()
    }

    pub fn wait_for(&self, what: &str) {
        if !self.appears_before(what, Instant::now() + Duration::from_secs(20)) {
            panic!("{what:?} never appeared. The screen:\n{}", self.screen());
        }
    }

    /// Waits until the screen satisfies `pred` (for what must be gone as well as there: a frame
    /// may be half drawn when something first appears).
    pub fn wait_until(&self, what: &str, pred: impl Fn(&str) -> bool) {
        if !self.shows_before(&pred, Instant::now() + Duration::from_secs(20)) {
            panic!("never: {what}. The screen:\n{}", self.screen());
        }
    }

    /// Waits up to `ms` for `what`; true if it appeared.
    pub fn appears_within(&self, what: &str, ms: u64) -> bool {
        self.appears_before(what, Instant::now() + Duration::from_millis(ms))
    }

    /// Whether `what` comes on screen before `deadline`.
    fn appears_before(&self, what: &str, deadline: Instant) -> bool {
        self.shows_before(&|screen: &str| screen.contains(what), deadline)
    }

    /// Looks at the screen again each time output comes in, until it satisfies `pred`, the
    /// terminal's output has ended, or `deadline` passes.
    fn shows_before(&self, pred: &dyn Fn(&str) -> bool, deadline: Instant) -> bool {
        loop {
            // Before looking: output taken in after this wakes the wait below.
            let (bytes, ended) = {
                let p = self.progress.0.lock().unwrap();
                (p.bytes, p.ended)
            };
            if pred(&self.screen()) {
                return true;
            }
            if ended || Instant::now() >= deadline {
                return false;
            }
            self.wait_progress(deadline, |p| p.bytes != bytes || p.ended);
        }
    }

    /// Types `keys`, then waits until the program has read them and written something since:
    /// for keyhole the redraw that follows every key it handles (ratatui writes at least the
    /// cursor state even when no cell changed), for a shell its echo. Several keys in one call
    /// may be handled together and answered with one redraw; callers `wait_for` what they expect.
    ///
    /// Waiting for the read matters for a lone Escape: crossterm takes ESC followed by more
    /// bytes in the same read for an Alt key, so the next `send` must not write before keyhole
    /// has read the ESC. Output alone does not prove that: what came in may be the rest of an
    /// earlier redraw (stdout goes out in pieces of 1 KiB) or a redraw for a background result.
    /// In that case the redraw for these keys may still be to come: to check that something did
    /// not appear, first `wait_for` something that the same keys make appear.
    ///
    /// Does not fail: after `SEND_WAIT` it returns, and the caller's `wait_for` shows the screen.
    /// Typing nothing returns at once: there is nothing to answer.
    pub fn send(&mut self, keys: &str) {
        if keys.is_empty() {
            return;
        }
        let before = self.progress.0.lock().unwrap().bytes;
        self.writer.write_all(keys.as_bytes()).unwrap();
        self.writer.flush().unwrap();
        let deadline = Instant::now() + SEND_WAIT;
        self.wait_progress(deadline, |p| p.bytes > before || p.ended);
        // Usually read already, unless the output was the rest of an earlier redraw.
        while self.unread_input() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(1));
        }
    }

    /// Waits until `done` holds for the reader's progress or `deadline` passes.
    fn wait_progress(&self, deadline: Instant, done: impl Fn(&Progress) -> bool) {
        let (lock, changed) = &*self.progress;
        let mut progress = lock.lock().unwrap();
        while !done(&progress) {
            let Some(left) = deadline.checked_duration_since(Instant::now()) else { return };
            progress = changed.wait_timeout(progress, left).unwrap().0;
        }
    }

    /// Whether typed bytes wait in the terminal for the program to read them: poll on the
    /// program's side, opened just for the question so that the terminal still closes when the
    /// program ends. Linux hands what the master writes to the line discipline from a work
    /// queue; poll flushes that work before it looks (`n_tty_poll`), so bytes just written are
    /// not missed, as they can be by FIONREAD. False when the question cannot be asked.
    #[cfg(unix)]
    fn unread_input(&self) -> bool {
        use rustix::event::{PollFd, PollFlags, Timespec};
        use rustix::fs::{Mode, OFlags};
        let Some(path) = &self.tty_path else { return false };
        let flags = OFlags::RDONLY | OFlags::NOCTTY | OFlags::NONBLOCK | OFlags::CLOEXEC;
        let Ok(fd) = rustix::fs::open(path, flags, Mode::empty()) else { return false };
        let mut fds = [PollFd::new(&fd, PollFlags::IN)];
        let now = Timespec { tv_sec: 0, tv_nsec: 0 };
        rustix::event::poll(&mut fds, Some(&now)).is_ok_and(|n| n > 0) && fds[0].revents().contains(PollFlags::IN)
    }

    #[cfg(not(unix))]
    fn unread_input(&self) -> bool {
        false
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
        self.apply_ends_in_the_restart_window();
        self.send("q");
        self.send("q");
        self.wait_for("USED BY");
    }

    /// After an apply of `mysecret`: the demo's secret-env Deployment reads it through env, so
    /// the restart window opens (closed by the caller).
    pub fn apply_ends_in_the_restart_window(&mut self) {
        self.wait_for("Restart: mysecret in default");
        self.wait_for("[x] Deployment secret-env");
    }

    pub fn wait_exit(&mut self) -> portable_pty::ExitStatus {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                // The reader takes in the last output, then ends when no process has the
                // terminal open any more.
                self.wait_progress(Instant::now() + Duration::from_secs(5), |p| p.ended);
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
