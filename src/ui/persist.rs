//! The session kept and shared: saved to the browser's localStorage as it changes (debounced,
//! and on leaving the page) and restored at load; exported as `kubestep-session.json` and
//! imported from such a file; a permalink carrying the session in the URL fragment. All three
//! are the JSON form of `flow::journal`, replayed on opening, so the run is exactly the same.

use std::cell::RefCell;
use std::rc::Rc;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use gloo::events::EventListener;
use gloo::file::callbacks::FileReader;
use gloo::timers::callback::Timeout;
use wasm_bindgen::JsCast;
use yew::prelude::*;

use super::state::{Action, AppState};
use crate::flow::journal::{Journal, SessionFile, MAX_BYTES};

/// Where the session is kept.
pub const STORAGE_KEY: &str = "kubestep.session";
/// Where a stored session that could not be opened is kept aside (never deleted).
pub const ASIDE_KEY: &str = "kubestep.session.unreadable";
/// The URL fragment of a permalink: `#s=<base64url of the JSON>`.
const LINK_FRAGMENT: &str = "#s=";
/// The exported file's name.
pub const EXPORT_NAME: &str = "kubestep-session.json";
/// How long the session must stay unchanged before it is saved (typing, playback).
const SAVE_AFTER_MS: u32 = 400;

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

fn location() -> Option<web_sys::Location> {
    web_sys::window().map(|w| w.location())
}

/// The session a permalink carries, if the page was opened from one.
fn link_text() -> Option<Result<String, String>> {
    let hash = location()?.hash().ok()?;
    let encoded = hash.strip_prefix(LINK_FRAGMENT)?;
    if encoded.len() > MAX_BYTES * 4 / 3 + 4 {
        return Some(Err("the link is too long to be a kubestep session".into()));
    }
    Some(
        URL_SAFE_NO_PAD
            .decode(encoded.trim_end_matches('='))
            .map_err(|e| format!("the link is damaged ({e})"))
            .and_then(|bytes| {
                String::from_utf8(bytes).map_err(|_| "the link is damaged (not UTF-8)".into())
            }),
    )
}

/// The page's address without its fragment.
fn address_without_fragment() -> Option<String> {
    let l = location()?;
    Some(format!(
        "{}{}{}",
        l.origin().ok()?,
        l.pathname().ok()?,
        l.search().ok()?
    ))
}

/// A permalink to `file`: this page with the session in the fragment.
fn permalink(file: &SessionFile) -> Option<String> {
    let encoded = URL_SAFE_NO_PAD.encode(file.to_json());
    Some(format!(
        "{}{LINK_FRAGMENT}{encoded}",
        address_without_fragment()?
    ))
}

/// Drops the permalink's fragment from the address bar (the session is the stored one now).
fn forget_link() {
    let (Some(window), Some(url)) = (web_sys::window(), address_without_fragment()) else {
        return;
    };
    if let Ok(history) = window.history() {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
    }
}

/// Opens a session's text: parsed, then replayed.
fn open(text: &str) -> Result<AppState, String> {
    let file = SessionFile::parse(text).map_err(|e| e.to_string())?;
    AppState::restore(&file)
}

