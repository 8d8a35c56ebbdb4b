//! The custom resources that name the Secrets they write (cert-manager Certificates,
//! ExternalSecrets; `crate::owners::writers`), read only where discovery says their CRDs are
//! served: one request for the API groups, one per group version for its resources, then a
//! watch per kind that is served. A kind that is not installed costs nothing more and is never
//! mentioned; one that cannot be listed (403) is reported as such. Each object is projected
//! into the Secret it writes and dropped.

use std::collections::HashSet;

use futures::StreamExt;
use kube::api::{Api, ApiResource, DynamicObject};
use kube::runtime::WatchStreamExt;
use kube::runtime::watcher::{self, Event};
use tokio::task::JoinHandle;

use super::consumers::listing_of;
use super::event::{self, Emit};
use crate::owners::writers::writer_from;
use crate::owners::{WriterEvent, WriterKind};
use crate::refs::Listing;

/// The writer kinds the cluster serves, each with the resource to read it through: the
/// group's preferred version if it serves the kind, else the first other version that does.
pub(crate) async fn discover(client: &kube::Client) -> Vec<(WriterKind, ApiResource)> {
    let groups = match client.list_api_groups().await {
        Ok(g) => g,
        Err(e) => {
            tracing::debug!("API groups for the Secrets' writers: {e}");
            return Vec::new();
        }
    };
    let mut out = Vec::new();
    for kind in WriterKind::ALL {
        let Some(group) = groups.groups.iter().find(|g| g.name == kind.group()) else { continue };
        let mut versions: Vec<String> = group.preferred_version.iter().map(|v| v.version.clone()).collect();
        for v in &group.versions {
            if !versions.contains(&v.version) {
                versions.push(v.version.clone());
            }
        }
        for version in versions {
            let api_version = format!("{}/{version}", kind.group());
            match client.list_api_group_resources(&api_version).await {
                Ok(list) if list.resources.iter().any(|r| r.name == kind.plural() && r.kind == kind.kind()) => {
                    out.push((
                        kind,
                        ApiResource {
                            group: kind.group().to_string(),
                            version,
                            api_version,
                            kind: kind.kind().to_string(),
                            plural: kind.plural().to_string(),
                        },
                    ));
                    break;
                }
                Ok(_) => {}
                Err(e) => tracing::debug!("resources of {api_version}: {e}"),
            }
        }
    }
    out
}

/// The resource's Api for one namespace, or all of them.
pub(crate) fn api(client: &kube::Client, namespace: Option<&str>, ar: &ApiResource) -> Api<DynamicObject> {
    match namespace {
        Some(ns) => Api::namespaced_with(client.clone(), ns, ar),
        None => Api::all_with(client.clone(), ar),
    }
}

/// What an object says: the Secret it writes (if any), replacing what it wrote before.
pub(crate) fn upserted(kind: WriterKind, o: &DynamicObject) -> WriterEvent {
    let namespace = o.metadata.namespace.clone().unwrap_or_default();
    let name = o.metadata.name.clone().unwrap_or_default();
    let writes = writer_from(kind, &namespace, &name, o.data.get("spec"));
    WriterEvent::Upserted { kind, namespace, name, writes }
}

pub(crate) fn key(o: &DynamicObject) -> (String, String) {
    (o.metadata.namespace.clone().unwrap_or_default(), o.metadata.name.clone().unwrap_or_default())
}

/// Discovers the writer kinds and watches those served, until aborted.
pub(crate) fn spawn(
    client: kube::Client,
    namespace: Option<String>,
    emit: Emit,
    gate: super::gate::Gate,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        gate.passed().await;
        let served = discover(&client).await;
        let watches = served.into_iter().map(|(kind, ar)| {
            let api = api(&client, namespace.as_deref(), &ar);
            watch(api, kind, emit.clone())
        });
        futures::future::join_all(watches).await;
    })
}

async fn watch(api: Api<DynamicObject>, kind: WriterKind, emit: Emit) {
    let stream = watcher::watcher(api, watcher::Config::default()).default_backoff();
    let mut stream = std::pin::pin!(stream);
    let mut seen: HashSet<(String, String)> = HashSet::new();
    let mut refused = false;
    let send = |e: WriterEvent| emit(event::Event::Writers(e));
    while let Some(ev) = stream.next().await {
        match ev {
            Ok(Event::Init) => seen.clear(),
            Ok(Event::InitApply(o)) => {
                seen.insert(key(&o));
                send(upserted(kind, &o));
            }
            Ok(Event::InitDone) => {
                refused = false;
                send(WriterEvent::Synced { kind, present: std::mem::take(&mut seen) });
            }
            Ok(Event::Apply(o)) => send(upserted(kind, &o)),
            Ok(Event::Delete(o)) => {
                let (namespace, name) = key(&o);
                send(WriterEvent::Removed { kind, namespace, name });
            }
            Err(e) => match listing_of(&e).and_then(|l| match l {
                Listing::Forbidden(m) => Some(m),
                _ => None,
            }) {
                Some(reason) if !refused => {
                    refused = true;
                    send(WriterEvent::Refused { kind, reason: format!("listing them was refused ({reason})") });
                }
                // The watcher retries with backoff; the Secrets watch reports the connection.
                _ => tracing::debug!("{} watch: {e}", kind.kind()),
            },
        }
    }
}
