//! kube-controller-manager's Job and CronJob controllers in a whole cluster: the real
//! scheduler places the pods, the kubelets run them to completion through the simulated
//! runtime, and the controllers count them, retry failures with back-off and finish Jobs as
//! Kubernetes 1.33 does; the CronJob controller starts a Job each scheduled minute as simulated
//! time passes.

use std::any::Any;
use std::collections::BTreeMap;

use kubestep::apiserver::decode::yaml_to_json;
use kubestep::apiserver::request::{HttpRequest, HttpResponse};
use kubestep::sim::{Actor, Addr, Ctx, Envelope, Message, Sim, SimDuration};
use serde_json::{json, Value};

const JOBS: &str = "/apis/batch/v1/namespaces/default/jobs";
const CRONJOBS: &str = "/apis/batch/v1/namespaces/default/cronjobs";
const PODS: &str = "/api/v1/namespaces/default/pods";

/// The admin's client: it keeps the answers it gets.
#[derive(Clone, Default)]
struct Admin {
    responses: BTreeMap<u64, HttpResponse>,
}

impl Actor for Admin {
    fn addr(&self) -> Addr {
        Addr::Client("test-admin".into())
    }
    fn handle(&mut self, env: &Envelope, _ctx: &mut Ctx<'_>) {
        if let Message::HttpResponse { id, response } = &env.message {
            self.responses.insert(*id, response.clone());
        }
    }
    fn box_clone(&self) -> Box<dyn Actor> {
        Box::new(self.clone())
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// An answer: status, JSON body (or null), raw text, headers.
struct Reply {
    status: u16,
    body: Value,
    text: String,
    headers: Vec<(String, String)>,
}

/// A booted cluster and an admin client.
struct Cluster {
    sim: Sim,
    seed: u64,
    next: u64,
}

impl Cluster {
    fn new(seed: u64) -> Cluster {
        let mut sim = kubestep::cluster::booted(seed);
        sim.add_actor(Box::new(Admin::default()));
        Cluster { sim, seed, next: 0 }
    }

    fn call(&mut self, req: HttpRequest) -> Reply {
        let id = self.next;
        self.next += 1;
        self.sim.inject(
            Addr::Client("test-admin".into()),
            Addr::ApiServer,
            Message::HttpRequest {
                id,
                request: req.certificate("kubernetes-admin", &["kubeadm:cluster-admins"]),
            },
        );
        for _ in 0..20 {
            self.sim.advance(SimDuration::from_millis(50));
            let admin = self
                .sim
                .actor::<Admin>(&Addr::Client("test-admin".into()))
                .unwrap();
            if let Some(r) = admin.responses.get(&id) {
                return Reply {
                    status: r.status,
                    body: r.body_json().map(|b| (*b).clone()).unwrap_or(Value::Null),
                    text: String::from_utf8_lossy(&r.body.to_bytes()).to_string(),
                    headers: r.headers.clone(),
                };
            }
        }
        panic!("no answer to request {id} (seed {})", self.seed)
    }

    fn create(&mut self, path: &str, obj: Value) -> Value {
        let r = self.call(HttpRequest::new("POST", path).json_body(obj));
        assert_eq!(r.status, 201, "{} (seed {})", r.body, self.seed);
        r.body
    }

    fn get(&mut self, path: &str) -> Value {
        let r = self.call(HttpRequest::new("GET", path));
        assert_eq!(r.status, 200, "{} (seed {})", r.body, self.seed);
        r.body
    }

    fn items(&mut self, path: &str) -> Vec<Value> {
        self.get(path)["items"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    /// Pods of the Job `job` (by the label the Job controller's pods carry).
    fn job_pods(&mut self, job: &str) -> Vec<Value> {
        self.items(&format!(
            "{PODS}?labelSelector=batch.kubernetes.io/job-name={job}"
        ))
    }

    /// `(reason, message)` of the Events about the object named `name`, oldest first.
    fn events(&mut self, name: &str) -> Vec<(String, String)> {
        let mut evs: Vec<Value> = self
            .items("/api/v1/namespaces/default/events")
            .into_iter()
            .filter(|e| e["involvedObject"]["name"] == name)
            .collect();
        evs.sort_by_key(|e| e["metadata"]["name"].as_str().unwrap_or("").to_string());
        evs.iter()
            .map(|e| {
                (
                    e["reason"].as_str().unwrap_or("").to_string(),
                    e["message"].as_str().unwrap_or("").to_string(),
                )
            })
            .collect()
    }

    fn advance(&mut self, secs: u64) {
        self.sim.advance(SimDuration::from_secs(secs));
    }

    /// Advances to `ms` milliseconds of simulated time.
    fn advance_to(&mut self, ms: u64) {
        let now = self.sim.now().as_millis();
        assert!(ms >= now, "already at {now} ms");
        self.sim.advance(SimDuration::from_millis(ms - now));
    }

    /// Advances a second at a time until `done` holds, at most `limit` seconds.
    fn advance_until(&mut self, limit: u64, mut done: impl FnMut(&mut Cluster) -> bool) -> u64 {
        for waited in 0..limit {
            if done(self) {
                return waited;
            }
            self.advance(1);
        }
        panic!("not done after {limit} s (seed {})", self.seed)
    }
}

fn condition<'a>(job: &'a Value, kind: &str) -> Option<&'a Value> {
    job["status"]["conditions"]
        .as_array()?
        .iter()
        .find(|c| c["type"] == kind)
}

fn finished(job: &Value) -> bool {
    ["Complete", "Failed"]
        .iter()
        .any(|k| condition(job, k).is_some_and(|c| c["status"] == "True"))
}

fn example(path: &str) -> Value {
    let text = std::fs::read_to_string(format!("tests/data/{path}")).unwrap();
    yaml_to_json(&text).unwrap()
}

fn job(name: &str, completions: i64, parallelism: i64, command: Value) -> Value {
    json!({
        "apiVersion": "batch/v1", "kind": "Job",
        "metadata": {"name": name},
        "spec": {
            "completions": completions,
            "parallelism": parallelism,
            "template": {"spec": {
                "restartPolicy": "Never",
                "containers": [{"name": "c", "image": "busybox:1.36", "command": command}]
            }}
        }
    })
}

#[test]
fn the_website_pi_job_runs_to_completion() {
    let seed = 51;
    let mut c = Cluster::new(seed);
    let created = c.create(JOBS, example("website-examples/controllers/job.yaml"));
    let uid = created["metadata"]["uid"].as_str().unwrap().to_string();
    let waited = c.advance_until(120, |c| finished(&c.get(&format!("{JOBS}/pi"))));
    let job = c.get(&format!("{JOBS}/pi"));
    let status = &job["status"];
    assert_eq!(status["succeeded"], 1, "seed {seed}: {status}");
    assert_eq!(status["ready"], 0, "seed {seed}: {status}");
    assert_eq!(status["terminating"], 0, "seed {seed}: {status}");
    assert_eq!(status["uncountedTerminatedPods"], json!({}), "seed {seed}");
    assert!(status.get("active").is_none() && status.get("failed").is_none());
    assert!(status["startTime"].is_string() && status["completionTime"].is_string());
    // 1.33 declares success in two steps: SuccessCriteriaMet, then Complete.
    let types: Vec<&str> = status["conditions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["type"].as_str().unwrap())
        .collect();
    assert_eq!(types, ["SuccessCriteriaMet", "Complete"], "seed {seed}");
    for kind in types {
        let cond = condition(&job, kind).unwrap();
        assert_eq!(cond["status"], "True");
        assert_eq!(cond["reason"], "CompletionsReached");
        assert_eq!(cond["message"], "Reached expected number of succeeded pods");
    }
    assert_eq!(
        status["completionTime"],
        condition(&job, "Complete").unwrap()["lastTransitionTime"]
    );

    // One pod, named from the Job, labelled and owned as the Job controller makes them.
    let pods = c.job_pods("pi");
    assert_eq!(pods.len(), 1, "seed {seed}");
    let pod = &pods[0];
    let name = pod["metadata"]["name"].as_str().unwrap().to_string();
    assert!(
        name.starts_with("pi-") && name.len() == "pi-".len() + 5,
        "{name}"
    );
    let labels = &pod["metadata"]["labels"];
    assert_eq!(labels["batch.kubernetes.io/job-name"], "pi");
    assert_eq!(labels["job-name"], "pi");
    assert_eq!(labels["batch.kubernetes.io/controller-uid"], uid.as_str());
    assert_eq!(labels["controller-uid"], uid.as_str());
    let owner = &pod["metadata"]["ownerReferences"][0];
    assert_eq!(
        (
            owner["kind"].as_str(),
            owner["name"].as_str(),
            owner["uid"].as_str()
        ),
        (Some("Job"), Some("pi"), Some(uid.as_str()))
    );
    assert_eq!(owner["apiVersion"], "batch/v1");
    assert_eq!(
        (
            owner["controller"].clone(),
            owner["blockOwnerDeletion"].clone()
        ),
        (json!(true), json!(true))
    );
    // The tracking finalizer is gone once the pod was counted.
    assert!(
        pod["metadata"]["finalizers"]
            .as_array()
            .is_none_or(|f| f.is_empty()),
        "seed {seed}: {}",
        pod["metadata"]
    );
    assert_eq!(pod["status"]["phase"], "Succeeded", "seed {seed}");
    let terminated = &pod["status"]["containerStatuses"][0]["state"]["terminated"];
    assert_eq!(terminated["reason"], "Completed");
    assert_eq!(terminated["exitCode"], 0);
    let ready = pod["status"]["conditions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["type"] == "Ready")
        .unwrap();
    assert_eq!(ready["reason"], "PodCompleted");

    // The log holds π to 1000 digits.
    let log = c.call(HttpRequest::new("GET", &format!("{PODS}/{name}/log")));
    assert_eq!(log.status, 200, "seed {seed}: {}", log.text);
    let log = log.text;
    assert!(log.starts_with("3.14159265358979"), "seed {seed}: {log}");
    assert_eq!(log.trim_end().len(), 1001);

    assert_eq!(
        c.events("pi"),
        vec![
            (
                "SuccessfulCreate".to_string(),
                format!("Created pod: {name}")
            ),
            ("Completed".to_string(), "Job completed".to_string()),
        ],
        "seed {seed}"
    );
    // The perl image is pulled (6.7 s), then the pod runs half a second.
    assert!(waited < 30, "seed {seed}: took {waited} s");
}

fn pod_phase(p: &Value) -> &str {
    p["status"]["phase"].as_str().unwrap_or("")
}

fn is_active(p: &Value) -> bool {
    !matches!(pod_phase(p), "Succeeded" | "Failed")
        && p["metadata"].get("deletionTimestamp").is_none()
}

fn ts(v: &Value) -> i64 {
    kubestep::apiserver::printers::parse_rfc3339(v.as_str().unwrap()).unwrap()
}

#[test]
fn completions_4_with_parallelism_2_never_run_more_than_2_pods_at_once() {
    let seed = 52;
    let mut c = Cluster::new(seed);
    c.create(JOBS, job("batch", 4, 2, json!(["sh", "-c", "sleep 5"])));
    let mut most = 0;
    c.advance_until(120, |c| {
        let pods = c.job_pods("batch");
        let active = pods.iter().filter(|p| is_active(p)).count();
        most = most.max(active);
        let job = c.get(&format!("{JOBS}/batch"));
        assert!(
            job["status"]["active"].as_i64().unwrap_or(0) <= 2,
            "seed {seed}: {}",
            job["status"]
        );
        finished(&job)
    });
    assert_eq!(most, 2, "seed {seed}: two pods ran side by side");
    let job = c.get(&format!("{JOBS}/batch"));
    assert_eq!(
        job["status"]["succeeded"], 4,
        "seed {seed}: {}",
        job["status"]
    );
    assert!(condition(&job, "Complete").is_some());
    let pods = c.job_pods("batch");
    assert_eq!(
        pods.len(),
        4,
        "seed {seed}: one pod per completion, none extra"
    );
    assert!(pods.iter().all(|p| pod_phase(p) == "Succeeded"));
    let events = c.events("batch");
    let creates = events
        .iter()
        .filter(|(r, _)| r == "SuccessfulCreate")
        .count();
    assert_eq!(creates, 4, "seed {seed}: {events:?}");
    assert_eq!(events.last().unwrap().0, "Completed");
}

#[test]
fn a_failing_pod_is_retried_with_back_off_until_the_backoff_limit() {
    let seed = 53;
    let mut c = Cluster::new(seed);
    let mut spec = job("fails", 1, 1, json!(["sh", "-c", "exit 1"]));
    spec["spec"]["backoffLimit"] = json!(2);
    c.create(JOBS, spec);
    c.advance_until(120, |c| finished(&c.get(&format!("{JOBS}/fails"))));
    let job = c.get(&format!("{JOBS}/fails"));
    let status = &job["status"];
    // backoffLimit 2: the third failure fails the Job.
    assert_eq!(status["failed"], 3, "seed {seed}: {status}");
    assert!(status.get("succeeded").is_none());
    let types: Vec<&str> = status["conditions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["type"].as_str().unwrap())
        .collect();
    assert_eq!(types, ["FailureTarget", "Failed"], "seed {seed}: {status}");
    for kind in types {
        let cond = condition(&job, kind).unwrap();
        assert_eq!(cond["reason"], "BackoffLimitExceeded");
        assert_eq!(
            cond["message"],
            "Job has reached the specified backoff limit"
        );
    }
    assert!(status.get("completionTime").is_none());

    // Each replacement waited out the back-off: 10 s after the first failure, 20 s after the
    // second.
    let mut pods = c.job_pods("fails");
    pods.sort_by_key(|p| ts(&p["metadata"]["creationTimestamp"]));
    assert_eq!(pods.len(), 3, "seed {seed}");
    assert!(pods.iter().all(|p| pod_phase(p) == "Failed"));
    let finished_at =
        |p: &Value| ts(&p["status"]["containerStatuses"][0]["state"]["terminated"]["finishedAt"]);
    let created = |p: &Value| ts(&p["metadata"]["creationTimestamp"]);
    let first_wait = created(&pods[1]) - finished_at(&pods[0]);
    let second_wait = created(&pods[2]) - finished_at(&pods[1]);
    assert!(
        (10..=12).contains(&first_wait),
        "seed {seed}: waited {first_wait} s"
    );
    assert!(
        (20..=22).contains(&second_wait),
        "seed {seed}: waited {second_wait} s"
    );
    assert_eq!(
        pods[0]["status"]["containerStatuses"][0]["state"]["terminated"]["exitCode"],
        1
    );

    let events = c.events("fails");
    assert_eq!(
        events.last().unwrap(),
        &(
            "BackoffLimitExceeded".to_string(),
            "Job has reached the specified backoff limit".to_string()
        ),
        "seed {seed}: {events:?}"
    );
}

#[test]
fn an_indexed_job_gives_each_pod_its_completion_index() {
    let seed = 54;
    let mut c = Cluster::new(seed);
    c.create(
        JOBS,
        example("website-examples/application/job/indexed-job.yaml"),
    );
    c.advance_until(120, |c| finished(&c.get(&format!("{JOBS}/indexed-job"))));
    let job = c.get(&format!("{JOBS}/indexed-job"));
    assert_eq!(
        job["status"]["succeeded"], 5,
        "seed {seed}: {}",
        job["status"]
    );
    assert_eq!(job["status"]["completedIndexes"], "0-4");
    assert!(condition(&job, "Complete").is_some());
    let pods = c.job_pods("indexed-job");
    assert_eq!(pods.len(), 5, "seed {seed}");
    let mut indexes: Vec<String> = Vec::new();
    for p in &pods {
        let ix = p["metadata"]["annotations"]["batch.kubernetes.io/job-completion-index"]
            .as_str()
            .unwrap()
            .to_string();
        assert_eq!(
            p["metadata"]["labels"]["batch.kubernetes.io/job-completion-index"],
            ix.as_str()
        );
        let name = p["metadata"]["name"].as_str().unwrap();
        assert!(name.starts_with(&format!("indexed-job-{ix}-")), "{name}");
        assert_eq!(p["spec"]["hostname"], format!("indexed-job-{ix}"));
        let env = &p["spec"]["containers"][0]["env"][0];
        assert_eq!(env["name"], "JOB_COMPLETION_INDEX");
        assert_eq!(
            env["valueFrom"]["fieldRef"]["fieldPath"],
            "metadata.labels['batch.kubernetes.io/job-completion-index']"
        );
        indexes.push(ix);
    }
    indexes.sort();
    assert_eq!(indexes, ["0", "1", "2", "3", "4"], "seed {seed}");
}

#[test]
fn active_deadline_seconds_stops_a_job_that_runs_too_long() {
    let seed = 55;
    let mut c = Cluster::new(seed);
    let mut spec = job("slow", 1, 1, json!(["sleep", "600"]));
    spec["spec"]["activeDeadlineSeconds"] = json!(15);
    c.create(JOBS, spec);
    let waited = c.advance_until(120, |c| finished(&c.get(&format!("{JOBS}/slow"))));
    let job = c.get(&format!("{JOBS}/slow"));
    let failed = condition(&job, "Failed").unwrap();
    assert_eq!(failed["reason"], "DeadlineExceeded", "seed {seed}");
    assert_eq!(
        failed["message"],
        "Job was active longer than specified deadline"
    );
    assert_eq!(job["status"]["failed"], 1, "seed {seed}: {}", job["status"]);
    // The deadline deletes the pod at 15 s; `sleep` ignores SIGTERM, so its 30 s grace period
    // runs out before it ends, and the Job is Failed only once no pod is terminating.
    assert!((43..50).contains(&waited), "seed {seed}: {waited}");
    let events = c.events("slow");
    assert!(
        events
            .iter()
            .any(|(r, m)| r == "SuccessfulDelete" && m.starts_with("Deleted pod: slow-")),
        "seed {seed}: {events:?}"
    );
    assert_eq!(events.last().unwrap().0, "DeadlineExceeded");
}

#[test]
fn deleting_a_job_in_the_background_deletes_its_pods_and_the_default_orphans_them() {
    let seed = 56;
    let mut c = Cluster::new(seed);
    c.create(JOBS, job("bg", 2, 2, json!(["sleep", "300"])));
    c.create(JOBS, job("orphans", 1, 1, json!(["sleep", "300"])));
    c.advance_until(60, |c| {
        let pods = c.items(PODS);
        pods.iter().filter(|p| pod_phase(p) == "Running").count() == 3
    });
    // kubectl deletes Jobs with propagationPolicy=Background: the garbage collector deletes
    // the pods, and the Job controller lets go of their finalizers.
    let r = c.call(HttpRequest::new("DELETE", &format!("{JOBS}/bg")).json_body(
        json!({"kind": "DeleteOptions", "apiVersion": "v1", "propagationPolicy": "Background"}),
    ));
    assert_eq!(r.status, 200, "seed {seed}: {}", r.body);
    assert!(r.headers.iter().all(|(k, _)| k != "Warning"));
    c.advance_until(60, |c| c.job_pods("bg").is_empty());

    // A DELETE without a policy orphans a batch/v1 Job's pods, and says so.
    let r = c.call(HttpRequest::new("DELETE", &format!("{JOBS}/orphans")));
    assert_eq!(r.status, 200, "seed {seed}: {}", r.body);
    let warning = r
        .headers
        .iter()
        .find(|(k, _)| k == "Warning")
        .map(|(_, v)| v.clone());
    assert_eq!(
        warning.as_deref(),
        Some("299 - \"child pods are preserved by default when jobs are deleted; set propagationPolicy=Background to remove them or set propagationPolicy=Orphan to suppress this warning\""),
        "seed {seed}"
    );
    c.advance_until(30, |c| {
        c.call(HttpRequest::new("GET", &format!("{JOBS}/orphans")))
            .status
            == 404
    });
    c.advance(5);
    let pods = c.job_pods("orphans");
    assert_eq!(pods.len(), 1, "seed {seed}: the pod stays");
    let meta = &pods[0]["metadata"];
    assert!(
        meta["ownerReferences"]
            .as_array()
            .is_none_or(|r| r.is_empty()),
        "seed {seed}: {meta}"
    );
    assert!(
        meta["finalizers"].as_array().is_none_or(|f| f.is_empty()),
        "seed {seed}: the orphan's tracking finalizer is removed: {meta}"
    );
    assert_eq!(pod_phase(&pods[0]), "Running");
}

/// The Jobs of CronJob `cj`, by name.
fn cron_jobs(c: &mut Cluster, cj: &str) -> Vec<String> {
    let mut names: Vec<String> = c
        .items(JOBS)
        .iter()
        .filter(|j| j["metadata"]["ownerReferences"][0]["name"] == cj)
        .map(|j| j["metadata"]["name"].as_str().unwrap().to_string())
        .collect();
    names.sort();
    names
}

/// The Job name of the scheduled minute `m` after kubestep's time zero.
fn minute_job(cj: &str, m: i64) -> String {
    format!("{cj}-{}", 1_767_225_600 / 60 + m)
}

#[test]
fn a_cronjob_starts_a_job_every_minute_and_keeps_the_last_successful_ones() {
    let seed = 57;
    let mut c = Cluster::new(seed);
    let mut cj = example("website-examples/application/job/cronjob.yaml");
    cj["spec"]["successfulJobsHistoryLimit"] = json!(2);
    c.create(CRONJOBS, cj);
    // Just after 00:01 (the controller wakes 100 ms after the minute) the first Job runs.
    c.advance_to(60_300);
    let cronjob = c.get(&format!("{CRONJOBS}/hello"));
    assert_eq!(
        cron_jobs(&mut c, "hello"),
        [minute_job("hello", 1)],
        "seed {seed}"
    );
    assert_eq!(
        cronjob["status"]["lastScheduleTime"],
        "2026-01-01T00:01:00Z"
    );
    assert_eq!(
        cronjob["status"]["active"][0]["name"],
        minute_job("hello", 1)
    );
    assert_eq!(c.job_pods(&minute_job("hello", 1)).len(), 1, "seed {seed}");
    let job = c.get(&format!("{JOBS}/{}", minute_job("hello", 1)));
    assert_eq!(
        job["metadata"]["annotations"]["batch.kubernetes.io/cronjob-scheduled-timestamp"],
        "2026-01-01T00:01:00Z"
    );
    assert_eq!(job["metadata"]["ownerReferences"][0]["kind"], "CronJob");
    assert_eq!(job["metadata"]["ownerReferences"][0]["controller"], true);

    // At 00:05:30 five Jobs were started, the ones beyond the two newest successful deleted
    // with their pods.
    c.advance_to(330_000);
    assert_eq!(
        cron_jobs(&mut c, "hello"),
        [minute_job("hello", 4), minute_job("hello", 5)],
        "seed {seed}"
    );
    for m in 1..=3 {
        assert!(
            c.job_pods(&minute_job("hello", m)).is_empty(),
            "seed {seed}: minute {m}"
        );
    }
    let pod = &c.job_pods(&minute_job("hello", 4))[0];
    let log = c.call(HttpRequest::new(
        "GET",
        &format!("{PODS}/{}/log", pod["metadata"]["name"].as_str().unwrap()),
    ));
    assert_eq!(
        log.text, "Thu Jan  1 00:04:00 UTC 2026\nHello from the Kubernetes cluster\n",
        "seed {seed}"
    );
    let cronjob = c.get(&format!("{CRONJOBS}/hello"));
    assert_eq!(
        cronjob["status"]["lastScheduleTime"],
        "2026-01-01T00:05:00Z"
    );
    assert!(
        cronjob["status"]["lastSuccessfulTime"].as_str().unwrap() >= "2026-01-01T00:05:00Z",
        "seed {seed}: {}",
        cronjob["status"]
    );
    // Every Job has finished: none is active.
    assert!(cronjob["status"].get("active").is_none(), "seed {seed}");
    let events = c.events("hello");
    let first = minute_job("hello", 1);
    for expected in [
        ("SuccessfulCreate", format!("Created job {first}")),
        (
            "SawCompletedJob",
            format!("Saw completed job: {first}, status: Complete"),
        ),
        ("SuccessfulDelete", format!("Deleted job {first}")),
    ] {
        assert!(
            events.contains(&(expected.0.to_string(), expected.1.clone())),
            "seed {seed}: {expected:?} in {events:?}"
        );
    }
}

/// A CronJob whose Jobs sleep 90 s, with `concurrencyPolicy`.
fn sleepy_cronjob(policy: &str) -> Value {
    let mut cj = example("kubectl-generated/cronjob.yaml");
    cj["spec"]["concurrencyPolicy"] = json!(policy);
    cj["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0]["command"] =
        json!(["sleep", "90"]);
    cj
}

const ALREADY_ACTIVE: &str =
    "Not starting job because prior execution is running and concurrency policy is Forbid";

#[test]
fn forbid_skips_a_scheduled_time_while_the_previous_job_runs() {
    let seed = 58;
    let mut c = Cluster::new(seed);
    let mut cj = sleepy_cronjob("Forbid");
    cj["spec"]["startingDeadlineSeconds"] = json!(10);
    c.create(CRONJOBS, cj);
    // 00:01 starts a Job that runs until about 00:02:31; 00:02 is skipped, and too late to
    // start when that Job ends; 00:03 starts the next one.
    c.advance_to(185_000);
    assert_eq!(
        cron_jobs(&mut c, "hello"),
        [minute_job("hello", 1), minute_job("hello", 3)],
        "seed {seed}"
    );
    let events = c.events("hello");
    assert!(
        events.contains(&("JobAlreadyActive".to_string(), ALREADY_ACTIVE.to_string())),
        "seed {seed}: {events:?}"
    );
}

#[test]
fn forbid_without_a_starting_deadline_starts_the_skipped_run_late() {
    let seed = 61;
    let mut c = Cluster::new(seed);
    c.create(CRONJOBS, sleepy_cronjob("Forbid"));
    // 00:02 is skipped while the first Job runs; when it ends (about 00:02:31) the 00:02 run
    // is still unmet and starts then, as in Kubernetes.
    c.advance_to(140_000);
    assert_eq!(
        cron_jobs(&mut c, "hello"),
        [minute_job("hello", 1)],
        "seed {seed}"
    );
    c.advance_to(170_000);
    assert_eq!(
        cron_jobs(&mut c, "hello"),
        [minute_job("hello", 1), minute_job("hello", 2)],
        "seed {seed}"
    );
    let late = c.get(&format!("{JOBS}/{}", minute_job("hello", 2)));
    assert!(
        late["metadata"]["creationTimestamp"].as_str().unwrap() > "2026-01-01T00:02:30Z",
        "seed {seed}"
    );
    assert_eq!(
        late["metadata"]["annotations"]["batch.kubernetes.io/cronjob-scheduled-timestamp"],
        "2026-01-01T00:02:00Z"
    );
}

#[test]
fn replace_deletes_the_running_job_for_the_next_one() {
    let seed = 59;
    let mut c = Cluster::new(seed);
    c.create(CRONJOBS, sleepy_cronjob("Replace"));
    c.advance_to(125_000);
    assert_eq!(
        cron_jobs(&mut c, "hello"),
        [minute_job("hello", 2)],
        "seed {seed}"
    );
    let cronjob = c.get(&format!("{CRONJOBS}/hello"));
    let active = cronjob["status"]["active"].as_array().unwrap();
    assert_eq!(active.len(), 1, "seed {seed}: {active:?}");
    assert_eq!(active[0]["name"], minute_job("hello", 2));
    let events = c.events("hello");
    assert!(
        events.contains(&(
            "SuccessfulDelete".to_string(),
            format!("Deleted job {}", minute_job("hello", 1))
        )),
        "seed {seed}: {events:?}"
    );
}

#[test]
fn a_suspended_cronjob_starts_nothing() {
    let seed = 60;
    let mut c = Cluster::new(seed);
    let mut cj = example("kubectl-generated/cronjob.yaml");
    cj["spec"]["suspend"] = json!(true);
    c.create(CRONJOBS, cj);
    c.advance(3 * 60);
    assert!(cron_jobs(&mut c, "hello").is_empty(), "seed {seed}");
}

#[test]
fn a_finished_job_with_a_ttl_is_deleted_with_its_pods_when_the_ttl_runs_out() {
    let seed = 62;
    let mut c = Cluster::new(seed);
    let mut spec = job("short-lived", 1, 1, json!(["echo", "done"]));
    spec["spec"]["ttlSecondsAfterFinished"] = json!(20);
    c.create(JOBS, spec);
    c.advance_until(60, |c| finished(&c.get(&format!("{JOBS}/short-lived"))));
    let job = c.get(&format!("{JOBS}/short-lived"));
    let done_at = ts(&condition(&job, "Complete").unwrap()["lastTransitionTime"]);
    assert_eq!(c.job_pods("short-lived").len(), 1);
    // Still there just before the TTL runs out...
    let t0 = kubestep::sim::clock::EPOCH_UNIX_SECONDS as i64;
    c.advance_to(((done_at - t0 + 19) * 1000) as u64);
    let r = c.call(HttpRequest::new("GET", &format!("{JOBS}/short-lived")));
    assert_eq!(r.status, 200, "seed {seed}");
    // ...and gone, pods first (foreground deletion), soon after.
    c.advance_until(10, |c| {
        c.call(HttpRequest::new("GET", &format!("{JOBS}/short-lived")))
            .status
            == 404
    });
    assert!(c.job_pods("short-lived").is_empty(), "seed {seed}");
}

#[test]
fn a_suspended_job_creates_no_pods_until_resumed() {
    let seed = 63;
    let mut c = Cluster::new(seed);
    let mut spec = job("later", 1, 1, json!(["echo", "now"]));
    spec["spec"]["suspend"] = json!(true);
    c.create(JOBS, spec);
    c.advance(5);
    assert!(c.job_pods("later").is_empty(), "seed {seed}");
    let job = c.get(&format!("{JOBS}/later"));
    let suspended = condition(&job, "Suspended").unwrap();
    assert_eq!(
        (suspended["status"].as_str(), suspended["reason"].as_str()),
        (Some("True"), Some("JobSuspended"))
    );
    assert!(job["status"].get("startTime").is_none(), "seed {seed}");
    let r = c.call(
        HttpRequest::new("PATCH", &format!("{JOBS}/later"))
            .header("Content-Type", "application/merge-patch+json")
            .body(json!({"spec": {"suspend": false}}).to_string()),
    );
    assert_eq!(r.status, 200, "seed {seed}: {}", r.body);
    c.advance_until(60, |c| finished(&c.get(&format!("{JOBS}/later"))));
    let job = c.get(&format!("{JOBS}/later"));
    let resumed = condition(&job, "Suspended").unwrap();
    assert_eq!(
        (resumed["status"].as_str(), resumed["reason"].as_str()),
        (Some("False"), Some("JobResumed"))
    );
    // The sync that resumes the Job creates its pod first, then records the resumption.
    let reasons: Vec<String> = c.events("later").into_iter().map(|(r, _)| r).collect();
    assert_eq!(
        reasons,
        ["Suspended", "SuccessfulCreate", "Resumed", "Completed"],
        "seed {seed}"
    );
}

#[test]
fn deleting_a_cronjob_deletes_its_jobs_and_their_pods() {
    let seed = 64;
    let mut c = Cluster::new(seed);
    c.create(CRONJOBS, sleepy_cronjob("Allow"));
    c.advance_to(125_000);
    assert_eq!(cron_jobs(&mut c, "hello").len(), 2, "seed {seed}");
    // CronJobs delete their dependents in the background by default.
    let r = c.call(HttpRequest::new("DELETE", &format!("{CRONJOBS}/hello")));
    assert_eq!(r.status, 200, "seed {seed}: {}", r.body);
    assert!(r.headers.iter().all(|(k, _)| k != "Warning"), "seed {seed}");
    c.advance_until(60, |c| c.items(JOBS).is_empty() && c.items(PODS).is_empty());
}

#[test]
fn with_restart_policy_on_failure_container_restarts_count_against_the_backoff_limit() {
    let seed = 65;
    let mut c = Cluster::new(seed);
    let mut spec = job("crashes", 1, 1, json!(["sh", "-c", "exit 2"]));
    spec["spec"]["template"]["spec"]["restartPolicy"] = json!("OnFailure");
    spec["spec"]["backoffLimit"] = json!(2);
    c.create(JOBS, spec);
    c.advance_until(120, |c| finished(&c.get(&format!("{JOBS}/crashes"))));
    let job = c.get(&format!("{JOBS}/crashes"));
    let failed = condition(&job, "Failed").unwrap();
    assert_eq!(failed["reason"], "BackoffLimitExceeded", "seed {seed}");
    // One pod, restarted in place by its kubelet until the restarts reached the limit; the
    // Job controller then deleted it, and counts it failed.
    assert_eq!(job["status"]["failed"], 1, "seed {seed}: {}", job["status"]);
    let events = c.events("crashes");
    let creates = events
        .iter()
        .filter(|(r, _)| r == "SuccessfulCreate")
        .count();
    assert_eq!(creates, 1, "seed {seed}: {events:?}");
    assert!(
        events.iter().any(|(r, _)| r == "SuccessfulDelete"),
        "seed {seed}: {events:?}"
    );
}
