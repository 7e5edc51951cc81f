//! `kubectl explain`'s output: the `plaintext` template of kubectl 1.33
//! (`pkg/explain/v2/templates/plaintext.tmpl`) and the template functions it calls
//! (`pkg/explain/v2/funcs.go`: `wrap` through `github.com/mitchellh/go-wordwrap` v1.0.1,
//! `indent`, `resolveRef`, ...), ported as functions over the group version's OpenAPI v3
//! document: each named template is one function here, in the template's order and with its
//! whitespace, so the output is byte for byte the real one for the same document.
//!
//! Go's text/template walks maps in sorted key order (the fields come out alphabetically) and
//! treats empty strings, lists and maps as false; [`truthy`] is that test.

use std::collections::BTreeSet;

use serde_json::Value;

/// The group, version and plural resource explain looks for (`schema.GroupVersionResource`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Gvr {
    pub group: String,
    pub version: String,
    pub resource: String,
}

impl Gvr {
    /// `GroupVersionResource.String()`: `apps/v1, Resource=deployments`, `/v1, Resource=pods`.
    pub fn go_string(&self) -> String {
        format!(
            "{}/{}, Resource={}",
            self.group, self.version, self.resource
        )
    }
}

/// What the template wrote before it stopped, and why it stopped (the text kubectl prints,
/// `error: ...` included), if it did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rendered {
    pub out: String,
    pub error: Option<String>,
}

/// Go template truth: false, 0, nil and empty strings, lists and maps are false.
pub fn truthy(v: Option<&Value>) -> bool {
    match v {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(Value::Number(n)) => n.as_f64() != Some(0.0),
        Some(Value::String(s)) => !s.is_empty(),
        Some(Value::Array(a)) => !a.is_empty(),
        Some(Value::Object(o)) => !o.is_empty(),
    }
}

fn get<'a>(v: &'a Value, key: &str) -> Option<&'a Value> {
    v.as_object().and_then(|o| o.get(key))
}

/// How the template prints a value (`{{ $x }}`): strings as they are, a missing map key as
/// `<no value>`, other values as Go's `fmt` prints the decoded JSON.
fn print_value(v: Option<&Value>) -> String {
    match v {
        None => "<no value>".into(),
        Some(Value::Null) => "<nil>".into(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Bool(b)) => b.to_string(),
        Some(Value::Number(n)) => match n.as_f64() {
            Some(f) if f.fract() == 0.0 && f.abs() < 1e21 => format!("{}", f as i64),
            Some(f) => f.to_string(),
            None => n.to_string(),
        },
        Some(other) => other.to_string(),
    }
}

/// `resolveRef`: a local reference (`#/components/schemas/X`) followed through the document's
/// maps; `None` for anything else or a missing target.
fn resolve_ref<'a>(reference: Option<&Value>, document: &'a Value) -> Option<&'a Value> {
    let reference = reference?.as_str()?;
    let fragment = reference.strip_prefix('#')?;
    let mut cur = document;
    for k in fragment.split('/').filter(|k| !k.is_empty()) {
        cur = get(cur, k).filter(|v| v.is_object())?;
    }
    Some(cur)
}

/// `or (resolveRef $ref $.Document) $.schema`.
fn resolve_or<'a>(schema: &'a Value, document: &'a Value) -> &'a Value {
    match resolve_ref(get(schema, "$ref"), document) {
        Some(r) if truthy(Some(r)) => r,
        _ => schema,
    }
}

/// The keys of a JSON object as Go ranges over a map: sorted byte-wise.
fn sorted_entries(v: Option<&Value>) -> Vec<(&String, &Value)> {
    let mut entries: Vec<(&String, &Value)> = v
        .and_then(Value::as_object)
        .map(|o| o.iter().collect())
        .unwrap_or_default();
    entries.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    entries
}

/// An `additionalProperties` that is a schema (not `true`/`false`).
fn additional_properties(v: &Value) -> Option<&Value> {
    get(v, "additionalProperties").filter(|a| truthy(Some(a)) && !a.is_boolean())
}

/// `indent`: `amount` spaces before the text and after every newline in it.
pub fn indent(amount: usize, text: &str) -> String {
    let pad = " ".repeat(amount);
    format!("{pad}{}", text.replace('\n', &format!("\n{pad}")))
}

