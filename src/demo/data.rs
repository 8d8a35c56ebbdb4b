//! Demo data: the examples of the Kubernetes Secret documentation and the workloads that use
//! them. (Being written.)

use jiff::Timestamp;
use serde_json::json;

use super::objects;
use super::resources;
use super::store::Store;

/// Creates namespaces (for tests that want an empty cluster).
pub fn load_namespaces(store: &Store, names: &[&str]) {
    let def = resources::RESOURCES.iter().find(|r| r.plural == "namespaces");
    let mut s = store.lock();
    for n in names {
        let mut obj = json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": n}});
        if let Some(def) = def {
            let _ = objects::prepare_create(def, &mut obj, Timestamp::now());
        }
        s.put("namespaces", obj);
    }
}

pub fn load(store: &Store, _now: Timestamp, _scale: usize) -> Result<(), String> {
    load_namespaces(store, &["default", "kube-system", "kube-public"]);
    Ok(())
}
