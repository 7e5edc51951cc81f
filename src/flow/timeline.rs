//! The flow view's timeline: the learner's cursor over a run, so stepping back shows the earlier
//! state exactly (the diagram, the etcd contents, the console) and stepping forward replays it.
//!
//! The simulation only runs forwards. The timeline keeps the furthest point computed (the
//! head), checkpoints (copies of the whole session) every [`CHECKPOINT_EVERY`] deliveries, and,
//! while the cursor is behind the head, a view: a copy restored from the nearest checkpoint and
//! stepped on to the cursor. The run is deterministic, so the view delivers exactly what the
//! head delivered. A learner's action (Apply, a console line) behind the head forks the run:
//! the view becomes the head, the old future is dropped, and the new run is computed ahead
//! ([`Timeline::act`]) while the cursor stays where the learner was, ready to step through it.

use std::collections::{BTreeMap, BTreeSet};

use crate::console::Session;
use crate::sim::{SimDuration, SimTime};

/// Deliveries between two checkpoints: a step back replays at most this many messages.
pub const CHECKPOINT_EVERY: u64 = 64;

/// Around the cursor, copies every this many deliveries, taken while replaying: a learner who
/// steps back and back replays only a few messages each time (a copy costs about as much as
/// replaying two messages, so the first step back pays a little for the next ones).
const NEAR_EVERY: u64 = 8;
/// How far from the cursor the near copies are kept.
const NEAR_SPAN: u64 = 2 * CHECKPOINT_EVERY;

/// Trace entries a checkpoint keeps (the head keeps the whole trace).
const CHECKPOINT_TRACE: usize = 1;

/// How far ahead an action's run is computed: it stops once no message of the pod creation
/// flow has been delivered for [`QUIET`] of simulated time, or at this horizon.
pub const HORIZON: SimDuration = SimDuration::from_secs(120);
/// See [`HORIZON`].
pub const QUIET: SimDuration = SimDuration::from_secs(5);
/// A bound on one computation ahead, whatever the cluster does.
const MAX_AHEAD: usize = 200_000;

/// A run and the learner's place in it. Positions count deliveries since the cluster was
/// created (a session's `trace().summary().total`).
pub struct Timeline {
    head: Session,
    checkpoints: BTreeMap<u64, Session>,
    view: Option<Session>,
    start: u64,
    /// Actions that ran the simulation themselves (`sim advance 90s`, a line that first waits
    /// for the one before it): from the position where the learner acted to where the action
    /// left the run. The states in between were never shown and cannot be replayed (the
    /// action is not a message), so the cursor jumps over them.
    jumps: BTreeMap<u64, u64>,
    /// Positions where an action changed the run without delivering anything (a console line
    /// queued its input): a replay that reaches one goes on from its checkpoint, which holds
    /// the action, not from the state before it.
    acts: BTreeSet<u64>,
    /// Copies near the cursor (see [`NEAR_EVERY`]); states of the run like the checkpoints.
    near: BTreeMap<u64, Session>,
}

/// A session's position: the deliveries made so far.
pub fn position(s: &Session) -> u64 {
    s.sim().trace().summary().total
}

/// Deliveries of the pod creation flow so far (messages with a step annotation).
fn flow_deliveries(s: &Session) -> u64 {
    s.sim().trace().summary().per_step.values().sum()
}

impl Timeline {
    /// A timeline that starts where `session` stands: the learner cannot go back before it.
    pub fn new(mut session: Session) -> Timeline {
        let start = position(&session);
        let mut checkpoints = BTreeMap::new();
        checkpoints.insert(start, session.checkpoint(CHECKPOINT_TRACE));
        Timeline {
            head: session,
            checkpoints,
            view: None,
            start,
            jumps: BTreeMap::new(),
            acts: BTreeSet::new(),
            near: BTreeMap::new(),
        }
    }

    /// The session at the cursor.
    pub fn session(&self) -> &Session {
        self.view.as_ref().unwrap_or(&self.head)
    }

    /// The session at the furthest point computed, with the whole trace.
    pub fn head(&self) -> &Session {
        &self.head
    }

    /// The cursor's position.
    pub fn position(&self) -> u64 {
        position(self.session())
    }

    /// The first position the cursor can reach.
    pub fn start(&self) -> u64 {
        self.start
    }

    /// The furthest position computed.
    pub fn end(&self) -> u64 {
        position(&self.head)
    }

    pub fn at_end(&self) -> bool {
        self.view.is_none()
    }

    /// How many checkpoints are held (for the kernel panel and the benchmarks).
    pub fn checkpoints(&self) -> usize {
        self.checkpoints.len()
    }

