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

/// Reads a file for a key: up to the Secret size limit, `~/` expanded; the bytes stay in memory.
pub(crate) async fn read_file(path: &str) -> Result<Vec<u8>, String> {
    let expanded = match path.strip_prefix("~/") {
        Some(rest) => std::env::var("HOME").map(|h| format!("{h}/{rest}")).unwrap_or_else(|_| path.to_string()),
        None => path.to_string(),
    };
    match tokio::fs::metadata(&expanded).await {
        Ok(m) if m.len() > 1024 * 1024 => Err("larger than 1 MiB, the most a Secret can hold".to_string()),
        Ok(_) => tokio::fs::read(&expanded).await.map_err(|e| e.to_string()),
        Err(e) => Err(e.to_string()),
    }
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
}
