//! An edit in progress (DESIGN.md decision 7): the version the user opened (`base`, with its
//! resourceVersion) and the edited copy (`work`). The diff, the validation and the rebase after
//! a conflict are computed from these; nothing here touches the network.

use std::collections::{BTreeMap, BTreeSet};

use super::copy::CopyChoice;
use crate::secret::{Secret, SecretValue};
use crate::validate::{self, FieldError, Warning};

/// What happened to one key between `base` and `work`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    Added,
    Removed,
    Changed,
}

/// One line of the key-level diff.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct KeyDiff {
    pub key: String,
    pub change: Change,
    pub old_len: usize,
    pub new_len: usize,
}

#[derive(Debug)]
pub struct Draft {
    /// The version the edit started from; empty for a new Secret.
    pub base: Secret,
    /// The edited copy; changed only through the methods below, which count the edits.
    pub work: Secret,
    /// A new Secret (create), not an update.
    pub creating: bool,
    /// Which draft this is (unique in a session): answers to a dry run or a write name the
    /// draft and the revision they were sent for, and are ignored by any other.
    pub id: u64,
    /// How many edits this draft has had: an answer for an earlier revision does not drop
    /// the edits made after the request was sent.
    pub revision: u64,
    /// What the write does with kubectl's last-applied annotation when it holds values.
    pub copy_choice: CopyChoice,
    /// Puts back the version an apply of this run replaced (`U`): once written, that version
    /// leaves the history instead of the one it replaces entering it.
    pub undoing: bool,
}

fn data(s: &Secret) -> BTreeMap<&String, &SecretValue> {
    s.entries().collect()
}

impl Draft {
    pub(crate) fn edit(secret: &Secret, id: u64) -> Draft {
        Draft {
            base: secret.clone(),
            work: secret.clone(),
            creating: false,
            id,
            revision: 0,
            copy_choice: CopyChoice::default(),
            undoing: false,
        }
    }

    pub(crate) fn create(secret: Secret, id: u64) -> Draft {
        let mut base = Secret::new(secret.namespace(), secret.name(), secret.effective_type());
        base.data = None;
        Draft {
            base,
            work: secret,
            creating: true,
            id,
            revision: 0,
            copy_choice: CopyChoice::default(),
            undoing: false,
        }
    }

    /// What to do with kubectl's plaintext copy: counts as an edit, since the write changes.
    pub(crate) fn choose_copy(&mut self, choice: CopyChoice) {
        self.revision += 1;
        self.copy_choice = choice;
    }

    /// The edited copy, to change it: counts as an edit.
    pub(crate) fn work_mut(&mut self) -> &mut Secret {
        self.revision += 1;
        &mut self.work
    }

    /// The key-level diff, sorted by key.
    pub(crate) fn diff(&self) -> Vec<KeyDiff> {
        diff(&self.base, &self.work)
    }

    /// Labels, annotations or `immutable` differ.
    pub(crate) fn metadata_changed(&self) -> bool {
        self.base.metadata.labels != self.work.metadata.labels
            || self.base.metadata.annotations != self.work.metadata.annotations
            || self.base.immutable != self.work.immutable
    }

    pub(crate) fn is_dirty(&self) -> bool {
        self.creating || !self.diff().is_empty() || self.metadata_changed()
    }

    /// What the API server would reject, from the one validator.
    pub(crate) fn errors(&self) -> Vec<FieldError> {
        if self.creating {
            validate::validate_create(&self.work)
        } else {
            validate::validate_update(&self.base, &self.work)
        }
    }

    pub(crate) fn warnings(&self, now: jiff::Timestamp, rule: validate::EnvNameRule) -> Vec<Warning> {
        validate::warnings_for(&self.work, now, rule)
    }

    /// Warnings this edit introduces (all of them for a new Secret): these need the user's
    /// confirmation; the ones the Secret already had are only shown.
    pub(crate) fn new_warnings(&self, now: jiff::Timestamp, rule: validate::EnvNameRule) -> Vec<Warning> {
        let all = self.warnings(now, rule);
        if self.creating {
            return all;
        }
        let before = validate::warnings_for(&self.base, now, rule);
        all.into_iter().filter(|w| !before.contains(w)).collect()
    }

