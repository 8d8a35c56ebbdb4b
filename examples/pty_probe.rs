//! Runs a terminal program in a pseudo-terminal, reads its screen through a terminal emulator
//! (vt100), and times what a person would see: when a text appears, how fast a key is answered,
//! and how much memory the program holds. Used by `scripts/bench.sh`; prints one JSON object.
//!
//!     cargo run --release --example pty_probe -- [OPTIONS] STEP... -- COMMAND [ARGS...]
//!
//! Options: `--cols N` `--rows N` (default 200x60), `--timeout SECS` per wait (default 120),
//! `--max-rss-mb N`: give up a wait when the command's resident memory passes N MiB.
//!
//! Steps, run in order (times are milliseconds since the command was started):
//! - `wait:TEXT`   until the screen shows TEXT; records `wait:TEXT`.
//! - `gone:TEXT`   until the screen no longer shows TEXT; records `gone:TEXT`.
//! - `keys:KEYS`   types KEYS (`\r`, `\e`, `\t` and `\\` are understood).
//! - `sleep:MS`    waits.
//! - `rss:LABEL`   records the command's resident memory (VmRSS) and peak (VmHWM), in KiB.
//! - `mark:LABEL`  records the time.
//! - `screen:LABEL` records the screen's text (for checking what was measured).
//! - `storm:CMD`   runs `sh -c CMD` (a load driver) and, while it runs, measures key round trips
//!   every 500 ms: `?` until the text of `--probe-text` shows, `?` again until it is gone. The
//!   driver ends by creating a marker and printing `marker NAME UNIX_MS`; the step then waits
//!   for NAME on the screen and records `lag_ms`, the time from the marker's creation to its
//!   appearance. Key round trips are recorded as `keys_ms` (every one) and their median and max.
//!
//! The command is ended with SIGTERM at the end (SIGKILL if it lingers).

#![allow(clippy::print_stdout)]

use std::io::{BufRead, Read, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use portable_pty::{CommandBuilder, NativePtySystem, PtySize, PtySystem};
use serde_json::{Map, Value, json};

struct Screen {
    parser: Arc<Mutex<vt100::Parser>>,
}

impl Screen {
    fn text(&self) -> String {
        match self.parser.lock() {
            Ok(p) => p.screen().contents(),
            Err(p) => p.into_inner().screen().contents(),
        }
    }
}

fn unescape(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('r') => out.push('\r'),
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('e') => out.push('\x1b'),
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}

/// VmRSS and VmHWM of a process, in KiB.
fn memory(pid: u32) -> Option<(u64, u64)> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let field = |name: &str| {
        status.lines().find(|l| l.starts_with(name)).and_then(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
    };
    Some((field("VmRSS:")?, field("VmHWM:")?))
}

fn unix_ms() -> u128 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis()).unwrap_or(0)
}

fn median(v: &mut [f64]) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

struct Probe {
    screen: Screen,
    writer: Box<dyn Write + Send>,
    start: Instant,
    timeout: Duration,
    pid: u32,
    out: Map<String, Value>,
    probe_text: String,
    max_rss_kb: Option<u64>,
}

impl Probe {
    fn ms(&self) -> f64 {
        self.start.elapsed().as_secs_f64() * 1000.0
    }

    fn wait(&self, text: &str, present: bool) -> Result<f64, String> {
        let deadline = Instant::now() + self.timeout;
        loop {
            if self.screen.text().contains(text) == present {
                return Ok(self.ms());
            }
            if let (Some(max), Some((rss, _))) = (self.max_rss_kb, memory(self.pid))
                && rss > max
            {
                return Err(format!(
                    "gave up waiting for {text:?} after {:.0} ms: the command holds {} MiB (--max-rss-mb {})",
                    self.ms(),
                    rss / 1024,
                    max / 1024
                ));
            }
            if Instant::now() > deadline {
                return Err(format!(
                    "timed out waiting for {text:?} to {}. The screen:\n{}",
                    if present { "appear" } else { "go" },
                    self.screen.text()
                ));
            }
            std::thread::sleep(Duration::from_millis(2));
        }
    }

    fn send(&mut self, keys: &str) -> Result<(), String> {
        self.writer.write_all(keys.as_bytes()).map_err(|e| format!("cannot type: {e}"))?;
        self.writer.flush().map_err(|e| format!("cannot type: {e}"))
    }

