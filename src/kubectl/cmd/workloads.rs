//! The commands that create and change objects and workloads: scale, rollout, set image,
//! expose, label, annotate, run, create <kind>, patch and replace (registered together so
//! the command table takes them in one line).

pub mod create;
pub mod expose;
pub mod label;
pub mod overrides;
pub mod patch;
pub mod replace;
pub mod rollout;
pub mod run;
pub mod scale;
pub mod set;

use super::Command;

pub fn commands() -> Vec<Command> {
    let mut c = Vec::new();
    c.extend(scale::commands());
    c.extend(rollout::commands());
    c.extend(set::commands());
    c.extend(expose::commands());
    c.extend(label::commands());
    c.extend(run::commands());
    c.extend(create::commands());
    c.extend(patch::commands());
    c.extend(replace::commands());
    c
}
