//! `metadata.managedFields`, written on every write as kube-apiserver's field manager writes them
//! (apimachinery `pkg/util/managedfields/internal`, on structured-merge-diff `merge/update.go`,
//! `typed/compare.go`, `typed/tofieldset.go` and `fieldpath/serialize.go`).
//!
//! Each entry names a manager (the `fieldManager` query parameter, else the User-Agent up to its
//! first `/`, else `unknown`), an operation (`Update` for create, update and the non-apply
//! patches; `Apply` for server-side apply), the apiVersion, a time in seconds, and the set of
//! fields it owns as FieldsV1. An update gives its manager the fields it changed and takes them
//! from everyone else; an apply owns exactly the fields of its configuration, prunes what it
//! owned before and no longer sets, and conflicts (409) with other managers whose fields it
//! would change, unless forced.
//!
//! The schema knowledge is the part of the OpenAPI schema that decides ownership for the kinds
//! served here: which lists are keyed (`k:{"name":...}`), which are sets (`v:`), which maps are
//! maps rather than structs, and which structs are atomic. Lists not named are atomic.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value, json};

use crate::resources::ResourceDef;

/// One element of a field path (structured-merge-diff `fieldpath.PathElement`). The derived
/// order (fields, keys, values, indexes) is structured-merge-diff's.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Pe {
    /// `f:name`: a field of a struct or a key of a map.
    Field(String),
    /// `k:{"name":"app"}`: an item of a keyed list, by its key fields (JSON, keys sorted).
    Key(String),
    /// `v:"x"`: an item of a set (JSON).
    Value(String),
    /// `i:0`: an item of a list by position.
    Index(i64),
}

impl Pe {
    /// The FieldsV1 spelling.
    fn encode(&self) -> String {
        match self {
            Pe::Field(f) => format!("f:{f}"),
            Pe::Key(k) => format!("k:{k}"),
            Pe::Value(v) => format!("v:{v}"),
            Pe::Index(i) => format!("i:{i}"),
        }
    }

    /// `fieldpath.DeserializePathElement`.
    fn decode(s: &str) -> Result<Pe, String> {
        let (kind, rest) = s.split_at(s.len().min(2));
        match kind {
            "f:" => Ok(Pe::Field(rest.to_string())),
            "k:" => match serde_json::from_str::<Value>(rest) {
                Ok(Value::Object(m)) => Ok(Pe::Key(canonical_key(&m))),
                Ok(_) => Err(format!("expected key value pairs, got {rest}")),
                Err(e) => Err(e.to_string()),
            },
            "v:" => serde_json::from_str::<Value>(rest).map(|v| Pe::Value(v.to_string())).map_err(|e| e.to_string()),
            "i:" => rest.parse::<i64>().map(Pe::Index).map_err(|e| e.to_string()),
            _ => Err("unknown path element type".to_string()),
        }
    }

    /// `PathElement.String()`, how conflicts name fields: `.data`, `[name="app"]`, `[="x"]`.
    fn display(&self) -> String {
        let value = |v: &Value| match v {
            Value::String(s) => keyhole_core::validate::names::go_quote(s),
            other => other.to_string(),
        };
        match self {
            Pe::Field(f) => format!(".{f}"),
            Pe::Key(k) => {
                let m: Map<String, Value> = serde_json::from_str(k).unwrap_or_default();
                let parts: Vec<String> = m.iter().map(|(k, v)| format!("{k}={}", value(v))).collect();
                format!("[{}]", parts.join(","))
            }
            Pe::Value(v) => format!("[={}]", value(&serde_json::from_str(v).unwrap_or(Value::Null))),
            Pe::Index(i) => format!("[{i}]"),
        }
    }
}

/// A key's fields as JSON with the names sorted, as structured-merge-diff keeps them.
fn canonical_key(m: &Map<String, Value>) -> String {
    let sorted: BTreeMap<&String, &Value> = m.iter().collect();
    let mut out = Map::new();
    for (k, v) in sorted {
        out.insert(k.clone(), v.clone());
    }
    Value::Object(out).to_string()
}

pub type Path = Vec<Pe>;

/// `fieldpath.Path.String()`.
pub fn path_string(p: &[Pe]) -> String {
    p.iter().map(Pe::display).collect()
}

/// A set of field paths (`fieldpath.Set`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Set(BTreeSet<Path>);

/// The tree FieldsV1 is written from: a node owned itself (`.`) and its children.
#[derive(Default)]
struct Node {
    member: bool,
    children: BTreeMap<Pe, Node>,
}

impl Set {
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    pub fn insert(&mut self, p: Path) {
        self.0.insert(p);
    }
    pub fn contains(&self, p: &[Pe]) -> bool {
        self.0.contains(p)
    }
    pub fn union(&self, o: &Set) -> Set {
        Set(self.0.union(&o.0).cloned().collect())
    }
    pub fn difference(&self, o: &Set) -> Set {
        Set(self.0.difference(&o.0).cloned().collect())
    }
    pub fn intersection(&self, o: &Set) -> Set {
        Set(self.0.intersection(&o.0).cloned().collect())
    }
    /// Without the paths under (or at) any of `prefixes` (`RecursiveDifference`).
    fn without_prefixes(mut self, prefixes: &[Path]) -> Set {
        self.0.retain(|p| !prefixes.iter().any(|pre| p.starts_with(pre)));
        self
    }

    fn tree(&self) -> Node {
        let mut root = Node::default();
        for p in &self.0 {
            let mut n = &mut root;
            for pe in p {
                n = n.children.entry(pe.clone()).or_default();
            }
            n.member = true;
        }
        root
    }

    /// The FieldsV1 JSON (`SetToFields`): `{"f:data":{".":{},"f:k":{}}}`.
    pub fn to_fields_v1(&self) -> Value {
        fn write(n: &Node) -> Value {
            let mut m = Map::new();
            if n.member && !n.children.is_empty() {
                m.insert(".".into(), json!({}));
            }
            for (pe, child) in &n.children {
                m.insert(pe.encode(), write(child));
            }
            Value::Object(m)
        }
        write(&self.tree())
    }

    /// `FieldsToSet`: FieldsV1 read back; an error for anything that is not one.
    pub fn from_fields_v1(v: &Value) -> Result<Set, String> {
        fn read(path: &mut Path, v: &Value, out: &mut Set) -> Result<(), String> {
            let Value::Object(m) = v else {
                return Err(format!("expected an object, got {v}"));
            };
            if m.is_empty() && !path.is_empty() {
                out.insert(path.clone());
            }
            for (k, child) in m {
                if k == "." {
                    if !path.is_empty() {
                        out.insert(path.clone());
                    }
                    continue;
                }
                path.push(Pe::decode(k).map_err(|e| format!("parsing key as path element: {e}"))?);
                read(path, child, out)?;
                path.pop();
            }
            Ok(())
        }
        let mut out = Set::default();
        read(&mut Vec::new(), v, &mut out)?;
        Ok(out)
    }

