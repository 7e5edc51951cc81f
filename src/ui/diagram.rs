//! The cluster diagram: the learner; the control-plane node with its components; each worker
//! node, grouped by zone, with its kubelet, kube-proxy and pods. Drawn from the components that
//! actually run and from the objects the API server holds; the last delivered message is drawn
//! as a packet on the edge from sender to receiver.

use std::collections::BTreeMap;

use serde_json::Value;
use yew::prelude::*;

use super::state::SimRef;
use crate::apiserver::server::KubeApiServer;
use crate::sim::{Addr, Sim};

#[derive(Properties, PartialEq)]
pub struct Props {
    pub sim: SimRef,
}

const CHIP_W: f64 = 196.0;
const CHIP_H: f64 = 56.0;
const POD_W: f64 = 150.0;
const POD_H: f64 = 26.0;

fn role(addr: &Addr) -> &'static str {
    match addr {
        Addr::Learner => "you, at the console",
        Addr::Etcdctl => "etcd's command-line client",
        Addr::Etcd => "key-value store",
        Addr::ApiServer => "the cluster's API",
        Addr::Client(_) => "an API client",
        Addr::Kubectl => "the admin's CLI",
        Addr::Scheduler => "picks nodes for pods",
        Addr::ControllerManager => "runs the controllers",
        Addr::Kubelet(_) => "runs the node's pods",
        Addr::KubeProxy(_) => "routes Service traffic",
    }
}

/// The node a component runs on (`None` for the learner and test clients).
fn node_of(addr: &Addr) -> Option<String> {
    match addr {
        Addr::Kubelet(n) | Addr::KubeProxy(n) => Some(n.clone()),
        Addr::Learner | Addr::Client(_) | Addr::Kubectl => None,
        _ => Some(CONTROL_PLANE.to_string()),
    }
}

const CONTROL_PLANE: &str = "control-plane";

/// A pod as the diagram shows it: name and phase (colour and a text label, never colour alone).
struct PodView {
    name: String,
    phase: String,
}

/// What the API server's caches say about nodes (zone) and pods (which node, which phase).
fn cluster_objects(sim: &Sim) -> (BTreeMap<String, String>, BTreeMap<String, Vec<PodView>>) {
    let mut zones = BTreeMap::new();
    let mut pods: BTreeMap<String, Vec<PodView>> = BTreeMap::new();
    let Some(api) = sim.actor::<KubeApiServer>(&Addr::ApiServer) else {
        return (zones, pods);
    };
    if let Some(nodes) = api.caches().get("/registry/minions/") {
        for n in nodes.objects.values() {
            let name = n
                .pointer("/metadata/name")
                .and_then(Value::as_str)
                .unwrap_or("");
            let zone = n
                .pointer("/metadata/labels/topology.kubernetes.io~1zone")
                .and_then(Value::as_str)
                .unwrap_or("");
            zones.insert(name.to_string(), zone.to_string());
        }
    }
    if let Some(cache) = api.caches().get("/registry/pods/") {
        for p in cache.objects.values() {
            let node = p
                .pointer("/spec/nodeName")
                .and_then(Value::as_str)
                .unwrap_or("");
            if node.is_empty()
                || p.pointer("/metadata/namespace").and_then(Value::as_str) == Some("kube-system")
            {
                continue;
            }
            let deleting = p.pointer("/metadata/deletionTimestamp").is_some();
            let phase = if deleting {
                "Terminating"
            } else {
                p.pointer("/status/phase")
                    .and_then(Value::as_str)
                    .unwrap_or("Pending")
            };
            pods.entry(node.to_string()).or_default().push(PodView {
                name: p
                    .pointer("/metadata/name")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string(),
                phase: phase.to_string(),
            });
        }
    }
    (zones, pods)
}

/// What runs, and (honestly) what this version of kubestep does not run yet.
fn caption(running: &[&Addr]) -> String {
    if running.is_empty() {
        return "No components are running yet.".to_string();
    }
    let names: Vec<String> = running.iter().map(|a| a.name()).collect();
    let missing: Vec<&str> = [
        ("kube-scheduler", Addr::Scheduler),
        ("kube-controller-manager", Addr::ControllerManager),
    ]
    .into_iter()
    .filter(|(_, a)| !running.contains(&a))
    .map(|(n, _)| n)
    .chain(
        (!running.iter().any(|a| matches!(a, Addr::Kubelet(_))))
            .then_some("the kubelets of worker nodes"),
    )
    .collect();
    let mut text = format!("Running: {}.", names.join(", "));
    if !missing.is_empty() {
        text.push_str(&format!(
            " Not simulated yet in this version: {}.",
            missing.join(", ")
        ));
    }
    text
}

fn chip(a: &Addr, x: f64, y: f64, active: bool) -> Html {
    html! {
        <g class={classes!("component", active.then_some("active"))} data-component={a.name()}
           transform={format!("translate({x} {y})")}>
            <rect width={CHIP_W.to_string()} height={CHIP_H.to_string()} rx="10" />
            <text x={(CHIP_W / 2.0).to_string()} y="24" class="name">{a.name()}</text>
            <text x={(CHIP_W / 2.0).to_string()} y="42" class="role">{role(a)}</text>
        </g>
    }
}

fn pod_chip(p: &PodView, x: f64, y: f64) -> Html {
    let class = format!("pod phase-{}", p.phase.to_ascii_lowercase());
    html! {
        <g class={class} data-pod={p.name.clone()} transform={format!("translate({x} {y})")}>
            <rect width={POD_W.to_string()} height={POD_H.to_string()} rx="13" />
            <text x="12" y="17" class="pod-name">{truncate(&p.name, 16)}</text>
            <text x={(POD_W - 10.0).to_string()} y="17" class="pod-phase">{p.phase.clone()}</text>
        </g>
    }
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(n - 1).collect::<String>())
    }
}

