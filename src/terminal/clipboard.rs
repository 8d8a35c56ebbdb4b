//! Copying to where people are (DESIGN.md decision 10).
//!
//! With a display and not over ssh, the native clipboard (arboard). Over ssh, or without a
//! display, an OSC 52 sequence written to the terminal, which asks the terminal emulator (on the
//! user's own machine) to set its clipboard; inside tmux or GNU screen the sequence is wrapped so
//! that the multiplexer passes it through. The outcome says honestly which path was used: only
//! the native clipboard can be said to have "copied"; a terminal is free to ignore OSC 52.
//!
//! The native clipboard is cleared again after a while ([`Clipboard`]), unless it changed
//! meanwhile. To know whether it changed without keeping the secret, keyhole keeps only an HMAC
//! of the copied text under a key that lives in memory for this run. Every copy keyhole makes
//! (base64, escape sequences, text read back) is zeroized when dropped.
//!
//! What decides the path is captured in a [`ClipEnv`], so tests can pose as any environment and
//! inject a fake terminal and a fake native clipboard.

use std::cell::RefCell;
use std::fmt;
use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine as _;
use ring::hmac;
use zeroize::Zeroizing;

/// The longest OSC 52 payload (base64 characters) keyhole sends. xterm and hterm accept about
/// 100,000; tmux and most others at least as much.
pub(crate) const OSC52_MAX_BASE64: usize = 100_000;

/// GNU screen drops string sequences longer than this (256 bytes before 4.2; 768 since 4.2.1):
/// the OSC is cut into pieces of at most this size, each in its own DCS passthrough.
pub(crate) const SCREEN_CHUNK: usize = 252;

/// The terminal multiplexer between keyhole and the terminal emulator, if any.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mux {
    None,
    Tmux,
    Screen,
}

/// How a copy reached (or was sent towards) the clipboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CopyPath {
    /// The native clipboard of the machine keyhole runs on (arboard).
    Native,
    /// An OSC 52 sequence written to the terminal, wrapped for the multiplexer.
    Osc52(Mux),
}

/// The message for an OSC 52 copy; `failed` is the native clipboard's error when OSC 52 was the
/// fallback.
fn osc52_message(mux: Mux, failed: Option<&str>) -> String {
    let (via, caveat) = match mux {
        Mux::None => ("", "your terminal may ignore it"),
        Mux::Tmux => (" through tmux", "your terminal may ignore it; tmux needs allow-passthrough on"),
        Mux::Screen => (" through screen", "your terminal may ignore it"),
    };
    match failed {
        None => format!("sent to your terminal with OSC 52{via} ({caveat})"),
        Some(e) => {
            let e = short_native(e);
            format!("the clipboard failed ({e}); sent to your terminal with OSC 52{via} instead ({caveat})")
        }
    }
}

/// The message for a copy to the native clipboard.
const NATIVE_MESSAGE: &str = "copied to the clipboard";

/// Why a copy did not happen. The messages never contain the value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CopyError {
    /// `--redact` / `KEYHOLE_REDACT=1`: values are never copied.
    #[error("not copied: keyhole runs with --redact, which never copies values")]
    Redacted,
    #[error("not copied: {bytes} bytes is too large to send to the terminal with OSC 52 (at most {max})")]
    TooLarge { bytes: usize, max: usize },
    #[error("not copied: cannot write to the terminal: {0}")]
    Terminal(String),
    /// The native clipboard failed and so did the OSC 52 fallback.
    #[error("not copied: the clipboard failed ({native}), and OSC 52 too: {}", fallback.reason())]
    Both { native: String, fallback: Box<CopyError> },
}

impl CopyError {
    /// The message without its `not copied: ` start.
    pub(crate) fn reason(&self) -> String {
        let text = self.to_string();
        text.strip_prefix("not copied: ").map(str::to_string).unwrap_or(text)
    }
}

/// arboard's error text without its generic start.
fn short_native(e: &str) -> &str {
    e.trim_start_matches("Unknown error while interacting with the clipboard: ")
}

/// Text on its way to the clipboard, e.g. in an effect: `Debug` shows only its length, and it
/// is zeroized when dropped.
#[derive(Clone, Default, PartialEq, Eq)]
pub(crate) struct CopyText(pub Zeroizing<String>);

