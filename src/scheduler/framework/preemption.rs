//! The preemption evaluator (`pkg/scheduler/framework/preemption/preemption.go`): `Preempt`
//! decides, within the scheduling cycle, whether evicting lower-priority pods would let the pod
//! fit (dry runs of DefaultPreemption's `SelectVictimsOnNode` on the nodes that failed with
//! `Unschedulable`, from a random offset), picks the best candidate node, and returns the node
//! to nominate; `prepareCandidateAsync` (the 1.33 default, SchedulerAsyncPreemption) then
//! carries it out through the API server while the pod waits: clear the nominations of
//! lower-priority pods on that node, then for each victim add the `DisruptionTarget` condition,
//! delete it (gracefully: its grace period runs on the kubelet) and record `Preempted`, all
//! victims but the last in parallel, the last after the pod is let back into the queue.
//!
//! Everything the scheduler decides here goes into the step-6 decision of the trace; nothing
//! of it is stored in objects except what the real scheduler writes (the nomination, the
//! victims' condition, their deletion and events).

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::{json, Value};

use super::{fit_error_message, Code, CycleState, NodeInfo, PodInfo, Profile, Snapshot, Status};
use crate::apiserver::request::HttpResponse;
use crate::scheduler::nominator::{NominatingInfo, Nominator};
use crate::scheduler::plugins::default_preemption::{self, pod_start_time, Victims, NOT_HELPFUL};
use crate::scheduler::{KubeScheduler, Tag};
use crate::sim::{Ctx, Rng, SimTime};

/// A node where evicting `victims` lets the pod fit.
#[derive(Clone, Debug)]
pub struct Candidate {
    pub node: String,
    pub victims: Victims,
}

/// What `Preempt` decided.
#[derive(Clone, Debug)]
pub struct Outcome {
    /// The PostFilter status message (`preemption: ...`), empty when a node was nominated.
    pub message: String,
    /// What happens to the pod's nomination (`Noop` for a nil PostFilterResult).
    pub nominating: NominatingInfo,
    /// The chosen node and its victims, for `prepareCandidateAsync`.
    pub candidate: Option<Candidate>,
    /// The trace of it: eligibility, the dry runs per node, the candidates, the choice.
    pub decision: Value,
}

/// Node names kept per dry-run failure reason when the decision is not detailed.
const NODES_PER_REASON: usize = 5;

fn status_json(s: &Status) -> Value {
    json!({"code": s.code.name(), "reasons": s.reasons})
}

fn victims_json(v: &Victims) -> Value {
    json!(v.pods.iter().map(|p| p.key.clone()).collect::<Vec<_>>())
}

