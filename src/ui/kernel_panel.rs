//! The kernel's state (seed, virtual time, trace) and the step controls.

use yew::prelude::*;

use super::state::{Action, SimRef};
use crate::sim::{Rng, RunOutcome};

#[derive(Properties, PartialEq)]
pub struct Props {
    pub sim: SimRef,
    pub dispatch: Callback<Action>,
    pub outcome: Option<RunOutcome>,
}

#[function_component(KernelPanel)]
pub fn kernel_panel(props: &Props) -> Html {
    let sim = props.sim.sim();
    let pending = sim.pending();
    let next = sim.peek().map(|e| {
        format!(
            "{} → {}: {}",
            e.from,
            e.to,
            crate::sim::trace::summarize(&e.message)
        )
    });
    let on = |a: fn() -> Action| {
        let d = props.dispatch.clone();
        Callback::from(move |_: MouseEvent| d.emit(a()))
    };
    html! {
        <section class="panel kernel" aria-labelledby="kernel-title">
            <h2 id="kernel-title">{"Simulation"}</h2>
            <dl class="stats">
                <div><dt>{"Seed"}</dt><dd data-testid="seed">{sim.seed()}</dd></div>
                <div><dt>{"Virtual time"}</dt><dd data-testid="time">{sim.now().to_string()}</dd></div>
                <div><dt>{"Messages delivered"}</dt><dd data-testid="trace-len">{sim.trace().len()}</dd></div>
                <div><dt>{"In flight"}</dt><dd data-testid="pending">{pending}</dd></div>
            </dl>
            <div class="controls">
                <button class="primary" onclick={on(|| Action::Step)} disabled={pending == 0}
                    title="Deliver the next message">{"Step"}</button>
                <button onclick={on(|| Action::RunUntilIdle)} disabled={pending == 0}
                    title="Deliver messages until nothing is in flight">{"Run until idle"}</button>
                <button onclick={on(|| Action::Restart)} title="A fresh cluster with the same seed">{"Restart"}</button>
            </div>
            <p class="next" data-testid="next">
                { match next {
                    Some(n) => html!{ <><span class="label">{"Next: "}</span>{n}</> },
                    None => html!{ <span class="muted">{"Nothing in flight. Type a command below to send a request."}</span> },
                } }
            </p>
            { if props.outcome == Some(RunOutcome::StepLimit) {
                html!{ <p class="warning" role="status">{"Stopped after the step limit: some component keeps sending messages."}</p> }
            } else { html!{} } }
            <p class="fineprint">
                {"Trace hash "}<code data-testid="trace-hash">{sim.trace().hash_hex()}</code>
                {" · PRNG "}{Rng::NAME}
            </p>
        </section>
    }
}
