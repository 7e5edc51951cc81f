//! Where everything sits, in SVG user units: the admin at the left of the control-plane node;
//! below them the zones, side by side and wrapping into rows, each holding its worker nodes;
//! below those the pods no node has been chosen for. The layout is a pure function of the
//! nodes, components and pods, so the same cluster is always drawn the same way.
//!
//! Edges are orthogonal polylines through the gaps between boxes: the API server's line to
//! the workers runs down the empty column under it (where its handler chain opens) to a rail
//! above the zones, and from the rail down into each kubelet and kube-proxy.

use std::collections::BTreeMap;

use serde_json::Value;

use super::pods::{self, PodView};
use super::{BoxId, BoxView, Diagram, Edge, NodeView, ZoneView};
use crate::apiserver::server::KubeApiServer;
use crate::cluster::{CONTROL_PLANE_ROLE, ZONE_LABEL};
use crate::sim::{Addr, Sim};

#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Point {
    pub x: f64,
    pub y: f64,
}

const fn pt(x: f64, y: f64) -> Point {
    Point { x, y }
}

#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Rect {
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
}

impl Rect {
    pub const fn new(x: f64, y: f64, w: f64, h: f64) -> Rect {
        Rect { x, y, w, h }
    }
    pub fn right(&self) -> f64 {
        self.x + self.w
    }
    pub fn bottom(&self) -> f64 {
        self.y + self.h
    }
    pub fn cx(&self) -> f64 {
        self.x + self.w / 2.0
    }
    pub fn cy(&self) -> f64 {
        self.y + self.h / 2.0
    }
    pub fn contains(&self, o: &Rect) -> bool {
        o.x >= self.x && o.y >= self.y && o.right() <= self.right() && o.bottom() <= self.bottom()
    }
    pub fn overlaps(&self, o: &Rect) -> bool {
        self.x < o.right() && o.x < self.right() && self.y < o.bottom() && o.y < self.bottom()
    }
}

/// The canvas is at least this wide (the control-plane node's two columns need it).
pub const MIN_WIDTH: f64 = 860.0;
const MARGIN: f64 = 16.0;
const ADMIN: Rect = Rect::new(MARGIN, CP_Y + ROW1, 150.0, BOX_H);
const CP_X: f64 = 190.0;
const CP_Y: f64 = 20.0;
/// Offsets inside the control-plane node: its title row with the small chips, row 1
/// (API server, etcd), row 2 (scheduler, controller manager).
const CHIP_Y: f64 = 8.0;
const CHIP_H: f64 = 22.0;
const ROW1: f64 = 44.0;
const ROW2: f64 = ROW1 + BOX_H + 14.0;
const CP_H: f64 = ROW2 + BOX_H + 14.0;
const BOX_H: f64 = 60.0;
const API_W: f64 = 190.0;
const ETCD_W: f64 = 130.0;
const SCHED_W: f64 = 170.0;
const CM_W: f64 = 198.0;

/// A worker node and what it holds.
pub const NODE_W: f64 = 250.0;
const NODE_PAD: f64 = 12.0;
const NODE_TITLE: f64 = 30.0;
const AGENT_W: f64 = 110.0;
const AGENT_H: f64 = 46.0;
const RUNTIME_H: f64 = 30.0;
const PODS_Y: f64 = NODE_TITLE + AGENT_H + 8.0 + RUNTIME_H + 10.0;
pub const POD_W: f64 = NODE_W - 2.0 * NODE_PAD;
pub const POD_H: f64 = 34.0;
const POD_GAP: f64 = 6.0;
/// Pods drawn per node; the rest are counted (`+N more`). Issue 9 aggregates large clusters.
pub const MAX_PODS_PER_NODE: usize = 6;
const MAX_PENDING: usize = 12;

const ZONE_PAD: f64 = 10.0;
const ZONE_TITLE: f64 = 26.0;
const NODE_GAP: f64 = 12.0;
const ZONE_GAP: f64 = 16.0;
/// Zones wrap into a new row past this width.
const MAX_ROW: f64 = 1100.0;
const PENDING_TITLE: f64 = 28.0;

