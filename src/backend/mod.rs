//! Where a state lives, behind one seam.
//!
//! A command asks two things, in two calls: [`configure`] turns the settings as written
//! ([`Settings`]: the step's inputs, or a stage of the stages file) and the run's [`Context`]
//! into a validated [`Source`] — every problem at once — and [`open`] reads the state there, or
//! answers, typed, that there is none yet ([`Opened::NoStateYet`] with a [`NoState`]: which
//! backend, which workspace, what was looked for, which workspaces do have a state). Before
//! anything prints, [`mask`] registers every credential the source holds. Commands never name
//! a backend.
//!
//! # Which backend, with which settings
//!
//! [`configure`] decides in Terraform's order (module `choose`): the `backend` setting when
//! given; else what the working directory at `state` says ([`discover`]:
//! `.terraform/terraform.tfstate` written by `terraform init`, else the `backend` block of its
//! `*.tf` files); else `local`. The settings are merged into one [`BackendConfig`], later over
//! earlier, as `terraform init` merges them: what the directory says, then `backend-config` (a
//! `*.tfbackend` file it names in its place); then Terraform's environment fallbacks (each
//! backend's `ENV`, read once into the [`Context`]) fill the keys still unset. A key the backend
//! does not have is a problem, with "did you mean". The workspace is selected once, for every
//! backend ([`workspace::select`]), except that the local backend finishes the choice when it
//! knows `state` is a directory (a state file has no workspace).
//!
//! # A backend
//!
//! One module, shaped alike (see `local` for the simplest): `NAME` as Terraform spells it,
//! `KEYS` (every key of its schema), `SECRETS` (the keys whose values are credentials), `ENV`
//! (Terraform's environment fallbacks, per key, in order), a validated `Location`, a pure
//! `configure(&BackendConfig, &Workspace, &Context, timeout_ms) -> Result<Location,
//! Vec<KeyProblem>>`, an async `open(&Location) -> Result<Opened>` and `workspaces(&Location)`.
//! Then one line in the `backends!` list, which generates its [`Location`] variant, the choice
//! by name, the dispatch ([`open`], [`workspaces`]), the environment names the [`Context`] reads
//! ([`env_names`]) and what it masks ([`specs`]).
//!
//! A backend that speaks a protocol keeps it free of I/O: a pure function builds the request
//! (a [`crate::host::HttpRequest`]) and another reads the answer into an [`Opened`] or an error,
//! and `open` only joins them with one host call. Its tests then run natively on made-up
//! answers (the native host has no HTTP), as the local backend's run on a temporary directory.

pub mod azurerm;
mod choose;
pub mod cloud;
pub mod config;
pub mod discover;
pub mod error;
pub mod gcs;
pub mod http;
pub mod kubernetes;
pub mod local;
pub mod lock;
pub mod mac;
mod no_state;
pub mod on_demand;
pub mod pg;
pub mod preflight;
pub mod remote;
pub mod s3;
pub mod settings;
pub mod tfe;
pub mod workspace;
pub mod xml;

pub use choose::{configure, mask, Source, DEFAULT_TIMEOUT_MS};
pub use config::{BackendConfig, KeyProblem};
pub use error::Error;
pub use lock::Lock;
pub use no_state::NoState;
pub use settings::{Problem, Settings};

use crate::context::Context;
use crate::error::Result;
use workspace::Workspace;

/// What the seam knows of a backend without its types: its name, keys, secret keys and
/// environment fallbacks.
#[derive(Debug, Clone, Copy)]
pub struct Spec {
    /// The backend's type, as Terraform names it.
    pub name: &'static str,
    /// Every key of its settings.
    pub keys: &'static [&'static str],
    /// The keys whose values are credentials: masked, never shown.
    pub secrets: &'static [&'static str],
    /// Terraform's environment fallbacks: for a key, the variables that set it, in order.
    pub env: &'static [(&'static str, &'static [&'static str])],
}

