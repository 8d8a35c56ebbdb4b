//! Watches of the objects that use Secrets: Pods, workloads' pod templates (Deployments,
//! StatefulSets, DaemonSets, ReplicaSets, Jobs, CronJobs), ServiceAccounts, Ingresses,
//! Gateways (with ReferenceGrants), PersistentVolumes and StorageClasses. Each object is read
//! with only the fields the index needs ([`super::pod`], [`super::slim`]), projected into
//! reference records as it arrives, and dropped (DESIGN.md decision 5). ReplicaSets and Jobs
//! also tell which Deployment or CronJob owns them, for grouping Pods.
//!
//! Each watch reports how its list went ([`Listing`]): listed, refused (403: usage unknown),
//! or not served (404: the kind does not exist here, e.g. no Gateway API; nothing to list).

use std::collections::HashSet;
use std::fmt::Debug;

use futures::StreamExt;
use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, ReplicaSet, StatefulSet};
use k8s_openapi::api::batch::v1::{CronJob, Job};
use k8s_openapi::api::core::v1::ServiceAccount;
use k8s_openapi::api::networking::v1::Ingress;
use kube::api::{Api, ApiResource, DynamicObject, ListParams};
use kube::runtime::WatchStreamExt;
use kube::runtime::watcher::{self, Event};
use serde::de::DeserializeOwned;
use tokio::task::JoinHandle;

use super::event::{self, Emit, OwnerKind};
use super::gate::Gate;
use super::pod::PodForRefs;
use super::slim::{ClassForRefs, Slim, SlimKind, VolumeForRefs};
use crate::refs::{
    self, ConsumerId, ConsumerKind, GATEWAY_GROUP, HasTemplate, Interner, Listing, Reference, Source, WorkloadResolver,
};

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

/// A projection: the object's consumer id and references.
type Project<K> = fn(&K) -> (ConsumerId, Vec<Reference>);
/// What else an object tells (a ReplicaSet's or Job's owner), and its deletion.
type Also<K> = Option<(fn(&K) -> event::Event, fn(&K) -> event::Event)>;

/// Starts the consumer watches for a scope (cluster-scoped kinds are watched cluster-wide).
pub(crate) fn spawn(client: kube::Client, namespace: Option<String>, emit: Emit, gate: Gate) -> Vec<JoinHandle<()>> {
    let ns = namespace.as_deref();
    let tasks: Vec<Task> = vec![
        Box::pin(watch(api::<PodForRefs>(&client, ns), ConsumerKind::Pod, project_pod, None, emit.clone())),
        Box::pin(watch(
            api::<ServiceAccount>(&client, ns),
            ConsumerKind::ServiceAccount,
            |sa| (refs::service_account_id(sa), refs::from_service_account(sa)),
            None,
            emit.clone(),
        )),
        Box::pin(watch(
            api::<Ingress>(&client, ns),
            ConsumerKind::Ingress,
            |i| (refs::ingress_id(i), refs::from_ingress(i)),
            None,
            emit.clone(),
        )),
        Box::pin(watch(
            api::<Slim<Deployment>>(&client, ns),
            ConsumerKind::Deployment,
            project_template,
            None,
            emit.clone(),
        )),
        Box::pin(watch(
            api::<Slim<StatefulSet>>(&client, ns),
            ConsumerKind::StatefulSet,
            project_template,
            None,
            emit.clone(),
        )),
        Box::pin(watch(
            api::<Slim<DaemonSet>>(&client, ns),
            ConsumerKind::DaemonSet,
            project_template,
            None,
            emit.clone(),
        )),
        Box::pin(watch(api::<Slim<CronJob>>(&client, ns), ConsumerKind::CronJob, project_template, None, emit.clone())),
        Box::pin(watch(
            api::<Slim<ReplicaSet>>(&client, ns),
            ConsumerKind::ReplicaSet,
            project_template,
            // A Deployment's ReplicaSet at zero leaves the resolver (`Slim::groups_pods`).
            Some((
                |o| {
                    if o.groups_pods() { owner(OwnerKind::ReplicaSet, o) } else { owner_gone(OwnerKind::ReplicaSet, o) }
                },
                |o| owner_gone(OwnerKind::ReplicaSet, o),
            )),
            emit.clone(),
        )),
        Box::pin(watch(
            api::<Slim<Job>>(&client, ns),
            ConsumerKind::Job,
            project_template,
            Some((|o| owner(OwnerKind::Job, o), |o| owner_gone(OwnerKind::Job, o))),
            emit.clone(),
        )),
        Box::pin(watch(
            Api::<VolumeForRefs>::all(client.clone()),
            ConsumerKind::PersistentVolume,
            |v| {
                let id = refs::consumer_id(ConsumerKind::PersistentVolume, &v.0.metadata);
                (id, refs::from_persistent_volume(&v.0, &mut Interner::new()))
            },
            None,
            emit.clone(),
        )),
        Box::pin(watch(
            Api::<ClassForRefs>::all(client.clone()),
            ConsumerKind::StorageClass,
            |c| {
                let id = refs::consumer_id(ConsumerKind::StorageClass, &c.0.metadata);
                (id, refs::from_storage_class(&c.0, &mut Interner::new()))
            },
            None,
            emit.clone(),
        )),
        Box::pin(gateways(client.clone(), namespace.clone(), emit)),
    ];
    // Each starts once the Secrets are listed.
    tasks
        .into_iter()
        .map(|task| {
            let gate = gate.clone();
            tokio::spawn(async move {
                gate.passed().await;
                task.await
            })
        })
        .collect()
}