/// The state the page starts with, and the journal it was opened with from a permalink (not
/// saved over the stored session until the learner acts). A permalink wins; then the stored
/// session (unless the URL asks for another seed); a stored session that cannot be opened is
/// kept aside under [`ASIDE_KEY`] and the page starts fresh with a notice.
pub fn boot(url_seed: Option<u64>) -> (AppState, Option<Linked>) {
    let mut notice = None;
    match link_text() {
        Some(Ok(text)) => match open(&text) {
            Ok(state) => {
                let linked = Linked::of(&state);
                return (state, Some(linked));
            }
            Err(e) => notice = Some(format!("The link's session could not be opened: {e}.")),
        },
        Some(Err(e)) => notice = Some(format!("The link's session could not be opened: {e}.")),
        None => {}
    }
    if let Some(text) = storage().and_then(|s| s.get_item(STORAGE_KEY).ok().flatten()) {
        let wanted = |file: &SessionFile| url_seed.is_none_or(|s| s == file.journal.seed);
        let opened = match SessionFile::parse(&text) {
            Ok(file) if !wanted(&file) => None,
            Ok(file) => Some(AppState::restore(&file)),
            Err(e) => Some(Err(e.to_string())),
        };
        match opened {
            Some(Ok(mut state)) => {
                state.notice = notice;
                return (state, None);
            }
            Some(Err(e)) => {
                if let Some(s) = storage() {
                    let _ = s.set_item(ASIDE_KEY, &text);
                    let _ = s.remove_item(STORAGE_KEY);
                }
                notice = Some(format!(
                    "The saved session could not be opened ({e}); it is kept aside in this \
                     browser's storage as \"{ASIDE_KEY}\". A fresh session has started."
                ));
            }
            None => {}
        }
    }
    let mut state = AppState::new(url_seed.unwrap_or(1));
    state.notice = notice;
    (state, None)
}

/// A session opened from a permalink: its journal as opened.
pub struct Linked {
    journal: Rc<RefCell<Journal>>,
    actions: usize,
}

impl Linked {
    fn of(state: &AppState) -> Linked {
        Linked {
            journal: state.journal.clone(),
            actions: state.journal.borrow().entries.len(),
        }
    }

    /// Whether the learner has acted since (an action, a restart, an import).
    fn acted(&self, state: &AppState) -> bool {
        !Rc::ptr_eq(&self.journal, &state.journal)
            || state.journal.borrow().entries.len() != self.actions
    }
}

/// Saves the session, unless it is a permalink's the learner has not acted on yet.
fn save(state: &AppState, linked: &RefCell<Option<Linked>>) -> Result<(), String> {
    {
        let mut linked = linked.borrow_mut();
        if let Some(l) = linked.as_ref() {
            if !l.acted(state) {
                return Ok(());
            }
            *linked = None;
            forget_link();
        }
    }
    let storage = storage().ok_or("this browser keeps no local storage")?;
    storage
        .set_item(STORAGE_KEY, &state.saved().to_json())
        .map_err(|_| "the browser's storage is full or refused it".to_string())
}

/// Saves the session [`SAVE_AFTER_MS`] after its last change, and at once when the page is
/// left. Call once per render of the app.
#[hook]
pub fn use_persistence(state: UseReducerHandle<AppState>, linked: Option<Linked>) {
    let linked = use_mut_ref(|| linked);
    let pending: Rc<RefCell<Option<UseReducerHandle<AppState>>>> = use_mut_ref(|| None);
    let flush = {
        let linked = linked.clone();
        let pending = pending.clone();
        Rc::new(move || {
            let Some(state) = pending.borrow_mut().take() else {
                return;
            };
            if let Err(e) = save(&state, &linked) {
                state.dispatch(Action::Notice(Some(format!(
                    "The session could not be saved: {e}."
                ))));
            }
        })
    };
    {
        let flush = flush.clone();
        use_effect_with((), move |_| {
            let listener =
                web_sys::window().map(|w| EventListener::new(&w, "pagehide", move |_| flush()));
            move || drop(listener)
        });
    }
    let deps = (
        state.version,
        state.editor.clone(),
        state.speed,
        state.pod_only,
        Rc::as_ptr(&state.journal) as usize,
    );
    use_effect_with(deps, move |_| {
        *pending.borrow_mut() = Some(state);
        let timeout = Timeout::new(SAVE_AFTER_MS, move || flush());
        move || drop(timeout)
    });
}

#[derive(Properties, PartialEq)]
pub struct SessionMenuProps {
    pub state: UseReducerHandle<AppState>,
}

