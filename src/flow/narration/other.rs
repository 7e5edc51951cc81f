//! The messages that are not HTTP, watch or etcd traffic: kube-apiserver's handler-chain
//! stages (with the exact refusal), kube-scheduler's decision, the kubelet's container runtime
//! calls, timers, the learner's inputs and closed watches.

use serde_json::Value;

use super::http::{background_of, capitalise, status_error, StatusError};
use super::{base, pretty, who, Background, Ctx, Lang, Narration, RealMessage, Section};
use crate::kubelet::cri::CriCall;
use crate::sim::{Addr, Input, Message, Stage};

/// One stage of kube-apiserver's handler chain for one request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StageView {
    pub stage: String,
    pub ok: bool,
    pub outcome: String,
    /// `POST /apis/apps/v1/... from kubectl`: the request passing the chain.
    pub request: Option<String>,
    /// For a refusal: the Status the client gets (found on the bus, sent right after it).
    pub error: Option<StatusError>,
    /// The object as it stands after the stage (decoding, admission, validation).
    pub object: Option<String>,
}

impl StageView {
    pub fn sections(&self) -> Vec<Section> {
        let chain: Vec<String> = Stage::ALL[..6]
            .iter()
            .map(|s| {
                if s.name() == self.stage {
                    format!("[{}]", s.name())
                } else {
                    s.name().to_string()
                }
            })
            .collect();
        let mut t = format!(
            "stage: {}\nresult: {}\n{}\nchain: {} → storage\n",
            self.stage,
            if self.ok { "passed" } else { "REFUSED" },
            self.outcome,
            chain.join(" → ")
        );
        if let Some(r) = &self.request {
            t += &format!("request: {r}\n");
        }
        let mut s = vec![Section {
            title: "Stage".into(),
            lang: Lang::Text,
            text: t,
        }];
        if let Some(e) = &self.error {
            let mut t = format!(
                "HTTP {} {}\nreason: {}\nmessage: {}\n",
                e.code,
                crate::apiserver::request::status_text(e.code),
                e.reason,
                e.message
            );
            for (reason, field, message) in &e.causes {
                t += &format!("cause: field {field}: {reason}: {message}\n");
            }
            s.push(Section {
                title: "Error".into(),
                lang: Lang::Text,
                text: t,
            });
        }
        if let Some(o) = &self.object {
            s.push(Section {
                title: "Object after this stage".into(),
                lang: Lang::Json,
                text: o.clone(),
            });
        }
        s
    }
}

/// kube-scheduler's decision for one pod (the diagram draws the per-node table).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scheduling {
    pub pod: String,
    pub winner: Option<String>,
    /// Nodes considered, and how many passed every filter.
    pub nodes: u64,
    pub feasible: Option<usize>,
    /// Total score per scored node.
    pub totals: Vec<(String, i64)>,
    /// Why nothing fits, when nothing does.
    pub message: Option<String>,
    pub raw: String,
}

impl Scheduling {
    pub fn sections(&self) -> Vec<Section> {
        let mut t = format!("pod: {}\nnodes: {}\n", self.pod, self.nodes);
        if let Some(f) = self.feasible {
            t += &format!("feasible (passed every filter): {f}\n");
        }
        for (node, total) in &self.totals {
            t += &format!(
                "  {node}: total score {total}{}\n",
                if self.winner.as_deref() == Some(node) {
                    "  ← selected"
                } else {
                    ""
                }
            );
        }
        match (&self.winner, &self.message) {
            (Some(w), _) => t += &format!("selected: {w}\n"),
            (None, Some(m)) => t += &format!("unschedulable: {m}\n"),
            (None, None) => {}
        }
        vec![
            Section {
                title: "Decision".into(),
                lang: Lang::Text,
                text: t,
            },
            Section {
                title: "Filters and scores".into(),
                lang: Lang::Json,
                text: self.raw.clone(),
            },
        ]
    }
}

/// A container runtime (CRI) call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cri {
    pub node: String,
    pub pod: String,
    pub method: String,
    pub summary: String,
}

impl Cri {
    pub fn sections(&self) -> Vec<Section> {
        vec![Section {
            title: "CRI call".into(),
            lang: Lang::Text,
            text: format!(
                "node: {}\npod: {}\nruntime.v1 call: {}\n{}\n",
                self.node, self.pod, self.method, self.summary
            ),
        }]
    }
}

/// A timer firing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TimerView {
    pub owner: String,
    pub name: String,
}

