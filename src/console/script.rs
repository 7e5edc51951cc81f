//! Console scripts: the lines a learner types (or a script holds), parsed the way a POSIX shell
//! would for the forms kubestep supports: quoting and backslashes, comments, line continuations,
//! `VAR=value` prefixes, heredocs (`<<EOF`, `<<'EOF'`, `<<-EOF`), and one pipe from `echo` or
//! `cat` into a tool (`cat <<EOF | kubectl apply -f -`).

/// One command to run: its environment prefix, words, and what its standard input holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Command {
    /// `VAR=value` words before the command (`ETCDCTL_API=3`).
    pub env: Vec<(String, String)>,
    pub argv: Vec<String>,
    /// The heredoc's or the piped command's output, if any.
    pub stdin: Option<String>,
    /// What the command on the left of a pipe wrote to stderr (`cat: x: No such file or
    /// directory`), shown before the command's own output, as a terminal shows it.
    pub pipe_stderr: String,
    /// The line(s) as typed, for the transcript.
    pub source: String,
}

/// A parse error, in bash's words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScriptError {
    /// 1-based line of the script.
    pub line: usize,
    pub message: String,
}

impl std::fmt::Display for ScriptError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

/// Splits one logical line into words and an optional heredoc marker.
#[derive(Debug, Default)]
struct Words {
    words: Vec<String>,
    /// (delimiter, strip leading tabs) of a `<<` heredoc.
    heredoc: Option<(String, bool)>,
    /// Index in `words` where a `|` split the line.
    pipe_at: Option<usize>,
}

fn split(line: &str) -> Result<Words, String> {
    let mut out = Words::default();
    let mut cur = String::new();
    let mut in_word = false;
    let mut chars = line.chars().peekable();
    let mut pending_heredoc: Option<bool> = None;
    let push =
        |out: &mut Words, cur: &mut String, in_word: &mut bool, heredoc: &mut Option<bool>| {
            if *in_word {
                let w = std::mem::take(cur);
                match heredoc.take() {
                    Some(strip) => out.heredoc = Some((w, strip)),
                    None => out.words.push(w),
                }
                *in_word = false;
            }
        };
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(ch) => cur.push(ch),
                        None => {
                            return Err("unexpected EOF while looking for matching `''".to_string())
                        }
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(ch @ ('"' | '\\' | '$' | '`')) => cur.push(ch),
                            Some(ch) => {
                                cur.push('\\');
                                cur.push(ch);
                            }
                            None => {
                                return Err(
                                    "unexpected EOF while looking for matching `\"'".to_string()
                                )
                            }
                        },
                        Some(ch) => cur.push(ch),
                        None => {
                            return Err("unexpected EOF while looking for matching `\"'".to_string())
                        }
                    }
                }
            }
            '\\' => {
                in_word = true;
                if let Some(ch) = chars.next() {
                    cur.push(ch);
                }
            }
            '#' if !in_word => break,
            '|' => {
                push(&mut out, &mut cur, &mut in_word, &mut pending_heredoc);
                if out.pipe_at.is_some() {
                    return Err("only one pipe into a command is supported".to_string());
                }
                out.pipe_at = Some(out.words.len());
            }
            '<' if !in_word && chars.peek() == Some(&'<') => {
                chars.next();
                let strip = chars.peek() == Some(&'-');
                if strip {
                    chars.next();
                }
                while chars.peek().is_some_and(|c| *c == ' ') {
                    chars.next();
                }
                pending_heredoc = Some(strip);
            }
            c if c.is_whitespace() => push(&mut out, &mut cur, &mut in_word, &mut pending_heredoc),
            c => {
                in_word = true;
                cur.push(c);
            }
        }
    }
    push(&mut out, &mut cur, &mut in_word, &mut pending_heredoc);
    if pending_heredoc.is_some() {
        return Err("syntax error near unexpected token `newline'".to_string());
    }
    Ok(out)
}

fn is_assignment(word: &str) -> Option<(String, String)> {
    let (name, value) = word.split_once('=')?;
    let valid = !name.is_empty()
        && name
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    valid.then(|| (name.to_string(), value.to_string()))
}