/// The "Session" menu: Export, Import, Copy link.
#[function_component(SessionMenu)]
pub fn session_menu(props: &SessionMenuProps) -> Html {
    let error = use_state(|| None::<String>);
    let link = use_state(|| None::<String>);
    let reader = use_mut_ref(|| None::<FileReader>);
    let export = {
        let state = props.state.clone();
        Callback::from(move |_: MouseEvent| {
            let json = state.saved().to_json();
            let blob = gloo::file::Blob::new_with_options(json.as_str(), Some("application/json"));
            let url = gloo::file::ObjectUrl::from(blob);
            let Some(document) = web_sys::window().and_then(|w| w.document()) else {
                return;
            };
            if let Ok(a) = document.create_element("a") {
                let _ = a.set_attribute("href", &url);
                let _ = a.set_attribute("download", EXPORT_NAME);
                if let Some(a) = a.dyn_ref::<web_sys::HtmlElement>() {
                    a.click();
                }
            }
            // The download has its own copy; the URL can go once the click is handled.
            Timeout::new(1_000, move || drop(url)).forget();
        })
    };
    let import = {
        let state = props.state.clone();
        let error = error.clone();
        let reader = reader.clone();
        Callback::from(move |e: Event| {
            let Some(input) = e.target_dyn_into::<web_sys::HtmlInputElement>() else {
                return;
            };
            let Some(file) = input.files().and_then(|f| f.get(0)) else {
                return;
            };
            // The same file can be chosen again after a refusal.
            input.set_value("");
            let name = file.name();
            if file.size() > MAX_BYTES as f64 {
                error.set(Some(format!(
                    "{name}: too large to be a kubestep session (at most {MAX_BYTES} bytes)."
                )));
                return;
            }
            let file = gloo::file::File::from(file);
            let state = state.clone();
            let error = error.clone();
            let task = gloo::file::callbacks::read_as_text(&file, move |read| {
                let parsed = read
                    .map_err(|e| e.to_string())
                    .and_then(|text| SessionFile::parse(&text).map_err(|e| e.to_string()));
                match parsed {
                    Ok(file) => {
                        error.set(None);
                        state.dispatch(Action::Restore(Box::new(file)));
                    }
                    Err(e) => error.set(Some(format!("{name}: {e}."))),
                }
            });
            *reader.borrow_mut() = Some(task);
        })
    };
    let copy_link = {
        let state = props.state.clone();
        let link = link.clone();
        Callback::from(move |_: MouseEvent| {
            let Some(url) = permalink(&state.saved()) else {
                return;
            };
            link.set(Some(url));
        })
    };
    // Once the link is shown, select it and copy it to the clipboard.
    let link_ref = use_node_ref();
    {
        let link_ref = link_ref.clone();
        use_effect_with((*link).clone(), move |link| {
            if link.is_some() {
                if let Some(input) = link_ref.cast::<web_sys::HtmlInputElement>() {
                    input.select();
                    let document = web_sys::window()
                        .and_then(|w| w.document())
                        .and_then(|d| d.dyn_into::<web_sys::HtmlDocument>().ok());
                    if let Some(d) = document {
                        let _ = d.exec_command("copy");
                    }
                }
            }
        });
    }
    html! {
        <details class="session-menu" data-testid="session-menu">
            <summary>{"Session"}</summary>
            <div class="session-panel">
                <p class="session-hint">{"Your session is saved in this browser as you go."}</p>
                <div class="session-actions">
                    <button type="button" onclick={export} data-testid="session-export"
                        title={format!("Download the session as {EXPORT_NAME}")}>{"Export"}</button>
                    <label class="session-import">
                        <span>{"Import…"}</span>
                        <input type="file" accept=".json,application/json" onchange={import}
                            data-testid="session-import" aria-label="Import a session file" />
                    </label>
                    <button type="button" onclick={copy_link} data-testid="session-copy-link"
                        title="A link that replays this session">{"Copy link"}</button>
                </div>
                if let Some(url) = (*link).clone() {
                    <label class="session-link">
                        <span>{"Link (copied)"}</span>
                        <input ref={link_ref} type="text" readonly=true value={url}
                            data-testid="session-link" />
                    </label>
                }
                if let Some(e) = (*error).clone() {
                    <p class="session-error" role="alert" data-testid="session-error">{e}</p>
                }
            </div>
        </details>
    }
}
