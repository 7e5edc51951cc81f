//! Workload validation, after `pkg/apis/apps/validation/validation.go`: Deployment, ReplicaSet,
//! DaemonSet, StatefulSet, and the selector immutability their registry strategies add on
//! update.

use serde_json::Value;

use super::field::{BadValue, ErrorList, FieldError, Path};
use super::meta::{
    go_label_selector, go_string_map, metadata, selector_is_empty, selector_matches, semantic_eq,
    validate_immutable_field, validate_label_selector, validate_nonnegative_field,
    validate_object_meta, validate_object_meta_update,
};
use super::names::{regex_error, NameRule};
use super::pod::validate_pod_template_spec;
use super::value::{arr, has, int, str_of, string_map, sub};

/// `IsValidPercent`.
fn is_valid_percent(s: &str) -> Vec<String> {
    let ok = s
        .strip_suffix('%')
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
    if ok {
        Vec::new()
    } else {
        vec![regex_error(
            "a valid percent string must be a numeric string followed by an ending '%'",
            "[0-9]+%",
            &["1%", "93%"],
        )]
    }
}

/// How an `intstr.IntOrString` prints in a validation message (its `String()`).
fn go_int_or_string(v: Option<&Value>) -> BadValue {
    match v {
        Some(Value::String(s)) => BadValue::Raw(s.clone()),
        Some(v) => BadValue::Raw(v.as_i64().unwrap_or(0).to_string()),
        None => BadValue::Raw("0".into()),
    }
}

/// `ValidatePositiveIntOrPercent`.
fn validate_positive_int_or_percent(v: Option<&Value>, p: &Path) -> ErrorList {
    match v {
        Some(Value::String(s)) => is_valid_percent(s)
            .into_iter()
            .map(|m| FieldError::invalid(p, go_int_or_string(v), &m))
            .collect(),
        Some(n) => validate_nonnegative_field(n.as_i64().unwrap_or(0), p),
        None => Vec::new(),
    }
}

/// `getIntOrPercentValue` (a malformed percent counts as 0).
fn int_or_percent_value(v: Option<&Value>) -> i64 {
    match v {
        Some(Value::String(s)) => s.trim_end_matches('%').parse().unwrap_or(0),
        Some(n) => n.as_i64().unwrap_or(0),
        None => 0,
    }
}

/// `IsNotMoreThan100Percent`.
fn is_not_more_than_100_percent(v: Option<&Value>, p: &Path) -> ErrorList {
    match v {
        Some(Value::String(s)) if is_valid_percent(s).is_empty() => {
            if int_or_percent_value(v) > 100 {
                vec![FieldError::invalid(
                    p,
                    go_int_or_string(v),
                    "must not be greater than 100%",
                )]
            } else {
                Vec::new()
            }
        }
        _ => Vec::new(),
    }
}

/// The selector checks shared by the replicated kinds: required, valid, non-empty.
fn validate_selector(spec: &Value, p: &Path, kind_word: &str) -> ErrorList {
    let mut errs = Vec::new();
    let sel = sub(spec, "selector");
    if !sel.is_object() {
        errs.push(FieldError::required(&p.child("selector"), ""));
    } else {
        errs.extend(validate_label_selector(sel, &p.child("selector")));
        if selector_is_empty(sel) {
            errs.push(FieldError::invalid(
                &p.child("selector"),
                go_label_selector(sel),
                &format!("empty selector is invalid for {kind_word}"),
            ));
        }
    }
    errs
}

/// Whether `LabelSelectorAsSelector` would fail (a bad operator or an empty In list).
fn selector_converts(sel: &Value) -> bool {
    arr(sel, "matchExpressions").iter().all(|e| {
        let values = arr(e, "values");
        match str_of(e, "operator") {
            "In" | "NotIn" => !values.is_empty(),
            "Exists" | "DoesNotExist" => values.is_empty(),
            _ => false,
        }
    })
}

