//! A Secret opened: metadata, keys and values (masked until asked for), the typed view, and
//! who uses it.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use super::text::{sanitize, truncate};
use super::{Theme, access, banner, footer, typed, usedby, value};
use crate::app::State;
use crate::app::open_error_text;
use crate::app::state::{Detail, Tab};
use crate::format;
use crate::keymap::Scope as KeyScope;
use crate::secret::{Secret, last_applied};

const LAST_APPLIED: &str = last_applied::ANNOTATION;

fn title(state: &State, d: &Detail, theme: &Theme) -> Line<'static> {
    let mut spans = vec![Span::styled(format!(" {} ", sanitize(&d.name)), theme.title)];
    spans.push(Span::styled(format!("in {} ", sanitize(&d.namespace)), theme.dim));
    if let Some(dr) = &d.draft {
        if dr.creating {
            spans.push(Span::styled("NEW: not created until applied ", theme.warn));
        } else if dr.is_dirty() {
            let n = dr.diff().len() + usize::from(dr.metadata_changed());
            spans.push(Span::styled(
                format!("EDITED: {n} change{} not applied (A) ", if n == 1 { "" } else { "s" }),
                theme.warn,
            ));
        }
    }
    if let Some(s) = d.shown() {
        spans.push(Span::styled("│ ", theme.dim));
        spans.push(Span::raw(format!(
            "{} │ {} keys │ {} ",
            s.effective_type(),
            s.entries().count(),
            format::bytes(s.data_size())
        )));
        if s.is_immutable() {
            spans.push(Span::styled("IMMUTABLE ", theme.tag));
        }
    }
    match d.can_update {
        Some(true) if !state.options.readonly => spans.push(Span::styled("│ you may edit", theme.dim)),
        Some(false) => spans.push(Span::styled("│ read-only for you", theme.warn)),
        _ => {}
    }
    if state.options.redact {
        spans.push(Span::styled(" │ REDACTED", theme.warn));
    }
    Line::from(spans)
}

fn tabs(d: &Detail, used: usize, theme: &Theme) -> Line<'static> {
    let items = [
        (Tab::Data, "1 Data".to_string()),
        (Tab::UsedBy, format!("2 Used by ({used})")),
        (Tab::Details, "3 Details".to_string()),
        (Tab::Access, "4 Access".to_string()),
    ];
    let mut spans = vec![Span::raw(" ")];
    for (tab, label) in items {
        let style = if d.tab == tab { theme.tab_active } else { theme.tab };
        spans.push(Span::styled(format!(" {label} "), style));
        spans.push(Span::raw(" "));
    }
    Line::from(spans)
}

/// Most lines of managers shown above the tabs; the others are on the Details tab.
const MANAGED_LINES: usize = 2;

/// Who manages the Secret and what becomes of an edit, above the tabs: one line per manager
/// (at most [`MANAGED_LINES`]), and what cannot be told where a kind of writer could not be read.
fn managed_lines(state: &State, theme: &Theme) -> Vec<Line<'static>> {
    let owners = state.detail_owners();
    let unknown = state.detail_owners_unknown(&owners);
    let mut out: Vec<Line<'static>> = owners
        .iter()
        .take(MANAGED_LINES)
        .map(|o| {
            let style = if o.asks() { theme.warn } else { theme.dim };
            Line::from(vec![Span::styled(" Managed: ", theme.header), Span::styled(sanitize(&o.summary()), style)])
        })
        .collect();
    if owners.len() > MANAGED_LINES {
        out.push(Line::from(Span::styled(
            format!(" and {} more: see 3 Details", owners.len() - MANAGED_LINES),
            theme.dim,
        )));
    }
    if let Some(u) = unknown.first() {
        out.push(Line::from(Span::styled(format!(" {}", sanitize(u)), theme.dim)));
    }
    out
}

/// Most lines of flags shown above the tabs.
const FLAG_LINES: usize = 3;

