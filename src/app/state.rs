//! The application state: plain data that rendering reads and `update` changes.

use std::collections::{BTreeMap, BTreeSet};

use jiff::Timestamp;

use super::draft::{Conflict, Draft};
use super::editor::{Alphabet, Format, LineInput, TextArea};
use super::effect::Scope;
use super::filter::NameFilter;
use crate::cluster::event::Connection;
use crate::cluster::ops::OpenError;
use crate::keymap::Keymap;
use crate::list::rows::SecretRow;
use crate::owners::Owner;
use crate::secret::Secret;

/// Options from the command line that shape behaviour.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Never reveal or copy a value (`--redact`, `KEYHOLE_REDACT=1`).
    pub redact: bool,
    /// No write actions (`--readonly`).
    pub readonly: bool,
    /// The keys, with the config file's overrides.
    pub keymap: Keymap,
    /// The contexts of the fleet view (`F`): `all`, globs or names (default: all).
    pub fleet: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sort {
    #[default]
    Name,
    Age,
    Type,
    Usage,
}

impl Sort {
    pub(crate) fn next(self) -> Sort {
        match self {
            Sort::Name => Sort::Age,
            Sort::Age => Sort::Type,
            Sort::Type => Sort::Usage,
            Sort::Usage => Sort::Name,
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Sort::Name => "name",
            Sort::Age => "age",
            Sort::Type => "type",
            Sort::Usage => "usage",
        }
    }
}

/// The list screen's view settings and the rows they select.
#[derive(Debug, Default)]
pub struct ListView {
    pub selected: usize,
    pub offset: usize,
    pub query: String,
    /// The filter input has focus.
    pub typing: bool,
    pub type_filter: Option<String>,
    pub show_helm: bool,
    pub sort: Sort,
    /// Keys of the rows shown, in order (recomputed when rows or settings change).
    pub visible: Vec<(String, String)>,
    /// Helm release Secrets hidden by the default filter.
    pub hidden_helm: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Tab {
    #[default]
    Data,
    UsedBy,
    Details,
    Access,
}

impl Tab {
    pub(crate) fn next(self) -> Tab {
        match self {
            Tab::Data => Tab::UsedBy,
            Tab::UsedBy => Tab::Details,
            Tab::Details => Tab::Access,
            Tab::Access => Tab::Data,
        }
    }
    pub(crate) fn prev(self) -> Tab {
        self.next().next().next()
    }
}

/// The Access tab's RBAC objects: read the first time the tab is shown for an opening.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum AccessView {
    #[default]
    NotAsked,
    Loading,
    /// The RBAC objects, or the current user's own access where they cannot be listed.
    Loaded(crate::cluster::rbac::Loaded),
    Failed(String),
}

/// The opened Secret.
#[derive(Debug)]
pub struct Detail {
    pub namespace: String,
    pub name: String,
    /// This opening of the Secret (unique for the run): answers carry it.
    pub session: u64,
    /// Drafts started in this session (the last one's id).
    pub drafts: u64,
    pub secret: Option<Secret>,
    pub error: Option<OpenError>,
    pub selected_key: usize,
    /// Keys whose value is shown. Cleared when the selection moves (DESIGN.md decision 6).
    pub revealed: BTreeSet<String>,
    pub scroll: u16,
    pub tab: Tab,
    pub can_update: Option<bool>,
    /// Who can read it (the Access tab).
    pub access: AccessView,
    /// Unapplied edits, if the user has started editing.
    pub draft: Option<Draft>,
    /// The user was told who manages this Secret and chose to edit it anyway: not asked again
    /// while it is open.
    pub managed_ack: bool,
    /// A version the watch announced while a write of ours was in flight (it may be our own
    /// write): read once the write's answer says which version is ours.
    pub announced_while_writing: Option<String>,
}

impl Detail {
    pub(crate) fn new(namespace: &str, name: &str, session: u64) -> Self {
        Detail {
            namespace: namespace.to_string(),
            name: name.to_string(),
            session,
            drafts: 0,
            secret: None,
            error: None,
            selected_key: 0,
            revealed: BTreeSet::new(),
            scroll: 0,
            tab: Tab::Data,
            can_update: None,
            access: AccessView::NotAsked,
            draft: None,
            managed_ack: false,
            announced_while_writing: None,
        }
    }

