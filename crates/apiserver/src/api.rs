//! HTTP: authentication, routing, content negotiation, and the handlers for get, list,
//! create, update, patch, delete and access reviews. Watches are in `watch.rs`.

use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, HeaderValue, Method, Request, StatusCode, header};
use axum::response::Response;
use base64::Engine as _;
use jiff::Timestamp;
use keyhole_core::format::rfc3339;
use serde_json::{Value, json};

use crate::auth::{self, Users};
use crate::discovery;
use crate::managed;
use crate::objects;
use crate::patch::{self, PatchType};
use crate::rbac::{self, Attributes, UserInfo};
use crate::requests::{Request as Counted, Requests};
use crate::resources::{self, ResourceDef};
use crate::selectors::{FieldSelector, LabelSelector};
use crate::status::ApiError;
use crate::store::Store;
use crate::table::{self, IncludeObject};
use crate::watch;

/// What every handler shares.
#[derive(Debug)]
pub struct AppState {
    pub store: Arc<Store>,
    pub users: Users,
    /// Decides every request from the RBAC objects in `store`.
    pub authz: rbac::Authorizer,
    pub server_address: String,
    pub bookmark_interval: Duration,
    /// The Kubernetes minor version reported in `/version`.
    pub minor: u32,
    /// Watches stop sending at this point and hang (`ServerOptions::watch_stall`).
    pub watch_stall: Option<watch::WatchStall>,
    /// Every request counted by kind, for tests that show a client does not spin.
    pub requests: Arc<Requests>,
}

impl AppState {
    /// The state of a server started with `opts`.
    pub fn new(store: Arc<Store>, users: Users, server_address: String, opts: &crate::ServerOptions) -> Self {
        AppState {
            store,
            users,
            authz: rbac::Authorizer::default(),
            server_address,
            bookmark_interval: opts.bookmark_interval,
            minor: opts.minor,
            watch_stall: opts.watch_stall,
            requests: Arc::default(),
        }
    }
}

/// The request body limit of kube-apiserver.
const MAX_BODY: usize = 3 * 1024 * 1024;

/// The one entry point: every request comes here.
pub async fn handle(state: Arc<AppState>, req: Request<Body>) -> Response {
    let (parts, body) = req.into_parts();
    let path = parts.uri.path().to_string();
    let query = Query::parse(parts.uri.query().unwrap_or(""));
    if matches!(path.as_str(), "/healthz" | "/livez" | "/readyz") {
        return text(StatusCode::OK, "ok");
    }
    let auth_header = parts.headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok());
    let refused = |user: &str, e: &ApiError| {
        let resp = error_response(e);
        state.requests.record(Counted {
            user: user.to_string(),
            verb: parts.method.as_str().to_ascii_lowercase(),
            group: String::new(),
            resource: String::new(),
            namespace: String::new(),
            continued: false,
            code: resp.status().as_u16(),
        });
        resp
    };
    let Some(user) = state.users.authenticate(auth_header).map(auth::User::info) else {
        return refused("", &ApiError::unauthorized());
    };
    let user = match auth::impersonate(&state.authz, &state.store, user.clone(), &parts.headers) {
        Ok(acting) => acting,
        Err(e) => return refused(&user.name, &e),
    };
    let body = match axum::body::to_bytes(body, MAX_BODY).await {
        Ok(b) => b,
        Err(_) => return error_response(&ApiError::too_large()),
    };
    let ct = parts.headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    // A body that cannot be decoded is reported only once the URL names a resource and the user
    // may act on it, as kube-apiserver routes and authorizes before it decodes.
    let (body, body_error) = if ct.starts_with("application/vnd.kubernetes.protobuf") {
        match crate::protobuf::decode(&body) {
            Ok(v) => (Bytes::from(serde_json::to_vec(&v).unwrap_or_default()), None),
            Err(e) => (Bytes::new(), Some(ApiError::unsupported_media_type_msg(&e))),
        }
    } else {
        (body, None)
    };
    let ctx = Ctx {
        state,
        user,
        method: parts.method,
        headers: parts.headers,
        query,
        body,
        body_error,
        kind: std::sync::OnceLock::new(),
    };
    let resp = match route(&ctx, &path).await {
        Ok(resp) => resp,
        Err(e) => error_response(&e),
    };
    let (verb, group, resource, namespace) = match ctx.kind.get() {
        Some((verb, group, resource, ns)) => (verb.to_string(), group.to_string(), resource.to_string(), ns.clone()),
        None => (ctx.method.as_str().to_ascii_lowercase(), String::new(), String::new(), String::new()),
    };
    ctx.state.requests.record(Counted {
        user: ctx.user.name.clone(),
        continued: verb == "list" && ctx.query.get("continue").is_some_and(|c| !c.is_empty()),
        verb,
        group,
        resource,
        namespace,
        code: resp.status().as_u16(),
    });
    resp
}

struct Ctx {
    state: Arc<AppState>,
    /// Who the request is served as: the authenticated user, or whom it impersonates.
    user: UserInfo,
    method: Method,
    headers: HeaderMap,
    query: Query,
    body: Bytes,
    body_error: Option<ApiError>,
    /// What the request is as RBAC sees it (verb, group, resource, namespace), once the URL
    /// names a resource: for counting it.
    kind: std::sync::OnceLock<(&'static str, &'static str, &'static str, String)>,
}

/// Query parameters, decoded.
#[derive(Debug, Default, Clone)]
pub struct Query(Vec<(String, String)>);

impl Query {
    pub fn parse(q: &str) -> Self {
        Query(serde_urlencoded::from_str(q).unwrap_or_default())
    }
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }
    /// Go's bool parsing of query flags: only `0` and `false` are false; present means true.
    pub fn flag(&self, key: &str) -> bool {
        match self.get(key) {
            None => false,
            Some(v) => !(v == "0" || v.eq_ignore_ascii_case("false")),
        }
    }
    pub fn dry_run(&self) -> bool {
        self.0.iter().any(|(k, v)| k == "dryRun" && v == "All")
    }
}

pub fn json_bytes(code: StatusCode, bytes: Vec<u8>) -> Response {
    let mut r = Response::new(Body::from(bytes));
    *r.status_mut() = code;
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    r
}

fn json_response(code: StatusCode, v: &Value) -> Response {
    json_bytes(code, serde_json::to_vec(v).unwrap_or_default())
}

fn text(code: StatusCode, s: &'static str) -> Response {
    let mut r = Response::new(Body::from(s));
    *r.status_mut() = code;
    r
}

pub fn error_response(e: &ApiError) -> Response {
    json_response(StatusCode::from_u16(e.code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR), &e.body)
}

fn with_warnings(mut r: Response, warnings: &[String]) -> Response {
    for w in warnings {
        let value = format!("299 - \"{}\"", w.replace('\\', "\\\\").replace('"', "\\\""));
        if let Ok(v) = HeaderValue::from_str(&value) {
            r.headers_mut().append("Warning", v);
        }
    }
    r
}

/// How the client wants objects: as themselves, as a Table, or as metadata only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    Full,
    Table,
    Metadata,
}