/// `Evaluator.Preempt` with DefaultPreemption's rules. `statuses` holds each node's filter
/// status from this cycle; `detailed` lists every node's dry-run result in the decision (small
/// clusters) instead of grouping them by reason.
#[allow(clippy::too_many_arguments)]
pub fn preempt(
    profile: &Profile,
    state: &CycleState,
    pod: &PodInfo,
    snap: &Snapshot,
    statuses: &[(&NodeInfo, Status)],
    nominator: &Nominator,
    pdbs: &[Arc<Value>],
    now: SimTime,
    detailed: bool,
    rng: &mut Rng,
) -> Outcome {
    let mut decision = json!({"plugin": default_preemption::NAME});
    // 1) Is the pod eligible to preempt others?
    let nominated_status = statuses
        .iter()
        .find(|(n, _)| n.name == pod.nominated_node_name)
        .map(|(_, s)| s);
    if let Err(reason) =
        default_preemption::pod_eligible_to_preempt_others(pod, snap, nominated_status)
    {
        let message = format!("preemption: {reason}");
        decision["notEligible"] = json!(reason);
        decision["message"] = json!(message);
        return Outcome {
            message,
            nominating: NominatingInfo::Noop,
            candidate: None,
            decision,
        };
    }

    // 2) Dry runs on the nodes whose failure a preemption could resolve.
    let by_name: BTreeMap<&str, &Status> =
        statuses.iter().map(|(n, s)| (n.name.as_str(), s)).collect();
    let potential: Vec<&NodeInfo> = snap
        .nodes
        .iter()
        .copied()
        .filter(|n| by_name.get(n.name.as_str()).map(|s| s.code) == Some(Code::Unschedulable))
        .collect();
    decision["potentialNodes"] = json!(potential.len());
    let mut node_statuses: Vec<(String, Status)> = Vec::new();
    let mut candidates: Vec<Candidate> = Vec::new();
    // Each dry run's result, in the order they ran.
    let mut tried: Vec<Value> = Vec::new();
    if !potential.is_empty() {
        // `GetOffsetAndNumCandidates`: a random start, so that preemption spreads over nodes.
        let offset = rng.below(potential.len() as u64) as usize;
        let wanted = default_preemption::calculate_num_candidates(potential.len());
        decision["offset"] = json!(offset);
        decision["numCandidates"] = json!(wanted);
        let (mut non_violating, mut violating) = (Vec::new(), Vec::new());
        for i in 0..potential.len() {
            let node = potential[(offset + i) % potential.len()];
            let mut node_copy = node.clone();
            let mut state_copy = state.clone();
            let result = default_preemption::select_victims_on_node(
                profile,
                &mut state_copy,
                pod,
                &mut node_copy,
                nominator.for_node(&node.name),
                pdbs,
                now,
            );
            if detailed {
                tried.push(match &result {
                    Ok(v) => json!({"node": node.name, "victims": victims_json(v),
                        "numPDBViolations": v.num_pdb_violations}),
                    Err(s) => json!({"node": node.name, "status": status_json(s)}),
                });
            }
            match result {
                Ok(v) if !v.pods.is_empty() => {
                    let list = if v.num_pdb_violations == 0 {
                        &mut non_violating
                    } else {
                        &mut violating
                    };
                    // Each list holds at most `wanted` candidates.
                    if list.len() < wanted {
                        list.push(Candidate {
                            node: node.name.clone(),
                            victims: v,
                        });
                    }
                    if !non_violating.is_empty() && non_violating.len() + violating.len() >= wanted
                    {
                        break;
                    }
                }
                Ok(_) => node_statuses.push((
                    node.name.clone(),
                    Status::new(
                        Code::Error,
                        format!("expected at least one victim pod on node {:?}", node.name),
                    ),
                )),
                Err(s) => node_statuses.push((node.name.clone(), s)),
            }
        }
        candidates.extend(non_violating);
        candidates.extend(violating);
    }
    decision["nodes"] = if detailed {
        json!(tried)
    } else {
        failures_json(&node_statuses)
    };
    decision["candidates"] = candidates
        .iter()
        .map(|c| {
            json!({"node": c.node, "victims": victims_json(&c.victims),
                "numPDBViolations": c.victims.num_pdb_violations})
        })
        .collect();

    if candidates.is_empty() {
        let errors: Vec<String> = node_statuses
            .iter()
            .filter(|(_, s)| s.code == Code::Error)
            .map(|(_, s)| s.message())
            .collect();
        if !errors.is_empty() {
            // `utilerrors.NewAggregate`: one error as it is, several in brackets.
            let err = if errors.len() == 1 {
                errors[0].clone()
            } else {
                format!("[{}]", errors.join(", "))
            };
            let message = format!("preemption: {err}");
            decision["message"] = json!(message);
            return Outcome {
                message,
                nominating: NominatingInfo::Noop,
                candidate: None,
                decision,
            };
        }
        // The FitError of the dry runs: every node not tried was not helpful.
        let absent = Status::new(Code::UnschedulableAndUnresolvable, NOT_HELPFUL);
        let n = snap.nodes.len();
        let explicit = node_statuses.len();
        let message = format!(
            "preemption: {}",
            fit_error_message(
                n,
                node_statuses
                    .iter()
                    .map(|(_, s)| s)
                    .chain(std::iter::repeat_n(&absent, n.saturating_sub(explicit))),
                None,
                None,
            )
        );
        decision["message"] = json!(message);
        // The pod's nomination, if any, is cleared: preemption cannot help it there.
        decision["nominatedNodeName"] = json!("");
        return Outcome {
            message,
            nominating: NominatingInfo::clear(),
            candidate: None,
            decision,
        };
    }

    // 4) The best candidate.
    let chosen = select_candidate(&candidates, now, rng);
    let best = candidates.swap_remove(chosen);
    decision["selected"] = json!({"node": best.node, "victims": victims_json(&best.victims)});
    decision["nominatedNodeName"] = json!(best.node);
    decision["message"] = json!("");
    Outcome {
        message: String::new(),
        nominating: NominatingInfo::Override(best.node.clone()),
        candidate: Some(best),
        decision,
    }
}

