//! Describers of core kinds that hold configuration or policy rather than workloads:
//! Namespace (with its quotas and limit ranges), ConfigMap, Secret, ServiceAccount, LimitRange,
//! ResourceQuota, PersistentVolume(Claim), PriorityClass and StorageClass.

use base64::Engine;
use serde_json::Value;

use super::{
    arr, bool_of, describe_events, format_labels, int_of, print_annotations_multiline,
    print_labels_multiline, qty, resource_list, rfc1123z, since, str_of, string_map, Ctx,
    PrefixWriter, LEVEL_0, LEVEL_1, LEVEL_2,
};
use crate::apiserver::defaulting::quantity::Quantity;
use crate::kubectl::io::{Fail, Res};

/// `NamespaceDescriber`: the namespace, then its resource quotas and limit ranges (a server
/// without them answers 404, and the section is left out).
pub fn describe_namespace(cx: &mut Ctx<'_, '_, '_>, path: &str, name: &str) -> Res<String> {
    let ns = cx.get(path)?;
    let quotas = optional_list(cx, &format!("/api/v1/namespaces/{name}/resourcequotas"))?;
    let limits = optional_list(cx, &format!("/api/v1/namespaces/{name}/limitranges"))?;
    let mut w = PrefixWriter::new();
    let meta = &ns["metadata"];
    w.write(LEVEL_0, &format!("Name:\t{}\n", str_of(&meta["name"])));
    print_labels_multiline(&mut w, "Labels", &meta["labels"]);
    print_annotations_multiline(&mut w, "Annotations", &meta["annotations"]);
    w.write(
        LEVEL_0,
        &format!("Status:\t{}\n", str_of(&ns["status"]["phase"])),
    );
    let conditions = arr(&ns["status"]["conditions"]);
    if !conditions.is_empty() {
        w.write(LEVEL_0, "Conditions:\n");
        w.write(
            LEVEL_1,
            "Type\tStatus\tLastTransitionTime\tReason\tMessage\n",
        );
        w.write(
            LEVEL_1,
            "----\t------\t------------------\t------\t-------\n",
        );
        for c in conditions {
            w.write(
                LEVEL_1,
                &format!(
                    "{}\t{}\t{}\t{}\t{}\n",
                    str_of(&c["type"]),
                    str_of(&c["status"]),
                    rfc1123z(&c["lastTransitionTime"]),
                    str_of(&c["reason"]),
                    str_of(&c["message"])
                ),
            );
        }
    }
    if let Some(quotas) = quotas {
        w.write(LEVEL_0, "\n");
        describe_resource_quotas(&mut w, &quotas);
    }
    if let Some(limits) = limits {
        w.write(LEVEL_0, "\n");
        describe_limit_ranges(&mut w, &limits);
    }
    Ok(w.finish())
}

/// A list that a server may not serve: 404 means "no such section".
fn optional_list(cx: &mut Ctx<'_, '_, '_>, collection: &str) -> Res<Option<Vec<Value>>> {
    match cx.list(collection, None, None) {
        Ok(items) => Ok(Some(items)),
        Err(Fail::Error { text, .. }) if text.contains("(NotFound)") => Ok(None),
        Err(e) => Err(e),
    }
}

/// `DescribeResourceQuotas`.
fn describe_resource_quotas(w: &mut PrefixWriter, quotas: &[Value]) {
    if quotas.is_empty() {
        w.write(LEVEL_0, "No resource quota.\n");
        return;
    }
    let mut quotas: Vec<&Value> = quotas.iter().collect();
    quotas.sort_by(|a, b| str_of(&a["metadata"]["name"]).cmp(str_of(&b["metadata"]["name"])));
    w.write(LEVEL_0, "Resource Quotas\n");
    for q in quotas {
        w.write(
            LEVEL_1,
            &format!("Name:\t{}\n", str_of(&q["metadata"]["name"])),
        );
        let scopes = sorted_scopes(q);
        if !scopes.is_empty() {
            w.write(LEVEL_1, &format!("Scopes:\t{}\n", scopes.join(", ")));
            for s in &scopes {
                let help = scope_help(s);
                if !help.is_empty() {
                    w.write(LEVEL_1, &format!("* {help}\n"));
                }
            }
        }
        w.write(LEVEL_1, "Resource\tUsed\tHard\n");
        w.write(LEVEL_1, "--------\t---\t---\n");
        let used = resource_list(&q["status"]["used"]);
        for (name, hard) in resource_list(&q["status"]["hard"]) {
            let u = used.get(&name).copied().unwrap_or_else(Quantity::zero);
            w.write(LEVEL_1, &format!("{name}\t{}\t{}\n", qty(&u), qty(&hard)));
        }
    }
}