/// The list's flags for this Secret, one line each saying what it means, above the tabs.
/// MANAGED and PLAINTEXT-COPY have lines of their own (with more to say) and are left out here.
fn flag_lines(state: &State, theme: &Theme) -> Vec<Line<'static>> {
    use crate::list::flags::{Flag, Severity};
    let flags: Vec<Flag> = state
        .detail_flags()
        .into_iter()
        .filter(|f| !matches!(f, Flag::Managed(_) | Flag::PlaintextCopy { .. }))
        .collect();
    let mut out: Vec<Line<'static>> = flags
        .iter()
        .take(FLAG_LINES)
        .map(|f| {
            let style = match f.severity() {
                Severity::Bad => theme.error,
                Severity::Warn => theme.warn,
                Severity::Info => theme.tag,
            };
            Line::from(vec![
                Span::styled(format!(" {}", f.name()), style),
                Span::styled(": ", theme.dim),
                Span::raw(sanitize(&f.explain())),
            ])
        })
        .collect();
    if flags.len() > FLAG_LINES {
        let rest: Vec<&str> = flags[FLAG_LINES..].iter().map(Flag::name).collect();
        out.push(Line::from(Span::styled(format!(" and {}", rest.join(", ")), theme.dim)));
    }
    out
}

/// kubectl's plaintext copy, above the tabs: the keys the last-applied annotation holds values
/// of (names only) and whether they are the current values. Until the Secret is read, only that
/// there is one (the list's flag).
fn copy_line(state: &State, d: &Detail, theme: &Theme) -> Option<Line<'static>> {
    if d.draft.as_ref().is_some_and(|dr| dr.creating) {
        return None;
    }
    let label = Span::styled(" Plaintext copy in last-applied annotation: ", theme.header);
    let Some(secret) = &d.secret else {
        let row = state.rows.get(&(d.namespace.clone(), d.name.clone()))?;
        return row.plaintext_copy.then(|| Line::from(vec![label, Span::raw("values (which, once it is read)")]));
    };
    let copy = last_applied::of(secret)?;
    let state_span = if copy.is_stale() {
        Span::styled(format!(" (stale: old values of {})", sanitize(&copy.stale_names().join(", "))), theme.warn)
    } else {
        Span::styled(" (current values)", theme.dim)
    };
    Some(Line::from(vec![label, Span::raw(sanitize(&copy.names().join(", "))), state_span]))
}

pub(crate) fn draw(frame: &mut Frame<'_>, area: Rect, state: &State, theme: &Theme) {
    let Some(d) = state.detail.as_ref() else { return };
    let banner = banner(state, theme);
    let mut managed = flag_lines(state, theme);
    managed.extend(managed_lines(state, theme));
    managed.extend(copy_line(state, d, theme));
    let mut constraints = vec![Constraint::Length(1)];
    if banner.is_some() {
        constraints.push(Constraint::Length(1));
    }
    if !managed.is_empty() {
        constraints.push(Constraint::Length(managed.len() as u16));
    }
    constraints.extend([Constraint::Length(1), Constraint::Min(3), Constraint::Length(1)]);
    let chunks = Layout::vertical(constraints).split(area);
    let mut i = 0;
    frame.render_widget(Paragraph::new(title(state, d, theme)), chunks[i]);
    i += 1;
    if let Some(b) = banner {
        frame.render_widget(Paragraph::new(b), chunks[i]);
        i += 1;
    }
    if !managed.is_empty() {
        frame.render_widget(Paragraph::new(managed), chunks[i]);
        i += 1;
    }
    let used = state.refs.consumer_count(&d.namespace, &d.name);
    frame.render_widget(Paragraph::new(tabs(d, used, theme)), chunks[i]);
    let body = chunks[i + 1];
    match (d.shown(), &d.error) {
        (_, Some(e)) if !matches!(d.tab, Tab::UsedBy | Tab::Access) => {
            let p = Paragraph::new(vec![
                Line::from(""),
                Line::from(Span::styled(format!(" {}", open_error_text(e)), theme.error)),
                Line::from(Span::styled(" Press 2 to see who uses it anyway.", theme.dim)),
            ])
            .wrap(Wrap { trim: false });
            frame.render_widget(p, body);
        }
        (None, None) if !matches!(d.tab, Tab::UsedBy | Tab::Access) => {
            frame.render_widget(Paragraph::new(Span::styled(" Reading the Secret…", theme.dim)), body);
        }
        _ => match d.tab {
            Tab::Data => data_tab(frame, body, state, theme),
            Tab::UsedBy => {
                let keys: Option<Vec<String>> =
                    d.secret.as_ref().map(|s| s.entries().map(|(k, _)| k.clone()).collect());
                let lines = usedby::lines(state, &d.namespace, &d.name, keys.as_deref(), theme);
                frame.render_widget(Paragraph::new(lines).scroll((d.scroll, 0)), body);
            }
            Tab::Details => {
                let lines = d.shown().map(|s| details_lines(s, state, theme)).unwrap_or_default();
                frame.render_widget(Paragraph::new(lines).scroll((d.scroll, 0)), body);
            }
            Tab::Access => {
                let lines = access::lines(state, &d.namespace, &d.name, &d.access, theme);
                frame.render_widget(Paragraph::new(lines).scroll((d.scroll, 0)), body);
            }
        },
    }
    frame.render_widget(Paragraph::new(footer(state, KeyScope::Detail, theme)), chunks[i + 2]);
}

