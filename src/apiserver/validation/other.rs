//! Validation of the remaining served kinds: coordination Lease, discovery EndpointSlice,
//! networking Ingress, scheduling PriorityClass, storage StorageClass and events.k8s.io Event
//! (each after its `pkg/apis/<group>/validation/validation.go`).

use serde_json::Value;

use super::field::{BadValue, ErrorList, FieldError, Path};
use super::meta::{
    metadata, semantic_eq, validate_immutable_field, validate_object_meta,
    validate_object_meta_update,
};
use super::names::{self, NameRule};
use super::pod::validate_protocol;
use super::value::{arr, has, int, opt_str, str_of, strings, sub};

fn mp() -> Path {
    Path::new("metadata")
}

/// Lease create.
pub fn validate_lease(l: &Value) -> ErrorList {
    let mut errs = validate_object_meta(metadata(l), true, NameRule::DnsSubdomain, &mp());
    let spec = sub(l, "spec");
    let sp = Path::new("spec");
    if let Some(d) = int(spec, "leaseDurationSeconds") {
        if d <= 0 {
            errs.push(FieldError::invalid(
                &sp.child("leaseDurationSeconds"),
                d,
                "must be greater than 0",
            ));
        }
    }
    if let Some(t) = int(spec, "leaseTransitions") {
        if t < 0 {
            errs.push(FieldError::invalid(
                &sp.child("leaseTransitions"),
                t,
                "must be greater than or equal to 0",
            ));
        }
    }
    errs
}

/// Lease update.
pub fn validate_lease_update(new: &Value, old: &Value) -> ErrorList {
    let mut errs = validate_object_meta_update(metadata(new), metadata(old), &mp());
    errs.extend(validate_lease(new));
    errs
}

/// EndpointSlice create.
pub fn validate_endpoint_slice(es: &Value) -> ErrorList {
    let mut errs = validate_object_meta(metadata(es), true, NameRule::DnsSubdomain, &mp());
    let at = str_of(es, "addressType");
    match at {
        "" => errs.push(FieldError::required(&Path::new("addressType"), "")),
        "IPv4" | "IPv6" | "FQDN" => {}
        other => errs.push(FieldError::not_supported(
            &Path::new("addressType"),
            other,
            &["FQDN", "IPv4", "IPv6"],
        )),
    }
    let endpoints = arr(es, "endpoints");
    if endpoints.len() > 1000 {
        errs.push(FieldError::too_many(
            &Path::new("endpoints"),
            endpoints.len() as i64,
            1000,
        ));
    }
    for (i, ep) in endpoints.iter().enumerate() {
        let ap = Path::new("endpoints").index(i).child("addresses");
        let addrs = strings(ep, "addresses");
        if addrs.is_empty() {
            errs.push(FieldError::required(&ap, "must contain at least 1 address"));
        } else if addrs.len() > 100 {
            errs.push(FieldError::too_many(&ap, addrs.len() as i64, 100));
        }
        for (j, a) in addrs.iter().enumerate() {
            let ip = names::parse_ip(a);
            match at {
                "IPv4" if !ip.is_some_and(|x| x.is_ipv4()) => {
                    errs.push(FieldError::invalid(
                        &ap.index(j),
                        *a,
                        "must be a valid IPv4 address",
                    ));
                }
                "IPv6" if !ip.is_some_and(|x| x.is_ipv6()) => {
                    errs.push(FieldError::invalid(
                        &ap.index(j),
                        *a,
                        "must be a valid IPv6 address",
                    ));
                }
                "FQDN" => {
                    for m in names::is_dns1123_subdomain(a) {
                        errs.push(FieldError::invalid(&ap.index(j), *a, &m));
                    }
                }
                _ => {}
            }
        }
        if let Some(h) = opt_str(ep, "hostname") {
            for m in names::is_dns1123_label(h) {
                errs.push(FieldError::invalid(
                    &Path::new("endpoints").index(i).child("hostname"),
                    h,
                    &m,
                ));
            }
        }
    }
    for (i, port) in arr(es, "ports").iter().enumerate() {
        let pp = Path::new("ports").index(i);
        if let Some(name) = opt_str(port, "name") {
            if !name.is_empty() {
                for m in names::is_dns1123_label(name) {
                    errs.push(FieldError::invalid(&pp.child("name"), name, &m));
                }
            }
        }
        errs.extend(validate_protocol(
            str_of(port, "protocol"),
            &pp.child("protocol"),
        ));
        if let Some(n) = int(port, "port") {
            for m in names::is_valid_port_num(n) {
                errs.push(FieldError::invalid(&pp.child("port"), n, &m));
            }
        }
    }
    errs
}