fn sorted_scopes(q: &Value) -> Vec<String> {
    let mut scopes: Vec<String> = arr(&q["spec"]["scopes"])
        .iter()
        .map(|s| str_of(s).to_string())
        .collect();
    scopes.sort();
    scopes
}

/// `helpTextForResourceQuotaScope`.
fn scope_help(scope: &str) -> &'static str {
    match scope {
        "Terminating" => "Matches all pods that have an active deadline. These pods have a limited lifespan on a node before being actively terminated by the system.",
        "NotTerminating" => "Matches all pods that do not have an active deadline. These pods usually include long running pods whose container command is not expected to terminate.",
        "BestEffort" => "Matches all pods that do not have resource requirements set. These pods have a best effort quality of service.",
        "NotBestEffort" => "Matches all pods that have at least one resource requirement set. These pods have a burstable or guaranteed quality of service.",
        _ => "",
    }
}

/// `DescribeLimitRanges`.
fn describe_limit_ranges(w: &mut PrefixWriter, limits: &[Value]) {
    if limits.is_empty() {
        w.write(LEVEL_0, "No LimitRange resource.\n");
        return;
    }
    w.write(
        LEVEL_0,
        "Resource Limits\n Type\tResource\tMin\tMax\tDefault Request\tDefault Limit\tMax Limit/Request Ratio\n",
    );
    w.write(
        LEVEL_0,
        " ----\t--------\t---\t---\t---------------\t-------------\t-----------------------\n",
    );
    for l in limits {
        describe_limit_range_spec(w, &l["spec"], " ");
    }
}

/// `describeLimitRangeSpec`: one row per resource named in any of the item's lists. The real
/// tool walks a Go map (its row order changes between runs); kubestep sorts by resource.
fn describe_limit_range_spec(w: &mut PrefixWriter, spec: &Value, prefix: &str) {
    for item in arr(&spec["limits"]) {
        let lists = [
            resource_list(&item["max"]),
            resource_list(&item["min"]),
            resource_list(&item["default"]),
            resource_list(&item["defaultRequest"]),
            resource_list(&item["maxLimitRequestRatio"]),
        ];
        let names: std::collections::BTreeSet<&String> =
            lists.iter().flat_map(|l| l.keys()).collect();
        let show = |i: usize, k: &String| lists[i].get(k).map_or("-".to_string(), qty);
        for k in names {
            w.write(
                LEVEL_0,
                &format!(
                    "{prefix}{}\t{k}\t{}\t{}\t{}\t{}\t{}\n",
                    str_of(&item["type"]),
                    show(1, k),
                    show(0, k),
                    show(3, k),
                    show(2, k),
                    show(4, k)
                ),
            );
        }
    }
}

/// `LimitRangeDescriber`.
pub fn describe_limitrange(cx: &mut Ctx<'_, '_, '_>, path: &str) -> Res<String> {
    let lr = cx.get(path)?;
    let mut w = PrefixWriter::new();
    w.write(
        LEVEL_0,
        &format!("Name:\t{}\n", str_of(&lr["metadata"]["name"])),
    );
    w.write(
        LEVEL_0,
        &format!("Namespace:\t{}\n", str_of(&lr["metadata"]["namespace"])),
    );
    w.write(
        LEVEL_0,
        "Type\tResource\tMin\tMax\tDefault Request\tDefault Limit\tMax Limit/Request Ratio\n",
    );
    w.write(
        LEVEL_0,
        "----\t--------\t---\t---\t---------------\t-------------\t-----------------------\n",
    );
    describe_limit_range_spec(&mut w, &lr["spec"], "");
    Ok(w.finish())
}

