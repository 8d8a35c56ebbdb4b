//! The editing screens: the value editor, prompts, confirmations, review-and-apply and the
//! conflict screen. Values stay masked unless revealed, and `--redact` never reveals them.

use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use super::Theme;
use super::text::sanitize;
use crate::app::State;
use crate::app::copy::CopyChoice;
use crate::app::draft::{Change, Draft, Field, line_diff};
use crate::app::editor::{self, Format};
use crate::app::state::{Confirm, ConflictView, Phase, Prompt, PromptKind, Review, ValueEditor};
use crate::format;
use crate::keymap::{Action, Keymap, Scope as KeyScope};
use crate::secret::ValueKind;

pub(super) fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let w = width.min(area.width.saturating_sub(2));
    let h = height.min(area.height.saturating_sub(2));
    Rect { x: area.x + (area.width - w) / 2, y: area.y + (area.height - h) / 2, width: w, height: h }
}

pub(super) fn keys_line(keys: &Keymap, scope: KeyScope, theme: &Theme) -> Line<'static> {
    let mut spans = Vec::new();
    for (k, label) in keys.footer(scope, false).into_iter().filter(|(_, l)| *l != "help") {
        spans.push(Span::styled(format!(" {k}"), theme.key));
        spans.push(Span::styled(format!(" {label} "), theme.dim));
    }
    Line::from(spans)
}

pub(crate) fn editor(frame: &mut Frame<'_>, area: Rect, e: &ValueEditor, redact: bool, keys: &Keymap, theme: &Theme) {
    let rect = centered(area, area.width.saturating_sub(6).max(40), area.height.saturating_sub(4).max(10));
    frame.render_widget(Clear, rect);
    let shown = e.revealed && !redact;
    let title = match &e.key {
        Some(k) => {
            let hint = match (shown, keys.label_of(KeyScope::Editor, Action::ToggleReveal)) {
                (true, _) => ", shown".to_string(),
                (false, Some(key)) => format!(", hidden: {key} shows"),
                (false, None) => ", hidden".to_string(),
            };
            format!(" {} ({}{hint}) ", sanitize(k), e.format.label())
        }
        None => " Labels and annotations (type is read-only: the API server forbids changing it) ".to_string(),
    };
    let block = Block::default().borders(Borders::ALL).title(title).border_style(theme.key);
    let inner = block.inner(rect);
    frame.render_widget(block, rect);
    let text_height = usize::from(inner.height.saturating_sub(2)).max(1);
    let text_width = usize::from(inner.width).max(1);
    let a = &e.area;
    let cursor = a.cursor();
    let scroll = if cursor.row >= text_height { cursor.row + 1 - text_height } else { 0 };
    // Columns on screen: a masked character is one bullet; a shown one is as wide as drawn.
    let columns = |s: &str| if shown { super::text::width(&sanitize(s)) } else { s.chars().count() };
    let cursor_x = a.lines().get(cursor.row).map_or(0, |l| {
        let before: String = l.chars().take(cursor.col).collect();
        columns(&before)
    });
    // Long lines scroll sideways to keep the cursor in view (Ctrl-E on a long base64 line).
    let hscroll = if cursor_x >= text_width { cursor_x + 1 - text_width } else { 0 };
    let lines: Vec<Line<'static>> = a
        .lines()
        .iter()
        .skip(scroll)
        .take(text_height)
        .map(|l| {
            if shown {
                Line::from(cut_left(&sanitize(l), hscroll))
            } else {
                // Bullets keep the shape (line lengths) but not the content.
                Line::from(Span::styled("•".repeat(l.chars().count().saturating_sub(hscroll)), theme.masked))
            }
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), Rect { height: inner.height.saturating_sub(2), ..inner });
    let status = match &e.error {
        Some(err) => Line::from(Span::styled(format!(" {}", sanitize(err)), theme.error)),
        None => Line::from(Span::styled(format!(" {}", counter(e)), theme.dim)),
    };
    let bottom = Rect { y: inner.y + inner.height.saturating_sub(2), height: 1, ..inner };
    frame.render_widget(Paragraph::new(status), bottom);
    frame.render_widget(Paragraph::new(keys_line(keys, KeyScope::Editor, theme)), Rect { y: bottom.y + 1, ..bottom });
    let x = inner.x + ((cursor_x - hscroll) as u16).min(inner.width.saturating_sub(1));
    let y = inner.y + (cursor.row - scroll) as u16;
    frame.set_cursor_position(Position::new(x, y));
}

