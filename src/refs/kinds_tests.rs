//! The kinds beyond Pods (issue 14): workloads' pod templates, PersistentVolumes,
//! StorageClasses, Gateways with ReferenceGrants, ServiceAccount token Secrets; a Pod and its
//! template as one consumer; regrouping only the Pods a ReplicaSet owns.

use jiff::Timestamp;
use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet};
use k8s_openapi::api::batch::v1::{CronJob, Job};
use k8s_openapi::api::core::v1::{PersistentVolume, Pod};
use k8s_openapi::api::storage::v1::StorageClass;
use serde_json::{Value, json};

use super::analysis::{FindingKind, Severity};
use super::gateway::{from_gateway, from_token_secret, gateway_id, grant_from};
use super::index::{RefIndex, template_matches};
use super::intern::Interner;
use super::model::{ConsumerKind, CsiOp, Usage, VolumeSecret};
use super::project::{consumer_id, from_persistent_volume, from_storage_class, from_workload};
use super::workload::{Resolution, WorkloadKind, WorkloadResolver};
use crate::list::flags::{Flag, for_secret};
use crate::list::rows::SecretRow;
use crate::refs::Known;

fn now() -> Timestamp {
    "2026-06-01T22:40:00Z".parse().unwrap()
}

fn typed<T: serde::de::DeserializeOwned>(v: Value) -> T {
    serde_json::from_value(v).unwrap()
}

/// A pod template that reads `secret` through env and a volume.
fn pod_template(secret: &str) -> Value {
    json!({"spec": {
        "containers": [{"name": "app", "image": "x",
            "env": [{"name": "PW", "valueFrom": {"secretKeyRef": {"name": secret, "key": "password"}}}],
            "volumeMounts": [{"name": "creds", "mountPath": "/creds"}]}],
        "volumes": [{"name": "creds", "secret": {"secretName": secret}}]
    }})
}

fn cron_job() -> CronJob {
    typed(json!({
        "metadata": {"name": "nightly-backup", "namespace": "shop"},
        "spec": {"schedule": "0 2 * * *", "jobTemplate": {"spec": {"template": pod_template("backup-creds")}}},
        "status": {"lastScheduleTime": "2026-06-01T02:00:00Z"}
    }))
}

fn deployment(name: &str, replicas: i32, secret: &str) -> Deployment {
    typed(json!({
        "metadata": {"name": name, "namespace": "shop"},
        "spec": {"replicas": replicas, "selector": {}, "template": pod_template(secret)}
    }))
}

fn index_of(objects: Vec<(super::ConsumerId, Vec<super::Reference>)>) -> RefIndex {
    let mut index = RefIndex::new();
    for (id, refs) in objects {
        index.upsert(id, refs);
    }
    index
}

fn row(ns: &str, name: &str) -> SecretRow {
    SecretRow { namespace: ns.into(), name: name.into(), type_: "Opaque".into(), ..Default::default() }
}

#[test]
fn a_cron_job_between_runs_uses_its_secrets_and_says_when_it_runs() {
    let cj = cron_job();
    let refs = from_workload(&cj, &mut Interner::new());
    assert_eq!(refs.len(), 2, "env and volume: {refs:?}");
    assert!(refs.iter().all(|r| r.consumer.id.kind == ConsumerKind::CronJob && &*r.secret == "backup-creds"));
    let index = index_of(vec![(consumer_id(ConsumerKind::CronJob, &cj.metadata), refs)]);
    let u = index.usage("shop", "backup-creds");
    assert_eq!((u.pods, u.workloads, u.templates, u.total()), (0, 1, 1, 1));
    // Not unused, with every kind listed.
    let flags = for_secret(
        &row("shop", "backup-creds"),
        &index,
        &Known::Complete,
        now(),
        30,
        &[],
        crate::validate::EnvNameRule::default(),
    );
    assert!(!flags.contains(&Flag::Unused), "{flags:?}");
    assert!(
        for_secret(
            &row("shop", "other"),
            &index,
            &Known::Complete,
            now(),
            30,
            &[],
            crate::validate::EnvNameRule::default()
        )
        .contains(&Flag::Unused)
    );
    let groups = index.by_workload("shop", "backup-creds");
    assert_eq!(groups.len(), 1);
    assert_eq!(groups[0].title(now()), "CronJob nightly-backup, next run 02:00 UTC (in 3h20m); no Pod now");
    // Deleting the Secret breaks the next run; a change is read by it, no restart.
    let b = index.breakage("shop", "backup-creds", now());
    assert_eq!(b.len(), 1);
    assert!(b[0].what.iter().any(|w| w.starts_with("its next run fails: container \"app\" cannot start")), "{b:?}");
    let c = index.change_impact("shop", "backup-creds", &["password"], false, now());
    assert!(!c[0].restart && c[0].what.iter().any(|w| w.contains("its next run reads the new value")), "{c:?}");
}