    /// The paths in structured-merge-diff's `Iterate` order: at each level the owned fields
    /// first, then what is under the others.
    fn iterate(&self) -> Vec<Path> {
        fn walk(n: &Node, prefix: &mut Path, out: &mut Vec<Path>) {
            for (pe, child) in &n.children {
                if child.member {
                    prefix.push(pe.clone());
                    out.push(prefix.clone());
                    prefix.pop();
                }
            }
            for (pe, child) in &n.children {
                if !child.children.is_empty() {
                    prefix.push(pe.clone());
                    walk(child, prefix, out);
                    prefix.pop();
                }
            }
        }
        let mut out = Vec::new();
        walk(&self.tree(), &mut Vec::new(), &mut out);
        out
    }
}

// ---------------------------------------------------------------------------------------------
// The schema, as far as ownership needs it

/// A list's `x-kubernetes-list-type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ListType {
    Atomic,
    Set,
    Map(&'static [&'static str]),
}

/// The field names along a path (list items skipped).
fn names(path: &[Pe]) -> Vec<&str> {
    path.iter()
        .filter_map(|pe| match pe {
            Pe::Field(f) => Some(f.as_str()),
            _ => None,
        })
        .collect()
}

fn list_type(path: &[Pe]) -> ListType {
    let n = names(path);
    match n.as_slice() {
        ["metadata", "finalizers"] => ListType::Set,
        [.., "ownerReferences"] => ListType::Map(&["uid"]),
        [.., "containers" | "initContainers" | "ephemeralContainers" | "volumes" | "env" | "imagePullSecrets"]
        | [.., "resourceClaims" | "schedulingGates"]
        | ["secrets"] => ListType::Map(&["name"]),
        [.., "volumeMounts"] => ListType::Map(&["mountPath"]),
        [.., "ports"] => ListType::Map(&["containerPort", "protocol"]),
        [.., "conditions"] => ListType::Map(&["type"]),
        [.., "podIPs"] => ListType::Map(&["ip"]),
        _ => ListType::Atomic,
    }
}

/// Maps (not structs): every key is a field its owner can own on its own.
fn is_map(path: &[Pe]) -> bool {
    matches!(
        names(path).last(),
        Some(
            &("labels"
                | "annotations"
                | "data"
                | "stringData"
                | "binaryData"
                | "matchLabels"
                | "nodeSelector"
                | "volumeAttributes"
                | "limits"
                | "requests"
                | "parameters")
        )
    )
}

/// Atomic structs: owned whole (`+structType=atomic`), as `metav1.LabelSelector` and the
/// key and object selectors of core/v1 are.
fn is_atomic_struct(path: &[Pe]) -> bool {
    matches!(
        names(path).as_slice(),
        ["spec", "selector"]
            | [
                ..,
                "labelSelector"
                    | "namespaceSelector"
                    | "secretKeyRef"
                    | "configMapKeyRef"
                    | "fieldRef"
                    | "resourceFieldRef"
                    | "nodePublishSecretRef"
            ]
    )
}

/// The path element of a list item.
fn item_pe(lt: ListType, item: &Value, index: usize) -> Pe {
    match lt {
        ListType::Map(keys) => {
            let mut m = Map::new();
            for k in keys {
                if let Some(v) = item.get(*k) {
                    m.insert((*k).to_string(), v.clone());
                }
            }
            Pe::Key(canonical_key(&m))
        }
        ListType::Set => Pe::Value(item.to_string()),
        ListType::Atomic => Pe::Index(i64::try_from(index).unwrap_or(i64::MAX)),
    }
}

/// The object of a kind as `Creater.New` makes it, as JSON: what a create is compared with.
/// Go's encoding keeps struct fields without `omitempty` (`spec.containers: null`), so a create
/// does not own `spec` or `spec.containers` itself, only what is in them.
pub fn empty_object(def: &ResourceDef) -> Value {
    let meta = json!({"creationTimestamp": null});
    let template = json!({"metadata": {"creationTimestamp": null}, "spec": {"containers": null}});
    match def.kind {
        "Pod" => json!({"metadata": meta, "spec": {"containers": null}, "status": {}}),
        "Deployment" => {
            json!({"metadata": meta, "spec": {"selector": null, "template": template, "strategy": {}}, "status": {}})
        }
        "ReplicaSet" => {
            json!({"metadata": meta, "spec": {"selector": null, "template": template}, "status": {"replicas": 0}})
        }
        "Namespace" => json!({"metadata": meta, "spec": {}, "status": {}}),
        "Ingress" => json!({"metadata": meta, "spec": {}, "status": {"loadBalancer": {}}}),
        _ => json!({"metadata": meta}),
    }
}

// ---------------------------------------------------------------------------------------------
// Field sets of objects, and comparisons

/// `TypedValue.ToFieldSet`: every field an object sets.
pub fn fields_of(v: &Value) -> Set {
    fn visit(path: &mut Path, v: &Value, out: &mut Set) {
        match v {
            Value::Object(m) => {
                if is_atomic_struct(path) {
                    out.insert(path.clone());
                    return;
                }
                let map = is_map(path);
                for (k, child) in m {
                    path.push(Pe::Field(k.clone()));
                    visit(path, child, out);
                    if map || child.is_null() || child.as_object().is_some_and(Map::is_empty) {
                        out.insert(path.clone());
                    }
                    path.pop();
                }
            }
            Value::Array(items) => match list_type(path) {
                ListType::Atomic => out.insert(path.clone()),
                lt => {
                    for (i, item) in items.iter().enumerate() {
                        path.push(item_pe(lt, item, i));
                        visit(path, item, out);
                        out.insert(path.clone());
                        path.pop();
                    }
                }
            },
            _ => out.insert(path.clone()),
        }
    }
    let mut out = Set::default();
    visit(&mut Vec::new(), v, &mut out);
    out.0.remove(&Vec::new());
    out
}

/// `typed.Comparison`: what changed from one object to another.
#[derive(Debug, Default)]
pub struct Comparison {
    pub added: Set,
    pub removed: Set,
    pub modified: Set,
}

impl Comparison {
    fn without_prefixes(self, prefixes: &[Path]) -> Comparison {
        Comparison {
            added: self.added.without_prefixes(prefixes),
            removed: self.removed.without_prefixes(prefixes),
            modified: self.modified.without_prefixes(prefixes),
        }
    }
}

