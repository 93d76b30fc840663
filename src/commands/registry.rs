//! The one definition of every input and output, as `action.yml` declares them. Commands name
//! the inputs they read and the outputs they set ([`super::Spec`]); dispatch, `--help`, the
//! terminal's flag checking and the warning for an input a command does not read all come from
//! here, and a test keeps `action.yml` (and through it the README) equal to these tables. An
//! input with a closed set of values lists them ([`InputDef::allowed`]): its description names
//! each, per-command help prints them, and [`choice`] checks a value against them.

use crate::action::Inputs;
use crate::error::InputProblem;
use crate::text::quote;

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
    /// The values it accepts, when they are a closed set (empty when any text goes); the
    /// description names each of them, as `value`.
    pub allowed: &'static [&'static str],
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

/// `prerelease` and `backports`: a rule that allows or denies.
const ALLOW_OR_DENY: &[&str] = &["allow", "deny"];

/// Every input, in `action.yml`'s order.
pub const INPUTS: &[InputDef] = &[
    InputDef {
        name: "command",
        required: true,
        default: None,
        description: "What to do: `lookup` reads a value and the image a workload runs from a Terraform state; `guard` refuses a release tag that is malformed, a duplicate or lower than what exists; `promote` picks the image a stage should run from its source stage; `status` shows every stage; `record` records a GitHub deployment; `preflight` checks a stage's backend credentials (and registry credentials) before Terraform runs; `validate` checks the stages file without reading any state (for a pull request).",
        allowed: &["lookup", "guard", "promote", "status", "record", "preflight", "validate"],
    },
    InputDef {
        name: "state",
        required: false,
        default: None,
        description: "A Terraform state file, or a Terraform working directory (its `terraform.tfstate`, or `terraform.tfstate.d/<workspace>/terraform.tfstate`). Relative to `GITHUB_WORKSPACE`.",
        allowed: &[],
    },
    InputDef {
        name: "workspace",
        required: false,
        default: None,
        description: "The Terraform workspace when `state` is a directory. Default: `TF_WORKSPACE`, else the directory's `.terraform/environment`, else `default`.",
        allowed: &[],
    },
    InputDef {
        name: "backend",
        required: false,
        default: None,
        description: "The Terraform backend that keeps the state, as named in a `backend` block (`kubernetes`, `pg`, `http`, `s3`, `gcs`, `azurerm`, `remote`, `cloud`, `local`). Default: the one the working directory at `state` uses (its `.terraform/terraform.tfstate`, else the `backend` or `cloud` block of its `*.tf` files), else `local`.",
        allowed: &[],
    },
    InputDef {
        name: "backend-config",
        required: false,
        default: None,
        description: "The backend's settings in Terraform's keys, one `key=value` a line, as `terraform init -backend-config` takes them (a list or map as HCL: `labels={team=\"app\"}`); a line without `=` names a `*.tfbackend` file. They override what the working directory says; Terraform's environment variables (`KUBE_*`, `PG_CONN_STR`, `TF_HTTP_*`, `AWS_*`, `GOOGLE_*`, `ARM_*`, `TF_CLOUD_*`, `TF_TOKEN_*`) fill what is left.",
        allowed: &[],
    },
    InputDef {
        name: "address",
        required: false,
        default: None,
        description: "A Terraform address as Terraform prints it, with an optional attribute path: `output.image`, `module.app.kubernetes_deployment_v1.web`, `terraform_data.app.output.image`, `kubernetes_deployment_v1.web.spec[0].replicas`.",
        allowed: &[],
    },
    InputDef {
        name: "container",
        required: false,
        default: None,
        description: "The container whose image to answer, when the workload has several. Init containers are chosen by name only.",
        allowed: &[],
    },
    InputDef {
        name: "stage",
        required: false,
        default: None,
        description: "lookup, preflight: a stage of the stages file, in place of `state`, `workspace`, `backend`, `backend-config`, `address` and `container`.",
        allowed: &[],
    },
    InputDef {
        name: "stages-file",
        required: false,
        default: Some(".github/stages.yml"),
        description: "lookup, promote, status, record, guard, preflight, validate: the stages file. Relative to `GITHUB_WORKSPACE`.",
        allowed: &[],
    },
    InputDef {
        name: "to",
        required: false,
        default: None,
        description: "promote, record, preflight: the stage to promote into, that was just deployed, or (preflight) about to be deployed.",
        allowed: &[],
    },
    InputDef {
        name: "image-tag",
        required: false,
        default: None,
        description: "promote: refuse unless the source stage runs exactly this tag.",
        allowed: &[],
    },
    InputDef {
        name: "commit",
        required: false,
        default: None,
        description: "promote: the release's commit: refuse unless the source stage's image was built from it (its tag is the commit's SHA, in full or a prefix of 7 or more digits, either way; the check needs SHA-tagged images). In a tag-push workflow pass the pushed commit, `github.sha`. Empty: no check.",
        allowed: &[],
    },
    InputDef {
        name: "tag",
        required: false,
        default: None,
        description: "guard: the release tag to check. Default: the pushed tag (`GITHUB_REF` when it is `refs/tags/…`).",
        allowed: &[],
    },
    InputDef {
        name: "tag-prefix",
        required: false,
        default: Some("v"),
        description: "guard: the literal prefix of release tags (`app/v` in a monorepo); tags without it are ignored. Set `''` for none.",
        allowed: &[],
    },
    InputDef {
        name: "prerelease",
        required: false,
        default: Some("deny"),
        description: "guard: `allow` or `deny` versions with a prerelease part (`v1.3.0-rc.1`). Under `deny`, existing prerelease tags are not previous versions either (a refused `v1.1.0-rc.1` does not block `v1.0.1`).",
        allowed: ALLOW_OR_DENY,
    },
    InputDef {
        name: "backports",
        required: false,
        default: Some("deny"),
        description: "guard: `allow` a version below the highest when it is the highest of its own `major.minor` line (a patch to an older release line), or `deny`.",
        allowed: ALLOW_OR_DENY,
    },
    InputDef {
        name: "tags-from",
        required: false,
        default: None,
        description: "guard: where existing tags come from: `api` (the GitHub REST API, one request) or `git` (`git ls-remote origin`, or `git tag` without a remote). Default: `api` when a token is set, else `git`.",
        allowed: &["api", "git"],
    },
    InputDef {
        name: "token",
        required: false,
        default: Some("${{ github.token }}"),
        description: "guard, promote, status, record: the token for the GitHub API; never printed. `record` needs `deployments: write`; `promote` and `status` read the deployments `record` wrote (`deployments: read`): since when a stage runs its image (`min-soak` needs it) and what it ran before.",
        allowed: &[],
    },
    InputDef {
        name: "version-file",
        required: false,
        default: None,
        description: "guard, in a pull request: check the version in this file (`Cargo.toml`, `package.json`, `pyproject.toml`, `Chart.yaml` or a plain `VERSION` file) as the tag prefix + version.",
        allowed: &[],
    },
    InputDef {
        name: "branch",
        required: false,
        default: None,
        description: "guard: the tagged commit must be reachable from this branch (`main`), and only tags reachable from it count as previous versions (a tag on an unmerged branch cannot release, nor block). A shallow checkout is deepened as needed.",
        allowed: &[],
    },
    InputDef {
        name: "versions-from",
        required: false,
        default: Some("tags"),
        description: "guard: what the version must be higher than: `tags` (the repository's release tags) or `deployments` (the versions `record` recorded in the GitHub deployments to `environment`, so a refused tag never counts; needs `token`).",
        allowed: &["tags", "deployments"],
    },
    InputDef {
        name: "environment",
        required: false,
        default: None,
        description: "guard, with `versions-from: deployments`: the GitHub environment whose deployments say what was released. Default: the last stage in promotion order, else `prod`.",
        allowed: &[],
    },
    InputDef {
        name: "allow-locked",
        required: false,
        default: Some("false"),
        description: "promote: `true` to promote even while Terraform holds a lock on the source's or the target's state (an apply in progress); by default that is refused.",
        allowed: &[],
    },
    InputDef {
        name: "allow-rollback",
        required: false,
        default: Some("false"),
        description: "promote: `true` to promote even when it takes the target back to an image it ran before and left, or to a lower SemVer version; by default that is refused. The summary warns.",
        allowed: &[],
    },
    InputDef {
        name: "environment-url",
        required: false,
        default: None,
        description: "record: where the deployed stage answers (`https://qa.example.com`), shown in GitHub's environment view.",
        allowed: &[],
    },
    InputDef {
        name: "production-environment",
        required: false,
        default: None,
        description: "record: `true` or `false`: whether the stage is a production environment. Default: `true` for the last stage in promotion order.",
        allowed: &[],
    },
    InputDef {
        name: "transient-environment",
        required: false,
        default: Some("false"),
        description: "record: `true` when the stage goes away (a preview environment).",
        allowed: &[],
    },
    InputDef {
        name: "timeout",
        required: false,
        default: Some("60s"),
        description: "guard, promote, status, record: how long each request to the GitHub API and each git command may take before the step fails (`30s`, `2m`, at most `1h`).",
        allowed: &[],
    },
    InputDef {
        name: "registry",
        required: false,
        default: None,
        description: "preflight: the container registry whose credentials to check (`ghcr.io`); default `docker.io` when `registry-username` or `registry-password` is set.",
        allowed: &[],
    },
    InputDef {
        name: "registry-username",
        required: false,
        default: None,
        description: "preflight: the registry's user name; must not be empty when a registry is checked.",
        allowed: &[],
    },
    InputDef {
        name: "registry-password",
        required: false,
        default: None,
        description: "preflight: the registry's password or token; must not be empty when a registry is checked; never printed.",
        allowed: &[],
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
    OutputDef { name: "locked", description: "lookup, status: `true` when Terraform holds a lock on a state that was read (an apply may be in progress; the backend must show locks: kubernetes, pg), else `false`." },
    OutputDef { name: "changed", description: "promote: `false` when the target already runs the image, so the workflow can skip its apply." },
    OutputDef { name: "from", description: "promote: the source stage." },
    OutputDef { name: "to", description: "promote: the target stage." },
    OutputDef { name: "stages", description: "status: a JSON object, per stage its image, tag, digest, serial, `from`, its `relation` to its `from` (`same`, `behind`, `ahead`, `diverged`, `unknown`), `behind`, `since` (when it started running its image), `held` and `locked`. validate: a JSON list of the stages in promotion order, each with `name`, `from`, `state`, `backend`, `workspace`, `address`, `container`, `min-soak` (seconds) and `hold`, as the file says." },
    OutputDef { name: "deployment-id", description: "record: the id of the GitHub deployment created." },
    OutputDef { name: "ok", description: "preflight: `true` when no check failed, else `false` (written even when the step fails)." },
    OutputDef { name: "certificate-expires", description: "preflight: when the kubernetes backend's client certificate expires (RFC 3339, `2026-11-30T09:00:00Z`); empty without one." },
];

/// The definition of input `name`.
pub fn input(name: &str) -> Option<&'static InputDef> {
    INPUTS.iter().find(|i| i.name == name)
}

