//! The kinds that reference or own Secrets without a running Pod (issue 14), driven by kube-rs:
//! StatefulSets, DaemonSets, Jobs, CronJobs, PersistentVolumes, StorageClasses, CRDs and the
//! custom resources of Gateway API, cert-manager, External Secrets and Sealed Secrets. List,
//! get, create, watch, discovery, a cluster without an operator, and RBAC.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use futures::TryStreamExt;
use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, StatefulSet};
use k8s_openapi::api::batch::v1::{CronJob, Job};
use k8s_openapi::api::core::v1::{PersistentVolume, Secret, ServiceAccount};
use k8s_openapi::api::storage::v1::StorageClass;
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use keyhole_apiserver::{DemoServer, ServerOptions};
use kube::api::{Api, ApiResource, DeleteParams, DynamicObject, GroupVersionKind, ListParams, PostParams};
use kube::discovery::{Discovery, Scope};
use kube::runtime::{WatchStreamExt, watcher};
use serde_json::json;

fn resource(group: &str, version: &str, kind: &str, plural: &str) -> ApiResource {
    ApiResource::from_gvk_with_plural(&GroupVersionKind::gvk(group, version, kind), plural)
}

fn gateways() -> ApiResource {
    resource("gateway.networking.k8s.io", "v1", "Gateway", "gateways")
}

fn certificates() -> ApiResource {
    resource("cert-manager.io", "v1", "Certificate", "certificates")
}

async fn without(crds: &[&str]) -> DemoServer {
    let opts = ServerOptions { without_crds: crds.iter().map(|s| s.to_string()).collect(), ..ServerOptions::default() };
    DemoServer::start(opts).await.expect("demo server starts")
}

#[tokio::test]
async fn workloads_at_rest_are_served_with_their_secret_references() {
    let server = common::demo().await;
    let client = common::client(&server, "admin").await;

    let cronjobs: Api<CronJob> = Api::namespaced(client.clone(), "shop");
    let backup = cronjobs.get("nightly-backup").await.unwrap();
    let spec = backup.spec;
    assert_eq!(spec.schedule, "0 2 * * *");
    let pod = spec.job_template.spec.unwrap().template.spec.unwrap();
    let env_from = pod.containers[0].env_from.as_ref().unwrap();
    assert_eq!(env_from[0].secret_ref.as_ref().unwrap().name, "backup-s3-credentials");
    let status = backup.status.unwrap();
    assert!(status.active.unwrap_or_default().is_empty(), "between runs");
    assert!(status.last_schedule_time.is_some());

    let deployments: Api<Deployment> = Api::namespaced(client.clone(), "shop");
    let api = deployments.get("api").await.unwrap();
    assert_eq!(api.spec.as_ref().unwrap().replicas, Some(0));
    let volume = &api.spec.unwrap().template.spec.unwrap().volumes.unwrap()[0];
    assert_eq!(volume.secret.as_ref().unwrap().secret_name.as_deref(), Some("api-signing-key"));

    let sts: Api<StatefulSet> = Api::namespaced(client.clone(), "shop");
    let db = sts.get("db").await.unwrap();
    assert_eq!(db.status.unwrap().ready_replicas, Some(1));

    let ds: Api<DaemonSet> = Api::namespaced(client.clone(), "monitoring");
    let shipper = ds.get("log-shipper").await.unwrap();
    assert_eq!(shipper.status.unwrap().desired_number_scheduled, 0, "no node matches");

    let jobs: Api<Job> = Api::namespaced(client.clone(), "shop");
    let migrate = jobs.get("db-migrate-42").await.unwrap();
    assert_eq!(migrate.spec.unwrap().suspend, Some(true));
    assert_eq!(migrate.status.unwrap().conditions.unwrap()[0].type_, "Suspended");
    let seed = jobs.get("shop-seed-data").await.unwrap();
    assert!(seed.status.unwrap().completion_time.is_some());
    // Field selector the real server supports for Jobs.
    let done = jobs.list(&ListParams::default().fields("status.successful=1")).await.unwrap();
    assert_eq!(done.items.len(), 1);

    let pvs: Api<PersistentVolume> = Api::all(client.clone());
    let pv = pvs.list(&ListParams::default()).await.unwrap().items.remove(0);
    let csi = pv.spec.unwrap().csi.unwrap();
    assert_eq!(csi.node_publish_secret_ref.unwrap().name.as_deref(), Some("data-db-0-rbd-key"));
    assert_eq!(csi.node_stage_secret_ref.unwrap().namespace.as_deref(), Some("ceph-csi"));
    assert_eq!(csi.controller_publish_secret_ref.unwrap().name.as_deref(), Some("rbd-publish"));
    assert_eq!(csi.controller_expand_secret_ref.unwrap().name.as_deref(), Some("csi-rbd-provisioner"));

    let classes: Api<StorageClass> = Api::all(client.clone());
    let tenant = classes.get("ceph-rbd-tenant").await.unwrap();
    let params = tenant.parameters.unwrap();
    assert_eq!(params["csi.storage.k8s.io/node-publish-secret-name"], "${pvc.name}-rbd-key");
    assert_eq!(params["csi.storage.k8s.io/node-publish-secret-namespace"], "${pvc.namespace}");

    let sas: Api<ServiceAccount> = Api::namespaced(client.clone(), "shop");
    let deployer = sas.get("deployer").await.unwrap();
    assert_eq!(deployer.secrets.unwrap()[0].name.as_deref(), Some("deployer-token-7xk2p"));
    let secrets: Api<Secret> = Api::namespaced(client, "shop");
    let token = secrets.get("deployer-token-7xk2p").await.unwrap();
    assert_eq!(token.type_.as_deref(), Some("kubernetes.io/service-account-token"));
    assert_eq!(
        token.metadata.annotations.unwrap()["kubernetes.io/service-account.uid"],
        deployer.metadata.uid.unwrap()
    );
}

