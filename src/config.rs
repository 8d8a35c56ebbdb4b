//! The user's config file: `~/.config/keyhole/config.toml` (`$XDG_CONFIG_HOME` respected),
//! or the file given with `--config` / `KEYHOLE_CONFIG`. The shipped default, with every option
//! explained, is `assets/config.toml`.
//!
//! ```toml
//! theme = "ansi"                      # or "mono"
//! [colors.ansi]                       # overrides per theme, per slot
//! key = "bright_cyan"                 # a colour name sets the foreground
//! selected = { fg = "black", bg = "yellow", bold = true }
//! [clipboard]
//! clear_after_seconds = 30            # 0: never clear; at most 86400 (a day)
//! [keys]                              # action = [key, ...]; replaces that action's keys
//! reveal = ["v", "space"]
//! refresh = ["ctrl-r", "f5"]
//! ```
//!
//! A bad file is an error naming the file, line and column (never a panic): unknown fields,
//! theme, slot, colour, key or action names, values of the wrong type, and numbers out of range.
//!
//! Key strings: a single character (case matters: `G` is Shift-g), or a name (`enter`, `esc`,
//! `tab`, `backtab`, `space`, `backspace`, `delete`, `insert`, `home`, `end`, `pageup`,
//! `pagedown`, `up`, `down`, `left`, `right`, `f1` to `f24`), with `ctrl-`, `alt-` and
//! `shift-` in front as needed: `ctrl-r`, `alt-enter`, `shift-tab`, `ctrl--`.

use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crossterm::event::{KeyCode, KeyModifiers};
use ratatui::style::{Color, Modifier, Style};
use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use toml::Spanned;

use crate::ui::Theme;

/// How long a copy stays in the native clipboard when the config does not say.
pub(crate) const DEFAULT_CLEAR_AFTER: Duration = Duration::from_secs(30);

/// The longest `clear_after_seconds`: a day. Longer is not a clear time any more, and the
/// bound keeps the time arithmetic far from overflowing.
pub(crate) const MAX_CLEAR_AFTER_SECONDS: i64 = 86_400;

/// The file's name inside the config directory.
const FILE: &str = "keyhole/config.toml";

