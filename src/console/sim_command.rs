//! The console's `sim` command: drives the simulation from the command line (step, run until
//! idle, let time pass, print the seed) and injects the control plane's faults (stop and start
//! components, partition and heal nodes, force an etcd compaction). Reading and moving the
//! clock are not learner inputs; faults and compactions are, so they replay and show in the
//! trace.

use crate::sim::{Addr, Fault, Input, SimDuration};

/// `sim help`.
pub const HELP: &str = "sim drives the simulation from the console.

Usage:
  sim step [N]          deliver the next N messages (default 1) and list them
  sim run               deliver messages until nothing but timers is left (run until idle)
  sim advance DURATION  let simulated time pass, firing timers on the way (500ms, 90s, 5m, 1h30m)
  sim seed              print the seed this simulation runs from
  sim stop COMPONENT    stop a component, as if its process crashed: messages to it are dropped
  sim start COMPONENT   start a stopped component again: it lists and watches afresh
  sim partition NODE    cut NODE's kubelet and kube-proxy off from kube-apiserver
  sim heal NODE         give a partitioned node its network back
  sim compact           make kube-apiserver compact etcd now, to the current revision (its
                        compaction loop does this every 5 minutes, to the revision it saw
                        5 minutes earlier)
  sim help              this text

Components: scheduler, controller-manager, kubelet NODE, kube-proxy NODE
  (kube-scheduler, kube-controller-manager, kubelet/NODE and kube-proxy/NODE work too)
";

/// A parsed `sim` line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SimCommand {
    Step(u64),
    Run,
    Advance(SimDuration),
    Seed,
    Help,
    /// A fault, as the input that injects it.
    Inject(Input),
}

/// Parses the words after `sim`. `nodes` are the cluster's nodes, for errors that list them.
pub fn parse(args: &[String], nodes: &[String]) -> Result<SimCommand, String> {
    let words: Vec<&str> = args.iter().map(String::as_str).collect();
    let usage = |sub: &str, what: &str| format!("sim {sub}: {what}\nRun 'sim help' for usage.\n");
    match words.as_slice() {
        [] => Err(usage("", "missing command").replacen("sim : ", "sim: ", 1)),
        ["help" | "--help" | "-h", ..] => Ok(SimCommand::Help),
        ["step"] => Ok(SimCommand::Step(1)),
        ["step", n] => match n.parse::<u64>() {
            Ok(n) if n > 0 => Ok(SimCommand::Step(n)),
            _ => Err(usage(
                "step",
                &format!("invalid count \"{n}\": want a positive whole number"),
            )),
        },
        ["run"] => Ok(SimCommand::Run),
        ["advance"] => Err(usage(
            "advance",
            "missing duration (for example 500ms, 90s, 5m, 1h)",
        )),
        ["advance", d] => SimDuration::parse(d).map(SimCommand::Advance).map_err(|e| {
            usage(
                "advance",
                &format!("{e} (for example 500ms, 90s, 5m, 1h30m)"),
            )
        }),
        ["seed"] => Ok(SimCommand::Seed),
        ["compact"] => Ok(SimCommand::Inject(Input::Compact)),
        [verb @ ("stop" | "start"), rest @ ..] => {
            let addr = component(verb, rest, nodes)?;
            Ok(SimCommand::Inject(Input::Fault(if *verb == "stop" {
                Fault::Stop(addr)
            } else {
                Fault::Start(addr)
            })))
        }
        [verb @ ("partition" | "heal"), rest @ ..] => {
            let node = match rest {
                [node] => node_name(verb, node, nodes)?,
                [] => return Err(usage(verb, "which node? (for example worker-1)")),
                _ => return Err(usage(verb, "takes one node")),
            };
            Ok(SimCommand::Inject(Input::Fault(if *verb == "partition" {
                Fault::Partition { node }
            } else {
                Fault::Heal { node }
            })))
        }
        [sub @ ("step" | "run" | "seed" | "compact" | "advance"), ..] => {
            Err(usage(sub, "too many arguments"))
        }
        [other, ..] => Err(format!(
            "sim: unknown command \"{other}\"\nRun 'sim help' for usage.\n"
        )),
    }
}

fn node_name(verb: &str, node: &str, nodes: &[String]) -> Result<String, String> {
    if nodes.iter().any(|n| n == node) {
        Ok(node.to_string())
    } else {
        Err(format!(
            "sim {verb}: no node \"{node}\" (nodes: {})\n",
            nodes.join(", ")
        ))
    }
}

/// The component a `sim stop|start` names.
fn component(verb: &str, rest: &[&str], nodes: &[String]) -> Result<Addr, String> {
    let which = "which component? scheduler, controller-manager, kubelet NODE or kube-proxy NODE";
    let (name, node) = match rest {
        [] => return Err(format!("sim {verb}: {which}\n")),
        [one] => match one.split_once('/') {
            Some((n, node)) => (n, Some(node)),
            None => (*one, None),
        },
        [name, node] => (*name, Some(*node)),
        _ => return Err(format!("sim {verb}: too many arguments\n")),
    };
    match (name, node) {
        ("scheduler" | "kube-scheduler", None) => Ok(Addr::Scheduler),
        ("controller-manager" | "kube-controller-manager", None) => Ok(Addr::ControllerManager),
        ("kubelet", Some(node)) => Ok(Addr::Kubelet(node_name(verb, node, nodes)?)),
        ("kube-proxy", Some(node)) => Ok(Addr::KubeProxy(node_name(verb, node, nodes)?)),
        ("kubelet" | "kube-proxy", None) => Err(format!(
            "sim {verb}: {name} of which node? (nodes: {})\n",
            nodes.join(", ")
        )),
        ("etcd" | "apiserver" | "kube-apiserver" | "kubectl" | "etcdctl", _) => Err(format!(
            "sim {verb}: kubestep does not simulate stopping {name}: its faults are stopped kube-scheduler, kube-controller-manager, kubelets and kube-proxies, and partitioned nodes\n"
        )),
        _ => Err(format!("sim {verb}: unknown component \"{}\": {which}\n", rest.join(" "))),
    }
}