/// The value of input `name`, which has a closed set of values: `None` when it is not set, the
/// allowed value it is, or a problem that names the allowed values (and the one meant, when the
/// value is a near miss such as `Allow` or `alow`).
pub fn choice(inputs: &Inputs, name: &str) -> Result<Option<&'static str>, InputProblem> {
    let Some(given) = inputs.get(name) else { return Ok(None) };
    let allowed = input(name).map_or(&[][..], |i| i.allowed);
    if let Some(value) = allowed.iter().find(|v| **v == given) {
        return Ok(Some(value));
    }
    let mut problem = match allowed {
        [one, other] => format!("{} is neither {one} nor {other}", quote(given)),
        _ => format!("{} is none of {}", quote(given), allowed.join(", ")),
    };
    if let Some(close) = crate::suggest::closest(given, allowed.iter().copied()) {
        problem.push_str(&format!("; did you mean {close}?"));
    }
    Err(InputProblem::new(name, problem))
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
        let declared: Vec<(&str, bool, Option<&str>, &str)> = root
            .get_mapping("inputs")
            .unwrap()
            .iter()
            .map(|(name, spec)| {
                let spec = spec.as_mapping().unwrap();
                // Leaked once per test run: the definitions hold 'static text.
                let leak = |s: &str| -> &'static str { Box::leak(s.to_string().into_boxed_str()) };
                (
                    leak(name.as_str()),
                    scalar(spec, "required") == Some("true"),
                    scalar(spec, "default").map(leak),
                    leak(scalar(spec, "description").unwrap()),
                )
            })
            .collect();
        let defined: Vec<_> = INPUTS.iter().map(|i| (i.name, i.required, i.default, i.description)).collect();
        assert_eq!(declared, defined);
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

    #[test]
    fn every_allowed_value_is_named_in_the_description_so_action_yml_and_the_readme_list_it() {
        for i in INPUTS {
            for value in i.allowed {
                assert!(
                    i.description.contains(&format!("`{value}`")),
                    "input {}: its description names `{value}`",
                    i.name
                );
            }
        }
        let commands: Vec<&str> = COMMANDS.iter().map(|c| c.name).collect();
        assert_eq!(input("command").unwrap().allowed, commands);
    }

    #[test]
    fn a_choice_is_one_of_its_allowed_values_or_a_problem_naming_them() {
        let inputs =
            |v: &str| Inputs::new(crate::action::Mode::Actions, "guard", &[("tags-from", v), ("prerelease", v)]);
        assert_eq!(choice(&inputs(""), "tags-from"), Ok(None));
        assert_eq!(choice(&inputs("git"), "tags-from"), Ok(Some("git")));
        assert_eq!(choice(&inputs(" allow "), "prerelease"), Ok(Some("allow")));
        let refuse = |v: &str, name: &str| choice(&inputs(v), name).unwrap_err();
        assert_eq!(refuse("svn", "tags-from"), InputProblem::new("tags-from", "\"svn\" is neither api nor git"));
        assert_eq!(refuse("API", "tags-from").problem, "\"API\" is neither api nor git; did you mean api?");
        assert_eq!(refuse("alow", "prerelease").problem, "\"alow\" is neither allow nor deny; did you mean allow?");
        assert_eq!(refuse("yes", "prerelease").problem, "\"yes\" is neither allow nor deny");
        assert_eq!(refuse("a\n::error::b", "prerelease").problem, "\"a\\n::error::b\" is neither allow nor deny");
        let command = Inputs::new(crate::action::Mode::Actions, "x", &[("command", "lokup")]);
        assert_eq!(
            choice(&command, "command").unwrap_err().problem,
            "\"lokup\" is none of lookup, guard, promote, status, record, preflight, validate; did you mean lookup?"
        );
    }

    #[test]
    fn per_command_help_prints_the_allowed_values_before_the_default() {
        let help = crate::commands::command_usage(crate::commands::spec("guard").unwrap());
        let prerelease = input("prerelease").unwrap().description;
        assert!(
            help.contains(&format!(
                "  --prerelease\n      {prerelease}\n      values: allow, deny\n      default: deny\n"
            )),
            "{help}"
        );
        let tags_from = input("tags-from").unwrap().description;
        assert!(
            help.contains(&format!("  --tags-from\n      {tags_from}\n      values: api, git\n  --token\n")),
            "{help}"
        );
    }
}