/// The failed dry runs of a large cluster, grouped by reason with a few node names each.
fn failures_json(statuses: &[(String, Status)]) -> Value {
    let mut groups: BTreeMap<(&str, String), (usize, Vec<&str>)> = BTreeMap::new();
    for (n, s) in statuses {
        for r in &s.reasons {
            let e = groups
                .entry((s.code.name(), r.clone()))
                .or_insert((0, vec![]));
            e.0 += 1;
            if e.1.len() < NODES_PER_REASON {
                e.1.push(n);
            }
        }
    }
    groups
        .into_iter()
        .map(|((code, reason), (count, nodes))| {
            json!({"code": code, "reason": reason, "count": count, "nodes": nodes})
        })
        .collect()
}

/// `SelectCandidate`: the only candidate, or `pickOneNodeForPreemption`'s. Returns its index.
pub fn select_candidate(candidates: &[Candidate], now: SimTime, rng: &mut Rng) -> usize {
    assert!(!candidates.is_empty(), "a candidate to select");
    if candidates.len() == 1 {
        return 0;
    }
    pick_one_node_for_preemption(candidates, now, rng)
}

/// `GetEarliestPodStartTime`: the earliest start among the victims of the highest priority.
fn earliest_start_of_highest_priority(v: &Victims, now: SimTime) -> i64 {
    let max = v.pods.iter().map(|p| p.priority).max().unwrap_or(0);
    v.pods
        .iter()
        .filter(|p| p.priority == max)
        .map(|p| pod_start_time(p, now))
        .min()
        .unwrap_or(i64::MIN)
}

/// `pickOneNodeForPreemption`: fewest PDB violations, then the lowest highest-victim priority,
/// the smallest sum of priorities, the fewest victims, the latest start of the
/// highest-priority victims; the real scheduler then takes the first of its Go map's random
/// order, here a uniform choice from the seeded PRNG.
pub fn pick_one_node_for_preemption(
    candidates: &[Candidate],
    now: SimTime,
    rng: &mut Rng,
) -> usize {
    let score_funcs: [&dyn Fn(&Victims) -> i64; 5] = [
        &|v| -v.num_pdb_violations,
        &|v| -v.pods.first().map(|p| p.priority).unwrap_or(0),
        // MaxInt32+1 added to each priority so that negative priorities sum sensibly.
        &|v| {
            -v.pods
                .iter()
                .map(|p| p.priority + i64::from(i32::MAX) + 1)
                .sum::<i64>()
        },
        &|v| -(v.pods.len() as i64),
        &|v| earliest_start_of_highest_priority(v, now),
    ];
    let mut all: Vec<usize> = (0..candidates.len()).collect();
    for f in score_funcs {
        let scores: Vec<i64> = all.iter().map(|&i| f(&candidates[i].victims)).collect();
        let max = *scores.iter().max().expect("candidates");
        all = all
            .iter()
            .zip(&scores)
            .filter(|(_, s)| **s == max)
            .map(|(i, _)| *i)
            .collect();
        if all.len() == 1 {
            return all[0];
        }
    }
    all[rng.below(all.len() as u64) as usize]
}

/// `getLowerPriorityNominatedPods`: pods nominated to `node` with a lower priority than `pod`.
pub fn lower_priority_nominated_pods(
    nominator: &Nominator,
    pod: &PodInfo,
    node: &str,
) -> Vec<Arc<PodInfo>> {
    nominator
        .for_node(node)
        .iter()
        .filter(|p| p.priority < pod.priority)
        .cloned()
        .collect()
}