/// `ResourceQuotaDescriber` (`describeQuota`).
pub fn describe_resourcequota(cx: &mut Ctx<'_, '_, '_>, path: &str) -> Res<String> {
    let q = cx.get(path)?;
    let mut w = PrefixWriter::new();
    w.write(
        LEVEL_0,
        &format!("Name:\t{}\n", str_of(&q["metadata"]["name"])),
    );
    w.write(
        LEVEL_0,
        &format!("Namespace:\t{}\n", str_of(&q["metadata"]["namespace"])),
    );
    let scopes = sorted_scopes(&q);
    if !scopes.is_empty() {
        w.write(LEVEL_0, &format!("Scopes:\t{}\n", scopes.join(", ")));
        for s in &scopes {
            let help = scope_help(s);
            if !help.is_empty() {
                w.write(LEVEL_0, &format!(" * {help}\n"));
            }
        }
    }
    w.write(LEVEL_0, "Resource\tUsed\tHard\n");
    w.write(LEVEL_0, "--------\t----\t----\n");
    let used = resource_list(&q["status"]["used"]);
    for (name, hard) in resource_list(&q["status"]["hard"]) {
        let mut u = used.get(&name).copied().unwrap_or_else(Quantity::zero);
        if u.format != hard.format {
            // `resource.NewQuantity(used.Value(), hard.Format)`.
            u = Quantity {
                nanos: super::qty_value(&u) * 1_000_000_000,
                format: hard.format,
            };
        }
        w.write(LEVEL_0, &format!("{name}\t{}\t{}\n", qty(&u), qty(&hard)));
    }
    Ok(w.finish())
}

/// `ConfigMapDescriber`. Its events come last, fetched while it writes (an error fails the
/// describe, unlike the other describers). The real tool prints the keys in Go's map order,
/// which changes between runs; kubestep sorts them.
pub fn describe_configmap(cx: &mut Ctx<'_, '_, '_>, path: &str) -> Res<String> {
    let cm = cx.get(path)?;
    let events = if cx.settings.show_events {
        Some(cx.events_or_error(&super::EventRef::of(&cm))?)
    } else {
        None
    };
    let now = cx.now_ms();
    let mut w = PrefixWriter::new();
    let meta = &cm["metadata"];
    w.write(LEVEL_0, &format!("Name:\t{}\n", str_of(&meta["name"])));
    w.write(
        LEVEL_0,
        &format!("Namespace:\t{}\n", str_of(&meta["namespace"])),
    );
    print_labels_multiline(&mut w, "Labels", &meta["labels"]);
    print_annotations_multiline(&mut w, "Annotations", &meta["annotations"]);
    w.write(LEVEL_0, "\nData\n====\n");
    for (k, v) in string_map(&cm["data"]) {
        w.write(LEVEL_0, &format!("{k}:\n----\n"));
        w.write(LEVEL_0, &format!("{v}\n"));
        w.write(LEVEL_0, "\n");
    }
    w.write(LEVEL_0, "\nBinaryData\n====\n");
    for (k, v) in string_map(&cm["binaryData"]) {
        w.write(LEVEL_0, &format!("{k}: {} bytes\n", decoded_len(&v)));
    }
    w.write(LEVEL_0, "\n");
    if let Some(events) = events {
        describe_events(&mut w, &events, now);
    }
    Ok(w.finish())
}

/// The length of base64-encoded `[]byte` data.
fn decoded_len(b64: &str) -> usize {
    base64::engine::general_purpose::STANDARD
        .decode(b64)
        .map_or(0, |d| d.len())
}

