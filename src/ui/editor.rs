//! The YAML editor: a <textarea> laid exactly over a highlighted <pre> (same font, padding and
//! line height, in one scrolling box, so they cannot drift apart), a line-number gutter, the
//! diagnostics at their lines (gutter marker, line tint, the list under the editor with
//! line:column, the textarea's accessible description), the template picker and Apply.
//!
//! The text lives in the app state; the textarea is controlled but only ever given the text it
//! already shows, or a template the learner picked, so no re-render moves the caret or drops
//! what was typed. Highlighting and lint run in `flow::editor` (pure); this only renders.

use std::collections::BTreeMap;

use web_sys::{HtmlSelectElement, HtmlTextAreaElement};
use yew::prelude::*;

use super::state::Action;
use crate::apiserver::decode::{is_empty_document, split_documents};
use crate::flow::editor::highlight::highlight;
use crate::flow::editor::lint::lint;
use crate::flow::editor::templates::TEMPLATES;
use crate::flow::editor::Diagnostic;

#[derive(Properties, PartialEq)]
pub struct Props {
    /// The editor's text (the app state's).
    pub text: String,
    /// Diagnostics from elsewhere: the API server's errors of the last Apply, mapped to lines
    /// (`flow::editor::field_lines::server_diagnostics`). The editor adds its own lint.
    #[prop_or_default]
    pub diagnostics: Vec<Diagnostic>,
    pub dispatch: Callback<Action>,
}

/// Where a diagnostic came from, for its label.
#[derive(Clone, Copy, PartialEq)]
enum Source {
    Syntax,
    Server,
}

