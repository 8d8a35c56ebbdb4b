//! The one executor: every effect the update function returns is run here, and every result
//! comes back as a message on the channel the loop reads. Network work runs in tasks, so
//! nothing the user triggers blocks input or drawing; the clipboard, local files, random values
//! and Ctrl-Z are here too. The TUI and the flow tests use this same executor.

use std::sync::Arc;
use std::time::Instant;

use futures::StreamExt;
use tokio::sync::mpsc::UnboundedSender;
use tokio::task::JoinHandle;

use super::local;
use crate::app::effect::{Effect, Scope, Switched};
use crate::app::msg::Msg;
use crate::cluster::event::Emit;
use crate::cluster::{self, Connected, apply, consumers, ops, secrets};
use crate::terminal::clipboard::Clipboard;

/// How many Secrets are inspected at once.
const INSPECT_CONCURRENCY: usize = 8;

/// What Ctrl-Z does: give the terminal back and stop until `fg` (the binary's is
/// `terminal::suspend`; tests have none).
pub(crate) type Suspend = Box<dyn FnMut() -> std::io::Result<()> + Send>;

/// How the terminal is lent to a credential plugin (in the binary: leave the TUI, let the
/// plugin run, take the terminal back; tests have none).
pub(crate) type Lend = Box<dyn FnMut(u64) -> std::io::Result<()> + Send>;

pub struct Executor {
    connected: Connected,
    tx: UnboundedSender<Msg>,
    watches: Vec<JoinHandle<()>>,
    clipboard: Clipboard,
    redact: bool,
    suspend: Option<Suspend>,
    lend: Option<Lend>,
    tuning: secrets::Tuning,
    /// The tasks that restart workloads and follow their rollouts, by restart.
    follows: std::collections::HashMap<u64, Vec<JoinHandle<()>>>,
    /// Opens the usage and owner watches once the listed Secrets are drawn.
    gate: Option<cluster::gate::Opener>,
}

impl std::fmt::Debug for Executor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Executor").field("connected", &self.connected).finish_non_exhaustive()
    }
}

impl Executor {
    /// Results go to `tx`. `redact`: the clipboard refuses every copy, whatever asks.
    pub fn new(connected: Connected, tx: UnboundedSender<Msg>, clipboard: Clipboard, redact: bool) -> Self {
        Executor {
            connected,
            tx,
            watches: Vec::new(),
            clipboard,
            redact,
            suspend: None,
            lend: None,
            tuning: Default::default(),
            gate: None,
            follows: Default::default(),
        }
    }

    /// How the Secrets watch reconnects, polls and backs off (tests make it quick).
    pub fn with_tuning(mut self, tuning: secrets::Tuning) -> Self {
        self.tuning = tuning;
        self
    }

    /// What Ctrl-Z runs.
    pub(crate) fn with_suspend(mut self, suspend: Suspend) -> Self {
        self.suspend = Some(suspend);
        self
    }

    pub(crate) fn with_lend(mut self, lend: Lend) -> Self {
        self.lend = Some(lend);
        self
    }

    fn send(&self, msg: Msg) {
        // The loop has ended when nobody receives: the result is not needed.
        let _ = self.tx.send(msg);
    }

