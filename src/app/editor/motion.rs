//! Cursor motions of the value editor: by character, line, word (readline's words: letters and
//! digits) and to the ends of the value; and the walks over the text that words are found by.

use super::textarea::{Pos, TextArea, byte_index, chars};

/// Letters and digits: the words of Alt-B, Alt-F and Alt-D (readline's).
pub(super) fn alphanumeric(c: char) -> bool {
    c.is_alphanumeric()
}

/// Anything but whitespace: the words of Ctrl-W (readline's unix-word-rubout).
pub(super) fn not_space(c: char) -> bool {
    !c.is_whitespace()
}

impl TextArea {
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
    pub(super) fn chars_from(&self, at: Pos) -> impl Iterator<Item = (Pos, char)> + '_ {
        let n = self.lines.len();
        self.lines.iter().enumerate().skip(at.row).flat_map(move |(row, line)| {
            let skip = if row == at.row { at.col } else { 0 };
            let brk = (row + 1 < n).then(|| (Pos { row, col: chars(line) }, '\n'));
            line.chars().enumerate().skip(skip).map(move |(col, c)| (Pos { row, col }, c)).chain(brk)
        })
    }

    /// The characters before `at`, nearest first, each with where it is.
    pub(super) fn chars_before(&self, at: Pos) -> impl Iterator<Item = (Pos, char)> + '_ {
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
    pub(super) fn word_end_after(&self, at: Pos, word: fn(char) -> bool) -> Pos {
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
    pub(super) fn word_start_before(&self, at: Pos, word: fn(char) -> bool) -> Pos {
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
    use super::super::textarea::tests::{at, shown};

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
}
