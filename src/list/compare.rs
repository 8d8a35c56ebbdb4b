//! The same Secret across contexts, key by key: present or absent, and, where present, which
//! contexts hold the same value. Values are compared by HMAC-SHA256 under a key drawn for this
//! one comparison and dropped with it: no value is shown, kept, or sent to another cluster, and
//! the digests mean nothing outside this process (an unkeyed hash of a short password could be
//! looked up).

use std::collections::BTreeMap;

use ring::hmac;

use crate::secret::Secret;

/// One context's side: the keyed digest of each key's value, or why it has none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Side {
    /// The Secret, its type, and each key's digest.
    Found { type_: String, digests: BTreeMap<String, Vec<u8>> },
    /// No such Secret in this context.
    Absent,
    /// The context or the Secret could not be read: why.
    Unread(String),
}

/// Digests the values of `secret` under `key`; the values are not kept.
pub(crate) fn digest(secret: &Secret, key: &hmac::Key) -> Side {
    let digests = secret.entries().map(|(k, v)| (k.clone(), hmac::sign(key, v.as_bytes()).as_ref().to_vec())).collect();
    Side::Found { type_: secret.effective_type().to_string(), digests }
}

/// A fresh key for one comparison.
pub(crate) fn fresh_key() -> Result<hmac::Key, String> {
    hmac::Key::generate(hmac::HMAC_SHA256, &ring::rand::SystemRandom::new())
        .map_err(|_| "cannot draw a random key for the comparison".to_string())
}

/// Reads `name` in each of `contexts` (in `namespace`, else each context's own), at most
/// `parallel` at a time, and digests it under `key`: per context, in order, the namespace read
/// and its side. The values are dropped (zeroized with the Secret) as soon as digested.
pub(crate) async fn read_all(
    kubeconfig: &kube::config::Kubeconfig,
    contexts: &[String],
    namespace: Option<&str>,
    name: &str,
    key: &hmac::Key,
    parallel: usize,
) -> Vec<(String, Side)> {
    use futures::StreamExt;
    let mut sides: Vec<(usize, String, Side)> = futures::stream::iter(contexts.iter().enumerate())
        .map(|(i, context)| async move {
            let (ns, side) = read(kubeconfig.clone(), context, namespace, name, key).await;
            (i, ns, side)
        })
        .buffer_unordered(parallel.max(1))
        .collect()
        .await;
    sides.sort_by_key(|(i, _, _)| *i);
    sides.into_iter().map(|(_, ns, s)| (ns, s)).collect()
}

async fn read(
    kubeconfig: kube::config::Kubeconfig,
    context: &str,
    namespace: Option<&str>,
    name: &str,
    key: &hmac::Key,
) -> (String, Side) {
    use crate::cluster::ops::{self, OpenError};
    let within = std::time::Duration::from_secs(20);
    let connect = crate::cluster::connect::connect_context(kubeconfig, context);
    let connected = match tokio::time::timeout(within, connect).await {
        Ok(Ok(c)) => c,
        Ok(Err(e)) => return (namespace.unwrap_or("").to_string(), Side::Unread(e.0)),
        Err(_) => return (namespace.unwrap_or("").to_string(), Side::Unread("no answer within 20 s".into())),
    };
    let ns = namespace.map_or_else(|| connected.namespace.clone(), str::to_string);
    let side = match ops::open(&connected.client, &ns, name).await {
        Ok(secret) => digest(&secret, key),
        Err(OpenError::NotFound) => Side::Absent,
        Err(OpenError::Forbidden(m)) => Side::Unread(format!("{m} (403 Forbidden)")),
        Err(OpenError::Other(m)) => Side::Unread(m),
    };
    (ns, side)
}

/// One key across the contexts: for each context, `None` when the key (or the Secret) is not
/// there, else the value's group: contexts with the same value share a letter, `A` for the
/// first value met in context order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct KeyRow {
    pub key: String,
    pub groups: Vec<Option<char>>,
}

