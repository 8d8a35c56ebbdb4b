//! Where people run keyhole: the real binary in a pseudo-terminal under the common `TERM`s,
//! with `NO_COLOR`, with a config file, and after a panic.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "common/pty.rs"]
mod pty;

use pty::Tty;

/// A clean HOME and XDG directories, so the user's own config and state stay out of it.
struct Home {
    dir: tempfile::TempDir,
}

impl Home {
    fn new() -> Home {
        Home { dir: tempfile::tempdir().unwrap() }
    }
    fn path(&self) -> &str {
        self.dir.path().to_str().unwrap()
    }
    fn env(&self) -> Vec<(String, String)> {
        let p = self.dir.path();
        vec![
            ("HOME".into(), self.path().into()),
            ("XDG_CONFIG_HOME".into(), p.join("config").to_str().unwrap().into()),
            ("XDG_STATE_HOME".into(), p.join("state").to_str().unwrap().into()),
        ]
    }
}

fn spawn(home: &Home, args: &[&str], extra: &[(&str, &str)]) -> Tty {
    let mut env = home.env();
    env.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    Tty::spawn(args, &env)
}

#[test]
fn starts_draws_and_restores_under_common_terminal_types() {
    for term in ["xterm-256color", "screen", "tmux-256color", "linux"] {
        let home = Home::new();
        let mut tty = spawn(&home, &["--demo"], &[("TERM", term)]);
        tty.wait_for("USED BY");
        tty.wait_for("mysecret");
        assert!(
            tty.parser.lock().unwrap().screen().alternate_screen(),
            "TERM={term}: the TUI uses the alternate screen"
        );
        tty.send("q");
        let status = tty.wait_exit();
        assert!(status.success(), "TERM={term}: {status:?}");
        let parser = tty.parser.lock().unwrap();
        assert!(!parser.screen().alternate_screen(), "TERM={term}: left the alternate screen");
        assert!(!parser.screen().hide_cursor(), "TERM={term}: the cursor is visible again");
    }
}

/// Counts the cells of the screen with a colour, and those drawn in reverse video and bold.
fn cell_styles(tty: &Tty) -> (usize, usize, usize) {
    let parser = tty.parser.lock().unwrap();
    let screen = parser.screen();
    let (mut coloured, mut inverse, mut bold) = (0, 0, 0);
    for row in 0..pty::ROWS {
        for col in 0..pty::COLS {
            let Some(cell) = screen.cell(row, col) else { continue };
            if cell.fgcolor() != vt100::Color::Default || cell.bgcolor() != vt100::Color::Default {
                coloured += 1;
            }
            if cell.inverse() {
                inverse += 1;
            }
            if cell.bold() {
                bold += 1;
            }
        }
    }
    (coloured, inverse, bold)
}

#[test]
fn no_color_draws_the_list_without_colour_but_with_a_visible_selection() {
    let home = Home::new();
    // The coloured theme first, so that the test is known to see colours when there are some.
    let mut tty = spawn(&home, &["--demo"], &[]);
    tty.wait_for("USED BY");
    tty.wait_for("mysecret");
    let (coloured, _, _) = cell_styles(&tty);
    assert!(coloured > 0, "the ansi theme colours something");
    tty.send("q");
    tty.wait_exit();

    let mut tty = spawn(&home, &["--demo"], &[("NO_COLOR", "1")]);
    tty.wait_for("USED BY");
    tty.wait_for("mysecret");
    let (coloured, inverse, bold) = cell_styles(&tty);
    assert_eq!(coloured, 0, "NO_COLOR: no cell has a colour. The screen:\n{}", tty.screen());
    assert!(inverse > 0, "the selection is shown in reverse video");
    assert!(bold > 0, "headers and titles are bold");
    // And none of the bytes sent set a colour (SGR 30-37, 38, 40-47, 48, 90-97, 100-107).
    let raw = tty.raw.lock().unwrap().clone();
    assert_no_colour_sgr(&raw);
    tty.send("q");
    assert!(tty.wait_exit().success());
}

/// Fails if any SGR sequence (`ESC [ ... m`) in `bytes` sets a foreground or background colour.
fn assert_no_colour_sgr(bytes: &[u8]) {
    let mut i = 0;
    while i + 1 < bytes.len() {
        if bytes[i] == 0x1b && bytes[i + 1] == b'[' {
            let start = i + 2;
            let mut j = start;
            while j < bytes.len() && (bytes[j].is_ascii_digit() || bytes[j] == b';' || bytes[j] == b':') {
                j += 1;
            }
            if j < bytes.len() && bytes[j] == b'm' {
                let params = std::str::from_utf8(&bytes[start..j]).unwrap();
                for p in params.split(';').filter(|p| !p.is_empty()) {
                    let n: u32 = p.split(':').next().unwrap().parse().unwrap_or(0);
                    let colour = matches!(n, 30..=38 | 40..=48 | 90..=97 | 100..=107);
                    assert!(!colour, "a colour escape ESC[{params}m was sent under NO_COLOR");
                }
            }
            i = j;
        } else {
            i += 1;
        }
    }
}

