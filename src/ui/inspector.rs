//! The etcd inspector panel: the key tree with counts, the chosen key's revisions, value and a
//! diff between two of them, the leases counting down on the simulation's clock at the cursor,
//! the node heartbeats, and the watches lit when the write at the cursor fans out to them. It
//! only renders `flow::inspector::etcd`; its buttons are console lines (traced inputs).

use std::collections::BTreeSet;

use web_sys::HtmlSelectElement;
use yew::prelude::*;

use super::state::{Action, SimRef};
use crate::flow::inspector::etcd::{
    self as model, diff_revisions, fold, key_details, DiffLine, DiffPiece, Folder, Inspector,
    KeyDetails,
};

#[derive(Properties, PartialEq)]
pub struct Props {
    pub sim: SimRef,
    pub dispatch: Callback<Action>,
}

/// The console line of the Compact button: kube-apiserver compacts etcd to its revision.
pub const COMPACT_LINE: &str = "sim compact";
/// The console line of the Save snapshot button.
pub const SNAPSHOT_SAVE_LINE: &str = "ETCDCTL_API=3 etcdctl snapshot save snap.db";

/// What the learner chose in the panel (not simulation state: it survives stepping).
#[derive(Clone, PartialEq, Default)]
struct Choice {
    /// The folders open, by path.
    open: BTreeSet<String>,
    /// The key shown in the details.
    key: Option<String>,
    /// The revision whose value is shown (None: the latest).
    viewed: Option<i64>,
    /// The revisions diffed (None: the previous and the latest).
    diff: (Option<i64>, Option<i64>),
}

fn lease_text(lease: i64) -> String {
    if lease == 0 {
        "none".to_string()
    } else {
        format!("{lease:x}")
    }
}

fn seconds(ms: i64) -> String {
    let sign = if ms < 0 { "-" } else { "" };
    let ms = ms.abs();
    format!("{sign}{}.{:01}s", ms / 1000, ms % 1000 / 100)
}

struct TreeCtx<'a> {
    choice: &'a Choice,
    written: &'a [String],
    toggle: Callback<String>,
    select: Callback<String>,
}

fn folder_html(f: &Folder, cx: &TreeCtx) -> Html {
    let open = cx.choice.open.contains(&f.path);
    let toggle = {
        let t = cx.toggle.clone();
        let p = f.path.clone();
        Callback::from(move |_: MouseEvent| t.emit(p.clone()))
    };
    let has_write = cx.written.iter().any(|k| k.starts_with(&f.path));
    let label = if f.path == "/" {
        "/".to_string()
    } else {
        format!("{}/", f.name)
    };
    html! {
        <li class="ins-folder" data-path={f.path.clone()}>
            <button type="button" class={classes!("ins-toggle", has_write.then_some("written"))}
                aria-expanded={open.to_string()} onclick={toggle}
                data-testid={format!("inspector-folder-{}", f.path)}>
                <span class="ins-caret" aria-hidden="true">{ if open { "▾" } else { "▸" } }</span>
                <span class="ins-name">{label}</span>
                <span class="ins-count" aria-label={format!("{} keys", f.count)}>{f.count}</span>
            </button>
            if open {
                <ul>
                    { for f.folders.iter().map(|c| folder_html(c, cx)) }
                    { for f.keys.iter().map(|leaf| {
                        let selected = cx.choice.key.as_deref() == Some(leaf.key.as_str());
                        let written = cx.written.contains(&leaf.key);
                        let select = {
                            let s = cx.select.clone();
                            let k = leaf.key.clone();
                            Callback::from(move |_: MouseEvent| s.emit(k.clone()))
                        };
                        html! {
                            <li class="ins-key">
                                <button type="button" onclick={select}
                                    class={classes!("ins-leaf", selected.then_some("selected"), written.then_some("written"))}
                                    aria-pressed={selected.to_string()}
                                    data-testid={format!("inspector-key-{}", leaf.key)}>
                                    <span class="ins-name">{&leaf.name}</span>
                                    <span class="ins-rev" title="mod_revision">{leaf.mod_revision}</span>
                                </button>
                            </li>
                        }
                    }) }
                </ul>
            }
        </li>
    }
}

/// Unchanged lines kept around each change.
const DIFF_CONTEXT: usize = 3;

