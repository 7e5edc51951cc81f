//! The narration panel's content, specified on a real run: the learner types
//! `kubectl create deployment web --image=nginx` on a booted cluster and steps message by
//! message; the narration of a representative message of each of the eleven steps, of the
//! background traffic, and of a 422 and a 403 refusal says what it must. Every narration of the
//! run is also checked for the panel's invariants (a step or a background kind, never both; a
//! headline, a why and at least one section).

use kubestep::console::Session;
use kubestep::flow::narration::{narrate, Background, Delivery, Narration, RealMessage};

const SEED: u64 = 7;

/// Steps one message at a time after `line`, narrating each delivery, until `stop` says so.
fn step_through(
    session: &mut Session,
    line: &str,
    max: usize,
    mut stop: impl FnMut(&Narration) -> bool,
) -> Vec<Narration> {
    session.type_line(line, &kubestep::console::no_files);
    let mut out = Vec::new();
    for _ in 0..max {
        if session.sim_mut().step().is_none() {
            break;
        }
        let n = narrate(session.sim()).unwrap_or_else(|| panic!("seed {SEED}: no narration"));
        assert!(
            n.step.is_some() != n.background.is_some(),
            "seed {SEED}: a step or a background kind, never both: {n:?}"
        );
        assert!(
            !n.headline.is_empty() && !n.why.is_empty() && !n.sections().is_empty(),
            "seed {SEED}: an empty narration: {n:?}"
        );
        let done = stop(&n);
        out.push(n);
        if done {
            break;
        }
    }
    out
}

fn first<'a>(ns: &'a [Narration], what: &str, f: impl Fn(&Narration) -> bool) -> &'a Narration {
    ns.iter()
        .find(|n| f(n))
        .unwrap_or_else(|| panic!("seed {SEED}: no narration of {what}"))
}