type Task = std::pin::Pin<Box<dyn Future<Output = ()> + Send>>;

fn project_pod(p: &PodForRefs) -> (ConsumerId, Vec<Reference>) {
    // The workload is resolved again by the app, which knows the ReplicaSets and Jobs.
    (refs::pod_id(&p.0), refs::from_pod(&p.0, &WorkloadResolver::new()))
}

fn project_template<K: SlimKind + HasTemplate>(w: &Slim<K>) -> (ConsumerId, Vec<Reference>) {
    let t = w.0.template();
    let id = refs::consumer_id(t.kind, t.meta);
    (id, refs::from_template(t, &mut Interner::new()))
}

fn owner<K: kube::Resource>(kind: OwnerKind, o: &K) -> event::Event {
    event::Event::Owner { kind, meta: Box::new(o.meta().clone()) }
}

fn owner_gone<K: kube::Resource>(kind: OwnerKind, o: &K) -> event::Event {
    let m = o.meta();
    event::Event::OwnerGone {
        kind,
        namespace: m.namespace.clone().unwrap_or_default(),
        name: m.name.clone().unwrap_or_default(),
    }
}

/// How a failed list or watch counts: 403 refused, 404 not served; `None` for errors the
/// watcher retries without a word (the Secrets watch reports the connection).
pub(crate) fn listing_of(e: &watcher::Error) -> Option<Listing> {
    match e {
        watcher::Error::InitialListFailed(kube::Error::Api(s))
        | watcher::Error::WatchStartFailed(kube::Error::Api(s))
        | watcher::Error::WatchFailed(kube::Error::Api(s)) => match s.code {
            403 => Some(Listing::Forbidden(s.message.clone())),
            404 => Some(Listing::NotServed),
            _ => None,
        },
        _ => None,
    }
}

