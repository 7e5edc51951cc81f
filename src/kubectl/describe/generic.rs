//! The generic describer, for kinds without their own (Leases, Events, webhooks...): every
//! field of the object, sorted, with labels made from the field names (`smartLabelFor`).

use serde_json::Value;

use super::{
    describe_events, print_annotations_multiline, print_labels_multiline, str_of, Ctx, EventRef,
    PrefixWriter, LEVEL_0,
};
use crate::kubectl::io::Res;

/// `genericDescriber.Describe`.
pub fn describe(cx: &mut Ctx<'_, '_, '_>, path: &str) -> Res<String> {
    let obj = cx.get_dynamic(path)?;
    let events = if cx.settings.show_events {
        Some(cx.events(&EventRef::of(&obj))?)
    } else {
        None
    };
    let now = cx.now_ms();
    let mut w = PrefixWriter::new();
    let meta = &obj["metadata"];
    w.write(LEVEL_0, &format!("Name:\t{}\n", str_of(&meta["name"])));
    w.write(
        LEVEL_0,
        &format!("Namespace:\t{}\n", str_of(&meta["namespace"])),
    );
    print_labels_multiline(&mut w, "Labels", &meta["labels"]);
    print_annotations_multiline(&mut w, "Annotations", &meta["annotations"]);
    print_unstructured_content(
        &mut w,
        LEVEL_0,
        &obj,
        "",
        &[
            ".metadata.managedFields",
            ".metadata.name",
            ".metadata.namespace",
            ".metadata.labels",
            ".metadata.annotations",
        ],
    );
    if let Some(events) = events {
        describe_events(&mut w, &events, now);
    }
    Ok(w.finish())
}

/// `printUnstructuredContent`.
fn print_unstructured_content(
    w: &mut PrefixWriter,
    level: usize,
    content: &Value,
    skip_prefix: &str,
    skip: &[&str],
) {
    let Some(map) = content.as_object() else {
        return;
    };
    let mut fields: Vec<&String> = map.keys().collect();
    fields.sort();
    for field in fields {
        let value = &map[field];
        let skip_expr = format!("{skip_prefix}.{field}");
        if skip.contains(&skip_expr.as_str()) {
            continue;
        }
        match value {
            Value::Object(_) => {
                w.write(level, &format!("{}:\n", smart_label_for(field)));
                print_unstructured_content(w, level + 1, value, &skip_expr, skip);
            }
            Value::Array(items) => {
                w.write(level, &format!("{}:\n", smart_label_for(field)));
                for child in items {
                    if child.is_object() {
                        print_unstructured_content(w, level + 1, child, &skip_expr, skip);
                    } else {
                        w.write(level + 1, &format!("{}\n", go_value(child)));
                    }
                }
            }
            _ => w.write(
                level,
                &format!("{}:\t{}\n", smart_label_for(field), go_value(value)),
            ),
        }
    }
}

/// Go's `%v` of a decoded JSON scalar.
fn go_value(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => "<nil>".to_string(),
        other => other.to_string(),
    }
}

/// `smartLabelFor`: `apiVersion` → `API Version`, `holderIdentity` → `Holder Identity`.
pub fn smart_label_for(field: &str) -> String {
    if field.chars().any(|c| !c.is_alphabetic() && c != '-') {
        return field.to_string();
    }
    const ACRONYMS: [&str; 5] = ["API", "URL", "UID", "OSB", "GUID"];
    camelcase_split(field)
        .into_iter()
        .filter(|p| p != "_")
        .map(|p| {
            let upper = p.to_uppercase();
            if ACRONYMS.contains(&upper.as_str()) {
                upper
            } else {
                title(&p)
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// `strings.Title`: the first letter of each word upper-cased.
fn title(s: &str) -> String {
    let mut out = String::new();
    let mut prev_letter = false;
    for c in s.chars() {
        if !prev_letter {
            out.extend(c.to_uppercase());
        } else {
            out.push(c);
        }
        prev_letter = c.is_alphanumeric() || c == '_';
    }
    out
}

/// `camelcase.Split` (github.com/fatih/camelcase): runs of one character class, with the
/// last capital of a run moved to a following lower-case run (`PDFLoader` → `PDF Loader`).
fn camelcase_split(src: &str) -> Vec<String> {
    let class = |c: char| {
        if c.is_lowercase() {
            1
        } else if c.is_uppercase() {
            2
        } else if c.is_numeric() {
            3
        } else {
            4
        }
    };
    let mut runs: Vec<Vec<char>> = Vec::new();
    let mut last = 0;
    for c in src.chars() {
        let k = class(c);
        match runs.last_mut() {
            Some(run) if k == last => run.push(c),
            _ => runs.push(vec![c]),
        }
        last = k;
    }
    for i in 0..runs.len().saturating_sub(1) {
        if runs[i].first().is_some_and(|c| c.is_uppercase())
            && runs[i + 1].first().is_some_and(|c| c.is_lowercase())
        {
            if let Some(c) = runs[i].pop() {
                runs[i + 1].insert(0, c);
            }
        }
    }
    runs.into_iter()
        .filter(|r| !r.is_empty())
        .map(|r| r.into_iter().collect())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_names_become_labels() {
        assert_eq!(smart_label_for("apiVersion"), "API Version");
        assert_eq!(smart_label_for("holderIdentity"), "Holder Identity");
        assert_eq!(
            smart_label_for("leaseDurationSeconds"),
            "Lease Duration Seconds"
        );
        assert_eq!(smart_label_for("uid"), "UID");
        assert_eq!(smart_label_for("PDFLoader"), "PDF Loader");
        assert_eq!(smart_label_for("node-name"), "Node - Name");
        assert_eq!(smart_label_for("f:spec"), "f:spec");
    }
}