    /// Runs one effect. Network effects are spawned; their results arrive later as messages.
    pub(crate) fn run(&mut self, effect: Effect) {
        let client = self.connected.client.clone();
        let tx = self.tx.clone();
        match effect {
            Effect::Watch { scope, generation } => self.watch(&scope, generation),
            Effect::Open(target) => {
                tokio::spawn(async move {
                    let msg = match ops::open(&client, &target.namespace, &target.name).await {
                        Ok(s) => Msg::Opened { target, secret: Box::new(s) },
                        Err(error) => Msg::OpenFailed { target, error },
                    };
                    let _ = tx.send(msg);
                });
            }
            Effect::CheckUpdate(target) => {
                tokio::spawn(async move {
                    if let Ok(allowed) = ops::can(&client, "update", &target.namespace, &target.name).await {
                        let _ = tx.send(Msg::CanUpdate { target, allowed });
                    }
                });
            }
            Effect::LoadAccess(target) => {
                tokio::spawn(async move {
                    let result = cluster::rbac::load(&client, &target.namespace, &target.name).await.map(Box::new);
                    let _ = tx.send(Msg::AccessLoaded { target, result });
                });
            }
            Effect::Inspect(list) => self.inspect(list),
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
            Effect::DryRun { ticket, secret, creating } => {
                tokio::spawn(async move {
                    let result = apply::write(&client, &secret, creating, true).await.map(|w| w.warnings);
                    let _ = tx.send(Msg::DryRunDone { ticket, result });
                });
            }
            Effect::Apply { ticket, secret, creating } => {
                tokio::spawn(async move {
                    let result = apply::write(&client, &secret, creating, false).await.map(|w| Box::new(w.secret));
                    let _ = tx.send(Msg::Applied { ticket, result });
                });
            }
            Effect::FetchLatest(ticket) => {
                tokio::spawn(async move {
                    let (ns, name) = (&ticket.target.namespace, &ticket.target.name);
                    let result = ops::open(&client, ns, name).await.map(Box::new);
                    let _ = tx.send(Msg::Latest { ticket, result });
                });
            }
            Effect::Delete { target, uid, resource_version } => {
                tokio::spawn(async move {
                    let (ns, name) = (&target.namespace, &target.name);
                    let result = apply::delete(&client, ns, name, uid.as_deref(), resource_version.as_deref()).await;
                    let _ = tx.send(Msg::Deleted { target, result });
                });
            }
            Effect::Copy { text, what } => {
                let result = self
                    .clipboard
                    .copy(text.as_str(), self.redact, Instant::now())
                    .map(|o| format!("{what}: {}", o.message))
                    .map_err(|e| format!("{what}: {e}"));
                self.send(Msg::Copied(result));
            }
            Effect::ReadFile { target, path, key } => {
                tokio::spawn(async move {
                    let result = local::read_file(&path).await;
                    let _ = tx.send(Msg::FileRead { target, key, path, result });
                });
            }
            Effect::CompletePath(input) => {
                // A directory listing: quick, but still I/O, so not on the loop.
                tokio::task::spawn_blocking(move || {
                    let (completed, candidates) = local::complete_path(&input);
                    let _ = tx.send(Msg::Completed { input, completed, candidates });
                });
            }
            Effect::Random { len, alphabet, target } => {
                self.send(Msg::Random { target, value: local::generate(len, alphabet) });
            }
            Effect::SwitchContext(context) => {
                // Connecting can take seconds (an unreachable cluster, an exec plugin): in a
                // task, so that the list stays usable meanwhile.
                let current = self.connected.clone();
                tokio::spawn(async move {
                    let result = current.switch_context(&context).await;
                    let msg = match result {
                        Ok(connected) => Msg::ContextSwitched(Ok(Box::new(Switched {
                            context,
                            namespace: connected.namespace.clone(),
                            connected,
                        }))),
                        Err(e) => Msg::ContextSwitched(Err(e.0)),
                    };
                    let _ = tx.send(msg);
                });
            }
            Effect::FleetList { spec, generation, namespace } => {
                let kubeconfig = self.connected.kubeconfig.clone();
                // The listing keeps its index in a RefCell (`list::gather`), so its future is not
                // Send: it runs on a blocking thread, driven by this runtime's handle.
                let handle = tokio::runtime::Handle::current();
                tokio::task::spawn_blocking(move || {
                    let contexts = match handle.block_on(super::fleet::list(&kubeconfig, &spec, namespace)) {
                        Ok(c) => c,
                        Err(e) => vec![crate::app::fleet::FleetContext { context: spec, result: Err(e) }],
                    };
                    let _ = tx.send(Msg::FleetListed { generation, contexts });
                });
            }
            Effect::Compare { spec, generation, namespace, name } => {
                let kubeconfig = self.connected.kubeconfig.clone();
                let handle = tokio::runtime::Handle::current();
                tokio::task::spawn_blocking(move || {
                    let view = handle.block_on(super::fleet::compare(&kubeconfig, &spec, &namespace, &name));
                    let _ = tx.send(Msg::Compared { generation, view });
                });
            }
            Effect::Adopt(switched) => {
                self.stop();
                self.connected = switched.connected;
            }
            Effect::Suspend => {
                if let Some(suspend) = self.suspend.as_mut() {
                    // Without a job-control shell the stop signal is discarded and keyhole
                    // simply continues.
                    if let Err(e) = suspend() {
                        tracing::warn!("suspend: {e}");
                    }
                }
                self.send(Msg::Resumed);
            }
            Effect::Restart { id, namespace, workloads } => {
                let tasks = workloads
                    .into_iter()
                    .map(|(kind, name)| {
                        tokio::spawn(restart_and_follow(client.clone(), tx.clone(), id, namespace.clone(), kind, name))
                    })
                    .collect();
                self.follows.insert(id, tasks);
            }
            Effect::StopFollowing(id) => {
                for task in self.follows.remove(&id).unwrap_or_default() {
                    task.abort();
                }
            }
            Effect::LendTerminal(id) => {
                if let Some(lend) = self.lend.as_mut() {
                    if let Err(e) = lend(id) {
                        tracing::warn!("lending the terminal to a credential plugin: {e}");
                    }
                    self.send(Msg::Resumed);
                }
            }
        }
    }

