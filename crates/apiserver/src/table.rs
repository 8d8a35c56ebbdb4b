//! Table output (`Accept: application/json;as=Table;v=v1;g=meta.k8s.io`), with the columns
//! kube-apiserver's printers give, so that `kubectl get` looks as it does on a real cluster.

use jiff::Timestamp;
use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::{Value, json};

use crate::resources::ResourceDef;
use keyhole_core::format;

fn col(name: &str, ty: &str, format: &str, description: &str, priority: u8) -> Value {
    json!({"name": name, "type": ty, "format": format, "description": description, "priority": priority})
}

const NAME_DESC: &str = "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names";
const AGE_DESC: &str = "CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata";

pub fn columns(def: &ResourceDef) -> Vec<Value> {
    if def.custom.is_some() {
        return crate::kinds::columns(def);
    }
    let name = col("Name", "string", "name", NAME_DESC, 0);
    let age = col("Age", "string", "", AGE_DESC, 0);
    match def.plural {
        "secrets" => vec![
            name,
            col("Type", "string", "", "The type of the secret", 0),
            col("Data", "string", "", "The number of entries in the data", 0),
            age,
        ],
        "pods" => vec![
            name,
            col("Ready", "string", "", "The aggregate readiness state of this pod for accepting traffic.", 0),
            col("Status", "string", "", "The aggregate status of the containers in this pod.", 0),
            col(
                "Restarts",
                "string",
                "",
                "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.",
                0,
            ),
            age,
            col("IP", "string", "", "The IP address assigned to the pod.", 1),
            col("Node", "string", "", "The node on which the pod is running.", 1),
            col("Nominated Node", "string", "", "The node that the pod is nominated to run on.", 1),
            col("Readiness Gates", "string", "", "The readiness gates of the pod.", 1),
        ],
        "namespaces" => vec![name, col("Status", "string", "", "The status of the namespace", 0), age],
        "serviceaccounts" => vec![
            name,
            col(
                "Secrets",
                "string",
                "",
                "Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use.",
                0,
            ),
            age,
        ],
        "deployments" => vec![
            name,
            col("Ready", "string", "", "Number of the pod with ready state", 0),
            col(
                "Up-to-date",
                "string",
                "",
                "Total number of non-terminated pods targeted by this deployment that have the desired template spec.",
                0,
            ),
            col(
                "Available",
                "string",
                "",
                "Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.",
                0,
            ),
            age,
            col("Containers", "string", "", "Names of each container in the template.", 1),
            col("Images", "string", "", "Images referenced by each container in the template.", 1),
            col("Selector", "string", "", "Label selector for pods.", 1),
        ],
        "replicasets" => vec![
            name,
            col("Desired", "integer", "", "Number of desired pods.", 0),
            col("Current", "integer", "", "Number of actual replicas.", 0),
            col("Ready", "integer", "", "Number of ready replicas.", 0),
            age,
            col("Containers", "string", "", "Names of each container in the template.", 1),
            col("Images", "string", "", "Images referenced by each container in the template.", 1),
            col("Selector", "string", "", "Label selector for pods.", 1),
        ],
        "ingresses" => vec![
            name,
            col("Class", "string", "", "The name of the IngressClass resource that should be used for ingress", 0),
            col("Hosts", "string", "", "Hosts that incoming requests are matched against before the ingress rule", 0),
            col("Address", "string", "", "Address is a list containing ingress points for the load-balancer", 0),
            col("Ports", "string", "", "Ports of TLS configurations that open", 0),
            age,
        ],
        _ => crate::kinds::columns(def),
    }
}

/// `obj.pointer(p)` for the plain paths the printers use (no `~` escapes), without the
/// allocation `pointer` makes for every step: at 20,000 rows a Table spent a third of its time
/// there.
pub(crate) fn at<'a>(obj: &'a Value, p: &str) -> Option<&'a Value> {
    debug_assert!(!p.contains('~'), "escaped path {p}");
    p.split('/').skip(1).try_fold(obj, |v, k| match v {
        Value::Object(m) => m.get(k),
        Value::Array(a) => k.parse::<usize>().ok().and_then(|i| a.get(i)),
        _ => None,
    })
}

fn created(obj: &Value) -> Option<Timestamp> {
    at(obj, "/metadata/creationTimestamp").and_then(Value::as_str).and_then(|s| s.parse().ok())
}

