//! The deterministic simulation kernel every control-plane component runs on.
//!
//! Sans-IO, in the manner of turmoil: a virtual clock, one seeded PRNG, a bus of typed envelopes
//! delivered in `(deliver_at, seq)` order, and a trace of every delivery. Nothing here reads the
//! wall clock, touches the OS's randomness or knows about the browser: the same seed and inputs
//! give the same trace, byte for byte, on native and wasm.

pub mod actor;
pub mod clock;
pub mod describe;
pub mod message;
pub mod rng;
pub mod trace;

use std::cmp::{Ordering, Reverse};
use std::collections::{BTreeMap, BTreeSet, BinaryHeap};

use serde::{Deserialize, Serialize};

pub use actor::{Actor, Ctx};
pub use clock::{SimDuration, SimTime};
pub use message::{Addr, Annotation, Envelope, Fault, Input, Message, Stage};
pub use rng::Xoshiro256StarStar as Rng;
pub use trace::{Trace, TraceEntry};

/// How messages travel: a base latency plus a uniform jitter, both in simulated milliseconds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SimConfig {
    /// One-way latency of every network message.
    pub latency_ms: u64,
    /// Extra latency drawn uniformly from `0..=jitter_ms` for each message.
    pub jitter_ms: u64,
    /// `run_until_idle` gives up after this many deliveries (a run that never settles is a bug
    /// in a component, and must not hang the page).
    pub max_steps_per_run: u64,
    /// Hold only the most recent entries of the trace in full (see [`Trace::with_retention`]);
    /// `None` keeps everything (tests, the CLI).
    pub trace_retention: Option<usize>,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            latency_ms: 1,
            jitter_ms: 1,
            max_steps_per_run: 1_000_000,
            trace_retention: None,
        }
    }
}

/// Output a console tool printed for one input.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsoleOutput {
    pub input_id: u64,
    pub text: String,
    /// true once the tool has finished with this input (its prompt would return).
    pub done: bool,
}

/// How a run ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RunOutcome {
    /// Nothing is in flight; only timers in the future remain.
    Idle,
    /// The step budget ran out first.
    StepLimit,
}

/// A queued envelope, ordered by `(deliver_at, seq)` alone.
#[derive(Clone, Debug)]
struct Queued(Envelope);

impl PartialEq for Queued {
    fn eq(&self, other: &Self) -> bool {
        self.key() == other.key()
    }
}
impl Eq for Queued {}
impl PartialOrd for Queued {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Queued {
    fn cmp(&self, other: &Self) -> Ordering {
        self.key().cmp(&other.key())
    }
}
impl Queued {
    fn key(&self) -> (SimTime, u64) {
        (self.0.deliver_at, self.0.seq)
    }
}

/// The simulation: clock, PRNG, bus, actors and trace.
#[derive(Clone)]
pub struct Sim {
    config: SimConfig,
    seed: u64,
    now: SimTime,
    rng: Rng,
    next_seq: u64,
    next_input_id: u64,
    queue: BinaryHeap<Reverse<Queued>>,
    /// How many queued messages are work rather than timers.
    work_in_flight: usize,
    actors: BTreeMap<Addr, Box<dyn Actor>>,
    trace: Trace,
    inputs: Vec<(SimTime, Input)>,
    console: Vec<ConsoleOutput>,
    /// The latest delivery time on each `(from, to)` link: a message never overtakes an
    /// earlier one on the same link, as on the TCP connection under a gRPC stream.
    link_clock: BTreeMap<(Addr, Addr), SimTime>,
    /// Actors stopped by a fault: messages to them are dropped (the trace still shows them).
    stopped: BTreeSet<Addr>,
    /// Network partitions: messages between the two parties (either way) are dropped.
    partitions: BTreeSet<(Addr, Addr)>,
    /// The envelope `step()` delivered last, whole (the trace keeps only its one-line form):
    /// the page's narration shows its headers, body, etcd key and value.
    last_delivered: Option<Envelope>,
}

impl Sim {
    /// A fresh cluster for `seed`, with every component of [`crate::cluster`] started.
    pub fn new(config: SimConfig, seed: u64) -> Sim {
        let mut sim = Sim::empty(config, seed);
        crate::cluster::bootstrap(&mut sim);
        sim
    }

