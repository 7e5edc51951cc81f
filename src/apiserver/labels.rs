//! Label selectors (`app=web,tier!=db,env in (a,b),!legacy`), parsed and matched the way
//! `k8s.io/apimachinery/pkg/labels` does, and the structured `LabelSelector` of workload specs.

use std::collections::BTreeMap;

use serde_json::Value;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Operator {
    Equals,
    NotEquals,
    In,
    NotIn,
    Exists,
    DoesNotExist,
    GreaterThan,
    LessThan,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Requirement {
    pub key: String,
    pub op: Operator,
    pub values: Vec<String>,
}

/// A parsed selector: every requirement must hold. The empty selector matches everything.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Selector {
    pub requirements: Vec<Requirement>,
    /// A selector that matches nothing (a nil `LabelSelector` in some contexts).
    pub nothing: bool,
}

impl Requirement {
    fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        let v = labels.get(&self.key);
        match self.op {
            Operator::Equals | Operator::In => v.is_some_and(|v| self.values.contains(v)),
            Operator::NotEquals | Operator::NotIn => !v.is_some_and(|v| self.values.contains(v)),
            Operator::Exists => v.is_some(),
            Operator::DoesNotExist => v.is_none(),
            Operator::GreaterThan | Operator::LessThan => {
                let (Some(v), Some(bound)) = (v, self.values.first()) else {
                    return false;
                };
                match (v.parse::<i64>(), bound.parse::<i64>()) {
                    (Ok(v), Ok(b)) if self.op == Operator::GreaterThan => v > b,
                    (Ok(v), Ok(b)) => v < b,
                    _ => false,
                }
            }
        }
    }
}

impl Selector {
    pub fn everything() -> Selector {
        Selector::default()
    }

    pub fn is_empty(&self) -> bool {
        self.requirements.is_empty() && !self.nothing
    }

    pub fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        !self.nothing && self.requirements.iter().all(|r| r.matches(labels))
    }

    /// Matches an object's `metadata.labels`.
    pub fn matches_object(&self, obj: &Value) -> bool {
        self.matches(&labels_of(obj))
    }

    /// Parses the string form (`kubectl get -l`, `?labelSelector=`).
    pub fn parse(text: &str) -> Result<Selector, String> {
        Parser::new(text).parse()
    }

    /// `metav1.LabelSelector` (`matchLabels` and `matchExpressions`) as Kubernetes'
    /// `LabelSelectorAsSelector` converts it: an empty selector matches everything.
    pub fn from_label_selector(sel: &Value) -> Result<Selector, String> {
        let mut reqs = Vec::new();
        if let Some(m) = sel.get("matchLabels").and_then(Value::as_object) {
            for (k, v) in m {
                reqs.push(Requirement {
                    key: k.clone(),
                    op: Operator::Equals,
                    values: vec![v.as_str().unwrap_or_default().to_string()],
                });
            }
        }
        if let Some(exprs) = sel.get("matchExpressions").and_then(Value::as_array) {
            for e in exprs {
                let key = e.get("key").and_then(Value::as_str).unwrap_or_default();
                let values: Vec<String> = e
                    .get("values")
                    .and_then(Value::as_array)
                    .map(|a| {
                        a.iter()
                            .filter_map(|v| v.as_str().map(str::to_string))
                            .collect()
                    })
                    .unwrap_or_default();
                let op = match e
                    .get("operator")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                {
                    "In" => Operator::In,
                    "NotIn" => Operator::NotIn,
                    "Exists" => Operator::Exists,
                    "DoesNotExist" => Operator::DoesNotExist,
                    other => {
                        return Err(format!("{other:?} is not a valid label selector operator"))
                    }
                };
                reqs.push(Requirement {
                    key: key.to_string(),
                    op,
                    values,
                });
            }
        }
        reqs.sort_by(|a, b| a.key.cmp(&b.key));
        Ok(Selector {
            requirements: reqs,
            nothing: false,
        })
    }
}

impl std::fmt::Display for Selector {
    /// The canonical string form, requirements sorted by key, as `Selector.String()` prints.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let parts: Vec<String> = self
            .requirements
            .iter()
            .map(|r| match r.op {
                Operator::Equals => format!("{}={}", r.key, r.values.join(",")),
                Operator::NotEquals => format!("{}!={}", r.key, r.values.join(",")),
                Operator::In => format!("{} in ({})", r.key, r.values.join(",")),
                Operator::NotIn => format!("{} notin ({})", r.key, r.values.join(",")),
                Operator::Exists => r.key.clone(),
                Operator::DoesNotExist => format!("!{}", r.key),
                Operator::GreaterThan => format!("{}>{}", r.key, r.values.join(",")),
                Operator::LessThan => format!("{}<{}", r.key, r.values.join(",")),
            })
            .collect();
        f.write_str(&parts.join(","))
    }
}

