//! `--overrides` and `--override-type` of `run` and `expose` (`cmdutil.Overrider`): an
//! inline JSON merged into the generated object as a JSON merge patch (the default), a JSON
//! patch, or a strategic merge patch.

use serde_json::Value;

use crate::apiserver::patch::json_patch::{json_patch, JsonPatchFailure};
use crate::apiserver::patch::merge_patch::merge_patch;
use crate::apiserver::patch::strategic_merge::strategic_merge_patch;
use crate::kubectl::cmdutil::GoErr;

/// The object with the overrides applied.
pub fn apply_overrides(
    kind: &str,
    obj: &Value,
    overrides: &str,
    override_type: &str,
) -> Result<Value, GoErr> {
    let parsed: Result<Value, _> = serde_json::from_str(overrides);
    if override_type == "merge" || override_type.is_empty() {
        // evanphx/json-patch's MergePatch answers a patch that is not JSON with
        // errBadJSONPatch.
        let patch = parsed.map_err(|_| GoErr::msg("Invalid JSON Patch"))?;
        return merge_patch(obj, &patch).map_err(GoErr::msg);
    }
    let patch = parsed.map_err(|e| GoErr::msg(format!("invalid JSON Patch: {e}")))?;
    match override_type {
        "json" => json_patch(obj, &patch).map_err(|e| match e {
            JsonPatchFailure::Decode(m) | JsonPatchFailure::Apply(m) => GoErr::msg(m),
            other => GoErr::msg(other.to_patch_error().message),
        }),
        "strategic" => strategic_merge_patch(kind, obj, &patch).map_err(|e| GoErr::msg(e.message)),
        other => Err(GoErr::msg(format!("invalid override type: {other}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn overrides_merge_into_the_generated_object() {
        let svc = json!({"spec": {"type": "ClusterIP", "selector": {"a": "b"}}});
        assert_eq!(
            apply_overrides("Service", &svc, r#"{"spec":{"type":"NodePort"}}"#, "merge").unwrap(),
            json!({"spec": {"type": "NodePort", "selector": {"a": "b"}}})
        );
        assert_eq!(
            apply_overrides("Service", &svc, "{}", "bogus")
                .unwrap_err()
                .error(),
            "invalid override type: bogus"
        );
    }
}
