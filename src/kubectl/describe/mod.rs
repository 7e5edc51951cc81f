//! `kubectl describe`'s describers (k8s.io/kubectl/pkg/describe, 1.33): for each kind, the
//! requests the real describer makes (it fetches the object again, then what it shows beside
//! it: events, pods, replica sets, endpoint slices, the node lease) and the text it writes
//! through a `PrefixWriter` into a tabwriter. One file per kind; kinds without a describer get
//! the generic one, as in the real tool.

mod apps;
mod batch;
mod core;
mod generic;
mod node;
pub(crate) mod pod;
mod rbac;
mod service;

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::Value;

use crate::apiserver::defaulting::quantity::Quantity;
use crate::apiserver::printers::{human_duration, parse_rfc3339};
use crate::apiserver::request::encode_component;
use crate::sim::clock::EPOCH_UNIX_SECONDS;

use super::client::{status_message, Client};
use super::discovery::ApiResource;
use super::io::{Fail, Io, Res};
use crate::kubectl::printers::tabwriter::TabWriter;

/// `DescriberSettings`.
#[derive(Clone, Copy, Debug)]
pub struct Settings {
    pub show_events: bool,
    /// `--chunk-size`: the `limit` of list requests (0: no limit).
    pub chunk_size: i64,
}

/// What a describer works with: the REST client, the settings and the run's I/O.
pub struct Ctx<'c, 'io, 'a> {
    pub io: &'io mut Io<'a>,
    pub client: &'c Client,
    pub settings: Settings,
}

/// Describes one object the way `describer.Describe(namespace, name, settings)` does. A
/// `Fail::Error` is the describer's error (kubectl collects it and goes on with the next
/// object); `Pending` passes through.
pub fn describe(
    cx: &mut Ctx<'_, '_, '_>,
    resource: &ApiResource,
    namespace: &str,
    name: &str,
) -> Res<String> {
    let path = object_path(resource, namespace, name);
    match (resource.group.as_str(), resource.kind.as_str()) {
        ("", "Pod") => pod::describe(cx, &path, namespace, name),
        ("", "Node") => node::describe(cx, &path, name),
        ("", "Namespace") => core::describe_namespace(cx, &path, name),
        ("", "Service") => service::describe_service(cx, &path, namespace, name),
        ("", "Endpoints") => service::describe_endpoints(cx, &path),
        ("", "ConfigMap") => core::describe_configmap(cx, &path),
        ("", "Secret") => core::describe_secret(cx, &path),
        ("", "ServiceAccount") => core::describe_serviceaccount(cx, &path, namespace),
        ("", "LimitRange") => core::describe_limitrange(cx, &path),
        ("", "ResourceQuota") => core::describe_resourcequota(cx, &path),
        ("", "PersistentVolume") => core::describe_persistentvolume(cx, &path),
        ("", "PersistentVolumeClaim") => core::describe_pvc(cx, &path, namespace),
        ("discovery.k8s.io", "EndpointSlice") => service::describe_endpointslice(cx, &path),
        ("networking.k8s.io", "Ingress") => service::describe_ingress(cx, &path, namespace, name),
        ("apps", "Deployment") => apps::describe_deployment(cx, &path),
        ("apps", "ReplicaSet") => apps::describe_replicaset(cx, &path, namespace),
        ("apps", "DaemonSet") => apps::describe_daemonset(cx, &path, namespace),
        ("apps", "StatefulSet") => apps::describe_statefulset(cx, &path, namespace),
        ("batch", "Job") => batch::describe_job(cx, &path),
        ("batch", "CronJob") => batch::describe_cronjob(cx, &path),
        ("rbac.authorization.k8s.io", "Role" | "ClusterRole") => rbac::describe_role(cx, &path),
        ("rbac.authorization.k8s.io", "RoleBinding" | "ClusterRoleBinding") => {
            rbac::describe_binding(cx, &path)
        }
        ("scheduling.k8s.io", "PriorityClass") => core::describe_priorityclass(cx, &path),
        ("storage.k8s.io", "StorageClass") => core::describe_storageclass(cx, &path),
        _ => generic::describe(cx, &path),
    }
}

