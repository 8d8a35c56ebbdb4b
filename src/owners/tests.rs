//! Table tests: each owner from each field that names it, a case that must not name it, the
//! merge of findings, the custom-resource index and what it says when a kind is refused.

use std::collections::HashSet;

use serde_json::json;

use super::writers::writer_from;
use super::*;
use crate::secret::types;

/// A Secret's metadata as a Table row carries it, read through the filtered decoder.
fn meta(type_: &str, name: &str, metadata: serde_json::Value) -> OwnedMeta {
    #[derive(serde::Deserialize)]
    struct M {
        #[serde(default, deserialize_with = "marks::de_labels")]
        labels: Marks,
        #[serde(default, deserialize_with = "marks::de_annotations")]
        annotations: Marks,
        #[serde(default, rename = "ownerReferences", deserialize_with = "marks::de_owner_refs")]
        owner_references: Vec<OwnerRef>,
    }
    let m: M = serde_json::from_value(metadata).unwrap();
    OwnedMeta {
        type_: type_.into(),
        namespace: "shop".into(),
        name: name.into(),
        labels: m.labels,
        annotations: m.annotations,
        owner_references: m.owner_references,
    }
}

fn owned(api_version: &str, kind: &str, name: &str, controller: bool) -> serde_json::Value {
    json!({"apiVersion": api_version, "kind": kind, "name": name, "uid": "u", "controller": controller})
}