    /// What answers for this opening carry.
    pub fn target(&self) -> super::effect::Target {
        super::effect::Target { namespace: self.namespace.clone(), name: self.name.clone(), session: self.session }
    }

    /// Whether an answer is for this opening.
    pub fn is(&self, target: &super::effect::Target) -> bool {
        self.session == target.session && self.namespace == target.namespace && self.name == target.name
    }

    /// The Secret as shown: the edited copy while editing, else the one read from the server.
    pub fn shown(&self) -> Option<&Secret> {
        self.draft.as_ref().map(|d| &d.work).or(self.secret.as_ref())
    }

    pub fn keys(&self) -> Vec<&String> {
        self.shown().map(|s| s.entries().map(|(k, _)| k).collect()).unwrap_or_default()
    }

    pub fn is_dirty(&self) -> bool {
        self.draft.as_ref().is_some_and(Draft::is_dirty)
    }

    pub(crate) fn selected_key_name(&self) -> Option<&String> {
        self.keys().get(self.selected_key).copied()
    }
}

/// A modal list to choose from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PickerKind {
    Namespace,
    Context,
    Type,
    /// The type of a new Secret.
    NewSecret,
}

#[derive(Debug, Clone)]
pub struct Picker {
    pub kind: PickerKind,
    pub title: String,
    /// (value, label) pairs; the value is what choosing it does.
    pub items: Vec<(Option<String>, String)>,
    pub selected: usize,
    pub query: String,
}

impl Picker {
    /// Items matching the typed query, best match first, with their index into `items`.
    pub(crate) fn matching(&self) -> Vec<usize> {
        let mut f = NameFilter::new(&self.query);
        let mut scored: Vec<(u32, usize)> =
            (0..self.items.len()).filter_map(|i| f.score(&self.items[i].1).map(|s| (s, i))).collect();
        // Stable: equal scores keep the items' order (an empty query keeps them all in order).
        scored.sort_by_key(|a| std::cmp::Reverse(a.0));
        scored.into_iter().map(|(_, i)| i).collect()
    }
}

/// The value editor: one key's value as text, hex or base64.
#[derive(Debug)]
pub struct ValueEditor {
    /// The key being edited; `None` for labels and annotations.
    pub key: Option<String>,
    pub area: TextArea,
    pub format: Format,
    /// Shown as typed (else every character is a bullet).
    pub revealed: bool,
    pub error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PromptKind {
    AddKey,
    RenameKey(String),
    /// Load a file into this key.
    LoadFile(String),
    /// Generate a random value for this key.
    Generate(String),
    /// Rotate this key: a random value, then straight to the review.
    Rotate(String),
    /// Rotate a docker config's registry password (typed: the registry issued it); `auth` is
    /// recomputed.
    RotateRegistry {
        key: &'static str,
        server: String,
    },
    /// Name (and for all-namespace views, namespace/name) of a new Secret of this type.
    NewName(String),
    /// A custom type for a new Secret.
    NewType,
    /// kubectl's docker-registry generator, one field at a time: server, username, password,
    /// email. `.dockerconfigjson` is built with `auth` when the last one is given.
    Registry(RegistryForm),
    CloneName,
    /// `namespace/name` (or a name in the namespace shown) of a Secret to open.
    OpenName,
}

/// The docker-registry fields collected so far.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct RegistryForm {
    pub step: u8,
    pub server: String,
    pub username: String,
    pub password: zeroize::Zeroizing<String>,
}

impl std::fmt::Debug for RegistryForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RegistryForm").field("step", &self.step).field("server", &self.server).finish_non_exhaustive()
    }
}

#[derive(Debug, Clone)]
pub struct Prompt {
    /// What typing is for; `then` opens after this one is accepted (file helpers chain).
    pub then: Option<PromptKind>,
    /// Shown as bullets (passwords).
    pub masked: bool,
    pub kind: PromptKind,
    pub title: String,
    pub input: LineInput,
    pub error: Option<String>,
    pub hint: String,
    pub alphabet: Alphabet,
    pub candidates: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfirmKind {
    /// Leave the Secret (or quit) and lose the unapplied edits.
    DiscardAndClose {
        quit: bool,
    },
    /// Undo every edit.
    DiscardEdits,
    MakeImmutable,
    Delete {
        uid: Option<String>,
        resource_version: Option<String>,
    },
    /// Edit a Secret that a controller manages (its edits may be put back); yes goes on with
    /// this action.
    EditManaged {
        action: crate::keymap::Action,
    },
}

#[derive(Debug)]
pub struct Confirm {
    pub kind: ConfirmKind,
    pub title: String,
    pub lines: Vec<String>,
    /// The modal the question interrupted (an editor with a value being typed): back on "no".
    pub underneath: Option<Box<Modal>>,
}

/// Where an apply stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Phase {
    /// The diff is shown; Enter starts the dry run.
    Review,
    DryRunning,
    /// The server accepted the dry run; Enter applies.
    DryRunOk {
        warnings: Vec<String>,
    },
    Applying,
    /// Something failed; the edits are kept and Enter retries the step.
    Failed {
        message: String,
        causes: Vec<String>,
        retry_apply: bool,
    },
}