/// `ValidatePodTemplateSpecForReplicaSet` (also used by Deployment).
fn validate_template_for_replica_set(spec: &Value, p: &Path, kind: &str) -> ErrorList {
    let mut errs = Vec::new();
    let sel = sub(spec, "selector");
    if sel.is_object() && !selector_converts(sel) {
        errs.push(FieldError::invalid(
            &p.child("selector"),
            go_label_selector(sel),
            "invalid label selector",
        ));
        return errs;
    }
    let tp = p.child("template");
    let template = sub(spec, "template");
    let tmeta = metadata(template);
    // A nil selector converts to "nothing", which matches no labels; an empty one matches all
    // (and was already reported).
    let matches = sel.is_object() && selector_matches(sel, &string_map(tmeta, "labels"));
    if !matches && (!sel.is_object() || !selector_is_empty(sel)) {
        errs.push(FieldError::invalid(
            &tp.child("metadata").child("labels"),
            go_string_map(tmeta, "labels"),
            "`selector` does not match template `labels`",
        ));
    }
    errs.extend(validate_pod_template_spec(template, &tp));
    let tspec = sub(template, "spec");
    let rp = str_of(tspec, "restartPolicy");
    if rp != "Always" {
        errs.push(FieldError::not_supported(
            &tp.child("spec").child("restartPolicy"),
            rp,
            &["Always"],
        ));
    }
    if let Some(ads) = int(tspec, "activeDeadlineSeconds") {
        errs.push(FieldError::invalid(
            &tp.child("spec").child("activeDeadlineSeconds"),
            ads,
            &format!("activeDeadlineSeconds in {kind} is not Supported"),
        ));
    }
    errs
}

/// `ValidateDeploymentSpec`.
pub fn validate_deployment_spec(spec: &Value, p: &Path) -> ErrorList {
    let mut errs =
        validate_nonnegative_field(int(spec, "replicas").unwrap_or(0), &p.child("replicas"));
    errs.extend(validate_selector(spec, p, "deployment"));
    errs.extend(validate_template_for_replica_set(spec, p, "ReplicaSet"));
    errs.extend(validate_deployment_strategy(
        sub(spec, "strategy"),
        &p.child("strategy"),
    ));
    let min_ready = int(spec, "minReadySeconds").unwrap_or(0);
    errs.extend(validate_nonnegative_field(
        min_ready,
        &p.child("minReadySeconds"),
    ));
    if let Some(r) = int(spec, "revisionHistoryLimit") {
        errs.extend(validate_nonnegative_field(
            r,
            &p.child("revisionHistoryLimit"),
        ));
    }
    if let Some(pd) = int(spec, "progressDeadlineSeconds") {
        errs.extend(validate_nonnegative_field(
            pd,
            &p.child("progressDeadlineSeconds"),
        ));
        if pd <= min_ready {
            errs.push(FieldError::invalid(
                &p.child("progressDeadlineSeconds"),
                pd,
                "must be greater than minReadySeconds",
            ));
        }
    }
    errs
}

/// `ValidateDeploymentStrategy`.
fn validate_deployment_strategy(s: &Value, p: &Path) -> ErrorList {
    let mut errs = Vec::new();
    let ru = s.get("rollingUpdate").filter(|v| !v.is_null());
    match str_of(s, "type") {
        "Recreate" => {
            if ru.is_some() {
                errs.push(FieldError::forbidden(
                    &p.child("rollingUpdate"),
                    "may not be specified when strategy `type` is 'Recreate'",
                ));
            }
        }
        "RollingUpdate" => match ru {
            None => errs.push(FieldError::required(
                &p.child("rollingUpdate"),
                "this should be defaulted and never be nil",
            )),
            Some(ru) => {
                let rp = p.child("rollingUpdate");
                let mu = ru.get("maxUnavailable");
                let ms = ru.get("maxSurge");
                errs.extend(validate_positive_int_or_percent(
                    mu,
                    &rp.child("maxUnavailable"),
                ));
                errs.extend(validate_positive_int_or_percent(ms, &rp.child("maxSurge")));
                if int_or_percent_value(mu) == 0 && int_or_percent_value(ms) == 0 {
                    errs.push(FieldError::invalid(
                        &rp.child("maxUnavailable"),
                        go_int_or_string(mu),
                        "may not be 0 when `maxSurge` is 0",
                    ));
                }
                errs.extend(is_not_more_than_100_percent(
                    mu,
                    &rp.child("maxUnavailable"),
                ));
            }
        },
        other => {
            let ru_text = if ru.is_some() {
                "(*apps.RollingUpdateDeployment)(0xc000a1b2e0)"
            } else {
                "(*apps.RollingUpdateDeployment)(nil)"
            };
            errs.push(FieldError::not_supported(
                p,
                BadValue::Raw(format!(
                    "apps.DeploymentStrategy{{Type:{}, RollingUpdate:{ru_text}}}",
                    BadValue::from(other)
                )),
                &["Recreate", "RollingUpdate"],
            ));
        }
    }
    errs
}

