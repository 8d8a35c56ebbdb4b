//! `keyhole access`: the real binary against the embedded cluster through a kubeconfig. The JSON
//! names each demo subject with the binding, role and rule that let it read the Secret; a user
//! who may not list RBAC objects is told so and gets their own access; and, with kubectl, every
//! subject's answer agrees with `kubectl auth can-i ... --as SUBJECT`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::Output;

use k8s_openapi::api::core::v1::Secret;
use keyhole_apiserver::DemoServer;
use kube::api::Api;
use serde_json::Value;

struct Cluster {
    server: DemoServer,
    dir: tempfile::TempDir,
    kubeconfig: PathBuf,
}

async fn cluster() -> Cluster {
    let server = common::demo().await;
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = dir.path().join("kubeconfig");
    std::fs::write(&kubeconfig, server.kubeconfig()).unwrap();
    Cluster { server, dir, kubeconfig }
}

impl Cluster {
    async fn access(&self, args: &[&str]) -> Output {
        let mut all = vec!["access", "--kubeconfig", self.kubeconfig.to_str().unwrap()];
        all.extend_from_slice(args);
        tokio::process::Command::new(env!("CARGO_BIN_EXE_keyhole"))
            .args(&all)
            .env("HOME", self.dir.path())
            .env_remove("KUBECONFIG")
            .output()
            .await
            .expect("keyhole runs")
    }

    async fn report(&self, ns: &str, name: &str) -> Value {
        let out = self.access(&["-n", ns, name, "-o", "json"]).await;
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        json(&out)
    }

    /// The values of a Secret, decoded, for checking that none is printed.
    async fn values(&self, ns: &str, name: &str) -> Vec<String> {
        let api: Api<Secret> = Api::namespaced(self.server.client("admin").await.unwrap(), ns);
        let s = api.get(name).await.unwrap();
        s.data.into_iter().flatten().map(|(_, v)| String::from_utf8_lossy(&v.0).into_owned()).collect()
    }
}

fn json(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!("JSON ({e}):\n{}\n{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
    })
}

fn subject<'a>(report: &'a Value, kind: &str, name: &str) -> Option<&'a Value> {
    report["subjects"].as_array().unwrap().iter().find(|s| s["subject"]["kind"] == kind && s["subject"]["name"] == name)
}

