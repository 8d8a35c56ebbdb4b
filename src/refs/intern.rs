//! Sharing repeated names. Replicas of one workload name the same Secrets, containers, volumes,
//! paths and keys; the index keeps each such string once.

use std::sync::Arc;

use super::model::Name;

/// A set of shared names.
#[derive(Debug, Default, Clone)]
pub struct Interner {
    names: foldhash::HashSet<Name>,
}

impl Interner {
    pub fn new() -> Self {
        Self::default()
    }

    /// The shared copy of `s`, made on first use.
    pub fn intern(&mut self, s: &str) -> Name {
        if let Some(name) = self.names.get(s) {
            return Arc::clone(name);
        }
        let name: Name = s.into();
        self.names.insert(Arc::clone(&name));
        name
    }

    /// The number of names held.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// Forgets the names that nothing else holds any more.
    pub fn purge(&mut self) {
        self.names.retain(|n| Arc::strong_count(n) > 1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_and_purges() {
        let mut i = Interner::new();
        let a = i.intern("a");
        let b = i.intern("a");
        assert!(Arc::ptr_eq(&a, &b));
        drop(i.intern("gone"));
        assert_eq!(i.len(), 2);
        i.purge();
        assert_eq!(i.len(), 1);
        drop((a, b));
        i.purge();
        assert!(i.is_empty());
    }
}
