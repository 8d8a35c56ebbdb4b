//! The Secrets list screen.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table};

use super::columns::{self, Content, Widths};
use super::text::{sanitize, truncate, width};
use super::{Theme, banner, footer};
use crate::app::State;
use crate::app::filter::NameFilter;
use crate::format;
use crate::keymap::Scope as KeyScope;
use crate::list::flags::{Flag, Severity};

fn header_line(state: &State, theme: &Theme) -> Line<'static> {
    // Missing Secrets come after the rows in `visible` (State::refresh_visible): counting them
    // from the end costs the few missing ones, not a lookup per row (20,000 per frame).
    let missing = state.list.visible.iter().rev().take_while(|k| state.missing.contains_key(*k)).count();
    let shown = state.list.visible.len() - missing;
    let total = state.rows.len();
    let mut spans = vec![
        Span::styled(" keyhole ", theme.title),
        Span::styled("│ ", theme.dim),
        Span::raw(format!("context {} ", state.context)),
        Span::styled("│ ", theme.dim),
        Span::raw(format!("{} ", state.scope.label())),
        Span::styled("│ ", theme.dim),
    ];
    let count = if shown == total { format!("{total} Secrets") } else { format!("{shown} of {total} Secrets") };
    spans.push(Span::raw(count));
    if missing > 0 {
        spans.push(Span::styled(format!(", {missing} missing"), theme.error));
    }
    if state.list.hidden_helm > 0 {
        spans.push(Span::styled(format!(" ({} Helm hidden, H shows)", state.list.hidden_helm), theme.dim));
    }
    if let Some(t) = &state.list.type_filter {
        spans.push(Span::styled(" │ ", theme.dim));
        spans.push(Span::styled(format!("type {t}"), theme.tag));
    }
    spans.push(Span::styled(" │ ", theme.dim));
    spans.push(Span::raw(format!("sort {}", state.list.sort.label())));
    if !state.loading && !state.refs.is_synced() {
        let pending = state.refs.coverage.pending(state.refs.scope.as_deref());
        let shown: Vec<&str> = pending.iter().take(3).copied().collect();
        let more = if pending.len() > 3 { ", …" } else { "" };
        spans.push(Span::styled(" │ ", theme.dim));
        spans.push(Span::styled(format!("usage: listing {}{more}", shown.join(", ")), theme.dim));
    }
    let refused = state.refs.coverage.refused();
    if !refused.is_empty() {
        spans.push(Span::styled(" │ ", theme.dim));
        spans.push(Span::styled(format!("usage unknown: cannot list {}", refused.join(", ")), theme.warn));
    }
    if state.options.redact {
        spans.push(Span::styled(" │ ", theme.dim));
        spans.push(Span::styled("REDACTED", theme.warn));
    }
    Line::from(spans)
}

/// `clean`, already sanitized, with the filter's matched characters highlighted.
fn highlighted(clean: &str, positions: &[usize], theme: &Theme, base: Style) -> Line<'static> {
    if positions.is_empty() {
        return Line::from(Span::styled(clean.to_string(), base));
    }
    let spans: Vec<Span<'static>> = clean
        .chars()
        .enumerate()
        .map(|(i, c)| {
            let style = if positions.contains(&i) { base.patch(theme.matched) } else { base };
            Span::styled(c.to_string(), style)
        })
        .collect();
    Line::from(spans)
}

/// The list screen, line by line as `State::list_layout` says (the same lines decide how many
/// rows a page has).
pub(crate) fn draw(frame: &mut Frame<'_>, area: Rect, state: &State, theme: &Theme) {
    let layout = state.list_layout();
    let banner = banner(state, theme);
    let show_filter = layout.filter;
    let note = state.scope_note.clone();
    let mut constraints = vec![Constraint::Length(1)];
    if layout.banner {
        constraints.push(Constraint::Length(1));
    }
    if layout.note {
        constraints.push(Constraint::Length(1));
    }
    if show_filter {
        constraints.push(Constraint::Length(1));
    }
    constraints.push(Constraint::Min(2));
    constraints.push(Constraint::Length(1));
    let chunks = Layout::vertical(constraints).split(area);
    let mut i = 0;
    frame.render_widget(Paragraph::new(header_line(state, theme)), chunks[i]);
    i += 1;
    if let Some(b) = banner {
        frame.render_widget(Paragraph::new(b), chunks[i]);
        i += 1;
    }
    if let Some(n) = note {
        frame.render_widget(Paragraph::new(Line::from(Span::styled(format!(" {n}"), theme.warn))), chunks[i]);
        i += 1;
    }
    if show_filter {
        let cursor = if state.list.typing { "▏" } else { "" };
        let line = Line::from(vec![
            Span::styled(" / ", theme.key),
            Span::raw(format!("{}{cursor}", sanitize(&state.list.query))),
            Span::styled(if state.list.typing { "   Enter keeps it, Esc clears it" } else { "" }, theme.dim),
        ]);
        frame.render_widget(Paragraph::new(line), chunks[i]);
        i += 1;
    }
    let table_area = chunks[i];
    draw_table(frame, table_area, state, theme);
    let scope = if state.list.typing { KeyScope::Filter } else { KeyScope::List };
    frame.render_widget(Paragraph::new(footer(state, scope, theme)), chunks[i + 1]);
}