impl CopyText {
    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<Zeroizing<String>> for CopyText {
    fn from(s: Zeroizing<String>) -> Self {
        CopyText(s)
    }
}

impl fmt::Debug for CopyText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CopyText(<{} bytes>)", self.0.len())
    }
}

/// The result of a copy: the path taken and a message to show the user. The message is a
/// lowercase fragment, e.g. `password: copied to the clipboard; cleared again in 30 s`.
#[derive(Debug)]
pub struct CopyOutcome {
    pub path: CopyPath,
    pub message: String,
    /// For the native clipboard: what is needed to clear it later if it still holds this text.
    pub clear: Option<ClearToken>,
}

/// Identifies a copied text without keeping it: an HMAC under this run's key.
#[derive(Clone, PartialEq, Eq)]
pub struct ClearToken(Vec<u8>);

impl fmt::Debug for ClearToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ClearToken")
    }
}

/// What clearing found.
#[derive(Debug, Clone, PartialEq, Eq)]
#[allow(clippy::enum_variant_names)] // "cleared: cleared" reads as it should
pub(crate) enum Cleared {
    /// The clipboard still held keyhole's copy, and now holds nothing.
    Cleared,
    /// Something else was copied meanwhile; left alone.
    Changed,
    /// The clipboard could not be read or cleared (the message says why).
    Failed(String),
}

/// A native clipboard. arboard in keyhole; tests use [`MemoryClipboard`].
pub(crate) trait NativeClipboard {
    fn set_text(&mut self, text: &str) -> Result<(), String>;
    /// The current text; `None` when the clipboard holds no text.
    fn get_text(&mut self) -> Result<Option<Zeroizing<String>>, String>;
    fn clear(&mut self) -> Result<(), String>;
}

/// arboard, kept open for the whole run: on X11 the process that set the clipboard serves it,
/// so the clipboard object must live as long as the copy should.
struct Arboard(arboard::Clipboard);

impl NativeClipboard for Arboard {
    fn set_text(&mut self, text: &str) -> Result<(), String> {
        let set = self.0.set();
        // Ask clipboard managers not to keep it in their history.
        #[cfg(any(target_os = "linux", target_os = "freebsd", target_os = "openbsd", target_os = "netbsd"))]
        let set = arboard::SetExtLinux::exclude_from_history(set);
        #[cfg(target_os = "macos")]
        let set = arboard::SetExtApple::exclude_from_history(set);
        #[cfg(windows)]
        let set = arboard::SetExtWindows::exclude_from_history(set);
        set.text(text).map_err(|e| e.to_string())
    }

    fn get_text(&mut self) -> Result<Option<Zeroizing<String>>, String> {
        match self.0.get_text() {
            Ok(t) => Ok(Some(Zeroizing::new(t))),
            Err(arboard::Error::ContentNotAvailable) => Ok(None),
            Err(e) => Err(e.to_string()),
        }
    }

    fn clear(&mut self) -> Result<(), String> {
        self.0.clear().map_err(|e| e.to_string())
    }
}

/// An in-memory native clipboard for tests. Clones share the contents, so a test can look at
/// and change what "the clipboard" holds.
#[cfg(test)]
#[derive(Clone, Default)]
pub(crate) struct MemoryClipboard {
    inner: Arc<Mutex<MemoryInner>>,
}

#[cfg(test)]
#[derive(Default)]
struct MemoryInner {
    text: Option<Zeroizing<String>>,
    fail: Option<String>,
}

#[cfg(test)]
impl MemoryClipboard {
    /// A clipboard whose every operation fails with this message (no display server, say).
    pub(crate) fn failing(message: &str) -> Self {
        let c = MemoryClipboard::default();
        if let Ok(mut i) = c.inner.lock() {
            i.fail = Some(message.to_string());
        }
        c
    }
    /// What the clipboard holds now.
    pub(crate) fn text(&self) -> Option<String> {
        self.inner.lock().ok()?.text.as_ref().map(|t| t.to_string())
    }
    /// Another program copies something.
    pub(crate) fn set_by_someone_else(&self, text: &str) {
        if let Ok(mut i) = self.inner.lock() {
            i.text = Some(Zeroizing::new(text.to_string()));
        }
    }
    fn with<T>(&self, f: impl FnOnce(&mut MemoryInner) -> Result<T, String>) -> Result<T, String> {
        let mut i = self.inner.lock().map_err(|_| "poisoned".to_string())?;
        if let Some(e) = &i.fail {
            return Err(e.clone());
        }
        f(&mut i)
    }
}

