//! End-to-end: the real `keyhole --demo` binary in a pseudo-terminal, read back through a
//! terminal emulator (vt100), driven with keystrokes as a person would.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{Read, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use portable_pty::{CommandBuilder, NativePtySystem, PtySize, PtySystem};

struct Tty {
    parser: Arc<Mutex<vt100::Parser>>,
    writer: Box<dyn Write + Send>,
    child: Box<dyn portable_pty::Child + Send + Sync>,
}

impl Tty {
    fn spawn(args: &[&str], env: &[(&str, &str)]) -> Tty {
        Self::spawn_command(env!("CARGO_BIN_EXE_keyhole"), args, env)
    }

    fn spawn_command(program: &str, args: &[&str], env: &[(&str, &str)]) -> Tty {
        let pty = NativePtySystem::default()
            .openpty(PtySize { rows: 40, cols: 120, pixel_width: 0, pixel_height: 0 })
            .expect("a pseudo-terminal");
        let mut cmd = CommandBuilder::new(program);
        cmd.args(args);
        cmd.env("TERM", "xterm-256color");
        cmd.env_remove("NO_COLOR");
        cmd.env_remove("KEYHOLE_REDACT");
        for (k, v) in env {
            cmd.env(k, v);
        }
        let child = pty.slave.spawn_command(cmd).expect("keyhole starts");
        drop(pty.slave);
        let mut reader = pty.master.try_clone_reader().expect("pty reader");
        let writer = pty.master.take_writer().expect("pty writer");
        let parser = Arc::new(Mutex::new(vt100::Parser::new(40, 120, 0)));
        let p = parser.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                p.lock().unwrap().process(&buf[..n]);
            }
            // Keep the master alive until the reader ends.
            drop(pty.master);
        });
        Tty { parser, writer, child }
    }

    fn screen(&self) -> String {
        self.parser.lock().unwrap().screen().contents()
    }

    fn wait_for(&self, what: &str) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if self.screen().contains(what) {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("{what:?} never appeared. The screen:\n{}", self.screen());
    }

    fn send(&mut self, keys: &str) {
        self.writer.write_all(keys.as_bytes()).unwrap();
        self.writer.flush().unwrap();
        std::thread::sleep(Duration::from_millis(150));
    }

    fn wait_exit(&mut self) -> portable_pty::ExitStatus {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(Instant::now() < deadline, "keyhole did not exit. The screen:\n{}", self.screen());
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

#[test]
fn demo_open_mysecret_reveal_username_and_see_who_uses_it() {
    let home = tempfile::tempdir().unwrap();
    let mut tty = Tty::spawn(&["--demo"], &[("HOME", home.path().to_str().unwrap())]);
    tty.wait_for("mysecret");
    tty.wait_for("USED BY");
    tty.send("/mysecret");
    tty.send("\r");
    tty.send("\r");
    tty.wait_for("mysecret in default");
    tty.wait_for("username");
    assert!(!tty.screen().contains("admin"), "values are masked until asked for");
    tty.send("jjj");
    tty.send("v");
    tty.wait_for("admin");
    tty.send("2");
    tty.wait_for("Pod mypod");
    tty.send("q");
    tty.send("q");
    let status = tty.wait_exit();
    assert!(status.success(), "{status:?}");
    // The alternate screen is gone: the terminal shows what was there before keyhole.
    assert!(!tty.screen().contains("mysecret in default"), "{}", tty.screen());
}

#[test]
fn sigterm_restores_the_terminal() {
    let home = tempfile::tempdir().unwrap();
    let mut tty = Tty::spawn(&["--demo"], &[("HOME", home.path().to_str().unwrap())]);
    tty.wait_for("USED BY");
    let pid = tty.child.process_id().expect("a pid");
    let killed = std::process::Command::new("kill").args(["-TERM", &pid.to_string()]).status().unwrap();
    assert!(killed.success());
    let status = tty.wait_exit();
    assert!(status.success(), "SIGTERM ends keyhole cleanly: {status:?}");
    let parser = tty.parser.lock().unwrap();
    assert!(!parser.screen().alternate_screen(), "left the alternate screen");
    assert!(!parser.screen().hide_cursor(), "the cursor is visible again");
}

#[test]
fn demo_edit_password_apply_and_see_it_after_reopening() {
    let home = tempfile::tempdir().unwrap();
    let mut tty = Tty::spawn(&["--demo"], &[("HOME", home.path().to_str().unwrap())]);
    tty.wait_for("USED BY");
    tty.send("/mysecret");
    tty.send("\r");
    tty.send("\r");
    tty.wait_for("mysecret in default");
    tty.wait_for("password");
    tty.send("jj");
    tty.send("e");
    tty.wait_for("password (text");
    tty.send("\x1b[F");
    tty.send(&"\x7f".repeat(12));
    tty.send("s3cr3t-e2e");
    tty.send("\x13"); // Ctrl-S keeps the value
    tty.wait_for("EDITED: 1 change");
    tty.send("A");
    tty.wait_for("Review: update mysecret");
    tty.send("\r");
    tty.wait_for("The server accepts it");
    tty.send("\r");
    tty.wait_for("Applied: mysecret");
    tty.send("q");
    tty.wait_for("USED BY");
    tty.send("\r");
    tty.wait_for("mysecret in default");
    tty.send("jj");
    tty.send("v");
    tty.wait_for("s3cr3t-e2e");
    tty.send("q");
    tty.send("q");
    assert!(tty.wait_exit().success());
}

#[test]
fn ctrl_z_suspends_and_fg_resumes_with_a_full_redraw() {
    // Job control needs a shell that does it: an interactive bash in the pseudo-terminal.
    if std::process::Command::new("bash").arg("--version").output().is_err() {
        eprintln!("skipping: bash not found");
        return;
    }
    let home = tempfile::tempdir().unwrap();
    let mut tty = Tty::spawn_command(
        "bash",
        &["--norc", "--noprofile", "-i"],
        &[("HOME", home.path().to_str().unwrap()), ("PS1", "sh$ ")],
    );
    tty.wait_for("sh$");
    tty.send(&format!("{} --demo\r", env!("CARGO_BIN_EXE_keyhole")));
    tty.wait_for("USED BY");
    tty.send("\x1a");
    tty.wait_for("Stopped");
    assert!(!tty.parser.lock().unwrap().screen().alternate_screen(), "the terminal is given back while stopped");
    tty.send("fg\r");
    let deadline = Instant::now() + Duration::from_secs(10);
    while !tty.parser.lock().unwrap().screen().alternate_screen() {
        assert!(Instant::now() < deadline, "keyhole did not take the terminal back:\n{}", tty.screen());
        std::thread::sleep(Duration::from_millis(50));
    }
    tty.wait_for("USED BY");
    tty.send("q");
    tty.wait_for("sh$");
    tty.send("exit\r");
    tty.wait_exit();
}
