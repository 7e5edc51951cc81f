//! Pod validation, after `pkg/apis/core/validation/validation.go`: `ValidatePodCreate`,
//! `ValidatePodSpec` (containers, ports, env, volumes, mounts, probes, resources, policies,
//! affinity, tolerations), `ValidatePodTemplateSpec` for the workload kinds, and
//! `ValidatePodUpdate` with its "pod updates may not change fields other than" rule.

use serde_json::Value;

use super::field::{BadValue, ErrorList, FieldError, Path};
use super::meta::{
    semantic_eq, validate_annotations, validate_label_name, validate_label_selector,
    validate_labels, validate_nonnegative_field, validate_object_meta, validate_object_meta_update,
};
use super::names::{self, NameRule};
use super::quantity::Quantity;
use super::value::{arr, boolean, has, int, obj, str_of, string_map, strings, sub};

const FILE_MODE_ERROR_MSG: &str = "must be a number between 0 and 0777 (octal), both inclusive";
const MAX_INT32: i64 = i32::MAX as i64;

/// `ValidatePodCreate`: metadata, spec, and the create-only rules.
pub fn validate_pod_create(pod: &Value) -> ErrorList {
    let mut errs = validate_pod_metadata_and_spec(pod);
    let spec = sub(pod, "spec");
    let p = Path::new("spec");
    if !arr(spec, "ephemeralContainers").is_empty() {
        errs.push(FieldError::forbidden(
            &p.child("ephemeralContainers"),
            "cannot be set on create",
        ));
    }
    if !str_of(spec, "nodeName").is_empty() && !arr(spec, "schedulingGates").is_empty() {
        errs.push(FieldError::forbidden(
            &p.child("nodeName"),
            "cannot be set until all schedulingGates have been cleared",
        ));
    }
    errs
}

/// `validatePodMetadataAndSpec`.
fn validate_pod_metadata_and_spec(pod: &Value) -> ErrorList {
    let meta = sub(pod, "metadata");
    let spec = sub(pod, "spec");
    let spec_path = Path::new("spec");
    let mut errs = validate_object_meta(meta, true, NameRule::DnsSubdomain, &Path::new("metadata"));
    errs.extend(validate_pod_spec(spec, &spec_path, true));
    if str_of(spec, "serviceAccountName").is_empty() {
        for (vi, vol) in arr(spec, "volumes").iter().enumerate() {
            let path = spec_path.child("volumes").index(vi).child("projected");
            for (si, source) in arr(sub(vol, "projected"), "sources").iter().enumerate() {
                if has(source, "serviceAccountToken") {
                    errs.push(FieldError::forbidden(
                        &path.child("sources").index(si).child("serviceAccountToken"),
                        "must not be specified when serviceAccountName is not set",
                    ));
                }
            }
        }
    }
    for list in ["containers", "initContainers"] {
        for (i, c) in arr(spec, list).iter().enumerate() {
            let image = str_of(c, "image");
            if image.trim() != image {
                errs.push(FieldError::invalid(
                    &spec_path.child(list).index(i).child("image"),
                    image,
                    "must not have leading or trailing whitespace",
                ));
            }
        }
    }
    errs
}

/// `ValidatePodTemplateSpec`: the pod template of a workload (labels hang off
/// `template.labels`, not `template.metadata.labels`, as in Go).
pub fn validate_pod_template_spec(template: &Value, path: &Path) -> ErrorList {
    let meta = sub(template, "metadata");
    let spec = sub(template, "spec");
    let mut errs = validate_labels(&string_map(meta, "labels"), &path.child("labels"));
    errs.extend(validate_annotations(
        &string_map(meta, "annotations"),
        &path.child("annotations"),
    ));
    errs.extend(validate_pod_spec(spec, &path.child("spec"), false));
    if !arr(spec, "ephemeralContainers").is_empty() {
        errs.push(FieldError::forbidden(
            &path.child("spec").child("ephemeralContainers"),
            "ephemeral containers not allowed in pod template",
        ));
    }
    errs
}

/// `ValidatePodSpec`; `is_pod` is Go's `opts.ResourceIsPod` (false for pod templates).
pub fn validate_pod_spec(spec: &Value, p: &Path, is_pod: bool) -> ErrorList {
    let mut errs = Vec::new();
    if int(spec, "terminationGracePeriodSeconds").is_none() {
        errs.push(FieldError::required(
            &p.child("terminationGracePeriodSeconds"),
            "",
        ));
    }
    let (volumes, verrs) = validate_volumes(arr(spec, "volumes"), &p.child("volumes"));
    errs.extend(verrs);
    errs.extend(validate_containers(spec, &volumes, &p.child("containers")));
    errs.extend(validate_init_containers(
        spec,
        &volumes,
        &p.child("initContainers"),
    ));
    errs.extend(validate_host_network_ports(spec, p, is_pod));
    errs.extend(validate_restart_policy(
        spec.get("restartPolicy"),
        &p.child("restartPolicy"),
    ));
    errs.extend(validate_dns_policy(
        str_of(spec, "dnsPolicy"),
        &p.child("dnsPolicy"),
    ));
    errs.extend(validate_labels(
        &string_map(spec, "nodeSelector"),
        &p.child("nodeSelector"),
    ));
    errs.extend(validate_pod_security_context(
        sub(spec, "securityContext"),
        &p.child("securityContext"),
    ));
    errs.extend(validate_affinity(
        sub(spec, "affinity"),
        &p.child("affinity"),
    ));
    errs.extend(validate_dns_config(spec, &p.child("dnsConfig")));
    for (i, g) in arr(spec, "readinessGates").iter().enumerate() {
        let ct = str_of(g, "conditionType");
        let gp = p.child("readinessGates").index(i).child("conditionType");
        for m in names::is_qualified_name(ct) {
            errs.push(FieldError::invalid(&gp, ct, &m));
        }
    }
    let mut gates: Vec<&str> = Vec::new();
    for (i, g) in arr(spec, "schedulingGates").iter().enumerate() {
        let name = str_of(g, "name");
        let gp = p.child("schedulingGates").index(i);
        for m in names::is_qualified_name(name) {
            errs.push(FieldError::invalid(&gp, name, &m));
        }
        if gates.contains(&name) {
            errs.push(FieldError::duplicate(&gp, name));
        }
        gates.push(name);
    }
    errs.extend(validate_topology_spread_constraints(
        arr(spec, "topologySpreadConstraints"),
        &p.child("topologySpreadConstraints"),
    ));
    let sa = str_of(spec, "serviceAccountName");
    if !sa.is_empty() {
        for m in names::is_dns1123_subdomain(sa) {
            errs.push(FieldError::invalid(&p.child("serviceAccountName"), sa, &m));
        }
    }
    let node = str_of(spec, "nodeName");
    if !node.is_empty() {
        for m in names::is_dns1123_subdomain(node) {
            errs.push(FieldError::invalid(&p.child("nodeName"), node, &m));
        }
    }
    if let Some(ads) = int(spec, "activeDeadlineSeconds") {
        if !(1..=MAX_INT32).contains(&ads) {
            errs.push(FieldError::invalid(
                &p.child("activeDeadlineSeconds"),
                ads,
                &names::inclusive_range_error(1, MAX_INT32),
            ));
        }
    }
    for f in ["hostname", "subdomain"] {
        let v = str_of(spec, f);
        if !v.is_empty() {
            for m in names::is_dns1123_label(v) {
                errs.push(FieldError::invalid(&p.child(f), v, &m));
            }
        }
    }
    errs.extend(validate_tolerations(
        arr(spec, "tolerations"),
        &p.child("tolerations"),
    ));
    for (i, ha) in arr(spec, "hostAliases").iter().enumerate() {
        let hp = p.child("hostAliases").index(i);
        errs.extend(names::validate_ip(&hp.child("ip"), str_of(ha, "ip")));
        for (j, h) in strings(ha, "hostnames").iter().enumerate() {
            for m in names::is_dns1123_subdomain(h) {
                errs.push(FieldError::invalid(&hp.child("hostnames").index(j), *h, &m));
            }
        }
    }
    let pc = str_of(spec, "priorityClassName");
    if !pc.is_empty() {
        for m in names::is_dns1123_subdomain(pc) {
            errs.push(FieldError::invalid(&p.child("priorityClassName"), pc, &m));
        }
    }
    if let Some(rc) = spec.get("runtimeClassName").and_then(Value::as_str) {
        for m in names::is_dns1123_subdomain(rc) {
            errs.push(FieldError::invalid(&p.child("runtimeClassName"), rc, &m));
        }
    }
    if let Some(pp) = spec.get("preemptionPolicy").and_then(Value::as_str) {
        match pp {
            "Never" | "PreemptLowerPriority" => {}
            "" => errs.push(FieldError::required(&p.child("preemptionPolicy"), "")),
            other => errs.push(FieldError::not_supported(
                &p.child("preemptionPolicy"),
                other,
                &["PreemptLowerPriority", "Never"],
            )),
        }
    }
    if let Some(os) = obj(spec, "os") {
        let name = os.get("name").and_then(Value::as_str).unwrap_or("");
        if name.is_empty() {
            errs.push(FieldError::required(&p.child("os").child("name"), ""));
        } else if name != "linux" && name != "windows" {
            errs.push(FieldError::not_supported(
                &p.child("os").child("name"),
                name,
                &["linux", "windows"],
            ));
        }
    }
    errs
}

