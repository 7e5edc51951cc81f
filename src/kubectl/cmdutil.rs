//! kubectl's `cmd/util` helpers the mutating commands share: Go-shaped errors and
//! `cmdutil.CheckErr` (how an error, a server `Status` or an aggregate of them is printed),
//! the `--dry-run` strategy, `KEY=VALUE`/`KEY-` argument pairs, and label selectors written
//! back as strings the way `labels.Selector.String()` does.

use std::sync::Arc;

use serde_json::Value;

use crate::apiserver::request::HttpResponse;

use super::client::status_message;
use super::io::Fail;

/// An error as a Go command carries it until `CheckErr` prints it.
#[derive(Clone, Debug, PartialEq)]
pub enum GoErr {
    /// An API `Status` answer (an `*errors.StatusError`), with the answer it came in.
    Status(Arc<HttpResponse>),
    /// `fmt.Errorf` text.
    Msg(String),
    /// `utilerrors.NewAggregate`.
    Aggregate(Vec<GoErr>),
}

impl GoErr {
    pub fn msg(text: impl Into<String>) -> GoErr {
        GoErr::Msg(text.into())
    }

    /// The error for a non-2xx answer.
    pub fn from_response(r: &HttpResponse) -> GoErr {
        GoErr::Status(Arc::new(r.clone()))
    }

    /// Go's `err.Error()`: a Status error is its message; an aggregate of one is that error,
    /// of several `[a, b]`.
    pub fn error(&self) -> String {
        match self {
            GoErr::Status(r) => status_of(r)
                .and_then(|s| s["message"].as_str().map(str::to_string))
                .unwrap_or_else(|| {
                    // client-go's text for an answer without a Status body.
                    let body = String::from_utf8_lossy(&r.body.to_bytes())
                        .trim()
                        .to_string();
                    if body.is_empty() {
                        "the server could not find the requested resource".to_string()
                    } else {
                        body
                    }
                }),
            GoErr::Msg(m) => m.clone(),
            GoErr::Aggregate(errs) => match errs.as_slice() {
                [] => String::new(),
                [one] => one.error(),
                many => format!(
                    "[{}]",
                    many.iter().map(GoErr::error).collect::<Vec<_>>().join(", ")
                ),
            },
        }
    }

    /// The Status `reason` of an API error (`NotFound`, `AlreadyExists`...).
    pub fn reason(&self) -> Option<String> {
        match self {
            GoErr::Status(r) => status_of(r).and_then(|s| s["reason"].as_str().map(str::to_string)),
            _ => None,
        }
    }

    pub fn is_not_found(&self) -> bool {
        matches!(self, GoErr::Status(r) if r.status == 404)
    }

    pub fn is_conflict(&self) -> bool {
        matches!(self, GoErr::Status(r) if r.status == 409)
            && self.reason().as_deref() == Some("Conflict")
    }
}

fn status_of(r: &HttpResponse) -> Option<Arc<Value>> {
    r.body_json().filter(|s| s["kind"] == "Status")
}

/// `utilerrors.NewAggregate`: no error for none, the aggregate otherwise.
pub fn aggregate(errs: Vec<GoErr>) -> Result<(), GoErr> {
    if errs.is_empty() {
        Ok(())
    } else {
        Err(GoErr::Aggregate(errs))
    }
}

/// What a `ContinueOnError` visit returns: a single error as it is, several as an aggregate.
pub fn continue_on_error(mut errs: Vec<GoErr>) -> Result<(), GoErr> {
    match errs.len() {
        0 => Ok(()),
        1 => Err(errs.remove(0)),
        _ => Err(GoErr::Aggregate(errs)),
    }
}

/// `StandardErrorMessage`, or the error's own text (`messageForError`).
fn message_for_error(err: &GoErr) -> String {
    match err {
        GoErr::Status(r) => status_message(r, "").trim_end_matches('\n').to_string(),
        other => other.error(),
    }
}