/// `wrap`: go-wordwrap v1.0.1's `WrapString` — breaks lines at white space so they stay
/// within `limit` characters (runes), keeps the text's own line breaks, never breaks a word
/// (a longer word overflows), and drops the spaces at a break.
pub fn wrap(limit: usize, text: &str) -> String {
    const NBSP: char = '\u{a0}';
    let mut buf = String::with_capacity(text.len());
    let mut current = 0usize;
    let mut word = String::new();
    let mut word_len = 0usize;
    let mut space = String::new();
    let mut space_len = 0usize;
    for c in text.chars() {
        if c == '\n' {
            if word.is_empty() {
                if current + space_len <= limit {
                    buf.push_str(&space);
                }
            } else {
                buf.push_str(&space);
                buf.push_str(&word);
                word.clear();
                word_len = 0;
            }
            space.clear();
            space_len = 0;
            buf.push(c);
            current = 0;
        } else if c.is_whitespace() && c != NBSP {
            if space.is_empty() || !word.is_empty() {
                current += space_len + word_len;
                buf.push_str(&space);
                buf.push_str(&word);
                space.clear();
                space_len = 0;
                word.clear();
                word_len = 0;
            }
            space.push(c);
            space_len += 1;
        } else {
            word.push(c);
            word_len += 1;
            if current + space_len + word_len > limit && word_len < limit {
                buf.push('\n');
                current = 0;
                space.clear();
                space_len = 0;
            }
        }
    }
    if word.is_empty() {
        if current + space_len <= limit {
            buf.push_str(&space);
        }
    } else {
        buf.push_str(&space);
        buf.push_str(&word);
    }
    buf
}

/// A template error that stops the output: `throw`'s message (which kubectl prints as it is)
/// or another error.
type Res<T> = Result<T, String>;

struct Template<'a> {
    document: &'a Value,
    recursive: bool,
}

