//! Describers of the apps/v1 workloads: Deployment (with its old and new ReplicaSets),
//! ReplicaSet, DaemonSet and StatefulSet (with the phases of the pods they control).

use serde_json::Value;

use super::pod::describe_pod_template;
use super::{
    arr, describe_events, format_label_selector, int_of, int_or_string, is_controlled_by,
    label_selector_string, non_empty, pod_status_for_controller, print_annotations_multiline,
    print_labels_multiline, print_labels_multiline_with_indent, qty, resource_list, rfc1123z,
    str_of, Ctx, PrefixWriter, LEVEL_0, LEVEL_1,
};
use crate::kubectl::io::{Fail, Res};

/// `DeploymentDescriber`.
pub fn describe_deployment(cx: &mut Ctx<'_, '_, '_>, path: &str) -> Res<String> {
    let d = cx.get(path)?;
    let events = cx.events_of(&d)?;
    let ns = str_of(&d["metadata"]["namespace"]);
    let selector = label_selector_string(&d["spec"]["selector"]);
    // `GetAllReplicaSetsInChunks`: its error leaves the replica sets out.
    let (old, new) = match cx.list(
        &format!("/apis/apps/v1/namespaces/{ns}/replicasets"),
        non_empty(&selector),
        None,
    ) {
        Ok(all) => {
            let mut owned: Vec<Value> = all
                .into_iter()
                .filter(|rs| is_controlled_by(rs, &d))
                .collect();
            owned.sort_by(|a, b| {
                let ta = super::time_ms(str_of(&a["metadata"]["creationTimestamp"]));
                let tb = super::time_ms(str_of(&b["metadata"]["creationTimestamp"]));
                ta.cmp(&tb).then_with(|| {
                    str_of(&a["metadata"]["name"]).cmp(str_of(&b["metadata"]["name"]))
                })
            });
            let new_index = owned
                .iter()
                .position(|rs| equal_ignore_hash(&rs["spec"]["template"], &d["spec"]["template"]));
            let new: Vec<Value> = new_index.map(|i| owned[i].clone()).into_iter().collect();
            let new_uid = new
                .first()
                .map(|rs| str_of(&rs["metadata"]["uid"]).to_string());
            let old: Vec<Value> = owned
                .into_iter()
                .filter(|rs| Some(str_of(&rs["metadata"]["uid"]).to_string()) != new_uid)
                .collect();
            (old, new)
        }
        Err(Fail::Error { .. }) => (Vec::new(), Vec::new()),
        Err(e) => return Err(e),
    };
    let now = cx.now_ms();
    let mut w = PrefixWriter::new();
    let meta = &d["metadata"];
    let spec = &d["spec"];
    let status = &d["status"];
    w.write(LEVEL_0, &format!("Name:\t{}\n", str_of(&meta["name"])));
    w.write(
        LEVEL_0,
        &format!("Namespace:\t{}\n", str_of(&meta["namespace"])),
    );
    w.write(
        LEVEL_0,
        &format!(
            "CreationTimestamp:\t{}\n",
            rfc1123z(&meta["creationTimestamp"])
        ),
    );
    print_labels_multiline(&mut w, "Labels", &meta["labels"]);
    print_annotations_multiline(&mut w, "Annotations", &meta["annotations"]);
    w.write(LEVEL_0, &format!("Selector:\t{selector}\n"));
    w.write(
        LEVEL_0,
        &format!(
            "Replicas:\t{} desired | {} updated | {} total | {} available | {} unavailable\n",
            int_of(&spec["replicas"]),
            int_of(&status["updatedReplicas"]),
            int_of(&status["replicas"]),
            int_of(&status["availableReplicas"]),
            int_of(&status["unavailableReplicas"])
        ),
    );
    w.write(
        LEVEL_0,
        &format!("StrategyType:\t{}\n", str_of(&spec["strategy"]["type"])),
    );
    w.write(
        LEVEL_0,
        &format!("MinReadySeconds:\t{}\n", int_of(&spec["minReadySeconds"])),
    );
    let ru = &spec["strategy"]["rollingUpdate"];
    if ru.is_object() {
        w.write(
            LEVEL_0,
            &format!(
                "RollingUpdateStrategy:\t{} max unavailable, {} max surge\n",
                int_or_string(&ru["maxUnavailable"]),
                int_or_string(&ru["maxSurge"])
            ),
        );
    }
    describe_pod_template(&mut w, &spec["template"]);
    describe_conditions_type_status_reason(&mut w, &status["conditions"]);
    if !old.is_empty() || !new.is_empty() {
        w.write(
            LEVEL_0,
            &format!("OldReplicaSets:\t{}\n", replica_sets_by_labels(&old)),
        );
        w.write(
            LEVEL_0,
            &format!("NewReplicaSet:\t{}\n", replica_sets_by_labels(&new)),
        );
    }
    if let Some(events) = events {
        describe_events(&mut w, &events, now);
    }
    Ok(w.finish())
}

