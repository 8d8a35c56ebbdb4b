//! The kinds that hold Secret references at rest (issue 14): apps/v1 StatefulSets and
//! DaemonSets, batch/v1 Jobs and CronJobs, core/v1 PersistentVolumes, storage.k8s.io/v1
//! StorageClasses, apiextensions.k8s.io/v1 CustomResourceDefinitions, and the custom resources
//! of those CRDs: what the server and its controllers fill in on create, the few validation
//! rules that matter, and their Table columns as kube-apiserver prints them
//! (`pkg/printers/internalversion/printers.go`; custom resources: their CRD's
//! `additionalPrinterColumns`, `crd.rs`).
//!
//! Where a status is missing on create it is made as a settled controller would leave it, so
//! that `kubectl get` looks normal (as `objects::apply_defaults` does for Deployments). Jobs and
//! CronJobs have no controller; StatefulSets and DaemonSets roll when their spec changes
//! (`controller/`).

use jiff::Timestamp;
use serde_json::{Map, Value, json};

use crate::objects::meta;
use crate::resources::ResourceDef;
use keyhole_core::format;
use keyhole_core::validate::FieldError;

/// The labels of the one node the embedded cluster pretends to have (Pods run on
/// `keyhole-demo-node`); a DaemonSet whose node selector they do not match schedules nothing.
pub fn node_labels() -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("kubernetes.io/hostname".into(), json!("keyhole-demo-node"));
    m.insert("kubernetes.io/os".into(), json!("linux"));
    m.insert("kubernetes.io/arch".into(), json!(go_arch()));
    m
}

fn go_arch() -> &'static str {
    match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        other => other,
    }
}

fn int_at(obj: &Value, p: &str) -> i64 {
    obj.pointer(p).and_then(Value::as_i64).unwrap_or(0)
}

fn str_at<'a>(obj: &'a Value, p: &str) -> &'a str {
    obj.pointer(p).and_then(Value::as_str).unwrap_or("")
}

/// Inserts `value` at `key` of the object at `pointer` when the key is absent (the object is
/// made when missing, if its parent is an object).
fn default_at(obj: &mut Value, pointer: &str, key: &str, value: Value) {
    let Some(target) = object_at(obj, pointer) else { return };
    target.entry(key).or_insert(value);
}

fn object_at<'a>(obj: &'a mut Value, pointer: &str) -> Option<&'a mut Map<String, Value>> {
    let mut cur = obj;
    for part in pointer.split('/').filter(|p| !p.is_empty()) {
        let m = cur.as_object_mut()?;
        cur = m.entry(part).or_insert_with(|| json!({}));
    }
    cur.as_object_mut()
}

