//! kubectl's `-o jsonpath=<template>`: client-go's `util/jsonpath` (parser.go, jsonpath.go)
//! over the object as kubectl holds it (unstructured content), with kubectl's defaults (missing
//! keys allowed) and its error texts. Results of one action are joined by spaces; maps and
//! lists print as compact JSON, strings raw, nil as `null`, floats as Go's `%v`.
//!
//! One deliberate difference: where Go walks a map (`*`, `..`) it meets the keys in Go's
//! random map order, so the real kubectl prints `{.metadata.labels.*}` in a different order
//! from run to run; kubestep walks keys sorted byte-wise, one of those orders.

use std::borrow::Cow;

use serde_json::{Map, Value};

use super::json::{go_number, sorted_entries, to_json_compact, to_json_indented, GoNumber};
use super::json::{go_sharp_v as sharp_v, go_v};
use crate::golang::fmt::{quote, sharp_u};
use crate::golang::strconv::format_g;
use crate::golang::unicode::{is_digit, is_letter};

/// Why a template could not be parsed or run. `Display` is kubectl's message, which it prints
/// after `error: ` (the execution error ends in blank lines, as kubectl's does).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JsonPathError {
    /// `-o jsonpath=` with nothing after the `=`.
    NoTemplate,
    /// `error parsing jsonpath <template>, <reason>`
    Parse { template: String, reason: String },
    /// `error executing jsonpath "<template>": Error executing template: <reason>. ...`,
    /// with the object the engine was given (Go's `%#v`).
    Execute {
        template: String,
        reason: String,
        object: String,
    },
}

impl std::fmt::Display for JsonPathError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            JsonPathError::NoTemplate => {
                f.write_str("template format specified but no template given")
            }
            JsonPathError::Parse { template, reason } => {
                writeln!(f, "error parsing jsonpath {template}, {reason}")
            }
            JsonPathError::Execute {
                template,
                reason,
                object,
            } => write!(
                f,
                "error executing jsonpath {}: Error executing template: {reason}. Printing more information for debugging the template:\n\ttemplate was:\n\t\t{template}\n\tobject given to jsonpath engine was:\n\t\t{object}\n\n\n",
                quote(template)
            ),
        }
    }
}

/// A slice bound of `[start:end:step]` (`ParamsEntry`).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct Param {
    value: i64,
    known: bool,
    derived: bool,
}

/// A node of the parse tree (node.go).
#[derive(Debug, Clone, PartialEq)]
enum Node {
    List(Vec<Node>),
    Text(String),
    Field(String),
    Identifier(String),
    Int(i64),
    Float(f64),
    Bool(bool),
    Array([Param; 3]),
    Filter {
        left: Vec<Node>,
        right: Vec<Node>,
        operator: String,
    },
    Wildcard,
    Recursive,
    Union(Vec<Vec<Node>>),
}

/// A parsed template.
#[derive(Debug, Clone)]
pub struct JsonPath {
    template: String,
    root: Vec<Node>,
    allow_missing_keys: bool,
    output_json: bool,
}

impl JsonPath {
    /// `printers.NewJSONPathPrinter(template)` with kubectl's default of allowing missing keys.
    pub fn parse(template: &str) -> Result<JsonPath, JsonPathError> {
        if template.is_empty() {
            return Err(JsonPathError::NoTemplate);
        }
        let root = Parser::parse(template).map_err(|reason| JsonPathError::Parse {
            template: template.to_string(),
            reason,
        })?;
        Ok(JsonPath {
            template: template.to_string(),
            root,
            allow_missing_keys: true,
            output_json: false,
        })
    }

    /// `--allow-missing-template-keys=false` makes a missing field an error.
    pub fn allow_missing_keys(mut self, allow: bool) -> JsonPath {
        self.allow_missing_keys = allow;
        self
    }

    /// `-o jsonpath-as-json`: each action's results as an indented JSON array.
    pub fn json_output(mut self, on: bool) -> JsonPath {
        self.output_json = on;
        self
    }

    /// `FindResults`: each top-level node's results (as JSON values), or the bare reason of a
    /// failure (what custom columns report).
    pub fn find_results(&self, object: &Value) -> Result<Vec<Vec<Value>>, String> {
        let mut engine = Engine {
            nodes: &self.root,
            begin_range: 0,
            in_range: 0,
            end_range: 0,
            last_end_node: None,
            allow_missing_keys: self.allow_missing_keys,
        };
        let results = engine.find_results(0, self.root.len(), GoValue::of(object))?;
        Ok(results
            .iter()
            .map(|r| r.iter().map(GoValue::to_json).collect())
            .collect())
    }

    /// What kubectl's JSONPathPrinter writes for one object.
    pub fn execute(&self, object: &Value) -> Result<String, JsonPathError> {
        let mut engine = Engine {
            nodes: &self.root,
            begin_range: 0,
            in_range: 0,
            end_range: 0,
            last_end_node: None,
            allow_missing_keys: self.allow_missing_keys,
        };
        let fail = |reason: String| JsonPathError::Execute {
            template: self.template.clone(),
            reason,
            object: sharp_v(object),
        };
        let results = engine
            .find_results(0, self.root.len(), GoValue::of(object))
            .map_err(fail)?;
        let mut out = String::new();
        for r in &results {
            self.print_results(r, &mut out);
        }
        Ok(out)
    }

