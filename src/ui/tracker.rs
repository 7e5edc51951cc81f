//! The eleven-step tracker: the step at the cursor highlighted, the steps already seen since
//! the learner last acted ticked; a click jumps to the first message of that step.

use std::collections::BTreeSet;

use yew::prelude::*;

use super::state::{Action, SimRef};
use crate::flow::steps::STEPS;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub sim: SimRef,
    /// Where the learner last acted: steps are counted from here.
    pub flow_start: u64,
    pub dispatch: Callback<Action>,
}

/// The steps delivered in `(from, to]` and in `(from, end]`, from the head's trace.
fn steps_seen(sim: &SimRef, from: u64) -> (BTreeSet<u8>, BTreeSet<u8>, Option<u8>) {
    let timeline = sim.timeline();
    let cursor = timeline.position();
    let mut done = BTreeSet::new();
    let mut ahead = BTreeSet::new();
    // Only the entries after `from`: the trace may hold tens of thousands.
    let entries = timeline.entries();
    let skip = usize::try_from(from.saturating_sub(timeline.end() - entries.len() as u64))
        .unwrap_or(usize::MAX);
    for (pos, e) in entries.skip(skip) {
        if let Some(s) = e.step {
            if pos <= cursor {
                done.insert(s);
            } else {
                ahead.insert(s);
            }
        }
    }
    let current = timeline
        .session()
        .sim()
        .trace()
        .entries()
        .last()
        .filter(|_| cursor > from)
        .and_then(|e| e.step);
    (done, ahead, current)
}

#[function_component(Tracker)]
pub fn tracker(props: &Props) -> Html {
    let (done, ahead, current) = steps_seen(&props.sim, props.flow_start);
    html! {
        <nav class="tracker" aria-label="Pod creation steps" data-testid="tracker">
            <ol>
                { for STEPS.iter().map(|s| {
                    let n = s.number;
                    let is_current = current == Some(n);
                    let is_done = done.contains(&n) && !is_current;
                    let reachable = done.contains(&n) || ahead.contains(&n);
                    let onclick = {
                        let d = props.dispatch.clone();
                        Callback::from(move |_: MouseEvent| d.emit(Action::JumpToStep(n)))
                    };
                    let state = if is_current { "current" } else if is_done { "done" } else { "todo" };
                    html! {
                        <li class={classes!("tstep", state)} data-step={n.to_string()} data-state={state}>
                            <button type="button" {onclick} disabled={!reachable}
                                aria-current={is_current.then_some("step")}
                                title={s.summary}
                                aria-label={format!("Step {n}: {}{}", s.short,
                                    if is_done { " (done)" } else if is_current { " (now)" } else { "" })}>
                                <span class="num" aria-hidden="true">{ if is_done { "✓".to_string() } else { n.to_string() } }</span>
                                <span class="name">{s.short}</span>
                            </button>
                        </li>
                    }
                }) }
            </ol>
        </nav>
    }
}
