//! kube-apiserver as an actor: it takes HTTP-shaped requests from the bus, runs each through the
//! handler chain (every stage a trace entry), stores objects in etcd through transactions, keeps a
//! watch cache per resource fed by its own etcd watches, and fans changes out to watchers.

use std::any::Any;
use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::{json, Value};

use super::admission::ipallocator::ClusterIpAllocator;
use super::admission::portallocator::NodePortAllocator;
use super::admission::service_alloc;
use super::authn::{self as authn_mod, Authenticator, LiveObject, UserInfo};
use super::chain::{self, AdmissionObjects, AuthzView};
use super::componentstatus::{self, Outcome, Target};
use super::continue_token;
use super::conversion;
use super::delete::{self, DeleteOptions, DeletePlan};
use super::errors::{self, ApiError};
use super::fields::FieldSelector;
use super::labels::Selector;
use super::printers;
use super::request::{encode_component, HttpRequest, HttpResponse};
use super::request_info::{request_info, RequestInfo};
use super::resources::{self, Resource, RESOURCES};
use super::serviceaccount;
use super::storage;
use super::subresources;
use super::watch::{WatchCache, WatchEvent, WatchEventType, Watcher};
use crate::etcd::api::{self as etcdpb, EtcdError, Request, Response, ResponseOp};
use crate::sim::{Actor, Addr, Annotation, Ctx, Envelope, Message, SimDuration, Stage};

/// The warning 1.33 sends with every request on v1 Endpoints.
const ENDPOINTS_DEPRECATED: &str =
    "v1 Endpoints is deprecated in v1.33+; use discovery.k8s.io/v1 EndpointSlice";

/// kube-apiserver compacts etcd every 5 minutes (`--etcd-compaction-interval`).
pub const COMPACTION_INTERVAL: SimDuration = SimDuration::from_secs(300);
const COMPACTION_TIMER: &str = "etcd-compaction";
const BOOKMARK_TIMER: &str = "watch-bookmarks";
/// The timer of one component probe: `componentstatus-probe/<request>/<component>`.
const PROBE_TIMER_PREFIX: &str = "componentstatus-probe/";
/// How often a watch that allows bookmarks gets one (`bookmarkFrequency`).
pub const BOOKMARK_INTERVAL: SimDuration = SimDuration::from_secs(60);
/// The control-plane node's address (kind's first node address), where kube-apiserver and
/// etcd listen.
pub const CONTROL_PLANE_IP: &str = "172.18.0.2";
/// `--event-ttl`: how long an Event lives in etcd.
pub const EVENT_TTL: SimDuration = SimDuration::from_secs(3600);
/// How long the storage layer's lease manager reuses one lease (`leaseReuseDurationSeconds`).
pub const LEASE_REUSE: SimDuration = SimDuration::from_secs(60);
/// The version `/version` reports.
pub const KUBERNETES_VERSION: &str = "v1.33.1";

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiServerConfig {
    /// The control-plane node the server runs on.
    pub node_name: String,
    /// The address clients reach it at (`https://<address>:6443`).
    pub advertise_address: String,
}

impl Default for ApiServerConfig {
    fn default() -> Self {
        ApiServerConfig {
            node_name: "control-plane".to_string(),
            advertise_address: CONTROL_PLANE_IP.to_string(),
        }
    }
}

/// How a GuaranteedUpdate may retry after losing a race before it answers 409.
const MAX_UPDATE_ATTEMPTS: u32 = 5;

/// What the storage stage writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum WriteAction {
    Create,
    Update,
    Delete,
}

/// A list request between its etcd range and its answer.
#[derive(Clone, Debug)]
struct ListState {
    prefix: String,
    limit: i64,
    labels: Selector,
    fields: FieldSelector,
    continued: bool,
    /// The revision read at (a continued or exact list), 0 for the current one.
    revision: i64,
}

/// A deletecollection waiting for its deletes.
#[derive(Clone, Debug, Default)]
struct CollectionState {
    outstanding: usize,
    deleted: Vec<Value>,
}

/// An item of a typed list: no `kind` or `apiVersion` of its own.
fn list_item(obj: &Value) -> Value {
    let mut o = obj.clone();
    if let Some(m) = o.as_object_mut() {
        m.remove("kind");
        m.remove("apiVersion");
    }
    o
}

/// The step a watch event is for its receiver, from the step of the write that caused it: a
/// controller sees what kubectl (or another controller) stored (3); the scheduler sees a new,
/// unassigned pod (5: after step 4, or after step 2 for a bare pod no controller owns); the
/// kubelet sees the pod bound to its node (9).
fn watch_step(stored: u8, is_pod: bool, receiver: &Addr, event: &WatchEvent) -> Option<u8> {
    let unassigned = event
        .object
        .pointer("/spec/nodeName")
        .and_then(Value::as_str)
        .is_none_or(str::is_empty);
    match (stored, is_pod, receiver) {
        (2 | 3, false, Addr::ControllerManager) => Some(3),
        (2 | 4, true, Addr::Scheduler) if unassigned => Some(5),
        (8, true, Addr::Kubelet(_)) => Some(9),
        _ => None,
    }
}

/// Go's `%q` of a warning text, as the `Warning` header carries it.
fn go_quote(s: &str) -> String {
    serde_json::to_string(s).expect("a string serialises")
}

/// Go's mux answer for a path nothing serves.
fn plain_not_found() -> HttpResponse {
    HttpResponse {
        status: 404,
        headers: vec![("Content-Type".into(), "text/plain; charset=utf-8".into())],
        body: super::request::Body::Bytes(b"404 page not found\n".to_vec()),
    }
}

/// Aggregated discovery (`ServeHTTPWithETag`): the document with its ETag (the SHA-512 of its
/// JSON, in upper-case hex), and 304 Not Modified for a client that already holds it.
fn aggregated_discovery_response(core: bool, req: &HttpRequest) -> HttpResponse {
    use sha2::{Digest, Sha512};
    let doc = resources::aggregated_discovery(core);
    let bytes = serde_json::to_vec(&doc).expect("a JSON value always serialises");
    let etag: String = Sha512::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect();
    let quoted = format!("\"{etag}\"");
    let mut headers = vec![
        ("Cache-Control".to_string(), "public".to_string()),
        ("ETag".to_string(), quoted.clone()),
        ("Vary".to_string(), "Accept".to_string()),
    ];
    if req.header_value("If-None-Match") == Some(quoted.as_str()) {
        return HttpResponse {
            status: 304,
            headers,
            body: super::request::Body::Empty,
        };
    }
    headers.push((
        "Content-Type".to_string(),
        resources::AGGREGATED_DISCOVERY_V2.to_string(),
    ));
    HttpResponse {
        status: 200,
        headers,
        body: super::request::Body::Bytes(bytes),
    }
}

/// A watch event's object as a one-row Table; only the first event of a watch carries the
/// column definitions.
fn watch_table(
    group: &str,
    resource: &str,
    obj: &Value,
    with_columns: bool,
    now: crate::sim::SimTime,
) -> Value {
    let rv = obj
        .pointer("/metadata/resourceVersion")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let mut table = printers::table(resource, group, &[obj], rv, None, now);
    if !with_columns {
        table["columnDefinitions"] = Value::Null;
    }
    table
}

/// A get or list answer printed as a Table.
fn table_response(
    response: HttpResponse,
    resource: &Resource,
    now: crate::sim::SimTime,
) -> HttpResponse {
    let Some(body) = response.body_json() else {
        return response;
    };
    let items: Vec<&Value> = match body.get("items").and_then(Value::as_array) {
        Some(items) => items.iter().collect(),
        None => vec![body.as_ref()],
    };
    let rv = body
        .pointer("/metadata/resourceVersion")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let cont = body.pointer("/metadata/continue").and_then(Value::as_str);
    let table = printers::table(resource.name, resource.group, &items, rv, cont, now);
    HttpResponse::json(200, table)
}

/// A response about stored core Events, as `events.k8s.io/v1` serves it.
fn events_v1_response(response: HttpResponse) -> HttpResponse {
    let Some(body) = response.body_json() else {
        return response;
    };
    let converted = match body.get("kind").and_then(Value::as_str) {
        Some("Event") => conversion::core_event_to_events_v1(&body),
        Some("EventList") => {
            let mut list = (*body).clone();
            list["apiVersion"] = json!("events.k8s.io/v1");
            if let Some(items) = list["items"].as_array_mut() {
                for item in items.iter_mut() {
                    let mut e = conversion::core_event_to_events_v1(item);
                    if let Some(m) = e.as_object_mut() {
                        m.remove("kind");
                        m.remove("apiVersion");
                    }
                    *item = e;
                }
            }
            list
        }
        _ => return response,
    };
    HttpResponse {
        body: super::request::Body::Json(Arc::new(converted)),
        ..response
    }
}

/// One request in flight through the handler chain.
#[derive(Clone, Debug)]
struct RequestCtx {
    client: Addr,
    client_id: u64,
    request: HttpRequest,
    info: RequestInfo,
    resource: Option<&'static Resource>,
    user: Option<UserInfo>,
    /// The decoded request body.
    body: Option<Value>,
    /// The object to store.
    object: Option<Value>,
    action: WriteAction,
    /// Writes tried after losing a race (GuaranteedUpdate).
    attempts: u32,
    /// A list in flight.
    list: Option<ListState>,
    /// A deletecollection in flight.
    collection: Option<CollectionState>,
    /// An answer ready before the trace has shown its last stage.
    reply: Option<HttpResponse>,
    /// A Service create holds allocated addresses and ports.
    allocated: bool,
    /// The step of the pod creation flow the client performed with this request.
    step: Option<u8>,
    /// Decoding warnings (`fieldValidation=Warn`), sent as `Warning` headers.
    warnings: Vec<String>,
    /// A DELETE whose DeleteOptions body asks for `dryRun: ["All"]` (kubectl sends it there,
    /// not in the query).
    delete_dry_run: bool,
    /// The current stored object and its `mod_revision` (update, patch, delete).
    current: Option<(Value, i64)>,
    /// The response to send once the trace has shown the stage that produced it.
    error: Option<ApiError>,
    /// A read of componentstatuses: its probes.
    probes: Option<Probes>,
    /// A TokenRequest waiting for its bound object.
    token: Option<serviceaccount::Prepared>,
}

/// The probes of a componentstatuses read in flight.
#[derive(Clone, Debug)]
struct Probes {
    /// Components not answered yet.
    waiting: Vec<&'static str>,
    /// Answered ones, in the order they answered.
    done: Vec<(String, Outcome)>,
    /// A get of one component (answered as the object), not a list.
    get: bool,
    /// A list's selectors, applied once every probe has answered (no component has labels).
    selectors: Option<(Selector, FieldSelector)>,
}

/// What an etcd request was for, to resume when its answer arrives.
#[derive(Clone, Debug)]
enum Pending {
    /// Start-up: the list that fills the watch cache of a prefix.
    CacheList {
        prefix: String,
    },
    /// One delete of a deletecollection.
    CollectionItem {
        request: u64,
    },
    /// A lease for the events written in the next minute.
    EventLease {
        request: u64,
    },
    /// Post-start hook: a bootstrap object written if absent.
    Bootstrap,
    CompactRecord {
        revision: i64,
    },
    Compact,
    /// `sim compact`: the turn claimed for the learner's input `input`.
    ForcedCompactRecord {
        input: u64,
    },
    /// `sim compact`: etcd compacting to `revision` for the learner's input `input`.
    ForcedCompact {
        input: u64,
        revision: i64,
    },
    /// A request's read of the current object.
    Read {
        request: u64,
    },
    /// A request's write.
    Write {
        request: u64,
    },
    /// A list request's range.
    List {
        request: u64,
    },
    /// A TokenRequest's read of the object its token is bound to.
    TokenBound {
        request: u64,
    },
    /// A componentstatuses read's probe of etcd (`Get("health")`).
    EtcdProbe {
        request: u64,
    },
}