#[tokio::test]
async fn json_names_each_subject_with_the_path_that_grants_it() {
    let c = cluster().await;
    let r = c.report("default", "mysecret").await;
    assert_eq!(r["complete"], true);
    let jane = subject(&r, "User", "jane").expect("jane reads mysecret");
    assert_eq!(jane["reads"], true);
    let path = &jane["paths"][0];
    assert_eq!(path["via"], serde_json::json!({"kind": "read", "verbs": ["get"], "byName": true}));
    assert_eq!(path["reach"], "thisSecret");
    assert_eq!(
        path["binding"],
        serde_json::json!({"kind": "RoleBinding", "name": "jane-reads-mysecret", "namespace": "default"})
    );
    assert_eq!(path["role"]["name"], "mysecret-reader");
    assert!(path["rule"].as_str().unwrap().contains(r#"ResourceNames:["mysecret"]"#), "{path}");
    let devs = subject(&r, "Group", "developers").expect("developers list every Secret");
    let flags = &devs["paths"][0]["broad"];
    assert!(flags.as_array().unwrap().contains(&"list-where-get-would".into()), "{devs}");
    let masters = subject(&r, "Group", "system:masters").unwrap();
    assert_eq!(masters["builtin"], true);
    // The Pods that mount it run as default/default.
    let sa = subject(&r, "ServiceAccount", "default").unwrap();
    assert_eq!(sa["paths"][0]["via"]["kind"], "runsPods");
    assert!(subject(&r, "User", "rotator").is_none(), "rotator reads only in shop");
    // In shop: the aggregated role, the group with edit, the account that creates Pods.
    let r = c.report("shop", "shop-db").await;
    let rotator = subject(&r, "User", "rotator").unwrap();
    assert_eq!(rotator["paths"][0]["role"]["aggregatedFrom"], "secret-rotation:secrets");
    assert_eq!(subject(&r, "Group", "shop-team").unwrap()["reads"], true);
    let frontend = subject(&r, "ServiceAccount", "shop-frontend").unwrap();
    assert_eq!(frontend["reads"], false);
    assert_eq!(frontend["paths"][0]["via"], serde_json::json!({"kind": "createPods", "resources": ["pods"]}));
    assert!(subject(&r, "User", "jane").is_none());
}

#[tokio::test]
async fn the_table_says_who_and_how_and_prints_no_value() {
    let c = cluster().await;
    let out = c.access(&["-n", "default", "mysecret"]).await;
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.starts_with("SUBJECT"), "{text}");
    let jane = text.lines().find(|l| l.starts_with("User jane")).expect("a row for jane");
    assert!(
        jane.contains("get (by name)")
            && jane.contains("RoleBinding default/jane-reads-mysecret → Role mysecret-reader"),
        "{jane}"
    );
    for v in c.values("default", "mysecret").await.iter().filter(|v| v.len() >= 6) {
        assert!(!text.contains(v.as_str()), "a value was printed");
    }
}

#[tokio::test]
async fn without_permission_to_list_rbac_only_your_own_access_is_said() {
    let c = cluster().await;
    let out = c.access(&["--context", "keyhole-demo-team", "-n", "shop", "shop-db", "-o", "json"]).await;
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let r = json(&out);
    assert_eq!(r["complete"], false);
    assert_eq!(r["selfCheck"]["get"], true);
    assert_eq!(r["selfCheck"]["list"], true);
    // shop-dev may do anything to `pods` in shop, but `pods` does not cover `pods/exec`.
    assert_eq!(r["selfCheck"]["createPods"], true);
    assert_eq!(r["selfCheck"]["execPods"], false);
    assert!(r["selfCheck"]["why"].as_str().unwrap().contains("forbidden"), "{r}");
    assert!(r["subjects"].as_array().unwrap().iter().all(|s| s["reads"] == false), "no reader is claimed: {r}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("who else can read it is unknown"), "{err}");
    // The table starts with what you may do.
    let out = c.access(&["--context", "keyhole-demo-team", "-n", "shop", "shop-db"]).await;
    assert!(
        String::from_utf8_lossy(&out.stdout)
            .starts_with("YOU   get yes   list yes   watch yes   create pods yes   pods/exec no")
    );
    // Outside shop shop-dev may do none of it.
    let out = c.access(&["--context", "keyhole-demo-team", "-n", "default", "mysecret", "-o", "json"]).await;
    let r = json(&out);
    for k in ["get", "list", "watch", "createPods", "execPods"] {
        assert_eq!(r["selfCheck"][k], false, "{k}: {r}");
    }
}

#[tokio::test]
async fn a_missing_secret_and_all_namespaces_are_errors() {
    let c = cluster().await;
    let out = c.access(&["-n", "default", "no-such-secret"]).await;
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("there is no Secret \"no-such-secret\""));
    let out = c.access(&["-A", "mysecret"]).await;
    assert_eq!(out.status.code(), Some(2));
}

/// kubectl's flags to act as a subject of the report.
fn as_flags(s: &Value) -> Vec<String> {
    let name = s["name"].as_str().unwrap();
    match s["kind"].as_str().unwrap() {
        "User" => vec!["--as".into(), name.into()],
        "Group" => vec!["--as".into(), "keyhole-access-probe".into(), "--as-group".into(), name.into()],
        _ => vec!["--as".into(), format!("system:serviceaccount:{}:{name}", s["namespace"].as_str().unwrap())],
    }
}

async fn can_i(dir: &std::path::Path, verb: &str, ns: &str, name: &str, subject: &Value) -> bool {
    let what = if verb == "get" { format!("secret/{name}") } else { "secrets".to_string() };
    let mut args: Vec<String> = vec!["auth".into(), "can-i".into(), verb.into(), what, "-n".into(), ns.into()];
    args.extend(as_flags(subject));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (ok, out, err) = common::run_kubectl(dir, &args, None).await;
    // Members of system:unauthenticated alone may not even ask (no system:basic-user): the
    // review's own 403 is a no.
    let may_not_ask = err.contains("cannot create resource \"selfsubjectaccessreviews\"");
    assert!(ok || out.trim_start().starts_with("no") || may_not_ask, "kubectl {args:?}: {out} {err}");
    ok
}

/// Every subject named by a binding, as the report's JSON spells subjects.
async fn rbac_subjects(dir: &std::path::Path) -> BTreeSet<String> {
    let (ok, out, err) =
        common::run_kubectl(dir, &["get", "rolebindings,clusterrolebindings", "-A", "-o", "json"], None).await;
    assert!(ok, "{err}");
    let list: Value = serde_json::from_str(&out).unwrap();
    let mut all = BTreeSet::new();
    for b in list["items"].as_array().unwrap() {
        for s in b["subjects"].as_array().into_iter().flatten() {
            let v = match s["kind"].as_str().unwrap() {
                "ServiceAccount" => {
                    let ns = s["namespace"].as_str().or(b["metadata"]["namespace"].as_str()).unwrap();
                    serde_json::json!({"kind": "ServiceAccount", "namespace": ns, "name": s["name"]})
                }
                "User" if s["name"].as_str().unwrap().starts_with("system:serviceaccount:") => continue,
                k => serde_json::json!({"kind": k, "name": s["name"]}),
            };
            all.insert(v.to_string());
        }
    }
    all
}

#[tokio::test]
async fn every_subject_agrees_with_kubectl_auth_can_i() {
    let Some(_) = common::kubectl() else {
        eprintln!("skipped: kubectl is not installed");
        return;
    };
    let c = cluster().await;
    let dir = c.dir.path();
    let subjects = rbac_subjects(dir).await;
    assert!(subjects.len() > 10, "{subjects:?}");
    for (ns, name) in [("default", "mysecret"), ("shop", "shop-db")] {
        let r = c.report(ns, name).await;
        let mut readers = BTreeSet::new();
        for s in r["subjects"].as_array().unwrap().iter().filter(|s| s["reads"] == true) {
            readers.insert(s["subject"].to_string());
            let verbs: BTreeSet<String> = s["paths"]
                .as_array()
                .unwrap()
                .iter()
                .flat_map(|p| p["via"]["verbs"].as_array().cloned().unwrap_or_else(|| vec!["get".into()]))
                .map(|v| v.as_str().unwrap().to_string())
                .collect();
            for verb in verbs {
                assert!(
                    can_i(dir, &verb, ns, name, &s["subject"]).await,
                    "kubectl says {} may not {verb} {ns}/{name}",
                    s["subject"]
                );
            }
        }
        for s in subjects.iter().filter(|s| !readers.contains(*s)) {
            let subject: Value = serde_json::from_str(s).unwrap();
            for verb in ["get", "list", "watch"] {
                assert!(
                    !can_i(dir, verb, ns, name, &subject).await,
                    "kubectl says {s} may {verb} {ns}/{name}; keyhole says not"
                );
            }
        }
    }
}

#[tokio::test]
async fn exec_into_the_pods_that_mount_it_is_an_indirect_path_kubectl_agrees_with() {
    let c = cluster().await;
    let r = c.report("shop", "shop-db").await;
    let oncall = subject(&r, "User", "oncall").expect("oncall may exec into shop's Pods");
    assert_eq!(oncall["reads"], false);
    let via = &oncall["paths"][0]["via"];
    assert_eq!(via["kind"], "execInto", "{oncall}");
    assert_eq!(via["verbs"], serde_json::json!(["create"]));
    assert_eq!(via["subresources"], serde_json::json!(["pods/exec"]));
    assert!(via["consumers"].as_array().unwrap().contains(&"StatefulSet db".into()), "{via}");
    assert_eq!(oncall["paths"][0]["binding"]["name"], "oncall-debugs-pods");
    // A Secret no Pod reads: nothing to exec into, so oncall is not named.
    let unused = c.report("default", "mysecret").await;
    assert!(subject(&unused, "User", "oncall").is_none(), "{unused}");
    let Some(_) = common::kubectl() else {
        eprintln!("skipped the kubectl half: kubectl is not installed");
        return;
    };
    let dir = c.dir.path();
    let ask = |args: &'static [&'static str]| async move {
        let (ok, out, err) = common::run_kubectl(dir, args, None).await;
        assert!(ok || out.trim_start().starts_with("no"), "kubectl {args:?}: {out} {err}");
        ok
    };
    assert!(ask(&["auth", "can-i", "create", "pods", "--subresource=exec", "-n", "shop", "--as", "oncall"]).await);
    assert!(!ask(&["auth", "can-i", "get", "secret/shop-db", "-n", "shop", "--as", "oncall"]).await);
    assert!(!ask(&["auth", "can-i", "create", "pods", "--subresource=exec", "-n", "default", "--as", "oncall"]).await);
}

