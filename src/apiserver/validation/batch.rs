//! Job and CronJob validation, after `pkg/apis/batch/validation/validation.go`, with the cron
//! schedule parser's (`robfig/cron/v3` `ParseStandard`) error texts.

use serde_json::Value;

use super::field::{BadValue, ErrorList, FieldError, Path};
use super::meta::{
    go_label_selector, go_string_map, metadata, selector_matches, semantic_eq,
    validate_immutable_field, validate_label_selector, validate_nonnegative_field,
    validate_object_meta, validate_object_meta_update,
};
use super::names::{self, NameRule};
use super::pod::validate_pod_template_spec;
use super::value::{boolean, has, int, opt_str, str_of, string_map, sub};

const MAX_PARALLELISM_FOR_INDEXED_JOB: i64 = 100_000;
/// The label the Job strategy puts in generated selectors and pod templates.
pub const CONTROLLER_UID_LABEL: &str = "batch.kubernetes.io/controller-uid";

/// `validateJobSpec` (shared by Job and CronJob's jobTemplate).
fn validate_job_spec_common(spec: &Value, p: &Path) -> ErrorList {
    let mut errs = Vec::new();
    for f in [
        "parallelism",
        "completions",
        "activeDeadlineSeconds",
        "backoffLimit",
        "ttlSecondsAfterFinished",
        "backoffLimitPerIndex",
        "maxFailedIndexes",
    ] {
        if let Some(v) = int(spec, f) {
            errs.extend(validate_nonnegative_field(v, &p.child(f)));
        }
    }
    if let Some(mode) = opt_str(spec, "completionMode") {
        if mode != "NonIndexed" && mode != "Indexed" {
            errs.push(FieldError::not_supported(
                &p.child("completionMode"),
                mode,
                &["NonIndexed", "Indexed"],
            ));
        }
        if mode == "Indexed" {
            if int(spec, "completions").is_none() {
                errs.push(FieldError::required(
                    &p.child("completions"),
                    "when completion mode is Indexed",
                ));
            }
            if let Some(par) = int(spec, "parallelism") {
                if par > MAX_PARALLELISM_FOR_INDEXED_JOB {
                    errs.push(FieldError::invalid(
                        &p.child("parallelism"),
                        par,
                        &format!("must be less than or equal to {MAX_PARALLELISM_FOR_INDEXED_JOB} when completion mode is Indexed"),
                    ));
                }
            }
        }
    }
    if let Some(prp) = opt_str(spec, "podReplacementPolicy") {
        if prp != "TerminatingOrFailed" && prp != "Failed" {
            errs.push(FieldError::not_supported(
                &p.child("podReplacementPolicy"),
                prp,
                &["TerminatingOrFailed", "Failed"],
            ));
        }
    }
    let tp = p.child("template");
    let template = sub(spec, "template");
    errs.extend(validate_pod_template_spec(template, &tp));
    let rp = str_of(sub(template, "spec"), "restartPolicy");
    if rp != "OnFailure" && rp != "Never" {
        errs.push(FieldError::not_supported(
            &tp.child("spec").child("restartPolicy"),
            rp,
            &["OnFailure", "Never"],
        ));
    } else if has(spec, "podFailurePolicy") && rp != "Never" {
        errs.push(FieldError::invalid(
            &tp.child("spec").child("restartPolicy"),
            rp,
            "only \"Never\" is supported when podFailurePolicy is specified",
        ));
    }
    errs
}

/// `ValidateJobSpec`: the common checks plus the selector.
fn validate_job_spec(spec: &Value, p: &Path) -> ErrorList {
    let mut errs = validate_job_spec_common(spec, p);
    let sel = sub(spec, "selector");
    if !sel.is_object() {
        errs.push(FieldError::required(&p.child("selector"), ""));
    } else {
        errs.extend(validate_label_selector(sel, &p.child("selector")));
    }
    let tmeta = metadata(sub(spec, "template"));
    if !sel.is_object() || !selector_matches(sel, &string_map(tmeta, "labels")) {
        errs.push(FieldError::invalid(
            &p.child("template").child("metadata").child("labels"),
            go_string_map(tmeta, "labels"),
            "`selector` does not match template `labels`",
        ));
    }
    errs
}

