//! One Secret value in the value pane: masked until asked for, then shown by kind (text,
//! pretty JSON, PEM, hex dump). Binary values never go through a lossy UTF-8 conversion.

use ratatui::text::{Line, Span};

use super::Theme;
use super::text::sanitize;
use crate::secret::{SecretValue, ValueKind, hex_dump};

/// The masked form: a fixed number of bullets, so the length does not leak through the mask.
pub(crate) const MASK: &str = "••••••••";

pub(crate) fn masked(value: &SecretValue, redact: bool, theme: &Theme) -> Vec<Line<'static>> {
    let hint = if redact { "hidden: keyhole runs with --redact" } else { "press v to reveal" };
    vec![Line::from(vec![
        Span::styled(MASK, theme.masked),
        Span::styled(format!("   {} · {}", value.kind().label(), crate::format::bytes(value.len())), theme.dim),
        Span::styled(format!("   {hint}"), theme.dim),
    ])]
}

pub(crate) fn revealed(value: &SecretValue, theme: &Theme) -> Vec<Line<'static>> {
    match value.kind() {
        ValueKind::Binary => hex_dump(value).into_iter().map(|l| Line::from(Span::raw(l))).collect(),
        ValueKind::Json => {
            let pretty = serde_json::from_slice::<serde_json::Value>(value)
                .ok()
                .and_then(|v| serde_json::to_string_pretty(&v).ok())
                .unwrap_or_else(|| String::from_utf8_lossy(value).into_owned());
            text_lines(&pretty)
        }
        ValueKind::Text | ValueKind::Pem => {
            let text = value.as_str().unwrap_or("");
            if text.is_empty() {
                return vec![Line::from(Span::styled("(empty)", theme.dim))];
            }
            text_lines(text)
        }
    }
}

fn text_lines(text: &str) -> Vec<Line<'static>> {
    text.lines().map(|l| Line::from(Span::raw(sanitize(l)))).collect()
}