/// `validateRestartPolicy`.
fn validate_restart_policy(policy: Option<&Value>, p: &Path) -> ErrorList {
    match policy.and_then(Value::as_str).unwrap_or("") {
        "Always" | "OnFailure" | "Never" => Vec::new(),
        "" => vec![FieldError::required(p, "")],
        other => vec![FieldError::not_supported(
            p,
            other,
            &["Always", "OnFailure", "Never"],
        )],
    }
}

/// `validateDNSPolicy`.
fn validate_dns_policy(policy: &str, p: &Path) -> ErrorList {
    match policy {
        "ClusterFirstWithHostNet" | "ClusterFirst" | "Default" | "None" => Vec::new(),
        "" => vec![FieldError::required(p, "")],
        other => vec![FieldError::not_supported(
            p,
            other,
            &["ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"],
        )],
    }
}

/// `validatePodDNSConfig` (search paths are checked for count and length only).
fn validate_dns_config(spec: &Value, p: &Path) -> ErrorList {
    let mut errs = Vec::new();
    let cfg = sub(spec, "dnsConfig");
    if str_of(spec, "dnsPolicy") == "None" {
        if !cfg.is_object() {
            errs.push(FieldError::required(
                p,
                "must provide `dnsConfig` when `dnsPolicy` is None",
            ));
            return errs;
        }
        if arr(cfg, "nameservers").is_empty() {
            errs.push(FieldError::required(
                &p.child("nameservers"),
                "must provide at least one DNS nameserver when `dnsPolicy` is None",
            ));
            return errs;
        }
    }
    if !cfg.is_object() {
        return errs;
    }
    let ns = strings(cfg, "nameservers");
    if ns.len() > 3 {
        errs.push(FieldError::invalid(
            &p.child("nameservers"),
            BadValue::string_slice(cfg.get("nameservers")),
            "must not have more than 3 nameservers",
        ));
    }
    for (i, n) in ns.iter().enumerate() {
        errs.extend(names::validate_ip(&p.child("nameservers").index(i), n));
    }
    let searches = strings(cfg, "searches");
    if searches.len() > 32 {
        errs.push(FieldError::invalid(
            &p.child("searches"),
            BadValue::string_slice(cfg.get("searches")),
            "must not have more than 32 search paths",
        ));
    }
    if searches.join(" ").len() > 2048 {
        errs.push(FieldError::invalid(
            &p.child("searches"),
            BadValue::string_slice(cfg.get("searches")),
            "must not have more than 2048 characters (including spaces) in the search list",
        ));
    }
    for (i, o) in arr(cfg, "options").iter().enumerate() {
        if str_of(o, "name").is_empty() {
            errs.push(FieldError::required(
                &p.child("options").index(i),
                "must not be empty",
            ));
        }
    }
    errs
}

/// Container names seen so far in a pod, for the duplicate checks across lists.
fn container_names(spec: &Value, list: &str) -> Vec<String> {
    arr(spec, list)
        .iter()
        .map(|c| str_of(c, "name").to_string())
        .collect()
}

/// `validateContainers`: the regular containers.
fn validate_containers(spec: &Value, volumes: &[String], p: &Path) -> ErrorList {
    let mut errs = Vec::new();
    let containers = arr(spec, "containers");
    if containers.is_empty() {
        errs.push(FieldError::required(p, ""));
        return errs;
    }
    let grace = int(spec, "terminationGracePeriodSeconds");
    let mut seen: Vec<&str> = Vec::new();
    for (i, c) in containers.iter().enumerate() {
        let cp = p.index(i);
        errs.extend(validate_container_common(c, volumes, &cp));
        let name = str_of(c, "name");
        if seen.contains(&name) {
            errs.push(FieldError::duplicate(&cp.child("name"), name));
        } else {
            seen.push(name);
        }
        if let Some(l) = obj(c, "lifecycle") {
            for hook in ["postStart", "preStop"] {
                if let Some(h) = l.get(hook) {
                    errs.extend(validate_handler(
                        h,
                        &cp.child("lifecycle").child(hook),
                        Some(grace),
                    ));
                }
            }
        }
        errs.extend(validate_probe_kind(c, "livenessProbe", &cp));
        errs.extend(validate_probe_kind(c, "readinessProbe", &cp));
        errs.extend(validate_probe_kind(c, "startupProbe", &cp));
        if has(c, "restartPolicy") {
            errs.push(FieldError::forbidden(
                &cp.child("restartPolicy"),
                "may not be set for non-init containers",
            ));
        }
    }
    let indexed: Vec<(usize, &Value)> = containers.iter().enumerate().collect();
    errs.extend(check_host_port_conflicts(&indexed, p));
    errs
}

/// `validateInitContainers`.
fn validate_init_containers(spec: &Value, volumes: &[String], p: &Path) -> ErrorList {
    let mut errs = Vec::new();
    let mut seen: Vec<String> = container_names(spec, "containers");
    let grace = int(spec, "terminationGracePeriodSeconds");
    for (i, c) in arr(spec, "initContainers").iter().enumerate() {
        let cp = p.index(i);
        errs.extend(validate_container_common(c, volumes, &cp));
        let restartable = match c.get("restartPolicy").and_then(Value::as_str) {
            None => false,
            Some("Always") => true,
            Some(other) => {
                errs.push(FieldError::not_supported(
                    &cp.child("restartPolicy"),
                    other,
                    &["Always"],
                ));
                false
            }
        };
        let name = str_of(c, "name");
        if seen.iter().any(|s| s == name) {
            errs.push(FieldError::duplicate(&cp.child("name"), name));
        } else if !name.is_empty() {
            seen.push(name.to_string());
        }
        // Init containers run one by one: host ports only conflict within one container.
        errs.extend(check_host_port_conflicts(&[(i, c)], p));
        if restartable {
            // Sidecar containers may carry probes and lifecycle hooks.
            if let Some(l) = obj(c, "lifecycle") {
                for hook in ["postStart", "preStop"] {
                    if let Some(h) = l.get(hook) {
                        errs.extend(validate_handler(
                            h,
                            &cp.child("lifecycle").child(hook),
                            Some(grace),
                        ));
                    }
                }
            }
            errs.extend(validate_probe_kind(c, "livenessProbe", &cp));
            errs.extend(validate_probe_kind(c, "readinessProbe", &cp));
            errs.extend(validate_probe_kind(c, "startupProbe", &cp));
        } else {
            for f in [
                "lifecycle",
                "livenessProbe",
                "readinessProbe",
                "startupProbe",
            ] {
                if has(c, f) {
                    errs.push(FieldError::forbidden(
                        &cp.child(f),
                        "may not be set for init containers without restartPolicy=Always",
                    ));
                }
            }
        }
    }
    errs
}

/// `validateContainerCommon`.
fn validate_container_common(c: &Value, volumes: &[String], p: &Path) -> ErrorList {
    let mut errs = Vec::new();
    let name = str_of(c, "name");
    if name.is_empty() {
        errs.push(FieldError::required(&p.child("name"), ""));
    } else {
        for m in names::is_dns1123_label(name) {
            errs.push(FieldError::invalid(&p.child("name"), name, &m));
        }
    }
    if str_of(c, "image").is_empty() {
        errs.push(FieldError::required(&p.child("image"), ""));
    }
    match str_of(c, "terminationMessagePolicy") {
        "File" | "FallbackToLogsOnError" => {}
        "" => errs.push(FieldError::required(
            &p.child("terminationMessagePolicy"),
            "",
        )),
        other => errs.push(FieldError::not_supported(
            &p.child("terminationMessagePolicy"),
            other,
            &["File", "FallbackToLogsOnError"],
        )),
    }
    errs.extend(validate_container_ports(arr(c, "ports"), &p.child("ports")));
    errs.extend(validate_env(arr(c, "env"), &p.child("env")));
    errs.extend(validate_env_from(arr(c, "envFrom"), &p.child("envFrom")));
    let privileged = boolean(sub(c, "securityContext"), "privileged") == Some(true);
    errs.extend(validate_volume_mounts(
        arr(c, "volumeMounts"),
        volumes,
        privileged,
        &p.child("volumeMounts"),
    ));
    match str_of(c, "imagePullPolicy") {
        "Always" | "IfNotPresent" | "Never" => {}
        "" => errs.push(FieldError::required(&p.child("imagePullPolicy"), "")),
        other => errs.push(FieldError::not_supported(
            &p.child("imagePullPolicy"),
            other,
            &["Always", "IfNotPresent", "Never"],
        )),
    }
    errs.extend(validate_container_resources(
        sub(c, "resources"),
        &p.child("resources"),
    ));
    errs.extend(validate_security_context(
        sub(c, "securityContext"),
        &p.child("securityContext"),
    ));
    errs
}

