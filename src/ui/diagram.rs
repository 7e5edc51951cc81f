//! The cluster diagram: draws `flow::layout::Scene` at the cursor as SVG, with HTML overlays
//! for the API server's handler chain and the scheduler's verdicts. The message at the cursor
//! travels as a packet along its edge (a CSS animation keyed by the message's seq, so every
//! step restarts it), the receiver pulses on arrival, and a watch event sends a packet to
//! every watcher. With `prefers-reduced-motion: reduce` nothing moves: packets sit at their
//! receivers.

use yew::prelude::*;

use super::state::SimRef;
use crate::flow::layout::chain::label as stage_label;
use crate::flow::layout::{
    Animation, BoxId, BoxView, CopyState, Diagram as Layout, HandlerChain, NodeView, PodView,
    Point, Rect, Scene, StageState, Verdicts,
};

#[derive(Properties, PartialEq)]
pub struct Props {
    pub sim: SimRef,
}

/// How long a packet travels, and how long the receiver's pulse lasts after it arrives.
const TRAVEL_MS: u32 = 480;
const PULSE_MS: u32 = 420;

fn n(v: f64) -> String {
    format!("{v:.1}")
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(max - 1).collect::<String>())
    }
}

fn points_attr(points: &[Point]) -> String {
    points
        .iter()
        .map(|p| format!("{},{}", n(p.x), n(p.y)))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Keyframes moving a packet along `points` at constant speed.
fn keyframes(name: &str, points: &[Point]) -> String {
    let lengths: Vec<f64> = points
        .windows(2)
        .map(|w| (w[1].x - w[0].x).abs() + (w[1].y - w[0].y).abs())
        .collect();
    let total: f64 = lengths.iter().sum::<f64>().max(1.0);
    let mut css = format!("@keyframes {name}{{");
    let mut done = 0.0;
    for (i, p) in points.iter().enumerate() {
        if i > 0 {
            done += lengths[i - 1];
        }
        css.push_str(&format!(
            "{:.2}%{{transform:translate({}px,{}px)}}",
            done / total * 100.0,
            n(p.x),
            n(p.y)
        ));
    }
    css.push('}');
    css
}

fn component_box(b: &BoxView, active: bool) -> Html {
    let r = b.rect;
    let class = classes!(
        "component",
        b.small.then_some("small"),
        b.stopped.then_some("stopped"),
        active.then_some("active"),
        matches!(b.id, BoxId::Admin).then_some("admin"),
        matches!(b.id, BoxId::Runtime(_)).then_some("runtime"),
    );
    let label = if b.stopped {
        format!("{}, stopped", b.id.component())
    } else {
        b.id.component()
    };
    let cx = n(r.w / 2.0);
    html! {
        <g class={class} data-component={b.id.component()} aria-label={label}
           transform={format!("translate({} {})", n(r.x), n(r.y))}>
            <rect width={n(r.w)} height={n(r.h)} rx={if b.small { "6" } else { "10" }} />
            if b.small {
                <text x={cx} y={n(r.h / 2.0 + 4.0)} class="name">{ &b.title }</text>
            } else if r.h < 40.0 {
                <text x={cx} y={n(r.h / 2.0 + 4.5)} class="name">{ &b.title }</text>
            } else {
                <>
                    <text x={cx.clone()} y={n(r.h / 2.0 - 2.0)} class="name">{ &b.title }</text>
                    <text x={cx} y={n(r.h / 2.0 + 14.0)} class="role">
                        { if b.stopped { "stopped".to_string() } else { b.role.clone() } }
                    </text>
                </>
            }
        </g>
    }
}

fn node_frame(node: &NodeView, chosen: bool) -> Html {
    let r = node.rect;
    let kind = if node.control_plane {
        "control-plane node"
    } else {
        "worker node"
    };
    html! {
        <g class={classes!("node", if node.control_plane { "control-plane" } else { "worker" }, chosen.then_some("chosen"))}
           data-node={node.name.clone()}>
            <rect x={n(r.x)} y={n(r.y)} width={n(r.w)} height={n(r.h)} rx="14" />
            <text x={n(r.x + 12.0)} y={n(r.y + 20.0)} class="node-name">
                { &node.name }{ if chosen { " ★ chosen" } else { "" } }
            </text>
            if !node.control_plane {
                <text x={n(r.right() - 12.0)} y={n(r.y + 20.0)} class="node-kind">{ kind }</text>
            }
            if node.hidden_pods > 0 {
                <text x={n(r.right() - 12.0)} y={n(r.bottom() - 6.0)} class="node-kind">
                    { format!("+{} more pods", node.hidden_pods) }
                </text>
            }
        </g>
    }
}

fn pod_chip(p: &PodView) -> Html {
    let r = p.rect;
    html! {
        <g class={classes!("pod", format!("tone-{}", p.tone.class()))}
           data-testid={format!("pod-{}", p.name)} data-phase={p.phase.clone()}
           data-status={p.status.clone()} aria-label={format!("pod {}: {}", p.label(), p.status)}
           transform={format!("translate({} {})", n(r.x), n(r.y))}>
            <rect width={n(r.w)} height={n(r.h)} rx="8" />
            <text x="10" y="14" class="pod-name">
                <tspan class="pod-glyph">{ p.tone.glyph() }</tspan>{" "}{ truncate(&p.label(), 28) }
            </text>
            <text x="24" y="28" class="pod-status">{ &p.status }</text>
        </g>
    }
}

/// The packets of the message at the cursor: one, or one per watcher of a watch event.
fn packets(a: &Animation, css: &mut String) -> Html {
    // (name, path, is the cursor's own copy, delivered before the cursor)
    let mut copies: Vec<(String, &Vec<Point>, bool, bool)> = Vec::new();
    if a.fan_out.is_empty() {
        if let Some(path) = &a.path {
            copies.push((format!("pkt-{}", a.seq), path, true, false));
        }
    } else {
        for c in &a.fan_out {
            if let Some(path) = &c.path {
                copies.push((
                    format!("pkt-{}-{}", a.seq, c.seq),
                    path,
                    c.state == CopyState::Current,
                    c.state == CopyState::Delivered,
                ));
            }
        }
    }
    let watchers = a.fan_out.len();
    html! { <>{
        for copies.into_iter().map(|(name, path, current, delivered)| {
            css.push_str(&keyframes(&name, path));
            let end = path.last().copied().unwrap_or_default();
            let style = format!(
                "--packet:{name};animation-duration:{TRAVEL_MS}ms;transform:translate({}px,{}px)",
                n(end.x),
                n(end.y)
            );
            let label = if watchers > 1 {
                format!("{} to {} watchers: {}", a.kind.words(), watchers, a.label)
            } else {
                format!("{}: {}", a.kind.words(), a.label)
            };
            html! {
                <g key={name.clone()} class={classes!("packet", format!("kind-{}", a.kind.class()),
                        (!current).then_some("copy"), delivered.then_some("delivered"))}
                   data-testid={current.then_some("diagram-packet")}
                   data-kind={a.kind.class()} data-seq={a.seq.to_string()}
                   aria-label={current.then_some(label)} style={style}>
                    <circle r={if current { "7" } else { "5.5" }} />
                </g>
            }
        })
    }</> }
}

/// The receiver's pulse: a ring over the box, re-created on every step.
fn pulse(a: &Animation, d: &Layout) -> Html {
    let mut targets: Vec<BoxId> = vec![a.to.clone()];
    for c in &a.fan_out {
        let id = BoxId::of(&c.to);
        if !targets.contains(&id) {
            targets.push(id);
        }
    }
    let delay = if a.path.is_some() { TRAVEL_MS } else { 0 };
    html! { <>{
        for targets.into_iter().filter_map(|id| d.box_of(&id)).map(|b| {
            let r = b.rect;
            html! {
                <rect key={format!("pulse-{}-{}", a.seq, b.id.component())} class="pulse"
                    x={n(r.x - 3.0)} y={n(r.y - 3.0)} width={n(r.w + 6.0)} height={n(r.h + 6.0)} rx="12"
                    style={format!("animation-delay:{delay}ms;animation-duration:{PULSE_MS}ms")} />
            }
        })
    }</> }
}

fn at(r: &Rect, d: &Layout) -> String {
    format!(
        "left:{:.3}%;top:{:.3}%",
        r.x / d.width * 100.0,
        r.y / d.height * 100.0
    )
}

fn chain_overlay(chain: &HandlerChain, d: &Layout) -> Html {
    let Some(api) = d.box_of(&BoxId::ApiServer) else {
        return html! {};
    };
    let anchor = Rect::new(api.rect.x - 6.0, api.rect.bottom() + 6.0, 0.0, 0.0);
    html! {
        <div class={classes!("overlay", "handler-chain", chain.refused.is_some().then_some("is-refused"))}
             data-testid="handler-chain" role="group" aria-label="kube-apiserver's handler chain"
             style={at(&anchor, d)}>
            <div class="overlay-title">
                {"kube-apiserver · handler chain"}
                if let Some(step) = chain.step {
                    <span class="step-badge">{ format!("step {step}") }</span>
                }
            </div>
            <ol>
                { for chain.stages.iter().map(|s| {
                    let icon = match s.state {
                        StageState::Passed => "✓",
                        StageState::Current => "▶",
                        StageState::Refused => "✕",
                        StageState::Ahead => "○",
                    };
                    let lit = matches!(s.state, StageState::Current | StageState::Refused);
                    html! {
                        <li class={classes!("hc-stage", s.state.class())}
                            data-testid={format!("handler-stage-{}", s.stage.name())}
                            data-state={s.state.class()}
                            aria-current={lit.then_some("step")}>
                            <span class="hc-icon" aria-hidden="true">{ icon }</span>
                            <span class="hc-name">{ stage_label(s.stage) }</span>
                            if s.state == StageState::Refused {
                                <span class="hc-tag">{"refused"}</span>
                            }
                            if let Some(o) = &s.outcome {
                                <p class="hc-outcome">{ truncate(o, 900) }</p>
                            }
                        </li>
                    }
                }) }
            </ol>
        </div>
    }
}

fn verdicts_overlay(v: &Verdicts, d: &Layout) -> Html {
    let Some(sched) = d.box_of(&BoxId::Scheduler) else {
        return html! {};
    };
    let top = (sched.rect.bottom() + 8.0) / d.height * 100.0;
    html! {
        <div class="overlay verdicts" data-testid="scheduler-verdicts" role="group"
             aria-label="kube-scheduler's decision" style={format!("top:{top:.3}%")}>
            <div class="overlay-title">
                {"kube-scheduler · "}<code>{ &v.pod }</code>
                <span class="step-badge">{"step 6"}</span>
            </div>
            <table>
                <thead>
                    <tr>
                        <th scope="col">{"plugin"}</th>
                        { for v.nodes.iter().map(|nv| html! {
                            <th scope="col" class={classes!(nv.winner.then_some("winner"))}
                                data-node={nv.node.clone()} data-winner={nv.winner.to_string()}>
                                { &nv.node }
                                if nv.winner { <span class="win">{" ★ chosen"}</span> }
                            </th>
                        }) }
                    </tr>
                </thead>
                <tbody>
                    <tr class="section"><th colspan={(v.nodes.len() + 1).to_string()}>{"Filter: can the pod run here?"}</th></tr>
                    { for v.filters.iter().enumerate().map(|(i, f)| html! {
                        <tr>
                            <th scope="row">{ f }</th>
                            { for v.nodes.iter().map(|nv| {
                                let fv = &nv.filters[i];
                                match fv.passed {
                                    Some(true) => html! { <td class="pass">{"✓ pass"}</td> },
                                    Some(false) => html! {
                                        <td class="fail">{"✕ "}{ fv.reason.clone().unwrap_or_default() }</td>
                                    },
                                    None => html! { <td class="notrun">{"– not run"}</td> },
                                }
                            }) }
                        </tr>
                    }) }
                    if !v.score_plugins.is_empty() {
                        <tr class="section"><th colspan={(v.nodes.len() + 1).to_string()}>{"Score: how well does it fit? (score × weight)"}</th></tr>
                        { for v.score_plugins.iter().enumerate().map(|(i, (p, w))| html! {
                            <tr>
                                <th scope="row">{ format!("{p} ×{w}") }</th>
                                { for v.nodes.iter().map(|nv| match &nv.scores {
                                    Some(s) => html! { <td class="score">{ s[i] }</td> },
                                    None => html! { <td class="notrun">{"–"}</td> },
                                }) }
                            </tr>
                        }) }
                        <tr class="total">
                            <th scope="row">{"total"}</th>
                            { for v.nodes.iter().map(|nv| html! {
                                <td class={classes!("score", nv.winner.then_some("winner"))}>
                                    { nv.total.map_or("not scored".to_string(), |t| t.to_string()) }
                                </td>
                            }) }
                        </tr>
                    }
                </tbody>
            </table>
            if let Some(note) = &v.note { <p class="note">{ note }</p> }
            if let Some(m) = &v.message { <p class="note error">{ m }</p> }
            if !v.skipped.is_empty() {
                <p class="note">{ format!("Skipped, nothing to check for this pod: {}.", v.skipped.join(", ")) }</p>
            }
        </div>
    }
}

fn legend() -> Html {
    use crate::flow::layout::PodTone::*;
    html! {
        <figcaption class="legend">
            <span class="legend-group" aria-label="pod states">
                { for [(Waiting, "waiting"), (Running, "running"), (Succeeded, "completed"), (Problem, "problem"), (Terminating, "terminating")]
                    .into_iter().map(|(t, w)| html! {
                        <span class={classes!("legend-pod", format!("tone-{}", t.class()))}>
                            <span class="glyph" aria-hidden="true">{ t.glyph() }</span>{ w }
                        </span>
                    }) }
            </span>
            <span class="legend-group" aria-label="message kinds">
                { for ["request", "response", "watch", "etcd", "cri"].into_iter().map(|k| html! {
                    <span class={classes!("legend-packet", format!("kind-{k}"))}>
                        <span class="dot" aria-hidden="true"></span>
                        { match k { "watch" => "watch event", "cri" => "CRI call", "etcd" => "etcd call", o => o } }
                    </span>
                }) }
            </span>
        </figcaption>
    }
}

#[function_component(Diagram)]
pub fn diagram(props: &Props) -> Html {
    let scene = {
        let sim = props.sim.sim();
        Scene::at(&sim)
    };
    let d = &scene.diagram;
    let a = scene.animation.as_ref();
    let active = |id: &BoxId| a.is_some_and(|a| &a.from == id || &a.to == id);
    let chosen = scene.verdicts.as_ref().and_then(|v| v.selected.clone());
    let active_edge = a.and_then(|a| a.path.as_ref());
    let mut css = String::new();
    let packets = a.map(|a| packets(a, &mut css)).unwrap_or_default();
    let fanned: Vec<&Vec<Point>> = a
        .map(|a| a.fan_out.iter().filter_map(|c| c.path.as_ref()).collect())
        .unwrap_or_default();
    html! {
        <figure class="diagram">
            <div class="diagram-canvas">
                <style>{ css }</style>
                <svg viewBox={format!("0 0 {} {}", n(d.width), n(d.height))} role="img"
                     aria-label="Cluster diagram">
                    { for d.zones.iter().map(|z| html! {
                        <g class="zone">
                            <rect x={n(z.rect.x)} y={n(z.rect.y)} width={n(z.rect.w)} height={n(z.rect.h)} rx="16" />
                            <text x={n(z.rect.x + 12.0)} y={n(z.rect.y + 17.0)} class="zone-name">
                                { z.name.as_ref().map_or("no zone".to_string(), |z| format!("zone {z}")) }
                            </text>
                        </g>
                    }) }
                    { for d.nodes.iter().map(|nd| node_frame(nd, chosen.as_deref() == Some(nd.name.as_str()))) }
                    <g class="pending-area">
                        <rect x={n(d.pending_area.x)} y={n(d.pending_area.y)} width={n(d.pending_area.w)}
                              height={n(d.pending_area.h)} rx="14" />
                        <text x={n(d.pending_area.x + 12.0)} y={n(d.pending_area.y + 19.0)} class="node-name">
                            {"Pending, not scheduled"}
                            <tspan class="node-kind-inline">
                                { if d.pending.is_empty() { " · none".to_string() }
                                  else if d.pending_hidden > 0 { format!(" · +{} more", d.pending_hidden) }
                                  else { String::new() } }
                            </tspan>
                        </text>
                    </g>
                    <g class="edges">
                        { for d.edges.iter().map(|e| {
                            let on = active_edge.is_some_and(|p| p.first() == e.points.first() && p.last() == e.points.last()
                                || p.first() == e.points.last() && p.last() == e.points.first())
                                || fanned.iter().any(|p| p.last() == e.points.last() || p.first() == e.points.last());
                            html! { <polyline class={classes!("edge", on.then_some("on"))} points={points_attr(&e.points)} /> }
                        }) }
                    </g>
                    { for d.boxes.iter().map(|b| component_box(b, active(&b.id))) }
                    { for d.pods.iter().map(pod_chip) }
                    { for d.pending.iter().map(pod_chip) }
                    { a.map(|a| pulse(a, d)).unwrap_or_default() }
                    <g class="packets">{ packets }</g>
                </svg>
                if let Some(chain) = &scene.chain { { chain_overlay(chain, d) } }
            </div>
            // Under the drawing, not over it: the table is as wide as the nodes are many.
            if let Some(v) = &scene.verdicts { { verdicts_overlay(v, d) } }
            { legend() }
        </figure>
    }
}
