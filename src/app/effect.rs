//! What the update function asks the runtime to do. Effects are data; the runtime (or a test)
//! runs them and feeds results back as messages.

use crate::secret::Secret;

/// Which namespaces the app shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    All,
    One(String),
}

impl Scope {
    pub fn label(&self) -> &str {
        match self {
            Scope::All => "all namespaces",
            Scope::One(ns) => ns,
        }
    }
    pub fn namespace(&self) -> Option<&str> {
        match self {
            Scope::All => None,
            Scope::One(ns) => Some(ns),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// (Re)start the watches for this scope: Secrets (as a Table), Pods, ServiceAccounts,
    /// Ingresses, ReplicaSets.
    Watch(Scope),
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
        text: crate::terminal::clipboard::CopyText,
        what: String,
    },
    /// Read a local file into a key (the bytes stay in memory only).
    ReadFile {
        path: String,
        key: String,
    },
    SwitchContext(String),
    Suspend,
    Quit,
}