/// The object's URL; cluster-scoped kinds ignore the namespace.
pub fn object_path(resource: &ApiResource, namespace: &str, name: &str) -> String {
    if resource.namespaced {
        resource.object_path(namespace, name)
    } else {
        format!(
            "{}/{}",
            resource.collection_path(None),
            encode_component(name)
        )
    }
}

impl Ctx<'_, '_, '_> {
    /// A GET through the typed clientset the describers use (it asks for protobuf first);
    /// an error answer is the describer's error.
    pub fn get(&mut self, path: &str) -> Res<Arc<Value>> {
        self.get_as(path, "application/vnd.kubernetes.protobuf,application/json")
    }

    /// A GET through the dynamic client (JSON only), as the generic describer reads objects.
    pub fn get_dynamic(&mut self, path: &str) -> Res<Arc<Value>> {
        self.get_as(path, "application/json")
    }

    fn get_as(&mut self, path: &str, accept: &str) -> Res<Arc<Value>> {
        let r = self.io.call(self.client.request("GET", path, accept))?;
        if (200..300).contains(&r.status) {
            if let Some(v) = r.body_json() {
                return Ok(v);
            }
        }
        Err(Fail::raw(status_message(&r, "")))
    }

    /// A list in chunks (`runtimeresource.FollowContinue`): `limit` from `--chunk-size`,
    /// following `continue` tokens. Query parameters are in `url.Values` order (sorted).
    pub fn list(
        &mut self,
        collection: &str,
        label_selector: Option<&str>,
        field_selector: Option<&str>,
    ) -> Res<Vec<Value>> {
        let mut items = Vec::new();
        let mut cont: Option<String> = None;
        loop {
            let mut q = Vec::new();
            if let Some(c) = &cont {
                q.push(format!("continue={}", encode_component(c)));
            }
            if let Some(f) = field_selector {
                q.push(format!("fieldSelector={}", encode_component(f)));
            }
            if let Some(l) = label_selector {
                q.push(format!("labelSelector={}", encode_component(l)));
            }
            if self.settings.chunk_size > 0 {
                q.push(format!("limit={}", self.settings.chunk_size));
            }
            let path = if q.is_empty() {
                collection.to_string()
            } else {
                format!("{collection}?{}", q.join("&"))
            };
            let body = self.get(&path)?;
            items.extend(body["items"].as_array().into_iter().flatten().cloned());
            match body["metadata"]["continue"].as_str() {
                Some(c) if !c.is_empty() => cont = Some(c.to_string()),
                _ => return Ok(items),
            }
        }
    }

    /// `searchEvents`: the events whose involvedObject is `r`. Describers ignore its error
    /// and show what they got (an empty list).
    pub fn events(&mut self, r: &EventRef) -> Res<Vec<Value>> {
        match self.events_or_error(r) {
            Ok(v) => Ok(v),
            Err(Fail::Error { .. }) => Ok(Vec::new()),
            Err(e) => Err(e),
        }
    }

    pub fn events_or_error(&mut self, r: &EventRef) -> Res<Vec<Value>> {
        let collection = if r.namespace.is_empty() {
            "/api/v1/events".to_string()
        } else {
            format!("/api/v1/namespaces/{}/events", r.namespace)
        };
        let selector = r.field_selector();
        self.list(&collection, None, Some(&selector))
    }

    /// The events of `obj` when `--show-events` is on (`None` prints no Events section).
    pub fn events_of(&mut self, obj: &Value) -> Res<Option<Vec<Value>>> {
        if !self.settings.show_events {
            return Ok(None);
        }
        Ok(Some(self.events(&EventRef::of(obj))?))
    }

    /// The simulated time now, when the describer formats its text.
    pub fn now_ms(&self) -> i64 {
        (EPOCH_UNIX_SECONDS * 1000 + self.io.now().as_millis()) as i64
    }
}