#[test]
fn a_deployment_at_zero_replicas_breaks_when_scaled_up() {
    let d = deployment("api", 0, "api-key");
    let index =
        index_of(vec![(consumer_id(ConsumerKind::Deployment, &d.metadata), from_workload(&d, &mut Interner::new()))]);
    assert!(index.is_used("shop", "api-key"));
    let groups = index.by_workload("shop", "api-key");
    assert_eq!(groups[0].title(now()), "Deployment api, 0 replicas; no Pod now");
    let b = index.breakage("shop", "api-key", now());
    assert!(b[0].what.iter().any(|w| w.contains("its Pods fail when it is scaled up")), "{b:?}");
}

/// The Pods of a Deployment and the Deployment's template: one consumer, counted once.
#[test]
fn a_pod_and_its_template_are_one_consumer() {
    let d = deployment("web", 2, "db");
    let mut resolver = WorkloadResolver::new();
    resolver.upsert_replica_set(&typed(json!({"name": "web-abc", "namespace": "shop",
        "ownerReferences": [{"apiVersion": "apps/v1", "kind": "Deployment", "name": "web", "uid": "d", "controller": true}]})));
    let mut index = RefIndex::new();
    index.upsert(consumer_id(ConsumerKind::Deployment, &d.metadata), from_workload(&d, &mut Interner::new()));
    for i in 0..2 {
        let mut pod = pod_template("db");
        pod["metadata"] = json!({"name": format!("web-abc-{i}"), "namespace": "shop",
            "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web-abc", "uid": "r", "controller": true}]});
        index.upsert_pod(&typed::<Pod>(pod), &resolver);
    }
    let u = index.usage("shop", "db");
    assert_eq!((u.pods, u.workloads, u.templates, u.total()), (2, 1, 1, 1));
    let groups = index.by_workload("shop", "db");
    assert_eq!(groups.len(), 1, "{groups:?}");
    let g = &groups[0];
    assert!(g.template.is_some());
    assert_eq!(g.title(now()), "Deployment web (2 Pods: web-abc-0, web-abc-1), 2 replicas");
    let usages = g.usages();
    assert_eq!(usages.len(), 2);
    assert!(usages.iter().all(|u| u.pods == 2 && u.template && u.others == 0));
    assert_eq!(index.key_readers("shop", "db").consumer_count("password"), 1);
    // A change to the key read through env: the running Pods need a restart.
    let c = index.change_impact("shop", "db", &["password"], false, now());
    assert!(c[0].restart, "{c:?}");
}