#[function_component(Diagram)]
pub fn diagram(props: &Props) -> Html {
    let sim = props.sim.sim();
    let components: Vec<&Addr> = sim
        .addrs()
        .filter(|a| !matches!(a, Addr::Client(_)))
        .collect();
    let (zones, pods) = cluster_objects(&sim);
    let last = sim.trace().entries().last();
    let is_active = |a: &Addr| last.is_some_and(|e| &e.to == a || &e.from == a);

    // Group components by node; worker nodes by zone.
    let mut by_node: BTreeMap<String, Vec<&Addr>> = BTreeMap::new();
    for a in &components {
        if let Some(n) = node_of(a) {
            by_node.entry(n).or_default().push(a);
        }
    }
    for n in zones.keys() {
        by_node.entry(n.clone()).or_default();
    }
    let cp = by_node.remove(CONTROL_PLANE).unwrap_or_default();
    let mut workers: Vec<(String, String, Vec<&Addr>)> = by_node
        .into_iter()
        .map(|(n, addrs)| (zones.get(&n).cloned().unwrap_or_default(), n, addrs))
        .collect();
    workers.sort();

    let mut positions: BTreeMap<Addr, (f64, f64)> = BTreeMap::new();
    let mut shapes: Vec<Html> = Vec::new();
    // Control-plane node: components in two columns.
    let cp_x = 250.0;
    let cp_y = 20.0;
    let cp_rows = cp.len().div_ceil(2).max(1) as f64;
    let cp_h = 50.0 + cp_rows * (CHIP_H + 14.0);
    shapes.push(html! {
        <g class="node control-plane">
            <rect x={cp_x.to_string()} y={cp_y.to_string()} width="452" height={cp_h.to_string()} rx="16" />
            <text x={(cp_x + 16.0).to_string()} y={(cp_y + 28.0).to_string()} class="node-name">{CONTROL_PLANE}</text>
            <text x={(cp_x + 436.0).to_string()} y={(cp_y + 28.0).to_string()} class="node-kind">{"node"}</text>
        </g>
    });
    for (i, a) in cp.iter().enumerate() {
        let x = cp_x + 20.0 + (i % 2) as f64 * (CHIP_W + 20.0);
        let y = cp_y + 44.0 + (i / 2) as f64 * (CHIP_H + 14.0);
        positions.insert((*a).clone(), (x + CHIP_W / 2.0, y + CHIP_H / 2.0));
        shapes.push(chip(a, x, y, is_active(a)));
    }
    // Worker nodes below, side by side.
    let top = cp_y + cp_h + 40.0;
    let mut max_bottom = top;
    for (i, (zone, node, addrs)) in workers.iter().enumerate() {
        let x = 20.0 + i as f64 * 340.0;
        let node_pods = pods.get(node).map(Vec::as_slice).unwrap_or_default();
        let h = 50.0
            + addrs.len() as f64 * (CHIP_H + 10.0)
            + node_pods.len() as f64 * (POD_H + 6.0)
            + 10.0;
        max_bottom = max_bottom.max(top + h);
        let zone_label = if zone.is_empty() {
            String::new()
        } else {
            format!("zone {zone}")
        };
        shapes.push(html! {
            <g class="node worker">
                <rect x={x.to_string()} y={top.to_string()} width="320" height={h.to_string()} rx="16" />
                <text x={(x + 16.0).to_string()} y={(top + 28.0).to_string()} class="node-name">{node.clone()}</text>
                <text x={(x + 304.0).to_string()} y={(top + 28.0).to_string()} class="node-kind">{zone_label}</text>
            </g>
        });
        for (j, a) in addrs.iter().enumerate() {
            let cx = x + 20.0;
            let cy = top + 44.0 + j as f64 * (CHIP_H + 10.0);
            positions.insert((*a).clone(), (cx + CHIP_W / 2.0, cy + CHIP_H / 2.0));
            shapes.push(chip(a, cx, cy, is_active(a)));
        }
        let pods_top = top + 44.0 + addrs.len() as f64 * (CHIP_H + 10.0);
        for (k, p) in node_pods.iter().enumerate() {
            shapes.push(pod_chip(p, x + 20.0, pods_top + k as f64 * (POD_H + 6.0)));
        }
    }
    positions.insert(Addr::Learner, (110.0, cp_y + 60.0));
    let learner = chip(&Addr::Learner, 25.0, cp_y + 32.0, is_active(&Addr::Learner));
    let edge = last.and_then(|e| {
        let (x1, y1) = *positions.get(&e.from)?;
        let (x2, y2) = *positions.get(&e.to)?;
        Some(html! {
            <g class="edge active">
                <line x1={x1.to_string()} y1={y1.to_string()} x2={x2.to_string()} y2={y2.to_string()} />
                <circle class="packet" cx={x2.to_string()} cy={y2.to_string()} r="6" />
            </g>
        })
    });
    let width = (20.0 + workers.len() as f64 * 340.0).max(720.0);
    let height = max_bottom + 20.0;
    html! {
        <figure class="diagram">
            <svg viewBox={format!("0 0 {width} {height}")} role="img" aria-label="Cluster diagram">
                <g class="learner">{ learner }</g>
                { for shapes }
                { for edge }
            </svg>
            <figcaption>{ caption(&components) }</figcaption>
        </figure>
    }
}