impl<'a> Template<'a> {
    /// `define "output"`: follows the field path, then prints the field's description and
    /// its fields.
    fn output(
        &self,
        schema: &'a Value,
        history: &BTreeSet<String>,
        field_path: &[String],
    ) -> Res<String> {
        let ref_string = get(schema, "$ref")
            .filter(|r| truthy(Some(r)))
            .map(|r| print_value(Some(r)))
            .unwrap_or_default();
        let mut next_history = history.clone();
        next_history.insert(ref_string.clone());
        let resolved = resolve_or(schema, self.document);
        let mut out = String::new();
        if field_path.is_empty() {
            out += "DESCRIPTION:\n";
            let description = self.description(resolved);
            let description = if description.is_empty() {
                "<empty>".to_string()
            } else {
                description
            };
            out += &indent(4, &wrap(76, &description));
            out += "\n";
            let fields = self.field_list(resolved, 1, &BTreeSet::new())?;
            if !fields.is_empty() {
                out += "FIELDS:\n";
                out += &fields;
            }
        } else if !ref_string.is_empty() && history.contains(&ref_string) {
            // A cycle: stop, print nothing.
        } else if let Some(sub) = get(resolved, "properties")
            .filter(|p| truthy(Some(p)))
            .and_then(|p| get(p, &field_path[0]))
            .filter(|s| truthy(Some(s)))
        {
            if field_path.len() == 1 {
                out += &format!("FIELD: {} <{}>\n", field_path[0], self.type_guess(sub)?);
                out += &extract_enum(sub, true, -1, 0);
                out += "\n";
                out += "\n";
            }
            out += &self.output(sub, &BTreeSet::new(), &field_path[1..])?;
        } else if let Some(items) = get(resolved, "items").filter(|i| truthy(Some(i))) {
            out += &self.output(items, &next_history, field_path)?;
        } else if let Some(values) = additional_properties(resolved) {
            out += &self.output(values, &next_history, field_path)?;
        } else {
            // The alternatives of an allOf: the first that prints anything.
            for sub in get(resolved, "allOf")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let text = self.output(sub, &next_history, field_path)?;
                if !text.is_empty() {
                    out += &text;
                    break;
                }
            }
        }
        Ok(out)
    }

    /// `define "fieldList"`: each property (sorted) as a field detail, then those of the
    /// schema's allOf, items and additionalProperties; with `--recursive` each field's own
    /// fields one level deeper. A reference met before on the way down is a cycle: skipped.
    fn field_list(
        &self,
        schema: &'a Value,
        level: usize,
        history: &BTreeSet<String>,
    ) -> Res<String> {
        let ref_string = get(schema, "$ref")
            .filter(|r| truthy(Some(r)))
            .map(|r| print_value(Some(r)))
            .unwrap_or_default();
        let mut out = String::new();
        if !ref_string.is_empty() && history.contains(&ref_string) {
            return Ok(out);
        }
        let mut next_history = history.clone();
        next_history.insert(ref_string);
        let resolved = resolve_or(schema, self.document);
        for (name, value) in sorted_entries(get(resolved, "properties")) {
            out += &self.field_detail(name, resolved, self.recursive, level)?;
            if self.recursive {
                out += &self.field_list(value, level + 1, &next_history)?;
            }
        }
        for sub in get(resolved, "allOf")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            out += &self.field_list(sub, level, &next_history)?;
        }
        if let Some(items) = get(resolved, "items").filter(|i| truthy(Some(i))) {
            out += &self.field_list(items, level, &next_history)?;
        }
        if let Some(values) = additional_properties(resolved) {
            out += &self.field_list(values, level, &next_history)?;
        }
        Ok(out)
    }

    /// `define "fieldDetail"`: `name\t<type>`, ` -required-`, the enum, and (unless short) the
    /// field's own description wrapped and indented under it, then a blank line.
    fn field_detail(&self, name: &str, owner: &Value, short: bool, level: usize) -> Res<String> {
        let indent_amount = level * 2;
        let field = get(owner, "properties")
            .and_then(|p| get(p, name))
            .unwrap_or(&Value::Null);
        let mut out = indent(indent_amount, name);
        out += &format!("\t<{}>", self.type_guess(field)?);
        let required = get(owner, "required")
            .and_then(Value::as_array)
            .is_some_and(|r| r.iter().any(|x| x.as_str() == Some(name)));
        if required {
            out += " -required-";
        }
        out += &extract_enum(field, false, 4, indent_amount);
        out += "\n";
        if !short {
            let description = get(field, "description")
                .filter(|d| truthy(Some(d)))
                .map(|d| print_value(Some(d)))
                .unwrap_or_else(|| "<no description>".to_string());
            let width = 78usize.saturating_sub(indent_amount);
            out += &indent(indent_amount + 2, &wrap(width, &description));
            out += "\n";
            out += "\n";
        }
        Ok(out)
    }

    /// `define "description"`: the schema's description (its reference's, if it is one), then
    /// those of its allOf, items and additionalProperties, each followed by a newline.
    fn description(&self, schema: &'a Value) -> String {
        let s = resolve_or(schema, self.document);
        if !truthy(Some(s)) {
            return String::new();
        }
        let mut out = String::new();
        if let Some(d) = get(s, "description").filter(|d| truthy(Some(d))) {
            out += &print_value(Some(d));
            out += "\n";
        }
        for sub in get(s, "allOf")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            out += &self.description(sub);
        }
        if let Some(items) = get(s, "items").filter(|i| truthy(Some(i))) {
            out += &self.description(items);
        }
        if let Some(values) = additional_properties(s) {
            out += &self.description(values);
        }
        out
    }

    /// `define "typeGuess"`: `[]T`, `map[string]T`, the name of a referenced object type, a
    /// referenced scalar's type, or the schema's own type (`Object` for objects).
    fn type_guess(&self, schema: &'a Value) -> Res<String> {
        if !truthy(Some(schema)) {
            return Err("expected schema argument to subtemplate 'typeguess'".into());
        }
        if let Some(items) = get(schema, "items").filter(|i| truthy(Some(i))) {
            return Ok(format!("[]{}", self.type_guess(items)?));
        }
        if let Some(values) = additional_properties(schema) {
            return Ok(format!("map[string]{}", self.type_guess(values)?));
        }
        let all_of = get(schema, "allOf").and_then(Value::as_array);
        if let Some(all_of) = all_of.filter(|a| a.len() == 1) {
            if !truthy(get(schema, "properties")) {
                return self.type_guess(&all_of[0]);
            }
        }
        let ty = get(schema, "type");
        if let Some(reference) = get(schema, "$ref").filter(|r| truthy(Some(r))) {
            let reference = print_value(Some(reference));
            let target = resolve_ref(get(schema, "$ref"), self.document);
            let target_type = target.and_then(|t| get(t, "type"));
            let is_object = target.is_none()
                || !truthy(target_type)
                || target_type.and_then(Value::as_str) == Some("object");
            if is_object {
                let name = reference.rsplit('/').next().unwrap_or_default();
                let short = name.rsplit('.').next().unwrap_or_default();
                return Ok(if short.is_empty() {
                    "Object".into()
                } else {
                    short.into()
                });
            }
            return Ok(print_value(target_type));
        }
        // The old explain printed "Object" for objects; so does this one.
        if ty.and_then(Value::as_str) == Some("object") || !truthy(ty) {
            return Ok("Object".into());
        }
        Ok(print_value(ty))
    }
}

