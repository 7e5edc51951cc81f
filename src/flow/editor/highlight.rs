//! Syntax highlighting for the YAML editor: each line of the text cut into spans (keys,
//! strings, numbers, booleans and nulls, comments, `---`, anchors, aliases and tags, block
//! scalar text, punctuation). It is a tokenizer, not a parser: it never fails, whatever is
//! typed, and reads each character a bounded number of times, so a large paste stays fast.
//! What a plain scalar is (`yes` a boolean, `017` a number) follows go-yaml v2's resolution,
//! the one kubectl applies, so the colours tell the learner what the server will receive.

use std::ops::Range;

use crate::golang::yaml_resolve::{resolve, Resolved};

/// What a span of text is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Token {
    /// A mapping key (`name` in `name: web`).
    Key,
    /// A string value, quoted or plain.
    String,
    /// An integer or float (`3`, `0.5`, `0x1F`).
    Number,
    /// `true`/`false` (and YAML 1.1's `yes`, `on`...), `null`, `~`.
    BoolNull,
    /// `# ...` to the end of the line.
    Comment,
    /// `---` (and `...`): documents start and end.
    Separator,
    /// `&name`.
    Anchor,
    /// `*name`.
    Alias,
    /// `!!str`, `!tag`, and `%` directives.
    Tag,
    /// The text of a `|` or `>` block scalar.
    BlockScalar,
    /// `:`, `-`, `?`, `[`, `]`, `{`, `}`, `,`, `|`, `>` and block scalar indicators.
    Punctuation,
    /// Blanks.
    Text,
}

impl Token {
    /// The CSS class the editor gives the span.
    pub fn class(self) -> &'static str {
        match self {
            Token::Key => "y-key",
            Token::String => "y-str",
            Token::Number => "y-num",
            Token::BoolNull => "y-bool",
            Token::Comment => "y-comment",
            Token::Separator => "y-sep",
            Token::Anchor => "y-anchor",
            Token::Alias => "y-alias",
            Token::Tag => "y-tag",
            Token::BlockScalar => "y-block",
            Token::Punctuation => "y-punct",
            Token::Text => "y-text",
        }
    }
}

/// One span of a line: its token and its byte range in the line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Span {
    pub token: Token,
    pub range: Range<usize>,
}

/// What a line carries over to the next.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Carry {
    Nothing,
    /// Inside a block scalar whose parent node sits at this column: its text is the lines
    /// indented more than that (and blank lines).
    Block {
        parent: usize,
    },
    /// Inside a quoted scalar that goes on past the line's end.
    Quoted(char),
}

/// The spans of each line of `text` (lines split at `\n`, so a final newline gives a last,
/// empty line, as the editor's gutter counts them). The spans of a line are contiguous,
/// non-empty and cover it exactly.
pub fn highlight(text: &str) -> Vec<Vec<Span>> {
    let mut carry = Carry::Nothing;
    let mut flow_depth = 0usize;
    text.split('\n')
        .map(|line| {
            let mut spans = Vec::new();
            carry = tokenize_line(line, carry, &mut flow_depth, &mut spans);
            spans
        })
        .collect()
}

/// Appends `token` for `range`, merging it into the previous span of the same token.
fn push(spans: &mut Vec<Span>, token: Token, range: Range<usize>) {
    if range.is_empty() {
        return;
    }
    if let Some(last) = spans.last_mut() {
        if last.token == token && last.range.end == range.start {
            last.range.end = range.end;
            return;
        }
    }
    spans.push(Span { token, range });
}

fn is_blank(b: u8) -> bool {
    b == b' ' || b == b'\t' || b == b'\r'
}

/// Whether the byte at `i` ends a token (a blank or the end of the line).
fn blank_or_end(bytes: &[u8], i: usize) -> bool {
    i >= bytes.len() || is_blank(bytes[i])
}

fn indent_of(line: &str) -> usize {
    line.bytes().take_while(|b| *b == b' ').count()
}