impl TimerView {
    pub fn sections(&self) -> Vec<Section> {
        vec![Section {
            title: "Timer".into(),
            lang: Lang::Text,
            text: format!("component: {}\ntimer: {}\n", self.owner, self.name),
        }]
    }
}

/// A learner's input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InputView {
    pub tool: String,
    pub command: String,
}

impl InputView {
    pub fn sections(&self) -> Vec<Section> {
        vec![Section {
            title: "Command".into(),
            lang: Lang::Text,
            text: format!("{}\n", self.command),
        }]
    }
}

/// A client closing its watch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CancelView {
    pub client: String,
    pub watch: Option<String>,
}

impl CancelView {
    pub fn sections(&self) -> Vec<Section> {
        vec![Section {
            title: "Cancel".into(),
            lang: Lang::Text,
            text: format!(
                "client: {}\ncloses: {}\n",
                self.client,
                self.watch
                    .as_deref()
                    .unwrap_or("(a stream the kernel no longer knows)")
            ),
        }]
    }
}

fn stage_why(stage: Stage) -> &'static str {
    match stage {
        Stage::Authentication => "Authentication: who is asking? The API server checks the credentials — a client certificate signed by the cluster CA (user = CN, groups = O), a service account's bearer token, or none (anonymous).",
        Stage::Authorization => "Authorization: may this user do this? The Node authorizer (for kubelets) and RBAC (Roles and ClusterRoles bound to the user or its groups) are asked in turn; the first that allows wins, and if none does the answer is 403 Forbidden.",
        Stage::Decoding => "Decoding: the body is decoded into the typed object (strictly when the client asks for fieldValidation=Strict: unknown or duplicated fields are refused) and defaults are filled in for every field left empty.",
        Stage::MutatingAdmission => "Mutating admission: plugins may still change the object — ServiceAccount mounts the API token volume, Priority sets the priority, DefaultTolerationSeconds adds the not-ready/unreachable tolerations.",
        Stage::Validation => "Validation: every field is checked against the API's rules (names, required fields, ranges, immutability); any failure is 422 Unprocessable Entity with one cause per field.",
        Stage::ValidatingAdmission => "Validating admission: plugins (ResourceQuota, for example) may refuse the object but no longer change it. After this the object is written to etcd.",
        Stage::Storage => "Storage: the object is written to etcd.",
        Stage::Response => "Response: the API server answers the client.",
    }
}

