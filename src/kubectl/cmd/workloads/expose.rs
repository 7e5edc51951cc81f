//! `kubectl expose`: a Service for a Deployment, ReplicaSet, Pod, Service or
//! ReplicationController, with the exposed object's selector, ports, protocols and labels
//! unless the flags give them; created with a POST of the unstructured object.

use serde_json::{json, Map, Value};

use crate::apiserver::request::encode_component;
use crate::golang::json::marshal as go_json_marshal;
use crate::kubectl::cmd::{Command, Invocation, FILENAME};
use crate::kubectl::cmdutil::{self, check_err, DryRun, GoErr};
use crate::kubectl::flags::{bool_flag, str_flag, Flag};
use crate::kubectl::io::{Io, Res};
use crate::kubectl::polymorphichelpers::expose::{
    can_be_exposed, make_labels, map_based_selector, ports_for_object,
};
use crate::kubectl::resource::{self, Builder, Info, JSON_ANY_ACCEPT};

use super::overrides::apply_overrides;

const FLAGS: &[Flag] = &[
    FILENAME,
    bool_flag("recursive", Some('R')),
    str_flag("kustomize", Some('k')),
    str_flag("protocol", None),
    str_flag("port", None),
    str_flag("type", None),
    str_flag("load-balancer-ip", None),
    str_flag("selector", None),
    str_flag("labels", Some('l')),
    str_flag("container-port", None),
    str_flag("target-port", None),
    str_flag("external-ip", None),
    str_flag("name", None),
    str_flag("session-affinity", None),
    str_flag("cluster-ip", None),
    str_flag("field-manager", None),
    str_flag("overrides", None),
    str_flag("override-type", None),
    str_flag("dry-run", None),
    bool_flag("save-config", None),
    str_flag("output", Some('o')),
    bool_flag("record", None),
    bool_flag("allow-missing-template-keys", None),
    bool_flag("show-managed-fields", None),
    str_flag("template", None),
];

pub fn commands() -> Vec<Command> {
    vec![Command {
        path: "expose",
        flags: FLAGS,
        run,
        help: include_str!("../../help/expose.txt"),
    }]
}

/// `generate.ParseLabels`: `k=v,k2=v2` in the order given.
pub fn parse_labels(spec: &str) -> Result<Map<String, Value>, GoErr> {
    let mut out = Map::new();
    for pair in spec.split(',') {
        let parts: Vec<&str> = pair.split('=').collect();
        if parts.len() != 2 || parts[0].is_empty() {
            return Err(GoErr::msg(format!("unexpected label spec: {pair}")));
        }
        out.insert(parts[0].to_string(), Value::String(parts[1].to_string()));
    }
    Ok(out)
}

/// A map with its keys sorted (Go marshals maps so).
fn sorted(m: Map<String, Value>) -> Value {
    let mut kv: Vec<(String, Value)> = m.into_iter().collect();
    kv.sort_by(|a, b| a.0.cmp(&b.0));
    Value::Object(kv.into_iter().collect())
}

/// `strconv.Atoi` with Go's error text.
fn atoi(s: &str) -> Result<i64, GoErr> {
    s.parse::<i64>().map_err(|_| {
        let why = if !s.is_empty()
            && s.trim_start_matches(['-', '+'])
                .chars()
                .all(|c| c.is_ascii_digit())
            && !s.trim_start_matches(['-', '+']).is_empty()
        {
            "value out of range"
        } else {
            "invalid syntax"
        };
        GoErr::msg(format!(
            "strconv.Atoi: parsing {}: {why}",
            cmdutil::quote(s)
        ))
    })
}

