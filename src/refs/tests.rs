//! Tests against the demo data (assets/demo/*.yaml) and each way of referencing a Secret.

use std::collections::{BTreeSet, HashMap};

use k8s_openapi::api::core::v1::{Pod, ServiceAccount};
use k8s_openapi::api::networking::v1::Ingress;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use proptest::prelude::*;
use serde_json::{Value, json};

use super::analysis::*;
use super::describe::*;
use super::index::*;
use super::model::*;
use super::project::*;
use super::workload::*;
use keyhole_apiserver::data::{DEMO_YAML, parse_yaml};

/// The demo objects, parsed as the demo server parses them.
fn demo_objects() -> Vec<Value> {
    let mut out = Vec::new();
    for (file, text) in DEMO_YAML {
        let objects = parse_yaml(text).unwrap_or_else(|e| panic!("{file}: {e}"));
        out.extend(objects.into_iter().map(repair_unindented_spec));
    }
    out
}

/// The Pods of assets/demo/30-workloads.yaml have their spec's fields at column 0, so YAML
/// reads `spec: null` and `containers`/`volumes` as top-level fields. The demo data is not
/// ours to change here; this puts the fields back under `spec` and is a no-op once the asset
/// is fixed.
fn repair_unindented_spec(mut v: Value) -> Value {
    if v.get("kind").and_then(Value::as_str) == Some("Pod")
        && v.get("spec").is_none_or(Value::is_null)
        && let Some(obj) = v.as_object_mut()
    {
        let mut spec = serde_json::Map::new();
        for field in ["containers", "volumes", "serviceAccountName", "imagePullSecrets", "initContainers"] {
            if let Some(value) = obj.remove(field) {
                spec.insert(field.into(), value);
            }
        }
        obj.insert("spec".into(), Value::Object(spec));
    }
    v
}

fn of_kind<T: serde::de::DeserializeOwned>(objects: &[Value], kind: &str) -> Vec<T> {
    objects
        .iter()
        .filter(|o| o.get("kind").and_then(Value::as_str) == Some(kind))
        .map(|o| serde_json::from_value(o.clone()).unwrap_or_else(|e| panic!("{kind}: {e}: {o}")))
        .collect()
}

struct Demo {
    index: RefIndex,
    /// namespace/name → keys and immutability.
    secrets: HashMap<(String, String), (BTreeSet<String>, bool)>,
}

impl Demo {
    fn load() -> Self {
        Self::load_with(true)
    }

    fn load_with(replica_sets_known: bool) -> Self {
        let objects = demo_objects();
        let mut resolver = WorkloadResolver::new();
        if replica_sets_known {
            for rs in of_kind::<k8s_openapi::api::apps::v1::ReplicaSet>(&objects, "ReplicaSet") {
                resolver.upsert_replica_set(&rs.metadata);
            }
        }
        let mut index = RefIndex::new();
        for pod in of_kind::<Pod>(&objects, "Pod") {
            index.upsert_pod(&pod, &resolver);
        }
        for sa in of_kind::<ServiceAccount>(&objects, "ServiceAccount") {
            index.upsert_service_account(&sa);
        }
        for ing in of_kind::<Ingress>(&objects, "Ingress") {
            index.upsert_ingress(&ing);
        }
        let mut secrets = HashMap::new();
        for s in objects.iter().filter(|o| o["kind"] == "Secret") {
            let keys = ["data", "stringData"]
                .iter()
                .filter_map(|f| s.get(*f).and_then(Value::as_object))
                .flat_map(|m| m.keys().cloned())
                .collect();
            let ns = s["metadata"]["namespace"].as_str().unwrap_or("default").to_string();
            let name = s["metadata"]["name"].as_str().unwrap_or("").to_string();
            secrets.insert((ns, name), (keys, s["immutable"] == true));
        }
        Demo { index, secrets }
    }

    fn facts(&self, ns: &str, name: &str) -> SecretFacts {
        match self.secrets.get(&(ns.to_string(), name.to_string())) {
            Some((keys, immutable)) => SecretFacts::with_keys(keys.iter().cloned()).immutable(*immutable),
            None => SecretFacts::missing(),
        }
    }

    fn analyze(&self, name: &str) -> Analysis<'_> {
        self.index.analyze("default", name, &self.facts("default", name))
    }

    fn pod_refs(&self, name: &str) -> &[Reference] {
        self.index.references_of(&ConsumerId::new(ConsumerKind::Pod, "default", name))
    }
}