/// `define "extractEnum"`: ` enum: a, b, c, d, ....` on the field's line (at most `limit`
/// values), or `ENUM:` with one value a line in the long view; `""` for an empty string.
fn extract_enum(schema: &Value, long_view: bool, limit: i64, indent_amount: usize) -> String {
    let Some(values) = get(schema, "enum")
        .and_then(Value::as_array)
        .filter(|v| !v.is_empty())
    else {
        return String::new();
    };
    let mut out = if long_view {
        "ENUM:".to_string()
    } else {
        format!("\n{}enum: ", " ".repeat(indent_amount))
    };
    for (i, v) in values.iter().enumerate() {
        if limit > -1 && i as i64 >= limit {
            out += ", ....";
            break;
        }
        if i > 0 && !long_view {
            out += ", ";
        } else if long_view {
            out += "\n    ";
        }
        if v.as_str() == Some("") {
            out += "\"\"";
        } else {
            out += &print_value(Some(v));
        }
    }
    out
}

/// Go's `%v` of a `map[string]interface{}` GVK: `map[group:apps kind:Deployment version:v1]`.
fn go_map(v: &Value) -> String {
    let parts: Vec<String> = sorted_entries(Some(v))
        .into_iter()
        .map(|(k, v)| format!("{k}:{}", print_value(Some(v))))
        .collect();
    format!("map[{}]", parts.join(" "))
}

/// The GVK of the resource's operations: the top of the template searches the cluster-scoped
/// and namespaced collection and item paths, each path's get, post, put, patch and delete
/// operations, and keeps what the last path that has operations says.
fn find_gvk(document: &Value, gvr: &Gvr) -> Option<Value> {
    let prefix = if gvr.group.is_empty() {
        "/api".to_string()
    } else {
        format!("/apis/{}", gvr.group)
    };
    let (v, r) = (&gvr.version, &gvr.resource);
    let paths = [
        format!("{prefix}/{v}/{r}"),
        format!("{prefix}/{v}/{r}/{{name}}"),
        format!("{prefix}/{v}/namespaces/{{namespace}}/{r}"),
        format!("{prefix}/{v}/namespaces/{{namespace}}/{r}/{{name}}"),
    ];
    let mut gvk: Option<&Value> = None;
    for p in &paths {
        let Some(element) = get(document, "paths")
            .and_then(|ps| get(ps, p))
            .filter(|e| truthy(Some(e)))
        else {
            continue;
        };
        for method in ["get", "post", "put", "patch", "delete"] {
            let Some(op) = get(element, method).filter(|o| truthy(Some(o))) else {
                continue;
            };
            // `with $gvk = index ...` assigns before it tests: an operation without a GVK
            // clears what an earlier one found.
            gvk = get(op, "x-kubernetes-group-version-kind");
            if truthy(gvk) {
                break;
            }
        }
    }
    gvk.filter(|g| truthy(Some(g))).cloned()
}

