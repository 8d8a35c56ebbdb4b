//! `keyhole list` on a large or slow cluster: after a moment, one line on stderr (only when
//! stderr is a terminal) says what the command is waiting for: how many Secrets so far, which
//! kinds of consumer are still being listed, how many Secrets are being read for their flags.
//! The line is redrawn in place and erased before the result is printed; stdout stays clean
//! for pipes.

use std::io::{IsTerminal, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Nothing is shown for lists quicker than this.
const QUIET_FOR: Duration = Duration::from_millis(800);
const REDRAW_EVERY: Duration = Duration::from_millis(200);

/// What the command is doing, as far as the line tells.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct Status {
    /// Secrets listed so far, and whether their list is complete.
    pub secrets: usize,
    pub secrets_done: bool,
    /// Kinds of consumer still being listed (plural names).
    pub waiting: Vec<&'static str>,
    /// Secrets being read for their flags.
    pub reading: Option<usize>,
}

impl Status {
    /// The line, for people.
    pub(crate) fn line(&self) -> String {
        if let Some(n) = self.reading {
            return format!("reading {} Secret{} for their flags…", thousands(n), if n == 1 { "" } else { "s" });
        }
        let mut parts = Vec::new();
        if !self.secrets_done {
            parts.push(format!("listing Secrets ({} so far)", thousands(self.secrets)));
        }
        if !self.waiting.is_empty() {
            let shown: Vec<&str> = self.waiting.iter().take(4).copied().collect();
            let more = self.waiting.len().saturating_sub(shown.len());
            let more = if more > 0 { format!(" and {more} more") } else { String::new() };
            parts.push(format!("listing {}{more} for usage", shown.join(", ")));
        }
        if parts.is_empty() { "finishing…".into() } else { format!("{}…", parts.join("; ")) }
    }
}

/// `12345` → `12,345`.
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[derive(Debug)]
struct Shared {
    status: Status,
    /// A line is on screen (to erase).
    shown: bool,
}

/// The progress line of one command. `Progress::none()` shows nothing (not a terminal, or a
/// caller that prints its own).
#[derive(Debug, Clone, Default)]
pub(crate) struct Progress {
    shared: Option<Arc<Mutex<Shared>>>,
}

impl Progress {
    pub(crate) fn none() -> Self {
        Progress { shared: None }
    }

    /// On stderr when it is a terminal; a task redraws the line until [`Progress::finish`].
    /// Must be called inside a tokio runtime.
    pub(crate) fn on_stderr() -> Self {
        if !std::io::stderr().is_terminal() {
            return Self::none();
        }
        let shared = Arc::new(Mutex::new(Shared { status: Status::default(), shown: false }));
        let weak = Arc::downgrade(&shared);
        let started = Instant::now();
        tokio::spawn(async move {
            tokio::time::sleep(QUIET_FOR).await;
            let mut last = String::new();
            while let Some(shared) = weak.upgrade() {
                if let Ok(mut s) = shared.lock() {
                    let line = s.status.line();
                    if line != last {
                        let secs = started.elapsed().as_secs();
                        let _ = write!(std::io::stderr(), "\r\x1b[2Kkeyhole: {line} ({secs} s)");
                        s.shown = true;
                        last = line;
                    }
                }
                drop(shared);
                tokio::time::sleep(REDRAW_EVERY).await;
            }
        });
        Progress { shared: Some(shared) }
    }

    fn update(&self, f: impl FnOnce(&mut Status)) {
        if let Some(shared) = &self.shared
            && let Ok(mut s) = shared.lock()
        {
            f(&mut s.status);
        }
    }

    pub(crate) fn secrets_so_far(&self, n: usize) {
        self.update(|s| s.secrets = n);
    }

    pub(crate) fn secrets_listed(&self, n: usize) {
        self.update(|s| {
            s.secrets = n;
            s.secrets_done = true;
        });
    }

    pub(crate) fn waiting_for(&self, kinds: Vec<&'static str>) {
        self.update(|s| s.waiting = kinds);
    }

    pub(crate) fn listed(&self, kind: &'static str) {
        self.update(|s| s.waiting.retain(|k| *k != kind));
    }

    pub(crate) fn reading(&self, n: usize) {
        self.update(|s| s.reading = Some(n));
    }

    /// Erases the line, if one was drawn; the redrawing task ends.
    pub(crate) fn finish(self) {
        if let Some(shared) = self.shared
            && let Ok(s) = shared.lock()
            && s.shown
        {
            let _ = write!(std::io::stderr(), "\r\x1b[2K");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_line_says_what_is_awaited() {
        let mut s = Status { secrets: 12_345, ..Default::default() };
        s.waiting = vec!["Pods", "CronJobs"];
        assert_eq!(s.line(), "listing Secrets (12,345 so far); listing Pods, CronJobs for usage…");
        s.secrets_done = true;
        assert_eq!(s.line(), "listing Pods, CronJobs for usage…");
        s.waiting = vec!["Pods", "Jobs", "CronJobs", "Deployments", "Gateways", "Ingresses"];
        assert_eq!(s.line(), "listing Pods, Jobs, CronJobs, Deployments and 2 more for usage…");
        s.waiting.clear();
        assert_eq!(s.line(), "finishing…");
        s.reading = Some(1);
        assert_eq!(s.line(), "reading 1 Secret for their flags…");
        assert_eq!(thousands(1_000_000), "1,000,000");
        assert_eq!(thousands(999), "999");
    }

    #[test]
    fn off_a_terminal_nothing_is_kept() {
        let p = Progress::none();
        p.secrets_so_far(3);
        p.finish();
    }
}
