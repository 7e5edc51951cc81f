//! Which printer prints which resource, and the printers of the simpler kinds.

use serde_json::{json, Value};

use super::{age, col, int_at, or_none, pod, str_at, wide, workloads, Column, AGE, NAME};
use crate::sim::SimTime;

type Row = fn(&Value, SimTime) -> Vec<Value>;

/// The columns and row printer of a resource; resources without a printer get the default
/// table (`Name`, `Created At`), as kube-apiserver's default table convertor prints them.
pub fn for_resource(group: &str, resource: &str) -> (&'static [Column], Row) {
    match (group, resource) {
        ("", "pods") => (pod::COLUMNS, pod::row),
        ("", "nodes") => (NODE, node),
        ("", "componentstatuses") => (COMPONENTSTATUS, componentstatus),
        ("", "namespaces") => (NAMESPACE, namespace),
        ("", "services") => (SERVICE, service),
        ("", "configmaps") => (CONFIGMAP, configmap),
        ("", "secrets") => (SECRET, secret),
        ("", "serviceaccounts") => (SERVICEACCOUNT, serviceaccount),
        ("", "events") => (EVENT, event),
        ("", "endpoints") => (ENDPOINTS, endpoints),
        ("apps", "deployments") => (workloads::DEPLOYMENT, workloads::deployment),
        ("apps", "replicasets") => (workloads::REPLICASET, workloads::replicaset),
        ("apps", "daemonsets") => (workloads::DAEMONSET, workloads::daemonset),
        ("apps", "statefulsets") => (workloads::STATEFULSET, workloads::statefulset),
        ("apps", "controllerrevisions") => {
            (workloads::CONTROLLERREVISION, workloads::controllerrevision)
        }
        ("batch", "jobs") => (workloads::JOB, workloads::job),
        ("batch", "cronjobs") => (workloads::CRONJOB, workloads::cronjob),
        ("coordination.k8s.io", "leases") => (LEASE, lease),
        ("discovery.k8s.io", "endpointslices") => (ENDPOINTSLICE, endpointslice),
        ("rbac.authorization.k8s.io", "rolebindings" | "clusterrolebindings") => {
            (ROLEBINDING, rolebinding)
        }
        ("scheduling.k8s.io", "priorityclasses") => (PRIORITYCLASS, priorityclass),
        _ => (DEFAULT, default_row),
    }
}

const DEFAULT: &[Column] = &[
    NAME,
    Column {
        name: "Created At",
        kind: "date",
        format: "",
        description: super::AGE_DOC,
        priority: 0,
    },
];

fn default_row(o: &Value, _now: SimTime) -> Vec<Value> {
    vec![
        json!(str_at(o, "/metadata/name")),
        json!(str_at(o, "/metadata/creationTimestamp")),
    ]
}

fn name_age(o: &Value, now: SimTime) -> (Value, Value) {
    (
        json!(str_at(o, "/metadata/name")),
        json!(age(o.pointer("/metadata/creationTimestamp"), now)),
    )
}

const COMPONENTSTATUS: &[Column] = &[
    NAME,
    col("Status", "string", "Status of the component conditions"),
    col("Message", "string", "Message of the component conditions"),
    col("Error", "string", "Error of the component conditions"),
];

/// `printComponentStatus`: the `Healthy` condition's status, message and error.
fn componentstatus(o: &Value, _now: SimTime) -> Vec<Value> {
    let healthy = o
        .pointer("/conditions")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .find(|c| c["type"] == "Healthy");
    let (status, message, error) = match healthy {
        Some(c) => (
            if c["status"] == "True" {
                "Healthy"
            } else {
                "Unhealthy"
            },
            str_at(c, "/message"),
            str_at(c, "/error"),
        ),
        None => ("Unknown", "", ""),
    };
    vec![
        json!(str_at(o, "/metadata/name")),
        json!(status),
        json!(message),
        json!(error),
    ]
}

const NODE: &[Column] = &[
    NAME,
    col("Status", "string", "The status of the node"),
    col("Roles", "string", "The roles of the node"),
    AGE,
    col("Version", "string", "Kubelet Version reported by the node."),
    wide("Internal-IP", "string", "List of internal IPs for the node."),
    wide("External-IP", "string", "List of external IPs for the node."),
    wide("OS-Image", "string", "OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy))."),
    wide("Kernel-Version", "string", "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64)."),
    wide("Container-Runtime", "string", "ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2)."),
];

