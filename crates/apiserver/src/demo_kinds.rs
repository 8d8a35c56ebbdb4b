//! The demo data of issue 14: every way a Secret is used or owned without a running Pod saying
//! so. `assets/demo/50-workloads-at-rest.yaml` (a CronJob between runs, a Deployment at zero
//! replicas, a StatefulSet, a DaemonSet on no node, a Job not yet started and one finished),
//! `60-storage.yaml` (StorageClasses with CSI secret parameters, templates included, and a
//! PersistentVolume with all four CSI secret references), `70-owned-secrets.yaml` (a Helm
//! chart's Secret, an Argo CD repository, a ServiceAccount with a legacy token Secret), and
//! `custom/` (the CRDs, a Gateway with a certificate in another namespace and the ReferenceGrant
//! that allows it, a cert-manager Certificate, an ExternalSecret and a SealedSecret with the
//! Secrets their controllers write). What must be made at start is made here: the TLS Secrets
//! (a fresh certificate signed by the demo CA, with the annotations cert-manager writes) and
//! every time in a `status`, so that the CronJob's last run was last night at 02:00 and the
//! certificate's renewal is ahead, whenever the server starts.

use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};

use crate::data::{created_at, insert, parse_yaml};
use crate::objects::meta;
use crate::store::Store;
use keyhole_core::format::rfc3339;
use keyhole_core::secret::codec::encode_value;

/// The CustomResourceDefinitions every embedded cluster has (`ServerOptions::without_crds`
/// leaves some out).
pub const CRDS_YAML: &str = include_str!("../../../assets/demo/custom/00-crds.yaml");

/// The names of those CRDs.
pub const CRDS: &[&str] = &[
    "gateways.gateway.networking.k8s.io",
    "referencegrants.gateway.networking.k8s.io",
    "certificates.cert-manager.io",
    "externalsecrets.external-secrets.io",
    "sealedsecrets.bitnami.com",
];

/// The demo manifests of this module, in the order they are loaded (after `data::DEMO_YAML`).
pub const DEMO_YAML: &[(&str, &str)] = &[
    ("50-workloads-at-rest.yaml", include_str!("../../../assets/demo/50-workloads-at-rest.yaml")),
    ("60-storage.yaml", include_str!("../../../assets/demo/60-storage.yaml")),
    ("70-owned-secrets.yaml", include_str!("../../../assets/demo/70-owned-secrets.yaml")),
    ("custom/10-resources.yaml", include_str!("../../../assets/demo/custom/10-resources.yaml")),
];

pub(crate) const CA_CRT: &str = include_str!("../../../assets/pki/ca.crt");
const CA_KEY: &str = include_str!("../../../assets/pki/ca.key");

/// The Certificate cert-manager keeps issuing into `shop/shop-gateway-tls`.
const CERTIFICATE: &str = "shop-gateway";

/// Installs the CRDs (a cluster with Gateway API, cert-manager, External Secrets and Sealed
/// Secrets), with no objects of theirs. They were installed before any object of theirs was
/// made: two to four months ago.
pub fn install_crds(store: &Store, now: Timestamp) -> Result<(), String> {
    let installed = now - SignedDuration::from_hours(24 * 60);
    for obj in parse_yaml(CRDS_YAML).map_err(|e| format!("assets/demo/custom/00-crds.yaml: {e}"))? {
        insert(store, obj, installed).map_err(|e| format!("assets/demo/custom/00-crds.yaml: {e}"))?;
    }
    Ok(())
}

/// Installs the CRDs and loads the demo objects of this module.
pub fn load(store: &Store, now: Timestamp) -> Result<(), String> {
    install_crds(store, now)?;
    for (file, text) in DEMO_YAML {
        for mut obj in parse_yaml(text).map_err(|e| format!("assets/demo/{file}: {e}"))? {
            settle(&mut obj, now);
            insert(store, obj, now).map_err(|e| format!("assets/demo/{file}: {e}"))?;
        }
    }
    for secret in tls_secrets(now)? {
        insert(store, secret, now)?;
    }
    Ok(())
}