    fn print_results(&self, results: &[GoValue<'_>], out: &mut String) {
        if self.output_json {
            let array = Value::Array(results.iter().map(GoValue::to_json).collect());
            out.push_str(&to_json_indented(&array));
            out.push('\n');
            return;
        }
        for (i, r) in results.iter().enumerate() {
            match r {
                GoValue::Map(_) | GoValue::Slice(_) => out.push_str(&to_json_compact(&r.to_json())),
                other => out.push_str(&other.text()),
            }
            if i != results.len() - 1 {
                out.push(' ');
            }
        }
    }
}

/// kubectl's `-o jsonpath=<template>` output for one object.
pub fn print(template: &str, object: &Value) -> Result<String, JsonPathError> {
    JsonPath::parse(template)?.execute(object)
}

// ---------------------------------------------------------------------------------------------
// Parser (parser.go)

const EOF: Option<char> = None;

struct Parser<'t> {
    input: &'t str,
    pos: usize,
    start: usize,
    width: usize,
}

fn is_space(r: Option<char>) -> bool {
    matches!(r, Some(' ') | Some('\t'))
}

fn is_end_of_line(r: Option<char>) -> bool {
    matches!(r, Some('\r') | Some('\n'))
}

fn is_terminator(r: Option<char>) -> bool {
    if is_space(r) || is_end_of_line(r) {
        return true;
    }
    matches!(
        r,
        None | Some('.' | ',' | '[' | ']' | '$' | '@' | '{' | '}')
    )
}

fn is_alpha_numeric(r: Option<char>) -> bool {
    r.is_some_and(|c| c == '_' || is_letter(c) || is_digit(c))
}

/// One node of a parsed path, as `kubectl explain` looks at it: a field's name, or something
/// else (a recursive descent, an array index, a filter...).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathNode {
    Field(String),
    Other,
}

/// `kubectl explain`'s `jsonPathParse`: `in` (a trailing `.` dropped) parsed as the template
/// `{.<in>}`, which must be one action; its nodes. Errors are the parser's texts.
pub fn explain_path(input: &str) -> Result<Vec<PathNode>, String> {
    let input = input.strip_suffix('.').unwrap_or(input);
    let root = Parser::parse(&format!("{{.{input}}}"))?;
    let [Node::List(nodes)] = root.as_slice() else {
        return Err("must pass in 1 jsonpath string".into());
    };
    Ok(nodes
        .iter()
        .map(|n| match n {
            Node::Field(name) => PathNode::Field(name.clone()),
            _ => PathNode::Other,
        })
        .collect())
}

/// `parseAction`: parses `{text}` and returns the nodes of its one action.
fn parse_action(text: &str) -> Result<Vec<Node>, String> {
    let mut root = Parser::parse(&format!("{{{text}}}"))?;
    match root.remove(0) {
        Node::List(nodes) => Ok(nodes),
        _ => unreachable!("an action parses to a list"),
    }
}

/// `^(-?[\d]*)(:-?[\d]*)?(:-?[\d]*)?$`: the three groups, or None.
fn slice_operator(text: &str) -> Option<[Option<String>; 3]> {
    let b = text.as_bytes();
    let mut i = 0;
    let group = |i: &mut usize, colon: bool| -> Option<String> {
        let start = *i;
        if colon {
            if b.get(*i) != Some(&b':') {
                return None;
            }
            *i += 1;
        }
        if b.get(*i) == Some(&b'-') {
            *i += 1;
        }
        while b.get(*i).is_some_and(u8::is_ascii_digit) {
            *i += 1;
        }
        Some(text[start..*i].to_string())
    };
    let first = group(&mut i, false);
    let second = group(&mut i, true);
    let third = group(&mut i, true);
    (i == b.len()).then_some([first, second, third])
}

/// `strconv.Atoi`.
fn atoi(s: &str) -> Option<i64> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// `strconv.ParseFloat(s, 64)` for what parseNumber collects (signs, digits and dots).
fn parse_float(s: &str) -> Option<f64> {
    crate::golang::strconv::parse_float(s)
}