fn data_tab(frame: &mut Frame<'_>, area: Rect, state: &State, theme: &Theme) {
    let Some(d) = state.detail.as_ref() else { return };
    let Some(secret) = d.shown() else { return };
    let entries: Vec<_> = secret.entries().collect();
    let changes = d.draft.as_ref().map(|dr| dr.diff()).unwrap_or_default();
    if entries.is_empty() {
        let hint = if state.options.readonly { "" } else { " Press a to add one." };
        frame.render_widget(Paragraph::new(Span::styled(format!(" This Secret has no keys.{hint}"), theme.dim)), area);
        return;
    }
    let key_width = entries.iter().map(|(k, _)| k.chars().count()).max().unwrap_or(8).clamp(8, 32) as u16 + 22;
    let cols =
        Layout::horizontal([Constraint::Length(key_width.min(area.width * 2 / 5)), Constraint::Min(20)]).split(area);
    let mut key_lines = Vec::new();
    for (idx, (k, v)) in entries.iter().enumerate() {
        let selected = idx == d.selected_key;
        let style = if selected { theme.selected } else { theme.base };
        let readers = state.refs.key_reader_count(&d.namespace, &d.name, k);
        let warn = if !state.env_rule.accepts(k) && state.refs.has_env_from(&d.namespace, &d.name) {
            Span::styled(" ✗env", theme.warn)
        } else {
            Span::raw("")
        };
        let mark = match changes.iter().find(|c| &c.key == *k).map(|c| c.change) {
            Some(crate::app::draft::Change::Added) => Span::styled("+", theme.ok),
            Some(crate::app::draft::Change::Changed) => Span::styled("~", theme.warn),
            _ => Span::raw(" "),
        };
        key_lines.push(Line::from(vec![
            mark,
            Span::styled(format!("{} ", truncate(&sanitize(k), 32)), style),
            Span::styled(format!(" {} {}", format::bytes(v.len()), v.kind().label()), theme.dim),
            Span::styled(if readers > 0 { format!(" ·{readers}") } else { String::new() }, theme.dim),
            warn,
        ]));
    }
    for c in changes.iter().filter(|c| c.change == crate::app::draft::Change::Removed) {
        key_lines
            .push(Line::from(Span::styled(format!("-{} (deleted)", truncate(&sanitize(&c.key), 32)), theme.error)));
    }
    let keys_block = Block::default().borders(Borders::RIGHT).border_style(theme.dim);
    frame.render_widget(Paragraph::new(key_lines).block(keys_block), cols[0]);
    let Some((name, value)) = entries.get(d.selected_key) else { return };
    let revealed = d.revealed.contains(*name) && !state.options.redact;
    let mut lines = vec![Line::from(vec![
        Span::styled(format!(" {} ", sanitize(name)), theme.key),
        Span::styled(if revealed { "revealed: v hides it" } else { "" }, theme.dim),
    ])];
    let body = if revealed { value::revealed(value, theme) } else { value::masked(value, state.options.redact, theme) };
    lines.extend(body.into_iter().map(|l| {
        let mut spans = vec![Span::raw(" ")];
        spans.extend(l.spans);
        Line::from(spans)
    }));
    frame.render_widget(Paragraph::new(lines).scroll((d.scroll, 0)), cols[1]);
}