    pub(crate) fn set(&mut self, key: &str, value: SecretValue) {
        self.revision += 1;
        self.work.data.get_or_insert_with(BTreeMap::new).insert(key.to_string(), value);
    }

    pub(crate) fn remove(&mut self, key: &str) {
        self.revision += 1;
        if let Some(d) = self.work.data.as_mut() {
            d.remove(key);
        }
    }

    pub(crate) fn rename(&mut self, from: &str, to: &str) {
        self.revision += 1;
        if let Some(d) = self.work.data.as_mut()
            && let Some(v) = d.remove(from)
        {
            d.insert(to.to_string(), v);
        }
    }

    /// After a 409: what the server changed since `base` (data keys, labels, annotations), and
    /// whether the user changed it too, differently.
    pub(crate) fn conflicts(&self, server: &Secret) -> Vec<Conflict> {
        let theirs = diff(&self.base, server);
        let mine: BTreeSet<String> = self.diff().into_iter().map(|d| d.key).collect();
        let mut out: Vec<Conflict> = theirs
            .into_iter()
            .map(|d| {
                let both = mine.contains(&d.key);
                let same_result = both && self.work.get(&d.key) == server.get(&d.key);
                Conflict {
                    field: Field::Data,
                    key: d.key,
                    theirs: d.change,
                    mine_too: both && !same_result,
                    take_theirs: !both || same_result,
                }
            })
            .collect();
        let meta = |s: &Secret, field: Field| match field {
            Field::Label => s.metadata.labels.clone().unwrap_or_default(),
            _ => s.metadata.annotations.clone().unwrap_or_default(),
        };
        for field in [Field::Label, Field::Annotation] {
            let (b, m, t) = (meta(&self.base, field), meta(&self.work, field), meta(server, field));
            for key in b.keys().chain(m.keys()).chain(t.keys()).collect::<BTreeSet<_>>() {
                let (bv, mv, tv) = (b.get(key), m.get(key), t.get(key));
                if tv == bv {
                    continue;
                }
                let theirs = match (bv, tv) {
                    (None, _) => Change::Added,
                    (_, None) => Change::Removed,
                    _ => Change::Changed,
                };
                let mine_too = mv != bv && mv != tv;
                out.push(Conflict { field, key: key.clone(), theirs, mine_too, take_theirs: !mine_too });
            }
        }
        out
    }

    /// Moves the edit onto the server's version: the new base is `server`. Data keys, labels and
    /// annotations are merged three ways (the version opened, the user's, the server's): what
    /// only one side changed is kept; where both changed, `choices` says whose value wins.
    pub(crate) fn rebase(&mut self, server: Secret, choices: &[Conflict]) {
        let mut merged = server.clone();
        // The user's changes to keys the server did not change carry over.
        let server_changed: BTreeSet<&str> =
            choices.iter().filter(|c| c.field == Field::Data).map(|c| c.key.as_str()).collect();
        for d in self.diff() {
            if server_changed.contains(d.key.as_str()) {
                continue;
            }
            match d.change {
                Change::Removed => {
                    if let Some(m) = merged.data.as_mut() {
                        m.remove(&d.key);
                    }
                }
                Change::Added | Change::Changed => {
                    if let Some(v) = self.work.get(&d.key) {
                        merged.data.get_or_insert_with(BTreeMap::new).insert(d.key.clone(), v.clone());
                    }
                }
            }
        }
        for c in choices.iter().filter(|c| c.field == Field::Data && !c.take_theirs) {
            match self.work.get(&c.key) {
                Some(v) => {
                    merged.data.get_or_insert_with(BTreeMap::new).insert(c.key.clone(), v.clone());
                }
                None => {
                    if let Some(m) = merged.data.as_mut() {
                        m.remove(&c.key);
                    }
                }
            }
        }
        merged.metadata.labels = merge3(
            self.base.metadata.labels.as_ref(),
            self.work.metadata.labels.as_ref(),
            server.metadata.labels.as_ref(),
            |k| keep_mine(choices, Field::Label, k),
        );
        merged.metadata.annotations = merge3(
            self.base.metadata.annotations.as_ref(),
            self.work.metadata.annotations.as_ref(),
            server.metadata.annotations.as_ref(),
            |k| keep_mine(choices, Field::Annotation, k),
        );
        if self.base.immutable != self.work.immutable {
            merged.immutable = self.work.immutable;
        }
        self.base = server;
        self.work = merged;
        self.revision += 1;
    }
}