/// `cmdutil.CheckErr`: the text kubectl prints for an error, with exit code 1.
pub fn check_err(err: GoErr) -> Fail {
    // Aggregates of one are unwrapped first.
    let err = match err {
        GoErr::Aggregate(mut errs) if errs.len() == 1 => errs.remove(0),
        other => other,
    };
    let text = match &err {
        // Server errors, `Invalid` with its causes included, as `Error from server (...)`.
        GoErr::Status(r) => status_message(r, ""),
        GoErr::Aggregate(errs) => errs
            .iter()
            .map(|e| format!("{}\n", message_for_error(e)))
            .collect(),
        GoErr::Msg(m) => {
            if m.starts_with("error: ") {
                m.clone()
            } else {
                format!("error: {m}")
            }
        }
    };
    Fail::raw(if text.ends_with('\n') {
        text
    } else {
        text + "\n"
    })
}

impl From<GoErr> for Fail {
    fn from(e: GoErr) -> Fail {
        check_err(e)
    }
}

/// `--dry-run`: `none`, `client` or `server`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DryRun {
    None,
    Client,
    Server,
}

impl DryRun {
    /// `cmdutil.GetDryRunStrategy`.
    pub fn from_flag(value: Option<&str>) -> Result<DryRun, GoErr> {
        match value {
            None | Some("none") | Some("false") => Ok(DryRun::None),
            Some("client") => Ok(DryRun::Client),
            Some("server") => Ok(DryRun::Server),
            Some(other) => Err(GoErr::msg(format!(
                "Invalid dry-run value ({other}). Must be \"none\", \"server\", or \"client\"."
            ))),
        }
    }

    /// What the name printer adds to the operation (`PrintFlagsWithDryRunStrategy`).
    pub fn suffix(self) -> &'static str {
        match self {
            DryRun::None => "",
            DryRun::Client => " (dry run)",
            DryRun::Server => " (server dry run)",
        }
    }

    /// The `dryRun=All` query parameter a server dry run adds, with its separator.
    pub fn query(self) -> &'static str {
        if self == DryRun::Server {
            "dryRun=All&"
        } else {
            ""
        }
    }
}

/// `cmdutil.GetResourcesAndPairs`: arguments up to the first `KEY=VALUE` or `KEY-` are
/// resources, the rest pairs.
pub fn get_resources_and_pairs(
    args: &[String],
    pair_type: &str,
) -> Result<(Vec<String>, Vec<String>), GoErr> {
    let mut resources = Vec::new();
    let mut pairs = Vec::new();
    let mut found_pair = false;
    for s in args {
        let non_resource =
            (s.contains('=') && !s.starts_with('=')) || (s.ends_with('-') && s != "-");
        match (found_pair, non_resource) {
            (_, true) => {
                found_pair = true;
                pairs.push(s.clone());
            }
            (false, false) => resources.push(s.clone()),
            (true, false) => {
                return Err(GoErr::msg(format!(
                    "all resources must be specified before {pair_type} changes: {s}"
                )))
            }
        }
    }
    Ok((resources, pairs))
}

/// Go's `time.ParseDuration`, in milliseconds (`90s`, `1m30s`, `1.5h`, `0`), or pflag's error
/// text for a `--<flag>` duration.
pub fn parse_duration(flag: &str, text: &str) -> Result<u64, Fail> {
    let invalid = || {
        Fail::msg(format!(
            "invalid argument {} for \"--{flag}\" flag: time: invalid duration {}",
            quote(text),
            quote(text)
        ))
    };
    if text == "0" {
        return Ok(0);
    }
    let mut rest = text.strip_prefix('+').unwrap_or(text);
    if rest.is_empty() || rest.starts_with('-') {
        return Err(invalid());
    }
    let mut total = 0f64;
    while !rest.is_empty() {
        let num_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let (num, tail) = rest.split_at(num_len);
        let value: f64 = num.parse().map_err(|_| invalid())?;
        let unit_len = tail
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(tail.len());
        let (unit, tail) = tail.split_at(unit_len);
        let ms = match unit {
            "ns" => 1e-6,
            "us" | "µs" | "μs" => 1e-3,
            "ms" => 1.0,
            "s" => 1e3,
            "m" => 60e3,
            "h" => 3600e3,
            _ => return Err(invalid()),
        };
        total += value * ms;
        rest = tail;
    }
    Ok(total as u64)
}

/// `KEY=VALUE` pairs in the order given, and the `KEY-` removals.
pub type Pairs = (Vec<(String, String)>, Vec<String>);