/// The `Conditions:` table of Deployments, ReplicaSets and ReplicationControllers.
fn describe_conditions_type_status_reason(w: &mut PrefixWriter, conditions: &Value) {
    let conditions = arr(conditions);
    if conditions.is_empty() {
        return;
    }
    w.write(LEVEL_0, "Conditions:\n  Type\tStatus\tReason\n");
    w.write(LEVEL_1, "----\t------\t------\n");
    for c in conditions {
        w.write(
            LEVEL_1,
            &format!(
                "{} \t{}\t{}\n",
                str_of(&c["type"]),
                str_of(&c["status"]),
                str_of(&c["reason"])
            ),
        );
    }
}

/// `printReplicaSetsByLabels`.
fn replica_sets_by_labels(rss: &[Value]) -> String {
    let list: Vec<String> = rss
        .iter()
        .map(|rs| {
            format!(
                "{} ({}/{} replicas created)",
                str_of(&rs["metadata"]["name"]),
                int_of(&rs["status"]["replicas"]),
                int_of(&rs["spec"]["replicas"])
            )
        })
        .collect();
    if list.is_empty() {
        "<none>".to_string()
    } else {
        list.join(", ")
    }
}

/// `equalIgnoreHash`: the templates are semantically equal once the
/// `pod-template-hash` label is dropped (empty and missing collections are equal).
fn equal_ignore_hash(a: &Value, b: &Value) -> bool {
    fn normalize(v: &Value) -> Value {
        match v {
            Value::Object(m) => Value::Object(
                m.iter()
                    .filter_map(|(k, v)| {
                        let n = normalize(v);
                        let empty = n.is_null()
                            || n.as_object().is_some_and(|m| m.is_empty())
                            || n.as_array().is_some_and(|a| a.is_empty());
                        (!empty).then(|| (k.clone(), n))
                    })
                    .collect(),
            ),
            Value::Array(a) => Value::Array(a.iter().map(normalize).collect()),
            other => other.clone(),
        }
    }
    let strip = |t: &Value| {
        let mut t = t.clone();
        if let Some(labels) = t["metadata"]["labels"].as_object_mut() {
            labels.remove("pod-template-hash");
        }
        normalize(&t)
    };
    strip(a) == strip(b)
}