fn selector_immutable(new: &Value, old: &Value) -> ErrorList {
    let (ns, os) = (
        sub(sub(new, "spec"), "selector"),
        sub(sub(old, "spec"), "selector"),
    );
    validate_immutable_field(
        Some(ns),
        Some(os),
        go_label_selector(ns),
        &Path::from_names(&["spec", "selector"]),
    )
}

/// Deployment create (`ValidateDeployment`).
pub fn validate_deployment(d: &Value) -> ErrorList {
    let mut errs = validate_object_meta(
        metadata(d),
        true,
        NameRule::DnsSubdomain,
        &Path::new("metadata"),
    );
    errs.extend(validate_deployment_spec(sub(d, "spec"), &Path::new("spec")));
    errs
}

/// Deployment update: metadata, spec, and the immutable selector.
pub fn validate_deployment_update(new: &Value, old: &Value) -> ErrorList {
    let mut errs =
        validate_object_meta_update(metadata(new), metadata(old), &Path::new("metadata"));
    errs.extend(validate_deployment_spec(
        sub(new, "spec"),
        &Path::new("spec"),
    ));
    errs.extend(selector_immutable(new, old));
    errs
}

/// `ValidateReplicaSetSpec`.
fn validate_replica_set_spec(spec: &Value, p: &Path) -> ErrorList {
    let mut errs =
        validate_nonnegative_field(int(spec, "replicas").unwrap_or(0), &p.child("replicas"));
    errs.extend(validate_nonnegative_field(
        int(spec, "minReadySeconds").unwrap_or(0),
        &p.child("minReadySeconds"),
    ));
    // The ReplicaSet code reuses the Deployment wording.
    errs.extend(validate_selector(spec, p, "deployment"));
    errs.extend(validate_template_for_replica_set(spec, p, "ReplicaSet"));
    errs
}

/// ReplicaSet create.
pub fn validate_replica_set(rs: &Value) -> ErrorList {
    let mut errs = validate_object_meta(
        metadata(rs),
        true,
        NameRule::DnsSubdomain,
        &Path::new("metadata"),
    );
    errs.extend(validate_replica_set_spec(
        sub(rs, "spec"),
        &Path::new("spec"),
    ));
    errs
}

/// ReplicaSet update.
pub fn validate_replica_set_update(new: &Value, old: &Value) -> ErrorList {
    let mut errs =
        validate_object_meta_update(metadata(new), metadata(old), &Path::new("metadata"));
    errs.extend(validate_replica_set_spec(
        sub(new, "spec"),
        &Path::new("spec"),
    ));
    errs.extend(selector_immutable(new, old));
    errs
}