/// `strconv.UnquoteChar(s, quote)`: one (possibly escaped) character and the rest.
fn unquote_char(s: &str, q: char) -> Result<(char, &str), ()> {
    let mut chars = s.chars();
    let c = chars.next().ok_or(())?;
    if c == q && (q == '\'' || q == '"') {
        return Err(());
    }
    if c != '\\' {
        return Ok((c, chars.as_str()));
    }
    let e = chars.next().ok_or(())?;
    let rest = chars.as_str();
    let simple = match e {
        'a' => Some('\u{7}'),
        'b' => Some('\u{8}'),
        'f' => Some('\u{c}'),
        'n' => Some('\n'),
        'r' => Some('\r'),
        't' => Some('\t'),
        'v' => Some('\u{b}'),
        '\\' => Some('\\'),
        '\'' | '"' => {
            if e != q {
                return Err(());
            }
            Some(e)
        }
        _ => None,
    };
    if let Some(c) = simple {
        return Ok((c, rest));
    }
    let hex = |n: usize| -> Result<(u32, &str), ()> {
        if rest.len() < n || !rest.is_char_boundary(n) {
            return Err(());
        }
        let v = u32::from_str_radix(&rest[..n], 16).map_err(|_| ())?;
        if !rest[..n].bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(());
        }
        Ok((v, &rest[n..]))
    };
    match e {
        'x' => {
            let (v, r) = hex(2)?;
            // A \x byte above 0x7F is a raw byte in Go; here it must stand for a character.
            Ok((char::from_u32(v).ok_or(())?, r))
        }
        'u' => {
            let (v, r) = hex(4)?;
            Ok((char::from_u32(v).ok_or(())?, r))
        }
        'U' => {
            let (v, r) = hex(8)?;
            Ok((char::from_u32(v).ok_or(())?, r))
        }
        '0'..='7' => {
            let digits = format!("{e}{}", rest.get(..2).ok_or(())?);
            if !digits.bytes().all(|b| (b'0'..=b'7').contains(&b)) {
                return Err(());
            }
            let v = u32::from_str_radix(&digits, 8).map_err(|_| ())?;
            if v > 255 {
                return Err(());
            }
            Ok((char::from_u32(v).ok_or(())?, &rest[2..]))
        }
        _ => Err(()),
    }
}

/// `UnquoteExtend`: like `strconv.Unquote`, with single quotes for strings too.
fn unquote_extend(s: &str) -> Result<String, ()> {
    let n = s.len();
    if n < 2 {
        return Err(());
    }
    let q = s.as_bytes()[0];
    if q != s.as_bytes()[n - 1] || (q != b'"' && q != b'\'') {
        return Err(());
    }
    let mut body = &s[1..n - 1];
    if !body.contains('\\') && !body.contains(q as char) {
        return Ok(body.to_string());
    }
    let mut out = String::new();
    while !body.is_empty() {
        let (c, rest) = unquote_char(body, q as char)?;
        out.push(c);
        body = rest;
    }
    Ok(out)
}

impl<'t> Parser<'t> {
    fn parse(text: &str) -> Result<Vec<Node>, String> {
        let mut p = Parser {
            input: text,
            pos: 0,
            start: 0,
            width: 0,
        };
        let mut root = Vec::new();
        p.parse_text(&mut root)?;
        Ok(root)
    }