fn tokenize_line(line: &str, carry: Carry, flow: &mut usize, spans: &mut Vec<Span>) -> Carry {
    let bytes = line.as_bytes();
    let mut i = 0;
    match carry {
        Carry::Block { parent } => {
            if line.trim().is_empty() || indent_of(line) > parent {
                push(spans, Token::BlockScalar, 0..line.len());
                return carry;
            }
        }
        Carry::Quoted(q) => match quoted_end(bytes, 0, q) {
            Some(end) => {
                push(spans, Token::String, 0..end);
                i = end;
            }
            None => {
                push(spans, Token::String, 0..line.len());
                return carry;
            }
        },
        Carry::Nothing => {}
    }
    if i == 0 {
        if (line.starts_with("---") || line.starts_with("...")) && blank_or_end(bytes, 3) {
            push(spans, Token::Separator, 0..3);
            i = 3;
            *flow = 0;
        } else if line.starts_with('%') {
            push(spans, Token::Tag, 0..line.len());
            return Carry::Nothing;
        }
    }
    // Where the node that a block indicator on this line belongs to starts.
    let mut parent = indent_of(line);
    let mut block_header = false;
    while i < bytes.len() {
        let b = bytes[i];
        let start = i;
        if is_blank(b) {
            while i < bytes.len() && is_blank(bytes[i]) {
                i += 1;
            }
            push(spans, Token::Text, start..i);
            continue;
        }
        if b == b'#' && (i == 0 || is_blank(bytes[i - 1])) {
            push(spans, Token::Comment, i..line.len());
            break;
        }
        if block_header {
            // Indicators after `|`/`>` (`|-`, `>+2`); anything else is not a header after all.
            let end = i + bytes[i..].iter().take_while(|c| !is_blank(**c)).count();
            let indicators = bytes[i..end]
                .iter()
                .all(|c| *c == b'+' || *c == b'-' || c.is_ascii_digit());
            if !indicators {
                block_header = false;
            }
            push(
                spans,
                if indicators {
                    Token::Punctuation
                } else {
                    Token::String
                },
                i..end,
            );
            i = end;
            continue;
        }
        match b {
            b'-' | b'?' | b':' if blank_or_end(bytes, i + 1) => {
                if b == b'-' {
                    parent = i;
                }
                push(spans, Token::Punctuation, i..i + 1);
                i += 1;
            }
            b'[' | b'{' => {
                *flow += 1;
                push(spans, Token::Punctuation, i..i + 1);
                i += 1;
            }
            b']' | b'}' => {
                *flow = flow.saturating_sub(1);
                push(spans, Token::Punctuation, i..i + 1);
                i += 1;
            }
            b',' if *flow > 0 => {
                push(spans, Token::Punctuation, i..i + 1);
                i += 1;
            }
            b':' if *flow > 0 => {
                push(spans, Token::Punctuation, i..i + 1);
                i += 1;
            }
            b'|' | b'>' if *flow == 0 => {
                push(spans, Token::Punctuation, i..i + 1);
                i += 1;
                block_header = true;
            }
            b'&' | b'*' | b'!' => {
                i += 1;
                while i < bytes.len()
                    && !is_blank(bytes[i])
                    && !(*flow > 0 && b",[]{}".contains(&bytes[i]))
                {
                    i += 1;
                }
                let token = match b {
                    b'&' => Token::Anchor,
                    b'*' => Token::Alias,
                    _ => Token::Tag,
                };
                push(spans, token, start..i);
            }
            b'"' | b'\'' => match quoted_end(bytes, i + 1, b as char) {
                Some(end) => {
                    i = end;
                    let token = if followed_by_colon(bytes, i, *flow) {
                        Token::Key
                    } else {
                        Token::String
                    };
                    push(spans, token, start..i);
                }
                None => {
                    push(spans, Token::String, start..line.len());
                    return Carry::Quoted(b as char);
                }
            },
            _ => {
                i = plain_end(bytes, i, *flow);
                // A plain scalar's trailing blanks are not part of it.
                let mut end = i;
                while end > start && is_blank(bytes[end - 1]) {
                    end -= 1;
                }
                let token = if followed_by_colon(bytes, i, *flow) {
                    if *flow == 0 {
                        parent = start;
                    }
                    Token::Key
                } else {
                    scalar_token(&line[start..end])
                };
                push(spans, token, start..end);
                push(spans, Token::Text, end..i);
            }
        }
    }
    if block_header {
        Carry::Block { parent }
    } else {
        Carry::Nothing
    }
}

