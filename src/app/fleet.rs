//! The fleet view (`F`): the Secrets of several kubeconfig contexts in one list, with a
//! CONTEXT column; the filter (`/`, name or type) and the type picker (`t`) work across them;
//! Enter opens a Secret in its own context (switching to it); `c` compares the selected Secret
//! across the contexts key by key (by keyed digest: `crate::list::compare`). The listing is a
//! snapshot (`r` reads it again): each context is read once, as `keyhole list --contexts` does.

use jiff::Timestamp;

use super::effect::{Effect, Scope};
use super::filter::NameFilter;
use super::state::{Modal, State};
use crate::keymap::Action;
use crate::list::flags::Flag;

/// One Secret of one context, as the fleet list shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct FleetRow {
    pub context: String,
    pub namespace: String,
    pub name: String,
    pub type_: String,
    pub keys: i64,
    pub created: Option<Timestamp>,
    /// USED BY: the count, or `?` where usage is unknown.
    pub used: String,
    pub flags: Vec<Flag>,
}

/// The answer of one context: its rows, or why it could not be read.
#[derive(Debug, Clone, PartialEq)]
pub struct FleetContext {
    pub context: String,
    pub result: Result<Vec<FleetRow>, String>,
}

/// One Secret across the contexts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompareView {
    pub name: String,
    pub namespace: String,
    pub contexts: Vec<String>,
    /// Per context: its type where found, else `absent` or `unread: why`.
    pub sides: Vec<String>,
    /// Per key: the group letter per context (`None`: absent) and the verdict.
    pub keys: Vec<(String, Vec<Option<char>>, &'static str)>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FleetView {
    /// Which contexts (`all`, globs, names).
    pub spec: String,
    /// Answers for an older request are dropped.
    pub generation: u64,
    pub loading: bool,
    pub contexts: Vec<FleetContext>,
    /// Indexes into the rows of every context, in order, after filter and type.
    pub visible: Vec<(usize, usize)>,
    pub selected: usize,
    pub query: String,
    pub typing: bool,
    pub type_filter: Option<String>,
    /// The comparison of the selected Secret, once asked for (`None` inside while it is read).
    pub compare: Option<Option<CompareView>>,
    pub scroll: u16,
}

impl FleetView {
    pub fn row(&self, at: (usize, usize)) -> Option<&FleetRow> {
        self.contexts.get(at.0)?.result.as_ref().ok()?.get(at.1)
    }

    pub fn selected_row(&self) -> Option<&FleetRow> {
        self.visible.get(self.selected).and_then(|at| self.row(*at))
    }

    /// The rows that pass the filter (name or type, fuzzy; best matches first, as the list
    /// ranks them) and the type picker.
    pub(crate) fn refresh(&mut self) {
        let mut filter = NameFilter::new(&self.query);
        let mut scored = Vec::new();
        for (c, ctx) in self.contexts.iter().enumerate() {
            let Ok(rows) = &ctx.result else { continue };
            for (r, row) in rows.iter().enumerate() {
                if self.type_filter.as_ref().is_some_and(|t| *t != row.type_) {
                    continue;
                }
                if let Some(score) = filter.score(&row.name).max(filter.score(&row.type_)) {
                    scored.push((std::cmp::Reverse(score), c, r));
                }
            }
        }
        // Stable: equal scores keep context order.
        scored.sort_by_key(|(score, _, _)| *score);
        self.visible = scored.into_iter().map(|(_, c, r)| (c, r)).collect();
        self.selected = self.selected.min(self.visible.len().saturating_sub(1));
    }

    /// The types present, for the picker.
    pub(crate) fn types(&self) -> Vec<String> {
        let mut t: Vec<String> =
            self.contexts.iter().filter_map(|c| c.result.as_ref().ok()).flatten().map(|r| r.type_.clone()).collect();
        t.sort();
        t.dedup();
        t
    }
}

/// `F` on the list: opens the fleet view over every context and reads them.
pub(super) fn open(state: &mut State, fx: &mut Vec<Effect>) {
    let spec = state.options.fleet.clone().unwrap_or_else(|| "all".into());
    let generation = state.next_id();
    state.modal = Some(Modal::Fleet(Box::new(FleetView {
        spec: spec.clone(),
        generation,
        loading: true,
        contexts: Vec::new(),
        visible: Vec::new(),
        selected: 0,
        query: String::new(),
        typing: false,
        type_filter: None,
        compare: None,
        scroll: 0,
    })));
    fx.push(Effect::FleetList { spec, generation, namespace: namespace_of(&state.scope) });
}

