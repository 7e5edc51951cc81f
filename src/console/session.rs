//! A console session: the simulation and the lines typed into it, run the way a terminal runs
//! them. The page's console and `kubestep console` both drive a [`Session`], so the same lines
//! give the same output in both.
//!
//! A tool line (`kubectl`, `etcdctl`) becomes a learner input on the bus. Waiting for it
//! ([`Session::finish`]) delivers messages one at a time, timers included, until the tool says
//! it is done: the clock stops where the real prompt would come back, and what the command set
//! in motion (a Deployment's pods being created and started) goes on only as time passes
//! (`sleep 5`, `sim advance 5s`, the next command's own time, or Step in the page). A command
//! still running after [`Session::limit`] of simulated time (a `kubectl get -w`) is interrupted
//! as Ctrl-C would; `timeout 10s kubectl get pods -w` interrupts it after 10 simulated seconds,
//! as coreutils' timeout does.
//!
//! The native console waits for each line before reading the next. The page leaves a typed
//! line on the bus for the learner to step through; typing the next tool line waits for it
//! first (as a terminal runs typed-ahead lines in turn), and `sim` lines act at once beside it.

use std::collections::BTreeSet;

use super::script::{self, Command};
use super::sim_command::{self, SimCommand};
use super::{file_text, input_for, FileEntry, Files};
use crate::sim::{Addr, Input, Message, RunOutcome, Sim, SimDuration, SimTime};

/// How long a command may run, in simulated time, before the session interrupts it.
pub const DEFAULT_LIMIT: SimDuration = SimDuration::from_secs(600);

/// One line the session ran and what it printed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// The line(s) as typed (a heredoc's lines included).
    pub source: String,
    /// Output of the shell itself, before the tool's: a pipe's stderr, a builtin's output, an
    /// error.
    pub before: String,
    /// The input whose console output follows, if the line became one.
    pub input_id: Option<u64>,
    /// What the session printed after the tool's output (`^C` when it interrupted it).
    pub after: String,
    /// When the line started, in simulated time.
    pub started: SimTime,
    /// When `timeout` interrupts it.
    deadline: Option<SimTime>,
    /// The prompt has come back: the session waited for it.
    settled: bool,
    /// A comment or blank line: shown at the page's prompt, left out of transcripts.
    pub blank: bool,
}

/// The simulation and the console lines run on it.
#[derive(Clone)]
pub struct Session {
    sim: Sim,
    entries: Vec<Entry>,
    /// How long a command may run before the session interrupts it.
    pub limit: SimDuration,
    /// Console outputs already scanned for a `done` mark, and the inputs found done.
    scanned: usize,
    done: BTreeSet<u64>,
    /// Close an editor a command opens (`kubectl edit`) without changes, as `EDITOR=true`
    /// would: a script has no one at the editor. The page leaves it open for the learner.
    close_editors: bool,
}

impl Session {
    /// A session on a fresh cluster that has finished starting up.
    pub fn new(seed: u64) -> Session {
        Session::on(crate::cluster::booted(seed))
    }

    /// A session on `sim` as it stands.
    pub fn on(sim: Sim) -> Session {
        Session {
            sim,
            entries: Vec::new(),
            limit: DEFAULT_LIMIT,
            scanned: 0,
            done: BTreeSet::new(),
            close_editors: false,
        }
    }

    /// A copy to go on from, with only the last `keep_trace` trace entries: see
    /// [`Sim::checkpoint`].
    pub fn checkpoint(&mut self, keep_trace: usize) -> Session {
        Session {
            sim: self.sim.checkpoint(keep_trace),
            entries: self.entries.clone(),
            limit: self.limit,
            scanned: self.scanned,
            done: self.done.clone(),
            close_editors: self.close_editors,
        }
    }

    pub fn sim(&self) -> &Sim {
        &self.sim
    }

    /// The simulation, for the page's Step and Run-until-idle buttons.
    pub fn sim_mut(&mut self) -> &mut Sim {
        &mut self.sim
    }

    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// Whether the tool running `input_id` has finished with it.
    pub fn is_done(&mut self, input_id: u64) -> bool {
        let console = self.sim.console();
        for o in &console[self.scanned..] {
            if o.done {
                self.done.insert(o.input_id);
            }
        }
        self.scanned = console.len();
        self.done.contains(&input_id)
    }

    /// The earliest `timeout` deadline of a command still running: a terminal interrupts it
    /// there.
    pub fn earliest_deadline(&self) -> Option<SimTime> {
        self.entries
            .iter()
            .filter(|e| !e.settled && self.is_running(e))
            .filter_map(|e| e.deadline)
            .min()
    }

