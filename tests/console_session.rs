//! The console engine (`console::Session`), shared by the page and `kubestep console`: lines
//! run the way a terminal runs them, in simulated time, and the `sim` command drives the
//! simulation and injects faults that are learner inputs (in the input log and the trace).

use kubestep::console::{FileEntry, Session};
use kubestep::sim::{Addr, Fault, Input, SimDuration};

const SEED: u64 = 7;

fn no_files(_: &str) -> Option<FileEntry> {
    None
}

fn run(session: &mut Session, script: &str) -> String {
    session.run_script(script, &no_files)
}

#[test]
fn a_command_returns_its_prompt_as_soon_as_the_tool_is_done() {
    let mut s = Session::new(SEED);
    let before = s.sim().now();
    let out = run(&mut s, "kubectl get namespaces\n");
    assert!(
        out.starts_with("$ kubectl get namespaces\nNAME "),
        "seed {SEED}: {out}"
    );
    // Discovery and one list: milliseconds of simulated time, not a timer's period.
    let took = s.sim().now().as_millis() - before.as_millis();
    assert!(
        took < 1_000,
        "seed {SEED}: the prompt came back after {took} ms"
    );
    let entry = &s.entries()[0];
    assert!(!s.is_running(entry));
}

#[test]
fn timeout_interrupts_a_watch_after_exactly_that_much_simulated_time() {
    let mut s = Session::new(SEED);
    let before = s.sim().now();
    let out = run(&mut s, "timeout 10s kubectl get nodes -w\n");
    assert_eq!(
        s.sim().now().as_millis() - before.as_millis(),
        10_000,
        "seed {SEED}"
    );
    // The nodes were listed; coreutils' timeout echoes nothing when it stops the command.
    assert!(out.contains("worker-2 "), "seed {SEED}: {out}");
    assert!(!out.contains("^C"), "seed {SEED}: {out}");
    // The interrupt reached kubectl as an input.
    assert!(s
        .sim()
        .inputs()
        .iter()
        .any(|(_, i)| matches!(i, Input::Interrupt { .. })));
}

#[test]
fn a_watch_without_timeout_is_interrupted_at_the_limit_with_a_note() {
    let mut s = Session::new(SEED);
    s.limit = SimDuration::from_secs(30);
    let before = s.sim().now();
    let out = run(&mut s, "kubectl get namespaces --watch\n");
    assert_eq!(s.sim().now().as_millis() - before.as_millis(), 30_000);
    assert!(
        out.ends_with("^C\nkubestep: still running after 30s of simulated time, so the console interrupted it (run it as `timeout DURATION ...` to choose how long)\n"),
        "seed {SEED}: {out}"
    );
}

#[test]
fn faults_are_learner_inputs_in_the_input_log_and_the_trace() {
    let mut s = Session::new(SEED);
    let out = run(
        &mut s,
        "sim stop kubelet worker-1\nsim stop kubelet worker-1\nsim partition worker-2\nsim heal worker-2\nsim start kubelet worker-1\n",
    );
    assert_eq!(
        out,
        "$ sim stop kubelet worker-1\nkubelet/worker-1 stopped: messages to it are dropped\n\
         $ sim stop kubelet worker-1\nkubelet/worker-1 is already stopped\n\
         $ sim partition worker-2\nworker-2 partitioned: kubelet/worker-2 and kube-proxy/worker-2 cannot reach kube-apiserver\n\
         $ sim heal worker-2\nworker-2 healed: kubelet/worker-2 and kube-proxy/worker-2 reach kube-apiserver again\n\
         $ sim start kubelet worker-1\nkubelet/worker-1 started\n"
    );
    let faults: Vec<&Fault> = s
        .sim()
        .inputs()
        .iter()
        .filter_map(|(_, i)| match i {
            Input::Fault(f) => Some(f),
            _ => None,
        })
        .collect();
    assert_eq!(faults.len(), 5);
    assert_eq!(faults[0], &Fault::Stop(Addr::Kubelet("worker-1".into())));
    let traced: Vec<&str> = s
        .sim()
        .trace()
        .entries()
        .iter()
        .filter(|e| e.kind == "input")
        .map(|e| e.summary.as_str())
        .collect();
    assert!(traced.contains(&"$ sim partition worker-2"), "{traced:?}");
    assert!(!s.sim().is_stopped(&Addr::Kubelet("worker-1".into())));
}

#[test]
fn a_stopped_kubelet_makes_its_node_unknown_and_a_restart_brings_it_back() {
    let mut s = Session::new(SEED);
    let out = run(
        &mut s,
        "sim stop kubelet worker-1\nsim advance 60s\nkubectl get node worker-1 --no-headers\nsim start kubelet worker-1\nsleep 5\nkubectl get node worker-1 --no-headers\n",
    );
    let rows: Vec<&str> = out.lines().filter(|l| l.starts_with("worker-1")).collect();
    assert_eq!(rows.len(), 2, "seed {SEED}: {out}");
    assert!(rows[0].contains(" Unknown "), "seed {SEED}: {out}");
    assert!(rows[1].contains(" Ready "), "seed {SEED}: {out}");
}

