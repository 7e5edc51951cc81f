//! Strict decoding of JSON and YAML request bodies, with kube-apiserver's error texts.
//!
//! Mirrors the API server's path for a create/update body: the 3 MiB request limit
//! (`limitedReadBody`), the JSON/YAML serializer of `k8s.io/apimachinery` (YAML is converted
//! with `sigs.k8s.io/yaml`; `apiVersion`/`kind` are read first by `SimpleMetaFactory.Interpret`,
//! defaulted from the URL's group/version/kind), the typed decode with `sigs.k8s.io/json`
//! (`UnmarshalStrict`: unknown and duplicate fields), and the `fieldValidation` directive:
//! `Strict` fails on strict errors, `Warn` turns them into warnings, `Ignore` drops them.
//! [`DecodeError::status_message`] is the text of the 400/413 Status the handler answers.
//!
//! kubectl's side of YAML (splitting `---` documents, converting each with go-yaml's error
//! texts) is [`split_documents`] and [`yaml_to_json`].

mod gojson;
mod goparse;
mod goyaml;
pub mod protobuf;
mod typed;

use crate::apiserver::schema;
use gojson::JNode;
use serde_json::{Map, Value};

pub use goyaml::{
    is_empty_document, split_documents, syntax_error, YamlDocument, YamlError, YamlMark,
};

/// kube-apiserver's limit on a request body (`maxRequestBodyBytes`).
pub const MAX_REQUEST_BODY_BYTES: usize = 3 * 1024 * 1024;

/// The runtime.Scheme that holds the built-in kinds, as its not-registered errors name it.
const LEGACY_SCHEME: &str = "k8s.io/kubernetes/pkg/api/legacyscheme/scheme.go:29";

/// The media type of a request body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContentType {
    /// `application/json`
    Json,
    /// `application/yaml`
    Yaml,
}

/// The `fieldValidation` directive (kubectl sends `Strict` by default since 1.27).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldValidation {
    Strict,
    Warn,
    Ignore,
}

impl FieldValidation {
    /// The directive of a request's `fieldValidation` query parameter: absent or empty is
    /// `Warn`, as the API server resolves it (kubectl sends `Strict` itself). `None` for a
    /// value the server does not support, which its option validation refuses.
    pub fn from_query(value: Option<&str>) -> Option<FieldValidation> {
        match value.unwrap_or("") {
            "" | "Warn" => Some(FieldValidation::Warn),
            "Strict" => Some(FieldValidation::Strict),
            "Ignore" => Some(FieldValidation::Ignore),
            _ => None,
        }
    }
}

/// A group, version and kind.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Gvk {
    pub group: String,
    pub version: String,
    pub kind: String,
}

impl Gvk {
    pub fn new(group: &str, version: &str, kind: &str) -> Gvk {
        Gvk {
            group: group.into(),
            version: version.into(),
            kind: kind.into(),
        }
    }

    /// `v1` or `apps/v1`.
    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.clone()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }
}

/// A decoded body.
#[derive(Debug, Clone, PartialEq)]
pub struct Decoded {
    /// The object as the typed decode keeps it and Go would re-encode it: unknown fields
    /// dropped, duplicate keys resolved as Go resolves them, quantities canonical (`0.5` →
    /// `500m`), times in UTC; with `apiVersion` and `kind` set to `gvk`.
    pub object: Value,
    /// The kind the body was decoded as (the body's own, defaulted from the URL's).
    pub gvk: Gvk,
    /// With `fieldValidation=Warn`: one warning per strict error (`unknown field "spec.x"`).
    pub warnings: Vec<String>,
}

/// Why a body was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecodeError {
    /// Over [`MAX_REQUEST_BODY_BYTES`]: 413.
    TooLarge { limit: usize },
    /// The body's apiVersion/kind could not be read (syntax errors, YAML errors, a body that is
    /// not an object): 400 `the object provided is unrecognized ...`.
    Unrecognized(String),
    /// Decoding as `gvk` failed (type errors, unregistered kinds, strict errors): 400
    /// `<Kind> in version "<v>" cannot be handled as a <Kind>: ...`.
    Invalid { gvk: Gvk, message: String },
}

impl DecodeError {
    /// The HTTP status code of the answer.
    pub fn code(&self) -> u16 {
        match self {
            DecodeError::TooLarge { .. } => 413,
            _ => 400,
        }
    }

    /// The serializer's error text.
    pub fn message(&self) -> String {
        match self {
            DecodeError::TooLarge { limit } => format!("limit is {limit}"),
            DecodeError::Unrecognized(m) => m.clone(),
            DecodeError::Invalid { message, .. } => message.clone(),
        }
    }