/// `SecretDescriber`: sizes only, except a service-account token, which is shown.
pub fn describe_secret(cx: &mut Ctx<'_, '_, '_>, path: &str) -> Res<String> {
    let s = cx.get(path)?;
    let mut w = PrefixWriter::new();
    let meta = &s["metadata"];
    w.write(LEVEL_0, &format!("Name:\t{}\n", str_of(&meta["name"])));
    w.write(
        LEVEL_0,
        &format!("Namespace:\t{}\n", str_of(&meta["namespace"])),
    );
    print_labels_multiline(&mut w, "Labels", &meta["labels"]);
    print_annotations_multiline(&mut w, "Annotations", &meta["annotations"]);
    let t = str_of(&s["type"]);
    w.write(LEVEL_0, &format!("\nType:\t{t}\n"));
    w.write(LEVEL_0, "\nData\n====\n");
    for (k, v) in string_map(&s["data"]) {
        if k == "token" && t == "kubernetes.io/service-account-token" {
            let token = base64::engine::general_purpose::STANDARD
                .decode(&v)
                .map(|d| String::from_utf8_lossy(&d).into_owned())
                .unwrap_or_default();
            w.write(LEVEL_0, &format!("{k}:\t{token}\n"));
        } else {
            w.write(LEVEL_0, &format!("{k}:\t{} bytes\n", decoded_len(&v)));
        }
    }
    Ok(w.finish())
}

/// `ServiceAccountDescriber`: its pull and mountable secrets (marked when missing) and the
/// token secrets that name it.
pub fn describe_serviceaccount(
    cx: &mut Ctx<'_, '_, '_>,
    path: &str,
    namespace: &str,
) -> Res<String> {
    let sa = cx.get(path)?;
    let sa_name = str_of(&sa["metadata"]["name"]);
    let sa_uid = str_of(&sa["metadata"]["uid"]);
    let mut tokens: Vec<String> = Vec::new();
    let mut missing: std::collections::BTreeSet<String> = Default::default();
    match cx.list(
        &format!("/api/v1/namespaces/{namespace}/secrets"),
        None,
        None,
    ) {
        Ok(secrets) => {
            let mut existing = std::collections::BTreeSet::new();
            for s in &secrets {
                let ann = &s["metadata"]["annotations"];
                if str_of(&s["type"]) == "kubernetes.io/service-account-token"
                    && str_of(&ann["kubernetes.io/service-account.name"]) == sa_name
                    && str_of(&ann["kubernetes.io/service-account.uid"]) == sa_uid
                {
                    tokens.push(str_of(&s["metadata"]["name"]).to_string());
                }
                existing.insert(str_of(&s["metadata"]["name"]).to_string());
            }
            for s in arr(&sa["secrets"])
                .iter()
                .chain(arr(&sa["imagePullSecrets"]))
            {
                let n = str_of(&s["name"]);
                if !existing.contains(n) {
                    missing.insert(n.to_string());
                }
            }
        }
        // Secrets may be unreadable: the account is still described.
        Err(Fail::Error { .. }) => {}
        Err(e) => return Err(e),
    }
    let events = cx.events_of(&sa)?;
    let now = cx.now_ms();
    let mut w = PrefixWriter::new();
    let meta = &sa["metadata"];
    w.write(LEVEL_0, &format!("Name:\t{}\n", str_of(&meta["name"])));
    w.write(
        LEVEL_0,
        &format!("Namespace:\t{}\n", str_of(&meta["namespace"])),
    );
    print_labels_multiline(&mut w, "Labels", &meta["labels"]);
    print_annotations_multiline(&mut w, "Annotations", &meta["annotations"]);
    let names = |v: &Value| -> Vec<String> {
        arr(v)
            .iter()
            .map(|s| str_of(&s["name"]).to_string())
            .collect()
    };
    // Sorted by header text, as `sets.List` returns them.
    let sections = [
        ("Image pull secrets:", names(&sa["imagePullSecrets"])),
        ("Mountable secrets: ", names(&sa["secrets"])),
        ("Tokens:            ", tokens),
    ];
    for (header, list) in sections {
        if list.is_empty() {
            w.write(LEVEL_0, &format!("{header}\t<none>\n"));
            continue;
        }
        let mut prefix = header;
        for n in &list {
            if missing.contains(n) {
                w.write(LEVEL_0, &format!("{prefix}\t{n} (not found)\n"));
            } else {
                w.write(LEVEL_0, &format!("{prefix}\t{n}\n"));
            }
            prefix = "                   ";
        }
    }
    if let Some(events) = events {
        describe_events(&mut w, &events, now);
    }
    Ok(w.finish())
}

