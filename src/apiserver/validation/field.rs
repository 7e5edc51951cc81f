//! Field paths and field errors, after `k8s.io/apimachinery/pkg/util/validation/field`: the
//! `spec.containers[0].name: Required value` texts every validation error is made of.

use std::fmt;

/// One step of a [`Path`]: a field name, a list index or a map key.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Step {
    Name(String),
    Index(usize),
    Key(String),
}

/// `field.Path`: where in an object an error was found. Rendered like Go's `Path.String()`:
/// names joined by `.`, indexes and map keys in brackets (`metadata.labels[app]`, unquoted).
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Path {
    steps: Vec<Step>,
}

impl Path {
    /// `field.NewPath(name)`.
    pub fn new(name: &str) -> Path {
        Path {
            steps: vec![Step::Name(name.to_string())],
        }
    }

    /// `field.NewPath(a, b, c...)`.
    pub fn from_names(names: &[&str]) -> Path {
        Path {
            steps: names.iter().map(|n| Step::Name(n.to_string())).collect(),
        }
    }

    /// `path.Child(name)`; a dotted name (`"spec.template"`) is kept as one step, as in Go.
    pub fn child(&self, name: &str) -> Path {
        let mut steps = self.steps.clone();
        steps.push(Step::Name(name.to_string()));
        Path { steps }
    }

    /// `path.Index(i)`.
    pub fn index(&self, i: usize) -> Path {
        let mut steps = self.steps.clone();
        steps.push(Step::Index(i));
        Path { steps }
    }

    /// `path.Key(key)`.
    pub fn key(&self, key: &str) -> Path {
        let mut steps = self.steps.clone();
        steps.push(Step::Key(key.to_string()));
        Path { steps }
    }
}

impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, step) in self.steps.iter().enumerate() {
            match step {
                Step::Name(n) => {
                    if i > 0 && !n.is_empty() {
                        f.write_str(".")?;
                    }
                    f.write_str(n)?;
                }
                Step::Index(x) => write!(f, "[{x}]")?,
                Step::Key(k) => write!(f, "[{k}]")?,
            }
        }
        Ok(())
    }
}

/// `field.ErrorType`: the machine-readable kind of a field error (the `reason` of a
/// `metav1.StatusCause`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorType {
    NotFound,
    Required,
    Duplicate,
    Invalid,
    NotSupported,
    Forbidden,
    TooLong,
    TooMany,
    Internal,
    TypeInvalid,
}

impl ErrorType {
    /// The cause type string (`FieldValueRequired`...).
    pub fn cause_type(self) -> &'static str {
        match self {
            ErrorType::NotFound => "FieldValueNotFound",
            ErrorType::Required => "FieldValueRequired",
            ErrorType::Duplicate => "FieldValueDuplicate",
            ErrorType::Invalid => "FieldValueInvalid",
            ErrorType::NotSupported => "FieldValueNotSupported",
            ErrorType::Forbidden => "FieldValueForbidden",
            ErrorType::TooLong => "FieldValueTooLong",
            ErrorType::TooMany => "FieldValueTooMany",
            ErrorType::Internal => "InternalError",
            ErrorType::TypeInvalid => "FieldValueTypeInvalid",
        }
    }

    /// `ErrorType.String()`: the human text.
    pub fn text(self) -> &'static str {
        match self {
            ErrorType::NotFound => "Not found",
            ErrorType::Required => "Required value",
            ErrorType::Duplicate => "Duplicate value",
            ErrorType::Invalid => "Invalid value",
            ErrorType::NotSupported => "Unsupported value",
            ErrorType::Forbidden => "Forbidden",
            ErrorType::TooLong => "Too long",
            ErrorType::TooMany => "Too many",
            ErrorType::Internal => "Internal error",
            ErrorType::TypeInvalid => "Invalid value",
        }
    }
}

/// The offending value of a field error, typed the way the Go code passed it, because
/// `ErrorBody` prints each Go type differently (`%q` for strings, `%v` for int64/int32/bool,
/// `%#v` for everything else).
#[derive(Clone, Debug, PartialEq)]
pub enum BadValue {
    /// A Go `string` (or named string type): `"MyPod"`, escaped like `strconv.Quote`.
    Str(String),
    /// A Go int, int32 or int64: decimal (`%v` and `%#v` agree for signed integers).
    Int(i64),
    /// A Go `uint64` under `%#v`: hexadecimal (`0x0`).
    Uint64(u64),
    /// A Go float64 under `%v`.
    Float(f64),
    /// A Go bool.
    Bool(bool),
    /// A nil value or nil pointer: `null`.
    Null,
    /// `map[string]string` under `%#v` (Go prints maps with sorted keys).
    StringMap(Vec<(String, String)>),
    /// `[]string` under `%#v`; `None` is a nil slice.
    StringSlice(Option<Vec<String>>),
    /// Any other Go value, already rendered like Go's `%#v` or `String()`.
    Raw(String),
    /// `field.omitValue`: only the error type is printed.
    Omit,
}

