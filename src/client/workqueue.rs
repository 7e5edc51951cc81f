//! client-go's rate-limited work queue: a key is queued at most once, a key being processed is
//! not handed out twice, and failed keys come back after an exponential backoff
//! (`ItemExponentialFailureRateLimiter`, 5 ms doubling to 1000 s unless a controller sets its
//! own), on the simulation clock.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use crate::sim::{SimDuration, SimTime};

/// The default per-item backoff of controllers (5 ms base, 1000 s cap).
pub const BASE_DELAY: SimDuration = SimDuration::from_millis(5);
pub const MAX_DELAY: SimDuration = SimDuration::from_secs(1000);

#[derive(Clone, Debug)]
pub struct WorkQueue {
    queue: VecDeque<String>,
    queued: BTreeSet<String>,
    processing: BTreeSet<String>,
    /// Keys added while being processed: queued again when done.
    dirty: BTreeSet<String>,
    failures: BTreeMap<String, u32>,
    /// Keys waiting out a backoff, by the time they come back.
    waiting: BTreeMap<(SimTime, String), ()>,
    /// When each waiting key comes back (a key waits once: the sooner time wins, as in
    /// client-go's delaying queue).
    waiting_at: BTreeMap<String, SimTime>,
    /// The rate limiter's first delay and its cap.
    base_delay: SimDuration,
    max_delay: SimDuration,
}

impl Default for WorkQueue {
    fn default() -> Self {
        WorkQueue::with_backoff(BASE_DELAY, MAX_DELAY)
    }
}

impl WorkQueue {
    pub fn new() -> Self {
        WorkQueue::default()
    }

    /// A queue whose backoff stops growing at `max` (the namespace controller retries at least
    /// every minute).
    pub fn with_max_delay(max: SimDuration) -> Self {
        WorkQueue::with_backoff(BASE_DELAY, max)
    }

    /// A queue whose failed keys back off from `base` doubling to `max`
    /// (`NewTypedItemExponentialFailureRateLimiter(base, max)`).
    pub fn with_backoff(base: SimDuration, max: SimDuration) -> Self {
        WorkQueue {
            queue: VecDeque::new(),
            queued: BTreeSet::new(),
            processing: BTreeSet::new(),
            dirty: BTreeSet::new(),
            failures: BTreeMap::new(),
            waiting: BTreeMap::new(),
            waiting_at: BTreeMap::new(),
            base_delay: base,
            max_delay: max,
        }
    }

    /// Queues `key` unless it is already queued (or marks it dirty while it is processed).
    pub fn add(&mut self, key: &str) {
        if self.processing.contains(key) {
            self.dirty.insert(key.to_string());
            return;
        }
        if self.queued.insert(key.to_string()) {
            self.queue.push_back(key.to_string());
        }
    }

    /// The next key to process, if any.
    pub fn get(&mut self) -> Option<String> {
        let key = self.queue.pop_front()?;
        self.queued.remove(&key);
        self.processing.insert(key.clone());
        Some(key)
    }

    /// Processing of `key` finished (successfully or not).
    pub fn done(&mut self, key: &str) {
        self.processing.remove(key);
        if self.dirty.remove(key) {
            self.add(key);
        }
    }

    /// `key` succeeded: its backoff resets.
    pub fn forget(&mut self, key: &str) {
        self.failures.remove(key);
    }

    /// `key` failed: it comes back after its backoff. Returns when.
    pub fn add_rate_limited(&mut self, key: &str, now: SimTime) -> SimTime {
        let n = self.failures.entry(key.to_string()).or_insert(0);
        let shift = (*n).min(40);
        *n += 1;
        let delay = self
            .base_delay
            .as_millis()
            .saturating_mul(1u64 << shift)
            .min(self.max_delay.as_millis());
        self.add_after(key, now + SimDuration::from_millis(delay))
    }

