//! The learner's session as data: the seed and every action that changed the run, each with the
//! timeline position where it was taken. Replaying a journal rebuilds the run exactly (the run is
//! a function of the seed and its inputs), so the page saves, exports and links a session as
//! its journal, in a versioned JSON form that is parsed strictly.
//!
//! The page's reducer takes its actions through [`Journal::take`], so what is recorded is what
//! was done, by the same code that replays it.

use std::cell::Cell;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::console::{FileEntry, Session};
use crate::flow::timeline::Timeline;

/// The JSON form's version. A file with a higher one was written by a newer kubestep.
pub const FORMAT_VERSION: u64 = 1;

/// The largest session text read (a stored session, an imported file, a link's fragment):
/// a learner's session is kilobytes; anything far larger is not one.
pub const MAX_BYTES: usize = 4 << 20;

/// How far beyond what the run had computed a replay steps on to reach a recorded position:
/// the learner can step past the end one message at a time (playback stops at the end), so
/// ten thousand is far more than any session holds, and a forged position costs little.
const MAX_EXTEND: u64 = 10_000;

/// How many trace entries the page holds in full; older ones are only counted (a long-running
/// cluster's heartbeats would otherwise grow without end).
pub const TRACE_RETENTION: usize = 50_000;

/// The file that holds the editor's text, for Apply and for the console (`cat editor.yaml`,
/// `kubectl apply -f editor.yaml`).
pub const EDITOR_FILE: &str = "editor.yaml";

/// A console session on a fresh cluster that has finished starting up (the API server has
/// filled its caches and run its post-start hooks), with a bounded trace: where every page
/// session starts.
pub fn page_session(seed: u64) -> Session {
    let config = crate::sim::SimConfig {
        trace_retention: Some(TRACE_RETENTION),
        ..crate::sim::SimConfig::default()
    };
    Session::on(crate::cluster::booted_with(config, seed))
}

/// Whether no command at the cursor is still running.
pub fn settled(s: &Session) -> bool {
    !s.entries().iter().any(|e| s.is_running(e))
}

/// An action that changed the run, with what it read, so that replaying it does the same.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Recorded {
    /// A console line (Enter at the prompt, the "Acting as" switch). `editor` is the editor's
    /// text when the line read `editor.yaml`, and only then.
    Line {
        line: String,
        editor: Option<String>,
    },
    /// Apply: `kubectl apply -f editor.yaml` with this text in the editor.
    Apply { editor: String },
    /// Finish with a command still running at the end of the run: the terminal's wait.
    Finish,
    /// Ctrl-C.
    Interrupt,
    /// The learner saved (`Some`) or closed (`None`) the editor `kubectl edit` opened.
    EditorSave { text: Option<String> },
}

/// One action and the timeline position (deliveries so far) where it was taken.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JournalEntry {
    pub at: u64,
    pub action: Recorded,
}

/// The seed and the actions taken, oldest first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Journal {
    pub seed: u64,
    pub entries: Vec<JournalEntry>,
}

/// The files the page's commands can read: `editor.yaml` (when the editor's text is known),
/// noting in `read` whether it was asked for.
fn page_files<'a>(
    editor: Option<&'a str>,
    read: &'a Cell<bool>,
) -> impl Fn(&str) -> Option<FileEntry> + 'a {
    move |path: &str| {
        if path != EDITOR_FILE {
            return None;
        }
        read.set(true);
        editor.map(|text| FileEntry::File(text.to_string()))
    }
}

impl Recorded {
    /// Takes the action at the timeline's cursor, as the page does: a console action forks
    /// the run there and the cursor follows the command until the prompt is back; Apply leaves
    /// the cursor before it, for the learner to step through. Returns whether `editor.yaml`
    /// was read.
    pub fn act(&self, t: &mut Timeline) -> bool {
        let read = Cell::new(false);
        match self {
            Recorded::Line { line, editor } => {
                let files = page_files(editor.as_deref(), &read);
                t.act(|s| s.type_line(line, &files));
                t.forward_until(settled);
            }
            Recorded::Apply { editor } => {
                let files = page_files(Some(editor), &read);
                let line = format!("kubectl apply -f {EDITOR_FILE}");
                t.act(|s| s.type_line(&line, &files));
            }
            Recorded::Finish => {
                t.act(Session::finish);
                t.forward_until(settled);
            }
            Recorded::Interrupt => {
                t.act(Session::interrupt);
                t.forward_until(settled);
            }
            Recorded::EditorSave { text } => {
                t.act(|s| s.save_editor(text.clone()));
                t.forward_until(settled);
            }
        }
        read.get()
    }
}

/// Why a journal could not be replayed (a forged or damaged one: a recorded run always can).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReplayError {
    /// An entry's position is not one the cursor can stand at in the replayed run.
    Unreachable { entry: usize, at: u64 },
    /// The saved cursor is not one either.
    Cursor { at: u64 },
}

impl fmt::Display for ReplayError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReplayError::Unreachable { entry, at } => write!(
                f,
                "entry {entry}: position {at} cannot be reached in the replayed run"
            ),
            ReplayError::Cursor { at } => write!(
                f,
                "the cursor's position {at} cannot be reached in the replayed run"
            ),
        }
    }
}

/// Moves the cursor to `pos`, stepping the run on past what was computed if the learner had
/// (at most [`MAX_EXTEND`] deliveries). False if the cursor cannot stand exactly there.
pub fn reach(t: &mut Timeline, pos: u64) -> bool {
    t.seek(pos);
    let mut extended = 0;
    while t.position() < pos && t.at_end() && extended < MAX_EXTEND {
        if !t.step_forward() {
            break;
        }
        extended += 1;
    }
    t.position() == pos
}