    /// Whether an entry's command is still running (its tool has not said it is done).
    pub fn is_running(&self, entry: &Entry) -> bool {
        entry.input_id.is_some_and(|id| {
            !self
                .sim
                .console()
                .iter()
                .any(|o| o.input_id == id && o.done)
        })
    }

    /// Everything an entry printed so far.
    pub fn output(&self, entry: &Entry) -> String {
        let mut out = entry.before.clone();
        if let Some(id) = entry.input_id {
            for o in self.sim.console().iter().filter(|o| o.input_id == id) {
                out.push_str(&o.text);
            }
        }
        out.push_str(&entry.after);
        out
    }

    /// An entry as a transcript shows it: `$ line`, then its output ending in a newline.
    pub fn transcript_of(&self, entry: &Entry) -> String {
        let mut t = if entry.source.is_empty() {
            String::new()
        } else {
            format!("$ {}\n", entry.source)
        };
        let out = self.output(entry);
        t.push_str(&out);
        if !out.is_empty() && !out.ends_with('\n') {
            t.push('\n');
        }
        t
    }

    /// Runs a script as `bash script.sh` would, each command to its end, and returns its
    /// transcript (comments and blank lines left out). `files` answers `cat FILE` and kubectl's
    /// `-f`.
    pub fn run_script(&mut self, text: &str, files: Files<'_>) -> String {
        let first = self.entries.len();
        let (commands, error) = script::parse_prefix(text, &|p| file_text(files, p));
        self.close_editors = true;
        for c in &commands {
            self.start(c, files);
            self.finish();
        }
        self.close_editors = false;
        if let Some(e) = error {
            let rest: Vec<&str> = text.lines().skip(e.line - 1).collect();
            self.push_error(rest.join("\n"), format!("kubestep: {e}\n"));
        }
        self.entries[first..]
            .iter()
            .filter(|e| !e.blank)
            .map(|e| self.transcript_of(e))
            .collect()
    }

    /// A line typed at the page's prompt. A `sim` line acts at once, beside a command still
    /// running (so the learner can step through it); any other line first waits for the
    /// running command, as a terminal runs typed-ahead lines in turn, then starts and stays on
    /// the bus for the learner to step through.
    pub fn type_line(&mut self, text: &str, files: Files<'_>) {
        let (commands, error) = script::parse_prefix(text, &|p| file_text(files, p));
        if commands.is_empty() && error.is_none() {
            let mut entry = self.entry(text.trim_end().to_string());
            entry.blank = true;
            entry.settled = true;
            self.entries.push(entry);
            return;
        }
        let n = commands.len();
        for (i, c) in commands.iter().enumerate() {
            if c.argv.first().map(String::as_str) != Some("sim") {
                self.finish();
            }
            self.start(c, files);
            if i + 1 < n {
                self.finish();
            }
        }
        if let Some(e) = error {
            self.push_error(text.to_string(), format!("kubestep: {}\n", e.message));
        }
    }

    /// Waits, as a terminal does, for every command still running: see the module doc.
    pub fn finish(&mut self) {
        for i in 0..self.entries.len() {
            if !self.entries[i].settled {
                self.settle(i, false);
            }
        }
    }

    /// Ctrl-C: interrupts the command running in the foreground, if any.
    pub fn interrupt(&mut self) {
        let running = (0..self.entries.len())
            .rev()
            .find(|i| !self.entries[*i].settled && self.is_running(&self.entries[*i]));
        if let Some(i) = running {
            self.settle(i, true);
        }
    }

    fn entry(&self, source: String) -> Entry {
        Entry {
            source,
            before: String::new(),
            input_id: None,
            after: String::new(),
            started: self.sim.now(),
            deadline: None,
            settled: false,
            blank: false,
        }
    }

    fn push_error(&mut self, source: String, message: String) {
        let mut entry = self.entry(source);
        entry.before = message;
        entry.settled = true;
        self.entries.push(entry);
    }

    /// Starts one command: a shell builtin runs now, a tool's input goes on the bus.
    fn start(&mut self, c: &Command, files: Files<'_>) {
        let mut entry = self.entry(c.source.clone());
        entry.before = c.pipe_stderr.clone();
        self.run_words(&mut entry, c, &c.argv, files);
        if entry.input_id.is_none() {
            entry.settled = true;
        }
        self.entries.push(entry);
    }