/// `TypedValue.Compare`: a field present on one side only is added or removed (and so is each
/// field under it); a leaf (scalar, atomic list or struct, or a map or list empty on both
/// sides) that differs is modified.
pub fn compare(lhs: &Value, rhs: &Value) -> Comparison {
    fn leaf(path: &Path, l: Option<&Value>, r: Option<&Value>, c: &mut Comparison) {
        match (l, r) {
            (None, _) => c.added.insert(path.clone()),
            (_, None) => c.removed.insert(path.clone()),
            (Some(a), Some(b)) if a != b => c.modified.insert(path.clone()),
            _ => {}
        }
    }
    fn node(path: &mut Path, l: Option<&Value>, r: Option<&Value>, c: &mut Comparison) {
        let is = |f: fn(&Value) -> bool| l.is_some_and(f) || r.is_some_and(f);
        let neither =
            |f: fn(&Value) -> bool| l.is_none_or(|v| f(v) || v.is_null()) && r.is_none_or(|v| f(v) || v.is_null());
        if is(Value::is_object) && neither(Value::is_object) && !is_atomic_struct(path) {
            let lm = l.and_then(Value::as_object);
            let rm = r.and_then(Value::as_object);
            if lm.is_none_or(Map::is_empty) && rm.is_none_or(Map::is_empty) {
                return leaf(path, l, r, c);
            }
            children(path, lm, rm, c);
        } else if is(Value::is_array) && neither(Value::is_array) {
            let la = l.and_then(Value::as_array).map(Vec::as_slice).unwrap_or(&[]);
            let ra = r.and_then(Value::as_array).map(Vec::as_slice).unwrap_or(&[]);
            let lt = list_type(path);
            if lt == ListType::Atomic || (la.is_empty() && ra.is_empty()) {
                return leaf(path, l, r, c);
            }
            let mut items: Vec<(Pe, Option<&Value>, Option<&Value>)> = Vec::new();
            for (i, v) in la.iter().enumerate() {
                let pe = item_pe(lt, v, i);
                if !items.iter().any(|(p, _, _)| *p == pe) {
                    items.push((pe, Some(v), None));
                }
            }
            for (i, v) in ra.iter().enumerate() {
                let pe = item_pe(lt, v, i);
                match items.iter_mut().find(|(p, _, _)| *p == pe) {
                    Some((_, _, slot @ None)) => *slot = Some(v),
                    Some(_) => {}
                    None => items.push((pe, None, Some(v))),
                }
            }
            for (pe, li, ri) in items {
                path.push(pe);
                node(path, li, ri, c);
                path.pop();
            }
        } else {
            return leaf(path, l, r, c);
        }
        if l.is_none() {
            c.added.insert(path.clone());
        } else if r.is_none() {
            c.removed.insert(path.clone());
        }
    }
    fn children(path: &mut Path, lm: Option<&Map<String, Value>>, rm: Option<&Map<String, Value>>, c: &mut Comparison) {
        let mut keys: Vec<&String> = lm.map(|m| m.keys().collect()).unwrap_or_default();
        for k in rm.into_iter().flat_map(Map::keys) {
            if !lm.is_some_and(|m| m.contains_key(k)) {
                keys.push(k);
            }
        }
        // managedFields are the field manager's own record, not a field anyone owns.
        let in_metadata = matches!(path.as_slice(), [Pe::Field(f)] if f == "metadata");
        for k in keys.into_iter().filter(|k| !(in_metadata && *k == "managedFields")) {
            path.push(Pe::Field(k.clone()));
            node(path, lm.and_then(|m| m.get(k)), rm.and_then(|m| m.get(k)), c);
            path.pop();
        }
    }
    let mut c = Comparison::default();
    children(&mut Vec::new(), lhs.as_object(), rhs.as_object(), &mut c);
    c
}

// ---------------------------------------------------------------------------------------------
// Merging and pruning applied configurations

/// `TypedValue.Merge` for an apply: the configuration's fields win; structs and maps merge;
/// keyed lists merge item by item (new items appended); sets are united; atomic lists and
/// structs are replaced. A `null` removes the field (Go's decoding makes it the zero value).
pub fn merge(live: &Value, config: &Value) -> Value {
    fn at(path: &mut Path, l: &mut Value, r: &Value) {
        match (l, r) {
            (Value::Object(lm), Value::Object(rm)) if !is_atomic_struct(path) => {
                for (k, rv) in rm {
                    if rv.is_null() {
                        lm.remove(k);
                        continue;
                    }
                    path.push(Pe::Field(k.clone()));
                    match lm.get_mut(k) {
                        Some(lv) => at(path, lv, rv),
                        None => {
                            lm.insert(k.clone(), strip_nulls(rv));
                        }
                    }
                    path.pop();
                }
            }
            (Value::Array(la), Value::Array(ra)) if list_type(path) != ListType::Atomic => {
                let lt = list_type(path);
                for (i, rv) in ra.iter().enumerate() {
                    let pe = item_pe(lt, rv, i);
                    let found = la.iter().enumerate().position(|(j, lv)| item_pe(lt, lv, j) == pe);
                    match (found, lt) {
                        (Some(_), ListType::Set) => {}
                        (Some(j), _) => {
                            path.push(pe);
                            at(path, &mut la[j], rv);
                            path.pop();
                        }
                        (None, _) => la.push(strip_nulls(rv)),
                    }
                }
            }
            (l, r) => *l = strip_nulls(r),
        }
    }
    let mut out = live.clone();
    at(&mut Vec::new(), &mut out, config);
    out
}

fn strip_nulls(v: &Value) -> Value {
    match v {
        Value::Object(m) => {
            Value::Object(m.iter().filter(|(_, v)| !v.is_null()).map(|(k, v)| (k.clone(), strip_nulls(v))).collect())
        }
        Value::Array(a) => Value::Array(a.iter().map(strip_nulls).collect()),
        other => other.clone(),
    }
}

/// Removes one field (or list item) from an object; nothing when it is not there.
fn remove_path(v: &mut Value, path: &[Pe]) {
    let Some((last, parents)) = path.split_last() else { return };
    let mut cur = v;
    let mut walked: Path = Vec::new();
    for pe in parents {
        let next = match (pe, cur) {
            (Pe::Field(f), Value::Object(m)) => m.get_mut(f),
            (pe, Value::Array(items)) => {
                let lt = list_type(&walked);
                items.iter_mut().enumerate().find(|(i, item)| item_pe(lt, item, *i) == *pe).map(|(_, item)| item)
            }
            _ => None,
        };
        let Some(next) = next else { return };
        walked.push(pe.clone());
        cur = next;
    }
    match (last, cur) {
        (Pe::Field(f), Value::Object(m)) => {
            m.shift_remove(f);
        }
        (pe, Value::Array(items)) => {
            let lt = list_type(&walked);
            let mut i = 0;
            items.retain(|item| {
                let keep = item_pe(lt, item, i) != *pe;
                i += 1;
                keep
            });
        }
        _ => {}
    }
}

