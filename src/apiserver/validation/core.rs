//! Validation of the core kinds other than Pod, after `pkg/apis/core/validation/validation.go`:
//! Namespace, Node, Service, Endpoints, ConfigMap, Secret, ServiceAccount, Event,
//! PersistentVolume, PersistentVolumeClaim, LimitRange, ResourceQuota and Binding.

use serde_json::Value;

use super::field::{go_quote, BadValue, ErrorList, FieldError, Path};
use super::meta::{
    metadata, semantic_eq, validate_immutable_field, validate_kube_finalizer_name,
    validate_label_name, validate_labels, validate_object_meta, validate_object_meta_update,
};
use super::names::{self, NameRule};
use super::pod::{
    is_overcommit_allowed, quantities, validate_container_resource_name, validate_port_num_or_name,
    validate_protocol, validate_resource_name, validate_resource_quantity_value,
    validate_taint_effect,
};
use super::value::{arr, boolean, has, int, obj, opt_str, str_of, string_map, strings, sub};

/// `core.MaxSecretSize`: 1 MiB, the limit of Secret data and ConfigMap data.
pub const MAX_SECRET_SIZE: i64 = 1024 * 1024;
const IMMUTABLE_WHEN_SET: &str = "field is immutable when `immutable` is set";

fn meta_path() -> Path {
    Path::new("metadata")
}

/// `validateFinalizerName` of core: a qualified name, and standard when unprefixed.
fn validate_namespace_finalizer_name(name: &str, p: &Path) -> ErrorList {
    let mut errs: ErrorList = names::is_qualified_name(name)
        .into_iter()
        .map(|m| FieldError::invalid(p, name, &m))
        .collect();
    errs.extend(validate_kube_finalizer_name(name, p));
    errs
}

/// Namespace create.
pub fn validate_namespace(ns: &Value) -> ErrorList {
    let mut errs = validate_object_meta(metadata(ns), false, NameRule::DnsLabel, &meta_path());
    for f in strings(sub(ns, "spec"), "finalizers") {
        errs.extend(validate_kube_finalizer_name(
            f,
            &Path::from_names(&["spec", "finalizers"]),
        ));
    }
    errs
}

/// Namespace update (the registry keeps spec and status from the stored object).
pub fn validate_namespace_update(new: &Value, old: &Value) -> ErrorList {
    validate_object_meta_update(metadata(new), metadata(old), &meta_path())
}

/// Namespace `/finalize` update: the spec finalizers are checked.
pub fn validate_namespace_finalize_update(new: &Value, old: &Value) -> ErrorList {
    let mut errs = validate_object_meta_update(metadata(new), metadata(old), &meta_path());
    for (i, f) in strings(sub(new, "spec"), "finalizers").iter().enumerate() {
        errs.extend(validate_namespace_finalizer_name(
            f,
            &Path::from_names(&["spec", "finalizers"]).index(i),
        ));
    }
    errs
}

/// `validateNodeTaints` (note: Go hangs the taints off `metadata.taints`).
fn validate_node_taints(taints: &[Value], p: &Path) -> ErrorList {
    let mut errs = Vec::new();
    let mut seen: Vec<(&str, &str)> = Vec::new();
    for (i, t) in taints.iter().enumerate() {
        let ip = p.index(i);
        let key = str_of(t, "key");
        let effect = str_of(t, "effect");
        errs.extend(validate_label_name(key, &ip.child("key")));
        let value = str_of(t, "value");
        let msgs = names::is_valid_label_value(value);
        if !msgs.is_empty() {
            errs.push(FieldError::invalid(
                &ip.child("value"),
                value,
                &msgs.join(";"),
            ));
        }
        if effect.is_empty() {
            errs.push(FieldError::required(&ip.child("effect"), ""));
        } else {
            errs.extend(validate_taint_effect(effect, &ip.child("effect")));
        }
        if seen.contains(&(key, effect)) {
            let mut e = FieldError::duplicate(
                &ip,
                BadValue::Raw(format!(
                    "core.Taint{{Key:{}, Value:{}, Effect:{}, TimeAdded:(*v1.Time)(nil)}}",
                    go_quote(key),
                    go_quote(value),
                    go_quote(effect)
                )),
            );
            e.detail = "taints must be unique by key and effect pair".into();
            errs.push(e);
            continue;
        }
        seen.push((key, effect));
    }
    errs
}

/// `ValidateNodeResources`: capacity and allocatable quantities.
fn validate_node_resources(node: &Value) -> ErrorList {
    let mut errs = Vec::new();
    let status = sub(node, "status");
    let sp = Path::new("status");
    for list in ["capacity", "allocatable"] {
        let (qs, qerrs) = quantities(status, list, &sp);
        errs.extend(qerrs);
        for (name, q) in qs {
            // Go builds this path with NewPath("status", "capacity", name): a child, not a key.
            errs.extend(validate_resource_quantity_value(
                &name,
                &q,
                &sp.child(list).child(&name),
            ));
        }
    }
    errs
}

fn validate_pod_cidrs(node: &Value) -> ErrorList {
    let mut errs = Vec::new();
    let p = Path::from_names(&["spec", "podCIDRs"]);
    for (i, c) in strings(sub(node, "spec"), "podCIDRs").iter().enumerate() {
        if !is_valid_cidr(c) {
            errs.push(FieldError::invalid(
                &p.index(i),
                *c,
                "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)",
            ));
        }
    }
    errs
}

fn is_valid_cidr(c: &str) -> bool {
    let Some((ip, bits)) = c.split_once('/') else {
        return false;
    };
    let Some(addr) = names::parse_ip(ip) else {
        return false;
    };
    let max = if addr.is_ipv4() { 32 } else { 128 };
    bits.parse::<u32>().is_ok_and(|b| b <= max) && !bits.starts_with('+')
}

/// Node create.
pub fn validate_node(node: &Value) -> ErrorList {
    let mp = meta_path();
    let mut errs = validate_object_meta(metadata(node), false, NameRule::DnsSubdomain, &mp);
    errs.extend(validate_node_taints(
        arr(sub(node, "spec"), "taints"),
        &mp.child("taints"),
    ));
    errs.extend(validate_node_resources(node));
    errs.extend(validate_pod_cidrs(node));
    errs
}

/// Node update: podCIDRs and providerID may only be set once.
pub fn validate_node_update(new: &Value, old: &Value) -> ErrorList {
    let mp = meta_path();
    let mut errs = validate_object_meta_update(metadata(new), metadata(old), &mp);
    errs.extend(validate_node_resources(new));
    let mut seen: Vec<&Value> = Vec::new();
    for (i, a) in arr(sub(new, "status"), "addresses").iter().enumerate() {
        if seen.contains(&a) {
            errs.push(FieldError::duplicate(
                &Path::from_names(&["status", "addresses"]).index(i),
                BadValue::Raw(format!(
                    "core.NodeAddress{{Type:{}, Address:{}}}",
                    go_quote(str_of(a, "type")),
                    go_quote(str_of(a, "address"))
                )),
            ));
        }
        seen.push(a);
    }
    let (ns, os) = (sub(new, "spec"), sub(old, "spec"));
    let old_cidrs = strings(os, "podCIDRs");
    if !old_cidrs.is_empty() {
        let new_cidrs = strings(ns, "podCIDRs");
        let msg = "node updates may not change podCIDR except from \"\" to valid";
        let p = Path::from_names(&["spec", "podCIDRs"]);
        if old_cidrs.len() != new_cidrs.len() {
            errs.push(FieldError::forbidden(&p, msg));
        } else {
            for (o, n) in old_cidrs.iter().zip(&new_cidrs) {
                if o != n {
                    errs.push(FieldError::forbidden(&p, msg));
                }
            }
        }
    }
    let old_pid = str_of(os, "providerID");
    if !old_pid.is_empty() && old_pid != str_of(ns, "providerID") {
        errs.push(FieldError::forbidden(
            &Path::from_names(&["spec", "providerID"]),
            "node updates may not change providerID except from \"\" to valid",
        ));
    }
    errs.extend(validate_node_taints(arr(ns, "taints"), &mp.child("taints")));
    errs
}

