//! The narration panel: for the message at the cursor, its step (badge and short name) or
//! background kind, a headline, why it happens, the real message in tabs (request, headers,
//! body, etcd value, receivers, the -v=8 log) and what kubestep simplifies. It only renders
//! `flow::narration::narrate`.

use yew::prelude::*;

use super::state::SimRef;
use crate::flow::narration::{narrate, Lang, Narration};
use crate::flow::steps;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub sim: SimRef,
}

/// The badge: `Step 3 · controller acts`, or `Background · lease renewal`.
fn badge(n: &Narration) -> Html {
    match n.step.and_then(steps::step) {
        Some(s) => html! {
            <p class="narration-step is-step" data-testid="narration-step">
                <span class="badge" aria-hidden="true">{s.number}</span>
                <span class="label">{format!("Step {} · {}", s.number, s.short)}</span>
            </p>
        },
        None => html! {
            <p class="narration-step is-background" data-testid="narration-step">
                <span class="badge" aria-hidden="true">{"·"}</span>
                <span class="label">
                    {format!("Background · {}", n.background.map(|b| b.label()).unwrap_or("other traffic"))}
                    if let Some(s) = n.serves_step {
                        <span class="serves">{format!(" (part of step {s})")}</span>
                    }
                </span>
            </p>
        },
    }
}

#[function_component(NarrationPanel)]
pub fn narration_panel(props: &Props) -> Html {
    // The chosen tab, for the message it was chosen on: a new message opens on its first tab.
    let selected = use_state(|| (0u64, 0usize));
    let narration = narrate(&props.sim.sim());
    let Some(n) = narration else {
        return html! {
            <section class="panel narration" aria-labelledby="narration-title" data-testid="narration">
                <h2 id="narration-title">{"What just happened"}</h2>
                <p class="muted narration-empty">
                    {"Type a command (try "}<code>{"kubectl create deployment web --image=nginx"}</code>
                    {") and press Step: each message between the components is explained here."}
                </p>
            </section>
        };
    };
    let sections = n.sections();
    let current = if selected.0 == n.seq {
        selected.1.min(sections.len().saturating_sub(1))
    } else {
        0
    };
    let seq = n.seq;
    let tabs = sections.iter().enumerate().map(|(i, s)| {
        let onclick = {
            let selected = selected.clone();
            Callback::from(move |_: MouseEvent| selected.set((seq, i)))
        };
        html! {
            <button type="button" role="tab" class={classes!("tab", (i == current).then_some("active"))}
                aria-selected={(i == current).to_string()} aria-controls="narration-tabpanel"
                id={format!("narration-tab-{i}")} {onclick}>
                {&s.title}
            </button>
        }
    });
    let body = sections.get(current).map(|s| {
        html! {
            <pre id="narration-tabpanel" role="tabpanel" tabindex="0"
                aria-labelledby={format!("narration-tab-{current}")}
                class={classes!("narration-code", matches!(s.lang, Lang::Json).then_some("json"))}>
                {&s.text}
            </pre>
        }
    });
    html! {
        <section class="panel narration" aria-labelledby="narration-title" data-testid="narration">
            <h2 id="narration-title">{"What just happened"}<span class="count">{format!("#{}", n.seq)}</span></h2>
            { badge(&n) }
            <p class="narration-headline" data-testid="narration-headline">{&n.headline}</p>
            <p class="narration-why" data-testid="narration-why">{&n.why}</p>
            <div class="narration-message" data-testid="narration-message">
                <div class="tabs" role="tablist" aria-label="The real message">{ for tabs }</div>
                { for body }
            </div>
            if !n.notes.is_empty() {
                <div class="narration-note" data-testid="narration-note">
                    <strong>{"Simplified:"}</strong>
                    <ul>
                        { for n.notes.iter().map(|t| html! {
                            <li>{t.strip_prefix("Simplified: ").unwrap_or(t)}</li>
                        }) }
                    </ul>
                </div>
            }
        </section>
    }
}