/// The Service `expose` generates for one object, in the typed Service's field order.
fn generate(inv: &Invocation, info: &Info) -> Result<Value, GoErr> {
    let f = &inv.flags;
    let (group, kind) = (info.resource.group.as_str(), info.resource.kind.as_str());
    can_be_exposed(group, kind).map_err(GoErr::msg)?;
    let obj = &info.object;
    // The object's name, cut to a DNS-1035 label's 63 characters.
    let default_name: String = info.name.chars().take(63).collect();
    let name = f
        .str("name")
        .filter(|n| !n.is_empty())
        .map(str::to_string)
        .unwrap_or(default_name);
    let selector = match f.str("selector").filter(|s| !s.is_empty()) {
        Some(s) => s.to_string(),
        None => map_based_selector(group, kind, obj).map_err(|e| {
            GoErr::msg(format!(
                "couldn't retrieve selectors via --selector flag or introspection: {e}"
            ))
        })?,
    };
    let headless = f.str("cluster-ip") == Some("None");
    let object_ports = ports_for_object(group, kind, obj);
    let ports: Vec<String> = match f.str("port").filter(|p| !p.is_empty()) {
        Some(p) => vec![p.to_string()],
        None => {
            let found = object_ports.clone().map_err(|e| {
                GoErr::msg(format!(
                    "couldn't find port via --port flag or introspection: {e}"
                ))
            })?;
            if found.is_empty() && !headless {
                return Err(GoErr::msg(
                    "couldn't find port via --port flag or introspection",
                ));
            }
            found.into_iter().map(|(p, _)| p).collect()
        }
    };
    let protocols: Vec<(String, String)> = object_ports.unwrap_or_default();
    let labels = match f.str("labels").filter(|l| !l.is_empty()) {
        Some(l) => l.to_string(),
        None => make_labels(&obj["metadata"]["labels"]),
    };
    let target = f
        .str("target-port")
        .filter(|t| !t.is_empty())
        .or(f.str("container-port").filter(|t| !t.is_empty()));
    let mut service_ports = Vec::new();
    for (i, p) in ports.iter().enumerate() {
        let port = atoi(p)?;
        let protocol = match f.str("protocol").filter(|p| !p.is_empty()) {
            Some(explicit) => explicit.to_string(),
            None => protocols
                .iter()
                .find(|(n, _)| n == p)
                .map(|(_, proto)| proto.clone())
                .filter(|proto| !proto.is_empty())
                .unwrap_or_else(|| "TCP".to_string()),
        };
        let target_port = match target {
            Some(t) => match t.parse::<i64>() {
                Ok(n) => json!(n),
                Err(_) => json!(t),
            },
            None => json!(port),
        };
        let mut sp = Map::new();
        if ports.len() > 1 {
            sp.insert("name".into(), json!(format!("port-{}", i + 1)));
        }
        sp.insert("protocol".into(), json!(protocol));
        sp.insert("port".into(), json!(port));
        sp.insert("targetPort".into(), target_port);
        service_ports.push(Value::Object(sp));
    }
    let mut meta = Map::new();
    meta.insert("name".into(), json!(name));
    meta.insert("creationTimestamp".into(), Value::Null);
    if !labels.is_empty() {
        meta.insert("labels".into(), sorted(parse_labels(&labels)?));
    }
    let mut spec = Map::new();
    if !service_ports.is_empty() {
        spec.insert("ports".into(), Value::Array(service_ports));
    }
    spec.insert("selector".into(), sorted(parse_labels(&selector)?));
    if let Some(ip) = f.str("cluster-ip").filter(|s| !s.is_empty()) {
        spec.insert("clusterIP".into(), json!(ip));
    }
    if let Some(t) = f.str("type").filter(|s| !s.is_empty()) {
        spec.insert("type".into(), json!(t));
    }
    if let Some(ip) = f.str("external-ip").filter(|s| !s.is_empty()) {
        spec.insert("externalIPs".into(), json!([ip]));
    }
    if let Some(a) = f.str("session-affinity").filter(|s| !s.is_empty()) {
        if a != "ClientIP" && a != "None" {
            return Err(GoErr::msg(format!("unknown session affinity: {a}")));
        }
        spec.insert("sessionAffinity".into(), json!(a));
    }
    if let Some(ip) = f.str("load-balancer-ip").filter(|s| !s.is_empty()) {
        spec.insert("loadBalancerIP".into(), json!(ip));
    }
    let mut service = json!({
        "kind": "Service",
        "apiVersion": "v1",
        "metadata": Value::Object(meta),
        "spec": Value::Object(spec),
        "status": {"loadBalancer": {}},
    });
    if let Some(o) = f.str("overrides").filter(|o| !o.is_empty()) {
        service = apply_overrides("Service", &service, o, f.str_or("override-type", "merge"))?;
    }
    Ok(service)
}

