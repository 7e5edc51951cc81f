//! Server-side apply (`application/apply-patch+yaml`, `?fieldManager=...&force=true`), as the
//! API server's fieldmanager runs structured-merge-diff's `Updater.Apply`: merge the applied
//! configuration into the live object (associative lists by their list-map keys), remove the
//! fields this manager applied last time and no longer specifies (unless another manager owns
//! them), and refuse with 409 when the request changes fields other managers own, unless forced.
//!
//! Not modelled: the conversion of managed fields between API versions (every manager's set is
//! read as if recorded in the request's version), and the probabilistic skipping of
//! create-time ownership (`skipNonAppliedManager`, off by default).

use serde_json::{Map, Value};

use super::managed_fields::{
    compare, decode_managed_fields, encode_managed_fields, list_elements, path_string, reset_paths,
    to_field_set, under_any, without_managed_fields, Ctx, FieldSet, ManagedFieldsEntry, Operation,
    PathElement,
};
use super::patch_meta::ListType;
use super::three_way::LAST_APPLIED_CONFIG_ANNOTATION;
use super::{PatchError, StatusCause};
use crate::golang::json::marshal as go_json_marshal;

/// The hint kubectl prints after the server's conflict message (`kubectl apply --server-side`).
pub const KUBECTL_CONFLICT_HINT: &str =
    "Please review the fields above--they currently have other managers. Here
are the ways you can resolve this warning:
* If you intend to manage all of these fields, please re-run the apply
  command with the `--force-conflicts` flag.
* If you do not intend to manage all of the fields, please edit your
  manifest to remove references to the fields that should keep their
  current managers.
* You may co-own fields by updating your manifest to match the existing
  value; in this case, you'll become the manager if the other manager(s)
  stop managing the field (remove it from their configuration).
See https://kubernetes.io/docs/reference/using-api/server-side-apply/#conflicts";

/// One server-side apply request.
#[derive(Debug, Clone, Copy)]
pub struct ApplyRequest<'a> {
    pub kind: &'a str,
    /// `apiVersion` of the request (recorded in the manager's entry).
    pub api_version: &'a str,
    /// `?fieldManager=`; the server requires it for apply.
    pub manager: &'a str,
    /// `?force=true`: take the conflicting fields from their managers.
    pub force: bool,
    /// RFC 3339 time of the request, recorded when the object changes.
    pub time: &'a str,
    /// Fields the strategy resets (see [`super::managed_fields::reset_fields`]): taken out of
    /// the configuration and never owned.
    pub reset_fields: &'a [&'a str],
}

/// A conflict: a field another manager owns that the apply would change.
#[derive(Debug, Clone, PartialEq)]
pub struct Conflict {
    pub manager: ManagedFieldsEntry,
    pub path: Vec<PathElement>,
}

/// The 409 the server answers with (`internal.NewConflictError`).
pub fn conflict_error(conflicts: &[Conflict]) -> PatchError {
    let causes = conflicts
        .iter()
        .map(|c| StatusCause {
            reason: "FieldManagerConflict".into(),
            message: format!("conflict with {}", c.manager.display_name()),
            field: path_string(&c.path),
        })
        .collect();
    let message = if conflicts.len() == 1 {
        format!(
            "Apply failed with 1 conflict: conflict with {}: {}",
            conflicts[0].manager.display_name(),
            path_string(&conflicts[0].path)
        )
    } else {
        // Grouped by manager, managers sorted by their identifier.
        let mut by_manager: std::collections::BTreeMap<String, (String, Vec<String>)> =
            Default::default();
        for c in conflicts {
            by_manager
                .entry(c.manager.identifier())
                .or_insert_with(|| (c.manager.display_name(), Vec::new()))
                .1
                .push(format!("- {}", path_string(&c.path)));
        }
        let mut lines = Vec::new();
        for (shown, paths) in by_manager.values() {
            lines.push(format!("conflicts with {shown}:"));
            lines.extend(paths.iter().cloned());
        }
        format!(
            "Apply failed with {} conflicts: {}",
            conflicts.len(),
            lines.join("\n")
        )
    };
    PatchError {
        code: 409,
        reason: "Conflict",
        message,
        causes,
        details_group: "",
        details_kind: "",
    }
}