/// `ValidateDaemonSetSpec`.
fn validate_daemon_set_spec(spec: &Value, p: &Path) -> ErrorList {
    let mut errs = Vec::new();
    let sel = sub(spec, "selector");
    errs.extend(validate_label_selector(sel, &p.child("selector")));
    let template = sub(spec, "template");
    let tmeta = metadata(template);
    let converts = !sel.is_object() || selector_converts(sel);
    let matches = sel.is_object() && selector_matches(sel, &string_map(tmeta, "labels"));
    if converts && !matches {
        errs.push(FieldError::invalid(
            &p.child("template").child("metadata").child("labels"),
            go_string_map(tmeta, "labels"),
            "`selector` does not match template `labels`",
        ));
    }
    if sel.is_object() && selector_is_empty(sel) {
        errs.push(FieldError::invalid(
            &p.child("selector"),
            go_label_selector(sel),
            "empty selector is invalid for daemonset",
        ));
    }
    let tp = p.child("template");
    errs.extend(validate_pod_template_spec(template, &tp));
    let tspec = sub(template, "spec");
    let rp = str_of(tspec, "restartPolicy");
    if rp != "Always" {
        errs.push(FieldError::not_supported(
            &tp.child("spec").child("restartPolicy"),
            rp,
            &["Always"],
        ));
    }
    if has(tspec, "activeDeadlineSeconds") {
        errs.push(FieldError::forbidden(
            &tp.child("spec").child("activeDeadlineSeconds"),
            "activeDeadlineSeconds in DaemonSet is not Supported",
        ));
    }
    errs.extend(validate_nonnegative_field(
        int(spec, "minReadySeconds").unwrap_or(0),
        &p.child("minReadySeconds"),
    ));
    errs.extend(validate_nonnegative_field(
        int(spec, "templateGeneration").unwrap_or(0),
        &p.child("templateGeneration"),
    ));
    let us = sub(spec, "updateStrategy");
    let up = p.child("updateStrategy");
    match str_of(us, "type") {
        "OnDelete" => {}
        "RollingUpdate" => match us.get("rollingUpdate").filter(|v| !v.is_null()) {
            None => errs.push(FieldError::required(&up.child("rollingUpdate"), "")),
            Some(ru) => {
                let rp = up.child("rollingUpdate");
                let mu = ru.get("maxUnavailable");
                let ms = ru.get("maxSurge");
                errs.extend(validate_positive_int_or_percent(
                    mu,
                    &rp.child("maxUnavailable"),
                ));
                errs.extend(validate_positive_int_or_percent(ms, &rp.child("maxSurge")));
                errs.extend(is_not_more_than_100_percent(
                    mu,
                    &rp.child("maxUnavailable"),
                ));
                errs.extend(is_not_more_than_100_percent(ms, &rp.child("maxSurge")));
                let (hu, hs) = (int_or_percent_value(mu) != 0, int_or_percent_value(ms) != 0);
                if hu && hs {
                    errs.push(FieldError::invalid(
                        &rp.child("maxSurge"),
                        go_int_or_string(ms),
                        "may not be set when maxUnavailable is non-zero",
                    ));
                } else if !hu && !hs {
                    errs.push(FieldError::required(
                        &rp.child("maxUnavailable"),
                        "cannot be 0 when maxSurge is 0",
                    ));
                }
            }
        },
        other => {
            let ru_text = if has(us, "rollingUpdate") {
                "(*apps.RollingUpdateDaemonSet)(0xc000a1b2f0)"
            } else {
                "(*apps.RollingUpdateDaemonSet)(nil)"
            };
            errs.push(FieldError::not_supported(
                &up,
                BadValue::Raw(format!(
                    "apps.DaemonSetUpdateStrategy{{Type:{}, RollingUpdate:{ru_text}}}",
                    BadValue::from(other)
                )),
                &["RollingUpdate", "OnDelete"],
            ));
        }
    }
    if let Some(r) = int(spec, "revisionHistoryLimit") {
        errs.extend(validate_nonnegative_field(
            r,
            &p.child("revisionHistoryLimit"),
        ));
    }
    errs
}

/// DaemonSet create.
pub fn validate_daemon_set(ds: &Value) -> ErrorList {
    let mut errs = validate_object_meta(
        metadata(ds),
        true,
        NameRule::DnsSubdomain,
        &Path::new("metadata"),
    );
    errs.extend(validate_daemon_set_spec(
        sub(ds, "spec"),
        &Path::new("spec"),
    ));
    errs
}

/// DaemonSet update.
pub fn validate_daemon_set_update(new: &Value, old: &Value) -> ErrorList {
    let mut errs =
        validate_object_meta_update(metadata(new), metadata(old), &Path::new("metadata"));
    let (ng, og) = (
        int(sub(new, "spec"), "templateGeneration").unwrap_or(0),
        int(sub(old, "spec"), "templateGeneration").unwrap_or(0),
    );
    if ng < og {
        errs.push(FieldError::invalid(
            &Path::from_names(&["spec", "templateGeneration"]),
            ng,
            "must not be decremented",
        ));
    }
    errs.extend(validate_daemon_set_spec(
        sub(new, "spec"),
        &Path::new("spec"),
    ));
    errs.extend(selector_immutable(new, old));
    errs
}

