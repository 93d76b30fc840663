//! What can go wrong with the stages file and with a promotion, as values with kinds.

use std::fmt;

use super::decide::Refusal;
use super::problem::Problem;

/// A problem with the stages file, a stage it does not have, or a promotion it refuses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// The stages file does not exist.
    FileMissing {
        /// The file's name, as given.
        file: String,
    },
    /// The stages file is not valid: every problem, each at its line (and column), in file
    /// order (as [`super::parse`] returns them).
    Invalid {
        /// The file's name, as given.
        file: String,
        /// What is wrong, and where.
        problems: Vec<Problem>,
    },
    /// An input names a stage the file does not have.
    UnknownStage {
        /// The input that named it (`to`, `stage`).
        input: String,
        /// The name given.
        name: String,
        /// The stages the file has, in file order.
        known: Vec<String>,
    },
    /// The promotion into `to` is refused, for the reason `refusal` gives.
    Refused {
        /// The stage promoted into.
        to: String,
        /// Why, and what to do (boxed: it is the largest kind, and errors travel by value).
        refusal: Box<Refusal>,
    },
}

impl Error {
    /// The stages file and the line an annotation should point at: the first problem's.
    pub fn location(&self) -> Option<(String, Option<usize>)> {
        match self {
            Error::FileMissing { file } => Some((file.clone(), None)),
            Error::Invalid { file, problems } => Some((file.clone(), problems.first().map(|p| p.line))),
            Error::UnknownStage { .. } | Error::Refused { .. } => None,
        }
    }

    /// The problems of a stages file that [`super::parse`] refused.
    pub fn invalid(file: &str, problems: Vec<Problem>) -> Error {
        Error::Invalid { file: file.to_string(), problems }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::FileMissing { file } => write!(
                f,
                "the stages file {file} does not exist; create it (see \"Stages\" in the README), or set input `stages-file`"
            ),
            Error::Invalid { file, problems } => {
                write!(f, "{file} is not a valid stages file:")?;
                for p in problems {
                    write!(f, "\n{p}")?;
                }
                Ok(())
            }
            Error::UnknownStage { input, name, known } => {
                write!(f, "input `{input}`: the stages file has no stage \"{name}\"; its stages are: {}", known.join(", "))
            }
            Error::Refused { to, refusal } => write!(f, "cannot promote into {to}: {refusal}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Refused { refusal, .. } => Some(refusal.as_ref()),
            _ => None,
        }
    }
}

/// Onto today's variants of the crate's error, which decide the annotation's title and
/// location (the stages file's line for its problems).
#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    /// The domain error and the crate's error it becomes say exactly the same.
    fn same_words(e: Error) -> (String, crate::error::Error) {
        let top = crate::error::Error::from(e.clone());
        assert_eq!(e.to_string(), top.to_string());
        (e.to_string(), top)
    }

    #[test]
    fn a_missing_file_says_how_to_create_it_or_point_elsewhere() {
        let (message, top) = same_words(Error::FileMissing { file: ".github/stages.yml".into() });
        assert_eq!(message, "the stages file .github/stages.yml does not exist; create it (see \"Stages\" in the README), or set input `stages-file`");
        assert_eq!((top.title(), top.location()), ("invalid stages file", Some((".github/stages.yml".into(), None))));
    }

    #[test]
    fn an_invalid_file_lists_every_problem_and_points_at_the_first() {
        let problems = super::super::parse("s.yml", "stages:\n  dev:\n    state: s\n    hold: yes\n").unwrap_err();
        let (message, top) = same_words(Error::invalid("s.yml", problems));
        assert_eq!(
            message,
            "s.yml is not a valid stages file:\nline 2, column 3: stage \"dev\" has no \"address\"; add the Terraform address of what runs its image, e.g. address: kubernetes_deployment_v1.backend\nline 4, column 11: stage \"dev\": \"hold\" must be true or false, not yes (in YAML 1.2, yes, no, on and off are words, not booleans)"
        );
        assert_eq!((top.title(), top.location()), ("invalid stages file", Some(("s.yml".into(), Some(2)))));
    }

    #[test]
    fn an_unknown_stage_names_the_input_and_the_stages_there_are() {
        let (message, top) = same_words(Error::UnknownStage {
            input: "to".into(),
            name: "uat".into(),
            known: vec!["dev".into(), "qa".into()],
        });
        assert_eq!(message, "input `to`: the stages file has no stage \"uat\"; its stages are: dev, qa");
        assert_eq!(top.title(), "invalid input");
    }

    #[test]
    fn a_stage_the_file_lacks_is_unknown_and_the_error_lists_the_stages_it_has() {
        let text =
            "stages:\n  dev: {state: s, address: output.image}\n  qa: {from: dev, state: s, address: output.image}\n";
        let file = super::super::parse("s.yml", text).unwrap();
        assert_eq!(file.stage("to", "qa").map(|s| s.name.as_str()), Ok("qa"));
        assert_eq!(
            file.stage("stage", "uat").unwrap_err(),
            Error::UnknownStage { input: "stage".into(), name: "uat".into(), known: vec!["dev".into(), "qa".into()] }
        );
    }

    #[test]
    fn a_refused_promotion_names_the_target_and_says_why() {
        let refusal = Refusal::SoakUnknown {
            stage: "dev".into(),
            to: "qa".into(),
            min: Duration::from_secs(7200),
            why: Default::default(),
        };
        let (message, top) = same_words(Error::Refused { to: "qa".into(), refusal: Box::new(refusal.clone()) });
        assert_eq!(message, format!("cannot promote into qa: {refusal}"));
        assert_eq!(top.title(), "promotion refused");
    }
}
