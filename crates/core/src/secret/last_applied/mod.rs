//! kubectl's copy of the applied manifest, `kubectl.kubernetes.io/last-applied-configuration`:
//! client-side `kubectl apply` writes it with every value the manifest had (`data` in base64,
//! `stringData` in plaintext), and it stays there after any later change of the values. This
//! module tells whether an annotation holds values ([`holds_values`], without copying them),
//! which keys and whether each still matches the Secret ([`compare`]; names and states only),
//! and what `kubectl apply -f` of a Secret's manifest would record ([`recompute`]).
//!
//! Every value read from the annotation is held only long enough to compare it, in buffers
//! that are zeroized; nothing here returns or prints one.

use std::fmt;

use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;
use zeroize::Zeroizing;

use super::codec;
use super::model::Secret;

mod recompute;
pub use recompute::{recompute, to_go_json};

/// The annotation's key.
pub const ANNOTATION: &str = "kubectl.kubernetes.io/last-applied-configuration";

/// Where in the applied manifest a key's value was.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Field {
    /// `data`: base64.
    Data,
    /// `stringData`: plaintext.
    StringData,
}

impl Field {
    pub fn name(self) -> &'static str {
        match self {
            Field::Data => "data",
            Field::StringData => "stringData",
        }
    }
}

/// How one copied value compares with the Secret's value of the same key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Match {
    /// The same bytes: the copy is current.
    Same,
    /// Other bytes: an old (or never applied) value.
    Differs,
    /// The Secret has no such key any more: the copy keeps a value it no longer has.
    Gone,
    /// Not a string, or `data` that is not base64: it cannot be compared.
    Unreadable,
}

/// One key the annotation holds a value for: its name and where, never the value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopiedKey {
    pub key: String,
    pub field: Field,
    pub state: Match,
}

/// What the annotation holds, compared with a Secret's values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlaintextCopy {
    /// `data`'s keys, then `stringData`'s, each in the annotation's order.
    pub keys: Vec<CopiedKey>,
}

impl PlaintextCopy {
    /// The keys with a value in the copy, each once, sorted.
    pub fn names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self.keys.iter().map(|k| k.key.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        names
    }

    /// The keys whose copy is not the Secret's value (changed, gone, or unreadable), each once.
    pub fn stale_names(&self) -> Vec<&str> {
        let mut names: Vec<&str> =
            self.keys.iter().filter(|k| k.state != Match::Same).map(|k| k.key.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        names
    }

    /// Some copied value is not the Secret's current one.
    pub fn is_stale(&self) -> bool {
        self.keys.iter().any(|k| k.state != Match::Same)
    }
}

/// Whether the annotation's text holds values: a non-empty string in its `data` or `stringData`.
/// Read as a stream: the values are skipped, never copied. Text that is not a JSON object (not
/// an annotation kubectl wrote) holds none that keyhole can tell.
pub fn holds_values(text: &str) -> bool {
    #[derive(serde::Deserialize)]
    struct Shape {
        #[serde(default)]
        data: Count,
        #[serde(default, rename = "stringData")]
        string_data: Count,
    }
    serde_json::from_str::<Shape>(text).is_ok_and(|s| s.data.0 + s.string_data.0 > 0)
}

/// How many non-empty string values a map has (0 for anything that is not a map).
#[derive(Default)]
struct Count(usize);

impl<'de> serde::Deserialize<'de> for Count {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(CountVisitor)
    }
}

struct CountVisitor;

impl<'de> Visitor<'de> for CountVisitor {
    type Value = Count;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a map of values")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Count, A::Error> {
        let mut n = 0;
        while map.next_key::<IgnoredAny>()?.is_some() {
            if map.next_value::<NonEmpty>()?.0 {
                n += 1;
            }
        }
        Ok(Count(n))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Count, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Count(0))
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<Count, E> {
        Ok(Count(0))
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Count, E> {
        Ok(Count(0))
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Count, E> {
        Ok(Count(0))
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Count, E> {
        Ok(Count(0))
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Count, E> {
        Ok(Count(0))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Count, E> {
        Ok(Count(0))
    }
}

/// Whether a value is a non-empty string; read without keeping it.
struct NonEmpty(bool);

impl<'de> serde::Deserialize<'de> for NonEmpty {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = NonEmpty;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a value")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<NonEmpty, E> {
                Ok(NonEmpty(!v.is_empty()))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<NonEmpty, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(NonEmpty(false))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<NonEmpty, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(NonEmpty(false))
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<NonEmpty, E> {
                Ok(NonEmpty(false))
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<NonEmpty, E> {
                Ok(NonEmpty(false))
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<NonEmpty, E> {
                Ok(NonEmpty(false))
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<NonEmpty, E> {
                Ok(NonEmpty(false))
            }
            fn visit_unit<E: de::Error>(self) -> Result<NonEmpty, E> {
                Ok(NonEmpty(false))
            }
        }
        d.deserialize_any(V)
    }
}

/// The values in the annotation's text compared, key by key, with `values`' (`data` as base64
/// against the bytes, `stringData` against the bytes as text). `None` when it holds no values.
pub fn compare(text: &str, values: &Secret) -> Option<PlaintextCopy> {
    if !holds_values(text) {
        return None;
    }
    let tree: Value = serde_json::from_str(text).ok()?;
    let mut keys = Vec::new();
    for field in [Field::Data, Field::StringData] {
        let Some(Value::Object(map)) = tree.get(field.name()) else { continue };
        for (key, copied) in map {
            let copied = match copied {
                Value::String(s) if s.is_empty() => continue,
                Value::String(s) => s.as_str(),
                Value::Null => continue,
                _ => {
                    keys.push(CopiedKey { key: key.clone(), field, state: Match::Unreadable });
                    continue;
                }
            };
            let state = match values.get(key) {
                None => Match::Gone,
                Some(current) => match field {
                    Field::StringData => same(copied.as_bytes() == current.as_bytes()),
                    Field::Data => match codec::decode_value(key, copied) {
                        Ok(bytes) => same(Zeroizing::new(bytes).as_slice() == current.as_bytes()),
                        Err(_) => Match::Unreadable,
                    },
                },
            };
            keys.push(CopiedKey { key: key.clone(), field, state });
        }
    }
    super::wipe::wipe_json(tree);
    (!keys.is_empty()).then_some(PlaintextCopy { keys })
}

fn same(equal: bool) -> Match {
    if equal { Match::Same } else { Match::Differs }
}

/// The copy in a Secret's own annotation compared with its values.
pub fn of(secret: &Secret) -> Option<PlaintextCopy> {
    compare(secret.annotation(ANNOTATION)?, secret)
}

/// Whether a Secret's annotation holds values.
pub fn has_copy(secret: &Secret) -> bool {
    secret.annotation(ANNOTATION).is_some_and(holds_values)
}

#[cfg(test)]
mod tests;
