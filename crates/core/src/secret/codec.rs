//! The Secret codec: base64 `data` values to bytes and back, byte exact, and a classification
//! of each value (text, JSON, PEM, binary) with a hex dump for the binary ones.
//!
//! Decoding follows Go's `encoding/json` for `[]byte` fields, which is what the API server uses:
//! standard alphabet, padding required, `\r` and `\n` ignored, trailing bits not checked.

use base64::Engine as _;
use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};

/// Go's `base64.StdEncoding` (not `.Strict()`): padded, lenient about trailing bits.
const GO_STD: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_encode_padding(true)
        .with_decode_padding_mode(DecodePaddingMode::RequireCanonical)
        .with_decode_allow_trailing_bits(true),
);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CodecError {
    /// A `data` value is not valid base64. The message is Go's, so that it reads like the
    /// API server's 400 response; `key` names the offending entry.
    #[error("data[{key}]: illegal base64 data at input byte {offset}")]
    InvalidBase64 { key: String, offset: usize },
}

impl CodecError {
    /// The Go-style detail without the key: `illegal base64 data at input byte N`.
    pub fn detail(&self) -> String {
        match self {
            CodecError::InvalidBase64 { offset, .. } => {
                format!("illegal base64 data at input byte {offset}")
            }
        }
    }
}

/// Decodes one `data` value the way the API server does.
pub fn decode_value(key: &str, encoded: &str) -> Result<Vec<u8>, CodecError> {
    // Go ignores CR and LF anywhere in the input; offsets are reported in the original text.
    let mut positions = Vec::with_capacity(encoded.len());
    let mut cleaned = Vec::with_capacity(encoded.len());
    for (i, b) in encoded.bytes().enumerate() {
        if b != b'\r' && b != b'\n' {
            cleaned.push(b);
            positions.push(i);
        }
    }
    let at = |i: usize| positions.get(i).copied().unwrap_or(encoded.len());
    GO_STD.decode(&cleaned).map_err(|e| {
        let offset = match e {
            base64::DecodeError::InvalidByte(i, _) | base64::DecodeError::InvalidLastSymbol(i, _) => at(i),
            // Go reports a truncated input at the first byte of the incomplete quantum.
            base64::DecodeError::InvalidLength(_) | base64::DecodeError::InvalidPadding => {
                at(cleaned.len() - cleaned.len() % 4)
            }
        };
        CodecError::InvalidBase64 { key: key.to_string(), offset }
    })
}

/// Encodes bytes as standard padded base64, as the API server returns them.
pub fn encode_value(bytes: &[u8]) -> String {
    GO_STD.encode(bytes)
}

/// What a decoded value looks like, which decides how the UI shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ValueKind {
    /// Valid UTF-8 without control characters other than tab, CR and LF.
    Text,
    /// A JSON object or array (scalars count as text).
    Json,
    /// One or more PEM blocks (certificates, keys).
    Pem,
    /// Anything else: shown as a hex dump, never through a lossy UTF-8 conversion.
    Binary,
}

impl ValueKind {
    pub fn label(self) -> &'static str {
        match self {
            ValueKind::Text => "text",
            ValueKind::Json => "json",
            ValueKind::Pem => "pem",
            ValueKind::Binary => "binary",
        }
    }
}

/// Classifies a decoded value.
pub fn classify(bytes: &[u8]) -> ValueKind {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return ValueKind::Binary;
    };
    if text.chars().any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r')) {
        return ValueKind::Binary;
    }
    let trimmed = text.trim();
    if trimmed.starts_with("-----BEGIN ") && trimmed.contains("-----END ") {
        return ValueKind::Pem;
    }
    if (trimmed.starts_with('{') || trimmed.starts_with('['))
        && serde_json::from_str::<serde::de::IgnoredAny>(trimmed).is_ok()
    {
        return ValueKind::Json;
    }
    ValueKind::Text
}

/// A classic hex dump: offset, 16 bytes in two groups of 8, and the printable ASCII.
///
/// `00000000  de ad be ef 00 01 02 03  04 05 06 07 08 09 0a 0b  |............|`
pub fn hex_dump(bytes: &[u8]) -> Vec<String> {
    bytes
        .chunks(16)
        .enumerate()
        .map(|(row, chunk)| {
            let mut line = format!("{:08x}  ", row * 16);
            for i in 0..16 {
                match chunk.get(i) {
                    Some(b) => line.push_str(&format!("{b:02x} ")),
                    None => line.push_str("   "),
                }
                if i == 7 {
                    line.push(' ');
                }
            }
            line.push(' ');
            line.push('|');
            line.extend(chunk.iter().map(|&b| if b.is_ascii_graphic() || b == b' ' { b as char } else { '.' }));
            line.push('|');
            line
        })
        .collect()
}