/// Defaults on create for the kinds of this module, after `objects::prepare_create` set the
/// system fields. Other kinds are left as they are.
pub fn apply_defaults(def: &ResourceDef, obj: &mut Value) {
    if !obj.is_object() {
        return;
    }
    let created = meta(obj, "creationTimestamp");
    if def.custom.is_some() {
        // `customResourceStrategy.PrepareForCreate`: a new object is generation 1.
        set_generation(obj);
        return;
    }
    match def.plural {
        "statefulsets" => {
            set_generation(obj);
            if obj.get("spec").is_some_and(Value::is_object) {
                default_at(obj, "/spec", "replicas", json!(1));
                default_at(obj, "/spec", "podManagementPolicy", json!("OrderedReady"));
                default_at(obj, "/spec", "revisionHistoryLimit", json!(10));
                default_at(
                    obj,
                    "/spec",
                    "updateStrategy",
                    json!({"type": "RollingUpdate", "rollingUpdate": {"partition": 0}}),
                );
                default_at(
                    obj,
                    "/spec",
                    "persistentVolumeClaimRetentionPolicy",
                    json!({"whenDeleted": "Retain", "whenScaled": "Retain"}),
                );
            }
            if obj.get("status").is_none() {
                let n = int_at(obj, "/spec/replicas");
                // The revision of the template, named as its ControllerRevision is.
                let template = obj.pointer("/spec/template").cloned().unwrap_or_default();
                let revision = format!("{}-{}", meta(obj, "name"), crate::controller::template_hash(&template, 0));
                obj["status"] = json!({"replicas": n, "readyReplicas": n, "currentReplicas": n, "updatedReplicas": n,
                    "availableReplicas": n, "observedGeneration": 1, "currentRevision": revision,
                    "updateRevision": revision, "collisionCount": 0});
            }
        }
        "daemonsets" => {
            set_generation(obj);
            if obj.get("spec").is_some_and(Value::is_object) {
                default_at(obj, "/spec", "revisionHistoryLimit", json!(10));
                default_at(
                    obj,
                    "/spec",
                    "updateStrategy",
                    json!({"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 1, "maxSurge": 0}}),
                );
            }
            if obj.get("status").is_none() {
                let selector = obj.pointer("/spec/template/spec/nodeSelector").and_then(Value::as_object);
                let node = node_labels();
                let fits = selector.is_none_or(|sel| sel.iter().all(|(k, v)| node.get(k) == Some(v)));
                let n = i64::from(fits);
                obj["status"] = json!({"currentNumberScheduled": n, "desiredNumberScheduled": n,
                    "numberAvailable": n, "numberMisscheduled": 0, "numberReady": n,
                    "observedGeneration": 1, "updatedNumberScheduled": n});
            }
        }
        "jobs" => {
            set_generation(obj);
            if obj.get("spec").is_some_and(Value::is_object) {
                job_spec_defaults(obj, "/spec");
                // `registry/batch/job/strategy.go` generateSelector: the server picks the selector
                // and labels the template with the Job's uid and name.
                if obj.pointer("/spec/manualSelector") != Some(&json!(true)) && obj.pointer("/spec/selector").is_none()
                {
                    let (uid, name) = (meta(obj, "uid"), meta(obj, "name"));
                    obj["spec"]["selector"] = json!({"matchLabels": {"batch.kubernetes.io/controller-uid": uid}});
                    if let Some(labels) = object_at(obj, "/spec/template/metadata/labels") {
                        for (k, v) in [
                            ("batch.kubernetes.io/controller-uid", &uid),
                            ("batch.kubernetes.io/job-name", &name),
                            ("controller-uid", &uid),
                            ("job-name", &name),
                        ] {
                            labels.entry(k).or_insert_with(|| json!(v));
                        }
                    }
                }
            }
            if obj.get("status").is_none() {
                obj["status"] = if obj.pointer("/spec/suspend") == Some(&json!(true)) {
                    json!({"conditions": [{"type": "Suspended", "status": "True", "reason": "JobSuspended",
                        "message": "Job suspended", "lastProbeTime": created, "lastTransitionTime": created}]})
                } else {
                    json!({})
                };
            }
        }
        "cronjobs" => {
            set_generation(obj);
            if obj.get("spec").is_some_and(Value::is_object) {
                default_at(obj, "/spec", "concurrencyPolicy", json!("Allow"));
                default_at(obj, "/spec", "suspend", json!(false));
                default_at(obj, "/spec", "successfulJobsHistoryLimit", json!(3));
                default_at(obj, "/spec", "failedJobsHistoryLimit", json!(1));
                if obj.pointer("/spec/jobTemplate/spec").is_some_and(Value::is_object) {
                    job_spec_defaults(obj, "/spec/jobTemplate/spec");
                }
            }
            if obj.get("status").is_none() {
                obj["status"] = json!({});
            }
        }
        "persistentvolumes" => {
            if obj.get("spec").is_some_and(Value::is_object) {
                default_at(obj, "/spec", "persistentVolumeReclaimPolicy", json!("Retain"));
                default_at(obj, "/spec", "volumeMode", json!("Filesystem"));
            }
            if obj.get("status").is_none() {
                // What the PV controller settles on: Bound to its claim, else Available.
                let bound = obj.pointer("/spec/claimRef/uid").and_then(Value::as_str).is_some_and(|u| !u.is_empty());
                obj["status"] =
                    json!({"phase": if bound { "Bound" } else { "Available" }, "lastPhaseTransitionTime": created});
            }
        }
        "storageclasses" => {
            if let Some(m) = obj.as_object_mut() {
                m.entry("reclaimPolicy").or_insert_with(|| json!("Delete"));
                m.entry("volumeBindingMode").or_insert_with(|| json!("Immediate"));
            }
        }
        "customresourcedefinitions" => {
            set_generation(obj);
            crate::crd::apply_defaults(obj);
        }
        _ => crate::rbac::kinds::apply_defaults(def, obj),
    }
}

fn set_generation(obj: &mut Value) {
    if let Some(m) = obj.get_mut("metadata").and_then(Value::as_object_mut) {
        m.insert("generation".into(), json!(1));
    }
}

/// `SetDefaults_Job` (`pkg/apis/batch/v1/defaults.go`) for a Job spec at `pointer`.
fn job_spec_defaults(obj: &mut Value, pointer: &str) {
    let spec = obj.pointer(pointer).cloned().unwrap_or_default();
    let indexed = spec.get("completionMode") == Some(&json!("Indexed"));
    if spec.get("completions").is_none() && spec.get("parallelism").is_none() && !indexed {
        default_at(obj, pointer, "completions", json!(1));
    }
    default_at(obj, pointer, "parallelism", json!(1));
    default_at(obj, pointer, "backoffLimit", json!(6));
    default_at(obj, pointer, "completionMode", json!("NonIndexed"));
    default_at(obj, pointer, "suspend", json!(false));
    default_at(obj, pointer, "podReplacementPolicy", json!("TerminatingOrFailed"));
}

/// Validation beyond the name for the kinds of this module: the rules a client meets first.
pub fn validate(def: &ResourceDef, obj: &Value) -> Vec<FieldError> {
    if def.custom.is_some() {
        return Vec::new();
    }
    match def.plural {
        "customresourcedefinitions" => crate::crd::validate(obj),
        "cronjobs" => {
            let mut errors = Vec::new();
            if str_at(obj, "/spec/schedule").is_empty() {
                errors.push(FieldError::required("spec.schedule", ""));
            }
            if obj
                .pointer("/spec/jobTemplate/spec/template/spec/containers")
                .and_then(Value::as_array)
                .is_none_or(Vec::is_empty)
            {
                errors.push(FieldError::required("spec.jobTemplate.spec.template.spec.containers", ""));
            }
            errors
        }
        "jobs" | "statefulsets" | "daemonsets" => {
            if obj.pointer("/spec/template/spec/containers").and_then(Value::as_array).is_none_or(Vec::is_empty) {
                vec![FieldError::required("spec.template.spec.containers", "")]
            } else {
                Vec::new()
            }
        }
        "storageclasses" if str_at(obj, "/provisioner").is_empty() => vec![FieldError::required("provisioner", "")],
        _ => crate::rbac::kinds::validate(def, obj),
    }
}

fn col(name: &str, ty: &str, description: &str, priority: u8) -> Value {
    let format = if name == "Name" { "name" } else { "" };
    json!({"name": name, "type": ty, "format": format, "description": description, "priority": priority})
}

const NAME_DESC: &str = "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names";
const AGE_DESC: &str = "CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata";
const CONTAINERS_DESC: &str = "Names of each container in the template.";
const IMAGES_DESC: &str = "Images referenced by each container in the template.";

/// The Table columns of the kinds of this module, of custom resources, and the default
/// (`Name`, `Created At`) for anything else.
pub fn columns(def: &ResourceDef) -> Vec<Value> {
    if let Some(custom) = def.custom {
        return crate::crd::table_columns(custom);
    }
    let name = col("Name", "string", NAME_DESC, 0);
    let age = col("Age", "string", AGE_DESC, 0);
    let containers = col("Containers", "string", CONTAINERS_DESC, 1);
    let images = col("Images", "string", IMAGES_DESC, 1);
    if let Some(columns) = crate::rbac::kinds::columns(def, name.clone(), age.clone()) {
        return columns;
    }
    match def.plural {
        "statefulsets" => {
            vec![name, col("Ready", "string", "Number of the pod with ready state", 0), age, containers, images]
        }
        "daemonsets" => vec![
            name,
            col(
                "Desired",
                "integer",
                "The total number of nodes that should be running the daemon pod (including nodes correctly running the daemon pod).",
                0,
            ),
            col(
                "Current",
                "integer",
                "The number of nodes that are running at least 1 daemon pod and are supposed to run the daemon pod.",
                0,
            ),
            col(
                "Ready",
                "integer",
                "numberReady is the number of nodes that should be running the daemon pod and have one or more of the daemon pod running with a Ready Condition.",
                0,
            ),
            col("Up-to-date", "integer", "The total number of nodes that are running updated daemon pod", 0),
            col(
                "Available",
                "integer",
                "The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available (ready for at least spec.minReadySeconds)",
                0,
            ),
            col(
                "Node Selector",
                "string",
                "NodeSelector is a selector which must be true for the pod to fit on a node. Selector which must match a node's labels for the pod to be scheduled on that node. More info: https://kubernetes.io/docs/concepts/configuration/assign-pod-node/",
                0,
            ),
            age,
            containers,
            images,
            col(
                "Selector",
                "string",
                "A label query over pods that are managed by the daemon set. Must match in order to be controlled. It must match the pod template's labels. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors",
                1,
            ),
        ],
        "jobs" => vec![
            name,
            col("Status", "string", "Status of the job.", 0),
            col("Completions", "string", "The number of pods which reached phase Succeeded for a job.", 0),
            col("Duration", "string", "Time required to complete the job.", 0),
            age,
            containers,
            images,
            col(
                "Selector",
                "string",
                "A label query over pods that should match the pod count. Normally, the system sets this field for you. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors",
                1,
            ),
        ],
        "cronjobs" => vec![
            name,
            col("Schedule", "string", "The schedule in Cron format, see https://en.wikipedia.org/wiki/Cron.", 0),
            col(
                "Timezone",
                "string",
                "The time zone name for the given schedule, see https://en.wikipedia.org/wiki/List_of_tz_database_time_zones. If not specified, this will default to the time zone of the kube-controller-manager process. The set of valid time zone names and the time zone offset is loaded from the system-wide time zone database by the API server during CronJob validation and the controller manager during execution. If no system-wide time zone database can be found a bundled version of the database is used instead. If the time zone name becomes invalid during the lifetime of a CronJob or due to a change in host configuration, the controller will stop creating new new Jobs and will create a system event with the reason UnknownTimeZone. More information can be found in https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/#time-zones",
                0,
            ),
            col(
                "Suspend",
                "boolean",
                "This flag tells the controller to suspend subsequent executions, it does not apply to already started executions.  Defaults to false.",
                0,
            ),
            col("Active", "integer", "A list of pointers to currently running jobs.", 0),
            col("Last Schedule", "string", "Information when was the last time the job was successfully scheduled.", 0),
            age,
            containers,
            images,
            col(
                "Selector",
                "string",
                "A label query over pods that should match the pod count. Normally, the system sets this field for you. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors",
                1,
            ),
        ],
        "persistentvolumes" => vec![
            name,
            col(
                "Capacity",
                "string",
                "capacity is the description of the persistent volume's resources and capacity. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#capacity",
                0,
            ),
            col(
                "Access Modes",
                "string",
                "accessModes contains all ways the volume can be mounted. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#access-modes",
                0,
            ),
            col(
                "Reclaim Policy",
                "string",
                "persistentVolumeReclaimPolicy defines what happens to a persistent volume when released from its claim. Valid options are Retain (default for manually created PersistentVolumes), Delete (default for dynamically provisioned PersistentVolumes), and Recycle (deprecated). Recycle must be supported by the volume plugin underlying this PersistentVolume. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#reclaiming",
                0,
            ),
            col(
                "Status",
                "string",
                "phase indicates if a volume is available, bound to a claim, or released by a claim. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#phase",
                0,
            ),
            col(
                "Claim",
                "string",
                "claimRef is part of a bi-directional binding between PersistentVolume and PersistentVolumeClaim. Expected to be non-nil when bound. claim.VolumeName is the authoritative bind between PV and PVC. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#binding",
                0,
            ),
            col("StorageClass", "string", "StorageClass of the pv", 0),
            col("VolumeAttributesClass", "string", "VolumeAttributesClass of the pv", 0),
            col(
                "Reason",
                "string",
                "reason is a brief CamelCase string that describes any failure and is meant for machine parsing and tidy display in the CLI.",
                0,
            ),
            age,
            col(
                "VolumeMode",
                "string",
                "volumeMode defines if a volume is intended to be used with a formatted filesystem or to remain in raw block state. Value of Filesystem is implied when not included in spec.",
                1,
            ),
        ],
        "storageclasses" => vec![
            name,
            col("Provisioner", "string", "provisioner indicates the type of the provisioner.", 0),
            col(
                "ReclaimPolicy",
                "string",
                "reclaimPolicy controls the reclaimPolicy for dynamically provisioned PersistentVolumes of this storage class. Defaults to Delete.",
                0,
            ),
            col(
                "VolumeBindingMode",
                "string",
                "volumeBindingMode indicates how PersistentVolumeClaims should be provisioned and bound.  When unset, VolumeBindingImmediate is used. This field is only honored by servers that enable the VolumeScheduling feature.",
                0,
            ),
            col(
                "AllowVolumeExpansion",
                "string",
                "allowVolumeExpansion shows whether the storage class allow volume expand.",
                0,
            ),
            age,
        ],
        _ => vec![
            name,
            json!({"name": "Created At", "type": "date", "format": "", "description": AGE_DESC, "priority": 0}),
        ],
    }
}

fn created(obj: &Value) -> Option<Timestamp> {
    obj.pointer("/metadata/creationTimestamp").and_then(Value::as_str).and_then(|s| s.parse().ok())
}

fn time_at(obj: &Value, p: &str) -> Option<Timestamp> {
    obj.pointer(p).and_then(Value::as_str).and_then(|s| s.parse().ok())
}

fn containers(obj: &Value, p: &str) -> (String, String) {
    let list = obj.pointer(p).and_then(Value::as_array).cloned().unwrap_or_default();
    let names: Vec<&str> = list.iter().map(|c| str_at(c, "/name")).collect();
    let images: Vec<&str> = list.iter().map(|c| str_at(c, "/image")).collect();
    (names.join(","), images.join(","))
}

/// `labels.FormatLabels`: `k=v,...` in key order, `<none>` when empty.
fn format_labels(m: Option<&Map<String, Value>>) -> String {
    let mut pairs: Vec<String> =
        m.into_iter().flatten().map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or(""))).collect();
    pairs.sort();
    if pairs.is_empty() { "<none>".into() } else { pairs.join(",") }
}

