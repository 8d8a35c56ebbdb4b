//! The value editor's keys through the update function, each as a terminal sends it (crossterm's
//! reading of the bytes: Ctrl-_ arrives as Ctrl-7, Alt-b as `b` with Alt), with the default
//! keymap and with the user's overrides; pastes; and what the editor draws (the counter, the
//! mask, long lines). The buffer's own rules are unit-tested in `app/editor/textarea.rs`.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use zeroize::Zeroizing;

use crate::app::effect::Effect;
use crate::app::msg::Msg;
use crate::app::state::{Modal, State};
use crate::app::tests::{key, state};
use crate::app::update;
use crate::keymap::{Action, Key, Keymap};
use crate::secret::{Secret, SecretValue};

const NONE: KeyModifiers = KeyModifiers::NONE;
const CTRL: KeyModifiers = KeyModifiers::CONTROL;
const ALT: KeyModifiers = KeyModifiers::ALT;

/// `alpha` opened with these values and the editor opened on `key`.
fn editing(pairs: &[(&str, &[u8])], key_name: &str) -> State {
    editing_with(pairs, key_name, Keymap::default())
}

fn editing_with(pairs: &[(&str, &[u8])], key_name: &str, keymap: Keymap) -> State {
    let mut s = state();
    s.options.keymap = keymap;
    key(&mut s, KeyCode::Enter);
    let target = s.detail.as_ref().unwrap().target();
    let mut secret = Secret::new("default", "alpha", "Opaque");
    secret.metadata.resource_version = Some("1".into());
    secret.data = Some(pairs.iter().map(|(k, v)| (k.to_string(), SecretValue::new(v.to_vec()))).collect());
    update(&mut s, Msg::Opened { target, secret: Box::new(secret) });
    let d = s.detail.as_mut().unwrap();
    d.selected_key = d.keys().iter().position(|k| *k == key_name).unwrap();
    key(&mut s, KeyCode::Char('e'));
    assert!(matches!(s.modal, Some(Modal::Editor(_))), "the editor opens");
    s
}

fn press(s: &mut State, code: KeyCode, mods: KeyModifiers) -> Vec<Effect> {
    update(s, Msg::Key(KeyEvent::new(code, mods)))
}

fn ch(s: &mut State, c: char, mods: KeyModifiers) -> Vec<Effect> {
    press(s, KeyCode::Char(c), mods)
}

fn typed(s: &mut State, text: &str) {
    for c in text.chars() {
        ch(s, c, NONE);
    }
}

/// The editor's text with `|` at the cursor.
fn shown(s: &State) -> String {
    let Some(Modal::Editor(e)) = &s.modal else { panic!("the editor is open: {:?}", s.modal) };
    let mut lines = e.area.lines().to_vec();
    let c = e.area.cursor();
    let i = lines[c.row].char_indices().nth(c.col).map_or(lines[c.row].len(), |(i, _)| i);
    lines[c.row].insert(i, '|');
    lines.join("\n")
}

fn error(s: &State) -> Option<String> {
    match &s.modal {
        Some(Modal::Editor(e)) => e.error.clone(),
        _ => None,
    }
}

/// The value of `key` in the draft.
fn saved(s: &State, k: &str) -> Vec<u8> {
    s.detail.as_ref().unwrap().draft.as_ref().unwrap().work.get(k).unwrap().as_bytes().to_vec()
}

fn screen(s: &State, w: u16, h: u16) -> String {
    let mut term = ratatui::Terminal::new(ratatui::backend::TestBackend::new(w, h)).unwrap();
    term.draw(|f| crate::ui::draw(f, s, &crate::ui::Theme::mono())).unwrap();
    let buf = term.backend().buffer();
    (0..h).map(|y| (0..w).map(|x| buf[(x, y)].symbol()).collect::<String>().trim_end().to_string() + "\n").collect()
}

#[test]
fn ctrl_a_and_ctrl_e_and_home_and_end_go_to_the_ends_of_the_line() {
    let mut s = editing(&[("password", b"old")], "password");
    assert_eq!(shown(&s), "|old");
    ch(&mut s, 'e', CTRL);
    assert_eq!(shown(&s), "old|");
    ch(&mut s, 'a', CTRL);
    assert_eq!(shown(&s), "|old");
    press(&mut s, KeyCode::End, NONE);
    assert_eq!(shown(&s), "old|");
    press(&mut s, KeyCode::Home, NONE);
    assert_eq!(shown(&s), "|old");
}