fn is_headless(spec: &Value) -> bool {
    str_of(spec, "clusterIP") == "None"
}

fn go_service_port_key(protocol: &str, port: i64) -> BadValue {
    BadValue::Raw(format!(
        "core.ServicePort{{Name:\"\", Protocol:{}, AppProtocol:(*string)(nil), Port:{port}, TargetPort:intstr.IntOrString{{Type:0, IntVal:0, StrVal:\"\"}}, NodePort:0}}",
        go_quote(protocol)
    ))
}

/// `ValidateService`.
pub fn validate_service(svc: &Value) -> ErrorList {
    let mut errs = validate_object_meta(metadata(svc), true, NameRule::Dns1035Label, &meta_path());
    let spec = sub(svc, "spec");
    let sp = Path::new("spec");
    let stype = str_of(spec, "type");
    let ports = arr(spec, "ports");
    let cluster_ips = strings(spec, "clusterIPs");
    if ports.is_empty() && !is_headless(spec) && stype != "ExternalName" {
        errs.push(FieldError::required(&sp.child("ports"), ""));
    }
    match stype {
        "LoadBalancer" | "NodePort" if is_headless(spec) => {
            errs.push(FieldError::invalid(
                &sp.child("clusterIPs").index(0),
                cluster_ips.first().copied().unwrap_or(""),
                &format!("may not be set to 'None' for {stype} services"),
            ));
        }
        "ExternalName" => {
            if !cluster_ips.is_empty() {
                errs.push(FieldError::forbidden(
                    &sp.child("clusterIPs"),
                    "may not be set for ExternalName services",
                ));
            }
            if !arr(spec, "ipFamilies").is_empty() {
                errs.push(FieldError::forbidden(
                    &sp.child("ipFamilies"),
                    "may not be set for ExternalName services",
                ));
            }
            if has(spec, "ipFamilyPolicy") {
                errs.push(FieldError::forbidden(
                    &sp.child("ipFamilyPolicy"),
                    "may not be set for ExternalName services",
                ));
            }
            let cname = str_of(spec, "externalName");
            let cname = cname.strip_suffix('.').unwrap_or(cname);
            if cname.is_empty() {
                errs.push(FieldError::required(&sp.child("externalName"), ""));
            } else {
                for m in names::is_dns1123_subdomain(cname) {
                    errs.push(FieldError::invalid(&sp.child("externalName"), cname, &m));
                }
            }
        }
        _ => {}
    }
    let mut port_names: Vec<&str> = Vec::new();
    for (i, port) in ports.iter().enumerate() {
        let pp = sp.child("ports").index(i);
        let name = str_of(port, "name");
        if ports.len() > 1 && name.is_empty() {
            errs.push(FieldError::required(&pp.child("name"), ""));
        } else if !name.is_empty() {
            for m in names::is_dns1123_label(name) {
                errs.push(FieldError::invalid(&pp.child("name"), name, &m));
            }
            if port_names.contains(&name) {
                errs.push(FieldError::duplicate(&pp.child("name"), name));
            } else {
                port_names.push(name);
            }
        }
        let port_num = int(port, "port").unwrap_or(0);
        for m in names::is_valid_port_num(port_num) {
            errs.push(FieldError::invalid(&pp.child("port"), port_num, &m));
        }
        errs.extend(validate_protocol(
            str_of(port, "protocol"),
            &pp.child("protocol"),
        ));
        errs.extend(validate_port_num_or_name(
            port.get("targetPort"),
            &pp.child("targetPort"),
        ));
        if let Some(ap) = opt_str(port, "appProtocol") {
            for m in names::is_qualified_name(ap) {
                errs.push(FieldError::invalid(&pp.child("appProtocol"), ap, &m));
            }
        }
    }
    if has(spec, "selector") {
        errs.extend(validate_labels(
            &string_map(spec, "selector"),
            &sp.child("selector"),
        ));
    }
    let affinity = str_of(spec, "sessionAffinity");
    match affinity {
        "" => errs.push(FieldError::required(&sp.child("sessionAffinity"), "")),
        "ClientIP" => {
            let cfg = sub(spec, "sessionAffinityConfig");
            let cp = sp.child("sessionAffinityConfig");
            let detail = "when session affinity type is ClientIP";
            if !cfg.is_object() {
                errs.push(FieldError::required(&cp, detail));
            } else if !sub(cfg, "clientIP").is_object() {
                errs.push(FieldError::required(&cp.child("clientIP"), detail));
            } else {
                let tp = cp.child("clientIP").child("timeoutSeconds");
                match int(sub(cfg, "clientIP"), "timeoutSeconds") {
                    None => errs.push(FieldError::required(&tp, detail)),
                    Some(t) if !(1..=86400).contains(&t) => errs.push(FieldError::invalid(
                        &tp,
                        t,
                        "must be greater than 0 and less than 86400",
                    )),
                    _ => {}
                }
            }
        }
        "None" => {
            if has(spec, "sessionAffinityConfig") {
                errs.push(FieldError::forbidden(
                    &sp.child("sessionAffinityConfig"),
                    "must not be set when session affinity is None",
                ));
            }
        }
        other => errs.push(FieldError::not_supported(
            &sp.child("sessionAffinity"),
            other,
            &["ClientIP", "None"],
        )),
    }
    errs.extend(validate_cluster_ips_related(spec, &sp));
    for (i, ip) in strings(spec, "externalIPs").iter().enumerate() {
        let p = sp.child("externalIPs").index(i);
        let errs_ip = names::validate_ip(&p, ip);
        if errs_ip.is_empty() {
            errs.extend(names::validate_non_special_ip(&p, ip));
        } else {
            errs.extend(errs_ip);
        }
    }
    match stype {
        "" => errs.push(FieldError::required(&sp.child("type"), "")),
        "ClusterIP" | "ExternalName" | "LoadBalancer" | "NodePort" => {}
        other => errs.push(FieldError::not_supported(
            &sp.child("type"),
            other,
            &["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"],
        )),
    }
    if stype == "ClusterIP" {
        for (i, port) in ports.iter().enumerate() {
            if int(port, "nodePort").unwrap_or(0) != 0 {
                errs.push(FieldError::forbidden(
                    &sp.child("ports").index(i).child("nodePort"),
                    "may not be used when `type` is 'ClusterIP'",
                ));
            }
        }
    }
    let mut node_ports: Vec<(&str, i64)> = Vec::new();
    for (i, port) in ports.iter().enumerate() {
        let np = int(port, "nodePort").unwrap_or(0);
        if np == 0 {
            continue;
        }
        let key = (str_of(port, "protocol"), np);
        if node_ports.contains(&key) {
            errs.push(FieldError::duplicate(
                &sp.child("ports").index(i).child("nodePort"),
                np,
            ));
        }
        node_ports.push(key);
    }
    let mut seen: Vec<(&str, i64)> = Vec::new();
    for (i, port) in ports.iter().enumerate() {
        let key = (str_of(port, "protocol"), int(port, "port").unwrap_or(0));
        if seen.contains(&key) {
            errs.push(FieldError::duplicate(
                &sp.child("ports").index(i),
                go_service_port_key(key.0, key.1),
            ));
        }
        seen.push(key);
    }
    let ranges = strings(spec, "loadBalancerSourceRanges");
    if !ranges.is_empty() {
        // Go's path keeps the Go field name here.
        let rp = sp.child("LoadBalancerSourceRanges");
        if stype != "LoadBalancer" {
            errs.push(FieldError::forbidden(
                &rp,
                "may only be used when `type` is 'LoadBalancer'",
            ));
        }
        for (i, r) in ranges.iter().enumerate() {
            let r = r.trim();
            if !is_valid_cidr(r) {
                errs.push(FieldError::invalid(
                    &rp.index(i),
                    r,
                    "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)",
                ));
            }
        }
    }
    if has(spec, "allocateLoadBalancerNodePorts") && stype != "LoadBalancer" {
        errs.push(FieldError::forbidden(
            &sp.child("allocateLoadBalancerNodePorts"),
            "may only be used when `type` is 'LoadBalancer'",
        ));
    }
    if stype == "LoadBalancer" && !has(spec, "allocateLoadBalancerNodePorts") {
        // Go's path has no "spec." here.
        errs.push(FieldError::required(
            &Path::new("allocateLoadBalancerNodePorts"),
            "",
        ));
    }
    errs.extend(validate_traffic_policies(spec, &sp));
    errs
}

