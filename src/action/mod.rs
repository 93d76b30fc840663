//! The runner protocol: reading inputs, and writing outputs, summary, annotations and masks.
//! The only module that prints or writes the runner's files.

mod emit;
pub mod inputs;
pub mod protocol;
mod report;

pub use emit::{
    emit, emit_text, error_annotations, mask_lines, panic_line, render_failure, render_markdown, render_text,
    ERRORS_SHOWN, MIN_MASK_CHARS,
};
pub use inputs::{Inputs, Mode, Request};
pub use report::{Annotation, Level, Report, Summary, Table};