/// `storageutil.GetAccessModesAsString`.
fn access_modes(modes: &Value) -> String {
    let modes: Vec<&str> = arr(modes).iter().map(str_of).collect();
    [
        ("ReadWriteOnce", "RWO"),
        ("ReadOnlyMany", "ROX"),
        ("ReadWriteMany", "RWX"),
        ("ReadWriteOncePod", "RWOP"),
    ]
    .iter()
    .filter(|(m, _)| modes.contains(m))
    .map(|(_, s)| *s)
    .collect::<Vec<_>>()
    .join(",")
}

/// Go's `%v` of a `[]string`.
pub fn go_string_slice(v: &Value) -> String {
    let items: Vec<&str> = arr(v).iter().map(str_of).collect();
    format!("[{}]", items.join(" "))
}

/// `PersistentVolumeDescriber`.
pub fn describe_persistentvolume(cx: &mut Ctx<'_, '_, '_>, path: &str) -> Res<String> {
    let pv = cx.get(path)?;
    let events = cx.events_of(&pv)?;
    let now = cx.now_ms();
    let mut w = PrefixWriter::new();
    let meta = &pv["metadata"];
    let spec = &pv["spec"];
    w.write(LEVEL_0, &format!("Name:\t{}\n", str_of(&meta["name"])));
    print_labels_multiline(&mut w, "Labels", &meta["labels"]);
    print_annotations_multiline(&mut w, "Annotations", &meta["annotations"]);
    w.write(
        LEVEL_0,
        &format!("Finalizers:\t{}\n", go_string_slice(&meta["finalizers"])),
    );
    let class = meta["annotations"]["volume.beta.kubernetes.io/storage-class"]
        .as_str()
        .unwrap_or_else(|| str_of(&spec["storageClassName"]));
    w.write(LEVEL_0, &format!("StorageClass:\t{class}\n"));
    if meta["deletionTimestamp"].is_string() {
        w.write(
            LEVEL_0,
            &format!(
                "Status:\tTerminating (lasts {})\n",
                since(&meta["deletionTimestamp"], now)
            ),
        );
    } else {
        w.write(
            LEVEL_0,
            &format!("Status:\t{}\n", str_of(&pv["status"]["phase"])),
        );
    }
    let claim = &spec["claimRef"];
    if claim.is_object() {
        w.write(
            LEVEL_0,
            &format!(
                "Claim:\t{}/{}\n",
                str_of(&claim["namespace"]),
                str_of(&claim["name"])
            ),
        );
    } else {
        w.write(LEVEL_0, "Claim:\t\n");
    }
    w.write(
        LEVEL_0,
        &format!(
            "Reclaim Policy:\t{}\n",
            str_of(&spec["persistentVolumeReclaimPolicy"])
        ),
    );
    w.write(
        LEVEL_0,
        &format!("Access Modes:\t{}\n", access_modes(&spec["accessModes"])),
    );
    if let Some(m) = spec["volumeMode"].as_str() {
        w.write(LEVEL_0, &format!("VolumeMode:\t{m}\n"));
    }
    let storage = resource_list(&spec["capacity"])
        .get("storage")
        .copied()
        .unwrap_or_else(Quantity::zero);
    w.write(LEVEL_0, &format!("Capacity:\t{}\n", qty(&storage)));
    print_volume_node_affinity(&mut w, &spec["nodeAffinity"]);
    w.write(
        LEVEL_0,
        &format!("Message:\t{}\n", str_of(&pv["status"]["message"])),
    );
    w.write(LEVEL_0, "Source:\n");
    if spec["hostPath"].is_object() {
        let h = &spec["hostPath"];
        w.write(
            LEVEL_2,
            &format!(
                "Type:\tHostPath (bare host directory volume)\n    Path:\t{}\n    HostPathType:\t{}\n",
                str_of(&h["path"]),
                h["type"].as_str().unwrap_or("<none>")
            ),
        );
    } else if spec["nfs"].is_object() {
        let n = &spec["nfs"];
        w.write(
            LEVEL_2,
            &format!(
                "Type:\tNFS (an NFS mount that lasts the lifetime of a pod)\n    Server:\t{}\n    Path:\t{}\n    ReadOnly:\t{}\n",
                str_of(&n["server"]),
                str_of(&n["path"]),
                bool_of(&n["readOnly"])
            ),
        );
    } else if spec["local"].is_object() {
        w.write(
            LEVEL_2,
            &format!(
                "Type:\tLocalVolume (a persistent volume backed by local storage on a node)\n    Path:\t{}\n",
                str_of(&spec["local"]["path"])
            ),
        );
    } else {
        w.write(LEVEL_1, "<unknown>\n");
    }
    if let Some(events) = events {
        describe_events(&mut w, &events, now);
    }
    Ok(w.finish())
}