fn shape(headers: &HeaderMap) -> Shape {
    let accept = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).unwrap_or("");
    // The first acceptable media type wins, as in kube-apiserver's negotiation.
    for part in accept.split(',') {
        let p = part.replace(' ', "");
        if p.contains("as=Table") && (p.contains("v=v1;") || p.ends_with("v=v1") || p.contains("v=v1beta1")) {
            return Shape::Table;
        }
        if p.contains("as=PartialObjectMetadata") {
            return Shape::Metadata;
        }
        if p.starts_with("application/json") || p.starts_with("*/*") {
            return Shape::Full;
        }
    }
    Shape::Full
}

/// What the URL names.
#[derive(Debug)]
struct Target {
    def: &'static ResourceDef,
    namespace: Option<String>,
    name: Option<String>,
}

impl Ctx {
    /// Refuses the request unless the authorizer allows it.
    fn authorize(&self, a: &Attributes<'_>) -> Result<(), ApiError> {
        let decision = self.state.authz.authorize(&self.state.store, &self.user, a);
        if decision.allowed { Ok(()) } else { Err(ApiError::forbidden_attrs(&self.user.name, a, &decision.reason)) }
    }
}

/// Whether a path names a resource as `RequestInfoFactory` decides (`/api/VERSION/...` or
/// `/apis/GROUP/VERSION/...`); other paths (`/api`, `/apis/apps/v1`, `/version`) are
/// non-resource requests, authorized by path.
fn is_resource_path(segs: &[&str]) -> bool {
    matches!(segs, ["api", _, _, ..] | ["apis", _, _, _, ..])
}

/// The name RBAC sees for a list or watch: a `metadata.name` the field selector requires
/// exactly (`metadata.name=X` or `==X`), the only way `resourceNames` apply to them.
fn selected_name(query: &Query) -> &str {
    let selector = query.get("fieldSelector").unwrap_or("");
    selector
        .split(',')
        .find_map(|req| {
            let (field, value) = req.split_once("==").or_else(|| req.split_once('='))?;
            (field.trim() == "metadata.name" && !value.starts_with('=') && !value.contains('/')).then_some(value.trim())
        })
        .unwrap_or("")
}

async fn route(ctx: &Ctx, path: &str) -> Result<Response, ApiError> {
    let segs: Vec<&str> = path.trim_matches('/').split('/').filter(|s| !s.is_empty()).collect();
    let is_get = ctx.method == Method::GET;
    if !is_resource_path(&segs) {
        let verb = ctx.method.as_str().to_ascii_lowercase();
        ctx.authorize(&Attributes::non_resource(&verb, path))?;
    }
    match segs.as_slice() {
        ["version"] if is_get => return Ok(json_response(StatusCode::OK, &discovery::version(ctx.state.minor))),
        ["api"] if is_get => {
            return Ok(json_response(StatusCode::OK, &discovery::api_versions(&ctx.state.server_address)));
        }
        ["apis"] if is_get => {
            let custom = crate::crd::served(&ctx.state.store);
            return Ok(json_response(StatusCode::OK, &discovery::api_group_list(&custom)));
        }
        ["api", v] if is_get => {
            return discovery::api_resource_list(&[], "", v)
                .map(|d| json_response(StatusCode::OK, &d))
                .ok_or_else(ApiError::not_found_path);
        }
        ["apis", g] if is_get => {
            return discovery::api_group(&crate::crd::served(&ctx.state.store), g)
                .map(|d| json_response(StatusCode::OK, &d))
                .ok_or_else(ApiError::not_found_path);
        }
        ["apis", g, v] if is_get => {
            return discovery::api_resource_list(&crate::crd::served(&ctx.state.store), g, v)
                .map(|d| json_response(StatusCode::OK, &d))
                .ok_or_else(ApiError::not_found_path);
        }
        ["openapi", "v3"] if is_get => {
            let custom = crate::crd::served(&ctx.state.store);
            return Ok(json_response(StatusCode::OK, &discovery::openapi_root(&custom)));
        }
        ["openapi", "v3", rest @ ..] if is_get => {
            return discovery::openapi_group_version(&crate::crd::served(&ctx.state.store), &rest.join("/"))
                .map(|d| json_response(StatusCode::OK, &d))
                .ok_or_else(ApiError::not_found_path);
        }
        _ => {}
    }
    let (group, version, rest) = match segs.as_slice() {
        ["api", v, rest @ ..] => ("", *v, rest),
        ["apis", g, v, rest @ ..] => (*g, *v, rest),
        _ => return Err(ApiError::not_found_path()),
    };
    // A built-in resource, else a custom resource whose CRD is installed (`crd.rs`).
    let find = |plural: &str| {
        resources::find(group, version, plural)
            .or_else(|| crate::crd::find(&ctx.state.store, group, version, plural))
            .ok_or_else(ApiError::not_found_path)
    };
    let target = match rest {
        [plural] => Target { def: find(plural)?, namespace: None, name: None },
        ["namespaces", ns, plural] => Target { def: find(plural)?, namespace: Some(ns.to_string()), name: None },
        ["namespaces", ns, plural, name] => {
            Target { def: find(plural)?, namespace: Some(ns.to_string()), name: Some(name.to_string()) }
        }
        [plural, name] => Target { def: find(plural)?, namespace: None, name: Some(name.to_string()) },
        _ => return Err(ApiError::not_found_path()),
    };
    if target.def.namespaced && target.name.is_some() && target.namespace.is_none() {
        return Err(ApiError::not_found_path());
    }
    if !target.def.namespaced && target.namespace.is_some() {
        return Err(ApiError::not_found_path());
    }
    let verb = match (&ctx.method, target.name.is_some()) {
        (&Method::GET, false) if ctx.query.flag("watch") => "watch",
        (&Method::GET, false) => "list",
        (&Method::GET, true) if ctx.query.flag("watch") => "watch",
        (&Method::GET, true) => "get",
        (&Method::POST, false) => "create",
        (&Method::PUT, true) => "update",
        (&Method::PATCH, true) => "patch",
        (&Method::DELETE, true) => "delete",
        (&Method::DELETE, false) => "deletecollection",
        _ => return Err(ApiError::method_not_allowed(ctx.method.as_str(), target.def.plural)),
    };
    let ns = target.namespace.as_deref().unwrap_or("");
    let name = target.name.as_deref().unwrap_or("");
    let _ = ctx.kind.set((verb, target.def.group, target.def.plural, ns.to_string()));
    // For cluster-scoped resources, RBAC sees no namespace; for a namespace object, the
    // namespace is its own name.
    let authz_ns = if target.def.plural == "namespaces" { name } else { ns };
    let authz_name = if matches!(verb, "list" | "watch") && name.is_empty() { selected_name(&ctx.query) } else { name };
    ctx.authorize(&Attributes::resource(verb, target.def.group, target.def.plural, authz_ns, authz_name))?;
    if let Some(e) = &ctx.body_error {
        return Err(e.clone());
    }
    if !target.def.stored {
        return match (verb, target.def.plural) {
            ("create", "selfsubjectaccessreviews") => self_subject_access_review(ctx),
            ("create", "selfsubjectrulesreviews") => self_subject_rules_review(ctx),
            ("create", "selfsubjectreviews") => self_subject_review(ctx),
            _ => Err(ApiError::method_not_allowed(ctx.method.as_str(), target.def.plural)),
        };
    }
    if !target.def.verbs().contains(&verb) {
        return Err(ApiError::method_not_allowed(verb, target.def.plural));
    }
    let resp = match verb {
        "get" => get_one(ctx, &target),
        "list" => list(ctx, &target),
        "watch" => watch_request(ctx, &target),
        "create" => create(ctx, &target),
        "update" => update(ctx, &target),
        "patch" => patch_request(ctx, &target),
        "delete" => delete(ctx, &target),
        _ => delete_collection(ctx, &target),
    }?;
    // A deprecated version of a custom resource warns on every request, as apiextensions-apiserver
    // does (`customresource_handler.go`, `warning.AddWarning`).
    Ok(match target.def.custom.and_then(|c| c.deprecation.as_deref()) {
        Some(w) => with_warnings(resp, &[w.to_string()]),
        None => resp,
    })
}

