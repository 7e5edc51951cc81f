//! The simulated processes of containers: what a container's `command` and `args` do.
//!
//! A simplification, said plainly: nothing runs. kubestep reads the container's words and
//! decides, by the rules below, whether its process ends by itself (after how long, with which
//! exit code), whether SIGTERM stops it, and what it prints.
//!
//! - **No command**: the image's entrypoint runs, taken to be a server: it runs until stopped
//!   and prints the image's start-up lines (nginx, redis; nothing for others).
//! - **A shell** (`sh`, `bash`, `ash`, `dash`) with `-c SCRIPT` runs the script's statements in
//!   order. Statements are separated by `;`, newlines, `&&` (the next runs only after a
//!   success), `||` (only after a failure), `|` and `&`; quotes and backslashes are honoured.
//!   A `while`, `until` or `for` loop runs until stopped (its body is not interpreted);
//!   `if`, `then`, `else`, `elif`, `fi`, `case`, `esac`, `set` and `trap` statements are not
//!   interpreted either (they succeed). A bare shell reads the end of its empty input and exits
//!   0, unless the container keeps `stdin` open; a shell given a script file runs it as a
//!   server.
//! - **Commands**: `exit N` ends the process with N; `sleep N` (`s`, `m`, `h`, `d` suffixes)
//!   waits N seconds and `sleep infinity` forever; `true`/`:` succeed and `false` fails;
//!   `echo`/`printf` print their arguments, `date` the start time as busybox prints it, perl's
//!   `print bpi(N)` (the Job example) π to N significant digits, perl's and python's
//!   `print "..."`/`print("...")` their string; `tail -f` and `ping` without `-c` run forever;
//!   the common one-shot utilities ([`ONE_SHOT`]) succeed at once. **Any other program is taken
//!   to be a service** that runs until stopped (nginx, redis-server, agnhost, a `python app.py`).
//! - **Exit code**: that of `exit N`, else of the last statement run.
//! - **Time**: a process that ends by itself runs [`RUN_TIME`] plus its sleeps; CPU time is not
//!   modelled (π to 1000 digits takes as long as `echo`).
//! - **Output**: everything a process prints appears in its log when it starts (a line printed
//!   after a `sleep` shows up early).
//! - **SIGTERM**: a process whose words mention `sleep` ignores it (a shell or `sleep` as PID 1
//!   has no handler), unless the script `trap`s TERM; everything else stops at once, code 0.

use serde_json::Value;

use crate::sim::{SimDuration, SimTime};

/// How long a process that ends by itself runs, besides its sleeps.
pub const RUN_TIME: SimDuration = SimDuration::from_millis(500);

/// The largest `bpi(N)` computed; larger requests print this many digits.
pub const MAX_PI_DIGITS: usize = 10_000;

/// Programs that do their work and exit at once (with code 0).
pub const ONE_SHOT: &[&str] = &[
    "awk",
    "base64",
    "basename",
    "cat",
    "cd",
    "chmod",
    "chown",
    "cp",
    "curl",
    "cut",
    "df",
    "dirname",
    "du",
    "env",
    "export",
    "expr",
    "find",
    "free",
    "grep",
    "gzip",
    "head",
    "hostname",
    "id",
    "ln",
    "ls",
    "md5sum",
    "mkdir",
    "mv",
    "nproc",
    "nslookup",
    "printenv",
    "ps",
    "pwd",
    "rev",
    "rm",
    "sed",
    "seq",
    "sha256sum",
    "sort",
    "sync",
    "tar",
    "tee",
    "test",
    "[",
    "touch",
    "tr",
    "uname",
    "wc",
    "wget",
    "whoami",
    "xargs",
];

const SHELLS: &[&str] = &["sh", "bash", "ash", "dash", "zsh"];

/// The process exits by itself with `code`, `after` it started.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Exit {
    pub code: i32,
    pub after: SimDuration,
}

/// One thing a process prints.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Output {
    Line(String),
    /// `date`: the start time, `Thu Jan  1 00:01:00 UTC 2026`.
    Date,
    /// perl's `print bpi(N)`.
    Pi(usize),
}

/// What a container's simulated process does (see the module doc for the rules).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProcessBehaviour {
    /// `Some`: the process exits by itself; `None`: it runs until stopped.
    pub exit: Option<Exit>,
    /// Whether SIGTERM stops it (otherwise the grace period runs out and SIGKILL ends it).
    pub handles_sigterm: bool,
    /// No command: the image's entrypoint decides what is printed.
    pub image_entrypoint: bool,
    output: Vec<Output>,
}

