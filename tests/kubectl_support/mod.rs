//! Runs console lines against a booted cluster the way a learner types them, and collects
//! what each printed.
#![allow(dead_code)]

use kubestep::console::{self, FileEntry};
use kubestep::sim::{Sim, SimDuration};

pub struct Console {
    pub sim: Sim,
    pub seed: u64,
    pub files: Vec<(String, FileEntry)>,
}

impl Console {
    pub fn new(seed: u64) -> Console {
        Console {
            sim: kubestep::cluster::booted(seed),
            seed,
            files: Vec::new(),
        }
    }

    pub fn file(&mut self, path: &str, text: &str) {
        self.files
            .push((path.to_string(), FileEntry::File(text.to_string())));
    }

    /// Runs one line; waits (in simulated time, up to `limit`) until the command is done,
    /// then returns its output. A command still running then is interrupted (Ctrl-C).
    pub fn run_for(&mut self, line: &str, limit: SimDuration) -> String {
        let files = self.files.clone();
        let lookup = move |p: &str| files.iter().find(|(f, _)| f == p).map(|(_, e)| e.clone());
        let commands = console::script::parse(line, &|p| console::file_text(&lookup, p))
            .unwrap_or_else(|e| panic!("seed {}: {line}: {e}", self.seed));
        let mut out = String::new();
        for c in commands {
            let input = console::input_for(&c, &lookup)
                .unwrap_or_else(|e| panic!("seed {}: {e}", self.seed));
            let id = self.sim.submit(input);
            self.sim.run_until_idle();
            let mut waited = SimDuration::from_millis(0);
            while !self.done(id) && waited.0 < limit.0 {
                self.sim.advance(SimDuration::from_millis(500));
                self.sim.run_until_idle();
                waited = SimDuration(waited.0 + 500);
            }
            if !self.done(id) {
                self.sim
                    .submit(kubestep::sim::Input::Interrupt { input_id: id });
                self.sim.run_until_idle();
            }
            out += &self.output(id);
        }
        out
    }

    pub fn run(&mut self, line: &str) -> String {
        self.run_for(line, SimDuration::from_secs(120))
    }

    fn done(&self, id: u64) -> bool {
        self.sim
            .console()
            .iter()
            .any(|o| o.input_id == id && o.done)
    }

    fn output(&self, id: u64) -> String {
        self.sim
            .console()
            .iter()
            .filter(|o| o.input_id == id)
            .map(|o| o.text.as_str())
            .collect()
    }
}