#[test]
fn owned_replica_sets_and_jobs_are_not_consumers_of_their_own() {
    let rs = |owner: Option<(&str, &str)>| -> ReplicaSet {
        let mut v = json!({"metadata": {"name": "rs-1", "namespace": "shop"},
            "spec": {"selector": {}, "template": pod_template("s")}});
        if let Some((kind, name)) = owner {
            v["metadata"]["ownerReferences"] =
                json!([{"apiVersion": "x/v1", "kind": kind, "name": name, "uid": "u", "controller": true}]);
        }
        typed(v)
    };
    let names = &mut Interner::new();
    assert!(from_workload(&rs(Some(("Deployment", "web"))), names).is_empty());
    let alone = from_workload(&rs(None), names);
    assert_eq!(
        alone[0].consumer.workload.as_ref().map(|w| (&w.kind, w.via)),
        Some((&WorkloadKind::ReplicaSet, Resolution::Template))
    );
    // An Argo Rollout's ReplicaSet: its template stands for the Rollout, as its Pods do.
    let rollout = from_workload(&rs(Some(("Rollout", "canary"))), names);
    let w = rollout[0].consumer.workload.as_ref().unwrap();
    assert_eq!((w.kind.as_str(), &*w.name), ("Rollout", "canary"));
    let job = |owner: &str| -> Job {
        typed(json!({"metadata": {"name": "j", "namespace": "shop", "ownerReferences": [
            {"apiVersion": "batch/v1", "kind": owner, "name": "o", "uid": "u", "controller": true}]},
            "spec": {"template": pod_template("s")}}))
    };
    assert!(from_workload(&job("CronJob"), names).is_empty());
    assert_eq!(from_workload(&job("Workflow"), names).len(), 2);
}

fn persistent_volume() -> PersistentVolume {
    typed(json!({
        "metadata": {"name": "pv-data", "annotations": {
            "volume.kubernetes.io/provisioner-deletion-secret-name": "provisioner-creds",
            "volume.kubernetes.io/provisioner-deletion-secret-namespace": "storage"}},
        "spec": {
            "claimRef": {"namespace": "shop", "name": "data"},
            "csi": {"driver": "csi.example.com", "volumeHandle": "h",
                "nodeStageSecretRef": {"name": "csi-creds", "namespace": "storage"},
                "nodePublishSecretRef": {"name": "csi-creds", "namespace": "storage"},
                "controllerPublishSecretRef": {"name": "attach-creds", "namespace": "storage"},
                "controllerExpandSecretRef": {"name": "expand-creds", "namespace": "storage"}}
        }
    }))
}

#[test]
fn persistent_volumes_name_the_secrets_namespace() {
    let pv = persistent_volume();
    let refs = from_persistent_volume(&pv, &mut Interner::new());
    let got: Vec<(String, &str, &str)> =
        refs.iter().map(|r| (r.usage.describe(), r.secret_namespace(), &*r.secret)).collect();
    assert_eq!(got.len(), 5, "{got:?}");
    assert!(refs.iter().all(|r| r.secret_namespace() == "storage" && r.consumer.id.namespace.is_empty()));
    assert!(matches!(refs[1].usage, Usage::PersistentVolume { secret: VolumeSecret::Csi(CsiOp::NodeStage), .. }));
    let index = index_of(vec![(consumer_id(ConsumerKind::PersistentVolume, &pv.metadata), refs)]);
    assert_eq!(index.usage("storage", "csi-creds").persistent_volumes, 1);
    assert!(index.is_used("storage", "provisioner-creds") && index.is_used("storage", "expand-creds"));
    assert!(!index.is_used("shop", "csi-creds"), "the Secret's namespace, not the claim's");
    let g = index.by_workload("storage", "csi-creds");
    assert_eq!(g[0].title(now()), "PersistentVolume pv-data (claim shop/data)");
    let b = index.breakage("storage", "csi-creds", now());
    assert!(b[0].what.iter().any(|w| w.contains("Pods using it cannot start")), "{b:?}");
    // In-tree plugins without a namespace: the claim's.
    let rbd: PersistentVolume = typed(json!({"metadata": {"name": "old"}, "spec": {
        "claimRef": {"namespace": "shop", "name": "c"},
        "rbd": {"monitors": ["m"], "image": "i", "secretRef": {"name": "ceph"}}}}));
    let refs = from_persistent_volume(&rbd, &mut Interner::new());
    assert_eq!((refs[0].secret_namespace(), &*refs[0].secret), ("shop", "ceph"));
}

