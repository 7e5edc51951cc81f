//! kubectl's `-o custom-columns=<HEADER>:<path>,...` (cli-runtime's customcolumn.go): each
//! path is a relaxed JSONPath (`metadata.name`, `.metadata.name`, `{metadata.name}` and
//! `{.metadata.name}` all mean `{.metadata.name}`), each cell the `%v` of every result joined
//! by commas (`<none>` when there is none), with escape characters made harmless; the header
//! and rows go through kubectl's tabwriter.

use serde_json::Value;

use super::json::go_v;
use super::jsonpath::{JsonPath, JsonPathError};
use super::tabwriter::TabWriter;

/// Why a custom-columns spec or a column's path failed. `Display` is kubectl's text, printed
/// after `error: `.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CustomColumnsError {
    /// `-o custom-columns=` with nothing after the `=`.
    NoColumns,
    /// A column without `:`.
    BadSpec(String),
    /// A path that is not one of the four relaxed forms.
    BadPath,
    /// A path the JSONPath parser refuses, or a failure evaluating it (the bare reason).
    JsonPath(String),
}

impl std::fmt::Display for CustomColumnsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CustomColumnsError::NoColumns => {
                f.write_str("custom-columns format specified but no custom columns given")
            }
            CustomColumnsError::BadSpec(part) => write!(
                f,
                "unexpected custom-columns spec: {part}, expected <header>:<json-path-expr>"
            ),
            CustomColumnsError::BadPath => f.write_str(
                "unexpected path string, expected a 'name1.name2' or '.name1.name2' or '{name1.name2}' or '{.name1.name2}'",
            ),
            CustomColumnsError::JsonPath(reason) => f.write_str(reason),
        }
    }
}

/// `RelaxedJSONPathExpression`: `^\{\.?([^{}]+)\}$|^\.?([^{}]+)$` made into `{.<field>}`.
pub fn relaxed_jsonpath(path: &str) -> Result<String, CustomColumnsError> {
    if path.is_empty() {
        return Ok(String::new());
    }
    let field = |s: &str| -> Option<String> {
        if s.is_empty() || s.contains(['{', '}']) {
            return None;
        }
        // `\.?` takes a leading dot unless the field would then be empty.
        match s.strip_prefix('.') {
            Some(rest) if !rest.is_empty() => Some(rest.to_string()),
            _ => Some(s.to_string()),
        }
    };
    let braced = path
        .strip_prefix('{')
        .and_then(|p| p.strip_suffix('}'))
        .and_then(field);
    match braced.or_else(|| field(path)) {
        Some(f) => Ok(format!("{{.{f}}}")),
        None => Err(CustomColumnsError::BadPath),
    }
}

/// One column: its header and its JSONPath template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    pub header: String,
    pub field_spec: String,
}

/// A parsed `-o custom-columns` spec.
#[derive(Debug, Clone)]
pub struct CustomColumns {
    pub columns: Vec<Column>,
}

/// `EscapeTerminal`: ESC as `^[` and CR as `\r`, so cells cannot drive the terminal.
fn escape_terminal(s: &str) -> String {
    s.replace('\u{1b}', "^[").replace('\r', "\\r")
}

impl CustomColumns {
    /// `NewCustomColumnsPrinterFromSpec`.
    pub fn parse(spec: &str) -> Result<CustomColumns, CustomColumnsError> {
        if spec.is_empty() {
            return Err(CustomColumnsError::NoColumns);
        }
        let mut columns = Vec::new();
        for part in spec.split(',') {
            let Some((header, path)) = part.split_once(':') else {
                return Err(CustomColumnsError::BadSpec(part.to_string()));
            };
            columns.push(Column {
                header: header.to_string(),
                field_spec: relaxed_jsonpath(path)?,
            });
        }
        Ok(CustomColumns { columns })
    }

    /// The cells of one object's row.
    fn row(&self, parsers: &[Option<JsonPath>], obj: &Value) -> Result<String, CustomColumnsError> {
        let mut cells = Vec::new();
        for parser in parsers {
            let values = match parser {
                Some(p) => p.find_results(obj).map_err(CustomColumnsError::JsonPath)?,
                None => Vec::new(),
            };
            let mut strings = Vec::new();
            if values.first().is_none_or(|v| v.is_empty()) {
                strings.push("<none>".to_string());
            }
            for list in &values {
                for value in list {
                    strings.push(escape_terminal(&value_v(value)));
                }
            }
            cells.push(strings.join(","));
        }
        Ok(cells.join("\t"))
    }

