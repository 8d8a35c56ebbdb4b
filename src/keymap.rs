//! The one keymap table (DESIGN.md decision 9): it dispatches keys and generates the help
//! screen, the footer and docs/keys.md, so the three can never disagree.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// Where a binding applies. Global bindings apply on every screen unless a text input has focus.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Scope {
    Global,
    List,
    Detail,
    Picker,
    Filter,
    Help,
    Editor,
    Prompt,
    Confirm,
    Review,
    Conflict,
    Restart,
    Fleet,
}

impl Scope {
    pub(crate) fn title(self) -> &'static str {
        match self {
            Scope::Global => "Everywhere",
            Scope::List => "Secrets list",
            Scope::Detail => "A Secret opened",
            Scope::Picker => "Pickers (namespace, context, type)",
            Scope::Filter => "Typing a filter",
            Scope::Help => "Help",
            Scope::Editor => "Editing a value",
            Scope::Prompt => "Prompts (key name, file, length, new name)",
            Scope::Confirm => "Confirmations",
            Scope::Review => "Review and apply",
            Scope::Conflict => "Conflict: someone else changed the Secret",
            Scope::Restart => "Restarting the workloads that read a Secret at start",
            Scope::Fleet => "Fleet: the Secrets of every context",
        }
    }
}

/// What a key does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    Quit,
    Back,
    Help,
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
    Open,
    Search,
    TypePicker,
    ToggleHelm,
    Sort,
    NamespacePicker,
    ContextPicker,
    Reveal,
    RevealAll,
    NextTab,
    PrevTab,
    TabData,
    TabUsedBy,
    TabDetails,
    TabAccess,
    Refresh,
    Suspend,
    Accept,
    ClearFilter,
    Edit,
    AddKey,
    RenameKey,
    DeleteKey,
    LoadFile,
    Generate,
    Rotate,
    UndoApply,
    ToggleImmutable,
    ReviewApply,
    EditMetadata,
    DiscardEdits,
    Clone,
    DeleteSecret,
    NewSecret,
    OpenByName,
    CopyValue,
    CopyYaml,
    CopyEnv,
    Save,
    Cancel,
    ToggleReveal,
    CycleFormat,
    Complete,
    Yes,
    No,
    ToggleChoice,
    Restart,
    Fleet,
    FleetRefresh,
    Compare,
    LastApplied,
    // The value editor's own keys (DESIGN.md decision 9: every editor key is in the table).
    CursorLeft,
    CursorRight,
    CursorUp,
    CursorDown,
    LineStart,
    LineEnd,
    WordLeft,
    WordRight,
    TextStart,
    TextEnd,
    NewLine,
    InsertTab,
    DeleteBack,
    DeleteForward,
    KillToEnd,
    KillToStart,
    KillWordBack,
    KillWordForward,
    Yank,
    Undo,
    Redo,
}

/// A key: a code and the modifiers that must be held.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key(pub KeyCode, pub KeyModifiers);

const fn k(c: char) -> Key {
    Key(KeyCode::Char(c), KeyModifiers::NONE)
}
const fn ctrl(c: char) -> Key {
    Key(KeyCode::Char(c), KeyModifiers::CONTROL)
}
const fn code(c: KeyCode) -> Key {
    Key(c, KeyModifiers::NONE)
}
const fn alt(c: char) -> Key {
    Key(KeyCode::Char(c), KeyModifiers::ALT)
}
const fn ctrl_code(c: KeyCode) -> Key {
    Key(c, KeyModifiers::CONTROL)
}
const fn alt_code(c: KeyCode) -> Key {
    Key(c, KeyModifiers::ALT)
}

/// Terminals send one byte for several Ctrl keys, and crossterm reports it as a digit: 0x1F
/// for Ctrl-_, Ctrl-/ and Ctrl-7 arrives as Ctrl-7; likewise Ctrl-\ (Ctrl-4), Ctrl-] (Ctrl-5)
/// and Ctrl-^ (Ctrl-6). Compared by the byte, a binding of any of them works as written.
fn control_byte(c: char) -> char {
    match c {
        '_' | '/' | '7' => '_',
        '\\' | '4' => '\\',
        ']' | '5' => ']',
        '^' | '6' => '^',
        c => c,
    }
}

