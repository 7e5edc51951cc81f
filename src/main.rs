//! The `kubestep` binary: the yew app in the browser (wasm32), the headless CLI natively.

#[cfg(target_arch = "wasm32")]
fn main() {
    kubestep::ui::start();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    std::process::exit(kubestep::cli::run(&args));
}
