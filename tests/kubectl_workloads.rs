//! kubectl's workload commands (scale, rollout, set image, expose, label, annotate, run,
//! create <kind>, patch, replace) on a booted cluster with every real component, read as a
//! learner would type them; and the objects `create --dry-run=client` generates compared with
//! the real kubectl 1.33's when that binary is installed.

mod kubectl_support;

use kubectl_support::Console;
use kubestep::console;
use kubestep::sim::SimDuration;
use serde_json::Value;

/// Runs `first`, then `second` the moment `first` is done (as a learner types the next line
/// at once), without letting the cluster settle in between. Returns both outputs.
fn back_to_back(c: &mut Console, first: &str, second: &str) -> (String, String) {
    let input = |c: &Console, line: &str| {
        let files = c.files.clone();
        let lookup = move |p: &str| files.iter().find(|(f, _)| f == p).map(|(_, e)| e.clone());
        let cmd = console::script::parse(line, &|p| console::file_text(&lookup, p))
            .unwrap_or_else(|e| panic!("seed {}: {line}: {e}", c.seed))
            .remove(0);
        console::input_for(&cmd, &lookup).unwrap()
    };
    let output = |c: &Console, id: u64| -> (String, bool) {
        let outs: Vec<_> = c
            .sim
            .console()
            .iter()
            .filter(|o| o.input_id == id)
            .collect();
        (
            outs.iter().map(|o| o.text.as_str()).collect(),
            outs.iter().any(|o| o.done),
        )
    };
    let first_input = input(c, first);
    let id = c.sim.submit(first_input);
    while !output(c, id).1 {
        assert!(
            c.sim.step().is_some(),
            "seed {}: {first} never finished",
            c.seed
        );
    }
    let second_input = input(c, second);
    let id2 = c.sim.submit(second_input);
    let mut waited = 0;
    c.sim.run_until_idle();
    while !output(c, id2).1 {
        assert!(waited < 240, "seed {}: {second} never finished", c.seed);
        c.sim.advance(SimDuration::from_millis(500));
        c.sim.run_until_idle();
        waited += 1;
    }
    (output(c, id).0, output(c, id2).0)
}

/// The object `kubectl get -o json` prints, parsed.
fn get_json(c: &mut Console, what: &str) -> Value {
    let out = c.run(&format!("kubectl get {what} -o json"));
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("seed {}: {what}: {e}: {out}", c.seed))
}

/// `rollout status` while a rollout runs: waiting lines in kubectl's words, then success.
fn assert_rollout_lines(seed: u64, out: &str, name: &str) {
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines.last().copied(),
        Some(format!("deployment \"{name}\" successfully rolled out").as_str()),
        "seed {seed}: {out}"
    );
    assert!(lines.len() > 1, "seed {seed}: no progress was shown: {out}");
    let prefix = format!("Waiting for deployment \"{name}\" rollout to finish: ");
    for l in &lines[..lines.len() - 1] {
        let known = l.strip_prefix(&prefix).is_some_and(|rest| {
            rest.ends_with(" new replicas have been updated...")
                || rest.ends_with(" old replicas are pending termination...")
                || rest.ends_with(" updated replicas are available...")
        }) || *l == "Waiting for deployment spec update to be observed...";
        assert!(known, "seed {seed}: unexpected line {l:?} in {out}");
    }
}