#[derive(Debug, Clone)]
pub struct Review {
    pub phase: Phase,
    /// The user confirmed the local warnings.
    pub warnings_accepted: bool,
    pub revealed: bool,
    pub scroll: u16,
}

impl Review {
    pub(crate) fn new(phase: Phase) -> Self {
        Review { phase, warnings_accepted: false, revealed: false, scroll: 0 }
    }
}

#[derive(Debug)]
pub struct ConflictView {
    pub server: Secret,
    pub conflicts: Vec<Conflict>,
    pub selected: usize,
}

#[derive(Debug)]
#[allow(clippy::large_enum_variant)] // one modal at a time; boxing would only add indirection
pub enum Modal {
    Help { scroll: u16 },
    Picker(Picker),
    Editor(ValueEditor),
    Prompt(Prompt),
    Confirm(Confirm),
    Review(Review),
    Conflict(ConflictView),
    Restart(super::restart::RestartView),
    Fleet(Box<super::fleet::FleetView>),
}

/// A short message at the bottom: what just happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flash {
    pub text: String,
    pub error: bool,
    pub ticks_left: u8,
}

/// A Secret that is referenced but does not exist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Missing {
    pub consumers: usize,
    /// Its flag (`list::flags::for_missing`).
    pub flag: crate::list::flags::Flag,
}

/// The line under the title about the connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Banner {
    /// Lost since then, with the error.
    Lost {
        error: String,
        since: Timestamp,
    },
    /// Not watching: reading the list every so often.
    Polling {
        every: std::time::Duration,
        reason: String,
    },
    Restored,
}

#[derive(Debug)]
pub struct State {
    pub options: Options,
    pub context: String,
    pub contexts: Vec<String>,
    pub scope: Scope,
    /// Said when the scope had to be narrowed (403 on all namespaces).
    pub scope_note: Option<String>,
    pub rows: BTreeMap<(String, String), SecretRow>,
    /// Secrets that consumers name but that do not exist, shown at the end of the list.
    pub missing: BTreeMap<(String, String), Missing>,
    pub list: ListView,
    pub loading: bool,
    /// While the first list is read page by page: how many Secrets so far.
    pub listed_so_far: Option<usize>,
    pub list_error: Option<String>,
    pub detail: Option<Detail>,
    pub modal: Option<Modal>,
    pub connection: Connection,
    /// The connection came back; shown for a few ticks.
    pub reconnected_ticks: u8,
    pub flash: Option<Flash>,
    pub refs: super::usage::Usage,
    /// Custom resources that name the Secrets they write (Certificates, ExternalSecrets),
    /// where their CRDs are served: with each row's own marks, who manages a Secret.
    pub writers: crate::owners::Writers,
    pub namespaces: Vec<String>,
    pub width: u16,
    pub height: u16,
    /// The time of the last tick (`Msg::Tick`); nothing here reads a clock.
    pub now: Timestamp,
    pub quit: bool,
    /// The generation of the running watches: events of older ones are ignored.
    pub watch: u64,
    /// A context switch asked for and not answered yet.
    pub switching: Option<String>,
    /// A Secret to open once the context switch in progress is done (from the fleet view).
    pub open_after_switch: Option<(String, String)>,
    /// The last id given to a detail session or a draft.
    pub last_id: u64,
    /// The rule the cluster's kubelets apply to `envFrom` names: it follows the server's version
    /// (the current rule when the version is unknown).
    pub env_rule: crate::validate::EnvNameRule,
    /// Something changed since the last draw.
    pub dirty: bool,
    /// The visible rows must be recomputed before they are used (rows or references changed).
    pub stale: bool,
    /// References changed: look for Secrets to inspect at the next tick, once, not per event
    /// (a Pod watch at scale sends thousands of events).
    pub inspect_due: bool,
    /// Inspections asked for and not answered yet: not asked for again.
    pub inspect_requested: std::collections::HashSet<(String, String)>,
    /// The versions this run's applies replaced (`U` puts them back). Memory only.
    pub applied: super::history::History,
}