#[cfg(test)]
impl fmt::Debug for MemoryClipboard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MemoryClipboard")
    }
}

#[cfg(test)]
impl NativeClipboard for MemoryClipboard {
    fn set_text(&mut self, text: &str) -> Result<(), String> {
        self.with(|i| {
            i.text = Some(Zeroizing::new(text.to_string()));
            Ok(())
        })
    }
    fn get_text(&mut self) -> Result<Option<Zeroizing<String>>, String> {
        self.with(|i| Ok(i.text.clone()))
    }
    fn clear(&mut self) -> Result<(), String> {
        self.with(|i| {
            i.text = None;
            Ok(())
        })
    }
}

/// A terminal for tests: collects the bytes written to it. Clones share the buffer.
#[derive(Clone, Default)]
pub struct CaptureTerminal(Arc<Mutex<Vec<u8>>>);

impl CaptureTerminal {
    pub fn bytes(&self) -> Vec<u8> {
        self.0.lock().map(|b| b.clone()).unwrap_or_default()
    }
}

impl fmt::Debug for CaptureTerminal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CaptureTerminal")
    }
}

impl Write for CaptureTerminal {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().map_err(|_| std::io::Error::other("poisoned"))?.extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

enum Native {
    /// Not opened yet: arboard is opened on the first copy that needs it.
    Lazy,
    Ready(Box<dyn NativeClipboard>),
    Failed(String),
}

/// What decides how to copy, and where the bytes go.
pub struct ClipEnv {
    /// A display server (`DISPLAY` / `WAYLAND_DISPLAY`), or macOS / Windows, which always have one.
    pub display: bool,
    /// Over ssh (`SSH_TTY` / `SSH_CONNECTION` / `SSH_CLIENT`): the native clipboard would be the
    /// remote machine's, not the user's.
    pub ssh: bool,
    /// Inside tmux (`TMUX`).
    pub tmux: bool,
    /// Inside GNU screen (`TERM` starting with `screen`, or `STY`), and not inside tmux.
    pub screen: bool,
    terminal: RefCell<Box<dyn Write>>,
    native: RefCell<Native>,
    key: hmac::Key,
}

impl fmt::Debug for ClipEnv {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClipEnv")
            .field("display", &self.display)
            .field("ssh", &self.ssh)
            .field("tmux", &self.tmux)
            .field("screen", &self.screen)
            .finish_non_exhaustive()
    }
}

fn set(get: &impl Fn(&str) -> Option<String>, name: &str) -> bool {
    get(name).is_some_and(|v| !v.is_empty())
}

impl ClipEnv {
    /// This process's environment; OSC 52 goes to stdout (the terminal the TUI draws on).
    pub(crate) fn detect() -> ClipEnv {
        ClipEnv::from_vars(|name| std::env::var(name).ok())
    }

    /// An environment described by a variable lookup (tests pass a closure over a list).
    pub fn from_vars(get: impl Fn(&str) -> Option<String>) -> ClipEnv {
        let display = cfg!(any(target_os = "macos", windows)) || set(&get, "DISPLAY") || set(&get, "WAYLAND_DISPLAY");
        let ssh = set(&get, "SSH_TTY") || set(&get, "SSH_CONNECTION") || set(&get, "SSH_CLIENT");
        let tmux = set(&get, "TMUX");
        let screen = !tmux && (get("TERM").is_some_and(|t| t.starts_with("screen")) || set(&get, "STY"));
        ClipEnv {
            display,
            ssh,
            tmux,
            screen,
            terminal: RefCell::new(Box::new(std::io::stdout())),
            native: RefCell::new(Native::Lazy),
            key: run_key(),
        }
    }

