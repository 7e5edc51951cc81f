//! The console's shell: splits a typed line into words the way a POSIX shell would.

/// Splits a console line the way a shell would for simple commands: whitespace-separated words,
/// with single and double quotes grouping.
pub fn split_words(line: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut quote: Option<char> = None;
    for c in line.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => cur.push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                in_word = true;
            }
            (None, c) if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            (None, c) => {
                cur.push(c);
                in_word = true;
            }
        }
    }
    if quote.is_some() {
        return Err("unexpected EOF while looking for matching quote".to_string());
    }
    if in_word {
        words.push(cur);
    }
    Ok(words)
}

#[cfg(test)]
mod tests {
    use super::split_words;

    #[test]
    fn splits_like_a_shell() {
        assert_eq!(
            split_words(r#"etcdctl put greeting 'hello world'"#).unwrap(),
            vec!["etcdctl", "put", "greeting", "hello world"]
        );
        assert_eq!(split_words(r#"a "" b"#).unwrap(), vec!["a", "", "b"]);
        assert!(split_words("echo 'oops").is_err());
    }
}
