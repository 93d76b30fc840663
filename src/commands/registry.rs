//! The one definition of every input and output, as `action.yml` declares them. Commands name
//! the inputs they read and the outputs they set ([`super::Spec`]); dispatch, `--help`, the
//! terminal's flag checking and the warning for an input a command does not read all come from
//! here, and a test keeps `action.yml` (and through it the README) equal to these tables.

/// One input of the action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InputDef {
    /// The name in `with:`.
    pub name: &'static str,
    /// Whether `action.yml` marks it required.
    pub required: bool,
    /// The default `action.yml` gives; the runner passes it when the step does not set the input.
    pub default: Option<&'static str>,
    /// What it means, as `action.yml` and the README say it.
    pub description: &'static str,
}

impl InputDef {
    /// Whether the runner sets this input to a value of its own when the step does not: a
    /// default that is an expression (`${{ github.token }}`) cannot be told from a value the
    /// step set.
    pub fn default_is_expression(&self) -> bool {
        self.default.is_some_and(|d| d.contains("${{"))
    }
}

/// One output of the action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutputDef {
    /// The name in `steps.<id>.outputs`.
    pub name: &'static str,
    /// What it holds.
    pub description: &'static str,
}

/// Every input, in `action.yml`'s order.
pub const INPUTS: &[InputDef] = &[
    InputDef {
        name: "command",
        required: true,
        default: None,
        description: "What to do: `lookup` reads a value and the image a workload runs from a Terraform state; `guard` refuses a release tag that is malformed, a duplicate or lower than what exists; `promote` picks the image a stage should run from its source stage; `status` shows every stage; `record` records a GitHub deployment.",
    },
    InputDef {
        name: "state",
        required: false,
        default: None,
        description: "A Terraform state file, or a Terraform working directory (its `terraform.tfstate`, or `terraform.tfstate.d/<workspace>/terraform.tfstate`). Relative to `GITHUB_WORKSPACE`.",
    },
    InputDef {
        name: "workspace",
        required: false,
        default: None,
        description: "The Terraform workspace when `state` is a directory. Default: `TF_WORKSPACE`, else the directory's `.terraform/environment`, else `default`.",
    },
    InputDef {
        name: "address",
        required: false,
        default: None,
        description: "A Terraform address as Terraform prints it, with an optional attribute path: `output.image`, `module.app.kubernetes_deployment_v1.web`, `terraform_data.app.output.image`, `kubernetes_deployment_v1.web.spec[0].replicas`.",
    },
    InputDef {
        name: "container",
        required: false,
        default: None,
        description: "The container whose image to answer, when the workload has several. Init containers are chosen by name only.",
    },
    InputDef {
        name: "stage",
        required: false,
        default: None,
        description: "lookup: a stage of the stages file, in place of `state`, `workspace`, `address` and `container`.",
    },
    InputDef {
        name: "stages-file",
        required: false,
        default: Some(".github/stages.yml"),
        description: "lookup, promote, status, record: the stages file. Relative to `GITHUB_WORKSPACE`.",
    },
    InputDef {
        name: "to",
        required: false,
        default: None,
        description: "promote, record: the stage to promote into, or that was just deployed.",
    },
    InputDef {
        name: "image-tag",
        required: false,
        default: None,
        description: "promote: refuse unless the source stage runs exactly this tag.",
    },
    InputDef {
        name: "tag",
        required: false,
        default: None,
        description: "guard: the release tag to check. Default: the pushed tag (`GITHUB_REF` when it is `refs/tags/…`).",
    },
    InputDef {
        name: "tag-prefix",
        required: false,
        default: Some("v"),
        description: "guard: the literal prefix of release tags (`app/v` in a monorepo); tags without it are ignored. Set `''` for none.",
    },
    InputDef {
        name: "prerelease",
        required: false,
        default: Some("deny"),
        description: "guard: `allow` or `deny` versions with a prerelease part (`v1.3.0-rc.1`).",
    },
    InputDef {
        name: "backports",
        required: false,
        default: Some("deny"),
        description: "guard: `allow` a version below the highest when it is the highest of its own `major.minor` line (a patch to an older release line), or `deny`.",
    },
    InputDef {
        name: "tags-from",
        required: false,
        default: None,
        description: "guard: where existing tags come from: `api` (the GitHub REST API, one request) or `git` (`git ls-remote origin`, or `git tag` without a remote). Default: `api` when a token is set, else `git`.",
    },
    InputDef {
        name: "token",
        required: false,
        default: Some("${{ github.token }}"),
        description: "guard, record: the token for the GitHub API; never printed. `record` needs `deployments: write`.",
    },
    InputDef {
        name: "version-file",
        required: false,
        default: None,
        description: "guard, in a pull request: check the version in this file (`Cargo.toml`, `package.json`, `pyproject.toml`, `Chart.yaml` or a plain `VERSION` file) as the tag prefix + version.",
    },
    InputDef {
        name: "branch",
        required: false,
        default: None,
        description: "guard: the tagged commit must be reachable from this branch (`main`), so a tag on an unmerged branch cannot release.",
    },
    InputDef {
        name: "timeout",
        required: false,
        default: Some("60s"),
        description: "guard, record: how long each request to the GitHub API and each git command may take before the step fails (`30s`, `2m`, at most `1h`).",
    },
];