    /// OSC 52 goes to this writer instead of stdout.
    pub fn with_terminal(self, terminal: impl Write + 'static) -> ClipEnv {
        ClipEnv { terminal: RefCell::new(Box::new(terminal)), ..self }
    }

    /// Use this native clipboard instead of arboard.
    #[cfg(test)]
    pub(crate) fn with_native(self, native: impl NativeClipboard + 'static) -> ClipEnv {
        ClipEnv { native: RefCell::new(Native::Ready(Box::new(native))), ..self }
    }

    pub(crate) fn mux(&self) -> Mux {
        if self.tmux {
            Mux::Tmux
        } else if self.screen {
            Mux::Screen
        } else {
            Mux::None
        }
    }

    /// The path a copy takes (before any fallback): native with a display and not over ssh,
    /// OSC 52 otherwise.
    pub fn path(&self) -> CopyPath {
        if self.display && !self.ssh { CopyPath::Native } else { CopyPath::Osc52(self.mux()) }
    }

    fn with_native_clipboard<T>(
        &self,
        f: impl FnOnce(&mut dyn NativeClipboard) -> Result<T, String>,
    ) -> Result<T, String> {
        let mut native = self.native.borrow_mut();
        if let Native::Lazy = *native {
            *native = match arboard::Clipboard::new() {
                Ok(c) => Native::Ready(Box::new(Arboard(c))),
                Err(e) => Native::Failed(e.to_string()),
            };
        }
        match &mut *native {
            Native::Ready(c) => f(c.as_mut()),
            Native::Failed(e) => Err(e.clone()),
            Native::Lazy => Err("the clipboard is not open".into()),
        }
    }

    fn write_terminal(&self, bytes: &[u8]) -> Result<(), CopyError> {
        let mut t = self.terminal.borrow_mut();
        t.write_all(bytes).and_then(|()| t.flush()).map_err(|e| CopyError::Terminal(e.to_string()))
    }

    fn token(&self, text: &str) -> ClearToken {
        ClearToken(hmac::sign(&self.key, text.as_bytes()).as_ref().to_vec())
    }
}

/// A random HMAC key for this run.
fn run_key() -> hmac::Key {
    let rng = ring::rand::SystemRandom::new();
    hmac::Key::generate(hmac::HMAC_SHA256, &rng)
        .unwrap_or_else(|_| hmac::Key::new(hmac::HMAC_SHA256, uuid::Uuid::new_v4().as_bytes()))
}

/// The OSC 52 sequence that sets the clipboard (`c`) to `text`, wrapped for the multiplexer:
///
/// - none: `ESC ] 52 ; c ; <base64> BEL`
/// - tmux: `ESC P tmux; <the OSC with every ESC doubled> ESC \`
/// - screen: the OSC cut into pieces of [`SCREEN_CHUNK`] bytes, each as `ESC P <piece> ESC \`
pub(crate) fn osc52_sequence(text: &str, mux: Mux) -> Result<Zeroizing<Vec<u8>>, CopyError> {
    let b64 = Zeroizing::new(base64::engine::general_purpose::STANDARD.encode(text.as_bytes()));
    if b64.len() > OSC52_MAX_BASE64 {
        return Err(CopyError::TooLarge { bytes: text.len(), max: OSC52_MAX_BASE64 / 4 * 3 });
    }
    let mut osc = Zeroizing::new(Vec::with_capacity(b64.len() + 8));
    osc.extend_from_slice(b"\x1b]52;c;");
    osc.extend_from_slice(b64.as_bytes());
    osc.push(0x07);
    let out = match mux {
        Mux::None => osc,
        Mux::Tmux => {
            let mut out = Zeroizing::new(Vec::with_capacity(osc.len() + 16));
            out.extend_from_slice(b"\x1bPtmux;");
            for &b in osc.iter() {
                if b == 0x1b {
                    out.push(0x1b);
                }
                out.push(b);
            }
            out.extend_from_slice(b"\x1b\\");
            out
        }
        Mux::Screen => {
            let mut out = Zeroizing::new(Vec::with_capacity(osc.len() + osc.len() / SCREEN_CHUNK * 4 + 8));
            for piece in osc.chunks(SCREEN_CHUNK) {
                out.extend_from_slice(b"\x1bP");
                out.extend_from_slice(piece);
                out.extend_from_slice(b"\x1b\\");
            }
            out
        }
    };
    Ok(out)
}

