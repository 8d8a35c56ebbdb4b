//! What the update function asks the runtime to do. Effects are data; the runtime (or a test)
//! runs them and feeds results back as messages.

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

#[derive(Debug, Clone, PartialEq, Eq)]
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
    SwitchContext(String),
    Suspend,
    Quit,
}