/// `reference.GetReference`: what `searchEvents` selects on.
#[derive(Clone, Debug)]
pub struct EventRef {
    pub kind: Option<String>,
    pub name: String,
    pub namespace: String,
    pub uid: Option<String>,
}

impl EventRef {
    pub fn of(obj: &Value) -> EventRef {
        let m = &obj["metadata"];
        EventRef {
            kind: obj["kind"]
                .as_str()
                .filter(|k| !k.is_empty())
                .map(str::to_string),
            name: str_of(&m["name"]).to_string(),
            namespace: str_of(&m["namespace"]).to_string(),
            uid: m["uid"]
                .as_str()
                .filter(|u| !u.is_empty())
                .map(str::to_string),
        }
    }

    /// `GetFieldSelector(name, namespace, kind, uid)`. The real client builds it from a Go map,
    /// so its order changes from run to run; kubestep sorts the terms, one of those orders.
    pub fn field_selector(&self) -> String {
        let mut terms = BTreeMap::new();
        if let Some(k) = &self.kind {
            terms.insert("involvedObject.kind", k.clone());
        }
        terms.insert("involvedObject.name", self.name.clone());
        terms.insert("involvedObject.namespace", self.namespace.clone());
        if let Some(u) = &self.uid {
            terms.insert("involvedObject.uid", u.clone());
        }
        terms
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(",")
    }
}

/// Indentation levels: two spaces each.
pub const LEVEL_0: usize = 0;
pub const LEVEL_1: usize = 1;
pub const LEVEL_2: usize = 2;
pub const LEVEL_3: usize = 3;

/// `PrefixWriter` over the tabwriter of `tabbedString` (`Init(buf, 0, 8, 2, ' ', 0)`), or
/// straight over a buffer (`raw`), with `printers.WriteEscaped`'s terminal escaping. `indent`
/// makes it a `nestedPrefixWriter`.
pub struct PrefixWriter {
    /// `None`: no tabwriter, the tabs stay in the text.
    tw: Option<TabWriter>,
    raw: String,
    indent: usize,
}

impl Default for PrefixWriter {
    fn default() -> Self {
        PrefixWriter::new()
    }
}

impl PrefixWriter {
    pub fn new() -> PrefixWriter {
        PrefixWriter {
            tw: Some(TabWriter::new(0, 8, 2, b' ', 0)),
            raw: String::new(),
            indent: 0,
        }
    }

    /// `NewPrefixWriter(buf)` over a plain buffer, as `rollout history --revision` and `rollout
    /// undo --dry-run` print a pod template.
    pub fn raw() -> PrefixWriter {
        PrefixWriter {
            tw: None,
            raw: String::new(),
            indent: 0,
        }
    }

    fn emit(&mut self, text: &str) {
        let text = escape_terminal(text);
        match &mut self.tw {
            Some(tw) => tw.write(&text),
            None => self.raw.push_str(&text),
        }
    }

    /// `Write(level, format, args...)` with the text already formatted.
    pub fn write(&mut self, level: usize, text: &str) {
        let prefix = "  ".repeat(level + self.indent);
        self.emit(&format!("{prefix}{text}"));
    }

    /// `WriteLine(a...)`: the text and a newline, without indentation (nested writers indent).
    pub fn write_line(&mut self, text: &str) {
        let prefix = "  ".repeat(self.indent);
        self.emit(&format!("{prefix}{text}\n"));
    }

    pub fn flush(&mut self) {
        if let Some(tw) = &mut self.tw {
            tw.flush();
        }
    }

    /// Runs `f` with the levels shifted by `indent` (`NewNestedPrefixWriter`).
    pub fn nested(&mut self, indent: usize, f: impl FnOnce(&mut PrefixWriter)) {
        self.indent += indent;
        f(self);
        self.indent -= indent;
    }

    pub fn finish(mut self) -> String {
        match &mut self.tw {
            Some(tw) => {
                tw.flush();
                tw.take_output()
            }
            None => self.raw,
        }
    }
}

