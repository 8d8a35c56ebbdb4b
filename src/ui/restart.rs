//! The restart window: each workload that reads the Secret only at start, whether it is chosen,
//! and, once restarted, its rollout (updated / ready / available, or why it fails).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use super::Theme;
use super::edit::{centered, keys_line};
use super::text::sanitize;
use crate::app::restart::{RestartView, RowState};
use crate::keymap::{Keymap, Scope as KeyScope};
use crate::refs::RestartAction;

pub(crate) fn draw(frame: &mut Frame<'_>, area: Rect, v: &RestartView, keys: &Keymap, theme: &Theme) {
    let mut lines: Vec<Line<'static>> = vec![Line::from(Span::styled(sanitize(&v.intro), theme.title)), Line::from("")];
    for (i, row) in v.rows.iter().enumerate() {
        let t = &row.target;
        let mark = match (&t.action, row.chosen) {
            (RestartAction::Restart, true) => "[x] ",
            (RestartAction::Restart, false) => "[ ] ",
            (RestartAction::Instead(_), _) => "    ",
        };
        let pods = if t.pods == 1 { "1 Pod".to_string() } else { format!("{} Pods", t.pods) };
        let style = if i == v.selected { theme.selected } else { theme.base };
        lines.push(Line::from(vec![
            Span::styled(format!("{mark}{}", sanitize(&t.title())), style),
            Span::styled(format!("  {pods}: {}", sanitize(&t.reads.join("; "))), theme.dim),
        ]));
        let (text, style) = match (&row.state, &t.action) {
            (_, RestartAction::Instead(why)) => (format!("no rollout: {why}"), theme.dim),
            (RowState::Planned, _) if !row.chosen => {
                ("left as it is: its Pods keep the old value".to_string(), theme.dim)
            }
            (RowState::Planned, _) => ("will be restarted (kubectl rollout restart)".to_string(), theme.dim),
            (RowState::Sent, _) => ("asking the server and restarting…".to_string(), theme.dim),
            (RowState::Refused(m), _) => (format!("refused: {m}"), theme.error),
            (RowState::Failed(m), _) => (format!("failed: {m}"), theme.error),
            (RowState::Rolling { progress: p, .. }, _) => (
                format!(
                    "rolling out: {} updated, {} ready, {} available of {} — {}",
                    p.updated, p.ready, p.available, p.desired, p.message
                ),
                theme.warn,
            ),
            (RowState::Done(m), _) => (format!("done: {m}"), theme.ok),
            (RowState::RolloutFailed { message, .. }, _) => (format!("failed: {message}"), theme.error),
        };
        lines.push(Line::from(Span::styled(format!("      {}", sanitize(&text)), style)));
        if let RowState::Rolling { stuck, .. } | RowState::RolloutFailed { stuck, .. } = &row.state {
            for s in stuck.iter().take(3) {
                lines.push(Line::from(Span::styled(format!("      {}", sanitize(s)), theme.error)));
            }
        }
    }
    lines.push(Line::from(""));
    lines.push(keys_line(keys, KeyScope::Restart, theme));
    let width = area.width.saturating_sub(4).min(130);
    let inner = usize::from(width.saturating_sub(2)).max(1);
    let height: usize = lines.iter().map(|l| l.width().div_ceil(inner).max(1)).sum();
    let rect = centered(area, width, height as u16 + 2);
    frame.render_widget(Clear, rect);
    let title = format!(" Restart: {} in {} ", sanitize(&v.secret), sanitize(&v.namespace));
    let block = Block::default().borders(Borders::ALL).title(title).border_style(theme.warn);
    frame.render_widget(Paragraph::new(lines).block(block).wrap(Wrap { trim: false }), rect);
}
