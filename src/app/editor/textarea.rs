//! The value editor's buffer: lines of text and a cursor, typing, pasting and erasing, undo and
//! redo. Its motions are in `motion.rs`, its cuts and the cut buffer in `kill.rs`, the undo
//! snapshots in `history.rs`.
//!
//! It holds value text, so nothing of it may outlive its use unwiped: lines are wiped when
//! removed, replaced or dropped; a line that must grow moves to a bigger allocation by hand and
//! wipes the old one (a `String` that reallocates frees its old buffer unwiped); the kill
//! buffer and every undo snapshot are `Zeroizing`. What the drawing copies into ratatui's
//! buffers is ratatui's: those cells are overwritten by the next frame.

use zeroize::{Zeroize, Zeroizing};

use super::history::{History, Snapshot};

/// A place in the text: a line and a column, both counted from 0; columns count characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Pos {
    pub row: usize,
    pub col: usize,
}

/// The edit before this one, for grouping undo steps and appending kills.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Last {
    /// A motion, an undo, a paste: the next edit starts a new undo step.
    Other,
    /// Characters typed (Enter and Tab included): one undo step until something else happens.
    Typing,
    /// Backspace or Delete pressed in a row: one undo step.
    Erasing,
    /// A kill: the next kill adds to the kill buffer instead of replacing it (as in readline).
    Kill,
}

/// A multi-line text buffer with a cursor.
pub struct TextArea {
    pub(super) lines: Vec<String>,
    pub(super) row: usize,
    pub(super) col: usize,
    /// What the last kill (Ctrl-K, Ctrl-U, Ctrl-W, Alt-D) removed: Ctrl-Y puts it back.
    pub(super) kill: Zeroizing<String>,
    history: History,
    pub(super) last: Last,
}

/// Never the text: the state is printed in test failures and could be logged.
impl std::fmt::Debug for TextArea {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TextArea")
            .field("lines", &self.lines.len())
            .field("row", &self.row)
            .field("col", &self.col)
            .field("undo_steps", &self.history.undo_len())
            .finish_non_exhaustive()
    }
}

impl Default for TextArea {
    fn default() -> Self {
        TextArea::new("")
    }
}

impl Drop for TextArea {
    fn drop(&mut self) {
        for l in &mut self.lines {
            l.zeroize();
        }
    }
}

/// The byte offset of a character column (the end when the line is shorter).
pub(super) fn byte_index(s: &str, col: usize) -> usize {
    s.char_indices().nth(col).map_or(s.len(), |(i, _)| i)
}

/// Makes room for `extra` more bytes in `s` without leaving a copy of it behind: the text moves
/// to a new allocation (doubling, as `String` would) and the old one is wiped.
pub(super) fn reserve(s: &mut String, extra: usize) {
    if s.capacity() - s.len() >= extra {
        return;
    }
    let mut grown = String::with_capacity((s.len() + extra).max(s.capacity() * 2).max(16));
    grown.push_str(s);
    std::mem::replace(s, grown).zeroize();
}

pub(super) fn chars(s: &str) -> usize {
    s.chars().count()
}

impl TextArea {
    pub(crate) fn new(text: &str) -> Self {
        TextArea {
            lines: text.split('\n').map(str::to_string).collect(),
            row: 0,
            col: 0,
            kill: Zeroizing::new(String::new()),
            history: History::default(),
            last: Last::Other,
        }
    }

    /// The lines (without their line breaks).
    pub fn lines(&self) -> &[String] {
        &self.lines
    }

    /// Where the cursor is.
    pub fn cursor(&self) -> Pos {
        Pos { row: self.row, col: self.col }
    }

    /// The whole text. The caller owns (and should zeroize) the copy.
    pub fn text(&self) -> String {
        self.lines.join("\n")
    }