/// `ValidateHasLabel`: the template must carry `key: expected`.
fn validate_has_label(tmeta: &Value, key: &str, expected: &str) -> ErrorList {
    let p = Path::from_names(&["spec", "template", "metadata"])
        .child("labels")
        .key(key);
    let labels = string_map(tmeta, "labels");
    match labels.iter().find(|(k, _)| k == key) {
        None => vec![FieldError::required(&p, &format!("must be '{expected}'"))],
        Some((_, v)) if v != expected => vec![FieldError::invalid(
            &p,
            go_string_map(tmeta, "labels"),
            &format!("must be '{expected}'"),
        )],
        _ => Vec::new(),
    }
}

/// `validateGeneratedSelector`: without `manualSelector`, the selector and the template labels
/// are the ones the Job strategy generates from the uid and name before validation (so the
/// registry must have set `metadata.uid` and run that step first, as kube-apiserver does).
fn validate_generated_selector(job: &Value) -> ErrorList {
    let mut errs = Vec::new();
    let spec = sub(job, "spec");
    let meta = metadata(job);
    let sel = sub(spec, "selector");
    if boolean(spec, "manualSelector") == Some(true) || !sel.is_object() {
        return errs;
    }
    let uid = str_of(meta, "uid");
    let name = str_of(meta, "name");
    if uid.is_empty() {
        errs.push(FieldError::required(
            &Path::from_names(&["metadata", "uid"]),
            "",
        ));
    }
    let tmeta = metadata(sub(spec, "template"));
    errs.extend(validate_has_label(tmeta, "controller-uid", uid));
    errs.extend(validate_has_label(tmeta, "job-name", name));
    errs.extend(validate_has_label(tmeta, CONTROLLER_UID_LABEL, uid));
    errs.extend(validate_has_label(
        tmeta,
        "batch.kubernetes.io/job-name",
        name,
    ));
    let expected = vec![
        (CONTROLLER_UID_LABEL.to_string(), uid.to_string()),
        ("batch.kubernetes.io/job-name".to_string(), name.to_string()),
        ("controller-uid".to_string(), uid.to_string()),
        ("job-name".to_string(), name.to_string()),
    ];
    if !selector_matches(sel, &expected) {
        errs.push(FieldError::invalid(
            &Path::from_names(&["spec", "selector"]),
            go_label_selector(sel),
            "`selector` not auto-generated",
        ));
    }
    errs
}

/// Job create (`ValidateJob`).
pub fn validate_job(job: &Value) -> ErrorList {
    let meta = metadata(job);
    let mut errs = validate_object_meta(meta, true, NameRule::DnsSubdomain, &Path::new("metadata"));
    errs.extend(validate_generated_selector(job));
    let spec = sub(job, "spec");
    errs.extend(validate_job_spec(spec, &Path::new("spec")));
    if opt_str(spec, "completionMode") == Some("Indexed") {
        if let Some(c) = int(spec, "completions").filter(|c| *c > 0) {
            let name = str_of(meta, "name");
            let max_host = format!("{name}-{}", c - 1);
            if !names::is_dns1123_label(&max_host).is_empty() {
                errs.push(FieldError::invalid(
                    &Path::from_names(&["metadata", "name"]),
                    name,
                    &format!("will not able to create pod with invalid DNS label: {max_host}"),
                ));
            }
        }
    }
    errs
}

/// The `%#v` kubestep shows for a pod template in "field is immutable": real kube-apiserver
/// dumps the whole internal `core.PodTemplateSpec` struct (thousands of characters); kubestep
/// shows its frame.
fn go_pod_template() -> BadValue {
    BadValue::Raw(
        "core.PodTemplateSpec{ObjectMeta:v1.ObjectMeta{...}, Spec:core.PodSpec{...}}".into(),
    )
}