#[tokio::test]
async fn built_in_kinds_can_be_created_defaulted_and_watched() {
    let server = common::empty().await;
    let client = common::client(&server, "admin").await;
    let jobs: Api<Job> = Api::namespaced(client.clone(), "default");
    let events = watcher(jobs.clone(), watcher::Config::default()).applied_objects();
    let mut events = Box::pin(events);
    let job: Job = serde_json::from_value(json!({
        "metadata": {"name": "once"},
        "spec": {"template": {"spec": {"restartPolicy": "Never",
            "containers": [{"name": "c", "image": "busybox", "envFrom": [{"secretRef": {"name": "s"}}]}]}}}
    }))
    .unwrap();
    let created = jobs.create(&PostParams::default(), &job).await.unwrap();
    let spec = created.spec.unwrap();
    assert_eq!((spec.completions, spec.parallelism, spec.backoff_limit), (Some(1), Some(1), Some(6)));
    let uid = created.metadata.uid.unwrap();
    assert_eq!(spec.selector.unwrap().match_labels.unwrap()["batch.kubernetes.io/controller-uid"], uid);
    let seen = tokio::time::timeout(Duration::from_secs(10), events.try_next()).await.unwrap().unwrap().unwrap();
    assert_eq!(seen.metadata.name.as_deref(), Some("once"));

    let cronjobs: Api<CronJob> = Api::namespaced(client.clone(), "default");
    let cj: CronJob = serde_json::from_value(json!({
        "metadata": {"name": "tick"},
        "spec": {"schedule": "*/5 * * * *", "jobTemplate": {"spec": {"template": {"spec": {
            "restartPolicy": "OnFailure", "containers": [{"name": "c", "image": "busybox"}]}}}}}
    }))
    .unwrap();
    let cj = cronjobs.create(&PostParams::default(), &cj).await.unwrap();
    assert_eq!(cj.spec.concurrency_policy.as_deref(), Some("Allow"));
    let mut bad = serde_json::to_value(&cj.metadata).unwrap();
    bad["name"] = json!("no-schedule");
    bad.as_object_mut().unwrap().retain(|k, _| k == "name");
    let no_schedule: CronJob = serde_json::from_value(json!({"metadata": bad, "spec": {"schedule": "",
        "jobTemplate": {"spec": {"template": {"spec": {"containers": [{"name": "c", "image": "i"}]}}}}}}))
    .unwrap();
    let (reason, code, message) =
        common::status(&cronjobs.create(&PostParams::default(), &no_schedule).await.unwrap_err());
    assert_eq!((reason.as_str(), code), ("Invalid", 422));
    assert!(message.contains("spec.schedule: Required value"), "{message}");

    let classes: Api<StorageClass> = Api::all(client.clone());
    let sc: StorageClass = serde_json::from_value(json!({"metadata": {"name": "fast"}, "provisioner": "csi.example.com",
        "parameters": {"csi.storage.k8s.io/node-stage-secret-name": "${pvc.name}", "csi.storage.k8s.io/node-stage-secret-namespace": "${pvc.namespace}"}}))
    .unwrap();
    let sc = classes.create(&PostParams::default(), &sc).await.unwrap();
    assert_eq!(sc.reclaim_policy.as_deref(), Some("Delete"));
    assert_eq!(sc.volume_binding_mode.as_deref(), Some("Immediate"));

    let pvs: Api<PersistentVolume> = Api::all(client.clone());
    let pv: PersistentVolume = serde_json::from_value(json!({"metadata": {"name": "pv1"}, "spec": {
        "capacity": {"storage": "1Gi"}, "accessModes": ["ReadWriteOnce"],
        "csi": {"driver": "csi.example.com", "volumeHandle": "h", "nodeStageSecretRef": {"name": "s", "namespace": "default"}}}}))
    .unwrap();
    let pv = pvs.create(&PostParams::default(), &pv).await.unwrap();
    assert_eq!(pv.status.unwrap().phase.as_deref(), Some("Available"));
    assert_eq!(pv.spec.unwrap().persistent_volume_reclaim_policy.as_deref(), Some("Retain"));
    pvs.delete("pv1", &DeleteParams::default()).await.unwrap();
    assert_eq!(common::status(&pvs.get("pv1").await.unwrap_err()).1, 404);
}

