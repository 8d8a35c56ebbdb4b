//! The part of client-go's JSONPath (`k8s.io/client-go/util/jsonpath`) that CRDs use in
//! `additionalPrinterColumns`: `.field`, `['field']`, `[n]`, `[*]`, `.*`, `..field` and filters
//! `[?(@.path == "value")]` (also `!=`, `<`, `>`, `<=`, `>=`, and `[?(@.path)]`). The
//! apiextensions table convertor parses each column as `{<jsonPath>}` with missing keys allowed
//! and prints only the first result (`tableconvertor.go` ConvertToTable).

use serde_json::Value;

/// One step of a parsed path.
#[derive(Debug, Clone, PartialEq)]
enum Step {
    Field(String),
    /// `[*]` or `.*`: every element of an array, every value of an object.
    Wildcard,
    Index(i64),
    /// `..name`: every `name` at any depth.
    Recursive(String),
    Filter(Filter),
}

#[derive(Debug, Clone, PartialEq)]
struct Filter {
    path: Vec<Step>,
    /// `None`: the path exists.
    test: Option<(Op, Value)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Eq,
    Ne,
    Lt,
    Gt,
    Le,
    Ge,
}

/// A parsed JSONPath expression.
#[derive(Debug, Clone, PartialEq)]
pub struct Path {
    steps: Vec<Step>,
}

impl Path {
    /// Parses a path as a CRD writes it (`.status.conditions[?(@.type=="Ready")].status`); an
    /// expression wrapped in `{...}` is accepted too.
    pub fn parse(text: &str) -> Result<Path, String> {
        let t = text.trim();
        let t = t.strip_prefix('{').and_then(|t| t.strip_suffix('}')).unwrap_or(t);
        let mut p = Parser { s: t.as_bytes(), i: 0 };
        let steps = p.steps(false)?;
        if p.i != p.s.len() {
            return Err(format!("unrecognized character in action: {}", &t[p.i..]));
        }
        Ok(Path { steps })
    }

    /// Every value the path finds, in document order.
    pub fn find<'a>(&self, root: &'a Value) -> Vec<&'a Value> {
        eval(&self.steps, vec![root])
    }

    /// The first value found, printed as the table convertor prints a `string` column: strings
    /// as themselves, other values as Go's `fmt.Print` would. `None` when nothing is found.
    pub fn first_text(&self, root: &Value) -> Option<String> {
        self.find(root).first().map(|v| go_print(v))
    }
}

fn eval<'a>(steps: &[Step], mut cur: Vec<&'a Value>) -> Vec<&'a Value> {
    for step in steps {
        let mut next = Vec::new();
        for v in cur {
            match step {
                Step::Field(name) => {
                    if let Some(x) = v.as_object().and_then(|m| m.get(name)) {
                        next.push(x);
                    }
                }
                Step::Wildcard => match v {
                    Value::Array(a) => next.extend(a.iter()),
                    Value::Object(m) => next.extend(m.values()),
                    _ => {}
                },
                Step::Index(i) => {
                    if let Some(a) = v.as_array() {
                        let len = i64::try_from(a.len()).unwrap_or(i64::MAX);
                        let at = if *i < 0 { len + i } else { *i };
                        if let Some(x) = usize::try_from(at).ok().and_then(|at| a.get(at)) {
                            next.push(x);
                        }
                    }
                }
                Step::Recursive(name) => recurse(v, name, &mut next),
                Step::Filter(f) => {
                    if let Some(a) = v.as_array() {
                        next.extend(a.iter().filter(|item| f.matches(item)));
                    }
                }
            }
        }
        cur = next;
    }
    cur
}

fn recurse<'a>(v: &'a Value, name: &str, out: &mut Vec<&'a Value>) {
    match v {
        Value::Object(m) => {
            if let Some(x) = m.get(name) {
                out.push(x);
            }
            for x in m.values() {
                recurse(x, name, out);
            }
        }
        Value::Array(a) => {
            for x in a {
                recurse(x, name, out);
            }
        }
        _ => {}
    }
}

impl Filter {
    fn matches(&self, item: &Value) -> bool {
        let found = eval(&self.path, vec![item]);
        match &self.test {
            None => !found.is_empty(),
            Some((op, want)) => found.iter().any(|got| compare(got, *op, want)),
        }
    }
}

fn compare(got: &Value, op: Op, want: &Value) -> bool {
    let ordering = match (got, want) {
        (Value::Number(a), Value::Number(b)) => a.as_f64().zip(b.as_f64()).and_then(|(a, b)| a.partial_cmp(&b)),
        (Value::String(a), Value::String(b)) => Some(a.cmp(b)),
        _ => None,
    };
    match op {
        Op::Eq => got == want || ordering == Some(std::cmp::Ordering::Equal),
        Op::Ne => !(got == want || ordering == Some(std::cmp::Ordering::Equal)),
        Op::Lt => ordering == Some(std::cmp::Ordering::Less),
        Op::Gt => ordering == Some(std::cmp::Ordering::Greater),
        Op::Le => ordering.is_some_and(|o| o != std::cmp::Ordering::Greater),
        Op::Ge => ordering.is_some_and(|o| o != std::cmp::Ordering::Less),
    }
}

