//! The value editor (one key's value as text, hex or base64; masked unless asked) and the same
//! editor on labels and annotations as `key=value` lines.

use std::collections::BTreeMap;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::{LAST_APPLIED, draft};
use crate::app::editor::{self, Format, TextArea};
use crate::app::state::{Modal, State, ValueEditor};
use crate::keymap::Action;
use crate::secret::{Secret, SecretValue};

const LABELS_HEADER: &str = "# Labels: one key=value per line";
const ANNOTATIONS_HEADER: &str = "# Annotations: one key=value per line";

/// Labels and annotations as editable text (the last-applied annotation is left out: it is
/// kubectl's, and it can hold values).
pub(super) fn metadata_text(s: &Secret) -> String {
    let mut out = vec![LABELS_HEADER.to_string()];
    for (k, v) in s.metadata.labels.iter().flatten() {
        out.push(format!("{k}={v}"));
    }
    out.push(ANNOTATIONS_HEADER.to_string());
    for (k, v) in s.metadata.annotations.iter().flatten() {
        if k != LAST_APPLIED {
            out.push(format!("{k}={}", v.replace('\n', "\\n")));
        }
    }
    out.join("\n")
}

type Pairs = BTreeMap<String, String>;

/// Labels and annotations back from the text: `key=value` lines under their headers.
pub(super) fn parse_metadata(text: &str) -> Result<(Pairs, Pairs), String> {
    let (mut labels, mut annotations) = (BTreeMap::new(), BTreeMap::new());
    let mut in_annotations = false;
    for (i, line) in text.lines().enumerate() {
        let t = line.trim();
        if t.starts_with("# Annotations") {
            in_annotations = true;
            continue;
        }
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        let (k, v) = t.split_once('=').ok_or_else(|| format!("line {}: write key=value", i + 1))?;
        let target = if in_annotations { &mut annotations } else { &mut labels };
        target.insert(k.trim().to_string(), v.trim().replace("\\n", "\n"));
    }
    Ok((labels, annotations))
}

pub(super) fn open_metadata_editor(state: &mut State) {
    let Some(s) = state.detail.as_ref().and_then(|d| d.shown()) else { return };
    let text = metadata_text(s);
    let area = TextArea::new(&text);
    // Labels and annotations are not secret: shown as typed.
    state.modal =
        Some(Modal::Editor(ValueEditor { key: None, area, format: Format::Text, revealed: true, error: None }));
}

pub(in crate::app) fn on_key(state: &mut State, ev: KeyEvent, action: Option<Action>) {
    let redact = state.options.redact;
    let Some(Modal::Editor(e)) = &mut state.modal else { return };
    e.error = None;
    match action {
        Some(Action::Cancel) => state.modal = None,
        Some(Action::ToggleReveal) => {
            if redact {
                e.error = Some("Values stay hidden: keyhole runs with --redact".into());
            } else {
                e.revealed = !e.revealed;
            }
        }
        Some(Action::CycleFormat) => cycle_format(e),
        Some(Action::Save) if e.key.is_none() => save_metadata(state),
        Some(Action::Save) => save_value(state),
        Some(Action::Undo) if !e.area.undo() => e.error = Some("Nothing to undo".into()),
        Some(Action::Redo) if !e.area.redo() => e.error = Some("Nothing to redo".into()),
        Some(Action::Yank) if !e.area.yank() => e.error = Some("Nothing to paste: cut something first".into()),
        Some(a) => edit(&mut e.area, a),
        // Typed characters; Ctrl and Alt keys that are not bound do nothing.
        None => match ev.code {
            KeyCode::Char(c) if !ev.modifiers.intersects(KeyModifiers::CONTROL | KeyModifiers::ALT) => {
                e.area.insert_char(c)
            }
            _ => {}
        },
    }
}