/// Where keyhole looks when `--config` is not given: `$XDG_CONFIG_HOME/keyhole/config.toml`
/// (when that is an absolute path), else `~/.config/keyhole/config.toml`.
pub(crate) fn default_path() -> Option<PathBuf> {
    std::env::var_os("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| std::env::var_os("HOME").filter(|h| !h.is_empty()).map(|h| PathBuf::from(h).join(".config")))
        .map(|base| base.join(FILE))
}

/// The config, read and checked.
#[derive(Debug, Clone, Default)]
pub(crate) struct Config {
    /// The file it came from; `None` when keyhole runs on its defaults.
    pub path: Option<PathBuf>,
    /// The theme when neither `--theme` nor `NO_COLOR` decides: `ansi` or `mono`.
    pub theme: Option<String>,
    /// Slot overrides per theme name (`ansi`, `mono`).
    pub colors: BTreeMap<&'static str, Vec<(Slot, Style)>>,
    /// `[clipboard] clear_after_seconds`; `None` when the file does not say.
    pub clear_after_seconds: Option<u64>,
    /// `[keys]`: action name (snake_case, as in `src/keymap.rs`'s `Action`, e.g. `page_down`)
    /// to the keys that replace its defaults, in the order written. An empty list unbinds.
    pub keys: BTreeMap<String, Vec<KeySpec>>,
}

/// The most a config file may hold: a config is a few KiB; this bounds `/dev/zero`.
const MAX_CONFIG: u64 = 1 << 20;

/// Reads a config file of at most [`MAX_CONFIG`] bytes.
fn read_small(path: &Path) -> std::io::Result<String> {
    use std::io::Read as _;
    let mut text = String::new();
    std::fs::File::open(path)?.take(MAX_CONFIG + 1).read_to_string(&mut text)?;
    if text.len() as u64 > MAX_CONFIG {
        return Err(std::io::Error::other("larger than 1 MiB; a config file is a few KiB"));
    }
    Ok(text)
}

impl Config {
    /// Reads the config: the file given (which must exist), else the default path (a missing
    /// file there means the defaults).
    pub(crate) fn load(explicit: Option<&Path>) -> Result<Config, ConfigError> {
        let (path, must_exist) = match explicit {
            Some(p) => (p.to_path_buf(), true),
            None => match default_path() {
                Some(p) => (p, false),
                None => return Ok(Config::default()),
            },
        };
        let text = match read_small(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !must_exist => return Ok(Config::default()),
            Err(e) => return Err(ConfigError::unlocated(&path, format!("cannot read it: {e}"))),
        };
        Config::parse(&text, &path)
    }

    /// Parses config text; `path` is only for messages.
    pub(crate) fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
        let raw: RawConfig = toml::from_str(text).map_err(|e| ConfigError::at(path, text, e.span(), e.message()))?;
        let fail = |span: Range<usize>, message: String| ConfigError::at(path, text, Some(span), &message);

        let theme = match raw.theme {
            Some(t) => match Theme::by_name(t.get_ref()) {
                Some(found) => Some(found.name.to_string()),
                None => {
                    return Err(fail(
                        t.span(),
                        format!("unknown theme {:?}; the themes are ansi and mono", t.get_ref()),
                    ));
                }
            },
            None => None,
        };

        let mut colors = BTreeMap::new();
        if let Some(c) = raw.colors {
            for (name, slots) in [("ansi", c.ansi), ("mono", c.mono)] {
                if let Some(slots) = slots {
                    colors.insert(name, slots.into_overrides());
                }
            }
        }

        let known = action_names();
        let mut keys = BTreeMap::new();
        for (action, list) in raw.keys.unwrap_or_default() {
            if !known.iter().any(|k| k == action.get_ref()) {
                return Err(fail(
                    action.span(),
                    format!("unknown action {:?}; the actions are {}", action.get_ref(), known.join(", ")),
                ));
            }
            let mut parsed = Vec::with_capacity(list.len());
            for k in list {
                parsed.push(k.get_ref().parse::<KeySpec>().map_err(|e| fail(k.span(), e))?);
            }
            keys.insert(action.into_inner(), parsed);
        }

        // Every number in the file is range-checked here, where its span is known.
        let clear_after_seconds = match raw.clipboard.and_then(|c| c.clear_after_seconds) {
            None => None,
            Some(n) => match u64::try_from(*n.get_ref()) {
                Ok(secs) if *n.get_ref() <= MAX_CLEAR_AFTER_SECONDS => Some(secs),
                _ => {
                    return Err(fail(
                        n.span(),
                        format!(
                            "clear_after_seconds is {}; it must be between 0 and {MAX_CLEAR_AFTER_SECONDS} \
                             (seconds; 0 never clears, {MAX_CLEAR_AFTER_SECONDS} is a day)",
                            n.get_ref()
                        ),
                    ));
                }
            },
        };

        Ok(Config { path: Some(path.to_path_buf()), theme, colors, clear_after_seconds, keys })
    }

    /// How long the native clipboard keeps a copy; `None`: never cleared (`0` in the file).
    /// The `[keys]` overrides as keymap actions and keys.
    pub(crate) fn key_overrides(&self) -> std::collections::HashMap<crate::keymap::Action, Vec<crate::keymap::Key>> {
        let mut out = std::collections::HashMap::new();
        for (name, specs) in &self.keys {
            let action =
                crate::keymap::BINDINGS.iter().map(|b| b.action).find(|a| snake_case(&format!("{a:?}")) == *name);
            if let Some(a) = action {
                out.insert(a, specs.iter().map(|k| k.to_key()).collect());
            }
        }
        out
    }

    pub(crate) fn clear_after(&self) -> Option<Duration> {
        match self.clear_after_seconds {
            None => Some(DEFAULT_CLEAR_AFTER),
            Some(0) => None,
            Some(s) => Some(Duration::from_secs(s)),
        }
    }

    /// The theme to draw with. `--theme` (`flag`) wins; otherwise `NO_COLOR` gives the plain
    /// monochrome theme (the file's colours are not applied then); otherwise the file's `theme`,
    /// else `ansi`. The file's colour overrides for the chosen theme are applied on top.
    pub(crate) fn theme(&self, flag: Option<&str>, no_color: bool) -> Result<Theme, String> {
        let name = match flag {
            Some(name) => name,
            None if no_color => return Ok(Theme::mono()),
            None => self.theme.as_deref().unwrap_or("ansi"),
        };
        let mut theme =
            Theme::by_name(name).ok_or_else(|| format!("unknown theme {name:?}; the themes are ansi and mono"))?;
        for (slot, style) in self.colors.get(theme.name).into_iter().flatten() {
            *slot.of(&mut theme) = *style;
        }
        Ok(theme)
    }
}

/// Whether `NO_COLOR` asks for no colour (set and not empty, as no-color.org says).
pub(crate) fn no_color_env() -> bool {
    std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
}