    fn run_words(&mut self, entry: &mut Entry, c: &Command, argv: &[String], files: Files<'_>) {
        let Some((name, args)) = argv.split_first() else {
            // Only `VAR=value`: sets a shell variable, which no tool here reads.
            return;
        };
        match name.as_str() {
            "sim" => self.sim_command(entry, args),
            "echo" => entry.before += &script::echo(args),
            "cat" if args.is_empty() => entry.before += c.stdin.as_deref().unwrap_or_default(),
            "cat" => {
                for f in args {
                    entry.before += &match files(f) {
                        Some(FileEntry::File(text)) => text,
                        Some(FileEntry::Dir(_)) => format!("cat: {f}: Is a directory\n"),
                        None => format!("cat: {f}: No such file or directory\n"),
                    };
                }
            }
            "sleep" => match args {
                [d] => match sim_command::parse_coreutils_duration(d) {
                    Some(d) => {
                        self.sim.advance(d);
                    }
                    None => {
                        entry.before += &format!(
                            "sleep: invalid time interval '{d}'\nTry 'sleep --help' for more information.\n"
                        )
                    }
                },
                [] => entry.before += "sleep: missing operand\nTry 'sleep --help' for more information.\n",
                _ => entry.before += "kubestep: sleep takes one duration here (10, 10s, 2m)\n",
            },
            "timeout" => self.timeout(entry, c, args, files),
            "kubectl" | "etcdctl" => {
                let mut c = c.clone();
                c.argv = argv.to_vec();
                match input_for(&c, files) {
                    Ok(input) => entry.input_id = Some(self.sim.submit(input)),
                    Err(e) => entry.before += &format!("{e}\n"),
                }
            }
            other => entry.before += &format!("kubestep: {other}: command not found\n"),
        }
    }

    /// `timeout [-s SIGNAL] DURATION COMMAND...`: runs the command and interrupts it after
    /// DURATION of simulated time.
    fn timeout(&mut self, entry: &mut Entry, c: &Command, args: &[String], files: Files<'_>) {
        let usage = "Try 'timeout --help' for more information.\n";
        let mut i = 0;
        while let Some(a) = args.get(i) {
            match a.as_str() {
                "-s" | "--signal" | "-k" | "--kill-after" => i += 2,
                "--preserve-status" | "--foreground" | "-v" | "--verbose" => i += 1,
                a if a.starts_with("--signal=") || a.starts_with("--kill-after=") => i += 1,
                _ => break,
            }
        }
        let Some(d) = args.get(i) else {
            entry.before += &format!("timeout: missing operand\n{usage}");
            return;
        };
        let Some(duration) = sim_command::parse_coreutils_duration(d) else {
            entry.before += &format!("timeout: invalid time interval '{d}'\n{usage}");
            return;
        };
        let inner = &args[i + 1..];
        match inner.first().map(String::as_str) {
            None => entry.before += &format!("timeout: missing operand after '{d}'\n{usage}"),
            Some("kubectl" | "etcdctl" | "echo" | "cat") => {
                entry.deadline = Some(self.sim.now().saturating_add(duration));
                self.run_words(entry, c, inner, files);
            }
            Some("sleep") => {
                // `timeout 5 sleep 10`: five seconds pass.
                let wanted = inner
                    .get(1)
                    .and_then(|s| sim_command::parse_coreutils_duration(s))
                    .unwrap_or(duration);
                self.sim.advance(SimDuration(wanted.0.min(duration.0)));
            }
            Some(other) => {
                entry.before += &format!(
                    "timeout: failed to run command '{other}': No such file or directory\n"
                )
            }
        }
    }

    fn sim_command(&mut self, entry: &mut Entry, args: &[String]) {
        let nodes: Vec<String> = self
            .sim
            .addrs()
            .filter_map(|a| match a {
                Addr::Kubelet(n) => Some(n.clone()),
                _ => None,
            })
            .collect();
        let command = match sim_command::parse(args, &nodes) {
            Ok(c) => c,
            Err(e) => {
                entry.before += &e;
                return;
            }
        };
        match command {
            SimCommand::Help => entry.before += sim_command::HELP,
            SimCommand::Seed => entry.before += &format!("{}\n", self.sim.seed()),
            SimCommand::Step(n) => {
                let mut delivered = 0;
                for _ in 0..n {
                    let Some(e) = self.sim.step() else { break };
                    delivered += 1;
                    let line = format!(
                        "{}.{:03}s  {} → {}  {}\n",
                        e.time_ms / 1000,
                        e.time_ms % 1000,
                        e.from,
                        e.to,
                        e.summary
                    );
                    entry.before += &line;
                }
                if delivered == 0 {
                    entry.before += "nothing to deliver: no message is queued\n";
                }
            }
            SimCommand::Run => {
                let before = self.sim.trace().len();
                let outcome = self.sim.run_until_idle();
                let n = self.sim.trace().len() - before;
                entry.before += &match outcome {
                    RunOutcome::Idle => format!(
                        "idle at {}: {n} message{} delivered\n",
                        self.sim.now(),
                        if n == 1 { "" } else { "s" }
                    ),
                    RunOutcome::StepLimit => format!(
                        "stopped after the step limit at {} ({n} messages): some component keeps sending messages\n",
                        self.sim.now()
                    ),
                };
            }
            SimCommand::Advance(d) => {
                let before = self.sim.trace().len();
                let outcome = self.sim.advance(d);
                let n = self.sim.trace().len() - before;
                entry.before += &match outcome {
                    RunOutcome::Idle => format!(
                        "advanced to {}: {n} message{} delivered\n",
                        self.sim.now(),
                        if n == 1 { "" } else { "s" }
                    ),
                    RunOutcome::StepLimit => format!(
                        "stopped after the step limit at {} ({n} messages): some component keeps sending messages\n",
                        self.sim.now()
                    ),
                };
            }
            SimCommand::Inject(input) => entry.input_id = Some(self.sim.submit(input)),
        }
    }

