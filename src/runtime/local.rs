//! The effects that stay on this machine: reading a file into a key, completing a path, and
//! random values from the operating system's generator. Values never touch the disk here: files
//! are only read.

use zeroize::{Zeroize, Zeroizing};

use crate::app::editor::Alphabet;

/// Completes a filesystem path: the longest common prefix of the entries that match, with a
/// `/` after a single directory. Returns the candidates too, for display.
pub(crate) fn complete_path(input: &str) -> (String, Vec<String>) {
    let expanded = if let Some(rest) = input.strip_prefix("~/") {
        std::env::var("HOME").map(|h| format!("{h}/{rest}")).unwrap_or_else(|_| input.to_string())
    } else {
        input.to_string()
    };
    let (dir, prefix) = match expanded.rfind('/') {
        Some(i) => (expanded[..=i].to_string(), expanded[i + 1..].to_string()),
        None => (String::new(), expanded.clone()),
    };
    let read_from = if dir.is_empty() { ".".to_string() } else { dir.clone() };
    let Ok(entries) = std::fs::read_dir(&read_from) else { return (input.to_string(), Vec::new()) };
    let mut names: Vec<String> = entries
        .filter_map(Result::ok)
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            if !name.starts_with(&prefix) || (name.starts_with('.') && !prefix.starts_with('.')) {
                return None;
            }
            let is_dir = e.file_type().map(|t| t.is_dir()).unwrap_or(false);
            Some(if is_dir { format!("{name}/") } else { name })
        })
        .collect();
    names.sort();
    if names.is_empty() {
        return (input.to_string(), names);
    }
    let mut common = names[0].clone();
    for n in &names[1..] {
        while !n.starts_with(&common) {
            common.pop();
        }
    }
    let completed = if input.starts_with("~/") && !dir.is_empty() {
        let home = std::env::var("HOME").unwrap_or_default();
        format!("{}{common}", dir.replacen(&home, "~", 1))
    } else {
        format!("{dir}{common}")
    };
    (completed, names)
}

/// A random value for passwords and tokens, from the operating system's generator.
pub(crate) fn generate(len: usize, alphabet: Alphabet) -> Zeroizing<String> {
    let chars: &[u8] = alphabet.chars();
    let mut out = Zeroizing::new(String::with_capacity(len));
    let mut buf = [0u8; 64];
    let rng = ring::rand::SystemRandom::new();
    while out.len() < len {
        if ring::rand::SecureRandom::fill(&rng, &mut buf).is_err() {
            break;
        }
        for b in buf {
            // Rejection sampling keeps every character equally likely.
            let limit = 256 - (256 % chars.len());
            if (b as usize) < limit && out.len() < len {
                out.push(chars[b as usize % chars.len()] as char);
            }
        }
    }
    buf.zeroize();
    out
}

/// The most a file loaded into a key may hold: all that a Secret can hold.
const MAX_FILE: usize = keyhole_core::validate::secret::MAX_SECRET_SIZE;

/// Reads a file for a key: a regular file of at most 1 MiB (what a Secret can hold), `~/`
/// expanded; the bytes stay in memory. Runs on a blocking thread.
pub(crate) async fn read_file(path: &str) -> Result<Vec<u8>, String> {
    let expanded = match path.strip_prefix("~/") {
        Some(rest) => std::env::var("HOME").map(|h| format!("{h}/{rest}")).unwrap_or_else(|_| path.to_string()),
        None => path.to_string(),
    };
    tokio::task::spawn_blocking(move || read_regular_file(std::path::Path::new(&expanded), MAX_FILE))
        .await
        .unwrap_or_else(|e| Err(format!("the read stopped: {e}")))
}

