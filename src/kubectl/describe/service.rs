//! Describers of Service networking: Service (with the endpoints its EndpointSlices list),
//! Endpoints, EndpointSlice and Ingress (whose backends are looked up as the Service
//! describer does).

use serde_json::Value;

use super::{
    arr, describe_events, format_labels, int_of, print_annotations_multiline,
    print_labels_multiline, str_of, Ctx, PrefixWriter, LEVEL_0, LEVEL_1, LEVEL_2, LEVEL_3,
};
use crate::kubectl::io::{Fail, Res};

/// `ServiceDescriber`: the Service, its EndpointSlices (by the `kubernetes.io/service-name`
/// label, unchunked; an error leaves them out) and its events.
pub fn describe_service(
    cx: &mut Ctx<'_, '_, '_>,
    path: &str,
    namespace: &str,
    name: &str,
) -> Res<String> {
    let svc = cx.get(path)?;
    let selector = format!("kubernetes.io/service-name={name}");
    let slices = {
        let saved = cx.settings.chunk_size;
        cx.settings.chunk_size = 0;
        let r = cx.list(
            &format!("/apis/discovery.k8s.io/v1/namespaces/{namespace}/endpointslices"),
            Some(&selector),
            None,
        );
        cx.settings.chunk_size = saved;
        match r {
            Ok(s) => s,
            Err(Fail::Error { .. }) => Vec::new(),
            Err(e) => return Err(e),
        }
    };
    let events = cx.events_of(&svc)?;
    let now = cx.now_ms();
    Ok(service_text(&svc, &slices, events.as_deref(), now))
}

fn service_text(svc: &Value, slices: &[Value], events: Option<&[Value]>, now: i64) -> String {
    let mut w = PrefixWriter::new();
    let meta = &svc["metadata"];
    let spec = &svc["spec"];
    w.write(LEVEL_0, &format!("Name:\t{}\n", str_of(&meta["name"])));
    w.write(
        LEVEL_0,
        &format!("Namespace:\t{}\n", str_of(&meta["namespace"])),
    );
    print_labels_multiline(&mut w, "Labels", &meta["labels"]);
    print_annotations_multiline(&mut w, "Annotations", &meta["annotations"]);
    w.write(
        LEVEL_0,
        &format!("Selector:\t{}\n", format_labels(&spec["selector"])),
    );
    w.write(LEVEL_0, &format!("Type:\t{}\n", str_of(&spec["type"])));
    if let Some(p) = spec["ipFamilyPolicy"].as_str() {
        w.write(LEVEL_0, &format!("IP Family Policy:\t{p}\n"));
    }
    let families: Vec<&str> = arr(&spec["ipFamilies"]).iter().map(str_of).collect();
    if families.is_empty() {
        w.write(LEVEL_0, "IP Families:\t<none>\n");
    } else {
        w.write(LEVEL_0, &format!("IP Families:\t{}\n", families.join(",")));
    }
    w.write(LEVEL_0, &format!("IP:\t{}\n", str_of(&spec["clusterIP"])));
    let ips: Vec<&str> = arr(&spec["clusterIPs"]).iter().map(str_of).collect();
    if ips.is_empty() {
        w.write(LEVEL_0, "IPs:\t<none>\n");
    } else {
        w.write(LEVEL_0, &format!("IPs:\t{}\n", ips.join(",")));
    }
    let external: Vec<&str> = arr(&spec["externalIPs"]).iter().map(str_of).collect();
    if !external.is_empty() {
        w.write(LEVEL_0, &format!("External IPs:\t{}\n", external.join(",")));
    }
    let lb_ip = str_of(&spec["loadBalancerIP"]);
    if !lb_ip.is_empty() {
        w.write(LEVEL_0, &format!("Desired LoadBalancer IP:\t{lb_ip}\n"));
    }
    let ext_name = str_of(&spec["externalName"]);
    if !ext_name.is_empty() {
        w.write(LEVEL_0, &format!("External Name:\t{ext_name}\n"));
    }
    let ingress = arr(&svc["status"]["loadBalancer"]["ingress"]);
    if !ingress.is_empty() {
        let list: Vec<String> = ingress
            .iter()
            .map(|i| {
                let ip = str_of(&i["ip"]);
                if ip.is_empty() {
                    str_of(&i["hostname"]).to_string()
                } else if let Some(mode) = i["ipMode"].as_str() {
                    format!("{ip} ({mode})")
                } else {
                    ip.to_string()
                }
            })
            .collect();
        w.write(
            LEVEL_0,
            &format!("LoadBalancer Ingress:\t{}\n", list.join(", ")),
        );
    }
    for sp in arr(&spec["ports"]) {
        let port_name = str_of(&sp["name"]);
        let name = if port_name.is_empty() {
            "<unset>"
        } else {
            port_name
        };
        let protocol = str_of(&sp["protocol"]);
        w.write(
            LEVEL_0,
            &format!("Port:\t{name}\t{}/{protocol}\n", int_of(&sp["port"])),
        );
        match &sp["targetPort"] {
            Value::String(s) => w.write(LEVEL_0, &format!("TargetPort:\t{s}/{protocol}\n")),
            other => w.write(
                LEVEL_0,
                &format!("TargetPort:\t{}/{protocol}\n", int_of(other)),
            ),
        }
        let node_port = int_of(&sp["nodePort"]);
        if node_port != 0 {
            w.write(
                LEVEL_0,
                &format!("NodePort:\t{name}\t{node_port}/{protocol}\n"),
            );
        }
        w.write(
            LEVEL_0,
            &format!(
                "Endpoints:\t{}\n",
                format_endpoint_slices(slices, Some(port_name))
            ),
        );
    }
    w.write(
        LEVEL_0,
        &format!("Session Affinity:\t{}\n", str_of(&spec["sessionAffinity"])),
    );
    let etp = str_of(&spec["externalTrafficPolicy"]);
    if !etp.is_empty() {
        w.write(LEVEL_0, &format!("External Traffic Policy:\t{etp}\n"));
    }
    if let Some(itp) = spec["internalTrafficPolicy"].as_str() {
        w.write(LEVEL_0, &format!("Internal Traffic Policy:\t{itp}\n"));
    }
    let hc = int_of(&spec["healthCheckNodePort"]);
    if hc != 0 {
        w.write(LEVEL_0, &format!("HealthCheck NodePort:\t{hc}\n"));
    }
    let ranges: Vec<&str> = arr(&spec["loadBalancerSourceRanges"])
        .iter()
        .map(str_of)
        .collect();
    if !ranges.is_empty() {
        w.write(
            LEVEL_0,
            &format!("LoadBalancer Source Ranges:\t{}\n", ranges.join(",")),
        );
    }
    if let Some(events) = events {
        describe_events(&mut w, events, now);
    }
    w.finish()
}