impl BadValue {
    /// `map[string]string` from a JSON object (non-string values are skipped: the decoder
    /// already rejected them).
    pub fn string_map(v: Option<&serde_json::Value>) -> BadValue {
        let mut pairs: Vec<(String, String)> = v
            .and_then(|v| v.as_object())
            .map(|m| {
                m.iter()
                    .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
                    .collect()
            })
            .unwrap_or_default();
        pairs.sort();
        BadValue::StringMap(pairs)
    }

    /// `[]string` from a JSON array; absent is a nil slice.
    pub fn string_slice(v: Option<&serde_json::Value>) -> BadValue {
        BadValue::StringSlice(v.and_then(|v| v.as_array()).map(|a| {
            a.iter()
                .map(|s| s.as_str().unwrap_or_default().to_string())
                .collect()
        }))
    }
}

impl From<&str> for BadValue {
    fn from(s: &str) -> BadValue {
        BadValue::Str(s.to_string())
    }
}
impl From<String> for BadValue {
    fn from(s: String) -> BadValue {
        BadValue::Str(s)
    }
}
impl From<&String> for BadValue {
    fn from(s: &String) -> BadValue {
        BadValue::Str(s.clone())
    }
}
impl From<i64> for BadValue {
    fn from(i: i64) -> BadValue {
        BadValue::Int(i)
    }
}
impl From<bool> for BadValue {
    fn from(b: bool) -> BadValue {
        BadValue::Bool(b)
    }
}

impl fmt::Display for BadValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BadValue::Str(s) => f.write_str(&go_quote(s)),
            BadValue::Int(i) => write!(f, "{i}"),
            BadValue::Uint64(u) => write!(f, "{u:#x}"),
            BadValue::Float(x) => f.write_str(&go_float(*x)),
            BadValue::Bool(b) => write!(f, "{b}"),
            BadValue::Null => f.write_str("null"),
            BadValue::StringMap(pairs) => {
                f.write_str("map[string]string{")?;
                for (i, (k, v)) in pairs.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{}:{}", go_quote(k), go_quote(v))?;
                }
                f.write_str("}")
            }
            BadValue::StringSlice(None) => f.write_str("[]string(nil)"),
            BadValue::StringSlice(Some(items)) => {
                f.write_str("[]string{")?;
                for (i, s) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    f.write_str(&go_quote(s))?;
                }
                f.write_str("}")
            }
            BadValue::Raw(s) => f.write_str(s),
            BadValue::Omit => Ok(()),
        }
    }
}

/// Go's `strconv.Quote`.
pub use crate::golang::fmt::quote as go_quote;

/// Go's `%v` of a float64 (`strconv.FormatFloat(f, 'g', -1, 64)`): shortest representation,
/// exponent form below 1e-4 and from 1e21 on.
pub fn go_float(x: f64) -> String {
    if x.is_nan() {
        return "NaN".into();
    }
    if x.is_infinite() {
        return if x > 0.0 {
            "+Inf".into()
        } else {
            "-Inf".into()
        };
    }
    let abs = x.abs();
    if abs != 0.0 && !(1e-4..1e21).contains(&abs) {
        // Rust's `{:e}` is the shortest form too, but writes `1e21` where Go writes `1e+21`.
        let s = format!("{x:e}");
        let (mantissa, exp) = s.split_once('e').expect("exponent form");
        let exp: i32 = exp.parse().expect("exponent");
        let sign = if exp < 0 { '-' } else { '+' };
        return format!("{mantissa}e{sign}{:02}", exp.abs());
    }
    format!("{x}")
}

/// `field.Error`: one validation failure.
#[derive(Clone, Debug, PartialEq)]
pub struct FieldError {
    pub error_type: ErrorType,
    /// The field path, already rendered (`Path.String()`).
    pub field: String,
    pub bad_value: BadValue,
    pub detail: String,
}

/// `field.ErrorList`.
pub type ErrorList = Vec<FieldError>;

impl FieldError {
    fn make(error_type: ErrorType, path: &Path, bad_value: BadValue, detail: &str) -> FieldError {
        FieldError {
            error_type,
            field: path.to_string(),
            bad_value,
            detail: detail.to_string(),
        }
    }