/// One kind: project each event; report the list's end, or why there is none.
async fn watch<K>(api: Api<K>, kind: ConsumerKind, project: Project<K>, also: Also<K>, emit: Emit)
where
    K: kube::Resource + Clone + DeserializeOwned + Debug + Send + 'static,
    K::DynamicType: Default,
{
    let stream = watcher::watcher(api, watcher::Config::default()).default_backoff();
    let mut stream = std::pin::pin!(stream);
    let mut seen: HashSet<ConsumerId> = HashSet::new();
    let mut reported: Option<Listing> = None;
    let started = std::time::Instant::now();
    while let Some(ev) = stream.next().await {
        match ev {
            Ok(Event::Init) => seen.clear(),
            Ok(Event::InitApply(o)) => {
                if let Some((upsert, _)) = also {
                    emit(upsert(&o));
                }
                let (id, refs) = project(&o);
                seen.insert(id.clone());
                emit(event::Event::RefsUpserted { consumer: id, refs });
            }
            Ok(Event::InitDone) => {
                tracing::debug!("listed {} {} in {:?}", seen.len(), kind.plural(), started.elapsed());
                reported = Some(Listing::Listed);
                emit(event::Event::RefsSynced { kind, present: std::mem::take(&mut seen) });
            }
            Ok(Event::Apply(o)) => {
                if let Some((upsert, _)) = also {
                    emit(upsert(&o));
                }
                let (id, refs) = project(&o);
                emit(event::Event::RefsUpserted { consumer: id, refs });
            }
            Ok(Event::Delete(o)) => {
                if let Some((_, gone)) = also {
                    emit(gone(&o));
                }
                emit(event::Event::RefsRemoved(project(&o).0));
            }
            Err(e) => match listing_of(&e) {
                // Said once; the watcher retries with backoff, and a later list is reported.
                Some(l) if reported.as_ref() != Some(&l) => {
                    reported = Some(l.clone());
                    emit(event::Event::Unlisted { source: Source::Consumers(kind), listing: l });
                }
                _ => tracing::debug!("{} watch: {e}", kind.plural()),
            },
        }
    }
}

/// Which version of a Gateway API kind the server serves: `preferred` if it is served, else
/// the group's recommended one; `None` when the group or kind is not served.
async fn gateway_resource(client: &kube::Client, kind: &str, preferred: &str) -> Result<Option<ApiResource>, Listing> {
    let group = match kube::discovery::group(client, GATEWAY_GROUP).await {
        Ok(g) => g,
        // The group is not in /apis: the Gateway API is not installed.
        Err(kube::Error::Discovery(kube::error::DiscoveryError::MissingApiGroup(_))) => return Ok(None),
        Err(kube::Error::Api(s)) if s.code == 404 => return Ok(None),
        Err(kube::Error::Api(s)) if s.code == 403 => return Err(Listing::Forbidden(s.message)),
        Err(e) => return Err(Listing::Failed(e.to_string())),
    };
    let pinned = group.versioned_resources(preferred).into_iter().find(|(r, _)| r.kind == kind);
    Ok(pinned.or_else(|| group.recommended_kind(kind)).map(|(r, _)| r))
}

/// Gateways and ReferenceGrants, read as JSON through discovery: where the Gateway API is not
/// installed, both are "not served" (there are none), which is not "unknown".
async fn gateways(client: kube::Client, namespace: Option<String>, emit: Emit) {
    let ns = namespace.as_deref();
    let for_kind = |kind: &'static str, preferred: &'static str| {
        let client = client.clone();
        async move { gateway_resource(&client, kind, preferred).await }
    };
    let (gw, grants) = tokio::join!(for_kind("Gateway", "v1"), for_kind("ReferenceGrant", "v1beta1"));
    let report = |source: Source, l: Listing| emit(event::Event::Unlisted { source, listing: l });
    let gw_task = match gw {
        Ok(Some(ar)) => {
            // Gateways name Secrets of other namespaces: watched across namespaces where the
            // user may list them, so that grants to Gateways elsewhere are followed.
            let across: Api<DynamicObject> = Api::all_with(client.clone(), &ar);
            let api = if ns.is_some() && across.list_metadata(&ListParams::default().limit(1)).await.is_ok() {
                emit(event::Event::Widened { source: Source::Consumers(ConsumerKind::Gateway) });
                across
            } else {
                dynamic(&client, ns, &ar)
            };
            Some(tokio::spawn(watch_gateways(api, emit.clone())))
        }
        Ok(None) => {
            report(Source::Consumers(ConsumerKind::Gateway), Listing::NotServed);
            None
        }
        Err(l) => {
            report(Source::Consumers(ConsumerKind::Gateway), l);
            None
        }
    };
    match grants {
        Ok(Some(ar)) => watch_grants(dynamic(&client, ns, &ar), emit.clone()).await,
        Ok(None) => report(Source::ReferenceGrants, Listing::NotServed),
        Err(l) => report(Source::ReferenceGrants, l),
    }
    if let Some(t) = gw_task {
        let _ = t.await;
    }
}

