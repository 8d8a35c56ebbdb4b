//! Zeroizing JSON trees that held values: a Secret serialized for a request, an answer parsed
//! before it becomes a [`super::Secret`], a docker config being built.

use serde_json::Value;
use zeroize::Zeroize;

/// Overwrites every string in the tree (keys are names, not values, and are left) and drops it.
pub fn wipe_json(mut value: Value) {
    wipe_in_place(&mut value);
}

fn wipe_in_place(value: &mut Value) {
    match value {
        Value::String(s) => s.zeroize(),
        Value::Array(items) => items.iter_mut().for_each(wipe_in_place),
        Value::Object(map) => map.values_mut().for_each(wipe_in_place),
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_string_is_overwritten() {
        let mut v = serde_json::json!({"data": {"password": "czNjcjN0"}, "list": ["a", {"b": "c"}], "n": 1});
        wipe_in_place(&mut v);
        let text = v.to_string();
        assert!(!text.contains("czNjcjN0") && !text.contains("\"a\"") && !text.contains("\"c\""), "{text}");
        assert_eq!(v["n"], 1);
    }
}