/// Where the cursor is and how big the value will be: `Ln 3/5, Col 12 · 1,234 bytes`. The size
/// is of what keeping it stores (for hex and base64, the bytes they decode to). Never the text:
/// it is shown masked too.
pub(crate) fn counter(e: &ValueEditor) -> String {
    let a = &e.area;
    let c = a.cursor();
    let size = match (editor::saved_size(a, e.format), e.format) {
        (Some(n), Format::Text) => bytes_exact(n),
        (Some(n), _) => format!("{} decoded", bytes_exact(n)),
        (None, f) => format!("not valid {} yet", f.label()),
    };
    format!("Ln {}/{}, Col {} · {size}", c.row + 1, a.lines().len(), c.col + 1)
}

/// `1 byte`, `1,234 bytes`: exact, since the API server's limit is exact.
fn bytes_exact(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(d);
    }
    format!("{out} {}", if n == 1 { "byte" } else { "bytes" })
}

/// `s` without its first `from` columns (half of a wide character cut becomes a space).
fn cut_left(s: &str, from: usize) -> String {
    let mut col = 0;
    let mut out = String::new();
    for c in s.chars() {
        let w = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if col >= from {
            out.push(c);
        } else if col + w > from {
            out.push(' ');
        }
        col += w;
    }
    out
}

pub(crate) fn prompt(frame: &mut Frame<'_>, area: Rect, p: &Prompt, redact: bool, keys: &Keymap, theme: &Theme) {
    let height = 6 + p.candidates.len() as u16;
    let rect = centered(area, 72, height);
    frame.render_widget(Clear, rect);
    let block = Block::default().borders(Borders::ALL).title(format!(" {} ", p.title)).border_style(theme.key);
    let inner = block.inner(rect);
    frame.render_widget(block, rect);
    // Registry fields become the value of `.dockerconfigjson`: hidden as typed with --redact.
    let masked = p.masked || (redact && matches!(p.kind, PromptKind::Registry(_)));
    let shown = if masked { "•".repeat(p.input.text.chars().count()) } else { sanitize(&p.input.text) };
    let mut lines = vec![Line::from(vec![Span::styled("> ", theme.key), Span::raw(shown)])];
    match &p.error {
        Some(e) => lines.push(Line::from(Span::styled(sanitize(e), theme.error))),
        None => lines.push(Line::from(Span::styled(p.hint.clone(), theme.dim))),
    }
    for c in &p.candidates {
        lines.push(Line::from(Span::styled(format!("  {}", sanitize(c)), theme.dim)));
    }
    lines.push(keys_line(keys, KeyScope::Prompt, theme));
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
    let before: String = p.input.text.chars().take(p.input.cursor).collect();
    let col = if masked { before.chars().count() } else { super::text::width(&before) };
    frame.set_cursor_position(Position::new(inner.x + 2 + col as u16, inner.y));
}

pub(crate) fn confirm(frame: &mut Frame<'_>, area: Rect, c: &Confirm, keys: &Keymap, theme: &Theme) {
    let width = area.width.saturating_sub(4).min(120);
    let inner_width = usize::from(width.saturating_sub(2)).max(1);
    let rows: usize = c.lines.iter().map(|l| super::text::width(l).div_ceil(inner_width).max(1)).sum();
    let rect = centered(area, width, rows as u16 + 4);
    frame.render_widget(Clear, rect);
    let block = Block::default().borders(Borders::ALL).title(format!(" {} ", c.title)).border_style(theme.warn);
    let mut lines: Vec<Line<'static>> = c.lines.iter().map(|l| Line::from(sanitize(l))).collect();
    lines.push(Line::from(""));
    lines.push(keys_line(keys, KeyScope::Confirm, theme));
    frame.render_widget(Paragraph::new(lines).block(block).wrap(Wrap { trim: false }), rect);
}

