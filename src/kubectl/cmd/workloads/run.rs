//! `kubectl run`: a Pod from the `run-pod/v1` generator (`--image`, `--port`, `--labels`,
//! `--env`, `--restart`, `--command -- ...`), and with `--expose` a ClusterIP Service for it.
//! Attaching (`-i`, `-t`, `--attach`) needs a container's streams, which kubestep's simulated
//! containers do not have.

use serde_json::{json, Map, Value};

use crate::apiserver::request::encode_component;
use crate::kubectl::client::go_quote;
use crate::kubectl::cmd::{Command, Invocation, FILENAME};
use crate::kubectl::cmdutil::{self, check_err, DryRun, GoErr};
use crate::kubectl::flags::{bool_flag, flag, str_flag, Flag, Kind};
use crate::kubectl::io::{Fail, Io, Res};
use crate::kubectl::resource::JSON_ANY_ACCEPT;

use super::expose::{insert_namespace, parse_labels};
use super::overrides::apply_overrides;

const ARRAY: Kind = Kind::Many {
    split_commas: false,
};

const FLAGS: &[Flag] = &[
    flag("annotations", None, ARRAY),
    str_flag("image", None),
    str_flag("image-pull-policy", None),
    bool_flag("rm", None),
    flag("env", None, ARRAY),
    str_flag("port", None),
    str_flag("dry-run", None),
    str_flag("labels", Some('l')),
    bool_flag("stdin", Some('i')),
    bool_flag("tty", Some('t')),
    bool_flag("attach", None),
    bool_flag("leave-stdin-open", None),
    str_flag("restart", None),
    bool_flag("command", None),
    bool_flag("expose", None),
    bool_flag("quiet", Some('q')),
    bool_flag("privileged", None),
    bool_flag("save-config", None),
    str_flag("field-manager", None),
    str_flag("overrides", None),
    str_flag("override-type", None),
    str_flag("pod-running-timeout", None),
    str_flag("output", Some('o')),
    bool_flag("record", None),
    bool_flag("allow-missing-template-keys", None),
    bool_flag("show-managed-fields", None),
    str_flag("template", None),
    // Delete flags kubectl keeps (deprecated, unused) on run.
    FILENAME,
    bool_flag("recursive", Some('R')),
    str_flag("kustomize", Some('k')),
    bool_flag("force", None),
    flag("grace-period", None, Kind::Int),
    str_flag("timeout", None),
    bool_flag("wait", None),
    str_flag("cascade", None),
];

pub fn commands() -> Vec<Command> {
    vec![Command {
        path: "run",
        flags: FLAGS,
        run,
        help: include_str!("../../help/run.txt"),
    }]
}

fn usage_error(message: &str) -> Fail {
    Fail::raw(format!(
        "error: {message}\nSee 'kubectl run -h' for help and examples\n"
    ))
}

/// `[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*`: a path component of an image name.
fn path_component(s: &str) -> bool {
    let b = s.as_bytes();
    let alnum = |c: u8| c.is_ascii_lowercase() || c.is_ascii_digit();
    if b.is_empty() || !alnum(b[0]) || !alnum(b[b.len() - 1]) {
        return false;
    }
    let mut i = 0;
    while i < b.len() {
        if alnum(b[i]) {
            i += 1;
            continue;
        }
        // A separator: `.`, `_`, `__` or a run of `-`, between alphanumerics.
        let start = i;
        if b[i] == b'-' {
            while i < b.len() && b[i] == b'-' {
                i += 1;
            }
        } else if b[i] == b'_' && i + 1 < b.len() && b[i + 1] == b'_' {
            i += 2;
        } else if b[i] == b'.' || b[i] == b'_' {
            i += 1;
        } else {
            return false;
        }
        if i >= b.len() || !alnum(b[i]) || start == 0 {
            return false;
        }
    }
    true
}

/// A registry host: DNS labels separated by dots (or a bracketed IPv6), with an optional
/// port.
fn domain(s: &str) -> bool {
    let (host, port) = match s.rsplit_once(':') {
        Some((h, p)) if !h.ends_with(']') || s.starts_with('[') => (h, Some(p)),
        _ => (s, None),
    };
    if let Some(p) = port {
        if p.is_empty() || !p.chars().all(|c| c.is_ascii_digit()) {
            return false;
        }
    }
    if let Some(inner) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        return !inner.is_empty() && inner.chars().all(|c| c.is_ascii_hexdigit() || c == ':');
    }
    !host.is_empty()
        && host.split('.').all(|label| {
            let b = label.as_bytes();
            !b.is_empty()
                && b[0].is_ascii_alphanumeric()
                && b[b.len() - 1].is_ascii_alphanumeric()
                && b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'-')
        })
}

