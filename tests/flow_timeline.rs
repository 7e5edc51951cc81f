//! The flow view's timeline: stepping back shows the earlier state exactly, stepping forward
//! replays what happened, an action behind the head forks the run, and an action's run is
//! computed ahead far enough for the eleven steps.

use kubestep::console::{no_files, Session};

mod flow_support;
use flow_support::fingerprint;
use kubestep::flow::timeline::{self, Timeline, CHECKPOINT_EVERY};
use kubestep::sim::Addr;

fn timeline(seed: u64) -> Timeline {
    Timeline::new(Session::new(seed))
}

fn create_web(t: &mut Timeline) {
    t.act(|s| {
        s.type_line(
            "kubectl create deployment web --image=nginx --replicas=2",
            &no_files,
        )
    });
}

#[test]
fn an_action_is_computed_ahead_through_all_eleven_steps_and_the_cursor_stays_before_it() {
    let seed = 7;
    let mut t = timeline(seed);
    let before = t.position();
    create_web(&mut t);
    assert_eq!(
        t.position(),
        before,
        "seed {seed}: the cursor stays where the learner was"
    );
    assert!(t.end() > before, "seed {seed}: the run was computed ahead");
    let per_step = &t.head().sim().trace().summary().per_step;
    for step in 1..=11u8 {
        assert!(
            per_step.get(&step).copied().unwrap_or(0) > 0,
            "seed {seed}: step {step} happened ahead: {per_step:?}"
        );
    }
    // The first message after the cursor is kubectl's own request (step 1).
    assert!(t.step_forward());
    let entry = t.session().sim().trace().entries().last().cloned().unwrap();
    assert_eq!(
        entry.to,
        Addr::Kubectl,
        "seed {seed}: the input reaches kubectl first"
    );
    let first_request = t.find(t.position(), |e| e.kind == "http-request").unwrap();
    t.seek(first_request);
    let entry = t.session().sim().trace().entries().last().cloned().unwrap();
    assert_eq!(entry.from, Addr::Kubectl, "seed {seed}");
    assert_eq!(entry.step, Some(1), "seed {seed}");
    assert_eq!(entry.method.as_deref(), Some("POST"), "seed {seed}");
}

#[test]
fn stepping_back_restores_the_exact_earlier_state_and_stepping_forward_replays_it() {
    let seed = 3;
    let mut t = timeline(seed);
    create_web(&mut t);
    let n = 3 * CHECKPOINT_EVERY + 5;
    let mut seen = vec![fingerprint(t.session())];
    for _ in 0..n {
        assert!(t.step_forward(), "seed {seed}");
        seen.push(fingerprint(t.session()));
    }
    for i in (0..n as usize).rev() {
        assert!(t.step_back(), "seed {seed}");
        assert_eq!(
            fingerprint(t.session()),
            seen[i],
            "seed {seed}: one step back from {} is the state there",
            i + 1
        );
    }
    // A scrub to any point gives the same state as stepping there.
    for i in [n as usize, 1, 100, 17] {
        t.seek(t.start() + i as u64);
        assert_eq!(fingerprint(t.session()), seen[i], "seed {seed}: seek {i}");
    }
    // The last message shown at the cursor is the one delivered there.
    t.seek(t.start() + 40);
    let shown = t.session().sim().last_delivered().unwrap().seq;
    let traced = t.session().sim().trace().entries().last().unwrap().seq;
    assert_eq!(shown, traced, "seed {seed}");
}

#[test]
fn stepping_back_at_the_start_does_nothing_and_the_end_is_the_head() {
    let mut t = timeline(1);
    assert!(!t.step_back());
    create_web(&mut t);
    t.seek(u64::MAX);
    assert!(t.at_end());
    assert_eq!(t.position(), t.end());
    t.seek(0);
    assert_eq!(t.position(), t.start());
}

#[test]
fn an_action_behind_the_head_forks_the_run_as_if_it_had_been_taken_there() {
    let seed = 11;
    let mut t = timeline(seed);
    create_web(&mut t);
    let fork_at = t.start() + 150;
    t.seek(fork_at);
    t.act(|s| s.type_line("kubectl get pods", &no_files));
    assert_eq!(t.position(), fork_at, "seed {seed}");
    // The same actions on one session, stepped linearly to the same point.
    let mut linear = Session::new(seed);
    linear.type_line(
        "kubectl create deployment web --image=nginx --replicas=2",
        &no_files,
    );
    while timeline::position(&linear) < fork_at {
        linear.sim_mut().step();
    }
    linear.type_line("kubectl get pods", &no_files);
    while timeline::position(&linear) < t.end() {
        linear.sim_mut().step();
    }
    let head = t.head();
    assert_eq!(
        head.sim().trace().hash_hex(),
        linear.sim().trace().hash_hex(),
        "seed {seed}: the forked run is the run with the action taken there"
    );
    // The head holds the whole trace again, not a checkpoint's tail.
    assert_eq!(
        head.sim().trace().len(),
        linear.sim().trace().len(),
        "seed {seed}"
    );
    assert_eq!(
        head.sim().trace().entries(),
        linear.sim().trace().entries(),
        "seed {seed}"
    );
    // And stepping back from the end still works on the new run.
    t.seek(t.end());
    let end_state = fingerprint(t.session());
    t.step_back();
    t.step_forward();
    assert_eq!(fingerprint(t.session()), end_state, "seed {seed}");
}

