//! `command: preflight`: checks a stage's backend credentials (and registry credentials) before
//! any Terraform runs, each check one line (✓, ⚠ or ✗ with what to do). The step fails only on
//! ✗, after every check has run. The checks of a backend are the backend's own
//! ([`crate::backend::preflight`]): the kubernetes backend checks its client certificate, CA,
//! API server and permissions; every other backend is read as `lookup` reads it.

use super::{Context, Spec};
use crate::action::{Inputs, Report, Summary, Table};
use crate::backend::preflight::{Check, Outcome};
use crate::backend::{self, Settings, Source};
use crate::error::{Error, InputProblem, Result};
use crate::secret::Secret;

/// The command's name and inputs.
pub const SPEC: Spec = Spec {
    name: "preflight",
    about: "check a stage's backend credentials (and registry credentials) before Terraform runs",
    inputs: &[
        "stage",
        "to",
        "stages-file",
        "state",
        "workspace",
        "backend",
        "backend-config",
        "registry",
        "registry-username",
        "registry-password",
    ],
    outputs: &["ok", "certificate-expires"],
    run: start,
};

/// [`run`] as the registry calls it.
fn start<'a>(inputs: &'a Inputs, context: &'a Context, report: &'a mut Report) -> super::Running<'a> {
    Box::pin(run(inputs, context, report))
}

/// The registry credentials to check: present and not empty (never shown).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registry {
    /// The registry's host (`docker.io` unless `registry` says otherwise).
    pub name: String,
    /// Whether `registry-username` is set and not blank.
    pub username: bool,
    /// `registry-password`, when set: masked before anything prints, and never in `Debug`.
    pub password: Option<Secret>,
}

/// The validated inputs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// Where the state is.
    pub source: Source,
    /// The stage, when one was named.
    pub stage: Option<String>,
    /// The registry credentials, when any registry input is set.
    pub registry: Option<Registry>,
}

impl Config {
    /// Reads and checks the inputs: a stage of the stages file (`stage` or `to`) or the inline
    /// settings, as `lookup` takes them.
    pub fn from_inputs(inputs: &Inputs, context: &Context) -> Result<Config> {
        let registry = registry(inputs);
        let named: Vec<&str> = ["stage", "to"].into_iter().filter(|n| inputs.get(n).is_some()).collect();
        if named.len() == 2 {
            return Err(Error::Inputs(vec![InputProblem::new(
                "to",
                "cannot be combined with `stage`: both name the stage to check; keep one",
            )]));
        }
        if let Some(input) = named.first() {
            let inline: Vec<InputProblem> = Settings::INPUTS
                .iter()
                .filter(|n| inputs.get(n).is_some())
                .map(|n| InputProblem::new(n, format!("cannot be combined with `{input}`, which takes it from the stages file; remove `{n}` or `{input}`")))
                .collect();
            if !inline.is_empty() {
                return Err(Error::Inputs(inline));
            }
            let name = inputs.get(input).unwrap_or_default();
            let file_name = super::stage_file::given(inputs);
            let file = super::stage_file::load(&file_name, context)?;
            let stage = super::stage_file::stage(&file, input, name)?;
            let source = super::stage_file::source(&file_name, stage, context)?;
            return Ok(Config { source, stage: Some(stage.name.clone()), registry });
        }
        let source = backend::configure(&Settings::from_inputs(inputs), context).map_err(|problems| {
            Error::Inputs(problems.iter().map(|p| InputProblem::new(p.setting, p.message.clone())).collect())
        })?;
        Ok(Config { source, stage: None, registry })
    }
}

/// The registry inputs, when any is set.
fn registry(inputs: &Inputs) -> Option<Registry> {
    let given = |n: &str| inputs.get(n).filter(|v| !v.trim().is_empty());
    if ["registry", "registry-username", "registry-password"].iter().all(|n| given(n).is_none()) {
        return None;
    }
    Some(Registry {
        name: given("registry").unwrap_or("docker.io").to_string(),
        username: given("registry-username").is_some(),
        password: given("registry-password").map(Secret::new),
    })
}

