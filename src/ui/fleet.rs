//! The fleet view: the Secrets of several contexts in one list (a CONTEXT column), the
//! contexts that could not be read, and the comparison of one Secret across them.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Clear, Paragraph, Row, Table};

use super::text::{sanitize, truncate, width};
use super::{Theme, footer};
use crate::app::State;
use crate::app::fleet::{CompareView, FleetView};
use crate::format;
use crate::keymap::Scope as KeyScope;

pub(crate) fn draw(frame: &mut Frame<'_>, area: Rect, state: &State, v: &FleetView, theme: &Theme) {
    frame.render_widget(Clear, area);
    let failed: Vec<(&str, &str)> =
        v.contexts.iter().filter_map(|c| c.result.as_ref().err().map(|e| (c.context.as_str(), e.as_str()))).collect();
    let shown_errors = failed.len().min(3);
    let chunks = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(shown_errors as u16),
        Constraint::Length(u16::from(v.typing || !v.query.is_empty())),
        Constraint::Min(2),
        Constraint::Length(1),
    ])
    .split(area);
    let read = v.contexts.len() - failed.len();
    let mut title = vec![
        Span::styled(" keyhole fleet ", theme.title),
        Span::styled("│ ", theme.dim),
        Span::raw(format!("contexts {} ", sanitize(&v.spec))),
        Span::styled("│ ", theme.dim),
    ];
    if v.loading {
        title.push(Span::styled("reading every context…", theme.dim));
    } else {
        title.push(Span::raw(format!("{} Secrets in {read} of {} contexts", v.visible.len(), v.contexts.len())));
    }
    if let Some(t) = &v.type_filter {
        title.push(Span::styled(" │ ", theme.dim));
        title.push(Span::styled(format!("type {}", sanitize(t)), theme.tag));
    }
    frame.render_widget(Paragraph::new(Line::from(title)), chunks[0]);
    let errors: Vec<Line<'static>> = failed
        .iter()
        .take(3)
        .map(|(c, e)| {
            Line::from(vec![
                Span::styled(format!(" {}: ", sanitize(c)), theme.error),
                Span::raw(sanitize(&truncate(e, usize::from(area.width).saturating_sub(width(c) + 4)))),
            ])
        })
        .collect();
    frame.render_widget(Paragraph::new(errors), chunks[1]);
    if v.typing || !v.query.is_empty() {
        let cursor = if v.typing { "▏" } else { "" };
        frame.render_widget(
            Paragraph::new(Line::from(vec![
                Span::styled(" / ", theme.key),
                Span::raw(format!("{}{cursor}", sanitize(&v.query))),
            ])),
            chunks[2],
        );
    }
    match &v.compare {
        Some(Some(c)) => draw_compare(frame, chunks[3], c, v.scroll, theme),
        Some(None) => {
            frame.render_widget(Paragraph::new(Span::styled(" Comparing across the contexts…", theme.dim)), chunks[3])
        }
        None => draw_table(frame, chunks[3], state, v, theme),
    }
    frame.render_widget(Paragraph::new(footer(state, KeyScope::Fleet, theme)), chunks[4]);
}

