//! The stages module's behaviours, with exact messages.

mod decide;
mod duration;
mod file;
