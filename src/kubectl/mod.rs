//! kubectl 1.33 as a client of the simulated kube-apiserver: it reads its kubeconfig, turns each
//! command into the HTTP requests the real kubectl makes, and prints what the real one prints.
//! The actor at `Addr::Kubectl` runs each learner input as a replayed program (see [`io`]).

pub mod client;
pub mod cmd;
pub mod cmdutil;
pub mod deployment_util;
pub mod describe;
pub mod discovery;
pub mod explain;
pub mod flags;
pub mod io;
pub mod kubeconfig;
pub mod logging;
pub mod manifest;
pub mod output;
pub mod polymorphichelpers;
pub mod printers;
pub mod resource;

use std::any::Any;
use std::collections::BTreeMap;
use std::sync::Arc;

use crate::sim::{Actor, Addr, Annotation, Ctx, Envelope, Input, Message, SimTime};

use discovery::Discovery;
use io::{Exchange, Fail, FileEntry, Io};
use kubeconfig::Kubeconfig;

/// One command in progress.
#[derive(Clone, Debug)]
struct Run {
    argv: Vec<String>,
    stdin: Option<String>,
    files: BTreeMap<String, FileEntry>,
    started: SimTime,
    record: Vec<Exchange>,
    /// Request ids of `record`'s entries.
    ids: Vec<u64>,
    /// Bytes of output already printed.
    printed: usize,
    /// What the learner did with each editor the run opened.
    editor: Vec<Option<String>>,
    /// The text of the editor open now, waiting for the learner.
    editing: Option<String>,
}

/// The kubectl actor: the kubeconfig and discovery cache persist between commands, as the
/// files in `~/.kube` do.
#[derive(Clone, Debug, Default)]
pub struct Kubectl {
    pub kubeconfig: Kubeconfig,
    pub discovery: Option<Arc<Discovery>>,
    runs: BTreeMap<u64, Run>,
    /// Request id → input id.
    requests: BTreeMap<u64, u64>,
    next_request: u64,
}

impl Kubectl {
    pub fn new() -> Kubectl {
        Kubectl::default()
    }

    /// The editor a `kubectl edit` has open, waiting for the learner: its input and text.
    pub fn open_editor(&self) -> Option<(u64, &str)> {
        self.runs
            .iter()
            .find_map(|(id, r)| r.editing.as_deref().map(|t| (*id, t)))
    }

    fn start(&mut self, ctx: &mut Ctx<'_>, input_id: u64, input: &Input) {
        let Input::Kubectl { argv, stdin, files } = input else {
            return;
        };
        let run = Run {
            argv: argv.clone(),
            stdin: stdin.clone(),
            files: files.iter().cloned().collect(),
            started: ctx.now(),
            record: Vec::new(),
            ids: Vec::new(),
            printed: 0,
            editor: Vec::new(),
            editing: None,
        };
        self.runs.insert(input_id, run);
        self.advance(ctx, input_id);
    }

    /// Runs the command again with everything recorded so far, prints what is new, and sends
    /// the request it now waits for.
    fn advance(&mut self, ctx: &mut Ctx<'_>, input_id: u64) {
        let Some(run) = self.runs.get(&input_id) else {
            return;
        };
        let mut io = Io::new(
            &self.kubeconfig,
            self.discovery.clone(),
            run.stdin.as_deref(),
            &run.files,
            run.started,
            &run.record,
            &run.editor,
            0,
        );
        let result = cmd::run(&mut io, &run.argv);
        let (out, wants, effects, wants_editor) = (io.out, io.wants, io.effects, io.wants_editor);
        let done = match result {
            Ok(()) => true,
            // Waiting for an answer (a new request, or one already sent) or more events.
            Err(Fail::Pending) | Err(Fail::Watching) => false,
            Err(Fail::Error { .. }) => true,
        };
        let mut out = out;
        if let Err(Fail::Error { text, .. }) = &result {
            out.push_str(text);
        }
        let run = self.runs.get_mut(&input_id).expect("looked up above");
        // Output is a function of the record, so what was printed is a prefix of `out`.
        debug_assert!(out.len() >= run.printed, "kubectl's replay printed less");
        let new = out.get(run.printed..).unwrap_or_default().to_string();
        run.printed = out.len();
        run.editing = wants_editor;
        if let Some(request) = wants {
            let id = self.next_request;
            self.next_request += 1;
            run.record.push(Exchange {
                request: request.clone(),
                sent_at: ctx.now(),
                response: None,
                events: Vec::new(),
            });
            run.ids.push(id);
            self.requests.insert(id, input_id);
            // A write of an object is step 1 of the pod creation flow: the admin sends it.
            let step = matches!(request.method.as_str(), "POST" | "PUT" | "PATCH").then_some(1);
            ctx.send_annotated(
                Addr::ApiServer,
                Message::HttpRequest { id, request },
                Annotation { step, stage: None },
            );
        }
        if !new.is_empty() || done {
            ctx.print(input_id, new, done);
        }
        if done {
            if let Some(k) = effects.kubeconfig {
                self.kubeconfig = k;
            }
            if let Some(d) = effects.discovery {
                self.discovery = Some(d);
            }
            self.finish(ctx, input_id);
        }
    }

    /// Forgets a finished run and closes any stream it still holds open.
    fn finish(&mut self, ctx: &mut Ctx<'_>, input_id: u64) {
        if let Some(run) = self.runs.remove(&input_id) {
            for (i, id) in run.ids.iter().enumerate() {
                self.requests.remove(id);
                let ex = &run.record[i];
                let is_watch = ex.request.query_value("watch") == Some("true");
                if is_watch && ex.response.as_ref().is_some_and(|(_, r)| r.status == 200) {
                    ctx.send(Addr::ApiServer, Message::HttpCancel { id: *id });
                }
            }
        }
    }

    fn exchange_mut(&mut self, request_id: u64) -> Option<(u64, &mut Exchange)> {
        let input_id = *self.requests.get(&request_id)?;
        let run = self.runs.get_mut(&input_id)?;
        let i = run.ids.iter().position(|id| *id == request_id)?;
        Some((input_id, &mut run.record[i]))
    }
}

impl Actor for Kubectl {
    fn addr(&self) -> Addr {
        Addr::Kubectl
    }

    fn handle(&mut self, env: &Envelope, ctx: &mut Ctx<'_>) {
        let now = ctx.now();
        match &env.message {
            Message::Input {
                id,
                input: input @ Input::Kubectl { .. },
            } => self.start(ctx, *id, input),
            // Ctrl-C: kubectl exits at once, printing nothing more.
            Message::Input {
                input: Input::Interrupt { input_id },
                ..
            } if self.runs.contains_key(input_id) => {
                ctx.print(*input_id, "", true);
                self.finish(ctx, *input_id);
            }
            Message::Input {
                input: Input::EditorSave { input_id, text },
                ..
            } => {
                if let Some(run) = self.runs.get_mut(input_id) {
                    if run.editing.take().is_some() {
                        run.editor.push(text.clone());
                        self.advance(ctx, *input_id);
                    }
                }
            }
            Message::HttpResponse { id, response } => {
                if let Some((input_id, ex)) = self.exchange_mut(*id) {
                    ex.response = Some((now, response.clone()));
                    self.advance(ctx, input_id);
                }
            }
            Message::WatchEvent { id, event } => {
                if let Some((input_id, ex)) = self.exchange_mut(*id) {
                    ex.events.push((now, event.clone()));
                    self.advance(ctx, input_id);
                }
            }
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
