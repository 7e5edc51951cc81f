//! The YAML editor's logic: syntax highlighting, kubectl's syntax errors before anything is
//! sent, the API server's validation errors mapped back to the lines of their fields, and the
//! templates a learner starts from. `ui/editor.rs` only renders what these compute.

pub mod field_lines;
pub mod highlight;
pub mod lint;
pub mod templates;

/// A problem the editor marks at a place in its text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// Which document of the file (0-based, in the order kubectl splits them at `---`).
    pub doc: usize,
    /// The editor's line, 1-based, counted from the top of the whole file.
    pub line: u32,
    /// The editor's column, 1-based, in characters.
    pub column: u32,
    /// The text as kubectl prints it (kubectl's own words, or the API server's).
    pub message: String,
}