/// The review screen: errors and warnings, the key-level diff, the consumers affected, and
/// where the apply stands.
pub(crate) fn review(frame: &mut Frame<'_>, area: Rect, state: &State, r: &Review, theme: &Theme) {
    let Some(d) = &state.detail else { return };
    let Some(dr) = &d.draft else { return };
    frame.render_widget(Clear, area);
    let verb = if dr.creating { "create" } else { "update" };
    let mut out: Vec<Line<'static>> = vec![Line::from(vec![
        Span::styled(format!(" Review: {verb} {} in {}", sanitize(&d.name), sanitize(&d.namespace)), theme.title),
        Span::styled(
            if dr.creating {
                "   (created with POST; fails if the name is taken)".to_string()
            } else {
                format!(
                    "   (update with precondition resourceVersion {})",
                    dr.base.metadata.resource_version.clone().unwrap_or_default()
                )
            },
            theme.dim,
        ),
    ])];
    // A controller that puts its version back: said again where the edit is applied.
    for o in state.detail_owners().iter().filter(|o| o.asks()) {
        out.push(Line::from(Span::styled(format!("Managed: {}", sanitize(&o.summary())), theme.warn)));
    }
    let errors = dr.errors();
    let warnings = dr.new_warnings(state.now, state.env_rule);
    let old_warnings: Vec<_> =
        dr.warnings(state.now, state.env_rule).into_iter().filter(|w| !warnings.contains(w)).collect();
    if !errors.is_empty() {
        out.push(Line::from(Span::styled("Errors: the API server would reject this", theme.error)));
        for e in &errors {
            out.push(Line::from(Span::styled(format!("  • {}", sanitize(&e.to_string())), theme.error)));
        }
    }
    if !warnings.is_empty() {
        let accepted = if r.warnings_accepted { " (accepted)" } else { ": press y to accept them" };
        out.push(Line::from(Span::styled(format!("Warnings{accepted}"), theme.warn)));
        for w in &warnings {
            out.push(Line::from(Span::styled(format!("  • {}", sanitize(&w.to_string())), theme.warn)));
        }
    }
    if !old_warnings.is_empty() {
        out.push(Line::from(Span::styled(
            format!("{} warning(s) the Secret already had (see Details)", old_warnings.len()),
            theme.dim,
        )));
    }
    out.push(Line::from(Span::styled("Changes", theme.header)));
    let diff = dr.diff();
    if diff.is_empty() && !dr.metadata_changed() {
        out.push(Line::from(Span::styled("  none", theme.dim)));
    }
    let shown = r.revealed && !state.options.redact;
    for k in &diff {
        let (mark, style, sizes) = match k.change {
            Change::Added => ("+", theme.ok, format!("new, {}", format::bytes(k.new_len))),
            Change::Removed => ("-", theme.error, format!("removed, was {}", format::bytes(k.old_len))),
            Change::Changed => {
                ("~", theme.warn, format!("{} → {}", format::bytes(k.old_len), format::bytes(k.new_len)))
            }
        };
        out.push(Line::from(vec![
            Span::styled(format!("  {mark} {}", sanitize(&k.key)), style),
            Span::styled(format!("  {sizes}"), theme.dim),
        ]));
        if shown && k.change == Change::Changed {
            let old = dr.base.get(&k.key);
            let new = dr.work.get(&k.key);
            if let (Some(o), Some(n)) = (old, new) {
                if o.kind() != ValueKind::Binary && n.kind() != ValueKind::Binary {
                    for (tag, line) in line_diff(o.as_str().unwrap_or(""), n.as_str().unwrap_or("")) {
                        let st = match tag {
                            '-' => theme.error,
                            '+' => theme.ok,
                            _ => theme.dim,
                        };
                        out.push(Line::from(Span::styled(format!("      {tag} {}", sanitize(&line)), st)));
                    }
                } else {
                    out.push(Line::from(Span::styled("      (binary: sizes only)", theme.dim)));
                }
            }
        }
    }
    if dr.base.metadata.labels != dr.work.metadata.labels {
        out.push(Line::from(Span::styled("  ~ labels", theme.warn)));
    }
    if dr.base.metadata.annotations != dr.work.metadata.annotations && !dr.creating {
        out.push(Line::from(Span::styled("  ~ annotations", theme.warn)));
    }
    if dr.base.immutable != dr.work.immutable {
        out.push(Line::from(Span::styled("  ~ immutable: true (cannot be undone)", theme.warn)));
    }
    if !shown && diff.iter().any(|k| k.change == Change::Changed) {
        let hint =
            if state.options.redact { "  values hidden (--redact)" } else { "  values hidden: v shows a line diff" };
        out.push(Line::from(Span::styled(hint, theme.dim)));
    }
    out.extend(copy_section(dr, theme));
    // Who sees the change, and who needs a restart to see it: running Pods, and templates
    // with no Pod now (their next Pod reads the new value).
    if !dr.creating {
        let changed: Vec<&str> = diff.iter().map(|k| k.key.as_str()).collect();
        let immutable = dr.base.immutable == Some(true);
        let affected = state.refs.index.change_impact(&d.namespace, &d.name, &changed, immutable, state.now);
        out.push(Line::from(Span::styled("Consumers affected", theme.header)));
        if affected.is_empty() {
            out.push(Line::from(Span::styled("  none read the changed keys", theme.dim)));
        }
        for a in affected {
            let mut spans = vec![Span::raw(format!("  {}", sanitize(&a.who)))];
            if a.restart {
                spans.push(Span::styled("  RESTART NEEDED to see the change", theme.warn));
            }
            out.push(Line::from(spans));
            for w in &a.what {
                out.push(Line::from(Span::styled(format!("      {}", sanitize(w)), theme.dim)));
            }
        }
    }
    out.push(Line::from(""));
    let status = match &r.phase {
        Phase::Review if !errors.is_empty() => {
            Line::from(Span::styled(" Fix the errors above; Esc goes back to editing.", theme.error))
        }
        Phase::Review if !warnings.is_empty() && !r.warnings_accepted => Line::from(Span::styled(
            " This edit brings new warnings: y accepts them, then Enter runs the dry run.",
            theme.warn,
        )),
        Phase::Review => Line::from(Span::styled(" Enter: dry run on the server (nothing is written)", theme.key)),
        Phase::DryRunning => Line::from(Span::styled(" Dry run on the server…", theme.dim)),
        Phase::DryRunOk { warnings } => {
            let w =
                if warnings.is_empty() { String::new() } else { format!(" Server warnings: {}.", warnings.join("; ")) };
            Line::from(Span::styled(format!(" The server accepts it (dry run).{w} Enter: apply"), theme.ok))
        }
        Phase::Applying => Line::from(Span::styled(" Applying…", theme.dim)),
        Phase::Failed { message, .. } => Line::from(Span::styled(format!(" {}", sanitize(message)), theme.error)),
    };
    out.push(status);
    if let Phase::Failed { causes, .. } = &r.phase {
        for c in causes {
            out.push(Line::from(Span::styled(format!("   {}", sanitize(c)), theme.error)));
        }
    }
    out.push(keys_line(&state.options.keymap, KeyScope::Review, theme));
    frame.render_widget(Paragraph::new(out).wrap(Wrap { trim: false }).scroll((r.scroll, 0)), area);
}