/// `ValidateServiceClusterIPsRelatedFields`.
fn validate_cluster_ips_related(spec: &Value, sp: &Path) -> ErrorList {
    let mut errs = Vec::new();
    if str_of(spec, "type") == "ExternalName" {
        return errs;
    }
    let cp = sp.child("clusterIPs");
    let ips = strings(spec, "clusterIPs");
    let ips_shown = BadValue::string_slice(spec.get("clusterIPs"));
    let cluster_ip = str_of(spec, "clusterIP");
    if !cluster_ip.is_empty() {
        if ips.is_empty() {
            errs.push(FieldError::required(&cp, ""));
        } else if ips[0] != cluster_ip {
            errs.push(FieldError::invalid(
                &cp,
                ips_shown.clone(),
                "first value must match `clusterIP`",
            ));
        }
    } else if !ips.is_empty() {
        errs.push(FieldError::invalid(
            &cp,
            ips_shown.clone(),
            "must be empty when `clusterIP` is not specified",
        ));
    }
    let families = strings(spec, "ipFamilies");
    let mut seen: Vec<&str> = Vec::new();
    for (i, f) in families.iter().enumerate() {
        if *f != "IPv4" && *f != "IPv6" {
            errs.push(FieldError::not_supported(
                &sp.child("ipFamilies").index(i),
                *f,
                &["IPv4", "IPv6"],
            ));
        }
        if seen.contains(f) {
            errs.push(FieldError::duplicate(&sp.child("ipFamilies").index(i), *f));
        }
        seen.push(f);
    }
    if let Some(policy) = opt_str(spec, "ipFamilyPolicy") {
        if !["PreferDualStack", "RequireDualStack", "SingleStack"].contains(&policy) {
            errs.push(FieldError::not_supported(
                &sp.child("ipFamilyPolicy"),
                policy,
                &["PreferDualStack", "RequireDualStack", "SingleStack"],
            ));
        }
    }
    let mut invalid = false;
    for (i, ip) in ips.iter().enumerate() {
        if i == 0 && *ip == "None" {
            if ips.len() > 1 {
                invalid = true;
                errs.push(FieldError::invalid(
                    &cp,
                    ips_shown.clone(),
                    "'None' must be the first and only value",
                ));
            }
            continue;
        }
        if names::parse_ip(ip).is_none() {
            invalid = true;
            errs.push(FieldError::invalid(
                &cp.index(i),
                *ip,
                "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)",
            ));
        }
    }
    if ips.len() > 2 {
        errs.push(FieldError::invalid(
            &cp,
            ips_shown.clone(),
            "may only hold up to 2 values",
        ));
    }
    if invalid {
        return errs;
    }
    if ips.len() > 1 {
        let v6: Vec<bool> = ips
            .iter()
            .map(|ip| names::parse_ip(ip).is_some_and(|a| a.is_ipv6()))
            .collect();
        if v6.iter().all(|b| *b) || v6.iter().all(|b| !*b) {
            errs.push(FieldError::invalid(
                &cp,
                ips_shown,
                "may specify no more than one IP for each IP family",
            ));
        }
    }
    if !is_headless(spec) {
        for (i, ip) in ips.iter().enumerate().take(families.len()) {
            let is_v6 = names::parse_ip(ip).is_some_and(|a| a.is_ipv6());
            if families[i] == "IPv4" && is_v6 {
                errs.push(FieldError::invalid(
                    &cp.index(i),
                    *ip,
                    &format!("expected an IPv4 value as indicated by `ipFamilies[{i}]`"),
                ));
            }
            if families[i] == "IPv6" && !is_v6 {
                errs.push(FieldError::invalid(
                    &cp.index(i),
                    *ip,
                    &format!("expected an IPv6 value as indicated by `ipFamilies[{i}]`"),
                ));
            }
        }
    }
    errs
}

/// External and internal traffic policies and the health check node port.
fn validate_traffic_policies(spec: &Value, sp: &Path) -> ErrorList {
    let mut errs = Vec::new();
    let stype = str_of(spec, "type");
    let external = stype == "LoadBalancer"
        || stype == "NodePort"
        || (stype == "ClusterIP" && !arr(spec, "externalIPs").is_empty());
    let etp = str_of(spec, "externalTrafficPolicy");
    if !external {
        if !etp.is_empty() {
            errs.push(FieldError::invalid(
                &sp.child("externalTrafficPolicy"),
                etp,
                "may only be set for externally-accessible services",
            ));
        }
    } else if etp.is_empty() {
        errs.push(FieldError::required(&sp.child("externalTrafficPolicy"), ""));
    } else if etp != "Cluster" && etp != "Local" {
        errs.push(FieldError::not_supported(
            &sp.child("externalTrafficPolicy"),
            etp,
            &["Cluster", "Local"],
        ));
    }
    let hc = int(spec, "healthCheckNodePort").unwrap_or(0);
    let needs_hc = stype == "LoadBalancer" && etp == "Local";
    if !needs_hc {
        if hc != 0 {
            errs.push(FieldError::invalid(
                &sp.child("healthCheckNodePort"),
                hc,
                "may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'",
            ));
        }
    } else if hc == 0 {
        errs.push(FieldError::required(&sp.child("healthCheckNodePort"), ""));
    } else {
        for m in names::is_valid_port_num(hc) {
            errs.push(FieldError::invalid(
                &sp.child("healthCheckNodePort"),
                hc,
                &m,
            ));
        }
    }
    match opt_str(spec, "internalTrafficPolicy") {
        None => {
            if ["NodePort", "LoadBalancer", "ClusterIP"].contains(&stype) {
                errs.push(FieldError::required(&sp.child("internalTrafficPolicy"), ""));
            }
        }
        Some("Cluster") | Some("Local") => {}
        Some(other) => errs.push(FieldError::not_supported(
            &sp.child("internalTrafficPolicy"),
            other,
            &["Cluster", "Local"],
        )),
    }
    if let Some(td) = opt_str(spec, "trafficDistribution") {
        if td != "PreferClose" {
            errs.push(FieldError::not_supported(
                &sp.child("trafficDistribution"),
                td,
                &["PreferClose"],
            ));
        }
    }
    errs
}

