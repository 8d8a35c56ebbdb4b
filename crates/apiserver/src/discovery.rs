//! Discovery documents (`/api`, `/apis`, group versions, `/version`) and the minimal OpenAPI v3
//! that lets `kubectl apply`, `create -f`, `replace` and `edit` run without `--validate=false`.

use serde_json::{Value, json};

use crate::resources::{GROUPS, RESOURCES, ResourceDef, in_group_version};

/// The Kubernetes version the embedded cluster reports unless started as another (1.MINOR).
pub const SERVER_MINOR: u32 = 36;

/// `/version`, for a server that speaks Kubernetes 1.`minor`.
pub fn version(minor: u32) -> Value {
    json!({
        "major": "1",
        "minor": minor.to_string(),
        "emulationMajor": "1",
        "emulationMinor": minor.to_string(),
        "gitVersion": format!("v1.{minor}.0-keyhole.{}", env!("CARGO_PKG_VERSION")),
        "gitCommit": "0000000000000000000000000000000000000000",
        "gitTreeState": "clean",
        "buildDate": "2026-01-01T00:00:00Z",
        "goVersion": "n/a (keyhole embedded cluster, Rust)",
        "compiler": "rustc",
        "platform": format!("{}/{}", std::env::consts::OS, std::env::consts::ARCH),
    })
}

pub fn api_versions(server_address: &str) -> Value {
    json!({
        "kind": "APIVersions",
        "versions": ["v1"],
        "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": server_address}],
    })
}

