//! Describers of batch/v1: Job and CronJob.

use serde_json::Value;

use super::pod::describe_pod_template;
use super::{
    arr, controlled_by, describe_events, int_of, label_selector_string,
    print_annotations_multiline, print_labels_multiline, rfc1123z, str_of, time_ms, Ctx,
    PrefixWriter, LEVEL_0,
};
use crate::apiserver::printers::human_duration;
use crate::kubectl::io::Res;

/// `JobDescriber`.
pub fn describe_job(cx: &mut Ctx<'_, '_, '_>, path: &str) -> Res<String> {
    let job = cx.get(path)?;
    let events = cx.events_of(&job)?;
    let now = cx.now_ms();
    let mut w = PrefixWriter::new();
    let meta = &job["metadata"];
    let spec = &job["spec"];
    let status = &job["status"];
    w.write(LEVEL_0, &format!("Name:\t{}\n", str_of(&meta["name"])));
    w.write(
        LEVEL_0,
        &format!("Namespace:\t{}\n", str_of(&meta["namespace"])),
    );
    w.write(
        LEVEL_0,
        &format!("Selector:\t{}\n", label_selector_string(&spec["selector"])),
    );
    print_labels_multiline(&mut w, "Labels", &meta["labels"]);
    print_annotations_multiline(&mut w, "Annotations", &meta["annotations"]);
    if let Some(c) = controlled_by(&job) {
        w.write(LEVEL_0, &format!("Controlled By:\t{c}\n"));
    }
    if let Some(p) = spec["parallelism"].as_i64() {
        w.write(LEVEL_0, &format!("Parallelism:\t{p}\n"));
    }
    match spec["completions"].as_i64() {
        Some(c) => w.write(LEVEL_0, &format!("Completions:\t{c}\n")),
        None => w.write(LEVEL_0, "Completions:\t<unset>\n"),
    }
    if let Some(m) = spec["completionMode"].as_str() {
        w.write(LEVEL_0, &format!("Completion Mode:\t{m}\n"));
    }
    if let Some(s) = spec["suspend"].as_bool() {
        w.write(LEVEL_0, &format!("Suspend:\t{s}\n"));
    }
    if let Some(b) = spec["backoffLimit"].as_i64() {
        w.write(LEVEL_0, &format!("Backoff Limit:\t{b}\n"));
    }
    if let Some(t) = spec["ttlSecondsAfterFinished"].as_i64() {
        w.write(LEVEL_0, &format!("TTL Seconds After Finished:\t{t}\n"));
    }
    if status["startTime"].is_string() {
        w.write(
            LEVEL_0,
            &format!("Start Time:\t{}\n", rfc1123z(&status["startTime"])),
        );
    }
    if status["completionTime"].is_string() {
        w.write(
            LEVEL_0,
            &format!("Completed At:\t{}\n", rfc1123z(&status["completionTime"])),
        );
    }
    if let (Some(start), Some(end)) = (
        status["startTime"].as_str().and_then(time_ms),
        status["completionTime"].as_str().and_then(time_ms),
    ) {
        w.write(
            LEVEL_0,
            &format!("Duration:\t{}\n", human_duration((end - start) / 1000)),
        );
    }
    if let Some(a) = spec["activeDeadlineSeconds"].as_i64() {
        w.write(LEVEL_0, &format!("Active Deadline Seconds:\t{a}s\n"));
    }
    let (active, succeeded, failed) = (
        int_of(&status["active"]),
        int_of(&status["succeeded"]),
        int_of(&status["failed"]),
    );
    match status["ready"].as_i64() {
        None => w.write(
            LEVEL_0,
            &format!("Pods Statuses:\t{active} Active / {succeeded} Succeeded / {failed} Failed\n"),
        ),
        Some(ready) => w.write(
            LEVEL_0,
            &format!(
                "Pods Statuses:\t{active} Active ({ready} Ready) / {succeeded} Succeeded / {failed} Failed\n"
            ),
        ),
    }
    if str_of(&spec["completionMode"]) == "Indexed" {
        w.write(
            LEVEL_0,
            &format!(
                "Completed Indexes:\t{}\n",
                cap_indexes(str_of(&status["completedIndexes"]), 50)
            ),
        );
    }
    describe_pod_template(&mut w, &spec["template"]);
    if let Some(events) = events {
        describe_events(&mut w, &events, now);
    }
    Ok(w.finish())
}