#[test]
fn a_deployment_is_created_scaled_updated_and_rolled_back() {
    let seed = 7;
    let mut c = Console::new(seed);
    let (created, status) = back_to_back(
        &mut c,
        "kubectl create deployment web --image=nginx:1.25 --replicas=2",
        "kubectl rollout status deployment/web",
    );
    assert_eq!(created, "deployment.apps/web created\n", "seed {seed}");
    assert_rollout_lines(seed, &status, "web");
    assert_eq!(
        c.run("kubectl create deployment web --image=nginx:1.25"),
        "error: failed to create deployment: deployments.apps \"web\" already exists\n",
        "seed {seed}"
    );

    // scale: a merge patch of the scale subresource; the controllers follow.
    assert_eq!(
        c.run("kubectl scale deployment web --replicas=3"),
        "deployment.apps/web scaled\n"
    );
    assert_eq!(
        c.run("kubectl scale deploy/web --replicas=1 --current-replicas=2"),
        "error: Expected replicas to be 2, was 3\n"
    );
    assert_eq!(
        c.run("kubectl scale deploy/nope --replicas=1"),
        "error: no objects passed to scale deployments.apps \"nope\" not found\n"
    );
    assert_eq!(
        c.run("kubectl scale deploy web"),
        "error: required flag(s) \"replicas\" not set\n"
    );
    c.run("kubectl rollout status deploy/web");
    assert_eq!(get_json(&mut c, "deploy web")["status"]["readyReplicas"], 3);

    // set image, and the rollout it starts.
    let (updated, status) = back_to_back(
        &mut c,
        "kubectl set image deployment/web nginx=nginx:1.27",
        "kubectl rollout status deployment/web",
    );
    assert_eq!(updated, "deployment.apps/web image updated\n");
    assert_rollout_lines(seed, &status, "web");
    // The same image again changes nothing: nothing is sent, nothing printed.
    assert_eq!(
        c.run("kubectl set image deployment/web nginx=nginx:1.27"),
        ""
    );
    assert_eq!(
        c.run("kubectl set image deployment/web php=php:8"),
        "error: unable to find container named \"php\"\n"
    );
    assert_eq!(
        c.run("kubectl set image svc/kubernetes a=b"),
        "error: services/kubernetes the object is not a pod or does not have a pod template: *v1.Service\n"
    );

    // history: one revision per template.
    assert_eq!(
        c.run("kubectl rollout history deployment/web"),
        "deployment.apps/web \nREVISION  CHANGE-CAUSE\n1         <none>\n2         <none>\n\n"
    );
    let rs1 = c.run("kubectl rollout history deployment/web --revision=1");
    assert!(
        rs1.starts_with("deployment.apps/web with revision #1\nPod Template:\n  Labels:\tapp=web\n\tpod-template-hash="),
        "seed {seed}: {rs1}"
    );
    assert!(
        rs1.ends_with("  Containers:\n   nginx:\n    Image:\tnginx:1.25\n    Port:\t<none>\n    Host Port:\t<none>\n    Environment:\t<none>\n    Mounts:\t<none>\n  Volumes:\t<none>\n  Node-Selectors:\t<none>\n  Tolerations:\t<none>\n\n"),
        "seed {seed}: {rs1}"
    );
    assert_eq!(
        c.run("kubectl rollout history deployment/web --revision=7"),
        "error: unable to find the specified revision\n"
    );

    // undo: the previous template comes back as revision 3.
    let (undone, status) = back_to_back(
        &mut c,
        "kubectl rollout undo deployment/web",
        "kubectl rollout status deployment/web",
    );
    assert_eq!(undone, "deployment.apps/web rolled back\n");
    assert_rollout_lines(seed, &status, "web");
    let d = get_json(&mut c, "deploy web");
    assert_eq!(
        d["spec"]["template"]["spec"]["containers"][0]["image"],
        "nginx:1.25"
    );
    assert_eq!(
        d["metadata"]["annotations"]["deployment.kubernetes.io/revision"],
        "3"
    );
    assert_eq!(
        c.run("kubectl rollout history deploy/web"),
        "deployment.apps/web \nREVISION  CHANGE-CAUSE\n2         <none>\n3         <none>\n\n"
    );
    assert_eq!(
        c.run("kubectl rollout undo deploy/web --to-revision=3"),
        "deployment.apps/web skipped rollback (current template already matches revision 3)\n"
    );
    assert_eq!(
        c.run("kubectl rollout undo deploy/web --to-revision=9"),
        "error: unable to find specified revision 9 in history\n"
    );

    // pause, resume, restart.
    assert_eq!(
        c.run("kubectl rollout pause deploy/web"),
        "deployment.apps/web paused\n"
    );
    assert_eq!(
        c.run("kubectl rollout pause deploy/web"),
        "error: deployments.apps \"web\" is already paused\n"
    );
    assert_eq!(
        c.run("kubectl rollout restart deploy/web"),
        "error: deployments.apps \"web\" can't restart paused deployment (run rollout resume first)\n"
    );
    assert_eq!(
        c.run("kubectl rollout undo deploy/web"),
        "error: you cannot rollback a paused deployment; resume it first with 'kubectl rollout resume' and try again\n"
    );
    assert_eq!(
        c.run("kubectl rollout resume deploy/web"),
        "deployment.apps/web resumed\n"
    );
    assert_eq!(
        c.run("kubectl rollout resume deploy/web"),
        "error: deployments.apps \"web\" is not paused\n"
    );
    let (restarted, status) = back_to_back(
        &mut c,
        "kubectl rollout restart deploy/web",
        "kubectl rollout status deploy/web",
    );
    assert_eq!(restarted, "deployment.apps/web restarted\n");
    assert_rollout_lines(seed, &status, "web");
    let d = get_json(&mut c, "deploy web");
    let stamp = d["spec"]["template"]["metadata"]["annotations"]
        ["kubectl.kubernetes.io/restartedAt"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(
        stamp.starts_with("2026-01-01T00:") && stamp.ends_with('Z'),
        "seed {seed}: the simulated time stamps the restart: {stamp}"
    );

    // `--record` (deprecated) keeps the command line as the change cause.
    let (recorded, status) = back_to_back(
        &mut c,
        "kubectl set image deployment/web nginx=nginx:1.28 --record",
        "kubectl rollout status deploy/web",
    );
    assert_eq!(
        recorded,
        "Flag --record has been deprecated, --record will be removed in the future\ndeployment.apps/web image updated\n"
    );
    assert_rollout_lines(seed, &status, "web");
    assert_eq!(
        c.run("kubectl rollout history deploy/web"),
        "deployment.apps/web \nREVISION  CHANGE-CAUSE\n2         <none>\n3         <none>\n4         <none>\n5         kubectl set image deployment/web nginx=nginx:1.28 --record=true\n\n"
    );

    // Every container at once, then back.
    assert_eq!(
        c.run("kubectl set image deployment/web '*=nginx:1.29'"),
        "deployment.apps/web image updated\n"
    );
    assert_eq!(
        get_json(&mut c, "deploy web")["spec"]["template"]["spec"]["containers"][0]["image"],
        "nginx:1.29"
    );
    assert_eq!(
        c.run("kubectl set image deployment/web '*=a' nginx=b"),
        "error: all containers are already specified by *, but saw more than one container_name=container_image pairs\n"
    );
    // A deployment with one revision has nothing to go back to.
    c.run("kubectl create deployment solo --image=nginx");
    c.run("kubectl rollout status deploy/solo");
    assert_eq!(
        c.run("kubectl rollout undo deploy/solo"),
        "error: no rollout history found for deployment \"solo\"\n"
    );

    // Kinds without rollouts.
    c.run("kubectl run lone --image=nginx");
    assert_eq!(
        c.run("kubectl rollout status pod/lone"),
        "error: no status viewer has been implemented for Pod\n"
    );
    assert_eq!(
        c.run("kubectl rollout history pod/lone"),
        "error: no history viewer has been implemented for \"Pod\"\n"
    );
    assert_eq!(
        c.run("kubectl rollout restart pod/lone"),
        "error: pods \"lone\" restarting is not supported\n"
    );
    assert_eq!(
        c.run("kubectl rollout status"),
        "error: required resource not specified\n"
    );
    assert_eq!(
        c.run("kubectl rollout frob deploy/web"),
        "error: unknown command \"frob deploy/web\"\nSee 'kubectl rollout -h' for help and examples\n"
    );
}

#[test]
fn labels_and_annotations_are_merge_patches() {
    let seed = 11;
    let mut c = Console::new(seed);
    assert_eq!(
        c.run("kubectl run web --image=nginx --labels=app=web,tier=fe"),
        "pod/web created\n"
    );
    assert_eq!(c.run("kubectl label pod web env=prod"), "pod/web labeled\n");
    assert_eq!(
        c.run("kubectl label pod web app=x"),
        "error: 'app' already has a value (web), and --overwrite is false\n"
    );
    assert_eq!(
        c.run("kubectl label pod web app=x tier=y"),
        "'app' already has a value (web), and --overwrite is false\n'tier' already has a value (fe), and --overwrite is false\n"
    );
    assert_eq!(
        c.run("kubectl label pod web app=x --overwrite"),
        "pod/web labeled\n"
    );
    assert_eq!(
        c.run("kubectl label pod web app=x --overwrite"),
        "pod/web not labeled\n"
    );
    assert_eq!(c.run("kubectl label pod web env-"), "pod/web unlabeled\n");
    assert_eq!(
        c.run("kubectl label pod web env-"),
        "label \"env\" not found.\npod/web not labeled\n"
    );
    assert_eq!(
        c.run("kubectl label pods -l app=x team=a"),
        "pod/web labeled\n"
    );
    assert_eq!(
        c.run("kubectl label pods --all team=b --overwrite --dry-run=client"),
        "pod/web labeled (dry run)\n"
    );
    assert_eq!(
        c.run("kubectl label pod web a=b a-"),
        "error: can not both modify and remove a label in the same command\n"
    );
    assert_eq!(
        c.run("kubectl label pod web"),
        "error: at least one label update is required\n"
    );
    assert_eq!(
        c.run("kubectl label pods team=c"),
        "error: resource(s) were provided, but no name was specified\n"
    );
    assert_eq!(
        c.run("kubectl label pod/web pod/nope x=1"),
        "pod/web labeled\nError from server (NotFound): pods \"nope\" not found\n"
    );
    let pod = get_json(&mut c, "pod web");
    assert_eq!(
        pod["metadata"]["labels"],
        serde_json::json!({"app": "x", "tier": "fe", "team": "a", "x": "1"}),
        "seed {seed}"
    );

    assert_eq!(
        c.run("kubectl annotate pod web note=hello"),
        "pod/web annotated\n"
    );
    assert_eq!(
        c.run("kubectl annotate pod web note=bye"),
        "error: --overwrite is false but found the following declared annotation(s): 'note' already has a value (hello)\n"
    );
    assert_eq!(
        c.run("kubectl annotate pod web note=bye --overwrite"),
        "pod/web annotated\n"
    );
    assert_eq!(
        c.run("kubectl annotate pod web note-"),
        "pod/web annotated\n"
    );
    assert_eq!(
        c.run("kubectl annotate pod web a=b a-"),
        "error: can not both modify and remove the following annotation(s) in the same command: a\n"
    );
    assert!(get_json(&mut c, "pod web")["metadata"]["annotations"]
        .get("note")
        .is_none());
}

#[test]
fn run_and_expose_make_pods_and_services() {
    let seed = 13;
    let mut c = Console::new(seed);
    assert_eq!(
        c.run("kubectl run job1 --image=busybox --restart=Never --env=GREETING=hi --port=8080 --command -- sh -c 'echo $GREETING'"),
        "pod/job1 created\n"
    );
    let pod = get_json(&mut c, "pod job1");
    let container = &pod["spec"]["containers"][0];
    assert_eq!(
        container["command"],
        serde_json::json!(["sh", "-c", "echo $GREETING"])
    );
    assert_eq!(
        container["env"],
        serde_json::json!([{"name": "GREETING", "value": "hi"}])
    );
    assert_eq!(container["ports"][0]["containerPort"], 8080);
    assert_eq!(pod["spec"]["restartPolicy"], "Never");
    assert_eq!(
        pod["metadata"]["labels"],
        serde_json::json!({"run": "job1"})
    );
    assert_eq!(
        c.run("kubectl run job1 --image=busybox"),
        "Error from server (AlreadyExists): pods \"job1\" already exists\n"
    );
    assert_eq!(
        c.run("kubectl run x --image='Bad Image'"),
        "error: Invalid image name \"Bad Image\": invalid reference format\n"
    );
    assert_eq!(
        c.run("kubectl run x"),
        "error: required flag(s) \"image\" not set\n"
    );
    assert_eq!(
        c.run("kubectl run x --image=nginx --restart=Sometimes"),
        "error: invalid restart policy: Sometimes\nSee 'kubectl run -h' for help and examples\n"
    );
    assert_eq!(
        c.run("kubectl run y --image=nginx --port=80 --expose"),
        "service/y created\npod/y created\n"
    );
    assert_eq!(
        get_json(&mut c, "svc y")["spec"]["selector"],
        serde_json::json!({"run": "y"})
    );

    c.run("kubectl create deployment web --image=nginx --port=80");
    assert_eq!(
        c.run("kubectl expose deployment web --port=8080 --target-port=80 --type=NodePort"),
        "service/web exposed\n"
    );
    let svc = get_json(&mut c, "svc web");
    assert_eq!(svc["spec"]["selector"], serde_json::json!({"app": "web"}));
    assert_eq!(svc["spec"]["type"], "NodePort");
    assert_eq!(svc["spec"]["ports"][0]["port"], 8080);
    assert_eq!(svc["spec"]["ports"][0]["targetPort"], 80);
    assert!(svc["spec"]["ports"][0]["nodePort"]
        .as_i64()
        .is_some_and(|p| p >= 30000));
    // Without --port, the container's port is taken.
    assert_eq!(
        c.run("kubectl expose deploy web --name=web2"),
        "service/web2 exposed\n"
    );
    assert_eq!(get_json(&mut c, "svc web2")["spec"]["ports"][0]["port"], 80);
    assert_eq!(
        c.run("kubectl expose pod job1 --name=p1 --port=81 --dry-run=client -o name"),
        "service/p1\n"
    );
    assert_eq!(
        c.run("kubectl expose svc kubernetes --name=k2"),
        "error: couldn't retrieve selectors via --selector flag or introspection: the service has no pod selector set\n"
    );
    assert_eq!(
        c.run("kubectl expose configmap kube-root-ca.crt --port=80"),
        "error: cannot expose a ConfigMap\n"
    );
    assert_eq!(
        c.run("kubectl expose pod"),
        "error: resource(s) were provided, but no name was specified\n"
    );
}

#[test]
fn create_makes_each_kind() {
    let seed = 17;
    let mut c = Console::new(seed);
    c.file("app.properties", "color=blue\n");
    c.file("dev.env", "MODE=dev\n# comment\nLEVEL=3\n");
    for (line, want) in [
        ("kubectl create namespace dev", "namespace/dev created\n"),
        (
            "kubectl create configmap app --from-literal=a=b --from-file=app.properties",
            "configmap/app created\n",
        ),
        (
            "kubectl create configmap env --from-env-file=dev.env",
            "configmap/env created\n",
        ),
        (
            "kubectl create secret generic creds --from-literal=password=s3cret",
            "secret/creds created\n",
        ),
        (
            "kubectl create secret docker-registry reg --docker-username=u --docker-password=p --docker-server=r.io",
            "secret/reg created\n",
        ),
        ("kubectl create service clusterip db --tcp=5432", "service/db created\n"),
        ("kubectl create service nodeport np --tcp=80:8080", "service/np created\n"),
        ("kubectl create service loadbalancer lb --tcp=443", "service/lb created\n"),
        (
            "kubectl create role reader --verb=get,list --resource=pods,deployments.apps",
            "role.rbac.authorization.k8s.io/reader created\n",
        ),
        (
            "kubectl create rolebinding reader --role=reader --user=jane --serviceaccount=default:builder",
            "rolebinding.rbac.authorization.k8s.io/reader created\n",
        ),
        (
            "kubectl create clusterrole node-reader --verb=get --resource=nodes",
            "clusterrole.rbac.authorization.k8s.io/node-reader created\n",
        ),
        (
            "kubectl create clusterrolebinding node-reader --clusterrole=node-reader --group=ops",
            "clusterrolebinding.rbac.authorization.k8s.io/node-reader created\n",
        ),
        ("kubectl create job once --image=busybox -- echo hi", "job.batch/once created\n"),
        (
            "kubectl create cronjob tick --image=busybox --schedule='*/5 * * * *' -- date",
            "cronjob.batch/tick created\n",
        ),
        ("kubectl create serviceaccount builder", "serviceaccount/builder created\n"),
        ("kubectl create deploy api --image=nginx", "deployment.apps/api created\n"),
        ("kubectl create ns staging", "namespace/staging created\n"),
    ] {
        assert_eq!(c.run(line), want, "seed {seed}: {line}");
    }
    let cm = get_json(&mut c, "configmap app");
    assert_eq!(
        cm["data"],
        serde_json::json!({"a": "b", "app.properties": "color=blue\n"})
    );
    assert_eq!(
        get_json(&mut c, "configmap env")["data"],
        serde_json::json!({"MODE": "dev", "LEVEL": "3"})
    );
    assert_eq!(
        get_json(&mut c, "secret creds")["data"]["password"],
        "czNjcmV0"
    );
    assert_eq!(get_json(&mut c, "secret creds")["type"], "Opaque");
    assert_eq!(
        get_json(&mut c, "secret reg")["type"],
        "kubernetes.io/dockerconfigjson"
    );
    let np = get_json(&mut c, "svc np");
    assert_eq!(np["spec"]["ports"][0]["name"], "80-8080");
    assert_eq!(np["spec"]["ports"][0]["targetPort"], 8080);
    assert_eq!(np["spec"]["selector"], serde_json::json!({"app": "np"}));
    assert_eq!(
        get_json(&mut c, "role reader")["rules"],
        serde_json::json!([
            {"verbs": ["get", "list"], "apiGroups": [""], "resources": ["pods"]},
            {"verbs": ["get", "list"], "apiGroups": ["apps"], "resources": ["deployments"]},
        ])
    );
    let rb = get_json(&mut c, "rolebinding reader");
    assert_eq!(rb["subjects"][0]["name"], "jane", "seed {seed}: {rb}");
    assert_eq!(rb["subjects"][1]["kind"], "ServiceAccount");
    assert_eq!(
        get_json(&mut c, "cronjob tick")["spec"]["schedule"],
        "*/5 * * * *"
    );
    assert_eq!(
        get_json(&mut c, "job once")["spec"]["template"]["spec"]["containers"][0]["command"],
        serde_json::json!(["echo", "hi"])
    );

    // Errors in kubectl's words.
    for (line, want) in [
        (
            "kubectl create namespace dev",
            "Error from server (AlreadyExists): namespaces \"dev\" already exists\n",
        ),
        (
            "kubectl create configmap app --from-literal=a=b",
            "error: failed to create configmap: configmaps \"app\" already exists\n",
        ),
        (
            "kubectl create secret generic creds --from-literal=x=y",
            "error: failed to create secret secrets \"creds\" already exists\n",
        ),
        (
            "kubectl create service clusterip db --tcp=5432",
            "error: failed to create ClusterIP service: services \"db\" already exists\n",
        ),
        (
            "kubectl create namespace",
            "error: exactly one NAME is required, got 0\nSee 'kubectl create namespace -h' for help and examples\n",
        ),
        (
            "kubectl create configmap x --from-file=missing.txt",
            "error: error reading missing.txt: no such file or directory\n",
        ),
        (
            "kubectl create role r --verb=get --resource=podz",
            "the server doesn't have a resource type \"podz\"\n",
        ),
        (
            "kubectl create role r --verb=frob --resource=pods --dry-run=client",
            "Warning: 'frob' is not a standard resource verb\nrole.rbac.authorization.k8s.io/r created (dry run)\n",
        ),
        (
            "kubectl create rolebinding x --user=a",
            "error: exactly one of clusterrole or role must be specified\n",
        ),
        (
            "kubectl create job j",
            "error: either --image or --from must be specified\n",
        ),
        (
            "kubectl create cronjob c --image=busybox",
            "error: required flag(s) \"schedule\" not set\n",
        ),
        (
            "kubectl create secret frob x",
            "error: unknown command \"frob x\"\nSee 'kubectl create secret -h' for help and examples\n",
        ),
    ] {
        assert_eq!(c.run(line), want, "seed {seed}: {line}");
    }
    // `create -f` still works beside the subcommands.
    c.file(
        "pod.yaml",
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: from-file\nspec:\n  containers:\n  - name: c\n    image: nginx\n",
    );
    assert_eq!(
        c.run("kubectl create -f pod.yaml"),
        "pod/from-file created\n"
    );
    // A job from a cronjob's template.
    assert_eq!(
        c.run("kubectl create job manual --from=cronjob/tick"),
        "job.batch/manual created\n"
    );
    let job = get_json(&mut c, "job manual");
    assert_eq!(
        job["metadata"]["annotations"]["cronjob.kubernetes.io/instantiate"],
        "manual"
    );
    assert_eq!(job["metadata"]["ownerReferences"][0]["kind"], "CronJob");
}

#[test]
fn patch_and_replace_change_objects_in_place() {
    let seed = 19;
    let mut c = Console::new(seed);
    c.run("kubectl create deployment web --image=nginx --replicas=1");
    assert_eq!(
        c.run("kubectl patch deploy web -p '{\"spec\":{\"replicas\":2}}'"),
        "deployment.apps/web patched\n"
    );
    assert_eq!(
        c.run("kubectl patch deploy web -p '{\"spec\":{\"replicas\":2}}'"),
        "deployment.apps/web patched (no change)\n"
    );
    assert_eq!(
        c.run("kubectl patch deploy web --type=merge -p 'metadata: {labels: {tier: fe}}'"),
        "deployment.apps/web patched\n"
    );
    assert_eq!(
        c.run("kubectl patch deploy web --type=json -p '[{\"op\":\"replace\",\"path\":\"/spec/replicas\",\"value\":3}]'"),
        "deployment.apps/web patched\n"
    );
    assert_eq!(
        c.run("kubectl patch deploy web --type=foo -p '{}'"),
        "error: --type must be one of [json merge strategic], not \"foo\"\n"
    );
    assert_eq!(
        c.run("kubectl patch deploy web"),
        "error: must specify --patch or --patch-file containing the contents of the patch\n"
    );
    assert_eq!(
        c.run("kubectl patch deploy nope -p '{}'"),
        "Error from server (NotFound): deployments.apps \"nope\" not found\n"
    );
    let d = get_json(&mut c, "deploy web");
    assert_eq!(d["spec"]["replicas"], 3);
    assert_eq!(d["metadata"]["labels"]["tier"], "fe");

    c.file(
        "cm.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  mode: one\n",
    );
    assert_eq!(
        c.run("kubectl replace -f cm.yaml"),
        "Error from server (NotFound): error when replacing \"cm.yaml\": configmaps \"settings\" not found\n"
    );
    c.run("kubectl create -f cm.yaml");
    c.file(
        "cm-two.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  mode: two\n",
    );
    assert_eq!(
        c.run("kubectl replace -f cm-two.yaml"),
        "configmap/settings replaced\n"
    );
    assert_eq!(get_json(&mut c, "cm settings")["data"]["mode"], "two");
    // Several objects printed as YAML are separate documents.
    c.run("kubectl create configmap other --from-literal=k=v");
    let both = c.run("kubectl label cm settings other tier=db -o yaml");
    assert_eq!(both.matches("\n---\n").count(), 1, "seed {seed}: {both}");
    assert!(
        both.starts_with("{") || both.starts_with("apiVersion"),
        "seed {seed}: {both}"
    );
    assert_eq!(
        c.run("kubectl replace -f cm.yaml --dry-run=client"),
        "configmap/settings replaced (dry run)\n"
    );
}

/// The real kubectl 1.33 (the machine image has it; the comparisons are skipped without it).
const REAL_KUBECTL: &str = "/usr/lib/google-cloud-sdk/bin/kubectl.1.33";

/// Files both kubectls read (`--from-file`, `--from-env-file`, `-f` with `--local`).
const FILES: [(&str, &str); 3] = [
    ("app.properties", "color=blue\nsize=2\n"),
    ("dev.env", "MODE=dev\n# a comment\n\nLEVEL=3\n"),
    (
        "pod.yaml",
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: mypod\n  labels:\n    app: web\nspec:\n  containers:\n  - name: nginx\n    image: nginx:2\n",
    ),
];

/// Lines that run without a server (`--dry-run=client` of the generators, and errors found
/// before any request), as the learner types them.
const OFFLINE: &[&str] = &[
    "kubectl create deployment web --image=nginx --dry-run=client",
    "kubectl create deployment web --image=nginx --dry-run=client -o name",
    "kubectl create deployment web --image=nginx:1.27 --replicas=3 --port=80 --dry-run=client -o json",
    "kubectl create deployment web --image=busybox --dry-run=client -o yaml -- sleep 3600",
    "kubectl create deployment web --image=busybox --image=nginx:1.2 --dry-run=client -o json",
    "kubectl create deployment web --image=nginx -n dev --dry-run=client -o json",
    "kubectl create deployment web --image=nginx --save-config --dry-run=client -o json",
    "kubectl create deploy web --image=nginx --dry-run=client -o yaml",
    "kubectl create namespace dev --dry-run=client -o yaml",
    "kubectl create configmap cm --from-literal=a=b --from-literal=c=d --dry-run=client -o json",
    "kubectl create configmap cm --from-file=app.properties --from-literal=x=1 --dry-run=client -o yaml",
    "kubectl create configmap cm --from-env-file=dev.env --dry-run=client -o yaml",
    "kubectl create configmap cm --from-file=app.properties --from-env-file=dev.env --dry-run=client -o yaml",
    "kubectl create secret generic s --from-env-file=dev.env --dry-run=client -o json",
    "kubectl create secret generic s --from-literal='a=<b>' --save-config --dry-run=client -o json",
    "kubectl create configmap cm --from-file=props=app.properties --dry-run=client -o json",
    "kubectl create configmap cm --from-literal=a=b --append-hash --dry-run=client -o json",
    "kubectl create configmap cm --dry-run=client -o json",
    "kubectl create secret generic s --from-literal=a=b --type=Opaque --dry-run=client -o json",
    "kubectl create secret generic s --from-literal=a=b --append-hash --dry-run=client -o yaml",
    "kubectl create secret generic s --from-file=app.properties --dry-run=client -o json",
    "kubectl create secret docker-registry reg --docker-username=u --docker-password=p --docker-server=r.io --dry-run=client -o json",
    "kubectl create secret docker-registry reg --docker-username=u --docker-password=p --docker-email=e@x --dry-run=client -o yaml",
    "kubectl create service clusterip svc --tcp=80:8080 --tcp=443 --dry-run=client -o json",
    "kubectl create service clusterip h --clusterip=None --dry-run=client -o yaml",
    "kubectl create service nodeport np --tcp=80:8080 --node-port=30001 --dry-run=client -o json",
    "kubectl create service loadbalancer lb --tcp=80 --dry-run=client -o yaml",
    "kubectl create service externalname ex --external-name=example.com --dry-run=client -o json",
    "kubectl create svc clusterip p --tcp=80:web --dry-run=client -o yaml",
    "kubectl create rolebinding rb --role=r --user=jane --group=g --serviceaccount=ns:sa --dry-run=client -o json",
    "kubectl create rolebinding rb --clusterrole=view --user=a --dry-run=client -o yaml",
    "kubectl create clusterrolebinding crb --clusterrole=cr --group=g --serviceaccount=default:sa --dry-run=client -o json",
    "kubectl create job j --image=busybox --dry-run=client -o json -- echo hi",
    "kubectl create cronjob cj --image=busybox '--schedule=*/1 * * * *' --dry-run=client -o yaml",
    "kubectl create cronjob cj --image=busybox '--schedule=*/1 * * * *' --restart=Never --dry-run=client -o json -- date",
    "kubectl create serviceaccount sa --dry-run=client -o json",
    "kubectl create sa sa --dry-run=client",
    // `--local`: the file's object changed here, never sent.
    "kubectl label --local -f pod.yaml x=y",
    "kubectl label --local -f pod.yaml x=y -o yaml",
    "kubectl label --local -f pod.yaml app- -o json",
    "kubectl label --local -f pod.yaml app=x",
    // One label only: the real --list prints a Go map, in random order.
    "kubectl label --local -f pod.yaml --list",
    "kubectl label --local pod web x=y",
    "kubectl annotate --local -f pod.yaml note=hi -o yaml",
    "kubectl set image --local -f pod.yaml nginx=nginx:3",
    "kubectl set image --local -f pod.yaml php=php:8",
    "kubectl patch --local -f pod.yaml -p '{\"metadata\":{\"labels\":{\"a\":\"b\"}}}' -o yaml",
    // Errors.
    "kubectl create deployment --image=busybox",
    "kubectl create deployment a b --image=busybox",
    "kubectl create deployment web --image=busybox --image=nginx -- sleep 1",
    "kubectl create deployment web",
    "kubectl create deployment web --image=nginx --dry-run=bogus",
    "kubectl create deployment web --image=nginx --validate=bogus --dry-run=client",
    "kubectl create namespace",
    "kubectl create namespace a b",
    "kubectl create configmap cm --from-literal=a",
    "kubectl create configmap cm --from-literal=a=b --from-literal=a=c",
    "kubectl create configmap cm --from-literal=b@d=1",
    "kubectl create configmap cm --from-file=missing.txt",
    "kubectl create configmap cm --from-file==app.properties",
    "kubectl create configmap cm --from-file=k=",
    "kubectl create service clusterip h2 --dry-run=client",
    "kubectl create service clusterip p --tcp=abc --dry-run=client",
    "kubectl create service clusterip",
    "kubectl create secret docker-registry reg --docker-username=u --dry-run=client",
    "kubectl create rolebinding rb --dry-run=client",
    "kubectl create rolebinding rb --role=a --clusterrole=b --dry-run=client",
    "kubectl create rolebinding rb --clusterrole=b --serviceaccount=bad --dry-run=client",
    "kubectl create clusterrolebinding crb --dry-run=client",
    "kubectl create job j --dry-run=client",
    "kubectl create cronjob cj --image=busybox --dry-run=client",
    "kubectl create cronjob cj '--schedule=* * * * *' --dry-run=client",
    "kubectl create secret frob x",
    "kubectl create service frob",
    "kubectl rollout frob",
    "kubectl rollout status",
    "kubectl rollout history",
    "kubectl set imag",
    "kubectl scale deploy web",
    "kubectl run x",
    "kubectl run --image=n",
    "kubectl run x --image='Bad Image'",
    "kubectl run x --image=n --restart=Sometimes",
    "kubectl run x --image=n -i --dry-run=client",
    "kubectl label pod",
    "kubectl label pod web a=b a-",
    "kubectl label pod web a=b=c",
    "kubectl label pod web a=b pod",
    "kubectl annotate pod web a=b a-",
    "kubectl annotate pod web",
];

/// The argv a console line stands for.
fn argv_of(line: &str) -> Vec<String> {
    let cmd = console::script::parse(line, &|_| None)
        .unwrap_or_else(|e| panic!("{line}: {e}"))
        .remove(0);
    cmd.argv[1..].to_vec()
}

/// The real kubectl's output (stdout and stderr as a terminal shows them), run in `dir`
/// without a kubeconfig, as kubestep's console has no context namespace either.
fn real_kubectl(dir: &std::path::Path, argv: &[String]) -> String {
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg("exec \"$0\" --kubeconfig /dev/null \"$@\" 2>&1")
        .arg(REAL_KUBECTL)
        .args(argv)
        .current_dir(dir)
        .output()
        .expect("the real kubectl runs");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// How one line's two outputs are compared.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Compare {
    /// The objects, parsed: same fields and values (and for JSON the same field order).
    Objects,
    /// The text, byte for byte.
    Exact,
}

fn differential(compare_printed_objects: Compare) {
    if !std::path::Path::new(REAL_KUBECTL).exists() {
        eprintln!("skipped: {REAL_KUBECTL} is not installed");
        return;
    }
    // One directory per comparison: the two tests run at the same time.
    let mode = match compare_printed_objects {
        Compare::Objects => "objects",
        Compare::Exact => "exact",
    };
    let dir =
        std::env::temp_dir().join(format!("kubestep-kcommands-{}-{mode}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let seed = 23;
    let mut c = Console::new(seed);
    for (name, text) in FILES {
        std::fs::write(dir.join(name), text).unwrap();
        c.file(name, text);
    }
    let mut failures = Vec::new();
    for line in OFFLINE {
        let argv = argv_of(line);
        let real = real_kubectl(&dir, &argv);
        let ours = c.run(line);
        let format = argv
            .iter()
            .position(|a| a == "-o")
            .and_then(|i| argv.get(i + 1))
            .map(String::as_str);
        let same = match (format, compare_printed_objects) {
            (Some("json"), Compare::Objects) => {
                let parse = |s: &str| serde_json::from_str::<Value>(s).ok();
                match (parse(&real), parse(&ours)) {
                    // Field order matters too: `-o json` prints the typed object's order.
                    (Some(a), Some(b)) => {
                        serde_json::to_string(&a).ok() == serde_json::to_string(&b).ok()
                    }
                    _ => real == ours,
                }
            }
            (Some("yaml"), Compare::Objects) => {
                let parse = |s: &str| kubestep::apiserver::decode::yaml_to_json(s).ok();
                match (parse(&real), parse(&ours)) {
                    (Some(a), Some(b)) if real.starts_with("apiVersion") => a == b,
                    _ => real == ours,
                }
            }
            (Some("json" | "yaml"), Compare::Exact) | (_, _) => real == ours,
        };
        if !same {
            failures.push(format!(
                "$ {line}\n--- kubectl 1.33:\n{real}--- kubestep:\n{ours}"
            ));
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        failures.is_empty(),
        "seed {seed}: {} of {} lines differ:\n{}",
        failures.len(),
        OFFLINE.len(),
        failures.join("\n")
    );
}

#[test]
fn generated_objects_and_errors_match_the_real_kubectl() {
    differential(Compare::Objects);
}

/// The same lines, `-o yaml` and `-o json` compared as text. This waits for the exact
/// go-yaml v2 and JSON printers (`src/kubectl/printers`, being ported); until they replace
/// `output::print_object` it fails only on the printers' formatting.
#[test]
fn dry_run_objects_print_exactly_as_the_real_kubectl() {
    differential(Compare::Exact);
}

/// `kubectl run` and `kubectl expose` need discovery, so the real kubectl cannot run them
/// offline: these are its answers recorded against a fake API server (same objects, same
/// flags), compared as parsed JSON in field order.
#[test]
fn run_and_expose_generate_what_the_real_kubectl_generated() {
    let seed = 29;
    let mut c = Console::new(seed);
    let recorded = [
        (
            "kubectl run web2 --image=nginx --port=80 --labels=a=b,c=d --env=X=1 --env=Y=2 --restart=Never --command --dry-run=client -o json -- sh -c 'echo hi'",
            r#"{"kind":"Pod","apiVersion":"v1","metadata":{"name":"web2","creationTimestamp":null,"labels":{"a":"b","c":"d"}},"spec":{"containers":[{"name":"web2","image":"nginx","command":["sh","-c","echo hi"],"ports":[{"containerPort":80}],"env":[{"name":"X","value":"1"},{"name":"Y","value":"2"}],"resources":{}}],"restartPolicy":"Never","dnsPolicy":"ClusterFirst"},"status":{}}"#,
        ),
        (
            "kubectl run x --image=n --annotations=a=b --image-pull-policy=Always --privileged --dry-run=client -o json",
            r#"{"kind":"Pod","apiVersion":"v1","metadata":{"name":"x","creationTimestamp":null,"labels":{"run":"x"},"annotations":{"a":"b"}},"spec":{"containers":[{"name":"x","image":"n","resources":{},"imagePullPolicy":"Always","securityContext":{"privileged":true}}],"restartPolicy":"Always","dnsPolicy":"ClusterFirst"},"status":{}}"#,
        ),
        (
            "kubectl expose pod two --dry-run=client -o json",
            r#"{"kind":"Service","apiVersion":"v1","metadata":{"name":"two","creationTimestamp":null,"labels":{"run":"two"}},"spec":{"ports":[{"name":"port-1","protocol":"TCP","port":80,"targetPort":80},{"name":"port-2","protocol":"UDP","port":53,"targetPort":53}],"selector":{"run":"two"}},"status":{"loadBalancer":{}}}"#,
        ),
        (
            "kubectl expose pod two --port=90 --protocol=UDP --selector=a=b,c=d --labels=x=y --cluster-ip=None --dry-run=client -o json",
            r#"{"kind":"Service","apiVersion":"v1","metadata":{"name":"two","creationTimestamp":null,"labels":{"x":"y"}},"spec":{"ports":[{"protocol":"UDP","port":90,"targetPort":90}],"selector":{"a":"b","c":"d"},"clusterIP":"None"},"status":{"loadBalancer":{}}}"#,
        ),
        (
            "kubectl create role r --verb=get --verb=list --resource=pods,deployments.apps --resource-name=a --dry-run=client -o json",
            r#"{"kind":"Role","apiVersion":"rbac.authorization.k8s.io/v1","metadata":{"name":"r","creationTimestamp":null},"rules":[{"verbs":["get","list"],"apiGroups":[""],"resources":["pods"],"resourceNames":["a"]},{"verbs":["get","list"],"apiGroups":["apps"],"resources":["deployments"],"resourceNames":["a"]}]}"#,
        ),
        (
            "kubectl create clusterrole cr --verb=get --resource=nodes --non-resource-url=/healthz --dry-run=client -o json",
            r#"{"kind":"ClusterRole","apiVersion":"rbac.authorization.k8s.io/v1","metadata":{"name":"cr","creationTimestamp":null},"rules":[{"verbs":["get"],"apiGroups":[""],"resources":["nodes"]},{"verbs":["get"],"nonResourceURLs":["/healthz"]}]}"#,
        ),
    ];
    c.file(
        "two.yaml",
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: two\n  labels:\n    run: two\nspec:\n  containers:\n  - name: a\n    image: nginx\n    ports:\n    - containerPort: 80\n      protocol: TCP\n    - containerPort: 53\n      protocol: UDP\n      name: dns\n",
    );
    c.run("kubectl create -f two.yaml");
    for (line, want) in recorded {
        let ours = c.run(line);
        let parsed: Value = serde_json::from_str(&ours)
            .unwrap_or_else(|e| panic!("seed {seed}: {line}: {e}: {ours}"));
        assert_eq!(
            serde_json::to_string(&parsed).unwrap(),
            want,
            "seed {seed}: {line}"
        );
    }
    assert_eq!(
        c.run("kubectl create clusterrole cr --verb=use --resource=pods --dry-run=client"),
        "error: can not perform 'use' on 'pods' in group ''\n"
    );
    assert_eq!(
        c.run("kubectl create role r --verb=get --resource=pods.v1. --dry-run=client"),
        "the server doesn't have a resource type \"pods\" in group \"v1.\"\n"
    );
}
