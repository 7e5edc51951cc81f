//! The page's layout: top bar; the flow view (tracker, diagram, playback) beside the
//! simulation panel and the trace; the console below, and the etcd inspector under it. Also
//! the page-wide keyboard shortcuts and the playback timer, which only dispatch actions.

use gloo::events::{EventListener, EventListenerOptions};
use gloo::timers::callback::Interval;
use wasm_bindgen::JsCast;
use yew::prelude::*;

use super::console::Console;
use super::context_switch::ContextSwitch;
use super::diagram::Diagram;
use super::editor::Editor;
use super::inspector::InspectorPanel;
use super::kernel_panel::KernelPanel;
use super::narration::NarrationPanel;
use super::persist::{self, SessionMenu};
use super::playback::Playback;
use super::state::Action;
use super::trace_list::TraceList;
use super::tracker::Tracker;

/// The seed the page URL asks for (`?seed=42`), if any.
fn seed_from_url() -> Option<u64> {
    let search = web_sys::window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default();
    search
        .trim_start_matches('?')
        .split('&')
        .find_map(|kv| kv.strip_prefix("seed="))
        .and_then(|v| v.parse().ok())
}

/// Whether a key press belongs to a text field (the editor, the prompt), not to the page.
fn typing_in_field(e: &web_sys::KeyboardEvent) -> bool {
    e.target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .is_some_and(|el| {
            matches!(el.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT")
                || el.closest("[contenteditable]").ok().flatten().is_some()
        })
}

#[function_component(App)]
pub fn app() -> Html {
    // The session: a permalink's, the stored one, or a fresh cluster (see ui/persist.rs).
    let linked = use_mut_ref(|| None);
    let state = {
        let linked = linked.clone();
        use_reducer(move || {
            let (state, opened_from_link) = persist::boot(seed_from_url());
            *linked.borrow_mut() = opened_from_link;
            state
        })
    };
    persist::use_persistence(state.clone(), linked.borrow_mut().take());
    let dispatch = {
        let state = state.clone();
        Callback::from(move |a: Action| state.dispatch(a))
    };
    // Keyboard: ← → step, space plays or pauses, Home/End jump; not while typing in a field.
    {
        let dispatch = dispatch.clone();
        use_effect_with((), move |_| {
            let document = web_sys::window().and_then(|w| w.document());
            let listener = document.map(|doc| {
                let options = EventListenerOptions::enable_prevent_default();
                EventListener::new_with_options(&doc, "keydown", options, move |e| {
                    let Some(e) = e.dyn_ref::<web_sys::KeyboardEvent>() else {
                        return;
                    };
                    if typing_in_field(e) || e.ctrl_key() || e.meta_key() || e.alt_key() {
                        return;
                    }
                    let action = match e.key().as_str() {
                        "ArrowRight" => Action::Step,
                        "ArrowLeft" => Action::StepBack,
                        " " => Action::TogglePlay,
                        "Home" => Action::Home,
                        "End" => Action::End,
                        _ => return,
                    };
                    e.prevent_default();
                    dispatch.emit(action);
                })
            });
            move || drop(listener)
        });
    }
    // Playback: one message per tick while playing.
    {
        let dispatch = dispatch.clone();
        use_effect_with((state.playing, state.speed), move |(playing, speed)| {
            let interval = playing.then(|| {
                let ms = (1000 / (*speed).max(1)).max(16);
                Interval::new(ms, move || dispatch.emit(Action::Tick))
            });
            move || drop(interval)
        });
    }
    let sim = state.sim_ref();
    // The API server's errors of the editor's last Apply, at their fields' lines.
    let server_diagnostics = state
        .last_apply_output()
        .map(|out| crate::flow::editor::field_lines::server_diagnostics(&out, &state.editor))
        .unwrap_or_default();
    html! {
        <div class="app">
            <header class="topbar">
                <div class="brand">
                    <span class="logo" aria-hidden="true">
                        <svg viewBox="0 0 64 64" width="28" height="28"><rect width="64" height="64" rx="14" fill="currentColor"/><path d="M14 42h10v-8h10v-8h10v-8h6" fill="none" stroke="#fff" stroke-width="6" stroke-linecap="round" stroke-linejoin="round"/></svg>
                    </span>
                    <h1>{"kubestep"}</h1>
                    <p class="tagline">{"Watch a Kubernetes control plane work, one request at a time"}</p>
                </div>
                <div class="topbar-actions">
                <SessionMenu state={state.clone()} />
                <ContextSwitch sim={sim.clone()} dispatch={dispatch.clone()} />
                <button type="button" class="restart" onclick={{
                    let d = dispatch.clone();
                    Callback::from(move |_: MouseEvent| d.emit(Action::Restart))
                }} title="A fresh cluster with the same seed">{"Restart"}</button>
                </div>
            </header>
            if let Some(text) = state.notice.clone() {
                <div class="session-notice" role="status" data-testid="session-notice">
                    <span>{text}</span>
                    <button type="button" onclick={{
                        let d = dispatch.clone();
                        Callback::from(move |_: MouseEvent| d.emit(Action::Notice(None)))
                    }}>{"Dismiss"}</button>
                </div>
            }
            <main class="flow-grid">
                <Editor text={state.editor.clone()} diagnostics={server_diagnostics} dispatch={dispatch.clone()} />
                <Tracker sim={sim.clone()} flow_start={state.flow_start} dispatch={dispatch.clone()} />
                <section class="stage" aria-label="Pod creation flow">
                    <Diagram sim={sim.clone()} />
                    <Playback sim={sim.clone()} playing={state.playing} speed={state.speed}
                        pod_only={state.pod_only} dispatch={dispatch.clone()} />
                </section>
                <aside class="side narration-column" aria-label="What just happened">
                    <NarrationPanel sim={sim.clone()} />
                </aside>
            </main>
            <div class="lower-grid">
                <Console sim={sim.clone()} draft={state.draft.clone()} dispatch={dispatch.clone()} />
                <aside class="side" aria-label="Simulation">
                    <KernelPanel sim={sim.clone()} />
                    <TraceList sim={sim.clone()} pod_only={state.pod_only} dispatch={dispatch.clone()} />
                </aside>
                <InspectorPanel sim={sim} dispatch={dispatch} />
            </div>
        </div>
    }
}