/// `validateContainerPorts`.
fn validate_container_ports(ports: &[Value], p: &Path) -> ErrorList {
    let mut errs = Vec::new();
    let mut names_seen: Vec<&str> = Vec::new();
    for (i, port) in ports.iter().enumerate() {
        let ip = p.index(i);
        let name = str_of(port, "name");
        if !name.is_empty() {
            let msgs = names::is_valid_port_name(name);
            if !msgs.is_empty() {
                for m in msgs {
                    errs.push(FieldError::invalid(&ip.child("name"), name, &m));
                }
            } else if names_seen.contains(&name) {
                errs.push(FieldError::duplicate(&ip.child("name"), name));
            } else {
                names_seen.push(name);
            }
        }
        let cport = int(port, "containerPort").unwrap_or(0);
        if cport == 0 {
            errs.push(FieldError::required(&ip.child("containerPort"), ""));
        } else {
            for m in names::is_valid_port_num(cport) {
                errs.push(FieldError::invalid(&ip.child("containerPort"), cport, &m));
            }
        }
        let hport = int(port, "hostPort").unwrap_or(0);
        if hport != 0 {
            for m in names::is_valid_port_num(hport) {
                errs.push(FieldError::invalid(&ip.child("hostPort"), hport, &m));
            }
        }
        errs.extend(validate_protocol(
            str_of(port, "protocol"),
            &ip.child("protocol"),
        ));
    }
    errs
}

/// Protocol of a container or service port: required, one of SCTP, TCP, UDP.
pub fn validate_protocol(protocol: &str, p: &Path) -> ErrorList {
    match protocol {
        "TCP" | "UDP" | "SCTP" => Vec::new(),
        "" => vec![FieldError::required(p, "")],
        other => vec![FieldError::not_supported(p, other, &["SCTP", "TCP", "UDP"])],
    }
}

/// `validatePodHostNetworkDeps`: with hostNetwork, the host ports of the regular containers
/// must equal their container ports (templates may leave them 0, defaulted at pod creation).
fn validate_host_network_ports(spec: &Value, p: &Path, is_pod: bool) -> ErrorList {
    let mut errs = Vec::new();
    if boolean(spec, "hostNetwork") != Some(true) {
        return errs;
    }
    for (i, c) in arr(spec, "containers").iter().enumerate() {
        for (j, port) in arr(c, "ports").iter().enumerate() {
            let h = int(port, "hostPort").unwrap_or(0);
            if (is_pod || h != 0) && h != int(port, "containerPort").unwrap_or(0) {
                errs.push(FieldError::invalid(
                    &p.child("containers")
                        .index(i)
                        .child("ports")
                        .index(j)
                        .child("hostPort"),
                    h,
                    "must match `containerPort` when `hostNetwork` is true",
                ));
            }
        }
    }
    errs
}

/// `AccumulateUniqueHostPorts`: `<protocol>/<hostIP>/<port>` may appear once.
fn check_host_port_conflicts(containers: &[(usize, &Value)], p: &Path) -> ErrorList {
    let mut errs = Vec::new();
    let mut seen: Vec<String> = Vec::new();
    for (ci, c) in containers {
        for (pi, port) in arr(c, "ports").iter().enumerate() {
            let h = int(port, "hostPort").unwrap_or(0);
            if h == 0 {
                continue;
            }
            let key = format!(
                "{}/{}/{}",
                str_of(port, "protocol"),
                str_of(port, "hostIP"),
                h
            );
            if seen.contains(&key) {
                errs.push(FieldError::duplicate(
                    &p.index(*ci).child("ports").index(pi).child("hostPort"),
                    key.as_str(),
                ));
            } else {
                seen.push(key);
            }
        }
    }
    errs
}

const ENV_FIELD_PATHS: [&str; 9] = [
    "metadata.name",
    "metadata.namespace",
    "metadata.uid",
    "spec.nodeName",
    "spec.serviceAccountName",
    "status.hostIP",
    "status.hostIPs",
    "status.podIP",
    "status.podIPs",
];

const RESOURCE_FIELD_PATHS: [&str; 6] = [
    "limits.cpu",
    "limits.ephemeral-storage",
    "limits.memory",
    "requests.cpu",
    "requests.ephemeral-storage",
    "requests.memory",
];

/// `ValidateEnv`.
fn validate_env(vars: &[Value], p: &Path) -> ErrorList {
    let mut errs = Vec::new();
    for (i, ev) in vars.iter().enumerate() {
        let ip = p.index(i);
        let name = str_of(ev, "name");
        if name.is_empty() {
            errs.push(FieldError::required(&ip.child("name"), ""));
        } else {
            for m in names::is_relaxed_env_var_name(name) {
                errs.push(FieldError::invalid(&ip.child("name"), name, &m));
            }
        }
        errs.extend(validate_env_var_value_from(ev, &ip.child("valueFrom")));
    }
    errs
}

/// `validateEnvVarValueFrom`.
fn validate_env_var_value_from(ev: &Value, p: &Path) -> ErrorList {
    let mut errs = Vec::new();
    let Some(vf) = ev.get("valueFrom").filter(|v| v.is_object()) else {
        return errs;
    };
    let mut sources = 0;
    if let Some(fr) = vf.get("fieldRef").filter(|v| v.is_object()) {
        sources += 1;
        errs.extend(validate_object_field_selector(
            fr,
            &ENV_FIELD_PATHS,
            &p.child("fieldRef"),
        ));
    }
    if let Some(rr) = vf.get("resourceFieldRef").filter(|v| v.is_object()) {
        sources += 1;
        errs.extend(validate_resource_field_selector(
            rr,
            &p.child("resourceFieldRef"),
        ));
    }
    if let Some(cm) = vf.get("configMapKeyRef").filter(|v| v.is_object()) {
        sources += 1;
        errs.extend(validate_key_selector(cm, &p.child("configMapKeyRef")));
    }
    if let Some(s) = vf.get("secretKeyRef").filter(|v| v.is_object()) {
        sources += 1;
        errs.extend(validate_key_selector(s, &p.child("secretKeyRef")));
    }
    if sources == 0 {
        errs.push(FieldError::invalid(
            p,
            "",
            "must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`",
        ));
    } else if !str_of(ev, "value").is_empty() {
        errs.push(FieldError::invalid(
            p,
            "",
            "may not be specified when `value` is not empty",
        ));
    } else if sources > 1 {
        errs.push(FieldError::invalid(
            p,
            "",
            "may not have more than one field specified at a time",
        ));
    }
    errs
}

/// `validateObjectFieldSelector`.
fn validate_object_field_selector(fs: &Value, allowed: &[&str], p: &Path) -> ErrorList {
    let mut errs = Vec::new();
    if str_of(fs, "apiVersion").is_empty() {
        errs.push(FieldError::required(&p.child("apiVersion"), ""));
        return errs;
    }
    let fp = str_of(fs, "fieldPath");
    if fp.is_empty() {
        errs.push(FieldError::required(&p.child("fieldPath"), ""));
        return errs;
    }
    // `metadata.labels['key']` style subscripts.
    if let Some((path, rest)) = fp.split_once("['") {
        if let Some(subscript) = rest.strip_suffix("']") {
            match path {
                "metadata.annotations" => {
                    for m in names::is_qualified_name(&subscript.to_lowercase()) {
                        errs.push(FieldError::invalid(p, subscript, &m));
                    }
                }
                "metadata.labels" => {
                    for m in names::is_qualified_name(subscript) {
                        errs.push(FieldError::invalid(p, subscript, &m));
                    }
                }
                _ => errs.push(FieldError::invalid(p, path, "does not support subscript")),
            }
            return errs;
        }
    }
    if !allowed.contains(&fp) {
        let mut valid: Vec<&str> = allowed.to_vec();
        valid.sort();
        errs.push(FieldError::not_supported(&p.child("fieldPath"), fp, &valid));
    }
    errs
}

/// `validateContainerResourceFieldSelector` for env vars.
fn validate_resource_field_selector(rs: &Value, p: &Path) -> ErrorList {
    let resource = str_of(rs, "resource");
    if resource.is_empty() {
        return vec![FieldError::required(&p.child("resource"), "")];
    }
    if !RESOURCE_FIELD_PATHS.contains(&resource)
        && !resource.starts_with("limits.hugepages-")
        && !resource.starts_with("requests.hugepages-")
    {
        return vec![FieldError::not_supported(
            &p.child("resource"),
            resource,
            &RESOURCE_FIELD_PATHS,
        )];
    }
    Vec::new()
}

/// `validateConfigMapKeySelector` / `validateSecretKeySelector`.
fn validate_key_selector(s: &Value, p: &Path) -> ErrorList {
    let mut errs = Vec::new();
    let name = str_of(s, "name");
    for m in names::is_dns1123_subdomain(name) {
        errs.push(FieldError::invalid(&p.child("name"), name, &m));
    }
    let key = str_of(s, "key");
    if key.is_empty() {
        errs.push(FieldError::required(&p.child("key"), ""));
    } else {
        for m in names::is_config_map_key(key) {
            errs.push(FieldError::invalid(&p.child("key"), key, &m));
        }
    }
    errs
}

