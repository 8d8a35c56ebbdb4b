//! The value editor's buffer: lines of text and a cursor, the edits a terminal user expects
//! (readline's kills and word motions, one kill buffer, undo and redo), and nothing else.
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
enum Last {
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
    lines: Vec<String>,
    row: usize,
    col: usize,
    /// What the last kill (Ctrl-K, Ctrl-U, Ctrl-W, Alt-D) removed: Ctrl-Y puts it back.
    kill: Zeroizing<String>,
    history: History,
    last: Last,
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
fn reserve(s: &mut String, extra: usize) {
    if s.capacity() - s.len() >= extra {
        return;
    }
    let mut grown = String::with_capacity((s.len() + extra).max(s.capacity() * 2).max(16));
    grown.push_str(s);
    std::mem::replace(s, grown).zeroize();
}

fn chars(s: &str) -> usize {
    s.chars().count()
}

/// Letters and digits: the words of Alt-B, Alt-F and Alt-D (readline's).
fn alphanumeric(c: char) -> bool {
    c.is_alphanumeric()
}

/// Anything but whitespace: the words of Ctrl-W (readline's unix-word-rubout).
fn not_space(c: char) -> bool {
    !c.is_whitespace()
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

    fn line_len(&self) -> usize {
        self.lines.get(self.row).map_or(0, |l| chars(l))
    }

    fn end_pos(&self) -> Pos {
        let row = self.lines.len() - 1;
        Pos { row, col: chars(&self.lines[row]) }
    }

    fn set_cursor(&mut self, p: Pos) {
        self.row = p.row.min(self.lines.len() - 1);
        self.col = p.col.min(self.line_len());
    }

    /// Before an edit: a new undo step unless this edit continues the last one (typing after
    /// typing, erasing after erasing).
    fn checkpoint(&mut self, now: Last) {
        let continues = now == self.last && matches!(now, Last::Typing | Last::Erasing);
        if !continues {
            let snapshot = Snapshot { text: Zeroizing::new(self.text()), cursor: self.cursor() };
            self.history.record(snapshot);
        }
        self.last = now;
    }

    /// A motion: the cursor moved, so the next edit is a step of its own.
    fn moved(&mut self) {
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
    fn put(&mut self, s: &str) {
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
    fn take(&mut self, from: Pos, to: Pos) -> Zeroizing<String> {
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

    // ---- Kills and the yank -------------------------------------------------------------

    /// Removes `from..to` into the kill buffer: after another kill it is added to what that
    /// one took (in front when killing backwards), else it replaces it.
    fn kill(&mut self, from: Pos, to: Pos, backwards: bool) -> bool {
        if from == to {
            return false;
        }
        let after_kill = self.last == Last::Kill;
        self.checkpoint(Last::Kill);
        let taken = self.take(from, to);
        if !after_kill {
            self.kill.zeroize();
            *self.kill = String::new();
        }
        let mut joined = Zeroizing::new(String::with_capacity(self.kill.len() + taken.len()));
        if backwards {
            joined.push_str(&taken);
            joined.push_str(&self.kill);
        } else {
            joined.push_str(&self.kill);
            joined.push_str(&taken);
        }
        self.kill = joined;
        true
    }

    /// Ctrl-K: to the end of the line; at the end of a line, the line break.
    pub(crate) fn kill_to_end(&mut self) -> bool {
        let at = self.cursor();
        let to = if self.col < self.line_len() {
            Pos { row: self.row, col: self.line_len() }
        } else if self.row + 1 < self.lines.len() {
            Pos { row: self.row + 1, col: 0 }
        } else {
            at
        };
        self.kill(at, to, false)
    }

    /// Ctrl-U: from the start of the line to the cursor.
    pub(crate) fn kill_to_start(&mut self) -> bool {
        let at = self.cursor();
        self.kill(Pos { row: self.row, col: 0 }, at, true)
    }

    /// Ctrl-W: the word before the cursor, back to the whitespace before it.
    pub(crate) fn kill_word_back(&mut self) -> bool {
        let at = self.cursor();
        let from = self.word_start_before(at, not_space);
        self.kill(from, at, true)
    }

    /// Alt-D: to the end of the word after the cursor (where Alt-F goes).
    pub(crate) fn kill_word_forward(&mut self) -> bool {
        let at = self.cursor();
        let to = self.word_end_after(at, alphanumeric);
        self.kill(at, to, false)
    }

    /// Ctrl-Y: what the last kill took, at the cursor (one undo step).
    pub(crate) fn yank(&mut self) -> bool {
        if self.kill.is_empty() {
            return false;
        }
        self.checkpoint(Last::Other);
        let text = Zeroizing::new(self.kill.as_str().to_string());
        self.put(&text);
        true
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

    // ---- Motions ------------------------------------------------------------------------

    pub(crate) fn left(&mut self) {
        self.moved();
        if self.col > 0 {
            self.col -= 1;
        } else if self.row > 0 {
            self.row -= 1;
            self.col = self.line_len();
        }
    }

    pub(crate) fn right(&mut self) {
        self.moved();
        if self.col < self.line_len() {
            self.col += 1;
        } else if self.row + 1 < self.lines.len() {
            self.row += 1;
            self.col = 0;
        }
    }

    pub(crate) fn up(&mut self) {
        self.moved();
        if self.row > 0 {
            self.row -= 1;
            self.col = self.col.min(self.line_len());
        }
    }

    pub fn down(&mut self) {
        self.moved();
        if self.row + 1 < self.lines.len() {
            self.row += 1;
            self.col = self.col.min(self.line_len());
        }
    }

    pub(crate) fn home(&mut self) {
        self.moved();
        self.col = 0;
    }

    pub fn end(&mut self) {
        self.moved();
        self.col = self.line_len();
    }

    /// The very start of the text.
    pub(crate) fn text_start(&mut self) {
        self.moved();
        self.set_cursor(Pos::default());
    }

    /// The very end of the text.
    pub(crate) fn text_end(&mut self) {
        self.moved();
        let end = self.end_pos();
        self.set_cursor(end);
    }

    /// Alt-B, Ctrl-Left: to the start of this word or the one before.
    pub(crate) fn word_left(&mut self) {
        self.moved();
        let p = self.word_start_before(self.cursor(), alphanumeric);
        self.set_cursor(p);
    }

    /// Alt-F, Ctrl-Right: to the end of this word or the next.
    pub(crate) fn word_right(&mut self) {
        self.moved();
        let p = self.word_end_after(self.cursor(), alphanumeric);
        self.set_cursor(p);
    }

    /// The characters from `at` on, each with where it is; a line break is `\n` at the end of
    /// its line.
    fn chars_from(&self, at: Pos) -> impl Iterator<Item = (Pos, char)> + '_ {
        let n = self.lines.len();
        self.lines.iter().enumerate().skip(at.row).flat_map(move |(row, line)| {
            let skip = if row == at.row { at.col } else { 0 };
            let brk = (row + 1 < n).then(|| (Pos { row, col: chars(line) }, '\n'));
            line.chars().enumerate().skip(skip).map(move |(col, c)| (Pos { row, col }, c)).chain(brk)
        })
    }

    /// The characters before `at`, nearest first, each with where it is.
    fn chars_before(&self, at: Pos) -> impl Iterator<Item = (Pos, char)> + '_ {
        (0..=at.row).rev().flat_map(move |row| {
            let line = &self.lines[row];
            let n = if row == at.row { at.col.min(chars(line)) } else { chars(line) };
            let brk = row.checked_sub(1).map(|r| (Pos { row: r, col: chars(&self.lines[r]) }, '\n'));
            line[..byte_index(line, n)]
                .chars()
                .rev()
                .enumerate()
                .map(move |(i, c)| (Pos { row, col: n - 1 - i }, c))
                .chain(brk)
        })
    }

    /// Past the characters that are not of a word, then past the word.
    fn word_end_after(&self, at: Pos, word: fn(char) -> bool) -> Pos {
        let mut in_word = false;
        for (p, c) in self.chars_from(at) {
            if word(c) {
                in_word = true;
            } else if in_word {
                return p;
            }
        }
        self.end_pos()
    }

    /// Back over the characters that are not of a word, then to the start of the word.
    fn word_start_before(&self, at: Pos, word: fn(char) -> bool) -> Pos {
        let mut in_word = false;
        let mut last = at;
        for (p, c) in self.chars_before(at) {
            if word(c) {
                in_word = true;
            } else if in_word {
                return last;
            }
            last = p;
        }
        last
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A text area with the cursor where `|` is.
    fn at(text_with_cursor: &str) -> TextArea {
        let (before, after) = text_with_cursor.split_once('|').expect("a cursor");
        let mut t = TextArea::new(&format!("{before}{after}"));
        let row = before.matches('\n').count();
        let col = chars(before.rsplit('\n').next().unwrap_or(""));
        t.set_cursor(Pos { row, col });
        t
    }

    /// The text with `|` where the cursor is.
    fn shown(t: &TextArea) -> String {
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
    fn ctrl_a_ctrl_e_and_the_ends_of_the_text() {
        let mut t = at("one\ntw|o\nthree");
        t.home();
        assert_eq!(shown(&t), "one\n|two\nthree");
        t.end();
        assert_eq!(shown(&t), "one\ntwo|\nthree");
        t.text_start();
        assert_eq!(shown(&t), "|one\ntwo\nthree");
        t.text_end();
        assert_eq!(shown(&t), "one\ntwo\nthree|");
    }

    #[test]
    fn word_motions_stop_at_letters_and_digits_and_cross_lines() {
        let mut t = at("|user=admin pass-w0rd\nnext line");
        t.word_right();
        assert_eq!(shown(&t), "user|=admin pass-w0rd\nnext line");
        t.word_right();
        assert_eq!(shown(&t), "user=admin| pass-w0rd\nnext line");
        t.word_right();
        t.word_right();
        assert_eq!(shown(&t), "user=admin pass-w0rd|\nnext line");
        t.word_right();
        assert_eq!(shown(&t), "user=admin pass-w0rd\nnext| line");
        t.word_left();
        assert_eq!(shown(&t), "user=admin pass-w0rd\n|next line");
        t.word_left();
        assert_eq!(shown(&t), "user=admin pass-|w0rd\nnext line");
        t.word_left();
        t.word_left();
        t.word_left();
        assert_eq!(shown(&t), "|user=admin pass-w0rd\nnext line");
        t.word_left();
        assert_eq!(shown(&t), "|user=admin pass-w0rd\nnext line");
        let mut end = at("a b  |");
        end.word_right();
        assert_eq!(shown(&end), "a b  |");
        end.word_left();
        assert_eq!(shown(&end), "a |b  ");
    }

    #[test]
    fn ctrl_k_kills_to_the_end_of_the_line_then_the_line_break() {
        let mut t = at("ab|cd\nef");
        assert!(t.kill_to_end());
        assert_eq!(shown(&t), "ab|\nef");
        assert!(t.kill_to_end());
        assert_eq!(shown(&t), "ab|ef");
        // Two kills in a row: Ctrl-Y puts back both.
        assert_eq!(t.kill.as_str(), "cd\n");
        t.text_end();
        assert!(t.yank());
        assert_eq!(shown(&t), "abefcd\n|");
        let mut last = at("x|");
        assert!(!last.kill_to_end(), "nothing after the cursor");
    }

    #[test]
    fn ctrl_u_kills_to_the_start_of_the_line() {
        let mut t = at("one\ntw|o");
        assert!(t.kill_to_start());
        assert_eq!(shown(&t), "one\n|o");
        assert_eq!(t.kill.as_str(), "tw");
        assert!(!t.kill_to_start(), "nothing before the cursor on this line");
    }

    #[test]
    fn ctrl_w_kills_back_to_whitespace_and_kills_in_a_row_join() {
        let mut t = at("key: s3cr3t/pa+ss  |");
        assert!(t.kill_word_back());
        assert_eq!(shown(&t), "key: |");
        assert!(t.kill_word_back());
        assert_eq!(shown(&t), "|");
        assert_eq!(t.kill.as_str(), "key: s3cr3t/pa+ss  ");
        let mut lines = at("a\n|b");
        assert!(lines.kill_word_back());
        assert_eq!(shown(&lines), "|b");
    }

    #[test]
    fn alt_d_kills_the_word_after_the_cursor() {
        let mut t = at("pa|ss-word rest");
        assert!(t.kill_word_forward());
        assert_eq!(shown(&t), "pa|-word rest");
        assert!(t.kill_word_forward());
        assert_eq!(shown(&t), "pa| rest");
        assert_eq!(t.kill.as_str(), "ss-word");
        // A motion ends the run: the next kill replaces the buffer.
        t.right();
        assert!(t.kill_word_forward());
        assert_eq!(t.kill.as_str(), "rest");
    }

    #[test]
    fn ctrl_y_yanks_the_last_kill_anywhere_and_again() {
        let mut t = at("abc|");
        assert!(!t.yank(), "nothing killed yet");
        t.kill_to_start();
        assert!(t.yank());
        assert!(t.yank());
        assert_eq!(shown(&t), "abcabc|");
        let mut multi = at("one\ntwo\n|");
        multi.text_start();
        multi.kill_to_end();
        multi.kill_to_end();
        multi.text_end();
        multi.yank();
        assert_eq!(shown(&multi), "two\none\n|");
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
