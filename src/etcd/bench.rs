//! Benchmarks of the etcd store, runnable natively (`kubestep bench etcd`) and in the browser:
//! the caller passes a clock (`&mut dyn FnMut() -> f64` returning milliseconds), so this code
//! never touches a wall clock itself.

use crate::etcd::api::{PutRequest, RangeRequest, WatchCreateRequest};
use crate::etcd::mvcc::{Bytes, KvStore, RangeOptions, WatchableStore};
use crate::etcd::prefix_end;

/// How much work each benchmark does.
#[derive(Clone, Copy, Debug)]
pub struct BenchScale {
    pub puts: usize,
    pub gets: usize,
    pub ranges: usize,
    pub watchers: usize,
    pub watched_puts: usize,
}

impl Default for BenchScale {
    fn default() -> Self {
        BenchScale {
            puts: 200_000,
            gets: 200_000,
            ranges: 2_000,
            watchers: 100,
            watched_puts: 2_000,
        }
    }
}

/// One measured line of the report.
#[derive(Clone, Debug, PartialEq)]
pub struct BenchLine {
    pub name: &'static str,
    pub value: f64,
    pub unit: &'static str,
}

const VALUE_SIZE: usize = 1024;

fn key(i: usize) -> Vec<u8> {
    format!("/registry/pods/default/pod-{i:07}").into_bytes()
}

fn store() -> KvStore {
    KvStore::new(2, 128)
}

/// Runs every benchmark and returns its lines.
pub fn run(now_ms: &mut dyn FnMut() -> f64, scale: BenchScale) -> Vec<BenchLine> {
    let mut lines = Vec::new();
    let value: Bytes = Bytes::from(vec![b'x'; VALUE_SIZE]);
    let keys: Vec<Vec<u8>> = (0..scale.puts.max(1000)).map(key).collect();

    // Puts through the store API: a new key each time, the 1 KiB value shared.
    let mut kv = store();
    let t0 = now_ms();
    for k in keys.iter().take(scale.puts) {
        kv.put(k, value.clone(), 0);
    }
    let ms = now_ms() - t0;
    lines.push(BenchLine {
        name: "put, 1 KiB value (store API)",
        value: per_sec(scale.puts, ms),
        unit: "puts/s",
    });

    // Puts as a client request: the value is copied out of the request.
    let n = scale.puts / 4;
    let mut kv2 = store();
    let requests: Vec<PutRequest> = keys
        .iter()
        .take(n)
        .map(|k| PutRequest {
            key: k.clone(),
            value: vec![b'x'; VALUE_SIZE],
            ..PutRequest::default()
        })
        .collect();
    let t0 = now_ms();
    for r in &requests {
        kv2.put_request(r).expect("a valid put");
    }
    let ms = now_ms() - t0;
    drop(kv2);
    lines.push(BenchLine {
        name: "put, 1 KiB value (PutRequest)",
        value: per_sec(n, ms),
        unit: "puts/s",
    });

    // Single-key gets.
    let live = scale.puts.max(1);
    let t0 = now_ms();
    let mut found = 0usize;
    for i in 0..scale.gets {
        let k = &keys[(i * 7919) % live];
        found += kv
            .range(k, &[], RangeOptions::default())
            .expect("a read")
            .kvs
            .len();
    }
    let ms = now_ms() - t0;
    assert_eq!(found, scale.gets, "every key read back");
    lines.push(BenchLine {
        name: "get, one key (store API)",
        value: per_sec(scale.gets, ms),
        unit: "gets/s",
    });

    // A prefix range over 1,000 keys, among others.
    let mut kv3 = store();
    for i in 0..1000 {
        kv3.put(
            format!("/registry/pods/kube-system/pod-{i:04}").as_bytes(),
            value.clone(),
            0,
        );
    }
    for k in keys.iter().take(10_000) {
        kv3.put(k, value.clone(), 0);
    }
    let prefix = b"/registry/pods/kube-system/".to_vec();
    let end = prefix_end(&prefix);
    let t0 = now_ms();
    for _ in 0..scale.ranges {
        let rr = kv3
            .range(&prefix, &end, RangeOptions::default())
            .expect("a read");
        assert_eq!(rr.kvs.len(), 1000);
    }
    let ms = now_ms() - t0;
    lines.push(BenchLine {
        name: "prefix range, 1,000 keys (store API)",
        value: ms * 1000.0 / scale.ranges.max(1) as f64,
        unit: "µs",
    });
    let req = RangeRequest {
        key: prefix.clone(),
        range_end: end.clone(),
        ..RangeRequest::default()
    };
    let reps = (scale.ranges / 10).max(1);
    let t0 = now_ms();
    for _ in 0..reps {
        let resp = kv3.range_request(&req).expect("a read");
        assert_eq!(resp.count, 1000);
    }
    let ms = now_ms() - t0;
    lines.push(BenchLine {
        name: "prefix range, 1,000 keys (RangeResponse)",
        value: ms * 1000.0 / reps as f64,
        unit: "µs",
    });
    drop(kv3);

    // Watch fan-out: N watchers on one prefix, every put an event for each.
    let mut ws = WatchableStore::new(store());
    let wprefix = b"/registry/pods/".to_vec();
    for _ in 0..scale.watchers {
        ws.watch(&WatchCreateRequest {
            key: wprefix.clone(),
            range_end: prefix_end(&wprefix),
            ..WatchCreateRequest::default()
        });
    }
    let t0 = now_ms();
    let mut events = 0usize;
    for k in keys.iter().take(scale.watched_puts) {
        let before = ws.kv.current_rev();
        ws.kv.put(k, value.clone(), 0);
        events += ws
            .notify(before)
            .iter()
            .map(|o| o.response.events.len())
            .sum::<usize>();
    }
    let ms = now_ms() - t0;
    assert_eq!(events, scale.watchers * scale.watched_puts);
    lines.push(BenchLine {
        name: if scale.watchers == 100 {
            "watch fan-out, 100 watchers"
        } else {
            "watch fan-out"
        },
        value: per_sec(events, ms),
        unit: "events/s",
    });
    lines
}

fn per_sec(n: usize, ms: f64) -> f64 {
    if ms <= 0.0 {
        f64::INFINITY
    } else {
        n as f64 * 1000.0 / ms
    }
}

/// The report as a small table.
pub fn format_table(lines: &[BenchLine]) -> String {
    let width = lines.iter().map(|l| l.name.len()).max().unwrap_or(0);
    let mut out = format!("{:<width$}  {:>14}  UNIT\n", "BENCHMARK", "VALUE");
    for l in lines {
        out.push_str(&format!(
            "{:<width$}  {:>14.1}  {}\n",
            l.name, l.value, l.unit
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tiny_run_measures_every_line() {
        let mut t = 0.0;
        let mut clock = || {
            t += 1.0;
            t
        };
        let scale = BenchScale {
            puts: 40,
            gets: 40,
            ranges: 10,
            watchers: 3,
            watched_puts: 5,
        };
        let lines = run(&mut clock, scale);
        assert_eq!(lines.len(), 6);
        assert!(lines.iter().all(|l| l.value > 0.0));
        assert!(format_table(&lines).starts_with("BENCHMARK"));
    }
}