    /// A kernel with no actors, for tests of the kernel itself.
    pub fn empty(config: SimConfig, seed: u64) -> Sim {
        let trace = config
            .trace_retention
            .map_or_else(Trace::default, Trace::with_retention);
        Sim {
            config,
            seed,
            now: SimTime::ZERO,
            rng: Rng::seed_from_u64(seed),
            next_seq: 0,
            next_input_id: 0,
            queue: BinaryHeap::new(),
            work_in_flight: 0,
            actors: BTreeMap::new(),
            trace,
            inputs: Vec::new(),
            console: Vec::new(),
            link_clock: BTreeMap::new(),
            stopped: BTreeSet::new(),
            partitions: BTreeSet::new(),
            last_delivered: None,
        }
    }

    /// Stops the actor at `addr` (a crashed or stopped process): from now on every message
    /// to it, timers included, is dropped. Returns false if there is no such actor.
    pub fn stop_actor(&mut self, addr: &Addr) -> bool {
        self.actors.contains_key(addr) && self.stopped.insert(addr.clone())
    }

    /// Starts a stopped actor again: it gets [`Actor::on_restart`] to rebuild its timers and
    /// streams. Returns false if it was not stopped.
    pub fn start_actor(&mut self, addr: &Addr) -> bool {
        if !self.stopped.remove(addr) {
            return false;
        }
        let mut actor = self.actors.remove(addr).expect("a stopped actor exists");
        let mut out = Vec::new();
        let mut console = Vec::new();
        {
            let mut ctx = Ctx::new(
                self.now,
                addr.clone(),
                &mut self.rng,
                &mut out,
                &mut console,
            );
            actor.on_restart(&mut ctx);
        }
        self.actors.insert(addr.clone(), actor);
        self.flush(addr.clone(), out, console);
        true
    }

    /// Applies a learner's fault and says what changed, as the console prints it.
    fn apply_fault(&mut self, fault: &Fault) -> String {
        let exists = |s: &Sim, a: &Addr| s.actors.contains_key(a);
        match fault {
            Fault::Stop(a) if !exists(self, a) => format!("sim: no component {a}\n"),
            Fault::Stop(a) if !self.stop_actor(a) => format!("{a} is already stopped\n"),
            Fault::Stop(a) => format!("{a} stopped: messages to it are dropped\n"),
            Fault::Start(a) if !exists(self, a) => format!("sim: no component {a}\n"),
            Fault::Start(a) if !self.start_actor(a) => format!("{a} is already running\n"),
            Fault::Start(a) => format!("{a} started\n"),
            Fault::Partition { node } | Fault::Heal { node }
                if !exists(self, &Addr::Kubelet(node.clone())) =>
            {
                format!("sim: no node {node}\n")
            }
            Fault::Partition { node } if self.is_partitioned(&fault.target(), &Addr::ApiServer) => {
                format!("{node} is already partitioned\n")
            }
            Fault::Heal { node } if !self.is_partitioned(&fault.target(), &Addr::ApiServer) => {
                format!("{node} is not partitioned\n")
            }
            Fault::Partition { node } => {
                crate::cluster::partition_node(self, node);
                format!(
                    "{node} partitioned: kubelet/{node} and kube-proxy/{node} cannot reach kube-apiserver\n"
                )
            }
            Fault::Heal { node } => {
                crate::cluster::heal_node(self, node);
                format!("{node} healed: kubelet/{node} and kube-proxy/{node} reach kube-apiserver again\n")
            }
        }
    }

    pub fn is_stopped(&self, addr: &Addr) -> bool {
        self.stopped.contains(addr)
    }

    /// Cuts the network between `a` and `b`: messages either way are dropped on delivery.
    pub fn partition(&mut self, a: &Addr, b: &Addr) {
        self.partitions.insert(Self::link(a, b));
    }

    /// Whether the network between `a` and `b` is cut.
    pub fn is_partitioned(&self, a: &Addr, b: &Addr) -> bool {
        self.partitions.contains(&Self::link(a, b))
    }

    /// Heals the partition between `a` and `b`.
    pub fn heal(&mut self, a: &Addr, b: &Addr) {
        self.partitions.remove(&Self::link(a, b));
    }

    fn link(a: &Addr, b: &Addr) -> (Addr, Addr) {
        if a <= b {
            (a.clone(), b.clone())
        } else {
            (b.clone(), a.clone())
        }
    }