impl Key {
    pub(crate) fn label(&self) -> String {
        let base = match self.0 {
            KeyCode::Char(' ') => "Space".to_string(),
            KeyCode::Char(c) => c.to_string(),
            KeyCode::Enter => "Enter".into(),
            KeyCode::Esc => "Esc".into(),
            KeyCode::Up => "↑".into(),
            KeyCode::Down => "↓".into(),
            KeyCode::Left => "←".into(),
            KeyCode::Right => "→".into(),
            KeyCode::PageUp => "PgUp".into(),
            KeyCode::PageDown => "PgDn".into(),
            KeyCode::Home => "Home".into(),
            KeyCode::End => "End".into(),
            KeyCode::Tab => "Tab".into(),
            KeyCode::BackTab => "Shift-Tab".into(),
            KeyCode::Backspace => "Backspace".into(),
            KeyCode::Delete => "Delete".into(),
            KeyCode::Insert => "Insert".into(),
            KeyCode::F(n) => format!("F{n}"),
            _ => "?".into(),
        };
        let mut label = String::new();
        if self.1.contains(KeyModifiers::CONTROL) {
            label.push_str("Ctrl-");
        }
        if self.1.contains(KeyModifiers::ALT) {
            label.push_str("Alt-");
        }
        // Ctrl letters in capitals, as people write them (Ctrl-A); Alt letters as typed (Alt-b
        // is not Alt-B).
        match self.0 {
            KeyCode::Char(_) if self.1 == KeyModifiers::CONTROL => label.push_str(&base.to_uppercase()),
            _ => label.push_str(&base),
        }
        label
    }

    fn matches(&self, ev: &KeyEvent) -> bool {
        let mods = ev.modifiers - KeyModifiers::SHIFT;
        match (self.0, ev.code) {
            // Letters: compare case-sensitively; Shift is already in the character.
            (KeyCode::Char(a), KeyCode::Char(b)) => {
                let control = self.1.contains(KeyModifiers::CONTROL);
                (a == b || control && control_byte(a) == control_byte(b)) && mods == self.1
            }
            // Shift-Tab: terminals report it as BackTab, with Shift held or not.
            (KeyCode::BackTab, KeyCode::BackTab) => mods == self.1,
            (a, b) => a == b && ev.modifiers == self.1,
        }
    }
}

/// One row of the table.
#[derive(Debug)]
pub(crate) struct Binding {
    pub scope: Scope,
    pub keys: &'static [Key],
    pub action: Action,
    pub help: &'static str,
    /// The word shown in the footer of its screen; empty for bindings the footer leaves out.
    pub footer: &'static str,
}

const fn b(scope: Scope, keys: &'static [Key], action: Action, help: &'static str, footer: &'static str) -> Binding {
    Binding { scope, keys, action, help, footer }
}

use Action as A;
use Scope as S;