/// EndpointSlice update: the address type is immutable.
pub fn validate_endpoint_slice_update(new: &Value, old: &Value) -> ErrorList {
    let mut errs = validate_object_meta_update(metadata(new), metadata(old), &mp());
    errs.extend(validate_endpoint_slice(new));
    errs.extend(validate_immutable_field(
        new.get("addressType"),
        old.get("addressType"),
        BadValue::from(str_of(new, "addressType")),
        &Path::new("addressType"),
    ));
    errs
}

/// `validateIngressBackend`.
fn validate_ingress_backend(b: &Value, p: &Path) -> ErrorList {
    let mut errs = Vec::new();
    let has_service = has(b, "service");
    let has_resource = has(b, "resource");
    if has_service && has_resource {
        errs.push(FieldError::invalid(
            p,
            "",
            "cannot set both resource and service backends",
        ));
        return errs;
    }
    if has_resource {
        let r = sub(b, "resource");
        let rp = p.child("resource");
        if let Some(g) = opt_str(r, "apiGroup") {
            for m in names::is_dns1123_subdomain(g) {
                errs.push(FieldError::invalid(&rp.child("apiGroup"), g, &m));
            }
        }
        for f in ["kind", "name"] {
            let v = str_of(r, f);
            if v.is_empty() {
                errs.push(FieldError::required(&rp.child(f), ""));
            } else {
                for m in names::is_valid_path_segment_name(v) {
                    errs.push(FieldError::invalid(&rp.child(f), v, &m));
                }
            }
        }
    } else if has_service {
        let svc = sub(b, "service");
        let name = str_of(svc, "name");
        let sp = p.child("service");
        if name.is_empty() {
            errs.push(FieldError::required(&sp.child("name"), ""));
        } else {
            for m in names::is_dns1035_label(name) {
                errs.push(FieldError::invalid(&sp.child("name"), name, &m));
            }
        }
        let port = sub(svc, "port");
        let pname = str_of(port, "name");
        let pnum = int(port, "number").unwrap_or(0);
        if !pname.is_empty() && pnum != 0 {
            errs.push(FieldError::invalid(
                p,
                "",
                "cannot set both port name & port number",
            ));
        } else if !pname.is_empty() {
            for m in names::is_valid_port_name(pname) {
                errs.push(FieldError::invalid(
                    &sp.child("port").child("name"),
                    pname,
                    &m,
                ));
            }
        } else if pnum != 0 {
            for m in names::is_valid_port_num(pnum) {
                errs.push(FieldError::invalid(
                    &sp.child("port").child("number"),
                    pnum,
                    &m,
                ));
            }
        } else {
            errs.push(FieldError::required(p, "port name or number is required"));
        }
    } else {
        errs.push(FieldError::invalid(
            p,
            "",
            "resource or service backend is required",
        ));
    }
    errs
}

/// `IsWildcardDNS1123Subdomain`.
fn is_wildcard_dns1123_subdomain(host: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if host.len() > names::DNS1123_SUBDOMAIN_MAX_LENGTH {
        errs.push(names::max_len_error(names::DNS1123_SUBDOMAIN_MAX_LENGTH));
    }
    let ok = host
        .strip_prefix("*.")
        .is_some_and(|rest| names::is_dns1123_subdomain(rest).is_empty());
    if !ok {
        errs.push(names::regex_error(
            "a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, which must consist of lower case alphanumeric characters, '-' or '.' and end with an alphanumeric character",
            "\\*\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*",
            &["*.example.com"],
        ));
    }
    errs
}

