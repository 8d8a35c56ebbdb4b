//! Small text inputs for editing Secrets: a multi-line editor for values (paste included), a
//! one-line input for names and paths, the formats a value is typed in, and the alphabets of
//! random values. The buffers are zeroized when dropped: they hold values. Pure: completing
//! paths and drawing random bytes are the executor's (`crate::runtime::local`).

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
    pub(crate) fn new(text: &str) -> Self {
        let mut lines: Vec<String> = text.split('\n').map(str::to_string).collect();
        if lines.is_empty() {
            lines.push(String::new());
        }
        TextArea { lines, row: 0, col: 0, scroll: 0 }
    }

    /// The whole text. The caller owns (and should zeroize) the copy.
    pub(crate) fn text(&self) -> String {
        self.lines.join("\n")
    }

    pub(crate) fn len_chars(&self) -> usize {
        self.lines.iter().map(|l| l.chars().count()).sum::<usize>() + self.lines.len().saturating_sub(1)
    }

    fn line_len(&self) -> usize {
        self.lines.get(self.row).map_or(0, |l| l.chars().count())
    }

    pub(crate) fn insert_char(&mut self, c: char) {
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
    pub(crate) fn insert_str(&mut self, s: &str) {
        let normalised = s.replace("\r\n", "\n").replace('\r', "\n");
        for c in normalised.chars() {
            self.insert_char(c);
        }
    }

    pub(crate) fn newline(&mut self) {
        let row = self.row;
        let i = byte_index(&self.lines[row], self.col);
        let rest = self.lines[row].split_off(i);
        self.lines.insert(row + 1, rest);
        self.row += 1;
        self.col = 0;
    }

    pub(crate) fn backspace(&mut self) {
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

    pub(crate) fn delete(&mut self) {
        if self.col < self.line_len() {
            let row = self.row;
            let i = byte_index(&self.lines[row], self.col);
            self.lines[row].remove(i);
        } else if self.row + 1 < self.lines.len() {
            let next = self.lines.remove(self.row + 1);
            self.lines[self.row].push_str(&next);
        }
    }

    pub(crate) fn left(&mut self) {
        if self.col > 0 {
            self.col -= 1;
        } else if self.row > 0 {
            self.row -= 1;
            self.col = self.line_len();
        }
    }

    pub(crate) fn right(&mut self) {
        if self.col < self.line_len() {
            self.col += 1;
        } else if self.row + 1 < self.lines.len() {
            self.row += 1;
            self.col = 0;
        }
    }

    pub(crate) fn up(&mut self) {
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

    pub(crate) fn home(&mut self) {
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

/// A one-line input (key names, paths, lengths, registry fields and passwords): zeroized when
/// dropped or replaced.
#[derive(Debug, Default, Clone)]
pub struct LineInput {
    pub text: zeroize::Zeroizing<String>,
    pub cursor: usize,
}

impl LineInput {
    pub(crate) fn new(text: &str) -> Self {
        LineInput { text: zeroize::Zeroizing::new(text.to_string()), cursor: text.chars().count() }
    }
    pub(crate) fn insert(&mut self, c: char) {
        let i = byte_index(&self.text, self.cursor);
        self.text.insert(i, c);
        self.cursor += 1;
    }
    pub(crate) fn backspace(&mut self) {
        if self.cursor > 0 {
            let i = byte_index(&self.text, self.cursor - 1);
            self.text.remove(i);
            self.cursor -= 1;
        }
    }
    pub(crate) fn left(&mut self) {
        self.cursor = self.cursor.saturating_sub(1);
    }
    pub(crate) fn right(&mut self) {
        self.cursor = (self.cursor + 1).min(self.text.chars().count());
    }
    pub(crate) fn set(&mut self, text: &str) {
        self.text = zeroize::Zeroizing::new(text.to_string());
        self.cursor = text.chars().count();
    }
}

/// Turns bytes into editor text in a format; `None` when the bytes are not valid UTF-8 and
/// the format is text (binary values are edited as hex or base64).
pub(crate) fn to_format(bytes: &[u8], format: Format) -> Option<String> {
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
pub(crate) fn from_format(text: &str, format: Format) -> Result<Vec<u8>, String> {
    match format {
        Format::Text => Ok(text.as_bytes().to_vec()),
        Format::Hex => crate::secret::codec::parse_hex(text),
        Format::Base64 => {
            // Whitespace is dropped; where each kept byte was, for the error's line and column.
            let mut compact = zeroize::Zeroizing::new(Vec::with_capacity(text.len()));
            let mut positions = Vec::with_capacity(text.len());
            for (i, c) in text.char_indices().filter(|(_, c)| !c.is_whitespace()) {
                let mut buf = [0u8; 4];
                for &b in c.encode_utf8(&mut buf).as_bytes() {
                    compact.push(b);
                    positions.push(i);
                }
            }
            let compact = std::str::from_utf8(&compact).unwrap_or_default();
            crate::secret::decode_value("value", compact).map_err(|e| {
                let crate::secret::CodecError::InvalidBase64 { offset, .. } = e;
                // A truncated input is reported at its end.
                let at = positions.get(offset).copied().unwrap_or_else(|| text.trim_end().len());
                format!("{}: illegal base64 data", line_column(text, at))
            })
        }
    }
}

/// `line L, column C` (1-based, columns in characters) of a byte offset: where an error is,
/// without quoting the text.
fn line_column(text: &str, at: usize) -> String {
    let before = &text[..at];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    format!("line {}, column {}", before.matches('\n').count() + 1, before[line_start..].chars().count() + 1)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Alphabet {
    Alphanumeric,
    Symbols,
    Hex,
}

impl Alphabet {
    pub(crate) fn chars(self) -> &'static [u8] {
        match self {
            Alphabet::Alphanumeric => b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
            Alphabet::Symbols => b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!#%+,-./:=?@^_~",
            Alphabet::Hex => b"0123456789abcdef",
        }
    }
    pub(crate) fn next(self) -> Self {
        match self {
            Alphabet::Alphanumeric => Alphabet::Symbols,
            Alphabet::Symbols => Alphabet::Hex,
            Alphabet::Hex => Alphabet::Alphanumeric,
        }
    }
    pub(crate) fn label(self) -> &'static str {
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

    proptest::proptest! {
        /// Whatever is typed or pasted, in any format: no panic, and an error names a place,
        /// never the text.
        #[test]
        fn arbitrary_editor_text_never_panics_or_comes_back_in_an_error(
            tail in proptest::prop_oneof!["\\PC{0,60}", "[0-9a-fA-F+/= \n\r\t|x.*]{0,60}", "[\\s\\S]{0,30}"],
        ) {
            let text = format!("Zq7{tail}");
            for format in [Format::Text, Format::Hex, Format::Base64] {
                for input in [tail.as_str(), text.as_str()] {
                    match from_format(input, format) {
                        Ok(bytes) => {
                            let _ = to_format(&bytes, format);
                        }
                        Err(e) => {
                            proptest::prop_assert!(e.starts_with("line "), "{}", e);
                            proptest::prop_assert!(!e.contains("Zq7"), "{}", e);
                        }
                    }
                }
            }
        }
    }
}