#[test]
fn owners_from_the_secrets_own_metadata() {
    let opaque = types::OPAQUE;
    let cases: Vec<(&str, OwnedMeta, Vec<Manager>)> = vec![
        ("nothing marks it", meta(opaque, "plain", json!({"labels": {"app": "web"}})), vec![]),
        (
            "a Helm release record, from its labels",
            meta(
                types::HELM_RELEASE,
                "sh.helm.release.v1.shop.v3",
                json!({"labels": {"owner": "helm", "name": "shop", "version": "3", "status": "deployed"}}),
            ),
            vec![Manager::HelmRecord {
                release: "shop".into(),
                revision: Some("3".into()),
                status: Some("deployed".into()),
            }],
        ),
        (
            "a Helm release record without labels: the name Helm gives it",
            meta(types::HELM_RELEASE, "sh.helm.release.v1.my.app.v12", json!({})),
            vec![Manager::HelmRecord { release: "my.app".into(), revision: Some("12".into()), status: None }],
        ),
        (
            "owner=helm on another type is not a release record",
            meta(opaque, "x", json!({"labels": {"owner": "helm", "name": "shop"}})),
            vec![],
        ),
        (
            "a chart's Secret: label and release annotations",
            meta(
                opaque,
                "shop-db",
                json!({"labels": {"app.kubernetes.io/managed-by": "Helm"},
                       "annotations": {"meta.helm.sh/release-name": "shop", "meta.helm.sh/release-namespace": "shop"}}),
            ),
            vec![Manager::Helm { release: Some("shop".into()), namespace: None }],
        ),
        (
            "a release in another namespace is named with it",
            meta(
                opaque,
                "shop-db",
                json!({"annotations": {"meta.helm.sh/release-name": "shop", "meta.helm.sh/release-namespace": "ops"}}),
            ),
            vec![Manager::Helm { release: Some("shop".into()), namespace: Some("ops".into()) }],
        ),
        (
            "the label alone: a chart, no release named",
            meta(opaque, "x", json!({"labels": {"app.kubernetes.io/managed-by": "Helm"}})),
            vec![Manager::Helm { release: None, namespace: None }],
        ),
        (
            "managed-by another tool is not Helm",
            meta(opaque, "x", json!({"labels": {"app.kubernetes.io/managed-by": "kustomize"}})),
            vec![],
        ),
        (
            "cert-manager's annotations name the Certificate and the issuer",
            meta(
                types::TLS,
                "web-tls",
                json!({"labels": {"controller.cert-manager.io/fao": "true"},
                       "annotations": {"cert-manager.io/certificate-name": "web-cert", "cert-manager.io/issuer-name": "ca",
                                       "cert-manager.io/issuer-kind": "ClusterIssuer", "cert-manager.io/issuer-group": "cert-manager.io",
                                       "cert-manager.io/common-name": "web.example"}}),
            ),
            vec![Manager::CertManager {
                certificate: Some("web-cert".into()),
                issuer: Some("ClusterIssuer ca".into()),
            }],
        ),
        (
            "an external issuer is named with its group",
            meta(
                types::TLS,
                "web-tls",
                json!({"annotations": {"cert-manager.io/certificate-name": "web-cert", "cert-manager.io/issuer-name": "pca",
                                       "cert-manager.io/issuer-kind": "AWSPCAClusterIssuer", "cert-manager.io/issuer-group": "awspca.cert-manager.io"}}),
            ),
            vec![Manager::CertManager {
                certificate: Some("web-cert".into()),
                issuer: Some("AWSPCAClusterIssuer.awspca.cert-manager.io pca".into()),
            }],
        ),
        (
            "cert-manager's label alone: no Certificate named",
            meta(types::TLS, "web-tls", json!({"labels": {"controller.cert-manager.io/fao": "true"}})),
            vec![Manager::CertManager { certificate: None, issuer: None }],
        ),
        (
            "an issuer annotation alone names no Certificate: nothing said",
            meta(types::TLS, "shop-tls", json!({"annotations": {"cert-manager.io/issuer-name": "ca"}})),
            vec![],
        ),
        (
            "the owner reference to a Certificate (--enable-certificate-owner-ref) is the same owner",
            meta(
                types::TLS,
                "web-tls",
                json!({"annotations": {"cert-manager.io/certificate-name": "web-cert"},
                       "ownerReferences": [owned("cert-manager.io/v1", "Certificate", "web-cert", true)]}),
            ),
            vec![Manager::CertManager { certificate: Some("web-cert".into()), issuer: None }],
        ),
        (
            "cert-manager's next private key",
            meta(
                opaque,
                "web-cert-x7k2p",
                json!({"labels": {"cert-manager.io/next-private-key": "true", "controller.cert-manager.io/fao": "true"},
                       "ownerReferences": [owned("cert-manager.io/v1", "Certificate", "web-cert", true)]}),
            ),
            vec![Manager::CertManagerNextKey { certificate: Some("web-cert".into()) }],
        ),
        (
            "an ExternalSecret's target: the owner reference and ESO's labels are one owner",
            meta(
                opaque,
                "db-creds",
                json!({"labels": {"reconcile.external-secrets.io/managed": "true", "reconcile.external-secrets.io/created-by": "3b2c"},
                       "annotations": {"reconcile.external-secrets.io/data-hash": "9f"},
                       "ownerReferences": [owned("external-secrets.io/v1", "ExternalSecret", "db", true)]}),
            ),
            vec![Manager::ExternalSecrets { external_secret: Some("db".into()), policy: None }],
        ),
        (
            "ESO's label without an owner reference (Merge, Orphan): the ExternalSecret is not named",
            meta(opaque, "db-creds", json!({"labels": {"reconcile.external-secrets.io/managed": "true"}})),
            vec![Manager::ExternalSecrets { external_secret: None, policy: None }],
        ),
        (
            "a SealedSecret's Secret",
            meta(
                opaque,
                "api-key",
                json!({"ownerReferences": [owned("bitnami.com/v1alpha1", "SealedSecret", "api-key", true)]}),
            ),
            vec![Manager::SealedSecrets { sealed_secret: "api-key".into() }],
        ),
        (
            "an Argo CD repository Secret",
            meta(opaque, "repo-shop", json!({"labels": {"argocd.argoproj.io/secret-type": "repository"}})),
            vec![Manager::ArgoCdConfig { secret_type: "repository".into() }],
        ),
        (
            "an Argo CD Application's Secret, by the tracking annotation",
            meta(opaque, "db", json!({"annotations": {"argocd.argoproj.io/tracking-id": "shop:/Secret:shop/db"}})),
            vec![Manager::ArgoCdApp { application: "shop".into() }],
        ),
        (
            "an Application outside Argo CD's namespace is namespace/name",
            meta(opaque, "db", json!({"annotations": {"argocd.argoproj.io/tracking-id": "team_shop:/Secret:shop/db"}})),
            vec![Manager::ArgoCdApp { application: "team/shop".into() }],
        ),
        (
            "a tracking id copied from another object is not Argo CD's",
            meta(opaque, "db-copy", json!({"annotations": {"argocd.argoproj.io/tracking-id": "shop:/Secret:shop/db"}})),
            vec![],
        ),
        (
            "by the tracking label; Argo CD's rendering of a chart is not a Helm release",
            meta(
                opaque,
                "db",
                json!({"labels": {"argocd.argoproj.io/instance": "shop", "app.kubernetes.io/managed-by": "Helm"}}),
            ),
            vec![Manager::ArgoCdApp { application: "shop".into() }],
        ),
        (
            "app.kubernetes.io/instance alone is Helm's as much as Argo CD's: nothing said",
            meta(opaque, "db", json!({"labels": {"app.kubernetes.io/instance": "shop"}})),
            vec![],
        ),
        (
            "a service-account token",
            meta(
                types::SERVICE_ACCOUNT_TOKEN,
                "build-robot-token",
                json!({"annotations": {"kubernetes.io/service-account.name": "build-robot"}}),
            ),
            vec![Manager::TokenController { service_account: Some("build-robot".into()) }],
        ),
        (
            "any owner reference, controller or not",
            meta(
                opaque,
                "x",
                json!({"ownerReferences": [owned("example.com/v1", "Database", "orders", true),
                                           owned("v1", "ConfigMap", "keep", false)]}),
            ),
            vec![
                Manager::OwnedBy {
                    api_version: "example.com/v1".into(),
                    kind: "Database".into(),
                    name: "orders".into(),
                    controller: true,
                },
                Manager::OwnedBy {
                    api_version: "v1".into(),
                    kind: "ConfigMap".into(),
                    name: "keep".into(),
                    controller: false,
                },
            ],
        ),
        (
            "null maps and lists, as Go writes them, are none",
            meta(opaque, "x", json!({"labels": null, "annotations": null, "ownerReferences": null})),
            vec![],
        ),
    ];
    for (what, m, want) in cases {
        let got: Vec<Manager> = detect(m.meta()).into_iter().map(|o| o.manager).collect();
        assert_eq!(got, want, "{what}");
    }
}

