//! The app's one reducer: every user action becomes an `Action`, applied here to the timeline
//! (the run and the learner's cursor in it) and the page's own state (console prompt, playback).

use std::cell::{Ref, RefCell};
use std::rc::Rc;

use yew::prelude::*;

use crate::console::Session;
use crate::flow::journal::{page_session, settled, Journal, PageState, Recorded, SessionFile};
use crate::flow::timeline::Timeline;
use crate::sim::{Sim, TraceEntry};

/// What the learner can do.
pub enum Action {
    /// One message forward (in "pod creation only", to the next message of the flow).
    Step,
    /// One message back (in "pod creation only", to the previous message of the flow).
    StepBack,
    /// The cursor to a position of the trace (the scrubber).
    Seek(u64),
    /// Home: back to where the learner last acted.
    Home,
    /// End: to the furthest point computed.
    End,
    /// The tracker: to the first message of a step (1-11) since the learner last acted.
    JumpToStep(u8),
    /// Play or pause.
    TogglePlay,
    /// One tick of playback (the page's interval timer while playing).
    Tick,
    /// Messages per second while playing.
    SetSpeed(u32),
    /// Only the messages of the pod creation flow, or all traffic.
    SetPodOnly(bool),
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
    /// Apply: `kubectl apply -f editor.yaml`, `editor.yaml` being the editor's text, in the
    /// current kubeconfig context (the admin's unless the learner switched). The cursor stays
    /// before it, for the learner to step through.
    Apply,
    /// Replace the whole session with a saved one (an imported file), replayed; a journal that
    /// cannot be replayed leaves the session as it is, with a notice.
    Restore(Box<SessionFile>),
    /// Show (`Some`) or dismiss (`None`) the notice under the top bar.
    Notice(Option<String>),
}

/// The app state. The timeline sits behind `Rc<RefCell<..>>` so that a step does not copy the
/// cluster; `version` changes on every action so yew re-renders.
#[derive(Clone)]
pub struct AppState {
    pub timeline: Rc<RefCell<Timeline>>,
    pub version: u64,
    /// What the prompt holds.
    pub draft: String,
    /// Lines typed so far, oldest first (the shell's history).
    pub typed: Vec<String>,
    /// Where Up/Down has got to in `typed`, and the line being typed before it started.
    pub history_pos: Option<(usize, String)>,
    pub playing: bool,
    /// Messages per second while playing.
    pub speed: u32,
    /// Step only through the messages of the pod creation flow.
    pub pod_only: bool,
    /// Where the learner last acted: the tracker counts the steps from here.
    pub flow_start: u64,
    /// The YAML editor's text.
    pub editor: String,
    /// The console entry (index into the session's entries) of the editor's last Apply, whose
    /// output the editor maps back to its lines.
    pub editor_applied: Option<usize>,
    /// Every action that changed the run, where it was taken: what is saved, exported, linked.
    pub journal: Rc<RefCell<Journal>>,
    /// A message for the learner under the top bar (a stored session that could not be read).
    pub notice: Option<String>,
}

impl PartialEq for AppState {
    fn eq(&self, other: &Self) -> bool {
        self.version == other.version && Rc::ptr_eq(&self.timeline, &other.timeline)
    }
}

impl AppState {
    /// A fresh cluster that has finished starting up (the API server has filled its caches and
    /// run its post-start hooks), as a cluster is when a learner first reaches it.
    pub fn new(seed: u64) -> Self {
        let timeline = Timeline::new(page_session(seed));
        let flow_start = timeline.position();
        AppState {
            timeline: Rc::new(RefCell::new(timeline)),
            version: 0,
            draft: String::new(),
            typed: Vec::new(),
            history_pos: None,
            playing: false,
            speed: 4,
            pod_only: false,
            flow_start,
            editor: crate::flow::editor::templates::DEFAULT.yaml.to_string(),
            editor_applied: None,
            journal: Rc::new(RefCell::new(Journal::new(seed))),
            notice: None,
        }
    }

    /// A saved session, replayed: the same run, cursor, editor, history and playback settings.
    pub fn restore(file: &SessionFile) -> Result<Self, String> {
        let timeline = file.replay().map_err(|e| e.to_string())?;
        let page = &file.page;
        Ok(AppState {
            timeline: Rc::new(RefCell::new(timeline)),
            version: 0,
            draft: String::new(),
            typed: page.typed.clone(),
            history_pos: None,
            playing: false,
            speed: page.speed,
            pod_only: page.pod_only,
            flow_start: page.flow_start,
            editor: page.editor.clone(),
            editor_applied: page.editor_applied,
            journal: Rc::new(RefCell::new(file.journal.clone())),
            notice: None,
        })
    }

    /// The whole session as saved.
    pub fn saved(&self) -> SessionFile {
        SessionFile {
            journal: self.journal.borrow().clone(),
            page: PageState {
                cursor: self.timeline.borrow().position(),
                flow_start: self.flow_start,
                editor: self.editor.clone(),
                editor_applied: self.editor_applied,
                typed: self.typed.clone(),
                speed: self.speed,
                pod_only: self.pod_only,
            },
        }
    }

    /// What the console printed at the cursor for the editor's last Apply.
    pub fn last_apply_output(&self) -> Option<String> {
        let timeline = self.timeline.borrow();
        let session = timeline.session();
        let entry = session.entries().get(self.editor_applied?)?;
        Some(session.output(entry))
    }

    pub fn sim_ref(&self) -> SimRef {
        SimRef {
            timeline: self.timeline.clone(),
            version: self.version,
        }
    }
}