pub(crate) static BINDINGS: &[Binding] = &[
    b(S::Global, &[k('?'), code(KeyCode::F(1))], A::Help, "show this help", "help"),
    b(S::Global, &[ctrl('c')], A::Quit, "quit", ""),
    b(S::Global, &[ctrl('z')], A::Suspend, "suspend (resume with fg)", ""),
    b(S::Global, &[ctrl('r')], A::Refresh, "reload everything from the cluster", ""),
    b(S::List, &[k('q')], A::Quit, "quit", "quit"),
    b(S::List, &[code(KeyCode::Esc)], A::ClearFilter, "clear the name filter", ""),
    b(S::List, &[code(KeyCode::Up), k('k')], A::Up, "move up", ""),
    b(S::List, &[code(KeyCode::Down), k('j')], A::Down, "move down", ""),
    b(S::List, &[code(KeyCode::PageUp), ctrl('b')], A::PageUp, "page up", ""),
    b(S::List, &[code(KeyCode::PageDown), ctrl('f')], A::PageDown, "page down", ""),
    b(S::List, &[code(KeyCode::Home), k('g')], A::Top, "first row", ""),
    b(S::List, &[code(KeyCode::End), k('G')], A::Bottom, "last row", ""),
    b(S::List, &[code(KeyCode::Enter), code(KeyCode::Right), k('l')], A::Open, "open the Secret", "open"),
    b(S::List, &[k('/')], A::Search, "fuzzy filter by name", "filter"),
    b(S::List, &[k('t')], A::TypePicker, "filter by type", "type"),
    b(S::List, &[k('H')], A::ToggleHelm, "show or hide Helm release Secrets", "helm"),
    b(S::List, &[k('s')], A::Sort, "sort by name, age, type, usage", "sort"),
    b(S::List, &[k('n')], A::NamespacePicker, "switch namespace", "namespace"),
    b(S::List, &[k('c')], A::ContextPicker, "switch context", "context"),
    b(S::List, &[k('F')], A::Fleet, "fleet: the Secrets of every context in one list (compare across them)", "fleet"),
    b(S::List, &[k('N')], A::NewSecret, "create a new Secret (type, template, name)", "new"),
    b(S::List, &[k('o')], A::OpenByName, "open a Secret by its name (when you may read but not list)", ""),
    b(S::Detail, &[k('q'), code(KeyCode::Esc), code(KeyCode::Left), k('h')], A::Back, "back to the list", "back"),
    b(S::Detail, &[code(KeyCode::Up), k('k')], A::Up, "previous key / scroll up", ""),
    b(S::Detail, &[code(KeyCode::Down), k('j')], A::Down, "next key / scroll down", ""),
    b(S::Detail, &[code(KeyCode::PageUp), ctrl('b')], A::PageUp, "scroll the value up", ""),
    b(S::Detail, &[code(KeyCode::PageDown), ctrl('f')], A::PageDown, "scroll the value down", ""),
    b(S::Detail, &[k('v'), code(KeyCode::Char(' '))], A::Reveal, "reveal or hide the selected value", "reveal"),
    b(S::Detail, &[k('V')], A::RevealAll, "reveal or hide all values", "all"),
    b(S::Detail, &[code(KeyCode::Tab)], A::NextTab, "next tab", "tab"),
    b(S::Detail, &[code(KeyCode::BackTab)], A::PrevTab, "previous tab", ""),
    b(S::Detail, &[k('1')], A::TabData, "Data tab: keys and values", ""),
    b(
        S::Detail,
        &[k('2')],
        A::TabUsedBy,
        "Used by tab: who uses it (Pods, workloads, accounts, Gateways, volumes)",
        "",
    ),
    b(S::Detail, &[k('3')], A::TabDetails, "Details tab: typed view and metadata", ""),
    b(S::Detail, &[k('4')], A::TabAccess, "Access tab: who can read it (RBAC), and how", ""),
    b(S::Detail, &[k('e'), code(KeyCode::Enter)], A::Edit, "edit the selected value", "edit"),
    b(S::Detail, &[k('a')], A::AddKey, "add a key", "add"),
    b(S::Detail, &[k('r')], A::RenameKey, "rename the selected key", ""),
    b(S::Detail, &[k('x'), code(KeyCode::Delete)], A::DeleteKey, "delete the selected key", ""),
    b(S::Detail, &[k('f')], A::LoadFile, "load the selected value from a file", ""),
    b(S::Detail, &[k('g')], A::Generate, "generate a random value for the selected key", ""),
    b(
        S::Detail,
        &[k('o')],
        A::Rotate,
        "rotate: a new value for the selected key (in the type's terms), then review, apply and restart",
        "",
    ),
    b(S::Detail, &[k('m')], A::EditMetadata, "edit labels and annotations", ""),
    b(S::Detail, &[k('i')], A::ToggleImmutable, "make the Secret immutable (cannot be undone)", ""),
    b(S::Detail, &[k('A'), ctrl('s')], A::ReviewApply, "review the changes and apply them", "apply"),
    b(S::Detail, &[k('y')], A::CopyValue, "copy the selected value (native clipboard or OSC 52)", "copy"),
    b(S::Detail, &[k('Y')], A::CopyYaml, "copy the Secret as YAML, values in stringData", ""),
    b(S::Detail, &[k('E')], A::CopyEnv, "copy the Secret as an env file", ""),
    b(S::Detail, &[k('u')], A::DiscardEdits, "undo every unapplied edit", ""),
    b(S::Detail, &[k('U')], A::UndoApply, "put back the version your last apply replaced (reviewed)", ""),
    b(S::Detail, &[k('C')], A::Clone, "clone into a new Secret (the way out of immutable)", ""),
    b(S::Detail, &[k('D')], A::DeleteSecret, "delete the Secret (lists what would break)", ""),
    b(S::Detail, &[k('R')], A::Restart, "restart the workloads that read it only at start (env, envFrom, subPath)", ""),
    b(S::Editor, &[ctrl('s')], A::Save, "keep the value and close the editor", "keep"),
    b(S::Editor, &[code(KeyCode::Esc)], A::Cancel, "close the editor without keeping the value", "cancel"),
    b(S::Editor, &[ctrl('t')], A::ToggleReveal, "show or hide what you type", "show"),
    b(S::Editor, &[ctrl('o')], A::CycleFormat, "switch between text, hex and base64", "format"),
    b(
        S::Editor,
        &[ctrl('_'), ctrl('/')],
        A::Undo,
        "undo (typing is one step until you move; a paste, a cut, a yank are one step each)",
        "undo",
    ),
    b(S::Editor, &[alt('_'), ctrl('r')], A::Redo, "redo what undo took back", ""),
    b(S::Editor, &[code(KeyCode::Left), ctrl('b')], A::CursorLeft, "one character left", ""),
    b(S::Editor, &[code(KeyCode::Right), ctrl('f')], A::CursorRight, "one character right", ""),
    b(S::Editor, &[code(KeyCode::Up), ctrl('p')], A::CursorUp, "one line up", ""),
    b(S::Editor, &[code(KeyCode::Down), ctrl('n')], A::CursorDown, "one line down", ""),
    b(S::Editor, &[code(KeyCode::Home), ctrl('a')], A::LineStart, "start of the line", ""),
    b(S::Editor, &[code(KeyCode::End), ctrl('e')], A::LineEnd, "end of the line", ""),
    b(S::Editor, &[ctrl_code(KeyCode::Left), alt('b')], A::WordLeft, "back to the start of a word", ""),
    b(S::Editor, &[ctrl_code(KeyCode::Right), alt('f')], A::WordRight, "forward to the end of a word", ""),
    b(S::Editor, &[ctrl_code(KeyCode::Home), alt('<')], A::TextStart, "start of the value", ""),
    b(S::Editor, &[ctrl_code(KeyCode::End), alt('>')], A::TextEnd, "end of the value", ""),
    b(S::Editor, &[code(KeyCode::Enter)], A::NewLine, "a line break", ""),
    b(S::Editor, &[code(KeyCode::Tab)], A::InsertTab, "a tab character", ""),
    b(S::Editor, &[code(KeyCode::Backspace), ctrl('h')], A::DeleteBack, "delete the character before the cursor", ""),
    b(S::Editor, &[code(KeyCode::Delete), ctrl('d')], A::DeleteForward, "delete the character at the cursor", ""),
    b(S::Editor, &[ctrl('k')], A::KillToEnd, "cut to the end of the line (at its end: the line break)", ""),
    b(S::Editor, &[ctrl('u')], A::KillToStart, "cut to the start of the line", ""),
    b(
        S::Editor,
        &[ctrl('w'), alt_code(KeyCode::Backspace)],
        A::KillWordBack,
        "cut the word before the cursor (back to whitespace)",
        "",
    ),
    b(
        S::Editor,
        &[alt('d'), ctrl_code(KeyCode::Delete)],
        A::KillWordForward,
        "cut to the end of the word after the cursor",
        "",
    ),
    b(
        S::Editor,
        &[ctrl('y')],
        A::Yank,
        "paste what the last cuts took (cuts in a row add up; kept in keyhole only, wiped on close)",
        "",
    ),
    b(S::Prompt, &[code(KeyCode::Enter)], A::Accept, "accept", "ok"),
    b(S::Prompt, &[code(KeyCode::Esc)], A::Cancel, "cancel", "cancel"),
    b(S::Prompt, &[code(KeyCode::Tab)], A::Complete, "complete the path / change the alphabet", "complete"),
    b(S::Confirm, &[k('y')], A::Yes, "yes", "yes"),
    b(S::Confirm, &[k('n'), code(KeyCode::Esc)], A::No, "no", "no"),
    b(S::Review, &[code(KeyCode::Enter)], A::Accept, "next step: dry run, then apply (or retry)", "continue"),
    b(S::Review, &[k('y')], A::Yes, "accept the warnings", "accept warnings"),
    b(S::Review, &[k('v')], A::Reveal, "show or hide the values in the diff", "values"),
    b(
        S::Review,
        &[k('a')],
        A::LastApplied,
        "kubectl's last-applied annotation, when it holds values: remove it, update it or keep it",
        "",
    ),
    b(S::Review, &[code(KeyCode::Esc), k('q')], A::Back, "back to editing (edits kept)", "back"),
    b(S::Review, &[code(KeyCode::Up), k('k')], A::Up, "scroll up", ""),
    b(S::Review, &[code(KeyCode::Down), k('j')], A::Down, "scroll down", ""),
    b(S::Conflict, &[code(KeyCode::Up), k('k')], A::Up, "previous key", ""),
    b(S::Conflict, &[code(KeyCode::Down), k('j')], A::Down, "next key", ""),
    b(S::Conflict, &[code(KeyCode::Char(' '))], A::ToggleChoice, "keep mine / take theirs", "mine/theirs"),
    b(S::Conflict, &[code(KeyCode::Enter)], A::Accept, "rebase onto their version and review again", "rebase"),
    b(S::Conflict, &[code(KeyCode::Esc)], A::Back, "back to editing (edits kept)", "back"),
    b(S::Restart, &[code(KeyCode::Up), k('k')], A::Up, "previous workload", ""),
    b(S::Restart, &[code(KeyCode::Down), k('j')], A::Down, "next workload", ""),
    b(S::Restart, &[code(KeyCode::Char(' '))], A::ToggleChoice, "choose or leave out this workload", "choose"),
    b(S::Restart, &[code(KeyCode::Enter)], A::Accept, "restart the chosen workloads (then: close)", "restart"),
    b(
        S::Restart,
        &[code(KeyCode::Esc), k('q')],
        A::Back,
        "close (rollouts go on; keyhole stops following them)",
        "close",
    ),
    b(S::Fleet, &[code(KeyCode::Up), k('k')], A::Up, "previous Secret (in a comparison: scroll)", ""),
    b(S::Fleet, &[code(KeyCode::Down), k('j')], A::Down, "next Secret (in a comparison: scroll)", ""),
    b(S::Fleet, &[code(KeyCode::PageUp)], A::PageUp, "page up", ""),
    b(S::Fleet, &[code(KeyCode::PageDown)], A::PageDown, "page down", ""),
    b(S::Fleet, &[k('g'), code(KeyCode::Home)], A::Top, "first Secret", ""),
    b(S::Fleet, &[k('G'), code(KeyCode::End)], A::Bottom, "last Secret", ""),
    b(S::Fleet, &[k('/')], A::Search, "filter by name or type, across contexts", "filter"),
    b(S::Fleet, &[k('t')], A::TypePicker, "next type (all types, then each in turn)", "type"),
    b(S::Fleet, &[k('x')], A::ClearFilter, "clear the filter and the type", ""),
    b(S::Fleet, &[code(KeyCode::Enter)], A::Open, "open the Secret in its own context (switches to it)", "open"),
    b(S::Fleet, &[k('c')], A::Compare, "compare this Secret across the contexts, key by key", "compare"),
    b(S::Fleet, &[k('r')], A::FleetRefresh, "read every context again", "reload"),
    b(S::Fleet, &[code(KeyCode::Esc), k('q')], A::Back, "close (a comparison, then the fleet view)", "close"),
    b(S::Picker, &[code(KeyCode::Up), ctrl('p')], A::Up, "move up", ""),
    b(S::Picker, &[code(KeyCode::Down), ctrl('n')], A::Down, "move down", ""),
    b(S::Picker, &[code(KeyCode::Enter)], A::Accept, "choose", "choose"),
    b(S::Picker, &[code(KeyCode::Esc)], A::Back, "cancel", "cancel"),
    b(
        S::Filter,
        &[code(KeyCode::Enter), code(KeyCode::Down)],
        A::Accept,
        "keep the filter and move to the list",
        "keep",
    ),
    b(S::Filter, &[code(KeyCode::Esc)], A::ClearFilter, "clear the filter", "clear"),
    b(S::Help, &[k('q'), code(KeyCode::Esc), k('?')], A::Back, "close the help", "close"),
    b(S::Help, &[code(KeyCode::Up), k('k')], A::Up, "scroll up", ""),
    b(S::Help, &[code(KeyCode::Down), k('j')], A::Down, "scroll down", ""),
];

