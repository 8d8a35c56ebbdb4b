//! What Go's `json.Unmarshal(data, &map[string]interface{}{})` says about bytes: the check
//! kube-apiserver makes on `.dockercfg` and `.dockerconfigjson` (facts §1.5). The error text
//! becomes the detail of `Invalid value: "<secret contents redacted>": <detail>`, so it is
//! reproduced: Go's scanner (`encoding/json/scanner.go`) for syntax errors, then the decoder's
//! type errors, in Go's words with one difference: where Go quotes the input (the offending
//! character, an overflowing number) keyhole gives its byte offset, since the input is a Secret
//! value (`invalid character at input byte 12 in string escape code`).

/// Go's `maxNestingDepth`.
const MAX_NESTING_DEPTH: usize = 10000;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Parse {
    ObjectKey,
    ObjectValue,
    ArrayValue,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Step {
    BeginValue,
    BeginValueOrEmpty,
    BeginStringOrEmpty,
    BeginString,
    EndValue,
    EndTop,
    InString,
    InStringEsc,
    InStringEscU(u8),
    Neg,
    One,
    Zero,
    Dot,
    Dot0,
    E,
    ESign,
    E0,
    Lit(&'static [u8], usize, &'static str),
}

struct Scanner {
    step: Step,
    parse: Vec<Parse>,
    end_top: bool,
    err: Option<String>,
    /// The offset of the byte being scanned, for errors.
    offset: usize,
}

fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\r' | b'\n')
}

impl Scanner {
    fn new() -> Self {
        Scanner { step: Step::BeginValue, parse: Vec::new(), end_top: false, err: None, offset: 0 }
    }

    /// Go says `invalid character 'x' <context>`; the character is part of the value, so
    /// keyhole gives its offset instead.
    fn error(&mut self, _c: u8, context: &str) {
        self.err = Some(format!("invalid character at input byte {} {}", self.offset, context));
    }

    fn push(&mut self, p: Parse) -> bool {
        self.parse.push(p);
        if self.parse.len() > MAX_NESTING_DEPTH {
            self.err = Some("exceeded max depth".to_string());
            return false;
        }
        true
    }

    /// Feeds one byte; returns false once an error is recorded.
    fn feed(&mut self, c: u8) -> bool {
        self.run(self.step, c);
        self.offset += 1;
        self.err.is_none()
    }

    fn run(&mut self, step: Step, c: u8) {
        match step {
            Step::BeginValueOrEmpty => {
                if is_space(c) {
                    return;
                }
                if c == b']' {
                    return self.run(Step::EndValue, c);
                }
                self.run(Step::BeginValue, c)
            }
            Step::BeginValue => self.begin_value(c),
            Step::BeginStringOrEmpty => {
                if is_space(c) {
                    return;
                }
                if c == b'}' {
                    if let Some(last) = self.parse.last_mut() {
                        *last = Parse::ObjectValue;
                    }
                    return self.run(Step::EndValue, c);
                }
                self.run(Step::BeginString, c)
            }
            Step::BeginString => {
                if is_space(c) {
                    return;
                }
                if c == b'"' {
                    self.step = Step::InString;
                    return;
                }
                self.error(c, "looking for beginning of object key string")
            }
            Step::EndValue => self.end_value(c),
            Step::EndTop => {
                if !is_space(c) {
                    self.error(c, "after top-level value")
                }
            }
            Step::InString => match c {
                b'"' => self.step = Step::EndValue,
                b'\\' => self.step = Step::InStringEsc,
                c if c < 0x20 => self.error(c, "in string literal"),
                _ => {}
            },
            Step::InStringEsc => match c {
                b'b' | b'f' | b'n' | b'r' | b't' | b'\\' | b'/' | b'"' => self.step = Step::InString,
                b'u' => self.step = Step::InStringEscU(0),
                _ => self.error(c, "in string escape code"),
            },
            Step::InStringEscU(n) => {
                if c.is_ascii_hexdigit() {
                    self.step = if n == 3 { Step::InString } else { Step::InStringEscU(n + 1) };
                } else {
                    self.error(c, "in \\u hexadecimal character escape")
                }
            }
            Step::Neg => match c {
                b'0' => self.step = Step::Zero,
                b'1'..=b'9' => self.step = Step::One,
                _ => self.error(c, "in numeric literal"),
            },
            Step::One => {
                if c.is_ascii_digit() {
                    return;
                }
                self.run(Step::Zero, c)
            }
            Step::Zero => match c {
                b'.' => self.step = Step::Dot,
                b'e' | b'E' => self.step = Step::E,
                _ => self.run(Step::EndValue, c),
            },
            Step::Dot => {
                if c.is_ascii_digit() {
                    self.step = Step::Dot0;
                } else {
                    self.error(c, "after decimal point in numeric literal")
                }
            }
            Step::Dot0 => match c {
                b'0'..=b'9' => {}
                b'e' | b'E' => self.step = Step::E,
                _ => self.run(Step::EndValue, c),
            },
            Step::E => {
                if c == b'+' || c == b'-' {
                    self.step = Step::ESign;
                    return;
                }
                self.run(Step::ESign, c)
            }
            Step::ESign => {
                if c.is_ascii_digit() {
                    self.step = Step::E0;
                } else {
                    self.error(c, "in exponent of numeric literal")
                }
            }
            Step::E0 => {
                if !c.is_ascii_digit() {
                    self.run(Step::EndValue, c)
                }
            }
            Step::Lit(word, i, name) => match word.get(i) {
                Some(&want) if c == want => {
                    self.step = if i + 1 == word.len() { Step::EndValue } else { Step::Lit(word, i + 1, name) };
                }
                Some(&want) => self.error(c, &format!("in literal {name} (expecting '{}')", char::from(want))),
                None => self.run(Step::EndValue, c),
            },
        }
    }