    fn consume_text(&mut self) -> &'t str {
        let v = &self.input[self.start..self.pos];
        self.start = self.pos;
        v
    }

    fn next(&mut self) -> Option<char> {
        if self.pos >= self.input.len() {
            self.width = 0;
            return EOF;
        }
        let c = self.input[self.pos..].chars().next().expect("a character");
        self.width = c.len_utf8();
        self.pos += self.width;
        Some(c)
    }

    fn peek(&mut self) -> Option<char> {
        let r = self.next();
        self.backup();
        r
    }

    fn backup(&mut self) {
        self.pos -= self.width;
    }

    fn rest(&self) -> &'t str {
        &self.input[self.pos..]
    }

    /// `parseText` and, through the actions, the whole template: top-level nodes in order.
    fn parse_text(&mut self, root: &mut Vec<Node>) -> Result<(), String> {
        loop {
            if self.rest().starts_with('{') {
                if self.pos > self.start {
                    root.push(Node::Text(self.consume_text().to_string()));
                }
                // parseLeftDelim
                self.pos += 1;
                self.consume_text();
                let mut action = Vec::new();
                let result = self.parse_inside_action(&mut action);
                root.push(Node::List(action));
                result?;
                // parseRightDelim consumed the '}' and goes on with the text.
                continue;
            }
            if self.next() == EOF {
                break;
            }
        }
        if self.pos > self.start {
            root.push(Node::Text(self.consume_text().to_string()));
        }
        Ok(())
    }

    /// Parses one action up to and including its `}`.
    fn parse_inside_action(&mut self, cur: &mut Vec<Node>) -> Result<(), String> {
        loop {
            let rest = self.rest();
            if rest.starts_with('}') {
                self.pos += 1;
                self.consume_text();
                return Ok(());
            }
            if rest.starts_with("[?(") {
                self.parse_filter(cur)?;
                continue;
            }
            if rest.starts_with("..") {
                self.parse_recursive(cur)?;
                continue;
            }
            let r = self.next();
            match r {
                None => return Err("unclosed action".into()),
                Some(c) if is_end_of_line(Some(c)) => return Err("unclosed action".into()),
                Some(' ') | Some('@') | Some('$') => {
                    self.consume_text();
                }
                Some('[') => self.parse_array(cur)?,
                Some(q @ ('"' | '\'')) => self.parse_quote(cur, q)?,
                Some('.') => self.parse_field(cur)?,
                Some(c) if c == '+' || c == '-' || is_digit(c) => {
                    self.backup();
                    self.parse_number(cur)?;
                }
                Some(c) if is_alpha_numeric(Some(c)) => {
                    self.backup();
                    self.parse_identifier(cur)?;
                }
                Some(c) => return Err(format!("unrecognized character in action: {}", sharp_u(c))),
            }
        }
    }

    fn parse_identifier(&mut self, cur: &mut Vec<Node>) -> Result<(), String> {
        loop {
            let r = self.next();
            if is_terminator(r) {
                self.backup();
                break;
            }
        }
        let value = self.consume_text();
        match value {
            "true" => cur.push(Node::Bool(true)),
            "false" => cur.push(Node::Bool(false)),
            _ => cur.push(Node::Identifier(value.to_string())),
        }
        Ok(())
    }

    fn parse_recursive(&mut self, cur: &mut Vec<Node>) -> Result<(), String> {
        if cur.last() == Some(&Node::Recursive) {
            return Err("invalid multiple recursive descent".into());
        }
        self.pos += 2;
        self.consume_text();
        cur.push(Node::Recursive);
        if is_alpha_numeric(self.peek()) {
            return self.parse_field(cur);
        }
        Ok(())
    }

    fn parse_number(&mut self, cur: &mut Vec<Node>) -> Result<(), String> {
        if matches!(self.peek(), Some('+') | Some('-')) {
            self.next();
        }
        loop {
            let r = self.next();
            if !(r == Some('.') || r.is_some_and(is_digit)) {
                self.backup();
                break;
            }
        }
        let value = self.consume_text();
        if let Some(i) = atoi(value) {
            cur.push(Node::Int(i));
            return Ok(());
        }
        if let Some(f) = parse_float(value) {
            cur.push(Node::Float(f));
            return Ok(());
        }
        Err(format!("cannot parse number {value}"))
    }

    fn parse_array(&mut self, cur: &mut Vec<Node>) -> Result<(), String> {
        loop {
            match self.next() {
                None | Some('\n') => return Err("unterminated array".into()),
                Some(']') => break,
                _ => {}
            }
        }
        let text = self.consume_text();
        let mut text = &text[1..text.len() - 1];
        if text == "*" {
            text = ":";
        }
        // union operator
        let parts: Vec<&str> = text.split(',').collect();
        if parts.len() > 1 {
            let mut union = Vec::new();
            for part in parts {
                union.push(parse_action(&format!("[{}]", part.trim_matches(' ')))?);
            }
            cur.push(Node::Union(union));
            return Ok(());
        }
        // dict key: '...'
        if text.len() >= 2
            && text.starts_with('\'')
            && text.ends_with('\'')
            && !text[1..text.len() - 1].contains('\'')
        {
            let nodes = parse_action(&format!(".{}", &text[1..text.len() - 1]))?;
            cur.extend(nodes);
            return Ok(());
        }
        // slice operator
        let Some(groups) = slice_operator(text) else {
            return Err(format!("invalid array index {text}"));
        };
        let mut params = [Param::default(); 3];
        for i in 0..3 {
            match &groups[i] {
                Some(g) if !g.is_empty() => {
                    let v = if i > 0 { &g[1..] } else { g.as_str() };
                    if i > 0 && v.is_empty() {
                        params[i].known = false;
                    } else {
                        params[i].known = true;
                        params[i].value =
                            atoi(v).ok_or_else(|| format!("array index {v} is not a number"))?;
                    }
                }
                _ => {
                    if i == 1 {
                        params[i].known = true;
                        params[i].value = params[0].value + 1;
                        params[i].derived = true;
                    } else {
                        params[i].known = false;
                        params[i].value = 0;
                    }
                }
            }
        }
        cur.push(Node::Array(params));
        Ok(())
    }

    fn parse_filter(&mut self, cur: &mut Vec<Node>) -> Result<(), String> {
        self.pos += 3;
        self.consume_text();
        let mut begin = false;
        let mut end = false;
        let mut pair = '\0';
        loop {
            let r = self.next();
            match r {
                None | Some('\n') => return Err("unterminated filter".into()),
                Some(q @ ('"' | '\'')) => {
                    if !begin {
                        begin = true;
                        pair = q;
                        continue;
                    }
                    if self.input.as_bytes()[self.pos - 2] != b'\\' && q == pair {
                        end = true;
                    }
                }
                Some(')') if begin == end => break,
                _ => {}
            }
        }
        if self.next() != Some(']') {
            return Err("unclosed array expect ]".into());
        }
        let text = self.consume_text();
        let text = &text[..text.len() - 2];
        // ^([^!<>=]+)([!<>=]+)(.+?)$
        let op_start = text.find(['!', '<', '>', '=']);
        let parsed = op_start.filter(|&s| s > 0).and_then(|s| {
            let mut op_len = text[s..]
                .bytes()
                .take_while(|b| matches!(b, b'!' | b'<' | b'>' | b'='))
                .count();
            // The lazy right group needs a character: the operator group gives one back.
            if s + op_len == text.len() {
                if op_len < 2 {
                    return None;
                }
                op_len -= 1;
            }
            Some((&text[..s], &text[s..s + op_len], &text[s + op_len..]))
        });
        match parsed {
            None => {
                let left = parse_action(text)?;
                cur.push(Node::Filter {
                    left,
                    right: Vec::new(),
                    operator: "exists".into(),
                });
            }
            Some((l, op, r)) => {
                let left = parse_action(l)?;
                let right = parse_action(r)?;
                cur.push(Node::Filter {
                    left,
                    right,
                    operator: op.to_string(),
                });
            }
        }
        Ok(())
    }

    fn parse_quote(&mut self, cur: &mut Vec<Node>, end: char) -> Result<(), String> {
        loop {
            match self.next() {
                None | Some('\n') => return Err("unterminated quoted string".into()),
                Some(c) if c == end && self.input.as_bytes()[self.pos - 2] != b'\\' => break,
                _ => {}
            }
        }
        let value = self.consume_text();
        let s = unquote_extend(value)
            .map_err(|_| format!("unquote string {value} error invalid syntax"))?;
        cur.push(Node::Text(s));
        Ok(())
    }

    fn parse_field(&mut self, cur: &mut Vec<Node>) -> Result<(), String> {
        self.consume_text();
        loop {
            // advance: scans until the next unescaped terminator
            let r = self.next();
            if r == Some('\\') {
                self.next();
            } else if is_terminator(r) {
                self.backup();
                break;
            }
        }
        let value = self.consume_text();
        if value == "*" {
            cur.push(Node::Wildcard);
        } else {
            cur.push(Node::Field(value.replace('\\', "")));
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// Evaluation (jsonpath.go)

/// A `reflect.Value` as the engine meets it in unstructured content.
#[derive(Debug, Clone)]
enum GoValue<'a> {
    /// `reflect.ValueOf(nil)`: what a range over nothing runs its body with.
    Invalid,
    /// A nil `interface{}` (JSON null).
    Nil,
    Bool(bool),
    /// An int64 of the object, or an `int` of the template (`is_int` for `int`).
    Int(i64, bool),
    /// A byte of a string (wildcards walk strings byte by byte).
    Byte(u8),
    Float(f64),
    Str(Cow<'a, str>),
    Map(&'a Map<String, Value>),
    Slice(&'a [Value]),
}

impl<'a> GoValue<'a> {
    fn of(v: &'a Value) -> GoValue<'a> {
        match v {
            Value::Null => GoValue::Nil,
            Value::Bool(b) => GoValue::Bool(*b),
            Value::Number(n) => match go_number(n) {
                GoNumber::Int(i) => GoValue::Int(i, false),
                GoNumber::Float(f) => GoValue::Float(f),
            },
            Value::String(s) => GoValue::Str(Cow::Borrowed(s)),
            Value::Array(items) => GoValue::Slice(items),
            Value::Object(map) => GoValue::Map(map),
        }
    }

    fn to_json(&self) -> Value {
        match self {
            GoValue::Invalid | GoValue::Nil => Value::Null,
            GoValue::Bool(b) => Value::Bool(*b),
            GoValue::Int(i, _) => Value::from(*i),
            GoValue::Byte(b) => Value::from(*b),
            GoValue::Float(f) => {
                serde_json::Number::from_f64(*f).map_or(Value::Null, Value::Number)
            }
            GoValue::Str(s) => Value::String(s.to_string()),
            GoValue::Map(m) => Value::Object((*m).clone()),
            GoValue::Slice(s) => Value::Array(s.to_vec()),
        }
    }

    /// `evalToText`: `fmt.Fprint` of the value, `null` for nil.
    fn text(&self) -> String {
        match self {
            GoValue::Invalid => "<no value>".into(),
            GoValue::Nil => "null".into(),
            GoValue::Bool(b) => b.to_string(),
            GoValue::Int(i, _) => i.to_string(),
            GoValue::Byte(b) => b.to_string(),
            GoValue::Float(f) => format_g(*f),
            GoValue::Str(s) => s.to_string(),
            GoValue::Map(_) | GoValue::Slice(_) => to_json_compact(&self.to_json()),
        }
    }

    /// `value.Type()` as `%v` prints it.
    fn type_name(&self) -> &'static str {
        match self {
            GoValue::Invalid => "<nil>",
            GoValue::Nil => "interface {}",
            GoValue::Bool(_) => "bool",
            GoValue::Int(_, true) => "int",
            GoValue::Int(_, false) => "int64",
            GoValue::Byte(_) => "uint8",
            GoValue::Float(_) => "float64",
            GoValue::Str(_) => "string",
            GoValue::Map(_) => "map[string]interface {}",
            GoValue::Slice(_) => "[]interface {}",
        }
    }

    /// `%v` of the value.
    fn v(&self) -> String {
        match self {
            GoValue::Invalid => "<invalid reflect.Value>".into(),
            GoValue::Nil => "<nil>".into(),
            GoValue::Map(_) | GoValue::Slice(_) => go_v(&self.to_json()),
            other => other.text(),
        }
    }

    /// The children a wildcard or a recursive descent walks.
    fn children(&self) -> Vec<GoValue<'a>> {
        match self {
            GoValue::Map(m) => sorted_entries(m)
                .into_iter()
                .map(|(_, v)| GoValue::of(v))
                .collect(),
            GoValue::Slice(s) => s.iter().map(GoValue::of).collect(),
            GoValue::Str(s) => s.bytes().map(GoValue::Byte).collect(),
            _ => Vec::new(),
        }
    }
}

/// The kinds Go's template comparison functions tell apart (`basicKind`).
#[derive(PartialEq, Eq, Clone, Copy)]
enum Kind {
    Bool,
    Int,
    Uint,
    Float,
    Str,
}

fn basic_kind(v: &GoValue<'_>) -> Result<Kind, String> {
    match v {
        GoValue::Bool(_) => Ok(Kind::Bool),
        GoValue::Int(..) => Ok(Kind::Int),
        GoValue::Byte(_) => Ok(Kind::Uint),
        GoValue::Float(_) => Ok(Kind::Float),
        GoValue::Str(_) => Ok(Kind::Str),
        _ => Err("invalid type for comparison".into()),
    }
}

fn int_of(v: &GoValue<'_>) -> i64 {
    match v {
        GoValue::Int(i, _) => *i,
        _ => 0,
    }
}

fn uint_of(v: &GoValue<'_>) -> u64 {
    match v {
        GoValue::Byte(b) => u64::from(*b),
        _ => 0,
    }
}

fn float_of(v: &GoValue<'_>) -> f64 {
    match v {
        GoValue::Float(f) => *f,
        _ => 0.0,
    }
}

fn str_of<'v>(v: &'v GoValue<'_>) -> &'v str {
    match v {
        GoValue::Str(s) => s,
        _ => "",
    }
}

/// template `eq`.
fn eq(a: &GoValue<'_>, b: &GoValue<'_>) -> Result<bool, String> {
    let k1 = basic_kind(a)?;
    let k2 = basic_kind(b)?;
    if k1 != k2 {
        return match (k1, k2) {
            (Kind::Int, Kind::Uint) => Ok(int_of(a) >= 0 && int_of(a) as u64 == uint_of(b)),
            (Kind::Uint, Kind::Int) => Ok(int_of(b) >= 0 && uint_of(a) == int_of(b) as u64),
            _ => Err("incompatible types for comparison".into()),
        };
    }
    Ok(match k1 {
        Kind::Bool => matches!((a, b), (GoValue::Bool(x), GoValue::Bool(y)) if x == y),
        Kind::Float => float_of(a) == float_of(b),
        Kind::Int => int_of(a) == int_of(b),
        Kind::Str => str_of(a) == str_of(b),
        Kind::Uint => uint_of(a) == uint_of(b),
    })
}

/// template `lt`.
fn lt(a: &GoValue<'_>, b: &GoValue<'_>) -> Result<bool, String> {
    let k1 = basic_kind(a)?;
    let k2 = basic_kind(b)?;
    if k1 != k2 {
        return match (k1, k2) {
            (Kind::Int, Kind::Uint) => Ok(int_of(a) < 0 || (int_of(a) as u64) < uint_of(b)),
            (Kind::Uint, Kind::Int) => Ok(int_of(b) >= 0 && uint_of(a) < int_of(b) as u64),
            _ => Err("incompatible types for comparison".into()),
        };
    }
    Ok(match k1 {
        Kind::Bool => return Err("invalid type for comparison".into()),
        Kind::Float => float_of(a) < float_of(b),
        Kind::Int => int_of(a) < int_of(b),
        Kind::Str => str_of(a) < str_of(b),
        Kind::Uint => uint_of(a) < uint_of(b),
    })
}

fn le(a: &GoValue<'_>, b: &GoValue<'_>) -> Result<bool, String> {
    if lt(a, b)? {
        return Ok(true);
    }
    eq(a, b)
}

struct Engine<'n> {
    nodes: &'n [Node],
    begin_range: usize,
    in_range: usize,
    end_range: usize,
    /// Index in `nodes` of the last `{end}` met (Go keeps a pointer into the same array).
    last_end_node: Option<usize>,
    allow_missing_keys: bool,
}

type Results<'a> = Vec<GoValue<'a>>;

/// A step's results, or its error with what Go returns beside it (an existence filter counts
/// those as found).
type Eval<'a> = Result<Results<'a>, (Results<'a>, String)>;

fn fail<'a>(partial: &[GoValue<'a>], msg: String) -> Eval<'a> {
    Err((partial.to_vec(), msg))
}