#[test]
fn sim_compact_makes_kube_apiserver_compact_etcd_to_the_current_revision() {
    let mut s = Session::new(SEED);
    let out = run(
        &mut s,
        "sim compact\netcdctl get /registry/namespaces/default --rev=2\n",
    );
    assert!(
        out.contains("$ sim compact\nkube-apiserver compacted etcd at revision "),
        "seed {SEED}: {out}"
    );
    assert!(
        out.contains("required revision has been compacted"),
        "seed {SEED}: {out}"
    );
    assert!(s
        .sim()
        .trace()
        .entries()
        .iter()
        .any(|e| e.summary == "$ sim compact"));
}

#[test]
fn sim_drives_the_clock_and_says_what_it_did() {
    let mut s = Session::new(SEED);
    let before = s.sim().now().as_millis();
    let out = run(&mut s, "sim seed\nsim advance 90s\n");
    assert!(out.starts_with("$ sim seed\n7\n$ sim advance 90s\nadvanced to "));
    assert_eq!(s.sim().now().as_millis(), before + 90_000);
    let delivered = s.sim().trace().len();
    let out = run(&mut s, "sim step 3\n");
    assert_eq!(s.sim().trace().len(), delivered + 3);
    assert_eq!(out.lines().count(), 4, "{out}");
    let out = run(
        &mut s,
        "sim run\nsim frob\nsim step zero\nsim stop kubelet worker-9\n",
    );
    assert!(out.contains("$ sim run\nidle at "), "{out}");
    assert!(out.contains("sim: unknown command \"frob\"\nRun 'sim help' for usage.\n"));
    assert!(out.contains("sim step: invalid count \"zero\""));
    assert!(out.contains("no node \"worker-9\" (nodes: control-plane, worker-1, worker-2)"));
}

#[test]
fn the_shell_answers_like_bash() {
    let mut s = Session::new(SEED);
    let out = run(
        &mut s,
        "# a comment is not a command\nfrob --now\necho hello   world\ncat nope.yaml | kubectl apply -f -\nsleep ten\n",
    );
    assert_eq!(
        out,
        "$ frob --now\nkubestep: frob: command not found\n\
         $ echo hello   world\nhello world\n\
         $ cat nope.yaml | kubectl apply -f -\ncat: nope.yaml: No such file or directory\nerror: no objects passed to apply\n\
         $ sleep ten\nsleep: invalid time interval 'ten'\nTry 'sleep --help' for more information.\n"
    );
}

#[test]
fn a_syntax_error_stops_the_script_after_the_lines_before_it() {
    let mut s = Session::new(SEED);
    let out = run(&mut s, "echo one\necho 'two\necho three\n");
    assert_eq!(
        out,
        "$ echo one\none\n$ echo 'two\necho three\nkubestep: line 2: unexpected EOF while looking for matching `''\n"
    );
}

#[test]
fn lines_typed_at_the_page_prompt_give_what_the_native_console_prints() {
    let script = "kubectl get pods -A\ncat <<EOF | kubectl apply -f -\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: typed\nEOF\nkubectl get configmaps\nkubectl delete configmap typed\n";
    let mut native = Session::new(SEED);
    let transcript = run(&mut native, script);
    // The page: each line goes on the bus when typed (the learner may step through it) and
    // the next line waits for it; Finish waits for the last.
    let mut page = Session::new(SEED);
    page.type_line("kubectl get pods -A", &no_files);
    page.sim_mut().step();
    page.type_line(
        "cat <<EOF | kubectl apply -f -\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: typed\nEOF",
        &no_files,
    );
    page.type_line("kubectl get configmaps", &no_files);
    page.type_line("# a comment shows at the prompt", &no_files);
    page.type_line("kubectl delete configmap typed", &no_files);
    page.finish();
    let shown: String = page
        .entries()
        .iter()
        .filter(|e| !e.blank)
        .map(|e| page.transcript_of(e))
        .collect();
    assert_eq!(shown, transcript, "seed {SEED}");
    assert_eq!(
        page.sim().trace().hash_hex(),
        native.sim().trace().hash_hex(),
        "seed {SEED}"
    );
}

#[test]
fn the_same_seed_and_script_give_the_same_transcript_and_trace() {
    let script = "kubectl apply -f - <<EOF\napiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n  - name: web\n    image: nginx\nEOF\ntimeout 5s kubectl get pods -w\nsim partition worker-2\nsleep 2\nsim heal worker-2\n";
    let mut a = Session::new(SEED);
    let mut b = Session::new(SEED);
    assert_eq!(run(&mut a, script), run(&mut b, script));
    assert_eq!(a.sim().trace().hash_hex(), b.sim().trace().hash_hex());
}