#[test]
fn the_decoder_keeps_only_the_marks_it_knows() {
    let m = meta(
        types::OPAQUE,
        "x",
        json!({"annotations": {
            "kubectl.kubernetes.io/last-applied-configuration": "{\"data\":{\"password\":\"czNjcjN0\"}}",
            "meta.helm.sh/release-name": "shop"}}),
    );
    assert_eq!(m.annotations, Marks::from_pairs(marks::ANNOTATIONS, [("meta.helm.sh/release-name", "shop")]));
    assert!(!format!("{m:?}").contains("czNjcjN0"), "the last-applied copy is not kept");
    // An opened Secret's metadata gives the same marks.
    let object: k8s_openapi::api::core::v1::Secret = serde_json::from_value(json!({
        "metadata": {"name": "x", "namespace": "shop", "annotations": {
            "kubectl.kubernetes.io/last-applied-configuration": "{}", "meta.helm.sh/release-name": "shop"}}
    }))
    .unwrap();
    let full = OwnedMeta::from_object_meta(types::OPAQUE, &object.metadata);
    assert_eq!(full.annotations, m.annotations);
    assert_eq!((full.namespace.as_str(), full.name.as_str()), ("shop", "x"));
}

#[test]
fn each_owner_says_what_becomes_of_an_edit_and_a_delete() {
    let cert = Owner::new(Manager::CertManager { certificate: Some("web-cert".into()), issuer: None }, "x");
    assert_eq!(cert.summary(), "cert-manager Certificate web-cert re-issues it: your edit will be replaced");
    assert!(cert.on_delete().contains("new certificate"));
    let helm = Owner::new(Manager::Helm { release: Some("shop".into()), namespace: None }, "x");
    assert!(helm.summary().contains("next helm upgrade"), "{}", helm.summary());
    let orphan =
        Owner::new(Manager::ExternalSecrets { external_secret: Some("db".into()), policy: Some("Orphan".into()) }, "x");
    assert!(orphan.summary().contains("stays until its next refresh"));
    let merge_policy =
        Owner::new(Manager::ExternalSecrets { external_secret: Some("db".into()), policy: Some("Merge".into()) }, "x");
    assert!(merge_policy.on_delete().contains("does not create it again"));
    let repo = Owner::new(Manager::ArgoCdConfig { secret_type: "repository".into() }, "x");
    assert!(repo.summary().contains("a repository's credentials") && repo.reads_it());
    let gc = Owner::new(
        Manager::OwnedBy { api_version: "v1".into(), kind: "ConfigMap".into(), name: "keep".into(), controller: false },
        "x",
    );
    assert!(!gc.asks() && cert.asks() && repo.asks());
    assert_eq!(shorts(&[cert.clone(), cert, repo]), ["cert-manager", "argocd"]);
}

