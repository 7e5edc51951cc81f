//! The trace, newest first: every delivered message with its time, sender, receiver and summary.

use yew::prelude::*;

use super::state::SimRef;

/// How many entries the list shows; the trace itself keeps everything.
const SHOWN: usize = 200;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub sim: SimRef,
}

#[function_component(TraceList)]
pub fn trace_list(props: &Props) -> Html {
    let sim = props.sim.sim();
    let entries = sim.trace().entries();
    html! {
        <section class="panel trace" aria-labelledby="trace-title">
            <h2 id="trace-title">{"Trace"}<span class="count">{entries.len()}</span></h2>
            if entries.is_empty() {
                <p class="muted empty">{"No messages yet. Every message between components will appear here, in delivery order."}</p>
            } else {
                <ol class="trace-list" data-testid="trace-list" reversed=true>
                    { for entries.iter().rev().take(SHOWN).map(|e| html! {
                        <li class={classes!("entry", format!("kind-{}", e.kind))} key={e.seq}>
                            <span class="t">{format!("{}.{:03}s", e.time_ms / 1000, e.time_ms % 1000)}</span>
                            <span class="route">{format!("{} → {}", e.from, e.to)}</span>
                            <span class="summary">{&e.summary}</span>
                        </li>
                    }) }
                </ol>
            }
        </section>
    }
}