// ---------------------------------------------------------------------------------------------
// Entries

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Operation {
    Apply,
    Update,
}

impl Operation {
    fn as_str(self) -> &'static str {
        match self {
            Operation::Apply => "Apply",
            Operation::Update => "Update",
        }
    }
}

/// One managedFields entry, its FieldsV1 read into a set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub manager: String,
    pub operation: Operation,
    pub api_version: String,
    pub subresource: String,
    /// As stored: RFC 3339 in seconds.
    pub time: Option<String>,
    pub set: Set,
}

impl Entry {
    /// `BuildManagerIdentifier`: the same manager is the same name, operation and subresource,
    /// and for an update the same apiVersion.
    fn same_manager(&self, o: &Entry) -> bool {
        self.manager == o.manager
            && self.operation == o.operation
            && self.subresource == o.subresource
            && (self.operation == Operation::Apply || self.api_version == o.api_version)
    }

    /// The identifier's JSON, which orders managers in conflict messages.
    fn identifier(&self) -> String {
        let mut m = Map::new();
        m.insert("manager".into(), json!(self.manager));
        m.insert("operation".into(), json!(self.operation.as_str()));
        if self.operation == Operation::Update {
            m.insert("apiVersion".into(), json!(self.api_version));
        }
        if !self.subresource.is_empty() {
            m.insert("subresource".into(), json!(self.subresource));
        }
        Value::Object(m).to_string()
    }

    /// `printManager`: `"kubectl-edit" using v1`, `"kubelet" with subresource "status" using v1`.
    fn describe(&self) -> String {
        let mut s = keyhole_core::validate::names::go_quote(&self.manager);
        if !self.subresource.is_empty() {
            s.push_str(&format!(" with subresource {}", keyhole_core::validate::names::go_quote(&self.subresource)));
        }
        if self.operation == Operation::Update {
            s.push_str(&format!(" using {}", self.api_version));
        }
        s
    }

    fn seconds(&self) -> i64 {
        self.time.as_deref().and_then(|t| t.parse::<jiff::Timestamp>().ok()).map_or(0, |t| t.as_second())
    }

    pub fn to_json(&self) -> Value {
        let mut m = Map::new();
        m.insert("manager".into(), json!(self.manager));
        m.insert("operation".into(), json!(self.operation.as_str()));
        m.insert("apiVersion".into(), json!(self.api_version));
        if let Some(t) = &self.time {
            m.insert("time".into(), json!(t));
        }
        m.insert("fieldsType".into(), json!("FieldsV1"));
        m.insert("fieldsV1".into(), self.set.to_fields_v1());
        if !self.subresource.is_empty() {
            m.insert("subresource".into(), json!(self.subresource));
        }
        Value::Object(m)
    }
}

/// `DecodeManagedFields`: an absent or null list is empty; an entry with another operation, no
/// apiVersion, a fieldsType other than FieldsV1 or FieldsV1 that does not parse is an error. A
/// later entry of the same manager replaces an earlier one.
pub fn decode(list: Option<&Value>) -> Result<Vec<Entry>, String> {
    let items = match list {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(items)) => items,
        Some(_) => return Err("managedFields is not a list".into()),
    };
    let mut out: Vec<Entry> = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let s = |f: &str| item.get(f).and_then(Value::as_str).unwrap_or("").to_string();
        let operation = match s("operation").as_str() {
            "Apply" => Operation::Apply,
            "Update" => Operation::Update,
            _ => return Err("operation must be `Apply` or `Update`".into()),
        };
        if s("apiVersion").is_empty() {
            return Err("apiVersion must not be empty".into());
        }
        match s("fieldsType").as_str() {
            "FieldsV1" => {}
            "" => return Err(format!("missing fieldsType in managed fields entry {i}")),
            other => return Err(format!("invalid fieldsType {other:?} in managed fields entry {i}")),
        }
        let set = match item.get("fieldsV1") {
            None | Some(Value::Null) => Set::default(),
            Some(v) => Set::from_fields_v1(v).map_err(|e| format!("error decoding versioned set: {e}"))?,
        };
        let entry = Entry {
            manager: s("manager"),
            operation,
            api_version: s("apiVersion"),
            subresource: s("subresource"),
            time: item.get("time").and_then(Value::as_str).map(str::to_string),
            set,
        };
        match out.iter_mut().find(|e| e.same_manager(&entry)) {
            Some(e) => *e = entry,
            None => out.push(entry),
        }
    }
    Ok(out)
}

/// `encodeManagedFields`: the entries sorted by operation (Apply first), time, manager,
/// apiVersion and subresource; `None` when there are none (the field is then absent).
pub fn encode(entries: &[Entry]) -> Option<Value> {
    if entries.is_empty() {
        return None;
    }
    let mut sorted: Vec<&Entry> = entries.iter().collect();
    sorted.sort_by(|p, q| {
        (p.operation, p.seconds(), &p.manager, &p.api_version, &p.subresource).cmp(&(
            q.operation,
            q.seconds(),
            &q.manager,
            &q.api_version,
            &q.subresource,
        ))
    });
    Some(Value::Array(sorted.into_iter().map(Entry::to_json).collect()))
}

/// `isResetManagedFields`: an empty list, or a list of one empty entry, clears managedFields.
fn is_reset(v: &Value) -> bool {
    match v.as_array().map(Vec::as_slice) {
        Some([]) => true,
        Some([Value::Object(m)]) => m.values().all(|v| v.is_null() || v == ""),
        _ => false,
    }
}

// ---------------------------------------------------------------------------------------------
// The field manager

/// `stripMetaManager`: fields nobody owns.
const STRIPPED: &[&[&str]] = &[
    &["apiVersion"],
    &["kind"],
    &["metadata"],
    &["metadata", "name"],
    &["metadata", "namespace"],
    &["metadata", "creationTimestamp"],
    &["metadata", "selfLink"],
    &["metadata", "uid"],
    &["metadata", "clusterName"],
    &["metadata", "generation"],
    &["metadata", "managedFields"],
    &["metadata", "resourceVersion"],
];

fn strip(set: &mut Set) {
    for p in STRIPPED {
        set.0.remove(&p.iter().map(|f| Pe::Field((*f).to_string())).collect::<Path>());
    }
}