/// `printVolumeNodeAffinity`.
fn print_volume_node_affinity(w: &mut PrefixWriter, affinity: &Value) {
    w.write(LEVEL_0, "Node Affinity:\t");
    let required = &affinity["required"];
    if !required.is_object() {
        w.write_line("<none>");
        return;
    }
    w.write_line("");
    w.write(LEVEL_1, "Required Terms:\t");
    let terms = arr(&required["nodeSelectorTerms"]);
    if terms.is_empty() {
        w.write_line("<none>");
        return;
    }
    w.write_line("");
    for (i, term) in terms.iter().enumerate() {
        w.write(LEVEL_2, &format!("Term {i}:\t"));
        let reqs = arr(&term["matchExpressions"]);
        if reqs.is_empty() {
            w.write_line("<none>");
            continue;
        }
        for (j, r) in reqs.iter().enumerate() {
            if j != 0 {
                w.write(LEVEL_2, "\t");
            }
            let mut expr = format!(
                "{} {}",
                str_of(&r["key"]),
                str_of(&r["operator"]).to_lowercase()
            );
            let values: Vec<&str> = arr(&r["values"]).iter().map(str_of).collect();
            if !values.is_empty() {
                expr = format!("{expr} [{}]", values.join(", "));
            }
            w.write(LEVEL_0, &format!("{expr}\n"));
        }
    }
}

/// `PersistentVolumeClaimDescriber`: the claim and the pods that use it.
pub fn describe_pvc(cx: &mut Ctx<'_, '_, '_>, path: &str, namespace: &str) -> Res<String> {
    let pvc = cx.get(path)?;
    let pods = cx.list(&format!("/api/v1/namespaces/{namespace}/pods"), None, None)?;
    let name = str_of(&pvc["metadata"]["name"]);
    let mut used_by: Vec<&Value> = pods
        .iter()
        .filter(|p| {
            arr(&p["spec"]["volumes"])
                .iter()
                .any(|v| str_of(&v["persistentVolumeClaim"]["claimName"]) == name)
        })
        .collect();
    for owner in arr(&pvc["metadata"]["ownerReferences"]) {
        if str_of(&owner["kind"]) != "Pod" {
            continue;
        }
        let uid = str_of(&owner["uid"]);
        if let Some(p) = pods.iter().find(|p| str_of(&p["metadata"]["uid"]) == uid) {
            if !used_by.iter().any(|u| str_of(&u["metadata"]["uid"]) == uid) {
                used_by.push(p);
            }
        }
    }
    let events = cx.events_of(&pvc)?;
    let now = cx.now_ms();
    let mut w = PrefixWriter::new();
    print_persistent_volume_claim(&mut w, &pvc, true, now);
    w.write(LEVEL_0, "Used By:\t");
    if used_by.is_empty() {
        w.write_line("<none>");
    } else {
        let mut names: Vec<&str> = used_by
            .iter()
            .map(|p| str_of(&p["metadata"]["name"]))
            .collect();
        names.sort();
        for (i, n) in names.iter().enumerate() {
            if i != 0 {
                w.write(LEVEL_0, "\t");
            }
            w.write(LEVEL_0, &format!("{n}\n"));
        }
    }
    let conditions = arr(&pvc["status"]["conditions"]);
    if !conditions.is_empty() {
        w.write(LEVEL_0, "Conditions:\n");
        w.write(
            LEVEL_1,
            "Type\tStatus\tLastProbeTime\tLastTransitionTime\tReason\tMessage\n",
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
                    rfc1123z(&c["lastProbeTime"]),
                    rfc1123z(&c["lastTransitionTime"]),
                    str_of(&c["reason"]),
                    str_of(&c["message"])
                ),
            );
        }
    }
    if let Some(events) = events {
        describe_events(&mut w, &events, now);
    }
    Ok(w.finish())
}

