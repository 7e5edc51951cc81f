//! The flow view's cluster diagram, specified on real booted clusters: where the boxes, nodes,
//! zones and pods sit; what the message at the cursor animates (a request, a response, a watch
//! event fanned out to its watchers, an etcd transaction, a CRI call); the API server's
//! handler chain lit at the stage a request is in, and stopped red at the stage that refuses
//! one; the scheduler's verdicts at step 6. Every failure names its seed.

use kubestep::cluster::{ClusterConfig, NodeConfig};
use kubestep::console::{no_files, Session};
use kubestep::flow::layout::{
    BoxId, CopyState, Diagram, PacketKind, PodTone, Rect, Scene, StageState,
};
use kubestep::sim::{Addr, Message, Sim, SimConfig, SimDuration, Stage};

const SEED: u64 = 7;

/// A console on a freshly booted default cluster (a control plane, worker-1 in a-zone,
/// worker-2 in b-zone).
fn console(seed: u64) -> Session {
    Session::on(kubestep::cluster::booted(seed))
}

/// Types `line` and steps the kernel one message at a time until `stop` holds for the scene
/// at the cursor (or the bus empties), returning that scene.
fn step_until(
    s: &mut Session,
    seed: u64,
    what: &str,
    stop: impl Fn(&Sim, &Scene) -> bool,
) -> Scene {
    for _ in 0..20_000 {
        if s.sim_mut().step().is_none() {
            break;
        }
        let scene = Scene::at(s.sim());
        if stop(s.sim(), &scene) {
            return scene;
        }
    }
    panic!("seed {seed}: never reached {what}");
}

fn inside(outer: &Rect, inner: &Rect) -> bool {
    outer.contains(inner)
}

/// The layout's own invariants: every box, node, zone and pod on the canvas; component boxes
/// never overlap; a worker's boxes and pods inside its node, its node inside its zone; every
/// edge starts on one of its boxes and ends on the other.
fn assert_well_laid_out(d: &Diagram, seed: u64) {
    let canvas = Rect::new(0.0, 0.0, d.width, d.height);
    for b in &d.boxes {
        assert!(
            inside(&canvas, &b.rect),
            "seed {seed}: {:?} off the canvas",
            b.id
        );
        for o in &d.boxes {
            assert!(
                b.id == o.id || !b.rect.overlaps(&o.rect),
                "seed {seed}: {:?} overlaps {:?}",
                b.id,
                o.id
            );
        }
    }
    for n in &d.nodes {
        assert!(
            inside(&canvas, &n.rect),
            "seed {seed}: node {} off the canvas",
            n.name
        );
        if n.control_plane {
            continue;
        }
        for id in [
            BoxId::Kubelet(n.name.clone()),
            BoxId::KubeProxy(n.name.clone()),
            BoxId::Runtime(n.name.clone()),
        ] {
            let b = d
                .box_of(&id)
                .unwrap_or_else(|| panic!("seed {seed}: no {id:?}"));
            assert!(
                inside(&n.rect, &b.rect),
                "seed {seed}: {id:?} outside {}",
                n.name
            );
        }
        let zone = d
            .zones
            .iter()
            .find(|z| z.name == n.zone)
            .unwrap_or_else(|| panic!("seed {seed}: no zone frame for {}", n.name));
        assert!(
            inside(&zone.rect, &n.rect),
            "seed {seed}: {} outside its zone",
            n.name
        );
        for o in &d.nodes {
            assert!(
                o.name == n.name || !n.rect.overlaps(&o.rect),
                "seed {seed}: nodes {} and {} overlap",
                n.name,
                o.name
            );
        }
    }
    for p in &d.pods {
        let node = d
            .nodes
            .iter()
            .find(|n| Some(&n.name) == p.node.as_ref())
            .unwrap_or_else(|| panic!("seed {seed}: pod {} on no drawn node", p.name));
        assert!(
            inside(&node.rect, &p.rect),
            "seed {seed}: pod {} outside {}",
            p.name,
            node.name
        );
    }
    for p in &d.pending {
        assert!(
            inside(&d.pending_area, &p.rect),
            "seed {seed}: pending pod {}",
            p.name
        );
    }
    let on_edge = |r: &Rect, x: f64, y: f64| {
        let eps = 0.01;
        x >= r.x - eps && x <= r.right() + eps && y >= r.y - eps && y <= r.bottom() + eps
    };
    for e in &d.edges {
        let a = d
            .box_of(&e.a)
            .unwrap_or_else(|| panic!("seed {seed}: edge from {:?}", e.a));
        let b = d
            .box_of(&e.b)
            .unwrap_or_else(|| panic!("seed {seed}: edge to {:?}", e.b));
        let (first, last) = (e.points[0], e.points[e.points.len() - 1]);
        assert!(
            on_edge(&a.rect, first.x, first.y),
            "seed {seed}: edge {:?}->{:?} start",
            e.a,
            e.b
        );
        assert!(
            on_edge(&b.rect, last.x, last.y),
            "seed {seed}: edge {:?}->{:?} end",
            e.a,
            e.b
        );
        for w in e.points.windows(2) {
            assert!(
                w[0].x == w[1].x || w[0].y == w[1].y,
                "seed {seed}: edge {:?}->{:?} is not orthogonal",
                e.a,
                e.b
            );
        }
    }
}