/// `formatEndpointSlices`: the first three ready `ip:port`s of the named service port, then
/// `+ N more...`.
fn format_endpoint_slices(slices: &[Value], port_name: Option<&str>) -> String {
    if slices.is_empty() {
        return "<none>".to_string();
    }
    const MAX: usize = 3;
    let mut list: Vec<String> = Vec::new();
    let mut more = false;
    let mut count = 0;
    let ready = |e: &Value| e["conditions"]["ready"].as_bool().unwrap_or(true);
    for s in slices {
        let ports = arr(&s["ports"]);
        if ports.is_empty() {
            // Headless services may have no ports.
            for e in arr(&s["endpoints"]) {
                if list.len() == MAX {
                    more = true;
                }
                if !ready(e) {
                    continue;
                }
                if !more {
                    list.push(str_of(&arr(&e["addresses"])[0]).to_string());
                }
                count += 1;
            }
            continue;
        }
        for p in ports {
            if port_name.is_some_and(|n| str_of(&p["name"]) != n) {
                continue;
            }
            for e in arr(&s["endpoints"]) {
                if list.len() == MAX {
                    more = true;
                }
                if !ready(e) {
                    continue;
                }
                if !more {
                    let addr = arr(&e["addresses"]).first().map(str_of).unwrap_or("");
                    let port = int_of(&p["port"]);
                    list.push(if addr.contains(':') {
                        format!("[{addr}]:{port}")
                    } else {
                        format!("{addr}:{port}")
                    });
                }
                count += 1;
            }
        }
    }
    let ret = list.join(",");
    if more {
        format!("{ret} + {} more...", count - MAX)
    } else {
        ret
    }
}