fn at(t: Timestamp, secs: i64) -> String {
    rfc3339(t.checked_add(SignedDuration::from_secs(secs)).unwrap_or(t))
}

/// The last time the clock showed `hour`:00 UTC, at or before `now`.
fn last_at_hour(now: Timestamp, hour: i64) -> Timestamp {
    let secs = now.as_second();
    let mut t = secs.div_euclid(86_400) * 86_400 + hour * 3600;
    if t > secs {
        t -= 86_400;
    }
    Timestamp::from_second(t).unwrap_or(now)
}

/// When cert-manager issued the Certificate's current certificate, and its validity.
fn issued(now: Timestamp) -> (Timestamp, Timestamp) {
    let from = created_at(CERTIFICATE, now) + SignedDuration::from_secs(30);
    (from, from + SignedDuration::from_hours(24 * 90))
}

/// Fills the times a controller would have written, relative to the object's creation (which
/// `data::insert` sets from its name) and to `now`.
fn settle(obj: &mut Value, now: Timestamp) {
    let name = meta(obj, "name");
    let kind = obj.get("kind").and_then(Value::as_str).unwrap_or("").to_string();
    let created = created_at(&name, now);
    if let Some(status) = obj.get_mut("status") {
        let extra: &[&str] = match kind.as_str() {
            "Job" => &["lastProbeTime"],
            "SealedSecret" => &["lastUpdateTime"],
            _ => &[],
        };
        fill_condition_times(status, &at(created, 60), extra);
    }
    match kind.as_str() {
        "Job" if obj.pointer("/spec/selector").is_none() => {
            // The selector the server generates from the uid (`kinds::apply_defaults`), made
            // here from the fixed uid of the manifest, which `data::insert` puts back only after
            // the defaults ran.
            let uid = meta(obj, "uid");
            obj["spec"]["selector"] = json!({"matchLabels": {"batch.kubernetes.io/controller-uid": uid}});
            if let Some(labels) = obj.pointer_mut("/spec/template/metadata/labels").and_then(Value::as_object_mut) {
                for (k, v) in [
                    ("batch.kubernetes.io/controller-uid", &uid),
                    ("batch.kubernetes.io/job-name", &name),
                    ("controller-uid", &uid),
                    ("job-name", &name),
                ] {
                    labels.insert(k.into(), json!(v));
                }
            }
            settle_job(obj, created);
        }
        "Job" => settle_job(obj, created),
        "CronJob" => {
            let last = last_at_hour(now, 2);
            if last > created {
                obj["status"]["lastScheduleTime"] = json!(rfc3339(last));
                obj["status"]["lastSuccessfulTime"] = json!(at(last, 192));
            }
        }
        "PersistentVolume" => obj["status"]["lastPhaseTransitionTime"] = json!(at(created, 5)),
        "Certificate" => {
            let (from, until) = issued(now);
            obj["status"]["notBefore"] = json!(rfc3339(from));
            obj["status"]["notAfter"] = json!(rfc3339(until));
            obj["status"]["renewalTime"] = json!(rfc3339(until - SignedDuration::from_hours(24 * 30)));
            if let Some(conditions) = obj.pointer_mut("/status/conditions").and_then(Value::as_array_mut) {
                for c in conditions {
                    c["lastTransitionTime"] = json!(rfc3339(from));
                }
            }
        }
        "ExternalSecret" => obj["status"]["refreshTime"] = json!(at(now, -17 * 60)),
        "Secret" => {
            // kube-apiserver records the day a legacy token was last used (1.29+).
            if let Some(label) = obj.pointer_mut("/metadata/labels/kubernetes.io~1legacy-token-last-used") {
                let day = (now - SignedDuration::from_hours(72)).to_zoned(jiff::tz::TimeZone::UTC).date();
                *label = json!(day.to_string());
            }
        }
        _ => {}
    }
}