fn diff_html(lines: &[DiffLine]) -> Html {
    if lines.iter().all(|l| matches!(l, DiffLine::Same(_))) {
        return html! {
            <p class="muted" data-testid="inspector-diff">{"The two values are the same."}</p>
        };
    }
    html! {
        <pre class="ins-diff" data-testid="inspector-diff" tabindex="0" aria-label="Diff">
            { for fold(lines, DIFF_CONTEXT).into_iter().map(|p| {
                let (class, text) = match p {
                    DiffPiece::Folded(n) => ("folded", format!("  … {n} unchanged line{}\n", if n == 1 { "" } else { "s" })),
                    DiffPiece::Line(DiffLine::Same(t)) => ("same", format!("  {t}\n")),
                    DiffPiece::Line(DiffLine::Removed(t)) => ("removed", format!("- {t}\n")),
                    DiffPiece::Line(DiffLine::Added(t)) => ("added", format!("+ {t}\n")),
                };
                html! { <span class={classes!("ins-line", class)} data-diff={class}>{text}</span> }
            }) }
        </pre>
    }
}

fn details_html(d: &KeyDetails, choice: &Choice, set: &UseStateHandle<Choice>) -> Html {
    let latest = d.current.mod_revision;
    let viewed = choice
        .viewed
        .and_then(|r| d.at(r))
        .unwrap_or(&d.current)
        .clone();
    let revs: Vec<i64> = d.history.iter().map(|v| v.mod_revision).collect();
    let default_from = revs.len().checked_sub(2).map(|i| revs[i]).unwrap_or(latest);
    let from = choice
        .diff
        .0
        .filter(|r| revs.contains(r))
        .unwrap_or(default_from);
    let to = choice.diff.1.filter(|r| revs.contains(r)).unwrap_or(latest);
    let pick = |which: usize| {
        let set = set.clone();
        Callback::from(move |e: Event| {
            let Some(el) = e.target_dyn_into::<HtmlSelectElement>() else {
                return;
            };
            let Ok(rev) = el.value().parse::<i64>() else {
                return;
            };
            let mut c = (*set).clone();
            if which == 0 {
                c.diff.0 = Some(rev);
            } else {
                c.diff.1 = Some(rev);
            }
            set.set(c);
        })
    };
    let options = |selected: i64| {
        revs.iter()
            .map(|r| {
                html! {
                    <option value={r.to_string()} selected={*r == selected}>{format!("revision {r}")}</option>
                }
            })
            .collect::<Html>()
    };
    html! {
        <div class="ins-details" data-testid="inspector-details">
            <h3 class="ins-key-name" data-testid="inspector-key">{&d.key}</h3>
            <dl class="ins-meta">
                <div><dt>{"create_revision"}</dt><dd data-testid="inspector-create-revision">{d.current.create_revision}</dd></div>
                <div><dt>{"mod_revision"}</dt><dd data-testid="inspector-mod-revision">{d.current.mod_revision}</dd></div>
                <div><dt>{"version"}</dt><dd data-testid="inspector-version">{d.current.version}</dd></div>
                <div><dt>{"lease"}</dt><dd data-testid="inspector-lease">{lease_text(d.current.lease)}</dd></div>
            </dl>
            if d.current.deleted {
                <p class="ins-note" data-testid="inspector-deleted">{format!("Deleted at revision {latest}: etcd holds a tombstone until a compaction removes it.")}</p>
            }
            <h4>{"History"}<span class="ins-sub">{ if d.compact_revision > 0 { format!(" · compacted at {}: older revisions are gone", d.compact_revision) } else { String::new() } }</span></h4>
            <ol class="ins-history" data-testid="inspector-history">
                { for d.history.iter().map(|v| {
                    let r = v.mod_revision;
                    let shown = r == viewed.mod_revision;
                    let onclick = {
                        let set = set.clone();
                        Callback::from(move |_: MouseEvent| {
                            let mut c = (*set).clone();
                            c.viewed = Some(r);
                            set.set(c);
                        })
                    };
                    html! {
                        <li>
                            <button type="button" {onclick} aria-pressed={shown.to_string()}
                                class={classes!(shown.then_some("selected"))} data-testid="inspector-history-revision"
                                data-revision={r.to_string()}>
                                { if v.deleted { format!("rev {r} · deleted") } else { format!("rev {r} · version {}", v.version) } }
                            </button>
                        </li>
                    }
                }) }
            </ol>
            <h4>{format!("Value at revision {}", viewed.mod_revision)}</h4>
            <pre class="ins-value" data-testid="inspector-value" tabindex="0">{ if viewed.deleted { "(deleted)".to_string() } else { viewed.value.clone() } }</pre>
            <p class="ins-note">{"kube-apiserver stores built-in kinds as protobuf; kubestep stores JSON, shown here pretty-printed. resourceVersion is not stored: it is the key's mod_revision."}</p>
            <h4>{"Diff"}</h4>
            if revs.len() < 2 {
                <p class="muted" data-testid="inspector-diff-none">{"etcd holds one revision of this key: nothing to compare yet."}</p>
            } else {
                <div class="ins-diff-pick">
                    <label>{"from "}<select data-testid="inspector-diff-from" onchange={pick(0)}>{options(from)}</select></label>
                    <label>{"to "}<select data-testid="inspector-diff-to" onchange={pick(1)}>{options(to)}</select></label>
                </div>
                { diff_revisions(d, from, to).map(|l| diff_html(&l)).unwrap_or_default() }
            }
        </div>
    }
}