/// `metav1.FormatLabelSelector`: the selector's requirements in key order, `<none>` for none.
pub fn format_selector(sel: Option<&Value>) -> String {
    let Some(sel) = sel.filter(|s| s.is_object()) else { return "<none>".into() };
    let mut reqs: Vec<(String, String)> = Vec::new();
    if let Some(m) = sel.get("matchLabels").and_then(Value::as_object) {
        for (k, v) in m {
            reqs.push((k.clone(), format!("{k}={}", v.as_str().unwrap_or(""))));
        }
    }
    for e in sel.get("matchExpressions").and_then(Value::as_array).into_iter().flatten() {
        let key = str_at(e, "/key").to_string();
        let mut values: Vec<&str> =
            e.get("values").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str).collect();
        values.sort_unstable();
        let text = match str_at(e, "/operator") {
            "In" => format!("{key} in ({})", values.join(",")),
            "NotIn" => format!("{key} notin ({})", values.join(",")),
            "Exists" => key.clone(),
            "DoesNotExist" => format!("!{key}"),
            _ => return "<error>".into(),
        };
        reqs.push((key, text));
    }
    reqs.sort();
    if reqs.is_empty() { "<none>".into() } else { reqs.into_iter().map(|(_, t)| t).collect::<Vec<_>>().join(",") }
}