/// A create or update body, decoded with kube-apiserver's errors (`decode.rs`).
fn parse_body(ctx: &Ctx, def: &ResourceDef) -> Result<Value, ApiError> {
    crate::decode::decode_body(def, &ctx.body)
}

/// `rest.EnsureObjectNamespaceMatchesRequestNamespace` (apiserver `registry/rest/meta.go`), then
/// `checkName` (`endpoints/handlers/rest.go`): an update or patch must leave the object the one
/// the URL names. Called by PUT (`handlers/update.go`) and every patch type (`handlers/patch.go`
/// applyPatch), on the object about to be written.
fn check_same_object(def: &ResourceDef, obj: &mut Value, t: &Target) -> Result<(), ApiError> {
    objects::check_namespace(def, obj, t.namespace.as_deref())?;
    let name = t.name.as_deref().unwrap_or("");
    let body_name = objects::meta(obj, "name");
    if body_name != name {
        return Err(ApiError::bad_request(format!(
            "the name of the object ({body_name}) does not match the name on the URL ({name})"
        )));
    }
    Ok(())
}

/// Unknown fields under `fieldValidation` (`handlers/rest.go`): `Strict` (what kubectl sends)
/// refuses them with 400, `Warn` (the default) keeps the request and returns them as warnings,
/// `Ignore` drops them silently. They are never stored. A decoded body's error names the kind;
/// a patch's is the bare strict decoding error (`handlers/patch.go`).
fn check_unknown_fields(ctx: &Ctx, def: &ResourceDef, obj: &mut Value, patched: bool) -> Result<Vec<String>, ApiError> {
    let unknown = objects::take_unknown_fields(def, obj);
    if unknown.is_empty() {
        return Ok(unknown);
    }
    match ctx.query.get("fieldValidation").unwrap_or("") {
        "Strict" => {
            let err = format!("strict decoding error: {}", unknown.join(", "));
            Err(ApiError::bad_request(if patched {
                err
            } else {
                format!("{} in version \"{}\" cannot be handled as a {}: {err}", def.kind, def.version, def.kind)
            }))
        }
        "Ignore" => Ok(Vec::new()),
        _ => Ok(unknown),
    }
}

fn now() -> Timestamp {
    Timestamp::now()
}

fn get_one(ctx: &Ctx, t: &Target) -> Result<Response, ApiError> {
    let ns = t.namespace.as_deref().unwrap_or("");
    let name = t.name.as_deref().unwrap_or("");
    let obj = ctx
        .state
        .store
        .lock()
        .get(t.def.key(), ns, name)
        .cloned()
        .ok_or_else(|| ApiError::not_found(t.def.group, t.def.plural, name))?;
    let obj = crate::crd::present(t.def, obj);
    let resp = match shape(&ctx.headers) {
        Shape::Full => json_response(StatusCode::OK, &obj),
        Shape::Metadata => json_response(StatusCode::OK, &table::partial_metadata(&obj)),
        Shape::Table => {
            let include = IncludeObject::parse(ctx.query.get("includeObject"));
            let rv = objects::meta(&obj, "resourceVersion");
            let list_meta = json!({"resourceVersion": rv});
            let items = [obj.as_ref()];
            let table = table::Table {
                def: t.def,
                items: &items,
                list_meta: &list_meta,
                with_columns: true,
                now: now(),
                include,
            };
            json_bytes(StatusCode::OK, serde_json::to_vec(&table).unwrap_or_default())
        }
    };
    Ok(resp)
}

/// The selectors and options shared by list and watch.
#[derive(Debug)]
pub struct Filter {
    pub labels: LabelSelector,
    pub fields: FieldSelector,
    pub namespace: Option<String>,
}

impl Filter {
    pub fn matches(&self, obj: &Value) -> bool {
        self.labels.matches_object(obj) && self.fields.matches_object(obj)
    }
}

fn filter(ctx: &Ctx, t: &Target) -> Result<Filter, ApiError> {
    let labels = LabelSelector::parse(ctx.query.get("labelSelector").unwrap_or("")).map_err(ApiError::bad_request)?;
    let mut fields = FieldSelector::parse(ctx.query.get("fieldSelector").unwrap_or(""), |f| t.def.supports_field(f))
        .map_err(ApiError::bad_request)?;
    if let Some(name) = &t.name {
        if let Some(pinned) = fields.pinned_name()
            && pinned != name
        {
            return Err(ApiError::bad_request("fieldSelector metadata.name doesn't match requested name"));
        }
        fields = FieldSelector::parse(&format!("metadata.name={name}"), |_| true).map_err(ApiError::bad_request)?;
    }
    Ok(Filter { labels, fields, namespace: t.namespace.clone() })
}

fn check_list_options(q: &Query, watch: bool) -> Result<(), ApiError> {
    let rv = q.get("resourceVersion").unwrap_or("");
    if let Some(m) = q.get("resourceVersionMatch").filter(|m| !m.is_empty()) {
        if rv.is_empty() {
            return Err(ApiError::invalid_options(
                "ListOptions.meta.k8s.io \"\" is invalid: resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided",
            ));
        }
        if q.get("continue").is_some_and(|c| !c.is_empty()) {
            return Err(ApiError::invalid_options(
                "ListOptions.meta.k8s.io \"\" is invalid: resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden when continue is provided",
            ));
        }
        if m != "Exact" && m != "NotOlderThan" {
            return Err(ApiError::invalid_options(format!(
                "ListOptions.meta.k8s.io \"\" is invalid: resourceVersionMatch: Unsupported value: \"{m}\": supported values: \"Exact\", \"NotOlderThan\""
            )));
        }
        if m == "Exact" && rv == "0" {
            return Err(ApiError::invalid_options(
                "ListOptions.meta.k8s.io \"\" is invalid: resourceVersionMatch: Forbidden: resourceVersionMatch \"exact\" is forbidden for resourceVersion \"0\"",
            ));
        }
    }
    if q.get("sendInitialEvents").is_some() && !watch {
        return Err(ApiError::invalid_options(
            "ListOptions.meta.k8s.io \"\" is invalid: sendInitialEvents: Forbidden: sendInitialEvents is forbidden for list",
        ));
    }
    Ok(())
}

