//! Demo data: the Kubernetes documentation's Secret examples and the workloads that use them
//! (assets/demo/*.yaml), plus what has to be made at start: Helm release records of realistic
//! size, a certificate that always expires within 30 days, and `--scale` data for benchmarks.

use std::io::Write as _;

use base64::Engine as _;
use flate2::Compression;
use flate2::write::GzEncoder;
use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};

use crate::managed;
use crate::objects;
use crate::resources;
use crate::store::Store;
use keyhole_core::format::rfc3339;
use keyhole_core::secret::codec::encode_value;

/// The demo manifests, in the order they are loaded.
pub const DEMO_YAML: &[(&str, &str)] = &[
    ("00-namespaces.yaml", include_str!("../../../assets/demo/00-namespaces.yaml")),
    ("10-secrets.yaml", include_str!("../../../assets/demo/10-secrets.yaml")),
    ("20-pods.yaml", include_str!("../../../assets/demo/20-pods.yaml")),
    ("30-workloads.yaml", include_str!("../../../assets/demo/30-workloads.yaml")),
    ("40-serviceaccounts-ingresses.yaml", include_str!("../../../assets/demo/40-serviceaccounts-ingresses.yaml")),
    ("80-rbac.yaml", include_str!("../../../assets/demo/80-rbac.yaml")),
];

/// The RBAC policy every embedded cluster starts with, demo data or not: the defaults of
/// kube-apiserver's bootstrap policy and the demo users' permissions.
pub const POLICY_YAML: &[(&str, &str)] = &[
    ("00-bootstrap.yaml", include_str!("../../../assets/rbac/00-bootstrap.yaml")),
    ("10-demo-users.yaml", include_str!("../../../assets/rbac/10-demo-users.yaml")),
];

const CA_CRT: &str = include_str!("../../../assets/pki/ca.crt");
const CA_KEY: &str = include_str!("../../../assets/pki/ca.key");
pub(crate) const TLS_CRT: &str = include_str!("../../../assets/pki/example.com.crt");
pub(crate) const TLS_KEY: &str = include_str!("../../../assets/pki/example.com.key");

/// A small deterministic PRNG (xorshift64*), so that generated data is the same at every start.
struct Rng(u64);