/// Copies `text` by the path `env` calls for. When the native clipboard fails (no X server
/// behind `DISPLAY`, say), falls back to OSC 52 and says so.
pub(crate) fn copy(text: &str, env: &ClipEnv) -> Result<CopyOutcome, CopyError> {
    let osc52 = |mux: Mux| -> Result<(), CopyError> { env.write_terminal(&osc52_sequence(text, mux)?) };
    match env.path() {
        CopyPath::Native => match env.with_native_clipboard(|c| c.set_text(text)) {
            Ok(()) => Ok(CopyOutcome {
                path: CopyPath::Native,
                message: NATIVE_MESSAGE.to_string(),
                clear: Some(env.token(text)),
            }),
            Err(native) => {
                let path = CopyPath::Osc52(env.mux());
                match osc52(env.mux()) {
                    Ok(()) => Ok(CopyOutcome { path, message: osc52_message(env.mux(), Some(&native)), clear: None }),
                    Err(e) => Err(CopyError::Both { native: short_native(&native).to_string(), fallback: Box::new(e) }),
                }
            }
        },
        path @ CopyPath::Osc52(mux) => {
            osc52(mux)?;
            Ok(CopyOutcome { path, message: osc52_message(mux, None), clear: None })
        }
    }
}

/// Clears the native clipboard if it still holds the text `token` was made from.
pub(crate) fn clear_if_unchanged(token: &ClearToken, env: &ClipEnv) -> Cleared {
    let result = env.with_native_clipboard(|c| {
        let same = match c.get_text()? {
            Some(now) => hmac::verify(&env.key, now.as_bytes(), &token.0).is_ok(),
            None => false,
        };
        if same {
            c.clear()?;
        }
        Ok(same)
    });
    match result {
        Ok(true) => Cleared::Cleared,
        Ok(false) => Cleared::Changed,
        Err(e) => Cleared::Failed(e),
    }
}

/// The clipboard for a TUI session: copies, refuses values under `--redact`, and clears the
/// native clipboard `clear_after` later (and when keyhole exits) unless it changed meanwhile.
#[derive(Debug)]
pub struct Clipboard {
    env: ClipEnv,
    clear_after: Option<Duration>,
    pending: Option<(Instant, ClearToken)>,
}

impl Clipboard {
    /// `clear_after`: `None` (or zero) never clears.
    pub fn new(env: ClipEnv, clear_after: Option<Duration>) -> Clipboard {
        Clipboard { env, clear_after: clear_after.filter(|d| !d.is_zero()), pending: None }
    }

    /// Copies `text` unless `redact` is set. The outcome's message says where it went and, for
    /// the native clipboard, when it will be cleared.
    pub fn copy(&mut self, text: &str, redact: bool, now: Instant) -> Result<CopyOutcome, CopyError> {
        if redact {
            return Err(CopyError::Redacted);
        }
        let mut outcome = copy(text, &self.env)?;
        // A time beyond what `Instant` can hold (the config allows a day) means never.
        let due = self.clear_after.and_then(|after| now.checked_add(after).map(|at| (at, after)));
        match (outcome.clear.clone(), due) {
            (Some(token), Some((at, after))) => {
                self.pending = Some((at, token));
                outcome.message.push_str(&format!("; cleared again in {} s", after.as_secs().max(1)));
            }
            _ => self.pending = None,
        }
        Ok(outcome)
    }

    /// When the pending clear is due, if any.
    pub fn next_clear(&self) -> Option<Instant> {
        self.pending.as_ref().map(|(at, _)| *at)
    }

    /// Call on every tick: clears the native clipboard when due. Returns a message when it
    /// cleared something.
    pub fn tick(&mut self, now: Instant) -> Option<String> {
        match &self.pending {
            Some((at, _)) if *at <= now => self.finish(),
            _ => None,
        }
    }

