//! The page's layout: top bar, cluster diagram, kernel panel with the trace, and the console.

use yew::prelude::*;

use super::console::Console;
use super::diagram::Diagram;
use super::editor::Editor;
use super::kernel_panel::KernelPanel;
use super::state::{Action, AppState};
use super::trace_list::TraceList;

/// The seed from the page URL (`?seed=42`), or 1.
fn seed_from_url() -> u64 {
    let search = web_sys::window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default();
    search
        .trim_start_matches('?')
        .split('&')
        .find_map(|kv| kv.strip_prefix("seed="))
        .and_then(|v| v.parse().ok())
        .unwrap_or(1)
}

#[function_component(App)]
pub fn app() -> Html {
    let state = use_reducer(|| AppState::new(seed_from_url()));
    let dispatch = {
        let state = state.clone();
        Callback::from(move |a: Action| state.dispatch(a))
    };
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
            </header>
            <main class="workspace with-editor">
                <Editor text={state.editor.clone()} diagnostics={server_diagnostics} dispatch={dispatch.clone()} />
                <section class="stage" aria-label="Cluster">
                    <Diagram sim={sim.clone()} />
                </section>
                <aside class="side" aria-label="Simulation">
                    <KernelPanel sim={sim.clone()} dispatch={dispatch.clone()} outcome={state.last_outcome} />
                    <TraceList sim={sim.clone()} />
                </aside>
            </main>
            <Console sim={sim} draft={state.draft.clone()} dispatch={dispatch} />
        </div>
    }
}