/// What `echo` prints for its arguments (`-n` drops the newline).
pub fn echo(args: &[String]) -> String {
    match args.split_first() {
        Some((flag, rest)) if flag == "-n" => rest.join(" "),
        _ => format!("{}\n", args.join(" ")),
    }
}

/// Parses a whole script. `read_file` answers `cat FILE` on the left of a pipe.
pub fn parse(
    text: &str,
    read_file: &dyn Fn(&str) -> Option<String>,
) -> Result<Vec<Command>, ScriptError> {
    match parse_prefix(text, read_file) {
        (commands, None) => Ok(commands),
        (_, Some(e)) => Err(e),
    }
}

/// Parses a script up to its first syntax error: the commands before it (which a shell runs
/// before it reaches the broken line) and the error, if any.
pub fn parse_prefix(
    text: &str,
    read_file: &dyn Fn(&str) -> Option<String>,
) -> (Vec<Command>, Option<ScriptError>) {
    let mut commands = Vec::new();
    let error = parse_into(text, read_file, &mut commands).err();
    (commands, error)
}

/// What the left side of a pipe writes: (stdout, stderr).
fn pipe_source(
    left: &[String],
    heredoc: Option<&String>,
    read_file: &dyn Fn(&str) -> Option<String>,
) -> (String, String) {
    match left.split_first() {
        Some((cmd, args)) if cmd == "echo" => (echo(args), String::new()),
        Some((cmd, args)) if cmd == "cat" && args.is_empty() => {
            (heredoc.cloned().unwrap_or_default(), String::new())
        }
        Some((cmd, args)) if cmd == "cat" => {
            let (mut out, mut err) = (String::new(), String::new());
            for f in args {
                match read_file(f) {
                    Some(t) => out.push_str(&t),
                    None => err.push_str(&format!("cat: {f}: No such file or directory\n")),
                }
            }
            (out, err)
        }
        Some((cmd, _)) if cmd == "kubectl" || cmd == "etcdctl" => (
            String::new(),
            format!("kubestep: {cmd}: only echo and cat can be piped into a command here\n"),
        ),
        Some((cmd, _)) => (
            String::new(),
            format!("kubestep: {cmd}: command not found\n"),
        ),
        None => (String::new(), String::new()),
    }
}