/// `ValidateEnvFrom`.
fn validate_env_from(sources: &[Value], p: &Path) -> ErrorList {
    let mut errs = Vec::new();
    for (i, ev) in sources.iter().enumerate() {
        let ip = p.index(i);
        let prefix = str_of(ev, "prefix");
        if !prefix.is_empty() {
            for m in names::is_relaxed_env_var_name(prefix) {
                errs.push(FieldError::invalid(&ip.child("prefix"), prefix, &m));
            }
        }
        let mut n = 0;
        for (f, label) in [("configMapRef", "configMapRef"), ("secretRef", "secretRef")] {
            if let Some(r) = ev.get(f).filter(|v| v.is_object()) {
                n += 1;
                let name = str_of(r, "name");
                if name.is_empty() {
                    errs.push(FieldError::required(&ip.child(label).child("name"), ""));
                } else {
                    // Go checks these names as generateName prefixes (`nameFn(name, true)`).
                    for m in names::validate_name(NameRule::DnsSubdomain, name, true) {
                        errs.push(FieldError::invalid(
                            &ip.child(label).child("name"),
                            name,
                            &m,
                        ));
                    }
                }
            }
        }
        if n == 0 {
            errs.push(FieldError::invalid(
                p,
                "",
                "must specify one of: `configMapRef` or `secretRef`",
            ));
        } else if n > 1 {
            errs.push(FieldError::invalid(
                p,
                "",
                "may not have more than one field specified at a time",
            ));
        }
    }
    errs
}

/// `validateLocalDescendingPath`.
fn validate_local_descending_path(target: &str, p: &Path) -> ErrorList {
    let mut errs = Vec::new();
    if target.starts_with('/') {
        errs.push(FieldError::invalid(p, target, "must be a relative path"));
    }
    errs.extend(validate_path_no_backsteps(target, p));
    errs
}

/// `validatePathNoBacksteps`.
fn validate_path_no_backsteps(target: &str, p: &Path) -> ErrorList {
    if target.split('/').any(|s| s == "..") {
        vec![FieldError::invalid(p, target, "must not contain '..'")]
    } else {
        Vec::new()
    }
}

/// `validateLocalNonReservedPath`.
fn validate_local_non_reserved_path(target: &str, p: &Path) -> ErrorList {
    let mut errs = validate_local_descending_path(target, p);
    if target.starts_with("..") && !target.starts_with("../") {
        errs.push(FieldError::invalid(p, target, "must not start with '..'"));
    }
    errs
}

/// `ValidateVolumeMounts`.
fn validate_volume_mounts(
    mounts: &[Value],
    volumes: &[String],
    privileged: bool,
    p: &Path,
) -> ErrorList {
    let mut errs = Vec::new();
    let mut points: Vec<&str> = Vec::new();
    for (i, m) in mounts.iter().enumerate() {
        let ip = p.index(i);
        let name = str_of(m, "name");
        if name.is_empty() {
            errs.push(FieldError::required(&ip.child("name"), ""));
        }
        if !volumes.iter().any(|v| v == name) {
            errs.push(FieldError::not_found(&ip.child("name"), name));
        }
        let mp = str_of(m, "mountPath");
        if mp.is_empty() {
            errs.push(FieldError::required(&ip.child("mountPath"), ""));
        }
        if points.contains(&mp) {
            errs.push(FieldError::invalid(
                &ip.child("mountPath"),
                mp,
                "must be unique",
            ));
        }
        points.push(mp);
        let sp = str_of(m, "subPath");
        if !sp.is_empty() {
            errs.extend(validate_local_descending_path(sp, &p.child("subPath")));
        }
        let spe = str_of(m, "subPathExpr");
        if !spe.is_empty() {
            if !sp.is_empty() {
                errs.push(FieldError::invalid(
                    &ip.child("subPathExpr"),
                    spe,
                    "subPathExpr and subPath are mutually exclusive",
                ));
            }
            errs.extend(validate_local_descending_path(spe, &p.child("subPathExpr")));
        }
        if let Some(mprop) = m.get("mountPropagation").and_then(Value::as_str) {
            if !["None", "HostToContainer", "Bidirectional"].contains(&mprop) {
                errs.push(FieldError::not_supported(
                    &p.child("mountPropagation"),
                    mprop,
                    &["Bidirectional", "HostToContainer", "None"],
                ));
            }
            if mprop == "Bidirectional" && !privileged {
                errs.push(FieldError::forbidden(
                    &p.child("mountPropagation"),
                    "Bidirectional mount propagation is available only to privileged containers",
                ));
            }
        }
    }
    errs
}

/// The volume sources `validateVolumeSource` knows, in the order Go checks them.
const VOLUME_SOURCES: [&str; 30] = [
    "emptyDir",
    "hostPath",
    "gitRepo",
    "gcePersistentDisk",
    "awsElasticBlockStore",
    "secret",
    "nfs",
    "iscsi",
    "glusterfs",
    "flocker",
    "persistentVolumeClaim",
    "rbd",
    "cinder",
    "cephfs",
    "quobyte",
    "downwardAPI",
    "fc",
    "flexVolume",
    "configMap",
    "azureFile",
    "vsphereVolume",
    "photonPersistentDisk",
    "portworxVolume",
    "azureDisk",
    "storageos",
    "projected",
    "scaleIO",
    "csi",
    "ephemeral",
    "image",
];

/// `ValidateVolumes`: returns the names of the valid volumes (mounts of invalid ones are
/// "Not found", as in Go) and the errors.
fn validate_volumes(volumes: &[Value], p: &Path) -> (Vec<String>, ErrorList) {
    let mut errs = Vec::new();
    let mut valid: Vec<String> = Vec::new();
    let mut all: Vec<&str> = Vec::new();
    for (i, vol) in volumes.iter().enumerate() {
        let ip = p.index(i);
        let mut el = validate_volume_source(vol, &ip);
        let name = str_of(vol, "name");
        if name.is_empty() {
            el.push(FieldError::required(&ip.child("name"), ""));
        } else {
            for m in names::is_dns1123_label(name) {
                el.push(FieldError::invalid(&ip.child("name"), name, &m));
            }
        }
        if all.contains(&name) {
            el.push(FieldError::duplicate(&ip.child("name"), name));
        }
        if el.is_empty() {
            all.push(name);
            valid.push(name.to_string());
        } else {
            errs.extend(el);
        }
    }
    (valid, errs)
}

/// `validateVolumeSource`: exactly one source, each checked for its required fields.
fn validate_volume_source(vol: &Value, p: &Path) -> ErrorList {
    let mut errs = Vec::new();
    let mut n = 0;
    for src in VOLUME_SOURCES {
        let Some(s) = vol.get(src).filter(|v| !v.is_null()) else {
            continue;
        };
        let sp = p.child(src);
        if n > 0 {
            // Go's paths here carry two typos of its own: "downwarAPI" and "cephFS".
            let shown = match src {
                "downwardAPI" => "downwarAPI",
                "cephfs" => "cephFS",
                other => other,
            };
            errs.push(FieldError::forbidden(
                &p.child(shown),
                "may not specify more than 1 volume type",
            ));
            continue;
        }
        n += 1;
        errs.extend(validate_one_volume_source(src, s, &sp));
    }
    if n == 0 {
        errs.push(FieldError::required(p, "must specify a volume type"));
    }
    errs
}

fn validate_mode(v: &Value, key: &str, p: &Path) -> ErrorList {
    match int(v, key) {
        Some(m) if !(0..=0o777).contains(&m) => {
            vec![FieldError::invalid(&p.child(key), m, FILE_MODE_ERROR_MSG)]
        }
        _ => Vec::new(),
    }
}

fn validate_key_to_paths(items: &[Value], p: &Path) -> ErrorList {
    let mut errs = Vec::new();
    for (i, kp) in items.iter().enumerate() {
        let ip = p.index(i);
        if str_of(kp, "key").is_empty() {
            errs.push(FieldError::required(&ip.child("key"), ""));
        }
        let path = str_of(kp, "path");
        if path.is_empty() {
            errs.push(FieldError::required(&ip.child("path"), ""));
        }
        errs.extend(validate_local_non_reserved_path(path, &ip.child("path")));
        errs.extend(validate_mode(kp, "mode", &ip));
    }
    errs
}

