//! The Service REST storage's allocation step (pkg/registry/core/service/storage/alloc.go),
//! which runs on create after mutating admission and before the strategy and validation:
//! IP family fields for this single-stack IPv4 cluster, the ClusterIP, the NodePorts (shared by
//! ports with the same number) and the health-check NodePort, with the real errors. On any
//! error everything this call allocated is released again.

use serde_json::{json, Value};

use super::ipallocator::{ClusterIpAllocator, IpAllocError};
use super::portallocator::{NodePortAllocator, PortAllocError};
use super::AdmissionError;
use crate::sim::Rng;

fn svc_name(svc: &Value) -> String {
    super::meta_str(svc, "name").to_string()
}

/// Go's `%#v` of a `[]string`: `[]string{"10.96.0.10"}`.
fn go_string_slice(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|s| format!("{s:?}")).collect();
    format!("[]string{{{}}}", quoted.join(", "))
}

fn str_list(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_string)
        .collect()
}

/// Allocates what a new Service needs and writes it into `svc` (`clusterIP`, `clusterIPs`,
/// `ipFamilies`, `ipFamilyPolicy`, `ports[].nodePort`, `healthCheckNodePort`). Returns a note.
pub fn allocate_create(
    svc: &mut Value,
    ips: &mut ClusterIpAllocator,
    ports: &mut NodePortAllocator,
    rng: &mut Rng,
) -> Result<String, AdmissionError> {
    let mut taken_ips: Vec<String> = Vec::new();
    let mut taken_ports: Vec<i64> = Vec::new();
    let result = allocate_inner(svc, ips, ports, rng, &mut taken_ips, &mut taken_ports);
    if result.is_err() {
        for ip in &taken_ips {
            ips.release(ip);
        }
        for p in &taken_ports {
            ports.release(*p);
        }
    }
    result
}