/// The action names the `[keys]` table accepts: every action in the keymap table, in
/// snake_case (`PageDown` is `page_down`).
pub(crate) fn action_names() -> Vec<String> {
    let mut names: Vec<String> =
        crate::keymap::BINDINGS.iter().map(|b| snake_case(&format!("{:?}", b.action))).collect();
    names.sort();
    names.dedup();
    names
}

pub(crate) fn snake_case(camel: &str) -> String {
    let mut out = String::with_capacity(camel.len() + 4);
    for (i, c) in camel.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// A bad config: the file, and where in it (1-based line and column, when known).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ConfigError {
    pub path: PathBuf,
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub message: String,
    /// The offending line of the file, for showing under the message.
    pub source_line: Option<String>,
}

impl ConfigError {
    fn unlocated(path: &Path, message: String) -> ConfigError {
        ConfigError { path: path.to_path_buf(), line: None, column: None, message, source_line: None }
    }

    fn at(path: &Path, text: &str, span: Option<Range<usize>>, message: &str) -> ConfigError {
        // toml's messages can end with a new line or repeat the location; keep the sentence.
        let message = message.trim().to_string();
        let Some(span) = span else { return ConfigError::unlocated(path, message) };
        let mut cut = span.start.min(text.len());
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        let before = &text[..cut];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = before[line_start..].chars().count() + 1;
        let source_line = text[line_start..].lines().next().map(str::to_string);
        ConfigError { path: path.to_path_buf(), line: Some(line), column: Some(column), message, source_line }
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.column) {
            (Some(l), Some(c)) => {
                write!(f, "{}:{l}:{c}: {}", self.path.display(), self.message)?;
                if let Some(src) = &self.source_line {
                    let caret: String =
                        src.chars().take(c.saturating_sub(1)).map(|ch| if ch == '\t' { '\t' } else { ' ' }).collect();
                    write!(f, "\n  {src}\n  {caret}^")?;
                }
                Ok(())
            }
            _ => write!(f, "{}: {}", self.path.display(), self.message),
        }
    }
}

impl std::error::Error for ConfigError {}

// --- The file's shape --------------------------------------------------------------------

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    theme: Option<Spanned<String>>,
    colors: Option<RawColors>,
    clipboard: Option<RawClipboard>,
    keys: Option<BTreeMap<Spanned<String>, Vec<Spanned<String>>>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawColors {
    ansi: Option<RawSlots>,
    mono: Option<RawSlots>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawClipboard {
    /// Read as any TOML integer, so that a negative or huge number gets the range message.
    clear_after_seconds: Option<Spanned<i64>>,
}

/// A slot of [`Theme`]: one style the screens draw with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Slot {
    Base,
    Dim,
    Title,
    Header,
    Selected,
    Matched,
    Key,
    Ok,
    Warn,
    Error,
    Tag,
    TabActive,
    Tab,
    Banner,
    Masked,
}

