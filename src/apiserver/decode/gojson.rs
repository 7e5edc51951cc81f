//! A JSON reader that accepts and rejects exactly what Go's `encoding/json` scanner does, with
//! its error texts, and keeps what `serde_json::Value` loses: duplicate keys, key order and the
//! literal text of numbers (Go's decode errors print it: `number 1.5`).

/// kubestep's nesting limit. Go's scanner stops at 10000 levels (`exceeded max depth`); kubestep
/// stops earlier, with the same text, so that no recursive walk can exhaust the wasm stack.
pub(crate) const MAX_NESTING_DEPTH: usize = 500;

/// A parsed JSON value, as written.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum JNode {
    Null,
    Bool(bool),
    /// The number's literal text, valid JSON number syntax.
    Number(String),
    String(String),
    Array(Vec<JNode>),
    /// Members in document order, duplicates kept.
    Object(Vec<(String, JNode)>),
}

impl JNode {
    /// Go's word for the JSON value in decode errors (`cannot unmarshal string into ...`).
    pub(crate) fn go_kind(&self) -> &'static str {
        match self {
            JNode::Null => "null",
            JNode::Bool(_) => "bool",
            JNode::Number(_) => "number",
            JNode::String(_) => "string",
            JNode::Array(_) => "array",
            JNode::Object(_) => "object",
        }
    }

    /// The compact JSON text of this value, as Go would re-marshal raw JSON.
    pub(crate) fn to_json_text(&self) -> String {
        let mut out = String::new();
        self.write_json(&mut out);
        out
    }

    fn write_json(&self, out: &mut String) {
        match self {
            JNode::Null => out.push_str("null"),
            JNode::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            JNode::Number(n) => out.push_str(n),
            JNode::String(s) => write_json_string(s, out),
            JNode::Array(items) => {
                out.push('[');
                for (i, v) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    v.write_json(out);
                }
                out.push(']');
            }
            JNode::Object(members) => {
                out.push('{');
                for (i, (k, v)) in members.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write_json_string(k, out);
                    out.push(':');
                    v.write_json(out);
                }
                out.push('}');
            }
        }
    }
}

fn write_json_string(s: &str, out: &mut String) {
    out.push_str(&serde_json::Value::String(s.to_string()).to_string());
}

/// A syntax error with Go's text (`invalid character 'x' looking for beginning of value`) and
/// the byte offset where the scanner stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SyntaxError {
    pub msg: String,
    pub offset: usize,
}

/// Go's `quoteChar`: how the scanner names an offending byte.
pub(crate) fn quote_char(c: u8) -> String {
    match c {
        b'\'' => "'\\''".to_string(),
        b'"' => "'\"'".to_string(),
        _ => {
            // strconv.Quote(string(rune(c))) without the double quotes: Go treats the byte as
            // the code point U+00XX.
            let ch = char::from(c);
            let inner = match ch {
                '\x07' => "\\a".to_string(),
                '\x08' => "\\b".to_string(),
                '\x0c' => "\\f".to_string(),
                '\n' => "\\n".to_string(),
                '\r' => "\\r".to_string(),
                '\t' => "\\t".to_string(),
                '\x0b' => "\\v".to_string(),
                '\\' => "\\\\".to_string(),
                c if (c as u32) < 0x20 || c as u32 == 0x7f => format!("\\x{:02x}", c as u32),
                // C1 controls, NO-BREAK SPACE and SOFT HYPHEN are not printable in Go.
                c if (0x80..=0xa0).contains(&(c as u32)) || c as u32 == 0xad => {
                    format!("\\u{:04x}", c as u32)
                }
                c => c.to_string(),
            };
            format!("'{inner}'")
        }
    }
}

/// Parses one JSON value (with surrounding whitespace) as Go's `json.Unmarshal` would, or
/// returns Go's syntax error.
pub(crate) fn parse(data: &[u8]) -> Result<JNode, SyntaxError> {
    Parser { data, pos: 0 }.parse_document()
}

struct Parser<'a> {
    data: &'a [u8],
    pos: usize,
}

enum Partial {
    Array(Vec<JNode>),
    Object(Vec<(String, JNode)>, String),
}

