//! The learner's journal: replaying the seed and the recorded actions at their positions
//! rebuilds the run exactly (the same trace hash, cursor, etcd contents and console), whether
//! the actions were taken at the head, behind it (forks) or past what had been computed; its
//! JSON form round-trips, and every malformed text is refused with a clear error.

mod flow_support;
use flow_support::fingerprint;
use kubestep::flow::editor::templates;
use kubestep::flow::journal::{
    page_session, reach, Journal, PageState, ParseError, Recorded, ReplayError, SessionFile,
    FORMAT_VERSION, MAX_BYTES,
};
use kubestep::flow::timeline::Timeline;

fn line(text: &str, editor: &str) -> Recorded {
    Recorded::Line {
        line: text.to_string(),
        editor: Some(editor.to_string()),
    }
}

/// A learner's session: Apply, stepping, console lines at the head and behind it, a line that
/// reads the editor, `sim advance` (an action that runs the simulation), Ctrl-C, Finish, and
/// steps past the end of what had been computed.
fn live_session(seed: u64) -> (Timeline, Journal) {
    let editor = templates::DEFAULT.yaml;
    let mut t = Timeline::new(page_session(seed));
    let mut j = Journal::new(seed);
    j.take(
        &mut t,
        Recorded::Apply {
            editor: editor.to_string(),
        },
    );
    for _ in 0..40 {
        t.step_forward();
    }
    j.take(&mut t, line("kubectl get deployments", editor));
    // Behind the head: a fork.
    for _ in 0..15 {
        t.step_back();
    }
    assert!(!t.at_end(), "seed {seed}: the cursor is behind the head");
    j.take(
        &mut t,
        line("cat editor.yaml", "# the editor's text then\n"),
    );
    j.take(&mut t, line("sim advance 10s", editor));
    j.take(&mut t, line("kubectl get pods -w", editor));
    j.take(&mut t, Recorded::Interrupt);
    // Past the end of what was computed, then an action there.
    let end = t.end();
    t.seek(end);
    for _ in 0..7 {
        assert!(t.step_forward(), "seed {seed}: the cluster has heartbeats");
    }
    j.take(
        &mut t,
        line("kubectl scale deployment web --replicas=3", editor),
    );
    j.take(&mut t, line("timeout 1 kubectl get pods -w", editor));
    if !kubestep::flow::journal::settled(t.session()) {
        j.take(&mut t, Recorded::Finish);
    }
    let back = t.position() - 3;
    t.seek(back);
    (t, j)
}

#[test]
fn a_replayed_journal_rebuilds_the_run_with_the_same_cursor_trace_hash_and_console() {
    for seed in [3, 11] {
        let (live, journal) = live_session(seed);
        let mut replayed = journal
            .replay()
            .unwrap_or_else(|e| panic!("seed {seed}: {e}"));
        assert!(reach(&mut replayed, live.position()), "seed {seed}");
        assert_eq!(replayed.position(), live.position(), "seed {seed}: cursor");
        assert_eq!(replayed.end(), live.end(), "seed {seed}: the run's end");
        assert_eq!(
            fingerprint(replayed.session()),
            fingerprint(live.session()),
            "seed {seed}: the state at the cursor"
        );
        assert_eq!(
            fingerprint(replayed.head()),
            fingerprint(live.head()),
            "seed {seed}: the state at the head"
        );
    }
}

#[test]
fn a_line_keeps_the_editor_text_only_when_it_read_editor_yaml() {
    let (_, journal) = live_session(5);
    let lines: Vec<(&str, bool)> = journal
        .entries
        .iter()
        .filter_map(|e| match &e.action {
            Recorded::Line { line, editor } => Some((line.as_str(), editor.is_some())),
            _ => None,
        })
        .collect();
    assert!(lines.contains(&("cat editor.yaml", true)));
    assert!(lines.contains(&("kubectl get deployments", false)));
    assert!(lines.iter().filter(|(_, kept)| *kept).count() == 1);
}

fn saved(seed: u64) -> (Timeline, SessionFile) {
    let (live, journal) = live_session(seed);
    let file = SessionFile {
        journal,
        page: PageState {
            cursor: live.position(),
            flow_start: 0,
            editor: "kind: Pod\n".into(),
            editor_applied: Some(0),
            typed: vec!["kubectl get pods".into(), "ls \"é\"".into()],
            speed: 12,
            pod_only: true,
        },
    };
    (live, file)
}

