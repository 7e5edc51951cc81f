//! The scheduler's decision at step 6 as a table the learner can read: per node, each filter
//! plugin's verdict (passed, or failed with its reason; not run after an earlier failure, as
//! the framework stops at the first), then each score plugin's weighted score and the total,
//! and the node that won. Read from `Message::SchedulingDecision`'s JSON (see
//! `scheduler/schedule_one.rs` for its shape), never from the scheduler's private state.

use serde_json::Value;

use crate::sim::{Message, Sim};

/// One filter plugin's verdict on one node.
#[derive(Clone, Debug, PartialEq)]
pub struct FilterVerdict {
    pub plugin: String,
    /// `None`: the plugin did not run on this node (an earlier one failed).
    pub passed: Option<bool>,
    /// The failure's code and reasons (`UnschedulableAndUnresolvable: node(s) had ...`).
    pub reason: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct NodeVerdict {
    pub node: String,
    /// In the order of `Verdicts::filters`.
    pub filters: Vec<FilterVerdict>,
    /// Weighted scores in the order of `Verdicts::score_plugins` (`None`: not scored, because
    /// it failed a filter or was the only feasible node).
    pub scores: Option<Vec<i64>>,
    pub total: Option<i64>,
    pub winner: bool,
}

impl NodeVerdict {
    pub fn feasible(&self) -> bool {
        self.filters.iter().all(|f| f.passed != Some(false))
    }
}

/// The decision at the cursor.
#[derive(Clone, Debug, PartialEq)]
pub struct Verdicts {
    /// `namespace/name` of the pod.
    pub pod: String,
    /// The filter plugins that ran, in the order they ran.
    pub filters: Vec<String>,
    /// The PreFilter results that skipped plugins for this pod (nothing to check).
    pub skipped: Vec<String>,
    /// Score plugins with their weights.
    pub score_plugins: Vec<(String, i64)>,
    pub nodes: Vec<NodeVerdict>,
    pub selected: Option<String>,
    /// Why no node fits (the FitError text), when none does.
    pub message: Option<String>,
    /// A note on how the decision was reached without the usual table (the one feasible node
    /// is not scored; a nominated node is tried first).
    pub note: Option<String>,
}

fn strings(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

fn verdict(plugin: &str, v: Option<&Value>) -> FilterVerdict {
    match v {
        None => FilterVerdict {
            plugin: plugin.to_string(),
            passed: None,
            reason: None,
        },
        Some(Value::String(s)) if s == "Success" => FilterVerdict {
            plugin: plugin.to_string(),
            passed: Some(true),
            reason: None,
        },
        Some(other) => {
            let code = other.get("code").and_then(Value::as_str).unwrap_or("Error");
            let reasons = strings(other.get("reasons")).join("; ");
            FilterVerdict {
                plugin: plugin.to_string(),
                passed: Some(false),
                reason: Some(if reasons.is_empty() {
                    code.to_string()
                } else {
                    format!("{code}: {reasons}")
                }),
            }
        }
    }
}

/// The table of one decision's JSON.
pub fn from_decision(pod: &str, d: &Value) -> Verdicts {
    let selected = d
        .get("selectedNode")
        .and_then(Value::as_str)
        .map(str::to_string);
    // Per-node filter results: the full list, or the nominated node tried first.
    let mut per_node: Vec<(&str, &serde_json::Map<String, Value>)> = Vec::new();
    if let Some(list) = d.get("filters").and_then(Value::as_array) {
        for n in list {
            if let (Some(node), Some(f)) = (
                n.get("node").and_then(Value::as_str),
                n.get("filters").and_then(Value::as_object),
            ) {
                per_node.push((node, f));
            }
        }
    } else if let Some(n) = d.get("nominatedNode") {
        if let (Some(node), Some(f)) = (
            n.get("node").and_then(Value::as_str),
            n.get("filters").and_then(Value::as_object),
        ) {
            per_node.push((node, f));
        }
    }
    let mut filters: Vec<String> = Vec::new();
    for (_, f) in &per_node {
        for p in f.keys() {
            if !filters.contains(p) {
                filters.push(p.clone());
            }
        }
    }
    let weights: Vec<i64> = d
        .get("weights")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_i64).collect())
        .unwrap_or_default();
    let score_plugins: Vec<(String, i64)> = strings(d.get("scorePlugins"))
        .into_iter()
        .zip(weights.iter().copied().chain(std::iter::repeat(1)))
        .collect();
    let scores = d.get("scores").filter(|s| s.is_object());
    let scored: Vec<String> = strings(scores.and_then(|s| s.get("nodes")));
    let nodes = per_node
        .iter()
        .map(|(node, f)| {
            let column = scored.iter().position(|n| n == node);
            let weighted = column.map(|i| {
                score_plugins
                    .iter()
                    .map(|(p, w)| {
                        scores
                            .and_then(|s| s.pointer(&format!("/normalized/{p}/{i}")))
                            .and_then(Value::as_i64)
                            .unwrap_or(0)
                            * w
                    })
                    .collect::<Vec<i64>>()
            });
            let total = column.and_then(|i| {
                scores
                    .and_then(|s| s.pointer(&format!("/total/{i}")))
                    .and_then(Value::as_i64)
            });
            NodeVerdict {
                node: node.to_string(),
                filters: filters.iter().map(|p| verdict(p, f.get(p))).collect(),
                scores: weighted,
                total,
                winner: selected.as_deref() == Some(*node),
            }
        })
        .collect();
    let note = if d.get("nominatedNode").is_some()
        && selected.is_some()
        && d.get("filters").is_none()
    {
        Some("The pod was nominated to this node by a preemption, so it was tried first.".into())
    } else if selected.is_some() && scores.is_none() {
        Some("Only one node passed every filter, so it was chosen without scoring.".into())
    } else {
        None
    };
    Verdicts {
        pod: pod.to_string(),
        filters,
        skipped: strings(d.get("preFilterSkipped")),
        score_plugins,
        nodes,
        selected,
        message: d.get("message").and_then(Value::as_str).map(str::to_string),
        note,
    }
}

