//! The editor's templates, applied as the page applies them (`kubectl apply -f editor.yaml` as
//! the admin) on a booted cluster with every real component: the valid ones are created and
//! reach their state (Pods Running, the Job Complete, a DaemonSet Pod on every node), the Pod
//! that asks for too much CPU stays Pending with the scheduler's reason, the mistyped image
//! ends in ErrImagePull/ImagePullBackOff, and the invalid Pod's 422 is mapped back to the
//! editor's lines with the server's text.

mod kubectl_support;

use kubectl_support::Console;
use kubestep::flow::editor::field_lines::server_diagnostics;
use kubestep::flow::editor::lint::lint;
use kubestep::flow::editor::templates::{by_name, Template, DEFAULT, TEMPLATES};
use kubestep::flow::editor::Diagnostic;
use kubestep::sim::SimDuration;
use serde_json::Value;

const SEED: u64 = 7;

fn template(name: &str) -> &'static Template {
    by_name(name).unwrap_or_else(|| panic!("no template {name:?}"))
}

/// Applies a template as the editor's Apply does, and returns what kubectl printed.
fn apply(c: &mut Console, t: &Template) -> String {
    assert_eq!(lint(t.yaml), vec![], "{}", t.name);
    c.files.retain(|(path, _)| path != "editor.yaml");
    c.file("editor.yaml", t.yaml);
    c.run("kubectl apply -f editor.yaml")
}

fn get_json(c: &mut Console, what: &str) -> Value {
    let out = c.run(&format!("kubectl get {what} -o json"));
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("seed {}: {what}: {e}: {out}", c.seed))
}

/// Lets simulated time pass, a second at a time, until `done` holds of `kubectl get what`
/// (at most `limit_secs`); returns the last object read.
fn wait_for(c: &mut Console, what: &str, limit_secs: u64, done: impl Fn(&Value) -> bool) -> Value {
    for _ in 0..limit_secs {
        let v = get_json(c, what);
        if done(&v) {
            return v;
        }
        c.sim.advance(SimDuration::from_secs(1));
        c.sim.run_until_idle();
    }
    let v = get_json(c, what);
    panic!(
        "seed {}: {what} did not get there in {limit_secs} s: {}",
        c.seed,
        serde_json::to_string_pretty(&v).unwrap()
    );
}