/// The message of a 410 for a continue token whose version is gone (apiserver
/// `storage/etcd3/errors.go`, `inconsistentContinue`).
pub const INCONSISTENT_CONTINUE: &str = "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.";

/// A continue token as kube-apiserver writes it (`storage.EncodeContinue`, apiserver
/// `storage/continue.go`): unpadded base64url of `{"v":"meta.k8s.io/v1","rv":RV,"start":KEY}`,
/// KEY being the page's last key relative to the list's key prefix plus a NUL, so that the next
/// page starts just after it. RV is the version the list is read at; -1 means "the latest".
fn encode_continue(t: &Target, key: &crate::store::Key, rv: i64) -> String {
    let start = if t.def.namespaced && t.namespace.is_none() {
        format!("{}/{}\u{0}", key.0, key.1)
    } else {
        format!("{}\u{0}", key.1)
    };
    let token = json!({"v": "meta.k8s.io/v1", "rv": rv, "start": start});
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(token.to_string())
}

/// `storage.DecodeContinue` with `ValidateListOptions`'s 400s: the key to continue after, and the
/// version to read at (`None`: the latest).
fn decode_continue(t: &Target, token: &str) -> Result<(crate::store::Key, Option<u64>), ApiError> {
    let bad = |why: String| ApiError::bad_request(format!("invalid continue token: continue key is not valid{why}"));
    let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(token).map_err(|e| {
        bad(match e {
            base64::DecodeError::InvalidByte(at, _) | base64::DecodeError::InvalidLastSymbol(at, _) => {
                format!(": illegal base64 data at input byte {at}")
            }
            _ => format!(": illegal base64 data at input byte {}", token.len()),
        })
    })?;
    #[derive(serde::Deserialize)]
    struct Token {
        #[serde(default)]
        v: String,
        #[serde(default)]
        rv: i64,
        #[serde(default)]
        start: String,
    }
    let c: Token = serde_json::from_slice(&raw).map_err(|e| bad(format!(": {e}")))?;
    if c.v != "meta.k8s.io/v1" {
        return Err(bad(format!(": server does not recognize this encoded version {}", c.v)));
    }
    if c.rv == 0 {
        return Err(bad(": incorrect encoded start resourceVersion (version meta.k8s.io/v1)".into()));
    }
    if c.start.is_empty() {
        return Err(bad(": encoded start key empty (version meta.k8s.io/v1)".into()));
    }
    // path.Clean must leave it as it is: no way above the key prefix.
    let path = c.start.strip_prefix('/').unwrap_or(&c.start);
    if path.split('/').any(|seg| seg.is_empty() || seg == "." || seg == "..") {
        return Err(bad(format!(": {}", c.start)));
    }
    let start = path.strip_suffix('\u{0}').unwrap_or(path);
    let key = if t.def.namespaced && t.namespace.is_none() {
        let (ns, name) = start.split_once('/').unwrap_or((start, ""));
        (ns.to_string(), name.to_string())
    } else {
        (t.namespace.clone().unwrap_or_default(), start.to_string())
    };
    Ok((key, u64::try_from(c.rv).ok()))
}

/// A list is read at one version (apiserver `storage/etcd3/store.go` GetList): the version of
/// its first page for every later page (the continue token carries it), or the version asked
/// for with `resourceVersionMatch=Exact` (or, without a match, with a `limit`); else the latest.
/// A version the event log no longer reaches is a 410, with an inconsistent-continue token for
/// a paged list (`storage/etcd3/errors.go`).
fn list(ctx: &Ctx, t: &Target) -> Result<Response, ApiError> {
    check_list_options(&ctx.query, false)?;
    let f = filter(ctx, t)?;
    let limit = ctx.query.get("limit").and_then(|l| l.parse::<usize>().ok()).filter(|l| *l > 0);
    let rv_param = ctx.query.get("resourceVersion").unwrap_or("");
    let (after, at) = match ctx.query.get("continue").filter(|c| !c.is_empty()) {
        Some(c) => {
            let (key, at) = decode_continue(t, c)?;
            if !rv_param.is_empty() && rv_param != "0" {
                return Err(ApiError::bad_request("specifying resource version is not allowed when using continue"));
            }
            (Some(key), at)
        }
        None => {
            let exact = match ctx.query.get("resourceVersionMatch").unwrap_or("") {
                "Exact" => true,
                "" => limit.is_some(),
                _ => false,
            };
            let at = rv_param.parse::<u64>().ok().filter(|rv| exact && *rv > 0);
            (None, at)
        }
    };
    let shape = shape(&ctx.headers);
    let include = IncludeObject::parse(ctx.query.get("includeObject"));
    let selecting = !f.labels.is_empty() || !f.fields.is_empty();
    let store = ctx.state.store.lock();
    let rv = at.unwrap_or_else(|| store.rv());
    let objects = match store.iter_at(t.def.key(), f.namespace.as_deref(), after.clone(), rv) {
        Ok(objects) => objects,
        Err(_) => {
            let Some(after) = after else {
                return Err(ApiError::expired("The resourceVersion for the provided list is too old."));
            };
            let mut e = ApiError::expired(INCONSISTENT_CONTINUE);
            e.body["metadata"] = json!({"continue": encode_continue(t, &after, -1)});
            return Err(e);
        }
    };
    let mut items: Vec<Arc<Value>> = Vec::new();
    let mut next: Option<(String, crate::store::Key)> = None;
    let mut iter = objects.filter(|(_, o)| f.matches(o));
    for (key, obj) in iter.by_ref() {
        items.push(obj);
        if limit.is_some_and(|l| items.len() >= l) {
            next = Some((encode_continue(t, &key, i64::try_from(rv).unwrap_or(i64::MAX)), key));
            break;
        }
    }
    // A continue token only when something follows; the count only when it is reported
    // (without selectors), counted without copying the rest of the list.
    let mut remaining = 0usize;
    if next.is_some() && iter.next().is_none() {
        next = None;
    }
    drop(iter);
    if let Some((_, key)) = &next
        && !selecting
    {
        remaining = store.count_at(t.def.key(), f.namespace.as_deref(), Some(key.clone()), rv).unwrap_or(0);
    }
    let next = next.map(|(token, _)| token);
    drop(store);
    if t.def.custom.is_some() {
        items = items.into_iter().map(|o| crate::crd::present(t.def, o)).collect();
    }
    let mut meta = json!({"resourceVersion": rv.to_string()});
    if let Some(c) = &next {
        meta["continue"] = json!(c);
        if !selecting {
            meta["remainingItemCount"] = json!(remaining);
        }
    }
    let now = now();
    let body = match shape {
        Shape::Table => {
            let items: Vec<&Value> = items.iter().map(|o| o.as_ref()).collect();
            let table = table::Table { def: t.def, items: &items, list_meta: &meta, with_columns: true, now, include };
            serde_json::to_vec(&table).unwrap_or_default()
        }
        Shape::Metadata => {
            let head = json!({"kind": "PartialObjectMetadataList", "apiVersion": "meta.k8s.io/v1", "metadata": meta});
            write_list(&head, items.iter().map(|o| table::Partial(o)))
        }
        Shape::Full => {
            let head = json!({"kind": t.def.list_kind(), "apiVersion": t.def.group_version(), "metadata": meta});
            write_list_refs(&head, &items)
        }
    };
    Ok(json_bytes(StatusCode::OK, body))
}

