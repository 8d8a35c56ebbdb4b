//! A list row's annotations, read at decode into what the row keeps: the few that say who
//! manages the Secret ([`crate::owners::marks::ANNOTATIONS`]) and one boolean, whether kubectl's
//! last-applied annotation holds values (the PLAINTEXT-COPY flag). The last-applied text is
//! looked at where the decoder has it and never copied into the row; other annotations are
//! skipped without being copied (DESIGN.md decision 5).

use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};

use crate::owners::marks::{ANNOTATIONS, Marks};
use crate::secret::last_applied::{ANNOTATION, holds_values};

/// What a row keeps of its annotations.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct RowAnnotations {
    pub marks: Marks,
    /// kubectl's last-applied annotation holds values.
    pub plaintext_copy: bool,
}

/// Reads `metadata.annotations` of a row (null reads as none).
pub(crate) fn de_annotations<'de, D: Deserializer<'de>>(d: D) -> Result<RowAnnotations, D::Error> {
    d.deserialize_option(Optional)
}

struct Optional;

impl<'de> Visitor<'de> for Optional {
    type Value = RowAnnotations;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a map of annotations, or null")
    }
    fn visit_none<E: serde::de::Error>(self) -> Result<RowAnnotations, E> {
        Ok(RowAnnotations::default())
    }
    fn visit_unit<E: serde::de::Error>(self) -> Result<RowAnnotations, E> {
        Ok(RowAnnotations::default())
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<RowAnnotations, D::Error> {
        d.deserialize_map(self)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RowAnnotations, A::Error> {
        let mut kept: Vec<(&'static str, String)> = Vec::new();
        let mut plaintext_copy = false;
        while let Some(key) = map.next_key_seed(KeySeed)? {
            match key {
                Key::Known(k) => {
                    let v: Option<String> = map.next_value()?;
                    kept.push((k, v.unwrap_or_default()));
                }
                Key::LastApplied => plaintext_copy = map.next_value_seed(CopySeed)?,
                Key::Other => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        let marks = Marks::from_pairs(ANNOTATIONS, kept.iter().map(|(k, v)| (*k, v.as_str())));
        Ok(RowAnnotations { marks, plaintext_copy })
    }
}

/// An annotation key, matched without being copied.
enum Key {
    Known(&'static str),
    LastApplied,
    Other,
}

struct KeySeed;

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = Key;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Key, D::Error> {
        d.deserialize_str(self)
    }
}

impl Visitor<'_> for KeySeed {
    type Value = Key;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an annotation key")
    }
    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Key, E> {
        Ok(if v == ANNOTATION {
            Key::LastApplied
        } else {
            ANNOTATIONS.iter().find(|k| **k == v).map_or(Key::Other, |k| Key::Known(k))
        })
    }
}

/// The last-applied annotation's value, read for whether it holds values and not kept. Anything
/// but a string (never written by the API server) holds none.
struct CopySeed;

impl<'de> DeserializeSeed<'de> for CopySeed {
    type Value = bool;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<bool, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for CopySeed {
    type Value = bool;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the last-applied annotation")
    }
    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<bool, E> {
        Ok(holds_values(v))
    }
    fn visit_unit<E: serde::de::Error>(self) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_none<E: serde::de::Error>(self) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_bool<E: serde::de::Error>(self, _: bool) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_i64<E: serde::de::Error>(self, _: i64) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_u64<E: serde::de::Error>(self, _: u64) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_f64<E: serde::de::Error>(self, _: f64) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<bool, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(false)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<bool, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize)]
    struct Meta {
        #[serde(default, deserialize_with = "de_annotations")]
        annotations: RowAnnotations,
    }

    fn read(annotations: serde_json::Value) -> RowAnnotations {
        let meta = serde_json::json!({ "annotations": annotations });
        let from_text: Meta = serde_json::from_str(&meta.to_string()).unwrap();
        // The list reads pages from text, the watch rows from JSON trees: the same either way.
        let from_tree = <Meta as serde::Deserialize>::deserialize(&meta).unwrap();
        assert_eq!(from_text.annotations, from_tree.annotations, "text and tree read the same");
        from_tree.annotations
    }

    #[test]
    fn the_row_keeps_the_managers_marks_and_whether_there_is_a_copy() {
        let a = read(serde_json::json!({
            ANNOTATION: "{\"apiVersion\":\"v1\",\"stringData\":{\"password\":\"Zq7s3cr3t\"}}",
            "meta.helm.sh/release-name": "shop",
            "note": "Zq7other",
        }));
        assert!(a.plaintext_copy);
        assert_eq!(a.marks.get("meta.helm.sh/release-name"), Some("shop"));
        assert!(!format!("{a:?}").contains("Zq7"), "nothing else is kept: {a:?}");
        // An annotation without values, or none, or odd shapes: no copy, never an error.
        for annotations in [
            serde_json::json!({ANNOTATION: "{\"apiVersion\":\"v1\",\"kind\":\"Secret\"}"}),
            serde_json::json!({ANNOTATION: "{\"data\":{}}"}),
            serde_json::json!({ANNOTATION: null}),
            serde_json::json!({ANNOTATION: 3}),
            serde_json::json!({ANNOTATION: {"data": {"a": "b"}}}),
            serde_json::json!({}),
            serde_json::Value::Null,
        ] {
            let a = read(annotations.clone());
            assert!(!a.plaintext_copy, "{annotations}");
        }
    }
}