/// A finished Job ran for 47 seconds, starting two seconds after it was created.
fn settle_job(obj: &mut Value, created: Timestamp) {
    if obj.pointer("/status/succeeded").and_then(Value::as_i64).unwrap_or(0) == 0 {
        return;
    }
    let done = at(created, 49);
    obj["status"]["startTime"] = json!(at(created, 2));
    obj["status"]["completionTime"] = json!(done);
    if let Some(conditions) = obj.pointer_mut("/status/conditions").and_then(Value::as_array_mut) {
        for c in conditions {
            c["lastTransitionTime"] = json!(done);
            c["lastProbeTime"] = json!(done);
        }
    }
}

/// Gives every condition under `v` (any `conditions` list, listeners' included) the
/// `lastTransitionTime` it lacks, and the other time fields in `extra`.
fn fill_condition_times(v: &mut Value, time: &str, extra: &[&str]) {
    match v {
        Value::Object(m) => {
            for (k, child) in m.iter_mut() {
                if k == "conditions"
                    && let Value::Array(items) = child
                {
                    for c in items.iter_mut().filter_map(Value::as_object_mut) {
                        for field in std::iter::once(&"lastTransitionTime").chain(extra) {
                            c.entry(*field).or_insert_with(|| json!(time));
                        }
                    }
                } else {
                    fill_condition_times(child, time, extra);
                }
            }
        }
        Value::Array(items) => {
            for item in items {
                fill_condition_times(item, time, extra);
            }
        }
        _ => {}
    }
}

/// A certificate for `names` (the first is the common name), signed by the demo CA.
pub(crate) fn signed(names: &[&str], from: Timestamp, until: Timestamp) -> Result<(String, String), String> {
    let err = |e: rcgen::Error| format!("cannot make a demo certificate: {e}");
    let ca_key = rcgen::KeyPair::from_pem(CA_KEY).map_err(err)?;
    let issuer = rcgen::Issuer::from_ca_cert_pem(CA_CRT, ca_key).map_err(err)?;
    let key = rcgen::KeyPair::generate().map_err(err)?;
    let mut params =
        rcgen::CertificateParams::new(names.iter().map(|n| (*n).to_string()).collect::<Vec<_>>()).map_err(err)?;
    params.distinguished_name = rcgen::DistinguishedName::new();
    params.distinguished_name.push(rcgen::DnType::CommonName, names[0]);
    let to_time = |t: Timestamp| {
        time::OffsetDateTime::from_unix_timestamp(t.as_second()).unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
    };
    params.not_before = to_time(from);
    params.not_after = to_time(until);
    let cert = params.signed_by(&key, &issuer).map_err(err)?;
    Ok((cert.pem(), key.serialize_pem()))
}

