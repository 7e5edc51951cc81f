//! `describe.DescribePodTemplate` as `rollout history --revision` and `rollout undo
//! --dry-run=client` print it: a `PrefixWriter` (two spaces per level) without a tabwriter, so
//! the tabs stay in the output as they are.

use serde_json::Value;

/// `PrefixWriter.Write(level, ...)`.
fn write(out: &mut String, level: usize, text: &str) {
    out.push_str(&"  ".repeat(level));
    out.push_str(text);
}

fn strs(v: &Value) -> Vec<String> {
    v.as_array()
        .into_iter()
        .flatten()
        .map(|s| {
            s.as_str()
                .map(str::to_string)
                .unwrap_or_else(|| s.to_string())
        })
        .collect()
}

/// A map's keys sorted, with string values.
fn sorted_map(v: &Value) -> Vec<(String, String)> {
    let mut kv: Vec<(String, String)> = v
        .as_object()
        .into_iter()
        .flatten()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
        .collect();
    kv.sort();
    kv
}

/// `printLabelsMultilineWithIndent(w, "", title, "\t", labels, nil)`.
pub fn print_labels_multiline(out: &mut String, title: &str, labels: &Value) {
    write(out, 0, &format!("{title}:\t"));
    let kv = sorted_map(labels);
    if kv.is_empty() {
        out.push_str("<none>\n");
        return;
    }
    for (i, (k, v)) in kv.iter().enumerate() {
        if i != 0 {
            out.push('\t');
        }
        out.push_str(&format!("{k}={v}\n"));
    }
}

/// The longest annotation line `describe` prints in full.
const MAX_ANNOTATION_LEN: usize = 140;

/// `printAnnotationsMultiline`: the last-applied configuration is skipped, long or
/// multi-line values go on lines of their own.
pub fn print_annotations_multiline(out: &mut String, title: &str, annotations: &Value) {
    write(out, 0, &format!("{title}:\t"));
    let kv: Vec<(String, String)> = sorted_map(annotations)
        .into_iter()
        .filter(|(k, _)| k != "kubectl.kubernetes.io/last-applied-configuration")
        .collect();
    if kv.is_empty() {
        out.push_str("<none>\n");
        return;
    }
    for (i, (k, v)) in kv.iter().enumerate() {
        if i != 0 {
            out.push('\t');
        }
        let value = v.strip_suffix('\n').unwrap_or(v);
        if value.len() + k.len() + 2 > MAX_ANNOTATION_LEN || value.contains('\n') {
            out.push_str(&format!("{k}:\n"));
            for s in value.split('\n') {
                let shown = if s.len() > MAX_ANNOTATION_LEN - 2 {
                    let mut cut = MAX_ANNOTATION_LEN - 2;
                    while !s.is_char_boundary(cut) {
                        cut -= 1;
                    }
                    format!("{}...", &s[..cut])
                } else {
                    s.to_string()
                };
                out.push_str(&format!("\t  {shown}\n"));
            }
        } else {
            out.push_str(&format!("{k}: {value}\n"));
        }
    }
}