fn node(n: &Value, now: SimTime) -> Vec<Value> {
    let ready = n
        .pointer("/status/conditions")
        .and_then(Value::as_array)
        .and_then(|cs| cs.iter().find(|c| c["type"] == "Ready"))
        .map(|c| match c["status"].as_str() {
            Some("True") => "Ready",
            Some("False") => "NotReady",
            _ => "Unknown",
        })
        .unwrap_or("Unknown");
    let mut status = ready.to_string();
    if n.pointer("/spec/unschedulable").and_then(Value::as_bool) == Some(true) {
        status.push_str(",SchedulingDisabled");
    }
    let mut roles: Vec<String> = n
        .pointer("/metadata/labels")
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| {
                    if let Some(role) = k.strip_prefix("node-role.kubernetes.io/") {
                        Some(role.to_string())
                    } else if k == "kubernetes.io/role" {
                        v.as_str().map(str::to_string)
                    } else {
                        None
                    }
                })
                .filter(|r| !r.is_empty())
                .collect()
        })
        .unwrap_or_default();
    roles.sort();
    let addr = |kind: &str| {
        n.pointer("/status/addresses")
            .and_then(Value::as_array)
            .and_then(|a| a.iter().find(|x| x["type"] == kind))
            .and_then(|x| x["address"].as_str())
            .unwrap_or("<none>")
            .to_string()
    };
    let (name, created) = name_age(n, now);
    vec![
        name,
        json!(status),
        json!(if roles.is_empty() {
            "<none>".to_string()
        } else {
            roles.join(",")
        }),
        created,
        json!(str_at(n, "/status/nodeInfo/kubeletVersion")),
        json!(addr("InternalIP")),
        json!(addr("ExternalIP")),
        json!(str_at(n, "/status/nodeInfo/osImage")),
        json!(str_at(n, "/status/nodeInfo/kernelVersion")),
        json!(str_at(n, "/status/nodeInfo/containerRuntimeVersion")),
    ]
}

const NAMESPACE: &[Column] = &[
    NAME,
    col("Status", "string", "The status of the namespace"),
    AGE,
];

fn namespace(ns: &Value, now: SimTime) -> Vec<Value> {
    let (name, created) = name_age(ns, now);
    vec![name, json!(str_at(ns, "/status/phase")), created]
}

const SERVICE: &[Column] = &[
    NAME,
    col("Type", "string", "type determines how the Service is exposed. Defaults to ClusterIP. Valid options are ExternalName, ClusterIP, NodePort, and LoadBalancer. \"ClusterIP\" allocates a cluster-internal IP address for load-balancing to endpoints. Endpoints are determined by the selector or if that is not specified, by manual construction of an Endpoints object or EndpointSlice objects. If clusterIP is \"None\", no virtual IP is allocated and the endpoints are published as a set of endpoints rather than a virtual IP. \"NodePort\" builds on ClusterIP and allocates a port on every node which routes to the same endpoints as the clusterIP. \"LoadBalancer\" builds on NodePort and creates an external load-balancer (if supported in the current cloud) which routes to the same endpoints as the clusterIP. \"ExternalName\" aliases this service to the specified externalName. Several other fields do not apply to ExternalName services. More info: https://kubernetes.io/docs/concepts/services-networking/service/#publishing-services-service-types"),
    col("Cluster-IP", "string", "clusterIP is the IP address of the service and is usually assigned randomly. If an address is specified manually, is in-range (as per system configuration), and is not in use, it will be allocated to the service; otherwise creation of the service will fail. This field may not be changed through updates unless the type field is also being changed to ExternalName (which requires this field to be blank) or the type field is being changed from ExternalName (in which case this field may optionally be specified, as describe above).  Valid values are \"None\", empty string (\"\"), or a valid IP address. Setting this to \"None\" makes a \"headless service\" (no virtual IP), which is useful when direct endpoint connections are preferred and proxying is not required.  Only applies to types ClusterIP, NodePort, and LoadBalancer. If this field is specified when creating a Service of type ExternalName, creation will fail. This field will be wiped when updating a Service to type ExternalName. More info: https://kubernetes.io/docs/concepts/services-networking/service/#virtual-ips-and-service-proxies"),
    col("External-IP", "string", "externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service.  These IPs are not managed by Kubernetes.  The user is responsible for ensuring that traffic arrives at a node with this IP.  A common example is external load-balancers that are not part of the Kubernetes system."),
    col("Port(s)", "string", "The list of ports that are exposed by this service. More info: https://kubernetes.io/docs/concepts/services-networking/service/#virtual-ips-and-service-proxies"),
    AGE,
    wide("Selector", "string", "Route service traffic to pods with label keys and values matching this selector. If empty or not present, the service is assumed to have an external process managing its endpoints, which Kubernetes will not modify. Only applies to types ClusterIP, NodePort, and LoadBalancer. Ignored if type is ExternalName. More info: https://kubernetes.io/docs/concepts/services-networking/service/"),
];