#[test]
fn a_booted_cluster_draws_the_admin_the_control_plane_and_each_worker_in_its_zone() {
    let sim = kubestep::cluster::booted(SEED);
    let d = Scene::at(&sim).diagram;
    assert_well_laid_out(&d, SEED);
    for c in [
        "kubectl",
        "kube-apiserver",
        "etcd",
        "kube-scheduler",
        "kube-controller-manager",
        "etcdctl",
        "kubelet/control-plane",
        "kube-proxy/control-plane",
        "kubelet/worker-1",
        "kube-proxy/worker-1",
        "containerd/worker-1",
        "kubelet/worker-2",
        "containerd/worker-2",
    ] {
        assert!(
            d.boxes.iter().any(|b| b.id.component() == c),
            "seed {SEED}: {c} is drawn"
        );
    }
    let zones: Vec<Option<&str>> = d.zones.iter().map(|z| z.name.as_deref()).collect();
    assert_eq!(zones, [Some("a-zone"), Some("b-zone")], "seed {SEED}");
    let cp: Vec<&str> = d
        .nodes
        .iter()
        .filter(|n| n.control_plane)
        .map(|n| n.name.as_str())
        .collect();
    assert_eq!(cp, ["control-plane"], "seed {SEED}");
    // The control plane's static pods are its components, drawn as boxes, not as pods.
    assert!(
        d.pods.is_empty() && d.pending.is_empty(),
        "seed {SEED}: {:?}",
        d.pods
    );
    // Every edge the brief names: kubectl to the API server, the API server to etcd and to
    // each component.
    let edge = |a: BoxId, b: BoxId| d.path(&a, &b).is_some();
    assert!(edge(BoxId::Admin, BoxId::ApiServer));
    assert!(edge(BoxId::ApiServer, BoxId::Etcd));
    assert!(edge(BoxId::ApiServer, BoxId::Scheduler));
    assert!(edge(BoxId::ControllerManager, BoxId::ApiServer));
    assert!(edge(BoxId::ApiServer, BoxId::Kubelet("worker-2".into())));
    assert!(edge(
        BoxId::ApiServer,
        BoxId::KubeProxy("control-plane".into())
    ));
    assert!(edge(
        BoxId::Kubelet("worker-1".into()),
        BoxId::Runtime("worker-1".into())
    ));
    assert!(
        !edge(BoxId::Scheduler, BoxId::Etcd),
        "only the API server talks to etcd"
    );
}

/// A cluster of `workers` workers spread over `zones` zones (plus the control plane).
fn cluster_of(workers: usize, zones: usize, seed: u64) -> Sim {
    let mut config = ClusterConfig::default();
    let template: NodeConfig = config.nodes[1].clone();
    config.nodes.truncate(1);
    for i in 0..workers {
        config.nodes.push(NodeConfig {
            name: format!("worker-{}", i + 1),
            zone: Some(format!("{}-zone", (b'a' + (i % zones) as u8) as char)),
            internal_ip: format!("172.18.0.{}", i + 3),
            pod_cidr: format!("10.244.{}.0/24", i + 1),
            ..template.clone()
        });
    }
    let mut sim = Sim::empty(SimConfig::default(), seed);
    kubestep::cluster::bootstrap_with(&mut sim, &config);
    sim.run_until_idle();
    sim.advance(kubestep::cluster::START_UP);
    sim.run_until_idle();
    sim
}