/// Serialises `{head..., "items":[...]}` without cloning the items into one big Value.
fn write_list_refs(head: &Value, items: &[Arc<Value>]) -> Vec<u8> {
    let mut out = serde_json::to_vec(head).unwrap_or_default();
    out.pop(); // the closing brace
    out.extend_from_slice(b",\"items\":[");
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        let _ = serde_json::to_writer(&mut out, item.as_ref());
    }
    out.extend_from_slice(b"]}");
    out
}

fn write_list<T: serde::Serialize>(head: &Value, items: impl Iterator<Item = T>) -> Vec<u8> {
    let mut out = serde_json::to_vec(head).unwrap_or_default();
    out.pop();
    out.extend_from_slice(b",\"items\":[");
    for (i, item) in items.enumerate() {
        if i > 0 {
            out.push(b',');
        }
        let _ = serde_json::to_writer(&mut out, &item);
    }
    out.extend_from_slice(b"]}");
    out
}

fn watch_request(ctx: &Ctx, t: &Target) -> Result<Response, ApiError> {
    check_list_options(&ctx.query, true)?;
    let f = filter(ctx, t)?;
    let send_initial = ctx.query.get("sendInitialEvents").map(|_| ctx.query.flag("sendInitialEvents"));
    if send_initial == Some(true) && ctx.query.get("resourceVersionMatch") != Some("NotOlderThan") {
        return Err(ApiError::invalid_options(
            "ListOptions.meta.k8s.io \"\" is invalid: sendInitialEvents: Forbidden: sendInitialEvents is forbidden unless resourceVersionMatch is set to NotOlderThan",
        ));
    }
    let opts = watch::WatchOptions {
        def: t.def,
        filter: f,
        resource_version: ctx.query.get("resourceVersion").unwrap_or("").to_string(),
        send_initial_events: send_initial == Some(true),
        bookmarks: ctx.query.flag("allowWatchBookmarks"),
        bookmark_interval: ctx.state.bookmark_interval,
        timeout: ctx.query.get("timeoutSeconds").and_then(|s| s.parse::<u64>().ok()).map(Duration::from_secs),
        shape: shape(&ctx.headers),
        include: IncludeObject::parse(ctx.query.get("includeObject")),
        stall: ctx.state.watch_stall,
    };
    watch::start(ctx.state.store.clone(), opts)
}

fn create(ctx: &Ctx, t: &Target) -> Result<Response, ApiError> {
    let def = t.def;
    check_options(ctx, "CreateOptions", false)?;
    let mut obj = parse_body(ctx, def)?;
    let decode_warnings = check_unknown_fields(ctx, def, &mut obj, false)?;
    objects::check_type(def, &mut obj)?;
    objects::check_namespace(def, &mut obj, t.namespace.as_deref())?;
    let requested = objects::take_managed_fields(&mut obj);
    // What the field manager sees: the object as decoded, before the store's defaults.
    let decoded = objects::decoded_form(def, &obj);
    let now = now();
    let fabricated_status = obj.get("status").is_none();
    objects::prepare_create(def, &mut obj, now)?;
    let mut store = ctx.state.store.lock();
    let ns = t.namespace.clone().unwrap_or_default();
    // NamespaceLifecycle admission runs before validation.
    if def.namespaced && !store.contains("namespaces", "", &ns) {
        return Err(ApiError::namespace_not_found(&ns));
    }
    let (mut obj, warnings) = objects::validate_create(def, obj)?;
    escalation(ctx, &store, def, &obj, None)?;
    let manager = manager(ctx);
    let gv = def.group_version();
    let stamp = rfc3339(now);
    let w = managed::Writer::main(def, &gv, &manager, &stamp);
    let mf = managed::update(&w, &managed::empty_object(def), &decoded, requested.as_ref(), true);
    objects::set_managed_fields(&mut obj, mf);
    if fabricated_status {
        objects::record_status_writer(def, &mut obj, now);
    }
    objects::check_managed_fields(def, &obj)?;
    let name = objects::meta(&obj, "name");
    if store.contains(def.key(), &ns, &name) {
        return Err(ApiError::already_exists(def.group, def.plural, &name));
    }
    let stored = if ctx.query.dry_run() { Arc::new(obj) } else { store.put(def.key(), obj) };
    drop(store);
    Ok(with_warnings(json_response(StatusCode::CREATED, &stored), &[decode_warnings, warnings].concat()))
}

/// The RBAC storage's escalation checks on a write of a role or binding (`rbac::escalation`).
fn escalation(
    ctx: &Ctx,
    store: &crate::store::Inner,
    def: &ResourceDef,
    obj: &Value,
    old: Option<&Value>,
) -> Result<(), ApiError> {
    if def.group != rbac::GROUP {
        return Ok(());
    }
    use rbac::escalation::Refusal;
    rbac::escalation::check(store, &ctx.user, def.plural, obj, old).map_err(|r| match r {
        Refusal::Forbidden(why) => ApiError::forbidden_write(def.group, def.plural, &objects::meta(obj, "name"), &why),
        Refusal::RoleNotFound { resource, name } => ApiError::not_found(rbac::GROUP, resource, &name),
    })
}

/// The field manager of a write: the `fieldManager` parameter, else from the User-Agent.
fn manager(ctx: &Ctx) -> String {
    let agent = ctx.headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok());
    managed::manager_name(ctx.query.get("fieldManager"), agent)
}

/// `ValidateCreateOptions`, `ValidateUpdateOptions`, `ValidatePatchOptions` (apimachinery
/// `pkg/apis/meta/v1/validation`): the field manager has at most 128 bytes, all printable; `force`
/// is for apply patches only. A 422 naming the options kind, before the body is read.
fn check_options(ctx: &Ctx, kind: &str, apply: bool) -> Result<(), ApiError> {
    use keyhole_core::validate::FieldError;
    let mut errors = Vec::new();
    let m = ctx.query.get("fieldManager").unwrap_or("");
    if apply && m.is_empty() {
        // This field is defaulted to "kubectl" by kubectl, but has to be set by controllers.
        errors.push(FieldError::required("fieldManager", "is required for apply patch"));
    }
    if kind == "PatchOptions" && !apply && ctx.query.get("force").is_some() {
        errors.push(FieldError::forbidden("force", "may not be specified for non-apply patch"));
    }
    if m.len() > 128 {
        errors.push(keyhole_core::validate::meta::too_long("fieldManager", 128));
    }
    for (pos, c) in m.char_indices() {
        if !keyhole_core::validate::names::go_is_print(c) {
            errors.push(FieldError::invalid(
                "fieldManager",
                m,
                &format!("invalid character U+{:04X} (at position {pos})", c as u32),
            ));
        }
    }
    if errors.is_empty() { Ok(()) } else { Err(ApiError::invalid("meta.k8s.io", kind, "", &errors)) }
}

/// How a write's managedFields are made: by the field manager's update from the object the
/// request carried (`Update`), or already by an apply (`Applied`).
enum Managed {
    Update,
    Applied(Option<Value>),
}