impl ProcessBehaviour {
    /// The behaviour of `container` (a pod spec's container).
    pub fn of(container: &Value) -> ProcessBehaviour {
        let words: Vec<String> = ["command", "args"]
            .iter()
            .flat_map(|f| container[*f].as_array().into_iter().flatten())
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect();
        let all = words.join(" ");
        let mut run = Run {
            stdin_open: container["stdin"].as_bool() == Some(true),
            ..Run::default()
        };
        if words.is_empty() {
            return ProcessBehaviour {
                exit: None,
                handles_sigterm: true,
                image_entrypoint: true,
                output: Vec::new(),
            };
        }
        run.command(&words);
        let trap_term = all.contains("trap") && (all.contains("TERM") || all.contains("SIGTERM"));
        ProcessBehaviour {
            exit: (!run.forever).then_some(Exit {
                code: run.exited.unwrap_or(run.status),
                after: SimDuration::from_millis(RUN_TIME.as_millis() + run.slept_ms),
            }),
            handles_sigterm: !all.contains("sleep") || trap_term,
            image_entrypoint: false,
            output: run.output,
        }
    }

    /// The lines the process prints, for a process started at `started_at`.
    pub fn log(&self, started_at: SimTime) -> Vec<String> {
        self.output
            .iter()
            .flat_map(|o| match o {
                Output::Line(l) => l.split('\n').map(str::to_string).collect::<Vec<_>>(),
                Output::Date => vec![busybox_date(started_at)],
                Output::Pi(n) => vec![pi_digits(*n)],
            })
            .collect()
    }
}

/// The state of a simulated run through a command line.
#[derive(Default)]
struct Run {
    status: i32,
    exited: Option<i32>,
    forever: bool,
    slept_ms: u64,
    output: Vec<Output>,
    stdin_open: bool,
}

impl Run {
    fn done(&self) -> bool {
        self.forever || self.exited.is_some()
    }

    /// One simple command (its words, quotes already removed).
    fn command(&mut self, words: &[String]) {
        // `VAR=value cmd`: the assignments only set the environment.
        let words: Vec<&str> = words
            .iter()
            .map(String::as_str)
            .skip_while(|w| is_assignment(w))
            .collect();
        let Some(first) = words.first() else {
            self.status = 0;
            return;
        };
        let program = first.rsplit('/').next().unwrap_or(first);
        let args = &words[1..];
        self.status = 0;
        match program {
            _ if SHELLS.contains(&program) => match args.iter().position(|a| *a == "-c") {
                Some(i) => self.script(args.get(i + 1).copied().unwrap_or("")),
                None if args.iter().all(|a| a.starts_with('-')) && !self.stdin_open => {}
                None => self.forever = true,
            },
            "exit" => {
                self.exited = Some(
                    args.first()
                        .and_then(|n| n.parse().ok())
                        .unwrap_or(self.status),
                )
            }
            "sleep" => match args.first().map(|a| parse_sleep(a)) {
                Some(Some(ms)) => self.slept_ms += ms,
                Some(None) if args.first() == Some(&"infinity") => self.forever = true,
                // busybox: `sleep: invalid number` (or a missing operand), code 1.
                _ => self.status = 1,
            },
            "true" | ":" => {}
            "false" => self.status = 1,
            "echo" => {
                let text: Vec<&str> = args
                    .iter()
                    .skip_while(|a| matches!(**a, "-n" | "-e" | "-ne" | "-en" | "-E"))
                    .copied()
                    .collect();
                self.output.push(Output::Line(text.join(" ")));
            }
            "printf" => {
                if let Some(format) = args.first() {
                    let text = printf(format, &args[1..]);
                    let text = text.strip_suffix('\n').unwrap_or(&text).to_string();
                    self.output.push(Output::Line(text));
                }
            }
            "date" => self.output.push(Output::Date),
            "perl" => match inline_script(args, 'e') {
                Some(script) => {
                    if let Some(n) = call_arg(script, "bpi(") {
                        self.output.push(Output::Pi(n.clamp(1, MAX_PI_DIGITS)));
                    } else if let Some(s) = print_literal(script) {
                        self.output.push(Output::Line(s));
                    }
                }
                None => self.forever = true,
            },
            "python" | "python3" | "python2" => match inline_script(args, 'c') {
                Some(script) => {
                    if let Some(s) = print_literal(script) {
                        self.output.push(Output::Line(s));
                    }
                }
                None => self.forever = true,
            },
            "tail" if args.iter().any(|a| *a == "-f" || *a == "-F") => self.forever = true,
            "ping" if !args.iter().any(|a| a.starts_with("-c")) => self.forever = true,
            "ping" => {}
            _ if ONE_SHOT.contains(&program) => {}
            // Not interpreted: control structure and shell settings.
            "if" | "then" | "else" | "elif" | "fi" | "case" | "esac" | "set" | "trap" => {}
            "while" | "until" | "for" => self.forever = true,
            _ => self.forever = true,
        }
    }