impl State {
    pub fn new(context: &str, contexts: Vec<String>, scope: Scope, options: Options, now: Timestamp) -> Self {
        State {
            options,
            context: context.to_string(),
            contexts,
            scope,
            scope_note: None,
            rows: BTreeMap::new(),
            missing: BTreeMap::new(),
            list: ListView::default(),
            loading: true,
            listed_so_far: None,
            list_error: None,
            detail: None,
            modal: None,
            connection: Connection::Live,
            reconnected_ticks: 0,
            flash: None,
            refs: Default::default(),
            writers: Default::default(),
            namespaces: Vec::new(),
            width: 80,
            height: 24,
            now,
            quit: false,
            watch: 0,
            switching: None,
            open_after_switch: None,
            last_id: 0,
            env_rule: Default::default(),
            dirty: true,
            stale: true,
            inspect_due: false,
            inspect_requested: Default::default(),
            applied: Default::default(),
        }
    }

    /// A new id for a detail session.
    pub(crate) fn next_id(&mut self) -> u64 {
        self.last_id += 1;
        self.last_id
    }

    /// Opens the detail screen on a Secret (a new session).
    pub(crate) fn open_detail(&mut self, namespace: &str, name: &str) -> &mut Detail {
        let session = self.next_id();
        self.detail.insert(Detail::new(namespace, name, session))
    }

    /// The opened Secret, if `target` is this opening of it.
    pub(crate) fn detail_for(&mut self, target: &super::effect::Target) -> Option<&mut Detail> {
        self.detail.as_mut().filter(|d| d.is(target))
    }

    pub(crate) fn selected_row(&self) -> Option<&SecretRow> {
        self.list.visible.get(self.list.selected).and_then(|k| self.rows.get(k))
    }

    /// How many consumers use a Secret (a workload with its Pods counts once).
    pub(crate) fn usage(&self, namespace: &str, name: &str) -> usize {
        self.refs.consumer_count(namespace, name)
    }

    /// Recomputes the visible rows if something changed since the last time. Called before
    /// drawing and before handling a key, so that a storm of watch events costs one recompute.
    pub fn refresh_if_stale(&mut self) {
        if self.stale {
            self.refresh_visible();
        }
    }

    /// Recomputes everything the list shows after the rows or the references changed: the
    /// name order, the missing Secrets, then the visible rows. Once per batch of watch events.
    pub fn refresh_visible(&mut self) {
        self.stale = false;
        // Ranks stay valid when rows are updated or deleted (gaps do not change the order):
        // names are sorted again only when a new row came.
        if self.rows.values().any(|r| r.name_rank.is_none()) {
            // Rows come by namespace, then name: a stable sort by name keeps namespace order
            // for equal names.
            let mut by_name: Vec<&mut SecretRow> = self.rows.values_mut().collect();
            by_name.sort_by(|a, b| a.name.cmp(&b.name));
            for (i, r) in by_name.into_iter().enumerate() {
                r.name_rank = u32::try_from(i).ok();
            }
        }
        self.missing = self.find_missing();
        self.refresh_view();
    }

