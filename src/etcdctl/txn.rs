//! `etcdctl txn`'s standard-input grammar (`txn_command.go`): compares, a blank line, success
//! requests, a blank line, failure requests, a blank line. Each request line is a `get`, `put`
//! or `del` command line; each compare is `target("key") op "value"`.

use crate::etcd::api::{Compare, CompareResult, CompareTarget, RequestOp, TxnRequest};
use crate::etcdctl::flags::{self, go_quote};
use crate::etcdctl::{del_op, exit, get_op, put_op, Outcome};

/// Reads the transaction from `stdin`. Returns the interactive prompts printed before the
/// answer, or the output and exit code of a failed read.
pub fn read_txn(stdin: &str, interactive: bool) -> Result<(String, TxnRequest), Outcome> {
    let mut prompts = String::new();
    let mut lines = Lines { rest: stdin };
    let prompt = |s: &str, prompts: &mut String| {
        if interactive {
            prompts.push_str(s);
            prompts.push('\n');
        }
    };
    let with_prompts = |prompts: &str, o: Outcome| Outcome {
        text: format!("{prompts}{}", o.text),
        exit_code: o.exit_code,
    };
    let mut txn = TxnRequest::default();
    prompt("compares:", &mut prompts);
    loop {
        let line = lines.next().map_err(|o| with_prompts(&prompts, o))?;
        let line = line.trim();
        if line.is_empty() {
            break;
        }
        txn.compare
            .push(parse_compare(line).map_err(|o| with_prompts(&prompts, o))?);
    }
    prompt("success requests (get, put, del):", &mut prompts);
    txn.success = read_ops(&mut lines).map_err(|o| with_prompts(&prompts, o))?;
    prompt("failure requests (get, put, del):", &mut prompts);
    txn.failure = read_ops(&mut lines).map_err(|o| with_prompts(&prompts, o))?;
    Ok((prompts, txn))
}

/// bufio.Reader.ReadString('\n'): a line without its newline ends the input with `EOF`.
struct Lines<'a> {
    rest: &'a str,
}

impl<'a> Lines<'a> {
    fn next(&mut self) -> Result<&'a str, Outcome> {
        match self.rest.find('\n') {
            Some(i) => {
                let line = &self.rest[..i];
                self.rest = &self.rest[i + 1..];
                Ok(line)
            }
            None => Err(Outcome {
                text: "Error: EOF\n".to_string(),
                exit_code: exit::INVALID_INPUT,
            }),
        }
    }
}

fn invalid(msg: String) -> Outcome {
    Outcome {
        text: format!("Error: {msg}\n"),
        exit_code: exit::INVALID_INPUT,
    }
}

fn read_ops(lines: &mut Lines<'_>) -> Result<Vec<RequestOp>, Outcome> {
    let mut ops = Vec::new();
    loop {
        let line = lines.next()?;
        let line = line.trim();
        if line.is_empty() {
            return Ok(ops);
        }
        ops.push(parse_request(line)?);
    }
}

/// A word of a txn line as `argify`'s regular expression matched it.
enum Word {
    Plain(String),
    /// A single-quoted word, quotes included.
    SingleQuoted(String),
}

/// etcdctl's `argify`: double-quoted words (Go-unquoted), single-quoted words, or runs of
/// non-space characters.
///
/// etcdctl 3.4 strips a single-quoted word with `args[i][1 : len(args)-1]`, the number of
/// words rather than the word's length: `put k 'a b'` stores `a`. That quirk is kept.
pub fn argify(s: &str) -> Result<Vec<String>, Outcome> {
    let words = argify_words(s);
    let n = words.len();
    words
        .into_iter()
        .map(|w| match w {
            Word::Plain(w) => Ok(w),
            Word::SingleQuoted(w) => {
                let end = n - 1;
                if end < 1 {
                    Err(go_runtime_panic(&format!(
                        "slice bounds out of range [1:{end}]"
                    )))
                } else if end > w.len() {
                    Err(go_runtime_panic(&format!(
                        "slice bounds out of range [:{end}] with length {}",
                        w.len()
                    )))
                } else {
                    Ok(String::from_utf8_lossy(&w.as_bytes()[1..end]).into_owned())
                }
            }
        })
        .collect()
}

