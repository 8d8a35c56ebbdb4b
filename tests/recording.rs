//! scripts/record.sh records the demo flows with asciinema through tmux and produces a cast
//! file that shows the flows and no value. Skipped, with the reason, without tmux or asciinema.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::Command;

fn have(tool: &str) -> bool {
    Command::new(tool).arg("-V").output().is_ok_and(|o| o.status.success())
        || Command::new(tool).arg("--version").output().is_ok_and(|o| o.status.success())
}

#[test]
fn the_record_script_produces_a_cast_of_the_demo_flows_without_values() {
    for tool in ["tmux", "asciinema"] {
        if !have(tool) {
            println!("skipped: {tool} is not installed (Debian: apt-get install {tool})");
            return;
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let cast = dir.path().join("demo.cast");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/record.sh");
    let out = Command::new("bash")
        .arg(&script)
        .arg(&cast)
        .env("KEYHOLE_BIN", env!("CARGO_BIN_EXE_keyhole"))
        .env("REC_SPEED", "0.2")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "record.sh failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );

    let text = std::fs::read_to_string(&cast).unwrap();
    let mut lines = text.lines();
    let header: serde_json::Value = serde_json::from_str(lines.next().unwrap()).unwrap();
    assert_eq!(header["version"], 2);
    assert_eq!(header["width"], 110);
    assert_eq!(header["height"], 32);
    let mut output = String::new();
    for line in lines {
        let event: serde_json::Value = serde_json::from_str(line).unwrap();
        if event[1] == "o" {
            output.push_str(event[2].as_str().unwrap());
        }
    }
    // Screen by screen: the list, the filter, mysecret, Used by, the TLS view, help.
    for shown in ["REDACTED", "USED BY", "prod-db-secret", "hidden: keyhole runs with --redact", "mypod", "Everywhere"]
    {
        assert!(output.contains(shown), "the recording never shows {shown:?}");
    }
    // Back to the shell at the end: the alternate screen was left.
    assert!(output.rfind("\x1b[?1049l") > output.rfind("\x1b[?1049h"), "keyhole quit at the end");
    for value in ["1f2d1e2e67df", "MWYyZDFlMmU2N2Rm", "t0p-Secret", "PRIVATE KEY"] {
        assert!(!output.contains(value), "a value is in the recording: {value}");
    }
    assert!(text.len() < 200 * 1024, "the cast stays small: {} bytes", text.len());
}