fn host_errors(host: &str) -> Vec<String> {
    if host.contains('*') {
        is_wildcard_dns1123_subdomain(host)
    } else {
        names::is_dns1123_subdomain(host)
    }
}

const INVALID_PATH_SEQUENCES: [&str; 5] = ["//", "/./", "/../", "%2f", "%2F"];
const INVALID_PATH_SUFFIXES: [&str; 2] = ["/..", "/."];

/// `validateHTTPIngressPath`.
fn validate_ingress_path(path: &Value, pp: &Path) -> ErrorList {
    let mut errs = Vec::new();
    let Some(pt) = opt_str(path, "pathType") else {
        errs.push(FieldError::required(
            &pp.child("pathType"),
            "pathType must be specified",
        ));
        return errs;
    };
    let text = str_of(path, "path");
    match pt {
        "Exact" | "Prefix" => {
            if !text.starts_with('/') {
                errs.push(FieldError::invalid(
                    &pp.child("path"),
                    text,
                    "must be an absolute path",
                ));
            }
            if !text.is_empty() {
                for seq in INVALID_PATH_SEQUENCES {
                    if text.contains(seq) {
                        errs.push(FieldError::invalid(
                            &pp.child("path"),
                            text,
                            &format!("must not contain '{seq}'"),
                        ));
                    }
                }
                for suffix in INVALID_PATH_SUFFIXES {
                    if text.ends_with(suffix) {
                        errs.push(FieldError::invalid(
                            &pp.child("path"),
                            text,
                            &format!("cannot end with '{suffix}'"),
                        ));
                    }
                }
            }
        }
        "ImplementationSpecific" => {
            if !text.is_empty() && !text.starts_with('/') {
                errs.push(FieldError::invalid(
                    &pp.child("path"),
                    text,
                    "must be an absolute path",
                ));
            }
        }
        other => errs.push(FieldError::not_supported(
            &pp.child("pathType"),
            other,
            &["Exact", "ImplementationSpecific", "Prefix"],
        )),
    }
    errs.extend(validate_ingress_backend(
        sub(path, "backend"),
        &pp.child("backend"),
    ));
    errs
}

/// `ValidateIngressSpec`.
fn validate_ingress_spec(spec: &Value, p: &Path) -> ErrorList {
    let mut errs = Vec::new();
    let rules = arr(spec, "rules");
    if !has(spec, "defaultBackend") && rules.is_empty() {
        let shown = if spec.get("rules").is_some_and(Value::is_array) {
            "[]networking.IngressRule{}"
        } else {
            "[]networking.IngressRule(nil)"
        };
        errs.push(FieldError::invalid(
            p,
            BadValue::Raw(shown.into()),
            "either `defaultBackend` or `rules` must be specified",
        ));
    }
    if has(spec, "defaultBackend") {
        errs.extend(validate_ingress_backend(
            sub(spec, "defaultBackend"),
            &p.child("defaultBackend"),
        ));
    }
    for (i, rule) in rules.iter().enumerate() {
        let rp = p.child("rules").index(i);
        let host = str_of(rule, "host");
        if !host.is_empty() {
            if names::parse_ip(host).is_some() {
                errs.push(FieldError::invalid(
                    &rp.child("host"),
                    host,
                    "must be a DNS name, not an IP address",
                ));
            }
            for m in host_errors(host) {
                errs.push(FieldError::invalid(&rp.child("host"), host, &m));
            }
        }
        let http = sub(rule, "http");
        if !http.is_object() {
            continue;
        }
        let hp = rp.child("http");
        let paths = arr(http, "paths");
        if paths.is_empty() {
            errs.push(FieldError::required(&hp.child("paths"), ""));
        }
        for (j, path) in paths.iter().enumerate() {
            errs.extend(validate_ingress_path(path, &hp.child("paths").index(j)));
        }
    }
    for (i, tls) in arr(spec, "tls").iter().enumerate() {
        let tp = p.child("tls").index(i);
        for (j, h) in strings(tls, "hosts").iter().enumerate() {
            for m in host_errors(h) {
                errs.push(FieldError::invalid(&tp.child("hosts").index(j), *h, &m));
            }
        }
        let secret = str_of(tls, "secretName");
        if !secret.is_empty() {
            for m in names::is_dns1123_subdomain(secret) {
                errs.push(FieldError::invalid(&tp.child("secretName"), secret, &m));
            }
        }
    }
    if let Some(class) = opt_str(spec, "ingressClassName") {
        for m in names::is_dns1123_subdomain(class) {
            errs.push(FieldError::invalid(&p.child("ingressClassName"), class, &m));
        }
    }
    errs
}