fn validate_one_volume_source(kind: &str, s: &Value, p: &Path) -> ErrorList {
    let mut errs = Vec::new();
    match kind {
        "emptyDir" => {
            if let Some(q) = s.get("sizeLimit").and_then(Value::as_str) {
                if Quantity::parse(q).is_ok_and(|q| q.sign() < 0) {
                    errs.push(FieldError::forbidden(
                        &p.child("sizeLimit"),
                        "SizeLimit field must be a valid resource quantity",
                    ));
                }
            }
            if let Some(m) = s.get("medium").and_then(Value::as_str) {
                if !["", "Memory", "HugePages"].contains(&m) && !m.starts_with("HugePages-") {
                    errs.push(FieldError::not_supported(
                        &p.child("medium"),
                        m,
                        &["", "Memory", "HugePages"],
                    ));
                }
            }
        }
        "hostPath" => {
            let path = str_of(s, "path");
            if path.is_empty() {
                errs.push(FieldError::required(&p.child("path"), ""));
                return errs;
            }
            errs.extend(validate_path_no_backsteps(path, &p.child("path")));
            if let Some(t) = s.get("type").and_then(Value::as_str) {
                let valid = [
                    "",
                    "BlockDevice",
                    "CharDevice",
                    "Directory",
                    "DirectoryOrCreate",
                    "File",
                    "FileOrCreate",
                    "Socket",
                ];
                if !valid.contains(&t) {
                    errs.push(FieldError::not_supported(&p.child("type"), t, &valid));
                }
            }
        }
        "secret" => {
            if str_of(s, "secretName").is_empty() {
                errs.push(FieldError::required(&p.child("secretName"), ""));
            }
            errs.extend(validate_mode(s, "defaultMode", p));
            errs.extend(validate_key_to_paths(arr(s, "items"), &p.child("items")));
        }
        "configMap" => {
            if str_of(s, "name").is_empty() {
                errs.push(FieldError::required(&p.child("name"), ""));
            }
            errs.extend(validate_mode(s, "defaultMode", p));
            errs.extend(validate_key_to_paths(arr(s, "items"), &p.child("items")));
        }
        "persistentVolumeClaim" if str_of(s, "claimName").is_empty() => {
            errs.push(FieldError::required(&p.child("claimName"), ""));
        }
        "nfs" => {
            if str_of(s, "server").is_empty() {
                errs.push(FieldError::required(&p.child("server"), ""));
            }
            let path = str_of(s, "path");
            if path.is_empty() {
                errs.push(FieldError::required(&p.child("path"), ""));
            }
            if !path.starts_with('/') {
                errs.push(FieldError::invalid(
                    &p.child("path"),
                    path,
                    "must be an absolute path",
                ));
            }
        }
        "downwardAPI" => {
            errs.extend(validate_mode(s, "defaultMode", p));
            for item in arr(s, "items") {
                // Go validates every item against the volume's own path (no index).
                errs.extend(validate_downward_api_volume_file(item, p));
            }
        }
        "csi" if str_of(s, "driver").is_empty() => {
            errs.push(FieldError::required(&p.child("driver"), ""));
        }
        "ephemeral" if !has(s, "volumeClaimTemplate") => {
            errs.push(FieldError::required(&p.child("volumeClaimTemplate"), ""));
        }
        "projected" => {
            errs.extend(validate_mode(s, "defaultMode", p));
            for (i, source) in arr(s, "sources").iter().enumerate() {
                let ip = p.child("sources").index(i);
                let mut n = 0;
                for k in ["secret", "configMap"] {
                    if let Some(src) = source.get(k).filter(|v| v.is_object()) {
                        n += 1;
                        if str_of(src, "name").is_empty() {
                            errs.push(FieldError::required(&ip.child(k).child("name"), ""));
                        }
                        errs.extend(validate_key_to_paths(
                            arr(src, "items"),
                            &ip.child(k).child("items"),
                        ));
                    }
                }
                if let Some(da) = source.get("downwardAPI").filter(|v| v.is_object()) {
                    n += 1;
                    for item in arr(da, "items") {
                        errs.extend(validate_downward_api_volume_file(
                            item,
                            &ip.child("downwardAPI"),
                        ));
                    }
                }
                if let Some(sat) = source.get("serviceAccountToken").filter(|v| v.is_object()) {
                    n += 1;
                    let sp = ip.child("serviceAccountToken");
                    let exp = int(sat, "expirationSeconds").unwrap_or(0);
                    if exp < 600 {
                        errs.push(FieldError::invalid(
                            &sp.child("expirationSeconds"),
                            exp,
                            "may not specify a duration less than 10 minutes",
                        ));
                    }
                    if exp > 1 << 32 {
                        errs.push(FieldError::invalid(
                            &sp.child("expirationSeconds"),
                            exp,
                            "may not specify a duration larger than 2^32 seconds",
                        ));
                    }
                    // Go reports the token path against the projected volume itself.
                    let path = str_of(sat, "path");
                    if path.is_empty() {
                        errs.push(FieldError::required(&p.child("path"), ""));
                    } else {
                        errs.extend(validate_local_non_reserved_path(path, &p.child("path")));
                    }
                }
                if has(source, "clusterTrustBundle") {
                    n += 1;
                }
                if n > 1 {
                    errs.push(FieldError::forbidden(
                        &ip,
                        "may not specify more than 1 volume type per source",
                    ));
                }
            }
        }
        _ => {}
    }
    errs
}

const VOLUME_FIELD_PATHS: [&str; 5] = [
    "metadata.annotations",
    "metadata.labels",
    "metadata.name",
    "metadata.namespace",
    "metadata.uid",
];

/// `validateDownwardAPIVolumeFile`.
fn validate_downward_api_volume_file(file: &Value, p: &Path) -> ErrorList {
    let mut errs = Vec::new();
    let path = str_of(file, "path");
    if path.is_empty() {
        errs.push(FieldError::required(&p.child("path"), ""));
    }
    errs.extend(validate_local_non_reserved_path(path, &p.child("path")));
    if let Some(fr) = file.get("fieldRef").filter(|v| v.is_object()) {
        errs.extend(validate_object_field_selector(
            fr,
            &VOLUME_FIELD_PATHS,
            &p.child("fieldRef"),
        ));
        if has(file, "resourceFieldRef") {
            errs.push(FieldError::invalid(
                p,
                "resource",
                "fieldRef and resourceFieldRef can not be specified simultaneously",
            ));
        }
    } else if let Some(rr) = file.get("resourceFieldRef").filter(|v| v.is_object()) {
        if str_of(rr, "containerName").is_empty() {
            errs.push(FieldError::required(
                &p.child("resourceFieldRef").child("containerName"),
                "",
            ));
        } else {
            errs.extend(validate_resource_field_selector(
                rr,
                &p.child("resourceFieldRef"),
            ));
        }
    } else {
        errs.push(FieldError::required(
            p,
            "one of fieldRef and resourceFieldRef is required",
        ));
    }
    errs.extend(validate_mode(file, "mode", p));
    errs
}

/// Probes and their kind-specific rules.
fn validate_probe_kind(c: &Value, kind: &str, cp: &Path) -> ErrorList {
    let mut errs = Vec::new();
    let Some(probe) = c.get(kind).filter(|v| v.is_object()) else {
        return errs;
    };
    let p = cp.child(kind);
    errs.extend(validate_handler(probe, &p, None));
    for f in [
        "initialDelaySeconds",
        "timeoutSeconds",
        "periodSeconds",
        "successThreshold",
        "failureThreshold",
    ] {
        errs.extend(validate_nonnegative_field(
            int(probe, f).unwrap_or(0),
            &p.child(f),
        ));
    }
    if let Some(t) = int(probe, "terminationGracePeriodSeconds") {
        if kind == "readinessProbe" {
            errs.push(FieldError::invalid(
                &p.child("terminationGracePeriodSeconds"),
                t,
                "must not be set for readinessProbes",
            ));
        } else if t <= 0 {
            errs.push(FieldError::invalid(
                &p.child("terminationGracePeriodSeconds"),
                t,
                "must be greater than 0",
            ));
        }
    }
    let st = int(probe, "successThreshold").unwrap_or(0);
    if (kind == "livenessProbe" || kind == "startupProbe") && st != 1 {
        errs.push(FieldError::invalid(
            &p.child("successThreshold"),
            st,
            "must be 1",
        ));
    }
    errs
}

/// `validateHandler`: exactly one of exec, httpGet, tcpSocket, grpc (probes), sleep (hooks).
///
/// `lifecycle` is `Some(terminationGracePeriodSeconds)` for lifecycle hooks (which allow
/// `sleep`), `None` for probes (which allow `grpc`).
fn validate_handler(h: &Value, p: &Path, lifecycle: Option<Option<i64>>) -> ErrorList {
    let mut errs = Vec::new();
    let kinds: &[&str] = if lifecycle.is_some() {
        &["exec", "httpGet", "tcpSocket", "sleep"]
    } else {
        &["exec", "httpGet", "tcpSocket", "grpc"]
    };
    let mut n = 0;
    for k in kinds {
        let Some(a) = h.get(*k).filter(|v| v.is_object()) else {
            continue;
        };
        let kp = p.child(k);
        if n > 0 {
            errs.push(FieldError::forbidden(
                &kp,
                "may not specify more than 1 handler type",
            ));
            continue;
        }
        n += 1;
        match *k {
            "exec" if arr(a, "command").is_empty() => {
                errs.push(FieldError::required(&kp.child("command"), ""));
            }
            "httpGet" => {
                if str_of(a, "path").is_empty() {
                    errs.push(FieldError::required(&kp.child("path"), ""));
                }
                errs.extend(validate_port_num_or_name(a.get("port"), &kp.child("port")));
                let scheme = str_of(a, "scheme");
                if scheme != "HTTP" && scheme != "HTTPS" {
                    errs.push(FieldError::not_supported(
                        &kp.child("scheme"),
                        scheme,
                        &["HTTP", "HTTPS"],
                    ));
                }
            }
            "tcpSocket" => {
                errs.extend(validate_port_num_or_name(a.get("port"), &kp.child("port")));
            }
            "grpc" => {
                let port = int(a, "port").unwrap_or(0);
                for m in names::is_valid_port_num(port) {
                    errs.push(FieldError::invalid(&kp.child("port"), port, &m));
                }
            }
            "sleep" => {
                // PodLifecycleSleepActionAllowZero is on by default in 1.33.
                let s = int(a, "seconds").unwrap_or(0);
                if let Some(Some(grace)) = lifecycle {
                    if s < 0 || s > grace {
                        errs.push(FieldError::invalid(
                            &kp,
                            s,
                            &format!("must be non-negative and less than terminationGracePeriodSeconds ({grace})"),
                        ));
                    }
                }
            }
            _ => {}
        }
    }
    if n == 0 {
        errs.push(FieldError::required(p, "must specify a handler type"));
    }
    errs
}