/// Runs the `plaintext` template over `document` (the group version's OpenAPI v3 document)
/// for `gvr`, following `field_path`.
pub fn render(document: &Value, gvr: &Gvr, field_path: &[String], recursive: bool) -> Rendered {
    let Some(gvk) = find_gvk(document, gvr) else {
        return Rendered {
            out: String::new(),
            error: Some(format!(
                "error: GVR ({}) not found in OpenAPI schema",
                gvr.go_string()
            )),
        };
    };
    let mut out = String::new();
    if truthy(get(&gvk, "group")) {
        out += &format!("GROUP:      {}\n", print_value(get(&gvk, "group")));
    }
    out += &format!("KIND:       {}\n", print_value(get(&gvk, "kind")));
    out += &format!("VERSION:    {}\n", print_value(get(&gvk, "version")));
    out += "\n";
    let template = Template {
        document,
        recursive,
    };
    // define "schema": the first component (by name) whose GVKs include this one.
    let mut schema_out: Res<String> = Ok(String::new());
    for (_, schema) in sorted_entries(get(document, "components").and_then(|c| get(c, "schemas"))) {
        let has_gvk = get(schema, "x-kubernetes-group-version-kind")
            .and_then(Value::as_array)
            .is_some_and(|list| list.contains(&gvk));
        if !has_gvk {
            continue;
        }
        schema_out = match template.output(schema, &BTreeSet::new(), field_path) {
            Ok(text) if !text.is_empty() => Ok(text),
            Ok(_) => Err(format!(
                "error: field {} does not exist",
                crate::kubectl::client::go_quote(field_path.last().map_or("", String::as_str))
            )),
            Err(e) => Err(e),
        };
        break;
    }
    match schema_out {
        Ok(text) if !text.is_empty() => {
            out += &text;
            out += "\n";
            Rendered { out, error: None }
        }
        Ok(_) => Rendered {
            out,
            error: Some(format!(
                "error: GVK {} not found in OpenAPI schema",
                go_map(&gvk)
            )),
        },
        Err(e) => Rendered {
            out,
            error: Some(e),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn words_wrap_at_white_space_and_long_words_overflow() {
        assert_eq!(wrap(10, "aaa bbb ccc ddd"), "aaa bbb\nccc ddd");
        assert_eq!(wrap(5, "a verylongword b"), "a\nverylongword\nb");
        assert_eq!(wrap(20, "first line\n  second"), "first line\n  second");
        assert_eq!(wrap(76, "<empty>"), "<empty>");
        assert_eq!(indent(4, "a\nb\n"), "    a\n    b\n    ");
    }

    fn doc() -> Value {
        json!({
            "paths": {
                "/api/v1/namespaces/{namespace}/widgets/{name}": {
                    "get": {"x-kubernetes-group-version-kind": {"group": "", "kind": "Widget", "version": "v1"}}
                }
            },
            "components": {"schemas": {
                "io.example.Widget": {
                    "description": "A widget.",
                    "type": "object",
                    "required": ["spec"],
                    "properties": {
                        "spec": {"allOf": [{"$ref": "#/components/schemas/io.example.Spec"}], "description": "The spec."},
                        "labels": {"type": "object", "additionalProperties": {"type": "string"}},
                        "mode": {"type": "string", "enum": ["", "A", "B", "C", "D"]}
                    },
                    "x-kubernetes-group-version-kind": [{"group": "", "kind": "Widget", "version": "v1"}]
                },
                "io.example.Spec": {
                    "description": "Spec of a widget.",
                    "type": "object",
                    "properties": {"size": {"type": "integer"}, "parts": {"type": "array", "items": {"allOf": [{"$ref": "#/components/schemas/io.example.Spec"}]}}}
                }
            }}
        })
    }

    fn gvr() -> Gvr {
        Gvr {
            group: String::new(),
            version: "v1".into(),
            resource: "widgets".into(),
        }
    }

    #[test]
    fn the_template_prints_a_kind_its_fields_and_a_field() {
        let r = render(&doc(), &gvr(), &[], false);
        assert_eq!(r.error, None);
        assert_eq!(
            r.out,
            "KIND:       Widget\nVERSION:    v1\n\nDESCRIPTION:\n    A widget.\n    \nFIELDS:\n  labels\t<map[string]string>\n    <no description>\n\n  mode\t<string>\n  enum: \"\", A, B, C, ....\n    <no description>\n\n  spec\t<Spec> -required-\n    The spec.\n\n\n"
        );
        let r = render(&doc(), &gvr(), &["spec".into(), "size".into()], false);
        assert_eq!(
            r.out,
            "KIND:       Widget\nVERSION:    v1\n\nFIELD: size <integer>\n\n\nDESCRIPTION:\n    <empty>\n\n"
        );
        let r = render(&doc(), &gvr(), &["mode".into()], false);
        assert!(
            r.out.contains(
                "FIELD: mode <string>\nENUM:\n    \"\"\n    A\n    B\n    C\n    D\n\nDESCRIPTION:"
            ),
            "{}",
            r.out
        );
    }

    #[test]
    fn recursion_stops_at_a_cycle_and_missing_fields_are_errors() {
        let r = render(&doc(), &gvr(), &["spec".into()], true);
        assert_eq!(
            r.out,
            "KIND:       Widget\nVERSION:    v1\n\nFIELD: spec <Spec>\n\n\nDESCRIPTION:\n    The spec.\n    Spec of a widget.\n    \nFIELDS:\n  parts\t<[]Spec>\n  size\t<integer>\n\n"
        );
        let r = render(
            &doc(),
            &gvr(),
            &["spec".into(), "nope".into(), "deeper".into()],
            false,
        );
        assert_eq!(r.out, "KIND:       Widget\nVERSION:    v1\n\n");
        assert_eq!(
            r.error.as_deref(),
            Some("error: field \"deeper\" does not exist")
        );
        let other = Gvr {
            resource: "gadgets".into(),
            ..gvr()
        };
        let r = render(&doc(), &other, &[], false);
        assert_eq!(r.out, "");
        assert_eq!(
            r.error.as_deref(),
            Some("error: GVR (/v1, Resource=gadgets) not found in OpenAPI schema")
        );
    }
}