/// `apipod.UpdatePodCondition` on a status: sets `condition` (its lastTransitionTime now, or
/// the old one when the status did not change); returns whether anything changed.
pub fn update_pod_condition(status: &mut Value, mut condition: Value, now: SimTime) -> bool {
    condition["lastTransitionTime"] = json!(now.rfc3339());
    if condition.get("lastProbeTime").is_none() {
        condition["lastProbeTime"] = Value::Null;
    }
    if !status.is_object() {
        *status = json!({});
    }
    let conditions = status
        .as_object_mut()
        .expect("an object")
        .entry("conditions")
        .or_insert_with(|| json!([]));
    if !conditions.is_array() {
        *conditions = json!([]);
    }
    let list = conditions.as_array_mut().expect("an array");
    let Some(old) = list.iter_mut().find(|c| c["type"] == condition["type"]) else {
        list.push(condition);
        return true;
    };
    if condition["status"] == old["status"] {
        condition["lastTransitionTime"] = old["lastTransitionTime"].clone();
    }
    let field = |c: &Value, k: &str| c.get(k).cloned().unwrap_or(Value::Null);
    let equal = [
        "status",
        "reason",
        "message",
        "lastProbeTime",
        "lastTransitionTime",
    ]
    .iter()
    .all(|k| field(&condition, k) == field(old, k));
    *old = condition;
    !equal
}

/// `util.PatchPodStatus`'s body: the two-way strategic merge patch from the pod's status to
/// `new_status`, or `None` when nothing changed.
pub fn pod_status_patch(old_status: &Value, new_status: &Value) -> Option<Value> {
    let wrap = |s: &Value| {
        let mut m = serde_json::Map::new();
        if !s.is_null() {
            m.insert("status".into(), s.clone());
        }
        m
    };
    let patch = crate::apiserver::patch::strategic_merge::create_two_way_merge_patch(
        "Pod",
        &wrap(old_status),
        &wrap(new_status),
    )
    .expect("a pod status diffs");
    (!patch.is_empty()).then(|| Value::Object(patch))
}

/// One API call of an asynchronous preemption.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PreemptionCall {
    /// Clearing the nomination of the lower-priority pod at this index.
    ClearNomination(usize),
    /// The `DisruptionTarget` condition of the victim at this index.
    Condition(usize),
    /// The victim's DELETE.
    Delete(usize),
}

/// Where an asynchronous preemption is.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Phase {
    /// Clearing nominations, one call at a time.
    Clearing,
    /// Every victim but the last, in parallel: this many still in flight.
    Victims(usize),
    /// The last victim, after the pod was let back into the queue.
    LastVictim,
}

/// `prepareCandidateAsync`'s goroutine, as the calls it has in flight.
#[derive(Clone, Debug)]
pub struct AsyncPreemption {
    pub preemptor: Arc<PodInfo>,
    pub node: String,
    pub victims: Vec<Arc<PodInfo>>,
    /// Lower-priority pods nominated to the node; their nominations go first.
    to_clear: Vec<Arc<PodInfo>>,
    phase: Phase,
    /// A victim's call failed: the goroutine's context is cancelled, so no further call goes
    /// out.
    cancelled: bool,
    /// Some call failed: the pod is activated at the end instead of waiting for an event.
    failed: bool,
}

fn succeeded(r: &HttpResponse) -> bool {
    (200..300).contains(&r.status)
}

impl KubeScheduler {
    /// `prepareCandidateAsync`: the pod is held back by PreEnqueue (`preempting`) and the
    /// calls start; the cycle goes on to report the failure with the nomination.
    pub(crate) fn prepare_candidate_async(
        &mut self,
        preemptor: Arc<PodInfo>,
        candidate: Candidate,
        ctx: &mut Ctx<'_>,
    ) {
        let to_clear = lower_priority_nominated_pods(&self.nominator, &preemptor, &candidate.node);
        let id = self.next_preemption;
        self.next_preemption += 1;
        self.queue.gate(&preemptor.key);
        self.preemptions.insert(
            id,
            AsyncPreemption {
                preemptor,
                node: candidate.node,
                victims: candidate.victims.pods,
                to_clear,
                phase: Phase::Clearing,
                cancelled: false,
                failed: false,
            },
        );
        self.clear_next_nomination(id, 0, ctx);
    }