/// The manager of a write without a `fieldManager`: `prefixFromUserAgent` (apiserver
/// `endpoints/handlers/create.go`), the User-Agent before its first `/`, non-printable
/// characters dropped, at most 128 bytes; `buildManagerInfo` makes an empty one `unknown`.
pub fn manager_name(field_manager: Option<&str>, user_agent: Option<&str>) -> String {
    if let Some(m) = field_manager.filter(|m| !m.is_empty()) {
        return m.to_string();
    }
    let prefix = user_agent.unwrap_or("").split('/').next().unwrap_or("");
    let mut out = String::new();
    for c in prefix.chars() {
        if !keyhole_core::validate::names::go_is_print(c) {
            continue;
        }
        if out.len() + c.len_utf8() > 128 {
            break;
        }
        out.push(c);
    }
    if out.is_empty() { "unknown".to_string() } else { out }
}

/// What every write of one request shares.
#[derive(Debug, Clone)]
pub struct Writer<'a> {
    /// The manager's name (`manager_name`).
    pub manager: &'a str,
    /// The group/version of the request (`v1`, `apps/v1`).
    pub api_version: &'a str,
    /// The time of the write, RFC 3339 in seconds.
    pub now: &'a str,
    /// Fields the endpoint resets and nobody owns through it: `status` for the main resource of
    /// kinds with a status subresource (the strategies' `GetResetFields`).
    pub reset: Vec<Path>,
    /// The subresource written through (`status`), or empty for the main resource.
    pub subresource: &'a str,
}

