//! Playback controls under the diagram: back to where the learner acted, step back, play or
//! pause, step forward, to the end; the speed; "pod creation only"; and the timeline scrubber.

use web_sys::HtmlInputElement;
use yew::prelude::*;

use super::state::{Action, SimRef};

#[derive(Properties, PartialEq)]
pub struct Props {
    pub sim: SimRef,
    pub playing: bool,
    pub speed: u32,
    pub pod_only: bool,
    pub dispatch: Callback<Action>,
}

/// A control's icon: an SVG path in a 16x16 box (text glyphs like ⏮ are missing from many
/// fonts).
fn icon(path: &'static str) -> Html {
    html! {
        <svg class="icon" viewBox="0 0 16 16" width="16" height="16" aria-hidden="true" focusable="false">
            <path d={path} fill="currentColor" />
        </svg>
    }
}

const ICON_HOME: &str = "M3 3h2v10H3zM14 3v10L6 8z";
const ICON_BACK: &str = "M12 3v10L4 8z";
const ICON_PLAY: &str = "M4 2.5v11L13.5 8z";
const ICON_PAUSE: &str = "M4 3h3v10H4zM9 3h3v10H9z";
const ICON_STEP: &str = "M3 3v10l7-5zM11 3h2v10h-2z";
const ICON_END: &str = "M2 3v10l8-5zM11 3h2v10h-2z";

/// Playback speeds, in messages per second.
const SPEEDS: [u32; 5] = [1, 2, 4, 10, 30];

#[function_component(Playback)]
pub fn playback(props: &Props) -> Html {
    let timeline = props.sim.timeline();
    let (start, pos, end) = (timeline.start(), timeline.position(), timeline.end());
    let now = timeline.session().sim().now();
    let on = |a: fn() -> Action| {
        let d = props.dispatch.clone();
        Callback::from(move |_: MouseEvent| d.emit(a()))
    };
    let on_scrub = {
        let d = props.dispatch.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(v) = e
                .target_dyn_into::<HtmlInputElement>()
                .and_then(|el| el.value().parse::<u64>().ok())
            {
                d.emit(Action::Seek(v));
            }
        })
    };
    let on_speed = {
        let d = props.dispatch.clone();
        Callback::from(move |e: Event| {
            if let Some(v) = e
                .target_dyn_into::<web_sys::HtmlSelectElement>()
                .and_then(|el| el.value().parse::<u32>().ok())
            {
                d.emit(Action::SetSpeed(v));
            }
        })
    };
    let on_filter = {
        let d = props.dispatch.clone();
        Callback::from(move |e: Event| {
            if let Some(el) = e.target_dyn_into::<HtmlInputElement>() {
                d.emit(Action::SetPodOnly(el.checked()));
            }
        })
    };
    let at_start = pos <= start;
    let at_end = pos >= end;
    html! {
        <div class="playback" role="group" aria-label="Playback" data-testid="playback">
            <div class="buttons">
                <button type="button" onclick={on(|| Action::Home)} disabled={at_start}
                    aria-label="Back to where you last acted" title="Back to where you last acted (Home)">{icon(ICON_HOME)}</button>
                <button type="button" onclick={on(|| Action::StepBack)} disabled={at_start}
                    aria-label="Step back" title="Step back (←)" data-testid="step-back">{icon(ICON_BACK)}</button>
                <button type="button" class="primary play" onclick={on(|| Action::TogglePlay)}
                    disabled={at_end && !props.playing}
                    aria-label={if props.playing { "Pause" } else { "Play" }}
                    title="Play or pause (space)" data-testid="play">
                    { icon(if props.playing { ICON_PAUSE } else { ICON_PLAY }) }
                </button>
                <button type="button" class="primary" onclick={on(|| Action::Step)}
                    aria-label="Step forward" title="Step forward (→)" data-testid="step">{icon(ICON_STEP)}</button>
                <button type="button" onclick={on(|| Action::End)} disabled={at_end}
                    aria-label="Jump to the end" title="Jump to the end (End)">{icon(ICON_END)}</button>
            </div>
            <label class="speed">
                <span>{"Speed"}</span>
                <select onchange={on_speed} aria-label="Playback speed">
                    { for SPEEDS.iter().map(|s| html! {
                        <option value={s.to_string()} selected={*s == props.speed}>{format!("{s} msg/s")}</option>
                    }) }
                </select>
            </label>
            <label class="filter">
                <input type="checkbox" checked={props.pod_only} onchange={on_filter} data-testid="pod-only" />
                <span>{"Pod creation only"}</span>
            </label>
            <div class="scrubber">
                <input type="range" min={start.to_string()} max={end.to_string()} value={pos.to_string()}
                    oninput={on_scrub} aria-label="Timeline" data-testid="scrubber"
                    aria-valuetext={format!("message {} of {}", pos - start, end - start)} />
                <span class="where" data-testid="position">
                    {format!("message {} of {} · {}", pos - start, end - start, now)}
                </span>
            </div>
        </div>
    }
}