    /// Clears the nomination at `index` (skipping pods whose nomination is already gone), or
    /// moves on to the victims.
    fn clear_next_nomination(&mut self, id: u64, mut index: usize, ctx: &mut Ctx<'_>) {
        let p = &self.preemptions[&id];
        while index < p.to_clear.len() {
            let nominated = &p.to_clear[index];
            let current = self
                .reflector(crate::scheduler::Kind::Pods)
                .get(&nominated.key)
                .cloned()
                .unwrap_or_else(|| nominated.obj.clone());
            let old = current.get("status").cloned().unwrap_or(Value::Null);
            let mut new = old.clone();
            if let Some(m) = new.as_object_mut() {
                m.remove("nominatedNodeName");
            }
            if let Some(patch) = pod_status_patch(&old, &new) {
                let path = format!(
                    "/api/v1/namespaces/{}/pods/{}/status",
                    nominated.namespace, nominated.name
                );
                let req = self
                    .client
                    .request("PATCH", &path)
                    .header("Content-Type", "application/strategic-merge-patch+json")
                    .json_body(patch);
                let tag = Tag::Preemption {
                    epoch: self.epoch,
                    id,
                    call: PreemptionCall::ClearNomination(index),
                };
                self.client.send(ctx, req, tag, None);
                return;
            }
            index += 1;
        }
        self.start_victims(id, ctx);
    }

    /// All victims but the last in parallel; with one victim, straight to it.
    fn start_victims(&mut self, id: u64, ctx: &mut Ctx<'_>) {
        let n = self.preemptions[&id].victims.len();
        assert!(n > 0, "a candidate has victims");
        if n == 1 {
            self.start_last_victim(id, ctx);
            return;
        }
        self.preemptions.get_mut(&id).expect("running").phase = Phase::Victims(n - 1);
        for i in 0..n - 1 {
            self.preempt_pod(id, i, ctx);
        }
    }

    /// The pod is no longer `preempting`; then the last victim goes, unless the context was
    /// cancelled.
    fn start_last_victim(&mut self, id: u64, ctx: &mut Ctx<'_>) {
        let p = self.preemptions.get_mut(&id).expect("running");
        p.phase = Phase::LastVictim;
        let key = p.preemptor.key.clone();
        let (cancelled, last) = (p.cancelled, p.victims.len() - 1);
        self.queue.ungate(&key);
        if cancelled {
            // PreemptPod fails at once on the cancelled context.
            self.preemptions.get_mut(&id).expect("running").failed = true;
            self.finish_preemption(id);
            return;
        }
        self.preempt_pod(id, last, ctx);
    }

    /// `PreemptPod`: the `DisruptionTarget` condition (when the victim lacks it), then the
    /// DELETE.
    fn preempt_pod(&mut self, id: u64, index: usize, ctx: &mut Ctx<'_>) {
        let p = &self.preemptions[&id];
        let victim = p.victims[index].clone();
        let scheduler_name = p.preemptor.scheduler_name.clone();
        let old = victim.obj.get("status").cloned().unwrap_or(Value::Null);
        let mut new = old.clone();
        let condition = json!({
            "type": "DisruptionTarget",
            "status": "True",
            "reason": "PreemptionByScheduler",
            "message": format!("{scheduler_name}: preempting to accommodate a higher priority pod"),
        });
        let patch = update_pod_condition(&mut new, condition, ctx.now())
            .then(|| pod_status_patch(&old, &new))
            .flatten();
        match patch {
            Some(patch) => {
                let path = format!(
                    "/api/v1/namespaces/{}/pods/{}/status",
                    victim.namespace, victim.name
                );
                let req = self
                    .client
                    .request("PATCH", &path)
                    .header("Content-Type", "application/strategic-merge-patch+json")
                    .json_body(patch);
                let tag = Tag::Preemption {
                    epoch: self.epoch,
                    id,
                    call: PreemptionCall::Condition(index),
                };
                self.client.send(ctx, req, tag, None);
            }
            None => self.delete_victim(id, index, ctx),
        }
    }

