//! The yew app: renders the simulation's state and trace, and turns clicks and keystrokes into
//! simulation inputs. It never changes the simulation any other way.

mod app;
mod bench;
mod console;
mod context_switch;
mod diagram;
mod editor;
mod inspector;
mod kernel_panel;
mod narration;
mod persist;
mod playback;
mod state;
mod trace_list;
mod tracker;

/// Mounts the app on `<body>`.
pub fn start() {
    console_error_panic_hook::set_once();
    let search = web_sys::window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default();
    if search.contains("bench=etcd") {
        yew::Renderer::<bench::Bench>::new().render();
    } else {
        yew::Renderer::<app::App>::new().render();
    }
}