    fn begin_value(&mut self, c: u8) {
        if is_space(c) {
            return;
        }
        match c {
            b'{' => {
                self.step = Step::BeginStringOrEmpty;
                self.push(Parse::ObjectKey);
            }
            b'[' => {
                self.step = Step::BeginValueOrEmpty;
                self.push(Parse::ArrayValue);
            }
            b'"' => self.step = Step::InString,
            b'-' => self.step = Step::Neg,
            b'0' => self.step = Step::Zero,
            b'1'..=b'9' => self.step = Step::One,
            b't' => self.step = Step::Lit(b"true", 1, "true"),
            b'f' => self.step = Step::Lit(b"false", 1, "false"),
            b'n' => self.step = Step::Lit(b"null", 1, "null"),
            _ => self.error(c, "looking for beginning of value"),
        }
    }

    fn end_value(&mut self, c: u8) {
        let Some(&ps) = self.parse.last() else {
            self.step = Step::EndTop;
            self.end_top = true;
            return self.run(Step::EndTop, c);
        };
        if is_space(c) {
            self.step = Step::EndValue;
            return;
        }
        match ps {
            Parse::ObjectKey => {
                if c == b':' {
                    if let Some(last) = self.parse.last_mut() {
                        *last = Parse::ObjectValue;
                    }
                    self.step = Step::BeginValue;
                } else {
                    self.error(c, "after object key")
                }
            }
            Parse::ObjectValue => match c {
                b',' => {
                    if let Some(last) = self.parse.last_mut() {
                        *last = Parse::ObjectKey;
                    }
                    self.step = Step::BeginString;
                }
                b'}' => self.pop(),
                _ => self.error(c, "after object key:value pair"),
            },
            Parse::ArrayValue => match c {
                b',' => self.step = Step::BeginValue,
                b']' => self.pop(),
                _ => self.error(c, "after array element"),
            },
        }
    }

    fn pop(&mut self) {
        self.parse.pop();
        if self.parse.is_empty() {
            self.step = Step::EndTop;
            self.end_top = true;
        } else {
            self.step = Step::EndValue;
        }
    }

    /// Go's `scanner.eof()`: feeds a space so that a number or literal at the end completes.
    fn eof(&mut self) -> Option<String> {
        if let Some(e) = &self.err {
            return Some(e.clone());
        }
        if self.end_top {
            return None;
        }
        self.run(self.step, b' ');
        if self.end_top {
            return None;
        }
        Some(self.err.clone().unwrap_or_else(|| "unexpected end of JSON input".to_string()))
    }
}

/// Go's `checkValid`: the syntax error `json.Unmarshal` reports for `data`, if any
/// (`invalid character 'x' looking for beginning of value`, `unexpected end of JSON input`).
pub fn check_valid(data: &[u8]) -> Option<String> {
    let mut s = Scanner::new();
    for &c in data {
        if !s.feed(c) {
            return s.err;
        }
    }
    s.eof()
}

/// The error `json.Unmarshal(data, &map[string]interface{}{})` returns, or `None` when it
/// succeeds (a JSON object, or `null`).
pub fn unmarshal_object_error(data: &[u8]) -> Option<String> {
    if let Some(e) = check_valid(data) {
        return Some(e);
    }
    let first = data.iter().copied().find(|&c| !is_space(c))?;
    let kind = match first {
        b'{' => return first_overflowing_number(data),
        b'n' => return None,
        b'[' => "array",
        b'"' => "string",
        b't' | b'f' => "bool",
        _ => "number",
    };
    Some(format!("json: cannot unmarshal {kind} into Go value of type map[string]interface {{}}"))
}