/// Every output, in `action.yml`'s order.
pub const OUTPUTS: &[OutputDef] = &[
    OutputDef { name: "value", description: "The value at the address: a string as is, anything else as compact JSON. Masked when sensitive." },
    OutputDef { name: "image", description: "lookup: the image reference as written (a workload's container image, or the value when it is an image reference); promote: the image to deploy." },
    OutputDef { name: "image-repository", description: "The image without tag and digest, as written (`ghcr.io/acme/backend`)." },
    OutputDef { name: "image-tag", description: "lookup, promote: the image's tag; empty when it has none." },
    OutputDef { name: "image-digest", description: "lookup, promote: the image's digest (`sha256:…`); empty when it has none." },
    OutputDef { name: "container", description: "The name of the container whose image was answered." },
    OutputDef { name: "serial", description: "The state's serial: Terraform increments it on every change." },
    OutputDef { name: "lineage", description: "The state's lineage: the same across every version of one state." },
    OutputDef { name: "terraform-version", description: "The Terraform version that wrote the state." },
    OutputDef { name: "version", description: "guard: the accepted version, without the prefix (`1.4.0`)." },
    OutputDef { name: "previous-version", description: "guard: the highest existing version, without the prefix; empty when there is none." },
    OutputDef { name: "bump", description: "guard: how the version follows the previous one: `major`, `minor`, `patch`, `prerelease`, `initial` or `backport`." },
    OutputDef { name: "prerelease", description: "guard: `true` when the version has a prerelease part, else `false`." },
    OutputDef { name: "previous-image", description: "promote: what the target stage runs now; empty when it has no state yet." },
    OutputDef { name: "previous-image-tag", description: "promote: the tag of what the target stage runs now." },
    OutputDef { name: "changed", description: "promote: `false` when the target already runs the image, so the workflow can skip its apply." },
    OutputDef { name: "from", description: "promote: the source stage." },
    OutputDef { name: "to", description: "promote: the target stage." },
    OutputDef { name: "stages", description: "status: JSON, per stage its image, tag, digest, serial, `from` and whether it is `behind` its `from`." },
    OutputDef { name: "deployment-id", description: "record: the id of the GitHub deployment created." },
];

/// The definition of input `name`.
pub fn input(name: &str) -> Option<&'static InputDef> {
    INPUTS.iter().find(|i| i.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::COMMANDS;

    const ACTION: &str = include_str!("../../action.yml");

    fn scalar<'a>(node: &'a marked_yaml::types::MarkedMappingNode, key: &str) -> Option<&'a str> {
        node.get_scalar(key).map(|s| s.as_str())
    }

    #[test]
    fn action_yml_declares_exactly_these_inputs_and_outputs() {
        let root = marked_yaml::parse_yaml(0, ACTION).unwrap();
        let root = root.as_mapping().unwrap();
        let declared: Vec<InputDef> = root
            .get_mapping("inputs")
            .unwrap()
            .iter()
            .map(|(name, spec)| {
                let spec = spec.as_mapping().unwrap();
                // Leaked once per test run: the definitions hold 'static text.
                let leak = |s: &str| -> &'static str { Box::leak(s.to_string().into_boxed_str()) };
                InputDef {
                    name: leak(name.as_str()),
                    required: scalar(spec, "required") == Some("true"),
                    default: scalar(spec, "default").map(leak),
                    description: leak(scalar(spec, "description").unwrap()),
                }
            })
            .collect();
        assert_eq!(declared, INPUTS);
        let outputs: Vec<(&str, &str)> = root
            .get_mapping("outputs")
            .unwrap()
            .iter()
            .map(|(name, spec)| (name.as_str(), scalar(spec.as_mapping().unwrap(), "description").unwrap()))
            .collect();
        assert_eq!(outputs, OUTPUTS.iter().map(|o| (o.name, o.description)).collect::<Vec<_>>());
    }

    #[test]
    fn every_command_reads_and_sets_only_defined_names_and_every_name_is_used() {
        for spec in COMMANDS {
            for name in spec.inputs {
                assert!(input(name).is_some(), "{} reads undefined input {name}", spec.name);
            }
            for name in spec.outputs {
                assert!(OUTPUTS.iter().any(|o| o.name == *name), "{} sets undefined output {name}", spec.name);
            }
        }
        for i in INPUTS.iter().filter(|i| i.name != "command") {
            assert!(COMMANDS.iter().any(|c| c.inputs.contains(&i.name)), "no command reads input {}", i.name);
        }
        for o in OUTPUTS {
            assert!(COMMANDS.iter().any(|c| c.outputs.contains(&o.name)), "no command sets output {}", o.name);
        }
    }

    #[test]
    fn a_description_that_names_commands_names_exactly_those_that_read_the_input() {
        let names: Vec<&str> = COMMANDS.iter().map(|c| c.name).collect();
        for i in INPUTS {
            // "guard, record: …" or "guard, in a pull request: …": the words before the colon.
            let Some((head, _)) = i.description.split_once(':') else { continue };
            let said: Vec<&str> = head.split([',', ' ']).filter(|w| names.contains(w)).collect();
            if said.is_empty() {
                continue;
            }
            let mut readers: Vec<&str> =
                COMMANDS.iter().filter(|c| c.inputs.contains(&i.name)).map(|c| c.name).collect();
            let mut said = said;
            said.sort_unstable();
            readers.sort_unstable();
            assert_eq!(said, readers, "input {}", i.name);
        }
    }
}