fn leases_html(i: &Inspector) -> Html {
    html! {
        <div class="ins-leases">
            <h3>{"Leases"}<span class="count">{i.leases.len()}</span></h3>
            if i.leases.is_empty() {
                <p class="muted">{"No etcd leases at the cursor."}</p>
            }
            <ul data-testid="inspector-leases">
                { for i.leases.iter().map(|l| html! {
                    <li class="ins-lease" data-testid="inspector-lease-row" data-lease={l.id_hex.clone()}>
                        <code>{&l.id_hex}</code>
                        <span class="ins-ttl" data-testid="lease-ttl" aria-label={format!("{} seconds left of {}", l.remaining_ttl, l.granted_ttl)}>
                            {format!("{}s", l.remaining_ttl)}<span class="muted">{format!(" / {}s", l.granted_ttl)}</span>
                        </span>
                        <meter min="0" max={l.granted_ttl.to_string()} value={l.remaining_ttl.to_string()} aria-hidden="true"></meter>
                        <details>
                            <summary>{format!("{} keys", l.keys.len())}</summary>
                            <ul class="ins-lease-keys">{ for l.keys.iter().map(|k| html!{ <li><code>{k}</code></li> }) }</ul>
                        </details>
                    </li>
                }) }
            </ul>
            <h3>{"Node heartbeats"}<span class="count">{i.heartbeats.len()}</span></h3>
            <p class="ins-note">{"Each kubelet renews a coordination.k8s.io Lease object: an ordinary key, not an etcd lease."}</p>
            <ul data-testid="inspector-heartbeats">
                { for i.heartbeats.iter().map(|h| html! {
                    <li class="ins-heartbeat" data-testid="inspector-heartbeat" data-node={h.node.clone()}>
                        <span class="ins-node">{&h.node}</span>
                        <span class="muted">{format!(" renewed {} ago · ", seconds(h.since_renew_ms))}</span>
                        <span class="ins-ttl" data-testid="heartbeat-ttl">{format!("{} left of {}s", seconds(h.remaining_ms), h.lease_duration_seconds)}</span>
                    </li>
                }) }
            </ul>
        </div>
    }
}

fn watches_html(i: &Inspector) -> Html {
    let lit = i.watches.iter().filter(|w| w.lit).count();
    html! {
        <div class="ins-watches">
            <h3>{"Watches"}<span class="count">{i.watches.len()}</span></h3>
            <p class="ins-fanout" data-testid="inspector-fanout" aria-live="polite">
                { match &i.write {
                    Some(w) => format!("The write at revision {} ({}) fans out to {lit} watch{}.",
                        w.revision, w.keys.join(", "), if lit == 1 { "" } else { "es" }),
                    None => "The message at the cursor is not an etcd write.".to_string(),
                } }
            </p>
            <ul data-testid="inspector-watches">
                { for i.watches.iter().map(|w| html! {
                    <li class={classes!("ins-watch", w.lit.then_some("lit"))} data-testid="inspector-watch"
                        data-lit={w.lit.to_string()}>
                        if w.lit { <span class="ins-lit-mark" aria-label="receives this write">{"●"}</span> }
                        <span class="ins-watcher">{format!("{} #{}", w.watcher, w.watch_id)}</span>
                        <code class="ins-range">{&w.range}</code>
                        <span class="muted">{ if w.start_revision == 0 { "from the next write".to_string() } else { format!("from revision {}", w.start_revision) } }</span>
                    </li>
                }) }
            </ul>
        </div>
    }
}