impl Journal {
    pub fn new(seed: u64) -> Journal {
        Journal {
            seed,
            entries: Vec::new(),
        }
    }

    /// Takes `action` at the timeline's cursor and records it there. The editor's text is kept
    /// with a console line only if the line read it.
    pub fn take(&mut self, t: &mut Timeline, mut action: Recorded) {
        let at = t.position();
        let read = action.act(t);
        if let Recorded::Line { editor, .. } = &mut action {
            if !read {
                *editor = None;
            }
        }
        self.entries.push(JournalEntry { at, action });
    }

    /// The run rebuilt: a fresh page session from the seed, then each action at its position.
    /// The cursor is left where the last action left it.
    pub fn replay(&self) -> Result<Timeline, ReplayError> {
        let mut t = Timeline::new(page_session(self.seed));
        for (entry, e) in self.entries.iter().enumerate() {
            if !reach(&mut t, e.at) {
                return Err(ReplayError::Unreachable { entry, at: e.at });
            }
            e.action.act(&mut t);
        }
        Ok(t)
    }
}

/// What the page shows besides the run: restored with it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PageState {
    /// The cursor's position.
    pub cursor: u64,
    /// Where the learner last acted (the tracker counts steps from there).
    pub flow_start: u64,
    /// The YAML editor's text.
    pub editor: String,
    /// The console entry of the editor's last Apply.
    pub editor_applied: Option<usize>,
    /// The lines typed at the prompt, oldest first.
    pub typed: Vec<String>,
    /// Playback: messages per second.
    pub speed: u32,
    /// Playback: only the pod creation flow's messages.
    pub pod_only: bool,
}

/// A whole page session: the journal and the page around it. Its JSON form is
/// `{"kubestep": 1, "seed": .., "entries": [{"at": .., "action": {"kind": ..}}], "page": {..}}`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionFile {
    pub journal: Journal,
    pub page: PageState,
}

#[derive(Serialize)]
struct FileOut<'a> {
    kubestep: u64,
    seed: u64,
    entries: &'a [JournalEntry],
    page: &'a PageState,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileIn {
    #[allow(dead_code)]
    kubestep: serde_json::Value,
    seed: u64,
    #[allow(dead_code)]
    entries: serde_json::Value,
    page: PageState,
}

/// Why a text is not a session this page can open.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ParseError {
    TooLarge { bytes: usize },
    NotJson(String),
    NotKubestep,
    Newer { version: u64 },
    BadVersion,
    BadEntry { index: usize, reason: String },
    Bad(String),
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParseError::TooLarge { bytes } => write!(
                f,
                "too large to be a kubestep session ({bytes} bytes; at most {MAX_BYTES})"
            ),
            ParseError::NotJson(e) => write!(f, "not JSON: {e}"),
            ParseError::NotKubestep => {
                write!(f, "not a kubestep session (no \"kubestep\" format version)")
            }
            ParseError::Newer { version } => write!(
                f,
                "saved by a newer kubestep (format {version}; this page reads format {FORMAT_VERSION})"
            ),
            ParseError::BadVersion => write!(
                f,
                "not a kubestep session (its \"kubestep\" format version is not a positive integer)"
            ),
            ParseError::BadEntry { index, reason } => write!(f, "entry {index}: {reason}"),
            ParseError::Bad(e) => write!(f, "a damaged kubestep session: {e}"),
        }
    }
}

impl SessionFile {
    /// The JSON form.
    pub fn to_json(&self) -> String {
        serde_json::to_string(&FileOut {
            kubestep: FORMAT_VERSION,
            seed: self.journal.seed,
            entries: &self.journal.entries,
            page: &self.page,
        })
        .expect("a session serializes")
    }

    /// Reads the JSON form, strictly: every field known, every entry an action this version
    /// records. Never panics.
    pub fn parse(text: &str) -> Result<SessionFile, ParseError> {
        if text.len() > MAX_BYTES {
            return Err(ParseError::TooLarge { bytes: text.len() });
        }
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|e| ParseError::NotJson(e.to_string()))?;
        let version = value
            .as_object()
            .and_then(|o| o.get("kubestep"))
            .ok_or(ParseError::NotKubestep)?;
        match version.as_u64() {
            Some(0) | None => return Err(ParseError::BadVersion),
            Some(v) if v > FORMAT_VERSION => return Err(ParseError::Newer { version: v }),
            Some(_) => {}
        }
        let entries = match value.get("entries") {
            Some(serde_json::Value::Array(items)) => items
                .iter()
                .enumerate()
                .map(|(index, item)| {
                    JournalEntry::deserialize(item).map_err(|e| ParseError::BadEntry {
                        index,
                        reason: e.to_string(),
                    })
                })
                .collect::<Result<Vec<_>, _>>()?,
            Some(_) => return Err(ParseError::Bad("\"entries\" is not a list".into())),
            None => return Err(ParseError::Bad("missing field `entries`".into())),
        };
        let rest = FileIn::deserialize(&value).map_err(|e| ParseError::Bad(e.to_string()))?;
        if !(1..=60).contains(&rest.page.speed) {
            return Err(ParseError::Bad(format!(
                "playback speed {} is not 1-60 messages per second",
                rest.page.speed
            )));
        }
        Ok(SessionFile {
            journal: Journal {
                seed: rest.seed,
                entries,
            },
            page: rest.page,
        })
    }

    /// The run rebuilt with the cursor where it was.
    pub fn replay(&self) -> Result<Timeline, ReplayError> {
        let mut t = self.journal.replay()?;
        if !reach(&mut t, self.page.cursor) {
            return Err(ReplayError::Cursor {
                at: self.page.cursor,
            });
        }
        Ok(t)
    }
}
