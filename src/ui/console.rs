//! The console: type a command, see exactly what the real tool would print.

use web_sys::HtmlInputElement;
use yew::prelude::*;

use super::state::{Action, ConsoleLine, SimRef};

#[derive(Properties, PartialEq)]
pub struct Props {
    pub sim: SimRef,
    pub history: Vec<ConsoleLine>,
    pub dispatch: Callback<Action>,
}

#[function_component(Console)]
pub fn console(props: &Props) -> Html {
    let input = use_node_ref();
    let onsubmit = {
        let input = input.clone();
        let dispatch = props.dispatch.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if let Some(el) = input.cast::<HtmlInputElement>() {
                let line = el.value();
                if !line.trim().is_empty() {
                    // The command only enters the bus here: the learner steps it through.
                    dispatch.emit(Action::Console(line));
                    el.set_value("");
                }
            }
        })
    };
    let sim = props.sim.sim.borrow();
    let output_of = |id: u64| -> (String, bool) {
        let mut text = String::new();
        let mut done = false;
        for o in sim.console().iter().filter(|o| o.input_id == id) {
            text.push_str(&o.text);
            done |= o.done;
        }
        (text, done)
    };
    html! {
        <section class="console" aria-labelledby="console-title">
            <h2 id="console-title">{"Console"}</h2>
            <div class="console-output" data-testid="console-output" aria-live="polite">
                if props.history.is_empty() {
                    <p class="muted">{"Try "}<code>{"etcdctl put /demo/greeting hello"}</code>{" then "}<code>{"etcdctl get /demo --prefix"}</code></p>
                }
                { for props.history.iter().map(|l| html! {
                    <div class="console-entry">
                        <div class="cmd"><span class="prompt">{"$ "}</span>{&l.command}</div>
                        if let Some(err) = &l.error { <pre class="out err">{err}</pre> }
                        if let Some(id) = l.input_id {
                            { match output_of(id) {
                                (text, true) => html!{ <pre class="out">{text}</pre> },
                                (text, false) => html!{ <>
                                    if !text.is_empty() { <pre class="out">{text}</pre> }
                                    <p class="waiting">{"In flight: press Step to deliver its messages one by one, or Run until idle."}</p>
                                </> },
                            } }
                        }
                    </div>
                }) }
            </div>
            <form class="console-input" onsubmit={onsubmit}>
                <span class="prompt" aria-hidden="true">{"$"}</span>
                <input ref={input} type="text" aria-label="Command" placeholder="etcdctl get / --prefix --keys-only"
                    autocomplete="off" spellcheck="false" data-testid="console-input" />
                <button type="submit">{"Run"}</button>
            </form>
        </section>
    }
}