impl Parser<'_> {
    fn err(&self, c: u8, context: &str) -> SyntaxError {
        SyntaxError {
            msg: format!("invalid character {} {context}", quote_char(c)),
            offset: self.pos,
        }
    }

    fn eof(&self) -> SyntaxError {
        SyntaxError {
            msg: "unexpected end of JSON input".into(),
            offset: self.data.len(),
        }
    }

    fn skip_space(&mut self) {
        while let Some(&c) = self.data.get(self.pos) {
            if matches!(c, b' ' | b'\t' | b'\r' | b'\n') {
                self.pos += 1;
            } else {
                break;
            }
        }
    }

    fn peek(&self) -> Option<u8> {
        self.data.get(self.pos).copied()
    }

    fn parse_document(&mut self) -> Result<JNode, SyntaxError> {
        let value = self.parse_value()?;
        self.skip_space();
        if let Some(c) = self.peek() {
            return Err(self.err(c, "after top-level value"));
        }
        Ok(value)
    }

    /// Iterative, so nesting costs heap rather than stack.
    fn parse_value(&mut self) -> Result<JNode, SyntaxError> {
        let mut stack: Vec<Partial> = Vec::new();
        loop {
            // Read one value start.
            self.skip_space();
            let c = self.peek().ok_or_else(|| self.eof())?;
            let mut value = match c {
                b'{' => {
                    if stack.len() >= MAX_NESTING_DEPTH {
                        return Err(self.err(c, "exceeded max depth"));
                    }
                    self.pos += 1;
                    self.skip_space();
                    match self.peek() {
                        None => return Err(self.eof()),
                        Some(b'}') => {
                            self.pos += 1;
                            Some(JNode::Object(Vec::new()))
                        }
                        Some(b'"') => {
                            let key = self.read_key()?;
                            stack.push(Partial::Object(Vec::new(), key));
                            None
                        }
                        Some(c) => {
                            return Err(self.err(c, "looking for beginning of object key string"))
                        }
                    }
                }
                b'[' => {
                    if stack.len() >= MAX_NESTING_DEPTH {
                        return Err(self.err(c, "exceeded max depth"));
                    }
                    self.pos += 1;
                    self.skip_space();
                    match self.peek() {
                        None => return Err(self.eof()),
                        Some(b']') => {
                            self.pos += 1;
                            Some(JNode::Array(Vec::new()))
                        }
                        Some(_) => {
                            stack.push(Partial::Array(Vec::new()));
                            None
                        }
                    }
                }
                b'"' => Some(JNode::String(self.read_string()?)),
                b'-' | b'0'..=b'9' => Some(JNode::Number(self.read_number()?)),
                b't' => Some(self.read_literal("true", JNode::Bool(true))?),
                b'f' => Some(self.read_literal("false", JNode::Bool(false))?),
                b'n' => Some(self.read_literal("null", JNode::Null)?),
                c => return Err(self.err(c, "looking for beginning of value")),
            };
            // Close containers while values complete.
            while let Some(v) = value.take() {
                let Some(top) = stack.last_mut() else {
                    return Ok(v);
                };
                self.skip_space();
                match top {
                    Partial::Array(items) => {
                        items.push(v);
                        match self.peek() {
                            None => return Err(self.eof()),
                            Some(b',') => self.pos += 1,
                            Some(b']') => {
                                self.pos += 1;
                                let Some(Partial::Array(items)) = stack.pop() else {
                                    unreachable!()
                                };
                                value = Some(JNode::Array(items));
                            }
                            Some(c) => return Err(self.err(c, "after array element")),
                        }
                    }
                    Partial::Object(members, key) => {
                        members.push((std::mem::take(key), v));
                        match self.peek() {
                            None => return Err(self.eof()),
                            Some(b',') => {
                                self.pos += 1;
                                self.skip_space();
                                match self.peek() {
                                    None => return Err(self.eof()),
                                    Some(b'"') => *key = self.read_key()?,
                                    Some(c) => {
                                        return Err(self
                                            .err(c, "looking for beginning of object key string"))
                                    }
                                }
                            }
                            Some(b'}') => {
                                self.pos += 1;
                                let Some(Partial::Object(members, _)) = stack.pop() else {
                                    unreachable!()
                                };
                                value = Some(JNode::Object(members));
                            }
                            Some(c) => return Err(self.err(c, "after object key:value pair")),
                        }
                    }
                }
            }
        }
    }

    /// Reads `"key"` and the `:` after it.
    fn read_key(&mut self) -> Result<String, SyntaxError> {
        let key = self.read_string()?;
        self.skip_space();
        match self.peek() {
            None => Err(self.eof()),
            Some(b':') => {
                self.pos += 1;
                Ok(key)
            }
            Some(c) => Err(self.err(c, "after object key")),
        }
    }

    fn read_literal(&mut self, word: &str, value: JNode) -> Result<JNode, SyntaxError> {
        self.pos += 1;
        for expected in word.bytes().skip(1) {
            // At the end of input Go's scanner steps a space through the state.
            let c = self.peek().unwrap_or(b' ');
            if c != expected {
                let ctx = format!("in literal {word} (expecting {})", quote_char(expected));
                return Err(self.err(c, &ctx));
            }
            self.pos += 1;
        }
        // What follows is checked by the state after the value, as in Go's scanner.
        Ok(value)
    }

    fn read_number(&mut self) -> Result<String, SyntaxError> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
            match self.peek().unwrap_or(b' ') {
                b'0'..=b'9' => {}
                c => return Err(self.err(c, "in numeric literal")),
            }
        }
        if self.peek() == Some(b'0') {
            self.pos += 1;
        } else {
            while matches!(self.peek(), Some(b'0'..=b'9')) {
                self.pos += 1;
            }
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            match self.peek().unwrap_or(b' ') {
                b'0'..=b'9' => {}
                c => return Err(self.err(c, "after decimal point in numeric literal")),
            }
            while matches!(self.peek(), Some(b'0'..=b'9')) {
                self.pos += 1;
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.pos += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            match self.peek().unwrap_or(b' ') {
                b'0'..=b'9' => {}
                c => return Err(self.err(c, "in exponent of numeric literal")),
            }
            while matches!(self.peek(), Some(b'0'..=b'9')) {
                self.pos += 1;
            }
        }
        // At the top level a number may end the input; Go accepts `123`.
        Ok(String::from_utf8_lossy(&self.data[start..self.pos]).into_owned())
    }

    /// Reads a string literal; invalid UTF-8 and lone surrogates become U+FFFD, as in Go.
    fn read_string(&mut self) -> Result<String, SyntaxError> {
        self.pos += 1; // opening quote
        let mut raw: Vec<u8> = Vec::new();
        let mut out = String::new();
        loop {
            let c = self.peek().ok_or_else(|| self.eof())?;
            match c {
                b'"' => {
                    self.pos += 1;
                    push_go_lossy(&raw, &mut out);
                    return Ok(out);
                }
                b'\\' => {
                    push_go_lossy(&raw, &mut out);
                    raw.clear();
                    self.pos += 1;
                    let e = self.peek().unwrap_or(b' ');
                    self.pos += 1;
                    match e {
                        b'b' => out.push('\x08'),
                        b'f' => out.push('\x0c'),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'\\' => out.push('\\'),
                        b'/' => out.push('/'),
                        b'"' => out.push('"'),
                        b'u' => {
                            let first = self.read_hex4()?;
                            if (0xd800..0xdc00).contains(&first)
                                && self.data.get(self.pos) == Some(&b'\\')
                                && self.data.get(self.pos + 1) == Some(&b'u')
                            {
                                // A surrogate pair, if the next escape completes it.
                                let save = self.pos;
                                self.pos += 2;
                                let second = self.read_hex4()?;
                                if (0xdc00..0xe000).contains(&second) {
                                    let cp = 0x10000 + ((first - 0xd800) << 10) + (second - 0xdc00);
                                    out.push(char::from_u32(cp).unwrap_or('\u{fffd}'));
                                } else {
                                    out.push('\u{fffd}');
                                    self.pos = save;
                                }
                            } else {
                                out.push(char::from_u32(first).unwrap_or('\u{fffd}'));
                            }
                        }
                        other => {
                            self.pos -= 1;
                            return Err(self.err(other, "in string escape code"));
                        }
                    }
                }
                c if c < 0x20 => return Err(self.err(c, "in string literal")),
                c => {
                    raw.push(c);
                    self.pos += 1;
                }
            }
        }
    }

    fn read_hex4(&mut self) -> Result<u32, SyntaxError> {
        let mut v = 0u32;
        for _ in 0..4 {
            let c = self.peek().unwrap_or(b' ');
            let d = match c {
                b'0'..=b'9' => c - b'0',
                b'a'..=b'f' => c - b'a' + 10,
                b'A'..=b'F' => c - b'A' + 10,
                _ => return Err(self.err(c, "in \\u hexadecimal character escape")),
            };
            v = v * 16 + u32::from(d);
            self.pos += 1;
        }
        Ok(v)
    }
}