/// `ValidateStatefulSetSpec` (the pod template's spec is not validated here, as in Go: its
/// volume mounts may name volumeClaimTemplates).
fn validate_stateful_set_spec(spec: &Value, p: &Path) -> ErrorList {
    let mut errs = Vec::new();
    match str_of(spec, "podManagementPolicy") {
        "" => errs.push(FieldError::required(&p.child("podManagementPolicy"), "")),
        "OrderedReady" | "Parallel" => {}
        other => errs.push(FieldError::invalid(
            &p.child("podManagementPolicy"),
            other,
            "must be 'OrderedReady' or 'Parallel'",
        )),
    }
    let us = sub(spec, "updateStrategy");
    let up = p.child("updateStrategy");
    match str_of(us, "type") {
        "" => errs.push(FieldError::required(&up, "")),
        "OnDelete" => {
            if has(us, "rollingUpdate") {
                errs.push(FieldError::invalid(
                    &up.child("rollingUpdate"),
                    BadValue::Raw("(*apps.RollingUpdateStatefulSetStrategy)(0xc000a1b300)".into()),
                    "only allowed for updateStrategy 'RollingUpdate'",
                ));
            }
        }
        "RollingUpdate" => {
            let ru = sub(us, "rollingUpdate");
            if ru.is_object() {
                let rp = up.child("rollingUpdate");
                if let Some(part) = int(ru, "partition") {
                    errs.extend(validate_nonnegative_field(part, &rp.child("partition")));
                }
                if let Some(mu) = ru.get("maxUnavailable").filter(|v| !v.is_null()) {
                    errs.extend(validate_positive_int_or_percent(Some(mu), &rp.child("maxUnavailable")));
                    if int_or_percent_value(Some(mu)) == 0 {
                        errs.push(FieldError::invalid(
                            &rp.child("maxUnavailable"),
                            go_int_or_string(Some(mu)),
                            "cannot be 0",
                        ));
                    }
                    errs.extend(is_not_more_than_100_percent(Some(mu), &rp.child("maxUnavailable")));
                }
            }
        }
        other => errs.push(FieldError::invalid(
            &up,
            BadValue::Raw(format!(
                "apps.StatefulSetUpdateStrategy{{Type:{}, RollingUpdate:(*apps.RollingUpdateStatefulSetStrategy)(nil)}}",
                BadValue::from(other)
            )),
            "must be 'RollingUpdate' or 'OnDelete'",
        )),
    }
    let retention = sub(spec, "persistentVolumeClaimRetentionPolicy");
    if retention.is_object() {
        let rp = p.child("persistentVolumeClaimRetentionPolicy");
        for f in ["whenDeleted", "whenScaled"] {
            let v = str_of(retention, f);
            if v != "Retain" && v != "Delete" {
                errs.push(FieldError::not_supported(
                    &rp.child(f),
                    v,
                    &["Retain", "Delete"],
                ));
            }
        }
    }
    errs.extend(validate_nonnegative_field(
        int(spec, "replicas").unwrap_or(0),
        &p.child("replicas"),
    ));
    errs.extend(validate_nonnegative_field(
        int(spec, "minReadySeconds").unwrap_or(0),
        &p.child("minReadySeconds"),
    ));
    if let Some(start) = int(sub(spec, "ordinals"), "start") {
        errs.extend(validate_nonnegative_field(
            start,
            &p.child("ordinals.start"),
        ));
    }
    errs.extend(validate_selector(spec, p, "statefulset"));
    let sel = sub(spec, "selector");
    let template = sub(spec, "template");
    let tp = p.child("template");
    if sel.is_object() && !selector_converts(sel) {
        errs.push(FieldError::invalid(
            &p.child("selector"),
            go_label_selector(sel),
            "",
        ));
    } else {
        let tmeta = metadata(template);
        let labels = string_map(tmeta, "labels");
        let matches = sel.is_object() && selector_matches(sel, &labels);
        if !matches && (!sel.is_object() || !selector_is_empty(sel)) {
            errs.push(FieldError::invalid(
                &tp.child("metadata").child("labels"),
                go_string_map(tmeta, "labels"),
                "`selector` does not match template `labels`",
            ));
        }
        errs.extend(super::meta::validate_labels(&labels, &tp.child("labels")));
        errs.extend(super::meta::validate_annotations(
            &string_map(tmeta, "annotations"),
            &tp.child("annotations"),
        ));
    }
    let tspec = sub(template, "spec");
    let rp = str_of(tspec, "restartPolicy");
    if rp != "Always" {
        errs.push(FieldError::not_supported(
            &tp.child("spec").child("restartPolicy"),
            rp,
            &["Always"],
        ));
    }
    if has(tspec, "activeDeadlineSeconds") {
        errs.push(FieldError::forbidden(
            &tp.child("spec").child("activeDeadlineSeconds"),
            "activeDeadlineSeconds in StatefulSet is not Supported",
        ));
    }
    errs
}