/// The keymap in use: the table, with the user's overrides (from the config file) applied:
/// an action's keys are replaced wherever the action is bound. Plain data, kept in the app's
/// options, so that looking up a key reads no global.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Keymap {
    overrides: std::collections::HashMap<Action, Vec<Key>>,
}

impl Keymap {
    pub(crate) fn with_overrides(overrides: std::collections::HashMap<Action, Vec<Key>>) -> Self {
        Keymap { overrides }
    }

    /// The keys that trigger a binding: the user's override, else the defaults.
    pub(crate) fn keys_of(&self, b: &Binding) -> Vec<Key> {
        self.overrides.get(&b.action).cloned().unwrap_or_else(|| b.keys.to_vec())
    }

    /// How the first key of an action in a scope is written (`Ctrl-T`), for hints in the text
    /// of a screen; `None` when the user unbound it.
    pub(crate) fn label_of(&self, scope: Scope, action: Action) -> Option<String> {
        let b = BINDINGS.iter().find(|b| b.scope == scope && b.action == action)?;
        self.keys_of(b).first().map(Key::label)
    }

    /// The action for a key in a scope: the scope's own bindings first, then the global ones
    /// (global bindings are not consulted while typing in a filter or picker, except Ctrl keys).
    pub(crate) fn lookup(&self, scope: Scope, ev: &KeyEvent) -> Option<Action> {
        let find = |s: Scope| {
            BINDINGS
                .iter()
                .filter(|b| b.scope == s)
                .find(|b| self.keys_of(b).iter().any(|k| k.matches(ev)))
                .map(|b| b.action)
        };
        find(scope).or_else(|| {
            let typing = matches!(scope, Scope::Filter | Scope::Picker | Scope::Editor | Scope::Prompt);
            if typing && !ev.modifiers.contains(KeyModifiers::CONTROL) && !matches!(ev.code, KeyCode::F(_)) {
                None
            } else {
                find(Scope::Global)
            }
        })
    }

