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

/// What a random value is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RandomFor {
    /// The value of this key of the opened Secret (the `g` action).
    Key(String),
    /// The name suggested for a new bootstrap token Secret (`bootstrap-token-<id>`).
    BootstrapName,
    /// The `token-secret` of a new bootstrap token Secret.
    BootstrapSecret,
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
    /// ServiceAccounts, Ingresses, ReplicaSets. Their events come back as `Msg::Watched` with
    /// this generation.
    Watch {
        scope: Scope,
        generation: u64,
    },
    /// Fetch one Secret's values for the detail screen.
    Open {
        namespace: String,
        name: String,
    },
    /// Ask whether the user may update this Secret.
    CheckUpdate {
        namespace: String,
        name: String,
    },
    /// Read these Secrets to learn key names, immutability and certificate dates; values are
    /// dropped at once.
    Inspect(Vec<(String, String)>),
    ListNamespaces,
    /// A server-side dry run of the edited Secret.
    DryRun {
        secret: Box<Secret>,
        creating: bool,
    },
    /// The write: create, or update with the resourceVersion of the version opened.
    Apply {
        secret: Box<Secret>,
        creating: bool,
    },
    /// After a 409: read the server's current version for the conflict screen.
    FetchLatest {
        namespace: String,
        name: String,
    },
    Delete {
        namespace: String,
        name: String,
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
    /// Use this connection from now on (after `Msg::ContextSwitched`).
    Adopt(Box<Switched>),
    /// Give the terminal back and stop (Ctrl-Z); `Msg::Resumed` follows `fg`.
    Suspend,
}
