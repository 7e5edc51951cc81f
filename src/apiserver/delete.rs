//! What a DELETE does to an object (`k8s.io/apiserver/pkg/registry/generic/registry/store.go`
//! `Delete`, `BeforeDelete` and the graceful-deletion strategies): delete at once, or mark it
//! with `deletionTimestamp` and wait for its finalizers or its kubelet. A namespace is special
//! (`pkg/registry/core/namespace/storage`): its first DELETE only marks it Terminating, and it
//! goes once the namespace controller has emptied it and removed `spec.finalizers`.

use serde_json::{json, Value};

use super::decode;
use super::errors::{self, ApiError};
use super::request::HttpRequest;
use super::resources::Resource;
use crate::sim::{SimDuration, SimTime};

/// `metav1.DeleteOptions`, from the body or the query.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DeleteOptions {
    pub grace_period_seconds: Option<i64>,
    /// `Orphan`, `Background` or `Foreground`.
    pub propagation_policy: Option<String>,
    pub precondition_uid: Option<String>,
    pub precondition_resource_version: Option<String>,
    pub dry_run: bool,
}

impl DeleteOptions {
    /// The options of a DELETE request: its body (JSON, or protobuf as client-go's typed
    /// clients send it: `kubectl drain --disable-eviction`) and its query. A protobuf body that
    /// does not decode is answered as the delete handler answers its decoder's error: a 500
    /// whose Status has no reason.
    pub fn from_request(req: &HttpRequest) -> Result<DeleteOptions, ApiError> {
        let protobuf = req.header_value("Content-Type").is_some_and(|t| {
            t.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .eq_ignore_ascii_case("application/vnd.kubernetes.protobuf")
        });
        if protobuf && !req.body.is_empty() {
            return match decode::protobuf::delete_options_to_json(&req.body.to_bytes()) {
                Ok(body) => DeleteOptions::parse(Some(&body), &req.query),
                Err(message) => {
                    let mut e = ApiError::new(500, "", message, None);
                    if let Some(status) = e.status.as_object_mut() {
                        status.remove("reason");
                    }
                    Err(e)
                }
            };
        }
        DeleteOptions::parse(req.body.json().as_deref(), &req.query)
    }

    /// Reads the options from a DeleteOptions body (if any) and the query parameters.
    pub fn parse(
        body: Option<&Value>,
        query: &[(String, String)],
    ) -> Result<DeleteOptions, ApiError> {
        let mut o = DeleteOptions::default();
        if let Some(b) = body {
            o.grace_period_seconds = b.get("gracePeriodSeconds").and_then(Value::as_i64);
            o.propagation_policy = b
                .get("propagationPolicy")
                .and_then(Value::as_str)
                .map(str::to_string);
            if b.get("orphanDependents").and_then(Value::as_bool) == Some(true) {
                o.propagation_policy
                    .get_or_insert_with(|| "Orphan".to_string());
            }
            o.precondition_uid = b
                .pointer("/preconditions/uid")
                .and_then(Value::as_str)
                .map(str::to_string);
            o.precondition_resource_version = b
                .pointer("/preconditions/resourceVersion")
                .and_then(Value::as_str)
                .map(str::to_string);
            o.dry_run = b
                .get("dryRun")
                .and_then(Value::as_array)
                .is_some_and(|a| a.iter().any(|v| v == "All"));
        }
        for (k, v) in query {
            match k.as_str() {
                "gracePeriodSeconds" => {
                    o.grace_period_seconds = Some(v.parse().map_err(|_| {
                        errors::bad_request(format!(
                            "strconv.ParseInt: parsing {v:?}: invalid syntax"
                        ))
                    })?)
                }
                "propagationPolicy" => o.propagation_policy = Some(v.clone()),
                "dryRun" if v == "All" => o.dry_run = true,
                _ => {}
            }
        }
        if let Some(p) = &o.propagation_policy {
            if !matches!(p.as_str(), "Orphan" | "Background" | "Foreground") {
                return Err(ApiError::new(
                    422,
                    "Invalid",
                    format!("DeleteOptions.meta.k8s.io \"\" is invalid: propagationPolicy: Unsupported value: \"{p}\": supported values: \"Foreground\", \"Background\", \"Orphan\", \"nil\""),
                    None,
                ));
            }
        }
        if o.grace_period_seconds.is_some_and(|g| g < 0) {
            o.grace_period_seconds = Some(1);
        }
        Ok(o)
    }
}