#[test]
fn mypod_reads_username_through_volume_items() {
    let demo = Demo::load();
    let refs = demo.pod_refs("mypod");
    assert_eq!(refs.len(), 1);
    let r = &refs[0];
    assert_eq!(&*r.secret, "mysecret");
    assert!(!r.optional);
    assert_eq!(r.keys(), Keys::Listed(vec!["username"]));
    assert_eq!(r.describe(), r#"volume "foo" at /etc/foo (items: username → my-group/my-username)"#);
    assert_eq!(
        r.usage.details(),
        [
            r#"container "mypod" mounts it at /etc/foo, read-only"#,
            "defaultMode 0400",
            "key username → my-group/my-username (mode 0777)"
        ]
    );
    assert_eq!(r.refresh(), Refresh::Eventually);
    let readers = demo.index.key_readers("default", "mysecret");
    let username: Vec<&str> = readers.of("username").iter().map(|r| &*r.consumer.id.name).collect();
    assert!(username.contains(&"mypod"), "{username:?}");
    assert!(!readers.of("password").iter().any(|r| &*r.consumer.id.name == "mypod"));
}

#[test]
fn secret_env_pod_reads_two_keys() {
    let demo = Demo::load();
    // The documentation's secret-env-pod, run by the Deployment secret-env.
    let refs = demo.pod_refs("secret-env-6d9c7b8f5-v7rzx");
    let described: Vec<String> = refs.iter().map(Reference::describe).collect();
    assert_eq!(described, ["env SECRET_USERNAME ← username", "env SECRET_PASSWORD ← password"]);
    assert_eq!(refs[0].usage.details(), [r#"container "mycontainer""#]);
    assert_eq!(refs[0].refresh(), Refresh::AfterRestart(RestartCause::Env));
    assert_eq!(refs[0].refresh().without_restart(), Some(false));
}

#[test]
fn dapi_test_pod_envfrom_skips_invalid_keys() {
    let demo = Demo::load();
    // Kubernetes 1.32 and later keep them (RelaxedEnvironmentVariableValidation).
    let a = demo.analyze("mysecret");
    assert!(!a.findings.iter().any(|f| matches!(f.kind, FindingKind::EnvFromKeysSkipped { .. })), "{:?}", a.findings);
    // The Secret documentation of 1.26 (and every version before 1.32) skips them.
    let facts = demo.facts("default", "mysecret").env_rule(crate::validate::EnvNameRule::Classic);
    let a = demo.index.analyze("default", "mysecret", &facts);
    let skipped: Vec<&Finding<'_>> =
        a.findings.iter().filter(|f| matches!(f.kind, FindingKind::EnvFromKeysSkipped { .. })).collect();
    assert_eq!(skipped.len(), 1, "{:?}", a.findings);
    let f = skipped[0];
    assert_eq!(&*f.reference.consumer.id.name, "dapi-test-pod");
    assert_eq!(f.kind, FindingKind::EnvFromKeysSkipped { keys: vec!["1badkey".into(), "2alsobad".into()] });
    assert_eq!(f.severity(), Severity::Warning);
    assert_eq!(
        f.message(),
        "Keys [1badkey, 2alsobad] from the EnvFrom secret default/mysecret were skipped since they are considered \
         invalid environment variable names."
    );
    assert_eq!(f.reference.describe(), "envFrom");
    assert_eq!(f.reference.refresh(), Refresh::AfterRestart(RestartCause::EnvFrom));
}

#[test]
fn missing_secret_pod() {
    let demo = Demo::load();
    let missing = demo.index.missing_in("default", |s| demo.secrets.contains_key(&("default".into(), s.into())));
    let names: Vec<&str> = missing.iter().map(|m| m.secret).collect();
    assert_eq!(names, ["api-token", "feature-flags"]);
    let api = &missing[0];
    assert!(api.blocks_start());
    assert_eq!(api.blocked_pods().iter().map(|id| &*id.name).collect::<Vec<_>>(), ["missing-secret-pod"]);
    assert!(
        matches!(&api.references[0].1, MissingEffect::ContainerCannotStart { container } if &*container.name == "app")
    );
    let flags = &missing[1];
    assert!(!flags.blocks_start());
    assert_eq!(flags.references[0].1, MissingEffect::Skipped);
    assert_eq!(flags.references[0].0.describe(), "env OPTIONAL_FLAG ← beta (optional)");

    let a = demo.analyze("api-token");
    assert!(a.blocks_start());
    assert_eq!(
        a.findings[0].message(),
        r#"Secret default/api-token not found: container "app" cannot start (CreateContainerConfigError)"#
    );
    let a = demo.analyze("feature-flags");
    assert!(!a.blocks_start());
    assert_eq!(a.findings[0].severity(), Severity::Warning);
}

#[test]
fn missing_key_pod() {
    let demo = Demo::load();
    let a = demo.analyze("mysecret");
    let missing: Vec<&Finding<'_>> =
        a.findings.iter().filter(|f| matches!(f.kind, FindingKind::KeyMissing { .. })).collect();
    assert_eq!(missing.len(), 1, "{:?}", a.findings);
    assert_eq!(&*missing[0].reference.consumer.id.name, "missing-key-pod");
    assert_eq!(missing[0].severity(), Severity::Error);
    assert_eq!(
        missing[0].message(),
        r#"couldn't find key api-key in Secret default/mysecret: container "app" cannot start (CreateContainerConfigError)"#
    );
    assert!(a.blocks_start());
    // The key is listed among the named keys though the Secret lacks it.
    let readers = demo.index.key_readers("default", "mysecret");
    assert!(readers.named_keys().any(|k| k == "api-key"));
}

#[test]
fn subpath_pod_needs_restart() {
    let demo = Demo::load();
    let r = &demo.pod_refs("subpath-pod")[0];
    assert_eq!(&*r.secret, "secret-basic-auth");
    assert_eq!(r.refresh(), Refresh::AfterRestart(RestartCause::SubPath));
    assert_eq!(r.refresh().without_restart(), Some(false));
    assert_eq!(r.describe(), r#"volume "creds" at /etc/app/password"#);
    assert!(r.usage.details()[0].contains("subPath password: never updated"));
    // The other consumers of the same Secret see changes.
    let a = demo.analyze("secret-basic-auth");
    let refresh: Vec<(String, Refresh)> =
        a.refresh().into_iter().map(|(r, f)| (r.consumer.id.name.to_string(), f)).collect();
    assert!(refresh.contains(&("projected-secrets-pod".into(), Refresh::Eventually)), "{refresh:?}");
    assert!(refresh.contains(&("csi-secrets-pod".into(), Refresh::DriverDefined)), "{refresh:?}");
}

#[test]
fn web_pods_grouped_under_deployment() {
    for known in [true, false] {
        let demo = Demo::load_with(known);
        let groups = demo.index.by_workload("default", "prod-db-secret");
        let web: Vec<&Group<'_>> = groups.iter().filter(|g| g.name == "web").collect();
        assert_eq!(web.len(), 1, "{groups:?}");
        let web = web[0];
        let w = web.workload.expect("a workload");
        assert_eq!(w.kind, WorkloadKind::Deployment);
        assert_eq!(w.via, if known { Resolution::OwnerMetadata } else { Resolution::PodTemplateHash });
        let pods: Vec<&str> = web.consumers.iter().map(|c| &*c.name).collect();
        assert_eq!(pods, ["web-7d4b9c8f6-m4q7z", "web-7d4b9c8f6-x2k9p"]);
        let usages: Vec<(String, usize)> = web.usages().into_iter().map(|u| (u.reference.describe(), u.pods)).collect();
        assert_eq!(usages, [("env DB_USER ← username".to_string(), 2), ("env DB_PASSWORD ← password".to_string(), 2)]);
        // Bare Pods are their own group.
        assert!(
            groups
                .iter()
                .any(|g| g.name == "prod-db-client-pod" && g.workload.map(|w| &w.kind) == Some(&WorkloadKind::Pod))
        );
        let usage = demo.index.usage("default", "prod-db-secret");
        assert_eq!(usage, UsageCount { pods: 3, workloads: 2, ..UsageCount::default() });
    }
}

#[test]
fn findings_grouped_by_workload() {
    let mut index = RefIndex::new();
    let mut pods: Vec<Pod> = (0..3).map(|i| generated_pod(i * 400)).collect();
    pods.push(named_pod("bare", &["app-0-secret"]));
    if let Some(ns) = pods[3].metadata.namespace.as_mut() {
        *ns = "ns-0".into();
    }
    for p in &pods {
        index.upsert_pod(p, &WorkloadResolver::new());
    }
    let a = index.analyze("ns-0", "app-0-secret", &SecretFacts::with_keys(["user"]));
    // Three replicas miss `password` through env; the bare Pod misses `k`.
    assert_eq!(a.findings.len(), 4);
    let grouped = a.grouped();
    let got: Vec<(String, usize)> =
        grouped.iter().map(|g| (g.finding.reference.consumer.describe(), g.consumers.len())).collect();
    assert_eq!(got.len(), 2, "{got:?}");
    assert!(got.iter().any(|(_, n)| *n == 3));
    assert!(got.contains(&("Pod bare".to_string(), 1)), "{got:?}");
}

#[test]
fn terminated_pods_are_counted_apart() {
    let mut index = RefIndex::new();
    let mut done = named_pod("done", &["s"]);
    done.status = Some(k8s_openapi::api::core::v1::PodStatus { phase: Some("Succeeded".into()), ..Default::default() });
    index.upsert_pod(&done, &WorkloadResolver::new());
    index.upsert_pod(&named_pod("running", &["s"]), &WorkloadResolver::new());
    let usage = index.usage("ns", "s");
    assert_eq!((usage.pods, usage.terminated_pods), (2, 1));
    assert_eq!(index.references_of(&pod_id(&done))[0].consumer.phase, Some(PodPhase::Succeeded));
    assert_eq!(index.namespaces(), ["ns"]);
    assert_eq!(index.usage_all().get(&("ns", "s")).map(|u| u.pods), Some(2));
    // A phase change is a change of the record; a repeated event is not.
    done.status = Some(k8s_openapi::api::core::v1::PodStatus { phase: Some("Failed".into()), ..Default::default() });
    index.upsert_pod(&done, &WorkloadResolver::new());
    index.upsert_pod(&done, &WorkloadResolver::new());
    assert_eq!(index.references_of(&pod_id(&done))[0].consumer.phase, Some(PodPhase::Failed));
    assert_eq!(index.len(), 2);
}

#[test]
fn refresh_workloads_after_replica_sets_arrive() {
    let objects = demo_objects();
    let mut index = RefIndex::new();
    let mut resolver = WorkloadResolver::new();
    for pod in of_kind::<Pod>(&objects, "Pod") {
        index.upsert_pod(&pod, &resolver);
    }
    let via = |index: &RefIndex| {
        index
            .by_workload("default", "secret-tls")
            .iter()
            .find(|g| g.name == "web")
            .and_then(|g| g.workload)
            .map(|w| w.via)
    };
    assert_eq!(via(&index), Some(Resolution::PodTemplateHash));
    for rs in of_kind::<k8s_openapi::api::apps::v1::ReplicaSet>(&objects, "ReplicaSet") {
        resolver.upsert_replica_set(&rs.metadata);
    }
    index.refresh_workloads(&resolver, Some("default"));
    assert_eq!(via(&index), Some(Resolution::OwnerMetadata));
    // Only the namespace asked for was refreshed.
    let shop = index.by_workload("shop", "shop-db");
    assert_eq!(shop[0].workload.map(|w| w.via), Some(Resolution::PodTemplateHash));
}

#[test]
fn build_robot_service_account() {
    let demo = Demo::load();
    let refs = demo.index.references_of(&ConsumerId::new(ConsumerKind::ServiceAccount, "default", "build-robot"));
    let got: Vec<(&str, String)> = refs.iter().map(|r| (&*r.secret, r.describe())).collect();
    assert_eq!(got, [("secret-sa-sample", "secrets[]".into()), ("secret-tiger-docker", "imagePullSecrets[]".into())]);
    assert_eq!(refs[0].refresh(), Refresh::NotRead);
    assert_eq!(refs[0].keys(), Keys::None);
    assert_eq!(demo.index.usage("default", "secret-sa-sample").service_accounts, 1);
    // shop-frontend's pull secret does not exist: pulls go without it, nothing blocks.
    let missing = demo.index.missing_in("shop", |s| demo.secrets.contains_key(&("shop".into(), s.into())));
    let shop_registry = missing.iter().find(|m| m.secret == "shop-registry").expect("shop-registry is missing");
    assert_eq!(shop_registry.references[0].1, MissingEffect::PullWithoutCredentials);
    assert!(!shop_registry.blocks_start());
}

#[test]
fn example_ingress_uses_secret_tls() {
    let demo = Demo::load();
    let refs = demo.index.references_of(&ConsumerId::new(ConsumerKind::Ingress, "default", "example-ingress"));
    assert_eq!(refs.len(), 1);
    assert_eq!(&*refs[0].secret, "secret-tls");
    assert_eq!(refs[0].describe(), "TLS for example.com, www.example.com");
    match &refs[0].usage {
        Usage::IngressTls { hosts } => assert!(hosts.iter().any(|h| &**h == "example.com")),
        other => panic!("{other:?}"),
    }
    let usage = demo.index.usage("default", "secret-tls");
    assert_eq!(usage.ingresses, 1);
    assert_eq!(usage.pods, 2);
    let a = demo.analyze("secret-tls");
    assert!(a.findings.is_empty(), "{:?}", a.findings);
    let readers = demo.index.key_readers("default", "secret-tls");
    // Two replicas of one Deployment are one consumer, and the Ingress another.
    assert_eq!(readers.consumer_count("tls.crt"), 2);
}

#[test]
fn demo_data_other_pods() {
    let demo = Demo::load();
    let describe =
        |pod: &str| demo.pod_refs(pod).iter().map(|r| format!("{}: {}", r.secret, r.describe())).collect::<Vec<_>>();
    assert_eq!(describe("private-image-pod"), ["secret-tiger-docker: imagePullSecrets"]);
    assert_eq!(
        describe("projected-secrets-pod"),
        [
            r#"mysecret: projected volume "all-in-one" at /projected-volume (items: username → my-group/my-username)"#,
            r#"secret-basic-auth: projected volume "all-in-one" at /projected-volume (items: password → basic/password) (optional)"#
        ]
    );
    assert_eq!(
        describe("csi-secrets-pod"),
        [
            r#"secret-basic-auth: CSI volume "vault" at /mnt/secrets-store (driver secrets-store.csi.k8s.io, nodePublishSecretRef)"#
        ]
    );
    // No finding on the demo's well-formed Secrets.
    for secret in ["secret-tiger-docker", "secret-basic-auth", "ssh-key-secret", "dotfile-secret", "prod-db-secret"] {
        let a = demo.analyze(secret);
        assert!(a.findings.is_empty(), "{secret}: {:?}", a.findings);
    }
}

// ---- Each way of referencing, with a passing and a failing case ----

fn pod(spec: Value) -> Pod {
    serde_json::from_value(json!({"metadata": {"name": "p", "namespace": "ns"}, "spec": spec})).expect("a Pod")
}

fn one(spec: Value) -> Reference {
    let refs = from_pod(&pod(spec), &WorkloadResolver::new());
    assert_eq!(refs.len(), 1, "{refs:?}");
    refs.into_iter().next().expect("one reference")
}

fn findings(r: &Reference, facts: &SecretFacts) -> Vec<FindingKind> {
    analyze("ns", &r.secret, vec![r], facts).findings.into_iter().map(|f| f.kind).collect()
}

fn container(extra: Value) -> Value {
    let mut c = json!({"name": "app", "image": "x"});
    if let (Some(c), Some(extra)) = (c.as_object_mut(), extra.as_object()) {
        c.extend(extra.clone());
    }
    c
}

#[test]
fn env_secret_key_ref() {
    let r = one(json!({"containers": [container(json!({"env": [
        {"name": "A", "valueFrom": {"secretKeyRef": {"name": "s", "key": "k"}}},
        {"name": "B", "value": "literal"},
        {"name": "C", "valueFrom": {"configMapKeyRef": {"name": "s", "key": "k"}}}
    ]}))]}));
    assert_eq!(r.describe(), "env A ← k");
    assert!(findings(&r, &SecretFacts::with_keys(["k"])).is_empty());
    let f = findings(&r, &SecretFacts::with_keys(["other"]));
    assert!(
        matches!(&f[..], [FindingKind::KeyMissing { key, effect: MissingEffect::ContainerCannotStart { .. } }] if &**key == "k")
    );
    assert!(matches!(&findings(&r, &SecretFacts::missing())[..], [FindingKind::SecretMissing(e)] if e.blocks_start()));
    // Unknown keys: nothing to say about keys.
    assert!(findings(&r, &SecretFacts::exists_keys_unknown()).is_empty());
}

#[test]
fn env_optional() {
    let r = one(json!({"containers": [container(json!({"env": [
        {"name": "A", "valueFrom": {"secretKeyRef": {"name": "s", "key": "k", "optional": true}}}
    ]}))]}));
    assert!(r.optional);
    let f = findings(&r, &SecretFacts::with_keys(["other"]));
    assert!(matches!(&f[..], [FindingKind::KeyMissing { effect: MissingEffect::Skipped, .. }]));
    assert_eq!(findings(&r, &SecretFacts::missing()), [FindingKind::SecretMissing(MissingEffect::Skipped)]);
}

#[test]
fn env_in_init_and_ephemeral_containers() {
    let env = json!({"env": [{"name": "A", "valueFrom": {"secretKeyRef": {"name": "s", "key": "k"}}}]});
    let refs = from_pod(
        &pod(json!({
            "initContainers": [container(env.clone())],
            "containers": [{"name": "main", "image": "x"}],
            "ephemeralContainers": [container(env)]
        })),
        &WorkloadResolver::new(),
    );
    let kinds: Vec<ContainerKind> = refs.iter().filter_map(|r| r.usage.container()).map(|c| c.kind).collect();
    assert_eq!(kinds, [ContainerKind::Init, ContainerKind::Ephemeral]);
    assert_eq!(refs[0].usage.details(), [r#"init container "app""#]);
    let a = analyze("ns", "s", refs.iter().collect(), &SecretFacts::missing());
    assert!(a.findings[0].message().contains(r#"init container "app" cannot start"#), "{}", a.findings[0].message());
}

#[test]
fn env_from_with_prefix() {
    let r = one(json!({"containers": [container(json!({"envFrom": [
        {"secretRef": {"name": "s"}, "prefix": "X_"},
        {"configMapRef": {"name": "s"}}
    ]}))]}));
    assert_eq!(r.describe(), r#"envFrom (prefix "X_")"#);
    assert_eq!(r.keys(), Keys::All);
    // With the prefix, `1badkey` becomes the valid `X_1badkey`; `a=b` stays invalid.
    assert!(findings(&r, &SecretFacts::with_keys(["1badkey", "ok"])).is_empty());
    let f = findings(&r, &SecretFacts::with_keys(["a=b", "ok"]));
    assert_eq!(f, [FindingKind::EnvFromKeysSkipped { keys: vec!["X_a=b".into()] }]);
    assert!(matches!(&findings(&r, &SecretFacts::missing())[..], [FindingKind::SecretMissing(e)] if e.blocks_start()));
}

#[test]
fn env_from_optional_missing_is_skipped() {
    let r =
        one(json!({"containers": [container(json!({"envFrom": [{"secretRef": {"name": "s", "optional": true}}]}))]}));
    assert_eq!(findings(&r, &SecretFacts::missing()), [FindingKind::SecretMissing(MissingEffect::Skipped)]);
    assert!(findings(&r, &SecretFacts::with_keys(["GOOD"])).is_empty());
}

#[test]
fn secret_volume_without_items_reads_all_keys() {
    let r = one(json!({
        "containers": [container(json!({"volumeMounts": [{"name": "v", "mountPath": "/v"}]}))],
        "volumes": [{"name": "v", "secret": {"secretName": "s"}}]
    }));
    assert_eq!(r.keys(), Keys::All);
    assert_eq!(r.describe(), r#"volume "v" at /v"#);
    assert!(r.usage.details()[0].ends_with("read-write"));
    assert!(findings(&r, &SecretFacts::with_keys(["anything", "1bad"])).is_empty());
    assert!(matches!(
        &findings(&r, &SecretFacts::missing())[..],
        [FindingKind::SecretMissing(MissingEffect::VolumeCannotMount { volume })] if &**volume == "v"
    ));
}

#[test]
fn secret_volume_items() {
    let spec = |optional: bool| {
        json!({
            "containers": [container(json!({"volumeMounts": [{"name": "v", "mountPath": "/v"}]}))],
            "volumes": [{"name": "v", "secret": {"secretName": "s", "optional": optional, "items": [
                {"key": "a", "path": "x/a"}, {"key": "b", "path": "b"}, {"key": "b", "path": "b2"}
            ]}}]
        })
    };
    let r = one(spec(false));
    assert!(findings(&r, &SecretFacts::with_keys(["a", "b"])).is_empty());
    let f = findings(&r, &SecretFacts::with_keys(["a"]));
    // A key named twice is reported once.
    assert!(
        matches!(&f[..], [FindingKind::KeyMissing { key, effect: MissingEffect::VolumeCannotMount { .. } }] if &**key == "b"),
        "{f:?}"
    );
    let a = analyze("ns", "s", vec![&r], &SecretFacts::with_keys(["a"]));
    assert_eq!(
        a.findings[0].message(),
        r#"references non-existent secret key: b: volume "v" cannot be mounted: the Pod stays in ContainerCreating (FailedMount)"#
    );
    let r = one(spec(true));
    assert!(matches!(
        &findings(&r, &SecretFacts::with_keys(["a"]))[..],
        [FindingKind::KeyMissing { effect: MissingEffect::Skipped, .. }]
    ));
}

#[test]
fn volume_mounted_twice_one_with_sub_path() {
    let r = one(json!({
        "containers": [
            container(json!({"volumeMounts": [{"name": "v", "mountPath": "/v", "readOnly": true}]})),
            {"name": "side", "volumeMounts": [{"name": "v", "mountPath": "/f", "subPathExpr": "$(POD)"}]}
        ],
        "volumes": [{"name": "v", "secret": {"secretName": "s", "defaultMode": -1}}]
    }));
    assert_eq!(r.describe(), r#"volume "v" at /v, /f"#);
    match r.refresh() {
        Refresh::Partly { restart } => assert_eq!(restart.iter().map(|c| &*c.name).collect::<Vec<_>>(), ["side"]),
        other => panic!("{other:?}"),
    }
    assert_eq!(r.refresh().without_restart(), None);
    let details = r.usage.details();
    assert!(details.iter().any(|d| d.contains("subPathExpr $(POD)")), "{details:?}");
    assert!(details.contains(&"defaultMode -1 (invalid)".to_string()), "{details:?}");
    assert_eq!(r.refresh_for(true), Refresh::Immutable);
}

#[test]
fn unmounted_volume() {
    let r =
        one(json!({"containers": [container(json!({}))], "volumes": [{"name": "v", "secret": {"secretName": "s"}}]}));
    assert_eq!(r.describe(), r#"volume "v" (not mounted)"#);
    assert_eq!(r.refresh(), Refresh::Eventually);
}

#[test]
fn projected_volume() {
    let r = one(json!({
        "containers": [container(json!({"volumeMounts": [{"name": "p", "mountPath": "/p"}]}))],
        "volumes": [{"name": "p", "projected": {"defaultMode": 0o440, "sources": [
            {"configMap": {"name": "c"}},
            {"secret": {"name": "s", "items": [{"key": "k", "path": "k"}]}},
            {"secret": {"name": ""}},
            {"serviceAccountToken": {"path": "token"}}
        ]}}]
    }));
    assert_eq!(r.describe(), r#"projected volume "p" at /p (items: k → k)"#);
    assert!(r.usage.details().contains(&"defaultMode 0440".to_string()));
    assert!(findings(&r, &SecretFacts::with_keys(["k"])).is_empty());
    assert!(matches!(&findings(&r, &SecretFacts::with_keys(["x"]))[..], [FindingKind::KeyMissing { .. }]));
    assert_eq!(r.refresh(), Refresh::Eventually);
}

#[test]
fn image_pull_secrets() {
    let r = one(json!({"containers": [container(json!({}))], "imagePullSecrets": [{"name": "reg"}, {"name": ""}]}));
    assert_eq!(r.describe(), "imagePullSecrets");
    assert_eq!(r.refresh(), Refresh::NextImagePull);
    assert!(findings(&r, &SecretFacts::with_keys([".dockerconfigjson"])).is_empty());
    assert!(findings(&r, &SecretFacts::with_keys([".dockercfg"])).is_empty());
    assert_eq!(findings(&r, &SecretFacts::with_keys(["token"])), [FindingKind::NoDockerConfig]);
    assert_eq!(
        findings(&r, &SecretFacts::missing()),
        [FindingKind::SecretMissing(MissingEffect::PullWithoutCredentials)]
    );
    let a = analyze("ns", "reg", vec![&r], &SecretFacts::missing());
    assert!(!a.blocks_start());
}

#[test]
fn csi_node_publish_secret() {
    let r = one(json!({
        "containers": [container(json!({}))],
        "volumes": [{"name": "v", "csi": {"driver": "d.example", "nodePublishSecretRef": {"name": "s"}}},
                    {"name": "w", "csi": {"driver": "d.example"}}]
    }));
    assert_eq!(r.describe(), r#"CSI volume "v" (not mounted) (driver d.example, nodePublishSecretRef)"#);
    assert_eq!(r.keys(), Keys::DriverDefined);
    assert_eq!(r.keys().reads("anything"), None);
    assert!(findings(&r, &SecretFacts::with_keys(["x"])).is_empty());
    assert!(matches!(&findings(&r, &SecretFacts::missing())[..], [FindingKind::SecretMissing(e)] if e.blocks_start()));
    let index = index_of(&[&pod(
        json!({"containers": [], "volumes": [{"name": "v", "csi": {"driver": "d", "nodePublishSecretRef": {"name": "s"}}}]}),
    )]);
    let readers = index.key_readers("ns", "s");
    assert_eq!(readers.driver_defined.len(), 1);
    assert!(readers.of("x").is_empty());
}

#[test]
fn volume_plugins() {
    let refs = from_pod(
        &pod(json!({"containers": [], "volumes": [
            {"name": "a", "azureFile": {"secretName": "az", "shareName": "s"}},
            {"name": "b", "cephfs": {"monitors": ["m"], "secretRef": {"name": "ceph"}}},
            {"name": "c", "cinder": {"volumeID": "v", "secretRef": {"name": "cin"}}},
            {"name": "d", "flexVolume": {"driver": "f", "secretRef": {"name": "flex"}}},
            {"name": "e", "rbd": {"monitors": ["m"], "image": "i", "secretRef": {"name": "rbd"}}},
            {"name": "f", "scaleIO": {"gateway": "g", "system": "s", "secretRef": {"name": "sio"}}},
            {"name": "g", "iscsi": {"targetPortal": "t", "iqn": "q", "lun": 0, "secretRef": {"name": "isc"}}},
            {"name": "h", "storageos": {"secretRef": {"name": "sos"}}},
            {"name": "i", "rbd": {"monitors": ["m"], "image": "i"}},
            {"name": "j", "azureFile": {"secretName": "", "shareName": "s"}}
        ]})),
        &WorkloadResolver::new(),
    );
    let got: Vec<(&str, String)> = refs.iter().map(|r| (&*r.secret, r.describe())).collect();
    assert_eq!(
        got,
        [
            ("az", r#"azureFile volume "a" (not mounted) (secretName)"#.into()),
            ("ceph", r#"cephfs volume "b" (not mounted) (secretRef)"#.into()),
            ("cin", r#"cinder volume "c" (not mounted) (secretRef)"#.into()),
            ("flex", r#"flexVolume volume "d" (not mounted) (secretRef)"#.into()),
            ("rbd", r#"rbd volume "e" (not mounted) (secretRef)"#.into()),
            ("sio", r#"scaleIO volume "f" (not mounted) (secretRef)"#.into()),
            ("isc", r#"iscsi volume "g" (not mounted) (secretRef)"#.into()),
            ("sos", r#"storageos volume "h" (not mounted) (secretRef)"#.into()),
        ]
    );
    assert!(refs.iter().all(|r| r.refresh() == Refresh::NextMount && !r.optional));
    assert!(
        matches!(&findings(&refs[0], &SecretFacts::missing())[..], [FindingKind::SecretMissing(e)] if e.blocks_start())
    );
    assert!(findings(&refs[0], &SecretFacts::with_keys(["x"])).is_empty());
}

#[test]
fn ingress_tls() {
    let ing: Ingress = serde_json::from_value(json!({
        "metadata": {"name": "i", "namespace": "ns"},
        "spec": {"tls": [{"hosts": ["a.example"], "secretName": "t"}, {"hosts": ["b.example"]}, {"secretName": "u"}]}
    }))
    .expect("an Ingress");
    let refs = from_ingress(&ing);
    assert_eq!(refs.iter().map(Reference::describe).collect::<Vec<_>>(), ["TLS for a.example", "TLS (no hosts)"]);
    assert!(findings(&refs[0], &SecretFacts::with_keys(["tls.crt", "tls.key"])).is_empty());
    assert_eq!(
        findings(&refs[0], &SecretFacts::with_keys(["tls.crt"])),
        [FindingKind::TlsKeysMissing { missing: vec!["tls.key"] }]
    );
    assert_eq!(findings(&refs[0], &SecretFacts::missing()), [FindingKind::SecretMissing(MissingEffect::NoCertificate)]);
    assert_eq!(refs[0].refresh(), Refresh::IngressController);
}

#[test]
fn service_account_lists() {
    let sa: ServiceAccount = serde_json::from_value(json!({
        "metadata": {"name": "sa", "namespace": "ns"},
        "secrets": [{"name": "tok"}, {}], "imagePullSecrets": [{"name": "reg"}]
    }))
    .expect("a ServiceAccount");
    let refs = from_service_account(&sa);
    assert_eq!(refs.len(), 2);
    assert_eq!(findings(&refs[0], &SecretFacts::missing()), [FindingKind::SecretMissing(MissingEffect::Nothing)]);
    let a = analyze("ns", "tok", vec![&refs[0]], &SecretFacts::missing());
    assert_eq!(a.findings[0].severity(), Severity::Info);
    assert_eq!(findings(&refs[1], &SecretFacts::with_keys(["x"])), [FindingKind::NoDockerConfig]);
    assert!(findings(&refs[1], &SecretFacts::with_keys([".dockerconfigjson"])).is_empty());
}

#[test]
fn empty_and_absent_specs() {
    let r = WorkloadResolver::new();
    let none: Pod = serde_json::from_value(json!({"metadata": {"name": "p"}})).expect("a Pod");
    assert!(from_pod(&none, &r).is_empty());
    let empty_names = pod(json!({"containers": [container(json!({
        "env": [{"name": "A", "valueFrom": {"secretKeyRef": {"name": "", "key": "k"}}}],
        "envFrom": [{"secretRef": {"name": ""}}]
    }))], "volumes": [{"name": "v", "secret": {}}]}));
    assert!(from_pod(&empty_names, &r).is_empty());
    // A Pod without a namespace is taken to be in `default`, as kubectl does.
    assert_eq!(&*pod_id(&none).namespace, "default");
}

// ---- The index ----

fn index_of(pods: &[&Pod]) -> RefIndex {
    let mut index = RefIndex::new();
    for p in pods {
        index.upsert_pod(p, &WorkloadResolver::new());
    }
    index
}

fn named_pod(name: &str, secrets: &[&str]) -> Pod {
    let env: Vec<Value> = secrets
        .iter()
        .map(|s| json!({"name": format!("V_{s}"), "valueFrom": {"secretKeyRef": {"name": s, "key": "k"}}}))
        .collect();
    serde_json::from_value(json!({
        "metadata": {"name": name, "namespace": "ns"},
        "spec": {"containers": [{"name": "c", "env": env}]}
    }))
    .expect("a Pod")
}

#[test]
fn upsert_replaces_and_remove_drops() {
    let mut index = index_of(&[&named_pod("a", &["s1", "s2"]), &named_pod("b", &["s1"])]);
    assert_eq!(index.len(), 2);
    assert_eq!(index.reference_count(), 3);
    assert_eq!(index.usage("ns", "s1").pods, 2);
    assert_eq!(index.secrets_in("ns"), ["s1", "s2"]);
    // A modified Pod no longer uses s2.
    index.upsert_pod(&named_pod("a", &["s1"]), &WorkloadResolver::new());
    assert_eq!(index.secrets_in("ns"), ["s1"]);
    assert!(!index.is_used("ns", "s2"));
    assert_eq!(index.reference_count(), 2);
    // Secret names are shared between references.
    let refs = index.refs_to("ns", "s1");
    assert!(std::sync::Arc::ptr_eq(&refs[0].secret, &refs[1].secret));
    assert!(index.remove(&ConsumerId::new(ConsumerKind::Pod, "ns", "a")));
    assert!(!index.remove(&ConsumerId::new(ConsumerKind::Pod, "ns", "a")));
    assert_eq!(index.usage("ns", "s1").pods, 1);
    // A Pod that no longer references anything disappears.
    index.upsert_pod(&named_pod("b", &[]), &WorkloadResolver::new());
    assert!(index.is_empty());
    assert!(index.secrets_in("ns").is_empty());
    assert_eq!(index.reference_count(), 0);
}

#[test]
fn upsert_ignores_references_of_other_consumers() {
    let mut index = RefIndex::new();
    let refs = from_pod(&named_pod("a", &["s"]), &WorkloadResolver::new());
    index.upsert(ConsumerId::new(ConsumerKind::Pod, "ns", "other"), refs);
    assert!(index.is_empty());
}

#[test]
fn retain_after_relist() {
    let mut index = index_of(&[&named_pod("a", &["s"]), &named_pod("b", &["s"])]);
    let ing: Ingress = serde_json::from_value(
        json!({"metadata": {"name": "i", "namespace": "ns"}, "spec": {"tls": [{"secretName": "s"}]}}),
    )
    .expect("an Ingress");
    index.upsert_ingress(&ing);
    let seen = [ConsumerId::new(ConsumerKind::Pod, "ns", "b")];
    index.retain(|id| id.kind != ConsumerKind::Pod || seen.contains(id));
    let names: Vec<String> = index.refs_to("ns", "s").iter().map(|r| r.consumer.describe()).collect();
    assert_eq!(names, ["Pod b", "Ingress i"]);
    assert_eq!(index.usage_in("ns").get("s").map(UsageCount::total), Some(2));
}

#[test]
fn namespaces_are_separate() {
    let mut index = index_of(&[&named_pod("a", &["s"])]);
    let mut other = named_pod("a", &["s"]);
    other.metadata.namespace = Some("other".into());
    index.upsert_pod(&other, &WorkloadResolver::new());
    assert_eq!(index.usage("ns", "s").pods, 1);
    assert_eq!(index.usage("other", "s").pods, 1);
    assert!(index.refs_to("nope", "s").is_empty());
    assert!(index.by_workload("nope", "s").is_empty());
    assert!(index.missing_in("nope", |_| false).is_empty());
}

#[test]
fn consumer_descriptions() {
    let mut p = named_pod("web-abc-1", &["s"]);
    p.metadata.owner_references = Some(vec![k8s_openapi::apimachinery::pkg::apis::meta::v1::OwnerReference {
        api_version: "apps/v1".into(),
        kind: "ReplicaSet".into(),
        name: "web-abc".into(),
        uid: "u".into(),
        controller: Some(true),
        block_owner_deletion: None,
    }]);
    p.metadata.labels = Some([(POD_TEMPLATE_HASH.to_string(), "abc".to_string())].into());
    let refs = from_pod(&p, &WorkloadResolver::new());
    assert_eq!(refs[0].consumer.describe(), "Pod web-abc-1 (Deployment web (guessed))");
    let mut resolver = WorkloadResolver::new();
    resolver.upsert_replica_set(&ObjectMeta {
        name: Some("web-abc".into()),
        namespace: Some("ns".into()),
        ..ObjectMeta::default()
    });
    assert_eq!(from_pod(&p, &resolver)[0].consumer.describe(), "Pod web-abc-1 (ReplicaSet web-abc)");
    assert_eq!(from_pod(&named_pod("x", &["s"]), &resolver)[0].consumer.describe(), "Pod x");
}

#[test]
fn modes() {
    assert_eq!(mode(0o400), "0400");
    assert_eq!(mode(0o777), "0777");
    assert_eq!(mode(0), "0000");
    assert_eq!(mode(0o10000), "4096 (invalid)");
}

// ---- Scale ----

/// A Pod like those of a large cluster: a Deployment's replica with env, envFrom, a volume
/// with items, a projected volume and an image pull secret.
pub(crate) fn generated_pod(i: usize) -> Pod {
    let ns = format!("ns-{}", i % 50);
    let app = format!("app-{}", i % 400);
    let secret = format!("{app}-secret");
    serde_json::from_value(json!({
        "metadata": {
            "name": format!("{app}-5d8f7c9b4-{i:06}"),
            "namespace": ns,
            "labels": {"app": app, "pod-template-hash": "5d8f7c9b4"},
            "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": format!("{app}-5d8f7c9b4"),
                                 "uid": "u", "controller": true}]
        },
        "spec": {
            "imagePullSecrets": [{"name": "registry"}],
            "containers": [{
                "name": "app",
                "image": "example/app:1",
                "env": [{"name": "DB_PASSWORD", "valueFrom": {"secretKeyRef": {"name": secret, "key": "password"}}}],
                "envFrom": [{"secretRef": {"name": "shared-config", "optional": true}}],
                "volumeMounts": [{"name": "tls", "mountPath": "/tls", "readOnly": true},
                                 {"name": "all", "mountPath": "/all"}]
            }],
            "volumes": [
                {"name": "tls", "secret": {"secretName": format!("{app}-tls"), "items": [
                    {"key": "tls.crt", "path": "tls.crt"}, {"key": "tls.key", "path": "tls.key", "mode": 0o400}]}},
                {"name": "all", "projected": {"sources": [{"secret": {"name": secret}}, {"configMap": {"name": "c"}}]}}
            ]
        }
    }))
    .expect("a generated Pod")
}

#[test]
fn twenty_thousand_pods() {
    let resolver = WorkloadResolver::new();
    let mut index = RefIndex::new();
    for i in 0..20_000 {
        index.upsert_pod(&generated_pod(i), &resolver);
    }
    assert_eq!(index.len(), 20_000);
    assert_eq!(index.reference_count(), 20_000 * 5);
    // 400 apps over 50 namespaces: each app's Pods are in one namespace.
    let usage = index.usage("ns-0", "app-0-secret");
    assert_eq!(usage.pods, 50);
    assert_eq!(usage.workloads, 1);
    let groups = index.by_workload("ns-0", "registry");
    assert_eq!(groups.len(), 8);
    assert!(groups.iter().all(|g| g.usages().len() == 1 && g.usages()[0].pods == 50));
    assert_eq!(index.usage("ns-0", "shared-config").pods, 400);
    let missing = index.missing_in("ns-0", |s| s != "shared-config");
    assert_eq!(missing.len(), 1);
    assert!(!missing[0].blocks_start());
    // Removing every Pod empties the index.
    for i in 0..20_000 {
        index.remove(&pod_id(&generated_pod(i)));
    }
    assert!(index.is_empty());
    assert_eq!(index.reference_count(), 0);
}

// ---- Robustness ----

/// JSON shaped like a Pod, with the fields that matter here and arbitrary values.
fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        "[a-z0-9./=-]{0,6}".prop_map(Value::from),
        any::<String>().prop_map(Value::from),
    ];
    let field = prop::sample::select(vec![
        "name",
        "key",
        "path",
        "mode",
        "optional",
        "prefix",
        "items",
        "secretName",
        "secretRef",
        "secretKeyRef",
        "valueFrom",
        "env",
        "envFrom",
        "volumeMounts",
        "mountPath",
        "subPath",
        "subPathExpr",
        "readOnly",
        "defaultMode",
        "secret",
        "projected",
        "sources",
        "csi",
        "driver",
        "nodePublishSecretRef",
        "rbd",
        "azureFile",
        "shareName",
        "monitors",
        "image",
        "containers",
        "initContainers",
        "ephemeralContainers",
        "volumes",
        "imagePullSecrets",
        "ownerReferences",
        "controller",
        "kind",
        "labels",
        "pod-template-hash",
        "namespace",
    ]);
    leaf.prop_recursive(6, 96, 8, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec((field.clone(), inner), 0..6)
                .prop_map(|kv| Value::Object(kv.into_iter().map(|(k, v)| (k.to_string(), v)).collect())),
        ]
    })
}

/// A well-formed Pod whose names, keys, modes and flags are arbitrary.
fn arb_pod() -> impl Strategy<Value = Value> {
    let s = || any::<String>();
    (s(), s(), s(), s(), s(), any::<Option<bool>>(), any::<i32>(), s(), s(), any::<bool>()).prop_map(
        |(name, secret, key, var, path, optional, mode, hash, owner, controller)| {
            json!({
                "metadata": {"name": name, "labels": {"pod-template-hash": hash},
                    "ownerReferences": [{"apiVersion": "v1", "kind": "ReplicaSet", "name": owner, "uid": "", "controller": controller}]},
                "spec": {
                    "imagePullSecrets": [{"name": secret}],
                    "containers": [{"name": var, "env": [{"name": var, "valueFrom": {"secretKeyRef": {"name": secret, "key": key, "optional": optional}}}],
                        "envFrom": [{"prefix": key, "secretRef": {"name": secret, "optional": optional}}],
                        "volumeMounts": [{"name": path, "mountPath": path, "subPath": key}]}],
                    "volumes": [
                        {"name": path, "secret": {"secretName": secret, "defaultMode": mode, "items": [{"key": key, "path": path, "mode": mode}]}},
                        {"name": name, "projected": {"defaultMode": mode, "sources": [{"secret": {"name": secret, "optional": optional}}]}},
                        {"name": key, "csi": {"driver": owner, "nodePublishSecretRef": {"name": secret}}}
                    ]
                }
            })
        },
    )
}

/// Every JSON pointer in `v`.
fn pointers(v: &Value, at: String, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, child) in m {
                pointers(child, format!("{at}/{}", k.replace('~', "~0").replace('/', "~1")), out);
            }
        }
        Value::Array(a) => {
            for (i, child) in a.iter().enumerate() {
                pointers(child, format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
    out.push(at);
}

/// A well-formed Pod with a few of its subtrees replaced by arbitrary JSON (or nulled).
fn mutated_pod() -> impl Strategy<Value = Value> {
    (arb_pod(), prop::collection::vec((any::<prop::sample::Index>(), arb_json()), 1..3)).prop_map(|(mut pod, edits)| {
        for (at, replacement) in edits {
            let mut all = Vec::new();
            pointers(&pod, String::new(), &mut all);
            let at = at.get(&all).clone();
            if let Some(slot) = pod.pointer_mut(&at) {
                *slot = replacement;
            }
        }
        pod
    })
}

fn exercise(pod: &Pod, keys: &[String]) {
    let mut resolver = WorkloadResolver::new();
    resolver.upsert_replica_set(&pod.metadata);
    let refs = from_pod(pod, &resolver);
    for r in &refs {
        let _ = (r.describe(), r.usage.details(), r.refresh().describe(), r.keys(), r.consumer.describe());
    }
    let mut index = RefIndex::new();
    index.upsert_pod(pod, &resolver);
    let id = pod_id(pod);
    for secret in index.secrets_in(&id.namespace) {
        for facts in
            [SecretFacts::missing(), SecretFacts::with_keys(keys.iter().cloned()), SecretFacts::exists_keys_unknown()]
        {
            for f in index.analyze(&id.namespace, secret, &facts).findings {
                let _ = (f.message(), f.severity());
            }
        }
        let _ = (index.by_workload(&id.namespace, secret), index.key_readers(&id.namespace, secret));
    }
    let _ = index.missing_in(&id.namespace, |_| false);
    index.refresh_workloads(&resolver, None);
    index.remove(&id);
    assert!(index.is_empty());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_pod_json_never_panics(spec in arb_json(), meta in arb_json(), keys in prop::collection::vec(any::<String>(), 0..4)) {
        if let Ok(pod) = serde_json::from_value::<Pod>(json!({"metadata": meta, "spec": spec})) {
            exercise(&pod, &keys);
        }
        if let Ok(pod) = serde_json::from_value::<Pod>(spec) {
            exercise(&pod, &keys);
        }
    }

    #[test]
    fn mutated_pods_never_panic(pod in mutated_pod(), keys in prop::collection::vec(any::<String>(), 0..4)) {
        if let Ok(pod) = serde_json::from_value::<Pod>(pod) {
            exercise(&pod, &keys);
        }
    }

    #[test]
    fn arbitrary_well_formed_pods_never_panic(pod in arb_pod(), keys in prop::collection::vec(any::<String>(), 0..4)) {
        let pod: Pod = serde_json::from_value(pod).expect("well-formed");
        exercise(&pod, &keys);
    }
}

/// The records are kept for every Pod: keep them small (88 bytes per reference today, plus
/// one shared Consumer per Pod; names are shared).
#[test]
fn record_sizes() {
    assert!(size_of::<Reference>() <= 96, "{}", size_of::<Reference>());
    assert!(size_of::<Usage>() <= 64, "{}", size_of::<Usage>());
}

#[test]
fn index_shares_names_between_pods() {
    let mut index = RefIndex::new();
    for i in 0..100 {
        index.upsert_pod(&generated_pod(i * 400), &WorkloadResolver::new());
    }
    // 100 replicas of app-0 in ns-0: their names are held once, Pod names aside.
    let refs = index.refs_to("ns-0", "app-0-secret");
    assert_eq!(refs.len(), 200);
    assert!(refs.windows(2).all(|w| std::sync::Arc::ptr_eq(&w[0].secret, &w[1].secret)));
    let workloads: Vec<&Workload> = refs.iter().filter_map(|r| r.consumer.workload.as_ref()).collect();
    assert!(workloads.windows(2).all(|w| std::sync::Arc::ptr_eq(&w[0].name, &w[1].name)));
    assert!(index.shared_names() < 40, "{}", index.shared_names());
    // Names nothing uses are forgotten after enough removals.
    for i in 0..100 {
        index.remove(&pod_id(&generated_pod(i * 400)));
    }
    for i in 0..2000 {
        let mut p = named_pod(&format!("p{i}"), &[&format!("s{i}")]);
        index.upsert_pod(&p, &WorkloadResolver::new());
        p.spec = None;
        index.upsert_pod(&p, &WorkloadResolver::new());
    }
    assert!(index.is_empty());
    assert!(index.shared_names() < 1000, "{}", index.shared_names());
}

#[test]
fn feeding_the_index_from_watch_events() {
    let resolver = WorkloadResolver::new();
    let mut index = RefIndex::new();
    let pod: Pod = serde_json::from_value(json!({
        "metadata": {"name": "p", "namespace": "default"},
        "spec": {"containers": [{"name": "app", "envFrom": [{"secretRef": {"name": "db"}}]}]}
    }))
    .unwrap();
    // Apply / InitApply:
    index.upsert_pod(&pod, &resolver);
    assert_eq!(index.usage("default", "db").pods, 1);
    // ReplicaSet / Job metadata events go to the resolver, then:
    index.refresh_workloads(&resolver, Some("default"));
    assert_eq!(index.usage("default", "db").pods, 1);
    // InitDone after a relist: drop the Pods the new list did not contain.
    let seen = std::collections::HashSet::<ConsumerId>::new();
    index.retain(|id| id.kind != ConsumerKind::Pod || seen.contains(id));
    assert_eq!(index.usage("default", "db").pods, 0);
    // Delete:
    index.upsert_pod(&pod, &resolver);
    index.remove(&pod_id(&pod));
    assert!(!index.is_used("default", "db"));
}

#[test]
fn restart_plan_names_workloads_that_read_changed_keys_only_at_start() {
    use super::{RestartAction, RestartTarget};
    let demo = Demo::load();
    let titles = |plan: &[RestartTarget]| -> Vec<String> { plan.iter().map(RestartTarget::title).collect() };
    // web reads prod-db-secret through env: a rollout restart; prod-db-client-pod mounts it
    // as a volume and sees the change in place.
    let plan = demo.index.restart_plan("default", "prod-db-secret", None);
    assert_eq!(titles(&plan), ["Deployment web"], "{plan:#?}");
    assert_eq!(plan[0].action, RestartAction::Restart);
    assert_eq!(plan[0].pods, 2);
    assert_eq!(plan[0].reads, ["env DB_USER ← username", "env DB_PASSWORD ← password"]);
    // Only the readers of a changed key.
    let plan = demo.index.restart_plan("default", "prod-db-secret", Some(&["password"]));
    assert_eq!(plan[0].reads, ["env DB_PASSWORD ← password"]);
    assert!(demo.index.restart_plan("default", "prod-db-secret", Some(&["nothing-reads-this"])).is_empty());
    // A mounted volume sees the change: web is not restarted for secret-tls.
    assert!(titles(&demo.index.restart_plan("default", "secret-tls", None)).iter().all(|t| t != "Deployment web"));
    // A subPath mount needs a restart; the projected volume beside it does not.
    let plan = demo.index.restart_plan("default", "secret-basic-auth", None);
    let subpath = plan.iter().find(|t| t.title() == "Pod subpath-pod").expect("subpath-pod restarts");
    // A bare Pod has no rollout: what happens instead is said.
    assert!(matches!(&subpath.action, RestartAction::Instead(why) if why.contains("deleted and created again")));
    assert!(!titles(&plan).contains(&"Pod projected-secrets-pod".to_string()), "{plan:?}");
}