fn service(s: &Value, now: SimTime) -> Vec<Value> {
    let kind = str_at(s, "/spec/type");
    let external = match kind {
        "LoadBalancer" => {
            let ingress: Vec<String> = s
                .pointer("/status/loadBalancer/ingress")
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(|i| {
                            i["ip"]
                                .as_str()
                                .or(i["hostname"].as_str())
                                .map(str::to_string)
                        })
                        .collect()
                })
                .unwrap_or_default();
            if ingress.is_empty() {
                "<pending>".to_string()
            } else {
                ingress.join(",")
            }
        }
        "ExternalName" => str_at(s, "/spec/externalName").to_string(),
        _ => {
            let ips: Vec<&str> = s
                .pointer("/spec/externalIPs")
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            if ips.is_empty() {
                "<none>".to_string()
            } else {
                ips.join(",")
            }
        }
    };
    let ports: Vec<String> = s
        .pointer("/spec/ports")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .map(|p| {
                    let proto = p["protocol"].as_str().unwrap_or("TCP");
                    match p["nodePort"].as_i64() {
                        Some(np) => format!("{}:{np}/{proto}", p["port"]),
                        None => format!("{}/{proto}", p["port"]),
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    let selector = s
        .pointer("/spec/selector")
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or("")))
                .collect::<Vec<_>>()
                .join(",")
        })
        .unwrap_or_default();
    let (name, created) = name_age(s, now);
    vec![
        name,
        json!(kind),
        json!(or_none(str_at(s, "/spec/clusterIP"))),
        json!(external),
        json!(if ports.is_empty() {
            "<none>".to_string()
        } else {
            ports.join(",")
        }),
        created,
        json!(or_none(&selector)),
    ]
}

fn count(o: &Value, field: &str) -> usize {
    o.get(field)
        .and_then(Value::as_object)
        .map_or(0, |m| m.len())
}

const CONFIGMAP: &[Column] = &[NAME, col("Data", "string", "Data contains the configuration data. Each key must consist of alphanumeric characters, '-', '_' or '.'. Values with non-UTF-8 byte sequences must use the BinaryData field. The keys stored in Data must not overlap with the keys in the BinaryData field, this is enforced during validation process."), AGE];

fn configmap(c: &Value, now: SimTime) -> Vec<Value> {
    let (name, created) = name_age(c, now);
    vec![
        name,
        json!(count(c, "data") + count(c, "binaryData")),
        created,
    ]
}

const SECRET: &[Column] = &[NAME, col("Type", "string", "Used to facilitate programmatic handling of secret data. More info: https://kubernetes.io/docs/concepts/configuration/secret/#secret-types"), col("Data", "string", "Data contains the secret data. Each key must consist of alphanumeric characters, '-', '_' or '.'. The serialized form of the secret data is a base64 encoded string, representing the arbitrary (possibly non-string) data value here. Described in https://tools.ietf.org/html/rfc4648#section-4"), AGE];

fn secret(s: &Value, now: SimTime) -> Vec<Value> {
    let (name, created) = name_age(s, now);
    vec![
        name,
        json!(str_at(s, "/type")),
        json!(count(s, "data")),
        created,
    ]
}