impl Slot {
    pub(crate) fn of(self, t: &mut Theme) -> &mut Style {
        match self {
            Slot::Base => &mut t.base,
            Slot::Dim => &mut t.dim,
            Slot::Title => &mut t.title,
            Slot::Header => &mut t.header,
            Slot::Selected => &mut t.selected,
            Slot::Matched => &mut t.matched,
            Slot::Key => &mut t.key,
            Slot::Ok => &mut t.ok,
            Slot::Warn => &mut t.warn,
            Slot::Error => &mut t.error,
            Slot::Tag => &mut t.tag,
            Slot::TabActive => &mut t.tab_active,
            Slot::Tab => &mut t.tab,
            Slot::Banner => &mut t.banner,
            Slot::Masked => &mut t.masked,
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSlots {
    base: Option<StyleSpec>,
    dim: Option<StyleSpec>,
    title: Option<StyleSpec>,
    header: Option<StyleSpec>,
    selected: Option<StyleSpec>,
    matched: Option<StyleSpec>,
    key: Option<StyleSpec>,
    ok: Option<StyleSpec>,
    warn: Option<StyleSpec>,
    error: Option<StyleSpec>,
    tag: Option<StyleSpec>,
    tab_active: Option<StyleSpec>,
    tab: Option<StyleSpec>,
    banner: Option<StyleSpec>,
    masked: Option<StyleSpec>,
}

impl RawSlots {
    fn into_overrides(self) -> Vec<(Slot, Style)> {
        let all = [
            (Slot::Base, self.base),
            (Slot::Dim, self.dim),
            (Slot::Title, self.title),
            (Slot::Header, self.header),
            (Slot::Selected, self.selected),
            (Slot::Matched, self.matched),
            (Slot::Key, self.key),
            (Slot::Ok, self.ok),
            (Slot::Warn, self.warn),
            (Slot::Error, self.error),
            (Slot::Tag, self.tag),
            (Slot::TabActive, self.tab_active),
            (Slot::Tab, self.tab),
            (Slot::Banner, self.banner),
            (Slot::Masked, self.masked),
        ];
        all.into_iter().filter_map(|(slot, spec)| spec.map(|s| (slot, s.0))).collect()
    }
}

/// A slot's style: a colour name (the foreground), or a table
/// `{ fg, bg, bold, dim, italic, underline, reverse }`. It replaces the slot's whole style.
#[derive(Debug, Clone, Copy)]
struct StyleSpec(Style);

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct StyleTable {
    fg: Option<AnsiColor>,
    bg: Option<AnsiColor>,
    #[serde(default)]
    bold: bool,
    #[serde(default)]
    dim: bool,
    #[serde(default)]
    italic: bool,
    #[serde(default)]
    underline: bool,
    #[serde(default)]
    reverse: bool,
}

impl<'de> Deserialize<'de> for StyleSpec {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = StyleSpec;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a colour name or a table like { fg = \"black\", bg = \"yellow\", bold = true }")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<StyleSpec, E> {
                let c = parse_color(s).map_err(E::custom)?;
                Ok(StyleSpec(Style::default().fg(c)))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<StyleSpec, A::Error> {
                let t = StyleTable::deserialize(de::value::MapAccessDeserializer::new(map))?;
                let mut style = Style::default();
                if let Some(AnsiColor(c)) = t.fg {
                    style = style.fg(c);
                }
                if let Some(AnsiColor(c)) = t.bg {
                    style = style.bg(c);
                }
                for (on, m) in [
                    (t.bold, Modifier::BOLD),
                    (t.dim, Modifier::DIM),
                    (t.italic, Modifier::ITALIC),
                    (t.underline, Modifier::UNDERLINED),
                    (t.reverse, Modifier::REVERSED),
                ] {
                    if on {
                        style = style.add_modifier(m);
                    }
                }
                Ok(StyleSpec(style))
            }
        }
        d.deserialize_any(V)
    }
}

#[derive(Debug, Clone, Copy)]
struct AnsiColor(Color);

impl<'de> Deserialize<'de> for AnsiColor {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        parse_color(&s).map(AnsiColor).map_err(de::Error::custom)
    }
}

/// The 16 ANSI colours by their usual names (`white` is ANSI 7, `bright_white` ANSI 15), and
/// `default` for the terminal's own colour.
pub(crate) const COLOR_NAMES: &[(&str, Color)] = &[
    ("default", Color::Reset),
    ("black", Color::Black),
    ("red", Color::Red),
    ("green", Color::Green),
    ("yellow", Color::Yellow),
    ("blue", Color::Blue),
    ("magenta", Color::Magenta),
    ("cyan", Color::Cyan),
    ("white", Color::Gray),
    ("bright_black", Color::DarkGray),
    ("bright_red", Color::LightRed),
    ("bright_green", Color::LightGreen),
    ("bright_yellow", Color::LightYellow),
    ("bright_blue", Color::LightBlue),
    ("bright_magenta", Color::LightMagenta),
    ("bright_cyan", Color::LightCyan),
    ("bright_white", Color::White),
];

/// A colour name: case and `-`/`_` do not matter.
pub(crate) fn parse_color(name: &str) -> Result<Color, String> {
    let norm = name.trim().to_ascii_lowercase().replace('-', "_");
    COLOR_NAMES.iter().find(|(n, _)| *n == norm).map(|(_, c)| *c).ok_or_else(|| {
        let names: Vec<&str> = COLOR_NAMES.iter().map(|(n, _)| *n).collect();
        format!("unknown colour {name:?}; the colours are {}", names.join(", "))
    })
}

// --- Keys --------------------------------------------------------------------------------

/// A key as the keymap stores it: a code and the modifiers that must be held. Letters carry
/// Shift in the character (`G`), as terminals report them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct KeySpec {
    pub code: KeyCode,
    pub modifiers: KeyModifiers,
}

impl KeySpec {
    /// The keymap's form of this key.
    pub(crate) fn to_key(self) -> crate::keymap::Key {
        crate::keymap::Key(self.code, self.modifiers)
    }
}

