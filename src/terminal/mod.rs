//! The terminal: raw mode and the alternate screen, restored on every exit path (normal
//! return, error, panic, SIGTERM, SIGHUP), and Ctrl-Z suspend and resume; the clipboard.

pub mod clipboard;
pub mod lend;

use std::io::{Write, stdout};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};

use crossterm::event::{DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture};
use crossterm::terminal::{EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode};
use crossterm::{cursor, execute};

static ACTIVE: AtomicBool = AtomicBool::new(false);
static MOUSE: AtomicBool = AtomicBool::new(false);

/// Puts the terminal into the TUI's mode; restores it when dropped.
#[derive(Debug)]
pub(crate) struct TerminalGuard;

impl TerminalGuard {
    pub(crate) fn enter(mouse: bool) -> std::io::Result<TerminalGuard> {
        MOUSE.store(mouse, Ordering::SeqCst);
        enter()?;
        Ok(TerminalGuard)
    }
}

fn enter() -> std::io::Result<()> {
    enable_raw_mode()?;
    let mut out = stdout();
    execute!(out, EnterAlternateScreen, cursor::Hide, EnableBracketedPaste)?;
    if MOUSE.load(Ordering::SeqCst) {
        execute!(out, EnableMouseCapture)?;
    }
    ACTIVE.store(true, Ordering::SeqCst);
    Ok(())
}

/// Leaves the TUI's mode. Safe to call more than once and from a panic hook.
pub(crate) fn restore() {
    if !ACTIVE.swap(false, Ordering::SeqCst) {
        return;
    }
    let mut out = stdout();
    if MOUSE.load(Ordering::SeqCst) {
        let _ = execute!(out, DisableMouseCapture);
    }
    let _ = execute!(out, DisableBracketedPaste, LeaveAlternateScreen, cursor::Show);
    let _ = disable_raw_mode();
    let _ = out.flush();
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore();
    }
}

/// Restores the terminal before the panic message is printed, says where the log is, and ends
/// the process: a panic in any thread or background task ends keyhole, instead of leaving it
/// drawing on a terminal that is no longer in the TUI's mode.
pub(crate) fn install_panic_hook(log: Option<PathBuf>) {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore();
        default(info);
        match &log {
            Some(p) => eprintln!("keyhole crashed; the terminal was restored. The log is at {}", p.display()),
            None => eprintln!("keyhole crashed; the terminal was restored. Run with --debug to keep a log."),
        }
        std::process::exit(101);
    }));
}

/// Takes the terminal again after [`restore`] (after lending it to a credential plugin).
pub(crate) fn reenter() -> std::io::Result<()> {
    enter()
}

/// Ctrl-Z: give the terminal back, stop the process as the shell expects, and take the
/// terminal again when `fg` resumes it. The caller redraws everything afterwards.
pub(crate) fn suspend() -> std::io::Result<()> {
    restore();
    #[cfg(unix)]
    {
        signal_hook::low_level::raise(signal_hook::consts::SIGTSTP)?;
    }
    enter()
}