fn details_lines(secret: &Secret, state: &State, theme: &Theme) -> Vec<Line<'static>> {
    let mut out = Vec::new();
    if let Some(view) = crate::secret::views::view(secret, state.now) {
        out.extend(typed::lines(&view, state.options.redact, theme));
        out.push(Line::from(""));
    }
    let kv = |label: &str, value: String| {
        Line::from(vec![Span::styled(format!("  {label:<16} "), theme.dim), Span::raw(sanitize(&value))])
    };
    out.push(Line::from(Span::styled("Metadata", theme.header)));
    out.push(kv("type", format!("{}  (cannot be changed: the API server forbids it)", secret.effective_type())));
    out.push(kv(
        "immutable",
        if secret.is_immutable() {
            "yes: data can never change; clone it to change values".into()
        } else {
            "no".into()
        },
    ));
    let m = &secret.metadata;
    out.push(kv(
        "created",
        m.creation_timestamp
            .as_ref()
            .map(|t| format!("{} ({} ago)", format::rfc3339(t.0), format::age(Some(t.0), state.now)))
            .unwrap_or_default(),
    ));
    out.push(kv("resourceVersion", m.resource_version.clone().unwrap_or_default()));
    out.push(kv("uid", m.uid.clone().unwrap_or_default()));
    if let Some(owners) = &m.owner_references {
        for o in owners {
            out.push(kv(
                "owner",
                format!("{} {}{}", o.kind, o.name, if o.controller == Some(true) { " (controller)" } else { "" }),
            ));
        }
    }
    managed_by(&mut out, state, theme);
    out.push(Line::from(Span::styled("Labels", theme.header)));
    match &m.labels {
        Some(l) if !l.is_empty() => out.extend(l.iter().map(|(k, v)| kv(k, v.clone()))),
        _ => out.push(Line::from(Span::styled("  none", theme.dim))),
    }
    out.push(Line::from(Span::styled("Annotations", theme.header)));
    match &m.annotations {
        Some(a) if !a.is_empty() => {
            for (k, v) in a {
                if k == LAST_APPLIED {
                    // It holds the applied manifest, values included: never shown.
                    out.push(kv(
                        k,
                        format!("(collapsed: {} of applied manifest, may contain values)", format::bytes(v.len())),
                    ));
                } else {
                    out.push(kv(k, truncate(v, 200)));
                }
            }
        }
        _ => out.push(Line::from(Span::styled("  none", theme.dim))),
    }
    out
}

/// The Details tab's "Managed by": each manager, what becomes of an edit and of a delete, and
/// the fields that say so.
fn managed_by(out: &mut Vec<Line<'static>>, state: &State, theme: &Theme) {
    let owners = state.detail_owners();
    let unknown = state.detail_owners_unknown(&owners);
    if owners.is_empty() && unknown.is_empty() {
        return;
    }
    out.push(Line::from(Span::styled("Managed by", theme.header)));
    for o in &owners {
        out.push(Line::from(Span::styled(format!("  {}", sanitize(&o.who())), theme.warn)));
        let kv = |label: &str, value: String| {
            Line::from(vec![Span::styled(format!("    {label:<10} "), theme.dim), Span::raw(sanitize(&value))])
        };
        out.push(kv("an edit", o.summary()));
        out.push(kv("a delete", o.on_delete()));
        out.push(kv("from", o.from.join("; ")));
    }
    for u in unknown {
        out.push(Line::from(Span::styled(format!("  {}", sanitize(&u)), theme.dim)));
    }
}
