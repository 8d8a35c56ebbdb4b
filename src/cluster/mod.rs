//! The one path to a cluster (DESIGN.md decision 2): kube-rs over HTTP, configured from the
//! kubeconfig like kubectl. Connecting, the watches that keep the app current, and one-shot
//! operations (open a Secret, ask for permissions, list namespaces).

pub mod apply;
pub mod connect;
pub mod consumers;
pub mod event;
pub mod ops;
pub mod pod;
pub mod secrets;

pub use connect::{ConnectError, Connected, connect};