/// `cmdutil.ParsePairs`: `KEY=VALUE` pairs (in the order given; later ones win) and, when
/// removal is supported, `KEY-` removals.
pub fn parse_pairs(
    pair_args: &[String],
    pair_type: &str,
    support_remove: bool,
) -> Result<Pairs, GoErr> {
    let mut new: Vec<(String, String)> = Vec::new();
    let mut remove = Vec::new();
    let mut invalid: Vec<&str> = Vec::new();
    for p in pair_args {
        if p.contains('=') && !p.starts_with('=') {
            let (k, v) = p.split_once('=').expect("contains =");
            new.retain(|(key, _)| key != k);
            new.push((k.to_string(), v.to_string()));
        } else if support_remove && p.ends_with('-') && p != "-" {
            remove.push(p[..p.len() - 1].to_string());
        } else {
            invalid.push(p);
        }
    }
    if !invalid.is_empty() {
        return Err(GoErr::msg(format!(
            "invalid {pair_type} format: {}",
            invalid.join(", ")
        )));
    }
    Ok((new, remove))
}

/// `metav1.LabelSelectorAsSelector(sel).String()`: requirements sorted by key, `k=v`,
/// `k in (a,b)`, `k notin (a,b)`, `k`, `!k`.
pub fn label_selector_string(selector: &Value) -> String {
    let mut reqs: Vec<(String, String)> = Vec::new();
    if let Some(m) = selector["matchLabels"].as_object() {
        for (k, v) in m {
            reqs.push((k.clone(), format!("{k}={}", v.as_str().unwrap_or_default())));
        }
    }
    for e in selector["matchExpressions"]
        .as_array()
        .into_iter()
        .flatten()
    {
        let key = e["key"].as_str().unwrap_or_default();
        let mut values: Vec<&str> = e["values"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        values.sort_unstable();
        values.dedup();
        let text = match e["operator"].as_str().unwrap_or_default() {
            "In" => format!("{key} in ({})", values.join(",")),
            "NotIn" => format!("{key} notin ({})", values.join(",")),
            "Exists" => key.to_string(),
            "DoesNotExist" => format!("!{key}"),
            _ => continue,
        };
        reqs.push((key.to_string(), text));
    }
    // Stable: requirements on one key keep their order.
    reqs.sort_by(|a, b| a.0.cmp(&b.0));
    reqs.into_iter()
        .map(|(_, t)| t)
        .collect::<Vec<_>>()
        .join(",")
}

/// `%q` of a Go string.
pub fn quote(s: &str) -> String {
    super::client::go_quote(s)
}

/// `json.Marshal` of a typed object: fields in the struct's order (the order the value holds
/// them), HTML characters and line separators escaped as Go escapes them.
pub fn go_marshal_ordered(v: &Value) -> String {
    // Inside JSON text these characters can only occur in strings, so replacing them
    // everywhere escapes exactly the ones Go escapes.
    serde_json::to_string(v)
        .expect("a value serialises")
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
        .replace('\u{2028}', "\\u2028")
        .replace('\u{2029}', "\\u2029")
}

pub const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";

/// `util.CreateOrUpdateAnnotation(true, obj, scheme.DefaultJSONEncoder())` for a typed
/// object (`--save-config`): the object encoded without the annotation, then stored in it.
pub fn with_last_applied(obj: &Value) -> Value {
    let mut bare = obj.clone();
    if let Some(meta) = bare["metadata"].as_object_mut() {
        if let Some(a) = meta.get_mut("annotations").and_then(Value::as_object_mut) {
            a.remove(LAST_APPLIED);
        }
        // A typed object drops an empty map (`omitempty`).
        if meta
            .get("annotations")
            .and_then(Value::as_object)
            .is_some_and(|a| a.is_empty())
        {
            meta.remove("annotations");
        }
    }
    let encoded = format!("{}\n", go_marshal_ordered(&bare));
    let mut out = bare;
    let Some(meta) = out["metadata"].as_object_mut() else {
        return out;
    };
    if !meta.contains_key("annotations") {
        // `annotations` follows `labels` (or the fields before it) in ObjectMeta.
        let mut rebuilt = serde_json::Map::new();
        let mut placed = false;
        let later = ["ownerReferences", "finalizers", "managedFields"];
        for (k, v) in std::mem::take(meta) {
            if !placed && later.contains(&k.as_str()) {
                rebuilt.insert("annotations".into(), Value::Object(Default::default()));
                placed = true;
            }
            rebuilt.insert(k, v);
        }
        if !placed {
            rebuilt.insert("annotations".into(), Value::Object(Default::default()));
        }
        *meta = rebuilt;
    }
    meta["annotations"][LAST_APPLIED] = Value::String(encoded);
    out
}

/// The annotation `--record` writes (and `rollout history` shows as CHANGE-CAUSE).
pub const CHANGE_CAUSE: &str = "kubernetes.io/change-cause";

/// What cobra prints when the deprecated `--record` is given.
pub const RECORD_DEPRECATED: &str =
    "Flag --record has been deprecated, --record will be removed in the future\n";

/// `RecordFlags`: with `--record`, the change cause — the command, its arguments, then every
/// flag given in the order given, as `--name=value` (`parseCommandArguments`).
pub fn change_cause(inv: &super::cmd::Invocation, flags: &[super::flags::Flag]) -> Option<String> {
    if !inv.flags.bool("record") {
        return None;
    }
    let mut cause = format!("kubectl {}", inv.path);
    for a in inv.args() {
        cause.push(' ');
        cause.push_str(a);
    }
    for name in &inv.flags.order {
        let kind = flags
            .iter()
            .chain(super::flags::GLOBAL.iter())
            .find(|f| f.name == *name)
            .map(|f| f.kind);
        let values = inv.flags.values.get(name).cloned().unwrap_or_default();
        let value = match kind {
            Some(super::flags::Kind::Many { .. }) => format!("[{}]", values.join(",")),
            _ => values.last().cloned().unwrap_or_default(),
        };
        cause.push_str(&format!(" --{name}={value}"));
    }
    Some(cause)
}

/// `ChangeCauseRecorder.Record`: the change cause set in the object's annotations.
pub fn record(obj: &mut Value, cause: &str) {
    if !obj["metadata"].is_object() {
        obj["metadata"] = Value::Object(Default::default());
    }
    if !obj["metadata"]["annotations"].is_object() {
        obj["metadata"]["annotations"] = Value::Object(Default::default());
    }
    obj["metadata"]["annotations"][CHANGE_CAUSE] = Value::String(cause.to_string());
}

/// `deployment.apps/web`: how the name printer names an object (`kind.group` lower-cased).
pub fn kind_name(obj: &Value) -> String {
    let api_version = obj["apiVersion"].as_str().unwrap_or_default();
    let kind = obj["kind"].as_str().unwrap_or_default().to_lowercase();
    let name = obj["metadata"]["name"].as_str().unwrap_or_default();
    match api_version.split_once('/') {
        Some((group, _)) => format!("{kind}.{group}/{name}"),
        None => format!("{kind}/{name}"),
    }
}

/// An object as a typed client decodes the server's answer: an embedded `ObjectMeta` without
/// a creation time (a pod template's) gets the zero `metav1.Time`, which the printers write as
/// `creationTimestamp: null`.
pub fn as_typed(obj: &Value) -> Value {
    let mut obj = obj.clone();
    for path in [
        "/spec/template/metadata",
        "/spec/jobTemplate/metadata",
        "/spec/jobTemplate/spec/template/metadata",
    ] {
        if let Some(m) = obj.pointer_mut(path).and_then(Value::as_object_mut) {
            m.entry("creationTimestamp").or_insert(Value::Null);
        }
    }
    obj
}

/// One command's printer: like Go's YAML printer it separates the objects it prints with
/// `---` (the JSON printer writes them one after another).
pub struct ObjPrinter<'a> {
    output: Option<&'a str>,
    printed: usize,
    /// `--show-managed-fields`: JSON and YAML keep metadata.managedFields.
    pub show_managed: bool,
}