    fn inspect(&self, list: Vec<(String, String)>) {
        // Names only: which Secrets are read for the list's flags (never their values).
        tracing::debug!(
            "inspecting {} Secrets: {}",
            list.len(),
            list.iter().map(|(ns, name)| format!("{ns}/{name}")).collect::<Vec<_>>().join(" ")
        );
        let client = Arc::new(self.connected.client.clone());
        let tx = self.tx.clone();
        tokio::spawn(async move {
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

    /// Stops the running watches and starts new ones for the scope, their events tagged with
    /// the generation.
    fn watch(&mut self, scope: &Scope, generation: u64) {
        self.stop();
        let client = self.connected.client.clone();
        let ns = scope.namespace().map(str::to_string);
        let fallback = vec![self.connected.namespace.clone()];
        let tx = self.tx.clone();
        let emit: Emit = Arc::new(move |event| {
            let _ = tx.send(Msg::Watched { watch: generation, event });
        });
        let (secrets_emit, gate, opener) = cluster::gate::opening(emit.clone());
        self.gate = Some(opener);
        self.watches.push(tokio::spawn(secrets::run(client.clone(), ns.clone(), fallback, self.tuning, secrets_emit)));
        self.watches.push(cluster::owners::spawn(client.clone(), ns.clone(), emit.clone(), gate.clone()));
        self.watches.extend(consumers::spawn(client, ns, emit, gate));
    }

    /// Every tick: clears the clipboard when it is due.
    pub(crate) fn tick(&mut self, now: Instant) {
        if let Some(m) = self.clipboard.tick(now) {
            self.send(Msg::Copied(Ok(m)));
        }
    }

    /// The listed Secrets are on screen: the usage and owner watches may start.
    pub(crate) fn list_shown(&mut self) {
        if let Some(opener) = self.gate.take() {
            opener.open();
        }
    }

    pub(crate) fn stop(&mut self) {
        self.gate = None;
        for w in self.watches.drain(..) {
            w.abort();
        }
    }

    /// keyhole is exiting: stop the watches and clear a pending copy, so that no copied value
    /// outlives keyhole in the clipboard.
    pub(crate) fn finish(&mut self) {
        self.stop();
        for task in self.follows.drain().flat_map(|(_, tasks)| tasks) {
            task.abort();
        }
        let _ = self.clipboard.finish();
    }
}

impl Drop for Executor {
    fn drop(&mut self) {
        self.stop();
    }
}

/// How often a rollout's progress is read.
const ROLLOUT_POLL: std::time::Duration = std::time::Duration::from_secs(1);

/// One workload: may the user restart it, the restart, then its rollout read every second
/// until it is done or failed (or the task is aborted: the window was closed).
async fn restart_and_follow(
    client: kube::Client,
    tx: UnboundedSender<Msg>,
    id: u64,
    namespace: String,
    kind: crate::refs::WorkloadKind,
    name: String,
) {
    use cluster::restart::{self, Restarted, Stage};
    let result = match restart::may_restart(&client, &kind, &namespace, &name).await {
        Ok(true) => restart::restart(&client, &kind, &namespace, &name, jiff::Timestamp::now(), false).await,
        Ok(false) => Restarted::Refused(format!(
            "you may not patch {} {name} in {namespace}: ask for `patch` on {}",
            kind.as_str(),
            kind.as_str().to_lowercase()
        )),
        Err(e) => {
            Restarted::Failed(format!("cannot ask whether you may restart it: {}", cluster::connect::error_chain(&e)))
        }
    };
    let done = result == Restarted::Done;
    let _ = tx.send(Msg::Restarted { id, kind: kind.clone(), name: name.clone(), result });
    if !done {
        return;
    }
    loop {
        tokio::time::sleep(ROLLOUT_POLL).await;
        let result =
            restart::progress(&client, &kind, &namespace, &name).await.map_err(|e| cluster::connect::error_chain(&e));
        let finished = matches!(&result, Ok((p, _)) if p.stage != Stage::Rolling);
        if tx.send(Msg::Rollout { id, kind: kind.clone(), name: name.clone(), result }).is_err() || finished {
            return;
        }
    }
}
