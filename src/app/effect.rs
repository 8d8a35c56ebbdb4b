//! What the update function asks the runtime to do. Effects are data; one executor
//! (`crate::runtime::executor`) runs every one of them and feeds results back as messages.

use super::editor::Alphabet;
use crate::cluster::Connected;
use crate::secret::Secret;
use crate::terminal::clipboard::CopyText;

/// Which namespaces the app shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    All,
    One(String),
}

impl Scope {
    pub(crate) fn label(&self) -> &str {
        match self {
            Scope::All => "all namespaces",
            Scope::One(ns) => ns,
        }
    }
    pub(crate) fn namespace(&self) -> Option<&str> {
        match self {
            Scope::All => None,
            Scope::One(ns) => Some(ns),
        }
    }
}

/// The opened Secret an answer is for. A session is one opening of the detail screen: an
/// answer for a Secret that was closed (or closed and opened again) is ignored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub namespace: String,
    pub name: String,
    pub session: u64,
}

/// The draft, and its revision, that a dry run or a write was sent for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ticket {
    pub target: Target,
    pub draft: u64,
    pub revision: u64,
}

/// What a random value is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RandomFor {
    /// The value of this key of the opened Secret (the `g` action).
    Key { target: Target, key: String },
    /// A rotation of this key (the `o` action): the review follows.
    Rotate { target: Target, key: String },
    /// The name suggested for a new bootstrap token Secret (`bootstrap-token-<id>`).
    BootstrapName,
    /// The `token-secret` of a new bootstrap token Secret.
    BootstrapSecret(Target),
}

/// A connection to another context, made in the background; the app hands it back to the
/// executor with `Effect::Adopt` (so the update function never waits for a network).
#[derive(Clone)]
pub struct Switched {
    pub context: String,
    pub namespace: String,
    pub connected: Connected,
}

impl std::fmt::Debug for Switched {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Switched").field("context", &self.context).field("namespace", &self.namespace).finish()
    }
}

impl PartialEq for Switched {
    fn eq(&self, other: &Self) -> bool {
        self.context == other.context && self.namespace == other.namespace
    }
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Effect {
    /// Stop the running watches and start new ones for this scope: Secrets (as a Table), Pods,
    /// ServiceAccounts, Ingresses, ReplicaSets, and the custom resources that write Secrets
    /// where their CRDs are served. Their events come back as `Msg::Watched` with this
    /// generation.
    Watch {
        scope: Scope,
        generation: u64,
    },
    /// Fetch one Secret's values for the detail screen.
    Open(Target),
    /// Ask whether the user may update this Secret.
    CheckUpdate(Target),
    /// Read the RBAC objects for the Access tab (or, where they cannot be listed, ask what the
    /// user may do with this Secret); `Msg::AccessLoaded` answers.
    LoadAccess(Target),
    /// Read these Secrets to learn key names, immutability and certificate dates; values are
    /// dropped at once.
    Inspect(Vec<(String, String)>),
    ListNamespaces,
    /// A server-side dry run of the edited Secret.
    DryRun {
        ticket: Ticket,
        secret: Box<Secret>,
        creating: bool,
    },
    /// The write: create, or update with the resourceVersion of the version opened.
    Apply {
        ticket: Ticket,
        secret: Box<Secret>,
        creating: bool,
    },
    /// After a 409: read the server's current version for the conflict screen.
    FetchLatest(Ticket),
    /// Delete the Secret if it is still the version seen (uid and resourceVersion preconditions).
    Delete {
        target: Target,
        uid: Option<String>,
        resource_version: Option<String>,
    },
    /// Put text on the clipboard (native or OSC 52). `what` names it for the message.
    Copy {
        text: CopyText,
        what: String,
    },
    /// Read a local file into a key (the bytes stay in memory only).
    ReadFile {
        target: Target,
        path: String,
        key: String,
    },
    /// Complete a local path (Tab in a file prompt).
    CompletePath(String),
    /// A random value of this length and alphabet, from the operating system's generator.
    Random {
        len: usize,
        alphabet: Alphabet,
        target: RandomFor,
    },
    /// Connect to another context of the kubeconfig, in the background.
    SwitchContext(String),
    /// List the Secrets of the contexts `spec` names (`all`, globs, names), each in
    /// `namespace` (else every namespace); `Msg::FleetListed` answers.
    FleetList {
        spec: String,
        generation: u64,
        namespace: Option<String>,
    },
    /// Compare one Secret across the contexts `spec` names; `Msg::Compared` answers.
    Compare {
        spec: String,
        generation: u64,
        namespace: String,
        name: String,
    },
    /// Use this connection from now on (after `Msg::ContextSwitched`).
    Adopt(Box<Switched>),
    /// Give the terminal back and stop (Ctrl-Z); `Msg::Resumed` follows `fg`.
    Suspend,
    /// Restart these workloads of `namespace` (each checked first), then follow their rollouts
    /// until done or failed; `Msg::Restarted` and `Msg::Rollout` come back with `id`.
    Restart {
        id: u64,
        namespace: String,
        workloads: Vec<(crate::refs::WorkloadKind, String)>,
    },
    /// Stop following the rollouts of restart `id` (the window was closed).
    StopFollowing(u64),
    /// Give the terminal to the credential plugin that asked for it until it is done;
    /// `Msg::Resumed` follows.
    LendTerminal(u64),
}