#[test]
fn the_json_form_round_trips_and_replays_to_the_same_cursor() {
    let (live, file) = saved(7);
    let json = file.to_json();
    assert!(json.starts_with(&format!("{{\"kubestep\":{FORMAT_VERSION},\"seed\":7,")));
    let parsed = SessionFile::parse(&json).expect("its own JSON parses");
    assert_eq!(parsed, file);
    let replayed = parsed.replay().expect("replays");
    assert_eq!(replayed.position(), live.position());
    assert_eq!(fingerprint(replayed.session()), fingerprint(live.session()));
}

/// What a refusal must be.
type Expect = fn(&ParseError) -> bool;

#[test]
fn malformed_sessions_are_refused_with_what_is_wrong() {
    let (_, file) = saved(2);
    let good: serde_json::Value = serde_json::from_str(&file.to_json()).unwrap();
    let with = |f: &dyn Fn(&mut serde_json::Value)| {
        let mut v = good.clone();
        f(&mut v);
        v.to_string()
    };
    let cases: Vec<(&str, String, Expect)> = vec![
        ("empty", String::new(), |e| {
            matches!(e, ParseError::NotJson(_))
        }),
        ("not JSON", "kubestep session".into(), |e| {
            matches!(e, ParseError::NotJson(_))
        }),
        ("truncated", file.to_json()[..40].to_string(), |e| {
            matches!(e, ParseError::NotJson(_))
        }),
        ("a list", "[1,2]".into(), |e| *e == ParseError::NotKubestep),
        (
            "another program's JSON",
            r#"{"name":"x","version":1}"#.into(),
            |e| *e == ParseError::NotKubestep,
        ),
        (
            "a newer version",
            with(&|v| v["kubestep"] = 2.into()),
            |e| *e == ParseError::Newer { version: 2 },
        ),
        ("version 0", with(&|v| v["kubestep"] = 0.into()), |e| {
            *e == ParseError::BadVersion
        }),
        (
            "version as text",
            with(&|v| v["kubestep"] = "1".into()),
            |e| *e == ParseError::BadVersion,
        ),
        (
            "an unknown action",
            with(&|v| v["entries"][2]["action"]["kind"] = "format_disk".into()),
            |e| matches!(e, ParseError::BadEntry { index: 2, reason } if reason.contains("format_disk")),
        ),
        (
            "an entry without a position",
            with(&|v| {
                v["entries"][0].as_object_mut().unwrap().remove("at");
            }),
            |e| matches!(e, ParseError::BadEntry { index: 0, reason } if reason.contains("`at`")),
        ),
        (
            "a negative position",
            with(&|v| v["entries"][1]["at"] = (-4).into()),
            |e| matches!(e, ParseError::BadEntry { index: 1, .. }),
        ),
        (
            "an entry with an unknown field",
            with(&|v| v["entries"][0]["by"] = "mallory".into()),
            |e| matches!(e, ParseError::BadEntry { index: 0, .. }),
        ),
        (
            "entries not a list",
            with(&|v| v["entries"] = 3.into()),
            |e| matches!(e, ParseError::Bad(_)),
        ),
        (
            "no page",
            with(&|v| {
                v.as_object_mut().unwrap().remove("page");
            }),
            |e| matches!(e, ParseError::Bad(m) if m.contains("`page`")),
        ),
        (
            "an unknown top-level field",
            with(&|v| v["x"] = 1.into()),
            |e| matches!(e, ParseError::Bad(_)),
        ),
        ("a seed as text", with(&|v| v["seed"] = "7".into()), |e| {
            matches!(e, ParseError::Bad(_))
        }),
        (
            "speed 0",
            with(&|v| v["page"]["speed"] = 0.into()),
            |e| matches!(e, ParseError::Bad(m) if m.contains("speed")),
        ),
        ("too large", " ".repeat(MAX_BYTES + 1), |e| {
            matches!(e, ParseError::TooLarge { .. })
        }),
        ("deeply nested", "[".repeat(100_000), |e| {
            matches!(e, ParseError::NotJson(_))
        }),
    ];
    for (what, text, expected) in cases {
        match SessionFile::parse(&text) {
            Ok(_) => panic!("{what}: accepted"),
            Err(e) => {
                assert!(expected(&e), "{what}: refused as {e:?}");
                assert!(!e.to_string().is_empty());
            }
        }
    }
}

#[test]
fn a_forged_position_is_refused_by_the_replay_not_a_panic() {
    let (_, file) = saved(4);
    let start = Timeline::new(page_session(4)).start();
    let mut before_start = file.clone();
    before_start.journal.entries[0].at = start - 1;
    assert_eq!(
        before_start.replay().err(),
        Some(ReplayError::Unreachable {
            entry: 0,
            at: start - 1
        })
    );
    let mut far = file.clone();
    far.page.cursor = u64::MAX;
    assert_eq!(
        far.replay().err(),
        Some(ReplayError::Cursor { at: u64::MAX })
    );
}