/// The named keys, in the spelling the config uses.
const NAMED: &[(&str, KeyCode)] = &[
    ("enter", KeyCode::Enter),
    ("esc", KeyCode::Esc),
    ("tab", KeyCode::Tab),
    ("backtab", KeyCode::BackTab),
    ("space", KeyCode::Char(' ')),
    ("backspace", KeyCode::Backspace),
    ("delete", KeyCode::Delete),
    ("insert", KeyCode::Insert),
    ("home", KeyCode::Home),
    ("end", KeyCode::End),
    ("pageup", KeyCode::PageUp),
    ("pagedown", KeyCode::PageDown),
    ("up", KeyCode::Up),
    ("down", KeyCode::Down),
    ("left", KeyCode::Left),
    ("right", KeyCode::Right),
];

const ALIASES: &[(&str, &str)] = &[
    ("return", "enter"),
    ("escape", "esc"),
    ("del", "delete"),
    ("ins", "insert"),
    ("pgup", "pageup"),
    ("pgdn", "pagedown"),
    ("page_up", "pageup"),
    ("page_down", "pagedown"),
];

const KEY_HELP: &str = "write a character (G, /, ?), or one of enter, esc, tab, backtab, space, backspace, delete, \
                        insert, home, end, pageup, pagedown, up, down, left, right, f1 to f24, with ctrl-, alt- or \
                        shift- in front as needed (ctrl-r, shift-tab)";

impl std::str::FromStr for KeySpec {
    type Err = String;

    fn from_str(s: &str) -> Result<KeySpec, String> {
        if s.is_empty() {
            return Err(format!("an empty key; {KEY_HELP}"));
        }
        let mut rest = s;
        let mut mods = KeyModifiers::NONE;
        while rest.chars().count() > 1 {
            let lower = rest.to_ascii_lowercase();
            let (m, len) = if lower.starts_with("ctrl-") {
                (KeyModifiers::CONTROL, 5)
            } else if lower.starts_with("alt-") {
                (KeyModifiers::ALT, 4)
            } else if lower.starts_with("shift-") {
                (KeyModifiers::SHIFT, 6)
            } else {
                break;
            };
            mods |= m;
            rest = &rest[len..];
        }
        let mut chars = rest.chars();
        let code = match (chars.next(), chars.next()) {
            (None, _) => return Err(format!("{s:?} has no key after the modifiers; {KEY_HELP}")),
            (Some(c), None) if c.is_control() => return Err(format!("{s:?} is a control character; {KEY_HELP}")),
            (Some(c), None) => KeyCode::Char(c),
            _ => {
                let lower = rest.to_ascii_lowercase();
                let name = ALIASES.iter().find(|(a, _)| *a == lower).map_or(lower.as_str(), |(_, n)| n);
                if let Some((_, code)) = NAMED.iter().find(|(n, _)| *n == name) {
                    *code
                } else if let Some(n) =
                    name.strip_prefix('f').and_then(|n| n.parse::<u8>().ok()).filter(|n| (1..=24).contains(n))
                {
                    KeyCode::F(n)
                } else {
                    return Err(format!("unknown key {s:?}; {KEY_HELP}"));
                }
            }
        };
        // Normalise to what terminals report and the keymap compares.
        let code = match code {
            KeyCode::Char(c) if mods.contains(KeyModifiers::SHIFT) => {
                if !c.is_ascii_alphabetic() {
                    return Err(format!(
                        "{s:?}: shift- goes with letters and named keys; write the shifted character itself instead"
                    ));
                }
                mods.remove(KeyModifiers::SHIFT);
                KeyCode::Char(c.to_ascii_uppercase())
            }
            KeyCode::Tab if mods.contains(KeyModifiers::SHIFT) => {
                mods.remove(KeyModifiers::SHIFT);
                KeyCode::BackTab
            }
            // Terminals send the same byte for Ctrl-r and Ctrl-R.
            KeyCode::Char(c) if mods.contains(KeyModifiers::CONTROL) => KeyCode::Char(c.to_ascii_lowercase()),
            other => other,
        };
        Ok(KeySpec { code, modifiers: mods })
    }
}