fn writer(kind: WriterKind, ns: &str, name: &str, secret: &str) -> WriterEvent {
    WriterEvent::Upserted {
        kind,
        namespace: ns.into(),
        name: name.into(),
        writes: Some(Writer {
            kind,
            namespace: ns.into(),
            name: name.into(),
            secret: secret.into(),
            policy: (kind == WriterKind::ExternalSecret).then(|| "Owner".into()),
        }),
    }
}

#[test]
fn custom_resources_name_the_secrets_they_write() {
    /// The Secret written and the creation policy.
    type Writes<'a> = Option<(&'a str, Option<&'a str>)>;
    let cases: Vec<(&str, WriterKind, serde_json::Value, Writes)> = vec![
        (
            "a Certificate's spec.secretName",
            WriterKind::Certificate,
            json!({"metadata": {"name": "web-cert", "namespace": "shop"}, "spec": {"secretName": "web-tls"}}),
            Some(("web-tls", None)),
        ),
        (
            "a Certificate without secretName writes nothing",
            WriterKind::Certificate,
            json!({"metadata": {"name": "web-cert", "namespace": "shop"}, "spec": {}}),
            None,
        ),
        (
            "an ExternalSecret's target name",
            WriterKind::ExternalSecret,
            json!({"metadata": {"name": "db", "namespace": "shop"}, "spec": {"target": {"name": "db-creds", "creationPolicy": "Merge"}}}),
            Some(("db-creds", Some("Merge"))),
        ),
        (
            "an ExternalSecret without a target name writes a Secret of its own name",
            WriterKind::ExternalSecret,
            json!({"metadata": {"name": "db", "namespace": "shop"}, "spec": {}}),
            Some(("db", Some("Owner"))),
        ),
        (
            "creationPolicy None writes no Secret",
            WriterKind::ExternalSecret,
            json!({"metadata": {"name": "db", "namespace": "shop"}, "spec": {"target": {"creationPolicy": "None"}}}),
            None,
        ),
    ];
    for (what, kind, obj, want) in cases {
        let s = |p: &str| obj.pointer(p).and_then(serde_json::Value::as_str).unwrap_or_default();
        let got = writer_from(kind, s("/metadata/namespace"), s("/metadata/name"), obj.get("spec"));
        assert_eq!(got.as_ref().map(|w| (w.secret.as_str(), w.policy.as_deref())), want, "{what}");
    }
}