fn parse_into(
    text: &str,
    read_file: &dyn Fn(&str) -> Option<String>,
    commands: &mut Vec<Command>,
) -> Result<(), ScriptError> {
    let lines: Vec<&str> = text.lines().collect();
    let mut i = 0;
    while i < lines.len() {
        let start = i;
        let mut logical = lines[i].to_string();
        // Line continuations.
        while logical.ends_with('\\') && i + 1 < lines.len() {
            logical.pop();
            i += 1;
            logical.push_str(lines[i]);
        }
        i += 1;
        let words = split(&logical).map_err(|message| ScriptError {
            line: start + 1,
            message,
        })?;
        let mut heredoc_body = None;
        if let Some((delim, strip)) = &words.heredoc {
            let mut body = String::new();
            let mut closed = false;
            while i < lines.len() {
                let l = if *strip {
                    lines[i].trim_start_matches('\t')
                } else {
                    lines[i]
                };
                i += 1;
                if l == delim {
                    closed = true;
                    break;
                }
                body.push_str(l);
                body.push('\n');
            }
            if !closed {
                return Err(ScriptError {
                    line: start + 1,
                    message: format!(
                        "warning: here-document delimited by end-of-file (wanted `{delim}')"
                    ),
                });
            }
            heredoc_body = Some(body);
        }
        if words.words.is_empty() {
            continue;
        }
        let source = lines[start..i].join("\n");
        let (left, right) = match words.pipe_at {
            Some(at) => (words.words[..at].to_vec(), words.words[at..].to_vec()),
            None => (Vec::new(), words.words.clone()),
        };
        if words.pipe_at.is_some() && left.is_empty() {
            return Err(ScriptError {
                line: start + 1,
                message: "syntax error near unexpected token `|'".to_string(),
            });
        }
        let (stdin, pipe_stderr) = if words.pipe_at.is_some() {
            let (out, err) = pipe_source(&left, heredoc_body.as_ref(), read_file);
            (Some(out), err)
        } else {
            (heredoc_body, String::new())
        };
        let mut env = Vec::new();
        let mut argv = right;
        while let Some(first) = argv.first() {
            match is_assignment(first) {
                Some(kv) => {
                    env.push(kv);
                    argv.remove(0);
                }
                None => break,
            }
        }
        if argv.is_empty() && env.is_empty() {
            return Err(ScriptError {
                line: start + 1,
                message: "syntax error near unexpected token `|'".to_string(),
            });
        }
        commands.push(Command {
            env,
            argv,
            stdin,
            pipe_stderr,
            source,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_files(_: &str) -> Option<String> {
        None
    }

    #[test]
    fn env_prefixes_quotes_and_comments() {
        let cmds = parse(
            "# list pods\nETCDCTL_API=3 etcdctl get /registry/pods --prefix --keys-only  # keys\nkubectl get pods -l 'app in (web, api)'\n",
            &no_files,
        )
        .unwrap();
        assert_eq!(cmds.len(), 2);
        assert_eq!(
            cmds[0].env,
            vec![("ETCDCTL_API".to_string(), "3".to_string())]
        );
        assert_eq!(
            cmds[0].argv,
            [
                "etcdctl",
                "get",
                "/registry/pods",
                "--prefix",
                "--keys-only"
            ]
        );
        assert_eq!(cmds[1].argv[4], "app in (web, api)");
    }

    #[test]
    fn heredocs_feed_stdin_directly_or_through_cat() {
        let script = "cat <<EOF | kubectl apply -f -\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: dev\nEOF\netcdctl txn <<'END'\nmod(\"k\") > \"0\"\n\nput k v\n\nEND\n";
        let cmds = parse(script, &no_files).unwrap();
        assert_eq!(cmds[0].argv, ["kubectl", "apply", "-f", "-"]);
        assert_eq!(
            cmds[0].stdin.as_deref(),
            Some("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: dev\n")
        );
        assert_eq!(cmds[1].argv, ["etcdctl", "txn"]);
        assert_eq!(
            cmds[1].stdin.as_deref(),
            Some("mod(\"k\") > \"0\"\n\nput k v\n\n")
        );
    }

    #[test]
    fn pipes_from_echo_and_cat_of_files() {
        let files = |f: &str| (f == "pod.yaml").then(|| "kind: Pod\n".to_string());
        let cmds = parse(
            "echo -n hello | etcdctl put greeting\ncat pod.yaml | kubectl apply -f -\n",
            &files,
        )
        .unwrap();
        assert_eq!(cmds[0].stdin.as_deref(), Some("hello"));
        assert_eq!(cmds[1].stdin.as_deref(), Some("kind: Pod\n"));
        // As in bash, a failing cat still runs the command, with what cat did print.
        let cmds = parse("cat nope.yaml | kubectl apply -f -", &files).unwrap();
        assert_eq!(
            cmds[0].pipe_stderr,
            "cat: nope.yaml: No such file or directory\n"
        );
        assert_eq!(cmds[0].stdin.as_deref(), Some(""));
        assert_eq!(
            parse("frob x | kubectl apply -f -", &files).unwrap()[0].pipe_stderr,
            "kubestep: frob: command not found\n"
        );
    }

    #[test]
    fn a_syntax_error_stops_the_script_after_the_lines_before_it() {
        let (cmds, err) = parse_prefix("kubectl get pods\necho 'oops\nkubectl get ns\n", &no_files);
        assert_eq!(cmds.len(), 1);
        assert_eq!(cmds[0].argv, ["kubectl", "get", "pods"]);
        let err = err.unwrap();
        assert_eq!(err.line, 2);
        assert_eq!(err.message, "unexpected EOF while looking for matching `''");
    }

    #[test]
    fn broken_lines_get_bash_errors() {
        assert!(parse("echo 'oops", &no_files)
            .unwrap_err()
            .message
            .starts_with("unexpected EOF"));
        assert!(parse("kubectl apply -f - <<EOF\nkind: Pod\n", &no_files)
            .unwrap_err()
            .message
            .contains("here-document"));
        assert_eq!(
            parse("| kubectl get pods", &no_files).unwrap_err().message,
            "syntax error near unexpected token `|'"
        );
        assert_eq!(
            parse("kubectl get pods \\\n  -n kube-system", &no_files).unwrap()[0].argv,
            ["kubectl", "get", "pods", "-n", "kube-system"]
        );
    }
}