/// kube-apiserver at [`Addr::ApiServer`].
#[derive(Clone)]
pub struct KubeApiServer {
    config: ApiServerConfig,
    next_request: u64,
    next_etcd_id: u64,
    requests: BTreeMap<u64, RequestCtx>,
    pending: BTreeMap<u64, Pending>,
    caches: BTreeMap<String, WatchCache>,
    /// The etcd watch request id of each cache, by prefix.
    cache_watches: BTreeMap<u64, String>,
    watchers: BTreeMap<(Addr, u64), Watcher>,
    /// The compaction loop: the revision recorded at the previous interval and the
    /// `compact_rev_key` version last written.
    compact_revision: i64,
    compact_key_version: i64,
    /// Whether the post-start hooks have run.
    started: bool,
    authenticator: Authenticator,
    /// The Service ClusterIP range and NodePort range in use.
    cluster_ips: ClusterIpAllocator,
    node_ports: NodePortAllocator,
    /// The flow step of recent writes, by etcd revision, until their watch events go out.
    revision_steps: BTreeMap<i64, u8>,
    /// Whether a bookmark timer is in flight.
    bookmark_timer: bool,
    /// The lease events are attached to, and when it expires.
    event_lease: Option<(i64, crate::sim::SimTime)>,
}

impl KubeApiServer {
    pub fn new(config: ApiServerConfig) -> Self {
        KubeApiServer {
            config,
            next_request: 0,
            next_etcd_id: 0,
            requests: BTreeMap::new(),
            pending: BTreeMap::new(),
            caches: BTreeMap::new(),
            cache_watches: BTreeMap::new(),
            watchers: BTreeMap::new(),
            compact_revision: 0,
            compact_key_version: 0,
            started: false,
            authenticator: Authenticator::kubestep_default(),
            event_lease: None,
            bookmark_timer: false,
            revision_steps: BTreeMap::new(),
            cluster_ips: ClusterIpAllocator::default(),
            node_ports: NodePortAllocator::default(),
        }
    }

    /// The authenticator (its token table), for tools that issue tokens.
    pub fn authenticator_mut(&mut self) -> &mut Authenticator {
        &mut self.authenticator
    }

    fn cached(&self, prefix: &str) -> Vec<&Value> {
        self.caches
            .get(prefix)
            .map(|c| c.objects.values().map(|v| v.as_ref()).collect())
            .unwrap_or_default()
    }