fn has_condition(obj: &Value, ty: &str) -> bool {
    obj.pointer("/status/conditions")
        .and_then(Value::as_array)
        .is_some_and(|c| c.iter().any(|c| str_at(c, "/type") == ty && str_at(c, "/status") == "True"))
}

/// `helper.GetAccessModesAsString`: RWO, ROX, RWX, RWOP in that order.
fn access_modes(obj: &Value) -> String {
    let modes: Vec<&str> = obj
        .pointer("/spec/accessModes")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    [("ReadWriteOnce", "RWO"), ("ReadOnlyMany", "ROX"), ("ReadWriteMany", "RWX"), ("ReadWriteOncePod", "RWOP")]
        .iter()
        .filter(|(m, _)| modes.contains(m))
        .map(|(_, short)| *short)
        .collect::<Vec<_>>()
        .join(",")
}

fn bool_ptr(v: Option<&Value>) -> &'static str {
    match v.and_then(Value::as_bool) {
        Some(true) => "True",
        Some(false) => "False",
        None => "<unset>",
    }
}

/// One Table row of the kinds of this module (or the default row).
pub fn cells(def: &ResourceDef, obj: &Value, now: Timestamp) -> Vec<Value> {
    if let Some(custom) = def.custom {
        return crate::crd::table_cells(custom, obj, now);
    }
    if let Some(cells) = crate::rbac::kinds::cells(def, obj, now) {
        return cells;
    }
    let name = json!(str_at(obj, "/metadata/name"));
    let age = json!(format::age(created(obj), now));
    match def.plural {
        "statefulsets" => {
            let want = obj.pointer("/spec/replicas").and_then(Value::as_i64).unwrap_or(1);
            let (c, i) = containers(obj, "/spec/template/spec/containers");
            vec![name, json!(format!("{}/{want}", int_at(obj, "/status/readyReplicas"))), age, json!(c), json!(i)]
        }
        "daemonsets" => {
            let (c, i) = containers(obj, "/spec/template/spec/containers");
            vec![
                name,
                json!(int_at(obj, "/status/desiredNumberScheduled")),
                json!(int_at(obj, "/status/currentNumberScheduled")),
                json!(int_at(obj, "/status/numberReady")),
                json!(int_at(obj, "/status/updatedNumberScheduled")),
                json!(int_at(obj, "/status/numberAvailable")),
                json!(format_labels(obj.pointer("/spec/template/spec/nodeSelector").and_then(Value::as_object))),
                age,
                json!(c),
                json!(i),
                json!(format_selector(obj.pointer("/spec/selector"))),
            ]
        }
        "jobs" => {
            let succeeded = int_at(obj, "/status/succeeded");
            let completions = match obj.pointer("/spec/completions").and_then(Value::as_i64) {
                Some(c) => format!("{succeeded}/{c}"),
                None => match int_at(obj, "/spec/parallelism") {
                    p if p > 1 => format!("{succeeded}/1 of {p}"),
                    _ => format!("{succeeded}/1"),
                },
            };
            let duration = match (time_at(obj, "/status/startTime"), time_at(obj, "/status/completionTime")) {
                (None, _) => String::new(),
                (Some(start), None) => format::human_duration(now.duration_since(start)),
                (Some(start), Some(end)) => format::human_duration(end.duration_since(start)),
            };
            let status = if has_condition(obj, "Complete") {
                "Complete"
            } else if has_condition(obj, "Failed") {
                "Failed"
            } else if obj.pointer("/metadata/deletionTimestamp").is_some_and(|t| !t.is_null()) {
                "Terminating"
            } else if has_condition(obj, "Suspended") {
                "Suspended"
            } else if has_condition(obj, "FailureTarget") {
                "FailureTarget"
            } else if has_condition(obj, "SuccessCriteriaMet") {
                "SuccessCriteriaMet"
            } else {
                "Running"
            };
            let (c, i) = containers(obj, "/spec/template/spec/containers");
            vec![
                name,
                json!(status),
                json!(completions),
                json!(duration),
                age,
                json!(c),
                json!(i),
                json!(format_selector(obj.pointer("/spec/selector"))),
            ]
        }
        "cronjobs" => {
            let last = match time_at(obj, "/status/lastScheduleTime") {
                Some(t) => format::age(Some(t), now),
                None => "<none>".into(),
            };
            let tz = match str_at(obj, "/spec/timeZone") {
                "" => "<none>",
                tz => tz,
            };
            let active = obj.pointer("/status/active").and_then(Value::as_array).map_or(0, Vec::len);
            let (c, i) = containers(obj, "/spec/jobTemplate/spec/template/spec/containers");
            vec![
                name,
                json!(str_at(obj, "/spec/schedule")),
                json!(tz),
                json!(bool_ptr(obj.pointer("/spec/suspend"))),
                json!(active),
                json!(last),
                age,
                json!(c),
                json!(i),
                json!(format_selector(obj.pointer("/spec/jobTemplate/spec/selector"))),
            ]
        }
        "persistentvolumes" => {
            let claim = match (str_at(obj, "/spec/claimRef/namespace"), str_at(obj, "/spec/claimRef/name")) {
                _ if obj.pointer("/spec/claimRef").is_none() => String::new(),
                (ns, n) => format!("{ns}/{n}"),
            };
            let phase = if obj.pointer("/metadata/deletionTimestamp").is_some_and(|t| !t.is_null()) {
                "Terminating"
            } else {
                str_at(obj, "/status/phase")
            };
            let class = match str_at(obj, "/spec/storageClassName") {
                "" => str_at(obj, "/metadata/annotations/volume.beta.kubernetes.io~1storage-class"),
                c => c,
            };
            let vac = match str_at(obj, "/spec/volumeAttributesClassName") {
                "" => "<unset>",
                v => v,
            };
            let mode = match str_at(obj, "/spec/volumeMode") {
                "" => "<unset>",
                m => m,
            };
            let capacity = match str_at(obj, "/spec/capacity/storage") {
                "" => "0",
                c => c,
            };
            vec![
                name,
                json!(capacity),
                json!(access_modes(obj)),
                json!(str_at(obj, "/spec/persistentVolumeReclaimPolicy")),
                json!(phase),
                json!(claim),
                json!(class),
                json!(vac),
                json!(str_at(obj, "/status/reason")),
                age,
                json!(mode),
            ]
        }
        "storageclasses" => {
            let annotations = obj.pointer("/metadata/annotations");
            let default =
                ["storageclass.kubernetes.io/is-default-class", "storageclass.beta.kubernetes.io/is-default-class"]
                    .iter()
                    .any(|a| annotations.and_then(|m| m.get(*a)).and_then(Value::as_str) == Some("true"));
            let shown = if default {
                format!("{} (default)", str_at(obj, "/metadata/name"))
            } else {
                str_at(obj, "/metadata/name").to_string()
            };
            fn or<'a>(v: &'a str, d: &'a str) -> &'a str {
                if v.is_empty() { d } else { v }
            }
            vec![
                json!(shown),
                json!(str_at(obj, "/provisioner")),
                json!(or(str_at(obj, "/reclaimPolicy"), "Delete")),
                json!(or(str_at(obj, "/volumeBindingMode"), "Immediate")),
                json!(obj.get("allowVolumeExpansion").and_then(Value::as_bool).unwrap_or(false)),
                age,
            ]
        }
        _ => vec![name, json!(str_at(obj, "/metadata/creationTimestamp"))],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources::RESOURCES;

    fn def(plural: &str) -> &'static ResourceDef {
        RESOURCES.iter().find(|r| r.plural == plural).expect("served")
    }

    #[test]
    fn every_row_has_a_cell_per_column() {
        let now = Timestamp::now();
        for r in RESOURCES {
            let row = cells(r, &json!({"metadata": {"name": "x"}}), now);
            let cols = match r.plural {
                "statefulsets" | "daemonsets" | "jobs" | "cronjobs" | "persistentvolumes" | "storageclasses" => {
                    columns(r)
                }
                _ => continue,
            };
            assert_eq!(row.len(), cols.len(), "{}", r.plural);
        }
    }

    /// Bodies are anyone's input: no shape of spec or status panics the defaults, the
    /// validation or the rows.
    #[test]
    fn odd_bodies_never_panic() {
        let odd = [
            json!({"metadata": {"name": "x"}, "spec": 5}),
            json!({"metadata": {"name": "x"}, "spec": {"template": 5, "jobTemplate": {"spec": []}, "selector": "s"}}),
            json!({"metadata": {"name": "x"}, "spec": {"template": {"metadata": {"labels": []}, "spec": {"nodeSelector": 1}}}, "status": 3}),
            json!({"metadata": 5, "spec": {"claimRef": 1, "accessModes": "RWO", "capacity": []}, "provisioner": 1}),
        ];
        for r in RESOURCES {
            for o in &odd {
                let mut o = o.clone();
                apply_defaults(r, &mut o);
                let _ = validate(r, &o);
                let _ = cells(r, &o, Timestamp::now());
            }
        }
    }

    #[test]
    fn jobs_print_their_state_as_kubectl_shows_it() {
        let now: Timestamp = "2026-01-02T03:00:00Z".parse().unwrap();
        let jobs = def("jobs");
        let mut suspended = json!({"metadata": {"name": "migrate", "uid": "u1", "creationTimestamp": "2026-01-02T00:00:00Z"},
            "spec": {"suspend": true, "template": {"metadata": {"labels": {"app": "m"}}, "spec": {"containers": [{"name": "m", "image": "i"}]}}}});
        apply_defaults(jobs, &mut suspended);
        assert_eq!(suspended["spec"]["completions"], 1);
        assert_eq!(suspended["spec"]["selector"]["matchLabels"]["batch.kubernetes.io/controller-uid"], "u1");
        assert_eq!(suspended["spec"]["template"]["metadata"]["labels"]["job-name"], "migrate");
        let row = cells(jobs, &suspended, now);
        assert_eq!(&row[1..4], &[json!("Suspended"), json!("0/1"), json!("")]);
        assert_eq!(row[7], json!("batch.kubernetes.io/controller-uid=u1"));
        let done = json!({"metadata": {"name": "seed"}, "spec": {"completions": 1},
            "status": {"succeeded": 1, "startTime": "2026-01-01T00:00:00Z", "completionTime": "2026-01-01T00:00:42Z",
                       "conditions": [{"type": "Complete", "status": "True"}]}});
        let row = cells(jobs, &done, now);
        assert_eq!(&row[1..4], &[json!("Complete"), json!("1/1"), json!("42s")]);
    }

    #[test]
    fn daemonsets_schedule_only_where_the_node_fits() {
        let ds = def("daemonsets");
        let mut nowhere = json!({"metadata": {"name": "d"}, "spec": {"selector": {"matchLabels": {"app": "d"}},
            "template": {"spec": {"nodeSelector": {"node-role.kubernetes.io/logging": "true"}, "containers": [{"name": "c"}]}}}});
        apply_defaults(ds, &mut nowhere);
        assert_eq!(nowhere["status"]["desiredNumberScheduled"], 0);
        let row = cells(ds, &nowhere, Timestamp::now());
        assert_eq!(row[6], json!("node-role.kubernetes.io/logging=true"));
        let mut everywhere =
            json!({"metadata": {"name": "d"}, "spec": {"template": {"spec": {"containers": [{"name": "c"}]}}}});
        apply_defaults(ds, &mut everywhere);
        assert_eq!(everywhere["status"]["desiredNumberScheduled"], 1);
    }

    #[test]
    fn selectors_and_storage_print_as_kubectl_does() {
        let sel = json!({"matchLabels": {"b": "2", "a": "1"}, "matchExpressions": [{"key": "c", "operator": "In", "values": ["y", "x"]}, {"key": "d", "operator": "DoesNotExist"}]});
        assert_eq!(format_selector(Some(&sel)), "a=1,b=2,c in (x,y),!d");
        assert_eq!(format_selector(None), "<none>");
        let sc = json!({"metadata": {"name": "fast", "annotations": {"storageclass.kubernetes.io/is-default-class": "true"}},
                        "provisioner": "rbd.csi.ceph.com", "allowVolumeExpansion": true});
        let row = cells(def("storageclasses"), &sc, Timestamp::now());
        assert_eq!(
            &row[..5],
            &[json!("fast (default)"), json!("rbd.csi.ceph.com"), json!("Delete"), json!("Immediate"), json!(true)]
        );
        let pv = json!({"metadata": {"name": "pv1"}, "spec": {"capacity": {"storage": "10Gi"}, "accessModes": ["ReadWriteMany", "ReadWriteOnce"],
                        "persistentVolumeReclaimPolicy": "Delete", "claimRef": {"namespace": "shop", "name": "data"}, "storageClassName": "fast"},
                        "status": {"phase": "Bound"}});
        let row = cells(def("persistentvolumes"), &pv, Timestamp::now());
        assert_eq!(
            &row[1..9],
            &[
                json!("10Gi"),
                json!("RWO,RWX"),
                json!("Delete"),
                json!("Bound"),
                json!("shop/data"),
                json!("fast"),
                json!("<unset>"),
                json!("")
            ]
        );
    }
}
