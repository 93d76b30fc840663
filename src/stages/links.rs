//! The `from` links between stages, checked once every stage is known: each names another
//! stage, and following them never comes back to where it started.

use std::collections::HashMap;

use super::parse::Draft;
use super::problem::{list_names, Pos, Problems};
use crate::text::quote;

/// Checks every `from` of `stages` (read so far, valid or not); a `from` that was not valid
/// itself was reported already and is skipped.
pub(super) fn check_from(stages: &[Draft], problems: &mut Problems) {
    let names: Vec<&str> = stages.iter().map(|d| d.stage.name.as_str()).collect();
    // Each name's first stage: every `from` is looked up once, not compared with every name.
    let mut index: HashMap<&str, usize> = HashMap::with_capacity(names.len());
    for (i, name) in names.iter().enumerate() {
        index.entry(name).or_insert(i);
    }
    // For each stage, the index of the stage it is promoted from, when that is a valid link.
    let mut source: Vec<Option<usize>> = vec![None; stages.len()];
    for (i, draft) in stages.iter().enumerate() {
        let (Some(from), Some(at)) = (&draft.stage.from, draft.value_at("from")) else { continue };
        let name = quote(&draft.stage.name);
        if *from == draft.stage.name {
            problems.at(at, format!("stage {name} is promoted from itself; \"from\" must name another stage"));
        } else if let Some(&j) = index.get(from.as_str()) {
            source[i] = Some(j);
        } else {
            // A handful of stages is usual; comparing a misspelt `from` with thousands of names,
            // for thousands of stages, would take longer than reading the file.
            let close = if names.len() <= 1_000 {
                crate::suggest::closest(from, names.iter().copied().filter(|n| *n != draft.stage.name))
            } else {
                None
            };
            let message = match close {
                Some(close) => {
                    format!(
                        "stage {name}: \"from\" names {}, which is not a stage; did you mean {}?",
                        quote(from),
                        quote(close)
                    )
                }
                None => format!(
                    "stage {name}: \"from\" names {}, which is not a stage; the stages are {}",
                    quote(from),
                    list_names(&names)
                ),
            };
            problems.at(at, message);
        }
    }
    for cycle in cycles(&source) {
        // Name the circle in the direction promotions flow (`a → b` when b is promoted from a),
        // starting at the stage listed first in the file, and point at that stage's `from`:
        // the link that closes the circle.
        let first = *cycle.iter().min().unwrap_or(&0);
        let mut flow: Vec<usize> = cycle.iter().rev().copied().collect();
        let start = flow.iter().position(|&i| i == first).unwrap_or(0);
        flow.rotate_left(start);
        flow.push(first);
        let path: Vec<&str> = flow.iter().map(|&i| names[i]).collect();
        let at = stages[first].value_at("from").unwrap_or(Pos { line: stages[first].stage.line, column: 1 });
        problems.at(
            at,
            format!(
                "the stages are promoted in a circle: {}; the stage that comes first must have no \"from\"",
                path.join(" → ")
            ),
        );
    }
}

/// Every cycle of the `from` links, each once, as the stages met following `from` (each is
/// promoted from the next). Each stage has at most one `from`, so a walk from any stage either
/// ends or runs into a cycle; marking stages as they are walked finds each cycle exactly once.
fn cycles(source: &[Option<usize>]) -> Vec<Vec<usize>> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        OnWalk,
        Done,
    }
    let mut marks = vec![Mark::New; source.len()];
    let mut found = Vec::new();
    for start in 0..source.len() {
        let mut walk = Vec::new();
        let mut at = Some(start);
        while let Some(i) = at {
            match marks[i] {
                Mark::Done => break,
                Mark::OnWalk => {
                    let from = walk.iter().position(|&w| w == i).unwrap_or(0);
                    found.push(walk[from..].to_vec());
                    break;
                }
                Mark::New => {
                    marks[i] = Mark::OnWalk;
                    walk.push(i);
                    at = source[i];
                }
            }
        }
        for i in walk {
            marks[i] = Mark::Done;
        }
    }
    found
}