#[test]
fn seek_step_finds_the_first_message_of_each_step() {
    let seed = 5;
    let mut t = timeline(seed);
    let from = t.position();
    create_web(&mut t);
    let mut last = from;
    for step in 1..=11u8 {
        assert!(t.seek_step(step, from), "seed {seed}: step {step}");
        let e = t.session().sim().trace().entries().last().cloned().unwrap();
        assert_eq!(e.step, Some(step), "seed {seed}");
        // Steps start in order in a single Deployment's flow.
        assert!(
            t.position() >= last,
            "seed {seed}: step {step} starts after step {}",
            step - 1
        );
        last = t.position();
    }
}

#[test]
fn an_action_that_runs_the_simulation_itself_is_jumped_over_both_ways() {
    let seed = 2;
    let mut t = timeline(seed);
    create_web(&mut t);
    t.seek(t.end());
    let before = t.position();
    let before_state = fingerprint(t.session());
    t.act(|s| s.type_line("sim advance 30s", &no_files));
    // The cursor shows the state before the action; one step on is where the action left it.
    assert_eq!(t.position(), before, "seed {seed}");
    assert_eq!(fingerprint(t.session()), before_state, "seed {seed}");
    assert!(t.step_forward());
    let after = t.position();
    assert!(
        after > before + 1,
        "seed {seed}: 30 s of heartbeats were delivered"
    );
    let after_state = fingerprint(t.session());
    // Every skipped state shows as the state the action left; a step back goes before it.
    t.seek(before + 1);
    assert_eq!(t.position(), after, "seed {seed}");
    assert_eq!(fingerprint(t.session()), after_state, "seed {seed}");
    assert!(t.step_back());
    assert_eq!(t.position(), before, "seed {seed}");
    assert_eq!(fingerprint(t.session()), before_state, "seed {seed}");
}

#[test]
fn stepping_forward_across_an_action_replays_it() {
    let seed = 4;
    let mut t = timeline(seed);
    // Two actions: the second is taken a few messages into the first one's run.
    t.act(|s| s.type_line("kubectl get nodes", &no_files));
    // (Done first, so the next line need not wait for it: that wait would be a jump.)
    t.forward_until(|s| !s.entries().iter().any(|e| s.is_running(e)));
    t.seek(t.position() + 10);
    let acted_at = t.position();
    create_web(&mut t);
    t.seek(acted_at + 30);
    let ahead = fingerprint(t.session());
    // Back before the second action, then forward across it: the same states again.
    t.seek(acted_at - 3);
    for _ in 0..33 {
        assert!(t.step_forward(), "seed {seed}");
    }
    assert_eq!(t.position(), acted_at + 30, "seed {seed}");
    assert_eq!(fingerprint(t.session()), ahead, "seed {seed}");
}

#[test]
fn a_command_under_timeout_is_computed_only_up_to_its_deadline() {
    let seed = 6;
    let mut t = timeline(seed);
    t.act(|s| s.type_line("timeout 5s kubectl get pods -A -w", &no_files));
    let head = t.head().sim();
    let next = head.peek().expect("heartbeats go on").deliver_at;
    let deadline = t.head().earliest_deadline().expect("the watch is running");
    assert!(head.now() <= deadline, "seed {seed}");
    assert!(
        next > deadline,
        "seed {seed}: nothing after the deadline was delivered"
    );
    // The next line interrupts it there, as a terminal's `timeout` does.
    t.seek(t.end());
    t.act(|s| s.type_line("kubectl get pod nope", &no_files));
    t.forward_until(|s| !s.entries().iter().any(|e| s.is_running(e)));
    let s = t.session();
    let out: String = s.entries().iter().map(|e| s.transcript_of(e)).collect();
    assert!(
        out.ends_with("Error from server (NotFound): pods \"nope\" not found\n"),
        "seed {seed}: {out}"
    );
}

#[test]
fn an_apply_is_computed_ahead_until_its_pods_run() {
    let seed = 9;
    let mut t = timeline(seed);
    create_web(&mut t);
    t.seek(t.end());
    t.act(|s| s.type_line("kubectl get pods --no-headers", &no_files));
    t.forward_until(|s| !s.entries().iter().any(|e| s.is_running(e)));
    let s = t.session();
    let out = s.output(s.entries().last().unwrap());
    assert_eq!(
        out.lines().filter(|l| l.contains(" Running ")).count(),
        2,
        "seed {seed}: both pods run by the end of the run computed ahead:\n{out}"
    );
}

#[test]
fn pod_creation_only_steps_from_one_flow_message_to_the_next_and_back() {
    let seed = 8;
    let mut t = timeline(seed);
    create_web(&mut t);
    let in_flow = |e: &kubestep::sim::TraceEntry| e.step.is_some();
    let mut seen = Vec::new();
    while t.step_forward_to(in_flow) {
        let e = t.session().sim().trace().entries().last().cloned().unwrap();
        assert!(e.step.is_some(), "seed {seed}: only flow messages");
        seen.push(t.position());
    }
    assert!(seen.len() > 11, "seed {seed}: the whole flow was stepped");
    assert_eq!(
        t.position(),
        *seen.last().unwrap(),
        "seed {seed}: stays on the last one"
    );
    for expected in seen.iter().rev().skip(1) {
        assert!(t.step_back_to(in_flow), "seed {seed}");
        assert_eq!(t.position(), *expected, "seed {seed}");
    }
    assert!(
        !t.step_back_to(in_flow),
        "seed {seed}: nothing of the flow before the first"
    );
}