impl<'n> Engine<'n> {
    /// `FindResults` over `nodes[from..to]` (Go re-slices the root's nodes for range bodies).
    fn find_results<'a>(
        &mut self,
        from: usize,
        to: usize,
        data: GoValue<'a>,
    ) -> Result<Vec<Results<'a>>, String>
    where
        'n: 'a,
    {
        let cur = vec![data];
        let mut full = Vec::new();
        let mut i = from;
        while i < to {
            let node = &self.nodes[i];
            let results = self.walk(&cur, node).map_err(|(_, msg)| msg)?;
            if self.end_range > 0 && self.end_range <= self.in_range {
                self.end_range -= 1;
                self.last_end_node = Some(i);
                break;
            }
            if self.begin_range > 0 {
                self.begin_range -= 1;
                self.in_range += 1;
                if !results.is_empty() {
                    for value in results {
                        // `value.Interface()` of a nil interface is a plain nil again.
                        let value = match value {
                            GoValue::Nil => GoValue::Invalid,
                            v => v,
                        };
                        let next = self.find_results(i + 1, to, value)?;
                        full.extend(next);
                    }
                } else {
                    self.find_results(i + 1, to, GoValue::Invalid)?;
                }
                self.in_range -= 1;
                // Resume after the most recent end node, if it lies ahead.
                if let Some(k) = self.last_end_node.filter(|&k| k > i && k < to) {
                    i = k;
                }
                i += 1;
                continue;
            }
            full.push(results);
            i += 1;
        }
        Ok(full)
    }

    fn walk<'a>(&mut self, input: &[GoValue<'a>], node: &'n Node) -> Eval<'a>
    where
        'n: 'a,
    {
        match node {
            Node::List(nodes) => self.eval_list(input, nodes),
            Node::Text(t) => Ok(vec![GoValue::Str(Cow::Borrowed(t))]),
            Node::Field(name) => self.eval_field(input, name),
            Node::Array(params) => eval_array(input, params),
            Node::Filter {
                left,
                right,
                operator,
            } => self.eval_filter(input, left, right, operator),
            Node::Int(i) => Ok(input.iter().map(|_| GoValue::Int(*i, true)).collect()),
            Node::Float(f) => Ok(input.iter().map(|_| GoValue::Float(*f)).collect()),
            Node::Bool(b) => Ok(input.iter().map(|_| GoValue::Bool(*b)).collect()),
            Node::Wildcard => Ok(input.iter().flat_map(|v| v.children()).collect()),
            Node::Recursive => Ok(eval_recursive(input)),
            Node::Union(lists) => {
                let mut out = Vec::new();
                for list in lists {
                    match self.eval_list(input, list) {
                        Ok(r) => out.extend(r),
                        Err((_, msg)) => return fail(input, msg),
                    }
                }
                Ok(out)
            }
            Node::Identifier(name) => match name.as_str() {
                "range" => {
                    self.begin_range += 1;
                    Ok(input.to_vec())
                }
                "end" => {
                    if self.in_range > 0 {
                        self.end_range += 1;
                        Ok(Vec::new())
                    } else {
                        fail(&[], "not in range, nothing to end".into())
                    }
                }
                other => fail(input, format!("unrecognized identifier {other}")),
            },
        }
    }

    fn eval_list<'a>(&mut self, input: &[GoValue<'a>], nodes: &'n [Node]) -> Eval<'a>
    where
        'n: 'a,
    {
        let mut cur = input.to_vec();
        for node in nodes {
            cur = self.walk(&cur, node)?;
        }
        Ok(cur)
    }

    fn eval_field<'a>(&self, input: &[GoValue<'a>], name: &str) -> Eval<'a> {
        let mut results = Vec::new();
        if input.is_empty() {
            return Ok(results);
        }
        for value in input {
            if let GoValue::Map(m) = value {
                if let Some(v) = m.get(name) {
                    results.push(GoValue::of(v));
                }
            }
        }
        if results.is_empty() && !self.allow_missing_keys {
            return fail(&[], format!("{name} is not found"));
        }
        Ok(results)
    }

    fn eval_filter<'a>(
        &mut self,
        input: &[GoValue<'a>],
        left: &'n [Node],
        right: &'n [Node],
        operator: &str,
    ) -> Eval<'a>
    where
        'n: 'a,
    {
        let mut results = Vec::new();
        for value in input {
            let GoValue::Slice(items) = value else {
                return fail(
                    input,
                    format!("{} is not array or slice and cannot be filtered", value.v()),
                );
            };
            for item in items.iter() {
                let temp = [GoValue::of(item)];
                let lefts = self.eval_list(&temp, left);
                if operator == "exists" {
                    let found = match lefts {
                        Ok(l) | Err((l, _)) => !l.is_empty(),
                    };
                    if found {
                        results.push(GoValue::of(item));
                    }
                    continue;
                }
                let lefts = lefts.map_err(|(_, msg)| (input.to_vec(), msg))?;
                match lefts.len() {
                    0 => continue,
                    1 => {}
                    _ => return fail(input, "can only compare one element at a time".into()),
                }
                let rights = self
                    .eval_list(&temp, right)
                    .map_err(|(_, msg)| (input.to_vec(), msg))?;
                match rights.len() {
                    0 => continue,
                    1 => {}
                    _ => return fail(input, "can only compare one element at a time".into()),
                }
                let (l, r) = (&lefts[0], &rights[0]);
                let pass = match operator {
                    "<" => lt(l, r),
                    ">" => le(l, r).map(|b| !b),
                    "==" => eq(l, r),
                    "!=" => eq(l, r).map(|b| !b),
                    "<=" => le(l, r),
                    ">=" => lt(l, r).map(|b| !b),
                    other => Err(format!("unrecognized filter operator {other}")),
                };
                let pass = match pass {
                    Ok(p) => p,
                    Err(msg) => return fail(&results, msg),
                };
                if pass {
                    results.push(GoValue::of(item));
                }
            }
        }
        Ok(results)
    }
}

