//! `batch/v1` defaults: pkg/apis/batch/v1/defaults.go (Job, CronJob).

use serde_json::{Map, Value};

use super::core::set_defaults_pod_template_spec;
use super::{default_ptr, default_str, is_unset, obj_mut, obj_or_create, objects_mut};

pub(super) fn set_defaults(kind: &str, m: &mut Map<String, Value>) {
    match kind {
        "Job" => set_defaults_job(m),
        "CronJob" => set_defaults_cron_job(m),
        _ => {}
    }
}

/// `SetDefaults_Job`.
fn set_defaults_job(m: &mut Map<String, Value>) {
    let template_labels = m
        .get("spec")
        .and_then(|s| s.get("template"))
        .and_then(|t| t.get("metadata"))
        .and_then(|md| md.get("labels"))
        .filter(|l| l.is_object())
        .cloned();
    let Some(spec) = obj_or_create(m, "spec") else {
        return;
    };
    // Non-parallel job: both unset → both 1.
    if is_unset(spec, "completions") && is_unset(spec, "parallelism") {
        spec.insert("completions".into(), Value::from(1));
        spec.insert("parallelism".into(), Value::from(1));
    }
    default_ptr(spec, "parallelism", Value::from(1));
    if is_unset(spec, "backoffLimit") {
        let limit = if is_unset(spec, "backoffLimitPerIndex") {
            6
        } else {
            i64::from(i32::MAX)
        };
        spec.insert("backoffLimit".into(), Value::from(limit));
    }
    default_ptr(spec, "completionMode", Value::from("NonIndexed"));
    default_ptr(spec, "suspend", Value::Bool(false));
    // The strategy dereferences ManualSelector unconditionally, so it is always set by now.
    default_ptr(spec, "manualSelector", Value::Bool(false));
    let has_pod_failure_policy = !is_unset(spec, "podFailurePolicy");
    if let Some(pfp) = obj_mut(spec, "podFailurePolicy") {
        for rule in objects_mut(pfp, "rules") {
            for pattern in objects_mut(rule, "onPodConditions") {
                default_str(pattern, "status", "True");
            }
        }
    }
    let replacement = if has_pod_failure_policy {
        "Failed"
    } else {
        "TerminatingOrFailed"
    };
    default_ptr(spec, "podReplacementPolicy", Value::from(replacement));
    if let Some(t) = obj_mut(spec, "template") {
        set_defaults_pod_template_spec(t);
    }
    // The Job's labels default to its template's labels. In Go both then share one map, so the
    // selector labels the strategy adds on create land in both (see strategy::prepare_for_create).
    if let Some(labels) = template_labels {
        if let Some(md) = obj_or_create(m, "metadata") {
            if md
                .get("labels")
                .and_then(Value::as_object)
                .is_none_or(|l| l.is_empty())
            {
                md.insert("labels".into(), labels);
            }
        }
    }
}

/// `SetDefaults_CronJob`. The job template's JobSpec is not a Job, so it gets no Job defaults;
/// only its pod template is defaulted.
fn set_defaults_cron_job(m: &mut Map<String, Value>) {
    let Some(spec) = obj_or_create(m, "spec") else {
        return;
    };
    default_str(spec, "concurrencyPolicy", "Allow");
    default_ptr(spec, "suspend", Value::Bool(false));
    default_ptr(spec, "successfulJobsHistoryLimit", Value::from(3));
    default_ptr(spec, "failedJobsHistoryLimit", Value::from(1));
    if let Some(t) = obj_mut(spec, "jobTemplate")
        .and_then(|jt| obj_mut(jt, "spec"))
        .and_then(|js| obj_mut(js, "template"))
    {
        set_defaults_pod_template_spec(t);
    }
}
