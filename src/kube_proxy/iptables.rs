//! The nat rules kube-proxy's iptables proxier (`pkg/proxy/iptables/proxier.go`) writes for
//! Services and their ready endpoints, printed the way `iptables-save -t nat` shows them
//! (`-d 10.96.0.1/32 -p tcp -m comment --comment "..." -m tcp --dport 443`).
//!
//! Chain names are `servicePortChainName` and `servicePortEndpointChainName`: the first 16
//! characters of the base32 of the sha256 of the service port name and protocol (and the
//! endpoint).

use std::collections::BTreeMap;

use serde_json::Value;
use sha2::{Digest, Sha256};

/// `portProtoHash`: base32(sha256(servicePortName + protocol))[:16].
pub fn port_proto_hash(service_port_name: &str, protocol: &str, endpoint: &str) -> String {
    let mut h = Sha256::new();
    h.update(service_port_name.as_bytes());
    h.update(protocol.as_bytes());
    h.update(endpoint.as_bytes());
    base32(&h.finalize())[..16].to_string()
}

/// RFC 4648 base32 (Go's `base32.StdEncoding`), padding left out (never reached in 16 chars).
fn base32(data: &[u8]) -> String {
    const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut out = String::new();
    let (mut buffer, mut bits) = (0u32, 0u32);
    for &b in data {
        buffer = (buffer << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            out.push(ALPHABET[((buffer >> (bits - 5)) & 31) as usize] as char);
            bits -= 5;
        }
    }
    if bits > 0 {
        out.push(ALPHABET[((buffer << (5 - bits)) & 31) as usize] as char);
    }
    out
}

/// `servicePortChainName`: `KUBE-SVC-...`.
pub fn service_chain(spn: &str, protocol: &str) -> String {
    format!(
        "KUBE-SVC-{}",
        port_proto_hash(spn, &protocol.to_lowercase(), "")
    )
}

/// `externalTrafficChainName`: `KUBE-EXT-...`.
pub fn external_chain(spn: &str, protocol: &str) -> String {
    format!(
        "KUBE-EXT-{}",
        port_proto_hash(spn, &protocol.to_lowercase(), "")
    )
}

/// `servicePortEndpointChainName`: `KUBE-SEP-...`, for endpoint `ip:port`.
pub fn endpoint_chain(spn: &str, protocol: &str, endpoint: &str) -> String {
    format!(
        "KUBE-SEP-{}",
        port_proto_hash(spn, &protocol.to_lowercase(), endpoint)
    )
}

/// iptables' statistic match stores the probability as a 31-bit fraction and prints it back
/// with 11 decimals; kube-proxy passes `%0.10f` of 1/(n-i).
fn probability(n: usize) -> String {
    let p: f64 = format!("{:.10}", 1.0 / n as f64).parse().unwrap_or(1.0);
    let stored = (p * 2_147_483_648.0).round();
    format!("{:.11}", stored / 2_147_483_648.0)
}

struct ServicePort {
    spn: String,
    protocol: String,
    cluster_ip: String,
    port: u64,
    node_port: Option<u64>,
    /// Ready endpoints as `ip:port`.
    endpoints: Vec<String>,
}

fn s<'a>(v: &'a Value, p: &str) -> &'a str {
    v.pointer(p).and_then(Value::as_str).unwrap_or("")
}

fn service_ports<'a>(
    services: impl Iterator<Item = &'a Value>,
    slices: impl Iterator<Item = &'a Value>,
) -> Vec<ServicePort> {
    // Ready endpoints by (namespace/service, port name): ip:port, from every slice.
    let mut endpoints: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    for slice in slices {
        if s(slice, "/addressType") != "IPv4" {
            continue;
        }
        let svc = s(slice, "/metadata/labels/kubernetes.io~1service-name");
        let ns = s(slice, "/metadata/namespace");
        for port in slice["ports"].as_array().into_iter().flatten() {
            let name = port["name"].as_str().unwrap_or("").to_string();
            let Some(num) = port["port"].as_u64() else {
                continue;
            };
            for ep in slice["endpoints"].as_array().into_iter().flatten() {
                // kube-proxy treats a missing `ready` as ready.
                if ep.pointer("/conditions/ready").and_then(Value::as_bool) == Some(false) {
                    continue;
                }
                if let Some(ip) = ep.pointer("/addresses/0").and_then(Value::as_str) {
                    endpoints
                        .entry((format!("{ns}/{svc}"), name.clone()))
                        .or_default()
                        .push(format!("{ip}:{num}"));
                }
            }
        }
    }
    let mut out = Vec::new();
    for svc in services {
        let cluster_ip = s(svc, "/spec/clusterIP");
        if cluster_ip.is_empty() || cluster_ip == "None" || s(svc, "/spec/type") == "ExternalName" {
            continue;
        }
        let nsname = format!(
            "{}/{}",
            s(svc, "/metadata/namespace"),
            s(svc, "/metadata/name")
        );
        for port in svc
            .pointer("/spec/ports")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let name = port["name"].as_str().unwrap_or("");
            let spn = if name.is_empty() {
                nsname.clone()
            } else {
                format!("{nsname}:{name}")
            };
            let mut eps = endpoints
                .get(&(nsname.clone(), name.to_string()))
                .cloned()
                .unwrap_or_default();
            eps.sort();
            eps.dedup();
            out.push(ServicePort {
                spn,
                protocol: port["protocol"].as_str().unwrap_or("TCP").to_lowercase(),
                cluster_ip: cluster_ip.to_string(),
                port: port["port"].as_u64().unwrap_or(0),
                node_port: port["nodePort"].as_u64(),
                endpoints: eps,
            });
        }
    }
    out.sort_by(|a, b| (&a.spn, &a.protocol).cmp(&(&b.spn, &b.protocol)));
    out
}