#[tokio::test]
async fn discovery_lists_the_custom_groups_of_the_installed_crds() {
    let server = common::demo().await;
    let client = common::client(&server, "viewer").await;
    let discovery = Discovery::new(client.clone()).run().await.unwrap();
    let groups: Vec<String> = discovery.groups().map(|g| g.name().to_string()).collect();
    for g in [
        "batch",
        "storage.k8s.io",
        "apiextensions.k8s.io",
        "gateway.networking.k8s.io",
        "cert-manager.io",
        "external-secrets.io",
        "bitnami.com",
    ] {
        assert!(groups.iter().any(|x| x == g), "{g} in {groups:?}");
    }
    let gw = discovery.get("gateway.networking.k8s.io").unwrap();
    assert_eq!(gw.preferred_version_or_latest(), "v1");
    let versions: Vec<&str> = gw.versions().collect();
    assert_eq!(versions, ["v1", "v1beta1"]);
    // ReferenceGrant is served in v1beta1 only.
    assert!(gw.versioned_resources("v1").iter().all(|(r, _)| r.kind != "ReferenceGrant"));
    let (refgrant, caps) =
        gw.versioned_resources("v1beta1").into_iter().find(|(r, _)| r.kind == "ReferenceGrant").unwrap();
    assert_eq!((refgrant.version.as_str(), refgrant.plural.as_str()), ("v1beta1", "referencegrants"));
    assert_eq!(caps.scope, Scope::Namespaced);
    let es = discovery.get("external-secrets.io").unwrap();
    assert_eq!(es.preferred_version_or_latest(), "v1");
    let (pv, caps) = discovery.get("").unwrap().recommended_kind("PersistentVolume").unwrap();
    assert_eq!((pv.plural.as_str(), caps.scope), ("persistentvolumes", Scope::Cluster));

    let crds: Api<CustomResourceDefinition> = Api::all(client);
    let names: Vec<String> =
        crds.list(&ListParams::default()).await.unwrap().items.into_iter().filter_map(|c| c.metadata.name).collect();
    for n in keyhole_apiserver::demo_kinds::CRDS {
        assert!(names.iter().any(|x| x == n), "{n}");
    }
    let cert = crds.get("certificates.cert-manager.io").await.unwrap();
    let established = cert.status.unwrap().conditions.unwrap().into_iter().find(|c| c.type_ == "Established");
    assert_eq!(established.unwrap().status, "True");
}