impl<'a> Writer<'a> {
    /// A write to the main resource of `def`.
    pub fn main(def: &ResourceDef, api_version: &'a str, manager: &'a str, now: &'a str) -> Writer<'a> {
        let reset = if matches!(def.kind, "Pod" | "Deployment" | "ReplicaSet" | "Namespace" | "Ingress") {
            vec![vec![Pe::Field("status".into())]]
        } else {
            Vec::new()
        };
        Writer { manager, api_version, now, reset, subresource: "" }
    }

    /// A write through the `status` subresource, as controllers and the kubelet write: the
    /// spec is reset there (the status strategies' `GetResetFields`), and the entry names the
    /// subresource.
    pub fn status(api_version: &'a str, manager: &'a str, now: &'a str) -> Writer<'a> {
        Writer { manager, api_version, now, reset: vec![vec![Pe::Field("spec".into())]], subresource: "status" }
    }

    fn entry(&self, operation: Operation, set: Set) -> Entry {
        Entry {
            manager: self.manager.to_string(),
            operation,
            api_version: self.api_version.to_string(),
            subresource: self.subresource.to_string(),
            time: None,
            set,
        }
    }
}

/// Other managers lose what a write changed (a conflict, unless forced) or removed
/// (`Updater.update`); managers left with nothing go.
fn take_from_others(
    entries: &mut Vec<Entry>,
    me: Option<&Entry>,
    c: &Comparison,
    force: bool,
) -> Result<(), Vec<Conflict>> {
    let changed = c.modified.union(&c.added);
    let mut conflicts = Vec::new();
    for e in entries.iter().filter(|e| me.is_none_or(|me| !e.same_manager(me))) {
        let clash = e.set.intersection(&changed);
        for path in clash.iterate() {
            conflicts.push(Conflict { manager: e.clone(), path });
        }
    }
    if !force && !conflicts.is_empty() {
        return Err(conflicts);
    }
    for e in entries.iter_mut().filter(|e| me.is_none_or(|me| !e.same_manager(me))) {
        e.set = e.set.difference(&changed).difference(&c.removed);
    }
    entries.retain(|e| !e.set.is_empty());
    Ok(())
}

/// The managedFields after a create, update or non-apply patch (`FieldManager.Update`):
/// `requested` is what the request's object carried (absent: `None`). A valid non-empty list
/// replaces the stored one, an empty list or `[{}]` clears it, anything that does not decode is
/// ignored (the stored list is kept). An object without managedFields gets none from an update
/// (`skipNonAppliedManager`); a create always does. The manager gets the fields the write
/// added or changed, merged into its entry, with the time of the write.
pub fn update(w: &Writer, live: &Value, new: &Value, requested: Option<&Value>, creating: bool) -> Option<Value> {
    let stored = || decode(live.pointer("/metadata/managedFields")).unwrap_or_default();
    let mut entries = match requested {
        Some(r) if is_reset(r) => Vec::new(),
        Some(r) => match decode(Some(r)) {
            Ok(e) if !e.is_empty() => e,
            _ => stored(),
        },
        None => stored(),
    };
    if entries.is_empty() && !creating {
        return None;
    }
    update_entries(w, live, new, &mut entries);
    encode(&entries)
}

/// `managedFieldsUpdater.Update` over `Updater.Update` with the `current-operation` manager,
/// then `capManagersManager`.
fn update_entries(w: &Writer, live: &Value, new: &Value, entries: &mut Vec<Entry>) {
    let c = compare(live, new).without_prefixes(&w.reset);
    let _ = take_from_others(entries, None, &c, true);
    let mut mine = c.modified.union(&c.added).without_prefixes(&w.reset);
    strip(&mut mine);
    if !mine.is_empty() {
        let fresh = w.entry(Operation::Update, mine);
        match entries.iter_mut().find(|e| e.same_manager(&fresh)) {
            Some(e) => {
                e.set = e.set.union(&fresh.set);
                e.time = Some(w.now.to_string());
            }
            None => entries.push(Entry { time: Some(w.now.to_string()), ..fresh }),
        }
    }
    cap_update_managers(entries);
}

/// `capManagersManager`: beyond 10 update managers, the oldest are merged per apiVersion into
/// `ancient-changes`.
fn cap_update_managers(entries: &mut Vec<Entry>) {
    const MAX: usize = 10;
    let mut updaters: Vec<usize> = (0..entries.len()).filter(|i| entries[*i].operation == Operation::Update).collect();
    if updaters.len() <= MAX {
        return;
    }
    updaters.sort_by(|a, b| {
        (entries[*a].seconds(), entries[*a].identifier()).cmp(&(entries[*b].seconds(), entries[*b].identifier()))
    });
    let mut length = updaters.len();
    let mut first_of_version: BTreeMap<String, usize> = BTreeMap::new();
    let mut gone: BTreeSet<usize> = BTreeSet::new();
    for &i in &updaters {
        if length <= MAX {
            break;
        }
        let version = entries[i].api_version.clone();
        match first_of_version.get(&version) {
            Some(&first) => {
                let set = entries[i].set.clone();
                let time = entries[i].time.clone();
                let bucket = &mut entries[first];
                bucket.manager = "ancient-changes".into();
                bucket.subresource = String::new();
                bucket.set = bucket.set.union(&set);
                bucket.time = time;
                gone.insert(i);
                length -= 1;
            }
            None => {
                first_of_version.insert(version, i);
            }
        }
    }
    let mut i = 0;
    entries.retain(|_| {
        let keep = !gone.contains(&i);
        i += 1;
        keep
    });
}

/// The entry of a status written through the `status` subresource by `manager` (a kubelet's,
/// a controller's), from `before` to `status`: the fields it set, as an update owns them.
pub fn status_entry(api_version: &str, manager: &str, time: &str, before: &Value, status: &Value) -> Value {
    let c = compare(&json!({"status": before}), &json!({"status": status}));
    Entry {
        manager: manager.to_string(),
        operation: Operation::Update,
        api_version: api_version.to_string(),
        subresource: "status".to_string(),
        time: Some(time.to_string()),
        set: c.modified.union(&c.added),
    }
    .to_json()
}

/// One field an apply would take from another manager.
#[derive(Debug, Clone)]
pub struct Conflict {
    pub manager: Entry,
    pub path: Path,
}

/// `NewConflictError`'s message and causes (apimachinery `managedfields/internal/conflict.go`).
pub fn conflict_report(conflicts: &[Conflict]) -> (String, Vec<Value>) {
    let mut sorted: Vec<&Conflict> = conflicts.iter().collect();
    sorted.sort_by_key(|c| c.manager.identifier());
    let causes = sorted
        .iter()
        .map(|c| {
            json!({"reason": "FieldManagerConflict", "message": format!("conflict with {}", c.manager.describe()),
                   "field": path_string(&c.path)})
        })
        .collect();
    let message = if let [only] = sorted.as_slice() {
        format!("Apply failed with 1 conflict: conflict with {}: {}", only.manager.describe(), path_string(&only.path))
    } else {
        let mut lines = Vec::new();
        let mut last: Option<String> = None;
        for c in &sorted {
            let id = c.manager.identifier();
            if last.as_ref() != Some(&id) {
                lines.push(format!("conflicts with {}:", c.manager.describe()));
                last = Some(id);
            }
            lines.push(format!("- {}", path_string(&c.path)));
        }
        format!("Apply failed with {} conflicts: {}", sorted.len(), lines.join("\n"))
    };
    (message, causes)
}

/// The result of an apply: the object to store, and its managedFields.
#[derive(Debug)]
pub struct Applied {
    pub object: Value,
    pub managed_fields: Option<Value>,
}

const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";

/// A server-side apply of `config` to `live` (the kind's empty object when creating), as
/// `FieldManager.Apply` does it: an object without managedFields first has its fields given to
/// `before-first-apply`; the configuration is merged in; the fields the manager applied before
/// and no longer applies, that nobody else owns, are removed; other managers' fields that would
/// change are conflicts unless `force`; the manager then owns exactly its configuration's
/// fields. For the manager `kubectl`, conflicts with fields the last-applied annotation
/// describes as they are are forced (the upgrade from client-side apply), and an existing
/// annotation is rewritten with the configuration (`lastAppliedManager`, `lastAppliedUpdater`).
pub fn apply(w: &Writer, live: &Value, config: &Value, force: bool, empty: &Value) -> Result<Applied, Vec<Conflict>> {
    let mut entries = decode(live.pointer("/metadata/managedFields")).unwrap_or_default();
    if entries.is_empty() {
        let before = Writer { manager: "before-first-apply", ..w.clone() };
        update_entries(&before, empty, live, &mut entries);
    }
    let result = match apply_entries(w, live, config, entries.clone(), force) {
        Err(conflicts) if w.manager == "kubectl" && !force => {
            let allowed = allowed_by_last_applied(live, w.api_version);
            let left: Vec<Conflict> = conflicts.into_iter().filter(|c| !allowed.contains(&c.path)).collect();
            if left.is_empty() { apply_entries(w, live, config, entries, true) } else { Err(left) }
        }
        other => other,
    };
    let (mut object, entries) = result?;
    if w.manager == "kubectl"
        && live
            .pointer("/metadata/annotations")
            .and_then(|a| a.get(LAST_APPLIED))
            .and_then(Value::as_str)
            .is_some_and(|s| !s.is_empty())
    {
        let mut applied = config.clone();
        if let Some(a) = applied.pointer_mut("/metadata/annotations").and_then(Value::as_object_mut) {
            a.shift_remove(LAST_APPLIED);
        }
        let text = format!("{}\n", go_json(&applied));
        if let Some(a) = object.pointer_mut("/metadata/annotations").and_then(Value::as_object_mut) {
            a.insert(LAST_APPLIED.into(), Value::String(text));
        }
    }
    Ok(Applied { object, managed_fields: encode(&entries) })
}

fn apply_entries(
    w: &Writer,
    live: &Value,
    config: &Value,
    mut entries: Vec<Entry>,
    force: bool,
) -> Result<(Value, Vec<Entry>), Vec<Conflict>> {
    let me = w.entry(Operation::Apply, fields_of(config).without_prefixes(&w.reset));
    let last = entries.iter().find(|e| e.same_manager(&me)).map(|e| e.set.clone());
    let previous_time = entries.iter().find(|e| e.same_manager(&me)).and_then(|e| e.time.clone());
    entries.retain(|e| !e.same_manager(&me));
    entries.push(me.clone());
    let mut merged = merge(live, config);
    if let Some(last) = last {
        // `Updater.prune`: what the manager no longer applies and nobody else owns goes, unless
        // something owned is under it.
        let owned = entries.iter().fold(Set::default(), |acc, e| acc.union(&e.set));
        let mut gone: Vec<Path> = last
            .difference(&owned)
            .0
            .into_iter()
            .filter(|p| !owned.0.iter().any(|o| o.len() > p.len() && o.starts_with(p)))
            .collect();
        gone.sort_by_key(|p| std::cmp::Reverse(p.len()));
        for p in gone {
            remove_path(&mut merged, &p);
        }
    }
    let c = compare(live, &merged).without_prefixes(&w.reset);
    take_from_others(&mut entries, Some(&me), &c, force)?;
    let changed = merged != *live;
    if let Some(e) = entries.iter_mut().find(|e| e.same_manager(&me)) {
        strip(&mut e.set);
        e.time = if changed { Some(w.now.to_string()) } else { previous_time };
    }
    entries.retain(|e| !e.set.is_empty());
    Ok((if changed { merged } else { live.clone() }, entries))
}

/// `allowedConflictsFromLastApplied`: the fields of the last-applied annotation that are as the
/// live object has them.
fn allowed_by_last_applied(live: &Value, api_version: &str) -> Set {
    let Some(text) = live.pointer("/metadata/annotations").and_then(|a| a.get(LAST_APPLIED)).and_then(Value::as_str)
    else {
        return Set::default();
    };
    let Ok(last) = serde_json::from_str::<Value>(text) else { return Set::default() };
    if last.get("apiVersion").and_then(Value::as_str) != Some(api_version) {
        return Set::default();
    }
    let c = compare(&last, live);
    fields_of(&last).difference(&c.modified).difference(&c.added).difference(&c.removed)
}

/// Go's `encoding/json` of an unstructured object, as kubectl writes the last-applied
/// annotation (`unstructured.UnstructuredJSONScheme`): map keys sorted, no spaces, `<`, `>`, `&`,
/// U+2028 and U+2029 escaped.
pub fn go_json(v: &Value) -> String {
    keyhole_core::secret::last_applied::to_go_json(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secrets() -> &'static ResourceDef {
        crate::resources::secrets()
    }

    fn set_of(v: Value) -> Set {
        Set::from_fields_v1(&v).unwrap()
    }

    #[test]
    fn fields_v1_round_trips_with_members_and_keys() {
        let v = json!({"f:data": {".": {}, "f:a": {}}, "f:metadata": {"f:finalizers": {".": {}, "v:\"x\"": {}}},
                       "f:spec": {"f:containers": {"k:{\"name\":\"app\"}": {".": {}, "f:image": {}}}}});
        let set = set_of(v.clone());
        assert!(set.contains(&[Pe::Field("data".into())]));
        assert!(!set.contains(&[Pe::Field("spec".into())]));
        assert_eq!(set.to_fields_v1(), v);
        for bad in [json!({"x:y": {}}), json!({"f:a": 5}), json!({"k:[1]": {}}), json!([])] {
            assert!(Set::from_fields_v1(&bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_created_secret_is_owned_by_its_creator_with_map_members() {
        let w = Writer::main(secrets(), "v1", "kubectl-create", "2026-01-02T03:04:05Z");
        let new = json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s", "namespace": "default",
            "labels": {"app": "x"}}, "data": {"k": "dg=="}, "type": "Opaque"});
        let mf = update(&w, &empty_object(secrets()), &new, None, true).unwrap();
        assert_eq!(
            mf,
            json!([{"manager": "kubectl-create", "operation": "Update", "apiVersion": "v1", "time": "2026-01-02T03:04:05Z",
                    "fieldsType": "FieldsV1", "fieldsV1": {"f:data": {".": {}, "f:k": {}},
                    "f:metadata": {"f:labels": {".": {}, "f:app": {}}}, "f:type": {}}}])
        );
        // A pod's create owns list items with their keys, not spec or containers themselves.
        let pods = crate::resources::find("", "v1", "pods").unwrap();
        let pod = json!({"metadata": {"name": "p"}, "spec": {"containers": [{"name": "app", "image": "nginx"}]},
                         "status": {"phase": "Running"}});
        let w = Writer::main(pods, "v1", "kubectl-run", "2026-01-02T03:04:05Z");
        let mf = update(&w, &empty_object(pods), &pod, None, true).unwrap();
        assert_eq!(
            mf[0]["fieldsV1"],
            json!({"f:spec": {"f:containers": {"k:{\"name\":\"app\"}": {".": {}, "f:image": {}, "f:name": {}}}}})
        );
    }

    #[test]
    fn updates_take_fields_and_merge_per_manager() {
        let t0 = "2026-01-01T00:00:00Z";
        let live0 = json!({"metadata": {"name": "s"}, "data": {"a": "MQ==", "b": "Mg=="}, "type": "Opaque"});
        let created =
            update(&Writer::main(secrets(), "v1", "kubectl-create", t0), &empty_object(secrets()), &live0, None, true);
        let mut live = live0.clone();
        live["metadata"]["managedFields"] = created.unwrap();
        // kubectl-edit changes a and adds c: it owns them now, the creator keeps b and type.
        let mut new = live.clone();
        new["data"]["a"] = json!("OQ==");
        new["data"]["c"] = json!("Mw==");
        let t1 = "2026-01-01T00:01:00Z";
        let mf = update(&Writer::main(secrets(), "v1", "kubectl-edit", t1), &live, &new, None, false).unwrap();
        let edit = mf.as_array().unwrap().iter().find(|e| e["manager"] == "kubectl-edit").unwrap();
        assert_eq!(edit["fieldsV1"], json!({"f:data": {"f:a": {}, "f:c": {}}}));
        assert_eq!(edit["time"], t1);
        let create = &mf[0];
        assert_eq!(create["fieldsV1"], json!({"f:data": {".": {}, "f:b": {}}, "f:type": {}}));
        // A second edit by the same manager merges into its entry.
        live = new.clone();
        live["metadata"]["managedFields"] = mf;
        let mut new = live.clone();
        new["data"].as_object_mut().unwrap().remove("b");
        new["data"]["d"] = json!("NA==");
        let mf = update(&Writer::main(secrets(), "v1", "kubectl-edit", t1), &live, &new, None, false).unwrap();
        assert_eq!(mf.as_array().unwrap().len(), 2);
        assert_eq!(mf[1]["fieldsV1"], json!({"f:data": {"f:a": {}, "f:c": {}, "f:d": {}}}));
        assert_eq!(mf[0]["fieldsV1"], json!({"f:data": {}, "f:type": {}}), "b is gone from everyone");
        // Nothing changed: nothing to record, the entries stay as they are.
        live = new.clone();
        live["metadata"]["managedFields"] = mf.clone();
        let same = update(&Writer::main(secrets(), "v1", "other", "2027-01-01T00:00:00Z"), &live, &live, None, false);
        assert_eq!(same, Some(mf));
    }

    #[test]
    fn requested_managed_fields_replace_reset_or_are_ignored() {
        let t = "2026-01-01T00:00:00Z";
        let mut live = json!({"metadata": {"name": "s"}, "data": {"a": "MQ=="}});
        live["metadata"]["managedFields"] =
            update(&Writer::main(secrets(), "v1", "creator", t), &empty_object(secrets()), &live, None, true).unwrap();
        let w = Writer::main(secrets(), "v1", "editor", t);
        // Invalid entries are ignored: the stored ones stay.
        for bad in [
            json!([{"manager": "x", "operation": "Bogus", "apiVersion": "v1", "fieldsType": "FieldsV1"}]),
            json!([{"manager": "x", "operation": "Update", "fieldsType": "FieldsV1"}]),
            json!([{"manager": "x", "operation": "Update", "apiVersion": "v1"}]),
            json!([{"manager": "x", "operation": "Update", "apiVersion": "v1", "fieldsType": "FieldsV1", "fieldsV1": {"bad": {}}}]),
        ] {
            assert_eq!(
                update(&w, &live, &live, Some(&bad), false).as_ref(),
                live.pointer("/metadata/managedFields"),
                "{bad}"
            );
        }
        // An empty list, or one empty entry, clears them; later updates then record nothing.
        assert_eq!(update(&w, &live, &live, Some(&json!([])), false), None);
        assert_eq!(update(&w, &live, &live, Some(&json!([{}])), false), None);
        let mut bare = live.clone();
        bare["metadata"].as_object_mut().unwrap().remove("managedFields");
        let mut changed = bare.clone();
        changed["data"]["b"] = json!("Mg==");
        assert_eq!(update(&w, &bare, &changed, None, false), None);
        // A valid list replaces the stored one.
        let mine = json!([{"manager": "mine", "operation": "Apply", "apiVersion": "v1", "fieldsType": "FieldsV1",
                           "fieldsV1": {"f:data": {"f:a": {}}}}]);
        assert_eq!(update(&w, &live, &live, Some(&mine), false), Some(mine));
    }

    #[test]
    fn apply_owns_its_configuration_prunes_and_conflicts() {
        let t = "2026-01-01T00:00:00Z";
        let empty = empty_object(secrets());
        let cfg = json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s", "labels": {"a": "1"}},
                         "stringData": {"k": "v"}});
        let w = Writer::main(secrets(), "v1", "ssa", t);
        let applied = apply(&w, &empty, &cfg, false, &empty).unwrap();
        assert_eq!(
            applied.managed_fields.as_ref().unwrap()[0]["fieldsV1"],
            json!({"f:metadata": {"f:labels": {"f:a": {}}}, "f:stringData": {"f:k": {}}})
        );
        assert_eq!(applied.managed_fields.as_ref().unwrap()[0]["operation"], "Apply");
        let mut live = json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s", "labels": {"a": "1"}},
                              "data": {"k": "dg=="}, "type": "Opaque"});
        live["metadata"]["managedFields"] = applied.managed_fields.unwrap();
        // Another manager edits the label: it owns it now.
        let mut edited = live.clone();
        edited["metadata"]["labels"]["a"] = json!("2");
        edited["metadata"]["managedFields"] =
            update(&Writer::main(secrets(), "v1", "kubectl-edit", t), &live, &edited, None, false).unwrap();
        // Applying the label back is a conflict with the editor, unless forced.
        let conflicts = apply(&w, &edited, &cfg, false, &empty).unwrap_err();
        let (message, causes) = conflict_report(&conflicts);
        assert_eq!(
            message,
            "Apply failed with 1 conflict: conflict with \"kubectl-edit\" using v1: .metadata.labels.a"
        );
        assert_eq!(
            causes[0],
            json!({"reason": "FieldManagerConflict", "message": "conflict with \"kubectl-edit\" using v1", "field": ".metadata.labels.a"})
        );
        let forced = apply(&w, &edited, &cfg, true, &empty).unwrap();
        assert_eq!(forced.object["metadata"]["labels"]["a"], "1");
        assert_eq!(
            forced.managed_fields.as_ref().unwrap().as_array().unwrap().len(),
            1,
            "the editor lost its only field"
        );
        // Applying without the label prunes it: the manager owned it and nobody else does.
        let mut live = forced.object.clone();
        live["metadata"]["managedFields"] = forced.managed_fields.unwrap();
        let cfg2 = json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}, "stringData": {"k": "v"}});
        let pruned = apply(&w, &live, &cfg2, false, &empty).unwrap();
        assert!(pruned.object["metadata"].get("labels").is_none_or(|l| l.get("a").is_none()), "{}", pruned.object);
    }

    #[test]
    fn kubectl_apply_upgrades_from_client_side_apply_without_conflicts() {
        let t = "2026-01-01T00:00:00Z";
        let empty = empty_object(secrets());
        let manifest = json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"annotations": {}, "name": "s", "namespace": "default"},
                              "data": {"k": "MQ=="}, "type": "Opaque"});
        let mut live = manifest.clone();
        live["metadata"]["annotations"][LAST_APPLIED] = json!(format!("{}\n", go_json(&manifest)));
        live["metadata"]["managedFields"] =
            update(&Writer::main(secrets(), "v1", "kubectl-client-side-apply", t), &empty, &live, None, true).unwrap();
        let cfg = json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s", "namespace": "default"},
                         "data": {"k": "Mg=="}, "type": "Opaque"});
        // Another manager conflicts with the client-side applier ...
        let other = Writer::main(secrets(), "v1", "someone", t);
        assert_eq!(apply(&other, &live, &cfg, false, &empty).unwrap_err().len(), 1);
        // ... kubectl takes over what the annotation says it applied, and rewrites the annotation.
        let kubectl = Writer::main(secrets(), "v1", "kubectl", t);
        let done = apply(&kubectl, &live, &cfg, false, &empty).unwrap();
        assert_eq!(done.object["data"]["k"], "Mg==");
        assert_eq!(
            done.object["metadata"]["annotations"][LAST_APPLIED],
            "{\"apiVersion\":\"v1\",\"data\":{\"k\":\"Mg==\"},\"kind\":\"Secret\",\"metadata\":{\"name\":\"s\",\"namespace\":\"default\"},\"type\":\"Opaque\"}\n"
        );
    }

    #[test]
    fn many_updaters_are_capped_into_ancient_changes() {
        let mut live = json!({"metadata": {"name": "s"}, "data": {}});
        for i in 0..12 {
            let mut new = live.clone();
            new["data"][format!("k{i}")] = json!("MQ==");
            let now = format!("2026-01-01T00:00:{i:02}Z");
            let name = format!("m{i}");
            let mf = update(&Writer::main(secrets(), "v1", &name, &now), &live, &new, None, true);
            new["metadata"]["managedFields"] = mf.unwrap();
            live = new;
        }
        let mf = live["metadata"]["managedFields"].as_array().unwrap();
        assert_eq!(mf.len(), 10);
        let ancient = mf.iter().find(|e| e["manager"] == "ancient-changes").unwrap();
        assert_eq!(ancient["fieldsV1"]["f:data"].as_object().unwrap().len(), 3, "{ancient}");
    }

    #[test]
    fn manager_names_come_from_the_user_agent_as_the_server_derives_them() {
        assert_eq!(manager_name(Some("kubectl-edit"), Some("kubectl/v1.32.4 (linux/amd64)")), "kubectl-edit");
        assert_eq!(manager_name(None, Some("kubectl/v1.32.4 (linux/amd64) kubernetes/abc")), "kubectl");
        assert_eq!(manager_name(Some(""), Some("OpenAPI-Generator/31.0.0/python")), "OpenAPI-Generator");
        assert_eq!(manager_name(None, None), "unknown");
        assert_eq!(manager_name(None, Some("a\u{1}b")), "ab");
        assert_eq!(manager_name(None, Some(&"x".repeat(200))).len(), 128);
    }

    #[test]
    fn go_json_sorts_and_escapes_as_go_does() {
        let v = json!({"b": 1, "a": {"d": "<&>", "c": [true, null]}});
        assert_eq!(go_json(&v), "{\"a\":{\"c\":[true,null],\"d\":\"\\u003c\\u0026\\u003e\"},\"b\":1}");
    }
}
