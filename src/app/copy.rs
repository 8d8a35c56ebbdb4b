//! What an apply does with kubectl's plaintext copy (the last-applied annotation, when it holds
//! values): remove it, update it to the new object, or keep it. The choice belongs to the draft
//! and goes into the same write as the edit (one PUT, the same resourceVersion precondition);
//! the annotation itself stays out of the editable text (`edit::value`). docs/plaintext-copies.md
//! says what each choice means for the next `kubectl apply`.

use crate::app::draft::Draft;
use crate::secret::Secret;
use crate::secret::last_applied::{self, ANNOTATION, PlaintextCopy};

/// What the write does with the annotation when it holds values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CopyChoice {
    /// Take it out: no copy of any value is left. The default: a value that leaked cannot be
    /// taken back, while what removal costs (the next `kubectl apply` warns, prunes nothing,
    /// and writes a new annotation) is recovered by that same apply.
    #[default]
    Remove,
    /// Record the new object, as `kubectl apply -f` of its manifest would: the next apply
    /// merges from the new values, and the annotation holds them (base64) in turn.
    Update,
    /// Leave it as it is: the old values stay in it.
    Keep,
}

impl CopyChoice {
    /// The next choice, for the review's key.
    pub(crate) fn next(self) -> Self {
        match self {
            CopyChoice::Remove => CopyChoice::Update,
            CopyChoice::Update => CopyChoice::Keep,
            CopyChoice::Keep => CopyChoice::Remove,
        }
    }

    pub(crate) fn label(self) -> &'static str {
        match self {
            CopyChoice::Remove => "remove it",
            CopyChoice::Update => "update it to the new object",
            CopyChoice::Keep => "keep it as it is",
        }
    }

    /// What the choice means, for the review.
    pub(crate) fn meaning(self) -> &'static str {
        match self {
            CopyChoice::Remove => {
                "no value stays in it. The next kubectl apply warns that the Secret is \"missing the kubectl.kubernetes.io/last-applied-configuration annotation\", cannot prune fields its earlier manifests set (kubectl apply --prune skips the Secret), and writes a new annotation from its file."
            }
            CopyChoice::Update => {
                "it records this Secret as kubectl apply -f of its manifest would (data in base64, labels and annotations as they are now). The next kubectl apply computes its three-way merge from the new values, and removes what this Secret has and its file does not."
            }
            CopyChoice::Keep => {
                "the values it holds stay, in plaintext for stringData, for every client that lists Secrets."
            }
        }
    }
}

/// The copy a write would carry over, if it holds values: the edited copy's annotation (kept
/// from the version opened, or the server's after a rebase) compared with the new values.
pub(crate) fn after_edit(dr: &Draft) -> Option<PlaintextCopy> {
    if dr.creating {
        return None;
    }
    last_applied::of(&dr.work)
}

/// Whether the write has a choice to make: an update whose annotation holds values.
pub(crate) fn applies(dr: &Draft) -> bool {
    !dr.creating && last_applied::has_copy(&dr.work)
}