    /// The size of the text in bytes (UTF-8, line breaks as one byte each), without copying it.
    pub(crate) fn byte_len(&self) -> usize {
        self.lines.iter().map(String::len).sum::<usize>() + self.lines.len() - 1
    }

    /// Whether Undo has a step to take back.
    #[cfg(test)]
    pub(crate) fn can_undo(&self) -> bool {
        self.history.undo_len() > 0
    }

    pub(super) fn line_len(&self) -> usize {
        self.lines.get(self.row).map_or(0, |l| chars(l))
    }

    pub(super) fn end_pos(&self) -> Pos {
        let row = self.lines.len() - 1;
        Pos { row, col: chars(&self.lines[row]) }
    }

    pub(super) fn set_cursor(&mut self, p: Pos) {
        self.row = p.row.min(self.lines.len() - 1);
        self.col = p.col.min(self.line_len());
    }

    /// Before an edit: a new undo step unless this edit continues the last one (typing after
    /// typing, erasing after erasing).
    pub(super) fn checkpoint(&mut self, now: Last) {
        let continues = now == self.last && matches!(now, Last::Typing | Last::Erasing);
        if !continues {
            let snapshot = Snapshot { text: Zeroizing::new(self.text()), cursor: self.cursor() };
            self.history.record(snapshot);
        }
        self.last = now;
    }

    /// A motion: the cursor moved, so the next edit is a step of its own.
    pub(super) fn moved(&mut self) {
        self.last = Last::Other;
    }

    // ---- Typing -------------------------------------------------------------------------

    pub(crate) fn insert_char(&mut self, c: char) {
        if c == '\r' {
            return;
        }
        if c == '\n' {
            self.newline();
            return;
        }
        self.checkpoint(Last::Typing);
        let line = &mut self.lines[self.row];
        let i = byte_index(line, self.col);
        reserve(line, c.len_utf8());
        line.insert(i, c);
        self.col += 1;
    }

    pub(crate) fn newline(&mut self) {
        self.checkpoint(Last::Typing);
        let line = &mut self.lines[self.row];
        let i = byte_index(line, self.col);
        // The tail is copied out; what stays behind in the line's spare capacity is wiped
        // with the line.
        let rest = line[i..].to_string();
        line.truncate(i);
        self.lines.insert(self.row + 1, rest);
        self.row += 1;
        self.col = 0;
    }

    /// Pasted text, as one undo step. Line breaks become `\n`: a CRLF pair and a lone CR (what
    /// terminals send for a line break in a paste) alike.
    pub(crate) fn insert_str(&mut self, s: &str) {
        if s.is_empty() {
            return;
        }
        self.checkpoint(Last::Other);
        let normalised = Zeroizing::new(s.replace("\r\n", "\n").replace('\r', "\n"));
        self.put(&normalised);
    }

    /// Inserts text (line breaks `\n`) at the cursor and puts the cursor after it.
    pub(super) fn put(&mut self, s: &str) {
        let mut parts = s.split('\n');
        let first = parts.next().unwrap_or("");
        let rest: Vec<&str> = parts.collect();
        let row = self.row;
        let line = &mut self.lines[row];
        let i = byte_index(line, self.col);
        match rest.split_last() {
            None => {
                reserve(line, first.len());
                line.insert_str(i, first);
                self.col += chars(first);
            }
            Some((last, middle)) => {
                // The text after the cursor goes to the end of the last inserted line.
                let mut new_last = String::with_capacity(last.len() + line.len() - i);
                new_last.push_str(last);
                new_last.push_str(&line[i..]);
                line.truncate(i);
                reserve(line, first.len());
                line.push_str(first);
                let inserted = middle.iter().map(|m| m.to_string()).chain(std::iter::once(new_last));
                self.lines.splice(row + 1..row + 1, inserted);
                self.row = row + rest.len();
                self.col = chars(last);
            }
        }
    }