impl<'a> ObjPrinter<'a> {
    pub fn new(output: Option<&'a str>) -> ObjPrinter<'a> {
        ObjPrinter {
            output,
            printed: 0,
            show_managed: false,
        }
    }

    /// The printer, keeping managedFields when the command's `--show-managed-fields` is set.
    pub fn showing_managed_fields(mut self, show: bool) -> ObjPrinter<'a> {
        self.show_managed = show;
        self
    }

    /// Prints one object as [`print_obj`] does.
    pub fn print(
        &mut self,
        io: &mut super::io::Io<'_>,
        kind_name: &str,
        operation: &str,
        obj: &Value,
    ) -> Result<(), Fail> {
        let text = print_obj(self.output, kind_name, operation, obj, self.show_managed)?;
        if self.output == Some("yaml") && self.printed > 0 {
            io.print("---\n");
        }
        self.printed += 1;
        io.print(text);
        Ok(())
    }
}

/// `PrintFlags.ToPrinter()` then `PrintObj`: without `-o`, the name printer with the
/// operation (`deployment.apps/web scaled`); `-o name` the name alone; other formats print
/// the object.
pub fn print_obj(
    output: Option<&str>,
    kind_name: &str,
    operation: &str,
    obj: &Value,
    show_managed: bool,
) -> Result<String, Fail> {
    match output {
        None | Some("") if !operation.is_empty() => Ok(format!("{kind_name} {operation}\n")),
        None | Some("") | Some("name") => Ok(format!("{kind_name}\n")),
        Some(format) => super::output::print_object_typed_managed(obj, format, show_managed),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn args(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_string).collect()
    }

    #[test]
    fn pairs_follow_the_resources() {
        let (r, p) = get_resources_and_pairs(&args("pod web a=b c-"), "label").unwrap();
        assert_eq!((r, p), (args("pod web"), args("a=b c-")));
        // `=x` is not a pair (it starts with `=`), so it is taken as a resource.
        let (r, _) = get_resources_and_pairs(&args("pod web =x"), "label").unwrap();
        assert_eq!(r, args("pod web =x"));
        assert_eq!(
            get_resources_and_pairs(&args("pod web a=b pod"), "label")
                .unwrap_err()
                .error(),
            "all resources must be specified before label changes: pod"
        );
    }

    #[test]
    fn pairs_parse_and_report_the_invalid_ones() {
        let (new, rm) = parse_pairs(&args("a=b c=d=e f-"), "annotation", true).unwrap();
        assert_eq!(
            new,
            vec![
                ("a".to_string(), "b".to_string()),
                ("c".to_string(), "d=e".to_string())
            ]
        );
        assert_eq!(rm, args("f"));
        assert_eq!(
            parse_pairs(&args("x y-"), "image", false)
                .unwrap_err()
                .error(),
            "invalid image format: x, y-"
        );
    }

    #[test]
    fn check_err_prints_like_kubectl() {
        assert_eq!(check_err(GoErr::msg("boom")), Fail::raw("error: boom\n"));
        assert_eq!(
            check_err(GoErr::Aggregate(vec![GoErr::msg("a"), GoErr::msg("b")])),
            Fail::raw("a\nb\n")
        );
        assert_eq!(
            check_err(GoErr::Aggregate(vec![GoErr::msg("error: x\n")])),
            Fail::raw("error: x\n")
        );
        let nf = HttpResponse::json(
            404,
            json!({"kind": "Status", "status": "Failure", "reason": "NotFound",
                   "message": "pods \"x\" not found", "code": 404}),
        );
        assert_eq!(
            check_err(GoErr::from_response(&nf)),
            Fail::raw("Error from server (NotFound): pods \"x\" not found\n")
        );
        assert_eq!(GoErr::from_response(&nf).error(), "pods \"x\" not found");
    }

    #[test]
    fn durations_parse_like_go() {
        assert_eq!(parse_duration("timeout", "90s").unwrap(), 90_000);
        assert_eq!(parse_duration("timeout", "1m30s").unwrap(), 90_000);
        assert_eq!(parse_duration("timeout", "1.5h").unwrap(), 5_400_000);
        assert_eq!(parse_duration("timeout", "0").unwrap(), 0);
        assert_eq!(
            parse_duration("timeout", "5").unwrap_err(),
            Fail::msg(
                "invalid argument \"5\" for \"--timeout\" flag: time: invalid duration \"5\""
            )
        );
    }

    #[test]
    fn selectors_print_sorted() {
        let s = json!({"matchLabels": {"b": "2", "a": "1"},
                       "matchExpressions": [{"key": "c", "operator": "In", "values": ["y", "x"]},
                                            {"key": "0", "operator": "DoesNotExist"}]});
        assert_eq!(label_selector_string(&s), "!0,a=1,b=2,c in (x,y)");
    }
}