/// The one list of backends. Each line names a [`Location`] variant and the module of the
/// backend; the variant, the choice by name, every dispatch, the environment names and the
/// specs are generated from the line, so adding a backend is its module and one line. The lines
/// under `on_demand` are read by the second WebAssembly module ([`on_demand`]): inside the
/// action their `open` and `workspaces` cross to it; natively and inside that module they are
/// called directly.
macro_rules! backends {
    (
        in_core { $($(#[$attr:meta])* $variant:ident => $module:ident),+ $(,)? }
        on_demand { $($dvariant:ident => $dmodule:ident),* $(,)? }
    ) => {
        /// Where a state is, validated: one variant per backend, holding that backend's
        /// `Location`.
        // A run holds a location or two (a promotion's source and target): their sizes do not
        // matter, and boxing each would only add an allocation.
        #[allow(clippy::large_enum_variant)]
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub enum Location {
            $(
                $(#[$attr])*
                #[doc = concat!("A state where the `", stringify!($module), "` backend keeps it.")]
                $variant($module::Location),
            )+
            $(
                #[doc = concat!("A state where the `", stringify!($dmodule), "` backend keeps it (read on demand).")]
                $dvariant($dmodule::Location),
            )*
        }

        impl Location {
            /// The backend's name, as Terraform spells it.
            pub fn backend(&self) -> &'static str {
                match self {
                    $($(#[$attr])* Location::$variant(_) => $module::NAME,)+
                    $(Location::$dvariant(_) => $dmodule::NAME,)*
                }
            }
        }

        /// Every backend this action reads, in the list's order.
        // One push per line, so that a line can carry `#[cfg(test)]`.
        #[allow(clippy::vec_init_then_push)]
        pub fn specs() -> Vec<Spec> {
            let mut all = Vec::new();
            $(
                $(#[$attr])*
                all.push(Spec { name: $module::NAME, keys: $module::KEYS, secrets: $module::SECRETS, env: $module::ENV });
            )+
            $(all.push(Spec { name: $dmodule::NAME, keys: $dmodule::KEYS, secrets: $dmodule::SECRETS, env: $dmodule::ENV });)*
            all
        }

        /// The backend named by `config.backend`, configured; `None` when no backend of the list
        /// has that name.
        fn configure_named(
            config: &BackendConfig,
            workspace: &Workspace,
            context: &Context,
            timeout_ms: u64,
        ) -> Option<std::result::Result<Location, Vec<KeyProblem>>> {
            $(
                $(#[$attr])*
                if config.backend == $module::NAME {
                    return Some($module::configure(config, workspace, context, timeout_ms).map(Location::$variant));
                }
            )+
            $(
                if config.backend == $dmodule::NAME {
                    return Some($dmodule::configure(config, workspace, context, timeout_ms).map(Location::$dvariant));
                }
            )*
            None
        }

        /// Opens the state at `source`.
        pub async fn open(source: &Source) -> Result<Opened> {
            match &source.location {
                $($(#[$attr])* Location::$variant(location) => $module::open(location).await,)+
                $(
                    #[cfg(not(all(target_arch = "wasm32", not(feature = "cloud"))))]
                    Location::$dvariant(location) => $dmodule::open(location).await,
                    #[cfg(all(target_arch = "wasm32", not(feature = "cloud")))]
                    Location::$dvariant(location) => on_demand::open($dmodule::NAME, location).await,
                )*
            }
        }

        /// The workspaces that have a state where `source` points (none for a single state file).
        pub async fn workspaces(source: &Source) -> Result<Vec<String>> {
            match &source.location {
                $($(#[$attr])* Location::$variant(location) => $module::workspaces(location).await,)+
                $(
                    #[cfg(not(all(target_arch = "wasm32", not(feature = "cloud"))))]
                    Location::$dvariant(location) => $dmodule::workspaces(location).await,
                    #[cfg(all(target_arch = "wasm32", not(feature = "cloud")))]
                    Location::$dvariant(location) => on_demand::workspaces($dmodule::NAME, location).await,
                )*
            }
        }

        /// Inside the module read on demand: runs `op` for the backend named `backend` at
        /// `location` (its `Location` as JSON).
        #[cfg(any(feature = "cloud", test))]
        async fn serve_named(op: &str, backend: &str, location: &str) -> Result<on_demand::Reply> {
            let unreadable = |e: serde_json::Error| crate::error::Error::Internal(format!("the {backend} location the action sent: {e}"));
            $(
                if backend == $dmodule::NAME {
                    let location: $dmodule::Location = serde_json::from_str(location).map_err(unreadable)?;
                    return match op {
                        "open" => $dmodule::open(&location).await.map(on_demand::Reply::Opened),
                        _ => $dmodule::workspaces(&location).await.map(on_demand::Reply::Workspaces),
                    };
                }
            )*
            let _ = (op, location, unreadable);
            Err(crate::error::Error::Internal(format!("the cloud backends' module does not read the {backend} backend")))
        }
    };
}

backends! {
    in_core {
        Local => local,
        Kubernetes => kubernetes,
        Pg => pg,
        Http => http,
        #[cfg(test)]
        Fake => fake,
    }
    on_demand {
        S3 => s3,
        Gcs => gcs,
        Azurerm => azurerm,
        Remote => remote,
        Cloud => cloud,
    }
}

impl Location {
    /// The credentials found in the environment while configuring (HCP Terraform's
    /// `TF_TOKEN_<host>`), masked with the settings' own.
    pub fn env_secrets(&self) -> Vec<String> {
        match self {
            Location::Remote(l) | Location::Cloud(l) => l.env_secrets(),
            _ => Vec::new(),
        }
    }
}

/// The test-only remote backend that proves the dispatch (src/backend/tests.rs).
#[cfg(test)]
use tests::fake;

/// Every environment variable a backend falls back to, once each: what the [`Context`] reads.
pub fn env_names() -> Vec<&'static str> {
    let mut names: Vec<&'static str> =
        specs().iter().flat_map(|s| s.env.iter().flat_map(|(_, names)| names.iter().copied())).collect();
    names.sort_unstable();
    names.dedup();
    names
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
    /// What a person should know about this read besides the state, as warnings: that the lock
    /// could not be read (no permission on the Lease), so an apply may hold it unseen.
    pub warnings: Vec<String>,
}

/// What opening a state found.
pub enum Opened {
    /// A state to read.
    State(Snapshot),
    /// There is no state there yet: the stage's first apply is to come. `lookup` fails with
    /// [`NoState::error`]; `promote` and `status` take it as "runs nothing yet".
    NoStateYet(NoState),
}

#[cfg(test)]
mod tests;