#[test]
fn arrows_and_ctrl_b_f_p_n_move_by_characters_and_lines() {
    let mut s = editing(&[("config", b"ab\ncd")], "config");
    press(&mut s, KeyCode::Right, NONE);
    ch(&mut s, 'f', CTRL);
    assert_eq!(shown(&s), "ab|\ncd");
    press(&mut s, KeyCode::Down, NONE);
    assert_eq!(shown(&s), "ab\ncd|");
    ch(&mut s, 'p', CTRL);
    assert_eq!(shown(&s), "ab|\ncd");
    ch(&mut s, 'n', CTRL);
    press(&mut s, KeyCode::Left, NONE);
    ch(&mut s, 'b', CTRL);
    assert_eq!(shown(&s), "ab\n|cd");
    press(&mut s, KeyCode::Up, NONE);
    assert_eq!(shown(&s), "|ab\ncd");
}

#[test]
fn alt_b_alt_f_and_ctrl_arrows_move_by_words() {
    let mut s = editing(&[("url", b"https://db.example:5432/app")], "url");
    ch(&mut s, 'f', ALT);
    assert_eq!(shown(&s), "https|://db.example:5432/app");
    press(&mut s, KeyCode::Right, CTRL);
    assert_eq!(shown(&s), "https://db|.example:5432/app");
    ch(&mut s, 'b', ALT);
    assert_eq!(shown(&s), "https://|db.example:5432/app");
    press(&mut s, KeyCode::Left, CTRL);
    assert_eq!(shown(&s), "|https://db.example:5432/app");
}

#[test]
fn ctrl_home_ctrl_end_and_alt_angle_brackets_go_to_the_ends_of_the_value() {
    let mut s = editing(&[("pem", b"one\ntwo\nthree")], "pem");
    press(&mut s, KeyCode::End, CTRL);
    assert_eq!(shown(&s), "one\ntwo\nthree|");
    press(&mut s, KeyCode::Home, CTRL);
    assert_eq!(shown(&s), "|one\ntwo\nthree");
    ch(&mut s, '>', ALT);
    assert_eq!(shown(&s), "one\ntwo\nthree|");
    ch(&mut s, '<', ALT);
    assert_eq!(shown(&s), "|one\ntwo\nthree");
}

#[test]
fn enter_tab_backspace_ctrl_h_delete_and_ctrl_d_edit() {
    let mut s = editing(&[("password", b"old")], "password");
    press(&mut s, KeyCode::Enter, NONE);
    press(&mut s, KeyCode::Tab, NONE);
    assert_eq!(shown(&s), "\n\t|old");
    press(&mut s, KeyCode::Backspace, NONE);
    ch(&mut s, 'h', CTRL);
    assert_eq!(shown(&s), "|old");
    press(&mut s, KeyCode::Delete, NONE);
    ch(&mut s, 'd', CTRL);
    assert_eq!(shown(&s), "|d");
}

#[test]
fn ctrl_k_and_ctrl_u_cut_and_ctrl_y_pastes_the_cut_back() {
    let mut s = editing(&[("password", b"old-secret")], "password");
    ch(&mut s, 'f', ALT);
    ch(&mut s, 'k', CTRL);
    assert_eq!(shown(&s), "old|");
    ch(&mut s, 'a', CTRL);
    ch(&mut s, 'y', CTRL);
    assert_eq!(shown(&s), "-secret|old");
    ch(&mut s, 'u', CTRL);
    assert_eq!(shown(&s), "|old");
    typed(&mut s, "new");
    ch(&mut s, 'e', CTRL);
    ch(&mut s, 'y', CTRL);
    assert_eq!(shown(&s), "newold-secret|");
}