/// The Go runtime's report of a panic in `argify`.
fn go_runtime_panic(msg: &str) -> Outcome {
    Outcome {
        text: format!("panic: runtime error: {msg}\n\ngoroutine 1 [running]:\ngo.etcd.io/etcd/etcdctl/ctlv3/command.argify(...)\n\tgo.etcd.io/etcd/etcdctl/ctlv3/command/util.go\n"),
        exit_code: 2,
    }
}

fn argify_words(s: &str) -> Vec<Word> {
    let chars: Vec<char> = s.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        if c == '"' {
            let mut j = i + 1;
            while j < chars.len() && chars[j] != '"' {
                if chars[j] == '\\' {
                    j += 1;
                }
                j += 1;
            }
            if j < chars.len() {
                let word: String = chars[i..=j].iter().collect();
                out.push(Word::Plain(unquote(&word).unwrap_or(word)));
                i = j + 1;
                continue;
            }
        } else if c == '\'' {
            if let Some(end) = chars[i + 1..].iter().position(|&x| x == '\'') {
                out.push(Word::SingleQuoted(chars[i..i + 2 + end].iter().collect()));
                i += end + 2;
                continue;
            }
        }
        // A word starts with a character other than a quote and runs to the next space.
        if c == '"' || c == '\'' {
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && !chars[i].is_whitespace() {
            i += 1;
        }
        out.push(Word::Plain(chars[start..i].iter().collect()));
    }
    out
}

/// Go's `%q` scan of a double-quoted string (the common escapes).
fn unquote(q: &str) -> Option<String> {
    let inner = q.strip_prefix('"')?.strip_suffix('"')?;
    let mut out = String::new();
    let mut it = inner.chars();
    while let Some(c) = it.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match it.next()? {
            'n' => out.push('\n'),
            't' => out.push('\t'),
            'r' => out.push('\r'),
            '\\' => out.push('\\'),
            '"' => out.push('"'),
            '\'' => out.push('\''),
            'x' => {
                let h: String = it.by_ref().take(2).collect();
                out.push(char::from(u8::from_str_radix(&h, 16).ok()?));
            }
            _ => return None,
        }
    }
    Some(out)
}

fn parse_request(line: &str) -> Result<RequestOp, Outcome> {
    let args = argify(line)?;
    if args.len() < 2 {
        return Err(invalid(format!("invalid txn compare request: {line}")));
    }
    let bad = || invalid(format!("invalid txn request: {line}"));
    let (specs, usage): (&[flags::FlagSpec], &str) = match args[0].as_str() {
        // What cobra prints for a bad flag on a txn line (captured from etcdctl 3.4.23).
        "get" => (super::GET_FLAGS, include_str!("help/txn_get_usage.txt")),
        "put" => (super::PUT_FLAGS, include_str!("help/txn_put_usage.txt")),
        "del" => (super::DEL_FLAGS, include_str!("help/txn_del_usage.txt")),
        _ => return Err(bad()),
    };
    // A txn line is its own small cobra command: etcdctl's global flags are unknown there.
    let p = match flags::parse_only(&args[1..], specs) {
        Ok(p) => p,
        Err(_) => {
            // Cobra prints the sub-command's short usage before the error.
            let mut o = bad();
            o.text = format!("{usage}{}", o.text);
            return Err(o);
        }
    };
    match args[0].as_str() {
        "get" => get_op(&p, &p.args).map(RequestOp::Range),
        "put" => put_op(&p, &p.args, None).map(RequestOp::Put),
        _ => del_op(&p, &p.args).map(RequestOp::DeleteRange),
    }
}