fn run(io: &mut Io<'_>, inv: &Invocation) -> Res<()> {
    let f = &inv.flags;
    if f.has("record") {
        io.print(cmdutil::RECORD_DEPRECATED);
    }
    let dry = DryRun::from_flag(f.str("dry-run")).map_err(check_err)?;
    let output = f.str("output").filter(|o| !o.is_empty());
    let d = inv.client.discover(io)?;
    let manager = f.str_or("field-manager", "kubectl-expose");
    let mut printer = cmdutil::ObjPrinter::new(output)
        .showing_managed_fields(inv.flags.bool("show-managed-fields"));
    let errors = resource::visit(
        io,
        inv,
        &d,
        &Builder::typed(),
        inv.args(),
        &mut |io, info| {
            let mut service = match generate(inv, &info) {
                Ok(s) => s,
                Err(e) => return Ok(Some(e)),
            };
            if dry == DryRun::Client {
                if inv.client.namespace_explicit {
                    insert_namespace(&mut service, &inv.client.namespace);
                }
                let name = cmdutil::kind_name(&service);
                let op = format!("exposed{}", dry.suffix());
                printer.print(io, &name, &op, &service)?;
                return Ok(None);
            }
            if f.bool("save-config") {
                service = cmdutil::with_last_applied(&service);
            }
            let path = format!(
                "/api/v1/namespaces/{}/services?{}fieldManager={}",
                inv.client.namespace,
                dry.query(),
                encode_component(manager)
            );
            let r = io.call(
                inv.client
                    .request("POST", &path, JSON_ANY_ACCEPT)
                    .header("Content-Type", "application/json")
                    .body(go_json_marshal(&service)),
            )?;
            let Some(created) = r.body_json().filter(|_| (200..300).contains(&r.status)) else {
                return Ok(Some(GoErr::from_response(&r)));
            };
            let name = format!(
                "service/{}",
                created["metadata"]["name"].as_str().unwrap_or_default()
            );
            let op = format!("exposed{}", dry.suffix());
            printer.print(io, &name, &op, &created)?;
            Ok(None)
        },
    )?;
    cmdutil::continue_on_error(errors).map_err(check_err)
}

/// `meta.SetNamespace`: the namespace goes after the name.
pub fn insert_namespace(obj: &mut Value, namespace: &str) {
    let Some(meta) = obj["metadata"].as_object_mut() else {
        return;
    };
    let mut out = Map::new();
    for (k, v) in std::mem::take(meta) {
        let after_name = k == "name";
        out.insert(k, v);
        if after_name {
            out.insert("namespace".into(), json!(namespace));
        }
    }
    out.entry("namespace").or_insert(json!(namespace));
    *meta = out;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_specs_parse_in_order() {
        let m = parse_labels("b=2,a=1").unwrap();
        assert_eq!(Value::Object(m), json!({"b": "2", "a": "1"}));
        assert_eq!(
            parse_labels("a").unwrap_err().error(),
            "unexpected label spec: a"
        );
    }

    #[test]
    fn ports_parse_like_atoi() {
        assert_eq!(
            atoi("abc").unwrap_err().error(),
            "strconv.Atoi: parsing \"abc\": invalid syntax"
        );
        assert_eq!(atoi("80").unwrap(), 80);
    }
}
