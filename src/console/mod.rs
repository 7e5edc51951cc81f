//! The console engine shared by the page and the native binary: a small shell that runs
//! `kubectl`, `etcdctl` and `sim` lines against the simulation.

pub mod script;

use crate::sim::Input;

/// The simulation input a parsed command stands for, or the shell's error for a command it
/// does not know.
pub fn input_for(command: &script::Command) -> Result<Input, String> {
    match command.argv.split_first() {
        Some((tool, args)) if tool == "etcdctl" => Ok(Input::Etcdctl {
            argv: args.to_vec(),
            stdin: command.stdin.clone(),
        }),
        Some((other, _)) => Err(format!("kubestep: {other}: command not found")),
        None => Err("kubestep: nothing to run".to_string()),
    }
}

/// Every input of a script, or the first line that cannot run.
pub fn inputs(
    text: &str,
    read_file: &dyn Fn(&str) -> Option<String>,
) -> Result<Vec<Input>, String> {
    let commands = script::parse(text, read_file).map_err(|e| format!("kubestep: {e}"))?;
    commands
        .iter()
        .map(|c| input_for(c).map_err(|e| format!("{e} (in: {})", c.source)))
        .collect()
}