/// Service update: cluster IPs may not change once set (except from/to ExternalName).
pub fn validate_service_update(new: &Value, old: &Value) -> ErrorList {
    let mut errs = validate_object_meta_update(metadata(new), metadata(old), &meta_path());
    let (ns, os) = (sub(new, "spec"), sub(old, "spec"));
    let cp = Path::from_names(&["spec", "clusterIPs"]);
    let skip = str_of(ns, "type") == "ExternalName"
        || str_of(os, "type") == "ExternalName"
        || (is_headless(ns) && is_headless(os));
    if !skip {
        let (nips, oips) = (strings(ns, "clusterIPs"), strings(os, "clusterIPs"));
        let shown = BadValue::string_slice(ns.get("clusterIPs"));
        if nips.len() == oips.len() {
            for (i, ip) in oips.iter().enumerate() {
                if *ip != nips[i] {
                    errs.push(FieldError::invalid(
                        &cp.index(i),
                        shown.clone(),
                        "may not change once set",
                    ));
                }
            }
        } else if oips.len() > nips.len() {
            if nips.is_empty() {
                errs.push(FieldError::invalid(
                    &cp.index(0),
                    shown.clone(),
                    "primary clusterIP can not be unset",
                ));
            }
            if !oips.is_empty() && !nips.is_empty() && nips[0] != oips[0] {
                errs.push(FieldError::invalid(
                    &cp.index(0),
                    shown.clone(),
                    "may not change once set",
                ));
            }
            if nips.len() == 1 && opt_str(ns, "ipFamilyPolicy") != Some("SingleStack") {
                errs.push(FieldError::invalid(
                    &cp.index(0),
                    shown,
                    "`ipFamilyPolicy` must be set to 'SingleStack' when releasing the secondary clusterIP",
                ));
            }
        } else if !oips.is_empty() && nips[0] != oips[0] {
            errs.push(FieldError::invalid(
                &cp.index(0),
                shown,
                "may not change once set",
            ));
        }
    }
    let needs_hc = |s: &Value| {
        str_of(s, "type") == "LoadBalancer" && str_of(s, "externalTrafficPolicy") == "Local"
    };
    if needs_hc(ns)
        && needs_hc(os)
        && int(ns, "healthCheckNodePort") != int(os, "healthCheckNodePort")
    {
        errs.push(FieldError::forbidden(
            &Path::from_names(&["spec", "healthCheckNodePort"]),
            "field is immutable",
        ));
    }
    errs.extend(validate_service(new));
    errs
}

/// The Service registry's node port allocation failure for `spec.ports[i].nodePort`
/// (`reason` is the allocator's error, e.g. [`NODE_PORT_NOT_IN_RANGE`]).
pub fn node_port_allocation_error(port_index: usize, node_port: i64, reason: &str) -> FieldError {
    FieldError::invalid(
        &Path::from_names(&["spec", "ports"])
            .index(port_index)
            .child("nodePort"),
        node_port,
        reason,
    )
}

/// The port allocator's `ErrNotInRange` for the default range.
pub const NODE_PORT_NOT_IN_RANGE: &str =
    "provided port is not in the valid range. The range of valid ports is 30000-32767";
/// The port allocator's `ErrAllocated`.
pub const NODE_PORT_ALLOCATED: &str = "provided port is already allocated";

/// Endpoints create and update.
pub fn validate_endpoints(ep: &Value) -> ErrorList {
    let mut errs = validate_object_meta(metadata(ep), true, NameRule::DnsSubdomain, &meta_path());
    let p = Path::new("subsets");
    for (i, ss) in arr(ep, "subsets").iter().enumerate() {
        let ip = p.index(i);
        if arr(ss, "addresses").is_empty() && arr(ss, "notReadyAddresses").is_empty() {
            errs.push(FieldError::required(
                &ip,
                "must specify `addresses` or `notReadyAddresses`",
            ));
        }
        for list in ["addresses", "notReadyAddresses"] {
            for (j, a) in arr(ss, list).iter().enumerate() {
                let ap = ip.child(list).index(j);
                let addr = str_of(a, "ip");
                errs.extend(names::validate_ip(&ap.child("ip"), addr));
                let host = str_of(a, "hostname");
                if !host.is_empty() {
                    for m in names::is_dns1123_label(host) {
                        errs.push(FieldError::invalid(&ap.child("hostname"), host, &m));
                    }
                }
                if let Some(node) = opt_str(a, "nodeName") {
                    for m in names::is_dns1123_subdomain(node) {
                        errs.push(FieldError::invalid(&ap.child("nodeName"), node, &m));
                    }
                }
                errs.extend(names::validate_non_special_ip(&ap.child("ip"), addr));
            }
        }
        let ports = arr(ss, "ports");
        for (j, port) in ports.iter().enumerate() {
            let pp = ip.child("ports").index(j);
            let name = str_of(port, "name");
            if ports.len() > 1 && name.is_empty() {
                errs.push(FieldError::required(&pp.child("name"), ""));
            } else if !name.is_empty() {
                for m in names::is_dns1123_label(name) {
                    errs.push(FieldError::invalid(&pp.child("name"), name, &m));
                }
            }
            let n = int(port, "port").unwrap_or(0);
            for m in names::is_valid_port_num(n) {
                errs.push(FieldError::invalid(&pp.child("port"), n, &m));
            }
            errs.extend(validate_protocol(
                str_of(port, "protocol"),
                &pp.child("protocol"),
            ));
        }
    }
    errs
}

/// Endpoints update.
pub fn validate_endpoints_update(new: &Value, old: &Value) -> ErrorList {
    let mut errs = validate_object_meta_update(metadata(new), metadata(old), &meta_path());
    errs.extend(validate_endpoints(new));
    errs
}

/// The decoded length of a base64 text (the JSON form of `[]byte`).
fn base64_len(s: &str) -> usize {
    let trimmed = s.trim_end_matches('=');
    trimmed.len() * 3 / 4
}

/// Decodes standard base64 (already validated by the decoder); `None` if malformed.
fn base64_decode(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let mut buf = 0u32;
    let mut bits = 0;
    for c in s.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            b'=' => break,
            _ => return None,
        };
        buf = (buf << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((buf >> bits) as u8);
            buf &= (1 << bits) - 1;
        }
    }
    Some(out)
}

/// ConfigMap create.
pub fn validate_config_map(cm: &Value) -> ErrorList {
    let mut errs = validate_object_meta(metadata(cm), true, NameRule::DnsSubdomain, &meta_path());
    let mut total: i64 = 0;
    let binary = obj(cm, "binaryData");
    for (key, value) in string_map(cm, "data") {
        let p = Path::new("data").key(&key);
        for m in names::is_config_map_key(&key) {
            errs.push(FieldError::invalid(&p, key.as_str(), &m));
        }
        if binary.is_some_and(|b| b.contains_key(&key)) {
            errs.push(FieldError::invalid(
                &p,
                key.as_str(),
                "duplicate of key present in binaryData",
            ));
        }
        total += value.len() as i64;
    }
    for (key, value) in string_map(cm, "binaryData") {
        for m in names::is_config_map_key(&key) {
            errs.push(FieldError::invalid(
                &Path::new("binaryData").key(&key),
                key.as_str(),
                &m,
            ));
        }
        total += base64_len(&value) as i64;
    }
    if total > MAX_SECRET_SIZE {
        errs.push(FieldError::too_long(&Path::new(""), MAX_SECRET_SIZE));
    }
    errs
}

fn immutable_set(o: &Value) -> bool {
    boolean(o, "immutable") == Some(true)
}