#[test]
fn the_theme_flag_wins_over_no_color() {
    let home = Home::new();
    let mut tty = spawn(&home, &["--demo", "--theme", "ansi"], &[("NO_COLOR", "1")]);
    tty.wait_for("USED BY");
    tty.wait_for("mysecret");
    let (coloured, _, _) = cell_styles(&tty);
    assert!(coloured > 0, "--theme ansi draws in colour even with NO_COLOR");
    tty.send("q");
    assert!(tty.wait_exit().success());
}

#[test]
fn a_config_file_colours_the_screen() {
    let home = Home::new();
    let dir = home.dir.path().join("config/keyhole");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("config.toml"), "[colors.ansi]\nheader = { fg = \"black\", bg = \"bright_green\" }\n")
        .unwrap();
    let mut tty = spawn(&home, &["--demo"], &[]);
    tty.wait_for("USED BY");
    let found = {
        let parser = tty.parser.lock().unwrap();
        let screen = parser.screen();
        (0..pty::ROWS).any(|r| {
            (0..pty::COLS).any(|c| {
                screen.cell(r, c).is_some_and(|cell| cell.bgcolor() == vt100::Color::Idx(10) && cell.contents() == "U")
            })
        })
    };
    assert!(found, "the header (USED BY) is drawn on bright green from the XDG config file");
    tty.send("q");
    assert!(tty.wait_exit().success());
}

#[test]
fn a_bad_config_file_is_a_located_error_not_a_crash() {
    let home = Home::new();
    let file = home.dir.path().join("bad.toml");
    std::fs::write(&file, "theme = \"ansi\"\n[colors.ansi]\nkey = \"redd\"\n").unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_keyhole"))
        .args(["--demo", "--config", file.to_str().unwrap()])
        .env("HOME", home.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.starts_with(&format!("keyhole: error in the config file {}:3:7: unknown colour \"redd\"", file.display())),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn a_panic_restores_the_terminal_and_says_where_the_log_is() {
    let home = Home::new();
    let log = home.dir.path().join("k.log");
    let mut tty = spawn(
        &home,
        &["--demo", "--log-file", log.to_str().unwrap()],
        &[("KEYHOLE_TEST_PANIC", "1500"), ("RUST_BACKTRACE", "0")],
    );
    tty.wait_for("USED BY");
    assert!(tty.parser.lock().unwrap().screen().alternate_screen());
    let status = tty.wait_exit();
    assert!(!status.success(), "a panic is a failure: {status:?}");
    let parser = tty.parser.lock().unwrap();
    let screen = parser.screen();
    assert!(!screen.alternate_screen(), "left the alternate screen");
    assert!(!screen.hide_cursor(), "the cursor is visible again");
    // The message may wrap; join the rows.
    let text: String = screen.contents().replace('\n', "");
    assert!(text.contains("KEYHOLE_TEST_PANIC"), "the panic message is shown:\n{}", screen.contents());
    assert!(
        text.contains(&format!("keyhole crashed; the terminal was restored. The log is at {}", log.display())),
        "{}",
        screen.contents()
    );
}

#[test]
fn a_panic_without_a_log_says_how_to_keep_one() {
    let home = Home::new();
    let mut tty = spawn(&home, &["--demo"], &[("KEYHOLE_TEST_PANIC", "1500"), ("RUST_BACKTRACE", "0")]);
    tty.wait_for("USED BY");
    tty.wait_exit();
    let parser = tty.parser.lock().unwrap();
    assert!(!parser.screen().alternate_screen());
    let text = parser.screen().contents().replace('\n', "");
    assert!(text.contains("Run with --debug to keep a log."), "{}", parser.screen().contents());
}

/// A panic in a background task (not the loop) ends keyhole too, with the terminal restored:
/// before, the loop went on drawing on a terminal that was back in cooked mode.
#[test]
fn a_panic_in_a_background_task_ends_keyhole_with_the_terminal_restored() {
    let home = Home::new();
    let mut tty = spawn(&home, &["--demo"], &[("KEYHOLE_TEST_PANIC", "task:1500"), ("RUST_BACKTRACE", "0")]);
    tty.wait_for("USED BY");
    let status = tty.wait_exit();
    assert!(!status.success(), "a panic is a failure: {status:?}");
    let parser = tty.parser.lock().unwrap();
    assert!(!parser.screen().alternate_screen(), "left the alternate screen");
    assert!(!parser.screen().hide_cursor(), "the cursor is visible again");
    let text = parser.screen().contents().replace('\n', "");
    assert!(text.contains("background task"), "{}", parser.screen().contents());
}
