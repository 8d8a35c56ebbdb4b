//! Checks on the source of what the architecture promises (docs/architecture.md).

use std::fs;
use std::path::Path;

/// DESIGN.md decision 8, checked on the source: nothing under src/app or src/ui performs I/O,
/// reads a clock, draws random numbers or keeps a global (test code is left out).
#[test]
fn app_and_ui_do_no_io_and_read_no_clock() {
    let forbidden = [
        "std::fs",
        "std::env",
        "std::io",
        "std::net",
        "std::process",
        "std::thread",
        "tokio::",
        "Instant::now",
        "SystemTime",
        "Timestamp::now",
        "ring::rand",
        "OsRng",
        "OnceLock",
        "thread_local!",
        "static mut",
        "println!",
        "eprintln!",
        "crossterm::terminal",
        "crossterm::execute",
    ];
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    let mut dirs = vec![root.join("app"), root.join("ui")];
    while let Some(dir) = dirs.pop() {
        for entry in fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs")
                && path.file_name().is_some_and(|n| n != "tests.rs" && n != "proptests.rs")
            {
                files.push(path);
            }
        }
    }
    assert!(files.len() > 20, "the scan found the sources: {files:?}");
    let mut found = Vec::new();
    for path in files {
        let text = fs::read_to_string(&path).unwrap();
        // Unit tests at the end of a file may do what they like.
        let code = text.split("#[cfg(test)]\nmod tests").next().unwrap_or("");
        for (i, line) in code.lines().enumerate() {
            for f in forbidden {
                if line.contains(f) && !line.trim_start().starts_with("//") {
                    found.push(format!("{}:{}: {f}", path.display(), i + 1));
                }
            }
        }
    }
    assert!(found.is_empty(), "I/O, clocks or globals in the pure core:\n{}", found.join("\n"));
}
