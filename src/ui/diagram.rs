//! The cluster diagram: the learner, the control-plane node and its components, drawn from the
//! components that are actually running, with the last delivered message highlighted.

use yew::prelude::*;

use super::state::SimRef;
use crate::sim::Addr;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub sim: SimRef,
}

/// Where a component sits in the drawing (x, y of its box's centre).
fn position(addr: &Addr, index: usize) -> (f64, f64) {
    match addr {
        Addr::Learner => (90.0, 200.0),
        _ => (
            400.0 + 190.0 * (index % 2) as f64,
            150.0 + 110.0 * (index / 2) as f64,
        ),
    }
}

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

#[function_component(Diagram)]
pub fn diagram(props: &Props) -> Html {
    let sim = props.sim.sim.borrow();
    let components: Vec<&Addr> = sim.addrs().collect();
    let last = sim.trace().entries().last();
    let place = |a: &Addr| -> (f64, f64) {
        let i = components.iter().position(|c| *c == a).unwrap_or(0);
        position(a, i)
    };
    let edge = last.map(|e| {
        let (x1, y1) = place(&e.from);
        let (x2, y2) = place(&e.to);
        html! {
            <g class="edge active">
                <line x1={x1.to_string()} y1={y1.to_string()} x2={x2.to_string()} y2={y2.to_string()} />
                <circle class="packet" cx={x2.to_string()} cy={y2.to_string()} r="6" />
            </g>
        }
    });
    let node_box = |a: &Addr| {
        let (x, y) = place(a);
        let active = last.is_some_and(|e| &e.to == a || &e.from == a);
        html! {
            <g class={classes!("component", active.then_some("active"))} data-component={a.name()}
               transform={format!("translate({} {})", x - 85.0, y - 32.0)}>
                <rect width="170" height="64" rx="10" />
                <text x="85" y="28" class="name">{a.name()}</text>
                <text x="85" y="47" class="role">{role(a)}</text>
            </g>
        }
    };
    let in_cp: Vec<&Addr> = components
        .iter()
        .copied()
        .filter(|a| **a != Addr::Learner)
        .collect();
    let cp_rows = in_cp.len().div_ceil(2).max(1) as f64;
    html! {
        <figure class="diagram">
            <svg viewBox="0 0 760 420" role="img" aria-label="Cluster diagram">
                <g class="learner">{ node_box(&Addr::Learner) }</g>
                <g class="node control-plane">
                    <rect x="290" y="70" width="420" height={(60.0 + 110.0 * cp_rows).to_string()} rx="16" />
                    <text x="306" y="98" class="node-name">{"control-plane"}</text>
                    <text x="694" y="98" class="node-kind">{"node"}</text>
                    { for in_cp.iter().map(|a| node_box(a)) }
                </g>
                { for edge }
            </svg>
            <figcaption>
                { caption(&in_cp) }
            </figcaption>
        </figure>
    }
}
