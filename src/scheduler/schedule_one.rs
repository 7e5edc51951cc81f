//! One scheduling cycle (`pkg/scheduler/schedule_one.go`): a pod a preemption nominated tries
//! its nominated node first; otherwise filter nodes from a rotating start index until
//! `percentageOfNodesToScore` of them are feasible (the pods nominated to a node count there
//! for pods of equal or lower priority), run PostFilter (DefaultPreemption) when none is,
//! score the feasible ones, and pick the best with reservoir sampling among ties. The outcome
//! carries the whole decision as JSON for the trace (step 6).

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::{json, Value};

use super::cache::Cache;
use super::framework::preemption::{self, Candidate};
use super::framework::{
    fit_error_message, CycleState, NodeInfo, PodInfo, Profile, Status, Volumes, MAX_NODE_SCORE,
};
use super::nominator::{NominatingInfo, Nominator};
use crate::apiserver::labels::Selector;
use crate::sim::{Rng, SimTime};

/// `minFeasibleNodesToFind`.
pub const MIN_FEASIBLE_NODES_TO_FIND: usize = 100;
/// `minFeasibleNodesPercentageToFind`.
pub const MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND: usize = 5;
/// `ErrNoNodesAvailable`.
pub const ERR_NO_NODES_AVAILABLE: &str = "no nodes available to schedule pods";
/// Up to this many nodes, the decision lists every node's filter verdicts.
const PER_NODE_DETAIL_LIMIT: usize = 100;
/// Node names kept per filter-failure reason in large clusters.
const NODES_PER_REASON: usize = 5;

/// `numFeasibleNodesToFind`: all nodes below 100; else `percentage` (adaptive when 0: 50% minus
/// one point per 125 nodes, at least 5%) and never fewer than 100.
pub fn num_feasible_nodes_to_find(percentage: usize, num_all_nodes: usize) -> usize {
    if num_all_nodes < MIN_FEASIBLE_NODES_TO_FIND {
        return num_all_nodes;
    }
    let mut p = percentage;
    if p == 0 {
        p = 50usize.saturating_sub(num_all_nodes / 125);
        if p < MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND {
            p = MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND;
        }
    }
    let n = num_all_nodes * p / 100;
    n.max(MIN_FEASIBLE_NODES_TO_FIND)
}

/// What a cycle decided.
#[derive(Clone, Debug)]
pub struct ScheduleResult {
    pub selected: Option<String>,
    /// The FitError (or "no nodes available") message when no node fits.
    pub message: Option<String>,
    /// What the failure does to the pod's `status.nominatedNodeName`.
    pub nominating: NominatingInfo,
    /// The node PostFilter nominated and the victims to preempt there.
    pub preemption: Option<Candidate>,
    pub decision: Value,
}

/// What a cycle reads besides the cache and the profile.
pub struct CycleInputs<'a> {
    /// The selector of the pod's Services and controllers (PodTopologySpread's defaults).
    pub default_spread_selector: Option<Selector>,
    /// VolumeBinding's listers.
    pub volumes: Volumes<'a>,
    /// The pods preemptions nominated, counted on their nodes by the filters.
    pub nominator: &'a Nominator,
    /// The PodDisruptionBudgets preemption respects.
    pub pdbs: &'a [Arc<Value>],
    /// The clock, for victims that have not started yet.
    pub now: SimTime,
}

static NO_NOMINATIONS: std::sync::OnceLock<Nominator> = std::sync::OnceLock::new();

impl Default for CycleInputs<'_> {
    /// No Services or controllers, no storage, no nominations, no budgets, time zero.
    fn default() -> Self {
        CycleInputs {
            default_spread_selector: None,
            volumes: Volumes::default(),
            nominator: NO_NOMINATIONS.get_or_init(Nominator::default),
            pdbs: &[],
            now: SimTime::ZERO,
        }
    }
}

/// `selectHost`: the highest total; among equal totals each is chosen with equal probability,
/// by reservoir sampling in list order.
pub fn select_host(totals: &[(String, i64)], rng: &mut Rng) -> Option<String> {
    let max = totals.iter().map(|(_, t)| *t).max()?;
    let mut count = 0u64;
    let mut selected = None;
    for (name, t) in totals {
        if *t != max {
            continue;
        }
        count += 1;
        if rng.below(count) == 0 {
            selected = Some(name.clone());
        }
    }
    selected
}

fn status_json(s: &Status) -> Value {
    if s.is_success() {
        json!("Success")
    } else {
        json!({"code": s.code.name(), "reasons": s.reasons})
    }
}