    /// `key label` pairs for the footer of a screen: help first (so that a narrow screen keeps
    /// it), then the screen's own keys; write actions left out with `--readonly`.
    pub(crate) fn footer(&self, scope: Scope, readonly: bool) -> Vec<(String, &'static str)> {
        let global = BINDINGS.iter().filter(|b| !b.footer.is_empty() && b.scope == Scope::Global);
        let own =
            BINDINGS.iter().filter(|b| !b.footer.is_empty() && b.scope == scope && !(readonly && is_write(b.action)));
        global.chain(own).filter_map(|b| self.keys_of(b).first().map(|k| (k.label(), b.footer))).collect()
    }
}

/// Actions that change the cluster: hidden with `--readonly`.
pub(crate) fn is_write(action: Action) -> bool {
    matches!(
        action,
        Action::Edit
            | Action::AddKey
            | Action::RenameKey
            | Action::DeleteKey
            | Action::LoadFile
            | Action::Generate
            | Action::Rotate
            | Action::UndoApply
            | Action::ToggleImmutable
            | Action::ReviewApply
            | Action::EditMetadata
            | Action::DiscardEdits
            | Action::Clone
            | Action::DeleteSecret
            | Action::NewSecret
    )
}

/// Every scope in display order, with its bindings: for the help screen and docs/keys.md.
pub(crate) fn sections() -> Vec<(Scope, Vec<&'static Binding>)> {
    [
        S::Global,
        S::List,
        S::Detail,
        S::Editor,
        S::Prompt,
        S::Review,
        S::Conflict,
        S::Restart,
        S::Fleet,
        S::Confirm,
        S::Picker,
        S::Filter,
        S::Help,
    ]
    .into_iter()
    .map(|s| (s, BINDINGS.iter().filter(|b| b.scope == s).collect()))
    .collect()
}