#[function_component(Editor)]
pub fn editor(props: &Props) -> Html {
    let textarea = use_node_ref();
    // Esc, then Tab, leaves the editor (Tab alone indents): keyboard users are never trapped.
    let escaped = use_mut_ref(|| false);
    let highlighted = use_memo(props.text.clone(), |t| highlight(t));
    let syntax = use_memo(props.text.clone(), |t| lint(t));

    let mut all: Vec<(Source, &Diagnostic)> = syntax
        .iter()
        .map(|d| (Source::Syntax, d))
        .chain(props.diagnostics.iter().map(|d| (Source::Server, d)))
        .collect();
    all.sort_by_key(|(_, d)| (d.line, d.column));
    let by_line: BTreeMap<u32, Vec<&Diagnostic>> =
        all.iter().fold(BTreeMap::new(), |mut m, (_, d)| {
            m.entry(d.line).or_insert_with(Vec::new).push(*d);
            m
        });

    let oninput = {
        let dispatch = props.dispatch.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(el) = e.target_dyn_into::<HtmlTextAreaElement>() {
                dispatch.emit(Action::EditorChanged(el.value()));
            }
        })
    };
    let onkeydown = {
        let dispatch = props.dispatch.clone();
        let escaped = escaped.clone();
        Callback::from(move |e: KeyboardEvent| {
            let key = e.key();
            if key == "Escape" {
                *escaped.borrow_mut() = true;
                return;
            }
            let was_escaped = std::mem::replace(&mut *escaped.borrow_mut(), false);
            if key != "Tab" || e.shift_key() || e.ctrl_key() || e.alt_key() || e.meta_key() {
                return;
            }
            if was_escaped {
                return; // the browser moves focus on
            }
            let Some(el) = e.target_dyn_into::<HtmlTextAreaElement>() else {
                return;
            };
            e.prevent_default();
            let value = el.value();
            let utf16: Vec<u16> = value.encode_utf16().collect();
            let start = el.selection_start().ok().flatten().unwrap_or(0) as usize;
            let end = el.selection_end().ok().flatten().unwrap_or(0) as usize;
            let (start, end) = (start.min(utf16.len()), end.min(utf16.len()).max(start));
            let mut next: Vec<u16> = utf16[..start].to_vec();
            next.extend("  ".encode_utf16());
            next.extend_from_slice(&utf16[end..]);
            let next = String::from_utf16_lossy(&next);
            el.set_value(&next);
            let caret = (start + 2) as u32;
            let _ = el.set_selection_range(caret, caret);
            dispatch.emit(Action::EditorChanged(next));
        })
    };
    let onchange_template = {
        let dispatch = props.dispatch.clone();
        Callback::from(move |e: Event| {
            if let Some(el) = e.target_dyn_into::<HtmlSelectElement>() {
                dispatch.emit(Action::LoadTemplate(el.value()));
            }
        })
    };
    let onapply = {
        let dispatch = props.dispatch.clone();
        Callback::from(move |_: MouseEvent| dispatch.emit(Action::Apply))
    };
    // A diagnostic's place, clicked: the caret goes there.
    let jump = |d: &Diagnostic| {
        let textarea = textarea.clone();
        let text = props.text.clone();
        let (line, column) = (d.line, d.column);
        Callback::from(move |_: MouseEvent| {
            if let Some(el) = textarea.cast::<HtmlTextAreaElement>() {
                let at = utf16_offset(&text, line, column);
                let _ = el.focus();
                let _ = el.set_selection_range(at, at);
            }
        })
    };

    let current_template = TEMPLATES
        .iter()
        .find(|t| t.yaml == props.text)
        .map(|t| t.name);
    let lines = props.text.split('\n').collect::<Vec<_>>();
    let has_errors = !all.is_empty();
    let documents = split_documents(&props.text).map_or(0, |ds| {
        ds.iter().filter(|d| !is_empty_document(&d.text)).count()
    });

    html! {
        <section class="panel editor" aria-labelledby="editor-title" data-testid="editor">
            <div class="editor-head">
                <h2 id="editor-title">{"Manifest"}</h2>
                <div class="editor-picker">
                    <label class="editor-template-label" for="editor-template">{"Template"}</label>
                    <select id="editor-template" data-testid="editor-template" onchange={onchange_template}>
                        if current_template.is_none() {
                            <option value="" selected=true disabled=true>{"(edited)"}</option>
                        }
                        { for TEMPLATES.iter().map(|t| html! {
                            <option value={t.name} selected={current_template == Some(t.name)}>{t.name}</option>
                        }) }
                    </select>
                </div>
                <button type="button" class="primary editor-apply" data-testid="editor-apply" onclick={onapply}
                    title="kubectl apply -f editor.yaml, as the admin">{"Apply"}</button>
            </div>
            <div class="editor-scroll">
                <div class="editor-gutter" aria-hidden="true">
                    { for lines.iter().enumerate().map(|(i, _)| {
                        let n = i as u32 + 1;
                        let marked = by_line.contains_key(&n);
                        html! {
                            <div class={classes!("gutter-line", marked.then_some("has-diagnostic"))}
                                title={by_line.get(&n).map(|ds| ds.iter().map(|d| d.message.as_str()).collect::<Vec<_>>().join("\n"))}>
                                if marked { <span class="marker">{"●"}</span> }
                                {n}
                            </div>
                        }
                    }) }
                </div>
                <div class="editor-code">
                    <pre class="editor-highlight" aria-hidden="true">
                        { for lines.iter().zip(highlighted.iter()).enumerate().map(|(i, (line, spans))| {
                            let marked = by_line.contains_key(&(i as u32 + 1));
                            html! {
                                <div class={classes!("code-line", marked.then_some("has-diagnostic"))}>
                                    { for spans.iter().map(|s| html! {
                                        <span class={s.token.class()}>{&line[s.range.clone()]}</span>
                                    }) }
                                </div>
                            }
                        }) }
                    </pre>
                    <textarea
                        ref={textarea.clone()}
                        class="editor-input"
                        data-testid="editor-input"
                        aria-label="YAML manifest"
                        aria-describedby="editor-help editor-diagnostics"
                        aria-invalid={if has_errors { "true" } else { "false" }}
                        spellcheck="false"
                        autocapitalize="off"
                        autocomplete="off"
                        wrap="off"
                        value={props.text.clone()}
                        {oninput}
                        {onkeydown}
                    />
                </div>
            </div>
            <p id="editor-help" class="editor-help">{"Tab indents by two spaces; Esc then Tab leaves the editor."}</p>
            <div id="editor-diagnostics" class="editor-diagnostics" data-testid="editor-diagnostics" aria-live="polite">
                if all.is_empty() {
                    <p class="ok">
                        {"No problems found"}
                        <span class="muted">{format!(" · {documents} document{}", if documents == 1 { "" } else { "s" })}</span>
                    </p>
                } else {
                    <ul>
                        { for all.iter().map(|(source, d)| html! {
                            <li class={classes!("diagnostic", if *source == Source::Syntax { "syntax" } else { "server" })}
                                data-testid="editor-diagnostic" data-line={d.line.to_string()}>
                                <button type="button" class="where" onclick={jump(d)}
                                    aria-label={format!("Line {}, column {}: go there", d.line, d.column)}>
                                    {format!("{}:{}", d.line, d.column)}
                                </button>
                                <span class="source">{ if *source == Source::Syntax { "kubectl" } else { "API server" } }</span>
                                <span class="message">{&d.message}</span>
                            </li>
                        }) }
                    </ul>
                }
            </div>
        </section>
    }
}

/// The textarea's (UTF-16) offset of a 1-based line and column.
fn utf16_offset(text: &str, line: u32, column: u32) -> u32 {
    let mut offset = 0usize;
    for (i, l) in text.split('\n').enumerate() {
        if i + 1 == line as usize {
            let col: usize = l
                .chars()
                .take(column.saturating_sub(1) as usize)
                .map(char::len_utf16)
                .sum();
            return (offset + col) as u32;
        }
        offset += l.encode_utf16().count() + 1;
    }
    offset.saturating_sub(1) as u32
}
