//! kubectl's node maintenance, troubleshooting and access commands against a booted cluster:
//! what they print, and what they do to the cluster.

mod kubectl_support;
use kubectl_support::Console;

const DEPLOYMENT: &str = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: nginx
        image: nginx
";

fn cluster(seed: u64) -> Console {
    let mut c = Console::new(seed);
    c.file("web.yaml", DEPLOYMENT);
    assert_eq!(
        c.run("kubectl apply -f web.yaml"),
        "deployment.apps/web created\n",
        "seed {seed}"
    );
    c
}

#[test]
fn drain_cordons_the_node_evicts_its_pods_and_they_come_back_elsewhere() {
    for seed in [1, 2] {
        let mut c = cluster(seed);
        let pods = c.run("kubectl get pods -o wide --no-headers");
        let on_worker_1: Vec<&str> = pods
            .lines()
            .filter(|l| l.contains("worker-1"))
            .map(|l| l.split_whitespace().next().unwrap())
            .collect();
        let out = c.run("kubectl drain worker-1");
        let mut expected = "node/worker-1 cordoned\n".to_string();
        for p in &on_worker_1 {
            expected += &format!("evicting pod default/{p}\n");
        }
        for p in &on_worker_1 {
            expected += &format!("pod/{p} evicted\n");
        }
        expected += "node/worker-1 drained\n";
        assert_eq!(out, expected, "seed {seed}");
        assert!(
            c.run("kubectl get nodes")
                .contains("worker-1        Ready,SchedulingDisabled"),
            "seed {seed}"
        );
        let after = c.run("kubectl get pods -o wide --no-headers");
        assert_eq!(after.lines().count(), 2, "seed {seed}: {after}");
        assert!(
            after
                .lines()
                .all(|l| l.contains("worker-2") && l.contains("Running")),
            "seed {seed}: {after}"
        );
        assert_eq!(
            c.run("kubectl uncordon worker-1"),
            "node/worker-1 uncordoned\n"
        );
        assert_eq!(
            c.run("kubectl uncordon worker-1"),
            "node/worker-1 already uncordoned\n"
        );
    }
}

#[test]
fn drain_refuses_a_bare_pod_without_force() {
    let mut c = Console::new(3);
    c.file(
        "pod.yaml",
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: solo\nspec:\n  nodeName: worker-2\n  containers:\n  - name: c\n    image: nginx\n",
    );
    assert_eq!(c.run("kubectl apply -f pod.yaml"), "pod/solo created\n");
    assert_eq!(
        c.run("kubectl drain worker-2"),
        "node/worker-2 cordoned\nerror: unable to drain node \"worker-2\" due to error:cannot delete Pods declare no controller (use --force to override): default/solo, continuing command...\nThere are pending nodes to be drained:\n worker-2\ncannot delete Pods declare no controller (use --force to override): default/solo\n"
    );
    assert_eq!(
        c.run("kubectl drain worker-2 --force"),
        "node/worker-2 already cordoned\nWarning: deleting Pods that declare no controller: default/solo\nevicting pod default/solo\npod/solo evicted\nnode/worker-2 drained\n"
    );
}

#[test]
fn taints_are_added_refused_twice_and_removed() {
    let mut c = Console::new(4);
    assert_eq!(
        c.run("kubectl taint nodes worker-1 dedicated=gpu:NoSchedule"),
        "node/worker-1 tainted\n"
    );
    assert_eq!(
        c.run("kubectl taint nodes worker-1 dedicated=gpu:NoSchedule"),
        "error: node worker-1 already has dedicated taint(s) with same effect(s) and --overwrite is false\n"
    );
    assert!(c
        .run("kubectl get node worker-1 -o json")
        .contains("\"key\": \"dedicated\""));
    assert_eq!(
        c.run("kubectl taint nodes worker-1 dedicated:NoSchedule-"),
        "node/worker-1 untainted\n"
    );
    assert_eq!(
        c.run("kubectl taint nodes worker-1 dedicated:NoSchedule-"),
        "error: taint \"dedicated:NoSchedule\" not found\n"
    );
    assert_eq!(
        c.run("kubectl taint pods web a=b:NoSchedule"),
        "error: invalid resource type pods, only node types are supported\n"
    );
}

#[test]
fn logs_of_a_deployment_pick_one_of_its_pods() {
    let mut c = cluster(5);
    let out = c.run("kubectl logs deploy/web");
    assert!(out.starts_with("Found 2 pods, using pod/web-"), "{out}");
    assert!(
        out.contains("Configuration complete; ready for start up"),
        "{out}"
    );
    assert_eq!(
        c.run("kubectl logs deploy/web -c nope"),
        c.run("kubectl logs deploy/web -c nope")
    );
}

#[test]
fn can_i_asks_the_api_server_as_the_user_or_as_someone_else() {
    let mut c = Console::new(6);
    assert_eq!(c.run("kubectl auth can-i create pods"), "yes\n");
    assert_eq!(
        c.run("kubectl auth can-i create pods --as jane -n kube-system"),
        "no\n"
    );
    assert_eq!(
        c.run("kubectl --context jane@kubernetes auth can-i list pods"),
        "yes\n"
    );
    // Impersonating needs the `impersonate` verb, which jane lacks.
    assert_eq!(
        c.run("kubectl --context jane@kubernetes get pods --as kubernetes-admin"),
        "Error from server (Forbidden): users \"kubernetes-admin\" is forbidden: User \"jane\" cannot impersonate resource \"users\" in API group \"\" at the cluster scope\n"
    );
    assert_eq!(
        c.run("kubectl --context jane@kubernetes auth can-i list nodes"),
        "Warning: resource 'nodes' is not namespace scoped\n\nno\n"
    );
}

#[test]
fn events_list_what_the_components_reported() {
    let mut c = cluster(8);
    let out = c.run("kubectl events");
    let header = out.lines().next().unwrap();
    assert_eq!(
        header.split_whitespace().collect::<Vec<_>>(),
        ["LAST", "SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"]
    );
    for reason in [
        "Scheduled",
        "Pulling",
        "Pulled",
        "Created",
        "Started",
        "ScalingReplicaSet",
        "SuccessfulCreate",
    ] {
        assert!(out.contains(reason), "{reason} missing:\n{out}");
    }
    let scaled = out
        .lines()
        .find(|l| l.contains("ScalingReplicaSet"))
        .unwrap();
    assert!(
        // OBJECT is the involved object's kind as it stands (the event printer's
        // `Kind/Name`), not a resource name.
        scaled.contains("Deployment/web")
            && scaled.contains("Scaled up replica set web-")
            && scaled.ends_with(" from 0 to 2"),
        "{scaled}"
    );
    let created = out
        .lines()
        .filter(|l| l.contains("SuccessfulCreate"))
        .count();
    assert_eq!(created, 2, "{out}");
    assert_eq!(
        c.run("kubectl events -n kube-node-lease"),
        "No events found in kube-node-lease namespace.\n"
    );
}