/// Runs one cycle for `pod` against `cache`. `next_start` is the scheduler's
/// `nextStartNodeIndex`, advanced by the nodes this cycle looked at.
pub fn schedule_pod(
    profile: &Profile,
    cache: &Cache,
    pod: &PodInfo,
    default_spread_selector: Option<Selector>,
    percentage_of_nodes_to_score: usize,
    next_start: &mut usize,
    rng: &mut Rng,
) -> ScheduleResult {
    schedule_pod_with(
        profile,
        cache,
        pod,
        CycleInputs {
            default_spread_selector,
            ..CycleInputs::default()
        },
        percentage_of_nodes_to_score,
        next_start,
        rng,
    )
}

/// [`schedule_pod`] with everything a cycle reads: the default spread selector, VolumeBinding's
/// objects, the nominated pods, the budgets and the clock.
pub fn schedule_pod_with(
    profile: &Profile,
    cache: &Cache,
    pod: &PodInfo,
    inputs: CycleInputs<'_>,
    percentage_of_nodes_to_score: usize,
    next_start: &mut usize,
    rng: &mut Rng,
) -> ScheduleResult {
    let mut snap = cache.snapshot();
    snap.default_spread_selector = inputs.default_spread_selector;
    snap.volumes = inputs.volumes;
    let nominator = inputs.nominator;
    let n = snap.nodes.len();
    let mut decision = json!({"pod": pod.key, "nodes": n});
    if n == 0 {
        decision["message"] = json!(ERR_NO_NODES_AVAILABLE);
        return ScheduleResult {
            selected: None,
            message: Some(ERR_NO_NODES_AVAILABLE.to_string()),
            nominating: NominatingInfo::clear(),
            preemption: None,
            decision,
        };
    }
    let mut state = CycleState::default();
    let pre = profile.run_pre_filter(&mut state, pod, &snap);
    decision["preFilterSkipped"] = json!(state.skip_filter);

    // Filter, from the rotating start index.
    let to_find = num_feasible_nodes_to_find(percentage_of_nodes_to_score, n);
    let start = *next_start % n;
    decision["startIndex"] = json!(start);
    decision["numNodesToFind"] = json!(to_find);
    let mut feasible: Vec<&NodeInfo> = Vec::new();
    let mut failed: Vec<(&NodeInfo, Status)> = Vec::new();
    let mut per_node = Vec::new();
    let detailed = n <= PER_NODE_DETAIL_LIMIT;
    // A pod a preemption nominated tries its node first (`evaluateNominatedNode`): it is likely
    // the only one with room, made for it.
    if pre.is_success() && !pod.nominated_node_name.is_empty() {
        if let Some(node) = snap
            .nodes
            .iter()
            .find(|n| n.name == pod.nominated_node_name)
        {
            let (status, verdicts) = profile.run_filter_with_nominated_pods(
                &state,
                pod,
                node,
                nominator.for_node(&node.name),
                true,
            );
            let v: serde_json::Map<String, Value> = verdicts
                .iter()
                .map(|(p, s)| (p.to_string(), status_json(s)))
                .collect();
            decision["nominatedNode"] = json!({"node": node.name, "filters": v});
            if status.is_success() {
                // `findNodesThatPassFilters` over this one node: the start index wraps to 0.
                *next_start = 0;
                decision["evaluatedNodes"] = json!(1);
                decision["feasibleNodes"] = json!(1);
                decision["scores"] = json!(null);
                decision["selectedNode"] = json!(node.name);
                return ScheduleResult {
                    selected: Some(node.name.clone()),
                    message: None,
                    nominating: NominatingInfo::Noop,
                    preemption: None,
                    decision,
                };
            }
        }
    }
    // The nominated pods the filters count as running: those at least as important.
    let counted: serde_json::Map<String, Value> = nominator
        .iter()
        .filter_map(|(node, pods)| {
            let keys: Vec<&str> = pods
                .iter()
                .filter(|p| p.priority >= pod.priority && p.key != pod.key)
                .map(|p| p.key.as_str())
                .collect();
            (!keys.is_empty()).then(|| (node.to_string(), json!(keys)))
        })
        .collect();
    if !counted.is_empty() {
        decision["nominatedPods"] = Value::Object(counted);
    }
    let nominated_pods = |node: &NodeInfo| nominator.for_node(&node.name);
    if pre.is_success() {
        for i in 0..n {
            let node = snap.nodes[(start + i) % n];
            let (status, verdicts) = profile.run_filter_with_nominated_pods(
                &state,
                pod,
                node,
                nominated_pods(node),
                detailed,
            );
            if detailed {
                let v: serde_json::Map<String, Value> = verdicts
                    .iter()
                    .map(|(p, s)| (p.to_string(), status_json(s)))
                    .collect();
                per_node.push(json!({"node": node.name, "filters": v}));
            }
            if status.is_success() {
                feasible.push(node);
                if feasible.len() == to_find {
                    break;
                }
            } else {
                failed.push((node, status));
            }
        }
    } else {
        decision["preFilter"] = json!({"plugin": pre.plugin, "status": status_json(&pre)});
        for node in &snap.nodes {
            failed.push((node, pre.clone()));
        }
    }
    let processed = feasible.len() + failed.len();
    *next_start = (start + processed) % n;
    decision["evaluatedNodes"] = json!(processed);
    decision["feasibleNodes"] = json!(feasible.len());
    if detailed {
        decision["filters"] = json!(per_node);
    }
    // Failures grouped by plugin and reason, with a few node names each.
    let mut groups: BTreeMap<(String, String), (usize, Vec<String>)> = BTreeMap::new();
    for (node, s) in &failed {
        for r in &s.reasons {
            let e = groups
                .entry((s.plugin.to_string(), r.clone()))
                .or_insert((0, vec![]));
            e.0 += 1;
            if e.1.len() < NODES_PER_REASON {
                e.1.push(node.name.clone());
            }
        }
    }
    decision["filterFailures"] = groups
        .into_iter()
        .map(|((plugin, reason), (count, nodes))| {
            json!({"plugin": plugin, "reason": reason, "count": count, "nodes": nodes})
        })
        .collect();

    if feasible.is_empty() {
        let pre_msg = (!pre.is_success()).then(|| pre.message());
        // PostFilter: DefaultPreemption.
        let outcome = preemption::preempt(
            profile,
            &state,
            pod,
            &snap,
            failed.as_slice(),
            nominator,
            inputs.pdbs,
            inputs.now,
            detailed,
            rng,
        );
        decision["postFilter"] = outcome.decision;
        let message = fit_error_message(
            n,
            failed.iter().map(|(_, s)| s),
            pre_msg.as_deref(),
            Some(&outcome.message),
        );
        decision["message"] = json!(message);
        return ScheduleResult {
            selected: None,
            message: Some(message),
            nominating: outcome.nominating,
            preemption: outcome.candidate,
            decision,
        };
    }
    if feasible.len() == 1 {
        // One feasible node: chosen without scoring, as the real scheduler does.
        let name = feasible[0].name.clone();
        decision["scores"] = json!(null);
        decision["selectedNode"] = json!(name);
        return ScheduleResult {
            selected: Some(name),
            message: None,
            nominating: NominatingInfo::Noop,
            preemption: None,
            decision,
        };
    }

    // PreScore, Score, NormalizeScore, weights.
    let names: Vec<&str> = feasible.iter().map(|n| n.name.as_str()).collect();
    let mut plugin_names = Vec::new();
    let mut weights = Vec::new();
    let mut raw: Vec<Vec<i64>> = Vec::new();
    let mut normalized: Vec<Vec<i64>> = Vec::new();
    for (p, weight) in profile.score_plugins() {
        let s = p.pre_score(&mut state, pod, &feasible, &snap);
        if s.code == super::framework::Code::Skip {
            state.skip_score.push(p.name());
            continue;
        }
        let scores: Vec<i64> = feasible
            .iter()
            .map(|node| p.score(&state, pod, node, &snap))
            .collect();
        let mut norm = scores.clone();
        p.normalize_score(&state, &names, &mut norm);
        for s in &norm {
            assert!(
                (0..=MAX_NODE_SCORE).contains(s),
                "{} normalised a score to {s}",
                p.name()
            );
        }
        plugin_names.push(p.name());
        weights.push(weight);
        raw.push(scores);
        normalized.push(norm);
    }
    let mut totals = Vec::with_capacity(feasible.len());
    for (i, name) in names.iter().enumerate() {
        let total: i64 = (0..plugin_names.len())
            .map(|j| normalized[j][i] * weights[j])
            .sum();
        totals.push((name.to_string(), total));
    }
    let selected = select_host(&totals, rng).expect("feasible nodes were scored");
    // Column by column (one array per plugin, aligned with `nodes`): compact for hundreds of
    // scored nodes, and cheap to build.
    let by_plugin = |cols: &[Vec<i64>]| -> serde_json::Map<String, Value> {
        plugin_names
            .iter()
            .zip(cols)
            .map(|(p, c)| (p.to_string(), json!(c)))
            .collect()
    };
    decision["scorePlugins"] = json!(plugin_names);
    decision["weights"] = json!(weights);
    decision["preScoreSkipped"] = json!(state.skip_score);
    decision["scores"] = json!({
        "nodes": names,
        "raw": by_plugin(&raw),
        "normalized": by_plugin(&normalized),
        "total": totals.iter().map(|(_, t)| *t).collect::<Vec<_>>(),
    });
    decision["selectedNode"] = json!(selected);
    ScheduleResult {
        selected: Some(selected),
        message: None,
        nominating: NominatingInfo::Noop,
        preemption: None,
        decision,
    }
}