/// The check of registry credentials: both present and not empty. An input fed from a secret
/// that does not exist is empty, so an empty one is named with its likely cause.
pub fn registry_check(registry: &Registry) -> Check {
    let missing: Vec<&str> =
        [("registry-username", registry.username), ("registry-password", registry.password.is_some())]
            .into_iter()
            .filter(|(_, present)| !present)
            .map(|(n, _)| n)
            .collect();
    if missing.is_empty() {
        return Check::pass("registry", format!("a username and a password are given for {}", registry.name));
    }
    let names = missing.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(" and ");
    Check::fail(
        "registry",
        format!("{names} {} empty for {}", if missing.len() == 1 { "is" } else { "are" }, registry.name),
        Some("set them from the repository's or environment's secrets (a secret that does not exist reads as empty), e.g. `registry-password: ${{ secrets.REGISTRY_TOKEN }}`".into()),
    )
}

/// Runs every check, then fails when one failed.
pub async fn run(inputs: &Inputs, context: &Context, report: &mut Report) -> Result<()> {
    let config = Config::from_inputs(inputs, context)?;
    // Before anything is read, so that no message can show a credential.
    backend::mask(&config.source, report);
    if let Some(password) = config.registry.as_ref().and_then(|r| r.password.as_ref()) {
        report.secret(password.expose());
    }
    let findings = backend::preflight::check(&config.source, crate::host::now_ms()).await;
    let mut checks = findings.checks;
    if let Some(registry) = &config.registry {
        checks.push(registry_check(registry));
    }
    let expires = findings.certificate_expires_ms.map(|ms| crate::time::Utc::from_ms(ms).rfc3339());
    describe(report, config.stage.as_deref(), config.source.backend(), &checks, expires)
}

/// Fills the report from the checks: outputs (kept when the step fails), a warning per ⚠, a
/// log line and a table row per check; the error holds every line, as a failed run's log is not
/// printed.
pub fn describe(
    report: &mut Report,
    stage: Option<&str>,
    backend: &str,
    checks: &[Check],
    expires: Option<String>,
) -> Result<()> {
    let failed = checks.iter().filter(|c| c.outcome == Outcome::Fail).count();
    report.output("ok", (failed == 0).to_string());
    report.output("certificate-expires", expires.clone().unwrap_or_default());
    report.kept_on_failure.extend(["ok", "certificate-expires"]);
    for check in checks.iter().filter(|c| c.outcome == Outcome::Warn) {
        let fix = check.fix.as_deref().map(|f| format!(" — {f}")).unwrap_or_default();
        report.warning(&format!("preflight: {}", check.name), format!("{}{fix}", check.found));
    }
    report.log.extend(checks.iter().map(Check::line));
    let mut rows = Vec::new();
    if let Some(stage) = stage {
        rows.push(("Stage".to_string(), stage.to_string()));
    }
    rows.push(("Backend".to_string(), backend.to_string()));
    if let Some(expires) = expires {
        rows.push(("Certificate expires".to_string(), expires));
    }
    let table = Table {
        header: vec!["".into(), "Check".into(), "Found".into(), "To do".into()],
        rows: checks
            .iter()
            .map(|c| {
                vec![c.outcome.mark().to_string(), c.name.clone(), c.found.clone(), c.fix.clone().unwrap_or_default()]
            })
            .collect(),
    };
    report.summary = Summary { title: "stage-action preflight".into(), rows, table: Some(table), notes: Vec::new() };
    if failed == 0 {
        Ok(())
    } else {
        Err(Error::Preflight { lines: checks.iter().map(Check::line).collect(), failed })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_credentials_must_both_be_there() {
        let r = |username, password: Option<&str>| Registry {
            name: "ghcr.io".into(),
            username,
            password: password.map(Secret::new),
        };
        assert_eq!(registry_check(&r(true, Some("x"))).outcome, Outcome::Pass);
        let one = registry_check(&r(true, None));
        assert_eq!(one.found, "`registry-password` is empty for ghcr.io");
        let both = registry_check(&r(false, None));
        assert_eq!(both.found, "`registry-username` and `registry-password` are empty for ghcr.io");
        assert_eq!(both.outcome, Outcome::Fail);
    }

    #[test]
    fn the_registry_password_never_prints_in_the_config() {
        let values = [("state", "dev.tfstate"), ("registry-username", "me"), ("registry-password", "hunter2-pw")];
        let inputs = Inputs::new(crate::action::Mode::Actions, "preflight", &values);
        let context = Context { workspace: "/w".into(), ..Context::default() };
        let config = Config::from_inputs(&inputs, &context).unwrap();
        let registry = config.registry.as_ref().unwrap();
        assert_eq!(registry.password.as_ref().map(Secret::expose), Some("hunter2-pw"));
        let shown = format!("{config:?}");
        assert!(!shown.contains("hunter2-pw"), "{shown}");
        assert!(shown.contains("password: Some(***)"), "{shown}");
    }
}