fn eval_array<'a>(input: &[GoValue<'a>], node_params: &[Param; 3]) -> Eval<'a> {
    let mut result = Vec::new();
    for value in input {
        let items: Vec<GoValue<'a>> = match value {
            GoValue::Nil | GoValue::Invalid => continue,
            GoValue::Slice(s) => s.iter().map(GoValue::of).collect(),
            other => {
                return fail(
                    input,
                    format!("{} is not array or slice", other.type_name()),
                )
            }
        };
        let mut params = *node_params;
        let len = items.len() as i64;
        if !params[0].known {
            params[0].value = 0;
        }
        if params[0].value < 0 {
            params[0].value += len;
        }
        if !params[1].known {
            params[1].value = len;
        }
        if params[1].value < 0 || (params[1].value == 0 && params[1].derived) {
            params[1].value += len;
        }
        if params[1].value != params[0].value {
            if params[0].value >= len || params[0].value < 0 {
                return fail(
                    input,
                    format!(
                        "array index out of bounds: index {}, length {len}",
                        params[0].value
                    ),
                );
            }
            if params[1].value > len || params[1].value < 0 {
                return fail(
                    input,
                    format!(
                        "array index out of bounds: index {}, length {len}",
                        params[1].value - 1
                    ),
                );
            }
            if params[0].value > params[1].value {
                return fail(
                    input,
                    format!(
                        "starting index {} is greater than ending index {}",
                        params[0].value, params[1].value
                    ),
                );
            }
        } else {
            return Ok(result);
        }
        let slice = &items[params[0].value as usize..params[1].value as usize];
        let mut step = 1usize;
        if params[2].known {
            if params[2].value <= 0 {
                return fail(input, "step must be > 0".into());
            }
            step = params[2].value as usize;
        }
        result.extend(slice.iter().step_by(step).cloned());
    }
    Ok(result)
}