#[test]
fn ctrl_w_and_alt_backspace_cut_the_word_before_and_alt_d_and_ctrl_delete_the_word_after() {
    let mut s = editing(&[("args", b"--user admin --pass s3cr3t")], "args");
    ch(&mut s, 'e', CTRL);
    ch(&mut s, 'w', CTRL);
    assert_eq!(shown(&s), "--user admin --pass |");
    press(&mut s, KeyCode::Backspace, ALT);
    assert_eq!(shown(&s), "--user admin |");
    ch(&mut s, 'a', CTRL);
    ch(&mut s, 'd', ALT);
    assert_eq!(shown(&s), "| admin ");
    press(&mut s, KeyCode::Delete, CTRL);
    assert_eq!(shown(&s), "| ");
    ch(&mut s, 'y', CTRL);
    assert_eq!(shown(&s), "--user admin| ", "the two cuts in a row are pasted together");
}

#[test]
fn ctrl_y_with_nothing_cut_says_so() {
    let mut s = editing(&[("password", b"old")], "password");
    ch(&mut s, 'y', CTRL);
    assert_eq!(shown(&s), "|old");
    assert!(error(&s).unwrap().contains("Nothing to paste"));
    typed(&mut s, "x");
    assert_eq!(error(&s), None, "the message goes with the next key");
}

/// Ctrl-_ and Ctrl-/ are one byte (0x1F), which crossterm reports as Ctrl-7; terminals with the
/// kitty protocol report them as typed. All of them undo.
#[test]
fn ctrl_underscore_ctrl_slash_and_ctrl_7_undo_and_alt_underscore_and_ctrl_r_redo() {
    let mut s = editing(&[("password", b"old")], "password");
    ch(&mut s, 'e', CTRL);
    typed(&mut s, "123");
    ch(&mut s, 'a', CTRL);
    ch(&mut s, 'k', CTRL);
    assert_eq!(shown(&s), "|");
    ch(&mut s, '7', CTRL);
    assert_eq!(shown(&s), "|old123", "the cut is undone");
    ch(&mut s, '_', CTRL);
    assert_eq!(shown(&s), "old|", "the typed characters are one step");
    ch(&mut s, '/', CTRL);
    assert_eq!(error(&s).as_deref(), Some("Nothing to undo"));
    let fx = ch(&mut s, 'r', CTRL);
    assert!(fx.is_empty(), "Ctrl-R redoes in the editor; it does not reload: {fx:?}");
    // Redo brings back the text and cursor of when Undo was pressed.
    assert_eq!(shown(&s), "|old123");
    ch(&mut s, '_', ALT);
    assert_eq!(shown(&s), "|");
    ch(&mut s, '_', ALT);
    assert_eq!(error(&s).as_deref(), Some("Nothing to redo"));
}

#[test]
fn ctrl_z_still_suspends_in_the_editor_and_the_text_stays() {
    let mut s = editing(&[("password", b"old")], "password");
    typed(&mut s, "x");
    assert_eq!(ch(&mut s, 'z', CTRL), vec![Effect::Suspend]);
    assert_eq!(shown(&s), "x|old");
}

#[test]
fn unbound_ctrl_and_alt_letters_type_nothing() {
    let mut s = editing(&[("password", b"old")], "password");
    ch(&mut s, 'x', ALT);
    ch(&mut s, 'g', CTRL);
    assert_eq!(shown(&s), "|old");
}

#[test]
fn the_users_keys_replace_the_editor_defaults_and_may_take_ctrl_z_for_undo() {
    let overrides = [
        (Action::Undo, vec![Key(KeyCode::Char('z'), CTRL)]),
        (Action::KillToEnd, vec![Key(KeyCode::Char('x'), ALT)]),
        (Action::LineStart, vec![]),
    ];
    let mut s = editing_with(&[("password", b"old")], "password", Keymap::with_overrides(overrides.into()));
    ch(&mut s, 'k', CTRL);
    assert_eq!(shown(&s), "|old", "Ctrl-K is no longer bound");
    ch(&mut s, 'x', ALT);
    assert_eq!(shown(&s), "|");
    let fx = ch(&mut s, 'z', CTRL);
    assert!(fx.is_empty(), "the editor's binding comes before the global suspend: {fx:?}");
    assert_eq!(shown(&s), "|old");
    ch(&mut s, 'e', CTRL);
    ch(&mut s, 'a', CTRL);
    press(&mut s, KeyCode::Home, NONE);
    assert_eq!(shown(&s), "old|", "line_start = [] unbinds Ctrl-A and Home");
}

