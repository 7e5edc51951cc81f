//! YAML syntax errors in the editor, found before anything is sent: each document is split and
//! converted exactly as kubectl's `-f` reader does (`kubectl::manifest` over
//! `apiserver::decode`), so the message is the one kubectl would print
//! (`error converting YAML to JSON: yaml: line 7: mapping values are not allowed in this
//! context`); the position is the parser's mark, moved from the document to the whole file.

use crate::apiserver::decode::{split_documents, syntax_error, yaml_to_json};

use super::Diagnostic;

/// The syntax errors of every document of `text` (kubectl stops at the first; the editor marks
/// them all).
pub fn lint(text: &str) -> Vec<Diagnostic> {
    let docs = match split_documents(text) {
        Ok(docs) => docs,
        Err(message) => return vec![separator_error(text, message)],
    };
    let mut out = Vec::new();
    for (doc, d) in docs.iter().enumerate() {
        let Err(error) = yaml_to_json(&d.text) else {
            continue;
        };
        // The parser's mark where it has one (the place it stopped); else the line go-yaml
        // names; else the document's first line.
        let (line, column) = match syntax_error(&d.text) {
            // libyaml stops at the tab itself, saphyr's mark at the scalar before it.
            Some(_) if error.to_string().contains("found a tab character") => {
                let line = error.line().unwrap_or(1);
                let column = d
                    .text
                    .lines()
                    .nth(line - 1)
                    .and_then(|l| l.chars().position(|c| c == '\t'))
                    .map_or(1, |i| i + 1);
                (line, column)
            }
            Some((e, Some(mark))) if e == error => (mark.line, mark.column + 1),
            _ => (error.line().unwrap_or(1), 1),
        };
        let last_line = d.text.lines().count().max(1);
        let line = d.stream_line(line.clamp(1, last_line));
        out.push(Diagnostic {
            doc,
            line: to_u32(line),
            column: to_u32(column),
            message: format!("error converting YAML to JSON: {error}"),
        });
    }
    out
}

/// `invalid Yaml document separator: x`: the reader gives no line, so the first `---` line
/// with text after it that is not a comment is the one it refused.
fn separator_error(text: &str, message: String) -> Diagnostic {
    let line = text
        .lines()
        .position(|l| {
            l.strip_prefix("---").is_some_and(|rest| {
                let t = rest.trim();
                !t.is_empty() && !t.starts_with('#')
            })
        })
        .map_or(1, |i| i + 1);
    // The documents the reader had finished before it.
    let before: String = text.split_inclusive('\n').take(line - 1).collect();
    let doc = split_documents(&before).map_or(0, |d| d.len());
    Diagnostic {
        doc,
        line: to_u32(line),
        column: 4,
        message,
    }
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(text: &str) -> Diagnostic {
        let d = lint(text);
        assert_eq!(d.len(), 1, "{text:?}: {d:?}");
        d.into_iter().next().expect("one")
    }

    #[test]
    fn a_valid_file_has_no_errors() {
        let text = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: b\n";
        assert_eq!(lint(text), vec![]);
        assert_eq!(lint(""), vec![]);
        assert_eq!(lint("# only a comment\n---\n"), vec![]);
    }

    #[test]
    fn a_mapping_value_where_none_may_be_is_marked_at_its_colon() {
        let d = one("apiVersion: v1\nkind: Pod\nmetadata:\n  name: web image: nginx\n");
        assert_eq!(
            d.message,
            "error converting YAML to JSON: yaml: line 4: mapping values are not allowed in this context"
        );
        assert_eq!((d.doc, d.line, d.column), (0, 4, 18));
    }

    #[test]
    fn a_key_indented_wrongly_is_marked_where_the_parser_met_it_and_keeps_go_yamls_line() {
        // go-yaml names libyaml's 0-based line for parser errors (line 2 here); the marker is
        // where the learner has to look.
        let d = one("metadata:\n  name: x\n labels: y\n");
        assert_eq!(
            d.message,
            "error converting YAML to JSON: yaml: line 2: did not find expected key"
        );
        assert_eq!((d.line, d.column), (3, 2));
    }

    #[test]
    fn lines_count_from_the_top_of_the_file_in_every_document() {
        let text = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: b c: d\n---\nkind: [1, 2\n";
        let d = lint(text);
        assert_eq!(d.len(), 2, "{d:?}");
        assert_eq!(
            d[0].message,
            "error converting YAML to JSON: yaml: line 4: mapping values are not allowed in this context"
        );
        assert_eq!((d[0].doc, d[0].line, d[0].column), (1, 9, 12));
        assert_eq!(
            d[1].message,
            "error converting YAML to JSON: yaml: line 1: did not find expected ',' or ']'"
        );
        assert_eq!((d[1].doc, d[1].line), (2, 11));
    }

    #[test]
    fn a_tab_in_the_indentation_is_marked_at_the_tab() {
        let d = one("a: 1\n\tb: 2\n");
        assert_eq!(
            d.message,
            "error converting YAML to JSON: yaml: line 2: found a tab character that violates indentation"
        );
        assert_eq!((d.line, d.column), (2, 1));
    }

    #[test]
    fn an_unclosed_quote_is_marked_at_its_start() {
        let d = one("a: \"unclosed\nb: 2\n");
        assert_eq!(
            d.message,
            "error converting YAML to JSON: yaml: line 3: found unexpected end of stream"
        );
        assert_eq!((d.line, d.column), (1, 4));
    }

    #[test]
    fn an_unknown_alias_is_marked_at_the_alias() {
        let d = one("a: 1\n---\nb: *nope\n");
        assert_eq!(
            d.message,
            "error converting YAML to JSON: yaml: unknown anchor 'nope' referenced"
        );
        assert_eq!((d.doc, d.line, d.column), (1, 3, 4));
    }

    #[test]
    fn an_error_found_after_parsing_without_a_line_is_marked_at_the_documents_start() {
        let d = one("a: 1\n---\n# infinity has no JSON\nb: .inf\n");
        assert_eq!(
            d.message,
            "error converting YAML to JSON: json: unsupported value: +Inf"
        );
        assert_eq!((d.doc, d.line, d.column), (1, 3, 1));
    }

    #[test]
    fn a_bad_separator_is_the_readers_error_at_its_line() {
        let d = one("a: 1\n--- x\nb: 2\n");
        assert_eq!(d.message, "invalid Yaml document separator: x");
        assert_eq!((d.doc, d.line), (1, 2));
    }

    #[test]
    fn the_message_is_the_one_kubectl_prints() {
        // kubectl's -f reader, fed the same file, fails with the first document's error.
        let text = "kind: Pod\n---\nkind: Pod\nmetadata: c: d\n";
        let Err(crate::kubectl::io::Fail::Error { text: kubectl, .. }) =
            crate::kubectl::manifest::parse(text, "editor.yaml")
        else {
            panic!("kubectl refuses it");
        };
        let d = one(text);
        assert_eq!(
            kubectl,
            format!("error: error parsing editor.yaml: {}\n", d.message)
        );
    }
}
