//! `kubectl describe` on a booted cluster (every real component running): each scenario
//! applies manifests, lets simulated time pass, and describes what the cluster made. Its
//! transcript must equal the golden one (`tests/golden/kubectl_describe/*.out`, rewritten with
//! `UPDATE_GOLDEN=1`); those transcripts were compared byte for byte with the real
//! kubectl 1.33 describing the same objects. Key lines are also asserted exactly, so a change
//! of layout is named where it happens.

mod kubectl_support;

use kubectl_support::Console;
use kubestep::sim::SimDuration;

const SEED: u64 = 7;

const WEB: &str = "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
    app: web
spec:
  replicas: 2
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: nginx
        image: nginx:1.27
        ports:
        - containerPort: 80
        env:
        - name: MODE
          value: prod
        - name: POD_NAME
          valueFrom:
            fieldRef:
              fieldPath: metadata.name
        - name: POD_IP
          valueFrom:
            fieldRef:
              fieldPath: status.podIP
        readinessProbe:
          httpGet:
            path: /
            port: 80
        resources:
          requests:
            cpu: 100m
            memory: 64Mi
          limits:
            memory: 128Mi
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  type: NodePort
  selector:
    app: web
  ports:
  - name: http
    port: 80
    targetPort: 80
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: cfg
data:
  b: |
    two
    lines
  a: one
---
apiVersion: v1
kind: Secret
metadata:
  name: s
stringData:
  password: hunter2
";

const WEB_V2: &str = "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
    app: web
spec:
  replicas: 2
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: nginx
        image: nginx:1.28
";

const WORKLOADS: &str = "\
apiVersion: v1
kind: Namespace
metadata:
  name: team
  labels:
    team: a
  annotations:
    owner: alice
---
apiVersion: v1
kind: ResourceQuota
metadata:
  name: compute
  namespace: team
spec:
  hard:
    pods: \"10\"
---
apiVersion: v1
kind: LimitRange
metadata:
  name: limits
  namespace: team
spec:
  limits:
  - type: Container
    default:
      cpu: 500m
      memory: 256Mi
    defaultRequest:
      cpu: 100m
      memory: 128Mi
    max:
      cpu: \"1\"
---
apiVersion: v1
kind: Pod
metadata:
  name: stuck
  annotations:
    note: no node has the label this pod asks for
