//! Runs the app's effects against a cluster and feeds the results back as messages. The TUI
//! and the flow tests use the same runner, so the tested path is the real one.

use std::sync::Arc;

use futures::StreamExt;
use tokio::sync::mpsc::UnboundedSender;
use tokio::task::JoinHandle;

use crate::app::effect::{Effect, Scope};
use crate::app::msg::Msg;
use crate::cluster::{self, Connected, apply, consumers, ops, secrets};

/// How many Secrets are inspected at once.
const INSPECT_CONCURRENCY: usize = 8;

#[derive(Debug)]
pub struct Runner {
    pub connected: Connected,
    tx: UnboundedSender<Msg>,
    watches: Vec<JoinHandle<()>>,
}

impl Runner {
    pub fn new(connected: Connected, tx: UnboundedSender<Msg>) -> Self {
        Runner { connected, tx, watches: Vec::new() }
    }

    pub fn client(&self) -> kube::Client {
        self.connected.client.clone()
    }

    /// Runs one effect. Returns false for effects the caller must handle itself (Quit,
    /// Suspend), which need the terminal.
    pub fn run(&mut self, effect: Effect) -> bool {
        let client = self.client();
        let tx = self.tx.clone();
        match effect {
            Effect::Watch(scope) => self.watch(scope),
            Effect::Open { namespace, name } => {
                tokio::spawn(async move {
                    let msg = match ops::open(&client, &namespace, &name).await {
                        Ok(s) => Msg::Opened(Box::new(s)),
                        Err(error) => Msg::OpenFailed { namespace, name, error },
                    };
                    let _ = tx.send(msg);
                });
            }
            Effect::CheckUpdate { namespace, name } => {
                tokio::spawn(async move {
                    if let Ok(allowed) = ops::can(&client, "update", &namespace, &name).await {
                        let _ = tx.send(Msg::CanUpdate { namespace, name, allowed });
                    }
                });
            }
            Effect::Inspect(list) => {
                // Names only: which Secrets are read for the list's flags (never their values).
                tracing::debug!(
                    "inspecting {} Secrets: {}",
                    list.len(),
                    list.iter().map(|(ns, name)| format!("{ns}/{name}")).collect::<Vec<_>>().join(" ")
                );
                tokio::spawn(async move {
                    let client = Arc::new(client);
                    let results = futures::stream::iter(list)
                        .map(|(ns, name)| {
                            let client = client.clone();
                            async move { (ops::inspect(&client, &ns, &name).await, ns, name) }
                        })
                        .buffer_unordered(INSPECT_CONCURRENCY);
                    let mut results = std::pin::pin!(results);
                    while let Some((facts, namespace, name)) = results.next().await {
                        let msg = match facts {
                            Some(facts) => Msg::Inspected { namespace, name, facts },
                            None => Msg::InspectFailed { namespace, name },
                        };
                        let _ = tx.send(msg);
                    }
                });
            }
            Effect::ListNamespaces => {
                let fallback = self.connected.namespace.clone();
                tokio::spawn(async move {
                    let msg = match ops::namespaces(&client).await {
                        Ok(list) => Msg::Namespaces(Ok(list)),
                        Err(kube::Error::Api(s)) if s.code == 403 => Msg::Namespaces(Ok(vec![fallback])),
                        Err(e) => Msg::Namespaces(Err(cluster::connect::error_chain(&e))),
                    };
                    let _ = tx.send(msg);
                });
            }
            Effect::DryRun { secret, creating } => {
                tokio::spawn(async move {
                    let result = apply::write(&client, &secret, creating, true).await.map(|w| w.warnings);
                    let _ = tx.send(Msg::DryRunDone(result));
                });
            }
            Effect::Apply { secret, creating } => {
                tokio::spawn(async move {
                    let result = apply::write(&client, &secret, creating, false).await.map(|w| Box::new(w.secret));
                    let _ = tx.send(Msg::Applied(result));
                });
            }
            Effect::FetchLatest { namespace, name } => {
                tokio::spawn(async move {
                    let result = ops::open(&client, &namespace, &name).await.map(Box::new);
                    let _ = tx.send(Msg::Latest(result));
                });
            }
            Effect::Delete { namespace, name, uid, resource_version } => {
                tokio::spawn(async move {
                    let result =
                        apply::delete(&client, &namespace, &name, uid.as_deref(), resource_version.as_deref()).await;
                    let _ = tx.send(Msg::Deleted { namespace, name, result });
                });
            }
            Effect::ReadFile { path, key } => {
                tokio::spawn(async move {
                    let expanded = match path.strip_prefix("~/") {
                        Some(rest) => {
                            std::env::var("HOME").map(|h| format!("{h}/{rest}")).unwrap_or_else(|_| path.clone())
                        }
                        None => path.clone(),
                    };
                    // Files up to the Secret size limit; the bytes stay in memory only.
                    let result = match tokio::fs::metadata(&expanded).await {
                        Ok(m) if m.len() > 1024 * 1024 => {
                            Err("larger than 1 MiB, the most a Secret can hold".to_string())
                        }
                        Ok(_) => tokio::fs::read(&expanded).await.map_err(|e| e.to_string()),
                        Err(e) => Err(e.to_string()),
                    };
                    let _ = tx.send(Msg::FileRead { key, path, result });
                });
            }
            Effect::SwitchContext(ctx) => {
                // Handled by the caller, which owns the runner and can replace its connection.
                let _ = ctx;
                return false;
            }
            Effect::Quit | Effect::Suspend | Effect::Copy { .. } => return false,
        }
        true
    }

    /// Stops the running watches and starts new ones for the scope.
    fn watch(&mut self, scope: Scope) {
        self.stop();
        let client = self.client();
        let ns = scope.namespace().map(str::to_string);
        let fallback = vec![self.connected.namespace.clone()];
        self.watches.push(tokio::spawn(secrets::run(client.clone(), ns.clone(), fallback, self.tx.clone())));
        self.watches.extend(consumers::spawn(client, ns, self.tx.clone()));
    }

    pub fn stop(&mut self) {
        for w in self.watches.drain(..) {
            w.abort();
        }
    }

    /// Connects to another context of the same kubeconfig. Returns the context and its
    /// namespace; the app then asks for the watches it wants.
    pub async fn switch_context(&mut self, context: &str) -> Result<(String, String), String> {
        let kubeconfig = self.connected.kubeconfig.clone();
        let connected = cluster::connect::connect_with(kubeconfig, Some(context)).await.map_err(|e| e.0)?;
        self.stop();
        let ns = connected.namespace.clone();
        self.connected = connected;
        Ok((context.to_string(), ns))
    }
}

impl Drop for Runner {
    fn drop(&mut self) {
        self.stop();
    }
}
