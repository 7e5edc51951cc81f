//! The page's bench mode (`?bench=etcd`): runs the same benchmark code as `kubestep bench etcd`,
//! timed with `performance.now()`, and prints the numbers on the page and to the console.

use yew::prelude::*;

use crate::etcd::bench::{self, BenchScale};

#[function_component(Bench)]
pub fn bench_page() -> Html {
    let result = use_state(|| None::<String>);
    {
        let result = result.clone();
        use_effect_with((), move |_| {
            // Let the page paint "running" first.
            gloo::timers::callback::Timeout::new(50, move || {
                let perf = web_sys::window().and_then(|w| w.performance());
                let mut now = move || perf.as_ref().map_or(0.0, |p| p.now());
                let lines = bench::run(&mut now, BenchScale::default());
                let table = bench::format_table(&lines);
                web_sys::console::log_1(&format!("kubestep bench etcd (wasm)\n{table}").into());
                result.set(Some(table));
            })
            .forget();
        });
    }
    html! {
        <main class="bench">
            <h1>{"kubestep · etcd benchmark (WebAssembly)"}</h1>
            { match &*result {
                None => html!{ <p data-testid="bench-status">{"Running…"}</p> },
                Some(t) => html!{ <pre data-testid="bench-result">{t.clone()}</pre> },
            } }
        </main>
    }
}