#[test]
fn two_to_six_workers_fit_readably_and_more_still_lay_out() {
    for (workers, zones) in [(2, 2), (3, 2), (4, 2), (5, 3), (6, 3), (6, 2), (9, 3)] {
        let sim = cluster_of(workers, zones, SEED);
        let d = Scene::at(&sim).diagram;
        assert_well_laid_out(&d, SEED);
        let drawn = d.nodes.iter().filter(|n| !n.control_plane).count();
        assert_eq!(drawn, workers, "seed {SEED}: {workers} workers drawn");
        assert_eq!(d.zones.len(), zones, "seed {SEED}");
        if workers <= 6 {
            // Readable: no wider than two zones of three nodes side by side, so a 1366-px
            // screen's centre column scales it by no less than about a half.
            assert!(
                d.width <= 1132.0,
                "seed {SEED}: {workers} workers, {} wide",
                d.width
            );
            assert!(
                d.height <= 900.0,
                "seed {SEED}: {workers} workers, {} tall",
                d.height
            );
        }
    }
}

#[test]
fn an_nginx_deployment_puts_its_pods_on_workers_in_both_zones_and_they_run() {
    let mut s = console(SEED);
    s.type_line(
        "kubectl create deployment web --image=nginx --replicas=2",
        &no_files,
    );
    // Created and bound, but the image is still being pulled.
    let scene = step_until(&mut s, SEED, "both pods bound", |_, sc| {
        sc.diagram
            .pods
            .iter()
            .filter(|p| p.name.starts_with("web-"))
            .count()
            == 2
    });
    assert_well_laid_out(&scene.diagram, SEED);
    // Each kubelet reports the pod it has started on: ContainerCreating while the image is
    // pulled (step 10, stored at step 11).
    let scene = step_until(&mut s, SEED, "both pods creating", |_, sc| {
        sc.diagram
            .pods
            .iter()
            .filter(|p| p.name.starts_with("web-") && p.status == "ContainerCreating")
            .count()
            == 2
    });
    for p in scene
        .diagram
        .pods
        .iter()
        .filter(|p| p.name.starts_with("web-"))
    {
        assert_eq!(
            (p.phase.as_str(), p.tone),
            ("Pending", PodTone::Waiting),
            "seed {SEED}"
        );
    }
    s.finish();
    s.sim_mut().advance(SimDuration::from_secs(30));
    s.sim_mut().run_until_idle();
    let d = Scene::at(s.sim()).diagram;
    assert_well_laid_out(&d, SEED);
    let web: Vec<_> = d
        .pods
        .iter()
        .filter(|p| p.name.starts_with("web-"))
        .collect();
    assert_eq!(web.len(), 2, "seed {SEED}");
    let mut zones = Vec::new();
    for p in &web {
        assert_eq!(
            (p.phase.as_str(), p.status.as_str(), p.tone),
            ("Running", "Running", PodTone::Running),
            "seed {SEED}: {}",
            p.name
        );
        let node = d
            .nodes
            .iter()
            .find(|n| Some(&n.name) == p.node.as_ref())
            .unwrap();
        assert!(
            !node.control_plane,
            "seed {SEED}: {} on the control plane",
            p.name
        );
        zones.push(node.zone.clone());
    }
    zones.sort();
    assert_eq!(
        zones,
        [Some("a-zone".to_string()), Some("b-zone".to_string())],
        "seed {SEED}: one pod per zone"
    );
}

#[test]
fn an_unschedulable_pod_is_drawn_apart_as_pending() {
    let mut s = console(SEED);
    s.run_script(
        "kubectl run big --image=nginx --overrides='{\"spec\":{\"containers\":[{\"name\":\"big\",\"image\":\"nginx\",\"resources\":{\"requests\":{\"cpu\":\"64\"}}}]}}'",
        &no_files,
    );
    let d = Scene::at(s.sim()).diagram;
    assert_well_laid_out(&d, SEED);
    let big = d
        .pending
        .iter()
        .find(|p| p.name == "big")
        .unwrap_or_else(|| panic!("seed {SEED}: big pending: {:?}", d.pending));
    assert_eq!((big.node.as_deref(), big.tone), (None, PodTone::Waiting));
    assert!(d.pods.iter().all(|p| p.name != "big"), "seed {SEED}");
}

