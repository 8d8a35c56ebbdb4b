//! Drawing: reads the state and draws it. One module per screen; shared widgets beside them.

pub(crate) mod access;
pub(crate) mod columns;
pub(crate) mod detail;
pub(crate) mod edit;
pub(crate) mod fleet;
pub(crate) mod list;
pub(crate) mod modal;
pub(crate) mod restart;
pub(crate) mod text;
pub(crate) mod theme;
pub(crate) mod typed;
pub(crate) mod usedby;
pub(crate) mod value;

use ratatui::Frame;
use ratatui::layout::{Alignment, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use crate::app::State;
use crate::app::state::Banner;
use crate::keymap;
pub use theme::Theme;

/// The smallest terminal keyhole draws into; below it, a message asks for more room.
pub(crate) const MIN_WIDTH: u16 = 60;
pub(crate) const MIN_HEIGHT: u16 = 15;

/// Draws the whole screen. Reads the state only: the list's scroll position and the page
/// height are the state's (`State::settle`, `State::list_layout`).
pub fn draw(frame: &mut Frame<'_>, state: &State, theme: &Theme) {
    let area = frame.area();
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        too_small(frame, area, theme);
        return;
    }
    if state.detail.is_some() {
        detail::draw(frame, area, state, theme);
    } else {
        list::draw(frame, area, state, theme);
    }
    if state.modal.is_some() {
        modal::draw(frame, area, state, theme);
    }
}

fn too_small(frame: &mut Frame<'_>, area: Rect, theme: &Theme) {
    let lines = vec![
        Line::from(Span::styled("keyhole needs a larger window", theme.title)),
        Line::from(""),
        Line::from(format!("at least {MIN_WIDTH}×{MIN_HEIGHT}; this one is {}×{}", area.width, area.height)),
        Line::from("Make the window larger, or press Ctrl-C to quit."),
    ];
    let top = area.height.saturating_sub(lines.len() as u16) / 2;
    let rect = Rect { y: area.y + top, height: area.height - top, ..area };
    frame.render_widget(Paragraph::new(lines).alignment(Alignment::Center).wrap(Wrap { trim: true }), rect);
}

/// The connection banner, if there is one to show.
pub(crate) fn banner(state: &State, theme: &Theme) -> Option<Line<'static>> {
    match state.banner()? {
        Banner::Lost { error, since } => {
            let ago = crate::format::age(Some(since), state.now);
            Some(Line::from(Span::styled(
                format!(" Connection lost: {error}. Reconnecting; the list is as it was {ago} ago. "),
                theme.banner,
            )))
        }
        Banner::Polling { every, reason } => Some(Line::from(Span::styled(
            format!(
                " Not watching ({reason}): the list is read again every {} s; changes show with that delay. ",
                every.as_secs()
            ),
            theme.warn,
        ))),
        Banner::Restored => {
            Some(Line::from(Span::styled(" Connection restored; the list is current again. ", theme.ok)))
        }
    }
}

/// The footer: the keys that matter here, or the latest message.
pub(crate) fn footer(state: &State, scope: keymap::Scope, theme: &Theme) -> Line<'static> {
    if let Some(f) = &state.flash {
        let style = if f.error { theme.error } else { theme.ok };
        return Line::from(Span::styled(format!(" {}", f.text), style));
    }
    let mut spans = vec![Span::raw(" ")];
    for (key, help) in state.options.keymap.footer(scope, state.options.readonly) {
        spans.push(Span::styled(key, theme.key));
        spans.push(Span::styled(format!(" {help}  "), theme.dim));
    }
    Line::from(spans)
}