/// `evalRecursive`: every map, slice or string with something inside, and what is inside them,
/// depth first.
fn eval_recursive<'a>(input: &[GoValue<'a>]) -> Results<'a> {
    let mut result = Vec::new();
    for value in input {
        let children = value.children();
        if !children.is_empty() {
            result.push(value.clone());
            result.extend(eval_recursive(&children));
        }
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pod() -> Value {
        json!({"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": "web", "labels": {"b": "2", "a": "1"}, "annotations": {"x": null}},
            "spec": {"containers": [{"name": "c1", "image": "nginx", "ports": [{"containerPort": 80}]},
                                    {"name": "c2", "image": "redis"}], "f": 1.5, "big": 1e6, "t": true}})
    }

    fn run(t: &str) -> String {
        match print(t, &pod()) {
            Ok(s) => s,
            Err(e) => format!("error: {e}"),
        }
    }

    #[test]
    fn templates_print_as_kubectl_prints_them() {
        assert_eq!(run("{.metadata.name}"), "web");
        assert_eq!(run("{.spec.containers[*].name}"), "c1 c2");
        assert_eq!(run("{.metadata.annotations.x}"), "null");
        assert_eq!(run("{.spec.f} {.spec.big} {.spec.t}"), "1.5 1000000 true");
        assert_eq!(
            run(r#"{range .spec.containers[*]}{.name}{"\t"}{.image}{"\n"}{end}"#),
            "c1\tnginx\nc2\tredis\n"
        );
        assert_eq!(run(r#"{.spec.containers[?(@.image=="redis")].name}"#), "c2");
        assert_eq!(run("{.spec.containers[-1:].name}"), "c2");
        assert_eq!(run("{.spec.containers[0,1].name}"), "c1 c2");
        assert_eq!(run("{.metadata.labels['a']}"), "1");
        assert_eq!(run(".metadata.name"), ".metadata.name");
        assert_eq!(
            run("{.spec.containers[?(@.ports[0].containerPort>70)].name}"),
            "c1"
        );
    }

    #[test]
    fn errors_read_as_kubectl_writes_them() {
        assert_eq!(
            run("{.metadata.name"),
            "error: error parsing jsonpath {.metadata.name, unclosed action\n"
        );
        assert!(run("{.spec.containers[5]}").starts_with(
            "error: error executing jsonpath \"{.spec.containers[5]}\": Error executing template: array index out of bounds: index 5, length 2. Printing more information for debugging the template:\n\ttemplate was:\n\t\t{.spec.containers[5]}\n\tobject given to jsonpath engine was:\n\t\tmap[string]interface {}{\"apiVersion\":\"v1\", "
        ));
        assert!(run("{end}").contains("not in range, nothing to end."));
        assert!(run("{foo}").contains("unrecognized identifier foo."));
    }
}