/// The nat table for these Services and EndpointSlices, `iptables-save -t nat` style:
/// built-in chains, then kube-proxy's chains in the kernel's (alphabetical) order, each with
/// its rules in the order kube-proxy wrote them.
pub fn render<'a>(
    services: impl Iterator<Item = &'a Value>,
    slices: impl Iterator<Item = &'a Value>,
    cluster_cidr: &str,
) -> String {
    let ports = service_ports(services, slices);
    let mut chains: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut add = |chain: &str, rule: String| {
        chains.entry(chain.to_string()).or_default().push(rule);
    };
    add("KUBE-MARK-MASQ", "-j MARK --set-xmark 0x4000/0x4000".into());
    add(
        "KUBE-POSTROUTING",
        "-m mark ! --mark 0x4000/0x4000 -j RETURN".into(),
    );
    add("KUBE-POSTROUTING", "-j MARK --set-xmark 0x4000/0x0".into());
    add(
        "KUBE-POSTROUTING",
        "-m comment --comment \"kubernetes service traffic requiring SNAT\" -j MASQUERADE --random-fully".into(),
    );
    let mut nodeports_chain = false;
    for p in &ports {
        if p.endpoints.is_empty() {
            // Without endpoints the filter table REJECTs (not shown in the nat table).
            continue;
        }
        let svc = service_chain(&p.spn, &p.protocol);
        let proto = &p.protocol;
        add(
            "KUBE-SERVICES",
            format!(
                "-d {}/32 -p {proto} -m comment --comment \"{} cluster IP\" -m {proto} --dport {} -j {svc}",
                p.cluster_ip, p.spn, p.port
            ),
        );
        add(
            &svc,
            format!(
                "! -s {cluster_cidr} -d {}/32 -p {proto} -m comment --comment \"{} cluster IP\" -m {proto} --dport {} -j KUBE-MARK-MASQ",
                p.cluster_ip, p.spn, p.port
            ),
        );
        if let Some(node_port) = p.node_port {
            nodeports_chain = true;
            let ext = external_chain(&p.spn, &p.protocol);
            add(
                "KUBE-NODEPORTS",
                format!("-p {proto} -m comment --comment \"{}\" -m {proto} --dport {node_port} -j {ext}", p.spn),
            );
            add(
                &ext,
                format!("-m comment --comment \"masquerade traffic for {} external destinations\" -j KUBE-MARK-MASQ", p.spn),
            );
            add(&ext, format!("-j {svc}"));
        }
        let n = p.endpoints.len();
        for (i, ep) in p.endpoints.iter().enumerate() {
            let sep = endpoint_chain(&p.spn, &p.protocol, ep);
            let rule = if i + 1 < n {
                format!(
                    "-m comment --comment \"{} -> {ep}\" -m statistic --mode random --probability {} -j {sep}",
                    p.spn,
                    probability(n - i)
                )
            } else {
                format!("-m comment --comment \"{} -> {ep}\" -j {sep}", p.spn)
            };
            add(&svc, rule);
            let ip = ep.rsplit_once(':').map(|(ip, _)| ip).unwrap_or(ep);
            add(
                &sep,
                format!(
                    "-s {ip}/32 -m comment --comment \"{}\" -j KUBE-MARK-MASQ",
                    p.spn
                ),
            );
            add(
                &sep,
                format!("-p {proto} -m comment --comment \"{}\" -m {proto} -j DNAT --to-destination {ep}", p.spn),
            );
        }
    }
    add(
        "KUBE-SERVICES",
        "-m comment --comment \"kubernetes service nodeports; NOTE: this must be the last rule in this chain\" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS".into(),
    );
    if !nodeports_chain {
        chains.entry("KUBE-NODEPORTS".into()).or_default();
    }
    let mut out = String::from("*nat\n");
    for builtin in ["PREROUTING", "INPUT", "OUTPUT", "POSTROUTING"] {
        out.push_str(&format!(":{builtin} ACCEPT [0:0]\n"));
    }
    for chain in chains.keys() {
        out.push_str(&format!(":{chain} - [0:0]\n"));
    }
    out.push_str(
        "-A PREROUTING -m comment --comment \"kubernetes service portals\" -j KUBE-SERVICES\n",
    );
    out.push_str(
        "-A OUTPUT -m comment --comment \"kubernetes service portals\" -j KUBE-SERVICES\n",
    );
    out.push_str("-A POSTROUTING -m comment --comment \"kubernetes postrouting rules\" -j KUBE-POSTROUTING\n");
    for (chain, rules) in &chains {
        for r in rules {
            out.push_str(&format!("-A {chain} {r}\n"));
        }
    }
    out.push_str("COMMIT\n");
    out
}