    /// Clears a pending copy now (keyhole is exiting). Returns a message when it cleared.
    pub(crate) fn finish(&mut self) -> Option<String> {
        let (_, token) = self.pending.take()?;
        match clear_if_unchanged(&token, &self.env) {
            Cleared::Cleared => Some("cleared the clipboard".to_string()),
            Cleared::Changed => None,
            Cleared::Failed(e) => Some(format!("could not clear the clipboard: {e}")),
        }
    }
}

impl Drop for Clipboard {
    fn drop(&mut self) {
        let _ = self.finish();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An environment from these variables, as on Linux (macOS and Windows always have a display).
    fn env(vars: &[(&str, &str)]) -> ClipEnv {
        let vars: Vec<(String, String)> = vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        let display = vars.iter().any(|(k, v)| (k == "DISPLAY" || k == "WAYLAND_DISPLAY") && !v.is_empty());
        let mut e = ClipEnv::from_vars(move |name| vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()));
        e.display = display;
        e
    }

    fn fakes(e: ClipEnv) -> (ClipEnv, CaptureTerminal, MemoryClipboard) {
        let term = CaptureTerminal::default();
        let clip = MemoryClipboard::default();
        (e.with_terminal(term.clone()).with_native(clip.clone()), term, clip)
    }

    #[test]
    fn a_display_without_ssh_uses_the_native_clipboard() {
        let (e, term, clip) = fakes(env(&[("DISPLAY", ":0"), ("TERM", "xterm-256color")]));
        assert_eq!(e.path(), CopyPath::Native);
        let out = copy("1f2d1e2e67df", &e).unwrap();
        assert_eq!(out.path, CopyPath::Native);
        assert_eq!(out.message, "copied to the clipboard");
        assert!(out.clear.is_some());
        assert_eq!(clip.text().as_deref(), Some("1f2d1e2e67df"));
        assert!(term.bytes().is_empty(), "nothing written to the terminal");
        let wayland = env(&[("WAYLAND_DISPLAY", "wayland-0")]);
        assert_eq!(wayland.path(), CopyPath::Native);
        // tmux on a desktop: still the native clipboard.
        assert_eq!(env(&[("DISPLAY", ":0"), ("TMUX", "/tmp/tmux-1000/default,1,0")]).path(), CopyPath::Native);
    }

    #[test]
    fn over_ssh_uses_osc52_even_with_a_forwarded_display() {
        let (e, term, clip) = fakes(env(&[("DISPLAY", "localhost:10.0"), ("SSH_TTY", "/dev/pts/3")]));
        assert_eq!(e.path(), CopyPath::Osc52(Mux::None));
        let out = copy("admin", &e).unwrap();
        assert_eq!(out.path, CopyPath::Osc52(Mux::None));
        assert!(out.message.starts_with("sent to your terminal with OSC 52"), "{}", out.message);
        assert!(!out.message.contains("copied"), "{}", out.message);
        assert!(out.clear.is_none());
        assert_eq!(term.bytes(), b"\x1b]52;c;YWRtaW4=\x07");
        assert_eq!(clip.text(), None, "the remote machine's clipboard is left alone");
        assert_eq!(env(&[("SSH_CONNECTION", "10.0.0.1 5000 10.0.0.2 22")]).path(), CopyPath::Osc52(Mux::None));
        assert_eq!(env(&[("SSH_CLIENT", "10.0.0.1 5000 22")]).path(), CopyPath::Osc52(Mux::None));
    }

    #[test]
    fn without_a_display_uses_osc52() {
        let (e, term, _) = fakes(env(&[("TERM", "linux")]));
        assert_eq!(e.path(), CopyPath::Osc52(Mux::None));
        copy("1f2d1e2e67df", &e).unwrap();
        assert_eq!(term.bytes(), b"\x1b]52;c;MWYyZDFlMmU2N2Rm\x07");
        // Empty variables count as unset.
        assert_eq!(env(&[("DISPLAY", ""), ("SSH_TTY", "")]).path(), e.path());
    }