/// The user chose their own value for this label or annotation.
fn keep_mine(choices: &[Conflict], field: Field, key: &str) -> bool {
    choices.iter().any(|c| c.field == field && c.key == key && !c.take_theirs)
}

type Pairs = BTreeMap<String, String>;

/// A three-way merge of labels or annotations: a key only the user changed keeps the user's
/// value, one only the server changed the server's; where both changed it, `mine_wins` decides.
fn merge3(
    base: Option<&Pairs>,
    mine: Option<&Pairs>,
    theirs: Option<&Pairs>,
    mine_wins: impl Fn(&str) -> bool,
) -> Option<Pairs> {
    let empty = Pairs::new();
    let (b, m, t) = (base.unwrap_or(&empty), mine.unwrap_or(&empty), theirs.unwrap_or(&empty));
    let mut out = Pairs::new();
    for key in b.keys().chain(m.keys()).chain(t.keys()).collect::<BTreeSet<_>>() {
        let (bv, mv, tv) = (b.get(key), m.get(key), t.get(key));
        let value = if tv == bv {
            mv
        } else if mv == bv || !mine_wins(key) {
            tv
        } else {
            mv
        };
        if let Some(v) = value {
            out.insert(key.clone(), v.clone());
        }
    }
    // Absent and empty are the same to the API server; keep the server's shape when equal.
    if out.is_empty() && theirs.is_none() { None } else { Some(out) }
}

/// What a conflict is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Data,
    Label,
    Annotation,
}

/// Something the server changed since the edit began.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflict {
    pub field: Field,
    pub key: String,
    pub theirs: Change,
    /// The user changed this too, differently.
    pub mine_too: bool,
    /// Resolution: take the server's value (true) or keep the user's (false).
    pub take_theirs: bool,
}

pub(crate) fn diff(a: &Secret, b: &Secret) -> Vec<KeyDiff> {
    let (da, db) = (data(a), data(b));
    let keys: BTreeSet<&String> = da.keys().chain(db.keys()).copied().collect();
    let mut out = Vec::new();
    for k in keys {
        let change = match (da.get(k), db.get(k)) {
            (None, Some(_)) => Change::Added,
            (Some(_), None) => Change::Removed,
            (Some(x), Some(y)) if x != y => Change::Changed,
            _ => continue,
        };
        out.push(KeyDiff {
            key: k.clone(),
            change,
            old_len: da.get(k).map_or(0, |v| v.len()),
            new_len: db.get(k).map_or(0, |v| v.len()),
        });
    }
    out
}