/// `printPersistentVolumeClaim`, for a claim or (not full) an ephemeral volume's template.
pub fn print_persistent_volume_claim(w: &mut PrefixWriter, pvc: &Value, full: bool, now_ms: i64) {
    let meta = &pvc["metadata"];
    let spec = &pvc["spec"];
    if full {
        w.write(LEVEL_0, &format!("Name:\t{}\n", str_of(&meta["name"])));
        w.write(
            LEVEL_0,
            &format!("Namespace:\t{}\n", str_of(&meta["namespace"])),
        );
    }
    let class = meta["annotations"]["volume.beta.kubernetes.io/storage-class"]
        .as_str()
        .unwrap_or_else(|| str_of(&spec["storageClassName"]));
    w.write(LEVEL_0, &format!("StorageClass:\t{class}\n"));
    if full {
        if meta["deletionTimestamp"].is_string() {
            w.write(
                LEVEL_0,
                &format!(
                    "Status:\tTerminating (lasts {})\n",
                    since(&meta["deletionTimestamp"], now_ms)
                ),
            );
        } else {
            w.write(
                LEVEL_0,
                &format!("Status:\t{}\n", str_of(&pvc["status"]["phase"])),
            );
        }
    }
    let volume = str_of(&spec["volumeName"]);
    w.write(LEVEL_0, &format!("Volume:\t{volume}\n"));
    print_labels_multiline(w, "Labels", &meta["labels"]);
    print_annotations_multiline(w, "Annotations", &meta["annotations"]);
    if full {
        w.write(
            LEVEL_0,
            &format!("Finalizers:\t{}\n", go_string_slice(&meta["finalizers"])),
        );
    }
    let (capacity, modes) = if volume.is_empty() {
        (String::new(), String::new())
    } else {
        let storage = resource_list(&pvc["status"]["capacity"])
            .get("storage")
            .copied()
            .unwrap_or_else(Quantity::zero);
        (qty(&storage), access_modes(&pvc["status"]["accessModes"]))
    };
    w.write(LEVEL_0, &format!("Capacity:\t{capacity}\n"));
    w.write(LEVEL_0, &format!("Access Modes:\t{modes}\n"));
    if let Some(m) = spec["volumeMode"].as_str() {
        w.write(LEVEL_0, &format!("VolumeMode:\t{m}\n"));
    }
    let ds = &spec["dataSource"];
    if ds.is_object() {
        w.write(LEVEL_0, "DataSource:\n");
        if let Some(g) = ds["apiGroup"].as_str() {
            w.write(LEVEL_1, &format!("APIGroup:\t{g}\n"));
        }
        w.write(LEVEL_1, &format!("Kind:\t{}\n", str_of(&ds["kind"])));
        w.write(LEVEL_1, &format!("Name:\t{}\n", str_of(&ds["name"])));
    }
}

/// `PriorityClassDescriber`.
pub fn describe_priorityclass(cx: &mut Ctx<'_, '_, '_>, path: &str) -> Res<String> {
    let pc = cx.get(path)?;
    let events = cx.events_of(&pc)?;
    let now = cx.now_ms();
    let mut w = PrefixWriter::new();
    w.write(
        LEVEL_0,
        &format!("Name:\t{}\n", str_of(&pc["metadata"]["name"])),
    );
    w.write(LEVEL_0, &format!("Value:\t{}\n", int_of(&pc["value"])));
    w.write(
        LEVEL_0,
        &format!("GlobalDefault:\t{}\n", bool_of(&pc["globalDefault"])),
    );
    w.write(
        LEVEL_0,
        &format!("PreemptionPolicy:\t{}\n", str_of(&pc["preemptionPolicy"])),
    );
    w.write(
        LEVEL_0,
        &format!("Description:\t{}\n", str_of(&pc["description"])),
    );
    w.write(
        LEVEL_0,
        &format!(
            "Annotations:\t{}\n",
            format_labels(&pc["metadata"]["annotations"])
        ),
    );
    if let Some(events) = events {
        describe_events(&mut w, &events, now);
    }
    Ok(w.finish())
}

