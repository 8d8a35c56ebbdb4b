//! Watches of the objects that use Secrets: Pods (with ReplicaSets and Jobs for their
//! workloads), ServiceAccounts and Ingresses. Each object is projected into reference records
//! as it arrives and then dropped (DESIGN.md decision 5).

use std::collections::HashSet;
use std::fmt::Debug;

use futures::StreamExt;
use k8s_openapi::api::apps::v1::ReplicaSet;
use k8s_openapi::api::core::v1::ServiceAccount;
use k8s_openapi::api::networking::v1::Ingress;
use kube::api::Api;
use kube::core::PartialObjectMeta;
use kube::runtime::WatchStreamExt;
use kube::runtime::watcher::{self, Event};
use serde::de::DeserializeOwned;
use tokio::task::JoinHandle;

use super::event::{self, Emit};
use super::pod::PodForRefs;
use crate::refs::{self, ConsumerId, ConsumerKind, Reference, WorkloadResolver};

/// A namespaced resource's Api for one namespace, or all of them.
pub(crate) fn api<K>(client: &kube::Client, namespace: Option<&str>) -> Api<K>
where
    K: kube::Resource<Scope = k8s_openapi::NamespaceResourceScope>,
    <K as kube::Resource>::DynamicType: Default,
{
    match namespace {
        Some(ns) => Api::namespaced(client.clone(), ns),
        None => Api::all(client.clone()),
    }
}

/// Starts the consumer watches for a scope.
pub(crate) fn spawn(client: kube::Client, namespace: Option<String>, emit: Emit) -> Vec<JoinHandle<()>> {
    let ns = namespace.as_deref();
    let sa: Api<ServiceAccount> = api(&client, ns);
    let ing: Api<Ingress> = api(&client, ns);
    vec![
        tokio::spawn(pods(client.clone(), namespace.clone(), emit.clone())),
        tokio::spawn(simple(
            sa,
            ConsumerKind::ServiceAccount,
            refs::service_account_id,
            refs::from_service_account,
            emit.clone(),
        )),
        tokio::spawn(simple(ing, ConsumerKind::Ingress, refs::ingress_id, refs::from_ingress, emit)),
    ]
}

/// ServiceAccounts and Ingresses: project each event.
async fn simple<K>(
    api: Api<K>,
    kind: ConsumerKind,
    id: fn(&K) -> ConsumerId,
    project: fn(&K) -> Vec<Reference>,
    emit: Emit,
) where
    K: kube::Resource + Clone + DeserializeOwned + Debug + Send + 'static,
{
    let stream = watcher::watcher(api, watcher::Config::default()).default_backoff();
    let mut stream = std::pin::pin!(stream);
    let mut seen: HashSet<ConsumerId> = HashSet::new();
    let mut refused = false;
    while let Some(ev) = stream.next().await {
        match ev {
            Ok(Event::Init) => seen.clear(),
            Ok(Event::InitApply(o)) => {
                let cid = id(&o);
                seen.insert(cid.clone());
                emit(event::Event::RefsUpserted { consumer: cid, refs: project(&o) });
            }
            Ok(Event::InitDone) => {
                refused = false;
                emit(event::Event::RefsSynced { kind, present: std::mem::take(&mut seen) });
            }
            Err(e) if forbidden(&e).is_some() => {
                if !refused {
                    refused = true;
                    emit(event::Event::RefsUnavailable { kind, reason: forbidden(&e).unwrap_or_default() });
                }
            }
            Ok(Event::Apply(o)) => {
                emit(event::Event::RefsUpserted { consumer: id(&o), refs: project(&o) });
            }
            Ok(Event::Delete(o)) => {
                emit(event::Event::RefsRemoved(id(&o)));
            }
            // 403 (e.g. a user limited to Secrets) or a network error: the watcher retries with
            // backoff; the Secrets watch reports the connection state.
            Err(e) => tracing::debug!("{kind:?} watch: {e}"),
        }
    }
}

/// The message of a 403 on listing or watching: the user may not read this kind.
pub(crate) fn forbidden(e: &watcher::Error) -> Option<String> {
    match e {
        watcher::Error::InitialListFailed(kube::Error::Api(s))
        | watcher::Error::WatchStartFailed(kube::Error::Api(s))
        | watcher::Error::WatchFailed(kube::Error::Api(s))
            if s.code == 403 =>
        {
            Some(s.message.clone())
        }
        _ => None,
    }
}

/// Pods, with ReplicaSet metadata watched alongside so that Pods group under their Deployment.
async fn pods(client: kube::Client, namespace: Option<String>, emit: Emit) {
    let ns = namespace.as_deref();
    let pods: Api<PodForRefs> = api(&client, ns);
    let rs: Api<PartialObjectMeta<ReplicaSet>> = match ns {
        Some(n) => Api::namespaced(client.clone(), n),
        None => Api::all(client.clone()),
    };
    let mut resolver = WorkloadResolver::new();
    let pod_stream = watcher::watcher(pods, watcher::Config::default()).default_backoff();
    let rs_stream = watcher::watcher(rs, watcher::Config::default()).default_backoff();
    let mut pod_stream = std::pin::pin!(pod_stream);
    let mut rs_stream = std::pin::pin!(rs_stream);
    let mut seen: HashSet<ConsumerId> = HashSet::new();
    let mut rs_alive = true;
    let mut pods_refused = false;
    let started = std::time::Instant::now();
    loop {
        tokio::select! {
            ev = pod_stream.next() => match ev {
                None => return,
                Some(Ok(Event::Init)) => seen.clear(),
                Some(Ok(Event::InitApply(PodForRefs(p)))) => {
                    let cid = refs::pod_id(&p);
                    seen.insert(cid.clone());
                    emit(event::Event::RefsUpserted { consumer: cid, refs: refs::from_pod(&p, &resolver) });
                }
                Some(Ok(Event::InitDone)) => {
                    tracing::debug!("listed {} Pods in {:?}", seen.len(), started.elapsed());
                    pods_refused = false;
                    emit(event::Event::RefsSynced { kind: ConsumerKind::Pod, present: std::mem::take(&mut seen) });
                }
                Some(Ok(Event::Apply(PodForRefs(p)))) => {
                    emit(event::Event::RefsUpserted { consumer: refs::pod_id(&p), refs: refs::from_pod(&p, &resolver) });
                }
                Some(Ok(Event::Delete(PodForRefs(p)))) => {
                    emit(event::Event::RefsRemoved(refs::pod_id(&p)));
                }
                Some(Err(e)) => match forbidden(&e) {
                    Some(reason) if !pods_refused => {
                        pods_refused = true;
                        emit(event::Event::RefsUnavailable { kind: ConsumerKind::Pod, reason });
                    }
                    _ => tracing::debug!("pod watch: {e}"),
                },
            },
            ev = rs_stream.next(), if rs_alive => match ev {
                None => rs_alive = false,
                Some(Ok(Event::InitApply(m) | Event::Apply(m))) => {
                    resolver.upsert_replica_set(&m.metadata);
                    emit(event::Event::ReplicaSet(Box::new(m.metadata)));
                }
                Some(Ok(Event::Delete(m))) => {
                    let ns = m.metadata.namespace.clone().unwrap_or_default();
                    let name = m.metadata.name.clone().unwrap_or_default();
                    resolver.remove_replica_set(&ns, &name);
                    emit(event::Event::ReplicaSetGone { namespace: ns, name });
                }
                Some(Ok(_)) => {}
                Some(Err(e)) => tracing::debug!("replicaset watch: {e}"),
            },
        }
    }
}