/// ConfigMap update: nothing but metadata may change once `immutable` is true.
pub fn validate_config_map_update(new: &Value, old: &Value) -> ErrorList {
    let mut errs = validate_object_meta_update(metadata(new), metadata(old), &meta_path());
    if immutable_set(old) {
        if !immutable_set(new) {
            errs.push(FieldError::forbidden(
                &Path::new("immutable"),
                IMMUTABLE_WHEN_SET,
            ));
        }
        for f in ["data", "binaryData"] {
            if !semantic_eq(new.get(f), old.get(f)) {
                errs.push(FieldError::forbidden(&Path::new(f), IMMUTABLE_WHEN_SET));
            }
        }
    }
    errs.extend(validate_config_map(new));
    errs
}

/// Go's `json.Unmarshal` error for a dockercfg payload, for the common failures.
fn go_json_error(bytes: &[u8]) -> Option<String> {
    match serde_json::from_slice::<serde_json::Map<String, Value>>(bytes) {
        Ok(_) => None,
        Err(_) => {
            let text = String::from_utf8_lossy(bytes);
            let first = text.trim_start().chars().next();
            Some(match first {
                None => "unexpected end of JSON input".into(),
                Some(c) if c != '{' && c != '[' && c != '"' && !c.is_ascii_digit() && c != '-' && c != 't' && c != 'f' && c != 'n' => {
                    format!("invalid character '{c}' looking for beginning of value")
                }
                Some(_) if serde_json::from_slice::<Value>(bytes).is_ok() => {
                    "json: cannot unmarshal non-object into Go value of type map[string]interface {}".into()
                }
                Some(_) => "unexpected end of JSON input".into(),
            })
        }
    }
}

/// The decoded data of a Secret: `data` (base64) merged with `stringData` (as the v1
/// conversion does before validation).
fn secret_data(s: &Value) -> Vec<(String, Vec<u8>)> {
    let mut data: Vec<(String, Vec<u8>)> = string_map(s, "data")
        .into_iter()
        .map(|(k, v)| {
            let bytes = base64_decode(&v).unwrap_or_else(|| vec![0; base64_len(&v)]);
            (k, bytes)
        })
        .collect();
    for (k, v) in string_map(s, "stringData") {
        data.retain(|(dk, _)| *dk != k);
        data.push((k, v.into_bytes()));
    }
    data.sort();
    data
}

/// Secret create: keys, total size, and the per-type required keys.
pub fn validate_secret(s: &Value) -> ErrorList {
    let meta = metadata(s);
    let mut errs = validate_object_meta(meta, true, NameRule::DnsSubdomain, &meta_path());
    let dp = Path::new("data");
    let data = secret_data(s);
    let mut total: i64 = 0;
    for (k, v) in &data {
        for m in names::is_config_map_key(k) {
            errs.push(FieldError::invalid(&dp.key(k), k.as_str(), &m));
        }
        total += v.len() as i64;
    }
    if total > MAX_SECRET_SIZE {
        errs.push(FieldError::too_long(&dp, MAX_SECRET_SIZE));
    }
    let get = |k: &str| {
        data.iter()
            .find(|(dk, _)| dk == k)
            .map(|(_, v)| v.as_slice())
    };
    match str_of(s, "type") {
        "kubernetes.io/service-account-token" => {
            let annotations = string_map(meta, "annotations");
            let ok = annotations
                .iter()
                .any(|(k, v)| k == "kubernetes.io/service-account.name" && !v.is_empty());
            if !ok {
                errs.push(FieldError::required(
                    &Path::from_names(&["metadata", "annotations"])
                        .key("kubernetes.io/service-account.name"),
                    "",
                ));
            }
        }
        "kubernetes.io/dockercfg" | "kubernetes.io/dockerconfigjson" => {
            let key = if str_of(s, "type") == "kubernetes.io/dockercfg" {
                ".dockercfg"
            } else {
                ".dockerconfigjson"
            };
            match get(key) {
                None => errs.push(FieldError::required(&dp.key(key), "")),
                Some(bytes) => {
                    if let Some(e) = go_json_error(bytes) {
                        errs.push(FieldError::invalid(
                            &dp.key(key),
                            "<secret contents redacted>",
                            &e,
                        ));
                    }
                }
            }
        }
        "kubernetes.io/basic-auth" if get("username").is_none() && get("password").is_none() => {
            errs.push(FieldError::required(&dp.key("username"), ""));
            errs.push(FieldError::required(&dp.key("password"), ""));
        }
        "kubernetes.io/ssh-auth" if get("ssh-privatekey").is_none_or(|v| v.is_empty()) => {
            errs.push(FieldError::required(&dp.key("ssh-privatekey"), ""));
        }
        "kubernetes.io/tls" => {
            for k in ["tls.crt", "tls.key"] {
                if get(k).is_none() {
                    errs.push(FieldError::required(&dp.key(k), ""));
                }
            }
        }
        _ => {}
    }
    errs
}

/// Secret update: the type is immutable, and data too once `immutable` is true.
pub fn validate_secret_update(new: &Value, old: &Value) -> ErrorList {
    let mut errs = validate_object_meta_update(metadata(new), metadata(old), &meta_path());
    errs.extend(validate_immutable_field(
        new.get("type"),
        old.get("type"),
        BadValue::from(str_of(new, "type")),
        &Path::new("type"),
    ));
    if immutable_set(old) {
        if !immutable_set(new) {
            errs.push(FieldError::forbidden(
                &Path::new("immutable"),
                IMMUTABLE_WHEN_SET,
            ));
        }
        if secret_data(new) != secret_data(old) {
            errs.push(FieldError::forbidden(
                &Path::new("data"),
                IMMUTABLE_WHEN_SET,
            ));
        }
    }
    errs.extend(validate_secret(new));
    errs
}

/// ServiceAccount create.
pub fn validate_service_account(sa: &Value) -> ErrorList {
    validate_object_meta(metadata(sa), true, NameRule::DnsSubdomain, &meta_path())
}

/// ServiceAccount update.
pub fn validate_service_account_update(new: &Value, old: &Value) -> ErrorList {
    let mut errs = validate_object_meta_update(metadata(new), metadata(old), &meta_path());
    errs.extend(validate_service_account(new));
    errs
}

/// `legacyValidateEvent`, run for Events of both APIs. `events_api` selects the
/// events.k8s.io/v1 field names (`regarding`, `note`); error paths use the internal names, as
/// in Go (`involvedObject.namespace`, `message`), except the reporting controller, which the
/// core/v1 API calls `reportingComponent`.
pub fn validate_event_legacy(ev: &Value, events_api: bool) -> ErrorList {
    let mut errs = Vec::new();
    let meta = metadata(ev);
    let ns = str_of(meta, "namespace");
    let (io, note, rc_json, rc_path) = if events_api {
        (
            sub(ev, "regarding"),
            "note",
            "reportingController",
            "reportingController",
        )
    } else {
        (
            sub(ev, "involvedObject"),
            "message",
            "reportingComponent",
            "reportingComponent",
        )
    };
    let io_ns = str_of(io, "namespace");
    let io_path = Path::from_names(&["involvedObject", "namespace"]);
    if str_of(ev, "eventTime").is_empty() {
        let mismatch = if io_ns.is_empty() {
            !ns.is_empty() && ns != "default"
        } else {
            ns != io_ns
        };
        if mismatch {
            errs.push(FieldError::invalid(
                &io_path,
                io_ns,
                "does not match event.namespace",
            ));
        }
    } else {
        if io_ns.is_empty() && ns != "default" && ns != "kube-system" {
            errs.push(FieldError::invalid(
                &io_path,
                io_ns,
                "does not match event.namespace",
            ));
        }
        let rc = str_of(ev, rc_json);
        if rc.is_empty() {
            errs.push(FieldError::required(&Path::new(rc_path), ""));
        }
        for m in names::is_qualified_name(rc) {
            errs.push(FieldError::invalid(&Path::new(rc_path), rc, &m));
        }
        for (f, limit) in [("reportingInstance", 128), ("action", 128), ("reason", 128)] {
            let v = str_of(ev, f);
            if v.is_empty() {
                errs.push(FieldError::required(&Path::new(f), ""));
            }
            if v.len() > limit {
                errs.push(FieldError::invalid(
                    &Path::new(f),
                    "",
                    &format!("can have at most {limit} characters"),
                ));
            }
        }
        if str_of(ev, note).len() > 1024 {
            errs.push(FieldError::invalid(
                &Path::new("message"),
                "",
                "can have at most 1024 characters",
            ));
        }
    }
    for m in names::is_dns1123_subdomain(ns) {
        errs.push(FieldError::invalid(&Path::new("namespace"), ns, &m));
    }
    errs
}

