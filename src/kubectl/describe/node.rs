//! The Node describer (`NodeDescriber`, `describeNode`): the node, its lease, the pods that
//! run on it with their share of its allocatable CPU and memory, and its events (under both
//! the node's UID and its name, as controllers and kubelets record them).

use std::collections::BTreeMap;

use serde_json::Value;

use super::{
    arr, bool_of, describe_events, print_annotations_multiline, print_labels_multiline,
    print_taints_multiline, qty, qty_value, resource_list, rfc1123z, since, str_of, string_map,
    Ctx, EventRef, PrefixWriter, LEVEL_0, LEVEL_1,
};
use crate::apiserver::defaulting::quantity::Quantity;
use crate::kubectl::io::{Fail, Res};

/// `NodeDescriber.Describe`.
pub fn describe(cx: &mut Ctx<'_, '_, '_>, path: &str, name: &str) -> Res<String> {
    let node = cx.get(path)?;
    let selector = format!("spec.nodeName={name},status.phase!=Succeeded,status.phase!=Failed");
    // Users allowed to read a node may not be allowed to list its pods.
    let pods = match cx.list("/api/v1/pods", None, Some(&selector)) {
        Ok(p) => Some(p),
        Err(Fail::Error { text, .. }) if text.contains("(Forbidden)") => None,
        Err(e) => return Err(e),
    };
    let events = if cx.settings.show_events {
        let mut r = EventRef::of(&node);
        r.kind = Some("Node".to_string());
        let mut events = cx.events(&r)?;
        // Kubelets record node events under the node's name as its UID.
        r.uid = Some(r.name.clone());
        events.extend(cx.events(&r)?);
        Some(events)
    } else {
        None
    };
    let lease = cx.get(&format!(
        "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/{name}"
    ));
    let lease = match lease {
        Ok(l) => Ok(l),
        Err(Fail::Error { text, .. }) => Err(text),
        Err(e) => return Err(e),
    };
    let now = cx.now_ms();
    let mut w = PrefixWriter::new();
    let meta = &node["metadata"];
    let spec = &node["spec"];
    let status = &node["status"];
    w.write(LEVEL_0, &format!("Name:\t{}\n", str_of(&meta["name"])));
    let roles = node_roles(&meta["labels"]);
    if roles.is_empty() {
        w.write(LEVEL_0, "Roles:\t<none>\n");
    } else {
        w.write(LEVEL_0, &format!("Roles:\t{}\n", roles.join(",")));
    }
    print_labels_multiline(&mut w, "Labels", &meta["labels"]);
    print_annotations_multiline(&mut w, "Annotations", &meta["annotations"]);
    w.write(
        LEVEL_0,
        &format!(
            "CreationTimestamp:\t{}\n",
            rfc1123z(&meta["creationTimestamp"])
        ),
    );
    print_taints_multiline(&mut w, "Taints", &spec["taints"]);
    w.write(
        LEVEL_0,
        &format!("Unschedulable:\t{}\n", bool_of(&spec["unschedulable"])),
    );
    match lease {
        Ok(lease) => {
            let s = &lease["spec"];
            w.write(LEVEL_0, "Lease:\n");
            let holder = s["holderIdentity"].as_str().unwrap_or("<unset>");
            w.write(LEVEL_1, &format!("HolderIdentity:\t{holder}\n"));
            let time = |v: &Value| {
                if v.is_string() {
                    rfc1123z(v)
                } else {
                    "<unset>".to_string()
                }
            };
            w.write(
                LEVEL_1,
                &format!("AcquireTime:\t{}\n", time(&s["acquireTime"])),
            );
            w.write(LEVEL_1, &format!("RenewTime:\t{}\n", time(&s["renewTime"])));
        }
        Err(text) => {
            let message = text
                .trim_end()
                .split_once("): ")
                .map_or(text.trim_end(), |(_, m)| m);
            w.write(
                LEVEL_0,
                &format!("Lease:\tFailed to get lease: {message}\n"),
            );
        }
    }
    let conditions = arr(&status["conditions"]);
    if !conditions.is_empty() {
        w.write(
            LEVEL_0,
            "Conditions:\n  Type\tStatus\tLastHeartbeatTime\tLastTransitionTime\tReason\tMessage\n",
        );
        w.write(
            LEVEL_1,
            "----\t------\t-----------------\t------------------\t------\t-------\n",
        );
        for c in conditions {
            w.write(
                LEVEL_1,
                &format!(
                    "{} \t{} \t{} \t{} \t{} \t{}\n",
                    str_of(&c["type"]),
                    str_of(&c["status"]),
                    rfc1123z(&c["lastHeartbeatTime"]),
                    rfc1123z(&c["lastTransitionTime"]),
                    str_of(&c["reason"]),
                    str_of(&c["message"])
                ),
            );
        }
    }
    w.write(LEVEL_0, "Addresses:\n");
    for a in arr(&status["addresses"]) {
        w.write(
            LEVEL_1,
            &format!("{}:\t{}\n", str_of(&a["type"]), str_of(&a["address"])),
        );
    }
    let capacity = resource_list(&status["capacity"]);
    let allocatable_list = resource_list(&status["allocatable"]);
    for (title, list) in [("Capacity", &capacity), ("Allocatable", &allocatable_list)] {
        if list.is_empty() {
            continue;
        }
        w.write(LEVEL_0, &format!("{title}:\n"));
        for (name, q) in list {
            w.write(LEVEL_0, &format!("  {name}:\t{}\n", qty(q)));
        }
    }
    let info = &status["nodeInfo"];
    w.write(LEVEL_0, "System Info:\n");
    for (title, key) in [
        ("Machine ID", "machineID"),
        ("System UUID", "systemUUID"),
        ("Boot ID", "bootID"),
        ("Kernel Version", "kernelVersion"),
        ("OS Image", "osImage"),
        ("Operating System", "operatingSystem"),
        ("Architecture", "architecture"),
        ("Container Runtime Version", "containerRuntimeVersion"),
        ("Kubelet Version", "kubeletVersion"),
        ("Kube-Proxy Version", "kubeProxyVersion"),
    ] {
        w.write(LEVEL_0, &format!("  {title}:\t{}\n", str_of(&info[key])));
    }
    let pod_cidr = str_of(&spec["podCIDR"]);
    if !pod_cidr.is_empty() {
        w.write(LEVEL_0, &format!("PodCIDR:\t{pod_cidr}\n"));
    }
    let cidrs: Vec<&str> = arr(&spec["podCIDRs"]).iter().map(str_of).collect();
    if !cidrs.is_empty() {
        w.write(LEVEL_0, &format!("PodCIDRs:\t{}\n", cidrs.join(",")));
    }
    let provider = str_of(&spec["providerID"]);
    if !provider.is_empty() {
        w.write(LEVEL_0, &format!("ProviderID:\t{provider}\n"));
    }
    match &pods {
        Some(pods) => {
            let allocatable = if allocatable_list.is_empty() {
                &capacity
            } else {
                &allocatable_list
            };
            describe_node_resource(&mut w, pods, allocatable, now);
        }
        None => w.write(LEVEL_0, "Pods:\tnot authorized\n"),
    }
    if let Some(events) = events {
        describe_events(&mut w, &events, now);
    }
    Ok(w.finish())
}