/// A PEM block pasted from a terminal: bracketed paste delivers its line breaks as CR (as
/// xterm, iTerm2 and most terminals send them) or CRLF; saved, the value has LF line breaks and
/// the final newline, byte for byte.
#[test]
fn a_pasted_pem_block_is_saved_byte_for_byte() {
    let pem =
        "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUQ2Vy\ndGlmaWNhdGUgYm9keQ==\n-----END CERTIFICATE-----\n";
    for sent in [pem.replace('\n', "\r"), pem.replace('\n', "\r\n"), pem.to_string()] {
        let mut s = editing(&[("tls.crt", b"old")], "tls.crt");
        ch(&mut s, 'k', CTRL);
        update(&mut s, Msg::Paste(Zeroizing::new(sent)));
        ch(&mut s, 's', CTRL);
        assert!(s.modal.is_none(), "kept: {:?}", s.modal);
        assert_eq!(String::from_utf8(saved(&s, "tls.crt")).unwrap(), pem);
    }
}

#[test]
fn a_paste_is_one_undo_step() {
    let mut s = editing(&[("password", b"old")], "password");
    typed(&mut s, "ab");
    update(&mut s, Msg::Paste(Zeroizing::new("line one\rline two".into())));
    assert_eq!(shown(&s), "abline one\nline two|old");
    ch(&mut s, '7', CTRL);
    assert_eq!(shown(&s), "ab|old");
}

/// In hex and base64, line breaks of any kind are layout: the bytes come from the digits.
#[test]
fn a_pasted_base64_or_hex_value_with_crlf_saves_the_decoded_bytes() {
    let mut s = editing(&[("blob", &[0xff, 0x00])], "blob");
    // Binary: it opens as hex; Ctrl-O switches to base64.
    ch(&mut s, 'o', CTRL);
    ch(&mut s, 'k', CTRL);
    update(&mut s, Msg::Paste(Zeroizing::new("AAEC\r\nAwQF\r\n".into())));
    ch(&mut s, 's', CTRL);
    assert_eq!(saved(&s, "blob"), [0, 1, 2, 3, 4, 5]);
    let mut h = editing(&[("blob", &[0xff, 0x00])], "blob");
    ch(&mut h, 'k', CTRL);
    update(&mut h, Msg::Paste(Zeroizing::new("de ad\r\nbe ef\r".into())));
    ch(&mut h, 's', CTRL);
    assert_eq!(saved(&h, "blob"), [0xde, 0xad, 0xbe, 0xef]);
}

#[test]
fn the_counter_shows_line_column_and_saved_size_but_never_the_value() {
    let mut s = editing(&[("password", b"hunter2\nsecond")], "password");
    press(&mut s, KeyCode::Down, NONE);
    ch(&mut s, 'e', CTRL);
    let masked = screen(&s, 100, 30);
    assert!(masked.contains("Ln 2/2, Col 7 · 14 bytes"), "{masked}");
    assert!(!masked.contains("hunter2") && !masked.contains("second"), "masked: {masked}");
    assert!(masked.contains("hidden: Ctrl-T shows"), "{masked}");
    assert!(masked.contains("Ctrl-_ undo"), "the footer names undo: {masked}");
    // Binary values open as hex: the size is of the bytes.
    let hex = editing(&[("blob", &[0xff; 1234])], "blob");
    let drawn = screen(&hex, 100, 30);
    assert!(drawn.contains("Ln 1/78, Col 1 · 1,234 bytes decoded"), "{drawn}");
    let mut bad = editing(&[("blob", &[0xff])], "blob");
    ch(&mut bad, 'e', CTRL);
    typed(&mut bad, "f");
    assert!(screen(&bad, 100, 30).contains("not valid hex yet"));
}

#[test]
fn a_long_line_scrolls_sideways_to_keep_the_cursor_in_view() {
    let long: String = (0..300).map(|i| char::from(b'a' + (i % 26) as u8)).collect::<String>() + "END";
    let mut s = editing(&[("token", long.as_bytes())], "token");
    ch(&mut s, 't', CTRL);
    assert!(screen(&s, 100, 30).contains("abcdef"), "the start is shown");
    ch(&mut s, 'e', CTRL);
    let end = screen(&s, 100, 30);
    assert!(end.contains("END"), "Ctrl-E shows the end: {end}");
    assert!(end.contains("Col 304"), "{end}");
}