pub(crate) fn narrate_stage(
    cx: &Ctx<'_>,
    stage: Stage,
    outcome: &str,
    ok: bool,
    object: Option<&Value>,
) -> Narration {
    let x = cx.behalf;
    // A refusal's answer is already on the bus: the API server responds in the same turn.
    let error = if ok {
        None
    } else {
        x.and_then(|x| {
            cx.sim
                .queued()
                .into_iter()
                .find_map(|env| match &env.message {
                    Message::HttpResponse { id, response }
                        if env.from == Addr::ApiServer && env.to == x.client && *id == x.id =>
                    {
                        status_error(response.body_json().as_deref())
                    }
                    _ => None,
                })
        })
    };
    let view = StageView {
        stage: stage.name().to_string(),
        ok,
        outcome: outcome.to_string(),
        request: x.map(|x| format!("{} {} from {}", x.method, x.target, x.client)),
        error: error.clone(),
        object: object.map(pretty),
    };
    let mut n = base(cx, RealMessage::Stage(view));
    let req = x
        .map(|x| {
            format!(
                " of {} {}",
                x.method,
                x.target.split('?').next().unwrap_or("")
            )
        })
        .unwrap_or_default();
    n.headline = if ok {
        format!("kube-apiserver, {}{req}: {outcome}", stage.name())
    } else {
        format!("kube-apiserver refuses{req} at {}: {outcome}", stage.name())
    };
    n.why = if ok {
        stage_why(stage).to_string()
    } else {
        let tail = match &error {
            Some(e) if e.code == 403 => format!(
                " No RBAC rule allows it, so the request stops here: the client gets 403 Forbidden with reason {} and the message \"{}\". Nothing after this stage runs and nothing is stored.",
                e.reason, e.message
            ),
            Some(e) if e.code == 422 => format!(
                " The object breaks the API's rules, so the request stops here: the client gets 422 Unprocessable Entity (reason {}) with {} cause(s): {}. Nothing is stored.",
                e.reason,
                e.causes.len(),
                e.causes
                    .iter()
                    .map(|(_, f, m)| format!("{f}: {m}"))
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
            Some(e) => format!(
                " The request stops here: the client gets {} {} (\"{}\").",
                e.code,
                crate::apiserver::request::status_text(e.code),
                e.message
            ),
            None => " The request stops here and the client gets the error.".to_string(),
        };
        format!("{}{tail}", stage_why(stage))
    };
    if n.step.is_none() {
        n.background = Some(x.map(background_of).unwrap_or(Background::Other));
    }
    n
}

pub(crate) fn narrate_scheduling(cx: &Ctx<'_>, pod: &str, d: &Value) -> Narration {
    let str_at = |p: &str| d.pointer(p).and_then(Value::as_str).map(str::to_string);
    let names: Vec<String> = d
        .pointer("/scores/nodes")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    let totals: Vec<i64> = d
        .pointer("/scores/total")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_i64).collect())
        .unwrap_or_default();
    let s = Scheduling {
        pod: pod.to_string(),
        winner: str_at("/selectedNode"),
        nodes: d.get("nodes").and_then(Value::as_u64).unwrap_or(0),
        feasible: (!names.is_empty()).then_some(names.len()),
        totals: names.into_iter().zip(totals).collect(),
        message: str_at("/message"),
        raw: pretty(d),
    };
    let winner = s.winner.clone();
    let message = s.message.clone();
    let mut n = base(cx, RealMessage::Scheduling(s));
    match winner {
        Some(w) => {
            n.headline = format!("kube-scheduler decides: {pod} goes to {w}");
            n.why = format!(
                "kube-scheduler took {pod} from its queue and ran its filter plugins on the nodes (does it fit the free CPU and memory? does it tolerate the node's taints? node affinity, ports...), then scored the nodes that passed (spreading, balanced resources, image locality...) and picked the highest total, ties broken at random: {w}. The diagram shows each node's verdicts and scores. Nothing is written yet: the binding (step 7) does that."
            );
        }
        None => {
            n.headline = format!("kube-scheduler cannot place {pod}");
            n.why = format!(
                "No node passed every filter: {}. The Pod stays Pending (condition PodScheduled=False, reason Unschedulable) and goes back to the queue until something changes in the cluster.",
                message.unwrap_or_else(|| "no node fits".into())
            );
        }
    }
    if n.step.is_none() {
        n.background = Some(Background::Other);
    }
    n
}

pub(crate) fn narrate_cri(cx: &Ctx<'_>, pod: &str, call: &CriCall) -> Narration {
    let node = match &cx.env.to {
        Addr::Kubelet(n) => n.clone(),
        other => other.name(),
    };
    let c = Cri {
        node: node.clone(),
        pod: pod.to_string(),
        method: call.method().to_string(),
        summary: call.summary(),
    };
    let mut n = base(cx, RealMessage::Cri(c));
    n.headline = format!(
        "kubelet/{node} → container runtime: {} ({pod})",
        call.summary()
    );
    let what = match call {
        CriCall::RunPodSandbox => "The kubelet asks the container runtime (containerd, through the CRI's RunPodSandbox) for the Pod's sandbox: the network namespace with the Pod's IP, shared by all its containers.".to_string(),
        CriCall::PullImage { image } => format!("The kubelet asks the runtime to pull {image} (imagePullPolicy decides whether it pulls or uses the node's copy)."),
        CriCall::ImagePulled { image, size, duration_ms } => format!("The pull of {image} finished: {size} bytes in {duration_ms} ms; the kubelet records a Pulled event."),
        CriCall::PullImageFailed { image, error } => format!("The pull of {image} failed ({error}): the container waits with ErrImagePull, then ImagePullBackOff, and the kubelet retries with a growing back-off."),
        CriCall::CreateContainer { container } => format!("The kubelet creates the container {container} from the image, with its command, environment and mounts."),
        CriCall::StartContainer { container } => format!("The kubelet starts {container}. Once it runs, the kubelet reports the Pod Running (step 10)."),
        CriCall::ContainerExited { container, exit_code } => format!("The runtime reports that {container} exited with code {exit_code}; the restartPolicy decides whether the kubelet starts it again."),
        CriCall::StopContainer { container, timeout_seconds } => format!("The kubelet stops {container}: SIGTERM, then SIGKILL after {timeout_seconds} s (the grace period)."),
        CriCall::StopPodSandbox => "The kubelet stops the Pod's sandbox, releasing its network.".to_string(),
        CriCall::RemovePodSandbox => "The kubelet removes the Pod's sandbox: nothing of the Pod is left on the node.".to_string(),
    };
    n.why = format!("{what} The kubelet talks to the runtime over gRPC on the node, never through the API server.");
    if n.step.is_none() {
        n.background = Some(Background::Runtime);
    }
    n.notes.push("Simplified: the container runtime is simulated — no image is downloaded and no process runs; kubestep decides from the container's command when it exits and what it prints (kubelet/cri/process.rs), and the calls are the kubelet's own messages in the trace.".to_string());
    n
}