/// Whether a trace entry is part of the pod creation flow.
fn in_flow(e: &TraceEntry) -> bool {
    e.step.is_some()
}

impl Reducible for AppState {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut timeline = self.timeline.clone();
        let mut draft = self.draft.clone();
        let mut typed = self.typed.clone();
        let mut history_pos = self.history_pos.clone();
        let mut playing = self.playing;
        let mut speed = self.speed;
        let mut pod_only = self.pod_only;
        let mut flow_start = self.flow_start;
        let mut editor = self.editor.clone();
        let mut editor_applied = self.editor_applied;
        let mut journal = self.journal.clone();
        let mut notice = self.notice.clone();
        if let Action::Restore(file) = &action {
            return match AppState::restore(file) {
                Ok(restored) => Rc::new(AppState {
                    version: self.version + 1,
                    ..restored
                }),
                Err(e) => Rc::new(AppState {
                    version: self.version + 1,
                    notice: Some(format!("The session could not be replayed: {e}")),
                    ..(*self).clone()
                }),
            };
        }
        // Editing changes nothing in the simulation: the components that render it keep their
        // props (and are not re-rendered on every keystroke).
        let sim_changes = !matches!(
            action,
            Action::EditorChanged(_) | Action::LoadTemplate(_) | Action::Notice(_)
        );
        {
            let mut t = timeline.borrow_mut();
            // A learner's action: taken at the cursor (a console action then follows the
            // command until the prompt is back, as a terminal shows it) and recorded there.
            let mut take = |t: &mut Timeline, action: Recorded| {
                playing = false;
                flow_start = t.position();
                journal.borrow_mut().take(t, action);
            };
            match action {
                Action::Step | Action::Tick => {
                    let moved = if pod_only {
                        t.step_forward_to(in_flow)
                    } else {
                        t.step_forward()
                    };
                    if !moved || (matches!(action, Action::Tick) && t.at_end()) {
                        playing = false;
                    }
                }
                Action::StepBack => {
                    playing = false;
                    if pod_only {
                        t.step_back_to(in_flow);
                    } else {
                        t.step_back();
                    }
                }
                Action::Seek(p) => t.seek(p),
                Action::Home => {
                    playing = false;
                    t.seek(flow_start);
                }
                Action::End => {
                    playing = false;
                    let end = t.end();
                    t.seek(end);
                }
                Action::JumpToStep(step) => {
                    playing = false;
                    t.seek_step(step, flow_start);
                }
                Action::TogglePlay => playing = !playing && !t.at_end(),
                Action::SetSpeed(s) => speed = s.clamp(1, 60),
                Action::SetPodOnly(on) => pod_only = on,
                Action::Restart => {
                    let seed = t.session().sim().seed();
                    let fresh = Timeline::new(page_session(seed));
                    flow_start = fresh.position();
                    drop(t);
                    timeline = Rc::new(RefCell::new(fresh));
                    // The journal describes the run: a fresh run has an empty one.
                    journal = Rc::new(RefCell::new(Journal::new(seed)));
                    playing = false;
                    history_pos = None;
                    editor_applied = None;
                }
                Action::Console(line) => {
                    let editor = Some(editor.clone());
                    take(
                        &mut t,
                        Recorded::Line {
                            line: line.clone(),
                            editor,
                        },
                    );
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
                Action::Finish => {
                    // The run computed ahead usually has the command's end: go there. Only a
                    // command still running at the end is waited for, as a terminal waits.
                    t.forward_until(settled);
                    if !settled(t.session()) {
                        take(&mut t, Recorded::Finish);
                    }
                }
                Action::Interrupt => take(&mut t, Recorded::Interrupt),
                Action::EditorSave(text) => {
                    // The command goes on from the save, as kubectl does when the editor exits.
                    take(&mut t, Recorded::EditorSave { text });
                }
                Action::EditorChanged(text) => editor = text,
                Action::LoadTemplate(name) => {
                    if let Some(template) = crate::flow::editor::templates::by_name(&name) {
                        editor = template.yaml.to_string();
                    }
                }
                Action::Apply => {
                    let editor = editor.clone();
                    take(&mut t, Recorded::Apply { editor });
                    editor_applied = t.session().entries().len().checked_sub(1);
                }
                Action::Notice(text) => notice = text,
                Action::Restore(_) => unreachable!("restored above"),
            }
        }
        Rc::new(AppState {
            timeline,
            version: self.version + u64::from(sim_changes),
            draft,
            typed,
            history_pos,
            playing,
            speed,
            pod_only,
            flow_start,
            editor,
            editor_applied,
            journal,
            notice,
        })
    }
}

/// A cheap handle to the timeline for child components: equal while nothing has changed.
#[derive(Clone)]
pub struct SimRef {
    pub timeline: Rc<RefCell<Timeline>>,
    pub version: u64,
}

impl PartialEq for SimRef {
    fn eq(&self, other: &Self) -> bool {
        self.version == other.version && Rc::ptr_eq(&self.timeline, &other.timeline)
    }
}

impl SimRef {
    /// The simulation at the cursor, borrowed for rendering.
    pub fn sim(&self) -> Ref<'_, Sim> {
        Ref::map(self.timeline.borrow(), |t| t.session().sim())
    }

    /// The console session at the cursor.
    pub fn session(&self) -> Ref<'_, Session> {
        Ref::map(self.timeline.borrow(), Timeline::session)
    }

    /// The whole timeline (positions, the head's full trace).
    pub fn timeline(&self) -> Ref<'_, Timeline> {
        self.timeline.borrow()
    }
}