/// `EndpointsDescriber`.
pub fn describe_endpoints(cx: &mut Ctx<'_, '_, '_>, path: &str) -> Res<String> {
    let ep = cx.get(path)?;
    let events = cx.events_of(&ep)?;
    let now = cx.now_ms();
    let mut w = PrefixWriter::new();
    let meta = &ep["metadata"];
    w.write(LEVEL_0, &format!("Name:\t{}\n", str_of(&meta["name"])));
    w.write(
        LEVEL_0,
        &format!("Namespace:\t{}\n", str_of(&meta["namespace"])),
    );
    print_labels_multiline(&mut w, "Labels", &meta["labels"]);
    print_annotations_multiline(&mut w, "Annotations", &meta["annotations"]);
    w.write(LEVEL_0, "Subsets:\n");
    for subset in arr(&ep["subsets"]) {
        let ips = |key: &str| {
            let s = arr(&subset[key])
                .iter()
                .map(|a| str_of(&a["ip"]))
                .collect::<Vec<_>>()
                .join(",");
            if s.is_empty() {
                "<none>".to_string()
            } else {
                s
            }
        };
        w.write(LEVEL_1, &format!("Addresses:\t{}\n", ips("addresses")));
        w.write(
            LEVEL_1,
            &format!("NotReadyAddresses:\t{}\n", ips("notReadyAddresses")),
        );
        let ports = arr(&subset["ports"]);
        if !ports.is_empty() {
            w.write(LEVEL_1, "Ports:\n");
            w.write(LEVEL_2, "Name\tPort\tProtocol\n");
            w.write(LEVEL_2, "----\t----\t--------\n");
            for p in ports {
                let name = str_of(&p["name"]);
                let name = if name.is_empty() { "<unset>" } else { name };
                w.write(
                    LEVEL_2,
                    &format!(
                        "{name}\t{}\t{}\n",
                        int_of(&p["port"]),
                        str_of(&p["protocol"])
                    ),
                );
            }
        }
        w.write(LEVEL_0, "\n");
    }
    if let Some(events) = events {
        describe_events(&mut w, &events, now);
    }
    Ok(w.finish())
}

/// `EndpointSliceDescriber` (discovery.k8s.io/v1).
pub fn describe_endpointslice(cx: &mut Ctx<'_, '_, '_>, path: &str) -> Res<String> {
    let eps = cx.get(path)?;
    let events = cx.events_of(&eps)?;
    let now = cx.now_ms();
    let mut w = PrefixWriter::new();
    let meta = &eps["metadata"];
    w.write(LEVEL_0, &format!("Name:\t{}\n", str_of(&meta["name"])));
    w.write(
        LEVEL_0,
        &format!("Namespace:\t{}\n", str_of(&meta["namespace"])),
    );
    print_labels_multiline(&mut w, "Labels", &meta["labels"]);
    print_annotations_multiline(&mut w, "Annotations", &meta["annotations"]);
    w.write(
        LEVEL_0,
        &format!("AddressType:\t{}\n", str_of(&eps["addressType"])),
    );
    let ports = arr(&eps["ports"]);
    if ports.is_empty() {
        w.write(LEVEL_0, "Ports: <unset>\n");
    } else {
        w.write(LEVEL_0, "Ports:\n");
        w.write(LEVEL_1, "Name\tPort\tProtocol\n");
        w.write(LEVEL_1, "----\t----\t--------\n");
        for p in ports {
            let name = p["name"]
                .as_str()
                .filter(|n| !n.is_empty())
                .unwrap_or("<unset>");
            let num = p["port"]
                .as_i64()
                .map_or("<unset>".to_string(), |n| n.to_string());
            w.write(
                LEVEL_1,
                &format!("{name}\t{num}\t{}\n", str_of(&p["protocol"])),
            );
        }
    }
    let endpoints = arr(&eps["endpoints"]);
    if endpoints.is_empty() {
        w.write(LEVEL_0, "Endpoints: <none>\n");
    } else {
        w.write(LEVEL_0, "Endpoints:\n");
        for e in endpoints {
            let addrs: Vec<&str> = arr(&e["addresses"]).iter().map(str_of).collect();
            let addrs = if addrs.is_empty() {
                "<none>".to_string()
            } else {
                addrs.join(", ")
            };
            w.write(LEVEL_1, &format!("- Addresses:\t{addrs}\n"));
            w.write(LEVEL_2, "Conditions:\n");
            let ready = e["conditions"]["ready"]
                .as_bool()
                .map_or("<unset>".to_string(), |b| b.to_string());
            w.write(LEVEL_3, &format!("Ready:\t{ready}\n"));
            let unset = |v: &Value| v.as_str().unwrap_or("<unset>").to_string();
            w.write(LEVEL_2, &format!("Hostname:\t{}\n", unset(&e["hostname"])));
            let target = &e["targetRef"];
            if target.is_object() {
                w.write(
                    LEVEL_2,
                    &format!(
                        "TargetRef:\t{}/{}\n",
                        str_of(&target["kind"]),
                        str_of(&target["name"])
                    ),
                );
            }
            w.write(LEVEL_2, &format!("NodeName:\t{}\n", unset(&e["nodeName"])));
            w.write(LEVEL_2, &format!("Zone:\t{}\n", unset(&e["zone"])));
        }
    }
    if let Some(events) = events {
        describe_events(&mut w, &events, now);
    }
    Ok(w.finish())
}