/// `StorageClassDescriber`.
pub fn describe_storageclass(cx: &mut Ctx<'_, '_, '_>, path: &str) -> Res<String> {
    let sc = cx.get(path)?;
    let events = cx.events_of(&sc)?;
    let now = cx.now_ms();
    let mut w = PrefixWriter::new();
    let ann = &sc["metadata"]["annotations"];
    w.write(
        LEVEL_0,
        &format!("Name:\t{}\n", str_of(&sc["metadata"]["name"])),
    );
    let default = str_of(&ann["storageclass.kubernetes.io/is-default-class"]) == "true"
        || str_of(&ann["storageclass.beta.kubernetes.io/is-default-class"]) == "true";
    w.write(
        LEVEL_0,
        &format!("IsDefaultClass:\t{}\n", if default { "Yes" } else { "No" }),
    );
    w.write(LEVEL_0, &format!("Annotations:\t{}\n", format_labels(ann)));
    w.write(
        LEVEL_0,
        &format!("Provisioner:\t{}\n", str_of(&sc["provisioner"])),
    );
    w.write(
        LEVEL_0,
        &format!("Parameters:\t{}\n", format_labels(&sc["parameters"])),
    );
    let expansion = match sc["allowVolumeExpansion"].as_bool() {
        Some(b) => super::print_bool(b),
        None => "<unset>",
    };
    w.write(LEVEL_0, &format!("AllowVolumeExpansion:\t{expansion}\n"));
    let options = arr(&sc["mountOptions"]);
    if options.is_empty() {
        w.write(LEVEL_0, "MountOptions:\t<none>\n");
    } else {
        w.write(LEVEL_0, "MountOptions:\n");
        for o in options {
            w.write(LEVEL_1, &format!("{}\n", str_of(o)));
        }
    }
    if let Some(p) = sc["reclaimPolicy"].as_str() {
        w.write(LEVEL_0, &format!("ReclaimPolicy:\t{p}\n"));
    }
    if let Some(m) = sc["volumeBindingMode"].as_str() {
        w.write(LEVEL_0, &format!("VolumeBindingMode:\t{m}\n"));
    }
    if let Some(terms) = sc["allowedTopologies"].as_array() {
        w.write(LEVEL_0, "AllowedTopologies:\t");
        if terms.is_empty() {
            w.write_line("<none>");
        } else {
            w.write_line("");
            for (i, term) in terms.iter().enumerate() {
                w.write(LEVEL_1, &format!("Term {i}:\t"));
                let reqs = arr(&term["matchLabelExpressions"]);
                if reqs.is_empty() {
                    w.write_line("<none>");
                    continue;
                }
                for (j, r) in reqs.iter().enumerate() {
                    if j != 0 {
                        w.write(LEVEL_1, "\t");
                    }
                    let values: Vec<&str> = arr(&r["values"]).iter().map(str_of).collect();
                    let mut expr = format!("{} in", str_of(&r["key"]));
                    if !values.is_empty() {
                        expr = format!("{expr} [{}]", values.join(", "));
                    }
                    w.write(LEVEL_0, &format!("{expr}\n"));
                }
            }
        }
    }
    if let Some(events) = events {
        describe_events(&mut w, &events, now);
    }
    Ok(w.finish())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::apiserver::defaulting::quantity::Format;
    use serde_json::json;

    #[test]
    fn quota_usage_takes_the_hard_limit_format() {
        let hard = Quantity::parse("1Gi").unwrap();
        assert_eq!(hard.format, Format::BinarySI);
        let mut w = PrefixWriter::new();
        describe_resource_quotas(
            &mut w,
            &[json!({"metadata": {"name": "q"},
                     "status": {"hard": {"pods": "10", "memory": "1Gi"}, "used": {"pods": "2"}}})],
        );
        assert_eq!(
            w.finish(),
            "Resource Quotas\n  Name:     q\n  Resource  Used  Hard\n  --------  ---   ---\n  memory    0     1Gi\n  pods      2     10\n"
        );
        assert_eq!(
            access_modes(&json!(["ReadWriteMany", "ReadWriteOnce"])),
            "RWO,RWX"
        );
    }
}
