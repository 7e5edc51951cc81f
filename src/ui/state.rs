//! The app's one reducer: every user action becomes an `Action`, applied here.

use std::cell::{Ref, RefCell};
use std::rc::Rc;

use yew::prelude::*;

use crate::console::Session;
use crate::sim::{RunOutcome, Sim};

/// What the learner can do.
pub enum Action {
    /// Deliver one message.
    Step,
    /// Deliver messages until nothing is in flight.
    RunUntilIdle,
    /// Start again from a fresh cluster with the same seed.
    Restart,
    /// Run one console line (Enter at the prompt).
    Console(String),
    /// The prompt's text changed (typing).
    Draft(String),
    /// Up arrow: the previous line of the history into the prompt.
    HistoryPrev,
    /// Down arrow: the next line of the history (or back to what was being typed).
    HistoryNext,
    /// Let simulated time run until the running command is done, as a terminal waits.
    Finish,
    /// Ctrl-C: interrupt the running command.
    Interrupt,
    /// The learner saved (`Some(text)`) or closed (`None`) the editor `kubectl edit` opened.
    EditorSave(Option<String>),
    /// The YAML editor's text changed (typing, a paste, Tab).
    EditorChanged(String),
    /// The template picker: the editor's text becomes the template of that name.
    LoadTemplate(String),
    /// Apply: `kubectl apply -f editor.yaml` as the admin, `editor.yaml` being the editor's
    /// text; it stays on the bus for the learner to step through.
    Apply,
}

/// How many trace entries the page holds in full; older ones are only counted (a long-running
/// cluster's heartbeats would otherwise grow without end).
const TRACE_RETENTION: usize = 50_000;

/// A console session on a fresh cluster that has finished starting up, with a bounded trace.
fn page_session(seed: u64) -> Session {
    let config = crate::sim::SimConfig {
        trace_retention: Some(TRACE_RETENTION),
        ..crate::sim::SimConfig::default()
    };
    Session::on(crate::cluster::booted_with(config, seed))
}

/// The app state. The console session (and its simulation) sits behind `Rc<RefCell<..>>` so
/// that a step does not clone the cluster; `version` changes on every action so yew re-renders.
pub struct AppState {
    pub session: Rc<RefCell<Session>>,
    pub version: u64,
    pub last_outcome: Option<RunOutcome>,
    /// What the prompt holds.
    pub draft: String,
    /// Lines typed so far, oldest first (the shell's history).
    pub typed: Vec<String>,
    /// Where Up/Down has got to in `typed`, and the line being typed before it started.
    pub history_pos: Option<(usize, String)>,
    /// The YAML editor's text.
    pub editor: String,
    /// The console entry (index into the session's entries) of the editor's last Apply, whose
    /// output the editor maps back to its lines.
    pub editor_applied: Option<usize>,
}

impl PartialEq for AppState {
    fn eq(&self, other: &Self) -> bool {
        self.version == other.version && Rc::ptr_eq(&self.session, &other.session)
    }
}

impl AppState {
    /// A fresh cluster that has finished starting up (the API server has filled its caches and
    /// run its post-start hooks), as a cluster is when a learner first reaches it.
    pub fn new(seed: u64) -> Self {
        AppState {
            session: Rc::new(RefCell::new(page_session(seed))),
            version: 0,
            last_outcome: None,
            draft: String::new(),
            typed: Vec::new(),
            history_pos: None,
            editor: crate::flow::editor::templates::DEFAULT.yaml.to_string(),
            editor_applied: None,
        }
    }

    /// What the console printed for the editor's last Apply, so far.
    pub fn last_apply_output(&self) -> Option<String> {
        let session = self.session.borrow();
        let entry = session.entries().get(self.editor_applied?)?;
        Some(session.output(entry))
    }
}

impl Reducible for AppState {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut session = self.session.clone();
        let mut last_outcome = self.last_outcome;
        let mut draft = self.draft.clone();
        let mut typed = self.typed.clone();
        let mut history_pos = self.history_pos.clone();
        let mut editor = self.editor.clone();
        let mut editor_applied = self.editor_applied;
        // Editing changes nothing in the simulation: the components that render it keep their
        // props (and are not re-rendered on every keystroke).
        let sim_changes = !matches!(action, Action::EditorChanged(_) | Action::LoadTemplate(_));
        match action {
            Action::Step => {
                session.borrow_mut().sim_mut().step();
            }
            Action::RunUntilIdle => {
                last_outcome = Some(session.borrow_mut().sim_mut().run_until_idle());
            }
            Action::Restart => {
                let seed = session.borrow().sim().seed();
                session = Rc::new(RefCell::new(page_session(seed)));
                last_outcome = None;
                history_pos = None;
                editor_applied = None;
            }
            Action::Console(line) => {
                // The command enters the bus here: the learner steps it through, or waits
                // for it with Finish (the next command line waits for it too).
                session
                    .borrow_mut()
                    .type_line(&line, &crate::console::no_files);
                if !line.trim().is_empty() {
                    typed.push(line);
                }
                draft.clear();
                history_pos = None;
            }
            Action::Draft(text) => draft = text,
            Action::HistoryPrev => {
                let pos = match &history_pos {
                    Some((i, stash)) => Some((i.saturating_sub(1), stash.clone())),
                    None => typed.len().checked_sub(1).map(|i| (i, draft.clone())),
                };
                if let Some((i, _)) = &pos {
                    draft = typed[*i].clone();
                    history_pos = pos;
                }
            }
            Action::HistoryNext => {
                if let Some((i, stash)) = history_pos.take() {
                    if i + 1 < typed.len() {
                        draft = typed[i + 1].clone();
                        history_pos = Some((i + 1, stash));
                    } else {
                        draft = stash;
                    }
                }
            }
            Action::Finish => session.borrow_mut().finish(),
            Action::Interrupt => session.borrow_mut().interrupt(),
            Action::EditorSave(text) => {
                let mut s = session.borrow_mut();
                s.save_editor(text);
                // The command goes on from the save, as kubectl does when the editor exits.
                s.finish();
            }
            Action::EditorChanged(text) => editor = text,
            Action::LoadTemplate(name) => {
                if let Some(t) = crate::flow::editor::templates::by_name(&name) {
                    editor = t.yaml.to_string();
                }
            }
            Action::Apply => {
                let text = editor.clone();
                let files = move |path: &str| {
                    (path == "editor.yaml").then(|| crate::console::FileEntry::File(text.clone()))
                };
                let mut s = session.borrow_mut();
                s.type_line("kubectl apply -f editor.yaml", &files);
                editor_applied = s.entries().len().checked_sub(1);
            }
        }
        Rc::new(AppState {
            session,
            version: self.version + u64::from(sim_changes),
            last_outcome,
            draft,
            typed,
            history_pos,
            editor,
            editor_applied,
        })
    }
}

/// A cheap handle to the session for child components: equal while nothing has changed.
#[derive(Clone)]
pub struct SimRef {
    pub session: Rc<RefCell<Session>>,
    pub version: u64,
}

impl PartialEq for SimRef {
    fn eq(&self, other: &Self) -> bool {
        self.version == other.version && Rc::ptr_eq(&self.session, &other.session)
    }
}

impl SimRef {
    /// The simulation, borrowed for rendering.
    pub fn sim(&self) -> Ref<'_, Sim> {
        Ref::map(self.session.borrow(), Session::sim)
    }
}

impl AppState {
    pub fn sim_ref(&self) -> SimRef {
        SimRef {
            session: self.session.clone(),
            version: self.version,
        }
    }
}