/// Inside an object every number decodes to `float64`; one out of its range is a type error.
/// Only called on input that `check_valid` accepted.
fn first_overflowing_number(data: &[u8]) -> Option<String> {
    let mut i = 0;
    while i < data.len() {
        match data[i] {
            b'"' => {
                i += 1;
                while i < data.len() && data[i] != b'"' {
                    i += if data[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
            }
            b'-' | b'0'..=b'9' => {
                let start = i;
                while i < data.len() && matches!(data[i], b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9') {
                    i += 1;
                }
                let lit = std::str::from_utf8(&data[start..i]).unwrap_or("");
                if lit.parse::<f64>().map(f64::is_infinite).unwrap_or(false) {
                    // Go quotes the number; it is part of the value.
                    return Some(format!(
                        "json: cannot unmarshal number at input byte {start} into Go value of type float64"
                    ));
                }
            }
            _ => i += 1,
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::unmarshal_object_error as check;
    use proptest::prelude::*;

    #[test]
    fn objects_and_null_are_accepted() {
        assert_eq!(check(br#"{"auths":{"r":{"auth":"eA=="}}}"#), None);
        assert_eq!(check(b" {} \n"), None);
        assert_eq!(check(b"null"), None);
        assert_eq!(check(br#"{"a":[1,-2.5e3,true,false,null,"\u00e9\n"]}"#), None);
    }

    #[test]
    fn type_errors_name_the_json_kind() {
        let t = |k: &str| Some(format!("json: cannot unmarshal {k} into Go value of type map[string]interface {{}}"));
        assert_eq!(check(b"[]"), t("array"));
        assert_eq!(check(b"\"x\""), t("string"));
        assert_eq!(check(b"12"), t("number"));
        assert_eq!(check(b"true"), t("bool"));
        assert_eq!(
            check(br#"{"a":1e400}"#),
            Some("json: cannot unmarshal number at input byte 5 into Go value of type float64".into())
        );
    }

    #[test]
    fn syntax_errors_read_like_go_with_an_offset_for_the_character() {
        let s = |m: &str| Some(m.to_string());
        assert_eq!(check(b""), s("unexpected end of JSON input"));
        assert_eq!(check(b"  "), s("unexpected end of JSON input"));
        assert_eq!(check(b"{"), s("unexpected end of JSON input"));
        assert_eq!(check(b"{\"a\""), s("unexpected end of JSON input"));
        assert_eq!(check(b"x"), s("invalid character at input byte 0 looking for beginning of value"));
        assert_eq!(check(b"{a}"), s("invalid character at input byte 1 looking for beginning of object key string"));
        assert_eq!(check(b"{\"a\" 1}"), s("invalid character at input byte 5 after object key"));
        assert_eq!(check(b"{\"a\":1 \"b\"}"), s("invalid character at input byte 7 after object key:value pair"));
        assert_eq!(check(b"[1 2]"), s("invalid character at input byte 3 after array element"));
        assert_eq!(check(b"{} x"), s("invalid character at input byte 3 after top-level value"));
        assert_eq!(check(b"tru"), s("invalid character at input byte 3 in literal true (expecting 'e')"));
        assert_eq!(check(b"nul!"), s("invalid character at input byte 3 in literal null (expecting 'l')"));
        assert_eq!(check(b"-"), s("invalid character at input byte 1 in numeric literal"));
        assert_eq!(check(b"1."), s("invalid character at input byte 2 after decimal point in numeric literal"));
        assert_eq!(check(b"1e+"), s("invalid character at input byte 3 in exponent of numeric literal"));
        assert_eq!(check(b"\"\\x\""), s("invalid character at input byte 2 in string escape code"));
        assert_eq!(check(b"\"\\u12g4\""), s("invalid character at input byte 5 in \\u hexadecimal character escape"));
        assert_eq!(check(b"\"a\nb\""), s("invalid character at input byte 2 in string literal"));
        assert_eq!(check(b"'a'"), s("invalid character at input byte 0 looking for beginning of value"));
        assert_eq!(check(b"\xef\xbb\xbf{}"), s("invalid character at input byte 0 looking for beginning of value"));
        assert_eq!(check(b"\x80"), s("invalid character at input byte 0 looking for beginning of value"));
    }

    #[test]
    fn errors_never_quote_the_value() {
        // The offending character and an overflowing number are parts of the docker config,
        // a Secret value: the error gives their position instead.
        let cases: [(&[u8], &str); 4] = [
            (br#"{"auths":{"r":{"password":"Zq7\Q"}}}"#, "invalid character at input byte 31 in string escape code"),
            (
                br#"{"auths":{"r":{"auth":7e999}}}"#,
                "json: cannot unmarshal number at input byte 22 into Go value of type float64",
            ),
            (b"hunter2", "invalid character at input byte 0 looking for beginning of value"),
            (
                br#"{"auths":{"r":{"password":"Zq7"} Zq7}"#,
                "invalid character at input byte 33 after object key:value pair",
            ),
        ];
        for (input, want) in cases {
            let got = check(input).unwrap();
            assert_eq!(got, want);
            for shown in ["'Q'", "7e999", "'h'", "'Z'", "Zq7"] {
                assert!(!got.contains(shown), "{shown} in {got}");
            }
        }
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let deep = vec![b'['; 20000];
        assert_eq!(check(&deep), Some("exceeded max depth".into()));
    }

    proptest! {
        #[test]
        fn never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
            let _ = check(&bytes);
        }

        #[test]
        fn agrees_with_serde_on_validity(s in "[\\[\\]{}:,\" 0-9a-z.eE+-]{0,24}") {
            let go_ok = super::check_valid(s.as_bytes()).is_none();
            let serde_ok = serde_json::from_str::<serde::de::IgnoredAny>(&s).is_ok();
            prop_assert_eq!(go_ok, serde_ok, "{:?}", s);
        }
    }
}
