//! The app's one reducer: every user action becomes an `Action`, applied here.

use std::cell::RefCell;
use std::rc::Rc;

use yew::prelude::*;

use crate::sim::{RunOutcome, Sim};

/// What the learner can do.
pub enum Action {
    /// Deliver one message.
    Step,
    /// Deliver messages until nothing is in flight.
    RunUntilIdle,
    /// Start again from a fresh cluster with the same seed.
    Restart,
    /// Run one console line.
    Console(String),
}

/// A console line the learner typed and what came back.
#[derive(Clone, PartialEq)]
pub struct ConsoleLine {
    pub command: String,
    /// The input id its output carries, or `None` when the shell refused the line itself.
    pub input_id: Option<u64>,
    pub error: Option<String>,
}

/// A fresh cluster that has finished starting up (the API server has filled its caches and run
/// its post-start hooks), as a cluster is when a learner first reaches it.
/// How many trace entries the page holds in full; older ones are only counted (a long-running
/// cluster's heartbeats would otherwise grow without end).
const TRACE_RETENTION: usize = 50_000;

fn booted(seed: u64) -> Sim {
    let config = crate::sim::SimConfig {
        trace_retention: Some(TRACE_RETENTION),
        ..crate::sim::SimConfig::default()
    };
    crate::cluster::booted_with(config, seed)
}

/// The app state. The simulation sits behind `Rc<RefCell<..>>` so that a step does not clone the
/// cluster; `version` changes on every action so yew re-renders.
pub struct AppState {
    pub sim: Rc<RefCell<Sim>>,
    pub version: u64,
    pub history: Vec<ConsoleLine>,
    pub last_outcome: Option<RunOutcome>,
}

impl PartialEq for AppState {
    fn eq(&self, other: &Self) -> bool {
        self.version == other.version && Rc::ptr_eq(&self.sim, &other.sim)
    }
}

impl AppState {
    pub fn new(seed: u64) -> Self {
        AppState {
            sim: Rc::new(RefCell::new(booted(seed))),
            version: 0,
            history: Vec::new(),
            last_outcome: None,
        }
    }
}

impl Reducible for AppState {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut history = self.history.clone();
        let mut last_outcome = self.last_outcome;
        let mut sim_rc = self.sim.clone();
        match action {
            Action::Step => {
                sim_rc.borrow_mut().step();
            }
            Action::RunUntilIdle => {
                last_outcome = Some(sim_rc.borrow_mut().run_until_idle());
            }
            Action::Restart => {
                let seed = sim_rc.borrow().seed();
                sim_rc = Rc::new(RefCell::new(booted(seed)));
                history.clear();
                last_outcome = None;
            }
            Action::Console(line) => {
                let parsed = crate::console::script::parse(&line, &|_| None);
                let entry = match parsed {
                    Err(e) => ConsoleLine {
                        command: line.clone(),
                        input_id: None,
                        error: Some(format!("kubestep: {}", e.message)),
                    },
                    Ok(commands) if commands.is_empty() => return self,
                    Ok(commands) => {
                        match crate::console::input_for(&commands[0], &crate::console::no_files) {
                            Ok(input) => ConsoleLine {
                                command: line.clone(),
                                input_id: Some(sim_rc.borrow_mut().submit(input)),
                                error: None,
                            },
                            Err(e) => ConsoleLine {
                                command: line.clone(),
                                input_id: None,
                                error: Some(e),
                            },
                        }
                    }
                };
                history.push(entry);
            }
        }
        Rc::new(AppState {
            sim: sim_rc,
            version: self.version + 1,
            history,
            last_outcome,
        })
    }
}

/// A cheap handle to the simulation for child components: equal while nothing has changed.
#[derive(Clone)]
pub struct SimRef {
    pub sim: Rc<RefCell<Sim>>,
    pub version: u64,
}

impl PartialEq for SimRef {
    fn eq(&self, other: &Self) -> bool {
        self.version == other.version && Rc::ptr_eq(&self.sim, &other.sim)
    }
}

impl AppState {
    pub fn sim_ref(&self) -> SimRef {
        SimRef {
            sim: self.sim.clone(),
            version: self.version,
        }
    }
}