#[test]
fn packets_for_a_request_its_handler_chain_the_etcd_txn_and_the_response() {
    let mut s = console(SEED);
    s.type_line(
        "kubectl create deployment web --image=nginx --replicas=2",
        &no_files,
    );
    // Step 1: kubectl's POST travels from the admin's box to the API server.
    let scene = step_until(&mut s, SEED, "kubectl's POST", |sim, _| {
        let e = sim.last_delivered().unwrap();
        e.from == Addr::Kubectl && e.annotation.step == Some(1)
    });
    let a = scene.animation.expect("an animation");
    assert_eq!(
        (a.kind, &a.from, &a.to),
        (PacketKind::Request, &BoxId::Admin, &BoxId::ApiServer)
    );
    let path = a.path.expect("a path");
    let admin = scene.diagram.box_of(&BoxId::Admin).unwrap().rect;
    let api = scene.diagram.box_of(&BoxId::ApiServer).unwrap().rect;
    assert_eq!(
        path[0].x,
        admin.right(),
        "seed {SEED}: leaves the admin's box"
    );
    assert_eq!(
        path.last().unwrap().x,
        api.x,
        "seed {SEED}: arrives at the API server"
    );
    assert!(
        a.label
            .starts_with("POST /apis/apps/v1/namespaces/default/deployments"),
        "{}",
        a.label
    );
    assert!(a.fan_out.is_empty());
    assert!(
        scene.chain.is_none(),
        "seed {SEED}: not inside the chain yet"
    );

    // Inside the API server: each stage lights up in turn, no packet travels.
    for stage in [
        Stage::Authentication,
        Stage::Authorization,
        Stage::Decoding,
        Stage::MutatingAdmission,
        Stage::Validation,
        Stage::ValidatingAdmission,
    ] {
        let scene = step_until(&mut s, SEED, stage.name(), |sim, _| {
            matches!(&sim.last_delivered().unwrap().message,
                Message::ApiStage { stage: st, .. } if *st == stage)
        });
        let a = scene.animation.unwrap();
        assert_eq!(
            (a.kind, a.path),
            (PacketKind::Internal, None),
            "seed {SEED}"
        );
        let chain = scene.chain.expect("the chain is open");
        let lit: Vec<Stage> = chain
            .stages
            .iter()
            .filter(|s| s.state == StageState::Current)
            .map(|s| s.stage)
            .collect();
        assert_eq!(lit, [stage], "seed {SEED}");
        assert!(chain
            .stages
            .iter()
            .take_while(|s| s.stage < stage)
            .all(|s| s.state == StageState::Passed));
        assert!(chain.refused.is_none());
    }

    // Step 2: the etcd transaction, from the API server to etcd, with storage lit.
    let scene = step_until(&mut s, SEED, "the deployment's txn", |sim, _| {
        let e = sim.last_delivered().unwrap();
        e.to == Addr::Etcd && e.annotation.step == Some(2)
    });
    let a = scene.animation.unwrap();
    assert_eq!(
        (a.kind, &a.from, &a.to),
        (PacketKind::Etcd, &BoxId::ApiServer, &BoxId::Etcd)
    );
    let etcd = scene.diagram.box_of(&BoxId::Etcd).unwrap().rect;
    assert_eq!(a.path.unwrap().last().unwrap().x, etcd.x, "seed {SEED}");
    let chain = scene.chain.unwrap();
    assert!(chain
        .stages
        .iter()
        .any(|s| s.stage == Stage::Storage && s.state == StageState::Current));

    // The answer back to kubectl: 201, from the API server to the admin.
    let scene = step_until(&mut s, SEED, "the 201", |sim, _| {
        let e = sim.last_delivered().unwrap();
        e.to == Addr::Kubectl && matches!(e.message, Message::HttpResponse { .. })
    });
    let a = scene.animation.unwrap();
    assert_eq!(
        (a.kind, &a.from, &a.to),
        (PacketKind::Response, &BoxId::ApiServer, &BoxId::Admin)
    );
    assert!(
        a.label.starts_with("201 Created"),
        "seed {SEED}: {}",
        a.label
    );
    assert_eq!(a.path.unwrap().last().unwrap().x, admin.right());
    assert!(
        scene.chain.is_none(),
        "seed {SEED}: the request has left the API server"
    );
}