fn describe_container_ports(ports: &Value, host: bool) -> String {
    ports
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| {
            let port = if host {
                p["hostPort"].as_i64().unwrap_or(0)
            } else {
                p["containerPort"].as_i64().unwrap_or(0)
            };
            format!("{port}/{}", p["protocol"].as_str().unwrap_or_default())
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn or_none(s: String) -> String {
    if s.is_empty() {
        "<none>".to_string()
    } else {
        s
    }
}

fn int_or_string(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        _ => String::new(),
    }
}

/// `DescribeProbe`.
fn describe_probe(p: &Value) -> String {
    let n = |k: &str| p[k].as_i64().unwrap_or(0);
    let attrs = format!(
        "delay={}s timeout={}s period={}s #success={} #failure={}",
        n("initialDelaySeconds"),
        n("timeoutSeconds"),
        n("periodSeconds"),
        n("successThreshold"),
        n("failureThreshold")
    );
    if p["exec"].is_object() {
        return format!("exec [{}] {attrs}", strs(&p["exec"]["command"]).join(" "));
    }
    if p["httpGet"].is_object() {
        let h = &p["httpGet"];
        let scheme = h["scheme"].as_str().unwrap_or_default().to_lowercase();
        let host = h["host"].as_str().unwrap_or_default();
        let port = int_or_string(&h["port"]);
        let hostport = if port.is_empty() {
            host.to_string()
        } else if host.contains(':') {
            format!("[{host}]:{port}")
        } else {
            format!("{host}:{port}")
        };
        let path = h["path"].as_str().unwrap_or_default();
        let url = if scheme.is_empty() {
            format!("//{hostport}{path}")
        } else {
            format!("{scheme}://{hostport}{path}")
        };
        return format!("http-get {url} {attrs}");
    }
    if p["tcpSocket"].is_object() {
        let t = &p["tcpSocket"];
        return format!(
            "tcp-socket {}:{} {attrs}",
            t["host"].as_str().unwrap_or_default(),
            int_or_string(&t["port"])
        );
    }
    if p["grpc"].is_object() {
        return format!(
            "grpc <pod>:{} {} {attrs}",
            p["grpc"]["port"].as_i64().unwrap_or(0),
            p["grpc"]["service"].as_str().unwrap_or_default()
        );
    }
    format!("unknown {attrs}")
}

/// `describeContainers` for a template (no statuses).
fn describe_containers(out: &mut String, label: &str, containers: &Value, space: &str) {
    let list: Vec<&Value> = containers.as_array().into_iter().flatten().collect();
    let none = if list.is_empty() { " <none>" } else { "" };
    write(out, 0, &format!("{space}{label}:{none}\n"));
    let name_indent = if space.is_empty() { "" } else { " " };
    for c in list {
        write(
            out,
            1,
            &format!("{name_indent}{}:\n", c["name"].as_str().unwrap_or_default()),
        );
        write(
            out,
            2,
            &format!("Image:\t{}\n", c["image"].as_str().unwrap_or_default()),
        );
        let ports = describe_container_ports(&c["ports"], false);
        if ports.contains(',') {
            write(out, 2, &format!("Ports:\t{ports}\n"));
        } else {
            write(out, 2, &format!("Port:\t{}\n", or_none(ports)));
        }
        let host_ports = describe_container_ports(&c["ports"], true);
        if host_ports.contains(',') {
            write(out, 2, &format!("Host Ports:\t{host_ports}\n"));
        } else {
            write(out, 2, &format!("Host Port:\t{}\n", or_none(host_ports)));
        }
        if let Some(t) = c["securityContext"]["seccompProfile"]["type"].as_str() {
            write(out, 2, &format!("SeccompProfile:\t{t}\n"));
            if t == "Localhost" {
                write(
                    out,
                    3,
                    &format!(
                        "LocalhostProfile:\t{}\n",
                        c["securityContext"]["seccompProfile"]["localhostProfile"]
                            .as_str()
                            .unwrap_or_default()
                    ),
                );
            }
        }
        for (field, title) in [("command", "Command"), ("args", "Args")] {
            let items = strs(&c[field]);
            if !items.is_empty() {
                write(out, 2, &format!("{title}:\n"));
                for item in items {
                    for line in item.split('\n') {
                        write(out, 3, &format!("{line}\n"));
                    }
                }
            }
        }
        for (field, title) in [("limits", "Limits"), ("requests", "Requests")] {
            let kv = c["resources"][field]
                .as_object()
                .map(|m| {
                    let mut kv: Vec<(String, String)> = m
                        .iter()
                        .map(|(k, v)| (k.clone(), int_or_string(v)))
                        .collect();
                    kv.sort();
                    kv
                })
                .unwrap_or_default();
            if !kv.is_empty() {
                write(out, 2, &format!("{title}:\n"));
            }
            for (k, v) in kv {
                write(out, 3, &format!("{k}:\t{v}\n"));
            }
        }
        for (field, title) in [
            ("livenessProbe", "Liveness"),
            ("readinessProbe", "Readiness"),
            ("startupProbe", "Startup"),
        ] {
            if c[field].is_object() {
                write(
                    out,
                    2,
                    &format!("{title}:\t{}\n", describe_probe(&c[field])),
                );
            }
        }
        let env_from: Vec<&Value> = c["envFrom"].as_array().into_iter().flatten().collect();
        if !env_from.is_empty() {
            write(out, 2, "Environment Variables from:\n");
            for e in env_from {
                let (from, r) = if e["configMapRef"].is_object() {
                    ("ConfigMap", &e["configMapRef"])
                } else {
                    ("Secret", &e["secretRef"])
                };
                let name = r["name"].as_str().unwrap_or_default();
                let optional = r["optional"] == true;
                match e["prefix"].as_str().filter(|p| !p.is_empty()) {
                    None => write(out, 3, &format!("{name}\t{from}\tOptional: {optional}\n")),
                    Some(p) => write(
                        out,
                        3,
                        &format!("{name}\t{from} with prefix '{p}'\tOptional: {optional}\n"),
                    ),
                }
            }
        }
        let env: Vec<&Value> = c["env"].as_array().into_iter().flatten().collect();
        write(
            out,
            2,
            &format!(
                "Environment:{}\n",
                if env.is_empty() { "\t<none>" } else { "" }
            ),
        );
        for e in env {
            let name = e["name"].as_str().unwrap_or_default();
            let from = &e["valueFrom"];
            if !from.is_object() {
                let value = e["value"].as_str().unwrap_or_default();
                for (i, line) in value.split('\n').enumerate() {
                    if i == 0 {
                        write(out, 3, &format!("{name}:\t{line}\n"));
                    } else {
                        write(out, 3, &format!("\t{line}\n"));
                    }
                }
                continue;
            }
            if from["fieldRef"].is_object() {
                write(
                    out,
                    3,
                    &format!(
                        "{name}:\t ({}:{})\n",
                        from["fieldRef"]["apiVersion"].as_str().unwrap_or_default(),
                        from["fieldRef"]["fieldPath"].as_str().unwrap_or_default()
                    ),
                );
            } else if from["resourceFieldRef"].is_object() {
                write(
                    out,
                    3,
                    &format!(
                        "{name}:\t ({})\n",
                        from["resourceFieldRef"]["resource"]
                            .as_str()
                            .unwrap_or_default()
                    ),
                );
            } else if from["secretKeyRef"].is_object() {
                let r = &from["secretKeyRef"];
                write(
                    out,
                    3,
                    &format!(
                        "{name}:\t<set to the key '{}' in secret '{}'>\tOptional: {}\n",
                        r["key"].as_str().unwrap_or_default(),
                        r["name"].as_str().unwrap_or_default(),
                        r["optional"] == true
                    ),
                );
            } else if from["configMapKeyRef"].is_object() {
                let r = &from["configMapKeyRef"];
                write(
                    out,
                    3,
                    &format!(
                        "{name}:\t<set to the key '{}' of config map '{}'>\tOptional: {}\n",
                        r["key"].as_str().unwrap_or_default(),
                        r["name"].as_str().unwrap_or_default(),
                        r["optional"] == true
                    ),
                );
            }
        }
        let mut mounts: Vec<&Value> = c["volumeMounts"].as_array().into_iter().flatten().collect();
        write(
            out,
            2,
            &format!(
                "Mounts:{}\n",
                if mounts.is_empty() { "\t<none>" } else { "" }
            ),
        );
        mounts.sort_by_key(|m| m["mountPath"].as_str().unwrap_or_default().to_string());
        for m in mounts {
            let mut flags = vec![if m["readOnly"] == true { "ro" } else { "rw" }.to_string()];
            if let Some(sub) = m["subPath"].as_str().filter(|s| !s.is_empty()) {
                flags.push(format!("path={}", super::super::client::go_quote(sub)));
            }
            write(
                out,
                3,
                &format!(
                    "{} from {} ({})\n",
                    m["mountPath"].as_str().unwrap_or_default(),
                    m["name"].as_str().unwrap_or_default(),
                    flags.join(",")
                ),
            );
        }
    }
}

/// `describeVolumes` for the volume kinds kubestep's pods use; others print `<unknown>`.
fn describe_volumes(out: &mut String, volumes: &Value, space: &str) {
    let list: Vec<&Value> = volumes.as_array().into_iter().flatten().collect();
    if list.is_empty() {
        write(out, 0, &format!("{space}Volumes:\t<none>\n"));
        return;
    }
    write(out, 0, &format!("{space}Volumes:\n"));
    let name_indent = if space.is_empty() { "" } else { " " };
    for v in list {
        write(
            out,
            1,
            &format!("{name_indent}{}:\n", v["name"].as_str().unwrap_or_default()),
        );
        let s = |p: &Value, k: &str| p[k].as_str().unwrap_or_default().to_string();
        if v["hostPath"].is_object() {
            let h = &v["hostPath"];
            let t = h["type"].as_str().unwrap_or("<none>");
            write(out, 2, &format!("Type:\tHostPath (bare host directory volume)\n    Path:\t{}\n    HostPathType:\t{t}\n", s(h, "path")));
        } else if v["emptyDir"].is_object() {
            let e = &v["emptyDir"];
            let limit = e["sizeLimit"]
                .as_str()
                .filter(|l| !l.is_empty() && *l != "0")
                .unwrap_or("<unset>");
            write(out, 2, &format!("Type:\tEmptyDir (a temporary directory that shares a pod's lifetime)\n    Medium:\t{}\n    SizeLimit:\t{limit}\n", s(e, "medium")));
        } else if v["secret"].is_object() {
            let x = &v["secret"];
            write(out, 2, &format!("Type:\tSecret (a volume populated by a Secret)\n    SecretName:\t{}\n    Optional:\t{}\n", s(x, "secretName"), x["optional"] == true));
        } else if v["configMap"].is_object() {
            let x = &v["configMap"];
            write(out, 2, &format!("Type:\tConfigMap (a volume populated by a ConfigMap)\n    Name:\t{}\n    Optional:\t{}\n", s(x, "name"), x["optional"] == true));
        } else if v["persistentVolumeClaim"].is_object() {
            let x = &v["persistentVolumeClaim"];
            write(out, 2, &format!("Type:\tPersistentVolumeClaim (a reference to a PersistentVolumeClaim in the same namespace)\n    ClaimName:\t{}\n    ReadOnly:\t{}\n", s(x, "claimName"), x["readOnly"] == true));
        } else if v["projected"].is_object() {
            write(
                out,
                2,
                "Type:\tProjected (a volume that contains injected data from multiple sources)\n",
            );
            for src in v["projected"]["sources"].as_array().into_iter().flatten() {
                if src["secret"].is_object() {
                    write(
                        out,
                        2,
                        &format!(
                            "SecretName:\t{}\n    Optional:\t{}\n",
                            s(&src["secret"], "name"),
                            src["secret"]["optional"] == true
                        ),
                    );
                } else if src["downwardAPI"].is_object() {
                    write(out, 2, "DownwardAPI:\ttrue\n");
                } else if src["configMap"].is_object() {
                    write(
                        out,
                        2,
                        &format!(
                            "ConfigMapName:\t{}\n    Optional:\t{}\n",
                            s(&src["configMap"], "name"),
                            src["configMap"]["optional"] == true
                        ),
                    );
                } else if src["serviceAccountToken"].is_object() {
                    write(
                        out,
                        2,
                        &format!(
                            "TokenExpirationSeconds:\t{}\n",
                            src["serviceAccountToken"]["expirationSeconds"]
                                .as_i64()
                                .unwrap_or(0)
                        ),
                    );
                }
            }
        } else {
            write(out, 1, "<unknown>\n");
        }
    }
}

/// `printPodTolerationsMultiline`.
fn print_tolerations_multiline(out: &mut String, title: &str, tolerations: &Value) {
    write(out, 0, &format!("{title}:\t"));
    let mut list: Vec<&Value> = tolerations.as_array().into_iter().flatten().collect();
    if list.is_empty() {
        out.push_str("<none>\n");
        return;
    }
    list.sort_by_key(|t| t["key"].as_str().unwrap_or_default().to_string());
    for (i, t) in list.iter().enumerate() {
        if i != 0 {
            out.push('\t');
        }
        let key = t["key"].as_str().unwrap_or_default();
        let value = t["value"].as_str().unwrap_or_default();
        let effect = t["effect"].as_str().unwrap_or_default();
        out.push_str(key);
        if !value.is_empty() {
            out.push_str(&format!("={value}"));
        }
        if !effect.is_empty() {
            out.push_str(&format!(":{effect}"));
        }
        if t["operator"] == "Exists" && value.is_empty() {
            if !key.is_empty() || !effect.is_empty() {
                out.push_str(" op=Exists");
            } else {
                out.push_str("op=Exists");
            }
        }
        if let Some(s) = t["tolerationSeconds"].as_i64() {
            out.push_str(&format!(" for {s}s"));
        }
        out.push('\n');
    }
}

/// `DescribePodTemplate`.
pub fn describe_pod_template(template: &Value) -> String {
    let mut out = String::new();
    write(&mut out, 0, "Pod Template:\n");
    if template.is_null() {
        write(&mut out, 1, "<unset>");
        return out;
    }
    let meta = &template["metadata"];
    let spec = &template["spec"];
    print_labels_multiline(&mut out, "  Labels", &meta["labels"]);
    if meta["annotations"]
        .as_object()
        .is_some_and(|m| !m.is_empty())
    {
        print_annotations_multiline(&mut out, "  Annotations", &meta["annotations"]);
    }
    if let Some(sa) = spec["serviceAccountName"]
        .as_str()
        .filter(|s| !s.is_empty())
    {
        write(&mut out, 1, &format!("Service Account:\t{sa}\n"));
    }
    if spec["initContainers"]
        .as_array()
        .is_some_and(|a| !a.is_empty())
    {
        describe_containers(&mut out, "Init Containers", &spec["initContainers"], "  ");
    }
    describe_containers(&mut out, "Containers", &spec["containers"], "  ");
    describe_volumes(&mut out, &spec["volumes"], "  ");
    let mut tscs: Vec<&Value> = spec["topologySpreadConstraints"]
        .as_array()
        .into_iter()
        .flatten()
        .collect();
    if !tscs.is_empty() {
        tscs.sort_by_key(|t| t["topologyKey"].as_str().unwrap_or_default().to_string());
        write(&mut out, 0, "  Topology Spread Constraints:\t");
        for (i, t) in tscs.iter().enumerate() {
            if i != 0 {
                out.push_str("  \t");
            }
            out.push_str(&format!(
                "{}:{} when max skew {} is exceeded",
                t["topologyKey"].as_str().unwrap_or_default(),
                t["whenUnsatisfiable"].as_str().unwrap_or_default(),
                t["maxSkew"].as_i64().unwrap_or(0)
            ));
            if t["labelSelector"].is_object() {
                let s = super::super::cmdutil::label_selector_string(&t["labelSelector"]);
                out.push_str(&format!(
                    " for selector {}",
                    if s.is_empty() { "<none>" } else { &s }
                ));
            }
            out.push('\n');
        }
    }
    if let Some(pc) = spec["priorityClassName"].as_str().filter(|s| !s.is_empty()) {
        write(&mut out, 1, &format!("Priority Class Name:\t{pc}\n"));
    }
    print_labels_multiline(&mut out, "  Node-Selectors", &spec["nodeSelector"]);
    print_tolerations_multiline(&mut out, "  Tolerations", &spec["tolerations"]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// What kubectl 1.33 printed for this template (`rollout history --revision=1` against a
    /// recorded ReplicaSet).
    #[test]
    fn a_simple_template_prints_as_kubectl_does() {
        let t = json!({
            "metadata": {"labels": {"app": "web", "pod-template-hash": "aaa"}},
            "spec": {"containers": [{"name": "nginx", "image": "nginx:1.25", "resources": {}}]}
        });
        assert_eq!(
            describe_pod_template(&t),
            "Pod Template:\n  Labels:\tapp=web\n\tpod-template-hash=aaa\n  Containers:\n   nginx:\n    Image:\tnginx:1.25\n    Port:\t<none>\n    Host Port:\t<none>\n    Environment:\t<none>\n    Mounts:\t<none>\n  Volumes:\t<none>\n  Node-Selectors:\t<none>\n  Tolerations:\t<none>\n"
        );
    }

    #[test]
    fn ports_env_and_annotations_show() {
        let t = json!({
            "metadata": {"labels": {"app": "web"},
                         "annotations": {"kubectl.kubernetes.io/restartedAt": "2026-01-01T00:00:00Z"}},
            "spec": {"containers": [{"name": "c", "image": "i",
                "command": ["sh", "-c"], "args": ["echo hi"],
                "ports": [{"containerPort": 80, "protocol": "TCP"}],
                "env": [{"name": "A", "value": "1"}]}]}
        });
        let text = describe_pod_template(&t);
        assert!(text
            .contains("  Annotations:\tkubectl.kubernetes.io/restartedAt: 2026-01-01T00:00:00Z\n"));
        assert!(text.contains("    Port:\t80/TCP\n    Host Port:\t0/TCP\n"));
        assert!(text.contains("    Command:\n      sh\n      -c\n    Args:\n      echo hi\n"));
        assert!(text.contains("    Environment:\n      A:\t1\n"));
    }
}