/// The keymap's editing actions on the text.
fn edit(a: &mut TextArea, action: Action) {
    match action {
        Action::CursorLeft => a.left(),
        Action::CursorRight => a.right(),
        Action::CursorUp => a.up(),
        Action::CursorDown => a.down(),
        Action::LineStart => a.home(),
        Action::LineEnd => a.end(),
        Action::WordLeft => a.word_left(),
        Action::WordRight => a.word_right(),
        Action::TextStart => a.text_start(),
        Action::TextEnd => a.text_end(),
        Action::NewLine => a.newline(),
        Action::InsertTab => a.insert_char('\t'),
        Action::DeleteBack => a.backspace(),
        Action::DeleteForward => a.delete(),
        Action::KillToEnd => _ = a.kill_to_end(),
        Action::KillToStart => _ = a.kill_to_start(),
        Action::KillWordBack => _ = a.kill_word_back(),
        Action::KillWordForward => _ = a.kill_word_forward(),
        _ => {}
    }
}

/// Text → hex → base64 → text, skipping text for bytes that are not UTF-8.
fn cycle_format(e: &mut ValueEditor) {
    let mut text = e.area.text();
    let parsed = editor::from_format(&text, e.format);
    zeroize::Zeroize::zeroize(&mut text);
    match parsed {
        Err(m) => e.error = Some(format!("cannot switch format: the {} is not valid: {m}", e.format.label())),
        Ok(mut bytes) => {
            let mut next = e.format;
            let converted = loop {
                next = match next {
                    Format::Text => Format::Hex,
                    Format::Hex => Format::Base64,
                    Format::Base64 => Format::Text,
                };
                if let Some(t) = editor::to_format(&bytes, next) {
                    break t;
                }
            };
            zeroize::Zeroize::zeroize(&mut bytes);
            e.area = TextArea::new(&converted);
            e.format = next;
            e.error = None;
        }
    }
}

fn save_metadata(state: &mut State) {
    let Some(Modal::Editor(e)) = &mut state.modal else { return };
    let text = e.area.text();
    match parse_metadata(&text) {
        Err(m) => e.error = Some(m),
        Ok((labels, annotations)) => {
            state.modal = None;
            if let Some(dr) = state.detail.as_mut().and_then(draft) {
                dr.work_mut().metadata.labels = (!labels.is_empty()).then_some(labels);
                let last_applied = dr.work.annotation(LAST_APPLIED).map(str::to_string);
                let mut annotations = annotations;
                if let Some(la) = last_applied {
                    annotations.insert(LAST_APPLIED.to_string(), la);
                }
                dr.work_mut().metadata.annotations = (!annotations.is_empty()).then_some(annotations);
            }
            state.flash("Labels and annotations changed (not applied yet: A reviews and applies)", false);
        }
    }
}

fn save_value(state: &mut State) {
    let Some(Modal::Editor(e)) = &mut state.modal else { return };
    let mut text = e.area.text();
    let parsed = editor::from_format(&text, e.format);
    zeroize::Zeroize::zeroize(&mut text);
    match parsed {
        Err(m) => e.error = Some(format!("not valid {}: {m}", e.format.label())),
        Ok(bytes) => {
            let key = e.key.clone().unwrap_or_default();
            state.modal = None;
            if let Some(d) = state.detail.as_mut() {
                if let Some(dr) = draft(d) {
                    dr.set(&key, SecretValue::new(bytes));
                }
                if let Some(i) = d.keys().iter().position(|k| **k == key) {
                    d.selected_key = i;
                }
            }
            state.flash(format!("{key} changed (not applied yet: A reviews and applies)"), false);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_round_trips_through_text_without_the_last_applied_copy() {
        let mut s = Secret::new("ns", "a", "Opaque");
        s.metadata.labels = Some([("app".to_string(), "web".to_string())].into_iter().collect());
        s.metadata.annotations = Some(
            [
                ("note".to_string(), "two\nlines".to_string()),
                (LAST_APPLIED.to_string(), "{\"data\":{\"password\":\"c2VjcmV0\"}}".to_string()),
            ]
            .into_iter()
            .collect(),
        );
        let text = metadata_text(&s);
        assert!(!text.contains("last-applied") && !text.contains("c2VjcmV0"), "{text}");
        let (labels, annotations) = parse_metadata(&text).unwrap();
        assert_eq!(labels, s.metadata.labels.clone().unwrap());
        assert_eq!(annotations.get("note").map(String::as_str), Some("two\nlines"));
        assert_eq!(annotations.len(), 1);
        assert_eq!(parse_metadata("# Labels\nno equals sign"), Err("line 2: write key=value".to_string()));
    }
}
