//! `kubestep bench etcd`: runs the etcd store benchmarks natively with a wall clock.

use std::time::Instant;

use crate::etcd::bench::{self, BenchScale};

/// Runs `kubestep bench <what>`; returns the exit code.
pub fn run(args: &[String]) -> i32 {
    match args.first().map(String::as_str) {
        Some("etcd") => {
            let start = Instant::now();
            let mut now_ms = || start.elapsed().as_secs_f64() * 1000.0;
            let lines = bench::run(&mut now_ms, BenchScale::default());
            print!("{}", bench::format_table(&lines));
            0
        }
        Some(other) => {
            eprintln!("error: unknown benchmark \"{other}\" (known: etcd)");
            1
        }
        None => {
            eprintln!("error: bench needs a target (known: etcd)");
            1
        }
    }
}