/// `capIndexesListOrNone`: the list up to the first comma after `soft_limit` bytes.
fn cap_indexes(indexes: &str, soft_limit: usize) -> String {
    if indexes.is_empty() {
        return "<none>".to_string();
    }
    let bytes = indexes.as_bytes();
    let mut ix = soft_limit;
    while ix < bytes.len() && bytes[ix] != b',' {
        ix += 1;
    }
    if ix >= bytes.len() {
        return indexes.to_string();
    }
    format!("{}...", &indexes[..=ix])
}

/// `CronJobDescriber`.
pub fn describe_cronjob(cx: &mut Ctx<'_, '_, '_>, path: &str) -> Res<String> {
    let cj = cx.get(path)?;
    let events = cx.events_of(&cj)?;
    let now = cx.now_ms();
    let mut w = PrefixWriter::new();
    let meta = &cj["metadata"];
    let spec = &cj["spec"];
    w.write(LEVEL_0, &format!("Name:\t{}\n", str_of(&meta["name"])));
    w.write(
        LEVEL_0,
        &format!("Namespace:\t{}\n", str_of(&meta["namespace"])),
    );
    print_labels_multiline(&mut w, "Labels", &meta["labels"]);
    print_annotations_multiline(&mut w, "Annotations", &meta["annotations"]);
    w.write(
        LEVEL_0,
        &format!("Schedule:\t{}\n", str_of(&spec["schedule"])),
    );
    w.write(
        LEVEL_0,
        &format!(
            "Concurrency Policy:\t{}\n",
            str_of(&spec["concurrencyPolicy"])
        ),
    );
    let suspend = match spec["suspend"].as_bool() {
        Some(b) => super::print_bool(b),
        None => "<unset>",
    };
    w.write(LEVEL_0, &format!("Suspend:\t{suspend}\n"));
    for (title, key) in [
        ("Successful Job History Limit", "successfulJobsHistoryLimit"),
        ("Failed Job History Limit", "failedJobsHistoryLimit"),
    ] {
        match spec[key].as_i64() {
            Some(n) => w.write(LEVEL_0, &format!("{title}:\t{n}\n")),
            None => w.write(LEVEL_0, &format!("{title}:\t<unset>\n")),
        }
    }
    match spec["startingDeadlineSeconds"].as_i64() {
        Some(n) => w.write(LEVEL_0, &format!("Starting Deadline Seconds:\t{n}s\n")),
        None => w.write(LEVEL_0, "Starting Deadline Seconds:\t<unset>\n"),
    }
    describe_job_template(&mut w, &spec["jobTemplate"]);
    let last = &cj["status"]["lastScheduleTime"];
    if last.is_string() {
        w.write(
            LEVEL_0,
            &format!("Last Schedule Time:\t{}\n", rfc1123z(last)),
        );
    } else {
        w.write(LEVEL_0, "Last Schedule Time:\t<unset>\n");
    }
    w.write(LEVEL_0, "Active Jobs:\t");
    let active = arr(&cj["status"]["active"]);
    if active.is_empty() {
        w.write_line("<none>");
    } else {
        for (i, j) in active.iter().enumerate() {
            if i != 0 {
                w.write(LEVEL_0, ", ");
            }
            w.write(LEVEL_0, str_of(&j["name"]));
        }
        w.write_line("");
    }
    if let Some(events) = events {
        describe_events(&mut w, &events, now);
    }
    Ok(w.finish())
}

/// `describeJobTemplate`.
fn describe_job_template(w: &mut PrefixWriter, template: &Value) {
    let spec = &template["spec"];
    if spec["selector"].is_object() {
        w.write(
            LEVEL_0,
            &format!("Selector:\t{}\n", label_selector_string(&spec["selector"])),
        );
    } else {
        w.write(LEVEL_0, "Selector:\t<unset>\n");
    }
    for (title, key) in [
        ("Parallelism", "parallelism"),
        ("Completions", "completions"),
    ] {
        match spec[key].as_i64() {
            Some(n) => w.write(LEVEL_0, &format!("{title}:\t{n}\n")),
            None => w.write(LEVEL_0, &format!("{title}:\t<unset>\n")),
        }
    }
    if let Some(a) = spec["activeDeadlineSeconds"].as_i64() {
        w.write(LEVEL_0, &format!("Active Deadline Seconds:\t{a}s\n"));
    }
    describe_pod_template(w, &spec["template"]);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn completed_indexes_are_capped_after_the_soft_limit() {
        assert_eq!(cap_indexes("", 50), "<none>");
        assert_eq!(cap_indexes("1,3-5", 50), "1,3-5");
        assert_eq!(cap_indexes("1,2,3,4", 2), "1,2,...");
    }
}