/// `reference.ReferenceRegexp`: `[domain/]path[:tag][@digest]`.
pub fn valid_image_reference(image: &str) -> bool {
    let (rest, digest) = match image.split_once('@') {
        Some((r, d)) => (r, Some(d)),
        None => (image, None),
    };
    if let Some(d) = digest {
        let Some((alg, hex)) = d.split_once(':') else {
            return false;
        };
        let alg_ok = alg.starts_with(|c: char| c.is_ascii_alphabetic())
            && alg
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_+.".contains(c));
        if !alg_ok || hex.len() < 32 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
            return false;
        }
    }
    // A tag is after the last `:` that follows the last `/`.
    let last_slash = rest.rfind('/').map_or(0, |i| i + 1);
    let (name, tag) = match rest[last_slash..].rfind(':') {
        Some(i) => (&rest[..last_slash + i], Some(&rest[last_slash + i + 1..])),
        None => (rest, None),
    };
    if let Some(t) = tag {
        let b = t.as_bytes();
        let word = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
        if b.is_empty()
            || b.len() > 128
            || !word(b[0])
            || !b.iter().all(|c| word(*c) || *c == b'.' || *c == b'-')
        {
            return false;
        }
    }
    let parts: Vec<&str> = name.split('/').collect();
    if parts.iter().all(|p| path_component(p)) {
        return true;
    }
    parts.len() > 1 && domain(parts[0]) && parts[1..].iter().all(|p| path_component(p))
}

/// `IsEnvVarName`.
fn env_name_ok(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with(|c: char| c.is_ascii_digit())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.')
        && name != "."
        && name != ".."
        && !name.starts_with("..")
}

/// `BasicPod.Generate`, in the typed Pod's field order.
fn generate_pod(
    inv: &Invocation,
    name: &str,
    args: &[String],
    restart: &str,
) -> Result<Value, GoErr> {
    let f = &inv.flags;
    let labels = match f.str("labels").filter(|l| !l.is_empty()) {
        Some(l) => {
            let parsed = parse_labels(l)?;
            let mut kv: Vec<(String, Value)> = parsed.into_iter().collect();
            kv.sort_by(|a, b| a.0.cmp(&b.0));
            Value::Object(kv.into_iter().collect())
        }
        None => json!({"run": name}),
    };
    let mut annotations: Vec<(String, Value)> = Vec::new();
    for a in f.many("annotations") {
        let Some((k, v)) = a.split_once('=') else {
            return Err(GoErr::msg(format!("invalid annotation spec: {a}")));
        };
        annotations.retain(|(key, _)| key != k);
        annotations.push((k.to_string(), json!(v)));
    }
    annotations.sort_by(|a, b| a.0.cmp(&b.0));
    let mut env = Vec::new();
    for e in f.many("env") {
        let (k, v) = e.split_once('=').unwrap_or((e.as_str(), ""));
        if !e.contains('=') || !env_name_ok(k) {
            return Err(GoErr::msg(format!("invalid env: {e}")));
        }
        env.push(json!({"name": k, "value": v}));
    }
    let port = match f.str("port").filter(|p| !p.is_empty()) {
        Some(p) => Some(p.parse::<i64>().map_err(|_| {
            GoErr::msg(format!(
                "strconv.Atoi: parsing {}: invalid syntax",
                go_quote(p)
            ))
        })?),
        None => None,
    };
    let stdin = f.bool("stdin");
    let mut c = Map::new();
    c.insert("name".into(), json!(name));
    c.insert("image".into(), json!(f.str_or("image", "")));
    if !args.is_empty() {
        let field = if f.bool("command") { "command" } else { "args" };
        c.insert(field.into(), json!(args));
    }
    if let Some(p) = port {
        c.insert("ports".into(), json!([{"containerPort": p}]));
    }
    if !env.is_empty() {
        c.insert("env".into(), Value::Array(env));
    }
    c.insert("resources".into(), json!({}));
    if let Some(policy) = f.str("image-pull-policy").filter(|p| !p.is_empty()) {
        c.insert("imagePullPolicy".into(), json!(policy));
    }
    if f.bool("privileged") {
        c.insert("securityContext".into(), json!({"privileged": true}));
    }
    if stdin {
        c.insert("stdin".into(), json!(true));
        if !f.bool("leave-stdin-open") {
            c.insert("stdinOnce".into(), json!(true));
        }
    }
    if f.bool("tty") {
        c.insert("tty".into(), json!(true));
    }
    let mut meta = Map::new();
    meta.insert("name".into(), json!(name));
    meta.insert("creationTimestamp".into(), Value::Null);
    meta.insert("labels".into(), labels);
    if !annotations.is_empty() {
        meta.insert(
            "annotations".into(),
            Value::Object(annotations.into_iter().collect()),
        );
    }
    Ok(json!({
        "kind": "Pod",
        "apiVersion": "v1",
        "metadata": Value::Object(meta),
        "spec": {
            "containers": [Value::Object(c)],
            "restartPolicy": restart,
            "dnsPolicy": "ClusterFirst",
        },
        "status": {},
    }))
}