    /// `util.DeletePod`: a plain DELETE, so the victim's own grace period applies.
    fn delete_victim(&mut self, id: u64, index: usize, ctx: &mut Ctx<'_>) {
        let victim = &self.preemptions[&id].victims[index];
        let path = format!(
            "/api/v1/namespaces/{}/pods/{}",
            victim.namespace, victim.name
        );
        let req = self
            .client
            .request("DELETE", &path)
            .json_body(json!({"kind": "DeleteOptions", "apiVersion": "v1"}));
        let tag = Tag::Preemption {
            epoch: self.epoch,
            id,
            call: PreemptionCall::Delete(index),
        };
        self.client.send(ctx, req, tag, None);
    }

    /// An answer to one of the preemption's calls.
    pub(crate) fn on_preemption_response(
        &mut self,
        id: u64,
        call: PreemptionCall,
        response: &HttpResponse,
        ctx: &mut Ctx<'_>,
    ) {
        let Some(p) = self.preemptions.get_mut(&id) else {
            return;
        };
        match call {
            PreemptionCall::ClearNomination(i) => {
                // Not critical: the preemption goes on, but the pod is activated at the end.
                if !succeeded(response) {
                    p.failed = true;
                }
                self.clear_next_nomination(id, i + 1, ctx);
            }
            PreemptionCall::Condition(i) => {
                if !succeeded(response) {
                    p.failed = true;
                    p.cancelled = true;
                    self.victim_done(id, i, ctx);
                } else if p.cancelled {
                    self.victim_done(id, i, ctx);
                } else {
                    self.delete_victim(id, i, ctx);
                }
            }
            PreemptionCall::Delete(i) => {
                if succeeded(response) {
                    let victim = p.victims[i].clone();
                    let preemptor = p.preemptor.clone();
                    let message = format!("Preempted by pod {} on node {}", preemptor.uid, p.node);
                    self.create_event_related(
                        &victim,
                        Some(&preemptor),
                        "Normal",
                        "Preempted",
                        "Preempting",
                        &message,
                        ctx,
                    );
                } else if response.status != 404 {
                    p.failed = true;
                    p.cancelled = true;
                }
                // A victim already gone (404) is fine, with no event.
                self.victim_done(id, i, ctx);
            }
        }
    }

    fn victim_done(&mut self, id: u64, index: usize, ctx: &mut Ctx<'_>) {
        let p = self.preemptions.get_mut(&id).expect("running");
        match p.phase {
            Phase::LastVictim => {
                debug_assert_eq!(index, p.victims.len() - 1);
                self.finish_preemption(id);
            }
            Phase::Victims(outstanding) => {
                p.phase = Phase::Victims(outstanding - 1);
                if outstanding == 1 {
                    self.start_last_victim(id, ctx);
                }
            }
            Phase::Clearing => unreachable!("no victim call while clearing nominations"),
        }
    }

    /// The goroutine returns: on an error the pod goes to activeQ at once, since the events
    /// that would move it may never come.
    fn finish_preemption(&mut self, id: u64) {
        let p = self.preemptions.remove(&id).expect("running");
        self.queue.ungate(&p.preemptor.key);
        if p.failed {
            self.queue.activate(&p.preemptor.key);
        }
    }