#[test]
fn storage_classes_literal_names_count_and_templates_do_not() {
    let sc: StorageClass = typed(json!({
        "metadata": {"name": "fast"},
        "provisioner": "csi.example.com",
        "parameters": {
            "csi.storage.k8s.io/node-stage-secret-name": "csi-creds",
            "csi.storage.k8s.io/node-stage-secret-namespace": "storage",
            "csi.storage.k8s.io/provisioner-secret-name": "${pvc.name}-creds",
            "csi.storage.k8s.io/provisioner-secret-namespace": "${pvc.namespace}",
            "csi.storage.k8s.io/controller-expand-secret-name": "half-a-pair"
        }
    }));
    let refs = from_storage_class(&sc, &mut Interner::new());
    assert_eq!(refs.len(), 2, "{refs:?}");
    let index = index_of(vec![(consumer_id(ConsumerKind::StorageClass, &sc.metadata), refs)]);
    assert_eq!(index.usage("storage", "csi-creds").storage_classes, 1);
    // The template is never a use of a Secret, whatever it would resolve to.
    assert!(!index.is_used("shop", "data-creds"));
    assert!(index.refs_to("shop", "data-creds").is_empty());
    let t = index.templates_matching("shop", "data-creds");
    assert_eq!(t.len(), 1);
    assert!(t[0].usage.describe().contains("is a template"), "{}", t[0].usage.describe());
    assert!(index.templates_matching("shop", "data-password").is_empty());
    let flags = for_secret(
        &row("shop", "data-creds"),
        &index,
        &Known::Complete,
        now(),
        30,
        &[],
        crate::validate::EnvNameRule::default(),
    );
    assert!(flags.contains(&Flag::Unused), "a template does not count: {flags:?}");
}

#[test]
fn templates_match_as_the_provisioner_fills_them() {
    assert!(template_matches("${pvc.name}-creds", "data-creds"));
    assert!(!template_matches("${pvc.name}-creds", "data-creds-2"));
    assert!(template_matches("${pvc.namespace}", "shop"));
    assert!(template_matches("pre-${pv.name}-mid-${pvc.name}", "pre-a-mid-b"));
    assert!(!template_matches("pre-${pv.name}-mid-${pvc.name}", "pre-a-b"));
    assert!(template_matches("literal", "literal") && !template_matches("literal", "other"));
}

fn gateway() -> Value {
    json!({
        "apiVersion": "gateway.networking.k8s.io/v1", "kind": "Gateway",
        "metadata": {"name": "web", "namespace": "web"},
        "spec": {"gatewayClassName": "x", "listeners": [
            {"name": "https", "port": 443, "protocol": "HTTPS", "tls": {"certificateRefs": [
                {"name": "web-tls"},
                {"kind": "Secret", "group": "", "name": "wildcard", "namespace": "certs"},
                {"kind": "ConfigMap", "name": "not-a-secret"}]}},
            {"name": "passthrough", "port": 8443, "protocol": "TLS",
             "tls": {"mode": "Passthrough", "certificateRefs": [{"name": "ignored"}]}}
        ]}
    })
}

