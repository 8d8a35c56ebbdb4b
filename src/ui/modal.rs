//! Modals: the help screen (generated from the keymap) and the pickers.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use super::Theme;
use super::text::sanitize;
use crate::app::State;
use crate::app::state::Modal;
use crate::keymap;

fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let w = width.min(area.width.saturating_sub(2));
    let h = height.min(area.height.saturating_sub(2));
    Rect { x: area.x + (area.width - w) / 2, y: area.y + (area.height - h) / 2, width: w, height: h }
}

pub(crate) fn draw(frame: &mut Frame<'_>, area: Rect, state: &State, theme: &Theme) {
    match &state.modal {
        Some(Modal::Fleet(v)) => super::fleet::draw(frame, area, state, v, theme),
        Some(Modal::Help { scroll }) => {
            let mut lines = Vec::new();
            for (scope, bindings) in keymap::sections() {
                lines.push(Line::from(Span::styled(scope.title().to_string(), theme.header)));
                for b in bindings {
                    let keys: Vec<String> = state.options.keymap.keys_of(b).iter().map(|k| k.label()).collect();
                    lines.push(Line::from(vec![
                        Span::styled(format!("  {:<22}", keys.join(" ")), theme.key),
                        Span::raw(b.help),
                    ]));
                }
                lines.push(Line::from(""));
            }
            let rect = centered(area, 78, area.height.saturating_sub(2));
            frame.render_widget(Clear, rect);
            let block =
                Block::default().borders(Borders::ALL).title(" Help — q or Esc closes ").border_style(theme.dim);
            frame.render_widget(Paragraph::new(lines).block(block).scroll((*scroll, 0)), rect);
        }
        Some(Modal::Picker(p)) => {
            let matching = p.matching();
            let height = (matching.len() as u16 + 4).clamp(6, area.height.saturating_sub(4));
            let rect = centered(area, 60, height);
            frame.render_widget(Clear, rect);
            let mut lines = vec![Line::from(vec![
                Span::styled(" filter: ", theme.dim),
                Span::raw(format!("{}▏", sanitize(&p.query))),
            ])];
            let visible = usize::from(rect.height.saturating_sub(3));
            let pos = matching.iter().position(|&i| i == p.selected).unwrap_or(0);
            let start = pos.saturating_sub(visible.saturating_sub(1));
            for &i in matching.iter().skip(start).take(visible) {
                let style = if i == p.selected { theme.selected } else { theme.base };
                lines.push(Line::from(Span::styled(format!(" {} ", sanitize(&p.items[i].1)), style)));
            }
            if matching.is_empty() {
                lines.push(Line::from(Span::styled(" nothing matches", theme.dim)));
            }
            let block = Block::default().borders(Borders::ALL).title(format!(" {} ", p.title)).border_style(theme.dim);
            frame.render_widget(Paragraph::new(lines).block(block), rect);
        }
        Some(Modal::Editor(e)) => {
            super::edit::editor(frame, area, e, state.options.redact, &state.options.keymap, theme)
        }
        Some(Modal::Prompt(p)) => {
            super::edit::prompt(frame, area, p, state.options.redact, &state.options.keymap, theme)
        }
        Some(Modal::Confirm(c)) => super::edit::confirm(frame, area, c, &state.options.keymap, theme),
        Some(Modal::Review(r)) => super::edit::review(frame, area, state, r, theme),
        Some(Modal::Conflict(c)) => super::edit::conflict(frame, area, c, &state.options.keymap, theme),
        Some(Modal::Restart(v)) => super::restart::draw(frame, area, v, &state.options.keymap, theme),
        None => {}
    }
}