/// `IngressDescriber`: networking.k8s.io/v1, then v1beta1 (whose error is the one shown when
/// neither answers).
pub fn describe_ingress(
    cx: &mut Ctx<'_, '_, '_>,
    path: &str,
    namespace: &str,
    name: &str,
) -> Res<String> {
    let ing = match cx.get(path) {
        Ok(i) => i,
        Err(Fail::Error { .. }) => {
            cx.get(&format!(
                "/apis/networking.k8s.io/v1beta1/namespaces/{namespace}/ingresses/{name}"
            ))?;
            return Err(Fail::msg(
                "networking.k8s.io/v1beta1 Ingresses are not described",
            ));
        }
        Err(e) => return Err(e),
    };
    let events = cx.events_of(&ing)?;
    let meta = &ing["metadata"];
    let spec = &ing["spec"];
    let ns = str_of(&meta["namespace"]).to_string();
    // The backends are looked up while the description is written.
    let default_backend = if spec["defaultBackend"].is_object() {
        describe_backend(cx, &ns, &spec["defaultBackend"])?
    } else {
        "<default>".to_string()
    };
    let mut rules: Vec<(String, Vec<(String, String)>)> = Vec::new();
    for r in arr(&spec["rules"]) {
        if !r["http"].is_object() {
            continue;
        }
        let host = str_of(&r["host"]);
        let host = if host.is_empty() { "*" } else { host };
        let mut paths = Vec::new();
        for p in arr(&r["http"]["paths"]) {
            let backend = describe_backend(cx, &ns, &p["backend"])?;
            paths.push((str_of(&p["path"]).to_string(), backend));
        }
        rules.push((host.to_string(), paths));
    }
    let now = cx.now_ms();
    let mut w = PrefixWriter::new();
    w.write(LEVEL_0, &format!("Name:\t{}\n", str_of(&meta["name"])));
    print_labels_multiline(&mut w, "Labels", &meta["labels"]);
    w.write(LEVEL_0, &format!("Namespace:\t{ns}\n"));
    let addresses: std::collections::BTreeSet<&str> =
        arr(&ing["status"]["loadBalancer"]["ingress"])
            .iter()
            .filter_map(|i| {
                let ip = str_of(&i["ip"]);
                let host = str_of(&i["hostname"]);
                if !ip.is_empty() {
                    Some(ip)
                } else if !host.is_empty() {
                    Some(host)
                } else {
                    None
                }
            })
            .collect();
    w.write(
        LEVEL_0,
        &format!(
            "Address:\t{}\n",
            addresses.into_iter().collect::<Vec<_>>().join(",")
        ),
    );
    let class = spec["ingressClassName"].as_str().unwrap_or("<none>");
    w.write(LEVEL_0, &format!("Ingress Class:\t{class}\n"));
    w.write(LEVEL_0, &format!("Default backend:\t{default_backend}\n"));
    let tls = arr(&spec["tls"]);
    if !tls.is_empty() {
        w.write(LEVEL_0, "TLS:\n");
        for t in tls {
            let hosts: Vec<&str> = arr(&t["hosts"]).iter().map(str_of).collect();
            let secret = str_of(&t["secretName"]);
            if secret.is_empty() {
                w.write(LEVEL_1, &format!("SNI routes {}\n", hosts.join(",")));
            } else {
                w.write(
                    LEVEL_1,
                    &format!("{secret} terminates {}\n", hosts.join(",")),
                );
            }
        }
    }
    w.write(LEVEL_0, "Rules:\n  Host\tPath\tBackends\n");
    w.write(LEVEL_1, "----\t----\t--------\n");
    for (host, paths) in &rules {
        w.write(LEVEL_1, &format!("{host}\t\n"));
        for (path, backend) in paths {
            w.write(LEVEL_2, &format!("\t{path} \t{backend}\n"));
        }
    }
    if rules.is_empty() {
        w.write(LEVEL_1, &format!("*\t*\t{default_backend}\n"));
    }
    print_annotations_multiline(&mut w, "Annotations", &meta["annotations"]);
    if let Some(events) = events {
        describe_events(&mut w, &events, now);
    }
    Ok(w.finish())
}