    /// Removes the text from `from` to `to` (`from` first) and returns it; the cursor goes to
    /// `from`.
    pub(super) fn take(&mut self, from: Pos, to: Pos) -> Zeroizing<String> {
        let a = byte_index(&self.lines[from.row], from.col);
        let b = byte_index(&self.lines[to.row], to.col);
        let taken = if from.row == to.row {
            let line = &mut self.lines[from.row];
            let out = Zeroizing::new(line[a..b].to_string());
            line.replace_range(a..b, "");
            out
        } else {
            let size = self.lines[from.row].len() - a
                + self.lines[from.row + 1..to.row].iter().map(|l| l.len() + 1).sum::<usize>()
                + 1
                + b;
            let mut out = Zeroizing::new(String::with_capacity(size));
            out.push_str(&self.lines[from.row][a..]);
            for l in &self.lines[from.row + 1..to.row] {
                out.push('\n');
                out.push_str(l);
            }
            out.push('\n');
            out.push_str(&self.lines[to.row][..b]);
            let mut removed: Vec<String> = self.lines.drain(from.row + 1..=to.row).collect();
            let tail = removed.last().map_or("", |l| &l[b..]);
            let first = &mut self.lines[from.row];
            first.truncate(a);
            reserve(first, tail.len());
            first.push_str(tail);
            for l in &mut removed {
                l.zeroize();
            }
            out
        };
        self.row = from.row;
        self.col = from.col;
        taken
    }

    pub(crate) fn backspace(&mut self) {
        let at = self.cursor();
        let Some((p, _)) = self.chars_before(at).next() else { return };
        self.checkpoint(Last::Erasing);
        drop(self.take(p, at));
    }

    pub(crate) fn delete(&mut self) {
        let at = self.cursor();
        if at == self.end_pos() {
            return;
        }
        self.checkpoint(Last::Erasing);
        let to = self.chars_from(at).nth(1).map_or_else(|| self.end_pos(), |(p, _)| p);
        drop(self.take(at, to));
    }

    /// Empties the text (one undo step).
    pub fn clear(&mut self) {
        if self.lines.len() == 1 && self.lines[0].is_empty() {
            return;
        }
        self.checkpoint(Last::Other);
        for l in &mut self.lines {
            l.zeroize();
        }
        self.lines = vec![String::new()];
        self.row = 0;
        self.col = 0;
    }

    // ---- Undo ---------------------------------------------------------------------------

    /// Takes back the last step; false when there is none.
    pub(crate) fn undo(&mut self) -> bool {
        let current = Snapshot { text: Zeroizing::new(self.text()), cursor: self.cursor() };
        match self.history.undo(current) {
            Some(s) => {
                self.restore(s);
                true
            }
            None => false,
        }
    }

    /// Does again what Undo took back; false when there is nothing to redo.
    pub(crate) fn redo(&mut self) -> bool {
        let current = Snapshot { text: Zeroizing::new(self.text()), cursor: self.cursor() };
        match self.history.redo(current) {
            Some(s) => {
                self.restore(s);
                true
            }
            None => false,
        }
    }