#[tokio::test]
async fn a_path_through_bind_is_one_the_cluster_lets_you_take() {
    let Some(_) = common::kubectl() else {
        eprintln!("skipped: kubectl is not installed");
        return;
    };
    let c = cluster().await;
    let dir = c.dir.path();
    let kubectl = |args: Vec<&'static str>| async move {
        let (ok, out, err) = common::run_kubectl(dir, &args, None).await;
        (ok, format!("{out}{err}"))
    };
    let setup: [Vec<&'static str>; 2] = [
        vec!["create", "role", "binder", "-n", "shop", "--verb=create", "--resource=rolebindings"],
        vec!["create", "rolebinding", "erin-binds", "-n", "shop", "--role=binder", "--user=erin"],
    ];
    for args in setup {
        let (ok, out) = kubectl(args).await;
        assert!(ok, "{out}");
    }
    let bind = vec!["create", "role", "bind-getter", "-n", "shop", "--verb=bind", "--resource=clusterroles"];
    let (ok, out) = kubectl(bind).await;
    assert!(ok, "{out}");
    let (ok, out) =
        kubectl(vec!["create", "rolebinding", "erin-may-bind", "-n", "shop", "--role=bind-getter", "--user=erin"])
            .await;
    assert!(ok, "{out}");
    // keyhole: erin reads nothing, but may bind herself to a role that reads shop-db.
    let r = c.report("shop", "shop-db").await;
    let erin = subject(&r, "User", "erin").expect("erin has a path");
    assert_eq!(erin["reads"], false);
    let via = &erin["paths"][0]["via"];
    assert_eq!(via["kind"], "bind", "{erin}");
    assert!(via["roles"].as_array().unwrap().contains(&"ClusterRole keyhole-demo:get-secrets".into()), "{via}");
    // The cluster agrees: the binding is allowed, and then she reads it.
    let (ok, out) = kubectl(vec![
        "create",
        "rolebinding",
        "erin-gets",
        "-n",
        "shop",
        "--clusterrole=keyhole-demo:get-secrets",
        "--user=erin",
        "--as",
        "erin",
    ])
    .await;
    assert!(ok, "{out}");
    let (ok, out) = kubectl(vec!["auth", "can-i", "get", "secret/shop-db", "-n", "shop", "--as", "erin"]).await;
    assert!(ok && out.trim_start().starts_with("yes"), "{out}");
}