#[test]
fn the_writers_index_follows_its_watch_and_merges_with_the_metadata() {
    let mut w = Writers::new();
    w.apply(writer(WriterKind::Certificate, "shop", "web-cert", "web-tls"));
    w.apply(writer(WriterKind::ExternalSecret, "shop", "db", "db-creds"));
    // The annotation and the Certificate name one owner; the Certificate alone names it too.
    let annotated =
        vec![Owner::new(Manager::CertManager { certificate: Some("web-cert".into()), issuer: None }, "annotation")];
    let owners = w.owners(&annotated, "shop", "web-tls");
    assert_eq!(owners.len(), 1);
    assert_eq!(owners[0].from, ["annotation", "Certificate spec.secretName"]);
    assert_eq!(w.owners(&[], "shop", "web-tls")[0].summary(), annotated[0].summary());
    // ESO's label (no name) and the ExternalSecret are one owner, named.
    let labelled = vec![Owner::new(Manager::ExternalSecrets { external_secret: None, policy: None }, "label")];
    let owners = w.owners(&labelled, "shop", "db-creds");
    assert_eq!(
        owners.iter().map(|o| &o.manager).collect::<Vec<_>>(),
        [&Manager::ExternalSecrets { external_secret: Some("db".into()), policy: Some("Owner".into()) }]
    );
    // Another namespace, another Secret: nothing.
    assert!(w.owners(&[], "ops", "web-tls").is_empty());
    // The Certificate now writes another Secret.
    w.apply(writer(WriterKind::Certificate, "shop", "web-cert", "web-tls-2"));
    assert!(w.of("shop", "web-tls").is_empty());
    assert_eq!(w.of("shop", "web-tls-2").len(), 1);
    // A relist without it drops it; the other kind stays.
    w.apply(WriterEvent::Synced { kind: WriterKind::Certificate, present: HashSet::new() });
    assert!(w.of("shop", "web-tls-2").is_empty());
    assert_eq!(w.of("shop", "db-creds").len(), 1);
    w.apply(WriterEvent::Removed { kind: WriterKind::ExternalSecret, namespace: "shop".into(), name: "db".into() });
    assert!(w.is_empty());
}

#[test]
fn a_refused_kind_is_said_only_where_it_matters() {
    let mut w = Writers::new();
    assert!(w.unknown(types::TLS, &[]).is_empty(), "not installed, or not known yet: nothing said");
    w.apply(WriterEvent::Refused {
        kind: WriterKind::Certificate,
        reason: "listing them was refused (forbidden)".into(),
    });
    let said = w.unknown(types::TLS, &[]);
    assert_eq!(said, ["Cannot tell from Certificates whether one writes it: listing them was refused (forbidden)"]);
    assert!(w.unknown(types::OPAQUE, &[]).is_empty(), "cert-manager writes TLS Secrets");
    let known = [Owner::new(Manager::CertManager { certificate: Some("c".into()), issuer: None }, "annotation")];
    assert!(w.unknown(types::TLS, &known).is_empty(), "the annotation already names it");
    w.apply(WriterEvent::Refused {
        kind: WriterKind::ExternalSecret,
        reason: "listing them was refused (forbidden)".into(),
    });
    assert_eq!(w.unknown(types::OPAQUE, &[]).len(), 1);
    assert!(w.unknown(types::SERVICE_ACCOUNT_TOKEN, &[]).is_empty());
    // Listed after all (a new role): nothing unknown.
    w.apply(WriterEvent::Synced { kind: WriterKind::Certificate, present: HashSet::new() });
    assert_eq!(w.unknown(types::TLS, &[]).len(), 1, "only ExternalSecrets are unknown now");
    assert!(w.unknown(types::TLS, &[])[0].starts_with("Cannot tell from ExternalSecrets"));
}

#[test]
fn a_copy_loses_the_marks_its_managers_know_it_by() {
    use std::collections::BTreeMap;
    let map = |pairs: &[(&str, &str)]| -> Option<BTreeMap<String, String>> {
        Some(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect())
    };
    let mut labels = map(&[("app", "web"), ("name", "web"), ("app.kubernetes.io/managed-by", "Helm")]);
    let mut annotations = map(&[
        ("meta.helm.sh/release-name", "shop"),
        ("note", "kept"),
        ("kubernetes.io/service-account.name", "build-robot"),
    ]);
    let removed = marks::strip_for_copy(types::OPAQUE, &mut labels, &mut annotations);
    assert_eq!(removed, ["app.kubernetes.io/managed-by", "meta.helm.sh/release-name"]);
    assert_eq!(labels, map(&[("app", "web"), ("name", "web")]), "a plain name label is not Helm's");
    assert_eq!(annotations, map(&[("kubernetes.io/service-account.name", "build-robot"), ("note", "kept")]));
    // A copy of a release record would be read by Helm as one of its revisions.
    let mut labels = map(&[("owner", "helm"), ("name", "shop"), ("version", "3"), ("status", "deployed")]);
    let removed = marks::strip_for_copy(types::HELM_RELEASE, &mut labels, &mut None);
    assert_eq!(removed.len(), 4);
    assert_eq!(labels, Some(BTreeMap::new()));
}
