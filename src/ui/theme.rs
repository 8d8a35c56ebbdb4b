//! Colours. The default theme uses only the 16 ANSI colours, so the terminal's own palette
//! decides how they look on dark and light backgrounds. `NO_COLOR` gives a monochrome theme
//! that marks selection with reverse video and emphasis with bold.

use ratatui::style::{Color, Modifier, Style};

#[derive(Debug, Clone)]
pub struct Theme {
    pub name: &'static str,
    pub base: Style,
    pub dim: Style,
    pub title: Style,
    pub header: Style,
    pub selected: Style,
    pub matched: Style,
    pub key: Style,
    pub ok: Style,
    pub warn: Style,
    pub error: Style,
    pub tag: Style,
    pub tab_active: Style,
    pub tab: Style,
    pub banner: Style,
    pub masked: Style,
}

impl Theme {
    pub fn ansi() -> Theme {
        Theme {
            name: "ansi",
            base: Style::default(),
            dim: Style::default().fg(Color::DarkGray),
            title: Style::default().add_modifier(Modifier::BOLD),
            header: Style::default().fg(Color::Cyan).add_modifier(Modifier::BOLD),
            selected: Style::default().add_modifier(Modifier::REVERSED),
            matched: Style::default().fg(Color::Yellow).add_modifier(Modifier::BOLD),
            key: Style::default().fg(Color::Cyan).add_modifier(Modifier::BOLD),
            ok: Style::default().fg(Color::Green),
            warn: Style::default().fg(Color::Yellow),
            error: Style::default().fg(Color::Red).add_modifier(Modifier::BOLD),
            tag: Style::default().fg(Color::Magenta),
            tab_active: Style::default().add_modifier(Modifier::REVERSED | Modifier::BOLD),
            tab: Style::default(),
            banner: Style::default().fg(Color::White).bg(Color::Red).add_modifier(Modifier::BOLD),
            masked: Style::default().fg(Color::DarkGray),
        }
    }

    pub fn mono() -> Theme {
        let plain = Style::default();
        let bold = Style::default().add_modifier(Modifier::BOLD);
        Theme {
            name: "mono",
            base: plain,
            dim: plain,
            title: bold,
            header: bold.add_modifier(Modifier::UNDERLINED),
            selected: Style::default().add_modifier(Modifier::REVERSED),
            matched: Style::default().add_modifier(Modifier::UNDERLINED | Modifier::BOLD),
            key: bold,
            ok: plain,
            warn: bold,
            error: bold,
            tag: bold,
            tab_active: Style::default().add_modifier(Modifier::REVERSED | Modifier::BOLD),
            tab: plain,
            banner: Style::default().add_modifier(Modifier::REVERSED | Modifier::BOLD),
            masked: plain,
        }
    }

    pub(crate) fn by_name(name: &str) -> Option<Theme> {
        match name {
            "ansi" | "default" => Some(Theme::ansi()),
            "mono" | "monochrome" | "none" => Some(Theme::mono()),
            _ => None,
        }
    }
}
