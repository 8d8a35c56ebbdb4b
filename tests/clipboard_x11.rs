//! The native clipboard for real (arboard), where a display exists: copy, another program
//! reads it, it is cleared when due, and left alone when someone copied something else.
//! Skipped without a display; run it headless with `xvfb-run cargo test --test clipboard_x11`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use keyhole::terminal::clipboard::{CaptureTerminal, ClipEnv, Clipboard, CopyPath};

/// What another program (xclip) reads from the clipboard; `None` without xclip.
fn xclip_read() -> Option<String> {
    let out = Command::new("xclip").args(["-selection", "clipboard", "-o"]).output().ok()?;
    Some(String::from_utf8_lossy(&out.stdout).into_owned())
}

fn xclip_write(text: &str) -> bool {
    use std::io::Write;
    let Ok(mut child) =
        Command::new("xclip").args(["-selection", "clipboard", "-i", "-loops", "2"]).stdin(Stdio::piped()).spawn()
    else {
        return false;
    };
    child.stdin.take().unwrap().write_all(text.as_bytes()).unwrap();
    // xclip serves the selection from the background; give it a moment to take ownership.
    std::thread::sleep(Duration::from_millis(300));
    true
}

#[test]
fn the_native_clipboard_on_a_real_display() {
    let Some(display) = std::env::var("DISPLAY").ok().filter(|d| !d.is_empty()) else {
        println!("skipped: no DISPLAY (run under xvfb-run to check the native clipboard)");
        return;
    };
    let term = CaptureTerminal::default();
    let env = ClipEnv::from_vars(|name| (name == "DISPLAY").then(|| display.clone())).with_terminal(term.clone());
    assert_eq!(env.path(), CopyPath::Native);
    let mut clip = Clipboard::new(env, Some(Duration::from_secs(5)));
    let t0 = Instant::now();
    let out = clip.copy("1f2d1e2e67df", false, t0).unwrap();
    assert_eq!(out.path, CopyPath::Native, "{}", out.message);
    assert_eq!(out.message, "copied to the clipboard; cleared again in 5 s");
    assert!(term.bytes().is_empty());
    let have_xclip = xclip_read().is_some();
    if have_xclip {
        assert_eq!(xclip_read().as_deref(), Some("1f2d1e2e67df"), "another program reads the copy");
    } else {
        println!("xclip is not installed: not reading the clipboard from another program");
    }
    assert_eq!(clip.tick(t0 + Duration::from_secs(4)), None);
    assert_eq!(clip.tick(t0 + Duration::from_secs(5)).as_deref(), Some("cleared the clipboard"));
    if have_xclip {
        assert_eq!(xclip_read().as_deref(), Some(""), "the clipboard is empty again");

        // Someone else copies meanwhile: their text stays.
        clip.copy("admin", false, t0).unwrap();
        assert!(xclip_write("someone else's text"));
        assert_eq!(clip.tick(t0 + Duration::from_secs(10)), None);
        assert_eq!(xclip_read().as_deref(), Some("someone else's text"));
    }
}

/// keyhole thinks there is a display but the clipboard cannot reach it (a stale forwarding,
/// say): the native clipboard fails, and the copy goes to the terminal with OSC 52, saying so.
/// arboard connects to the display of this process's environment, so this runs only where the
/// process has none.
#[test]
fn a_display_that_is_not_there_falls_back_to_osc52() {
    if ["DISPLAY", "WAYLAND_DISPLAY"].iter().any(|v| std::env::var_os(v).is_some_and(|d| !d.is_empty())) {
        println!("skipped: this process has a display, so arboard would reach it");
        return;
    }
    let term = CaptureTerminal::default();
    let env = ClipEnv::from_vars(|name| (name == "DISPLAY").then(|| ":7913".to_string())).with_terminal(term.clone());
    let mut clip = Clipboard::new(env, Some(Duration::from_secs(5)));
    let out = clip.copy("admin", false, Instant::now()).unwrap();
    assert_eq!(out.path, CopyPath::Osc52(keyhole::terminal::clipboard::Mux::None), "{}", out.message);
    assert!(out.message.starts_with("the clipboard failed ("), "{}", out.message);
    assert!(out.message.contains("sent to your terminal with OSC 52"), "{}", out.message);
    assert_eq!(term.bytes(), b"\x1b]52;c;YWRtaW4=\x07");
    assert_eq!(clip.next_clear(), None, "nothing to clear in a terminal");
}