/// kubectl's plaintext copy, when the annotation holds values: which keys (names only), whether
/// it would still hold old values after this apply, and the three choices with what each means
/// for the next `kubectl apply`.
fn copy_section(dr: &Draft, theme: &Theme) -> Vec<Line<'static>> {
    let Some(copy) = crate::app::copy::after_edit(dr) else { return Vec::new() };
    let names = sanitize(&copy.names().join(", "));
    let mut out = vec![Line::from(Span::styled("kubectl's last-applied annotation", theme.header))];
    let after = if copy.is_stale() {
        Span::styled(
            format!(
                "; with this apply it would still hold the old values of {}",
                sanitize(&copy.stale_names().join(", "))
            ),
            theme.warn,
        )
    } else {
        Span::styled("; the same values as this apply writes", theme.dim)
    };
    out.push(Line::from(vec![Span::raw(format!("  holds a plaintext copy of {names}")), after]));
    out.push(Line::from(Span::styled("  a chooses what this apply does with it:", theme.dim)));
    for choice in [CopyChoice::Remove, CopyChoice::Update, CopyChoice::Keep] {
        let chosen = choice == dr.copy_choice;
        let default = if choice == CopyChoice::default() { " (default)" } else { "" };
        out.push(Line::from(vec![
            Span::styled(
                format!("  {} {}{default}", if chosen { "▸" } else { " " }, choice.label()),
                if chosen { theme.key } else { theme.dim },
            ),
            Span::styled(format!(": {}", choice.meaning()), theme.dim),
        ]));
    }
    out
}

pub(crate) fn conflict(frame: &mut Frame<'_>, area: Rect, c: &ConflictView, keys: &Keymap, theme: &Theme) {
    frame.render_widget(Clear, area);
    let mut out = vec![
        Line::from(Span::styled(" Someone changed this Secret since you opened it", theme.error)),
        Line::from(Span::styled(
            " Your edits are kept. For each key (and label or annotation) they changed, choose whose value to keep, then rebase and review again.",
            theme.dim,
        )),
        Line::from(""),
    ];
    for (i, x) in c.conflicts.iter().enumerate() {
        let what = match x.theirs {
            Change::Added => "they added it",
            Change::Removed => "they removed it",
            Change::Changed => "they changed it",
        };
        let both = if x.mine_too { ", and so did you" } else { "" };
        let choice = if x.take_theirs { "[take theirs]" } else { "[keep mine]" };
        let style = if i == c.selected { theme.selected } else { theme.base };
        let what_key = match x.field {
            Field::Data => sanitize(&x.key),
            Field::Label => format!("label {}", sanitize(&x.key)),
            Field::Annotation => format!("annotation {}", sanitize(&x.key)),
        };
        out.push(Line::from(vec![
            Span::styled(format!("  {what_key:<28}"), style),
            Span::styled(format!(" {what}{both} "), if x.mine_too { theme.warn } else { theme.dim }),
            Span::styled(choice, theme.key),
        ]));
    }
    out.push(Line::from(""));
    out.push(keys_line(keys, KeyScope::Conflict, theme));
    frame.render_widget(Paragraph::new(out), area);
}