    /// Preemptions still sending calls.
    pub fn preemptions_in_flight(&self) -> usize {
        self.preemptions.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn victims(prios: &[(i64, Option<&str>)], pdb: i64) -> Victims {
        Victims {
            pods: prios
                .iter()
                .enumerate()
                .map(|(i, (p, start))| {
                    let mut v = json!({"metadata": {"name": format!("v{i}"), "namespace": "d"},
                        "spec": {"priority": p, "containers": []}});
                    if let Some(s) = start {
                        v["status"] = json!({"startTime": s});
                    }
                    Arc::new(PodInfo::new(Arc::new(v)))
                })
                .collect(),
            num_pdb_violations: pdb,
        }
    }

    fn c(node: &str, v: Victims) -> Candidate {
        Candidate {
            node: node.into(),
            victims: v,
        }
    }

    fn pick(cs: &[Candidate]) -> &str {
        let mut rng = Rng::seed_from_u64(7);
        &cs[pick_one_node_for_preemption(cs, SimTime(0), &mut rng)].node
    }

    #[test]
    fn the_candidate_is_chosen_rule_by_rule() {
        let t = Some("2026-01-01T00:00:00Z");
        let later = Some("2026-01-01T00:01:00Z");
        // Fewest PDB violations wins over everything else.
        assert_eq!(
            pick(&[
                c("a", victims(&[(1, t)], 1)),
                c("b", victims(&[(9, t), (9, t)], 0))
            ]),
            "b"
        );
        // Then the lowest highest priority.
        assert_eq!(
            pick(&[
                c("a", victims(&[(5, t)], 0)),
                c("b", victims(&[(3, t), (3, t)], 0))
            ]),
            "b"
        );
        // Then the smallest sum of priorities.
        assert_eq!(
            pick(&[
                c("a", victims(&[(5, t), (4, t)], 0)),
                c("b", victims(&[(5, t), (1, t)], 0))
            ]),
            "b"
        );
        // Then the fewest victims (negative priorities sum sensibly).
        assert_eq!(
            pick(&[
                c("a", victims(&[(-5, t), (-5, t)], 0)),
                c("b", victims(&[(-5, t)], 0))
            ]),
            "b"
        );
        // Then the latest start of the highest-priority victims.
        assert_eq!(
            pick(&[
                c("a", victims(&[(5, t)], 0)),
                c("b", victims(&[(5, later)], 0))
            ]),
            "b"
        );
    }

    #[test]
    fn full_ties_are_broken_by_the_seeded_prng() {
        let t = Some("2026-01-01T00:00:00Z");
        let cs: Vec<Candidate> = ["a", "b", "c", "d"]
            .iter()
            .map(|n| c(n, victims(&[(1, t)], 0)))
            .collect();
        let mut seen = std::collections::BTreeSet::new();
        for seed in 0..40 {
            let mut rng = Rng::seed_from_u64(seed);
            let first = pick_one_node_for_preemption(&cs, SimTime(0), &mut rng);
            let mut rng = Rng::seed_from_u64(seed);
            assert_eq!(
                first,
                pick_one_node_for_preemption(&cs, SimTime(0), &mut rng)
            );
            seen.insert(first);
        }
        assert_eq!(seen.len(), 4, "every tied node can be chosen");
    }

    #[test]
    fn a_condition_is_added_once_and_keeps_its_transition_time() {
        let mut status =
            json!({"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}]});
        let cond = json!({"type": "DisruptionTarget", "status": "True", "reason": "PreemptionByScheduler", "message": "m"});
        assert!(update_pod_condition(
            &mut status,
            cond.clone(),
            SimTime(1000)
        ));
        assert!(!update_pod_condition(&mut status, cond, SimTime(5000)));
        assert_eq!(
            status["conditions"][1]["lastTransitionTime"],
            "2026-01-01T00:00:01Z"
        );
        let patch = pod_status_patch(
            &json!({"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}]}),
            &status,
        )
        .unwrap();
        assert_eq!(
            patch["status"]["conditions"],
            json!([{"type": "DisruptionTarget", "status": "True", "reason": "PreemptionByScheduler",
                "message": "m", "lastTransitionTime": "2026-01-01T00:00:01Z", "lastProbeTime": null}])
        );
        assert_eq!(
            patch["status"]["$setElementOrder/conditions"],
            json!([{"type": "Ready"}, {"type": "DisruptionTarget"}])
        );
        assert_eq!(pod_status_patch(&status, &status), None);
    }
}