/// A line diff of two texts, for the review screen: `(-|+| , line)`.
pub(crate) fn line_diff(old: &str, new: &str) -> Vec<(char, String)> {
    similar::TextDiff::from_lines(old, new)
        .iter_all_changes()
        .map(|c| {
            let tag = match c.tag() {
                similar::ChangeTag::Delete => '-',
                similar::ChangeTag::Insert => '+',
                similar::ChangeTag::Equal => ' ',
            };
            (tag, c.value().trim_end_matches('\n').to_string())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret(pairs: &[(&str, &str)]) -> Secret {
        let mut s = Secret::new("default", "s", "Opaque");
        s.data = Some(pairs.iter().map(|(k, v)| (k.to_string(), SecretValue::from(*v))).collect());
        s.metadata.resource_version = Some("1".into());
        s
    }

    #[test]
    fn diff_names_each_change() {
        let mut d = Draft::edit(&secret(&[("a", "1"), ("b", "2"), ("c", "3")]), 1);
        d.set("a", SecretValue::from("11"));
        d.remove("b");
        d.set("z", SecretValue::from("new"));
        let diff = d.diff();
        let changes: Vec<(&str, Change)> = diff.iter().map(|x| (x.key.as_str(), x.change)).collect();
        assert_eq!(changes, vec![("a", Change::Changed), ("b", Change::Removed), ("z", Change::Added)]);
        assert_eq!((diff[0].old_len, diff[0].new_len), (1, 2));
        assert!(d.is_dirty());
        d.rename("c", "c2");
        assert_eq!(d.diff().len(), 5);
    }

    #[test]
    fn validation_uses_the_one_validator() {
        let mut d = Draft::edit(&secret(&[("a", "1")]), 1);
        d.set("bad key", SecretValue::from("x"));
        assert_eq!(d.errors()[0].field, "data[bad key]");
        let mut immutable = secret(&[("a", "1")]);
        immutable.immutable = Some(true);
        let mut d = Draft::edit(&immutable, 1);
        d.set("a", SecretValue::from("2"));
        assert_eq!(d.errors()[0].field, "data");
    }

    #[test]
    fn rebase_keeps_mine_where_asked_and_theirs_elsewhere() {
        let base = secret(&[("a", "1"), ("b", "2"), ("c", "3")]);
        let mut d = Draft::edit(&base, 1);
        d.set("a", SecretValue::from("mine"));
        d.set("c", SecretValue::from("mine-c"));
        let mut server = secret(&[("a", "theirs"), ("b", "theirs-b"), ("c", "3")]);
        server.metadata.resource_version = Some("2".into());
        let mut conflicts = d.conflicts(&server);
        assert_eq!(conflicts.len(), 2);
        let a = conflicts.iter_mut().find(|c| c.key == "a").unwrap();
        assert!(a.mine_too && !a.take_theirs);
        let b = conflicts.iter().find(|c| c.key == "b").unwrap();
        assert!(!b.mine_too && b.take_theirs);
        d.rebase(server, &conflicts);
        assert_eq!(d.work.get("a").unwrap().as_bytes(), b"mine");
        assert_eq!(d.work.get("b").unwrap().as_bytes(), b"theirs-b");
        assert_eq!(d.work.get("c").unwrap().as_bytes(), b"mine-c", "my untouched-by-them change carries over");
        assert_eq!(d.base.metadata.resource_version.as_deref(), Some("2"));
    }

    fn labels(pairs: &[(&str, &str)]) -> Option<BTreeMap<String, String>> {
        Some(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect())
    }

    /// Labels and annotations merge three ways: theirs kept where only they changed, mine where
    /// only I changed, and where both changed the choice decides.
    #[test]
    fn a_rebase_keeps_labels_and_annotations_someone_else_added() {
        let mut base = secret(&[("a", "1")]);
        base.metadata.labels = labels(&[("app", "web"), ("tier", "1")]);
        let mut d = Draft::edit(&base, 1);
        d.work_mut().metadata.labels = labels(&[("app", "web"), ("tier", "mine"), ("owner", "me")]);
        d.work_mut().metadata.annotations = labels(&[("note", "mine")]);
        let mut server = base.clone();
        server.metadata.resource_version = Some("2".into());
        server.metadata.labels = labels(&[("app", "web"), ("tier", "theirs"), ("team", "payments")]);
        server.metadata.annotations = labels(&[("note", "theirs"), ("ci", "yes")]);
        let conflicts = d.conflicts(&server);
        let shown: Vec<(Field, &str, bool)> = conflicts.iter().map(|c| (c.field, c.key.as_str(), c.mine_too)).collect();
        assert_eq!(
            shown,
            [
                (Field::Label, "team", false),
                (Field::Label, "tier", true),
                (Field::Annotation, "ci", false),
                (Field::Annotation, "note", true),
            ]
        );
        // Keep mine for tier (the default where both changed), take theirs for the note.
        let mut choices = conflicts.clone();
        choices.iter_mut().find(|c| c.key == "note").unwrap().take_theirs = true;
        d.rebase(server, &choices);
        assert_eq!(
            d.work.metadata.labels,
            labels(&[("app", "web"), ("owner", "me"), ("team", "payments"), ("tier", "mine")])
        );
        assert_eq!(d.work.metadata.annotations, labels(&[("ci", "yes"), ("note", "theirs")]));
    }

    #[test]
    fn edits_count_revisions() {
        let mut d = Draft::edit(&secret(&[("a", "1")]), 7);
        assert_eq!((d.id, d.revision), (7, 0));
        d.set("a", SecretValue::from("2"));
        d.remove("a");
        d.rename("x", "y");
        d.work_mut().immutable = Some(true);
        assert_eq!(d.revision, 4);
    }

    #[test]
    fn line_diff_marks_changes() {
        let d = line_diff("a\nb\n", "a\nc\n");
        assert_eq!(d, vec![(' ', "a".into()), ('-', "b".into()), ('+', "c".into())]);
    }
}