    fn dropped(&self, env: &Envelope) -> bool {
        self.stopped.contains(&env.to)
            || (env.from != env.to && self.partitions.contains(&Self::link(&env.from, &env.to)))
    }

    /// Adds an actor and lets it schedule its first messages.
    pub fn add_actor(&mut self, mut actor: Box<dyn Actor>) {
        let addr = actor.addr();
        assert!(!self.actors.contains_key(&addr), "two actors at {addr}");
        let mut out = Vec::new();
        let mut console = Vec::new();
        {
            let mut ctx = Ctx::new(
                self.now,
                addr.clone(),
                &mut self.rng,
                &mut out,
                &mut console,
            );
            actor.start(&mut ctx);
        }
        self.actors.insert(addr.clone(), actor);
        self.flush(addr, out, console);
    }

    pub fn seed(&self) -> u64 {
        self.seed
    }
    pub fn config(&self) -> &SimConfig {
        &self.config
    }
    pub fn now(&self) -> SimTime {
        self.now
    }
    pub fn trace(&self) -> &Trace {
        &self.trace
    }
    pub fn inputs(&self) -> &[(SimTime, Input)] {
        &self.inputs
    }
    pub fn console(&self) -> &[ConsoleOutput] {
        &self.console
    }
    /// The addresses of every running component, in a fixed order.
    pub fn addrs(&self) -> impl Iterator<Item = &Addr> {
        self.actors.keys()
    }
    /// Messages sent but not yet delivered (timers included).
    pub fn pending(&self) -> usize {
        self.queue.len()
    }
    /// The next delivery, if any, without performing it.
    pub fn peek(&self) -> Option<&Envelope> {
        self.queue.peek().map(|Reverse(q)| &q.0)
    }

    /// Every queued envelope, in no particular order (read-only: the page's diagram finds the
    /// other copies of a watch event still on their way to their watchers).
    pub fn queued(&self) -> impl Iterator<Item = &Envelope> {
        self.queue.iter().map(|Reverse(q)| &q.0)
    }

    /// An actor by address, downcast to its concrete type (for inspectors and tests).
    pub fn actor<T: 'static>(&self, addr: &Addr) -> Option<&T> {
        self.actors.get(addr)?.as_any().downcast_ref::<T>()
    }

    /// Sends a message from outside any actor (a test client, a tool), with network latency.
    pub fn inject(&mut self, from: Addr, to: Addr, message: Message) {
        self.inject_annotated(from, to, message, Annotation::default());
    }

    /// [`Sim::inject`] with the sender's step and stage for the trace.
    pub fn inject_annotated(
        &mut self,
        from: Addr,
        to: Addr,
        message: Message,
        annotation: Annotation,
    ) {
        let latency = self.latency(&from, &to);
        self.enqueue(from, to, self.now + latency, message, annotation);
    }

    /// Records a learner input and hands it to the tool that runs it. Returns the input id that
    /// its console output carries.
    pub fn submit(&mut self, input: Input) -> u64 {
        let id = self.next_input_id;
        self.next_input_id += 1;
        self.inputs.push((self.now, input.clone()));
        let to = match &input {
            Input::Etcdctl { .. } => Addr::Etcdctl,
            Input::Kubectl { .. } => Addr::Kubectl,
            // The interrupt goes to the tool that runs the input (ids index `inputs`).
            Input::Interrupt { input_id } => match self.inputs.get(*input_id as usize) {
                Some((_, Input::Etcdctl { .. })) => Addr::Etcdctl,
                Some((_, Input::Kubectl { .. })) => Addr::Kubectl,
                _ => Addr::Learner,
            },
            Input::EditorSave { .. } => Addr::Kubectl,
            Input::Fault(fault) => fault.target(),
            Input::Compact => Addr::ApiServer,
        };
        // The learner sits at the tool: the input arrives without network latency.
        self.enqueue(
            Addr::Learner,
            to,
            self.now,
            Message::Input { id, input },
            Annotation::default(),
        );
        id
    }