/// The end (exclusive) of a quoted scalar whose text starts at `from`, if it closes on this
/// line: `\"` escapes in double quotes, `''` in single quotes.
fn quoted_end(bytes: &[u8], from: usize, quote: char) -> Option<usize> {
    let mut i = from;
    while i < bytes.len() {
        match (quote, bytes[i]) {
            ('"', b'\\') => i += 2,
            ('"', b'"') => return Some(i + 1),
            ('\'', b'\'') if bytes.get(i + 1) == Some(&b'\'') => i += 2,
            ('\'', b'\'') => return Some(i + 1),
            _ => i += 1,
        }
    }
    None
}

/// Whether a `:` that makes what ends at `i` a key follows (blanks allowed before it).
fn followed_by_colon(bytes: &[u8], i: usize, flow: usize) -> bool {
    let mut j = i;
    while j < bytes.len() && is_blank(bytes[j]) {
        j += 1;
    }
    j < bytes.len()
        && bytes[j] == b':'
        && (blank_or_end(bytes, j + 1) || (flow > 0 && b",[]{}".contains(&bytes[j + 1])))
}

/// The end of a plain scalar starting at `i`: before `: `, ` #`, the end of the line, or (in
/// a flow collection) a flow indicator.
fn plain_end(bytes: &[u8], mut i: usize, flow: usize) -> usize {
    while i < bytes.len() {
        let b = bytes[i];
        if b == b':' && (blank_or_end(bytes, i + 1) || flow > 0) {
            break;
        }
        if b == b'#' && i > 0 && is_blank(bytes[i - 1]) {
            break;
        }
        if flow > 0 && b",[]{}".contains(&b) {
            break;
        }
        i += 1;
    }
    // Blanks before a comment belong to the gap, not the scalar (the caller trims them).
    i
}