/// `deleteOptionWarnings` of the Job REST storage: the `Warning` a DELETE of a batch/v1 Job
/// gets when it leaves the propagation to the default.
pub const JOB_DELETE_WARNING: &str = "child pods are preserved by default when jobs are deleted; set propagationPolicy=Background to remove them or set propagationPolicy=Orphan to suppress this warning";

/// `DefaultGarbageCollectionPolicy` is `OrphanDependents`: batch/v1 Jobs keep their pods when
/// the DELETE names no policy (for backward compatibility; every other resource deletes its
/// dependents in the background).
pub fn orphans_by_default(resource: &Resource) -> bool {
    resource.group == "batch" && resource.version == "v1" && resource.name == "jobs"
}

/// The warning a DELETE with `options` gets (`REST.Delete` of the Job storage).
pub fn warning(resource: &Resource, options: &DeleteOptions) -> Option<&'static str> {
    (orphans_by_default(resource) && options.propagation_policy.is_none())
        .then_some(JOB_DELETE_WARNING)
}

/// What the store does with a DELETE.
#[derive(Clone, Debug, PartialEq)]
pub enum DeletePlan {
    /// Remove the key now.
    Now,
    /// Keep the object, updated with `deletionTimestamp` (and finalizers); someone else finishes.
    Mark(Value),
    /// Already being deleted and nothing changes: answer with the object as it is.
    Unchanged,
}