/// Ingress create.
pub fn validate_ingress(ing: &Value) -> ErrorList {
    let meta = metadata(ing);
    let mut errs = validate_object_meta(meta, true, NameRule::DnsSubdomain, &mp());
    let spec = sub(ing, "spec");
    errs.extend(validate_ingress_spec(spec, &Path::new("spec")));
    let annotation = super::value::string_map(meta, "annotations")
        .into_iter()
        .find(|(k, _)| k == "kubernetes.io/ingress.class");
    if let (Some((_, a)), Some(class)) = (annotation, opt_str(spec, "ingressClassName")) {
        if a != class {
            // Go's path here is "annotations.kubernetes.io/ingress.class".
            errs.push(FieldError::invalid(
                &Path::new("annotations").child("kubernetes.io/ingress.class"),
                a.as_str(),
                "must match `ingressClassName` when both are specified",
            ));
        }
    }
    errs
}

/// Ingress update.
pub fn validate_ingress_update(new: &Value, old: &Value) -> ErrorList {
    let mut errs = validate_object_meta_update(metadata(new), metadata(old), &mp());
    errs.extend(validate_object_meta(
        metadata(new),
        true,
        NameRule::DnsSubdomain,
        &mp(),
    ));
    errs.extend(validate_ingress_spec(sub(new, "spec"), &Path::new("spec")));
    errs
}

const HIGHEST_USER_DEFINABLE_PRIORITY: i64 = 1_000_000_000;

/// PriorityClass create.
pub fn validate_priority_class(pc: &Value) -> ErrorList {
    let meta = metadata(pc);
    let mut errs = validate_object_meta(meta, false, NameRule::DnsSubdomain, &mp());
    let name = str_of(meta, "name");
    let value = int(pc, "value").unwrap_or(0);
    if name.starts_with("system-") {
        let known = match name {
            "system-node-critical" => Some(2_000_001_000),
            "system-cluster-critical" => Some(2_000_000_000),
            _ => None,
        };
        let err = match known {
            None => Some(format!("{name} is not a known system priority class")),
            Some(v) if v != value => Some(format!("value of {name} PriorityClass must be {v}")),
            _ => None,
        };
        if let Some(e) = err {
            errs.push(FieldError::forbidden(
                &Path::from_names(&["metadata", "name"]),
                &format!("priority class names with 'system-' prefix are reserved for system use only. error: {e}"),
            ));
        }
    } else if value > HIGHEST_USER_DEFINABLE_PRIORITY {
        errs.push(FieldError::forbidden(
            &Path::new("value"),
            &format!("maximum allowed value of a user defined priority is {HIGHEST_USER_DEFINABLE_PRIORITY}"),
        ));
    }
    if let Some(pp) = opt_str(pc, "preemptionPolicy") {
        if pp != "Never" && pp != "PreemptLowerPriority" {
            errs.push(FieldError::not_supported(
                &Path::new("preemptionPolicy"),
                pp,
                &["Never", "PreemptLowerPriority"],
            ));
        }
    }
    errs
}

/// PriorityClass update: value and preemption policy are fixed.
pub fn validate_priority_class_update(new: &Value, old: &Value) -> ErrorList {
    let mut errs = validate_object_meta_update(metadata(new), metadata(old), &mp());
    if int(new, "value") != int(old, "value") {
        errs.push(FieldError::forbidden(
            &Path::new("value"),
            "may not be changed in an update.",
        ));
    }
    errs.extend(validate_immutable_field(
        new.get("preemptionPolicy"),
        old.get("preemptionPolicy"),
        opt_str(new, "preemptionPolicy")
            .map(BadValue::from)
            .unwrap_or(BadValue::Null),
        &Path::new("preemptionPolicy"),
    ));
    errs
}