/// The type as shown: in full on wide screens, without the well-known prefixes otherwise.
pub(crate) fn type_label(t: &str, wide: bool) -> String {
    if wide {
        return t.to_string();
    }
    match t {
        "bootstrap.kubernetes.io/token" => "bootstrap-token".into(),
        "helm.sh/release.v1" => "helm-release".into(),
        "kubernetes.io/service-account-token" => "sa-token".into(),
        _ => t.strip_prefix("kubernetes.io/").unwrap_or(t).to_string(),
    }
}

/// One row's cells before widths are chosen: the widths come from what the rows on screen hold.
struct Cells {
    name: String,
    /// Characters of the name that the filter matched.
    positions: Vec<usize>,
    namespace: String,
    type_: String,
    keys: String,
    age: String,
    used: String,
    flags: Vec<(String, Style)>,
    /// A Secret that consumers name but that does not exist: its name is dimmed.
    ghost: bool,
    selected: bool,
}

impl Cells {
    fn flags_width(&self) -> usize {
        self.flags.iter().map(|(f, _)| width(f) + 1).sum::<usize>().saturating_sub(1)
    }
}

fn severity_style(severity: Severity, theme: &Theme) -> Style {
    match severity {
        Severity::Bad => theme.error,
        Severity::Warn => theme.warn,
        Severity::Info => theme.tag,
    }
}

fn flag_cells(flags: Vec<Flag>, theme: &Theme) -> Vec<(String, Style)> {
    flags.into_iter().map(|f| (f.label(), severity_style(f.severity(), theme))).collect()
}

/// The cells of the rows on screen, in order.
fn page_cells(state: &State, offset: usize, end: usize, theme: &Theme) -> Vec<Cells> {
    let mut filter = NameFilter::new(&state.list.query);
    let mut out = Vec::with_capacity(end - offset);
    for (idx, key) in state.list.visible[offset..end].iter().enumerate() {
        let selected = offset + idx == state.list.selected;
        let Some(row) = state.rows.get(key) else {
            if let Some(m) = state.missing.get(key) {
                out.push(Cells {
                    name: sanitize(&key.1),
                    positions: Vec::new(),
                    namespace: sanitize(&key.0),
                    type_: "(none)".into(),
                    keys: "—".into(),
                    age: "—".into(),
                    used: m.consumers.to_string(),
                    flags: flag_cells(vec![m.flag.clone()], theme),
                    ghost: true,
                    selected,
                });
            }
            continue;
        };
        let used = match state.refs.known(&row.namespace, &row.name) {
            crate::refs::Known::Complete => state.usage(&row.namespace, &row.name).to_string(),
            // What could be listed, and maybe more.
            crate::refs::Known::Unknown(_) => match state.usage(&row.namespace, &row.name) {
                0 => "?".to_string(),
                n => format!("{n}+?"),
            },
            crate::refs::Known::Pending => "…".to_string(),
        };
        out.push(Cells {
            name: sanitize(&row.name),
            positions: filter.positions(&row.name),
            namespace: sanitize(&row.namespace),
            type_: sanitize(&row.type_),
            keys: row.keys.to_string(),
            age: format::age(row.created, state.now),
            used,
            flags: flag_cells(state.flags(row), theme),
            ghost: false,
            selected,
        });
    }
    out
}

/// How wide each column's content is on these rows, headers included.
fn content(cells: &[Cells], all_ns: bool) -> Content {
    let max = |f: &dyn Fn(&Cells) -> usize, header: &str| {
        cells.iter().map(f).max().unwrap_or(0).max(width(header)).min(usize::from(u16::MAX)) as u16
    };
    Content {
        name: max(&|c| width(&c.name), "NAME"),
        namespace: all_ns.then(|| max(&|c| width(&c.namespace), "NAMESPACE")),
        type_full: max(&|c| width(&type_label(&c.type_, true)), "TYPE"),
        type_short: max(&|c| width(&type_label(&c.type_, false)), "TYPE"),
        age: max(&|c| width(&c.age), "AGE"),
        flags: max(&|c| c.flags_width(), "FLAGS"),
    }
}

fn table_row(c: Cells, w: &Widths, theme: &Theme) -> Row<'static> {
    let base = if c.selected { theme.selected } else { theme.base };
    let name_style = if c.ghost { base.patch(theme.dim) } else { base };
    let name = truncate(&c.name, usize::from(w.name));
    let cut = name != c.name;
    // A cut name keeps the highlights of the characters still shown (the ellipsis has none).
    let shown = name.chars().count() - usize::from(cut);
    let positions: Vec<usize> = c.positions.into_iter().filter(|p| *p < shown).collect();
    let mut cells = vec![Cell::from(highlighted(&name, &positions, theme, name_style))];
    if let Some(ns) = w.namespace {
        cells.push(Cell::from(truncate(&c.namespace, usize::from(ns))));
    }
    let type_ = if c.ghost { c.type_ } else { type_label(&c.type_, w.full_types) };
    cells.push(Cell::from(truncate(&type_, usize::from(w.type_))));
    cells.extend([Cell::from(c.keys), Cell::from(c.age), Cell::from(c.used)]);
    let tags: Vec<Span<'static>> = c
        .flags
        .into_iter()
        .flat_map(|(label, style)| {
            [Span::styled(label, if c.selected { style.patch(theme.selected) } else { style }), Span::styled(" ", base)]
        })
        .collect();
    cells.push(Cell::from(Line::from(tags)));
    Row::new(cells).style(base)
}