/// The `service/v2` generator's Service for `--expose`.
fn generate_service(inv: &Invocation, name: &str) -> Result<Value, GoErr> {
    let f = &inv.flags;
    let labels = f.str("labels").filter(|l| !l.is_empty());
    let selector = match labels {
        Some(l) => l.to_string(),
        None => format!("run={name}"),
    };
    let port_text = f.str_or("port", "");
    let port: i64 = port_text.parse().map_err(|_| {
        GoErr::msg(format!(
            "strconv.Atoi: parsing {}: invalid syntax",
            go_quote(port_text)
        ))
    })?;
    let sorted = |m: Map<String, Value>| {
        let mut kv: Vec<(String, Value)> = m.into_iter().collect();
        kv.sort_by(|a, b| a.0.cmp(&b.0));
        Value::Object(kv.into_iter().collect())
    };
    let mut meta = Map::new();
    meta.insert("name".into(), json!(name));
    meta.insert("creationTimestamp".into(), Value::Null);
    if let Some(l) = labels {
        meta.insert("labels".into(), sorted(parse_labels(l)?));
    }
    Ok(json!({
        "kind": "Service",
        "apiVersion": "v1",
        "metadata": Value::Object(meta),
        "spec": {
            "ports": [{"protocol": "TCP", "port": port, "targetPort": port}],
            "selector": sorted(parse_labels(&selector)?),
        },
        "status": {"loadBalancer": {}},
    }))
}

/// Creates (or, with `--dry-run=client`, only shows) a generated object.
fn create(
    io: &mut Io<'_>,
    inv: &Invocation,
    dry: DryRun,
    mut obj: Value,
    plural: &str,
) -> Res<Result<Value, GoErr>> {
    if let Some(cause) = cmdutil::change_cause(inv, FLAGS) {
        cmdutil::record(&mut obj, &cause);
    }
    if dry == DryRun::Client {
        if inv.client.namespace_explicit {
            insert_namespace(&mut obj, &inv.client.namespace);
        }
        return Ok(Ok(obj));
    }
    if inv.flags.bool("save-config") {
        obj = cmdutil::with_last_applied(&obj);
    }
    let manager = inv.flags.str_or("field-manager", "kubectl-run");
    let path = format!(
        "/api/v1/namespaces/{}/{plural}?{}fieldManager={}",
        inv.client.namespace,
        dry.query(),
        encode_component(manager)
    );
    // client-go's JSON encoder ends the body with a newline.
    let body = format!(
        "{}\n",
        serde_json::to_string(&obj).expect("an object serialises")
    );
    let r = io.call(
        inv.client
            .request("POST", &path, JSON_ANY_ACCEPT)
            .header("Content-Type", "application/json")
            .body(body),
    )?;
    Ok(
        match r.body_json().filter(|_| (200..300).contains(&r.status)) {
            Some(created) => Ok((*created).clone()),
            None => Err(GoErr::from_response(&r)),
        },
    )
}