/// Job update: selector, template (except scheduling directives of a suspended Job that never
/// started), completion mode and completions are immutable.
pub fn validate_job_update(new: &Value, old: &Value) -> ErrorList {
    let mut errs =
        validate_object_meta_update(metadata(new), metadata(old), &Path::new("metadata"));
    let p = Path::new("spec");
    let (ns, os) = (sub(new, "spec"), sub(old, "spec"));
    errs.extend(validate_job_spec(ns, &p));
    // Completions: immutable, except for Indexed Jobs scaled together with parallelism.
    let indexed = opt_str(ns, "completionMode") == Some("Indexed");
    if !indexed {
        let shown = int(ns, "completions")
            .map(BadValue::Int)
            .unwrap_or(BadValue::Null);
        errs.extend(validate_immutable_field(
            ns.get("completions"),
            os.get("completions"),
            shown,
            &p.child("completions"),
        ));
    } else if !semantic_eq(ns.get("completions"), os.get("completions")) {
        if let Some(c) = int(ns, "completions") {
            if Some(c) != int(ns, "parallelism") {
                errs.push(FieldError::invalid(
                    &p.child("completions"),
                    c,
                    "can only be modified in tandem with spec.parallelism",
                ));
            }
        }
    }
    let sel = sub(ns, "selector");
    errs.extend(validate_immutable_field(
        ns.get("selector"),
        os.get("selector"),
        go_label_selector(sel),
        &p.child("selector"),
    ));
    let mutable_scheduling =
        boolean(ns, "suspend") == Some(true) && !has(sub(old, "status"), "startTime");
    let strip = |t: &Value| {
        let mut t = t.clone();
        if mutable_scheduling {
            if let Some(m) = t.get_mut("spec").and_then(Value::as_object_mut) {
                for f in ["nodeSelector", "tolerations", "affinity", "schedulingGates"] {
                    m.remove(f);
                }
            }
            if let Some(m) = t.get_mut("metadata").and_then(Value::as_object_mut) {
                m.remove("labels");
                m.remove("annotations");
            }
        }
        t
    };
    let (nt, ot) = (strip(sub(ns, "template")), strip(sub(os, "template")));
    errs.extend(validate_immutable_field(
        Some(&nt),
        Some(&ot),
        go_pod_template(),
        &p.child("template"),
    ));
    let mode_shown = opt_str(ns, "completionMode")
        .map(BadValue::from)
        .unwrap_or(BadValue::Null);
    errs.extend(validate_immutable_field(
        ns.get("completionMode"),
        os.get("completionMode"),
        mode_shown,
        &p.child("completionMode"),
    ));
    errs
}

/// `validateCronJobSpec`.
fn validate_cron_job_spec(spec: &Value, old: Option<&Value>, p: &Path) -> ErrorList {
    let mut errs = Vec::new();
    let schedule = str_of(spec, "schedule");
    if schedule.is_empty() {
        errs.push(FieldError::required(&p.child("schedule"), ""));
    } else {
        let allow_tz = old.is_some_and(|o| str_of(o, "schedule").contains("TZ"));
        if let Err(e) = parse_standard_cron(schedule) {
            errs.push(FieldError::invalid(&p.child("schedule"), schedule, &e));
        }
        if allow_tz && schedule.contains("TZ") && has(spec, "timeZone") {
            errs.push(FieldError::invalid(
                &p.child("schedule"),
                schedule,
                "cannot use both timeZone field and TZ or CRON_TZ in schedule",
            ));
        } else if !allow_tz && schedule.contains("TZ") {
            errs.push(FieldError::invalid(
                &p.child("schedule"),
                schedule,
                "cannot use TZ or CRON_TZ in schedule, use timeZone field instead",
            ));
        }
    }
    if let Some(s) = int(spec, "startingDeadlineSeconds") {
        errs.extend(validate_nonnegative_field(
            s,
            &p.child("startingDeadlineSeconds"),
        ));
    }
    let tz_changed = old.is_none_or(|o| o.get("timeZone") != spec.get("timeZone"));
    if tz_changed {
        if let Some(tz) = opt_str(spec, "timeZone") {
            errs.extend(validate_time_zone(tz, &p.child("timeZone")));
        }
    }
    match str_of(spec, "concurrencyPolicy") {
        "Allow" | "Forbid" | "Replace" => {}
        "" => errs.push(FieldError::required(&p.child("concurrencyPolicy"), "")),
        other => errs.push(FieldError::not_supported(
            &p.child("concurrencyPolicy"),
            other,
            &["Allow", "Forbid", "Replace"],
        )),
    }
    let jt = sub(spec, "jobTemplate");
    let jp = p.child("jobTemplate");
    let jspec = sub(jt, "spec");
    errs.extend(validate_job_spec_common(jspec, &jp.child("spec")));
    if jspec.get("selector").is_some_and(|s| !s.is_null()) {
        errs.push(FieldError::invalid(
            &jp.child("spec").child("selector"),
            go_label_selector(sub(jspec, "selector")),
            "`selector` will be auto-generated",
        ));
    }
    if boolean(jspec, "manualSelector") == Some(true) {
        errs.push(FieldError::not_supported(
            &jp.child("spec").child("manualSelector"),
            true,
            &["nil", "false"],
        ));
    }
    for f in ["successfulJobsHistoryLimit", "failedJobsHistoryLimit"] {
        if let Some(v) = int(spec, f) {
            errs.extend(validate_nonnegative_field(v, &p.child(f)));
        }
    }
    errs
}