#[tokio::test]
async fn custom_resources_list_get_create_and_watch() {
    let server = common::demo().await;
    let client = common::client(&server, "admin").await;
    let gws: Api<DynamicObject> = Api::all_with(client.clone(), &gateways());
    let list = gws.list(&ListParams::default()).await.unwrap();
    assert_eq!(list.items.len(), 1);
    let gw = &list.items[0];
    assert_eq!(gw.metadata.namespace.as_deref(), Some("infra"));
    let refs = &gw.data["spec"]["listeners"][1]["tls"]["certificateRefs"][0];
    assert_eq!((refs["name"].as_str(), refs["namespace"].as_str()), (Some("shop-gateway-tls"), Some("shop")));

    let grants: Api<DynamicObject> = Api::namespaced_with(
        client.clone(),
        "shop",
        &resource("gateway.networking.k8s.io", "v1beta1", "ReferenceGrant", "referencegrants"),
    );
    let grant = grants.get("allow-infra-gateways").await.unwrap();
    assert_eq!(grant.data["spec"]["to"][0]["name"], "shop-gateway-tls");

    // The Secrets the controllers wrote, as they write them.
    let secrets: Api<Secret> = Api::namespaced(client.clone(), "shop");
    let tls = secrets.get("shop-gateway-tls").await.unwrap();
    let annotations = tls.metadata.annotations.unwrap();
    assert_eq!(annotations["cert-manager.io/certificate-name"], "shop-gateway");
    assert_eq!(annotations["cert-manager.io/issuer-kind"], "ClusterIssuer");
    assert_eq!(tls.metadata.labels.unwrap()["controller.cert-manager.io/fao"], "true");
    let es_secret = secrets.get("payments-api-credentials").await.unwrap();
    let owner = &es_secret.metadata.owner_references.unwrap()[0];
    assert_eq!(
        (owner.api_version.as_str(), owner.kind.as_str(), owner.controller),
        ("external-secrets.io/v1", "ExternalSecret", Some(true))
    );
    let es: Api<DynamicObject> = Api::namespaced_with(
        client.clone(),
        "shop",
        &resource("external-secrets.io", "v1", "ExternalSecret", "externalsecrets"),
    );
    assert_eq!(es.get("payments-api").await.unwrap().metadata.uid.as_deref(), Some(owner.uid.as_str()));
    let sealed = secrets.get("smtp-credentials").await.unwrap();
    let owner = &sealed.metadata.owner_references.unwrap()[0];
    assert_eq!((owner.kind.as_str(), owner.controller, owner.block_owner_deletion), ("SealedSecret", Some(true), None));

    // Conversion strategy None: the same object through the deprecated version.
    let es_beta: Api<DynamicObject> = Api::namespaced_with(
        client.clone(),
        "shop",
        &resource("external-secrets.io", "v1beta1", "ExternalSecret", "externalsecrets"),
    );
    let beta = es_beta.get("payments-api").await.unwrap();
    assert_eq!(beta.types.unwrap().api_version, "external-secrets.io/v1beta1");

    // Create and watch.
    let certs: Api<DynamicObject> = Api::namespaced_with(client.clone(), "default", &certificates());
    let mut events = Box::pin(watcher(certs.clone(), watcher::Config::default()).applied_objects());
    let mut cert = DynamicObject::new("web", &certificates()).within("default");
    cert.data = json!({"spec": {"secretName": "web-tls", "dnsNames": ["web.example.com"], "issuerRef": {"name": "ca", "kind": "ClusterIssuer"}}});
    let created = certs.create(&PostParams::default(), &cert).await.unwrap();
    assert_eq!(created.metadata.generation, Some(1));
    let seen = tokio::time::timeout(Duration::from_secs(10), events.try_next()).await.unwrap().unwrap().unwrap();
    assert_eq!(seen.metadata.name.as_deref(), Some("web"));
    let (reason, code, _) = common::status(&certs.create(&PostParams::default(), &cert).await.unwrap_err());
    assert_eq!((reason.as_str(), code), ("AlreadyExists", 409));
    certs.delete("web", &DeleteParams::default()).await.unwrap();
    assert_eq!(common::status(&certs.get("web").await.unwrap_err()).1, 404);
}