fn dynamic(client: &kube::Client, namespace: Option<&str>, ar: &ApiResource) -> Api<DynamicObject> {
    match namespace {
        Some(ns) => Api::namespaced_with(client.clone(), ns, ar),
        None => Api::all_with(client.clone(), ar),
    }
}

fn as_json(o: &DynamicObject) -> serde_json::Value {
    serde_json::to_value(o).unwrap_or_default()
}

async fn watch_gateways(api: Api<DynamicObject>, emit: Emit) {
    let stream = watcher::watcher(api, watcher::Config::default()).default_backoff();
    let mut stream = std::pin::pin!(stream);
    let mut seen: HashSet<ConsumerId> = HashSet::new();
    let mut reported: Option<Listing> = None;
    let kind = ConsumerKind::Gateway;
    while let Some(ev) = stream.next().await {
        match ev {
            Ok(Event::Init) => seen.clear(),
            Ok(Event::InitApply(o) | Event::Apply(o)) => {
                let v = as_json(&o);
                let id = refs::gateway_id(&v);
                seen.insert(id.clone());
                emit(event::Event::RefsUpserted { consumer: id, refs: refs::from_gateway(&v, &mut Interner::new()) });
            }
            Ok(Event::InitDone) => {
                reported = Some(Listing::Listed);
                emit(event::Event::RefsSynced { kind, present: std::mem::take(&mut seen) });
            }
            Ok(Event::Delete(o)) => emit(event::Event::RefsRemoved(refs::gateway_id(&as_json(&o)))),
            Err(e) => match listing_of(&e) {
                Some(l) if reported.as_ref() != Some(&l) => {
                    reported = Some(l.clone());
                    emit(event::Event::Unlisted { source: Source::Consumers(kind), listing: l });
                }
                _ => tracing::debug!("Gateway watch: {e}"),
            },
        }
    }
}

async fn watch_grants(api: Api<DynamicObject>, emit: Emit) {
    let stream = watcher::watcher(api, watcher::Config::default()).default_backoff();
    let mut stream = std::pin::pin!(stream);
    let mut seen: HashSet<(String, String)> = HashSet::new();
    let mut reported: Option<Listing> = None;
    while let Some(ev) = stream.next().await {
        match ev {
            Ok(Event::Init) => seen.clear(),
            Ok(Event::InitApply(o) | Event::Apply(o)) => {
                let v = as_json(&o);
                seen.insert(refs::grant_key(&v));
                emit(event::Event::GrantUpserted(refs::grant_from(&v)));
            }
            Ok(Event::InitDone) => {
                reported = Some(Listing::Listed);
                emit(event::Event::GrantsSynced { present: std::mem::take(&mut seen) });
            }
            Ok(Event::Delete(o)) => {
                let (namespace, name) = refs::grant_key(&as_json(&o));
                emit(event::Event::GrantRemoved { namespace, name });
            }
            Err(e) => match listing_of(&e) {
                Some(l) if reported.as_ref() != Some(&l) => {
                    reported = Some(l.clone());
                    emit(event::Event::Unlisted { source: Source::ReferenceGrants, listing: l });
                }
                _ => tracing::debug!("ReferenceGrant watch: {e}"),
            },
        }
    }
}