/// A duration as coreutils' `sleep` and `timeout` read them: a number of seconds, or with a
/// suffix `s`, `m`, `h` or `d` (`10`, `0.5`, `2m`).
pub fn parse_coreutils_duration(text: &str) -> Option<SimDuration> {
    let (num, factor) = match text.char_indices().last()? {
        (i, 's') => (&text[..i], 1_000.0),
        (i, 'm') => (&text[..i], 60_000.0),
        (i, 'h') => (&text[..i], 3_600_000.0),
        (i, 'd') => (&text[..i], 86_400_000.0),
        _ => (text, 1_000.0),
    };
    if num.is_empty() || !num.chars().all(|c| c.is_ascii_digit() || c == '.') {
        return None;
    }
    let value: f64 = num.parse().ok()?;
    let ms = value * factor;
    (ms.is_finite() && ms <= 366.0 * 86_400_000.0).then(|| SimDuration(ms.round() as u64))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nodes() -> Vec<String> {
        ["control-plane", "worker-1", "worker-2"]
            .map(str::to_string)
            .to_vec()
    }

    fn sim(line: &str) -> Result<SimCommand, String> {
        let args: Vec<String> = line.split_whitespace().map(str::to_string).collect();
        parse(&args, &nodes())
    }

    #[test]
    fn durations_read_as_kubernetes_and_coreutils_write_them() {
        assert_eq!(
            sim("advance 1h30m"),
            Ok(SimCommand::Advance(SimDuration(5_400_000)))
        );
        assert_eq!(
            sim("advance 90").unwrap_err(),
            "sim advance: invalid duration \"90\" (for example 500ms, 90s, 5m, 1h30m)\nRun 'sim help' for usage.\n"
        );
        assert_eq!(parse_coreutils_duration("10"), Some(SimDuration(10_000)));
        assert_eq!(parse_coreutils_duration("10s"), Some(SimDuration(10_000)));
        assert_eq!(parse_coreutils_duration("0.5m"), Some(SimDuration(30_000)));
        assert_eq!(
            parse_coreutils_duration("1d"),
            Some(SimDuration(86_400_000))
        );
        assert_eq!(parse_coreutils_duration("ten"), None);
        assert_eq!(parse_coreutils_duration("5ms"), None);
    }

    #[test]
    fn faults_name_components_as_the_learner_knows_them() {
        let stop = |a| Ok(SimCommand::Inject(Input::Fault(Fault::Stop(a))));
        assert_eq!(
            sim("stop kubelet worker-1"),
            stop(Addr::Kubelet("worker-1".into()))
        );
        assert_eq!(
            sim("stop kubelet/worker-1"),
            stop(Addr::Kubelet("worker-1".into()))
        );
        assert_eq!(sim("stop kube-scheduler"), stop(Addr::Scheduler));
        assert_eq!(
            sim("stop controller-manager"),
            stop(Addr::ControllerManager)
        );
        assert_eq!(
            sim("start scheduler"),
            Ok(SimCommand::Inject(Input::Fault(Fault::Start(
                Addr::Scheduler
            ))))
        );
        assert_eq!(
            sim("partition worker-2"),
            Ok(SimCommand::Inject(Input::Fault(Fault::Partition {
                node: "worker-2".into()
            })))
        );
        assert_eq!(sim("compact"), Ok(SimCommand::Inject(Input::Compact)));
    }

    #[test]
    fn bad_lines_say_what_is_wrong() {
        assert_eq!(
            sim("frob").unwrap_err(),
            "sim: unknown command \"frob\"\nRun 'sim help' for usage.\n"
        );
        assert_eq!(
            sim("").unwrap_err(),
            "sim: missing command\nRun 'sim help' for usage.\n"
        );
        assert!(sim("step 0").unwrap_err().contains("invalid count \"0\""));
        assert!(sim("advance").unwrap_err().contains("missing duration"));
        assert!(sim("stop kubelet worker-9")
            .unwrap_err()
            .contains("no node \"worker-9\" (nodes: control-plane, worker-1, worker-2)"));
        assert!(sim("stop kubelet")
            .unwrap_err()
            .contains("kubelet of which node?"));
        assert!(sim("stop etcd")
            .unwrap_err()
            .contains("does not simulate stopping etcd"));
        assert!(sim("stop frob")
            .unwrap_err()
            .contains("unknown component \"frob\""));
        assert!(sim("heal").unwrap_err().contains("which node?"));
        assert!(sim("seed 4").unwrap_err().contains("too many arguments"));
    }
}