    fn authz_view(&self) -> AuthzView<'_> {
        AuthzView {
            roles: self.cached("/registry/roles/"),
            role_bindings: self.cached("/registry/rolebindings/"),
            cluster_roles: self.cached("/registry/clusterroles/"),
            cluster_role_bindings: self.cached("/registry/clusterrolebindings/"),
            pods: self.cached("/registry/pods/"),
        }
    }

    /// A cached object's uid and deletion time, for the service account token validator.
    fn live_object(&self, resource: &str, namespace: &str, name: &str) -> Option<LiveObject> {
        let r = resources::find("", "v1", resource)?;
        let ns = (!namespace.is_empty()).then_some(namespace);
        let key = r.etcd_key(ns, name)?;
        let prefix = r.etcd_list_prefix(None)?;
        let obj = self.caches.get(&prefix)?.objects.get(&key)?;
        Some(LiveObject {
            uid: obj
                .pointer("/metadata/uid")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
            deleted_at: obj
                .pointer("/metadata/deletionTimestamp")
                .and_then(Value::as_str)
                .and_then(printers::parse_rfc3339)
                .map(|t| t.max(0) as u64),
        })
    }

    /// The watch caches, by etcd prefix (read-only, for inspectors and tests).
    pub fn caches(&self) -> &BTreeMap<String, WatchCache> {
        &self.caches
    }

    /// Every open HTTP watch.
    pub fn watchers(&self) -> impl Iterator<Item = &Watcher> {
        self.watchers.values()
    }

    /// True once every watch cache has listed and is watching.
    pub fn ready(&self) -> bool {
        !self.caches.is_empty() && self.caches.values().all(|c| c.ready)
    }

    fn send_etcd(
        &mut self,
        ctx: &mut Ctx<'_>,
        request: Request,
        stage: Option<Stage>,
        step: Option<u8>,
    ) -> u64 {
        let id = self.next_etcd_id;
        self.next_etcd_id += 1;
        ctx.send_annotated(
            Addr::Etcd,
            Message::EtcdRequest { id, request },
            Annotation { step, stage },
        );
        id
    }

    fn etcd(
        &mut self,
        ctx: &mut Ctx<'_>,
        request: Request,
        pending: Pending,
        stage: Option<Stage>,
    ) {
        let step = match &pending {
            Pending::Write { request } | Pending::CollectionItem { request } => {
                self.stored_step(*request)
            }
            Pending::Read { request }
            | Pending::List { request }
            | Pending::EventLease { request } => self.requests.get(request).and_then(|rc| rc.step),
            _ => None,
        };
        let id = self.send_etcd(ctx, request, stage, step);
        self.pending.insert(id, pending);
    }

    /// The step of the pod creation flow a request's write to etcd is: the step after the one
    /// its client performed (1 → 2, 3 → 4, 7 → 8, 10 → 11). A controller's write of something
    /// other than a pod (a Deployment's ReplicaSet) is still the controller acting: step 3.
    fn stored_step(&self, n: u64) -> Option<u8> {
        let rc = self.requests.get(&n)?;
        let step = rc.step?;
        let resource = rc.resource?;
        let is_pod = resource.group.is_empty() && resource.name == "pods";
        Some(if step == 3 && !is_pod { 3 } else { step + 1 })
    }

    // ---- start-up ----------------------------------------------------------------------

    fn start_caches(&mut self, ctx: &mut Ctx<'_>) {
        let mut prefixes: Vec<&str> = RESOURCES.iter().filter_map(|r| r.etcd_prefix).collect();
        prefixes.sort();
        prefixes.dedup();
        for p in prefixes {
            let prefix = format!("{p}/");
            self.caches.insert(prefix.clone(), WatchCache::new(&prefix));
            let range = storage::list_range(&prefix, None, 0, 0);
            self.etcd(
                ctx,
                Request::Range(range),
                Pending::CacheList { prefix },
                None,
            );
        }
    }

    fn on_cache_list(&mut self, ctx: &mut Ctx<'_>, prefix: String, resp: etcdpb::RangeResponse) {
        let rev = resp.header.revision;
        let objects = resp
            .kvs
            .iter()
            .filter_map(|kv| {
                let obj = storage::decode_shared(kv, kv.mod_revision)?;
                Some((String::from_utf8_lossy(&kv.key).into_owned(), obj))
            })
            .collect();
        if let Some(cache) = self.caches.get_mut(&prefix) {
            cache.replace(objects, rev);
        }
        let watch = etcdpb::WatchCreateRequest {
            key: prefix.as_bytes().to_vec(),
            range_end: crate::etcd::prefix_end(prefix.as_bytes()),
            start_revision: rev + 1,
            prev_kv: true,
            progress_notify: true,
            ..etcdpb::WatchCreateRequest::default()
        };
        let id = self.send_etcd(ctx, Request::WatchCreate(watch), None, None);
        self.cache_watches.insert(id, prefix);
        if self.ready() && !self.started {
            self.started = true;
            self.post_start_hooks(ctx);
        }
    }

    /// kube-apiserver's post-start hooks create what every cluster has (system namespaces,
    /// bootstrap RBAC...). kubestep writes them straight to storage; a real server sends them
    /// through its own handler chain with a loopback client.
    fn post_start_hooks(&mut self, ctx: &mut Ctx<'_>) {
        let objects =
            super::bootstrap::objects(ctx.now(), ctx.rng(), &self.config.advertise_address);
        for (key, obj) in objects {
            let txn = storage::create_txn(&key, storage::encode(&obj), 0);
            self.etcd(
                ctx,
                Request::Txn(txn),
                Pending::Bootstrap,
                Some(Stage::Storage),
            );
        }
        ctx.timer(COMPACTION_INTERVAL, COMPACTION_TIMER);
    }

    /// The compaction loop of `k8s.io/apiserver/pkg/storage/etcd3/compact.go`: each interval,
    /// claim the turn through a txn on `compact_rev_key`, then compact to the revision recorded
    /// one interval ago.
    fn compaction_tick(&mut self, ctx: &mut Ctx<'_>) {
        let current = self.caches.values().map(|c| c.revision).max().unwrap_or(0);
        let key = b"compact_rev_key".to_vec();
        let txn = etcdpb::TxnRequest {
            compare: vec![etcdpb::Compare {
                result: etcdpb::CompareResult::Equal,
                target: etcdpb::CompareTarget::Version(self.compact_key_version),
                key: key.clone(),
                range_end: vec![],
            }],
            success: vec![etcdpb::RequestOp::Put(etcdpb::PutRequest {
                key: key.clone(),
                value: current.to_string().into_bytes(),
                ..etcdpb::PutRequest::default()
            })],
            failure: vec![etcdpb::RequestOp::Range(etcdpb::RangeRequest {
                key,
                ..etcdpb::RangeRequest::default()
            })],
        };
        self.etcd(
            ctx,
            Request::Txn(txn),
            Pending::CompactRecord { revision: current },
            None,
        );
        ctx.timer(COMPACTION_INTERVAL, COMPACTION_TIMER);
    }

    /// `sim compact`: one turn of the compaction loop run now, compacting to the revision of
    /// its own `compact_rev_key` write (the current one) rather than to the revision recorded
    /// an interval ago. The loop goes on from there: its next tick records a revision without
    /// compacting, as after start-up, so it never compacts to an older revision than this.
    fn forced_compaction(&mut self, ctx: &mut Ctx<'_>, input: u64) {
        let key = b"compact_rev_key".to_vec();
        let current = self.caches.values().map(|c| c.revision).max().unwrap_or(0);
        let txn = etcdpb::TxnRequest {
            compare: vec![etcdpb::Compare {
                result: etcdpb::CompareResult::Equal,
                target: etcdpb::CompareTarget::Version(self.compact_key_version),
                key: key.clone(),
                range_end: vec![],
            }],
            success: vec![etcdpb::RequestOp::Put(etcdpb::PutRequest {
                key: key.clone(),
                value: current.to_string().into_bytes(),
                ..etcdpb::PutRequest::default()
            })],
            failure: vec![etcdpb::RequestOp::Range(etcdpb::RangeRequest {
                key,
                ..etcdpb::RangeRequest::default()
            })],
        };
        self.etcd(
            ctx,
            Request::Txn(txn),
            Pending::ForcedCompactRecord { input },
            None,
        );
    }

    /// BOOKMARK events tell watchers how far the cache has got when their objects did not
    /// change, so a restarted watch can resume from a recent revision.
    fn bookmarks(&mut self, ctx: &mut Ctx<'_>) {
        self.bookmark_timer = false;
        let mut any = false;
        for w in self.watchers.values_mut().filter(|w| w.bookmarks) {
            any = true;
            let Some(cache) = self.caches.get(&w.prefix) else {
                continue;
            };
            let Some(resource) = RESOURCES.iter().find(|r| {
                r.name == w.resource
                    && r.etcd_prefix.map(|p| format!("{p}/")) == Some(w.prefix.clone())
            }) else {
                continue;
            };
            w.sent_revision = cache.revision;
            let object = json!({
                "kind": resource.kind,
                "apiVersion": if w.events_v1 { "events.k8s.io/v1".to_string() } else { resource.group_version() },
                "metadata": { "resourceVersion": cache.revision.to_string() },
            });
            ctx.send(
                w.client.clone(),
                Message::WatchEvent {
                    id: w.request_id,
                    event: WatchEvent {
                        kind: WatchEventType::Bookmark,
                        object: Arc::new(object),
                    },
                },
            );
        }
        if any {
            self.bookmark_timer = true;
            ctx.timer(BOOKMARK_INTERVAL, BOOKMARK_TIMER);
        }
    }

    // ---- watch fan-out --------------------------------------------------------------------

    fn on_cache_event(&mut self, ctx: &mut Ctx<'_>, prefix: &str, w: etcdpb::WatchResponse) {
        for ev in w.events {
            let key = String::from_utf8_lossy(&ev.kv.key).into_owned();
            let rev = ev.kv.mod_revision;
            let (object, last) = match ev.kind {
                etcdpb::EventType::Put => (storage::decode_shared(&ev.kv, rev), None),
                etcdpb::EventType::Delete => (
                    None,
                    ev.prev_kv
                        .as_ref()
                        .and_then(|p| storage::decode_shared(p, rev)),
                ),
            };
            let Some(cache) = self.caches.get_mut(prefix) else {
                continue;
            };
            let Some(cached) = cache.apply(rev, &key, object, last) else {
                continue;
            };
            let stored_step = self.revision_steps.remove(&rev);
            let is_pod = prefix == "/registry/pods/";
            for w in self.watchers.values_mut() {
                if w.prefix != prefix {
                    continue;
                }
                if let Some(mut event) = w.event_for(&cached) {
                    if w.events_v1 {
                        event.object = Arc::new(conversion::core_event_to_events_v1(&event.object));
                    }
                    if let Some((group, resource)) = &w.table {
                        event.object = Arc::new(watch_table(
                            group,
                            resource,
                            &event.object,
                            !w.table_columns_sent,
                            ctx.now(),
                        ));
                        w.table_columns_sent = true;
                    }
                    w.sent_revision = rev;
                    let step = stored_step.and_then(|s| watch_step(s, is_pod, &w.client, &event));
                    ctx.send_annotated(
                        w.client.clone(),
                        Message::WatchEvent {
                            id: w.request_id,
                            event,
                        },
                        Annotation { step, stage: None },
                    );
                }
            }
        }
    }

    // ---- the handler chain ------------------------------------------------------------------

    fn on_request(
        &mut self,
        ctx: &mut Ctx<'_>,
        from: Addr,
        id: u64,
        request: HttpRequest,
        step: Option<u8>,
    ) {
        let n = self.next_request;
        self.next_request += 1;
        let info = request_info(&request);
        let info_verb = info.verb.clone();
        let info_sub = info.subresource.clone();
        let mut rc = RequestCtx {
            client: from,
            client_id: id,
            request,
            info,
            resource: None,
            user: None,
            body: None,
            object: None,
            action: if info_verb == "create" && info_sub.is_empty() {
                WriteAction::Create
            } else {
                WriteAction::Update
            },
            attempts: 0,
            current: None,
            error: None,
            list: None,
            collection: None,
            reply: None,
            allocated: false,
            step,
            warnings: Vec::new(),
            delete_dry_run: false,
            probes: None,
            token: None,
        };
        let lookup = |resource: &str, namespace: &str, name: &str| {
            self.live_object(resource, namespace, name)
        };
        let authenticated =
            chain::authenticate(&self.authenticator, &rc.request, ctx.now(), &lookup);
        let (ok, outcome) = match authenticated {
            Ok((user, note)) => {
                rc.user = Some(user);
                (true, note)
            }
            Err((e, cause)) => {
                let s = format!("{}: {cause}", e.message());
                rc.error = Some(e);
                (false, s)
            }
        };
        self.requests.insert(n, rc);
        self.stage(ctx, n, Stage::Authentication, ok, outcome);
    }

    fn stage(&mut self, ctx: &mut Ctx<'_>, n: u64, stage: Stage, ok: bool, outcome: String) {
        let object = match stage {
            Stage::Decoding | Stage::MutatingAdmission | Stage::Validation => self
                .requests
                .get(&n)
                .and_then(|rc| rc.object.as_ref().or(rc.body.as_ref()))
                .map(|o| Arc::new(o.clone())),
            _ => None,
        };
        let step = self.requests.get(&n).and_then(|rc| rc.step);
        ctx.to_self(
            Message::ApiStage {
                request: n,
                stage,
                outcome,
                ok,
                object,
            },
            Annotation {
                step,
                stage: Some(stage),
            },
        );
    }

    fn fail(&mut self, ctx: &mut Ctx<'_>, n: u64, stage: Stage, e: ApiError) {
        let outcome = format!("{} {}", e.code, e.message());
        if let Some(rc) = self.requests.get_mut(&n) {
            rc.error = Some(e);
        }
        self.stage(ctx, n, stage, false, outcome);
    }

    fn respond(&mut self, ctx: &mut Ctx<'_>, n: u64, mut response: HttpResponse) {
        let stored = self.stored_step(n);
        if let Some(rc) = self.requests.remove(&n) {
            // A successful write answers in the step of its storing; anything else in the
            // client's own step.
            let step = if response.status < 300 && rc.info.verb != "get" && rc.info.verb != "list" {
                stored
            } else {
                rc.step
            };
            // A Service create that failed after its ClusterIP/NodePorts were allocated gives
            // them back.
            if rc.allocated && response.status >= 300 {
                if let Some(svc) = &rc.object {
                    service_alloc::release(svc, &mut self.cluster_ips, &mut self.node_ports);
                }
            }
            if rc
                .resource
                .is_some_and(|r| conversion::is_events_v1(r.group))
            {
                response = events_v1_response(response);
            }
            // Server-side printing for `kubectl get`: the answer as a meta.k8s.io/v1 Table.
            let table = matches!(rc.info.verb.as_str(), "get" | "list")
                && rc.info.subresource.is_empty()
                && response.status == 200
                && printers::wants_table(rc.request.header_value("Accept"));
            if let (true, Some(resource)) = (table, rc.resource) {
                response = table_response(response, resource, ctx.now());
            }
            for w in &rc.warnings {
                response
                    .headers
                    .push(("Warning".to_string(), format!("299 - {}", go_quote(w))));
            }
            ctx.send_annotated(
                rc.client,
                Message::HttpResponse {
                    id: rc.client_id,
                    response,
                },
                Annotation {
                    step,
                    stage: Some(Stage::Response),
                },
            );
        }
    }

    fn on_stage(&mut self, ctx: &mut Ctx<'_>, n: u64, stage: Stage, ok: bool) {
        if !ok {
            // A stage that failed with an answer other than a Status (a filter's plain-text
            // error) left it as the reply.
            if let Some(reply) = self.requests.get_mut(&n).and_then(|rc| rc.reply.take()) {
                self.respond(ctx, n, reply);
                return;
            }
            let e = self
                .requests
                .get_mut(&n)
                .and_then(|rc| rc.error.take())
                .unwrap_or_else(|| errors::internal("request failed without a status".into()));
            self.respond(ctx, n, e.response());
            return;
        }
        let Some(rc) = self.requests.get(&n) else {
            return;
        };
        match stage {
            Stage::Authentication => {
                let mut user = rc.user.clone().expect("authenticated requests have a user");
                // Impersonation runs between authentication and authorization: the request
                // is then authorized as the user it impersonates.
                let impersonated = match chain::impersonate(&self.authz_view(), &user, &rc.request)
                {
                    Ok(i) => i,
                    Err(chain::ImpersonationFailure::Forbidden(e)) => {
                        return self.fail(ctx, n, Stage::Authorization, e)
                    }
                    Err(chain::ImpersonationFailure::Internal(reply, note)) => {
                        if let Some(rc) = self.requests.get_mut(&n) {
                            rc.reply = Some(reply);
                        }
                        return self.stage(ctx, n, Stage::Authorization, false, note);
                    }
                };
                let mut note = String::new();
                if let Some((as_user, n_note)) = impersonated {
                    user = as_user.clone();
                    note = format!("{n_note}; ");
                    if let Some(rc) = self.requests.get_mut(&n) {
                        rc.user = Some(as_user);
                    }
                }
                let rc = &self.requests[&n];
                let result = chain::authorize(&self.authz_view(), &user, &rc.info, &rc.request);
                match result {
                    Ok(reason) => self.stage(ctx, n, Stage::Authorization, true, note + &reason),
                    Err(e) => self.fail(ctx, n, Stage::Authorization, e),
                }
            }
            Stage::Authorization => self.after_authorization(ctx, n),
            Stage::Decoding => self.after_decoding(ctx, n),
            Stage::MutatingAdmission if rc.info.verb == "delete" => self.plan_delete(ctx, n),
            Stage::MutatingAdmission => self.after_admission(ctx, n),
            Stage::Validation => self.after_validation(ctx, n),
            Stage::ValidatingAdmission => self.write(ctx, n),
            Stage::Storage => {
                if let Some(reply) = self.requests.get_mut(&n).and_then(|rc| rc.reply.take()) {
                    self.respond(ctx, n, reply);
                }
            }
            Stage::Response => {}
        }
    }

    fn after_authorization(&mut self, ctx: &mut Ctx<'_>, n: u64) {
        let rc = &self.requests[&n];
        if !rc.info.is_resource_request {
            let resp = self.non_resource(&rc.info.path, &rc.request);
            self.respond(ctx, n, resp);
            return;
        }
        let info = rc.info.clone();
        let Some(resource) = resources::find(&info.api_group, &info.api_version, &info.resource)
        else {
            // A group/version the server does not serve is unknown to its mux: plain text. A
            // served group/version answers a NotFound Status for a resource it lacks.
            let served = resources::groups()
                .iter()
                .any(|(g, v)| *g == info.api_group && *v == info.api_version);
            let resp = if served {
                errors::path_not_found().response()
            } else {
                plain_not_found()
            };
            self.respond(ctx, n, resp);
            return;
        };
        if !info.subresource.is_empty() && resource.subresource(&info.subresource).is_none() {
            self.respond(ctx, n, errors::path_not_found().response());
            return;
        }
        let verb_ok = if info.subresource.is_empty() {
            resource.has_verb(&info.verb)
        } else {
            resource
                .subresource(&info.subresource)
                .is_some_and(|s| s.verbs.contains(&info.verb.as_str()))
        };
        if !verb_ok {
            let e = errors::method_not_supported(resource, &info.verb);
            self.respond(ctx, n, e.response());
            return;
        }
        if let Some(rc) = self.requests.get_mut(&n) {
            rc.resource = Some(resource);
            // KEP-4974: 1.33 deprecates v1 Endpoints; its handler warns every reader and writer.
            if resource.group.is_empty() && resource.name == "endpoints" {
                rc.warnings.push(ENDPOINTS_DEPRECATED.to_string());
            }
            if resource.group.is_empty() && resource.name == "componentstatuses" {
                rc.warnings
                    .push(componentstatus::DEPRECATION_WARNING.to_string());
            }
        }
        if resource.group.is_empty() && resource.name == "componentstatuses" {
            self.probe_components(ctx, n);
            return;
        }
        match info.verb.as_str() {
            "create" | "update" | "patch" => self.decode(ctx, n),
            "get" | "delete" => self.read(ctx, n),
            "list" | "deletecollection" => self.list(ctx, n),
            "watch" => self.watch(ctx, n),
            other => {
                let e = errors::method_not_supported(resource, other);
                self.respond(ctx, n, e.response());
            }
        }
    }

    fn decode(&mut self, ctx: &mut Ctx<'_>, n: u64) {
        let rc = &self.requests[&n];
        let resource = rc.resource.expect("resolved");
        match chain::decode(&rc.request, resource, &rc.info) {
            Ok((obj, warnings, note)) => {
                let rc = self.requests.get_mut(&n).expect("in flight");
                // events.k8s.io/v1 Events are stored as core v1 Events.
                let obj = if conversion::is_events_v1(resource.group) && rc.info.verb != "patch" {
                    conversion::events_v1_to_core_event(&obj)
                } else {
                    obj
                };
                rc.body = Some(obj);
                rc.warnings.extend(warnings);
                self.stage(ctx, n, Stage::Decoding, true, note);
            }
            Err(e) => self.fail(ctx, n, Stage::Decoding, e),
        }
    }

    fn after_decoding(&mut self, ctx: &mut Ctx<'_>, n: u64) {
        let rc = &self.requests[&n];
        let resource = rc.resource.expect("resolved");
        if resource.name == "selfsubjectreviews" {
            let user = rc.user.clone().expect("authenticated");
            let review = authn_mod::self_subject_review(&user, ctx.now());
            self.respond(ctx, n, HttpResponse::json(201, review));
            return;
        }
        if resource.name == "selfsubjectrulesreviews" {
            let user = rc.user.clone().expect("authenticated");
            let body = rc.body.clone().unwrap_or(Value::Null);
            let response = match chain::rules_review(&self.authz_view(), &user, &body) {
                Ok(review) => HttpResponse::json(201, review),
                Err(e) => e.response(),
            };
            self.respond(ctx, n, response);
            return;
        }
        if rc.info.subresource == "token" {
            // The name and namespace in the body are checked before the service account is
            // read.
            let body = rc.body.clone().unwrap_or(Value::Null);
            if let Err(e) = serviceaccount::check_metadata(&body, &rc.info.name, &rc.info.namespace)
            {
                self.respond(ctx, n, e.response());
                return;
            }
            self.read(ctx, n);
            return;
        }
        if resource.etcd_prefix.is_none() && resource.name.ends_with("accessreviews") {
            let user = rc.user.clone().expect("authenticated");
            let body = rc.body.clone().unwrap_or(Value::Null);
            let response = match chain::access_review(&self.authz_view(), &user, resource, &body) {
                Ok(review) => HttpResponse::json(201, review),
                Err(e) => e.response(),
            };
            self.respond(ctx, n, response);
            return;
        }
        let rc = self.requests.get_mut(&n).expect("in flight");
        // A create of the resource itself has nothing to read; every other write starts from
        // the stored object (binding and eviction are creates on a subresource of a pod).
        if rc.info.verb == "create" && rc.info.subresource.is_empty() {
            rc.object = rc.body.clone();
            self.admit(ctx, n);
        } else {
            self.read(ctx, n);
        }
    }

    fn read(&mut self, ctx: &mut Ctx<'_>, n: u64) {
        let rc = &self.requests[&n];
        let resource = rc.resource.expect("resolved");
        let ns = (!rc.info.namespace.is_empty()).then_some(rc.info.namespace.as_str());
        let Some(key) = resource.etcd_key(ns, &rc.info.name) else {
            self.respond(ctx, n, errors::path_not_found().response());
            return;
        };
        let range = etcdpb::RangeRequest {
            key: key.into_bytes(),
            ..etcdpb::RangeRequest::default()
        };
        self.etcd(
            ctx,
            Request::Range(range),
            Pending::Read { request: n },
            Some(Stage::Storage),
        );
    }

    fn on_read(&mut self, ctx: &mut Ctx<'_>, n: u64, resp: etcdpb::RangeResponse) {
        let Some(rc) = self.requests.get(&n) else {
            return;
        };
        let resource = rc.resource.expect("resolved");
        let Some(kv) = resp.kvs.first() else {
            let applying = rc.info.verb == "patch"
                && rc.info.subresource.is_empty()
                && rc
                    .request
                    .header_value("Content-Type")
                    .is_some_and(|t| t.starts_with("application/apply-patch"));
            if applying {
                // Server-side apply of an object that does not exist creates it.
                self.apply_create(ctx, n);
                return;
            }
            let e = errors::not_found(resource, &rc.info.name);
            self.respond(ctx, n, e.response());
            return;
        };
        self.with_current(ctx, n, kv);
    }

    fn apply_create(&mut self, ctx: &mut Ctx<'_>, n: u64) {
        let now = ctx.now();
        let rc = self.requests.get_mut(&n).expect("in flight");
        let resource = rc.resource.expect("resolved");
        let body = rc.body.clone().unwrap_or(Value::Null);
        match chain::apply_body(&rc.request, &rc.info, resource, body, None, now) {
            Ok(mut obj) => {
                obj["kind"] = json!(resource.kind);
                obj["apiVersion"] = json!(resource.group_version());
                if obj.pointer("/metadata/name").is_none() {
                    obj["metadata"]["name"] = json!(rc.info.name);
                }
                rc.action = WriteAction::Create;
                rc.object = Some(obj);
                self.admit(ctx, n);
            }
            Err(e) => self.respond(ctx, n, e.response()),
        }
    }

    /// Continues a request with the stored object (first read, or a retry after a lost race).
    fn with_current(&mut self, ctx: &mut Ctx<'_>, n: u64, kv: &etcdpb::KeyValue) {
        let Some(current) = storage::decode(kv, kv.mod_revision) else {
            let e = errors::internal(format!(
                "object at {} is not valid JSON",
                String::from_utf8_lossy(&kv.key)
            ));
            self.respond(ctx, n, e.response());
            return;
        };
        let now = ctx.now();
        let rc = self.requests.get_mut(&n).expect("in flight");
        rc.current = Some((current.clone(), kv.mod_revision));
        match (rc.info.verb.as_str(), rc.info.subresource.as_str()) {
            ("get", "scale") => {
                let resp = HttpResponse::json(200, subresources::scale_of(&current));
                self.respond(ctx, n, resp);
            }
            ("get", "log") => {
                // The log lives on the node: the API server asks the pod's kubelet
                // (`GET https://<node>:10250/containerLogs/<ns>/<pod>/<container>`) and
                // relays its answer.
                let containers: Vec<String> = current
                    .pointer("/spec/containers")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(|c| c["name"].as_str().map(str::to_string))
                    .collect();
                let asked = rc.request.query_value("container").map(str::to_string);
                let node = current
                    .pointer("/spec/nodeName")
                    .and_then(Value::as_str)
                    .map(str::to_string);
                let pod = rc.info.name.clone();
                let ns = rc.info.namespace.clone();
                let container = match asked {
                    Some(c) if !c.is_empty() => Ok(c),
                    _ if containers.len() == 1 => Ok(containers[0].clone()),
                    _ => Err(errors::bad_request(format!(
                        "a container name must be specified for pod {pod}, choose one of: [{}]",
                        containers.join(" ")
                    ))),
                };
                match (node, container) {
                    (None, _) => {
                        let e =
                            errors::bad_request(format!("pod {pod} does not have a host assigned"));
                        self.respond(ctx, n, e.response());
                    }
                    (Some(_), Err(e)) => self.respond(ctx, n, e.response()),
                    (Some(node), Ok(container)) => {
                        if !containers.contains(&container) {
                            let e = errors::bad_request(format!(
                                "container {container} is not valid for pod {pod}"
                            ));
                            self.respond(ctx, n, e.response());
                        } else {
                            // The kubelet reads the log options (`PodLogOptions`) from the
                            // query, as the API server's LogLocation passes them on.
                            let options: Vec<String> =
                                ["previous", "timestamps", "tailLines", "limitBytes"]
                                    .into_iter()
                                    .filter_map(|k| {
                                        rc.request
                                            .query_value(k)
                                            .map(|v| format!("{k}={}", encode_component(v)))
                                    })
                                    .collect();
                            let path = format!("/containerLogs/{ns}/{pod}/{container}");
                            let req = if options.is_empty() {
                                HttpRequest::new("GET", &path)
                            } else {
                                HttpRequest::new("GET", &format!("{path}?{}", options.join("&")))
                            };
                            ctx.send(
                                Addr::Kubelet(node),
                                Message::HttpRequest {
                                    id: n,
                                    request: req,
                                },
                            );
                        }
                    }
                }
            }
            ("get", _) => {
                let resp = HttpResponse::json(200, current);
                self.respond(ctx, n, resp);
            }
            ("delete", _) => self.admit_delete(ctx, n),
            ("create", "eviction") => self.plan_delete(ctx, n),
            ("create", "token") => self.token_request(ctx, n, current),
            _ => match self.updated_object(n, current, now) {
                Ok(new) => {
                    let rc = self.requests.get_mut(&n).expect("in flight");
                    rc.object = Some(new);
                    self.admit(ctx, n);
                }
                Err(e) => self.respond(ctx, n, e.response()),
            },
        }
    }

    /// Admission of a DELETE, with the stored object as the old object: NamespaceLifecycle
    /// refuses to delete `default`, `kube-system` and `kube-public`.
    fn admit_delete(&mut self, ctx: &mut Ctx<'_>, n: u64) {
        let objects = self.admission_objects();
        let rc = &self.requests[&n];
        let resource = rc.resource.expect("resolved");
        let Some((current, _)) = rc.current.as_ref() else {
            return;
        };
        let attrs = chain::admission_attributes(&rc.info, resource, Some(current));
        match chain::mutating_admission(&attrs, &objects, current.clone(), ctx.rng()) {
            Ok((_, note)) => self.stage(ctx, n, Stage::MutatingAdmission, true, note),
            Err(e) => self.fail(ctx, n, Stage::MutatingAdmission, e),
        }
    }

    /// What a DELETE (or an eviction) does to the stored object: remove it, mark it, or
    /// leave it as it is.
    fn plan_delete(&mut self, ctx: &mut Ctx<'_>, n: u64) {
        let now = ctx.now();
        let rc = self.requests.get_mut(&n).expect("in flight");
        let resource = rc.resource.expect("resolved");
        let Some((current, _)) = rc.current.clone() else {
            return;
        };
        let options = if rc.info.subresource == "eviction" {
            let body = rc
                .body
                .as_ref()
                .and_then(|b| b.get("deleteOptions").cloned());
            DeleteOptions::parse(body.as_ref(), &rc.request.query)
        } else {
            DeleteOptions::from_request(&rc.request)
        };
        if let Some(w) = options
            .as_ref()
            .ok()
            .and_then(|o| delete::warning(resource, o))
        {
            rc.warnings.push(w.to_string());
        }
        rc.delete_dry_run = options.as_ref().is_ok_and(|o| o.dry_run);
        let plan = options.and_then(|o| delete::plan(resource, &current, &o, now));
        match plan {
            Ok(DeletePlan::Unchanged) => {
                let resp = HttpResponse::json(200, current);
                self.respond(ctx, n, resp);
            }
            Ok(DeletePlan::Now) => {
                rc.action = WriteAction::Delete;
                self.write(ctx, n);
            }
            Ok(DeletePlan::Mark(obj)) => {
                rc.action = WriteAction::Update;
                rc.object = Some(obj);
                self.write(ctx, n);
            }
            Err(e) => self.respond(ctx, n, e.response()),
        }
    }

    /// The object an update, patch, status or scale write, or a binding, asks for.
    fn updated_object(
        &self,
        n: u64,
        current: Value,
        now: crate::sim::SimTime,
    ) -> Result<Value, ApiError> {
        let rc = &self.requests[&n];
        let resource = rc.resource.expect("resolved");
        let body = rc.body.clone().unwrap_or(Value::Null);
        let sub = rc.info.subresource.as_str();
        match sub {
            "binding" => return subresources::bind(&current, &body, now),
            "scale" => {
                let scale = chain::apply_body(
                    &rc.request,
                    &rc.info,
                    resource,
                    body,
                    Some(subresources::scale_of(&current)),
                    now,
                )?;
                return subresources::apply_scale(&current, &scale);
            }
            _ => {}
        }
        let mut new = if conversion::is_events_v1(resource.group) && rc.info.verb == "patch" {
            let as_v1 = conversion::core_event_to_events_v1(&current);
            let patched =
                chain::apply_body(&rc.request, &rc.info, resource, body, Some(as_v1), now)?;
            conversion::events_v1_to_core_event(&patched)
        } else {
            chain::apply_body(
                &rc.request,
                &rc.info,
                resource,
                body,
                Some(current.clone()),
                now,
            )?
        };
        match sub {
            "status" => new = subresources::with_status(&current, &new),
            "finalize" => new = subresources::finalize(&current, &new),
            _ if subresources::has_status_subresource(resource) => {
                subresources::keep_status(&mut new, &current)
            }
            _ => {}
        }
        Ok(new)
    }

    /// The objects admission plugins read, from the watch caches.
    fn admission_objects(&self) -> AdmissionObjects {
        let owned = |prefix: &str| -> Vec<Value> {
            self.caches
                .get(prefix)
                .map(|c| c.objects.values().map(|v| (**v).clone()).collect())
                .unwrap_or_default()
        };
        AdmissionObjects {
            namespaces: owned("/registry/namespaces/"),
            service_accounts: owned("/registry/serviceaccounts/"),
            limit_ranges: owned("/registry/limitranges/"),
            priority_classes: owned("/registry/priorityclasses/"),
            storage_classes: owned("/registry/storageclasses/"),
            resource_quotas: owned("/registry/resourcequotas/"),
        }
    }

    fn admit(&mut self, ctx: &mut Ctx<'_>, n: u64) {
        let objects = self.admission_objects();
        let rc = self.requests.get_mut(&n).expect("in flight");
        let resource = rc.resource.expect("resolved");
        let obj = rc.object.take().expect("decoded");
        let old = rc.current.as_ref().map(|(o, _)| o);
        let attrs = chain::admission_attributes(&rc.info, resource, old);
        let result = chain::mutating_admission(&attrs, &objects, obj.clone(), ctx.rng());
        match result {
            Ok((obj, note)) => {
                rc.object = Some(obj);
                self.stage(ctx, n, Stage::MutatingAdmission, true, note);
            }
            Err(e) => {
                rc.object = Some(obj);
                self.fail(ctx, n, Stage::MutatingAdmission, e)
            }
        }
    }

    fn after_admission(&mut self, ctx: &mut Ctx<'_>, n: u64) {
        let rc = self.requests.get_mut(&n).expect("in flight");
        let resource = rc.resource.expect("resolved");
        if rc.action == WriteAction::Create {
            let obj = rc.object.as_mut().expect("decoded");
            if let Err(e) = chain::before_create(resource, &rc.info, obj, ctx.now(), ctx.rng()) {
                self.fail(ctx, n, Stage::Validation, e);
                return;
            }
            if resource.group.is_empty() && resource.name == "services" {
                let result = service_alloc::allocate_create(
                    obj,
                    &mut self.cluster_ips,
                    &mut self.node_ports,
                    ctx.rng(),
                );
                if let Err(e) = result {
                    let e = ApiError {
                        code: e.code,
                        status: e.to_status(),
                    };
                    self.fail(ctx, n, Stage::Validation, e);
                    return;
                }
                rc.allocated = true;
            }
        } else if let (Some(obj), Some((old, _))) = (rc.object.as_mut(), rc.current.as_ref()) {
            chain::before_update(resource, &rc.info, obj, old);
        }
        let now = ctx.now();
        let rc = self.requests.get_mut(&n).expect("in flight");
        if let Some(obj) = rc.object.as_mut() {
            let old = rc.current.as_ref().map(|(o, _)| o);
            chain::track_managed_fields(&rc.request, &rc.info, resource, old, obj, now);
        }
        let rc = self.requests.get_mut(&n).expect("in flight");
        let obj = rc.object.as_ref().expect("decoded");
        let old = rc.current.as_ref().map(|(o, _)| o);
        match chain::validate(resource, &rc.info, obj, old, rc.body.as_ref()) {
            Ok(note) => {
                self.stage(ctx, n, Stage::Validation, true, note);
            }
            Err(e) => self.fail(ctx, n, Stage::Validation, e),
        }
    }

    fn after_validation(&mut self, ctx: &mut Ctx<'_>, n: u64) {
        let objects = self.admission_objects();
        let rc = &self.requests[&n];
        let resource = rc.resource.expect("resolved");
        let old = rc.current.as_ref().map(|(o, _)| o);
        let attrs = chain::admission_attributes(&rc.info, resource, old);
        let obj = rc.object.as_ref().expect("built");
        match chain::validating_admission(&attrs, &objects, obj) {
            Ok((note, quotas)) => {
                // ResourceQuota charges the quota before the object is stored.
                if rc.request.query_value("dryRun") != Some("All") {
                    for quota in quotas {
                        self.store_quota(ctx, quota);
                    }
                }
                self.stage(ctx, n, Stage::ValidatingAdmission, true, note);
            }
            Err(e) => self.fail(ctx, n, Stage::ValidatingAdmission, e),
        }
    }

    /// Writes a ResourceQuota's new `status.used` (the quota plugin's own update).
    fn store_quota(&mut self, ctx: &mut Ctx<'_>, quota: Value) {
        let Some(resource) = resources::find("", "v1", "resourcequotas") else {
            return;
        };
        let ns = quota.pointer("/metadata/namespace").and_then(Value::as_str);
        let name = quota
            .pointer("/metadata/name")
            .and_then(Value::as_str)
            .unwrap_or("");
        let rev: i64 = quota
            .pointer("/metadata/resourceVersion")
            .and_then(Value::as_str)
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        let Some(key) = resource.etcd_key(ns, name) else {
            return;
        };
        let txn = storage::update_txn(&key, rev, storage::encode(&quota), 0);
        self.etcd(
            ctx,
            Request::Txn(txn),
            Pending::Bootstrap,
            Some(Stage::ValidatingAdmission),
        );
    }

    fn write(&mut self, ctx: &mut Ctx<'_>, n: u64) {
        let rc = self.requests.get_mut(&n).expect("in flight");
        let resource = rc.resource.expect("resolved");
        // (A DELETE's own mark is stored as planned: a namespace stays Terminating even with
        // no finalizers, as the registry's GuaranteedUpdate leaves it.)
        if rc.action == WriteAction::Update
            && rc.info.verb != "delete"
            && rc
                .object
                .as_ref()
                .is_some_and(|o| delete::should_delete_during_update(resource, o))
        {
            rc.action = WriteAction::Delete;
        }
        let rc = &self.requests[&n];
        if rc.request.query_value("dryRun") == Some("All") || rc.delete_dry_run {
            // Everything ran but storage: answer with what would have been stored.
            let mut obj = match rc.action {
                WriteAction::Delete => rc.current.as_ref().map(|(o, _)| o.clone()),
                _ => rc.object.clone(),
            }
            .unwrap_or(Value::Null);
            // A write of the scale subresource answers a Scale, dry run or not.
            if rc.info.subresource == "scale" && rc.action != WriteAction::Delete {
                obj = subresources::scale_of(&obj);
            }
            let code = if rc.action == WriteAction::Create {
                201
            } else {
                200
            };
            self.respond(ctx, n, HttpResponse::json(code, obj));
            return;
        }
        // GuaranteedUpdate writes nothing when the new object equals the stored one: the answer
        // is the stored object as it is (same resourceVersion, no watch event).
        if rc.action == WriteAction::Update {
            if let (Some((current, _)), Some(new)) = (&rc.current, &rc.object) {
                let strip = |o: &Value| {
                    let mut o = o.clone();
                    if let Some(m) = o.get_mut("metadata").and_then(Value::as_object_mut) {
                        m.remove("resourceVersion");
                    }
                    o
                };
                // A resourceVersion precondition is checked before that (a stale one
                // conflicts even when nothing would change).
                let rv = |o: &Value| {
                    o["metadata"]["resourceVersion"]
                        .as_str()
                        .map(str::to_string)
                };
                let precondition_holds =
                    rv(new).is_none_or(|v| v.is_empty() || Some(v) == rv(current));
                if precondition_holds && strip(current) == strip(new) {
                    let answer = if rc.info.subresource == "scale" {
                        subresources::scale_of(current)
                    } else {
                        current.clone()
                    };
                    self.respond(ctx, n, HttpResponse::json(200, answer));
                    return;
                }
            }
        }
        // Events live for `--event-ttl` (1 hour): each is written with an etcd lease, one lease
        // shared by the events of a minute (the storage layer's lease manager).
        let lease = if resource.etcd_prefix == Some("/registry/events")
            && rc.action != WriteAction::Delete
        {
            match self.event_lease {
                Some((id, expires)) if ctx.now() + EVENT_TTL < expires => id,
                _ => {
                    let grant = etcdpb::LeaseGrantRequest {
                        ttl: (EVENT_TTL.as_millis() + LEASE_REUSE.as_millis()) as i64 / 1000,
                        id: 0,
                    };
                    self.etcd(
                        ctx,
                        Request::LeaseGrant(grant),
                        Pending::EventLease { request: n },
                        Some(Stage::Storage),
                    );
                    return;
                }
            }
        } else {
            0
        };
        let rc = &self.requests[&n];
        let obj_name = rc
            .object
            .as_ref()
            .and_then(|o| o.pointer("/metadata/name"))
            .and_then(Value::as_str);
        let name = obj_name.unwrap_or(&rc.info.name).to_string();
        let obj_ns = rc
            .object
            .as_ref()
            .and_then(|o| o.pointer("/metadata/namespace"))
            .and_then(Value::as_str);
        let ns = if resource.namespaced {
            obj_ns
                .map(str::to_string)
                .or_else(|| (!rc.info.namespace.is_empty()).then(|| rc.info.namespace.clone()))
        } else {
            None
        };
        let Some(key) = resource.etcd_key(ns.as_deref(), &name) else {
            self.respond(ctx, n, errors::path_not_found().response());
            return;
        };
        let txn = match (rc.action, &rc.current, &rc.object) {
            (WriteAction::Create, _, Some(obj)) => {
                storage::create_txn(&key, storage::encode(obj), lease)
            }
            (WriteAction::Update, Some((_, rev)), Some(obj)) => {
                storage::update_txn(&key, *rev, storage::encode(obj), lease)
            }
            (WriteAction::Delete, Some((_, rev)), _) => storage::delete_txn(&key, *rev),
            _ => {
                let e = errors::internal(format!("nothing to write for {}", rc.info.verb));
                self.respond(ctx, n, e.response());
                return;
            }
        };
        self.etcd(
            ctx,
            Request::Txn(txn),
            Pending::Write { request: n },
            Some(Stage::Storage),
        );
    }

    fn on_write(&mut self, ctx: &mut Ctx<'_>, n: u64, resp: etcdpb::TxnResponse) {
        if resp.succeeded {
            if let Some(step) = self.stored_step(n) {
                self.revision_steps.insert(resp.header.revision, step);
                // Bounded: a write whose event never came (nobody watches) is forgotten.
                while self.revision_steps.len() > 10_000 {
                    self.revision_steps.pop_first();
                }
            }
        }
        let unowned = resp
            .succeeded
            .then(|| self.unowned_pod_note(n, resp.header.revision))
            .flatten();
        let Some(rc) = self.requests.get_mut(&n) else {
            return;
        };
        let resource = rc.resource.expect("resolved");
        let name = rc
            .object
            .as_ref()
            .and_then(|o| o.pointer("/metadata/name"))
            .and_then(Value::as_str)
            .unwrap_or(&rc.info.name)
            .to_string();
        if !resp.succeeded {
            let fresh = resp.responses.first().and_then(|r| match r {
                ResponseOp::Range(r) => r.kvs.first().cloned(),
                _ => None,
            });
            // GuaranteedUpdate: someone wrote in between. Without a resourceVersion precondition
            // the server tries again on the fresh object; with one, the client must.
            let precondition = rc
                .body
                .as_ref()
                .and_then(|b| b.pointer("/metadata/resourceVersion"))
                .and_then(Value::as_str)
                .is_some_and(|v| !v.is_empty())
                && rc.info.verb == "update";
            let e = match (rc.action, fresh) {
                (WriteAction::Create, _) => errors::already_exists(resource, &name),
                (_, None) => errors::not_found(resource, &name),
                (_, Some(kv)) if !precondition && rc.attempts < MAX_UPDATE_ATTEMPTS => {
                    rc.attempts += 1;
                    if rc.info.verb != "delete" {
                        rc.action = WriteAction::Update;
                    }
                    self.with_current(ctx, n, &kv);
                    return;
                }
                (_, Some(_)) => errors::conflict(resource, &name, errors::MODIFIED),
            };
            self.respond(ctx, n, e.response());
            return;
        }
        let rev = resp.header.revision;
        let sub = rc.info.subresource.clone();
        // A deleted Service gives its ClusterIP and NodePorts back.
        if rc.action == WriteAction::Delete
            && resource.group.is_empty()
            && resource.name == "services"
        {
            if let Some((svc, _)) = &rc.current {
                service_alloc::release(svc, &mut self.cluster_ips, &mut self.node_ports);
            }
        }
        let response = match (rc.action, sub.as_str()) {
            (_, "binding" | "eviction") => HttpResponse::json(
                201,
                json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "code": 201}),
            ),
            (WriteAction::Delete, _) if delete::returns_object(resource) => {
                let (mut obj, _) = rc.current.take().expect("read before delete");
                storage::set_resource_version(&mut obj, rev);
                HttpResponse::json(200, obj)
            }
            (WriteAction::Delete, _) => {
                let uid = rc
                    .current
                    .as_ref()
                    .and_then(|(o, _)| o.pointer("/metadata/uid").and_then(Value::as_str))
                    .unwrap_or_default()
                    .to_string();
                let mut details = json!({ "name": name });
                if !resource.group.is_empty() {
                    details["group"] = json!(resource.group);
                }
                details["kind"] = json!(resource.name);
                details["uid"] = json!(uid);
                HttpResponse::json(
                    200,
                    json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "details": details}),
                )
            }
            (action, _) => {
                let mut obj = rc.object.take().expect("written");
                storage::set_resource_version(&mut obj, rev);
                if sub == "scale" {
                    obj = subresources::scale_of(&obj);
                }
                HttpResponse::json(
                    if action == WriteAction::Create {
                        201
                    } else {
                        200
                    },
                    obj,
                )
            }
        };
        match unowned {
            // The trace says why the flow skips steps 3 and 4 before the answer goes out.
            Some(note) => {
                rc.reply = Some(response);
                self.stage(ctx, n, Stage::Storage, true, note);
            }
            None => self.respond(ctx, n, response),
        }
    }

    /// Why a pod kubectl created (step 1) goes from step 2 straight to step 5: no controller
    /// owns it, so no controller creates it (step 3) and no controller's write is stored
    /// (step 4). `None` for any other write.
    fn unowned_pod_note(&self, n: u64, revision: i64) -> Option<String> {
        let rc = self.requests.get(&n)?;
        let resource = rc.resource?;
        let is_pod = resource.group.is_empty() && resource.name == "pods";
        if rc.step != Some(1)
            || !is_pod
            || rc.action != WriteAction::Create
            || !rc.info.subresource.is_empty()
        {
            return None;
        }
        let pod = rc.object.as_ref()?;
        let owned = pod
            .pointer("/metadata/ownerReferences")
            .and_then(Value::as_array)
            .is_some_and(|refs| refs.iter().any(|r| r["controller"] == true));
        if owned {
            return None;
        }
        let name = pod
            .pointer("/metadata/name")
            .and_then(Value::as_str)
            .unwrap_or_default();
        Some(format!(
            "stored at revision {revision}; no controller owns pod {name} (no ownerReference \
             with controller: true), so steps 3 and 4 do not happen: the scheduler sees it \
             next (step 5)"
        ))
    }

    fn list(&mut self, ctx: &mut Ctx<'_>, n: u64) {
        let rc = &self.requests[&n];
        let resource = rc.resource.expect("resolved");
        let ns = (!rc.info.namespace.is_empty()).then_some(rc.info.namespace.as_str());
        let Some(prefix) = resource.etcd_list_prefix(ns) else {
            self.respond(ctx, n, errors::path_not_found().response());
            return;
        };
        let (labels, fields) = match self.selectors(rc) {
            Ok(s) => s,
            Err(e) => {
                self.respond(ctx, n, e.response());
                return;
            }
        };
        let filtered = !labels.is_empty() || !fields.is_empty();
        let query = |k: &str| rc.request.query_value(k).unwrap_or("").to_string();
        let limit: i64 = match query("limit").as_str() {
            "" => 0,
            l => l.parse().unwrap_or(0).max(0),
        };
        let rv = query("resourceVersion");
        let rv_match = query("resourceVersionMatch");
        let token = query("continue");
        if !rv_match.is_empty() && rv.is_empty() {
            let e = ApiError::new(
                422,
                "Invalid",
                "ListOptions.meta.k8s.io \"\" is invalid: resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided".to_string(),
                None,
            );
            self.respond(ctx, n, e.response());
            return;
        }
        let (start, revision) = if !token.is_empty() {
            match continue_token::decode(&token, &prefix) {
                Ok(c) => (Some(c.start_key), c.revision),
                Err(msg) => {
                    self.respond(ctx, n, errors::bad_request(msg).response());
                    return;
                }
            }
        } else {
            let cache_prefix = format!("{}/", resource.etcd_prefix.unwrap_or_default());
            let cache_rev = self.caches.get(&cache_prefix).map_or(0, |c| c.revision);
            let wanted: Option<i64> = rv.parse().ok();
            let from_cache = match (rv.as_str(), wanted) {
                ("0", _) => true,
                (_, Some(w)) if rv_match != "Exact" => w <= cache_rev,
                _ => false,
            };
            if from_cache && !rv.is_empty() {
                let list = self.list_from_cache(&cache_prefix, ns, resource, &labels, &fields);
                let note = format!("served from the watch cache at revision {cache_rev} (resourceVersion={rv}), without reading etcd");
                let rc = self.requests.get_mut(&n).expect("in flight");
                rc.reply = Some(HttpResponse::json(200, list));
                self.stage(ctx, n, Stage::Storage, true, note);
                return;
            }
            if let (Some(w), false) = (wanted, rv_match == "Exact" || rv.is_empty()) {
                let e = ApiError::new(
                    504,
                    "Timeout",
                    format!("Timeout: Too large resource version: {w}, current: {cache_rev}"),
                    Some(
                        json!({ "causes": [{ "reason": "ResourceVersionTooLarge", "message": "Too large resource version" }], "retryAfterSeconds": 1 }),
                    ),
                );
                self.respond(ctx, n, e.response());
                return;
            }
            (
                None,
                if rv_match == "Exact" {
                    wanted.unwrap_or(0)
                } else {
                    0
                },
            )
        };
        // With selectors the server filters after reading, so it reads the whole range.
        let etcd_limit = if filtered || limit == 0 { 0 } else { limit };
        let range = storage::list_range(
            &prefix,
            start.as_deref().map(|s| s.trim_end_matches('\u{0}')),
            etcd_limit,
            revision,
        );
        let rc = self.requests.get_mut(&n).expect("in flight");
        rc.list = Some(ListState {
            prefix,
            limit,
            labels,
            fields,
            continued: !token.is_empty(),
            revision,
        });
        self.etcd(
            ctx,
            Request::Range(range),
            Pending::List { request: n },
            Some(Stage::Storage),
        );
    }

    fn list_from_cache(
        &self,
        cache_prefix: &str,
        namespace: Option<&str>,
        resource: &Resource,
        labels: &Selector,
        fields: &FieldSelector,
    ) -> Value {
        let Some(cache) = self.caches.get(cache_prefix) else {
            return Value::Null;
        };
        let ns_prefix = namespace.map(|ns| format!("{cache_prefix}{ns}/"));
        let items: Vec<Value> = cache
            .objects
            .iter()
            .filter(|(k, _)| ns_prefix.as_ref().is_none_or(|p| k.starts_with(p)))
            .map(|(_, o)| o.as_ref())
            .filter(|o| labels.matches_object(o) && fields.matches(resource.name, o))
            .map(list_item)
            .collect();
        json!({
            "kind": format!("{}List", resource.kind),
            "apiVersion": resource.group_version(),
            "metadata": { "resourceVersion": cache.revision.to_string() },
            "items": items,
        })
    }

    fn selectors(&self, rc: &RequestCtx) -> Result<(Selector, FieldSelector), ApiError> {
        let resource = rc.resource.expect("resolved");
        let labels = Selector::parse(rc.request.query_value("labelSelector").unwrap_or(""))
            .map_err(|e| errors::bad_request(format!("unable to parse requirement: {e}")))?;
        let fields = FieldSelector::parse(
            rc.request.query_value("fieldSelector").unwrap_or(""),
            resource.name,
        )
        .map_err(errors::bad_request)?;
        Ok((labels, fields))
    }

    fn on_list(&mut self, ctx: &mut Ctx<'_>, n: u64, resp: etcdpb::RangeResponse) {
        let Some(rc) = self.requests.get_mut(&n) else {
            return;
        };
        let resource = rc.resource.expect("resolved");
        let Some(state) = rc.list.take() else {
            return;
        };
        let filtered = !state.labels.is_empty() || !state.fields.is_empty();
        let mut items = Vec::new();
        let mut last_key: Option<String> = None;
        let mut more = resp.more;
        for kv in &resp.kvs {
            if state.limit > 0 && items.len() as i64 == state.limit {
                more = true;
                break;
            }
            last_key = Some(String::from_utf8_lossy(&kv.key).into_owned());
            let Some(o) = storage::decode(kv, kv.mod_revision) else {
                continue;
            };
            if state.labels.matches_object(&o) && state.fields.matches(resource.name, &o) {
                items.push(o);
            }
        }
        if rc.info.verb == "deletecollection" {
            self.delete_collection(ctx, n, items);
            return;
        }
        // A continued list reads at the first page's revision, and says so.
        let revision = if state.revision > 0 {
            state.revision
        } else {
            resp.header.revision
        };
        let mut metadata = json!({ "resourceVersion": revision.to_string() });
        if more {
            if let Some(k) = &last_key {
                metadata["continue"] = json!(continue_token::encode(k, &state.prefix, revision));
                if !filtered {
                    let remaining = resp.count - resp.kvs.len() as i64;
                    metadata["remainingItemCount"] = json!(remaining);
                }
            }
        }
        let list = json!({
            "kind": format!("{}List", resource.kind),
            "apiVersion": resource.group_version(),
            "metadata": metadata,
            "items": items.iter().map(list_item).collect::<Vec<_>>(),
        });
        self.respond(ctx, n, HttpResponse::json(200, list));
    }

    /// DELETE on a collection: each selected object is deleted as a single DELETE would, and the
    /// answer lists what was deleted.
    fn delete_collection(&mut self, ctx: &mut Ctx<'_>, n: u64, items: Vec<Value>) {
        let now = ctx.now();
        let rc = self.requests.get_mut(&n).expect("in flight");
        let resource = rc.resource.expect("resolved");
        let options = match DeleteOptions::from_request(&rc.request) {
            Ok(o) => o,
            Err(e) => {
                self.respond(ctx, n, e.response());
                return;
            }
        };
        if let Some(w) = delete::warning(resource, &options) {
            rc.warnings.push(w.to_string());
        }
        let mut txns = Vec::new();
        let mut deleted = Vec::new();
        for item in items {
            let rev: i64 = item
                .pointer("/metadata/resourceVersion")
                .and_then(Value::as_str)
                .and_then(|v| v.parse().ok())
                .unwrap_or(0);
            let ns = item.pointer("/metadata/namespace").and_then(Value::as_str);
            let name = item
                .pointer("/metadata/name")
                .and_then(Value::as_str)
                .unwrap_or("");
            let Some(key) = resource.etcd_key(ns, name) else {
                continue;
            };
            match delete::plan(resource, &item, &options, now) {
                Ok(DeletePlan::Now) => txns.push(storage::delete_txn(&key, rev)),
                Ok(DeletePlan::Mark(obj)) => {
                    txns.push(storage::update_txn(&key, rev, storage::encode(&obj), 0));
                }
                Ok(DeletePlan::Unchanged) | Err(_) => continue,
            }
            deleted.push(item);
        }
        rc.collection = Some(CollectionState {
            outstanding: txns.len(),
            deleted,
        });
        if txns.is_empty() {
            self.finish_collection(ctx, n);
            return;
        }
        for txn in txns {
            self.etcd(
                ctx,
                Request::Txn(txn),
                Pending::CollectionItem { request: n },
                Some(Stage::Storage),
            );
        }
    }

    fn finish_collection(&mut self, ctx: &mut Ctx<'_>, n: u64) {
        let rc = self.requests.get_mut(&n).expect("in flight");
        let resource = rc.resource.expect("resolved");
        let state = rc.collection.take().unwrap_or_default();
        let revision = self
            .caches
            .values()
            .map(|c| c.revision)
            .max()
            .unwrap_or_default();
        let list = json!({
            "kind": format!("{}List", resource.kind),
            "apiVersion": resource.group_version(),
            "metadata": { "resourceVersion": revision.to_string() },
            "items": state.deleted.iter().map(list_item).collect::<Vec<_>>(),
        });
        self.respond(ctx, n, HttpResponse::json(200, list));
    }

    fn watch(&mut self, ctx: &mut Ctx<'_>, n: u64) {
        let rc = &self.requests[&n];
        let resource = rc.resource.expect("resolved");
        let (labels, fields) = match self.selectors(rc) {
            Ok(s) => s,
            Err(e) => {
                self.respond(ctx, n, e.response());
                return;
            }
        };
        let prefix = format!("{}/", resource.etcd_prefix.unwrap_or_default());
        let Some(cache) = self.caches.get(&prefix).filter(|c| c.ready) else {
            let e = errors::unavailable("the watch cache is not ready yet");
            self.respond(ctx, n, e.response());
            return;
        };
        let namespace = (!rc.info.namespace.is_empty()).then(|| rc.info.namespace.clone());
        let mut watcher = Watcher {
            client: rc.client.clone(),
            request_id: rc.client_id,
            resource: resource.name.to_string(),
            prefix: prefix.clone(),
            namespace,
            labels,
            fields,
            bookmarks: rc.request.query_value("allowWatchBookmarks") == Some("true"),
            events_v1: conversion::is_events_v1(resource.group),
            table: printers::wants_table(rc.request.header_value("Accept"))
                .then(|| (resource.group.to_string(), resource.name.to_string())),
            table_columns_sent: false,
            sent_revision: cache.revision,
        };
        // Where the watch starts: "" or "0" = the current state as ADDED events first; a
        // revision = every change after it, or 410 Gone when it left the cache's window.
        let rv = rc.request.query_value("resourceVersion").unwrap_or("");
        let mut initial: Vec<WatchEvent> = Vec::new();
        let mut gone: Option<ApiError> = None;
        match rv.parse::<i64>() {
            Ok(rev) if rev > 0 => match cache.events_since(rev) {
                Ok(events) => initial.extend(events.iter().filter_map(|e| watcher.event_for(e))),
                Err(oldest) => gone = Some(errors::too_old_resource_version(rev, oldest)),
            },
            _ if rv.is_empty() || rv == "0" => {
                for obj in cache.objects.values() {
                    if watcher
                        .event_for(&super::watch::CachedEvent {
                            revision: cache.revision,
                            key: String::new(),
                            object: obj.clone(),
                            prev: None,
                            deleted: false,
                        })
                        .is_some()
                    {
                        initial.push(WatchEvent {
                            kind: WatchEventType::Added,
                            object: obj.clone(),
                        });
                    }
                }
            }
            _ => {
                let e = errors::bad_request(format!(
                    "resourceVersion: Invalid value: \"{rv}\": must be a valid resource version"
                ));
                self.respond(ctx, n, e.response());
                return;
            }
        }
        let client = watcher.client.clone();
        let id = watcher.request_id;
        let mut head = HttpResponse::json(200, Value::Null);
        head.body = super::request::Body::Empty;
        head.headers = vec![
            ("Content-Type".to_string(), "application/json".to_string()),
            ("Transfer-Encoding".to_string(), "chunked".to_string()),
        ];
        self.respond(ctx, n, head);
        if let Some(e) = gone {
            // A real server answers 200 and then one ERROR event carrying the 410 Status.
            ctx.send(
                client,
                Message::WatchEvent {
                    id,
                    event: WatchEvent {
                        kind: WatchEventType::Error,
                        object: Arc::new(e.status),
                    },
                },
            );
            return;
        }
        for mut event in initial {
            if watcher.events_v1 {
                event.object = Arc::new(conversion::core_event_to_events_v1(&event.object));
            }
            if let Some((group, resource)) = &watcher.table {
                event.object = Arc::new(watch_table(
                    group,
                    resource,
                    &event.object,
                    !watcher.table_columns_sent,
                    ctx.now(),
                ));
                watcher.table_columns_sent = true;
            }
            ctx.send(client.clone(), Message::WatchEvent { id, event });
        }
        watcher.sent_revision = self.caches[&prefix].revision;
        if watcher.bookmarks && !self.bookmark_timer {
            self.bookmark_timer = true;
            ctx.timer(BOOKMARK_INTERVAL, BOOKMARK_TIMER);
        }
        self.watchers.insert((client, id), watcher);
    }

    // ---- componentstatuses ------------------------------------------------------------

    /// A get or list of componentstatuses: probe the components (all for a list, the one
    /// named for a get) and answer when every probe has answered or timed out.
    fn probe_components(&mut self, ctx: &mut Ctx<'_>, n: u64) {
        let rc = &self.requests[&n];
        let get = rc.info.verb == "get";
        let name = rc.info.name.clone();
        let targets: Vec<(&'static str, Target)> = componentstatus::servers()
            .into_iter()
            .filter(|(c, _)| !get || *c == name)
            .collect();
        let selectors = if get {
            None
        } else {
            match self.selectors(rc) {
                Ok(s) => Some(s),
                Err(e) => return self.respond(ctx, n, e.response()),
            }
        };
        if targets.is_empty() {
            let e = ApiError::new(500, "", componentstatus::not_found_message(&name), None);
            let mut body = e.status;
            // A plain Go error has no reason: the field is left out.
            if let Some(m) = body.as_object_mut() {
                m.remove("reason");
            }
            self.respond(ctx, n, HttpResponse::json(500, body));
            return;
        }
        if let Some(rc) = self.requests.get_mut(&n) {
            rc.probes = Some(Probes {
                waiting: targets.iter().map(|(c, _)| *c).collect(),
                done: Vec::new(),
                get,
                selectors,
            });
        }
        for (component, target) in targets {
            match target {
                Target::Healthz { actor, .. } => {
                    let probe =
                        HttpRequest::new("GET", "/healthz").header("User-Agent", "kube-probe/1.33");
                    ctx.send(
                        actor.addr(),
                        Message::HttpRequest {
                            id: n,
                            request: probe,
                        },
                    );
                }
                Target::Etcd => {
                    let range = etcdpb::RangeRequest {
                        key: b"health".to_vec(),
                        ..etcdpb::RangeRequest::default()
                    };
                    self.etcd(
                        ctx,
                        Request::Range(range),
                        Pending::EtcdProbe { request: n },
                        None,
                    );
                }
            }
            ctx.timer(
                componentstatus::PROBE_TIMEOUT,
                format!("{PROBE_TIMER_PREFIX}{n}/{component}"),
            );
        }
    }

    /// A probe's outcome; the answer goes out once the last one is in.
    fn probe_answered(&mut self, ctx: &mut Ctx<'_>, n: u64, component: &str, outcome: Outcome) {
        let Some(probes) = self.requests.get_mut(&n).and_then(|rc| rc.probes.as_mut()) else {
            return;
        };
        let Some(i) = probes.waiting.iter().position(|c| *c == component) else {
            // Answered already (or timed out): a late answer changes nothing.
            return;
        };
        probes.waiting.remove(i);
        probes.done.push((component.to_string(), outcome));
        if !probes.waiting.is_empty() {
            return;
        }
        let body = if probes.get {
            let (name, o) = &probes.done[0];
            componentstatus::status_object(name, o, true)
        } else {
            let selected: Vec<(String, Outcome)> = probes
                .done
                .iter()
                .filter(|(name, o)| {
                    let obj = componentstatus::status_object(name, o, true);
                    probes.selectors.as_ref().is_none_or(|(labels, fields)| {
                        labels.matches_object(&obj) && fields.matches("componentstatuses", &obj)
                    })
                })
                .cloned()
                .collect();
            componentstatus::list(&selected)
        };
        self.respond(ctx, n, HttpResponse::json(200, body));
    }

    fn probe_timed_out(&mut self, ctx: &mut Ctx<'_>, timer: &str) {
        let rest = timer.trim_start_matches(PROBE_TIMER_PREFIX);
        let Some((n, component)) = rest.split_once('/') else {
            return;
        };
        let Ok(n) = n.parse::<u64>() else {
            return;
        };
        let outcome = match componentstatus::servers()
            .into_iter()
            .find(|(c, _)| *c == component)
        {
            Some((_, Target::Healthz { port, .. })) => componentstatus::http_outcome(port, None),
            Some((_, Target::Etcd)) => {
                componentstatus::etcd_outcome(Some("context deadline exceeded"))
            }
            None => return,
        };
        self.probe_answered(ctx, n, component, outcome);
    }

    // ---- serviceaccounts/token ----------------------------------------------------------

    /// A TokenRequest with its service account read: validate it, then read the object the
    /// token is to be bound to, if any.
    fn token_request(&mut self, ctx: &mut Ctx<'_>, n: u64, service_account: Value) {
        let now = ctx.now();
        let rc = self.requests.get_mut(&n).expect("in flight");
        let body = rc.body.clone().unwrap_or(Value::Null);
        let prepared = match serviceaccount::prepare(
            &body,
            &service_account,
            &self.authenticator.api_audiences,
            now,
        ) {
            Ok(p) => p,
            Err(e) => return self.respond(ctx, n, e.response()),
        };
        let Some(bound) = prepared.bound.clone() else {
            rc.token = Some(prepared);
            return self.issue_token(ctx, n, serviceaccount::BoundObjects::default());
        };
        let ns = rc.info.namespace.clone();
        rc.token = Some(prepared);
        let r = resources::find("", "v1", bound.kind.resource()).expect("a served kind");
        let ns = r.namespaced.then_some(ns.as_str());
        let key = r.etcd_key(ns, &bound.name).expect("a stored resource");
        let range = etcdpb::RangeRequest {
            key: key.into_bytes(),
            ..etcdpb::RangeRequest::default()
        };
        self.etcd(
            ctx,
            Request::Range(range),
            Pending::TokenBound { request: n },
            Some(Stage::Storage),
        );
    }

    /// The bound object read: check it (and for a pod, find its node in the watch cache, as
    /// the handler's `resourceVersion=0` get does), then issue the token.
    fn on_token_bound(&mut self, ctx: &mut Ctx<'_>, n: u64, resp: etcdpb::RangeResponse) {
        let Some(rc) = self.requests.get(&n) else {
            return;
        };
        let (Some(prepared), Some((sa, _))) = (rc.token.as_ref(), rc.current.as_ref()) else {
            return;
        };
        let bound = prepared.bound.clone().expect("a bound token");
        let object = resp
            .kvs
            .first()
            .and_then(|kv| storage::decode(kv, kv.mod_revision));
        let node_name = object
            .as_ref()
            .filter(|_| bound.kind == authn_mod::BoundKind::Pod)
            .and_then(|p| p.pointer("/spec/nodeName"))
            .and_then(Value::as_str)
            .map(str::to_string);
        let node = node_name.and_then(|name| {
            let nodes = resources::find("", "v1", "nodes")?;
            let key = nodes.etcd_key(None, &name)?;
            let prefix = nodes.etcd_list_prefix(None)?;
            self.caches
                .get(&prefix)?
                .objects
                .get(&key)
                .map(|o| (**o).clone())
        });
        let sa_name = sa
            .pointer("/metadata/name")
            .and_then(Value::as_str)
            .unwrap_or_default();
        match serviceaccount::check_bound(&bound, sa_name, object.as_ref(), node.as_ref()) {
            Ok(objects) => self.issue_token(ctx, n, objects),
            Err(e) => self.respond(ctx, n, e.response()),
        }
    }

    /// Mint the token, remember it for authentication, and answer 201 with it.
    fn issue_token(&mut self, ctx: &mut Ctx<'_>, n: u64, bound: serviceaccount::BoundObjects) {
        let now = ctx.now();
        let Some(rc) = self.requests.get(&n) else {
            return;
        };
        let (Some(prepared), Some((sa, _))) = (rc.token.as_ref(), rc.current.as_ref()) else {
            return;
        };
        let issued = serviceaccount::issue(
            &prepared.request,
            sa,
            &bound,
            &self.authenticator.api_audiences,
            now,
            ctx.rng(),
        );
        self.authenticator
            .add_issued_token(&issued.token, issued.claims);
        self.respond(ctx, n, HttpResponse::json(201, issued.response));
    }

    /// Discovery, `/version` and the health endpoints.
    fn non_resource(&self, path: &str, req: &HttpRequest) -> HttpResponse {
        let path = path.trim_end_matches('/');
        let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        if matches!(parts.as_slice(), ["api"] | ["apis"])
            && resources::wants_aggregated_discovery(req.header_value("Accept"))
        {
            return aggregated_discovery_response(parts == ["api"], req);
        }
        if parts.first() == Some(&"openapi") {
            return super::openapi::handle(path, req).unwrap_or_else(plain_not_found);
        }
        let found = match parts.as_slice() {
            ["version"] => Some(json!({
                "major": "1",
                "minor": "33",
                "emulationMajor": "1",
                "emulationMinor": "33",
                "minCompatibilityMajor": "1",
                "minCompatibilityMinor": "32",
                "gitVersion": KUBERNETES_VERSION,
                "gitCommit": "8adc0f041b8e7ad1d30e29cc59c6ae7a15e19828",
                "gitTreeState": "clean",
                "buildDate": "2025-05-15T08:19:08Z",
                "goVersion": "go1.24.2",
                "compiler": "gc",
                "platform": "linux/amd64",
            })),
            ["healthz"] | ["livez"] | ["readyz"] => {
                return HttpResponse {
                    status: 200,
                    headers: vec![("Content-Type".into(), "text/plain; charset=utf-8".into())],
                    body: super::request::Body::Bytes(b"ok".to_vec()),
                }
            }
            ["api"] => Some(resources::api_versions(&format!(
                "{}:6443",
                self.config.advertise_address
            ))),
            ["api", v] => resources::api_resource_list("", v),
            ["apis"] => Some(resources::api_group_list()),
            ["apis", g] => resources::groups()
                .into_iter()
                .find(|(grp, _)| grp == g)
                .map(|(grp, v)| resources::api_group(grp, v)),
            ["apis", g, v] => resources::api_resource_list(g, v),
            _ => None,
        };
        match found {
            Some(v) => HttpResponse::json(200, v),
            None => plain_not_found(),
        }
    }

    fn on_etcd(&mut self, ctx: &mut Ctx<'_>, id: u64, result: Result<Response, EtcdError>) {
        if let Some(prefix) = self.cache_watches.get(&id).cloned() {
            if let Ok(Response::Watch(w)) = result {
                if !w.created && !w.events.is_empty() {
                    self.on_cache_event(ctx, &prefix, w);
                }
            }
            return;
        }
        let Some(pending) = self.pending.remove(&id) else {
            return;
        };
        match (pending, result) {
            (Pending::CacheList { prefix }, Ok(Response::Range(r))) => {
                self.on_cache_list(ctx, prefix, r)
            }
            (Pending::CompactRecord { revision }, Ok(Response::Txn(t))) => {
                if t.succeeded {
                    self.compact_key_version += 1;
                    if self.compact_revision > 0 {
                        let req = etcdpb::CompactionRequest {
                            revision: self.compact_revision,
                            physical: false,
                        };
                        self.etcd(ctx, Request::Compact(req), Pending::Compact, None);
                    }
                    self.compact_revision = revision;
                } else if let Some(ResponseOp::Range(r)) = t.responses.first() {
                    // Another server took this turn: follow its version of the key.
                    self.compact_key_version = r.kvs.first().map_or(0, |kv| kv.version);
                }
            }
            (Pending::ForcedCompactRecord { input }, Ok(Response::Txn(t))) => {
                if t.succeeded {
                    self.compact_key_version += 1;
                    self.compact_revision = 0;
                    let revision = t.header.revision;
                    let req = etcdpb::CompactionRequest {
                        revision,
                        physical: false,
                    };
                    self.etcd(
                        ctx,
                        Request::Compact(req),
                        Pending::ForcedCompact { input, revision },
                        None,
                    );
                } else {
                    // Someone else wrote the key: follow its version and claim the turn again.
                    if let Some(ResponseOp::Range(r)) = t.responses.first() {
                        self.compact_key_version = r.kvs.first().map_or(0, |kv| kv.version);
                    }
                    self.forced_compaction(ctx, input);
                }
            }
            (Pending::ForcedCompact { input, revision }, result) => {
                let text = match result {
                    Ok(_) => format!("kube-apiserver compacted etcd at revision {revision}\n"),
                    Err(e) => format!("sim compact: etcd refused the compaction: {e}\n"),
                };
                ctx.print(input, text, true);
            }
            (Pending::ForcedCompactRecord { input }, other) => {
                let why = match other {
                    Err(e) => e.to_string(),
                    Ok(r) => format!("unexpected etcd answer {r:?}"),
                };
                ctx.print(
                    input,
                    format!("sim compact: etcd refused the compaction: {why}\n"),
                    true,
                );
            }
            (Pending::EventLease { request }, Ok(Response::LeaseGrant(g))) => {
                self.event_lease = Some((g.id, ctx.now() + SimDuration::from_secs(g.ttl as u64)));
                self.write(ctx, request);
            }
            (Pending::Read { request }, Ok(Response::Range(r))) => self.on_read(ctx, request, r),
            (Pending::TokenBound { request }, Ok(Response::Range(r))) => {
                self.on_token_bound(ctx, request, r)
            }
            (Pending::EtcdProbe { request }, result) => {
                let error = result.err().map(|e| e.to_string());
                let outcome = componentstatus::etcd_outcome(error.as_deref());
                self.probe_answered(ctx, request, "etcd-0", outcome);
            }
            (Pending::List { request }, Ok(Response::Range(r))) => self.on_list(ctx, request, r),
            (Pending::CollectionItem { request }, result) => {
                let done = self.requests.get_mut(&request).and_then(|rc| {
                    let c = rc.collection.as_mut()?;
                    c.outstanding -= 1;
                    if !matches!(result, Ok(Response::Txn(ref t)) if t.succeeded) {
                        // Lost a race with another writer: the real server skips it too and
                        // reports what it deleted.
                    }
                    Some(c.outstanding == 0)
                });
                if done == Some(true) {
                    self.finish_collection(ctx, request);
                }
            }
            (Pending::List { request }, Err(EtcdError::Compacted)) => {
                let continued = self
                    .requests
                    .get(&request)
                    .and_then(|rc| rc.list.as_ref())
                    .is_some_and(|l| l.continued);
                let e = if continued {
                    ApiError::new(410, "Expired", continue_token::EXPIRED.to_string(), None)
                } else {
                    ApiError::new(
                        410,
                        "Expired",
                        "The resourceVersion for the provided list is too old.".to_string(),
                        None,
                    )
                };
                self.respond(ctx, request, e.response());
            }
            (Pending::Write { request }, Ok(Response::Txn(t))) => self.on_write(ctx, request, t),
            (
                Pending::Read { request }
                | Pending::List { request }
                | Pending::Write { request }
                | Pending::EventLease { request }
                | Pending::TokenBound { request },
                Err(e),
            ) => {
                // etcd's errors reach the client as 500s (or 413 for a too-large request),
                // with etcd's text, as kube-apiserver's storage layer reports them.
                let err = match e {
                    EtcdError::RequestTooLarge => ApiError::new(
                        413,
                        "RequestEntityTooLarge",
                        format!("Request entity too large: {e}"),
                        None,
                    ),
                    other => errors::internal(other.to_string()),
                };
                self.respond(ctx, request, err.response());
            }
            (
                Pending::Read { request }
                | Pending::List { request }
                | Pending::Write { request }
                | Pending::EventLease { request }
                | Pending::TokenBound { request },
                Ok(other),
            ) => {
                // An answer of the wrong shape is a bug in etcd or here: fail the request
                // rather than leave its client waiting forever.
                let e = errors::internal(format!("unexpected etcd answer {other:?}"));
                self.respond(ctx, request, e.response());
            }
            (
                Pending::CacheList { .. }
                | Pending::Bootstrap
                | Pending::Compact
                | Pending::CompactRecord { .. },
                _,
            ) => {}
        }
    }
}

