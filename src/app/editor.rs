//! Small text inputs for editing Secrets: a multi-line editor for values (paste included) and a
//! one-line input for names and paths. The buffers are zeroized when dropped: they hold values.

use zeroize::Zeroize;

/// How the bytes of a value are shown and typed in the editor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Text,
    Hex,
    Base64,
}

impl Format {
    pub fn label(self) -> &'static str {
        match self {
            Format::Text => "text",
            Format::Hex => "hex",
            Format::Base64 => "base64",
        }
    }
}

/// A multi-line text buffer with a cursor. Columns count characters.
#[derive(Debug, Default)]
pub struct TextArea {
    pub lines: Vec<String>,
    pub row: usize,
    pub col: usize,
    /// First line shown (set by drawing).
    pub scroll: usize,
}

impl Drop for TextArea {
    fn drop(&mut self) {
        for l in &mut self.lines {
            l.zeroize();
        }
    }
}

fn byte_index(s: &str, col: usize) -> usize {
    s.char_indices().nth(col).map_or(s.len(), |(i, _)| i)
}

impl TextArea {
    pub fn new(text: &str) -> Self {
        let mut lines: Vec<String> = text.split('\n').map(str::to_string).collect();
        if lines.is_empty() {
            lines.push(String::new());
        }
        TextArea { lines, row: 0, col: 0, scroll: 0 }
    }

    /// The whole text. The caller owns (and should zeroize) the copy.
    pub fn text(&self) -> String {
        self.lines.join("\n")
    }

    pub fn len_chars(&self) -> usize {
        self.lines.iter().map(|l| l.chars().count()).sum::<usize>() + self.lines.len().saturating_sub(1)
    }

    fn line_len(&self) -> usize {
        self.lines.get(self.row).map_or(0, |l| l.chars().count())
    }

    pub fn insert_char(&mut self, c: char) {
        if c == '\n' {
            self.newline();
            return;
        }
        if c == '\r' {
            return;
        }
        let row = self.row;
        let i = byte_index(&self.lines[row], self.col);
        self.lines[row].insert(i, c);
        self.col += 1;
    }

    /// Inserts pasted text (CRLF normalised), as one edit.
    pub fn insert_str(&mut self, s: &str) {
        let normalised = s.replace("\r\n", "\n").replace('\r', "\n");
        for c in normalised.chars() {
            self.insert_char(c);
        }
    }

    pub fn newline(&mut self) {
        let row = self.row;
        let i = byte_index(&self.lines[row], self.col);
        let rest = self.lines[row].split_off(i);
        self.lines.insert(row + 1, rest);
        self.row += 1;
        self.col = 0;
    }

    pub fn backspace(&mut self) {
        if self.col > 0 {
            let row = self.row;
            let i = byte_index(&self.lines[row], self.col - 1);
            self.lines[row].remove(i);
            self.col -= 1;
        } else if self.row > 0 {
            let line = self.lines.remove(self.row);
            self.row -= 1;
            self.col = self.line_len();
            self.lines[self.row].push_str(&line);
        }
    }

    pub fn delete(&mut self) {
        if self.col < self.line_len() {
            let row = self.row;
            let i = byte_index(&self.lines[row], self.col);
            self.lines[row].remove(i);
        } else if self.row + 1 < self.lines.len() {
            let next = self.lines.remove(self.row + 1);
            self.lines[self.row].push_str(&next);
        }
    }

    pub fn left(&mut self) {
        if self.col > 0 {
            self.col -= 1;
        } else if self.row > 0 {
            self.row -= 1;
            self.col = self.line_len();
        }
    }

    pub fn right(&mut self) {
        if self.col < self.line_len() {
            self.col += 1;
        } else if self.row + 1 < self.lines.len() {
            self.row += 1;
            self.col = 0;
        }
    }

    pub fn up(&mut self) {
        if self.row > 0 {
            self.row -= 1;
            self.col = self.col.min(self.line_len());
        }
    }

    pub fn down(&mut self) {
        if self.row + 1 < self.lines.len() {
            self.row += 1;
            self.col = self.col.min(self.line_len());
        }
    }

    pub fn home(&mut self) {
        self.col = 0;
    }

    pub fn end(&mut self) {
        self.col = self.line_len();
    }

    pub fn clear(&mut self) {
        for l in &mut self.lines {
            l.zeroize();
        }
        self.lines = vec![String::new()];
        self.row = 0;
        self.col = 0;
    }
}