/// `ValidatePortNumOrName` for an IntOrString port.
pub fn validate_port_num_or_name(port: Option<&Value>, p: &Path) -> ErrorList {
    match port {
        Some(Value::String(s)) => names::is_valid_port_name(s)
            .into_iter()
            .map(|m| FieldError::invalid(p, s, &m))
            .collect(),
        Some(v) => {
            let n = v.as_i64().unwrap_or(0);
            names::is_valid_port_num(n)
                .into_iter()
                .map(|m| FieldError::invalid(p, n, &m))
                .collect()
        }
        None => names::is_valid_port_num(0)
            .into_iter()
            .map(|m| FieldError::invalid(p, 0i64, &m))
            .collect(),
    }
}

/// Standard single-word resource names (`IsStandardResourceName`).
const STANDARD_RESOURCES: [&str; 19] = [
    "cpu",
    "memory",
    "ephemeral-storage",
    "requests.cpu",
    "requests.memory",
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
    "requests.storage",
];

fn is_huge_pages(name: &str) -> bool {
    name.starts_with("hugepages-")
}

/// `IsNativeResource`: no prefix or a `kubernetes.io/` prefix.
fn is_native_resource(name: &str) -> bool {
    !name.contains('/') || name.contains("kubernetes.io/")
}

/// `IsOvercommitAllowed`: native resources other than huge pages.
pub fn is_overcommit_allowed(name: &str) -> bool {
    is_native_resource(name) && !is_huge_pages(name)
}

/// `IsIntegerResourceName`: object counts and extended resources.
fn is_integer_resource_name(name: &str) -> bool {
    [
        "pods",
        "services",
        "replicationcontrollers",
        "resourcequotas",
        "secrets",
        "configmaps",
        "persistentvolumeclaims",
        "services.nodeports",
        "services.loadbalancers",
    ]
    .contains(&name)
        || name.starts_with("count/")
        || (!is_native_resource(name) && !name.starts_with("requests."))
}

/// `validateResourceName`.
pub fn validate_resource_name(name: &str, p: &Path) -> ErrorList {
    let mut errs: ErrorList = names::is_qualified_name(name)
        .into_iter()
        .map(|m| FieldError::invalid(p, name, &m))
        .collect();
    if !errs.is_empty() {
        return errs;
    }
    if !name.contains('/') && !STANDARD_RESOURCES.contains(&name) && !is_huge_pages(name) {
        errs.push(FieldError::invalid(
            p,
            name,
            "must be a standard resource type or fully qualified",
        ));
    }
    errs
}

/// `validateContainerResourceName`.
pub fn validate_container_resource_name(name: &str, p: &Path) -> ErrorList {
    let mut errs = validate_resource_name(name, p);
    if !name.contains('/') {
        if !["cpu", "memory", "ephemeral-storage"].contains(&name) && !is_huge_pages(name) {
            errs.push(FieldError::invalid(
                p,
                name,
                "must be a standard resource for containers",
            ));
        }
    } else if !is_native_resource(name) && name.starts_with("requests.") {
        errs.push(FieldError::invalid(
            p,
            name,
            "doesn't follow extended resource name standard",
        ));
    }
    errs
}

/// `ValidateResourceQuantityValue`: non-negative, whole for integer resources.
pub fn validate_resource_quantity_value(name: &str, q: &Quantity, p: &Path) -> ErrorList {
    let mut errs = Vec::new();
    if q.sign() < 0 {
        errs.push(FieldError::invalid(
            p,
            q.to_string(),
            super::meta::IS_NEGATIVE_ERROR_MSG,
        ));
    }
    if is_integer_resource_name(name) && q.milli_value() % 1000 != 0 {
        errs.push(FieldError::invalid(
            p,
            BadValue::Raw(q.to_string()),
            "must be an integer",
        ));
    }
    errs
}