/// An object's `metadata.labels` as a sorted map (non-string values are ignored).
pub fn labels_of(obj: &Value) -> BTreeMap<String, String> {
    obj.pointer("/metadata/labels")
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| v.as_str().map(|v| (k.clone(), v.to_string())))
                .collect()
        })
        .unwrap_or_default()
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Token {
    Ident(String),
    Open,
    Close,
    Comma,
    Not,
    Eq,
    DoubleEq,
    NotEq,
    In,
    NotIn,
    Gt,
    Lt,
    End,
}

impl Token {
    fn text(&self) -> String {
        match self {
            Token::Ident(s) => s.clone(),
            Token::Open => "(".into(),
            Token::Close => ")".into(),
            Token::Comma => ",".into(),
            Token::Not => "!".into(),
            Token::Eq => "=".into(),
            Token::DoubleEq => "==".into(),
            Token::NotEq => "!=".into(),
            Token::In => "in".into(),
            Token::NotIn => "notin".into(),
            Token::Gt => ">".into(),
            Token::Lt => "<".into(),
            Token::End => String::new(),
        }
    }
}

struct Parser {
    tokens: Vec<Token>,
    pos: usize,
}

fn lex(text: &str) -> Vec<Token> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            ' ' | '\t' | '\n' | '\r' => i += 1,
            '(' => {
                out.push(Token::Open);
                i += 1
            }
            ')' => {
                out.push(Token::Close);
                i += 1
            }
            ',' => {
                out.push(Token::Comma);
                i += 1
            }
            '!' if chars.get(i + 1) == Some(&'=') => {
                out.push(Token::NotEq);
                i += 2
            }
            '!' => {
                out.push(Token::Not);
                i += 1
            }
            '=' if chars.get(i + 1) == Some(&'=') => {
                out.push(Token::DoubleEq);
                i += 2
            }
            '=' => {
                out.push(Token::Eq);
                i += 1
            }
            '>' => {
                out.push(Token::Gt);
                i += 1
            }
            '<' => {
                out.push(Token::Lt);
                i += 1
            }
            _ => {
                let start = i;
                while i < chars.len() && !" \t\n\r(),!=<>".contains(chars[i]) {
                    i += 1;
                }
                let word: String = chars[start..i].iter().collect();
                out.push(match word.as_str() {
                    "in" => Token::In,
                    "notin" => Token::NotIn,
                    _ => Token::Ident(word),
                });
            }
        }
    }
    out.push(Token::End);
    out
}

impl Parser {
    fn new(text: &str) -> Parser {
        Parser {
            tokens: lex(text),
            pos: 0,
        }
    }

    fn peek(&self) -> &Token {
        &self.tokens[self.pos.min(self.tokens.len() - 1)]
    }

    fn next(&mut self) -> Token {
        let t = self.peek().clone();
        if self.pos < self.tokens.len() - 1 {
            self.pos += 1;
        }
        t
    }

    fn parse(mut self) -> Result<Selector, String> {
        let mut reqs = Vec::new();
        if *self.peek() == Token::End {
            return Ok(Selector::everything());
        }
        loop {
            reqs.push(self.requirement()?);
            match self.next() {
                Token::End => break,
                Token::Comma => {
                    if *self.peek() == Token::End {
                        return Err("found '', expected: identifier after ','".to_string());
                    }
                }
                t => {
                    return Err(format!(
                        "found '{}', expected: ',' or 'end of string'",
                        t.text()
                    ))
                }
            }
        }
        reqs.sort_by(|a, b| a.key.cmp(&b.key));
        Ok(Selector {
            requirements: reqs,
            nothing: false,
        })
    }