/// A one-line input (key names, paths, lengths).
#[derive(Debug, Default, Clone)]
pub struct LineInput {
    pub text: String,
    pub cursor: usize,
}

impl LineInput {
    pub fn new(text: &str) -> Self {
        LineInput { text: text.to_string(), cursor: text.chars().count() }
    }
    pub fn insert(&mut self, c: char) {
        let i = byte_index(&self.text, self.cursor);
        self.text.insert(i, c);
        self.cursor += 1;
    }
    pub fn backspace(&mut self) {
        if self.cursor > 0 {
            let i = byte_index(&self.text, self.cursor - 1);
            self.text.remove(i);
            self.cursor -= 1;
        }
    }
    pub fn left(&mut self) {
        self.cursor = self.cursor.saturating_sub(1);
    }
    pub fn right(&mut self) {
        self.cursor = (self.cursor + 1).min(self.text.chars().count());
    }
    pub fn set(&mut self, text: &str) {
        self.text = text.to_string();
        self.cursor = text.chars().count();
    }
}

/// Completes a filesystem path: the longest common prefix of the entries that match, with a
/// `/` after a single directory. Returns the candidates too, for display.
pub fn complete_path(input: &str) -> (String, Vec<String>) {
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

/// Turns bytes into editor text in a format; `None` when the bytes are not valid UTF-8 and
/// the format is text (binary values are edited as hex or base64).
pub fn to_format(bytes: &[u8], format: Format) -> Option<String> {
    match format {
        Format::Text => std::str::from_utf8(bytes).ok().map(str::to_string),
        Format::Hex => Some(
            bytes
                .chunks(16)
                .map(|c| c.iter().map(|b| format!("{b:02x}")).collect::<Vec<_>>().join(" "))
                .collect::<Vec<_>>()
                .join("\n"),
        ),
        Format::Base64 => Some(crate::secret::encode_value(bytes)),
    }
}

/// Parses editor text in a format back into bytes.
pub fn from_format(text: &str, format: Format) -> Result<Vec<u8>, String> {
    match format {
        Format::Text => Ok(text.as_bytes().to_vec()),
        Format::Hex => crate::secret::codec::parse_hex(text),
        Format::Base64 => {
            let compact: String = text.split_whitespace().collect();
            crate::secret::decode_value("value", &compact).map_err(|e| e.detail())
        }
    }
}

/// A random value for passwords and tokens, from the operating system's generator.
pub fn generate(len: usize, alphabet: Alphabet) -> String {
    let chars: &[u8] = alphabet.chars();
    let mut out = String::with_capacity(len);
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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Alphabet {
    Alphanumeric,
    Symbols,
    Hex,
}

impl Alphabet {
    pub fn chars(self) -> &'static [u8] {
        match self {
            Alphabet::Alphanumeric => b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
            Alphabet::Symbols => b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!#%+,-./:=?@^_~",
            Alphabet::Hex => b"0123456789abcdef",
        }
    }
    pub fn next(self) -> Self {
        match self {
            Alphabet::Alphanumeric => Alphabet::Symbols,
            Alphabet::Symbols => Alphabet::Hex,
            Alphabet::Hex => Alphabet::Alphanumeric,
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Alphabet::Alphanumeric => "letters and digits",
            Alphabet::Symbols => "letters, digits and symbols",
            Alphabet::Hex => "hex digits",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn editing_text() {
        let mut t = TextArea::new("ab");
        t.end();
        t.insert_char('c');
        t.newline();
        t.insert_str("d\r\ne");
        assert_eq!(t.text(), "abc\nd\ne");
        t.backspace();
        t.backspace();
        assert_eq!(t.text(), "abc\nd");
        t.up();
        t.home();
        t.delete();
        assert_eq!(t.text(), "bc\nd");
        t.end();
        t.delete();
        assert_eq!(t.text(), "bcd");
        let mut u = TextArea::new("päß");
        u.end();
        u.backspace();
        assert_eq!(u.text(), "pä");
    }

    #[test]
    fn formats_round_trip() {
        let bytes: Vec<u8> = (0..=255).collect();
        for f in [Format::Hex, Format::Base64] {
            assert_eq!(from_format(&to_format(&bytes, f).unwrap(), f).unwrap(), bytes);
        }
        assert!(to_format(&[0xff], Format::Text).is_none());
        assert!(from_format("zz", Format::Hex).is_err());
        assert!(from_format("abc", Format::Base64).is_err());
    }

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
