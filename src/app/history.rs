//! The versions of Secrets that this run's applies replaced, newest last: what `U` puts back
//! (issue 15). Held in memory only, never written anywhere; the values are `SecretValue`s,
//! zeroized when dropped (when an entry is put back, falls off the end, or keyhole exits).

use std::collections::BTreeMap;

use crate::secret::Secret;

/// How many versions are kept per Secret.
const KEPT: usize = 10;

/// One replaced version (`Debug` shows no values: `Secret`'s never does).
#[derive(Debug)]
pub struct Replaced {
    /// The Secret as it was before the apply.
    pub version: Secret,
    /// The resourceVersion the apply wrote: when the Secret is still there, nobody has
    /// changed it since.
    pub written: String,
}

/// Replaced versions by (context, namespace, name).
#[derive(Debug, Default)]
pub struct History {
    by_secret: BTreeMap<(String, String, String), Vec<Replaced>>,
}

fn key(context: &str, namespace: &str, name: &str) -> (String, String, String) {
    (context.to_string(), namespace.to_string(), name.to_string())
}

impl History {
    /// An apply wrote `written` over `version`.
    pub fn record(&mut self, context: &str, version: Secret, written: String) {
        let versions = self.by_secret.entry(key(context, version.namespace(), version.name())).or_default();
        versions.push(Replaced { version, written });
        if versions.len() > KEPT {
            versions.remove(0);
        }
    }

    /// The version the last apply replaced.
    pub fn last(&self, context: &str, namespace: &str, name: &str) -> Option<&Replaced> {
        self.by_secret.get(&key(context, namespace, name))?.last()
    }

    /// How many versions can be put back, one after the other.
    pub fn depth(&self, context: &str, namespace: &str, name: &str) -> usize {
        self.by_secret.get(&key(context, namespace, name)).map_or(0, Vec::len)
    }

    /// The last version was put back: it leaves the history (and is zeroized).
    pub fn put_back(&mut self, context: &str, namespace: &str, name: &str) {
        let k = key(context, namespace, name);
        if let Some(versions) = self.by_secret.get_mut(&k) {
            versions.pop();
            if versions.is_empty() {
                self.by_secret.remove(&k);
            }
        }
    }

    /// The Secret was deleted: its versions go (a new Secret of that name is another object).
    pub fn forget(&mut self, context: &str, namespace: &str, name: &str) {
        self.by_secret.remove(&key(context, namespace, name));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn version(password: &str) -> Secret {
        let mut s = Secret::new("default", "alpha", "Opaque");
        s.data = Some([("password".to_string(), password.into())].into());
        s
    }

    #[test]
    fn versions_are_kept_per_context_and_secret_newest_last_and_bounded() {
        let mut h = History::default();
        for i in 0..12 {
            h.record("one", version(&format!("v{i}")), format!("{}", i + 1));
        }
        h.record("two", version("other"), "1".into());
        assert_eq!(h.depth("one", "default", "alpha"), KEPT);
        let last = h.last("one", "default", "alpha").unwrap();
        assert_eq!((last.version.get("password").unwrap().as_bytes(), last.written.as_str()), (&b"v11"[..], "12"));
        h.put_back("one", "default", "alpha");
        assert_eq!(h.last("one", "default", "alpha").unwrap().written, "11");
        assert_eq!(h.depth("two", "default", "alpha"), 1);
        h.forget("two", "default", "alpha");
        assert!(h.last("two", "default", "alpha").is_none());
        assert!(h.last("one", "shop", "alpha").is_none());
    }
}