    #[test]
    fn inside_tmux_the_osc_is_wrapped_with_every_esc_doubled() {
        let (e, term, _) = fakes(env(&[
            ("SSH_TTY", "/dev/pts/1"),
            ("TMUX", "/tmp/tmux-1000/default,4,0"),
            ("TERM", "screen-256color"),
        ]));
        assert_eq!(e.path(), CopyPath::Osc52(Mux::Tmux), "tmux wins over TERM=screen");
        let out = copy("admin", &e).unwrap();
        assert!(out.message.contains("through tmux"), "{}", out.message);
        assert_eq!(term.bytes(), b"\x1bPtmux;\x1b\x1b]52;c;YWRtaW4=\x07\x1b\\");
    }

    #[test]
    fn inside_screen_the_osc_goes_through_dcs_in_pieces() {
        let (e, term, _) = fakes(env(&[("SSH_CONNECTION", "a b c d"), ("TERM", "screen.xterm-256color")]));
        assert_eq!(e.path(), CopyPath::Osc52(Mux::Screen));
        let out = copy("admin", &e).unwrap();
        assert!(out.message.contains("through screen"), "{}", out.message);
        assert_eq!(term.bytes(), b"\x1bP\x1b]52;c;YWRtaW4=\x07\x1b\\");
        assert_eq!(env(&[("STY", "1234.pts-0.host")]).path(), CopyPath::Osc52(Mux::Screen));

        // A long value: every piece at most SCREEN_CHUNK bytes, and together the plain OSC.
        let long = "x".repeat(600);
        let seq = osc52_sequence(&long, Mux::Screen).unwrap();
        let plain = osc52_sequence(&long, Mux::None).unwrap();
        let mut joined = Vec::new();
        let mut rest: &[u8] = &seq;
        let mut pieces = 0;
        while !rest.is_empty() {
            assert!(rest.starts_with(b"\x1bP"), "each piece opens a DCS");
            let end = rest.windows(2).position(|w| w == b"\x1b\\").unwrap();
            let body = &rest[2..end];
            // The only ESC inside a piece is the OSC's own introducer, at the start.
            assert!(body.iter().skip(1).all(|&b| b != 0x1b));
            assert!(body.len() <= SCREEN_CHUNK);
            joined.extend_from_slice(body);
            rest = &rest[end + 2..];
            pieces += 1;
        }
        assert_eq!(joined, *plain);
        assert_eq!(pieces, plain.len().div_ceil(SCREEN_CHUNK));
    }

    #[test]
    fn osc52_bytes_for_multi_byte_and_multi_line_text() {
        let seq = osc52_sequence("ü\nz", Mux::None).unwrap();
        assert_eq!(&seq[..], b"\x1b]52;c;w7wKeg==\x07");
    }

    #[test]
    fn too_large_for_osc52_is_an_error_not_a_truncation() {
        let (e, term, _) = fakes(env(&[("SSH_TTY", "/dev/pts/1")]));
        let big = "x".repeat(80_000);
        let err = copy(&big, &e).unwrap_err();
        assert!(matches!(err, CopyError::TooLarge { .. }), "{err}");
        assert!(term.bytes().is_empty());
        assert!(!err.to_string().contains("xxxx"));
    }

    #[test]
    fn a_failing_native_clipboard_falls_back_to_osc52_and_says_so() {
        let term = CaptureTerminal::default();
        let e =
            env(&[("DISPLAY", ":0")]).with_terminal(term.clone()).with_native(MemoryClipboard::failing("no X server"));
        let out = copy("admin", &e).unwrap();
        assert_eq!(out.path, CopyPath::Osc52(Mux::None));
        assert!(
            out.message.starts_with("the clipboard failed (no X server); sent to your terminal"),
            "{}",
            out.message
        );
        assert_eq!(term.bytes(), b"\x1b]52;c;YWRtaW4=\x07");
    }

    #[test]
    fn when_both_paths_fail_the_error_says_why_for_each() {
        let e = env(&[("DISPLAY", ":0")])
            .with_terminal(CaptureTerminal::default())
            .with_native(MemoryClipboard::failing("no X server"));
        let err = copy(&"x".repeat(80_000), &e).unwrap_err();
        assert!(matches!(err, CopyError::Both { .. }));
        assert_eq!(
            err.to_string(),
            "not copied: the clipboard failed (no X server), and OSC 52 too: 80000 bytes is too large to send to \
             the terminal with OSC 52 (at most 75000)"
        );
    }