/// The nodes the cluster has: registered (kube-apiserver's node cache), running a kubelet, or
/// named by a pod; with their zone and whether they are the control plane.
fn nodes(sim: &Sim, pods: &[PodView]) -> BTreeMap<String, (Option<String>, bool)> {
    let mut nodes: BTreeMap<String, (Option<String>, bool)> = BTreeMap::new();
    if let Some(cache) = sim
        .actor::<KubeApiServer>(&Addr::ApiServer)
        .and_then(|api| api.caches().get("/registry/minions/"))
    {
        for n in cache.objects.values() {
            let Some(name) = n.pointer("/metadata/name").and_then(Value::as_str) else {
                continue;
            };
            let labels = n.pointer("/metadata/labels");
            let zone = labels
                .and_then(|l| l.get(ZONE_LABEL))
                .and_then(Value::as_str)
                .map(str::to_string);
            let cp = labels.is_some_and(|l| l.get(CONTROL_PLANE_ROLE).is_some());
            nodes.insert(name.to_string(), (zone, cp));
        }
    }
    for a in sim.addrs() {
        if let Addr::Kubelet(n) = a {
            nodes.entry(n.clone()).or_insert((None, false));
        }
    }
    for p in pods {
        if let Some(n) = &p.node {
            nodes.entry(n.clone()).or_insert((None, false));
        }
    }
    // The one control-plane node is the labelled one, or kubeadm's by name before it has
    // registered.
    let cp = nodes
        .iter()
        .find(|(_, (_, cp))| *cp)
        .map(|(n, _)| n.clone())
        .unwrap_or_else(|| crate::apiserver::kubeadm::CONTROL_PLANE_NODE.to_string());
    for (name, (_, is_cp)) in nodes.iter_mut() {
        *is_cp = *name == cp;
    }
    nodes
}

fn component(sim: &Sim, id: BoxId, title: &str, role: &str, rect: Rect, small: bool) -> BoxView {
    let stopped = id.addr().is_some_and(|a| sim.is_stopped(&a));
    BoxView {
        id,
        title: title.to_string(),
        role: role.to_string(),
        rect,
        small,
        stopped,
    }
}

/// An orthogonal polyline, dropping points that repeat.
fn poly(points: &[Point]) -> Vec<Point> {
    let mut out: Vec<Point> = Vec::with_capacity(points.len());
    for p in points {
        if out.last() != Some(p) {
            out.push(*p);
        }
    }
    out
}

