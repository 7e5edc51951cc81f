//! The kernel's state at the cursor: seed, virtual time, where the cursor is in the trace, what
//! is in flight, and the trace hash (equal on native and wasm for the same run).

use yew::prelude::*;

use super::state::SimRef;
use crate::sim::Rng;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub sim: SimRef,
}

#[function_component(KernelPanel)]
pub fn kernel_panel(props: &Props) -> Html {
    let timeline = props.sim.timeline();
    let sim = timeline.session().sim();
    let next = sim.peek().map(|e| {
        format!(
            "{} → {}: {}",
            e.from,
            e.to,
            crate::sim::trace::summarize(&e.message)
        )
    });
    html! {
        <section class="panel kernel" aria-labelledby="kernel-title">
            <h2 id="kernel-title">{"Simulation"}</h2>
            <dl class="stats">
                <div><dt>{"Seed"}</dt><dd data-testid="seed">{sim.seed()}</dd></div>
                <div><dt>{"Virtual time"}</dt><dd data-testid="time">{sim.now().to_string()}</dd></div>
                <div><dt>{"Messages delivered"}</dt><dd data-testid="trace-len">{timeline.position()}</dd></div>
                <div><dt>{"In flight"}</dt><dd data-testid="pending">{sim.pending()}</dd></div>
            </dl>
            <p class="next" data-testid="next">
                { match next {
                    Some(n) => html!{ <><span class="label">{"Next: "}</span>{n}</> },
                    None => html!{ <span class="muted">{"Nothing in flight."}</span> },
                } }
            </p>
            <p class="fineprint">
                {"Trace hash "}<code data-testid="trace-hash">{sim.trace().hash_hex()}</code>
                {" · PRNG "}{Rng::NAME}
            </p>
        </section>
    }
}