    /// `field.Required`.
    pub fn required(path: &Path, detail: &str) -> FieldError {
        FieldError::make(
            ErrorType::Required,
            path,
            BadValue::Str(String::new()),
            detail,
        )
    }

    /// `field.Invalid`.
    pub fn invalid(path: &Path, value: impl Into<BadValue>, detail: &str) -> FieldError {
        FieldError::make(ErrorType::Invalid, path, value.into(), detail)
    }

    /// `field.Duplicate`.
    pub fn duplicate(path: &Path, value: impl Into<BadValue>) -> FieldError {
        FieldError::make(ErrorType::Duplicate, path, value.into(), "")
    }

    /// `field.NotFound`.
    pub fn not_found(path: &Path, value: impl Into<BadValue>) -> FieldError {
        FieldError::make(ErrorType::NotFound, path, value.into(), "")
    }

    /// `field.NotSupported`: the detail lists the supported values, each `strconv.Quote`d.
    pub fn not_supported(path: &Path, value: impl Into<BadValue>, valid: &[&str]) -> FieldError {
        let detail = if valid.is_empty() {
            String::new()
        } else {
            let quoted: Vec<String> = valid.iter().map(|v| go_quote(v)).collect();
            format!("supported values: {}", quoted.join(", "))
        };
        FieldError::make(ErrorType::NotSupported, path, value.into(), &detail)
    }

    /// `field.Forbidden`.
    pub fn forbidden(path: &Path, detail: &str) -> FieldError {
        FieldError::make(
            ErrorType::Forbidden,
            path,
            BadValue::Str(String::new()),
            detail,
        )
    }

    /// `field.TooLong` (1.33): the value is never printed; a negative `max` says only
    /// "value is too long".
    pub fn too_long(path: &Path, max: i64) -> FieldError {
        let detail = if max >= 0 {
            let unit = if max == 1 { "byte" } else { "bytes" };
            format!("may not be more than {max} {unit}")
        } else {
            "value is too long".to_string()
        };
        FieldError::make(
            ErrorType::TooLong,
            path,
            BadValue::Str("<value omitted>".into()),
            &detail,
        )
    }

    /// `field.TooMany`: a negative `actual` omits the value, a negative `max` the limit.
    pub fn too_many(path: &Path, actual: i64, max: i64) -> FieldError {
        let detail = if max >= 0 {
            let unit = if max == 1 { "item" } else { "items" };
            format!("must have at most {max} {unit}")
        } else {
            "has too many items".to_string()
        };
        let value = if actual >= 0 {
            BadValue::Int(actual)
        } else {
            BadValue::Omit
        };
        FieldError::make(ErrorType::TooMany, path, value, &detail)
    }

    /// `field.InternalError`.
    pub fn internal(path: &Path, err: &str) -> FieldError {
        FieldError::make(ErrorType::Internal, path, BadValue::Null, err)
    }

    /// `field.TypeInvalid`.
    pub fn type_invalid(path: &Path, value: impl Into<BadValue>, detail: &str) -> FieldError {
        FieldError::make(ErrorType::TypeInvalid, path, value.into(), detail)
    }

    /// `Error.ErrorBody()`: the text without the field path (the `message` of a status cause).
    pub fn error_body(&self) -> String {
        let mut s = match (self.error_type, &self.bad_value) {
            (
                ErrorType::Required
                | ErrorType::Forbidden
                | ErrorType::TooLong
                | ErrorType::Internal,
                _,
            )
            | (_, BadValue::Omit) => self.error_type.text().to_string(),
            (t, v) => format!("{}: {}", t.text(), v),
        };
        if !self.detail.is_empty() {
            s.push_str(": ");
            s.push_str(&self.detail);
        }
        s
    }
}

impl fmt::Display for FieldError {
    /// `Error.Error()`: `<field>: <body>`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.error_body())
    }
}

/// `ErrorList.ToAggregate().Error()`: duplicates (by text) dropped, one error alone, several
/// as `[a, b]`. `None` for an empty list (Go's nil aggregate).
pub fn aggregate_message(errs: &[FieldError]) -> Option<String> {
    let mut seen: Vec<String> = Vec::new();
    for e in errs {
        let msg = e.to_string();
        if !seen.contains(&msg) {
            seen.push(msg);
        }
    }
    match seen.len() {
        0 => None,
        1 => seen.pop(),
        _ => Some(format!("[{}]", seen.join(", "))),
    }
}