/// `validateTimeZone` (without a time zone database: names are checked for shape only).
fn validate_time_zone(tz: &str, p: &Path) -> ErrorList {
    if tz.is_empty() {
        return vec![FieldError::invalid(
            p,
            tz,
            "timeZone must be nil or non-empty string",
        )];
    }
    for part in tz.split('/') {
        let ok_chars = !part.is_empty()
            && part
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b == b'+');
        if part == "." || part == ".." || part.starts_with('-') || !ok_chars {
            return vec![FieldError::invalid(
                p,
                tz,
                &format!("unknown time zone {tz}"),
            )];
        }
    }
    if tz.eq_ignore_ascii_case("Local") {
        return vec![FieldError::invalid(
            p,
            tz,
            "timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones",
        )];
    }
    Vec::new()
}

/// CronJob create (`ValidateCronJobCreate`).
pub fn validate_cron_job(cj: &Value) -> ErrorList {
    let meta = metadata(cj);
    let mut errs = validate_object_meta(meta, true, NameRule::DnsSubdomain, &Path::new("metadata"));
    errs.extend(validate_cron_job_spec(
        sub(cj, "spec"),
        None,
        &Path::new("spec"),
    ));
    let name = str_of(meta, "name");
    if name.len() > 52 {
        errs.push(FieldError::invalid(
            &Path::from_names(&["metadata", "name"]),
            name,
            "must be no more than 52 characters",
        ));
    }
    errs
}

/// CronJob update (the 52-character name limit is not re-checked, as in Go).
pub fn validate_cron_job_update(new: &Value, old: &Value) -> ErrorList {
    let mut errs =
        validate_object_meta_update(metadata(new), metadata(old), &Path::new("metadata"));
    errs.extend(validate_cron_job_spec(
        sub(new, "spec"),
        Some(sub(old, "spec")),
        &Path::new("spec"),
    ));
    errs
}

/// `cron.ParseStandard`: five fields or a descriptor; `Err` carries robfig/cron's error text.
pub fn parse_standard_cron(spec: &str) -> Result<(), String> {
    if spec.is_empty() {
        return Err("empty spec string".into());
    }
    let mut rest = spec;
    if rest.starts_with("TZ=") || rest.starts_with("CRON_TZ=") {
        match rest.find(' ') {
            Some(i) => rest = rest[i..].trim(),
            None => {
                let eq = rest.find('=').unwrap_or(0);
                return Err(format!(
                    "provided bad location {}: unknown time zone {}",
                    &rest[eq + 1..],
                    &rest[eq + 1..]
                ));
            }
        }
    }
    if rest.starts_with('@') {
        return match rest {
            "@yearly" | "@annually" | "@monthly" | "@weekly" | "@daily" | "@midnight"
            | "@hourly" => Ok(()),
            d if d.starts_with("@every ") => {
                let dur = &d["@every ".len()..];
                if is_go_duration(dur) {
                    Ok(())
                } else {
                    Err(format!(
                        "failed to parse duration {d}: time: invalid duration {}",
                        super::field::go_quote(dur)
                    ))
                }
            }
            d => Err(format!("unrecognized descriptor: {d}")),
        };
    }
    let fields: Vec<&str> = rest.split_whitespace().collect();
    if fields.len() != 5 {
        return Err(format!(
            "expected exactly 5 fields, found {}: [{}]",
            fields.len(),
            fields.join(" ")
        ));
    }
    const MONTHS: [&str; 12] = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    const DAYS: [&str; 7] = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];
    let bounds: [(u64, u64, &[&str], u64); 5] = [
        (0, 59, &[], 0),
        (0, 23, &[], 0),
        (1, 31, &[], 0),
        (1, 12, &MONTHS, 1),
        (0, 6, &DAYS, 0),
    ];
    for (field, (min, max, names, offset)) in fields.iter().zip(bounds) {
        for expr in field.split(',') {
            cron_range(expr, min, max, names, offset)?;
        }
    }
    Ok(())
}