    /// One key round trip: open the help, see it, close it, see it gone. Returns the slower half.
    fn round_trip(&mut self) -> Result<f64, String> {
        let text = self.probe_text.clone();
        let t0 = self.ms();
        self.send("?")?;
        let t1 = self.wait(&text, true)?;
        self.send("?")?;
        let t2 = self.wait(&text, false)?;
        Ok((t1 - t0).max(t2 - t1))
    }

    fn storm(&mut self, cmd: &str) -> Result<(), String> {
        let mut child = std::process::Command::new("sh")
            .args(["-c", cmd])
            .stdout(std::process::Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot start the driver: {e}"))?;
        let stdout = child.stdout.take().ok_or("the driver has no stdout")?;
        let lines: Arc<Mutex<Vec<String>>> = Arc::default();
        let l = lines.clone();
        let reader = std::thread::spawn(move || {
            for line in std::io::BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Ok(mut l) = l.lock() {
                    l.push(line);
                }
            }
        });
        let mut keys = Vec::new();
        let mut peak_rss = 0;
        loop {
            if child.try_wait().map_err(|e| e.to_string())?.is_some() {
                break;
            }
            keys.push(self.round_trip()?);
            if let Some((rss, _)) = memory(self.pid) {
                peak_rss = peak_rss.max(rss);
            }
            std::thread::sleep(Duration::from_millis(500));
        }
        let _ = reader.join();
        let lines = lines.lock().map(|l| l.clone()).unwrap_or_default();
        let marker = lines
            .iter()
            .rev()
            .find_map(|l| {
                let mut parts = l.split_whitespace();
                if parts.next() != Some("marker") {
                    return None;
                }
                Some((parts.next()?.to_string(), parts.next()?.parse::<u128>().ok()?))
            })
            .ok_or_else(|| format!("the driver printed no marker: {lines:?}"))?;
        self.wait(&marker.0, true)?;
        let lag = unix_ms().saturating_sub(marker.1);
        let mut sorted = keys.clone();
        self.out.insert("lag_ms".into(), json!(lag));
        self.out.insert("keys_ms".into(), json!(keys));
        self.out.insert("keys_median_ms".into(), json!(median(&mut sorted)));
        self.out.insert("keys_max_ms".into(), json!(sorted.last().copied().unwrap_or(f64::NAN)));
        self.out.insert("storm_peak_rss_kb".into(), json!(peak_rss));
        self.out.insert("driver".into(), json!(lines));
        Ok(())
    }

    fn step(&mut self, step: &str) -> Result<(), String> {
        let (kind, arg) = step.split_once(':').ok_or_else(|| format!("not a step: {step}"))?;
        match kind {
            "wait" => {
                let t = self.wait(arg, true)?;
                self.out.insert(step.to_string(), json!(t));
            }
            "gone" => {
                let t = self.wait(arg, false)?;
                self.out.insert(step.to_string(), json!(t));
            }
            "keys" => self.send(&unescape(arg))?,
            "sleep" => std::thread::sleep(Duration::from_millis(arg.parse().map_err(|_| format!("bad sleep: {arg}"))?)),
            "rss" => {
                let (rss, hwm) = memory(self.pid).ok_or("the command is gone")?;
                self.out.insert(format!("rss_kb:{arg}"), json!(rss));
                self.out.insert(format!("hwm_kb:{arg}"), json!(hwm));
            }
            "mark" => {
                let t = self.ms();
                self.out.insert(format!("mark:{arg}"), json!(t));
            }
            "screen" => {
                let text = self.screen.text();
                self.out.insert(format!("screen:{arg}"), json!(text));
            }
            "storm" => self.storm(arg)?,
            other => return Err(format!("unknown step kind {other}")),
        }
        Ok(())
    }
}

/// One pty writer shared by the probe's steps and the reader thread's answers.
#[derive(Clone)]
struct SharedWriter(Arc<Mutex<Box<dyn Write + Send>>>);

impl Write for SharedWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().map_err(|_| std::io::Error::other("poisoned"))?.write(buf)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.0.lock().map_err(|_| std::io::Error::other("poisoned"))?.flush()
    }
}

fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(split) = args.iter().position(|a| a == "--") else {
        eprintln!(
            "usage: pty_probe [--cols N] [--rows N] [--timeout SECS] [--probe-text TEXT] STEP... -- COMMAND [ARGS...]"
        );
        return std::process::ExitCode::from(2);
    };
    let (opts, command) = (&args[..split], &args[split + 1..]);
    let mut cols = 200u16;
    let mut rows = 60u16;
    let mut timeout = 120u64;
    let mut probe_text = "Help — q or Esc closes".to_string();
    let mut max_rss_kb = None;
    let mut steps = Vec::new();
    let mut it = opts.iter();
    while let Some(a) = it.next() {
        let mut value = || it.next().cloned().unwrap_or_default();
        match a.as_str() {
            "--cols" => cols = value().parse().unwrap_or(cols),
            "--rows" => rows = value().parse().unwrap_or(rows),
            "--timeout" => timeout = value().parse().unwrap_or(timeout),
            "--probe-text" => probe_text = value(),
            "--max-rss-mb" => max_rss_kb = value().parse::<u64>().ok().map(|mb| mb * 1024),
            step => steps.push(step.to_string()),
        }
    }
    if command.is_empty() {
        eprintln!("pty_probe: no command");
        return std::process::ExitCode::from(2);
    }
    match run(cols, rows, Duration::from_secs(timeout), (probe_text, max_rss_kb), &steps, command) {
        Ok(out) => {
            println!("{}", Value::Object(out));
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            // The error as JSON too, so that the report can say what happened.
            println!("{}", json!({"error": e.lines().next().unwrap_or_default()}));
            eprintln!("pty_probe: {e}");
            std::process::ExitCode::from(1)
        }
    }
}

fn run(
    cols: u16,
    rows: u16,
    timeout: Duration,
    (probe_text, max_rss_kb): (String, Option<u64>),
    steps: &[String],
    command: &[String],
) -> Result<Map<String, Value>, String> {
    let pty = NativePtySystem::default()
        .openpty(PtySize { rows, cols, pixel_width: 0, pixel_height: 0 })
        .map_err(|e| format!("no pseudo-terminal: {e}"))?;
    let mut cmd = CommandBuilder::new(&command[0]);
    cmd.args(&command[1..]);
    cmd.env("TERM", "xterm-256color");
    if let Ok(dir) = std::env::current_dir() {
        cmd.cwd(dir);
    }
    let start = Instant::now();
    let mut child = pty.slave.spawn_command(cmd).map_err(|e| format!("cannot start {}: {e}", command[0]))?;
    drop(pty.slave);
    let pid = child.process_id().ok_or("no pid")?;
    let mut reader = pty.master.try_clone_reader().map_err(|e| e.to_string())?;
    let shared = SharedWriter(Arc::new(Mutex::new(pty.master.take_writer().map_err(|e| e.to_string())?)));
    let writer: Box<dyn Write + Send> = Box::new(shared.clone());
    let parser = Arc::new(Mutex::new(vt100::Parser::new(rows, cols, 0)));
    let p = parser.clone();
    let master = pty.master;
    std::thread::spawn(move || {
        let mut buf = vec![0u8; 1 << 16];
        let mut answer = shared;
        while let Ok(n) = reader.read(&mut buf) {
            if n == 0 {
                break;
            }
            if let Ok(mut p) = p.lock() {
                p.process(&buf[..n]);
                // Answer "where is the cursor?" (DSR 6) as a terminal would: some TUIs (kdash)
                // wait for it before drawing.
                if buf[..n].windows(4).any(|w| w == b"\x1b[6n") {
                    let (row, col) = p.screen().cursor_position();
                    let _ = write!(answer, "\x1b[{};{}R", row + 1, col + 1);
                    let _ = answer.flush();
                }
            }
        }
        drop(master);
    });
    let mut probe =
        Probe { screen: Screen { parser }, writer, start, timeout, pid, out: Map::new(), probe_text, max_rss_kb };
    probe.out.insert("command".into(), json!(command.join(" ")));
    let mut result = Ok(());
    for step in steps {
        if let Err(e) = probe.step(step) {
            result = Err(e);
            break;
        }
    }
    // End the command: SIGTERM, then SIGKILL.
    let _ = std::process::Command::new("kill").args(["-TERM", &pid.to_string()]).status();
    let deadline = Instant::now() + Duration::from_secs(5);
    while Instant::now() < deadline {
        if let Ok(Some(_)) = child.try_wait() {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    if let Ok(None) = child.try_wait() {
        let _ = child.kill();
        let _ = child.wait();
    }
    result.map(|()| probe.out)
}