    /// Waits for entry `i` as a terminal does; `ctrl_c` interrupts it at once.
    /// Whether input `id` has an editor open, waiting for the learner (`kubectl edit`).
    pub fn editor_open(&self, id: u64) -> bool {
        self.open_editor().is_some_and(|(i, _)| i == id)
    }

    /// The editor a command has open: its input id and text.
    pub fn open_editor(&self) -> Option<(u64, String)> {
        self.sim
            .actor::<crate::kubectl::Kubectl>(&crate::sim::Addr::Kubectl)
            .and_then(|k| k.open_editor().map(|(i, t)| (i, t.to_string())))
    }

    /// The learner saved (`Some`) or closed (`None`) the open editor.
    pub fn save_editor(&mut self, text: Option<String>) {
        if let Some((id, _)) = self.open_editor() {
            self.sim.submit(Input::EditorSave { input_id: id, text });
        }
    }

    fn settle(&mut self, i: usize, ctrl_c: bool) {
        let Some(id) = self.entries[i].input_id else {
            self.entries[i].settled = true;
            return;
        };
        let entry = &self.entries[i];
        let timeout = entry.deadline;
        let until = timeout.unwrap_or(entry.started.saturating_add(self.limit));
        if !ctrl_c {
            while !self.is_done(id) {
                if self.editor_open(id) {
                    if !self.close_editors {
                        // The learner is at the editor: the command waits for them.
                        return;
                    }
                    let save = self.sim.submit(Input::EditorSave {
                        input_id: id,
                        text: None,
                    });
                    // The close is a message to kubectl: deliver it before looking again, or
                    // the editor still shows open and the loop would close it forever (the
                    // command may open the next object's editor as soon as it arrives).
                    while self.sim.step().is_some() {
                        let delivered = self.sim.last_delivered().map(|e| &e.message);
                        if matches!(delivered, Some(Message::Input { id, .. }) if *id == save) {
                            break;
                        }
                    }
                    continue;
                }
                match self.sim.peek() {
                    Some(env) if env.deliver_at <= until => {
                        self.sim.step();
                    }
                    _ => {
                        let now = self.sim.now();
                        if until > now {
                            self.sim
                                .advance(SimDuration(until.as_millis() - now.as_millis()));
                        }
                        break;
                    }
                }
            }
        }
        if !self.is_done(id) {
            self.sim.submit(Input::Interrupt { input_id: id });
            self.entries[i].after = match (ctrl_c, timeout) {
                (true, _) => "^C\n".to_string(),
                // coreutils' timeout sends SIGTERM: nothing is echoed.
                (false, Some(_)) => String::new(),
                (false, None) => format!(
                    "^C\nkubestep: still running after {} of simulated time, so the console interrupted it (run it as `timeout DURATION ...` to choose how long)\n",
                    short_duration(self.limit)
                ),
            };
            // The tool stops on the interrupt; a fault or a compaction cannot be interrupted
            // and ends on its own.
            let give_up = self.sim.now().saturating_add(self.limit);
            while !self.is_done(id) {
                match self.sim.peek() {
                    Some(env) if env.deliver_at <= give_up => {
                        self.sim.step();
                    }
                    _ => break,
                }
            }
        }
        self.entries[i].settled = true;
    }
}

/// `10m`, `90s`, `1500ms`: a duration as a learner would type it.
fn short_duration(d: SimDuration) -> String {
    let ms = d.as_millis();
    match ms {
        ms if ms % 3_600_000 == 0 && ms > 0 => format!("{}h", ms / 3_600_000),
        ms if ms % 60_000 == 0 && ms > 0 => format!("{}m", ms / 60_000),
        ms if ms % 1000 == 0 => format!("{}s", ms / 1000),
        ms => format!("{ms}ms"),
    }
}
