//! Indexed Jobs (`pkg/controller/job/indexed_job_utils.go`): each pod carries its completion
//! index (`batch.kubernetes.io/job-completion-index`), the Job counts succeeded indexes, not
//! pods, and reports them as intervals in `status.completedIndexes` (`1,3-5`).

use std::collections::BTreeSet;

use serde_json::{json, Value};

use super::super::controller_utils::{deletion_order, str_at};
use super::{has_tracking_finalizer, COMPLETION_INDEX_ANNOTATION};

/// `JobCompletionIndexEnvName`.
pub const COMPLETION_INDEX_ENV: &str = "JOB_COMPLETION_INDEX";

/// `getCompletionIndex`: the pod's index, if its annotation holds a valid one.
pub fn completion_index(pod: &Value) -> Option<i64> {
    let v = pod
        .pointer("/metadata/annotations")
        .and_then(|a| a.get(COMPLETION_INDEX_ANNOTATION))
        .and_then(Value::as_str)?;
    v.parse::<i64>().ok().filter(|i| *i >= 0)
}

/// `parseIndexesFromString`: `1,3-5` → {1, 3, 4, 5}, ignoring what is out of range.
pub fn parse_indexes(text: &str, completions: i64) -> BTreeSet<i64> {
    let mut out = BTreeSet::new();
    for part in text.split(',').filter(|p| !p.is_empty()) {
        let (a, b) = match part.split_once('-') {
            Some((a, b)) => (a.parse::<i64>(), b.parse::<i64>()),
            None => (part.parse::<i64>(), part.parse::<i64>()),
        };
        if let (Ok(a), Ok(b)) = (a, b) {
            for i in a.max(0)..=b.min(completions - 1) {
                out.insert(i);
            }
        }
    }
    out
}

/// `orderedIntervals.String`: consecutive indexes as `a-b`, others alone, comma-separated.
pub fn format_indexes(indexes: &BTreeSet<i64>) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut iter = indexes.iter().copied().peekable();
    while let Some(first) = iter.next() {
        let mut last = first;
        while iter.peek() == Some(&(last + 1)) {
            last += 1;
            iter.next();
        }
        parts.push(if first == last {
            first.to_string()
        } else {
            format!("{first}-{last}")
        });
    }
    parts.join(",")
}

/// `calculateSucceededIndexes`: the indexes counted before and those counted now (adding the
/// succeeded pods that still carry the tracking finalizer).
pub fn succeeded_indexes(
    job: &Value,
    pods: &[&Value],
    completions: i64,
) -> (BTreeSet<i64>, BTreeSet<i64>) {
    let prev = parse_indexes(str_at(job, "/status/completedIndexes"), completions);
    let mut now = prev.clone();
    for p in pods {
        if let Some(ix) = completion_index(p) {
            if str_at(p, "/status/phase") == "Succeeded"
                && ix < completions
                && has_tracking_finalizer(p)
            {
                now.insert(ix);
            }
        }
    }
    (prev, now)
}

/// `firstPendingIndexes`: the lowest `count` indexes neither succeeded nor held by an active
/// pod.
pub fn first_pending_indexes(
    active: &[&Value],
    succeeded: &BTreeSet<i64>,
    count: usize,
    completions: i64,
) -> Vec<i64> {
    let taken: BTreeSet<i64> = active.iter().filter_map(|p| completion_index(p)).collect();
    (0..completions)
        .filter(|i| !succeeded.contains(i) && !taken.contains(i))
        .take(count)
        .collect()
}

/// `appendDuplicatedIndexPodsForRemoval`: active pods without a valid index, beyond the
/// completions, or repeating an index (all but the most valuable of each index) are removed.
pub fn duplicated_index_pods<'a>(
    pods: &[&'a Value],
    completions: i64,
) -> (Vec<&'a Value>, Vec<&'a Value>) {
    let mut sorted: Vec<&Value> = pods.to_vec();
    sorted.sort_by_key(|p| completion_index(p).unwrap_or(-1));
    let (mut rm, mut left) = (Vec::new(), Vec::new());
    let mut i = 0;
    while i < sorted.len() {
        let ix = completion_index(sorted[i]);
        let mut j = i;
        while j < sorted.len() && completion_index(sorted[j]) == ix {
            j += 1;
        }
        let mut group: Vec<&Value> = sorted[i..j].to_vec();
        match ix {
            Some(ix) if ix < completions => {
                // `ActivePods` order: the most valuable pod sorts last and stays.
                group.sort_by(|a, b| deletion_order((a, 0), (b, 0)));
                let keep = group.pop().expect("a group is never empty");
                rm.extend(group);
                left.push(keep);
            }
            _ => rm.extend(group),
        }
        i = j;
    }
    (rm, left)
}

/// The pod template of index `ix`: its annotation and label, the hostname `<job>-<ix>`, and
/// `JOB_COMPLETION_INDEX` read from the label in every container
/// (`addCompletionIndexEnvVariables`, `addCompletionIndexAnnotation`, `addCompletionIndexLabel`).
pub fn template_for_index(template: &Value, job_name: &str, ix: i64) -> Value {
    let mut t = template.clone();
    for field in ["annotations", "labels"] {
        let meta = &mut t["metadata"];
        if !meta.is_object() {
            *meta = json!({});
        }
        if !meta[field].is_object() {
            meta[field] = json!({});
        }
        meta[field][COMPLETION_INDEX_ANNOTATION] = json!(ix.to_string());
    }
    t["spec"]["hostname"] = json!(format!("{job_name}-{ix}"));
    for list in ["initContainers", "containers"] {
        for c in t["spec"][list].as_array_mut().into_iter().flatten() {
            let env = &mut c["env"];
            if !env.is_array() {
                *env = json!([]);
            }
            let arr = env.as_array_mut().expect("made an array");
            if !arr.iter().any(|e| e["name"] == COMPLETION_INDEX_ENV) {
                arr.push(json!({
                    "name": COMPLETION_INDEX_ENV,
                    "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": format!("metadata.labels['{COMPLETION_INDEX_ANNOTATION}']")}},
                }));
            }
        }
    }
    t
}

/// `podGenerateNameWithIndex`: `<job>-<ix>-`, the job name cut so the prefix fits 58
/// characters.
pub fn generate_name_with_index(job_name: &str, ix: i64) -> String {
    let suffix = format!("-{ix}-");
    let max = 58usize.saturating_sub(suffix.len());
    let base: String = job_name.chars().take(max).collect();
    format!("{base}{suffix}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indexes_round_trip_as_intervals() {
        let set = parse_indexes("0,2-4,7", 10);
        assert_eq!(set.iter().copied().collect::<Vec<_>>(), vec![0, 2, 3, 4, 7]);
        assert_eq!(format_indexes(&set), "0,2-4,7");
        assert_eq!(format_indexes(&parse_indexes("0-9", 5)), "0-4");
        assert_eq!(format_indexes(&BTreeSet::new()), "");
    }

    #[test]
    fn pending_indexes_skip_succeeded_and_running_ones() {
        let running = json!({"metadata": {"annotations": {COMPLETION_INDEX_ANNOTATION: "1"}}});
        let succeeded: BTreeSet<i64> = [0].into_iter().collect();
        assert_eq!(
            first_pending_indexes(&[&running], &succeeded, 2, 5),
            vec![2, 3]
        );
    }
}