    #[test]
    fn redact_refuses_before_anything_is_written() {
        let (e, term, clip) = fakes(env(&[("DISPLAY", ":0")]));
        let mut c = Clipboard::new(e, Some(Duration::from_secs(30)));
        let err = c.copy("admin", true, Instant::now()).unwrap_err();
        assert_eq!(err, CopyError::Redacted);
        assert!(err.to_string().contains("--redact"));
        assert_eq!(clip.text(), None);
        assert!(term.bytes().is_empty());
    }

    #[test]
    fn the_native_clipboard_is_cleared_when_due_unless_it_changed() {
        let (e, _, clip) = fakes(env(&[("DISPLAY", ":0")]));
        let mut c = Clipboard::new(e, Some(Duration::from_secs(30)));
        let t0 = Instant::now();
        let out = c.copy("1f2d1e2e67df", false, t0).unwrap();
        assert_eq!(out.message, "copied to the clipboard; cleared again in 30 s");
        assert_eq!(c.tick(t0 + Duration::from_secs(29)), None);
        assert_eq!(clip.text().as_deref(), Some("1f2d1e2e67df"));
        assert_eq!(c.tick(t0 + Duration::from_secs(30)).as_deref(), Some("cleared the clipboard"));
        assert_eq!(clip.text(), None);
        assert_eq!(c.next_clear(), None);

        // Someone copies something else meanwhile: theirs stays.
        c.copy("admin", false, t0).unwrap();
        clip.set_by_someone_else("not a secret");
        assert_eq!(c.tick(t0 + Duration::from_secs(31)), None);
        assert_eq!(clip.text().as_deref(), Some("not a secret"));
    }

    #[test]
    fn a_clear_time_beyond_what_instant_holds_never_clears_instead_of_panicking() {
        let (e, _, clip) = fakes(env(&[("DISPLAY", ":0")]));
        let mut c = Clipboard::new(e, Some(Duration::MAX));
        let t0 = Instant::now();
        let out = c.copy("admin", false, t0).unwrap();
        assert_eq!(out.message, "copied to the clipboard");
        assert_eq!(c.next_clear(), None);
        assert_eq!(c.tick(t0 + Duration::from_secs(86_400)), None);
        assert_eq!(clip.text().as_deref(), Some("admin"));
    }

    #[test]
    fn a_pending_clear_happens_when_keyhole_exits() {
        let (e, _, clip) = fakes(env(&[("DISPLAY", ":0")]));
        let mut c = Clipboard::new(e, Some(Duration::from_secs(30)));
        c.copy("admin", false, Instant::now()).unwrap();
        drop(c);
        assert_eq!(clip.text(), None);
    }

    #[test]
    fn zero_seconds_never_clears_and_osc52_is_not_scheduled() {
        let (e, _, clip) = fakes(env(&[("DISPLAY", ":0")]));
        let mut c = Clipboard::new(e, Some(Duration::ZERO));
        let out = c.copy("admin", false, Instant::now()).unwrap();
        assert_eq!(out.message, "copied to the clipboard");
        assert_eq!(c.next_clear(), None);
        drop(c);
        assert_eq!(clip.text().as_deref(), Some("admin"));

        let (e, _, _) = fakes(env(&[("SSH_TTY", "/dev/pts/0")]));
        let mut c = Clipboard::new(e, Some(Duration::from_secs(30)));
        let out = c.copy("admin", false, Instant::now()).unwrap();
        assert!(!out.message.contains("cleared"), "{}", out.message);
        assert_eq!(c.next_clear(), None);
    }

    #[test]
    fn debug_output_never_shows_the_text() {
        let (e, _, _) = fakes(env(&[("DISPLAY", ":0")]));
        let out = copy("1f2d1e2e67df", &e).unwrap();
        let text = CopyText(Zeroizing::new("1f2d1e2e67df".to_string()));
        let dbg = format!("{out:?} {e:?} {text:?}");
        assert!(!dbg.contains("1f2d1e2e67df") && !dbg.contains("MWYyZDFlMmU2N2Rm"), "{dbg}");
    }
}