/// `printers.EscapeTerminal`: ESC and CR are shown, not obeyed.
fn escape_terminal(s: &str) -> String {
    if !s.contains(['\u{1b}', '\r']) {
        return s.to_string();
    }
    s.replace('\u{1b}', "^[").replace('\r', "\\r")
}

// ---- JSON access -------------------------------------------------------------------------

pub fn str_of(v: &Value) -> &str {
    v.as_str().unwrap_or("")
}

/// Go's `%v` of a JSON scalar as the typed field would print (`0` for a missing integer).
pub fn int_of(v: &Value) -> i64 {
    v.as_i64().unwrap_or(0)
}

pub fn bool_of(v: &Value) -> bool {
    v.as_bool().unwrap_or(false)
}

pub fn arr(v: &Value) -> &[Value] {
    v.as_array().map(Vec::as_slice).unwrap_or(&[])
}

/// A `map[string]string` field, sorted by key.
pub fn string_map(v: &Value) -> BTreeMap<String, String> {
    v.as_object()
        .into_iter()
        .flatten()
        .map(|(k, v)| (k.clone(), str_of(v).to_string()))
        .collect()
}

/// A `ResourceList`, sorted by name.
pub fn resource_list(v: &Value) -> BTreeMap<String, Quantity> {
    v.as_object()
        .into_iter()
        .flatten()
        .filter_map(|(k, v)| {
            crate::apiserver::defaulting::quantity::from_json(v).map(|q| (k.clone(), q))
        })
        .collect()
}

/// `Quantity.String()`.
pub fn qty(q: &Quantity) -> String {
    q.canonical()
}

/// `Quantity.Value()`: whole units, rounded up.
pub fn qty_value(q: &Quantity) -> i128 {
    let n = 1_000_000_000i128;
    let v = q.nanos / n;
    if q.nanos % n > 0 {
        v + 1
    } else {
        v
    }
}

/// `IntOrString.String()`.
pub fn int_or_string(v: &Value) -> String {
    match v {
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.clone(),
        _ => "<nil>".to_string(),
    }
}

// ---- time --------------------------------------------------------------------------------

/// Milliseconds since the Unix epoch of an RFC 3339 time (with or without a fraction).
pub fn time_ms(ts: &str) -> Option<i64> {
    let secs = parse_rfc3339(ts)?;
    let frac = ts
        .get(19..)
        .and_then(|r| r.strip_prefix('.'))
        .map(|r| r.trim_end_matches(|c: char| !c.is_ascii_digit()))
        .unwrap_or("");
    let ms = format!("{frac:0<3}")
        .get(..3)
        .and_then(|d| d.parse::<i64>().ok())
        .unwrap_or(0);
    Some(secs * 1000 + ms)
}

/// `translateTimestampSince` at `now_ms`: `<unknown>` for a zero time.
pub fn since(ts: &Value, now_ms: i64) -> String {
    match ts.as_str().and_then(time_ms) {
        // Go truncates the duration towards zero at each step.
        Some(t) => human_duration((now_ms - t) / 1000),
        None => "<unknown>".to_string(),
    }
}

const WEEKDAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// `t.Format(time.RFC1123Z)` (`Thu, 01 Jan 2026 00:00:05 +0000`), in UTC as kubestep's clock
/// is; a missing time is Go's zero time.
pub fn rfc1123z(ts: &Value) -> String {
    let Some(secs) = ts.as_str().and_then(parse_rfc3339) else {
        return "Mon, 01 Jan 0001 00:00:00 +0000".to_string();
    };
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let weekday = WEEKDAYS[days.rem_euclid(7) as usize];
    // civil_from_days (Howard Hinnant).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{weekday}, {day:02} {} {year:04} {:02}:{:02}:{:02} +0000",
        MONTHS[(month - 1) as usize],
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

// ---- shared printers ---------------------------------------------------------------------

/// `printLabelsMultiline`.
pub fn print_labels_multiline(w: &mut PrefixWriter, title: &str, labels: &Value) {
    print_labels_multiline_with_indent(w, "", title, "\t", labels);
}

/// `printLabelsMultilineWithIndent` (nothing skipped).
pub fn print_labels_multiline_with_indent(
    w: &mut PrefixWriter,
    initial_indent: &str,
    title: &str,
    inner_indent: &str,
    labels: &Value,
) {
    w.write(LEVEL_0, &format!("{initial_indent}{title}:{inner_indent}"));
    let labels = string_map(labels);
    if labels.is_empty() {
        w.write_line("<none>");
        return;
    }
    for (i, (k, v)) in labels.iter().enumerate() {
        if i != 0 {
            w.write(LEVEL_0, initial_indent);
            w.write(LEVEL_0, inner_indent);
        }
        w.write(LEVEL_0, &format!("{k}={v}\n"));
    }
}

const MAX_ANNOTATION_LEN: usize = 140;
const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";

/// `printAnnotationsMultiline`: long or multi-line values go on their own indented lines,
/// shortened to 140 bytes; the last-applied configuration is never shown.
pub fn print_annotations_multiline(w: &mut PrefixWriter, title: &str, annotations: &Value) {
    w.write(LEVEL_0, &format!("{title}:\t"));
    let annotations: Vec<(String, String)> = string_map(annotations)
        .into_iter()
        .filter(|(k, _)| k != LAST_APPLIED)
        .collect();
    if annotations.is_empty() {
        w.write_line("<none>");
        return;
    }
    let indent = "\t";
    for (i, (key, value)) in annotations.iter().enumerate() {
        if i != 0 {
            w.write(LEVEL_0, indent);
        }
        let value = value.strip_suffix('\n').unwrap_or(value);
        if value.len() + key.len() + 2 > MAX_ANNOTATION_LEN || value.contains('\n') {
            w.write(LEVEL_0, &format!("{key}:\n"));
            for s in value.split('\n') {
                w.write(
                    LEVEL_0,
                    &format!("{indent}  {}\n", shorten(s, MAX_ANNOTATION_LEN - 2)),
                );
            }
        } else {
            w.write(LEVEL_0, &format!("{key}: {value}\n"));
        }
    }
}

fn shorten(s: &str, max: usize) -> String {
    if s.len() > max {
        let mut cut = max;
        while !s.is_char_boundary(cut) {
            cut -= 1;
        }
        format!("{}...", &s[..cut])
    } else {
        s.to_string()
    }
}

/// `printTaintsMultilineWithIndent`: sorted by effect, then key.
pub fn print_taints_multiline(w: &mut PrefixWriter, title: &str, taints: &Value) {
    w.write(LEVEL_0, &format!("{title}:\t"));
    let mut taints: Vec<&Value> = arr(taints).iter().collect();
    if taints.is_empty() {
        w.write_line("<none>");
        return;
    }
    let key = |t: &Value| format!("{},{}", str_of(&t["effect"]), str_of(&t["key"]));
    taints.sort_by_key(|t| key(t));
    for (i, t) in taints.iter().enumerate() {
        if i != 0 {
            w.write(LEVEL_0, "\t");
        }
        w.write(LEVEL_0, &format!("{}\n", taint_string(t)));
    }
}

/// `Taint.ToString()`.
pub fn taint_string(t: &Value) -> String {
    let (k, v, e) = (str_of(&t["key"]), str_of(&t["value"]), str_of(&t["effect"]));
    match (v.is_empty(), e.is_empty()) {
        (true, true) => k.to_string(),
        (false, true) => format!("{k}={v}:"),
        (true, false) => format!("{k}:{e}"),
        (false, false) => format!("{k}={v}:{e}"),
    }
}

/// `printTolerationsMultilineWithIndent`: sorted by key.
pub fn print_tolerations_multiline(w: &mut PrefixWriter, title: &str, tolerations: &Value) {
    w.write(LEVEL_0, &format!("{title}:\t"));
    let mut tolerations: Vec<&Value> = arr(tolerations).iter().collect();
    if tolerations.is_empty() {
        w.write_line("<none>");
        return;
    }
    tolerations.sort_by(|a, b| str_of(&a["key"]).cmp(str_of(&b["key"])));
    for (i, t) in tolerations.iter().enumerate() {
        if i != 0 {
            w.write(LEVEL_0, "\t");
        }
        let (key, value, effect) = (str_of(&t["key"]), str_of(&t["value"]), str_of(&t["effect"]));
        w.write(LEVEL_0, key);
        if !value.is_empty() {
            w.write(LEVEL_0, &format!("={value}"));
        }
        if !effect.is_empty() {
            w.write(LEVEL_0, &format!(":{effect}"));
        }
        // `operator: Exists` without a value tolerates everything.
        if str_of(&t["operator"]) == "Exists" && value.is_empty() {
            if !key.is_empty() || !effect.is_empty() {
                w.write(LEVEL_0, " op=Exists");
            } else {
                w.write(LEVEL_0, "op=Exists");
            }
        }
        if let Some(s) = t["tolerationSeconds"].as_i64() {
            w.write(LEVEL_0, &format!(" for {s}s"));
        }
        w.write(LEVEL_0, "\n");
    }
}

/// `printController`: `Kind/name` of the controller owner reference.
pub fn controlled_by(obj: &Value) -> Option<String> {
    arr(&obj["metadata"]["ownerReferences"])
        .iter()
        .find(|r| bool_of(&r["controller"]))
        .map(|r| format!("{}/{}", str_of(&r["kind"]), str_of(&r["name"])))
}

/// `metav1.IsControlledBy`.
pub fn is_controlled_by(obj: &Value, owner: &Value) -> bool {
    let uid = str_of(&owner["metadata"]["uid"]);
    arr(&obj["metadata"]["ownerReferences"])
        .iter()
        .any(|r| bool_of(&r["controller"]) && str_of(&r["uid"]) == uid)
}

/// `DescribeEvents`: `<none>`, or a table sorted by time, after a flush so it aligns alone.
pub fn describe_events(w: &mut PrefixWriter, events: &[Value], now_ms: i64) {
    if events.is_empty() {
        w.write(LEVEL_0, "Events:\t<none>\n");
        return;
    }
    w.flush();
    let mut events: Vec<&Value> = events.iter().collect();
    // `sort.Sort(SortableEvents)`; a stable sort keeps the server's order for equal times.
    events.sort_by_key(|e| event_time(e));
    w.write(LEVEL_0, "Events:\n  Type\tReason\tAge\tFrom\tMessage\n");
    w.write(LEVEL_1, "----\t------\t----\t----\t-------\n");
    for e in events {
        let event_time = &e["eventTime"];
        let first = if event_time.as_str().is_some_and(|s| !s.is_empty()) {
            since(event_time, now_ms)
        } else {
            since(&e["firstTimestamp"], now_ms)
        };
        let count = int_of(&e["count"]);
        let interval = if e["series"].is_object() {
            format!(
                "{} (x{} over {first})",
                since(&e["series"]["lastObservedTime"], now_ms),
                int_of(&e["series"]["count"])
            )
        } else if count > 1 {
            format!(
                "{} (x{count} over {first})",
                since(&e["lastTimestamp"], now_ms)
            )
        } else {
            first
        };
        let mut source = str_of(&e["source"]["component"]);
        if source.is_empty() {
            source = str_of(&e["reportingComponent"]);
        }
        w.write(
            LEVEL_1,
            &format!(
                "{}\t{}\t{interval}\t{source}\t{}\n",
                str_of(&e["type"]),
                str_of(&e["reason"]),
                str_of(&e["message"]).trim()
            ),
        );
    }
}

/// `eventTime` of `SortableEvents`: the series' last observation, the last timestamp, or the
/// event time (milliseconds; a missing time sorts first, as Go's zero time does).
fn event_time(e: &Value) -> i64 {
    let t = if e["series"].is_object() {
        &e["series"]["lastObservedTime"]
    } else if e["lastTimestamp"].as_str().is_some_and(|s| !s.is_empty()) {
        &e["lastTimestamp"]
    } else {
        &e["eventTime"]
    };
    t.as_str().and_then(time_ms).unwrap_or(i64::MIN)
}

/// `labels.FormatLabels`: `k=v,k2=v2` sorted, `<none>` when empty.
pub fn format_labels(m: &Value) -> String {
    let m = string_map(m);
    if m.is_empty() {
        return "<none>".to_string();
    }
    m.iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(",")
}

/// `metav1.LabelSelectorAsSelector(sel).String()`: requirements sorted by key, `In` values
/// sorted; a missing or empty selector prints as `""`.
pub fn label_selector_string(sel: &Value) -> String {
    let mut reqs: Vec<(String, String)> = Vec::new();
    for (k, v) in string_map(&sel["matchLabels"]) {
        reqs.push((k.clone(), format!("{k}={v}")));
    }
    for e in arr(&sel["matchExpressions"]) {
        let key = str_of(&e["key"]);
        let mut values: Vec<&str> = arr(&e["values"]).iter().map(str_of).collect();
        values.sort();
        let text = match str_of(&e["operator"]) {
            "In" => format!("{key} in ({})", values.join(",")),
            "NotIn" => format!("{key} notin ({})", values.join(",")),
            "Exists" => key.to_string(),
            "DoesNotExist" => format!("!{key}"),
            _ => continue,
        };
        reqs.push((key.to_string(), text));
    }
    reqs.sort_by(|a, b| a.0.cmp(&b.0));
    reqs.into_iter()
        .map(|(_, t)| t)
        .collect::<Vec<_>>()
        .join(",")
}

/// `metav1.FormatLabelSelector`: `<none>` when it selects everything.
pub fn format_label_selector(sel: &Value) -> String {
    let s = label_selector_string(sel);
    if s.is_empty() {
        "<none>".to_string()
    } else {
        s
    }
}

/// `getPodStatusForController`: the phases of the pods `selector` matches that `owner`
/// controls.
pub fn pod_status_for_controller(
    cx: &mut Ctx<'_, '_, '_>,
    namespace: &str,
    selector: &str,
    owner: &Value,
) -> Res<(usize, usize, usize, usize)> {
    let pods = cx.list(
        &format!("/api/v1/namespaces/{namespace}/pods"),
        Some(selector),
        None,
    )?;
    let (mut running, mut waiting, mut succeeded, mut failed) = (0, 0, 0, 0);
    let uid = str_of(&owner["metadata"]["uid"]);
    for p in &pods {
        let controller = arr(&p["metadata"]["ownerReferences"])
            .iter()
            .find(|r| bool_of(&r["controller"]));
        if controller.is_none_or(|r| str_of(&r["uid"]) != uid) {
            continue;
        }
        match str_of(&p["status"]["phase"]) {
            "Running" => running += 1,
            "Pending" => waiting += 1,
            "Succeeded" => succeeded += 1,
            "Failed" => failed += 1,
            _ => {}
        }
    }
    Ok((running, waiting, succeeded, failed))
}

/// A list selector as a query value: `labelSelector` is omitted when it is empty.
fn non_empty(s: &str) -> Option<&str> {
    (!s.is_empty()).then_some(s)
}

/// `printBool`.
pub fn print_bool(b: bool) -> &'static str {
    if b {
        "True"
    } else {
        "False"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn written(f: impl FnOnce(&mut PrefixWriter)) -> String {
        let mut w = PrefixWriter::new();
        f(&mut w);
        w.finish()
    }

    #[test]
    fn labels_and_annotations_print_one_per_line_aligned() {
        let out = written(|w| {
            w.write(LEVEL_0, "Name:\tweb\n");
            print_labels_multiline(w, "Labels", &json!({"tier": "fe", "app": "web"}));
            print_annotations_multiline(
                w,
                "Annotations",
                &json!({LAST_APPLIED: "{}", "note": "x"}),
            );
            print_labels_multiline(w, "Node-Selectors", &json!(null));
        });
        assert_eq!(
            out,
            "Name:            web\nLabels:          app=web\n                 tier=fe\nAnnotations:     note: x\nNode-Selectors:  <none>\n"
        );
    }

    #[test]
    fn long_annotations_wrap_and_shorten() {
        let long = "v".repeat(200);
        let out = written(|w| print_annotations_multiline(w, "Annotations", &json!({"k": long})));
        assert_eq!(
            out,
            format!("Annotations:  k:\n                {}...\n", "v".repeat(138))
        );
    }

    #[test]
    fn tolerations_and_taints_read_like_kubectl() {
        let out = written(|w| {
            print_tolerations_multiline(
                w,
                "Tolerations",
                &json!([
                    {"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300},
                    {"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300},
                    {"operator": "Exists"}
                ]),
            );
            print_taints_multiline(
                w,
                "Taints",
                &json!([{"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"}]),
            );
        });
        assert_eq!(
            out,
            "Tolerations:  op=Exists\n              node.kubernetes.io/not-ready:NoExecute op=Exists for 300s\n              node.kubernetes.io/unreachable:NoExecute op=Exists for 300s\nTaints:       node-role.kubernetes.io/control-plane:NoSchedule\n"
        );
    }

    #[test]
    fn events_show_ages_counts_and_sources() {
        let t0 = "2026-01-01T00:00:00Z";
        let now = (EPOCH_UNIX_SECONDS as i64) * 1000 + 125_000;
        let events = vec![
            json!({"type": "Normal", "reason": "Pulled", "message": " ok \n", "count": 3,
                   "firstTimestamp": t0, "lastTimestamp": "2026-01-01T00:01:55Z",
                   "source": {"component": "kubelet"}}),
            json!({"type": "Normal", "reason": "Scheduled", "message": "m",
                   "eventTime": "2026-01-01T00:00:00.500000Z",
                   "reportingComponent": "default-scheduler"}),
            json!({"type": "Warning", "reason": "Future", "message": "f",
                   "firstTimestamp": "2026-01-01T00:05:00Z", "lastTimestamp": "2026-01-01T00:05:00Z"}),
        ];
        let out = written(|w| describe_events(w, &events, now));
        assert_eq!(
            out,
            "Events:\n  Type     Reason     Age                 From               Message\n  ----     ------     ----                ----               -------\n  Normal   Scheduled  2m4s                default-scheduler  m\n  Normal   Pulled     10s (x3 over 2m5s)  kubelet            ok\n  Warning  Future     <invalid>                              f\n"
        );
        assert_eq!(
            written(|w| describe_events(w, &[], now)),
            "Events:  <none>\n"
        );
    }

    #[test]
    fn selectors_and_times_format_like_go() {
        let sel = json!({"matchLabels": {"app": "web"}, "matchExpressions": [
            {"key": "env", "operator": "In", "values": ["prod", "dev"]},
            {"key": "zz", "operator": "DoesNotExist"}]});
        assert_eq!(label_selector_string(&sel), "app=web,env in (dev,prod),!zz");
        assert_eq!(format_label_selector(&json!({})), "<none>");
        assert_eq!(
            rfc1123z(&json!("2026-01-01T00:00:05Z")),
            "Thu, 01 Jan 2026 00:00:05 +0000"
        );
        assert_eq!(
            rfc1123z(&json!("2026-03-15T13:04:05Z")),
            "Sun, 15 Mar 2026 13:04:05 +0000"
        );
        assert_eq!(rfc1123z(&Value::Null), "Mon, 01 Jan 0001 00:00:00 +0000");
        let r = EventRef {
            kind: Some("Deployment".into()),
            name: "web".into(),
            namespace: "default".into(),
            uid: Some("u-1".into()),
        };
        assert_eq!(
            r.field_selector(),
            "involvedObject.kind=Deployment,involvedObject.name=web,involvedObject.namespace=default,involvedObject.uid=u-1"
        );
    }
}
