//! Kernel specifications, with two toy actors that bounce etcd-shaped requests.

use super::*;
use crate::etcd::api::{PutRequest, PutResponse, Request, Response};
use std::any::Any;

/// Answers every request after a think time drawn from the PRNG, so ordering depends on it.
#[derive(Clone)]
struct Echo;

impl Actor for Echo {
    fn addr(&self) -> Addr {
        Addr::Etcd
    }
    fn handle(&mut self, env: &Envelope, ctx: &mut Ctx<'_>) {
        if let Message::EtcdRequest { id, .. } = env.message {
            let rev = ctx.rng().range_inclusive(1, 1000) as i64;
            let mut r = PutResponse::default();
            r.header.revision = rev;
            ctx.send(
                env.from.clone(),
                Message::EtcdResponse {
                    id,
                    result: Ok(Response::Put(r)),
                },
            );
        }
    }
    fn box_clone(&self) -> Box<dyn Actor> {
        Box::new(self.clone())
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// Sends `n` puts per input line, and a heartbeat timer every 10 s.
#[derive(Clone, Default)]
struct Client {
    answers: u64,
}

impl Actor for Client {
    fn addr(&self) -> Addr {
        Addr::Etcdctl
    }
    fn start(&mut self, ctx: &mut Ctx<'_>) {
        ctx.timer(SimDuration::from_secs(10), "heartbeat");
    }
    fn handle(&mut self, env: &Envelope, ctx: &mut Ctx<'_>) {
        match &env.message {
            Message::Input {
                id,
                input: Input::Etcdctl { argv, .. },
            } => {
                let n: u64 = argv[0].parse().unwrap_or(1);
                for i in 0..n {
                    ctx.send(
                        Addr::Etcd,
                        Message::EtcdRequest {
                            id: id * 100 + i,
                            request: Request::Put(PutRequest {
                                key: format!("k{i}").into_bytes(),
                                ..PutRequest::default()
                            }),
                        },
                    );
                }
                ctx.print(*id, format!("sent {n}"), true);
            }
            Message::EtcdResponse { .. } => self.answers += 1,
            Message::Timer { .. } => ctx.timer(SimDuration::from_secs(10), "heartbeat"),
            _ => {}
        }
    }
    fn box_clone(&self) -> Box<dyn Actor> {
        Box::new(self.clone())
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

fn scenario(seed: u64) -> Sim {
    let config = SimConfig {
        latency_ms: 2,
        jitter_ms: 5,
        ..SimConfig::default()
    };
    let mut sim = Sim::empty(config, seed);
    sim.add_actor(Box::new(Echo));
    sim.add_actor(Box::new(Client::default()));
    sim.submit(Input::Etcdctl {
        argv: vec!["5".into()],
        stdin: None,
    });
    sim.run_until_idle();
    sim.advance(SimDuration::from_secs(25));
    sim.submit(Input::Etcdctl {
        argv: vec!["3".into()],
        stdin: None,
    });
    sim.run_until_idle();
    sim
}

fn trace_text(sim: &Sim) -> String {
    sim.trace()
        .entries()
        .iter()
        .map(|e| e.to_json_line() + "\n")
        .collect()
}

#[test]
fn same_seed_and_inputs_give_the_same_trace_byte_for_byte() {
    for seed in [0, 1, 42, u64::MAX] {
        let a = scenario(seed);
        let b = scenario(seed);
        assert_eq!(trace_text(&a), trace_text(&b), "seed {seed}");
        assert_eq!(a.trace().hash_hex(), b.trace().hash_hex(), "seed {seed}");
    }
}

#[test]
fn different_seeds_jitter_differently() {
    assert_ne!(
        scenario(1).trace().hash_hex(),
        scenario(2).trace().hash_hex()
    );
}

#[test]
fn delivery_is_in_time_then_sequence_order() {
    let sim = scenario(7);
    let entries = sim.trace().entries();
    assert!(entries.windows(2).all(|w| w[0].time_ms <= w[1].time_ms));
    // 1 input + 5 requests + 5 responses + 1 input + 3 + 3, plus two heartbeats by 25 s.
    let count = |k: &str| entries.iter().filter(|e| e.kind == k).count();
    assert_eq!(count("input"), 2);
    assert_eq!(count("etcd-request"), 8);
    assert_eq!(count("etcd-response"), 8);
    assert_eq!(count("timer"), 2);
    assert_eq!(sim.actor::<Client>(&Addr::Etcdctl).unwrap().answers, 8);
}

#[test]
fn run_until_idle_leaves_future_timers_and_advance_fires_them() {
    let mut sim = Sim::empty(SimConfig::default(), 3);
    sim.add_actor(Box::new(Client::default()));
    assert_eq!(sim.run_until_idle(), RunOutcome::Idle);
    assert_eq!(sim.now(), SimTime::ZERO);
    assert_eq!(sim.pending(), 1);
    sim.advance(SimDuration::from_secs(35));
    assert_eq!(sim.now(), SimTime(35_000));
    let timers: Vec<u64> = sim.trace().entries().iter().map(|e| e.time_ms).collect();
    assert_eq!(timers, vec![10_000, 20_000, 30_000]);
}

#[test]
fn a_clone_is_a_checkpoint_that_replays_identically() {
    let mut sim = Sim::empty(SimConfig::default(), 11);
    sim.add_actor(Box::new(Echo));
    sim.add_actor(Box::new(Client::default()));
    sim.submit(Input::Etcdctl {
        argv: vec!["4".into()],
        stdin: None,
    });
    sim.step();
    sim.step();
    let checkpoint = sim.clone();
    sim.run_until_idle();
    let mut again = checkpoint.clone();
    again.run_until_idle();
    assert_eq!(trace_text(&sim), trace_text(&again));
    assert_eq!(checkpoint.trace().len(), 2);
}

#[test]
fn a_runaway_component_hits_the_step_limit_instead_of_hanging() {
    #[derive(Clone)]
    struct Loop;
    impl Actor for Loop {
        fn addr(&self) -> Addr {
            Addr::Etcd
        }
        fn start(&mut self, ctx: &mut Ctx<'_>) {
            ctx.send(
                Addr::Etcd,
                Message::Timer {
                    name: "spin".into(),
                },
            );
        }
        fn handle(&mut self, _env: &Envelope, ctx: &mut Ctx<'_>) {
            ctx.send(
                Addr::Etcd,
                Message::Timer {
                    name: "spin".into(),
                },
            );
        }
        fn box_clone(&self) -> Box<dyn Actor> {
            Box::new(self.clone())
        }
        fn as_any(&self) -> &dyn Any {
            self
        }
    }
    let config = SimConfig {
        max_steps_per_run: 50,
        ..SimConfig::default()
    };
    let mut sim = Sim::empty(config, 0);
    sim.add_actor(Box::new(Loop));
    assert_eq!(sim.run_until_idle(), RunOutcome::StepLimit);
    assert_eq!(sim.trace().len(), 50);
}

#[test]
fn messages_on_one_link_never_overtake_each_other() {
    // With jitter, a later message could draw a shorter latency; the bus still delivers each
    // (from, to) link in send order, as the TCP connection under a gRPC stream would.
    let config = SimConfig {
        latency_ms: 1,
        jitter_ms: 20,
        ..SimConfig::default()
    };
    let mut sim = Sim::empty(config, 5);
    sim.add_actor(Box::new(Echo));
    sim.add_actor(Box::new(Client::default()));
    sim.submit(Input::Etcdctl {
        argv: vec!["50".into()],
        stdin: None,
    });
    sim.run_until_idle();
    let requests: Vec<u64> = sim
        .trace()
        .entries()
        .iter()
        .filter(|e| e.kind == "etcd-request")
        .map(|e| e.seq)
        .collect();
    assert_eq!(requests.len(), 50);
    assert!(requests.windows(2).all(|w| w[0] < w[1]), "{requests:?}");
}

#[test]
fn run_until_idle_finishes_work_that_outlasts_a_timer() {
    // A 15 s job (a delayed self-message that is work, not a timer) and a 10 s heartbeat timer:
    // the run ends when the job is done, having fired the heartbeat on the way.
    #[derive(Clone)]
    struct Slow;
    impl Actor for Slow {
        fn addr(&self) -> Addr {
            Addr::Etcd
        }
        fn start(&mut self, ctx: &mut Ctx<'_>) {
            ctx.timer(SimDuration::from_secs(10), "heartbeat");
            ctx.to_self_after(
                SimDuration::from_secs(15),
                Message::EtcdRequest {
                    id: 1,
                    request: Request::Put(PutRequest::default()),
                },
                crate::sim::Annotation::default(),
            );
        }
        fn handle(&mut self, _env: &Envelope, _ctx: &mut Ctx<'_>) {}
        fn box_clone(&self) -> Box<dyn Actor> {
            Box::new(self.clone())
        }
        fn as_any(&self) -> &dyn Any {
            self
        }
    }
    let mut sim = Sim::empty(SimConfig::default(), 1);
    sim.add_actor(Box::new(Slow));
    assert_eq!(sim.run_until_idle(), RunOutcome::Idle);
    assert_eq!(sim.now(), SimTime(15_000));
    let kinds: Vec<&str> = sim
        .trace()
        .entries()
        .iter()
        .map(|e| e.kind.as_str())
        .collect();
    assert_eq!(kinds, ["timer", "etcd-request"]);
}
