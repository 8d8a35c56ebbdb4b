//! Undo and redo for the value editor: whole-text snapshots, each `Zeroizing`, so that every
//! copy of the value the history keeps is wiped when it is dropped: when undone past and then
//! replaced by a new edit, when the history is full and the oldest step goes, and when the
//! editor closes.
//!
//! Snapshots rather than a log of edits: a value is small (the API server takes at most 1 MiB
//! for the whole Secret), an edit of any shape (a kill across lines, a paste, a yank) is undone
//! the same way, and there is one kind of buffer to wipe. Bounded by steps and by bytes.

use zeroize::Zeroizing;

use super::textarea::Pos;

/// The most undo steps kept.
const MAX_STEPS: usize = 200;
/// The most bytes of snapshots kept (a 1 MiB value keeps its last 16 steps).
const MAX_BYTES: usize = 16 << 20;

/// The text and cursor before (or, on the redo side, after) a step.
pub(super) struct Snapshot {
    pub text: Zeroizing<String>,
    pub cursor: Pos,
}

#[derive(Default)]
pub(super) struct History {
    undo: Vec<Snapshot>,
    redo: Vec<Snapshot>,
}

impl History {
    pub(super) fn undo_len(&self) -> usize {
        self.undo.len()
    }

    /// A new step, with the state before it. What was undone can no longer be redone: those
    /// snapshots are dropped (and wiped).
    pub(super) fn record(&mut self, before: Snapshot) {
        self.redo.clear();
        self.undo.push(before);
        let mut bytes: usize = self.undo.iter().map(|s| s.text.len()).sum();
        // The newest step is always kept, however large.
        while self.undo.len() > 1 && (self.undo.len() > MAX_STEPS || bytes > MAX_BYTES) {
            let oldest = self.undo.remove(0);
            bytes -= oldest.text.len();
        }
    }

    /// The state to go back to; `current` is kept for redo.
    pub(super) fn undo(&mut self, current: Snapshot) -> Option<Snapshot> {
        let back = self.undo.pop()?;
        self.redo.push(current);
        Some(back)
    }

    /// The state to go forward to; `current` is kept for undo.
    pub(super) fn redo(&mut self, current: Snapshot) -> Option<Snapshot> {
        let forward = self.redo.pop()?;
        self.undo.push(current);
        Some(forward)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snap(text: &str) -> Snapshot {
        Snapshot { text: Zeroizing::new(text.to_string()), cursor: Pos::default() }
    }

    #[test]
    fn the_oldest_steps_go_first_past_the_limits() {
        let mut h = History::default();
        for i in 0..MAX_STEPS + 5 {
            h.record(snap(&i.to_string()));
        }
        assert_eq!(h.undo_len(), MAX_STEPS);
        assert_eq!(h.undo[0].text.as_str(), "5");
        let big = "x".repeat(MAX_BYTES / 2 + 1);
        h.record(snap(&big));
        h.record(snap(&big));
        assert_eq!(h.undo_len(), 1, "two halves do not fit: only the newest is kept");
    }

    #[test]
    fn a_new_step_forgets_what_was_undone() {
        let mut h = History::default();
        h.record(snap("a"));
        let back = h.undo(snap("ab")).unwrap();
        assert_eq!(back.text.as_str(), "a");
        h.record(snap("a"));
        assert!(h.redo(snap("ax")).is_none());
    }
}