/// A plain scalar's token, as go-yaml resolves it.
fn scalar_token(s: &str) -> Token {
    match resolve(s) {
        Resolved::Null | Resolved::Bool(_) => Token::BoolNull,
        Resolved::Int(_) | Resolved::Float(_) => Token::Number,
        _ => Token::String,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Each line as (token, text) pairs, blanks left out.
    fn tokens(text: &str) -> Vec<Vec<(Token, std::string::String)>> {
        let lines: Vec<&str> = text.split('\n').collect();
        highlight(text)
            .into_iter()
            .zip(lines)
            .map(|(spans, line)| {
                spans
                    .into_iter()
                    .filter(|s| s.token != Token::Text)
                    .map(|s| (s.token, line[s.range].to_string()))
                    .collect()
            })
            .collect()
    }

    fn t(token: Token, s: &str) -> (Token, std::string::String) {
        (token, s.to_string())
    }

    use Token::*;

    #[test]
    fn keys_values_and_punctuation() {
        assert_eq!(
            tokens("metadata:\n  name: web # the name\n  replicas: 3\n  ready: yes\n  x: ~"),
            vec![
                vec![t(Key, "metadata"), t(Punctuation, ":")],
                vec![
                    t(Key, "name"),
                    t(Punctuation, ":"),
                    t(String, "web"),
                    t(Comment, "# the name")
                ],
                vec![t(Key, "replicas"), t(Punctuation, ":"), t(Number, "3")],
                // YAML 1.1, as kubectl reads it: `yes` is a boolean.
                vec![t(Key, "ready"), t(Punctuation, ":"), t(BoolNull, "yes")],
                vec![t(Key, "x"), t(Punctuation, ":"), t(BoolNull, "~")],
            ]
        );
    }

    #[test]
    fn sequences_quotes_and_flow_collections() {
        assert_eq!(
            tokens("- name: \"web: 1\"\n  args: ['a', 2, {k: v}]\n  'q': it''s"),
            vec![
                vec![
                    t(Punctuation, "-"),
                    t(Key, "name"),
                    t(Punctuation, ":"),
                    t(String, "\"web: 1\"")
                ],
                vec![
                    t(Key, "args"),
                    t(Punctuation, ":"),
                    t(Punctuation, "["),
                    t(String, "'a'"),
                    t(Punctuation, ","),
                    t(Number, "2"),
                    t(Punctuation, ","),
                    t(Punctuation, "{"),
                    t(Key, "k"),
                    t(Punctuation, ":"),
                    t(String, "v"),
                    t(Punctuation, "}]"),
                ],
                vec![t(Key, "'q'"), t(Punctuation, ":"), t(String, "it''s")],
            ]
        );
    }

    #[test]
    fn separators_anchors_aliases_tags_and_directives() {
        assert_eq!(
            tokens("%YAML 1.1\n--- # first\na: &x !!str 1\nb: *x\n..."),
            vec![
                vec![t(Tag, "%YAML 1.1")],
                vec![t(Separator, "---"), t(Comment, "# first")],
                vec![
                    t(Key, "a"),
                    t(Punctuation, ":"),
                    t(Anchor, "&x"),
                    t(Tag, "!!str"),
                    t(Number, "1")
                ],
                vec![t(Key, "b"), t(Punctuation, ":"), t(Alias, "*x")],
                vec![t(Separator, "...")],
            ]
        );
    }

    #[test]
    fn block_scalars_run_while_indented_deeper_than_their_key() {
        assert_eq!(
            tokens("data:\n  script: |-\n    echo a: b\n\n    # not a comment\n  next: 1"),
            vec![
                vec![t(Key, "data"), t(Punctuation, ":")],
                vec![
                    t(Key, "script"),
                    t(Punctuation, ":"),
                    // Adjacent spans of one token are one span.
                    t(Punctuation, "|-"),
                ],
                vec![t(BlockScalar, "    echo a: b")],
                vec![],
                vec![t(BlockScalar, "    # not a comment")],
                vec![t(Key, "next"), t(Punctuation, ":"), t(Number, "1")],
            ]
        );
        // In a sequence item the block belongs to the key after the dash.
        assert_eq!(
            tokens("- cmd: >\n    x\n  y: 1")[1..],
            [
                vec![t(BlockScalar, "    x")],
                vec![t(Key, "y"), t(Punctuation, ":"), t(Number, "1")]
            ]
        );
    }

    #[test]
    fn a_quoted_string_goes_on_across_lines() {
        assert_eq!(
            tokens("a: \"one\n  two\" # c\nb: 1"),
            vec![
                vec![t(Key, "a"), t(Punctuation, ":"), t(String, "\"one")],
                vec![t(String, "  two\""), t(Comment, "# c")],
                vec![t(Key, "b"), t(Punctuation, ":"), t(Number, "1")],
            ]
        );
    }

    // A megabyte tokenizes fast: tests/flow_editor.rs times it (the core reads no clock).

    proptest! {
        #[test]
        fn any_text_is_covered_exactly_by_spans(text in "\\PC{0,200}|[-:#'\"|>&*!\\[\\]{},? \\na-z0-9\\t]{0,200}") {
            let lines: Vec<&str> = text.split('\n').collect();
            let spans = highlight(&text);
            prop_assert_eq!(spans.len(), lines.len());
            for (line, spans) in lines.iter().zip(&spans) {
                let mut at = 0;
                for s in spans {
                    prop_assert_eq!(s.range.start, at);
                    prop_assert!(s.range.end > s.range.start);
                    prop_assert!(line.is_char_boundary(s.range.end));
                    at = s.range.end;
                }
                prop_assert_eq!(at, line.len());
            }
        }
    }
}