/// The shared tail of PUT and PATCH: precondition, validation, managedFields, no-op detection,
/// write.
fn write_update(
    ctx: &Ctx,
    t: &Target,
    store: &mut crate::store::Inner,
    current: &Value,
    mut new: Value,
    decode_warnings: Vec<String>,
    plan: Managed,
) -> Result<Response, ApiError> {
    let def = t.def;
    let name = t.name.as_deref().unwrap_or("");
    let wanted_rv = objects::meta(&new, "resourceVersion");
    if !wanted_rv.is_empty() && wanted_rv != objects::meta(current, "resourceVersion") {
        return Err(ApiError::conflict(def.group, def.plural, name));
    }
    let requested = objects::take_managed_fields(&mut new);
    let (mut new, warnings) = objects::validate_update(def, current, new)?;
    escalation(ctx, store, def, &new, Some(current))?;
    let mf = match plan {
        Managed::Update => {
            let manager = manager(ctx);
            let gv = def.group_version();
            let stamp = rfc3339(now());
            let w = managed::Writer::main(def, &gv, &manager, &stamp);
            managed::update(&w, current, &new, requested.as_ref(), false)
        }
        Managed::Applied(mf) => mf,
    };
    objects::set_managed_fields(&mut new, mf);
    objects::check_managed_fields(def, &new)?;
    let warnings = [decode_warnings, warnings].concat();
    if objects::finalized(current, &new) {
        // The last finalizer is gone: the update deletes the object (`deleteWithoutFinalizers`
        // in `registry/generic/registry/store.go`). The watch's DELETED event carries the last
        // stored state; the answer is the updated object, as a PUT's client expects.
        if !ctx.query.dry_run() {
            store.remove(def.key(), t.namespace.as_deref().unwrap_or(""), name);
        }
        return Ok(with_warnings(json_response(StatusCode::OK, &new), &warnings));
    }
    if objects::same_content(current, &new) {
        return Ok(with_warnings(json_response(StatusCode::OK, current), &warnings));
    }
    let stored = if ctx.query.dry_run() { Arc::new(new) } else { store.put(def.key(), new) };
    Ok(with_warnings(json_response(StatusCode::OK, &stored), &warnings))
}

fn update(ctx: &Ctx, t: &Target) -> Result<Response, ApiError> {
    let def = t.def;
    let name = t.name.as_deref().unwrap_or("");
    check_options(ctx, "UpdateOptions", false)?;
    let mut obj = parse_body(ctx, def)?;
    let decode_warnings = check_unknown_fields(ctx, def, &mut obj, false)?;
    objects::check_type(def, &mut obj)?;
    check_same_object(def, &mut obj, t)?;
    let ns = t.namespace.clone().unwrap_or_default();
    let mut store = ctx.state.store.lock();
    let current =
        store.get(def.key(), &ns, name).cloned().ok_or_else(|| ApiError::not_found(def.group, def.plural, name))?;
    write_update(ctx, t, &mut store, &current, obj, decode_warnings, Managed::Update)
}

fn patch_request(ctx: &Ctx, t: &Target) -> Result<Response, ApiError> {
    let def = t.def;
    let name = t.name.as_deref().unwrap_or("");
    let ct = ctx.headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let kind = PatchType::from_content_type(ct).ok_or_else(|| ApiError::unsupported_media_type(ct))?;
    check_options(ctx, "PatchOptions", kind == PatchType::Apply)?;
    if kind == PatchType::Apply {
        return server_side_apply(ctx, t);
    }
    // `validateAndTranscodePatch` (`handlers/patch.go`): anything but JSON is refused first.
    let mut patch_body: Value =
        serde_json::from_slice(&ctx.body).map_err(|_| ApiError::bad_request("invalid JSON patch"))?;
    let validating = !matches!(ctx.query.get("fieldValidation"), Some("Ignore"));
    patch::check_patch_body(kind, &patch_body, validating).map_err(ApiError::bad_request)?;
    if patch_body.is_null() {
        // Go unmarshals `null` into an empty patch.
        patch_body = if kind == PatchType::Json { json!([]) } else { json!({}) };
    }
    let ns = t.namespace.clone().unwrap_or_default();
    let mut store = ctx.state.store.lock();
    let current =
        store.get(def.key(), &ns, name).cloned().ok_or_else(|| ApiError::not_found(def.group, def.plural, name))?;
    let mut patched = (*current).clone();
    let result = match kind {
        PatchType::Json => patch::json_patch(&mut patched, &patch_body),
        PatchType::Merge => {
            patch::merge_patch(&mut patched, &patch_body);
            Ok(())
        }
        PatchType::Strategic | PatchType::Apply => patch::strategic_merge_patch(&mut patched, &patch_body),
    };
    result.map_err(|e| {
        ApiError::invalid_options(format!("the server rejected our request due to an error in our request: {e}"))
    })?;
    // The patched JSON is decoded into the typed object (`runtime.DecodeInto` in
    // `handlers/patch.go`); a type error is a 422 on the field `patch`.
    if patched.is_null() {
        patched = json!({});
    }
    if let Some(e) = crate::decode::type_error(def.kind, &patched) {
        let value = serde_json::to_string(&patched).unwrap_or_default();
        return Err(ApiError::invalid("", "", "", &[keyhole_core::validate::FieldError::invalid("patch", &value, &e)]));
    }
    let decode_warnings = check_unknown_fields(ctx, def, &mut patched, true)?;
    objects::check_type(def, &mut patched)?;
    check_same_object(def, &mut patched, t)?;
    write_update(ctx, t, &mut store, &current, patched, decode_warnings, Managed::Update)
}

