//! A valid stages file: its stages, each with its settings and where they were written.

use std::time::Duration;

use super::error::Error;

/// A valid stages file.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct StagesFile {
    /// The stages, in the order the file lists them.
    pub stages: Vec<Stage>,
}

impl StagesFile {
    /// The stage with this name (exactly; names are case-sensitive here even though GitHub
    /// environment names are not, because the file refuses names that differ only in case).
    pub fn get(&self, name: &str) -> Option<&Stage> {
        self.stages.iter().find(|s| s.name == name)
    }

    /// The stage called `name`, which input `input` named; else an error that lists the stages
    /// there are.
    pub fn stage(&self, input: &str, name: &str) -> Result<&Stage, Error> {
        self.get(name).ok_or_else(|| Error::UnknownStage {
            input: input.to_string(),
            name: name.to_string(),
            known: self.stages.iter().map(|s| s.name.clone()).collect(),
        })
    }

    /// Every stage's name, in file order.
    pub fn names(&self) -> Vec<&str> {
        self.stages.iter().map(|s| s.name.as_str()).collect()
    }

    /// The stages promoted from `name` (its `from` names it), in file order. Several stages may
    /// share a source (`qa-eu` and `qa-us` both from `dev`).
    pub fn promoted_from(&self, name: &str) -> Vec<&Stage> {
        self.stages.iter().filter(|s| s.from.as_deref() == Some(name)).collect()
    }

    /// The stages, each after the stage it is promoted from, otherwise in file order: the order
    /// an image moves through them, whatever order the file lists them in (it may list `prod`
    /// first).
    pub fn promotion_order(&self) -> Vec<&Stage> {
        fn visit<'f>(file: &'f StagesFile, stage: &'f Stage, out: &mut Vec<&'f Stage>, depth: usize) {
            if out.iter().any(|s| s.name == stage.name) {
                return;
            }
            // The file has no circles (parse refuses them); the depth bound is a guard.
            if let Some(source) = stage.from.as_deref().and_then(|f| file.get(f)).filter(|_| depth < file.stages.len())
            {
                visit(file, source, out, depth + 1);
            }
            out.push(stage);
        }
        let mut out = Vec::with_capacity(self.stages.len());
        for stage in &self.stages {
            visit(self, stage, &mut out, 0);
        }
        out
    }

    /// The final stage: the last of the [promotion order](Self::promotion_order), not of the
    /// file. `record` marks its deployments as production's, and `guard` reads what was
    /// released from them.
    pub fn final_stage(&self) -> Option<&Stage> {
        self.promotion_order().last().copied()
    }

    /// The stages after the first (in file order) that have no `from` and that no stage is
    /// promoted from: nothing moves into them or out of them, which is usually a `from` left
    /// out.
    pub fn unconnected(&self) -> Vec<&Stage> {
        self.stages.iter().skip(1).filter(|s| s.from.is_none() && self.promoted_from(&s.name).is_empty()).collect()
    }
}

/// One stage: where its Terraform state is, what in it holds the image, and how it is promoted.
/// Each setting is read as [`super::SETTINGS`] defines it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Stage {
    /// The stage's name; also its GitHub environment's name.
    pub name: String,
    /// A `.tfstate` file or a Terraform working directory, as written: a relative path is
    /// relative to `GITHUB_WORKSPACE`, which the caller resolves.
    pub state: String,
    /// The Terraform workspace, when not the default (or the one the directory selects).
    pub workspace: Option<String>,
    /// The backend's type, as Terraform names it, when the stage says where its state lives
    /// rather than leaving it to the working directory.
    pub backend: Option<String>,
    /// `backend-config:`: the backend's settings in Terraform's keys, each with its value (a
    /// string, or a list or map) and its line.
    pub backend_config: Vec<(String, serde_json::Value, usize)>,
    /// The Terraform address whose value is (or whose workload runs) the image. It parses
    /// with [`crate::state::Address::parse`].
    pub address: String,
    /// The container, for a workload with several.
    pub container: Option<String>,
    /// The stage this one is promoted from; `None` for a stage deployed directly.
    pub from: Option<String>,
    /// Whether this stage accepts an image that is not pinned (no tag, or `latest`).
    pub allow_latest: bool,
    /// How long the source stage must have been unchanged before a promotion into this one.
    pub min_soak: Option<Duration>,
    /// Whether promotions into this stage are stopped.
    pub hold: bool,
    /// The 1-based line of the stage's name.
    pub line: usize,
    /// The 1-based line of each setting, for annotations about it (e.g. an address that the
    /// state does not have).
    pub lines: SettingLines,
}

/// Where each setting of a stage was written (1-based lines); `None` for one not written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SettingLines {
    /// `state`.
    pub state: usize,
    /// `workspace`.
    pub workspace: Option<usize>,
    /// `backend`.
    pub backend: Option<usize>,
    /// `backend-config`.
    pub backend_config: Option<usize>,
    /// `address`.
    pub address: usize,
    /// `container`.
    pub container: Option<usize>,
    /// `from`.
    pub from: Option<usize>,
    /// `allow-latest`.
    pub allow_latest: Option<usize>,
    /// `min-soak`.
    pub min_soak: Option<usize>,
    /// `hold`.
    pub hold: Option<usize>,
}