    /// One delivery forward: replayed behind the head, computed at it. False when nothing is
    /// queued at all.
    pub fn step_forward(&mut self) -> bool {
        if let Some(&to) = self.jumps.get(&self.position()) {
            if self.view.is_some() {
                self.seek(to);
                return true;
            }
        }
        match &mut self.view {
            Some(view) => {
                let stepped = view.sim_mut().step().is_some();
                assert!(
                    stepped,
                    "the head went further, so the replay has more to deliver"
                );
                let at = position(view);
                if at == position(&self.head) {
                    self.view = None;
                } else if self.acts.contains(&at) {
                    let acted = self
                        .checkpoints
                        .get_mut(&at)
                        .expect("an action's checkpoint");
                    self.view = Some(acted.checkpoint(CHECKPOINT_TRACE));
                }
                true
            }
            None => self.step_head(),
        }
    }

    /// Steps forward until `done` says so at the cursor, or to the end.
    pub fn forward_until(&mut self, done: impl Fn(&Session) -> bool) {
        while !done(self.session()) && !self.at_end() {
            self.step_forward();
        }
    }

    /// One delivery back. False at the start.
    pub fn step_back(&mut self) -> bool {
        let at = self.position();
        if at <= self.start {
            return false;
        }
        let mut target = at - 1;
        if let Some((&from, _)) = self.jump_over(target) {
            target = from;
        }
        self.seek(target);
        true
    }

    /// The jump whose skipped states include `target`, if any.
    fn jump_over(&self, target: u64) -> Option<(&u64, &u64)> {
        self.jumps
            .range(..target)
            .next_back()
            .filter(|(_, &to)| target < to)
    }

    /// Moves the cursor to `target`, clamped to what has been computed (a state skipped by an
    /// action that ran the simulation itself shows as the state the action left).
    pub fn seek(&mut self, target: u64) {
        let mut target = target.clamp(self.start, self.end());
        if let Some((_, &to)) = self.jump_over(target) {
            target = to;
        }
        if target == self.end() {
            self.view = None;
            return;
        }
        let (&base, _) = self
            .checkpoints
            .range(..=target)
            .next_back()
            .expect("a checkpoint at the start");
        // A near copy is as good as a checkpoint when it is later than it: no action and no
        // jump lies between a checkpoint and a later copy (both have checkpoints of their own).
        let near = self.near.range(base..=target).next_back().map(|(p, _)| *p);
        let base = near.unwrap_or(base);
        // Go on from the current view when it is on the way (stepping forward, a scrub to the
        // right); otherwise from the nearest copy before the target.
        let reuse = self
            .view
            .as_ref()
            .is_some_and(|v| (base..=target).contains(&position(v)));
        if !reuse {
            let from = match near {
                Some(p) => self.near.get_mut(&p),
                None => self.checkpoints.get_mut(&base),
            }
            .expect("a copy to replay from");
            self.view = Some(from.checkpoint(CHECKPOINT_TRACE));
        }
        let head = self.head_position();
        self.near
            .retain(|p, _| p.abs_diff(target) <= NEAR_SPAN && *p <= head);
        let view = self.view.as_mut().expect("a view");
        while position(view) < target {
            let stepped = view.sim_mut().step().is_some();
            assert!(stepped, "the replay stopped short of the head");
            let at = position(view);
            if at < target && at % NEAR_EVERY == 0 && !self.near.contains_key(&at) {
                self.near.insert(at, view.checkpoint(CHECKPOINT_TRACE));
            }
        }
        debug_assert_eq!(position(view), target);
    }

    fn head_position(&self) -> u64 {
        position(&self.head)
    }

    /// Moves the cursor to the first delivery of `step` (1-11) after the cursor's last start
    /// of the flow, computing ahead if it has not happened yet. Returns whether it was found.
    pub fn seek_step(&mut self, step: u8, from: u64) -> bool {
        let found = self.find(from, |e| e.step == Some(step));
        if let Some(p) = found {
            self.seek(p);
        }
        found.is_some()
    }

    /// The head's held trace entries, oldest first, each with its position (the cursor's
    /// position once it is delivered).
    pub fn entries(
        &self,
    ) -> impl DoubleEndedIterator<Item = (u64, &crate::sim::TraceEntry)> + ExactSizeIterator {
        let trace = self.head.sim().trace();
        let first = trace.summary().total - trace.len() as u64;
        trace
            .entries()
            .iter()
            .enumerate()
            .map(move |(i, e)| (first + i as u64 + 1, e))
    }