    /// A shell script: its statements in order, with `&&` and `||` deciding what runs.
    fn script(&mut self, text: &str) {
        let mut skip_next = false;
        for (words, sep) in statements(text) {
            if self.done() {
                return;
            }
            if !skip_next && !words.is_empty() {
                self.command(&words);
            }
            skip_next = match sep {
                Sep::And => self.status != 0,
                Sep::Or => self.status == 0,
                Sep::Seq => false,
            };
        }
    }
}

fn is_assignment(w: &str) -> bool {
    match w.split_once('=') {
        Some((name, _)) => {
            !name.is_empty()
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                && !name.starts_with(|c: char| c.is_ascii_digit())
        }
        None => false,
    }
}

/// `sleep`'s operand in milliseconds (`5`, `0.5`, `2m`, `1h`, `1d`).
fn parse_sleep(arg: &str) -> Option<u64> {
    let (num, unit) = match arg.char_indices().find(|(_, c)| c.is_ascii_alphabetic()) {
        Some((i, _)) => arg.split_at(i),
        None => (arg, ""),
    };
    let scale = match unit {
        "" | "s" => 1000.0,
        "m" => 60_000.0,
        "h" => 3_600_000.0,
        "d" => 86_400_000.0,
        _ => return None,
    };
    let n: f64 = num.parse().ok()?;
    (n >= 0.0 && n.is_finite()).then_some((n * scale) as u64)
}

/// perl `-e`/`-wle` or python `-c`: the inline script after the flag cluster ending in `flag`.
fn inline_script<'a>(args: &[&'a str], flag: char) -> Option<&'a str> {
    let i = args
        .iter()
        .position(|a| a.starts_with('-') && !a.starts_with("--") && a.ends_with(flag))?;
    args.get(i + 1).copied()
}

/// `N` of the first `name N)` call in `script` (`bpi(1000)`).
fn call_arg(script: &str, call: &str) -> Option<usize> {
    let start = script.find(call)? + call.len();
    let rest = &script[start..];
    let end = rest.find(')')?;
    rest[..end].trim().parse().ok()
}

/// The string literal a `print "..."` / `print('...')` prints.
fn print_literal(script: &str) -> Option<String> {
    let start = script.find("print")? + "print".len();
    let rest = script[start..]
        .trim_start()
        .trim_start_matches('(')
        .trim_start();
    let quote = rest.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let body = &rest[1..];
    let end = body.find(quote)?;
    Some(body[..end].replace("\\n", "\n"))
}

/// A `printf` format with `%s`/`%d` filled from `args` and `\n`/`\t` escapes.
fn printf(format: &str, args: &[&str]) -> String {
    let mut out = String::new();
    let mut args = args.iter();
    let mut chars = format.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, chars.peek().copied()) {
            ('\\', Some('n')) => {
                chars.next();
                out.push('\n');
            }
            ('\\', Some('t')) => {
                chars.next();
                out.push('\t');
            }
            ('%', Some('s' | 'd')) => {
                chars.next();
                out.push_str(args.next().copied().unwrap_or(""));
            }
            ('%', Some('%')) => {
                chars.next();
                out.push('%');
            }
            _ => out.push(c),
        }
    }
    out
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Sep {
    Seq,
    And,
    Or,
}