pub(crate) fn narrate_timer(cx: &Ctx<'_>, name: &str) -> Narration {
    let owner = cx.env.to.clone();
    let t = TimerView {
        owner: owner.name(),
        name: name.to_string(),
    };
    let mut n = base(cx, RealMessage::Timer(t));
    n.headline = format!("{owner}: timer \"{name}\" fires");
    n.why = if name == "renew node lease" {
        format!(
            "Every {} s the kubelet's timer fires: it renews its node Lease (and reports node status when it changed or {} s have passed).",
            crate::kubelet::LEASE_RENEW_INTERVAL.as_millis() / 1000,
            crate::kubelet::NODE_STATUS_REPORT_FREQUENCY.as_millis() / 1000
        )
    } else if name == "workqueue backoff" || name.starts_with("requeue ") {
        "A controller's work queue waits before retrying an item (rate-limited back-off after a conflict or an error, or a requeue after a delay); the timer wakes it up.".to_string()
    } else if name == "watch-bookmarks" {
        "kube-apiserver sends BOOKMARK events to the watches that asked for them, about once a minute.".to_string()
    } else if name == "etcd-compaction" {
        "kube-apiserver's compaction loop: every 5 minutes it compacts etcd's history.".to_string()
    } else if name.starts_with("sync pod ") {
        "The kubelet's pod worker syncs a Pod again (after a back-off, or to move it on)."
            .to_string()
    } else if name.starts_with("flush-") {
        "kube-scheduler moves Pods that waited (back-off, or unschedulable) back to its active queue to try again.".to_string()
    } else {
        format!(
            "{} set this timer for itself; when it fires, it does the work it scheduled.",
            capitalise(&who(&owner, ""))
        )
    };
    n.why = format!(
        "{} A timer is a component's own clock: nothing travels on the network.",
        n.why
    );
    n.background = Some(Background::Timer);
    n
}

pub(crate) fn narrate_input(cx: &Ctx<'_>, input: &Input) -> Narration {
    let summary = crate::sim::describe::describe(&cx.env.message).summary;
    let tool = cx.env.to.name();
    let i = InputView {
        tool: tool.clone(),
        command: summary.clone(),
    };
    let mut n = base(cx, RealMessage::Input(i));
    n.headline = format!("You → {tool}: {summary}");
    n.why = match input {
        Input::Kubectl { .. } => "You ran kubectl. It reads ~/.kube/config (the admin's credentials for this cluster) and turns the command into HTTP requests to the API server: the next messages are its own.".to_string(),
        Input::Etcdctl { .. } => "You ran etcdctl on the control-plane node: it talks to etcd directly, under the API server's feet.".to_string(),
        Input::Fault(f) => format!("You injected a fault ({}): from now on the kernel drops the messages it cuts off.", f.command()),
        Input::Interrupt { .. } => "Ctrl-C: the running command stops.".to_string(),
        Input::EditorSave { .. } => "You closed the editor kubectl edit opened; kubectl goes on with what you saved.".to_string(),
        Input::Compact => "You asked kube-apiserver to compact etcd now instead of waiting for its 5-minute loop.".to_string(),
    };
    n.background = Some(Background::Command);
    n
}

pub(crate) fn narrate_cancel(cx: &Ctx<'_>) -> Narration {
    let c = CancelView {
        client: cx.env.from.name(),
        watch: cx.answers.map(|x| format!("{} {}", x.method, x.target)),
    };
    let mut n = base(cx, RealMessage::Cancel(c));
    n.headline = format!("{} → kube-apiserver: close a watch", cx.env.from);
    n.why = "The client closes a stream it no longer wants (a watch that was interrupted, or an informer starting over); the API server stops sending it events.".to_string();
    n.background = Some(Background::WatchBookkeeping);
    n
}