impl KeyRow {
    /// `same` (one value wherever the Secret is read, present in each), `differs` (more than
    /// one value), `partial` (one value, but absent from some context that has the Secret).
    pub(crate) fn verdict(&self, sides: &[Side]) -> &'static str {
        let mut values: Vec<char> = self.groups.iter().flatten().copied().collect();
        values.sort_unstable();
        values.dedup();
        let missing = self.groups.iter().zip(sides).any(|(g, s)| g.is_none() && matches!(s, Side::Found { .. }));
        match (values.len(), missing) {
            (0 | 1, false) => "same",
            (0 | 1, true) => "partial",
            _ => "differs",
        }
    }
}

/// The rows, one per key found in any context, sorted by key.
pub(crate) fn rows(sides: &[Side]) -> Vec<KeyRow> {
    let mut keys: Vec<&String> = sides
        .iter()
        .filter_map(|s| match s {
            Side::Found { digests, .. } => Some(digests.keys()),
            _ => None,
        })
        .flatten()
        .collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .map(|key| {
            let mut seen: Vec<&[u8]> = Vec::new();
            let groups = sides
                .iter()
                .map(|s| match s {
                    Side::Found { digests, .. } => digests.get(key).map(|d| {
                        let i = seen.iter().position(|x| *x == d.as_slice()).unwrap_or_else(|| {
                            seen.push(d);
                            seen.len() - 1
                        });
                        group_letter(i)
                    }),
                    _ => None,
                })
                .collect();
            KeyRow { key: key.clone(), groups }
        })
        .collect()
}

fn group_letter(i: usize) -> char {
    char::from_u32(u32::from('A') + (i % 26) as u32).unwrap_or('?')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret::SecretValue;

    fn secret(data: &[(&str, &str)]) -> Secret {
        let mut s = Secret::new("default", "app", "Opaque");
        s.data = Some(data.iter().map(|(k, v)| ((*k).to_string(), SecretValue::from(*v))).collect());
        s
    }

    #[test]
    fn keys_are_compared_by_keyed_digest_and_grouped() {
        let key = fresh_key().unwrap();
        let sides = vec![
            digest(&secret(&[("LOG_LEVEL", "info"), ("API_URL", "https://a")]), &key),
            digest(&secret(&[("LOG_LEVEL", "info")]), &key),
            digest(&secret(&[("LOG_LEVEL", "debug"), ("API_URL", "https://a"), ("FEATURE_X", "1")]), &key),
            Side::Absent,
            Side::Unread("connection refused".into()),
        ];
        let rows = rows(&sides);
        let by: BTreeMap<&str, &KeyRow> = rows.iter().map(|r| (r.key.as_str(), r)).collect();
        assert_eq!(rows.iter().map(|r| r.key.as_str()).collect::<Vec<_>>(), ["API_URL", "FEATURE_X", "LOG_LEVEL"]);
        assert_eq!(by["LOG_LEVEL"].groups, vec![Some('A'), Some('A'), Some('B'), None, None]);
        assert_eq!(by["LOG_LEVEL"].verdict(&sides), "differs");
        assert_eq!(by["API_URL"].groups, vec![Some('A'), None, Some('A'), None, None]);
        assert_eq!(by["API_URL"].verdict(&sides), "partial");
        assert_eq!(by["FEATURE_X"].verdict(&sides), "partial");
        let same = vec![digest(&secret(&[("k", "v")]), &key), digest(&secret(&[("k", "v")]), &key), Side::Absent];
        assert_eq!(super::rows(&same)[0].verdict(&same), "same");
    }

    /// Two comparisons draw two keys: the same value digests differently, so a digest says
    /// nothing outside its comparison.
    #[test]
    fn digests_depend_on_the_comparisons_key() {
        let s = secret(&[("password", "hunter2")]);
        let (Side::Found { digests: a, .. }, Side::Found { digests: b, .. }) =
            (digest(&s, &fresh_key().unwrap()), digest(&s, &fresh_key().unwrap()))
        else {
            panic!("found")
        };
        assert_ne!(a["password"], b["password"]);
    }
}
