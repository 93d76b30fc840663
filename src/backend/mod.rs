//! Where a state lives, behind one seam.
//!
//! A command asks two things, in two calls: [`configure`] turns the settings as written
//! ([`Settings`]: the step's inputs, or a stage of the stages file) and the run's [`Context`]
//! into a validated [`Source`] — pure, tested natively, every problem at once — and [`open`]
//! reads the state there, or answers, typed, that there is none yet ([`Opened::NoStateYet`]
//! with a [`NoState`]: which backend, which workspace, what was looked for, which workspaces do
//! have a state). Commands never name a backend.
//!
//! # A backend
//!
//! One file that implements [`Backend`]: its name as Terraform spells it, the settings it reads,
//! a pure `configure` from ([`Settings`], [`Context`]) to its own `Location` (environment
//! fallbacks come from the context, read once, as `TF_WORKSPACE` is for the local backend), an
//! async `open`, and its `workspaces` listing. Workspace *selection* is shared
//! ([`workspace::select`]): Terraform's rules are the same for every backend. Its problems are
//! [`Error`]'s kinds; adding a backend adds its kinds there. Then one line in the `backends!`
//! list, which generates its [`Source`] variant and the dispatch ([`Source::backend`], [`open`],
//! [`workspaces`]), and, from issue 9, its name in [`configure`]'s choice.
//!
//! A backend that speaks a protocol keeps it free of I/O: a pure function builds the request
//! (a [`crate::host::HttpRequest`]) and another reads the answer into an [`Opened`] or an error,
//! and `open` only joins them with one host call. Its tests then run natively on made-up
//! answers (the native host has no HTTP), as the local backend's run on a temporary directory.
//!
//! # Where issue 9 fits
//!
//! The `backend` input and `backend-config` (multi-line `key=value`, Terraform's keys, a value
//! possibly naming a file), and a stage's `backend:` and `backend-config:` map, become two more
//! fields of [`Settings`]: `backend: Option<String>` and `config: Vec<(key, value)>`, each pair
//! with its line for a stage. [`Settings::from_inputs`] and [`Settings::from_stage`] read them,
//! [`Settings::INPUTS`] lists the inputs, and [`Settings::named`]/[`Settings::line`] place a
//! problem with one key (`backend-config` key `host`, or its line in the stages file). Then
//! [`configure`] decides the backend, in Terraform's order: `backend` when given, else what the
//! working directory at `state` says (`.terraform/terraform.tfstate` written by
//! `terraform init`, else the `backend` block of its `*.tf` files), else `local` — and matches
//! on that name. Each backend merges the discovered config under the given `config` in its own
//! `configure`. No command changes: `lookup` and the stage commands already call only
//! [`Settings::from_inputs`]/[`Settings::from_stage`], [`configure`] and [`open`], and render
//! [`NoState`] and [`Error`] whatever the backend.

pub mod config;
pub mod error;
pub mod http;
pub mod kubernetes;
pub mod local;
pub mod lock;
mod no_state;
pub mod pg;
pub mod settings;
pub mod workspace;

pub use config::{BackendConfig, KeyProblem};
pub use error::Error;
pub use lock::Lock;
pub use no_state::NoState;
pub use settings::{Problem, Settings};

use crate::context::Context;
use crate::error::Result;

/// A place state can live, as Terraform's backends are: each one file of this module.
///
/// Futures here are never sent between threads (wasm runs one), so the trait's `async fn`s
/// need no `Send` bound.
#[allow(async_fn_in_trait)]
pub trait Backend {
    /// The backend's type, as Terraform names it in a `backend` block.
    const NAME: &'static str;
    /// The settings it reads ([`Settings`]' fields, by their input names).
    const SETTINGS: &'static [&'static str];
    /// Where its state is, validated: what [`Backend::open`] needs.
    type Location;
    /// Reads and checks the settings, with the run's context for what the environment says;
    /// pure. Every problem is returned at once, each naming its setting.
    fn configure(settings: &Settings, context: &Context) -> std::result::Result<Self::Location, Vec<Problem>>;
    /// Opens the state at `location`, or says there is none yet.
    async fn open(location: &Self::Location) -> Result<Opened>;
    /// The workspaces that have a state there.
    async fn workspaces(location: &Self::Location) -> Result<Vec<String>>;
}

/// The one list of backends. Each line names a [`Source`] variant and the type that implements
/// [`Backend`] for it; the variant and every dispatch on it ([`Source::backend`], [`open`],
/// [`workspaces`]) are generated from the line, so adding a backend is its file and one line.
macro_rules! backends {
    ($($variant:ident => $backend:ty),+ $(,)?) => {
        /// Where to read a state from, validated: one variant per backend, holding that
        /// backend's [`Backend::Location`].
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub enum Source {
            $(
                #[doc = concat!("A state where [`", stringify!($backend), "`] keeps it.")]
                $variant(<$backend as Backend>::Location),
            )+
        }

        impl Source {
            /// The backend's name, as Terraform spells it.
            pub fn backend(&self) -> &'static str {
                match self {
                    $(Source::$variant(_) => <$backend as Backend>::NAME,)+
                }
            }
        }

        /// Opens the state at `source`.
        pub async fn open(source: &Source) -> Result<Opened> {
            match source {
                $(Source::$variant(location) => <$backend as Backend>::open(location).await,)+
            }
        }

        /// The workspaces that have a state where `source` points (none for a single state file).
        pub async fn workspaces(source: &Source) -> Result<Vec<String>> {
            match source {
                $(Source::$variant(location) => <$backend as Backend>::workspaces(location).await,)+
            }
        }
    };
}

backends! {
    Local => local::Local,
}

/// A state ready to be read: its bytes stream from `body`.
pub struct Snapshot {
    /// The state's bytes, as a stream: a large state is never held whole.
    pub body: Box<dyn std::io::Read>,
    /// Its size in bytes, when known up front.
    pub size: Option<u64>,
    /// How to name it to a person (the file, relative to the workspace when inside it).
    pub name: String,
    /// The workspace it belongs to, when read from a working directory.
    pub workspace: Option<String>,
    /// When the state last changed, milliseconds since the epoch.
    pub modified_ms: Option<f64>,
    /// The lock Terraform holds on the state, when the backend shows one: an apply may be
    /// under way, and the state about to change.
    pub lock: Option<Lock>,
}

/// What opening a state found.
pub enum Opened {
    /// A state to read.
    State(Snapshot),
    /// There is no state there yet: the stage's first apply is to come. `lookup` fails with
    /// [`NoState::error`]; `promote` and `status` take it as "runs nothing yet".
    NoStateYet(NoState),
}

/// Turns the settings into the source they name. Today every state is local; issue 9 decides
/// the backend here (see the module's documentation) and adds one arm per backend.
pub fn configure(settings: &Settings, context: &Context) -> std::result::Result<Source, Vec<Problem>> {
    local::Local::configure(settings, context).map(Source::Local)
}

#[cfg(test)]
mod tests;
