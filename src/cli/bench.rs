//! `kubestep bench etcd|flow`: runs the etcd store benchmarks, or the flow view's timeline
//! costs (an Apply computed ahead, a step back, a scrub), natively with a wall clock.

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
        Some("flow") => {
            print!("{}", flow());
            0
        }
        Some(other) => {
            eprintln!("error: unknown benchmark \"{other}\" (known: etcd, flow)");
            1
        }
        None => {
            eprintln!("error: bench needs a target (known: etcd, flow)");
            1
        }
    }
}

/// The flow view's costs on the default cluster: what the page does on Apply, Step back and a
/// scrub, with the numbers a learner feels.
fn flow() -> String {
    use crate::console::{no_files, Session};
    use crate::flow::timeline::Timeline;
    let ms = |t: Instant| t.elapsed().as_secs_f64() * 1000.0;
    let mut out = String::new();
    let t0 = Instant::now();
    let session = Session::on(crate::cluster::booted(1));
    out += &format!("boot the default cluster           {:>9.2} ms\n", ms(t0));
    let mut t = Timeline::new(session);
    let t0 = Instant::now();
    t.act(|s| {
        s.type_line(
            "kubectl create deployment web --image=nginx --replicas=3",
            &no_files,
        )
    });
    out += &format!(
        "apply a 3-replica Deployment,      {:>9.2} ms  ({} deliveries computed ahead, {} checkpoints)\n",
        ms(t0),
        t.end() - t.position(),
        t.checkpoints()
    );
    t.seek(t.end());
    let mut copy_of = crate::console::Session::new(1);
    let t0 = Instant::now();
    for _ in 0..20 {
        std::hint::black_box(copy_of.checkpoint(1));
    }
    out += &format!(
        "copy a checkpoint (x20)            {:>9.3} ms each\n",
        ms(t0) / 20.0
    );
    let n = 500;
    let mut worst: f64 = 0.0;
    let t0 = Instant::now();
    for _ in 0..n {
        let s = Instant::now();
        t.step_back();
        worst = worst.max(ms(s));
    }
    out += &format!(
        "step back (x{n})                    {:>9.3} ms each, worst {worst:.3} ms\n",
        ms(t0) / f64::from(n)
    );
    let t0 = Instant::now();
    for _ in 0..n {
        t.step_forward();
    }
    out += &format!(
        "step forward, replayed (x{n})       {:>9.3} ms each\n",
        ms(t0) / f64::from(n)
    );
    let (start, end) = (t.start(), t.end());
    let mut worst: f64 = 0.0;
    let t0 = Instant::now();
    let points = 50u32;
    for i in 0..points {
        let s = Instant::now();
        t.seek(start + (end - start) * u64::from((i * 37) % points) / u64::from(points));
        worst = worst.max(ms(s));
    }
    out += &format!(
        "scrub to a random point (x{points})     {:>9.3} ms each, worst {worst:.3} ms\n",
        ms(t0) / f64::from(points)
    );
    out
}
