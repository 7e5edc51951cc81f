//! "Acting as": which kubeconfig context kubectl uses, the admin's or jane's. A switch is the
//! console line a learner would type (`kubectl config use-context jane@kubernetes`), so it shows
//! in the console and applies to every later command, Apply included.

use yew::prelude::*;

use super::state::{Action, SimRef};
use crate::kubectl::Kubectl;
use crate::sim::Addr;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub sim: SimRef,
    pub dispatch: Callback<Action>,
}

#[function_component(ContextSwitch)]
pub fn context_switch(props: &Props) -> Html {
    let sim = props.sim.sim();
    let Some(kubectl) = sim.actor::<Kubectl>(&Addr::Kubectl) else {
        return html! {};
    };
    let config = &kubectl.kubeconfig;
    let current = config.current_context.clone();
    let onchange = {
        let d = props.dispatch.clone();
        Callback::from(move |e: Event| {
            if let Some(el) = e.target_dyn_into::<web_sys::HtmlSelectElement>() {
                d.emit(Action::Console(format!(
                    "kubectl config use-context {}",
                    el.value()
                )));
            }
        })
    };
    html! {
        <label class="context-switch">
            <span>{"Acting as"}</span>
            <select {onchange} aria-label="kubectl context" data-testid="context">
                { for config.contexts.iter().map(|c| html! {
                    <option value={c.name.clone()} selected={c.name == current}>
                        {format!("{} ({})", c.user, c.name)}
                    </option>
                }) }
            </select>
        </label>
    }
}
