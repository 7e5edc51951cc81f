//! Printers of the workload kinds: Deployment, ReplicaSet, DaemonSet, StatefulSet, Job, CronJob,
//! and the ControllerRevisions that hold DaemonSet and StatefulSet history.

use serde_json::{json, Value};

use super::{age, col, int_at, or_none, str_at, wide, Column, AGE, NAME};
use crate::apiserver::labels::Selector;
use crate::sim::SimTime;

const CONTAINERS: Column = wide(
    "Containers",
    "string",
    "Names of each container in the template.",
);
const IMAGES: Column = wide(
    "Images",
    "string",
    "Images referenced by each container in the template.",
);
const SELECTOR: Column = wide("Selector", "string", "Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment.");

/// CONTAINERS, IMAGES (and SELECTOR) cells from a pod template.
fn template_cells(obj: &Value, with_selector: bool) -> Vec<Value> {
    let containers = obj
        .pointer("/spec/template/spec/containers")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let names: Vec<&str> = containers
        .iter()
        .filter_map(|c| c["name"].as_str())
        .collect();
    let images: Vec<&str> = containers
        .iter()
        .filter_map(|c| c["image"].as_str())
        .collect();
    let mut out = vec![json!(names.join(",")), json!(images.join(","))];
    if with_selector {
        let sel = obj
            .pointer("/spec/selector")
            .and_then(|s| Selector::from_label_selector(s).ok())
            .map(|s| s.to_string())
            .unwrap_or_default();
        out.push(json!(or_none(&sel)));
    }
    out
}

pub const DEPLOYMENT: &[Column] = &[
    NAME,
    col("Ready", "string", "Number of the pod with ready state"),
    col("Up-to-date", "string", "Total number of non-terminated pods targeted by this deployment that have the desired template spec."),
    col("Available", "string", "Total number of available pods (ready for at least minReadySeconds) targeted by this deployment."),
    AGE,
    CONTAINERS,
    IMAGES,
    SELECTOR,
];

pub fn deployment(d: &Value, now: SimTime) -> Vec<Value> {
    let mut cells = vec![
        json!(str_at(d, "/metadata/name")),
        json!(format!(
            "{}/{}",
            int_at(d, "/status/readyReplicas"),
            int_at(d, "/spec/replicas")
        )),
        json!(int_at(d, "/status/updatedReplicas")),
        json!(int_at(d, "/status/availableReplicas")),
        json!(age(d.pointer("/metadata/creationTimestamp"), now)),
    ];
    cells.extend(template_cells(d, true));
    cells
}

pub const REPLICASET: &[Column] = &[
    NAME,
    col("Desired", "integer", "Replicas is the number of desired pods. This is a pointer to distinguish between explicit zero and unspecified. Defaults to 1. More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicaset/#how-a-replicaset-works"),
    col("Current", "integer", "Replicas is the most recently observed number of non-terminating pods. More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicaset/#how-a-replicaset-works"),
    col("Ready", "integer", "The number of non-terminating pods targeted by this ReplicaSet with a Ready Condition."),
    AGE,
    CONTAINERS,
    IMAGES,
    SELECTOR,
];

pub fn replicaset(rs: &Value, now: SimTime) -> Vec<Value> {
    let mut cells = vec![
        json!(str_at(rs, "/metadata/name")),
        json!(int_at(rs, "/spec/replicas")),
        json!(int_at(rs, "/status/replicas")),
        json!(int_at(rs, "/status/readyReplicas")),
        json!(age(rs.pointer("/metadata/creationTimestamp"), now)),
    ];
    cells.extend(template_cells(rs, true));
    cells
}