/// `findNodeRoles`: `node-role.kubernetes.io/<role>` labels and `kubernetes.io/role=<role>`.
fn node_roles(labels: &Value) -> Vec<String> {
    let mut roles = std::collections::BTreeSet::new();
    for (k, v) in string_map(labels) {
        if let Some(role) = k.strip_prefix("node-role.kubernetes.io/") {
            if !role.is_empty() {
                roles.insert(role.to_string());
            }
        } else if k == "kubernetes.io/role" && !v.is_empty() {
            roles.insert(v);
        }
    }
    roles.into_iter().collect()
}

type ResourceList = BTreeMap<String, Quantity>;

/// How a resource is counted for its share: `MilliValue` for CPU, `Value` otherwise.
type Unit = fn(&Quantity) -> i128;

/// `resourcehelper.PodRequestsAndLimits` (kubectl 1.33): containers summed, restartable
/// (sidecar) init containers added, other init containers as a floor, plus the overhead.
fn pod_requests_and_limits(pod: &Value) -> (ResourceList, ResourceList) {
    (pod_resources(pod, "requests"), pod_resources(pod, "limits"))
}

fn add_list(list: &mut ResourceList, new: &ResourceList) {
    for (name, q) in new {
        let sum = match list.get(name) {
            Some(v) => v.add(q),
            None => *q,
        };
        list.insert(name.clone(), sum);
    }
}