    /// Recomputes the visible rows after a view setting changed (filter, sort, type, Helm):
    /// what a keystroke in the filter costs. The rows and the missing Secrets are as they
    /// were, so nothing is compared by name: the sort keys are the filter score, the usage
    /// count (looked up once per row), and each row's `name_rank`; keys already in `visible`
    /// at the same place are reused instead of cloned.
    pub fn refresh_view(&mut self) {
        let mut filter = NameFilter::new(&self.list.query);
        let mut hidden_helm = 0;
        let by_usage = self.list.sort == Sort::Usage;
        // (filter score, usage count when sorting by usage, the row)
        let mut scored: Vec<(u32, usize, &SecretRow)> = Vec::with_capacity(self.rows.len());
        for row in self.rows.values() {
            if let Some(t) = &self.list.type_filter {
                if &row.type_ != t {
                    continue;
                }
            } else if row.is_helm() && !self.list.show_helm {
                hidden_helm += 1;
                continue;
            }
            if let Some(score) = filter.score(&row.name) {
                let usage = if by_usage { self.refs.consumer_count(&row.namespace, &row.name) } else { 0 };
                scored.push((score, usage, row));
            }
        }
        let by_score = !self.list.query.trim().is_empty();
        match self.list.sort {
            _ if by_score => scored.sort_unstable_by_key(|&(score, _, r)| (std::cmp::Reverse(score), r.name_rank)),
            Sort::Name => scored.sort_unstable_by_key(|&(_, _, r)| r.name_rank),
            Sort::Age => scored.sort_unstable_by_key(|&(_, _, r)| (std::cmp::Reverse(r.created), r.name_rank)),
            Sort::Type => scored.sort_unstable_by(|a, b| (&a.2.type_, a.2.name_rank).cmp(&(&b.2.type_, b.2.name_rank))),
            Sort::Usage => scored.sort_unstable_by_key(|&(_, usage, r)| (std::cmp::Reverse(usage), r.name_rank)),
        }
        let selected_key = self.list.visible.get(self.list.selected).cloned();
        let mut old = std::mem::take(&mut self.list.visible);
        let mut visible = Vec::with_capacity(scored.len());
        for (i, (_, _, r)) in scored.into_iter().enumerate() {
            match old.get_mut(i) {
                Some(k) if k.1 == r.name && k.0 == r.namespace => visible.push(std::mem::take(k)),
                _ => visible.push(r.key()),
            }
        }
        drop(old);
        self.list.visible = visible;
        if self.list.type_filter.is_none() {
            let mut f = NameFilter::new(&self.list.query);
            self.list.visible.extend(self.missing.keys().filter(|(_, n)| f.score(n).is_some()).cloned());
        }
        self.list.hidden_helm = hidden_helm;
        // Keep the same Secret selected when it is still shown.
        if let Some(k) = selected_key
            && let Some(i) = self.list.visible.iter().position(|v| *v == k)
        {
            self.list.selected = i;
        }
        if self.list.selected >= self.list.visible.len() {
            self.list.selected = self.list.visible.len().saturating_sub(1);
        }
    }

    /// The names of the Secrets of one namespace, sorted (the rows are kept by namespace, then name).
    fn names_in(&self, namespace: &str) -> Vec<&str> {
        let from = (namespace.to_string(), String::new());
        self.rows.range(from..).take_while(|((ns, _), _)| ns == namespace).map(|((_, name), _)| name.as_str()).collect()
    }

    /// Referenced Secrets that do not exist in the namespaces shown (known once both the Secrets
    /// and the Pods have been listed: when listing Secrets is refused, nothing is known missing).
    fn find_missing(&self) -> BTreeMap<(String, String), Missing> {
        let mut out = BTreeMap::new();
        if self.loading || self.list_error.is_some() || !self.refs.is_synced() {
            return out;
        }
        // Across all namespaces: those where something references a Secret (the namespace
        // list may be forbidden or not back yet; `keyhole list -A` asks the index too).
        let namespaces: Vec<&str> = match &self.scope {
            Scope::One(ns) => vec![ns.as_str()],
            Scope::All => self.refs.index.namespaces(),
        };
        for ns in namespaces {
            let names = self.names_in(ns);
            // One binary search per referenced name tells whether anything is missing here at
            // all (usually not), before the index is asked what the missing ones mean.
            if self.refs.index.referenced_in(ns).all(|s| names.binary_search(&s).is_ok()) {
                continue;
            }
            let exists = |name: &str| names.binary_search(&name).is_ok();
            for m in self.refs.index.missing_in(ns, exists) {
                let mut consumers: Vec<_> = m.references.iter().map(|(r, _)| &r.consumer.id).collect();
                consumers.sort();
                consumers.dedup();
                out.insert(
                    (ns.to_string(), m.secret.to_string()),
                    Missing { consumers: consumers.len(), flag: crate::list::flags::for_missing(&m) },
                );
            }
        }
        out
    }

    /// The row's flags: the one rule that `keyhole list` applies too.
    pub fn flags(&self, row: &SecretRow) -> Vec<crate::list::flags::Flag> {
        crate::list::flags::for_secret(
            row,
            &self.refs.index,
            &self.refs.known(&row.namespace, &row.name),
            self.now,
            crate::list::flags::EXPIRING_DAYS,
            &self.owners(row),
            self.env_rule,
        )
    }

