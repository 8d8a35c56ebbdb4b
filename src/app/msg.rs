//! Everything that can happen to the app: input, time, and results of effects. Each result
//! comes back as a message; nothing reaches the state any other way.

use crossterm::event::KeyEvent;
use jiff::Timestamp;
use zeroize::Zeroizing;

use super::effect::{RandomFor, Switched, Target, Ticket};
use crate::cluster::apply::ApplyError;
use crate::cluster::event::Event;
use crate::cluster::ops::OpenError;
use crate::list::rows::Inspected;
use crate::secret::Secret;

#[derive(Debug)]
pub enum Msg {
    /// The answer to one restart of `Effect::Restart`.
    Restarted {
        id: u64,
        kind: crate::refs::WorkloadKind,
        name: String,
        result: crate::cluster::restart::Restarted,
    },
    /// A restarted workload's rollout, read again (every second until done or failed).
    Rollout {
        id: u64,
        kind: crate::refs::WorkloadKind,
        name: String,
        result: Result<(crate::cluster::restart::Progress, Vec<String>), String>,
    },
    /// The fleet view's listing, per context.
    FleetListed {
        generation: u64,
        contexts: Vec<super::fleet::FleetContext>,
    },
    /// A comparison across contexts, or why it could not be made.
    Compared {
        generation: u64,
        view: Result<super::fleet::CompareView, String>,
    },
    Key(KeyEvent),
    /// Pasted text (bracketed paste): wiped when dropped, since it is often a value.
    Paste(Zeroizing<String>),
    Resize(u16, u16),
    /// About a second passed: the time now (ages, flashes, banners, certificate dates).
    Tick(Timestamp),
    /// keyhole was suspended (Ctrl-Z) and resumed (`fg`), or had lent the terminal to a
    /// credential plugin and has it back.
    Resumed,
    /// A kubeconfig exec credential plugin that may ask the user something wants the terminal
    /// (`terminal::lend`); the number says which.
    TerminalWanted(u64),
    /// An event of the watches started by `Effect::Watch` with this generation; events of
    /// older watches are ignored.
    Watched {
        watch: u64,
        event: Event,
    },
    Inspected {
        namespace: String,
        name: String,
        facts: Inspected,
    },
    InspectFailed {
        namespace: String,
        name: String,
    },
    /// The opened Secret arrived (values inside, zeroized when dropped).
    Opened {
        target: Target,
        secret: Box<Secret>,
    },
    OpenFailed {
        target: Target,
        error: OpenError,
    },
    /// Whether the user may update the opened Secret (SelfSubjectAccessReview).
    CanUpdate {
        target: Target,
        allowed: bool,
    },
    /// The RBAC objects for the Access tab (or the user's own access), or why not.
    AccessLoaded {
        target: Target,
        result: Result<Box<crate::cluster::rbac::Loaded>, String>,
    },
    Namespaces(Result<Vec<String>, String>),
    /// What the clipboard did (or why it did not), for the status line.
    Copied(Result<String, String>),
    /// The answers to a dry run, a write and the read after a 409, for the draft and revision
    /// they were sent for.
    DryRunDone {
        ticket: Ticket,
        result: Result<Vec<String>, ApplyError>,
    },
    Applied {
        ticket: Ticket,
        result: Result<Box<Secret>, ApplyError>,
    },
    /// The server's current version, for the conflict screen.
    Latest {
        ticket: Ticket,
        result: Result<Box<Secret>, OpenError>,
    },
    Deleted {
        target: Target,
        result: Result<crate::cluster::apply::Deletion, ApplyError>,
    },
    FileRead {
        target: Target,
        key: String,
        path: String,
        result: Result<Vec<u8>, String>,
    },
    /// Tab completion of `input`: the completed path and the names that matched.
    Completed {
        input: String,
        completed: String,
        candidates: Vec<String>,
    },
    /// A random value asked for with `Effect::Random`.
    Random {
        target: RandomFor,
        value: Zeroizing<String>,
    },
    /// Connected to another kubeconfig context (or why not).
    ContextSwitched(Result<Box<Switched>, String>),
}