/// core/v1 Event create: only the legacy rules (no name or metadata checks, for old clients).
pub fn validate_event(ev: &Value) -> ErrorList {
    validate_event_legacy(ev, false)
}

const ACCESS_MODES: [&str; 4] = [
    "ReadOnlyMany",
    "ReadWriteMany",
    "ReadWriteOnce",
    "ReadWriteOncePod",
];

fn validate_access_modes(spec: &Value, p: &Path, required_detail: &str) -> ErrorList {
    let mut errs = Vec::new();
    let modes = strings(spec, "accessModes");
    if modes.is_empty() {
        errs.push(FieldError::required(
            &p.child("accessModes"),
            required_detail,
        ));
    }
    for m in &modes {
        if !ACCESS_MODES.contains(m) {
            errs.push(FieldError::not_supported(
                &p.child("accessModes"),
                *m,
                &ACCESS_MODES,
            ));
        }
    }
    if modes.contains(&"ReadWriteOncePod") && modes.len() > 1 {
        errs.push(FieldError::forbidden(
            &p.child("accessModes"),
            "may not use ReadWriteOncePod with other access modes",
        ));
    }
    errs
}

/// PersistentVolume create.
pub fn validate_persistent_volume(pv: &Value) -> ErrorList {
    let mut errs = validate_object_meta(metadata(pv), false, NameRule::DnsSubdomain, &meta_path());
    let spec = sub(pv, "spec");
    let sp = Path::new("spec");
    errs.extend(validate_access_modes(spec, &sp, ""));
    let capacity = obj(spec, "capacity");
    match capacity {
        None => errs.push(FieldError::required(&sp.child("capacity"), "")),
        Some(c) if c.is_empty() => errs.push(FieldError::required(&sp.child("capacity"), "")),
        Some(c) => {
            if !c.contains_key("storage") || c.len() > 1 {
                let mut pairs: Vec<String> = c
                    .iter()
                    .map(|(k, v)| format!("{}:{}", go_quote(k), v.as_str().unwrap_or("")))
                    .collect();
                pairs.sort();
                errs.push(FieldError::not_supported(
                    &sp.child("capacity"),
                    BadValue::Raw(format!("core.ResourceList{{{}}}", pairs.join(", "))),
                    &["storage"],
                ));
            }
            let (qs, qerrs) = quantities(spec, "capacity", &sp);
            errs.extend(qerrs);
            for (name, q) in qs {
                errs.extend(validate_resource_quantity_value(
                    &name,
                    &q,
                    &sp.child("capacity").key(&name),
                ));
            }
        }
    }
    if let Some(policy) = opt_str(spec, "persistentVolumeReclaimPolicy") {
        if !["Delete", "Recycle", "Retain"].contains(&policy) {
            errs.push(FieldError::not_supported(
                &sp.child("persistentVolumeReclaimPolicy"),
                policy,
                &["Delete", "Recycle", "Retain"],
            ));
        }
    }
    if let Some(mode) = opt_str(spec, "volumeMode") {
        if mode != "Block" && mode != "Filesystem" {
            errs.push(FieldError::not_supported(
                &sp.child("volumeMode"),
                mode,
                &["Block", "Filesystem"],
            ));
        }
    }
    let sources = [
        "hostPath",
        "gcePersistentDisk",
        "awsElasticBlockStore",
        "glusterfs",
        "nfs",
        "rbd",
        "quobyte",
        "cinder",
        "cephfs",
        "iscsi",
        "fc",
        "flocker",
        "flexVolume",
        "azureFile",
        "vsphereVolume",
        "azureDisk",
        "photonPersistentDisk",
        "portworxVolume",
        "scaleIO",
        "local",
        "storageos",
        "csi",
    ];
    let mut n = 0;
    for src in sources {
        let Some(s) = spec.get(src).filter(|v| !v.is_null()) else {
            continue;
        };
        let p = sp.child(src);
        if n > 0 {
            errs.push(FieldError::forbidden(
                &p,
                "may not specify more than 1 volume type",
            ));
            continue;
        }
        n += 1;
        match src {
            "hostPath" | "local" => {
                let path = str_of(s, "path");
                if path.is_empty() {
                    errs.push(FieldError::required(&p.child("path"), ""));
                } else if path.split('/').any(|x| x == "..") {
                    errs.push(FieldError::invalid(
                        &p.child("path"),
                        path,
                        "must not contain '..'",
                    ));
                }
            }
            "nfs" => {
                if str_of(s, "server").is_empty() {
                    errs.push(FieldError::required(&p.child("server"), ""));
                }
                if str_of(s, "path").is_empty() {
                    errs.push(FieldError::required(&p.child("path"), ""));
                }
            }
            "csi" => {
                if str_of(s, "driver").is_empty() {
                    errs.push(FieldError::required(&p.child("driver"), ""));
                }
                if str_of(s, "volumeHandle").is_empty() {
                    errs.push(FieldError::required(&p.child("volumeHandle"), ""));
                }
            }
            _ => {}
        }
    }
    if n == 0 {
        errs.push(FieldError::required(&sp, "must specify a volume type"));
    }
    errs
}

/// PersistentVolume update: the volume source may not change.
pub fn validate_persistent_volume_update(new: &Value, old: &Value) -> ErrorList {
    let mut errs = validate_object_meta_update(metadata(new), metadata(old), &meta_path());
    errs.extend(validate_persistent_volume(new));
    let (ns, os) = (sub(new, "spec"), sub(old, "spec"));
    if let (Some(nm), Some(om)) = (opt_str(ns, "volumeMode"), opt_str(os, "volumeMode")) {
        if nm != om {
            errs.push(FieldError::invalid(
                &Path::from_names(&["spec", "volumeMode"]),
                nm,
                "field is immutable",
            ));
        }
    }
    errs
}