/// A shell script's statements: their words (quotes removed) and what follows each.
fn statements(text: &str) -> Vec<(Vec<String>, Sep)> {
    let mut out = Vec::new();
    let mut words: Vec<String> = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = text.chars().peekable();
    let end_word = |word: &mut String, in_word: &mut bool, words: &mut Vec<String>| {
        if *in_word {
            words.push(std::mem::take(word));
            *in_word = false;
        }
    };
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                in_word = true;
                for d in chars.by_ref() {
                    if d == '\'' {
                        break;
                    }
                    word.push(d);
                }
            }
            '"' => {
                in_word = true;
                while let Some(d) = chars.next() {
                    match d {
                        '"' => break,
                        '\\' if matches!(chars.peek(), Some('"' | '\\' | '$' | '`')) => {
                            word.extend(chars.next());
                        }
                        _ => word.push(d),
                    }
                }
            }
            '\\' => {
                if let Some(d) = chars.next() {
                    if d != '\n' {
                        in_word = true;
                        word.push(d);
                    }
                }
            }
            '#' if !in_word => {
                for d in chars.by_ref() {
                    if d == '\n' {
                        break;
                    }
                }
                end_word(&mut word, &mut in_word, &mut words);
                out.push((std::mem::take(&mut words), Sep::Seq));
            }
            ';' | '\n' => {
                end_word(&mut word, &mut in_word, &mut words);
                out.push((std::mem::take(&mut words), Sep::Seq));
            }
            '&' | '|' => {
                end_word(&mut word, &mut in_word, &mut words);
                let sep = if chars.peek() == Some(&c) {
                    chars.next();
                    if c == '&' {
                        Sep::And
                    } else {
                        Sep::Or
                    }
                } else {
                    Sep::Seq
                };
                out.push((std::mem::take(&mut words), sep));
            }
            c if c.is_whitespace() => end_word(&mut word, &mut in_word, &mut words),
            c => {
                in_word = true;
                word.push(c);
            }
        }
    }
    end_word(&mut word, &mut in_word, &mut words);
    out.push((words, Sep::Seq));
    out
}

/// busybox `date`'s default format at `t`: `Thu Jan  1 00:01:00 UTC 2026`.
pub fn busybox_date(t: SimTime) -> String {
    const DAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let secs = t.unix_seconds();
    // 1970-01-01 was a Thursday.
    let weekday = DAYS[((secs / 86_400 + 4) % 7) as usize];
    let ts = t.rfc3339();
    let year = &ts[0..4];
    let month: usize = ts[5..7].parse().unwrap_or(1);
    let day: u32 = ts[8..10].parse().unwrap_or(1);
    format!(
        "{weekday} {} {day:>2} {} UTC {year}",
        MONTHS[month - 1],
        &ts[11..19]
    )
}