fn allocate_inner(
    svc: &mut Value,
    ips: &mut ClusterIpAllocator,
    ports: &mut NodePortAllocator,
    rng: &mut Rng,
    taken_ips: &mut Vec<String>,
    taken_ports: &mut Vec<i64>,
) -> Result<String, AdmissionError> {
    let name = svc_name(svc);
    let Some(spec) = svc.get_mut("spec").and_then(Value::as_object_mut) else {
        return Ok(String::new());
    };
    let ty = spec
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or("ClusterIP")
        .to_string();
    if ty == "ExternalName" {
        return Ok(String::new());
    }
    let mut notes = Vec::new();

    // normalizeClusterIPs: clusterIP and clusterIPs agree.
    let mut cluster_ips = str_list(spec.get("clusterIPs"));
    let cluster_ip = spec
        .get("clusterIP")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    if cluster_ips.is_empty() && !cluster_ip.is_empty() {
        cluster_ips = vec![cluster_ip.clone()];
    }
    let headless = cluster_ips.first().map(String::as_str) == Some("None");

    // initIPFamilyFields for a single-stack IPv4 cluster.
    let has_selector = spec
        .get("selector")
        .and_then(Value::as_object)
        .is_some_and(|s| !s.is_empty());
    let policy = spec
        .get("ipFamilyPolicy")
        .and_then(Value::as_str)
        .map(str::to_string);
    if policy.as_deref() == Some("RequireDualStack") && (has_selector || !headless) {
        return Err(AdmissionError::invalid(
            "",
            "Service",
            &name,
            "spec.ipFamilyPolicy",
            "\"RequireDualStack\"",
            "this cluster is not configured for dual-stack services",
        ));
    }
    for (i, fam) in str_list(spec.get("ipFamilies")).iter().enumerate() {
        if fam != "IPv4" {
            return Err(AdmissionError::invalid(
                "",
                "Service",
                &name,
                &format!("spec.ipFamilies[{i}]"),
                &format!("{fam:?}"),
                "not configured on this cluster",
            ));
        }
    }
    if policy.is_none() {
        let p = if headless && !has_selector {
            "RequireDualStack"
        } else {
            "SingleStack"
        };
        spec.insert("ipFamilyPolicy".into(), Value::from(p));
    }
    if str_list(spec.get("ipFamilies")).is_empty() {
        spec.insert("ipFamilies".into(), json!(["IPv4"]));
    }

    // txnAllocClusterIPs
    if headless {
        spec.insert("clusterIP".into(), Value::from("None"));
        spec.insert("clusterIPs".into(), json!(["None"]));
    } else if cluster_ips.is_empty() {
        let ip = ips.allocate_next(rng).map_err(|e| {
            AdmissionError::internal(&format!("failed to allocate a serviceIP: {e}"))
        })?;
        taken_ips.push(ip.clone());
        notes.push(format!("allocated clusterIP {ip}"));
        spec.insert("clusterIP".into(), Value::from(ip.clone()));
        spec.insert("clusterIPs".into(), json!([ip]));
    } else {
        let ip = cluster_ips[0].clone();
        if let Err(e) = ips.allocate(&ip) {
            return Err(AdmissionError::invalid(
                "",
                "Service",
                &name,
                "spec.clusterIPs",
                &go_string_slice(&cluster_ips),
                &format!("failed to allocate IP {ip}: {e}"),
            ));
        }
        taken_ips.push(ip.clone());
        notes.push(format!("reserved requested clusterIP {ip}"));
        spec.insert("clusterIP".into(), Value::from(ip.clone()));
        spec.insert("clusterIPs".into(), Value::from(cluster_ips.clone()));
    }

    // txnAllocNodePorts
    let allocate_lb_node_ports = spec
        .get("allocateLoadBalancerNodePorts")
        .and_then(Value::as_bool)
        != Some(false);
    let needs_node_ports = ty == "NodePort" || (ty == "LoadBalancer" && allocate_lb_node_ports);
    let port_err = |field: String, value: i64, e: PortAllocError| match e {
        PortAllocError::Full => {
            AdmissionError::internal(&format!("failed to allocate a nodePort: {e}"))
        }
        _ => AdmissionError::invalid(
            "",
            "Service",
            &name,
            &field,
            &value.to_string(),
            &e.to_string(),
        ),
    };
    if let Some(list) = spec.get_mut("ports").and_then(Value::as_array_mut) {
        // Explicit node ports first (they are claimed before any is generated).
        for (i, p) in list.iter().enumerate() {
            let np = p.get("nodePort").and_then(Value::as_i64).unwrap_or(0);
            if np != 0 && !taken_ports.contains(&np) && (needs_node_ports || ty == "LoadBalancer") {
                ports
                    .allocate(np)
                    .map_err(|e| port_err(format!("spec.ports[{i}].nodePort"), np, e))?;
                taken_ports.push(np);
                notes.push(format!("reserved requested nodePort {np}"));
            }
        }
        if needs_node_ports {
            for i in 0..list.len() {
                if list[i].get("nodePort").and_then(Value::as_i64).unwrap_or(0) != 0 {
                    continue;
                }
                // findRequestedNodePort: a port with the same number shares its node port.
                let port = list[i].get("port").cloned();
                let shared = list
                    .iter()
                    .filter(|q| q.get("port") == port.as_ref())
                    .filter_map(|q| q.get("nodePort").and_then(Value::as_i64))
                    .find(|np| *np != 0);
                let np = match shared {
                    Some(np) => np,
                    None => {
                        let np = ports
                            .allocate_next(rng)
                            .map_err(|e| port_err(format!("spec.ports[{i}].nodePort"), 0, e))?;
                        taken_ports.push(np);
                        notes.push(format!("allocated nodePort {np}"));
                        np
                    }
                };
                if let Some(m) = list[i].as_object_mut() {
                    m.insert("nodePort".into(), Value::from(np));
                }
            }
        }
    }
    let local = spec.get("externalTrafficPolicy").and_then(Value::as_str) == Some("Local");
    if ty == "LoadBalancer" && local {
        let requested = spec
            .get("healthCheckNodePort")
            .and_then(Value::as_i64)
            .unwrap_or(0);
        let hc = if requested != 0 {
            ports
                .allocate(requested)
                .map_err(|e| port_err("spec.healthCheckNodePort".into(), requested, e))?;
            requested
        } else {
            ports
                .allocate_next(rng)
                .map_err(|e| port_err("spec.healthCheckNodePort".into(), 0, e))?
        };
        taken_ports.push(hc);
        notes.push(format!("allocated healthCheckNodePort {hc}"));
        spec.insert("healthCheckNodePort".into(), Value::from(hc));
    }
    Ok(notes.join("; "))
}

/// Releases a deleted Service's ClusterIPs and NodePorts.
pub fn release(svc: &Value, ips: &mut ClusterIpAllocator, ports: &mut NodePortAllocator) {
    let spec = svc.get("spec");
    for ip in str_list(spec.and_then(|s| s.get("clusterIPs"))) {
        ips.release(&ip);
    }
    if let Some(ip) = spec
        .and_then(|s| s.get("clusterIP"))
        .and_then(Value::as_str)
    {
        ips.release(ip);
    }
    for p in spec
        .and_then(|s| s.get("ports"))
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if let Some(np) = p.get("nodePort").and_then(Value::as_i64) {
            ports.release(np);
        }
    }
    if let Some(hc) = spec
        .and_then(|s| s.get("healthCheckNodePort"))
        .and_then(Value::as_i64)
    {
        ports.release(hc);
    }
}

/// The allocator error for a requested IP, as the API returns it (for callers that allocate
/// outside `allocate_create`, e.g. the bootstrap `kubernetes` Service).
pub fn ip_error(name: &str, requested: &[String], ip: &str, e: &IpAllocError) -> AdmissionError {
    AdmissionError::invalid(
        "",
        "Service",
        name,
        "spec.clusterIPs",
        &go_string_slice(requested),
        &format!("failed to allocate IP {ip}: {e}"),
    )
}
