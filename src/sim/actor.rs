//! The actor interface: how a component receives messages and sends new ones.

use std::any::Any;

use crate::sim::clock::{SimDuration, SimTime};
use crate::sim::message::{Addr, Annotation, Envelope, Message};
use crate::sim::rng::Xoshiro256StarStar;
use crate::sim::ConsoleOutput;

/// A simulated component (etcd, the API server, a kubelet...). It owns its state and reacts to
/// messages; it never calls another actor directly.
pub trait Actor {
    fn addr(&self) -> Addr;
    /// Called once when the actor joins the simulation: schedule first timers here.
    fn start(&mut self, _ctx: &mut Ctx<'_>) {}
    fn handle(&mut self, envelope: &Envelope, ctx: &mut Ctx<'_>);
    /// Called when a stopped actor starts again ([`crate::sim::Sim::start_actor`]): a process
    /// restart. The default starts afresh; a component that keeps nothing on disk should also
    /// forget its memory here.
    fn on_restart(&mut self, ctx: &mut Ctx<'_>) {
        self.start(ctx);
    }
    /// A deep copy, so the whole simulation can be checkpointed (stepping back in the UI).
    fn box_clone(&self) -> Box<dyn Actor>;
    fn as_any(&self) -> &dyn Any;
}

impl Clone for Box<dyn Actor> {
    fn clone(&self) -> Self {
        self.box_clone()
    }
}

/// A message an actor sends while handling one.
pub struct Outgoing {
    pub to: Addr,
    pub message: Message,
    /// `Some(delay)` for timers and deliberate delays; `None` uses the network latency.
    pub after: Option<SimDuration>,
    pub annotation: Annotation,
}

/// What an actor may do while it handles a message: read the clock, draw from the PRNG,
/// send messages, set timers, and print console output.
pub struct Ctx<'a> {
    now: SimTime,
    me: Addr,
    rng: &'a mut Xoshiro256StarStar,
    out: &'a mut Vec<Outgoing>,
    console: &'a mut Vec<ConsoleOutput>,
}

impl<'a> Ctx<'a> {
    pub(crate) fn new(
        now: SimTime,
        me: Addr,
        rng: &'a mut Xoshiro256StarStar,
        out: &'a mut Vec<Outgoing>,
        console: &'a mut Vec<ConsoleOutput>,
    ) -> Self {
        Ctx {
            now,
            me,
            rng,
            out,
            console,
        }
    }

    pub fn now(&self) -> SimTime {
        self.now
    }
    pub fn me(&self) -> &Addr {
        &self.me
    }
    pub fn rng(&mut self) -> &mut Xoshiro256StarStar {
        self.rng
    }

    /// Sends `message` to `to` over the network (latency applies).
    pub fn send(&mut self, to: Addr, message: Message) {
        self.send_annotated(to, message, Annotation::default());
    }

    /// Sends `message` with what the sender knows of its step and stage, for the trace.
    pub fn send_annotated(&mut self, to: Addr, message: Message, annotation: Annotation) {
        self.out.push(Outgoing {
            to,
            message,
            after: None,
            annotation,
        });
    }

    /// Delivers `message` to this actor itself at once (no network in between): a component
    /// moving a piece of work to its next stage, visible in the trace.
    pub fn to_self(&mut self, message: Message, annotation: Annotation) {
        self.out.push(Outgoing {
            to: self.me.clone(),
            message,
            after: Some(SimDuration(0)),
            annotation,
        });
    }

    /// Delivers `message` to this actor itself after `delay`.
    pub fn timer(&mut self, delay: SimDuration, name: impl Into<String>) {
        self.out.push(Outgoing {
            to: self.me.clone(),
            message: Message::Timer { name: name.into() },
            after: Some(delay),
            annotation: Annotation::default(),
        });
    }

    /// Prints console output for the learner's input `input_id`.
    pub fn print(&mut self, input_id: u64, text: impl Into<String>, done: bool) {
        self.console.push(ConsoleOutput {
            input_id,
            text: text.into(),
            done,
        });
    }
}