/// The order structured-merge-diff lists a set in: at each level the paths that end there,
/// then the deeper ones, each group by path element.
fn smd_order(a: &[PathElement], b: &[PathElement]) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    let i = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    match (a.len() == i + 1, b.len() == i + 1) {
        _ if a.len() == i || b.len() == i => a.len().cmp(&b.len()),
        (true, false) => Ordering::Less,
        (false, true) => Ordering::Greater,
        _ => a[i].cmp(&b[i]),
    }
}

/// Why an apply failed before the API server turns it into a status.
enum ApplyFailure {
    Conflicts(Vec<Conflict>),
    Error(PatchError),
}

impl From<PatchError> for ApplyFailure {
    fn from(e: PatchError) -> ApplyFailure {
        ApplyFailure::Error(e)
    }
}

/// Applies `config` (the decoded YAML body) to `live` (`None` when the object does not exist
/// yet) for `req.manager`. Returns the object to store, with `metadata.managedFields` updated.
///
/// For the manager `kubectl` (what `kubectl apply --server-side` sends) the server also eases the
/// move from client-side apply: conflicts on fields the `last-applied-configuration`
/// annotation still describes are taken over without `force` (`lastAppliedManager`), and an
/// existing annotation is rewritten to the applied configuration (`lastAppliedUpdater`), so
/// that a later client-side apply sees it.
pub fn server_side_apply(
    req: &ApplyRequest,
    live: Option<&Value>,
    config: &Value,
) -> Result<Value, PatchError> {
    let result = match apply_with_managers(req, live, config) {
        Err(ApplyFailure::Conflicts(conflicts)) if req.manager == "kubectl" => {
            match live.and_then(|l| allowed_conflicts_from_last_applied(req.kind, l)) {
                Some(allowed) => {
                    let remaining: Vec<Conflict> = conflicts
                        .into_iter()
                        .filter(|c| !allowed.contains(&c.path))
                        .collect();
                    if remaining.is_empty() {
                        let forced = ApplyRequest {
                            force: true,
                            ..*req
                        };
                        apply_with_managers(&forced, live, config)
                    } else {
                        Err(ApplyFailure::Conflicts(remaining))
                    }
                }
                None => Err(ApplyFailure::Conflicts(conflicts)),
            }
        }
        other => other,
    };
    let mut obj = result.map_err(|f| match f {
        ApplyFailure::Conflicts(c) => conflict_error(&c),
        ApplyFailure::Error(e) => e,
    })?;
    if req.manager == "kubectl" {
        if let Some(annotation) = obj
            .pointer_mut("/metadata/annotations")
            .and_then(|a| a.get_mut(LAST_APPLIED_CONFIG_ANNOTATION))
        {
            *annotation = Value::String(last_applied_from_apply(config));
        }
    }
    Ok(obj)
}

/// `allowedConflictsFromLastApplied`: the fields of the last-applied configuration whose values
/// the live object still has. `None` without a readable annotation.
fn allowed_conflicts_from_last_applied(kind: &str, live: &Value) -> Option<FieldSet> {
    let text = live
        .pointer("/metadata/annotations")?
        .get(LAST_APPLIED_CONFIG_ANNOTATION)?
        .as_str()?;
    if text.is_empty() {
        return None;
    }
    let last_applied: Value = serde_json::from_str(text).ok()?;
    let set = to_field_set(kind, &last_applied).ok()?;
    let c = compare(kind, &last_applied, &without_managed_fields(live)).ok()?;
    Some(
        set.into_iter()
            .filter(|p| !c.modified.contains(p) && !c.added.contains(p) && !c.removed.contains(p))
            .collect(),
    )
}

/// `buildLastApplied`: the applied configuration, without the annotation itself, as Go's
/// JSON encoder writes it.
fn last_applied_from_apply(config: &Value) -> String {
    let mut c = config.clone();
    if let Some(annotations) = c
        .pointer_mut("/metadata/annotations")
        .and_then(Value::as_object_mut)
    {
        annotations.shift_remove(LAST_APPLIED_CONFIG_ANNOTATION);
    }
    format!("{}\n", go_json_marshal(&c))
}