/// `application/apply-patch+yaml` (server-side apply), simplified: the applied configuration is
/// merged into the live object (created if missing). Field ownership is not tracked. The checks
/// are kube-apiserver's: the body must be an object (`handlers/patch.go` applyPatcher), of the
/// URL's apiVersion (`managedfields/internal/structuredmerge.go`), without managedFields, and
/// the result must be the object the URL names (`applyPatch`: namespace, then `checkName`).
fn server_side_apply(ctx: &Ctx, t: &Target) -> Result<Response, ApiError> {
    let def = t.def;
    let name = t.name.as_deref().unwrap_or("");
    // `applyPatcher` (`handlers/patch.go`) unmarshals the body with sigs.k8s.io/yaml: YAML,
    // of which JSON is a part; only the first document is read.
    let mut applied = decode_apply_body(&ctx.body)?;
    if applied.is_null() {
        applied = json!({});
    }
    if !applied.is_object() {
        return Err(ApiError::bad_request(format!(
            "error decoding patch: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {} into Go value of type map[string]interface {{}}",
            crate::decode::json_kind(&applied)
        )));
    }
    let gv = def.group_version();
    let patch_version = applied.get("apiVersion").and_then(Value::as_str).unwrap_or("");
    if patch_version != gv {
        return Err(ApiError::bad_request(format!(
            "Incorrect version specified in apply patch. Specified patch version: {patch_version}, expected: {gv}"
        )));
    }
    if applied.pointer("/metadata/managedFields").is_some_and(|m| !m.is_null()) {
        return Err(ApiError::bad_request("metadata.managedFields must be nil"));
    }
    if let Some(e) = crate::decode::type_error(def.kind, &applied) {
        // kube-apiserver answers this with a 500 today (kubernetes#139253); it is the client's
        // mistake, so here it is the 400 that the pending fix (kubernetes#139255) gives.
        return Err(ApiError::bad_request(format!(
            "failed to create typed patch object ({}/{}; {}, Kind={}): {e}",
            objects::meta(&applied, "namespace"),
            objects::meta(&applied, "name"),
            gv,
            def.kind
        )));
    }
    objects::check_type(def, &mut applied)?;
    let ns = t.namespace.clone().unwrap_or_default();
    let manager = manager(ctx);
    let now = now();
    let stamp = rfc3339(now);
    let w = managed::Writer::main(def, &gv, &manager, &stamp);
    let force = ctx.query.flag("force");
    let empty = managed::empty_object(def);
    let mut store = ctx.state.store.lock();
    match store.get(def.key(), &ns, name).cloned() {
        Some(current) => {
            // The configuration is merged into the live object as structured-merge-diff merges
            // it; a resourceVersion in it is a precondition, checked by `write_update`.
            let result = managed::apply(&w, &current, &applied, force, &empty).map_err(|c| apply_conflict(&c))?;
            let mut merged = result.object;
            check_same_object(def, &mut merged, t)?;
            write_update(ctx, t, &mut store, &current, merged, Vec::new(), Managed::Applied(result.managed_fields))
        }
        None => {
            let result = managed::apply(&w, &empty, &applied, force, &empty).map_err(|c| apply_conflict(&c))?;
            check_same_object(def, &mut applied, t)?;
            let fabricated_status = applied.get("status").is_none();
            objects::prepare_create(def, &mut applied, now)?;
            if def.namespaced && !store.contains("namespaces", "", &ns) {
                return Err(ApiError::namespace_not_found(&ns));
            }
            let (mut obj, warnings) = objects::validate_create(def, applied)?;
            escalation(ctx, &store, def, &obj, None)?;
            objects::set_managed_fields(&mut obj, result.managed_fields);
            if fabricated_status {
                objects::record_status_writer(def, &mut obj, now);
            }
            let stored = if ctx.query.dry_run() { Arc::new(obj) } else { store.put(def.key(), obj) };
            Ok(with_warnings(json_response(StatusCode::CREATED, &stored), &warnings))
        }
    }
}

/// The 409 of an apply that would change other managers' fields (`NewConflictError`,
/// apimachinery `managedfields/internal/conflict.go`; `errors.NewApplyConflict`): reason
/// `Conflict`, one `FieldManagerConflict` cause per field, and no name or kind in the details.
fn apply_conflict(conflicts: &[managed::Conflict]) -> ApiError {
    let (message, causes) = managed::conflict_report(conflicts);
    ApiError::apply_conflict(message, causes)
}

/// A server-side apply body as sigs.k8s.io/yaml reads it: YAML 1.1 (JSON included) through
/// keyhole-core's manifest loader, the first document only; empty is `null`. A syntax error is a
/// 400 `error decoding patch: error converting YAML to JSON: yaml: line N: ...` (the parser's
/// own words follow, which are not go-yaml's).
fn decode_apply_body(body: &[u8]) -> Result<Value, ApiError> {
    let yaml_error = |line: usize, message: &str| {
        ApiError::bad_request(format!(
            "error decoding patch: error converting YAML to JSON: yaml: line {line}: {message}"
        ))
    };
    let text = std::str::from_utf8(body).map_err(|_| yaml_error(1, "invalid leading UTF-8 octet"))?;
    let loaded = keyhole_core::validate::manifest::load(text);
    match (loaded.documents.into_iter().next(), loaded.error) {
        (Some(doc), _) => Ok(doc.value),
        (None, Some(e)) => Err(yaml_error(e.line, &e.message)),
        (None, None) => Ok(Value::Null),
    }
}

fn delete_options(ctx: &Ctx) -> Result<(Option<String>, Option<String>, bool), ApiError> {
    if ctx.body.is_empty() {
        return Ok((None, None, ctx.query.dry_run()));
    }
    let opts: Value =
        serde_json::from_slice(&ctx.body).map_err(|e| ApiError::bad_request(format!("invalid DeleteOptions: {e}")))?;
    let pre = |f: &str| opts.pointer(&format!("/preconditions/{f}")).and_then(Value::as_str).map(str::to_string);
    let dry = ctx.query.dry_run()
        || opts.get("dryRun").and_then(Value::as_array).is_some_and(|a| a.iter().any(|v| v == "All"));
    Ok((pre("uid"), pre("resourceVersion"), dry))
}

fn delete(ctx: &Ctx, t: &Target) -> Result<Response, ApiError> {
    let def = t.def;
    let name = t.name.as_deref().unwrap_or("");
    let ns = t.namespace.clone().unwrap_or_default();
    let (uid, rv, dry) = delete_options(ctx)?;
    let mut store = ctx.state.store.lock();
    let current =
        store.get(def.key(), &ns, name).cloned().ok_or_else(|| ApiError::not_found(def.group, def.plural, name))?;
    if let Some(uid) = uid {
        let have = objects::meta(&current, "uid");
        if uid != have {
            return Err(ApiError::conflict_with(
                def.group,
                def.plural,
                name,
                &format!("Precondition failed: UID in precondition: {uid}, UID in object meta: {have}"),
            ));
        }
    }
    if let Some(rv) = rv {
        let have = objects::meta(&current, "resourceVersion");
        if rv != have {
            return Err(ApiError::conflict_with(
                def.group,
                def.plural,
                name,
                &format!(
                    "Precondition failed: ResourceVersion in precondition: {rv}, ResourceVersion in object meta: {have}"
                ),
            ));
        }
    }
    if objects::has_finalizers(&current) && def.plural != "namespaces" {
        // Finalizers hold it: it is marked for deletion (`updateForGracefulDeletionAndFinalizers`
        // in `registry/generic/registry/store.go`), answered with 200 and the object. A delete of
        // an object already being deleted changes nothing and answers the same way.
        let mut marked = (*current).clone();
        objects::mark_deleting(&mut marked, now());
        if objects::same_content(&current, &marked) {
            return Ok(json_response(StatusCode::OK, &current));
        }
        let stored = if dry { Arc::new(marked) } else { store.put(def.key(), marked) };
        return Ok(json_response(StatusCode::OK, &stored));
    }
    if dry {
        return Ok(deleted(def, &current));
    }
    if def.plural == "namespaces" {
        // Namespace deletion removes everything in it (the namespace controller's job), custom
        // resources included.
        let custom = crate::crd::served_in(&store);
        let keys: Vec<&'static str> = resources::RESOURCES
            .iter()
            .chain(custom.iter().copied())
            .filter(|r| r.namespaced && r.stored)
            .map(|r| r.key())
            .collect();
        for key in keys {
            let names: Vec<String> = store.iter(key, Some(name), None).map(|((_, n), _)| n.clone()).collect();
            for n in names {
                store.remove(key, name, &n);
            }
        }
    }
    let gone = store.remove(def.key(), &ns, name).unwrap_or(current);
    if is_crds(def) {
        crate::crd::remove_instances(&mut store, &gone);
    }
    Ok(deleted(def, &gone))
}