/// The table at `sim`'s last delivery, if it is a scheduling decision.
pub fn of_last(sim: &Sim) -> Option<Verdicts> {
    match &sim.last_delivered()?.message {
        Message::SchedulingDecision { pod, decision } => Some(from_decision(pod, decision)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_node_that_fails_a_filter_is_not_scored_and_later_filters_did_not_run() {
        let d = json!({
            "filters": [
                {"node": "cp", "filters": {"NodeName": "Success", "TaintToleration": {"code": "UnschedulableAndUnresolvable", "reasons": ["node(s) had untolerated taint"]}}},
                {"node": "w1", "filters": {"NodeName": "Success", "TaintToleration": "Success", "NodeResourcesFit": "Success"}},
                {"node": "w2", "filters": {"NodeName": "Success", "TaintToleration": "Success", "NodeResourcesFit": "Success"}},
            ],
            "scorePlugins": ["TaintToleration", "NodeResourcesFit"],
            "weights": [3, 1],
            "scores": {"nodes": ["w1", "w2"], "normalized": {"TaintToleration": [100, 100], "NodeResourcesFit": [97, 94]}, "total": [397, 394]},
            "selectedNode": "w1",
        });
        let v = from_decision("default/web", &d);
        assert_eq!(
            v.filters,
            ["NodeName", "TaintToleration", "NodeResourcesFit"]
        );
        let cp = &v.nodes[0];
        assert!(!cp.feasible() && !cp.winner && cp.scores.is_none());
        assert_eq!(cp.filters[1].passed, Some(false));
        assert_eq!(
            cp.filters[1].reason.as_deref(),
            Some("UnschedulableAndUnresolvable: node(s) had untolerated taint")
        );
        assert_eq!(cp.filters[2].passed, None, "not run after a failure");
        let w1 = &v.nodes[1];
        assert!(w1.feasible() && w1.winner);
        assert_eq!(w1.scores.as_deref(), Some(&[300, 97][..]));
        assert_eq!(w1.total, Some(397));
        assert_eq!(v.nodes[2].total, Some(394));
        assert_eq!(v.note, None);
    }

    #[test]
    fn one_feasible_node_is_chosen_without_scores() {
        let d = json!({
            "filters": [{"node": "w1", "filters": {"NodeName": "Success"}}],
            "scores": null,
            "selectedNode": "w1",
        });
        let v = from_decision("default/p", &d);
        assert!(v.nodes[0].winner && v.nodes[0].total.is_none());
        assert!(v.note.is_some());
    }
}