const SERVICEACCOUNT: &[Column] = &[NAME, col("Secrets", "string", "Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use. Pods are only limited to this list if this service account has a \"kubernetes.io/enforce-mountable-secrets\" annotation set to \"true\". The \"kubernetes.io/enforce-mountable-secrets\" annotation is deprecated since v1.32. Prefer separate namespaces to isolate access to mounted secrets. This field should not be used to find auto-generated service account token secrets for use outside of pods. Instead, tokens can be requested directly using the TokenRequest API, or service account token secrets can be manually created. More info: https://kubernetes.io/docs/concepts/configuration/secret"), AGE];

fn serviceaccount(sa: &Value, now: SimTime) -> Vec<Value> {
    let (name, created) = name_age(sa, now);
    let secrets = sa
        .get("secrets")
        .and_then(Value::as_array)
        .map_or(0, Vec::len);
    vec![name, json!(secrets), created]
}

const EVENT: &[Column] = &[
    col("Last Seen", "string", "The time at which the most recent occurrence of this event was recorded."),
    col("Type", "string", "Type of this event (Normal, Warning), new types could be added in the future"),
    col("Reason", "string", "This should be a short, machine understandable string that gives the reason for the transition into the object's current status."),
    col("Object", "string", "The object that this event is about."),
    col("Message", "string", "A human-readable description of the status of this operation."),
    wide("Subobject", "string", "The subobject that this event is about."),
    wide("Source", "string", "The component reporting this event. Should be a short machine understandable string."),
    wide("First Seen", "string", "The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)"),
    wide("Count", "string", "The number of times this event has occurred."),
    Column { name: "Name", kind: "string", format: "name", description: super::NAME_DOC, priority: 1 },
];

fn event(e: &Value, now: SimTime) -> Vec<Value> {
    let last = e
        .get("lastTimestamp")
        .filter(|v| v.is_string())
        .or(e.get("eventTime"));
    let first = e
        .get("firstTimestamp")
        .filter(|v| v.is_string())
        .or(e.get("eventTime"));
    let object = format!(
        "{}/{}",
        str_at(e, "/involvedObject/kind").to_ascii_lowercase(),
        str_at(e, "/involvedObject/name")
    );
    let source = match (str_at(e, "/source/component"), str_at(e, "/source/host")) {
        ("", _) => str_at(e, "/reportingComponent").to_string(),
        (c, "") => c.to_string(),
        (c, h) => format!("{c}, {h}"),
    };
    vec![
        json!(age(last, now)),
        json!(str_at(e, "/type")),
        json!(str_at(e, "/reason")),
        json!(object),
        json!(str_at(e, "/message").trim()),
        json!(str_at(e, "/involvedObject/fieldPath")),
        json!(source),
        json!(age(first, now)),
        json!(int_at(e, "/count").max(1)),
        json!(str_at(e, "/metadata/name")),
    ]
}

const ENDPOINTS: &[Column] = &[
    NAME,
    col("Endpoints", "string", "Endpoints of the service"),
    AGE,
];

fn endpoints(ep: &Value, now: SimTime) -> Vec<Value> {
    let mut list: Vec<String> = Vec::new();
    let mut total = 0;
    for subset in ep
        .get("subsets")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let ports: Vec<i64> = subset["ports"]
            .as_array()
            .map(|p| p.iter().filter_map(|x| x["port"].as_i64()).collect())
            .unwrap_or_default();
        for addr in subset["addresses"].as_array().into_iter().flatten() {
            let ip = addr["ip"].as_str().unwrap_or("");
            if ports.is_empty() {
                total += 1;
                list.push(ip.to_string());
            }
            for p in &ports {
                total += 1;
                list.push(format!("{ip}:{p}"));
            }
        }
    }
    let shown = if list.is_empty() {
        "<none>".to_string()
    } else if list.len() > 3 {
        format!("{} + {} more...", list[..3].join(","), total - 3)
    } else {
        list.join(",")
    };
    let (name, created) = name_age(ep, now);
    vec![name, json!(shown), created]
}

const ENDPOINTSLICE: &[Column] = &[
    NAME,
    col("AddressType", "string", "addressType specifies the type of address carried by this EndpointSlice. All addresses in this slice must be the same type. This field is immutable after creation. The following address types are currently supported: * IPv4: Represents an IPv4 Address. * IPv6: Represents an IPv6 Address. * FQDN: Represents a Fully Qualified Domain Name. (Deprecated) The EndpointSlice controller only generates, and kube-proxy only processes, slices of addressType \"IPv4\" and \"IPv6\". No semantics are defined for the \"FQDN\" type."),
    col("Ports", "string", "ports specifies the list of network ports exposed by each endpoint in this slice. Each port must have a unique name. Each slice may include a maximum of 100 ports. Services always have at least 1 port, so EndpointSlices generated by the EndpointSlice controller will likewise always have at least 1 port. EndpointSlices used for other purposes may have an empty ports list."),
    col("Endpoints", "string", "endpoints is a list of unique endpoints in this slice. Each slice may include a maximum of 1000 endpoints."),
    AGE,
];