/// Whether the resource is CustomResourceDefinitions: deleting one deletes its objects.
fn is_crds(def: &ResourceDef) -> bool {
    def.custom.is_none() && def.group == "apiextensions.k8s.io" && def.plural == crate::crd::CRDS
}

/// The answer to a delete that removed the object (`finalizeDelete` in
/// `registry/generic/registry/store.go`): the object itself for the stores that set
/// `ReturnDeletedObject` (Pods, ServiceAccounts; a Namespace's own REST returns it too), else a
/// Status `Success` naming it, whose `details.kind` is the resource.
fn deleted(def: &ResourceDef, obj: &Value) -> Response {
    if matches!(def.plural, "pods" | "serviceaccounts" | "namespaces") {
        return json_response(StatusCode::OK, obj);
    }
    let mut details = serde_json::Map::new();
    details.insert("name".into(), json!(objects::meta(obj, "name")));
    if !def.group.is_empty() {
        details.insert("group".into(), json!(def.group));
    }
    details.insert("kind".into(), json!(def.plural));
    details.insert("uid".into(), json!(objects::meta(obj, "uid")));
    json_response(
        StatusCode::OK,
        &json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "details": details}),
    )
}

fn delete_collection(ctx: &Ctx, t: &Target) -> Result<Response, ApiError> {
    let f = filter(ctx, t)?;
    let dry = ctx.query.dry_run();
    let mut store = ctx.state.store.lock();
    let victims: Vec<(String, String)> = store
        .iter(t.def.key(), f.namespace.as_deref(), None)
        .filter(|(_, o)| f.matches(o))
        .map(|(k, _)| k.clone())
        .collect();
    let mut gone = Vec::new();
    for (ns, name) in victims {
        let Some(o) = store.get(t.def.key(), &ns, &name).cloned() else { continue };
        if dry {
            gone.push(o);
        } else if objects::has_finalizers(&o) {
            // Each item is deleted as a DELETE would: finalizers hold it.
            let mut marked = (*o).clone();
            objects::mark_deleting(&mut marked, now());
            if !objects::same_content(&o, &marked) {
                store.put(t.def.key(), marked);
            }
            gone.push(o);
        } else if let Some(o) = store.remove(t.def.key(), &ns, &name) {
            if is_crds(t.def) {
                crate::crd::remove_instances(&mut store, &o);
            }
            gone.push(o);
        }
    }
    let rv = store.rv();
    drop(store);
    let head = json!({"kind": t.def.list_kind(), "apiVersion": t.def.group_version(), "metadata": {"resourceVersion": rv.to_string()}});
    Ok(json_bytes(StatusCode::OK, write_list_refs(&head, &gone)))
}

fn self_subject_access_review(ctx: &Ctx) -> Result<Response, ApiError> {
    let def = resources::find("authorization.k8s.io", "v1", "selfsubjectaccessreviews")
        .ok_or_else(ApiError::not_found_path)?;
    let mut review = parse_body(ctx, def)?;
    objects::check_type(def, &mut review)?;
    let spec = review.get("spec").cloned().unwrap_or_default();
    let s =
        |block: &str, f: &str| spec.pointer(&format!("/{block}/{f}")).and_then(Value::as_str).unwrap_or("").to_string();
    let decision = if spec.get("resourceAttributes").is_some_and(Value::is_object) {
        let r = |f: &str| s("resourceAttributes", f);
        let (verb, group, resource, subresource, ns, name) =
            (r("verb"), r("group"), r("resource"), r("subresource"), r("namespace"), r("name"));
        let attrs =
            Attributes { subresource: &subresource, ..Attributes::resource(&verb, &group, &resource, &ns, &name) };
        ctx.state.authz.authorize(&ctx.state.store, &ctx.user, &attrs)
    } else {
        let (verb, path) = (s("nonResourceAttributes", "verb"), s("nonResourceAttributes", "path"));
        ctx.state.authz.authorize(&ctx.state.store, &ctx.user, &Attributes::non_resource(&verb, &path))
    };
    let (allowed, reason) = (decision.allowed, decision.reason.as_str());
    let mut status = json!({"allowed": allowed});
    if !reason.is_empty() {
        status["reason"] = json!(reason);
    }
    review["status"] = status;
    blank_creation_timestamp(&mut review);
    Ok(json_response(StatusCode::CREATED, &review))
}

/// `kubectl auth can-i --list`: the user's rules in the namespace of the review.
fn self_subject_rules_review(ctx: &Ctx) -> Result<Response, ApiError> {
    let def = resources::find("authorization.k8s.io", "v1", "selfsubjectrulesreviews")
        .ok_or_else(ApiError::not_found_path)?;
    let mut review = parse_body(ctx, def)?;
    objects::check_type(def, &mut review)?;
    let namespace = review.pointer("/spec/namespace").and_then(Value::as_str).unwrap_or("").to_string();
    if namespace.is_empty() {
        return Err(ApiError::bad_request("no namespace on request"));
    }
    let granted = ctx.state.authz.granted(&ctx.state.store, &ctx.user, &namespace);
    let (non_resource, resource): (Vec<&rbac::Rule>, Vec<&rbac::Rule>) =
        granted.rules().partition(|r| !r.non_resource_urls.is_empty());
    let resource_rules: Vec<Value> = resource.iter().filter(|r| !r.resources.is_empty()).map(|r| r.to_json()).collect();
    let non_resource_rules: Vec<Value> = non_resource.iter().map(|r| r.to_json()).collect();
    review["status"] =
        json!({"resourceRules": resource_rules, "nonResourceRules": non_resource_rules, "incomplete": false});
    blank_creation_timestamp(&mut review);
    Ok(json_response(StatusCode::CREATED, &review))
}

/// `kubectl auth whoami`: who the bearer token belongs to.
fn self_subject_review(ctx: &Ctx) -> Result<Response, ApiError> {
    let def =
        resources::find("authentication.k8s.io", "v1", "selfsubjectreviews").ok_or_else(ApiError::not_found_path)?;
    let mut review = parse_body(ctx, def)?;
    objects::check_type(def, &mut review)?;
    let mut info = json!({"username": ctx.user.name, "groups": ctx.user.groups});
    if !ctx.user.uid.is_empty() {
        info["uid"] = json!(ctx.user.uid);
    }
    review["status"] = json!({"userInfo": info});
    blank_creation_timestamp(&mut review);
    Ok(json_response(StatusCode::CREATED, &review))
}

/// Reviews are not stored: the answer's metadata has `creationTimestamp: null`, as Go encodes a
/// zero `metav1.Time`. The body was decoded first, so metadata is an object or absent.
fn blank_creation_timestamp(review: &mut Value) {
    let Some(obj) = review.as_object_mut() else { return };
    let meta = obj.entry("metadata").or_insert_with(|| json!({}));
    if !meta.is_object() {
        *meta = json!({});
    }
    if let Some(m) = meta.as_object_mut() {
        m.insert("creationTimestamp".into(), Value::Null);
    }
}
