//! The stages file and the promotion decision.
//!
//! Pure: takes strings and readings, returns values and problems. The `promote` and `status`
//! commands read the stages file with [`parse`] (every problem at once, each at its line),
//! read the states of a stage and of the stage it is promoted from with the lookup, and ask
//! [`decide`] whether the image may move on ([`behind`] for `status`).

mod decide;
mod duration;
mod file;
pub(crate) mod nesting;

pub use decide::{behind, decide, promotion_source, Promotion, PromotionRequest, Reading, Refusal};
pub use duration::{format_duration, parse_duration};
pub use file::{parse, Problem, SettingLines, Stage, StagesFile};

#[cfg(test)]
mod tests;