fn run(io: &mut Io<'_>, inv: &Invocation) -> Res<()> {
    let f = &inv.flags;
    if f.has("record") {
        io.print(cmdutil::RECORD_DEPRECATED);
    }
    if !f.has("image") {
        return Err(Fail::msg("required flag(s) \"image\" not set"));
    }
    let dry = DryRun::from_flag(f.str("dry-run")).map_err(check_err)?;
    let output = f.str("output").filter(|o| !o.is_empty());
    crate::kubectl::output::check_object_output(output)?;
    let args = inv.args();
    if args.is_empty() || f.after_dash == Some(0) {
        return Err(usage_error("NAME is required for run"));
    }
    let image = f.str_or("image", "");
    if image.is_empty() {
        return Err(Fail::msg("--image is required"));
    }
    if !valid_image_reference(image) {
        return Err(Fail::msg(format!(
            "Invalid image name {}: invalid reference format",
            go_quote(image)
        )));
    }
    let stdin = f.bool("stdin");
    if f.bool("tty") && !stdin {
        return Err(Fail::msg(
            "-i/--stdin is required for containers with -t/--tty=true",
        ));
    }
    if f.bool("expose") && f.str_or("port", "").is_empty() {
        return Err(inv.usage_error("--port must be set when exposing a service"));
    }
    let restart = match f.str("restart").filter(|r| !r.is_empty()) {
        None if stdin => "OnFailure",
        None => "Always",
        Some(r @ ("Always" | "OnFailure" | "Never")) => r,
        Some(other) => return Err(usage_error(&format!("invalid restart policy: {other}"))),
    };
    // `--attach` defaults to true with `-i`.
    let attach = if f.has("attach") {
        f.bool("attach")
    } else {
        stdin
    };
    if !attach && f.bool("rm") {
        return Err(Fail::msg(
            "--rm should only be used for attached containers",
        ));
    }
    if attach && dry != DryRun::None {
        return Err(usage_error(
            "--dry-run=[server|client] can't be used with attached containers options (--attach, --stdin, or --tty)",
        ));
    }
    if let Some(p) = f.str("image-pull-policy").filter(|p| !p.is_empty()) {
        if !matches!(p, "Always" | "IfNotPresent" | "Never") {
            return Err(Fail::msg(format!("invalid image pull policy: {p}")));
        }
    }
    if attach {
        return Err(Fail::msg(
            "kubestep's kubectl does not attach to containers (the simulated containers have no streams); run without -i/-t/--attach and read the output with \"kubectl logs\"",
        ));
    }
    let name = &args[0];
    let command = &args[1..];
    // The pod's kind maps through discovery (`mapper.RESTMapping`).
    inv.client.discover(io)?;
    let mut pod = generate_pod(inv, name, command, restart).map_err(check_err)?;
    if let Some(o) = f.str("overrides").filter(|o| !o.is_empty()) {
        pod = apply_overrides("Pod", &pod, o, f.str_or("override-type", "merge"))
            .map_err(check_err)?;
    }
    let pod = create(io, inv, dry, pod, "pods")?.map_err(check_err)?;
    let mut errors = Vec::new();
    let mut printer = cmdutil::ObjPrinter::new(output)
        .showing_managed_fields(inv.flags.bool("show-managed-fields"));
    if f.bool("expose") {
        match generate_service(inv, name) {
            Ok(service) => match create(io, inv, dry, service, "services")? {
                Ok(created) => {
                    let op = format!("created{}", dry.suffix());
                    printer.print(
                        io,
                        &cmdutil::kind_name(&with_kind(&created, "Service")),
                        &op,
                        &created,
                    )?;
                    if output == Some("yaml") {
                        io.print("---\n");
                    }
                }
                Err(e) => errors.push(e),
            },
            Err(e) => errors.push(e),
        }
    }
    let op = format!("created{}", dry.suffix());
    printer.print(io, &cmdutil::kind_name(&with_kind(&pod, "Pod")), &op, &pod)?;
    cmdutil::aggregate(errors).map_err(check_err)
}

/// An object with its `kind` and core `apiVersion` (a server answer has them; this keeps the
/// name printer right either way).
fn with_kind(obj: &Value, kind: &str) -> Value {
    let mut o = obj.clone();
    if o["kind"].is_null() {
        o["kind"] = json!(kind);
        o["apiVersion"] = json!("v1");
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_references_follow_the_distribution_grammar() {
        for ok in [
            "nginx",
            "nginx:1.27",
            "library/nginx:latest",
            "registry.k8s.io/pause:3.10",
            "localhost:5000/app",
            "my-reg.io/team/app_x:v1.2-rc",
            "busybox@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        ] {
            assert!(valid_image_reference(ok), "{ok}");
        }
        for bad in ["Bad Image", "NGINX", "nginx:", "app/-x", "a//b", ":tag"] {
            assert!(!valid_image_reference(bad), "{bad}");
        }
    }

    #[test]
    fn env_names_are_checked() {
        assert!(env_name_ok("MY_VAR.x-1"));
        assert!(!env_name_ok("1x"));
        assert!(!env_name_ok(""));
    }
}