fn finalizers(obj: &Value) -> Vec<String> {
    obj.pointer("/metadata/finalizers")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|f| f.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// Whether `resource` is the core group's `namespaces`.
fn is_namespaces(resource: &Resource) -> bool {
    resource.group.is_empty() && resource.name == "namespaces"
}

/// A namespace's `spec.finalizers` (`kubernetes` until the namespace controller is done).
fn spec_finalizers(namespace: &Value) -> Vec<String> {
    namespace
        .pointer("/spec/finalizers")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|f| f.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// Decides a DELETE of `current` (which must pass `options`' preconditions).
pub fn plan(
    resource: &Resource,
    current: &Value,
    options: &DeleteOptions,
    now: SimTime,
) -> Result<DeletePlan, ApiError> {
    check_preconditions(resource, current, options)?;
    if is_namespaces(resource) {
        // `REST.Delete` of the namespace registry: the first DELETE marks the namespace
        // Terminating (it keeps existing, and no new content may be created in it); a
        // later one deletes it only once `spec.finalizers` is empty.
        if current.pointer("/metadata/deletionTimestamp").is_none() {
            return Ok(DeletePlan::Mark(mark_namespace_terminating(
                current, options, now,
            )?));
        }
        if !spec_finalizers(current).is_empty() {
            return Ok(DeletePlan::Unchanged);
        }
    }
    plan_store_delete(resource, current, options, now)
}

/// The first DELETE of a namespace: `deletionTimestamp` now, phase Terminating, and the
/// `orphan` / `foregroundDeletion` finalizers as the propagation policy asks.
fn mark_namespace_terminating(
    current: &Value,
    options: &DeleteOptions,
    now: SimTime,
) -> Result<Value, ApiError> {
    let mut ns = current.clone();
    let mut fins = finalizers(&ns);
    let policy = options.propagation_policy.as_deref();
    // `shouldHaveOrphanFinalizer` / `shouldHaveDeleteDependentsFinalizer`: a policy decides,
    // without one the finalizers stay as they are.
    for (finalizer, wanted) in [("orphan", "Orphan"), ("foregroundDeletion", "Foreground")] {
        let have = fins.iter().any(|f| f == finalizer);
        match policy {
            Some(p) if p == wanted && !have => fins.push(finalizer.to_string()),
            Some(p) if p != wanted => fins.retain(|f| f != finalizer),
            _ => {}
        }
    }
    let meta = ns["metadata"]
        .as_object_mut()
        .ok_or_else(|| errors::internal("object without metadata".into()))?;
    meta.insert("deletionTimestamp".into(), json!(now.rfc3339()));
    if fins != finalizers(current) {
        meta.insert("finalizers".into(), json!(fins));
    }
    ns["status"]["phase"] = json!("Terminating");
    Ok(ns)
}

fn check_preconditions(
    resource: &Resource,
    current: &Value,
    options: &DeleteOptions,
) -> Result<(), ApiError> {
    let name = current
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or("");
    if let Some(uid) = &options.precondition_uid {
        let have = current
            .pointer("/metadata/uid")
            .and_then(Value::as_str)
            .unwrap_or("");
        if uid != have {
            return Err(errors::conflict(
                resource,
                name,
                &format!(
                    "Precondition failed: UID in precondition: {uid}, UID in object meta: {have}"
                ),
            ));
        }
    }
    if let Some(rv) = &options.precondition_resource_version {
        let have = current
            .pointer("/metadata/resourceVersion")
            .and_then(Value::as_str)
            .unwrap_or("");
        if rv != have {
            return Err(errors::conflict(
                resource,
                name,
                &format!("Precondition failed: ResourceVersion in precondition: {rv}, ResourceVersion in object meta: {have}"),
            ));
        }
    }
    Ok(())
}

/// The generic store's `Delete` (`BeforeDelete` and graceful deletion).
fn plan_store_delete(
    resource: &Resource,
    current: &Value,
    options: &DeleteOptions,
    now: SimTime,
) -> Result<DeletePlan, ApiError> {
    let mut obj = current.clone();
    let mut fins = finalizers(&obj);
    let mut changed = false;
    // `shouldOrphanDependents`: without a policy, a GC finalizer already on the object decides,
    // else the resource's default.
    let has_gc_finalizer = fins
        .iter()
        .any(|f| f == "orphan" || f == "foregroundDeletion");
    let policy = options.propagation_policy.clone().or_else(|| {
        (orphans_by_default(resource) && !has_gc_finalizer).then(|| "Orphan".to_string())
    });
    match policy.as_deref() {
        Some("Orphan") if !fins.iter().any(|f| f == "orphan") => {
            fins.push("orphan".to_string());
            changed = true;
        }
        Some("Foreground") if !fins.iter().any(|f| f == "foregroundDeletion") => {
            fins.push("foregroundDeletion".to_string());
            changed = true;
        }
        _ => {}
    }
    let already = obj.pointer("/metadata/deletionTimestamp").is_some();
    // Graceful deletion: a pod on a node waits for its kubelet to stop its containers.
    let grace = if resource.name == "pods" && resource.group.is_empty() {
        let scheduled = obj
            .pointer("/spec/nodeName")
            .and_then(Value::as_str)
            .is_some_and(|n| !n.is_empty());
        let finished = matches!(
            obj.pointer("/status/phase").and_then(Value::as_str),
            Some("Failed" | "Succeeded")
        );
        let spec_grace = obj
            .pointer("/spec/terminationGracePeriodSeconds")
            .and_then(Value::as_i64)
            .unwrap_or(30);
        if scheduled && !finished {
            options.grace_period_seconds.unwrap_or(spec_grace)
        } else {
            0
        }
    } else {
        0
    };
    if fins.is_empty() && grace == 0 {
        return Ok(DeletePlan::Now);
    }
    let meta = obj["metadata"]
        .as_object_mut()
        .ok_or_else(|| errors::internal("object without metadata".into()))?;
    if changed {
        meta.insert("finalizers".into(), json!(fins));
    }
    if already {
        // A second DELETE may only shorten the grace period.
        let current_grace = meta
            .get("deletionGracePeriodSeconds")
            .and_then(Value::as_i64);
        if grace > 0 && current_grace.is_some_and(|g| grace < g) {
            meta.insert("deletionGracePeriodSeconds".into(), json!(grace));
            meta.insert(
                "deletionTimestamp".into(),
                json!((now + SimDuration::from_secs(grace as u64)).rfc3339()),
            );
            return Ok(DeletePlan::Mark(obj));
        }
        if fins.is_empty() && grace == 0 {
            return Ok(DeletePlan::Now);
        }
        return Ok(if changed {
            DeletePlan::Mark(obj)
        } else {
            DeletePlan::Unchanged
        });
    }
    meta.insert(
        "deletionTimestamp".into(),
        json!((now + SimDuration::from_secs(grace as u64)).rfc3339()),
    );
    meta.insert("deletionGracePeriodSeconds".into(), json!(grace));
    Ok(DeletePlan::Mark(obj))
}

/// An update that leaves an object marked for deletion with no finalizers and no grace period
/// left deletes it (`ShouldDeleteDuringUpdate`); a namespace also needs an empty
/// `spec.finalizers` (`ShouldDeleteNamespaceDuringUpdate`, so its `finalize` deletes it).
pub fn should_delete_during_update(resource: &Resource, obj: &Value) -> bool {
    if is_namespaces(resource) && !spec_finalizers(obj).is_empty() {
        return false;
    }
    obj.pointer("/metadata/deletionTimestamp").is_some()
        && finalizers(obj).is_empty()
        && obj
            .pointer("/metadata/deletionGracePeriodSeconds")
            .and_then(Value::as_i64)
            .unwrap_or(0)
            == 0
}

/// Whether a DELETE answers with the object (pods and namespaces do) or with a Success Status.
pub fn returns_object(resource: &Resource) -> bool {
    resource.group.is_empty() && matches!(resource.name, "pods" | "namespaces")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::apiserver::resources::find;

    fn pod(node: &str) -> Value {
        json!({"metadata": {"name": "web", "uid": "u1", "resourceVersion": "9"}, "spec": {"nodeName": node, "terminationGracePeriodSeconds": 30}, "status": {"phase": "Running"}})
    }

    #[test]
    fn a_batch_v1_job_orphans_its_pods_unless_told_otherwise() {
        let jobs = find("batch", "v1", "jobs").unwrap();
        let job = json!({"metadata": {"name": "pi", "uid": "u1", "resourceVersion": "9"}});
        match plan(jobs, &job, &DeleteOptions::default(), SimTime(0)).unwrap() {
            DeletePlan::Mark(o) => assert_eq!(o["metadata"]["finalizers"], json!(["orphan"])),
            other => panic!("{other:?}"),
        }
        assert_eq!(
            warning(jobs, &DeleteOptions::default()),
            Some(JOB_DELETE_WARNING)
        );
        let background = DeleteOptions {
            propagation_policy: Some("Background".into()),
            ..DeleteOptions::default()
        };
        assert_eq!(
            plan(jobs, &job, &background, SimTime(0)).unwrap(),
            DeletePlan::Now
        );
        assert_eq!(warning(jobs, &background), None);
        let cronjobs = find("batch", "v1", "cronjobs").unwrap();
        assert_eq!(
            plan(cronjobs, &job, &DeleteOptions::default(), SimTime(0)).unwrap(),
            DeletePlan::Now
        );
    }

    #[test]
    fn a_running_pod_is_marked_for_its_kubelet_and_an_unscheduled_one_goes_now() {
        let pods = find("", "v1", "pods").unwrap();
        let now = SimTime(10_000);
        match plan(pods, &pod("n1"), &DeleteOptions::default(), now).unwrap() {
            DeletePlan::Mark(o) => {
                assert_eq!(o["metadata"]["deletionTimestamp"], "2026-01-01T00:00:40Z");
                assert_eq!(o["metadata"]["deletionGracePeriodSeconds"], 30);
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            plan(pods, &pod(""), &DeleteOptions::default(), now).unwrap(),
            DeletePlan::Now
        );
        let now0 = DeleteOptions {
            grace_period_seconds: Some(0),
            ..DeleteOptions::default()
        };
        assert_eq!(plan(pods, &pod("n1"), &now0, now).unwrap(), DeletePlan::Now);
    }

    #[test]
    fn propagation_policies_add_their_finalizers() {
        let deploy = find("apps", "v1", "deployments").unwrap();
        let d = json!({"metadata": {"name": "web", "uid": "u"}});
        let orphan = DeleteOptions {
            propagation_policy: Some("Orphan".into()),
            ..DeleteOptions::default()
        };
        match plan(deploy, &d, &orphan, SimTime(0)).unwrap() {
            DeletePlan::Mark(o) => assert_eq!(o["metadata"]["finalizers"], json!(["orphan"])),
            other => panic!("{other:?}"),
        }
        assert_eq!(
            plan(deploy, &d, &DeleteOptions::default(), SimTime(0)).unwrap(),
            DeletePlan::Now
        );
    }

    #[test]
    fn a_namespace_is_marked_terminating_first_and_deleted_once_finalized() {
        let namespaces = find("", "v1", "namespaces").unwrap();
        let ns = json!({"metadata": {"name": "dev", "uid": "u"}, "spec": {"finalizers": ["kubernetes"]}, "status": {"phase": "Active"}});
        let marked = match plan(namespaces, &ns, &DeleteOptions::default(), SimTime(5_000)) {
            Ok(DeletePlan::Mark(o)) => o,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            marked["metadata"]["deletionTimestamp"],
            "2026-01-01T00:00:05Z"
        );
        assert_eq!(marked["status"]["phase"], "Terminating");
        assert_eq!(marked["spec"]["finalizers"], json!(["kubernetes"]));
        assert!(marked["metadata"]
            .get("deletionGracePeriodSeconds")
            .is_none());
        assert!(!should_delete_during_update(namespaces, &marked));
        // A second DELETE while the controller works changes nothing.
        assert_eq!(
            plan(
                namespaces,
                &marked,
                &DeleteOptions::default(),
                SimTime(6_000)
            )
            .unwrap(),
            DeletePlan::Unchanged
        );
        // Once finalized, an update (the finalize itself) or a DELETE removes it.
        let mut finalized = marked.clone();
        finalized["spec"]["finalizers"] = json!([]);
        assert!(should_delete_during_update(namespaces, &finalized));
        assert_eq!(
            plan(
                namespaces,
                &finalized,
                &DeleteOptions::default(),
                SimTime(7_000)
            )
            .unwrap(),
            DeletePlan::Now
        );
        // Even an already finalized namespace is marked first, as the registry does.
        let mut empty = ns.clone();
        empty["spec"]["finalizers"] = json!([]);
        assert!(matches!(
            plan(namespaces, &empty, &DeleteOptions::default(), SimTime(0)),
            Ok(DeletePlan::Mark(_))
        ));
        let orphan = DeleteOptions {
            propagation_policy: Some("Orphan".into()),
            ..DeleteOptions::default()
        };
        match plan(namespaces, &ns, &orphan, SimTime(0)).unwrap() {
            DeletePlan::Mark(o) => assert_eq!(o["metadata"]["finalizers"], json!(["orphan"])),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn preconditions_and_bad_options_are_refused() {
        let pods = find("", "v1", "pods").unwrap();
        let o = DeleteOptions {
            precondition_uid: Some("other".into()),
            ..DeleteOptions::default()
        };
        let e = plan(pods, &pod("n1"), &o, SimTime(0)).unwrap_err();
        assert_eq!(e.code, 409);
        assert!(e
            .message()
            .contains("Precondition failed: UID in precondition: other, UID in object meta: u1"));
        let q = vec![("propagationPolicy".to_string(), "Sideways".to_string())];
        assert_eq!(DeleteOptions::parse(None, &q).unwrap_err().code, 422);
    }
}
