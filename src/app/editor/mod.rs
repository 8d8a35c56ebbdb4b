//! Small text inputs for editing Secrets: a multi-line editor for values (paste included), a
//! one-line input for names and paths, the formats a value is typed in, and the alphabets of
//! random values. The buffers are zeroized when dropped: they hold values. Pure: completing
//! paths and drawing random bytes are the executor's (`crate::runtime::local`).

mod history;
mod kill;
mod motion;
mod textarea;

pub use textarea::TextArea;
use textarea::byte_index;

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

/// The size in bytes of what keeping the editor's text would store: the text itself, or for hex
/// and base64 the bytes they decode to; `None` while hex or base64 does not parse.
pub(crate) fn saved_size(area: &TextArea, format: Format) -> Option<usize> {
    match format {
        Format::Text => Some(area.byte_len()),
        Format::Hex | Format::Base64 => {
            let text = zeroize::Zeroizing::new(area.text());
            from_format(&text, format).ok().map(|bytes| zeroize::Zeroizing::new(bytes).len())
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
    fn the_saved_size_is_of_the_decoded_bytes() {
        let text = TextArea::new("päß\n");
        assert_eq!(saved_size(&text, Format::Text), Some(6));
        assert_eq!(saved_size(&TextArea::new("00 ff\n10"), Format::Hex), Some(3));
        assert_eq!(saved_size(&TextArea::new("aGVsbG8=\n"), Format::Base64), Some(5));
        assert_eq!(saved_size(&TextArea::new("0"), Format::Hex), None);
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