/// Appends bytes as text the way Go's unquote does: each byte of an invalid UTF-8 sequence
/// becomes one U+FFFD.
pub(crate) fn push_go_lossy(mut bytes: &[u8], out: &mut String) {
    loop {
        match std::str::from_utf8(bytes) {
            Ok(s) => {
                out.push_str(s);
                return;
            }
            Err(e) => {
                let (valid, rest) = bytes.split_at(e.valid_up_to());
                out.push_str(std::str::from_utf8(valid).unwrap_or_default());
                let bad = e.error_len().unwrap_or(rest.len());
                for _ in 0..bad {
                    out.push('\u{fffd}');
                }
                bytes = &rest[bad..];
            }
        }
    }
}

/// A float64 from JSON number syntax (serde_json's parser; core's would add to the wasm), or
/// `None` when out of range.
pub(crate) fn parse_f64(text: &str) -> Option<f64> {
    serde_json::from_str::<f64>(text)
        .ok()
        .filter(|f| f.is_finite())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(s: &str) -> String {
        parse(s.as_bytes()).unwrap_err().msg
    }

    #[test]
    fn syntax_errors_have_go_texts() {
        assert_eq!(err(""), "unexpected end of JSON input");
        assert_eq!(err("{"), "unexpected end of JSON input");
        assert_eq!(
            err("x"),
            "invalid character 'x' looking for beginning of value"
        );
        assert_eq!(
            err("{a}"),
            "invalid character 'a' looking for beginning of object key string"
        );
        assert_eq!(err(r#"{"a" 1}"#), "invalid character '1' after object key");
        assert_eq!(
            err(r#"{"a":1 "b":2}"#),
            "invalid character '\"' after object key:value pair"
        );
        assert_eq!(err("[1 2]"), "invalid character '2' after array element");
        assert_eq!(err("{} x"), "invalid character 'x' after top-level value");
        assert_eq!(
            err("tru"),
            "invalid character ' ' in literal true (expecting 'e')"
        );
        assert_eq!(err("-"), "invalid character ' ' in numeric literal");
        assert_eq!(
            err("1."),
            "invalid character ' ' after decimal point in numeric literal"
        );
        assert_eq!(
            err("1e+"),
            "invalid character ' ' in exponent of numeric literal"
        );
        assert_eq!(err("\"ab"), "unexpected end of JSON input");
        assert_eq!(err("\"\\"), "invalid character ' ' in string escape code");
        assert_eq!(err("[01]"), "invalid character '1' after array element");
        assert_eq!(
            err("{\"a\":1,}"),
            "invalid character '}' looking for beginning of object key string"
        );
        assert_eq!(
            err("[1,]"),
            "invalid character ']' looking for beginning of value"
        );
        assert_eq!(
            parse(b"\xa0").unwrap_err().msg,
            "invalid character '\\u00a0' looking for beginning of value"
        );
        assert_eq!(
            err("trux"),
            "invalid character 'x' in literal true (expecting 'e')"
        );
        assert_eq!(
            err("nul1"),
            "invalid character '1' in literal null (expecting 'l')"
        );
        assert_eq!(err("-x"), "invalid character 'x' in numeric literal");
        assert_eq!(
            err("1.x"),
            "invalid character 'x' after decimal point in numeric literal"
        );
        assert_eq!(
            err("1ex"),
            "invalid character 'x' in exponent of numeric literal"
        );
        assert_eq!(err("01"), "invalid character '1' after top-level value");
        assert_eq!(err("\"a\nb\""), "invalid character '\\n' in string literal");
        assert_eq!(
            err(r#""\q""#),
            "invalid character 'q' in string escape code"
        );
        assert_eq!(
            err(r#""\u12x4""#),
            "invalid character 'x' in \\u hexadecimal character escape"
        );
        assert_eq!(
            err("'a'"),
            "invalid character '\\'' looking for beginning of value"
        );
        assert_eq!(
            err("\u{1}"),
            "invalid character '\\x01' looking for beginning of value"
        );
        assert_eq!(
            parse(b"\xff").unwrap_err().msg,
            "invalid character '\u{ff}' looking for beginning of value"
        );
        assert_eq!(
            parse(b"\x85").unwrap_err().msg,
            "invalid character '\\u0085' looking for beginning of value"
        );
        let deep = "[".repeat(MAX_NESTING_DEPTH + 1);
        assert_eq!(err(&deep), "invalid character '[' exceeded max depth");
    }

    #[test]
    fn keeps_duplicates_order_and_number_text() {
        let v = parse(br#" {"b": 1.50, "a": [true, null], "b": "x\u00e9\ud83d\ude00"} "#).unwrap();
        let JNode::Object(m) = v else { panic!() };
        assert_eq!(m[0], ("b".into(), JNode::Number("1.50".into())));
        assert_eq!(m[1].0, "a");
        assert_eq!(m[2], ("b".into(), JNode::String("xé😀".into())));
        assert_eq!(
            parse(b"\"\xff\"").unwrap(),
            JNode::String("\u{fffd}".into())
        );
    }

    #[test]
    fn float_texts_parse_unless_out_of_range() {
        assert_eq!(parse_f64("1e400"), None);
        assert_eq!(parse_f64("0.1"), Some(0.1));
    }
}