fn namespace_of(scope: &Scope) -> Option<String> {
    match scope {
        Scope::All => None,
        Scope::One(ns) => Some(ns.clone()),
    }
}

/// The answer to `Effect::FleetList`.
pub(super) fn on_listed(state: &mut State, generation: u64, contexts: Vec<FleetContext>) {
    if let Some(Modal::Fleet(v)) = &mut state.modal
        && v.generation == generation
    {
        v.contexts = contexts;
        v.loading = false;
        v.refresh();
        state.dirty = true;
    }
}

/// The answer to `Effect::Compare`.
pub(super) fn on_compared(state: &mut State, generation: u64, view: Result<CompareView, String>) {
    let Some(Modal::Fleet(v)) = &mut state.modal else { return };
    if v.generation != generation {
        return;
    }
    match view {
        Ok(view) => v.compare = Some(Some(view)),
        Err(e) => {
            v.compare = None;
            state.flash(e, true);
        }
    }
    state.dirty = true;
}

pub(super) fn on_key(state: &mut State, ev: crossterm::event::KeyEvent, action: Option<Action>, fx: &mut Vec<Effect>) {
    let Some(Modal::Fleet(v)) = &mut state.modal else { return };
    if v.compare.is_some() {
        match action {
            Some(Action::Back) => v.compare = None,
            Some(Action::Up) => v.scroll = v.scroll.saturating_sub(1),
            Some(Action::Down) => v.scroll = v.scroll.saturating_add(1),
            _ => {}
        }
        return;
    }
    if v.typing {
        use crossterm::event::{KeyCode, KeyModifiers};
        match ev.code {
            KeyCode::Esc => {
                v.query.clear();
                v.typing = false;
            }
            KeyCode::Enter | KeyCode::Down => v.typing = false,
            KeyCode::Backspace => {
                v.query.pop();
            }
            KeyCode::Char(c) if !ev.modifiers.contains(KeyModifiers::CONTROL) => v.query.push(c),
            _ => {}
        }
        v.selected = 0;
        v.refresh();
        return;
    }
    let page = usize::from(state.height.saturating_sub(6)).max(1);
    match action {
        Some(Action::Back) => state.modal = None,
        Some(Action::Up) => v.selected = v.selected.saturating_sub(1),
        Some(Action::Down) => v.selected = (v.selected + 1).min(v.visible.len().saturating_sub(1)),
        Some(Action::PageUp) => v.selected = v.selected.saturating_sub(page),
        Some(Action::PageDown) => v.selected = (v.selected + page).min(v.visible.len().saturating_sub(1)),
        Some(Action::Top) => v.selected = 0,
        Some(Action::Bottom) => v.selected = v.visible.len().saturating_sub(1),
        Some(Action::Search) => v.typing = true,
        Some(Action::ClearFilter) => {
            v.query.clear();
            v.type_filter = None;
            v.refresh();
        }
        Some(Action::TypePicker) => {
            // Cycles through the types present: none, then each in turn.
            let types = v.types();
            v.type_filter = match &v.type_filter {
                None => types.first().cloned(),
                Some(t) => types.iter().skip_while(|x| *x != t).nth(1).cloned(),
            };
            v.selected = 0;
            v.refresh();
        }
        Some(Action::FleetRefresh) => {
            let generation = state.next_id();
            let Some(Modal::Fleet(v)) = &mut state.modal else { return };
            v.generation = generation;
            v.loading = true;
            fx.push(Effect::FleetList { spec: v.spec.clone(), generation, namespace: namespace_of(&state.scope) });
        }
        Some(Action::Compare) => {
            let Some(row) = v.selected_row().cloned() else { return };
            v.compare = Some(None);
            v.scroll = 0;
            fx.push(Effect::Compare {
                spec: v.spec.clone(),
                generation: v.generation,
                namespace: row.namespace,
                name: row.name,
            });
        }
        Some(Action::Open) => {
            let Some(row) = v.selected_row().cloned() else { return };
            state.modal = None;
            if row.context == state.context {
                let target = state.open_detail(&row.namespace, &row.name).target();
                fx.push(Effect::Open(target.clone()));
                fx.push(Effect::CheckUpdate(target));
            } else if super::edit::unsaved_work(state) {
                state.flash("You have edits not applied here: apply or discard them first.", true);
            } else {
                state.switching = Some(row.context.clone());
                state.open_after_switch = Some((row.namespace.clone(), row.name.clone()));
                state.flash(format!("Connecting to context {}…", row.context), false);
                fx.push(Effect::SwitchContext(row.context));
            }
        }
        _ => {}
    }
}
