//! PEM blocks found the way Go's `encoding/pem.Decode` finds them, so that what keyhole reports
//! about `tls.crt` and `tls.key` agrees with what kube-apiserver and Go programs see: a block
//! starts at `-----BEGIN TYPE-----` at the start of a line, ends at a matching
//! `-----END TYPE-----`, may carry `Key: value` headers, and its body must be valid base64.
//! Blocks that are malformed are skipped, not reported.

use std::fmt;

use zeroize::Zeroizing;

/// One decoded PEM block. `Debug` shows the type and size only: bodies may be private keys.
pub struct Block {
    pub label: String,
    /// True when the block had RFC 1421 headers (`Proc-Type: 4,ENCRYPTED` marks a legacy
    /// encrypted OpenSSL key).
    pub encrypted_headers: bool,
    pub der: Zeroizing<Vec<u8>>,
}

impl fmt::Debug for Block {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Block({}, {} bytes)", self.label, self.der.len())
    }
}

const BEGIN: &[u8] = b"-----BEGIN ";
const END: &[u8] = b"\n-----END ";
const DASHES: &[u8] = b"-----";

/// All blocks in `input`, in order.
pub fn decode_all(input: &[u8]) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut rest = input;
    while let Some((block, next)) = decode(rest) {
        blocks.push(block);
        rest = next;
    }
    blocks
}

/// How many malformed `BEGIN` lines one [`decode`] call looks past before giving up. Go has no
/// such limit; it is here so that a crafted 1 MiB value cannot make a check take quadratic time.
const MAX_CANDIDATES: usize = 128;

/// The first block in `data` and what follows it, or `None` when there is no (valid) block.
pub fn decode(data: &[u8]) -> Option<(Block, &[u8])> {
    let mut rest = data;
    // Where the next `\n-----END ` is, as an offset into `data`: found once, reused while ahead.
    let mut next_end: Option<usize> = None;
    for _ in 0..MAX_CANDIDATES {
        // A BEGIN line counts at the very start of the input or after a newline.
        if let Some(after) = rest.strip_prefix(BEGIN) {
            rest = after;
        } else {
            let at = find(rest, b"\n-----BEGIN ")?;
            rest = &rest[at + 1 + BEGIN.len()..];
        }
        let (type_line, after_type) = get_line(rest);
        rest = after_type;
        let Some(label) = type_line.strip_suffix(DASHES) else {
            continue;
        };

        // Headers: `Key: value` lines until the first line without a colon.
        let mut has_headers = false;
        let mut encrypted = false;
        let mut ran_out = false;
        loop {
            if rest.is_empty() {
                ran_out = true;
                break;
            }
            let (line, next) = get_line(rest);
            let Some(colon) = line.iter().position(|&b| b == b':') else {
                break;
            };
            has_headers = true;
            let key = line[..colon].trim_ascii();
            let value = line[colon + 1..].trim_ascii();
            if key == b"Proc-Type" && value.ends_with(b"ENCRYPTED") {
                encrypted = true;
            }
            rest = next;
        }
        if ran_out {
            // Go gives up on the whole input here.
            return None;
        }

        let (end_index, trailer_index) = if !has_headers && rest.starts_with(&END[1..]) {
            (0, END.len() - 1)
        } else {
            let start = data.len() - rest.len();
            let end = match next_end {
                Some(at) if at >= start => at,
                _ => {
                    // No END ahead means none further on either: Go would keep looking and fail.
                    let at = start + find(rest, END)?;
                    next_end = Some(at);
                    at
                }
            };
            (end - start, end - start + END.len())
        };
        let trailer = &rest[trailer_index..];
        let trailer_len = label.len() + DASHES.len();
        if trailer.len() < trailer_len {
            continue;
        }
        let (end_line, rest_of_end_line) = trailer.split_at(trailer_len);
        if !end_line.starts_with(label) || !end_line.ends_with(DASHES) {
            continue;
        }
        if !get_line(rest_of_end_line).0.is_empty() {
            continue;
        }
        let body = &rest[..end_index];
        // Fail fast on a byte base64 cannot hold (such as the next BEGIN line's dashes).
        if !body.iter().all(|&b| b.is_ascii_alphanumeric() || b"+/= \t\r\n".contains(&b)) {
            continue;
        }
        let body: Vec<u8> = body.iter().copied().filter(|&b| b != b' ' && b != b'\t').collect();
        let Some(der) = go_base64(&body) else {
            continue;
        };
        let (_, after) = get_line(&rest[end_index + END.len() - 1..]);
        let block = Block {
            label: String::from_utf8_lossy(label).into_owned(),
            encrypted_headers: encrypted,
            der: Zeroizing::new(der),
        };
        return Some((block, after));
    }
    None
}

