//! How a kubectl command talks to the world: a replayed program. A command is written as plain
//! straight-line code against [`Io`] (`io.call(request)?`, `io.print(...)`); when it needs an
//! answer the simulation has not delivered yet, `call` stops it with [`Fail::Pending`]. The actor
//! sends that request and, once the answer arrives, runs the command again from the start with
//! every answer so far recorded: the same inputs give the same requests, so the replay reaches
//! the new answer and goes on. Output is a pure function of the record, so the actor prints
//! only what is new after each run (a `get -w` grows its output as watch events arrive).
//!
//! This keeps kubectl's commands readable as the real ones are (sequential requests) while
//! the simulation stays sans-IO: no command ever blocks.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::apiserver::request::{HttpRequest, HttpResponse};
use crate::apiserver::watch::WatchEvent;
use crate::sim::SimTime;

use super::discovery::Discovery;
use super::kubeconfig::Kubeconfig;
use super::logging::RequestLog;

/// One request a run made and what came back.
#[derive(Clone, Debug)]
pub struct Exchange {
    pub request: HttpRequest,
    pub sent_at: SimTime,
    /// The answer (for a watch: its headers), once delivered.
    pub response: Option<(SimTime, HttpResponse)>,
    /// A watch's events so far, with their arrival times.
    pub events: Vec<(SimTime, WatchEvent)>,
}

/// Why a command stopped.
#[derive(Clone, Debug, PartialEq)]
pub enum Fail {
    /// It waits for the answer to the last request it made.
    Pending,
    /// It holds a watch open (`get -w`, `rollout status`) and waits for more events.
    Watching,
    /// It failed with this text (written to stderr as it stands, `error: ...` included) and
    /// exit code.
    Error { text: String, code: i32 },
}

impl Fail {
    /// `error: <message>`, exit code 1 (cmdutil.CheckErr's plain form).
    pub fn msg(message: impl std::fmt::Display) -> Fail {
        // CheckErr's fatal adds the line break only when the message lacks one.
        let mut text = format!("error: {message}");
        if !text.ends_with('\n') {
            text.push('\n');
        }
        Fail::Error { text, code: 1 }
    }

    /// Text printed as it stands, exit code 1.
    pub fn raw(text: impl Into<String>) -> Fail {
        Fail::Error {
            text: text.into(),
            code: 1,
        }
    }
}

pub type Res<T> = Result<T, Fail>;

/// A file the console handed to kubectl for `-f` (read by the page or from disk).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum FileEntry {
    File(String),
    /// A directory's entries (names relative to it), sorted.
    Dir(Vec<String>),
}

/// What a command may change when it finishes (applied by the actor, in this order).
#[derive(Clone, Debug, Default)]
pub struct Effects {
    /// A new kubeconfig (`config use-context`, `config set-context`).
    pub kubeconfig: Option<Kubeconfig>,
    /// Discovery fetched during the run, cached as `~/.kube/cache/discovery` is.
    pub discovery: Option<Arc<Discovery>>,
}

/// The world as one run of a command sees it.
pub struct Io<'a> {
    pub kubeconfig: &'a Kubeconfig,
    /// Discovery cached by an earlier command, if still fresh.
    pub cached_discovery: Option<Arc<Discovery>>,
    pub stdin: Option<&'a str>,
    pub files: &'a BTreeMap<String, FileEntry>,
    pub started: SimTime,
    record: &'a [Exchange],
    next: usize,
    /// What the learner did with each editor this run opened (`kubectl edit`), in order.
    editor: &'a [Option<String>],
    next_edit: usize,
    /// The text the command wants opened in the editor (set when it stops to wait for it).
    pub wants_editor: Option<String>,
    /// stdout and stderr as one stream, in the order written (what a terminal shows).
    pub out: String,
    /// The request the command needs sent (set when it stops with [`Fail::Pending`]).
    pub wants: Option<HttpRequest>,
    pub effects: Effects,
    pub log: RequestLog,
    /// Warnings already printed in this run (kubectl prints each once).
    warned: Vec<String>,
    /// The `Status` bodies of the error answers so far, in order (what `StandardErrorMessage`
    /// logs at `-v=4` for each API error it words).
    pub error_statuses: Vec<Arc<serde_json::Value>>,
}