/// Go's `fmt.Print` of a decoded JSON value: maps as `map[k:v]` with sorted keys, slices as
/// `[a b]`, whole numbers without a fraction, `<nil>` for null.
pub fn go_print(v: &Value) -> String {
    match v {
        Value::Null => "<nil>".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => match (n.as_i64(), n.as_f64()) {
            (Some(i), _) => i.to_string(),
            (None, Some(f)) if f.fract() == 0.0 && f.abs() < 1e21 => format!("{f:.0}"),
            _ => n.to_string(),
        },
        Value::String(s) => s.clone(),
        Value::Array(a) => format!("[{}]", a.iter().map(go_print).collect::<Vec<_>>().join(" ")),
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            let parts: Vec<String> = keys.iter().map(|k| format!("{k}:{}", go_print(&m[k.as_str()]))).collect();
            format!("map[{}]", parts.join(" "))
        }
    }
}

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    fn eat(&mut self, b: u8) -> bool {
        if self.peek() == Some(b) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    fn skip_spaces(&mut self) {
        while self.peek().is_some_and(|b| b == b' ') {
            self.i += 1;
        }
    }

    fn ident(&mut self) -> String {
        let start = self.i;
        while self.peek().is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b >= 0x80) {
            self.i += 1;
        }
        String::from_utf8_lossy(&self.s[start..self.i]).into_owned()
    }

    /// Steps until the end, or (inside a filter) until an operator or `)`.
    fn steps(&mut self, in_filter: bool) -> Result<Vec<Step>, String> {
        let mut steps = Vec::new();
        if in_filter {
            if !self.eat(b'@') {
                return Err("a filter must start with @".into());
            }
        } else {
            // A leading `$` names the root, as in `$.spec`.
            self.eat(b'$');
        }
        loop {
            match self.peek() {
                None => break,
                Some(b'.') => {
                    self.i += 1;
                    if self.eat(b'.') {
                        let name = self.ident();
                        if name.is_empty() {
                            return Err("a recursive descent needs a field name".into());
                        }
                        steps.push(Step::Recursive(name));
                    } else if self.eat(b'*') {
                        steps.push(Step::Wildcard);
                    } else {
                        let name = self.ident();
                        if name.is_empty() {
                            // `.` alone is the current object (`{.}`).
                            if self.peek().is_none() && steps.is_empty() {
                                break;
                            }
                            return Err(format!("unexpected character at {}", self.i));
                        }
                        steps.push(Step::Field(name));
                    }
                }
                Some(b'[') => {
                    self.i += 1;
                    steps.push(self.bracket()?);
                }
                Some(_) if in_filter => break,
                Some(c) => return Err(format!("unrecognized character in action: {}", c as char)),
            }
        }
        Ok(steps)
    }

    fn bracket(&mut self) -> Result<Step, String> {
        self.skip_spaces();
        let step = match self.peek() {
            Some(b'*') => {
                self.i += 1;
                Step::Wildcard
            }
            Some(q @ (b'\'' | b'"')) => {
                self.i += 1;
                Step::Field(self.quoted(q)?)
            }
            Some(b'?') => {
                self.i += 1;
                if !self.eat(b'(') {
                    return Err("a filter is written [?(...)]".into());
                }
                self.skip_spaces();
                let path = self.steps(true)?;
                self.skip_spaces();
                let test = if self.peek() == Some(b')') {
                    None
                } else {
                    let op = self.op()?;
                    self.skip_spaces();
                    Some((op, self.literal()?))
                };
                self.skip_spaces();
                if !self.eat(b')') {
                    return Err("unclosed filter".into());
                }
                Step::Filter(Filter { path, test })
            }
            _ => {
                let start = self.i;
                self.eat(b'-');
                while self.peek().is_some_and(|b| b.is_ascii_digit()) {
                    self.i += 1;
                }
                let text = std::str::from_utf8(&self.s[start..self.i]).unwrap_or("");
                Step::Index(text.parse().map_err(|_| format!("invalid array index {text:?}"))?)
            }
        };
        self.skip_spaces();
        if !self.eat(b']') {
            return Err("unclosed bracket".into());
        }
        Ok(step)
    }

    fn quoted(&mut self, q: u8) -> Result<String, String> {
        let start = self.i;
        while let Some(b) = self.peek() {
            if b == q {
                let s = String::from_utf8_lossy(&self.s[start..self.i]).into_owned();
                self.i += 1;
                return Ok(s);
            }
            self.i += 1;
        }
        Err("unterminated quoted string".into())
    }

    fn op(&mut self) -> Result<Op, String> {
        let two = self.s.get(self.i..self.i + 2);
        let (op, len) = match two {
            Some(b"==") => (Op::Eq, 2),
            Some(b"!=") => (Op::Ne, 2),
            Some(b"<=") => (Op::Le, 2),
            Some(b">=") => (Op::Ge, 2),
            _ => match self.peek() {
                Some(b'<') => (Op::Lt, 1),
                Some(b'>') => (Op::Gt, 1),
                _ => return Err("a filter compares with ==, !=, <, >, <= or >=".into()),
            },
        };
        self.i += len;
        Ok(op)
    }

    fn literal(&mut self) -> Result<Value, String> {
        match self.peek() {
            Some(q @ (b'\'' | b'"')) => {
                self.i += 1;
                Ok(Value::String(self.quoted(q)?))
            }
            _ => {
                let start = self.i;
                while self.peek().is_some_and(|b| b != b')' && b != b' ') {
                    self.i += 1;
                }
                let text = std::str::from_utf8(&self.s[start..self.i]).unwrap_or("");
                match text {
                    "true" => Ok(Value::Bool(true)),
                    "false" => Ok(Value::Bool(false)),
                    _ => serde_json::from_str::<serde_json::Number>(text)
                        .map(Value::Number)
                        .map_err(|_| format!("unrecognized literal {text:?}")),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn first(path: &str, v: &Value) -> Option<String> {
        Path::parse(path).unwrap().first_text(v)
    }

    #[test]
    fn the_paths_crds_print() {
        let cert = json!({
            "spec": {"secretName": "web-tls", "issuerRef": {"name": "le"}},
            "status": {"conditions": [
                {"type": "Issuing", "status": "False"},
                {"type": "Ready", "status": "True", "message": "Certificate is up to date"}
            ]},
            "metadata": {"annotations": {"a.b/c": "x"}}
        });
        assert_eq!(first(".spec.secretName", &cert).as_deref(), Some("web-tls"));
        assert_eq!(first(r#".status.conditions[?(@.type=="Ready")].status"#, &cert).as_deref(), Some("True"));
        assert_eq!(
            first(r#".status.conditions[?(@.type == "Ready")].message"#, &cert).as_deref(),
            Some("Certificate is up to date")
        );
        assert_eq!(first(".status.conditions[0].type", &cert).as_deref(), Some("Issuing"));
        assert_eq!(first(".status.conditions[-1].type", &cert).as_deref(), Some("Ready"));
        assert_eq!(first(".metadata.annotations['a.b/c']", &cert).as_deref(), Some("x"));
        assert_eq!(first("{.spec.issuerRef.name}", &cert).as_deref(), Some("le"));
        assert_eq!(first(".spec.missing", &cert), None);
        assert_eq!(first(r#".status.conditions[?(@.type=="Gone")].status"#, &cert), None);
        let gw = json!({"status": {"addresses": [{"value": "10.0.0.1"}, {"value": "10.0.0.2"}]}});
        let p = Path::parse(".status.addresses[*].value").unwrap();
        assert_eq!(p.find(&gw).len(), 2);
        assert_eq!(p.first_text(&gw).as_deref(), Some("10.0.0.1"));
        assert_eq!(first("..value", &gw).as_deref(), Some("10.0.0.1"));
        assert_eq!(
            first(".status", &json!({"status": {"b": 1, "a": [true, 2.5]}})).as_deref(),
            Some("map[a:[true 2.5] b:1]")
        );
    }

    proptest::proptest! {
        /// A CRD's printer column is anyone's input (whoever may create CRDs): no path panics
        /// the parser or the evaluation.
        #[test]
        fn arbitrary_paths_never_panic(path in "[.\\[\\]*?@()=!<>'\"a-z0-9 $-]{0,24}", text in "\\PC{0,16}") {
            for p in [path.as_str(), text.as_str()] {
                if let Ok(parsed) = Path::parse(p) {
                    let _ = parsed.first_text(&json!({"a": [{"b": 1}, {"b": "x"}], "b": {"c": null}}));
                }
            }
        }
    }

    #[test]
    fn bad_paths_are_refused_and_never_panic() {
        for bad in ["spec", ".a[", ".a[?(@.b==)]", ".a['x", ".a[x]", "..", ".a[?(b)]"] {
            assert!(Path::parse(bad).is_err(), "{bad}");
        }
        for odd in ["", ".", "$.a", ".a[?(@.b)]", ".a[?(@.n > 2)]"] {
            let p = Path::parse(odd).unwrap();
            let _ = p.find(&json!({"a": [{"b": 1, "n": 3}]}));
        }
    }
}
