//! The console: type a command, see exactly what the real tool would print. The lines run in
//! the console session (`console::Session`), the same engine as `kubestep console`.

use web_sys::{HtmlInputElement, HtmlTextAreaElement};
use yew::prelude::*;

use super::state::{Action, SimRef};

#[derive(Properties, PartialEq)]
pub struct Props {
    pub sim: SimRef,
    /// What the prompt holds (the reducer owns it, for the history).
    pub draft: String,
    pub dispatch: Callback<Action>,
}

#[function_component(Console)]
pub fn console(props: &Props) -> Html {
    let dispatch = props.dispatch.clone();
    let onsubmit = {
        let dispatch = dispatch.clone();
        let draft = props.draft.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            // The command only enters the bus here: the learner steps it through.
            dispatch.emit(Action::Console(draft.clone()));
        })
    };
    let oninput = {
        let dispatch = dispatch.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(el) = e.target_dyn_into::<HtmlInputElement>() {
                dispatch.emit(Action::Draft(el.value()));
            }
        })
    };
    // Keep the newest output in view, as a terminal scrolls.
    let output_ref = use_node_ref();
    {
        let output_ref = output_ref.clone();
        use_effect_with(props.sim.version, move |_| {
            if let Some(el) = output_ref.cast::<web_sys::Element>() {
                el.set_scroll_top(el.scroll_height());
            }
        });
    }
    let session = props.sim.session();
    let running = session
        .entries()
        .iter()
        .any(|entry| session.is_running(entry));
    let onkeydown = {
        let dispatch = dispatch.clone();
        Callback::from(move |e: KeyboardEvent| match e.key().as_str() {
            "ArrowUp" => {
                e.prevent_default();
                dispatch.emit(Action::HistoryPrev);
            }
            "ArrowDown" => {
                e.prevent_default();
                dispatch.emit(Action::HistoryNext);
            }
            // Ctrl-C interrupts the running command, unless the learner is copying text.
            "c" if e.ctrl_key() && running && !has_selection(&e) => {
                e.prevent_default();
                dispatch.emit(Action::Interrupt);
            }
            _ => {}
        })
    };
    let on = |a: fn() -> Action| {
        let d = dispatch.clone();
        Callback::from(move |_: MouseEvent| d.emit(a()))
    };
    let editor = session.open_editor().map(|(_, text)| {
        let editor_ref = NodeRef::default();
        let save = {
            let d = dispatch.clone();
            let r = editor_ref.clone();
            Callback::from(move |_: MouseEvent| {
                let text = r.cast::<HtmlTextAreaElement>().map(|t| t.value());
                d.emit(Action::EditorSave(text));
            })
        };
        let close = {
            let d = dispatch.clone();
            Callback::from(move |_: MouseEvent| d.emit(Action::EditorSave(None)))
        };
        html! {
            <div class="kubectl-editor" role="dialog" aria-label="kubectl edit" data-testid="kubectl-editor">
                <p class="muted">{"kubectl edit opened this object in the editor (the real kubectl starts $EDITOR). Save to send the changes, or close without saving."}</p>
                <textarea ref={editor_ref} spellcheck="false" rows="24" value={text} data-testid="kubectl-editor-text" />
                <div>
                    <button type="button" onclick={save} data-testid="kubectl-editor-save">{"Save and exit"}</button>
                    {" "}
                    <button type="button" onclick={close}>{"Exit without saving"}</button>
                </div>
            </div>
        }
    });
    html! {
        <section class="console" aria-labelledby="console-title">
            <h2 id="console-title">{"Console"}</h2>
            <div class="console-output" ref={output_ref} data-testid="console-output" aria-live="polite">
                if session.entries().is_empty() {
                    <p class="muted">{"Try "}<code>{"kubectl get pods -A"}</code>{", "}<code>{"etcdctl get /registry/namespaces --prefix --keys-only"}</code>{" or "}<code>{"sim help"}</code></p>
                }
                { for session.entries().iter().map(|entry| {
                    let out = session.output(entry);
                    let live = session.is_running(entry);
                    html! {
                        <div class="console-entry" data-testid="console-entry">
                            <div class="cmd"><span class="prompt">{"$ "}</span>{&entry.source}</div>
                            if !out.is_empty() { <pre class="out">{ colored(&out) }</pre> }
                            if live {
                                <p class="waiting">
                                    {"Running: step on to deliver its messages one by one, or "}
                                    <button type="button" class="inline" onclick={on(|| Action::Finish)}
                                        title="Let simulated time run until the command is done, as a terminal waits">{"Finish"}</button>
                                    {" it, or "}
                                    <button type="button" class="inline" onclick={on(|| Action::Interrupt)}
                                        title="Interrupt it, as Ctrl-C does">{"Ctrl-C"}</button>
                                </p>
                            }
                        </div>
                    }
                }) }
            </div>
            { for editor }
            <form class="console-input" onsubmit={onsubmit}>
                <span class="prompt" aria-hidden="true">{"$"}</span>
                <input type="text" aria-label="Command" placeholder="kubectl get pods -A"
                    value={props.draft.clone()} {oninput} {onkeydown}
                    autocomplete="off" spellcheck="false" data-testid="console-input" />
                <button type="submit">{"Run"}</button>
            </form>
        </section>
    }
}

/// Whether text is selected in the prompt (Ctrl-C then copies it).
fn has_selection(e: &KeyboardEvent) -> bool {
    e.target_dyn_into::<HtmlInputElement>()
        .is_some_and(|el| el.selection_start().ok().flatten() != el.selection_end().ok().flatten())
}

/// Tool output with its terminal colours as spans (`cluster-info` colours its lines).
fn colored(text: &str) -> Html {
    html! {
        { for crate::console::ansi::segments(text).into_iter().map(|s| match s.color {
            Some(c) => html! { <span class={format!("ansi-{c}")}>{s.text}</span> },
            None => html! { {s.text} },
        }) }
    }
}