    /// The opened Secret's flags by the list's rule, its content facts taken from the Secret
    /// as read (not the draft: the review judges that). Empty until it is read, and for a
    /// Secret being created.
    pub fn detail_flags(&self) -> Vec<crate::list::flags::Flag> {
        let Some(d) = &self.detail else { return Vec::new() };
        let Some(secret) = &d.secret else { return Vec::new() };
        if d.draft.as_ref().is_some_and(|dr| dr.creating) {
            return Vec::new();
        }
        let mut row = self.rows.get(&(d.namespace.clone(), d.name.clone())).cloned().unwrap_or_else(|| SecretRow {
            namespace: d.namespace.clone(),
            name: d.name.clone(),
            type_: secret.effective_type().to_string(),
            ..Default::default()
        });
        row.inspected = Some(crate::list::inspect::facts(secret, self.now));
        self.flags(&row)
    }

    /// Who manages a listed Secret: its metadata's managers and the custom resources that name it.
    pub fn owners(&self, row: &SecretRow) -> Vec<Owner> {
        if self.writers.is_empty() {
            return row.owners.clone();
        }
        self.writers.owners(&row.owners, &row.namespace, &row.name)
    }

    /// Who manages the opened Secret: from its metadata as read (the row's until it is read),
    /// and the custom resources that name it. Nothing for a Secret being created.
    pub fn detail_owners(&self) -> Vec<Owner> {
        let Some(d) = &self.detail else { return Vec::new() };
        if d.draft.as_ref().is_some_and(|dr| dr.creating) {
            return Vec::new();
        }
        let own = match &d.secret {
            Some(s) => crate::owners::detect(
                crate::owners::OwnedMeta::from_object_meta(s.effective_type(), &s.metadata).meta(),
            ),
            None => self.rows.get(&(d.namespace.clone(), d.name.clone())).map(|r| r.owners.clone()).unwrap_or_default(),
        };
        self.writers.owners(&own, &d.namespace, &d.name)
    }

    /// What cannot be told about who manages the opened Secret (a kind of writer that could not
    /// be listed), where it matters for this Secret.
    pub fn detail_owners_unknown(&self, owners: &[Owner]) -> Vec<String> {
        let Some(d) = &self.detail else { return Vec::new() };
        let type_ = match &d.secret {
            Some(s) => s.effective_type().to_string(),
            None => self.rows.get(&(d.namespace.clone(), d.name.clone())).map(|r| r.type_.clone()).unwrap_or_default(),
        };
        self.writers.unknown(&type_, owners)
    }

    /// The types present, with counts, for the type picker.
    pub(crate) fn type_counts(&self) -> Vec<(String, usize)> {
        let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
        for r in self.rows.values() {
            *counts.entry(r.type_.as_str()).or_default() += 1;
        }
        counts.into_iter().map(|(t, n)| (t.to_string(), n)).collect()
    }

    pub(crate) fn flash(&mut self, text: impl Into<String>, error: bool) {
        self.flash = Some(Flash { text: text.into(), error, ticks_left: 6 });
    }

    /// The connection banner, if there is one to show.
    pub(crate) fn banner(&self) -> Option<Banner> {
        match &self.connection {
            Connection::Lost { error, since } => Some(Banner::Lost { error: error.clone(), since: *since }),
            Connection::Polling { every, reason } => Some(Banner::Polling { every: *every, reason: reason.clone() }),
            Connection::Live if self.reconnected_ticks > 0 => Some(Banner::Restored),
            Connection::Live => None,
        }
    }

    /// What the list screen shows above and below its table.
    pub(crate) fn list_layout(&self) -> ListLayout {
        ListLayout {
            banner: self.banner().is_some(),
            note: self.scope_note.is_some(),
            filter: self.list.typing || !self.list.query.is_empty(),
        }
    }

    /// Rows of the list's table that fit on the screen: a page, for page up/down, for keeping
    /// the selection in view, and for what is inspected.
    pub(crate) fn list_page(&self) -> usize {
        self.list_layout().table_rows(self.height)
    }