/// `ReplicaSetDescriber`.
pub fn describe_replicaset(cx: &mut Ctx<'_, '_, '_>, path: &str, namespace: &str) -> Res<String> {
    let rs = cx.get(path)?;
    let selector = label_selector_string(&rs["spec"]["selector"]);
    let pods = match pod_status_for_controller(cx, namespace, &selector, &rs) {
        Ok(p) => Ok(p),
        Err(Fail::Error { text, .. }) => Err(text),
        Err(e) => return Err(e),
    };
    let events = cx.events_of(&rs)?;
    let now = cx.now_ms();
    let mut w = PrefixWriter::new();
    let meta = &rs["metadata"];
    w.write(LEVEL_0, &format!("Name:\t{}\n", str_of(&meta["name"])));
    w.write(
        LEVEL_0,
        &format!("Namespace:\t{}\n", str_of(&meta["namespace"])),
    );
    w.write(
        LEVEL_0,
        &format!(
            "Selector:\t{}\n",
            format_label_selector(&rs["spec"]["selector"])
        ),
    );
    print_labels_multiline(&mut w, "Labels", &meta["labels"]);
    print_annotations_multiline(&mut w, "Annotations", &meta["annotations"]);
    if let Some(c) = super::controlled_by(&rs) {
        w.write(LEVEL_0, &format!("Controlled By:\t{c}\n"));
    }
    w.write(
        LEVEL_0,
        &format!(
            "Replicas:\t{} current / {} desired\n",
            int_of(&rs["status"]["replicas"]),
            int_of(&rs["spec"]["replicas"])
        ),
    );
    w.write(LEVEL_0, "Pods Status:\t");
    match pods {
        Ok((running, waiting, succeeded, failed)) => w.write(
            LEVEL_0,
            &format!(
                "{running} Running / {waiting} Waiting / {succeeded} Succeeded / {failed} Failed\n"
            ),
        ),
        Err(text) => w.write(
            LEVEL_0,
            &format!("error in fetching pods: {}\n", text.trim_end()),
        ),
    }
    describe_pod_template(&mut w, &rs["spec"]["template"]);
    describe_conditions_type_status_reason(&mut w, &rs["status"]["conditions"]);
    if let Some(events) = events {
        describe_events(&mut w, &events, now);
    }
    Ok(w.finish())
}

/// `DaemonSetDescriber`.
pub fn describe_daemonset(cx: &mut Ctx<'_, '_, '_>, path: &str, namespace: &str) -> Res<String> {
    let ds = cx.get(path)?;
    let selector = label_selector_string(&ds["spec"]["selector"]);
    let (running, waiting, succeeded, failed) =
        pod_status_for_controller(cx, namespace, &selector, &ds)?;
    let events = cx.events_of(&ds)?;
    let now = cx.now_ms();
    let mut w = PrefixWriter::new();
    let meta = &ds["metadata"];
    let status = &ds["status"];
    w.write(LEVEL_0, &format!("Name:\t{}\n", str_of(&meta["name"])));
    w.write(
        LEVEL_0,
        &format!("Namespace:\t{}\n", str_of(&meta["namespace"])),
    );
    w.write(LEVEL_0, &format!("Selector:\t{selector}\n"));
    w.write(
        LEVEL_0,
        &format!(
            "Node-Selector:\t{}\n",
            super::format_labels(&ds["spec"]["template"]["spec"]["nodeSelector"])
        ),
    );
    print_labels_multiline(&mut w, "Labels", &meta["labels"]);
    print_annotations_multiline(&mut w, "Annotations", &meta["annotations"]);
    for (text, key) in [
        (
            "Desired Number of Nodes Scheduled",
            "desiredNumberScheduled",
        ),
        (
            "Current Number of Nodes Scheduled",
            "currentNumberScheduled",
        ),
        (
            "Number of Nodes Scheduled with Up-to-date Pods",
            "updatedNumberScheduled",
        ),
        (
            "Number of Nodes Scheduled with Available Pods",
            "numberAvailable",
        ),
        ("Number of Nodes Misscheduled", "numberMisscheduled"),
    ] {
        w.write(LEVEL_0, &format!("{text}: {}\n", int_of(&status[key])));
    }
    w.write(
        LEVEL_0,
        &format!(
            "Pods Status:\t{running} Running / {waiting} Waiting / {succeeded} Succeeded / {failed} Failed\n"
        ),
    );
    describe_pod_template(&mut w, &ds["spec"]["template"]);
    if let Some(events) = events {
        describe_events(&mut w, &events, now);
    }
    Ok(w.finish())
}