/// Reads a regular file of at most `max` bytes. Devices (`/dev/zero`), FIFOs, sockets and
/// directories are refused without reading from them: the file is opened without blocking (a
/// FIFO with no writer would otherwise wait forever) and without becoming the controlling
/// terminal, and the *opened* file's metadata decides, so nothing can be swapped in between
/// the check and the read. The size in the metadata is not trusted (files grow, `/proc` files
/// say 0): at most `max + 1` bytes are read, and the one byte more means too big.
fn read_regular_file(path: &std::path::Path, max: usize) -> Result<Vec<u8>, String> {
    use std::io::Read as _;

    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY);
    }
    let file = options.open(path).map_err(|e| e.to_string())?;
    let meta = file.metadata().map_err(|e| e.to_string())?;
    if !meta.is_file() {
        let what = if meta.is_dir() { "a directory" } else { "a device, FIFO or socket" };
        return Err(format!("not a regular file ({what}); load a regular file"));
    }
    // The whole buffer up front, so that it never grows and leaves copies of the contents
    // behind; `take` bounds the read whatever the metadata said (O_NONBLOCK does not change
    // reads of regular files).
    let mut buf = Zeroizing::new(Vec::with_capacity(max + 1));
    file.take(max as u64 + 1).read_to_end(&mut buf).map_err(|e| e.to_string())?;
    if buf.len() > max {
        return Err("larger than 1 MiB, the most a Secret can hold".to_string());
    }
    // An exact-size copy; the big buffer is zeroized as it drops.
    Ok(buf.to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_values_use_the_alphabet() {
        let v = generate(40, Alphabet::Hex);
        assert_eq!(v.len(), 40);
        assert!(v.bytes().all(|b| b.is_ascii_hexdigit()));
        assert_ne!(generate(32, Alphabet::Alphanumeric), generate(32, Alphabet::Alphanumeric));
    }

    #[test]
    fn path_completion() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("tls.crt"), "x").unwrap();
        std::fs::write(dir.path().join("tls.key"), "x").unwrap();
        std::fs::create_dir(dir.path().join("certs")).unwrap();
        let base = format!("{}/", dir.path().display());
        let (c, names) = complete_path(&format!("{base}tl"));
        assert_eq!(c, format!("{base}tls."));
        assert_eq!(names.len(), 2);
        let (c, _) = complete_path(&format!("{base}ce"));
        assert_eq!(c, format!("{base}certs/"));
    }

    /// Reads `path` with [`read_file`] on a thread of its own, failing the test when that takes
    /// longer than `limit` (a FIFO without a writer used to block forever).
    fn read_within(path: &std::path::Path, limit: std::time::Duration) -> Result<Vec<u8>, String> {
        let (tx, rx) = std::sync::mpsc::channel();
        let path = path.display().to_string();
        let shown = path.clone();
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            let _ = tx.send(rt.block_on(read_file(&path)));
        });
        rx.recv_timeout(limit).unwrap_or_else(|_| panic!("reading {shown} did not finish within {limit:?}"))
    }

    const LIMIT: std::time::Duration = std::time::Duration::from_secs(10);

    #[cfg(unix)]
    #[test]
    fn an_endless_device_is_refused_without_reading_it() {
        let err = read_within(std::path::Path::new("/dev/zero"), LIMIT).unwrap_err();
        assert!(err.contains("not a regular file"), "{err}");
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_is_refused_without_waiting_for_a_writer() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("pipe");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if !made.is_ok_and(|s| s.success()) {
            eprintln!("skipped: mkfifo is not available");
            return;
        }
        let err = read_within(&fifo, LIMIT).unwrap_err();
        assert!(err.contains("not a regular file"), "{err}");
    }

    #[test]
    fn a_directory_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let err = read_within(dir.path(), LIMIT).unwrap_err();
        assert!(err.contains("not a regular file"), "{err}");
    }

    #[test]
    fn a_file_of_exactly_1_mib_is_read_and_one_byte_more_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let fits = dir.path().join("fits");
        std::fs::write(&fits, vec![7u8; 1024 * 1024]).unwrap();
        assert_eq!(read_within(&fits, LIMIT).unwrap().len(), 1024 * 1024);
        let big = dir.path().join("big");
        std::fs::write(&big, vec![7u8; 1024 * 1024 + 1]).unwrap();
        let err = read_within(&big, LIMIT).unwrap_err();
        assert_eq!(err, "larger than 1 MiB, the most a Secret can hold");
    }

    #[test]
    fn a_missing_file_says_so() {
        let dir = tempfile::tempdir().unwrap();
        let err = read_within(&dir.path().join("nope"), LIMIT).unwrap_err();
        assert!(err.contains("No such file") || err.contains("not found"), "{err}");
    }
}