impl<'a> Io<'a> {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        kubeconfig: &'a Kubeconfig,
        cached_discovery: Option<Arc<Discovery>>,
        stdin: Option<&'a str>,
        files: &'a BTreeMap<String, FileEntry>,
        started: SimTime,
        record: &'a [Exchange],
        editor: &'a [Option<String>],
        verbosity: u8,
    ) -> Io<'a> {
        Io {
            kubeconfig,
            cached_discovery,
            stdin,
            files,
            started,
            record,
            next: 0,
            editor,
            next_edit: 0,
            wants_editor: None,
            out: String::new(),
            wants: None,
            effects: Effects::default(),
            log: RequestLog::new(verbosity),
            warned: Vec::new(),
            error_statuses: Vec::new(),
        }
    }

    pub fn print(&mut self, text: impl AsRef<str>) {
        self.out.push_str(text.as_ref());
    }

    /// The simulated time now: when the latest answer arrived (or the command started).
    pub fn now(&self) -> SimTime {
        self.record[..self.next]
            .iter()
            .filter_map(|e| {
                e.events
                    .last()
                    .map(|(t, _)| *t)
                    .or(e.response.as_ref().map(|(t, _)| *t))
            })
            .max()
            .unwrap_or(self.started)
    }

    /// Opens `text` in the page's editor and returns what the learner saved (`None`: closed
    /// without saving), or stops the run until they do.
    pub fn edit(&mut self, text: String) -> Res<Option<String>> {
        if let Some(result) = self.editor.get(self.next_edit) {
            self.next_edit += 1;
            return Ok(result.clone());
        }
        self.wants_editor = Some(text);
        Err(Fail::Watching)
    }

    /// Sends `request` and returns its answer, or stops the run until it arrives.
    pub fn call(&mut self, request: HttpRequest) -> Res<HttpResponse> {
        let (sent_at, (at, response)) = self.exchange(request)?;
        let response = response.clone();
        let request = self.record[self.next - 1].request.clone();
        let at = *at;
        let out = self.log.response(&request, &response, sent_at, at);
        self.out.push_str(&out);
        self.print_warnings(&response);
        self.note_status(&response);
        Ok(response)
    }

    fn note_status(&mut self, response: &HttpResponse) {
        if response.status >= 400 {
            if let Some(status) = response.body_json().filter(|s| s["kind"] == "Status") {
                self.error_statuses.push(status);
            }
        }
    }

    /// client-go's warning handler as kubectl sets it up: each `Warning: 299 - "text"` header
    /// of an answer printed as `Warning: text`, once per run.
    fn print_warnings(&mut self, response: &HttpResponse) {
        for (name, value) in &response.headers {
            if !name.eq_ignore_ascii_case("Warning") {
                continue;
            }
            let Some(text) = value
                .strip_prefix("299 ")
                .and_then(|rest| rest.split_once(' '))
                .and_then(|(_agent, quoted)| serde_json::from_str::<String>(quoted).ok())
            else {
                continue;
            };
            if !self.warned.contains(&text) {
                self.out.push_str(&format!("Warning: {text}\n"));
                self.warned.push(text);
            }
        }
    }

    /// Opens a watch: returns its answer and the events delivered so far. The command prints
    /// them and then stops with [`Fail::Watching`] to wait for more.
    pub fn watch(&mut self, request: HttpRequest) -> Res<(HttpResponse, Vec<WatchEvent>)> {
        let (sent_at, (at, response)) = self.exchange(request)?;
        let response = response.clone();
        let at = *at;
        let ex = &self.record[self.next - 1];
        let events = ex.events.iter().map(|(_, e)| e.clone()).collect();
        let request = ex.request.clone();
        let out = self.log.response(&request, &response, sent_at, at);
        self.out.push_str(&out);
        self.print_warnings(&response);
        self.note_status(&response);
        Ok((response, events))
    }

    fn exchange(&mut self, request: HttpRequest) -> Res<(SimTime, &'a (SimTime, HttpResponse))> {
        let now = self.now();
        let pre = self.log.request(&request, now);
        self.out.push_str(&pre);
        match self.record.get(self.next) {
            Some(ex) => {
                // Replays are deterministic: the same run asks the same thing again.
                assert_eq!(
                    ex.request.url(),
                    request.url(),
                    "a kubectl replay diverged from its record"
                );
                self.next += 1;
                match &ex.response {
                    Some(r) => Ok((ex.sent_at, r)),
                    None => Err(Fail::Pending),
                }
            }
            None => {
                self.wants = Some(request);
                Err(Fail::Pending)
            }
        }
    }
}