spec:
  nodeSelector:
    disk: ssd
  initContainers:
  - name: init
    image: busybox:1.36
    command: [\"sh\", \"-c\", \"echo hi\"]
  containers:
  - name: app
    image: busybox:1.36
    args: [\"sleep\", \"3600\"]
    env:
    - name: FROM_CM
      valueFrom:
        configMapKeyRef:
          name: cfg
          key: a
    envFrom:
    - secretRef:
        name: s
      prefix: S_
    livenessProbe:
      exec:
        command: [\"cat\", \"/tmp/healthy\"]
      initialDelaySeconds: 5
    volumeMounts:
    - name: data
      mountPath: /data
    - name: cache
      mountPath: /cache
      subPath: c
  volumes:
  - name: data
    persistentVolumeClaim:
      claimName: claim
  - name: cache
    emptyDir:
      sizeLimit: 1Gi
  - name: host
    hostPath:
      path: /var/log
      type: Directory
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: claim
spec:
  accessModes: [ReadWriteOnce]
  resources:
    requests:
      storage: 1Gi
---
apiVersion: batch/v1
kind: Job
metadata:
  name: once
spec:
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: c
        image: busybox:1.36
        command: [\"true\"]
---
apiVersion: batch/v1
kind: CronJob
metadata:
  name: nightly
spec:
  schedule: \"0 2 * * *\"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers:
          - name: c
            image: busybox:1.36
---
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: agent
spec:
  selector:
    matchLabels:
      app: agent
  template:
    metadata:
      labels:
        app: agent
    spec:
      tolerations:
      - operator: Exists
      containers:
      - name: a
        image: busybox:1.36
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: db
spec:
  serviceName: db
  replicas: 1
  selector:
    matchLabels:
      app: db
  template:
    metadata:
      labels:
        app: db
    spec:
      containers:
      - name: pg
        image: postgres:16
  volumeClaimTemplates:
  - metadata:
      name: pgdata
    spec:
      accessModes: [ReadWriteOnce]
      resources:
        requests:
          storage: 5Gi
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: reader
rules:
- apiGroups: [\"\"]
  resources: [\"pods\", \"pods/log\"]
  verbs: [\"get\", \"list\"]
- apiGroups: [\"apps\"]
  resources: [\"deployments\"]
  resourceNames: [\"web\"]
  verbs: [\"get\"]
---
apiVersion: scheduling.k8s.io/v1
kind: PriorityClass
metadata:
  name: high
value: 1000
description: important
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: site
spec:
  ingressClassName: nginx
  tls:
  - hosts: [example.com]
    secretName: tls
  defaultBackend:
    service:
      name: web
      port:
        name: http
  rules:
  - host: example.com
    http:
      paths:
      - path: /
        pathType: Prefix
        backend:
          service:
            name: web
            port:
              number: 80
      - path: /api
        pathType: Prefix
        backend:
          service:
            name: api
            port:
              number: 8080
";

/// One line of a scenario: a console line, or simulated time passing.
enum Step {
    Run(&'static str),
    Advance(u64),
}

use Step::{Advance, Run};

struct Scenario {
    name: &'static str,
    files: &'static [(&'static str, &'static str)],
    steps: &'static [Step],
}

const SCENARIOS: &[Scenario] = &[
    Scenario {
        name: "deployment",
        files: &[("web.yaml", WEB)],
        steps: &[
            Run("kubectl apply -f web.yaml"),
            Advance(20),
            Run("kubectl describe pods"),
            Run("kubectl describe deploy web"),
            Run("kubectl describe rs"),
            Run("kubectl describe svc web"),
            Run("kubectl describe endpoints web"),
            Run("kubectl describe endpointslices -l kubernetes.io/service-name=web"),
            Run("kubectl describe node worker-1"),
            Run("kubectl describe ns default"),
            Run("kubectl describe sa default"),
            Run("kubectl describe cm cfg"),
            Run("kubectl describe secret s"),
            Run("kubectl describe pods --show-events=false -l app=web"),
            Run("kubectl describe pod web"),
        ],
    },
    Scenario {
        name: "workloads",
        files: &[
            ("web.yaml", WEB),
            ("web2.yaml", WEB_V2),
            ("more.yaml", WORKLOADS),
        ],
        steps: &[
            Run("kubectl apply -f web.yaml"),
            Run("kubectl apply -f more.yaml"),
            Advance(5),
            Run("kubectl apply -f web2.yaml"),
            Advance(20),
            Run("kubectl describe deploy web"),
            Run("kubectl describe ns team"),
            Run("kubectl describe quota,limits -n team"),
            Run("kubectl describe pod stuck"),
            Run("kubectl describe pvc claim"),
            Run("kubectl describe job once"),
            Run("kubectl describe cronjob nightly"),
            Run("kubectl describe ds agent"),
            Run("kubectl describe sts db"),
            Run("kubectl describe role reader"),
            Run("kubectl describe clusterrolebinding cluster-admin"),
            Run("kubectl describe priorityclass high"),
            Run("kubectl describe ingress site"),
            Run("kubectl describe lease -n kube-node-lease worker-1"),
            Run("kubectl describe -f web2.yaml"),
        ],
    },
    Scenario {
        name: "errors",
        files: &[("web.yaml", WEB)],
        steps: &[
            Run("kubectl apply -f web.yaml"),
            Advance(20),
            Run("kubectl describe"),
            Run("kubectl describe podz"),
            Run("kubectl describe pod nope"),
            Run("kubectl describe pod/nope"),
            Run("kubectl describe pods,nodes nope"),
            Run("kubectl describe pods -l app=none"),
            Run("kubectl describe pods -A -l app=none"),
            Run("kubectl describe pod web -A"),
            Run("kubectl describe pods web -l app=web"),
            Run("kubectl describe --show-events=maybe pods"),
        ],
    },
];

/// Runs a scenario on a fresh cluster: its transcript, each command after `$ `.
fn run(s: &Scenario) -> (Console, String) {
    let mut c = Console::new(SEED);
    for (path, text) in s.files {
        c.file(path, text);
    }
    let mut transcript = String::new();
    for step in s.steps {
        match step {
            Run(line) => {
                transcript += &format!("$ {line}\n");
                transcript += &c.run(line);
            }
            Advance(secs) => {
                transcript += &format!("$ sim advance {secs}s\n");
                c.sim.advance(SimDuration::from_secs(*secs));
                c.sim.run_until_idle();
            }
        }
    }
    (c, transcript)
}

#[test]
fn describe_prints_its_golden_transcripts() {
    let dir =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/kubectl_describe");
    let update = std::env::var("UPDATE_GOLDEN").is_ok_and(|v| v == "1");
    let mut failures = Vec::new();
    for s in SCENARIOS {
        let (_, transcript) = run(s);
        let path = dir.join(format!("{}.out", s.name));
        if update {
            std::fs::create_dir_all(&dir).expect("golden dir");
            std::fs::write(&path, &transcript).expect("write golden");
            continue;
        }
        let golden = std::fs::read_to_string(&path).unwrap_or_default();
        if golden != transcript {
            failures.push(format!(
                "seed {SEED}, scenario {}:\n--- golden\n{golden}\n--- kubestep\n{transcript}",
                s.name
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The line of `out` that starts with `prefix` (the first one).
fn line<'a>(out: &'a str, prefix: &str) -> &'a str {
    out.lines()
        .find(|l| l.starts_with(prefix))
        .unwrap_or_else(|| panic!("seed {SEED}: no line starts with {prefix:?} in:\n{out}"))
}

fn deployed() -> Console {
    let mut c = Console::new(SEED);
    c.file("web.yaml", WEB);
    c.run("kubectl apply -f web.yaml");
    c.sim.advance(SimDuration::from_secs(20));
    c.sim.run_until_idle();
    c
}

#[test]
fn a_deployment_shows_its_replicas_strategy_and_replica_sets() {
    let mut c = deployed();
    let out = c.run("kubectl describe deployment web");
    let rs_name = line(&out, "NewReplicaSet:")
        .split_whitespace()
        .nth(1)
        .expect("a replica set name")
        .to_string();
    for want in [
        "Name:                   web",
        "Namespace:              default",
        "CreationTimestamp:      Thu, 01 Jan 2026 00:00:03 +0000",
        "Labels:                 app=web",
        "Annotations:            deployment.kubernetes.io/revision: 1",
        "Selector:               app=web",
        "Replicas:               2 desired | 2 updated | 2 total | 2 available | 0 unavailable",
        "StrategyType:           RollingUpdate",
        "MinReadySeconds:        0",
        "RollingUpdateStrategy:  25% max unavailable, 25% max surge",
        "Pod Template:",
        "  Labels:  app=web",
        "   nginx:",
        "    Image:      nginx:1.27",
        "    Readiness:  http-get http://:80/ delay=0s timeout=1s period=10s #success=1 #failure=3",
        "      POD_IP:       (v1:status.podIP)",
        "  Type           Status  Reason",
        "  Available      True    MinimumReplicasAvailable",
        "OldReplicaSets:  <none>",
        "Events:",
        "  Type    Reason             Age   From                   Message",
        "  Normal  ScalingReplicaSet  21s   deployment-controller  Scaled up replica set web-b8d4bbd from 0 to 2",
    ] {
        assert!(
            out.lines().any(|l| l == want),
            "seed {SEED}: missing line {want:?} in:\n{out}"
        );
    }
    assert!(rs_name.starts_with("web-"), "seed {SEED}: {rs_name}");
    assert_eq!(
        line(&out, "NewReplicaSet:"),
        format!("NewReplicaSet:   {rs_name} (2/2 replicas created)")
    );
}

#[test]
fn a_pod_shows_its_node_containers_conditions_and_events() {
    let mut c = deployed();
    let out = c.run("kubectl describe pods -l app=web");
    let first = out.split("\n\n\n").next().expect("a first pod");
    let pod = line(first, "Name:").split_whitespace().nth(1).unwrap();
    let node = line(first, "Node:").split_whitespace().nth(1).unwrap();
    let (node_name, host_ip) = node.split_once('/').expect("node/hostIP");
    assert!(node_name.starts_with("worker-"), "seed {SEED}: {node}");
    assert!(host_ip.starts_with("172.18.0."), "seed {SEED}: {node}");
    assert_eq!(
        line(first, "Start Time:"),
        "Start Time:       Thu, 01 Jan 2026 00:00:03 +0000"
    );
    assert_eq!(line(first, "Status:"), "Status:           Running");
    assert!(line(first, "Controlled By:").starts_with("Controlled By:  ReplicaSet/web-"));
    assert_eq!(line(first, "    Restart Count:"), "    Restart Count:  0");
    assert_eq!(line(first, "    State:"), "    State:          Running");
    assert_eq!(
        line(first, "      POD_NAME:"),
        format!("      POD_NAME:  {pod} (v1:metadata.name)")
    );
    assert_eq!(
        line(first, "QoS Class:"),
        "QoS Class:                   Burstable"
    );
    assert_eq!(
        line(first, "Tolerations:"),
        "Tolerations:                 node.kubernetes.io/not-ready:NoExecute op=Exists for 300s"
    );
    assert_eq!(
        line(first, "  Type    Reason"),
        "  Type    Reason     Age   From               Message"
    );
    assert_eq!(
        line(first, "  Normal  Scheduled"),
        format!("  Normal  Scheduled  21s   default-scheduler  Successfully assigned default/{pod} to {node_name}")
    );
    assert_eq!(
        line(first, "  Normal  Started"),
        "  Normal  Started    20s   kubelet            Started container nginx"
    );
    // Two pods, separated as the real command separates descriptions.
    assert_eq!(out.matches("\n\n\nName:").count(), 1, "seed {SEED}:\n{out}");
}

#[test]
fn ages_are_measured_against_the_simulated_clock() {
    let mut c = deployed();
    let before = c.run("kubectl describe pods -l app=web");
    c.sim.advance(SimDuration::from_secs(200));
    c.sim.run_until_idle();
    let after = c.run("kubectl describe pods -l app=web");
    assert!(
        line(&before, "  Normal  Started").contains(" 20s "),
        "seed {SEED}:\n{before}"
    );
    // 220 s after the container started: HumanDuration's `3m40s`.
    assert!(
        line(&after, "  Normal  Started").contains(" 3m40s "),
        "seed {SEED}:\n{after}"
    );
}

#[test]
fn events_are_listed_with_the_involved_objects_field_selector() {
    let mut c = deployed();
    let out = c.run("kubectl describe deploy web -v=6");
    let json: serde_json::Value =
        serde_json::from_str(&c.run("kubectl get deploy web -o json")).expect("json");
    let uid = json["metadata"]["uid"].as_str().expect("a uid");
    let want = format!(
        "url=\"https://172.18.0.2:6443/api/v1/namespaces/default/events?fieldSelector=involvedObject.kind%3DDeployment%2CinvolvedObject.name%3Dweb%2CinvolvedObject.namespace%3Ddefault%2CinvolvedObject.uid%3D{uid}&limit=500\" status=\"200 OK\""
    );
    assert!(out.contains(&want), "seed {SEED}: no {want} in:\n{out}");
    // The describer fetches the deployment again, then its events, then its replica sets.
    let urls: Vec<&str> = out
        .lines()
        .filter(|l| l.contains("\"Response\""))
        .filter_map(|l| l.split("url=\"https://172.18.0.2:6443").nth(1))
        .map(|l| l.split('"').next().unwrap_or(""))
        .filter(|u| !u.contains("timeout=32s"))
        .collect();
    assert_eq!(
        urls,
        [
            "/apis/apps/v1/namespaces/default/deployments/web".to_string(),
            "/apis/apps/v1/namespaces/default/deployments/web".to_string(),
            format!("/api/v1/namespaces/default/events?fieldSelector=involvedObject.kind%3DDeployment%2CinvolvedObject.name%3Dweb%2CinvolvedObject.namespace%3Ddefault%2CinvolvedObject.uid%3D{uid}&limit=500"),
            "/apis/apps/v1/namespaces/default/replicasets?labelSelector=app%3Dweb&limit=500".to_string(),
        ],
        "seed {SEED}"
    );
}

#[test]
fn a_node_shows_its_lease_capacity_and_the_share_its_pods_request() {
    let mut c = deployed();
    let out = c.run("kubectl describe node worker-1");
    assert_eq!(line(&out, "Roles:"), "Roles:              <none>");
    assert_eq!(line(&out, "Unschedulable:"), "Unschedulable:      false");
    assert_eq!(
        line(&out, "  HolderIdentity:"),
        "  HolderIdentity:  worker-1"
    );
    assert_eq!(line(&out, "  AcquireTime:"), "  AcquireTime:     <unset>");
    assert_eq!(line(&out, "  cpu:"), "  cpu:                4");
    assert_eq!(
        line(&out, "  Kubelet Version:"),
        "  Kubelet Version:            v1.33.1"
    );
    assert_eq!(
        line(&out, "Non-terminated Pods:"),
        "Non-terminated Pods:          (1 in total)"
    );
    // 100m of 4 CPUs is 2%; 128Mi of 8045620Ki is 1%.
    let row = line(&out, "  default ");
    assert!(
        row.contains("  100m (2%)     0 (0%)      64Mi (0%)        128Mi (1%)     21s"),
        "seed {SEED}: {row}"
    );
    assert_eq!(
        line(&out, "  cpu                100m"),
        "  cpu                100m (2%)  0 (0%)"
    );
    assert_eq!(line(&out, "Events:"), "Events:              <none>");
    let control_plane = c.run("kubectl describe node control-plane");
    assert_eq!(
        line(&control_plane, "Roles:"),
        "Roles:              control-plane"
    );
    assert_eq!(
        line(&control_plane, "Taints:"),
        "Taints:             node-role.kubernetes.io/control-plane:NoSchedule"
    );
}

#[test]
fn a_service_lists_the_ready_endpoints_of_each_port() {
    let mut c = deployed();
    let out = c.run("kubectl describe svc web");
    assert_eq!(line(&out, "Type:"), "Type:                     NodePort");
    assert_eq!(
        line(&out, "Port:"),
        "Port:                     http  80/TCP"
    );
    assert_eq!(
        line(&out, "TargetPort:"),
        "TargetPort:               80/TCP"
    );
    let endpoints = line(&out, "Endpoints:");
    let ips: Vec<&str> = endpoints
        .trim_start_matches("Endpoints:")
        .trim()
        .split(',')
        .collect();
    assert_eq!(ips.len(), 2, "seed {SEED}: {endpoints}");
    assert!(ips
        .iter()
        .all(|ip| ip.starts_with("10.244.") && ip.ends_with(":80")));
}

#[test]
fn a_missing_name_is_a_prefix_and_otherwise_not_found() {
    let mut c = deployed();
    let by_prefix = c.run("kubectl describe pod web");
    assert_eq!(
        by_prefix.matches("\nControlled By:").count(),
        2,
        "seed {SEED}:\n{by_prefix}"
    );
    // Each description found by prefix ends with an extra newline.
    assert!(
        by_prefix.ends_with("Started container nginx\n\n"),
        "seed {SEED}:\n{by_prefix}"
    );
    assert_eq!(
        c.run("kubectl describe pod/web"),
        "Error from server (NotFound): pods \"web\" not found\n"
    );
    assert_eq!(
        c.run("kubectl describe pod nope"),
        "Error from server (NotFound): pods \"nope\" not found\n"
    );
    assert_eq!(
        c.run("kubectl describe pods -l app=none"),
        "No resources found in default namespace.\n"
    );
}

#[test]
fn show_events_false_leaves_the_events_out() {
    let mut c = deployed();
    let out = c.run("kubectl describe deploy web --show-events=false");
    assert!(!out.contains("Events:"), "seed {SEED}:\n{out}");
    let last = out.lines().last().unwrap_or_default();
    assert!(
        last.starts_with("NewReplicaSet:   web-"),
        "seed {SEED}:\n{out}"
    );
}

#[test]
fn the_same_seed_gives_the_same_descriptions() {
    let s = &SCENARIOS[0];
    assert_eq!(run(s).1, run(s).1, "seed {SEED}");
}
