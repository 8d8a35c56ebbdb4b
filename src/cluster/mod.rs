//! The one path to a cluster (DESIGN.md decision 2): kube-rs over HTTP, configured from the
//! kubeconfig like kubectl. Connecting, the watches that keep the app current, and one-shot
//! operations (open a Secret, ask for permissions, list namespaces).

pub(crate) mod apply;
pub mod connect;
pub(crate) mod consumers;
pub(crate) mod event;
pub mod exec;
pub(crate) mod gate;
pub(crate) mod ops;
pub(crate) mod owners;
pub mod pod;
pub(crate) mod proxy;
mod quiet;
pub mod rbac;
pub mod restart;
pub mod secrets;
pub mod slim;

pub use connect::Connected;
pub(crate) use connect::{connect, connect_lending};
