//! Two demo clusters and one unreachable context in one kubeconfig, for the fleet tests:
//! context `a` (cluster A's admin), `b` (cluster B's admin, where mysecret's password differs
//! and test-db-secret does not exist) and `down` (a loopback port nothing listens on).

use k8s_openapi::api::core::v1::Secret as K8sSecret;
use keyhole_apiserver::DemoServer;
use kube::api::{Api, DeleteParams, Patch, PatchParams};
use kube::config::Kubeconfig;

pub struct TwoClusters {
    pub a: DemoServer,
    pub b: DemoServer,
    pub kubeconfig: Kubeconfig,
}

impl TwoClusters {
    pub async fn start() -> TwoClusters {
        let (a, b) = tokio::join!(super::demo(), super::demo());
        let client = b.client("admin").await.unwrap();
        let secrets: Api<K8sSecret> = Api::namespaced(client, "default");
        let patch = serde_json::json!({"stringData": {"password": "another-password"}});
        secrets.patch("mysecret", &PatchParams::default(), &Patch::Merge(&patch)).await.unwrap();
        secrets.delete("test-db-secret", &DeleteParams::default()).await.unwrap();
        let kubeconfig = merged(&[("a", &a), ("b", &b)]);
        TwoClusters { a, b, kubeconfig }
    }

    /// The kubeconfig as a file's text (JSON: kubectl and kube-rs read it as YAML).
    pub fn text(&self) -> String {
        serde_json::to_string_pretty(&self.kubeconfig).unwrap()
    }
}

/// One context per server, named as given, with the server's admin user; plus `down`.
fn merged(servers: &[(&str, &DemoServer)]) -> Kubeconfig {
    let mut out = Kubeconfig::default();
    for (name, server) in servers {
        let k = Kubeconfig::from_yaml(&server.kubeconfig()).unwrap();
        let ctx = k.contexts.iter().find(|c| c.name == "keyhole-demo").unwrap().clone();
        let inner = ctx.context.clone().unwrap();
        let mut cluster = k.clusters.iter().find(|c| c.name == inner.cluster).unwrap().clone();
        let mut user = k.auth_infos.iter().find(|u| Some(&u.name) == inner.user.as_ref()).unwrap().clone();
        cluster.name = format!("{name}-cluster");
        user.name = format!("{name}-admin");
        let mut context = ctx.clone();
        context.name = (*name).to_string();
        let mut c = inner.clone();
        c.cluster = cluster.name.clone();
        c.user = Some(user.name.clone());
        context.context = Some(c);
        out.clusters.push(cluster);
        out.auth_infos.push(user);
        out.contexts.push(context);
    }
    // A port that was free a moment ago: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut down = out.clusters[0].clone();
    down.name = "down-cluster".into();
    if let Some(c) = down.cluster.as_mut() {
        c.server = Some(format!("https://127.0.0.1:{port}"));
    }
    let mut context = out.contexts[0].clone();
    context.name = "down".into();
    if let Some(c) = context.context.as_mut() {
        c.cluster = "down-cluster".into();
    }
    out.clusters.push(down);
    out.contexts.push(context);
    out.current_context = Some(servers[0].0.to_string());
    out
}