fn endpointslice(s: &Value, now: SimTime) -> Vec<Value> {
    let ports: Vec<String> = s
        .get("ports")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|p| p["port"].as_i64().map(|n| n.to_string()))
                .collect()
        })
        .unwrap_or_default();
    let addrs: Vec<String> = s
        .get("endpoints")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .flat_map(|e| e["addresses"].as_array().cloned().unwrap_or_default())
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    let shown = if addrs.is_empty() {
        "<unset>".to_string()
    } else if addrs.len() > 3 {
        format!("{} + {} more...", addrs[..3].join(","), addrs.len() - 3)
    } else {
        addrs.join(",")
    };
    let (name, created) = name_age(s, now);
    vec![
        name,
        json!(str_at(s, "/addressType")),
        json!(if ports.is_empty() {
            "<unset>".to_string()
        } else {
            ports.join(",")
        }),
        json!(shown),
        created,
    ]
}

const LEASE: &[Column] = &[NAME, col("Holder", "string", "holderIdentity contains the identity of the holder of a current lease. If Coordinated Leader Election is used, the holder identity must be equal to the elected LeaseCandidate.metadata.name field."), AGE];

fn lease(l: &Value, now: SimTime) -> Vec<Value> {
    let (name, created) = name_age(l, now);
    vec![name, json!(str_at(l, "/spec/holderIdentity")), created]
}

const ROLEBINDING: &[Column] = &[
    NAME,
    col("Role", "string", "RoleRef can reference a Role in the current namespace or a ClusterRole in the global namespace. This field is immutable."),
    AGE,
    wide("Users", "string", "Users in the roleBinding"),
    wide("Groups", "string", "Groups in the roleBinding"),
    wide("ServiceAccounts", "string", "ServiceAccounts in the roleBinding"),
];

fn rolebinding(b: &Value, now: SimTime) -> Vec<Value> {
    let subjects = b
        .get("subjects")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let of = |kind: &str| -> String {
        subjects
            .iter()
            .filter(|s| s["kind"] == kind)
            .map(|s| match (kind, s["namespace"].as_str()) {
                ("ServiceAccount", Some(ns)) => {
                    format!("{ns}/{}", s["name"].as_str().unwrap_or(""))
                }
                _ => s["name"].as_str().unwrap_or("").to_string(),
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    let (name, created) = name_age(b, now);
    vec![
        name,
        json!(format!(
            "{}/{}",
            str_at(b, "/roleRef/kind"),
            str_at(b, "/roleRef/name")
        )),
        created,
        json!(of("User")),
        json!(of("Group")),
        json!(of("ServiceAccount")),
    ]
}

const PRIORITYCLASS: &[Column] = &[
    NAME,
    col("Value", "integer", "value represents the integer value of this priority class. This is the actual priority that pods receive when they have the name of this class in their pod spec."),
    col("Global-Default", "boolean", "globalDefault specifies whether this PriorityClass should be considered as the default priority for pods that do not have any priority class. Only one PriorityClass can be marked as `globalDefault`. However, if more than one PriorityClasses exists with their `globalDefault` field set to true, the smallest value of such global default PriorityClasses will be used as the default priority."),
    AGE,
    col("PreemptionPolicy", "string", "preemptionPolicy is the Policy for preempting pods with lower priority. One of Never, PreemptLowerPriority. Defaults to PreemptLowerPriority if unset."),
];

fn priorityclass(p: &Value, now: SimTime) -> Vec<Value> {
    let (name, created) = name_age(p, now);
    vec![
        name,
        json!(int_at(p, "/value")),
        json!(p
            .get("globalDefault")
            .and_then(Value::as_bool)
            .unwrap_or(false)),
        created,
        json!(or_none(str_at(p, "/preemptionPolicy"))),
    ]
}