    /// The `message` of the Status the API server answers, as `transformDecodeError` builds it;
    /// `expected_kind` is the resource's kind (`Pod` for `/api/v1/.../pods`), `body` the request
    /// body (the unrecognized case quotes its start).
    pub fn status_message(&self, expected_kind: &str, body: &[u8]) -> String {
        match self {
            DecodeError::TooLarge { limit } => {
                format!("Request entity too large: limit is {limit}")
            }
            DecodeError::Unrecognized(m) => format!(
                "the object provided is unrecognized (must be of type {expected_kind}): {m} ({})",
                summarize_data(body, 30)
            ),
            DecodeError::Invalid { gvk, message } => format!(
                "{} in version {} cannot be handled as a {expected_kind}: {message}",
                gvk.kind,
                typed::go_quote(&gvk.version)
            ),
        }
    }
}

/// `summarizeData`: the body's start, as text if it starts with `{`, else in hex.
fn summarize_data(data: &[u8], max: usize) -> String {
    let cut = &data[..data.len().min(max)];
    let more = if data.len() > max { " ..." } else { "" };
    match data.first() {
        None => "<empty>".into(),
        Some(b'{') => format!("{}{more}", String::from_utf8_lossy(cut)),
        Some(_) => {
            let hex: String = cut.iter().map(|b| format!("{b:02x}")).collect();
            format!("{hex}{more}")
        }
    }
}

/// The scheme's error for a kind it does not know.
pub(crate) fn not_registered(gvk: &Gvk) -> String {
    format!(
        "no kind {} is registered for version {} in scheme {}",
        typed::go_quote(&gvk.kind),
        typed::go_quote(&gvk.api_version()),
        typed::go_quote(LEGACY_SCHEME)
    )
}

/// Decodes a request body for a resource whose kind is `default_gvk` (from the URL), as
/// kube-apiserver does with the given `fieldValidation`.
pub fn decode(
    body: &[u8],
    content_type: ContentType,
    default_gvk: &Gvk,
    validation: FieldValidation,
) -> Result<Decoded, DecodeError> {
    if body.len() > MAX_REQUEST_BODY_BYTES {
        return Err(DecodeError::TooLarge {
            limit: MAX_REQUEST_BODY_BYTES,
        });
    }
    decode_within_limit(body, content_type, default_gvk, validation)
}

/// [`decode`] without the size limit: for JSON transcoded from a protobuf body, which was
/// checked against the limit itself (its JSON may be larger: base64 grows `[]byte` fields).
pub fn decode_within_limit(
    body: &[u8],
    content_type: ContentType,
    default_gvk: &Gvk,
    validation: FieldValidation,
) -> Result<Decoded, DecodeError> {
    let strict = validation != FieldValidation::Ignore;
    let (root, yaml_strict) = match content_type {
        ContentType::Json => match gojson::parse(body) {
            Ok(root) => (root, None),
            Err(e) => {
                return Err(DecodeError::Unrecognized(format!(
                    "couldn't get version/kind; json parse error: {}",
                    e.msg
                )))
            }
        },
        ContentType::Yaml => {
            let mut text = String::new();
            gojson::push_go_lossy(body, &mut text);
            match goyaml::yaml_to_json(&text, strict) {
                Ok((root, dups)) if dups.is_empty() => (root, None),
                Ok((root, dups)) => (
                    root,
                    Some(format!("yaml: unmarshal errors:\n  {}", dups.join("\n  "))),
                ),
                Err(YamlError::TooDeep) => {
                    return Err(DecodeError::Unrecognized(format!(
                        "couldn't get version/kind; json parse error: {}",
                        YamlError::TooDeep
                    )))
                }
                Err(e) => return Err(DecodeError::Unrecognized(e.to_string())),
            }
        }
    };
    let (api_version, kind) = interpret(&root).map_err(DecodeError::Unrecognized)?;
    let (group, version) = parse_group_version(&api_version).map_err(DecodeError::Unrecognized)?;
    let gvk = gvk_with_defaults(
        Gvk {
            group,
            version,
            kind,
        },
        default_gvk,
    );

    let Some(t) = schema::kind(&gvk.group, &gvk.version, &gvk.kind) else {
        let message = not_registered(&gvk);
        return Err(DecodeError::Invalid { gvk, message });
    };
    let result = typed::decode(&root, t, strict);
    let value = match result.value {
        Ok(v) => v,
        Err(message) => return Err(DecodeError::Invalid { gvk, message }),
    };
    let mut strict_errors: Vec<String> = yaml_strict.into_iter().collect();
    strict_errors.extend(result.strict_errors);

    let mut warnings = Vec::new();
    match validation {
        FieldValidation::Strict if !strict_errors.is_empty() => {
            let message = format!("strict decoding error: {}", strict_errors.join(", "));
            return Err(DecodeError::Invalid { gvk, message });
        }
        FieldValidation::Warn => {
            for e in &strict_errors {
                warnings.extend(parse_yaml_warnings(e));
            }
        }
        _ => {}
    }
    let mut object = Map::new();
    object.insert("apiVersion".into(), Value::String(gvk.api_version()));
    object.insert("kind".into(), Value::String(gvk.kind.clone()));
    if let Value::Object(m) = value {
        for (k, v) in m {
            if k != "apiVersion" && k != "kind" {
                object.insert(k, v);
            }
        }
    }
    Ok(Decoded {
        object: Value::Object(object),
        gvk,
        warnings,
    })
}