fn cron_int(expr: &str, names: &[&str], offset: u64) -> Result<u64, String> {
    let lower = expr.to_lowercase();
    if let Some(i) = names.iter().position(|n| *n == lower) {
        return Ok(i as u64 + offset);
    }
    let n: i64 = go_atoi(expr).map_err(|e| format!("failed to parse int from {expr}: {e}"))?;
    if n < 0 {
        return Err(format!("negative number ({n}) not allowed: {expr}"));
    }
    Ok(n as u64)
}

/// `strconv.Atoi` with Go's error texts.
fn go_atoi(s: &str) -> Result<i64, String> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!(
            "strconv.Atoi: parsing {}: invalid syntax",
            super::field::go_quote(s)
        ));
    }
    s.parse::<i64>().map_err(|_| {
        format!(
            "strconv.Atoi: parsing {}: value out of range",
            super::field::go_quote(s)
        )
    })
}

fn cron_range(expr: &str, min: u64, max: u64, names: &[&str], offset: u64) -> Result<(), String> {
    let range_and_step: Vec<&str> = expr.split('/').collect();
    let low_high: Vec<&str> = range_and_step[0].split('-').collect();
    let single = low_high.len() == 1;
    let (start, mut end) = if low_high[0] == "*" || low_high[0] == "?" {
        (min, max)
    } else {
        let start = cron_int(low_high[0], names, offset)?;
        let end = match low_high.len() {
            1 => start,
            2 => cron_int(low_high[1], names, offset)?,
            _ => return Err(format!("too many hyphens: {expr}")),
        };
        (start, end)
    };
    let step = match range_and_step.len() {
        1 => 1,
        2 => {
            let s = cron_int(range_and_step[1], &[], 0)?;
            if single {
                end = max;
            }
            s
        }
        _ => return Err(format!("too many slashes: {expr}")),
    };
    if start < min {
        return Err(format!(
            "beginning of range ({start}) below minimum ({min}): {expr}"
        ));
    }
    if end > max {
        return Err(format!(
            "end of range ({end}) above maximum ({max}): {expr}"
        ));
    }
    if start > end {
        return Err(format!(
            "beginning of range ({start}) beyond end of range ({end}): {expr}"
        ));
    }
    if step == 0 {
        return Err(format!("step of range should be a positive number: {expr}"));
    }
    Ok(())
}

/// Go's `time.ParseDuration` grammar: `[-+]?([0-9]*(\.[0-9]*)?[a-z]+)+`, units ns us µs ms s m h.
fn is_go_duration(s: &str) -> bool {
    let s = s.strip_prefix(['+', '-']).unwrap_or(s);
    if s == "0" {
        return true;
    }
    if s.is_empty() {
        return false;
    }
    let mut rest = s;
    while !rest.is_empty() {
        let num_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let num = &rest[..num_len];
        if num.is_empty() || num == "." {
            return false;
        }
        rest = &rest[num_len..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        if !["ns", "us", "µs", "μs", "ms", "s", "m", "h"].contains(&&rest[..unit_len]) {
            return false;
        }
        rest = &rest[unit_len..];
    }
    true
}

#[cfg(test)]
mod tests {
    use super::parse_standard_cron;

    #[test]
    fn cron_errors_match_robfig_cron() {
        assert_eq!(parse_standard_cron("*/5 * * * *"), Ok(()));
        assert_eq!(parse_standard_cron("0 0 * * MON-FRI"), Ok(()));
        assert_eq!(parse_standard_cron("@hourly"), Ok(()));
        assert_eq!(parse_standard_cron("@every 1h30m"), Ok(()));
        assert_eq!(
            parse_standard_cron("* * *").unwrap_err(),
            "expected exactly 5 fields, found 3: [* * *]"
        );
        assert_eq!(
            parse_standard_cron("61 * * * *").unwrap_err(),
            "end of range (61) above maximum (59): 61"
        );
        assert_eq!(
            parse_standard_cron("x * * * *").unwrap_err(),
            "failed to parse int from x: strconv.Atoi: parsing \"x\": invalid syntax"
        );
        assert_eq!(
            parse_standard_cron("* * 0 * *").unwrap_err(),
            "beginning of range (0) below minimum (1): 0"
        );
        assert_eq!(
            parse_standard_cron("@often").unwrap_err(),
            "unrecognized descriptor: @often"
        );
    }
}