/// docs/keys.md, generated from the table (by its test).
#[cfg(test)]
fn markdown() -> String {
    let mut out = String::from(
        "# keyhole keys\n\nGenerated from the keymap table (`src/keymap.rs`); a test fails when this file and the table disagree.\nArrows and vim keys both work.\n",
    );
    for (scope, bindings) in sections() {
        out.push_str(&format!("\n## {}\n\n| keys | what they do |\n| --- | --- |\n", scope.title()));
        for b in bindings {
            let keys: Vec<String> = b.keys.iter().map(|k| format!("`{}`", k.label())).collect();
            out.push_str(&format!("| {} | {} |\n", keys.join(" "), b.help));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(code: KeyCode, m: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, m)
    }

    fn lookup(scope: Scope, ev: &KeyEvent) -> Option<Action> {
        Keymap::default().lookup(scope, ev)
    }

    #[test]
    fn arrows_and_vim_keys_both_work() {
        assert_eq!(lookup(S::List, &ev(KeyCode::Down, KeyModifiers::NONE)), Some(A::Down));
        assert_eq!(lookup(S::List, &ev(KeyCode::Char('j'), KeyModifiers::NONE)), Some(A::Down));
        assert_eq!(lookup(S::List, &ev(KeyCode::Char('G'), KeyModifiers::SHIFT)), Some(A::Bottom));
        assert_eq!(lookup(S::Detail, &ev(KeyCode::Esc, KeyModifiers::NONE)), Some(A::Back));
    }

    #[test]
    fn shift_tab_is_back_tab_with_or_without_shift() {
        assert_eq!(lookup(S::Detail, &ev(KeyCode::BackTab, KeyModifiers::SHIFT)), Some(A::PrevTab));
        assert_eq!(lookup(S::Detail, &ev(KeyCode::BackTab, KeyModifiers::NONE)), Some(A::PrevTab));
        assert_eq!(lookup(S::Detail, &ev(KeyCode::Tab, KeyModifiers::NONE)), Some(A::NextTab));
    }

    #[test]
    fn typing_in_a_filter_does_not_trigger_letters() {
        assert_eq!(lookup(S::Filter, &ev(KeyCode::Char('q'), KeyModifiers::NONE)), None);
        assert_eq!(lookup(S::Filter, &ev(KeyCode::Char('?'), KeyModifiers::NONE)), None);
        assert_eq!(lookup(S::Filter, &ev(KeyCode::Char('c'), KeyModifiers::CONTROL)), Some(A::Quit));
    }

    #[test]
    fn overrides_replace_an_actions_keys_everywhere() {
        let map = Keymap::with_overrides([(A::Reveal, vec![k('r')])].into_iter().collect());
        assert_eq!(map.lookup(S::Detail, &ev(KeyCode::Char('v'), KeyModifiers::NONE)), None);
        assert_eq!(map.lookup(S::Review, &ev(KeyCode::Char('r'), KeyModifiers::NONE)), Some(A::Reveal));
        assert!(map.footer(S::Detail, false).iter().any(|(key, what)| key == "r" && *what == "reveal"));
    }

    /// 0x1F is Ctrl-_ and Ctrl-/ (and Ctrl-7); crossterm reports it as Ctrl-7.
    #[test]
    fn one_control_byte_matches_every_key_that_sends_it() {
        for c in ['7', '_', '/'] {
            assert_eq!(lookup(S::Editor, &ev(KeyCode::Char(c), KeyModifiers::CONTROL)), Some(A::Undo), "Ctrl-{c}");
        }
        assert_eq!(lookup(S::Editor, &ev(KeyCode::Char('7'), KeyModifiers::NONE)), None, "a typed 7");
        assert_eq!(lookup(S::Editor, &ev(KeyCode::Char('_'), KeyModifiers::NONE)), None, "a typed _");
    }

    #[test]
    fn the_editor_shadows_global_keys_only_where_it_binds_them() {
        assert_eq!(lookup(S::Editor, &ev(KeyCode::Char('r'), KeyModifiers::CONTROL)), Some(A::Redo));
        assert_eq!(lookup(S::List, &ev(KeyCode::Char('r'), KeyModifiers::CONTROL)), Some(A::Refresh));
        assert_eq!(lookup(S::Editor, &ev(KeyCode::Char('z'), KeyModifiers::CONTROL)), Some(A::Suspend));
        assert_eq!(lookup(S::Editor, &ev(KeyCode::Char('b'), KeyModifiers::ALT)), Some(A::WordLeft));
        assert_eq!(lookup(S::Editor, &ev(KeyCode::Char('b'), KeyModifiers::NONE)), None, "a typed b");
        assert_eq!(lookup(S::Editor, &ev(KeyCode::Left, KeyModifiers::CONTROL)), Some(A::WordLeft));
        assert_eq!(lookup(S::Editor, &ev(KeyCode::Backspace, KeyModifiers::ALT)), Some(A::KillWordBack));
    }

    #[test]
    fn labels_say_ctrl_and_alt() {
        assert_eq!(ctrl('a').label(), "Ctrl-A");
        assert_eq!(alt('b').label(), "Alt-b");
        assert_eq!(ctrl_code(KeyCode::Home).label(), "Ctrl-Home");
        assert_eq!(alt_code(KeyCode::Backspace).label(), "Alt-Backspace");
        assert_eq!(code(KeyCode::Delete).label(), "Delete");
        assert_eq!(Keymap::default().label_of(S::Editor, A::ToggleReveal).as_deref(), Some("Ctrl-T"));
        let unbound = Keymap::with_overrides([(A::ToggleReveal, vec![])].into_iter().collect());
        assert_eq!(unbound.label_of(S::Editor, A::ToggleReveal), None);
    }

    #[test]
    fn no_key_is_bound_twice_in_one_scope() {
        for (scope, bindings) in sections() {
            let mut seen: Vec<String> = Vec::new();
            for b in &bindings {
                for key in b.keys {
                    let l = key.label();
                    assert!(!seen.contains(&l), "{l} bound twice in {scope:?}");
                    seen.push(l);
                }
            }
        }
    }

    #[test]
    fn docs_keys_md_is_generated_from_the_table() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/keys.md");
        let on_disk = std::fs::read_to_string(path).unwrap_or_default();
        if on_disk != markdown() {
            if std::env::var_os("KEYHOLE_WRITE_DOCS").is_some() {
                std::fs::write(path, markdown()).unwrap();
            } else {
                panic!("docs/keys.md is out of date; run KEYHOLE_WRITE_DOCS=1 cargo test --lib keymap");
            }
        }
    }
}