fn draw_table(frame: &mut Frame<'_>, area: Rect, state: &State, v: &FleetView, theme: &Theme) {
    if v.visible.is_empty() {
        let msg = if v.loading { " Reading every context…" } else { " No Secrets here (or nothing matches)." };
        frame.render_widget(Paragraph::new(Span::styled(msg, theme.dim)), area);
        return;
    }
    let height = usize::from(area.height.saturating_sub(1)).max(1);
    let offset = v.selected.saturating_sub(height - 1);
    let end = (offset + height).min(v.visible.len());
    let rows_shown: Vec<_> = v.visible[offset..end].iter().filter_map(|at| v.row(*at)).collect();
    let w = |f: &dyn Fn(&crate::app::fleet::FleetRow) -> usize, h: &str| {
        rows_shown.iter().map(|r| f(r)).max().unwrap_or(0).max(width(h)) as u16
    };
    let (cw, nw, namew) = (
        w(&|r| width(&r.context), "CONTEXT"),
        w(&|r| width(&r.namespace), "NAMESPACE"),
        w(&|r| width(&r.name), "NAME"),
    );
    let tw = w(&|r| width(&super::list::type_label(&r.type_, false)), "TYPE");
    let rows: Vec<Row<'static>> = rows_shown
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let style = if offset + i == v.selected { theme.selected } else { theme.base };
            let flags: Vec<String> = r.flags.iter().map(|f| f.label()).collect();
            Row::new(vec![
                Cell::from(sanitize(&r.context)),
                Cell::from(sanitize(&r.namespace)),
                Cell::from(sanitize(&r.name)),
                Cell::from(sanitize(&super::list::type_label(&r.type_, false))),
                Cell::from(r.keys.to_string()),
                Cell::from(format::age(r.created, state.now)),
                Cell::from(r.used.clone()),
                Cell::from(flags.join(" ")),
            ])
            .style(style)
        })
        .collect();
    let widths = [
        Constraint::Length(cw),
        Constraint::Length(nw),
        Constraint::Length(namew),
        Constraint::Length(tw),
        Constraint::Length(4),
        Constraint::Length(5),
        Constraint::Length(7),
        Constraint::Fill(1),
    ];
    let header =
        Row::new(["CONTEXT", "NAMESPACE", "NAME", "TYPE", "KEYS", "AGE", "USED BY", "FLAGS"]).style(theme.header);
    frame.render_widget(
        Table::new(rows, widths).header(header).column_spacing(1).flex(ratatui::layout::Flex::Start),
        area,
    );
}

fn draw_compare(frame: &mut Frame<'_>, area: Rect, c: &CompareView, scroll: u16, theme: &Theme) {
    let mut lines = vec![
        Line::from(Span::styled(
            format!(" {} in {}: key by key across the contexts", sanitize(&c.name), sanitize(&c.namespace)),
            theme.header,
        )),
        Line::from(Span::styled(
            " A, B, ...: contexts with the same letter hold the same value (keyed digest, never shown); -: key absent",
            theme.dim,
        )),
        Line::from(""),
    ];
    let key_w = c.keys.iter().map(|(k, _, _)| width(k)).max().unwrap_or(3).max(8);
    let col_w: Vec<usize> = c.contexts.iter().zip(&c.sides).map(|(n, s)| width(n).max(width(s).min(24))).collect();
    let mut head = vec![Span::styled(format!(" {:<key_w$}", "KEY"), theme.header)];
    for (n, w) in c.contexts.iter().zip(&col_w) {
        head.push(Span::styled(format!(" {:<w$}", truncate(&sanitize(n), *w)), theme.header));
    }
    head.push(Span::styled(" VERDICT", theme.header));
    lines.push(Line::from(head));
    let mut top = vec![Span::raw(format!(" {:<key_w$}", "(secret)"))];
    for (s, w) in c.sides.iter().zip(&col_w) {
        let style = if s.starts_with("unread") || s == "absent" { theme.warn } else { theme.base };
        top.push(Span::styled(format!(" {:<w$}", truncate(&sanitize(s), *w)), style));
    }
    lines.push(Line::from(top));
    for (key, groups, verdict) in &c.keys {
        let mut spans = vec![Span::raw(format!(" {:<key_w$}", truncate(&sanitize(key), key_w)))];
        for ((g, side), w) in groups.iter().zip(&c.sides).zip(&col_w) {
            let cell = match g {
                Some(ch) => ch.to_string(),
                None if side.starts_with("unread") || side == "absent" => String::new(),
                None => "-".into(),
            };
            spans.push(Span::raw(format!(" {cell:<w$}")));
        }
        let style = if *verdict == "same" { theme.ok } else { theme.warn };
        spans.push(Span::styled(format!(" {verdict}"), style));
        lines.push(Line::from(spans));
    }
    frame.render_widget(Paragraph::new(lines).scroll((scroll, 0)), area);
}
