//! The pods the diagram draws: what kube-apiserver's watch cache holds at the cursor, each with
//! its node (`spec.nodeName`), phase and the status kubectl's STATUS column would print
//! (`ContainerCreating`, `Running`, `ErrImagePull`, `Completed`, `Terminating`...), and a tone
//! that the page shows by colour and by a glyph and dash pattern, never by colour alone.

use serde_json::Value;

use super::geometry::Rect;
use crate::apiserver::server::KubeApiServer;
use crate::sim::{Addr, Sim};

/// How a pod is doing, in five kinds the page can tell apart without colour.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum PodTone {
    /// Not running yet: unscheduled, `ContainerCreating`, `PodInitializing`, `Init:0/1`.
    Waiting,
    Running,
    /// Finished well (`Completed`).
    Succeeded,
    /// Something is wrong: `ErrImagePull`, `ImagePullBackOff`, `CrashLoopBackOff`, `Error`,
    /// phase `Failed`.
    Problem,
    /// Being deleted (`deletionTimestamp` set).
    Terminating,
}

impl PodTone {
    /// The CSS class suffix.
    pub fn class(self) -> &'static str {
        match self {
            PodTone::Waiting => "waiting",
            PodTone::Running => "running",
            PodTone::Succeeded => "succeeded",
            PodTone::Problem => "problem",
            PodTone::Terminating => "terminating",
        }
    }

    /// The glyph drawn before the status, so the tone reads without colour.
    pub fn glyph(self) -> &'static str {
        match self {
            PodTone::Waiting => "◔",
            PodTone::Running => "●",
            PodTone::Succeeded => "✓",
            PodTone::Problem => "✕",
            PodTone::Terminating => "⊘",
        }
    }
}

/// One pod as the diagram shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct PodView {
    pub namespace: String,
    pub name: String,
    /// `spec.nodeName`, `None` while no node has been chosen.
    pub node: Option<String>,
    /// `status.phase` (`Pending` when not reported yet).
    pub phase: String,
    /// The STATUS kubectl prints for it.
    pub status: String,
    pub tone: PodTone,
    /// Where it is drawn (set by the layout).
    pub rect: Rect,
}

impl PodView {
    /// `namespace/name`, or the name alone in `default`.
    pub fn label(&self) -> String {
        if self.namespace == "default" {
            self.name.clone()
        } else {
            format!("{}/{}", self.namespace, self.name)
        }
    }
}

fn str_at<'a>(v: &'a Value, pointer: &str) -> &'a str {
    v.pointer(pointer).and_then(Value::as_str).unwrap_or("")
}

/// The tone of a pod from its phase, kubectl's status text and whether it is being deleted.
pub fn tone(phase: &str, status: &str, deleting: bool) -> PodTone {
    if deleting {
        return PodTone::Terminating;
    }
    match (phase, status) {
        (_, "Running") => PodTone::Running,
        ("Succeeded", _) | (_, "Completed") => PodTone::Succeeded,
        ("Failed", _) => PodTone::Problem,
        (
            _,
            "ContainerCreating" | "PodInitializing" | "Pending" | "SchedulingGated" | "NotReady"
            | "",
        ) => PodTone::Waiting,
        (_, s) if s.starts_with("Init:") && s[5..].contains('/') => PodTone::Waiting,
        _ => PodTone::Problem,
    }
}

/// Every pod in kube-apiserver's watch cache, in key order (namespace, then name), except the
/// mirror pods of static pods: those are the control-plane components, drawn as boxes.
pub fn from_api_server(sim: &Sim) -> Vec<PodView> {
    let Some(api) = sim.actor::<KubeApiServer>(&Addr::ApiServer) else {
        return Vec::new();
    };
    let Some(cache) = api.caches().get("/registry/pods/") else {
        return Vec::new();
    };
    let now = sim.now();
    cache
        .objects
        .values()
        .filter(|p| {
            p.pointer("/metadata/annotations/kubernetes.io~1config.mirror")
                .is_none()
        })
        .map(|p| {
            let phase = match str_at(p, "/status/phase") {
                "" => "Pending",
                s => s,
            };
            let row = crate::apiserver::printers::pod::row(p, now);
            let status = row
                .get(2)
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
                .unwrap_or(phase)
                .to_string();
            let deleting = p.pointer("/metadata/deletionTimestamp").is_some();
            let node = Some(str_at(p, "/spec/nodeName"))
                .filter(|n| !n.is_empty())
                .map(str::to_string);
            PodView {
                namespace: str_at(p, "/metadata/namespace").to_string(),
                name: str_at(p, "/metadata/name").to_string(),
                node,
                phase: phase.to_string(),
                tone: tone(phase, &status, deleting),
                status,
                rect: Rect::default(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tones_follow_kubectl_status_and_deletion() {
        assert_eq!(tone("Pending", "Pending", false), PodTone::Waiting);
        assert_eq!(
            tone("Pending", "ContainerCreating", false),
            PodTone::Waiting
        );
        assert_eq!(tone("Pending", "Init:0/1", false), PodTone::Waiting);
        assert_eq!(tone("Pending", "Init:Error", false), PodTone::Problem);
        assert_eq!(tone("Pending", "ErrImagePull", false), PodTone::Problem);
        assert_eq!(tone("Pending", "ImagePullBackOff", false), PodTone::Problem);
        assert_eq!(tone("Running", "Running", false), PodTone::Running);
        assert_eq!(tone("Running", "CrashLoopBackOff", false), PodTone::Problem);
        assert_eq!(tone("Succeeded", "Completed", false), PodTone::Succeeded);
        assert_eq!(tone("Failed", "Error", false), PodTone::Problem);
        assert_eq!(tone("Running", "Terminating", true), PodTone::Terminating);
    }

    #[test]
    fn every_tone_has_its_own_glyph() {
        let all = [
            PodTone::Waiting,
            PodTone::Running,
            PodTone::Succeeded,
            PodTone::Problem,
            PodTone::Terminating,
        ];
        let glyphs: std::collections::BTreeSet<&str> = all.iter().map(|t| t.glyph()).collect();
        assert_eq!(glyphs.len(), all.len());
    }
}