fn phases(pods: &Value) -> Vec<&str> {
    pods["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["status"]["phase"].as_str().unwrap_or_default())
        .collect()
}

/// The pods selected by `selector` all Running, `n` of them.
fn running_pods(c: &mut Console, selector: &str, n: usize) -> Value {
    wait_for(c, &format!("pods -l {selector}"), 120, |pods| {
        let p = phases(pods);
        p.len() == n && p.iter().all(|s| *s == "Running")
    })
}

#[test]
fn the_default_deployment_runs_two_nginx_pods() {
    let mut c = Console::new(SEED);
    assert_eq!(apply(&mut c, DEFAULT), "deployment.apps/web created\n");
    running_pods(&mut c, "app=web", 2);
    wait_for(&mut c, "deployment web", 60, |d| {
        d["status"]["availableReplicas"] == 2
    });
}

#[test]
fn the_pod_and_the_replicaset_run() {
    let mut c = Console::new(SEED);
    assert_eq!(apply(&mut c, template("Pod")), "pod/hello created\n");
    running_pods(&mut c, "app=hello", 1);
    assert_eq!(
        apply(&mut c, template("ReplicaSet")),
        "replicaset.apps/frontend created\n"
    );
    running_pods(&mut c, "app=frontend", 3);
}

#[test]
fn the_service_selects_the_deployments_pods() {
    let mut c = Console::new(SEED);
    assert_eq!(
        apply(&mut c, template("Service + Deployment")),
        "deployment.apps/web created\nservice/web created\n"
    );
    running_pods(&mut c, "app=web", 2);
    wait_for(
        &mut c,
        "endpointslices -l kubernetes.io/service-name=web",
        60,
        |slices| {
            let ready = slices["items"]
                .as_array()
                .unwrap()
                .iter()
                .flat_map(|s| s["endpoints"].as_array().cloned().unwrap_or_default())
                .filter(|e| e["conditions"]["ready"] == true)
                .count();
            ready == 2
        },
    );
}

#[test]
fn the_configmap_and_the_secret_hold_their_data() {
    let mut c = Console::new(SEED);
    assert_eq!(
        apply(&mut c, template("ConfigMap")),
        "configmap/settings created\n"
    );
    let cm = get_json(&mut c, "configmap settings");
    assert_eq!(cm["data"]["color"], "blue", "seed {}", c.seed);
    assert_eq!(
        cm["data"]["app.properties"], "greeting=hello\nretries=3\n",
        "seed {}",
        c.seed
    );
    assert_eq!(
        apply(&mut c, template("Secret")),
        "secret/db-credentials created\n"
    );
    let s = get_json(&mut c, "secret db-credentials");
    assert_eq!(s["data"]["username"], "YWRtaW4=", "seed {}", c.seed);
    assert_eq!(s["type"], "Opaque", "seed {}", c.seed);
}

#[test]
fn the_job_completes() {
    let mut c = Console::new(SEED);
    assert_eq!(apply(&mut c, template("Job")), "job.batch/pi created\n");
    wait_for(&mut c, "job pi", 180, |j| {
        j["status"]["conditions"].as_array().is_some_and(|cs| {
            cs.iter()
                .any(|x| x["type"] == "Complete" && x["status"] == "True")
        })
    });
    let pods = get_json(&mut c, "pods -l job-name=pi");
    assert_eq!(phases(&pods), vec!["Succeeded"], "seed {}", c.seed);
    let log = c.run("kubectl logs job/pi");
    assert!(log.starts_with("3.14159"), "seed {}: {log}", c.seed);
}

#[test]
fn the_daemonset_runs_a_pod_on_every_node() {
    let mut c = Console::new(SEED);
    assert_eq!(
        apply(&mut c, template("DaemonSet")),
        "daemonset.apps/node-agent created\n"
    );
    let nodes = get_json(&mut c, "nodes");
    let mut node_names: Vec<String> = nodes["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["metadata"]["name"].as_str().unwrap().to_string())
        .collect();
    node_names.sort();
    let pods = running_pods(&mut c, "app=node-agent", node_names.len());
    let mut on: Vec<String> = pods["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["spec"]["nodeName"].as_str().unwrap().to_string())
        .collect();
    on.sort();
    assert_eq!(on, node_names, "seed {}", c.seed);
}

#[test]
fn the_pod_that_asks_for_8_cpus_stays_pending_with_the_schedulers_reason() {
    let mut c = Console::new(SEED);
    assert_eq!(
        apply(&mut c, template("Pod that cannot be scheduled")),
        "pod/big created\n"
    );
    let first = wait_for(&mut c, "pod big", 30, |p| {
        p["status"]["conditions"]
            .as_array()
            .is_some_and(|cs| cs.iter().any(|x| x["type"] == "PodScheduled"))
    });
    c.sim.advance(SimDuration::from_secs(30));
    c.sim.run_until_idle();
    let pod = get_json(&mut c, "pod big");
    assert_eq!(pod["status"]["phase"], "Pending", "seed {}", c.seed);
    assert_eq!(pod["status"]["conditions"], first["status"]["conditions"]);
    let scheduled = &pod["status"]["conditions"][0];
    assert_eq!(scheduled["type"], "PodScheduled");
    assert_eq!(scheduled["status"], "False");
    assert_eq!(scheduled["reason"], "Unschedulable");
    let reason = "0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 Insufficient cpu. preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod.";
    assert_eq!(scheduled["message"], reason, "seed {}", c.seed);
    let events = c.run("kubectl get events --field-selector involvedObject.name=big");
    assert!(
        events.contains("FailedScheduling") && events.contains(reason),
        "seed {}: {events}",
        c.seed
    );
}

#[test]
fn the_mistyped_image_cannot_be_pulled() {
    let mut c = Console::new(SEED);
    assert_eq!(
        apply(&mut c, template("Pod with an image that cannot be pulled")),
        "pod/typo created\n"
    );
    let waiting = |p: &Value| {
        p["status"]["containerStatuses"][0]["state"]["waiting"]["reason"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    };
    let pod = wait_for(&mut c, "pod typo", 60, |p| {
        matches!(waiting(p).as_str(), "ErrImagePull" | "ImagePullBackOff")
    });
    assert_eq!(pod["status"]["phase"], "Pending", "seed {}", c.seed);
    let pod = wait_for(&mut c, "pod typo", 60, |p| waiting(p) == "ImagePullBackOff");
    let message = pod["status"]["containerStatuses"][0]["state"]["waiting"]["message"]
        .as_str()
        .unwrap_or_default();
    assert!(
        message.starts_with("Back-off pulling image \"ngnix:1.27\": ErrImagePull: rpc error: code = Unknown desc = failed to pull and unpack image \"docker.io/library/ngnix:1.27\"")
            && message.ends_with("pull access denied, repository does not exist or may require authorization: server message: insufficient_scope: authorization failed"),
        "seed {}: {message}",
        c.seed
    );
}

#[test]
fn the_invalid_pods_422_is_mapped_to_the_lines_of_its_fields() {
    let mut c = Console::new(SEED);
    let t = template("Invalid Pod");
    let out = apply(&mut c, t);
    let name_error = "metadata.name: Invalid value: \"MyPod\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
    let image_error = "spec.containers[0].image: Required value";
    assert_eq!(
        out,
        format!("The Pod \"MyPod\" is invalid: \n* {name_error}\n* {image_error}\n"),
        "seed {}",
        c.seed
    );
    let line_of =
        |needle: &str| t.yaml.lines().position(|l| l.contains(needle)).unwrap() as u32 + 1;
    assert_eq!(
        server_diagnostics(&out, t.yaml),
        vec![
            Diagnostic {
                doc: 0,
                line: line_of("name: MyPod"),
                column: 3,
                message: name_error.to_string(),
            },
            // The image is absent: its container is marked.
            Diagnostic {
                doc: 0,
                line: line_of("- name: web"),
                column: 5,
                message: image_error.to_string(),
            },
        ]
    );
}

#[test]
fn a_megabyte_highlights_and_lints_fast() {
    use kubestep::flow::editor::highlight::highlight;
    let mut deployments = String::new();
    while deployments.len() < 1 << 20 {
        deployments.push_str(DEFAULT.yaml);
        deployments.push_str("---\n");
    }
    // Shapes a backtracking scanner would choke on: one huge line, an unclosed quote, a long
    // run of colons, deep flow nesting.
    let one_line = "a".repeat(1 << 20);
    let unclosed = format!("k: \"{}", "x\\".repeat(1 << 19));
    let colons = ":a".repeat(1 << 19);
    let nested = "[".repeat(1 << 20);
    for (name, text) in [
        ("deployments", &deployments),
        ("one line", &one_line),
        ("unclosed quote", &unclosed),
        ("colons", &colons),
        ("nested", &nested),
    ] {
        let started = std::time::Instant::now();
        let lines = highlight(text);
        let elapsed = started.elapsed();
        assert!(!lines.is_empty());
        eprintln!("highlight {name}: {} bytes in {elapsed:?}", text.len());
        // Debug builds are slow, but a quadratic scan of 1 MB would take minutes.
        assert!(elapsed.as_secs() < 5, "{name}: {elapsed:?}");
    }
    let started = std::time::Instant::now();
    assert_eq!(lint(&deployments), vec![]);
    eprintln!("lint deployments: {:?}", started.elapsed());
}

#[test]
fn every_template_is_tested_here() {
    let tested = [
        "Deployment (nginx)",
        "Pod",
        "ReplicaSet",
        "Service + Deployment",
        "ConfigMap",
        "Secret",
        "Job",
        "DaemonSet",
        "Pod that cannot be scheduled",
        "Pod with an image that cannot be pulled",
        "Invalid Pod",
    ];
    let names: Vec<&str> = TEMPLATES.iter().map(|t| t.name).collect();
    assert_eq!(names, tested);
}