/// `ValidatePersistentVolumeClaimSpec` (the parts a learner meets).
fn validate_pvc_spec(spec: &Value, p: &Path) -> ErrorList {
    let mut errs = validate_access_modes(spec, p, "at least 1 access mode is required");
    let rp = p.child("resources");
    let (requests, qerrs) = quantities(sub(spec, "resources"), "requests", &rp);
    errs.extend(qerrs);
    match requests.iter().find(|(n, _)| n == "storage") {
        None => errs.push(FieldError::required(&rp.key("storage"), "")),
        Some((_, q)) => {
            if q.sign() <= 0 {
                errs.push(FieldError::invalid(
                    &rp.key("storage"),
                    q.to_string(),
                    "must be greater than zero",
                ));
            } else {
                errs.extend(validate_resource_quantity_value(
                    "storage",
                    q,
                    &rp.key("storage"),
                ));
            }
        }
    }
    if let Some(sc) = opt_str(spec, "storageClassName") {
        if !sc.is_empty() {
            for m in names::is_dns1123_subdomain(sc) {
                errs.push(FieldError::invalid(&p.child("storageClassName"), sc, &m));
            }
        }
    }
    if let Some(mode) = opt_str(spec, "volumeMode") {
        if mode != "Block" && mode != "Filesystem" {
            errs.push(FieldError::not_supported(
                &p.child("volumeMode"),
                mode,
                &["Block", "Filesystem"],
            ));
        }
    }
    errs
}

/// PersistentVolumeClaim create.
pub fn validate_persistent_volume_claim(pvc: &Value) -> ErrorList {
    let mut errs = validate_object_meta(metadata(pvc), true, NameRule::DnsSubdomain, &meta_path());
    errs.extend(validate_pvc_spec(sub(pvc, "spec"), &Path::new("spec")));
    errs
}

/// PersistentVolumeClaim update: the spec is immutable but for requests of a bound claim, the
/// volume attributes class, and a volume name set once. The message's diff is kubestep's
/// rendering (see `pod::go_cmp_diff`).
pub fn validate_persistent_volume_claim_update(new: &Value, old: &Value) -> ErrorList {
    use super::quantity::Quantity;
    use std::cmp::Ordering;
    let mut errs = validate_object_meta_update(metadata(new), metadata(old), &meta_path());
    errs.extend(validate_persistent_volume_claim(new));
    let (ns, os) = (sub(new, "spec"), sub(old, "spec"));
    let bound = str_of(sub(new, "status"), "phase") == "Bound";
    let mut new_clone = ns.clone();
    let mut old_clone = os.clone();
    if str_of(os, "volumeName").is_empty() {
        if let (Some(o), Some(v)) = (old_clone.as_object_mut(), ns.get("volumeName")) {
            o.insert("volumeName".into(), v.clone());
        }
    }
    if bound {
        if let Some(reqs) = new_clone
            .get_mut("resources")
            .and_then(|r| r.get_mut("requests"))
            .and_then(Value::as_object_mut)
        {
            match os.pointer("/resources/requests/storage") {
                Some(v) => {
                    reqs.insert("storage".into(), v.clone());
                }
                None => {
                    reqs.remove("storage");
                }
            }
        }
        if has(ns, "volumeAttributesClassName") {
            if let Some(n) = new_clone.as_object_mut() {
                match os.get("volumeAttributesClassName") {
                    Some(v) => n.insert("volumeAttributesClassName".into(), v.clone()),
                    None => n.remove("volumeAttributesClassName"),
                };
            }
        }
    }
    if !semantic_eq(Some(&new_clone), Some(&old_clone)) {
        errs.push(FieldError::forbidden(
            &Path::new("spec"),
            &format!(
                "spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims\n{}",
                super::pod::go_cmp_diff("core.PersistentVolumeClaimSpec", &old_clone, &new_clone)
            ),
        ));
    }
    let storage = |v: &Value, ptr: &str| {
        v.pointer(ptr)
            .and_then(Value::as_str)
            .and_then(|q| Quantity::parse(q).ok())
            .unwrap_or_else(|| Quantity::parse("0").expect("zero"))
    };
    let new_size = storage(ns, "/resources/requests/storage");
    let old_size = storage(os, "/resources/requests/storage");
    let status_size = storage(sub(old, "status"), "/capacity/storage");
    // RecoverVolumeExpansionFailure is on in 1.33: shrinking is allowed down to the capacity.
    if new_size.cmp_quantity(&old_size) == Ordering::Less
        && new_size.cmp_quantity(&status_size) != Ordering::Greater
    {
        errs.push(FieldError::forbidden(
            &Path::from_names(&["spec", "resources", "requests", "storage"]),
            "field can not be less than status.capacity",
        ));
    }
    let shown = opt_str(ns, "volumeMode")
        .map(BadValue::from)
        .unwrap_or(BadValue::Null);
    // Go's path is "volumeMode" here, without "spec.".
    errs.extend(validate_immutable_field(
        ns.get("volumeMode"),
        os.get("volumeMode"),
        shown,
        &Path::new("volumeMode"),
    ));
    errs
}

/// `validateLimitRangeTypeName`.
fn validate_limit_range_type_name(t: &str, p: &Path) -> ErrorList {
    let errs: ErrorList = names::is_qualified_name(t)
        .into_iter()
        .map(|m| FieldError::invalid(p, t, &m))
        .collect();
    if !errs.is_empty() {
        return errs;
    }
    if !t.contains('/') && !["Pod", "Container", "PersistentVolumeClaim"].contains(&t) {
        return vec![FieldError::invalid(
            p,
            t,
            "must be a standard limit type or fully qualified",
        )];
    }
    Vec::new()
}

/// `validateLimitRangeResourceName`: container rules for Pod and Container limits.
fn validate_limit_range_resource_name(limit_type: &str, name: &str, p: &Path) -> ErrorList {
    if limit_type == "Pod" || limit_type == "Container" {
        validate_container_resource_name(name, p)
    } else {
        validate_resource_name(name, p)
    }
}