/// StorageClass create.
pub fn validate_storage_class(sc: &Value) -> ErrorList {
    let mut errs = validate_object_meta(metadata(sc), false, NameRule::DnsSubdomain, &mp());
    let prov = str_of(sc, "provisioner");
    if prov.is_empty() {
        errs.push(FieldError::required(&Path::new("provisioner"), ""));
    } else {
        for m in names::is_qualified_name(&prov.to_lowercase()) {
            errs.push(FieldError::invalid(&Path::new("provisioner"), prov, &m));
        }
    }
    if let Some(rp) = opt_str(sc, "reclaimPolicy") {
        if rp != "Delete" && rp != "Retain" {
            errs.push(FieldError::not_supported(
                &Path::new("reclaimPolicy"),
                rp,
                &["Delete", "Retain"],
            ));
        }
    }
    match opt_str(sc, "volumeBindingMode") {
        None => errs.push(FieldError::required(&Path::new("volumeBindingMode"), "")),
        Some("Immediate") | Some("WaitForFirstConsumer") => {}
        Some(other) => errs.push(FieldError::not_supported(
            &Path::new("volumeBindingMode"),
            other,
            &["Immediate", "WaitForFirstConsumer"],
        )),
    }
    errs
}

/// StorageClass update: parameters, provisioner, reclaim policy and binding mode are fixed.
pub fn validate_storage_class_update(new: &Value, old: &Value) -> ErrorList {
    let mut errs = validate_object_meta_update(metadata(new), metadata(old), &mp());
    if !semantic_eq(new.get("parameters"), old.get("parameters")) {
        errs.push(FieldError::forbidden(
            &Path::new("parameters"),
            "updates to parameters are forbidden.",
        ));
    }
    if str_of(new, "provisioner") != str_of(old, "provisioner") {
        errs.push(FieldError::forbidden(
            &Path::new("provisioner"),
            "updates to provisioner are forbidden.",
        ));
    }
    if opt_str(new, "reclaimPolicy") != opt_str(old, "reclaimPolicy") {
        errs.push(FieldError::forbidden(
            &Path::new("reclaimPolicy"),
            "updates to reclaimPolicy are forbidden.",
        ));
    }
    errs.extend(validate_immutable_field(
        new.get("volumeBindingMode"),
        old.get("volumeBindingMode"),
        opt_str(new, "volumeBindingMode")
            .map(BadValue::from)
            .unwrap_or(BadValue::Null),
        &Path::new("volumeBindingMode"),
    ));
    errs.extend(validate_storage_class(new));
    errs
}

/// events.k8s.io/v1 Event create: the legacy rules, then the strict ones of the new API.
pub fn validate_events_event(ev: &Value) -> ErrorList {
    let mut errs = super::core::validate_event_legacy(ev, true);
    errs.extend(validate_object_meta(
        metadata(ev),
        true,
        NameRule::DnsSubdomain,
        &mp(),
    ));
    if str_of(ev, "eventTime").is_empty() {
        errs.push(FieldError::required(&Path::new("eventTime"), ""));
    }
    let t = str_of(ev, "type");
    if t != "Normal" && t != "Warning" {
        errs.push(FieldError::invalid(
            &Path::new("type"),
            "",
            &format!("has invalid value: {t}"),
        ));
    }
    for (json, path) in [
        ("deprecatedFirstTimestamp", "firstTimestamp"),
        ("deprecatedLastTimestamp", "lastTimestamp"),
    ] {
        if has(ev, json) {
            errs.push(FieldError::invalid(
                &Path::new(path),
                "",
                "needs to be unset",
            ));
        }
    }
    if int(ev, "deprecatedCount").unwrap_or(0) != 0 {
        errs.push(FieldError::invalid(
            &Path::new("count"),
            "",
            "needs to be unset",
        ));
    }
    let src = sub(ev, "deprecatedSource");
    if !str_of(src, "component").is_empty() || !str_of(src, "host").is_empty() {
        errs.push(FieldError::invalid(
            &Path::new("source"),
            "",
            "needs to be unset",
        ));
    }
    errs
}