/// A group's versions, preferred first: `v1` for the built-in groups; for a custom group the
/// versions its CRDs serve, in Kubernetes' version priority (`crd::compare_versions`), as
/// kube-aggregator orders the APIServices that apiextensions registers for them.
fn group_versions(custom: &[&'static ResourceDef], group: &str) -> Vec<&'static str> {
    if GROUPS.contains(&group) {
        return vec!["v1"];
    }
    let mut versions: Vec<&'static str> = custom.iter().filter(|d| d.group == group).map(|d| d.version).collect();
    versions.sort_by(|a, b| crate::crd::compare_versions(a, b));
    versions.dedup();
    versions
}

fn group_json(custom: &[&'static ResourceDef], group: &str) -> Value {
    let gvs: Vec<Value> = group_versions(custom, group)
        .into_iter()
        .map(|v| json!({"groupVersion": format!("{group}/{v}"), "version": v}))
        .collect();
    json!({"name": group, "versions": gvs, "preferredVersion": gvs.first().cloned().unwrap_or(Value::Null)})
}

/// The groups of the custom resources served now, after the built-in ones, in name order.
fn custom_groups(custom: &[&'static ResourceDef]) -> Vec<&'static str> {
    let mut groups: Vec<&'static str> = custom.iter().map(|d| d.group).collect();
    groups.sort_unstable();
    groups.dedup();
    groups
}

/// `/apis`. `custom` is what `crd::served` returns: the groups of installed CRDs follow the
/// built-in groups; a CRD that is not installed has no group here.
pub fn api_group_list(custom: &[&'static ResourceDef]) -> Value {
    let groups: Vec<Value> =
        GROUPS.iter().copied().chain(custom_groups(custom)).map(|g| group_json(custom, g)).collect();
    json!({"kind": "APIGroupList", "apiVersion": "v1", "groups": groups})
}

/// `/apis/<group>`, or `None` (a 404) for a group nothing serves.
pub fn api_group(custom: &[&'static ResourceDef], group: &str) -> Option<Value> {
    (GROUPS.contains(&group) || custom.iter().any(|d| d.group == group)).then(|| {
        let mut g = group_json(custom, group);
        g["kind"] = json!("APIGroup");
        g["apiVersion"] = json!("v1");
        g
    })
}

fn resource_json(r: &ResourceDef) -> Value {
    let mut v = json!({
        "name": r.plural,
        "singularName": r.singular,
        "namespaced": r.namespaced,
        "kind": r.kind,
        "verbs": r.verbs(),
    });
    if !r.short_names.is_empty() {
        v["shortNames"] = json!(r.short_names);
    }
    if !r.categories.is_empty() {
        v["categories"] = json!(r.categories);
    }
    v
}

/// `/api/v1` or `/apis/<group>/<version>`, or `None` (a 404) for a group version nothing serves.
pub fn api_resource_list(custom: &[&'static ResourceDef], group: &str, version: &str) -> Option<Value> {
    let resources: Vec<Value> = in_group_version(group, version)
        .chain(custom.iter().copied().filter(|d| d.group == group && d.version == version))
        .map(resource_json)
        .collect();
    if resources.is_empty() {
        return None;
    }
    let gv = if group.is_empty() { version.to_string() } else { format!("{group}/{version}") };
    Some(json!({"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": gv, "resources": resources}))
}

fn openapi_path_key(group: &str, version: &str) -> String {
    if group.is_empty() { format!("api/{version}") } else { format!("apis/{group}/{version}") }
}

/// `GET /openapi/v3`: where each group version's document is.
pub fn openapi_root(custom: &[&'static ResourceDef]) -> Value {
    let mut paths = serde_json::Map::new();
    let mut gvs: Vec<(&str, &str)> = vec![("", "v1")];
    gvs.extend(GROUPS.iter().map(|g| (*g, "v1")));
    for d in custom {
        if !gvs.contains(&(d.group, d.version)) {
            gvs.push((d.group, d.version));
        }
    }
    for (g, v) in gvs {
        let key = openapi_path_key(g, v);
        paths.insert(
            key.clone(),
            json!({"serverRelativeURL": format!("/openapi/v3/{key}?hash=keyhole-{}", env!("CARGO_PKG_VERSION"))}),
        );
    }
    json!({"paths": paths})
}

/// One group version's OpenAPI v3 document. It describes only what kubectl asks: that each
/// kind's PATCH accepts `fieldValidation`, so kubectl leaves schema validation to the server.
/// PATCH operations carry no `requestBody`, so `kubectl apply` computes strategic merge patches
/// from its compiled-in types.
pub fn openapi_group_version(custom: &[&'static ResourceDef], path: &str) -> Option<Value> {
    let (group, version) = match path.split('/').collect::<Vec<_>>().as_slice() {
        ["api", v] => ("", *v),
        ["apis", g, v] => (*g, *v),
        _ => return None,
    };
    let mut paths = serde_json::Map::new();
    let field_validation = json!({
        "name": "fieldValidation", "in": "query", "schema": {"type": "string", "uniqueItems": true},
        "description": "Strict, Warn or Ignore"
    });
    let mut any = false;
    for r in in_group_version(group, version)
        .chain(custom.iter().copied().filter(|d| d.group == group && d.version == version))
    {
        any = true;
        let prefix = if group.is_empty() { format!("/api/{version}") } else { format!("/apis/{group}/{version}") };
        let item = if r.namespaced {
            format!("{prefix}/namespaces/{{namespace}}/{}/{{name}}", r.plural)
        } else {
            format!("{prefix}/{}/{{name}}", r.plural)
        };
        let gvk = json!({"group": group, "version": version, "kind": r.kind});
        let op = |verb: &str| {
            json!({
                "operationId": format!("{verb}{}", r.kind),
                "x-kubernetes-action": verb,
                "x-kubernetes-group-version-kind": gvk,
                "parameters": [field_validation],
                "responses": {"200": {"description": "OK"}}
            })
        };
        paths.insert(item, json!({"patch": op("patch"), "put": op("put")}));
    }
    any.then(|| {
        json!({
            "openapi": "3.0.0",
            "info": {"title": "Kubernetes (keyhole embedded cluster)", "version": format!("v1.{SERVER_MINOR}.0")},
            "paths": paths,
            "components": {"schemas": {}}
        })
    })
}

/// Whether a resource list exists for this group version (for 404s on unknown paths).
pub fn known_group_version(group: &str, version: &str) -> bool {
    RESOURCES.iter().any(|r| r.group == group && r.version == version)
}