fn str_at<'a>(obj: &'a Value, p: &str) -> &'a str {
    at(obj, p).and_then(Value::as_str).unwrap_or("")
}

fn containers(obj: &Value, p: &str) -> (String, String) {
    let list = at(obj, p).and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
    let names: Vec<&str> = list.iter().map(|c| str_at(c, "/name")).collect();
    let images: Vec<&str> = list.iter().map(|c| str_at(c, "/image")).collect();
    (names.join(","), images.join(","))
}

fn selector(obj: &Value) -> String {
    at(obj, "/spec/selector/matchLabels")
        .and_then(Value::as_object)
        .map(|m| m.iter().map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or(""))).collect::<Vec<_>>().join(","))
        .unwrap_or_default()
}

fn int_at(obj: &Value, p: &str) -> i64 {
    at(obj, p).and_then(Value::as_i64).unwrap_or(0)
}

pub fn cells(def: &ResourceDef, obj: &Value, now: Timestamp) -> Vec<Value> {
    if def.custom.is_some() {
        return crate::kinds::cells(def, obj, now);
    }
    let name = json!(str_at(obj, "/metadata/name"));
    let age = json!(format::age(created(obj), now));
    match def.plural {
        "secrets" => {
            let n = obj.get("data").and_then(Value::as_object).map_or(0, |m| m.len());
            let ty = match str_at(obj, "/type") {
                "" => "Opaque",
                t => t,
            };
            vec![name, json!(ty), json!(n), age]
        }
        "pods" => {
            let statuses = at(obj, "/status/containerStatuses").and_then(Value::as_array);
            let total = at(obj, "/spec/containers").and_then(Value::as_array).map_or(0, Vec::len);
            let ready = statuses.map_or(0, |s| s.iter().filter(|c| c["ready"] == json!(true)).count());
            let restarts: i64 = statuses.map_or(0, |s| s.iter().map(|c| int_at(c, "/restartCount")).sum());
            let waiting =
                statuses.and_then(|s| s.iter().find_map(|c| at(c, "/state/waiting/reason").and_then(Value::as_str)));
            let phase = str_at(obj, "/status/phase");
            let deleting = at(obj, "/metadata/deletionTimestamp").is_some_and(|t| !t.is_null());
            let status = if deleting && !matches!(phase, "Succeeded" | "Failed") {
                // `printPod`: a Pod being deleted is `Terminating` until it is gone.
                "Terminating"
            } else {
                waiting.or_else(|| at(obj, "/status/reason").and_then(Value::as_str)).unwrap_or(match phase {
                    "" => "Pending",
                    p => p,
                })
            };
            let ip = match str_at(obj, "/status/podIP") {
                "" => "<none>",
                ip => ip,
            };
            let node = match str_at(obj, "/spec/nodeName") {
                "" => "<none>",
                n => n,
            };
            vec![
                name,
                json!(format!("{ready}/{total}")),
                json!(status),
                json!(restarts),
                age,
                json!(ip),
                json!(node),
                json!("<none>"),
                json!("<none>"),
            ]
        }
        "namespaces" => {
            let phase = match str_at(obj, "/status/phase") {
                "" => "Active",
                p => p,
            };
            vec![name, json!(phase), age]
        }
        "serviceaccounts" => {
            let n = obj.get("secrets").and_then(Value::as_array).map_or(0, Vec::len);
            vec![name, json!(n), age]
        }
        "deployments" => {
            let want = at(obj, "/spec/replicas").and_then(Value::as_i64).unwrap_or(1);
            let (c, i) = containers(obj, "/spec/template/spec/containers");
            vec![
                name,
                json!(format!("{}/{want}", int_at(obj, "/status/readyReplicas"))),
                json!(int_at(obj, "/status/updatedReplicas")),
                json!(int_at(obj, "/status/availableReplicas")),
                age,
                json!(c),
                json!(i),
                json!(selector(obj)),
            ]
        }
        "replicasets" => {
            let (c, i) = containers(obj, "/spec/template/spec/containers");
            vec![
                name,
                json!(at(obj, "/spec/replicas").and_then(Value::as_i64).unwrap_or(1)),
                json!(int_at(obj, "/status/replicas")),
                json!(int_at(obj, "/status/readyReplicas")),
                age,
                json!(c),
                json!(i),
                json!(selector(obj)),
            ]
        }
        "ingresses" => {
            let class = match str_at(obj, "/spec/ingressClassName") {
                "" => "<none>",
                c => c,
            };
            let rules = at(obj, "/spec/rules").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
            let hosts: Vec<&str> = rules.iter().map(|r| str_at(r, "/host")).filter(|h| !h.is_empty()).collect();
            let hosts = if hosts.is_empty() { "*".to_string() } else { hosts.join(",") };
            let tls = at(obj, "/spec/tls").and_then(Value::as_array).is_some_and(|t| !t.is_empty());
            let ports = if tls { "80, 443" } else { "80" };
            vec![name, json!(class), json!(hosts), json!(""), json!(ports), age]
        }
        _ => crate::kinds::cells(def, obj, now),
    }
}

