//! The eleven steps of the pod creation flow: their numbers, short names (the tracker's labels)
//! and what each one is, as the trace's `step` annotation counts them.

/// One step of the pod creation flow.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FlowStep {
    /// 1 to 11.
    pub number: u8,
    /// The tracker's label.
    pub short: &'static str,
    /// One sentence: who does what.
    pub summary: &'static str,
}

/// The steps in order; `STEPS[n - 1].number == n`.
pub const STEPS: [FlowStep; 11] = [
    FlowStep {
        number: 1,
        short: "kubectl sends",
        summary: "The admin (kubectl) sends the object to the API server.",
    },
    FlowStep {
        number: 2,
        short: "stored in etcd",
        summary: "The API server stores it in etcd.",
    },
    FlowStep {
        number: 3,
        short: "controller acts",
        summary:
            "The controller sees the new object (watch) and acts: a ReplicaSet creates its Pods.",
    },
    FlowStep {
        number: 4,
        short: "Pod stored",
        summary: "The API server stores the new, unassigned Pod in etcd.",
    },
    FlowStep {
        number: 5,
        short: "scheduler sees Pod",
        summary: "The scheduler sees the unassigned Pod.",
    },
    FlowStep {
        number: 6,
        short: "filter and score",
        summary: "The scheduler filters and scores the nodes.",
    },
    FlowStep {
        number: 7,
        short: "bind",
        summary: "The scheduler binds the Pod to a node.",
    },
    FlowStep {
        number: 8,
        short: "nodeName stored",
        summary: "The API server stores the assignment (spec.nodeName) in etcd.",
    },
    FlowStep {
        number: 9,
        short: "kubelet sees Pod",
        summary: "The kubelet on that node sees a Pod it is not yet running.",
    },
    FlowStep {
        number: 10,
        short: "containers run",
        summary:
            "The kubelet runs the containers through the container runtime and reports status.",
    },
    FlowStep {
        number: 11,
        short: "status stored",
        summary: "The API server stores the new status in etcd.",
    },
];

/// The step numbered `n` (1-11).
pub fn step(n: u8) -> Option<&'static FlowStep> {
    STEPS.get(usize::from(n).checked_sub(1)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_are_numbered_one_to_eleven_in_order() {
        for (i, s) in STEPS.iter().enumerate() {
            assert_eq!(usize::from(s.number), i + 1);
            assert_eq!(step(s.number), Some(s));
        }
        assert_eq!(step(0), None);
        assert_eq!(step(12), None);
    }
}
