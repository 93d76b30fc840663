//! The runner protocol: reading inputs, and writing outputs, summary, annotations and masks.
//! [`render`] turns a [`Report`] into the strings a person and the runner read (pure, snapshot
//! tested); [`mod@write`] is the only code that prints them or writes the runner's files.

pub mod inputs;
pub mod protocol;
pub mod render;
mod report;
#[cfg(test)]
mod snapshot_tests;
pub mod write;

pub use inputs::{Inputs, Mode, Request};
pub use render::{table_lines, EMPTY, ERRORS_SHOWN, MIN_MASK_CHARS};
pub use report::{Annotation, Level, Report, Summary, Table};
pub use write::{emit, emit_panic, emit_text};