/// LimitRange create and update (`ValidateLimitRange`).
pub fn validate_limit_range(lr: &Value) -> ErrorList {
    use super::quantity::Quantity;
    use std::cmp::Ordering;
    let mut errs = validate_object_meta(metadata(lr), true, NameRule::DnsSubdomain, &meta_path());
    let lp = Path::from_names(&["spec", "limits"]);
    let mut types: Vec<&str> = Vec::new();
    for (i, limit) in arr(sub(lr, "spec"), "limits").iter().enumerate() {
        let ip = lp.index(i);
        let t = str_of(limit, "type");
        errs.extend(validate_limit_range_type_name(t, &ip.child("type")));
        if types.contains(&t) {
            errs.push(FieldError::duplicate(&ip.child("type"), t));
        }
        types.push(t);
        let read = |key: &str, errs: &mut ErrorList| -> Vec<(String, Quantity)> {
            let (qs, qerrs) = quantities(limit, key, &ip);
            errs.extend(qerrs);
            for (name, _) in &qs {
                errs.extend(validate_limit_range_resource_name(
                    t,
                    name,
                    &ip.child(key).key(name),
                ));
            }
            qs
        };
        let max = read("max", &mut errs);
        let min = read("min", &mut errs);
        let (defaults, default_requests) = if t == "Pod" {
            for key in ["default", "defaultRequest"] {
                if obj(limit, key).is_some_and(|m| !m.is_empty()) {
                    errs.push(FieldError::forbidden(
                        &ip.child(key),
                        "may not be specified when `type` is 'Pod'",
                    ));
                }
            }
            (Vec::new(), Vec::new())
        } else {
            (
                read("default", &mut errs),
                read("defaultRequest", &mut errs),
            )
        };
        if t == "PersistentVolumeClaim"
            && !min.iter().any(|(n, _)| n == "storage")
            && !max.iter().any(|(n, _)| n == "storage")
        {
            errs.push(FieldError::required(
                &ip.child("limits"),
                "either minimum or maximum storage value is required, but neither was provided",
            ));
        }
        let ratios = read("maxLimitRequestRatio", &mut errs);
        let mut keys: Vec<&String> = max
            .iter()
            .chain(&min)
            .chain(&defaults)
            .chain(&default_requests)
            .chain(&ratios)
            .map(|(n, _)| n)
            .collect();
        keys.sort();
        keys.dedup();
        let find = |l: &[(String, Quantity)], k: &str| {
            l.iter().find(|(n, _)| n == k).map(|(_, q)| q.clone())
        };
        for k in keys {
            let (mn, mx, df, dr, ratio) = (
                find(&min, k),
                find(&max, k),
                find(&defaults, k),
                find(&default_requests, k),
                find(&ratios, k),
            );
            let gt = |a: &Option<Quantity>, b: &Option<Quantity>| match (a, b) {
                (Some(a), Some(b)) => a.cmp_quantity(b) == Ordering::Greater,
                _ => false,
            };
            let show = |q: &Option<Quantity>| q.as_ref().map(|q| q.to_string()).unwrap_or_default();
            // (condition, field, shown value, message) in Go's order.
            let checks = [
                (
                    gt(&mn, &mx),
                    "min",
                    &mn,
                    format!(
                        "min value {} is greater than max value {}",
                        show(&mn),
                        show(&mx)
                    ),
                ),
                (
                    gt(&mn, &dr),
                    "defaultRequest",
                    &dr,
                    format!(
                        "min value {} is greater than default request value {}",
                        show(&mn),
                        show(&dr)
                    ),
                ),
                (
                    gt(&dr, &mx),
                    "defaultRequest",
                    &dr,
                    format!(
                        "default request value {} is greater than max value {}",
                        show(&dr),
                        show(&mx)
                    ),
                ),
                (
                    gt(&dr, &df),
                    "defaultRequest",
                    &dr,
                    format!(
                        "default request value {} is greater than default limit value {}",
                        show(&dr),
                        show(&df)
                    ),
                ),
                (
                    gt(&mn, &df),
                    "default",
                    &mn,
                    format!(
                        "min value {} is greater than default value {}",
                        show(&mn),
                        show(&df)
                    ),
                ),
                (
                    gt(&df, &mx),
                    "default",
                    &mx,
                    format!(
                        "default value {} is greater than max value {}",
                        show(&df),
                        show(&mx)
                    ),
                ),
            ];
            for (failed, field, value, msg) in checks {
                if failed {
                    errs.push(FieldError::invalid(
                        &ip.child(field).key(k),
                        BadValue::Raw(show(value)),
                        &msg,
                    ));
                }
            }
            if let Some(r) = &ratio {
                if r.cmp_quantity(&Quantity::parse("1").expect("one")) == Ordering::Less {
                    errs.push(FieldError::invalid(
                        &ip.child("maxLimitRequestRatio").key(k),
                        BadValue::Raw(r.to_string()),
                        &format!("ratio {r} is less than 1"),
                    ));
                }
            }
            if let (Some(d), Some(q)) = (&df, &dr) {
                if !is_overcommit_allowed(k) && d.cmp_quantity(q) != Ordering::Equal {
                    errs.push(FieldError::invalid(
                        &ip.child("defaultRequest").key(k),
                        BadValue::Raw(q.to_string()),
                        &format!("default value {d} must equal to defaultRequest value {q} in {k}"),
                    ));
                }
            }
        }
    }
    errs
}

/// LimitRange update.
pub fn validate_limit_range_update(new: &Value, old: &Value) -> ErrorList {
    let mut errs = validate_object_meta_update(metadata(new), metadata(old), &meta_path());
    errs.extend(validate_limit_range(new));
    errs
}

/// Standard single-word quota resource names (`IsStandardQuotaResourceName`).
fn is_standard_quota_resource_name(name: &str) -> bool {
    [
        "cpu",
        "memory",
        "ephemeral-storage",
        "requests.cpu",
        "requests.memory",
        "requests.storage",
        "requests.ephemeral-storage",
        "limits.cpu",
        "limits.memory",
        "limits.ephemeral-storage",
        "pods",
        "services",
        "replicationcontrollers",
        "resourcequotas",
        "secrets",
        "persistentvolumeclaims",
        "configmaps",
        "services.nodeports",
        "services.loadbalancers",
    ]
    .contains(&name)
        || name.starts_with("requests.hugepages-")
}

/// `ValidateResourceQuotaResourceName`.
fn validate_quota_resource_name(name: &str, p: &Path) -> ErrorList {
    let mut errs = validate_resource_name(name, p);
    if !name.contains('/') && !is_standard_quota_resource_name(name) {
        errs.push(FieldError::invalid(
            p,
            name,
            "must be a standard resource for quota",
        ));
    }
    errs
}

const QUOTA_SCOPES: [&str; 7] = [
    "Terminating",
    "NotTerminating",
    "BestEffort",
    "NotBestEffort",
    "PriorityClass",
    "CrossNamespacePodAffinity",
    "VolumeAttributesClass",
];

fn go_scopes(spec: &Value) -> BadValue {
    let items: Vec<String> = strings(spec, "scopes")
        .iter()
        .map(|s| go_quote(s))
        .collect();
    BadValue::Raw(format!("[]core.ResourceQuotaScope{{{}}}", items.join(", ")))
}

/// ResourceQuota create (`ValidateResourceQuota`).
pub fn validate_resource_quota(rq: &Value) -> ErrorList {
    let mut errs = validate_object_meta(metadata(rq), true, NameRule::DnsSubdomain, &meta_path());
    let sp = Path::new("spec");
    let spec = sub(rq, "spec");
    let (hard, qerrs) = quantities(spec, "hard", &sp);
    errs.extend(qerrs);
    for (name, q) in &hard {
        let p = sp.child("hard").key(name);
        errs.extend(validate_quota_resource_name(name, &p));
        errs.extend(validate_resource_quantity_value(name, q, &p));
    }
    let scopes = strings(spec, "scopes");
    for s in &scopes {
        if !QUOTA_SCOPES.contains(s) {
            errs.push(FieldError::invalid(
                &sp.child("scopes"),
                go_scopes(spec),
                "unsupported scope",
            ));
        }
    }
    for (a, b) in [
        ("BestEffort", "NotBestEffort"),
        ("Terminating", "NotTerminating"),
    ] {
        if scopes.contains(&a) && scopes.contains(&b) {
            errs.push(FieldError::invalid(
                &sp.child("scopes"),
                go_scopes(spec),
                "conflicting scopes",
            ));
        }
    }
    errs
}

/// ResourceQuota update: the scopes are fixed.
pub fn validate_resource_quota_update(new: &Value, old: &Value) -> ErrorList {
    let mut errs = validate_object_meta_update(metadata(new), metadata(old), &meta_path());
    errs.extend(validate_resource_quota(new));
    let set = |v: &Value| {
        let mut s: Vec<&str> = strings(sub(v, "spec"), "scopes");
        s.sort();
        s.dedup();
        s.into_iter().map(str::to_string).collect::<Vec<_>>()
    };
    if set(new) != set(old) {
        errs.push(FieldError::invalid(
            &Path::from_names(&["spec", "scopes"]),
            go_scopes(sub(new, "spec")),
            "field is immutable",
        ));
    }
    errs
}

/// `ValidatePodBinding` (`pods/binding`).
pub fn validate_binding(b: &Value) -> ErrorList {
    let mut errs = Vec::new();
    let target = sub(b, "target");
    let kind = str_of(target, "kind");
    if !kind.is_empty() && kind != "Node" {
        errs.push(FieldError::not_supported(
            &Path::from_names(&["target", "kind"]),
            kind,
            &["Node", "<empty>"],
        ));
    }
    if str_of(target, "name").is_empty() {
        errs.push(FieldError::required(
            &Path::from_names(&["target", "name"]),
            "",
        ));
    }
    errs
}
