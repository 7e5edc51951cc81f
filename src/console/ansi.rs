//! Terminal colours in tool output: kubectl's `cluster-info` writes ANSI SGR sequences
//! (`ESC[0;32m` ... `ESC[0m`, from go-colortext) whatever its output is, as a terminal then
//! shows them in colour. The page renders them as coloured spans.

/// A run of text and the foreground colour it is printed in (30-37: black, red, green,
/// yellow, blue, magenta, cyan, white; `None`: the terminal's own).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Segment {
    pub color: Option<u8>,
    pub text: String,
}

/// Splits `text` at its SGR sequences. Other escape sequences are dropped, as a terminal
/// would not print them either.
pub fn segments(text: &str) -> Vec<Segment> {
    let mut out: Vec<Segment> = Vec::new();
    let mut color = None;
    let mut rest = text;
    while let Some(i) = rest.find('\x1b') {
        push(&mut out, color, &rest[..i]);
        let after = &rest[i + 1..];
        let Some(params) = after.strip_prefix('[') else {
            rest = after;
            continue;
        };
        let end = params
            .find(|c: char| !(c.is_ascii_digit() || c == ';'))
            .unwrap_or(params.len());
        if params[end..].starts_with('m') {
            for p in params[..end].split(';') {
                match p.parse::<u8>() {
                    Ok(0) | Err(_) => color = None,
                    Ok(c @ 30..=37) => color = Some(c),
                    Ok(39) => color = None,
                    Ok(_) => {}
                }
            }
        }
        rest = params.get(end + 1..).unwrap_or_default();
    }
    push(&mut out, color, rest);
    out
}

fn push(out: &mut Vec<Segment>, color: Option<u8>, text: &str) {
    if text.is_empty() {
        return;
    }
    match out.last_mut() {
        Some(last) if last.color == color => last.text.push_str(text),
        _ => out.push(Segment {
            color,
            text: text.to_string(),
        }),
    }
}

/// The text without its escape sequences (what a copy from the terminal gives).
pub fn strip(text: &str) -> String {
    segments(text).into_iter().map(|s| s.text).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cluster_info_colours_become_segments() {
        let line = "\x1b[0;32mKubernetes control plane\x1b[0m is running at \x1b[0;33mhttps://172.18.0.2:6443\x1b[0m\n";
        assert_eq!(
            segments(line),
            vec![
                Segment {
                    color: Some(32),
                    text: "Kubernetes control plane".into()
                },
                Segment {
                    color: None,
                    text: " is running at ".into()
                },
                Segment {
                    color: Some(33),
                    text: "https://172.18.0.2:6443".into()
                },
                Segment {
                    color: None,
                    text: "\n".into()
                },
            ]
        );
        assert_eq!(
            strip(line),
            "Kubernetes control plane is running at https://172.18.0.2:6443\n"
        );
        assert_eq!(strip("plain"), "plain");
        assert_eq!(strip("a\x1b[2Kb"), "ab");
    }
}