/// `shop/shop-gateway-tls` as cert-manager writes it for the Certificate `shop-gateway`
/// (`pkg/controller/certificates/issuing/internal/secret.go` setValues,
/// `internal/controller/certificates` AnnotationsForCertificate), and `monitoring/grafana-tls`,
/// a TLS Secret nobody manages.
fn tls_secrets(now: Timestamp) -> Result<Vec<Value>, String> {
    let names = ["shop.example.com", "www.shop.example.com"];
    let (from, until) = issued(now);
    let (crt, key) = signed(&names, from, until)?;
    let shop = json!({
        "apiVersion": "v1", "kind": "Secret",
        "metadata": {
            "name": "shop-gateway-tls", "namespace": "shop",
            "labels": {"controller.cert-manager.io/fao": "true"},
            "annotations": {
                "cert-manager.io/alt-names": names.join(","),
                "cert-manager.io/certificate-name": CERTIFICATE,
                "cert-manager.io/common-name": names[0],
                "cert-manager.io/ip-sans": "",
                "cert-manager.io/issuer-group": "cert-manager.io",
                "cert-manager.io/issuer-kind": "ClusterIssuer",
                "cert-manager.io/issuer-name": "keyhole-demo-ca",
                "cert-manager.io/uri-sans": ""
            }
        },
        "type": "kubernetes.io/tls",
        "data": {"tls.crt": encode_value(crt.as_bytes()), "tls.key": encode_value(key.as_bytes()),
                 "ca.crt": encode_value(CA_CRT.as_bytes())}
    });
    let (crt, key) = signed(
        &["grafana.example.com"],
        now - SignedDuration::from_hours(24 * 100),
        now + SignedDuration::from_hours(24 * 265),
    )?;
    let grafana = json!({
        "apiVersion": "v1", "kind": "Secret",
        "metadata": {"name": "grafana-tls", "namespace": "monitoring"},
        "type": "kubernetes.io/tls",
        "data": {"tls.crt": encode_value(crt.as_bytes()), "tls.key": encode_value(key.as_bytes())}
    });
    Ok(vec![shop, grafana])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources::RESOURCES;

    fn loaded() -> Store {
        let store = Store::new(10_000);
        crate::data::load(&store, Timestamp::now(), 0).unwrap();
        load(&store, Timestamp::now()).unwrap();
        store
    }

    #[test]
    fn every_demo_crd_is_served_and_every_custom_object_has_its_crd() {
        let store = loaded();
        let served = crate::crd::served(&store);
        for name in CRDS {
            assert!(served.iter().any(|d| d.key() == *name), "{name} is not served");
        }
        let s = store.lock();
        for def in &served {
            for ((ns, name), obj) in s.iter(def.key(), None, None) {
                assert_eq!(obj["kind"], def.kind, "{ns}/{name}");
            }
        }
        assert_eq!(s.count("gateways.gateway.networking.k8s.io"), 1);
        assert_eq!(s.count("sealedsecrets.bitnami.com"), 1);
    }

    #[test]
    fn demo_objects_have_no_unknown_fields_and_validate() {
        let store = loaded();
        let served = crate::crd::served(&store);
        let s = store.lock();
        for def in RESOURCES.iter().filter(|r| r.stored).chain(served.iter().copied()) {
            for ((ns, name), obj) in s.iter(def.key(), None, None) {
                let mut copy = (**obj).clone();
                assert_eq!(crate::objects::take_unknown_fields(def, &mut copy), Vec::<String>::new(), "{ns}/{name}");
                assert!(crate::kinds::validate(def, obj).is_empty(), "{ns}/{name}");
            }
        }
    }

    #[test]
    fn times_are_relative_to_the_start() {
        let now = Timestamp::now();
        let store = Store::new(10_000);
        crate::data::load(&store, now, 0).unwrap();
        load(&store, now).unwrap();
        let s = store.lock();
        let cron = s.get("cronjobs", "shop", "nightly-backup").unwrap();
        let last: Timestamp = cron["status"]["lastScheduleTime"].as_str().unwrap().parse().unwrap();
        assert!(now.duration_since(last) < SignedDuration::from_hours(24), "{last}");
        let cert = s.get("certificates.cert-manager.io", "shop", "shop-gateway").unwrap();
        let renew: Timestamp = cert["status"]["renewalTime"].as_str().unwrap().parse().unwrap();
        assert!(renew > now);
        let secret = s.get("secrets", "shop", "shop-gateway-tls").unwrap();
        assert_eq!(secret["metadata"]["annotations"]["cert-manager.io/certificate-name"], "shop-gateway");
        let gw = s.get("gateways.gateway.networking.k8s.io", "infra", "shared-gateway").unwrap();
        assert!(gw.pointer("/status/listeners/2/conditions/2/lastTransitionTime").is_some());
        let token = s.get("secrets", "shop", "deployer-token-7xk2p").unwrap();
        assert_ne!(token["metadata"]["labels"]["kubernetes.io/legacy-token-last-used"], "2000-01-01");
    }

    #[test]
    fn a_cluster_without_cert_manager_keeps_the_secrets() {
        let store = loaded();
        crate::crd::uninstall(&store, &["cert-manager.io".to_string()]);
        assert!(crate::crd::served(&store).iter().all(|d| d.group != "cert-manager.io"));
        let s = store.lock();
        assert_eq!(s.count("certificates.cert-manager.io"), 0);
        assert!(s.get("secrets", "shop", "shop-gateway-tls").is_some());
        assert!(s.get("customresourcedefinitions", "", "gateways.gateway.networking.k8s.io").is_some());
    }
}