/// `parseCompare`: `target("key") op "value"`, scanned with Go's `%q) %s %q`.
fn parse_compare(line: &str) -> Result<Compare, Outcome> {
    let malformed = || invalid(format!("malformed comparison: {line}"));
    let (target, rest) = line.split_once('(').ok_or_else(malformed)?;
    // Scan: a quoted key, `)`, a space-separated op, a quoted value.
    let (key, after_key) = scan_quoted(rest);
    let mut got = (key.clone(), String::new(), String::new());
    let mut n = 0;
    let mut op = String::new();
    let mut val = String::new();
    if key.is_some() {
        n = 1;
        if let Some(after) = after_key.strip_prefix(')') {
            let after = after.trim_start();
            let op_len = after.find(char::is_whitespace).unwrap_or(after.len());
            if op_len > 0 {
                op = after[..op_len].to_string();
                got.1 = op.clone();
                n = 2;
                let (v, _) = scan_quoted(after[op_len..].trim_start());
                if let Some(v) = v {
                    val = v.clone();
                    got.2 = v;
                    n = 3;
                }
            }
        }
    }
    if n != 3 {
        return Err(invalid(format!(
            "malformed comparison: {line}; got {target}({}) {} {}",
            go_quote(&got.0.unwrap_or_default()),
            got.1,
            go_quote(&got.2)
        )));
    }
    let key = key.expect("scanned").into_bytes();
    let int = |v: &str| {
        v.parse::<i64>()
            .map_err(|_| invalid(format!("invalid txn compare request: {line}")))
    };
    let target = match target {
        "ver" | "version" => CompareTarget::Version(int(&val)?),
        "c" | "create" => CompareTarget::Create(int(&val)?),
        "m" | "mod" => CompareTarget::Mod(int(&val)?),
        "val" | "value" => CompareTarget::Value(val.into_bytes()),
        "lease" => return Err(go_panic("bad value")),
        other => {
            return Err(invalid(format!(
                "malformed comparison: {line} (unknown target {other})"
            )))
        }
    };
    let result = match op.as_str() {
        "=" => CompareResult::Equal,
        "!=" => CompareResult::NotEqual,
        ">" => CompareResult::Greater,
        "<" => CompareResult::Less,
        _ => return Err(go_panic("Unknown result op")),
    };
    Ok(Compare {
        result,
        target,
        key,
        range_end: Vec::new(),
    })
}

/// clientv3's `Compare` panics on an unknown operator and on a quoted lease value; the Go
/// runtime prints the panic and exits with status 2.
fn go_panic(msg: &str) -> Outcome {
    Outcome {
        text: format!("panic: {msg}\n\ngoroutine 1 [running]:\ngo.etcd.io/etcd/clientv3.Compare(...)\n\tgo.etcd.io/etcd/clientv3/compare.go\ngo.etcd.io/etcd/etcdctl/ctlv3/command.parseCompare(...)\n\tgo.etcd.io/etcd/etcdctl/ctlv3/command/txn_command.go:197\n"),
        exit_code: 2,
    }
}

/// Scans a Go `%q` double-quoted string at the start of `s`; returns it and the rest.
fn scan_quoted(s: &str) -> (Option<String>, &str) {
    if !s.starts_with('"') {
        return (None, s);
    }
    let bytes = s.as_bytes();
    let mut i = 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => {
                return match unquote(&s[..=i]) {
                    Some(v) => (Some(v), &s[i + 1..]),
                    None => (None, s),
                };
            }
            _ => i += 1,
        }
    }
    (None, s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_three_sections() {
        let (prompts, t) = read_txn(
            "value(\"a\") = \"1\"\n\nput b 2\nget a\n\nput c 3\n\n",
            false,
        )
        .expect("valid txn");
        assert!(prompts.is_empty());
        assert_eq!(t.compare.len(), 1);
        assert_eq!(t.success.len(), 2);
        assert_eq!(t.failure.len(), 1);
    }

    #[test]
    fn a_missing_final_blank_line_is_eof() {
        let o = read_txn("\nput x 1\n", false).unwrap_err();
        assert_eq!(
            o,
            Outcome {
                text: "Error: EOF\n".into(),
                exit_code: 3
            }
        );
    }

    #[test]
    fn unquoted_numbers_are_malformed() {
        let o = read_txn("mod(\"a\") > 0\n\n\n\n", false).unwrap_err();
        assert_eq!(
            o.text,
            "Error: malformed comparison: mod(\"a\") > 0; got mod(\"a\") > \"\"\n"
        );
    }

    #[test]
    fn argify_groups_quotes_with_etcdctls_single_quote_slice() {
        // Four words: a single-quoted word keeps its bytes 1..3, quote included.
        assert_eq!(
            argify("put \"a b\" 'c d' e").unwrap(),
            vec!["put", "a b", "c ", "e"]
        );
        assert_eq!(argify("put k 'value'").unwrap(), vec!["put", "k", "v"]);
    }
}