impl Actor for KubeApiServer {
    fn addr(&self) -> Addr {
        Addr::ApiServer
    }

    fn start(&mut self, ctx: &mut Ctx<'_>) {
        self.start_caches(ctx);
    }

    fn handle(&mut self, env: &Envelope, ctx: &mut Ctx<'_>) {
        match &env.message {
            Message::HttpRequest { id, request } => self.on_request(
                ctx,
                env.from.clone(),
                *id,
                request.clone(),
                env.annotation.step,
            ),
            Message::ApiStage {
                request, stage, ok, ..
            } => self.on_stage(ctx, *request, *stage, *ok),
            Message::EtcdResponse { id, result } => self.on_etcd(ctx, *id, result.clone()),
            Message::Timer { name } if name == COMPACTION_TIMER => self.compaction_tick(ctx),
            Message::Input {
                id,
                input: crate::sim::Input::Compact,
            } => self.forced_compaction(ctx, *id),
            Message::Timer { name } if name == BOOKMARK_TIMER => self.bookmarks(ctx),
            Message::Timer { name } if name.starts_with(PROBE_TIMER_PREFIX) => {
                self.probe_timed_out(ctx, name)
            }
            // A component's answer to a componentstatuses probe.
            Message::HttpResponse { id, response }
                if matches!(env.from, Addr::Scheduler | Addr::ControllerManager) =>
            {
                let name = if env.from == Addr::Scheduler {
                    "scheduler"
                } else {
                    "controller-manager"
                };
                let port = if env.from == Addr::Scheduler {
                    10259
                } else {
                    10257
                };
                let body = String::from_utf8_lossy(&response.body.to_bytes()).to_string();
                let outcome = componentstatus::http_outcome(port, Some((response.status, &body)));
                self.probe_answered(ctx, *id, name, outcome);
            }
            Message::HttpCancel { id } => {
                self.watchers.remove(&(env.from.clone(), *id));
            }
            // A kubelet's answer to a `pods/log` request relayed to it.
            Message::HttpResponse { id, response }
                if matches!(env.from, Addr::Kubelet(_)) && self.requests.contains_key(id) =>
            {
                let response = if response.status == 200 {
                    response.clone()
                } else {
                    // The kubelet's error text becomes the Status message.
                    let text = String::from_utf8_lossy(&response.body.to_bytes())
                        .trim()
                        .to_string();
                    errors::bad_request(text).response()
                };
                self.respond(ctx, *id, response);
            }
            _ => {}
        }
    }

    fn box_clone(&self) -> Box<dyn Actor> {
        Box::new(self.clone())
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}