/// Converts one YAML document to JSON as kubectl does before sending it; the error's text
/// follows kubectl's `error converting YAML to JSON: ` prefix.
pub fn yaml_to_json(document: &str) -> Result<Value, YamlError> {
    let (root, _) = goyaml::yaml_to_json(document, false)?;
    Ok(typed::plain_value(&root))
}

/// Like [`yaml_to_json`], also returning what `yaml.YAMLToJSONStrict` reports: one
/// `line N: key "k" already set in map` per duplicate key (lines counted in the document).
pub fn yaml_to_json_strict(document: &str) -> Result<(Value, Vec<String>), YamlError> {
    let (root, dups) = goyaml::yaml_to_json(document, true)?;
    Ok((typed::plain_value(&root), dups))
}

/// `parseYAMLWarnings`: a YAML strict error holds one warning per line.
fn parse_yaml_warnings(e: &str) -> Vec<String> {
    for prefix in [
        "yaml: unmarshal errors:\n",
        "error converting YAML to JSON: yaml: unmarshal errors:\n",
    ] {
        if let Some(rest) = e.strip_prefix(prefix) {
            return rest.split('\n').map(|s| s.trim().to_string()).collect();
        }
    }
    vec![e.to_string()]
}

/// `SimpleMetaFactory.Interpret`: `apiVersion` and `kind` read with Go's case-insensitive
/// `encoding/json`, with its errors.
fn interpret(root: &JNode) -> Result<(String, String), String> {
    const FIND_KIND: &str = r#"struct { APIVersion string "json:\"apiVersion,omitempty\""; Kind string "json:\"kind,omitempty\"" }"#;
    let prefix = "couldn't get version/kind; json parse error: ";
    let members = match root {
        JNode::Object(m) => m.as_slice(),
        JNode::Null => &[],
        other => {
            return Err(format!(
                "{prefix}json: cannot unmarshal {} into Go value of type {FIND_KIND}",
                other.go_kind()
            ))
        }
    };
    let (mut api_version, mut kind) = (String::new(), String::new());
    let mut first_error = None;
    for (key, value) in members {
        let (slot, name) = if go_fold(key) == "apiversion" {
            (&mut api_version, "apiVersion")
        } else if go_fold(key) == "kind" {
            (&mut kind, "kind")
        } else {
            continue;
        };
        match value {
            JNode::String(s) => *slot = s.clone(),
            JNode::Null => {}
            other => {
                first_error.get_or_insert_with(|| {
                    format!(
                        "{prefix}json: cannot unmarshal {} into Go struct field .{name} of type string",
                        other.go_kind()
                    )
                });
            }
        }
    }
    match first_error {
        Some(e) => Err(e),
        None => Ok((api_version, kind)),
    }
}

/// Go's case folding for JSON field names (with its two non-ASCII folds to `k` and `s`).
fn go_fold(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\u{212a}' => 'k',
            '\u{17f}' => 's',
            c => c.to_ascii_lowercase(),
        })
        .collect()
}

/// `schema.ParseGroupVersion`.
fn parse_group_version(gv: &str) -> Result<(String, String), String> {
    if gv.is_empty() || gv == "/" {
        return Ok((String::new(), String::new()));
    }
    match gv.matches('/').count() {
        0 => Ok((String::new(), gv.to_string())),
        1 => {
            let (g, v) = gv.split_once('/').expect("one slash");
            Ok((g.to_string(), v.to_string()))
        }
        _ => Err(format!("unexpected GroupVersion string: {gv}")),
    }
}

/// `gvkWithDefaults`: fills what the body left empty from the URL's kind.
fn gvk_with_defaults(mut actual: Gvk, defaults: &Gvk) -> Gvk {
    if actual.kind.is_empty() {
        actual.kind = defaults.kind.clone();
    }
    if actual.version.is_empty() && actual.group.is_empty() {
        actual.group = defaults.group.clone();
        actual.version = defaults.version.clone();
    }
    if actual.version.is_empty() && actual.group == defaults.group {
        actual.version = defaults.version.clone();
    }
    actual
}