    /// What `PrintObj` writes for these objects in turn into one tabwriter (the items of a
    /// list are its objects): the header line unless `no_headers`, then a row per object.
    /// On an error the lines written so far are still printed, as kubectl flushes them.
    pub fn print(
        &self,
        objects: &[&Value],
        no_headers: bool,
    ) -> (String, Option<CustomColumnsError>) {
        let mut w = TabWriter::kubectl();
        if !no_headers {
            let headers: Vec<&str> = self.columns.iter().map(|c| c.header.as_str()).collect();
            w.write(&headers.join("\t"));
            w.write("\n");
        }
        let mut error = None;
        let parsers: Result<Vec<Option<JsonPath>>, CustomColumnsError> = self
            .columns
            .iter()
            .map(|c| {
                if c.field_spec.is_empty() {
                    return Ok(None);
                }
                JsonPath::parse(&c.field_spec)
                    .map(Some)
                    .map_err(|e| match e {
                        JsonPathError::Parse { reason, .. } => CustomColumnsError::JsonPath(reason),
                        other => CustomColumnsError::JsonPath(other.to_string()),
                    })
            })
            .collect();
        match parsers {
            Err(e) => error = Some(e),
            Ok(parsers) => {
                for obj in objects {
                    match self.row(&parsers, obj) {
                        Ok(line) => {
                            w.write(&line);
                            w.write("\n");
                        }
                        Err(e) => {
                            error = Some(e);
                            break;
                        }
                    }
                }
            }
        }
        w.flush();
        (w.take_output(), error)
    }
}

/// `fmt.Sprint` of a result.
fn value_v(value: &Value) -> String {
    go_v(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn relaxed_paths_become_jsonpath_templates() {
        for (path, want) in [
            ("metadata.name", "{.metadata.name}"),
            (".metadata.name", "{.metadata.name}"),
            ("{metadata.name}", "{.metadata.name}"),
            ("{.metadata.name}", "{.metadata.name}"),
            (".", "{..}"),
            ("{.}", "{..}"),
            ("..a", "{..a}"),
            ("", ""),
        ] {
            assert_eq!(relaxed_jsonpath(path).unwrap(), want, "{path}");
        }
        assert_eq!(relaxed_jsonpath("{a}{b}"), Err(CustomColumnsError::BadPath));
        assert_eq!(relaxed_jsonpath("{.a"), Err(CustomColumnsError::BadPath));
    }

    #[test]
    fn specs_and_their_errors() {
        assert_eq!(
            CustomColumns::parse("NAME").unwrap_err().to_string(),
            "unexpected custom-columns spec: NAME, expected <header>:<json-path-expr>"
        );
        assert_eq!(
            CustomColumns::parse("").unwrap_err().to_string(),
            "custom-columns format specified but no custom columns given"
        );
        let c = CustomColumns::parse("A:.x:y").unwrap();
        assert_eq!(c.columns[0].field_spec, "{.x:y}");
    }

    #[test]
    fn rows_are_aligned_with_none_for_missing_values() {
        let pods = [
            json!({"metadata": {"name": "web-1", "labels": {"b": "2", "a": "1"}},
                   "spec": {"containers": [{"image": "nginx"}, {"image": "redis"}]}, "status": {"x": null}}),
            json!({"metadata": {"name": "db"}, "spec": {"containers": [{"image": "postgres\u{1b}[31m\r"}]}}),
        ];
        let c = CustomColumns::parse("NAME:.metadata.name,IMAGES:.spec.containers[*].image,LABELS:.metadata.labels,X:.status.x").unwrap();
        let (out, err) = c.print(&[&pods[0], &pods[1]], false);
        assert_eq!(err, None);
        assert_eq!(
            out,
            "NAME    IMAGES             LABELS         X\nweb-1   nginx,redis        map[a:1 b:2]   <nil>\ndb      postgres^[[31m\\r   <none>         <none>\n"
        );
        let (out, err) = c.print(&[&pods[0]], true);
        assert_eq!(err, None);
        assert!(out.starts_with("web-1"));
    }

    #[test]
    fn a_failing_path_keeps_the_header() {
        let c = CustomColumns::parse("A:.items[5]").unwrap();
        let (out, err) = c.print(&[&json!({"items": [1]})], false);
        assert_eq!(out, "A\n");
        assert_eq!(
            err.unwrap().to_string(),
            "array index out of bounds: index 5, length 1"
        );
    }
}