#[tokio::test]
async fn a_cluster_without_cert_manager_says_so_in_discovery() {
    let server = without(&["cert-manager.io"]).await;
    let client = common::client(&server, "admin").await;
    let discovery = Discovery::new(client.clone()).run().await.unwrap();
    assert!(discovery.get("cert-manager.io").is_none());
    assert!(discovery.get("gateway.networking.k8s.io").is_some(), "only what was left out is missing");
    let err = client.list_api_group_resources("cert-manager.io/v1").await.unwrap_err();
    assert_eq!(common::status(&err).1, 404);
    let certs: Api<DynamicObject> = Api::all_with(client.clone(), &certificates());
    assert_eq!(common::status(&certs.list(&ListParams::default()).await.unwrap_err()).1, 404);
    // The Secret cert-manager issued is still there, annotations and all.
    let secrets: Api<Secret> = Api::namespaced(client.clone(), "shop");
    assert!(
        secrets
            .get("shop-gateway-tls")
            .await
            .unwrap()
            .metadata
            .annotations
            .unwrap()
            .contains_key("cert-manager.io/issuer-name")
    );

    // By CRD name: one kind of a group goes, the group stays.
    let server = without(&["referencegrants.gateway.networking.k8s.io"]).await;
    let client = common::client(&server, "admin").await;
    let list = client.list_api_group_resources("gateway.networking.k8s.io/v1beta1").await.unwrap();
    assert!(list.resources.iter().all(|r| r.name != "referencegrants"), "{:?}", list.resources);
    assert!(client.list_api_group_resources("gateway.networking.k8s.io/v1").await.is_ok());
}