pub const DAEMONSET: &[Column] = &[
    NAME,
    col("Desired", "integer", "The total number of nodes that should be running the daemon pod (including nodes correctly running the daemon pod). More info: https://kubernetes.io/docs/concepts/workloads/controllers/daemonset/"),
    col("Current", "integer", "The number of nodes that are running at least 1 daemon pod and are supposed to run the daemon pod. More info: https://kubernetes.io/docs/concepts/workloads/controllers/daemonset/"),
    col("Ready", "integer", "numberReady is the number of nodes that should be running the daemon pod and have one or more of the daemon pod running with a Ready Condition."),
    col("Up-to-date", "integer", "The total number of nodes that are running updated daemon pod"),
    col("Available", "integer", "The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available (ready for at least spec.minReadySeconds)"),
    col("Node Selector", "string", "NodeSelector is a selector which must be true for the pod to fit on a node. Selector which must match a node's labels for the pod to be scheduled on that node. More info: https://kubernetes.io/docs/concepts/configuration/assign-pod-node/"),
    AGE,
    CONTAINERS,
    IMAGES,
    SELECTOR,
];

pub fn daemonset(ds: &Value, now: SimTime) -> Vec<Value> {
    let node_selector = ds
        .pointer("/spec/template/spec/nodeSelector")
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or("")))
                .collect::<Vec<_>>()
                .join(",")
        })
        .unwrap_or_default();
    let mut cells = vec![
        json!(str_at(ds, "/metadata/name")),
        json!(int_at(ds, "/status/desiredNumberScheduled")),
        json!(int_at(ds, "/status/currentNumberScheduled")),
        json!(int_at(ds, "/status/numberReady")),
        json!(int_at(ds, "/status/updatedNumberScheduled")),
        json!(int_at(ds, "/status/numberAvailable")),
        json!(or_none(&node_selector)),
        json!(age(ds.pointer("/metadata/creationTimestamp"), now)),
    ];
    cells.extend(template_cells(ds, true));
    cells
}

pub const STATEFULSET: &[Column] = &[
    NAME,
    col("Ready", "string", "Number of the pod with ready state"),
    AGE,
    CONTAINERS,
    IMAGES,
];

pub fn statefulset(s: &Value, now: SimTime) -> Vec<Value> {
    let mut cells = vec![
        json!(str_at(s, "/metadata/name")),
        json!(format!(
            "{}/{}",
            int_at(s, "/status/readyReplicas"),
            int_at(s, "/spec/replicas")
        )),
        json!(age(s.pointer("/metadata/creationTimestamp"), now)),
    ];
    cells.extend(template_cells(s, false));
    cells
}

pub const JOB: &[Column] = &[
    NAME,
    col("Status", "string", "Status of the job."),
    col("Completions", "string", "The completion status of the job."),
    col("Duration", "string", "Time required to complete the job."),
    AGE,
    CONTAINERS,
    IMAGES,
    SELECTOR,
];

fn job_condition(job: &Value, kind: &str) -> bool {
    job.pointer("/status/conditions")
        .and_then(Value::as_array)
        .is_some_and(|cs| {
            cs.iter()
                .any(|c| c["type"] == kind && c["status"] == "True")
        })
}

pub fn job(j: &Value, now: SimTime) -> Vec<Value> {
    let completions = match j.pointer("/spec/completions").and_then(Value::as_i64) {
        Some(c) => format!("{}/{c}", int_at(j, "/status/succeeded")),
        None => format!(
            "{}/1 of {}",
            int_at(j, "/status/succeeded"),
            int_at(j, "/spec/parallelism").max(1)
        ),
    };
    let status = if job_condition(j, "Failed") {
        "Failed"
    } else if job_condition(j, "Complete") {
        "Complete"
    } else if job_condition(j, "Suspended") {
        "Suspended"
    } else if job_condition(j, "FailureTarget") {
        "FailureTarget"
    } else if job_condition(j, "SuccessCriteriaMet") {
        "SuccessCriteriaMet"
    } else {
        "Running"
    };
    let start = j
        .pointer("/status/startTime")
        .and_then(Value::as_str)
        .and_then(super::parse_rfc3339);
    let end = j
        .pointer("/status/completionTime")
        .and_then(Value::as_str)
        .and_then(super::parse_rfc3339)
        .unwrap_or(now.unix_seconds() as i64);
    let duration = start.map_or(String::new(), |s| super::human_duration(end - s));
    let mut cells = vec![
        json!(str_at(j, "/metadata/name")),
        json!(status),
        json!(completions),
        json!(duration),
        json!(age(j.pointer("/metadata/creationTimestamp"), now)),
    ];
    cells.extend(template_cells(j, true));
    cells
}

