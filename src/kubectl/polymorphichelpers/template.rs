//! `describe.DescribePodTemplate` as `rollout history --revision` and `rollout undo
//! --dry-run=client` print it: describe's printer over a `PrefixWriter` (two spaces per level)
//! without a tabwriter, so the tabs stay in the output as they are.

use serde_json::Value;

use crate::kubectl::describe::{pod, PrefixWriter};

/// `DescribePodTemplate(template, NewPrefixWriter(buf))`.
pub fn describe_pod_template(template: &Value) -> String {
    let mut w = PrefixWriter::raw();
    pod::describe_pod_template(&mut w, template);
    w.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// What kubectl 1.33 printed for this template (`rollout history --revision=1` against a
    /// recorded ReplicaSet).
    #[test]
    fn a_simple_template_prints_as_kubectl_does() {
        let t = json!({
            "metadata": {"labels": {"app": "web", "pod-template-hash": "aaa"}},
            "spec": {"containers": [{"name": "nginx", "image": "nginx:1.25", "resources": {}}]}
        });
        assert_eq!(
            describe_pod_template(&t),
            "Pod Template:\n  Labels:\tapp=web\n\tpod-template-hash=aaa\n  Containers:\n   nginx:\n    Image:\tnginx:1.25\n    Port:\t<none>\n    Host Port:\t<none>\n    Environment:\t<none>\n    Mounts:\t<none>\n  Volumes:\t<none>\n  Node-Selectors:\t<none>\n  Tolerations:\t<none>\n"
        );
    }

    #[test]
    fn ports_env_and_annotations_show() {
        let t = json!({
            "metadata": {"labels": {"app": "web"},
                         "annotations": {"kubectl.kubernetes.io/restartedAt": "2026-01-01T00:00:00Z"}},
            "spec": {"containers": [{"name": "c", "image": "i",
                "command": ["sh", "-c"], "args": ["echo hi"],
                "ports": [{"containerPort": 80, "protocol": "TCP"}],
                "env": [{"name": "A", "value": "1"}]}]}
        });
        let text = describe_pod_template(&t);
        assert!(text
            .contains("  Annotations:\tkubectl.kubernetes.io/restartedAt: 2026-01-01T00:00:00Z\n"));
        assert!(text.contains("    Port:\t80/TCP\n    Host Port:\t0/TCP\n"));
        assert!(text.contains("    Command:\n      sh\n      -c\n    Args:\n      echo hi\n"));
        assert!(text.contains("    Environment:\n      A:\t1\n"));
    }
}