impl fmt::Display for KeySpec {
    /// The canonical spelling, which parses back to the same key.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (m, prefix) in
            [(KeyModifiers::CONTROL, "ctrl-"), (KeyModifiers::ALT, "alt-"), (KeyModifiers::SHIFT, "shift-")]
        {
            if self.modifiers.contains(m) {
                f.write_str(prefix)?;
            }
        }
        match self.code {
            KeyCode::F(n) => write!(f, "f{n}"),
            KeyCode::Char(c) if c != ' ' => write!(f, "{c}"),
            code => match NAMED.iter().find(|(_, c)| *c == code) {
                Some((name, _)) => f.write_str(name),
                None => write!(f, "{code:?}"),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(target_os = "linux")]
    #[test]
    fn an_endless_config_file_is_refused_with_the_limit() {
        let err = Config::load(Some(Path::new("/dev/zero"))).unwrap_err();
        assert!(err.to_string().contains("larger than 1 MiB"), "{err}");
    }

    fn parse(text: &str) -> Result<Config, ConfigError> {
        Config::parse(text, Path::new("/home/u/.config/keyhole/config.toml"))
    }

    fn key(s: &str) -> KeySpec {
        s.parse().unwrap()
    }

    #[test]
    fn the_shipped_default_config_loads_and_changes_nothing() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/config.toml");
        let c = Config::load(Some(&path)).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(c.path.as_deref(), Some(path.as_path()));
        assert_eq!(c.clear_after(), Some(DEFAULT_CLEAR_AFTER));
        // Its settings are the built-in ones: the theme drawn is the same.
        let t = c.theme(None, false).unwrap();
        let a = Theme::ansi();
        for slot in ALL_SLOTS {
            assert_eq!(*slot.of(&mut t.clone()), *slot.of(&mut a.clone()), "{slot:?}");
        }
        assert!(c.keys.is_empty(), "the shipped file binds no keys of its own: {:?}", c.keys);
    }

    const ALL_SLOTS: [Slot; 15] = [
        Slot::Base,
        Slot::Dim,
        Slot::Title,
        Slot::Header,
        Slot::Selected,
        Slot::Matched,
        Slot::Key,
        Slot::Ok,
        Slot::Warn,
        Slot::Error,
        Slot::Tag,
        Slot::TabActive,
        Slot::Tab,
        Slot::Banner,
        Slot::Masked,
    ];

    #[test]
    fn the_shipped_config_mentions_every_slot_colour_and_action() {
        let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/config.toml")).unwrap();
        for slot in ALL_SLOTS {
            let name = snake_case(&format!("{slot:?}"));
            assert!(text.contains(&format!("\n# {name} = ")), "slot {name} is not documented");
        }
        for (name, _) in COLOR_NAMES {
            assert!(text.contains(name), "colour {name} is not documented");
        }
        for action in action_names() {
            assert!(text.contains(&format!("# {action} = ")), "action {action} is not documented");
        }
    }

    /// The shipped file with its example settings uncommented: the colours, clipboard and keys it
    /// documents as defaults are the real defaults.
    #[test]
    fn the_shipped_config_documents_the_real_defaults() {
        let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/config.toml")).unwrap();
        let uncommented: String = text
            .lines()
            .filter_map(|l| l.strip_prefix("# "))
            .filter(|l| {
                l.starts_with('[')
                    || l.split(" = ")
                        .next()
                        .is_some_and(|k| !k.is_empty() && k.chars().all(|c| c.is_ascii_lowercase() || c == '_'))
            })
            .filter(|l| !l.starts_with("theme = "))
            .map(|l| format!("{l}\n"))
            .collect();
        let c = parse(&uncommented).unwrap_or_else(|e| panic!("{e}\n{uncommented}"));
        assert_eq!(c.clear_after(), Some(DEFAULT_CLEAR_AFTER));
        for (name, builtin) in [("ansi", Theme::ansi()), ("mono", Theme::mono())] {
            let t = c.theme(Some(name), false).unwrap();
            assert_eq!(c.colors[name].len(), ALL_SLOTS.len(), "{name}: every slot is shown");
            for slot in ALL_SLOTS {
                assert_eq!(*slot.of(&mut t.clone()), *slot.of(&mut builtin.clone()), "{name}.{slot:?}");
            }
        }
        assert_eq!(c.keys.len(), action_names().len(), "every action is shown");
        for (action, keys) in &c.keys {
            for k in keys {
                let bound = crate::keymap::BINDINGS
                    .iter()
                    .any(|b| snake_case(&format!("{:?}", b.action)) == *action && b.keys.contains(&k.to_key()));
                assert!(bound, "{action} = {k} is documented as a default but is not in the keymap");
            }
        }
    }

    #[test]
    fn an_empty_file_and_a_missing_default_file_are_the_defaults() {
        let c = parse("").unwrap();
        assert_eq!(c.theme, None);
        assert_eq!(c.clear_after(), Some(Duration::from_secs(30)));
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("nope.toml");
        let err = Config::load(Some(&missing)).unwrap_err();
        assert!(err.to_string().contains("nope.toml: cannot read it"), "{err}");
    }