#[tokio::test]
async fn crds_can_be_installed_and_removed_at_run_time() {
    let server = common::demo().await;
    let client = common::client(&server, "admin").await;
    let crds: Api<CustomResourceDefinition> = Api::all(client.clone());
    let widget: CustomResourceDefinition = serde_json::from_value(json!({
        "metadata": {"name": "widgets.example.com"},
        "spec": {"group": "example.com", "scope": "Cluster", "names": {"plural": "widgets", "kind": "Widget"},
                 "versions": [{"name": "v1", "served": true, "storage": true,
                               "schema": {"openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}},
                               "additionalPrinterColumns": [{"name": "Size", "type": "integer", "jsonPath": ".spec.size"}]}]}
    }))
    .unwrap();
    let created = crds.create(&PostParams::default(), &widget).await.unwrap();
    let names = created.status.unwrap().accepted_names.unwrap();
    assert_eq!((names.singular.as_deref(), names.list_kind.as_deref()), (Some("widget"), Some("WidgetList")));
    let ar = resource("example.com", "v1", "Widget", "widgets");
    let widgets: Api<DynamicObject> = Api::all_with(client.clone(), &ar);
    let mut w = DynamicObject::new("w1", &ar);
    w.data = json!({"spec": {"size": 3}});
    widgets.create(&PostParams::default(), &w).await.unwrap();
    assert_eq!(widgets.list(&ListParams::default()).await.unwrap().items.len(), 1);

    // A CRD whose name is not plural.group is refused as kube-apiserver refuses it.
    let mut bad = widget.clone();
    bad.metadata.name = Some("gadgets.example.com".into());
    let (reason, code, message) = common::status(&crds.create(&PostParams::default(), &bad).await.unwrap_err());
    assert_eq!((reason.as_str(), code), ("Invalid", 422));
    assert!(
        message.contains(
            "metadata.name: Invalid value: \"gadgets.example.com\": must be spec.names.plural+\".\"+spec.group"
        ),
        "{message}"
    );

    // Deleting a CRD deletes its objects and its group.
    crds.delete("widgets.example.com", &DeleteParams::default()).await.unwrap();
    assert_eq!(common::status(&widgets.list(&ListParams::default()).await.unwrap_err()).1, 404);
    assert_eq!(common::status(&client.list_api_group_resources("example.com/v1").await.unwrap_err()).1, 404);
    crds.create(&PostParams::default(), &widget).await.unwrap();
    assert!(widgets.list(&ListParams::default()).await.unwrap().items.is_empty(), "no object outlives its CRD");
}

#[tokio::test]
async fn the_no_cronjobs_user_reads_everything_but_cronjobs() {
    let server = common::demo().await;
    let client = common::client(&server, "no-cronjobs").await;
    let cronjobs: Api<CronJob> = Api::all(client.clone());
    let (reason, code, message) = common::status(&cronjobs.list(&ListParams::default()).await.unwrap_err());
    assert_eq!((reason.as_str(), code), ("Forbidden", 403));
    assert_eq!(
        message,
        "cronjobs.batch is forbidden: User \"no-cronjobs\" cannot list resource \"cronjobs\" in API group \"batch\" at the cluster scope"
    );
    let in_shop: Api<CronJob> = Api::namespaced(client.clone(), "shop");
    assert_eq!(common::status(&in_shop.get("nightly-backup").await.unwrap_err()).1, 403);
    let jobs: Api<Job> = Api::all(client.clone());
    assert!(!jobs.list(&ListParams::default()).await.unwrap().items.is_empty());
    let secrets: Api<Secret> = Api::all(client.clone());
    assert!(!secrets.list(&ListParams::default()).await.unwrap().items.is_empty());
    let gws: Api<DynamicObject> = Api::all_with(client.clone(), &gateways());
    assert_eq!(gws.list(&ListParams::default()).await.unwrap().items.len(), 1);
    let shop_jobs: Api<Job> = Api::namespaced(client, "shop");
    let (_, code, _) = common::status(&shop_jobs.delete("db-migrate-42", &DeleteParams::default()).await.unwrap_err());
    assert_eq!(code, 403, "read only");
}

#[tokio::test]
async fn the_team_user_gets_custom_resources_of_its_namespace_only() {
    let server = common::demo().await;
    let client = common::client(&server, "shop-dev").await;
    let certs: Api<DynamicObject> = Api::namespaced_with(client.clone(), "shop", &certificates());
    assert_eq!(certs.list(&ListParams::default()).await.unwrap().items.len(), 1);
    let gws: Api<DynamicObject> = Api::namespaced_with(client.clone(), "infra", &gateways());
    assert_eq!(common::status(&gws.list(&ListParams::default()).await.unwrap_err()).1, 403);
    let pvs: Api<PersistentVolume> = Api::all(client);
    assert_eq!(common::status(&pvs.list(&ListParams::default()).await.unwrap_err()).1, 403, "cluster-scoped");
}