/// StatefulSet create.
pub fn validate_stateful_set(ss: &Value) -> ErrorList {
    let mut errs = validate_object_meta(
        metadata(ss),
        true,
        NameRule::DnsLabel,
        &Path::new("metadata"),
    );
    errs.extend(validate_stateful_set_spec(
        sub(ss, "spec"),
        &Path::new("spec"),
    ));
    errs
}

/// StatefulSet update: only some spec fields may change.
pub fn validate_stateful_set_update(new: &Value, old: &Value) -> ErrorList {
    let mut errs =
        validate_object_meta_update(metadata(new), metadata(old), &Path::new("metadata"));
    errs.extend(validate_stateful_set_spec(
        sub(new, "spec"),
        &Path::new("spec"),
    ));
    let mutable = [
        "replicas",
        "template",
        "updateStrategy",
        "minReadySeconds",
        "ordinals",
        "revisionHistoryLimit",
        "persistentVolumeClaimRetentionPolicy",
    ];
    let strip = |v: &Value| {
        let mut v = v.clone();
        if let Some(m) = v.as_object_mut() {
            for f in mutable {
                m.remove(f);
            }
        }
        v
    };
    if !semantic_eq(
        Some(&strip(sub(new, "spec"))),
        Some(&strip(sub(old, "spec"))),
    ) {
        errs.push(FieldError::forbidden(
            &Path::new("spec"),
            "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
        ));
    }
    errs
}

/// `autoscaling.Scale` (the `/scale` subresource): replicas must not be negative.
pub fn validate_scale(scale: &Value) -> ErrorList {
    let mut errs = validate_object_meta(
        metadata(scale),
        true,
        NameRule::DnsSubdomain,
        &Path::new("metadata"),
    );
    errs.extend(validate_nonnegative_field(
        int(sub(scale, "spec"), "replicas").unwrap_or(0),
        &Path::from_names(&["spec", "replicas"]),
    ));
    errs
}

/// `ValidateControllerRevision`: valid metadata (a DNS subdomain name), `data` present, and a
/// non-negative `revision`.
pub fn validate_controller_revision(cr: &Value) -> ErrorList {
    let mut errs = validate_object_meta(
        metadata(cr),
        true,
        NameRule::DnsSubdomain,
        &Path::new("metadata"),
    );
    if cr.get("data").is_none_or(Value::is_null) {
        errs.push(FieldError::required(
            &Path::new("data"),
            "data is mandatory",
        ));
    }
    errs.extend(validate_nonnegative_field(
        int(cr, "revision").unwrap_or(0),
        &Path::new("revision"),
    ));
    errs
}

/// `ValidateControllerRevisionUpdate`: `data` is immutable; `revision` may change (the
/// DaemonSet controller renumbers a revision it rolls back to).
pub fn validate_controller_revision_update(new: &Value, old: &Value) -> ErrorList {
    let mut errs =
        validate_object_meta_update(metadata(new), metadata(old), &Path::new("metadata"));
    errs.extend(validate_controller_revision(new));
    // Go prints the internal `runtime.Object` here; kubestep shows the data as JSON.
    let shown = BadValue::Raw(new.get("data").map(Value::to_string).unwrap_or_default());
    errs.extend(validate_immutable_field(
        new.get("data"),
        old.get("data"),
        shown,
        &Path::new("data"),
    ));
    errs
}
