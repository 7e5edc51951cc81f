//! The trace up to the cursor, newest first: every delivered message with its time, sender,
//! receiver and summary; the one at the cursor marked; a click moves the cursor there. In "pod
//! creation only" the background traffic is left out.

use yew::prelude::*;

use super::state::{Action, SimRef};

/// How many entries the list shows; the trace itself keeps everything.
const SHOWN: usize = 80;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub sim: SimRef,
    pub pod_only: bool,
    pub dispatch: Callback<Action>,
}

#[function_component(TraceList)]
pub fn trace_list(props: &Props) -> Html {
    let timeline = props.sim.timeline();
    let cursor = timeline.position();
    // The entries delivered up to the cursor, newest first: the head's trace holds the run.
    let shown: Vec<(u64, &crate::sim::TraceEntry)> = timeline
        .entries()
        .rev()
        .skip_while(|(pos, _)| *pos > cursor)
        .filter(|(_, e)| !props.pod_only || e.step.is_some())
        .take(SHOWN)
        .collect();
    html! {
        <section class="panel trace" aria-labelledby="trace-title">
            <h2 id="trace-title">{"Trace"}<span class="count">{cursor}</span></h2>
            if shown.is_empty() {
                <p class="muted empty">{"No messages yet. Every message between components will appear here, in delivery order."}</p>
            } else {
                <ol class="trace-list" data-testid="trace-list" reversed=true>
                    { for shown.into_iter().map(|(pos, e)| {
                        let onclick = {
                            let d = props.dispatch.clone();
                            Callback::from(move |_: MouseEvent| d.emit(Action::Seek(pos)))
                        };
                        html! {
                            <li class={classes!("entry", format!("kind-{}", e.kind), (pos == cursor).then_some("at-cursor"), e.step.is_none().then_some("background"))}
                                key={pos} aria-current={(pos == cursor).then_some("true")}>
                                <button type="button" class="entry-button" {onclick}>
                                    <span class="t">{format!("{}.{:03}s", e.time_ms / 1000, e.time_ms % 1000)}</span>
                                    if let Some(s) = e.step { <span class="step-badge">{s}</span> }
                                    <span class="route">{format!("{} → {}", e.from, e.to)}</span>
                                    <span class="summary">{&e.summary}</span>
                                </button>
                            </li>
                        }
                    }) }
                </ol>
            }
        </section>
    }
}
