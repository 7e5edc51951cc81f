//! Server-side printing: the `meta.k8s.io/v1` Table a real kube-apiserver answers when a client
//! asks for `Accept: application/json;as=Table;v=v1;g=meta.k8s.io` (what `kubectl get` does), with
//! the columns and cells of Kubernetes' `pkg/printers/internalversion`.

mod columns;
pub mod pod;
mod workloads;

use serde_json::{json, Value};

use crate::sim::SimTime;

/// A column of a Table (`metav1.TableColumnDefinition`).
pub struct Column {
    pub name: &'static str,
    pub kind: &'static str,
    pub format: &'static str,
    pub description: &'static str,
    pub priority: u8,
}

pub(crate) const fn col(
    name: &'static str,
    kind: &'static str,
    description: &'static str,
) -> Column {
    Column {
        name,
        kind,
        format: "",
        description,
        priority: 0,
    }
}

pub(crate) const fn wide(
    name: &'static str,
    kind: &'static str,
    description: &'static str,
) -> Column {
    Column {
        name,
        kind,
        format: "",
        description,
        priority: 1,
    }
}

pub(crate) const NAME_DOC: &str = "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names";
pub(crate) const AGE_DOC: &str = "CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata";

pub(crate) const NAME: Column = Column {
    name: "Name",
    kind: "string",
    format: "name",
    description: NAME_DOC,
    priority: 0,
};
pub(crate) const AGE: Column = col("Age", "string", AGE_DOC);

/// Whether an Accept header asks for a Table.
pub fn wants_table(accept: Option<&str>) -> bool {
    accept.is_some_and(|a| {
        a.split(',')
            .any(|part| part.contains("as=Table") && part.contains("g=meta.k8s.io"))
    })
}

/// `duration.HumanDuration` of a number of seconds: how kubectl and the server's printers
/// show ages.
pub fn human_duration(seconds: i64) -> String {
    crate::apimachinery::duration::human_duration(seconds.saturating_mul(1_000_000_000))
}

/// Seconds since the Unix epoch of an RFC 3339 timestamp (`2026-01-01T00:05:00Z`), if it is one.
pub fn parse_rfc3339(ts: &str) -> Option<i64> {
    let b = ts.as_bytes();
    if b.len() < 20
        || b[4] != b'-'
        || b[7] != b'-'
        || b[10] != b'T'
        || b[13] != b':'
        || b[16] != b':'
    {
        return None;
    }
    let num = |r: std::ops::Range<usize>| ts.get(r)?.parse::<i64>().ok();
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (h, mi, s) = (num(11..13)?, num(14..16)?, num(17..19)?);
    // days_from_civil (Howard Hinnant).
    let y = if mo <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (mo + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(days * 86_400 + h * 3600 + mi * 60 + s)
}

/// `translateTimestampSince`: the age of a timestamp at `now`, `<unknown>` without one.
pub fn age(ts: Option<&Value>, now: SimTime) -> String {
    match ts.and_then(Value::as_str).and_then(parse_rfc3339) {
        Some(t) => human_duration(now.unix_seconds() as i64 - t),
        None => "<unknown>".to_string(),
    }
}

/// The Table for `objects` of `resource` (plural name), as the server prints it at `now`.
pub fn table(
    resource: &str,
    group: &str,
    objects: &[&Value],
    resource_version: &str,
    cont: Option<&str>,
    now: SimTime,
) -> Value {
    let (columns, row) = columns::for_resource(group, resource);
    let rows: Vec<Value> = objects
        .iter()
        .map(|o| {
            json!({
                "cells": row(o, now),
                "object": partial_metadata(o),
            })
        })
        .collect();
    let mut metadata = json!({ "resourceVersion": resource_version });
    if let Some(c) = cont {
        metadata["continue"] = json!(c);
    }
    json!({
        "kind": "Table",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": metadata,
        "columnDefinitions": columns.iter().map(|c| json!({
            "name": c.name,
            "type": c.kind,
            "format": c.format,
            "description": c.description,
            "priority": c.priority,
        })).collect::<Vec<_>>(),
        "rows": rows,
    })
}

/// `includeObject=Metadata`: each row carries the object's metadata as PartialObjectMetadata.
fn partial_metadata(obj: &Value) -> Value {
    json!({
        "kind": "PartialObjectMetadata",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": obj.get("metadata").cloned().unwrap_or(json!({})),
    })
}

/// `"<none>"` for empty strings, as printers write missing values.
pub(crate) fn or_none(s: &str) -> String {
    if s.is_empty() {
        "<none>".to_string()
    } else {
        s.to_string()
    }
}

pub(crate) fn str_at<'a>(obj: &'a Value, pointer: &str) -> &'a str {
    obj.pointer(pointer).and_then(Value::as_str).unwrap_or("")
}

pub(crate) fn int_at(obj: &Value, pointer: &str) -> i64 {
    obj.pointer(pointer).and_then(Value::as_i64).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_read_like_kubectl() {
        for (secs, want) in [
            (0, "0s"),
            (59, "59s"),
            (119, "119s"),
            (120, "2m"),
            (185, "3m5s"),
            (600, "10m"),
            (179 * 60, "179m"),
            (3 * 3600, "3h"),
            (3 * 3600 + 300, "3h5m"),
            (30 * 3600, "30h"),
            (50 * 3600, "2d2h"),
            (9 * 86_400, "9d"),
            (800 * 86_400, "2y70d"),
            (-5, "<invalid>"),
        ] {
            assert_eq!(human_duration(secs), want, "{secs}");
        }
        assert_eq!(parse_rfc3339("2026-01-01T00:00:00Z"), Some(1_767_225_600));
        assert_eq!(
            age(Some(&json!("2026-01-01T00:00:00Z")), SimTime(300_000)),
            "5m"
        );
        assert_eq!(age(None, SimTime(0)), "<unknown>");
        assert!(wants_table(Some("application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json")));
        assert!(!wants_table(Some("application/json")));
    }
}