#[test]
fn every_step_of_a_deployment_and_the_background_traffic_is_narrated() {
    let mut s = Session::on(kubestep::cluster::booted(SEED));
    let mut seen_11 = false;
    let mut leases = 0;
    let ns = step_through(
        &mut s,
        "kubectl create deployment web --image=nginx",
        20_000,
        |n| {
            seen_11 |= n.step == Some(11);
            if n.background == Some(Background::LeaseRenewal)
                && matches!(n.message, RealMessage::HttpRequest(_))
            {
                leases += 1;
            }
            seen_11 && leases >= 3
        },
    );

    // 1: kubectl's own HTTP request, as -v=8 shows it.
    let n = first(&ns, "step 1", |n| n.step == Some(1));
    let RealMessage::HttpRequest(r) = &n.message else {
        panic!("seed {SEED}: step 1 is kubectl's request: {n:?}")
    };
    assert_eq!(r.method, "POST");
    assert!(
        r.url
            .starts_with("https://172.18.0.2:6443/apis/apps/v1/namespaces/default/deployments?"),
        "{}",
        r.url
    );
    assert!(r
        .body
        .as_deref()
        .unwrap()
        .contains("\"kind\": \"Deployment\""));
    assert!(r.log.contains("\"Request Body\"") && r.log.contains("round_trippers.go"));
    assert!(
        n.headline.starts_with("kubectl → kube-apiserver: POST"),
        "{}",
        n.headline
    );

    // 2: the etcd transaction that stores it, with its key and value; then the 201.
    let n = first(&ns, "step 2", |n| n.step == Some(2));
    let RealMessage::Etcd(c) = &n.message else {
        panic!("seed {SEED}: step 2 starts with the etcd write: {n:?}")
    };
    assert_eq!(c.key.as_deref(), Some("/registry/deployments/default/web"));
    assert!(c
        .detail
        .contains("mod_revision(/registry/deployments/default/web) == 0"));
    assert!(c.value.as_deref().unwrap().contains("\"name\": \"web\""));
    assert!(
        n.notes.iter().any(|x| x.contains("protobuf")),
        "{:?}",
        n.notes
    );
    let n = first(&ns, "step 2's answer", |n| {
        n.step == Some(2) && matches!(n.message, RealMessage::HttpResponse(_))
    });
    let RealMessage::HttpResponse(r) = &n.message else {
        unreachable!()
    };
    assert_eq!(r.status, 201);
    let (method, url) = r.request.clone().expect("the answer names its request");
    assert_eq!(method, "POST");
    assert!(url.contains("/apis/apps/v1/namespaces/default/deployments"));
    assert!(n.why.contains("deployment.apps/web created"), "{}", n.why);

    // 3: the Deployment controller hears of web and creates a ReplicaSet; the ReplicaSet
    // controller creates the Pod.
    let n = first(&ns, "step 3", |n| n.step == Some(3));
    let RealMessage::WatchEvent(e) = &n.message else {
        panic!("seed {SEED}: step 3 starts with the watch event: {n:?}")
    };
    assert_eq!((e.kind.as_str(), e.name.as_str()), ("Deployment", "web"));
    assert_eq!(e.receiver, "kube-controller-manager");
    assert!(n.why.contains("Deployment controller"), "{}", n.why);
    let n = first(&ns, "the ReplicaSet create", |n| {
        n.step == Some(3) && n.headline.contains("ReplicaSet") && n.headline.contains("POST")
    });
    assert!(
        n.headline.starts_with("The Deployment controller"),
        "{}",
        n.headline
    );
    assert!(n.why.contains("ReplicaSet"));
    let n = first(&ns, "the Pod create", |n| {
        n.step == Some(3)
            && matches!(&n.message, RealMessage::HttpRequest(r) if r.url.ends_with("/api/v1/namespaces/default/pods"))
    });
    assert!(n.why.contains("generateName"), "{}", n.why);

    // 4: the Pod is stored without a node.
    let n = first(&ns, "step 4", |n| n.step == Some(4));
    let RealMessage::Etcd(c) = &n.message else {
        panic!("seed {SEED}: step 4 is the Pod's etcd write: {n:?}")
    };
    assert!(c
        .key
        .as_deref()
        .unwrap()
        .starts_with("/registry/pods/default/web-"));

    // 5: the scheduler sees it, and so does every other watcher of pods (the fan-out).
    let n = first(&ns, "step 5", |n| n.step == Some(5));
    let RealMessage::WatchEvent(e) = &n.message else {
        panic!("seed {SEED}: step 5 is a watch event: {n:?}")
    };
    assert_eq!((e.kind.as_str(), e.event_type.as_str()), ("Pod", "ADDED"));
    assert_eq!(e.receiver, "kube-scheduler");
    assert!(e.watch.as_deref().unwrap().contains("watch=true"));
    assert!(e
        .caused_by
        .as_deref()
        .unwrap()
        .starts_with("POST /api/v1/namespaces/default/pods"));
    assert!(
        e.receivers.len() >= 2
            && e.receivers.iter().filter(|r| r.this).count() == 1
            && e.receivers
                .iter()
                .any(|r| r.addr == "kube-controller-manager"),
        "seed {SEED}: {:?}",
        e.receivers
    );
    assert!(e
        .receivers
        .iter()
        .all(|r| !matches!(r.delivery, Delivery::Dropped)));
    let pod = e.name.clone();

    // 6: the decision.
    let n = first(&ns, "step 6", |n| n.step == Some(6));
    let RealMessage::Scheduling(d) = &n.message else {
        panic!("seed {SEED}: step 6 is the decision: {n:?}")
    };
    let winner = d.winner.clone().expect("a node wins");
    assert!(n.headline.contains(&winner) && n.headline.contains(&pod));

    // 7: a Binding, not an update of the Pod.
    let n = first(&ns, "step 7", |n| n.step == Some(7));
    let RealMessage::HttpRequest(r) = &n.message else {
        panic!("seed {SEED}: step 7 starts with the binding: {n:?}")
    };
    assert!(
        r.url.ends_with(&format!("/pods/{pod}/binding")),
        "{}",
        r.url
    );
    assert!(n.why.contains("Binding") && n.why.contains("spec.nodeName"));

    // 8: the conditional update that stores spec.nodeName.
    let n = first(&ns, "step 8", |n| n.step == Some(8));
    let RealMessage::Etcd(c) = &n.message else {
        panic!("seed {SEED}: step 8 is the etcd write: {n:?}")
    };
    assert!(c.detail.contains("mod_revision(") && !c.detail.contains(") == 0\n"));
    assert!(c
        .value
        .as_deref()
        .unwrap()
        .contains(&format!("\"nodeName\": \"{winner}\"")));

    // 9: the kubelet of the winning node, through its field selector.
    let n = first(&ns, "step 9", |n| n.step == Some(9));
    let RealMessage::WatchEvent(e) = &n.message else {
        panic!("seed {SEED}: step 9 is a watch event: {n:?}")
    };
    assert_eq!(e.receiver, format!("kubelet/{winner}"));
    assert!(
        n.why.contains(&format!("spec.nodeName={winner}")),
        "{}",
        n.why
    );

    // 10: the status PATCH.
    let n = first(&ns, "step 10", |n| n.step == Some(10));
    let RealMessage::HttpRequest(r) = &n.message else {
        panic!("seed {SEED}: step 10 starts with the status report: {n:?}")
    };
    assert_eq!(r.method, "PATCH");
    assert!(r.url.ends_with(&format!("/pods/{pod}/status")));
    assert!(
        n.why.contains("PATCHes") && n.why.contains("Running"),
        "{}",
        n.why
    );

    // 11: stored, and the kubelet's answer.
    let n = first(&ns, "step 11's answer", |n| {
        n.step == Some(11) && matches!(n.message, RealMessage::HttpResponse(_))
    });
    let RealMessage::HttpResponse(r) = &n.message else {
        unreachable!()
    };
    assert_eq!(
        (r.status, r.request.as_ref().unwrap().0.as_str()),
        (200, "PATCH")
    );

    // Background: lease renewals, timers, events, runtime calls; and the etcd answers of a
    // step's write say which step they serve.
    let n = first(&ns, "a lease renewal", |n| {
        n.background == Some(Background::LeaseRenewal)
            && matches!(n.message, RealMessage::HttpRequest(_))
    });
    assert!(
        n.why.contains("every 10 s") && n.why.contains("kube-node-lease"),
        "{}",
        n.why
    );
    assert!(n.why.contains("50 s"), "{}", n.why);
    first(&ns, "a timer", |n| n.background == Some(Background::Timer));
    let n = first(&ns, "an Event", |n| {
        n.background == Some(Background::Event) && matches!(n.message, RealMessage::HttpRequest(_))
    });
    assert!(n.why.contains("reason "), "{}", n.why);
    let n = first(&ns, "a runtime call", |n| {
        n.background == Some(Background::Runtime)
    });
    assert!(n.notes.iter().any(|x| x.contains("simulated")));
    let n = first(
        &ns,
        "the etcd answer of step 2's write",
        |n| matches!(&n.message, RealMessage::Etcd(c) if !c.request && c.succeeded == Some(true)),
    );
    assert_eq!(
        (n.background, n.serves_step),
        (Some(Background::Flow), Some(1))
    );
}