    fn requirement(&mut self) -> Result<Requirement, String> {
        let negated = *self.peek() == Token::Not;
        if negated {
            self.next();
        }
        let key = match self.next() {
            Token::Ident(k) => k,
            t => {
                let after = if negated { " after '!'" } else { "" };
                return Err(format!("found '{}', expected: identifier{after}", t.text()));
            }
        };
        validate_label_key(&key)?;
        if negated {
            return Ok(Requirement {
                key,
                op: Operator::DoesNotExist,
                values: vec![],
            });
        }
        let op = match self.peek() {
            Token::End | Token::Comma => {
                return Ok(Requirement {
                    key,
                    op: Operator::Exists,
                    values: vec![],
                })
            }
            Token::Eq | Token::DoubleEq => Operator::Equals,
            Token::NotEq => Operator::NotEquals,
            Token::In => Operator::In,
            Token::NotIn => Operator::NotIn,
            Token::Gt => Operator::GreaterThan,
            Token::Lt => Operator::LessThan,
            t => {
                return Err(format!(
                    "found '{}', expected: {}",
                    t.text(),
                    "'=', '!=', '==', 'in', notin'"
                ))
            }
        };
        self.next();
        let values = match op {
            Operator::In | Operator::NotIn => {
                if self.next() != Token::Open {
                    return Err(format!(
                        "found '{}', expected: '('",
                        self.tokens[self.pos.saturating_sub(1)].text()
                    ));
                }
                let mut vals = Vec::new();
                loop {
                    match self.next() {
                        Token::Ident(v) => {
                            vals.push(v);
                            match self.next() {
                                Token::Comma => continue,
                                Token::Close => break,
                                t => {
                                    return Err(format!(
                                        "found '{}', expected: ',' or ')'",
                                        t.text()
                                    ))
                                }
                            }
                        }
                        Token::Close if vals.is_empty() => break,
                        Token::Comma => vals.push(String::new()),
                        t => {
                            return Err(format!(
                                "found '{}', expected: ',', ')' or identifier",
                                t.text()
                            ))
                        }
                    }
                }
                vals
            }
            _ => match self.peek().clone() {
                Token::Ident(v) => {
                    self.next();
                    vec![v]
                }
                // `app=` selects an empty value.
                Token::End | Token::Comma => vec![String::new()],
                t => return Err(format!("found '{}', expected: identifier", t.text())),
            },
        };
        if matches!(op, Operator::GreaterThan | Operator::LessThan)
            && values[0].parse::<i64>().is_err()
        {
            return Err(format!(
                "for 'Gt', 'Lt' operators, the value must be an integer: {}",
                values[0]
            ));
        }
        for v in &values {
            validate_label_value(v)?;
        }
        Ok(Requirement { key, op, values })
    }
}

fn is_alnum(c: char) -> bool {
    c.is_ascii_alphanumeric()
}

/// A qualified name: `[prefix/]name`, name up to 63 characters of `[A-Za-z0-9_.-]` starting and
/// ending alphanumeric; prefix a DNS subdomain.
fn validate_label_key(key: &str) -> Result<(), String> {
    let name = key.rsplit_once('/').map_or(key, |(_, n)| n);
    let ok = !name.is_empty()
        && name.len() <= 63
        && name.starts_with(is_alnum)
        && name.ends_with(is_alnum)
        && name.chars().all(|c| is_alnum(c) || "-_.".contains(c));
    if ok {
        Ok(())
    } else {
        Err(format!(
            "key: Invalid value: \"{key}\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
        ))
    }
}

fn validate_label_value(v: &str) -> Result<(), String> {
    let ok = v.is_empty()
        || (v.len() <= 63
            && v.starts_with(is_alnum)
            && v.ends_with(is_alnum)
            && v.chars().all(|c| is_alnum(c) || "-_.".contains(c)));
    if ok {
        Ok(())
    } else {
        Err(format!(
            "values[0][{v}]: Invalid value: \"{v}\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn parses_and_matches_every_operator() {
        let l = labels(&[("app", "web"), ("tier", "front"), ("n", "5")]);
        for (sel, want) in [
            ("", true),
            ("app=web", true),
            ("app==web", true),
            ("app!=web", false),
            ("app in (web, api)", true),
            ("app notin (web)", false),
            ("tier", true),
            ("!tier", false),
            ("!missing", true),
            ("n>4,n<6", true),
            ("app=web,tier=back", false),
            ("missing!=x", true),
        ] {
            assert_eq!(Selector::parse(sel).unwrap().matches(&l), want, "{sel}");
        }
        assert_eq!(
            Selector::parse("tier=a, app in (x,y)").unwrap().to_string(),
            "app in (x,y),tier=a"
        );
    }

    #[test]
    fn bad_selectors_are_errors_not_panics() {
        for sel in [
            "app in", "app in (", "=x", "app=web,", "a b", "!", "n>x", "app=(", "))",
        ] {
            assert!(Selector::parse(sel).is_err(), "{sel}");
        }
    }

    #[test]
    fn structured_selectors() {
        let sel = serde_json::json!({"matchLabels": {"app": "web"}, "matchExpressions": [{"key": "tier", "operator": "In", "values": ["a"]}]});
        let s = Selector::from_label_selector(&sel).unwrap();
        assert!(s.matches(&labels(&[("app", "web"), ("tier", "a")])));
        assert!(!s.matches(&labels(&[("app", "web")])));
        assert!(Selector::from_label_selector(&serde_json::json!({}))
            .unwrap()
            .matches(&labels(&[])));
    }
}