#[test]
fn a_watch_event_fans_out_to_every_watcher_of_the_object() {
    let mut s = console(SEED);
    s.type_line(
        "kubectl create deployment web --image=nginx --replicas=2",
        &no_files,
    );
    // Step 5: the new pod reaches the scheduler; the controller manager's informer gets the
    // same event.
    let scene = step_until(&mut s, SEED, "step 5", |sim, _| {
        sim.last_delivered().unwrap().annotation.step == Some(5)
    });
    let a = scene.animation.unwrap();
    assert_eq!(
        (a.kind, &a.to),
        (PacketKind::WatchEvent, &BoxId::Scheduler),
        "seed {SEED}"
    );
    let receivers: Vec<&Addr> = a.fan_out.iter().map(|c| &c.to).collect();
    assert!(
        receivers.contains(&&Addr::Scheduler),
        "seed {SEED}: {receivers:?}"
    );
    assert!(
        receivers.contains(&&Addr::ControllerManager),
        "seed {SEED}: {receivers:?}"
    );
    assert_eq!(
        a.fan_out
            .iter()
            .filter(|c| c.state == CopyState::Current)
            .count(),
        1,
        "seed {SEED}"
    );
    assert!(
        a.fan_out.iter().all(|c| c.path.is_some()),
        "seed {SEED}: every watcher has an edge"
    );
    assert!(
        a.fan_out.windows(2).all(|w| w[0].seq + 1 == w[1].seq),
        "seed {SEED}: consecutive"
    );
    let current = a
        .fan_out
        .iter()
        .find(|c| c.state == CopyState::Current)
        .unwrap();
    assert_eq!(current.seq, a.seq);
    // The copies not yet delivered are still on the bus; the ones before are in the trace.
    for c in &a.fan_out {
        let queued = s.sim().queued().iter().any(|q| q.seq == c.seq);
        assert_eq!(
            queued,
            c.state == CopyState::InFlight,
            "seed {SEED}: copy {}",
            c.seq
        );
    }

    // Later, once bound, the pod's kubelet is among the watchers (it sees it as ADDED while
    // the others see MODIFIED): step 9.
    let scene = step_until(&mut s, SEED, "step 9", |sim, _| {
        sim.last_delivered().unwrap().annotation.step == Some(9)
    });
    let a = scene.animation.unwrap();
    let receivers: Vec<BoxId> = a.fan_out.iter().map(|c| BoxId::of(&c.to)).collect();
    assert!(matches!(a.to, BoxId::Kubelet(_)), "seed {SEED}");
    assert!(
        receivers.contains(&a.to) && receivers.contains(&BoxId::Scheduler),
        "seed {SEED}: {receivers:?}"
    );
}

#[test]
fn step_six_shows_every_filter_verdict_and_score_per_node_and_the_winner() {
    let mut s = console(SEED);
    s.type_line("kubectl create deployment web --image=nginx", &no_files);
    let scene = step_until(&mut s, SEED, "step 6", |sim, _| {
        sim.last_delivered().unwrap().annotation.step == Some(6)
    });
    let a = scene.animation.unwrap();
    assert_eq!(
        (a.kind, &a.to, a.path),
        (PacketKind::Internal, &BoxId::Scheduler, None)
    );
    let v = scene.verdicts.expect("verdicts at step 6");
    let summary = &s.sim().trace().entries().last().unwrap().summary;
    let winner = v.selected.clone().expect("a node won");
    assert!(
        summary.ends_with(&format!("{winner} wins")),
        "seed {SEED}: {summary}"
    );
    let nodes: Vec<&str> = v.nodes.iter().map(|n| n.node.as_str()).collect();
    assert_eq!(
        nodes,
        ["control-plane", "worker-1", "worker-2"],
        "seed {SEED}"
    );
    let cp = &v.nodes[0];
    let taint = cp
        .filters
        .iter()
        .find(|f| f.plugin == "TaintToleration")
        .unwrap();
    assert_eq!(taint.passed, Some(false), "seed {SEED}");
    assert!(taint
        .reason
        .as_deref()
        .unwrap()
        .contains("node-role.kubernetes.io/control-plane"));
    assert!(!cp.feasible() && cp.total.is_none() && !cp.winner);
    for w in &v.nodes[1..] {
        assert!(w.feasible(), "seed {SEED}: {}", w.node);
        let scores = w.scores.as_ref().expect("scored");
        assert_eq!(scores.len(), v.score_plugins.len());
        assert_eq!(
            Some(scores.iter().sum::<i64>()),
            w.total,
            "seed {SEED}: {}",
            w.node
        );
        assert_eq!(w.winner, w.node == winner);
    }
    let best = v.nodes.iter().filter_map(|n| n.total).max();
    assert_eq!(
        v.nodes.iter().find(|n| n.winner).unwrap().total,
        best,
        "seed {SEED}"
    );
}