#[function_component(InspectorPanel)]
pub fn inspector_panel(props: &Props) -> Html {
    let choice = use_state(|| Choice {
        open: ["/".to_string(), "/registry/".to_string()].into(),
        ..Choice::default()
    });
    let sim = props.sim.sim();
    let Some(inspector) = Inspector::at(&sim) else {
        return html! {};
    };
    let toggle = {
        let choice = choice.clone();
        Callback::from(move |path: String| {
            let mut c = (*choice).clone();
            if !c.open.remove(&path) {
                c.open.insert(path);
            }
            choice.set(c);
        })
    };
    let select = {
        let choice = choice.clone();
        Callback::from(move |key: String| {
            let mut c = (*choice).clone();
            c.key = Some(key);
            c.viewed = None;
            c.diff = (None, None);
            choice.set(c);
        })
    };
    let written = inspector
        .write
        .as_ref()
        .map(|w| w.keys.clone())
        .unwrap_or_default();
    let cx = TreeCtx {
        choice: &choice,
        written: &written,
        toggle,
        select,
    };
    let details =
        choice.key.as_ref().map(
            |k| match model::etcd(&sim).and_then(|e| key_details(e, k)) {
                Some(d) => details_html(&d, &choice, &choice),
                None => html! {
                    <p class="muted" data-testid="inspector-details">
                        {format!("etcd holds no revision of {k} at the cursor.")}
                    </p>
                },
            },
        );
    let console = |line: &'static str| {
        let d = props.dispatch.clone();
        Callback::from(move |_: MouseEvent| d.emit(Action::Console(line.to_string())))
    };
    html! {
        <section class="panel inspector" aria-labelledby="inspector-title" data-testid="inspector">
            <header class="ins-head">
                <h2 id="inspector-title">{"etcd inspector"}</h2>
                <p class="ins-stats">
                    <span>{"revision "}<strong data-testid="inspector-revision">{inspector.revision}</strong></span>
                    <span>{"compacted at "}<strong data-testid="inspector-compacted">{
                        if inspector.compact_revision > 0 { inspector.compact_revision.to_string() } else { "never".to_string() }
                    }</strong></span>
                    <span>{"keys "}<strong>{inspector.key_count}</strong></span>
                </p>
                <div class="ins-actions">
                    <button type="button" onclick={console(COMPACT_LINE)} data-testid="inspector-compact"
                        title={format!("Runs `{COMPACT_LINE}` in the console: kube-apiserver compacts etcd to its current revision")}>{"Compact"}</button>
                    <button type="button" onclick={console(SNAPSHOT_SAVE_LINE)} data-testid="inspector-snapshot-save"
                        title={format!("Runs `{SNAPSHOT_SAVE_LINE}` in the console")}>{"Save snapshot"}</button>
                    <button type="button" disabled=true data-testid="inspector-snapshot-restore"
                        aria-describedby="inspector-restore-why">{"Restore snapshot"}</button>
                </div>
            </header>
            <p id="inspector-restore-why" class="ins-note">
                {"Restore is not available: "}<code>{"etcdctl snapshot restore"}</code>
                {" writes a new data directory that a stopped etcd member is then started on, and kubestep does not model restarting etcd from one."}
            </p>
            <div class="ins-grid">
                <nav class="ins-tree" aria-label="etcd keys" data-testid="inspector-tree">
                    <ul>{ folder_html(&inspector.tree, &cx) }</ul>
                </nav>
                <div class="ins-main">
                    { details.unwrap_or_else(|| html! {
                        <p class="muted ins-hint">{"Choose a key in the tree to see its revisions, value and history."}</p>
                    }) }
                </div>
                <div class="ins-side">
                    { leases_html(&inspector) }
                    { watches_html(&inspector) }
                </div>
            </div>
        </section>
    }
}
