//! Cutting and pasting inside the value editor, as readline does: Ctrl-K, Ctrl-U, Ctrl-W,
//! Alt-D into one cut buffer (kills in a row add up), Ctrl-Y to put it back. The buffer is
//! `Zeroizing` and belongs to the editor: it goes when the editor closes.

use zeroize::{Zeroize, Zeroizing};

use super::motion::{alphanumeric, not_space};
use super::textarea::{Last, Pos, TextArea};

impl TextArea {
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
}

#[cfg(test)]
mod tests {
    use super::super::textarea::tests::{at, shown};

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
}