    fn restore(&mut self, s: Snapshot) {
        for l in &mut self.lines {
            l.zeroize();
        }
        self.lines = s.text.split('\n').map(str::to_string).collect();
        self.set_cursor(s.cursor);
        self.last = Last::Other;
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    /// A text area with the cursor where `|` is.
    pub(in crate::app::editor) fn at(text_with_cursor: &str) -> TextArea {
        let (before, after) = text_with_cursor.split_once('|').expect("a cursor");
        let mut t = TextArea::new(&format!("{before}{after}"));
        let row = before.matches('\n').count();
        let col = chars(before.rsplit('\n').next().unwrap_or(""));
        t.set_cursor(Pos { row, col });
        t
    }

    /// The text with `|` where the cursor is.
    pub(in crate::app::editor) fn shown(t: &TextArea) -> String {
        let mut lines = t.lines.clone();
        let i = byte_index(&lines[t.row], t.col);
        lines[t.row].insert(i, '|');
        lines.join("\n")
    }

    #[test]
    fn editing_text() {
        let mut t = TextArea::new("ab");
        t.end();
        t.insert_char('c');
        t.newline();
        t.insert_str("d\r\ne");
        assert_eq!(t.text(), "abc\nd\ne");
        t.backspace();
        t.backspace();
        assert_eq!(t.text(), "abc\nd");
        t.up();
        t.home();
        t.delete();
        assert_eq!(t.text(), "bc\nd");
        t.end();
        t.delete();
        assert_eq!(t.text(), "bcd");
        let mut u = TextArea::new("päß");
        u.end();
        u.backspace();
        assert_eq!(u.text(), "pä");
        assert_eq!(u.byte_len(), 3);
    }

    #[test]
    fn typed_characters_are_one_undo_step_and_a_motion_ends_it() {
        let mut t = at("|");
        for c in "hello".chars() {
            t.insert_char(c);
        }
        t.newline();
        t.insert_char('x');
        t.left();
        t.insert_char('y');
        assert_eq!(shown(&t), "hello\ny|x");
        assert!(t.undo());
        assert_eq!(shown(&t), "hello\n|x");
        assert!(t.undo());
        assert_eq!(shown(&t), "|");
        assert!(!t.undo());
        assert!(t.redo());
        // Redo brings back the text and the cursor as they were when Undo was pressed.
        assert_eq!(shown(&t), "hello\n|x");
        assert!(t.redo());
        assert_eq!(shown(&t), "hello\ny|x");
        assert!(!t.redo());
    }

    #[test]
    fn erasing_in_a_row_is_one_step_and_an_edit_after_undo_drops_redo() {
        let mut t = at("secret|");
        t.backspace();
        t.backspace();
        t.backspace();
        assert_eq!(shown(&t), "sec|");
        t.undo();
        assert_eq!(shown(&t), "secret|");
        t.insert_char('!');
        assert!(!t.redo(), "a new edit forgets what was undone");
        assert_eq!(t.text(), "secret!");
    }

    #[test]
    fn a_paste_a_kill_and_a_yank_are_one_step_each() {
        let mut t = at("|");
        t.insert_str("-----BEGIN X-----\r\nAAAA\r\n-----END X-----\r\n");
        assert_eq!(t.text(), "-----BEGIN X-----\nAAAA\n-----END X-----\n");
        t.text_start();
        t.kill_to_end();
        t.yank();
        t.undo();
        assert_eq!(t.text(), "\nAAAA\n-----END X-----\n");
        t.undo();
        assert_eq!(t.text(), "-----BEGIN X-----\nAAAA\n-----END X-----\n");
        t.undo();
        assert_eq!(t.text(), "");
        assert!(!t.can_undo());
    }

    #[test]
    fn no_op_edits_are_not_undo_steps() {
        let mut t = at("|x");
        t.backspace();
        t.kill_to_start();
        t.kill_word_back();
        t.yank();
        t.text_end();
        t.delete();
        t.kill_word_forward();
        assert!(!t.can_undo());
        t.clear();
        assert!(t.can_undo());
        t.undo();
        assert_eq!(t.text(), "x");
    }

    #[test]
    fn a_line_that_grows_leaves_no_copy_behind() {
        let mut s = String::with_capacity(2);
        s.push_str("ab");
        let old = s.as_ptr();
        reserve(&mut s, 1);
        assert_ne!(s.as_ptr(), old, "moved");
        assert_eq!(s, "ab");
        assert!(s.capacity() >= 16);
        let before = s.as_ptr();
        reserve(&mut s, 3);
        assert_eq!(s.as_ptr(), before, "room enough: not moved");
    }

    #[test]
    fn the_debug_form_never_shows_the_text() {
        let t = at("hunter2|");
        let d = format!("{t:?}");
        assert!(!d.contains("hunter2"), "{d}");
    }
}