/// Lays the diagram out for `sim`'s cluster as the API server holds it now.
pub fn layout(sim: &Sim) -> Diagram {
    let all_pods = pods::from_api_server(sim);
    let nodes = nodes(sim, &all_pods);
    let cp_name = nodes
        .iter()
        .find(|(_, (_, cp))| *cp)
        .map(|(n, _)| n.clone())
        .unwrap_or_default();

    // Workers grouped by zone (zones in name order, the unlabelled ones last), nodes by name.
    let mut zones: BTreeMap<(bool, String), Vec<String>> = BTreeMap::new();
    for (name, (zone, cp)) in &nodes {
        if !cp {
            zones
                .entry((zone.is_none(), zone.clone().unwrap_or_default()))
                .or_default()
                .push(name.clone());
        }
    }
    let mut by_node: BTreeMap<&str, Vec<&PodView>> = BTreeMap::new();
    let mut unassigned: Vec<&PodView> = Vec::new();
    for p in &all_pods {
        match &p.node {
            Some(n) => by_node.entry(n.as_str()).or_default().push(p),
            None => unassigned.push(p),
        }
    }

    // Zones into rows: each zone as wide as its nodes (up to four across, then wrapping
    // inside the zone), rows no wider than MAX_ROW.
    let per_zone_cols =
        ((MAX_ROW - 2.0 * ZONE_PAD + NODE_GAP) / (NODE_W + NODE_GAP)).floor() as usize;
    let node_h = |name: &str| -> f64 {
        let n = by_node
            .get(name)
            .map_or(0, Vec::len)
            .clamp(1, MAX_PODS_PER_NODE);
        PODS_Y + n as f64 * (POD_H + POD_GAP) + NODE_PAD - POD_GAP
    };
    struct ZonePlan {
        name: Option<String>,
        nodes: Vec<String>,
        cols: usize,
        w: f64,
    }
    let plans: Vec<ZonePlan> = zones
        .into_iter()
        .map(|((none, zone), nodes)| {
            let cols = nodes.len().clamp(1, per_zone_cols.max(1));
            ZonePlan {
                name: (!none).then_some(zone),
                cols,
                w: 2.0 * ZONE_PAD + cols as f64 * NODE_W + (cols as f64 - 1.0) * NODE_GAP,
                nodes,
            }
        })
        .collect();
    let mut rows: Vec<Vec<&ZonePlan>> = Vec::new();
    let mut row_w = 0.0;
    for z in &plans {
        let add = if rows.last().is_some_and(|r| !r.is_empty()) {
            ZONE_GAP + z.w
        } else {
            z.w
        };
        if rows.is_empty() || row_w + add > MAX_ROW {
            rows.push(vec![z]);
            row_w = z.w;
        } else {
            rows.last_mut().expect("a row").push(z);
            row_w += add;
        }
    }
    let widest = rows
        .iter()
        .map(|r| r.iter().map(|z| z.w).sum::<f64>() + ZONE_GAP * (r.len().max(1) - 1) as f64)
        .fold(0.0, f64::max);
    let width = MIN_WIDTH.max(widest + 2.0 * MARGIN);

    // The control-plane node and the admin.
    let cp = Rect::new(CP_X, CP_Y, width - CP_X - MARGIN, CP_H);
    let api = Rect::new(CP_X + 24.0, CP_Y + ROW1, API_W, BOX_H);
    let etcd = Rect::new(api.right() + 48.0, CP_Y + ROW1, ETCD_W, BOX_H);
    let sched = Rect::new(etcd.x, CP_Y + ROW2, SCHED_W, BOX_H);
    let cm = Rect::new(sched.right() + 14.0, CP_Y + ROW2, CM_W, BOX_H);
    let etcdctl = Rect::new(etcd.x, CP_Y + CHIP_Y, ETCD_W, CHIP_H);
    let cp_kubelet = Rect::new(etcdctl.right() + 8.0, CP_Y + CHIP_Y, 96.0, CHIP_H);
    let cp_proxy = Rect::new(cp_kubelet.right() + 8.0, CP_Y + CHIP_Y, 104.0, CHIP_H);
    let mut boxes = vec![
        component(
            sim,
            BoxId::Admin,
            "admin · kubectl",
            "you, at the console",
            ADMIN,
            false,
        ),
        component(
            sim,
            BoxId::ApiServer,
            "kube-apiserver",
            "the cluster's API",
            api,
            false,
        ),
        component(sim, BoxId::Etcd, "etcd", "key-value store", etcd, false),
        component(
            sim,
            BoxId::Scheduler,
            "kube-scheduler",
            "picks nodes for pods",
            sched,
            false,
        ),
        component(
            sim,
            BoxId::ControllerManager,
            "kube-controller-manager",
            "runs the controllers",
            cm,
            false,
        ),
        component(sim, BoxId::Etcdctl, "etcdctl", "etcd's CLI", etcdctl, true),
    ];
    let mut node_views = vec![NodeView {
        name: cp_name.clone(),
        zone: nodes.get(&cp_name).and_then(|(z, _)| z.clone()),
        control_plane: true,
        rect: cp,
        hidden_pods: 0,
    }];
    let mut edges = vec![
        Edge {
            a: BoxId::Admin,
            b: BoxId::ApiServer,
            points: vec![pt(ADMIN.right(), api.cy()), pt(api.x, api.cy())],
        },
        Edge {
            a: BoxId::ApiServer,
            b: BoxId::Etcd,
            points: vec![pt(api.right(), etcd.cy()), pt(etcd.x, etcd.cy())],
        },
        Edge {
            a: BoxId::Etcdctl,
            b: BoxId::Etcd,
            points: vec![pt(etcdctl.cx(), etcdctl.bottom()), pt(etcdctl.cx(), etcd.y)],
        },
        // The admin runs etcdctl on the control-plane node: over the top.
        Edge {
            a: BoxId::Admin,
            b: BoxId::Etcdctl,
            points: poly(&[
                pt(ADMIN.cx(), ADMIN.y),
                pt(ADMIN.cx(), CP_Y - 11.0),
                pt(etcdctl.cx() - 30.0, CP_Y - 11.0),
                pt(etcdctl.cx() - 30.0, etcdctl.y),
            ]),
        },
    ];
    // The API server to the scheduler and the controller manager: along the rail between
    // rows 1 and 2.
    let rail12 = api.bottom() + 7.0;
    let api_right_port = api.x + api.w * 0.8;
    for (id, r) in [(BoxId::Scheduler, sched), (BoxId::ControllerManager, cm)] {
        edges.push(Edge {
            a: BoxId::ApiServer,
            b: id,
            points: poly(&[
                pt(api_right_port, api.bottom()),
                pt(api_right_port, rail12),
                pt(r.cx(), rail12),
                pt(r.cx(), r.y),
            ]),
        });
    }
    if !cp_name.is_empty() {
        boxes.push(component(
            sim,
            BoxId::Kubelet(cp_name.clone()),
            "kubelet",
            "this node's agent",
            cp_kubelet,
            true,
        ));
        boxes.push(component(
            sim,
            BoxId::KubeProxy(cp_name.clone()),
            "kube-proxy",
            "Service rules",
            cp_proxy,
            true,
        ));
        // Up from the API server to the rail under the title row, then into each chip.
        let rail0 = CP_Y + CHIP_Y + CHIP_H + 7.0;
        for (id, r) in [
            (BoxId::Kubelet(cp_name.clone()), cp_kubelet),
            (BoxId::KubeProxy(cp_name.clone()), cp_proxy),
        ] {
            edges.push(Edge {
                a: BoxId::ApiServer,
                b: id,
                points: poly(&[
                    pt(api_right_port, api.y),
                    pt(api_right_port, rail0),
                    pt(r.cx(), rail0),
                    pt(r.cx(), r.bottom()),
                ]),
            });
        }
    }

    // The workers, zone by zone.
    let api_down = api.x + api.w * 0.3;
    let worker_rail = cp.bottom() + 14.0;
    let mut y = cp.bottom() + 32.0;
    let mut zone_views = Vec::new();
    let mut placed_pods = Vec::new();
    for row in &rows {
        // Each row of zones centred under the control plane.
        let row_w = row.iter().map(|z| z.w).sum::<f64>() + ZONE_GAP * (row.len() - 1) as f64;
        let mut x = MARGIN + ((width - 2.0 * MARGIN - row_w) / 2.0).max(0.0).floor();
        let mut row_h: f64 = 0.0;
        for z in row {
            // Node rows inside the zone; every node of a row as tall as the tallest.
            let mut inner_y = y + ZONE_TITLE;
            for chunk in z.nodes.chunks(z.cols) {
                let h = chunk.iter().map(|n| node_h(n)).fold(0.0, f64::max);
                for (i, name) in chunk.iter().enumerate() {
                    let nx = x + ZONE_PAD + i as f64 * (NODE_W + NODE_GAP);
                    let rect = Rect::new(nx, inner_y, NODE_W, h);
                    let kubelet = Rect::new(nx + NODE_PAD, inner_y + NODE_TITLE, AGENT_W, AGENT_H);
                    let proxy = Rect::new(
                        rect.right() - NODE_PAD - AGENT_W,
                        inner_y + NODE_TITLE,
                        AGENT_W,
                        AGENT_H,
                    );
                    let runtime = Rect::new(kubelet.x, kubelet.bottom() + 8.0, AGENT_W, RUNTIME_H);
                    boxes.push(component(
                        sim,
                        BoxId::Kubelet(name.clone()),
                        "kubelet",
                        "runs the pods",
                        kubelet,
                        false,
                    ));
                    boxes.push(component(
                        sim,
                        BoxId::KubeProxy(name.clone()),
                        "kube-proxy",
                        "Service rules",
                        proxy,
                        false,
                    ));
                    boxes.push(component(
                        sim,
                        BoxId::Runtime(name.clone()),
                        "containerd",
                        "runtime",
                        runtime,
                        false,
                    ));
                    for (id, r) in [
                        (BoxId::Kubelet(name.clone()), kubelet),
                        (BoxId::KubeProxy(name.clone()), proxy),
                    ] {
                        edges.push(Edge {
                            a: BoxId::ApiServer,
                            b: id,
                            points: poly(&[
                                pt(api_down, api.bottom()),
                                pt(api_down, worker_rail),
                                pt(r.cx(), worker_rail),
                                pt(r.cx(), r.y),
                            ]),
                        });
                    }
                    edges.push(Edge {
                        a: BoxId::Kubelet(name.clone()),
                        b: BoxId::Runtime(name.clone()),
                        points: vec![
                            pt(kubelet.cx(), kubelet.bottom()),
                            pt(kubelet.cx(), runtime.y),
                        ],
                    });
                    let on_node = by_node
                        .get(name.as_str())
                        .map(Vec::as_slice)
                        .unwrap_or_default();
                    for (k, p) in on_node.iter().take(MAX_PODS_PER_NODE).enumerate() {
                        let mut p = (*p).clone();
                        p.rect = Rect::new(
                            nx + NODE_PAD,
                            inner_y + PODS_Y + k as f64 * (POD_H + POD_GAP),
                            POD_W,
                            POD_H,
                        );
                        placed_pods.push(p);
                    }
                    node_views.push(NodeView {
                        name: name.clone(),
                        zone: z.name.clone(),
                        control_plane: false,
                        rect,
                        hidden_pods: on_node.len().saturating_sub(MAX_PODS_PER_NODE),
                    });
                }
                inner_y += h + NODE_GAP;
            }
            let zone_rect = Rect::new(x, y, z.w, inner_y - NODE_GAP + ZONE_PAD - y);
            row_h = row_h.max(zone_rect.h);
            zone_views.push(ZoneView {
                name: z.name.clone(),
                rect: zone_rect,
            });
            x += z.w + ZONE_GAP;
        }
        y += row_h + ZONE_GAP;
    }
    if rows.is_empty() {
        y += ZONE_GAP;
    }

    // The pods no node has been chosen for, in a frame of their own (always drawn, so the
    // diagram does not jump when the first one appears).
    let cols = ((width - 2.0 * MARGIN - 2.0 * NODE_PAD + 8.0) / (POD_W + 8.0))
        .floor()
        .max(1.0) as usize;
    let shown = unassigned.len().min(MAX_PENDING);
    let pending_rows = shown.div_ceil(cols).max(1);
    let pending_area = Rect::new(
        MARGIN,
        y,
        width - 2.0 * MARGIN,
        PENDING_TITLE + pending_rows as f64 * (POD_H + POD_GAP) + NODE_PAD - POD_GAP,
    );
    let pending: Vec<PodView> = unassigned
        .iter()
        .take(MAX_PENDING)
        .enumerate()
        .map(|(i, p)| {
            let mut p = (*p).clone();
            p.rect = Rect::new(
                pending_area.x + NODE_PAD + (i % cols) as f64 * (POD_W + 8.0),
                pending_area.y + PENDING_TITLE + (i / cols) as f64 * (POD_H + POD_GAP),
                POD_W,
                POD_H,
            );
            p
        })
        .collect();
    Diagram {
        width,
        height: pending_area.bottom() + MARGIN,
        boxes,
        nodes: node_views,
        zones: zone_views,
        pods: placed_pods,
        pending_area,
        pending_hidden: unassigned.len() - shown,
        pending,
        edges,
    }
}