pub const CRONJOB: &[Column] = &[
    NAME,
    col("Schedule", "string", "The schedule in Cron format, see https://en.wikipedia.org/wiki/Cron."),
    col("Timezone", "string", "The time zone name for the given schedule, see https://en.wikipedia.org/wiki/List_of_tz_database_time_zones. If not specified, this will default to the time zone of the kube-controller-manager process. The set of valid time zone names and the time zone offset is loaded from the system-wide time zone database by the API server during CronJob validation and the controller manager during execution. If no system-wide time zone database can be found a bundled version of the database is used instead. If the time zone name becomes invalid during the lifetime of a CronJob or due to a change in host configuration, the controller will stop creating new new Jobs and will create a system event with the reason UnknownTimeZone. More information can be found in https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/#time-zones"),
    col("Suspend", "boolean", "This flag tells the controller to suspend subsequent executions, it does not apply to already started executions.  Defaults to false."),
    col("Active", "integer", "A list of pointers to currently running jobs."),
    col("Last Schedule", "string", "Information when was the last time the job was successfully scheduled."),
    AGE,
    CONTAINERS,
    IMAGES,
    SELECTOR,
];

pub fn cronjob(c: &Value, now: SimTime) -> Vec<Value> {
    let containers = c
        .pointer("/spec/jobTemplate/spec/template/spec/containers")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let names: Vec<&str> = containers
        .iter()
        .filter_map(|x| x["name"].as_str())
        .collect();
    let images: Vec<&str> = containers
        .iter()
        .filter_map(|x| x["image"].as_str())
        .collect();
    let last = match c.pointer("/status/lastScheduleTime") {
        Some(t) => age(Some(t), now),
        None => "<none>".to_string(),
    };
    vec![
        json!(str_at(c, "/metadata/name")),
        json!(str_at(c, "/spec/schedule")),
        json!(or_none(str_at(c, "/spec/timeZone"))),
        json!(c
            .pointer("/spec/suspend")
            .and_then(Value::as_bool)
            .unwrap_or(false)),
        json!(c
            .pointer("/status/active")
            .and_then(Value::as_array)
            .map_or(0, Vec::len)),
        json!(last),
        json!(age(c.pointer("/metadata/creationTimestamp"), now)),
        json!(names.join(",")),
        json!(images.join(",")),
        json!("<none>"),
    ]
}

pub const CONTROLLERREVISION: &[Column] = &[
    NAME,
    col("Controller", "string", "Controller of the object"),
    col(
        "Revision",
        "string",
        "Revision indicates the revision of the state represented by Data.",
    ),
    AGE,
];

/// `printControllerRevision`: the controller as `<kind>.<group>/<name>` (`formatResourceName`
/// with the lower-cased GroupKind), `<none>` for an orphan.
pub fn controllerrevision(cr: &Value, now: SimTime) -> Vec<Value> {
    let controller = cr
        .pointer("/metadata/ownerReferences")
        .and_then(Value::as_array)
        .and_then(|refs| refs.iter().find(|r| r["controller"] == true))
        .map(|r| {
            let api_version = r["apiVersion"].as_str().unwrap_or("");
            let group = api_version.rsplit_once('/').map(|(g, _)| g).unwrap_or("");
            let kind = r["kind"].as_str().unwrap_or("");
            let group_kind = if group.is_empty() {
                kind.to_string()
            } else {
                format!("{kind}.{group}")
            };
            format!(
                "{}/{}",
                group_kind.to_lowercase(),
                r["name"].as_str().unwrap_or("")
            )
        })
        .unwrap_or_else(|| "<none>".to_string());
    vec![
        json!(str_at(cr, "/metadata/name")),
        json!(controller),
        json!(int_at(cr, "/revision")),
        json!(age(cr.pointer("/metadata/creationTimestamp"), now)),
    ]
}