/// Go's `getLine`: the first line without its line ending and trailing spaces/tabs, and the rest.
fn get_line(data: &[u8]) -> (&[u8], &[u8]) {
    let (mut line, rest) = match data.iter().position(|&b| b == b'\n') {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &data[data.len()..]),
    };
    if let Some(l) = line.strip_suffix(b"\r") {
        line = l;
    }
    while let Some((last, init)) = line.split_last() {
        if *last == b' ' || *last == b'\t' {
            line = init;
        } else {
            break;
        }
    }
    (line, rest)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Go's `base64.StdEncoding`: CR and LF ignored, padding required.
fn go_base64(body: &[u8]) -> Option<Vec<u8>> {
    let text = std::str::from_utf8(body).ok()?;
    crate::secret::codec::decode_value("", text).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_every_block_of_a_chain() {
        let blocks = decode_all(include_bytes!("../../../../../assets/pki/example.com-chain.crt"));
        assert_eq!(blocks.len(), 2);
        assert!(blocks.iter().all(|b| b.label == "CERTIFICATE" && !b.der.is_empty()));
    }

    #[test]
    fn needs_begin_at_line_start_and_matching_end() {
        assert!(decode(b"x-----BEGIN A-----\nYQ==\n-----END A-----\n").is_none());
        assert!(decode(b"-----BEGIN A-----\nYQ==\n-----END B-----\n").is_none());
        let (b, rest) = decode(b"junk\n-----BEGIN A-----\nYQ==\n-----END A-----\ntail").unwrap();
        assert_eq!((b.label.as_str(), b.der.as_slice(), rest), ("A", &b"a"[..], &b"tail"[..]));
    }

    #[test]
    fn skips_blocks_with_bad_base64() {
        let input = b"-----BEGIN A-----\n!!!\n-----END A-----\n-----BEGIN B-----\nYg==\n-----END B-----\n";
        let blocks = decode_all(input);
        assert_eq!(blocks.len(), 1);
        assert_eq!(blocks[0].label, "B");
    }

    #[test]
    fn reads_headers_and_crlf() {
        let input = b"-----BEGIN RSA PRIVATE KEY-----\r\nProc-Type: 4,ENCRYPTED\r\nDEK-Info: x\r\n\r\nYQ==\r\n-----END RSA PRIVATE KEY-----\r\n";
        let b = decode(input).unwrap().0;
        assert!(b.encrypted_headers);
        assert_eq!(b.der.as_slice(), b"a");
    }

    #[test]
    fn crafted_inputs_stay_fast() {
        let start = std::time::Instant::now();
        let many_begins = "-----BEGIN A-----\n".repeat(60_000) + "\n-----END B-----\n";
        assert!(decode_all(many_begins.as_bytes()).is_empty());
        let colon_begins = "-----BEGIN a:b-----\n".repeat(50_000) + "x\n-----END B-----\n";
        assert!(decode_all(colon_begins.as_bytes()).is_empty());
        assert!(start.elapsed() < std::time::Duration::from_secs(20), "{:?}", start.elapsed());
    }

    #[test]
    fn empty_block_is_a_block() {
        let b = decode(b"-----BEGIN A-----\n-----END A-----\n").unwrap().0;
        assert!(b.der.is_empty());
    }
}