/// `describeBackendV1`: `svc:port (endpoints)`, or a resource backend.
fn describe_backend(cx: &mut Ctx<'_, '_, '_>, ns: &str, backend: &Value) -> Res<String> {
    let svc = &backend["service"];
    if svc.is_object() {
        let name = str_of(&svc["name"]);
        let number = int_of(&svc["port"]["number"]);
        let port_name = str_of(&svc["port"]["name"]);
        let sb = if number != 0 {
            format!("{name}:{number}")
        } else {
            format!("{name}:{port_name}")
        };
        let saved = cx.settings.chunk_size;
        cx.settings.chunk_size = 0;
        let slices = cx.list(
            &format!("/apis/discovery.k8s.io/v1/namespaces/{ns}/endpointslices"),
            Some(&format!("kubernetes.io/service-name={name}")),
            None,
        );
        cx.settings.chunk_size = saved;
        let slices = match slices {
            Ok(s) => s,
            Err(Fail::Error { text, .. }) => {
                return Ok(format!("{sb} (<error: {}>)", go_error(&text)))
            }
            Err(e) => return Err(e),
        };
        let service = match cx.get(&format!("/api/v1/namespaces/{ns}/services/{name}")) {
            Ok(s) => s,
            Err(Fail::Error { text, .. }) => {
                return Ok(format!("{sb} (<error: {}>)", go_error(&text)))
            }
            Err(e) => return Err(e),
        };
        let mut sp_name = "";
        for sp in arr(&service["spec"]["ports"]) {
            if (number != 0 && number == int_of(&sp["port"]))
                || (!port_name.is_empty() && port_name == str_of(&sp["name"]))
            {
                sp_name = str_of(&sp["name"]);
            }
        }
        return Ok(format!(
            "{sb} ({})",
            format_endpoint_slices(&slices, Some(sp_name))
        ));
    }
    let r = &backend["resource"];
    if r.is_object() {
        let group = r["apiGroup"].as_str().unwrap_or("<none>");
        return Ok(format!(
            "APIGroup: {group}, Kind: {}, Name: {}",
            str_of(&r["kind"]),
            str_of(&r["name"])
        ));
    }
    Ok(String::new())
}

/// A status error's message alone, as Go's `err.Error()` gives it.
fn go_error(text: &str) -> &str {
    let text = text.trim_end();
    text.split_once("): ").map_or(text, |(_, m)| m)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn endpoints_list_three_ready_addresses_then_a_count() {
        let endpoint =
            |ip: &str, ready: bool| json!({"addresses": [ip], "conditions": {"ready": ready}});
        let slice = json!({
            "ports": [{"name": "", "port": 80, "protocol": "TCP"}],
            "endpoints": [endpoint("10.0.0.1", true), endpoint("10.0.0.2", false),
                          endpoint("10.0.0.3", true), endpoint("10.0.0.4", true),
                          endpoint("10.0.0.5", true)],
        });
        assert_eq!(
            format_endpoint_slices(std::slice::from_ref(&slice), Some("")),
            "10.0.0.1:80,10.0.0.3:80,10.0.0.4:80 + 1 more..."
        );
        assert_eq!(format_endpoint_slices(&[slice], Some("http")), "");
        assert_eq!(format_endpoint_slices(&[], Some("")), "<none>");
    }
}