    /// Delivers the next message. Returns its trace entry, or `None` when nothing is queued.
    pub fn step(&mut self) -> Option<&TraceEntry> {
        let Reverse(Queued(env)) = self.queue.pop()?;
        if !env.message.is_timer() {
            self.work_in_flight -= 1;
        }
        debug_assert!(
            env.deliver_at >= self.now,
            "the bus delivered into the past"
        );
        self.now = self.now.max(env.deliver_at);
        if let Message::Input {
            id,
            input: Input::Fault(fault),
        } = &env.message
        {
            // The kernel itself applies a fault (a stopped actor cannot be asked to start).
            self.trace.push(TraceEntry::from_envelope(&env, self.now));
            let text = self.apply_fault(fault);
            self.console.push(ConsoleOutput {
                input_id: *id,
                text,
                done: true,
            });
            self.last_delivered = Some(env);
            return self.trace.entries().last();
        }
        let dropped = self.dropped(&env);
        let mut entry = TraceEntry::from_envelope(&env, self.now);
        if dropped {
            entry.summary = format!("dropped: {}", entry.summary);
        }
        self.trace.push(entry);
        let to = env.to.clone();
        let mut out = Vec::new();
        let mut console = Vec::new();
        if dropped {
            self.last_delivered = Some(env);
            return self.trace.entries().last();
        }
        if let Some(actor) = self.actors.get_mut(&to) {
            let mut ctx = Ctx::new(self.now, to.clone(), &mut self.rng, &mut out, &mut console);
            actor.handle(&env, &mut ctx);
        }
        self.flush(to, out, console);
        self.last_delivered = Some(env);
        self.trace.entries().last()
    }

    /// The envelope delivered by the last `step()`, whole (`None` before the first).
    pub fn last_delivered(&self) -> Option<&Envelope> {
        self.last_delivered.as_ref()
    }

    /// Delivers messages until nothing but timers is queued and none of them is due now. Timers
    /// due before work still in flight (an image pull that takes longer than a lease renewal)
    /// fire in their turn; timers after it stay queued: the clock moves past them only through
    /// [`Sim::advance`].
    pub fn run_until_idle(&mut self) -> RunOutcome {
        for _ in 0..self.config.max_steps_per_run {
            match self.peek() {
                None => return RunOutcome::Idle,
                // Only timers are left, none of them due: idle. While work is in flight, timers
                // due before it fire in their turn.
                Some(env) if self.work_in_flight == 0 && env.deliver_at > self.now => {
                    return RunOutcome::Idle
                }
                Some(_) => {
                    self.step();
                }
            }
        }
        RunOutcome::StepLimit
    }

    /// Moves the clock forward by `duration`, delivering everything due on the way.
    pub fn advance(&mut self, duration: SimDuration) -> RunOutcome {
        let until = self.now.saturating_add(duration);
        for _ in 0..self.config.max_steps_per_run {
            match self.peek() {
                Some(env) if env.deliver_at <= until => {
                    self.step();
                }
                _ => {
                    self.now = self.now.max(until);
                    return RunOutcome::Idle;
                }
            }
        }
        RunOutcome::StepLimit
    }

    fn latency(&mut self, from: &Addr, to: &Addr) -> SimDuration {
        if from == to {
            return SimDuration(0);
        }
        let jitter = if self.config.jitter_ms > 0 {
            self.rng.range_inclusive(0, self.config.jitter_ms)
        } else {
            0
        };
        SimDuration(self.config.latency_ms + jitter)
    }

    fn enqueue(
        &mut self,
        from: Addr,
        to: Addr,
        deliver_at: SimTime,
        message: Message,
        annotation: Annotation,
    ) {
        let seq = self.next_seq;
        self.next_seq += 1;
        if !message.is_timer() {
            self.work_in_flight += 1;
        }
        self.queue.push(Reverse(Queued(Envelope {
            seq,
            sent_at: self.now,
            deliver_at,
            from,
            to,
            message,
            annotation,
        })));
    }

    fn flush(&mut self, from: Addr, out: Vec<actor::Outgoing>, console: Vec<ConsoleOutput>) {
        for o in out {
            let deliver_at = match o.after {
                Some(delay) => self.now + delay,
                None => {
                    let latency = self.latency(&from, &o.to);
                    let link = self
                        .link_clock
                        .entry((from.clone(), o.to.clone()))
                        .or_insert(SimTime::ZERO);
                    *link = (*link).max(self.now + latency);
                    *link
                }
            };
            self.enqueue(from.clone(), o.to, deliver_at, o.message, o.annotation);
        }
        self.console.extend(console);
    }
}

#[cfg(test)]
mod tests;