/// `FieldManager.Apply` without the kubectl-specific wrappers.
fn apply_with_managers(
    req: &ApplyRequest,
    live: Option<&Value>,
    config: &Value,
) -> Result<Value, ApplyFailure> {
    let empty = Value::Object(Map::new());
    let config = match config {
        Value::Object(_) => config,
        // `null` decodes into an empty map.
        Value::Null => &empty,
        other => {
            let what = match other {
                Value::Array(_) => "array",
                Value::String(_) => "string",
                Value::Number(_) => "number",
                _ => "bool",
            };
            return Err(PatchError::bad_request(format!(
                "error decoding YAML: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {what} into Go value of type map[string]interface {{}}"
            ))
            .into());
        }
    };
    // structuredMergeManager names the object as `namespace/name; group/version, Kind=kind`.
    let str_at = |p: &str| config.pointer(p).and_then(Value::as_str).unwrap_or("");
    let api_version = str_at("/apiVersion");
    let (group, version) = api_version.split_once('/').unwrap_or(("", api_version));
    let object = format!(
        "{}/{}; {group}/{version}, Kind={}",
        str_at("/metadata/namespace"),
        str_at("/metadata/name"),
        str_at("/kind")
    );
    let typed_err = |e: String| {
        PatchError::internal(format!(
            "failed to create typed patch object ({object}): {e}"
        ))
    };
    let mut entries = live.map(decode_managed_fields).unwrap_or_default();
    let live_v = live
        .map(without_managed_fields)
        .unwrap_or_else(|| Value::Object(Map::new()));
    let resets = reset_paths(req.reset_fields);
    let mut config_v = without_managed_fields(config);
    for r in &resets {
        remove_path(&mut config_v, r, &Ctx::root(req.kind));
    }
    let config_set = to_field_set(req.kind, &config_v).map_err(typed_err)?;

    let ctx = Ctx::root(req.kind);
    let mut merged = merge(&live_v, &config_v, &ctx).map_err(typed_err)?;

    let me = ManagedFieldsEntry {
        manager: req.manager.to_string(),
        operation: Operation::Apply,
        api_version: req.api_version.to_string(),
        time: None,
        subresource: String::new(),
        fields: config_set.clone(),
    };
    let mine = entries.iter().position(|e| e.same_manager(&me));
    let last_set = mine.map(|i| entries[i].fields.clone()).unwrap_or_default();
    let previous_time = mine.and_then(|i| entries[i].time.clone());
    if let Some(i) = mine {
        entries.remove(i);
    }

    // Prune what this manager applied before and dropped now, unless someone owns it.
    let mut owned: FieldSet = config_set.clone();
    for e in &entries {
        owned.extend(e.fields.iter().cloned());
    }
    let mut to_remove: Vec<&Vec<PathElement>> = last_set
        .iter()
        .filter(|p| !owned.contains(*p))
        .filter(|p| !owned.iter().any(|o| o.len() > p.len() && o.starts_with(p)))
        .collect();
    // Removing a node removes its fields: keep only the topmost paths (the fields of a list item
    // also name it by its key, which must still be there when the item goes).
    let all = to_remove.clone();
    to_remove.retain(|p| !all.iter().any(|q| q.len() < p.len() && p.starts_with(q)));
    for p in to_remove {
        remove_path(&mut merged, p, &ctx);
    }

    // Conflicts with the other managers.
    let c = compare(req.kind, &live_v, &merged).map_err(typed_err)?;
    let changed: FieldSet = c
        .modified
        .union(&c.added)
        .filter(|p| !under_any(p, &resets))
        .cloned()
        .collect();
    let mut conflicts = Vec::new();
    for e in &entries {
        for p in e.fields.intersection(&changed) {
            conflicts.push(Conflict {
                manager: e.clone(),
                path: p.clone(),
            });
        }
    }
    if !conflicts.is_empty() && !req.force {
        conflicts.sort_by(|a, b| {
            a.manager
                .identifier()
                .cmp(&b.manager.identifier())
                .then_with(|| smd_order(&a.path, &b.path))
        });
        return Err(ApplyFailure::Conflicts(conflicts));
    }
    for e in entries.iter_mut() {
        e.fields = e
            .fields
            .iter()
            .filter(|p| !changed.contains(*p) && !c.removed.contains(*p))
            .cloned()
            .collect();
    }
    let object_changed = merged != live_v;
    entries.push(ManagedFieldsEntry {
        // The time moves only when the object changed.
        time: if object_changed {
            Some(req.time.to_string())
        } else {
            previous_time
        },
        ..me
    });
    encode_managed_fields(&mut merged, entries);
    Ok(merged)
}