    /// Brings the state up to date before it is drawn or a key is handled: recomputes the
    /// visible rows if watch events changed them, and scrolls the list so that the selected
    /// row is on screen. Drawing only reads.
    pub fn settle(&mut self) {
        self.refresh_if_stale();
        let page = self.list_page();
        let sel = self.list.selected;
        if sel < self.list.offset {
            self.list.offset = sel;
        } else if sel >= self.list.offset + page {
            self.list.offset = sel + 1 - page;
        }
        self.list.offset = self.list.offset.min(self.list.visible.len().saturating_sub(page));
    }
}

/// The list screen from top to bottom: a title line, the banner, the scope note and the filter
/// line when they are shown, the table (a header row and the rows), and the footer. The
/// drawing code lays out these same lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ListLayout {
    pub banner: bool,
    pub note: bool,
    pub filter: bool,
}

impl ListLayout {
    /// Lines that are not table rows: title, footer, the table's header, and the optional lines.
    pub(crate) fn fixed_lines(&self) -> u16 {
        3 + u16::from(self.banner) + u16::from(self.note) + u16::from(self.filter)
    }

    /// Table rows that fit in a screen of this height (at least one).
    pub(crate) fn table_rows(&self, height: u16) -> usize {
        usize::from(height.saturating_sub(self.fixed_lines())).max(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(ns: &str, name: &str) -> SecretRow {
        SecretRow {
            namespace: ns.into(),
            name: name.into(),
            type_: "Opaque".into(),
            keys: 1,
            created: None,
            resource_version: "1".into(),
            ..Default::default()
        }
    }

    #[test]
    fn rows_sort_by_name_then_namespace_and_keep_the_selection() {
        let mut s = State::new("c", vec![], Scope::All, Options::default(), Timestamp::UNIX_EPOCH);
        for (ns, name) in [("b", "x"), ("a", "y"), ("a", "x"), ("c", "a")] {
            let r = row(ns, name);
            s.rows.insert(r.key(), r);
        }
        s.loading = false;
        s.refresh_visible();
        let order: Vec<(&str, &str)> = s.list.visible.iter().map(|(n, m)| (n.as_str(), m.as_str())).collect();
        assert_eq!(order, [("c", "a"), ("a", "x"), ("b", "x"), ("a", "y")]);
        s.list.selected = 2;
        let r = row("a", "b");
        s.rows.insert(r.key(), r);
        s.refresh_visible();
        assert_eq!(
            s.list.visible[s.list.selected],
            ("b".to_string(), "x".to_string()),
            "the selection follows its row"
        );
        s.list.query = "x".into();
        s.refresh_visible();
        let order: Vec<&str> = s.list.visible.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(order, ["a", "b"], "equal scores keep namespace order");
    }

    #[test]
    fn view_changes_sort_by_age_type_and_score_with_names_breaking_ties() {
        let mut s = State::new("c", vec![], Scope::All, Options::default(), Timestamp::UNIX_EPOCH);
        let at = |secs: i64| Some(Timestamp::from_second(secs).unwrap());
        for (ns, name, ty, created) in [
            ("a", "web", "kubernetes.io/tls", at(100)),
            ("b", "db", "Opaque", at(300)),
            ("a", "api", "Opaque", at(300)),
            ("c", "old", "Opaque", None),
        ] {
            let mut r = row(ns, name);
            r.type_ = ty.into();
            r.created = created;
            s.rows.insert(r.key(), r);
        }
        s.loading = false;
        s.refresh_visible();
        let names = |s: &State| -> Vec<String> { s.list.visible.iter().map(|(_, n)| n.clone()).collect() };
        assert_eq!(names(&s), ["api", "db", "old", "web"]);
        s.list.sort = Sort::Age;
        s.refresh_view();
        assert_eq!(names(&s), ["api", "db", "web", "old"], "newest first, same age by name, unknown last");
        s.list.sort = Sort::Type;
        s.refresh_view();
        assert_eq!(names(&s), ["api", "db", "old", "web"]);
        s.list.sort = Sort::Name;
        s.list.query = "d".into();
        s.refresh_view();
        assert_eq!(names(&s), ["db", "old"], "only names with a d, the better match first");
        // A new row arrives: the next refresh places it by name.
        let r = row("a", "cache");
        s.rows.insert(r.key(), r);
        s.list.query.clear();
        s.refresh_visible();
        assert_eq!(names(&s), ["api", "cache", "db", "old", "web"]);
    }
}