/// Parses a hex dump or plain hex (whitespace, `0x` prefixes and the offset and ASCII columns
/// of [`hex_dump`] are tolerated) back into bytes: how binary values are edited.
///
/// An error names the line and column (in characters, 1-based) and never quotes the input: the
/// text is a Secret value being edited, or something pasted by mistake.
pub fn parse_hex(input: &str) -> Result<Vec<u8>, String> {
    let mut out = zeroize::Zeroizing::new(Vec::new());
    for (lineno, raw_line) in input.lines().enumerate() {
        let at = |byte: usize| format!("line {}, column {}", lineno + 1, raw_line[..byte].chars().count() + 1);
        // Drop the ASCII column of a hex dump.
        let line = raw_line.split('|').next().unwrap_or("");
        // Drop the offset column of a hex dump: 8 hex digits followed by two spaces.
        let mut i = match line.get(..10) {
            Some(head) if head.ends_with("  ") && head[..8].bytes().all(|b| b.is_ascii_hexdigit()) => 10,
            _ => 0,
        };
        while let Some(c) = line[i..].chars().next() {
            if c.is_whitespace() {
                i += c.len_utf8();
                continue;
            }
            let end = line[i..].find(char::is_whitespace).map_or(line.len(), |n| i + n);
            let word = &line[i..end];
            let digits_at = if word.starts_with("0x") || word.starts_with("0X") { i + 2 } else { i };
            let digits = &line[digits_at..end];
            if let Some((j, _)) = digits.char_indices().find(|(_, c)| !c.is_ascii_hexdigit()) {
                return Err(format!("{}: not a hex digit (hex is 0-9 and a-f, two digits a byte)", at(digits_at + j)));
            }
            if digits.len() % 2 != 0 {
                return Err(format!("{}: an odd number of hex digits; write two digits a byte", at(end - 1)));
            }
            let nibble = |b: u8| char::from(b).to_digit(16).unwrap_or(0) as u8;
            out.extend(digits.as_bytes().chunks(2).map(|pair| nibble(pair[0]) << 4 | nibble(pair[1])));
            i = end;
        }
    }
    Ok(std::mem::take(&mut *out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn decodes_standard_padded_base64() {
        assert_eq!(decode_value("k", "YWRtaW4=").unwrap(), b"admin");
        assert_eq!(decode_value("k", "").unwrap(), b"");
    }

    #[test]
    fn ignores_newlines_like_go() {
        assert_eq!(decode_value("k", "YWRt\r\naW4=\n").unwrap(), b"admin");
    }

    #[test]
    fn accepts_non_canonical_trailing_bits_like_go() {
        // "YR==" has non-zero trailing bits; Go's StdEncoding accepts it.
        assert_eq!(decode_value("k", "YR==").unwrap(), b"a");
    }

    #[test]
    fn rejects_missing_padding_and_names_the_key() {
        let err = decode_value("password", "YWRtaW4").unwrap_err();
        assert_eq!(err, CodecError::InvalidBase64 { key: "password".into(), offset: 4 });
        assert_eq!(err.to_string(), "data[password]: illegal base64 data at input byte 4");
    }

    #[test]
    fn rejects_bad_characters_with_their_offset() {
        let err = decode_value("k", "YW*t").unwrap_err();
        assert_eq!(err.detail(), "illegal base64 data at input byte 2");
        // Offsets count the newlines Go skipped.
        let err = decode_value("k", "YW\nR*").unwrap_err();
        assert_eq!(err.detail(), "illegal base64 data at input byte 4");
    }

    #[test]
    fn classifies_values() {
        assert_eq!(classify(b"admin"), ValueKind::Text);
        assert_eq!(classify(b""), ValueKind::Text);
        assert_eq!(classify(b"{\"auths\":{}}"), ValueKind::Json);
        assert_eq!(classify(b"[1,2]"), ValueKind::Json);
        assert_eq!(classify(b"{not json"), ValueKind::Text);
        assert_eq!(classify(b"42"), ValueKind::Text);
        assert_eq!(classify(b"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"), ValueKind::Pem);
        assert_eq!(classify(&[0xde, 0xad, 0xbe, 0xef]), ValueKind::Binary);
        assert_eq!(classify(b"a\0b"), ValueKind::Binary);
        assert_eq!(classify("päßwörd\tx\r\n".as_bytes()), ValueKind::Text);
    }

    #[test]
    fn hex_dump_layout() {
        let lines = hex_dump(b"0123456789abcdef\x00\xff");
        assert_eq!(lines[0], "00000000  30 31 32 33 34 35 36 37  38 39 61 62 63 64 65 66  |0123456789abcdef|");
        assert!(lines[1].starts_with("00000010  00 ff "));
        assert!(lines[1].ends_with("|..|"));
        // The ASCII column lines up on a short last row.
        assert_eq!(lines[0].find('|'), lines[1].find('|'));
        assert!(hex_dump(b"").is_empty());
    }

    #[test]
    fn parse_hex_reads_dumps_and_plain_hex() {
        assert_eq!(parse_hex("de ad BE EF").unwrap(), vec![0xde, 0xad, 0xbe, 0xef]);
        assert_eq!(parse_hex("0xdead\nbeef").unwrap(), vec![0xde, 0xad, 0xbe, 0xef]);
        assert!(parse_hex("abc").is_err());
        assert!(parse_hex("zz").is_err());
    }

    #[test]
    fn parse_hex_errors_name_positions_never_the_text() {
        // Pasted text that is not hex (a password, say) must not come back in the message.
        let cases = [
            ("de ad\nbe Hunter2Pw", "line 2, column 4: not a hex digit (hex is 0-9 and a-f, two digits a byte)"),
            ("de ad\n  beefcafe1", "line 2, column 11: an odd number of hex digits; write two digits a byte"),
            ("0xzz", "line 1, column 3: not a hex digit (hex is 0-9 and a-f, two digits a byte)"),
            ("ab cd é1", "line 1, column 7: not a hex digit (hex is 0-9 and a-f, two digits a byte)"),
        ];
        for (input, want) in cases {
            let err = parse_hex(input).unwrap_err();
            assert_eq!(err, want, "{input:?}");
        }
        for secret in ["Hunter2Pw", "beefcafe1", "unter", "zz", "é"] {
            for (input, _) in cases {
                let err = parse_hex(input).unwrap_err();
                assert!(!err.contains(secret), "{secret:?} in {err:?}");
            }
        }
    }

    proptest! {
        #[test]
        fn round_trip_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
            let encoded = encode_value(&bytes);
            prop_assert_eq!(decode_value("k", &encoded).unwrap(), bytes);
        }

        #[test]
        fn decoding_arbitrary_text_never_panics_and_never_quotes_it(
            text in prop_oneof!["\\PC{0,80}", "[A-Za-z0-9+/=\r\n*_ -]{0,80}"],
        ) {
            let marked = format!("Zq7{text}");
            for input in [text.as_str(), marked.as_str()] {
                match decode_value("k", input) {
                    Ok(bytes) => prop_assert!(bytes.len() <= input.len()),
                    Err(e) => {
                        let CodecError::InvalidBase64 { offset, .. } = &e;
                        prop_assert!(*offset <= input.len(), "{} for {:?}", e, input);
                        prop_assert!(!e.to_string().contains("Zq7"), "{}", e);
                    }
                }
            }
        }

        #[test]
        fn parsing_arbitrary_hex_never_panics_and_never_quotes_it(
            text in prop_oneof!["\\PC{0,120}", "[0-9a-fA-FxX |\n\t.g-]{0,120}"],
        ) {
            let marked = format!("Zq7{text}");
            for input in [text.as_str(), marked.as_str()] {
                match parse_hex(input) {
                    Ok(bytes) => prop_assert!(bytes.len() <= input.len() / 2),
                    Err(e) => {
                        prop_assert!(e.starts_with("line "), "{}", e);
                        prop_assert!(!e.contains("Zq7"), "{}", e);
                    }
                }
            }
        }

        #[test]
        fn classifying_and_dumping_arbitrary_bytes_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
            let _ = classify(&bytes);
            prop_assert_eq!(hex_dump(&bytes).len(), bytes.len().div_ceil(16));
        }

        #[test]
        fn hex_dump_round_trips(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
            let dump = hex_dump(&bytes).join("\n");
            prop_assert_eq!(parse_hex(&dump).unwrap(), bytes);
        }

        #[test]
        fn decoders_never_panic(input in ".*", bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
            let _ = decode_value("k", &input);
            let _ = classify(&bytes);
            let _ = classify(input.as_bytes());
            let _ = parse_hex(&input);
        }
    }
}