    /// To the next delivery `pred` accepts ("pod creation only": the next message of the
    /// flow). False when none has been computed after the cursor.
    pub fn step_forward_to(&mut self, pred: impl Fn(&crate::sim::TraceEntry) -> bool) -> bool {
        let found = self.find(self.position(), pred);
        if let Some(p) = found {
            self.seek(p);
        }
        found.is_some()
    }

    /// To the previous delivery `pred` accepts, if any after the start.
    pub fn step_back_to(&mut self, pred: impl Fn(&crate::sim::TraceEntry) -> bool) -> bool {
        let found = self.find_back(self.position(), pred);
        if let Some(p) = found {
            self.seek(p);
        }
        found.is_some()
    }

    /// The position of the first held trace entry after `from` that `pred` accepts.
    pub fn find(&self, from: u64, pred: impl Fn(&crate::sim::TraceEntry) -> bool) -> Option<u64> {
        self.entries()
            .find(|(p, e)| *p > from && pred(e))
            .map(|(p, _)| p)
    }

    /// The position of the last held entry before `before` that `pred` accepts.
    pub fn find_back(
        &self,
        before: u64,
        pred: impl Fn(&crate::sim::TraceEntry) -> bool,
    ) -> Option<u64> {
        self.entries()
            .rev()
            .find(|(p, e)| *p < before && *p > self.start && pred(e))
            .map(|(p, _)| p)
    }

    /// A learner's action at the cursor (Apply, a console line, a fault): behind the head it
    /// forks the run there. The action's run is then computed ahead; the cursor stays where it
    /// was, so the learner steps through what the action set off.
    pub fn act(&mut self, action: impl FnOnce(&mut Session)) {
        if let Some(mut view) = self.view.take() {
            let at = position(&view);
            view.sim_mut()
                .restore_trace_entries(self.head.sim().trace());
            self.head = view;
            self.checkpoints.retain(|p, _| *p <= at);
        }
        let cursor = position(&self.head);
        self.checkpoints.retain(|p, _| *p < cursor);
        self.jumps.retain(|from, _| *from < cursor);
        self.acts.retain(|p| *p < cursor);
        self.near.retain(|p, _| *p < cursor);
        let before = self.head.checkpoint(CHECKPOINT_TRACE);
        action(&mut self.head);
        let after = position(&self.head);
        let acted = self.head.checkpoint(CHECKPOINT_TRACE);
        if after == cursor {
            // The usual case: the action queued an input. Replays start from here, with it.
            self.checkpoints.insert(cursor, acted);
            self.acts.insert(cursor);
        } else {
            // The action ran the simulation: keep the state before it and the one it left.
            self.checkpoints.insert(cursor, before);
            self.checkpoints.insert(after, acted);
            self.jumps.insert(cursor, after);
        }
        self.compute_ahead();
        self.seek(cursor);
    }

    /// Runs the head on until the pod creation flow has gone quiet: see [`HORIZON`].
    fn compute_ahead(&mut self) {
        let started: SimTime = self.head.sim().now();
        let mut flow = flow_deliveries(&self.head);
        let mut last_flow = started;
        for _ in 0..MAX_AHEAD {
            let sim = self.head.sim();
            let Some(next) = sim.peek() else { break };
            // A command run under `timeout` is interrupted at its deadline, before anything
            // later is delivered, as the terminal's wait does: the run stops there.
            if self
                .head
                .earliest_deadline()
                .is_some_and(|d| next.deliver_at > d)
            {
                break;
            }
            let only_timers = sim.work_in_flight() == 0 && next.deliver_at > sim.now();
            if only_timers
                && (sim.now().since(last_flow) >= QUIET || next.deliver_at.since(started) > HORIZON)
            {
                break;
            }
            self.step_head();
            let now_flow = flow_deliveries(&self.head);
            if now_flow != flow {
                flow = now_flow;
                last_flow = self.head.sim().now();
            }
        }
    }

    fn step_head(&mut self) -> bool {
        if self.head.sim_mut().step().is_none() {
            return false;
        }
        self.checkpoint_head(false);
        true
    }

    /// A checkpoint at the head when the last one is [`CHECKPOINT_EVERY`] behind (or `always`).
    fn checkpoint_head(&mut self, always: bool) {
        let at = position(&self.head);
        let last = self
            .checkpoints
            .keys()
            .next_back()
            .copied()
            .unwrap_or(self.start);
        if at > last && (always || at - last >= CHECKPOINT_EVERY) {
            let copy = self.head.checkpoint(CHECKPOINT_TRACE);
            self.checkpoints.insert(at, copy);
        }
    }
}