    #[test]
    fn theme_colours_clipboard_and_keys() {
        let c = parse(
            r#"
theme = "mono"
[colors.ansi]
key = "bright_cyan"
selected = { fg = "black", bg = "Bright-Yellow", bold = true, reverse = false }
[colors.mono]
selected = { underline = true, reverse = true }
[clipboard]
clear_after_seconds = 0
[keys]
reveal = ["v", "space"]
refresh = ["ctrl-R", "f5"]
bottom = ["shift-g", "end"]
prev_tab = ["shift-tab"]
quit = []
"#,
        )
        .unwrap();
        assert_eq!(c.theme.as_deref(), Some("mono"));
        assert_eq!(c.clear_after(), None);
        let mono = c.theme(None, false).unwrap();
        assert_eq!(mono.name, "mono");
        assert_eq!(mono.selected, Style::default().add_modifier(Modifier::UNDERLINED | Modifier::REVERSED));
        let ansi = c.theme(Some("ansi"), true).unwrap();
        assert_eq!(ansi.key, Style::default().fg(Color::LightCyan));
        assert_eq!(
            ansi.selected,
            Style::default().fg(Color::Black).bg(Color::LightYellow).add_modifier(Modifier::BOLD)
        );
        assert_eq!(ansi.header, Theme::ansi().header, "slots not named keep their style");
        assert_eq!(
            c.keys["reveal"],
            vec![key("v"), KeySpec { code: KeyCode::Char(' '), modifiers: KeyModifiers::NONE }]
        );
        assert_eq!(
            c.keys["refresh"],
            vec![
                KeySpec { code: KeyCode::Char('r'), modifiers: KeyModifiers::CONTROL },
                KeySpec { code: KeyCode::F(5), modifiers: KeyModifiers::NONE }
            ]
        );
        assert_eq!(c.keys["bottom"][0], KeySpec { code: KeyCode::Char('G'), modifiers: KeyModifiers::NONE });
        assert_eq!(c.keys["prev_tab"][0].code, KeyCode::BackTab);
        assert!(c.keys["quit"].is_empty());
        assert_eq!(c.keys["bottom"][0].to_key(), crate::keymap::Key(KeyCode::Char('G'), KeyModifiers::NONE));
    }

    #[test]
    fn no_color_wins_unless_the_theme_flag_is_given() {
        let c = parse("theme = \"ansi\"\n[colors.mono]\nselected = \"red\"\n").unwrap();
        let t = c.theme(None, true).unwrap();
        assert_eq!(t.name, "mono");
        assert_eq!(t.selected, Theme::mono().selected, "NO_COLOR: no colour from the file either");
        assert_eq!(c.theme(Some("mono"), true).unwrap().selected, Style::default().fg(Color::Red));
        assert_eq!(c.theme(None, false).unwrap().name, "ansi");
        assert!(c.theme(Some("solarized"), false).unwrap_err().contains("ansi and mono"));
    }

    #[test]
    fn key_strings_parse_and_print_back() {
        for (s, canon) in [
            ("ctrl-r", "ctrl-r"),
            ("Ctrl-Alt-x", "ctrl-alt-x"),
            ("enter", "enter"),
            ("Return", "enter"),
            ("G", "G"),
            ("shift-g", "G"),
            ("f1", "f1"),
            ("F12", "f12"),
            ("space", "space"),
            ("shift-tab", "backtab"),
            ("shift-up", "shift-up"),
            ("pgdn", "pagedown"),
            ("-", "-"),
            ("ctrl--", "ctrl--"),
            ("/", "/"),
            ("ü", "ü"),
        ] {
            let k = key(s);
            assert_eq!(k.to_string(), canon, "{s}");
            assert_eq!(key(canon), k, "{canon} parses back");
        }
        for bad in ["", "ctrl-", "hyper-x", "f0", "f25", "shift-1", "enterr", "\u{7}"] {
            assert!(bad.parse::<KeySpec>().is_err(), "{bad:?} should not parse");
        }
    }

    fn located(text: &str) -> ConfigError {
        let err = parse(text).unwrap_err();
        assert!(err.line.is_some() && err.column.is_some(), "{err:?}");
        err
    }