#[test]
fn gateway_certificates_across_namespaces_need_a_reference_grant() {
    let gw = gateway();
    let refs = from_gateway(&gw, &mut Interner::new());
    let names: Vec<(&str, &str)> = refs.iter().map(|r| (r.secret_namespace(), &*r.secret)).collect();
    assert_eq!(names, [("web", "web-tls"), ("certs", "wildcard")]);
    let mut index = index_of(vec![(gateway_id(&gw), refs)]);
    assert!(index.is_used("web", "web-tls"));
    // No grant: broken, not a use.
    assert!(!index.is_used("certs", "wildcard"));
    assert_eq!(index.usage("certs", "wildcard").gateways, 0);
    assert_eq!(index.not_permitted("certs", "wildcard").len(), 1);
    let a = index.analyze("certs", "wildcard", &super::SecretFacts::with_keys(["tls.crt", "tls.key"]));
    assert_eq!(a.findings.len(), 1);
    assert_eq!((a.findings[0].severity(), &a.findings[0].kind), (Severity::Error, &FindingKind::NotPermitted));
    assert!(a.findings[0].message().contains("no ReferenceGrant in certs allows Gateways of web"));
    assert!(
        for_secret(
            &row("certs", "wildcard"),
            &index,
            &Known::Complete,
            now(),
            30,
            &[],
            crate::validate::EnvNameRule::default()
        )
        .contains(&Flag::Unused)
    );
    // A grant for another Secret does not help; one for this Secret (or all) does.
    let grant = |to: Value| {
        grant_from(&json!({"metadata": {"namespace": "certs", "name": "g"}, "spec": {
            "from": [{"group": "gateway.networking.k8s.io", "kind": "Gateway", "namespace": "web"}], "to": [to]}}))
    };
    index.upsert_grant(grant(json!({"group": "", "kind": "Secret", "name": "other"})));
    assert!(!index.is_used("certs", "wildcard"));
    index.upsert_grant(grant(json!({"group": "", "kind": "Secret"})));
    assert!(index.is_used("certs", "wildcard"));
    assert_eq!(index.usage("certs", "wildcard").gateways, 1);
    assert!(index.not_permitted("certs", "wildcard").is_empty());
    let g = index.by_workload("certs", "wildcard");
    assert_eq!(g[0].title(now()), "Gateway web/web");
    index.remove_grant("certs", "g");
    assert!(!index.is_used("certs", "wildcard"));
}

#[test]
fn service_account_token_secrets_are_used_by_their_account() {
    let (id, refs) = from_token_secret("ci", "build-robot-token", "build-robot");
    let mut index = index_of(vec![(id, refs)]);
    let sa: k8s_openapi::api::core::v1::ServiceAccount = typed(json!({
        "metadata": {"name": "build-robot", "namespace": "ci"}, "secrets": [{"name": "build-robot-token"}]}));
    index.upsert_service_account(&sa);
    let u = index.usage("ci", "build-robot-token");
    assert_eq!(u.service_accounts, 1, "the account and its token binding are one consumer");
    let g = index.by_workload("ci", "build-robot-token");
    assert_eq!(g.len(), 1);
    assert_eq!(g[0].title(now()), "ServiceAccount build-robot");
    assert_eq!(g[0].references.len(), 2);
    assert!(from_token_secret("ci", "x", "").1.is_empty());
}

/// A ReplicaSet event regroups the Pods it owns and no others.
#[test]
fn a_replica_set_event_regroups_only_its_pods() {
    let mut index = RefIndex::new();
    let bare = WorkloadResolver::new();
    for i in 0..800 {
        index.upsert_pod(&super::tests::generated_pod(i), &bare);
    }
    let mut resolver = WorkloadResolver::new();
    resolver.upsert_replica_set(&typed(json!({"name": "app-0-5d8f7c9b4", "namespace": "ns-0",
        "ownerReferences": [{"apiVersion": "apps/v1", "kind": "Deployment", "name": "app-0", "uid": "d", "controller": true}]})));
    index.refresh_owner(&resolver, "ns-0", "app-0-5d8f7c9b4");
    let via = |secret: &str| -> Vec<Resolution> {
        index.refs_to("ns-0", secret).iter().filter_map(|r| r.consumer.workload.as_ref().map(|w| w.via)).collect()
    };
    assert!(via("app-0-secret").iter().all(|v| *v == Resolution::OwnerMetadata));
    assert!(via("app-50-secret").iter().all(|v| *v == Resolution::PodTemplateHash), "another ReplicaSet's Pods");
}