/// The Secret to send: the edited copy with the draft's choice made.
pub(crate) fn to_send(dr: &Draft) -> Secret {
    let mut secret = dr.work.clone();
    if !applies(dr) {
        return secret;
    }
    match dr.copy_choice {
        CopyChoice::Keep => {}
        CopyChoice::Remove => {
            if let Some(a) = secret.metadata.annotations.as_mut() {
                a.remove(ANNOTATION);
                if a.is_empty() {
                    secret.metadata.annotations = None;
                }
            }
        }
        CopyChoice::Update => {
            let text = last_applied::recompute(&secret);
            secret.metadata.annotations.get_or_insert_with(Default::default).insert(ANNOTATION.into(), text);
        }
    }
    secret
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opened(annotation: &str) -> Secret {
        let mut s = Secret::new("default", "db", "Opaque");
        s.data = Some([("password".to_string(), "old-pass".into())].into_iter().collect());
        s.metadata.resource_version = Some("7".into());
        s.metadata.annotations = Some(
            [(ANNOTATION.to_string(), annotation.to_string()), ("note".to_string(), "n".to_string())]
                .into_iter()
                .collect(),
        );
        s
    }

    const APPLIED: &str = r#"{"apiVersion":"v1","kind":"Secret","stringData":{"password":"old-pass"}}"#;

    fn rotated(choice: CopyChoice) -> Draft {
        let mut dr = Draft::edit(&opened(APPLIED), 1);
        dr.set("password", "new-pass".into());
        dr.choose_copy(choice);
        dr
    }

    #[test]
    fn each_choice_goes_into_the_write() {
        let sent = to_send(&rotated(CopyChoice::Remove));
        assert_eq!(sent.annotation(ANNOTATION), None);
        assert_eq!(sent.annotation("note"), Some("n"), "other annotations stay");
        assert_eq!(sent.get("password").unwrap().as_bytes(), b"new-pass");
        let sent = to_send(&rotated(CopyChoice::Update));
        let text = sent.annotation(ANNOTATION).unwrap();
        assert!(!text.contains("old-pass") && !text.contains("b2xkLXBhc3M="), "no old value: {text}");
        assert_eq!(text, last_applied::recompute(&rotated(CopyChoice::Keep).work));
        assert!(!last_applied::of(&sent).unwrap().is_stale(), "it records the new values");
        assert_eq!(to_send(&rotated(CopyChoice::Keep)).annotation(ANNOTATION), Some(APPLIED));
        // The default is to remove it.
        assert_eq!(Draft::edit(&opened(APPLIED), 1).copy_choice, CopyChoice::Remove);
    }

    /// The recorded text is byte for byte what kubectl writes for the same manifest, as the
    /// embedded cluster reproduces it (`client_side_apply`, checked there against a real one).
    #[test]
    fn the_update_is_what_kubectl_apply_records() {
        let manifest = serde_json::json!({"apiVersion": "v1", "kind": "Secret",
            "metadata": {"name": "db", "namespace": "default", "labels": {"app": "web"},
                         "annotations": {"note": "a <b> & c", ANNOTATION: "{\"old\": true}"}},
            "type": "Opaque", "immutable": false,
            "data": {"password": "bmV3LXBhc3M=", "user": "Ym9i", "bin": "AP8K"}});
        let secret = Secret::from_json(&manifest).unwrap();
        let (_, kubectl) = keyhole_apiserver::data::client_side_apply(&manifest);
        assert_eq!(last_applied::recompute(&secret), kubectl);
        // Without annotations in the manifest: the empty map both write.
        let mut bare = manifest.clone();
        bare["metadata"].as_object_mut().unwrap().remove("annotations");
        let (_, kubectl) = keyhole_apiserver::data::client_side_apply(&bare);
        assert_eq!(last_applied::recompute(&Secret::from_json(&bare).unwrap()), kubectl);
    }

    #[test]
    fn only_a_copy_of_values_is_touched() {
        // An annotation without values is carried over whatever the choice.
        let empty = r#"{"apiVersion":"v1","kind":"Secret","metadata":{"name":"db"}}"#;
        let mut dr = Draft::edit(&opened(empty), 1);
        dr.set("password", "new-pass".into());
        assert!(!applies(&dr) && after_edit(&dr).is_none());
        assert_eq!(to_send(&dr).annotation(ANNOTATION), Some(empty));
        // A new Secret never has a choice to make.
        let created = Draft::create(opened(APPLIED), 1);
        assert!(!applies(&created));
    }

    #[test]
    fn the_copy_after_the_edit_says_which_keys_are_old() {
        let dr = rotated(CopyChoice::Remove);
        let copy = after_edit(&dr).unwrap();
        assert_eq!(copy.stale_names(), ["password"]);
        // Before the edit the copy was current.
        assert!(!last_applied::of(&dr.base).unwrap().is_stale());
    }

    #[test]
    fn choosing_counts_as_an_edit_so_an_earlier_dry_run_does_not_pass_it() {
        let mut dr = rotated(CopyChoice::Remove);
        let before = dr.revision;
        dr.choose_copy(CopyChoice::Update);
        assert!(dr.revision > before);
        assert_eq!(CopyChoice::Remove.next().next().next(), CopyChoice::Remove);
    }
}