    #[test]
    fn errors_name_the_file_line_and_column() {
        let err = located("theme = \"ansi\"\n[colors.ansi]\nkey = \"redd\"\n");
        assert_eq!((err.line, err.column), (Some(3), Some(7)), "{err}");
        assert!(err.message.contains("unknown colour \"redd\""), "{err}");
        let shown = err.to_string();
        assert!(shown.starts_with("/home/u/.config/keyhole/config.toml:3:7: "), "{shown}");
        assert!(shown.ends_with("\n  key = \"redd\"\n        ^"), "{shown}");

        let err = located("[colors.ansi]\nselected = { fg = \"black\", bg = \"purple\" }\n");
        assert_eq!(err.line, Some(2), "{err}");
        assert!(err.message.contains("purple"), "{err}");

        let err = located("theme = \"solarized\"\n");
        assert_eq!((err.line, err.column), (Some(1), Some(9)), "{err}");
        assert!(err.message.contains("ansi and mono"), "{err}");

        let err = located("\n\n[colors.ansi]\nbanana = \"red\"\n");
        assert_eq!((err.line, err.column), (Some(4), Some(1)), "{err}");
        assert!(err.message.contains("banana"), "{err}");

        let err = located("[colors.solarized]\nkey = \"red\"\n");
        assert_eq!(err.line, Some(1), "{err}");
        assert!(err.message.contains("solarized"), "{err}");

        let err = located("[keys]\nreveal = [\"v\", \"hyper-v\"]\n");
        assert_eq!((err.line, err.column), (Some(2), Some(16)), "{err}");
        assert!(err.message.contains("unknown key \"hyper-v\""), "{err}");

        let err = located("[keys]\nexplode = [\"x\"]\n");
        assert_eq!((err.line, err.column), (Some(2), Some(1)), "{err}");
        assert!(err.message.contains("unknown action \"explode\"") && err.message.contains("page_down"), "{err}");

        let err = located("[clipboard]\nclear_after_seconds = \"30\"\n");
        assert_eq!(err.line, Some(2), "{err}");

        let err = located("[clipboard]\nclear_after_seconds = -1\n");
        assert_eq!(err.line, Some(2), "{err}");

        let err = located("thme = \"ansi\"\n");
        assert_eq!((err.line, err.column), (Some(1), Some(1)), "{err}");
        assert!(err.message.contains("thme"), "{err}");

        let err = located("theme = \"ansi\n");
        assert_eq!(err.line, Some(1), "{err}");

        let err = located("[keys]\nreveal = \"v\"\n");
        assert_eq!(err.line, Some(2), "{err}");
    }

    #[test]
    fn numbers_out_of_range_are_located_errors_that_give_the_range() {
        // Once a panic: Instant + 9223372036854775807 s overflows at the first copy.
        let err = located("[clipboard]\nclear_after_seconds = 9223372036854775807\n");
        assert_eq!((err.line, err.column), (Some(2), Some(23)), "{err}");
        assert!(err.message.contains("between 0 and 86400"), "{err}");
        assert!(err.to_string().starts_with("/home/u/.config/keyhole/config.toml:2:23: "), "{err}");
        for bad in ["-1", "86401", "-9223372036854775808"] {
            let err = located(&format!("[clipboard]\nclear_after_seconds = {bad}\n"));
            assert_eq!((err.line, err.column), (Some(2), Some(23)), "{bad}: {err}");
            assert!(err.message.contains("between 0 and 86400"), "{bad}: {err}");
        }
        // Beyond what TOML integers hold: the parser's own located error.
        let err = located("[clipboard]\nclear_after_seconds = 9223372036854775808\n");
        assert_eq!(err.line, Some(2), "{err}");
        for (ok, after) in [("0", None), ("1", Some(1)), ("86400", Some(86400))] {
            let c = parse(&format!("[clipboard]\nclear_after_seconds = {ok}\n")).unwrap();
            assert_eq!(c.clear_after(), after.map(Duration::from_secs), "{ok}");
        }
    }

    #[test]
    fn arbitrary_text_never_panics() {
        for text in [
            "\u{0}",
            "[[[",
            "a = { b = ",
            "[keys]\n= 1",
            "theme = 1e999",
            "[colors]\nansi = 3",
            "\u{feff}theme=\"mono\"",
        ] {
            let _ = parse(text);
        }
    }

    /// The value editor's keys are actions like the others: named in the file, rebound there.
    #[test]
    fn editor_keys_can_be_rebound() {
        use crate::keymap::{Action, Key};
        let c = parse("[keys]\nundo = [\"ctrl-z\", \"ctrl-_\"]\nword_left = [\"alt-left\"]\nyank = []\n").unwrap();
        let o = c.key_overrides();
        assert_eq!(
            o[&Action::Undo],
            [Key(KeyCode::Char('z'), KeyModifiers::CONTROL), Key(KeyCode::Char('_'), KeyModifiers::CONTROL)]
        );
        assert_eq!(o[&Action::WordLeft], [Key(KeyCode::Left, KeyModifiers::ALT)]);
        assert!(o[&Action::Yank].is_empty());
    }

    #[test]
    fn action_names_come_from_the_keymap() {
        let names = action_names();
        for n in ["quit", "page_down", "reveal_all", "tab_used_by", "clear_filter"] {
            assert!(names.iter().any(|a| a == n), "{n} in {names:?}");
        }
    }
}