/// Steps after `line` until a refused stage, and returns it with the response that follows.
fn refusal(line: &str) -> (Narration, Narration) {
    let mut s = Session::on(kubestep::cluster::booted(SEED));
    let mut refused = false;
    let ns = step_through(&mut s, line, 5_000, |n| {
        if matches!(&n.message, RealMessage::Stage(v) if !v.ok) {
            refused = true;
            return false;
        }
        refused && matches!(n.message, RealMessage::HttpResponse(_))
    });
    let stage = first(
        &ns,
        "the refused stage",
        |n| matches!(&n.message, RealMessage::Stage(v) if !v.ok),
    )
    .clone();
    let response = ns.last().unwrap().clone();
    (stage, response)
}

#[test]
fn a_422_shows_the_field_causes_at_the_validation_stage_and_in_the_answer() {
    let (stage, response) = refusal("kubectl create configmap BadName --from-literal=a=b");
    let RealMessage::Stage(v) = &stage.message else {
        unreachable!()
    };
    assert_eq!(v.stage, "validation");
    let e = v.error.as_ref().expect("the refusal's Status");
    assert_eq!((e.code, e.reason.as_str()), (422, "Invalid"));
    assert!(
        e.causes.iter().any(|(_, f, _)| f == "metadata.name"),
        "seed {SEED}: {:?}",
        e.causes
    );
    assert!(
        stage.why.contains("422") && stage.why.contains("metadata.name"),
        "{}",
        stage.why
    );
    assert!(stage.headline.contains("refuses"), "{}", stage.headline);
    let RealMessage::HttpResponse(r) = &response.message else {
        panic!("seed {SEED}: {response:?}")
    };
    assert_eq!(r.status, 422);
    assert_eq!(r.error.as_ref(), Some(e));
    assert!(r.log.contains("422 Unprocessable Entity"));
}

#[test]
fn a_403_shows_the_rbac_reason() {
    let (stage, response) =
        refusal("kubectl --user jane create deployment web --image=nginx -n kube-system");
    let RealMessage::Stage(v) = &stage.message else {
        unreachable!()
    };
    assert_eq!(v.stage, "authorization");
    let e = v.error.as_ref().expect("the refusal's Status");
    assert_eq!((e.code, e.reason.as_str()), (403, "Forbidden"));
    assert!(
        e.message
            .contains("User \"jane\" cannot create resource \"deployments\"")
            && e.message.contains("in the namespace \"kube-system\""),
        "{}",
        e.message
    );
    assert!(stage.why.contains("RBAC") && stage.why.contains(&e.message));
    let RealMessage::HttpResponse(r) = &response.message else {
        panic!("seed {SEED}: {response:?}")
    };
    assert_eq!(r.status, 403);
    assert!(response.why.contains(&e.message));
}