/// `StatefulSetDescriber`.
pub fn describe_statefulset(cx: &mut Ctx<'_, '_, '_>, path: &str, namespace: &str) -> Res<String> {
    let ss = cx.get(path)?;
    let selector = label_selector_string(&ss["spec"]["selector"]);
    let (running, waiting, succeeded, failed) =
        pod_status_for_controller(cx, namespace, &selector, &ss)?;
    let events = cx.events_of(&ss)?;
    let now = cx.now_ms();
    let mut w = PrefixWriter::new();
    let meta = &ss["metadata"];
    let spec = &ss["spec"];
    w.write(LEVEL_0, &format!("Name:\t{}\n", str_of(&meta["name"])));
    w.write(
        LEVEL_0,
        &format!("Namespace:\t{}\n", str_of(&meta["namespace"])),
    );
    w.write(
        LEVEL_0,
        &format!(
            "CreationTimestamp:\t{}\n",
            rfc1123z(&meta["creationTimestamp"])
        ),
    );
    w.write(LEVEL_0, &format!("Selector:\t{selector}\n"));
    print_labels_multiline(&mut w, "Labels", &meta["labels"]);
    print_annotations_multiline(&mut w, "Annotations", &meta["annotations"]);
    w.write(
        LEVEL_0,
        &format!(
            "Replicas:\t{} desired | {} total\n",
            int_of(&spec["replicas"]),
            int_of(&ss["status"]["replicas"])
        ),
    );
    w.write(
        LEVEL_0,
        &format!(
            "Update Strategy:\t{}\n",
            str_of(&spec["updateStrategy"]["type"])
        ),
    );
    let ru = &spec["updateStrategy"]["rollingUpdate"];
    if ru.is_object() && !ru["partition"].is_null() {
        w.write(
            LEVEL_1,
            &format!("Partition:\t{}\n", int_of(&ru["partition"])),
        );
        if !ru["maxUnavailable"].is_null() {
            w.write(
                LEVEL_1,
                &format!(
                    "MaxUnavailable:\t{}\n",
                    int_or_string(&ru["maxUnavailable"])
                ),
            );
        }
    }
    w.write(
        LEVEL_0,
        &format!(
            "Pods Status:\t{running} Running / {waiting} Waiting / {succeeded} Succeeded / {failed} Failed\n"
        ),
    );
    describe_pod_template(&mut w, &spec["template"]);
    describe_volume_claim_templates(&mut w, &spec["volumeClaimTemplates"]);
    if let Some(events) = events {
        describe_events(&mut w, &events, now);
    }
    Ok(w.finish())
}

/// `describeVolumeClaimTemplates`.
fn describe_volume_claim_templates(w: &mut PrefixWriter, templates: &Value) {
    let templates = arr(templates);
    if templates.is_empty() {
        w.write(LEVEL_0, "Volume Claims:\t<none>\n");
        return;
    }
    w.write(LEVEL_0, "Volume Claims:\n");
    for pvc in templates {
        let meta = &pvc["metadata"];
        let spec = &pvc["spec"];
        w.write(LEVEL_1, &format!("Name:\t{}\n", str_of(&meta["name"])));
        let class = meta["annotations"]["volume.beta.kubernetes.io/storage-class"]
            .as_str()
            .unwrap_or_else(|| str_of(&spec["storageClassName"]));
        w.write(LEVEL_1, &format!("StorageClass:\t{class}\n"));
        print_labels_multiline_with_indent(w, "  ", "Labels", "\t", &meta["labels"]);
        print_labels_multiline_with_indent(w, "  ", "Annotations", "\t", &meta["annotations"]);
        match resource_list(&spec["resources"]["requests"]).get("storage") {
            Some(q) => w.write(LEVEL_1, &format!("Capacity:\t{}\n", qty(q))),
            None => w.write(LEVEL_1, "Capacity:\t<default>\n"),
        }
        w.write(
            LEVEL_1,
            &format!(
                "Access Modes:\t{}\n",
                super::core::go_string_slice(&spec["accessModes"])
            ),
        );
    }
}