/// Parses the quantities of a resource list (the decoder already rejected malformed ones;
/// one that slipped through is reported, never a panic).
pub fn quantities(v: &Value, key: &str, p: &Path) -> (Vec<(String, Quantity)>, ErrorList) {
    let mut out = Vec::new();
    let mut errs = Vec::new();
    let mut pairs: Vec<(&String, &Value)> =
        obj(v, key).map(|m| m.iter().collect()).unwrap_or_default();
    pairs.sort_by(|a, b| a.0.cmp(b.0));
    for (name, raw) in pairs {
        let text = match raw {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        match Quantity::parse(&text) {
            Ok(q) => out.push((name.clone(), q)),
            Err(e) => errs.push(FieldError::invalid(
                &p.child(key).key(name),
                text.as_str(),
                e,
            )),
        }
    }
    (out, errs)
}

/// `ValidateContainerResourceRequirements`.
fn validate_container_resources(res: &Value, p: &Path) -> ErrorList {
    let lim_path = p.child("limits");
    let req_path = p.child("requests");
    let (limits, mut errs) = quantities(res, "limits", p);
    let (requests, rerrs) = quantities(res, "requests", p);
    errs.extend(rerrs);
    let mut lim_cpu_mem = false;
    let mut req_cpu_mem = false;
    let mut huge = false;
    for (name, q) in &limits {
        let fp = lim_path.key(name);
        errs.extend(validate_container_resource_name(name, &fp));
        errs.extend(validate_resource_quantity_value(name, q, &fp));
        huge |= is_huge_pages(name);
        lim_cpu_mem |= name == "cpu" || name == "memory";
    }
    for (name, q) in &requests {
        let fp = req_path.key(name);
        errs.extend(validate_container_resource_name(name, &fp));
        errs.extend(validate_resource_quantity_value(name, q, &fp));
        if let Some((_, limit)) = limits.iter().find(|(n, _)| n == name) {
            let ord = q.cmp_quantity(limit);
            if ord != std::cmp::Ordering::Equal && !is_overcommit_allowed(name) {
                errs.push(FieldError::invalid(
                    &req_path,
                    q.to_string(),
                    &format!("must be equal to {name} limit of {limit}"),
                ));
            } else if ord == std::cmp::Ordering::Greater {
                errs.push(FieldError::invalid(
                    &req_path,
                    q.to_string(),
                    &format!("must be less than or equal to {name} limit of {limit}"),
                ));
            }
        } else if !is_overcommit_allowed(name) {
            errs.push(FieldError::required(
                &lim_path,
                "Limit must be set for non overcommitable resources",
            ));
        }
        huge |= is_huge_pages(name);
        req_cpu_mem |= name == "cpu" || name == "memory";
    }
    if !lim_cpu_mem && !req_cpu_mem && huge {
        errs.push(FieldError::forbidden(p, "HugePages require cpu or memory"));
    }
    errs
}

/// `IsValidUserID`/`IsValidGroupID` range.
fn validate_id(v: &Value, key: &str, p: &Path) -> ErrorList {
    match int(v, key) {
        Some(id) if !(0..=MAX_INT32).contains(&id) => vec![FieldError::invalid(
            &p.child(key),
            id,
            &names::inclusive_range_error(0, MAX_INT32),
        )],
        _ => Vec::new(),
    }
}

/// `validatePodSpecSecurityContext` (ids and groups).
fn validate_pod_security_context(sc: &Value, p: &Path) -> ErrorList {
    let mut errs = Vec::new();
    if !sc.is_object() {
        return errs;
    }
    for k in ["runAsUser", "runAsGroup", "fsGroup"] {
        errs.extend(validate_id(sc, k, p));
    }
    for (i, g) in arr(sc, "supplementalGroups").iter().enumerate() {
        let g = g.as_i64().unwrap_or(0);
        if !(0..=MAX_INT32).contains(&g) {
            errs.push(FieldError::invalid(
                &p.child("supplementalGroups").index(i),
                g,
                &names::inclusive_range_error(0, MAX_INT32),
            ));
        }
    }
    if let Some(policy) = sc.get("fsGroupChangePolicy").and_then(Value::as_str) {
        if policy != "OnRootMismatch" && policy != "Always" {
            errs.push(FieldError::not_supported(
                &p.child("fsGroupChangePolicy"),
                policy,
                &["Always", "OnRootMismatch"],
            ));
        }
    }
    errs
}

/// `ValidateSecurityContext` of a container (ids and the privilege-escalation rules). Go prints
/// the whole `core.SecurityContext` struct as the bad value, pointer addresses included (they
/// differ on every run); kubestep prints its frame, `core.SecurityContext{...}`.
fn validate_security_context(sc: &Value, p: &Path) -> ErrorList {
    let mut errs = Vec::new();
    if !sc.is_object() {
        return errs;
    }
    errs.extend(validate_id(sc, "runAsUser", p));
    errs.extend(validate_id(sc, "runAsGroup", p));
    if boolean(sc, "allowPrivilegeEscalation") == Some(false) {
        if boolean(sc, "privileged") == Some(true) {
            errs.push(FieldError::invalid(
                p,
                BadValue::Raw("core.SecurityContext{...}".into()),
                "cannot set `allowPrivilegeEscalation` to false and `privileged` to true",
            ));
        }
        let adds = strings(sub(sc, "capabilities"), "add");
        if adds.contains(&"CAP_SYS_ADMIN") || adds.contains(&"SYS_ADMIN") {
            errs.push(FieldError::invalid(
                p,
                BadValue::Raw("core.SecurityContext{...}".into()),
                "cannot set `allowPrivilegeEscalation` to false and `capabilities.Add` CAP_SYS_ADMIN",
            ));
        }
    }
    errs
}

/// `ValidateTolerations`.
pub fn validate_tolerations(tolerations: &[Value], p: &Path) -> ErrorList {
    let mut errs = Vec::new();
    for (i, t) in tolerations.iter().enumerate() {
        let ip = p.index(i);
        let key = str_of(t, "key");
        let op = str_of(t, "operator");
        let value = str_of(t, "value");
        let effect = str_of(t, "effect");
        if !key.is_empty() {
            errs.extend(validate_label_name(key, &ip.child("key")));
        }
        if key.is_empty() && op != "Exists" {
            errs.push(FieldError::invalid(
                &ip.child("operator"),
                op,
                "operator must be Exists when `key` is empty, which means \"match all values and all keys\"",
            ));
        }
        if has(t, "tolerationSeconds") && effect != "NoExecute" {
            errs.push(FieldError::invalid(
                &ip.child("effect"),
                effect,
                "effect must be 'NoExecute' when `tolerationSeconds` is set",
            ));
        }
        match op {
            "Equal" | "" => {
                let msgs = names::is_valid_label_value(value);
                if !msgs.is_empty() {
                    errs.push(FieldError::invalid(
                        &ip.child("operator"),
                        value,
                        &msgs.join(";"),
                    ));
                }
            }
            "Exists" => {
                if !value.is_empty() {
                    errs.push(FieldError::invalid(
                        &ip.child("operator"),
                        value,
                        "value must be empty when `operator` is 'Exists'",
                    ));
                }
            }
            other => errs.push(FieldError::not_supported(
                &ip.child("operator"),
                other,
                &["Equal", "Exists"],
            )),
        }
        if !effect.is_empty() {
            errs.extend(validate_taint_effect(effect, &ip.child("effect")));
        }
    }
    errs
}

/// `validateTaintEffect` (an empty effect is allowed in tolerations, checked by the caller).
pub fn validate_taint_effect(effect: &str, p: &Path) -> ErrorList {
    match effect {
        "NoSchedule" | "PreferNoSchedule" | "NoExecute" => Vec::new(),
        other => vec![FieldError::not_supported(
            p,
            other,
            &["NoSchedule", "PreferNoSchedule", "NoExecute"],
        )],
    }
}

/// `validateAffinity`: node affinity terms and pod (anti-)affinity terms.
fn validate_affinity(a: &Value, p: &Path) -> ErrorList {
    let mut errs = Vec::new();
    if !a.is_object() {
        return errs;
    }
    let na = sub(a, "nodeAffinity");
    if na.is_object() {
        let np = p.child("nodeAffinity");
        let req = sub(na, "requiredDuringSchedulingIgnoredDuringExecution");
        if req.is_object() {
            errs.extend(validate_node_selector(
                req,
                &np.child("requiredDuringSchedulingIgnoredDuringExecution"),
            ));
        }
        for (i, term) in arr(na, "preferredDuringSchedulingIgnoredDuringExecution")
            .iter()
            .enumerate()
        {
            let tp = np
                .child("preferredDuringSchedulingIgnoredDuringExecution")
                .index(i);
            let w = int(term, "weight").unwrap_or(0);
            if !(1..=100).contains(&w) {
                errs.push(FieldError::invalid(
                    &tp.child("weight"),
                    w,
                    "must be in the range 1-100",
                ));
            }
            errs.extend(validate_node_selector_term(
                sub(term, "preference"),
                &tp.child("preference"),
            ));
        }
    }
    for kind in ["podAffinity", "podAntiAffinity"] {
        let pa = sub(a, kind);
        if !pa.is_object() {
            continue;
        }
        let kp = p.child(kind);
        for (i, term) in arr(pa, "requiredDuringSchedulingIgnoredDuringExecution")
            .iter()
            .enumerate()
        {
            errs.extend(validate_pod_affinity_term(
                term,
                &kp.child("requiredDuringSchedulingIgnoredDuringExecution")
                    .index(i),
            ));
        }
        for (i, term) in arr(pa, "preferredDuringSchedulingIgnoredDuringExecution")
            .iter()
            .enumerate()
        {
            let tp = kp
                .child("preferredDuringSchedulingIgnoredDuringExecution")
                .index(i);
            let w = int(term, "weight").unwrap_or(0);
            if !(1..=100).contains(&w) {
                errs.push(FieldError::invalid(
                    &tp.child("weight"),
                    w,
                    "must be in the range 1-100",
                ));
            }
            errs.extend(validate_pod_affinity_term(
                sub(term, "podAffinityTerm"),
                &tp.child("podAffinityTerm"),
            ));
        }
    }
    errs
}

/// `ValidateNodeSelector`.
fn validate_node_selector(ns: &Value, p: &Path) -> ErrorList {
    let terms = arr(ns, "nodeSelectorTerms");
    let tp = p.child("nodeSelectorTerms");
    if terms.is_empty() {
        return vec![FieldError::required(
            &tp,
            "must have at least one node selector term",
        )];
    }
    terms
        .iter()
        .enumerate()
        .flat_map(|(i, t)| validate_node_selector_term(t, &tp.index(i)))
        .collect()
}

/// `ValidateNodeSelectorTerm`.
fn validate_node_selector_term(term: &Value, p: &Path) -> ErrorList {
    let mut errs = Vec::new();
    for (j, rq) in arr(term, "matchExpressions").iter().enumerate() {
        let rp = p.child("matchExpressions").index(j);
        let values = strings(rq, "values");
        match str_of(rq, "operator") {
            "In" | "NotIn" => {
                if values.is_empty() {
                    errs.push(FieldError::required(
                        &rp.child("values"),
                        "must be specified when `operator` is 'In' or 'NotIn'",
                    ));
                }
            }
            "Exists" | "DoesNotExist" => {
                if !values.is_empty() {
                    errs.push(FieldError::forbidden(
                        &rp.child("values"),
                        "may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
                    ));
                }
            }
            "Gt" | "Lt" => {
                if values.len() != 1 {
                    errs.push(FieldError::required(
                        &rp.child("values"),
                        "must be specified single value when `operator` is 'Lt' or 'Gt'",
                    ));
                }
            }
            other => errs.push(FieldError::not_supported(
                &rp.child("operator"),
                other,
                &["In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt"],
            )),
        }
        errs.extend(validate_label_name(str_of(rq, "key"), &rp.child("key")));
        for (k, v) in values.iter().enumerate() {
            for m in names::is_valid_label_value(v) {
                errs.push(FieldError::invalid(&rp.child("values").index(k), *v, &m));
            }
        }
    }
    errs
}

/// `validatePodAffinityTerm`.
fn validate_pod_affinity_term(term: &Value, p: &Path) -> ErrorList {
    let mut errs = validate_label_selector(sub(term, "labelSelector"), &p.child("labelSelector"));
    errs.extend(validate_label_selector(
        sub(term, "namespaceSelector"),
        &p.child("namespaceSelector"),
    ));
    for ns in strings(term, "namespaces") {
        for m in names::is_dns1123_label(ns) {
            errs.push(FieldError::invalid(&p.child("namespace"), ns, &m));
        }
    }
    let tk = str_of(term, "topologyKey");
    if tk.is_empty() {
        errs.push(FieldError::required(
            &p.child("topologyKey"),
            "can not be empty",
        ));
    }
    errs.extend(validate_label_name(tk, &p.child("topologyKey")));
    errs
}

/// `validateTopologySpreadConstraints`.
fn validate_topology_spread_constraints(cs: &[Value], p: &Path) -> ErrorList {
    let mut errs = Vec::new();
    for (i, c) in cs.iter().enumerate() {
        let ip = p.index(i);
        let skew = int(c, "maxSkew").unwrap_or(0);
        if skew <= 0 {
            errs.push(FieldError::invalid(
                &ip.child("maxSkew"),
                skew,
                "must be greater than zero",
            ));
        }
        let tk = str_of(c, "topologyKey");
        if tk.is_empty() {
            errs.push(FieldError::required(
                &ip.child("topologyKey"),
                "can not be empty",
            ));
        } else {
            errs.extend(validate_label_name(tk, &ip.child("topologyKey")));
        }
        let wu = str_of(c, "whenUnsatisfiable");
        if wu != "DoNotSchedule" && wu != "ScheduleAnyway" {
            errs.push(FieldError::not_supported(
                &ip.child("whenUnsatisfiable"),
                wu,
                &["DoNotSchedule", "ScheduleAnyway"],
            ));
        }
        let repeated = cs[i + 1..]
            .iter()
            .any(|o| str_of(o, "topologyKey") == tk && str_of(o, "whenUnsatisfiable") == wu);
        if repeated {
            errs.push(FieldError::duplicate(
                &ip.child("{topologyKey, whenUnsatisfiable}"),
                BadValue::Raw(format!("{{{tk}, {wu}}}")),
            ));
        }
        if let Some(md) = int(c, "minDomains") {
            if md <= 0 {
                errs.push(FieldError::invalid(
                    &ip.child("minDomains"),
                    md,
                    "must be greater than zero",
                ));
            } else if wu != "DoNotSchedule" {
                errs.push(FieldError::invalid(
                    &ip.child("minDomains"),
                    md,
                    "can only use minDomains if whenUnsatisfiable=DoNotSchedule, not ScheduleAnyway",
                ));
            }
        }
        errs.extend(validate_label_selector(
            sub(c, "labelSelector"),
            &ip.child("labelSelector"),
        ));
    }
    errs
}

/// The message prefix of `ValidatePodUpdate`'s catch-all rule.
pub const POD_UPDATE_FORBIDDEN_MSG: &str = "pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)";

/// `ValidatePodUpdate`.
///
/// The catch-all error carries, after its fixed prefix and a newline, a diff of the spec. Real
/// kube-apiserver prints a `go-cmp` diff of the internal `core.PodSpec`, whose layout go-cmp
/// deliberately randomises between runs, so it cannot be reproduced byte for byte: kubestep
/// prints the same prefix, then one `-`/`+` line pair per changed top-level spec field, in
/// go-cmp's `core.PodSpec{ ... }` frame with Go field names and JSON values.
pub fn validate_pod_update(new: &Value, old: &Value) -> ErrorList {
    let mp = Path::new("metadata");
    let mut errs = validate_object_meta_update(sub(new, "metadata"), sub(old, "metadata"), &mp);
    errs.extend(validate_pod_metadata_and_spec(new));
    let sp = Path::new("spec");
    let ns = sub(new, "spec");
    let os = sub(old, "spec");
    for list in ["containers", "initContainers"] {
        let nc = arr(ns, list);
        let oc = arr(os, list);
        if nc.len() != oc.len() {
            errs.push(FieldError::forbidden(
                &sp.child(list),
                "pod updates may not add or remove containers",
            ));
            return errs;
        }
        for (i, c) in nc.iter().enumerate() {
            let image = str_of(c, "image");
            if image.is_empty() {
                errs.push(FieldError::required(
                    &sp.child(list).index(i).child("image"),
                    "",
                ));
            }
            if image.trim() != image {
                errs.push(FieldError::invalid(
                    &sp.child(list).index(i).child("image"),
                    image,
                    "must not have leading or trailing whitespace",
                ));
            }
        }
    }
    match (
        int(ns, "activeDeadlineSeconds"),
        int(os, "activeDeadlineSeconds"),
    ) {
        (Some(n), old_ads) => {
            if !(0..=MAX_INT32).contains(&n) {
                errs.push(FieldError::invalid(
                    &sp.child("activeDeadlineSeconds"),
                    n,
                    &names::inclusive_range_error(0, MAX_INT32),
                ));
                return errs;
            }
            if old_ads.is_some_and(|o| o < n) {
                errs.push(FieldError::invalid(
                    &sp.child("activeDeadlineSeconds"),
                    n,
                    "must be less than or equal to previous value",
                ));
                return errs;
            }
        }
        (None, Some(_)) => errs.push(FieldError::invalid(
            &sp.child("activeDeadlineSeconds"),
            BadValue::Null,
            "must not update from a positive integer to nil value",
        )),
        (None, None) => {}
    }
    // Only additions to tolerations (tolerationSeconds may change).
    let strip = |t: &Value| {
        let mut t = t.clone();
        if let Some(m) = t.as_object_mut() {
            m.remove("tolerationSeconds");
        }
        t
    };
    let new_tols = arr(ns, "tolerations");
    for old_t in arr(os, "tolerations") {
        let o = strip(old_t);
        if !new_tols
            .iter()
            .any(|n| semantic_eq(Some(&strip(n)), Some(&o)))
        {
            errs.push(FieldError::forbidden(
                &sp.child("tolerations"),
                "existing toleration can not be modified except its tolerationSeconds",
            ));
            break;
        }
    }
    // Only deletions of scheduling gates.
    let old_gates: Vec<&str> = arr(os, "schedulingGates")
        .iter()
        .map(|g| str_of(g, "name"))
        .collect();
    for (i, g) in arr(ns, "schedulingGates").iter().enumerate() {
        let name = str_of(g, "name");
        if !old_gates.contains(&name) {
            errs.push(FieldError::forbidden(
                &sp.child("schedulingGates").index(i).child("name"),
                &format!("only deletion is allowed, but found new scheduling gate '{name}'"),
            ));
        }
    }
    if semantic_eq(Some(ns), Some(os)) {
        return errs;
    }
    let munged = munge_pod_spec(ns, os);
    if !semantic_eq(Some(&munged), Some(os)) {
        errs.push(FieldError::forbidden(
            &sp,
            &format!(
                "{POD_UPDATE_FORBIDDEN_MSG}\n{}",
                go_cmp_diff("core.PodSpec", os, &munged)
            ),
        ));
    }
    errs
}

/// The new spec with the updatable fields taken from the old one.
fn munge_pod_spec(ns: &Value, os: &Value) -> Value {
    let mut m = ns.clone();
    let Some(map) = m.as_object_mut() else {
        return m;
    };
    for list in ["containers", "initContainers"] {
        if let Some(Value::Array(cs)) = map.get_mut(list) {
            for (i, c) in cs.iter_mut().enumerate() {
                let old_image = arr(os, list).get(i).and_then(|o| o.get("image")).cloned();
                if let (Some(obj), Some(img)) = (c.as_object_mut(), old_image) {
                    obj.insert("image".into(), img);
                }
            }
        }
    }
    for f in ["activeDeadlineSeconds", "schedulingGates", "tolerations"] {
        match os.get(f) {
            Some(v) => {
                map.insert(f.into(), v.clone());
            }
            None => {
                map.remove(f);
            }
        }
    }
    let old_grace = int(os, "terminationGracePeriodSeconds");
    if old_grace.is_some_and(|g| g < 0) && int(ns, "terminationGracePeriodSeconds") == Some(1) {
        map.insert(
            "terminationGracePeriodSeconds".into(),
            Value::from(old_grace.unwrap_or_default()),
        );
    }
    m
}

/// The Go field name go-cmp prints for a JSON field of `core.PodSpec`.
fn go_field_name(json: &str) -> String {
    match json {
        "dnsPolicy" => "DNSPolicy".into(),
        "dnsConfig" => "DNSConfig".into(),
        "hostIPC" => "HostIPC".into(),
        "hostPID" => "HostPID".into(),
        "os" => "OS".into(),
        _ => {
            let mut c = json.chars();
            match c.next() {
                Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
                None => String::new(),
            }
        }
    }
}

/// kubestep's rendering of the `cmp.Diff` kube-apiserver appends to "may not change" errors:
/// go-cmp's `Type{ ... }` frame with one `-`/`+` pair per changed top-level field (Go field
/// names, JSON values). go-cmp randomises its own layout, so no rendering can match it byte
/// for byte.
pub fn go_cmp_diff(type_name: &str, old: &Value, new: &Value) -> String {
    let mut keys: Vec<&String> = Vec::new();
    for v in [old, new] {
        if let Some(m) = v.as_object() {
            for k in m.keys() {
                if !keys.contains(&k) {
                    keys.push(k);
                }
            }
        }
    }
    let mut out = format!("  {type_name}{{\n");
    let mut identical = 0;
    for k in keys {
        let (o, n) = (old.get(k.as_str()), new.get(k.as_str()));
        if semantic_eq(o, n) {
            identical += 1;
            continue;
        }
        if identical > 0 {
            out.push_str(&format!("  \t... // {identical} identical fields\n"));
            identical = 0;
        }
        let name = go_field_name(k);
        if let Some(o) = o {
            out.push_str(&format!("- \t{name}: {o},\n"));
        }
        if let Some(n) = n {
            out.push_str(&format!("+ \t{name}: {n},\n"));
        }
    }
    if identical > 0 {
        out.push_str(&format!("  \t... // {identical} identical fields\n"));
    }
    out.push_str("  }\n");
    out
}
