//! `keyhole --version` names the commit it was built from: `keyhole 0.1.0 (abc1234 2026-12-05)`,
//! `abc1234-dirty` when tracked files differed from it. Without a `.git` beside Cargo.toml (a
//! crates.io download, a source tarball) or without git, just the version: git is never asked
//! about a repository further up (a home directory kept in git is not keyhole's).
//!
//! Reruns only when HEAD moves (checkout, commit) or the sources change, which rebuild keyhole
//! anyway: an unchanged tree builds without running git.

use std::path::Path;
use std::process::Command;

fn main() {
    let version = std::env::var("CARGO_PKG_VERSION").unwrap_or_default();
    let dir = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default();
    let described = if Path::new(&dir).join(".git").exists() { describe(&dir) } else { None };
    println!("cargo:rustc-env=KEYHOLE_VERSION={}", described.map_or(version.clone(), |d| format!("{version} ({d})")));
    for path in ["build.rs", "Cargo.toml", "Cargo.lock", "src", "crates"] {
        println!("cargo:rerun-if-changed={path}");
    }
}

/// `abc1234 2026-12-05`, and where HEAD and the branch it points to live, to rerun on a change.
fn describe(dir: &str) -> Option<String> {
    let git = |args: &[&str]| {
        let out = Command::new("git").args(args).current_dir(dir).output().ok()?;
        out.status.success().then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
    };
    let commit = git(&["rev-parse", "--short=7", "HEAD"])?;
    let date = git(&["log", "-1", "--format=%cd", "--date=short"]).unwrap_or_default();
    // In a worktree HEAD is in its own git dir and the branch in the common one: ask git.
    let mut watch = vec!["HEAD".to_string(), "packed-refs".to_string()];
    watch.extend(git(&["symbolic-ref", "-q", "HEAD"]));
    for name in watch {
        // Relative to `dir` (where git ran). A missing path would make cargo rerun every time.
        if let Some(path) = git(&["rev-parse", "--git-path", &name]).map(|p| Path::new(dir).join(p))
            && path.exists()
        {
            println!("cargo:rerun-if-changed={}", path.display());
        }
    }
    let dirty = git(&["status", "--porcelain", "--untracked-files=no"]).is_some_and(|s| !s.is_empty());
    Some(format!("{commit}{} {date}", if dirty { "-dirty" } else { "" }).trim_end().to_string())
}