    /// `AddAfter`: `key` is queued at `at` (or sooner, if it already waits for an earlier
    /// time). Returns when.
    pub fn add_after(&mut self, key: &str, at: SimTime) -> SimTime {
        match self.waiting_at.get(key) {
            Some(&old) if old <= at => old,
            old => {
                if let Some(old) = old {
                    self.waiting.remove(&(*old, key.to_string()));
                }
                self.waiting.insert((at, key.to_string()), ());
                self.waiting_at.insert(key.to_string(), at);
                at
            }
        }
    }

    /// Moves every key whose backoff is over back into the queue.
    pub fn tick(&mut self, now: SimTime) {
        let ready: Vec<(SimTime, String)> = self
            .waiting
            .range(..=(now, String::from("\u{10ffff}")))
            .map(|(k, _)| k.clone())
            .collect();
        for k in ready {
            self.waiting.remove(&k);
            self.waiting_at.remove(&k.1);
            self.add(&k.1);
        }
    }

    /// When the next backoff ends, if any key is waiting.
    pub fn next_wakeup(&self) -> Option<SimTime> {
        self.waiting.keys().next().map(|(t, _)| *t)
    }

    pub fn failures(&self, key: &str) -> u32 {
        self.failures.get(key).copied().unwrap_or(0)
    }

    pub fn len(&self) -> usize {
        self.queue.len()
    }

    pub fn is_empty(&self) -> bool {
        self.queue.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_queued_once_and_never_processed_twice_at_once() {
        let mut q = WorkQueue::new();
        q.add("a");
        q.add("a");
        q.add("b");
        assert_eq!(q.len(), 2);
        let a = q.get().unwrap();
        q.add("a"); // changed while processing: comes back after done
        assert_eq!(q.get().as_deref(), Some("b"));
        assert_eq!(q.get(), None);
        q.done(&a);
        assert_eq!(q.get().as_deref(), Some("a"));
    }

    #[test]
    fn add_after_waits_and_the_sooner_time_wins() {
        let mut q = WorkQueue::new();
        assert_eq!(q.add_after("ns", SimTime(5_000)), SimTime(5_000));
        assert_eq!(q.add_after("ns", SimTime(9_000)), SimTime(5_000));
        q.tick(SimTime(4_999));
        assert_eq!(q.get(), None);
        q.tick(SimTime(5_000));
        assert_eq!(q.get().as_deref(), Some("ns"));
    }

    #[test]
    fn the_backoff_can_be_capped() {
        let mut q = WorkQueue::with_max_delay(SimDuration::from_secs(60));
        let mut at = SimTime(0);
        for _ in 0..20 {
            at = q.add_rate_limited("ns", SimTime(0));
            q.tick(at);
            q.get();
            q.done("ns");
        }
        assert_eq!(at, SimTime(60_000));
    }

    #[test]
    fn failures_back_off_exponentially() {
        let mut q = WorkQueue::new();
        let t0 = SimTime(1_000);
        assert_eq!(q.add_rate_limited("a", t0), SimTime(1_005));
        q.tick(SimTime(1_005));
        assert_eq!(q.get().as_deref(), Some("a"));
        q.done("a");
        assert_eq!(q.add_rate_limited("a", SimTime(1_005)), SimTime(1_015));
        assert_eq!(
            q.add_rate_limited("a", SimTime(1_005)),
            SimTime(1_015),
            "waits once, sooner wins"
        );
        q.tick(SimTime(1_014));
        assert_eq!(q.get(), None);
        q.tick(SimTime(1_015));
        assert_eq!(q.get().as_deref(), Some("a"));
        q.done("a");
        q.forget("a");
        assert_eq!(q.failures("a"), 0);
        let mut last = SimTime(0);
        for _ in 0..60 {
            last = q.add_rate_limited("b", t0);
            q.tick(last);
            q.get();
            q.done("b");
        }
        assert_eq!(last, t0 + MAX_DELAY, "capped at 1000 s");
    }
}