/// What each row carries as `object`, from `includeObject`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IncludeObject {
    None,
    Metadata,
    Object,
}

impl IncludeObject {
    pub fn parse(s: Option<&str>) -> Self {
        match s {
            Some("None") => IncludeObject::None,
            Some("Object") => IncludeObject::Object,
            _ => IncludeObject::Metadata,
        }
    }
}

/// `PartialObjectMetadata` for an object.
pub fn partial_metadata(obj: &Value) -> Value {
    serde_json::to_value(Partial(obj)).unwrap_or_default()
}

/// `PartialObjectMetadata` of a stored object, serialized from it without copying it.
#[derive(Debug)]
pub struct Partial<'a>(pub &'a Value);

impl Serialize for Partial<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(3))?;
        m.serialize_entry("kind", "PartialObjectMetadata")?;
        m.serialize_entry("apiVersion", "meta.k8s.io/v1")?;
        match self.0.get("metadata") {
            Some(meta) => m.serialize_entry("metadata", meta)?,
            None => m.serialize_entry("metadata", &serde_json::Map::new())?,
        }
        m.end()
    }
}

/// A Table of stored objects, serialized straight from them: the rows borrow each object (or
/// its metadata) instead of copying it into a JSON tree first. At 20,000 Secrets that copy was
/// most of the server's time for a list.
#[derive(Debug)]
pub struct Table<'a> {
    pub def: &'a ResourceDef,
    pub items: &'a [&'a Value],
    pub list_meta: &'a Value,
    pub with_columns: bool,
    pub now: Timestamp,
    pub include: IncludeObject,
}

struct Rows<'a>(&'a Table<'a>);

struct Row<'a> {
    table: &'a Table<'a>,
    obj: &'a Value,
}

impl Serialize for Table<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("kind", "Table")?;
        m.serialize_entry("apiVersion", "meta.k8s.io/v1")?;
        m.serialize_entry("metadata", self.list_meta)?;
        if self.with_columns {
            m.serialize_entry("columnDefinitions", &columns(self.def))?;
        }
        m.serialize_entry("rows", &Rows(self))?;
        m.end()
    }
}

impl Serialize for Rows<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.items.iter().map(|obj| Row { table: self.0, obj }))
    }
}

impl Serialize for Row<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let t = self.table;
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("cells", &cells(t.def, self.obj, t.now))?;
        match t.include {
            IncludeObject::None => {}
            IncludeObject::Metadata => m.serialize_entry("object", &Partial(self.obj))?,
            IncludeObject::Object => m.serialize_entry("object", self.obj)?,
        }
        m.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pods_status_column_is_printpods() {
        let pods = crate::resources::find("", "v1", "pods").expect("served");
        let now = Timestamp::now();
        let status = |obj: Value| cells(pods, &obj, now)[2].clone();
        let running = json!({"metadata": {"name": "p"}, "spec": {"containers": [{"name": "c"}]},
                             "status": {"phase": "Running", "containerStatuses": [{"name": "c", "ready": true, "state": {"running": {}}}]}});
        assert_eq!(status(running.clone()), "Running");
        let mut going = running.clone();
        going["metadata"]["deletionTimestamp"] = json!("2026-01-01T00:00:00Z");
        assert_eq!(status(going), "Terminating");
        let mut pulling = running;
        pulling["status"]["phase"] = json!("Pending");
        pulling["status"]["containerStatuses"][0]["state"] = json!({"waiting": {"reason": "ImagePullBackOff"}});
        assert_eq!(status(pulling.clone()), "ImagePullBackOff");
        pulling["status"]["phase"] = json!("Succeeded");
        pulling["metadata"]["deletionTimestamp"] = json!("2026-01-01T00:00:00Z");
        assert_ne!(status(pulling), "Terminating", "a finished Pod is not terminating");
    }
}
