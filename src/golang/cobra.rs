//! spf13/cobra's command suggestions (`SuggestionsFor`), which kubectl and etcdctl print under
//! "unknown command": a subcommand within Levenshtein distance 2 of the typed name, or one the
//! typed name is a prefix of, both compared lowercased.

/// cobra's `ld(s, t, ignoreCase)`: the Levenshtein distance over bytes, as Go indexes strings.
pub fn ld(s: &str, t: &str, ignore_case: bool) -> usize {
    let (s, t) = if ignore_case {
        (s.to_lowercase(), t.to_lowercase())
    } else {
        (s.to_string(), t.to_string())
    };
    let (s, t) = (s.as_bytes(), t.as_bytes());
    let mut prev: Vec<usize> = (0..=t.len()).collect();
    for (i, &cs) in s.iter().enumerate() {
        let mut cur = vec![i + 1];
        for (j, &ct) in t.iter().enumerate() {
            let cost = usize::from(cs != ct);
            cur.push((prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[t.len()]
}

/// `SuggestionsMinimumDistance`'s default.
const SUGGESTIONS_MINIMUM_DISTANCE: usize = 2;

/// `Command.SuggestionsFor(typedName)` over the available subcommands' names, in their order.
pub fn suggestions_for<'a>(typed: &str, names: &[&'a str]) -> Vec<&'a str> {
    let lower = typed.to_lowercase();
    names
        .iter()
        .copied()
        .filter(|name| {
            ld(typed, name, true) <= SUGGESTIONS_MINIMUM_DISTANCE
                || name.to_lowercase().starts_with(&lower)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn close_names_and_extensions_of_the_typed_name_are_suggested() {
        let names = ["get", "delete", "describe", "edit"];
        assert_eq!(suggestions_for("gte", &names), ["get"]);
        assert_eq!(suggestions_for("GTE", &names), ["get"]);
        assert_eq!(suggestions_for("de", &names), ["get", "delete", "describe"]);
        assert_eq!(suggestions_for("xyzzy", &names), Vec::<&str>::new());
        assert_eq!(ld("kitten", "sitting", false), 3);
        assert_eq!(ld("Get", "get", false), 1);
        // Go indexes bytes: "é" is two.
        assert_eq!(ld("é", "e", false), 2);
    }
}