/// π to `n` significant digits, rounded, as Math::BigFloat's `bpi(n)` prints it
/// (`bpi(5)` is `3.1416`). Machin's formula, π = 16·atan(1/5) − 4·atan(1/239), in fixed point
/// with nine decimal digits per limb.
pub fn pi_digits(n: usize) -> String {
    const BASE: u64 = 1_000_000_000;
    let n = n.max(1);
    // Guard digits absorb the truncation error of the series.
    let limbs = (n + 20).div_ceil(9) + 1;
    let div = |x: &mut Vec<u64>, d: u64| {
        let mut rem = 0u64;
        for limb in x.iter_mut() {
            let cur = rem * BASE + *limb;
            *limb = cur / d;
            rem = cur % d;
        }
    };
    let add = |x: &mut Vec<u64>, y: &[u64]| {
        let mut carry = 0;
        for i in (0..x.len()).rev() {
            let s = x[i] + y[i] + carry;
            x[i] = s % BASE;
            carry = s / BASE;
        }
    };
    let sub = |x: &mut Vec<u64>, y: &[u64]| {
        let mut borrow = 0;
        for i in (0..x.len()).rev() {
            let need = y[i] + borrow;
            if x[i] >= need {
                x[i] -= need;
                borrow = 0;
            } else {
                x[i] = x[i] + BASE - need;
                borrow = 1;
            }
        }
    };
    let mul = |x: &mut Vec<u64>, m: u64| {
        let mut carry = 0;
        for i in (0..x.len()).rev() {
            let p = x[i] * m + carry;
            x[i] = p % BASE;
            carry = p / BASE;
        }
    };
    let atan_inv = |x: u64| {
        let mut term = vec![0u64; limbs];
        term[0] = 1;
        div(&mut term, x);
        let mut sum = term.clone();
        let mut k = 1u64;
        loop {
            div(&mut term, x * x);
            if term.iter().all(|l| *l == 0) {
                break;
            }
            let mut t = term.clone();
            div(&mut t, 2 * k + 1);
            if k % 2 == 1 {
                sub(&mut sum, &t);
            } else {
                add(&mut sum, &t);
            }
            k += 1;
        }
        sum
    };
    let mut pi = atan_inv(5);
    mul(&mut pi, 16);
    let mut b = atan_inv(239);
    mul(&mut b, 4);
    sub(&mut pi, &b);
    let mut digits: Vec<u8> = pi[0].to_string().bytes().map(|b| b - b'0').collect();
    for limb in &pi[1..] {
        digits.extend(format!("{limb:09}").bytes().map(|b| b - b'0'));
    }
    // Round half up at the n-th significant digit.
    let round_up = digits[n] >= 5;
    digits.truncate(n);
    if round_up {
        let mut i = n;
        while i > 0 {
            i -= 1;
            if digits[i] == 9 {
                digits[i] = 0;
            } else {
                digits[i] += 1;
                break;
            }
        }
    }
    let text: String = digits.iter().map(|d| char::from(b'0' + d)).collect();
    if n == 1 {
        text
    } else {
        format!("{}.{}", &text[..1], &text[1..])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn of(command: Value) -> ProcessBehaviour {
        ProcessBehaviour::of(&json!({"name": "c", "image": "busybox", "command": command}))
    }

    #[test]
    fn pi_is_rounded_to_n_significant_digits() {
        assert_eq!(pi_digits(1), "3");
        assert_eq!(pi_digits(5), "3.1416");
        assert_eq!(pi_digits(10), "3.141592654");
        let p = pi_digits(1000);
        assert_eq!(p.len(), 1001);
        assert!(p.starts_with("3.14159265358979323846264338327950288419716939937510"));
        // π = …216420198|938…: the 999th decimal, 8, is followed by 9 and rounds up.
        assert!(p.ends_with("6611195909216420199"));
    }

    #[test]
    fn the_job_example_prints_pi_and_exits_0() {
        let b = of(json!(["perl", "-Mbignum=bpi", "-wle", "print bpi(1000)"]));
        assert_eq!(
            b.exit,
            Some(Exit {
                code: 0,
                after: RUN_TIME
            })
        );
        let log = b.log(SimTime(0));
        assert_eq!(log.len(), 1);
        assert_eq!(log[0].len(), 1001);
    }

    #[test]
    fn shell_scripts_run_statement_by_statement() {
        let b = of(json!([
            "/bin/sh",
            "-c",
            "date; echo Hello from the Kubernetes cluster"
        ]));
        assert_eq!(b.exit.map(|e| e.code), Some(0));
        assert_eq!(
            b.log(SimTime(60_000)),
            vec![
                "Thu Jan  1 00:01:00 UTC 2026".to_string(),
                "Hello from the Kubernetes cluster".to_string()
            ]
        );
        let b = of(json!(["sh", "-c", "sleep 5; exit 3"]));
        assert_eq!(
            b.exit,
            Some(Exit {
                code: 3,
                after: SimDuration::from_millis(RUN_TIME.as_millis() + 5_000)
            })
        );
        assert!(!b.handles_sigterm);
        assert_eq!(
            of(json!(["sh", "-c", "false"])).exit.map(|e| e.code),
            Some(1)
        );
        assert_eq!(
            of(json!(["sh", "-c", "false || echo 'recovered; ok'"])).log(SimTime(0)),
            vec!["recovered; ok".to_string()]
        );
        assert_eq!(
            of(json!(["sh", "-c", "false && echo no"]))
                .exit
                .map(|e| e.code),
            Some(1)
        );
        assert_eq!(
            of(json!(["sh", "-c", "exit 1"])).exit.map(|e| e.code),
            Some(1)
        );
    }

    #[test]
    fn loops_sleep_infinity_and_servers_run_until_stopped() {
        for cmd in [
            json!(["sh", "-c", "while true; do echo hi; sleep 1; done"]),
            json!(["sleep", "infinity"]),
            json!(["nginx", "-g", "daemon off;"]),
            json!(["tail", "-f", "/dev/null"]),
            json!(["python", "app.py"]),
        ] {
            assert_eq!(of(cmd.clone()).exit, None, "{cmd}");
        }
        let server = ProcessBehaviour::of(&json!({"name": "web", "image": "nginx"}));
        assert!(server.image_entrypoint && server.exit.is_none() && server.handles_sigterm);
    }

    #[test]
    fn sleep_ends_after_its_time() {
        let b = of(json!(["sleep", "3600"]));
        assert_eq!(
            b.exit,
            Some(Exit {
                code: 0,
                after: SimDuration::from_millis(RUN_TIME.as_millis() + 3_600_000)
            })
        );
        assert!(!b.handles_sigterm);
        let b = of(json!(["sh", "-c", "trap 'exit 0' TERM; sleep 1m"]));
        assert!(b.handles_sigterm);
        assert_eq!(
            b.exit.map(|e| e.after),
            Some(SimDuration::from_millis(RUN_TIME.as_millis() + 60_000))
        );
    }
}