#[test]
fn cri_calls_go_from_the_kubelet_to_its_runtime_and_reports_come_back() {
    let mut s = console(SEED);
    s.type_line("kubectl create deployment web --image=nginx", &no_files);
    let scene = step_until(&mut s, SEED, "PullImage", |sim, _| {
        matches!(
            &sim.last_delivered().unwrap().message,
            Message::Cri {
                call: kubestep::kubelet::cri::CriCall::PullImage { .. },
                ..
            }
        )
    });
    let a = scene.animation.unwrap();
    let BoxId::Kubelet(node) = a.from.clone() else {
        panic!("seed {SEED}: from {:?}", a.from)
    };
    assert_eq!(
        (a.kind, &a.to),
        (PacketKind::Cri, &BoxId::Runtime(node.clone()))
    );
    assert!(a.path.is_some());
    s.finish();
    let scene = step_until(&mut s, SEED, "the pull's end", |sim, _| {
        matches!(
            &sim.last_delivered().unwrap().message,
            Message::Cri {
                call: kubestep::kubelet::cri::CriCall::ImagePulled { .. },
                ..
            }
        )
    });
    let a = scene.animation.unwrap();
    assert!(
        matches!(a.from, BoxId::Runtime(_)) && matches!(a.to, BoxId::Kubelet(_)),
        "seed {SEED}"
    );
}

#[test]
fn an_invalid_object_stops_at_validation_in_red_with_the_422_causes() {
    let mut s = console(SEED);
    s.type_line("kubectl create deployment Web --image=nginx", &no_files);
    let scene = step_until(&mut s, SEED, "a refusal", |sim, _| {
        matches!(
            sim.last_delivered().unwrap().message,
            Message::ApiStage { ok: false, .. }
        )
    });
    let chain = scene.chain.unwrap();
    let (stage, text) = chain.refused.clone().expect("refused");
    assert_eq!(stage, Stage::Validation, "seed {SEED}: {text}");
    assert!(
        text.starts_with(
            "422 Deployment.apps \"Web\" is invalid: metadata.name: Invalid value: \"Web\""
        ),
        "seed {SEED}: {text}"
    );
    let refused = chain
        .stages
        .iter()
        .find(|s| s.state == StageState::Refused)
        .unwrap();
    assert_eq!(refused.outcome.as_deref(), Some(text.as_str()));
    assert!(chain
        .stages
        .iter()
        .filter(|s| s.stage > Stage::Validation)
        .all(|s| s.state == StageState::Ahead));
    // The answer to kubectl keeps the refusing stage red.
    let scene = step_until(&mut s, SEED, "the 422", |sim, _| {
        sim.last_delivered().unwrap().to == Addr::Kubectl
    });
    let chain = scene.chain.unwrap();
    assert_eq!(
        chain.refused.map(|r| r.0),
        Some(Stage::Validation),
        "seed {SEED}"
    );
    assert_eq!(scene.animation.unwrap().kind, PacketKind::Response);
}

#[test]
fn a_forbidden_request_stops_at_authorization_with_the_rbac_reason() {
    let mut s = console(SEED);
    s.type_line("kubectl --user=jane get pods -n kube-system", &no_files);
    let scene = step_until(&mut s, SEED, "a refusal", |sim, _| {
        matches!(
            sim.last_delivered().unwrap().message,
            Message::ApiStage { ok: false, .. }
        )
    });
    let (stage, text) = scene.chain.unwrap().refused.expect("refused");
    assert_eq!(stage, Stage::Authorization, "seed {SEED}: {text}");
    assert!(
        text.starts_with("403 pods is forbidden: User \"jane\" cannot list resource \"pods\""),
        "seed {SEED}: {text}"
    );
}
