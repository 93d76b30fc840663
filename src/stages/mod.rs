//! The stages file and the promotion decision.
//!
//! Pure: takes strings and readings, returns values and problems. The `promote` and `status`
//! commands read the stages file with [`parse`] (every problem at once, each at its line),
//! read the states of a stage and of the stage it is promoted from with the lookup, and ask
//! [`decide`] whether the image may move on ([`relate`] for `status`).
//!
//! The file is read in layers: `yaml` turns the YAML into plain values with positions,
//! [`parse`] walks them (the top level, the stages, their names), each setting is checked as
//! its entry in [`SETTINGS`] says, and `links` checks the `from`s once every stage is known.
//! What goes wrong is an [`Error`] (or, for the file, a list of [`Problem`]s).

mod decide;
mod duration;
mod error;
mod history;
mod links;
mod model;
pub(crate) mod nesting;
mod parse;
mod problem;
mod settings;
mod yaml;

pub use decide::{decide, promotion_source, NoClock, Promotion, PromotionRequest, Reading, Refusal, Rollback};
pub use duration::{format_duration, parse_duration};
pub use error::Error;
pub use history::{commit_of, relate, running_since, Deployed, Relation};
pub use model::{SettingLines, Stage, StagesFile};
pub use parse::parse;
pub use problem::Problem;
pub use settings::{setting, Accepts, Need, Setting, SETTINGS};

#[cfg(test)]
mod tests;