impl Rng {
    fn new(seed: &str) -> Self {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in seed.bytes() {
            h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
        Rng(h | 1)
    }
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn hex(&mut self, len: usize) -> String {
        let mut s = String::with_capacity(len);
        while s.len() < len {
            s.push_str(&format!("{:016x}", self.next()));
        }
        s.truncate(len);
        s
    }
}

/// A plausible age for a demo object: between an hour and two months, stable per name.
pub(crate) fn created_at(name: &str, now: Timestamp) -> Timestamp {
    let mut r = Rng::new(name);
    let secs = 3600 + r.below(60 * 86_400) as i64;
    now.checked_sub(SignedDuration::from_secs(secs)).unwrap_or(now)
}

/// The annotation `kubectl apply` (client-side) writes: the manifest it applied, as JSON.
pub const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";

/// Demo Secrets created with `kubectl apply -f` (client-side): besides `mysecret`, whose
/// manifest already carries the annotation of an earlier apply, these get the annotation kubectl
/// writes, with their values in it (in plaintext, for `stringData`), as on real clusters.
const CLIENT_SIDE_APPLIED: &[(&str, &str)] = &[
    ("default", "secret-basic-auth"),
    ("default", "prod-db-secret"),
    ("default", "test-db-secret"),
    ("shop", "shop-db"),
];

/// How a demo object came to be; its managedFields tell it, as a real cluster's do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Origin {
    /// `kubectl apply -f` without `--server-side`: the last-applied annotation, and an Update
    /// entry of `kubectl-client-side-apply`.
    ClientSideApply,
    /// Created by this manager's Update (`kubectl create`, a controller, Helm, kubeadm).
    Created(&'static str),
    /// Created by this manager's server-side apply.
    Applied(&'static str),
}

/// Who made a demo object from the manifests.
fn origin(obj: &Value) -> Origin {
    let (ns, name) = (objects::meta(obj, "namespace"), objects::meta(obj, "name"));
    let kind = obj.get("kind").and_then(Value::as_str).unwrap_or("");
    let owned_by_controller = obj
        .pointer("/metadata/ownerReferences")
        .and_then(Value::as_array)
        .is_some_and(|o| o.iter().any(|r| r.get("controller") == Some(&json!(true))));
    let annotated = obj.pointer("/metadata/annotations").and_then(|a| a.get(LAST_APPLIED)).is_some();
    if kind == "Secret" && (annotated || CLIENT_SIDE_APPLIED.contains(&(ns.as_str(), name.as_str()))) {
        Origin::ClientSideApply
    } else if (kind == "Namespace" && matches!(name.as_str(), "default" | "kube-system" | "kube-public"))
        || obj.pointer("/metadata/labels/kubernetes.io~1bootstrapping").is_some()
    {
        // The default namespaces and the bootstrap RBAC policy.
        Origin::Created("kube-apiserver")
    } else if kind == "Secret" && name.starts_with("bootstrap-token-") {
        Origin::Created("kubeadm")
    } else if owned_by_controller {
        Origin::Created("kube-controller-manager")
    } else {
        Origin::Created("kubectl-create")
    }
}

/// What `kubectl apply` sends and records for a manifest (kubectl `pkg/util/apply.go`
/// `GetModifiedConfiguration`): the object as read from the file with its namespace, the
/// annotation taken out (an empty `annotations` map stays), serialised as Go's encoding/json
/// serialises an unstructured object (keys sorted) with the encoder's newline. The object sent
/// carries that text as the annotation.
pub fn client_side_apply(manifest: &Value) -> (Value, String) {
    let mut applied = manifest.clone();
    if let Some(m) = applied.get_mut("metadata").and_then(Value::as_object_mut) {
        let annotations = m.entry("annotations").or_insert_with(|| json!({}));
        if let Some(a) = annotations.as_object_mut() {
            a.shift_remove(LAST_APPLIED);
        }
    }
    let text = format!("{}\n", managed::go_json(&applied));
    let mut sent = applied;
    sent["metadata"]["annotations"][LAST_APPLIED] = json!(text);
    (sent, text)
}

/// Stores one object as a create would, with system fields, defaults and managedFields,
/// bypassing HTTP.
/// Stores one object as a create would, with system fields and defaults, bypassing HTTP.
pub(crate) fn insert(store: &Store, obj: Value, now: Timestamp) -> Result<(), String> {
    let origin = origin(&obj);
    insert_as(store, obj, now, origin)
}

fn insert_as(store: &Store, mut obj: Value, now: Timestamp, origin: Origin) -> Result<(), String> {
    let kind = obj.get("kind").and_then(Value::as_str).unwrap_or("").to_string();
    let def =
        crate::crd::def_for_object(store, &obj).ok_or_else(|| format!("demo data has an unknown kind {kind:?}"))?;
    let name = objects::meta(&obj, "name");
    let uid = objects::meta(&obj, "uid");
    if def.namespaced && objects::meta(&obj, "namespace").is_empty() {
        obj["metadata"]["namespace"] = json!("default");
    }
    let created = created_at(&name, now);
    // A client-side apply created it from a manifest: this one, or the earlier one its
    // annotation records (then someone edited it into this one later).
    let mut later = None;
    if origin == Origin::ClientSideApply {
        let recorded = obj.pointer("/metadata/annotations").and_then(|a| a.get(LAST_APPLIED)).and_then(Value::as_str);
        match recorded {
            Some(text) => {
                let earlier: Value = serde_json::from_str(text).map_err(|e| format!("{name}: {LAST_APPLIED}: {e}"))?;
                let (sent, _) = client_side_apply(&earlier);
                later = Some(std::mem::replace(&mut obj, sent));
            }
            None => obj = client_side_apply(&obj).0,
        }
    }
    let decoded = objects::decoded_form(def, &obj);
    let fabricated_status = obj.get("status").is_none();
    objects::prepare_create(def, &mut obj, created).map_err(|e| e.message().to_string())?;
    if !uid.is_empty() {
        // Fixed uids let the demo data's ownerReferences point at their owners.
        obj["metadata"]["uid"] = json!(uid);
    }
    let (mut obj, _warnings) = objects::validate_create(def, obj).map_err(|e| format!("{name}: {}", e.message()))?;
    let gv = def.group_version();
    let stamp = rfc3339(created);
    let empty = managed::empty_object(def);
    let mf = match origin {
        Origin::ClientSideApply => {
            let w = managed::Writer::main(def, &gv, "kubectl-client-side-apply", &stamp);
            managed::update(&w, &empty, &decoded, None, true)
        }
        Origin::Created(manager) => {
            managed::update(&managed::Writer::main(def, &gv, manager, &stamp), &empty, &decoded, None, true)
        }
        Origin::Applied(manager) => {
            let w = managed::Writer::main(def, &gv, manager, &stamp);
            let mut config = decoded.clone();
            if let Some(m) = config.get_mut("metadata").and_then(Value::as_object_mut) {
                m.retain(|k, _| !matches!(k.as_str(), "uid" | "creationTimestamp" | "resourceVersion"));
            }
            managed::apply(&w, &empty, &config, true, &empty).ok().and_then(|a| a.managed_fields)
        }
    };
    objects::set_managed_fields(&mut obj, mf);
    if fabricated_status {
        objects::record_status_writer(def, &mut obj, created);
    }
    if let Some(edited) = later {
        // Edited with `kubectl edit` halfway between its creation and now.
        let at = created + SignedDuration::from_secs((now.as_second() - created.as_second()) / 2);
        obj = edit(def, &obj, edited, at).map_err(|e| format!("{name}: {e}"))?;
    }
    store.lock().put(def.key(), obj);
    Ok(())
}

/// `kubectl edit` of a stored demo object into `edited` at `at`: the update's checks, and
/// managedFields giving `kubectl-edit` what it changed.
fn edit(def: &resources::ResourceDef, stored: &Value, mut edited: Value, at: Timestamp) -> Result<Value, String> {
    if let (Some(m), Some(meta)) = (edited.get_mut("metadata").and_then(Value::as_object_mut), stored.get("metadata")) {
        for field in ["namespace", "uid", "creationTimestamp"] {
            if let Some(v) = meta.get(field) {
                m.insert(field.into(), v.clone());
            }
        }
    }
    let (mut new, _) = objects::validate_update(def, stored, edited).map_err(|e| e.message().to_string())?;
    let gv = def.group_version();
    let stamp = rfc3339(at);
    let w = managed::Writer::main(def, &gv, "kubectl-edit", &stamp);
    let mf = managed::update(&w, stored, &new, None, false);
    objects::set_managed_fields(&mut new, mf);
    Ok(new)
}

/// Creates namespaces only (for tests that want an empty cluster).
pub fn load_namespaces(store: &Store, names: &[&str]) {
    let now = Timestamp::now();
    for n in names {
        let _ = insert(store, json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": n}}), now);
    }
}

/// Parses multi-document YAML into objects, expanding `kind: List`.
pub fn parse_yaml(text: &str) -> Result<Vec<Value>, String> {
    let loaded = keyhole_core::validate::manifest::load(text);
    if let Some(e) = loaded.error {
        return Err(e.to_string());
    }
    let mut out = Vec::new();
    for doc in loaded.documents {
        match doc.value {
            Value::Null => {}
            Value::Object(ref m) if m.get("kind").and_then(Value::as_str) == Some("List") => {
                out.extend(m.get("items").and_then(Value::as_array).cloned().unwrap_or_default());
            }
            v => out.push(v),
        }
    }
    Ok(out)
}

/// Loads the RBAC policy (`POLICY_YAML`) and fills the aggregated ClusterRoles.
pub fn load_policy(store: &Store, now: Timestamp) -> Result<(), String> {
    for (file, text) in POLICY_YAML {
        for obj in parse_yaml(text).map_err(|e| format!("assets/rbac/{file}: {e}"))? {
            insert(store, obj, now).map_err(|e| format!("assets/rbac/{file}: {e}"))?;
        }
    }
    crate::rbac::aggregate::sync(&mut store.lock(), now);
    Ok(())
}

/// Loads everything: the RBAC policy, the YAML assets, the generated Secrets, and `scale` more
/// of each.
pub fn load(store: &Store, now: Timestamp, scale: usize) -> Result<(), String> {
    load_policy(store, now)?;
    for (file, text) in DEMO_YAML {
        for obj in parse_yaml(text).map_err(|e| format!("assets/demo/{file}: {e}"))? {
            insert(store, obj, now).map_err(|e| format!("assets/demo/{file}: {e}"))?;
        }
    }
    crate::rbac::aggregate::sync(&mut store.lock(), now);
    insert_as(store, expiring_tls_secret(now)?, now, Origin::Applied("cert-manager-certificates-issuing"))?;
    for (ns, release, chart, app, revisions, kib) in [
        ("shop", "shop-frontend", "shop-frontend", "2.3.1", 3, 40),
        ("shop", "redis", "redis", "7.4.1", 2, 60),
        ("monitoring", "grafana", "grafana", "11.3.0", 2, 50),
        ("monitoring", "prometheus", "kube-prometheus-stack", "v2.55.0", 4, 70),
    ] {
        for rev in 1..=revisions {
            let status = if rev == revisions { "deployed" } else { "superseded" };
            insert_as(
                store,
                helm_release(ns, release, chart, app, rev, status, kib, now),
                now,
                Origin::Created("helm"),
            )?;
        }
    }
    if scale > 0 {
        crate::scale::load(store, now, scale);
    }
    Ok(())
}

/// `shop-tls`: signed by the demo CA at start, valid from 60 days ago to 12 days from now, so
/// that it is always "expiring within 30 days".
fn expiring_tls_secret(now: Timestamp) -> Result<Value, String> {
    let err = |e: rcgen::Error| format!("cannot make the expiring demo certificate: {e}");
    let ca_key = rcgen::KeyPair::from_pem(CA_KEY).map_err(err)?;
    let issuer = rcgen::Issuer::from_ca_cert_pem(CA_CRT, ca_key).map_err(err)?;
    let key = rcgen::KeyPair::generate().map_err(err)?;
    let mut params = rcgen::CertificateParams::new(vec!["shop.example.com".to_string()]).map_err(err)?;
    params.distinguished_name.push(rcgen::DnType::OrganizationName, "keyhole demo");
    params.distinguished_name.push(rcgen::DnType::CommonName, "shop.example.com");
    let to_time = |t: Timestamp| {
        time::OffsetDateTime::from_unix_timestamp(t.as_second()).unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
    };
    params.not_before = to_time(now - SignedDuration::from_hours(24 * 60));
    params.not_after = to_time(now + SignedDuration::from_hours(24 * 12));
    let cert = params.signed_by(&key, &issuer).map_err(err)?;
    Ok(json!({
        "apiVersion": "v1", "kind": "Secret",
        "metadata": {"name": "shop-tls", "namespace": "shop",
                     "annotations": {"cert-manager.io/issuer-name": "keyhole-demo-ca"}},
        "type": "kubernetes.io/tls",
        "data": {"tls.crt": encode_value(cert.pem().as_bytes()), "tls.key": encode_value(key.serialize_pem().as_bytes()),
                 "ca.crt": encode_value(CA_CRT.as_bytes())}
    }))
}

/// A Helm 3 release record: `data.release` is base64 of gzip of the release JSON (Helm's own
/// encoding, under the Secret's base64). The manifest is padded with generated ConfigMaps so
/// that the record is about `kib` KiB, as real charts make them.
#[allow(clippy::too_many_arguments)]
fn helm_release(
    ns: &str,
    release: &str,
    chart: &str,
    app: &str,
    rev: u32,
    status: &str,
    kib: usize,
    now: Timestamp,
) -> Value {
    let blob = helm_payload(ns, release, chart, app, rev, status, kib, now);
    json!({
        "apiVersion": "v1", "kind": "Secret",
        "metadata": {"name": format!("sh.helm.release.v1.{release}.v{rev}"), "namespace": ns,
                     "labels": {"name": release, "owner": "helm", "status": status, "version": rev.to_string(),
                                "modifiedAt": now.as_second().to_string()}},
        "type": "helm.sh/release.v1",
        "data": {"release": encode_value(blob.as_bytes())}
    })
}

#[allow(clippy::too_many_arguments)]
pub(crate) fn helm_payload(
    ns: &str,
    release: &str,
    chart: &str,
    app: &str,
    rev: u32,
    status: &str,
    kib: usize,
    now: Timestamp,
) -> String {
    let mut rng = Rng::new(&format!("{ns}/{release}/{rev}"));
    let mut manifest = String::new();
    let target = kib * 1024;
    let mut i = 0;
    // Random hex compresses about 2:1, so aim the text at twice the target.
    while manifest.len() < target * 2 {
        manifest.push_str(&format!(
            "---\n# Source: {chart}/templates/configmap-{i}.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {release}-config-{i}\n  labels:\n    app.kubernetes.io/instance: {release}\n    helm.sh/chart: {chart}-{app}\ndata:\n"
        ));
        for k in 0..16 {
            manifest.push_str(&format!("  checksum-{k}: {}\n", rng.hex(40)));
        }
        i += 1;
    }
    let deployed = rfc3339(now - SignedDuration::from_hours(i64::from(24 * (10 - rev.min(9)))));
    let release_json = json!({
        "name": release,
        "info": {"first_deployed": deployed, "last_deployed": deployed, "deleted": "",
                 "description": if rev == 1 { "Install complete" } else { "Upgrade complete" }, "status": status},
        "chart": {"metadata": {"name": chart, "version": format!("{}.{}.0", 1 + rev / 3, rev), "appVersion": app,
                               "apiVersion": "v2", "description": format!("A Helm chart for {chart}"), "type": "application"},
                  "values": {"replicaCount": 2, "image": {"repository": format!("example/{chart}"), "tag": app}}},
        "config": {"auth": {"password": format!("helm-values-{}", rng.hex(12))}},
        "manifest": manifest,
        "version": rev,
        "namespace": ns,
    });
    let mut gz = GzEncoder::new(Vec::new(), Compression::default());
    let _ = gz.write_all(release_json.to_string().as_bytes());
    let compressed = gz.finish().unwrap_or_default();
    base64::engine::general_purpose::STANDARD.encode(compressed)
}

/// The managedFields of an object `manager` created at `at` (for `--scale` data, stored
/// without the create path).
pub(crate) fn stamp(obj: &mut Value, manager: &str, at: Timestamp) {
    let kind = obj.get("kind").and_then(Value::as_str).unwrap_or("");
    let Some(def) = resources::by_kind(kind) else { return };
    let gv = def.group_version();
    let time = rfc3339(at);
    let w = managed::Writer::main(def, &gv, manager, &time);
    let mf = managed::update(&w, &managed::empty_object(def), obj, None, true);
    objects::set_managed_fields(obj, mf);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_demo_pod_has_its_containers_under_spec() {
        // A mis-indented manifest once put `containers` beside `spec` (kubectl showed READY 0/0).
        let store = Store::new(1000);
        load(&store, Timestamp::now(), 0).unwrap();
        let s = store.lock();
        let pods: Vec<_> = s.iter("pods", None, None).collect();
        assert!(pods.len() > 10);
        for ((ns, name), pod) in pods {
            let top: Vec<&str> = pod.as_object().unwrap().keys().map(String::as_str).collect();
            assert!(
                top.iter().all(|k| ["apiVersion", "kind", "metadata", "spec", "status"].contains(k)),
                "{ns}/{name}: {top:?}"
            );
            let containers = pod.pointer("/spec/containers").and_then(Value::as_array);
            assert!(containers.is_some_and(|c| !c.is_empty()), "{ns}/{name} has no containers");
            let statuses = pod.pointer("/status/containerStatuses").and_then(Value::as_array);
            assert_eq!(statuses.map(Vec::len), containers.map(Vec::len), "{ns}/{name}");
        }
    }

    #[test]
    fn client_side_apply_writes_the_annotation_as_kubectl_does() {
        // mysecret's manifest carries an annotation a real `kubectl apply` wrote: the same
        // manifest gives the same text, byte for byte.
        let docs = parse_yaml(DEMO_YAML[1].1).unwrap();
        let my = docs.iter().find(|d| d["metadata"]["name"] == "mysecret").unwrap();
        let written = my["metadata"]["annotations"][LAST_APPLIED].as_str().unwrap();
        let manifest: Value = serde_json::from_str(written).unwrap();
        let (sent, text) = client_side_apply(&manifest);
        assert_eq!(text, written);
        assert_eq!(sent["metadata"]["annotations"][LAST_APPLIED], written);
        // Without annotations in the manifest, an empty map is recorded; values stay as written.
        let m = json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "a", "namespace": "default"},
                       "stringData": {"password": "p<&>"}, "type": "Opaque"});
        assert_eq!(
            client_side_apply(&m).1,
            "{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":{\"annotations\":{},\"name\":\"a\",\"namespace\":\"default\"},\"stringData\":{\"password\":\"p\\u003c\\u0026\\u003e\"},\"type\":\"Opaque\"}\n"
        );
    }

    #[test]
    fn demo_objects_have_no_unknown_fields() {
        // kubectl edits with fieldValidation=Strict: a stray field in the data would fail every edit.
        let store = Store::new(1000);
        load(&store, Timestamp::now(), 0).unwrap();
        let s = store.lock();
        for def in resources::RESOURCES.iter().filter(|r| r.stored) {
            for ((ns, name), obj) in s.iter(def.key(), None, None) {
                let mut obj = (**obj).clone();
                assert_eq!(objects::take_unknown_fields(def, &mut obj), Vec::<String>::new(), "{ns}/{name}");
            }
        }
    }
}