fn max_list(list: &mut ResourceList, new: &ResourceList) {
    for (name, q) in new {
        if list.get(name).is_none_or(|v| q > v) {
            list.insert(name.clone(), *q);
        }
    }
}

fn pod_resources(pod: &Value, kind: &str) -> ResourceList {
    let statuses = arr(&pod["status"]["containerStatuses"]);
    let mut total = ResourceList::new();
    for c in arr(&pod["spec"]["containers"]) {
        let mut own = resource_list(&c["resources"][kind]);
        // A resized container's status tells what it really has.
        if let Some(cs) = statuses
            .iter()
            .find(|s| s["name"] == c["name"] && s["resources"].is_object())
        {
            max_list(&mut own, &resource_list(&cs["resources"][kind]));
            if kind == "requests" {
                max_list(&mut own, &resource_list(&cs["allocatedResources"]));
            }
        }
        add_list(&mut total, &own);
    }
    let mut restartable = ResourceList::new();
    let mut init = ResourceList::new();
    for c in arr(&pod["spec"]["initContainers"]) {
        let own = resource_list(&c["resources"][kind]);
        let effective = if str_of(&c["restartPolicy"]) == "Always" {
            add_list(&mut total, &own);
            add_list(&mut restartable, &own);
            restartable.clone()
        } else {
            let mut tmp = own.clone();
            add_list(&mut tmp, &restartable);
            tmp
        };
        max_list(&mut init, &effective);
    }
    max_list(&mut total, &init);
    let overhead = resource_list(&pod["spec"]["overhead"]);
    if kind == "requests" {
        add_list(&mut total, &overhead);
    } else {
        for (name, q) in &overhead {
            if let Some(v) = total.get(name).filter(|v| !v.is_zero()) {
                let sum = v.add(q);
                total.insert(name.clone(), sum);
            }
        }
    }
    total
}

/// Go's `int64(float64(a) / float64(b) * 100)`; amd64 turns NaN and overflow into MinInt64.
fn percent(a: i128, b: i128) -> i64 {
    let f = a as f64 / b as f64 * 100.0;
    if f.is_finite() && f.abs() < 9.2e18 {
        f as i64
    } else {
        i64::MIN
    }
}