/// structured-merge-diff's merge of an applied configuration into the live object: maps merge
/// key by key, associative and set lists merge item by item (keeping the live order, new items
/// where the configuration puts them), everything else is taken from the configuration.
pub(crate) fn merge(lhs: &Value, rhs: &Value, ctx: &Ctx) -> Result<Value, String> {
    match (lhs, rhs) {
        (Value::Object(l), Value::Object(r)) if !ctx.meta.atomic => {
            let mut out = l.clone();
            for (k, rv) in r {
                if rv.is_null() {
                    out.shift_remove(k);
                    continue;
                }
                let child = ctx.child(k);
                let merged = match l.get(k) {
                    Some(lv) => merge(lv, rv, &child)?,
                    None => rv.clone(),
                };
                out.insert(k.clone(), merged);
            }
            Ok(Value::Object(out))
        }
        (Value::Array(l), Value::Array(r)) if ctx.list_type() != ListType::Atomic => {
            merge_list(l, r, ctx).map(Value::Array)
        }
        _ => Ok(rhs.clone()),
    }
}

/// `mergingWalker.visitListItems`.
fn merge_list(lhs: &[Value], rhs: &[Value], ctx: &Ctx) -> Result<Vec<Value>, String> {
    let lpe = list_elements(lhs, ctx)?;
    let rpe = list_elements(rhs, ctx)?;
    let item_ctx = ctx.item();
    let find = |pes: &[PathElement], pe: &PathElement| pes.iter().position(|p| p == pe);
    let merge_item = |pe: &PathElement| -> Result<Value, String> {
        let l = find(&lpe, pe).map(|i| &lhs[i]);
        let r = find(&rpe, pe).map(|i| &rhs[i]);
        match (l, r) {
            (Some(l), Some(r)) => merge(l, r, &item_ctx),
            (Some(l), None) => Ok(l.clone()),
            (None, Some(r)) => Ok(r.clone()),
            (None, None) => unreachable!("the element comes from one of the lists"),
        }
    };
    let mut shared: std::collections::VecDeque<&PathElement> =
        rpe.iter().filter(|pe| find(&lpe, pe).is_some()).collect();
    let mut next_shared = shared.pop_front();
    let mut merged_rhs: Vec<&PathElement> = Vec::new();
    let mut out = Vec::new();
    let (mut li, mut ri) = (0, 0);
    while li < lpe.len() || ri < rpe.len() {
        if li < lpe.len() && ri < rpe.len() {
            let pe = &lpe[li];
            if *pe == rpe[ri] {
                merged_rhs.push(pe);
                out.push(merge_item(pe)?);
                li += 1;
                ri += 1;
                next_shared = shared.pop_front();
                continue;
            }
            if find(&rpe, pe).is_some() && next_shared.is_some_and(|n| n != pe) {
                li += 1;
                continue;
            }
        }
        if li < lpe.len() {
            let pe = &lpe[li];
            if find(&rpe, pe).is_none() {
                out.push(lhs[li].clone());
                li += 1;
                continue;
            } else if merged_rhs.contains(&pe) {
                li += 1;
                continue;
            }
        }
        if ri < rpe.len() {
            let pe = &rpe[ri];
            merged_rhs.push(pe);
            out.push(merge_item(pe)?);
            ri += 1;
            if next_shared == Some(pe) {
                next_shared = shared.pop_front();
            }
        }
    }
    Ok(out)
}

/// Removes the node at `path` from `v` (a no-op when it is not there).
fn remove_path(v: &mut Value, path: &[PathElement], ctx: &Ctx) {
    let Some((first, rest)) = path.split_first() else {
        return;
    };
    match (v, first) {
        (Value::Object(m), PathElement::Field(name)) => {
            if rest.is_empty() {
                m.shift_remove(name);
            } else if let Some(child) = m.get_mut(name) {
                remove_path(child, rest, &ctx.child(name));
            }
        }
        (Value::Array(items), pe) => {
            let Ok(pes) = list_elements(items, ctx) else {
                return;
            };
            let Some(i) = pes.iter().position(|p| p == pe) else {
                return;
            };
            if rest.is_empty() {
                items.remove(i);
            } else {
                remove_path(&mut items[i], rest, &ctx.item());
            }
        }
        _ => {}
    }
}