fn draw_table(frame: &mut Frame<'_>, area: Rect, state: &State, theme: &Theme) {
    if state.list.visible.is_empty() {
        let msg = if let Some(e) = &state.list_error {
            Line::from(Span::styled(format!(" {e}"), theme.error))
        } else if state.loading {
            let so_far = match state.listed_so_far {
                Some(n) => format!(" ({n} so far)"),
                None => " (waiting for the server)".into(),
            };
            Line::from(Span::styled(format!(" Listing Secrets in {}…{so_far}", state.scope.label()), theme.dim))
        } else if state.rows.is_empty() {
            Line::from(Span::styled(format!(" No Secrets in {}.", state.scope.label()), theme.dim))
        } else {
            Line::from(Span::styled(" Nothing matches the filter. Esc clears it.", theme.dim))
        };
        frame.render_widget(Paragraph::new(msg), area);
        return;
    }
    let body_height = usize::from(area.height.saturating_sub(1)).max(1);
    let sel = state.list.selected;
    // The offset keeps the selection in view (State::settle); clamped here only so that a
    // state that was not settled still draws.
    let offset = state.list.offset.min(sel).min(state.list.visible.len().saturating_sub(1));
    let all_ns = state.scope.namespace().is_none();
    let end = (offset + body_height).min(state.list.visible.len());
    let cells = page_cells(state, offset, end, theme);
    let w = columns::fit(content(&cells, all_ns), area.width);
    let rows: Vec<Row<'static>> = cells.into_iter().map(|c| table_row(c, &w, theme)).collect();
    let mut header = vec!["NAME"];
    let mut widths = vec![Constraint::Length(w.name)];
    if let Some(ns) = w.namespace {
        header.push("NAMESPACE");
        widths.push(Constraint::Length(ns));
    }
    header.extend(["TYPE", "KEYS", "AGE", "USED BY", "FLAGS"]);
    widths.extend([
        Constraint::Length(w.type_),
        Constraint::Length(columns::KEYS),
        Constraint::Length(w.age),
        Constraint::Length(columns::USED_BY),
        Constraint::Length(w.flags),
    ]);
    let table = Table::new(rows, widths)
        .header(Row::new(header).style(theme.header))
        .column_spacing(columns::SPACING)
        .flex(ratatui::layout::Flex::Start);
    frame.render_widget(table, area);
}

#[cfg(test)]
mod tests {
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;

    use crate::app::State;
    use crate::app::effect::Scope;
    use crate::app::state::Options;
    use crate::cluster::event::Connection;
    use crate::list::rows::SecretRow;
    use crate::ui::{Theme, draw};

    /// The table rows drawn are the rows a page has for the keys and the inspections
    /// (`State::list_page`), whatever lines are shown above the table.
    #[test]
    fn the_page_the_state_computes_is_the_page_drawn() {
        let mut s = State::new("c", vec![], Scope::One("ns".into()), Options::default(), jiff::Timestamp::UNIX_EPOCH);
        for i in 0..200 {
            let r = SecretRow { namespace: "ns".into(), name: format!("s{i:03}"), ..Default::default() };
            s.rows.insert(r.key(), r);
        }
        s.loading = false;
        s.refresh_visible();
        for (banner, note, filter) in [(false, false, false), (true, false, false), (true, true, true)] {
            for height in [15, 24, 48] {
                s.height = height;
                s.connection = if banner {
                    Connection::Lost { error: "reset".into(), since: jiff::Timestamp::UNIX_EPOCH }
                } else {
                    Connection::Live
                };
                s.scope_note = note.then(|| "narrowed".to_string());
                s.list.typing = filter;
                s.list.selected = 150;
                s.settle();
                let mut term = Terminal::new(TestBackend::new(100, height)).unwrap();
                term.draw(|f| draw(f, &s, &Theme::mono())).unwrap();
                let buf = term.backend().buffer();
                let lines: Vec<String> = (0..height)
                    .map(|y| (0..100).map(|x| buf[(x, y)].symbol().to_string()).collect::<String>())
                    .collect();
                let drawn =
                    lines.iter().filter(|l| l.starts_with('s') && l[1..4].chars().all(|c| c.is_ascii_digit())).count();
                assert_eq!(drawn, s.list_page(), "height {height}, banner {banner}, note {note}, filter {filter}");
                assert!(lines.iter().any(|l| l.starts_with("s150")), "the selection is on screen");
            }
        }
    }
}