/// `describeNodeResource`.
fn describe_node_resource(
    w: &mut PrefixWriter,
    pods: &[Value],
    allocatable: &ResourceList,
    now: i64,
) {
    w.write(
        LEVEL_0,
        &format!("Non-terminated Pods:\t({} in total)\n", pods.len()),
    );
    w.write(
        LEVEL_1,
        "Namespace\tName\t\tCPU Requests\tCPU Limits\tMemory Requests\tMemory Limits\tAge\n",
    );
    w.write(
        LEVEL_1,
        "---------\t----\t\t------------\t----------\t---------------\t-------------\t---\n",
    );
    let get = |l: &ResourceList, n: &str| l.get(n).copied().unwrap_or_else(Quantity::zero);
    let alloc_cpu = get(allocatable, "cpu").milli_value();
    let alloc_mem = qty_value(&get(allocatable, "memory"));
    let mut reqs = ResourceList::new();
    let mut limits = ResourceList::new();
    for pod in pods {
        let (req, limit) = pod_requests_and_limits(pod);
        let (cpu_req, cpu_limit, mem_req, mem_limit) = (
            get(&req, "cpu"),
            get(&limit, "cpu"),
            get(&req, "memory"),
            get(&limit, "memory"),
        );
        w.write(
            LEVEL_1,
            &format!(
                "{}\t{}\t\t{} ({}%)\t{} ({}%)\t{} ({}%)\t{} ({}%)\t{}\n",
                str_of(&pod["metadata"]["namespace"]),
                str_of(&pod["metadata"]["name"]),
                qty(&cpu_req),
                percent(cpu_req.milli_value(), alloc_cpu),
                qty(&cpu_limit),
                percent(cpu_limit.milli_value(), alloc_cpu),
                qty(&mem_req),
                percent(qty_value(&mem_req), alloc_mem),
                qty(&mem_limit),
                percent(qty_value(&mem_limit), alloc_mem),
                since(&pod["metadata"]["creationTimestamp"], now)
            ),
        );
        add_list(&mut reqs, &req);
        add_list(&mut limits, &limit);
    }
    w.write(
        LEVEL_0,
        "Allocated resources:\n  (Total limits may be over 100 percent, i.e., overcommitted.)\n",
    );
    w.write(LEVEL_1, "Resource\tRequests\tLimits\n");
    w.write(LEVEL_1, "--------\t--------\t------\n");
    // Totals guard against a zero allocatable, unlike the per-pod rows.
    let share = |q: i128, of: i128| if of != 0 { percent(q, of) } else { 0 };
    let rows: [(&str, Unit); 3] = [
        ("cpu", |q| q.milli_value()),
        ("memory", qty_value),
        ("ephemeral-storage", qty_value),
    ];
    for (name, value) in rows {
        let (r, l, a) = (get(&reqs, name), get(&limits, name), get(allocatable, name));
        w.write(
            LEVEL_1,
            &format!(
                "{name}\t{} ({}%)\t{} ({}%)\n",
                qty(&r),
                share(value(&r), value(&a)),
                qty(&l),
                share(value(&l), value(&a))
            ),
        );
    }
    let standard = ["cpu", "memory", "ephemeral-storage"];
    for (name, a) in allocatable {
        if !name.starts_with("hugepages-") {
            continue;
        }
        let (r, l) = (get(&reqs, name), get(&limits, name));
        w.write(
            LEVEL_1,
            &format!(
                "{name}\t{} ({}%)\t{} ({}%)\n",
                qty(&r),
                share(qty_value(&r), qty_value(a)),
                qty(&l),
                share(qty_value(&l), qty_value(a))
            ),
        );
    }
    for name in allocatable.keys() {
        if name.starts_with("hugepages-") || standard.contains(&name.as_str()) || name == "pods" {
            continue;
        }
        w.write(
            LEVEL_1,
            &format!(
                "{name}\t{}\t{}\n",
                qty(&get(&reqs, name)),
                qty(&get(&limits, name))
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn roles_come_from_role_labels() {
        let labels = json!({"node-role.kubernetes.io/control-plane": "",
                            "node-role.kubernetes.io/": "", "kubernetes.io/role": "edge"});
        assert_eq!(node_roles(&labels), ["control-plane", "edge"]);
    }

    #[test]
    fn init_containers_set_a_floor_and_sidecars_add_up() {
        let pod = json!({"spec": {
            "containers": [{"name": "a", "resources": {"requests": {"cpu": "100m"}}},
                           {"name": "b", "resources": {"requests": {"cpu": "150m", "memory": "64Mi"}}}],
            "initContainers": [{"name": "i", "resources": {"requests": {"cpu": "500m"}}},
                               {"name": "s", "restartPolicy": "Always",
                                "resources": {"requests": {"memory": "32Mi"}}}]}});
        let (req, _) = pod_requests_and_limits(&pod);
        assert_eq!(qty(&req["cpu"]), "500m");
        assert_eq!(qty(&req["memory"]), "96Mi");
        assert_eq!(percent(250, 2000), 12);
        assert_eq!(percent(1, 0), i64::MIN);
    }
}
